"""The upload's batch adapter on the template's table: batches of 25 and 100, retries of unprocessed items."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from infra.local import LocalStack
from ponte.adapters.dynamodb import DynamoStore, ledger_items
from ponte.adapters.invoice_batches import InvoiceBatches, UnprocessedItems, invoice_item
from ponte.domain.accounts import Contact
from ponte.domain.bodies.invoices import UploadQuarantined
from ponte.domain.changes import AccountChange
from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Party, SourceFormat
from ponte.domain.ledger import InvoiceRecord
from ponte.domain.money import Money
from ponte.domain.notifications import Audience, Notification, Team
from ponte.services.accounts import OpenAccount, opening_change
from tests.support import T0


def record(number: int, amount: int = 1000) -> InvoiceRecord:
    money = Money(amount=amount, currency="BRL")
    invoice = Invoice(
        key=f"erp::invoice:{number}",
        number=str(number),
        kind=InvoiceKind.INVOICE,
        issue_date=date(2026, 11, 1),
        currency="BRL",
        total=money,
        installments=(Installment(number="1", due_date=date(2026, 12, 1), amount=money),),
        customer=Party(name="Ana", tax_id="12345678000195"),
        source=SourceFormat.CSV,
    )
    return InvoiceRecord(invoice=invoice, recorded_at=T0, origin=f"upload:incoming/a.csv@v1#{number + 1}")


class Throttled:
    """The table's client, except that the first `refusals` batch writes leave half their items unprocessed."""

    def __init__(self, client: Any, refusals: int) -> None:
        self.client = client
        self.refusals = refusals

    def batch_write_item(self, RequestItems: Any) -> Any:
        ((table, requests),) = RequestItems.items()
        if self.refusals <= 0:
            return self.client.batch_write_item(RequestItems=RequestItems)
        self.refusals -= 1
        half = len(requests) // 2
        if half:
            self.client.batch_write_item(RequestItems={table: requests[:half]})
        return {"UnprocessedItems": {table: requests[half:]}}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def test_invoices_go_25_to_a_call_and_are_read_back_100_to_a_call(stack: LocalStack) -> None:
    batches = InvoiceBatches(stack.physical_id("Table"))
    batches.record_invoices([("acme", record(n)) for n in range(60)], due_at=T0)
    assert batches.calls["BatchWriteItem"] == 3
    found = batches.stored_invoices([("acme", f"erp::invoice:{n}") for n in range(120)])
    assert batches.calls["BatchGetItem"] == 2
    assert len(found) == 60
    assert found[("acme", "erp::invoice:7")].fingerprint == record(7).invoice.fingerprint
    assert found[("acme", "erp::invoice:7")].origin == "upload:incoming/a.csv@v1#8"
    # The number and series it is held by, for a later file that writes the number otherwise (`007`).
    assert (found[("acme", "erp::invoice:7")].number, found[("acme", "erp::invoice:7")].series) == ("7", None)
    ledger = DynamoStore(stack.physical_id("Table")).load_ledger("acme")
    assert ledger is None  # invoices alone make no account


def test_unprocessed_items_are_sent_again_after_a_jittered_backoff(stack: LocalStack) -> None:
    delays: list[float] = []
    client = Throttled(InvoiceBatches(stack.physical_id("Table")).client, refusals=3)
    batches = InvoiceBatches(stack.physical_id("Table"), client, sleep=delays.append, jitter=lambda: 0.5)  # type: ignore[arg-type]
    batches.record_invoices([("acme", record(n)) for n in range(20)], due_at=T0)
    assert batches.calls["BatchWriteItem"] == 4
    assert delays == [0.025, 0.05, 0.1]  # half of 50 ms, 100 ms, 200 ms
    assert len(batches.stored_invoices([("acme", f"erp::invoice:{n}") for n in range(20)])) == 20


def test_a_batch_still_refused_after_every_attempt_fails_the_run(stack: LocalStack) -> None:
    client = Throttled(InvoiceBatches(stack.physical_id("Table")).client, refusals=100)
    batches = InvoiceBatches(stack.physical_id("Table"), client, max_attempts=3, sleep=lambda _: None)  # type: ignore[arg-type]
    with pytest.raises(UnprocessedItems):
        batches.record_invoices([("acme", record(n)) for n in range(4)], due_at=T0)


def test_the_batched_invoice_item_is_the_ledger_item_with_the_re_evaluation_flag(stack: LocalStack) -> None:
    opening = opening_change(
        OpenAccount(account_id="acme", name="Acme", locale="en", contact=Contact(name="Ana")),
        now=T0,
        staff_locale="en",
        source="test",
    )
    change = AccountChange.model_validate({**dict(opening), "invoices": (record(1),)})
    (expected,) = ledger_items(change)
    item = invoice_item("acme", record(1), due_at=T0)
    assert item == {**expected, "due_pk": "DUE", "due_at": "2026-11-02T12:00:00Z"}


def test_an_upload_is_finished_once(stack: LocalStack) -> None:
    batches = InvoiceBatches(stack.physical_id("Table"))
    alert = Notification(
        notification_id="n1",
        audience=Audience.STAFF,
        team=Team.BACKOFFICE,
        account_id="_backoffice",
        locale="en",
        occurred_at=T0,
        body=UploadQuarantined(file="incoming/a.pdf", reason="unknown format", report="quarantine/a.pdf.report.json"),
    )
    assert batches.finished_upload("upload:abc") is None
    assert batches.finish_upload("upload:abc", alert, at=T0, moved_to="quarantine/a.pdf") is True
    assert batches.finish_upload("upload:abc", alert, at=T0, moved_to="quarantine/a.pdf") is False
    assert batches.finished_upload("upload:abc") == "quarantine/a.pdf"
    stack.settle()
    (delivered,) = stack.inbox("StaffAlertsTopic")["email:staff@example.com"]
    assert delivered.subject == "File a.pdf not imported"
