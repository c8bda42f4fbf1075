"""Opening an account, on the in-memory store (which keeps the promises of DynamoDB's transaction)."""

from __future__ import annotations

import pytest

from ponte.domain.accounts import Account, Contact, TimelineEntry
from ponte.domain.changes import AccountChange
from ponte.domain.notifications import Audience, Team
from ponte.services.accounts import OpenAccount, open_account, opening_change
from tests.memory_store import MemoryLedgerStore
from tests.support import T0

COMMAND = OpenAccount(
    account_id="padaria",
    name="Padaria Estrela",
    locale="es",
    contact=Contact(name="João", email="joao@example.com"),
    owner="ana",
)


def test_opening_writes_the_account_its_history_and_three_notifications_at_once() -> None:
    store = MemoryLedgerStore()
    account, created = open_account(store, COMMAND, now=T0, staff_locale="pt-BR", source="test")
    assert created and account.version == 0 and account.created_at == T0
    (change,) = store.changes
    assert [(n.audience, n.locale, n.event_type) for n in change.notifications] == [
        (Audience.STAFF, "pt-BR", "account.opened"),
        (Audience.PLATFORM, "es", "account.opened"),
        (Audience.CUSTOMER, "es", "customer.welcome"),
    ]
    assert change.notifications[0].team is Team.SALES and change.notifications[0].owner == "ana"
    assert [entry.what for entry in change.timeline] == ["account.opened"]


def test_opening_twice_changes_nothing() -> None:
    store = MemoryLedgerStore()
    open_account(store, COMMAND, now=T0, staff_locale="pt-BR", source="test")
    account, created = open_account(store, COMMAND, now=T0, staff_locale="pt-BR", source="test")
    assert not created and account.account_id == "padaria" and len(store.changes) == 1


class RacingStore(MemoryLedgerStore):
    """Another caller opened the account between this caller's read and its write."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get_account(self, account_id: str) -> Account | None:
        self.reads += 1
        if self.reads == 1:
            self.commit(opening_change(COMMAND, now=T0, staff_locale="pt-BR", source="other caller"))
            return None
        return super().get_account(account_id)


def test_a_concurrent_opening_of_the_same_account_has_one_effect() -> None:
    store = RacingStore()
    account, created = open_account(store, COMMAND, now=T0, staff_locale="pt-BR", source="test")
    assert not created and account.version == 0 and len(store.changes) == 1
    assert store.changes[0].timeline[0].source == "other caller"


def test_notification_ids_are_stable_so_a_retry_rewrites_the_same_outbox_items() -> None:
    first = opening_change(COMMAND, now=T0, staff_locale="pt-BR", source="test")
    second = opening_change(COMMAND, now=T0, staff_locale="pt-BR", source="test")
    assert [n.notification_id for n in first.notifications] == [n.notification_id for n in second.notifications]
    assert len({n.notification_id for n in first.notifications}) == 3


def test_no_welcome_without_a_way_to_reach_the_customer() -> None:
    silent = COMMAND.model_copy(update={"contact": Contact(name="Sem contato")})
    change = opening_change(silent, now=T0, staff_locale="pt-BR", source="test")
    assert Audience.CUSTOMER not in {n.audience for n in change.notifications}


def test_a_change_must_follow_the_version_it_was_computed_from() -> None:
    change = opening_change(COMMAND, now=T0, staff_locale="pt-BR", source="test")
    with pytest.raises(ValueError, match="does not follow expected version"):
        AccountChange(account=change.account, recorded_at=T0, expected_version=3)


def test_a_change_cannot_carry_another_accounts_history() -> None:
    change = opening_change(COMMAND, now=T0, staff_locale="pt-BR", source="test")
    stray = TimelineEntry(account_id="someone-else", at=T0, what="x", why="y", source="z")
    with pytest.raises(ValueError, match="must belong to the changed account"):
        AccountChange(account=change.account, recorded_at=T0, expected_version=None, timeline=(stray,))
