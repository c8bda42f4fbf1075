"""Standard Webhooks (standardwebhooks.com, spec v1.0.0): verification, and Ponte's payload schema for senders.

Signature: `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`, a space-separated list of
`v1,<base64>` entries; each is HMAC-SHA256 over `"{webhook-id}.{webhook-timestamp}.{raw body}"` keyed with the
base64-decoded part of the `whsec_...` secret. Any v1 entry may match (senders sign with old and new secrets while
rotating); other versions (`v1a`) are skipped. The timestamp must lie within 5 minutes of now, either way.

The spec fixes only the envelope, so this is the body Ponte expects from a sender:

    {
      "type": "payment.received",               # one of Ponte's event kinds, below
      "timestamp": "2024-06-12T16:45:03Z",      # when it happened, ISO 8601 with an offset
      "data": {
        "customer": {"id": "c-42", "reference": "ACME-7", "name": "Acme", "email": "ap@acme.example",
                     "phone": "+5511987654321", "locale": "pt-BR", "tax_id": "12345678000195"},
        "amount": "1234.50", "currency": "BRL",  # major units: a decimal string (or a JSON number), never negative
        "payment_method": "pix",                # card, pix, boleto, bank_transfer, bank_debit, wallet, other
        "payment_id": "p-1", "invoice_id": "i-1", "invoice_number": "2024-001",
        "invoice_reference": "PED-981",         # the business's own link to its invoice or order
        "invoice_series": "1", "nfe_access_key": "35240612345678000195550010000012341000012345",
        "bank_slip": "23790.50400 40963.225504 90000.633306 7 98760000015000",
        "payment_url": "https://pay.example/i/2024-001",
        "description": "Plano Pro", "owner": "maria"
      }
    }

The event's id is the `webhook-id` header, which the spec makes the message's idempotency key (the same on every
retry); a body `id` is used only when no header is passed. Kinds and the `data` fields each takes besides
`customer` (required) and `owner`:
- payment.received, refund.issued: amount, currency, payment_method, payment_id, invoice_id, invoice_number,
  description and the sale links: invoice_reference, invoice_series, nfe_access_key (the NF-e's 44-digit access
  key), bank_slip (a boleto's nosso número or digitable line), payment_url (https) (for refund.issued, amount is
  the total refunded so far);
- payment.failed, chargeback.opened: the same, plus reason;
- chargeback.closed: the same, plus outcome ("won" or "lost");
- invoice.issued, invoice.overdue: the same, plus due_date (YYYY-MM-DD);
- invoice.settled (the invoice reported paid by a payment not named; invoice_id required): the same as
  invoice.issued, its amount being what was paid on it; it pays the invoice only until a payment is tied to it;
- payment.applied (which payment paid which invoice; payment_id and invoice_id required): amount, currency;
- subscription.changed: subscription_id (required), started (true for a new subscription), status, plan, and
  optionally amount and currency;
- subscription.cancelled: subscription_id (required), plan, reason;
- customer.created: nothing else.
In `customer`, `phone` is best in E.164; a number without its country code is read as Brazilian, and one that
cannot be read is left out while the event still applies. `locale` (pt-BR, es or en; `pt`, `es-AR`, `en-US` read
as those) is the language of the account a first event opens; another language is left out (the business's default).
A field a kind does not take is refused; an unknown `type` is acknowledged and ignored.

Every value is held to the bounds of `ponte.domain.events` and a message that breaks one is refused (400) with the
field named, never fitted: the id (the `webhook-id` header), `payment_id`, `subscription_id` and the customer's
`id` are 1 to 255 printable ASCII characters; `invoice_id` and `invoice_number` at most 100; `reference` 255 and
`owner` 128 characters on one line; `name` 200; `description`, `reason` and `plan` 500; `email` 254 without spaces;
`tax_id` 32 letters and digits; `amount` at most 999999999999999 minor units, and more than zero for a payment, a
failed payment, a refund or a chargeback; `timestamp` and `due_date` between 1970 and 2099. Blank text is no text.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, get_args

from pydantic import ConfigDict, Field, RootModel

from ponte.domain.accounts import locale_from
from ponte.domain.events import DomainEvent, Moment, SaleLinks
from ponte.domain.phones import InvalidPhone, to_e164
from ponte.providers.base import (
    DEFAULT_TIME_ZONE,
    TIMESTAMP,
    ExactDecimal,
    Payload,
    PayloadError,
    SignatureError,
    check_timestamp,
    equal,
    header,
    hmac_sha256,
    load_json,
    money,
    unix_time,
    usable_secrets,
    validate,
)

PROVIDER = "standard"
TOLERANCE = timedelta(minutes=5)

_MODELS = get_args(get_args(DomainEvent)[0])
# The `kind` of every domain event class: the `type` values this schema takes.
_KINDS = frozenset(model.model_fields["kind"].default for model in _MODELS)
# The kinds about a payment or an invoice, which may name the business's invoice they belong to.
_LINKED_KINDS = frozenset(model.model_fields["kind"].default for model in _MODELS if "links" in model.model_fields)
# A sender's names for the sale links (`SaleLinks`); invoice_number is also the event's own field.
_LINK_FIELDS = {
    "invoice_reference": "reference",
    "invoice_number": "invoice_number",
    "invoice_series": "series",
    "nfe_access_key": "access_key",
    "bank_slip": "bank_slip",
}
_SENDER_NAMES = {link: name for name, link in _LINK_FIELDS.items()}


def verify(
    headers: Mapping[str, str],
    body: bytes,
    secrets: Sequence[str],
    now: datetime,
    query: Mapping[str, str] | None = None,
) -> None:
    keys = [_key(secret) for secret in usable_secrets(secrets)]
    message_id = header(headers, "webhook-id")
    timestamp = header(headers, "webhook-timestamp")
    signature_list = header(headers, "webhook-signature")
    if not message_id or not timestamp or not signature_list:
        raise SignatureError("missing webhook-id, webhook-timestamp or webhook-signature header")
    if not TIMESTAMP.fullmatch(timestamp):
        raise SignatureError("malformed webhook-timestamp header")
    check_timestamp(unix_time(int(timestamp)), now, TOLERANCE)
    signatures = [
        _decode(signature)
        for version, _, signature in (entry.partition(",") for entry in signature_list.split())
        if version == "v1"
    ]
    if not signatures:
        raise SignatureError("no v1 signature in webhook-signature header")
    signed = f"{message_id}.{timestamp}.".encode() + body
    for key in keys:
        expected = hmac_sha256(key, signed)
        if any(signature is not None and equal(expected, signature) for signature in signatures):
            return
    raise SignatureError("no v1 signature matches")


def _key(secret: str) -> bytes:
    # The spec's libraries accept the secret with or without its prefix, and unpadded.
    encoded = secret.strip().removeprefix("whsec_")
    key = _decode(encoded)
    if not key:
        raise SignatureError("a configured secret is not a whsec_ base64 key")
    return key


def _decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except ValueError:  # binascii.Error, or text that is not ASCII (a header someone sent)
        return None


class _Type(Payload):
    type: str


class _Envelope(Payload):
    id: str | None = Field(default=None, min_length=1)
    type: str
    timestamp: Moment
    data: dict[str, Any]


class _Event(RootModel[DomainEvent]):
    model_config = ConfigDict(defer_build=True)


def _customer(given: dict[str, Any]) -> dict[str, Any]:
    """The sender's customer with its phone in E.164, or without it when it cannot be read (an event's customer
    carries E.164 only, and a bad phone never refuses the event), and its locale when it is one Ponte writes."""
    customer = dict(given)
    if "locale" in customer:
        customer["locale"] = locale_from(customer["locale"]) if isinstance(customer["locale"], str) else None
    if isinstance(phone := customer.get("phone"), str):
        try:
            customer["phone"] = to_e164(phone, "BR")
        except InvalidPhone:
            customer["phone"] = None
    return customer


class _Amount(Payload):
    amount: ExactDecimal
    currency: str


def normalise(
    body: bytes,
    *,
    headers: Mapping[str, str] | None = None,
    time_zone: str = DEFAULT_TIME_ZONE,
) -> list[DomainEvent]:
    """The event a sender's message reports, named by its `webhook-id` header (else the body's `id`). Due dates
    come as dates, so `time_zone` is not needed."""
    data = load_json(body)
    kind = validate(_Type, data, "Standard Webhooks payload").type
    if kind not in _KINDS:
        return []
    envelope = validate(_Envelope, data, "Standard Webhooks payload")
    message_id = header(headers or {}, "webhook-id") or envelope.id
    if not message_id:
        raise PayloadError("Standard Webhooks payload: no message id: the webhook-id header (or a body id) is required")
    what = f"Standard Webhooks {kind} data"
    fields = dict(envelope.data)
    if isinstance(customer := fields.get("customer"), dict):
        fields["customer"] = _customer(customer)
    if "amount" in fields or "currency" in fields:
        amount = {"amount": fields.pop("amount", None), "currency": fields.pop("currency", None)}
        given = validate(_Amount, amount, what)
        fields["amount"] = money(given.amount, given.currency)
    if kind in _LINKED_KINDS:
        links = {link: fields.pop(name, None) for name, link in _LINK_FIELDS.items() if name != "invoice_number"}
        links["invoice_number"] = fields.get("invoice_number")
        fields["links"] = validate(SaleLinks, links, what, names=_SENDER_NAMES)
    fields |= {
        "kind": kind,
        "provider": PROVIDER,
        "event_id": message_id,
        "occurred_at": envelope.timestamp,
    }
    return [validate(_Event, fields, what).root]
