"""Go-live: a debt Ponte first learns of long after its due date (an opening import, a back-dated NF-e).

The ladder starts on the day the debt became known, with its first overdue notice; the final warning still names
a deadline the full notice period ahead, and nothing is suspended or handed off before that deadline has passed.
A debt known before its due date runs the ladder exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ponte.calendar import business_holidays
from ponte.domain.accounts import AccountStatus
from ponte.domain.dunning import (
    Action,
    AlertStaff,
    Decision,
    HandOff,
    Holds,
    NotifyCustomer,
    Receivable,
    SentNotice,
    Suspend,
    evaluate,
)
from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Party, SourceFormat
from ponte.domain.ledger import InvoiceRecord, Ledger
from ponte.domain.money import Money
from ponte.domain.policy import Policy, StepKind, default_policy
from tests.unit.dunning.dunning_support import CALENDAR, TZ, ZONE, account, at

DEFAULT = default_policy()
BR_HOLIDAYS = business_holidays("BR", range(2023, 2030))
POLICIES = [(DEFAULT, BR_HOLIDAYS), (CALENDAR, frozenset[date]())]
DAILY_LOOK = time(10)  # the sweep; evaluations also happen whenever a decision asks for one


def owed(due: date, known_since: datetime | None, amount: int = 150_000) -> Receivable:
    return Receivable(
        invoice_id="NF-123",
        due_date=due,
        amount_due=Money(amount=amount, currency="BRL"),
        outstanding=Money(amount=amount, currency="BRL"),
        known_since=known_since,
    )


@dataclass
class Ladder:
    """The account played the way the service plays it: evaluate, carry out, record, evaluate again when asked."""

    receivable: Receivable
    rules: Policy = DEFAULT
    holidays: frozenset[date] = BR_HOLIDAYS
    status: AccountStatus = AccountStatus.ACTIVE
    version: int = 0
    sent: list[SentNotice] = field(default_factory=list)
    done: list[tuple[datetime, Action]] = field(default_factory=list)

    def run(self, start: datetime, days: int) -> list[tuple[datetime, Action]]:
        end = start + timedelta(days=days)
        daily = datetime.combine(start.astimezone(ZONE).date() + timedelta(days=1), DAILY_LOOK, tzinfo=ZONE)
        now = start
        while now <= end:
            asked = self.look(now)
            now = min(moment for moment in (daily, asked) if moment is not None)
            if now == daily:
                daily += timedelta(days=1)
        return self.done

    def look(self, now: datetime) -> datetime | None:
        decision = self.decide(now)
        if decision.actions or decision.new_status is not self.status:
            self.version += 1
        self.status = decision.new_status
        for action in decision.actions:
            self.done.append((now, action))
            match action:
                case NotifyCustomer():
                    self.sent.append(
                        SentNotice(step_id=action.step_id, sent_at=now, channel="email", deadline=action.deadline)
                    )
                case HandOff() | AlertStaff(step_id=str()):
                    assert action.step_id is not None
                    self.sent.append(SentNotice(step_id=action.step_id, sent_at=now, channel="staff"))
        assert self.decide(now).actions == (), "a second evaluation at the same moment must do nothing"
        return decision.next_evaluation_at

    def decide(self, now: datetime) -> Decision:
        return evaluate(
            account(self.status, self.version),
            [self.receivable],
            Holds(),
            self.sent,
            now=now,
            policy=self.rules,
            time_zone=TZ,
            holidays=self.holidays,
        )


def steps(done: list[tuple[datetime, Action]]) -> list[tuple[str, str | None, datetime, date | None]]:
    """What happened, as the account's timeline shows it: (action, step, when, deadline named)."""
    return [
        (action.kind, getattr(action, "step_id", None), when.astimezone(ZONE), getattr(action, "deadline", None))
        for when, action in done
    ]


# An invoice of R$ 1.500,00 due Friday 2 January 2026, first imported on Tuesday 3 March 2026 at 10:00: 60 days late.
DUE = date(2026, 1, 2)
IMPORTED = at(date(2026, 3, 3), 10)


def test_the_first_notice_of_a_debt_imported_60_days_late_is_an_overdue_notice() -> None:
    decision = Ladder(owed(DUE, IMPORTED)).decide(IMPORTED)

    assert [(a.kind, getattr(a, "step_id", None)) for a in decision.actions] == [("notify_customer", "overdue-1")]
    (notice,) = decision.actions
    assert isinstance(notice, NotifyCustomer)
    assert notice.step_kind is StepKind.OVERDUE_NOTICE
    assert notice.deadline is None
    assert notice.anchor == DUE
    assert notice.invoices[0].days_late == 60
    assert decision.new_status is AccountStatus.OVERDUE


def test_without_knowing_when_it_was_imported_the_same_debt_gets_the_final_warning_first() -> None:
    decision = Ladder(owed(DUE, None)).decide(IMPORTED)

    assert [getattr(a, "step_kind", None) for a in decision.actions] == [StepKind.FINAL_WARNING]


@pytest.mark.parametrize(
    ("provider_recorded", "first_step"),
    [(None, StepKind.OVERDUE_NOTICE), (at(date(2025, 12, 20)), StepKind.FINAL_WARNING)],
    ids=["only the import", "the provider reported it before its due date"],
)
def test_the_ledger_tells_the_ladder_when_a_sale_became_known(
    provider_recorded: datetime | None, first_step: StepKind
) -> None:
    brl = Money(amount=150_000, currency="BRL")

    def record(key: str, source: SourceFormat, recorded_at: datetime) -> InvoiceRecord:
        return InvoiceRecord(
            invoice=Invoice(
                key=key,
                number=key,
                kind=InvoiceKind.INVOICE,
                issue_date=None,
                currency="BRL",
                total=brl,
                installments=(Installment(number="1", due_date=DUE, amount=brl),),
                customer=Party(name="Padaria Pão Quente"),
                source=source,
            ),
            recorded_at=recorded_at,
            origin="test",
        )

    records = [record("NF-123", SourceFormat.NFE, IMPORTED)]
    if provider_recorded is not None:
        records.append(record("in_123", SourceFormat.PROVIDER, provider_recorded))
    book = Ledger(account=account(), invoices=tuple(records))

    (receivable,) = book.receivables()
    decision = Ladder(receivable).decide(IMPORTED)

    assert receivable.known_since == (provider_recorded or IMPORTED)
    assert [getattr(a, "step_kind", None) for a in decision.actions] == [first_step]


def test_the_ladder_of_a_debt_imported_60_days_late_runs_from_the_import_day() -> None:
    # Business days from Monday 2 March: overdue-5 on 9/3, the final warning on 16/3 naming Monday 23/3 (the day
    # before suspension at 15 is Sunday 22/3, at least 3 days ahead, and a deadline falls on a business day), so
    # suspension on 24/3, the first business day after it; hand-off at 30 on 14/4 (3/4 is Good Friday).
    done = Ladder(owed(DUE, IMPORTED)).run(IMPORTED, days=60)

    assert steps(done) == [
        ("notify_customer", "overdue-1", IMPORTED, None),
        ("notify_customer", "overdue-5", at(date(2026, 3, 9), 8), None),
        ("notify_customer", "final-warning", at(date(2026, 3, 16), 8), date(2026, 3, 23)),
        ("suspend", None, at(date(2026, 3, 24), 0), None),
        ("hand_off", "collections", at(date(2026, 4, 14), 0), None),
    ]
    warned_on = date(2026, 3, 16)
    assert date(2026, 3, 23) >= warned_on + timedelta(days=DEFAULT.deadline_notice_days)


@pytest.mark.parametrize(
    ("imported", "first_notice"),
    [
        (at(date(2026, 3, 3), 10), at(date(2026, 3, 3), 10)),
        (at(date(2026, 3, 3), 22, 30), at(date(2026, 3, 4), 8)),  # quiet hours: the next morning
        (at(date(2026, 3, 7), 10), at(date(2026, 3, 9), 8)),  # a Saturday: the first business day
        (at(date(2026, 4, 3), 10), at(date(2026, 4, 6), 8)),  # Good Friday: the Monday after
    ],
    ids=["on a Tuesday", "in quiet hours", "on a Saturday", "on a holiday"],
)
def test_the_first_overdue_notice_goes_out_as_soon_as_the_ladder_may(
    imported: datetime, first_notice: datetime
) -> None:
    done = Ladder(owed(DUE, imported)).run(imported, days=10)

    assert steps(done)[0] == ("notify_customer", "overdue-1", first_notice, None)


@settings(max_examples=150, deadline=None)
@given(
    rules=st.sampled_from(POLICIES),
    imported_on=st.dates(date(2024, 1, 1), date(2028, 12, 31)),
    minute=st.integers(0, 24 * 60 - 1),
    days_late=st.integers(0, 400),
    amount=st.sampled_from([2_000, 4_999, 5_000, 150_000]),
)
def test_a_debt_imported_late_is_never_first_warned_and_never_acted_on_before_its_deadline(
    *, rules: tuple[Policy, frozenset[date]], imported_on: date, minute: int, days_late: int, amount: int
) -> None:
    policy, holidays = rules
    imported = at(imported_on, minute // 60, minute % 60)
    done = Ladder(owed(imported_on - timedelta(days=days_late), imported), policy, holidays).run(imported, days=60)

    notices = [(when, a) for when, a in done if isinstance(a, NotifyCustomer) and a.step_kind is not StepKind.REMINDER]
    assert notices, "60 days of an unpaid debt without an overdue notice"
    assert notices[0][1].step_kind is StepKind.OVERDUE_NOTICE
    warnings = [
        (when.astimezone(ZONE).date(), a.deadline) for when, a in notices if a.step_kind is StepKind.FINAL_WARNING
    ]
    for warned_on, deadline in warnings:
        assert deadline is not None and deadline >= warned_on + timedelta(days=policy.deadline_notice_days)
    for when, action in done:
        if not isinstance(action, Suspend | HandOff):
            continue
        day = when.astimezone(ZONE).date()
        named = [deadline for warned_on, deadline in warnings if warned_on < day]
        if isinstance(action, Suspend) or amount >= 5_000:  # the final warning applies from R$ 50,00
            assert named, f"{action.kind} on {day} without a final warning before it"
        assert all(deadline is not None and deadline < day for deadline in named), f"{action.kind} on {day}"


KNOWN_DUE = date(2026, 3, 10)
KNOWN_START = at(date(2026, 2, 20), 10)


def _ladder_known_since(known_since: datetime | None) -> list[tuple[str, str | None, datetime, date | None]]:
    return steps(Ladder(owed(KNOWN_DUE, known_since)).run(KNOWN_START, days=70))


@pytest.mark.parametrize(
    "known_since",
    [
        at(date(2025, 3, 1)),
        KNOWN_START,
        at(KNOWN_DUE, 0),
        at(KNOWN_DUE, 23, 59),
        at(KNOWN_DUE + timedelta(days=1), 7),  # the day the first overdue notice goes out
    ],
    ids=["a year before", "when the sweep starts", "the due date's first minute", "its last", "the next morning"],
)
def test_a_debt_known_before_its_first_overdue_notice_runs_the_ladder_as_before(known_since: datetime) -> None:
    before = _ladder_known_since(None)

    assert [step for _, step, _, _ in before] == [
        "reminder-3",
        "due-today",
        "overdue-1",
        "overdue-5",
        "final-warning",
        None,  # suspension
        "collections",
    ]
    assert _ladder_known_since(known_since) == before


def test_a_debt_known_only_after_its_first_overdue_notice_is_due_runs_later() -> None:
    assert _ladder_known_since(at(KNOWN_DUE + timedelta(days=2), 7)) != _ladder_known_since(None)


@settings(max_examples=60, deadline=None)
@given(
    rules=st.sampled_from(POLICIES),
    known_on=st.dates(date(2024, 1, 1), date(2028, 10, 31)),
    minute=st.integers(0, 24 * 60 - 1),
    due_in=st.integers(1, 40),
    amount=st.sampled_from([2_000, 150_000]),
)
def test_a_debt_known_before_its_due_date_runs_exactly_as_before(
    *, rules: tuple[Policy, frozenset[date]], known_on: date, minute: int, due_in: int, amount: int
) -> None:
    policy, holidays = rules
    known = at(known_on, minute // 60, minute % 60)
    due = known_on + timedelta(days=due_in)

    def run(known_since: datetime | None) -> list[tuple[str, str | None, datetime, date | None]]:
        return steps(Ladder(owed(due, known_since, amount), policy, holidays).run(known, days=due_in + 60))

    assert run(known) == run(None)
