"""Receive a payment provider's webhook: check it, verify it, turn it into events, apply them once.

Every refusal is a `WebhookRefused` with the HTTP status it deserves; nothing is written before the request is
verified and understood.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from ponte.domain.errors import InvalidInput, NotFound, PonteError, SecretNotConfigured
from ponte.providers import asaas, mercadopago, standard, stripe
from ponte.providers.asaas import AsaasApiError, AsaasUnavailable
from ponte.providers.base import PayloadError, SignatureError, header, load_json
from ponte.services.payments import Applied, PaymentSettings, Recompute, UnknownPayment, apply_delivery

if TYPE_CHECKING:
    from ponte.domain.events import DomainEvent
    from ponte.providers.asaas import AsaasCustomer
    from ponte.providers.base import WebhookProvider
    from ponte.services.conflicts import ConflictRetry
    from ponte.services.ports import LedgerStore

MAX_BODY_BYTES = 256 * 1024
MAX_LOGGED = 100  # the longest id or event type of an ignored delivery that its log line names
_LOGGABLE = re.compile(rf"[!-~]{{1,{MAX_LOGGED}}}")
SIGNED_PROVIDERS: dict[str, WebhookProvider] = {"stripe": stripe, "asaas": asaas, "standard": standard}
PROVIDERS = (*SIGNED_PROVIDERS, "mercadopago")


class WebhookRefused(PonteError):
    status = 400

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownProvider(WebhookRefused):
    status = 404


class Unauthorized(WebhookRefused):
    status = 401


class BadPayload(WebhookRefused):
    status = 400


class TooLarge(WebhookRefused):
    status = 413


class UnsupportedMediaType(WebhookRefused):
    status = 415


class NotYetKnown(WebhookRefused):
    """A refund or dispute for a payment not recorded yet: the provider delivers it again later."""

    status = 409


class ProviderUnavailable(WebhookRefused):
    """The provider's API, which the delivery needs, did not answer: the provider delivers it again later."""

    status = 503


class SecretSource(Protocol):
    def values(self, name: str) -> list[str]:
        """The active secrets of `name` (several during a rotation); raises SecretNotConfigured."""


class PaymentLookup(Protocol):
    def payment(self, payment_id: str) -> Mapping[str, Any]:
        """The payment as the provider's API gives it; raises NotFound when the provider has no such payment."""


class CustomerLookup(Protocol):
    def customer(self, customer_id: str) -> AsaasCustomer | None:
        """The customer as Asaas's API gives it; None when Asaas has no such customer."""


@dataclass(frozen=True)
class WebhookRequest:
    provider: str
    headers: Mapping[str, str]  # names in lower case
    body: bytes
    query: Mapping[str, str]
    received_at: datetime


@dataclass(frozen=True)
class Received:
    provider: str
    event_id: str | None
    event_type: str | None
    applied: Applied | None  # None: understood, but nothing Ponte acts on

    @property
    def ignored(self) -> bool:
        return self.applied is None


def receive(
    request: WebhookRequest,
    *,
    secrets: SecretSource,
    store: LedgerStore,
    settings: PaymentSettings,
    recompute: Recompute,
    mercadopago_api: Callable[[], PaymentLookup],
    asaas_api: Callable[[], CustomerLookup | None] = lambda: None,
    conflicts: ConflictRetry | None = None,
) -> Received:
    provider = request.provider
    if provider not in PROVIDERS:
        raise UnknownProvider(f"no webhook for provider {provider[:40]!r}; known: {', '.join(PROVIDERS)}")
    if len(request.body) > MAX_BODY_BYTES:
        raise TooLarge(f"the body is over {MAX_BODY_BYTES // 1024} KiB")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise UnsupportedMediaType(f"the body must be application/json, not {content_type[:60] or 'unspecified'}")
    try:
        active = secrets.values(provider)
        verifier = SIGNED_PROVIDERS.get(provider, mercadopago)
        verifier.verify(request.headers, request.body, active, request.received_at, request.query)
    except (SignatureError, SecretNotConfigured) as refused:
        raise Unauthorized(str(refused)) from None
    try:
        events = _events(request, mercadopago_api, settings.time_zone)
    except PayloadError as refused:
        raise BadPayload(str(refused)) from None
    except NotFound:
        # A signed notification about a payment the provider does not have (its dashboard's test notification
        # names one): nothing to act on, and delivering it again changes nothing.
        raise BadPayload(f"{provider}: the payment the notification names does not exist") from None
    event_id, event_type = _identity(request, events)
    if not events:
        return Received(provider, event_id, event_type, applied=None)
    if provider == "asaas":
        events = _with_asaas_customer(events, asaas_api)
    try:
        applied = apply_delivery(
            events, store=store, settings=settings, recompute=recompute, now=request.received_at, conflicts=conflicts
        )
    except UnknownPayment as unknown:
        raise NotYetKnown(str(unknown)) from None
    except InvalidInput as refused:  # a rule of the domain the events break (nothing was written)
        raise BadPayload(str(refused)) from None
    return Received(provider, event_id, event_type, applied)


def _with_asaas_customer(
    events: list[DomainEvent], asaas_api: Callable[[], CustomerLookup | None]
) -> list[DomainEvent]:
    """Asaas names the customer by id only: who they are (tax id, e-mail, the business's reference) comes from
    Asaas's API, so that the payment joins the account an NF-e upload opened. Without an API key configured, with
    one Asaas refuses, or with an answer that is not the customer, the account is found by the Asaas customer id
    alone (refusing every payment until that is fixed would be worse); an Asaas that does not answer makes Asaas
    deliver the webhook again later."""
    customer_id = asaas.customer_to_fetch(events)
    api = asaas_api() if customer_id else None
    if customer_id is None or api is None:
        return events
    try:
        return asaas.enrich(events, api.customer(customer_id))
    except AsaasUnavailable as failed:
        raise ProviderUnavailable(f"Asaas's customer API: {failed}") from None
    except AsaasApiError:  # the key refused, or an answer that is not the customer
        return events


def _events(request: WebhookRequest, mercadopago_api: Callable[[], PaymentLookup], time_zone: str) -> list[DomainEvent]:
    if request.provider != "mercadopago":
        provider = SIGNED_PROVIDERS[request.provider]
        return provider.normalise(request.body, headers=request.headers, time_zone=time_zone)
    notification = mercadopago.payment_notification(request.body, request.query)
    if notification is None:
        return []
    # The body is not signed: act only on the payment as Mercado Pago's API tells it.
    return mercadopago.normalise_payment(mercadopago_api().payment(notification.payment_id))


def _identity(request: WebhookRequest, events: list[DomainEvent]) -> tuple[str | None, str | None]:
    """The delivery's id and type, for the answer and the logs: for a delivery Ponte ignores, only when they look
    like an id and a type (a log line never carries what a sender put in their place)."""
    if events:
        return events[0].event_id, events[0].kind
    try:
        document = load_json(request.body)
    except PayloadError:
        return None, None
    if not isinstance(document, dict):
        return None, None
    event_id = document.get("id") or document.get("event_id") or header(request.headers, "webhook-id")
    event_type = document.get("type") or document.get("event") or document.get("action")
    return _loggable(event_id), _loggable(event_type)


def _loggable(value: object) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value) if abs(value) < 10**MAX_LOGGED else None
    return value if isinstance(value, str) and _LOGGABLE.fullmatch(value) else None
