"""Build the layer's holiday table from the maintained `holidays` library (a build-time dependency).

    .venv/bin/python -m infra.scripts.holiday_table     # rewrites layers/ponte/ponte/holidays.json

The functions read the table instead of importing `holidays` at run time (which loads every country's module on the
cold path). `tests/unit/test_business_calendar.py` fails when the table and the library disagree, so a new release
of the library is a regenerate-and-commit.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

# The countries a business may set as BusinessCountry (the template's AllowedValues), and the years covered.
COUNTRIES = ("AR", "BO", "BR", "CA", "CL", "CO", "CR", "DO", "EC", "ES", "GB", "GT", "MX", "PA", "PE", "PT", "PY",
             "US", "UY")  # fmt: skip
FIRST_YEAR, LAST_YEAR = 2020, 2045
TABLE = Path(__file__).resolve().parents[2] / "layers" / "ponte" / "ponte" / "holidays.json"


def build() -> dict[str, object]:
    import holidays  # noqa: PLC0415

    years = range(FIRST_YEAR, LAST_YEAR + 1)
    countries: dict[str, dict[str, str]] = {}
    for country in COUNTRIES:
        days = sorted(holidays.country_holidays(country, years=list(years)))
        countries[country] = {
            str(year): " ".join(f"{day:%m%d}" for day in days if day.year == year) for year in years
        }  # "MMDD MMDD ...", per year: a third of ISO dates' size
    return {
        "source": f"holidays {version('holidays')}: national public holidays",
        "years": [FIRST_YEAR, LAST_YEAR],
        "countries": countries,
    }


def main() -> int:
    TABLE.write_text(json.dumps(build(), separators=(",", ":"), sort_keys=True) + "\n")
    print(f"wrote {TABLE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
