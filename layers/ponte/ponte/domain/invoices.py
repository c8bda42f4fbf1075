"""Invoices: what a customer owes, when, and where the record came from.

Amounts are signed from the business's side: a positive total is owed by the customer, a negative one (a credit
note, or a negative invoice as EN 16931 allows) is owed to the customer. Only a positive total has installments:
they are what the dunning ladder collects, each with its own local due date.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from enum import StrEnum
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ponte.domain.accounts import Locale
from ponte.domain.events import SaleLinks
from ponte.domain.money import CurrencyCode, Money

MAX_INSTALLMENTS = 120
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")
# A number as a spreadsheet rewrites it: its leading zeros dropped (a number cell), or written as a decimal (`123.0`).
_WHOLE_NUMBER = re.compile(r"0*([0-9]+?)(?:\.0+)?")


class InvoiceKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class SourceFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
    NFE = "nfe"
    UBL = "ubl"
    PROVIDER = "provider"  # reported by a payment provider's webhook (Stripe invoice.finalized, Asaas PAYMENT_CREATED)


# The business's own system (CSV rows, the JSON schema), keyed by `erp_invoice_key`. Ponte builds their
# installments itself, so they must add up to the total. NF-e and UBL carry the issuer's own figures, and real
# documents disagree: an NF-e's cobr may bill only part of vNF (the rest paid at the sale), and a Peruvian credit
# term lists the net pending amount after withholdings. There the installments are what is collected and the total
# is what the document says.
ERP_SOURCES = frozenset({SourceFormat.CSV, SourceFormat.JSON})


def normalise_tax_id(raw: str) -> str:
    """`12.345.678/0001-95` → `12345678000195`, `dk 1234 5678` → `DK12345678`: separators go, letters stay
    (VAT numbers, Mexican RFCs and the alphanumeric CNPJ carry them)."""
    return _NOT_ALNUM.sub("", raw).upper()


def invoice_key(*parts: str) -> str:
    """A stable key from the parts that identify an invoice in its source (e.g. issuer, kind, number).

    Each part is percent-encoded so that `:` stays a separator whatever the parts contain.
    """
    return ":".join(quote(part.strip(), safe=" /-._") for part in parts)


def number_identity(written: str) -> str:
    """What identifies an invoice number or series: `000123`, `123` and `123.0` are one number, as a spreadsheet
    opened on the way from the ERP rewrites it (a number cell drops the zeros; a data tool writes a decimal). Any
    other number is itself, as written. Narrower than `ponte.domain.matching.normal`, which links a payment to an
    invoice: an identity must never make two invoices one (`1-23` and `12-3` are two)."""
    text = written.strip()
    whole = _WHOLE_NUMBER.fullmatch(text)
    return whole.group(1) if whole else text


def erp_invoice_key(series: str | None, kind: InvoiceKind, number: str) -> str:
    """The key of an invoice from the business's own system (a CSV row, a JSON document): its series, kind and
    number, compared as `number_identity` compares them, so that the same invoice exported twice is one."""
    return invoice_key("erp", number_identity(series) if series else "", kind, number_identity(number))


class Item(BaseModel):
    """A line of what was sold, as the document lists it: for the people who start the delivery."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    description: str = Field(min_length=1, max_length=200)
    quantity: str | None = Field(default=None, max_length=40)  # as written (`2.0000`, `1`)
    amount: Money | None = None  # the line's total


class Party(BaseModel):
    """Someone on an invoice: the customer to collect from, or the issuer.

    `phone` and `locale` are how to reach the customer, not what the invoice says is owed: they are left out of
    the invoice's fingerprint (see `Invoice.fingerprint`).
    """

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    name: str | None = Field(default=None, min_length=1, max_length=200)
    tax_id: str | None = Field(default=None, min_length=1, max_length=32, pattern=r"^[0-9A-Z]+$")
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    # The business's own id for the customer (ERP customer code, UBL buyer identifier): links to an account.
    reference: str | None = Field(default=None, min_length=1, max_length=128)
    phone: str | None = Field(default=None, pattern=r"^\+[1-9]\d{6,14}$")  # E.164 (`ponte.domain.phones`)
    locale: Locale | None = None  # the language the customer reads, when the source says

    @field_validator("tax_id", mode="before")
    @classmethod
    def _normalise_tax_id(cls, value: object) -> object:
        return (normalise_tax_id(value) or None) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _identifiable(self) -> Party:
        if not (self.name or self.tax_id or self.reference):
            raise PydanticCustomError("party_unidentified", "a party needs a name, a tax id or a reference")
        return self


def _refused(code: str, template: str, **facts: str) -> PydanticCustomError:
    """An invoice that breaks one of its rules: the error's type is the code the upload's report words it by
    (`ponte.domain.uploads.RowCode`), its context the facts that sentence needs. pydantic fills the English message
    in with the facts one at a time, in order: the invoice's number, written by the sender, comes last so that
    nothing it holds is filled in again."""
    return PydanticCustomError(code, template, facts)


class Installment(BaseModel):
    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    number: str = Field(min_length=1, max_length=40)
    due_date: date  # a local date in the business's time zone; it ends at the end of that day
    amount: Money

    @field_validator("amount")
    @classmethod
    def _positive(cls, amount: Money) -> Money:
        if amount.amount <= 0:
            raise PydanticCustomError("installment_not_positive", f"an installment must be positive, got {amount}")
        return amount


class Invoice(BaseModel):
    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    key: str = Field(min_length=1, max_length=512)  # dedup across files; see `invoice_key`
    number: str = Field(min_length=1, max_length=100)
    series: str | None = Field(default=None, min_length=1, max_length=20)
    kind: InvoiceKind
    issue_date: date | None  # some ERP exports carry only due dates
    currency: CurrencyCode
    total: Money
    installments: tuple[Installment, ...] = Field(max_length=MAX_INSTALLMENTS)
    customer: Party
    issuer: Party | None = None
    source: SourceFormat
    # NF-e access key (chave de acesso, 44 digits): how SEFAZ, a cancellation event and a payment name the NF-e.
    access_key: str | None = Field(default=None, pattern=r"^\d{44}$")
    # A boleto's nosso número or digitable line, digits only: how a bank's payment names the invoice.
    bank_slip: str | None = Field(default=None, pattern=r"^\d{1,60}$")
    payment_url: str | None = Field(default=None, max_length=2000, pattern=r"^https://")
    # Why nothing is collected on a positive total, when that is so: paid at the sale (NF-e detPag covering vNF
    # in cash, Pix or card), no payment at all (tPag 90), free goods (CFOP 5910/6910...). Kept for the timeline,
    # never dunned. None: the total is collected through the installments.
    not_collectable: str | None = Field(default=None, min_length=1, max_length=200)
    # For a provider's invoice: the business's invoice it stands for (Stripe metadata, Asaas externalReference).
    links: SaleLinks | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Invoice:
        amounts = [self.total, *(i.amount for i in self.installments)]
        if any(m.currency != self.currency for m in amounts):
            raise _refused(
                "mixed_currency",
                "every amount of invoice {number} must be in {currency}",
                currency=self.currency,
                number=self.number,
            )
        if self.kind is InvoiceKind.CREDIT_NOTE and self.total.amount > 0:
            raise _refused("credit_note_positive", "a credit note reduces what is owed: its total cannot be positive")
        if self.not_collectable is not None and self.installments:
            raise _refused(
                "not_collectable_installments",
                "invoice {number} is not collectable, so it cannot have installments",
                number=self.number,
            )
        if self.total.amount > 0 and not self.installments and self.not_collectable is None:
            raise _refused("no_due_date", "invoice {number} is owed but has no due date", number=self.number)
        if self.total.amount <= 0 and self.installments:
            raise _refused(
                "owes_nothing_installments",
                "invoice {number} owes nothing, so it cannot have installments",
                number=self.number,
            )
        numbers = [i.number for i in self.installments]
        if len(set(numbers)) != len(numbers):
            raise _refused("repeated_installment", "invoice {number} repeats an installment number", number=self.number)
        if self.source in ERP_SOURCES and self.installments:
            billed = sum(i.amount.amount for i in self.installments)
            if billed != self.total.amount:
                raise _refused(
                    "installments_sum",
                    "installments of invoice {number} add up to {billed} {currency}, not {total} {currency}",
                    billed=f"{Money(amount=billed, currency=self.currency).to_decimal():f}",
                    total=f"{self.total.to_decimal():f}",
                    currency=self.currency,
                    number=self.number,
                )
        return self

    @property
    def amount_due(self) -> Money:
        """What the installments collect: the sum of what is owed, zero for credits."""
        return Money(amount=sum(i.amount.amount for i in self.installments), currency=self.currency)

    @property
    def earlier_keys(self) -> tuple[str, ...]:
        """The key an ERP invoice was recorded under before `erp_invoice_key` compared numbers (its number and
        series as written), when that differs: an invoice recorded then is found under it, not recorded twice."""
        if self.source not in ERP_SOURCES:
            return ()
        written = invoice_key("erp", self.series or "", self.kind, self.number)
        return () if written == self.key else (written,)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def fingerprint(self) -> str:
        """Hash of the business content: equal for a re-upload, different for a corrected upload.

        The source format is left out, so the same invoice exported as CSV and then as JSON is a re-upload. So are
        the parties' phone and locale: a new phone number is not a corrected invoice, and fingerprints stored before
        parties had them stay valid. The e-mail stays in, as it always was: taking it out would change every stored
        fingerprint of an invoice with an e-mail, and their next re-upload would read as a correction.
        """
        contact_only = {"phone", "locale"}
        content = self.model_dump(
            mode="json",
            exclude={"fingerprint": True, "source": True, "customer": contact_only, "issuer": contact_only},
        )
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()
