"""The sweep's read: the sparse `due` index, queried for what is due by now (never a scan).

The index holds only items with a scheduled evaluation (account items with `next_evaluation_at`) and items a bulk
writer flagged for re-evaluation (see `ponte.adapters.keys`), so a query reads in proportion to the accounts due,
not to the table. `due_at <= now` catches up on any run that was missed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ponte.adapters import keys
from ponte.adapters.clients import LazyClient
from ponte.adapters.dynamodb import deserialize_item, serialize_item, utc_key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

_ACCOUNT_PREFIX = f"{keys.ACCOUNT}#"


@dataclass
class DueAccount:
    """An account to evaluate, and the re-evaluation flags (sort key, due_at) found on its other items."""

    account_id: str
    flags: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class DueScan:
    accounts: list[DueAccount]
    items_read: int
    pages: int


class DueIndex:
    """Reads the `due` index of the single table. Implements the sweep's `DueAccounts` port."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self.table_name = table_name
        self._client = client

    client: LazyClient[DynamoDBClient] = LazyClient("dynamodb")

    def due(self, now: datetime) -> DueScan:
        """Every account with an evaluation due at or before `now`, oldest first, one entry per account."""
        paginator = self.client.get_paginator("query")
        pages = paginator.paginate(
            TableName=self.table_name,
            IndexName=keys.DUE_INDEX,
            KeyConditionExpression="due_pk = :due AND due_at <= :now",
            ExpressionAttributeValues=serialize_item({":due": keys.DUE_PARTITION, ":now": utc_key(now)}),
        )
        accounts: dict[str, DueAccount] = {}
        items_read = page_count = 0
        for page in pages:
            page_count += 1
            items_read += int(page.get("Count", 0))
            for raw in page.get("Items", []):
                self._add(accounts, deserialize_item(raw))
        return DueScan(accounts=list(accounts.values()), items_read=items_read, pages=page_count)

    @staticmethod
    def _add(accounts: dict[str, DueAccount], item: dict[str, Any]) -> None:
        partition = str(item["pk"])
        if not partition.startswith(_ACCOUNT_PREFIX):
            return  # only account partitions are evaluated
        account_id = partition.removeprefix(_ACCOUNT_PREFIX)
        entry = accounts.setdefault(account_id, DueAccount(account_id))
        if item["sk"] != keys.ACCOUNT:
            entry.flags.append((str(item["sk"]), str(item["due_at"])))
