"""Dunning sweep: on its schedule, hands every account due for evaluation to the worker through SQS, releases every
parked notification that is due to the outbox, and escalates the critical staff alerts nobody acknowledged in time.
A one-time wake-up (of a parked notification, or of an alert's escalation) runs it for those only (`scope`)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import AwareDatetime, BaseModel, Field

from ponte.adapters.due_index import DueIndex
from ponte.adapters.escalations import Escalations
from ponte.adapters.parking import ParkedNotifications
from ponte.adapters.work_queue import WorkQueue
from ponte.domain.accounts import Locale
from ponte.services.dunning import sweep
from ponte.services.escalation import EscalationRun, escalate_due
from ponte.settings import load_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
metrics = Metrics()


class Settings(BaseModel):
    TABLE_NAME: str
    WORK_QUEUE_URL: str
    DEFAULT_LOCALE: Locale
    ALERT_ESCALATION_MINUTES: int = Field(ge=0)  # 0: critical alerts never escalate


class Trigger(BaseModel):
    """The schedule's Input: the Scheduler fills in the time the run was scheduled for."""

    scheduled_time: AwareDatetime
    scope: Literal["all", "notifications"] = "all"


class _Wiring:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.index = DueIndex(settings.TABLE_NAME)
        self.queue = WorkQueue(settings.WORK_QUEUE_URL)
        self.parked = ParkedNotifications(settings.TABLE_NAME)
        self.escalations = Escalations(settings.TABLE_NAME)


@cache
def _wiring() -> _Wiring:
    return _Wiring(load_settings(Settings))


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    wiring = _wiring()
    trigger = Trigger.model_validate(event)
    now = trigger.scheduled_time
    released = wiring.parked.release_due(now)
    metrics.add_metric(name="NotificationsReleased", unit=MetricUnit.Count, value=released)
    escalated = _escalate(wiring, now)
    if trigger.scope == "notifications":
        logger.info("parked notifications released", extra={"released": released})
        return {"notifications_released": released, "alerts_escalated": len(escalated.escalated)}
    result = sweep(wiring.index, wiring.queue, now=now)
    logger.info(
        "accounts handed to the worker",
        extra={
            "scheduled_time": now.isoformat(),
            "notifications_released": released,
            **vars(result),
        },
    )
    metrics.add_metric(name="AccountsDue", unit=MetricUnit.Count, value=result.accounts)
    return {**vars(result), "notifications_released": released, "alerts_escalated": len(escalated.escalated)}


def _escalate(wiring: _Wiring, now: datetime) -> EscalationRun:
    if not wiring.settings.ALERT_ESCALATION_MINUTES:
        return EscalationRun()
    run = escalate_due(wiring.escalations, now=now, locale=wiring.settings.DEFAULT_LOCALE)
    if run.escalated or run.acknowledged or run.account_gone or run.taken_by_another:
        logger.info(
            "alert escalations settled",
            extra={
                "escalated": run.escalated,  # the alerts' notification ids
                "acknowledged": run.acknowledged,
                "account_gone": run.account_gone,
                "taken_by_another": run.taken_by_another,
            },
        )
    metrics.add_metric(name="AlertsEscalated", unit=MetricUnit.Count, value=len(run.escalated))
    return run
