from datetime import date
from typing import Literal

import pytest

from ponte.domain.errors import InvalidInput
from ponte.domain.invoices import Party
from ponte.domain.money import Money
from ponte.invoices.values import (
    bank_slip_digits,
    customer_warnings,
    https_url,
    known_currency,
    line_item,
    nfe_access_key,
    parse_amount,
    parse_date,
)


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
    ["", "abc", "R$", "R$ R$ 10", "10,", "1.2.3,4,5", "12.34.56", "1,23,456.00", "0.123", "1234.567", "--1", "1e3"],
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
    assert known_currency("R$") == "BRL"  # a symbol that names one currency only
    with pytest.raises(InvalidInput, match="unknown currency"):
        known_currency("$")  # the dollar and most pesos


def test_only_ascii_digits_are_amounts_or_dates() -> None:
    with pytest.raises(InvalidInput):
        parse_amount("١٢٣", "BRL")
    with pytest.raises(InvalidInput):
        parse_date("٢٠٢٤-٠١-٠١")


# Access keys of published NF-e documents (nfelib, sped-da samples): the check digit is SEFAZ's.
@pytest.mark.parametrize(
    "key",
    [
        "35210258716523000119550000000573661346317847",
        "26180875335849000115550010000016871192213331",
        "4120 0323 2850 8900 0185 6500 1000 0013 0518 1782 2496",
        "35.1808.34128745000152.55.001.000047678.142169396-8",
    ],
)
def test_nfe_access_keys_are_read_as_44_digits(key: str) -> None:
    digits = nfe_access_key(key)
    assert len(digits) == 44
    assert digits.isdigit()


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("35210258716523000119550000000573661346317848", "wrong check digit"),
        ("3521025871652300011955000000057366134631784", "not 44 digits"),
        ("NFe35210258716523000119550000000573661346317847", "not 44 digits"),
        ("", "not 44 digits"),
    ],
)
def test_a_mistyped_access_key_is_refused(key: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        nfe_access_key(key)


def test_boletos_and_links() -> None:
    assert bank_slip_digits("00190.00009 02729.420003 00012.345172 8 96610000012345") == (
        "00190000090272942000300012345172896610000012345"
    )
    assert bank_slip_digits("1234567-8") == "12345678"
    with pytest.raises(InvalidInput):
        bank_slip_digits("１２３")  # full-width digits are not what a bank prints
    assert https_url(" https://pay.example.com/x?id=1 ") == "https://pay.example.com/x?id=1"
    for bad in (
        "http://pay.example.com",
        "https://",
        "https://pay example.com",
        "HTTPS://PAY.EXAMPLE.COM",
        "https://[::1",
    ):
        with pytest.raises(InvalidInput):
            https_url(bad)


def test_a_line_item_never_refuses_the_invoice() -> None:
    assert line_item("  ", "1", None) is None
    long = line_item("x" * 300, "1" * 50, Money(amount=100, currency="BRL"))
    assert long is not None
    assert (len(long.description), long.description[-1], long.quantity) == (200, "…", None)
    assert line_item("Caixa\n de  parafusos", " 2.0000 ", None) == line_item("Caixa de parafusos", "2.0000", None)


def test_only_a_customer_without_tax_id_or_reference_is_known_by_name_only() -> None:
    (warning,) = customer_warnings(Party(name="Ana", email="ana@example.com"))
    assert warning.reason == "customer identified by name only"
    assert customer_warnings(Party(name="Ana", tax_id="123")) == ()
    assert customer_warnings(Party(name="Ana", reference="C-1")) == ()
