"""Asaas webhooks: the access-token check and the payment and subscription events Ponte acts on.

Asaas signs nothing: it sends the token chosen when the webhook was set up in the `asaas-access-token` header
(docs.asaas.com/docs/receba-eventos-do-asaas-no-seu-endpoint-de-webhook). The token has no timestamp, so a
captured request could be replayed; the dedup on the event `id` makes a replay change nothing.

Amounts are decimal reais; times are Brasília time without an offset, and dates come as `2024-10-16` or as
`16/10/2024` depending on the object.

A payment's webhook names its customer only by id (`cus_...`): `enrich` completes the events' customer from the
customer as `GET /v3/customers/{id}` gives it (`ponte.adapters.asaas_api` fetches it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from ponte.domain.errors import PonteError
from ponte.domain.events import (
    MAX_TEXT,
    MAX_WORD,
    ChargebackClosed,
    ChargebackOpened,
    CustomerRef,
    DomainEvent,
    InvoiceIssued,
    InvoiceOverdue,
    PaymentFailed,
    PaymentMethod,
    PaymentReceived,
    RefundIssued,
    SubscriptionCancelled,
    SubscriptionChanged,
)
from ponte.domain.phones import InvalidPhone, to_e164
from ponte.providers.base import (
    DEFAULT_TIME_ZONE,
    ExactDecimal,
    PayloadError,
    SignatureError,
    customer,
    equal,
    fit_text,
    header,
    load_json,
    money,
    payment_url,
    refusing,
    sale_links,
    usable_secrets,
    validate,
)

PROVIDER = "asaas"
CURRENCY = "BRL"  # Asaas charges in reais only
# Brasília time; Brazil has had no daylight saving time since 2019 (Decree 9,772/2019).
BRASILIA = timezone(timedelta(hours=-3))

_METHODS = {
    "CREDIT_CARD": PaymentMethod.CARD,
    "DEBIT_CARD": PaymentMethod.CARD,
    "PIX": PaymentMethod.PIX,
    "BOLETO": PaymentMethod.BOLETO,
    "TRANSFER": PaymentMethod.BANK_TRANSFER,
    "DEPOSIT": PaymentMethod.BANK_TRANSFER,
}


def verify(
    headers: Mapping[str, str],
    body: bytes,
    secrets: Sequence[str],
    now: datetime,
    query: Mapping[str, str] | None = None,
) -> None:
    tokens = usable_secrets(secrets)
    given = header(headers, "asaas-access-token")
    if not given:
        raise SignatureError("missing asaas-access-token header")
    if not any(equal(token, given) for token in tokens):
        raise SignatureError("asaas-access-token does not match")


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel)


class _Chargeback(_Model):
    status: str | None = None
    reason: str | None = None


class _Payment(_Model):
    id: str
    customer: str
    value: ExactDecimal
    billing_type: str | None = None
    description: str | None = None
    external_reference: str | None = None
    invoice_number: str | None = None
    due_date: str | None = None
    chargeback: _Chargeback | None = None
    nosso_numero: str | None = None  # the boleto's number at the bank
    identification_field: str | None = None  # the boleto's digitable line
    invoice_url: str | None = None  # the charge's page, where the customer pays
    bank_slip_url: str | None = None  # the boleto's PDF


class _Subscription(_Model):
    id: str
    customer: str
    value: ExactDecimal
    status: str | None = None
    description: str | None = None
    external_reference: str | None = None


class _Envelope(_Model):
    id: str
    event: str
    date_created: str
    payment: _Payment | None = None
    subscription: _Subscription | None = None


class _EventType(_Model):
    event: str


def normalise(
    body: bytes,
    *,
    headers: Mapping[str, str] | None = None,
    time_zone: str = DEFAULT_TIME_ZONE,
) -> list[DomainEvent]:
    """The events an Asaas webhook stands for. Asaas's due dates are already dates and its body says everything, so
    neither `time_zone` nor `headers` is read."""
    data = load_json(body)
    kind = validate(_EventType, data, "Asaas event").event
    handler = _HANDLERS.get(kind)
    if handler is None:
        return []
    envelope = validate(_Envelope, data, f"Asaas {kind}")
    with refusing(f"Asaas {kind}"):
        event = handler(envelope)
    return [event] if event is not None else []


def _payment(envelope: _Envelope) -> _Payment:
    if envelope.payment is None:
        raise PayloadError(f"Asaas {envelope.event}: payment: Field required")
    return envelope.payment


def _subscription(envelope: _Envelope) -> _Subscription:
    if envelope.subscription is None:
        raise PayloadError(f"Asaas {envelope.event}: subscription: Field required")
    return envelope.subscription


def _payment_facts(envelope: _Envelope) -> dict[str, Any]:
    payment = _payment(envelope)
    return {
        "provider": PROVIDER,
        "event_id": envelope.id,
        "occurred_at": _moment(envelope.date_created),
        "customer": customer(id=payment.customer, reference=payment.external_reference),
        "amount": money(payment.value, CURRENCY, "payment.value"),
        "payment_method": _METHODS.get(payment.billing_type or ""),
        "payment_id": payment.id,
        # An Asaas charge ("cobrança") is what the customer sees as the invoice; invoiceNumber is its number.
        "invoice_id": payment.id,
        "invoice_number": payment.invoice_number,
        "description": fit_text(payment.description, MAX_TEXT),
        "links": sale_links(
            reference=payment.external_reference,
            invoice_number=payment.invoice_number,
            bank_slip=payment.nosso_numero or payment.identification_field,
        ),
        "payment_url": payment_url(payment.invoice_url, payment.bank_slip_url),
    }


def _created(envelope: _Envelope) -> DomainEvent:
    return InvoiceIssued(**_payment_facts(envelope), due_date=_day(_payment(envelope).due_date))


def _received(envelope: _Envelope) -> DomainEvent:
    return PaymentReceived(**_payment_facts(envelope))


def _failed(envelope: _Envelope) -> DomainEvent:
    return PaymentFailed(**_payment_facts(envelope), reason=envelope.event)


def _overdue(envelope: _Envelope) -> DomainEvent:
    return InvoiceOverdue(**_payment_facts(envelope), due_date=_day(_payment(envelope).due_date))


def _refunded(envelope: _Envelope) -> DomainEvent:
    return RefundIssued(**_payment_facts(envelope))


def _chargeback_requested(envelope: _Envelope) -> DomainEvent:
    chargeback = _payment(envelope).chargeback or _Chargeback()
    return ChargebackOpened(**_payment_facts(envelope), reason=fit_text(chargeback.reason, MAX_TEXT))


def _chargeback_dispute(envelope: _Envelope) -> DomainEvent | None:
    """The business contested the chargeback; it stays open unless the payment says the dispute was lost."""
    chargeback = _payment(envelope).chargeback or _Chargeback()
    if chargeback.status != "DISPUTE_LOST":
        return None
    return ChargebackClosed(**_payment_facts(envelope), outcome="lost")


def _chargeback_won(envelope: _Envelope) -> DomainEvent:
    # PAYMENT_AWAITING_CHARGEBACK_REVERSAL: "dispute won, waiting for transfer from the acquirer".
    return ChargebackClosed(**_payment_facts(envelope), outcome="won")


def _subscription_facts(envelope: _Envelope) -> dict[str, Any]:
    subscription = _subscription(envelope)
    return {
        "provider": PROVIDER,
        "event_id": envelope.id,
        "occurred_at": _moment(envelope.date_created),
        "customer": customer(id=subscription.customer, reference=subscription.external_reference),
        "subscription_id": subscription.id,
        "plan": fit_text(subscription.description, MAX_TEXT),
    }


def _subscription_changed(envelope: _Envelope) -> DomainEvent:
    subscription = _subscription(envelope)
    return SubscriptionChanged(
        **_subscription_facts(envelope),
        started=envelope.event == "SUBSCRIPTION_CREATED",
        status=fit_text(subscription.status, MAX_WORD),
        amount=money(subscription.value, CURRENCY, "subscription.value"),
    )


def _subscription_cancelled(envelope: _Envelope) -> DomainEvent:
    return SubscriptionCancelled(**_subscription_facts(envelope), reason=envelope.event)


# docs.asaas.com/docs/payment-events and docs.asaas.com/docs/eventos-para-assinaturas
_HANDLERS: dict[str, Callable[[_Envelope], DomainEvent | None]] = {
    "PAYMENT_CREATED": _created,
    # CONFIRMED: paid, money not yet available (cards); RECEIVED: money received. A card payment sends both,
    # with the same payment_id.
    "PAYMENT_CONFIRMED": _received,
    "PAYMENT_RECEIVED": _received,
    "PAYMENT_CREDIT_CARD_CAPTURE_REFUSED": _failed,
    "PAYMENT_REPROVED_BY_RISK_ANALYSIS": _failed,
    "PAYMENT_OVERDUE": _overdue,
    "PAYMENT_REFUNDED": _refunded,
    "PAYMENT_CHARGEBACK_REQUESTED": _chargeback_requested,
    "PAYMENT_CHARGEBACK_DISPUTE": _chargeback_dispute,
    "PAYMENT_AWAITING_CHARGEBACK_REVERSAL": _chargeback_won,
    "SUBSCRIPTION_CREATED": _subscription_changed,
    "SUBSCRIPTION_UPDATED": _subscription_changed,
    "SUBSCRIPTION_DELETED": _subscription_cancelled,
    "SUBSCRIPTION_INACTIVATED": _subscription_cancelled,
}


def _moment(text: str) -> datetime:
    for layout in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M:%S"):
        try:
            return datetime.strptime(text, layout).replace(tzinfo=BRASILIA)
        except ValueError:
            continue
    raise PayloadError("Asaas dateCreated: not a date and time")


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        if "/" in text:
            day, month, year = text.split("/")
            return date(int(year), int(month), int(day))
        return date.fromisoformat(text)
    except ValueError:
        raise PayloadError("Asaas dueDate: not a date") from None


class AsaasApiError(PonteError):
    """Asaas did not give the customer. `status` is the HTTP status of its answer, None when there was none.

    The message names the status or the failure, never the API key.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AsaasAuthError(AsaasApiError):
    """Asaas refused the API key (401, 403): the key is wrong, revoked or from the other environment."""


class AsaasUnavailable(AsaasApiError):
    """Asaas failed, throttled or did not answer in time (5xx, 429, a timeout, a dropped connection): asking again
    later may work."""


class AsaasCustomer(BaseModel):
    """An Asaas customer as `GET /v3/customers/{id}` gives it: what completes an event's customer."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, validate_by_alias=True, frozen=True)

    id: str
    name: str | None = None
    email: str | None = None
    mobile_phone: str | None = None
    phone: str | None = None
    cpf_cnpj: str | None = None
    external_reference: str | None = None  # the business's own id for the customer


def customer_to_fetch(events: Sequence[DomainEvent]) -> str | None:
    """The id of the Asaas customer `events` name without saying who they are (name, e-mail, phone, tax id), else
    None: the one to fetch before `enrich`."""
    incomplete = (
        event.customer.id
        for event in events
        if event.provider == PROVIDER
        and event.customer.id
        and not (event.customer.name and event.customer.email and event.customer.phone and event.customer.tax_id)
    )
    return next(incomplete, None)


def enrich(events: Sequence[DomainEvent], found: AsaasCustomer | None) -> list[DomainEvent]:
    """`events` with their customer completed from `found` where the webhook left a field out; what the webhook
    said wins. Events about another customer, and every event when `found` is None (Asaas has no such
    customer), come back unchanged.

    The phone is the mobile one when there is one (it takes SMS), in E.164 when it is a Brazilian number; the
    customer's `externalReference` becomes the reference only when the webhook gave none.
    """
    if found is None:
        return list(events)
    return [_completed(event, found) if event.customer.id == found.id else event for event in events]


def _completed(event: DomainEvent, found: AsaasCustomer) -> DomainEvent:
    given = event.customer
    # What Asaas's API adds only completes the customer: a value of it out of bounds is left out, never a refusal.
    known = CustomerRef.model_validate(
        customer(
            lenient=("reference", "email", "tax_id"),
            id=given.id,
            reference=given.reference or _text(found.external_reference),
            name=given.name or _text(found.name),
            email=given.email or _text(found.email),
            phone=given.phone or brazilian_phone(found.mobile_phone or found.phone),
            tax_id=given.tax_id or _text(found.cpf_cnpj),
        )
    )
    return event.model_copy(update={"customer": known})


def brazilian_phone(text: str | None) -> str | None:
    """A phone number in E.164 (`+5511987654321`), one without its country code read as Brazilian
    (`ponte.domain.phones`); None for nothing, and for a number that cannot be read: an event's customer carries
    E.164 only."""
    try:
        return to_e164(text or "", "BR")
    except InvalidPhone:
        return None


def _text(value: str | None) -> str | None:
    return (value.strip() or None) if value else None
