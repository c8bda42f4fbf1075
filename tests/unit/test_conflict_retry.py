"""Deliveries for one account at once: the one whose write conflicts reads again, decides again and writes, after a
jittered pause that grows, until it succeeds or its caller's time runs out; then the error is the retryable one."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from ponte.domain import events as ev
from ponte.domain.changes import AccountChange
from ponte.domain.errors import ConcurrentModification, DuplicateEvent
from ponte.domain.ledger import Ledger
from ponte.domain.money import Money
from ponte.services.conflicts import ConflictRetry, StillConflicting
from ponte.services.payments import Applied, PaymentSettings, UnknownPayment, apply_delivery
from tests.memory_store import MemoryLedgerStore
from tests.support import T0

SETTINGS = PaymentSettings(staff_locale="pt-BR", customer_locale="pt-BR", time_zone="America/Sao_Paulo")
CUSTOMER = ev.CustomerRef(id="cus_1", reference="acme-001", name="Acme Ltda")


def no_decision(ledger: Ledger, now: object, cause: str) -> AccountChange | None:
    return None


def paid(n: int) -> ev.PaymentReceived:
    return ev.PaymentReceived(
        provider="stripe",
        event_id=f"evt_{n}",
        occurred_at=T0,
        customer=CUSTOMER,
        amount=Money(amount=100_00 + n, currency="BRL"),
        payment_id=f"pi_{n}",
    )


@dataclass
class Clock:
    """Seconds that move only when the code under test sleeps (or an attempt is said to take time)."""

    now: float = 0.0
    pauses: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


def retry(clock: Clock, *, deadline: float | None = None, attempts: int | None = 12) -> ConflictRetry:
    """Pauses at the top of their range, so that the schedule is the slowest it can be."""
    return ConflictRetry(
        deadline=deadline, attempts=attempts, clock=clock, sleep=clock.sleep, jitter=lambda low, high: high
    )


class Overtaken:
    """Wraps the store's commit: the first `times` writes find the account changed by another delivery, which is
    really written meanwhile (so a retry that did not read again would write a stale account)."""

    def __init__(self, store: MemoryLedgerStore, times: int | None) -> None:
        self.store, self.times, self.calls = store, times, 0
        self._commit = store.commit
        self.others = 0

    def __call__(self, change: AccountChange) -> None:
        self.calls += 1
        if self.times is None or self.calls <= self.times:
            self.others += 1
            self.store.commit = self._commit  # type: ignore[method-assign]
            apply(self.store, paid(1000 + self.others))
            self.store.commit = self  # type: ignore[method-assign]
            raise ConcurrentModification("the account changed since it was read")
        self._commit(change)


def apply(store: MemoryLedgerStore, event: ev.DomainEvent, conflicts: ConflictRetry | None = None) -> Applied:
    return apply_delivery([event], store=store, settings=SETTINGS, recompute=no_decision, now=T0, conflicts=conflicts)


def opened() -> MemoryLedgerStore:
    store = MemoryLedgerStore()
    apply(store, paid(0))
    return store


@pytest.mark.parametrize("conflicts", [1, 3, 7])
def test_a_delivery_overtaken_n_times_is_decided_again_each_time_and_written_once(conflicts: int) -> None:
    # Given an account that other deliveries change between this one's reads and writes, `conflicts` times
    store, clock = opened(), Clock()
    overtaken = Overtaken(store, times=conflicts)
    store.commit = overtaken  # type: ignore[method-assign]
    # When the delivery is applied
    applied = apply(store, paid(1), retry(clock, deadline=10.0))
    # Then it was attempted once more per conflict, after pauses that double from 25 ms
    assert (applied.attempts, overtaken.calls, applied.duplicate) == (conflicts + 1, conflicts + 1, False)
    assert clock.pauses == [min(0.5, 0.025 * 2**n) for n in range(conflicts)]
    # And the account holds its payment and every one written meanwhile, each once, at the right version
    ledger = store.ledgers["acme-001"]
    assert sorted(p.payment_id for p in ledger.payments) == sorted(
        ["pi_0", "pi_1", *(f"pi_{1000 + n}" for n in range(1, conflicts + 1))]
    )
    assert ledger.account.version == conflicts + 1


def test_pauses_are_drawn_at_random_below_a_growing_bound_and_never_above_the_cap() -> None:
    drawn: list[tuple[float, float]] = []

    def jitter(low: float, high: float) -> float:
        drawn.append((low, high))
        return (low + high) / 2

    clock = Clock()
    policy = ConflictRetry(attempts=10, clock=clock, sleep=clock.sleep, jitter=jitter)
    with pytest.raises(StillConflicting):
        policy.run(lambda attempt: (_ for _ in ()).throw(ConcurrentModification("busy")))
    assert drawn == [(0.0, min(0.5, 0.025 * 2**n)) for n in range(9)]
    assert clock.pauses == [high / 2 for _, high in drawn]


def test_out_of_time_the_error_is_the_retryable_one_and_nothing_is_written() -> None:
    # Given an account that changes between every read and write of this delivery, and 3 s to answer
    store, clock = opened(), Clock()
    overtaken = Overtaken(store, times=None)
    store.commit = overtaken  # type: ignore[method-assign]
    policy = retry(clock, deadline=3.0, attempts=None)
    # When the delivery is applied
    with pytest.raises(StillConflicting) as raised:
        apply(store, paid(1), policy)
    # Then it gives up while a second is still left to answer, as a conflict (for the trigger to deliver it again)
    assert isinstance(raised.value, ConcurrentModification)
    # 1.775 s of pauses: one more (0.5 s) would leave less than the reserve of a second
    pauses = [0.025, 0.05, 0.1, 0.2, 0.4, 0.5, 0.5]
    assert clock.pauses == pytest.approx(pauses) and clock.now <= 3.0 - policy.reserve
    assert raised.value.attempts == overtaken.calls == len(pauses) + 1
    assert raised.value.waited == pytest.approx(sum(pauses))
    # And nothing of this delivery was written
    assert "pi_1" not in {p.payment_id for p in store.ledgers["acme-001"].payments}
    assert "stripe:evt_1" not in store.seen


def test_time_spent_in_the_attempts_counts_against_the_deadline() -> None:
    clock = Clock()

    def slow(attempt: int) -> None:
        clock.now += 0.9  # each read-decide-write takes 0.9 s
        raise ConcurrentModification("busy")

    with pytest.raises(StillConflicting) as raised:
        retry(clock, deadline=3.0, attempts=None).run(slow)
    # 0.9 + 0.025 + 0.9 + 0.05 + 0.9: a fourth attempt would start with less than the second kept to answer
    assert raised.value.attempts == 3 and clock.now == pytest.approx(2.775)


def test_without_a_deadline_a_dozen_attempts_then_the_retryable_error() -> None:
    store, clock = opened(), Clock()
    store.commit = Overtaken(store, times=None)  # type: ignore[method-assign]
    with pytest.raises(StillConflicting) as raised:
        apply(store, paid(1), retry(clock))
    assert raised.value.attempts == 12 and len(clock.pauses) == 11
    assert sum(clock.pauses) < 5


def test_a_duplicate_or_a_refusal_is_an_answer_not_a_conflict() -> None:
    store, clock = opened(), Clock()
    again = apply(store, paid(0), retry(clock))
    assert again.duplicate and again.attempts == 1 and clock.pauses == []
    refund = ev.RefundIssued(
        provider="stripe",
        event_id="evt_r",
        occurred_at=T0,
        customer=ev.CustomerRef(),
        amount=Money(amount=100, currency="BRL"),
        payment_id="pi_unknown",
    )
    with pytest.raises(UnknownPayment):
        apply(store, refund, retry(clock))
    assert clock.pauses == []


def test_other_errors_pass_through_at_once() -> None:
    clock = Clock()

    def fails(attempt: int) -> None:
        raise DuplicateEvent("seen")

    with pytest.raises(DuplicateEvent):
        retry(clock).run(fails)
    assert clock.pauses == []


def test_a_retry_needs_a_bound() -> None:
    with pytest.raises(ValueError, match="deadline or a number of attempts"):
        ConflictRetry(attempts=None)
