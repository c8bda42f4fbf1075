"""A delivery whose references the store does not remember guesses its account instead of reading them first
(`ponte.services.payments._guess`). Whatever the guess, the outcome is the one reading them gives: the same
account, the same claims and merges, the same answer to a duplicate."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ponte.domain import events as ev
from ponte.domain.changes import AccountChange
from ponte.domain.errors import PonteError
from ponte.domain.ledger import Ledger
from ponte.domain.money import Money
from ponte.services.conflicts import ConflictRetry
from ponte.services.payments import OwnerMemory, PaymentSettings, apply_delivery
from tests.memory_store import MemoryLedgerStore
from tests.support import T0

SETTINGS = PaymentSettings(staff_locale="pt-BR", customer_locale="pt-BR", time_zone="America/Sao_Paulo")
# A payment whose reference another account holds conflicts for good: a few attempts, no pauses.
RETRY = ConflictRetry(attempts=3, sleep=lambda _: None)


class RememberingStore(MemoryLedgerStore):
    """The memory store, remembering as the DynamoDB store does the account of each reference it read or claimed
    (until `forget`: a new container), and counting the reads of references."""

    def __init__(self) -> None:
        super().__init__()
        self.remembered: dict[tuple[str, str], str] = {}
        self.reference_reads = 0

    def remembered_owners(self, references: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        return {ref: self.remembered[ref] for ref in references if ref in self.remembered}

    def owners_of(self, references: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        if any(ref not in self.remembered for ref in references):
            self.reference_reads += 1
        found = super().owners_of(references)
        self.remembered.update(found)
        return found

    def commit(self, change: AccountChange) -> None:
        super().commit(change)
        self.remembered.update(dict.fromkeys(change.references, change.account.account_id))
        if change.merge is not None:
            self.remembered.update(dict.fromkeys(change.merge.references, change.account.account_id))

    def forget(self) -> None:
        self.remembered.clear()


def no_decision(ledger: Ledger, now: object, cause: str) -> AccountChange | None:
    return None


def customer(reference: str | None, tax_id: str | None, provider_id: str | None, email: str | None) -> ev.CustomerRef:
    return ev.CustomerRef(id=provider_id, reference=reference, tax_id=tax_id, email=email, name="Cliente")


def paid(event_id: str, who: ev.CustomerRef, payment_id: str, cents: int = 100_00) -> ev.PaymentReceived:
    return ev.PaymentReceived(
        provider="stripe",
        event_id=event_id,
        occurred_at=T0,
        customer=who,
        amount=Money(amount=cents, currency="BRL"),
        payment_id=payment_id,
    )


def refunded(event_id: str, who: ev.CustomerRef, payment_id: str) -> ev.RefundIssued:
    return ev.RefundIssued(
        provider="stripe",
        event_id=event_id,
        occurred_at=T0 + timedelta(minutes=1),
        customer=who,
        amount=Money(amount=10_00, currency="BRL"),
        payment_id=payment_id,
    )


def apply(store: MemoryLedgerStore, event: ev.DomainEvent) -> Any:
    try:
        applied = apply_delivery(
            [event], store=store, settings=SETTINGS, recompute=no_decision, now=T0, conflicts=RETRY
        )
    except PonteError as refused:
        return type(refused).__name__
    return (applied.account_id, applied.duplicate, applied.created, applied.effects)


customers = st.builds(
    customer,
    st.sampled_from([None, "r1", "r2"]),
    st.sampled_from([None, "11222333000181", "12345678000195"]),
    st.sampled_from([None, "cus_1", "cus_2"]),
    st.sampled_from([None, "a@x.example", "b@x.example"]),
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), customers, st.sampled_from(["pi_1", "pi_2", "pi_3"])),
        st.tuples(st.just("refund"), customers, st.sampled_from(["pi_1", "pi_2", "pi_3"])),
        st.tuples(st.just("again"), st.integers(min_value=0, max_value=20), st.just("")),
        st.tuples(st.just("forget"), st.none(), st.just("")),
    ),
    min_size=1,
    max_size=14,
)


@settings(max_examples=300, deadline=None)
@given(steps)
def test_guessing_the_account_decides_as_reading_the_references_does(plan: list[tuple[str, Any, str]]) -> None:
    reading, guessing = MemoryLedgerStore(), RememberingStore()
    assert isinstance(guessing, OwnerMemory) and not isinstance(reading, OwnerMemory)
    delivered: list[ev.DomainEvent] = []
    for n, (what, who, payment_id) in enumerate(plan):
        if what == "forget":
            guessing.forget()
            continue
        if what == "again":
            if not delivered:
                continue
            event = delivered[who % len(delivered)]
        else:
            event = (paid if what == "pay" else refunded)(f"evt_{n}", who, payment_id)
            delivered.append(event)
        assert apply(guessing, event) == apply(reading, event), event
    assert guessing.ledgers == reading.ledgers
    assert guessing.references == reading.references
    assert guessing.timeline == reading.timeline
    assert guessing.outbox == reading.outbox


def test_a_new_customer_and_one_this_process_never_saw_cost_no_read_of_references() -> None:
    store = RememberingStore()
    acme = customer("acme", "11222333000181", "cus_1", "fin@acme.example")
    assert apply(store, paid("evt_1", acme, "pi_1"))[:3] == ("acme", False, True)
    store.forget()  # another container
    assert apply(store, paid("evt_2", acme, "pi_2"))[:3] == ("acme", False, False)
    assert apply(store, paid("evt_2", acme, "pi_2"))[:2] == ("acme", True)
    assert store.reference_reads == 0
    assert store.commits == 2


def test_a_wrong_guess_writes_nothing_and_the_references_then_lead_the_way() -> None:
    store = RememberingStore()
    # An account opened for a customer known by e-mail alone.
    first = apply(store, paid("evt_1", customer(None, None, None, "fin@acme.example"), "pi_1"))
    store.forget()
    # The same e-mail with a Stripe customer id: the account this customer would open is not there, and the e-mail's
    # claim refuses the change that would open it.
    again = apply(store, paid("evt_2", customer(None, None, "cus_9", "fin@acme.example"), "pi_2"))
    assert again[0] == first[0] and not again[2]
    assert store.reference_reads == 1
    assert store.references[("stripe", "cus_9")] == first[0]
    assert len(store.ledgers) == 1
