"""The records a decision is made of: frozen, compared and hashed by their fields, the same whoever makes them, and
carried by the notification bodies with the same JSON; and the policy and calendar work the engine keeps between
evaluations, which never leaks from one policy or one account to another."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from ponte.domain.accounts import AccountStatus
from ponte.domain.bodies.collections import AccountSuspended, CollectionNotice
from ponte.domain.dunning import (
    Decision,
    Holds,
    InvoiceCharge,
    NotifyCustomer,
    PlannedStep,
    SentNotice,
    Suspend,
    evaluate,
)
from ponte.domain.money import Money, money_of
from ponte.domain.notifications import Audience, Notification
from ponte.domain.policy import StepKind
from tests.unit.dunning.dunning_support import CALENDAR, TZ, account, at, decide, invoice, policy, sent

DUE = date(2025, 3, 10)


def _story() -> list[Decision]:
    """An invoice owed from before its due date to its hand-off, each notice recorded as sent; a second invoice
    coming due meanwhile."""
    receivables = [invoice("A", DUE), invoice("B", date(2025, 4, 2), 9000)]
    notices: list[SentNotice] = []
    status = AccountStatus.ACTIVE
    decisions = []
    for day in range(-4, 40):
        now = at(DUE + timedelta(days=day), 10)
        decision = decide(now, receivables, notices=notices, status=status)
        decisions.append(decision)
        for action in decision.actions:
            if isinstance(action, NotifyCustomer):
                notices.append(sent(action.step_id, now, action.deadline))
        status = decision.new_status
    return decisions


def _records(value: object) -> list[object]:
    """Every record in `value`, nested ones included."""
    found: list[object] = []
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        found.append(value)
        for f in dataclasses.fields(value):
            found.extend(_records(getattr(value, f.name)))
    elif isinstance(value, tuple | list):
        for item in value:
            found.extend(_records(item))
    return found


def test_the_records_a_decision_is_made_of_are_those_their_constructors_make() -> None:
    records = [r for decision in _story() for r in _records(decision)]
    kinds = {type(r).__name__ for r in records}

    assert {"Decision", "NotifyCustomer", "InvoiceCharge", "PlannedStep", "Suspend", "SuspensionRecord"} <= kinds
    for record in records:
        names = [f.name for f in dataclasses.fields(record)]  # type: ignore[arg-type]
        assert sorted(vars(record)) == sorted(names), type(record).__name__
        made_again = dataclasses.replace(record)  # type: ignore[type-var]
        assert made_again == record
        assert repr(made_again) == repr(record)
        try:
            expected = hash(record)
        except TypeError:  # it holds a dict (an alert's `tried`), as it always did
            continue
        assert hash(made_again) == expected


def test_records_are_frozen() -> None:
    decision = decide(at(DUE + timedelta(days=1), 10), [invoice("A", DUE)])
    notice = decision.actions[0]
    assert isinstance(notice, NotifyCustomer)

    with pytest.raises(dataclasses.FrozenInstanceError):
        notice.step_id = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.charges[0].days_late = 0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del decision.plan[0].on


def test_bodies_carry_the_records_of_a_decision_and_read_them_back_the_same() -> None:
    decisions = _story()
    notice = next(a for d in decisions for a in d.actions if isinstance(a, NotifyCustomer) and a.deadline)
    suspend = next(a for d in decisions for a in d.actions if isinstance(a, Suspend))
    plan = next(d.plan for d in decisions if len(d.plan) > 1)
    bodies = [
        CollectionNotice(
            kind="customer.final_warning",
            customer_name="João",
            step_id=notice.step_id,
            anchor=notice.anchor,
            deadline=notice.deadline,
            invoices=notice.invoices,
            totals=notice.totals,
            fees_mode=notice.fees_mode,
            fees_to_date=notice.fees_to_date,
            plan=plan,
        ),
        AccountSuspended(account_name="Padaria", owner="ana", record=suspend.record),
    ]
    for body in bodies:
        note = Notification(
            notification_id="n-1",
            audience=Audience.STAFF,
            account_id="acc-1",
            locale="pt-BR",
            occurred_at=at(DUE, 10),
            body=body,
        )

        text = note.model_dump_json()
        again = Notification.model_validate_json(text)

        assert again == note
        assert again.body == body
    charge = json.loads(bodies[0].model_dump_json())["invoices"][0]
    assert list(charge) == [f.name for f in dataclasses.fields(InvoiceCharge)]
    assert charge["late_fee"] == {"amount": notice.invoices[0].late_fee.amount, "currency": "BRL"}
    first = plan[0]
    step = json.loads(bodies[0].model_dump_json())["plan"][0]
    assert step == {
        "step_id": first.step_id,
        "kind": first.kind.value,
        "on": first.on.isoformat(),
        "deadline": first.deadline.isoformat() if first.deadline else None,
    }


def test_a_body_read_back_still_refuses_a_record_that_is_not_one() -> None:
    good = CollectionNotice(
        kind="customer.overdue_notice",
        customer_name="João",
        step_id="overdue-1",
        anchor=DUE,
        invoices=(),
        totals=(),
        plan=(PlannedStep(step_id="suspend", kind=StepKind.SUSPEND, on=DUE),),
    )
    document = json.loads(good.model_dump_json())
    document["plan"][0]["kind"] = "cancel"

    with pytest.raises(ValidationError, match=r"plan\.0\.kind"):
        CollectionNotice.model_validate(document)


def test_a_changed_policy_is_read_as_changed() -> None:
    """The engine keeps what it works out of a policy while the policy lives; a changed policy is another object."""
    later = policy(
        steps=[
            {"id": "overdue-1", "kind": "overdue_notice", "offset_days": 3},
            {"id": "final-warning", "kind": "final_warning", "offset_days": 12},
            {"id": "suspend", "kind": "suspend", "offset_days": 20},
        ]
    )
    now = at(DUE + timedelta(days=1), 10)

    first = decide(now, [invoice("A", DUE)], rules=CALENDAR)
    changed = decide(now, [invoice("A", DUE)], rules=later)
    copied = decide(now, [invoice("A", DUE)], rules=CALENDAR.model_copy(update={"steps": later.steps}))

    assert [(s.step_id, s.on) for s in first.plan][:1] == [("overdue-5", DUE + timedelta(days=5))]
    assert [(s.step_id, s.on) for s in changed.plan][:1] == [("overdue-1", DUE + timedelta(days=3))]
    assert copied.plan == changed.plan


def test_accounts_with_the_same_due_date_get_their_own_deadlines() -> None:
    """What the engine keeps for a due date is kept by everything it depends on: an extension for one account
    moves no other account's deadline, whichever is evaluated first."""
    now = at(DUE + timedelta(days=10), 10)
    extended = Holds(deadline_not_before=DUE + timedelta(days=25))

    def deadline(holds: Holds) -> date | None:
        decision = evaluate(
            account(), [invoice("A", DUE)], holds, [], now=now, policy=CALENDAR, time_zone=TZ, holidays=frozenset()
        )
        (notice,) = [a for a in decision.actions if isinstance(a, NotifyCustomer)]
        return notice.deadline

    plain, moved, plain_again = deadline(Holds()), deadline(extended), deadline(Holds())

    assert plain == DUE + timedelta(days=14)
    assert moved == DUE + timedelta(days=25)
    assert plain_again == plain


def test_money_worked_out_is_validated_as_any_money() -> None:
    assert money_of(1234, "BRL") == Money(amount=1234, currency="BRL")
    assert Money(amount=1, currency="BRL") + Money(amount=2, currency="BRL") == money_of(3, "BRL")
    with pytest.raises(ValidationError, match="three capital letters"):
        money_of(1, "real")
