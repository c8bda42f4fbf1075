"""Two accounts found to be one customer, merged on the table the template defines: one transaction that moves the
absorbed account's records, repoints its references, and leaves a marker every read follows."""

from __future__ import annotations

import json
from datetime import date, timedelta

from infra.local import LocalStack, delivery
from ponte.adapters.delivery_records import DeliveryRecords
from ponte.adapters.dynamodb import DynamoStore
from ponte.domain import events as ev
from ponte.domain.accounts import next_version
from ponte.domain.bodies.accounts import CustomerWelcome
from ponte.domain.changes import AccountChange
from ponte.domain.dunning import SentNotice
from ponte.domain.ledger import WriteOffRecord
from ponte.domain.money import Money
from ponte.domain.notifications import Audience, Notification
from ponte.messages import render
from ponte.services.delivery import CustomerDelivery, Receipt, deliver_to_customer
from ponte.services.delivery_events import Outcome, record_email_event
from ponte.services.payments import PaymentSettings, apply_delivery
from tests.message_cases import IDENTITY
from tests.support import T0

SETTINGS = PaymentSettings(staff_locale="pt-BR", customer_locale="pt-BR", time_zone="America/Sao_Paulo")
TAX_ID = "12345678000195"


def deliver(store: DynamoStore, event: ev.DomainEvent) -> str | None:
    applied = apply_delivery([event], store=store, settings=SETTINGS, recompute=lambda *_: None, now=event.occurred_at)
    return applied.account_id


def nfe_account(store: DynamoStore, amount: Money) -> str | None:
    """The account an NF-e's invoice opens for the customer's tax id."""
    return deliver(
        store,
        ev.InvoiceIssued(
            provider="standard",
            event_id="evt_nfe",
            occurred_at=T0,
            customer=ev.CustomerRef(name="Padaria Estrela", tax_id=TAX_ID),
            amount=amount,
            invoice_id="inv-1",
            invoice_number="47428",
        ),
    )


def stripe_payment_account(store: DynamoStore, amount: Money) -> str | None:
    """The account a Stripe payment opens for a customer Stripe knows by id and e-mail (no tax id)."""
    return deliver(
        store,
        ev.PaymentReceived(
            provider="stripe",
            event_id="evt_pay",
            occurred_at=T0 + timedelta(hours=1),
            customer=ev.CustomerRef(id="cus_9", email="compras@padaria.example"),
            amount=amount,
            payment_id="pi_9",
        ),
    )


def stripe_names_the_tax_id(store: DynamoStore, amount: Money) -> str | None:
    """A Stripe event carrying both the customer's Stripe id and its tax id: it shows the two accounts are one."""
    return deliver(
        store,
        ev.PaymentFailed(
            provider="stripe",
            event_id="evt_fail",
            occurred_at=T0 + timedelta(hours=2),
            customer=ev.CustomerRef(id="cus_9", tax_id=TAX_ID),
            amount=amount,
            payment_id="pi_10",
        ),
    )


def test_an_account_known_twice_is_merged_in_one_transaction(stack: LocalStack) -> None:
    store = DynamoStore(stack.physical_id("Table"))
    brl = Money(amount=500_00, currency="BRL")
    # Stripe knew the customer by id and e-mail; an invoice event later carried the tax id an NF-e account holds.
    by_tax_id = nfe_account(store, brl)
    by_stripe = stripe_payment_account(store, brl)
    assert by_tax_id and by_stripe and by_tax_id != by_stripe
    merged = stripe_names_the_tax_id(store, brl)
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


def test_what_staff_decided_on_the_absorbed_account_holds_on_the_survivor(stack: LocalStack) -> None:
    table = stack.physical_id("Table")
    store = DynamoStore(table)
    by_tax_id = nfe_account(store, Money(amount=120_00, currency="BRL"))
    # Stripe knew the customer by its id alone; it invoiced R$ 300, which staff later wrote off there.
    by_stripe = deliver(
        store,
        ev.InvoiceIssued(
            provider="stripe",
            event_id="evt_in_7",
            occurred_at=T0,
            customer=ev.CustomerRef(id="cus_9", name="Padaria Estrela"),
            amount=Money(amount=300_00, currency="BRL"),
            invoice_id="in_7",
            invoice_number="STRP-7",
            due_date=date(2026, 9, 15),
        ),
    )
    assert by_tax_id and by_stripe and by_tax_id != by_stripe
    stripe_ledger = store.load_ledger(by_stripe)
    assert stripe_ledger is not None
    written_off = WriteOffRecord(
        invoice_key="stripe:in_7",
        amount=Money(amount=300_00, currency="BRL"),
        at=T0 + timedelta(hours=1),
        by="sub-ana",
        by_name="Ana",
        reason="not worth collecting",
    )
    warned = SentNotice(step_id="overdue-1", sent_at=T0 + timedelta(hours=1), channel="email", notice_id="n-1")
    store.commit(
        AccountChange(
            account=next_version(stripe_ledger.account),
            recorded_at=T0 + timedelta(hours=1),
            expected_version=stripe_ledger.account.version,
            write_offs=(written_off,),
            notices=(warned,),
        )
    )
    DeliveryRecords(table).record(
        by_stripe, "n-1", Receipt(channel="email", status="accepted", at=T0 + timedelta(hours=1), message_id="m-1")
    )
    before = store.load_ledger(by_stripe)
    assert before is not None and not before.receivables()  # written off: nothing owed

    merged = stripe_names_the_tax_id(store, Money(amount=10_00, currency="BRL"))

    assert merged == by_tax_id
    survivor = DynamoStore(table).load_ledger(by_tax_id)  # no cache: what the table says
    assert survivor is not None
    assert {r.invoice_id: r.outstanding.amount for r in survivor.receivables()} == {"standard:inv-1": 120_00}
    assert survivor.write_offs == (written_off,)
    assert survivor.delivery_evidence() == {"n-1": {"email": "accepted"}}
    rows = stack.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"ACCOUNT#{by_stripe}"}},
    )["Items"]
    # Its write-off moved; the receipt of its notice stays too (a copy: the survivor has its own).
    assert {row["kind"]["S"] for row in rows} <= {"account", "timeline", "outbox", "delivery"}

    # SES bounces the notice after the merge: the e-mail's tags name the absorbed account, and the bounce is recorded
    # on the survivor, whose ladder reads it (a final warning that bounced is not a deadline named).
    email = delivery.Email(
        message_id="m-1",
        from_="Padaria Estrela <avisos@padaria.example>",
        to=("compras@padaria.example",),
        subject="Fatura em atraso",
        text="...",
        html="<p>...</p>",
        reply_to=(),
        tags={"notice_id": "n-1", "account_id": by_stripe, "kind": "collection_notice"},
        configuration_set="ponte-local-CustomerDeliveryConfigurationSet",
        sent_at=T0 + timedelta(hours=1),
    )
    bounce = delivery.ses_event(
        "bounce",
        email,
        "compras@padaria.example",
        identity="avisos@padaria.example",
        region="us-east-1",
        account_id="123456789012",
        now=T0 + timedelta(hours=3),
        details={},
    )
    recorded = record_email_event(
        json.dumps(bounce), DeliveryRecords(table), staff_locale="pt-BR", now=T0 + timedelta(hours=3)
    )
    assert recorded.outcome is Outcome.RECORDED and recorded.marked_unreachable
    after = DynamoStore(table).load_ledger(by_tax_id)
    assert after is not None and after.delivery_evidence() == {"n-1": {"email": "bounced"}}
    assert any(entry.what == "customer_notice.bounced" for entry in store.timeline(by_tax_id))


class Mailbox:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, str]]] = []

    def send(self, *, to: str, subject: str, text: str, html: str, tags: dict[str, str]) -> str:
        self.sent.append((to, tags))
        return f"m-{len(self.sent)}"


def test_a_notice_decided_before_a_merge_and_sent_after_it_is_kept_on_the_survivor(stack: LocalStack) -> None:
    table = stack.physical_id("Table")
    store = DynamoStore(table)
    by_tax_id = nfe_account(store, Money(amount=120_00, currency="BRL"))
    by_stripe = stripe_payment_account(store, Money(amount=10_00, currency="BRL"))
    assert by_tax_id and by_stripe and by_tax_id != by_stripe
    stripe_ledger = store.load_ledger(by_stripe)
    assert stripe_ledger is not None
    store.commit(
        AccountChange(
            account=next_version(stripe_ledger.account),
            recorded_at=T0 + timedelta(hours=1),
            expected_version=stripe_ledger.account.version,
            notices=(
                SentNotice(step_id="overdue-1", sent_at=T0 + timedelta(hours=1), channel="email", notice_id="n-2"),
            ),
        )
    )
    # The notice is in the notifier's hands when a Stripe event shows the two accounts to be one customer.
    assert stripe_names_the_tax_id(store, Money(amount=10_00, currency="BRL")) == by_tax_id
    notice = Notification(
        notification_id="n-2",
        audience=Audience.CUSTOMER,
        account_id=by_stripe,
        locale="pt-BR",
        occurred_at=T0 + timedelta(hours=1),
        body=CustomerWelcome(customer_name="Padaria Estrela"),
    )
    mailbox, records = Mailbox(), DeliveryRecords(table)
    ports = CustomerDelivery(
        email=mailbox,
        sms=None,
        identity=lambda: IDENTITY,
        contacts=records,
        receipts=records,
        staff=lambda alert: None,
    )
    message = render(notice, time_zone="America/Sao_Paulo")
    sent = deliver_to_customer(notice, message, ports, now=T0 + timedelta(hours=3))

    assert [(r.channel, r.status) for r in sent] == [("email", "accepted")]
    # To the survivor's contact, tagged with the survivor (SES's events about it come back there), and its receipt
    # kept where the survivor's ladder reads it.
    assert mailbox.sent == [
        ("compras@padaria.example", {"notice_id": "n-2", "account_id": by_tax_id, "kind": "customer.welcome"})
    ]
    survivor = DynamoStore(table).load_ledger(by_tax_id)
    assert survivor is not None and survivor.delivery_evidence() == {"n-2": {"email": "accepted"}}
    # Sent again (the outbox retries a notice it could not confirm), it goes out no more.
    assert deliver_to_customer(notice, message, ports, now=T0 + timedelta(hours=4)) == ()
    assert len(mailbox.sent) == 1
