"""Key builders of the single table, and the access patterns they serve.

| access pattern                          | key                                                      |
|-----------------------------------------|----------------------------------------------------------|
| get an account                          | pk=ACCOUNT#<id>, sk=ACCOUNT                              |
| an account's history, in order          | pk=ACCOUNT#<id>, sk begins_with TIMELINE#                |
| an account's outbox items (notifier)    | pk=ACCOUNT#<id>, sk=OUTBOX#<notification id>; stream     |
| "was this inbound thing handled?"       | pk=INBOUND#<dedup key>, sk=INBOUND (TTL)                 |
| accounts due for evaluation, by time    | GSI `due`: due_pk=DUE, due_at <= now (sparse: only      |
|                                         | accounts with a next evaluation carry these attributes) |

Outbox items and inbound markers carry `expires_at` (epoch seconds) for DynamoDB's TTL: the stream has
delivered an outbox item long before it expires; a marker outlives the providers' retry windows (Stripe
retries for 3 days, Mercado Pago for days).
"""

from __future__ import annotations

from typing import Final

ACCOUNT: Final = "ACCOUNT"
TIMELINE: Final = "TIMELINE"
OUTBOX: Final = "OUTBOX"
INBOUND: Final = "INBOUND"
DUE_INDEX: Final = "due"
DUE_PARTITION: Final = "DUE"

OUTBOX_TTL_SECONDS: Final = 7 * 24 * 3600
INBOUND_TTL_SECONDS: Final = 30 * 24 * 3600


def account_pk(account_id: str) -> str:
    return f"{ACCOUNT}#{account_id}"


def account_key(account_id: str) -> dict[str, str]:
    return {"pk": account_pk(account_id), "sk": ACCOUNT}


def timeline_key(account_id: str, at_iso: str, seq: int) -> dict[str, str]:
    return {"pk": account_pk(account_id), "sk": f"{TIMELINE}#{at_iso}#{seq:04d}"}


def outbox_key(account_id: str, notification_id: str) -> dict[str, str]:
    return {"pk": account_pk(account_id), "sk": f"{OUTBOX}#{notification_id}"}


def inbound_key(dedup_key: str) -> dict[str, str]:
    return {"pk": f"{INBOUND}#{dedup_key}", "sk": INBOUND}
