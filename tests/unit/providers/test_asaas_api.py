"""The Asaas customers client against a fake Asaas on 127.0.0.1: nothing here reaches the real API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from ponte.adapters.asaas_api import AsaasApi, AsaasApiError, AsaasAuthError, AsaasUnavailable
from ponte.providers.asaas import AsaasCustomer
from tests.asaas_api_fake import FakeAsaasApi, serving

API_KEY = "$aact_test_key_that_must_never_leak"

# The shape of Asaas's example answer to GET /v3/customers/{id} (docs.asaas.com/reference/recuperar-um-unico-cliente).
CUSTOMER = {
    "object": "customer",
    "id": "cus_000005401844",
    "dateCreated": "2024-07-12",
    "name": "John Doe",
    "email": "john.doe@asaas.com.br",
    "company": None,
    "phone": "4738010919",
    "mobilePhone": "4799376637",
    "cpfCnpj": "24971563792",
    "personType": "FISICA",
    "deleted": False,
    "externalReference": "12987382",
    "notificationDisabled": False,
}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving() as url:
        yield url


@pytest.fixture
def asaas(server: str) -> str:
    """The fake's base URL, with its answers and its record of requests reset."""
    FakeAsaasApi.answers = {"/v3/customers/cus_000005401844": (200, json.dumps(CUSTOMER).encode())}
    FakeAsaasApi.delay = 0.0
    FakeAsaasApi.seen = []
    return server


def answer(path: str, status: int, body: Any) -> None:
    FakeAsaasApi.answers[path] = (status, body if isinstance(body, bytes) else json.dumps(body).encode())


def test_a_customer_is_fetched_with_the_api_key(asaas: str) -> None:
    found = AsaasApi(API_KEY, asaas).customer("cus_000005401844")

    assert found == AsaasCustomer(
        id="cus_000005401844",
        name="John Doe",
        email="john.doe@asaas.com.br",
        mobile_phone="4799376637",
        phone="4738010919",
        cpf_cnpj="24971563792",
        external_reference="12987382",
    )
    [request] = FakeAsaasApi.seen
    assert request["path"] == "/v3/customers/cus_000005401844"
    assert request["access_token"] == API_KEY
    assert request["user-agent"]  # Asaas refuses requests without one from newer accounts


def test_an_unknown_customer_is_none(asaas: str) -> None:
    assert AsaasApi(API_KEY, asaas).customer("cus_nobody") is None


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, AsaasAuthError),
        (403, AsaasAuthError),
        (429, AsaasUnavailable),
        (500, AsaasUnavailable),
        (400, AsaasApiError),
    ],
)
def test_a_refusal_is_an_error_the_caller_can_map(asaas: str, status: int, error: type[AsaasApiError]) -> None:
    answer("/v3/customers/cus_1", status, {"errors": [{"code": "invalid_access_token"}]})

    with pytest.raises(error) as refused:
        AsaasApi(API_KEY, asaas).customer("cus_1")

    assert refused.value.status == status
    assert str(status) in str(refused.value)
    assert API_KEY not in str(refused.value)


def test_a_slow_answer_is_unavailable_after_the_timeout(asaas: str) -> None:
    FakeAsaasApi.delay = 1.0

    with pytest.raises(AsaasUnavailable, match="did not answer") as refused:
        AsaasApi(API_KEY, asaas, timeout=0.2).customer("cus_000005401844")

    assert refused.value.status is None


def test_nobody_listening_is_unavailable() -> None:
    with pytest.raises(AsaasUnavailable):
        AsaasApi(API_KEY, "http://127.0.0.1:9/v3", timeout=0.5).customer("cus_1")


@pytest.mark.parametrize(
    "body",
    [b"<html>maintenance</html>", b"[]", json.dumps({"object": "customer"}).encode(), json.dumps(CUSTOMER).encode()],
)
def test_an_answer_that_is_not_the_customer_is_an_error(asaas: str, body: bytes) -> None:
    answer("/v3/customers/cus_other", 200, body)  # the last one is another customer's record

    with pytest.raises(AsaasApiError, match="customer"):
        AsaasApi(API_KEY, asaas).customer("cus_other")


def test_the_id_cannot_change_the_path(asaas: str) -> None:
    AsaasApi(API_KEY, asaas).customer("../payments/pay_1")

    assert FakeAsaasApi.seen[0]["path"] == "/v3/customers/..%2Fpayments%2Fpay_1"


def test_a_customer_is_fetched_once_per_container(asaas: str) -> None:
    api = AsaasApi(API_KEY, asaas)

    first = api.customer("cus_000005401844")
    again = api.customer("cus_000005401844")

    assert first == again
    assert len(FakeAsaasApi.seen) == 1


def test_an_unknown_customer_is_asked_again(asaas: str) -> None:
    api = AsaasApi(API_KEY, asaas)

    api.customer("cus_new")
    answer("/v3/customers/cus_new", 200, CUSTOMER | {"id": "cus_new"})

    assert api.customer("cus_new") is not None
    assert len(FakeAsaasApi.seen) == 2


def test_a_remembered_customer_is_fetched_again_after_it_expires(asaas: str) -> None:
    now = [0.0]
    api = AsaasApi(API_KEY, asaas, cache_seconds=600, clock=lambda: now[0])

    api.customer("cus_000005401844")
    now[0] = 599.0
    api.customer("cus_000005401844")
    now[0] = 601.0
    api.customer("cus_000005401844")

    assert len(FakeAsaasApi.seen) == 2


def test_the_cache_is_bounded(asaas: str) -> None:
    answer("/v3/customers/cus_2", 200, CUSTOMER | {"id": "cus_2"})
    api = AsaasApi(API_KEY, asaas, cache_size=1)

    api.customer("cus_000005401844")
    api.customer("cus_2")  # pushes the first one out
    api.customer("cus_000005401844")

    assert [request["path"] for request in FakeAsaasApi.seen] == [
        "/v3/customers/cus_000005401844",
        "/v3/customers/cus_2",
        "/v3/customers/cus_000005401844",
    ]


def test_an_empty_api_key_is_refused_before_any_request() -> None:
    with pytest.raises(ValueError, match="API key"):
        AsaasApi("  ")
