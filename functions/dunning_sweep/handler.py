"""Dunning sweep: on its schedule, hands every account due for evaluation to the worker through SQS, and releases
every parked notification that is due to the outbox. A notification's own one-time wake-up runs it for
notifications only (`scope`)."""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import AwareDatetime, BaseModel

from ponte.adapters.due_index import DueIndex
from ponte.adapters.parking import ParkedNotifications
from ponte.adapters.work_queue import WorkQueue
from ponte.services.dunning import sweep
from ponte.settings import load_settings

logger = Logger()
metrics = Metrics()


class Settings(BaseModel):
    TABLE_NAME: str
    WORK_QUEUE_URL: str


class Trigger(BaseModel):
    """The schedule's Input: the Scheduler fills in the time the run was scheduled for."""

    scheduled_time: AwareDatetime
    scope: Literal["all", "notifications"] = "all"


@cache
def _wiring() -> tuple[DueIndex, WorkQueue, ParkedNotifications]:
    settings = load_settings(Settings)
    return DueIndex(settings.TABLE_NAME), WorkQueue(settings.WORK_QUEUE_URL), ParkedNotifications(settings.TABLE_NAME)


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    index, queue, parked = _wiring()
    trigger = Trigger.model_validate(event)
    released = parked.release_due(trigger.scheduled_time)
    metrics.add_metric(name="NotificationsReleased", unit=MetricUnit.Count, value=released)
    if trigger.scope == "notifications":
        logger.info("parked notifications released", extra={"released": released})
        return {"notifications_released": released}
    result = sweep(index, queue, now=trigger.scheduled_time)
    logger.info(
        "accounts handed to the worker",
        extra={
            "scheduled_time": trigger.scheduled_time.isoformat(),
            "notifications_released": released,
            **vars(result),
        },
    )
    metrics.add_metric(name="AccountsDue", unit=MetricUnit.Count, value=result.accounts)
    return {**vars(result), "notifications_released": released}
