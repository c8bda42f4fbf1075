"""The overdue book and the collections notifications that belong to no single change.

| access pattern                          | key                                                      |
|-----------------------------------------|----------------------------------------------------------|
| accounts that owe or are suspended      | pk=COLLECTIONS#BOOK, sk=ACCOUNT#<id> (the daily digest    |
|                                         | reads this partition: cost follows the overdue book)     |
| an owner's entries, oldest debt first   | GSI `search`: search_pk=BOOK#<owner or ->, search_sk=     |
| (the staff's overdue book)              | <overdue since>#<account id>; an age bucket is a range   |
|                                         | of that date                                             |
| a staff alert outside an account change | pk=ACCOUNT#<id>, sk=OUTBOX#<notification id> (create once)|
| a business-wide notification (digest)   | pk=COLLECTIONS#NOTICE, sk=OUTBOX#<notification id>       |

The book is a projection the collections worker (and a staff action) keeps after each evaluation; the digest
evaluates every account it lists again from its ledger, so a stale entry (say, an account reactivated by a payment)
shows correctly and is removed then, and the staff's book reads each page's accounts again (one BatchGetItem) and
shows what they are now.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ponte.adapters import keys
from ponte.adapters.clients import LazyClient
from ponte.adapters.dynamodb import (
    decode_cursor,
    deserialize_item,
    encode_cursor,
    fill_page,
    fits_a_key,
    outbox_item,
    serialize_item,
    utc_key,
)
from ponte.domain.errors import InvalidInput

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

    from ponte.domain.accounts import AccountStatus
    from ponte.domain.notifications import Notification

BOOK_PARTITION = "COLLECTIONS#BOOK"
NOTICE_PARTITION = "COLLECTIONS#NOTICE"


@dataclass(frozen=True)
class BookEntry:
    account_id: str
    status: str
    suspended_at: datetime | None = None
    owner: str | None = None
    overdue_since: date | None = None


@dataclass(frozen=True)
class BookPage:
    entries: list[BookEntry]
    cursor: str | None  # where the next page starts; None after the last
    calls: int  # DynamoDB queries this page took


class CollectionsBook:
    """Implements the `Book` port of the collections use cases on the single table."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self.table_name = table_name
        self._client = client

    client: LazyClient[DynamoDBClient] = LazyClient("dynamodb")

    def keep(
        self,
        account_id: str,
        status: AccountStatus,
        suspended_at: datetime | None,
        *,
        owner: str | None = None,
        overdue_since: date | None = None,
    ) -> None:
        """List the account in the book with its status; `suspended_at` when this evaluation suspended it. With
        `overdue_since` (the due date the ladder counts from), the entry is also listed in its owner's book."""
        values: dict[str, Any] = {":account": account_id, ":status": status.value}
        expression = "SET account_id = :account, #status = :status"
        names = {"#status": "status"}
        if overdue_since is not None:
            index = keys.book_search_keys(owner, overdue_since.isoformat(), account_id)
            expression += ", search_pk = :spk, search_sk = :ssk, overdue_since = :since, #owner = :owner"
            values |= {
                ":spk": index["search_pk"],
                ":ssk": index["search_sk"],
                ":since": overdue_since.isoformat(),
                ":owner": owner or keys.NO_OWNER,
            }
            names["#owner"] = "owner"
        if suspended_at is not None:
            expression += ", suspended_at = :at"
            values[":at"] = utc_key(suspended_at)
        elif status.value != "suspended":
            expression += " REMOVE suspended_at"
        self.client.update_item(
            TableName=self.table_name,
            Key=serialize_item(_book_key(account_id)),
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=serialize_item(values),
        )

    def drop(self, account_id: str) -> None:
        self.client.delete_item(TableName=self.table_name, Key=serialize_item(_book_key(account_id)))

    def entries(self) -> list[BookEntry]:
        paginator = self.client.get_paginator("query")
        pages = paginator.paginate(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=serialize_item({":pk": BOOK_PARTITION}),
        )
        return [_entry(deserialize_item(raw)) for page in pages for raw in page.get("Items", [])]

    def page(
        self,
        *,
        owners: list[str] | None,
        statuses: frozenset[str],
        since_from: date | None,
        since_to: date | None,
        limit: int,
        cursor: str | None = None,
    ) -> BookPage:
        """Up to `limit` entries of the overdue book: of these `owners` (None: everyone's), in these statuses,
        overdue since a day in [since_from, since_to].

        By owner, each owner's entries come from the `search` index, oldest debt first, an age range being a range
        of its sort key, so a page costs about one query per owner it spans; everyone's come from the book's own
        partition, filtered. The status filter applies to what each query read (overdue or suspended: at most the
        book itself)."""
        request = _PageRequest(owners, statuses, since_from, since_to)
        state = _decode_state(cursor, len(owners) if owners is not None else 1)
        if state is not None and state[1] is not None and not request.leads_to(state[0], state[1]):
            raise InvalidInput("cursor: not a cursor of this book")
        found: list[BookEntry] = []
        calls = 0
        while state is not None and len(found) < limit:
            position, start = state
            key_names = ("pk", "sk") if request.owners is None else ("pk", "sk", "search_pk", "search_sk")
            items, following, made = fill_page(
                self.client, request.query(self.table_name, position), limit - len(found), key_names, start
            )
            calls += made
            found.extend(_entry(item) for item in items)
            if following is not None:
                state = (position, following)
            elif request.owners is not None and position + 1 < len(request.owners):
                state = (position + 1, None)
            else:
                state = None
        return BookPage(entries=found, cursor=_encode_state(state), calls=calls)

    def publish(self, notification: Notification, recorded_at: datetime, *, business_wide: bool = False) -> bool:
        """Write one outbox item, once: False when a notification with the same id was already written."""
        item = outbox_item(notification, recorded_at)
        if business_wide:
            item["pk"] = NOTICE_PARTITION
        from botocore.exceptions import ClientError  # noqa: PLC0415

        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=serialize_item(item),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True


def _book_key(account_id: str) -> dict[str, str]:
    return {"pk": BOOK_PARTITION, "sk": keys.account_pk(account_id)}


def _entry(item: dict[str, Any]) -> BookEntry:
    suspended_at = item.get("suspended_at")
    since = item.get("overdue_since")
    owner = item.get("owner")
    return BookEntry(
        account_id=str(item["account_id"]),
        status=str(item["status"]),
        suspended_at=datetime.fromisoformat(suspended_at) if suspended_at else None,
        owner=None if owner in (None, keys.NO_OWNER) else str(owner),
        overdue_since=date.fromisoformat(since) if since else None,
    )


@dataclass(frozen=True)
class _PageRequest:
    owners: list[str] | None
    statuses: frozenset[str]
    since_from: date | None
    since_to: date | None

    def leads_to(self, position: int, start: dict[str, Any]) -> bool:
        """Whether a cursor's key belongs to the query it would continue: the very attributes that query's last
        key has, in its partition and, on the index read by a range of days, within that range. DynamoDB refuses
        any other start key, which would be a 500 for a value someone sent."""
        if self.owners is None:
            return set(start) == {"pk", "sk"} and start["pk"] == BOOK_PARTITION
        owner = keys.book_partition(self.owners[position])
        if set(start) != _KEY_NAMES or start["search_pk"] != owner or start["pk"] != BOOK_PARTITION:
            return False
        low, high = self._days()
        return bool(low <= start["search_sk"] <= high)

    def _days(self) -> tuple[str, str]:
        """The range of the index's sort key the owners' queries read (every key, without a range of days)."""
        return _day(self.since_from, "0000-00-00"), _day(self.since_to, "9999-99-99") + "#\uffff"

    def query(self, table: str, position: int) -> dict[str, Any]:
        values: dict[str, Any] = {}
        names: dict[str, str] = {}
        filters: list[str] = []
        if self.owners is None:
            condition = "pk = :pk"
            values[":pk"] = BOOK_PARTITION
            query: dict[str, Any] = {"TableName": table}
            if self.since_from or self.since_to:
                filters.append("overdue_since BETWEEN :from AND :to")
                values |= {":from": _day(self.since_from, "0000-00-00"), ":to": _day(self.since_to, "9999-99-99")}
        else:
            condition = "search_pk = :pk"
            values[":pk"] = keys.book_partition(self.owners[position])
            query = {"TableName": table, "IndexName": keys.SEARCH_INDEX}
            if self.since_from or self.since_to:
                condition += " AND search_sk BETWEEN :from AND :to"
                low, high = self._days()
                values |= {":from": low, ":to": high}
        if self.statuses:
            statuses = {f":s{n}": status for n, status in enumerate(sorted(self.statuses))}
            filters.append(f"#status IN ({', '.join(statuses)})")
            names["#status"] = "status"
            values |= statuses
        query |= {"KeyConditionExpression": condition, "ExpressionAttributeValues": serialize_item(values)}
        if filters:
            query["FilterExpression"] = " AND ".join(filters)
        if names:
            query["ExpressionAttributeNames"] = names
        return query


def _day(day: date | None, default: str) -> str:
    return day.isoformat() if day is not None else default


def _encode_state(state: tuple[int, dict[str, Any] | None] | None) -> str | None:
    if state is None:
        return None
    position, start = state
    return encode_cursor({"at": str(position), "key": json.dumps(start or {}, sort_keys=True)})


def _decode_state(cursor: str | None, queries: int) -> tuple[int, dict[str, Any] | None] | None:
    """Where a page starts: which owner's query, and after which key of it."""
    if cursor is None:
        return (0, None)
    raw = decode_cursor(cursor, {"at", "key"})
    try:
        position, start = int(raw["at"]), json.loads(raw["key"])
    except (ValueError, RecursionError) as exc:
        raise InvalidInput("cursor: not a cursor this API gave") from exc
    if not 0 <= position < queries or not isinstance(start, dict):
        raise InvalidInput("cursor: not a cursor this API gave")
    if start and (set(start) - _KEY_NAMES or not all(fits_a_key(v) for v in start.values())):
        raise InvalidInput("cursor: not a cursor this API gave")
    return (position, start or None)


_KEY_NAMES = {"pk", "sk", "search_pk", "search_sk"}
