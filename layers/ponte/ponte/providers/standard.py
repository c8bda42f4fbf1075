"""Standard Webhooks (standardwebhooks.com, spec v1.0.0): verification, and Ponte's payload schema for senders.

Signature: `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`, a space-separated list of
`v1,<base64>` entries; each is HMAC-SHA256 over `"{webhook-id}.{webhook-timestamp}.{raw body}"` keyed with the
base64-decoded part of the `whsec_...` secret. Any v1 entry may match (senders sign with old and new secrets while
rotating); other versions (`v1a`) are skipped. The timestamp must lie within 5 minutes of now, either way.

The spec fixes only the envelope, so this is the body Ponte expects from a sender:

    {
      "id": "evt_2KWPBgLlAfxdpx2AI54pPJ85f4W",   # the sender's event id, the same on every retry
      "type": "payment.received",               # one of Ponte's event kinds, below
      "timestamp": "2024-06-12T16:45:03Z",      # when it happened, ISO 8601 with an offset
      "data": {
        "customer": {"id": "c-42", "reference": "ACME-7", "name": "Acme", "email": "ap@acme.example",
                     "phone": "+5511987654321", "tax_id": "12345678000195"},
        "amount": "1234.50", "currency": "BRL",  # major units: a decimal string (or a JSON number)
        "payment_method": "pix",                # card, pix, boleto, bank_transfer, bank_debit, wallet, other
        "payment_id": "p-1", "invoice_id": "i-1", "invoice_number": "2024-001",
        "description": "Plano Pro", "owner": "maria"
      }
    }

Kinds and the `data` fields each takes besides `customer` (required) and `owner`:
- payment.received, refund.issued: amount, currency, payment_method, payment_id, invoice_id, invoice_number,
  description (for refund.issued, amount is the total refunded so far);
- payment.failed, chargeback.opened: the same, plus reason;
- chargeback.closed: the same, plus outcome ("won" or "lost");
- invoice.issued, invoice.overdue: the same, plus due_date (YYYY-MM-DD);
- subscription.changed: subscription_id (required), status, plan, and optionally amount and currency;
- subscription.cancelled: subscription_id (required), plan, reason;
- customer.created: nothing else.
A field a kind does not take is refused; an unknown `type` is ignored.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, get_args

from pydantic import AwareDatetime, BaseModel, Field, RootModel

from ponte.domain.events import DomainEvent
from ponte.providers.base import (
    TIMESTAMP,
    ExactDecimal,
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

# The `kind` of every domain event class: the `type` values this schema takes.
_KINDS = frozenset(model.model_fields["kind"].default for model in get_args(get_args(DomainEvent)[0]))


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
    except binascii.Error:
        return None


class _Envelope(BaseModel):
    id: str = Field(min_length=1)
    type: str
    timestamp: AwareDatetime
    data: dict[str, Any]


class _Event(RootModel[DomainEvent]):
    pass


class _Amount(BaseModel):
    amount: ExactDecimal
    currency: str


def normalise(body: bytes) -> list[DomainEvent]:
    envelope = validate(_Envelope, load_json(body), "Standard Webhooks payload")
    if envelope.type not in _KINDS:
        return []
    fields = dict(envelope.data)
    if "amount" in fields or "currency" in fields:
        amount = {"amount": fields.pop("amount", None), "currency": fields.pop("currency", None)}
        given = validate(_Amount, amount, f"Standard Webhooks {envelope.type} data")
        fields["amount"] = money(given.amount, given.currency)
    fields |= {
        "kind": envelope.type,
        "provider": PROVIDER,
        "event_id": envelope.id,
        "occurred_at": envelope.timestamp,
    }
    return [validate(_Event, fields, f"Standard Webhooks {envelope.type} data").root]
