"""Staff API: the console's reads and actions under /staff/..., behind the HTTP API's JWT authorizer (payload 2.0).
The routes, and how each refusal is answered: `ponte.functions.staff_api`."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics

from ponte.functions.staff_api import Settings, StaffApi, StaffWiring, routes
from ponte.settings import load_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
metrics = Metrics()


@cache
def _wiring() -> StaffWiring:
    return StaffWiring(load_settings(Settings))


@metrics.log_metrics
@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return routes.resolve(event, StaffApi(_wiring(), logger, metrics))
