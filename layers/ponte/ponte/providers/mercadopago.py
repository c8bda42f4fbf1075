"""Mercado Pago webhooks: `x-signature` verification, reading a notification, and the payment it points to.

Signature (Mercado Pago developers, "Notifications > Webhooks > Validate origin"): `x-signature: ts=<ts>,v1=<hex>`,
v1 being HMAC-SHA256 keyed with the webhook's secret over the manifest
`id:{data.id};request-id:{x-request-id};ts:{ts};`, where data.id comes from the query string (lowercased when it is
alphanumeric) and a pair is left out when its value is absent. The body is not signed: it only says which
payment changed, so the payment must be fetched (`GET /v1/payments/{id}`) before acting, and `normalise_payment`
reads that answer.

`ts` is in milliseconds in current notifications and in seconds in older examples of the documentation; both are
accepted, told apart by size (10**11 seconds is the year 5138), and held to 5 minutes either way of now.

A notification only says "payment X changed", so an event is a state of the payment and its id is derived from
that state (`{payment id}:approved`, `{payment id}:refunded:{minor units}`, ...): every notification about the
same state yields the same id, and the dedup makes the repeats change nothing.

The payment names the business's sale by `external_reference`, and a boleto or Pix payment carries the page where
the customer pays and the boleto's digitable line or barcode.

The payer's phone (`payer.phone.area_code` and `number`, without the country code) is kept in E.164, read as a
number of the country whose currency the payment is in (BRL: Brazil, ARS: Argentina...); one that cannot be read is
left out and the event still applies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import ConfigDict

from ponte.domain.events import (
    MAX_TEXT,
    ChargebackClosed,
    ChargebackOpened,
    DomainEvent,
    Moment,
    PaymentFailed,
    PaymentMethod,
    PaymentReceived,
    RefundIssued,
)
from ponte.domain.phones import InvalidPhone, to_e164
from ponte.providers.base import (
    TIMESTAMP,
    ExactDecimal,
    IdNumber,
    Payload,
    PayloadError,
    SignatureError,
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

PROVIDER = "mercadopago"
TOLERANCE = timedelta(minutes=5)
_MILLISECONDS_FROM = 10**11
_PAYMENT_ID = re.compile(r"[0-9]{1,19}")

# Mercado Pago charges in the currency of the country the account is in: where a payer's phone is from.
_COUNTRIES = {"BRL": "BR", "ARS": "AR", "MXN": "MX", "CLP": "CL", "COP": "CO", "PEN": "PE", "UYU": "UY"}

_METHODS = {
    "credit_card": PaymentMethod.CARD,
    "debit_card": PaymentMethod.CARD,
    "prepaid_card": PaymentMethod.CARD,
    "bank_transfer": PaymentMethod.BANK_TRANSFER,
    "account_money": PaymentMethod.WALLET,
    "digital_wallet": PaymentMethod.WALLET,
}


def verify(
    headers: Mapping[str, str],
    body: bytes,
    secrets: Sequence[str],
    now: datetime,
    query: Mapping[str, str] | None = None,
) -> None:
    keys = usable_secrets(secrets)
    value = header(headers, "x-signature")
    if not value:
        raise SignatureError("missing x-signature header")
    ts, signatures = _parse_signature_header(value)
    sent = int(ts)
    sent_at = unix_time(milliseconds=sent) if sent >= _MILLISECONDS_FROM else unix_time(sent)
    check_timestamp(sent_at, now, TOLERANCE)
    manifest = _manifest((query or {}).get("data.id"), header(headers, "x-request-id"), ts)
    for key in keys:
        expected = hmac_sha256(key.encode(), manifest).hex()
        if any(equal(expected, signature) for signature in signatures):
            return
    raise SignatureError("no v1 signature matches")


def _parse_signature_header(value: str) -> tuple[str, list[str]]:
    timestamps: list[str] = []
    signatures: list[str] = []
    for item in value.split(","):
        key, sep, part = item.partition("=")
        if not sep:
            raise SignatureError("malformed x-signature header")
        if key.strip() == "ts":
            timestamps.append(part.strip())
        elif key.strip() == "v1":
            signatures.append(part.strip())
    if len(timestamps) != 1 or not TIMESTAMP.fullmatch(timestamps[0]):
        raise SignatureError("malformed x-signature header")
    if not signatures:
        raise SignatureError("no v1 signature in x-signature header")
    return timestamps[0], signatures


def _manifest(data_id: str | None, request_id: str | None, ts: str) -> bytes:
    data_id = (data_id or "").strip()
    request_id = (request_id or "").strip()
    parts = []
    if data_id:
        parts.append(f"id:{data_id.lower() if data_id.isalnum() else data_id};")
    if request_id:
        parts.append(f"request-id:{request_id};")
    parts.append(f"ts:{ts};")
    return "".join(parts).encode()


class PaymentNotification(Payload):
    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    payment_id: str
    notification_id: str | None = None  # the notification's own id (the body's `id`), for logs


class _NotificationData(Payload):
    id: IdNumber


class _Notification(Payload):
    id: IdNumber | None = None
    type: str | None = None
    data: _NotificationData | None = None


def payment_notification(body: bytes, query: Mapping[str, str] | None = None) -> PaymentNotification | None:
    """The payment a notification is about, or None when it is about something else (a merchant order...).

    The payment id is the query string's `data.id`, the one the signature covers; the body's must agree with it.
    """
    query = query or {}
    notification = validate(_Notification, load_json(body), "Mercado Pago notification")
    if (notification.type or query.get("type")) != "payment":
        return None
    signed_id = query.get("data.id")
    body_id = str(notification.data.id) if notification.data else None
    if signed_id and body_id and signed_id != body_id:
        raise PayloadError("Mercado Pago notification: data.id differs between the body and the query string")
    payment_id = signed_id or body_id
    if not payment_id:
        raise PayloadError("Mercado Pago notification: data.id: Field required")
    if not _PAYMENT_ID.fullmatch(payment_id):
        # Checked before the id reaches the API's URL: Mercado Pago's payment ids are numbers (a 64-bit long).
        raise PayloadError("Mercado Pago notification: data.id: a payment's id is a number of at most 19 digits")
    notification_id = str(notification.id) if notification.id is not None else None
    return PaymentNotification(payment_id=payment_id, notification_id=notification_id)


class _Identification(Payload):
    number: str | None = None


class _Phone(Payload):
    area_code: IdNumber | None = None
    number: IdNumber | None = None


class _Payer(Payload):
    id: IdNumber | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    identification: _Identification | None = None
    phone: _Phone | None = None


class _Barcode(Payload):
    content: str | None = None


class _TransactionDetails(Payload):
    external_resource_url: str | None = None  # the boleto or voucher page
    digitable_line: str | None = None
    barcode: _Barcode | None = None


class _TransactionData(Payload):
    ticket_url: str | None = None  # the Pix payment page


class _PointOfInteraction(Payload):
    transaction_data: _TransactionData | None = None


class _Payment(Payload):
    id: IdNumber
    status: str
    status_detail: str | None = None
    currency_id: str
    transaction_amount: ExactDecimal
    transaction_amount_refunded: ExactDecimal = Decimal(0)
    date_created: Moment
    date_approved: Moment | None = None
    date_last_updated: Moment | None = None
    payment_type_id: str | None = None
    payment_method_id: str | None = None
    description: str | None = None
    external_reference: str | None = None
    metadata: dict[str, Any] | None = None
    payer: _Payer | None = None
    transaction_details: _TransactionDetails | None = None
    point_of_interaction: _PointOfInteraction | None = None
    barcode: _Barcode | None = None


def normalise_payment(payment: Mapping[str, Any]) -> list[DomainEvent]:
    """The events a payment from `GET /v1/payments/{id}` stands for ([] while nothing happened to the money).

    Parse the API's answer with `json.loads(..., parse_float=Decimal)`: amounts given as floats are refused.
    """
    read = validate(_Payment, payment, "Mercado Pago payment")
    if read.transaction_amount == 0:
        return []  # a card validation: Mercado Pago checks a card with a payment of nothing
    # pending, authorized, in_process, cancelled: no money has moved.
    by_status = _BY_STATUS.get(read.status)
    if by_status is None:
        return []
    with refusing(f"Mercado Pago payment {read.status}"):
        return by_status(read)


def _approved(payment: _Payment) -> list[DomainEvent]:
    received = PaymentReceived(**_facts(payment, "approved", payment.date_approved or _updated_at(payment)))
    # A partial refund leaves the payment approved, with the refunded total beside it.
    return [received, _refund(payment)] if payment.transaction_amount_refunded else [received]


def _refunded(payment: _Payment) -> list[DomainEvent]:
    return [_refund(payment)]


def _rejected(payment: _Payment) -> list[DomainEvent]:
    facts = _facts(payment, "rejected", _updated_at(payment))
    return [PaymentFailed(**facts, reason=fit_text(payment.status_detail, MAX_TEXT))]


def _in_mediation(payment: _Payment) -> list[DomainEvent]:
    facts = _facts(payment, "in_mediation", _updated_at(payment))
    return [ChargebackOpened(**facts, reason=fit_text(payment.status_detail, MAX_TEXT))]


def _charged_back(payment: _Payment) -> list[DomainEvent]:
    # status_detail of a chargeback: in_process while open, settled when the money went back to the buyer,
    # reimbursed when it came back to the seller.
    outcome = {"settled": "lost", "reimbursed": "won"}.get(payment.status_detail or "")
    if outcome is None:
        facts = _facts(payment, "charged_back", _updated_at(payment))
        return [ChargebackOpened(**facts, reason=fit_text(payment.status_detail, MAX_TEXT))]
    facts = _facts(payment, f"charged_back:{payment.status_detail}", _updated_at(payment))
    return [ChargebackClosed(**facts, outcome=outcome)]


_BY_STATUS: dict[str, Callable[[_Payment], list[DomainEvent]]] = {
    "approved": _approved,
    "refunded": _refunded,
    "rejected": _rejected,
    "in_mediation": _in_mediation,
    "charged_back": _charged_back,
}


def _updated_at(payment: _Payment) -> datetime:
    return payment.date_last_updated or payment.date_created


def _refund(payment: _Payment) -> DomainEvent:
    refunded = money(
        payment.transaction_amount_refunded or payment.transaction_amount,
        payment.currency_id,
        "transaction_amount_refunded",
    )
    facts = _facts(payment, f"refunded:{refunded.amount}", _updated_at(payment))
    return RefundIssued(**facts | {"amount": refunded})


def _facts(payment: _Payment, state: str, occurred_at: datetime) -> dict[str, Any]:
    payer = payment.payer or _Payer()
    metadata = payment.metadata or {}
    details = payment.transaction_details or _TransactionDetails()
    ticket = (payment.point_of_interaction.transaction_data if payment.point_of_interaction else None) or (
        _TransactionData()
    )
    owner = metadata.get("owner")
    return {
        "provider": PROVIDER,
        "event_id": f"{payment.id}:{state}",
        "occurred_at": occurred_at,
        "owner": owner if isinstance(owner, str) and owner else None,
        "customer": customer(
            id=str(payer.id) if payer.id is not None else None,
            reference=payment.external_reference,
            name=" ".join(part for part in (payer.first_name, payer.last_name) if part),
            email=payer.email,
            phone=_phone(payer.phone, payment.currency_id),
            tax_id=payer.identification.number if payer.identification else None,
        ),
        "amount": money(payment.transaction_amount, payment.currency_id, "transaction_amount"),
        "payment_method": _method(payment),
        "payment_id": str(payment.id),
        "description": fit_text(payment.description, MAX_TEXT),
        "links": sale_links(reference=payment.external_reference, bank_slip=_bank_slip(payment)),
        "payment_url": payment_url(details.external_resource_url, ticket.ticket_url),
    }


def _bank_slip(payment: _Payment) -> str | None:
    """The boleto's digitable line, else its barcode: the line is what the business's own records hold."""
    details = payment.transaction_details or _TransactionDetails()
    barcode = payment.barcode or details.barcode or _Barcode()
    return details.digitable_line or barcode.content


def _method(payment: _Payment) -> PaymentMethod | None:
    if payment.payment_method_id == "pix":
        return PaymentMethod.PIX
    if payment.payment_type_id == "ticket":
        # "ticket" is any printed voucher; in Brazil the boletos' method ids start with "bol".
        is_boleto = (payment.payment_method_id or "").startswith("bol")
        return PaymentMethod.BOLETO if is_boleto else PaymentMethod.OTHER
    if payment.payment_type_id is None:
        return None
    return _METHODS.get(payment.payment_type_id, PaymentMethod.OTHER)


def _phone(phone: _Phone | None, currency: str) -> str | None:
    """The payer's phone in E.164, or None: an event's customer carries E.164 only, and a bad phone never refuses
    it."""
    written = " ".join(str(part) for part in (phone.area_code, phone.number) if part) if phone else ""
    try:
        return to_e164(written, _COUNTRIES.get(currency.upper(), "BR"))
    except InvalidPhone:
        return None
