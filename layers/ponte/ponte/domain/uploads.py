"""Invoice uploads: the object the back office put in the bucket, its progress through the runs that record it, and
the facts its report and its alert are made of.

An upload is identified by its object key and version (the ETag where the bucket keeps no versions): the same
delivery twice is one upload, a second upload of the same file is another one (whose invoices are then found
already recorded and change nothing).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ponte.domain.identity import customer_references
from ponte.domain.invoices import Party, SourceFormat

INCOMING: Final = "incoming/"
# The opening book: the receivables a business already has on the day it goes live, uploaded under
# `incoming/opening/`. Recorded like any upload, but nobody is told of them as news: no new-customer alert, no
# invoice notice; the ladder starts from the import day (see `ponte.domain.dunning`).
OPENING: Final = "incoming/opening/"
PROCESSED: Final = "processed"
QUARANTINE: Final = "quarantine"
REPORT_SUFFIX: Final = ".report.json"
_CORRECTION = " (correction)"


class UploadedObject(BaseModel):
    """One object version in the invoices bucket, as its S3 event names it."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    bucket: str = Field(min_length=1)
    key: str = Field(min_length=1)
    version_id: str | None = None
    etag: str
    size: int = Field(ge=0)
    received_at: AwareDatetime = Field(description="The S3 event's time: every record of the upload is stamped so.")

    @property
    def version(self) -> str:
        return self.version_id or self.etag

    @property
    def upload_id(self) -> str:
        return hashlib.sha256(f"{self.bucket}/{self.key}@{self.version}".encode()).hexdigest()[:32]

    @property
    def dedup_key(self) -> str:
        return f"upload:{self.upload_id}"

    @property
    def origin(self) -> str:
        return f"upload:{self.key}@{self.version}"

    @property
    def opening(self) -> bool:
        return self.key.startswith(OPENING)

    @property
    def name(self) -> str:
        """The key below `incoming/`, kept when the file moves: `incoming/2026/11.csv` → `2026/11.csv`."""
        return self.key.removeprefix(INCOMING)

    def moved_key(self, folder: str) -> str:
        return f"{folder}/{self.name}"

    def report_key(self, folder: str) -> str:
        return f"{folder}/{self.name}{REPORT_SUFFIX}"


def record_origin(upload: UploadedObject, line: int, *, corrected: bool = False) -> str:
    """Where an invoice record came from: `upload:incoming/11.csv@<version>#12`, for audits and for telling, after a
    retried run, what an earlier attempt of the same upload already wrote."""
    return f"{upload.origin}#{line}{_CORRECTION if corrected else ''}"


@dataclass(frozen=True, slots=True)
class OriginMark:
    upload: str
    line: int | None
    corrected: bool


def read_origin(origin: str) -> OriginMark:
    corrected = origin.endswith(_CORRECTION)
    head, _, line = origin.removesuffix(_CORRECTION).rpartition("#")
    if not head or not line.isdigit():
        return OriginMark(upload=origin, line=None, corrected=False)
    return OriginMark(upload=head, line=int(line), corrected=corrected)


@dataclass(frozen=True, slots=True)
class StoredInvoice:
    """What the table already holds for an invoice key: enough to tell a re-upload from a correction. `number` is
    the invoice's number and `series` as they were recorded (`000123`, where a later file may write `123`)."""

    fingerprint: str
    origin: str
    number: str
    series: str | None
    installments: tuple[str, ...] = ()  # the installments' numbers
    reported: tuple[tuple[str, str], ...] = ()  # (installment, paid or cancelled): what an upload said of them


def party_references(party: Party) -> list[tuple[str, str]]:
    """The lookup keys that lead to a customer's account, by the one rule of `ponte.domain.identity`."""
    return customer_references(reference=party.reference, tax_id=party.tax_id, email=party.email, name=party.name)


# What is wrong with a row or document of a good file (refused), or worth checking in one (recorded, with a warning):
# one code per sentence its reader gets in their language (`ponte.messages.texts.rows`), filled from the facts that
# come with it.
RowCode = Literal[
    # Any row
    "unreadable",  # nothing more precise is known: the report's `reason` says it in English
    "invalid_field",  # field
    "missing_field",  # field
    "too_long",  # field, limit: characters
    "too_many",  # field, limit: items of a list
    "unknown_field",  # field: a JSON document's member no invoice has
    "missing_customer",
    "tax_id_scientific",  # value: a CNPJ/CPF saved in scientific notation, its digits lost
    "not_positive",  # value
    "unknown_currency",  # value
    "not_amount",  # value
    "amount_not_cents",  # value, column: an amount of a column whose header says cents, not a whole number of them
    "cents_currency",  # currency, column: a currency without hundredths, in a column whose header says cents
    "too_many_decimals",  # value, currency, places
    "amount_too_large",  # value
    "other_currency",  # value, currency
    "not_date",  # value
    "no_such_date",  # value: written as a date, but no such day (31/11)
    "implausible_date",  # field, date, years: a date read, too far from the day the file was received
    "access_key_length",  # value
    "access_key_digit",  # value
    "not_bank_slip",  # value
    "not_https",  # value
    "formula",  # field, character: an identifier a spreadsheet would run
    "formula_name",  # character: the customer's name was all that identified them, and it was a formula
    # The invoice as a whole (domain rules)
    "party_unidentified",
    "issuer_unidentified",
    "installment_not_positive",
    "mixed_currency",  # number, currency
    "credit_note_positive",
    "not_collectable_installments",  # number
    "no_due_date",  # number
    "owes_nothing_installments",  # number
    "repeated_installment",  # number
    "installments_sum",  # number, billed, total
    "already_paid",  # number: a correction of an invoice paid at least in part
    # CSV
    "extra_cells",  # cells, width
    "amount_split",  # value: an amount with a decimal comma, unquoted in a comma-separated file
    "status_paid",  # value: a row whose status says it was paid, not recorded as owed
    "status_cancelled",  # value: a row whose status says it was cancelled
    "settled_on",  # date: a row whose settled-on column has a day, not recorded as owed
    "cancelled_on",  # date: a row whose cancelled-on column has a day
    "amount_paid",  # paid, billed, currency: a row whose amount-paid column says it was paid in full
    "partly_paid",  # paid, billed, currency: a row of which the file says part was paid (the rest is owed)
    "amount_paid_unread",  # value: an amount-paid cell that says no amount, no yes and no no
    "settled_held",  # number: an invoice Ponte holds, some of whose installments the file says were paid
    "unclosed_quote",  # line, last: the lines a quote left open took into one row
    "quote_took_line",  # other: a line read inside the quote opened on that line
    "rows_disagree",  # line, other: two lines of the same invoice
    "rows_disagree_owner",  # line, other
    "installments_unnumbered",  # rows
    "sibling_refused",  # number, other
    # JSON
    "not_object",
    "credit_note_due",
    "repeated_member",  # field: a member an invoice object gives twice
    "ambiguous_amount",  # value: "15.000", thousands or decimals
    "due_or_installments",
    # NF-e
    "not_nfe",
    "nfe_layout",  # value
    "nfe_inbound",
    "nfe_missing",  # element
    "nfe_key",  # value
    "nfe_no_recipient",
    "nfe_cnpj",  # value
    "nfe_cpf",  # value
    "nfe_not_authorised",  # status
    "nfe_protocol_other",
    "nfe_no_protocol",
    "nfe_test",
    "nfe_issue_date",
    "nfe_due_date",  # position, value
    "event_missing",
    "event_other_nfe",
    "event_key",  # value
    "event_not_cancellation",  # value
    "cancellation_unregistered",
    "cancellation_refused",  # status
    "cancellation_test",
    "cancellation_time",  # value
    # UBL
    "ubl_no_customer",
    "ubl_missing",  # element
    "ubl_date",  # element, value
    "ubl_no_currency",
    "ubl_mixed_currency",  # element, stated, currency
    # Warnings: recorded, with something to check
    "name_only",
    "tax_id_digits",  # value: a CPF or CNPJ whose check digits are wrong
    "tax_id_length",  # value: digits alone, neither a CPF's 11 nor a CNPJ's 14
    "tax_id_none",  # value: a placeholder ("ISENTO", "N/A") in the CNPJ/CPF column, read as no tax id
    "tax_id_zeros",  # value, read: a CNPJ/CPF whose leading zeros a number cell dropped, put back
    "phone_left_out",  # field
    "mobile_landline",  # field, value: a landline in the mobile's column
    "language_left_out",  # value
    "email_left_out",
    "formula_cut",  # field, character
    "email_formula",  # character
    "issuer_email_formula",  # character
    "installments_differ",  # what: boletos, payment_links
    "contacts_differ",  # what: mobiles, phones, languages
    "repeated_line",  # line, other
    "other_encoding",  # encoding, file_encoding
    "nfe_duplicatas_paid",  # an NF-e with duplicatas whose payment group says all was paid at the sale
    "payment_terms",  # days
    "payment_terms_date",  # date: the day the payment terms text names, read as the due date
    "terms_not_read",  # days: payment terms that say no period the reader takes; the default term applied
    "due_before_issue",  # date, issued: an installment due before the invoice's issue date
    "installments_exceed",  # billed, total, currency: installments adding up to more than the document's total
    "date_order",  # value, day, order, example, line: a date either order reads, read in the order the file shows
    "decimal_mark",  # value, example, line: an amount either mark reads (1,500), read with the file's decimal mark
    "date_order_doubt",  # value, day, example, line: read in the business's order, though some dates prove the other
    "cancellation_elsewhere",  # value: the NF-e the bundled cancellation names
    "cancellation_not_applied",
    "cancellation_kept",  # of an NF-e not recorded yet
    "owner_refused",  # owner, why: unknown, inactive, ambiguous; the account went to someone else
    "owner_refused_none",  # owner, why; the account has no owner
    "contact_not_kept",  # field
]


class RowRefusal(BaseModel):
    """A row or document of a good file that was not recorded, and why; or, among the warnings, one recorded with
    something to check. `reason` says it in English for whoever debugs the file; `code` and `facts` make the
    sentence its reader gets (a code written by an older version reads as `unreadable`)."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    line: int
    reason: str
    code: str | None = None  # None: written by a version before codes
    facts: dict[str, str] = Field(default_factory=dict)


class UploadCounts(BaseModel):
    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    accounts_opened: int = 0
    cancelled: int = 0

    @property
    def imported(self) -> int:
        return self.created + self.corrected


class UploadProgress(BaseModel):
    """Where the recording of a checked file stands: carried from one run to the next when a file takes longer
    than one run (the continuation message is this model as JSON)."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    upload: UploadedObject
    file_format: SourceFormat
    invoices: int = Field(ge=0, description="Invoices the check found in the file.")
    recorded: int = Field(default=0, ge=0, description="Invoices handled so far, in file order.")
    settled_reported: int = Field(
        default=0, ge=0, description="Invoices all of whose rows the file says were settled, handled so far."
    )
    counts: UploadCounts = UploadCounts()
    refused: tuple[RowRefusal, ...] = Field(default=(), description="Refused while recording (not by the parser).")
    warnings: tuple[RowRefusal, ...] = Field(
        default=(), max_length=1000, description="Recorded, with something the back office should check."
    )
    runs: int = Field(default=1, ge=1)
