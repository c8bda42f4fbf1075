"""Dunning worker: evaluates each account the sweep handed over and writes the outcome as one change; a record that
fails is reported alone, for SQS to deliver it again (`ponte.functions.dunning_worker`)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from ponte.functions.dunning_worker import Settings, WorkerWiring, each_record
from ponte.services.dunning import Job, evaluate_account
from ponte.settings import load_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
metrics = Metrics()
_ALERTED: set[int] = set()  # refused policy versions this container already alerted (the alert is written once)


@cache
def _wiring() -> WorkerWiring:
    return WorkerWiring(load_settings(Settings))


def record_handler(record: dict[str, Any]) -> None:
    wiring = _wiring()
    job = Job.model_validate_json(record["body"])
    outcome, _ = evaluate_account(job, wiring.collections(job.now, _ALERTED, logger))
    logger.info("account evaluated", extra={"account_id": job.account_id, "outcome": outcome.value})
    metrics.add_metric(name=f"Accounts{outcome.value.title().replace('_', '')}", unit=MetricUnit.Count, value=1)


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, list[dict[str, str]]]:
    return each_record(event, record_handler, logger)
