"""Delivery events: what SES reports of each customer e-mail (sent, delivered, bounced, complained, rejected,
delayed, not rendered), from the configuration set's topic, recorded against the notice it belongs to.

SNS invokes the function asynchronously, one message at a time. What cannot be recorded (not an SES event, an
e-mail Ponte did not send, an event already recorded) is logged by its ids and counted, and the invocation
succeeds: a retry would not help. An error reaching the table propagates: Lambda retries, then parks the event
in the failure queue.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel

from ponte.adapters.delivery_records import FAILED, DeliveryRecords
from ponte.adapters.parking import SweepWakeups
from ponte.domain.accounts import Locale
from ponte.services.delivery_events import Outcome, Recorded, record_email_event
from ponte.settings import load_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
metrics = Metrics()


class Settings(BaseModel):
    TABLE_NAME: str
    DEFAULT_LOCALE: Locale
    WAKEUP_SCHEDULE_GROUP: str
    WAKEUP_TARGET_ARN: str
    WAKEUP_ROLE_ARN: str


@cache
def _wiring() -> tuple[Settings, DeliveryRecords, SweepWakeups]:
    settings = load_settings(Settings)
    wakeups = SweepWakeups(
        settings.WAKEUP_SCHEDULE_GROUP, settings.WAKEUP_TARGET_ARN, settings.WAKEUP_ROLE_ARN, scope="all"
    )
    return settings, DeliveryRecords(settings.TABLE_NAME), wakeups


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> None:
    settings, records, wakeups = _wiring()
    for record in event["Records"]:
        sns = record["Sns"]  # read as a plain dict: Powertools' event classes load every event source's module
        published = datetime.fromisoformat(sns["Timestamp"]).astimezone(UTC)
        result = record_email_event(sns["Message"], records, staff_locale=settings.DEFAULT_LOCALE, now=published)
        _report(result, sns["MessageId"])
        if result.outcome is Outcome.RECORDED and result.status in FAILED:
            _look_again(wakeups, published)


def _look_again(wakeups: SweepWakeups, now: datetime) -> None:
    """The e-mail reached nobody and the account is flagged: the sweep runs in a minute rather than tomorrow, so a
    final warning's fallback goes out at once (best effort: the daily sweep finds the flag anyway)."""
    try:
        wakeups.wake_at(now + timedelta(minutes=1))
    except Exception:  # noqa: BLE001
        logger.warning("sweep wake-up not scheduled: the daily sweep will look at the account")


def _report(result: Recorded, sns_message_id: str) -> None:
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
