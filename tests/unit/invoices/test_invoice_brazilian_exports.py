"""How Brazilian spreadsheets and ERPs write money: a column headed `Valor (R$)`, cells formatted as currency
(`R$ 1.234,56`), a `Moeda` column that says `R$`. Such a file is read, not set aside."""

from __future__ import annotations

import io

import pytest

from ponte.domain.errors import InvalidInput
from ponte.invoices import ParsedInvoice, ParseOptions, ParseResult, Rejection
from ponte.invoices.csv_format import parse
from ponte.invoices.values import known_currency, parse_amount


def read(content: str, encoding: str = "utf-8") -> list[ParseResult]:
    return list(parse(io.BytesIO(content.encode(encoding)), options=ParseOptions()))


@pytest.mark.parametrize(
    ("written", "currency", "minor"),
    [
        ("R$ 1.234,56", "BRL", 123456),
        ("R$1.234,56", "BRL", 123456),
        ("R$\u00a01.234,56", "BRL", 123456),  # Excel's currency format puts a no-break space after the symbol
        ("1.234,56 R$", "BRL", 123456),
        ("BRL 1.234,56", "BRL", 123456),
        ("US$ 1,234.56", "USD", 123456),
        ("$1,234.56", "USD", 123456),
        ("$ 1.234,56", "ARS", 123456),
        ("€ 1.234,56", "EUR", 123456),
        ("1.234,56 €", "EUR", 123456),
    ],
)
def test_an_amount_written_with_its_currency_symbol_is_read(written: str, currency: str, minor: int) -> None:
    assert parse_amount(written, currency).amount == minor


@pytest.mark.parametrize(("written", "currency"), [("US$ 100,00", "BRL"), ("R$ 100,00", "USD"), ("€ 5", "BRL")])
def test_a_symbol_of_another_currency_is_refused(written: str, currency: str) -> None:
    with pytest.raises(InvalidInput, match="currency"):
        parse_amount(written, currency)


@pytest.mark.parametrize(("written", "code"), [("R$", "BRL"), ("US$", "USD"), ("€", "EUR"), (" brl ", "BRL")])
def test_a_currency_column_may_hold_the_symbol(written: str, code: str) -> None:
    assert known_currency(written) == code


def test_a_windows_1252_export_with_currency_headers_and_cells_is_read() -> None:
    results = read(
        "Nº Documento;Cliente;CNPJ/CPF;Valor (R$);Vencimento (dd/mm/aaaa);Moeda\r\n"
        "4410;Padaria Estrela;11.222.333/0001-81;R$ 2.500,00;20/09/2026;R$\r\n",
        "cp1252",
    )
    (result,) = results
    assert isinstance(result, ParsedInvoice), result
    invoice = result.invoice
    assert (invoice.number, invoice.total.amount, invoice.currency) == ("4410", 250000, "BRL")
    assert str(invoice.installments[0].due_date) == "2026-09-20"


def test_a_cell_in_another_currency_is_a_rejected_row_not_a_misread_amount() -> None:
    (result,) = read("Numero;Cliente;Valor;Vencimento\n7;Padaria;US$ 100,00;20/09/2026\n")
    assert isinstance(result, Rejection) and result.line == 2
    assert "currency" in result.reason
