"""Dunning sweep: on its schedule, hands every account due for evaluation to the worker, releases the parked
notifications that are due and escalates unacknowledged critical alerts (`ponte.functions.dunning_sweep`)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics

from ponte.functions.dunning_sweep import Settings, SweepWiring, Trigger
from ponte.settings import load_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
metrics = Metrics()


@cache
def _wiring() -> SweepWiring:
    return SweepWiring(load_settings(Settings))


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    wiring = _wiring()
    return wiring.run(Trigger.model_validate(event), logger, metrics)
