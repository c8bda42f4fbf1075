"""Hostile input is a 4xx, never a 5xx (issue 10): thousands of real deliveries of the four providers, their values
mutated and each signed correctly, go through the webhook use case with the in-memory store. Each is accepted or
refused with a 4xx naming what is wrong without quoting it; a refusal writes nothing and publishes nothing; what
is accepted fits DynamoDB (keys within their byte limits, text that UTF-8 can carry, numbers it can hold).

Seeded and bounded in time: the same 3,000 deliveries (`CASES`) on every run, about ten seconds in all.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from ponte.domain.changes import AccountChange
from ponte.domain.ledger import Ledger
from ponte.domain.policy import default_policy
from ponte.providers.asaas import AsaasApiError, AsaasCustomer
from ponte.services.collections import change_for, decide
from ponte.services.payments import PaymentSettings
from ponte.services.webhooks import WebhookPorts, WebhookRefused, WebhookRequest, receive
from tests.delivery_fuzz import MARKER, PROVIDERS, Delivery, Secrets, deliveries
from tests.memory_store import MemoryLedgerStore
from tests.support import T0

SEED = 20261102
CASES = {"stripe": 1000, "asaas": 700, "standard": 700, "mercadopago": 600}
SECONDS = 30  # per provider, far above what a run takes: a mutation that makes parsing crawl is a failure too
SECRETS = Secrets()
TIME_ZONE = "America/Sao_Paulo"
SETTINGS = PaymentSettings(staff_locale="pt-BR", customer_locale="pt-BR", time_zone=TIME_ZONE, default_owner="ana")
POLICY = default_policy()


def recompute(ledger: Ledger, now: datetime, cause: str) -> AccountChange | None:
    """The collections decision the webhook function makes, with the default policy and no holidays."""
    decision = decide(ledger, now=now, policy=POLICY, time_zone=TIME_ZONE, holidays=frozenset[date]())
    return change_for(ledger, decision, now=now, staff_locale="pt-BR", cause=cause, immediate_only=True)


class FakeMercadoPago:
    def __init__(self, payment: Any) -> None:
        self._payment = payment

    def payment(self, payment_id: str) -> Mapping[str, Any]:
        if not isinstance(self._payment, dict):
            raise AssertionError("the fuzz gives Mercado Pago's API a JSON object")
        return self._payment


class FakeAsaas:
    """Asaas's API as `ponte.adapters.asaas_api` reads it: what is not a customer or the payment asked for is an
    AsaasApiError."""

    def __init__(self, customer: Any, payment: Any = None) -> None:
        self._customer = customer
        self._payment = payment

    def payment(self, payment_id: str) -> Mapping[str, Any] | None:
        if self._payment is None:
            return None
        if not isinstance(self._payment, dict) or self._payment.get("id") != payment_id:
            raise AsaasApiError("Asaas answered with another payment than the one asked for")
        return self._payment

    def customer(self, customer_id: str) -> AsaasCustomer | None:
        if self._customer is None:
            return None
        try:
            found = AsaasCustomer.model_validate(self._customer)
        except ValidationError:
            raise AsaasApiError("Asaas answered with something that is not a customer") from None
        if found.id != customer_id:
            raise AsaasApiError("Asaas answered with another customer than the one asked for")
        return found


def outcome(delivery: Delivery) -> tuple[str, str | None]:
    """`accepted`, `ignored` or the refusal's status, and a failure when the delivery broke a promise."""
    store = MemoryLedgerStore()  # refuses, as DynamoDB would with a 500, items the table cannot take
    request = WebhookRequest(
        provider=delivery.provider,
        headers={name.lower(): value for name, value in delivery.headers.items()},
        body=delivery.body,
        query=delivery.query,
        received_at=T0,
    )
    try:
        received = receive(
            request,
            WebhookPorts(
                secrets=_Secrets(),
                store=store,
                settings=SETTINGS,
                recompute=recompute,
                mercadopago_api=lambda: FakeMercadoPago(delivery.payment),
                asaas_api=lambda: FakeAsaas(delivery.customer, delivery.payment),
            ),
        )
    except WebhookRefused as refused:
        if not 400 <= refused.status < 500:
            return str(refused.status), f"answered {refused.status}: {refused.reason[:300]}"
        if store.commits or store.outbox or store.ledgers or store.references:
            return str(refused.status), "a refusal wrote something"
        if MARKER in refused.reason:
            return str(refused.status), f"the refusal quotes a value back: {refused.reason[:300]}"
        return str(refused.status), None
    except Exception as error:  # noqa: BLE001 - any other error is the 500 this test exists to find
        return "500", f"{error.__class__.__name__}: {str(error)[:300]}"
    return ("ignored" if received.ignored else "accepted"), None


class _Secrets:
    def refreshed(self, name: str) -> list[str] | None:
        return None  # read again within the minute: nothing new

    def values(self, name: str) -> list[str]:
        return [getattr(SECRETS, name)]


@pytest.mark.parametrize("provider", PROVIDERS)
def test_mutated_signed_deliveries_are_accepted_or_refused_with_a_4xx(provider: str) -> None:
    rng = random.Random(f"{SEED}-{provider}")
    started = time.monotonic()
    seen: dict[str, int] = {}
    failures: list[str] = []
    for delivery in deliveries(provider, CASES[provider], rng, SECRETS, T0):
        answer, failure = outcome(delivery)
        seen[answer] = seen.get(answer, 0) + 1
        if failure is not None:
            failures.append(f"{delivery.describe()} -> {failure}")
    elapsed = time.monotonic() - started
    assert not failures, f"{len(failures)} of {CASES[provider]} deliveries broke a promise:\n" + "\n".join(
        failures[:25]
    )
    assert elapsed < SECONDS, f"{CASES[provider]} deliveries took {elapsed:.1f} s"
    # Not vacuous: the mutations reach both sides of the line.
    assert seen.get("accepted", 0) >= CASES[provider] // 10, seen
    assert seen.get("400", 0) >= CASES[provider] // 10, seen
