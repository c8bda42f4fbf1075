"""Money as integer minor units plus an ISO 4217 currency code.

Decimals (as providers and files give them) are converted once, at the edge, with `Money.from_decimal`;
nothing inside Ponte does float arithmetic on money.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from ponte.domain.errors import CurrencyMismatch, InvalidInput

_CODE = re.compile(r"^[A-Z]{3}$")

# The largest amount Ponte takes from outside, in minor units of its currency: fifteen digits (ten trillion reais
# in centavos) is beyond any real payment or invoice, stays exact in every JSON reader (below 2**53) and far within
# the 38 digits a DynamoDB number holds.
MAX_MINOR_UNITS = 10**15 - 1
# The largest exponent of ten a major-unit amount can have and still fit (every currency has at most 4 decimals).
_MAX_ADJUSTED = 15

# ISO 4217 minor units for the currencies whose exponent is not 2 (list 1, as published by SIX).
# Every other active code has two decimal places.
_EXPONENTS: dict[str, int] = {
    **dict.fromkeys("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(), 0),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
    **dict.fromkeys("CLF UYW".split(), 4),
}


def _currency_code(value: str) -> str:
    if not _CODE.match(value):
        # The value is not repeated: it is whatever a sender put there, of any length.
        raise ValueError("currency must be an ISO 4217 code of three capital letters")
    return value


CurrencyCode = Annotated[str, AfterValidator(_currency_code)]


def minor_unit_exponent(currency: str) -> int:
    """How many decimal places the currency's minor unit has (2 for BRL, 0 for JPY, 3 for KWD)."""
    return _EXPONENTS.get(_currency_code(currency), 2)


def out_of_range() -> str:
    return f"beyond the largest amount Ponte takes ({MAX_MINOR_UNITS} minor units)"


class InvalidAmount(InvalidInput):
    """An amount refused: `kind` says why (`not_amount`, `too_many_decimals`, `amount_too_large`), `facts` what an
    upload's report needs to say it (`ponte.domain.uploads.RowCode`)."""

    def __init__(self, kind: str, message: str, value: object, **facts: object) -> None:
        super().__init__(message)
        self.kind = kind
        self.facts = {"value": str(value).strip(), **{name: str(fact) for name, fact in facts.items()}}


class Money(BaseModel):
    """An exact amount: `amount` minor units (cents, centavos) of `currency`."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    amount: int
    currency: CurrencyCode

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(amount=0, currency=currency)

    @classmethod
    def from_decimal(cls, value: Decimal | str | int, currency: str) -> Money:
        """Convert a major-unit decimal ("1234.56" BRL) to minor units, refusing sub-minor precision.

        Floats are refused: a provider's JSON number must be parsed with `parse_float=Decimal`.
        """
        if isinstance(value, float):  # pragma: no cover - guarded by the type, kept for callers without mypy
            raise InvalidInput("money must not come from a float; parse JSON numbers as Decimal")
        try:
            number = Decimal(value)
        except (InvalidOperation, ValueError) as exc:
            raise InvalidAmount("not_amount", f"not an amount: {value!r}", value) from exc
        if not number.is_finite():
            raise InvalidAmount("not_amount", f"not an amount: {value!r}", value)
        if not number.is_zero() and number.adjusted() > _MAX_ADJUSTED:
            # Checked before scaling: `1e999999` scaled overflows the decimal context, and its int has a million digits.
            raise InvalidAmount("amount_too_large", out_of_range(), value)
        exponent = minor_unit_exponent(currency)
        minor = number.scaleb(exponent)
        if minor != minor.to_integral_value():
            reason = f"{value} {currency} has more than {exponent} decimal places"
            raise InvalidAmount("too_many_decimals", reason, value, currency=currency, places=exponent)
        if abs(minor) > MAX_MINOR_UNITS:
            raise InvalidAmount("amount_too_large", out_of_range(), value)
        return cls(amount=int(minor), currency=currency)

    def to_decimal(self) -> Decimal:
        return Decimal(self.amount).scaleb(-minor_unit_exponent(self.currency))

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return money_of(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return money_of(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return money_of(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    @property
    def in_range(self) -> bool:
        """Whether the amount's size is one Ponte takes from outside (see MAX_MINOR_UNITS), either sign."""
        return abs(self.amount) <= MAX_MINOR_UNITS

    @property
    def is_zero(self) -> bool:
        return self.amount == 0

    def __str__(self) -> str:
        return f"{self.to_decimal()} {self.currency}"


_validate_money = Money.__pydantic_validator__.validate_python


def money_of(amount: int, currency: str) -> Money:
    """`Money(amount=amount, currency=currency)`, validated the same way, without the keyword handling of a model's
    __init__: for the many amounts a computation works out (a sum, a fine, interest)."""
    money: Money = _validate_money({"amount": amount, "currency": currency})
    return money
