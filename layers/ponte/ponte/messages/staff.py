"""The line an owner's alert opens with when it reaches someone else: why it came to them, in their language."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ponte.domain.accounts import Locale

Forwarded = Literal["manager", "unknown_owner", "no_active_manager"]

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
}


def forwarded_note(why: Forwarded, owner: str, locale: Locale) -> str:
    """Why an alert addressed to `owner` (their name, or the id the account holds) reached this reader."""
    return _NOTES[why][locale].format(owner=owner)
