"""Collections digest: on business days, one staff message with what collections can act on."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import AwareDatetime, BaseModel

from ponte.adapters.collections_book import CollectionsBook
from ponte.adapters.documents import DirectoryStore
from ponte.adapters.dynamodb import DynamoStore
from ponte.adapters.policy_store import PolicyStore
from ponte.calendar import holidays_around
from ponte.domain.accounts import Locale
from ponte.services.digest import collections_digest, owner_names
from ponte.settings import TimeZoneName, load_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
metrics = Metrics()


class Settings(BaseModel):
    TABLE_NAME: str
    POLICY_PARAMETER: str
    BUSINESS_TIME_ZONE: TimeZoneName
    BUSINESS_COUNTRY: str
    DEFAULT_LOCALE: Locale
    STAFF_DIRECTORY_PARAMETER: str = ""  # empty: owners named by their id


class Trigger(BaseModel):
    scheduled_time: AwareDatetime


@cache
def _wiring() -> tuple[Settings, DynamoStore, CollectionsBook, PolicyStore, DirectoryStore | None]:
    settings = load_settings(Settings)
    table = settings.TABLE_NAME
    parameter = settings.STAFF_DIRECTORY_PARAMETER
    directory = DirectoryStore(parameter) if parameter else None
    return settings, DynamoStore(table), CollectionsBook(table), PolicyStore(settings.POLICY_PARAMETER), directory


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings, store, book, policies, directory = _wiring()
    now = Trigger.model_validate(event).scheduled_time
    digest = collections_digest(
        book,
        store,
        book,
        now=now,
        policy=policies.current().policy,
        time_zone=settings.BUSINESS_TIME_ZONE,
        holidays=holidays_around(settings.BUSINESS_COUNTRY, now.year),
        staff_locale=settings.DEFAULT_LOCALE,
        owners=owner_names(directory.in_use) if directory is not None else None,
    )
    written = digest is not None
    logger.info("collections digest", extra={"scheduled_time": now.isoformat(), "written": written})
    metrics.add_metric(name="DigestsWritten", unit=MetricUnit.Count, value=int(written))
    return {"written": written, "notification_id": digest.notification_id if digest else None}
