"""The staff API's handler on the local stack: HTTP API payload 2.0 events carrying the JWT authorizer's claims, sent
to `lambda_handler` directly with the environment the template gives the dunning worker (the function is not in the
template yet; route tests through `stack.http` come with it).

Padaria Estrela owes R$ 1.500,00 due on Monday 9 November 2026; the stack's schedules run the ladder as the days
pass (final warning on 24/11 naming 30/11, suspension on 1/12). The table gets the `search` index the template will
declare (`tests.staff_api_support.SEARCH_INDEX`), if it does not have it yet.
"""

from __future__ import annotations

import json
import threading
from datetime import date, datetime
from types import ModuleType
from typing import Any

import pytest

from infra.local import LocalStack
from infra.local.events import http_api_v2
from ponte.adapters.dynamodb import DynamoStore
from ponte.domain.accounts import Contact, next_version
from ponte.domain.changes import AccountChange
from ponte.domain.ledger import InvoiceRecord
from ponte.services.accounts import OpenAccount, opening_change
from tests.collections_support import invoice, local
from tests.staff_api_support import with_search_index
from tests.support import FakeContext, load_handler

DUE = date(2026, 11, 9)
ADMIN = {"sub": "sub-admin", "name": "Carla Admin", "cognito:username": "carla", "cognito:groups": "[admin]"}
ANA = {"sub": "sub-ana", "name": "Ana Souza", "cognito:username": "ana", "cognito:groups": "[collections]"}
BRUNO = {"sub": "sub-bruno", "name": "Bruno Lima", "cognito:username": "bruno", "cognito:groups": "[sales]"}


class Api:
    """The staff API's handler, called as API Gateway calls it after the JWT authorizer let the request through."""

    def __init__(self, stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
        self.stack = stack
        environment = {
            **stack.functions["DunningWorker"].environment,
            "POWERTOOLS_LOG_LEVEL": "WARNING",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_METRICS_NAMESPACE": "Ponte",
            "POWERTOOLS_SERVICE_NAME": "staff-api",
        }
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        self.handler: ModuleType = load_handler("staff_api")

    def __call__(
        self,
        method: str,
        path: str,
        claims: dict[str, str] | None,
        body: dict[str, Any] | None = None,
        *,
        at: datetime | None = None,
    ) -> tuple[int, Any]:
        path, _, query = path.partition("?")
        route, parameters = _route(method, path)
        event = http_api_v2(
            method=method,
            path=path,
            query=query,
            headers={"content-type": "application/json"},
            body=json.dumps(body).encode() if body is not None else b"",
            route_key=route,
            path_parameters=parameters,
            api_id="staffapi",
            region="us-east-1",
            account_id="123456789012",
            now=at or self.stack.now,
        )
        if claims is not None:
            event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
        answer = self.handler.lambda_handler(event, FakeContext())
        return answer["statusCode"], json.loads(answer["body"])

    def act(self, claims: dict[str, str], action: str, body: dict[str, Any], **kwargs: Any) -> tuple[int, Any]:
        version = kwargs.pop("version", None)
        if version is None:
            version = self("GET", "/staff/accounts/padaria", ADMIN)[1]["version"]
        payload = {"expected_version": version, "reason": "o cliente ligou", **body}
        return self("POST", f"/staff/accounts/padaria/actions/{action}", claims, payload, **kwargs)


def _route(method: str, path: str) -> tuple[str, dict[str, str]]:
    parts = path.strip("/").split("/")
    if len(parts) == 2:
        return f"{method} /{parts[0]}/{parts[1]}", {}
    parameters = {"account_id": parts[2]}
    if len(parts) == 3:
        return f"{method} /staff/accounts/{{account_id}}", parameters
    if parts[3] == "actions":
        return f"{method} /staff/accounts/{{account_id}}/actions/{{action}}", {**parameters, "action": parts[4]}
    return f"{method} /staff/accounts/{{account_id}}/{'/'.join(parts[3:])}", parameters


@pytest.fixture
def api(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> Api:
    with_search_index(stack)
    return Api(stack, monkeypatch)


def seed(
    stack: LocalStack,
    account_id: str,
    *invoices: InvoiceRecord,
    name: str = "Padaria Estrela",
    owner: str = "ana",
    tax_id: str | None = None,
) -> None:
    """Open the account, claim its e-mail (and tax id) as references, and record its invoices, due for evaluation."""
    store = DynamoStore(stack.physical_id("Table"))
    email = f"joao@{account_id.replace(':', '-').replace('@', '-')}.example"
    opening = opening_change(
        OpenAccount(
            account_id=account_id,
            name=name,
            locale="pt-BR",
            contact=Contact(name="João Silva", email=email, phone="+5511988887777"),
            owner=owner,
        ),
        now=stack.now,
        staff_locale="pt-BR",
        source="test",
    )
    store.commit(opening)
    references = (("email", email), *((("tax_id", tax_id),) if tax_id else ()))
    updated = next_version(opening.account, next_evaluation_at=stack.now, tax_id=tax_id, references=references)
    change = AccountChange(
        account=updated, recorded_at=stack.now, expected_version=0, invoices=invoices, references=references
    )
    store.commit(change)
    stack.settle()


def until(stack: LocalStack, day: date, hour: int = 9) -> None:
    stack.advance_to(local(day, hour))


def test_the_360_view_and_who_may_see_it(stack: LocalStack, api: Api) -> None:
    seed(stack, "padaria", invoice("NF-1", DUE), tax_id="12345678000195")
    until(stack, date(2026, 11, 25))

    status, view = api("GET", "/staff/accounts/padaria", ANA)

    assert status == 200
    assert (view["status"], view["owner"], view["contact"]["email"]) == ("overdue", "ana", "j***@padaria.example")
    warning = next(n for n in view["notices"] if n["step_id"] == "final-warning")
    assert warning["deadline"] == "2026-11-30" and set(warning["channels"].values()) == {"accepted"}
    assert (view["plan"]["steps"][0]["kind"], view["plan"]["steps"][0]["on"]) == ("suspend", "2026-12-01")
    assert view["invoices"][0]["installments"][0]["late_fee"] == {"amount": 3000, "currency": "BRL"}
    assert api("GET", "/staff/accounts/padaria", BRUNO)[0] == 404  # sales does not see ana's accounts
    assert api("GET", "/staff/accounts/nobody", ADMIN)[0] == 404
    assert api("GET", "/staff/accounts/padaria", None)[0] == 401
    assert api("GET", "/staff/accounts/padaria", {"sub": "x"})[0] == 401


def test_an_account_id_with_a_reserved_character_is_found_percent_encoded(stack: LocalStack, api: Api) -> None:
    seed(stack, "loja:42@centro", invoice("NF-7", DUE))

    status, view = api("GET", "/staff/accounts/loja%3A42%40centro", ADMIN)

    assert (status, view["account_id"]) == (200, "loja:42@centro")


def test_a_promise_moves_the_plan_and_a_stale_or_invalid_one_writes_nothing(stack: LocalStack, api: Api) -> None:
    seed(stack, "padaria", invoice("NF-1", DUE))
    until(stack, date(2026, 11, 25), 10)
    version = api("GET", "/staff/accounts/padaria", ANA)[1]["version"]

    bad, refusal = api.act(ANA, "promise_to_pay", {"until": "2026-11-20"})
    assert (bad, refusal["field"]) == (400, "until")
    assert api.act(ANA, "promise_to_pay", {"until": "2026-12-04", "amount": {"amount": 10, "currency": "USD"}}) == (
        400,
        {"error": "amount.currency: the account owes nothing in USD", "field": "amount.currency"},
    )

    status, view = api.act(ANA, "promise_to_pay", {"until": "2026-12-04"})

    assert status == 200 and view["version"] == version + 1
    assert [(s["kind"], s["on"]) for s in view["plan"]["steps"]][:2] == [
        ("final_warning", "2026-12-05"),
        ("suspend", "2026-12-09"),
    ]
    assert view["timeline"][0]["what"] == "staff.promise_to_pay"
    assert view["timeline"][0]["facts"] == {"by": "sub-ana", "by_name": "Ana Souza", "until": "2026-12-04"}
    conflict, current = api.act(ANA, "note", {}, version=version)
    assert conflict == 409 and current["view"]["version"] == version + 1


def test_reactivating_by_hand_takes_effect_at_once(stack: LocalStack, api: Api) -> None:
    seed(stack, "padaria", invoice("NF-1", DUE))
    until(stack, date(2026, 12, 1), 10)
    assert api("GET", "/staff/accounts/padaria", ANA)[1]["status"] == "suspended"
    before = len(stack.published("CustomerNoticesTopic"))

    assert api.act(BRUNO, "reactivate", {})[0] == 403  # sales may not reactivate
    assert api.act(ANA, "reactivate", {})[0] == 200
    stack.settle()

    view = api("GET", "/staff/accounts/padaria", ANA)[1]
    assert view["status"] == "overdue"
    told = [d.attributes["event_type"] for d in stack.published("CustomerNoticesTopic")[before:]]
    assert "customer.reactivated" in told and "customer.final_warning" in told
    assert [e["detail-type"] for e in stack.platform_events()][-1:] == ["account.reactivated"]


def test_an_action_a_group_does_not_allow_is_403(stack: LocalStack, api: Api) -> None:
    seed(stack, "padaria", invoice("NF-1", DUE))
    until(stack, date(2026, 12, 1), 10)

    status, body = api.act(ANA, "write_off", {"invoice_key": "NF-1"})

    assert status == 403 and "finance" in body["error"]
    assert api.act(ANA, "launch", {})[0] == 404
    assert api("POST", "/staff/accounts/padaria/actions/note", ANA, None)[0] == 400  # no body


def test_write_off_and_offline_payment_and_acknowledgement(stack: LocalStack, api: Api) -> None:
    seed(stack, "padaria", invoice("NF-1", DUE), invoice("NF-2", date(2026, 11, 10), 20_000))
    until(stack, date(2026, 12, 1), 10)
    view = api("GET", "/staff/accounts/padaria", ADMIN)[1]
    [alert] = [a for a in view["alerts"] if a["event_type"] == "account.suspended"]

    assert api.act(ADMIN, "acknowledge", {"notification_id": alert["notification_id"]})[0] == 200
    assert api.act(ADMIN, "write_off", {"invoice_key": "NF-2"})[0] == 200
    status, view = api.act(
        ADMIN,
        "offline_payment",
        {"amount": {"amount": 150_000, "currency": "BRL"}, "received_on": "2026-12-01", "method": "boleto"},
    )

    assert status == 200 and view["status"] == "active"
    assert {i["invoice_key"]: i["status"] for i in view["invoices"]} == {"NF-1": "paid", "NF-2": "written_off"}
    assert view["payments"][0]["provider"] == "offline"
    [seen] = [a for a in view["alerts"] if a["notification_id"] == alert["notification_id"]]
    assert seen["acknowledged"]["by_name"] == "Carla Admin"
    again = api.act(ADMIN, "acknowledge", {"notification_id": alert["notification_id"]})
    assert again[0] == 400 and again[1]["field"] == "notification_id"


def test_revealing_a_contact_is_audited_without_moving_the_version(stack: LocalStack, api: Api) -> None:
    seed(stack, "padaria", invoice("NF-1", DUE))
    until(stack, date(2026, 11, 12))
    version = api("GET", "/staff/accounts/padaria", ANA)[1]["version"]

    status, contact = api("POST", "/staff/accounts/padaria/contact/reveal", ANA, {"reason": "negociar"})

    assert status == 200 and contact["email"] == "joao@padaria.example"
    page = api("GET", "/staff/accounts/padaria/timeline?limit=1", ADMIN)[1]
    assert page["timeline"][0]["what"] == "contact.revealed"
    assert page["timeline"][0]["facts"] == {"by": "sub-ana", "by_name": "Ana Souza"}
    assert page["cursor"] is not None
    older = api("GET", f"/staff/accounts/padaria/timeline?limit=50&cursor={page['cursor']}", ADMIN)[1]
    assert older["timeline"][0]["what"] != "contact.revealed"
    assert api("GET", "/staff/accounts/padaria/timeline?cursor=bogus", ADMIN)[0] == 400
    assert api("GET", "/staff/accounts/padaria", ANA)[1]["version"] == version
    assert api("POST", "/staff/accounts/padaria/contact/reveal", BRUNO, {})[0] == 404


def test_search_and_the_overdue_book(stack: LocalStack, api: Api) -> None:
    seed(stack, "padaria", invoice("NF-1", DUE), tax_id="12345678000195")
    seed(stack, "central", invoice("X", DUE), name="Padaria Central", owner="bruno")
    seed(stack, "mercado", invoice("Y", date(2026, 11, 25)), name="Mercado São José", owner="caio")
    until(stack, date(2026, 12, 1), 10)

    def ids(answer: tuple[int, Any]) -> list[str]:
        assert answer[0] == 200, answer
        return [a["account_id"] for a in answer[1]["accounts"]]

    assert ids(api("GET", "/staff/accounts?q=pada", ADMIN)) == ["central", "padaria"]
    assert ids(api("GET", "/staff/accounts?q=pada", ANA)) == ["padaria"]
    assert ids(api("GET", "/staff/accounts?q=12.345.678/0001-95", ADMIN)) == ["padaria"]
    assert ids(api("GET", "/staff/accounts?q=joao@mercado.example", ADMIN)) == ["mercado"]
    assert ids(api("GET", "/staff/accounts?q=mercado sao", ADMIN)) == ["mercado"]
    assert api("GET", "/staff/accounts?q=p", ADMIN)[0] == 400
    assert set(ids(api("GET", "/staff/book", ADMIN))) == {"padaria", "central", "mercado"}
    # Without a staff directory, nobody to choose by name (the console's book takes the owner's id).
    assert api("GET", "/staff/book", ADMIN)[1]["people"] == []
    assert ids(api("GET", "/staff/book?owner=bruno", ADMIN)) == ["central"]
    assert set(ids(api("GET", "/staff/book?status=suspended", ADMIN))) == {"padaria", "central"}
    assert ids(api("GET", "/staff/book?age=1-15", ADMIN)) == ["mercado"]
    assert ids(api("GET", "/staff/book", ANA)) == ["padaria"]
    assert api("GET", "/staff/book?owner=bruno", ANA)[0] == 403
    assert api("GET", "/staff/book?age=soon", ADMIN)[0] == 400
    first = api("GET", "/staff/book?limit=1&status=suspended", ADMIN)[1]
    second = api("GET", f"/staff/book?limit=1&status=suspended&cursor={first['cursor']}", ADMIN)[1]
    assert {*ids((200, first)), *ids((200, second))} == {"padaria", "central"}


def test_two_staff_at_once_one_wins_the_other_gets_409_and_the_fresh_view(stack: LocalStack, api: Api) -> None:
    seed(stack, "padaria", invoice("NF-1", DUE))
    until(stack, date(2026, 11, 12))
    version = api("GET", "/staff/accounts/padaria", ANA)[1]["version"]
    assert DynamoStore(stack.physical_id("Table")).client is not None
    answers: list[tuple[int, Any]] = []
    start = threading.Barrier(4)

    def act(n: int) -> None:
        start.wait()
        answers.append(api.act(ANA, "note", {"reason": f"nota {n}"}, version=version))

    threads = [threading.Thread(target=act, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(status for status, _ in answers) == [200, 409, 409, 409]
    assert all(body["view"]["version"] == version + 1 for status, body in answers if status == 409)
