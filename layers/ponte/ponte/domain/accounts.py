"""Accounts: who the business serves, their status, who on staff answers for them, and what happened to them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from ponte.domain.money import Money

Locale = Literal["pt-BR", "es", "en"]
LOCALES: tuple[Locale, ...] = ("pt-BR", "es", "en")
_LANGUAGE = re.compile(r"[a-z]+")
# The first word of a language tag (`pt-BR`, `es_AR`, `en-US`) or of a language's name, in the three languages
# Ponte writes, without accents or case. Portugal's Portuguese is read as Brazil's: it is the Portuguese there is.
_LOCALES: dict[str, Locale] = {
    "pt": "pt-BR",
    "por": "pt-BR",
    "portugues": "pt-BR",
    "portuguese": "pt-BR",
    "es": "es",
    "spa": "es",
    "espanol": "es",
    "espanhol": "es",
    "castellano": "es",
    "spanish": "es",
    "en": "en",
    "eng": "en",
    "english": "en",
    "ingles": "en",
}


def locale_from(raw: str) -> Locale | None:
    """The locale a file names: `pt`, `pt-BR`, `pt_PT`, `Português` → pt-BR; `es`, `es-AR`, `Español` → es; `en`,
    `en-US`, `English`, `Inglês` → en. None for another language, or for nothing Ponte reads as one."""
    plain = unicodedata.normalize("NFKD", raw.strip().casefold()).encode("ascii", "ignore").decode()
    first = _LANGUAGE.match(plain)
    return _LOCALES.get(first.group()) if first else None


class AccountStatus(StrEnum):
    ACTIVE = "active"
    OVERDUE = "overdue"
    SUSPENDED = "suspended"


class Contact(BaseModel):
    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    # E.164, as SNS SMS wants it.
    phone: str | None = Field(default=None, pattern=r"^\+[1-9]\d{6,14}$")


class HoldKind(StrEnum):
    PROMISE_TO_PAY = "promise_to_pay"
    DISPUTE = "dispute"
    EXTENSION = "extension"
    EXEMPTION = "exemption"


class StaffHold(BaseModel):
    """A hold staff put on the collections ladder, with its expiry and who set it (the token's subject and name).

    - `promise_to_pay`: steps after the due date wait until the day after `until`; optionally for `amount`.
    - `dispute`: the invoice `invoice_key` is left out of the ladder through `until`.
    - `extension`: no deadline falls before `until` (the next deadline moved by `days` business days).
    - `exemption`: no suspension through `until` (a suspended account is reactivated meanwhile).
    """

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    kind: HoldKind
    until: date = Field(description="The last local day the hold holds.")
    set_by: str = Field(min_length=1, max_length=128, description="The token's subject.")
    set_by_name: str = Field(min_length=1, max_length=200)
    set_by_user: str | None = Field(
        default=None, max_length=128, description="Their user name: the person alerts about the hold reach."
    )
    set_at: AwareDatetime
    reason: str = Field(min_length=1, max_length=500)
    invoice_key: str | None = Field(default=None, max_length=512)
    amount: Money | None = None
    days: int | None = Field(default=None, ge=1)


class Acknowledgement(BaseModel):
    """Staff saw an alert about the account and took it on: who, when and why (for escalation and audits)."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    notification_id: str = Field(min_length=1, max_length=64)
    at: AwareDatetime
    by: str = Field(min_length=1, max_length=128)
    by_name: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=500)


# A merged account leads to its survivor, which may itself have been merged: reads follow at most this many.
MERGES_FOLLOWED = 3


class Account(BaseModel):
    """An account of the business's customer. `version` guards every write (optimistic concurrency)."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    account_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@-]+$")
    name: str = Field(min_length=1, max_length=200)
    status: AccountStatus = AccountStatus.ACTIVE
    owner: str | None = Field(default=None, min_length=1, max_length=128)
    locale: Locale
    contact: Contact
    created_at: AwareDatetime
    next_evaluation_at: AwareDatetime | None = None
    version: int = Field(default=0, ge=0)
    # Holds staff set through the staff API, each with its expiry and who set it (at most one of each kind, and one
    # dispute per invoice).
    holds: tuple[StaffHold, ...] = Field(default=(), max_length=60)
    # When staff last reactivated the account by hand: deadlines named before then no longer count, so it cannot be
    # suspended again before a fresh final warning has run its full notice period.
    reactivated_at: AwareDatetime | None = None
    # Set by hand on items before the staff API existed, and still honoured: the ladder waits for a promise to pay,
    # and never suspends an account flagged so. Staff now set holds with an expiry instead.
    promise_to_pay_until: date | None = None
    never_suspend: bool = False
    tax_id: str | None = Field(default=None, pattern=r"^[0-9A-Z]+$", max_length=32)
    # The customer references this account claimed (not its payments'): a merge moves them to the surviving
    # account. Bounded: a customer has a handful of ids across sources.
    references: tuple[tuple[str, str], ...] = Field(default=(), max_length=50)
    # Set when this account turned out to be another account's customer: it was merged into that one, and
    # every read of it leads there.
    merged_into: str | None = None
    # When an upload opened the account: the line that did (`ponte.domain.uploads.record_origin`), so that a run
    # retried after a crash counts, in its report, the accounts its crashed attempt opened.
    opened_by: str | None = Field(default=None, max_length=2048)


@dataclass(frozen=True, slots=True)
class AccountSummary:
    """An account as a list of accounts shows it (search results, the overdue book)."""

    account_id: str
    name: str
    status: AccountStatus
    owner: str | None


class TimelineEntry(BaseModel):
    """One line of an account's history, for staff and for audits: what happened, why, and from where."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    account_id: str
    at: AwareDatetime
    what: str
    why: str
    source: str
    facts: dict[str, str | int] = Field(default_factory=dict)


def search_name(name: str) -> str:
    """A name as search compares it: without case, accents or punctuation, spaces collapsed
    (`Padaria São João Ltda.` -> `padaria sao joao ltda`)."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c if c.isalnum() else " " for c in folded if not unicodedata.combining(c))
    return " ".join(plain.split())


def next_version(account: Account, **changes: object) -> Account:
    """The account with `changes` applied and its version moved on by one."""
    return account.model_copy(update={**changes, "version": account.version + 1})


def _written_day(value: object) -> object:
    """A day as people and files write it (`2026-12-10`): pydantic would read a number, or text of digits alone
    ("86400", "20261210"), as seconds since 1970 (0 is the 1st of January 1970), a day nobody meant."""
    # JSON's numbers, as the documents' parser reads them too
    if isinstance(value, int | float | Decimal) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


_NUMBER = re.compile(r"\s*[+-]?\d+(?:[.,]\d*)?\s*")


WrittenDay = Annotated[date, BeforeValidator(_written_day)]
"""A day taken from a request or a document: a date or its text, never a number."""


def ensure_aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a moment must carry its time zone")
    return moment
