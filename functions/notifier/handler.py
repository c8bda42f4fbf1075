"""Notifier: delivers each new outbox item from the table's stream: staff alerts to the staff topic, customer
notices to the customer by SES e-mail and SMS (and a copy to the customer notices topic, a machine feed), platform
events to the bus.

The stream's event filter hands over outbox inserts only. Records are delivered in order; on the first failure
the rest of the batch is reported as failed, so the stream retries from there and nothing is published twice
for a retry nor lost (after the retries, the record goes to the on-failure queue).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from ponte.adapters.customer_delivery import SesEmail, SmsDirect
from ponte.adapters.delivery_records import DeliveryRecords
from ponte.adapters.documents import IdentityStore
from ponte.adapters.publishers import PlatformBus, SnsChannel
from ponte.domain.accounts import Locale
from ponte.domain.business import BusinessIdentity
from ponte.domain.notifications import Notification
from ponte.messages import render
from ponte.services.delivery import CustomerDelivery, sender_address
from ponte.services.notify import deliver
from ponte.settings import TimeZoneName, load_settings

logger = Logger()
metrics = Metrics()


class Settings(BaseModel):
    TABLE_NAME: str
    STAFF_ALERTS_TOPIC_ARN: str
    CUSTOMER_NOTICES_TOPIC_ARN: str
    PLATFORM_BUS_NAME: str
    BUSINESS_TIME_ZONE: TimeZoneName
    DEFAULT_LOCALE: Locale
    CUSTOMER_EMAIL_SENDER: str = ""
    CUSTOMER_EMAIL_REPLY_TO: str = ""
    CUSTOMER_EMAIL_CONFIGURATION_SET: str
    SMS_MAX_PRICE: str = ""
    SMS_SENDER_ID: str = ""
    BUSINESS_IDENTITY_PARAMETER: str


class _Wiring:
    """The notifier's channels, built once per container."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.staff = SnsChannel(settings.STAFF_ALERTS_TOPIC_ARN)
        self.feed = SnsChannel(settings.CUSTOMER_NOTICES_TOPIC_ARN)
        self.platform = PlatformBus(settings.PLATFORM_BUS_NAME)
        self.identities = IdentityStore(settings.BUSINESS_IDENTITY_PARAMETER)
        records = DeliveryRecords(settings.TABLE_NAME)
        self.customers = CustomerDelivery(
            email=_LazyEmail(self) if settings.CUSTOMER_EMAIL_SENDER else None,
            sms=SmsDirect(settings.SMS_MAX_PRICE or None, settings.SMS_SENDER_ID or None),
            identity=self.identity,
            contacts=records,
            receipts=records,
            staff=self.alert_staff,
            staff_locale=settings.DEFAULT_LOCALE,
        )

    def identity(self) -> BusinessIdentity:
        return self.identities.current().identity

    def alert_staff(self, alert: Notification) -> None:
        self.staff.send(alert, render(alert, time_zone=self.settings.BUSINESS_TIME_ZONE))


class _LazyEmail:
    """SES needs the business's identity for the sender's name: built on the first e-mail."""

    def __init__(self, wiring: _Wiring) -> None:
        self._wiring = wiring
        self._ses: SesEmail | None = None

    def send(self, *, to: str, subject: str, text: str, html: str, tags: dict[str, str]) -> str:
        settings = self._wiring.settings
        if self._ses is None:
            sender = sender_address(settings.CUSTOMER_EMAIL_SENDER, self._wiring.identity())
            reply_to = settings.CUSTOMER_EMAIL_REPLY_TO or self._wiring.identity().reply_address
            self._ses = SesEmail(sender, settings.CUSTOMER_EMAIL_CONFIGURATION_SET, (reply_to,))
        return self._ses.send(to=to, subject=subject, text=text, html=html, tags=tags)


@cache
def _wiring() -> _Wiring:
    return _Wiring(load_settings(Settings))


@metrics.log_metrics
@logger.inject_lambda_context
@event_source(data_class=DynamoDBStreamEvent)
def lambda_handler(event: DynamoDBStreamEvent, context: LambdaContext) -> dict[str, Any]:
    wiring = _wiring()
    records = list(event.records)
    for position, record in enumerate(records):
        image = record.dynamodb.new_image if record.dynamodb else None
        try:
            notification = Notification.model_validate_json((image or {})["payload"])
            deliver(
                notification,
                staff=wiring.staff,
                customers=wiring.customers,
                feed=wiring.feed,
                platform=wiring.platform,
                time_zone=wiring.settings.BUSINESS_TIME_ZONE,
                now=_arrival(record),
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


def _arrival(record: Any) -> datetime:
    """When the change reached the stream (the record's approximate creation time): the notice's moment."""
    created = record.dynamodb.approximate_creation_date_time if record.dynamodb else None
    return datetime.fromtimestamp(created, UTC) if created else datetime.now(UTC)


def _sequence(record: Any) -> str:
    return str(record.dynamodb.sequence_number) if record.dynamodb else ""
