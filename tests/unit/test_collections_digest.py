"""The daily digest with in-memory fakes: one per business day, the overdue book by age, settled accounts dropped."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from ponte.domain.accounts import AccountStatus
from ponte.domain.ledger import Ledger
from ponte.domain.notifications import Notification
from ponte.domain.policy import Policy, default_policy, default_policy_text, load_policy
from ponte.services.digest import collections_digest
from tests.collections_support import TZ, account, invoice, local
from tests.memory_store import MemoryLedgerStore


@dataclass(frozen=True)
class Entry:
    account_id: str
    suspended_at: datetime | None = None


class Book:
    def __init__(self, *entries: Entry) -> None:
        self.listed = {e.account_id: e for e in entries}
        self.published: dict[str, Notification] = {}

    def entries(self) -> list[Entry]:
        return list(self.listed.values())

    def drop(self, account_id: str) -> None:
        self.listed.pop(account_id, None)

    def keep(self, account_id: str, status: AccountStatus, suspended_at: datetime | None, **listing: object) -> None:
        raise AssertionError("the digest only reads the book")

    def publish(self, notification: Notification, recorded_at: datetime, *, business_wide: bool = False) -> bool:
        if notification.notification_id in self.published:
            return False
        self.published[notification.notification_id] = notification
        return True


HOLIDAYS = frozenset({date(2026, 11, 20)})


def digest(book: Book, store: MemoryLedgerStore, day: date, policy: Policy | None = None) -> Notification | None:
    return collections_digest(
        book,
        store,
        book,
        now=local(day, 8),
        policy=policy or default_policy(),
        time_zone=TZ,
        holidays=HOLIDAYS,
        staff_locale="en",
    )


def test_the_digest_groups_the_overdue_book_by_age_and_lists_todays_suspensions() -> None:
    late = Ledger(
        account=account("late", status=AccountStatus.SUSPENDED),
        invoices=(invoice("A", date(2026, 10, 1), 50_000), invoice("B", date(2026, 11, 20), 20_000)),
    )
    paid = Ledger(account=account("paid", status=AccountStatus.OVERDUE))  # paid since it was listed
    store = MemoryLedgerStore(late, paid)
    book = Book(Entry("late", suspended_at=local(date(2026, 11, 30), 10)), Entry("paid"))

    note = digest(book, store, date(2026, 12, 1))  # Tuesday: since Monday's digest
    assert note is not None
    body = note.body.model_dump(mode="json")
    assert body["accounts_overdue"] == 1 and body["totals"] == [{"amount": 70_000, "currency": "BRL"}]
    assert [(b["from_days"], b["accounts"], b["amounts"]) for b in body["buckets"]] == [
        (1, 0, [{"amount": 20_000, "currency": "BRL"}]),
        (16, 0, []),
        (31, 0, []),
        (61, 1, [{"amount": 50_000, "currency": "BRL"}]),
    ]
    assert [a["account_id"] for a in body["suspended"]] == ["late"]
    assert set(book.listed) == {"late"}
    assert digest(book, store, date(2026, 12, 1)) is None  # once a day


def test_no_digest_on_weekends_or_holidays() -> None:
    assert digest(Book(), MemoryLedgerStore(), date(2026, 11, 21)) is None  # Saturday
    assert digest(Book(), MemoryLedgerStore(), date(2026, 11, 20)) is None  # national holiday


def test_no_digest_on_a_local_holiday_of_the_policy() -> None:
    local_holiday = {"on": "11-24", "name": "Feriado municipal"}
    policy = load_policy(json.dumps({**json.loads(default_policy_text()), "local_holidays": [local_holiday]}))
    assert digest(Book(), MemoryLedgerStore(), date(2026, 11, 24), policy) is None  # a Tuesday, a holiday in the city
    assert digest(Book(), MemoryLedgerStore(), date(2026, 11, 25), policy) is not None
