"""Hostile input is a 4xx, never a 5xx, through the handler (issue 10): mutated, correctly signed deliveries of the
four providers reach the payment webhook function as API Gateway hands them over, on the local stack (DynamoDB and
Secrets Manager as moto gives them, Mercado Pago's and Asaas's APIs on 127.0.0.1). None gets a 5xx, and a refused
one adds nothing to the table. `tests/unit/providers/test_fuzz_deliveries.py` runs thousands of them through the
use case; this runs a few hundred through the handler, with DynamoDB's own limits.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import urlencode

import pytest

from infra.local import LocalStack, events
from tests.delivery_fuzz import MARKER, PROVIDERS, Delivery, Secrets, deliveries
from tests.support import T0, FakeContext, load_handler

SEED = 20261102
CASES_PER_PROVIDER = 60  # moto copies the table for every transaction: a few hundred take half a minute
SECRETS = Secrets()


class _ProviderApis(BaseHTTPRequestHandler):
    """Mercado Pago's payments API and Asaas's payments and customers API, answering with the current delivery's
    documents."""

    payment: ClassVar[Any] = None
    customer: ClassVar[Any] = None

    def do_GET(self) -> None:
        document = self.payment if self.path.startswith(("/v1/payments/", "/payments/")) else self.customer
        found = document is not None
        body = json.dumps(document if found else {"message": "not found"}, default=_number).encode()
        self.send_response(200 if found else 404)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _number(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else str(value)
    raise TypeError(type(value).__name__)


@pytest.fixture
def apis() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ProviderApis)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def items(stack: LocalStack) -> int:
    """How many items the table holds (the emulator counts them at once; DynamoDB itself every six hours)."""
    answer = stack.client("dynamodb").describe_table(TableName=stack.physical_id("Table"))
    return int(answer["Table"].get("ItemCount", 0))


def post(stack: LocalStack, handler: Any, delivery: Delivery) -> tuple[int, str]:
    """The handler's answer to the delivery, as API Gateway would give it: 500 when the function fails."""
    _ProviderApis.payment, _ProviderApis.customer = delivery.payment, delivery.customer
    path = f"/webhooks/{delivery.provider}"
    event = events.http_api_v2(
        method="POST",
        path=path,
        query=urlencode(delivery.query),
        headers=delivery.headers,
        body=delivery.body,
        route_key="POST /webhooks/{provider}",
        path_parameters={"provider": delivery.provider},
        api_id="fuzz",
        region=stack.pseudo.region,
        account_id=stack.pseudo.account_id,
        now=T0,
    )
    try:
        answer = handler.lambda_handler(event, FakeContext())
    except Exception as error:  # noqa: BLE001 - API Gateway answers 500 for any function error
        return 500, f"{error.__class__.__name__}: {str(error)[:300]}"
    return int(answer["statusCode"]), str(answer["body"])


def test_mutated_signed_deliveries_never_get_a_5xx_from_the_handler(apis: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalStack(
        now=T0,
        parameters={"MercadoPagoApiBaseUrl": apis, "AsaasApiBaseUrl": apis},
        webhook_secrets={
            "stripe": SECRETS.stripe,
            "asaas": SECRETS.asaas,
            "standard": SECRETS.standard,
            "mercadopago": SECRETS.mercadopago,
            "MercadopagoAccessToken": "APP_USR-fuzz",
            "AsaasApiKey": "$aact_fuzz",
        },
    ) as stack:
        for name, value in stack.functions["PaymentWebhook"].environment.items():
            monkeypatch.setenv(name, value)
        handler = load_handler("payment_webhook")
        started = time.monotonic()
        seen: dict[int, int] = {}
        failures: list[str] = []
        for provider in PROVIDERS:
            rng = random.Random(f"{SEED}-handler-{provider}")
            for delivery in deliveries(provider, CASES_PER_PROVIDER, rng, SECRETS, T0):
                before = items(stack)
                status, answer = post(stack, handler, delivery)
                seen[status] = seen.get(status, 0) + 1
                if status >= 500:
                    failures.append(f"{delivery.describe()} -> {status} {answer}")
                elif status >= 400 and items(stack) != before:
                    failures.append(f"{delivery.describe()} -> {status}, and something was written")
                elif status >= 400 and MARKER in answer:
                    failures.append(f"{delivery.describe()} -> {status} quoting a value back")
        elapsed = time.monotonic() - started
    assert not failures, f"{len(failures)} deliveries broke a promise:\n" + "\n".join(failures[:20])
    # Not vacuous: the mutations reach both sides of the line.
    assert seen.get(200, 0) >= CASES_PER_PROVIDER and seen.get(400, 0) >= CASES_PER_PROVIDER // 2, (seen, elapsed)
