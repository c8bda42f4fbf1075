"""The business's identity: who the customer notices come from, as a validated document.

A collection notice names its supplier: Brazilian consumer law requires the supplier's name, address and CNPJ or
CPF on every collection document (CDC, Lei 8.078/1990, art. 42-A). No customer notice goes out until the identity
is set. The document is JSON kept in Parameter Store; `schemas/business-identity.schema.json` is generated from
`BusinessIdentity`. The template deploys `default_business.json`, next to this module: a document that says the
identity is not configured yet, which `load_identity` refuses with `IdentityNotConfigured`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from ponte.domain.errors import InvalidInput
from ponte.domain.invoices import normalise_tax_id

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HTTPS = re.compile(r"^https://[^\s/?#@]+\.[^\s/?#@]+(?:[/?#]\S*)?$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CEP = re.compile(r"^\d{5}-?\d{3}$")
_UFS = frozenset(
    "AC AL AP AM BA CE DF ES GO MA MT MS MG PA PB PR PE PI RJ RN RS RO RR SC SP SE TO".split()  # the 27 UFs
)
# Where an address line puts the postal code before the city (`28013 Madrid`) and the number after the street.
_POSTAL_CODE_FIRST = frozenset(
    "AR BO CL CO CR CU DO EC ES GQ GT HN MX NI PA PE PT PY SV UY VE".split()  # Spanish-speaking countries and Portugal
)

# Check digits of a CNPJ: modulo 11 with these weights over its first 12 and 13 characters. Since IN RFB 2.229/2024
# the first 12 may be letters, each worth its ASCII code minus 48 (A = 17), which leaves digits as they were.
_CNPJ_WEIGHTS = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_CNPJ = re.compile(r"^[0-9A-Z]{12}\d{2}$")
_CPF = re.compile(r"^\d{11}$")


def _matching(pattern: re.Pattern[str], message: str) -> Callable[[str], str]:
    """A validator with a message a person editing the document understands, instead of the regular expression."""

    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(message)
        return value

    return check


def _shown(pattern: re.Pattern[str]) -> dict[str, Any]:
    return {"pattern": pattern.pattern}  # for the JSON schema; `_matching` checks it with its own message


Phone = Annotated[
    str,
    Field(max_length=16, json_schema_extra=_shown(_E164)),
    AfterValidator(_matching(_E164, "must be in E.164 form: + and the country code, e.g. +5511987654321")),
]
Email = Annotated[
    str,
    Field(max_length=254, json_schema_extra=_shown(_EMAIL)),
    AfterValidator(_matching(_EMAIL, "must be an e-mail address")),
]
HttpsUrl = Annotated[
    str,
    Field(max_length=2000, json_schema_extra=_shown(_HTTPS)),
    AfterValidator(_matching(_HTTPS, "must be an https:// address")),
]
CountryCode = Annotated[
    str,
    Field(json_schema_extra=_shown(_COUNTRY)),
    AfterValidator(_matching(_COUNTRY, "must be an ISO 3166-1 alpha-2 code of two capital letters, e.g. BR")),
]


def _tax_id(raw: str) -> str:
    normalised = normalise_tax_id(raw)
    if not normalised:
        raise ValueError("must have letters or digits")
    if len(normalised) > 32:
        raise ValueError("must have at most 32 letters and digits")
    return normalised


def _check_digit(characters: str, weights: tuple[int, ...]) -> str:
    remainder = sum((ord(c) - 48) * w for c, w in zip(characters, weights, strict=True)) % 11
    return str(0 if remainder < 2 else 11 - remainder)


def is_valid_cnpj(value: str) -> bool:
    """A normalised CNPJ, numeric or alphanumeric (IN RFB 2.229/2024), with its two check digits right."""
    if not _CNPJ.match(value) or len(set(value)) == 1:
        return False
    first = _check_digit(value[:12], _CNPJ_WEIGHTS[1:])
    return value[12:] == first + _check_digit(value[:12] + first, _CNPJ_WEIGHTS)


def is_valid_cpf(value: str) -> bool:
    """A normalised CPF (11 digits) with its two check digits right."""
    if not _CPF.match(value) or len(set(value)) == 1:  # 000.000.000-00 and the like pass the sums but are not CPFs
        return False
    first = _check_digit(value[:9], tuple(range(10, 1, -1)))
    return value[9:] == first + _check_digit(value[:9] + first, tuple(range(11, 1, -1)))


class _Document(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True, defer_build=True)


class Address(_Document):
    """Where the business is, as its registration says; in Brazil, as in the CNPJ or CPF record."""

    street: str = Field(min_length=1, max_length=200, description="Street, avenue, road (logradouro).")
    number: str = Field(min_length=1, max_length=20, description="Number on the street; `s/n` when there is none.")
    complement: str | None = Field(
        default=None, min_length=1, max_length=100, description="Suite, floor, unit (complemento)."
    )
    district: str | None = Field(
        default=None, min_length=1, max_length=100, description="Neighbourhood (bairro, colonia, barrio)."
    )
    city: str = Field(min_length=1, max_length=100, description="City or municipality.")
    state: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="State or province; in Brazil the UF's two letters (SP), required there.",
    )
    postal_code: str | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        description="Postal code; in Brazil the CEP (01310-100), required there.",
    )
    country: CountryCode = Field(description="ISO 3166-1 alpha-2 code (BR, AR, MX, US…).")

    @model_validator(mode="after")
    def _brazilian_address(self) -> Address:
        if self.country != "BR":
            return self
        problems = []
        if self.state not in _UFS:
            problems.append("state must be the UF of a Brazilian address, e.g. SP")
        if self.postal_code is None or not _CEP.match(self.postal_code):
            problems.append("postal_code must be the CEP of a Brazilian address, 8 digits, e.g. 01310-100")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def one_line(self) -> str:
        """The address on one line, as it is written in the country, without the country's name (which a
        renderer names in the reader's language when the reader is abroad)."""
        if self.country == "BR":
            # Avenida Paulista, 1000, conj. 101 - Bela Vista, São Paulo - SP, 01310-100
            cep = (self.postal_code or "").replace("-", "")
            street = _joined(", ", self.street, self.number, self.complement)
            return _joined(
                ", ", _joined(" - ", street, self.district), f"{self.city} - {self.state}", f"{cep[:5]}-{cep[5:]}"
            )
        if self.country in _POSTAL_CODE_FIRST:
            # Calle Mayor 5, 2.º B, Centro, 28013 Madrid, Madrid
            return _joined(
                ", ",
                f"{self.street} {self.number}",
                self.complement,
                self.district,
                _joined(" ", self.postal_code, self.city),
                self.state,
            )
        # 1600 Main Street, Suite 200, Springfield, IL 62701
        return _joined(
            ", ",
            f"{self.number} {self.street}",
            self.complement,
            self.district,
            self.city,
            _joined(" ", self.state, self.postal_code),
        )


def _joined(separator: str, *parts: str | None) -> str:
    return separator.join(part for part in parts if part)


class BusinessIdentity(_Document):
    """Who the customer notices come from: the supplier's name, tax id and address (CDC art. 42-A in Brazil), and
    where customers reach the business."""

    trade_name: str = Field(
        min_length=1, max_length=120, description="The name customers know (nome fantasia); notices are signed with it."
    )
    legal_name: str = Field(min_length=1, max_length=200, description="The registered name (razão social).")
    tax_id: Annotated[str, AfterValidator(_tax_id)] = Field(
        min_length=1,
        max_length=40,
        description="The business's tax id; punctuation is ignored (12.345.678/0001-95). When the address is in "
        "Brazil, a CNPJ (14 characters, the first 12 alphanumeric since IN RFB 2.229/2024) or a CPF (11 digits), "
        "check digits verified; elsewhere the country's tax id (VAT number, CUIT, RFC, EIN…).",
    )
    address: Address = Field(description="The business's registered address.")
    support_email: Email = Field(description="Where customers write to the business.")
    support_phone: Phone = Field(description="Where customers call the business, in E.164 (+5511987654321).")
    whatsapp: Phone | None = Field(default=None, description="The business's WhatsApp number, in E.164.")
    website: HttpsUrl | None = Field(default=None, description="The business's website, https only.")
    reply_to: Email | None = Field(
        default=None, description="Where replies to e-mail notices go; the support e-mail when not set."
    )

    @model_validator(mode="after")
    def _brazilian_tax_id(self) -> BusinessIdentity:
        if self.address.country == "BR" and self.tax_id_kind is None:
            # With no location: the rule spans two fields, and `load_identity` names the field in the message.
            raise ValueError(
                "tax_id must be a CNPJ (14 characters) or a CPF (11 digits) with valid check digits "
                "when the address is in Brazil"
            )
        return self

    @property
    def tax_id_kind(self) -> Literal["CNPJ", "CPF"] | None:
        """`CNPJ` or `CPF` for a Brazilian business; None for a foreign tax id, which the renderer labels."""
        if self.address.country != "BR":
            return None
        if is_valid_cnpj(self.tax_id):
            return "CNPJ"
        return "CPF" if is_valid_cpf(self.tax_id) else None

    @property
    def formatted_tax_id(self) -> str:
        """The tax id as it is printed: `12.345.678/0001-95`, `123.456.789-09`; a foreign one as normalised."""
        value = self.tax_id
        match self.tax_id_kind:
            case "CNPJ":
                return f"{value[:2]}.{value[2:5]}.{value[5:8]}/{value[8:12]}-{value[12:]}"
            case "CPF":
                return f"{value[:3]}.{value[3:6]}.{value[6:9]}-{value[9:]}"
            case _:
                return value

    @property
    def one_line_address(self) -> str:
        return self.address.one_line

    @property
    def reply_address(self) -> str:
        """Where replies to an e-mail notice go."""
        return self.reply_to or self.support_email


class IdentityNotConfigured(InvalidInput):
    """The business identity is still the default document: customer notices wait until someone sets it."""


class NotConfigured(_Document):
    """The sentinel the template deploys (`default_business.json`): the identity is not set yet."""

    configured: Literal[False]
    help: str = ""


def load_identity(text: str) -> BusinessIdentity:
    """Parse and validate the business identity document.

    Raises `IdentityNotConfigured` for the not-configured default, and `InvalidInput` naming every problem (where
    and why, never the values) for anything else that is not a valid identity.
    """
    if _says_not_configured(text):
        raise IdentityNotConfigured(
            "the business identity is not configured yet: set the parameter to the business's trade name, legal "
            "name, tax id, address and support contacts (schemas/business-identity.schema.json)"
        )
    try:
        return BusinessIdentity.model_validate_json(text)
    except ValidationError as exc:
        problems = "; ".join(
            _describe(error["loc"], error["msg"]) for error in exc.errors(include_input=False, include_url=False)
        )
        raise InvalidInput(f"invalid business identity: {problems}") from exc


def _says_not_configured(text: str) -> bool:
    try:
        NotConfigured.model_validate_json(text)
    except ValidationError:
        return False
    return True


def _describe(location: tuple[int | str, ...], message: str) -> str:
    where = ".".join(str(part) for part in location)
    message = message.removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def default_business_text() -> str:
    """The document the template deploys: the not-configured sentinel."""
    return resources.files("ponte.domain").joinpath("default_business.json").read_text(encoding="utf-8")
