"""Every adapter gets its boto3 client one way (`ponte.adapters.clients.LazyClient`): the one injected, or one of
boto3's default session made on first use."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import boto3
import pytest

import ponte.adapters
from ponte.adapters.clients import LazyClient
from ponte.adapters.due_index import DueIndex
from ponte.adapters.secrets import WebhookSecrets


def test_an_injected_client_is_the_one_used() -> None:
    given = boto3.client("dynamodb")
    assert DueIndex("table", given).client is given


def test_without_one_the_client_is_made_on_first_use_and_kept() -> None:
    index = DueIndex("table")
    assert index._client is None  # nothing is made before the first use
    client = index.client
    assert client.meta.service_model.service_name == "dynamodb"
    assert index.client is client
    assert DueIndex("table").client is not client  # one per adapter, as each adapter is built once per container


def test_secrets_are_read_with_a_client_of_the_default_session() -> None:
    secrets = WebhookSecrets({"stripe": "arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe"})
    assert secrets.client.meta.service_model.service_name == "secretsmanager"
    assert boto3.DEFAULT_SESSION is not None


def test_options_become_the_clients_configuration() -> None:
    class Adapter:
        client: LazyClient[object] = LazyClient("dynamodb", {"parameter_validation": False})

        def __init__(self) -> None:
            self._client = None

    # botocore wraps the request serializer in its parameter validator unless told not to.
    serializer = Adapter().client._serializer  # type: ignore[attr-defined]
    assert type(serializer).__name__ != "ParamValidationDecorator"


@pytest.mark.parametrize(
    ("service", "operation", "answer", "params"),
    [
        ("dynamodb", "get_item", {}, {"TableName": "table", "Key": {"pk": {"S": "a"}}}),
        ("sns", "publish", {"MessageId": "m"}, {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "m"}),
    ],
)
def test_every_request_carries_one_user_agent_worked_out_once(
    service: str, operation: str, answer: dict[str, Any], params: dict[str, Any]
) -> None:
    from botocore.stub import Stubber

    from ponte.adapters.clients import user_agent

    class Adapter:
        client: LazyClient[Any] = LazyClient(service, own_requests=service == "dynamodb")

        def __init__(self) -> None:
            self._client = None

    client = Adapter().client
    sent: list[str] = []

    def keep(params: dict[str, Any], **_: Any) -> None:
        sent.append(params["headers"]["User-Agent"])

    client.meta.events.register_first("before-call.*.*", keep)  # before the Stubber answers
    with Stubber(client) as stub:
        for _ in range(2):
            stub.add_response(operation, answer, params)
            getattr(client, operation)(**params)
    # boto3's, Python's and the platform's names and versions, then botocore's, and no per-request feature codes.
    assert sent[0] == sent[1] and sent[0].startswith(user_agent() + " Botocore/")
    assert " m/" not in sent[0] and user_agent().startswith(f"Boto3/{boto3.__version__} Python/")


def test_a_new_client_is_made_as_the_adapter_makes_its_own() -> None:
    from ponte.adapters.dynamodb import DynamoStore

    made, own = DynamoStore.client.new(), DynamoStore("table").client
    assert made is not own
    for client in (made, own):
        assert client.meta.config.user_agent == own.meta.config.user_agent  # the fixed one, not botocore's own
        assert type(client._serializer).__name__ != "ParamValidationDecorator"
    assert made.meta.config.user_agent is not None


def _adapter_classes() -> list[type]:
    found = []
    for info in pkgutil.iter_modules(ponte.adapters.__path__):
        module = importlib.import_module(f"ponte.adapters.{info.name}")
        found += [c for _, c in inspect.getmembers(module, inspect.isclass) if c.__module__ == module.__name__]
    return found


@pytest.mark.parametrize("adapter", [c for c in _adapter_classes() if "client" in vars(c)], ids=lambda c: c.__name__)
def test_every_adapter_makes_its_client_with_the_one_helper(adapter: type) -> None:
    assert isinstance(vars(adapter)["client"], LazyClient)
