"""For any valid policy and any business calendar (national holidays and the policy's local ones), counted in calendar
or business days: no deadline named to a customer, no suspension and no hand-off falls on a weekend or a holiday.

The ladder runs day by day on the in-memory store, as the worker runs it, for accounts that each owe one invoice
due somewhere in 2026 and never pay it, some with a hold staff set on the way (a dispute, an exemption, an extension,
a promise) whose end may fall on any day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ponte.domain.accounts import HoldKind, StaffHold
from ponte.domain.bodies.collections import CollectionNotice
from ponte.domain.ledger import Ledger
from ponte.domain.policy import Policy, default_policy_text, load_policy
from ponte.services.dunning import Collections, Job, evaluate_account
from tests.collections_support import TZ, ZONE, account, invoice, local
from tests.memory_store import MemoryBook, MemoryLedgerStore

YEAR = 2026
BEFORE_DUE = timedelta(days=7)


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    """A valid ladder: reminders on or before the due date, overdue notices, a final warning at least
    `deadline_notice_days` before the day before suspension, a suspension, a hand-off; any of them may be left out
    (a final warning only with a suspension, which needs one)."""
    notice_days = draw(st.integers(1, 7))
    reminders = sorted(draw(st.sets(st.integers(-5, 0), max_size=2)))
    overdue = sorted(draw(st.sets(st.integers(1, 8), max_size=2)))
    steps: list[dict[str, Any]] = [{"id": f"reminder{o}", "kind": "reminder", "offset_days": o} for o in reminders]
    steps += [{"id": f"overdue{o}", "kind": "overdue_notice", "offset_days": o} for o in overdue]
    last = max(overdue, default=0)
    if draw(st.booleans()) or not steps:
        warning = draw(st.integers(last + 1, last + 6))
        suspend = draw(st.integers(warning + notice_days + 1, warning + notice_days + 6))
        steps.append({"id": "final-warning", "kind": "final_warning", "offset_days": warning})
        step: dict[str, Any] = {"id": "suspend", "kind": "suspend", "offset_days": suspend}
        if draw(st.booleans()):
            step["min_amount"] = {"BRL": 5000}
        steps.append(step)
        last = suspend
    if draw(st.booleans()):
        steps.append({"id": "collections", "kind": "hand_off", "offset_days": draw(st.integers(last + 1, last + 15))})
    document = json.loads(default_policy_text())
    document.update(
        day_count=draw(st.sampled_from(["calendar", "business"])),
        deadline_notice_days=notice_days,
        quiet_hours=draw(st.sampled_from([None, {"start": "21:00", "end": "08:00"}])),
        steps=steps,
        local_holidays=draw(local_holidays()),
    )
    document["fees"]["mode"] = draw(st.sampled_from(["informational", "charged"]))
    return load_policy(json.dumps(document))


def local_holidays() -> st.SearchStrategy[list[dict[str, str]]]:
    every_year = st.dates(date(2000, 1, 1), date(2000, 12, 31)).map(lambda d: f"{d:%m-%d}")
    once = st.dates(date(YEAR, 1, 1), date(YEAR + 1, 6, 30)).map(date.isoformat)
    return st.lists(st.one_of(every_year, once), max_size=8, unique=True).map(
        lambda days: [{"on": day, "name": "local"} for day in days]
    )


@st.composite
def national_holidays(draw: st.DrawFn) -> frozenset[date]:
    """Single days, and runs of several in a row (a long weekend, Carnival), from the year before to the year after."""
    days = draw(st.sets(st.dates(date(YEAR - 1, 12, 1), date(YEAR + 1, 6, 30)), max_size=25))
    for start, length in draw(st.lists(st.tuples(st.dates(date(YEAR, 1, 1), date(YEAR, 12, 31)), st.integers(2, 5)))):
        days |= {start + timedelta(days=n) for n in range(length)}
    return frozenset(days)


@dataclass(frozen=True)
class Debt:
    due: date
    hold: HoldKind | None = None
    set_days: int = 0  # from the due date to the day staff set the hold
    hold_days: int = 0  # from that day to the hold's last day


debts = st.lists(
    st.builds(
        Debt,
        due=st.dates(date(YEAR, 1, 1), date(YEAR, 12, 31)),
        hold=st.sampled_from([None, *HoldKind]),
        set_days=st.integers(0, 30),
        hold_days=st.integers(0, 20),
    ),
    min_size=1,
    max_size=4,
)


@dataclass
class Book:
    """The accounts on the in-memory store, the worker's dependencies, and what is a business day."""

    policy: Policy
    holidays: frozenset[date]
    store: MemoryLedgerStore = field(default_factory=lambda: MemoryLedgerStore(notices_accepted=True))

    def __post_init__(self) -> None:
        local_days = {
            date.fromisoformat(h.on if len(h.on) == 10 else f"{year}-{h.on}")
            for h in self.policy.local_holidays
            for year in range(YEAR - 1, YEAR + 3)
            if len(h.on) == 10 or h.on != "02-29" or year % 4 == 0
        }
        self.closed = self.holidays | local_days
        self.deps = Collections(
            store=self.store,
            book=MemoryBook(),
            policy=self.policy,
            time_zone=TZ,
            holidays=self.holidays,
            staff_locale="pt-BR",
        )

    def business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.closed

    def run(self, number: int, debt: Debt, hour: int) -> str:
        """Open an account owing `debt` and run the ladder every day at `hour`, long enough for the whole ladder:
        its last step in business days, holidays, and the hold."""
        account_id, key = f"acc-{number}", f"NF-{number}"
        self.store.ledgers[account_id] = Ledger(account=account(account_id), invoices=(invoice(key, debt.due),))
        last_step = max(step.offset_days for step in self.policy.steps)
        day, last = debt.due - BEFORE_DUE, debt.due + timedelta(days=last_step * 7 // 5 + 25)
        if debt.hold is not None:
            last += timedelta(days=debt.set_days + debt.hold_days)
        while day <= last:
            now = local(day, hour)
            if debt.hold is not None and day == debt.due + timedelta(days=debt.set_days):
                self._hold(account_id, debt, key, now)
            evaluate_account(Job(account_id=account_id, now=now, run=now.isoformat()), self.deps)
            day += timedelta(days=1)
        return account_id

    def _hold(self, account_id: str, debt: Debt, key: str, now: datetime) -> None:
        assert debt.hold is not None
        hold = StaffHold(
            kind=debt.hold,
            until=now.date() + timedelta(days=debt.hold_days),
            set_by="sub-ana",
            set_by_name="Ana",
            set_at=now - timedelta(minutes=1),
            reason="a test",
            invoice_key=key if debt.hold is HoldKind.DISPUTE else None,
        )
        ledger = self.store.ledgers[account_id]
        held = ledger.account.model_copy(update={"holds": (hold,)})
        self.store.ledgers[account_id] = ledger.model_copy(update={"account": held})


@settings(max_examples=30, deadline=None)
@given(policy=policies(), holidays=national_holidays(), owed=debts, hour=st.integers(0, 23))
def test_no_deadline_suspension_or_hand_off_falls_on_a_day_that_is_not_a_business_day(
    policy: Policy, holidays: frozenset[date], owed: list[Debt], hour: int
) -> None:
    book = Book(policy, holidays)
    for number, debt in enumerate(owed):
        book.run(number, debt, hour)

    assert_promises_on_business_days(book)


def assert_promises_on_business_days(book: Book) -> None:
    for ledger in book.store.ledgers.values():
        for notice in ledger.notices:
            assert notice.deadline is None or book.business_day(notice.deadline), f"deadline {notice.deadline}"
    for entry in book.store.timeline:
        day = entry.at.astimezone(ZONE).date()
        if entry.what in {"account.suspended", "collections.hand_off"}:
            assert book.business_day(day), f"{entry.what} on {day:%a %d/%m/%Y}"
        if entry.what == "account.suspended":
            assert book.business_day(date.fromisoformat(str(entry.facts["deadline"])))
    for notification in book.store.outbox:
        body = notification.body
        if isinstance(body, CollectionNotice):
            # The deadline, and what the notice says comes next: the suspension (its deadline and its day).
            named = [body.deadline, *(s.deadline for s in body.plan), *(s.on for s in body.plan if s.kind == "suspend")]
            for named_day in named:
                assert named_day is None or book.business_day(named_day), f"{notification.event_type}: {named_day}"


def test_the_deadline_suspension_and_hand_off_move_to_the_next_business_day() -> None:
    """The default ladder counted in calendar days, for a debt due on Sunday 15 November 2026, with 20/11 a national
    holiday and 30/11 and 15/12 local ones: the day before suspension, 29/11, is a Sunday and 30/11 a holiday, so the
    final warning names Tuesday 1/12 and the suspension is on Wednesday 2/12; the hand-off at 30 days, 15/12, waits
    for 16/12."""
    document = json.loads(default_policy_text())
    document.update(day_count="calendar", local_holidays=[{"on": "11-30"}, {"on": "2026-12-15"}])
    book = Book(load_policy(json.dumps(document)), frozenset({date(YEAR, 11, 20)}))
    account_id = book.run(0, Debt(due=date(YEAR, 11, 15)), 9)

    assert_promises_on_business_days(book)
    warned = [n for n in book.store.ledgers[account_id].notices if n.deadline is not None]
    assert {n.deadline for n in warned} == {date(YEAR, 12, 1)}
    [suspended] = [e for e in book.store.timeline if e.what == "account.suspended"]
    assert suspended.at == local(date(YEAR, 12, 2), 9)
    [handed_off] = [e for e in book.store.timeline if e.what == "collections.hand_off"]
    assert handed_off.at == local(date(YEAR, 12, 16), 9)
