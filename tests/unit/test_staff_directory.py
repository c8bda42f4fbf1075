"""The staff directory as a document: what it accepts, what it refuses and why, who an owner is, and who an alert
addressed to an owner reaches."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ponte.domain.errors import InvalidInput
from ponte.domain.staff import (
    DirectoryNotConfigured,
    FixedPerson,
    RoundRobin,
    StaffDirectory,
    default_staff_text,
    load_directory,
)
from tests.staff_support import directory, directory_document, person, with_people
from tests.support import ROOT

SCHEMA = ROOT / "schemas" / "staff-directory.schema.json"


def _refusal(document: dict[str, Any]) -> str:
    with pytest.raises(InvalidInput, match="invalid staff directory") as refused:
        load_directory(json.dumps(document))
    assert not isinstance(refused.value, DirectoryNotConfigured)
    return str(refused.value)


def test_a_directory_names_people_teams_rules_and_admins() -> None:
    staff = directory()

    assert [p.id for p in staff.people] == ["ana", "bia", "caio", "bruno", "carla"]
    assert staff.person("bia") is not None and staff.person("bia").locale == "es"  # type: ignore[union-attr]
    assert [p.id for p in staff.active_members("sales")] == ["ana", "bia", "caio", "carla"]
    assert staff.rule_for("upload") == FixedPerson(strategy="fixed", person="bruno")
    assert staff.rule_for("stripe") == RoundRobin(strategy="round_robin", team="sales")


def test_a_person_needs_only_an_id_a_name_and_an_e_mail() -> None:
    staff = load_directory(
        json.dumps({"people": [{"id": "ana", "name": "Ana", "email": "ana@x.example"}], "admins": ["ana"]})
    )

    (ana,) = staff.people
    assert (ana.locale, ana.teams, ana.manager, ana.phone, ana.active) == ("pt-BR", (), None, None, True)
    assert staff.rule_for("stripe") is None


@pytest.mark.parametrize(
    ("named", "found"),
    [
        ("ana", "ana"),
        ("ANA", "ana"),
        (" Ana Souza ", "ana"),
        ("ana souza", "ana"),
        ("ANA@equipe.example", "ana"),
        ("Carla  Mendes", "carla"),
        ("Cárla Méndes", "carla"),
        ("Ana S.", None),
        ("maria", None),
        ("", None),
    ],
)
def test_an_owner_is_found_by_id_e_mail_or_name_whatever_the_case_and_accents(named: str, found: str | None) -> None:
    person_found = directory().find(named)

    assert (person_found.id if person_found else None) == found


def test_a_name_two_people_share_names_nobody() -> None:
    staff = with_people(person("ana2", "Ana Souza", manager="carla"))

    assert staff.find("Ana Souza") is None
    assert staff.refusal("Ana Souza") == "names several people in the staff directory"
    assert staff.find("ana2") is not None and staff.refusal("ana2") is None


def test_who_cannot_own_a_new_account_says_why() -> None:
    staff = with_people(person("bia", "Bia Ramos", active=False, manager="carla"))

    assert staff.refusal("ana") is None
    assert staff.refusal("Bia Ramos") == "is bia, inactive in the staff directory"
    assert staff.refusal("maria") == "is not in the staff directory"


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"people": []}, "people: Tuple should have at least 1 item"),
        ({"admins": []}, "admins: Tuple should have at least 1 item"),
        ({"admins": ["zeca"]}, "admin 'zeca' is not in people"),
        (
            {"teams": [{"id": "sales", "name": "Vendas"}, {"id": "sales", "name": "Outra"}]},
            "team id 'sales' is used 2 times",
        ),
        ({"assignment": {"default": {"strategy": "round_robin", "team": "suporte"}}}, "team 'suporte' is not in teams"),
        ({"assignment": {"default": {"strategy": "fixed", "person": "zeca"}}}, "person 'zeca' is not in people"),
        ({"assignment": {"sources": {"paypal": {"strategy": "fixed", "person": "ana"}}}}, "assignment.sources.paypal"),
        ({"assignment": {"default": {"strategy": "random", "team": "sales"}}}, "assignment.default"),
        ({"version": 2}, "version: Extra inputs are not permitted"),
    ],
)
def test_a_wrong_directory_is_refused_naming_the_problem(changes: dict[str, Any], complaint: str) -> None:
    assert complaint in _refusal(directory_document(**changes))


@pytest.mark.parametrize(
    ("changed", "complaint"),
    [
        (person("ana", "Ana", teams=["suporte"]), "person 'ana' is in team 'suporte', which is not in teams"),
        (person("ana", "Ana", manager="ana"), "person 'ana' is their own manager"),
        (person("ana", "Ana", manager="zeca"), "the manager of 'ana', 'zeca', is not in people"),
        (person("carla", "Carla", manager="ana"), "the managers of 'ana' lead back to them"),
        (person("carla", "Carla", active=False), "at least one admin must be active"),
        (
            person("bruno", "Bruno", teams=["backoffice"], active=False),
            "assignment.sources.upload: person 'bruno' is inactive",
        ),
        (person("ana", "Ana", phone="11 98765-4321"), "phone: must be in E.164 form"),
        (person("ana", "Ana", locale="pt-PT"), "locale: Input should be 'pt-BR', 'es' or 'en'"),
        (person("Ana Souza", "Ana"), "id: String should match pattern"),
        (person("ana", "Ana", email="ana(at)equipe"), "email: must be an e-mail address"),
        (person("ana", "Ana", cargo="vendas"), "cargo: Extra inputs are not permitted"),
    ],
)
def test_a_wrong_person_is_refused_naming_the_field_but_not_the_value(changed: dict[str, Any], complaint: str) -> None:
    document = directory_document()
    document["people"] = [changed if p["id"] == changed["id"] else p for p in document["people"]]
    if not any(p["id"] == changed["id"] for p in directory_document()["people"]):
        document["people"].append(changed)

    problems = _refusal(document)

    assert complaint in problems
    for value in ("11 98765-4321", "ana(at)equipe"):
        assert value not in problems


def test_a_round_robin_over_a_team_with_nobody_active_is_refused() -> None:
    document = directory_document()
    document["people"] = [
        p if "sales" not in p["teams"] or p["id"] == "carla" else {**p, "active": False} for p in document["people"]
    ]
    document["people"] = [{**p, "teams": ["collections"]} if p["id"] == "carla" else p for p in document["people"]]

    assert "assignment.default: team 'sales' has no active member to take turns" in _refusal(document)


@pytest.mark.parametrize("text", ["", "not json", "[]", '{"people": ['])
def test_a_document_that_is_not_a_directory_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="invalid staff directory"):
        load_directory(text)


def test_the_deployed_default_says_the_directory_is_not_set_up_and_carries_a_valid_example() -> None:
    document = json.loads(default_staff_text())

    assert document["configured"] is False and "schemas/staff-directory.schema.json" in document["help"]
    with pytest.raises(DirectoryNotConfigured, match="not set up yet"):
        load_directory(default_staff_text())
    example = load_directory(json.dumps(document["example"]))
    assert [p.id for p in example.people] == ["ana", "bruno", "carla"] and example.admins == ("carla",)


def test_the_schema_file_matches_the_model() -> None:
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == StaffDirectory.model_json_schema(), (
        "schemas/staff-directory.schema.json is stale; regenerate it with "
        "json.dumps(StaffDirectory.model_json_schema(), indent=2, ensure_ascii=False)"
    )


# ------------------------------------------------------------------ who an owner's alert reaches


def _routed(staff: StaffDirectory, owner: str | None) -> tuple[str, list[str]]:
    routing = staff.route(owner)
    return routing.why, [p.id for p in routing.people]


def test_an_active_owner_gets_their_own_alerts() -> None:
    assert _routed(directory(), "ana") == ("owner", ["ana"])
    assert _routed(directory(), "Ana Souza") == ("owner", ["ana"])


def test_an_inactive_owners_alerts_go_to_the_nearest_active_manager() -> None:
    staff = with_people(
        person("ana", "Ana Souza", active=False, manager="davi"),
        person("davi", "Davi Rocha", active=False, manager="carla"),
    )

    assert _routed(staff, "ana") == ("manager", ["carla"])
    assert staff.route("ana").owner is not None and staff.route("ana").owner.name == "Ana Souza"  # type: ignore[union-attr]


def test_an_inactive_owner_without_an_active_manager_goes_to_the_admins() -> None:
    staff = with_people(
        person("ana", "Ana Souza", active=False), person("davi", "Davi", active=True), admins=["carla", "davi"]
    )

    assert _routed(staff, "ana") == ("no_active_manager", ["carla", "davi"])


def test_an_owner_the_directory_does_not_know_goes_to_the_active_admins() -> None:
    staff = with_people(person("davi", "Davi", active=False), admins=["carla", "davi", "carla"])

    assert _routed(staff, "vendas@empresa.example") == ("unknown_owner", ["carla"])


def test_an_alert_without_an_owner_reaches_nobody_in_person() -> None:
    assert _routed(directory(), None) == ("no_owner", [])
