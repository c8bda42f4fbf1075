"""The business identity: the supplier every customer notice names (CDC art. 42-A), as a validated document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ponte.domain.business import (
    BusinessIdentity,
    IdentityNotConfigured,
    default_business_text,
    is_valid_cnpj,
    is_valid_cpf,
    load_identity,
)
from ponte.domain.errors import InvalidInput

SCHEMA = Path(__file__).parents[2] / "schemas" / "business-identity.schema.json"

# Check digits computed by the modulo 11 rule of the Receita Federal.
CNPJ = "11.222.333/0001-81"
ALPHANUMERIC_CNPJ = "12.ABC.345/01DE-35"  # the Receita's own example of IN RFB 2.229/2024
CPF = "529.982.247-25"


def _padaria(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "trade_name": "Padaria Pão Quente",
        "legal_name": "Pão Quente Alimentos Ltda.",
        "tax_id": CNPJ,
        "address": {
            "street": "Avenida Paulista",
            "number": "1000",
            "complement": "conj. 101",
            "district": "Bela Vista",
            "city": "São Paulo",
            "state": "SP",
            "postal_code": "01310-100",
            "country": "BR",
        },
        "support_email": "atendimento@paoquente.com.br",
        "support_phone": "+551130001000",
        "whatsapp": "+5511987654321",
        "website": "https://paoquente.com.br",
    }
    document.update(changes)
    return document


def _address(**changes: Any) -> dict[str, Any]:
    return {**_padaria()["address"], **changes}


def _refusal(document: dict[str, Any]) -> str:
    with pytest.raises(InvalidInput, match="invalid business identity") as refused:
        load_identity(json.dumps(document))
    assert not isinstance(refused.value, IdentityNotConfigured)
    return str(refused.value)


def test_a_brazilian_business_is_read_ready_to_print() -> None:
    identity = load_identity(json.dumps(_padaria()))

    assert identity.trade_name == "Padaria Pão Quente"
    assert identity.tax_id == "11222333000181"
    assert identity.tax_id_kind == "CNPJ" and identity.formatted_tax_id == CNPJ
    assert identity.one_line_address == "Avenida Paulista, 1000, conj. 101 - Bela Vista, São Paulo - SP, 01310-100"
    assert identity.reply_address == "atendimento@paoquente.com.br"
    assert identity.whatsapp == "+5511987654321" and identity.website == "https://paoquente.com.br"


def test_the_alphanumeric_cnpj_is_accepted() -> None:
    identity = load_identity(json.dumps(_padaria(tax_id=ALPHANUMERIC_CNPJ.lower())))

    assert identity.tax_id == "12ABC34501DE35"
    assert identity.tax_id_kind == "CNPJ" and identity.formatted_tax_id == ALPHANUMERIC_CNPJ


def test_a_sole_trader_signs_with_a_cpf_and_a_cep_without_dash() -> None:
    document = _padaria(tax_id=CPF, address=_address(postal_code="01310100", complement=None, district=None))
    identity = load_identity(json.dumps(document))

    assert identity.tax_id == "52998224725"
    assert identity.tax_id_kind == "CPF" and identity.formatted_tax_id == CPF
    assert identity.one_line_address == "Avenida Paulista, 1000, São Paulo - SP, 01310-100"


@pytest.mark.parametrize(
    "tax_id",
    ["11.222.333/0001-82", "12.ABC.345/01DE-53", "529.982.247-52", "111.111.111-11", "00.000.000/0000-00", "1234"],
)
def test_a_brazilian_tax_id_with_wrong_check_digits_is_refused_without_echoing_it(tax_id: str) -> None:
    problems = _refusal(_padaria(tax_id=tax_id))

    assert "tax_id must be a CNPJ (14 characters) or a CPF (11 digits) with valid check digits" in problems
    assert tax_id not in problems and "".join(c for c in tax_id if c.isalnum()) not in problems


def test_check_digits_are_computed_over_letters_as_their_ascii_code_minus_48() -> None:
    assert is_valid_cnpj("12ABC34501DE35") and not is_valid_cnpj("12ABC34501DE3A")
    assert is_valid_cpf("12345678909") and not is_valid_cpf("1234567890X")


def test_a_foreign_business_has_its_own_tax_id_and_address_order() -> None:
    madrid = _padaria(
        tax_id="es b-12345678",
        address={"street": "Calle Mayor", "number": "5", "complement": "2.º B", "city": "Madrid", "country": "ES"},
        support_phone="+34910000000",
        whatsapp=None,
        website=None,
        reply_to="cobros@ejemplo.es",
    )
    austin = _padaria(
        tax_id="12-3456789",
        address={
            "street": "Congress Avenue",
            "number": "100",
            "complement": "Suite 200",
            "city": "Austin",
            "state": "TX",
            "postal_code": "78701",
            "country": "US",
        },
    )
    spanish, american = load_identity(json.dumps(madrid)), load_identity(json.dumps(austin))

    assert spanish.tax_id == "ESB12345678" and spanish.tax_id_kind is None and spanish.formatted_tax_id == "ESB12345678"
    assert spanish.one_line_address == "Calle Mayor 5, 2.º B, Madrid"
    assert spanish.reply_address == "cobros@ejemplo.es"
    assert american.one_line_address == "100 Congress Avenue, Suite 200, Austin, TX 78701"


def test_a_mexican_address_puts_the_postal_code_before_the_city() -> None:
    address = {
        "street": "Paseo de la Reforma",
        "number": "222",
        "district": "Juárez",
        "city": "Ciudad de México",
        "state": "CDMX",
        "postal_code": "06600",
        "country": "MX",
    }
    identity = load_identity(json.dumps(_padaria(tax_id="PQA-010101-AB1", address=address)))

    assert identity.one_line_address == "Paseo de la Reforma 222, Juárez, 06600 Ciudad de México, CDMX"


def test_missing_fields_are_all_named() -> None:
    document = _padaria(address={"street": "Avenida Paulista", "country": "BR"})
    del document["legal_name"], document["support_phone"]

    problems = _refusal(document)

    for where in ("legal_name: Field required", "support_phone: Field required"):
        assert where in problems
    assert "address.number: Field required" in problems and "address.city: Field required" in problems


def test_a_brazilian_address_needs_its_uf_and_cep() -> None:
    problems = _refusal(_padaria(address=_address(state="São Paulo", postal_code=None)))

    assert "address: state must be the UF of a Brazilian address, e.g. SP" in problems
    assert "postal_code must be the CEP of a Brazilian address" in problems


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"support_phone": "(11) 3000-1000"}, "support_phone: must be in E.164 form"),
        ({"whatsapp": "21 99999-0000"}, "whatsapp: must be in E.164 form"),
        ({"website": "http://paoquente.com.br"}, "website: must be an https:// address"),
        ({"website": "paoquente.com.br"}, "website: must be an https:// address"),
        ({"support_email": "atendimento"}, "support_email: must be an e-mail address"),
        ({"reply_to": "no at sign"}, "reply_to: must be an e-mail address"),
        ({"address": _address(country="Brasil")}, "address.country: must be an ISO 3166-1 alpha-2 code"),
        ({"trade_name": "   "}, "trade_name: String should have at least 1 character"),
        ({"tax_id": "./-"}, "tax_id: must have letters or digits"),
        ({"logo": "https://paoquente.com.br/logo.png"}, "logo: Extra inputs are not permitted"),
        ({"configured": False}, "configured: Extra inputs are not permitted"),
    ],
)
def test_a_wrong_field_is_named_and_its_value_is_not_echoed(changes: dict[str, Any], complaint: str) -> None:
    problems = _refusal(_padaria(**changes))

    assert complaint in problems
    for value in changes.values():
        if isinstance(value, str) and value.strip():
            assert value not in problems


@pytest.mark.parametrize("text", ["", "not json", "[]", '{"trade_name": "Padaria"'])
def test_a_document_that_is_not_an_identity_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="invalid business identity"):
        load_identity(text)


def test_the_deployed_default_says_the_identity_is_not_configured() -> None:
    document = json.loads(default_business_text())

    assert document["configured"] is False and "schemas/business-identity.schema.json" in document["help"]
    with pytest.raises(IdentityNotConfigured, match="not configured yet"):
        load_identity(default_business_text())
    with pytest.raises(IdentityNotConfigured):
        load_identity('{"configured": false}')


def test_the_identity_is_frozen() -> None:
    identity = load_identity(json.dumps(_padaria()))

    with pytest.raises(ValueError, match="frozen"):
        identity.trade_name = "Outra"  # type: ignore[misc]


def test_the_schema_file_matches_the_model() -> None:
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == BusinessIdentity.model_json_schema(), (
        "schemas/business-identity.schema.json is stale; regenerate it with "
        "json.dumps(BusinessIdentity.model_json_schema(), indent=2, ensure_ascii=False)"
    )
