"""CSV receivables as ERPs and spreadsheets export them.

Layout: one header line (after any title lines a report puts above it: `_header_line`), then one row per
installment. Rows that share an invoice number (and series) are the
installments of one invoice wherever they are in the file: a receivables export sorted by due date lists the
first installments of every invoice before any second one. The rows are read once into a temporary SQLite database
on disk (`_Spool`) and handed out invoice by invoice, in the order of each invoice's first line, so a file of any
length is read in flat memory. Files with one row per invoice *line item* (as Xero exports) are not this layout:
their repeated numbers are refused as repeated installments.

Columns are found by header name, compared without case, accents, spaces or punctuation, so `Número`, `NUMERO`
and `numero` are one name. `DEFAULT_COLUMNS` lists the Portuguese, Spanish and English names accepted; a business
adds its own with `ParseOptions.csv_columns`. Required: number, amount, due date, and at least one of customer
name, tax id or customer reference. Optional: series, installment, e-mail, issue date, currency, and:
- phone (`telefone`, `fone`, `phone`, `teléfono`) and mobile (`celular`, `mobile`, `móvil`): kept in E.164, a number
  without its country code read as one of `ParseOptions.default_country`; the mobile is preferred (it takes SMS);
- language (`idioma`, `língua`, `language`, `locale`): pt-BR, es or en, as a tag (`pt`, `es-AR`) or a name
  (`Português`, `Español`, `English`);
- owner (`responsável`, `vendedor`, `gerente`, `owner`, `account manager`): who answers for the invoice;
- payment link (`link de pagamento`, `payment link`, `enlace de pago`): an https address, else the row is refused;
- boleto (`nosso número`, `linha digitável`, `boleto`): kept as digits, separators removed;
- NF-e access key (`chave de acesso`, `chave nfe`, `access key`): 44 digits with a valid check digit.
- status (`situação`, `status`): a row the export says was paid or cancelled is not recorded (`_settled`); the rest
  of its invoice is what is still owed (`ParsedInvoice.settled`). Without a status column, so is a row with a day in
  its settled-on (`data liquidação`, `data quitação`, `data baixa`, `settled date`) or cancelled-on column
  (`_settled_on`), unless the day is after the file arrived.
- amount paid (`valor recebido`, `valor pago`, `amount paid`, `paid`): a row paid in full is not recorded, one
  paid in part owes the rest (`_owed`).
The rows of one invoice must agree on customer, issue date, currency, owner and access key; a phone or language
left blank on some of them is taken from the others. A phone, language or e-mail that cannot be read never refuses
the invoice: it is left out, and the invoice carries a warning saying why. A boleto or payment
link is one per invoice: when its installments name different ones (a boleto per parcela), none is recorded and
the invoice carries a warning saying so. A customer with a name only (no tax id or reference) is read, with a
warning.

The text is UTF-8 or Windows-1252, decided line by line, or UTF-16 with a byte order mark (Excel's "Unicode text",
tab-separated): see `ponte.invoices.streams.TextLines`; an invoice with a line in the other of the first two
encodings carries a warning naming the line. The separator is `;`, `,` or a tab, whichever the header line has
most of (an Excel `sep=;` first line wins).
Amounts follow `ponte.invoices.values.parse_amount`, with the decimal mark the file's amounts show (`_DecimalMarks`)
and the currency the amount column's header names (`Valor (US$)`); an amount with a comma in a comma-separated file
must be quoted, or the row has too many cells, or its centavos in the next cell (`_split_amount`), and is refused.
Dates are yyyy-mm-dd, yyyymmdd or dd/mm/yyyy (mm/dd/yyyy with `date_order="mdy"`, or when the file proves that order:
`_DateOrder`). Negative or zero amounts are refused: this layout carries receivables, not credit notes.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, BinaryIO

from pydantic import ValidationError

from ponte.domain.errors import InvalidInput
from ponte.domain.invoices import (
    Installment,
    Invoice,
    InvoiceKind,
    Party,
    SourceFormat,
    erp_invoice_key,
    invoice_key,
    number_identity,
)
from ponte.domain.money import Money, minor_unit_exponent
from ponte.invoices.options import CsvField, ParseOptions
from ponte.invoices.results import (
    FileRejected,
    ParsedInvoice,
    ParseResult,
    Problem,
    Rejection,
    RowRefused,
    SettledInstallment,
    SettledInvoice,
    dated_plausibly,
    problem,
    problem_from,
)
from ponte.invoices.streams import TextLines
from ponte.invoices.values import (
    bank_slip_digits,
    customer_party,
    https_url,
    known_currency,
    nfe_access_key,
    parse_amount,
    parse_date,
    slashed_date,
)

if TYPE_CHECKING:
    import _csv

    from ponte.domain.uploads import RowCode


def _names(*names: str) -> frozenset[str]:
    return frozenset(_normalise(name) for name in names)


# What a header adds about the unit or the format of its cells: `Valor (R$)`, `Valor R$`, `Vencimento (dd/mm/aaaa)`.
_ANNOTATION = re.compile(r"\([^)]*\)|\[[^\]]*\]|(?:R|US)?\$")


def _normalise(header: str) -> str:
    decomposed = unicodedata.normalize("NFKD", _ANNOTATION.sub("", header).casefold() or header.casefold())
    return "".join(c for c in decomposed if c.isalnum())


DEFAULT_COLUMNS: dict[CsvField, frozenset[str]] = {
    CsvField.NUMBER: _names(
        "numero",
        "número",
        "nro",
        "nº",
        "num",
        "numero documento",
        "número do documento",
        "nº documento",
        "nº do documento",
        "nº doc",
        "nº nota",
        "nº da nota",
        "nº nf",
        "número nf",
        "nº fatura",
        "numero nota",
        "numero fatura",
        "fatura",
        "nota fiscal",
        "factura",
        "numero factura",
        "número de factura",
        "folio",
        "invoice",
        "invoice number",
        "invoice no",
        "invoice #",
        "document number",
    ),
    CsvField.SERIES: _names("serie", "série", "series"),
    CsvField.INSTALLMENT: _names(
        "parcela",
        "parcela documento",  # PAR_DOCUMENTO
        "nº parcela",
        "numero parcela",
        "número da parcela",
        "cuota",
        "numero cuota",
        "installment",
        "installment number",
    ),
    CsvField.CUSTOMER_NAME: _names(
        "cliente",
        "nome",
        "nome cliente",
        "nome do cliente",
        "razao social",
        "razão social",
        "sacado",
        "cliente/fornecedor",
        "nombre",
        "nombre cliente",
        "razón social",
        "customer",
        "customer name",
        "client",
        "contact name",
        "name",
    ),
    CsvField.TAX_ID: _names(
        "cnpj",
        "cpf",
        "cnpj/cpf",
        "cpf/cnpj",
        "cnpj/cpf cliente",
        "cnpj/cpf cliente/fornecedor",
        "documento",
        "doc",
        "nif",
        "rfc",
        "ruc",
        "cuit",
        "rut",
        "nit",
        "tax id",
        "vat",
        "vat number",
        "tax number",
    ),
    CsvField.EMAIL: _names("email", "e-mail", "correo", "correo electrónico", "email address"),
    CsvField.PHONE: _names("telefone", "fone", "tel", "phone", "phone number", "teléfono"),
    CsvField.MOBILE: _names("celular", "telefone celular", "mobile", "mobile phone", "cell phone", "móvil"),
    CsvField.LOCALE: _names("idioma", "língua", "lingua", "language", "locale"),
    CsvField.CUSTOMER_REFERENCE: _names(
        "codigo cliente",
        "código do cliente",
        "cod cliente",
        "id cliente",
        "código cliente",
        "customer id",
        "customer reference",
        "account id",
        # Not "conta", "cuenta", "account": in exports they name the bank account a receivable is paid into or the
        # ledger's ("Accounts Receivable"), the same on every row, and every customer would be one account.
    ),
    CsvField.AMOUNT: _names(
        "valor",
        "valor parcela",
        "valor da parcela",
        "valor documento",
        "valor do documento",
        "valor total",
        "importe",
        "monto",
        "total",
        "amount",
        "amount due",
        "invoice amount",
    ),
    CsvField.DUE_DATE: _names(
        "vencimento",
        "data vencimento",
        "data de vencimento",
        "vencimiento",
        "fecha vencimiento",
        "fecha de vencimiento",
        "due date",
        "due",
    ),
    CsvField.ISSUE_DATE: _names(
        "emissao",
        "emissão",
        "data emissao",
        "data de emissão",
        "emision",
        "emisión",
        "fecha emision",
        "fecha de emisión",
        "issue date",
        "invoice date",
        "date",
    ),
    CsvField.CURRENCY: _names("moeda", "moneda", "divisa", "currency", "currency code"),
    CsvField.OWNER: _names("responsável", "responsavel", "vendedor", "gerente", "owner", "account manager"),
    # Not "estado": in Portuguese, the customer's state (UF) in an address.
    CsvField.STATUS: _names("situação", "situacao", "situación", "status", "status do título", "situação do título"),
    # Settled, not paid: a "data de pagamento" or "payment date" may be the day a payment is scheduled, or the day
    # of a part of it; liquidação, quitação and baixa are the whole installment's settlement.
    CsvField.SETTLED_ON: _names(
        "data liquidação",
        "data de liquidação",
        "data da liquidação",
        "data quitação",
        "data de quitação",
        "data da quitação",
        "data baixa",
        "data da baixa",
        "liquidado em",
        "quitado em",
        "settled date",
        "date settled",
        "settlement date",
        "settled on",
        "fecha de liquidación",
    ),
    CsvField.CANCELLED_ON: _names(
        "data cancelamento",
        "data de cancelamento",
        "data cancel",  # DAT_CANCEL
        "cancelado em",
        "fecha de cancelación",
        "cancelled on",
        "cancellation date",
    ),
    # Paid, not received in part or balance: a running "saldo" may be the customer's, not the installment's.
    CsvField.AMOUNT_PAID: _names(
        "valor recebido",
        "valor pago",
        "total recebido",
        "total pago",
        "importe pagado",
        "monto pagado",
        "amount paid",
        "paid amount",
        "total paid",
        "paid",
    ),
    CsvField.PAYMENT_URL: _names("link de pagamento", "payment link", "payment_url", "enlace de pago"),
    CsvField.BANK_SLIP: _names("nosso número", "nosso numero", "linha digitável", "linha digitavel", "boleto"),
    CsvField.ACCESS_KEY: _names("chave", "chave de acesso", "chave nfe", "access key"),
}
# Names read only when no column has one of the field's own: the trade name (`nome fantasia`) is the customer's
# when no column gives its company name (`razão social`); an "invoice id" is the number when none is named so (Zoho
# exports both, the id being its database's).
FALLBACK_COLUMNS: dict[CsvField, frozenset[str]] = {
    CsvField.CUSTOMER_NAME: _names("nome fantasia", "fantasia", "nombre comercial", "nombre de fantasía"),
    CsvField.NUMBER: _names("invoice id", "invoice_id"),
}
# The abbreviations ERPs' column names begin with (`DAT_VENCIMENTO`, `VLR_DOCUMENTO`, `NUM_DOCUMENTO`): a name
# that begins with one is also read as the words it stands for.
_ABBREVIATIONS = {
    "dt": "data",
    "dat": "data",
    "dta": "data",
    "vl": "valor",
    "vlr": "valor",
    "num": "numero",
    "nr": "numero",
    "nro": "numero",
    "par": "parcela",
    "parc": "parcela",
    "cod": "codigo",
}
_WORD_BREAKS = re.compile(r"[^\w]+|_+")


def _spelled_out(header: str) -> str:
    """`DAT_VENCIMENTO` as `data vencimento`: a name whose first word is an ERP's abbreviation, that word spelled
    out; any other name as it is."""
    words = [word for word in _WORD_BREAKS.split(_ANNOTATION.sub("", header).strip().casefold()) if word]
    if len(words) > 1 and words[0] in _ABBREVIATIONS:
        return " ".join([_ABBREVIATIONS[words[0]], *words[1:]])
    return header


_CUSTOMER_FIELDS = (CsvField.CUSTOMER_NAME, CsvField.TAX_ID, CsvField.CUSTOMER_REFERENCE)
_REQUIRED = (CsvField.NUMBER, CsvField.AMOUNT, CsvField.DUE_DATE)
_MISSING = {
    CsvField.AMOUNT: "missing amount",
    CsvField.DUE_DATE: "missing due date",
}  # each field's refusal when the row leaves it blank


def parse(stream: BinaryIO, *, options: ParseOptions) -> Iterator[ParseResult]:
    text = TextLines(stream)
    first_line, separator, skipped = _header_line(text, options)
    reader = csv.reader(itertools.chain([first_line], text), delimiter=separator)
    header = _row_at(reader, skipped + 1) or []  # the first line has a separator: there is a header
    columns = _columns(header, options)
    if CsvField.CURRENCY not in columns and (named := _header_currency(header[columns[CsvField.AMOUNT]])):
        options = options.model_copy(update={"default_currency": named})  # "Valor (US$)": the file's currency
    marks = _DecimalMarks(columns[CsvField.AMOUNT])
    cents = _says_cents(header[columns[CsvField.AMOUNT]])  # "Valor (centavos)"
    dates = _DateOrder(columns)
    dates.see_header(skipped + 1, header)
    ends = _RowEnds(len(header), columns[CsvField.AMOUNT])
    flags = _Flags(columns.get(CsvField.AMOUNT_PAID))
    with _Spool(columns) as spool:
        for line, cells, notes in _lines(text, reader, skipped, separator, len(header)):
            marks.see(line, cells)
            dates.see(line, cells)
            ends.see(cells)
            flags.see(cells)
            spool.add(line, cells, notes)
        order = dates.order(options.date_order)
        rows = _Rows(
            header=header,
            columns=columns,
            options=options if order is None else options.model_copy(update=order),
            separator=separator,
            marks=marks,
            dates=dates if order is not None or dates.doubtful(options.date_order) else None,
            ends=ends,
            cents=cents,
            paid=_paid_column(header, columns, cents=cents, flags=flags.only_flags()),
        )
        # A file that can say a row was paid or cancelled lists as owed what it does not say so of.
        says = (
            bool(columns.keys() & {CsvField.STATUS, CsvField.SETTLED_ON, CsvField.CANCELLED_ON})
            or rows.paid is not None
        )
        group = _Group(options.default_country, says=says)
        for line, cells, notes in spool.invoices():
            row = rows.read(line, cells, notes)
            if not group.takes(row):
                yield from group.close()
                group = _Group(options.default_country, says=says)
            group.add(row)
        yield from group.close()


@dataclass(frozen=True)
class _Rows:
    """How a file's rows are read: its header and columns, the options with the date order it shows, its separator,
    the decimal mark its amounts show, and (when the file's date order is not the business's) what proved it."""

    header: list[str]
    columns: dict[CsvField, int]
    options: ParseOptions
    separator: str
    marks: _DecimalMarks
    dates: _DateOrder | None
    ends: _RowEnds
    cents: bool = False  # the amount column's header says its amounts are in cents ("Valor (centavos)")
    paid: _PaidColumn | None = None  # how the amount-paid column is read; None: it is not

    def read(self, line: int, cells: list[str], notes: list[Problem]) -> _Row | _BadRow:
        row = _row(
            line,
            cells,
            len(self.header),
            self.columns,
            self.options,
            decimal_mark=self.marks.mark(),
            cents=self.header[self.columns[CsvField.AMOUNT]].strip() if self.cents else None,
            paid=self.paid,
        )
        if isinstance(row, _Row):
            decided = (self.marks.note(cells), self.dates.note(cells) if self.dates is not None else None)
            notes = [*notes, *(note for note in decided if note is not None)]
        refused = next((note for note in notes if note.code in ("unclosed_quote", "quote_took_line")), None)
        if refused is None and isinstance(row, _Row) and self.separator == ",":
            refused = _split_amount(cells, self.header, self.columns, self.ends.extra())
        if refused is not None:  # several rows' cells, a row read inside them, an amount in two
            return _BadRow(line=line, number=row.number, series=row.series, problem=refused)
        return replace(row, notes=(*row.notes, *notes)) if isinstance(row, _Row) and notes else row


@dataclass(frozen=True, slots=True)
class _PaidColumn:
    """How a file's amount-paid cells are read: in cents (the header that says so, its own or the amount's), or as
    flags (every cell of it 0 or 1: paid or not)."""

    cents: str | None
    flags: bool


# An amount column named so may be what is left to pay already: an amount paid beside it is not taken from it again.
_BALANCE_AMOUNTS = _names("amount due")


def _paid_column(header: list[str], columns: dict[CsvField, int], *, cents: bool, flags: bool) -> _PaidColumn | None:
    index = columns.get(CsvField.AMOUNT_PAID)
    amount = header[columns[CsvField.AMOUNT]]
    if index is None or _normalise(amount) in _BALANCE_AMOUNTS:
        return None
    said = header[index].strip() if _says_cents(header[index]) else None
    # A paid column with no note of its own, beside amounts in cents, is in cents too: a file writes money one way.
    in_cents = said or (amount.strip() if cents and not _NOTE.search(header[index]) else None)
    return _PaidColumn(cents=in_cents, flags=flags)


class _Flags:
    """Whether every filled cell of a column (the amount paid) is 0 or 1, with a 1 among them: a yes-or-no column."""

    def __init__(self, index: int | None) -> None:
        self._index = index
        self._flags = True
        self._one = False

    def see(self, cells: list[str]) -> None:
        if self._index is None or not self._flags or self._index >= len(cells):
            return
        cell = cells[self._index].strip()
        if cell and cell not in ("0", "1"):
            self._flags = False
        self._one = self._one or cell == "1"

    def only_flags(self) -> bool:
        return self._index is not None and self._flags and self._one


type _Line = tuple[int, list[str], list[Problem]]  # where the row starts, its cells, how its lines were decoded


def _row_at(reader: _csv.Reader, line: int) -> list[str] | None:
    """The cells of the row that starts at `line` (the header's too: a stray quote can make any row run on, past the
    cell size csv takes); None after the last."""
    try:
        return next(reader, None)
    except UnicodeDecodeError as exc:
        raise FileRejected(
            f"line {line}: not in the file's text encoding ({exc.reason})", code="csv_encoding", line=line
        ) from exc
    except csv.Error as exc:
        raise FileRejected(f"line {line}: {exc}", code="csv_malformed", line=line) from exc


def _lines(text: TextLines, reader: _csv.Reader, skipped: int, separator: str, width: int) -> Iterator[_Line]:
    """The data rows in file order, blank ones left out. A row whose open quote took the lines after it (`_taken`)
    comes with a note saying so, and so does each line it took, read on its own: its invoice is refused, with any
    other rows of it, rather than recorded short."""
    previous_end = skipped + 1
    while True:
        cells = _row_at(reader, previous_end + 1)
        if cells is None:
            return
        line, previous_end = previous_end + 1, skipped + reader.line_num
        notes = text.foreign(line, previous_end)
        taken = _taken(cells, separator, width) if previous_end > line else []
        if taken:
            said = f"a quote opened on line {line} is not closed: lines {line} to {previous_end} were read as one row"
            notes.append(problem("unclosed_quote", said, line=line, last=previous_end))
        if any(cell.strip() for cell in cells):
            yield line, cells, notes
        for offset, row in taken:
            said = f"line {line + offset} was read inside the quote opened on line {line}: not recorded"
            yield line + offset, row, [problem("quote_took_line", said, other=line)]


def _taken(cells: list[str], separator: str, width: int) -> list[tuple[int, list[str]]]:
    """The lines a quote left open took into a cell, each as the row it was (its offset from the row's first line,
    its cells); none for a cell that spans lines as a spreadsheet writes one (an address with its line breaks).

    A quote left open runs on until the next quote in the file, the opening one of a later cell, which then ends
    the cell: it ends in that quote (`…\n4;Bar"`). At the end of the file nothing ends it: it holds whole rows, a
    line with as many separators as the header has columns but one."""
    offset = 0
    for cell in cells:
        segments = cell.splitlines()
        if len(segments) > 1 and (
            cell.rstrip().endswith('"') or any(part.count(separator) >= width - 1 > 0 for part in segments[1:])
        ):
            rows = [(offset + n, _cells(part.rstrip('"'), separator)) for n, part in enumerate(segments[1:], start=1)]
            return [(n, row) for n, row in rows if any(cell.strip() for cell in row)]
        offset += max(len(segments) - 1, 0)  # an empty cell has no lines at all
    return []


_WHOLE = re.compile(r"^\s*(?:R\$\s*)?\d{1,3}(?:\.\d{3})*\s*$|^\s*(?:R\$\s*)?\d+\s*$")  # "1234", "1.234", "R$ 150"


def _split_like(cells: list[str], index: int) -> bool:
    """Whether a row's amount could be one written with a decimal comma and split in two (`1234` and `56`)."""
    return (
        index + 1 < len(cells) and bool(_WHOLE.match(cells[index])) and bool(re.fullmatch(r"\d{2}", cells[index + 1]))
    )


class _RowEnds:
    """Whether a file's rows end with a separator its header does not (an export that closes every row with one):
    told from the rows whose amount could not have been split, most of which then hold one more cell, empty."""

    def __init__(self, width: int, amount: int) -> None:
        self._width, self._amount = width, amount
        self._rows = self._closed = 0

    def see(self, cells: list[str]) -> None:
        if not _split_like(cells, self._amount):
            self._rows += 1
            self._closed += len(cells) == self._width + 1 and not cells[-1].strip()

    def extra(self) -> int:
        return 1 if self._closed * 2 > self._rows else 0


def _split_amount(cells: list[str], header: list[str], columns: dict[CsvField, int], extra: int) -> Problem | None:
    """In a comma-separated file, an amount written with a decimal comma and not quoted is two cells ("1234,56" as
    1234 and 56): the centavos go to the next column, and the amount is read whole. Told when the amount has no
    decimals, the next cell is two digits, and that cell is one the header does not have (the row is a cell longer
    than the header and the file's other rows, whose `extra` empty cell at the end is how the file ends its rows,
    or the header names no column there): a row whose next column is its own ("Valor,Prazo" with 150,30) is read as
    written."""
    index = columns[CsvField.AMOUNT]
    if not _split_like(cells, index):
        return None
    if len(cells) <= len(header) + extra and (index + 1 >= len(header) or header[index + 1].strip()):
        return None
    written = f"{cells[index].strip()},{cells[index + 1]}"
    said = f"amount {written!r} was split by the comma separator: quote amounts that contain a comma"
    return problem("amount_split", said, value=written)


class _DateOrder:
    """The order a file writes its slashed dates in, where its dates prove it (31/12/2026 is day first, 12/31/2026
    month first) or a date column's header says it (`Vencimento (mm/dd/aaaa)`). A file that proves only the order
    the business did not set, in at least two rows and a fifth of its dated rows (one date typed wrong proves
    nothing), or whose header says it, is read in its own, each date either order could read with a warning saying
    so. Otherwise it is read in the business's, and a date that order cannot read is refused."""

    _SHARE = 5  # the proof must be in a fifth of the dated rows at least

    def __init__(self, columns: dict[CsvField, int]) -> None:
        dated = (CsvField.DUE_DATE, CsvField.ISSUE_DATE, CsvField.SETTLED_ON, CsvField.CANCELLED_ON)
        self._columns = [columns[f] for f in dated if f in columns]
        self._proof: dict[str, tuple[str, int]] = {}  # per order, the first date that proves it, and its line
        self._proving: dict[str, int] = {}  # per order, the rows that prove it
        self._dated = 0  # rows with a slashed date
        self._declared = ""  # the order a header says
        self._order = ""  # the file's own order, once `order` found it is not the business's
        self._doubt = ""  # the order a few dates prove, not enough to read the file in it

    def see_header(self, line: int, header: list[str]) -> None:
        for index in self._columns:
            said = _ORDER_SAID.search(header[index])
            if said is not None and not self._declared:
                self._declared = "mdy" if said[0][0].lower() == "m" else "dmy"
                self._proof[self._declared] = (header[index].strip(), line)

    def see(self, line: int, cells: list[str]) -> None:
        proven = set()
        dated = False
        for written, (first, second) in self._slashed(cells):
            dated = True
            if (order := "dmy" if first > 12 >= second else "mdy" if second > 12 >= first else None) is not None:
                proven.add(order)
                self._proof.setdefault(order, (written, line))
        self._dated += dated
        for order in proven:
            self._proving[order] = self._proving.get(order, 0) + 1

    def order(self, configured: str) -> dict[str, str] | None:
        """The options to read the file with, when it is not the order configured."""
        if self._declared:
            found = self._declared
        elif len(self._proving) == 1:
            ((found, rows),) = self._proving.items()
            if rows < 2 or rows * self._SHARE < self._dated:
                return None
        else:
            return None
        if found == configured:
            return None
        self._order = found
        return {"date_order": found}

    def doubtful(self, configured: str) -> bool:
        """Whether some of the file's dates prove the order the business did not set, too few to read the file in
        it: each date either order could read is then read in the business's, with a warning naming the proof."""
        if len(self._proving) != 1 or configured in self._proving:
            return False
        self._doubt, self._order = next(iter(self._proving)), configured
        return True

    def note(self, cells: list[str]) -> Problem | None:
        """What the report says of a row with a date either order could read: read in the file's order, or, in
        doubt, in the business's while some dates prove the other."""
        for written, (first, second) in self._slashed(cells):
            if first <= 12 and second <= 12 and first != second:
                read = parse_date(written, "mdy" if self._order == "mdy" else "dmy").isoformat()
                if self._doubt:
                    example, line = self._proof[self._doubt]
                    said = (
                        f"date {written!r} read as {read}, though {example!r} on line {line} reads only the other way"
                    )
                    return problem("date_order_doubt", said, value=written, day=read, example=example, line=line)
                example, line = self._proof[self._order]
                said = f"date {written!r} read as {read}, as {example!r} on line {line} shows"
                return problem(
                    "date_order", said, value=written, day=read, order=self._order, example=example, line=line
                )
        return None

    def _slashed(self, cells: list[str]) -> Iterator[tuple[str, tuple[int, int]]]:
        for index in self._columns:
            written = cells[index].strip() if index < len(cells) else ""
            if (parts := slashed_date(written)) is not None:
                yield written, parts


_SPACES_IN_NUMBER = re.compile(r"[\s\u00a0\u202f]")
_ORDER_SAID = re.compile(r"\b(?:mm[/.-]dd|dd[/.-]mm)\b", re.IGNORECASE)
# A currency the amount column's header names, unambiguously ("Valor (US$)", "Valor €", "Amount (USD)", "Amount (USD
# cents)": a note that is a code of three capitals, alone or before its cents).
_HEADER_CURRENCY = re.compile(r"(R\$|US\$|€|£)|[(\[]\s*([A-Z]{3})(?:\s+(?:cents?|centavos?))?\s*[)\]]")


# A note in the amount column's header that says its amounts are in cents: "Valor (centavos)", "Valor (R$, em
# centavos)", "Valor (centavos de real)", "Amount (USD cents)". Read as reais, every amount would be a hundred times
# what is owed. Only a note of a word for cents and words that name the currency or join them says so: one that
# says anything else of them ("sem centavos", "no cents", "reais e centavos", "s/ centavos") is no unit.
_NOTE = re.compile(r"[(\[]([^)\]]*)[)\]]")
_CENTS_WORDS = frozenset({"centavo", "centavos", "cent", "cents", "centimo", "centimos"})
_CURRENCY_WORDS = frozenset(
    "em in en de of do da the r us brl usd eur real reais dolar dolares dollar dollars euro euros peso pesos".split()
)
_WHOLE_CENTS = re.compile(r"-?(?:\d+|\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+)")


def _says_cents(header: str) -> bool:
    for note in _NOTE.findall(header):
        plain = unicodedata.normalize("NFKD", note.casefold())
        words = set(re.findall(r"[a-z]+", "".join(c for c in plain if not unicodedata.combining(c))))
        if "/" in note or "&" in note:  # "reais/centavos", "s/ centavos", "dollars & cents"
            continue
        if words & _CENTS_WORDS and words <= _CENTS_WORDS | _CURRENCY_WORDS:
            return True
    return False


def _in_cents(written: str, currency: str, column: str) -> Money:
    """An amount of a column whose header says it is in cents: a whole number of hundredths (its thousands grouped
    or not), within the amounts Ponte takes, in a currency of hundredths."""
    digits = _SPACES_IN_NUMBER.sub("", written)
    if minor_unit_exponent(currency) != 2:  # yen have no cents, dinars have fils: not what the header says
        reason = f"{currency} has no cents, which the header {column!r} says the amounts are in"
        raise RowRefused("cents_currency", reason, currency=currency, column=column)
    if _WHOLE_CENTS.fullmatch(digits) is None:
        reason = f"the amount {written.strip()!r} is not a whole number of cents, as the header {column!r} says"
        raise RowRefused("amount_not_cents", reason, value=written.strip(), column=column)
    return Money.from_decimal(Decimal(digits.replace(".", "").replace(",", "")).scaleb(-2), currency)


def _header_currency(name: str) -> str | None:
    found = _HEADER_CURRENCY.search(name)
    if found is None:
        return None
    try:
        return known_currency(found[1] or found[2])
    except RowRefused:  # three capitals that are no currency: a note
        return None


class _DecimalMarks:
    """The decimal mark a file's amounts show by three decimal places that no group of thousands can be: after a
    lone zero (`0,500`), after four digits or more (`1500,000`), or after the other mark grouping thousands
    (`1.234,500`), as an Excel column formatted with three decimals writes every amount. It decides an amount that
    either reading fits (`1,500`). None when the amounts show none, or both; an amount of two decimals (`10,00`)
    proves nothing of how `1.500` is meant."""

    _COMMA = re.compile(r"(?<![\d.,])0,\d{3}(?!\d)|\d{4},\d{3}(?!\d)|\d\.\d{3},\d{3}(?!\d)")
    _POINT = re.compile(r"(?<![\d.,])0\.\d{3}(?!\d)|\d{4}\.\d{3}(?!\d)|\d,\d{3}\.\d{3}(?!\d)")
    _EITHER = re.compile(r"^\s*(?:R\$\s*)?[1-9]\d{0,2}([.,])\d{3}\s*$")  # 1,500: three decimals, or thousands

    def __init__(self, column: int) -> None:
        self._column = column
        self._proof: dict[str, tuple[str, int]] = {}

    def see(self, line: int, cells: list[str]) -> None:
        if len(self._proof) < 2 and self._column < len(cells):
            amount = cells[self._column].strip()
            for mark, shown in ((",", self._COMMA), (".", self._POINT)):
                if shown.search(amount):
                    self._proof.setdefault(mark, (amount, line))

    def mark(self) -> str | None:
        return next(iter(self._proof)) if len(self._proof) == 1 else None

    def note(self, cells: list[str]) -> Problem | None:
        """What the report says of an amount either reading fits, read with the file's decimal mark."""
        mark = self.mark()
        amount = cells[self._column].strip() if self._column < len(cells) else ""
        if mark is None or (either := self._EITHER.match(amount)) is None or either[1] != mark:
            return None
        example, line = self._proof[mark]
        said = f"amount {amount!r} read with three decimal places, as {example!r} on line {line} shows"
        return problem("decimal_mark", said, value=amount, example=example, line=line)


def _cells(line: str, separator: str) -> list[str]:
    return next(csv.reader([line], delimiter=separator), [])


class _Spool:
    """The rows of a file, regrouped invoice by invoice: the rows of each invoice (number and series) together, in
    line order, the invoices in the order of their first line; a row without a number is an invoice of its own.

    Kept in a private temporary SQLite database, which lives on disk beyond a small page cache, so that memory
    stays flat whatever the file's length; it is deleted when closed. Rows go in by the thousand."""

    _BATCH = 2_000

    def __init__(self, columns: dict[CsvField, int]) -> None:
        self._number = columns[CsvField.NUMBER]
        self._series = columns.get(CsvField.SERIES)
        self._db = sqlite3.connect("", isolation_level=None)  # "": a temporary database, on disk, deleted on close
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute("CREATE TABLE rows (invoice TEXT NOT NULL, line INTEGER NOT NULL, row TEXT NOT NULL)")
        self._db.execute("BEGIN")
        self._pending: list[tuple[str, int, str]] = []

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *_: object) -> None:
        self._db.close()

    def add(self, line: int, cells: list[str], notes: list[Problem]) -> None:
        number = self._cell(cells, self._number)
        # Number and series apart (a unit separator between them); a row without a number, by its line alone.
        # Compared as `number_identity` compares them: `000123` and `123` are one invoice's rows.
        series = self._cell(cells, self._series)
        invoice = f"{number_identity(number)}\x1f{number_identity(series)}" if number else f"\x00{line}"
        kept = [[note.code, note.reason, dict(note.facts)] for note in notes]
        self._pending.append((invoice, line, json.dumps([cells, kept] if notes else [cells])))
        if len(self._pending) >= self._BATCH:
            self._flush()

    def invoices(self) -> Iterator[_Line]:
        self._flush()
        query = (
            "SELECT line, row FROM (SELECT line, row, MIN(line) OVER (PARTITION BY invoice) AS first FROM rows) "
            "ORDER BY first, line"
        )
        for line, data in self._db.execute(query):
            cells, *notes = json.loads(data)
            yield line, cells, [Problem(code, reason, facts) for code, reason, facts in (notes[0] if notes else ())]

    def _flush(self) -> None:
        self._db.executemany("INSERT INTO rows VALUES (?, ?, ?)", self._pending)
        self._pending.clear()

    @staticmethod
    def _cell(cells: list[str], index: int | None) -> str:
        return cells[index].strip() if index is not None and index < len(cells) else ""


_HEADER_SEARCH = 10  # the lines, blank ones aside, among which the header is looked for


def _header_line(text: TextLines, options: ParseOptions) -> tuple[str, str, int]:
    """The header line, its separator, and how many lines came before it: blank lines, an Excel `sep=;` line, and
    the title lines a report exported as CSV puts above its header (its name, its period, the program that wrote
    it: `INVOICES,,,`). The header is the first of the first `_HEADER_SEARCH` lines that names the columns Ponte
    needs. When none does, the file is refused for what the line most like a header lacks (the first of them).
    A first line with a quote left open (a header cell that spans lines) is the header, as it is; a later one ends
    the search (a row of data has begun)."""
    line, separator, skipped, said = _first_line(text)
    refusals: list[FileRejected] = []
    for _ in range(_HEADER_SEARCH):
        if separator is None:
            refusals.append(
                FileRejected(
                    "no recognisable header: the first line has no ';', ',' or tab separator", code="csv_no_separator"
                )
            )
        elif line.count('"') % 2:
            if refusals:
                break
            return line, separator, skipped
        else:
            try:
                _columns(next(csv.reader([line], delimiter=separator), []), options)
            except csv.Error:  # a line csv cannot read: refused as the header, naming its line
                if refusals:
                    break
                return line, separator, skipped
            except FileRejected as exc:
                refusals.append(exc)
            else:
                return line, separator, skipped
        following, separator, blanks, _ = _first_line(text, separator if said else None)
        if not following:
            break
        line, skipped = following, skipped + 1 + blanks
    raise min(refusals, key=_unlike_a_header)


def _unlike_a_header(refused: FileRejected) -> int:
    """How far a line was from being the header: two columns of one field are one mistake; otherwise the fields it
    lacks, every one for a line without a separator."""
    if refused.code == "csv_ambiguous_columns":
        return 0
    if refused.code == "csv_missing_columns":
        return len(refused.facts.get("columns", "").split(","))
    return len(_REQUIRED) + 2


def _first_line(text: TextLines, given: str | None = None) -> tuple[str, str | None, int, bool]:
    """The next line that is not blank, its separator (`given`, else the one it has most of; None when it has
    none), how many blank lines came before it, and whether an Excel `sep=;` line said the separator (the line is
    then the one after it)."""
    skipped = 0
    try:
        line = next(text, "")
        while line and not line.strip():  # blank lines above the header, as some exports begin
            skipped += 1
            line = next(text, "")
        if given is None and line.strip().lower().startswith("sep=") and len(line.strip()) == 5:
            return next(text, ""), line.strip()[-1], skipped + 1, True
    except UnicodeDecodeError as exc:
        raise FileRejected(
            f"line {text.line + 1}: not in the file's text encoding ({exc.reason})",
            code="csv_encoding",
            line=text.line + 1,
        ) from exc
    if given is not None:
        return line, given, skipped, True
    counts = {sep: line.count(sep) for sep in (";", ",", "\t")}
    separator = max(counts, key=lambda sep: counts[sep])
    return line, separator if counts[separator] else None, skipped, False


def _columns(header: list[str], options: ParseOptions) -> dict[CsvField, int]:
    """The column of each field the header names. A name as written comes first; then, for the fields still
    without one, a name spelled out (`DAT_VENCIMENTO`); then the fields' fallback names. Two columns of one field
    refuse the file, except two amount-paid columns, which leave it unread (as a file was read before that column
    was)."""
    overrides = {_normalise(name): field for name, field in options.csv_columns.items()}
    aliases = {
        field: frozenset(name for name, chosen in overrides.items() if chosen is field) or names - overrides.keys()
        for field, names in DEFAULT_COLUMNS.items()
    }
    written = [_normalise(cell) for cell in header]
    spelled = [_normalise(_spelled_out(cell)) for cell in header]
    fallbacks = {
        field: fallback - overrides.keys()
        for field, fallback in FALLBACK_COLUMNS.items()
        if not any(chosen is field for chosen in overrides.values())
    }
    columns: dict[CsvField, int] = {}
    for names, known in ((written, aliases), (spelled, aliases), (written, fallbacks), (spelled, fallbacks)):
        columns |= _matched(header, names, {f: n for f, n in known.items() if f not in columns}, columns)
    missing = {field.value: _words(field) for field in _REQUIRED if field not in columns}
    if not any(field in columns for field in _CUSTOMER_FIELDS):
        missing["customer"] = "customer (name, tax id or customer reference)"
    if missing:
        raise FileRejected(
            f"no recognisable header: no column for {', '.join(missing.values())} in {header!r}",
            code="csv_missing_columns",
            columns=tuple(missing),
        )
    return columns


def _matched(
    header: list[str], names: list[str], aliases: dict[CsvField, frozenset[str]], taken: dict[CsvField, int]
) -> dict[CsvField, int]:
    """The column of each field in `aliases` one of whose names is in `names` (the header's, normalised), among the
    columns not `taken`; a field two columns name refuses the file (the amount paid is left unread)."""
    columns: dict[CsvField, int] = {}
    doubled: set[CsvField] = set()
    used = set(taken.values())
    for index, name in enumerate(names):
        if index in used:
            continue
        for field, known in aliases.items():
            if name not in known:
                continue
            if field in columns and field is CsvField.AMOUNT_PAID:
                doubled.add(field)
            elif field in columns:
                cell, other = header[index], header[columns[field]]
                raise FileRejected(
                    f"ambiguous header: columns {other!r} and {cell!r} both mean {_words(field)}; "
                    "name the right one in the CSV column settings",
                    code="csv_ambiguous_columns",
                    columns=(field.value,),
                )
            columns[field] = index
    return {field: index for field, index in columns.items() if field not in doubled}


def _words(field: CsvField) -> str:
    """A field as the report names it: `due date`, not the settings' `due_date`."""
    return field.value.replace("_", " ")


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    series: str | None
    number: str
    installment: str | None
    due_date: date
    amount: Money
    issue_date: date | None
    customer: tuple[str | None, str | None, str | None, str | None]  # name, tax id, e-mail, reference
    contact: tuple[str | None, str | None, str | None] = (None, None, None)  # mobile, phone, language: as written
    owner: str | None = None
    access_key: str | None = None
    bank_slip: str | None = None
    payment_url: str | None = None
    notes: tuple[Problem, ...] = ()  # what the report should say about how the row's lines were decoded
    partly_paid: bool = False  # the file says part of it was paid: `amount` is the rest


@dataclass(frozen=True, slots=True)
class _BadRow:
    line: int
    number: str | None
    series: str | None
    problem: Problem
    settled: bool = False  # paid or cancelled, as the file says: not recorded; the rest of its invoice is what is owed
    # Of a settled row: its installment's number as written, and its customer's name, tax id, e-mail and reference.
    installment: str | None = None
    customer: tuple[str | None, str | None, str | None, str | None] = (None, None, None, None)

    def settled_installment(self) -> SettledInstallment:
        facts = self.problem.facts
        cancelled = self.problem.code in ("status_cancelled", "cancelled_on")
        day = date.fromisoformat(facts["date"]) if "date" in facts else None
        return SettledInstallment(self.line, self.installment, "cancelled" if cancelled else "paid", day)


# A row's status, as receivables exports write it (accents, case and spaces aside): paid, or cancelled. Any other
# (em aberto, a receber, vencido, parcial, open, overdue...) is a receivable.
# Not "cobrado" (billed) nor "estornado" (a payment reversed: owed again).
_PAID = frozenset(
    "recebido recebida pago paga quitado quitada liquidado liquidada baixado baixada compensado compensada "
    "pagado pagada paid settled received".split()
)
_CANCELLED = frozenset("cancelado cancelada anulado anulada cancelled canceled void voided".split())


def _settled(status: str | None) -> Problem | None:
    """Why a row whose status says it was paid or cancelled is not recorded; None for any other status."""
    word = "".join(c for c in unicodedata.normalize("NFKD", (status or "").casefold()) if c.isalpha())
    if word in _PAID:
        return problem("status_paid", f"status {status!r}: paid, as the file says; not recorded", value=status)
    if word in _CANCELLED:
        return problem(
            "status_cancelled", f"status {status!r}: cancelled, as the file says; not recorded", value=status
        )
    return None


def _row(
    line: int,
    cells: list[str],
    width: int,
    columns: dict[CsvField, int],
    options: ParseOptions,
    *,
    decimal_mark: str | None = None,
    cents: str | None = None,
    paid: _PaidColumn | None = None,
) -> _Row | _BadRow:
    given = {field: value for field, index in columns.items() if index < len(cells) and (value := cells[index].strip())}
    number, series = given.get(CsvField.NUMBER), given.get(CsvField.SERIES)
    try:
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            raise RowRefused(
                "extra_cells",
                f"{len(cells)} cells but the header has {width}; quote amounts that contain the separator",
                cells=len(cells),
                width=width,
            )
        if number is None:
            raise RowRefused("missing_field", "missing invoice number", field=CsvField.NUMBER.value)
        if (settled := _settled(given.get(CsvField.STATUS))) is not None or (
            CsvField.STATUS not in given and (settled := _settled_on(given, options)) is not None
        ):
            return _settled_row(line, given, settled)
        for field, reason in _MISSING.items():
            if field not in given:
                raise RowRefused("missing_field", reason, field=field.value)
        if not any(field in given for field in _CUSTOMER_FIELDS):
            raise RowRefused("missing_customer", "missing customer: no name, tax id or customer reference")
        currency = known_currency(given.get(CsvField.CURRENCY) or options.default_currency)
        written = given[CsvField.AMOUNT]
        amount = parse_amount(written, currency, decimal_mark) if cents is None else _in_cents(written, currency, cents)
        if amount.amount <= 0:
            written = given[CsvField.AMOUNT]
            raise RowRefused("not_positive", f"amount must be greater than zero, got {written}", value=written)
        owed = _owed(given, amount, decimal_mark, paid)
        if isinstance(owed, Problem):
            return _settled_row(line, given, owed)
        amount, notes = owed
        issue_text = given.get(CsvField.ISSUE_DATE)
        issue_date = parse_date(issue_text, options.date_order) if issue_text else None
        due_date = parse_date(given[CsvField.DUE_DATE], options.date_order)
        if options.received_on is not None:  # refused on its own line (an invoice's later installment, say)
            for field, day in ((CsvField.ISSUE_DATE, issue_date), (CsvField.DUE_DATE, due_date)):
                if day is not None:
                    dated_plausibly(day, field.value, options.received_on)
        key, slip, link = (given.get(f) for f in (CsvField.ACCESS_KEY, CsvField.BANK_SLIP, CsvField.PAYMENT_URL))
        return _Row(
            line=line,
            series=series,
            number=number,
            installment=given.get(CsvField.INSTALLMENT),
            due_date=due_date,
            amount=amount,
            issue_date=issue_date,
            customer=(
                given.get(CsvField.CUSTOMER_NAME),
                given.get(CsvField.TAX_ID),
                given.get(CsvField.EMAIL),
                given.get(CsvField.CUSTOMER_REFERENCE),
            ),
            contact=(given.get(CsvField.MOBILE), given.get(CsvField.PHONE), given.get(CsvField.LOCALE)),
            owner=given.get(CsvField.OWNER),
            access_key=nfe_access_key(key) if key else None,
            bank_slip=bank_slip_digits(slip) if slip else None,
            payment_url=https_url(link) if link else None,
            notes=notes,
            partly_paid=bool(notes),
        )
    except (InvalidInput, ValidationError) as exc:
        return _BadRow(line=line, number=number, series=series, problem=problem_from(exc))


def _settled_row(line: int, given: dict[CsvField, str], settled: Problem) -> _BadRow:
    return _BadRow(
        line=line,
        number=given.get(CsvField.NUMBER),
        series=given.get(CsvField.SERIES),
        problem=settled,
        settled=True,
        installment=given.get(CsvField.INSTALLMENT),
        customer=(
            given.get(CsvField.CUSTOMER_NAME),
            given.get(CsvField.TAX_ID),
            given.get(CsvField.EMAIL),
            given.get(CsvField.CUSTOMER_REFERENCE),
        ),
    )


# What an amount-paid cell says other than how much (a "Pago?" column, a placeholder), accents and case aside.
_PAID_WORDS = frozenset({"sim", "s", "yes", "y", "true", "x", "si"})
_UNPAID_WORDS = frozenset(
    "nao n no false null none na nd aberto emaberto pendente areceber open unpaid pending".split()
)


def _owed(
    given: dict[CsvField, str], amount: Money, decimal_mark: str | None, paid: _PaidColumn | None
) -> Problem | tuple[Money, tuple[Problem, ...]]:
    """What a row of `amount` still owes by its amount-paid cell, with the note that says part was paid; or why
    the row is not recorded, when the cell says all of it was. A row whose status says it is not settled (`aberto`,
    `estornado`, `parcial`) is never settled by the amount paid, only made smaller."""
    cell = given.get(CsvField.AMOUNT_PAID)
    said = _amount_paid(cell, amount, decimal_mark, paid) if cell is not None and paid is not None else 0
    if isinstance(said, Problem):
        return (amount, ()) if CsvField.STATUS in given else said
    if not said:
        return amount, ()
    return Money(amount=amount.amount - said, currency=amount.currency), (_partly_paid(said, amount),)


def _amount_paid(written: str, amount: Money, decimal_mark: str | None, paid: _PaidColumn) -> Problem | int:
    """What a row's amount-paid cell says was paid of `amount`, in its minor units (0: nothing), or why the row is
    not recorded when it says all of it was: by an amount as large (or larger: interest, a fine), or by a yes (a
    paid word, a 1 in a column of flags). RowRefused for a cell that says none of these."""
    word = "".join(c for c in unicodedata.normalize("NFKD", written.casefold()) if c.isalpha())
    if word in _PAID_WORDS or word in _PAID or (paid.flags and written.strip() == "1"):
        return problem("status_paid", f"amount paid {written!r}: paid, as the file says; not recorded", value=written)
    if word in _UNPAID_WORDS or not any(c.isalnum() for c in written):  # "-", "--", "N/A"
        return 0
    currency = amount.currency
    try:
        found = (
            parse_amount(written, currency, decimal_mark)
            if paid.cents is None
            else _in_cents(written, currency, paid.cents)
        )
    except InvalidInput:
        said = f"amount paid {written!r} is not an amount; the installment was not recorded"
        raise RowRefused("amount_paid_unread", said, value=written.strip()) from None
    if found.amount >= amount.amount:
        said = f"amount paid {written}: paid in full, as the file says; not recorded"
        return problem("amount_paid", said, paid=f"{found.to_decimal():f}", currency=currency)
    return max(found.amount, 0)


def _partly_paid(paid: int, amount: Money) -> Problem:
    shown = Money(amount=paid, currency=amount.currency)
    return problem(
        "partly_paid",
        f"{shown.to_decimal():f} of {amount.to_decimal():f} {amount.currency} paid, as the file says: the rest is owed",
        paid=f"{shown.to_decimal():f}",
        billed=f"{amount.to_decimal():f}",
        currency=amount.currency,
    )


_DAY_COLUMNS: tuple[tuple[CsvField, RowCode, str], ...] = (
    (CsvField.SETTLED_ON, "settled_on", "settled"),
    (CsvField.CANCELLED_ON, "cancelled_on", "cancelled"),
)
_ZERO_YEAR = 1900  # 30/12/1899 and 01/01/1900: the zero dates of Delphi and of spreadsheets, no day of payment


def _settled_on(given: dict[CsvField, str], options: ParseOptions) -> Problem | None:
    """Why a row whose settled-on or cancelled-on column has a day is not recorded; None when neither has one. Not
    a day: blank, a zero date (`00/00/0000`, or 1899/1900, where Delphi-built ERPs and spreadsheets start their
    calendars), anything that does not read as a date (`NULL`, `em aberto`), and a day after the file arrived (one
    scheduled): such a row is owed, as it was before these columns were read. A row with a status is read by its
    status alone."""
    for field, code, what in _DAY_COLUMNS:
        written = given.get(field, "").strip()
        try:
            day = parse_date(written, options.date_order) if written else None
        except InvalidInput:
            day = None
        if day is None or day.year <= _ZERO_YEAR:
            continue
        if options.received_on is not None and day > options.received_on:
            continue
        said = f"{what} on {day.isoformat()}, as the file says; not recorded"
        return problem(code, said, date=day.isoformat())
    return None


def _identity(row: _Row | _BadRow) -> tuple[str, str]:
    """The invoice a row is of: its number and series, as `number_identity` compares them."""
    return number_identity(row.number or ""), number_identity(row.series or "")


class _Group:
    """The rows of one invoice. A row that repeats an earlier one in everything but its line (an export pasted
    twice into one sheet) is read once, with a warning."""

    def __init__(self, country: str, *, says: bool = False) -> None:
        self._country = country
        self._says = says  # the file can say a row was paid or cancelled
        self._rows: list[_Row | _BadRow] = []
        self._repeats: list[Problem] = []
        self._first_line: dict[_Row, int] = {}  # each row's content (all but where it is): the line it is first on

    def takes(self, row: _Row | _BadRow) -> bool:
        if not self._rows:
            return True
        first = self._rows[0]
        return row.number is not None and _identity(first) == _identity(row)

    def add(self, row: _Row | _BadRow) -> None:
        if isinstance(row, _Row):
            # Looked up, not compared with every earlier row: an invoice of thousands of rows (a number column
            # of "S/N") took minutes, past the function's time.
            earlier = self._first_line.setdefault(replace(row, line=0, notes=()), row.line)
            if earlier != row.line:
                self._repeats.append(
                    problem(
                        "repeated_line",
                        f"line {row.line} repeats line {earlier}: read once",
                        line=row.line,
                        other=earlier,
                    )
                )
                return
        self._rows.append(row)

    def close(self) -> Iterable[ParseResult]:
        if not self._rows:
            return []
        settled_rows = [row for row in self._rows if isinstance(row, _BadRow) and row.settled]
        bad = [row for row in self._rows if isinstance(row, _BadRow) and not row.settled]
        good = [row for row in self._rows if isinstance(row, _Row)]
        listed = tuple(row.installment for row in good) if self._says else None
        closed = [
            replace(r, listed_owed=listed) if isinstance(r, ParsedInvoice) else r for r in self._closed(bad, good)
        ]
        if not settled_rows and not any(row.partly_paid for row in good):
            return closed
        said = tuple(row.settled_installment() for row in settled_rows)
        rest: list[ParseResult] = [
            replace(r, settled=True, settled_installments=said) if isinstance(r, ParsedInvoice) else r for r in closed
        ]
        if not bad and not good and (whole := self._settled_invoice(settled_rows, said)) is not None:
            rest = [whole]
        settled = [Rejection(row.line, row.problem, settled=True) for row in settled_rows]
        return sorted([*settled, *rest], key=lambda result: result.line)

    def _settled_invoice(
        self, rows: list[_BadRow], installments: tuple[SettledInstallment, ...]
    ) -> SettledInvoice | None:
        """The invoice all of whose rows were settled, when its rows name a customer that can be read."""
        first = rows[0]
        named = next((row.customer for row in rows if any(row.customer)), None)
        if first.number is None or named is None:
            return None
        name, tax_id, email, reference = named
        try:
            customer, _ = customer_party(
                name=name,
                tax_id=tax_id,
                email=email,
                reference=reference,
                phones=(),
                locale=None,
                country=self._country,
            )
        except (InvalidInput, ValidationError):
            return None
        key = erp_invoice_key(first.series, InvoiceKind.INVOICE, first.number)
        written = invoice_key("erp", first.series or "", InvoiceKind.INVOICE, first.number)
        keys = (key,) if written == key else (key, written)
        return SettledInvoice(first.line, keys, first.number, customer, installments)

    def _closed(self, bad: list[_BadRow], good: list[_Row]) -> list[ParseResult]:
        if not bad and not good:
            return []
        if bad:
            # An invoice with a refused installment is refused whole: recording the rest would understate
            # what is owed, and the corrected file would then look like a different invoice. One with installments
            # the file says were paid or cancelled is what is still owed (`ParsedInvoice.settled`).
            siblings = [
                Rejection(
                    row.line,
                    problem(
                        "sibling_refused",
                        f"invoice {row.number} not recorded: line {bad[0].line} of it was refused",
                        number=row.number,
                        other=bad[0].line,
                    ),
                )
                for row in good
            ]
            return sorted([Rejection(row.line, row.problem) for row in bad] + siblings, key=lambda r: r.line)
        try:
            parsed = _parsed(good, self._country)
            return [replace(parsed, warnings=(*parsed.warnings, *self._repeats))]
        except (InvalidInput, ValidationError) as exc:
            refused = problem_from(exc)
            named = f"invoice {good[0].number}: {refused.reason}"
            return [
                Rejection(
                    good[0].line, replace(refused, reason=named, facts={"number": good[0].number, **refused.facts})
                )
            ]


def _parsed(rows: list[_Row], country: str) -> ParsedInvoice:
    first = rows[0]
    for row in rows[1:]:
        if (row.customer, row.issue_date, row.amount.currency) != (
            first.customer,
            first.issue_date,
            first.amount.currency,
        ):
            raise RowRefused(
                "rows_disagree",
                f"line {row.line} disagrees with line {first.line} on customer, issue date or currency",
                line=row.line,
                other=first.line,
            )
        if (row.owner, row.access_key) != (first.owner, first.access_key):
            raise RowRefused(
                "rows_disagree_owner",
                f"line {row.line} disagrees with line {first.line} on owner or NF-e access key",
                line=row.line,
                other=first.line,
            )
    if len(rows) > 1 and any(row.installment is None for row in rows):
        raise RowRefused(
            "installments_unnumbered",
            f"{len(rows)} rows share this number but some have no installment number",
            rows=len(rows),
        )
    slips, links = {row.bank_slip for row in rows}, {row.payment_url for row in rows}
    warnings = [
        problem("installments_differ", f"the installments name different {what}, so none was recorded", what=code)
        for what, code, values in (("boletos", "boletos", slips), ("payment links", "payment_links", links))
        if len(values) > 1
    ]
    (mobile, phone, language), differing = _contact(rows)
    name, tax_id, email, reference = first.customer
    customer, notes = customer_party(
        name=name,
        tax_id=tax_id,
        email=email,
        reference=reference,
        phones=(("mobile", mobile), ("phone", phone)),
        locale=language,
        country=country,
    )
    invoice = _invoice(
        rows,
        customer,
        bank_slip=slips.pop() if len(slips) == 1 else None,
        payment_url=links.pop() if len(links) == 1 else None,
    )
    decoding = tuple(note for row in rows for note in row.notes)
    return ParsedInvoice(first.line, invoice, owner=first.owner, warnings=(*decoding, *notes, *differing, *warnings))


def _contact(rows: list[_Row]) -> tuple[tuple[str | None, ...], list[Problem]]:
    """The mobile, phone and language the rows of one invoice give: a row that leaves one blank takes it from the
    others; when rows give different ones, the first is kept and a warning says so."""
    chosen: list[str | None] = []
    warnings = []
    for position, what in enumerate(("mobiles", "phones", "languages")):
        given = list(dict.fromkeys(value for row in rows if (value := row.contact[position])))
        if len(given) > 1:
            reason = f"the installments give different customer {what}: the first one was kept"
            warnings.append(problem("contacts_differ", reason, what=what))
        chosen.append(given[0] if given else None)
    return tuple(chosen), warnings


def _invoice(rows: list[_Row], customer: Party, *, bank_slip: str | None, payment_url: str | None) -> Invoice:
    first = rows[0]
    currency = first.amount.currency
    return Invoice(
        key=erp_invoice_key(first.series, InvoiceKind.INVOICE, first.number),
        number=first.number,
        series=first.series,
        kind=InvoiceKind.INVOICE,
        issue_date=first.issue_date,
        currency=currency,
        total=Money(amount=sum(row.amount.amount for row in rows), currency=currency),
        installments=tuple(
            Installment(number=row.installment or "1", due_date=row.due_date, amount=row.amount) for row in rows
        ),
        customer=customer,
        source=SourceFormat.CSV,
        access_key=first.access_key,
        bank_slip=bank_slip,
        payment_url=payment_url,
    )
