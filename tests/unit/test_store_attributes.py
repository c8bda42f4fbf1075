"""The store's sort-key timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ponte.adapters.dynamodb import utc_key

NEW_YORK = ZoneInfo("America/New_York")


def test_a_moment_in_the_hour_a_clock_repeats_keeps_its_own_utc_key() -> None:
    # Given the same wall-clock time before and after New York set its clocks back (2026-11-01, 02:00 -> 01:00)
    first = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK)
    second = first.replace(fold=1)

    # Then each is keyed at its own instant, whichever is keyed first
    assert utc_key(first) == "2026-11-01T05:30:00Z"
    assert utc_key(second) == "2026-11-01T06:30:00Z"
    assert utc_key(first) == "2026-11-01T05:30:00Z"


def test_the_same_instant_in_any_zone_has_one_key() -> None:
    moment = datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("America/Sao_Paulo"))
    assert utc_key(moment) == utc_key(moment.astimezone(UTC)) == "2026-11-02T12:00:00Z"
