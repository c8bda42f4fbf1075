"""Which parser reads a file: the object key's extension and the first bytes must agree.

The extension alone is not trusted (an ERP may name anything `.txt`) and neither is the content alone (a `.pdf`
that happens to start with text is still not an invoice file); a disagreement is reported, not guessed around.
Text starting with a UTF-16 byte order mark is Excel's "Unicode text" export, read as CSV; JSON must be UTF-8
(RFC 8259 §8.1) and NF-e and UBL are UTF-8 in practice, so they are refused in UTF-16 with a reason that says so.
"""

from __future__ import annotations

import codecs
import re
from pathlib import PurePosixPath

from ponte.domain.invoices import SourceFormat
from ponte.invoices.results import FileRejected
from ponte.invoices.streams import UTF16_BOMS

HEAD_SIZE = 8 * 1024

NFE_NAMESPACE = "http://www.portalfiscal.inf.br/nfe"
UBL_INVOICE_NAMESPACE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE_NAMESPACE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"

_XML_ROOTS = {
    (NFE_NAMESPACE, "nfeProc"): SourceFormat.NFE,
    (NFE_NAMESPACE, "NFe"): SourceFormat.NFE,
    (NFE_NAMESPACE, "procEventoNFe"): SourceFormat.NFE,  # an NF-e event, such as its cancellation
    (UBL_INVOICE_NAMESPACE, "Invoice"): SourceFormat.UBL,
    (UBL_CREDIT_NOTE_NAMESPACE, "CreditNote"): SourceFormat.UBL,
}
_BY_EXTENSION: dict[str, frozenset[SourceFormat]] = {
    ".csv": frozenset({SourceFormat.CSV}),
    ".txt": frozenset({SourceFormat.CSV}),
    ".json": frozenset({SourceFormat.JSON}),
    ".xml": frozenset({SourceFormat.NFE, SourceFormat.UBL}),
    "": frozenset(SourceFormat),
}
_PROLOG = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)
_START_TAG = re.compile(rb"<(?:([\w.-]+):)?([\w.-]+)([^>]*)>")
_XMLNS = re.compile(rb"""xmlns(?::([\w.-]+))?\s*=\s*["']([^"']*)["']""")


def detect_format(name: str, head: bytes) -> SourceFormat:
    """The format of the object `name` (its key) whose first bytes are `head` (`HEAD_SIZE` is enough)."""
    extension = PurePosixPath(name).suffix.lower()
    allowed = _BY_EXTENSION.get(extension)
    if allowed is None:
        raise FileRejected(
            f"unknown format: {extension!r} files are not read; upload .csv, .json or .xml",
            code="unknown_extension",
            extension=extension,
        )
    utf16 = head.startswith(UTF16_BOMS)
    text = _utf16_as_utf8(head) if utf16 else head.removeprefix(codecs.BOM_UTF8)
    found = _sniff(text.lstrip())
    if found not in allowed:
        raise FileRejected(
            f"the file is named {extension} but its content is {found.value.upper()}",
            code="extension_mismatch",
            extension=extension,
            file_format=found,
        )
    if utf16 and found is not SourceFormat.CSV:
        raise FileRejected(
            f"{found.value.upper()} in UTF-16 is not read: save the file as UTF-8", code="utf16", file_format=found
        )
    return found


def _utf16_as_utf8(head: bytes) -> bytes:
    # Not final: the head may end inside a character. A byte sequence that is not UTF-16 at all is refused by the
    # parser, at its line.
    return codecs.getincrementaldecoder("utf-16")(errors="replace").decode(head, final=False).encode()


_CSV_LINES = 10  # the lines, blank ones aside, a CSV file's header is looked for in (`csv_format._HEADER_SEARCH`)


def _sniff(head: bytes) -> SourceFormat:
    if not head:
        raise FileRejected("the file is empty", code="empty")
    if head.startswith(b"<"):
        return _xml_root(head)
    if head[:1] in (b"{", b"["):
        return SourceFormat.JSON
    # Text whose first lines have a separator: a report exported as CSV may put a title without one above its header.
    first_lines = [line for line in head.split(b"\n") if line.strip()][:_CSV_LINES]
    if b"\x00" not in head and any(sep in line for line in first_lines for sep in (b";", b",", b"\t")):
        return SourceFormat.CSV
    raise FileRejected("unknown format: the content is not CSV, JSON, NF-e XML or UBL XML", code="unknown_format")


def _xml_root(head: bytes) -> SourceFormat:
    start = _PROLOG.match(head)
    rest = head[start.end() if start else 0 :]
    if rest.startswith(b"<!DOCTYPE"):
        raise FileRejected("XML with a document type declaration (DOCTYPE) is refused", code="xml_doctype")
    tag = _START_TAG.match(rest)
    if tag is None:
        raise FileRejected(f"no XML root element in the first {HEAD_SIZE} bytes", code="no_xml_root")
    prefix, local, attributes = tag.groups()
    namespaces = {(p or b"").decode(): uri.decode("utf-8", "replace") for p, uri in _XMLNS.findall(attributes)}
    namespace = namespaces.get((prefix or b"").decode(), "")
    found = _XML_ROOTS.get((namespace, local.decode()))
    if found is None:
        raise FileRejected(
            f"unknown XML: root <{local.decode()}> in namespace {namespace!r} is neither an NF-e (or an NF-e event) "
            "nor a UBL 2.1 Invoice or CreditNote",
            code="unknown_xml",
        )
    return found
