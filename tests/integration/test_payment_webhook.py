"""Payment webhooks end to end on the local stack: signed delivery → 200 → one transaction → notifier → inbox."""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from infra.local import LocalStack
from infra.local.signing import mercadopago_headers, standard_headers, stripe_headers
from tests.support import T0, FakeContext, Stacks, load_handler

STRIPE = "whsec_ponte_local_test"
STANDARD = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def payment_event(event_id: str = "evt_1", amount: int = 12345, **metadata: str) -> bytes:
    intent = {
        "id": "pi_1",
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount,
        "currency": "brl",
        "customer": "cus_1",
        "metadata": {"account_id": "padaria-estrela", "owner": "ana", **metadata},
        "payment_method_types": ["pix"],
        "created": int(T0.timestamp()),
        "status": "succeeded",
        "description": "Plano Padaria Pro",
        "receipt_email": "joao@padaria.example",
    }
    event = {
        "id": event_id,
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": int(T0.timestamp()),
        "data": {"object": intent},
    }
    return json.dumps(event).encode()


@pytest.fixture(scope="module")
def _module_stack() -> LocalStack:
    """This module's stack (its own secrets and staff address), built once and put back as built for each test."""
    return LocalStack(
        now=T0,
        parameters={"StaffAlertEmail": "vendas@example.com"},
        webhook_secrets={
            "stripe": [STRIPE, "whsec_previous"],
            "standard": STANDARD,
            "mercadopago": "mp-secret",
            "MercadopagoAccessToken": "APP_USR-test",
        },
    )


@pytest.fixture
def stack(_module_stack: LocalStack) -> Iterator[LocalStack]:
    with _module_stack as local:
        yield local


def table_items(stack: LocalStack) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = stack.client("dynamodb").scan(TableName=stack.physical_id("Table"))["Items"]
    return found


def post(stack: LocalStack, provider: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    status, _, answer = stack.http("POST", f"/webhooks/{provider}", headers=headers, body=body)
    return status, json.loads(answer)


def test_a_new_customers_payment_reaches_sales_with_everything_needed(stack: LocalStack) -> None:
    body = payment_event()
    status, answer = post(stack, "stripe", body, stripe_headers(body, STRIPE, T0))
    assert (status, answer["account_id"], answer["duplicate"]) == (200, "padaria-estrela", False)
    (alert,) = stack.inbox("StaffAlertsTopic")["email:vendas@example.com"]
    # A payment intent names no customer, only the receipt e-mail: the account is called by it.
    assert alert.subject == "Novo cliente: joao@padaria.example pagou R$ 123,45"
    for fact in ("Plano Padaria Pro", "R$", "Forma de pagamento: Pix", "Stripe, evento evt_1", "Responsável: ana"):
        assert fact in alert.message, fact
    assert alert.attributes["team"] == "sales" and alert.attributes["owner"] == "ana"
    assert [e["detail-type"] for e in stack.platform_events()] == ["account.opened"]


def test_a_duplicate_delivery_answers_200_and_changes_nothing(stack: LocalStack) -> None:
    body = payment_event()
    post(stack, "stripe", body, stripe_headers(body, STRIPE, T0))
    before = table_items(stack)
    status, answer = post(stack, "stripe", body, stripe_headers(body, STRIPE, T0))
    assert (status, answer["duplicate"]) == (200, True)
    assert table_items(stack) == before
    assert len(stack.inbox("StaffAlertsTopic")["email:vendas@example.com"]) == 1


def test_a_rotated_secret_still_verifies(stack: LocalStack) -> None:
    body = payment_event()
    assert post(stack, "stripe", body, stripe_headers(body, "whsec_previous", T0))[0] == 200


@pytest.mark.parametrize(
    ("provider", "headers", "body", "status"),
    [
        ("paypal", {"Content-Type": "application/json"}, b"{}", 404),
        ("stripe", {"Content-Type": "application/json", "Stripe-Signature": "t=1,v1=00"}, payment_event(), 401),
        ("stripe", {"Content-Type": "text/plain"}, payment_event(), 415),
        ("stripe", {"Content-Type": "application/json"}, b"{" * (256 * 1024 + 1), 413),
        ("asaas", {"Content-Type": "application/json", "asaas-access-token": "never-set"}, b"{}", 401),
    ],
)
def test_bad_requests_get_a_json_error_and_write_nothing(
    stack: LocalStack, provider: str, headers: dict[str, str], body: bytes, status: int
) -> None:
    before = table_items(stack)
    answer_status, answer = post(stack, provider, body, headers)
    assert answer_status == status and answer["error"]
    assert table_items(stack) == before


def test_a_signed_body_that_is_not_json_is_a_400(stack: LocalStack) -> None:
    body = b"definitely not json"
    status, answer = post(stack, "stripe", body, stripe_headers(body, STRIPE, T0))
    assert status == 400 and "JSON" in answer["error"]


def test_logs_carry_provider_event_and_reason_never_secrets_or_bodies(
    stack: LocalStack, caplog: pytest.LogCaptureFixture
) -> None:
    body = payment_event()
    forged = stripe_headers(body, "whsec_forged", T0)
    with caplog.at_level("INFO"):
        post(stack, "stripe", body, forged)
        post(stack, "stripe", body, stripe_headers(body, STRIPE, T0))
    records = [r for r in caplog.records if r.name == "ponte"]
    text = stack.function_logs.getvalue() + "".join(json.dumps(r.__dict__, default=str) for r in records)
    assert {r.getMessage() for r in records} >= {"webhook refused", "webhook applied"}
    assert "evt_1" in text and "stripe" in text
    for secret in (STRIPE, "whsec_forged", forged["Stripe-Signature"], "Plano Padaria Pro", "joao@padaria.example"):
        assert secret not in text


def test_standard_webhooks_from_an_erp(stack: LocalStack) -> None:
    event = {
        "id": "erp-77",
        "type": "payment.received",
        "timestamp": T0.isoformat(),
        "data": {
            "customer": {"id": "c-9", "reference": "tienda-sol", "name": "Tienda Sol"},
            "amount": "250.00",
            "currency": "BRL",
            "payment_method": "boleto",
            "payment_id": "p-9",
        },
    }
    body = json.dumps(event).encode()
    status, answer = post(stack, "standard", body, standard_headers(body, STANDARD, T0, "msg_1"))
    assert (status, answer["account_id"]) == (200, "tienda-sol")


class _FakeMercadoPago(BaseHTTPRequestHandler):
    """Mercado Pago's payments API, on 127.0.0.1."""

    payment: ClassVar[dict[str, Any]] = {}
    seen: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers.get("Authorization")))
        found = self.path == f"/v1/payments/{self.payment['id']}"
        body = json.dumps(self.payment if found else {"message": "not found"}).encode()
        self.send_response(200 if found else 404)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def mercadopago_api() -> Iterator[str]:
    _FakeMercadoPago.payment = {
        "id": 555,
        "status": "approved",
        "status_detail": "accredited",
        "transaction_amount": 89.9,
        "currency_id": "BRL",
        "date_approved": "2026-11-02T09:00:00.000-03:00",
        "date_created": "2026-11-02T08:59:00.000-03:00",
        "date_last_updated": "2026-11-02T09:00:00.000-03:00",
        "external_reference": "loja-azul",
        "payment_method_id": "pix",
        "payment_type_id": "bank_transfer",
        "payer": {"id": "9", "email": "compras@loja-azul.example"},
        "description": "Assinatura anual",
    }
    _FakeMercadoPago.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeMercadoPago)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_mercadopago_payment_is_fetched_from_the_api_before_acting(mercadopago_api: str) -> None:
    with LocalStack(
        now=T0,
        parameters={"MercadoPagoApiBaseUrl": mercadopago_api},
        webhook_secrets={"mercadopago": "mp-secret", "MercadopagoAccessToken": "APP_USR-test"},
    ) as stack:
        body = json.dumps({"action": "payment.updated", "type": "payment", "data": {"id": "555"}}).encode()
        headers = mercadopago_headers("555", "req-1", "mp-secret", T0)
        status, _, answer = stack.http(
            "POST", "/webhooks/mercadopago?data.id=555&type=payment", headers=headers, body=body
        )
        assert status == 200 and json.loads(answer)["account_id"] == "loja-azul"
        assert _FakeMercadoPago.seen == [("/v1/payments/555", "Bearer APP_USR-test")]


def test_the_same_event_from_several_threads_has_one_effect_and_one_notification(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in stack.functions["PaymentWebhook"].environment.items():
        monkeypatch.setenv(name, value)
    handler = load_handler("payment_webhook")
    body = payment_event()
    event = {
        "version": "2.0",
        "routeKey": "POST /webhooks/{provider}",
        "rawPath": "/webhooks/stripe",
        "rawQueryString": "",
        "headers": {k.lower(): v for k, v in stripe_headers(body, STRIPE, T0).items()},
        "pathParameters": {"provider": "stripe"},
        "body": body.decode(),
        "isBase64Encoded": False,
        "requestContext": {
            "http": {"method": "POST", "path": "/webhooks/stripe"},
            "timeEpoch": int(T0.timestamp() * 1000),
            "requestId": "r",
            "routeKey": "POST /webhooks/{provider}",
            "stage": "$default",
        },
    }
    wiring = handler._wiring()
    assert wiring.store.client and wiring.secrets.values("stripe")  # built once, before the threads
    # The handler without Powertools' decorators: Lambda runs one invocation at a time in a container, and their
    # metrics, shared by every instance in the process, are flushed and cleared by whichever thread ends first (the
    # others' flush then finds none and raises). The concurrency tested is the deliveries' reads and transactions.
    handle = inspect.unwrap(handler.lambda_handler)
    answers: list[dict[str, Any]] = []
    threads = [threading.Thread(target=lambda: answers.append(handle(event, FakeContext()))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    handler.metrics.clear_metrics()
    outcomes = sorted(json.loads(a["body"]).get("duplicate") for a in answers if a["statusCode"] == 200)
    assert outcomes == [False] + [True] * 5, answers
    stack.settle()
    assert len(stack.inbox("StaffAlertsTopic")["email:vendas@example.com"]) == 1


def test_a_payment_that_clears_a_suspended_accounts_debt_reactivates_it_at_once(stack: LocalStack) -> None:
    from datetime import date, timedelta

    from ponte.adapters.dynamodb import DynamoStore
    from ponte.domain.accounts import Account, AccountStatus, Contact
    from ponte.domain.changes import AccountChange
    from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Party, SourceFormat
    from ponte.domain.ledger import InvoiceRecord
    from ponte.domain.money import Money

    # Given a Spanish-speaking customer, suspended for an invoice 40 days late
    owed = Money(amount=50_000, currency="BRL")
    invoice = Invoice(
        key="erp:F-77",
        number="F-77",
        kind=InvoiceKind.INVOICE,
        issue_date=date(2026, 9, 1),
        currency="BRL",
        total=owed,
        installments=(Installment(number="1", due_date=date(2026, 9, 23), amount=owed),),
        customer=Party(name="Tienda Sol"),
        source=SourceFormat.JSON,
    )
    account = Account(
        account_id="tienda-sol",
        name="Tienda Sol",
        status=AccountStatus.SUSPENDED,
        owner="diego",
        locale="es",
        contact=Contact(name="Lucía", email="lucia@tienda-sol.example"),
        created_at=T0 - timedelta(days=90),
    )
    DynamoStore(stack.physical_id("Table")).commit(
        AccountChange(
            account=account,
            recorded_at=T0,
            expected_version=None,
            invoices=(InvoiceRecord(invoice=invoice, recorded_at=T0, origin="test"),),
            references=(("reference", "tienda-sol"),),
        )
    )
    # When the customer pays what is owed, through Stripe
    body = payment_event("evt_pay_all", amount=50_000, account_id="tienda-sol", owner="diego")
    status, answer = post(stack, "stripe", body, stripe_headers(body, STRIPE, T0))
    # Then the account is active again at once, and the customer, the owner and the platform are told
    assert (status, answer["account_id"]) == (200, "tienda-sol")
    ledger = DynamoStore(stack.physical_id("Table")).load_ledger("tienda-sol")
    assert ledger is not None and ledger.account.status is AccountStatus.ACTIVE
    notices = [
        n
        for n in stack.published("CustomerNoticesTopic", protocol="email")
        if n.attributes["account_id"] == "tienda-sol"
    ]
    assert [n.attributes["event_type"] for n in notices] == ["customer.reactivated"]
    assert notices[0].subject and notices[0].subject.isascii()
    assert "reactivad" in notices[0].message.lower()  # in Spanish, the account's locale
    staff = [
        m.attributes["event_type"]
        for m in stack.published("StaffAlertsTopic")
        if m.attributes["account_id"] == "tienda-sol"
    ]
    assert "account.reactivated" in staff
    assert "account.reactivated" in {e["detail-type"] for e in stack.platform_events()}


def test_the_sample_event_is_what_the_handler_takes(stacks: Stacks, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support import sample_event

    event = sample_event("payment-webhook-stripe.json")
    with stacks(now=T0, webhook_secrets={"stripe": "whsec_sample_not_a_real_secret"}) as local:
        for name, value in local.functions["PaymentWebhook"].environment.items():
            monkeypatch.setenv(name, value)
        handler = load_handler("payment_webhook")
        answer = handler.lambda_handler(event, FakeContext())
        assert answer["statusCode"] == 200
        assert json.loads(answer["body"])["account_id"] == "mercearia-boa-vista"
    with stacks(now=T0, webhook_secrets={"stripe": STRIPE}) as local:
        for name, value in local.functions["PaymentWebhook"].environment.items():
            monkeypatch.setenv(name, value)
        answer = load_handler("payment_webhook").lambda_handler(event, FakeContext())
        assert answer["statusCode"] == 401


@pytest.mark.parametrize("body", ["!!!not base64!!!", "abc", "é"])
def test_a_body_marked_base64_that_is_not_is_a_400(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch, body: str
) -> None:
    # API Gateway encodes a body itself: only an event made by hand gets here, and it is refused, not a 500.
    from tests.support import sample_event

    for name, value in stack.functions["PaymentWebhook"].environment.items():
        monkeypatch.setenv(name, value)
    event = sample_event("payment-webhook-stripe.json") | {"body": body, "isBase64Encoded": True}
    before = table_items(stack)
    answer = load_handler("payment_webhook").lambda_handler(event, FakeContext())
    assert answer["statusCode"] == 400 and "base64" in json.loads(answer["body"])["error"]
    assert table_items(stack) == before


def test_a_secret_rotated_after_the_first_delivery_takes_effect_at_the_next_one(stack: LocalStack) -> None:
    """The functions cache secrets for five minutes; a signature that fails with the cached value reads the secret
    again (at most once a minute), so a rotation does not refuse payments until the cache expires."""
    first = payment_event("evt_before_rotation")
    status, _ = post(stack, "stripe", first, stripe_headers(first, STRIPE, T0))
    assert status == 200  # the secret is now cached
    rotated = "whsec_rotated_after_the_first_delivery"
    stack.client("secretsmanager").put_secret_value(
        SecretId=stack.physical_id("StripeWebhookSecret"), SecretString=json.dumps({"secrets": [rotated]})
    )
    second = payment_event("evt_after_rotation")
    status, answer = post(stack, "stripe", second, stripe_headers(second, rotated, T0))
    assert (status, answer["received"]) == (200, True)
    forged = payment_event("evt_forged")
    status, _ = post(stack, "stripe", forged, stripe_headers(forged, "whsec_wrong", T0))
    assert status == 401  # read again at most once a minute: a forgery does not make every delivery read it


def test_a_failed_verification_reads_the_secret_again_at_most_once_a_minute(stack: LocalStack) -> None:
    from ponte.adapters.secrets import WebhookSecrets

    clock = [0.0]
    secret_id = stack.physical_id("StripeWebhookSecret")
    secrets = WebhookSecrets({"stripe": secret_id}, stack.client("secretsmanager"), monotonic=lambda: clock[0])
    assert secrets.values("stripe") == [STRIPE, "whsec_previous"]
    stack.client("secretsmanager").put_secret_value(
        SecretId=secret_id, SecretString=json.dumps({"secrets": ["whsec_new"]})
    )
    assert secrets.values("stripe") == [STRIPE, "whsec_previous"]  # cached
    assert secrets.refreshed("stripe") == ["whsec_new"]
    clock[0] = 59
    assert secrets.refreshed("stripe") is None
    clock[0] = 61
    assert secrets.refreshed("stripe") == ["whsec_new"]
