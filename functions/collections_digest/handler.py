"""Collections digest: on business days, one staff message with what collections can act on."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from ponte.functions.collections_digest import DigestWiring, Settings, Trigger
from ponte.settings import load_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
metrics = Metrics()


@cache
def _wiring() -> DigestWiring:
    return DigestWiring(load_settings(Settings))


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    wiring = _wiring()
    now = Trigger.model_validate(event).scheduled_time
    digest = wiring.digest(now)
    written = digest is not None
    logger.info("collections digest", extra={"scheduled_time": now.isoformat(), "written": written})
    metrics.add_metric(name="DigestsWritten", unit=MetricUnit.Count, value=int(written))
    return {"written": written, "notification_id": digest.notification_id if digest else None}
