"""The staff API's routes as the console calls them: through the local stack's HTTP API, whose JWT authorizer checks
real tokens from the template's Cognito user pool (moto's), with the staff directory set in SSM.

One stack for the module: it starts on Thursday 26 November 2026 and runs the collections ladder to Tuesday
1 December 10:00 in São Paulo, when every request is made. Accounts whose invoice fell due on 9 November got their
final warning on 27/11 naming 30/11 and are suspended that morning; those due on 19 November are overdue, their
final warning (4/12) still ahead. The accounts are shared: what each test asserts holds whatever ran before it.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from infra.local import LocalStack
from ponte.adapters.dynamodb import DynamoStore
from ponte.adapters.keys import account_pk
from ponte.domain.accounts import Contact, next_version
from ponte.domain.changes import AccountChange
from ponte.domain.ledger import InvoiceRecord
from ponte.services.accounts import OpenAccount, opening_change
from tests.collections_support import invoice, local
from tests.integration.conftest import BUSINESS, SUBSCRIBERS
from tests.staff_support import directory_document, person

# The staff API counts its actions; a read publishes no metric, and Powertools warns about it.
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

START = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)  # 08:00 in São Paulo
NOW = local(date(2026, 12, 1), 10)
SUSPENDED_DUE = date(2026, 11, 9)
OVERDUE_DUE = date(2026, 11, 19)
PASSWORD = "Ponte-local-2026"  # a user of the embedded AWS

# Who signs in: e-mail (the pool's user name), name, groups. Ana works sales and collections, so she sees the
# accounts of the sales team's people (Ana, Bia, Caio, Carla) and of collections' (Carla); Bia is sales only;
# Bruno works the back office's accounts (his own); Davi is in no group and owns one account; Carla is the admin.
STAFF = {
    "carla": ("carla@equipe.example", "Carla Mendes", ["admin"]),
    "ana": ("ana@equipe.example", "Ana Souza", ["sales", "collections"]),
    "bia": ("bia@equipe.example", "Bia Ramos", ["sales"]),
    "bruno": ("bruno@equipe.example", "Bruno Lima", ["backoffice"]),
    "davi": ("davi@equipe.example", "Davi Rocha", []),
}

# account id: (name, owner, invoices (key, due, amount in centavos))
ACCOUNTS: dict[str, tuple[str, str, tuple[tuple[str, date, int], ...]]] = {
    "estrela": ("Padaria Estrela", "ana", (("NF-1", SUSPENDED_DUE, 150_000),)),
    "bompao": ("Padaria Bom Pão", "bruno", (("NF-1", SUSPENDED_DUE, 150_000),)),
    "aurora": ("Loja Aurora", "ana", (("NF-1", SUSPENDED_DUE, 150_000), ("NF-2", OVERDUE_DUE, 20_000))),
    "mercado": ("Mercado São José", "ana", (("NF-1", OVERDUE_DUE, 80_000), ("NF-2", OVERDUE_DUE, 40_000))),
    "feira": ("Feira Livre Sol", "ana", (("NF-1", OVERDUE_DUE, 90_000),)),
    "bazar": ("Bazar do Davi", "davi", ()),
    "quitanda": ("Quitanda Verde", "ana", ()),
}


@dataclass(frozen=True)
class Person:
    token: str
    name: str

    @property
    def subject(self) -> str:
        return str(claims_of(self.token)["sub"])


class Staff:
    """The stack and its signed-in staff, making requests as the console does."""

    def __init__(self, stack: LocalStack, people: dict[str, Person]) -> None:
        self.stack = stack
        self.people = people
        self.store = DynamoStore(stack.physical_id("Table"))

    def __getitem__(self, who: str) -> Person:
        return self.people[who]

    def call(
        self, method: str, path: str, who: str | None, body: dict[str, Any] | None = None, *, token: str | None = None
    ) -> tuple[int, Any]:
        headers = {"content-type": "application/json"}
        token = token or (self.people[who].token if who else None)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        status, _, raw = self.stack.http(
            method, path, headers=headers, body=json.dumps(body) if body is not None else b""
        )
        return status, json.loads(raw)

    def view(self, account_id: str, who: str = "carla") -> dict[str, Any]:
        status, view = self.call("GET", f"/staff/accounts/{account_id}", who)
        assert status == 200, view
        return dict(view)

    def act(self, who: str, account_id: str, action: str, body: dict[str, Any], *, version: int | None = None) -> Any:
        seen = self.version(account_id) if version is None else version
        path = f"/staff/accounts/{account_id}/actions/{action}"
        return self.call("POST", path, who, {"expected_version": seen, **body})

    def version(self, account_id: str) -> int:
        ledger = self.store.load_ledger(account_id)
        assert ledger is not None
        return ledger.account.version

    def partition(self, account_id: str) -> list[dict[str, Any]]:
        """Every item of the account's partition, as the table holds it: to show that a refusal wrote nothing."""
        answer = self.stack.client("dynamodb").query(
            TableName=self.stack.physical_id("Table"),
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": account_pk(account_id)}},
            ConsistentRead=True,
        )
        return list(answer["Items"])


def claims_of(token: str) -> dict[str, Any]:
    """A token's claims, read without checking it (the stack's authorizer does that)."""
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def sign_in(stack: LocalStack, email: str, name: str | None, groups: list[str], *, client: str | None = None) -> str:
    """Create the user as an admin does (README), with their name if given, and sign in with USER_PASSWORD_AUTH;
    the ID token."""
    cognito = stack.client("cognito-idp")
    pool = stack.physical_id("StaffUserPool")
    attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
    try:
        cognito.admin_create_user(
            UserPoolId=pool,
            Username=email,
            MessageAction="SUPPRESS",
            UserAttributes=attributes + ([{"Name": "name", "Value": name}] if name else []),
        )
        cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=PASSWORD, Permanent=True)
        for group in groups:
            cognito.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName=group)
    except cognito.exceptions.UsernameExistsException:
        pass
    answer = cognito.initiate_auth(
        ClientId=client or stack.physical_id("StaffConsoleClient"),
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )
    return str(answer["AuthenticationResult"]["IdToken"])


def open_account(stack: LocalStack, account_id: str, name: str, owner: str, *invoices: InvoiceRecord) -> None:
    """Open the account with its owner, claim its e-mail, and record its invoices, due for evaluation."""
    store = DynamoStore(stack.physical_id("Table"))
    email = f"joao@{account_id}.example"
    contact = Contact(name="João Silva", email=email, phone="+5511988887777")
    opening = opening_change(
        OpenAccount(account_id=account_id, name=name, locale="pt-BR", contact=contact, owner=owner),
        now=stack.now,
        staff_locale="pt-BR",
        source="test",
    )
    store.commit(opening)
    references = (("email", email),)
    updated = next_version(opening.account, next_evaluation_at=stack.now, references=references)
    store.commit(
        AccountChange(
            account=updated, recorded_at=stack.now, expected_version=0, invoices=invoices, references=references
        )
    )


@pytest.fixture(scope="module")
def staff() -> Iterator[Staff]:
    document = directory_document()
    document["people"].append(person("davi", "Davi Rocha", teams=[]))
    documents = {**BUSINESS, "StaffDirectoryParameter": json.dumps(document)}
    with LocalStack(now=START, parameters=SUBSCRIBERS, documents=documents) as stack:
        for account_id, (name, owner, invoices) in ACCOUNTS.items():
            records = (invoice(key, due, amount) for key, due, amount in invoices)
            open_account(stack, account_id, name, owner, *records)
        stack.advance_to(NOW)
        people = {
            who: Person(sign_in(stack, email, name, groups), name) for who, (email, name, groups) in STAFF.items()
        }
        yield Staff(stack, people)


def test_the_ladder_left_the_accounts_as_the_tests_need_them(staff: Staff) -> None:
    statuses = {account_id: staff.view(account_id)["status"] for account_id in ACCOUNTS}
    assert statuses == {
        "estrela": "suspended",
        "bompao": "suspended",
        "aurora": "suspended",
        "mercado": "overdue",
        "feira": "overdue",
        "bazar": "active",
        "quitanda": "active",
    }
    claims = claims_of(staff["ana"].token)
    assert (claims["name"], claims["email"], claims["email_verified"]) == ("Ana Souza", "ana@equipe.example", "true")


# Every action, with its input and the effect it has on the account's view, then a refusal: an input that breaks one
# of the action's rules, answered 400 naming the field, and nothing written.

Body = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Case:
    action: str
    account: str
    who: str
    body: Body
    effect: Callable[[dict[str, Any]], None]
    facts: Body  # what the history entry records besides who
    refusal: dict[str, Any]
    field: str
    refused_on: str | None = None  # another account, when the refusal needs another state

    def __str__(self) -> str:
        return self.action


def _only(items: list[dict[str, Any]], **wanted: Any) -> dict[str, Any]:
    [found] = [item for item in items if item.items() >= wanted.items()]
    return found


def _promised(view: dict[str, Any]) -> None:
    hold = _only(view["holds"], kind="promise_to_pay")
    assert (hold["until"], hold["amount"], hold["active"]) == (
        "2026-12-10",
        {"amount": 50_000, "currency": "BRL"},
        True,
    )
    assert hold["set_by_name"] == "Ana Souza"
    assert view["status"] == "overdue" and min(step["on"] for step in view["plan"]["steps"]) == "2026-12-11"


def _disputed(view: dict[str, Any]) -> None:
    held = {i["invoice_key"]: i["held_until"] for i in view["invoices"]}
    assert held == {"NF-1": None, "NF-2": "2026-12-15"}
    assert _only(view["holds"], kind="dispute")["invoice_key"] == "NF-2"


def _extended(view: dict[str, Any]) -> None:
    hold = _only(view["holds"], kind="extension")
    assert (hold["days"], hold["until"], hold["set_by_name"]) == (3, "2026-12-15", "Ana Souza")
    suspension = _only(view["plan"]["steps"], kind="suspend")
    assert suspension["on"] == "2026-12-16"  # was 11/12: the deadline moved from 10/12 to 15/12


def _exempted(view: dict[str, Any]) -> None:
    hold = _only(view["holds"], kind="exemption")
    assert (hold["until"], hold["active"], hold["set_by_name"]) == ("2026-12-20", True, "Carla Mendes")
    assert view["status"] == "overdue"  # reactivated at once
    # No suspension ahead: the ladder looks again when the exemption is over.
    assert [step["kind"] for step in view["plan"]["steps"]] == ["hand_off"]
    assert view["plan"]["next_evaluation_at"] == "2026-12-21T03:00:00Z"


def _reactivated(view: dict[str, Any]) -> None:
    assert view["status"] == "overdue"
    # A fresh final warning goes out at once, and only its deadline may bring another suspension.
    warning = view["notices"][0]
    assert (warning["step_id"], warning["sent_at"], warning["deadline"]) == (
        "final-warning",
        "2026-12-01T13:00:00Z",
        "2026-12-04",
    )
    assert _only(view["plan"]["steps"], kind="suspend")["on"] == "2026-12-07"  # the business day after Friday 4/12


def _paid_offline(view: dict[str, Any]) -> None:
    payment = _only(view["payments"], provider="offline")
    assert (payment["amount"], payment["method"], payment["invoice_key"]) == (
        {"amount": 150_000, "currency": "BRL"},
        "pix",
        "NF-1",
    )
    assert _only(view["invoices"], invoice_key="NF-1")["status"] == "paid"


def _written_off(view: dict[str, Any]) -> None:
    written = _only(view["invoices"], invoice_key="NF-2")
    assert (written["status"], written["written_off"]) == ("written_off", {"amount": 20_000, "currency": "BRL"})


def _contact_corrected(view: dict[str, Any]) -> None:
    assert view["contact"]["email"] == "c***@quitanda.example"


def _handed_over(view: dict[str, Any]) -> None:
    assert view["owner"] == "caio"


def _noted(view: dict[str, Any]) -> None:
    assert view["timeline"][0]["why"] == "pediu a segunda via do boleto"


def _acknowledged(view: dict[str, Any]) -> None:
    suspended = _only(view["alerts"], event_type="account.suspended")
    assert suspended["acknowledged"]["by_name"] == "Carla Mendes"
    assert suspended["acknowledged"]["reason"] == "acknowledge: o teste"


def _suspension_alert(view: dict[str, Any]) -> dict[str, Any]:
    return {"notification_id": _only(view["alerts"], event_type="account.suspended")["notification_id"]}


def _payment_facts(view: dict[str, Any]) -> dict[str, Any]:
    payment = f"v{view['version'] + 1}"  # no reference given: named by the version it is recorded in
    return {"amount": "1500.00 BRL", "method": "pix", "payment": payment, "invoice": "NF-1"}


REASON = {"reason": "o cliente ligou"}
CASES = [
    Case(
        "promise_to_pay",
        "mercado",
        "ana",
        {"until": "2026-12-10", "amount": {"amount": 50_000, "currency": "BRL"}},
        _promised,
        {"until": "2026-12-10", "amount": "500.00 BRL"},
        {**REASON, "until": "2026-11-30"},  # yesterday
        "until",
    ),
    Case(
        "dispute",
        "mercado",
        "ana",
        {"invoice_key": "NF-2", "until": "2026-12-15"},
        _disputed,
        {"invoice": "NF-2", "until": "2026-12-15"},
        {**REASON, "invoice_key": "NF-9", "until": "2026-12-15"},  # no such invoice
        "invoice_key",
    ),
    Case(
        "extend",
        "feira",
        "ana",
        {"days": 3},
        _extended,
        {"days": 3, "deadline_was": "2026-12-10", "deadline": "2026-12-15"},
        {**REASON, "days": 11},  # the policy allows 10 business days
        "days",
    ),
    Case(
        "exempt",
        "bompao",
        "carla",
        {"until": "2026-12-20"},
        _exempted,
        {"until": "2026-12-20"},
        {**REASON, "until": "2027-12-31"},  # a hold ends within a year
        "until",
    ),
    Case(
        "reactivate",
        "estrela",
        "ana",
        {},
        _reactivated,
        {},
        REASON,
        "status",
        refused_on="mercado",  # not suspended
    ),
    Case(
        "offline_payment",
        "aurora",
        "ana",
        {
            "amount": {"amount": 150_000, "currency": "BRL"},
            "received_on": "2026-12-01",
            "method": "pix",
            "invoice_key": "NF-1",
        },
        _paid_offline,
        _payment_facts,
        {**REASON, "amount": {"amount": 150_000, "currency": "USD"}, "received_on": "2026-12-01"},
        "amount.currency",
    ),
    Case(
        "write_off",
        "aurora",
        "carla",
        {"invoice_key": "NF-2"},
        _written_off,
        {"invoice": "NF-2", "amount": "200.00 BRL"},
        {**REASON, "invoice_key": "NF-9"},
        "invoice_key",
    ),
    Case(
        "contact",
        "quitanda",
        "ana",
        {"email": "Compras@Quitanda.example"},
        _contact_corrected,
        {"changed": "email"},
        {**REASON, "phone": "11 98888-7777"},  # not E.164
        "phone",
    ),
    Case(
        "owner",
        "quitanda",
        "carla",
        {"owner": "caio"},
        _handed_over,
        {"owner": "caio", "previous_owner": "ana"},
        {**REASON, "owner": "zeca"},  # nobody in the staff directory
        "owner",
    ),
    Case(
        "note",
        "quitanda",
        "ana",
        {"reason": "pediu a segunda via do boleto"},
        _noted,
        {},
        {},  # the note is the reason
        "reason",
    ),
    Case(
        "acknowledge",
        "aurora",
        "carla",
        _suspension_alert,
        _acknowledged,
        _suspension_alert,
        {**REASON, "notification_id": "no-such-alert"},
        "notification_id",
    ),
]


def _given(body: Body, view: dict[str, Any]) -> dict[str, Any]:
    return body(view) if callable(body) else body


@pytest.mark.parametrize("case", CASES, ids=str)
def test_an_action_that_breaks_a_rule_is_400_naming_the_field_and_writes_nothing(staff: Staff, case: Case) -> None:
    account = case.refused_on or case.account
    before = staff.partition(account)

    status, answer = staff.act(case.who, account, case.action, case.refusal)

    assert (status, answer["field"]) == (400, case.field), answer
    assert answer["error"].startswith(f"{case.field}: ")
    assert staff.partition(account) == before


@pytest.mark.parametrize("case", CASES, ids=str)
def test_an_action_takes_effect_at_once_and_the_history_names_who_did_it(staff: Staff, case: Case) -> None:
    before = staff.view(case.account, case.who)
    reason = f"{case.action}: o teste"
    body = {"reason": reason, **_given(case.body, before)}

    status, view = staff.act(case.who, case.account, case.action, body, version=before["version"])

    assert status == 200, view
    assert view["version"] == before["version"] + 1
    case.effect(view)
    actor = staff[case.who]
    [entry] = [e for e in view["timeline"] if e["what"] == f"staff.{case.action}" and e["why"] == body["reason"]]
    assert entry["facts"] == {"by": actor.subject, "by_name": actor.name, **_given(case.facts, before)}
    assert (datetime.fromisoformat(entry["at"]), entry["source"]) == (NOW, f"staff:{actor.subject}")


@pytest.mark.parametrize(
    ("who", "action", "account", "body", "needs"),
    [
        pytest.param("bia", "reactivate", "estrela", {}, "admin, collections", id="sales reactivating"),
        pytest.param("bia", "exempt", "estrela", {"until": "2026-12-20"}, "admin, collections", id="sales exempting"),
        pytest.param(
            "ana", "write_off", "aurora", {"invoice_key": "NF-2"}, "admin, finance", id="collections writing off"
        ),
        pytest.param("ana", "owner", "quitanda", {"owner": "bia"}, "admin", id="sales reassigning"),
    ],
)
def test_an_action_the_callers_groups_do_not_allow_is_403_and_writes_nothing(
    staff: Staff, *, who: str, action: str, account: str, body: dict[str, Any], needs: str
) -> None:
    before = staff.partition(account)

    status, answer = staff.act(who, account, action, {**REASON, **body})

    assert (status, answer) == (403, {"error": f"{action} needs one of the groups {needs}"})
    assert staff.partition(account) == before


def test_an_action_on_a_version_someone_else_moved_on_is_409_with_the_account_as_it_is_now(staff: Staff) -> None:
    seen = staff.version("bazar")
    assert staff.act("carla", "bazar", "note", {"reason": "primeira nota"}, version=seen)[0] == 200

    status, answer = staff.act("carla", "bazar", "note", {"reason": "segunda nota"}, version=seen)

    assert status == 409 and answer["error"] == "the account changed since you saw it"
    current = answer["view"]
    assert (current["account_id"], current["version"]) == ("bazar", seen + 1)
    assert [e["why"] for e in current["timeline"] if e["what"] == "staff.note"] == ["primeira nota"]
    assert staff.version("bazar") == seen + 1


def test_revealing_a_contact_answers_it_whole_and_the_history_names_who_saw_it(staff: Staff) -> None:
    version = staff.version("feira")

    status, contact = staff.call("POST", "/staff/accounts/feira/contact/reveal", "ana", {"reason": "negociar"})

    assert (status, contact) == (
        200,
        {"name": "João Silva", "email": "joao@feira.example", "phone": "+5511988887777", "tax_id": None},
    )
    status, page = staff.call("GET", "/staff/accounts/feira/timeline?limit=1", "carla")
    assert status == 200 and page["cursor"] is not None
    [entry] = page["timeline"]
    assert (entry["what"], entry["why"]) == ("contact.revealed", "negociar")
    assert entry["facts"] == {"by": staff["ana"].subject, "by_name": "Ana Souza"}
    assert staff.version("feira") == version  # an audit entry, not a change to the account


# Tokens API Gateway must refuse. Moto signs every token with its one key and stamps it with the real clock, so an
# expired token is one it issued two hours ago; another client's token is one from a second app client of the pool.


@pytest.fixture(scope="module")
def refused_tokens(staff: Staff) -> dict[str, str]:
    from moto.cognitoidp import models as cognito  # the emulator's own clock

    stack = staff.stack
    email, name, groups = STAFF["carla"]
    two_hours_ago = time.time() - 2 * 3600
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cognito, "time", SimpleNamespace(time=lambda: two_hours_ago))
        expired = sign_in(stack, email, name, groups)
    other = stack.client("cognito-idp").create_user_pool_client(
        UserPoolId=stack.physical_id("StaffUserPool"),
        ClientName="another-app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    header, _, signature = staff["bia"].token.split(".")
    promoted = claims_of(staff["bia"].token) | {"cognito:groups": ["admin"]}
    payload = base64.urlsafe_b64encode(json.dumps(promoted).encode()).decode().rstrip("=")
    tokens = {
        "expired": expired,
        "another client": sign_in(stack, email, name, groups, client=other),
        "tampered": f"{header}.{payload}.{signature}",  # Bia's token, made to say she is an admin
        "garbage": "not-a-token",
    }
    good = claims_of(staff["carla"].token)
    assert claims_of(tokens["expired"])["exp"] < time.time() < good["exp"]
    assert claims_of(tokens["another client"])["aud"] == other != good["aud"]
    return tokens


@pytest.mark.parametrize("kind", ["none", "expired", "another client", "tampered", "garbage"])
def test_a_request_without_a_valid_token_for_the_console_is_401_before_the_function(
    staff: Staff, refused_tokens: dict[str, str], kind: str
) -> None:
    token = refused_tokens.get(kind)
    before = staff.partition("estrela")

    answers = [
        staff.call("GET", "/staff/accounts/estrela", None, token=token),
        staff.call("GET", "/staff/book", None, token=token),
        staff.call("POST", "/staff/accounts/estrela/contact/reveal", None, {"reason": "curioso"}, token=token),
        staff.call(
            "POST", "/staff/accounts/estrela/actions/note", None, {**REASON, "expected_version": 1}, token=token
        ),
    ]

    assert answers == [(401, {"message": "Unauthorized"})] * 4
    assert staff.partition("estrela") == before  # not even the reveal's audit entry


# Who sees what: Davi is in no group, so he sees his own accounts only; Bruno, the back office's; Carla, everyone's.


def _ids(answer: tuple[int, Any]) -> list[str]:
    status, body = answer
    assert status == 200, body
    return [a["account_id"] for a in body["accounts"]]


def test_a_staff_member_does_not_see_another_owners_account_anywhere(staff: Staff) -> None:
    assert _ids(staff.call("GET", "/staff/accounts?q=pada", "davi")) == []
    assert _ids(staff.call("GET", "/staff/accounts?q=joao@estrela.example", "davi")) == []
    assert _ids(staff.call("GET", "/staff/book", "davi")) == []
    for method, path in [
        ("GET", "/staff/accounts/estrela"),
        ("GET", "/staff/accounts/estrela/timeline"),
        ("POST", "/staff/accounts/estrela/contact/reveal"),
    ]:
        assert staff.call(method, path, "davi", {}) == (404, {"error": "no account 'estrela'"}), path
    before = staff.partition("estrela")
    assert staff.act("davi", "estrela", "note", REASON) == (404, {"error": "no account 'estrela'"})
    assert staff.partition("estrela") == before

    assert _ids(staff.call("GET", "/staff/accounts?q=pada", "bruno")) == ["bompao"]
    assert _ids(staff.call("GET", "/staff/book", "bruno")) == ["bompao"]
    assert staff.call("GET", "/staff/book?owner=ana", "bruno") == (
        403,
        {"error": "you may not see that owner's accounts"},
    )
    assert staff.call("GET", "/staff/accounts/estrela", "bruno")[0] == 404
    assert staff.view("bompao", "bruno")["owner"] == "bruno"

    assert "bompao" not in _ids(staff.call("GET", "/staff/book", "ana"))
    assert staff.call("GET", "/staff/accounts/bompao", "ana")[0] == 404


def test_an_admin_sees_every_account(staff: Staff) -> None:
    assert _ids(staff.call("GET", "/staff/accounts?q=pada", "carla")) == ["bompao", "estrela"]
    assert _ids(staff.call("GET", "/staff/accounts?q=bazar", "carla")) == ["bazar"]
    book = {line["account_id"]: line for line in staff.call("GET", "/staff/book", "carla")[1]["accounts"]}
    assert {"estrela", "bompao", "mercado", "feira"} <= set(book)
    assert (book["mercado"]["owner"], book["mercado"]["overdue_since"]) == ("ana", "2026-11-19")
    assert {"bazar", "quitanda"}.isdisjoint(book)  # they owe nothing
    assert staff.view("bazar", "carla")["owner"] == "davi"
    assert staff.view("bompao", "carla")["name"] == "Padaria Bom Pão"


def test_a_staff_member_sees_the_accounts_they_own(staff: Staff) -> None:
    # Cognito knows Davi by a generated id; the directory knows him by his verified e-mail as `davi`, the owner.
    assert claims_of(staff["davi"].token)["cognito:username"] != "davi"

    assert staff.view("bazar", "davi")["owner"] == "davi"
    assert _ids(staff.call("GET", "/staff/accounts?q=bazar", "davi")) == ["bazar"]
    assert _ids(staff.call("GET", "/staff/accounts?q=joao@bazar.example", "davi")) == ["bazar"]


def test_a_staff_member_created_as_the_readme_shows_is_named_in_the_history(staff: Staff) -> None:
    token = sign_in(staff.stack, "caio@equipe.example", None, ["sales"])  # e-mail and email_verified only
    assert "name" not in claims_of(token)
    body = {"expected_version": staff.version("feira"), "reason": "caio: ligar amanhã"}

    status, view = staff.call("POST", "/staff/accounts/feira/actions/note", None, body, token=token)

    assert status == 200, view
    [entry] = [e for e in view["timeline"] if e["why"] == "caio: ligar amanhã"]
    assert entry["facts"]["by_name"] == "Caio Prado"
