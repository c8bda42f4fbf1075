"""Invoice upload: records the invoice files the back office puts under incoming/ in the invoices bucket, from the
bucket's events and, for a long file, the continuation queue (`ponte.functions.invoice_upload`)."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics

from ponte.functions.invoice_upload import Settings, UploadWiring, report, upload_trigger
from ponte.settings import load_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from ponte.services.uploads import UploadOutcome

logger = Logger()
metrics = Metrics()


@cache
def _wiring() -> UploadWiring:
    return UploadWiring(load_settings(Settings))


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    wiring = _wiring()
    settings = wiring.settings_at(datetime.now(UTC), logger)
    outcomes: list[UploadOutcome] = []
    for record in event.get("Records", []):
        trigger = upload_trigger(record, logger)  # a continuation, a new object, or nothing to do
        if trigger is not None:
            outcomes.append(wiring.upload(trigger, settings, lambda: context.get_remaining_time_in_millis() / 1000))
            report(outcomes[-1], logger, metrics)
    return {"uploads": [outcome.model_dump(mode="json") for outcome in outcomes]}
