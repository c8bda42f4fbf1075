"""The collections sweep at scale, on the embedded AWS: 100,000 accounts with a scheduled evaluation, 1,000 due.

Counts (not assumes) the items read and the AWS calls of one sweep, and of the worker per account, with botocore's
event hooks on boto3's default session (every adapter's client is made from it); times the worker's evaluations and
the pure engine's decisions, the latter next to a fixed piece of plain Python timed in the same run (the reference),
so that runs on a busy or another machine compare by their ratio. Prints a table; never fails on time. Run with
`make bench`.

moto snapshots the whole table (a deepcopy) before every TransactWriteItems, to roll it back on failure, which makes
each of its transactions cost in proportion to the table: with 100,000 accounts that alone would take the worker
hours. DynamoDB's own transactions cost by the items they touch, so for the worker's phase the bench turns that
snapshot off (and checks that no transaction was refused, since none could be rolled back).
"""

from __future__ import annotations

import copy
import os
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest

from infra.local import LocalStack
from ponte.adapters.dynamodb import account_item, ledger_items, serialize_item
from ponte.domain.accounts import Account, Contact
from ponte.domain.changes import AccountChange
from ponte.domain.dunning import evaluate
from ponte.domain.policy import default_policy
from tests.collections_support import TZ, invoice, local

ACCOUNTS = int(os.environ.get("PONTE_BENCH_ACCOUNTS", "100000"))
DUE = int(os.environ.get("PONTE_BENCH_DUE", "1000"))
ENGINE_DECISIONS = 20_000
REFERENCE_ROUNDS = 20_000
NOW = local(date(2026, 11, 2), 9)
BATCH = 25  # BatchWriteItem


def _account(n: int, next_evaluation_at: datetime) -> Account:
    return Account(
        account_id=f"acc-{n:06d}",
        name=f"Cliente {n}",
        owner="ana",
        locale="pt-BR",
        contact=Contact(name=f"Cliente {n}", email=f"c{n}@example.com"),
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        next_evaluation_at=next_evaluation_at,
        version=1,
    )


def _seed(stack: LocalStack, accounts: int) -> float:
    """Every account has an evaluation scheduled; only the first DUE are due now (their reminder falls today).

    The functions' clients are made after this, from boto3's default session, so they carry the counting hooks.

    Written as a data migration would be, without stream records: the notifier's filter would drop them all, but
    the emulator would serialise each of them to the filter first, which alone takes longer than the whole bench.
    """
    from moto.dynamodb.models import dynamodb_backends

    client, table = stack.client("dynamodb"), stack.physical_id("Table")
    emulated = dynamodb_backends[stack.pseudo.account_id][stack.pseudo.region].get_table(table)
    shard, emulated.stream_shard = emulated.stream_shard, None
    started = time.perf_counter()
    later = NOW + timedelta(days=20)
    items: list[dict[str, Any]] = []
    for n in range(accounts):
        due_now = n < DUE
        account = _account(n, NOW - timedelta(hours=1) if due_now else later)
        items.append(account_item(account))
        if due_now:
            change = AccountChange(
                account=account.model_copy(update={"version": 2}),
                recorded_at=NOW,
                expected_version=1,
                invoices=(invoice(f"NF-{n}", date(2026, 11, 5)),),
            )
            items.extend(ledger_items(change))
    for start in range(0, len(items), BATCH):
        request: Any = {table: [{"PutRequest": {"Item": serialize_item(i)}} for i in items[start : start + BATCH]]}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or None
    emulated.stream_shard = shard
    return time.perf_counter() - started


class Calls:
    """AWS calls and the items DynamoDB reports it read, per operation, from botocore's event hooks; and the time
    spent inside the calls: from `provide-client-params` (botocore's first step) to `after-call` (the answer parsed),
    of which `before-call` to `after-call` is the emulator's (sending and answering) and the rest the SDK's (checking,
    serialising, resolving the endpoint)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.items: Counter[str] = Counter()
        self.seconds = 0.0  # inside calls: the SDK's and the emulator's
        self.emulated = 0.0  # of which between before-call and after-call
        self._entered: list[float] = []
        self._sent: list[float] = []
        session = boto3._get_default_session()
        for event, handler in self._hooks():
            session.events.register(event, handler)

    def _hooks(self) -> list[tuple[str, Any]]:
        return [("provide-client-params", self._enter), ("before-call", self._before), ("after-call", self._after)]

    def _enter(self, **_: Any) -> None:
        self._entered.append(time.perf_counter())

    def _before(self, model: Any, **_: Any) -> None:
        self.calls[f"{model.service_model.service_name}:{model.name}"] += 1
        self._sent.append(time.perf_counter())

    def _after(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        now = time.perf_counter()
        if self._sent:
            self.emulated += now - self._sent.pop()
        if self._entered:
            self.seconds += now - self._entered.pop()
        if "Count" in parsed:
            self.items[f"{model.service_model.service_name}:{model.name}"] += int(parsed["Count"])

    def __enter__(self) -> Calls:
        return self

    def __exit__(self, *exc: object) -> None:
        session = boto3._get_default_session()
        for event, handler in self._hooks():
            session.events.unregister(event, handler)


class _NoTableSnapshot:
    """Stands in for the `copy` module in moto's DynamoDB backend: tables are not snapshot, anything else is."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


QUIET = {"POWERTOOLS_LOG_LEVEL": "ERROR", "POWERTOOLS_METRICS_DISABLED": "true"}


def test_a_sweep_reads_in_proportion_to_the_accounts_due_not_to_the_table() -> None:
    with LocalStack(now=NOW, environment=QUIET) as stack:
        seeding = _seed(stack, ACCOUNTS)
        sweeper = stack.functions["DunningSweep"]
        with Calls() as counter:
            sweep = stack._invoke(sweeper, {"scheduled_time": NOW.isoformat()})
            calls, items = dict(counter.calls), dict(counter.items)
    print()
    print(f"seeded {ACCOUNTS:,} accounts with a scheduled evaluation, {DUE:,} of them due, in {seeding:.0f} s")
    print(f"one sweep: {sweep['accounts']:,} accounts handed to the worker, {sweep['items_read']:,} index items read")
    print(f"  AWS calls: {sum(calls.values())} {calls}")
    print(f"  items read, as DynamoDB counts them: {items}")
    assert sweep["accounts"] == DUE and sweep["items_read"] == DUE
    assert sum(items.values()) == DUE


def test_the_worker_evaluates_the_accounts_due(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a table of the due accounts alone: moto's Query walks the whole table (DynamoDB's reads one partition),
    which at 100,000 accounts would measure the emulator instead of the worker."""
    from moto.dynamodb import models

    with LocalStack(now=NOW, environment=QUIET) as stack:
        _seed(stack, DUE)
        worker = stack.functions["DunningWorker"]
        busy = in_calls = emulated = 0.0
        invoke = stack._invoke
        with Calls() as counter:

            def timed(spec: Any, event: Any) -> Any:
                nonlocal busy, in_calls, emulated
                started, inside, sent = time.perf_counter(), counter.seconds, counter.emulated
                try:
                    return invoke(spec, event)
                finally:
                    if spec is worker:
                        busy += time.perf_counter() - started
                        in_calls += counter.seconds - inside
                        emulated += counter.emulated - sent

            stack._invoke = timed  # type: ignore[method-assign]
            stack._invoke(stack.functions["DunningSweep"], {"scheduled_time": NOW.isoformat()})
            monkeypatch.setattr(models, "copy", _NoTableSnapshot)
            stack.settle()
        second = invoke(stack.functions["DunningSweep"], {"scheduled_time": NOW.isoformat()})
        reminders = len(stack.published("CustomerNoticesTopic"))
        failures = list(stack.failures)
    calls = {k: v for k, v in counter.calls.items() if not k.startswith(("sqs:", "dynamodbstreams:", "sns:"))}
    ponte, sdk = busy - in_calls, in_calls - emulated
    reference = _reference_rate()
    engine = _engine_rate()
    print()
    print(f"worker: {DUE:,} accounts evaluated, each a reminder written, in {busy:.1f} s: {DUE / busy:,.0f} accounts/s")
    print(f"  in one process, of which {emulated:.1f} s inside the emulator's calls and {sdk:.1f} s in botocore's")
    print(f"  preparing them; Ponte's code alone: {ponte:.1f} s = {DUE / ponte:,.0f} accounts/s")
    print(f"  (with botocore's part counted as Ponte's: {DUE / (ponte + sdk):,.0f} accounts/s)")
    print(f"  AWS calls (sweep, worker): {calls}")
    print(f"  items read: {dict(counter.items)}")
    print(f"the same sweep again: {second['accounts']} accounts due")
    print(f"engine: {engine:,.0f} decisions/s (pure, one account with two invoices)")
    print(
        f"  reference, same run: {reference:,.0f} rounds/s of plain Python; {engine / reference:.2f} decisions a round"
    )
    assert reminders == DUE and not failures
    assert calls["dynamodb:TransactWriteItems"] == DUE  # none refused, so none needed the snapshot to roll back
    assert second["accounts"] == 0


def _engine_rate() -> float:
    from ponte.domain.ledger import Ledger

    policy = default_policy()
    account = _account(1, NOW)
    ledger = Ledger(account=account, invoices=(invoice("A", date(2026, 10, 20)), invoice("B", date(2026, 11, 5))))
    receivables, holds = ledger.receivables(), ledger.holds()
    holidays = frozenset({date(2026, 11, 2), date(2026, 11, 15), date(2026, 11, 20)})
    started = time.perf_counter()
    for n in range(ENGINE_DECISIONS):
        evaluate(
            account,
            receivables,
            holds,
            (),
            now=NOW + timedelta(minutes=n),
            policy=policy,
            time_zone=TZ,
            holidays=holidays,
        )
    return ENGINE_DECISIONS / (time.perf_counter() - started)


def _reference_rate() -> float:
    """Rounds per second of a fixed piece of plain Python, of the kinds an evaluation is made of (dates, small
    dicts and tuples, calls, a frozen record): what the machine gives Python code now."""

    @dataclass(frozen=True)
    class Entry:
        on: date
        total: int

    started = time.perf_counter()
    for n in range(REFERENCE_ROUNDS):
        day = date(2026, 1, 1) + timedelta(days=n % 400)
        sums: dict[str, int] = {}
        for currency, amount in (("BRL", n), ("USD", 7), ("BRL", 3)):
            sums[currency] = sums.get(currency, 0) + amount
        entries = tuple(Entry(on=day + timedelta(days=k), total=sums["BRL"] * k) for k in range(3))
        max(entries, key=lambda e: e.total)
    return REFERENCE_ROUNDS / (time.perf_counter() - started)
