"""Receivables exports as programs write them: title lines above the header, an amount-paid column, days written
`yyyymmdd`, and the abbreviated or secondary column names of ERPs. Origins: documents/ORIGINS.md."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from ponte.invoices import (
    FileRejected,
    ParsedInvoice,
    ParseOptions,
    ParseResult,
    Rejection,
    SettledInvoice,
    parse_upload,
)
from ponte.messages.texts.rows import row_message

DOCUMENTS = Path(__file__).parent / "documents"
# Invoice Ninja 4.5's invoice export (invoiceninja/invoiceninja's import tests): three title lines, then the header.
INVOICE_NINJA = DOCUMENTS / "invoiceninja-invoiceninja__invoice.csv"
# The header of a Brazilian ERP's contas a receber export, as GitService4Com/contas-pagar publishes it
# (`contas_receber.csv` at f1c72d0): its rows name people, so only the header is taken, the rows are written here.
ERP_HEADER = (
    "TIP_DOCUMENTO;NUM_DOCUMENTO;PAR_DOCUMENTO;STATUS;TIP_VENCIMENTO;TIP_COBRANCA;DAT_EMISSAO;DAT_VENCIMENTO;"
    "DAT_QUITACAO;VLR_DESCCONCED;VLR_DOCUMENTO;VLR_SALDO;VLR_COMISSAO;DAT_CANCEL;FANTASIA;NOME_GUERRA\n"
)


def read(text: str, **options: object) -> list[ParseResult]:
    return list(parse_upload("uploads/receber.csv", io.BytesIO(text.encode()), ParseOptions(**options)))


def invoices(results: list[ParseResult]) -> list[ParsedInvoice]:
    return [r for r in results if isinstance(r, ParsedInvoice)]


def codes(results: list[ParseResult]) -> Counter[str]:
    return Counter(r.problem.code for r in results if isinstance(r, Rejection))


def test_a_published_export_with_title_lines_and_part_payments_owes_what_is_left() -> None:
    # Refused whole before ("no column for number..." in the program's name); then each part-paid invoice would
    # have been owed whole.
    with INVOICE_NINJA.open("rb") as stream:
        results = list(parse_upload(INVOICE_NINJA.name, stream, ParseOptions(default_currency="USD")))
    read_ = invoices(results)
    assert len(read_) == 399  # 400 part paid, one of them written twice (line 7 repeats line 6): read once
    assert codes(results) == {"status_paid": 1}  # invoice 780, "Paid", on the last line
    assert next(r for r in results if isinstance(r, Rejection)).line == 405
    first = read_[0]
    # Line 5: invoice 1, $13.50 of which $5.01 paid, due 2019-10-20.
    assert (first.line, first.invoice.number, str(first.invoice.total)) == (5, "1", "8.49 USD")
    assert [(i.due_date, str(i.amount)) for i in first.invoice.installments] == [(date(2019, 10, 20), "8.49 USD")]
    assert first.settled  # part of it was paid: an invoice Ponte holds is not corrected by it
    told = next(w for w in first.warnings if w.code == "partly_paid")
    assert row_message(told.code, told.facts, "en") == (
        "The file says $5.01 of this installment's $13.50 was paid: what is owed is the rest"
    )
    assert all(r.settled for r in read_)


def test_title_lines_above_the_header_are_skipped_and_lines_keep_their_numbers() -> None:
    results = read(
        "Relatório de contas a receber\n"
        "Período: 01/11/2026 a 30/11/2026;;;;\n"
        "\n"
        "Número;Cliente;CNPJ;Valor;Vencimento\n"
        "1001;Padaria Boa Vista;12.345.678/0001-95;100,00;10/12/2026\n"
    )
    (found,) = invoices(results)
    assert (found.line, found.invoice.number, str(found.invoice.total)) == (5, "1001", "100.00 BRL")


def test_a_file_whose_header_is_not_among_its_first_lines_is_refused_for_its_first_line() -> None:
    titles = "".join(f"Relatório {n};;\n" for n in range(10))
    with pytest.raises(FileRejected) as refused:
        read(titles + "Número;Cliente;Valor;Vencimento\n1001;Padaria;100,00;10/12/2026\n")
    assert refused.value.code == "csv_missing_columns"
    assert "Relatório 0" in str(refused.value)


def test_a_file_without_its_header_is_refused_for_what_the_line_most_like_one_lacks() -> None:
    # A title without a separator, then a header without a due date: the header's lack is what is said.
    with pytest.raises(FileRejected) as refused:
        read("Relatório de contas a receber\n\n\nNúmero;Cliente;Valor;Prazo\n1001;Padaria;100,00;30\n")
    assert (refused.value.code, refused.value.facts["columns"]) == ("csv_missing_columns", "due_date")
    # A row whose quoted address spans lines ends the search: the header is what is refused, not the row.
    with pytest.raises(FileRejected) as header:
        read('Número;Cliente;Valor;Prazo;Endereço\n1001;Padaria;100,00;30;"Rua A\nSala 2"\n')
    assert "Endereço" in str(header.value) and "Rua A" not in str(header.value)


def test_a_line_of_group_labels_above_the_header_is_passed_over() -> None:
    labels = "Documento;Documento;Cliente;Cliente;Valores;Valores\n"
    header = "Número;Vencimento;Nome;CNPJ;Valor;Valor recebido\n"
    (found,) = invoices(read(labels + header + "1001;10/12/2026;Padaria;12.345.678/0001-95;100,00;0,00\n"))
    assert (found.line, str(found.invoice.total)) == (3, "100.00 BRL")


PAID = "Número;Cliente;CNPJ;Valor documento;Valor recebido;Vencimento\n{rows}"
ROW = "{n};Padaria Boa Vista;12.345.678/0001-95;{amount};{paid};10/12/2026\n"


@pytest.mark.parametrize(
    ("paid", "owed", "code"),
    [
        ("0,00", "100.00 BRL", None),
        ("", "100.00 BRL", None),
        ("Não", "100.00 BRL", None),
        ("40,00", "60.00 BRL", "partly_paid"),
        ("100,00", None, "amount_paid"),
        ("105,30", None, "amount_paid"),  # with interest: paid
        ("Sim", None, "status_paid"),
        ("Pago", None, "status_paid"),
        ("NULL", "100.00 BRL", None),
        ("-", "100.00 BRL", None),
        ("N/A", "100.00 BRL", None),
        ("em aberto", "100.00 BRL", None),
    ],
)
def test_an_amount_paid_column_says_what_is_left_to_pay(paid: str, owed: str | None, code: str | None) -> None:
    results = read(PAID.format(rows=ROW.format(n=1001, amount="100,00", paid=paid)))
    if owed is None:
        (refused,) = [r for r in results if isinstance(r, Rejection)]
        assert refused.settled and refused.problem.code == code
        (settled,) = [r for r in results if isinstance(r, SettledInvoice)]  # reported on the invoice, if held
        assert [(i.installment, i.state) for i in settled.installments] == [(None, "paid")]  # the file numbers none
        return
    (found,) = invoices(results)
    assert str(found.invoice.installments[0].amount) == owed == str(found.invoice.total)
    assert [w.code for w in found.warnings if w.code == "partly_paid"] == ([code] if code else [])
    assert found.settled is (code is not None)


def test_an_amount_paid_in_cents_is_read_in_cents_and_a_status_says_first() -> None:
    header = "Número;Cliente;CNPJ;Valor (centavos);Valor pago (centavos);Vencimento;Situação\n"
    row = "1001;Padaria Boa Vista;12.345.678/0001-95;10000;2500;10/12/2026;{status}\n"
    (found,) = invoices(read(header + row.format(status="em aberto")))
    assert str(found.invoice.total) == "75.00 BRL"
    (paid,) = [r for r in read(header + row.format(status="pago")) if isinstance(r, Rejection)]
    assert paid.problem.code == "status_paid"


def test_an_amount_paid_that_is_no_amount_refuses_its_row_naming_the_column() -> None:
    for cell in ("talvez", "2026-11-01"):
        (refused,) = read(PAID.format(rows=ROW.format(n=1001, amount="100,00", paid=cell)))
        assert isinstance(refused, Rejection) and not refused.settled
        assert refused.problem.code == "amount_paid_unread"
        assert row_message(refused.problem.code, refused.problem.facts, "pt-BR") == (
            f"O valor recebido “{cell}” não é um valor: a parcela não foi registrada"
        )


def test_a_column_of_ones_and_zeros_says_paid_or_not() -> None:
    header = "Invoice Number,Customer,Amount,Due Date,Paid\n"
    flags = read(header + "A1,Acme,100.00,2026-12-10,1\nA2,Acme,100.00,2026-12-11,0\n", default_currency="USD")
    assert codes(flags) == {"status_paid": 1}
    assert [str(r.invoice.total) for r in invoices(flags)] == ["100.00 USD"]
    # Amounts among them: 1 is a dollar.
    amounts = read(header + "A1,Acme,100.00,2026-12-10,1\nA2,Acme,100.00,2026-12-11,25.00\n", default_currency="USD")
    assert [str(r.invoice.total) for r in invoices(amounts)] == ["99.00 USD", "75.00 USD"]


def test_a_status_that_says_owed_is_not_overruled_by_the_amount_paid() -> None:
    header = "Número;Cliente;CNPJ;Valor;Valor pago;Vencimento;Situação\n"
    row = "{n};Padaria Boa Vista;12.345.678/0001-95;100,00;{paid};10/12/2026;{status}\n"
    results = read(
        header + row.format(n=1, paid="100,00", status="estornado") + row.format(n=2, paid="30,00", status="parcial")
    )
    assert [str(r.invoice.total) for r in invoices(results)] == ["100.00 BRL", "70.00 BRL"]


def test_an_amount_paid_beside_amounts_in_cents_is_in_cents() -> None:
    header = "Número;Cliente;CNPJ;Valor (centavos);Valor pago;Vencimento\n"
    (found,) = invoices(read(header + "1001;Padaria Boa Vista;12.345.678/0001-95;10000;2500;10/12/2026\n"))
    assert str(found.invoice.total) == "75.00 BRL"


def test_two_amount_paid_columns_or_an_amount_due_leave_the_amount_paid_unread() -> None:
    two = "Número;Cliente;CNPJ;Valor;Vencimento;Valor recebido;Valor pago\n"
    (found,) = invoices(read(two + "1001;Padaria;12.345.678/0001-95;100,00;10/12/2026;40,00;40,00\n"))
    assert str(found.invoice.total) == "100.00 BRL"
    due = "Invoice Number,Customer,Amount Due,Amount Paid,Due Date\n"
    (left,) = invoices(read(due + "A1,Acme,40.00,60.00,2026-12-10\n", default_currency="USD"))
    assert str(left.invoice.total) == "40.00 USD"


def test_days_written_yyyymmdd_are_read() -> None:
    header = "Número;Cliente;CNPJ;Valor;Emissão;Vencimento\n"
    (found,) = invoices(read(header + "1001;Padaria Boa Vista;12.345.678/0001-95;100,00;20261110;20261210\n"))
    assert (found.invoice.issue_date, found.invoice.installments[0].due_date) == (
        date(2026, 11, 10),
        date(2026, 12, 10),
    )
    (refused,) = read(header + "1002;Padaria Boa Vista;12.345.678/0001-95;100,00;20261110;20261310\n")
    assert isinstance(refused, Rejection) and refused.problem.code == "not_date"


def test_an_erps_abbreviated_column_names_are_read() -> None:
    rows = (
        "DP;002555;A;quitado;P;CS;2025-01-13;2025-02-10;2025-02-07;0.0;1227.7;0.0;0.0;;VIDEOSCOPIA LTDA;ANA\n"
        "DP;002707;A;aberto;P;CS;2025-01-20;2025-02-21;;0.0;1814.4;1814.4;0.0;;MEDLAR;ANA\n"
        "DP;002707;B;aberto;P;CS;2025-01-20;2025-03-10;;0.0;1814.4;1814.4;0.0;;MEDLAR;ANA\n"
        "DP;002800;A;cancelado;P;CS;2025-01-20;2025-03-10;;0.0;50.0;50.0;0.0;2025-02-01;MEDLAR;ANA\n"
    )
    results = read(ERP_HEADER + rows)
    assert codes(results) == {"status_paid": 1, "status_cancelled": 1}
    (found,) = invoices(results)
    invoice = found.invoice
    assert (invoice.number, invoice.customer.name, str(invoice.total)) == ("002707", "MEDLAR", "3628.80 BRL")
    assert [(i.number, i.due_date) for i in invoice.installments] == [
        ("A", date(2025, 2, 21)),
        ("B", date(2025, 3, 10)),
    ]
    assert invoice.issue_date == date(2025, 1, 20)


@pytest.mark.parametrize(
    ("written", "abbreviated"),
    [
        ("Valor", "VLR_DOCUMENTO"),
        ("Vencimento", "DT_VENCIMENTO"),
        ("Num", "NUM_DOCUMENTO"),
        ("Parcela", "PAR_DOCUMENTO"),
    ],
)
def test_a_name_as_written_comes_before_one_spelled_out(written: str, abbreviated: str) -> None:
    columns = {"Num": "1001", "Valor": "100,00", "Vencimento": "10/12/2026", "Parcela": "1"}
    header = ["Cliente", "CNPJ", *columns, abbreviated]
    row = ["Padaria Boa Vista", "12.345.678/0001-95", *columns.values(), "x"]
    (found,) = invoices(read(";".join(header) + "\n" + ";".join(row) + "\n"))
    assert (found.invoice.number, str(found.invoice.total)) == ("1001", "100.00 BRL")


def test_an_abbreviated_name_with_a_note_is_read() -> None:
    header = "NUM_DOCUMENTO;FANTASIA;VLR_DOCUMENTO (R$);Dt. Vencimento (dd/mm/aaaa)\n"
    (found,) = invoices(read(header + "1001;Padaria;100,00;10/12/2026\n"))
    assert (found.invoice.number, str(found.invoice.total)) == ("1001", "100.00 BRL")


def test_a_trade_name_is_the_customers_only_without_a_company_name() -> None:
    both = (
        "Número;Razão Social;Nome Fantasia;Valor;Vencimento\n1001;Padaria Boa Vista Ltda;Padaria BV;100,00;10/12/2026\n"
    )
    (found,) = invoices(read(both))
    assert found.invoice.customer.name == "Padaria Boa Vista Ltda"


def test_an_invoice_id_is_the_number_only_without_an_invoice_number() -> None:
    # The header of prizksaad-stack/cash-flow-forecasting's `sales_invoices.csv`, with its first row.
    alone = "invoice_id,customer,issue_date,due_date,currency,amount,status,payment_date\n"
    (found,) = invoices(read(alone + "6002,Cust_C,2024-03-01,2024-04-15,EUR,1500.00,Open,\n"))
    assert (found.invoice.number, str(found.invoice.total)) == ("6002", "1500.00 EUR")
    both = "Invoice ID,Invoice Number,Customer Name,Due Date,Total\n"
    (numbered,) = invoices(read(both + "2520018000000073144,INV-000001,Highlander,2021-01-28,489.75\n"))
    assert numbered.invoice.number == "INV-000001"
