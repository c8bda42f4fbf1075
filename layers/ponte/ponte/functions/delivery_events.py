"""Delivery events: what SES reports of each customer e-mail (sent, delivered, bounced, complained, rejected,
delayed, not rendered), from the configuration set's topic, recorded against the notice it belongs to.

SNS invokes the function asynchronously, one message at a time. What cannot be recorded (not an SES event, an
e-mail Ponte did not send, an event already recorded) is logged by its ids and counted, and the invocation
succeeds: a retry would not help. An error reaching the table propagates: Lambda retries, then parks the event
in the failure queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit

from ponte.adapters.delivery_records import FAILED, DeliveryRecords
from ponte.adapters.parking import SweepWakeups
from ponte.services.delivery_events import Outcome, Recorded
from ponte.settings import TableSettings, WakeupSettings

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from aws_lambda_powertools import Logger, Metrics


class Settings(TableSettings, WakeupSettings):
    pass


@dataclass(frozen=True)
class SnsMessage:
    message: str  # the SES event, as JSON text
    message_id: str
    published: datetime


def sns_messages(event: Mapping[str, Any]) -> Iterator[SnsMessage]:
    """The SNS messages of the invocation, each read when it is reached, as a plain dict: Powertools' event classes
    load every event source's module."""
    for record in event["Records"]:
        sns = record["Sns"]
        published = datetime.fromisoformat(sns["Timestamp"]).astimezone(UTC)
        yield SnsMessage(message=sns["Message"], message_id=sns["MessageId"], published=published)


class DeliveryEventsWiring:
    """The function's ports, built once per container."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.records = DeliveryRecords(settings.TABLE_NAME)
        self.wakeups = SweepWakeups(
            settings.WAKEUP_SCHEDULE_GROUP, settings.WAKEUP_TARGET_ARN, settings.WAKEUP_ROLE_ARN, scope="all"
        )

    def follow_up(self, result: Recorded, sns: SnsMessage, logger: Logger, metrics: Metrics) -> None:
        """Log and count what became of the event; when the e-mail reached nobody, have the sweep look again."""
        _report(result, sns.message_id, logger, metrics)
        if result.outcome is Outcome.RECORDED and result.status in FAILED:
            self._look_again(sns.published, logger)

    def _look_again(self, now: datetime, logger: Logger) -> None:
        """The e-mail reached nobody and the account is flagged: the sweep runs in a minute rather than tomorrow, so
        a final warning's fallback goes out at once (best effort: the daily sweep finds the flag anyway)."""
        try:
            self.wakeups.wake_at(now + timedelta(minutes=1))
        except Exception:  # noqa: BLE001
            logger.warning("sweep wake-up not scheduled: the daily sweep will look at the account")


def _report(result: Recorded, sns_message_id: str, logger: Logger, metrics: Metrics) -> None:
    """Ids only: never the payload, which names the customer's address."""
    found = result.event
    extra = {"sns_message_id": sns_message_id, "outcome": result.outcome.value}
    if found is not None:
        extra |= {
            "account_id": found.account_id,
            "notice_id": found.notice_id,
            "message_id": found.message_id,
            "event": found.kind,
        }
    if result.outcome is Outcome.RECORDED:
        logger.info("delivery event recorded", extra={**extra, "status": str(result.status)})
        metrics.add_metric(name="DeliveryEventsRecorded", unit=MetricUnit.Count, value=1)
        if result.marked_unreachable:
            logger.warning("customer address marked unreachable", extra=extra)
            metrics.add_metric(name="CustomerAddressesUnreachable", unit=MetricUnit.Count, value=1)
        return
    logger.warning("delivery event dropped", extra={**extra, "why": result.why})
    name = "".join(part.title() for part in result.outcome.value.split("_"))
    metrics.add_metric(name=f"DeliveryEvents{name}", unit=MetricUnit.Count, value=1)
