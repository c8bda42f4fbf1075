"""Untrusted XML, parsed only through defusedxml: no DTD, no entities, no external references."""

from __future__ import annotations

from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring

from ponte.invoices.results import FileRejected


def parse_xml(stream: BinaryIO) -> Element:
    """The document's root. Invoices are small and the caller caps the object size, so reading it whole is fine.

    The bytes go to the parser undecoded, so the encoding declared in the XML prolog (ISO-8859-1 included) applies.
    """
    data = stream.read()
    if not data.strip():
        raise FileRejected("the file is empty", code="empty")
    try:
        root: Element = fromstring(data, forbid_dtd=True)
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


def text(parent: Element, path: str, namespaces: dict[str, str] | None = None) -> str | None:
    """The stripped text at `path`, or None when the element is absent or empty."""
    found = parent.find(path, namespaces)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None
