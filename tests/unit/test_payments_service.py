"""Applying provider events to accounts, with an in-memory store and the collections decision as a port."""

from __future__ import annotations

from datetime import date, timedelta
from typing import cast

import pytest
from pydantic import BaseModel

from ponte.domain import events as ev
from ponte.domain.accounts import AccountStatus, next_version
from ponte.domain.bodies.payments import CustomerNew
from ponte.domain.changes import AccountChange
from ponte.domain.errors import ConcurrentModification
from ponte.domain.identity import new_account_id
from ponte.domain.ledger import Ledger
from ponte.domain.money import Money
from ponte.domain.notifications import Audience, Severity, Team
from ponte.services.payments import PaymentSettings, apply_delivery
from tests.memory_store import MemoryLedgerStore
from tests.support import T0

SETTINGS = PaymentSettings(staff_locale="pt-BR", customer_locale="pt-BR", time_zone="America/Sao_Paulo")
CUSTOMER = ev.CustomerRef(
    id="cus_1", reference="acme-001", name="Acme Ltda", email="Fin@Acme.example", phone="+5511988887777"
)


def no_decision(ledger: Ledger, now: object, cause: str) -> AccountChange | None:
    return None


def brl(cents: int) -> Money:
    return Money(amount=cents, currency="BRL")


def paid(
    event_id: str, cents: int = 100_00, payment_id: str = "pi_1", invoice_id: str | None = "in_1", **extra: object
) -> ev.PaymentReceived:
    return ev.PaymentReceived.model_validate(
        {
            "provider": "stripe",
            "event_id": event_id,
            "occurred_at": T0,
            "customer": CUSTOMER,
            "amount": brl(cents),
            "payment_id": payment_id,
            "invoice_id": invoice_id,
            "invoice_number": "F-1",
            "payment_method": "card",
            "description": "Plano Pro",
        }
        | extra
    )


def issued(event_id: str = "evt_inv", cents: int = 100_00, invoice_id: str = "in_1") -> ev.InvoiceIssued:
    return ev.InvoiceIssued(
        provider="stripe",
        event_id=event_id,
        occurred_at=T0 - timedelta(days=20),
        customer=CUSTOMER,
        amount=brl(cents),
        invoice_id=invoice_id,
        invoice_number="F-1",
        due_date=date(2026, 10, 20),
    )


def apply(store: MemoryLedgerStore, *events: ev.DomainEvent, recompute=no_decision):  # type: ignore[no-untyped-def]
    return apply_delivery(list(events), store=store, settings=SETTINGS, recompute=recompute, now=T0)


def test_a_new_customer_who_pays_gets_an_account_and_sales_is_told_everything() -> None:
    store = MemoryLedgerStore()
    applied = apply(store, paid("evt_1"))
    assert applied.created and applied.account_id == "acme-001"
    assert set(store.references) == {
        ("reference", "acme-001"),
        ("stripe", "cus_1"),
        ("email", "fin@acme.example"),
        ("stripe-payment", "pi_1"),  # so that its refunds and disputes find this account
    }
    staff = [n for n in store.outbox if n.audience is Audience.STAFF]
    (alert,) = staff
    assert alert.team is Team.SALES and alert.locale == "pt-BR"
    body = alert.body
    assert isinstance(body, CustomerNew)
    assert (body.customer_name, body.contact.email, body.contact.phone) == (
        "Acme Ltda",
        "Fin@Acme.example",
        "+5511988887777",
    )
    assert (body.description, body.amount, body.payment_method, body.invoice_number) == (
        "Plano Pro",
        brl(100_00),
        "card",
        "F-1",
    )
    assert (body.provider, body.provider_event) == ("stripe", "evt_1")
    assert [n.event_type for n in store.outbox if n.audience is Audience.PLATFORM] == ["account.opened"]


def test_a_new_customers_invoice_without_a_number_is_not_named_by_the_providers_id() -> None:
    store = MemoryLedgerStore()
    apply(store, paid("evt_1", invoice_number=None))
    (alert,) = [n for n in store.outbox if n.audience is Audience.STAFF]
    assert isinstance(alert.body, CustomerNew)
    assert alert.body.invoice_number is None, "no number sales could look up: none, rather than Stripe's `in_1`"


def test_the_same_delivery_twice_changes_nothing() -> None:
    store = MemoryLedgerStore()
    apply(store, paid("evt_1"))
    before = (store.commits, len(store.outbox))
    again = apply(store, paid("evt_1"))
    assert again.duplicate and (store.commits, len(store.outbox)) == before


def test_one_payment_reported_under_several_events_counts_once_and_alerts_once() -> None:
    store = MemoryLedgerStore()
    apply(store, issued())
    apply(store, paid("evt_checkout", invoice_id=None))
    apply(store, paid("evt_invoice_paid"))
    ledger = store.ledgers["acme-001"]
    assert len(ledger.payments) == 1 and ledger.payments[0].invoice_key == "stripe:in_1"
    assert ledger.outstanding() == {"BRL": 0}
    # The provider's first invoice to a customer never seen before announced the new customer; its payment is a
    # payment, counted and announced once.
    assert [n.event_type for n in store.outbox if n.audience is Audience.STAFF] == ["customer.first_invoice"]


def test_a_payment_before_its_invoice_converges_to_the_same_state() -> None:
    in_order, reversed_ = MemoryLedgerStore(), MemoryLedgerStore()
    apply(in_order, issued())
    apply(in_order, paid("evt_1"))
    apply(reversed_, paid("evt_1"))
    apply(reversed_, issued())
    for store in (in_order, reversed_):
        assert store.ledgers["acme-001"].outstanding() == {"BRL": 0}


def test_an_old_failure_after_the_invoice_was_paid_alerts_nobody() -> None:
    store = MemoryLedgerStore()
    apply(store, issued())
    apply(store, paid("evt_paid"))
    failed = ev.PaymentFailed(
        provider="stripe",
        event_id="evt_old",
        occurred_at=T0 - timedelta(days=1),
        customer=CUSTOMER,
        amount=brl(100_00),
        invoice_id="in_1",
        reason="card_declined",
    )
    applied = apply(store, failed)
    assert applied.effects == ("payment.failed",)
    assert "payment.failed" not in {n.event_type for n in store.outbox}


def test_a_failed_payment_alerts_finance() -> None:
    store = MemoryLedgerStore()
    apply(store, issued())
    failed = ev.PaymentFailed(
        provider="stripe",
        event_id="evt_f",
        occurred_at=T0,
        customer=CUSTOMER,
        amount=brl(100_00),
        invoice_id="in_1",
        reason="card_declined",
    )
    apply(store, failed)
    (alert,) = [n for n in store.outbox if n.event_type == "payment.failed"]
    assert (alert.team, alert.severity) == (Team.FINANCE, Severity.WARNING)


def chargeback(kind: type[BaseModel], event_id: str, at_minutes: int, **extra: object) -> ev.DomainEvent:
    event = kind.model_validate(
        {
            "provider": "stripe",
            "event_id": event_id,
            "occurred_at": T0 + timedelta(minutes=at_minutes),
            "customer": CUSTOMER,
            "amount": brl(100_00),
            "payment_id": "pi_1",
            "invoice_id": "in_1",
        }
        | extra
    )
    return cast("ev.DomainEvent", event)


def test_chargebacks_hold_the_invoice_and_a_late_old_report_does_not_undo_a_newer_one() -> None:
    store = MemoryLedgerStore()
    apply(store, issued())
    apply(store, paid("evt_p"))
    apply(store, chargeback(ev.ChargebackOpened, "evt_cb1", 10))
    (receivable,) = store.ledgers["acme-001"].receivables()
    assert receivable.disputed and receivable.outstanding == brl(100_00)
    apply(store, chargeback(ev.ChargebackClosed, "evt_cb2", 30, outcome="won"))
    apply(store, chargeback(ev.ChargebackOpened, "evt_cb_late", 20))  # older than the closing, delivered after it
    assert store.ledgers["acme-001"].payments[0].chargeback == "won"
    assert store.ledgers["acme-001"].outstanding() == {"BRL": 0}
    kinds = [(n.event_type, n.severity) for n in store.outbox if n.event_type.startswith("chargeback")]
    assert kinds[0] == ("chargeback.opened", Severity.CRITICAL)


def test_refunds_keep_the_running_total() -> None:
    store = MemoryLedgerStore()
    apply(store, issued())
    apply(store, paid("evt_p"))
    refund = ev.RefundIssued(
        provider="stripe", event_id="evt_r", occurred_at=T0, customer=CUSTOMER, amount=brl(30_00), payment_id="pi_1"
    )
    apply(store, refund)
    assert store.ledgers["acme-001"].payments[0].refunded == 30_00
    assert store.ledgers["acme-001"].outstanding() == {"BRL": 30_00}


def test_plan_changes_and_cancellations_reach_the_owner() -> None:
    store = MemoryLedgerStore()
    apply(store, paid("evt_p", owner="ana"))
    cancelled = ev.SubscriptionCancelled(
        provider="stripe", event_id="evt_c", occurred_at=T0, customer=CUSTOMER, subscription_id="sub_1", plan="Pro"
    )
    apply(store, cancelled)
    (alert,) = [n for n in store.outbox if n.event_type == "subscription.cancelled"]
    assert (alert.owner, alert.team, alert.severity) == ("ana", Team.SALES, Severity.WARNING)


def test_the_collections_decision_is_part_of_the_same_change() -> None:
    store = MemoryLedgerStore()
    apply(store, issued())
    suspended = store.ledgers["acme-001"].account.model_copy(update={"status": AccountStatus.SUSPENDED})
    store.ledgers["acme-001"] = store.ledgers["acme-001"].model_copy(update={"account": suspended})
    seen: list[Ledger] = []

    def reactivate(ledger: Ledger, now: object, cause: str) -> AccountChange:
        seen.append(ledger)
        return AccountChange(
            account=next_version(ledger.account, status=AccountStatus.ACTIVE),
            recorded_at=T0,
            expected_version=ledger.account.version,
        )

    commits = store.commits
    apply(store, paid("evt_p"), recompute=reactivate)
    assert store.commits == commits + 1
    assert seen[0].outstanding() == {"BRL": 0}  # the decision saw the payment
    assert store.ledgers["acme-001"].account.status is AccountStatus.ACTIVE


def test_a_concurrent_change_is_read_again_and_applied_once() -> None:
    store = MemoryLedgerStore()
    apply(store, issued())
    real_commit, calls = store.commit, []

    def busy_once(change: AccountChange) -> None:
        calls.append(change)
        if len(calls) == 1:
            raise ConcurrentModification("someone else wrote first")
        real_commit(change)

    store.commit = busy_once  # type: ignore[method-assign]
    applied = apply(store, paid("evt_p"))
    assert len(calls) == 2 and not applied.duplicate
    assert len(store.ledgers["acme-001"].payments) == 1


def test_a_reference_held_by_another_account_is_not_claimed_again() -> None:
    store = MemoryLedgerStore()
    store.references[("email", "fin@acme.example")] = "someone-else"
    apply(store, paid("evt_p"))
    assert store.references[("email", "fin@acme.example")] == "someone-else"
    assert store.references[("reference", "acme-001")] == "acme-001"


def test_a_malformed_phone_from_a_provider_is_dropped_not_fatal() -> None:
    store = MemoryLedgerStore()
    odd = CUSTOMER.model_copy(update={"phone": "(11) 98888-7777"})
    apply(store, paid("evt_p", customer=odd))
    contact = store.ledgers["acme-001"].account.contact
    assert contact.phone is None and contact.email == "Fin@Acme.example"


@pytest.mark.parametrize("reference", ["ACME 001/é", None])
def test_account_ids_are_safe_and_stable(reference: str | None) -> None:
    store = MemoryLedgerStore()
    customer = CUSTOMER.model_copy(update={"reference": reference})
    applied = apply(store, paid("evt_p", customer=customer))
    # Without the business's reference, the id is a hash: it carries no tax id, e-mail or name.
    assert applied.account_id == ("ACME-001-" if reference else new_account_id([("stripe", "cus_1")]))
    assert reference or applied.account_id.startswith("acct-")


def test_an_account_opened_elsewhere_is_found_by_the_reference_that_is_its_id() -> None:
    from ponte.domain.accounts import Account, Contact

    store = MemoryLedgerStore()
    store.ledgers["acme-001"] = Ledger(
        account=Account(account_id="acme-001", name="Acme", locale="es", contact=Contact(name="Ana"), created_at=T0)
    )
    applied = apply(store, paid("evt_p"))
    assert applied.account_id == "acme-001" and not applied.created
    assert store.ledgers["acme-001"].account.locale == "es"  # the existing account, not a new one
    assert ("reference", "acme-001") in store.references
