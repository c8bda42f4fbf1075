"""Receive a payment provider's webhook: check it, verify it, turn it into events, apply them once.

Every refusal is a `WebhookRefused` with the HTTP status it deserves; nothing is written before the request is
verified and understood. A provider whose body is not signed (Mercado Pago) or signed only by a static token (Asaas)
is acted on only as its API tells the payment.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import TYPE_CHECKING, Any

from ponte.domain.errors import InvalidInput, NotFound, PonteError, SecretNotConfigured
from ponte.providers import OUT_OF_ORDER, PROVIDERS, WEBHOOK_PROVIDERS, verifier
from ponte.providers.base import PayloadError, SignatureError, header, load_json
from ponte.services.payments import Applied, PaymentSettings, UnknownPayment, apply_delivery

if TYPE_CHECKING:
    from ponte.domain.events import DomainEvent
    from ponte.services.conflicts import ConflictRetry
    from ponte.services.ports import AsaasLookup, LedgerStore, PaymentLookup, Recompute, SecretSource

MAX_BODY_BYTES = 256 * 1024
MAX_LOGGED = 100  # the longest id or event type of an ignored delivery that its log line names
_LOGGABLE = re.compile(rf"[!-~]{{1,{MAX_LOGGED}}}")

__all__ = [
    "MAX_BODY_BYTES",
    "PROVIDERS",
    "BadPayload",
    "Forbidden",
    "NotYetKnown",
    "ProviderUnavailable",
    "Received",
    "SourceNetworks",
    "TooLarge",
    "Unauthorized",
    "UnknownProvider",
    "UnsupportedMediaType",
    "WebhookPorts",
    "WebhookRefused",
    "WebhookRequest",
    "receive",
    "source_networks",
]


class WebhookRefused(PonteError):
    status = 400

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownProvider(WebhookRefused):
    status = 404


class Unauthorized(WebhookRefused):
    status = 401


class Forbidden(WebhookRefused):
    """A delivery from an address the provider does not send from (its optional allow-list)."""

    status = 403


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


@dataclass(frozen=True)
class WebhookRequest:
    provider: str
    headers: Mapping[str, str]  # names in lower case
    body: bytes
    query: Mapping[str, str]
    received_at: datetime
    # The address of the connection as API Gateway saw it (`requestContext.http.sourceIp`, which no header sets).
    source_ip: str | None = None


SourceNetworks = tuple[IPv4Network | IPv6Network, ...]


def _no_asaas_api() -> AsaasLookup | None:
    return None


@dataclass(frozen=True)
class WebhookPorts:
    """What receiving a delivery needs besides the request: built once per container (`ponte.functions`).

    The providers' APIs are asked for on the delivery that needs one, so that a container serving one provider
    never builds the other's client. `allowed_sources`: for a provider that publishes the addresses it sends
    from, the only ones its deliveries are accepted from (none listed: any).
    """

    secrets: SecretSource
    store: LedgerStore
    settings: PaymentSettings
    recompute: Recompute
    mercadopago_api: Callable[[], PaymentLookup]
    asaas_api: Callable[[], AsaasLookup | None] = _no_asaas_api
    allowed_sources: Mapping[str, SourceNetworks] = field(default_factory=dict)


def source_networks(text: str) -> SourceNetworks:
    """The networks a comma-separated list of addresses or CIDR blocks names (`52.67.12.206, 18.230.8.159/32`);
    an empty list names none. Raises ValueError naming an entry that is neither."""
    networks = []
    for entry in filter(None, (part.strip() for part in text.split(","))):
        try:
            networks.append(ip_network(entry))
        except ValueError:
            raise ValueError(f"{entry[:60]!r} is not an IP address or CIDR block") from None
    return tuple(networks)


@dataclass(frozen=True)
class Received:
    provider: str
    event_id: str | None
    event_type: str | None
    applied: Applied | None  # None: understood, but nothing Ponte acts on
    unconfirmed: str | None = None  # why the provider's API does not bear the delivery out (then applied is None)

    @property
    def ignored(self) -> bool:
        return self.applied is None


def _verify(request: WebhookRequest, secrets: SecretSource) -> None:
    """The delivery is the provider's, or Unauthorized. The cached secret may be stale (set or rotated since it was
    read): on a failure it is read once more, at most once a minute, so a new secret takes effect at the next
    delivery rather than when the cache expires."""
    provider = request.provider
    check = verifier(provider)
    try:
        try:
            check.verify(request.headers, request.body, secrets.values(provider), request.received_at, request.query)
        except (SignatureError, SecretNotConfigured):
            fresh = secrets.refreshed(provider)
            if fresh is None:
                raise
            check.verify(request.headers, request.body, fresh, request.received_at, request.query)
    except (SignatureError, SecretNotConfigured) as refused:
        raise Unauthorized(str(refused)) from None


def receive(request: WebhookRequest, ports: WebhookPorts, *, conflicts: ConflictRetry | None = None) -> Received:
    """Check, verify and apply one delivery; `conflicts`: how long a delivery for a busy account may take turns."""
    provider = request.provider
    if provider not in PROVIDERS:
        raise UnknownProvider(f"no webhook for provider {provider[:40]!r}; known: {', '.join(PROVIDERS)}")
    if not _from_allowed_source(request, ports.allowed_sources.get(provider, ())):
        raise Forbidden(f"{provider} deliveries are accepted only from the addresses {provider} sends from")
    if len(request.body) > MAX_BODY_BYTES:
        raise TooLarge(f"the body is over {MAX_BODY_BYTES // 1024} KiB")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise UnsupportedMediaType(f"the body must be application/json, not {content_type[:60] or 'unspecified'}")
    _verify(request, ports.secrets)
    try:
        events = _events(request, ports)
    except PayloadError as refused:
        raise BadPayload(str(refused)) from None
    except NotFound:
        # A signed notification about a payment the provider does not have (its dashboard's test notification
        # names one): nothing to act on, and delivering it again changes nothing.
        raise BadPayload(f"{provider}: the payment the notification names does not exist") from None
    if isinstance(events, _Unconfirmed):
        # Acknowledged (200) and ignored, never refused: Asaas pauses a webhook's whole queue after 15 answers
        # other than 200 in a row (docs.asaas.com/docs/webhooks-queue-paused), so a delivery its API does not bear
        # out (its dashboard's test, a payment of another account, a forgery with a leaked token) must not hold
        # back the genuine ones behind it. The handler logs and counts it.
        event_id, event_type = _identity(request, [])
        return Received(provider, event_id, event_type, applied=None, unconfirmed=events.reason)
    event_id, event_type = _identity(request, events)
    if not events:
        return Received(provider, event_id, event_type, applied=None)
    if provider == "asaas":
        events = _with_asaas_customer(events, ports.asaas_api)
    try:
        applied = apply_delivery(
            events,
            store=ports.store,
            settings=ports.settings,
            recompute=ports.recompute,
            now=request.received_at,
            conflicts=conflicts,
            retried_for=OUT_OF_ORDER.get(provider),
        )
    except UnknownPayment as unknown:
        raise NotYetKnown(str(unknown)) from None
    except InvalidInput as refused:  # a rule of the domain the events break (nothing was written)
        raise BadPayload(str(refused)) from None
    return Received(provider, event_id, event_type, applied)


def _from_allowed_source(request: WebhookRequest, networks: SourceNetworks) -> bool:
    if not networks:
        return True
    try:
        address = ip_address(request.source_ip or "")
    except ValueError:
        return False
    return any(address in network for network in networks)


def _with_asaas_customer(events: list[DomainEvent], asaas_api: Callable[[], AsaasLookup | None]) -> list[DomainEvent]:
    """Asaas names the customer by id only: who they are (tax id, e-mail, the business's reference) comes from
    Asaas's API, so that the payment joins the account an NF-e upload opened. Without an API key configured, with
    one Asaas refuses (possible for a subscription event only: a payment event needs the key to be confirmed at
    all), or with an answer that is not the customer, the account is found by the Asaas customer id alone; an
    Asaas that does not answer makes Asaas deliver the webhook again later."""
    from ponte.providers import asaas  # noqa: PLC0415 - imported with the first Asaas delivery
    from ponte.providers.asaas import AsaasApiError, AsaasUnavailable  # noqa: PLC0415

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


@dataclass(frozen=True)
class _Unconfirmed:
    """The provider's API does not bear the delivery out: why."""

    reason: str


def _events(request: WebhookRequest, ports: WebhookPorts) -> list[DomainEvent] | _Unconfirmed:
    if request.provider == "asaas":
        return _asaas_events(request, ports.asaas_api)
    if request.provider != "mercadopago":
        provider = WEBHOOK_PROVIDERS[request.provider]
        return provider.normalise(request.body, headers=request.headers, time_zone=ports.settings.time_zone)
    from ponte.providers import mercadopago  # noqa: PLC0415 - imported with the first Mercado Pago delivery

    notification = mercadopago.payment_notification(request.body, request.query)
    if notification is None:
        return []
    # The body is not signed: act only on the payment as Mercado Pago's API tells it.
    return mercadopago.normalise_payment(_mercadopago_payment(notification.payment_id, ports.mercadopago_api))


def _mercadopago_payment(payment_id: str, api: Callable[[], PaymentLookup]) -> Mapping[str, Any]:
    """The payment from Mercado Pago's API. Until the access token is set, while Mercado Pago refuses it, and while
    its API does not answer, the notification cannot be read: 503, so that Mercado Pago delivers it again (it
    does for days), as Asaas's are. A payment it does not have (NotFound) is left to the caller."""
    from http.client import HTTPException  # noqa: PLC0415 - loaded with the API's client already
    from urllib.error import HTTPError  # noqa: PLC0415

    try:
        return api().payment(payment_id)
    except SecretNotConfigured:
        raise ProviderUnavailable("Mercado Pago's access token is not set: the payment cannot be fetched") from None
    except HTTPError as failed:  # the API's answer other than 404 (the adapter's NotFound)
        failed.close()
        raise ProviderUnavailable(f"Mercado Pago's payments API answered HTTP {failed.code}") from None
    except (OSError, HTTPException, ValueError) as failed:  # timeouts, dropped connections, an answer not JSON
        raise ProviderUnavailable(f"Mercado Pago's payments API did not answer: {failed.__class__.__name__}") from None


def _asaas_events(
    request: WebhookRequest, asaas_api: Callable[[], AsaasLookup | None]
) -> list[DomainEvent] | _Unconfirmed:
    """Asaas's token is static and its body unsigned: whoever holds the token could post any payment. A payment
    event is acted on only as Asaas's API tells the payment now (one `GET /v3/payments/{id}` per delivery), and
    raises Unconfirmed when the API does not bear it out; subscription events (they tell sales, and move no money)
    are read as sent.

    Until the API key is set, while Asaas refuses it, and while Asaas does not answer, a payment event cannot be
    confirmed: 503, so that Asaas delivers it again (after 15 failures in a row it pauses the queue and keeps the
    events for 14 days; they come through once the key works and the queue is resumed), and the alarm on webhook
    5xx tells someone.
    """
    from ponte.providers import asaas  # noqa: PLC0415 - imported with the first Asaas delivery
    from ponte.providers.asaas import AsaasApiError, Unconfirmed  # noqa: PLC0415

    notification = asaas.payment_notification(request.body)
    if notification is None:
        return asaas.normalise(request.body)
    api = asaas_api()
    if api is None:
        raise ProviderUnavailable("Asaas's API key is not set: a payment event cannot be confirmed with Asaas")
    try:
        payment = api.payment(notification.payment_id)
    except AsaasApiError as failed:  # not answering, the key refused, an answer that is not the payment
        raise ProviderUnavailable(f"Asaas's payments API: {failed}") from None
    try:
        return asaas.normalise_payment(notification, payment, received_at=request.received_at)
    except Unconfirmed as unconfirmed:
        return _Unconfirmed(str(unconfirmed))


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
