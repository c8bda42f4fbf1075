"""Invoice upload: records the invoice files the back office puts under incoming/ in the invoices bucket.

Two triggers: the bucket's S3 event for each new object, and the continuation queue for a file whose recording
takes more than one run. A file that cannot be read is not an error: it is quarantined, reported and alerted; one
deleted before it was read is skipped with a report (status `skipped`).
Errors worth a retry propagate, so Lambda retries the S3 event (then sends it to the failure queue) and SQS
redelivers a continuation (then moves it to the same queue).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel, Field

from ponte.adapters.continuations import ContinuationQueue
from ponte.adapters.documents import DirectoryStore
from ponte.adapters.dynamodb import DynamoStore
from ponte.adapters.invoice_batches import InvoiceBatches
from ponte.adapters.objects import UploadObjects
from ponte.adapters.owner_rotation import RotationCounters
from ponte.adapters.policy_store import PolicyStore
from ponte.calendar import holidays_around
from ponte.domain.accounts import Locale
from ponte.domain.dunning import business_calendar
from ponte.domain.errors import PonteError
from ponte.domain.money import CurrencyCode
from ponte.domain.uploads import INCOMING, UploadedObject, UploadProgress
from ponte.invoices import ParseOptions
from ponte.services.owners import Owners
from ponte.services.uploads import UploadOutcome, UploadPorts, UploadSettings, continue_upload, receive_upload
from ponte.settings import load_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
metrics = Metrics()


class Settings(BaseModel):
    TABLE_NAME: str
    CONTINUATION_QUEUE_URL: str
    DEFAULT_LOCALE: Locale
    DEFAULT_CURRENCY: CurrencyCode
    DEFAULT_TERM_DAYS: int = Field(ge=0, le=3650)
    BUSINESS_COUNTRY: str = Field(pattern=r"^[A-Z]{2}$")
    CUSTOMER_INVOICE_NOTICES: bool
    MAX_UPLOAD_MB: int = Field(gt=0)
    RUN_TIME_MARGIN_SECONDS: float = Field(ge=0)
    # The staff directory's parameter (empty: no directory, owners kept as the rows name them) and the owner of
    # accounts no row and no rule gives one (empty: none).
    STAFF_DIRECTORY_PARAMETER: str = ""
    DEFAULT_ACCOUNT_OWNER: str = ""
    POLICY_PARAMETER: str = ""  # empty: the calendar without the policy's local holidays


@cache
def _wiring() -> tuple[UploadPorts, UploadSettings]:
    settings = load_settings(Settings)
    ports = UploadPorts(
        objects=UploadObjects(),
        ledger=InvoiceBatches(settings.TABLE_NAME),
        accounts=DynamoStore(settings.TABLE_NAME),
        continuations=ContinuationQueue(settings.CONTINUATION_QUEUE_URL),
        owners=Owners(
            directory=DirectoryStore(settings.STAFF_DIRECTORY_PARAMETER).in_use
            if settings.STAFF_DIRECTORY_PARAMETER
            else None,
            rotation=RotationCounters(settings.TABLE_NAME),
            default_owner=settings.DEFAULT_ACCOUNT_OWNER,
        ),
    )
    return ports, UploadSettings(
        staff_locale=settings.DEFAULT_LOCALE,
        customer_locale=settings.DEFAULT_LOCALE,
        customer_notices=settings.CUSTOMER_INVOICE_NOTICES,
        max_bytes=settings.MAX_UPLOAD_MB * 1_000_000,
        margin_seconds=settings.RUN_TIME_MARGIN_SECONDS,
        parse_options=ParseOptions(
            default_currency=settings.DEFAULT_CURRENCY,
            default_term_days=settings.DEFAULT_TERM_DAYS,
            default_country=settings.BUSINESS_COUNTRY,
        ),
    )


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    ports, settings = _wiring()
    if settings.customer_notices:  # only the customer's invoice notice needs the business calendar
        settings = replace(settings, holidays=_business_calendar(datetime.now(UTC)))

    def time_left() -> float:
        return context.get_remaining_time_in_millis() / 1000

    outcomes: list[UploadOutcome] = []
    # Records read as plain dicts: Powertools' event classes load every event source's module on the cold path.
    for record in event.get("Records", []):
        if record.get("eventSource") == "aws:sqs":
            progress = UploadProgress.model_validate_json(record["body"])
            outcome = continue_upload(progress, ports=ports, settings=settings, time_left=time_left)
        elif (upload := _uploaded(record)) is not None:
            outcome = receive_upload(upload, ports=ports, settings=settings, time_left=time_left)
        else:
            continue
        counts = {f"invoices_{name}": value for name, value in outcome.counts.model_dump().items()}
        logger.info(
            "upload handled",
            extra={"upload_id": outcome.upload_id, "file": outcome.file, "status": outcome.status}
            | counts
            | {"invoices_rejected": outcome.rejected, "runs": outcome.runs, "reason": outcome.reason},
        )
        metrics.add_metric(name="InvoicesImported", unit=MetricUnit.Count, value=outcome.counts.imported)
        metrics.add_metric(name="InvoiceRowsRejected", unit=MetricUnit.Count, value=outcome.rejected)
        metrics.add_metric(name=f"Uploads{outcome.status.capitalize()}", unit=MetricUnit.Count, value=1)
        outcomes.append(outcome)
    return {"uploads": [outcome.model_dump(mode="json") for outcome in outcomes]}


def _business_calendar(now: datetime) -> frozenset[date]:
    """The national holidays around `now` and the policy's local ones (the policy store caches its read); the
    national ones alone when the policy cannot be read: an invoice notice is not worth failing an upload for."""
    settings = load_settings(Settings)
    national = holidays_around(settings.BUSINESS_COUNTRY, now.year)
    if not settings.POLICY_PARAMETER:
        return national
    try:
        policy = _policies(settings.POLICY_PARAMETER).current().policy
    except PonteError:
        logger.warning("policy unreadable: due dates move on national holidays only")
        return national
    return business_calendar(national, policy, now.date())


@cache
def _policies(parameter: str) -> PolicyStore:
    return PolicyStore(parameter)


def _uploaded(record: dict[str, Any]) -> UploadedObject | None:
    s3 = record["s3"]
    found = s3["object"]
    key = unquote_plus(found["key"])
    if not key.startswith(INCOMING) or key.endswith("/"):  # a folder placeholder, or outside the trigger's prefix
        logger.warning("object ignored", extra={"file": key})
        return None
    return UploadedObject(
        bucket=s3["bucket"]["name"],
        key=key,
        version_id=found.get("versionId"),
        etag=found.get("eTag") or "",
        size=int(found["size"]),
        received_at=datetime.fromisoformat(record["eventTime"]),
    )
