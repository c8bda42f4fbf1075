"""The ladder step by step, for one invoice of R$ 1.500,00 due on Monday 10 March 2025 (São Paulo time).

With the default steps counted in calendar days: reminders on 7/3 and 10/3, overdue notices on 11/3 and 15/3, the
final warning on 20/3 naming 24/3 as the deadline, suspension on 25/3, hand-off to collections on 9/4.
Customer notices wait out the quiet hours (21:00 to 08:00).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

import pytest

from ponte.domain.accounts import AccountStatus
from ponte.domain.dunning import Holds, Receivable, SentNotice
from tests.unit.dunning.dunning_support import at, decide, invoice, sent, summary

ACTIVE, OVERDUE, SUSPENDED = AccountStatus.ACTIVE, AccountStatus.OVERDUE, AccountStatus.SUSPENDED
DUE = date(2025, 3, 10)
A = invoice("A", DUE)


def day(n: int, month: int = 3) -> date:
    return date(2025, month, n)


R3 = sent("reminder-3", at(day(7), 8))
R0 = sent("due-today", at(day(10), 8))
O1 = sent("overdue-1", at(day(11), 8))
O5 = sent("overdue-5", at(day(15), 8))
FW = sent("final-warning", at(day(20), 8), deadline=day(24))
UP_TO_WARNING = [R3, R0, O1, O5, FW]
WHOLE_LADDER = [*UP_TO_WARNING, sent("collections", at(day(9, 4)), channel="staff")]


@dataclass(frozen=True)
class Case:
    name: str
    now: datetime
    expected_status: AccountStatus
    expected_actions: list[tuple[str, str | None]]
    expected_next: datetime | None
    receivables: list[Receivable] = field(default_factory=lambda: [A])
    notices: list[SentNotice] = field(default_factory=list)
    status: AccountStatus = ACTIVE
    holds: Holds = field(default_factory=Holds)


def notify(step: str) -> tuple[str, str | None]:
    return ("notify_customer", step)


CASES = [
    # The ladder, one step at a time.
    Case("well before the due date", at(day(1)), ACTIVE, [], at(day(7), 8)),
    Case("three days before: a reminder", at(day(7)), ACTIVE, [notify("reminder-3")], at(day(10), 8)),
    Case("on the due date", at(day(10)), ACTIVE, [notify("due-today")], at(day(11), 0), notices=[R3]),
    Case("23:59 on the due date is not late", at(day(10), 23, 59), ACTIVE, [], at(day(11), 0), notices=[R3, R0]),
    Case("00:00 the next day is late; the notice waits", at(day(11), 0), OVERDUE, [], at(day(11), 8), notices=[R3, R0]),
    Case("08:00: the overdue notice", at(day(11), 8), OVERDUE, [notify("overdue-1")], at(day(15), 8), [A], [R3, R0]),
    Case("between steps", at(day(13)), OVERDUE, [], at(day(15), 8), notices=[R3, R0, O1], status=OVERDUE),
    Case(
        "the final warning",
        at(day(20), 8),
        OVERDUE,
        [notify("final-warning")],
        at(day(25), 0),
        notices=[R3, R0, O1, O5],
        status=OVERDUE,
    ),
    Case("the deadline day is not over", at(day(24), 23, 59), OVERDUE, [], at(day(25), 0), [A], UP_TO_WARNING, OVERDUE),
    Case(
        "the day after the deadline",
        at(day(25), 0),
        SUSPENDED,
        [("suspend", None)],
        at(day(9, 4), 0),
        [A],
        UP_TO_WARNING,
        OVERDUE,
    ),
    Case(
        "suspended, waiting for the hand-off",
        at(day(1, 4)),
        SUSPENDED,
        [],
        at(day(9, 4), 0),
        [A],
        UP_TO_WARNING,
        SUSPENDED,
    ),
    Case(
        "the hand-off", at(day(9, 4), 0), SUSPENDED, [("hand_off", "collections")], None, [A], UP_TO_WARNING, SUSPENDED
    ),
    Case("nothing after the hand-off", at(day(20, 4)), SUSPENDED, [], None, [A], WHOLE_LADDER, SUSPENDED),
    # Catching up: an invoice uploaded late gets only the latest notice, and a deadline N days ahead.
    Case("late upload: the final warning only", at(day(23)), OVERDUE, [notify("final-warning")], at(day(27), 0)),
    Case(
        "a late warning pushes the suspension",
        at(day(25), 12),
        OVERDUE,
        [],
        at(day(27), 0),
        notices=[sent("final-warning", at(day(23)), deadline=day(26))],
        status=OVERDUE,
    ),
    Case(
        "a warning sent too late does not count",
        at(day(25), 12),
        OVERDUE,
        [notify("final-warning")],
        at(day(31), 0),  # its deadline is 28/3; the suspension waits out the weekend
        notices=[sent("final-warning", at(day(23)), deadline=day(24))],
        status=OVERDUE,
    ),
    # Payments, partial and out of order, and the tolerance (R$ 10,00).
    Case(
        "paid in full while suspended",
        at(day(30)),
        ACTIVE,
        [("reactivate", None)],
        None,
        [invoice("A", DUE, outstanding=0)],
        status=SUSPENDED,
    ),
    Case(
        "paid down to the tolerance",
        at(day(30)),
        ACTIVE,
        [("reactivate", None)],
        None,
        [invoice("A", DUE, outstanding=1000)],
        status=SUSPENDED,
    ),
    Case(
        "one centavo above the tolerance",
        at(day(30)),
        SUSPENDED,
        [],
        at(day(9, 4), 0),
        receivables=[invoice("A", DUE, outstanding=1001)],
        notices=UP_TO_WARNING,
        status=SUSPENDED,
    ),
    Case(
        "an overdue account settles",
        at(day(13)),
        ACTIVE,
        [("clear", None)],
        None,
        [invoice("A", DUE, outstanding=0)],
        [O1],
        OVERDUE,
    ),
    Case("within the tolerance is never late", at(day(30)), ACTIVE, [], None, [invoice("A", DUE, outstanding=1000)]),
    Case(
        "a partial payment repeats nothing",
        at(day(13)),
        OVERDUE,
        [],
        at(day(15), 8),
        [invoice("A", DUE, outstanding=90_000)],
        [R3, R0, O1],
        OVERDUE,
    ),
    Case(
        "a new overdue invoice repeats nothing",
        at(day(13), 8),
        OVERDUE,
        [],
        at(day(15), 8),
        receivables=[A, invoice("B", day(12))],
        notices=[R3, R0, O1],
        status=OVERDUE,
    ),
    Case(
        "paying the newest invoice keeps the ladder on the oldest",
        at(day(20)),
        OVERDUE,
        [notify("final-warning")],
        at(day(25), 0),
        receivables=[A, invoice("B", day(12), outstanding=0)],
        notices=[R3, R0, O1, O5],
        status=OVERDUE,
    ),
    Case(
        "paying the oldest moves the ladder to the next debt",
        at(day(15, 4)),
        SUSPENDED,
        [notify("overdue-5")],
        at(day(12, 5), 0),  # the hand-off at 30 days, Saturday 10/5, moves to the Monday
        receivables=[invoice("A", DUE, outstanding=0), invoice("B", day(10, 4))],
        notices=WHOLE_LADDER,
        status=SUSPENDED,
    ),
    Case(
        "a reminder for the next invoice while late on another",
        at(day(14)),
        OVERDUE,
        [notify("reminder-3")],
        at(day(15), 8),
        receivables=[A, invoice("C", day(16))],  # due on a Sunday: on Monday 17/3, reminded on Friday 14/3
        notices=[R3, R0, O1],
        status=OVERDUE,
    ),
    # Holds.
    Case("a disputed invoice is left alone", at(day(30)), ACTIVE, [], None, [invoice("A", DUE, disputed=True)]),
    Case(
        "a dispute on what got the account suspended",
        at(day(30)),
        ACTIVE,
        [("reactivate", None)],
        None,
        [invoice("A", DUE, disputed=True)],
        status=SUSPENDED,
    ),
    Case(
        "a promise to pay holds the suspension",
        at(day(25), 0),
        OVERDUE,
        [],
        at(day(31), 0),  # to the first business day after it
        notices=UP_TO_WARNING,
        status=OVERDUE,
        holds=Holds(promise_to_pay_until=day(28)),
    ),
    Case(
        "a broken promise",
        at(day(31), 0),
        SUSPENDED,
        [("suspend", None)],
        at(day(9, 4), 0),
        notices=UP_TO_WARNING,
        status=OVERDUE,
        holds=Holds(promise_to_pay_until=day(28)),
    ),
    Case(
        "a promise to pay holds the notices",
        at(day(11), 8),
        OVERDUE,
        [],
        at(day(13), 8),
        notices=[R3, R0],
        holds=Holds(promise_to_pay_until=day(12)),
    ),
    Case(
        "never suspend: no final warning",
        at(day(20)),
        OVERDUE,
        [],
        at(day(25), 0),
        notices=[R3, R0, O1, O5],
        status=OVERDUE,
        holds=Holds(never_suspend=True),
    ),
    Case(
        "never suspend: staff told instead",
        at(day(25)),
        OVERDUE,
        [("alert_staff", "suspend")],
        at(day(9, 4), 0),
        notices=[R3, R0, O1, O5],
        status=OVERDUE,
        holds=Holds(never_suspend=True),
    ),
    Case(
        "never suspend, set on a suspended account",
        at(day(31)),
        OVERDUE,
        [("reactivate", None), ("alert_staff", "suspend")],
        at(day(9, 4), 0),
        notices=UP_TO_WARNING,
        status=SUSPENDED,
        holds=Holds(never_suspend=True),
    ),
    # Thresholds.
    Case(
        "below the suspension minimum (R$ 50,00): no warning",
        at(day(20)),
        OVERDUE,
        [],
        at(day(9, 4), 0),
        receivables=[invoice("A", DUE, outstanding=4000)],
        notices=[R3, R0, O1, O5],
        status=OVERDUE,
    ),
    Case(
        "a currency the policy has no thresholds for",
        at(day(30)),
        ACTIVE,
        [("alert_staff", None)],
        None,
        [invoice("A", DUE, currency="JPY")],
    ),
    # Quiet hours hold customer notices, not staff actions.
    Case(
        "a notice due in the evening waits",
        at(day(20), 22),
        OVERDUE,
        [],
        at(day(21), 8),
        notices=[R3, R0, O1, O5],
        status=OVERDUE,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_ladder(case: Case) -> None:
    decision = decide(case.now, case.receivables, notices=case.notices, status=case.status, holds=case.holds)

    assert decision.new_status is case.expected_status
    assert summary(decision) == case.expected_actions
    assert decision.next_evaluation_at == case.expected_next
