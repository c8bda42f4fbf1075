"""Stripe webhooks: `Stripe-Signature` verification and the events Ponte acts on.

Signature (docs.stripe.com/webhooks#verify-manually): `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...]`, where
v1 is HMAC-SHA256 over `"{t}.{raw body}"` keyed with the whole `whsec_...` string. Only `v1` entries count and any
one may match (Stripe signs with both secrets while one is being rolled).

Stripe sends one payment under several event types (a subscription's first payment arrives as
checkout.session.completed, invoice.paid and payment_intent.succeeded); every one of them carries the
`payment_id` of the payment intent when Stripe gives it, so that the caller can see they are one payment. A refund
or a dispute carries the same `payment_id` (the payment intent's, else the charge's): neither names the customer,
so the payment already recorded is what leads to the account.

From API version 2025-03-31 an invoice no longer names the payment intent that paid it (nor lists its `payments`
unless the endpoint expands them), and a payment intent no longer names its invoice. An invoice.paid that names no
payment, like a subscription's checkout session (which names its invoice and, in every version, no payment intent),
is then an `InvoiceSettled`: the invoice reported paid, which pays that invoice only while no payment is tied to it
(`ponte.domain.ledger`), never a second payment beside payment_intent.succeeded's. `invoice_payment.paid` (an
InvoicePayment, which names the invoice and the payment intent, else the charge, and no customer) ties them: a
`PaymentApplied`, which leads to the account through the payment or the invoice already recorded, and is refused
(409, for Stripe to deliver it again) while neither is. An endpoint not subscribed to it still counts a payment
once when it is the invoice's one payment: payment_intent.succeeded's payment, naming no invoice, pays the one open
invoice of its amount (among several, one Stripe reported paid), as any payment naming none does. An invoice paid
in several payments, none of its amount, is not told apart without it: invoice.paid pays the invoice, and its
payments are left as the customer's credit. Without payment_intent.succeeded either, invoice.paid alone pays the
invoice, and no payment is recorded under the payment intent's id.

The business ties a payment to its own invoice through metadata on the checkout session, invoice, payment intent
or charge: `invoice_number` (with `invoice_series` or `serie`), `nfe` (an NF-e access key, or else its number) and
`reference`, `order` or `external_reference`.

The customer's phone (checkout `customer_details.phone`, the invoice's `customer_phone`, the charge's
`billing_details.phone`, the customer's `phone`) is kept in E.164, a number without its country code read as one of
the country of the address beside it (`address.country`, else Brazil); one that cannot be read is left out and the
event still applies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from ponte.domain.accounts import locale_from
from ponte.domain.events import (
    MAX_TEXT,
    MAX_WORD,
    ChargebackClosed,
    ChargebackOpened,
    CustomerCreated,
    DomainEvent,
    InvoiceIssued,
    InvoiceOverdue,
    InvoiceSettled,
    Moment,
    PaymentApplied,
    PaymentFailed,
    PaymentMethod,
    PaymentReceived,
    RefundIssued,
    SaleLinks,
    SubscriptionCancelled,
    SubscriptionChanged,
)
from ponte.domain.money import Money, minor_unit_exponent
from ponte.domain.phones import InvalidPhone, to_e164
from ponte.providers.base import (
    DEFAULT_TIME_ZONE,
    TIMESTAMP,
    Integer,
    Payload,
    PayloadError,
    SignatureError,
    access_key,
    check_timestamp,
    customer,
    equal,
    fit_text,
    header,
    hmac_sha256,
    load_json,
    money,
    payment_url,
    refusing,
    sale_links,
    unix_time,
    usable_secrets,
    validate,
)

PROVIDER = "stripe"
TOLERANCE = timedelta(seconds=300)  # the default of Stripe's own libraries

# Where Stripe's minor unit is not ISO 4217's (docs.stripe.com/currencies#special-cases): ISK stays two-decimal in
# the API (100 = 1 króna); MGA is zero-decimal at Stripe.
_STRIPE_EXPONENTS = {"ISK": 2, "MGA": 0}

_METHODS = {
    "card": PaymentMethod.CARD,
    "pix": PaymentMethod.PIX,
    "boleto": PaymentMethod.BOLETO,
    "customer_balance": PaymentMethod.BANK_TRANSFER,
    "acss_debit": PaymentMethod.BANK_DEBIT,
    "au_becs_debit": PaymentMethod.BANK_DEBIT,
    "bacs_debit": PaymentMethod.BANK_DEBIT,
    "sepa_debit": PaymentMethod.BANK_DEBIT,
    "us_bank_account": PaymentMethod.BANK_DEBIT,
    "link": PaymentMethod.WALLET,
    "paypal": PaymentMethod.WALLET,
    "cashapp": PaymentMethod.WALLET,
}


def verify(
    headers: Mapping[str, str],
    body: bytes,
    secrets: Sequence[str],
    now: datetime,
    query: Mapping[str, str] | None = None,
) -> None:
    keys = usable_secrets(secrets)
    value = header(headers, "Stripe-Signature")
    if not value:
        raise SignatureError("missing Stripe-Signature header")
    timestamp, signatures = _parse_signature_header(value)
    check_timestamp(unix_time(timestamp), now, TOLERANCE)
    signed = f"{timestamp}.".encode() + body
    for key in keys:
        expected = hmac_sha256(key.encode(), signed).hex()
        if any(equal(expected, signature) for signature in signatures):
            return
    raise SignatureError("no v1 signature matches")


def _parse_signature_header(value: str) -> tuple[int, list[str]]:
    timestamps: list[str] = []
    signatures: list[str] = []
    for item in value.split(","):
        key, sep, part = item.strip().partition("=")
        if not sep:
            raise SignatureError("malformed Stripe-Signature header")
        if key == "t":
            timestamps.append(part)
        elif key == "v1":
            signatures.append(part)
    if len(timestamps) != 1 or not TIMESTAMP.fullmatch(timestamps[0]):
        raise SignatureError("malformed Stripe-Signature header")
    if not signatures:
        raise SignatureError("no v1 signature in Stripe-Signature header")
    return int(timestamps[0]), signatures


# The parts of Stripe's objects that Ponte reads (docs.stripe.com/api). Expandable references arrive as an id or
# as the expanded object.


class _Expanded(Payload):
    id: str


Ref = str | _Expanded | None


class _Data(Payload):
    object: dict[str, Any]
    previous_attributes: dict[str, Any] | None = None  # *.updated events: the changed fields' former values


class _Envelope(Payload):
    id: str
    type: str
    created: Moment
    data: _Data


class _TaxId(Payload):
    value: str


class _Address(Payload):
    country: str | None = None  # ISO 3166-1 alpha-2


class _Object(Payload):
    id: str
    metadata: dict[str, str] | None = None


class _CustomerDetails(Payload):
    email: str | None = None
    name: str | None = None
    phone: str | None = None
    address: _Address | None = None
    tax_ids: list[_TaxId] | None = None


class _Mode(Payload):
    mode: str | None = None


class _CheckoutSession(_Object):
    amount_total: Integer
    currency: str
    payment_status: str
    customer: Ref = None
    customer_details: _CustomerDetails | None = None
    client_reference_id: str | None = None
    payment_intent: Ref = None
    invoice: Ref = None
    mode: str | None = None
    payment_method_types: list[str] = Field(default_factory=list)
    locale: str | None = None  # the Checkout page's language; `auto` when the browser chose


class _SubscriptionDetails(Payload):
    metadata: dict[str, str] | None = None


class _InvoiceParent(Payload):
    subscription_details: _SubscriptionDetails | None = None


class _Line(Payload):
    description: str | None = None


class _Lines(Payload):
    data: list[_Line] = Field(default_factory=list)


class _PaymentRef(Payload):
    payment_intent: Ref = None
    charge: Ref = None


class _InvoicePayment(Payload):
    payment: _PaymentRef | None = None
    status: str | None = None


class _PaidTransitions(Payload):
    paid_at: Moment | None = None


class _InvoicePaymentPaid(Payload):
    """An InvoicePayment as its invoice_payment.paid event carries it (docs.stripe.com/api/invoice-payment):
    the invoice and the payment (`payment.type` payment_intent, with its id, or charge) it ties."""

    invoice: Ref
    currency: str
    amount_paid: Integer | None = None  # None until the payment succeeds
    payment: _PaymentRef
    status_transitions: _PaidTransitions | None = None


class _InvoicePayments(Payload):
    data: list[_InvoicePayment] = Field(default_factory=list)


class _Invoice(_Object):
    number: str | None = None
    currency: str
    amount_due: Integer
    amount_paid: Integer
    amount_remaining: Integer
    customer: Ref = None
    customer_email: str | None = None
    customer_name: str | None = None
    customer_phone: str | None = None
    customer_address: _Address | None = None
    customer_tax_ids: list[_TaxId] | None = None
    description: str | None = None
    due_date: Moment | None = None
    hosted_invoice_url: str | None = None
    lines: _Lines | None = None
    parent: _InvoiceParent | None = None
    subscription_details: _SubscriptionDetails | None = None  # API versions before 2025-03-31
    payment_intent: Ref = None  # API versions before 2025-03-31
    payments: _InvoicePayments | None = None  # from 2025-03-31, when the event includes them


class _PaymentError(Payload):
    code: str | None = None
    decline_code: str | None = None
    message: str | None = None


class _BoletoDisplay(Payload):
    number: str | None = None  # "The boleto number" (docs.stripe.com/api/payment_intents/object#next_action)
    hosted_voucher_url: str | None = None


class _NextAction(Payload):
    boleto_display_details: _BoletoDisplay | None = None


class _PaymentIntent(_Object):
    amount: Integer
    amount_received: Integer = 0
    currency: str
    customer: Ref = None
    receipt_email: str | None = None
    description: str | None = None
    payment_method_types: list[str] = Field(default_factory=list)
    last_payment_error: _PaymentError | None = None
    next_action: _NextAction | None = None
    invoice: Ref = None  # API versions before 2025-03-31


class _Boleto(Payload):
    tax_id: str | None = None  # the payer's CPF or CNPJ


class _MethodDetails(Payload):
    type: str
    boleto: _Boleto | None = None


class _BillingDetails(Payload):
    email: str | None = None
    name: str | None = None
    phone: str | None = None
    address: _Address | None = None
    tax_id: str | None = None


class _Charge(_Object):
    amount_refunded: Integer
    currency: str
    created: Moment | None = None
    customer: Ref = None
    billing_details: _BillingDetails | None = None
    description: str | None = None
    payment_intent: Ref = None
    payment_method_details: _MethodDetails | None = None
    invoice: Ref = None  # API versions before 2025-03-31


class _Evidence(Payload):
    customer_email_address: str | None = None
    customer_name: str | None = None


class _Dispute(_Object):
    amount: Integer
    currency: str
    charge: Ref
    status: str
    reason: str | None = None
    payment_intent: Ref = None
    payment_method_details: _MethodDetails | None = None
    evidence: _Evidence | None = None


class _Price(Payload):
    id: str
    nickname: str | None = None
    lookup_key: str | None = None
    currency: str
    unit_amount: Integer | None = None


class _Item(Payload):
    price: _Price
    quantity: Integer = 1


class _Items(Payload):
    data: list[_Item] = Field(default_factory=list)


class _Cancellation(Payload):
    reason: str | None = None


class _Subscription(_Object):
    customer: Ref = None
    status: str
    items: _Items
    plan: _Expanded | None = None  # legacy single-price subscriptions
    quantity: Integer | None = None  # legacy single-price subscriptions
    cancellation_details: _Cancellation | None = None


class _FormerRef(Payload):
    id: str | None = None


class _FormerItem(Payload):
    price: _FormerRef | None = None
    plan: _FormerRef | None = None
    quantity: Integer | None = None


class _FormerItems(Payload):
    data: list[_FormerItem] = Field(default_factory=list)


class _FormerSubscription(Payload):
    """The fields of `previous_attributes` that say whether a subscription really changed; Stripe lists there
    only the fields that changed, with their former values."""

    status: str | None = None
    quantity: Integer | None = None
    plan: _FormerRef | None = None
    items: _FormerItems | None = None


class _Customer(_Object):
    email: str | None = None
    name: str | None = None
    phone: str | None = None
    address: _Address | None = None
    preferred_locales: list[str] | None = None  # the customer's languages, most preferred first (Stripe's IETF tags)


def normalise(
    body: bytes,
    *,
    headers: Mapping[str, str] | None = None,
    time_zone: str = DEFAULT_TIME_ZONE,
) -> list[DomainEvent]:
    """The events a Stripe event stands for. `time_zone` is the business's: an invoice's due moment becomes the
    date it falls on there. Stripe's body says everything, so `headers` are not read."""
    envelope = validate(_Envelope, load_json(body), "Stripe event")
    handler = _HANDLERS.get(envelope.type)
    if handler is None:
        return []
    with refusing(f"Stripe {envelope.type}"):
        event = handler(envelope, ZoneInfo(time_zone))
    return [event] if event is not None else []


def _checkout_completed(event: _Envelope, zone: tzinfo) -> DomainEvent | None:
    # A session in setup mode only saves a payment method: nothing is paid, and it has no amount or currency.
    if _read(_Mode, event).mode == "setup":
        return None
    session = _read(_CheckoutSession, event)
    # Only a paid session is a payment; a delayed method (boleto, bank debit) pays later, as an
    # async_payment_succeeded or async_payment_failed event (docs.stripe.com/checkout/fulfillment).
    if session.payment_status != "paid":
        return None
    return _checkout_paid(session, event)


def _checkout_async_succeeded(event: _Envelope, zone: tzinfo) -> DomainEvent:
    return _checkout_paid(_read(_CheckoutSession, event), event)


def _checkout_paid(session: _CheckoutSession, event: _Envelope) -> DomainEvent:
    # A subscription's session names its invoice and no payment intent (docs.stripe.com/api/checkout/sessions/
    # object#checkout_session_object-payment_intent): its invoice reported paid, whose payment is the intent's.
    if session.payment_intent is None and session.invoice is not None:
        return InvoiceSettled(**_checkout_facts(session, event))
    # One that names no invoice either, as a session rendered in an older API version is (pay-rails/pay's captured
    # checkout.session.completed): its money arrives as its invoice's (invoice.paid, payment_intent.succeeded), and
    # a payment of its own, naming nothing, would be counted beside them. Who the customer is (the business's
    # reference, the owner) the session alone may say: that is kept.
    facts = _checkout_facts(session, event)
    if session.payment_intent is None and session.mode == "subscription":
        return CustomerCreated(**_common(event, session.metadata or {}), customer=facts["customer"])
    return PaymentReceived(**facts)


def _checkout_async_failed(event: _Envelope, zone: tzinfo) -> DomainEvent:
    return PaymentFailed(**_checkout_facts(_read(_CheckoutSession, event), event))


def _checkout_facts(session: _CheckoutSession, event: _Envelope) -> dict[str, Any]:
    details = session.customer_details or _CustomerDetails()
    metadata = session.metadata or {}
    return _common(event, metadata) | {
        "customer": customer(
            id=_id(session.customer),
            reference=_reference(metadata) or session.client_reference_id,
            name=details.name,
            email=details.email,
            phone=_phone(details.phone, details.address),
            tax_id=_first_tax_id(details.tax_ids),
            locale=locale_from(session.locale) if session.locale and session.locale != "auto" else None,
        ),
        "amount": _money(session.amount_total, session.currency),
        "payment_method": _single_method(session.payment_method_types),
        "payment_id": _id(session.payment_intent),
        "invoice_id": _id(session.invoice),
        # A session has no description of its own; businesses name what was sold in the metadata.
        "description": fit_text(metadata.get("plan") or metadata.get("product"), MAX_TEXT),
        "links": _links(metadata),
    }


def _invoice_facts(invoice: _Invoice, event: _Envelope, amount: int) -> dict[str, Any]:
    # A subscription's invoice inherits the subscription's metadata (account, owner) unless it has its own.
    subscription = (invoice.parent.subscription_details if invoice.parent else None) or invoice.subscription_details
    inherited = subscription.metadata if subscription and subscription.metadata else {}
    metadata = inherited | (invoice.metadata or {})
    lines = [line.description for line in (invoice.lines.data if invoice.lines else []) if line.description]
    return _common(event, metadata) | {
        "customer": customer(
            id=_id(invoice.customer),
            reference=_reference(metadata),
            name=invoice.customer_name,
            email=invoice.customer_email,
            phone=_phone(invoice.customer_phone, invoice.customer_address),
            tax_id=_first_tax_id(invoice.customer_tax_ids),
        ),
        "amount": _money(amount, invoice.currency),
        "payment_id": _paid_with(invoice),
        "invoice_id": invoice.id,
        "invoice_number": invoice.number,
        "description": fit_text(invoice.description or "; ".join(lines), MAX_TEXT),
        # Only the invoice's own metadata names its sale: the subscription's is the same on every invoice.
        "links": _links(invoice.metadata or {}),
        "payment_url": payment_url(invoice.hosted_invoice_url),
    }


def _paid_with(invoice: _Invoice) -> str | None:
    """The payment intent (else the charge) of the invoice's payment: a field of the invoice before API version
    2025-03-31, one of its `payments` after it (paid ones first)."""
    if invoice.payment_intent is not None:
        return _id(invoice.payment_intent)
    payments = sorted(invoice.payments.data if invoice.payments else [], key=lambda paid: paid.status != "paid")
    refs = [paid.payment for paid in payments if paid.payment is not None]
    return next((_id(ref.payment_intent) or _id(ref.charge) for ref in refs if ref.payment_intent or ref.charge), None)


def _invoice_finalized(event: _Envelope, zone: tzinfo) -> DomainEvent:
    invoice = _read(_Invoice, event)
    due_date = _day(invoice.due_date, zone)
    return InvoiceIssued(**_invoice_facts(invoice, event, invoice.amount_due), due_date=due_date)


def _invoice_paid(event: _Envelope, zone: tzinfo) -> DomainEvent | None:
    invoice = _read(_Invoice, event)
    if invoice.amount_paid == 0:
        return None  # an invoice of nothing (a trial's, one covered by credit) is marked paid: nothing was paid
    facts = _invoice_facts(invoice, event, invoice.amount_paid)
    if facts["payment_id"] is None:  # API 2025-03-31 on (or paid outside Stripe): the payment is not named
        return InvoiceSettled(**facts, due_date=_day(invoice.due_date, zone))
    return PaymentReceived(**facts)


def _invoice_payment_paid(event: _Envelope, zone: tzinfo) -> DomainEvent | None:
    paid = _read(_InvoicePaymentPaid, event)
    payment_id = _id(paid.payment.payment_intent) or _id(paid.payment.charge)
    invoice_id = _id(paid.invoice)
    # Paid out of band or as a payment record (no payment of Stripe's to tie: invoice.paid says it is paid), or
    # nothing paid.
    if payment_id is None or invoice_id is None or not paid.amount_paid:
        return None
    transitions = paid.status_transitions or _PaidTransitions()
    # An InvoicePayment names no customer and carries no metadata: the payment or the invoice leads to the account.
    facts = _common(event, {}) | {"occurred_at": transitions.paid_at or event.created, "customer": customer()}
    return PaymentApplied(
        **facts, amount=_money(paid.amount_paid, paid.currency), payment_id=payment_id, invoice_id=invoice_id
    )


def _invoice_payment_failed(event: _Envelope, zone: tzinfo) -> DomainEvent:
    invoice = _read(_Invoice, event)
    return PaymentFailed(**_invoice_facts(invoice, event, invoice.amount_remaining))


def _invoice_overdue(event: _Envelope, zone: tzinfo) -> DomainEvent:
    invoice = _read(_Invoice, event)
    due_date = _day(invoice.due_date, zone)
    return InvoiceOverdue(**_invoice_facts(invoice, event, invoice.amount_remaining), due_date=due_date)


def _intent_facts(intent: _PaymentIntent, event: _Envelope, amount: int) -> dict[str, Any]:
    metadata = intent.metadata or {}
    # A boleto awaiting payment: its number and the page that shows it.
    boleto = intent.next_action.boleto_display_details if intent.next_action else None
    return _common(event, metadata) | {
        "customer": customer(id=_id(intent.customer), reference=_reference(metadata), email=intent.receipt_email),
        "amount": _money(amount, intent.currency),
        "payment_method": _single_method(intent.payment_method_types),
        "payment_id": intent.id,
        "invoice_id": _id(intent.invoice),
        "description": fit_text(intent.description, MAX_TEXT),
        "links": _links(metadata, bank_slip=boleto.number if boleto else None),
        "payment_url": payment_url(boleto.hosted_voucher_url if boleto else None),
    }


def _intent_succeeded(event: _Envelope, zone: tzinfo) -> DomainEvent:
    intent = _read(_PaymentIntent, event)
    return PaymentReceived(**_intent_facts(intent, event, intent.amount_received or intent.amount))


def _intent_failed(event: _Envelope, zone: tzinfo) -> DomainEvent:
    intent = _read(_PaymentIntent, event)
    error = intent.last_payment_error or _PaymentError()
    return PaymentFailed(
        **_intent_facts(intent, event, intent.amount),
        # The code, not Stripe's English message: staff read it as a sentence in their language (messages.reasons).
        reason=fit_text(error.decline_code or error.code or error.message, MAX_TEXT),
    )


def _charge_refunded(event: _Envelope, zone: tzinfo) -> DomainEvent:
    charge = _read(_Charge, event)
    billing = charge.billing_details or _BillingDetails()
    boleto = (charge.payment_method_details.boleto if charge.payment_method_details else None) or _Boleto()
    metadata = charge.metadata or {}
    return RefundIssued(
        **_common(event, metadata),
        customer=customer(
            id=_id(charge.customer),
            reference=_reference(metadata),
            name=billing.name,
            email=billing.email,
            phone=_phone(billing.phone, billing.address),
            tax_id=billing.tax_id or boleto.tax_id,
        ),
        amount=_money(charge.amount_refunded, charge.currency),
        payment_method=_method(charge.payment_method_details),
        # The payment intent, as the payment was recorded; a charge made without one stands for itself.
        payment_id=_id(charge.payment_intent) or charge.id,
        invoice_id=_id(charge.invoice),
        description=fit_text(charge.description, MAX_TEXT),
        links=_links(metadata),
        paid_at=charge.created,
    )


def _dispute_facts(dispute: _Dispute, event: _Envelope) -> dict[str, Any]:
    evidence = dispute.evidence or _Evidence()
    metadata = dispute.metadata or {}
    return _common(event, metadata) | {
        "customer": customer(
            reference=_reference(metadata),
            name=evidence.customer_name,
            email=evidence.customer_email_address,
        ),
        "amount": _money(dispute.amount, dispute.currency),
        "payment_method": _method(dispute.payment_method_details),
        # A dispute names no customer: the payment it disputes is how its account is found.
        "payment_id": _id(dispute.payment_intent) or _id(dispute.charge),
        "links": _links(metadata),
    }


def _dispute_created(event: _Envelope, zone: tzinfo) -> DomainEvent:
    dispute = _read(_Dispute, event)
    return ChargebackOpened(**_dispute_facts(dispute, event), reason=fit_text(dispute.reason, MAX_TEXT))


# A closed dispute's final status (docs.stripe.com/api/disputes/object#dispute_object-status): an inquiry that
# closed without becoming a chargeback, or one prevented before it, cost the business nothing.
_DISPUTE_OUTCOMES = {"won": "won", "warning_closed": "won", "prevented": "won", "lost": "lost"}


def _dispute_closed(event: _Envelope, zone: tzinfo) -> DomainEvent:
    dispute = _read(_Dispute, event)
    outcome = _DISPUTE_OUTCOMES.get(dispute.status)
    if outcome is None:
        raise PayloadError(f"Stripe {event.type}: status: not a final one (won, lost, warning_closed, prevented)")
    return ChargebackClosed(**_dispute_facts(dispute, event), outcome=outcome)


def _subscription_facts(subscription: _Subscription, event: _Envelope) -> dict[str, Any]:
    metadata = subscription.metadata or {}
    prices = [item.price for item in subscription.items.data]
    plans = [price.nickname or price.lookup_key or price.id for price in prices]
    return _common(event, metadata) | {
        "customer": customer(id=_id(subscription.customer), reference=_reference(metadata)),
        "subscription_id": subscription.id,
        "plan": fit_text("; ".join(plans), MAX_TEXT),
    }


def _subscription_updated(event: _Envelope, zone: tzinfo) -> DomainEvent | None:
    subscription = _read(_Subscription, event)
    if not _really_changed(subscription, event):
        return None
    return SubscriptionChanged(
        **_subscription_facts(subscription, event),
        status=fit_text(subscription.status, MAX_WORD),
        amount=_cycle_amount(subscription),
    )


def _really_changed(subscription: _Subscription, event: _Envelope) -> bool:
    """Whether the price (plan), a quantity or the status changed.

    Stripe sends customer.subscription.updated for every change, renewals and new latest invoices included, and
    `previous_attributes` holds the former values of what changed (docs.stripe.com/api/events/object). Without it
    nothing tells a renewal from a change, and the update counts as a change.
    """
    previous = event.data.previous_attributes
    if previous is None:
        return True
    former = validate(_FormerSubscription, previous, f"Stripe {event.type} data.previous_attributes")
    given = former.model_fields_set
    return (
        ("status" in given and former.status != subscription.status)
        or ("quantity" in given and former.quantity != subscription.quantity)
        or ("plan" in given and (former.plan or _FormerRef()).id != _id(subscription.plan))
        or (former.items is not None and _items_changed(former.items.data, subscription.items.data))
    )


def _items_changed(former: list[_FormerItem], current: list[_Item]) -> bool:
    # From API version 2025-03-31 the billing period lives on the items, so every renewal lists them as changed.
    quantities = {item.price.id: item.quantity for item in current}
    before: dict[str, int | None] = {}
    for item in former:
        price = (item.price or item.plan or _FormerRef()).id
        if price is None:
            return True  # a former item that names no price: there is no telling what it was
        before[price] = item.quantity
    if before.keys() != quantities.keys():
        return True
    return any(quantity is not None and quantity != quantities[price] for price, quantity in before.items())


def _subscription_deleted(event: _Envelope, zone: tzinfo) -> DomainEvent:
    subscription = _read(_Subscription, event)
    details = subscription.cancellation_details or _Cancellation()
    return SubscriptionCancelled(**_subscription_facts(subscription, event), reason=fit_text(details.reason, MAX_TEXT))


def _cycle_amount(subscription: _Subscription) -> Money | None:
    """The amount of one billing cycle, when every item has a fixed price in one currency."""
    prices = [item.price for item in subscription.items.data]
    currencies = {price.currency for price in prices}
    if len(currencies) != 1 or any(price.unit_amount is None for price in prices):
        return None
    total = sum((item.price.unit_amount or 0) * item.quantity for item in subscription.items.data)
    return _money(total, currencies.pop())


def _customer_created(event: _Envelope, zone: tzinfo) -> DomainEvent:
    created = _read(_Customer, event)
    metadata = created.metadata or {}
    return CustomerCreated(
        **_common(event, metadata),
        customer=customer(
            id=created.id,
            reference=_reference(metadata),
            name=created.name,
            email=created.email,
            phone=_phone(created.phone, created.address),
            locale=next(filter(None, (locale_from(tag) for tag in created.preferred_locales or ())), None),
        ),
    )


_HANDLERS: dict[str, Callable[[_Envelope, tzinfo], DomainEvent | None]] = {
    "checkout.session.completed": _checkout_completed,
    "checkout.session.async_payment_succeeded": _checkout_async_succeeded,
    "checkout.session.async_payment_failed": _checkout_async_failed,
    "invoice.finalized": _invoice_finalized,
    "invoice.paid": _invoice_paid,
    "invoice_payment.paid": _invoice_payment_paid,
    "invoice.payment_failed": _invoice_payment_failed,
    "invoice.overdue": _invoice_overdue,
    "payment_intent.succeeded": _intent_succeeded,
    "payment_intent.payment_failed": _intent_failed,
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _dispute_created,
    "charge.dispute.closed": _dispute_closed,
    "customer.subscription.updated": _subscription_updated,
    "customer.subscription.deleted": _subscription_deleted,
    "customer.created": _customer_created,
}


def _read[M: BaseModel](model: type[M], event: _Envelope) -> M:
    return validate(model, event.data.object, f"Stripe {event.type} data.object")


def _common(event: _Envelope, metadata: Mapping[str, str]) -> dict[str, Any]:
    return {
        "provider": PROVIDER,
        "event_id": event.id,
        "occurred_at": event.created,
        "owner": metadata.get("owner") or None,
    }


def _reference(metadata: Mapping[str, str]) -> str | None:
    return metadata.get("account_id") or metadata.get("reference") or None


def _links(metadata: Mapping[str, str], bank_slip: str | None = None) -> SaleLinks:
    """The business's invoice a payment belongs to, as the business wrote it in the metadata."""
    nfe = metadata.get("nfe")
    key = access_key(nfe)
    return sale_links(
        reference=_first(metadata, "reference", "order", "external_reference"),
        # `nfe` is the NF-e's access key when it has the key's 44 digits, else the NF-e's number.
        invoice_number=metadata.get("invoice_number") or (None if key else nfe),
        series=_first(metadata, "invoice_series", "serie"),
        access_key=key,
        bank_slip=bank_slip,
    )


def _first(metadata: Mapping[str, str], *names: str) -> str | None:
    return next((metadata[name] for name in names if metadata.get(name)), None)


def _money(amount: int, currency: str) -> Money:
    """Stripe amounts are integers in Stripe's minor unit of the currency, which it writes in lower case."""
    code = currency.upper()
    try:
        exponent = _STRIPE_EXPONENTS.get(code, minor_unit_exponent(code))
    except ValueError:
        raise PayloadError("currency: Stripe's currency must be an ISO 4217 code") from None
    return money(Decimal(amount).scaleb(-exponent), code)


def _id(ref: Ref) -> str | None:
    return ref.id if isinstance(ref, _Expanded) else ref


def _phone(written: str | None, address: _Address | None) -> str | None:
    """The phone in E.164, or None: an event's customer carries E.164 only, and a bad phone never refuses it."""
    country = (address.country if address else None) or "BR"
    try:
        return to_e164(written or "", country)
    except InvalidPhone:
        return None


def _first_tax_id(tax_ids: list[_TaxId] | None) -> str | None:
    return tax_ids[0].value if tax_ids else None


def _single_method(types: list[str]) -> PaymentMethod | None:
    """The method when only one was offered; with several, the list does not say which one paid."""
    return _METHODS.get(types[0], PaymentMethod.OTHER) if len(types) == 1 else None


def _method(details: _MethodDetails | None) -> PaymentMethod | None:
    return _METHODS.get(details.type, PaymentMethod.OTHER) if details else None


def _day(moment: datetime | None, zone: tzinfo) -> date | None:
    """Stripe due dates are moments; the due date is the day the moment falls on in the business's time zone."""
    return moment.astimezone(zone).date() if moment else None
