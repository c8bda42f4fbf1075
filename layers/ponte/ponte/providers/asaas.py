"""Asaas webhooks: the access-token check and the payment and subscription events Ponte acts on.

Asaas signs nothing: it sends the token chosen when the webhook was set up in the `asaas-access-token` header
(docs.asaas.com/docs/receba-eventos-do-asaas-no-seu-endpoint-de-webhook). The token has no timestamp, so a
captured request could be replayed; the dedup on the event `id` makes a replay change nothing.

Amounts are decimal reais; times are Brasília time without an offset, and dates come as `2024-10-16` or as
`16/10/2024` depending on the object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from ponte.domain.events import (
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
from ponte.providers.base import (
    ExactDecimal,
    PayloadError,
    SignatureError,
    equal,
    header,
    load_json,
    money,
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


def normalise(body: bytes) -> list[DomainEvent]:
    data = load_json(body)
    kind = validate(_EventType, data, "Asaas event").event
    handler = _HANDLERS.get(kind)
    if handler is None:
        return []
    envelope = validate(_Envelope, data, f"Asaas {kind}")
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
        "customer": CustomerRef(id=payment.customer, reference=payment.external_reference),
        "amount": money(payment.value, CURRENCY),
        "payment_method": _METHODS.get(payment.billing_type or ""),
        "payment_id": payment.id,
        # An Asaas charge ("cobrança") is what the customer sees as the invoice; invoiceNumber is its number.
        "invoice_id": payment.id,
        "invoice_number": payment.invoice_number,
        "description": payment.description,
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
    return ChargebackOpened(**_payment_facts(envelope), reason=chargeback.reason)


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
        "customer": CustomerRef(id=subscription.customer, reference=subscription.external_reference),
        "subscription_id": subscription.id,
        "plan": subscription.description,
    }


def _subscription_changed(envelope: _Envelope) -> DomainEvent:
    subscription = _subscription(envelope)
    return SubscriptionChanged(
        **_subscription_facts(envelope),
        status=subscription.status,
        amount=money(subscription.value, CURRENCY),
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
    raise PayloadError(f"Asaas dateCreated {text!r} is not a date and time")


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        if "/" in text:
            day, month, year = text.split("/")
            return date(int(year), int(month), int(day))
        return date.fromisoformat(text)
    except ValueError:
        raise PayloadError(f"Asaas dueDate {text!r} is not a date") from None
