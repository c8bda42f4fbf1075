"""Pending escalations of staff alerts (see `ponte.services.escalation`): one item per escalating alert in the
account's partition, found when due through the `due` index's `ESCALATION` partition, as parked notifications are
through `PARKED` (`ponte.adapters.parking`).

| access pattern                          | key                                                             |
|-----------------------------------------|-----------------------------------------------------------------|
| an alert's escalation (once per alert)  | pk=ACCOUNT#<id>, sk=STAFF#ESCALATION#<notification id>          |
| escalations due by now                  | GSI `due`: due_pk=ESCALATION, due_at <= now (only while         |
|                                         | pending: settling it drops both attributes)                     |
| whether the alert was acknowledged      | pk=ACCOUNT#<id>, sk=STAFF#ACK#<notification id>                 |
| the escalation alert                    | pk=ACCOUNT#<id>, sk=OUTBOX#<its notification id>                |
| the escalation in the account's history | pk=ACCOUNT#<id>, sk=TIMELINE#<utc>#ESCALATION#<notification id> |

A settled item stays, with `outcome` (escalated, acknowledged, account_gone) and `settled_at`, until its TTL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from ponte.adapters import keys
from ponte.adapters.clients import LazyClient
from ponte.adapters.dynamodb import batch_get, deserialize_item, outbox_item, serialize_item, utc_key
from ponte.domain.escalation import DueEscalation, PendingEscalation
from ponte.domain.notifications import Team

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

    from ponte.domain.accounts import TimelineEntry
    from ponte.domain.bodies.staff import EscalatedSubject
    from ponte.domain.escalation import Settled
    from ponte.domain.notifications import Notification


class Escalations:
    """Implements the `PendingEscalations` port of `ponte.services.escalation`."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self.table_name = table_name
        self._client = client

    client: LazyClient[DynamoDBClient] = LazyClient("dynamodb")

    def add(self, pending: PendingEscalation) -> bool:
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=serialize_item(pending_item(pending)),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def due(self, now: datetime) -> list[DueEscalation]:
        paginator = self.client.get_paginator("query")
        pages = paginator.paginate(
            TableName=self.table_name,
            IndexName=keys.DUE_INDEX,
            KeyConditionExpression="due_pk = :escalation AND due_at <= :now",
            ExpressionAttributeValues=serialize_item({":escalation": keys.ESCALATION_PARTITION, ":now": utc_key(now)}),
        )
        # The index keeps keys only, and may lag: the items are read, and kept only while still pending and due.
        found = [deserialize_item(raw) for page in pages for raw in page.get("Items", [])]
        items = batch_get(self.client, self.table_name, [{"pk": i["pk"], "sk": i["sk"]} for i in found])
        waiting = sorted(
            (pending_from_item(item) for item in items if _still_due(item, now)),
            key=lambda pending: (pending.due_at, pending.account_id, pending.alert_id),
        )
        if not waiting:
            return []
        wanted = [keys.acknowledgement_key(p.account_id, p.alert_id) for p in waiting]
        wanted += [keys.account_key(account_id) for account_id in dict.fromkeys(p.account_id for p in waiting)]
        read = batch_get(self.client, self.table_name, wanted)
        acknowledged = {(str(i["pk"]), str(i["sk"])) for i in read if i.get("kind") == "ack"}
        names = {str(i["pk"]): _live_name(i) for i in read if i.get("kind") == "account"}
        due: list[DueEscalation] = []
        for pending in waiting:
            ack = keys.acknowledgement_key(pending.account_id, pending.alert_id)
            due.append(
                DueEscalation(
                    pending=pending,
                    acknowledged=(ack["pk"], ack["sk"]) in acknowledged,
                    account_name=names.get(keys.account_pk(pending.account_id)),
                )
            )
        return due

    def settle(self, due: DueEscalation, outcome: Settled, now: datetime) -> bool:
        try:
            self.client.update_item(**self._settling(due, outcome, now))
        except self.client.exceptions.ConditionalCheckFailedException:
            return False  # settled by another run, or gone
        return True

    def escalate(self, due: DueEscalation, alert: Notification, entry: TimelineEntry, now: datetime) -> bool:
        pending = due.pending
        history = {
            **keys.escalation_timeline_key(pending.account_id, utc_key(now), pending.alert_id),
            "kind": "timeline",
            **entry.model_dump(mode="json"),
        }
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {"Update": self._settling(due, "escalated", now, escalation_id=alert.notification_id)},
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": serialize_item(outbox_item(alert, now)),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": serialize_item(history),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
        except self.client.exceptions.TransactionCanceledException:
            return False  # escalated or settled by another run since it was read
        return True

    def _settling(self, due: DueEscalation, outcome: Settled, now: datetime, **more: str) -> Any:
        pending = due.pending
        values = {":seen": utc_key(pending.due_at), ":outcome": outcome, ":now": utc_key(now)}
        assignments = ["outcome = :outcome", "settled_at = :now"]
        for name, value in more.items():
            values[f":{name}"] = value
            assignments.append(f"{name} = :{name}")
        return {
            "TableName": self.table_name,
            "Key": serialize_item(keys.escalation_key(pending.account_id, pending.alert_id)),
            "UpdateExpression": f"REMOVE due_pk, due_at SET {', '.join(assignments)}",
            "ConditionExpression": "due_at = :seen",
            "ExpressionAttributeValues": serialize_item(values),
        }


def pending_item(pending: PendingEscalation) -> dict[str, Any]:
    item: dict[str, Any] = {
        **keys.escalation_key(pending.account_id, pending.alert_id),
        "kind": "escalation",
        "account_id": pending.account_id,
        "alert_id": pending.alert_id,
        "alert_kind": pending.alert_kind,
        "subject": pending.subject,
        "owner": pending.owner,
        "owner_name": pending.owner_name,
        "sent_at": utc_key(pending.sent_at),
        "due_pk": keys.ESCALATION_PARTITION,
        "due_at": utc_key(pending.due_at),
        # Kept a while after it is settled, as the record of what happened; an alert can be acknowledged for a week.
        "expires_at": int(pending.sent_at.timestamp()) + keys.INBOUND_TTL_SECONDS,
    }
    if pending.team is not None:
        item["team"] = pending.team.value
    return item


def pending_from_item(item: dict[str, Any]) -> PendingEscalation:
    team = item.get("team")
    return PendingEscalation(
        account_id=str(item["account_id"]),
        alert_id=str(item["alert_id"]),
        alert_kind=str(item["alert_kind"]),
        subject=cast("EscalatedSubject", str(item["subject"])),
        owner=str(item["owner"]),
        owner_name=str(item["owner_name"]),
        sent_at=_utc(item["sent_at"]),
        due_at=_utc(item["due_at"]),
        team=Team(team) if team else None,
    )


def _still_due(item: dict[str, Any], now: datetime) -> bool:
    return item.get("due_pk") == keys.ESCALATION_PARTITION and str(item.get("due_at", "~")) <= utc_key(now)


def _live_name(item: dict[str, Any]) -> str | None:
    """The account's name, unless it was merged into another since (its alerts and acknowledgements stay behind)."""
    return None if item.get("merged_into") else str(item["name"])


def _utc(value: Any) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)
