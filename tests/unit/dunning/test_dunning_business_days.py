"""The business calendar: weekends, the national holidays of the business's country and the policy's local holidays.

With business-day counting, steps count business days and a due date that is not one moves to the next. Whatever
the count, a deadline named to the customer, a suspension and a hand-off fall on business days.
"""

from datetime import date

import pytest

from ponte.domain.accounts import AccountStatus
from ponte.domain.dunning import NotifyCustomer, business_calendar
from ponte.domain.errors import InvalidInput
from ponte.domain.policy import load_policy
from tests.unit.dunning.dunning_support import at, decide, invoice, policy, sent

SAO_PAULO = [
    {"on": "01-25", "name": "Aniversário da cidade de São Paulo"},
    {"on": "07-09", "name": "Revolução Constitucionalista (SP)"},
    {"on": "2026-06-04", "name": "Corpus Christi"},
]


def test_counted_in_calendar_days_a_deadline_on_a_weekend_moves_to_monday_and_the_suspension_after_it() -> None:
    # Due Friday 7/3/2025; the final warning at 10 on 17/3 would name Friday 21/3... on a calendar where 21/3 is a
    # holiday, and the weekend after it: the deadline named is Monday 24/3, the suspension Tuesday 25/3.
    decision = decide(
        at(date(2025, 3, 17), 9),
        [invoice("A", date(2025, 3, 7))],
        notices=[sent("overdue-1", at(date(2025, 3, 8), 8)), sent("overdue-5", at(date(2025, 3, 12), 8))],
        status=AccountStatus.OVERDUE,
        holidays=frozenset({date(2025, 3, 21)}),
    )

    [warning] = [a for a in decision.actions if isinstance(a, NotifyCustomer)]
    assert warning.deadline == date(2025, 3, 24)
    suspension = next(step for step in decision.plan if step.kind == "suspend")
    assert (suspension.deadline, suspension.on) == (date(2025, 3, 24), date(2025, 3, 25))


def test_counted_in_calendar_days_a_due_date_on_a_saturday_is_due_on_monday() -> None:
    # Due Saturday 15/3/2025: a payment on Monday 17/3 is on time; the ladder counts from that Monday.
    on_time = decide(at(date(2025, 3, 17), 10), [invoice("A", date(2025, 3, 15))])
    assert on_time.new_status is AccountStatus.ACTIVE
    assert [a.step_id for a in on_time.actions if isinstance(a, NotifyCustomer)] == ["due-today"]
    late = decide(at(date(2025, 3, 18), 9), [invoice("A", date(2025, 3, 15))])
    assert late.new_status is AccountStatus.OVERDUE
    [notice] = [a for a in late.actions if isinstance(a, NotifyCustomer)]
    assert notice.invoices[0].effective_due_date == date(2025, 3, 17)


def test_counted_in_business_days_a_suspension_on_monday_names_monday_and_suspends_on_tuesday() -> None:
    # Due Monday 10/3/2025: suspension at 15 business days is Monday 31/3, and the day before it a Sunday.
    decision = decide(
        at(date(2025, 3, 24), 9),
        [invoice("A", date(2025, 3, 10))],
        notices=[sent("overdue-1", at(date(2025, 3, 11), 8)), sent("overdue-5", at(date(2025, 3, 17), 8))],
        status=AccountStatus.OVERDUE,
        rules=policy(day_count="business"),
    )

    [warning] = [a for a in decision.actions if isinstance(a, NotifyCustomer)]
    assert warning.deadline == date(2025, 3, 31)
    suspension = next(step for step in decision.plan if step.kind == "suspend")
    assert suspension.on == date(2025, 4, 1)


def test_a_local_holiday_moves_a_due_date_and_is_skipped_like_a_national_one() -> None:
    rules = policy(day_count="business", local_holidays=SAO_PAULO)
    due = date(2027, 1, 25)  # a Monday, São Paulo's anniversary
    receivables = [invoice("A", due)]

    on_time = decide(at(date(2027, 1, 26), 23, 59), receivables, rules=rules)
    late = decide(at(date(2027, 1, 27), 0), receivables, rules=rules)

    assert on_time.new_status is AccountStatus.ACTIVE
    assert late.new_status is AccountStatus.OVERDUE
    assert late.anchor == date(2027, 1, 26)
    [charge] = late.charges
    assert (charge.due_date, charge.effective_due_date, charge.days_late) == (due, date(2027, 1, 26), 1)
    planned = {step.step_id: step.on for step in late.plan}
    assert planned["overdue-5"] == date(2027, 2, 2)  # 27, 28, 29, 1, 2


def test_a_due_date_on_a_business_day_shows_no_move() -> None:
    decision = decide(at(date(2025, 3, 12), 9), [invoice("A", date(2025, 3, 10))])

    assert [c.effective_due_date for c in decision.charges] == [None]


def test_the_business_calendar_adds_the_local_holidays_around_the_year() -> None:
    national = frozenset({date(2026, 12, 25)})
    rules = policy(local_holidays=[*SAO_PAULO, {"on": "02-29"}])

    calendar = business_calendar(national, rules, date(2026, 5, 1))

    assert {date(y, 1, 25) for y in range(2025, 2029)} <= calendar
    assert {date(y, 7, 9) for y in range(2025, 2029)} <= calendar
    assert date(2026, 6, 4) in calendar and date(2027, 5, 27) not in calendar  # listed for 2026 only
    assert date(2028, 2, 29) in calendar  # in leap years only
    assert date(2026, 12, 25) in calendar
    assert business_calendar(national, policy(), date(2026, 5, 1)) is national


@pytest.mark.parametrize(
    ("holidays", "complaint"),
    [
        ([{"on": "13-01"}], "'13-01' is not a day of the year"),
        ([{"on": "02-30"}], "'02-30' is not a day of the year"),
        ([{"on": "2026-02-29"}], "'2026-02-29' is not a day of the year"),
        ([{"on": "1-25"}], "local_holidays.0.on: String should match pattern"),
        ([{"on": "25/01"}], "local_holidays.0.on: String should match pattern"),
        ([{"on": "01-25"}, {"on": "01-25", "name": "again"}], "local holiday '01-25' is listed 2 times"),
        ([{"date": "01-25"}], "local_holidays.0.date: Extra inputs are not permitted"),
    ],
)
def test_local_holidays_are_validated(holidays: list[dict[str, str]], complaint: str) -> None:
    with pytest.raises(InvalidInput, match=complaint):
        policy(local_holidays=holidays)


def test_leap_day_and_one_off_dates_are_valid_local_holidays() -> None:
    rules = policy(local_holidays=[{"on": "02-29"}, {"on": "2026-06-04", "name": "Corpus Christi"}])

    assert [h.on for h in rules.local_holidays] == ["02-29", "2026-06-04"]
    assert load_policy(rules.model_dump_json()) == rules
