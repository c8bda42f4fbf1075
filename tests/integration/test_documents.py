"""The business identity in SSM: cached, validated, the newest valid version kept, and refused until it is set."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from ponte.adapters.documents import IdentityStore
from ponte.domain.business import IdentityNotConfigured, default_business_text
from ponte.domain.errors import InvalidInput

if TYPE_CHECKING:
    from mypy_boto3_ssm.client import SSMClient

NAME = "/ponte/test/business-identity"


def _identity(**changes: Any) -> str:
    document: dict[str, Any] = {
        "trade_name": "Padaria Pão Quente",
        "legal_name": "Pão Quente Alimentos Ltda.",
        "tax_id": "11.222.333/0001-81",
        "address": {
            "street": "Avenida Paulista",
            "number": "1000",
            "city": "São Paulo",
            "state": "SP",
            "postal_code": "01310-100",
            "country": "BR",
        },
        "support_email": "atendimento@paoquente.com.br",
        "support_phone": "+551130001000",
    }
    document.update(changes)
    return json.dumps(document)


@pytest.fixture
def ssm() -> Iterator[SSMClient]:
    """The parameter as the template deploys it: the not-configured default, version 1."""
    with mock_aws():
        client: SSMClient = boto3.client("ssm", region_name="us-east-1")
        client.put_parameter(Name=NAME, Value=default_business_text(), Type="String")
        yield client


def _edit(ssm: SSMClient, text: str) -> None:
    ssm.put_parameter(Name=NAME, Value=text, Type="String", Overwrite=True)


def _counting_reads(ssm: SSMClient) -> list[str]:
    calls: list[str] = []
    ssm.meta.events.register("before-call.ssm.*", lambda model, **_: calls.append(model.name))
    return calls


def test_a_valid_identity_is_in_force(ssm: SSMClient) -> None:
    _edit(ssm, _identity())

    in_force = IdentityStore(NAME, ssm).current()

    assert in_force.identity.trade_name == "Padaria Pão Quente" and in_force.identity.tax_id == "11222333000181"
    assert in_force.parameter_version == 2
    assert in_force.refused_version is None and in_force.refused_because is None


def test_until_the_identity_is_set_reading_it_says_so(ssm: SSMClient) -> None:
    with pytest.raises(IdentityNotConfigured, match="not configured yet"):
        IdentityStore(NAME, ssm).current()


def test_a_broken_first_edit_is_invalid_not_unconfigured(ssm: SSMClient) -> None:
    _edit(ssm, _identity(tax_id="11.222.333/0001-82"))

    with pytest.raises(InvalidInput, match=r"no version of .* up to version 2 is valid") as refused:
        IdentityStore(NAME, ssm).current()

    assert not isinstance(refused.value, IdentityNotConfigured)
    assert "tax_id must be a CNPJ" in str(refused.value) and "0001-82" not in str(refused.value)


def test_a_refused_edit_keeps_the_newest_valid_version_even_on_a_cold_container(ssm: SSMClient) -> None:
    _edit(ssm, _identity(trade_name="Padaria Antiga"))
    _edit(ssm, _identity())
    _edit(ssm, _identity(support_phone="(11) 3000-1000", website="http://paoquente.com.br"))

    cold = IdentityStore(NAME, ssm).current()  # a new container: nothing cached

    assert cold.identity.trade_name == "Padaria Pão Quente" and cold.parameter_version == 3
    assert cold.refused_version == 4 and cold.refused_because is not None
    assert "support_phone: must be in E.164 form" in cold.refused_because
    assert "website: must be an https:// address" in cold.refused_because


def test_resetting_to_the_default_keeps_the_identity_and_says_why(ssm: SSMClient) -> None:
    _edit(ssm, _identity())
    clock = [0.0]
    store = IdentityStore(NAME, ssm, monotonic=lambda: clock[0])
    assert store.current().parameter_version == 2

    _edit(ssm, default_business_text())
    clock[0] = 301

    in_force = store.current()
    assert in_force.identity.trade_name == "Padaria Pão Quente" and in_force.refused_version == 3
    assert in_force.refused_because is not None and "not configured yet" in in_force.refused_because


def test_the_parameter_is_read_once_per_cache_period(ssm: SSMClient) -> None:
    _edit(ssm, _identity())
    clock = [0.0]
    store = IdentityStore(NAME, ssm, max_age_seconds=300, monotonic=lambda: clock[0])
    assert store.current().identity.trade_name == "Padaria Pão Quente"

    _edit(ssm, _identity(trade_name="Pão Quente"))
    clock[0] = 299
    assert store.current().identity.trade_name == "Padaria Pão Quente"
    clock[0] = 301
    assert store.current().identity.trade_name == "Pão Quente"


def test_a_missing_identity_is_also_read_once_per_cache_period_and_set_without_a_restart(ssm: SSMClient) -> None:
    clock = [0.0]
    store = IdentityStore(NAME, ssm, max_age_seconds=300, monotonic=lambda: clock[0])
    calls = _counting_reads(ssm)
    for _ in range(3):
        with pytest.raises(IdentityNotConfigured):
            store.current()
    assert calls == ["GetParameter", "GetParameterHistory"]

    _edit(ssm, _identity())
    clock[0] = 301
    assert store.current().identity.legal_name == "Pão Quente Alimentos Ltda."
