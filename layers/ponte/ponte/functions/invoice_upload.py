"""Invoice upload: records the invoice files the back office puts under incoming/ in the invoices bucket.

Two triggers: the bucket's S3 event for each new object, and the continuation queue for a file whose recording
takes more than one run. A file that cannot be read is not an error: it is quarantined, reported and alerted; one
deleted before it was read is skipped with a report (status `skipped`).
Errors worth a retry propagate, so Lambda retries the S3 event (then sends it to the failure queue) and SQS
redelivers a continuation (then moves it to the same queue).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.metrics import MetricUnit
from pydantic import Field

from ponte.adapters.continuations import ContinuationQueue
from ponte.adapters.dynamodb import DynamoStore
from ponte.adapters.invoice_batches import InvoiceBatches
from ponte.adapters.objects import UploadObjects
from ponte.adapters.policy_store import PolicyStore
from ponte.calendar import holidays_around
from ponte.domain.dunning import business_calendar
from ponte.domain.errors import PonteError
from ponte.domain.money import CurrencyCode
from ponte.domain.uploads import INCOMING, UploadedObject, UploadProgress
from ponte.invoices import ParseOptions
from ponte.services.uploads import UploadOutcome, UploadPorts, UploadSettings, continue_upload, receive_upload
from ponte.settings import DirectorySettings, TableSettings
from ponte.wiring import owners_rule, staff_directory

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from aws_lambda_powertools import Logger, Metrics


class Settings(TableSettings, DirectorySettings):
    CONTINUATION_QUEUE_URL: str
    DEFAULT_CURRENCY: CurrencyCode
    DEFAULT_TERM_DAYS: int = Field(ge=0, le=3650)
    BUSINESS_COUNTRY: str = Field(pattern=r"^[A-Z]{2}$")
    CUSTOMER_INVOICE_NOTICES: bool
    MAX_UPLOAD_MB: int = Field(gt=0)
    RUN_TIME_MARGIN_SECONDS: float = Field(ge=0)
    DEFAULT_ACCOUNT_OWNER: str = ""  # the owner of accounts no row and no rule gives one (empty: none)
    POLICY_PARAMETER: str = ""  # empty: the calendar without the policy's local holidays


class UploadWiring:
    """The upload's ports and settings, built once per container."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.ports = UploadPorts(
            objects=UploadObjects(),
            ledger=InvoiceBatches(settings.TABLE_NAME),
            accounts=DynamoStore(settings.TABLE_NAME),
            continuations=ContinuationQueue(settings.CONTINUATION_QUEUE_URL),
            owners=owners_rule(
                settings.TABLE_NAME,
                staff_directory(settings.STAFF_DIRECTORY_PARAMETER),
                settings.DEFAULT_ACCOUNT_OWNER,
            ),
        )
        self.upload_settings = UploadSettings(
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
        self.policies = PolicyStore(settings.POLICY_PARAMETER) if settings.POLICY_PARAMETER else None

    def upload(
        self, trigger: UploadProgress | UploadedObject, settings: UploadSettings, time_left: Callable[[], float]
    ) -> UploadOutcome:
        """Record a new object, or go on with one a former run left unfinished (`ponte.services.uploads`)."""
        if isinstance(trigger, UploadProgress):
            return continue_upload(trigger, ports=self.ports, settings=settings, time_left=time_left)
        return receive_upload(trigger, ports=self.ports, settings=settings, time_left=time_left)

    def settings_at(self, now: datetime, logger: Logger) -> UploadSettings:
        """The upload settings, with the business calendar around `now`: a due date on a holiday is told as the
        business day it moved to, in the customer's invoice notice and in the owner's new-customer alert alike."""
        return replace(self.upload_settings, holidays=self._business_calendar(now, logger))

    def _business_calendar(self, now: datetime, logger: Logger) -> frozenset[date]:
        """The national holidays around `now` and the policy's local ones (the policy store caches its read); the
        national ones alone when the policy cannot be read: an invoice notice is not worth failing an upload for."""
        national = holidays_around(self.settings.BUSINESS_COUNTRY, now.year)
        if self.policies is None:
            return national
        try:
            policy = self.policies.current().policy
        except PonteError:
            logger.warning("policy unreadable: due dates move on national holidays only")
            return national
        return business_calendar(national, policy, now.date())


def upload_trigger(record: Mapping[str, Any], logger: Logger) -> UploadProgress | UploadedObject | None:
    """What a record asks for: a continuation (from the queue), a new object (from the bucket), or nothing (an object
    outside the trigger's prefix, or a folder placeholder). Read as a plain dict: Powertools' event classes load every
    event source's module on the cold path."""
    if record.get("eventSource") == "aws:sqs":
        return UploadProgress.model_validate_json(record["body"])
    s3 = record["s3"]
    found = s3["object"]
    key = unquote_plus(found["key"])
    if not key.startswith(INCOMING) or key.endswith("/"):
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


def report(outcome: UploadOutcome, logger: Logger, metrics: Metrics) -> None:
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
