"""Texts of the alerts about the staff's own handling of alerts: a critical alert nobody acknowledged, escalated."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ponte.domain.bodies.staff import AlertEscalated
from ponte.messages.catalog import Entry, Texts

if TYPE_CHECKING:
    from ponte.domain.accounts import Locale
    from ponte.domain.bodies.staff import EscalatedSubject
    from ponte.domain.notifications import Notification
    from ponte.messages.formatting import Formatter

# What the escalated alert was about, in the words of the alert itself.
_SUBJECTS: dict[Locale, dict[EscalatedSubject, str]] = {
    "pt-BR": {
        "account_suspended": "conta suspensa",
        "chargeback_opened": "contestação de pagamento aberta",
        "customer_unreachable": "cliente sem contato válido",
    },
    "es": {
        "account_suspended": "cuenta suspendida",
        "chargeback_opened": "contracargo abierto",
        "customer_unreachable": "cliente sin contacto válido",
    },
    "en": {
        "account_suspended": "account suspended",
        "chargeback_opened": "chargeback opened",
        "customer_unreachable": "customer has no valid contact",
    },
}
_MINUTES: dict[Locale, dict[str, str]] = {
    "pt-BR": {"one": "{n} minuto", "other": "{n} minutos"},
    "es": {"one": "{n} minuto", "other": "{n} minutos"},
    "en": {"one": "{n} minute", "other": "{n} minutes"},
}


def _escalated(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, AlertEscalated)
    return {
        "account": body.account_name,
        "what": _SUBJECTS[fmt.locale][body.subject],
        "owner": body.owner_name,
        "sent": fmt.moment(body.sent_at),
        "minutes": fmt.count(body.minutes, _MINUTES[fmt.locale]),
    }


ENTRIES: dict[str, Entry] = {
    "alert.escalated": Entry(
        _escalated,
        {
            "pt-BR": Texts(
                subject="Alerta não reconhecido: {account} ({what})",
                email="O alerta “{what}” sobre {account}, enviado a {owner} em {sent}, não foi reconhecido "
                "em {minutes}.\n\nVeja a conta e reconheça o alerta no console, ou fale com {owner}.\n",
                sms="Ponte: alerta nao reconhecido: {account}, {what}. Enviado a {owner} em {sent}.",
            ),
            "es": Texts(
                subject="Alerta no reconocida: {account} ({what})",
                email="La alerta «{what}» sobre {account}, enviada a {owner} el {sent}, no fue reconocida "
                "en {minutes}.\n\nRevise la cuenta y reconozca la alerta en la consola, o hable con {owner}.\n",
                sms="Ponte: alerta no reconocida: {account}, {what}. Enviada a {owner} el {sent}.",
            ),
            "en": Texts(
                subject="Alert not acknowledged: {account} ({what})",
                email="The alert “{what}” about {account}, sent to {owner} on {sent}, was not acknowledged "
                "within {minutes}.\n\nCheck the account and acknowledge the alert in the console, or talk to "
                "{owner}.\n",
                sms="Ponte: alert not acknowledged: {account}, {what}. Sent to {owner} on {sent}.",
            ),
        },
    ),
}
