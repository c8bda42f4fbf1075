"""The embedded DynamoDB's answers, written with attribute values copied as they are (`infra.local.emulator`), are
byte for byte moto's own, which walks every value through its generic serializer: for items of every kind of value
(strings, numbers, sets, booleans, nulls, nested maps and lists, empty ones, and binary values, which keep moto's
walk), read by every operation Ponte uses and by the stream."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local import emulator

TABLE = "answers"
KEY = {"pk": {"S": "acct#1"}, "sk": {"S": "INV#01"}}
PLAIN: dict[str, Any] = {
    **KEY,
    "amount": {"N": "123456"},
    "rate": {"N": "-0.125"},
    "empty": {"S": ""},
    "name": {"S": 'Café Aurora — "ação" \\ 日本'},
    "paid": {"BOOL": False},
    "gone": {"NULL": True},
    "tags": {"SS": ["b", "a"]},
    "counts": {"NS": ["1", "2.5"]},
    "history": {"L": [{"M": {"at": {"S": "2026-11-02"}, "n": {"N": "1"}}}, {"L": []}, {"BOOL": True}]},
    "nested": {"M": {"deep": {"M": {"list": {"L": [{"S": "x"}, {"NULL": True}]}}}, "none": {"M": {}}}},
}
BINARY: dict[str, Any] = {
    "pk": {"S": "acct#1"},
    "sk": {"S": "INV#02"},
    "blob": {"B": b"\x00\x01binary"},
    "blobs": {"BS": [b"x", b"y"]},
    "inside": {"M": {"blob": {"B": b"z"}, "text": {"S": "t"}}},
    "listed": {"L": [{"S": "s"}, {"B": b"w"}]},
}


def _answers() -> list[Any]:
    """A fresh table; both items written, changed and read back by each operation; the raw body of each answer, and
    the items the stream carried."""
    bodies: list[Any] = []
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.meta.events.register(
            "after-call.dynamodb.*", lambda http_response, **_: bodies.append(http_response.text)
        )
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk")],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        stream_arn = client.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
        bodies.clear()  # the table's description carries its creation time
        client.put_item(TableName=TABLE, Item=PLAIN)
        client.put_item(TableName=TABLE, Item=BINARY)
        client.update_item(
            TableName=TABLE,
            Key=KEY,
            UpdateExpression="SET amount = :a, #h = list_append(#h, :more)",
            ExpressionAttributeNames={"#h": "history"},
            ExpressionAttributeValues={":a": {"N": "99"}, ":more": {"L": [{"M": {"x": {"SS": ["y"]}}}]}},
            ReturnValues="ALL_NEW",
        )
        client.query(
            TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "acct#1"}}
        )
        client.get_item(TableName=TABLE, Key=KEY)
        client.get_item(TableName=TABLE, Key={**KEY, "sk": {"S": "INV#02"}})
        client.batch_get_item(RequestItems={TABLE: {"Keys": [KEY, {**KEY, "sk": {"S": "INV#02"}}]}})
        client.scan(TableName=TABLE)
        client.transact_get_items(TransactItems=[{"Get": {"TableName": TABLE, "Key": KEY}}])
        client.delete_item(TableName=TABLE, Key=KEY, ReturnValues="ALL_OLD")

        streams = boto3.client("dynamodbstreams", region_name="us-east-1")
        (shard,) = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        raw: list[str] = []
        streams.meta.events.register(
            "after-call.dynamodbstreams.GetRecords", lambda http_response, **_: raw.append(http_response.text)
        )
        streams.get_records(ShardIterator=iterator)
    # A record's id and time differ from run to run; its keys and images are what is compared.
    (records,) = (json.loads(body)["Records"] for body in raw)
    images = [{k: v for k, v in r["dynamodb"].items() if k in {"Keys", "NewImage", "OldImage"}} for r in records]
    return [*bodies, json.dumps(images)]


def _moto_own(run: Callable[[], Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    from moto.core.serialize import JSONSerializer

    own = getattr(JSONSerializer._serialize_type_structure, "__wrapped__")  # noqa: B009
    monkeypatch.setattr(JSONSerializer, "_serialize_type_structure", own)
    return run()


def test_every_answer_is_moto_own_byte_for_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    emulator.install()
    wire_value = emulator._wire_value
    copied_values: list[Any] = []

    def counted(value: Any) -> dict[str, Any] | None:
        wire = wire_value(value)
        copied_values.append(wire)
        return wire

    with monkeypatch.context() as patched:
        patched.setattr(emulator, "_wire_value", counted)
        copied = _answers()
    assert any(value is not None for value in copied_values)  # the values were copied, not walked

    assert copied == _moto_own(_answers, monkeypatch)
    query = json.loads(copied[3])
    assert query["Count"] == 2 and query["Items"][0]["name"] == PLAIN["name"]


def test_only_values_the_generic_walk_writes_unchanged_are_copied() -> None:
    for name, value in PLAIN.items():
        assert emulator._wire_value(value) == value, name
    for name, value in BINARY.items():
        if name not in KEY:
            assert emulator._wire_value(value) is None, name
    for odd in ({}, {"S": "a", "N": "1"}, {"S": 1}, {"N": 1.5}, {"BOOL": "true"}, {"SS": ["a", 1]}, {"Q": "x"}, "S"):
        assert emulator._wire_value(odd) is None, odd
