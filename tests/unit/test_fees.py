"""Fees are truthful: the policy says whether the fine and interest are charged or only shown.

One invoice of R$ 1.000,00 due on Monday 16 November 2026 (São Paulo), fine 2% and interest 1% a month pro rata die,
tolerance R$ 10,00. Informational (the default): what settles the account is the principal; the fine and interest
to date are shown, to be charged on a later invoice. Charged: a payment pays principal first, then the fees; the
account is settled only when both are paid, within the tolerance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ponte.domain.accounts import AccountStatus
from ponte.domain.dunning import (
    Clear,
    Decision,
    Holds,
    NotifyCustomer,
    Reactivate,
    Receivable,
    SentNotice,
    Suspend,
    _percent_of,
    evaluate,
)
from ponte.domain.ledger import Ledger
from ponte.domain.money import Money
from ponte.domain.policy import Policy, default_policy, default_policy_text, load_policy
from ponte.services.collections import decide
from tests.collections_support import TZ, account, invoice, local, payment

DUE = date(2026, 11, 16)  # a Monday
PRINCIPAL = 100_000
TOLERANCE = 1000
OVERDUE = AccountStatus.OVERDUE


def rules(mode: str, **changes: Any) -> Policy:
    document = json.loads(default_policy_text())
    document["fees"]["mode"] = mode
    document.update({"day_count": "calendar", **changes})
    return load_policy(json.dumps(document))


INFORMATIONAL, CHARGED = rules("informational"), rules("charged")


def brl(cents: int) -> Money:
    return Money(amount=cents, currency="BRL")


def fees_of(late: int, owed_days: int) -> int:
    """Fine 2% of what was late, interest 1%/30 a day on each centavo late, each rounded half to even."""
    return round(Fraction(late * 2, 100)) + round(Fraction(owed_days, 3000))


def book(*paid: tuple[date, int], due: date = DUE, cents: int = PRINCIPAL, status: AccountStatus = OVERDUE) -> Ledger:
    return Ledger(
        account=account(status=status),
        invoices=(invoice("NF-1", due, cents),),
        payments=tuple(payment(f"p{i}", amount, local(day, 15), "NF-1") for i, (day, amount) in enumerate(paid)),
    )


def on(ledger: Ledger, day: date, policy: Policy, holidays: frozenset[date] = frozenset()) -> Decision:
    return decide(ledger, now=local(day, 9), policy=policy, time_zone=TZ, holidays=holidays)


def settled(decision: Decision) -> bool:
    return decision.new_status is AccountStatus.ACTIVE and decision.anchor is None


def cleared(decision: Decision) -> Clear | Reactivate | None:
    return next((a for a in decision.actions if isinstance(a, Clear | Reactivate)), None)


def test_the_default_policy_shows_the_fees_and_does_not_charge_them() -> None:
    assert default_policy().fees.mode == "informational"


# Paying the principal 16 days late: fine R$ 20,00, interest 16/30 of 1% of R$ 1.000,00 = R$ 5,33.
LATE_FEES = fees_of(PRINCIPAL, PRINCIPAL * 16)


@pytest.mark.parametrize(
    ("policy", "paid", "is_settled", "owed", "credit"),
    [
        # The principal only: informational settles; charged still owes the fine and interest.
        (INFORMATIONAL, [(date(2026, 12, 2), PRINCIPAL)], True, 0, ()),
        (CHARGED, [(date(2026, 12, 2), PRINCIPAL)], False, LATE_FEES, ()),
        # Then the fees: charged is settled, with no credit left.
        (CHARGED, [(date(2026, 12, 2), PRINCIPAL), (date(2026, 12, 4), LATE_FEES)], True, 0, ()),
        # Within the tolerance of the fees is settled too.
        (CHARGED, [(date(2026, 12, 2), PRINCIPAL + LATE_FEES - TOLERANCE)], True, TOLERANCE, ()),
        (CHARGED, [(date(2026, 12, 2), PRINCIPAL + LATE_FEES - TOLERANCE - 1)], False, TOLERANCE + 1, ()),
        # Paid on the due date: no fees in either mode.
        (CHARGED, [(DUE, PRINCIPAL)], True, 0, ()),
        # An overpayment leaves a credit: above the principal, or above principal and fees when charged.
        (INFORMATIONAL, [(date(2026, 12, 2), PRINCIPAL + 5000)], True, 0, (brl(5000),)),
        (CHARGED, [(date(2026, 12, 2), PRINCIPAL + 5000)], True, 0, (brl(5000 - LATE_FEES),)),
    ],
    ids=[
        "informational-principal-settles",
        "charged-principal-owes-fees",
        "charged-fees-paid-settles",
        "charged-within-tolerance",
        "charged-beyond-tolerance",
        "charged-on-time",
        "informational-overpayment-credit",
        "charged-overpayment-credit",
    ],
)
def test_what_settles_the_account_in_each_mode(
    policy: Policy,
    paid: list[tuple[date, int]],
    is_settled: bool,
    owed: int,
    credit: tuple[Money, ...],
) -> None:
    decision = on(book(*paid), date(2026, 12, 4), policy)

    assert settled(decision) is is_settled
    assert decision.credit == credit
    change = cleared(decision)
    assert (change is not None) is is_settled
    if change is not None:  # staff see what is left within the tolerance, and the customer's credit
        assert change.remaining == ((brl(owed),) if owed else ()) and change.credit == credit
    else:  # the customer is asked for what is still owed
        assert decision.anchor == DUE
        notice = next(a for a in decision.actions if isinstance(a, NotifyCustomer))
        assert notice.totals == (brl(owed),)


def test_charged_the_account_is_cleared_only_once_the_fees_are_paid() -> None:
    principal_paid = book((date(2026, 12, 2), PRINCIPAL))
    decision = on(principal_paid, date(2026, 12, 4), CHARGED)
    assert decision.new_status is OVERDUE and cleared(decision) is None

    fees_paid = book((date(2026, 12, 2), PRINCIPAL), (date(2026, 12, 9), LATE_FEES))
    # Interest stopped when the principal was paid: the same fees settle it a week later.
    assert isinstance(cleared(on(fees_paid, date(2026, 12, 9), CHARGED)), Clear)


def test_a_partial_payment_pays_principal_first_and_interest_stops_on_the_part_paid() -> None:
    # Half paid 10 days late; on day 20 the other half has been owed 20 days.
    half = book((date(2026, 11, 26), PRINCIPAL // 2))

    notice = next(a for a in on(half, date(2026, 12, 6), CHARGED).actions if isinstance(a, NotifyCustomer))

    (charge,) = notice.invoices
    assert charge.outstanding == brl(PRINCIPAL // 2)  # the payment went to principal, not to fees
    assert charge.late_fee == brl(2000)  # 2% of the half paid late and of the half still owed
    assert charge.interest == brl(500)  # 1%/30 a day: R$ 500 for 10 days, R$ 500 for 20 days
    assert notice.totals == (brl(PRINCIPAL // 2 + 2500),)
    unpaid = next(a for a in on(book(), date(2026, 12, 6), CHARGED).actions if isinstance(a, NotifyCustomer))
    assert unpaid.invoices[0].interest == brl(667)  # R$ 1.000,00 for 20 days


HOLIDAY, MONDAY = date(2026, 11, 20), date(2026, 11, 23)  # Dia da Consciência Negra, a Friday


@pytest.mark.parametrize(
    ("due", "effective", "paid_on", "fees"),
    [
        (date(2026, 11, 21), MONDAY, MONDAY, 0),  # due on a Saturday, paid on Monday: on time
        (date(2026, 11, 21), MONDAY, date(2026, 11, 24), fees_of(PRINCIPAL, PRINCIPAL)),  # one day late
        (HOLIDAY, MONDAY, MONDAY, 0),  # due on a Friday holiday: the next business day is Monday
        (HOLIDAY, MONDAY, date(2026, 11, 25), fees_of(PRINCIPAL, PRINCIPAL * 2)),
    ],
)
def test_fees_count_from_the_effective_due_date_with_business_days(
    due: date, effective: date, paid_on: date, fees: int
) -> None:
    business = rules("charged", day_count="business")
    ledger = book((paid_on, PRINCIPAL), due=due)

    decision = on(ledger, paid_on + timedelta(days=1), business, holidays=frozenset({HOLIDAY}))

    assert decision.credit == ()
    assert (cleared(decision) is not None) is (fees == 0)
    if fees:
        assert decision.new_status is OVERDUE and decision.anchor == effective
        notice = next(a for a in decision.actions if isinstance(a, NotifyCustomer))
        assert notice.totals == (brl(fees),) and notice.invoices[0].days_late == (paid_on - effective).days + 1


def test_informational_notices_show_the_fees_to_date_apart_from_what_to_pay() -> None:
    notice = next(a for a in on(book(), date(2026, 12, 2), INFORMATIONAL).actions if isinstance(a, NotifyCustomer))

    assert notice.fees_mode == "informational"
    assert notice.totals == (brl(PRINCIPAL),)
    assert notice.fees_to_date == (brl(LATE_FEES),)


def test_a_fee_payment_shows_on_the_charge_and_pays_the_oldest_installments_fees_first() -> None:
    ledger = Ledger(
        account=account(status=OVERDUE),
        invoices=(invoice("NF-1", DUE), invoice("NF-2", date(2026, 11, 23))),
        payments=(
            payment("p1", 150_000, local(date(2026, 11, 26), 15), "NF-1"),
            payment("p2", 150_000 + 3000, local(date(2026, 11, 26), 15), "NF-2"),
        ),
    )

    notice = next(a for a in on(ledger, date(2026, 12, 4), CHARGED).actions if isinstance(a, NotifyCustomer))

    first, second = notice.invoices
    nf1 = fees_of(150_000, 150_000 * 10)  # R$ 3.000,00 fine, R$ 500,00 interest
    nf2 = fees_of(150_000, 150_000 * 3)
    assert (first.invoice_id, first.fees_paid, first.total) == ("NF-1", brl(3000), brl(nf1 - 3000))
    assert (second.invoice_id, second.fees_paid, second.total) == ("NF-2", None, brl(nf2))


def test_a_credit_in_another_currency_shows_on_the_suspension_record() -> None:
    receivable = Receivable(invoice_id="NF-1", due_date=DUE, amount_due=brl(PRINCIPAL), outstanding=brl(PRINCIPAL))
    warned = local(DUE + timedelta(days=10), 9)
    decision = evaluate(
        account(status=OVERDUE),
        [receivable],
        Holds(),
        [SentNotice(step_id="final-warning", sent_at=warned, channel="email", deadline=DUE + timedelta(days=14))],
        now=local(DUE + timedelta(days=15), 9),
        policy=CHARGED,
        time_zone=TZ,
        holidays=frozenset(),
        credit={"USD": 2500},
    )

    (suspension,) = [a for a in decision.actions if isinstance(a, Suspend)]
    assert suspension.record.credit == (Money(amount=2500, currency="USD"),)
    assert suspension.record.fees_mode == "charged"
    assert decision.credit == (Money(amount=2500, currency="USD"),)


def test_charged_interest_still_accruing_is_watched_until_it_passes_the_tolerance() -> None:
    # R$ 9,00 left unpaid, 1 day late: R$ 9,18 owed with the fine, within the tolerance. Interest of 0,3 centavo a
    # day takes it past R$ 10,00 on the 276th day, and the account is looked at again on that day.
    ledger = book((DUE, PRINCIPAL - 900))
    today = DUE + timedelta(days=1)

    decision = on(ledger, today, CHARGED)

    assert settled(decision)
    assert decision.next_evaluation_at == local(DUE + timedelta(days=276), 0)
    assert settled(on(ledger, DUE + timedelta(days=275), CHARGED))
    assert not settled(on(ledger, DUE + timedelta(days=276), CHARGED))
    assert settled(on(ledger, DUE + timedelta(days=276), INFORMATIONAL))


# Properties.


@dataclass(frozen=True)
class Pay:
    day: int  # days after the due date (negative: before it)
    amount: int


payments = st.lists(
    st.builds(Pay, day=st.integers(-5, 40), amount=st.integers(1, 60_000) | st.sampled_from([PRINCIPAL, 2000])),
    max_size=6,
)


def expected_owed(paid: list[Pay], principal: int, today: int) -> int:
    """Principal plus fees, from first principles: each payment pays principal first; the fine is 2% of what was
    paid late or is still owed late; interest 1%/30 a day on each part of principal until it was paid."""
    left, late, owed_days, total_paid = principal, 0, 0, 0
    for pay in sorted(paid, key=lambda p: p.day):
        take = min(pay.amount, left)
        if pay.day > 0:
            late += take
            owed_days += take * pay.day
        left -= take
        total_paid += pay.amount
    if today > 0:
        late += left
        owed_days += left * today
    return principal + fees_of(late, owed_days) - total_paid


@settings(max_examples=200, deadline=None)
@given(paid=payments, today=st.integers(1, 60))
def test_charged_settled_iff_principal_and_fees_to_each_payment_are_paid(paid: list[Pay], today: int) -> None:
    paid = [p for p in paid if p.day <= today]
    ledger = book(*((DUE + timedelta(days=p.day), p.amount) for p in paid))

    decision = on(ledger, DUE + timedelta(days=today), CHARGED)

    owed = expected_owed(paid, PRINCIPAL, today)
    assert settled(decision) is (owed <= TOLERANCE)
    assert decision.credit == ((brl(-owed),) if owed < 0 else ())


@settings(max_examples=200, deadline=None)
@given(paid=payments, today=st.integers(-3, 60), status=st.sampled_from(list(AccountStatus)))
def test_informational_fees_never_change_settlement(paid: list[Pay], today: int, status: AccountStatus) -> None:
    """Informational fees change what notices say, never what the ladder does: the same decisions as with no fees."""
    paid = [p for p in paid if p.day <= today]
    ledger = book(*((DUE + timedelta(days=p.day), p.amount) for p in paid), status=status)
    no_fees = rules("charged", fees={"mode": "charged", "late_fee_percent": "0", "monthly_interest_percent": "0"})
    now = DUE + timedelta(days=today)

    shown, none = on(ledger, now, INFORMATIONAL), on(ledger, now, no_fees)

    assert (shown.new_status, shown.anchor, shown.plan, shown.next_evaluation_at) == (
        none.new_status,
        none.anchor,
        none.plan,
        none.next_evaluation_at,
    )
    assert [(a.kind, a.dedup_key) for a in shown.actions] == [(a.kind, a.dedup_key) for a in none.actions]
    assert shown.credit == none.credit
    principal_owed = PRINCIPAL - sum(p.amount for p in paid)
    assert settled(shown) is (today <= 0 or principal_owed <= TOLERANCE)


@given(
    amount=st.integers(min_value=0, max_value=10**15),
    percent=st.fractions(min_value=0, max_value=100, max_denominator=10**6),
)
def test_a_percent_in_integers_rounds_half_to_even_as_a_fraction_does(amount: int, percent: Fraction) -> None:
    assert _percent_of(amount, percent) == round(amount * percent / 100)
