"""The DynamoDB store: accounts, timelines, outbox items and inbound markers in one table."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ponte.adapters import keys
from ponte.domain.accounts import Account
from ponte.domain.errors import ConcurrentModification, DuplicateEvent

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

    from ponte.domain.accounts import TimelineEntry
    from ponte.domain.changes import AccountChange
    from ponte.domain.ledger import Ledger
    from ponte.domain.notifications import Notification

MAX_TRANSACTION_ITEMS = 100  # DynamoDB TransactWriteItems limit
_MAX_MERGES_FOLLOWED = 3  # a merged account leads to its survivor, which may itself have been merged


def utc_key(moment: datetime) -> str:
    """A fixed-width UTC timestamp, so that string order is time order in sort keys and indexes."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


class DynamoStore:
    """Reads and writes Ponte's single table. Implements the `AccountStore` port."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self.table_name = table_name
        self._client = client
        # A reference, once claimed, leads to the same account forever (the claim is conditional and never
        # rewritten): what was found is kept for the container's life. What was not found is asked again.
        self._owners: dict[tuple[str, str], str] = {}

    @property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            import boto3  # noqa: PLC0415 - created on first use, not at import

            self._client = boto3.client("dynamodb")
        return self._client

    def get_account(self, account_id: str) -> Account | None:
        answer = self.client.get_item(
            TableName=self.table_name, Key=serialize_item(keys.account_key(account_id)), ConsistentRead=True
        )
        item = answer.get("Item")
        return None if item is None else account_from_item(deserialize_item(item))

    def load_ledger(self, account_id: str, depth: int = 0) -> Ledger | None:
        """The account with its invoices, payments and notices sent: one strongly consistent query on the account's
        partition, since a change is decided on it and written only if the account is still at the version read
        (an eventually consistent read after a conflict could return the same stale version again)."""
        from ponte.domain.dunning import SentNotice  # noqa: PLC0415
        from ponte.domain.ledger import (  # noqa: PLC0415
            CancellationRecord,
            DeliveryStatus,
            InvoiceRecord,
            Ledger,
            PaymentRecord,
        )

        account: Account | None = None
        invoices, payments, notices, cancellations, deliveries = [], [], [], [], []
        for item in self._query(
            "pk = :pk AND sk BETWEEN :first AND :last",
            {":pk": keys.account_pk(account_id), ":first": keys.ACCOUNT, ":last": keys.LEDGER_END},
        ):
            kind = item["kind"]
            if kind == "account":
                account = account_from_item(item)
            elif kind == "invoice":
                invoices.append(InvoiceRecord.model_validate_json(item["record"]))
            elif kind == "payment":
                payments.append(PaymentRecord.model_validate_json(item["record"]))
            elif kind == "notice":
                notices.append(SentNotice.model_validate_json(item["record"]))
            elif kind == "cancellation":
                cancellations.append(CancellationRecord.model_validate_json(item["record"]))
            elif kind == "delivery":
                deliveries.append(
                    DeliveryStatus(notice_id=item["notification_id"], channel=item["channel"], status=item["status"])
                )
        if account is None:
            return None
        if account.merged_into is not None and depth < _MAX_MERGES_FOLLOWED:
            # The customer was found to be another account's: everything now lives there.
            return self.load_ledger(account.merged_into, depth=depth + 1)
        return Ledger(
            account=account,
            invoices=tuple(invoices),
            payments=tuple(payments),
            notices=tuple(notices),
            cancellations=tuple(cancellations),
            deliveries=tuple(deliveries),
        )

    def owners_of(self, references: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The account each already-claimed reference leads to (BatchGetItem, 100 keys a call). Read consistently:
        a delivery that lost the race to open an account must find, when it reads again, the reference just
        claimed."""
        owners = {ref: self._owners[ref] for ref in references if ref in self._owners}
        wanted = [ref for ref in dict.fromkeys(references) if ref not in owners]
        by_key = {keys.reference_key(kind, value)["pk"]: (kind, value) for kind, value in wanted}
        for start in range(0, len(wanted), 100):
            batch = [serialize_item(keys.reference_key(kind, value)) for kind, value in wanted[start : start + 100]]
            request: Any = {self.table_name: {"Keys": batch, "ConsistentRead": True}}
            while request:
                answer = self.client.batch_get_item(RequestItems=request)
                for item in answer.get("Responses", {}).get(self.table_name, []):
                    plain = deserialize_item(item)
                    owners[by_key[plain["pk"]]] = plain["account_id"]
                request = answer.get("UnprocessedKeys") or None
        self._owners.update(owners)
        return owners

    def _query(self, condition: str, values: dict[str, Any]) -> list[dict[str, Any]]:
        paginator = self.client.get_paginator("query")
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": serialize_item(values),
            "ConsistentRead": True,
        }
        return [deserialize_item(item) for page in paginator.paginate(**request) for item in page.get("Items", [])]

    def timeline(self, account_id: str) -> list[TimelineEntry]:
        """The account's history, oldest first."""
        from ponte.domain.accounts import TimelineEntry  # noqa: PLC0415

        paginator = self.client.get_paginator("query")
        pages = paginator.paginate(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=serialize_item(
                {":pk": keys.account_pk(account_id), ":prefix": f"{keys.TIMELINE}#"}
            ),
        )
        return [
            TimelineEntry.model_validate(
                plain_item({k: v for k, v in deserialize_item(item).items() if k not in {"pk", "sk", "kind"}})
            )
            for page in pages
            for item in page.get("Items", [])
        ]

    def commit(self, change: AccountChange) -> None:
        items = self._transaction(change)
        if len(items) > MAX_TRANSACTION_ITEMS:
            raise ValueError(f"a change may write at most {MAX_TRANSACTION_ITEMS} items, not {len(items)}")
        from botocore.exceptions import ClientError  # noqa: PLC0415

        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as error:
            refused = _cancellation(error.response, items) if _code(error) == "TransactionCanceledException" else None
            if refused is None:
                raise
            raise refused from error
        self._owners.update(dict.fromkeys(change.references, change.account.account_id))
        if change.merge is not None:
            self._owners.update(dict.fromkeys(change.merge.references, change.account.account_id))

    def _transaction(self, change: AccountChange) -> list[TransactWriteItemTypeDef]:
        account = change.account
        writes: list[TransactWriteItemTypeDef] = []
        if change.dedup_key is not None:
            writes.append(
                _put_new(
                    self.table_name,
                    {
                        **keys.inbound_key(change.dedup_key),
                        "kind": "inbound",
                        "account_id": account.account_id,
                        "at": utc_key(change.recorded_at),
                        "expires_at": _epoch(change.recorded_at) + keys.INBOUND_TTL_SECONDS,
                    },
                )
            )
        account_put = _put_new(self.table_name, account_item(account))
        if change.expected_version is not None:
            account_put["Put"]["ConditionExpression"] = "#version = :expected"
            account_put["Put"]["ExpressionAttributeNames"] = {"#version": "version"}
            account_put["Put"]["ExpressionAttributeValues"] = serialize_item({":expected": change.expected_version})
        writes.append(account_put)
        writes.extend(
            {"Put": {"TableName": self.table_name, "Item": serialize_item(timeline_item(entry, account.version, seq))}}
            for seq, entry in enumerate(change.timeline)
        )
        writes.extend(
            {"Put": {"TableName": self.table_name, "Item": serialize_item(item)}} for item in ledger_items(change)
        )
        for kind, value in change.references:
            claim = _put_new(
                self.table_name,
                {**keys.reference_key(kind, value), "kind": "reference", "account_id": account.account_id},
            )
            # Claimed once; claiming it again for the same account is harmless.
            claim["Put"]["ConditionExpression"] = "attribute_not_exists(pk) OR account_id = :account"
            claim["Put"]["ExpressionAttributeValues"] = serialize_item({":account": account.account_id})
            writes.append(claim)
        writes.extend(
            _put_new(self.table_name, outbox_item(notification, change.recorded_at))
            for notification in change.notifications
        )
        if change.merge is not None:
            writes.extend(self._merge_writes(change))
        writes.extend(
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": serialize_item({"pk": keys.account_pk(account.account_id), "sk": sort_key}),
                    "UpdateExpression": "REMOVE due_pk, due_at",
                    "ConditionExpression": "due_at = :seen",
                    "ExpressionAttributeValues": serialize_item({":seen": seen}),
                }
            }
            for sort_key, seen in change.cleared_flags
        )
        return writes

    def _merge_writes(self, change: AccountChange) -> list[TransactWriteItemTypeDef]:
        """The absorbed account becomes a marker (if still at the version read), its ledger items leave its
        partition (their copies are in the change's ledger items), and its references move to the survivor."""
        assert change.merge is not None
        merge, survivor = change.merge, change.account.account_id
        absorbed = merge.absorbed
        absorbed_id = absorbed.account.account_id
        marker = _put_new(self.table_name, account_item(merge.marker))
        marker["Put"]["ConditionExpression"] = "#version = :expected"
        marker["Put"]["ExpressionAttributeNames"] = {"#version": "version"}
        marker["Put"]["ExpressionAttributeValues"] = serialize_item({":expected": absorbed.account.version})
        writes: list[TransactWriteItemTypeDef] = [marker]
        gone = [keys.invoice_key(absorbed_id, r.invoice.key) for r in absorbed.invoices]
        gone += [keys.payment_key(absorbed_id, p.provider, p.payment_id) for p in absorbed.payments]
        gone += [keys.notice_key(absorbed_id, utc_key(n.sent_at), n.step_id, n.channel) for n in absorbed.notices]
        gone += [keys.cancellation_key(absorbed_id, c.access_key) for c in absorbed.cancellations]
        writes.extend({"Delete": {"TableName": self.table_name, "Key": serialize_item(key)}} for key in gone)
        writes.extend(
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": serialize_item(timeline_item(entry, merge.marker.version, seq)),
                }
            }
            for seq, entry in enumerate(merge.timeline)
        )
        writes.extend(
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": serialize_item(keys.reference_key(kind, value)),
                    "UpdateExpression": "SET account_id = :survivor",
                    "ConditionExpression": "account_id = :absorbed",
                    "ExpressionAttributeValues": serialize_item({":survivor": survivor, ":absorbed": absorbed_id}),
                }
            }
            for kind, value in merge.references
        )
        return writes


def _put_new(table_name: str, item: dict[str, Any]) -> TransactWriteItemTypeDef:
    return {
        "Put": {
            "TableName": table_name,
            "Item": serialize_item(item),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


# Reasons a transaction is cancelled that no attempt with the same items can get past (DynamoDB API reference,
# TransactWriteItems, CancellationReason): a defect, left to the trigger's 5xx, never retried as a conflict.
_NOT_CONFLICTS = frozenset({"ValidationError", "ItemCollectionSizeLimitExceeded"})


def _cancellation(response: Any, items: list[TransactWriteItemTypeDef]) -> Exception | None:
    """Name the reason a transaction was cancelled, from the item whose condition failed. None when it is no
    conflict (the ClientError then propagates). A `TransactionConflict` (another transaction on the same item)
    is a conflict like a failed condition: read again and retry."""
    reasons = response.get("CancellationReasons") or []
    if any(reason.get("Code") in _NOT_CONFLICTS for reason in reasons):
        return None
    for reason, item in zip(reasons, items, strict=False):
        if reason.get("Code") != "ConditionalCheckFailed":
            continue
        if "Update" in item:
            return ConcurrentModification("a re-evaluation flag or a merged reference changed since it was read")
        sort_key = item["Put"]["Item"]["sk"]
        if sort_key == {"S": keys.ACCOUNT}:
            return ConcurrentModification("the account changed since it was read")
        if sort_key == {"S": keys.REF}:
            return ConcurrentModification("a reference of this account belongs to another account")
        return DuplicateEvent("this change was already recorded")
    return ConcurrentModification("the transaction was cancelled by a concurrent one; retry")


def _code(error: Any) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def account_item(account: Account) -> dict[str, Any]:
    item: dict[str, Any] = {
        **keys.account_key(account.account_id),
        "kind": "account",
        **account.model_dump(mode="json", exclude={"next_evaluation_at"}, exclude_none=True),
    }
    if account.next_evaluation_at is not None:
        # Only accounts with an evaluation to come carry the index attributes: the index stays sparse.
        item["due_pk"] = keys.DUE_PARTITION
        item["due_at"] = utc_key(account.next_evaluation_at)
    return item


def account_from_item(item: dict[str, Any]) -> Account:
    data = {name: value for name, value in item.items() if name not in {"pk", "sk", "kind", "due_pk"}}
    due_at = data.pop("due_at", None)
    if due_at is not None:
        data["next_evaluation_at"] = due_at
    return Account.model_validate(plain_item(data))


def ledger_items(change: AccountChange) -> list[dict[str, Any]]:
    account_id = change.account.account_id
    items: list[dict[str, Any]] = [
        {
            **keys.invoice_key(account_id, record.invoice.key),
            "kind": "invoice",
            "fingerprint": record.invoice.fingerprint,
            "record": record.model_dump_json(),
        }
        for record in change.invoices
    ]
    items += [
        {**keys.payment_key(account_id, p.provider, p.payment_id), "kind": "payment", "record": p.model_dump_json()}
        for p in change.payments
    ]
    items += [
        {
            **keys.notice_key(account_id, utc_key(n.sent_at), n.step_id, n.channel),
            "kind": "notice",
            "record": n.model_dump_json(),
        }
        for n in change.notices
    ]
    items += [
        {**keys.cancellation_key(account_id, c.access_key), "kind": "cancellation", "record": c.model_dump_json()}
        for c in change.cancellations
    ]
    return items


def timeline_item(entry: TimelineEntry, version: int, seq: int) -> dict[str, Any]:
    return {
        **keys.timeline_key(entry.account_id, utc_key(entry.at), version, seq),
        "kind": "timeline",
        **entry.model_dump(mode="json"),
    }


def outbox_item(notification: Notification, recorded_at: datetime) -> dict[str, Any]:
    return {
        **keys.outbox_key(notification.account_id, notification.notification_id),
        "kind": "outbox",
        "audience": notification.audience.value,
        "event_type": notification.event_type,
        "payload": notification.model_dump_json(),
        "expires_at": _epoch(recorded_at) + keys.OUTBOX_TTL_SECONDS,
    }


def serialize_item(item: dict[str, Any]) -> Any:
    from boto3.dynamodb.types import TypeSerializer  # noqa: PLC0415

    serializer = TypeSerializer()
    return {name: serializer.serialize(value) for name, value in item.items()}


def deserialize_item(item: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeDeserializer  # noqa: PLC0415

    deserializer = TypeDeserializer()
    return {name: deserializer.deserialize(value) for name, value in item.items()}


def plain_item(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; Ponte stores only integers, so they turn back into int here."""
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, dict):
        return {name: plain_item(inner) for name, inner in value.items()}
    if isinstance(value, list):
        return [plain_item(inner) for inner in value]
    return value
