"""What a parser yields per invoice or bad item, and the error for a file that cannot be read at all."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from ponte.domain.errors import InvalidInput
from ponte.domain.invoices import Invoice


@dataclass(frozen=True, slots=True)
class ParsedInvoice:
    """An invoice read from the file. `line` is where it starts: the physical CSV line, the position of the
    item in a JSON list (from 1), or 1 for an XML document."""

    line: int
    invoice: Invoice


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row, item or document that was not read, and why; the rest of the file is still read."""

    line: int
    reason: str


type ParseResult = ParsedInvoice | Rejection


class FileRejected(InvalidInput):
    """The whole file is unusable: empty, no recognisable header, malformed or unsafe XML, unknown format."""


def reason_from(error: ValidationError | InvalidInput) -> str:
    """A short, human reason from a validation error: `field: message; field: message`."""
    if isinstance(error, InvalidInput):
        return str(error)
    parts = []
    for issue in error.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in issue["loc"])
        message = issue["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)
