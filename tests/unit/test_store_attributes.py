"""The store's sort-key timestamps, and the timeline a payment item carries."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ponte.adapters.dynamodb import HISTORY, _history_text, history_entries, utc_key
from ponte.domain.accounts import TimelineEntry

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


def test_the_timeline_a_payment_item_carries_reads_back_as_written() -> None:
    """The entries a payment's delivery recorded (`HISTORY`), written in one pass of pydantic's serializer and read
    back as the timeline shows them: quotes, accents and numbers alike."""
    entries = [
        (
            f"TIMELINE#2026-11-02T12:00:00Z#{n}",
            TimelineEntry(
                account_id="acme",
                at=datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("America/Sao_Paulo")),
                what="payment.received",
                why=f'R$ 10,00 da "Padaria São João" — pagamento {n}',
                source="stripe:evt_1",
                facts={"matched_by": "oldest", "attempts": n} if n else {},
            ),
        )
        for n in range(3)
    ]
    text = _history_text(entries)
    assert history_entries([{HISTORY: text}]) == entries
