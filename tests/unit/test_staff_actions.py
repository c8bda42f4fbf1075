"""Staff actions on the in-memory store: each one's effect, its refusals (nothing written), the 409 on a stale
version, and the audit trail. Padaria Estrela falls behind as `tests.staff_api_support` tells."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest

from ponte.domain.accounts import AccountStatus
from ponte.domain.bodies.collections import CustomerDeadlineExtended, CustomerReactivated
from ponte.domain.dunning import SentNotice
from ponte.domain.errors import NotFound
from ponte.domain.notifications import Audience
from ponte.domain.policy import default_policy_text, load_policy
from ponte.messages import render
from ponte.services import staff_actions
from ponte.services.staff import Caller, Forbidden, InvalidField, StaleView
from ponte.services.staff_views import AccountView
from tests.collections_support import TZ, local
from tests.staff_api_support import ADMIN, ANA, BRUNO, FINANCE, Staff

ACTIVE, OVERDUE, SUSPENDED = AccountStatus.ACTIVE, AccountStatus.OVERDUE, AccountStatus.SUSPENDED


def act(staff: Staff, caller: Caller, action: str, now: datetime, **body: Any) -> AccountView:
    fields = {"expected_version": staff.version, "reason": "o cliente ligou", **body}
    request = staff_actions.parse_action(action, fields)
    return staff_actions.act("padaria", action, request, caller, staff.deps(), now=now)


def suspended() -> Staff:
    staff = Staff()
    staff.sweep(date(2026, 12, 1))
    assert staff.status is SUSPENDED
    return staff


def overdue(on: date = date(2026, 11, 12)) -> Staff:
    staff = Staff()
    staff.sweep(on)
    assert staff.status is OVERDUE
    return staff


def refused(staff: Staff, caller: Caller, action: str, now: datetime, **body: Any) -> InvalidField:
    """The action is refused naming a field, and nothing is written."""
    before = (staff.store.commits, staff.version, len(staff.store.timeline))
    with pytest.raises(InvalidField) as refusal:
        act(staff, caller, action, now, **body)
    assert (staff.store.commits, staff.version, len(staff.store.timeline)) == before
    return refusal.value


# Promise to pay.


def test_a_promise_holds_the_ladder_until_the_day_after_it() -> None:
    staff = overdue()

    view = act(staff, ANA, "promise_to_pay", local(date(2026, 11, 12), 10), until="2026-11-20")

    [hold] = view.holds
    assert (hold.kind, hold.until, hold.active, hold.set_by, hold.set_by_name) == (
        "promise_to_pay",
        date(2026, 11, 20),
        True,
        "sub-ana",
        "Ana Souza",
    )
    assert min(step.on for step in view.plan.steps) == date(2026, 11, 21)
    staff.sweep(date(2026, 11, 20))
    assert not staff.entries("collections.overdue_notice")[1:]  # the one of 10/11 only


def test_a_lapsed_promise_alerts_whoever_granted_it_and_the_ladder_resumes() -> None:
    staff = overdue()
    act(staff, ANA, "promise_to_pay", local(date(2026, 11, 12), 10), until="2026-11-20")

    staff.sweep(date(2026, 12, 2))

    [alert] = staff.alerts("collections.alert")
    assert alert.body.reason == "promise_lapsed" and alert.owner == "ana"
    assert staff.entries("collections.final_warning") and staff.status is SUSPENDED


def test_a_promise_granted_after_the_final_warning_needs_a_fresh_one_before_suspension() -> None:
    staff = overdue(date(2026, 11, 25))  # warned on 24/11, deadline 30/11
    act(staff, BRUNO_IN_COLLECTIONS, "promise_to_pay", local(date(2026, 11, 25), 10), until="2026-12-02")

    staff.sweep(date(2026, 12, 3))

    assert staff.status is OVERDUE  # the deadline of 30/11 was voided by the promise
    fresh = staff.entries("collections.final_warning")[-1]
    assert fresh.at.date() == date(2026, 12, 3) and fresh.facts["deadline"] >= "2026-12-06"
    staff.sweep(date(2026, 12, 10))
    assert staff.status is SUSPENDED


BRUNO_IN_COLLECTIONS = Caller(
    subject="sub-bruno", name="Bruno Lima", username="bruno", groups=frozenset({"collections"})
)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"until": "2026-11-11"}, "until"),
        ({"until": "2028-01-01"}, "until"),
        ({"until": "2026-11-20", "amount": {"amount": 1000, "currency": "USD"}}, "amount.currency"),
        ({"until": "2026-11-20", "amount": {"amount": 150_001, "currency": "BRL"}}, "amount.amount"),
        ({"until": "2026-11-20", "amount": {"amount": 0, "currency": "BRL"}}, "amount.amount"),
        ({"until": "someday"}, "until"),
        ({}, "until"),
        ({"until": "2026-11-20", "reason": " "}, "reason"),
        ({"until": "2026-11-20", "colour": "red"}, "colour"),
    ],
)
def test_a_promise_is_refused_naming_the_field(body: dict[str, Any], field: str) -> None:
    staff = overdue()
    now = local(date(2026, 11, 12), 10)
    before = (staff.store.commits, staff.version)

    with pytest.raises(InvalidField) as refusal:
        act(staff, ANA, "promise_to_pay", now, **body)

    assert refusal.value.field == field
    assert (staff.store.commits, staff.version) == before


def test_a_promise_on_an_account_that_owes_nothing_is_refused() -> None:
    staff = Staff()
    staff.sweep(date(2026, 11, 1))
    staff.store.ledgers["padaria"] = staff.ledger().model_copy(update={"invoices": ()})

    assert refused(staff, ANA, "promise_to_pay", local(date(2026, 11, 2), 10), until="2026-11-20").field == "until"


# Dispute hold.


def test_a_disputed_invoice_leaves_the_ladder_until_the_hold_ends() -> None:
    staff = suspended()

    view = act(staff, ANA, "dispute", local(date(2026, 12, 1), 10), invoice_key="NF-1", until="2026-12-15")

    assert view.status is ACTIVE  # nothing else is owed: reactivated at once
    assert view.invoices[0].held_until == date(2026, 12, 15)
    assert [n.event_type for n in staff.store.outbox][-3:] == [
        "account.reactivated",
        "account.reactivated",
        "customer.reactivated",
    ]
    staff.sweep(date(2026, 12, 16))
    assert staff.status is SUSPENDED  # the hold over, the ladder resumes where it stood


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"invoice_key": "NF-404", "until": "2026-12-15"}, "invoice_key"),
        ({"invoice_key": "NF-1", "until": "2026-11-30"}, "until"),
        ({"invoice_key": "NF-1"}, "until"),
    ],
)
def test_a_dispute_hold_is_refused_naming_the_field(body: dict[str, Any], field: str) -> None:
    staff = suspended()

    assert refused(staff, ANA, "dispute", local(date(2026, 12, 1), 10), **body).field == field


# Extension.


def test_an_extension_moves_the_next_deadline_by_business_days() -> None:
    staff = overdue(date(2026, 11, 25))  # the final warning named Monday 30/11

    view = act(staff, ANA, "extend", local(date(2026, 11, 25), 10), days=3)

    suspension = next(step for step in view.plan.steps if step.kind == "suspend")
    assert (suspension.deadline, suspension.on) == (date(2026, 12, 3), date(2026, 12, 4))
    staff.sweep(date(2026, 12, 3))
    assert staff.status is OVERDUE
    staff.sweep(date(2026, 12, 4))
    assert staff.status is SUSPENDED
    assert staff.entries("account.suspended")[0].facts["deadline"] == "2026-12-03"


def test_a_customer_told_a_deadline_hears_of_the_new_one_in_their_language() -> None:
    staff = overdue(date(2026, 11, 25))  # the final warning named Monday 30/11
    before = len(staff.store.outbox)

    act(staff, ANA, "extend", local(date(2026, 11, 25), 10), days=3)

    (told,) = [n for n in staff.store.outbox[before:] if n.audience is Audience.CUSTOMER]
    body = told.body
    assert isinstance(body, CustomerDeadlineExtended)
    assert (body.was, body.deadline) == (date(2026, 11, 30), date(2026, 12, 3))
    assert body.totals and all(total.amount > 0 for total in body.totals)
    assert body.invoices and not any(":" in label for label in body.invoices), "as the customer knows them"
    message = render(told, time_zone=TZ)
    assert "30/11/2026" in message.email and "03/12/2026" in message.email
    assert "03/12/2026" in message.sms and "Novo prazo" in message.subject


def test_an_extension_before_any_notice_named_a_deadline_tells_the_customer_nothing() -> None:
    staff = overdue()  # overdue, the final warning still to come: it will name the extended deadline
    before = len(staff.store.outbox)

    act(staff, ANA, "extend", local(date(2026, 11, 12), 10), days=3)

    assert [n for n in staff.store.outbox[before:] if n.audience is Audience.CUSTOMER] == []


def test_a_deadline_told_for_an_earlier_debt_is_not_the_one_an_extension_moves() -> None:
    staff = overdue()  # this debt's final warning is still to come
    earlier = SentNotice(
        step_id="final-warning", sent_at=local(date(2026, 5, 20), 10), channel="email", deadline=date(2026, 5, 27)
    )
    ledger = staff.ledger()
    staff.store.ledgers["padaria"] = ledger.model_copy(update={"notices": (earlier, *ledger.notices)})
    before = len(staff.store.outbox)

    act(staff, ANA, "extend", local(date(2026, 11, 12), 10), days=3)

    assert [n for n in staff.store.outbox[before:] if n.audience is Audience.CUSTOMER] == []


def test_an_extension_skips_the_policys_local_holidays_and_the_suspension_the_weekend() -> None:
    document = json.loads(default_policy_text())
    document["local_holidays"] = [{"on": "12-03", "name": "a municipal holiday"}]
    staff = Staff(policy=load_policy(json.dumps(document)))
    staff.sweep(date(2026, 11, 25))  # the final warning named Monday 30/11

    view = act(staff, ANA, "extend", local(date(2026, 11, 25), 10), days=3)

    suspension = next(step for step in view.plan.steps if step.kind == "suspend")
    assert (suspension.deadline, suspension.on) == (date(2026, 12, 4), date(2026, 12, 7))  # 1, 2, 4; then Monday
    staff.sweep(date(2026, 12, 6))
    assert staff.status is OVERDUE
    staff.sweep(date(2026, 12, 7))
    assert staff.status is SUSPENDED


def test_extensions_add_up_to_the_policys_maximum_at_most() -> None:
    staff = overdue(date(2026, 11, 25))
    now = local(date(2026, 11, 25), 10)
    act(staff, ANA, "extend", now, days=8)

    refusal = refused(staff, ANA, "extend", now, days=3)

    assert refusal.field == "days" and "at most 10 business days in all" in refusal.problem


def test_an_extension_beyond_the_maximum_is_refused() -> None:
    staff = overdue(date(2026, 11, 25))

    assert refused(staff, ANA, "extend", local(date(2026, 11, 25), 10), days=11).field == "days"


def test_there_is_nothing_to_extend_without_a_deadline_ahead() -> None:
    staff = Staff()
    staff.sweep(date(2026, 11, 1))
    staff.store.ledgers["padaria"] = staff.ledger().model_copy(update={"invoices": ()})

    assert refused(staff, ANA, "extend", local(date(2026, 11, 2), 10), days=2).field == "days"


# Exemption.


def test_an_exemption_reactivates_now_and_suspends_nothing_until_it_ends() -> None:
    staff = suspended()

    view = act(staff, ANA, "exempt", local(date(2026, 12, 1), 10), until="2026-12-10")

    assert view.status is OVERDUE
    reactivated = [n.body for n in staff.store.outbox if n.event_type == "customer.reactivated"]
    assert isinstance(reactivated[-1], CustomerReactivated) and reactivated[-1].reason == "exempt"
    staff.sweep(date(2026, 12, 10))
    assert staff.status is OVERDUE
    staff.sweep(date(2026, 12, 11))
    assert staff.status is SUSPENDED


def test_an_exemption_replaces_a_never_suspend_flag_set_by_hand() -> None:
    staff = Staff(never_suspend=True)
    staff.sweep(date(2026, 12, 1))

    view = act(staff, ANA, "exempt", local(date(2026, 12, 1), 10), until="2026-12-10")

    assert staff.ledger().account.never_suspend is False
    assert [hold.kind for hold in view.holds] == ["exemption"]


@pytest.mark.parametrize("until", ["2026-11-30", "2027-12-31"])
def test_an_exemption_always_ends_and_never_in_the_past(until: str) -> None:
    staff = suspended()

    assert refused(staff, ANA, "exempt", local(date(2026, 12, 1), 10), until=until).field == "until"


# Reactivation.


def test_reactivating_lifts_the_suspension_now_and_restarts_from_a_fresh_final_warning() -> None:
    staff = suspended()

    view = act(staff, ANA, "reactivate", local(date(2026, 12, 1), 10))

    assert view.status is OVERDUE
    assert [n.event_type for n in staff.store.outbox][-2:] == ["customer.reactivated", "customer.final_warning"]
    suspension = next(step for step in view.plan.steps if step.kind == "suspend")
    assert suspension.deadline == date(2026, 12, 4)  # a full notice period from today
    staff.sweep(date(2026, 12, 6))
    assert staff.status is OVERDUE  # a suspension waits out the weekend
    staff.sweep(date(2026, 12, 7))
    assert staff.status is SUSPENDED


def test_only_a_suspended_account_is_reactivated() -> None:
    staff = overdue()

    assert refused(staff, ANA, "reactivate", local(date(2026, 11, 12), 10)).field == "status"


# Offline payment.


def test_an_offline_payment_settles_and_reactivates_at_once() -> None:
    staff = suspended()

    view = act(
        staff,
        FINANCE,
        "offline_payment",
        local(date(2026, 12, 1), 10),
        amount={"amount": 150_000, "currency": "BRL"},
        received_on="2026-12-01",
        method="cash",
        reference="recibo-77",
    )

    assert view.status is ACTIVE
    [payment] = view.payments
    assert (payment.provider, payment.payment_id, payment.invoice_key) == ("offline", "recibo-77", "NF-1")
    assert view.invoices[0].status == "paid"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": {"amount": 1000, "currency": "USD"}, "received_on": "2026-12-01"}, "amount.currency"),
        ({"amount": {"amount": 0, "currency": "BRL"}, "received_on": "2026-12-01"}, "amount.amount"),
        ({"amount": {"amount": 1000, "currency": "BRL"}, "received_on": "2026-12-02"}, "received_on"),
        (
            {"amount": {"amount": 1000, "currency": "BRL"}, "received_on": "2026-12-01", "invoice_key": "X"},
            "invoice_key",
        ),
        ({"amount": {"amount": 1000, "currency": "BRL"}, "received_on": "2026-12-01", "method": "gold"}, "method"),
        ({"amount": {"amount": 1000, "currency": "BRL"}, "received_on": "2026-12-01", "reference": "a b"}, "reference"),
    ],
)
def test_an_offline_payment_is_refused_naming_the_field(body: dict[str, Any], field: str) -> None:
    staff = suspended()

    assert refused(staff, FINANCE, "offline_payment", local(date(2026, 12, 1), 10), **body).field == field


def test_the_same_offline_receipt_is_recorded_once() -> None:
    staff = suspended()
    now = local(date(2026, 12, 1), 10)
    body = {"amount": {"amount": 1000, "currency": "BRL"}, "received_on": "2026-12-01", "reference": "recibo-77"}
    act(staff, FINANCE, "offline_payment", now, **body)

    assert refused(staff, FINANCE, "offline_payment", now, **body).field == "reference"


# Write-off.


def test_writing_an_invoice_off_leaves_nothing_owed_on_it() -> None:
    staff = suspended()

    view = act(staff, ADMIN, "write_off", local(date(2026, 12, 1), 10), invoice_key="NF-1")

    assert view.status is ACTIVE and view.owed == ()
    [invoice] = view.invoices
    assert invoice.status == "written_off" and str(invoice.written_off) == "1500.00 BRL"
    write_off = staff.ledger().write_offs[0]
    assert (write_off.by, write_off.by_name, write_off.reason) == ("sub-admin", "Carla Admin", "o cliente ligou")


def test_an_invoice_is_written_off_once_and_must_exist() -> None:
    staff = suspended()
    now = local(date(2026, 12, 1), 10)
    act(staff, ADMIN, "write_off", now, invoice_key="NF-1")

    assert "written off" in refused(staff, ADMIN, "write_off", now, invoice_key="NF-1").problem
    assert refused(staff, ADMIN, "write_off", now, invoice_key="NF-404").field == "invoice_key"


# Contact, owner, note, acknowledgement.


def test_a_contact_is_corrected_and_the_history_says_what_changed_not_to_what() -> None:
    staff = overdue()

    view = act(staff, ANA, "contact", local(date(2026, 11, 12), 10), email="Joao.Silva@Padaria.example")

    assert view.contact.email == "j***@padaria.example"
    assert staff.ledger().account.contact.email == "joao.silva@padaria.example"
    [entry] = staff.entries("staff.contact")
    assert entry.facts["changed"] == "email" and "padaria.example" not in str(entry.facts)
    assert staff.store.references[("email", "joao.silva@padaria.example")] == "padaria"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"phone": "11 98888-7777"}, "phone"),
        ({}, "contact"),
        ({"phone": "+5511988887777"}, "contact"),  # what it already is
        ({"name": None}, "name"),
    ],
)
def test_a_contact_correction_is_validated(body: dict[str, Any], field: str) -> None:
    staff = overdue()

    assert refused(staff, ANA, "contact", local(date(2026, 11, 12), 10), **body).field == field


def test_an_owner_is_assigned_from_the_directory_and_the_book_follows() -> None:
    staff = overdue()

    view = act(staff, ADMIN, "owner", local(date(2026, 11, 12), 10), owner="caio")

    assert view.owner == "caio"
    assert staff.book.entries["padaria"]["owner"] == "caio"
    [entry] = staff.entries("staff.owner")
    assert (entry.facts["owner"], entry.facts["previous_owner"]) == ("caio", "ana")


@pytest.mark.parametrize("owner", ["zeca", "ana", "Not An Id"])
def test_an_unknown_owner_or_the_same_one_is_refused(owner: str) -> None:
    staff = overdue()

    assert refused(staff, ADMIN, "owner", local(date(2026, 11, 12), 10), owner=owner).field == "owner"


def test_a_note_is_its_reason_in_the_history() -> None:
    staff = overdue()

    view = act(staff, BRUNO_IN_COLLECTIONS, "note", local(date(2026, 11, 12), 10), reason="pagará na sexta")

    assert view.timeline[0].what == "staff.note" and view.timeline[0].why == "pagará na sexta"
    assert view.timeline[0].facts == {"by": "sub-bruno", "by_name": "Bruno Lima"}


def test_an_alert_is_acknowledged_once() -> None:
    staff = suspended()
    now = local(date(2026, 12, 1), 10)
    [alert] = [a for a in staff.alerts("account.suspended") if a.audience.value == "staff"]

    view = act(staff, ANA, "acknowledge", now, notification_id=alert.notification_id)

    [seen] = view.alerts
    assert seen.acknowledged is not None and seen.acknowledged.by_name == "Ana Souza"
    again = refused(staff, ANA, "acknowledge", now, notification_id=alert.notification_id)
    assert again.field == "notification_id" and "Ana Souza" in again.problem
    assert refused(staff, ANA, "acknowledge", now, notification_id="f" * 32).field == "notification_id"


# Concurrency, permissions, visibility, and the audit trail.


def test_an_action_on_a_stale_version_is_refused_with_the_account_as_it_is_now() -> None:
    staff = overdue()
    now = local(date(2026, 11, 12), 10)
    seen = staff.version
    act(staff, ANA, "note", now, reason="primeiro")  # someone else acted meanwhile

    with pytest.raises(StaleView) as conflict:
        act(staff, ANA, "promise_to_pay", now, until="2026-11-20", expected_version=seen)

    assert conflict.value.view.version == seen + 1
    assert conflict.value.view.timeline[0].why == "primeiro"
    assert not staff.ledger().account.holds


def test_two_staff_at_once_one_wins_the_other_gets_the_fresh_view() -> None:
    staff = overdue()
    now = local(date(2026, 11, 12), 10)
    seen = staff.version
    first = staff_actions.parse_action("note", {"expected_version": seen, "reason": "a"})
    second = staff_actions.parse_action("exempt", {"expected_version": seen, "reason": "b", "until": "2026-12-01"})

    class RacingStore(type(staff.store)):  # type: ignore[misc]
        """The other staff member's write lands between this one's read and its write."""

        def commit(self, change: Any) -> None:
            if not getattr(self, "raced", False):
                self.raced = True
                staff_actions.act("padaria", "note", first, ANA, staff.deps(), now=now)
            super().commit(change)

    staff.store.__class__ = RacingStore
    with pytest.raises(StaleView) as conflict:
        staff_actions.act("padaria", "exempt", second, ANA, staff.deps(), now=now)

    assert conflict.value.view.version == seen + 1
    assert [e.what for e in staff.store.timeline if e.what.startswith("staff.")] == ["staff.note"]


@pytest.mark.parametrize(
    ("caller", "action", "body"),
    [
        (BRUNO_IN_COLLECTIONS, "write_off", {"invoice_key": "NF-1"}),
        (BRUNO_IN_COLLECTIONS, "owner", {"owner": "caio"}),
        (FINANCE.__class__(subject="s", name="F", groups=frozenset({"finance"})), "reactivate", {}),
    ],
)
def test_an_action_the_callers_groups_do_not_allow_is_forbidden(
    caller: Caller, action: str, body: dict[str, Any]
) -> None:
    staff = suspended()

    with pytest.raises(Forbidden):
        act(staff, caller, action, local(date(2026, 12, 1), 10), **body)
    assert staff.entries(f"staff.{action}") == []


def test_an_account_the_caller_may_not_see_is_not_found() -> None:
    staff = overdue()  # owned by ana, of collections

    with pytest.raises(NotFound):
        act(staff, BRUNO, "note", local(date(2026, 11, 12), 10))


def test_every_action_records_who_when_and_why() -> None:
    staff = suspended()
    now = local(date(2026, 12, 1), 10)
    alert = next(a for a in staff.alerts("account.suspended") if a.audience.value == "staff")
    actions: list[tuple[Caller, str, dict[str, Any]]] = [
        (ANA, "note", {}),
        (ANA, "acknowledge", {"notification_id": alert.notification_id}),
        (ANA, "contact", {"phone": "+5511977776666"}),
        (ANA, "reactivate", {}),
        (ANA, "extend", {"days": 2}),
        (ANA, "dispute", {"invoice_key": "NF-1", "until": "2026-12-03"}),
        (ANA, "exempt", {"until": "2026-12-20"}),
        (ADMIN, "owner", {"owner": "caio"}),
        (ADMIN, "promise_to_pay", {"until": "2026-12-05"}),
        (FINANCE, "offline_payment", {"amount": {"amount": 100, "currency": "BRL"}, "received_on": "2026-11-30"}),
        (ADMIN, "write_off", {"invoice_key": "NF-1"}),
    ]
    for caller, action, body in actions:
        act(staff, caller, action, now, reason=f"porque {action}", **body)

    entries = [e for e in staff.store.timeline if e.what.startswith("staff.")]
    assert [e.what for e in entries] == [f"staff.{action}" for _, action, _ in actions]
    for entry, (caller, action, _) in zip(entries, actions, strict=True):
        assert (entry.at, entry.why, entry.source) == (now, f"porque {action}", f"staff:{caller.subject}")
        assert (entry.facts["by"], entry.facts["by_name"]) == (caller.subject, caller.name)


def test_an_unknown_action_is_not_found() -> None:
    with pytest.raises(NotFound):
        staff_actions.parse_action("cancel_everything", {"expected_version": 1, "reason": "x"})
