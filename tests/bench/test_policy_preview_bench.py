"""`ponte policy preview` on a book of 10,000 accounts due or overdue, on the embedded AWS.

The table holds the book (accounts overdue since up to six weeks, some suspended, with the ladder's record of what
they were sent; accounts with an invoice due in the next weeks) and as many settled accounts, which the preview
must not read. The command runs as an operator runs it (`main([...])`, the local stack's names), with a stricter
policy than the one in force. Counts (not assumes) its AWS calls and the items DynamoDB reports it read, with
botocore's event hooks on the session it is given; times it; and, measured in the same run for comparison, a Scan
of the same table (what "never a scan" avoids) and the pure engine deciding the same accounts twice (the floor:
what is left once reading costs nothing). Prints a table; never fails on time. Run with `make bench`.

moto's Query reads every item of the table to find one partition's (DynamoDB reads the partition): with 10,000
ledger queries that would measure the emulator's walk, not the command. For base-table queries the bench makes the
emulator read only the partition asked for, as DynamoDB does; the index query is left as moto does it.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.local import LocalStack
from infra.ponte import main as ponte
from ponte.adapters.collections_book import BOOK_PARTITION
from ponte.adapters.dynamodb import account_item, ledger_items, serialize_item
from ponte.calendar import holidays_around
from ponte.domain.accounts import Account, AccountStatus, Contact
from ponte.domain.changes import AccountChange
from ponte.domain.ledger import Ledger, PaymentRecord
from ponte.domain.money import Money
from ponte.domain.policy import default_policy, default_policy_text, load_policy
from ponte.services.collections import change_for, decide
from tests.collections_support import TZ, ZONE, applied, invoice, local

ACCOUNTS = int(os.environ.get("PONTE_BENCH_ACCOUNTS", "10000"))  # due or overdue: the book
SETTLED = int(os.environ.get("PONTE_BENCH_SETTLED", "10000"))  # paid up, nothing scheduled: never read
OVERDUE_SHARE = 0.4
NOW = local(date(2026, 11, 17), 9)
BATCH = 25  # BatchWriteItem
QUIET = {"POWERTOOLS_LOG_LEVEL": "ERROR", "POWERTOOLS_METRICS_DISABLED": "true"}


def _account(n: int, **fields: Any) -> Account:
    return Account(
        account_id=f"acc-{n:06d}",
        name=f"Cliente {n}",
        owner=("ana", "bruno", "carla")[n % 3],
        locale="pt-BR",
        contact=Contact(name=f"Cliente {n}", email=f"c{n}@example.com"),
        created_at=datetime(2026, 1, 1, tzinfo=ZONE),
        version=2,  # ledger_items takes a change from version 1
        **fields,
    )


def _history(due: date) -> Ledger:
    """One account owing an invoice due on `due`, after the daily collections runs up to now: its status, next
    evaluation and the ladder's record, as the worker leaves them (the same for every account with that due date)."""
    policy, holidays = default_policy(), holidays_around("BR", NOW.year)
    ledger = Ledger(account=_account(0), invoices=(invoice("NF", due),))
    day = NOW.astimezone(ZONE).date() - timedelta(days=60)
    while day <= NOW.astimezone(ZONE).date():
        at = local(day, 8)
        decision = decide(ledger, now=at, policy=policy, time_zone=TZ, holidays=holidays)
        change = change_for(ledger, decision, now=at, staff_locale="pt-BR", cause=f"bench:{day}")
        if change is not None:
            ledger = applied(ledger, change)
        day += timedelta(days=1)
    return ledger


def _book(accounts: int, settled: int) -> tuple[list[dict[str, Any]], list[Ledger], Counter[str]]:
    """The table's items, the ledgers of the book (for the engine's baseline) and how many accounts of each kind."""
    today = NOW.astimezone(ZONE).date()
    overdue_dues = [today - timedelta(days=d) for d in range(2, 43)]
    upcoming_dues = [today + timedelta(days=d) for d in range(1, 46)]
    histories = {due: _history(due) for due in [*overdue_dues, *upcoming_dues]}
    items: list[dict[str, Any]] = []
    ledgers: list[Ledger] = []
    kinds: Counter[str] = Counter()
    overdue = int(accounts * OVERDUE_SHARE)
    for n in range(accounts):
        dues = overdue_dues if n < overdue else upcoming_dues
        history = histories[dues[n % len(dues)]]
        state = history.account
        account = _account(n, status=state.status, next_evaluation_at=state.next_evaluation_at)
        record = invoice(f"NF-{n}", dues[n % len(dues)], cents=50_000 + 100 * (n % 500))
        notices = tuple(notice.model_copy(update={"notice_id": None}) for notice in history.notices)
        change = AccountChange(
            account=account, recorded_at=NOW, expected_version=1, invoices=(record,), notices=notices
        )
        items += [account_item(account), *ledger_items(change)]
        ledgers.append(Ledger(account=account, invoices=(record,), notices=notices))
        if account.status is not AccountStatus.ACTIVE:
            items.append({"pk": BOOK_PARTITION, "sk": f"ACCOUNT#{account.account_id}", "account_id": account.account_id,
                          "status": account.status.value})  # fmt: skip
        kinds[account.status.value if account.status is not AccountStatus.ACTIVE else "due soon"] += 1
    for n in range(accounts, accounts + settled):
        account = _account(n)
        record = invoice(f"NF-{n}", today - timedelta(days=20))
        paid = PaymentRecord(
            provider="test",
            payment_id=f"p-{n}",
            amount=Money(amount=150_000, currency="BRL"),
            received_at=NOW - timedelta(days=21),
            invoice_key=f"NF-{n}",
        )
        change = AccountChange(
            account=account, recorded_at=NOW, expected_version=1, invoices=(record,), payments=(paid,)
        )
        items += [account_item(account), *ledger_items(change)]
        kinds["settled"] += 1
    return items, ledgers, kinds


def _seed(stack: LocalStack, items: list[dict[str, Any]]) -> float:
    """Written as a data migration would be, without stream records (the notifier's filter would drop them all)."""
    from moto.dynamodb.models import dynamodb_backends

    client, table = stack.client("dynamodb"), stack.physical_id("Table")
    emulated = dynamodb_backends[stack.pseudo.account_id][stack.pseudo.region].get_table(table)
    shard, emulated.stream_shard = emulated.stream_shard, None
    started = time.perf_counter()
    for start in range(0, len(items), BATCH):
        request: Any = {table: [{"PutRequest": {"Item": serialize_item(i)}} for i in items[start : start + BATCH]]}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or None
    emulated.stream_shard = shard
    return time.perf_counter() - started


@pytest.fixture
def one_partition(monkeypatch: pytest.MonkeyPatch) -> None:
    """A base-table Query reads its partition only, as in DynamoDB (see the module's docstring)."""
    from moto.dynamodb.models.table import Table

    asked = threading.local()
    query, all_items = Table.query, Table.all_items

    def partition_items(self: Table) -> list[Any]:
        key = getattr(asked, "partition", None)
        return all_items(self) if key is None else list(self.items.get(key, {}).values())

    def partition_query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index = args[6] if len(args) > 6 else kwargs.get("index_name")
        asked.partition = None if index else hash_key
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            asked.partition = None

    monkeypatch.setattr(Table, "all_items", partition_items)
    monkeypatch.setattr(Table, "query", partition_query)


class Calls:
    """AWS calls per operation, the items DynamoDB reports it read (ScannedCount), and the time spent inside the calls
    (in the emulator, here), from botocore's hooks on one session."""

    def __init__(self, session: Any) -> None:
        self.calls: Counter[str] = Counter()
        self.items: Counter[str] = Counter()
        self.seconds = 0.0
        self._started: list[float] = []
        self._session = session
        session.events.register("before-call", self._before)
        session.events.register("after-call", self._after)

    def _before(self, model: Any, **_: Any) -> None:
        self.calls[f"{model.service_model.service_name}:{model.name}"] += 1
        self._started.append(time.perf_counter())

    def _after(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        if self._started:
            self.seconds += time.perf_counter() - self._started.pop()
        if "ScannedCount" in parsed:
            self.items[f"{model.service_model.service_name}:{model.name}"] += int(parsed["ScannedCount"])

    def close(self) -> None:
        self._session.events.unregister("before-call", self._before)
        self._session.events.unregister("after-call", self._after)


def _stricter() -> str:
    """Version 2: reminders 5 business days ahead, the final warning at 6, suspension at 10, the hand-off at 20."""
    document = json.loads(default_policy_text())
    document["version"] = 2
    offsets = {"reminder-3": -5, "final-warning": 6, "suspend": 10, "collections": 20}
    for step in document["steps"]:
        step["offset_days"] = offsets.get(step["id"], step["offset_days"])
    return json.dumps(document)


def test_policy_preview_on_ten_thousand_accounts(tmp_path: Path, one_partition: None) -> None:
    items, ledgers, kinds = _book(ACCOUNTS, SETTLED)
    with LocalStack(now=NOW, environment=QUIET) as stack:
        seeding = _seed(stack, items)
        table, parameter = stack.physical_id("Table"), stack.physical_id("DunningPolicyParameter")
        new = tmp_path / "stricter.json"
        new.write_text(_stricter())

        # One ledger query at a time: the command's threads hide the network's latency on AWS, which the emulator,
        # in this process, does not have; one at a time, the time inside the emulator's calls can be told apart.
        session = boto3.session.Session()
        counted = Calls(session)
        out = io.StringIO()
        arguments = ["policy", "preview", str(new), "--table", table, "--policy-parameter", parameter]
        started = time.perf_counter()
        with contextlib.redirect_stdout(out):
            status = ponte([*arguments, "--json", "--quiet", "--workers", "1"], now=NOW, session=session)
        seconds = time.perf_counter() - started
        counted.close()
        assert status == 0
        preview = json.loads(out.getvalue())

        # What a Scan would read: `Select=COUNT` reads (and is billed for) every item, without returning them.
        scan_session = boto3.session.Session()
        scanned = Calls(scan_session)
        paginator = scan_session.client("dynamodb").get_paginator("scan")
        in_table = sum(page["Count"] for page in paginator.paginate(TableName=table, Select="COUNT"))
        scanned.close()

    engine_seconds = _engine(ledgers)
    reads, summary = preview["reads"], preview["summary"]
    ledger_queries = counted.calls["dynamodb:Query"] - reads["due_index_pages"] - 1
    print()
    print(f"table: {in_table:,} items; {ACCOUNTS:,} accounts in the book {dict(kinds)}, seeded in {seeding:.0f} s")
    print(f"policy preview (stricter v2 against v1 in force), {ACCOUNTS:,} accounts, steps for 30 days:")
    ponte_seconds = seconds - counted.seconds
    print(f"  {seconds:.1f} s = {ACCOUNTS / seconds:,.0f} accounts/s, in one process with the emulator, of which "
          f"{counted.seconds:.1f} s inside its calls; Ponte's own: {ponte_seconds:.1f} s = "
          f"{ACCOUNTS / ponte_seconds:,.0f} accounts/s")  # fmt: skip
    print(f"  AWS calls: {sum(counted.calls.values()):,} {dict(counted.calls)}")
    print(f"    due index: {reads['due_index_items']:,} items in {reads['due_index_pages']} pages; overdue book: "
          f"{reads['book_entries']:,} entries; ledgers: {ledger_queries:,} queries")  # fmt: skip
    print(f"  items read, as DynamoDB counts them: {sum(counted.items.values()):,} {dict(counted.items)}")
    print(f"  differ: {summary['differ']:,}; suspended by the horizon: {summary['suspended']}, "
          f"{summary['suspended_sooner']:,} sooner; customer notices: {summary['customer_notices']}")  # fmt: skip
    print(f"baseline, a Scan of the same table: {sum(scanned.calls.values())} calls, "
          f"{sum(scanned.items.values()):,} items read")  # fmt: skip
    print(f"baseline, the engine alone (both policies, ledgers in memory): {engine_seconds:.1f} s = "
          f"{2 * ACCOUNTS / engine_seconds:,.0f} decisions/s")  # fmt: skip
    assert summary["accounts"] == ACCOUNTS and not reads["skipped"]
    assert "dynamodb:Scan" not in counted.calls
    assert sum(counted.items.values()) < sum(scanned.items.values())
    assert set(counted.calls) == {"dynamodb:Query", "ssm:GetParameter"}  # read-only


def _engine(ledgers: list[Ledger]) -> float:
    policy, stricter = default_policy(), load_policy(_stricter())
    holidays = holidays_around("BR", NOW.year)
    started = time.perf_counter()
    for ledger in ledgers:
        decide(ledger, now=NOW, policy=policy, time_zone=TZ, holidays=holidays)
        decide(ledger, now=NOW, policy=stricter, time_zone=TZ, holidays=holidays)
    return time.perf_counter() - started
