from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ponte.domain.errors import CurrencyMismatch, InvalidInput
from ponte.domain.money import Money, minor_unit_exponent


@pytest.mark.parametrize(
    ("value", "currency", "minor"),
    [
        ("1234.56", "BRL", 123456),
        ("0.1", "USD", 10),
        ("1500", "JPY", 1500),
        ("1.234", "KWD", 1234),
        ("-2.50", "EUR", -250),
    ],
)
def test_decimals_become_exact_minor_units(value: str, currency: str, minor: int) -> None:
    assert Money.from_decimal(value, currency) == Money(amount=minor, currency=currency)


def test_sub_minor_precision_is_refused_not_rounded() -> None:
    with pytest.raises(InvalidInput, match="more than 2 decimal places"):
        Money.from_decimal("10.005", "BRL")
    with pytest.raises(InvalidInput, match="more than 0 decimal places"):
        Money.from_decimal("10.5", "JPY")


@pytest.mark.parametrize("value", ["abc", "", "NaN", "Infinity"])
def test_non_amounts_are_refused(value: str) -> None:
    with pytest.raises(InvalidInput):
        Money.from_decimal(value, "BRL")


@pytest.mark.parametrize("currency", ["brl", "BR", "BRLX", "R$"])
def test_currency_must_be_an_iso_code(currency: str) -> None:
    with pytest.raises(ValueError, match="ISO 4217"):
        Money(amount=1, currency=currency)


def test_amounts_in_different_currencies_never_mix() -> None:
    with pytest.raises(CurrencyMismatch):
        Money(amount=1, currency="BRL") + Money(amount=1, currency="USD")
    with pytest.raises(CurrencyMismatch):
        assert Money(amount=1, currency="BRL") < Money(amount=2, currency="USD")


def test_arithmetic_and_order() -> None:
    a, b = Money(amount=150, currency="BRL"), Money(amount=50, currency="BRL")
    assert a + b == Money(amount=200, currency="BRL")
    assert a - b == Money(amount=100, currency="BRL")
    assert -b == Money(amount=-50, currency="BRL")
    assert b < a
    assert b <= Money(amount=50, currency="BRL")
    assert Money.zero("BRL").is_zero
    assert str(a) == "1.50 BRL"


def test_exponents_follow_iso_4217() -> None:
    assert [minor_unit_exponent(c) for c in ("BRL", "JPY", "KWD", "CLF")] == [2, 0, 3, 4]


@given(st.integers(min_value=-(10**12), max_value=10**12), st.sampled_from(["BRL", "JPY", "KWD", "USD"]))
def test_minor_units_round_trip_through_decimals(amount: int, currency: str) -> None:
    money = Money(amount=amount, currency=currency)
    assert Money.from_decimal(money.to_decimal(), currency) == money
    assert Money.from_decimal(str(money.to_decimal()), currency) == money
    assert isinstance(money.to_decimal(), Decimal)
