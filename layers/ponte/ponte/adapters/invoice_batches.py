"""Bulk reads and writes of an upload's invoices, and the transaction that finishes an upload.

An upload writes thousands of invoices that need no condition (the use case has already compared fingerprints),
so they go in `BatchWriteItem` calls of 25, about one call per 25 invoices; what DynamoDB leaves unprocessed
(throttling) is sent again after an exponential backoff with full jitter. Reads go in `BatchGetItem` calls of 100
keys, consistent, so an invoice written by an earlier window of the same upload is seen.

Each invoice item carries the re-evaluation flag (`due_pk`, `due_at`, see `keys`), so the collections sweep
evaluates its account again without a per-account write here.

Accounts opened for customers first met in an upload go together, in `TransactWriteItems` calls of up to 100
items (each opening's items are those `DynamoStore.commit` writes for it, conditions included), about one call per
14 new customers instead of one each. A transaction is all or nothing: when one opening in it is refused (a
reference or the account claimed meanwhile, by a webhook or another upload), nothing of it is written, and its
openings are handed back for the use case to open one by one, as it would have without batching.

Upload-level items: the upload's inbound marker (`INBOUND#upload:<upload id>`, with where the file went) and the
back office's alert, an outbox item in the pseudo-account partition `ACCOUNT#_backoffice` (no account item lives
there), written together in one transaction.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ponte.adapters import keys
from ponte.adapters.clients import LazyClient
from ponte.adapters.dynamodb import (
    MAX_TRANSACTION_ITEMS,
    DynamoStore,
    account_from_item,
    deserialize_item,
    outbox_item,
    serialize_item,
    utc_key,
)
from ponte.domain.uploads import StoredInvoice

if TYPE_CHECKING:
    from datetime import datetime

    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

    from ponte.domain.accounts import Account
    from ponte.domain.changes import AccountChange
    from ponte.domain.ledger import CancellationRecord, InvoiceRecord
    from ponte.domain.notifications import Notification

WRITE_BATCH = 25  # BatchWriteItem limit
READ_BATCH = 100  # BatchGetItem limit


# Why a transaction may be cancelled that no smaller one would get past (as `dynamodb._cancellation` tells them):
# a defect, which propagates; any other reason (a condition, a concurrent transaction) refuses its openings.
_DEFECTS = frozenset({"ValidationError", "ItemCollectionSizeLimitExceeded"})


class UnprocessedItems(Exception):
    """DynamoDB kept refusing part of a batch after every retry; the trigger retries the run."""


def invoice_item(account_id: str, record: InvoiceRecord, *, due_at: datetime) -> dict[str, Any]:
    """The ledger's invoice item (as `dynamodb.ledger_items` writes it), flagged for re-evaluation."""
    return {
        **keys.invoice_key(account_id, record.invoice.key),
        "kind": "invoice",
        "fingerprint": record.invoice.fingerprint,
        "record": record.model_dump_json(),
        "due_pk": keys.DUE_PARTITION,
        "due_at": utc_key(due_at),
    }


class InvoiceBatches:
    """Implements the `UploadLedger` port. `calls` counts the DynamoDB calls made, by operation."""

    def __init__(
        self,
        table_name: str,
        client: DynamoDBClient | None = None,
        *,
        max_attempts: int = 8,
        base_delay: float = 0.05,
        max_delay: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.table_name = table_name
        self._client = client
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep
        self._jitter = jitter
        self.calls: Counter[str] = Counter()

    client: LazyClient[DynamoDBClient] = LazyClient("dynamodb")

    # ------------------------------------------------------------------ reads
    def stored_invoices(self, wanted: Sequence[tuple[str, str]]) -> dict[tuple[str, str], StoredInvoice]:
        by_key = {_key_id(keys.invoice_key(account_id, key)): (account_id, key) for account_id, key in wanted}
        found: dict[tuple[str, str], StoredInvoice] = {}
        for item in self._get(
            [keys.invoice_key(account_id, key) for account_id, key in dict.fromkeys(wanted)],
            projection=["pk", "sk", "fingerprint", "record"],
        ):
            record = json.loads(item["record"])
            invoice = record["invoice"]
            found[by_key[_key_id(item)]] = StoredInvoice(
                item["fingerprint"],
                record["origin"],
                invoice["number"],
                invoice.get("series"),
                installments=tuple(str(i["number"]) for i in invoice.get("installments", ())),
                reported=tuple((r["installment"], r["state"]) for r in record.get("reported", ())),
            )
        return found

    def accounts(self, account_ids: Sequence[str]) -> dict[str, Account]:
        accounts = (account_from_item(item) for item in self._get([keys.account_key(a) for a in account_ids]))
        return {account.account_id: account for account in accounts}

    def finished_upload(self, dedup_key: str) -> str | None:
        self.calls["GetItem"] += 1
        answer = self.client.get_item(
            TableName=self.table_name, Key=serialize_item(keys.inbound_key(dedup_key)), ConsistentRead=True
        )
        item = answer.get("Item")
        return None if item is None else str(deserialize_item(item).get("moved_to", ""))

    def _get(self, wanted: list[dict[str, str]], projection: list[str] | None = None) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for start in range(0, len(wanted), READ_BATCH):
            request: dict[str, Any] = {
                "Keys": [serialize_item(key) for key in wanted[start : start + READ_BATCH]],
                "ConsistentRead": True,
            }
            if projection:
                request["ProjectionExpression"] = ", ".join(f"#a{i}" for i in range(len(projection)))
                request["ExpressionAttributeNames"] = {f"#a{i}": name for i, name in enumerate(projection)}
            pending: Any = {self.table_name: request}
            for attempt in range(self.max_attempts):
                self.calls["BatchGetItem"] += 1
                answer = self.client.batch_get_item(RequestItems=pending)
                items.extend(deserialize_item(item) for item in answer.get("Responses", {}).get(self.table_name, []))
                pending = answer.get("UnprocessedKeys") or None
                if not pending:
                    break
                self._back_off(attempt)
            else:
                raise UnprocessedItems(f"BatchGetItem left keys unread after {self.max_attempts} attempts")
        return items

    # ------------------------------------------------------------------ writes
    def record_invoices(self, records: Sequence[tuple[str, InvoiceRecord]], *, due_at: datetime) -> None:
        items = [invoice_item(account_id, record, due_at=due_at) for account_id, record in records]
        # An NF-e's access key leads to its account, for a cancellation uploaded later (the same NF-e always goes
        # to the same account, so the claim needs no condition).
        items += [
            {**keys.reference_key("nfe", record.invoice.access_key), "kind": "reference", "account_id": account_id}
            for account_id, record in records
            if record.invoice.access_key
        ]
        self._put(items)

    def park_cancellation(self, record: CancellationRecord) -> None:
        self._put(
            [
                {
                    **keys.parked_cancellation_key(record.access_key),
                    "kind": "cancellation",
                    "record": record.model_dump_json(),
                }
            ]
        )

    def parked_cancellations(self, access_keys: Sequence[str]) -> list[CancellationRecord]:
        from ponte.domain.ledger import CancellationRecord  # noqa: PLC0415

        wanted = [keys.parked_cancellation_key(key) for key in dict.fromkeys(access_keys)]
        return [CancellationRecord.model_validate_json(item["record"]) for item in self._get(wanted)]

    def queue_notices(self, notifications: Sequence[Notification], *, recorded_at: datetime) -> None:
        self._put([outbox_item(notification, recorded_at) for notification in notifications])

    def open_accounts(self, changes: Sequence[AccountChange]) -> list[AccountChange]:
        """Write these openings in transactions of up to 100 items, in order; return those of the transactions that
        were cancelled by a condition or a concurrent transaction (nothing of those was written)."""
        from botocore.exceptions import ClientError  # noqa: PLC0415

        refused: list[AccountChange] = []
        for group, items in self._transactions(changes):
            self.calls["TransactWriteItems"] += 1
            try:
                self.client.transact_write_items(TransactItems=items)
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code")
                reasons = error.response.get("CancellationReasons") or []
                if code != "TransactionCanceledException" or any(r.get("Code") in _DEFECTS for r in reasons):
                    raise
                refused.extend(group)
        return refused

    def _transactions(
        self, changes: Sequence[AccountChange]
    ) -> list[tuple[list[AccountChange], list[TransactWriteItemTypeDef]]]:
        """The changes packed in order into groups of at most `MAX_TRANSACTION_ITEMS` items, with those items."""
        writer = DynamoStore(self.table_name)  # builds the items; writes nothing
        groups: list[tuple[list[AccountChange], list[TransactWriteItemTypeDef]]] = []
        for change in changes:
            items = writer.transaction_items(change)
            if len(items) > MAX_TRANSACTION_ITEMS:
                raise ValueError(f"an opening may write at most {MAX_TRANSACTION_ITEMS} items, not {len(items)}")
            if not groups or len(groups[-1][1]) + len(items) > MAX_TRANSACTION_ITEMS:
                groups.append(([], []))
            groups[-1][0].append(change)
            groups[-1][1].extend(items)
        return groups

    def _put(self, items: list[dict[str, Any]]) -> None:
        for start in range(0, len(items), WRITE_BATCH):
            batch = items[start : start + WRITE_BATCH]
            pending: Any = {self.table_name: [{"PutRequest": {"Item": serialize_item(item)}} for item in batch]}
            for attempt in range(self.max_attempts):
                self.calls["BatchWriteItem"] += 1
                pending = self.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or None
                if not pending:
                    break
                self._back_off(attempt)
            else:
                raise UnprocessedItems(f"BatchWriteItem left items unwritten after {self.max_attempts} attempts")

    def _back_off(self, attempt: int) -> None:
        """Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): uniform in [0, base * 2^n]."""
        self._sleep(self._jitter() * min(self.max_delay, self.base_delay * 2**attempt))

    def finish_upload(self, dedup_key: str, notification: Notification, *, at: datetime, moved_to: str) -> bool:
        marker = {
            **keys.inbound_key(dedup_key),
            "kind": "inbound",
            "account_id": notification.account_id,
            "at": utc_key(at),
            "moved_to": moved_to,
            "expires_at": int(at.timestamp()) + keys.INBOUND_TTL_SECONDS,
        }
        from botocore.exceptions import ClientError  # noqa: PLC0415

        self.calls["TransactWriteItems"] += 1
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": serialize_item(item),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    }
                    for item in (marker, outbox_item(notification, at))
                ]
            )
        except ClientError as error:
            reasons = error.response.get("CancellationReasons") or []
            if any(reason.get("Code") == "ConditionalCheckFailed" for reason in reasons):
                return False  # the marker exists: this upload was finished before
            raise
        return True


def _key_id(item: dict[str, Any]) -> tuple[str, str]:
    return (str(item["pk"]), str(item["sk"]))
