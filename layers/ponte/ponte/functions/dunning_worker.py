"""Dunning worker: evaluates each account the sweep handed over and writes the outcome as one change.

Each SQS record is one account; a record that fails is reported alone (partial batch failure), so SQS delivers
only that account again, and after the queue's receive limit it goes to the dead-letter queue. When every record
fails, the invocation fails, as Powertools' batch processor does (its module, and every event source's it loads,
would be paid on each cold start for these few lines).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ponte.adapters.collections_book import CollectionsBook
from ponte.adapters.dynamodb import DynamoStore
from ponte.adapters.policy_store import PolicyStore
from ponte.calendar import holidays_around
from ponte.services.dunning import Collections, alert_refused_policy
from ponte.settings import BusinessSettings

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime

    from aws_lambda_powertools import Logger


class Settings(BusinessSettings):
    pass


class BatchFailed(Exception):
    """Every record of the batch failed: the invocation fails, and SQS delivers them all again."""


class WorkerWiring:
    """The worker's ports, built once per container."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = DynamoStore(settings.TABLE_NAME)
        self.book = CollectionsBook(settings.TABLE_NAME)
        self.policies = PolicyStore(settings.POLICY_PARAMETER)

    def collections(self, now: datetime, alerted: set[int], logger: Logger) -> Collections:
        """What evaluating an account at `now` needs: the policy in force, that year's holidays. A policy version the
        policy store refused is alerted to collections, once per version in the container (`alerted`)."""
        s = self.settings
        in_force = self.policies.current()
        if in_force.refused_version is not None and in_force.refused_version not in alerted:
            logger.error("dunning policy refused", extra={"version": in_force.refused_version})
            alerted.add(in_force.refused_version)
            alert_refused_policy(
                self.book,
                version=in_force.refused_version,
                in_force=in_force.parameter_version,
                because=in_force.refused_because or "",
                now=now,
                locale=s.DEFAULT_LOCALE,
            )
        return Collections(
            store=self.store,
            book=self.book,
            policy=in_force.policy,
            time_zone=s.BUSINESS_TIME_ZONE,
            holidays=holidays_around(s.BUSINESS_COUNTRY, now.year),
            staff_locale=s.DEFAULT_LOCALE,
        )


def each_record(
    event: Mapping[str, Any], handle: Callable[[dict[str, Any]], None], logger: Logger
) -> dict[str, list[dict[str, str]]]:
    """Handle each SQS record alone; the answer names those that failed, for SQS to deliver them again."""
    records = event.get("Records", [])
    failures: list[dict[str, str]] = []
    for record in records:
        try:
            handle(record)
        except Exception:  # reported as this record's failure: SQS delivers it again
            logger.warning("account not evaluated", extra={"message_id": record["messageId"]}, exc_info=True)
            failures.append({"itemIdentifier": record["messageId"]})
    if records and len(failures) == len(records):
        raise BatchFailed(f"no account of the batch was evaluated ({len(records)} records)")
    return {"batchItemFailures": failures}
