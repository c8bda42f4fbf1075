"""Receiving a webhook: every refusal has its status and writes nothing; accepted deliveries apply once."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from infra.local.signing import asaas_headers, mercadopago_headers, stripe_headers
from ponte.domain.accounts import Account, Contact
from ponte.domain.errors import SecretNotConfigured
from ponte.domain.ledger import Ledger
from ponte.providers.asaas import AsaasApiError, AsaasAuthError, AsaasCustomer, AsaasUnavailable
from ponte.services.payments import PaymentSettings
from ponte.services.webhooks import WebhookPorts, WebhookRefused, WebhookRequest, receive
from tests.memory_store import MemoryLedgerStore
from tests.support import T0

STRIPE_SECRET = "whsec_test_secret"
SETTINGS = PaymentSettings(staff_locale="en", customer_locale="en", time_zone="UTC")


class Secrets:
    def __init__(self, **values: list[str]) -> None:
        self.values_by_name = values

    def refreshed(self, name: str) -> list[str] | None:

        return None  # read again within the minute: nothing new

    def values(self, name: str) -> list[str]:
        if name not in self.values_by_name:
            raise SecretNotConfigured(f"no secret for {name}")
        return self.values_by_name[name]


class FakeMercadoPago:
    def __init__(self, payment: Mapping[str, Any]) -> None:
        self.asked: list[str] = []
        self._payment = payment

    def payment(self, payment_id: str) -> Mapping[str, Any]:
        self.asked.append(payment_id)
        return self._payment


def stripe_event(event_type: str = "payment_intent.succeeded") -> bytes:
    intent = {
        "id": "pi_1",
        "object": "payment_intent",
        "amount": 12345,
        "amount_received": 12345,
        "currency": "brl",
        "customer": "cus_1",
        "metadata": {"account_id": "acme"},
        "payment_method_types": ["card"],
        "created": int(T0.timestamp()),
        "status": "succeeded",
        "description": "Plano Pro",
    }
    event = {
        "id": "evt_1",
        "object": "event",
        "type": event_type,
        "created": int(T0.timestamp()),
        "data": {"object": intent},
    }
    return json.dumps(event).encode()


def request(provider: str, body: bytes, headers: dict[str, str], query: dict[str, str] | None = None) -> WebhookRequest:
    return WebhookRequest(
        provider=provider,
        headers={k.lower(): v for k, v in headers.items()},
        body=body,
        query=query or {},
        received_at=T0,
    )


def run(
    req: WebhookRequest, store: MemoryLedgerStore, secrets: Secrets | None = None, api: Any = None, asaas: Any = None
) -> Any:
    return receive(
        req,
        WebhookPorts(
            secrets=secrets or Secrets(stripe=[STRIPE_SECRET], asaas=["asaas-token"], mercadopago=["mp-secret"]),
            store=store,
            settings=SETTINGS,
            recompute=lambda ledger, now, cause: None,
            mercadopago_api=lambda: api,
            asaas_api=lambda: asaas,
        ),
    )


def refused(req: WebhookRequest, store: MemoryLedgerStore, **kwargs: Any) -> WebhookRefused:
    with pytest.raises(WebhookRefused) as caught:
        run(req, store, **kwargs)
    assert store.commits == 0, "a refused delivery must write nothing"
    return caught.value


def test_a_signed_stripe_payment_is_applied() -> None:
    store = MemoryLedgerStore()
    body = stripe_event()
    received = run(request("stripe", body, stripe_headers(body, STRIPE_SECRET, T0)), store)
    assert received.applied.account_id == "acme" and received.event_id == "evt_1"
    assert store.ledgers["acme"].payments[0].amount.amount == 12345


@pytest.mark.parametrize(
    ("provider", "headers", "body", "status", "reason"),
    [
        ("paypal", {}, b"{}", 404, "no webhook for provider 'paypal'"),
        ("stripe", {"Content-Type": "application/json"}, b"x" * (256 * 1024 + 1), 413, "over 256 KiB"),
        ("stripe", {"Content-Type": "text/plain"}, b"{}", 415, "must be application/json"),
        ("stripe", {}, b"{}", 415, "not unspecified"),
        ("stripe", {"Content-Type": "application/json"}, b"{}", 401, "Stripe-Signature"),
    ],
)
def test_refusals_carry_their_status(
    provider: str, headers: dict[str, str], body: bytes, status: int, reason: str
) -> None:
    error = refused(request(provider, body, headers), MemoryLedgerStore())
    assert error.status == status
    assert reason.lower() in error.reason.lower()


def test_a_forged_signature_an_old_timestamp_or_a_missing_secret_is_refused() -> None:
    body = stripe_event()
    forged = stripe_headers(body, "whsec_someone_else", T0)
    assert refused(request("stripe", body, forged), MemoryLedgerStore()).status == 401
    stale = stripe_headers(body, STRIPE_SECRET, T0 - timedelta(minutes=6))
    assert refused(request("stripe", body, stale), MemoryLedgerStore()).status == 401
    good = stripe_headers(body, STRIPE_SECRET, T0)
    error = refused(request("stripe", body, good), MemoryLedgerStore(), secrets=Secrets())
    assert error.status == 401 and "no secret" in error.reason


def test_a_signed_body_that_is_not_what_the_provider_sends_is_a_400_saying_what_is_wrong() -> None:
    body = b"not json"
    error = refused(request("stripe", body, stripe_headers(body, STRIPE_SECRET, T0)), MemoryLedgerStore())
    assert error.status == 400 and "JSON" in error.reason
    body = json.dumps({"id": "evt_1", "type": "payment_intent.succeeded", "data": {}}).encode()
    error = refused(request("stripe", body, stripe_headers(body, STRIPE_SECRET, T0)), MemoryLedgerStore())
    assert error.status == 400


def test_an_unknown_event_type_is_acknowledged_and_changes_nothing() -> None:
    store = MemoryLedgerStore()
    body = stripe_event("balance.available")
    received = run(request("stripe", body, stripe_headers(body, STRIPE_SECRET, T0)), store)
    assert received.ignored and received.event_type == "balance.available" and store.commits == 0


def test_asaas_token_is_checked_and_its_payment_applied() -> None:
    event = {
        "id": "evt_asaas_1",
        "event": "PAYMENT_RECEIVED",
        "dateCreated": "2026-11-02 09:00:00",
        "payment": {
            "id": "pay_1",
            "customer": "cus_a",
            "value": 150.5,
            "netValue": 148.0,
            "status": "RECEIVED",
            "billingType": "PIX",
            "dueDate": "2026-11-01",
            "externalReference": "loja-7",
            "description": "Mensalidade",
        },
    }
    body = json.dumps(event).encode()
    assert refused(request("asaas", body, asaas_headers("wrong")), MemoryLedgerStore()).status == 401
    store = MemoryLedgerStore()
    # Asaas's API has the payment as the delivery tells it (amounts parsed as Decimals, as the adapter does)
    api = FakeAsaas(payment=json.loads(json.dumps(event["payment"]), parse_float=Decimal))
    received = run(request("asaas", body, asaas_headers("asaas-token")), store, asaas=api)
    assert api.asked == ["pay_1", "cus_a"]  # the payment, then who the customer is
    assert received.applied.account_id == "loja-7"
    assert store.ledgers["loja-7"].payments[0].amount.amount == 15050


def test_mercadopago_acts_on_the_payment_fetched_from_its_api_not_on_the_body() -> None:
    api = FakeMercadoPago(
        {
            "id": 123456,
            "status": "approved",
            "status_detail": "accredited",
            "transaction_amount": Decimal("99.9"),
            "currency_id": "BRL",
            "date_approved": "2026-11-02T09:00:00.000-03:00",
            "date_created": "2026-11-02T08:59:00.000-03:00",
            "date_last_updated": "2026-11-02T09:00:00.000-03:00",
            "external_reference": "pedido-9",
            "payment_method_id": "pix",
            "payment_type_id": "bank_transfer",
            "payer": {"id": "777", "email": "buyer@example.com"},
            "description": "Curso",
        }
    )
    body = json.dumps({"action": "payment.updated", "type": "payment", "data": {"id": "123456"}}).encode()
    headers = mercadopago_headers("123456", "req-1", "mp-secret", T0)
    store = MemoryLedgerStore()
    received = run(request("mercadopago", body, headers, {"data.id": "123456", "type": "payment"}), store, api=api)
    assert api.asked == ["123456"]
    assert received.applied is not None and store.ledgers[received.applied.account_id].payments[0].amount.amount == 9990


class FakeAsaas:
    """Asaas's API: `payment` answers every payment lookup (the id asked for its own); `error` fails the customer
    lookup, `payment_error` the payment lookup."""

    def __init__(
        self,
        customer: AsaasCustomer | None = None,
        error: Exception | None = None,
        payment: Mapping[str, Any] | None = None,
        payment_error: Exception | None = None,
    ) -> None:
        self.asked: list[str] = []
        self._customer, self._error = customer, error
        self._payment, self._payment_error = payment, payment_error

    def customer(self, customer_id: str) -> AsaasCustomer | None:
        self.asked.append(customer_id)
        if self._error is not None:
            raise self._error
        return self._customer

    def payment(self, payment_id: str) -> Mapping[str, Any] | None:
        self.asked.append(payment_id)
        if self._payment_error is not None:
            raise self._payment_error
        return self._payment


ASAAS_PAYMENT = {
    "id": "pay_9",
    "customer": "cus_000005219613",
    "value": Decimal("500.0"),
    "status": "RECEIVED",
    "billingType": "PIX",
    "dueDate": "2026-11-20",
    "paymentDate": "2026-11-02",
}


def asaas_payment_without_reference() -> bytes:
    payment = ASAAS_PAYMENT | {"value": 500.0}
    event = {"id": "evt_asaas_9", "event": "PAYMENT_RECEIVED", "dateCreated": "2026-11-02 09:00:00", "payment": payment}
    return json.dumps(event).encode()


def run_asaas(store: MemoryLedgerStore, api: FakeAsaas | None) -> Any:
    body = asaas_payment_without_reference()
    return receive(
        request("asaas", body, asaas_headers("asaas-token")),
        WebhookPorts(
            secrets=Secrets(asaas=["asaas-token"]),
            store=store,
            settings=SETTINGS,
            recompute=lambda ledger, now, cause: None,
            mercadopago_api=lambda: FakeMercadoPago({}),
            asaas_api=lambda: api,
        ),
    )


def test_an_asaas_customer_known_only_by_id_is_fetched_and_joins_the_account_its_tax_id_leads_to() -> None:
    store = MemoryLedgerStore()
    store.references[("tax_id", "12345678000195")] = "padaria"
    store.ledgers["padaria"] = _account_ledger("padaria")
    customer = AsaasCustomer(id="cus_000005219613", name="Padaria Estrela", cpfCnpj="12.345.678/0001-95")
    api = FakeAsaas(customer, payment=ASAAS_PAYMENT)
    received = run_asaas(store, api)
    assert api.asked == ["pay_9", "cus_000005219613"]
    assert received.applied.account_id == "padaria" and len(store.ledgers) == 1
    assert store.references[("asaas", "cus_000005219613")] == "padaria"  # next time, found without asking


@pytest.mark.parametrize(
    ("error", "status"), [(AsaasUnavailable("Asaas did not answer: timeout"), 503), (None, None)], ids=["down", "ok"]
)
def test_an_asaas_api_that_does_not_answer_makes_asaas_deliver_again(
    error: Exception | None, status: int | None
) -> None:
    store = MemoryLedgerStore()
    api = FakeAsaas(AsaasCustomer(id="cus_000005219613", name="Padaria"), error, payment=ASAAS_PAYMENT)
    if status is None:
        assert run_asaas(store, api).applied is not None
        return
    with pytest.raises(WebhookRefused) as caught:
        run_asaas(store, api)
    assert caught.value.status == status and store.commits == 0


def test_an_asaas_customer_asaas_does_not_give_leaves_the_payment_found_by_the_asaas_customer_id() -> None:
    store = MemoryLedgerStore()
    received = run_asaas(
        store, FakeAsaas(error=AsaasApiError("Asaas answered with something else"), payment=ASAAS_PAYMENT)
    )
    assert received.applied.created
    assert store.references[("asaas", "cus_000005219613")] == received.applied.account_id


def test_a_refused_asaas_key_makes_asaas_deliver_a_payment_again() -> None:
    # Without the payment from Asaas's API nothing is confirmed: Asaas delivers it again once the key works.
    refusal = AsaasAuthError("Asaas refused the API key (HTTP 401)", 401)
    store = MemoryLedgerStore()
    with pytest.raises(WebhookRefused) as caught:
        run_asaas(store, FakeAsaas(payment_error=refusal))
    assert caught.value.status == 503 and "refused the API key" in caught.value.reason and store.commits == 0


def _account_ledger(account_id: str) -> Ledger:
    account = Account(
        account_id=account_id,
        name="Padaria Estrela",
        locale="pt-BR",
        contact=Contact(name="Padaria Estrela"),
        created_at=T0,
        tax_id="12345678000195",
    )
    return Ledger(account=account)
