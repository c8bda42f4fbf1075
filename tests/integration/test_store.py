"""The DynamoDB store on the table the template defines."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from infra.local import LocalStack
from ponte.adapters.dynamodb import DynamoStore
from ponte.domain.accounts import Contact, TimelineEntry, next_version
from ponte.domain.changes import AccountChange
from ponte.domain.errors import ConcurrentModification, DuplicateEvent
from ponte.services.accounts import OpenAccount, opening_change
from tests.support import T0

COMMAND = OpenAccount(account_id="acme", name="Acme", locale="en", contact=Contact(name="Ana", email="a@acme.example"))


def items(stack: LocalStack) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = stack.client("dynamodb").scan(TableName=stack.physical_id("Table"))["Items"]
    return found


def test_a_change_is_one_transaction_of_state_history_outbox_and_marker(stack: LocalStack) -> None:
    store = DynamoStore(stack.physical_id("Table"))
    store.commit(opening_change(COMMAND, now=T0, staff_locale="pt-BR", source="test"))
    kinds = sorted(item["kind"]["S"] for item in items(stack))
    assert kinds == ["account", "inbound", "outbox", "outbox", "outbox", "timeline"]
    account = store.get_account("acme")
    assert account is not None and account.name == "Acme" and account.version == 0
    assert [entry.what for entry in store.timeline("acme")] == ["account.opened"]
    assert store.get_account("nobody") is None


def test_a_duplicate_change_is_refused_whole(stack: LocalStack) -> None:
    store = DynamoStore(stack.physical_id("Table"))
    store.commit(opening_change(COMMAND, now=T0, staff_locale="pt-BR", source="test"))
    before = items(stack)
    with pytest.raises(DuplicateEvent):
        store.commit(opening_change(COMMAND, now=T0, staff_locale="pt-BR", source="test"))
    assert items(stack) == before


def test_an_update_from_a_stale_version_is_refused(stack: LocalStack) -> None:
    store = DynamoStore(stack.physical_id("Table"))
    store.commit(opening_change(COMMAND, now=T0, staff_locale="pt-BR", source="test"))
    account = store.get_account("acme")
    assert account is not None
    store.commit(AccountChange(account=next_version(account, owner="bia"), recorded_at=T0, expected_version=0))
    with pytest.raises(ConcurrentModification):
        store.commit(AccountChange(account=next_version(account, owner="caio"), recorded_at=T0, expected_version=0))
    stored = store.get_account("acme")
    assert stored is not None and (stored.owner, stored.version) == ("bia", 1)


def test_the_same_inbound_event_from_several_threads_has_one_effect(stack: LocalStack) -> None:
    store = DynamoStore(stack.physical_id("Table"))
    change = opening_change(COMMAND, now=T0, staff_locale="pt-BR", source="test")
    assert store.client is not None  # built once here: boto3 does not build clients safely from several threads
    outcomes: list[str] = []

    def deliver() -> None:
        try:
            store.commit(change)
            outcomes.append("written")
        except (DuplicateEvent, ConcurrentModification) as refused:
            outcomes.append(type(refused).__name__)

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["DuplicateEvent"] * 7 + ["written"]
    assert sum(1 for item in items(stack) if item["kind"]["S"] == "outbox") == 3


def test_only_accounts_with_an_evaluation_to_come_are_in_the_due_index(stack: LocalStack) -> None:
    store = DynamoStore(stack.physical_id("Table"))
    store.commit(opening_change(COMMAND, now=T0, staff_locale="pt-BR", source="test"))
    other = COMMAND.model_copy(update={"account_id": "due-one"})
    opened = opening_change(other, now=T0, staff_locale="pt-BR", source="test")
    due = opened.account.model_copy(update={"next_evaluation_at": T0 + timedelta(days=3)})
    store.commit(opened.model_copy(update={"account": due}))
    answer = stack.client("dynamodb").query(
        TableName=stack.physical_id("Table"),
        IndexName="due",
        KeyConditionExpression="due_pk = :due AND due_at <= :now",
        ExpressionAttributeValues={":due": {"S": "DUE"}, ":now": {"S": "2026-11-30T00:00:00Z"}},
    )
    assert [item["pk"]["S"] for item in answer["Items"]] == ["ACCOUNT#due-one"]
    reloaded = store.get_account("due-one")
    assert reloaded is not None and reloaded.next_evaluation_at == T0 + timedelta(days=3)


def test_history_keeps_its_order(stack: LocalStack) -> None:
    store = DynamoStore(stack.physical_id("Table"))
    opened = opening_change(COMMAND, now=T0, staff_locale="pt-BR", source="test")
    store.commit(opened)
    later = [
        TimelineEntry(account_id="acme", at=T0 + timedelta(hours=h), what=f"step-{h}", why="test", source="test")
        for h in (2, 1)
    ]
    store.commit(
        AccountChange(account=next_version(opened.account), recorded_at=T0, expected_version=0, timeline=tuple(later))
    )
    assert [entry.what for entry in store.timeline("acme")] == ["account.opened", "step-1", "step-2"]
