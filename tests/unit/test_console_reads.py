"""What the staff API hands the console for a person to read and act on: owners by their names, the actions the
reader's groups allow, holds set by hand told apart from staff's, and a paid installment never counted late. The
routes run as API Gateway hands them an event (payload 2.0, the JWT authorizer's claims), over the in-memory store.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any, cast

from ponte.functions.staff_api import StaffApi, routes
from ponte.services import staff_views
from ponte.services.staff import StaffDeps
from tests.collections_support import local, payment
from tests.staff_api_support import ANA, DUE, Quiet, RoutesWiring, Staff, gateway_event

NOW = local(date(2026, 12, 1), 10)
DIRECTORY = {"ana": "Ana Souza", "carla": "Carla Mendes"}
ANA_CLAIMS = {"sub": "sub-ana", "name": "Ana Souza", "cognito:username": "ana", "cognito:groups": "[collections]"}
CARLA_CLAIMS = {"sub": "sub-carla", "name": "Carla Mendes", "cognito:username": "carla", "cognito:groups": "[admin]"}


def with_directory(staff: Staff) -> StaffDeps:
    people = tuple(sorted(DIRECTORY.items(), key=lambda person: person[1]))
    return staff.deps(person_name=DIRECTORY.get, people=lambda: people)


def call(staff: Staff, method: str, path: str, claims: dict[str, Any], **parts: Any) -> tuple[int, Any]:
    body = json.dumps(parts["body"]) if "body" in parts else None
    event = gateway_event(method, path, claims, at=NOW, query=parts.get("query"), body=body)
    answer = routes.resolve(event, StaffApi(RoutesWiring(staff, with_directory), Quiet(), Quiet()))  # type: ignore[arg-type]
    return answer["statusCode"], json.loads(answer["body"])


def test_search_names_each_owner_as_the_directory_does() -> None:
    status, found = call(Staff(), "GET", "/staff/accounts", ANA_CLAIMS, query={"q": "pada"})

    assert status == 200
    assert [(a["account_id"], a["owner"], a["owner_name"]) for a in found["accounts"]] == [
        ("padaria", "ana", "Ana Souza")
    ]


def test_the_account_says_which_actions_the_readers_groups_allow() -> None:
    staff = Staff()
    staff.sweep(date(2026, 12, 1))

    _, as_ana = call(staff, "GET", "/staff/accounts/padaria", ANA_CLAIMS)
    _, as_carla = call(staff, "GET", "/staff/accounts/padaria", CARLA_CLAIMS)

    assert "write_off" not in as_ana["may"] and "owner" not in as_ana["may"]
    assert {"promise_to_pay", "exempt", "reactivate", "offline_payment", "note", "acknowledge"} <= set(as_ana["may"])
    assert {"write_off", "owner", "reactivate"} <= set(as_carla["may"])


def test_one_who_may_give_the_account_to_someone_chooses_among_the_directorys_people_by_name() -> None:
    staff = Staff()
    staff.sweep(date(2026, 12, 1))

    _, as_ana = call(staff, "GET", "/staff/accounts/padaria", ANA_CLAIMS)  # collections: may not
    _, as_carla = call(staff, "GET", "/staff/accounts/padaria", CARLA_CLAIMS)  # admin: may

    assert as_ana["people"] == []
    assert {"id": "ana", "name": DIRECTORY["ana"]} in as_carla["people"]
    assert [p["name"] for p in as_carla["people"]] == sorted(p["name"] for p in as_carla["people"])


def test_the_answer_to_an_action_says_which_actions_follow() -> None:
    staff = Staff()
    staff.sweep(date(2026, 12, 1))
    body = {"expected_version": staff.version, "reason": "Ligação para o cliente"}

    status, after = call(staff, "POST", "/staff/accounts/padaria/actions/note", ANA_CLAIMS, body=body)

    assert status == 200
    assert "write_off" not in after["may"] and "note" in after["may"]


def test_holds_set_by_hand_are_told_apart_with_no_words_of_their_own() -> None:
    staff = Staff(never_suspend=True, promise_to_pay_until=date(2026, 11, 20))
    staff.sweep(date(2026, 11, 25))

    view = staff_views.account_view("padaria", ANA, staff.deps(), now=local(date(2026, 11, 25), 10))

    # The console words them in the reader's language; an English reason would show in a pt-BR page.
    assert [(h.kind, h.by_hand, h.reason) for h in view.holds] == [
        ("never_suspend", True, None),
        ("promise_to_pay", True, None),
    ]


def test_a_paid_installment_is_not_counted_late() -> None:
    staff = Staff()
    ledger = staff.ledger()
    staff.store.ledgers["padaria"] = ledger.model_copy(
        update={"payments": (payment("p1", 150_000, local(DUE + timedelta(days=3), 12)),)}
    )

    view = staff_views.account_view("padaria", ANA, staff.deps(), now=NOW)

    [invoice] = view.invoices
    [installment] = invoice.installments
    assert (invoice.status, installment.outstanding.amount, installment.days_late) == ("paid", 0, 0)


class DirectoryInUse:
    def __init__(self, directory: Any) -> None:
        self.directory = directory

    def in_use(self) -> Any:
        return self.directory


def test_the_people_an_account_may_be_given_to_are_the_directorys_active_ones_by_name() -> None:
    from ponte.staff_wiring import StaffWiring
    from tests.staff_support import directory, person

    people = [
        person("zeca", "Zeca Alves", active=False),
        person("bia", "bia Ramos"),
        person("ana", "Ana Souza"),
    ]
    wiring = StaffWiring(settings=cast(Any, None))
    rules = {"default": {"strategy": "fixed", "person": "ana"}}
    wiring.__dict__["directory"] = DirectoryInUse(directory(people=people, admins=["ana"], assignment=rules))
    assert wiring.people() == (("ana", "Ana Souza"), ("bia", "bia Ramos"))  # by name, ignoring case; no one who left

    wiring.__dict__["directory"] = None  # not set up: ids are typed
    assert wiring.people() == ()
