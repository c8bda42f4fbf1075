"""Dunning worker: evaluates each account the sweep handed over and writes the outcome as one change.

Each SQS record is one account; a record that fails is reported alone (partial batch failure), so SQS delivers
only that account again, and after the queue's receive limit it goes to the dead-letter queue.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from ponte.adapters.collections_book import CollectionsBook
from ponte.adapters.dynamodb import DynamoStore
from ponte.adapters.policy_store import PolicyStore
from ponte.calendar import business_holidays
from ponte.domain.accounts import Locale
from ponte.services.dunning import Collections, Job, alert_refused_policy, evaluate_account
from ponte.settings import TimeZoneName, load_settings

logger = Logger()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS)
_ALERTED: set[int] = set()  # refused policy versions this container already alerted (the alert is written once)


class Settings(BaseModel):
    TABLE_NAME: str
    POLICY_PARAMETER: str
    BUSINESS_TIME_ZONE: TimeZoneName
    BUSINESS_COUNTRY: str
    DEFAULT_LOCALE: Locale


@cache
def _wiring() -> tuple[Settings, DynamoStore, CollectionsBook, PolicyStore]:
    settings = load_settings(Settings)
    return (
        settings,
        DynamoStore(settings.TABLE_NAME),
        CollectionsBook(settings.TABLE_NAME),
        PolicyStore(settings.POLICY_PARAMETER),
    )


@cache
def _holidays(country: str, year: int) -> frozenset[Any]:
    return business_holidays(country, range(year - 1, year + 2))


def record_handler(record: SQSRecord) -> None:
    settings, store, book, policies = _wiring()
    job = Job.model_validate_json(record.body)
    in_force = policies.current()
    if in_force.refused_version is not None and in_force.refused_version not in _ALERTED:
        logger.error("dunning policy refused", extra={"version": in_force.refused_version})
        _ALERTED.add(in_force.refused_version)
        alert_refused_policy(
            book,
            version=in_force.refused_version,
            in_force=in_force.parameter_version,
            because=in_force.refused_because or "",
            now=job.now,
            locale=settings.DEFAULT_LOCALE,
        )
    deps = Collections(
        store=store,
        book=book,
        policy=in_force.policy,
        time_zone=settings.BUSINESS_TIME_ZONE,
        holidays=_holidays(settings.BUSINESS_COUNTRY, job.now.year),
        staff_locale=settings.DEFAULT_LOCALE,
    )
    outcome, _ = evaluate_account(job, deps)
    logger.info("account evaluated", extra={"account_id": job.account_id, "outcome": outcome.value})
    metrics.add_metric(name=f"Accounts{outcome.value.title().replace('_', '')}", unit=MetricUnit.Count, value=1)


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
