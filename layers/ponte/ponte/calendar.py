"""Business calendars: the national holidays that business-day counting skips.

Read from `holidays.json`, a table built from the maintained `holidays` library at build time
(`python -m infra.scripts.holiday_table`; a test keeps the two in agreement): importing the library loads every
country's module, and a Lambda would pay for that on its cold path. The dunning engine receives plain dates.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from ponte.domain.errors import InvalidInput


@cache
def _table() -> dict[str, Any]:
    table: dict[str, Any] = json.loads(resources.files("ponte").joinpath("holidays.json").read_text("utf-8"))
    return table


def covered_countries() -> tuple[str, ...]:
    """The countries the table holds (the template's BusinessCountry values)."""
    return tuple(sorted(_table()["countries"]))


def business_holidays(country: str, years: Iterable[int]) -> frozenset[date]:
    """The national public holidays of `country` (ISO 3166-1 alpha-2, e.g. "BR") in `years`.

    Regional and optional holidays are left out: a business that closes on them lists them itself.
    """
    table = _table()
    first, last = table["years"]
    by_year = table["countries"].get(country)
    if by_year is None:
        raise InvalidInput(f"no holiday calendar for country {country!r}; there are: {', '.join(covered_countries())}")
    days: set[date] = set()
    for year in set(years):
        if not first <= year <= last:
            raise InvalidInput(f"the holiday calendar covers {first} to {last}, not {year}: rebuild the table")
        days.update(date(year, int(mmdd[:2]), int(mmdd[2:])) for mmdd in by_year[str(year)].split())
    return frozenset(days)


@cache
def holidays_around(country: str, year: int) -> frozenset[date]:
    """The national holidays of the year before, the year and the year after: what an evaluation in `year` reads (a
    ladder spans a year's end). The policy's local holidays are added by `dunning.business_calendar`."""
    return business_holidays(country, range(year - 1, year + 2))
