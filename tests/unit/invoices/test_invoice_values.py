from datetime import date
from typing import Literal

import pytest

from ponte.domain.errors import InvalidInput
from ponte.invoices.values import known_currency, parse_amount, parse_date


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("1.234,56", "BRL", 123456),
        ("1,234.56", "USD", 123456),
        ("1234.56", "BRL", 123456),
        ("1234,56", "BRL", 123456),
        ("1 234,56", "EUR", 123456),
        ("1\u00a0234,56", "EUR", 123456),
        ("1.234.567,8", "BRL", 123456780),
        ("1,234,567", "USD", 123456700),
        ("1.234", "BRL", 123400),  # one separator + three digits: thousands
        ("1,234", "USD", 123400),
        ("1.234", "KWD", 1234),  # ... unless the currency has three decimals
        ("0,5", "BRL", 50),
        ("12", "BRL", 1200),
        ("-10,00", "BRL", -1000),
        ("+10.00", "BRL", 1000),
        ("1.500", "JPY", 1500),
    ],
)
def test_amounts_in_the_usual_styles(text: str, currency: str, minor: int) -> None:
    assert parse_amount(text, currency).amount == minor


@pytest.mark.parametrize(
    "text",
    ["", "abc", "R$ 10", "10,", "1.2.3,4,5", "12.34.56", "1,23,456.00", "0.123", "1234.567", "--1", "1e3"],
)
def test_anything_else_is_not_an_amount(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_amount(text, "BRL")


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2024-03-31", "dmy", date(2024, 3, 31)),
        ("31/03/2024", "dmy", date(2024, 3, 31)),
        ("3/4/2024", "dmy", date(2024, 4, 3)),
        ("3/4/2024", "mdy", date(2024, 3, 4)),
        ("31.03.2024", "dmy", date(2024, 3, 31)),
        ("31/03/2024 00:00:00", "dmy", date(2024, 3, 31)),
        ("2024-03-31T10:00:00-03:00", "dmy", date(2024, 3, 31)),
    ],
)
def test_dates_day_first_or_iso(text: str, order: Literal["dmy", "mdy"], expected: date) -> None:
    assert parse_date(text, order) == expected


@pytest.mark.parametrize("text", ["31/02/2024", "2024/03/31", "March 3", "03/31/2024", "24-03-31"])
def test_bad_dates_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="not a date"):
        parse_date(text)


def test_currencies_are_checked_against_iso_4217() -> None:
    assert known_currency(" brl ") == "BRL"
    assert known_currency("PEN") == "PEN"
    with pytest.raises(InvalidInput, match="unknown currency 'ABC'"):
        known_currency("ABC")
    with pytest.raises(InvalidInput, match="unknown currency"):
        known_currency("R$")


def test_only_ascii_digits_are_amounts_or_dates() -> None:
    with pytest.raises(InvalidInput):
        parse_amount("١٢٣", "BRL")
    with pytest.raises(InvalidInput):
        parse_date("٢٠٢٤-٠١-٠١")
