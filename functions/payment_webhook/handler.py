"""Payment webhooks: POST /webhooks/{provider} → verify, apply once, answer as soon as the change commits.

Accepted deliveries, duplicates included, get 200 (Asaas counts nothing else as delivered), and so do those a
provider's API does not confirm (ignored, logged and counted); refusals get a JSON error with their status.
Deliveries for one account at once take turns: the one whose write conflicts reads the account again, for as long
as the function's remaining time allows; only then does it answer 503, for the provider to deliver it again. Logs
name the provider, the event and the reason, never the secret, signature or body.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from functools import cache
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from pydantic import BaseModel, field_validator

from ponte.domain.accounts import Locale
from ponte.domain.errors import ConcurrentModification
from ponte.services.conflicts import ConflictRetry, StillConflicting
from ponte.services.webhooks import SourceNetworks, WebhookRefused, WebhookRequest, receive, source_networks
from ponte.settings import TimeZoneName, load_settings
from ponte.wiring import PaymentWiring

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
metrics = Metrics()


class Settings(BaseModel):
    TABLE_NAME: str
    BUSINESS_TIME_ZONE: TimeZoneName
    BUSINESS_COUNTRY: str
    DEFAULT_LOCALE: Locale
    DEFAULT_ACCOUNT_OWNER: str = ""
    STAFF_DIRECTORY_PARAMETER: str = ""  # empty: no staff directory, owners kept as the provider names them
    POLICY_PARAMETER: str
    STRIPE_WEBHOOK_SECRET_ARN: str
    ASAAS_WEBHOOK_SECRET_ARN: str
    STANDARD_WEBHOOK_SECRET_ARN: str
    MERCADOPAGO_WEBHOOK_SECRET_ARN: str
    MERCADOPAGO_ACCESS_TOKEN_ARN: str
    MERCADOPAGO_API_BASE_URL: str
    ASAAS_API_KEY_ARN: str
    ASAAS_API_BASE_URL: str
    ASAAS_ALLOWED_SOURCES: str = ""  # addresses or CIDR blocks, comma-separated; empty: any address

    @field_validator("ASAAS_ALLOWED_SOURCES")
    @classmethod
    def _networks(cls, value: str) -> str:
        source_networks(value)
        return value


@cache
def _wiring() -> PaymentWiring:
    s = load_settings(Settings)
    return PaymentWiring(
        table_name=s.TABLE_NAME,
        secret_ids={
            "stripe": s.STRIPE_WEBHOOK_SECRET_ARN,
            "asaas": s.ASAAS_WEBHOOK_SECRET_ARN,
            "standard": s.STANDARD_WEBHOOK_SECRET_ARN,
            "mercadopago": s.MERCADOPAGO_WEBHOOK_SECRET_ARN,
            "mercadopago-token": s.MERCADOPAGO_ACCESS_TOKEN_ARN,
            "asaas-api-key": s.ASAAS_API_KEY_ARN,
        },
        time_zone=s.BUSINESS_TIME_ZONE,
        country=s.BUSINESS_COUNTRY,
        locale=s.DEFAULT_LOCALE,
        default_owner=s.DEFAULT_ACCOUNT_OWNER or None,
        staff_directory_parameter=s.STAFF_DIRECTORY_PARAMETER,
        policy_parameter=s.POLICY_PARAMETER,
        mercadopago_base_url=s.MERCADOPAGO_API_BASE_URL,
        asaas_base_url=s.ASAAS_API_BASE_URL,
    )


@cache
def _allowed_sources() -> dict[str, SourceNetworks]:
    return {"asaas": source_networks(load_settings(Settings).ASAAS_ALLOWED_SOURCES)}


@metrics.log_metrics
@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    wiring = _wiring()
    request = _request(event)
    provider = request.provider
    log: dict[str, Any] = {"provider": provider}
    conflicts = ConflictRetry.within(context.get_remaining_time_in_millis() / 1000)
    try:
        received = receive(request, **wiring.webhook_ports(), conflicts=conflicts, allowed_sources=_allowed_sources())
    except WebhookRefused as refused:
        logger.warning("webhook refused", extra={**log, "status": refused.status, "reason": refused.reason})
        metrics.add_metric(name="WebhooksRefused", unit=MetricUnit.Count, value=1)
        # Per provider, for its alarm: a secret rotation gone wrong, or the provider sending from a new address.
        if refused.status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN):
            with single_metric(name="WebhooksUnauthorized", unit=MetricUnit.Count, value=1) as metric:
                metric.add_dimension(name="provider", value=provider)  # a known one: an unknown provider is a 404
        return _answer(refused.status, {"error": refused.reason})
    except ConcurrentModification as busy:
        attempts = busy.attempts if isinstance(busy, StillConflicting) else None
        logger.warning("webhook deferred: the account kept changing", extra={**log, "attempts": attempts})
        metrics.add_metric(name="WebhooksBusy", unit=MetricUnit.Count, value=1)
        return _answer(503, {"error": "the account is busy; deliver again later"}, retry_after=1)
    log |= {"event_id": received.event_id, "event_type": received.event_type}
    if received.unconfirmed is not None:  # acknowledged so that Asaas does not pause its queue; see `receive`
        logger.warning(
            "webhook ignored: the provider's API does not confirm it", extra={**log, "reason": received.unconfirmed}
        )
        metrics.add_metric(name="WebhooksIgnored", unit=MetricUnit.Count, value=1)
        with single_metric(name="WebhooksUnconfirmed", unit=MetricUnit.Count, value=1) as metric:
            metric.add_dimension(name="provider", value=provider)  # for its alarm: a leaked token, a wrong key
        return _answer(200, {"received": True, "ignored": True})
    if received.applied is None:
        logger.info("webhook ignored: Ponte does not act on this event type", extra=log)
        metrics.add_metric(name="WebhooksIgnored", unit=MetricUnit.Count, value=1)
        return _answer(200, {"received": True, "ignored": True})
    applied = received.applied
    logger.info(
        "webhook applied",
        extra={**log, "account_id": applied.account_id, "duplicate": applied.duplicate, "attempts": applied.attempts},
    )
    metrics.add_metric(
        name="WebhooksDuplicate" if applied.duplicate else "WebhooksApplied", unit=MetricUnit.Count, value=1
    )
    if applied.attempts > 1:
        metrics.add_metric(name="WebhookConflictRetries", unit=MetricUnit.Count, value=applied.attempts - 1)
    return _answer(200, {"received": True, "duplicate": applied.duplicate, "account_id": applied.account_id})


def _request(event: dict[str, Any]) -> WebhookRequest:
    """The delivery from API Gateway's event (payload 2.0), read as a plain dict: Powertools' event classes would
    load every event source's module on the cold path, for the five fields used here."""
    context = event["requestContext"]
    raw = event.get("body") or ""
    return WebhookRequest(
        provider=(event.get("pathParameters") or {}).get("provider", ""),
        headers={name.lower(): value for name, value in (event.get("headers") or {}).items()},
        body=base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode("utf-8"),
        query=dict(event.get("queryStringParameters") or {}),
        received_at=datetime.fromtimestamp(context["timeEpoch"] / 1000, UTC),
        source_ip=(context.get("http") or {}).get("sourceIp"),  # API Gateway always sets it; a hand-made event may not
    )


def _answer(status: int, body: dict[str, Any], retry_after: int | None = None) -> dict[str, Any]:
    headers = {"content-type": "application/json"}
    if retry_after is not None:
        headers["retry-after"] = str(retry_after)
    return {"statusCode": status, "headers": headers, "body": json.dumps(body)}
