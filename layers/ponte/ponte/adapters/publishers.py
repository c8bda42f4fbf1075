"""Publishers: SNS topics for people (e-mail, SMS) and machines, and the EventBridge bus for the platform."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ponte.adapters.clients import LazyClient

if TYPE_CHECKING:
    from mypy_boto3_events.client import EventBridgeClient
    from mypy_boto3_sns.client import SNSClient
    from mypy_boto3_sns.type_defs import MessageAttributeValueTypeDef

    from ponte.domain.notifications import Notification
    from ponte.messages import RenderedMessage

EVENT_SOURCE = "ponte"


def message_attributes(notification: Notification) -> dict[str, MessageAttributeValueTypeDef]:
    """The attributes that subscriptions filter on. SNS refuses empty values, so absent ones are left out."""
    values = {
        "event_type": notification.event_type,
        "severity": notification.severity.value,
        "team": notification.team.value if notification.team else None,
        "owner": notification.owner,
        "account_id": notification.account_id,
    }
    return {name: {"DataType": "String", "StringValue": value} for name, value in values.items() if value}


def sns_message(message: RenderedMessage) -> str:
    """One message per protocol (`MessageStructure=json`): people get text, machines get JSON."""
    machine = json.dumps(message.machine, ensure_ascii=False, sort_keys=True)
    return json.dumps(
        {
            "default": message.sms,
            "email": message.email,
            "sms": message.sms,
            "email-json": machine,
            "sqs": machine,
            "lambda": machine,
            "http": machine,
            "https": machine,
            "firehose": machine,
        },
        ensure_ascii=False,
    )


class SnsChannel:
    """Publishes rendered notifications to one SNS topic. Implements the `AlertChannel` port."""

    def __init__(self, topic_arn: str, client: SNSClient | None = None) -> None:
        self.topic_arn = topic_arn
        self._client = client

    client: LazyClient[SNSClient] = LazyClient("sns")

    def send(self, notification: Notification, message: RenderedMessage) -> None:
        self.client.publish(
            TopicArn=self.topic_arn,
            Subject=message.subject,
            Message=sns_message(message),
            MessageStructure="json",
            MessageAttributes=message_attributes(notification),
        )


class PlatformBus:
    """Puts platform events on the EventBridge bus. Implements the `EventChannel` port."""

    def __init__(self, bus_name: str, client: EventBridgeClient | None = None) -> None:
        self.bus_name = bus_name
        self._client = client

    client: LazyClient[EventBridgeClient] = LazyClient("events")

    def put(self, notification: Notification, detail: dict[str, Any]) -> None:
        answer = self.client.put_events(
            Entries=[
                {
                    "EventBusName": self.bus_name,
                    "Source": EVENT_SOURCE,
                    "DetailType": notification.event_type,
                    "Detail": json.dumps(detail, ensure_ascii=False, sort_keys=True),
                    "Time": notification.occurred_at,
                    "Resources": [],
                }
            ]
        )
        # PutEvents answers 200 even when an entry was refused; the stream must retry it.
        if answer.get("FailedEntryCount", 0):
            entry = answer["Entries"][0]
            raise PublishFailed(f"EventBridge refused the event: {entry.get('ErrorCode')} {entry.get('ErrorMessage')}")


class PublishFailed(Exception):
    """A publisher refused a message; the caller's trigger retries it."""
