"""Texts of the staff alerts about customer notices that could not be sent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ponte.domain.bodies.delivery import CustomerNoticeHeld
from ponte.messages.catalog import Entry, Texts

if TYPE_CHECKING:
    from ponte.domain.accounts import Locale
    from ponte.domain.notifications import Notification
    from ponte.messages.formatting import Formatter

_WHY: dict[Locale, dict[str, str]] = {
    "pt-BR": {
        "identity_missing": "a identificação da empresa (nome, endereço, CNPJ) ainda não foi configurada; a lei "
        "exige esses dados em toda cobrança (CDC art. 42-A). Preencha o parâmetro BusinessIdentityParameter",
        "identity_invalid": "a identificação da empresa configurada é inválida",
        "refused": "o provedor recusou a mensagem",
        "no_contact": "o cliente não tem e-mail nem celular válido",
    },
    "es": {
        "identity_missing": "la identificación de la empresa (nombre, dirección, identificación fiscal) aún no está "
        "configurada; la ley la exige en todo aviso de cobro. Complete el parámetro BusinessIdentityParameter",
        "identity_invalid": "la identificación de la empresa configurada no es válida",
        "refused": "el proveedor rechazó el mensaje",
        "no_contact": "el cliente no tiene correo ni móvil válido",
    },
    "en": {
        "identity_missing": "the business's identity (name, address, tax id) is not set yet; the law requires it on "
        "every collection notice. Fill in the BusinessIdentityParameter parameter",
        "identity_invalid": "the business identity that was set is invalid",
        "refused": "the provider refused the message",
        "no_contact": "the customer has no valid e-mail or mobile number",
    },
}
_NONE: dict[Locale, str] = {"pt-BR": "não informado", "es": "no informado", "en": "not given"}


def _held(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CustomerNoticeHeld)
    return {
        "customer": body.customer_name or _NONE[fmt.locale],
        "account_id": notification.account_id,
        "why": _WHY[fmt.locale][body.reason],
        "detail": body.detail or _NONE[fmt.locale],
        "notice": body.notice,
        "when": fmt.moment(notification.occurred_at),
    }


ENTRIES: dict[str, Entry] = {
    "customer_notice.held": Entry(
        _held,
        {
            "pt-BR": Texts(
                subject="Aviso ao cliente não enviado: {customer}",
                email="Um aviso ao cliente {customer} ({account_id}) não foi enviado em {when}: {why}.\n\n"
                "Detalhe: {detail}\nAviso: {notice}\n",
                sms="Ponte: aviso a {customer} nao enviado: {why}",
            ),
            "es": Texts(
                subject="Aviso al cliente no enviado: {customer}",
                email="Un aviso al cliente {customer} ({account_id}) no se envió el {when}: {why}.\n\n"
                "Detalle: {detail}\nAviso: {notice}\n",
                sms="Ponte: aviso a {customer} no enviado: {why}",
            ),
            "en": Texts(
                subject="Customer notice not sent: {customer}",
                email="A notice to customer {customer} ({account_id}) was not sent on {when}: {why}.\n\n"
                "Detail: {detail}\nNotice: {notice}\n",
                sms="Ponte: notice to {customer} not sent: {why}",
            ),
        },
    ),
}
