"""A DynamoDB stream trigger on the local stack delivers each record once, in order, in the template's batches and
after its filter, however the writes fall between polls: after a reset, after the stack is entered again, and after
a shard ends (DynamoDB closes a stream's shards every few hours and opens new ones)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.local import LocalStack
from infra.local.template import load_template
from tests.support import ROOT, T0

BATCH_SIZE = 2


def _streamed_template(tmp_path: Path) -> Path:
    """template.yaml plus a table whose stream triggers a function that records what it receives."""
    document = load_template(ROOT / "template.yaml")
    resources = document["Resources"]
    for resource in resources.values():  # the copy lives elsewhere: its functions' code stays where it is
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = str(ROOT / resource["Properties"]["CodeUri"])
    resources["EchoTable"] = {
        "Type": "AWS::DynamoDB::Table",
        "Properties": {
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
        },
    }
    resources["Echo"] = {
        "Type": "AWS::Serverless::Function",
        "Properties": {
            "CodeUri": str(ROOT / "tests" / "integration" / "echo_function"),
            "Handler": "handler.lambda_handler",
            "Events": {
                "Changes": {
                    "Type": "DynamoDB",
                    "Properties": {
                        "Stream": {"Fn::GetAtt": ["EchoTable", "StreamArn"]},
                        "StartingPosition": "TRIM_HORIZON",
                        "BatchSize": BATCH_SIZE,
                        "FilterCriteria": {
                            "Filters": [{"Pattern": '{"dynamodb": {"NewImage": {"kind": {"S": ["keep"]}}}}'}]
                        },
                    },
                }
            },
        },
    }
    path = tmp_path / "template.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def streamed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with LocalStack(now=T0, template=_streamed_template(tmp_path_factory.mktemp("streamed"))) as stack:
        yield stack


@pytest.fixture
def stack(streamed: LocalStack) -> LocalStack:
    streamed.reset()
    return streamed


def _write(stack: LocalStack, *changes: tuple[str, str]) -> None:
    """Each (key, kind) written in turn: a new key is an INSERT, a key written again a MODIFY."""
    dynamodb = stack.client("dynamodb")
    for key, kind in changes:
        item = {"pk": {"S": key}, "kind": {"S": kind}}
        dynamodb.put_item(TableName=stack.physical_id("EchoTable"), Item=item)


def _batches(stack: LocalStack) -> list[list[tuple[str, str]]]:
    """What the function received from the stream since its last cold start: per batch, each record's event and
    key."""
    received: list[Any] = stack.functions["Echo"].module().RECEIVED
    return [
        [(record["eventName"], record["dynamodb"]["Keys"]["pk"]["S"]) for record in event["Records"]]
        for event in received
    ]


def _delivered(stack: LocalStack) -> list[tuple[str, str]]:
    return [record for batch in _batches(stack) for record in batch]


def test_records_written_between_polls_arrive_once_each_in_order_in_the_templates_batches(stack: LocalStack) -> None:
    _write(stack, ("a", "keep"))
    stack.settle()
    _write(stack, ("b", "drop"), ("c", "keep"))
    stack.settle()
    stack.settle()  # nothing new: nothing delivered again
    _write(stack, ("d", "keep"), ("e", "keep"), ("a", "keep"), ("f", "keep"), ("g", "drop"))
    stack.settle()

    assert _batches(stack) == [
        [("INSERT", "a")],
        [("INSERT", "c")],
        [("INSERT", "d"), ("INSERT", "e")],
        [("MODIFY", "a"), ("INSERT", "f")],
    ]
    assert stack.failures == []


def test_a_reset_stack_delivers_what_is_written_after_it_and_nothing_from_before(stack: LocalStack) -> None:
    _write(stack, ("a", "keep"), ("b", "keep"), ("c", "keep"))
    stack.settle()
    assert _delivered(stack) == [("INSERT", "a"), ("INSERT", "b"), ("INSERT", "c")]

    stack.reset()
    _write(stack, ("x", "keep"))
    stack.settle()
    _write(stack, ("y", "keep"))
    stack.settle()

    # The stream starts again as built: its records take the sequence numbers the ones before the reset had.
    assert _delivered(stack) == [("INSERT", "x"), ("INSERT", "y")]


def test_a_stack_entered_again_delivers_what_is_written_after_it(stack: LocalStack) -> None:
    _write(stack, ("a", "keep"))
    stack.settle()
    stack.__exit__(None, None, None)
    stack.__enter__()  # left entered, for the module's other tests

    _write(stack, ("b", "keep"), ("a", "keep"))
    stack.settle()
    assert _delivered(stack) == [("INSERT", "b"), ("INSERT", "a")]  # the table came back as built: "a" is new again


def test_after_a_shard_ends_the_records_that_follow_arrive_once_each_in_order(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.dynamodbstreams.models import ShardIterator

    read = ShardIterator.get
    ending = {"reads": 1}

    def read_to_the_end(iterator: ShardIterator, limit: int = 1000) -> dict[str, Any]:
        answer = read(iterator, limit)
        if ending["reads"] > 0:  # the shard's last read: DynamoDB gives no iterator after it
            ending["reads"] -= 1
            del answer["NextShardIterator"]
        return answer

    _write(stack, ("a", "keep"))
    stack.settle()
    monkeypatch.setattr(ShardIterator, "get", read_to_the_end)
    _write(stack, ("b", "keep"), ("c", "keep"))
    stack.settle()
    assert ending["reads"] == 0
    _write(stack, ("d", "keep"))
    stack.settle()
    _write(stack, ("e", "keep"))
    stack.settle()

    assert _delivered(stack) == [("INSERT", key) for key in "abcde"]
    assert stack.failures == []
