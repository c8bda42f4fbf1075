"""The store's client prepares its table operations once where it can (`ponte.adapters.own_requests`): the body it
writes is botocore's, byte for byte, and the endpoint it keeps is the one botocore's rules give for those tables."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber
from hypothesis import given, settings
from hypothesis import strategies as st

from ponte.adapters.own_requests import (
    ENDPOINT_INPUTS,
    TABLE_OPERATIONS,
    EndpointPerTables,
    PlainJson,
    endpoint_inputs,
    lighten,
)

names = st.text(min_size=1, max_size=12)
scalars = st.one_of(
    st.builds(lambda s: {"S": s}, st.text(max_size=30)),
    st.builds(lambda n: {"N": str(n)}, st.integers(-(10**12), 10**12)),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda s: {"SS": sorted(s)}, st.sets(st.text(max_size=8), min_size=1, max_size=3)),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.builds(lambda items: {"L": items}, st.lists(inner, max_size=3)),
        st.builds(lambda fields: {"M": fields}, st.dictionaries(names, inner, max_size=3)),
    ),
    max_leaves=12,
)
items = st.dictionaries(names, values, min_size=1, max_size=6)


def client(**options: Any) -> Any:
    return boto3.client(
        "dynamodb",
        region_name="sa-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(parameter_validation=False, **options),
    )


REFERENCE = client()


def botocores(operation: str, parameters: dict[str, Any]) -> dict[str, Any]:
    model = REFERENCE.meta.service_model.operation_model(operation)
    prepared: dict[str, Any] = REFERENCE._serializer.serialize_to_request(parameters, model)
    return prepared


def lightened(operation: str, parameters: dict[str, Any]) -> dict[str, Any]:
    model = REFERENCE.meta.service_model.operation_model(operation)
    return PlainJson(REFERENCE._serializer).serialize_to_request(parameters, model)


def requests(item: dict[str, Any], other: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """One request of each table operation, shaped as the store shapes its own, around `item` and `other`."""
    key = {"pk": {"S": "ACCOUNT#a"}, "sk": {"S": "ACCOUNT"}}
    condition = {
        "ConditionExpression": "#v = :v",
        "ExpressionAttributeNames": {"#v": "version"},
        "ExpressionAttributeValues": {":v": {"N": "3"}},
    }
    return [
        ("PutItem", {"TableName": "t", "Item": {**key, **item}, "ConditionExpression": "attribute_not_exists(pk)"}),
        ("GetItem", {"TableName": "t", "Key": key, "ConsistentRead": True}),
        (
            "Query",
            {
                "TableName": "t",
                "IndexName": "due",
                "KeyConditionExpression": "pk = :pk",
                "ExpressionAttributeValues": {":pk": {"S": "x"}, **{f":{n}": v for n, v in enumerate(item.values())}},
                "ExclusiveStartKey": {**key, **other},
                "Limit": 2,
                "ScanIndexForward": False,
            },
        ),
        ("UpdateItem", {"TableName": "t", "Key": key, "UpdateExpression": "SET a = :v", **condition}),
        ("DeleteItem", {"TableName": "t", "Key": key, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
        (
            "TransactWriteItems",
            {
                "TransactItems": [
                    {"Put": {"TableName": "t", "Item": {**key, **item}, **condition}},
                    {"Update": {"TableName": "u", "Key": key, "UpdateExpression": "SET b = :v", **condition}},
                    {"Delete": {"TableName": "t", "Key": key}},
                    {"ConditionCheck": {"TableName": "t", "Key": key, **condition}},
                ],
                "ClientRequestToken": "token",
            },
        ),
        ("TransactGetItems", {"TransactItems": [{"Get": {"TableName": "t", "Key": key}}]}),
        ("BatchGetItem", {"RequestItems": {"t": {"Keys": [key, {**key, **other}], "ConsistentRead": True}}}),
        (
            "BatchWriteItem",
            {"RequestItems": {"t": [{"PutRequest": {"Item": {**key, **item}}}, {"DeleteRequest": {"Key": key}}]}},
        ),
        ("Scan", {"TableName": "t", "Segment": 0, "TotalSegments": 2}),
    ]


def test_every_table_operation_is_tried_below() -> None:
    assert {operation for operation, _ in requests({}, {})} == TABLE_OPERATIONS


@settings(max_examples=150, deadline=None)
@given(items, items)
def test_the_body_is_botocores_byte_for_byte(item: dict[str, Any], other: dict[str, Any]) -> None:
    for operation, parameters in requests(item, other):
        assert lightened(operation, parameters) == botocores(operation, parameters), operation


def test_bytes_take_botocores_walk_and_are_sent_in_base64() -> None:
    parameters = {"TableName": "t", "Item": {"pk": {"S": "a"}, "blob": {"B": b"\x00\xff"}}}
    sent = lightened("PutItem", parameters)
    assert sent == botocores("PutItem", parameters)
    assert json.loads(sent["body"])["Item"]["blob"] == {"B": base64.b64encode(b"\x00\xff").decode()}


def test_values_json_cannot_write_are_left_to_botocore() -> None:
    parameters = {"TableName": "t", "Limit": Decimal(2)}
    with pytest.raises(TypeError) as refused:
        botocores("Query", parameters)
    with pytest.raises(TypeError) as left:
        lightened("Query", parameters)
    assert str(left.value) == str(refused.value)


def test_other_operations_are_botocores() -> None:
    parameters = {"TableName": "t"}
    assert lightened("DescribeTable", parameters) == botocores("DescribeTable", parameters)
    assert "DescribeTable" not in TABLE_OPERATIONS


@pytest.mark.parametrize("operation", sorted(TABLE_OPERATIONS))
def test_the_endpoint_rules_read_only_the_tables_of_a_table_operation(operation: str) -> None:
    """What makes keeping an endpoint per operation and tables right: the service's endpoint rules read nothing else
    of these requests (if botocore's model ever reads more, this fails and the cache must learn it)."""
    model = REFERENCE.meta.service_model.operation_model(operation)
    read = endpoint_inputs(model)
    assert read and read <= ENDPOINT_INPUTS
    assert not model.static_context_parameters or all(p.value is not None for p in model.static_context_parameters)


def test_an_operation_whose_endpoint_reads_more_is_resolved_every_time() -> None:
    class Reading:  # an operation model whose endpoint rules would read a member besides the tables
        name = "Query"
        context_parameters = (type("P", (), {"member_name": "IndexName"})(),)
        operation_context_parameters = None

    counted = Counted(lambda *_: "endpoint")
    kept = EndpointPerTables(counted)
    for _ in range(3):
        assert kept(Reading(), {"TableName": "t"}, {}) == "endpoint"
    assert counted.calls == 3


def test_a_client_whose_requests_botocore_checks_is_left_alone() -> None:
    # With parameter validation on, botocore wraps its serializer: the check is kept, and so is the walk.
    checked = boto3.client("dynamodb", region_name="sa-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    serializer = checked._serializer
    assert lighten(checked)._serializer is serializer


def test_a_client_botocore_did_not_make_as_expected_is_left_alone() -> None:
    class Other:
        meta = None

    other = Other()
    assert lighten(other) is other and not vars(other)


class Counted:
    def __init__(self, construct: Any) -> None:
        self.construct, self.calls = construct, 0

    def __call__(self, *arguments: Any) -> Any:
        self.calls += 1
        return self.construct(*arguments)


@pytest.mark.parametrize("options", [{}, {"account_id_endpoint_mode": "disabled"}, {"use_fips_endpoint": True}])
def test_the_kept_endpoint_is_botocores_for_those_tables(options: dict[str, Any]) -> None:
    resolver = client(**options)._ruleset_resolver
    counted = Counted(resolver.construct_endpoint)
    kept = EndpointPerTables(counted)
    arn = "arn:aws:dynamodb:sa-east-1:123456789012:table/other"
    for operation, parameters in requests({"a": {"S": "x"}}, {}) + [("Query", {"TableName": arn})] * 2:
        model = REFERENCE.meta.service_model.operation_model(operation)
        for _ in range(3):
            assert kept(model, parameters, {}) == resolver.construct_endpoint(model, parameters, {}), operation
    assert counted.calls == len(TABLE_OPERATIONS) + 1  # once per operation and tables: the ARN's query its own


def test_the_stores_client_is_lightened_and_still_answers_through_a_stubber() -> None:
    from ponte.adapters.dynamodb import DynamoStore

    made = DynamoStore.client.new()
    assert isinstance(made._serializer, PlainJson)
    assert isinstance(made._ruleset_resolver.construct_endpoint, EndpointPerTables)
    bodies: list[bytes] = []
    made.meta.events.register_first("before-call.*.*", lambda params, **_: bodies.append(params["body"]))
    key = {"pk": {"S": "ACCOUNT#a"}, "sk": {"S": "ACCOUNT"}}
    with Stubber(made) as stub:
        stub.add_response("get_item", {"Item": key}, {"TableName": "t", "Key": key})
        assert made.get_item(TableName="t", Key=key)["Item"] == key
    assert json.loads(bodies[0]) == {"TableName": "t", "Key": key}
