"""Asaas webhooks: the access-token check and the payment and subscription events Ponte acts on.

Asaas signs nothing: it sends the token chosen when the webhook was set up in the `asaas-access-token` header
(docs.asaas.com/docs/receba-eventos-do-asaas-no-seu-endpoint-de-webhook). The token has no timestamp, so a
captured request could be replayed; the dedup on the event `id` makes a replay change nothing.

Whoever holds the token can post any body, so a payment event is acted on only as Asaas's API tells the payment
(`payment_notification`, then `normalise_payment` on what `GET /v3/payments/{id}` answers): of the body Ponte reads
the event's id (the dedup key), its type, its time (kept only within the day the API gives) and the payment's id;
the amount, status, customer, references and dates are the API's. A delivery the API does not bear out is
`Unconfirmed`. Subscription events, which move no money and change no account's standing (they tell sales), are
read as sent (`normalise`, which also reads a payment event as sent: the mapping both share).

Amounts are decimal reais; times are Brasília time without an offset, and dates come as `2024-10-16` or as
`16/10/2024` depending on the object.

A payment names its customer only by id (`cus_...`): `enrich` completes the events' customer from the customer as
`GET /v3/customers/{id}` gives it (`ponte.adapters.asaas_api` fetches both).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
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
    Payload,
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
# Checked before a payment id reaches the API's URL: Asaas's are `pay_` and letters and digits, and the id is also
# the invoice's (`InvoiceId`, at most 100 characters).
_PAYMENT_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")

_METHODS = {
    "CREDIT_CARD": PaymentMethod.CARD,
    "DEBIT_CARD": PaymentMethod.CARD,
    "PIX": PaymentMethod.PIX,
    "BOLETO": PaymentMethod.BOLETO,
    "TRANSFER": PaymentMethod.BANK_TRANSFER,
    "DEPOSIT": PaymentMethod.BANK_TRANSFER,
}

# A payment's `status` as GET /v3/payments/{id} gives it (docs.asaas.com/reference/recuperar-uma-unica-cobranca).
_WAITING = frozenset({"PENDING", "AWAITING_RISK_ANALYSIS"})  # not paid, and not overdue
_PAID = frozenset({"CONFIRMED", "RECEIVED", "RECEIVED_IN_CASH", "DUNNING_RECEIVED"})
_CHARGED_BACK = frozenset({"CHARGEBACK_REQUESTED", "CHARGEBACK_DISPUTE", "AWAITING_CHARGEBACK_REVERSAL"})
# Only a paid payment becomes one of these: a payment refunded or charged back since was paid all the same.
_WAS_PAID = _PAID | _CHARGED_BACK | {"REFUND_REQUESTED", "REFUND_IN_PROGRESS", "REFUNDED"}
_STATUSES = _WAITING | _WAS_PAID | {"OVERDUE", "DUNNING_REQUESTED"}
# The `chargeback.status` of a payment, same source.
_CHARGEBACK_STATUSES = frozenset({"REQUESTED", "IN_DISPUTE", "DISPUTE_LOST", "REVERSED", "DONE"})


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
    # `equal` is hmac.compare_digest: the time taken does not tell how much of a token was right.
    if not any(equal(token, given) for token in tokens):
        raise SignatureError("asaas-access-token does not match")


class _Model(Payload):
    model_config = ConfigDict(alias_generator=to_camel)


class _Chargeback(_Model):
    status: str | None = None
    reason: str | None = None
    dispute_start_date: str | None = None  # the day the chargeback was opened


class _Refund(_Model):
    status: str | None = None  # PENDING, CANCELLED or DONE
    date_created: str | None = None  # a moment: "2022-02-21 10:28:40"


class _Payment(_Model):
    id: str
    customer: str
    value: ExactDecimal
    status: str | None = None
    deleted: bool | None = None
    billing_type: str | None = None
    description: str | None = None
    external_reference: str | None = None
    invoice_number: str | None = None
    date_created: str | None = None  # the day the charge was created
    due_date: str | None = None
    confirmed_date: str | None = None  # the day a card payment was confirmed
    payment_date: str | None = None  # the day Asaas settled it
    client_payment_date: str | None = None  # the day the customer paid
    chargeback: _Chargeback | None = None
    refunds: list[_Refund] | None = None
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


class _NotifiedPayment(_Model):
    id: str


class _Notification(_Model):
    id: str
    event: str
    date_created: str
    payment: _NotifiedPayment


@dataclass(frozen=True)
class _Delivery:
    """An event to map: its id, type and moment, and the payment or subscription it is about."""

    event_id: str
    kind: str
    occurred_at: datetime
    payment: _Payment | None = None
    subscription: _Subscription | None = None


def normalise(
    body: bytes,
    *,
    headers: Mapping[str, str] | None = None,
    time_zone: str = DEFAULT_TIME_ZONE,
) -> list[DomainEvent]:
    """The events an Asaas delivery stands for, as its body says. Asaas's due dates are already dates and its body
    says everything, so neither `time_zone` nor `headers` is read.

    Ponte's webhook reads subscription events so; a payment event it acts on only as `normalise_payment` confirms
    it with Asaas's API.
    """
    data = load_json(body)
    kind = validate(_EventType, data, "Asaas event").event
    handler = _HANDLERS.get(kind)
    if handler is None:
        return []
    envelope = validate(_Envelope, data, f"Asaas {kind}")
    told_at = _moment(envelope.date_created)
    delivery = _Delivery(envelope.id, kind, told_at, envelope.payment, envelope.subscription)
    with refusing(f"Asaas {kind}"):
        event = handler(delivery)
    return [event] if event is not None else []


@dataclass(frozen=True)
class PaymentNotification:
    """What Ponte takes from the body of an Asaas payment event; everything else is the payment Asaas's API gives."""

    event_id: str  # the dedup key
    kind: str  # PAYMENT_RECEIVED, ...
    told_at: datetime  # the body's `dateCreated`, kept only within the day the API gives
    payment_id: str


class Unconfirmed(PonteError):
    """Asaas's API does not bear out a payment delivery: Asaas has no such payment, or not in the state the event
    reports. Nothing is to be done with it. The message names the event type and what Asaas says, in Asaas's
    documented words only: never a value the sender chose."""


def payment_notification(body: bytes) -> PaymentNotification | None:
    """The payment event a delivery announces, or None when it is not one of the payment events Ponte acts on
    (read those with `normalise`). Raises PayloadError when the body is not what Asaas sends."""
    data = load_json(body)
    kind = validate(_EventType, data, "Asaas event").event
    if kind not in _CONFIRMATIONS:
        return None
    notification = validate(_Notification, data, f"Asaas {kind}")
    if not _PAYMENT_ID.fullmatch(notification.payment.id):
        raise PayloadError(f"Asaas {kind}: payment.id: an Asaas payment id is 1 to 100 letters, digits, _ or -")
    return PaymentNotification(
        event_id=notification.id,
        kind=kind,
        told_at=_moment(notification.date_created),
        payment_id=notification.payment.id,
    )


def normalise_payment(
    notification: PaymentNotification, payment: Mapping[str, Any] | None, *, received_at: datetime
) -> list[DomainEvent]:
    """The events `notification` stands for as Asaas's API confirms them, from `payment` as `GET /v3/payments/{id}`
    gives it (None: Asaas has no such payment); `received_at` is when Ponte received the delivery.

    Raises Unconfirmed when the API does not show what the event reports (a payment received that Asaas says is
    pending, a refund of a payment it says is received, a payment it does not have or deleted), and PayloadError
    when the payment is not what Asaas documents. Parse the API's answer with `json.loads(..., parse_float=Decimal)`.
    """
    kind = notification.kind
    if payment is None:
        raise Unconfirmed(f"{kind}: Asaas has no such payment")
    read = validate(_Payment, payment, f"Asaas {kind}: the payment from Asaas's API")
    confirmation = _CONFIRMATIONS[kind]
    if read.deleted:
        raise Unconfirmed(f"{kind}: Asaas says the payment was deleted")
    if not confirmation.shows(read):
        raise Unconfirmed(f"{kind}: Asaas says the payment is {_as_asaas_says(read)}")
    occurred_at = _confirmed_moment(confirmation.when(read), notification.told_at, read, received_at)
    delivery = _Delivery(notification.event_id, kind, occurred_at, payment=read)
    with refusing(f"Asaas {kind}"):
        event = _HANDLERS[kind](delivery)
    return [event] if event is not None else []


def _payment(delivery: _Delivery) -> _Payment:
    if delivery.payment is None:
        raise PayloadError(f"Asaas {delivery.kind}: payment: Field required")
    return delivery.payment


def _subscription(delivery: _Delivery) -> _Subscription:
    if delivery.subscription is None:
        raise PayloadError(f"Asaas {delivery.kind}: subscription: Field required")
    return delivery.subscription


def _payment_facts(delivery: _Delivery) -> dict[str, Any]:
    payment = _payment(delivery)
    return {
        "provider": PROVIDER,
        "event_id": delivery.event_id,
        "occurred_at": delivery.occurred_at,
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


def _created(delivery: _Delivery) -> DomainEvent:
    return InvoiceIssued(**_payment_facts(delivery), due_date=_day(_payment(delivery).due_date))


def _received(delivery: _Delivery) -> DomainEvent:
    return PaymentReceived(**_payment_facts(delivery))


def _failed(delivery: _Delivery) -> DomainEvent:
    return PaymentFailed(**_payment_facts(delivery), reason=delivery.kind)


def _overdue(delivery: _Delivery) -> DomainEvent:
    return InvoiceOverdue(**_payment_facts(delivery), due_date=_day(_payment(delivery).due_date))


def _refunded(delivery: _Delivery) -> DomainEvent:
    return RefundIssued(**_payment_facts(delivery))


def _chargeback_requested(delivery: _Delivery) -> DomainEvent:
    chargeback = _payment(delivery).chargeback or _Chargeback()
    return ChargebackOpened(**_payment_facts(delivery), reason=fit_text(chargeback.reason, MAX_TEXT))


def _chargeback_dispute(delivery: _Delivery) -> DomainEvent | None:
    """The business contested the chargeback; it stays open unless the payment says the dispute was lost."""
    chargeback = _payment(delivery).chargeback or _Chargeback()
    if chargeback.status != "DISPUTE_LOST":
        return None
    return ChargebackClosed(**_payment_facts(delivery), outcome="lost")


def _chargeback_won(delivery: _Delivery) -> DomainEvent:
    # PAYMENT_AWAITING_CHARGEBACK_REVERSAL: "dispute won, waiting for transfer from the acquirer".
    return ChargebackClosed(**_payment_facts(delivery), outcome="won")


def _subscription_facts(delivery: _Delivery) -> dict[str, Any]:
    subscription = _subscription(delivery)
    return {
        "provider": PROVIDER,
        "event_id": delivery.event_id,
        "occurred_at": delivery.occurred_at,
        "customer": customer(id=subscription.customer, reference=subscription.external_reference),
        "subscription_id": subscription.id,
        "plan": fit_text(subscription.description, MAX_TEXT),
    }


def _subscription_changed(delivery: _Delivery) -> DomainEvent:
    subscription = _subscription(delivery)
    return SubscriptionChanged(
        **_subscription_facts(delivery),
        started=delivery.kind == "SUBSCRIPTION_CREATED",
        status=fit_text(subscription.status, MAX_WORD),
        amount=money(subscription.value, CURRENCY, "subscription.value"),
    )


def _subscription_cancelled(delivery: _Delivery) -> DomainEvent:
    return SubscriptionCancelled(**_subscription_facts(delivery), reason=delivery.kind)


# docs.asaas.com/docs/payment-events and docs.asaas.com/docs/eventos-para-assinaturas
_HANDLERS: dict[str, Callable[[_Delivery], DomainEvent | None]] = {
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


# --- what Asaas's API must show of the payment for Ponte to act on each payment event, and when it happened ---


def _exists(payment: _Payment) -> bool:
    return True


def _was_paid(payment: _Payment) -> bool:
    return payment.status in _WAS_PAID


def _was_overdue(payment: _Payment) -> bool:
    # Asaas turns a PENDING payment OVERDUE the day after it falls due; what comes after (paid late, sent to
    # collection) was overdue all the same.
    return payment.status is not None and payment.status not in _WAITING


def _is_refunded(payment: _Payment) -> bool:
    return payment.status == "REFUNDED"


def _is_charged_back(payment: _Payment) -> bool:
    return payment.status in _CHARGED_BACK or payment.chargeback is not None


def _chargeback_reversed(payment: _Payment) -> bool:
    reversed_ = payment.chargeback is not None and payment.chargeback.status == "REVERSED"
    return payment.status == "AWAITING_CHARGEBACK_REVERSAL" or reversed_


def _no_time(payment: _Payment) -> None:
    return None


def _created_on(payment: _Payment) -> date | None:
    return _day(payment.date_created, "payment.dateCreated")


def _paid_on(payment: _Payment) -> date | None:
    """The day the customer paid (what late fees count to), else the day Asaas confirmed or settled it."""
    for name in ("client_payment_date", "confirmed_date", "payment_date"):
        text = getattr(payment, name)
        if text:
            return _day(text, f"payment.{to_camel(name)}")
    return None


def _refunded_at(payment: _Payment) -> datetime | None:
    done = [refund.date_created for refund in payment.refunds or () if refund.status == "DONE" and refund.date_created]
    return max((_moment(text) for text in done), default=None)


def _charged_back_on(payment: _Payment) -> date | None:
    return _day(payment.chargeback.dispute_start_date, "chargeback.disputeStartDate") if payment.chargeback else None


@dataclass(frozen=True)
class _Confirmation:
    shows: Callable[[_Payment], bool]  # whether the API's payment shows what the event reports
    when: Callable[[_Payment], date | datetime | None] = _no_time  # when the API says it happened, if it says


# A capture refused or a risk analysis failed leaves no trace in a payment's status: such an event is confirmed by
# the payment's existence, and it moves no money (finance is told).
_CONFIRMATIONS: dict[str, _Confirmation] = {
    "PAYMENT_CREATED": _Confirmation(_exists, _created_on),
    "PAYMENT_CONFIRMED": _Confirmation(_was_paid, _paid_on),
    "PAYMENT_RECEIVED": _Confirmation(_was_paid, _paid_on),
    "PAYMENT_CREDIT_CARD_CAPTURE_REFUSED": _Confirmation(_exists),
    "PAYMENT_REPROVED_BY_RISK_ANALYSIS": _Confirmation(_exists),
    # An invoice's issue date is its moment's (`ponte.services.payments`): the day the charge was created.
    "PAYMENT_OVERDUE": _Confirmation(_was_overdue, _created_on),
    "PAYMENT_REFUNDED": _Confirmation(_is_refunded, _refunded_at),
    "PAYMENT_CHARGEBACK_REQUESTED": _Confirmation(_is_charged_back, _charged_back_on),
    # Whether the dispute was lost is the API's `chargeback.status` too (`_chargeback_dispute`).
    "PAYMENT_CHARGEBACK_DISPUTE": _Confirmation(_is_charged_back),
    "PAYMENT_AWAITING_CHARGEBACK_REVERSAL": _Confirmation(_chargeback_reversed),
}


def _confirmed_moment(
    said: date | datetime | None, told: datetime, payment: _Payment, received_at: datetime
) -> datetime:
    """When the event happened, as far as Asaas's API bears it out (late fees count to the day a payment was made,
    and the newest chargeback report wins, so a sender must not choose it).

    A moment the API gives is taken as it is. A day it gives (most of its dates have no time) keeps the delivery's
    time when that falls on the day, else starts the day. Without either, the delivery's time, never later than
    Ponte received it nor earlier than the day the payment was created.
    """
    if isinstance(said, datetime):
        return said
    if isinstance(said, date):
        return told if told.astimezone(BRASILIA).date() == said else datetime.combine(said, time(), BRASILIA)
    moment = min(told, received_at)
    created = _created_on(payment)
    return max(moment, datetime.combine(created, time(), BRASILIA)) if created else moment


def _as_asaas_says(payment: _Payment) -> str:
    """The payment's status and chargeback status in Asaas's documented words (any other text, which a log line
    must not carry, is named as such)."""
    status = payment.status if payment.status in _STATUSES else "in no documented status"
    if payment.chargeback is None:
        return status
    chargeback = payment.chargeback.status
    return f"{status}, chargeback {chargeback if chargeback in _CHARGEBACK_STATUSES else 'in no documented status'}"


def _moment(text: str) -> datetime:
    for layout in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M:%S"):
        try:
            return datetime.strptime(text, layout).replace(tzinfo=BRASILIA)
        except ValueError:
            continue
    raise PayloadError("Asaas dateCreated: not a date and time")


def _day(text: str | None, field: str = "dueDate") -> date | None:
    if text is None:
        return None
    try:
        if "/" in text:
            day, month, year = text.split("/")
            return date(int(year), int(month), int(day))
        return date.fromisoformat(text)
    except ValueError:
        raise PayloadError(f"Asaas {field}: not a date") from None


class AsaasApiError(PonteError):
    """Asaas did not give the customer or the payment asked for. `status` is the HTTP status of its answer, None
    when there was none.

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

    model_config = ConfigDict(
        alias_generator=to_camel, validate_by_name=True, validate_by_alias=True, frozen=True, defer_build=True
    )

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
