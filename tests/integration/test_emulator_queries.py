"""The local stack's one-partition Query (`infra.local.emulator`) answers as moto's own, which sorts the whole table:
the same items in the same order, the same counts and the same `LastEvaluatedKey`, page after page, forwards and
backwards, with key conditions, filters and projections, and for an index (which keeps moto's walk)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local import emulator

TABLE = "partitions"
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
    "an index": {
        "IndexName": "due",
        "KeyConditionExpression": "due_pk = :d",
        "ExpressionAttributeValues": {":d": {"S": "DUE"}},
        "Limit": 5,
    },
}

# How many items each query finds in all (7 items in each of 12 partitions; the index holds the 12 accounts).
FOUND = {
    "a partition": 7,
    "backwards, two at a time": 7,
    "a range of its keys": 3,
    "between, filtered and projected": 4,
    "an empty partition": 0,
    "an index": 12,
}


def _pages(query: dict[str, Any]) -> list[Any]:
    """A fresh table of 12 partitions, and every page of the query on it."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "due_pk", "due_at")
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "due",
                    "KeySchema": [
                        {"AttributeName": "due_pk", "KeyType": "HASH"},
                        {"AttributeName": "due_at", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        for account in range(12):
            for n, sk in enumerate(("ACCOUNT", "INV#01", "INV#02", "INV#03", "PAY#01", "PAY#02", "PAY#03")):
                item = {"pk": {"S": f"acct#{account:02}"}, "sk": {"S": sk}, "n": {"N": str(n)}}
                if sk == "ACCOUNT":
                    item |= {"due_pk": {"S": "DUE"}, "due_at": {"S": f"2026-11-{30 - account:02}"}}
                client.put_item(TableName=TABLE, Item=item)
        pages, start = [], None
        while True:
            answer = client.query(TableName=TABLE, **query, **({"ExclusiveStartKey": start} if start else {}))
            pages.append({k: answer.get(k) for k in ("Items", "Count", "ScannedCount", "LastEvaluatedKey")})
            start = answer.get("LastEvaluatedKey")
            if not start:
                return pages


def _moto_own(run: Callable[[], Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    from moto.dynamodb.models.table import Table

    # The patches keep moto's own method as `__wrapped__` (functools.wraps), which its types do not declare.
    monkeypatch.setattr(Table, "query", getattr(Table.query, "__wrapped__"))  # noqa: B009
    monkeypatch.setattr(Table, "all_items", getattr(Table.all_items, "__wrapped__"))  # noqa: B009
    return run()


@pytest.mark.parametrize("query", list(QUERIES.values()), ids=list(QUERIES))
def test_a_query_answers_as_moto_would(query: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    emulator.install()
    one_partition = _pages(query)

    assert one_partition == _moto_own(lambda: _pages(query), monkeypatch)
    assert sum(page["Count"] for page in one_partition) == FOUND[next(k for k, q in QUERIES.items() if q is query)]
