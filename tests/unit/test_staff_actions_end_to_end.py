"""Staff actions end to end on the in-memory store, as an account manager acting on an alert meets them: what the
account shows right after, what its customer and its owner are told, and what the collections ladder does on the
days that follow (run day by day as the worker runs it). Padaria Estrela falls behind as `tests.staff_api_support`
tells: R$ 1.500,00 due on 9/11/2026, the final warning on 24/11 naming 30/11, suspension on 1/12."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest

from ponte.domain.accounts import AccountStatus
from ponte.domain.money import Money
from ponte.domain.notifications import Audience, Notification
from ponte.domain.policy import default_policy_text, load_policy
from ponte.messages.render import render
from ponte.services import staff_actions, staff_views
from ponte.services.staff import Caller, StaleView
from ponte.services.staff_views import AccountView
from tests.collections_support import TZ, invoice, local
from tests.memory_store import MemoryLedgerStore
from tests.staff_api_support import ADMIN, ANA, DUE, FINANCE, Staff
from tests.support import T0
from tests.unit.test_payments_merge import STRIPE_ONLY, stripe_account, stripe_invoice, tax_id_arrives
from tests.unit.test_payments_one_sale import uploaded_account

ACTIVE, OVERDUE, SUSPENDED = AccountStatus.ACTIVE, AccountStatus.OVERDUE, AccountStatus.SUSPENDED


def act(staff: Staff, caller: Caller, action: str, now: datetime, **body: Any) -> AccountView:
    fields = {"expected_version": staff.version, "reason": "o cliente ligou", **body}
    request = staff_actions.parse_action(action, fields)
    return staff_actions.act("padaria", action, request, caller, staff.deps(), now=now)


def suspended(**account_fields: Any) -> Staff:
    staff = Staff(**account_fields)
    staff.sweep(date(2026, 12, 1))
    assert staff.status is SUSPENDED
    return staff


def told(staff: Staff, since: int, kind: str, audience: Audience = Audience.CUSTOMER) -> list[Notification]:
    return [n for n in staff.store.outbox[since:] if n.event_type == kind and n.audience is audience]


# A reactivation is thanked for as a payment only when one was made.


@pytest.mark.parametrize(
    ("caller", "action", "body"),
    [
        (ADMIN, "write_off", {"invoice_key": "NF-1"}),
        (ANA, "dispute", {"invoice_key": "NF-1", "until": "2026-12-15"}),
    ],
)
def test_a_suspension_lifted_by_a_write_off_or_a_dispute_is_not_announced_as_a_payment(
    caller: Caller, action: str, body: dict[str, Any]
) -> None:
    staff = suspended()
    before = len(staff.store.outbox)

    view = act(staff, caller, action, local(date(2026, 12, 1), 10), **body)

    assert view.status is ACTIVE
    [customer] = told(staff, before, "customer.reactivated")
    read = render(customer, time_zone=TZ)
    assert "Recebemos seu pagamento" not in read.email and "Pagamento recebido" not in (read.sms or "")
    [owner] = told(staff, before, "account.reactivated", Audience.STAFF)
    assert "o cliente pagou" not in render(owner, time_zone=TZ).email
    [platform] = told(staff, before, "account.reactivated", Audience.PLATFORM)
    assert getattr(platform.body, "reason", None) != "settled"  # what the platform's consumers read as paid


def test_an_offline_payment_that_clears_a_suspended_account_thanks_the_customer_once_in_their_language() -> None:
    staff = suspended(locale="es")
    before = len(staff.store.outbox)

    view = act(
        staff,
        FINANCE,
        "offline_payment",
        local(date(2026, 12, 2), 10),
        amount={"amount": 150_000, "currency": "BRL"},
        received_on="2026-12-02",
        method="pix",
    )
    staff.sweep(date(2026, 12, 31))

    assert view.status is ACTIVE and staff.status is ACTIVE
    [customer] = told(staff, before, "customer.reactivated")
    assert customer.locale == "es" and "Recibimos su pago" in render(customer, time_zone=TZ).email
    assert [n.event_type for n in staff.store.outbox[before:] if n.audience is Audience.CUSTOMER] == [
        "customer.reactivated"
    ]
    assert "padaria" not in staff.book.entries


def test_writing_off_the_last_overdue_invoice_ends_the_overdue_state_and_the_ladder_with_it() -> None:
    staff = Staff()
    staff.sweep(date(2026, 11, 25))  # warned on 24/11: pay by 30/11
    assert staff.status is OVERDUE and "padaria" in staff.book.entries
    before = len(staff.store.outbox)

    view = act(staff, ADMIN, "write_off", local(date(2026, 11, 25), 10), invoice_key="NF-1")
    staff.sweep(date(2026, 12, 31))

    assert (view.status, view.plan.status, view.owed, view.plan.steps) == (ACTIVE, ACTIVE, (), ())
    assert staff.status is ACTIVE and "padaria" not in staff.book.entries
    assert staff.store.outbox[before:] == []  # no suspension, no notice: nothing is owed


# An account merged into another since the staff member saw it.


def test_an_action_on_an_account_merged_since_it_was_seen_writes_nothing_and_answers_with_its_survivor() -> None:
    store = MemoryLedgerStore(notices_accepted=True)
    survivor = uploaded_account(store, invoice("NF-1", DUE))
    stripe_account(store, invoices=(stripe_invoice("in_8", 120_00),))  # at version 4
    deps = Staff().deps(store=store)
    for n in range(3):  # the survivor's own history: it reaches version 4 with the merge
        note = staff_actions.parse_action("note", {"expected_version": n, "reason": f"nota {n}"})
        staff_actions.act(survivor, "note", note, ADMIN, deps, now=T0)
    seen = staff_views.account_view(STRIPE_ONLY, ADMIN, deps, now=T0)
    assert tax_id_arrives(store) == survivor
    merged = store.load_ledger(survivor)
    assert merged is not None and merged.account.version == seen.version  # the same number, another account
    commits = store.commits
    promise = staff_actions.parse_action(
        "promise_to_pay", {"expected_version": seen.version, "reason": "pagará os R$ 120", "until": "2026-11-20"}
    )

    with pytest.raises(StaleView) as conflict:
        staff_actions.act(STRIPE_ONLY, "promise_to_pay", promise, ADMIN, deps, now=T0)

    assert store.commits == commits
    assert conflict.value.view.account_id == survivor and not conflict.value.view.holds
    again = staff_actions.parse_action(
        "promise_to_pay",
        {"expected_version": conflict.value.view.version, "reason": "pagará tudo", "until": "2026-11-20"},
    )
    assert [h.kind for h in staff_actions.act(survivor, "promise_to_pay", again, ADMIN, deps, now=T0).holds] == [
        "promise_to_pay"
    ]


def test_cash_recorded_on_two_accounts_later_merged_is_all_kept() -> None:
    store = MemoryLedgerStore()
    survivor = uploaded_account(store, invoice("NF-1", DUE))
    stripe_account(store, invoices=(stripe_invoice("in_8", 120_00),))  # at version 4
    deps = Staff().deps(store=store)

    def record(account_id: str, version: int, cents: int) -> None:
        body = {
            "expected_version": version,
            "reason": "pagou no balcão",
            "amount": {"amount": cents, "currency": "BRL"},
            "received_on": "2026-11-02",
            "method": "cash",
        }
        request = staff_actions.parse_action("offline_payment", body)
        staff_actions.act(account_id, "offline_payment", request, ADMIN, deps, now=T0)

    for n in range(4):
        note = staff_actions.parse_action("note", {"expected_version": n, "reason": f"nota {n}"})
        staff_actions.act(survivor, "note", note, ADMIN, deps, now=T0)
    record(survivor, 4, 50_00)
    record(STRIPE_ONLY, 4, 70_00)

    assert tax_id_arrives(store) == survivor

    merged = store.load_ledger(survivor)
    assert merged is not None
    assert sum(p.amount.amount for p in merged.payments if p.provider == "offline") == 120_00
    # The one that came over keeps its id, marked with the account it came from; both read as staff's, unreferenced.
    assert sorted(p.payment_id for p in merged.payments if p.provider == "offline") == ["v5", f"v5~{STRIPE_ONLY}"]


# With the fine and interest charged (`fees.mode`), they are owed like the principal.


def _charged() -> Staff:
    document = json.loads(default_policy_text())
    document["fees"]["mode"] = "charged"
    staff = Staff(policy=load_policy(json.dumps(document)))
    staff.sweep(date(2026, 12, 1))
    assert staff.status is SUSPENDED
    return staff


def _principal_paid(staff: Staff) -> AccountView:
    """The customer pays the R$ 1.500,00 at the counter; the fine and interest are left."""
    return act(
        staff,
        FINANCE,
        "offline_payment",
        local(date(2026, 12, 1), 10),
        amount={"amount": 150_000, "currency": "BRL"},
        received_on="2026-12-01",
        method="cash",
    )


def test_with_fees_charged_an_account_suspended_for_them_shows_them_owed() -> None:
    staff = _charged()

    view = _principal_paid(staff)

    assert view.status is SUSPENDED
    [installment] = view.invoices[0].installments
    assert installment.outstanding == Money(amount=0, currency="BRL")
    assert installment.total is not None and installment.total.amount > 0  # the fine and interest
    assert view.owed == (installment.total,)


@pytest.mark.parametrize(
    ("caller", "action", "body", "status"),
    [
        (ADMIN, "write_off", {"invoice_key": "NF-1"}, ACTIVE),
        (ANA, "dispute", {"invoice_key": "NF-1", "until": "2026-12-15"}, ACTIVE),
        (ANA, "promise_to_pay", {"until": "2026-12-04"}, SUSPENDED),
    ],
)
def test_with_fees_charged_an_invoice_that_owes_only_them_can_be_acted_on(
    caller: Caller, action: str, body: dict[str, Any], status: AccountStatus
) -> None:
    staff = _charged()
    fees = _principal_paid(staff).owed

    view = act(staff, caller, action, local(date(2026, 12, 1), 11), **body)

    assert view.status is status
    if action == "write_off":
        assert (view.owed, staff.ledger().write_offs[0].amount) == ((), fees[0])
