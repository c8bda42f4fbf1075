"""Locale-aware formats for money, dates and moments, from CLDR through Babel."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from babel import Locale as BabelLocale

    from ponte.domain.accounts import Locale
    from ponte.domain.money import Money


@cache
def _babel_locale(locale: Locale) -> BabelLocale:
    from babel import Locale as BabelLocale  # noqa: PLC0415 - Babel's data loads only when a message is rendered

    return BabelLocale.parse(locale, sep="-")


class Formatter:
    """Formats values for one locale, showing moments in the business's time zone."""

    def __init__(self, locale: Locale, time_zone: str) -> None:
        self.locale = locale
        self._babel = _babel_locale(locale)
        self._zone = ZoneInfo(time_zone)

    def money(self, value: Money) -> str:
        from babel.numbers import format_currency  # noqa: PLC0415

        return str(format_currency(value.to_decimal(), value.currency, locale=self._babel))

    def date(self, value: date) -> str:
        from babel.dates import format_date  # noqa: PLC0415

        return str(format_date(value, format="short", locale=self._babel))

    def moment(self, value: datetime) -> str:
        from babel.dates import format_datetime  # noqa: PLC0415

        return str(format_datetime(value.astimezone(self._zone), format="short", locale=self._babel))
