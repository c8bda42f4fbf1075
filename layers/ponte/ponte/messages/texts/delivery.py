"""Texts of the staff alerts about customer notices that could not be sent, and about customers whose e-mail no
longer reaches them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ponte.domain.bodies.delivery import CustomerNoticeHeld, CustomerUnreachable
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
# The customer notices by the name their reader knows them by; the kind itself stays in the machine payload.
_NOTICES: dict[Locale, dict[str, str]] = {
    "pt-BR": {
        "customer.welcome": "boas-vindas",
        "invoice.issued": "fatura emitida",
        "customer.payment_reminder": "lembrete de pagamento",
        "customer.overdue_notice": "aviso de pagamento em atraso",
        "customer.final_warning": "último aviso antes da suspensão",
        "customer.suspended": "aviso de suspensão",
        "customer.reactivated": "aviso de reativação",
    },
    "es": {
        "customer.welcome": "bienvenida",
        "invoice.issued": "factura emitida",
        "customer.payment_reminder": "recordatorio de pago",
        "customer.overdue_notice": "aviso de pago vencido",
        "customer.final_warning": "último aviso antes de la suspensión",
        "customer.suspended": "aviso de suspensión",
        "customer.reactivated": "aviso de reactivación",
    },
    "en": {
        "customer.welcome": "welcome",
        "invoice.issued": "invoice issued",
        "customer.payment_reminder": "payment reminder",
        "customer.overdue_notice": "overdue notice",
        "customer.final_warning": "final notice before suspension",
        "customer.suspended": "suspension notice",
        "customer.reactivated": "reactivation notice",
    },
}
_ANY_NOTICE: dict[Locale, str] = {"pt-BR": "aviso ao cliente", "es": "aviso al cliente", "en": "customer notice"}
# Why the address no longer works, from SES's bounce subtype (SES developer guide, "Bounce types") or a complaint.
_UNREACHABLE_WHY: dict[Locale, dict[str, str]] = {
    "pt-BR": {
        "NoEmail": "o endereço de e-mail não existe",
        "Suppressed": "o endereço está na lista de supressão do SES por devoluções ou reclamações anteriores",
        "OnAccountSuppressionList": "o endereço está na lista de supressão da conta SES",
        "bounced": "o servidor de e-mail do cliente recusou o endereço de forma definitiva",
        "complained": "o cliente marcou um aviso como spam",
    },
    "es": {
        "NoEmail": "la dirección de correo no existe",
        "Suppressed": "la dirección está en la lista de supresión de SES por rebotes o quejas anteriores",
        "OnAccountSuppressionList": "la dirección está en la lista de supresión de la cuenta de SES",
        "bounced": "el servidor de correo del cliente rechazó la dirección de forma definitiva",
        "complained": "el cliente marcó un aviso como spam",
    },
    "en": {
        "NoEmail": "the e-mail address does not exist",
        "Suppressed": "the address is on SES's suppression list after earlier bounces or complaints",
        "OnAccountSuppressionList": "the address is on the SES account's suppression list",
        "bounced": "the customer's mail server refused the address for good",
        "complained": "the customer marked a notice as spam",
    },
}


def _notice_name(kind: str, locale: Locale) -> str:
    return _NOTICES[locale].get(kind, _ANY_NOTICE[locale])


def _held(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CustomerNoticeHeld)
    return {
        "customer": body.customer_name or _NONE[fmt.locale],
        "account_id": notification.account_id,
        "why": _WHY[fmt.locale][body.reason],
        "detail": body.detail or _NONE[fmt.locale],
        "notice": _notice_name(body.notice, fmt.locale),
        "when": fmt.moment(notification.occurred_at),
    }


def _unreachable(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CustomerUnreachable)
    reasons = _UNREACHABLE_WHY[fmt.locale]
    why = reasons[body.reason]
    if body.reason == "bounced" and body.bounce_subtype in reasons:
        why = reasons[body.bounce_subtype]
    return {
        "customer": body.customer_name or _NONE[fmt.locale],
        "account_id": notification.account_id,
        "why": why,
        "notice": _notice_name(body.notice, fmt.locale),
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
    "customer.unreachable": Entry(
        _unreachable,
        {
            "pt-BR": Texts(
                subject="Cliente sem contato válido: {customer}",
                email="Cliente sem contato válido: atualize o e-mail de {customer} ({account_id}).\n\n"
                "Motivo: {why} ({when}).\n"
                "Os próximos avisos não irão para esse endereço; seguem por SMS quando o cliente tem celular. "
                "Com o e-mail corrigido no cadastro, os avisos voltam a ir por e-mail.\n\n"
                "Aviso devolvido: {notice}\n",
                sms="Ponte: {customer} sem contato valido: atualize o e-mail. {why}",
            ),
            "es": Texts(
                subject="Cliente sin contacto válido: {customer}",
                email="Cliente sin contacto válido: actualice el correo de {customer} ({account_id}).\n\n"
                "Motivo: {why} ({when}).\n"
                "Los próximos avisos no irán a esa dirección; siguen por SMS cuando el cliente tiene móvil. "
                "Con el correo corregido en la ficha del cliente, los avisos vuelven a ir por correo.\n\n"
                "Aviso devuelto: {notice}\n",
                sms="Ponte: {customer} sin contacto valido: actualice el correo. {why}",
            ),
            "en": Texts(
                subject="Customer has no valid contact: {customer}",
                email="Customer has no valid contact: update the e-mail address of {customer} ({account_id}).\n\n"
                "Reason: {why} ({when}).\n"
                "The next notices will not go to that address; they go by SMS when the customer has a mobile number. "
                "Once the address is corrected on the customer's record, notices go by e-mail again.\n\n"
                "Returned notice: {notice}\n",
                sms="Ponte: {customer} has no valid contact: update the e-mail. {why}",
            ),
        },
    ),
}
