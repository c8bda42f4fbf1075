"""Bodies about invoices: the customer's notice of a new invoice, and the back office's report of each upload."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ponte.domain.invoices import Item
from ponte.domain.money import Money


class Body(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


# How the customer can pay an invoice, as `ponte.domain.invoices.Invoice` takes it: a boleto's digitable line or
# nosso número (digits only), and the page where it is paid.
BankSlip = Annotated[str, StringConstraints(pattern=r"^\d{1,60}$")]
PaymentUrl = Annotated[str, StringConstraints(max_length=2000, pattern=r"^https://")]


class DueInstallment(Body):
    number: str
    due_date: date
    amount: Money
    # When due_date is a weekend or holiday of the business's calendar: the business day it is due on.
    effective_due_date: date | None = None


class InvoiceIssued(Body):
    """To the customer: an invoice was issued to them, with what is owed and when (sent only when the business
    turns customer invoice notices on)."""

    kind: Literal["invoice.issued"] = "invoice.issued"
    customer_name: str
    invoice_number: str
    total: Money
    installments: tuple[DueInstallment, ...] = Field(min_length=1)
    # Where and how to pay it, when the invoice gave them (bodies recorded before they were carried have neither).
    payment_url: PaymentUrl | None = None
    bank_slip: BankSlip | None = None


class NewCustomerInvoice(Body):
    """To the owner (sales): an invoice was issued to a customer never seen before, with what was bought, so the
    delivery can start without anybody looking anything up."""

    kind: Literal["customer.first_invoice"] = "customer.first_invoice"
    customer_name: str
    contact: str | None = None  # the e-mail the document gives
    invoice_number: str
    issuer: str | None = None
    total: Money
    installments: tuple[DueInstallment, ...] = ()
    items: tuple[Item, ...] = ()
    source: str = Field(description="Where the invoice came from: the uploaded file's name, or the provider.")


ROWS_LISTED = 10  # rejected rows an upload's alert lists; the report has every one


class RefusedRow(Body):
    """A rejected row as the back office's alert lists it: where it is in the file, and what makes its sentence in
    the reader's language (`ponte.messages.texts.rows`; a `code` of None: written by a version before codes)."""

    line: int = Field(ge=0)
    code: str | None = None
    facts: dict[str, str] = Field(default_factory=dict)


class InvoicesImported(Body):
    """To the back office: one uploaded file was read; what was recorded, which rows were rejected first and
    why, and where its report is."""

    kind: Literal["invoices.imported"] = "invoices.imported"
    file: str
    file_format: str
    imported: int = Field(ge=0, description="New invoices and corrected ones.")
    corrected: int = Field(ge=0)
    unchanged: int = Field(ge=0, description="Already recorded with the same content: nothing written.")
    rejected: int = Field(ge=0, description="Rows or documents refused, each listed in the report.")
    settled: int = Field(
        default=0, ge=0, description="Rows the file says were paid or cancelled: not recorded as owed, nor refused."
    )
    accounts_opened: int = Field(ge=0)
    report: str = Field(description="Key of the report in the invoices bucket.")
    opening: bool = Field(default=False, description="The opening book: existing receivables, nobody told.")
    cancelled: int = Field(default=0, ge=0, description="NF-e cancellations recorded.")
    warnings: int = Field(default=0, ge=0, description="Recorded, with something to check (see the report).")
    rows: tuple[RefusedRow, ...] = Field(
        default=(), max_length=ROWS_LISTED, description="The first rejected rows, in the file's order."
    )


# Why an uploaded file was set aside, one code per sentence its reader gets (`ponte.messages.texts.invoices`).
QuarantineCode = Literal[
    "empty",
    "too_big",
    "xml_too_big",
    "line_too_long",
    "unknown_extension",
    "extension_mismatch",
    "utf16",
    "unknown_format",
    "no_xml_root",
    "unknown_xml",
    "not_nfe",
    "not_ubl",
    "xml_doctype",
    "xml_entities",
    "xml_external",
    "xml_malformed",
    "xml_encoding",
    "csv_encoding",
    "csv_malformed",
    "csv_no_separator",
    "csv_missing_columns",
    "csv_ambiguous_columns",
    "json_shape",
    "json_trailing",
    "json_encoding",
    "json_malformed",
    "not_recorded",
    "not_read",
]


class UploadQuarantined(Body):
    """To the back office: a file could not be read at all; it was set aside and nothing was recorded.

    `code` says why and `facts` hold what its sentence names, as text: `line` (a line number), `size` and `limit`
    (bytes), `extension` (of the file's name), `format` (a `SourceFormat`) and `columns` (CSV fields, or
    `customer`, comma-separated). Never text taken from the file. Bodies written before codes have none, and are
    told with a sentence that sends the reader to the report."""

    kind: Literal["invoices.quarantined"] = "invoices.quarantined"
    file: str
    reason: str = Field(description="Why, in English, as the report and the logs say it.")
    report: str
    code: QuarantineCode | None = None
    facts: dict[str, str] = Field(default_factory=dict)
