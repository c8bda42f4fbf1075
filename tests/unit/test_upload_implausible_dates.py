"""An invoice dated implausibly far from the day its file arrives (how an ERP writes "no date", or a year mistyped) is
refused, naming the date, rather than chased as a century late or never: the rest of the file is recorded."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest

from ponte.invoices import ParsedInvoice, ParseResult, Rejection, parse_upload
from ponte.invoices.options import ParseOptions
from ponte.invoices.results import PLAUSIBLE_YEARS
from ponte.messages.texts.rows import row_message
from tests.support import T0
from tests.unit.test_uploads_service import World
from tests.upload_support import csv_file, row

RECEIVED_ON = T0.date()  # 2 November 2026


def _read(text: bytes, received_on: date | None = RECEIVED_ON) -> dict[int, ParseResult]:
    return {r.line: r for r in parse_upload("datas.csv", io.BytesIO(text), ParseOptions(received_on=received_on))}


@pytest.mark.parametrize(
    ("due", "issued", "field", "named"),
    [
        ("31/12/9999", "01/11/2026", "due_date", "9999-12-31"),  # an ERP's "no due date"
        ("10/12/2062", "01/11/2026", "due_date", "2062-12-10"),  # 2026 typed backwards
        ("10/12/1026", "01/11/2026", "due_date", "1026-12-10"),  # a digit typed wrong
        ("10/12/2026", "01/01/1900", "issue_date", "1900-01-01"),  # a spreadsheet's day zero
        ("02/11/2016", "01/11/2016", "issue_date", "2016-11-01"),  # the issue date ten years and a day before
    ],
)
def test_a_date_too_far_from_the_day_the_file_arrives_refuses_its_invoice(
    due: str, issued: str, field: str, named: str
) -> None:
    results = _read(csv_file(row(7001, due=due, issued=issued), row(7002)))
    refused = results[2]
    assert isinstance(refused, Rejection)
    assert refused.problem.code == "implausible_date"
    assert dict(refused.problem.facts) == {"field": field, "date": named, "years": str(PLAUSIBLE_YEARS)}
    assert isinstance(results[3], ParsedInvoice), "the other rows are read"


def test_dates_within_ten_years_either_way_are_read() -> None:
    # A business's oldest receivable still owed, and the last installment of a long plan: ten years to the day.
    results = _read(
        csv_file(
            row(7101, due="02/11/2016", issued="02/11/2016"),
            row(7102, installment="1", due="10/12/2026"),
            row(7102, installment="2", due="02/11/2036"),
        )
    )
    assert all(isinstance(r, ParsedInvoice) for r in results.values()), results


@pytest.mark.parametrize("due", ["03/11/2036", "01/11/2016"])
def test_a_day_past_ten_years_is_refused(due: str) -> None:
    refused = _read(csv_file(row(7111, due=due, issued="01/11/2026")))[2]
    assert isinstance(refused, Rejection) and refused.problem.code == "implausible_date"


def test_ten_years_from_a_29_february_end_on_the_28th() -> None:
    received_on = date(2028, 2, 29)
    results = _read(
        csv_file(row(7121, due="28/02/2038", issued="28/02/2018"), row(7122, due="01/03/2038", issued="01/02/2028")),
        received_on=received_on,
    )
    assert isinstance(results[2], ParsedInvoice)
    assert isinstance(results[3], Rejection) and dict(results[3].problem.facts)["date"] == "2038-03-01"


def test_a_later_installment_too_far_off_is_refused_on_its_own_line_and_its_invoice_with_it() -> None:
    results = _read(
        csv_file(row(7131, installment="1", due="10/12/2026"), row(7131, installment="2", due="10/12/9999"))
    )
    assert [(line, r.problem.code) for line, r in results.items() if isinstance(r, Rejection)] == [
        (2, "sibling_refused"),
        (3, "implausible_date"),
    ]


def test_a_json_or_xml_invoice_too_far_off_is_refused_as_a_whole() -> None:
    document = (
        b'[{"number": "7141", "customer": {"name": "Padaria"}, "total": "10.00", "currency": "BRL",'
        b' "issue_date": "2026-11-01", "due_date": "9999-12-31"}]'
    )
    (refused,) = parse_upload("datas.json", io.BytesIO(document), ParseOptions(received_on=RECEIVED_ON))
    assert isinstance(refused, Rejection) and refused.problem.code == "implausible_date"


def test_a_parse_that_is_not_an_upload_reads_every_date_as_written() -> None:
    results = _read(csv_file(row(7201, due="31/12/9999")), received_on=None)
    (parsed,) = results.values()
    assert isinstance(parsed, ParsedInvoice)
    assert parsed.invoice.installments[0].due_date == date(9999, 12, 31)


def test_the_upload_records_the_rest_and_tells_the_back_office_which_date_to_fix() -> None:
    world = World()
    data = csv_file(row(7301, due="31/12/9999"), row(7302, customer="Mercado Central", tax_id="60.701.190/0001-04"))
    outcome = world.upload("incoming/datas.csv", data)
    assert (outcome.status, outcome.rejected) == ("imported", 1)
    (record,) = world.invoices().values()
    assert record.invoice.number == "7302"
    report = world.objects.report("processed/datas.csv.report.json")
    (refused,) = report["rejected"]
    assert refused["line"] == 2
    assert refused["message"] == "Vencimento: 31/12/9999 está a mais de 10 anos da data do envio; confira o ano"


def test_the_window_is_counted_from_the_day_the_file_arrived() -> None:
    # Invoices of 2016 in a file received in 2016, as a business's history replayed in order would be.
    world = World()
    received = datetime(2016, 11, 10, 12, 0, tzinfo=UTC)
    outcome = world.upload("incoming/antigas.csv", csv_file(row(7401, due="10/12/2016", issued="01/11/2016")), received)
    assert (outcome.status, outcome.rejected) == ("imported", 0)


def test_an_installment_due_before_the_invoice_was_issued_is_recorded_with_a_warning() -> None:
    results = _read(csv_file(row(7151, due="10/11/2026", issued="10/12/2026"), row(7152)))
    swapped, fine = results[2], results[3]
    assert isinstance(swapped, ParsedInvoice) and isinstance(fine, ParsedInvoice)
    (warning,) = swapped.warnings
    assert (warning.code, dict(warning.facts)) == ("due_before_issue", {"date": "2026-11-10", "issued": "2026-12-10"})
    assert row_message(warning.code, warning.facts, "pt-BR") == (
        "O vencimento 10/11/2026 é anterior à emissão 10/12/2026: confira as datas"
    )
    assert fine.warnings == ()
