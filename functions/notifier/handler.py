"""Notifier: publishes each new outbox item from the table's stream to SNS or EventBridge.

The stream's event filter hands over outbox inserts only. Records are delivered in order; on the first failure
the rest of the batch is reported as failed, so the stream retries from there and nothing is published twice
for a retry nor lost (after the retries, the record goes to the on-failure queue).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from ponte.adapters.publishers import PlatformBus, SnsChannel
from ponte.domain.notifications import Notification
from ponte.services.notify import deliver
from ponte.settings import TimeZoneName, load_settings

logger = Logger()
metrics = Metrics()


class Settings(BaseModel):
    STAFF_ALERTS_TOPIC_ARN: str
    CUSTOMER_NOTICES_TOPIC_ARN: str
    PLATFORM_BUS_NAME: str
    BUSINESS_TIME_ZONE: TimeZoneName


@cache
def _wiring() -> tuple[Settings, SnsChannel, SnsChannel, PlatformBus]:
    settings = load_settings(Settings)
    return (
        settings,
        SnsChannel(settings.STAFF_ALERTS_TOPIC_ARN),
        SnsChannel(settings.CUSTOMER_NOTICES_TOPIC_ARN),
        PlatformBus(settings.PLATFORM_BUS_NAME),
    )


@metrics.log_metrics
@logger.inject_lambda_context
@event_source(data_class=DynamoDBStreamEvent)
def lambda_handler(event: DynamoDBStreamEvent, context: LambdaContext) -> dict[str, Any]:
    settings, staff, customers, platform = _wiring()
    records = list(event.records)
    for position, record in enumerate(records):
        image = record.dynamodb.new_image if record.dynamodb else None
        try:
            notification = Notification.model_validate_json((image or {})["payload"])
            deliver(
                notification,
                staff=staff,
                customers=customers,
                platform=platform,
                time_zone=settings.BUSINESS_TIME_ZONE,
            )
        except Exception:
            # Not swallowed: reported, so the stream retries from this record, bisects, and finally sends it to
            # the on-failure queue. Logged without the payload, which may carry personal data.
            logger.exception("notification not delivered", extra={"sequence_number": _sequence(record)})
            failed = records[position:]
            metrics.add_metric(name="NotificationsFailed", unit=MetricUnit.Count, value=1)
            return {"batchItemFailures": [{"itemIdentifier": _sequence(item)} for item in failed]}
        logger.info(
            "notification delivered",
            extra={
                "account_id": notification.account_id,
                "event_type": notification.event_type,
                "audience": notification.audience.value,
                "notification_id": notification.notification_id,
            },
        )
        metrics.add_metric(name="NotificationsDelivered", unit=MetricUnit.Count, value=1)
    return {"batchItemFailures": []}


def _sequence(record: Any) -> str:
    return str(record.dynamodb.sequence_number) if record.dynamodb else ""
