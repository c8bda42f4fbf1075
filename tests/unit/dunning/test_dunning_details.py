"""What the decisions carry: amounts with fine and interest, the suspension record, the plan, dedup keys; and the
calendar: business days, holidays and time zones."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ponte.domain.accounts import AccountStatus
from ponte.domain.dunning import (
    Decision,
    Holds,
    NotifyCustomer,
    PlannedStep,
    Receivable,
    Suspend,
    evaluate,
    late_fee,
    late_interest,
)
from ponte.domain.errors import InvalidInput
from ponte.domain.money import Money
from ponte.domain.policy import Fees, Policy, StepKind
from tests.unit.dunning.dunning_support import CALENDAR, TZ, account, at, decide, invoice, policy, sent, summary

DUE = date(2025, 3, 10)
FEES = Fees(late_fee_percent=Decimal(2), monthly_interest_percent=Decimal(1))


def _only[T](decision: Decision, kind: type[T]) -> T:
    (action,) = [a for a in decision.actions if isinstance(a, kind)]
    return action


@pytest.mark.parametrize(
    ("outstanding", "days_late", "fee", "interest"),
    [
        (150_000, 10, 3000, 500),  # R$ 1.500,00: 2% and 10/30 of 1%
        (123_456, 1, 2469, 41),  # 2469.12 and 41.152 centavos
        (25, 0, 0, 0),  # 0.5 rounds half to even: down to 0
        (75, 0, 2, 0),  # 1.5 rounds half to even: up to 2
        (100, 30, 2, 1),
        (0, 90, 0, 0),
    ],
)
def test_fine_and_interest_are_exact_to_the_centavo(outstanding: int, days_late: int, fee: int, interest: int) -> None:
    owed = Money(amount=outstanding, currency="BRL")

    assert late_fee(owed, FEES) == Money(amount=fee, currency="BRL")
    assert late_interest(owed, days_late, FEES) == Money(amount=interest, currency="BRL")


def test_a_notice_shows_what_is_owed_and_the_fine_and_interest_to_date_to_be_charged_later() -> None:
    decision = decide(at(date(2025, 3, 20), 9), [invoice("A", DUE), invoice("B", date(2025, 3, 15), 2000)])

    notice = _only(decision, NotifyCustomer)
    assert notice.step_kind is StepKind.FINAL_WARNING
    assert notice.deadline == date(2025, 3, 24)
    first, second = notice.invoices
    assert (first.invoice_id, first.days_late) == ("A", 10)
    assert (first.outstanding.amount, first.late_fee.amount, first.interest.amount, first.total.amount) == (
        150_000,
        3000,
        500,
        150_000,
    )
    assert (second.invoice_id, second.days_late, second.total.amount) == ("B", 3, 2000)  # due Saturday: Monday
    assert notice.fees_mode == "informational"
    assert notice.totals == (Money(amount=152_000, currency="BRL"),)  # the principal: what settles the account
    assert notice.fees_to_date == (Money(amount=3500 + 40 + 2, currency="BRL"),)


def test_when_charged_a_notice_asks_for_the_total_with_fine_and_interest() -> None:
    charged = policy(fees={"mode": "charged", "late_fee_percent": "2", "monthly_interest_percent": "1"})
    receivables = [invoice("A", DUE), invoice("B", date(2025, 3, 15), 2000)]

    notice = _only(decide(at(date(2025, 3, 20), 9), receivables, rules=charged), NotifyCustomer)

    first, second = notice.invoices
    assert (first.total.amount, second.total.amount) == (153_500, 2000 + 40 + 2)
    assert notice.fees_mode == "charged"
    assert notice.totals == (Money(amount=155_542, currency="BRL"),)
    assert notice.fees_to_date == (Money(amount=3542, currency="BRL"),)


def test_what_happens_when() -> None:
    """The plan the notices quote: 'pay R$ 1.535,00 by 24/3 to avoid suspension on 25/3'."""
    decision = decide(at(date(2025, 3, 11), 9), [invoice("A", DUE)], notices=[sent("due-today", at(DUE, 8))])

    assert decision.anchor == DUE
    assert decision.plan == (
        PlannedStep(step_id="overdue-5", kind=StepKind.OVERDUE_NOTICE, on=date(2025, 3, 15)),
        PlannedStep(
            step_id="final-warning", kind=StepKind.FINAL_WARNING, on=date(2025, 3, 20), deadline=date(2025, 3, 24)
        ),
        PlannedStep(step_id="suspend", kind=StepKind.SUSPEND, on=date(2025, 3, 25), deadline=date(2025, 3, 24)),
        PlannedStep(step_id="collections", kind=StepKind.HAND_OFF, on=date(2025, 4, 9)),
    )


def test_before_the_due_date_the_plan_shows_the_whole_ladder() -> None:
    decision = decide(at(date(2025, 3, 1)), [invoice("A", DUE)])

    assert decision.anchor is None
    assert [(p.step_id, p.on.day) for p in decision.plan] == [
        ("reminder-3", 7),
        ("due-today", 10),
        ("overdue-1", 11),
        ("overdue-5", 15),
        ("final-warning", 20),
        ("suspend", 25),
        ("collections", 9),
    ]


def test_a_suspension_says_why() -> None:
    notices = [
        sent("overdue-1", at(date(2025, 3, 11), 8), channel="sms"),
        sent("final-warning", at(date(2025, 3, 20), 8), deadline=date(2025, 3, 24)),
    ]

    decision = decide(at(date(2025, 3, 25), 1), [invoice("A", DUE)], notices=notices, status=AccountStatus.OVERDUE)

    record = _only(decision, Suspend).record
    assert record.step_id == "suspend"
    assert record.policy_version == CALENDAR.version
    assert (record.anchor, record.deadline) == (DUE, date(2025, 3, 24))
    assert [(n.step_id, n.channel) for n in record.notices] == [("overdue-1", "sms"), ("final-warning", "email")]
    (charge,) = record.invoices
    assert (charge.invoice_id, charge.days_late, charge.total.amount) == ("A", 15, 150_000)
    assert record.fees_to_date == (Money(amount=3000 + 750, currency="BRL"),)
    assert "deadline named at least 3 days before" in record.rule
    assert "BRL 10.00" in record.rule


def test_dedup_keys_name_the_account_the_step_and_the_set_of_invoices() -> None:
    def key(*receivables: Receivable) -> str:
        decision = decide(at(date(2025, 3, 11), 9), receivables)
        return _only(decision, NotifyCustomer).dedup_key

    a, b = invoice("A", DUE), invoice("B", DUE)

    assert key(a, b) == key(b, a)
    assert key(a, b) != key(a)
    assert key(a).startswith("dunning:acc-1:overdue-1:")


def test_reactivation_keys_follow_the_account_version() -> None:
    def reactivation_key(version: int) -> str:
        decision = evaluate(
            account(AccountStatus.SUSPENDED, version=version),
            [invoice("A", DUE, outstanding=0)],
            Holds(),
            [],
            now=at(date(2025, 4, 1)),
            policy=CALENDAR,
            time_zone=TZ,
            holidays=frozenset(),
        )
        return decision.actions[0].dedup_key

    assert reactivation_key(4) == reactivation_key(4)
    assert reactivation_key(4) != reactivation_key(5)


def test_a_step_can_require_several_overdue_invoices() -> None:
    rules = policy(
        steps=[
            {"id": "late", "kind": "overdue_notice", "offset_days": 1},
            {"id": "many", "kind": "overdue_notice", "offset_days": 5, "min_invoices": 2},
        ]
    )
    notices = [sent("late", at(date(2025, 3, 11), 8))]
    now = at(date(2025, 3, 16))

    assert summary(decide(now, [invoice("A", DUE)], notices=notices, rules=rules)) == []
    two = [invoice("A", DUE), invoice("B", date(2025, 3, 11))]
    assert summary(decide(now, two, notices=notices, rules=rules)) == [("notify_customer", "many")]


def test_each_currency_has_its_own_tolerance() -> None:
    receivables = [invoice("A", date(2025, 3, 3), 900), invoice("B", DUE, 300, currency="USD")]

    decision = decide(at(date(2025, 3, 12)), receivables)

    assert decision.new_status is AccountStatus.OVERDUE
    assert decision.anchor == DUE  # the R$ 9,00 is tolerated; the US$ 3.00 is not
    notice = _only(decision, NotifyCustomer)
    assert [c.invoice_id for c in notice.invoices] == ["A", "B"]
    assert [m.currency for m in notice.totals] == ["BRL", "USD"]


def test_a_tolerated_remainder_does_not_age_a_new_debt() -> None:
    leftover = invoice("OLD", date(2025, 1, 10), outstanding=500)

    decision = decide(at(date(2025, 3, 11), 9), [leftover, invoice("A", DUE)])

    assert decision.anchor == DUE
    assert summary(decision) == [("notify_customer", "overdue-1")]


def test_an_unknown_currency_is_flagged_not_guessed() -> None:
    decision = decide(at(date(2025, 3, 30)), [invoice("A", DUE), invoice("Y", DUE, 90_000, currency="JPY")])

    assert decision.flagged_currencies == ("JPY",)
    alert = decision.actions[-1]
    assert alert.kind == "alert_staff"
    assert alert.invoice_keys == ("Y#1",)
    assert "JPY" in alert.detail
    assert (alert.currencies, alert.policy_version, alert.invoices) == (("JPY",), 1, ("NF-Y",))
    assert all("Y" not in [c.invoice_id for c in a.invoices] for a in decision.actions if isinstance(a, NotifyCustomer))


# Business days: Friday 18 April 2025 is Good Friday and Monday 21 April is Tiradentes, both national in Brazil.
BR_2025 = frozenset({date(2025, 4, 18), date(2025, 4, 21)})
BUSINESS = policy(day_count="business")
GOOD_FRIDAY = date(2025, 4, 18)


@pytest.mark.parametrize(
    ("rules", "last_day_on_time"),
    [(CALENDAR, date(2025, 4, 22)), (BUSINESS, date(2025, 4, 22))],
    ids=["calendar days", "business days"],
)
def test_a_due_date_on_a_holiday_moves_to_the_next_business_day(rules: Policy, last_day_on_time: date) -> None:
    receivables = [invoice("A", GOOD_FRIDAY)]

    on_time = decide(at(last_day_on_time, 23, 59), receivables, rules=rules, holidays=BR_2025)
    late = decide(at(last_day_on_time + timedelta(days=1), 0), receivables, rules=rules, holidays=BR_2025)

    assert on_time.new_status is AccountStatus.ACTIVE
    assert late.new_status is AccountStatus.OVERDUE


def test_business_days_skip_weekends_and_holidays() -> None:
    decision = decide(at(date(2025, 4, 23), 9), [invoice("A", GOOD_FRIDAY)], rules=BUSINESS, holidays=BR_2025)

    planned = {p.step_id: p.on for p in decision.plan}
    assert decision.anchor == date(2025, 4, 22)
    assert planned["overdue-5"] == date(2025, 4, 29)  # 23, 24, 25, 28, 29
    assert planned["final-warning"] == date(2025, 5, 6)  # 1 May is a holiday too, but not in this list
    assert planned["suspend"] == date(2025, 5, 13)


def test_reminders_count_business_days_back() -> None:
    decision = decide(at(date(2025, 4, 15), 9), [invoice("A", date(2025, 4, 23))], rules=BUSINESS, holidays=BR_2025)

    assert summary(decision) == []
    assert decision.next_evaluation_at == at(date(2025, 4, 16), 8)  # 22, 17, 16 (18 and 21 are holidays)


@pytest.mark.parametrize(
    ("zone", "last_minute_utc"),
    [
        ("America/Sao_Paulo", datetime(2025, 3, 11, 2, 59, tzinfo=UTC)),
        ("Asia/Tokyo", datetime(2025, 3, 10, 14, 59, tzinfo=UTC)),
        ("Europe/Lisbon", datetime(2025, 3, 10, 23, 59, tzinfo=UTC)),
    ],
)
def test_a_due_date_ends_at_the_end_of_the_local_day(zone: str, last_minute_utc: datetime) -> None:
    def status(now: datetime) -> AccountStatus:
        decision = evaluate(
            account(),
            [invoice("A", DUE)],
            Holds(),
            [],
            now=now,
            policy=CALENDAR,
            time_zone=zone,
            holidays=frozenset(),
        )
        return decision.new_status

    assert status(last_minute_utc) is AccountStatus.ACTIVE
    assert status(last_minute_utc + timedelta(minutes=1)) is AccountStatus.OVERDUE


def test_the_next_evaluation_is_in_utc() -> None:
    decision = decide(at(date(2025, 3, 10), 9), [invoice("A", DUE)], notices=[sent("due-today", at(DUE, 8))])

    assert decision.next_evaluation_at == datetime(2025, 3, 11, 3, 0, tzinfo=UTC)
    assert decision.next_evaluation_at.tzinfo is UTC


def test_now_must_carry_its_time_zone() -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        decide(datetime(2025, 3, 10, 12), [invoice("A", DUE)])  # noqa: DTZ001 - the point of the test


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown time zone"):
        evaluate(
            account(),
            [],
            Holds(),
            [],
            now=at(DUE),
            policy=CALENDAR,
            time_zone="America/Atlantis",
            holidays=frozenset(),
        )


def test_an_outstanding_amount_above_the_invoice_is_refused() -> None:
    with pytest.raises(ValueError, match="between zero and amount_due"):
        invoice("A", DUE, 100, outstanding=101)


def test_local_noon_is_local() -> None:
    assert at(DUE).tzinfo == ZoneInfo(TZ)


def test_a_receivable_is_in_one_currency() -> None:
    with pytest.raises(ValueError, match="same currency"):
        Receivable(
            invoice_id="A",
            due_date=DUE,
            amount_due=Money(amount=100, currency="BRL"),
            outstanding=Money(amount=100, currency="USD"),
        )
