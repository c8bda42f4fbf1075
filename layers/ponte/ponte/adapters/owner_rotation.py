"""The turn counters of the staff directory's round robins, in the single table.

| access pattern                          | key                                                      |
|-----------------------------------------|----------------------------------------------------------|
| take the next turn of a team's round    | pk=ROTATION#<team id>, sk=ROTATION; `turns` (a number),  |
| robin (one atomic UpdateItem ADD)       | 1 after the first account, 2 after the second...         |

One UpdateItem with `ADD turns :one` and `ReturnValues=UPDATED_NEW`: DynamoDB applies concurrent ADDs one after
the other, so two accounts opened at the same moment (two webhooks, two uploads) never take the same turn. The item
is created by the first ADD; it carries no TTL (a team's rotation lives as long as the team), no `due_pk` (it never
enters the due index) and its own `kind`, which the notifier's stream filter (outbox inserts only) ignores.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ponte.adapters.clients import LazyClient
from ponte.adapters.dynamodb import serialize_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

ROTATION: Final = "ROTATION"


def rotation_key(team: str) -> dict[str, str]:
    return {"pk": f"{ROTATION}#{team}", "sk": ROTATION}


class RotationCounters:
    """Implements the `OwnerRotation` port of `ponte.services.owners` on the table."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self.table_name = table_name
        self._client = client

    client: LazyClient[DynamoDBClient] = LazyClient("dynamodb")

    def next_turn(self, team: str) -> int:
        answer = self.client.update_item(
            TableName=self.table_name,
            Key=serialize_item(rotation_key(team)),
            UpdateExpression="SET #kind = :kind, team = :team ADD turns :one",
            ExpressionAttributeNames={"#kind": "kind"},
            ExpressionAttributeValues={":kind": {"S": "rotation"}, ":team": {"S": team}, ":one": {"N": "1"}},
            ReturnValues="UPDATED_NEW",
        )
        return int(answer["Attributes"]["turns"]["N"])
