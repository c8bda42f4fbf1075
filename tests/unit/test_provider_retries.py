"""Answering payment providers so that nothing is lost and nothing is chased twice when they deliver again.

Stripe delivers each event on its own, in no particular order, and delivers one it was not answered 2xx again for up
to three days, signed anew each time; Mercado Pago delivers a notification again for days; Asaas's queue delivers a
payment's events in order. So a transient failure must be answered 5xx (the provider delivers it again) and a
permanent one never (it would be delivered for days for nothing); an event that overtook its payment must land on
it when delivered again; a delivery seen before must be told days later; and the several events of one payment must
make one payment.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from email.message import Message
from types import ModuleType
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.session import get_session
from botocore.stub import Stubber

from infra.local.signing import mercadopago_headers, stripe_headers
from ponte.adapters.dynamodb import DynamoStore
from ponte.adapters.secrets import WebhookSecrets
from ponte.domain.changes import AccountChange
from ponte.domain.dunning import NotifyCustomer
from ponte.domain.errors import ConcurrentModification, SecretNotConfigured
from ponte.domain.ledger import Ledger
from ponte.domain.notifications import Audience
from ponte.domain.policy import default_policy_text, load_policy
from ponte.functions.payment_webhook import PaymentWiring, Settings
from ponte.services.collections import change_for, decide
from ponte.services.payments import PaymentSettings
from ponte.services.webhooks import Received, WebhookPorts, WebhookRefused, WebhookRequest, receive
from ponte.settings import load_settings
from tests.memory_store import MemoryLedgerStore
from tests.support import T0, FakeContext, load_handler

ZONE = "America/Sao_Paulo"
STRIPE = "whsec_ponte_retries"
MP_SECRET = "mp-secret"
SETTINGS = PaymentSettings(staff_locale="pt-BR", customer_locale="pt-BR", time_zone=ZONE)
POLICY = load_policy(default_policy_text())


def recompute(ledger: Ledger, now: datetime, cause: str) -> AccountChange | None:
    """The payment webhook's collections decision (`ponte.functions.payment_webhook`), with the default policy."""
    decision = decide(ledger, now=now, policy=POLICY, time_zone=ZONE, holidays=frozenset())
    return change_for(ledger, decision, now=now, staff_locale="pt-BR", cause=cause, immediate_only=True)


class Secrets:
    def __init__(self, **values: list[str]) -> None:
        self._values = values

    def values(self, name: str) -> list[str]:
        if name not in self._values:
            raise SecretNotConfigured(f"no secret for {name}")
        return self._values[name]

    def refreshed(self, name: str) -> list[str] | None:
        return None


SECRETS = Secrets(stripe=[STRIPE], mercadopago=[MP_SECRET], **{"mercadopago-token": ["APP_USR-test"]})


# --- Stripe's objects, as its events carry them (docs.stripe.com/api) ---


def stripe_event(event_id: str, kind: str, obj: Mapping[str, Any], created: datetime) -> bytes:
    return json.dumps(
        {"id": event_id, "object": "event", "type": kind, "created": int(created.timestamp()), "data": {"object": obj}}
    ).encode()


def subscription_invoice(invoice_id: str = "in_1", cents: int = 500_00, **fields: Any) -> dict[str, Any]:
    """A subscription's invoice: the business's code is in the subscription's metadata, which the invoice carries."""
    return {
        "id": invoice_id,
        "object": "invoice",
        "number": "PADARIA-0001",
        "currency": "brl",
        "amount_due": cents,
        "amount_paid": 0,
        "amount_remaining": cents,
        "customer": "cus_1",
        "customer_email": "fin@padaria.example",
        "customer_name": "Padaria Estrela",
        "due_date": int((T0 + timedelta(days=7)).timestamp()),
        "parent": {"subscription_details": {"metadata": {"account_id": "padaria"}}},
        "lines": {"data": [{"description": "Plano Padaria Pro"}]},
        **fields,
    }


def paid_invoice(**fields: Any) -> dict[str, Any]:
    return subscription_invoice(amount_paid=500_00, amount_remaining=0, **fields)


def payment_intent(intent_id: str = "pi_1", cents: int = 500_00, **fields: Any) -> dict[str, Any]:
    """A subscription's payment intent: Stripe puts none of the subscription's metadata on it."""
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": cents,
        "amount_received": cents,
        "currency": "brl",
        "customer": "cus_1",
        "metadata": {},
        "payment_method_types": ["card"],
        "status": "succeeded",
        **fields,
    }


def refunded_charge(refunded: int, paid_at: datetime = T0 - timedelta(hours=1)) -> dict[str, Any]:
    """The charge of a payment made at `paid_at`, of which `refunded` was refunded."""
    return {
        "id": "ch_1",
        "object": "charge",
        "created": int(paid_at.timestamp()),
        "amount": 500_00,
        "amount_refunded": refunded,
        "currency": "brl",
        "customer": "cus_1",
        "billing_details": {"name": "Padaria Estrela", "email": "fin@padaria.example"},
        "payment_intent": "pi_1",
        "payment_method_details": {"type": "card"},
        "metadata": {},
    }


def dispute(evidence: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": "dp_1",
        "object": "dispute",
        "amount": 500_00,
        "currency": "brl",
        "charge": "ch_1",
        "payment_intent": "pi_1",
        "status": "needs_response",
        "reason": "fraudulent",
        "payment_method_details": {"type": "card"},
        "evidence": evidence,
        "metadata": {},
    }


def ports(store: MemoryLedgerStore, mercadopago: Any = None) -> WebhookPorts:
    return WebhookPorts(
        secrets=SECRETS,
        store=store,
        settings=SETTINGS,
        recompute=recompute,
        mercadopago_api=lambda: mercadopago,
    )


def stripe_delivery(body: bytes, at: datetime) -> WebhookRequest:
    """A delivery attempt at `at`: Stripe signs each attempt anew, with the attempt's time."""
    headers = {name.lower(): value for name, value in stripe_headers(body, STRIPE, at).items()}
    return WebhookRequest(provider="stripe", headers=headers, body=body, query={}, received_at=at)


def deliver(store: MemoryLedgerStore, body: bytes, at: datetime) -> Received:
    return receive(stripe_delivery(body, at), ports(store))


def refused(store: MemoryLedgerStore, body: bytes, at: datetime) -> WebhookRefused:
    commits = store.commits
    with pytest.raises(WebhookRefused) as caught:
        deliver(store, body, at)
    assert store.commits == commits, "a refused delivery writes nothing"
    return caught.value


def staff_alerts(store: MemoryLedgerStore, kind: str) -> int:
    return sum(1 for n in store.outbox if n.audience is Audience.STAFF and n.event_type == kind)


def customer_notices(ledger: Ledger, at: datetime) -> list[NotifyCustomer]:
    """What the collections ladder would tell the customer at `at`."""
    decision = decide(ledger, now=at, policy=POLICY, time_zone=ZONE, holidays=frozenset())
    return [action for action in decision.actions if isinstance(action, NotifyCustomer)]


# --- 1. What each outcome is answered ---


ENVIRONMENT = {
    "TABLE_NAME": "ponte-test",
    "DEFAULT_LOCALE": "pt-BR",
    "BUSINESS_TIME_ZONE": ZONE,
    "BUSINESS_COUNTRY": "BR",
    "POLICY_PARAMETER": "/ponte/policy",
    "STRIPE_WEBHOOK_SECRET_ARN": "stripe-secret",
    "ASAAS_WEBHOOK_SECRET_ARN": "asaas-secret",
    "STANDARD_WEBHOOK_SECRET_ARN": "standard-secret",
    "MERCADOPAGO_WEBHOOK_SECRET_ARN": "mercadopago-secret",
    "MERCADOPAGO_ACCESS_TOKEN_ARN": "mercadopago-token",
    "MERCADOPAGO_API_BASE_URL": "https://api.mercadopago.example",
    "ASAAS_API_KEY_ARN": "asaas-api-key",
    "ASAAS_API_BASE_URL": "https://api.asaas.example/v3",
}


@pytest.fixture
def handler(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Ponte")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "payment-webhook")
    return load_handler("payment_webhook")


def api_event(provider: str, body: bytes, headers: Mapping[str, str], query: Mapping[str, str] | None = None) -> Any:
    """API Gateway's event (HTTP API, payload 2.0) for a delivery received at T0."""
    return {
        "version": "2.0",
        "routeKey": "POST /webhooks/{provider}",
        "rawPath": f"/webhooks/{provider}",
        "headers": {name.lower(): value for name, value in headers.items()},
        "queryStringParameters": dict(query or {}),
        "requestContext": {
            "http": {"method": "POST", "path": f"/webhooks/{provider}", "sourceIp": "3.18.12.63"},
            "requestId": "retries-1",
            "stage": "$default",
            "timeEpoch": int(T0.timestamp() * 1000),
        },
        "pathParameters": {"provider": provider},
        "body": body.decode(),
        "isBase64Encoded": False,
    }


def answered(handler: ModuleType, wiring: PaymentWiring, event: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What the provider is answered: the function's answer, or 500 when the function fails (API Gateway answers
    500 for any function error, and the provider delivers it again)."""
    monkeypatch.setattr(handler, "_wiring", lambda: wiring)
    try:
        answer: dict[str, Any] = handler.lambda_handler(event, FakeContext())
    except Exception as error:  # noqa: BLE001 - what API Gateway does with a function error
        return {"statusCode": 500, "body": json.dumps({"message": "Internal Server Error"}), "error": error}
    return answer


def wiring_with(store: Any, secrets: Any) -> PaymentWiring:
    """The function's own wiring, with the store and the secrets given."""
    wiring = PaymentWiring(load_settings(Settings, ENVIRONMENT))
    wiring.store = store
    wiring.secrets = secrets
    return wiring


def stripe_payment_event() -> Any:
    body = stripe_event("evt_p", "payment_intent.succeeded", payment_intent(metadata={"account_id": "padaria"}), T0)
    return api_event("stripe", body, stripe_headers(body, STRIPE, T0))


@pytest.fixture
def dynamodb() -> Iterator[tuple[DynamoStore, Stubber]]:
    client = get_session().create_client("dynamodb", region_name="us-east-1")
    with Stubber(client) as stub:
        yield DynamoStore("ponte-test", client=client), stub


def test_dynamodb_throttled_on_the_read_is_answered_5xx(
    handler: ModuleType, dynamodb: tuple[DynamoStore, Stubber], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, stub = dynamodb
    # botocore has retried it already (its own backoff), and gives up: the provider is to deliver it again.
    stub.add_client_error("query", "ProvisionedThroughputExceededException", http_status_code=400)
    answer = answered(handler, wiring_with(store, SECRETS), stripe_payment_event(), monkeypatch)
    assert answer["statusCode"] >= 500
    assert isinstance(answer["error"], ClientError)


def test_dynamodb_unavailable_on_the_write_is_answered_5xx_and_the_delivery_lands_when_delivered_again(
    handler: ModuleType, dynamodb: tuple[DynamoStore, Stubber], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, stub = dynamodb
    stub.add_response("query", {"Items": [], "Count": 0, "ScannedCount": 0})
    stub.add_client_error("transact_write_items", "InternalServerError", http_status_code=500)
    answer = answered(handler, wiring_with(store, SECRETS), stripe_payment_event(), monkeypatch)
    assert answer["statusCode"] >= 500
    stub.assert_no_pending_responses()
    # Delivered again, once the table answers: written, and answered 200 as a first delivery (nothing was written).
    stub.add_response("query", {"Items": [], "Count": 0, "ScannedCount": 0})
    stub.add_response("transact_write_items", {})
    again = answered(handler, wiring_with(store, SECRETS), stripe_payment_event(), monkeypatch)
    assert again["statusCode"] == 200 and json.loads(again["body"])["duplicate"] is False


def test_a_transaction_cancelled_because_dynamodb_throttled_an_item_is_read_again_not_refused() -> None:
    # DynamoDB cancels a transaction with a ThrottlingError reason for an item it could not write then
    # (TransactWriteItems, CancellationReason): like a conflict, it is tried again, and answered 503 if it lasts.
    client = get_session().create_client("dynamodb", region_name="us-east-1")
    store = MemoryLedgerStore()
    deliver(store, stripe_event("evt_p", "payment_intent.succeeded", payment_intent(), T0), T0)
    dynamo = DynamoStore("ponte-test", client=client)
    reasons = [{"Code": "ThrottlingError"}] + [{"Code": "None"}] * 5
    with Stubber(client) as stub:
        stub.add_client_error(
            "transact_write_items",
            service_error_code="TransactionCanceledException",
            modeled_fields={"CancellationReasons": reasons},
        )
        with pytest.raises(ConcurrentModification):
            dynamo.commit(store.changes[0])


@pytest.mark.parametrize("code", ["ThrottlingException", "InternalServiceError"])
def test_secrets_manager_down_is_answered_5xx_not_as_an_unsigned_delivery(
    handler: ModuleType, monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    client = get_session().create_client("secretsmanager", region_name="us-east-1")
    secrets = WebhookSecrets({"stripe": "stripe-secret"}, client=client)
    store = MemoryLedgerStore()
    with Stubber(client) as stub:
        stub.add_client_error("get_secret_value", code, http_status_code=400 if code.startswith("Throttling") else 500)
        answer = answered(handler, wiring_with(store, secrets), stripe_payment_event(), monkeypatch)
    assert answer["statusCode"] >= 500 and store.commits == 0


MP_PAYMENT = {
    "id": 123456,
    "status": "approved",
    "status_detail": "accredited",
    "transaction_amount": Decimal("99.90"),
    "transaction_amount_refunded": Decimal("0"),
    "currency_id": "BRL",
    "date_created": "2026-11-02T08:59:00.000-03:00",
    "date_approved": "2026-11-02T09:00:00.000-03:00",
    "date_last_updated": "2026-11-02T09:00:00.000-03:00",
    "external_reference": "padaria",
    "payment_method_id": "pix",
    "payment_type_id": "bank_transfer",
    "payer": {"id": "777", "email": "fin@padaria.example"},
}


def mercadopago_event(request_id: str = "req-1", at: datetime = T0) -> Any:
    body = json.dumps({"action": "payment.updated", "type": "payment", "data": {"id": "123456"}}).encode()
    headers = mercadopago_headers("123456", request_id, MP_SECRET, at)
    return api_event("mercadopago", body, headers, {"data.id": "123456", "type": "payment"})


def _http_error(code: int) -> urllib.error.HTTPError:
    return urllib.error.HTTPError("https://api.mercadopago.example/v1/payments/123456", code, "", Message(), None)


@pytest.mark.parametrize(
    "failure",
    [
        urllib.error.URLError(TimeoutError("timed out")),
        TimeoutError("The read operation timed out"),
        _http_error(503),
        _http_error(429),
        _http_error(401),
    ],
    ids=["connect timeout", "read timeout", "HTTP 503", "HTTP 429", "token refused"],
)
def test_mercado_pagos_api_down_is_answered_503_naming_it(
    handler: ModuleType, monkeypatch: pytest.MonkeyPatch, failure: Exception
) -> None:
    # The README's runbook: "`webhook refused` with status 503 and a reason naming Asaas's or Mercado Pago's API
    # means the provider's API did not answer", as Asaas's are; not a function error with a trace.
    def urlopen(*args: object, **kwargs: object) -> None:
        raise failure

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    store = MemoryLedgerStore()
    answer = answered(handler, wiring_with(store, SECRETS), mercadopago_event(), monkeypatch)
    assert answer["statusCode"] == 503, answer.get("error")
    assert "Mercado Pago" in json.loads(answer["body"])["error"] and store.commits == 0


def test_mercado_pagos_access_token_not_set_is_answered_503_until_it_is(
    handler: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = MemoryLedgerStore()
    without_token = Secrets(mercadopago=[MP_SECRET])
    answer = answered(handler, wiring_with(store, without_token), mercadopago_event(), monkeypatch)
    assert answer["statusCode"] == 503, answer.get("error")
    assert "Mercado Pago" in json.loads(answer["body"])["error"] and store.commits == 0


def test_a_payment_mercado_pago_does_not_have_is_refused_for_good_not_5xx(
    handler: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    def urlopen(*args: object, **kwargs: object) -> None:
        raise _http_error(404)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    store = MemoryLedgerStore()
    answer = answered(handler, wiring_with(store, SECRETS), mercadopago_event(), monkeypatch)
    assert answer["statusCode"] == 400 and store.commits == 0


# --- 2. Ordering over days ---


def in_order(*bodies: tuple[bytes, datetime]) -> Ledger:
    """The ledger the same events make when delivered in order, each once."""
    store = MemoryLedgerStore()
    for body, at in bodies:
        deliver(store, body, at)
    ledger = store.load_ledger("padaria")
    assert ledger is not None
    return ledger


FINALIZED = stripe_event("evt_fin", "invoice.finalized", subscription_invoice(), T0 - timedelta(days=3))
PAID = stripe_event("evt_pi", "payment_intent.succeeded", payment_intent(), T0 + timedelta(days=2))


@pytest.mark.parametrize(
    ("kind", "obj"),
    [
        ("charge.refunded", refunded_charge(100_00)),
        ("charge.dispute.created", dispute({"customer_email_address": None})),
    ],
    ids=["refund of a payment made an hour before, naming the customer", "dispute naming nobody"],
)
def test_a_refund_or_dispute_that_overtook_its_payment_waits_for_it_and_lands_when_delivered_again(
    kind: str, obj: dict[str, Any]
) -> None:
    # Given a subscription's invoice, whose payment's delivery has failed and is being delivered again by Stripe
    store = MemoryLedgerStore()
    deliver(store, FINALIZED, T0 - timedelta(days=3))
    about = stripe_event("evt_about", kind, obj, T0)
    # When the refund (or dispute) arrives first: refused until the payment is recorded, nothing written
    assert refused(store, about, T0).status == 409
    assert refused(store, about, T0 + timedelta(hours=5)).status == 409  # Stripe's retries, meanwhile
    # And the payment arrives two days later, then the refund's next retry, signed anew
    deliver(store, PAID, T0 + timedelta(days=2))
    landed = deliver(store, about, T0 + timedelta(days=2, hours=3))
    # Then it lands on the payment: the account ends as if they had come in order, on one account
    assert landed.applied is not None and landed.applied.account_id == "padaria" and not landed.applied.duplicate
    ledger = store.load_ledger("padaria")
    expected = in_order(
        (FINALIZED, T0 - timedelta(days=3)), (PAID, T0 + timedelta(days=2)), (about, T0 + timedelta(days=2, hours=3))
    )
    assert ledger is not None and ledger.payments == expected.payments
    assert ledger.receivables() == expected.receivables()
    assert list(store.ledgers) == ["padaria"]
    alert = "refund.issued" if kind == "charge.refunded" else "chargeback.opened"
    assert staff_alerts(store, alert) == 1


@pytest.mark.parametrize(
    ("kind", "obj"),
    [
        ("charge.refunded", refunded_charge(100_00, paid_at=T0 - timedelta(days=40))),
        ("charge.dispute.created", dispute({"customer_email_address": "fin@padaria.example"})),
    ],
    ids=["refund of a payment made before Ponte", "dispute naming the customer's e-mail"],
)
def test_a_refund_or_dispute_of_a_payment_whose_event_is_not_coming_is_taken_at_once(
    kind: str, obj: dict[str, Any]
) -> None:
    """A refund of a payment made longer ago than Stripe delivers an event again (here: before the business went
    live), or a dispute (weeks after its payment), would wait for nothing: finance is told at once."""
    store = MemoryLedgerStore()
    deliver(store, FINALIZED, T0 - timedelta(days=3))
    received = deliver(store, stripe_event("evt_about", kind, obj, T0), T0)
    assert received.applied is not None and received.applied.account_id == "padaria"
    alert = "refund.issued" if kind == "charge.refunded" else "chargeback.opened"
    assert staff_alerts(store, alert) == 1


def test_a_payment_and_another_event_of_it_delivered_again_three_days_later_are_duplicates() -> None:
    # Given a payment reported twice (its payment intent, then its invoice), then more payments of the account, so
    # that it is no longer among the latest ones the account item names
    store = MemoryLedgerStore()
    first = stripe_event(
        "evt_0", "payment_intent.succeeded", payment_intent("pi_0", metadata={"account_id": "padaria"}), T0
    )
    other = stripe_event("evt_inv0", "invoice.paid", paid_invoice(invoice_id="in_0", payment_intent="pi_0"), T0)
    deliver(store, first, T0)
    deliver(store, other, T0 + timedelta(hours=1))
    for n in range(1, 6):
        at = T0 + timedelta(days=1, hours=n)
        intent = payment_intent(f"pi_{n}", cents=10_00 * n, metadata={"account_id": "padaria"})
        deliver(store, stripe_event(f"evt_{n}", "payment_intent.succeeded", intent, at), at)
    commits, outbox = store.commits, len(store.outbox)
    # When Stripe delivers both again three days later (each attempt signed anew)
    again = [deliver(store, body, T0 + timedelta(days=3, minutes=n)) for n, body in enumerate((first, other))]
    # Then both are told as duplicates, and nothing is written or announced
    assert all(r.applied is not None and r.applied.duplicate for r in again)
    assert (store.commits, len(store.outbox)) == (commits, outbox)
    ledger = store.load_ledger("padaria")
    assert ledger is not None and len(ledger.payments) == 6


# --- 3. Several events of one payment ---


INVOICE_PAID = stripe_event("evt_inv", "invoice.paid", paid_invoice(payment_intent="pi_1"), T0)
INTENT_PAID = stripe_event("evt_pi", "payment_intent.succeeded", payment_intent(invoice="in_1"), T0)


@pytest.mark.parametrize(
    ("first", "second"),
    [(INVOICE_PAID, INTENT_PAID), (INTENT_PAID, INVOICE_PAID)],
    ids=["invoice first", "intent first"],
)
def test_two_events_of_one_payment_hours_apart_make_one_payment_that_settles_the_debt_once(
    first: bytes, second: bytes
) -> None:
    # Given a subscription's invoice (API versions before 2025-03-31: the invoice names its payment intent, and the
    # payment intent its invoice)
    store = MemoryLedgerStore()
    deliver(store, FINALIZED, T0 - timedelta(days=3))
    # When its payment is reported as invoice.paid and as payment_intent.succeeded, five hours apart, in either order
    deliver(store, first, T0)
    deliver(store, second, T0 + timedelta(hours=5))
    # Then one payment is recorded, the invoice is paid once, there is no credit, and nobody is chased
    ledger = store.load_ledger("padaria")
    assert ledger is not None and [p.payment_id for p in ledger.payments] == ["pi_1"]
    allocation = ledger.allocate()
    assert [r.outstanding.amount for r in allocation.receivables] == [0] and not any(allocation.credit.values())
    assert customer_notices(ledger, T0 + timedelta(days=40)) == []
    assert staff_alerts(store, "payment.unmatched") == 0


CHECKOUT = {
    "id": "cs_1",
    "object": "checkout.session",
    "mode": "subscription",
    "amount_total": 500_00,
    "currency": "brl",
    "payment_status": "paid",
    "customer": "cus_1",
    "customer_details": {"name": "Padaria Estrela", "email": "fin@padaria.example"},
    "metadata": {"account_id": "padaria", "plan": "Plano Padaria Pro"},
    # A subscription's session names its invoice and subscription; only a session in payment mode names a payment
    # intent (docs.stripe.com/api/checkout/sessions/object#checkout_session_object-payment_intent).
    "payment_intent": None,
    "invoice": "in_1",
    "subscription": "sub_1",
    "payment_method_types": ["card"],
}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            stripe_event("evt_inv", "invoice.paid", paid_invoice(), T0),
            stripe_event("evt_pi", "payment_intent.succeeded", payment_intent(), T0),
        ),
        (
            stripe_event("evt_cs", "checkout.session.completed", CHECKOUT, T0),
            stripe_event("evt_inv", "invoice.paid", paid_invoice(payment_intent="pi_1"), T0),
        ),
    ],
    ids=["API 2025-03-31 on: invoice.paid and payment_intent.succeeded", "a subscription's checkout and invoice.paid"],
)
def test_a_payment_whose_events_do_not_name_one_another_is_still_one_payment(first: bytes, second: bytes) -> None:
    """From API version 2025-03-31 invoice.paid names no payment intent and payment_intent.succeeded no invoice; a
    subscription's checkout session names its invoice and never a payment intent. The invoice reported paid is not
    a second payment beside the payment: one payment, and nothing left over as credit."""
    store = MemoryLedgerStore()
    deliver(store, FINALIZED, T0 - timedelta(days=3))
    deliver(store, first, T0)
    deliver(store, second, T0 + timedelta(hours=5))
    ledger = store.load_ledger("padaria")
    assert ledger is not None and len(ledger.payments) == 1
    assert not any(ledger.allocate().credit.values())


# --- Mercado Pago: each notification is read as the payment's state now ---


class MercadoPagoPayments:
    """Mercado Pago's payments API: the payment as it is now."""

    def __init__(self, payment: Mapping[str, Any]) -> None:
        self.now = dict(payment)

    def payment(self, payment_id: str) -> Mapping[str, Any]:
        return self.now


def notified(store: MemoryLedgerStore, api: MercadoPagoPayments, request_id: str, at: datetime) -> Received:
    body = json.dumps({"action": "payment.updated", "type": "payment", "data": {"id": "123456"}}).encode()
    headers = {k.lower(): v for k, v in mercadopago_headers("123456", request_id, MP_SECRET, at).items()}
    request = WebhookRequest(
        provider="mercadopago",
        headers=headers,
        body=body,
        query={"data.id": "123456", "type": "payment"},
        received_at=at,
    )
    return receive(request, ports(store, api))


def test_a_partial_refund_of_a_recorded_mercado_pago_payment_is_recorded_not_taken_for_a_duplicate() -> None:
    store = MemoryLedgerStore()
    api = MercadoPagoPayments(MP_PAYMENT)
    notified(store, api, "req-approved", T0)
    # When part of it is refunded: the payment is still approved, with the refunded total beside it
    api.now |= {"transaction_amount_refunded": Decimal("30.00"), "date_last_updated": "2026-11-04T10:00:00.000-03:00"}
    refund = notified(store, api, "req-refund", T0 + timedelta(days=2))
    assert refund.applied is not None and not refund.applied.duplicate
    ledger = store.load_ledger("padaria")
    assert ledger is not None and [(p.payment_id, p.refunded) for p in ledger.payments] == [("123456", 30_00)]
    assert staff_alerts(store, "refund.issued") == 1
    # And that notification delivered again is a duplicate: nothing written, nobody told twice
    commits = store.commits
    again = notified(store, api, "req-refund", T0 + timedelta(days=3))
    assert again.applied is not None and again.applied.duplicate and store.commits == commits
    assert staff_alerts(store, "refund.issued") == 1
