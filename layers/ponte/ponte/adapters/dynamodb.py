"""The DynamoDB store: accounts, timelines, outbox items and inbound markers in one table."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from ponte.adapters import keys
from ponte.adapters.clients import LazyClient
from ponte.domain.accounts import Account, AccountStatus, AccountSummary, search_name
from ponte.domain.errors import ConcurrentModification, DuplicateEvent, InvalidInput

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

    from ponte.domain.accounts import TimelineEntry
    from ponte.domain.changes import AccountChange
    from ponte.domain.ledger import AccountRecords, Ledger, TimelinePage
    from ponte.domain.notifications import Notification

MAX_TRANSACTION_ITEMS = 100  # DynamoDB TransactWriteItems limit
TIMELINE_PAGE = 50  # timeline entries a staff view shows at once
# A filtered query reads this many times what its page still needs (DynamoDB filters after `Limit`), so a page whose
# filter keeps one item in four is filled in about one call.
READ_AHEAD = 4
_BATCH_GET = 100  # BatchGetItem takes at most 100 keys
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

    # Every request is built here, in shapes the tests run against the emulator: botocore's check of each one
    # against the service model (half the time of a transaction of a few items) would find nothing.
    client: LazyClient[DynamoDBClient] = LazyClient("dynamodb", {"parameter_validation": False})

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
        items = self._query(
            "pk = :pk AND sk BETWEEN :first AND :last",
            {":pk": keys.account_pk(account_id), ":first": keys.ACCOUNT, ":last": keys.LEDGER_END},
        )
        ledger = ledger_from_items(items)
        if ledger is not None and ledger.account.merged_into is not None and depth < _MAX_MERGES_FOLLOWED:
            # The customer was found to be another account's: everything now lives there.
            return self.load_ledger(ledger.account.merged_into, depth=depth + 1)
        return ledger

    def account_records(
        self, account_id: str, timeline_limit: int = TIMELINE_PAGE, depth: int = 0
    ) -> AccountRecords | None:
        """Everything staff see of an account in one strongly consistent query of its whole partition (DynamoDB
        pages it by the megabyte): the ledger, the acknowledgements, the staff alerts still in the outbox, the
        unreachable marks, and the newest `timeline_limit` entries of its history with a cursor to the older ones.
        A merged account leads to its survivor, as `load_ledger` does."""
        from ponte.domain.accounts import Acknowledgement  # noqa: PLC0415
        from ponte.domain.ledger import AccountRecords  # noqa: PLC0415

        items = self._query("pk = :pk", {":pk": keys.account_pk(account_id)})
        ledger = ledger_from_items(items)
        if ledger is None:
            return None
        if ledger.account.merged_into is not None and depth < _MAX_MERGES_FOLLOWED:
            return self.account_records(ledger.account.merged_into, timeline_limit, depth + 1)
        history = [
            item for item in items if item.get("kind") == "timeline"
        ]  # oldest first, as the sort key orders them
        page = history[::-1][:timeline_limit]
        older = len(history) > timeline_limit
        return AccountRecords(
            ledger=ledger,
            timeline=tuple(timeline_entry_from_item(item) for item in page),
            timeline_cursor=encode_cursor({"sk": page[-1]["sk"]}) if older and page else None,
            acknowledgements=tuple(
                Acknowledgement.model_validate_json(item["record"]) for item in items if item.get("kind") == "ack"
            ),
            alerts=tuple(
                _alert_seen(item) for item in items if item.get("kind") == "outbox" and item.get("audience") == "staff"
            ),
            unreachable=tuple(str(item["channel"]) for item in items if item.get("kind") == "unreachable"),
        )

    def timeline_page(self, account_id: str, cursor: str | None, limit: int = TIMELINE_PAGE) -> TimelinePage:
        """One page of the account's history, newest first, from `cursor` (a page's `cursor`; None: the newest)."""
        from ponte.domain.ledger import TimelinePage  # noqa: PLC0415

        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": serialize_item(
                {":pk": keys.account_pk(account_id), ":prefix": f"{keys.TIMELINE}#"}
            ),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if cursor is not None:
            start = decode_cursor(cursor, {"sk"})
            if not str(start["sk"]).startswith(f"{keys.TIMELINE}#"):
                raise InvalidInput("cursor: not a timeline cursor")
            request["ExclusiveStartKey"] = serialize_item({"pk": keys.account_pk(account_id), "sk": start["sk"]})
        answer = self.client.query(**request)
        entries = tuple(timeline_entry_from_item(deserialize_item(item)) for item in answer.get("Items", []))
        last = answer.get("LastEvaluatedKey")
        return TimelinePage(
            entries=entries, cursor=encode_cursor({"sk": deserialize_item(last)["sk"]}) if last else None
        )

    def audit(self, entry: TimelineEntry, request_id: str) -> None:
        """Record a staff read worth auditing (a contact revealed) in the account's history, once per request,
        without moving the account's version: a read changes nothing else."""
        key = keys.audit_timeline_key(entry.account_id, utc_key(entry.at), request_id)
        from botocore.exceptions import ClientError  # noqa: PLC0415

        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=serialize_item({**key, "kind": "timeline", **entry.model_dump(mode="json")}),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if _code(error) != "ConditionalCheckFailedException":
                raise

    def accounts(self, account_ids: list[str]) -> list[Account]:
        """The accounts with these ids that exist, in the order asked (BatchGetItem, 100 keys a call)."""
        wanted = list(dict.fromkeys(account_ids))
        found: dict[str, Account] = {}
        for start in range(0, len(wanted), 100):
            batch = [serialize_item(keys.account_key(account_id)) for account_id in wanted[start : start + 100]]
            request: Any = {self.table_name: {"Keys": batch}}
            while request:
                answer = self.client.batch_get_item(RequestItems=request)
                for item in answer.get("Responses", {}).get(self.table_name, []):
                    account = account_from_item(deserialize_item(item))
                    found[account.account_id] = account
                request = answer.get("UnprocessedKeys") or None
        return [found[account_id] for account_id in wanted if account_id in found]

    def search_names(
        self, prefix: str, *, limit: int, cursor: str | None = None, owners: frozenset[str] | None = None
    ) -> tuple[list[AccountSummary], str | None]:
        """Accounts whose name starts with `prefix` (as `search_name` compares names), in name order, one page of
        the `search` index at a time (Query; the owners filter, when given, applies to the page read)."""
        plain = search_name(prefix)
        if not plain:
            return [], None
        partition = keys.name_partition(plain)
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": keys.SEARCH_INDEX,
            "KeyConditionExpression": "search_pk = :pk AND begins_with(search_sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": partition}, ":prefix": {"S": plain}},
        }
        if owners is not None:
            _filter_owners(request, owners)
        start = None
        if cursor is not None:
            start = decode_cursor(cursor, set(_INDEX_KEY))
            if start["search_pk"] != partition:
                raise InvalidInput("cursor: not a cursor of this search")
        items, following, _ = fill_page(self.client, request, limit, _INDEX_KEY, start)
        return [summary_from_item(item) for item in items], encode_cursor(following) if following else None

    def remembered_owners(self, references: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The account each reference leads to, of those this store already read or claimed (`OwnerMemory`)."""
        return {ref: self._owners[ref] for ref in references if ref in self._owners}

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
        """Every item the query finds, page after page (DynamoDB pages by the megabyte)."""
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": serialize_item(values),
            "ConsistentRead": True,
        }
        items: list[dict[str, Any]] = []
        while True:
            answer = self.client.query(**request)
            items.extend(deserialize_item(item) for item in answer.get("Items", []))
            last = answer.get("LastEvaluatedKey")
            if not last:
                return items
            request["ExclusiveStartKey"] = last

    def timeline(self, account_id: str) -> list[TimelineEntry]:
        """The account's history, oldest first."""
        paginator = self.client.get_paginator("query")
        pages = paginator.paginate(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=serialize_item(
                {":pk": keys.account_pk(account_id), ":prefix": f"{keys.TIMELINE}#"}
            ),
        )
        return [timeline_entry_from_item(deserialize_item(item)) for page in pages for item in page.get("Items", [])]

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

    def transaction_items(self, change: AccountChange) -> list[TransactWriteItemTypeDef]:
        """The items `commit` writes for `change`, with their conditions: for a writer that puts several changes in
        one transaction (`invoice_batches.InvoiceBatches.open_accounts`)."""
        return self._transaction(change)

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
        writes.extend(
            _put_new(
                self.table_name,
                {
                    **keys.acknowledgement_key(account.account_id, ack.notification_id),
                    "kind": "ack",
                    "record": ack.model_dump_json(),
                },
            )
            for ack in change.acknowledgements
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
    name = search_name(account.name)
    if account.merged_into is None and name:
        # Staff find accounts by the start of their name; a merged account's marker is found through its survivor.
        item.update(keys.name_search_keys(name, account.account_id))
    return item


_NOT_ACCOUNT_FIELDS = frozenset({"pk", "sk", "kind", "due_pk", "search_pk", "search_sk"})


def account_from_item(item: dict[str, Any]) -> Account:
    data = {name: value for name, value in item.items() if name not in _NOT_ACCOUNT_FIELDS}
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
    items += [
        {**keys.write_off_key(account_id, w.invoice_key), "kind": "writeoff", "record": w.model_dump_json()}
        for w in change.write_offs
    ]
    return items


def ledger_from_items(items: list[dict[str, Any]]) -> Ledger | None:
    """The ledger in an account partition's items (any others are left aside); None without the account item."""
    from ponte.domain.ledger import DeliveryStatus, Ledger  # noqa: PLC0415

    account: Account | None = None
    records: dict[str, list[Any]] = {kind: [] for kind in _RECORDS}
    deliveries = []
    for item in items:
        kind = item.get("kind")
        if kind == "account":
            account = account_from_item(item)
        elif kind in records:
            records[kind].append(_record(kind, item["record"]))
        elif kind == "delivery":
            deliveries.append(
                DeliveryStatus(notice_id=item["notification_id"], channel=item["channel"], status=item["status"])
            )
    if account is None:
        return None
    # Made of records validated as they were read (and when they were written): no need to check them again.
    return Ledger.model_construct(
        account=account,
        invoices=tuple(records["invoice"]),
        payments=tuple(records["payment"]),
        notices=tuple(records["notice"]),
        cancellations=tuple(records["cancellation"]),
        deliveries=tuple(deliveries),
        write_offs=tuple(records["writeoff"]),
    )


@lru_cache(maxsize=4096)
def _record(kind: str, text: str) -> Any:
    """A ledger record from its item's JSON. Records are frozen values, so a container shares the ones it read
    lately: an account's next delivery reads the same JSON again and validates only what is new."""
    from ponte.domain.dunning import SentNotice  # noqa: PLC0415
    from ponte.domain.ledger import CancellationRecord, InvoiceRecord, PaymentRecord, WriteOffRecord  # noqa: PLC0415

    models: dict[str, Any] = {
        "invoice": InvoiceRecord,
        "payment": PaymentRecord,
        "notice": SentNotice,
        "cancellation": CancellationRecord,
        "writeoff": WriteOffRecord,
    }
    return models[kind].model_validate_json(text)


_RECORDS = ("invoice", "payment", "notice", "cancellation", "writeoff")


def timeline_entry_from_item(item: dict[str, Any]) -> TimelineEntry:
    from ponte.domain.accounts import TimelineEntry  # noqa: PLC0415

    return TimelineEntry.model_validate(plain_item({k: v for k, v in item.items() if k not in {"pk", "sk", "kind"}}))


def summary_from_item(item: dict[str, Any]) -> AccountSummary:
    """An account as the `search` index projects it (or as its item holds it)."""
    owner = item.get("owner")
    return AccountSummary(
        account_id=str(item["account_id"]),
        name=str(item["name"]),
        status=AccountStatus(item.get("status", AccountStatus.ACTIVE)),
        owner=str(owner) if owner else None,
    )


def _alert_seen(item: dict[str, Any]) -> Any:
    from ponte.domain.ledger import StaffAlertSeen  # noqa: PLC0415

    payload = json.loads(item["payload"])
    return StaffAlertSeen(
        notification_id=str(payload["notification_id"]),
        event_type=str(item.get("event_type", "")),
        severity=str(payload.get("severity", "info")),
        occurred_at=datetime.fromisoformat(payload["occurred_at"]),
        owner=payload.get("owner"),
    )


_INDEX_KEY = ("pk", "sk", "search_pk", "search_sk")  # what continues a query of the `search` index


def fill_page(
    client: DynamoDBClient,
    request: dict[str, Any],
    wanted: int,
    key_names: tuple[str, ...],
    start: dict[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None, int]:
    """Query until `wanted` items pass the request's filter or the partition ends: the items, the key to continue
    after (None at the end) and the calls it took. A filtered query reads ahead (`READ_AHEAD`); when it read more
    than the page needs, the page continues after the last item it took."""
    found: list[dict[str, Any]] = []
    calls = 0
    while True:
        need = wanted - len(found)
        query = {**request, "Limit": need * READ_AHEAD if "FilterExpression" in request else need}
        if start is not None:
            query["ExclusiveStartKey"] = serialize_item(start)
        answer = client.query(**query)
        calls += 1
        items = [deserialize_item(item) for item in answer.get("Items", [])]
        last = answer.get("LastEvaluatedKey")
        if len(items) > need or (len(items) == need and last is not None):
            found.extend(items[:need])
            return found, {name: found[-1][name] for name in key_names}, calls
        found.extend(items)
        if last is None or len(found) == wanted:
            return found, None, calls
        start = deserialize_item(last)


def _filter_owners(request: dict[str, Any], owners: frozenset[str]) -> None:
    """Keep only the items of these owners (a FilterExpression: applied to what the page read)."""
    names = {f":o{n}": {"S": owner} for n, owner in enumerate(sorted(owners))}
    request["FilterExpression"] = f"#owner IN ({', '.join(names)})" if names else "attribute_not_exists(#owner)"
    request.setdefault("ExpressionAttributeNames", {})["#owner"] = "owner"
    request["ExpressionAttributeValues"] = {**request["ExpressionAttributeValues"], **names}


def encode_cursor(key: dict[str, Any]) -> str:
    """A page's last key as an opaque token for the next request."""
    plain = {name: str(value) for name, value in key.items()}
    return base64.urlsafe_b64encode(json.dumps(plain, sort_keys=True).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, names: set[str]) -> dict[str, str]:
    """A token `encode_cursor` made, with exactly these key names; InvalidInput for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("cursor: not a cursor this API gave") from exc
    if not isinstance(key, dict) or set(key) != names or not all(isinstance(v, str) for v in key.values()):
        raise InvalidInput("cursor: not a cursor this API gave")
    return key


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


def batch_get(client: DynamoDBClient, table_name: str, item_keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items with these keys (`pk`, `sk`) that exist, read strongly consistent: BatchGetItem takes 100 keys a
    call, and the keys it leaves unprocessed are asked again."""
    items: list[dict[str, Any]] = []
    for start in range(0, len(item_keys), _BATCH_GET):
        request: Any = {
            table_name: {
                "Keys": [serialize_item(key) for key in item_keys[start : start + _BATCH_GET]],
                "ConsistentRead": True,
            }
        }
        while request:
            answer = client.batch_get_item(RequestItems=request)
            items += [deserialize_item(raw) for raw in answer.get("Responses", {}).get(table_name, [])]
            request = answer.get("UnprocessedKeys") or {}
    return items


def serialize_item(item: dict[str, Any]) -> Any:
    return {name: _attribute(value) for name, value in item.items()}


def _attribute(value: Any) -> Any:
    """A value as DynamoDB's attribute value: what Ponte's items mostly hold (text, integers, maps, lists) directly,
    anything else as boto3 serializes it (and refuses it: a float, for one)."""
    kind = type(value)
    if kind is str:
        return {"S": value}
    if kind is int:
        return {"N": str(value)}
    if kind is dict:
        return {"M": {name: _attribute(inner) for name, inner in value.items()}}
    if kind is list or kind is tuple:
        return {"L": [_attribute(inner) for inner in value]}
    return _converters()[0](value)


def deserialize_item(item: dict[str, Any]) -> dict[str, Any]:
    deserialize = _converters()[1]
    # Most attributes are strings, whose value needs no conversion.
    return {name: value["S"] if "S" in value else deserialize(value) for name, value in item.items()}


@cache
def _converters() -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """boto3's serializer and deserializer, made once per process (on first use: boto3 is not imported before)."""
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer  # noqa: PLC0415

    return TypeSerializer().serialize, TypeDeserializer().deserialize


def plain_item(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; Ponte stores only integers, so they turn back into int here."""
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, dict):
        return {name: plain_item(inner) for name, inner in value.items()}
    if isinstance(value, list):
        return [plain_item(inner) for inner in value]
    return value
