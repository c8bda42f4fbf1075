"""A Brazilian customer's CNPJ or CPF as spreadsheets and ERPs really write it, read as the document it is: the
account it opens is the one the customer's NF-e and payments name, and a placeholder opens no shared account."""

from __future__ import annotations

import io

import pytest

from ponte.invoices import ParsedInvoice, ParseOptions, Rejection, parse_upload
from ponte.messages.texts.rows import row_message

HEADER = "Número;Cliente;CNPJ/CPF;Valor;Vencimento\n"


def read(tax_id: str) -> ParsedInvoice | Rejection:
    text = HEADER + f"123;Padaria Boa Vista;{tax_id};100,00;10/12/2026\n"
    (result,) = parse_upload("clientes.csv", io.BytesIO(text.encode()), ParseOptions())
    assert isinstance(result, ParsedInvoice | Rejection)
    return result


def recorded(tax_id: str) -> tuple[str | None, list[str]]:
    result = read(tax_id)
    assert isinstance(result, ParsedInvoice), result
    return result.invoice.customer.tax_id, [w.code for w in result.warnings]


@pytest.mark.parametrize(
    ("written", "document"),
    [
        ("4252011000110", "04252011000110"),  # a CNPJ in a number cell: its leading zero dropped
        ("1234567890", "01234567890"),  # a CPF likewise
    ],
)
def test_the_leading_zeros_a_number_cell_drops_are_put_back_when_the_check_digits_prove_them(
    written: str, document: str
) -> None:
    assert recorded(written) == (document, ["tax_id_zeros"])


@pytest.mark.parametrize(
    ("written", "document"),
    [
        ("11222333000181.0", "11222333000181"),  # a number cell's decimals
        ("11222333000181,00", "11222333000181"),
        ("CPF: 012.345.678-90", "01234567890"),  # a label before the digits
        ("CNPJ 11.222.333/0001-81", "11222333000181"),
        ("'04252011000110", "04252011000110"),  # Excel's text mark
        ("11.222.333/0001-81", "11222333000181"),
    ],
)
def test_decimals_labels_and_marks_around_the_document_are_not_part_of_it(written: str, document: str) -> None:
    assert recorded(written) == (document, [])


@pytest.mark.parametrize("written", ["ISENTO", "Isento", "NÃO INFORMADO", "Consumidor final", "N/A", "000.000.000-00"])
def test_a_placeholder_is_no_tax_id_and_the_report_says_so(written: str) -> None:
    # Otherwise every customer marked ISENTO would be one account.
    assert recorded(written) == (None, ["name_only", "tax_id_none"])


def test_a_dash_is_an_empty_cell() -> None:
    assert recorded("-") == (None, ["name_only"])


@pytest.mark.parametrize("written", ["1,12223E+13", "4.25201E+12", "1.12223e+13"])
def test_a_document_saved_in_scientific_notation_lost_its_digits_and_refuses_the_invoice(written: str) -> None:
    result = read(written)
    assert isinstance(result, Rejection)
    assert result.problem.code == "tax_id_scientific"
    assert row_message("tax_id_scientific", result.problem.facts, "pt-BR").startswith(
        f"O CNPJ/CPF “{written}” foi salvo em notação científica e perdeu dígitos"
    )


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("123", "tax_id_length"),
        ("191", "tax_id_length"),  # both CPF 000.000.001-91 and CNPJ 00.000.000/0001-91: which one, only people know
        ("11222333000180", "tax_id_digits"),
    ],
)
def test_digits_that_are_no_cpf_or_cnpj_are_recorded_with_a_warning(written: str, code: str) -> None:
    assert recorded(written) == (written, [code])


def test_a_foreign_buyers_id_is_not_judged() -> None:
    assert recorded("DK12345678") == ("DK12345678", [])


def test_the_report_shows_the_document_as_it_was_read() -> None:
    result = read("4252011000110")
    assert isinstance(result, ParsedInvoice)
    (warning,) = result.warnings
    assert row_message(warning.code, warning.facts, "pt-BR") == (
        "O CNPJ/CPF “4252011000110” perdeu os zeros à esquerda na planilha: lido como 04.252.011/0001-10"
    )
