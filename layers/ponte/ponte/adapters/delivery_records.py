"""What the notifier reads and writes for customer notices: the account's contact as it is now, and one receipt
per channel of each notice (in the account's partition, beside its ledger; see `keys`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ponte.adapters import keys
from ponte.adapters.dynamodb import account_from_item, deserialize_item, serialize_item, utc_key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

    from ponte.domain.accounts import Contact
    from ponte.services.delivery import Receipt


class DeliveryRecords:
    """Implements the `Contacts` and `Receipts` ports of `ponte.services.delivery`."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            import boto3  # noqa: PLC0415 - created on first use, not at import

            self._client = boto3.client("dynamodb")
        return self._client

    def contact(self, account_id: str) -> Contact | None:
        answer = self.client.get_item(
            TableName=self.table_name, Key=serialize_item(keys.account_key(account_id)), ConsistentRead=True
        )
        item = answer.get("Item")
        return None if item is None else account_from_item(deserialize_item(item)).contact

    def sent(self, account_id: str, notice_id: str, channel: str) -> bool:
        answer = self.client.get_item(
            TableName=self.table_name,
            Key=serialize_item(keys.delivery_key(account_id, notice_id, channel)),
            ConsistentRead=True,
            ProjectionExpression="pk",
        )
        return "Item" in answer

    def record(self, account_id: str, notice_id: str, receipt: Receipt) -> None:
        item = {
            **keys.delivery_key(account_id, notice_id, receipt.channel),
            "kind": "delivery",
            "notification_id": notice_id,
            "channel": receipt.channel,
            "status": receipt.status,
            "at": utc_key(receipt.at),
        }
        if receipt.message_id:
            item["message_id"] = receipt.message_id
        if receipt.reason:
            item["reason"] = receipt.reason
        self.client.put_item(TableName=self.table_name, Item=serialize_item(item))
