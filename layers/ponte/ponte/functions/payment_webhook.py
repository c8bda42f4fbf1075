"""Payment webhooks: POST /webhooks/{provider} → verify, apply once, answer as soon as the change commits.

Accepted deliveries, duplicates included, get 200 (Asaas counts nothing else as delivered), and so do those a
provider's API does not confirm (ignored, logged and counted); refusals get a JSON error with their status.
Deliveries for one account at once take turns: the one whose write conflicts reads the account again, for as long
as the function's remaining time allows; only then does it answer 503, for the provider to deliver it again. Logs
name the provider, the event and the reason, never the secret, signature or body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from pydantic import field_validator

from ponte.calendar import holidays_around
from ponte.http import JSON, HttpRequest, answer
from ponte.services.conflicts import StillConflicting
from ponte.services.webhooks import Received, WebhookPorts, WebhookRefused, WebhookRequest, source_networks
from ponte.settings import BusinessSettings, DirectorySettings
from ponte.wiring import owners_rule, staff_directory

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from aws_lambda_powertools import Logger, Metrics

    from ponte.adapters.asaas_api import AsaasApi
    from ponte.adapters.documents import DirectoryStore
    from ponte.adapters.dynamodb import DynamoStore
    from ponte.adapters.policy_store import PolicyStore
    from ponte.adapters.secrets import WebhookSecrets
    from ponte.domain.changes import AccountChange
    from ponte.domain.errors import ConcurrentModification
    from ponte.domain.ledger import Ledger
    from ponte.services.owners import Owners
    from ponte.services.payments import PaymentSettings
    from ponte.services.ports import AsaasLookup, PaymentLookup


class Settings(BusinessSettings, DirectorySettings):
    DEFAULT_ACCOUNT_OWNER: str = ""
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


@dataclass
class PaymentWiring:
    """The payment webhook's ports, built once per container, each adapter on first use."""

    settings: Settings
    _asaas_client: AsaasApi | None = field(default=None, init=False, repr=False, compare=False)
    _asaas_key: str = field(default="", init=False, repr=False, compare=False)

    @cached_property
    def ports(self) -> WebhookPorts:
        return WebhookPorts(
            secrets=self.secrets,
            store=self.store,
            settings=self.payment_settings,
            recompute=self.recompute,
            mercadopago_api=self.mercadopago_api,
            asaas_api=self.asaas_api,
            allowed_sources={"asaas": source_networks(self.settings.ASAAS_ALLOWED_SOURCES)},
        )

    @cached_property
    def store(self) -> DynamoStore:
        from ponte.adapters.dynamodb import DynamoStore  # noqa: PLC0415

        return DynamoStore(self.settings.TABLE_NAME)

    @cached_property
    def secrets(self) -> WebhookSecrets:
        from ponte.adapters.secrets import WebhookSecrets  # noqa: PLC0415

        s = self.settings
        return WebhookSecrets(
            {
                "stripe": s.STRIPE_WEBHOOK_SECRET_ARN,
                "asaas": s.ASAAS_WEBHOOK_SECRET_ARN,
                "standard": s.STANDARD_WEBHOOK_SECRET_ARN,
                "mercadopago": s.MERCADOPAGO_WEBHOOK_SECRET_ARN,
                "mercadopago-token": s.MERCADOPAGO_ACCESS_TOKEN_ARN,
                "asaas-api-key": s.ASAAS_API_KEY_ARN,
            }
        )

    @cached_property
    def payment_settings(self) -> PaymentSettings:
        from ponte.services.payments import PaymentSettings  # noqa: PLC0415

        return PaymentSettings(
            staff_locale=self.settings.DEFAULT_LOCALE,
            customer_locale=self.settings.DEFAULT_LOCALE,
            time_zone=self.settings.BUSINESS_TIME_ZONE,
            default_owner=self.settings.DEFAULT_ACCOUNT_OWNER or None,
            owners=self.owners,
        )

    @cached_property
    def directory(self) -> DirectoryStore | None:
        return staff_directory(self.settings.STAFF_DIRECTORY_PARAMETER)

    @cached_property
    def owners(self) -> Owners:
        """The owner rule for accounts a provider's customer opens; the directory is read only when one is."""
        return owners_rule(self.settings.TABLE_NAME, self.directory, self.settings.DEFAULT_ACCOUNT_OWNER)

    @cached_property
    def policy(self) -> PolicyStore:
        from ponte.adapters.policy_store import PolicyStore  # noqa: PLC0415

        return PolicyStore(self.settings.POLICY_PARAMETER)

    def recompute(self, ledger: Ledger, now: datetime, cause: str, /) -> AccountChange | None:
        """The collections decision after a payment: reactivation at once, anything else left to the sweep."""
        from ponte.services.collections import change_for, decide  # noqa: PLC0415

        s = self.settings
        decision = decide(
            ledger,
            now=now,
            policy=self.policy.current().policy,
            time_zone=s.BUSINESS_TIME_ZONE,
            holidays=holidays_around(s.BUSINESS_COUNTRY, now.year),
        )
        return change_for(ledger, decision, now=now, staff_locale=s.DEFAULT_LOCALE, cause=cause, immediate_only=True)

    def mercadopago_api(self) -> PaymentLookup:
        from ponte.adapters.mercadopago_api import MercadoPagoApi  # noqa: PLC0415

        return MercadoPagoApi(self.settings.MERCADOPAGO_API_BASE_URL, self.secrets.values("mercadopago-token")[0])

    def asaas_api(self) -> AsaasLookup | None:
        """Asaas's customer API, once its key is set (the client and its cache then live with the container)."""
        from ponte.adapters.asaas_api import AsaasApi  # noqa: PLC0415
        from ponte.domain.errors import SecretNotConfigured  # noqa: PLC0415

        try:
            key = self.secrets.values("asaas-api-key")[0]
        except SecretNotConfigured:
            return None  # Asaas customers are then known by their Asaas id alone
        if self._asaas_client is None or self._asaas_key != key:  # a new key after a rotation: a new client
            self._asaas_client, self._asaas_key = AsaasApi(key, self.settings.ASAAS_API_BASE_URL), key
        return self._asaas_client


def delivery(event: Mapping[str, Any]) -> WebhookRequest:
    """The delivery, from API Gateway's event; refused (400) when its body is marked base64 and is not."""
    request = HttpRequest.of(event)
    try:
        body = request.body
    except ValueError:  # binascii.Error: API Gateway encodes a body itself, so only a hand-made event is refused here
        raise WebhookRefused("body: marked base64 but not base64") from None
    return WebhookRequest(
        provider=request.path_parameters.get("provider", ""),
        headers=request.headers,
        body=body,
        query=request.query,
        received_at=request.time,
        source_ip=request.source_ip,
    )


def provider_of(event: Mapping[str, Any]) -> str:
    """The provider the delivery's path names (`/webhooks/{provider}`)."""
    return HttpRequest.of(event).path_parameters.get("provider", "")


def refused(refusal: WebhookRefused | ConcurrentModification, provider: str, logger: Logger, metrics: Metrics) -> JSON:
    """The answer to a delivery refused (its status), or deferred because its account kept changing (503)."""
    if not isinstance(refusal, WebhookRefused):
        attempts = refusal.attempts if isinstance(refusal, StillConflicting) else None
        logger.warning(
            "webhook deferred: the account kept changing", extra={"provider": provider, "attempts": attempts}
        )
        metrics.add_metric(name="WebhooksBusy", unit=MetricUnit.Count, value=1)
        return answer(503, {"error": "the account is busy; deliver again later"}, retry_after=1)
    logger.warning("webhook refused", extra={"provider": provider, "status": refusal.status, "reason": refusal.reason})
    metrics.add_metric(name="WebhooksRefused", unit=MetricUnit.Count, value=1)
    # Per provider, for its alarm: a secret rotation gone wrong, or the provider sending from a new address.
    if refusal.status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN):
        with single_metric(name="WebhooksUnauthorized", unit=MetricUnit.Count, value=1) as metric:
            metric.add_dimension(name="provider", value=provider)  # a known one: an unknown provider is a 404
    return answer(refusal.status, {"error": refusal.reason})


def received(received: Received, logger: Logger, metrics: Metrics) -> JSON:
    """The answer to a delivery accepted: applied (once), or understood and ignored."""
    log = {"provider": received.provider, "event_id": received.event_id, "event_type": received.event_type}
    if received.unconfirmed is not None:  # acknowledged so that Asaas does not pause its queue; see `receive`
        logger.warning(
            "webhook ignored: the provider's API does not confirm it", extra={**log, "reason": received.unconfirmed}
        )
        metrics.add_metric(name="WebhooksIgnored", unit=MetricUnit.Count, value=1)
        with single_metric(name="WebhooksUnconfirmed", unit=MetricUnit.Count, value=1) as metric:
            metric.add_dimension(name="provider", value=received.provider)  # for its alarm: a leaked token, a wrong key
        return answer(200, {"received": True, "ignored": True})
    if received.applied is None:
        logger.info("webhook ignored: Ponte does not act on this event type", extra=log)
        metrics.add_metric(name="WebhooksIgnored", unit=MetricUnit.Count, value=1)
        return answer(200, {"received": True, "ignored": True})
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
    return answer(200, {"received": True, "duplicate": applied.duplicate, "account_id": applied.account_id})
