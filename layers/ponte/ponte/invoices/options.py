"""Settings of a parse, chosen per business (e.g. from its configuration) and passed in by the caller."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ponte.domain.money import CurrencyCode


class CsvField(StrEnum):
    """What a CSV column means; see `ponte.invoices.csv_format` for the header names each one accepts."""

    NUMBER = "number"
    SERIES = "series"
    INSTALLMENT = "installment"
    CUSTOMER_NAME = "customer_name"
    TAX_ID = "tax_id"
    EMAIL = "email"
    PHONE = "phone"
    MOBILE = "mobile"  # preferred over PHONE: a mobile takes SMS
    LOCALE = "locale"
    CUSTOMER_REFERENCE = "customer_reference"
    AMOUNT = "amount"
    DUE_DATE = "due_date"
    ISSUE_DATE = "issue_date"
    CURRENCY = "currency"
    OWNER = "owner"
    STATUS = "status"  # a receivables export's state of the row: a paid or cancelled one is no receivable
    SETTLED_ON = "settled_on"  # the day the installment was settled: a row that has one is no receivable
    CANCELLED_ON = "cancelled_on"  # the day it was cancelled: likewise
    AMOUNT_PAID = "amount_paid"  # how much of the installment was paid: what is owed is the rest
    PAYMENT_URL = "payment_url"
    BANK_SLIP = "bank_slip"
    ACCESS_KEY = "access_key"


class ParseOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    # Used when a CSV row or JSON invoice names no currency. NF-e is always BRL; UBL always names its currency.
    default_currency: CurrencyCode = "BRL"
    # The business's country (ISO 3166-1 alpha-2): a customer's phone written without its country code is read as
    # a number of this country, unless the document names the customer's country (UBL; NF-e is always BR).
    default_country: str = Field(default="BR", pattern=r"^[A-Z]{2}$")
    # An NF-e without cobr/dup, or a UBL invoice with no due date anywhere, is due this many days after issue.
    default_term_days: int = Field(default=0, ge=0, le=3650)
    # Extra CSV header names, as written in the file (`{"Vlr. Líquido": "amount"}`). A field named here is read
    # only from these columns, never from the default names.
    csv_columns: dict[str, CsvField] = Field(default_factory=dict)
    # How to read slashed CSV dates: 03/04/2024 is 3 April (dmy, Brazil and Spanish America) or 4 March (mdy, US).
    date_order: Literal["dmy", "mdy"] = "dmy"
    # Also accept NF-e with no fiscal value: with no authorisation protocol, or from the SEFAZ test environment
    # (tpAmb 2), and NF-e cancellation events likewise without a SEFAZ registration (retEvento) or from the test
    # environment. For trials only; a denied or cancelled NF-e (cStat other than 100/150), or a cancellation that
    # SEFAZ refused, is refused regardless.
    accept_unauthorised_nfe: bool = False
    # The day the file was received: an invoice dated more than `PLAUSIBLE_YEARS` from it is refused
    # (`ponte.invoices.results.plausible`). None reads every date as written (a parse outside an upload).
    received_on: date | None = None
