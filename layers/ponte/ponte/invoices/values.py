"""Reading amounts, dates and currencies as back-office files write them."""

from __future__ import annotations

import re
from datetime import date
from functools import cache, lru_cache
from typing import Literal

from ponte.domain.errors import InvalidInput
from ponte.domain.money import Money, minor_unit_exponent

_SPACES = re.compile(r"[\s\u00a0\u202f]+")  # "1 234,56": space, no-break and narrow no-break space group digits
_UNGROUPED = re.compile(r"([+-]?)(\d+)(?:[.,](\d+))?", re.ASCII)
_POINT_GROUPED = re.compile(r"([+-]?)(\d{1,3}(?:\.\d{3})+)(?:,(\d+))?", re.ASCII)
_COMMA_GROUPED = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+)(?:\.(\d+))?", re.ASCII)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_SLASHED_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$", re.ASCII)


@cache
def _iso_4217_codes() -> frozenset[str]:
    # Imported on first use: babel's locale data is only needed by uploads, not by every cold start.
    from babel.numbers import list_currencies  # noqa: PLC0415

    return frozenset(list_currencies())


def known_currency(raw: str) -> str:
    """The ISO 4217 code in `raw` (` brl ` → `BRL`), or InvalidInput if no such currency exists."""
    code = raw.strip().upper()
    if code not in _iso_4217_codes():
        raise InvalidInput(f"unknown currency {raw.strip()!r}: expected an ISO 4217 code such as BRL, EUR, USD")
    return code


def parse_amount(raw: str, currency: str) -> Money:
    """An amount in any of the usual decimal styles: `1.234,56`, `1,234.56`, `1234.56`, `1234,56`, `1 234,56`.

    With both separators, the last one is the decimal mark. With one kind only, repeated (`1.234.567`) it groups
    thousands; once, followed by exactly three digits after a 1-3 digit head not starting with 0 (`1.234`), it
    groups thousands too, unless the currency has three decimals (KWD): no two-decimal currency writes three.
    """
    text = _SPACES.sub("", raw)
    if match := _UNGROUPED.fullmatch(text):
        sign, whole, fraction = match.groups()
        if fraction and _looks_grouped(whole, fraction, currency):
            whole, fraction = whole + fraction, None
    elif match := (_POINT_GROUPED.fullmatch(text) or _COMMA_GROUPED.fullmatch(text)):
        sign, grouped, fraction = match.groups()
        whole = grouped.replace(".", "").replace(",", "")
    else:
        raise InvalidInput(f"not an amount: {raw.strip()!r}")
    return Money.from_decimal(f"{sign}{whole}.{fraction or '0'}", currency)


def _looks_grouped(head: str, tail: str, currency: str) -> bool:
    return len(tail) == 3 and len(head) <= 3 and head[0] != "0" and minor_unit_exponent(currency) != 3


@lru_cache(maxsize=4096)  # exports repeat the same few dates; the bound keeps memory flat
def parse_date(raw: str, order: Literal["dmy", "mdy"] = "dmy") -> date:
    """`2024-03-31`, `31/03/2024` (or `03/31/2024` with order mdy); a time after the date is ignored."""
    text = raw.strip().split("T")[0].split(" ")[0]
    try:
        if _ISO_DATE.match(text):
            return date.fromisoformat(text)
        match = _SLASHED_DATE.match(text)
        if match:
            first, second, year = (int(part) for part in match.groups())
            day, month = (first, second) if order == "dmy" else (second, first)
            return date(year, month, day)
    except ValueError as exc:
        raise InvalidInput(f"not a date: {raw.strip()!r} ({exc})") from exc
    raise InvalidInput(f"not a date: {raw.strip()!r}: expected dd/mm/yyyy or yyyy-mm-dd")
