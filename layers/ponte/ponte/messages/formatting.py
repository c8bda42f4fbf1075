"""Locale-aware formats for money, dates and moments, from CLDR through Babel."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from collections.abc import Mapping

    from babel import Locale as BabelLocale

    from ponte.domain.accounts import Locale
    from ponte.domain.money import Money


# CLDR patterns: pt-BR's numeric day-month order is the one its readers expect; Spanish and English readers meet both
# orders, so the month is named. 24-hour times everywhere but in English.
_DATE: dict[Locale, str] = {"pt-BR": "dd/MM/yyyy", "es": "d MMM yyyy", "en": "d MMM yyyy"}
_TIME: dict[Locale, str] = {"pt-BR": " HH:mm", "es": ", H:mm", "en": ", h:mm a"}
LocalDate = date  # `Formatter.date` is a method: in its class, `date` names it


@cache
def _babel_locale(locale: Locale) -> BabelLocale:
    from babel import Locale as BabelLocale  # noqa: PLC0415 - Babel's data loads only when a message is rendered

    return BabelLocale.parse(locale, sep="-")


class Formatter:
    """Formats values for one locale, showing moments in the business's time zone, and staff by name (`names`:
    each person's name by id, from the staff directory; a person it does not name is shown as the account holds
    them)."""

    def __init__(self, locale: Locale, time_zone: str, names: Mapping[str, str] | None = None) -> None:
        self.locale = locale
        self._babel = _babel_locale(locale)
        self._zone = ZoneInfo(time_zone)
        self._names = names or {}

    def person(self, staff_id: str | None) -> str:
        """The person's name, as staff know them; empty for nobody."""
        return self._names.get(staff_id, staff_id) if staff_id else ""

    def money(self, value: Money) -> str:
        from babel.numbers import format_currency  # noqa: PLC0415

        return str(format_currency(value.to_decimal(), value.currency, locale=self._babel))

    def date(self, value: date) -> str:
        """The date in a form no reader can take for another: a four-digit year, and the month by name where the
        locale's numeric form is ambiguous (`10/12/2026`; `10 dic 2026`; `10 Dec 2026`)."""
        from babel.dates import format_date  # noqa: PLC0415

        return str(format_date(value, format=_DATE[self.locale], locale=self._babel))

    def count(self, number: int, forms: dict[str, str]) -> str:
        """`number` with the noun in the form CLDR's plural rules choose for this locale (`forms` keyed by plural
        category: `one`, `other`, and `many` where the locale has it; `{n}` is the number, formatted)."""
        from babel.numbers import format_decimal  # noqa: PLC0415

        category = self._babel.plural_form(number)
        form = forms.get(category) or forms["other"]
        return form.format(n=format_decimal(number, locale=self._babel))

    def day_of(self, value: datetime) -> LocalDate:
        """The business's local date at the moment `value` (to say "today" in a notice)."""
        return value.astimezone(self._zone).date()

    def moment(self, value: datetime) -> str:
        from babel.dates import format_datetime  # noqa: PLC0415

        pattern = f"{_DATE[self.locale]}{_TIME[self.locale]}"
        return str(format_datetime(value.astimezone(self._zone), format=pattern, locale=self._babel))
