"""The local stack's journaled transactions (`infra.local.emulator`) end exactly as moto's own, which back the whole
table up: a committed transaction writes every item and its stream records; a cancelled or refused one leaves the
items and the stream as they were. Each case runs under both and compares the table and the stream."""

from __future__ import annotations

import copy
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from infra.local import emulator

TABLE = "journal"


def _put(pk: str, sk: str, value: str, condition: str | None = None) -> dict[str, Any]:
    put: dict[str, Any] = {"TableName": TABLE, "Item": {"pk": {"S": pk}, "sk": {"S": sk}, "v": {"S": value}}}
    if condition:
        put["ConditionExpression"] = condition
    return {"Put": put}


def _update(pk: str, sk: str, value: str, condition: str | None = None) -> dict[str, Any]:
    update: dict[str, Any] = {
        "TableName": TABLE,
        "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
        "UpdateExpression": "SET v = :v",
        "ExpressionAttributeValues": {":v": {"S": value}},
    }
    if condition:
        update["ConditionExpression"] = condition
    return {"Update": update}


def _delete(pk: str, sk: str) -> dict[str, Any]:
    return {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": pk}, "sk": {"S": sk}}}}


def _check(pk: str, sk: str, condition: str) -> dict[str, Any]:
    return {
        "ConditionCheck": {
            "TableName": TABLE,
            "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
            "ConditionExpression": condition,
        }
    }


CANCELLED = "TransactionCanceledException:['None', 'None', 'ConditionalCheckFailed']"
# name -> (transactions, what DynamoDB answers each)
CASES: dict[str, tuple[list[list[dict[str, Any]]], list[str]]] = {
    "committed": ([[_put("a", "1", "new"), _update("a", "0", "changed"), _delete("b", "0")]], ["ok"]),
    "cancelled by a later condition": (
        [[_put("a", "1", "new"), _update("a", "0", "changed"), _check("b", "0", "attribute_not_exists(pk)")]],
        [CANCELLED],
    ),
    "cancelled by a put that must be new": (
        [[_update("b", "0", "changed"), _delete("a", "0"), _put("c", "0", "again", "attribute_not_exists(pk)")]],
        [CANCELLED],
    ),
    "two operations on one item": ([[_put("d", "0", "x"), _update("d", "0", "y")]], ["ValidationException:[]"]),
    "several, one of them cancelled": (
        [
            [_put("e", "0", "1")],
            [_update("e", "0", "2", "v = :v"), _put("f", "0", "3")],
            [_update("e", "0", "4"), _delete("c", "0")],
        ],
        ["ok", "TransactionCanceledException:['ConditionalCheckFailed', 'None']", "ok"],
    ),
}


def _scenario(transactions: list[list[dict[str, Any]]]) -> tuple[list[str], list[Any], list[Any]]:
    """A fresh table with three items and a stream, the transactions run on it, and how it all ended: each
    transaction's answer, the items, the stream's records."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        for pk in ("a", "b", "c"):
            client.put_item(TableName=TABLE, Item={"pk": {"S": pk}, "sk": {"S": "0"}, "v": {"S": "old"}})
        answers = []
        for items in transactions:
            try:
                client.transact_write_items(TransactItems=items)
                answers.append("ok")
            except ClientError as error:
                reasons = error.response.get("CancellationReasons") or []
                answers.append(f"{error.response['Error']['Code']}:{[r.get('Code') for r in reasons]}")
        found = sorted(client.scan(TableName=TABLE)["Items"], key=lambda i: (i["pk"]["S"], i["sk"]["S"]))
        return answers, found, _stream(client)


def _stream(client: Any) -> list[Any]:
    streams = boto3.client("dynamodbstreams", region_name="us-east-1")
    arn = client.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    return [(r["eventName"], r["dynamodb"].get("Keys"), r["dynamodb"].get("NewImage")) for r in records]


@pytest.mark.parametrize(("transactions", "answers"), list(CASES.values()), ids=list(CASES))
def test_a_transaction_ends_as_moto_would_end_it(
    transactions: list[list[dict[str, Any]]], answers: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.dynamodb import models

    emulator.install()
    journaled = _scenario(transactions)

    # moto's own backup: its module's copy, and its method without the journal
    monkeypatch.setattr(models, "copy", copy)
    method = models.DynamoDBBackend.transact_write_items
    monkeypatch.setattr(models.DynamoDBBackend, "transact_write_items", getattr(method, "__wrapped__"))  # noqa: B009
    backed_up = _scenario(transactions)

    assert journaled == backed_up
    assert journaled[0] == answers
    assert len(journaled[2]) >= 3  # the stream holds the three puts that made the table, at least
