"""Receivables exports list installments in the order the ERP shows them, which is often by due date: the rows of
one invoice are then far apart. They are still one invoice."""

from __future__ import annotations

import io
from datetime import date

from ponte.invoices import ParsedInvoice, ParseOptions, ParseResult, Rejection
from ponte.invoices.csv_format import parse

# "Contas a receber" sorted by vencimento, as an ERP lists them: two invoices in two installments each.
BY_DUE_DATE = (
    "Número;Parcela;Cliente;CNPJ/CPF;Valor;Vencimento\n"
    "1001;1/2;Padaria Boa Vista;12.345.678/0001-95;100,00;10/12/2026\n"
    "1002;1/2;Mercado Sol;11.222.333/0001-81;70,00;12/12/2026\n"
    "1001;2/2;Padaria Boa Vista;12.345.678/0001-95;100,00;10/01/2027\n"
    "1002;2/2;Mercado Sol;11.222.333/0001-81;70,00;12/01/2027\n"
)


def read(content: str) -> list[ParseResult]:
    return list(parse(io.BytesIO(content.encode()), options=ParseOptions()))


def test_installments_of_an_invoice_on_lines_far_apart_are_one_invoice() -> None:
    first, second = read(BY_DUE_DATE)
    assert isinstance(first, ParsedInvoice) and isinstance(second, ParsedInvoice)
    assert (first.line, first.invoice.number, first.invoice.total.amount) == (2, "1001", 20000)
    assert [(i.number, i.due_date) for i in first.invoice.installments] == [
        ("1/2", date(2026, 12, 10)),
        ("2/2", date(2027, 1, 10)),
    ]
    assert (second.line, second.invoice.number, second.invoice.total.amount) == (3, "1002", 14000)
    assert [i.number for i in second.invoice.installments] == ["1/2", "2/2"]


def test_a_number_repeated_far_apart_without_installments_is_refused_not_overwritten() -> None:
    results = read(
        "Número;Cliente;Valor;Vencimento\n"
        "77;Padaria Boa Vista;100,00;10/12/2026\n"
        "78;Mercado Sol;70,00;12/12/2026\n"
        "77;Padaria Boa Vista;90,00;10/01/2027\n"
    )
    assert [type(r).__name__ for r in results] == ["Rejection", "ParsedInvoice"]
    refused = results[0]
    assert isinstance(refused, Rejection) and refused.line == 2
    assert "share this number" in refused.reason
    assert (refused.problem.code, refused.problem.facts) == ("installments_unnumbered", {"number": "77", "rows": "2"})


def test_a_refused_installment_far_from_its_siblings_refuses_the_whole_invoice() -> None:
    results = read(
        BY_DUE_DATE.replace(
            "1001;2/2;Padaria Boa Vista;12.345.678/0001-95;100,00", "1001;2/2;Padaria Boa Vista;12.345.678/0001-95;"
        )
    )
    refused = sorted((r.line, r.reason) for r in results if isinstance(r, Rejection))
    assert refused == [(2, "invoice 1001 not recorded: line 4 of it was refused"), (4, "missing amount")]
    problems = {r.line: (r.problem.code, r.problem.facts) for r in results if isinstance(r, Rejection)}
    assert problems == {
        2: ("sibling_refused", {"number": "1001", "other": "4"}),
        4: ("missing_field", {"field": "amount"}),
    }
    assert [r.invoice.number for r in results if isinstance(r, ParsedInvoice)] == ["1002"]


def test_a_row_pasted_twice_is_read_once_with_a_warning() -> None:
    line = "1001;1/2;Padaria Boa Vista;12.345.678/0001-95;100,00;10/12/2026\n"
    (result,) = read("Número;Parcela;Cliente;CNPJ/CPF;Valor;Vencimento\n" + line + line)
    assert isinstance(result, ParsedInvoice)
    assert (result.invoice.total.amount, len(result.invoice.installments)) == (10000, 1)
    assert [(w.reason, w.code, w.facts) for w in result.warnings] == [
        ("line 3 repeats line 2: read once", "repeated_line", {"line": "3", "other": "2"})
    ]
