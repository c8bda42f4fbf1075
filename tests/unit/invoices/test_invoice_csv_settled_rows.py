"""A receivables export says what was paid in more ways than a status: the day it was paid, the day it was
cancelled, what is left to pay. A row it says was paid is no receivable; one partly paid owes what is left."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from ponte.invoices import ParsedInvoice, ParseOptions, ParseResult, Rejection, parse_upload
from ponte.messages.texts.rows import row_message

DOCUMENTS = Path(__file__).parent / "documents"
# IBM's accounts receivable sample (pthiagu2/DataMining): 2,466 invoices, each with the day it was settled.
LEDGER = DOCUMENTS / "pthiagu2-DataMining__WA_Fn-UseC_-Accounts-Receivable.csv"


def read(text: str, **options: object) -> list[ParseResult]:
    return list(parse_upload("uploads/receber.csv", io.BytesIO(text.encode()), ParseOptions(**options)))


def test_a_published_ledger_whose_rows_were_all_settled_records_nothing_as_owed() -> None:
    # It has no status column: every row's SettledDate says it was paid. Read before, 2,466 paid invoices were owed.
    with LEDGER.open("rb") as stream:
        results = list(
            parse_upload(LEDGER.name, stream, ParseOptions(default_currency="USD", received_on=date(2017, 5, 26)))
        )
    assert not [r for r in results if isinstance(r, ParsedInvoice)]
    assert Counter(r.problem.code for r in results if isinstance(r, Rejection)) == {"paid_on": 2466}
    first = results[0]
    assert isinstance(first, Rejection) and first.settled
    # Line 2: invoice 0000611365, due 2/1/2013, settled 1/15/2013 (the file writes its dates month first).
    assert (first.line, dict(first.problem.facts)) == (2, {"date": "2013-01-15"})
    assert row_message("paid_on", first.problem.facts, "pt-BR") == (
        "A planilha diz que esta parcela foi paga em 15/01/2013: não foi registrada como em aberto"
    )


HEADER = "Número;Parcela;Cliente;CNPJ;Valor;Vencimento;{column}\n"
ROW = "1001;{n};Padaria Boa Vista;12.345.678/0001-95;100,00;10/{m}/2026;{cell}\n"


def book(column: str, *cells: str) -> str:
    return HEADER.format(column=column) + "".join(
        ROW.format(n=n, m=10 + n, cell=cell) for n, cell in enumerate(cells, start=1)
    )


@pytest.mark.parametrize(
    ("column", "code"),
    [
        ("Data de pagamento", "paid_on"),
        ("Data liquidação", "paid_on"),
        ("Paid on", "paid_on"),
        ("Data de cancelamento", "cancelled_on"),
    ],
)
def test_a_row_with_a_day_in_its_paid_or_cancelled_column_is_not_owed(column: str, code: str) -> None:
    settled, rest = read(book(column, "05/11/2026", ""), received_on=date(2026, 11, 20))
    assert isinstance(settled, Rejection) and settled.settled
    assert (settled.problem.code, dict(settled.problem.facts)) == (code, {"date": "2026-11-05"})
    assert isinstance(rest, ParsedInvoice) and rest.settled  # what is still owed: never a correction of one held
    assert [(i.number, i.amount.amount) for i in rest.invoice.installments] == [("2", 10000)]


@pytest.mark.parametrize("cell", ["", "00/00/0000", "0000-00-00", "-"])
def test_a_row_without_a_paid_day_is_owed(cell: str) -> None:
    (owed,) = read(book("Data de pagamento", cell), received_on=date(2026, 11, 20))
    assert isinstance(owed, ParsedInvoice) and not owed.settled


def test_a_paid_day_after_the_file_arrived_is_a_payment_scheduled_not_made() -> None:
    (owed,) = read(book("Data de pagamento", "30/11/2026"), received_on=date(2026, 11, 20))
    assert isinstance(owed, ParsedInvoice)


def test_a_paid_day_that_is_no_date_refuses_its_row() -> None:
    (refused,) = read(book("Data de pagamento", "ontem"), received_on=date(2026, 11, 20))
    assert isinstance(refused, Rejection) and refused.problem.code == "not_date" and not refused.settled


@pytest.mark.parametrize("column", ["Saldo", "Valor em aberto", "Balance", "Outstanding"])
def test_the_balance_is_what_an_installment_owes(column: str) -> None:
    # Four installments of R$ 100,00: paid, part paid, unpaid, and a balance above the amount (fees), which is not
    # taken for the amount.
    paid, invoice = read(book(column, "0,00", "40,00", "100,00", "120,00"))
    assert isinstance(paid, Rejection) and paid.settled and paid.problem.code == "balance_paid"
    assert isinstance(invoice, ParsedInvoice) and invoice.settled
    installments = [(i.number, i.amount.amount) for i in invoice.invoice.installments]
    assert installments == [("2", 4000), ("3", 10000), ("4", 10000)]
    (left,) = [w for w in invoice.warnings if w.code == "balance_left"]
    assert dict(left.facts) == {"billed": "40.00", "total": "100.00", "currency": "BRL"}
    assert row_message("balance_left", left.facts, "pt-BR") == (
        "Parte da parcela já foi paga: registrado como em aberto o saldo de R$\xa040,00, de R$\xa0100,00"
    )


def test_a_balance_that_is_no_amount_refuses_its_row() -> None:
    (refused,) = read(book("Saldo", "pago"))
    assert isinstance(refused, Rejection) and refused.problem.code == "not_amount"
