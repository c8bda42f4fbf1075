"""Business calendars: the national holidays that business-day counting skips.

Kept out of `ponte.domain` because it uses the `holidays` library; the dunning engine receives plain dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ponte.domain.errors import InvalidInput


def business_holidays(country: str, years: Iterable[int]) -> frozenset[date]:
    """The national public holidays of `country` (ISO 3166-1 alpha-2, e.g. "BR") in `years`.

    Regional and optional holidays are left out: a business that closes on them lists them itself.
    """
    import holidays  # noqa: PLC0415 - a large import, paid only by the functions that count business days

    try:
        calendar = holidays.country_holidays(country, years=sorted(set(years)))
    except NotImplementedError as exc:
        raise InvalidInput(f"no holiday calendar for country {country!r}") from exc
    return frozenset(calendar.keys())
