"""Payment webhooks: POST /webhooks/{provider} → verify, apply once, answer as soon as the change commits.
How each outcome is answered, logged and counted: `ponte.functions.payment_webhook`."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics

from ponte.domain.errors import ConcurrentModification
from ponte.functions.payment_webhook import PaymentWiring, Settings, delivery, provider_of, received, refused
from ponte.services.conflicts import ConflictRetry
from ponte.services.webhooks import WebhookRefused, receive
from ponte.settings import load_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
metrics = Metrics()


@cache
def _wiring() -> PaymentWiring:
    return PaymentWiring(load_settings(Settings))


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    ports = _wiring().ports
    conflicts = ConflictRetry.within(context.get_remaining_time_in_millis() / 1000)
    try:
        answered = receive(delivery(event), ports, conflicts=conflicts)
    except (WebhookRefused, ConcurrentModification) as refusal:
        return refused(refusal, provider_of(event), logger, metrics)
    return received(answered, logger, metrics)
