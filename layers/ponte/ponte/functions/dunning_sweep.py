"""Dunning sweep: on its schedule, hands every account due for evaluation to the worker through SQS, releases every
parked notification that is due to the outbox, and escalates the critical staff alerts nobody acknowledged in time.
A one-time wake-up (of a parked notification, or of an alert's escalation) runs it for those only (`scope`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from aws_lambda_powertools.metrics import MetricUnit
from pydantic import AwareDatetime, BaseModel

from ponte.adapters.due_index import DueIndex
from ponte.adapters.escalations import Escalations
from ponte.adapters.parking import ParkedNotifications
from ponte.adapters.work_queue import WorkQueue
from ponte.services.dunning import sweep
from ponte.services.escalation import EscalationRun, escalate_due
from ponte.settings import EscalationSettings, TableSettings

if TYPE_CHECKING:
    from datetime import datetime

    from aws_lambda_powertools import Logger, Metrics


class Settings(TableSettings, EscalationSettings):
    WORK_QUEUE_URL: str


class Trigger(BaseModel):
    """The schedule's Input: the Scheduler fills in the time the run was scheduled for."""

    scheduled_time: AwareDatetime
    scope: Literal["all", "notifications"] = "all"


class SweepWiring:
    """The sweep's ports, built once per container."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.index = DueIndex(settings.TABLE_NAME)
        self.queue = WorkQueue(settings.WORK_QUEUE_URL)
        self.parked = ParkedNotifications(settings.TABLE_NAME)
        self.escalations = Escalations(settings.TABLE_NAME)

    def run(self, trigger: Trigger, logger: Logger, metrics: Metrics) -> dict[str, int]:
        """Release, escalate, then (for the whole scope) sweep; what each did, logged, counted and returned."""
        now = trigger.scheduled_time
        released = self.parked.release_due(now)
        metrics.add_metric(name="NotificationsReleased", unit=MetricUnit.Count, value=released)
        escalated = len(self.escalate(now, logger, metrics).escalated)
        if trigger.scope == "notifications":
            logger.info("parked notifications released", extra={"released": released})
            return {"notifications_released": released, "alerts_escalated": escalated}
        result = sweep(self.index, self.queue, now=now)
        logger.info(
            "accounts handed to the worker",
            extra={"scheduled_time": now.isoformat(), "notifications_released": released, **vars(result)},
        )
        metrics.add_metric(name="AccountsDue", unit=MetricUnit.Count, value=result.accounts)
        return {**vars(result), "notifications_released": released, "alerts_escalated": escalated}

    def escalate(self, now: datetime, logger: Logger, metrics: Metrics) -> EscalationRun:
        if not self.settings.ALERT_ESCALATION_MINUTES:
            return EscalationRun()
        run = escalate_due(self.escalations, now=now, locale=self.settings.DEFAULT_LOCALE)
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
