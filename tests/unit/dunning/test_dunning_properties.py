"""Invariants of the ladder over any story of invoices, payments, holds and evaluation times.

The story is played the way the service plays it: evaluate at each event and whenever the last decision asked to
be evaluated again, carry out the decision (record the notices, take the new status), and go on. Holds are those
set by hand (a promise date, never suspend) and those staff set through the staff API (a promise granted by someone,
an exemption until a date, an extension of the deadline, a dispute hold on an invoice, a reactivation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ponte.domain.accounts import AccountStatus
from ponte.domain.dunning import (
    AlertStaff,
    Decision,
    HandOff,
    Holds,
    NotifyCustomer,
    PaidPart,
    PromiseToPay,
    Receivable,
    SentNotice,
    Suspend,
    accrued_fees,
    evaluate,
)
from ponte.domain.money import Money
from ponte.domain.policy import Policy
from tests.unit.dunning.dunning_support import CALENDAR, TZ, ZONE, account, at, policy

BR_HOLIDAYS = frozenset({date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 1), date(2025, 6, 19)})
CHARGED_FEES = {"mode": "charged", "late_fee_percent": "2", "monthly_interest_percent": "1"}
POLICIES = [
    (CALENDAR, frozenset[date]()),
    (policy(day_count="business"), BR_HOLIDAYS),
    (policy(deadline_notice_days=4, quiet_hours=None), frozenset[date]()),
    (policy(day_count="business", fees=CHARGED_FEES), BR_HOLIDAYS),
]
START = at(date(2025, 3, 1), 9)
MAX_EVALUATIONS = 300


@dataclass(frozen=True)
class NewInvoice:
    due_in_days: int
    amount: int


@dataclass(frozen=True)
class Pay:
    invoice: int
    amount: int


@dataclass(frozen=True)
class Dispute:
    invoice: int
    open: bool


@dataclass(frozen=True)
class Promise:
    days: int | None


@dataclass(frozen=True)
class NeverSuspend:
    on: bool


@dataclass(frozen=True)
class StaffPromise:
    """A promise to pay staff recorded, until `days` from today."""

    days: int


@dataclass(frozen=True)
class Exempt:
    days: int | None


@dataclass(frozen=True)
class Extend:
    days: int


@dataclass(frozen=True)
class HoldInvoice:
    invoice: int
    days: int


@dataclass(frozen=True)
class StaffReactivates:
    """Staff reactivated the account (the service allows it only while suspended; the engine must cope anyway)."""


@dataclass(frozen=True)
class Look:
    """An evaluation for no reason: a retried message, a sweep running late."""


Event = (
    NewInvoice
    | Pay
    | Dispute
    | Promise
    | NeverSuspend
    | StaffPromise
    | Exempt
    | Extend
    | HoldInvoice
    | StaffReactivates
    | Look
)

amounts = st.sampled_from([500, 1000, 1001, 4000, 6000, 150_000])
events = st.one_of(
    st.builds(NewInvoice, due_in_days=st.integers(0, 25), amount=amounts),
    st.builds(Pay, invoice=st.integers(0, 7), amount=st.sampled_from([1, 500, 3000, 10**6])),
    st.builds(Dispute, invoice=st.integers(0, 7), open=st.booleans()),
    st.builds(Promise, days=st.none() | st.integers(0, 10)),
    st.builds(NeverSuspend, on=st.booleans()),
    st.builds(StaffPromise, days=st.integers(0, 10)),
    st.builds(Exempt, days=st.none() | st.integers(0, 12)),
    st.builds(Extend, days=st.integers(1, 14)),
    st.builds(HoldInvoice, invoice=st.integers(0, 7), days=st.integers(0, 12)),
    st.just(StaffReactivates()),
    st.just(Look()),
)
stories = st.lists(st.tuples(st.integers(1, 24 * 8), events), max_size=14)


@dataclass
class Story:
    rules: Policy
    holidays: frozenset[date]
    receivables: list[Receivable] = field(default_factory=list)
    sent: list[SentNotice] = field(default_factory=list)
    status: AccountStatus = AccountStatus.ACTIVE
    version: int = 0
    holds: Holds = field(default_factory=Holds)
    next_at: datetime | None = None
    evaluations: int = 0
    notices: list[tuple[datetime, NotifyCustomer]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    voids: list[datetime] = field(default_factory=list)  # when a promise or a reactivation voided the deadlines

    def happen(self, event: Event, now: datetime) -> None:
        today = now.astimezone(ZONE).date()
        match event:
            case NewInvoice(due_in_days=days, amount=amount):
                self.receivables.append(_invoice(f"I{len(self.receivables)}", today + timedelta(days), amount))
            case Pay(invoice=index, amount=amount) if index < len(self.receivables):
                owed = self.receivables[index]
                taken = min(amount, owed.outstanding.amount)
                if taken:
                    outstanding, paid = (
                        _brl(owed.outstanding.amount - taken),
                        (*owed.paid, PaidPart(at=now, amount=taken)),
                    )
                    self.receivables[index] = owed.model_copy(update={"outstanding": outstanding, "paid": paid})
            case Dispute(invoice=index, open=disputed) if index < len(self.receivables):
                self.receivables[index] = self.receivables[index].model_copy(update={"disputed": disputed})
            case Promise(days=days):
                until = None if days is None else today + timedelta(days)
                self.holds = self.holds.model_copy(update={"promise_to_pay_until": until})
            case NeverSuspend(on=on):
                self.holds = self.holds.model_copy(update={"never_suspend": on})
            case _:
                self._staff(event, now, today)

    def _staff(self, event: Event, now: datetime, today: date) -> None:
        match event:
            case StaffPromise(days=days):
                promise = PromiseToPay(until=today + timedelta(days), granted_at=now, granted_by="ana")
                self.holds = self.holds.model_copy(update={"promise": promise})
                self.voids.append(now)
            case Exempt(days=days):
                until = None if days is None else today + timedelta(days)
                self.holds = self.holds.model_copy(update={"exempt_until": until})
            case Extend(days=days):
                self.holds = self.holds.model_copy(update={"deadline_not_before": today + timedelta(days)})
            case HoldInvoice(invoice=index, days=days) if index < len(self.receivables):
                held = {**self.holds.disputed_until, self.receivables[index].invoice_id: today + timedelta(days)}
                self.holds = self.holds.model_copy(update={"disputed_until": held})
            case StaffReactivates():
                self.holds = self.holds.model_copy(update={"reactivated_at": now})
                self.voids.append(now)

    def run_until(self, until: datetime) -> None:
        while self.next_at is not None and self.next_at <= until and self.evaluations < MAX_EVALUATIONS:
            self.look(self.next_at)

    def look(self, now: datetime) -> None:
        decision = self._decide(now)
        self._check(decision, now)
        self._carry_out(decision, now)
        again = self._decide(now)
        assert again.actions == (), "a second evaluation at the same moment must do nothing"
        assert again.new_status is decision.new_status
        self.next_at = decision.next_evaluation_at

    def _decide(self, now: datetime) -> Decision:
        self.evaluations += 1
        return evaluate(
            account(self.status, self.version),
            self.receivables,
            self.holds,
            self.sent,
            now=now,
            policy=self.rules,
            time_zone=TZ,
            holidays=self.holidays,
        )

    def _carry_out(self, decision: Decision, now: datetime) -> None:
        if decision.actions or decision.new_status is not self.status:
            self.version += 1  # one write per change, as the store does it
        self.status = decision.new_status
        for action in decision.actions:
            match action:
                case NotifyCustomer():
                    self.notices.append((now, action))
                    self.sent.append(
                        SentNotice(step_id=action.step_id, sent_at=now, channel="email", deadline=action.deadline)
                    )
                case HandOff() | AlertStaff(step_id=str()):
                    assert action.step_id is not None
                    self.sent.append(SentNotice(step_id=action.step_id, sent_at=now, channel="staff"))
                case AlertStaff():  # recorded under its dedup key, as the service does, so it is sent once
                    self.sent.append(SentNotice(step_id=action.dedup_key, sent_at=now, channel="staff"))

    def _check(self, decision: Decision, now: datetime) -> None:
        local = now.astimezone(ZONE)
        owing = self._owing(local.date())
        assert (decision.new_status is AccountStatus.ACTIVE) is not owing
        if decision.new_status is AccountStatus.SUSPENDED:
            assert owing, "suspended while owing no more than the tolerance"
            assert not self.holds.never_suspend
            exempt = self.holds.exempt_until
            assert exempt is None or local.date() > exempt, "suspended while exempt"
        if decision.next_evaluation_at is not None:
            assert decision.next_evaluation_at > now
        quiet = self.rules.quiet_hours
        for action in decision.actions:
            assert action.dedup_key not in self.keys, f"{action.kind} {action.dedup_key} carried out twice"
            self.keys.append(action.dedup_key)
            if isinstance(action, NotifyCustomer):
                assert quiet is None or not quiet.contains(local.time())
                earlier = [
                    when
                    for when, n in self.notices
                    if n.step_id == action.step_id and n.anchor == action.anchor and not self._voided_since(when)
                ]
                assert not earlier, f"{action.step_id} sent twice for the debt due {action.anchor}"
                extended = self.holds.deadline_not_before
                if action.deadline is not None and extended is not None:
                    assert action.deadline >= extended, "a warning named a deadline before the extension"
            if isinstance(action, Suspend):
                self._check_warned(action, local)

    def _check_warned(self, suspension: Suspend, local: datetime) -> None:
        record = suspension.record
        overdue_since = datetime.combine(record.anchor + timedelta(days=1), datetime.min.time(), tzinfo=ZONE)
        # A deadline counts when named for this debt, after any promise or reactivation, early enough; an
        # extension may have moved it later since.
        warned = [
            when
            for when, notice in self.notices
            if notice.deadline is not None
            and notice.deadline <= record.deadline
            and when >= overdue_since
            and not self._voided_since(when)
            and when.astimezone(ZONE).date() + timedelta(days=self.rules.deadline_notice_days) <= notice.deadline
        ]
        assert warned, "suspended without a notice naming the deadline early enough"
        assert record.deadline < local.date(), "suspended before the deadline was over"
        extended = self.holds.deadline_not_before
        assert extended is None or record.deadline >= extended, "suspended before the extended deadline"
        assert self.status is not AccountStatus.SUSPENDED

    def _voided_since(self, when: datetime) -> bool:
        return any(void > when for void in self.voids)

    def _owing(self, today: date) -> bool:
        totals: dict[str, int] = {}
        for r in self.receivables:
            due = self._effective_due(r.due_date)
            held = self.holds.disputed_until.get(r.invoice_id)
            if held is not None and today <= held:
                continue
            if not r.disputed and due < today:
                owed = r.outstanding.amount
                if self.rules.fees.mode == "charged":  # the fees are owed too, and nothing here pays them
                    owed += sum(accrued_fees(r, due=due, today=today, zone=ZONE, fees=self.rules.fees))
                totals[r.outstanding.currency] = totals.get(r.outstanding.currency, 0) + owed
        return any(total > self.rules.currencies[c].tolerance for c, total in totals.items())

    def _effective_due(self, due: date) -> date:
        # Whatever the count, a due date that is not a business day is due on the next one.
        while due.weekday() >= 5 or due in self.holidays:
            due += timedelta(days=1)
        return due


def _brl(amount: int) -> Money:
    return Money(amount=amount, currency="BRL")


def _invoice(invoice_id: str, due: date, amount: int) -> Receivable:
    return Receivable(invoice_id=invoice_id, due_date=due, amount_due=_brl(amount), outstanding=_brl(amount))


@settings(max_examples=300, deadline=None)
@given(
    rules=st.sampled_from(POLICIES),
    first_amount=amounts,
    first_due=st.integers(0, 10),
    story=stories,
)
def test_the_ladder_keeps_its_promises(
    rules: tuple[Policy, frozenset[date]], first_amount: int, first_due: int, story: list[tuple[int, Event]]
) -> None:
    play = Story(*rules)
    play.receivables.append(_invoice("I0", START.date() + timedelta(first_due), first_amount))
    now = START
    play.look(now)
    for hours, event in story:
        now += timedelta(hours=hours)
        play.run_until(now)
        play.happen(event, now)
        play.look(now)
    play.run_until(now + timedelta(days=150))

    assert play.evaluations < MAX_EVALUATIONS * 2


@settings(max_examples=100, deadline=None)
@given(amount=st.integers(5001, 10**7), rules=st.sampled_from(POLICIES))
def test_an_unpaid_debt_above_the_minimum_is_suspended_after_a_warning(
    amount: int, rules: tuple[Policy, frozenset[date]]
) -> None:
    play = Story(*rules)
    play.receivables.append(_invoice("I0", START.date() + timedelta(days=5), amount))

    play.look(START)
    play.run_until(START + timedelta(days=90))

    assert play.status is AccountStatus.SUSPENDED
    assert [n.step_kind for _, n in play.notices][-1] == "final_warning"
