"""The staff directory in SSM and the round robin's counters in the table, on the embedded AWS; and the functions
that open accounts using both (the parameter is not in the template yet: each test creates it)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from infra.local import LocalStack
from infra.local.signing import stripe_headers
from infra.local.template import load_template
from ponte.adapters.documents import DirectoryStore
from ponte.adapters.dynamodb import DynamoStore
from ponte.adapters.owner_rotation import RotationCounters
from ponte.domain.errors import InvalidInput
from ponte.domain.identity import new_account_id
from ponte.domain.staff import DirectoryNotConfigured, default_staff_text
from ponte.services.owners import OwnerRotation
from tests.integration.test_payment_webhook import STRIPE, payment_event
from tests.memory_store import MemoryRotation
from tests.staff_support import directory_document, person
from tests.support import ROOT, T0, Stacks

if TYPE_CHECKING:
    from mypy_boto3_ssm.client import SSMClient

NAME = "/ponte/test/staff-directory"


def _directory(**changes: Any) -> str:
    return json.dumps(directory_document(**changes))


@pytest.fixture
def ssm() -> Iterator[SSMClient]:
    """The parameter as the template will deploy it: the not-configured default, version 1."""
    with mock_aws():
        client: SSMClient = boto3.client("ssm", region_name="us-east-1")
        client.put_parameter(Name=NAME, Value=default_staff_text(), Type="String")
        yield client


def _edit(ssm: SSMClient, text: str) -> None:
    ssm.put_parameter(Name=NAME, Value=text, Type="String", Overwrite=True)


# ------------------------------------------------------------------ the directory


def test_until_the_directory_is_set_up_there_is_none_in_use(ssm: SSMClient) -> None:
    store = DirectoryStore(NAME, ssm)

    assert store.in_use() is None
    with pytest.raises(DirectoryNotConfigured, match="not set up yet"):
        store.current()


def test_a_valid_directory_is_in_force(ssm: SSMClient) -> None:
    _edit(ssm, _directory())

    in_force = DirectoryStore(NAME, ssm).current()

    assert [p.id for p in in_force.directory.people] == ["ana", "bia", "caio", "bruno", "carla"]
    assert in_force.parameter_version == 2 and in_force.refused_version is None


def test_a_refused_edit_keeps_the_last_valid_directory_and_says_why(ssm: SSMClient) -> None:
    _edit(ssm, _directory())
    _edit(ssm, _directory(admins=["zeca"]))

    in_force = DirectoryStore(NAME, ssm).current()  # a cold container: nothing cached

    assert in_force.parameter_version == 2 and in_force.refused_version == 3
    assert in_force.refused_because is not None and "admin 'zeca' is not in people" in in_force.refused_because
    assert DirectoryStore(NAME, ssm).in_use() == in_force.directory


def test_a_broken_first_edit_is_invalid_not_unset(ssm: SSMClient) -> None:
    _edit(ssm, _directory(people=[person("ana", "Ana", phone="11 4444-3333")], admins=["ana"]))

    with pytest.raises(InvalidInput, match=r"no version of .* up to version 2 is valid") as refused:
        DirectoryStore(NAME, ssm).in_use()

    assert not isinstance(refused.value, DirectoryNotConfigured)
    assert "phone: must be in E.164 form" in str(refused.value) and "4444" not in str(refused.value)


def test_the_directory_is_read_once_per_cache_period(ssm: SSMClient) -> None:
    _edit(ssm, _directory())
    clock = [0.0]
    store = DirectoryStore(NAME, ssm, max_age_seconds=300, monotonic=lambda: clock[0])
    assert store.in_use() is not None

    _edit(ssm, _directory(admins=["ana"]))
    clock[0] = 299
    assert store.in_use().admins == ("carla",)  # type: ignore[union-attr]
    clock[0] = 301
    assert store.in_use().admins == ("ana",)  # type: ignore[union-attr]


# ------------------------------------------------------------------ the rotation's counters: one contract, two ports


@pytest.fixture(params=["table", "memory"])
def rotation(request: pytest.FixtureRequest, stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> OwnerRotation:
    if request.param == "memory":
        return MemoryRotation()
    # DynamoDB applies an item's updates one at a time; moto reads and writes the item unlocked, so two threads'
    # ADDs can read the same value. One lock gives moto the atomicity the real service has (see conftest).
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.Lock()
    original = DynamoDBBackend.update_item

    def atomic(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return original(self, *args, **kwargs)

    monkeypatch.setattr(DynamoDBBackend, "update_item", atomic)
    counters = RotationCounters(stack.physical_id("Table"))
    assert counters.client is not None  # built once here: boto3 does not build clients safely from several threads
    return counters


def test_a_teams_turns_count_from_one(rotation: OwnerRotation) -> None:
    assert [rotation.next_turn("sales") for _ in range(3)] == [1, 2, 3]


def test_each_team_has_its_own_turns(rotation: OwnerRotation) -> None:
    rotation.next_turn("sales")
    rotation.next_turn("sales")

    assert (rotation.next_turn("backoffice"), rotation.next_turn("sales")) == (1, 3)


def test_concurrent_callers_never_take_the_same_turn(rotation: OwnerRotation) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        turns = list(pool.map(lambda _: rotation.next_turn("sales"), range(40)))

    # Never the same turn twice. A gap is possible (an ADD retried after its answer was lost counts twice, on
    # DynamoDB as on the emulator): the rotation stays fair, only not exact.
    assert len(set(turns)) == 40


def test_the_counter_is_one_item_the_notifier_and_the_sweep_ignore(stack: LocalStack) -> None:
    RotationCounters(stack.physical_id("Table")).next_turn("sales")
    RotationCounters(stack.physical_id("Table")).next_turn("sales")

    items = stack.client("dynamodb").scan(TableName=stack.physical_id("Table"))["Items"]
    assert items == [
        {
            "pk": {"S": "ROTATION#sales"},
            "sk": {"S": "ROTATION"},
            "kind": {"S": "rotation"},
            "team": {"S": "sales"},
            "turns": {"N": "2"},
        }
    ]
    stack.settle()
    assert stack.failures == [] and not any(stack.inbox("StaffAlertsTopic").values())


# ------------------------------------------------------------------ the functions that open accounts


@pytest.fixture
def directed(stacks: Stacks) -> Iterator[LocalStack]:
    """The local stack with the directory's parameter given to every function, as the template will."""
    with stacks(
        now=T0,
        parameters={"StaffAlertEmail": "vendas@example.com"},
        webhook_secrets={"stripe": STRIPE},
        environment={"STAFF_DIRECTORY_PARAMETER": NAME, "DEFAULT_ACCOUNT_OWNER": "vendas"},
    ) as local:
        local.client("ssm").put_parameter(Name=NAME, Value=_directory(), Type="String")
        yield local


def _timeline(stack: LocalStack, account_id: str) -> list[tuple[str, dict[str, Any]]]:
    return [(e.what, e.facts) for e in DynamoStore(stack.physical_id("Table")).timeline(account_id)]


def test_a_webhook_naming_an_unknown_owner_is_applied_and_the_account_goes_to_the_next_in_turn(
    directed: LocalStack,
) -> None:
    body = payment_event(owner="maria")
    status, _, answer = directed.http("POST", "/webhooks/stripe", headers=stripe_headers(body, STRIPE, T0), body=body)

    assert status == 200 and json.loads(answer)["account_id"] == "padaria-estrela"
    account = DynamoStore(directed.physical_id("Table")).get_account("padaria-estrela")
    assert account is not None and account.owner == "ana"
    timeline = _timeline(directed, "padaria-estrela")
    assert ("owner.refused", {"refused": "maria", "owner_from": "rule:round_robin:sales", "owner": "ana"}) in timeline
    (alert,) = directed.inbox("StaffAlertsTopic")["email:vendas@example.com"]
    assert alert.attributes["owner"] == "ana"


def test_an_upload_row_naming_an_unknown_owner_is_recorded_with_a_warning(directed: LocalStack) -> None:
    header = "Número;Parcela;Cliente;CNPJ/CPF;E-mail;Valor;Vencimento;Emissão;Vendedor"
    rows = "1001;1;Padaria Boa Vista;12.345.678/0001-95;fin@boavista.example;100,00;10/12/2026;01/11/2026;Fulano"
    directed.put_object("incoming/novembro.csv", f"{header}\n{rows}\n".encode())

    assert directed.failures == []
    padaria = new_account_id([("tax_id", "12345678000195")])
    account = DynamoStore(directed.physical_id("Table")).get_account(padaria)
    assert account is not None and account.owner == "bruno"
    body = directed.client("s3").get_object(
        Bucket=directed.physical_id("InvoicesBucket"), Key="processed/novembro.csv.report.json"
    )["Body"]
    report = json.loads(body.read())
    assert report["warnings"] == [
        {
            "line": 2,
            "message": "O responsável “Fulano” não é ninguém do diretório da equipe: a conta recebeu outro responsável",
            "code": "owner_refused",
            "reason": "owner 'Fulano' is not in the staff directory: the account goes to bruno, by the directory's "
            "rule (fixed)",
        }
    ]


def test_the_template_deploys_the_documented_default_to_the_functions_that_open_accounts() -> None:
    template = load_template(ROOT / "template.yaml")
    resources = template["Resources"]
    if "StaffDirectoryParameter" not in resources:
        pytest.skip("the template does not deploy StaffDirectoryParameter yet")
    value = resources["StaffDirectoryParameter"]["Properties"]["Value"]
    assert json.loads(value) == json.loads(default_staff_text())
    for function in ("PaymentWebhook", "InvoiceUpload"):
        variables = resources[function]["Properties"]["Environment"]["Variables"]
        assert variables["STAFF_DIRECTORY_PARAMETER"] == {"Ref": "StaffDirectoryParameter"}, function
