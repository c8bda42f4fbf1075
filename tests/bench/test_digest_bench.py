"""The collections digest over an overdue book of 1,000 accounts, on the embedded AWS: counts (not assumes) its AWS
calls and the items DynamoDB reports it read, with the sweep bench's hooks on boto3's default session. Prints them;
never fails on time. Run with `make bench`.

The table holds the accounts, their ledgers and the book's entries only, written as a data migration would be:
the digest reads the book's partition and each listed account's ledger range, never the rest of the table.
"""

from __future__ import annotations

import os
import time
from datetime import date, timedelta
from typing import Any

from infra.local import LocalStack
from ponte.adapters import keys
from ponte.adapters.collections_book import BOOK_PARTITION
from ponte.adapters.dynamodb import account_item, ledger_items, serialize_item
from ponte.domain.accounts import Account, AccountStatus, Contact
from ponte.domain.changes import AccountChange
from tests.bench.test_sweep_bench import QUIET, Calls
from tests.collections_support import invoice, local

ACCOUNTS = int(os.environ.get("PONTE_BENCH_BOOK", "1000"))
NOW = local(date(2026, 12, 1), 8, 30)  # a Tuesday, when the digest runs
BATCH = 25  # BatchWriteItem


def _seed(stack: LocalStack) -> None:
    """Each account owes one invoice, from 1 to 120 days late; its book entry lists it as the worker would."""
    from moto.dynamodb.models import dynamodb_backends

    client, table = stack.client("dynamodb"), stack.physical_id("Table")
    emulated = dynamodb_backends[stack.pseudo.account_id][stack.pseudo.region].get_table(table)
    shard, emulated.stream_shard = emulated.stream_shard, None  # no stream records for the notifier to filter
    items: list[dict[str, Any]] = []
    for n in range(ACCOUNTS):
        account_id = f"acc-{n:06d}"
        due = NOW.date() - timedelta(days=1 + n % 120)
        account = Account(
            account_id=account_id,
            name=f"Cliente {n}",
            status=AccountStatus.OVERDUE,
            owner="ana",
            locale="pt-BR",
            contact=Contact(name=f"Cliente {n}", email=f"c{n}@example.com"),
            created_at=local(date(2026, 1, 2)),
            version=1,
        )
        change = AccountChange(
            account=account.model_copy(update={"version": 2}),
            recorded_at=NOW,
            expected_version=1,
            invoices=(invoice(f"NF-{n}", due, 10_000 + n),),
        )
        items += [account_item(account), *ledger_items(change)]
        items.append(
            {
                "pk": BOOK_PARTITION,
                "sk": keys.account_pk(account_id),
                "account_id": account_id,
                "status": "overdue",
                "overdue_since": due.isoformat(),
                "owner": "ana",
                **keys.book_search_keys("ana", due.isoformat(), account_id),
            }
        )
    for start in range(0, len(items), BATCH):
        request: Any = {table: [{"PutRequest": {"Item": serialize_item(i)}} for i in items[start : start + BATCH]]}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or None
    emulated.stream_shard = shard


def test_the_digest_reads_the_book_and_each_listed_ledger() -> None:
    with LocalStack(now=NOW, environment=QUIET) as stack:
        _seed(stack)
        digest = stack.functions["CollectionsDigest"]
        with Calls() as counter:
            started = time.perf_counter()
            answer = stack._invoke(digest, {"scheduled_time": NOW.isoformat()})
            seconds = time.perf_counter() - started
        calls, items = dict(counter.calls), dict(counter.items)
    print()
    ponte = seconds - counter.seconds
    print(f"digest over a book of {ACCOUNTS:,} accounts: written={answer['written']}, in {seconds:.1f} s, of which")
    print(f"  {counter.seconds:.1f} s inside the emulator's calls; Ponte's code alone: {ponte:.1f} s")
    print(f"  AWS calls: {sum(calls.values())} {calls}")
    print(f"  items read, as DynamoDB counts them: {items}")
    assert answer["written"] is True
    assert calls["dynamodb:Query"] == 1 + ACCOUNTS  # the book's partition in one page, then one ledger each
    assert calls["dynamodb:PutItem"] == 1 and "dynamodb:Scan" not in calls
