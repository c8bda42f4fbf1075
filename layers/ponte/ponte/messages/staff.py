"""The lines around an owner's alert as a person reads it: why it came to them when it reached someone else, and
where to see the account in the console, in their language."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal
from urllib.parse import quote

if TYPE_CHECKING:
    from ponte.domain.accounts import Locale

Forwarded = Literal["manager", "unknown_owner", "no_active_manager", "escalated", "escalated_to_admins"]

_NOTES: dict[Forwarded, dict[Locale, str]] = {
    "manager": {
        "pt-BR": "Você recebe este alerta porque {owner}, responsável pela conta, está inativo(a) no diretório.",
        "es": "Recibe esta alerta porque {owner}, responsable de la cuenta, está inactivo(a) en el directorio.",
        "en": "You receive this alert because {owner}, the account's owner, is inactive in the directory.",
    },
    "no_active_manager": {
        "pt-BR": "Você recebe este alerta porque {owner}, responsável pela conta, está inativo(a) e não tem gestor "
        "ativo no diretório. Defina um novo responsável.",
        "es": "Recibe esta alerta porque {owner}, responsable de la cuenta, está inactivo(a) y no tiene un gerente "
        "activo en el directorio. Asigne un nuevo responsable.",
        "en": "You receive this alert because {owner}, the account's owner, is inactive and has no active manager "
        "in the directory. Please assign a new owner.",
    },
    "unknown_owner": {
        "pt-BR": "Você recebe este alerta porque o responsável pela conta, {owner}, não está no diretório da equipe. "
        "Defina um responsável.",
        "es": "Recibe esta alerta porque el responsable de la cuenta, {owner}, no está en el directorio del equipo. "
        "Asigne un responsable.",
        "en": "You receive this alert because the account's owner, {owner}, is not in the staff directory. Please "
        "assign an owner.",
    },
    "escalated": {
        "pt-BR": "Você recebe este aviso como gestor(a) de {owner}, responsável pela conta.",
        "es": "Recibe este aviso como gerente de {owner}, responsable de la cuenta.",
        "en": "You receive this notice as the manager of {owner}, the account's owner.",
    },
    "escalated_to_admins": {
        "pt-BR": "Você recebe este aviso porque {owner}, responsável pela conta, não tem gestor ativo no diretório.",
        "es": "Recibe este aviso porque {owner}, responsable de la cuenta, no tiene un gerente activo en el "
        "directorio.",
        "en": "You receive this notice because {owner}, the account's owner, has no active manager in the directory.",
    },
}
_CONSOLE: dict[Locale, str] = {
    "pt-BR": "Ver a conta no console (pede login)",
    "es": "Ver la cuenta en la consola (pide iniciar sesión)",
    "en": "See the account in the console (asks you to sign in)",
}


def console_line(console_url: str, account_id: str, locale: Locale) -> str:
    """The link to the account in the staff console; the link alone grants nothing, the console asks for a login."""
    return f"{_CONSOLE[locale]}: {console_url.rstrip('/')}/#/account/{quote(account_id, safe='')}"


def forwarded_note(why: Forwarded, owner: str, locale: Locale) -> str:
    """Why an alert addressed to `owner` (their name, or the id the account holds) reached this reader."""
    return _NOTES[why][locale].format(owner=owner)
