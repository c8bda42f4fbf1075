from datetime import date

import pytest

from ponte.calendar import business_holidays
from ponte.domain.errors import InvalidInput


def test_brazilian_national_holidays() -> None:
    holidays = business_holidays("BR", [2025, 2026])

    assert {date(2025, 4, 18), date(2025, 4, 21), date(2025, 12, 25), date(2026, 1, 1)} <= holidays
    assert date(2025, 4, 22) not in holidays
    assert all(day.year in (2025, 2026) for day in holidays)


def test_an_unknown_country_is_refused() -> None:
    with pytest.raises(InvalidInput, match="'XX'"):
        business_holidays("XX", [2025])
