"""botocore's preparation of a request, done once where it can be, for a DynamoDB client whose every request Ponte
builds (the store's: `DynamoStore.client`).

For every request botocore works out the endpoint from the service's rules, reading the request for the tables it
names (for a transaction, a JMESPath search over its items), and writes the JSON body by walking the request against
the service model. For the store's requests neither needs doing each time:

- the endpoint of an operation on the same tables is the same endpoint: it is worked out once per operation and
  tables, and kept;
- the walk turns bytes into base64 (and would turn a timestamp into a number); a request of strings, numbers,
  booleans, lists and maps comes out as it went in: `json.dumps` of the request itself is the body. A request that
  `json.dumps` refuses (one holding bytes, a `Decimal`, a datetime) takes botocore's walk. (The store writes no
  binary attribute; a binary value given as text, which botocore would encode, is not a request it makes.)

For a payment delivery (a query and a transaction of three items, stubbed) that took botocore's part from 0.28 ms to
0.09 ms. Only the table operations are lightened; any other request is prepared as botocore prepares it.
`tests/unit/test_own_requests.py` checks both against botocore's own: the bodies byte for byte, the endpoints.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

# The operations whose endpoint depends on nothing of the request but the tables it names (`ENDPOINT_INPUTS`).
TABLE_OPERATIONS = frozenset(
    {
        "BatchGetItem",
        "BatchWriteItem",
        "DeleteItem",
        "GetItem",
        "PutItem",
        "Query",
        "Scan",
        "TransactGetItems",
        "TransactWriteItems",
        "UpdateItem",
    }
)
ENDPOINT_INPUTS = frozenset({"TableName", "TransactItems", "RequestItems"})
_KEPT = 64  # endpoints kept per client: a store uses a table or two


def lighten(client: Any) -> Any:
    """`client` (botocore's DynamoDB client) with its table operations prepared as this module says; returned. A
    client not made as the botocore this was tested with makes its clients (the Lambda runtime brings its own) is
    left as it is."""
    # botocore offers no hook for either: its client's own serializer and endpoint resolver are wrapped. Only its
    # JSON protocol's serializer, unchecked, writes what `json.dumps` writes (were DynamoDB ever served another
    # protocol, or the check on, the client is left as it is).
    from botocore.serialize import JSONSerializer  # noqa: PLC0415 - loaded with the client anyway

    serializer: Any = getattr(client, "_serializer", None)
    resolver: Any = getattr(client, "_ruleset_resolver", None)
    if type(serializer) is not JSONSerializer or not callable(getattr(resolver, "construct_endpoint", None)):
        return client
    client._serializer = PlainJson(serializer)  # noqa: SLF001
    resolver.construct_endpoint = EndpointPerTables(resolver.construct_endpoint)
    return client


def endpoint_inputs(operation_model: Any) -> set[str]:
    """The members of an operation's request that botocore's model says its endpoint rules read."""
    # Both are read as botocore names them today; a botocore before `operation_context_parameters` has neither rule.
    read = {parameter.member_name for parameter in getattr(operation_model, "context_parameters", ())}
    for spec in dict(getattr(operation_model, "operation_context_parameters", None) or {}).values():
        # A JMESPath over the request: `TransactItems[*].Get.TableName`, `keys(RequestItems)`.
        read.add(spec["path"].removeprefix("keys(").split("[")[0].split(")")[0].split(".")[0])
    return read


class PlainJson:
    """botocore's serializer (`serializer`), with the body of a table operation written by `json.dumps`."""

    def __init__(self, serializer: Any) -> None:
        self._serializer = serializer
        self._shapes: dict[str, dict[str, Any]] = {}  # per operation: the request botocore makes of no parameters

    def serialize_to_request(self, parameters: Mapping[str, Any], operation_model: Any) -> dict[str, Any]:
        if operation_model.name not in TABLE_OPERATIONS:
            return self._serializer.serialize_to_request(parameters, operation_model)  # type: ignore[no-any-return]
        try:
            body = json.dumps(parameters)
        except TypeError:  # bytes, a Decimal, a datetime: botocore's walk knows what each becomes
            return self._serializer.serialize_to_request(parameters, operation_model)  # type: ignore[no-any-return]
        shape = self._shapes.get(operation_model.name)
        if shape is None:  # the method, the URL's path and query, the target and content-type headers
            shape = self._shapes[operation_model.name] = self._serializer.serialize_to_request({}, operation_model)
        # Each request its own dict and headers: botocore adds to both as it prepares the request.
        return {**shape, "headers": dict(shape["headers"]), "body": body.encode()}


class EndpointPerTables:
    """botocore's endpoint resolution (`construct`), kept per operation and the tables its request names, for the
    table operations whose endpoint rules read nothing else of the request (checked once per operation)."""

    def __init__(self, construct: Callable[..., Any]) -> None:
        self._construct = construct
        self._kept: dict[tuple[str, tuple[str | None, ...]], Any] = {}
        self._keeps: dict[str, bool] = {}

    def __call__(self, operation_model: Any, call_args: Mapping[str, Any] | None, request_context: Any) -> Any:
        name = operation_model.name
        keeps = self._keeps.get(name)
        if keeps is None:
            keeps = self._keeps[name] = name in TABLE_OPERATIONS and endpoint_inputs(operation_model) <= ENDPOINT_INPUTS
        if not keeps or call_args is None:
            return self._construct(operation_model, call_args, request_context)
        key = (name, tables(call_args))
        endpoint = self._kept.get(key)
        if endpoint is None:
            endpoint = self._construct(operation_model, call_args, request_context)
            if len(self._kept) < _KEPT:
                self._kept[key] = endpoint
        return endpoint


def tables(call_args: Mapping[str, Any]) -> tuple[str | None, ...]:
    """The tables a request names, where DynamoDB's endpoint rules read them (`ResourceArn`, `ResourceArnList`)."""
    named = [call_args.get("TableName")]
    named += [request.get("TableName") for item in call_args.get("TransactItems", ()) for request in item.values()]
    named += list(call_args.get("RequestItems", ()))
    return tuple(named)
