"""The local stack's queries (`infra.local.emulator`) answer as moto's own, which sorts the whole table first: the same
items in the same order, the same counts and the same `LastEvaluatedKey`, page after page, forwards and backwards,
with key conditions, filters and projections. A table's Query lists one partition; an index's (global, with or
without its own range key, or local) orders only the items it finds, by their keys as strings where those decide
the order alone, else as moto does. The items are written in no key order, index keys repeat, some items lack the
index's range key, some are numbers, and some are sets (which DynamoDB refuses as keys and moto stores); one
partition is over a megabyte, which ends a page by size."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local import emulator

TABLE = "partitions"
ACCOUNTS = (7, 2, 11, 0, 5, 9, 1, 10, 3, 8, 6, 4)  # the order they are written in
KEYS = ("ACCOUNT", "INV#01", "INV#02", "INV#03", "PAY#01", "PAY#02", "PAY#03")
WRITTEN = ("PAY#02", "INV#01", "ACCOUNT", "PAY#03", "INV#03", "PAY#01", "INV#02")
AMOUNTS = ("9", "10", "100", "2.5", "10.0", "-1")  # "10" and "10.0" are the same number
LABELS = {"PAY#01": "b", "PAY#02": "a", "PAY#03": "b", "INV#01": "a"}
TAGS = (["a"], ["b"], ["a", "b"], ["c"], ["b", "c"], ["a"])
BLOB = 300_000  # bytes of each big item: three fit a page of a megabyte, the fourth does not
PAGES = 20  # more than any of these queries has; a query still paging after them would page forever

QUERIES: dict[str, dict[str, Any]] = {
    "a partition": {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "acct#07"}}},
    "backwards, two at a time": {
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "acct#03"}},
        "ScanIndexForward": False,
        "Limit": 2,
    },
    "a range of its keys": {
        "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
        "ExpressionAttributeValues": {":p": {"S": "acct#05"}, ":s": {"S": "INV#"}},
        "Limit": 3,
    },
    "between, filtered and projected": {
        "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
        "FilterExpression": "n > :n",
        "ProjectionExpression": "sk, n",
        "ExpressionAttributeValues": {
            ":p": {"S": "acct#01"},
            ":a": {"S": "INV#02"},
            ":b": {"S": "PAY#03"},
            ":n": {"N": "2"},
        },
    },
    "an empty partition": {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "none"}}},
    "a partition over a megabyte": {
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "acct#big"}},
    },
    "an index": {
        "IndexName": "due",
        "KeyConditionExpression": "due_pk = :d",
        "ExpressionAttributeValues": {":d": {"S": "DUE"}},
        "Limit": 5,
    },
    "an index, backwards, two at a time": {
        "IndexName": "due",
        "KeyConditionExpression": "due_pk = :d",
        "ExpressionAttributeValues": {":d": {"S": "DUE"}},
        "ScanIndexForward": False,
        "Limit": 2,
    },
    "a range of an index's keys, filtered": {
        "IndexName": "due",
        "KeyConditionExpression": "due_pk = :d AND due_at BETWEEN :a AND :b",
        "FilterExpression": "tier > :t",
        "ExpressionAttributeValues": {
            ":d": {"S": "DUE"},
            ":a": {"S": "2026-11-26"},
            ":b": {"S": "2026-11-29"},
            ":t": {"N": "0"},
        },
        "Limit": 3,
    },
    "an index without a range key": {
        "IndexName": "status",
        "KeyConditionExpression": "#s = :s",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {":s": {"S": "open"}},
        "Limit": 4,
    },
    "an index without a range key, backwards": {
        "IndexName": "status",
        "KeyConditionExpression": "#s = :s",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {":s": {"S": "paid"}},
        "ScanIndexForward": False,
        "Limit": 3,
    },
    "an index of numbers": {
        "IndexName": "amounts",
        "KeyConditionExpression": "kind = :k",
        "ExpressionAttributeValues": {":k": {"S": "INV"}},
        "Limit": 7,
    },
    "a local index, backwards": {
        "IndexName": "labels",
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "acct#03"}},
        "ScanIndexForward": False,
        "Limit": 2,
    },
    "an index of sets": {
        "IndexName": "tagged",
        "KeyConditionExpression": "tag_pk = :t",
        "ExpressionAttributeValues": {":t": {"S": "T"}},
    },
}

# How many items each query finds in all: 7 items in each of 12 partitions, and 4 big ones in a 13th. The accounts
# are due two by two (plus one invoice in two without a date); each account has one paid invoice and two open ones.
FOUND = {
    "a partition": 7,
    "backwards, two at a time": 7,
    "a range of its keys": 3,
    "between, filtered and projected": 4,
    "an empty partition": 0,
    "a partition over a megabyte": 4,
    "an index": 12,
    "an index, backwards, two at a time": 12,
    "a range of an index's keys, filtered": 5,
    "an index without a range key": 24,
    "an index without a range key, backwards": 12,
    "an index of numbers": 36,
    "a local index, backwards": 4,
    "an index of sets": 6,
}


def _item(account: int, sk: str) -> dict[str, Any]:
    n = KEYS.index(sk)
    item: dict[str, Any] = {"pk": {"S": f"acct#{account:02}"}, "sk": {"S": sk}, "n": {"N": str(n)}}
    if sk == "ACCOUNT":
        item |= {"due_pk": {"S": "DUE"}, "due_at": {"S": f"2026-11-{30 - account // 2:02}"}}
        item |= {"tier": {"N": str(account % 3)}}
        if account < len(TAGS):
            item |= {"tag_pk": {"S": "T"}, "tags": {"SS": TAGS[account]}}
    if sk.startswith("INV#"):
        item |= {"status": {"S": "open" if (account + n) % 3 else "paid"}}
        item |= {"kind": {"S": "INV"}, "amount": {"N": AMOUNTS[(account * 3 + n) % len(AMOUNTS)]}}
    if sk == "INV#03" and account % 2 == 0:
        item |= {"due_pk": {"S": "DUE"}}
    if sk in LABELS:
        item |= {"label": {"S": LABELS[sk]}}
    return item


def _index(name: str, *keys: str) -> dict[str, Any]:
    schema = [{"AttributeName": key, "KeyType": kind} for key, kind in zip(keys, ("HASH", "RANGE"), strict=False)]
    return {"IndexName": name, "KeySchema": schema, "Projection": {"ProjectionType": "ALL"}}


def _pages(query: dict[str, Any]) -> list[Any]:
    """A fresh table of 13 partitions, and every page of the query on it."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                *({"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "due_pk", "due_at")),
                *({"AttributeName": name, "AttributeType": "S"} for name in ("status", "kind", "label", "tag_pk")),
                {"AttributeName": "amount", "AttributeType": "N"},
                {"AttributeName": "tags", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[
                _index("due", "due_pk", "due_at"),
                _index("status", "status"),
                _index("amounts", "kind", "amount"),
                _index("tagged", "tag_pk", "tags"),
            ],
            LocalSecondaryIndexes=[_index("labels", "pk", "label")],
            BillingMode="PAY_PER_REQUEST",
        )
        items = [_item(account, sk) for account in ACCOUNTS for sk in WRITTEN]
        big = ({"pk": {"S": "acct#big"}, "sk": {"S": f"BLOB#{n}"}, "blob": {"S": str(n) * BLOB}} for n in (3, 1, 4, 2))
        items += big
        for first in range(0, len(items), 25):  # BatchWriteItem takes 25 items; moto writes them in the order given
            batch = [{"PutRequest": {"Item": item}} for item in items[first : first + 25]]
            assert not client.batch_write_item(RequestItems={TABLE: batch})["UnprocessedItems"]
        pages: list[Any] = []
        start = None
        while len(pages) < PAGES:
            answer = client.query(TableName=TABLE, **query, **({"ExclusiveStartKey": start} if start else {}))
            pages.append({k: answer.get(k) for k in ("Items", "Count", "ScannedCount", "LastEvaluatedKey")})
            start = answer.get("LastEvaluatedKey")
            if not start:
                return pages
    pytest.fail(f"still paging after {PAGES} pages: a page's LastEvaluatedKey leads back to an earlier one")


def _moto_own(run: Callable[[], Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table

    # The patches keep moto's own method as `__wrapped__`, which its types do not declare.
    for method in ("query", "all_items", "sorted_items"):
        monkeypatch.setattr(Table, method, getattr(Table, method).__wrapped__)
    for method in ("size", "__init__"):
        monkeypatch.setattr(Item, method, getattr(Item, method).__wrapped__)
    return run()


@pytest.mark.parametrize("query", list(QUERIES.values()), ids=list(QUERIES))
def test_a_query_answers_as_moto_would(query: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    emulator.install()
    patched = _pages(query)

    assert patched == _moto_own(lambda: _pages(query), monkeypatch)
    assert sum(page["Count"] for page in patched) == FOUND[next(k for k, q in QUERIES.items() if q is query)]
