"""Files no single check was written for, as broken exports and Windows tools make them: each is refused with a
report (the whole file set aside, or its document rejected), never an exception that would have the upload
retried until its trigger parks it with no report."""

from __future__ import annotations

import io
from typing import Any

import pytest

from ponte.invoices import FileRejected, ParseOptions, Rejection, parse_upload
from tests.unit.invoices.test_invoice_nfe import nfe_xml
from tests.unit.invoices.test_invoice_ubl import ubl_xml
from tests.unit.test_uploads_service import World
from tests.upload_support import json_invoice


def refusal(name: str, data: bytes, options: ParseOptions | None = None) -> FileRejected:
    with pytest.raises(FileRejected) as refused:
        list(parse_upload(name, io.BytesIO(data), options or ParseOptions()))
    return refused.value


HEADER_ROW = "Número;Cliente;CNPJ/CPF;Valor;Vencimento\n"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        # a stray quote opens the header's first cell and it runs on past the 128 KiB csv takes in a cell
        (('"' + HEADER_ROW + "1;Ana;12345678000195;10,00;01/12/2026\n" * 5000).encode(), "csv_malformed"),
        # a header cell of 200,000 characters
        (
            (HEADER_ROW.rstrip() + ";" + "X" * 200_000 + "\n1;Ana;12345678000195;10,00;01/12/2026\n").encode(),
            "csv_malformed",
        ),
        # UTF-16 whose quoted header cell runs into a line cut short (half a character at the end)
        ('Número;"Parcela\n'.encode("utf-16") + b"A", "csv_encoding"),
    ],
)
def test_a_csv_header_that_cannot_be_read_is_refused(data: bytes, code: str) -> None:
    assert refusal("notas.csv", data).code == code


@pytest.mark.parametrize(
    "data",
    [
        b'{"number": "1", "unused": ' + b"9" * 5000 + b"}",  # past Python's 4,300 digits for an integer
        b"[" * 5000 + b"]" * 5000,  # nested past the parser's depth
        b'{"number": "1", "total": 1e999999999999999999999}',  # an exponent past Decimal's
    ],
)
def test_json_no_invoice_could_hold_is_refused_as_malformed(data: bytes) -> None:
    assert refusal("faturas.json", data).code == "json_malformed"


@pytest.mark.parametrize("encoding", ["ANSI", "UTF-8-BOM", "UCS-2", "UTF-32", "bogus", "rot13"])
def test_an_xml_encoding_no_codec_reads_is_refused_naming_the_encoding_as_the_problem(encoding: str) -> None:
    data = ubl_xml().replace(b'encoding="UTF-8"', f'encoding="{encoding}"'.encode())
    refused = refusal("fatura.xml", data)
    assert refused.code == "xml_encoding" and refused.facts == {}


@pytest.mark.parametrize(
    ("name", "data", "options"),
    [
        # 9999-12-31: how some ERPs write "no date"; 30 days after it there is no day
        (
            "fatura.xml",
            ubl_xml().replace(b"2024-02-01", b"9999-12-31"),
            ParseOptions(default_term_days=30),
        ),
        (
            "nota.xml",
            nfe_xml(emission="<dhEmi>9999-12-31T10:30:00-03:00</dhEmi>"),
            ParseOptions(default_term_days=30),
        ),
    ],
)
def test_an_issue_date_at_the_calendars_end_with_days_to_pay_rejects_the_document(
    name: str, data: bytes, options: ParseOptions
) -> None:
    (result, *_) = list(parse_upload(name, io.BytesIO(data), options))
    assert isinstance(result, Rejection)
    assert (result.problem.code, result.problem.facts) == ("invalid_field", {"field": "issue_date"})


def test_a_file_that_fails_in_a_way_no_check_foresaw_is_set_aside_with_a_report(monkeypatch: Any) -> None:
    def unforeseen(*_: object, **__: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("ponte.services.uploads.parse_upload", unforeseen)
    world = World()

    outcome = world.upload("incoming/notas.csv", b"Numero;Valor;Vencimento\n1;10,00;01/12/2026\n")

    assert outcome.status == "quarantined"
    assert set(world.objects.objects) == {"quarantine/notas.csv", "quarantine/notas.csv.report.json"}
    report = world.objects.report("quarantine/notas.csv.report.json")
    assert report["status"] == "quarantined" and "could not be read (RecursionError)" in report["reason"]
    assert report["message"].startswith("O arquivo não pôde ser lido")
    assert world.store.ledgers == {} and world.ledger.writes == []
    (alert,) = world.ledger.alerts
    assert alert.body.kind == "invoices.quarantined" and alert.body.code == "not_read"


@pytest.mark.parametrize("due", [0, 86400, 1796947200, 1796947200.0, '"0"', '"86400"', '"1796947200"', '"20261210"'])
def test_a_number_for_a_json_date_is_not_read_as_seconds_since_1970(due: float | str) -> None:
    # As a number, or as text of digits alone, which pydantic reads the same way.
    data = json_invoice(
        "2001", total="100.00", due="x", tax_id="12345678000195", name="Ana", email="", issued="2026-11-01"
    )
    (result,) = list(parse_upload("faturas.json", io.BytesIO(data.replace(b'"x"', str(due).encode())), ParseOptions()))
    assert isinstance(result, Rejection) and result.problem.facts.get("field") == "due_date"


def test_blank_lines_above_a_csv_header_are_passed_over_and_lines_keep_their_numbers() -> None:
    data = ("\n \n" + HEADER_ROW + "1;Ana;12345678000195;10,00;01/12/2026\n2;Ana;12345678000195;;01/12/2026\n").encode()
    results = list(parse_upload("notas.csv", io.BytesIO(data), ParseOptions()))
    assert [type(r).__name__ for r in results] == ["ParsedInvoice", "Rejection"]
    assert [r.line for r in results] == [4, 5]  # as an editor numbers the file's lines
