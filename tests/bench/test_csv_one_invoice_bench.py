"""Reading a CSV whose rows are all one invoice (a number column of "S/N" or "0", as some exports write it) beside
the same number of rows, each its own invoice, read in the same run. Each row used to be compared with every earlier
row of its invoice (8,000 rows: minutes, past the function's time); it is looked up. Prints figures; never fails on
time. Run with `make bench`."""

from __future__ import annotations

import io
import time

from ponte.invoices import ParsedInvoice, ParseOptions, Rejection, parse_upload
from ponte.invoices.results import ParseResult
from tests.upload_support import csv_file, row


def _seconds(data: bytes) -> tuple[float, list[ParseResult]]:
    started = time.perf_counter()
    results = list(parse_upload("incoming/export.csv", io.BytesIO(data), ParseOptions()))
    return time.perf_counter() - started, results


def test_rows_of_one_invoice_read_as_fast_as_rows_of_many() -> None:
    print("\nCSV check step: rows of one invoice number (installments 1..n) beside n one-row invoices (baseline)")
    for rows in (2_000, 8_000):
        one = csv_file(*(row("S/N", installment=str(n), amount="10,00") for n in range(1, rows + 1)))
        many = csv_file(*(row(n, amount="10,00") for n in range(1, rows + 1)))
        (one_s, one_read), (many_s, many_read) = _seconds(one), _seconds(many)
        print(
            f"  {rows:>6,} rows: one invoice {one_s:6.2f} s, {rows:,} invoices {many_s:6.2f} s (baseline): "
            f"{one_s / many_s:.2f}x"
        )
        # More installments than an invoice takes (120): the one invoice is refused whole, with its reason
        assert [r.problem.code for r in one_read if isinstance(r, Rejection)] == ["too_many"]
        assert sum(isinstance(r, ParsedInvoice) for r in many_read) == rows
