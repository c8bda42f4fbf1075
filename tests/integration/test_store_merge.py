"""Two accounts found to be one customer, merged on the table the template defines: one transaction that moves the
absorbed account's records, repoints its references, and leaves a marker every read follows."""

from __future__ import annotations

from datetime import timedelta

from infra.local import LocalStack
from ponte.adapters.dynamodb import DynamoStore
from ponte.domain import events as ev
from ponte.domain.money import Money
from ponte.services.payments import PaymentSettings, apply_delivery
from tests.support import T0

SETTINGS = PaymentSettings(staff_locale="pt-BR", customer_locale="pt-BR", time_zone="America/Sao_Paulo")
TAX_ID = "12345678000195"


def deliver(store: DynamoStore, event: ev.DomainEvent) -> str | None:
    applied = apply_delivery([event], store=store, settings=SETTINGS, recompute=lambda *_: None, now=event.occurred_at)
    return applied.account_id


def test_an_account_known_twice_is_merged_in_one_transaction(stack: LocalStack) -> None:
    store = DynamoStore(stack.physical_id("Table"))
    brl = Money(amount=500_00, currency="BRL")
    # Stripe knew the customer by id and e-mail; an invoice event later carried the tax id an NF-e account holds.
    by_tax_id = deliver(
        store,
        ev.InvoiceIssued(
            provider="standard",
            event_id="evt_nfe",
            occurred_at=T0,
            customer=ev.CustomerRef(name="Padaria Estrela", tax_id=TAX_ID),
            amount=brl,
            invoice_id="inv-1",
            invoice_number="47428",
        ),
    )
    by_stripe = deliver(
        store,
        ev.PaymentReceived(
            provider="stripe",
            event_id="evt_pay",
            occurred_at=T0 + timedelta(hours=1),
            customer=ev.CustomerRef(id="cus_9", email="compras@padaria.example"),
            amount=brl,
            payment_id="pi_9",
        ),
    )
    assert by_tax_id and by_stripe and by_tax_id != by_stripe
    merged = deliver(
        store,
        ev.PaymentFailed(
            provider="stripe",
            event_id="evt_fail",
            occurred_at=T0 + timedelta(hours=2),
            customer=ev.CustomerRef(id="cus_9", tax_id=TAX_ID),
            amount=brl,
            payment_id="pi_10",
        ),
    )
    assert merged == by_tax_id
    survivor = store.load_ledger(by_tax_id)
    assert survivor is not None
    assert {p.payment_id for p in survivor.payments} == {"pi_9"} and len(survivor.invoices) == 1
    assert store.load_ledger(by_stripe) == survivor  # the absorbed account leads to the survivor
    fresh = DynamoStore(stack.physical_id("Table"))  # no cache: what the table says
    assert fresh.owners_of([("stripe", "cus_9")]) == {("stripe", "cus_9"): by_tax_id}
    # The absorbed partition keeps only its marker and its history: its records moved.
    rows = stack.client("dynamodb").query(
        TableName=stack.physical_id("Table"),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"ACCOUNT#{by_stripe}"}},
    )["Items"]
    assert {row["kind"]["S"] for row in rows} <= {"account", "timeline", "outbox"}
    assert any(entry.what == "account.merged_into" for entry in store.timeline(by_stripe))
    assert any(entry.what == "account.merged" for entry in store.timeline(by_tax_id))
