"""Texts of the staff alerts about customer notices that could not be sent, and about customers whose e-mail no
longer reaches them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ponte.domain.bodies.delivery import CustomerNoticeHeld, CustomerUnreachable
from ponte.messages.catalog import NOT_GIVEN, Entry, Texts

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


# A held notice's detail is written by Ponte (what is wrong with the identity, a refusal Ponte makes before asking the
# provider: `ponte.domain.business.load_identity`, `ponte.adapters.customer_delivery`) or is the provider's answer.
# Ponte's own are told in the reader's words; the provider's is quoted as it gave it, and said to be its answer.
_FILL_IN: dict[Locale, str] = {
    "pt-BR": "preencha nome fantasia, razão social, CNPJ/CPF, endereço e contatos de atendimento (formato em "
    "schemas/business-identity.schema.json)",
    "es": "complete nombre comercial, razón social, identificación fiscal, dirección y contactos de atención "
    "(formato en schemas/business-identity.schema.json)",
    "en": "fill in the trade name, legal name, tax id, address and support contacts (format in "
    "schemas/business-identity.schema.json)",
}
_IN_ERROR: dict[Locale, str] = {
    "pt-BR": "dados com erro: {parts}",
    "es": "datos con error: {parts}",
    "en": "fields in error: {parts}",
}
# The identity's fields (`BusinessIdentity`), as the people who fill them in call them.
_IDENTITY_PARTS: dict[str, dict[Locale, str]] = {
    "trade_name": {"pt-BR": "nome fantasia", "es": "nombre comercial", "en": "trade name"},
    "legal_name": {"pt-BR": "razão social", "es": "razón social", "en": "legal name"},
    "tax_id": {"pt-BR": "CNPJ/CPF", "es": "identificación fiscal", "en": "tax id"},
    "address": {"pt-BR": "endereço", "es": "dirección", "en": "address"},
    "support_email": {"pt-BR": "e-mail de atendimento", "es": "correo de atención", "en": "support e-mail"},
    "support_phone": {"pt-BR": "telefone de atendimento", "es": "teléfono de atención", "en": "support phone"},
    "whatsapp": {"pt-BR": "WhatsApp", "es": "WhatsApp", "en": "WhatsApp"},
    "website": {"pt-BR": "site", "es": "sitio web", "en": "website"},
    "reply_to": {"pt-BR": "endereço de resposta", "es": "dirección de respuesta", "en": "reply-to address"},
}
_OTHER_PART: dict[Locale, str] = {"pt-BR": "outros dados", "es": "otros datos", "en": "other data"}
_FIELD_PATH = re.compile(r"[a-z_]+(?:\.[a-z0-9_]+)*")
_CHANNELS: dict[str, dict[Locale, str]] = {
    "email": {"pt-BR": "e-mail", "es": "correo", "en": "e-mail"},
    "sms": {"pt-BR": "SMS", "es": "SMS", "en": "SMS"},
}
# Refusals Ponte makes itself, before the provider is asked (`ponte.adapters.customer_delivery.SmsDirect`).
_OWN_REFUSALS: dict[str, dict[Locale, str]] = {
    "the phone number is not in E.164 form": {
        "pt-BR": "o celular não está no formato internacional (+ código do país e número)",
        "es": "el móvil no está en formato internacional (+ código de país y número)",
        "en": "the phone number is not in E.164 form (+ country code and number)",
    },
    "the customer opted out of SMS": {
        "pt-BR": "o cliente pediu para não receber SMS desta conta",
        "es": "el cliente pidió no recibir SMS de esta cuenta",
        "en": "the customer opted out of SMS from this account",
    },
}
# A provider's refusal, as the adapter writes it: `SES MessageRejected: Email address is not verified...`.
_PROVIDER_ANSWER = re.compile(r"(?P<service>[A-Z]{2,5}) (?P<code>[A-Za-z]+)(?:: (?P<message>.*))?", re.DOTALL)
_ANSWER: dict[Locale, tuple[str, str, str]] = {
    # (the answer of a named service, with its code; of a provider not named; the provider's own words, quoted)
    "pt-BR": ("resposta do {service}: {code}", "resposta do provedor", "“{message}”"),
    "es": ("respuesta de {service}: {code}", "respuesta del proveedor", "«{message}»"),
    "en": ("{service}'s answer: {code}", "the provider's answer", "“{message}”"),
}


def _detail(body: CustomerNoticeHeld, locale: Locale) -> str:
    """The held notice's detail in the reader's words (see `_FILL_IN`)."""
    if body.reason == "identity_missing":
        return _FILL_IN[locale]
    if not body.detail:
        return NOT_GIVEN[locale]
    if body.reason == "identity_invalid":
        problems = body.detail.removeprefix("invalid business identity:").split(";")
        parts = dict.fromkeys(_identity_part(problem, locale) for problem in problems if problem.strip())
        return _IN_ERROR[locale].format(parts=", ".join(parts) or _OTHER_PART[locale])
    channel, _, refusal = body.detail.partition(": ")
    if channel not in _CHANNELS:
        return _refusal(body.detail, locale)
    return f"{_CHANNELS[channel][locale]}: {_refusal(refusal, locale)}"


def _identity_part(problem: str, locale: Locale) -> str:
    where, _, _ = problem.strip().partition(": ")
    if not _FIELD_PATH.fullmatch(where):
        return _OTHER_PART[locale]  # a problem of the whole document, or one cut short
    return _IDENTITY_PARTS.get(where.split(".")[0], {}).get(locale, _OTHER_PART[locale])


def _refusal(refusal: str, locale: Locale) -> str:
    own = next((words for start, words in _OWN_REFUSALS.items() if refusal.startswith(start)), None)
    if own is not None:
        return own[locale]
    named, unnamed, quoted = _ANSWER[locale]
    answer = _PROVIDER_ANSWER.fullmatch(refusal)
    if answer is None:
        return f"{unnamed}: {quoted.format(message=refusal)}"
    said = named.format(service=answer["service"], code=answer["code"])
    return f"{said}, {quoted.format(message=answer['message'])}" if answer["message"] else said


def _notice_name(kind: str, locale: Locale) -> str:
    return _NOTICES[locale].get(kind, _ANY_NOTICE[locale])


def _held(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CustomerNoticeHeld)
    return {
        "customer": body.customer_name or NOT_GIVEN[fmt.locale],
        "account_id": notification.account_id,
        "why": _WHY[fmt.locale][body.reason],
        "detail": _detail(body, fmt.locale),
        "notice": _notice_name(body.notice, fmt.locale),
        "when": fmt.moment(notification.occurred_at),
    }


# What the owner reads and does, by why the address cannot be used: a bounce asks for the address to be corrected; a
# complaint (the address works: the customer marked a notice as spam) asks how the customer wants to be told.
# (headline, what to do, how e-mail comes back, the notice's label, the SMS's words after the customer's name)
_UNREACHABLE_SAID: dict[Locale, dict[str, tuple[str, str, str, str, str]]] = {
    "pt-BR": {
        "bounced": (
            "Cliente sem contato válido",
            "atualize o e-mail de {customer} ({account_id})",
            "Com o e-mail corrigido no cadastro, os avisos voltam a ir por e-mail.",
            "Aviso devolvido",
            "sem contato valido: atualize o e-mail",
        ),
        "complained": (
            "Cliente marcou um aviso como spam",
            "confirme com {customer} ({account_id}) por onde quer receber os avisos",
            "Com outro e-mail no cadastro, os avisos voltam a ir por e-mail.",
            "Aviso marcado como spam",
            "marcou um aviso como spam: confirme por onde avisar",
        ),
    },
    "es": {
        "bounced": (
            "Cliente sin contacto válido",
            "actualice el correo de {customer} ({account_id})",
            "Con el correo corregido en la ficha del cliente, los avisos vuelven a ir por correo.",
            "Aviso devuelto",
            "sin contacto valido: actualice el correo",
        ),
        "complained": (
            "El cliente marcó un aviso como spam",
            "confirme con {customer} ({account_id}) por dónde quiere recibir los avisos",
            "Con otro correo en la ficha del cliente, los avisos vuelven a ir por correo.",
            "Aviso marcado como spam",
            "marco un aviso como spam: confirme por donde avisar",
        ),
    },
    "en": {
        "bounced": (
            "Customer has no valid contact",
            "update the e-mail address of {customer} ({account_id})",
            "Once the address is corrected on the customer's record, notices go by e-mail again.",
            "Returned notice",
            "has no valid contact: update the e-mail",
        ),
        "complained": (
            "Customer marked a notice as spam",
            "ask {customer} ({account_id}) how they want to receive notices",
            "With another address on the customer's record, notices go by e-mail again.",
            "Notice marked as spam",
            "marked a notice as spam: ask how to reach them",
        ),
    },
}


def _unreachable(notification: Notification, fmt: Formatter) -> dict[str, str]:
    body = notification.body
    assert isinstance(body, CustomerUnreachable)
    reasons = _UNREACHABLE_WHY[fmt.locale]
    why = reasons[body.reason]
    if body.reason == "bounced" and body.bounce_subtype in reasons:
        why = reasons[body.bounce_subtype]
    customer = body.customer_name or NOT_GIVEN[fmt.locale]
    headline, action, then, returned, by_sms = _UNREACHABLE_SAID[fmt.locale][body.reason]
    return {
        "customer": customer,
        "headline": headline,
        "action": action.format(customer=customer, account_id=notification.account_id),
        "then": then,
        "returned": returned,
        # A bounce's SMS says why; a complaint's headline already does.
        "by_sms": f"{by_sms}. {why[:1].upper()}{why[1:]}." if body.reason == "bounced" else f"{by_sms}.",
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
                subject="{headline}: {customer}",
                email="{headline}: {action}.\n\n"
                "Motivo: {why} ({when}).\n"
                "Os próximos avisos não irão para esse endereço; seguem por SMS quando o cliente tem celular. "
                "{then}\n\n"
                "{returned}: {notice}\n",
                sms="Ponte: {customer} {by_sms}",
            ),
            "es": Texts(
                subject="{headline}: {customer}",
                email="{headline}: {action}.\n\n"
                "Motivo: {why} ({when}).\n"
                "Los próximos avisos no irán a esa dirección; siguen por SMS cuando el cliente tiene móvil. "
                "{then}\n\n"
                "{returned}: {notice}\n",
                sms="Ponte: {customer} {by_sms}",
            ),
            "en": Texts(
                subject="{headline}: {customer}",
                email="{headline}: {action}.\n\n"
                "Reason: {why} ({when}).\n"
                "The next notices will not go to that address; they go by SMS when the customer has a mobile number. "
                "{then}\n\n"
                "{returned}: {notice}\n",
                sms="Ponte: {customer} {by_sms}",
            ),
        },
    ),
}
