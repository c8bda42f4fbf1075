import io
import json
from datetime import date
from pathlib import Path

import pytest

from ponte.invoices import FileRejected, ParsedInvoice, ParseOptions, ParseResult, Rejection
from ponte.invoices.json_format import InvoiceDocument, parse

SCHEMA_FILE = Path(__file__).resolve().parents[3] / "schemas" / "invoice.schema.json"

INVOICE = {
    "number": "2024-0042",
    "series": "A",
    "issue_date": "2024-03-01",
    "currency": "EUR",
    "total": "1234.56",
    "installments": [
        {"number": "1", "due_date": "2024-04-01", "amount": 617.28},
        {"number": "2", "due_date": "2024-05-01", "amount": "617.28"},
    ],
    "customer": {"name": "Ferretería Sol", "tax_id": "B-12345678", "email": "pagos@sol.es", "reference": "C-7"},
}


def read(value: object, **options: object) -> list[ParseResult]:
    data = value if isinstance(value, bytes) else json.dumps(value).encode()
    return list(parse(io.BytesIO(data), options=ParseOptions(**options)))


def test_one_invoice_with_installments() -> None:
    (result,) = read(INVOICE)
    assert isinstance(result, ParsedInvoice)
    invoice = result.invoice
    assert result.line == 1
    assert (invoice.key, invoice.number, invoice.series) == ("erp:A:invoice:2024-0042", "2024-0042", "A")
    assert (invoice.currency, invoice.total.amount, invoice.issue_date) == ("EUR", 123456, date(2024, 3, 1))
    assert [(i.number, i.due_date, i.amount.amount) for i in invoice.installments] == [
        ("1", date(2024, 4, 1), 61728),
        ("2", date(2024, 5, 1), 61728),
    ]
    assert invoice.customer.tax_id == "B12345678"


def test_json_numbers_are_read_exactly() -> None:
    (result,) = read(b'{"number": "1", "total": 0.1, "due_date": "2024-01-01", "customer": {"name": "Ana"}}')
    assert isinstance(result, ParsedInvoice)
    assert (result.invoice.total.amount, result.invoice.currency) == (10, "BRL")


def test_a_credit_note_is_recorded_as_a_negative_total() -> None:
    credit = {"number": "NC-1", "kind": "credit_note", "total": "50.00", "customer": {"name": "Ana"}}
    (result,) = read(credit)
    assert isinstance(result, ParsedInvoice)
    assert (result.invoice.kind, result.invoice.total.amount, result.invoice.installments) == ("credit_note", -5000, ())


def test_a_list_reports_bad_items_by_position() -> None:
    single_due = {"number": "2", "total": 10, "due_date": "2024-01-01", "customer": {"tax_id": "123"}}
    results = read(
        [
            INVOICE,
            single_due,
            "not an object",
            {**single_due, "total": -1},
            {**single_due, "due_date": None},
            {**single_due, "currency": "XYZ"},
            {**INVOICE, "total": "1000"},
            {**single_due, "surprise": True},
            {**single_due, "total": "0.001"},
        ]
    )
    assert [r.line for r in results] == list(range(1, 10))
    assert isinstance(results[0], ParsedInvoice)
    assert isinstance(results[1], ParsedInvoice)
    reasons = [r.reason for r in results[2:] if isinstance(r, Rejection)]
    assert reasons == [
        "an invoice must be a JSON object",
        "total: Input should be greater than 0",
        "an invoice gives either due_date or installments",
        "unknown currency 'XYZ': expected an ISO 4217 code such as BRL, EUR, USD",
        "installments of invoice 2024-0042 add up to 1234.56 EUR, not 1000.00 EUR",
        "surprise: Extra inputs are not permitted",
        "0.001 BRL has more than 2 decimal places",
    ]


def test_owner_and_payment_references() -> None:
    (result,) = read(
        {
            **INVOICE,
            "owner": "Marta Ruiz",
            "payment_url": "https://pay.example.com/i/2024-0042",
            "bank_slip": "34191.79001 01043.510047 91020.150008 5 84410026000",
            "access_key": "3521 0258 7165 2300 0119 5500 0000 0573 6613 4631 7847",
        }
    )
    assert isinstance(result, ParsedInvoice)
    assert result.owner == "Marta Ruiz"
    invoice = result.invoice
    assert invoice.payment_url == "https://pay.example.com/i/2024-0042"
    assert invoice.bank_slip == "34191790010104351004791020150008584410026000"
    assert invoice.access_key == "35210258716523000119550000000573661346317847"
    assert result.warnings == ()


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"payment_url": "http://pay.example.com/1"}, "payment_url: String should match pattern '^https://'"),
        ({"payment_url": "https://"}, "payment link 'https://' is not an https:// address"),
        ({"bank_slip": "NN123"}, "boleto 'NN123' is not a nosso número or digitable line"),
        ({"access_key": "35210258716523000119550000000573661346317848"}, "has a wrong check digit"),
        ({"owner": ""}, "owner: String should have at least 1 character"),
    ],
)
def test_bad_payment_references_are_refused(changes: dict[str, str], reason: str) -> None:
    (result,) = read({**INVOICE, **changes})
    assert isinstance(result, Rejection)
    assert reason in result.reason


def test_a_customer_known_only_by_name_is_read_with_a_warning() -> None:
    (result,) = read({"number": "1", "total": 10, "due_date": "2024-01-01", "customer": {"name": "Ana"}})
    assert isinstance(result, ParsedInvoice)
    assert [w.reason for w in result.warnings] == ["customer identified by name only"]


def test_a_long_list_streams_across_read_boundaries() -> None:
    items = [
        {"number": str(n), "total": f"{n}.{n % 100:02d}", "due_date": "2024-01-01", "customer": {"name": "Ana" * 20}}
        for n in range(1, 3001)
    ]
    data = json.dumps(items, indent=2).encode()
    assert len(data) > 4 * 64 * 1024
    results = list(parse(io.BytesIO(data), options=ParseOptions()))
    assert len(results) == 3000
    assert all(isinstance(r, ParsedInvoice) for r in results)
    assert [r.invoice.total.amount for r in results if isinstance(r, ParsedInvoice)] == [
        n * 100 + n % 100 for n in range(1, 3001)
    ]


def test_an_empty_list_has_no_invoices() -> None:
    assert read(b"  [ ]  ") == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"  \n", "the file is empty"),
        (b'"just a string"', "one invoice object or a list"),
        (b'[{"number": "1"}', "not valid JSON"),
        (b'[{"number": "1"} {"number": "2"}]', "expected ',' or ']'"),
        (b'{"number": "1"} trailing', "unexpected data after the JSON value"),
        (b'{"number": "1",}', "not valid JSON"),
        ('[{"number": "ção"}]'.encode("latin-1"), "JSON must be UTF-8"),
    ],
)
def test_broken_files_are_refused_whole(data: bytes, message: str) -> None:
    with pytest.raises(FileRejected, match=message):
        read(data)


def test_a_utf8_bom_is_accepted() -> None:
    (result,) = read(b"\xef\xbb\xbf" + json.dumps(INVOICE).encode())
    assert isinstance(result, ParsedInvoice)


def test_the_published_schema_matches_the_model() -> None:
    if not SCHEMA_FILE.is_file():
        pytest.fail(f"{SCHEMA_FILE} is missing")
    published = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert published == InvoiceDocument.model_json_schema(), (
        "schemas/invoice.schema.json is out of date; regenerate it with "
        "`PYTHONPATH=layers/ponte .venv/bin/python -c "
        "'from ponte.invoices.json_format import write_schema; write_schema()'`"
    )


def _raw(text: str) -> ParseResult:
    (result,) = list(parse(io.BytesIO(text.encode()), options=ParseOptions()))
    return result


@pytest.mark.parametrize(
    ("text", "member"),
    [
        (
            '{"number": "1", "total": "100.00", "total": "1000.00", "due_date": "2026-12-10", '
            '"customer": {"name": "A"}}',
            "total",
        ),
        (
            '{"number": "1", "total": "100.00", "due_date": "2026-12-10", "customer": {"name": "A", "name": "B"}}',
            "name",
        ),
    ],
)
def test_a_member_given_twice_refuses_the_invoice_rather_than_keep_the_last(text: str, member: str) -> None:
    result = _raw(text)
    assert isinstance(result, Rejection)
    assert (result.problem.code, dict(result.problem.facts)) == ("repeated_member", {"field": member})


@pytest.mark.parametrize("total", ['"15.000"', '"1.500"', '"2.000.000"'])
def test_an_amount_that_reads_as_thousands_or_as_decimals_is_refused(total: str) -> None:
    result = _raw(f'{{"number": "1", "total": {total}, "due_date": "2026-12-10", "customer": {{"name": "A"}}}}')
    assert isinstance(result, Rejection) and result.problem.code == "ambiguous_amount"


@pytest.mark.parametrize(
    ("total", "cents"), [('"15000.00"', 1500000), ('"15.00"', 1500), ("15.000", 1500), ('"10.5"', 1050)]
)
def test_an_amount_written_plainly_is_read(total: str, cents: int) -> None:
    result = _raw(f'{{"number": "1", "total": {total}, "due_date": "2026-12-10", "customer": {{"name": "A"}}}}')
    assert isinstance(result, ParsedInvoice) and result.invoice.total.amount == cents


def test_three_decimal_places_are_plain_in_a_currency_that_has_them() -> None:
    result = _raw(
        '{"number": "1", "currency": "KWD", "total": "1.500", "due_date": "2026-12-10", "customer": {"name": "A"}}'
    )
    assert isinstance(result, ParsedInvoice) and result.invoice.total.amount == 1500
