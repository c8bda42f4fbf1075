"""Receiving an Asaas delivery (issue 10): a payment event is applied only as Asaas's API confirms it, one it does
not bear out is acknowledged and changes nothing, and one that cannot be checked now is delivered again (503).

The API's payment is the card payment Asaas delivered in `providers/payloads/asaas/PAYMENT_CONFIRMED.json`.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from infra.local.signing import asaas_headers
from ponte.domain.errors import SecretNotConfigured
from ponte.providers.asaas import AsaasApiError, AsaasAuthError, AsaasCustomer, AsaasUnavailable
from ponte.services.payments import PaymentSettings
from ponte.services.webhooks import Received, WebhookPorts, WebhookRefused, WebhookRequest, receive, source_networks
from tests.memory_store import MemoryLedgerStore
from tests.support import T0

TOKEN = "asaas-confirmation-token"
SETTINGS = PaymentSettings(staff_locale="en", customer_locale="en", time_zone="America/Sao_Paulo")
CAPTURE: dict[str, Any] = json.loads(
    (Path(__file__).parent / "providers" / "payloads" / "asaas" / "PAYMENT_CONFIRMED.json").read_text(),
    parse_float=Decimal,
)
PAYMENT_ID = "pay_qf7gz7zgtg7kn2cm"


class Secrets:
    def refreshed(self, name: str) -> list[str] | None:
        return None  # read again within the minute: nothing new

    def values(self, name: str) -> list[str]:
        if name != "asaas":
            raise SecretNotConfigured(name)
        return [TOKEN]


class FakeAsaas:
    """Asaas's API: the payments it has, by id (None: the lookup fails with `error`); customers it does not have."""

    def __init__(self, payments: Mapping[str, Mapping[str, Any]] | None = None, error: Exception | None = None) -> None:
        self.payments = dict(payments or {})
        self.error = error
        self.asked: list[str] = []

    def payment(self, payment_id: str) -> Mapping[str, Any] | None:
        self.asked.append(f"payment {payment_id}")
        if self.error is not None:
            raise self.error
        return self.payments.get(payment_id)

    def customer(self, customer_id: str) -> AsaasCustomer | None:
        self.asked.append(f"customer {customer_id}")
        return None


def as_asaas_has_it(**changes: Any) -> dict[str, Any]:
    payment: dict[str, Any] = copy.deepcopy(CAPTURE["payment"])
    return payment | changes


def posted(kind: str = "PAYMENT_CONFIRMED", event_id: str | None = None, **payment: Any) -> WebhookRequest:
    """A delivery with the right token, as anyone who holds it could post it."""
    body = copy.deepcopy(CAPTURE)
    body["event"] = kind
    body["id"] = event_id or body["id"]
    body["payment"] |= payment
    raw = json.dumps(body, default=float).encode()
    headers = {name.lower(): value for name, value in asaas_headers(TOKEN).items()}
    return WebhookRequest(provider="asaas", headers=headers, body=raw, query={}, received_at=T0)


def run(request: WebhookRequest, store: MemoryLedgerStore, api: FakeAsaas | None) -> Received:
    return receive(
        request,
        WebhookPorts(
            secrets=Secrets(),
            store=store,
            settings=SETTINGS,
            recompute=lambda ledger, now, cause: None,
            mercadopago_api=lambda: pytest.fail("Mercado Pago is not asked about an Asaas delivery"),
            asaas_api=lambda: api,
        ),
    )


def refused(request: WebhookRequest, store: MemoryLedgerStore, api: FakeAsaas | None) -> WebhookRefused:
    with pytest.raises(WebhookRefused) as caught:
        run(request, store, api)
    return caught.value


def nothing_written(store: MemoryLedgerStore) -> bool:
    return not (store.commits or store.ledgers or store.references or store.outbox)


def test_a_confirmed_payment_is_recorded_for_the_amount_asaas_gives() -> None:
    # Given a holder of the token who posts Asaas's real delivery with the amount edited to R$ 10.000,00
    store = MemoryLedgerStore()
    api = FakeAsaas({PAYMENT_ID: as_asaas_has_it()})

    received = run(posted(value=10000), store, api)

    # Then Ponte asked Asaas and recorded the R$ 29,90 Asaas has, for Asaas's customer
    assert api.asked == [f"payment {PAYMENT_ID}", "customer cus_000149857757"]
    assert received.applied is not None and received.applied.account_id is not None
    assert received.unconfirmed is None
    [payment] = store.ledgers[received.applied.account_id].payments
    assert payment.amount.amount == 2990
    assert store.references[("asaas", "cus_000149857757")] == received.applied.account_id


@pytest.mark.parametrize(
    ("kind", "asaas_has", "says"),
    [
        ("PAYMENT_RECEIVED", {"status": "PENDING"}, "PENDING"),  # a payment made up for a real charge
        ("PAYMENT_REFUNDED", {}, "CONFIRMED"),  # a refund Asaas never made
        ("PAYMENT_CHARGEBACK_REQUESTED", {}, "CONFIRMED"),
        ("PAYMENT_CREATED", {"deleted": True}, "deleted"),
    ],
)
def test_a_delivery_asaas_does_not_bear_out_is_acknowledged_and_changes_nothing(
    kind: str, asaas_has: dict[str, Any], says: str
) -> None:
    store = MemoryLedgerStore()

    received = run(posted(kind, status="RECEIVED"), store, FakeAsaas({PAYMENT_ID: as_asaas_has_it(**asaas_has)}))

    assert received.ignored and received.unconfirmed is not None and says in received.unconfirmed
    assert (received.event_id, received.event_type) == (CAPTURE["id"], kind)
    assert nothing_written(store)


def test_a_payment_asaas_does_not_have_is_acknowledged_and_changes_nothing() -> None:
    store = MemoryLedgerStore()

    received = run(posted(id="pay_made_up_by_a_forger"), store, FakeAsaas())

    assert received.ignored and received.unconfirmed == "PAYMENT_CONFIRMED: Asaas has no such payment"
    assert nothing_written(store)


@pytest.mark.parametrize(
    ("api", "reason"),
    [
        (None, "API key is not set"),
        (FakeAsaas(error=AsaasUnavailable("Asaas did not answer: TimeoutError")), "did not answer"),
        (FakeAsaas(error=AsaasUnavailable("Asaas could not answer (HTTP 502)", 502)), "HTTP 502"),
        (FakeAsaas(error=AsaasAuthError("Asaas refused the API key (HTTP 401)", 401)), "refused the API key"),
        (FakeAsaas(error=AsaasApiError("Asaas answered with another payment")), "another payment"),
    ],
    ids=["no key", "timeout", "5xx", "key refused", "not the payment"],
)
def test_a_payment_that_cannot_be_checked_now_is_delivered_again(api: FakeAsaas | None, reason: str) -> None:
    store = MemoryLedgerStore()

    error = refused(posted(), store, api)

    assert error.status == 503 and reason in error.reason
    assert nothing_written(store)


def test_once_asaas_answers_again_the_same_delivery_is_applied_once() -> None:
    store = MemoryLedgerStore()
    api = FakeAsaas({PAYMENT_ID: as_asaas_has_it()}, error=AsaasUnavailable("Asaas could not answer (HTTP 503)"))
    assert refused(posted(), store, api).status == 503

    api.error = None
    first = run(posted(), store, api)
    again = run(posted(), store, api)

    assert first.applied is not None and not first.applied.duplicate
    assert again.applied is not None and again.applied.duplicate
    assert store.commits == 1


def test_a_subscription_event_is_read_as_sent_without_asking_for_a_payment() -> None:
    subscription = {
        "id": "evt_sub_1",
        "event": "SUBSCRIPTION_DELETED",
        "dateCreated": "2026-11-02 09:00:00",
        "subscription": {"id": "sub_fho3iprt06ir5agq", "customer": "cus_000149857757", "value": 29.9},
    }
    raw = json.dumps(subscription).encode()
    headers = {name.lower(): value for name, value in asaas_headers(TOKEN).items()}
    request = WebhookRequest(provider="asaas", headers=headers, body=raw, query={}, received_at=T0)
    store = MemoryLedgerStore()
    api = FakeAsaas()

    received = run(request, store, api)

    assert received.applied is not None and api.asked == ["customer cus_000149857757"]
    assert run(request, MemoryLedgerStore(), None).applied is not None  # no key: known by the Asaas id alone


# --- the optional allow-list of the addresses Asaas sends from ---

# docs.asaas.com/docs/official-asaas-ips (production webhooks)
ASAAS_ADDRESSES = source_networks("52.67.12.206, 18.230.8.159, 54.94.136.112, 54.94.183.101")


@pytest.mark.parametrize(
    ("source_ip", "allowed"),
    [("54.94.183.101", True), ("52.67.12.206", True), ("52.67.12.207", False), ("2001:db8::1", False), (None, False)],
)
def test_with_the_allow_list_set_only_asaas_s_addresses_are_heard(source_ip: str | None, allowed: bool) -> None:
    store = MemoryLedgerStore()
    api = FakeAsaas({PAYMENT_ID: as_asaas_has_it()})
    request = dataclasses.replace(posted(), source_ip=source_ip)

    def deliver() -> Received:
        return receive(
            request,
            WebhookPorts(
                secrets=Secrets(),
                store=store,
                settings=SETTINGS,
                recompute=lambda ledger, now, cause: None,
                mercadopago_api=lambda: pytest.fail("not asked"),
                asaas_api=lambda: api,
                allowed_sources={"asaas": ASAAS_ADDRESSES},
            ),
        )

    if allowed:
        assert deliver().applied is not None
        return
    with pytest.raises(WebhookRefused) as caught:
        deliver()
    assert caught.value.status == 403 and api.asked == [] and nothing_written(store)


def test_without_the_allow_list_any_address_is_heard() -> None:
    request = dataclasses.replace(posted(), source_ip="203.0.113.9")
    assert run(request, MemoryLedgerStore(), FakeAsaas({PAYMENT_ID: as_asaas_has_it()})).applied is not None


@pytest.mark.parametrize("text", ["52.67.12.206, example.com", "52.67.12.300", "10.0.0.1/33"])
def test_an_allow_list_that_is_not_addresses_is_a_configuration_error(text: str) -> None:
    with pytest.raises(ValueError, match="is not an IP address or CIDR block"):
        source_networks(text)
    assert source_networks(" ") == ()
