"""Dunning worker: evaluates each account the sweep handed over and writes the outcome as one change.

Each SQS record is one account; a record that fails is reported alone (partial batch failure), so SQS delivers
only that account again, and after the queue's receive limit it goes to the dead-letter queue. When every record
fails, the invocation fails, as Powertools' batch processor does (its module, and every event source's it loads,
would be paid on each cold start for these few lines).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel

from ponte.adapters.collections_book import CollectionsBook
from ponte.adapters.dynamodb import DynamoStore
from ponte.adapters.policy_store import PolicyStore
from ponte.calendar import holidays_around
from ponte.domain.accounts import Locale
from ponte.services.dunning import Collections, Job, alert_refused_policy, evaluate_account
from ponte.settings import TimeZoneName, load_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
metrics = Metrics()
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


class BatchFailed(Exception):
    """Every record of the batch failed: the invocation fails, and SQS delivers them all again."""


def record_handler(record: dict[str, Any]) -> None:
    settings, store, book, policies = _wiring()
    job = Job.model_validate_json(record["body"])
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
        holidays=holidays_around(settings.BUSINESS_COUNTRY, job.now.year),
        staff_locale=settings.DEFAULT_LOCALE,
    )
    outcome, _ = evaluate_account(job, deps)
    logger.info("account evaluated", extra={"account_id": job.account_id, "outcome": outcome.value})
    metrics.add_metric(name=f"Accounts{outcome.value.title().replace('_', '')}", unit=MetricUnit.Count, value=1)


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, list[dict[str, str]]]:
    records = event.get("Records", [])
    failures: list[dict[str, str]] = []
    for record in records:
        try:
            record_handler(record)
        except Exception:  # reported as this record's failure: SQS delivers it again
            logger.warning("account not evaluated", extra={"message_id": record["messageId"]}, exc_info=True)
            failures.append({"itemIdentifier": record["messageId"]})
    if records and len(failures) == len(records):
        raise BatchFailed(f"no account of the batch was evaluated ({len(records)} records)")
    return {"batchItemFailures": failures}
