"""Where notifications wait (see `ponte.services.outbox`): parked items in the account's partition, found when due
through the `due` index's `PARKED` partition; the dead-letter queue that keeps a notification whole after a day of
failures; the one-time schedules that run the sweep when a parked notification is due.

| access pattern                             | key                                                          |
|--------------------------------------------|--------------------------------------------------------------|
| an account's parked notifications, in the  | pk=ACCOUNT#<id>, sk begins_with PARKED#<audience>#           |
| order they go out (or those after one)     | (sk=PARKED#<audience>#<occurred utc>#<notification id>)      |
| parked notifications due by now            | GSI `due`: due_pk=PARKED, due_at <= now (a released one is   |
|                                            | due again `RELEASED_AGAIN_AFTER` later, until it is settled) |
| a release of a parked notification         | pk=ACCOUNT#<id>, sk=OUTBOX#<notification id>#<release utc>  |
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Literal

from ponte.adapters import keys
from ponte.adapters.clients import LazyClient
from ponte.adapters.dynamodb import batch_get, deserialize_item, serialize_item, utc_key
from ponte.domain.notifications import Audience, Notification
from ponte.services.outbox import OutboxRecord, Parked, parked_key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_scheduler.client import EventBridgeSchedulerClient
    from mypy_boto3_sqs.client import SQSClient

PARKED_PARTITION: Final = "PARKED"
# A release the notifier never took (its batch failed every retry and went to NotifierFailureQueue, and nobody replayed
# it within the stream's 24 hours) is released again then, rather than waiting for ever with everything behind it. The
# notifier skips a release whose parked copy is gone, so one that did arrive sends nothing twice.
RELEASED_AGAIN_AFTER: Final = timedelta(hours=24)
_BATCH_GET = 100  # BatchGetItem takes at most 100 keys


class ParkedNotifications:
    """Implements the outbox's `Parking` port and the sweep's release of what is due."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self.table_name = table_name
        self._client = client

    client: LazyClient[DynamoDBClient] = LazyClient("dynamodb")

    def published(self, records: Sequence[OutboxRecord]) -> set[str]:
        found: set[str] = set()
        wanted = {(keys.account_pk(r.notification.account_id), r.outbox_key) for r in records}
        pending = [{"pk": pk, "sk": sk} for pk, sk in sorted(wanted)]
        for start in range(0, len(pending), _BATCH_GET):
            request: Any = {
                self.table_name: {
                    "Keys": [serialize_item(key) for key in pending[start : start + _BATCH_GET]],
                    "ProjectionExpression": "sk, published_at",
                    "ConsistentRead": True,
                }
            }
            while request:
                answer = self.client.batch_get_item(RequestItems=request)
                for raw in answer.get("Responses", {}).get(self.table_name, []):
                    item = deserialize_item(raw)
                    if "published_at" in item:
                        found.add(str(item["sk"]))
                request = answer.get("UnprocessedKeys") or {}
        return found

    def mark_published(self, record: OutboxRecord, at: datetime) -> None:
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=serialize_item({"pk": keys.account_pk(record.notification.account_id), "sk": record.outbox_key}),
                UpdateExpression="SET published_at = :at",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues=serialize_item({":at": utc_key(at)}),
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return  # the outbox item expired: nothing to mark

    def earliest_waiting(self, account_id: str, audience: Audience) -> str | None:
        answer = self.client.query(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=serialize_item(
                {":pk": keys.account_pk(account_id), ":prefix": f"PARKED#{audience.value}#"}
            ),
            ProjectionExpression="sk",
            ConsistentRead=True,
            Limit=1,
        )
        items = answer.get("Items", [])
        return str(deserialize_item(items[0])["sk"]) if items else None

    def park(self, parked: Parked) -> None:
        self.client.put_item(TableName=self.table_name, Item=serialize_item(parked_item(parked)))

    def waiting_behind(self, parked: Parked) -> list[Parked]:
        audience_prefix = f"PARKED#{parked.notification.audience.value}#"
        paginator = self.client.get_paginator("query")
        pages = paginator.paginate(
            TableName=self.table_name,
            # From this one's key to the end of its audience's keys ("$" sorts right after "#").
            KeyConditionExpression="pk = :pk AND sk BETWEEN :from AND :to",
            ExpressionAttributeValues=serialize_item(
                {
                    ":pk": keys.account_pk(parked.notification.account_id),
                    ":from": parked.key,
                    ":to": audience_prefix[:-1] + "$",
                }
            ),
            ConsistentRead=True,
        )
        items = [deserialize_item(raw) for page in pages for raw in page.get("Items", [])]
        return [parked_from_item(item) for item in items if item["sk"] != parked.key]

    def settle(self, parked: Parked) -> None:
        self.client.delete_item(
            TableName=self.table_name,
            Key=serialize_item({"pk": keys.account_pk(parked.notification.account_id), "sk": parked.key}),
        )

    def park_new(self, parked: Parked) -> bool:
        """Park unless it is already parked (a redrive run twice); whether it was parked now."""
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=serialize_item(parked_item(parked)),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def release_due(self, now: datetime) -> int:
        """Release every parked notification due by `now` as a new outbox item, oldest first within each account,
        each in one transaction that also makes it due again `RELEASED_AGAIN_AFTER` later (only if it is still the
        version seen, so two sweeps never release it twice). Returns how many were released."""
        paginator = self.client.get_paginator("query")
        pages = paginator.paginate(
            TableName=self.table_name,
            IndexName=keys.DUE_INDEX,
            KeyConditionExpression="due_pk = :parked AND due_at <= :now",
            ExpressionAttributeValues=serialize_item({":parked": PARKED_PARTITION, ":now": utc_key(now)}),
        )
        # The index keeps keys only: the parked items themselves are read, and only if still due (not released since).
        due = [deserialize_item(raw) for page in pages for raw in page.get("Items", [])]
        items = [
            item
            for item in self._items(due)
            if item.get("due_pk") == PARKED_PARTITION and str(item.get("due_at", "")) <= utc_key(now)
        ]
        released = 0
        for item in sorted(items, key=lambda found: (str(found["pk"]), str(found["sk"]))):
            parked = parked_from_item(item)
            release = parked.releases + 1
            parked = replace(parked, releases=release)
            outbox = {
                "pk": item["pk"],
                # Unique for ever (a put over an older release would reach the stream as a MODIFY, which the notifier
                # never sees): the release's moment names it.
                "sk": f"{keys.OUTBOX}#{parked.notification.notification_id}#{utc_key(now)}",
                "kind": "outbox",
                "audience": parked.notification.audience.value,
                "event_type": parked.notification.event_type,
                "payload": item["payload"],
                "parked": _parked_fields(parked),
                "expires_at": math.floor(now.timestamp()) + keys.OUTBOX_TTL_SECONDS,
            }
            try:
                self.client.transact_write_items(
                    TransactItems=[
                        {
                            "Put": {
                                "TableName": self.table_name,
                                "Item": serialize_item(outbox),
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        },
                        {
                            "Update": {
                                "TableName": self.table_name,
                                "Key": serialize_item({"pk": item["pk"], "sk": item["sk"]}),
                                "UpdateExpression": "SET due_at = :again, releases = :release",
                                "ConditionExpression": "due_at = :seen",
                                "ExpressionAttributeValues": serialize_item(
                                    {
                                        ":seen": item["due_at"],
                                        ":again": utc_key(now + RELEASED_AGAIN_AFTER),
                                        ":release": release,
                                    }
                                ),
                            }
                        },
                    ]
                )
            except self.client.exceptions.TransactionCanceledException:
                continue  # released by another run, or parked again since: nothing to do
            released += 1
        return released

    def _items(self, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return batch_get(self.client, self.table_name, [{"pk": item["pk"], "sk": item["sk"]} for item in found])


def parked_item(parked: Parked) -> dict[str, Any]:
    notification = parked.notification
    return {
        "pk": keys.account_pk(notification.account_id),
        "sk": parked.key,
        "kind": "parked",
        "payload": notification.model_dump_json(),
        **_parked_fields(parked),
        "due_pk": PARKED_PARTITION,
        "due_at": utc_key(parked.due_at),
    }


def _parked_fields(parked: Parked) -> dict[str, Any]:
    fields: dict[str, Any] = {"reason": parked.reason, "attempts": parked.attempts, "releases": parked.releases}
    if parked.first_failed_at is not None:
        fields["first_failed_at"] = utc_key(parked.first_failed_at)
    return fields


def parked_from_item(item: dict[str, Any]) -> Parked:
    return Parked(
        notification=Notification.model_validate_json(item["payload"]),
        reason=str(item.get("reason", "")),
        due_at=_utc(item.get("due_at")) or datetime.now(UTC),
        attempts=int(item.get("attempts", 0)),
        first_failed_at=_utc(item.get("first_failed_at")),
        releases=int(item.get("releases", 0)),
    )


def released_from_image(image: dict[str, Any], notification: Notification) -> Parked | None:
    """What a released outbox item was parked as (its `parked` map); None for an outbox item written by a change."""
    fields = image.get("parked")
    if not isinstance(fields, dict):
        return None
    return Parked(
        notification=notification,
        reason=str(fields.get("reason", "")),
        due_at=datetime.now(UTC),
        attempts=int(fields.get("attempts", 0)),
        first_failed_at=_utc(fields.get("first_failed_at")),
        releases=int(fields.get("releases", 0)),
    )


def _utc(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


class DeadLetterQueue:
    """Implements the outbox's `DeadLetters` port: the whole notification, with why and since when it failed."""

    def __init__(self, queue_url: str, client: SQSClient | None = None) -> None:
        self.queue_url = queue_url
        self._client = client

    client: LazyClient[SQSClient] = LazyClient("sqs")

    def send(self, parked: Parked, *, at: datetime) -> None:
        self.client.send_message(QueueUrl=self.queue_url, MessageBody=dead_letter_body(parked, at))

    def drain(self, *, limit: int = 1000) -> list[tuple[Parked, str]]:
        """Up to `limit` dead letters with their receipt handles, hidden for five minutes while they are redriven."""
        found: list[tuple[Parked, str]] = []
        while len(found) < limit:
            answer = self.client.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, VisibilityTimeout=300, WaitTimeSeconds=0
            )
            messages = answer.get("Messages", [])
            if not messages:
                break
            found += [(parked_from_dead_letter(m["Body"]), m["ReceiptHandle"]) for m in messages]
        return found

    def delete(self, receipt_handle: str) -> None:
        self.client.delete_message(QueueUrl=self.queue_url, ReceiptHandle=receipt_handle)


def dead_letter_body(parked: Parked, at: datetime) -> str:
    return json.dumps(
        {
            "notification": json.loads(parked.notification.model_dump_json()),
            "reason": parked.reason,
            "attempts": parked.attempts,
            "first_failed_at": utc_key(parked.first_failed_at) if parked.first_failed_at else None,
            "dead_lettered_at": utc_key(at),
        }
    )


def parked_from_dead_letter(body: str) -> Parked:
    document = json.loads(body)
    notification = Notification.model_validate(document["notification"])
    return Parked(
        notification=notification,
        reason=str(document.get("reason", "")),
        due_at=datetime.now(UTC),
        attempts=int(document.get("attempts", 0)),
        first_failed_at=_utc(document.get("first_failed_at")),
    )


class SweepWakeups:
    """Implements the outbox's `Wakeups` port with EventBridge Scheduler one-time schedules (`at(...)`) that run the
    sweep: for parked notifications only (`scope="notifications"`), or whole (`"all"`: an account flagged for the
    ladder to look at again, after a deadline notice reached nobody). One schedule per scope and minute, deleted by
    the Scheduler after it ran."""

    def __init__(
        self,
        group: str,
        target_arn: str,
        role_arn: str,
        client: EventBridgeSchedulerClient | None = None,
        *,
        scope: Literal["notifications", "all"] = "notifications",
    ) -> None:
        self.group = group
        self.target_arn = target_arn
        self.role_arn = role_arn
        self.scope = scope
        self._client = client

    client: LazyClient[EventBridgeSchedulerClient] = LazyClient("scheduler")

    def wake_at(self, moment: datetime) -> None:
        minute = wakeup_minute(moment)
        try:
            self.client.create_schedule(
                Name=f"{'release' if self.scope == 'notifications' else 'sweep'}-{minute:%Y%m%dT%H%M}",
                GroupName=self.group,
                ScheduleExpression=f"at({minute:%Y-%m-%dT%H:%M:%S})",
                ScheduleExpressionTimezone="UTC",
                FlexibleTimeWindow={"Mode": "OFF"},
                ActionAfterCompletion="DELETE",
                Target={
                    "Arn": self.target_arn,
                    "RoleArn": self.role_arn,
                    "Input": json.dumps({"scheduled_time": "<aws.scheduler.scheduled-time>", "scope": self.scope}),
                    "RetryPolicy": {"MaximumRetryAttempts": 5, "MaximumEventAgeInSeconds": 3600},
                },
            )
        except self.client.exceptions.ConflictException:
            return  # that minute's wake-up already exists


def wakeup_minute(moment: datetime) -> datetime:
    """The next whole minute at or after `moment`, in UTC (callers ask for a moment in the future: a one-time
    schedule in the past is refused)."""
    utc = moment.astimezone(UTC)
    whole = utc.replace(second=0, microsecond=0)
    return whole if whole == utc else whole + timedelta(minutes=1)


__all__ = ["DeadLetterQueue", "ParkedNotifications", "SweepWakeups", "parked_key"]
