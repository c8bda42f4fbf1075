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


def test_the_layers_table_is_what_the_holidays_library_says_for_every_country_and_year() -> None:
    """The table is built at build time (`python -m infra.scripts.holiday_table`); a new release of the library
    that changes a holiday fails here until the table is rebuilt."""
    import holidays as library

    from infra.scripts.holiday_table import COUNTRIES, FIRST_YEAR, LAST_YEAR

    years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    for country in COUNTRIES:
        assert business_holidays(country, years) == frozenset(library.country_holidays(country, years=years)), country


def test_a_year_outside_the_table_is_refused_with_what_to_do() -> None:
    with pytest.raises(InvalidInput, match="rebuild the table"):
        business_holidays("BR", [2019])


def test_reading_the_calendar_does_not_import_the_holidays_library() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    layer = Path(__file__).resolve().parents[3] / "layers" / "ponte"
    probe = "import sys; from ponte.calendar import business_holidays; business_holidays('BR', [2026]); "
    probe += "print('holidays' in sys.modules)"
    environment = {**os.environ, "PYTHONPATH": str(layer)}
    answer = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=environment)
    assert answer.stdout.strip() == "False"


def test_the_template_offers_exactly_the_countries_of_the_table() -> None:
    from pathlib import Path

    from infra.local.template import load_template
    from ponte.calendar import covered_countries

    template = load_template(Path(__file__).resolve().parents[3] / "template.yaml")
    assert tuple(sorted(template["Parameters"]["BusinessCountry"]["AllowedValues"])) == covered_countries()
