"""Cells a spreadsheet would run as a formula (OWASP "CSV Injection"): what an upload records of them."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest

from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Item, Party, SourceFormat
from ponte.domain.money import Money
from ponte.invoices import ParsedInvoice, ParseOptions, ParseResult, Rejection, parse_upload
from ponte.invoices.formulas import disarmed, spreadsheet_cell

HEADER = "Número;Parcela;Cliente;CNPJ/CPF;E-mail;Valor;Vencimento;Vendedor\n"
HYPERLINK = '=HYPERLINK("https://pague.example/x";"Clique aqui")'


def upload(name: str, data: str) -> list[ParseResult]:
    return list(parse_upload(name, io.BytesIO(data.encode()), ParseOptions()))


def only(results: list[ParseResult]) -> ParsedInvoice:
    (result,) = results
    assert isinstance(result, ParsedInvoice), result
    return result


def rejected(result: ParseResult) -> Rejection:
    assert isinstance(result, Rejection), result
    return result


def test_a_formula_name_is_recorded_without_its_trigger_and_reported() -> None:
    csv = HEADER + f'1;1;"{HYPERLINK.replace(chr(34), chr(34) * 2)}";12.345.678/0001-95;;10,00;10/12/2026;\n'
    parsed = only(upload("incoming/nov.csv", csv))
    assert parsed.invoice.customer.name == 'HYPERLINK("https://pague.example/x";"Clique aqui")'
    assert parsed.invoice.customer.tax_id == "12345678000195"
    assert [(w.reason, w.code, w.facts) for w in parsed.warnings] == [
        (
            "customer name begins with '=', which could make a spreadsheet run it as a formula: recorded without it",
            "formula_cut",
            {"field": "customer_name", "character": "="},
        )
    ]


@pytest.mark.parametrize(
    ("written", "recorded", "trigger"),
    [
        ("+cmd|' /C calc'!A0", "cmd|' /C calc'!A0", "'+'"),
        ("-2+3+cmd|' /C calc'!A0", "2+3+cmd|' /C calc'!A0", "'-'"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "SUM(1+1)*cmd|' /C calc'!A0", "'@'"),
        ("=-=1+1", "1+1", "'='"),
        ("@lojadomarcos", "lojadomarcos", "'@'"),
    ],
)
def test_every_formula_trigger_is_cut(written: str, recorded: str, trigger: str) -> None:
    parsed = only(upload("incoming/nov.csv", HEADER + f"1;1;{written};12.345.678/0001-95;;10,00;10/12/2026;\n"))
    assert parsed.invoice.customer.name == recorded
    assert parsed.warnings[0].reason.startswith(f"customer name begins with {trigger}")
    assert (parsed.warnings[0].code, parsed.warnings[0].facts) == (
        "formula_cut",
        {"field": "customer_name", "character": trigger.strip("'")},
    )


def test_a_leading_tab_in_a_json_name_is_cut_and_named() -> None:
    document = {
        "number": "7",
        "total": "10.00",
        "due_date": "2026-12-10",
        "customer": {"name": "\t=1+1 Padaria", "tax_id": "12345678000195"},
        "owner": "+Ana",
    }
    parsed = only(upload("incoming/nov.json", json.dumps(document)))
    assert (parsed.invoice.customer.name, parsed.owner) == ("1+1 Padaria", "Ana")
    assert [w.reason for w in parsed.warnings] == [
        "customer name begins with a tab, which could make a spreadsheet run it as a formula: recorded without it",
        "owner begins with '+', which could make a spreadsheet run it as a formula: recorded without it",
    ]
    assert [(w.code, w.facts) for w in parsed.warnings] == [
        ("formula_cut", {"field": "customer_name", "character": "Tab"}),
        ("formula_cut", {"field": "owner", "character": "+"}),
    ]


def test_a_formula_e_mail_is_left_out_and_the_owner_cut() -> None:
    csv = HEADER + "1;1;Padaria;12.345.678/0001-95;=cmd|'/Ccalc'!A0@x.example;10,00;10/12/2026;@Ana Lima\n"
    parsed = only(upload("incoming/nov.csv", csv))
    assert (parsed.invoice.customer.email, parsed.owner) == (None, "Ana Lima")
    assert [w.reason for w in parsed.warnings] == [
        "customer e-mail left out: it begins with '=', which could make a spreadsheet run it as a formula",
        "owner begins with '@', which could make a spreadsheet run it as a formula: recorded without it",
    ]
    assert [(w.code, w.facts) for w in parsed.warnings] == [
        ("email_formula", {"field": "customer", "character": "="}),
        ("formula_cut", {"field": "owner", "character": "@"}),
    ]


def test_a_name_that_was_only_a_dash_is_no_name() -> None:
    parsed = only(upload("incoming/nov.csv", HEADER + "1;1;-;12.345.678/0001-95;;10,00;10/12/2026;\n"))
    assert parsed.invoice.customer.name is None and parsed.invoice.customer.tax_id == "12345678000195"
    (result,) = upload("incoming/nov.csv", HEADER + "2;1;-;;;10,00;10/12/2026;\n")
    refused = rejected(result)
    assert (refused.line, refused.reason, refused.problem.code, refused.problem.facts) == (
        2,
        "customer name begins with '-', which could make a spreadsheet run it as a formula, and nothing else "
        "identifies the customer",
        "formula_name",
        {"character": "-"},
    )


@pytest.mark.parametrize(
    ("number", "installment", "refusal", "facts"),
    [
        ("=1+1", "1", "invoice number begins with '='", {"field": "number", "character": "="}),
        ("+55", "1", "invoice number begins with '+'", {"field": "number", "character": "+"}),
        ("1001", "@1", "installment number begins with '@'", {"field": "installment", "character": "@"}),
    ],
)
def test_a_formula_in_an_identifier_refuses_the_invoice(
    number: str, installment: str, refusal: str, facts: dict[str, str]
) -> None:
    results = upload("incoming/nov.csv", HEADER + f"{number};{installment};Ana;123.456.789-09;;10,00;10/12/2026;\n")
    assert [(r.line, r.reason, r.problem.code, r.problem.facts) for r in map(rejected, results)] == [
        (2, f"{refusal}, which could make a spreadsheet run it as a formula: not recorded", "formula", facts)
    ]


def test_amounts_are_numbers_not_formulas() -> None:
    csv = HEADER + "1;1;Ana;123.456.789-09;;+1.234,56;10/12/2026;\n2;1;Ana;123.456.789-09;;-12,50;10/12/2026;\n"
    first, second = upload("incoming/nov.csv", csv)
    assert isinstance(first, ParsedInvoice) and first.invoice.total.amount == 123456 and first.warnings == ()
    refused = rejected(second)  # as before: not a formula
    assert (refused.line, refused.reason, refused.problem.code, refused.problem.facts) == (
        3,
        "amount must be greater than zero, got -12,50",
        "not_positive",
        {"value": "-12,50"},
    )


def test_issuer_and_items_from_xml_are_cut_too() -> None:
    invoice = Invoice(
        key="nfe:1",
        number="1",
        kind=InvoiceKind.INVOICE,
        issue_date=date(2026, 11, 1),
        currency="BRL",
        total=Money(amount=1000, currency="BRL"),
        installments=(Installment(number="1", due_date=date(2026, 12, 1), amount=Money(amount=1000, currency="BRL")),),
        customer=Party(name="Mercado Central", tax_id="11222333000181"),
        issuer=Party(name="@Distribuidora", tax_id="12345678000195"),
        source=SourceFormat.NFE,
    )
    items = (Item(description="- Parafuso 3mm"), Item(description="Porca"), Item(description="=="))
    result = disarmed(ParsedInvoice(1, invoice, items=items))
    assert isinstance(result, ParsedInvoice)
    assert result.invoice.issuer is not None and result.invoice.issuer.name == "Distribuidora"
    assert [item.description for item in result.items] == ["Parafuso 3mm", "Porca"]
    assert [w.reason.split(",")[0] for w in result.warnings] == [
        "issuer name begins with '@'",
        "item 1 description begins with '-'",
        "item 3 description begins with '='",
    ]
    assert [(w.code, w.facts) for w in result.warnings] == [
        ("formula_cut", {"field": "issuer", "character": "@"}),
        ("formula_cut", {"field": "description", "character": "-"}),
        ("formula_cut", {"field": "description", "character": "="}),
    ]


def test_a_dash_or_at_sign_inside_a_name_is_no_formula() -> None:
    parsed = only(upload("incoming/nov.csv", HEADER + "1;1;Ana - Filial @Centro;123.456.789-09;;10,00;10/12/2026;\n"))
    assert (parsed.invoice.customer.name, parsed.warnings) == ("Ana - Filial @Centro", ())
    assert disarmed(parsed) is parsed


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Ana", "Ana"),
        ("Ana = Bia", "Ana = Bia"),
        ("-12,50", "-12,50"),  # a number is data: a sheet reads it as the number it is
        ("-1.234.567,89", "-1.234.567,89"),
        ("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"),
    ],
)
def test_a_csv_cell_that_would_run_is_written_with_a_quote_first(cell: str, written: str) -> None:
    assert spreadsheet_cell(cell) == written
