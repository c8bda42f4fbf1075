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
    assert Counter(r.problem.code for r in results if isinstance(r, Rejection)) == {"settled_on": 2466}
    first = results[0]
    assert isinstance(first, Rejection) and first.settled
    # Line 2: invoice 0000611365, due 2/1/2013, settled 1/15/2013 (the file writes its dates month first).
    assert (first.line, dict(first.problem.facts)) == (2, {"date": "2013-01-15"})
    assert row_message("settled_on", first.problem.facts, "pt-BR") == (
        "A planilha diz que esta parcela foi liquidada em 15/01/2013: não foi registrada como em aberto"
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
        ("Data liquidação", "settled_on"),
        ("Data de quitação", "settled_on"),
        ("Data baixa", "settled_on"),
        ("Settled date", "settled_on"),
        ("Data de cancelamento", "cancelled_on"),
    ],
)
def test_a_row_with_a_day_in_its_settled_or_cancelled_column_is_not_owed(column: str, code: str) -> None:
    settled, rest = read(book(column, "05/11/2026", ""), received_on=date(2026, 11, 20))
    assert isinstance(settled, Rejection) and settled.settled
    assert (settled.problem.code, dict(settled.problem.facts)) == (code, {"date": "2026-11-05"})
    assert isinstance(rest, ParsedInvoice) and rest.settled  # what is still owed: never a correction of one held
    assert [(i.number, i.amount.amount) for i in rest.invoice.installments] == [("2", 10000)]


@pytest.mark.parametrize(
    "cell",
    [
        "",
        "00/00/0000",
        "0000-00-00",
        "-",
        "30/12/1899",  # Delphi's zero date
        "01/01/1900",  # a spreadsheet's
        "NULL",
        "Em aberto",
        "30/11/2026",  # after the file arrived: scheduled
    ],
)
def test_a_row_without_a_settled_day_is_owed(cell: str) -> None:
    (owed,) = read(book("Data liquidação", cell), received_on=date(2026, 11, 20))
    assert isinstance(owed, ParsedInvoice) and not owed.settled


def test_a_status_says_more_than_a_settled_day() -> None:
    """An ERP writes the day of a part payment, or of one reversed, beside a status that says what is owed."""
    text = (
        "Número;Parcela;Cliente;CNPJ;Valor;Vencimento;Situação;Data liquidação\n"
        "1001;1;Padaria Boa Vista;12.345.678/0001-95;100,00;10/11/2026;Parcial;05/11/2026\n"
        "1001;2;Padaria Boa Vista;12.345.678/0001-95;100,00;10/12/2026;Estornado;06/11/2026\n"
    )
    (owed,) = read(text, received_on=date(2026, 11, 20))
    assert isinstance(owed, ParsedInvoice) and not owed.settled
    assert owed.invoice.total.amount == 20000


@pytest.mark.parametrize("column", ["Data de pagamento", "Payment date", "Fecha de pago", "Saldo", "Balance"])
def test_columns_that_may_mean_a_schedule_or_a_running_balance_are_not_read(column: str) -> None:
    """A payment date may be the day a payment is due or scheduled, or that of part of it; a balance may be the
    customer's running one: neither settles a row."""
    (owed,) = read(book(column, "05/11/2026" if "ata" in column or "date" in column else "0,00"))
    assert isinstance(owed, ParsedInvoice) and owed.invoice.total.amount == 10000


def test_a_month_first_file_reads_its_settled_days_month_first() -> None:
    # The due dates read either way; the settled days prove the order the file writes dates in.
    text = (
        "Invoice number;Customer;Amount;Due date;Settled date\n"
        "1;ACME;100.00;12/10/2026;11/30/2026\n"
        "2;ACME;100.00;12/11/2026;11/29/2026\n"
    )
    first, second = [r for r in read(text, received_on=date(2026, 12, 1)) if isinstance(r, Rejection)]
    assert dict(first.problem.facts) == {"date": "2026-11-30"}
    assert dict(second.problem.facts) == {"date": "2026-11-29"}
