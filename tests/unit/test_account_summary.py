"""The summary an account item keeps of its payments (`LedgerSummary`), and the payments decided from it.

A summary kept change by change is the one the ledger computes; a ledger without invoices allocates as the general
rule does; and whatever the account and its payments, a payment decided from the account's head (`LedgerHead`) is
the change, the answer and the history that deciding it from the whole ledger gives, with the collections decision
of the default policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ponte.domain import events as ev
from ponte.domain.accounts import AccountStatus
from ponte.domain.changes import AccountChange
from ponte.domain.ledger import Ledger, LedgerSummary, PaymentRecord
from ponte.domain.money import Money
from ponte.domain.policy import default_policy_text, load_policy
from ponte.services.collections import change_for, decide
from ponte.services.conflicts import ConflictRetry
from ponte.services.payments import PaymentHeads, PaymentSettings, apply_delivery
from tests.collections_support import account, invoice
from tests.memory_store import MemoryLedgerStore
from tests.support import T0

ZONE = "America/Sao_Paulo"
SETTINGS = PaymentSettings(staff_locale="pt-BR", customer_locale="pt-BR", time_zone=ZONE)
POLICY = load_policy(default_policy_text())
RETRY = ConflictRetry(attempts=3, sleep=lambda _: None)
CUSTOMER = ev.CustomerRef(id="cus_1", name="Padaria")


def recompute(ledger: Ledger, now: datetime, cause: str) -> AccountChange | None:
    """The payment webhook's collections decision (`ponte.functions.payment_webhook`), with the default policy."""
    decision = decide(ledger, now=now, policy=POLICY, time_zone=ZONE, holidays=frozenset())
    return change_for(ledger, decision, now=now, staff_locale="pt-BR", cause=cause, immediate_only=True)


@dataclass(frozen=True)
class Write:
    payment: int  # which of a few payments
    cents: int
    origin: int | None
    refunded: int
    chargeback: str | None


writes = st.builds(
    Write,
    payment=st.integers(0, 7),
    cents=st.integers(1, 50_000),
    origin=st.none() | st.integers(0, 20),
    refunded=st.integers(0, 100),
    chargeback=st.none() | st.sampled_from(["open", "won", "lost"]),
)


def record(write: Write, received_at: datetime, currency: str = "BRL") -> PaymentRecord:
    return PaymentRecord(
        provider="stripe",
        payment_id=f"pi_{write.payment}",
        amount=Money(amount=write.cents, currency=currency),
        received_at=received_at,
        refunded=write.refunded,
        chargeback=write.chargeback,
        origin=None if write.origin is None else f"stripe:evt_{write.origin}",
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(writes, min_size=1, max_size=4), max_size=10), st.data())
def test_a_summary_kept_change_by_change_is_the_one_the_ledger_computes(
    changes: list[list[Write]], data: st.DataObject
) -> None:
    # Given a ledger written change by change: new payments, and payments written again (refunded, disputed, told
    # more by another event), which keep the time they were received
    received: dict[int, datetime] = {}
    ledger: dict[str, PaymentRecord] = {}
    kept = LedgerSummary()
    for change in changes:
        written = []
        for write in change:
            minutes = data.draw(st.integers(0, 3), label="minutes")  # payments of one moment too
            at = received.setdefault(write.payment, T0 + timedelta(minutes=minutes))
            written.append(record(write, at))
        # When each change moves the summary on
        kept = kept.after(written)
        ledger.update({payment.key: payment for payment in written})
        # Then it is what the whole ledger computes
        assert kept == LedgerSummary.of(ledger.values())
        assert kept.paid == bool(ledger)
        for payment in ledger.values():
            if payment.origin is not None and kept.recorded(payment.origin):
                assert any(r.origin == payment.origin and r.key in ledger for r in kept.recent)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(writes, st.sampled_from(["BRL", "USD"]), st.integers(0, 600)),
        max_size=12,
        unique_by=lambda w: w[0].payment,
    )
)
def test_a_ledger_without_invoices_allocates_as_the_general_rule(payments: list[tuple[Write, str, int]]) -> None:
    ledger = Ledger(
        account=account("padaria"),
        payments=tuple(record(write, T0 + timedelta(minutes=m), currency) for write, currency, m in payments),
    )
    assert ledger.allocate() == ledger._allocate()


class WholeLedgers:
    """The memory store, reading every account whole (no `payment_head`): how a store without heads decides."""

    def __init__(self, store: MemoryLedgerStore) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        if name == "payment_head":
            raise AttributeError(name)
        return getattr(self._store, name)


def paid(event: int, payment: int, cents: int, minutes: int, description: str | None) -> ev.PaymentReceived:
    return ev.PaymentReceived(
        provider="stripe",
        event_id=f"evt_{event}",
        occurred_at=T0 + timedelta(minutes=minutes),
        customer=CUSTOMER,
        amount=Money(amount=cents, currency="BRL"),
        payment_id=f"pi_{payment}",
        description=description,
    )


# Mostly in good standing, where heads decide; the others, where they must not.
standing = st.sampled_from(
    [
        *[(AccountStatus.ACTIVE, None)] * 4,
        (AccountStatus.ACTIVE, T0 + timedelta(days=3)),
        (AccountStatus.OVERDUE, None),
        (AccountStatus.SUSPENDED, None),
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    standing,
    st.lists(writes, max_size=8, unique_by=lambda w: w.payment),
    st.sampled_from([False, False, False, True]),
    st.tuples(st.integers(0, 20), st.integers(0, 11), st.integers(1, 50_000), st.integers(0, 90)),
    st.none() | st.just("Plano Pro"),
)
def test_a_payment_decided_from_the_accounts_head_is_the_one_the_whole_ledger_decides(
    state: tuple[AccountStatus, datetime | None],
    recorded: list[Write],
    invoiced: bool,
    delivered: tuple[int, int, int, int],
    description: str | None,
) -> None:
    # Given an account in any standing, with payments (some of them recorded by deliveries) and maybe an invoice
    status, next_evaluation_at = state
    opened = account("padaria", status=status, references=(("stripe", "cus_1"),))
    opened = opened.model_copy(update={"next_evaluation_at": next_evaluation_at})
    ledger = Ledger(
        account=opened,
        payments=tuple(record(write, T0 - timedelta(days=1, minutes=write.payment)) for write in recorded),
        invoices=(invoice("NF-1", (T0 - timedelta(days=10)).date()),) if invoiced else (),
    )
    heads, whole = MemoryLedgerStore(ledger), MemoryLedgerStore(ledger)
    for store in (heads, whole):
        store.references[("stripe", "cus_1")] = "padaria"
        store.seen.update(p.origin for p in ledger.payments if p.origin is not None)
    assert isinstance(heads, PaymentHeads) and not isinstance(WholeLedgers(whole), PaymentHeads)

    # When a payment arrives: new, another event of one recorded, or a delivery of one again (a provider's event
    # is about one payment: delivered again, it names the payment it recorded)
    event_number, payment_number, cents, minutes = delivered
    origins = {p.origin: int(p.payment_id.removeprefix("pi_")) for p in ledger.payments if p.origin is not None}
    payment_number = origins.get(f"stripe:evt_{event_number}", payment_number)
    event = paid(event_number, payment_number, cents, minutes, description)
    outcomes = [
        apply_delivery([event], store=store, settings=SETTINGS, recompute=recompute, now=T0, conflicts=RETRY)
        for store in (heads, WholeLedgers(whole))
    ]

    # Then both decide the same: the answer, the change written, the ledger and its history after it
    assert outcomes[0] == outcomes[1]
    assert heads.changes == whole.changes
    assert heads.ledgers == whole.ledgers
    assert heads.timeline == whole.timeline and heads.outbox == whole.outbox


@settings(max_examples=200, deadline=None)
@given(
    st.lists(writes, max_size=8, unique_by=lambda w: w.payment),
    st.sampled_from(["padaria", "new"]),
    st.integers(0, 400),
)
def test_the_collections_decision_of_an_account_in_good_standing_with_payments_alone_changes_nothing(
    recorded: list[Write], opened: str, days: int
) -> None:
    # Given an active account with no evaluation to come whose ledger holds payments alone, refunded or disputed
    # in any way (what a returning customer's payment, or a new customer's first, is decided from without the
    # policy: `_Plan._nothing_to_decide`)
    ledger = Ledger(
        account=account(opened),
        payments=tuple(record(write, T0 - timedelta(days=days, minutes=write.payment)) for write in recorded),
    )
    head = ledger.head()
    assert head is not None and head.in_good_standing
    # When the collections decision is made, at any later moment
    # Then it calls for no change at all
    assert recompute(ledger, T0 + timedelta(days=days), "stripe:evt_1") is None
