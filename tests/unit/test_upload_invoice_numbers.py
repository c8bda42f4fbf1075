"""An invoice number as a spreadsheet rewrites it on the way from the ERP (`000123` saved as `123`, or `123.0`) is
the same invoice: a second upload of the export, opened and saved in Excel, records no second receivable, and an
invoice recorded before numbers were compared this way is found under the key it was recorded by."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ponte.domain.invoices import InvoiceKind, erp_invoice_key, invoice_key, number_identity
from ponte.domain.money import Money
from tests.support import T0
from tests.unit.test_uploads_service import World

HEADER = "Número;Série;Parcela;Cliente;CNPJ/CPF;Valor;Vencimento\n"


def export(*rows: str) -> bytes:
    return (HEADER + "".join(f"{row}\n" for row in rows)).encode()


# As the ERP writes it, then as Excel saves it: the number and the series were number cells, and the CNPJ lost its
# leading zero too.
FROM_THE_ERP = export("000123;001;1/1;Padaria Boa Vista;04.252.011/0001-10;100,00;10/12/2026")
SAVED_BY_EXCEL = export("123;1;1/1;Padaria Boa Vista;4252011000110;100,00;10/12/2026")
# What a data tool writes for a column of numbers with blanks in it.
AS_DECIMALS = export("123.0;1.0;1/1;Padaria Boa Vista;04.252.011/0001-10;100,00;10/12/2026")


@pytest.mark.parametrize(
    ("written", "identity"),
    [
        ("000123", "123"),
        ("123", "123"),
        (" 0042 ", "42"),
        ("123.0", "123"),
        ("00123.00", "123"),
        ("0", "0"),
        ("000", "0"),
        ("0.0", "0"),
        ("1230", "1230"),
        ("12.5", "12.5"),  # not a whole number: as written
        ("A-000123", "A-000123"),  # not digits alone: as written
        ("NF 0123", "NF 0123"),
        ("١٢٣", "١٢٣"),  # digits of another script are not a spreadsheet's rewrite
    ],
)
def test_a_number_is_identified_as_spreadsheets_rewrite_it(written: str, identity: str) -> None:
    assert number_identity(written) == identity


def test_the_key_compares_number_and_series_and_keeps_apart_what_differs() -> None:
    key = erp_invoice_key("001", InvoiceKind.INVOICE, "000123")
    assert (
        key == erp_invoice_key("1", InvoiceKind.INVOICE, "123") == erp_invoice_key("1.0", InvoiceKind.INVOICE, "123.0")
    )
    assert key != erp_invoice_key("1", InvoiceKind.INVOICE, "1230")
    assert key != erp_invoice_key("2", InvoiceKind.INVOICE, "123")
    assert key != erp_invoice_key(None, InvoiceKind.INVOICE, "123")
    assert key != erp_invoice_key("1", InvoiceKind.CREDIT_NOTE, "123")


@pytest.mark.parametrize("again", [SAVED_BY_EXCEL, AS_DECIMALS], ids=["saved-by-excel", "as-decimals"])
def test_the_same_export_rewritten_by_a_spreadsheet_is_a_re_upload(again: bytes) -> None:
    world = World()
    first = world.upload("incoming/receber.csv", FROM_THE_ERP)
    assert (first.counts.created, first.counts.accounts_opened) == (1, 1)

    outcome = world.upload("incoming/receber-excel.csv", again, T0 + timedelta(days=1))

    assert (outcome.counts.created, outcome.counts.corrected, outcome.counts.unchanged) == (0, 0, 1)
    (record,) = world.invoices().values()
    # Held as it was first recorded: the number the customer was told.
    assert (record.invoice.number, record.invoice.series) == ("000123", "001")
    assert record.invoice.total == Money(amount=10000, currency="BRL")


def test_the_erps_export_after_the_spreadsheets_finds_the_invoice_the_spreadsheet_recorded() -> None:
    world = World()
    world.upload("incoming/receber-excel.csv", SAVED_BY_EXCEL)

    outcome = world.upload("incoming/receber.csv", FROM_THE_ERP, T0 + timedelta(days=1))

    assert (outcome.counts.created, outcome.counts.corrected, outcome.counts.unchanged) == (0, 0, 1)
    (record,) = world.invoices().values()
    assert record.invoice.number == "123"


def test_a_correction_written_otherwise_corrects_the_invoice_held() -> None:
    world = World()
    world.upload("incoming/receber.csv", FROM_THE_ERP)
    corrected = export("123;1;1/1;Padaria Boa Vista;04.252.011/0001-10;90,00;10/12/2026")

    outcome = world.upload("incoming/receber-2.csv", corrected, T0 + timedelta(days=1))

    assert (outcome.counts.created, outcome.counts.corrected) == (0, 1)
    (record,) = world.invoices().values()
    assert (record.invoice.number, record.invoice.total) == ("000123", Money(amount=9000, currency="BRL"))


def test_an_invoice_recorded_under_its_written_key_is_found_there() -> None:
    """Recorded before numbers were compared as spreadsheets rewrite them: its key holds the number as written, and
    the file written the same way finds it there (a file that writes it otherwise does not: see the README)."""
    world = World()
    world.upload("incoming/receber.csv", FROM_THE_ERP)
    (ledger,) = world.store.ledgers.values()
    (record,) = ledger.invoices
    written = invoice_key("erp", "001", InvoiceKind.INVOICE, "000123")
    assert record.invoice.key != written
    held = record.model_copy(update={"invoice": record.invoice.model_copy(update={"key": written})})
    world.store.ledgers[ledger.account.account_id] = ledger.model_copy(update={"invoices": (held,)})

    outcome = world.upload("incoming/receber-again.csv", FROM_THE_ERP, T0 + timedelta(days=1))
    assert (outcome.counts.created, outcome.counts.corrected, outcome.counts.unchanged) == (0, 0, 1)
    corrected = export("000123;001;1/1;Padaria Boa Vista;04.252.011/0001-10;90,00;10/12/2026")
    outcome = world.upload("incoming/receber-corrected.csv", corrected, T0 + timedelta(days=2))
    assert (outcome.counts.created, outcome.counts.corrected) == (0, 1)
    (record,) = world.invoices().values()
    assert (record.invoice.key, record.invoice.total) == (written, Money(amount=9000, currency="BRL"))


def test_rows_of_one_invoice_written_both_ways_in_one_file_are_its_installments() -> None:
    world = World()
    mixed = export(
        "0042;;1/2;Padaria Boa Vista;04.252.011/0001-10;100,00;10/12/2026",
        "42;;2/2;Padaria Boa Vista;04.252.011/0001-10;100,00;10/01/2027",
        "420;;1/1;Padaria Boa Vista;04.252.011/0001-10;30,00;10/12/2026",
    )

    outcome = world.upload("incoming/receber.csv", mixed)

    assert (outcome.counts.created, outcome.rejected) == (2, 0)
    invoices = {record.invoice.number: record.invoice for record in world.invoices().values()}
    assert [i.number for i in invoices["0042"].installments] == ["1/2", "2/2"]
    assert invoices["0042"].total == Money(amount=20000, currency="BRL")
    assert invoices["420"].total == Money(amount=3000, currency="BRL")


def test_numbers_that_are_not_whole_digits_stay_apart() -> None:
    world = World()
    apart = export(
        "A-0123;;1/1;Padaria Boa Vista;04.252.011/0001-10;100,00;10/12/2026",
        "A-123;;1/1;Padaria Boa Vista;04.252.011/0001-10;100,00;10/12/2026",
    )

    outcome = world.upload("incoming/receber.csv", apart)

    assert outcome.counts.created == 2
