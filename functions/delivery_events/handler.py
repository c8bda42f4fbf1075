"""Delivery events: what SES reports of each customer e-mail, recorded against the notice it belongs to.
What is recorded, dropped, retried: `ponte.functions.delivery_events`."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics

from ponte.functions.delivery_events import DeliveryEventsWiring, Settings, sns_messages
from ponte.services.delivery_events import record_email_event
from ponte.settings import load_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
metrics = Metrics()


@cache
def _wiring() -> DeliveryEventsWiring:
    return DeliveryEventsWiring(load_settings(Settings))


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> None:
    wiring = _wiring()
    for sns in sns_messages(event):
        locale = wiring.settings.DEFAULT_LOCALE
        result = record_email_event(sns.message, wiring.records, staff_locale=locale, now=sns.published)
        wiring.follow_up(result, sns, logger, metrics)
