"""One Stripe payment is one payment under API version 2025-03-31 and later, whatever order its events arrive in.

From that version a webhook's invoice names neither the payment intent that paid it nor (unexpanded) its payments,
and a payment intent no longer names its invoice (docs.stripe.com/changelog/basil). Only `invoice_payment.paid`,
whose InvoicePayment names both the invoice and the payment intent (docs.stripe.com/api/invoice-payment/object),
says they are one sale. Stripe delivers each event on its own, in no particular order, and delivers one that was
refused again later; a business may have subscribed to any of these events, as long as one of them says a payment
was made (`invoice.paid` or `payment_intent.succeeded`). Whatever it subscribed to and in whatever order they come,
the customer's payment counts once: the invoice is paid once, nothing is left over as credit to pay next month's
invoice, and nobody is chased for the month that was paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import combinations, permutations
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ponte.domain.ledger import Ledger
from ponte.services.webhooks import WebhookRefused
from tests.memory_store import MemoryLedgerStore
from tests.support import T0
from tests.unit.test_provider_retries import (
    CHECKOUT,
    customer_notices,
    deliver,
    paid_invoice,
    payment_intent,
    staff_alerts,
    stripe_event,
    subscription_invoice,
)

FINALIZED, INVOICE_PAID, INTENT_SUCCEEDED, INVOICE_PAYMENT_PAID = (
    "invoice.finalized",
    "invoice.paid",
    "payment_intent.succeeded",
    "invoice_payment.paid",
)
FOUR = (FINALIZED, INVOICE_PAID, INTENT_SUCCEEDED, INVOICE_PAYMENT_PAID)


def invoice_payment(**fields: Any) -> dict[str, Any]:
    """The InvoicePayment of the subscription's invoice `in_1`, paid by the payment intent `pi_1`."""
    return {
        "id": "inpay_1",
        "object": "invoice_payment",
        "amount_paid": 500_00,
        "amount_requested": 500_00,
        "created": int(T0.timestamp()),
        "currency": "brl",
        "invoice": "in_1",
        "is_default": True,
        "livemode": False,
        "payment": {"type": "payment_intent", "payment_intent": "pi_1"},
        "status": "paid",
        "status_transitions": {"canceled_at": None, "paid_at": int(T0.timestamp())},
        **fields,
    }


# One month's payment of a subscription, as an endpoint on API version 2025-03-31 or later receives it: no event
# but invoice_payment.paid names both the invoice and the payment intent.
BASIL = {
    FINALIZED: stripe_event("evt_fin", "invoice.finalized", subscription_invoice(), T0 - timedelta(days=3)),
    INVOICE_PAID: stripe_event("evt_inv", "invoice.paid", paid_invoice(), T0),
    INTENT_SUCCEEDED: stripe_event("evt_pi", "payment_intent.succeeded", payment_intent(), T0),
    INVOICE_PAYMENT_PAID: stripe_event("evt_inpay", "invoice_payment.paid", invoice_payment(), T0),
}
# Next month's invoice, due 37 days from now.
NEXT_MONTH = stripe_event(
    "evt_fin2",
    "invoice.finalized",
    subscription_invoice("in_2", number="PADARIA-0002", due_date=int((T0 + timedelta(days=37)).timestamp())),
    T0 + timedelta(days=30),
)
# Known from a former month: the customer's code (the account's id) and Stripe's id for them.
CUSTOMER = stripe_event(
    "evt_cus",
    "customer.created",
    {"id": "cus_1", "object": "customer", "name": "Padaria Estrela", "metadata": {"account_id": "padaria"}},
    T0 - timedelta(days=60),
)


def delivered(store: MemoryLedgerStore, order: Sequence[str]) -> None:
    """Each event delivered in `order`, an hour apart. One Ponte refuses as not known yet (409: the payment or the
    invoice it ties is not recorded) is delivered again after the others, as Stripe does, until it lands."""
    waiting = list(order)
    for attempt in range(3):
        refused = []
        for n, name in enumerate(waiting):
            commits = store.commits
            status = refusal_status(store, name, T0 + timedelta(days=attempt, hours=n))
            if status is not None:
                assert (status, store.commits) == (409, commits), "refused as not known yet, and nothing written"
                refused.append(name)
        waiting = refused
    assert waiting == [], f"never landed: {waiting}"


def refusal_status(store: MemoryLedgerStore, name: str, at: datetime) -> int | None:
    """The status Ponte refuses the delivery with, or None when it takes it."""
    try:
        deliver(store, BASIL[name], at)
    except WebhookRefused as refused:
        return refused.status
    return None


def the_account(store: MemoryLedgerStore) -> Ledger:
    accounts = [ledger for ledger in store.ledgers.values() if ledger.account.merged_into is None]
    assert len(accounts) == 1, [ledger.account.account_id for ledger in accounts]
    return accounts[0]


def delivered_again_are_duplicates(store: MemoryLedgerStore, order: Sequence[str]) -> None:
    """Every event delivered once more, days later: each a duplicate, and nothing is written or announced."""
    commits, outbox = store.commits, len(store.outbox)
    for n, name in enumerate(order):
        again = deliver(store, BASIL[name], T0 + timedelta(days=4, minutes=n))
        assert again.applied is not None and again.applied.duplicate, name
    assert (store.commits, len(store.outbox)) == (commits, outbox)


@pytest.mark.parametrize("customer_known", [True, False], ids=["a customer known before", "a new customer"])
@pytest.mark.parametrize("order", list(permutations(FOUR)), ids=" > ".join)
def test_the_four_events_of_a_subscriptions_payment_make_one_payment_in_any_order(
    order: tuple[str, ...], customer_known: bool
) -> None:
    # Given a customer whose subscription's invoice is paid by card
    store = MemoryLedgerStore()
    if customer_known:
        deliver(store, CUSTOMER, T0 - timedelta(days=60))
    # When Stripe delivers the invoice, its payment and the InvoicePayment that ties them, in this order
    delivered(store, order)
    # Then one payment is recorded, tied to its invoice, which it pays once: no credit is left over
    ledger = the_account(store)
    assert [(p.payment_id, p.invoice_key, p.amount.amount) for p in ledger.payments] == [
        ("pi_1", "stripe:in_1", 500_00)
    ]
    allocation = ledger.allocate()
    assert [(r.invoice_id, r.outstanding.amount) for r in allocation.receivables] == [("stripe:in_1", 0)]
    assert not any(allocation.credit.values())
    assert staff_alerts(store, "payment.unmatched") == 0
    # Sales hear of a new customer once (of one known before, at most once: as of its first payment or invoice)
    announced = staff_alerts(store, "customer.new") + staff_alerts(store, "customer.first_invoice")
    assert announced <= 1 if customer_known else announced == 1
    # And nobody is chased for it a month later
    assert customer_notices(ledger, T0 + timedelta(days=40)) == []
    # And each event delivered again is a duplicate
    delivered_again_are_duplicates(store, order)
    # And next month's invoice is owed whole: no second count of this payment pays it
    deliver(store, NEXT_MONTH, T0 + timedelta(days=30))
    owed = {r.invoice_id: r.outstanding.amount for r in the_account(store).receivables()}
    assert owed == {"stripe:in_1": 0, "stripe:in_2": 500_00}


def _subscribed() -> list[tuple[str, ...]]:
    """Every order of every set of these events a business may subscribe to: one that says a payment was made."""
    sets = [s for size in range(1, 5) for s in combinations(FOUR, size) if {INVOICE_PAID, INTENT_SUCCEEDED} & set(s)]
    return [order for s in sets for order in permutations(s)]


@pytest.mark.parametrize("customer_known", [True, False], ids=["a customer known before", "a new customer"])
@pytest.mark.parametrize("order", _subscribed(), ids=" > ".join)
def test_whatever_a_business_subscribed_to_the_payment_counts_once(
    order: tuple[str, ...], customer_known: bool
) -> None:
    store = MemoryLedgerStore()
    if customer_known:
        deliver(store, CUSTOMER, T0 - timedelta(days=60))
    delivered(store, order)
    ledger = the_account(store)
    subscribed = set(order)
    # The payment is recorded once when an event names it; invoice.paid alone says the invoice was paid, which pays
    # it without standing as a payment of its own.
    names_the_payment = {INTENT_SUCCEEDED, INVOICE_PAYMENT_PAID} & subscribed
    assert [p.payment_id for p in ledger.payments] == (["pi_1"] if names_the_payment else [])
    allocation = ledger.allocate()
    owed = [(r.invoice_id, r.outstanding.amount) for r in allocation.receivables]
    if {FINALIZED, INVOICE_PAID} & subscribed:
        assert owed == [("stripe:in_1", 0)] and not any(allocation.credit.values())
    else:
        # No invoice event: Stripe's invoice is never known, and the payment is the customer's credit, as it is
        # under older API versions.
        assert owed == [] and allocation.credit == {"BRL": 500_00}
    assert staff_alerts(store, "payment.unmatched") == 0
    assert customer_notices(ledger, T0 + timedelta(days=40)) == []
    delivered_again_are_duplicates(store, order)
    if FINALIZED in subscribed:
        deliver(store, NEXT_MONTH, T0 + timedelta(days=30))
        owed_next = {r.invoice_id: r.outstanding.amount for r in the_account(store).receivables()}
        assert owed_next == {"stripe:in_1": 0, "stripe:in_2": 500_00}


def test_a_refund_of_a_payment_tied_through_its_invoice_payment_makes_the_invoice_owed_again() -> None:
    """A payment known through invoice_payment.paid alone (payment_intent.succeeded not subscribed) is the
    payment: its refund lands on it, and the invoice Stripe reported paid is owed again for what was refunded, as
    under older API versions, rather than still paid by the report."""
    store = MemoryLedgerStore()
    delivered(store, (FINALIZED, INVOICE_PAYMENT_PAID, INVOICE_PAID))
    refund = {
        "id": "ch_1",
        "object": "charge",
        "created": int(T0.timestamp()),
        "amount": 500_00,
        "amount_refunded": 200_00,
        "currency": "brl",
        "customer": "cus_1",
        "payment_intent": "pi_1",
        "payment_method_details": {"type": "card"},
        "metadata": {},
    }
    refunded_at = T0 + timedelta(hours=5)
    deliver(store, stripe_event("evt_refund", "charge.refunded", refund, refunded_at), refunded_at)
    ledger = the_account(store)
    assert [(p.payment_id, p.refunded) for p in ledger.payments] == [("pi_1", 200_00)]
    assert [r.outstanding.amount for r in ledger.receivables()] == [200_00]


def test_an_invoice_paid_whose_payment_stripe_never_names_is_paid_once_by_stripes_report() -> None:
    """Paid outside Stripe, or with neither payment_intent.succeeded nor invoice_payment.paid subscribed: the
    invoice is paid by invoice.paid alone, once, however often it and its checkout session report it."""
    store = MemoryLedgerStore()
    checkout = {**CHECKOUT, "metadata": {"account_id": "padaria"}}  # a plan named only on the invoice
    deliver(store, stripe_event("evt_cs", "checkout.session.completed", checkout, T0), T0)
    delivered(store, (INVOICE_PAID, FINALIZED))
    ledger = the_account(store)
    assert ledger.payments == ()
    allocation = ledger.allocate()
    assert [(r.invoice_id, r.outstanding.amount) for r in allocation.receivables] == [("stripe:in_1", 0)]
    assert not any(allocation.credit.values())
    assert staff_alerts(store, "customer.new") == 1


def month(n: int, cents: int = 500_00) -> dict[str, bytes]:
    """The events of the subscription's invoice `in_<n>`, paid by the payment intent `pi_<n>`, as API version
    2025-03-31 and later sends them."""
    number = f"PADARIA-000{n}"
    paid = subscription_invoice(f"in_{n}", cents, number=number, amount_paid=cents, amount_remaining=0)
    return {
        f"{FINALIZED} {n}": stripe_event(
            f"evt_fin{n}", FINALIZED, subscription_invoice(f"in_{n}", cents, number=number), T0
        ),
        f"{INVOICE_PAID} {n}": stripe_event(f"evt_inv{n}", INVOICE_PAID, paid, T0),
        f"{INTENT_SUCCEEDED} {n}": stripe_event(f"evt_pi{n}", INTENT_SUCCEEDED, payment_intent(f"pi_{n}", cents), T0),
    }


TWO_SUBSCRIPTIONS = month(1) | month(2)


@settings(max_examples=40, deadline=None)
@given(order=st.permutations(sorted(TWO_SUBSCRIPTIONS)))
def test_two_invoices_of_one_amount_paid_together_are_each_paid_once_without_invoice_payment_paid(
    order: list[str],
) -> None:
    """Two subscriptions of the same price: each month two invoices of one amount, two payments of it, and nothing
    but invoice_payment.paid (not subscribed here) says which paid which. Each invoice is paid once, by a payment,
    and nothing is left as credit for next month's invoices to be paid with. (A payment that comes while both are
    open and neither is reported paid could be for either: collections are told, as for any such payment.)"""
    store = MemoryLedgerStore()
    deliver(store, CUSTOMER, T0 - timedelta(days=60))
    for n, name in enumerate(order):
        deliver(store, TWO_SUBSCRIPTIONS[name], T0 + timedelta(minutes=n))
    ledger = the_account(store)
    allocation = ledger.allocate()
    assert sorted(p.payment_id for p in ledger.payments) == ["pi_1", "pi_2"]
    assert {m.invoice_key for m in allocation.matches.values()} == {"stripe:in_1", "stripe:in_2"}
    assert [r.outstanding.amount for r in allocation.receivables] == [0, 0]
    assert not any(allocation.credit.values())


def test_a_payment_of_an_invoice_reported_paid_does_not_pay_an_older_one_of_the_same_amount() -> None:
    """Last month's invoice, of the same amount, is unpaid: this month's payment, which names no invoice, pays the
    invoice Stripe reported paid, and last month's stays owed."""
    store = MemoryLedgerStore()
    overdue = subscription_invoice("in_0", number="PADARIA-0000", due_date=int((T0 - timedelta(days=23)).timestamp()))
    deliver(store, stripe_event("evt_fin0", FINALIZED, overdue, T0 - timedelta(days=30)), T0 - timedelta(days=30))
    for n, body in enumerate(BASIL[name] for name in (INTENT_SUCCEEDED, FINALIZED, INVOICE_PAID)):
        deliver(store, body, T0 + timedelta(minutes=n))
    ledger = the_account(store)
    assert {r.invoice_id: r.outstanding.amount for r in ledger.receivables()} == {
        "stripe:in_0": 500_00,
        "stripe:in_1": 0,
    }
    assert not any(ledger.allocate().credit.values())
    assert staff_alerts(store, "payment.unmatched") == 0


def test_an_invoice_paid_in_two_payments_is_paid_once_by_both() -> None:
    """From API version 2025-03-31 an invoice may be paid in parts, each an InvoicePayment: with
    invoice_payment.paid, each payment is tied to the invoice, which is paid once by the two."""
    store = MemoryLedgerStore()
    parts = [
        stripe_event(f"evt_pi_{n}", INTENT_SUCCEEDED, payment_intent(f"pi_{n}", 250_00), T0) for n in ("a", "b")
    ] + [
        stripe_event(
            f"evt_inpay_{n}",
            INVOICE_PAYMENT_PAID,
            invoice_payment(
                id=f"inpay_{n}",
                amount_paid=250_00,
                amount_requested=250_00,
                payment={"type": "payment_intent", "payment_intent": f"pi_{n}"},
            ),
            T0,
        )
        for n in ("a", "b")
    ]
    delivered_bodies = [BASIL[FINALIZED], BASIL[INVOICE_PAID], *parts]
    for n, body in enumerate(delivered_bodies):
        deliver(store, body, T0 + timedelta(minutes=n))
    ledger = the_account(store)
    assert sorted((p.payment_id, p.invoice_key) for p in ledger.payments) == [
        ("pi_a", "stripe:in_1"),
        ("pi_b", "stripe:in_1"),
    ]
    allocation = ledger.allocate()
    assert [r.outstanding.amount for r in allocation.receivables] == [0]
    assert not any(allocation.credit.values())
