"""The Asaas payments client (`GET /v3/payments/{id}`) against a fake Asaas on 127.0.0.1: nothing here reaches the
real API. The fake answers with the card payment Asaas delivered in `payloads/asaas/PAYMENT_CONFIRMED.json` (a
webhook's `payment` is the object the API returns)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ponte.adapters.asaas_api import AsaasApi, AsaasApiError, AsaasAuthError, AsaasUnavailable
from tests.asaas_api_fake import FakeAsaasApi, serving

API_KEY = "$aact_test_payments_key_that_must_never_leak"
PAYMENT: dict[str, Any] = json.loads(
    (Path(__file__).parent / "payloads" / "asaas" / "PAYMENT_CONFIRMED.json").read_text()
)["payment"]
PAYMENT_PATH = "/v3/payments/pay_qf7gz7zgtg7kn2cm"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving() as url:
        yield url


@pytest.fixture
def asaas(server: str) -> str:
    """The fake's base URL, with its answers and its record of requests reset."""
    FakeAsaasApi.answers = {PAYMENT_PATH: (200, json.dumps(PAYMENT).encode())}
    FakeAsaasApi.delay = 0.0
    FakeAsaasApi.seen = []
    return server


def answer(path: str, status: int, body: Any) -> None:
    FakeAsaasApi.answers[path] = (status, body if isinstance(body, bytes) else json.dumps(body).encode())


def test_a_payment_is_fetched_with_the_api_key_and_exact_amounts(asaas: str) -> None:
    found = AsaasApi(API_KEY, asaas).payment("pay_qf7gz7zgtg7kn2cm")

    assert found is not None
    assert found["status"] == "CONFIRMED" and found["customer"] == "cus_000149857757"
    assert found["value"] == Decimal("29.9") and isinstance(found["value"], Decimal)
    [request] = FakeAsaasApi.seen
    assert request["path"] == PAYMENT_PATH
    assert request["access_token"] == API_KEY
    assert request["user-agent"]


def test_a_payment_asaas_does_not_have_is_none(asaas: str) -> None:
    assert AsaasApi(API_KEY, asaas).payment("pay_nobody") is None


def test_a_payment_is_asked_again_for_every_delivery(asaas: str) -> None:
    # Created, then received a minute later: the second delivery must see it received, not a remembered pending.
    api = AsaasApi(API_KEY, asaas)
    answer(PAYMENT_PATH, 200, PAYMENT | {"status": "PENDING"})
    assert api.payment("pay_qf7gz7zgtg7kn2cm")["status"] == "PENDING"  # type: ignore[index]
    answer(PAYMENT_PATH, 200, PAYMENT | {"status": "RECEIVED"})
    assert api.payment("pay_qf7gz7zgtg7kn2cm")["status"] == "RECEIVED"  # type: ignore[index]
    assert len(FakeAsaasApi.seen) == 2


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, AsaasAuthError),
        (403, AsaasAuthError),
        (429, AsaasUnavailable),
        (503, AsaasUnavailable),
        (400, AsaasApiError),
    ],
)
def test_a_refusal_is_an_error_the_caller_can_map(asaas: str, status: int, error: type[AsaasApiError]) -> None:
    answer("/v3/payments/pay_1", status, {"errors": [{"code": "invalid_access_token"}]})

    with pytest.raises(error) as refused:
        AsaasApi(API_KEY, asaas).payment("pay_1")

    assert refused.value.status == status
    assert API_KEY not in str(refused.value)


def test_a_slow_answer_is_unavailable_after_the_timeout(asaas: str) -> None:
    FakeAsaasApi.delay = 1.0

    with pytest.raises(AsaasUnavailable, match="did not answer"):
        AsaasApi(API_KEY, asaas, timeout=0.2).payment("pay_qf7gz7zgtg7kn2cm")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html>maintenance</html>", "not a payment"),
        (b"[]", "not a payment"),
        (json.dumps(PAYMENT | {"id": "pay_other"}).encode(), "another payment"),
        (json.dumps(PAYMENT | {"description": "x" * 300 * 1024}).encode(), "more than 256 KiB"),
    ],
)
def test_an_answer_that_is_not_the_payment_is_an_error(asaas: str, body: bytes, reason: str) -> None:
    answer(PAYMENT_PATH, 200, body)

    with pytest.raises(AsaasApiError, match=reason):
        AsaasApi(API_KEY, asaas).payment("pay_qf7gz7zgtg7kn2cm")


def test_the_id_cannot_change_the_path(asaas: str) -> None:
    AsaasApi(API_KEY, asaas).payment("../customers/cus_1")

    assert FakeAsaasApi.seen[0]["path"] == "/v3/payments/..%2Fcustomers%2Fcus_1"
