"""Uploads in the encodings people really export: Excel's "Unicode text" (UTF-16), Windows-1252, and UTF-8 files
with a few Windows-1252 lines. The bytes are made here as the programs write them."""

from __future__ import annotations

import codecs
import io

import pytest

from ponte.invoices import FileRejected, ParsedInvoice, ParseOptions, ParseResult, Rejection, parse_upload
from ponte.invoices.streams import MAX_LINE_BYTES
from tests.upload_support import excel_unicode_text

HEADER = "Número;Parcela;Cliente;CNPJ/CPF;Valor;Vencimento\n"


def upload(name: str, data: bytes) -> list[ParseResult]:
    return list(parse_upload(name, io.BytesIO(data), ParseOptions()))


def invoices(name: str, data: bytes) -> list[ParsedInvoice]:
    results = upload(name, data)
    assert all(isinstance(result, ParsedInvoice) for result in results), results
    return [result for result in results if isinstance(result, ParsedInvoice)]


def rejected(result: ParseResult) -> Rejection:
    assert isinstance(result, Rejection), result
    return result


SHEET = [
    ["Número", "Parcela", "Cliente", "CNPJ/CPF", "E-mail", "Valor", "Vencimento"],
    ["1001", "1", "Conceição Ávila & Filhos", "12.345.678/0001-95", "contas@avila.example", "1.234,56", "10/12/2026"],
    ["1001", "2", "Conceição Ávila & Filhos", "12.345.678/0001-95", "contas@avila.example", "1.234,56", "10/01/2027"],
    ["1002", "1", 'Padaria "Pão Quente"', "123.456.789-09", "", "99,90", "15/12/2026"],
]


@pytest.mark.parametrize("big_endian", [False, True])
def test_excel_unicode_text_is_read_as_tab_separated_csv(big_endian: bool) -> None:
    first, second = invoices("incoming/contas a receber.txt", excel_unicode_text(SHEET, big_endian=big_endian))
    assert (first.line, first.invoice.customer.name, first.invoice.total.amount) == (
        2,
        "Conceição Ávila & Filhos",
        246912,
    )
    assert [i.due_date.isoformat() for i in first.invoice.installments] == ["2026-12-10", "2027-01-10"]
    assert (second.line, second.invoice.customer.name) == (4, 'Padaria "Pão Quente"')
    assert first.warnings == second.warnings == ()


def test_excel_unicode_text_reports_bad_rows_by_their_line() -> None:
    rows = [*SHEET, ["1003", "1", "Bia", "123.456.789-09", "", "", "15/12/2026"]]
    results = upload("incoming/export.csv", excel_unicode_text(rows))
    refused = rejected(results[-1])
    assert (refused.line, refused.reason, refused.problem.code, refused.problem.facts) == (
        5,
        "missing amount",
        "missing_field",
        {"field": "amount"},
    )


def test_utf16_that_breaks_halfway_is_refused_at_its_line() -> None:
    data = excel_unicode_text(SHEET) + "1003\t1\tAna".encode("utf-16-le") + b"\x00\xd8" + "\t1\r\n".encode("utf-16-le")
    with pytest.raises(FileRejected, match=r"line 5: not in the file's text encoding \(a lone surrogate\)"):
        upload("incoming/export.txt", data)


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("incoming/x.json", '[{"number": "1"}]', "JSON in UTF-16 is not read: save the file as UTF-8"),
        ("incoming/x.xml", '<nfeProc xmlns="http://www.portalfiscal.inf.br/nfe">', "NFE in UTF-16 is not read"),
        ("incoming/x.txt", "\r\n \r\n", "the file is empty"),
    ],
)
def test_utf16_other_than_csv_is_refused_with_a_reason(name: str, text: str, reason: str) -> None:
    with pytest.raises(FileRejected, match=reason):
        upload(name, codecs.BOM_UTF16_LE + text.encode("utf-16-le"))


def test_a_windows_1252_line_in_a_utf8_file_is_read_as_such_and_reported() -> None:
    data = (
        HEADER.encode()
        + "1;1;São Paulo Comércio;12.345.678/0001-95;10,00;10/12/2026\n".encode()
        + b"2;1;Jos\xe9 Gon\xe7alves;123.456.789-09;20,00;10/12/2026\n"  # pasted from a Windows program
        + "3;1;Açougue Irmãos;11.222.333/0001-81;30,00;10/12/2026\n".encode()
    )
    first, second, third = invoices("incoming/nov.csv", data)
    assert [p.invoice.customer.name for p in (first, second, third)] == [
        "São Paulo Comércio",
        "José Gonçalves",
        "Açougue Irmãos",
    ]
    assert [(w.reason, w.code, w.facts) for w in second.warnings] == [
        (
            "line 3 is not UTF-8 like the rest of the file: read as Windows-1252, check its accents",
            "other_encoding",
            {"line": "3", "encoding": "cp1252", "file_encoding": "utf-8"},
        )
    ]
    assert first.warnings == third.warnings == ()


def test_a_windows_1252_line_far_into_a_utf8_file_is_read_too() -> None:
    # Past the first 64 KiB, where the file's encoding is judged: such a line used to refuse the whole file.
    filler = "".join(f"{n};1;Conceição;12.345.678/0001-95;10,00;10/12/2026\n" for n in range(1, 2001))
    data = HEADER.encode() + filler.encode() + b"9999;1;Jo\xe3o;12.345.678/0001-95;10,00;10/12/2026\n"
    assert len(data) > 64 * 1024
    *_, last = invoices("incoming/long.csv", data)
    assert (last.line, last.invoice.customer.name) == (2002, "João")
    assert [(w.reason, w.code, w.facts) for w in last.warnings] == [
        (
            "line 2002 is not UTF-8 like the rest of the file: read as Windows-1252, check its accents",
            "other_encoding",
            {"line": "2002", "encoding": "cp1252", "file_encoding": "utf-8"},
        )
    ]


def test_the_line_of_a_later_installment_is_named_on_its_invoice() -> None:
    data = (
        HEADER.encode()
        + "7;1;José;12.345.678/0001-95;10,00;10/12/2026\n".encode()
        + b"7;2;Jos\xe9;12.345.678/0001-95;10,00;10/01/2027\n"
    )
    (invoice,) = invoices("incoming/nov.csv", data)
    assert invoice.line == 2 and len(invoice.invoice.installments) == 2
    assert [(w.reason, w.code, w.facts) for w in invoice.warnings] == [
        (
            "line 3 is not UTF-8 like the rest of the file: read as Windows-1252, check its accents",
            "other_encoding",
            {"line": "3", "encoding": "cp1252", "file_encoding": "utf-8"},
        )
    ]


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_a_whole_windows_file_is_read_without_warnings(encoding: str) -> None:
    nickname = "“Zé” Müller" if encoding == "cp1252" else "Zé Müller"  # cp1252 has curly quotes, Latin-1 not
    data = HEADER + f"1;1;Conceição Ávila;12.345.678/0001-95;10,00;10/12/2026\n2;1;{nickname};;20,00;10/12/2026\n"
    results = invoices("incoming/ansi.csv", data.encode(encoding))
    assert [r.invoice.customer.name for r in results] == ["Conceição Ávila", nickname]
    assert [[(w.reason, w.code) for w in r.warnings] for r in results] == [
        [],
        [("customer identified by name only", "name_only")],  # as before: no line named
    ]


def test_a_windows_file_whose_accents_come_late_is_read_without_warnings() -> None:
    # Its first 64 KiB are plain ASCII: the first line with accents tells the file's encoding.
    filler = "".join(f"{n};1;Ana;12.345.678/0001-95;10,00;10/12/2026\n" for n in range(1, 2001))
    late = "".join(f"{n};1;Concei\u00e7\u00e3o;12.345.678/0001-95;10,00;10/12/2026\n" for n in range(2001, 2004))
    results = invoices("incoming/ansi.csv", (HEADER + filler + late).encode("cp1252"))
    assert [r.invoice.customer.name for r in results[-3:]] == ["Conceição"] * 3
    assert [r.warnings for r in results[-3:]] == [()] * 3


def test_a_utf8_line_in_a_windows_file_is_read_as_utf8_and_reported() -> None:
    data = (
        HEADER.encode("cp1252")
        + "1;1;Conceição;12.345.678/0001-95;10,00;10/12/2026\n".encode("cp1252")
        + "2;1;Ângela;123.456.789-09;10,00;10/12/2026\n".encode("cp1252")
        + "3;1;Zoë Straße;11.222.333/0001-81;10,00;10/12/2026\n".encode()
    )
    *_, last = invoices("incoming/ansi.csv", data)
    assert last.invoice.customer.name == "Zoë Straße"
    assert [(w.reason, w.code, w.facts) for w in last.warnings] == [
        (
            "line 4 is not Windows-1252 like the rest of the file: read as UTF-8, check its accents",
            "other_encoding",
            {"line": "4", "encoding": "utf-8", "file_encoding": "cp1252"},
        )
    ]


def test_a_crlf_cut_by_the_reads_is_one_line_break() -> None:
    head = (HEADER.replace("\n", "\r\n") + "".join(f"{n};1;Ana;;10,00;10/12/2026\r\n" for n in range(1, 2000))).encode()
    padding = 64 * 1024 - 1 - len(head) - len("2000;1;;;10,00;10/12/2026")
    data = head + f"2000;1;{'A' * padding};;10,00;10/12/2026\r\n2001;1;Bia;;x;10/12/2026\r\n".encode()
    assert data[64 * 1024 - 1 : 64 * 1024 + 1] == b"\r\n"  # the first read ends between the two
    *_, last = upload("incoming/crlf.csv", data)
    refused = rejected(last)
    assert (refused.line, refused.reason, refused.problem.code, refused.problem.facts) == (
        2002,
        "not an amount: 'x'",
        "not_amount",
        {"value": "x"},
    )


def test_old_mac_line_endings_are_line_breaks() -> None:
    mac = HEADER.replace("\n", "\r") + "1;1;Ana;12.345.678/0001-95;10,00;10/12/2026\r2;1;Bia;;x;10/12/2026\r"
    results = upload("incoming/mac.csv", mac.encode("cp1252"))
    refused = rejected(results[1])
    assert (refused.line, refused.reason, refused.problem.code, refused.problem.facts) == (
        3,
        "not an amount: 'x'",
        "not_amount",
        {"value": "x"},
    )


def test_a_line_too_long_to_be_a_row_refuses_the_file() -> None:
    data = HEADER.encode() + b"1;1;" + b"A;" * MAX_LINE_BYTES + b"\n"  # memory would hold it whole
    with pytest.raises(FileRejected, match="a line is longer than 1 MiB: this is not a CSV file"):
        upload("incoming/blob.csv", data)
