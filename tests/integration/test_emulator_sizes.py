"""The embedded DynamoDB's items, measured as they are built with the size of the attributes already set kept as a
sum (`infra.local.emulator`), are refused exactly where moto's own, which measures them all again for each attribute
added, refuses them: at its limit of 405,000 bytes, one byte over, and at an attribute in the middle or the first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from infra.local import emulator

TABLE = "sizes"
LIMIT = 405_000
TOO_LARGE = "ValidationException: Item size has exceeded the maximum allowed size"


def _item(sk: str, size: int) -> dict[str, Any]:
    """An item of every kind of value, padded in the middle to `size` bytes as moto measures it."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    before: dict[str, Any] = {
        "pk": {"S": "acct#1"},
        "sk": {"S": sk},
        "name": {"S": "Café Aurora — ação"},
        "amount": {"N": "-123.45"},
        "paid": {"BOOL": True},
        "gone": {"NULL": True},
        "tags": {"SS": ["a", "bb"]},
        "counts": {"NS": ["1", "22.5"]},
    }
    after: dict[str, Any] = {
        "nested": {"M": {"deep": {"M": {"list": {"L": [{"S": "x"}, {"N": "7"}, {"NULL": True}]}}}}},
        "blob": {"B": b"\x00\x01\x02binary"},
        "history": {"L": [{"M": {"at": {"S": "2026-11-02"}}}, {"L": []}]},
    }
    item = {**before, "padding": {"S": ""}, **after}
    measured = sum(len(key.encode()) + DynamoType(value).size() for key, value in item.items())
    return {**before, "padding": {"S": "p" * (size - measured)}, **after}


ITEMS = {
    "at the limit": _item("AT", LIMIT),
    "one byte over": _item("OVER", LIMIT + 1),
    "well under": _item("UNDER", 1_000),
    "over at its first attribute": {"big": {"S": "b" * LIMIT}, "pk": {"S": "acct#1"}, "sk": {"S": "FIRST"}},
}


def _outcomes() -> dict[str, Any]:
    """A fresh table; each item written, and what DynamoDB answers, then the item as read back."""
    outcomes: dict[str, Any] = {}
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk")],
            BillingMode="PAY_PER_REQUEST",
        )
        for name, item in ITEMS.items():
            try:
                client.put_item(TableName=TABLE, Item=item)
            except ClientError as refused:
                outcomes[name] = f"{refused.response['Error']['Code']}: {refused.response['Error']['Message']}"
                continue
            key = {"pk": item["pk"], "sk": item["sk"]}
            outcomes[name] = client.get_item(TableName=TABLE, Key=key)["Item"]
    return outcomes


def _moto_own(run: Callable[[], Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    from moto.dynamodb.models.dynamo_type import Item

    # The patch keeps moto's own method as `__wrapped__`, which its types do not declare.
    monkeypatch.setattr(Item, "__init__", getattr(Item.__init__, "__wrapped__"))  # noqa: B009
    return run()


def test_items_are_refused_where_moto_refuses_them(monkeypatch: pytest.MonkeyPatch) -> None:
    emulator.install()
    summed = _outcomes()

    assert summed == _moto_own(_outcomes, monkeypatch)
    assert summed["one byte over"] == summed["over at its first attribute"] == TOO_LARGE
    assert summed["at the limit"] == ITEMS["at the limit"] and summed["well under"] == ITEMS["well under"]
