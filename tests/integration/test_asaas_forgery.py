"""The Asaas forgery test (issue 10): whoever holds Asaas's static webhook token can post any body, and what Asaas's
API does not confirm changes nothing. Through the HTTP API, the payment webhook function and the emulated AWS of the
local stack, with Asaas's API as a fake on 127.0.0.1 (nothing reaches the real one).

The fake's payment is the card payment Asaas really delivered (`tests/unit/providers/payloads/asaas/
PAYMENT_CONFIRMED.json`: a webhook's `payment` is the object `GET /v3/payments/{id}` returns); its customer follows
the documented shape of `GET /v3/customers/{id}` with made-up details. Each forged delivery is that real delivery,
posted with the right token, with what the test says changed. Last, the optional allow-list of the addresses Asaas
sends from (`ASAAS_ALLOWED_SOURCES`) refuses a delivery from anywhere else before anything is read.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from infra.local import LocalStack
from infra.local.signing import asaas_headers
from ponte.adapters.dynamodb import DynamoStore
from tests.integration.conftest import SUBSCRIBERS
from tests.support import ROOT, T0, Stacks

TOKEN = "asaas-forgery-test-token"
API_KEY = "$aact_forgery_test_key"
CAPTURE: dict[str, Any] = json.loads(
    (ROOT / "tests" / "unit" / "providers" / "payloads" / "asaas" / "PAYMENT_CONFIRMED.json").read_text()
)
PAYMENT_ID = CAPTURE["payment"]["id"]  # pay_qf7gz7zgtg7kn2cm: R$ 29,90 by card, CONFIRMED
CUSTOMER_ID = CAPTURE["payment"]["customer"]
CUSTOMER = {
    "object": "customer",
    "id": CUSTOMER_ID,
    "name": "Estúdio Aurora",
    "email": "financeiro@aurora.example",
    "mobilePhone": "11987654321",
    "cpfCnpj": "34028316000103",
    "personType": "JURIDICA",
    "externalReference": None,
    "deleted": False,
}


class _FakeAsaas(BaseHTTPRequestHandler):
    """Asaas's API: `payments` and `customers` by id; `failing` answers every request with that status instead."""

    payments: ClassVar[dict[str, dict[str, Any]]] = {}
    customers: ClassVar[dict[str, dict[str, Any]]] = {}
    failing: ClassVar[int | None] = None
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        collection, _, item = self.path.removeprefix("/v3/").partition("/")
        found = {"payments": self.payments, "customers": self.customers}.get(collection, {}).get(item)
        status = self.failing or (200 if found else 404)
        body = json.dumps(found if status == 200 else {"errors": [{"code": "not_found"}]}).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def _asaas_server() -> Iterator[str]:
    """One server for the module, so that its address, a parameter of the stack, is the same for every test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeAsaas)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v3"
    server.shutdown()
    server.server_close()


@pytest.fixture
def asaas_api(_asaas_server: str) -> str:
    _FakeAsaas.payments = {PAYMENT_ID: copy.deepcopy(CAPTURE["payment"])}
    _FakeAsaas.customers = {CUSTOMER_ID: CUSTOMER}
    _FakeAsaas.failing = None
    _FakeAsaas.seen = []
    return _asaas_server


@pytest.fixture
def stack(stacks: Stacks, asaas_api: str) -> Iterator[LocalStack]:
    with stacks(
        now=T0,
        parameters={**SUBSCRIBERS, "AsaasApiBaseUrl": asaas_api},
        webhook_secrets={"asaas": TOKEN, "AsaasApiKey": API_KEY},
    ) as local:
        yield local


def delivery(kind: str = "PAYMENT_CONFIRMED", event_id: str | None = None, **payment: Any) -> bytes:
    """The real delivery, of type `kind`, under `event_id`, its payment changed by `payment`."""
    body = copy.deepcopy(CAPTURE)
    body["event"] = kind
    body["id"] = event_id or body["id"]
    body["payment"] |= payment
    return json.dumps(body).encode()


def post(stack: LocalStack, body: bytes) -> tuple[int, dict[str, Any]]:
    status, _, answer = stack.http("POST", "/webhooks/asaas", headers=asaas_headers(TOKEN), body=body)
    return status, json.loads(answer)


def items(stack: LocalStack) -> int:
    """How many items the table holds (the emulator counts them at once)."""
    answer = stack.client("dynamodb").describe_table(TableName=stack.physical_id("Table"))
    return int(answer["Table"].get("ItemCount", 0))


def published(stack: LocalStack) -> int:
    """Messages published to every topic and event bus so far."""
    topics = ("StaffAlertsTopic", "CustomerNoticesTopic")
    return sum(len(stack.published(topic)) for topic in topics) + len(stack.platform_events())


def emitted(stack: LocalStack, metric: str) -> list[dict[str, Any]]:
    """The embedded-metric records (Powertools' EMF lines) the function printed for `metric`."""
    records = []
    for line in stack.function_logs.getvalue().splitlines():
        if line.startswith("{") and '"_aws"' in line:
            record = json.loads(line)
            if any(m["Name"] == metric for d in record["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]):
                records.append(record)
    return records


def recorded_payments(stack: LocalStack, account_id: str) -> list[tuple[str, int]]:
    ledger = DynamoStore(stack.physical_id("Table")).load_ledger(account_id)
    assert ledger is not None
    return [(payment.payment_id, payment.amount.amount) for payment in ledger.payments]


def test_a_valid_token_with_an_edited_amount_records_only_what_asaas_confirms(stack: LocalStack) -> None:
    # Given a holder of the token, who posts Asaas's real delivery of a R$ 29,90 card payment as R$ 10.000,00
    status, answer = post(stack, delivery(value=10000))

    # Then Ponte asks Asaas for the payment (and who its customer is), and records the R$ 29,90 Asaas has
    assert status == 200 and not answer["duplicate"]
    assert _FakeAsaas.seen == [f"/v3/payments/{PAYMENT_ID}", f"/v3/customers/{CUSTOMER_ID}"]
    account = answer["account_id"]
    assert recorded_payments(stack, account) == [(PAYMENT_ID, 2990)]
    # And sales hear of a new customer who paid R$ 29,90, never of the amount the sender wrote
    [alert] = [d for d in stack.published("StaffAlertsTopic") if d.attributes["event_type"] == "customer.new"]
    assert json.loads(alert.message)["data"]["amount"] == {"amount": 2990, "currency": "BRL"}

    # When the same holder posts another event of that payment, edited again
    status, answer = post(stack, delivery("PAYMENT_RECEIVED", "evt_forged_received", value=5))

    # Then the payment stays as Asaas has it, counted once; and the customer came from the container's cache
    assert status == 200 and answer["account_id"] == account
    assert recorded_payments(stack, account) == [(PAYMENT_ID, 2990)]
    assert _FakeAsaas.seen[2:] == [f"/v3/payments/{PAYMENT_ID}"]
    assert stack.failures == []


def test_the_edited_delivery_leaves_exactly_what_the_genuine_one_leaves(stacks: Stacks, asaas_api: str) -> None:
    def outcome(body: bytes) -> tuple[Any, list[str]]:
        with stacks(
            now=T0,
            parameters={**SUBSCRIBERS, "AsaasApiBaseUrl": asaas_api},
            webhook_secrets={"asaas": TOKEN, "AsaasApiKey": API_KEY},
        ) as local:
            status, answer = post(local, body)
            assert status == 200
            ledger = DynamoStore(local.physical_id("Table")).load_ledger(answer["account_id"])
            told = [d.message for d in local.published("StaffAlertsTopic")]
            told += [json.dumps(event["detail"], sort_keys=True) for event in local.platform_events()]
            return ledger, sorted(told)

    genuine = outcome(delivery())
    edited = outcome(
        delivery(value=10000, netValue=9999, billingType="PIX", description="Plano anual", externalReference="vip")
    )

    assert edited == genuine


@pytest.mark.parametrize(
    ("kind", "changes", "asaas_has"),
    [
        ("PAYMENT_RECEIVED", {"status": "RECEIVED"}, {"status": "PENDING"}),  # a payment Asaas has not received
        ("PAYMENT_REFUNDED", {"status": "REFUNDED"}, {}),  # a refund Asaas never made
        ("PAYMENT_CHARGEBACK_REQUESTED", {"chargeback": {"status": "REQUESTED"}}, {}),
        ("PAYMENT_RECEIVED", {"id": "pay_0000000forged", "value": 1500}, {}),  # a payment Asaas does not have
    ],
    ids=["not received", "not refunded", "no chargeback", "unknown payment"],
)
def test_what_asaas_does_not_confirm_is_acknowledged_and_changes_nothing(
    stack: LocalStack, caplog: pytest.LogCaptureFixture, kind: str, changes: dict[str, Any], asaas_has: dict[str, Any]
) -> None:
    _FakeAsaas.payments[PAYMENT_ID] |= asaas_has
    before = (items(stack), published(stack))

    status, answer = post(stack, delivery(kind, "evt_forged_1", **changes))

    # Acknowledged with 200, so that Asaas never pauses the queue for it, and nothing written or told
    assert (status, answer) == (200, {"received": True, "ignored": True})
    assert (items(stack), published(stack)) == before
    # Logged and counted, per provider, for the alarm that watches forgeries and a key of another account
    [logged] = [
        r for r in caplog.records if r.getMessage() == "webhook ignored: the provider's API does not confirm it"
    ]
    assert logged.event_type == kind and "Asaas" in logged.reason  # type: ignore[attr-defined]
    [record] = emitted(stack, "WebhooksUnconfirmed")
    assert (record["provider"], record["WebhooksUnconfirmed"]) == ("asaas", [1.0])
    assert stack.failures == []


def test_an_asaas_api_that_does_not_answer_makes_asaas_deliver_again(stack: LocalStack) -> None:
    _FakeAsaas.failing = 503
    before = items(stack)

    status, answer = post(stack, delivery())

    assert status == 503 and "Asaas" in answer["error"] and items(stack) == before

    # When Asaas delivers it again, its API answering
    _FakeAsaas.failing = None
    status, answer = post(stack, delivery())

    assert status == 200 and recorded_payments(stack, answer["account_id"]) == [(PAYMENT_ID, 2990)]


@pytest.mark.parametrize(
    ("allowed", "status"),
    [
        # Asaas's published addresses (docs.asaas.com/docs/official-asaas-ips): the local stack's 127.0.0.1 is none.
        ("52.67.12.206,18.230.8.159,54.94.136.112,54.94.183.101", 403),
        ("52.67.12.206, 127.0.0.0/8", 200),
    ],
)
def test_the_optional_allow_list_hears_only_the_addresses_listed(
    stacks: Stacks, asaas_api: str, allowed: str, status: int
) -> None:
    with stacks(
        now=T0,
        parameters={**SUBSCRIBERS, "AsaasApiBaseUrl": asaas_api},
        webhook_secrets={"asaas": TOKEN, "AsaasApiKey": API_KEY},
        environment={"ASAAS_ALLOWED_SOURCES": allowed},
    ) as local:
        answered, _ = post(local, delivery())

        assert answered == status
        if status == 403:  # refused before anything is read or asked, and counted for the Asaas refusals alarm
            assert _FakeAsaas.seen == [] and items(local) == 0
            [record] = emitted(local, "WebhooksUnauthorized")
            assert record["provider"] == "asaas"
