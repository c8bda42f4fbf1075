import io
from collections.abc import Callable
from pathlib import Path

import pytest

from ponte.domain.invoices import SourceFormat
from ponte.invoices import FileRejected, ParsedInvoice, ParseOptions, detect_format, parse_upload
from ponte.invoices.results import ParsedCancellation

FixtureFile = Callable[[str, str], Path]

NFE = b'<?xml version="1.0" encoding="utf-8"?>\n<nfeProc xmlns="http://www.portalfiscal.inf.br/nfe" versao="4.00">'
BARE_NFE = b'<NFe xmlns="http://www.portalfiscal.inf.br/nfe"><infNFe>'
NFE_EVENT = (
    b'<?xml version="1.0" encoding="UTF-8"?><procEventoNFe versao="1.00" xmlns="http://www.portalfiscal.inf.br/nfe">'
)
UBL = (
    b'<?xml version="1.0"?><!-- licence\n header -->'
    b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">'
)
UBL_PREFIXED = (
    b'<ubl:CreditNote xmlns:ubl="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2" '
    b'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">'
)
CSV = "\ufeffNúmero;Cliente;Valor;Vencimento\n1;Ana;10,00;01/02/2024\n".encode()
JSON = b'  [{"number": "1"}]'


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("in/35180834128745000152550010000474281920007498-nfe.xml", NFE, SourceFormat.NFE),
        ("in/nfce.xml", BARE_NFE, SourceFormat.NFE),
        ("in/110111-35150162013294000143550010000000011000000018-procEventoNFe.xml", NFE_EVENT, SourceFormat.NFE),
        ("in/BIS3_Invoice_negativ.XML", UBL, SourceFormat.UBL),
        ("in/credit.xml", UBL_PREFIXED, SourceFormat.UBL),
        ("in/contas_a_receber.CSV", CSV, SourceFormat.CSV),
        ("in/export.txt", "numero,cliente\n".encode("latin-1"), SourceFormat.CSV),
        ("in/invoices.json", JSON, SourceFormat.JSON),
        ("in/no-extension", UBL, SourceFormat.UBL),
        ("in/no-extension", JSON, SourceFormat.JSON),
    ],
)
def test_extension_and_content_agree(name: str, head: bytes, expected: SourceFormat) -> None:
    assert detect_format(name, head) == expected


@pytest.mark.parametrize(
    ("name", "head", "message"),
    [
        ("in/scan.pdf", b"%PDF-1.7", "unknown format: '.pdf' files are not read"),
        ("in/sheet.xlsx", b"PK\x03\x04", "unknown format: '.xlsx'"),
        ("in/export.csv", NFE, "named .csv but its content is NFE"),
        ("in/invoices.json", CSV, "named .json but its content is CSV"),
        ("in/invoice.xml", JSON, "named .xml but its content is JSON"),
        ("in/blob", b"%PDF-1.7\n%\xe2\xe3", "unknown format: the content is not CSV, JSON"),
        ("in/empty.csv", b"", "the file is empty"),
        ("in/empty.csv", b"\xef\xbb\xbf \n", "the file is empty"),
        ("in/order.xml", b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2">', "unknown XML"),
        ("in/html.xml", b"<html><body>", "unknown XML: root <html>"),
        ("in/comment.xml", b"<!-- never closed", "no XML root element"),
    ],
)
def test_unknown_or_contradictory_files_are_refused(name: str, head: bytes, message: str) -> None:
    with pytest.raises(FileRejected, match=message):
        detect_format(name, head)


def test_parse_upload_detects_and_reads_the_whole_stream() -> None:
    rows = "".join(f"{n};Cliente {n};10,00;01/02/2024\n" for n in range(1, 2001))
    data = ("Número;Cliente;Valor;Vencimento\n" + rows).encode()
    assert len(data) > 8 * 1024
    results = list(parse_upload("uploads/receber.csv", io.BytesIO(data), ParseOptions()))
    assert len(results) == 2000
    assert all(isinstance(r, ParsedInvoice) for r in results)
    last = results[-1]
    assert isinstance(last, ParsedInvoice)
    assert last.invoice.number == "2000"


def test_parse_upload_reads_each_fixture_format(fixture_file: FixtureFile) -> None:
    for folder, name in [
        ("nfe", "nfelib__26180875335849000115550010000016871192213331-nfe.xml"),
        ("ubl", "en16931__BIS3_Invoice_negativ.XML"),
    ]:
        path = fixture_file(folder, name)
        with path.open("rb") as stream:
            (result,) = parse_upload(f"uploads/{path.name}", stream, ParseOptions())
        assert isinstance(result, ParsedInvoice)
        assert result.invoice.source == folder


def test_parse_upload_reads_a_cancellation_event() -> None:
    path = Path(__file__).parent / "documents" / "asseinfo-br_danfe__nfe_simples_nacional_cancellation_event.xml"
    with path.open("rb") as stream:
        (result,) = parse_upload(f"uploads/{path.name}", stream, ParseOptions())
    assert isinstance(result, ParsedCancellation)
    assert result.access_key == "35150162013294000143550010000000011000000018"
