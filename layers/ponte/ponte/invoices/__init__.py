"""Invoice files (CSV, JSON, NF-e XML, UBL 2.1 XML) read into domain invoices, one parser per format.

Every parser is `parse(stream, *, options) -> Iterator[ParsedInvoice | Rejection]`: a bad row or document is a
`Rejection` and the rest is still read; a file that cannot be read at all raises `FileRejected`. That can happen
after some results were yielded (e.g. a CSV that stops being valid text halfway), so a caller collects the whole
result before writing anything.

What `parse_upload` yields carries no text a spreadsheet would run as a formula (`ponte.invoices.formulas`), and,
given the day the file was received, no invoice dated implausibly far from it (`ponte.invoices.results.plausible`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from ponte.domain.invoices import SourceFormat
from ponte.invoices import csv_format, json_format, nfe, ubl
from ponte.invoices.detect import HEAD_SIZE, detect_format
from ponte.invoices.formulas import disarmed
from ponte.invoices.options import CsvField, ParseOptions
from ponte.invoices.results import (
    FileRejected,
    ParsedInvoice,
    ParseResult,
    Rejection,
    SettledInstallment,
    SettledInvoice,
    due_after_issue,
    plausible,
    within_total,
)
from ponte.invoices.streams import read_head, replay

__all__ = [
    "CsvField",
    "FileRejected",
    "ParseOptions",
    "ParseResult",
    "ParsedInvoice",
    "Rejection",
    "SettledInstallment",
    "SettledInvoice",
    "detect_format",
    "parse_upload",
]

type Parser = Callable[..., Iterator[ParseResult]]

PARSERS: dict[SourceFormat, Parser] = {
    SourceFormat.CSV: csv_format.parse,
    SourceFormat.JSON: json_format.parse,
    SourceFormat.NFE: nfe.parse,
    SourceFormat.UBL: ubl.parse,
}


def parse_upload(name: str, stream: BinaryIO, options: ParseOptions) -> Iterator[ParseResult]:
    """Detect the format of the object `name` from its key and first bytes, then parse it."""
    head = read_head(stream, HEAD_SIZE)
    source = detect_format(name, head)
    parsed = map(disarmed, PARSERS[source](replay(head, stream), options=options))
    results = map(within_total, map(due_after_issue, parsed))
    received_on = options.received_on
    return results if received_on is None else (plausible(result, received_on) for result in results)
