"""Notifier: delivers each new outbox item from the table's stream to staff, customers and the platform; what
cannot go out now is parked and released later by the sweep (`ponte.functions.notifier`)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics

from ponte.functions.notifier import NotifierWiring, Settings, outbox_records, report
from ponte.services.outbox import deliver_outbox
from ponte.settings import load_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
metrics = Metrics()


@cache
def _wiring() -> NotifierWiring:
    return NotifierWiring(load_settings(Settings), logger)


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    wiring = _wiring()
    records, now = outbox_records(event["Records"])
    # Raises only when parking fails too: the stream then retries the batch, skipping what was published.
    result = deliver_outbox(records, wiring.sender(now), wiring.outbox, now=now)
    report(result, logger, metrics)
    return {"batchItemFailures": []}
