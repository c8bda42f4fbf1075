"""The holds staff set, one row each, on the ladder of `test_dunning_ladder`: one invoice of R$ 1.500,00 due on Monday
10 March 2025, counted in calendar days: the final warning on 20/3 naming 24/3 as the deadline, suspension on 25/3,
hand-off on 9/4.

- a dispute hold leaves the invoice out of the ladder until it ends; then the ladder resumes where it stood;
- an exemption suspends nothing through its date (a suspended account is reactivated), then the ladder resumes;
- an extension moves the deadline: a warning not yet sent names the later one, a suspension waits for it;
- a promise holds the steps until the day after it; once it lapses unpaid, whoever granted it is told (once) and a
  suspension needs a deadline named after it was granted: the final warning goes out again;
- staff reactivating a suspended account lifts the suspension and voids its deadline: a fresh final warning must
  run its notice period before another.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest

from ponte.domain.accounts import AccountStatus
from ponte.domain.dunning import (
    AlertReason,
    AlertStaff,
    Holds,
    NotifyCustomer,
    PaidPart,
    PromiseToPay,
    Reactivate,
    Receivable,
    SentNotice,
    Suspend,
    business_days_between,
    shift_business_days,
)
from ponte.domain.money import Money
from tests.unit.dunning.dunning_support import ZONE, at, decide, invoice, sent, summary

ACTIVE, OVERDUE, SUSPENDED = AccountStatus.ACTIVE, AccountStatus.OVERDUE, AccountStatus.SUSPENDED
DUE = date(2025, 3, 10)
A = invoice("A", DUE)
B = invoice("B", DUE, 3_000)  # under the suspension's minimum alone


def day(n: int, month: int = 3) -> date:
    return date(2025, month, n)


O1 = sent("overdue-1", at(day(11), 8))
O5 = sent("overdue-5", at(day(15), 8))
FW = sent("final-warning", at(day(20), 8), deadline=day(24))
WARNED = [O1, O5, FW]
PROMISE = PromiseToPay(until=day(18), granted_at=at(day(17), 10), granted_by="ana")


@dataclass(frozen=True)
class Case:
    name: str
    now: datetime
    holds: Holds
    expected_status: AccountStatus
    expected_actions: list[tuple[str, str | None]]
    expected_next: datetime | None
    receivables: list[Receivable] = field(default_factory=lambda: [A])
    notices: list[SentNotice] = field(default_factory=lambda: list(WARNED))
    status: AccountStatus = OVERDUE


CASES = [
    # Dispute holds.
    Case(
        "a held invoice owes nothing to the ladder",
        at(day(21)),
        Holds(disputed_until={"A": day(28)}),
        ACTIVE,
        [("clear", None)],
        at(day(29), 0),
    ),
    Case(
        "a held invoice does not lift a suspension's debt of others",
        at(day(26)),
        Holds(disputed_until={"B": day(28)}),
        SUSPENDED,
        [("suspend", None)],
        at(day(29), 0),
        [A, B],
    ),  # B comes back on the 29th
    Case(
        "the day after the hold, a Saturday, the suspension waits for the first business day",
        at(day(29), 9),
        Holds(disputed_until={"A": day(28)}),
        OVERDUE,
        [],
        at(day(31), 0),
        status=ACTIVE,
    ),
    Case(
        "on the first business day after the hold, the ladder resumes where it stood",
        at(day(31), 9),
        Holds(disputed_until={"A": day(28)}),
        SUSPENDED,
        [("suspend", None)],
        at(day(9, 4), 0),
        status=ACTIVE,
    ),
    Case(
        "a hold that ended long ago changes nothing",
        at(day(21)),
        Holds(disputed_until={"A": day(12)}),
        OVERDUE,
        [],
        at(day(25), 0),
    ),
    # Exemptions.
    Case("an exempt account is not suspended", at(day(26)), Holds(exempt_until=day(31)), OVERDUE, [], at(day(1, 4), 0)),
    Case(
        "an exemption reactivates a suspended account",
        at(day(26)),
        Holds(exempt_until=day(31)),
        OVERDUE,
        [("reactivate", None)],
        at(day(1, 4), 0),
        status=SUSPENDED,
    ),
    Case(
        "the day after the exemption, the suspension",
        at(day(1, 4), 0),
        Holds(exempt_until=day(31)),
        SUSPENDED,
        [("suspend", None)],
        at(day(9, 4), 0),
    ),
    # Extensions.
    Case(
        "a deadline moved: no suspension the day after the named one",
        at(day(25), 9),
        Holds(deadline_not_before=day(27)),
        OVERDUE,
        [],
        at(day(28), 0),
    ),
    Case(
        "a deadline moved: the suspension the day after the new one",
        at(day(28), 0),
        Holds(deadline_not_before=day(27)),
        SUSPENDED,
        [("suspend", None)],
        at(day(9, 4), 0),
    ),
    Case(
        "a deadline moved before the warning: the warning names it",
        at(day(20), 9),
        Holds(deadline_not_before=day(27)),
        OVERDUE,
        [("notify_customer", "final-warning")],
        at(day(28), 0),
        notices=[O1, O5],
    ),
    # Promises.
    Case(
        "a promise holds the steps", at(day(18), 9), Holds(promise=PROMISE), OVERDUE, [], at(day(19), 0), notices=[O1]
    ),
    Case(
        "a lapsed promise: its granter is told, and the next notice goes out",
        at(day(19), 9),
        Holds(promise=PROMISE),
        OVERDUE,
        [("notify_customer", "overdue-5"), ("alert_staff", None)],
        at(day(20), 8),
        notices=[O1],
    ),
    Case(
        "a promise kept by paying what was promised: nobody is told",
        at(day(19), 9),
        Holds(promise=PROMISE.model_copy(update={"amount": Money(amount=50_000, currency="BRL")})),
        OVERDUE,
        [("notify_customer", "overdue-5")],
        at(day(20), 8),
        [invoice("A", DUE, 150_000, 100_000).model_copy(update={"paid": (PaidPart(at=at(day(18)), amount=50_000),)})],
        [O1],
    ),
    Case(
        "a lapsed promise voids the deadline named before it: a fresh warning",
        at(day(26), 9),
        Holds(promise=PROMISE.model_copy(update={"granted_at": at(day(21), 10), "until": day(25)})),
        OVERDUE,
        [("notify_customer", "final-warning"), ("alert_staff", None)],
        at(day(1, 4), 0),  # the fresh deadline is Monday 31/3 (29/3 is a Saturday)
    ),
    # Reactivation by staff.
    Case(
        "staff reactivate: the suspension is lifted, a fresh warning goes out",
        at(day(26), 10),
        Holds(reactivated_at=at(day(26), 10)),
        OVERDUE,
        [("reactivate", None), ("notify_customer", "final-warning")],
        at(day(1, 4), 0),
        status=SUSPENDED,
    ),
    Case(
        "after staff reactivated: suspended again only past the fresh deadline",
        at(day(1, 4), 0),
        Holds(reactivated_at=at(day(26), 10)),
        SUSPENDED,
        [("suspend", None)],
        at(day(9, 4), 0),
        notices=[*WARNED, sent("final-warning", at(day(26), 10), deadline=day(31))],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_the_holds(case: Case) -> None:
    decision = decide(case.now, case.receivables, notices=case.notices, status=case.status, holds=case.holds)

    assert decision.new_status is case.expected_status
    assert summary(decision) == case.expected_actions
    assert decision.next_evaluation_at == case.expected_next


def test_a_moved_deadline_is_the_one_the_suspension_record_names() -> None:
    decision = decide(at(day(28), 0), [A], notices=WARNED, status=OVERDUE, holds=Holds(deadline_not_before=day(27)))

    [suspension] = [a for a in decision.actions if isinstance(a, Suspend)]
    assert suspension.record.deadline == day(27)


def test_a_deadline_moved_before_the_warning_is_named_in_it_and_planned() -> None:
    decision = decide(at(day(18)), [A], notices=[O1, O5], status=OVERDUE, holds=Holds(deadline_not_before=day(27)))

    assert [(s.step_id, s.on, s.deadline) for s in decision.plan][:2] == [
        ("final-warning", day(20), day(27)),
        ("suspend", day(28), day(27)),
    ]


def test_notices_a_promise_moves_onto_one_day_are_planned_as_the_one_that_goes_out() -> None:
    """A promise granted before the first overdue notice, until 16/3: both overdue notices fall on the 17th, when only
    the latest goes out; the plan the customer and staff read says so, not two notices on one day."""
    promise = PromiseToPay(until=day(16), granted_at=at(day(10), 10), granted_by="ana")
    before = decide(at(day(12), 9), [A], status=OVERDUE, holds=Holds(promise=promise))

    assert [(s.step_id, s.on) for s in before.plan][:2] == [("overdue-5", day(17)), ("final-warning", day(20))]
    on_the_day = decide(at(day(17), 9), [A], status=OVERDUE, holds=Holds(promise=promise))
    assert [a.step_id for a in on_the_day.actions if isinstance(a, NotifyCustomer)] == ["overdue-5"]


def test_the_lapsed_promise_reaches_whoever_granted_it_once() -> None:
    holds = Holds(promise=PROMISE)
    first = decide(at(day(19), 9), [A], notices=[O1], status=OVERDUE, holds=holds)
    [alert] = [a for a in first.actions if isinstance(a, AlertStaff)]
    assert alert.reason is AlertReason.PROMISE_LAPSED and alert.addressee == "ana"
    assert alert.invoice_keys == ("A#1",)
    assert (alert.until, alert.invoices) == (day(18), ("NF-A",))  # what staff read: the day and the invoice's number

    told = SentNotice(step_id=alert.dedup_key, sent_at=at(day(19), 9), channel="staff")
    again = decide(at(day(20), 9), [A], notices=[O1, told], status=OVERDUE, holds=holds)
    assert not [a for a in again.actions if isinstance(a, AlertStaff)]


def test_a_promise_over_a_later_debt_is_not_lapsed() -> None:
    """A promise about an earlier debt that was paid says nothing of a new one."""
    later = invoice("C", day(25))
    decision = decide(at(day(27), 9), [later], status=OVERDUE, holds=Holds(promise=PROMISE))

    assert not [a for a in decision.actions if isinstance(a, AlertStaff)]


def test_the_fresh_warning_after_a_lapsed_promise_names_a_full_notice_period() -> None:
    promise = PROMISE.model_copy(update={"granted_at": at(day(21), 10), "until": day(25)})
    decision = decide(at(day(26), 9), [A], notices=WARNED, status=OVERDUE, holds=Holds(promise=promise))

    [warning] = [a for a in decision.actions if isinstance(a, NotifyCustomer)]
    assert warning.deadline == day(31)  # the day it goes out plus the three days' notice, Saturday 29/3: Monday
    assert warning.dedup_key != _first_warning_key()  # another notice, with its own outbox item and evidence


def _first_warning_key() -> str:
    decision = decide(at(day(20), 8), [A], notices=[O1, O5], status=OVERDUE)
    [warning] = [a for a in decision.actions if isinstance(a, NotifyCustomer)]
    return warning.dedup_key


def test_a_staff_reactivation_says_why_and_shows_what_is_owed() -> None:
    decision = decide(at(day(26), 10), [A], notices=WARNED, status=SUSPENDED, holds=Holds(reactivated_at=at(day(26))))

    [reactivation] = [a for a in decision.actions if isinstance(a, Reactivate)]
    assert reactivation.reason == "staff"
    assert reactivation.remaining == (Money(amount=150_000, currency="BRL"),)


def test_an_exemption_reactivates_as_an_exemption_and_plans_no_suspension() -> None:
    decision = decide(at(day(26)), [A], notices=WARNED, status=SUSPENDED, holds=Holds(exempt_until=day(31)))

    [reactivation] = [a for a in decision.actions if isinstance(a, Reactivate)]
    assert reactivation.reason == "exempt"
    assert all(step.kind != "suspend" for step in decision.plan)


def test_the_charges_show_every_installment_the_ladder_reads() -> None:
    upcoming = invoice("C", day(1, 4), 10_000)
    decision = decide(at(day(21)), [A, upcoming], notices=WARNED, status=OVERDUE)

    assert [(c.invoice_id, c.days_late) for c in decision.charges] == [("A", 11), ("C", 0)]


@pytest.mark.parametrize(
    ("start", "offset", "expected"),
    [
        (date(2025, 3, 14), 1, date(2025, 3, 17)),  # Friday + 1 business day: Monday
        (date(2025, 4, 17), 1, date(2025, 4, 22)),  # Good Friday and Tiradentes are holidays
        (date(2025, 3, 10), 5, date(2025, 3, 17)),
    ],
)
def test_business_days(start: date, offset: int, expected: date) -> None:
    holidays = frozenset({date(2025, 4, 18), date(2025, 4, 21)})

    assert shift_business_days(start, offset, holidays) == expected
    assert business_days_between(start, expected, holidays) == offset
    assert business_days_between(expected, start, holidays) == 0


def test_a_local_date_hold_ends_at_the_end_of_that_day() -> None:
    holds = Holds(disputed_until={"A": day(28)})
    late_evening = datetime.combine(day(28), datetime.max.time(), tzinfo=ZONE) - timedelta(minutes=1)

    assert decide(late_evening, [A], notices=WARNED, holds=holds).new_status is ACTIVE
