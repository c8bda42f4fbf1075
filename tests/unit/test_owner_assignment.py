"""Owners on every account: the one rule (`ponte.services.owners`) for accounts opened by a webhook, by an upload and
by `open_account`, with the directory as a value and the rotation's counters in memory."""

from __future__ import annotations

import dataclasses
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest

from ponte.domain import events as ev
from ponte.domain.accounts import Contact
from ponte.domain.errors import InvalidInput
from ponte.domain.identity import new_account_id
from ponte.domain.notifications import Audience
from ponte.domain.staff import StaffDirectory
from ponte.services.accounts import OpenAccount, open_account
from ponte.services.owners import OwnerChoice, Owners
from ponte.services.payments import PaymentSettings, apply_delivery
from tests.memory_store import MemoryLedgerStore, MemoryRotation
from tests.staff_support import directory, person, with_people
from tests.support import T0
from tests.unit.test_payments_service import no_decision, paid
from tests.unit.test_uploads_service import World
from tests.upload_support import HEADER, row

STAFF = directory()


def owners(staff: StaffDirectory | None = STAFF, default_owner: str | None = "vendas") -> Owners:
    return Owners(directory=lambda: staff, rotation=MemoryRotation(), default_owner=default_owner)


# ------------------------------------------------------------------ the rule


def test_without_a_directory_the_owner_named_is_kept_else_the_default_owner() -> None:
    rule = Owners(default_owner="vendas")

    assert rule.assign("Maria", source="stripe") == OwnerChoice("Maria", "named")
    assert rule.assign(None, source="stripe") == OwnerChoice("vendas", "default")
    assert Owners().assign("  ", source="upload") == OwnerChoice(None, "none")
    assert rule.refusal("Maria") is None


def test_a_directory_not_set_up_works_as_no_directory() -> None:
    rule = owners(staff=None)

    assert rule.assign("Maria", source="stripe") == OwnerChoice("Maria", "named")
    assert rule.assign(None, source="upload") == OwnerChoice("vendas", "default")


def test_an_owner_the_directory_knows_is_stored_as_their_id() -> None:
    rule = owners()

    assert rule.assign("Ana Souza", source="stripe") == OwnerChoice("ana", "named")
    assert rule.assign("CAIO@equipe.example", source="upload") == OwnerChoice("caio", "named")


def test_accounts_without_an_owner_take_turns_among_the_teams_active_members() -> None:
    rule = Owners(
        directory=lambda: with_people(person("bia", "Bia Ramos", active=False, manager="carla")),
        rotation=MemoryRotation(),
    )

    chosen = [rule.assign(None, source="stripe").owner for _ in range(5)]

    assert chosen == ["ana", "caio", "carla", "ana", "caio"]  # in the directory's order, Bia away
    assert rule.assign(None, source="asaas").rule == "round_robin:sales"


def test_each_source_may_have_its_own_rule() -> None:
    assert owners().assign(None, source="upload") == OwnerChoice("bruno", "rule", "fixed")


def test_an_unknown_owner_is_refused_with_a_reason_and_the_rule_decides() -> None:
    chosen = owners().assign("Maria", source="stripe")

    assert chosen == OwnerChoice(
        "ana", "rule", "round_robin:sales", refused="Maria", refused_because="is not in the staff directory"
    )
    assert chosen.instead() == "the account goes to ana, by the directory's rule (round_robin:sales)"


def test_an_inactive_owner_gets_no_new_account() -> None:
    rule = owners(staff=with_people(person("caio", "Caio Prado", active=False, manager="carla")))

    chosen = rule.assign("caio", source="upload")

    assert (chosen.owner, chosen.refused, chosen.refused_because) == (
        "bruno",
        "caio",
        "is caio, inactive in the staff directory",
    )


def test_without_a_rule_the_default_owner_is_the_last_resort() -> None:
    staff = directory(assignment={})

    assert owners(staff).assign("Maria", source="stripe") == OwnerChoice(
        "vendas", "default", refused="Maria", refused_because="is not in the staff directory"
    )
    assert owners(staff, default_owner=None).assign(None, source="stripe") == OwnerChoice(None, "none")


def test_a_directory_that_was_never_valid_leaves_owners_as_named_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken() -> StaffDirectory | None:
        raise InvalidInput("no version of /ponte/staff is valid")

    with caplog.at_level(logging.WARNING):
        chosen = Owners(directory=broken, rotation=MemoryRotation()).assign("Maria", source="stripe")

    assert chosen == OwnerChoice("Maria", "named")
    assert "staff directory unusable" in caplog.text


def test_concurrent_accounts_never_take_the_same_turn() -> None:
    staff = directory(
        people=[person(f"p{n}", f"P {n}") for n in range(7)],
        admins=["p0"],
        assignment={"default": {"strategy": "round_robin", "team": "sales"}},
    )
    rule = owners(staff)

    with ThreadPoolExecutor(max_workers=8) as pool:
        chosen = list(pool.map(lambda _: rule.assign(None, source="stripe").owner or "", range(70)))

    assert sorted(chosen) == sorted(f"p{n}" for n in range(7) for _ in range(10))


# ------------------------------------------------------------------ where accounts are opened


COMMAND = OpenAccount(
    account_id="padaria", name="Padaria Estrela", locale="pt-BR", contact=Contact(name="João"), owner="Maria"
)


def test_open_account_applies_the_rule_and_its_history_says_how() -> None:
    store = MemoryLedgerStore()

    account, created = open_account(store, COMMAND, now=T0, staff_locale="pt-BR", source="test", owners=owners())

    assert created and account.owner == "ana"
    (change,) = store.changes
    assert [(e.what, e.facts) for e in change.timeline] == [
        ("account.opened", {"owner_from": "rule:round_robin:sales", "owner": "ana"}),
        (
            "owner.refused",
            {"refused": "Maria", "owner_from": "rule:round_robin:sales", "owner": "ana"},
        ),
    ]
    assert change.timeline[1].why == (
        "the owner named, 'Maria', is not in the staff directory: the account goes to ana, by the directory's rule "
        "(round_robin:sales)"
    )
    assert {n.owner for n in change.notifications} == {"ana"}


def test_open_account_takes_no_turn_for_an_account_that_exists() -> None:
    store, rotation = MemoryLedgerStore(), MemoryRotation()
    rule = Owners(directory=lambda: STAFF, rotation=rotation)
    open_account(store, COMMAND, now=T0, staff_locale="pt-BR", source="test", owners=rule)

    open_account(store, COMMAND, now=T0, staff_locale="pt-BR", source="test", owners=rule)

    assert rotation.turns == {"sales": 1}


def _settings(rule: Owners) -> PaymentSettings:
    return PaymentSettings(staff_locale="pt-BR", customer_locale="pt-BR", time_zone="America/Sao_Paulo", owners=rule)


def test_a_webhook_keeps_an_owner_the_directory_knows() -> None:
    store = MemoryLedgerStore()

    apply_delivery(
        [paid("evt_1", owner="Bia Ramos")], store=store, settings=_settings(owners()), recompute=no_decision, now=T0
    )

    ledger = store.load_ledger("acme-001")
    assert ledger is not None and ledger.account.owner == "bia"
    opened = next(e for e in store.timeline if e.what == "account.opened")
    assert opened.facts["owner_from"] == "named" and opened.facts["owner"] == "bia"


def test_a_webhook_naming_an_unknown_owner_still_records_the_payment_and_says_why_in_the_timeline() -> None:
    store = MemoryLedgerStore()

    applied = apply_delivery(
        [paid("evt_1", owner="maria")], store=store, settings=_settings(owners()), recompute=no_decision, now=T0
    )

    ledger = store.load_ledger("acme-001")
    assert applied.created and ledger is not None and len(ledger.payments) == 1
    assert ledger.account.owner == "ana" and "owner.refused" in applied.effects
    (refused,) = [e for e in store.timeline if e.what == "owner.refused"]
    assert refused.source == "stripe:evt_1" and refused.facts["refused"] == "maria"
    staff = [n for n in store.outbox if n.audience is Audience.STAFF]
    assert staff and {n.owner for n in staff} == {"ana"}


def test_new_customers_of_a_provider_take_turns_and_existing_ones_keep_their_owner() -> None:
    store, rule = MemoryLedgerStore(), owners()
    for n in range(3):
        customer = ev.CustomerRef(id=f"cus_{n}", reference=f"cliente-{n}", name=f"Cliente {n}")
        event = paid(f"evt_{n}", payment_id=f"pi_{n}", invoice_id=None, customer=customer)
        apply_delivery([event], store=store, settings=_settings(rule), recompute=no_decision, now=T0)
    again = paid(
        "evt_again", payment_id="pi_again", invoice_id=None, customer=ev.CustomerRef(id="cus_0", reference="cliente-0")
    )
    apply_delivery([again], store=store, settings=_settings(rule), recompute=no_decision, now=T0)

    owned = {account_id: ledger.account.owner for account_id, ledger in store.ledgers.items()}
    assert owned == {"cliente-0": "ana", "cliente-1": "bia", "cliente-2": "caio"}


def test_without_owners_a_webhook_keeps_the_default_owner_as_before() -> None:
    store = MemoryLedgerStore()
    settings = PaymentSettings(
        staff_locale="pt-BR", customer_locale="pt-BR", time_zone="America/Sao_Paulo", default_owner="vendas"
    )

    apply_delivery([paid("evt_1")], store=store, settings=settings, recompute=no_decision, now=T0)

    ledger = store.load_ledger("acme-001")
    assert ledger is not None and ledger.account.owner == "vendas"


OWNED = HEADER + ";Responsável"
PADARIA = new_account_id([("tax_id", "12345678000195")])
MARIA = new_account_id([("tax_id", "12345678909")])


def _owned_file(*rows: str) -> bytes:
    return ("\n".join([OWNED, *rows]) + "\n").encode()


def _world(rule: Owners) -> World:
    world = World()
    world.ports = dataclasses.replace(world.ports, owners=rule)
    return world


def test_an_upload_keeps_the_owner_a_row_names_when_the_directory_knows_them() -> None:
    world = _world(owners())

    outcome = world.upload("incoming/nov.csv", _owned_file(row(1001) + ";Ana Souza"))

    assert outcome.counts.accounts_opened == 1
    assert world.store.ledgers[PADARIA].account.owner == "ana"
    report = world.objects.report("processed/nov.csv.report.json")
    assert report["warnings"] == []


def test_an_upload_row_naming_an_unknown_owner_warns_and_the_upload_rule_decides() -> None:
    world = _world(owners())

    outcome = world.upload(
        "incoming/nov.csv",
        _owned_file(
            row(1001) + ";Fulano",
            row(1002, customer="Maria Souza", tax_id="123.456.789-09", email="") + ";",
        ),
    )

    assert outcome.status == "imported" and outcome.counts.created == 2
    assert world.store.ledgers[PADARIA].account.owner == "bruno"
    assert world.store.ledgers[MARIA].account.owner == "bruno"  # no owner named: the rule, without a warning
    report = world.objects.report("processed/nov.csv.report.json")
    assert report["warnings"] == [
        {
            "line": 2,
            "message": "O responsável “Fulano” não é ninguém do diretório da equipe: a conta recebeu outro responsável",
            "code": "owner_refused",
            "reason": "owner 'Fulano' is not in the staff directory: the account goes to bruno, by the directory's "
            "rule (fixed)",
        }
    ]
    refused = [e for e in world.store.timeline if e.what == "owner.refused"]
    assert [(e.account_id, e.facts["refused"]) for e in refused] == [(PADARIA, "Fulano")]


def test_a_run_retried_after_a_crash_warns_again_without_taking_another_turn() -> None:
    rotation = MemoryRotation()
    world = _world(
        Owners(
            directory=lambda: directory(assignment={"default": {"strategy": "round_robin", "team": "sales"}}),
            rotation=rotation,
        )
    )
    upload = world.put("incoming/nov.csv", _owned_file(row(1001) + ";Fulano"))
    world.ledger.fail_on_write = 0  # the account is opened, then writing its invoice fails
    with pytest.raises(ConnectionError):
        world.receive(upload)

    outcome = world.receive(upload)  # the trigger's retry

    assert outcome.counts.accounts_opened == 1 and rotation.turns == {"sales": 1}
    assert world.store.ledgers[PADARIA].account.owner == "ana"
    report = world.objects.report("processed/nov.csv.report.json")
    assert [(w["line"], w["code"], w["reason"]) for w in report["warnings"]] == [
        (2, "owner_refused", "owner 'Fulano' is not in the staff directory: the account went to ana")
    ]


def test_an_upload_without_a_directory_keeps_the_owner_the_row_names() -> None:
    world = World()

    world.upload("incoming/nov.csv", _owned_file(row(1001) + ";Fulano"))

    assert world.store.ledgers[PADARIA].account.owner == "Fulano"
