"""The overdue book and the collections notifications that belong to no single change.

| access pattern                          | key                                                      |
|-----------------------------------------|----------------------------------------------------------|
| accounts that owe or are suspended      | pk=COLLECTIONS#BOOK, sk=ACCOUNT#<id> (the daily digest    |
|                                         | reads this partition: cost follows the overdue book)     |
| a staff alert outside an account change | pk=ACCOUNT#<id>, sk=OUTBOX#<notification id> (create once)|
| a business-wide notification (digest)   | pk=COLLECTIONS#NOTICE, sk=OUTBOX#<notification id>       |

The book is a projection the collections worker keeps after each evaluation; the digest evaluates every account it
lists again from its ledger, so a stale entry (say, an account reactivated by a payment) shows correctly and is
removed then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ponte.adapters import keys
from ponte.adapters.dynamodb import deserialize_item, outbox_item, serialize_item, utc_key

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


class CollectionsBook:
    """Implements the `Book` port of the collections use cases on the single table."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            import boto3  # noqa: PLC0415 - created on first use, not at import

            self._client = boto3.client("dynamodb")
        return self._client

    def keep(self, account_id: str, status: AccountStatus, suspended_at: datetime | None) -> None:
        """List the account in the book with its status; `suspended_at` when this evaluation suspended it."""
        values: dict[str, Any] = {":account": account_id, ":status": status.value}
        expression = "SET account_id = :account, #status = :status"
        if suspended_at is not None:
            expression += ", suspended_at = :at"
            values[":at"] = utc_key(suspended_at)
        elif status.value != "suspended":
            expression += " REMOVE suspended_at"
        self.client.update_item(
            TableName=self.table_name,
            Key=serialize_item(_book_key(account_id)),
            UpdateExpression=expression,
            ExpressionAttributeNames={"#status": "status"},
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
        found = []
        for page in pages:
            for raw in page.get("Items", []):
                item = deserialize_item(raw)
                suspended_at = item.get("suspended_at")
                found.append(
                    BookEntry(
                        account_id=str(item["account_id"]),
                        status=str(item["status"]),
                        suspended_at=datetime.fromisoformat(suspended_at) if suspended_at else None,
                    )
                )
        return found

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
