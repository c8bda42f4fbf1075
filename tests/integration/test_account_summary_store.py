"""The account item's summary of its payments, and the payments decided from it, on the table the template defines.

Every writer keeps the summary what the ledger computes (payments from deliveries, decided from the account's head
or its whole ledger, refunds, staff's payments, an upload's invoices, a merge); an account item written before
summaries is read whole and gets one on its next write; an invoice an upload wrote without the account is seen by
the next payment; a payment older than the summary names is told by its own item; and the history a payment's item
carries reads in its place, page by page, as the in-memory store's does."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import boto3
import botocore.handlers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infra.local import LocalStack
from ponte.adapters.dynamodb import HISTORY, SUMMARY, DynamoStore, summary_from_attribute
from ponte.adapters.invoice_batches import InvoiceBatches
from ponte.domain import events as ev
from ponte.domain.accounts import TimelineEntry, next_version
from ponte.domain.changes import AccountChange
from ponte.domain.ledger import RECENT_PAYMENTS, LedgerSummary, PaymentRecord
from ponte.domain.money import Money
from ponte.services.payments import Applied, PaymentSettings, apply_delivery
from tests.collections_support import invoice
from tests.memory_store import MemoryLedgerStore
from tests.support import T0

SETTINGS = PaymentSettings(staff_locale="pt-BR", customer_locale="pt-BR", time_zone="America/Sao_Paulo")
Store = DynamoStore | MemoryLedgerStore


@pytest.fixture
def calls() -> Iterator[list[str]]:
    """Every AWS call made by clients made from now on (botocore's `before-call`)."""
    made: list[str] = []

    def count(model: Any, **_: Any) -> None:
        made.append(model.name)

    entry = ("before-call.*.*", count)
    botocore.handlers.BUILTIN_HANDLERS.append(entry)
    boto3.setup_default_session()
    yield made
    botocore.handlers.BUILTIN_HANDLERS.remove(entry)
    boto3.setup_default_session()


def paid(
    event_id: str, payment_id: str, minutes: int = 0, cents: int = 100_00, who: str = "cus_1"
) -> ev.PaymentReceived:
    return ev.PaymentReceived(
        provider="stripe",
        event_id=event_id,
        occurred_at=T0 + timedelta(minutes=minutes),
        customer=ev.CustomerRef(id=who, name="Padaria Estrela"),
        amount=Money(amount=cents, currency="BRL"),
        payment_id=payment_id,
        payment_method="pix",
    )


def refunded(event_id: str, payment_id: str, cents: int, who: str = "cus_1") -> ev.RefundIssued:
    return ev.RefundIssued(
        provider="stripe",
        event_id=event_id,
        occurred_at=T0 + timedelta(hours=2),
        customer=ev.CustomerRef(id=who),
        amount=Money(amount=cents, currency="BRL"),
        payment_id=payment_id,
    )


def deliver(store: Store, event: ev.DomainEvent) -> Applied:
    return apply_delivery([event], store=store, settings=SETTINGS, recompute=lambda *_: None, now=event.occurred_at)


def stored_summary(stack: LocalStack, account_id: str) -> LedgerSummary | None:
    item = stack.client("dynamodb").get_item(
        TableName=stack.physical_id("Table"), Key={"pk": {"S": f"ACCOUNT#{account_id}"}, "sk": {"S": "ACCOUNT"}}
    )["Item"]
    return summary_from_attribute(item.get(SUMMARY))


def computed_summary(stack: LocalStack, account_id: str) -> LedgerSummary:
    """What the whole ledger computes, read by a store that never saw the account (a new container)."""
    ledger = DynamoStore(stack.physical_id("Table")).load_ledger(account_id)
    assert ledger is not None
    return LedgerSummary.of(ledger.payments)


def staff_payment(store: Store, account_id: str, payment_id: str) -> None:
    """A payment staff recorded (an offline payment): a change with a payment no delivery recorded."""
    ledger = store.load_ledger(account_id)
    assert ledger is not None
    store.commit(
        AccountChange(
            account=next_version(ledger.account),
            recorded_at=T0 + timedelta(hours=3),
            expected_version=ledger.account.version,
            timeline=(
                TimelineEntry(
                    account_id=account_id, at=T0 + timedelta(hours=3), what="staff.payment", why="cash", source="staff"
                ),
            ),
            payments=(
                PaymentRecord(
                    provider="staff",
                    payment_id=payment_id,
                    amount=Money(amount=50_00, currency="BRL"),
                    received_at=T0 + timedelta(hours=3),
                ),
            ),
        )
    )


def test_every_writer_keeps_the_summary_the_ledger_computes(stack: LocalStack) -> None:
    store = DynamoStore(stack.physical_id("Table"))
    account_id = deliver(store, paid("evt_0", "pi_0")).account_id  # a new customer
    assert account_id is not None
    steps: list[Callable[[], object]] = [
        *(lambda n=n: deliver(store, paid(f"evt_{n}", f"pi_{n}", minutes=n)) for n in range(1, 7)),  # returning
        lambda: deliver(store, refunded("evt_refund", "pi_6", 40_00)),  # a payment written again
        lambda: deliver(store, paid("evt_again", "pi_2", minutes=2)),  # another event of an older payment
        lambda: staff_payment(store, account_id, "cash-1"),
        lambda: InvoiceBatches(stack.physical_id("Table")).record_invoices(  # an upload: without the account
            [(account_id, invoice("NF-1", date(2026, 12, 1)))], due_at=T0
        ),
        lambda: deliver(store, paid("evt_after_upload", "pi_9", minutes=30)),
        lambda: deliver(DynamoStore(stack.physical_id("Table")), paid("evt_elsewhere", "pi_10", minutes=31)),
    ]
    for step in steps:
        step()
        assert stored_summary(stack, account_id) == computed_summary(stack, account_id)
    summary = stored_summary(stack, account_id)
    assert summary is not None and len(summary.recent) == RECENT_PAYMENTS and summary.knows("stripe:pi_10")


_EXAMPLES = itertools.count()
steps = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), st.integers(0, 9), st.integers(0, 1)),  # payment n, to container 0 or 1
        st.tuples(st.just("again"), st.integers(0, 9), st.integers(0, 1)),  # its first delivery once more
        st.tuples(st.just("refund"), st.integers(0, 9), st.integers(1, 100_00)),
        st.tuples(st.just("staff"), st.integers(0, 2), st.just(0)),
        st.tuples(st.just("upload"), st.integers(0, 2), st.just(0)),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps)
def test_after_any_sequence_of_writes_the_summary_is_what_the_ledger_computes(
    stack: LocalStack, sequence: list[tuple[str, int, int]]
) -> None:
    table = stack.physical_id("Table")
    containers = (DynamoStore(table), DynamoStore(table))
    who = f"cus_{next(_EXAMPLES)}"
    account_id = deliver(containers[0], paid(f"{who}_open", f"{who}_pi_open", who=who)).account_id
    assert account_id is not None
    for kind, n, extra in sequence:
        if kind in ("pay", "again"):
            event = f"{who}_evt_{n}" if kind == "again" else f"{who}_evt_{n}_{next(_EXAMPLES)}"
            deliver(containers[extra], paid(event, f"{who}_pi_{n}", minutes=n, who=who))
        elif kind == "refund":
            deliver(containers[0], refunded(f"{who}_rf_{next(_EXAMPLES)}", f"{who}_pi_{n}", extra, who=who))
        elif kind == "staff":
            staff_payment(containers[1], account_id, f"{who}_cash_{n}")
        else:
            InvoiceBatches(table).record_invoices([(account_id, invoice(f"NF-{n}", date(2026, 12, 1)))], due_at=T0)
        assert stored_summary(stack, account_id) == computed_summary(stack, account_id)


def test_an_account_item_written_before_summaries_is_read_whole_then_gets_one(
    stack: LocalStack, calls: list[str]
) -> None:
    table = stack.physical_id("Table")
    store = DynamoStore(table)
    account_id = deliver(store, paid("evt_0", "pi_0")).account_id
    assert account_id is not None
    for n in range(1, 4):
        deliver(store, paid(f"evt_{n}", f"pi_{n}", minutes=n))
    stack.client("dynamodb").update_item(  # as an account item was written before summaries
        TableName=table,
        Key={"pk": {"S": f"ACCOUNT#{account_id}"}, "sk": {"S": "ACCOUNT"}},
        UpdateExpression="REMOVE #summary",
        ExpressionAttributeNames={"#summary": SUMMARY},
    )
    before = len(calls)
    deliver(store, paid("evt_4", "pi_4", minutes=4))
    # The head read found no summary and read on: the whole ledger, then the change, with the summary.
    assert calls[before:] == ["Query", "Query", "TransactWriteItems"]
    assert stored_summary(stack, account_id) == computed_summary(stack, account_id)
    before = len(calls)
    deliver(store, paid("evt_5", "pi_5", minutes=5))
    assert calls[before:] == ["Query", "TransactWriteItems"]
    assert stored_summary(stack, account_id) == computed_summary(stack, account_id)


def test_an_invoice_an_upload_wrote_is_seen_by_the_next_payment(stack: LocalStack) -> None:
    table = stack.physical_id("Table")
    store = DynamoStore(table)
    account_id = deliver(store, paid("evt_0", "pi_0")).account_id
    assert account_id is not None
    deliver(store, paid("evt_1", "pi_1", minutes=1))  # this container now reads the account as a head
    InvoiceBatches(table).record_invoices([(account_id, invoice("NF-7", date(2026, 12, 1), cents=321_00))], due_at=T0)

    deliver(store, paid("evt_2", "pi_2", minutes=2, cents=321_00))

    entry = next(e for e in store.timeline(account_id) if e.source == "stripe:evt_2")
    assert entry.what == "payment.received" and entry.facts == {"matched_by": "amount", "invoice": "NF-7"}


def test_a_payment_older_than_the_summary_names_is_told_by_its_item(stack: LocalStack, calls: list[str]) -> None:
    store = DynamoStore(stack.physical_id("Table"))
    account_id = deliver(store, paid("evt_0", "pi_0")).account_id
    assert account_id is not None
    for n in range(1, RECENT_PAYMENTS + 2):
        deliver(store, paid(f"evt_{n}", f"pi_{n}", minutes=n))
    version = store.load_ledger(account_id).account.version  # type: ignore[union-attr]

    # The first delivery again: refused by its payment's item, nothing written.
    before = len(calls)
    again = deliver(store, paid("evt_0", "pi_0"))
    assert again.duplicate and again.account_id == account_id
    assert calls[before:] == ["Query", "TransactWriteItems"]
    assert store.load_ledger(account_id).account.version == version  # type: ignore[union-attr]

    # Another event of that payment: decided again from the whole ledger, which knows it.
    other = deliver(store, paid("evt_other", "pi_0"))
    assert not other.duplicate and other.effects == ("payment.confirmed",)
    ledger = store.load_ledger(account_id)
    assert ledger is not None and ledger.account.version == version + 1
    assert ledger.payment("stripe", "pi_0").origin == "stripe:evt_0"  # type: ignore[union-attr]


def test_the_history_a_payments_item_carries_reads_in_its_place(stack: LocalStack) -> None:
    dynamodb, memory = DynamoStore(stack.physical_id("Table")), MemoryLedgerStore()
    ids = []
    for store in (dynamodb, memory):
        first = deliver(store, paid("evt_0", "pi_0"))
        for n in range(1, 6):
            deliver(store, paid(f"evt_{n}", f"pi_{n}", minutes=n))
        deliver(store, refunded("evt_refund", "pi_3", 30_00))
        deliver(store, paid("evt_3b", "pi_3", minutes=3))
        staff_payment(store, str(first.account_id), "cash-1")
        ids.append(first.account_id)
    account_id = ids[0]
    assert account_id is not None and ids[0] == ids[1]

    def pages(store: Store) -> list[list[str]]:
        found, cursor = [], None
        while True:
            page = store.timeline_page(account_id, cursor, 2)
            found.append([f"{e.what} {e.source}" for e in page.entries])
            if page.cursor is None:
                return [page for page in found if page]
            cursor = page.cursor

    newest_first = memory.timeline_page(account_id, None, 100).entries
    assert dynamodb.timeline(account_id) == list(reversed(newest_first))
    assert pages(dynamodb) == pages(memory)
    records = [store.account_records(account_id, timeline_limit=3) for store in (dynamodb, memory)]
    assert records[0] is not None and records[1] is not None
    assert records[0].timeline == records[1].timeline
    assert pages(dynamodb)[0][0] == "staff.payment staff"  # newest first
    # What the reads put in place: the deliveries' payments carry their changes' history, in no item of their own.
    rows = stack.client("dynamodb").query(
        TableName=stack.physical_id("Table"),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"ACCOUNT#{account_id}"}},
    )["Items"]
    assert sum(HISTORY in row for row in rows) == 6
    assert sum(row["kind"]["S"] == "timeline" for row in rows) == 3  # the refund's, the confirmation's, staff's
    # The refund wrote pi_3's item again: the history it carried is still there.
    history = [(e.what, e.source) for e in dynamodb.timeline(account_id)]
    assert ("payment.received", "stripe:evt_3") in history
    assert Counter(what for what, _ in history) == {
        "account.opened": 1,
        "payment.received": 6,
        "refund.issued": 1,
        "payment.confirmed": 1,
        "staff.payment": 1,
    }


def test_a_merged_account_keeps_the_history_its_payments_carried(stack: LocalStack) -> None:
    table = stack.physical_id("Table")
    store = DynamoStore(table)
    tax_id = "12345678000195"
    by_tax_id = deliver(
        store,
        ev.InvoiceIssued(
            provider="standard",
            event_id="evt_nfe",
            occurred_at=T0,
            customer=ev.CustomerRef(name="Padaria Estrela", tax_id=tax_id),
            amount=Money(amount=500_00, currency="BRL"),
            invoice_id="inv-1",
            invoice_number="47428",
        ),
    ).account_id
    by_stripe = deliver(store, paid("evt_pay", "pi_9", who="cus_9")).account_id
    deliver(store, paid("evt_pay2", "pi_10", minutes=1, who="cus_9"))
    assert by_tax_id and by_stripe and by_tax_id != by_stripe
    merged = deliver(
        store,
        ev.PaymentFailed(
            provider="stripe",
            event_id="evt_fail",
            occurred_at=T0 + timedelta(hours=2),
            customer=ev.CustomerRef(id="cus_9", tax_id=tax_id),
            amount=Money(amount=500_00, currency="BRL"),
            payment_id="pi_11",
        ),
    )
    assert merged.account_id == by_tax_id
    # The absorbed account's history keeps the payments it recorded, and nothing else of them stays there.
    absorbed = [(e.what, e.source) for e in store.timeline(by_stripe)]
    assert ("payment.received", "stripe:evt_pay") in absorbed and ("payment.received", "stripe:evt_pay2") in absorbed
    rows = stack.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"ACCOUNT#{by_stripe}"}},
    )["Items"]
    assert {row["kind"]["S"] for row in rows} <= {"account", "timeline", "outbox"}
    assert not any("record" in row for row in rows if row["kind"]["S"] != "account")
    survivor = store.load_ledger(by_tax_id)
    assert survivor is not None and {p.payment_id for p in survivor.payments} == {"pi_9", "pi_10"}
    assert stored_summary(stack, by_tax_id) == computed_summary(stack, by_tax_id)
