"""Untrusted XML, parsed only through defusedxml: no DTD, no entities, no external references."""

from __future__ import annotations

import codecs
import re
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring

from ponte.invoices.results import FileRejected


def parse_xml(stream: BinaryIO) -> Element:
    """The document's root. Invoices are small and the caller caps the object size, so reading it whole is fine.

    The bytes go to the parser undecoded, so the encoding declared in the XML prolog (ISO-8859-1 included) applies,
    unless the document is UTF-8 under a Latin-1 label (`_utf8_relabelled`).
    """
    data = stream.read()
    if not data.strip():
        raise FileRejected("the file is empty", code="empty")
    try:
        root: Element = fromstring(_utf8_relabelled(data), forbid_dtd=True)
    except DTDForbidden as exc:
        raise FileRejected(
            "XML with a document type declaration (DOCTYPE) is refused: it can define entities that expand "
            "without bound or read other files",
            code="xml_doctype",
        ) from exc
    except EntitiesForbidden as exc:
        raise FileRejected(
            "XML that declares entities is refused (entity expansion attack)", code="xml_entities"
        ) from exc
    except ExternalReferenceForbidden as exc:
        raise FileRejected("XML that refers to external resources is refused", code="xml_external") from exc
    except ParseError as exc:
        raise FileRejected(f"not well-formed XML: {exc}", code="xml_malformed", line=exc.position[0]) from exc
    except (LookupError, ValueError) as exc:
        # The prolog names an encoding Python has no codec for (`ANSI`, `UTF-8-BOM`, `UCS-2`, as Windows tools
        # write them), one the parser cannot take (UTF-32, Shift_JIS), or one that is not text at all (`rot13`).
        raise FileRejected(
            f"the XML declares an encoding it cannot be read in ({type(exc).__name__})", code="xml_encoding"
        ) from exc
    return root


# The prolog's encoding, when it comes first in the file (after a byte order mark or blank space).
_DECLARED = re.compile(rb"""\A(?:\xef\xbb\xbf)?\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
# The single-byte labels a UTF-8 document is found under: an ERP's template or a database's export writing the
# prolog by hand ("ISO-8859-1") around text it takes from elsewhere in UTF-8, as SEFAZ requires of an NF-e.
_LATIN = frozenset({"iso8859-1", "iso8859-15", "cp1252"})  # codecs' names


def _utf8_relabelled(data: bytes) -> bytes:
    """`data`, declared UTF-8 when its prolog says a Latin-1 encoding and its bytes beyond ASCII are all valid UTF-8
    (text truly in Latin-1 is not: an accented letter there is one byte, where UTF-8 wants a lead and a trail byte).
    Read as declared, each accented letter of a name would be stored as two ("InformÃ¡tica")."""
    declared = _DECLARED.match(data[:1024])
    if declared is None or data.isascii():
        return data
    try:
        label = codecs.lookup(declared.group(1).decode()).name  # "ISO_8859-1", "latin_1", "l1" → "iso8859-1"
    except LookupError:
        return data  # the parser says what it makes of a label no codec knows
    if label not in _LATIN:
        return data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data  # Latin-1 indeed
    start, end = declared.span(1)
    return data[:start] + b"UTF-8" + data[end:]


def text(parent: Element, path: str, namespaces: dict[str, str] | None = None) -> str | None:
    """The stripped text at `path`, or None when the element is absent or empty."""
    found = parent.find(path, namespaces)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None
