"""New customers of an upload are opened together, a window at a time; a customer a webhook opened meanwhile keeps
the account the webhook gave it, and the others of the window are still opened once each."""

from __future__ import annotations

from dataclasses import replace

from ponte.domain.accounts import Account, Contact
from ponte.domain.changes import AccountChange
from ponte.domain.identity import new_account_id
from ponte.domain.ledger import Ledger
from ponte.domain.notifications import Audience
from ponte.services.uploads import WINDOW
from tests.support import T0
from tests.unit.test_uploads_service import World
from tests.upload_support import csv_file, many_rows, row

RACED_TAX_ID = "10000000000003"  # the fourth customer of `many_rows`


def test_the_new_customers_of_a_window_are_opened_together() -> None:
    world = World()
    outcome = world.upload("incoming/nov.csv", csv_file(*many_rows(2 * WINDOW + 10, customers=2 * WINDOW + 10)))
    assert (outcome.counts.created, outcome.counts.accounts_opened) == (2 * WINDOW + 10, 2 * WINDOW + 10)
    assert world.ledger.openings == [WINDOW, WINDOW, 10]  # one call per window, each with its new customers
    assert len(world.store.ledgers) == 2 * WINDOW + 10


def test_a_customer_met_twice_in_a_window_is_opened_once() -> None:
    world = World()
    outcome = world.upload("incoming/nov.csv", csv_file(*many_rows(30, customers=3)))
    assert (outcome.counts.created, outcome.counts.accounts_opened) == (30, 3)
    assert world.ledger.openings == [3]
    assert sorted(len(ledger.invoices) for ledger in world.store.ledgers.values()) == [10, 10, 10]


class WebhookMeanwhile:
    """The store, except that right after the upload looks its customers up, a webhook opens one of them."""

    def __init__(self, world: World) -> None:
        self.store = world.store
        self.raced = False

    def owners_of(self, references: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        found = self.store.owners_of(references)
        if not self.raced and ("tax_id", RACED_TAX_ID) in references:
            self.raced = True
            account = Account(
                account_id="from-webhook",
                name="Cliente 3",
                locale="pt-BR",
                contact=Contact(name="Cliente 3"),
                created_at=T0,
                version=0,
            )
            self.store.commit(
                AccountChange(
                    account=account,
                    recorded_at=T0,
                    expected_version=None,
                    references=(("tax_id", RACED_TAX_ID),),
                    dedup_key="webhook:evt_1",
                )
            )
        return found

    def load_ledger(self, account_id: str) -> Ledger | None:
        return self.store.load_ledger(account_id)

    def commit(self, change: AccountChange) -> None:
        self.store.commit(change)


def test_a_customer_opened_meanwhile_by_a_webhook_keeps_its_account_and_the_others_are_opened_once() -> None:
    world = World()
    world.ports = replace(world.ports, accounts=WebhookMeanwhile(world))
    outcome = world.upload("incoming/nov.csv", csv_file(*many_rows(12, customers=6)))
    # The window's openings were refused together, then opened one by one: the raced customer's is not.
    assert world.ledger.openings == [6]
    assert (outcome.counts.created, outcome.counts.accounts_opened) == (12, 5)
    raced = world.store.ledgers["from-webhook"]
    assert sorted(r.invoice.number for r in raced.invoices) == ["3", "9"]
    assert new_account_id([("tax_id", RACED_TAX_ID)]) not in world.store.ledgers
    # One account per customer, each invoice recorded once, and only the accounts opened are announced.
    assert len(world.store.ledgers) == 6
    assert sum(len(ledger.invoices) for ledger in world.store.ledgers.values()) == 12
    opened = [n.account_id for n in world.store.outbox if n.audience is Audience.PLATFORM]
    assert len(opened) == len(set(opened)) == 5 and "from-webhook" not in opened
    report = world.objects.report("processed/nov.csv.report.json")
    assert report["counts"]["accounts_opened"] == 5


def test_a_shared_email_still_never_joins_two_tax_ids_in_one_window() -> None:
    world = World()
    outcome = world.upload(
        "incoming/nov.csv",
        csv_file(
            row(1, customer="Padaria", tax_id="12.345.678/0001-95", email="contabil@escritorio.example"),
            row(2, customer="Maria", tax_id="123.456.789-09", email="contabil@escritorio.example"),
        ),
    )
    assert outcome.counts.accounts_opened == 2
    padaria, maria = new_account_id([("tax_id", "12345678000195")]), new_account_id([("tax_id", "12345678909")])
    assert {account_id: len(ledger.invoices) for account_id, ledger in world.store.ledgers.items()} == {
        padaria: 1,
        maria: 1,
    }
    # The address leads to the first account that claimed it.
    assert world.store.references[("email", "contabil@escritorio.example")] == padaria
