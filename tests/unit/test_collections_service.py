"""From the engine's decision to one change: notices once each, suspension with its record, reactivation at once.

One invoice of R$ 1.500,00 due on Monday 16 November 2026 (São Paulo), the default ladder counted in calendar days:
reminders on 13/11 and 16/11, overdue notices on 17/11 and 21/11, the final warning on 26/11 naming 30/11 as the
deadline, suspension on 1/12.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from ponte.domain.accounts import AccountStatus
from ponte.domain.changes import AccountChange
from ponte.domain.errors import ConcurrentModification, DuplicateEvent
from ponte.domain.ledger import Ledger
from ponte.domain.notifications import Audience, Severity, Team
from ponte.domain.policy import Policy, default_policy_text, load_policy
from ponte.services.collections import change_for, decide
from tests.collections_support import account, applied, invoice, local, payment
from tests.memory_store import MemoryLedgerStore

DUE = date(2026, 11, 16)
CALENDAR = load_policy(json.dumps({**json.loads(default_policy_text()), "day_count": "calendar"}))
ACTIVE, OVERDUE, SUSPENDED = AccountStatus.ACTIVE, AccountStatus.OVERDUE, AccountStatus.SUSPENDED


def ledger(**changes: object) -> Ledger:
    return Ledger(account=account(**changes), invoices=(invoice("INV-1", DUE),))  # type: ignore[arg-type]


def evaluate(
    current: Ledger, day: date, hour: int = 8, *, immediate_only: bool = False, rules: Policy = CALENDAR
) -> AccountChange | None:
    now = local(day, hour)
    decision = decide(current, now=now, policy=rules, time_zone="America/Sao_Paulo", holidays=frozenset())
    cause = f"test:{current.account.account_id}:{now.isoformat()}"
    return change_for(current, decision, now=now, staff_locale="en", cause=cause, immediate_only=immediate_only)


def kinds(change: AccountChange | None) -> list[tuple[str, str]]:
    return [] if change is None else [(n.audience.value, n.event_type) for n in change.notifications]


def run_days(current: Ledger, first: date, last: date) -> tuple[Ledger, list[tuple[date, list[tuple[str, str]]]]]:
    """A sweep every day at 08:00; returns the ledger after the last day and what each day sent."""
    sent = []
    day = first
    while day <= last:
        change = evaluate(current, day)
        if change is not None:
            current = applied(current, change)
            if change.notifications:
                sent.append((day, kinds(change)))
        day += timedelta(days=1)
    return current, sent


def test_a_reminder_is_one_change_with_the_notice_its_record_and_the_next_evaluation() -> None:
    change = evaluate(ledger(), date(2026, 11, 13))
    assert change is not None
    assert kinds(change) == [("customer", "customer.payment_reminder")]
    assert change.expected_version == 0 and change.account.version == 1
    assert change.account.next_evaluation_at == local(DUE, 8)  # the due-date reminder, after quiet hours
    assert [(n.step_id, n.channel) for n in change.notices] == [("reminder-3", "email"), ("reminder-3", "sms")]
    assert [entry.what for entry in change.timeline] == ["collections.reminder"]
    notice = change.notifications[0]
    assert notice.locale == "pt-BR" and notice.owner == "ana"
    assert change.dedup_key is not None and change.dedup_key.startswith("test:padaria:")


def test_evaluating_again_at_the_same_moment_changes_nothing() -> None:
    first = evaluate(ledger(), date(2026, 11, 13))
    assert first is not None
    assert evaluate(applied(ledger(), first), date(2026, 11, 13)) is None


def test_the_ladder_sends_each_notice_once_and_suspends_only_after_the_named_deadline() -> None:
    final, sent = run_days(ledger(), date(2026, 11, 10), date(2026, 12, 3))
    assert sent == [
        (date(2026, 11, 13), [("customer", "customer.payment_reminder")]),
        (date(2026, 11, 16), [("customer", "customer.payment_reminder")]),
        (date(2026, 11, 17), [("customer", "customer.overdue_notice")]),
        (date(2026, 11, 21), [("customer", "customer.overdue_notice")]),
        (date(2026, 11, 26), [("customer", "customer.final_warning")]),
        (
            date(2026, 12, 1),
            [("staff", "account.suspended"), ("platform", "account.suspended"), ("customer", "customer.suspended")],
        ),
    ]
    assert final.account.status is SUSPENDED
    warnings = [n for n in final.notices if n.step_id == "final-warning"]
    assert {n.deadline for n in warnings} == {date(2026, 11, 30)}


def test_the_suspension_tells_the_owner_why_with_the_whole_record() -> None:
    current, _ = run_days(ledger(), date(2026, 11, 13), date(2026, 11, 30))
    current = applied(current, ledger_with_partial_payment(current))
    change = evaluate(current, date(2026, 12, 1))
    assert change is not None and change.account.status is SUSPENDED
    staff = next(n for n in change.notifications if n.audience is Audience.STAFF)
    assert (staff.severity, staff.team, staff.owner) == (Severity.CRITICAL, Team.COLLECTIONS, "ana")
    body = staff.model_dump(mode="json")["body"]
    record = body["record"]
    assert record["deadline"] == "2026-11-30" and record["step_id"] == "suspend"
    assert "policy version 1" in record["rule"]
    [charge] = record["invoices"]
    assert charge["invoice_id"] == "INV-1" and charge["days_late"] == 15
    assert charge["outstanding"] == {"amount": 100_000, "currency": "BRL"}
    # The R$ 500,00 paid on 28/11, 12 days late, bears the fine and 12 days of interest too.
    assert charge["late_fee"] == {"amount": 3_000, "currency": "BRL"}  # 2% of R$ 1.500,00
    assert charge["interest"] == {"amount": 500 + 200, "currency": "BRL"}  # 1% a month: 15 days, 12 days
    assert charge["total"] == {"amount": 100_000, "currency": "BRL"}  # informational: the principal settles it
    assert record["fees_mode"] == "informational" and record["fees_to_date"] == [{"amount": 3_700, "currency": "BRL"}]
    assert [n["step_id"] for n in record["notices"]] == ["overdue-1"] * 2 + ["overdue-5"] * 2 + ["final-warning"] * 2
    assert [p["reference"] for p in body["payments"]] == ["test:p1"]
    assert change.timeline[0].what == "account.suspended" and "deadline" in change.timeline[0].why


def ledger_with_partial_payment(current: Ledger) -> AccountChange:
    return AccountChange(
        account=current.account.model_copy(update={"version": current.account.version + 1}),
        recorded_at=local(date(2026, 11, 28)),
        expected_version=current.account.version,
        payments=(payment("p1", 50_000, local(date(2026, 11, 28)), "INV-1"),),
    )


def test_a_payment_reactivates_at_once_and_tells_customer_owner_and_platform() -> None:
    suspended, _ = run_days(ledger(), date(2026, 11, 13), date(2026, 12, 1))
    paid_at = local(date(2026, 12, 2), 15)
    with_payment = suspended.model_copy(update={"payments": (payment("p9", 150_000, paid_at, "INV-1"),)})
    change = evaluate(with_payment, date(2026, 12, 2), 15, immediate_only=True)
    assert change is not None and change.account.status is ACTIVE
    assert kinds(change) == [
        ("staff", "account.reactivated"),
        ("platform", "account.reactivated"),
        ("customer", "customer.reactivated"),
    ]
    assert change.account.next_evaluation_at is None
    assert [entry.what for entry in change.timeline] == ["account.reactivated"]


def test_immediate_only_never_sends_a_notice_and_asks_the_next_sweep_to_look_now() -> None:
    current, _ = run_days(ledger(), date(2026, 11, 13), date(2026, 11, 16))
    change = evaluate(current, date(2026, 11, 17), 10, immediate_only=True)  # the overdue notice is due
    assert change is not None
    assert change.notifications == () and change.notices == ()
    assert change.account.status is ACTIVE  # the sweep moves it to overdue with the notice
    assert change.account.next_evaluation_at == local(date(2026, 11, 17), 10)


def test_immediate_only_with_nothing_to_do_changes_nothing() -> None:
    current, _ = run_days(ledger(), date(2026, 11, 13), date(2026, 11, 13))
    assert evaluate(current, date(2026, 11, 14), immediate_only=True) is None


def test_two_overlapping_evaluations_write_the_notice_once() -> None:
    store = MemoryLedgerStore(ledger())
    seen = store.load_ledger("padaria")
    assert seen is not None
    first = evaluate(seen, date(2026, 11, 13), 8)
    second = evaluate(seen, date(2026, 11, 13), 9)  # another run, same account, read before the first wrote
    assert first is not None and second is not None
    assert [n.notification_id for n in first.notifications] == [n.notification_id for n in second.notifications]
    store.commit(first)
    with pytest.raises(ConcurrentModification):
        store.commit(second)
    # Even from a fresher version, the same step's notice cannot be written twice: its outbox id is taken.
    fresh = second.model_copy(
        update={"account": second.account.model_copy(update={"version": 2}), "expected_version": 1}
    )
    with pytest.raises(DuplicateEvent):
        store.commit(fresh)
    assert len(store.outbox) == 1


def test_a_currency_without_thresholds_is_flagged_once_not_guessed() -> None:
    current = Ledger(account=account(), invoices=(invoice("INV-1", DUE), invoice("INV-ARS", DUE, 90_000, "ARS")))
    change = evaluate(current, date(2026, 11, 13))
    assert change is not None
    assert sorted(kinds(change)) == [("customer", "customer.payment_reminder"), ("staff", "collections.alert")]
    alert = next(n for n in change.notifications if n.audience is Audience.STAFF)
    assert alert.body.model_dump()["reason"] == "unknown_currency"
    assert alert.body.model_dump()["invoice_keys"] == ("INV-ARS#1",)
    reminder = next(n for n in change.notifications if n.audience is Audience.CUSTOMER)
    assert [charge["invoice_id"] for charge in reminder.body.model_dump()["invoices"]] == ["INV-1"]
    later = evaluate(applied(current, change), date(2026, 11, 16))
    assert later is not None and kinds(later) == [("customer", "customer.payment_reminder")]


def test_an_account_never_to_be_suspended_alerts_collections_once_instead() -> None:
    final, sent = run_days(ledger(never_suspend=True), date(2026, 11, 13), date(2026, 12, 5))
    assert final.account.status is OVERDUE
    alerts = [(day, k) for day, k in sent if ("staff", "collections.alert") in k]
    assert alerts == [(date(2026, 12, 1), [("staff", "collections.alert")])]
    assert not any(kind == "customer.final_warning" for _, k in sent for _, kind in k)


CHARGED = load_policy(
    json.dumps(
        {
            **json.loads(default_policy_text()),
            "day_count": "calendar",
            "fees": {"mode": "charged", "late_fee_percent": "2", "monthly_interest_percent": "1"},
        }
    )
)


def test_an_overpayment_reactivates_and_staff_see_the_customers_credit() -> None:
    suspended, _ = run_days(ledger(), date(2026, 11, 13), date(2026, 12, 1))
    paid_at = local(date(2026, 12, 2), 15)
    with_payment = suspended.model_copy(update={"payments": (payment("p9", 160_000, paid_at, "INV-1"),)})

    change = evaluate(with_payment, date(2026, 12, 2), 15, immediate_only=True)

    assert change is not None and change.account.status is ACTIVE
    staff = next(n for n in change.notifications if n.audience is Audience.STAFF)
    assert staff.body.model_dump(mode="json")["credit"] == [{"amount": 10_000, "currency": "BRL"}]
    [entry] = change.timeline
    assert entry.facts["credit"] == "100.00 BRL" and "credit of 100.00 BRL" in entry.why


def test_charged_a_payment_of_the_principal_alone_does_not_reactivate_the_fees_do() -> None:
    suspended, _ = run_days(ledger(), date(2026, 11, 13), date(2026, 12, 1))
    assert suspended.account.status is SUSPENDED
    paid_at = local(date(2026, 12, 2), 15)  # 16 days late: fine R$ 30,00 and interest R$ 8,00
    principal = suspended.model_copy(update={"payments": (payment("p9", 150_000, paid_at, "INV-1"),)})

    assert evaluate(principal, date(2026, 12, 2), 15, immediate_only=True, rules=CHARGED) is None

    fees = principal.model_copy(update={"payments": (*principal.payments, payment("p10", 3_800, paid_at))})
    change = evaluate(fees, date(2026, 12, 2), 16, immediate_only=True, rules=CHARGED)
    assert change is not None and change.account.status is ACTIVE
    assert kinds(change)[0] == ("staff", "account.reactivated")


def test_charged_notices_record_the_total_with_fees_informational_the_fees_for_later() -> None:
    overdue = Ledger(account=account(status=OVERDUE), invoices=(invoice("INV-1", DUE),))
    for rules, why in (
        (CHARGED, "1 invoice(s), 1530.50 BRL with fine and interest"),
        (CALENDAR, "1 invoice(s), 1500.00 BRL owed; fine and interest to date 30.50 BRL, for a later invoice"),
    ):
        change = evaluate(overdue, date(2026, 11, 17), 9, rules=rules)
        assert change is not None
        [entry] = change.timeline
        assert why in entry.why and entry.facts["step_id"] == "overdue-1"
