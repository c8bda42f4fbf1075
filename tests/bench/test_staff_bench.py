"""The staff plane's reads on the embedded AWS: the 360° view of an account with 200 invoices and 500 timeline
entries, and search and overdue-book pages over thousands of accounts. Counts (not assumes) the AWS calls and the
items DynamoDB reports it read, with botocore's event hooks; times them. Prints tables; never fails on time. Run with
`make bench`.

The baseline, measured in the same run on the same account, is the collections worker's read of it (`load_ledger`,
the ledger's range of the partition) with its decision, and the two reads a view would take without
`account_records` (the ledger, then the whole history). moto's Query walks every item of the table to find a
partition's (DynamoDB reads only that partition's), so times here are moto's more than DynamoDB's: compare them
with each other, and read the calls and items as what DynamoDB would do.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest

from infra.local import LocalStack
from ponte.adapters import keys
from ponte.adapters.collections_book import BOOK_PARTITION, CollectionsBook
from ponte.adapters.dynamodb import (
    DynamoStore,
    account_item,
    ledger_items,
    outbox_item,
    serialize_item,
    timeline_item,
)
from ponte.domain.accounts import Account, Contact, TimelineEntry
from ponte.domain.bodies.collections import CollectionsAlert
from ponte.domain.changes import AccountChange
from ponte.domain.dunning import SentNotice
from ponte.domain.notifications import Audience, Notification, Team
from ponte.services import staff_views
from ponte.services.collections import decide
from ponte.services.staff import Caller, StaffDeps, group_visibility
from tests.collections_support import TZ, invoice, local, payment
from tests.staff_api_support import HOLIDAYS, POLICY, with_search_index

NOW = local(date(2026, 12, 1), 10)
INVOICES, PAYMENTS, NOTICES, TIMELINE, ALERTS = 200, 150, 60, 500, 10
ACCOUNTS, OWNERS, BOOKED = 5_000, 20, 1_000
RUNS = 5
QUIET = {"POWERTOOLS_LOG_LEVEL": "ERROR", "POWERTOOLS_METRICS_DISABLED": "true"}
ADMIN = Caller(subject="sub-admin", name="Admin", username="admin", groups=frozenset({"admin"}))
AGENT = Caller(subject="sub-o1", name="Owner 1", username="o01", groups=frozenset({"team-a"}))
TEAM_A = ("o01", "o02", "o03")
NAMES = ("Padaria", "Mercado", "Farmácia", "Papelaria", "Oficina", "Restaurante", "Livraria", "Açougue")


class Calls:
    """AWS calls and the items DynamoDB reports it read (and scanned, before a filter), per operation."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.items: Counter[str] = Counter()
        self.scanned: Counter[str] = Counter()
        self.seconds = 0.0  # inside the calls: the emulator's time, not Ponte's
        self._started: list[float] = []
        session = boto3._get_default_session()
        session.events.register("before-call", self._before)
        session.events.register("after-call", self._after)

    def _before(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1
        self._started.append(time.perf_counter())

    def _after(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        if self._started:
            self.seconds += time.perf_counter() - self._started.pop()
        self.items[model.name] += int(parsed.get("Count", 0)) + len(
            next(iter(parsed.get("Responses", {}).values()), [])
        )
        self.scanned[model.name] += int(parsed.get("ScannedCount", 0))

    def reset(self) -> None:
        self.calls.clear()
        self.items.clear()
        self.scanned.clear()
        self.seconds = 0.0

    def close(self) -> None:
        session = boto3._get_default_session()
        session.events.unregister("before-call", self._before)
        session.events.unregister("after-call", self._after)


def _write(stack: LocalStack, items: list[dict[str, Any]]) -> None:
    from moto.dynamodb.models import dynamodb_backends

    client, table = stack.client("dynamodb"), stack.physical_id("Table")
    emulated = dynamodb_backends[stack.pseudo.account_id][stack.pseudo.region].get_table(table)
    shard, emulated.stream_shard = emulated.stream_shard, None  # a data load: nothing for the notifier
    for start in range(0, len(items), 25):
        request: Any = {table: [{"PutRequest": {"Item": serialize_item(i)}} for i in items[start : start + 25]]}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or None
    emulated.stream_shard = shard


def _big_account() -> list[dict[str, Any]]:
    """One account: 200 invoices (150 paid), 150 payments, 60 notices with their evidence, 10 staff alerts, 500
    timeline entries."""
    account = Account(
        account_id="big",
        name="Distribuidora Grande",
        owner="o01",
        locale="pt-BR",
        contact=Contact(name="Maria", email="maria@grande.example", phone="+5511955554444"),
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
        version=TIMELINE,
    )
    first_due = date(2026, 6, 1)
    invoices = tuple(invoice(f"NF-{n:04d}", first_due + timedelta(days=n), 10_000 + n) for n in range(INVOICES))
    payments = tuple(
        payment(f"p{n}", 10_000 + n, local(first_due + timedelta(days=n + 1)), invoice_key=f"NF-{n:04d}")
        for n in range(PAYMENTS)
    )
    notices = tuple(
        SentNotice(
            step_id="overdue-1", sent_at=local(first_due + timedelta(days=n + 1)), channel="email", notice_id=f"n{n}"
        )
        for n in range(NOTICES)
    )
    change = AccountChange(
        account=account, recorded_at=NOW, expected_version=TIMELINE - 1, invoices=invoices, payments=payments
    )
    items = [account_item(account), *ledger_items(change)]
    items += [
        {
            **keys.notice_key("big", n.sent_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), n.step_id, n.channel),
            "kind": "notice",
            "record": n.model_dump_json(),
        }
        for n in notices
    ]
    items += [
        {
            **keys.delivery_key("big", f"n{n}", "email"),
            "kind": "delivery",
            "notification_id": f"n{n}",
            "channel": "email",
            "status": "delivered",
        }
        for n in range(NOTICES)
    ]
    items += [
        timeline_item(
            TimelineEntry(
                account_id="big",
                at=NOW - timedelta(hours=TIMELINE - n),
                what="payment.received",
                why=f"entry {n}",
                source="bench",
                facts={"n": n},
            ),
            n,
            0,
        )
        for n in range(TIMELINE)
    ]
    items += [
        outbox_item(
            Notification(
                notification_id=f"alert{n:027d}",
                audience=Audience.STAFF,
                team=Team.COLLECTIONS,
                account_id="big",
                owner="o01",
                locale="pt-BR",
                occurred_at=NOW - timedelta(days=n),
                body=CollectionsAlert(reason="customer_unreachable", detail="bench"),
            ),
            NOW,
        )
        for n in range(ALERTS)
    ]
    return items


def _many_accounts() -> list[dict[str, Any]]:
    """5,000 accounts of 20 owners; the first 1,000 in the overdue book, overdue for 1 to 90 days."""
    items: list[dict[str, Any]] = []
    for n in range(ACCOUNTS):
        owner = f"o{n % OWNERS + 1:02d}"
        account = Account(
            account_id=f"acc-{n:05d}",
            name=f"{NAMES[n % len(NAMES)]} {n:05d}",
            owner=owner,
            locale="pt-BR",
            contact=Contact(name="Cliente"),
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
            status="suspended" if n < BOOKED and n % 3 == 0 else "overdue" if n < BOOKED else "active",
        )
        items.append(account_item(account))
        if n < BOOKED:
            since = (NOW - timedelta(days=1 + n % 90)).date().isoformat()
            items.append(
                {
                    "pk": BOOK_PARTITION,
                    "sk": keys.account_pk(account.account_id),
                    "account_id": account.account_id,
                    "status": account.status.value,
                    "owner": owner,
                    "overdue_since": since,
                    **keys.book_search_keys(owner, since, account.account_id),
                }
            )
    return items


def _deps(stack: LocalStack) -> StaffDeps:
    table = stack.physical_id("Table")
    store = DynamoStore(table)
    return StaffDeps(
        store=store,
        book=CollectionsBook(table, store.client),
        policy=POLICY,
        time_zone=TZ,
        holidays=HOLIDAYS,
        staff_locale="pt-BR",
        visibility=group_visibility(lambda team: TEAM_A if team == "team-a" else ()),
        members_of=lambda team: TEAM_A if team == "team-a" else (),
    )


@dataclass
class Measured:
    label: str
    seconds: float  # median, in all
    ponte: float  # median, outside the AWS calls: Ponte's own code
    calls: dict[str, int]
    items: dict[str, int]
    scanned: dict[str, int]
    result: Any


def _measure(counter: Calls, label: str, read: Any) -> Measured:
    times, own = [], []
    result = None
    for _ in range(RUNS):
        counter.reset()
        started = time.perf_counter()
        result = read()
        times.append(time.perf_counter() - started)
        own.append(times[-1] - counter.seconds)
    return Measured(
        label,
        statistics.median(times),
        statistics.median(own),
        dict(counter.calls),
        dict(counter.items),
        dict(counter.scanned),
        result,
    )


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_360_view_of_a_large_account_is_one_query() -> None:
    with LocalStack(now=NOW, environment=QUIET) as stack:
        _write(stack, _big_account())
        counter = Calls()  # before the clients are made: each copies the session's hooks when it is
        deps = _deps(stack)
        store = deps.store
        assert isinstance(store, DynamoStore)
        try:
            records = store.account_records("big")
            assert records is not None
            rows = [
                ("baseline: the worker's read + decision", lambda: _worker_read(store, deps)),
                (
                    "two reads: ledger, then the whole history",
                    lambda: (store.load_ledger("big"), store.timeline("big")),
                ),
                (
                    "the 360° view (account_records + view)",
                    lambda: staff_views.account_view("big", ADMIN, deps, now=NOW),
                ),
                ("the next history page (50 entries)", lambda: store.timeline_page("big", records.timeline_cursor)),
            ]
            measured = [_measure(counter, label, read) for label, read in rows]
        finally:
            counter.close()
    view = measured[2].result
    print()
    print(
        f"an account with {INVOICES} invoices, {PAYMENTS} payments, {NOTICES} notices with evidence, {ALERTS} alerts "
        f"and {TIMELINE} timeline entries (median of {RUNS}; moto's time is most of it):"
    )
    print(f"  {'read':44} {'ms':>8} {'Ponte ms':>9} {'AWS calls':>12} {'items read':>11}")
    for m in measured:
        print(
            f"  {m.label:44} {m.seconds * 1000:8.1f} {m.ponte * 1000:9.1f} {_counts(m.calls):>12} "
            f"{sum(m.items.values()):>11}"
        )
    assert len(view.invoices) == INVOICES and len(view.timeline) == 50 and view.timeline_cursor is not None
    assert measured[2].calls == {"Query": 1}  # one query: the partition fits in one 1 MB page


def _worker_read(store: DynamoStore, deps: StaffDeps) -> Any:
    ledger = store.load_ledger("big")
    assert ledger is not None
    return decide(ledger, now=NOW, policy=deps.policy, time_zone=deps.time_zone, holidays=deps.holidays)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_search_and_book_pages_cost_in_proportion_to_the_page() -> None:
    with LocalStack(now=NOW, environment=QUIET) as stack:
        with_search_index(stack)
        _write(stack, _many_accounts())
        counter = Calls()
        deps = _deps(stack)
        try:
            rows = [
                ("search 'padaria', admin, 20 a page", lambda: _pages(_search("padaria", ADMIN, deps), 3)),
                ("search 'padaria', an agent (3 owners)", lambda: _pages(_search("padaria", AGENT, deps), 3)),
                ("search a tax id (exact)", lambda: _pages(_search("12.345.678/0001-95", ADMIN, deps), 1)),
                ("book, admin, everyone's, 50 a page", lambda: _pages(_book(deps, ADMIN), 3)),
                ("book, admin, one owner", lambda: _pages(_book(deps, ADMIN, owner="o05"), 1)),
                ("book, admin, one team (3 owners)", lambda: _pages(_book(deps, ADMIN, team="team-a"), 3)),
                ("book, admin, suspended", lambda: _pages(_book(deps, ADMIN, status="suspended"), 3)),
                ("book, admin, 31-60 days late", lambda: _pages(_book(deps, ADMIN, age="31-60"), 3)),
                ("book, an agent, their own and their team's", lambda: _pages(_book(deps, AGENT), 3)),
            ]
            measured = [_measure(counter, label, read) for label, read in rows]
        finally:
            counter.close()
    print()
    print(f"{ACCOUNTS:,} accounts of {OWNERS} owners, {BOOKED:,} of them in the overdue book (median of {RUNS}):")
    print(f"  {'pages':44} {'ms/page':>8} {'calls/page':>11} {'read/page':>10} {'scanned/page':>13} {'shown/page':>11}")
    for m in measured:
        pages, shown = m.result
        print(
            f"  {m.label:44} {m.seconds * 1000 / pages:8.1f} {sum(m.calls.values()) / pages:11.1f} "
            f"{sum(m.items.values()) / pages:10.0f} {sum(m.scanned.values()) / pages:13.0f} {shown / pages:11.0f}"
        )
    by_label = {m.label: m.calls for m in measured}
    assert "Scan" not in str(by_label)
    assert by_label["book, admin, one owner"] == {"Query": 1, "BatchGetItem": 1}


def _search(query: str, caller: Caller, deps: StaffDeps) -> Any:
    def page(cursor: str | None) -> tuple[int, str | None]:
        found = staff_views.search_accounts(query, caller, deps, cursor=cursor)
        return len(found.accounts), found.cursor

    return page


def _book(deps: StaffDeps, caller: Caller, **filters: Any) -> Any:
    def page(cursor: str | None) -> tuple[int, str | None]:
        found = staff_views.overdue_book(caller, deps, now=NOW, cursor=cursor, **filters)
        return len(found.lines), found.cursor

    return page


def _pages(page: Any, most: int) -> tuple[int, int]:
    """Read up to `most` pages; how many were read and how many accounts they showed."""
    cursor, pages, shown = None, 0, 0
    while pages < most:
        count, cursor = page(cursor)
        pages, shown = pages + 1, shown + count
        if cursor is None:
            break
    return pages, shown


def _counts(calls: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in sorted(calls.items()))
