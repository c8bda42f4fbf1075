"""Invoice files for the upload tests and benchmarks: made here, never taken from third-party fixtures."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator

HEADER = "Número;Parcela;Cliente;CNPJ/CPF;E-mail;Valor;Vencimento;Emissão"


def row(
    number: str | int,
    *,
    customer: str = "Padaria Boa Vista",
    tax_id: str = "12.345.678/0001-95",
    email: str = "financeiro@boavista.example",
    amount: str = "100,00",
    due: str = "10/12/2026",
    installment: str = "1",
    issued: str = "01/11/2026",
) -> str:
    return f"{number};{installment};{customer};{tax_id};{email};{amount};{due};{issued}"


def csv_file(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def many_rows(count: int, customers: int = 10) -> Iterator[str]:
    """`count` one-installment invoices spread over `customers` customers (distinct tax ids)."""
    for number in range(1, count + 1):
        customer = number % customers
        yield row(
            number,
            customer=f"Cliente {customer}",
            tax_id=f"{10_000_000_000_000 + customer:014d}",
            email=f"financeiro{customer}@cliente.example",
            amount=f"{100 + number % 900},{number % 100:02d}",
        )


def json_invoice(number: str, *, total: str, due: str, tax_id: str, name: str, email: str, issued: str) -> bytes:
    return json.dumps(
        {
            "number": number,
            "issue_date": issued,
            "total": total,
            "due_date": due,
            "customer": {"name": name, "tax_id": tax_id, "email": email},
        }
    ).encode()


def excel_unicode_text(rows: list[list[str]], *, big_endian: bool = False) -> bytes:
    """What Excel's "Save as Unicode text" writes: a byte order mark, UTF-16, tabs between cells, CRLF after each
    row, and a cell holding a tab, a quote or a line break in quotes (its quotes doubled)."""

    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in '\t"\n') else value

    text = "".join("\t".join(cell(value) for value in row) + "\r\n" for row in rows)
    if big_endian:
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
