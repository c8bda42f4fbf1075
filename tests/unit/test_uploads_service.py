"""The upload use case with in-memory ports that keep the promises of S3, the table and the queue
(`tests.memory_store`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from ponte.domain.accounts import Account, Contact
from ponte.domain.bodies.invoices import InvoicesImported
from ponte.domain.changes import AccountChange
from ponte.domain.identity import new_account_id
from ponte.domain.ledger import CancellationRecord, InvoiceRecord, PaymentRecord
from ponte.domain.money import Money
from ponte.domain.notifications import Audience, Severity, Team
from ponte.domain.uploads import UploadedObject, read_origin
from ponte.messages import render
from ponte.services.uploads import (
    BACKOFFICE_ACCOUNT,
    WINDOW,
    UploadPorts,
    UploadSettings,
    continue_upload,
    receive_upload,
)
from tests.memory_store import MemoryInvoiceBatches, MemoryLedgerStore, MemoryObjects, MemoryQueue
from tests.support import T0
from tests.upload_support import csv_file, json_invoice, many_rows, row

TAX_ACCOUNT = new_account_id([("tax_id", "12345678000195")])
OTHER_ACCOUNT = new_account_id([("tax_id", "12345678909")])


class World:
    def __init__(self, *, notices: bool = False, max_bytes: int = 1_000_000) -> None:
        self.store = MemoryLedgerStore()
        self.objects = MemoryObjects()
        self.ledger = MemoryInvoiceBatches(self.store)
        self.queue = MemoryQueue()
        self.ports = UploadPorts(
            objects=self.objects, ledger=self.ledger, accounts=self.store, continuations=self.queue
        )
        self.settings = UploadSettings(
            staff_locale="pt-BR",
            customer_locale="pt-BR",
            customer_notices=notices,
            max_bytes=max_bytes,
            margin_seconds=5,
        )
        self.time_left = 600.0
        self.versions = 0

    def put(self, key: str, data: bytes, at: datetime = T0) -> UploadedObject:
        self.versions += 1
        self.objects.objects[key] = data
        return UploadedObject(
            bucket="bucket", key=key, version_id=f"v{self.versions}", etag="e", size=len(data), received_at=at
        )

    def receive(self, upload: UploadedObject) -> Any:
        return receive_upload(upload, ports=self.ports, settings=self.settings, time_left=lambda: self.time_left)

    def upload(self, key: str, data: bytes, at: datetime = T0) -> Any:
        return self.receive(self.put(key, data, at))

    def invoices(self) -> dict[str, InvoiceRecord]:
        return {r.invoice.key: r for ledger in self.store.ledgers.values() for r in ledger.invoices}


BASIC = csv_file(
    row(1001, installment="1", amount="100,00", due="10/12/2026"),
    row(1001, installment="2", amount="100,00", due="10/01/2027"),
    row(1002, customer="Maria Souza", tax_id="123.456.789-09", email="", amount="50,00"),
)


def test_a_good_file_is_recorded_reported_moved_and_announced_once() -> None:
    world = World()
    outcome = world.upload("incoming/nov.csv", BASIC)
    assert outcome.status == "imported"
    assert (outcome.counts.created, outcome.counts.accounts_opened, outcome.rejected) == (2, 2, 0)
    invoices = world.invoices()
    assert invoices["erp::invoice:1001"].invoice.total == Money(amount=20000, currency="BRL")
    assert invoices["erp::invoice:1001"].origin.endswith("#2")
    assert set(world.store.ledgers) == {TAX_ACCOUNT, OTHER_ACCOUNT}
    assert world.ledger.flagged == {TAX_ACCOUNT, OTHER_ACCOUNT}  # re-evaluated by the sweep
    # A customer first seen in an upload: the platform hears of it, and its owner (sales) is told of the new
    # customer with what the invoice says; the back office counts them.
    assert [(n.audience, n.body.kind) for n in world.store.outbox] == [
        (Audience.PLATFORM, "account.opened"),
        (Audience.STAFF, "customer.first_invoice"),
    ] * 2
    assert set(world.objects.objects) == {"processed/nov.csv", "processed/nov.csv.report.json"}
    report = world.objects.report("processed/nov.csv.report.json")
    assert report["status"] == "imported" and report["rejected"] == []
    assert report["counts"] == {
        "invoices": 2,
        "imported": 2,
        "created": 2,
        "corrected": 0,
        "unchanged": 0,
        "rejected": 0,
        "settled": 0,
        "accounts_opened": 2,
        "cancelled": 0,
        "warnings": 0,
    }
    (alert,) = world.ledger.alerts
    assert (alert.team, alert.severity, alert.account_id) == (Team.BACKOFFICE, Severity.INFO, BACKOFFICE_ACCOUNT)
    assert alert.body.kind == "invoices.imported"


def test_the_same_delivery_twice_changes_nothing() -> None:
    world = World()
    upload = world.put("incoming/nov.csv", BASIC)
    world.receive(upload)
    commits, invoices = world.store.commits, world.invoices()
    world.objects.objects[upload.key] = BASIC  # as if the delete had not happened before a crash
    outcome = world.receive(upload)
    assert outcome.status == "duplicate" and outcome.report == "processed/nov.csv.report.json"
    assert world.store.commits == commits and world.invoices() == invoices and len(world.ledger.alerts) == 1
    assert "incoming/nov.csv" not in world.objects.objects


def test_a_second_upload_of_the_same_invoices_finds_them_unchanged() -> None:
    world = World()
    world.upload("incoming/nov.csv", BASIC)
    before = world.invoices()
    again = world.upload("incoming/nov-again.csv", BASIC, T0 + timedelta(hours=1))
    assert (again.counts.created, again.counts.unchanged, again.counts.accounts_opened) == (0, 2, 0)
    assert world.invoices() == before  # not even the record's origin changes
    as_json = json_invoice(
        "1002", total="50.00", due="2026-12-10", tax_id="12345678909", name="Maria Souza", email="", issued="2026-11-01"
    )
    other_format = world.upload("incoming/maria.json", as_json.replace(b', "email": ""', b""))
    assert other_format.counts.unchanged == 1 and world.invoices() == before


def test_a_corrected_amount_updates_an_unpaid_invoice_with_a_timeline_entry() -> None:
    world = World()
    world.upload("incoming/nov.csv", BASIC)
    corrected = csv_file(row(1002, customer="Maria Souza", tax_id="123.456.789-09", email="", amount="55,00"))
    outcome = world.upload("incoming/fix.csv", corrected, T0 + timedelta(days=1))
    assert (outcome.counts.corrected, outcome.counts.imported) == (1, 1)
    record = world.invoices()["erp::invoice:1002"]
    assert record.invoice.total.amount == 5500 and read_origin(record.origin).corrected
    (entry,) = [e for e in world.store.timeline if e.what == "invoice.corrected"]
    assert entry.account_id == OTHER_ACCOUNT and "50.00 BRL -> 55.00 BRL" in entry.why
    account = world.store.ledgers[OTHER_ACCOUNT].account
    assert account.version == 1 and account.next_evaluation_at == T0 + timedelta(days=1)


def paid_in_part() -> World:
    """BASIC uploaded, then invoice 1002 (Maria's) paid in part: a correction of it is refused as it is recorded."""
    world = World()
    world.upload("incoming/nov.csv", BASIC)
    ledger = world.store.ledgers[OTHER_ACCOUNT]
    payment = PaymentRecord(
        provider="stripe",
        payment_id="pi_1",
        amount=Money(amount=1000, currency="BRL"),
        received_at=T0,
        invoice_key="erp::invoice:1002",
    )
    world.store.ledgers[OTHER_ACCOUNT] = ledger.model_copy(update={"payments": (payment,)})
    return world


CORRECTED = row(1002, customer="Maria Souza", tax_id="123.456.789-09", email="", amount="55,00")


def test_a_correction_to_a_paid_invoice_is_refused_with_its_line() -> None:
    world = paid_in_part()
    corrected = csv_file(CORRECTED)
    outcome = world.upload("incoming/fix.csv", corrected)
    assert (outcome.counts.corrected, outcome.rejected) == (0, 1)
    (refused,) = world.objects.report("processed/fix.csv.report.json")["rejected"]
    assert refused["line"] == 2 and "already paid" in refused["reason"]
    assert world.invoices()["erp::invoice:1002"].invoice.total.amount == 5000


def test_bad_rows_are_listed_with_their_lines_and_the_good_ones_recorded() -> None:
    world = World()
    data = "\n".join(
        [
            "Número;Cliente;CNPJ;Valor;Vencimento;Moeda",
            "1;Ana;12345678000195;10,00;10/12/2026;BRL",
            "2;Ana;12345678000195;;10/12/2026;BRL",
            "3;Ana;12345678000195;-10,00;10/12/2026;BRL",
            "4;Ana;12345678000195;10,00;31/02/2026;BRL",
            "5;Ana;12345678000195;10,00;10/12/2026;XYZ",
        ]
    ).encode()
    outcome = world.upload("incoming/bad-rows.csv", data)
    assert outcome.status == "imported" and outcome.counts.created == 1 and outcome.rejected == 4
    report = world.objects.report("processed/bad-rows.csv.report.json")
    assert [r["line"] for r in report["rejected"]] == [3, 4, 5, 6]
    reasons = " | ".join(r["reason"] for r in report["rejected"])
    for expected in ("missing amount", "greater than zero", "not a date", "unknown currency"):
        assert expected in reasons
    assert world.ledger.alerts[0].severity is Severity.WARNING


def test_the_alert_lists_the_first_rejected_rows_in_the_files_order_and_counts_the_rest() -> None:
    # Given an invoice already paid in part, then a file whose line 2 corrects it (refused as it is recorded) and
    # whose next twelve lines the parser refuses, one quoting a cell far longer than an e-mail's line
    world = paid_in_part()
    bad = [row(2000 + n, amount="") for n in range(12)]
    bad[3] = row(2003, amount="9" * 40 + " reais e " + "9" * 40)
    data = csv_file(CORRECTED, *bad)

    # When it is uploaded
    outcome = world.upload("incoming/fix.csv", data)

    # Then the alert lists the first ten rejected rows, the recording's and the parser's in the file's order
    assert outcome.rejected == 13
    alert = world.ledger.alerts[-1]
    assert isinstance(alert.body, InvoicesImported) and alert.body.rejected == 13
    rows = alert.body.rows
    assert [r.line for r in rows] == list(range(2, 12))
    assert (rows[0].code, rows[1].code, rows[4].code) == ("already_paid", "missing_field", "not_amount")
    # a value from the file is cut to what a line of an e-mail shows; the report quotes it whole
    assert len(rows[4].facts["value"]) == 60 and rows[4].facts["value"].endswith("…")
    report = world.objects.report("processed/fix.csv.report.json")
    assert "9" * 40 + " reais e " + "9" * 40 in report["rejected"][4]["message"]
    # And the back office reads them in its language, with how many more the report has
    email = render(alert, time_zone="America/Sao_Paulo").email
    assert "Linhas rejeitadas:\n- linha 2: " in email
    assert "\n- linha 3: Valor: não preenchido\n" in email
    assert "- linha 11: " in email and "linha 12" not in email
    assert "- e mais 3 no relatório\n" in email


@pytest.mark.parametrize(
    ("locale", "label"), [("pt-BR", "(XML de NF-e)"), ("es", "(XML de NF-e)"), ("en", "(NF-e XML)")]
)
def test_the_alert_names_the_files_format_as_people_call_it(locale: str, label: str) -> None:
    world = World()
    world.upload("incoming/nov.csv", BASIC)
    alert = world.ledger.alerts[-1]  # as an NF-e's would be, but for its format
    body = InvoicesImported.model_validate(alert.body.model_dump() | {"file_format": "nfe"})
    email = render(alert.model_copy(update={"body": body, "locale": locale}), time_zone="America/Sao_Paulo").email
    assert label in email and "NFE" not in email


@pytest.mark.parametrize(
    ("key", "data", "reason"),
    [
        ("incoming/scan.pdf", b"%PDF-1.7 ...", "unknown format"),
        ("incoming/empty.csv", b"", "empty"),
        ("incoming/headless.csv", b"a;b;c\n1;2;3\n", "no recognisable header"),
        ("incoming/broken.xml", b'<nfeProc xmlns="http://www.portalfiscal.inf.br/nfe"><NFe>', "not well-formed"),
        (
            "incoming/bomb.xml",
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
            b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol2;</Invoice>',
            "DOCTYPE",
        ),
        ("incoming/huge.csv", csv_file(*many_rows(200)), "over the limit"),
    ],
)
def test_a_file_that_cannot_be_read_is_quarantined_and_nothing_is_written(key: str, data: bytes, reason: str) -> None:
    world = World(max_bytes=5_000)
    outcome = world.upload(key, data)
    assert outcome.status == "quarantined" and reason in (outcome.reason or "")
    name = key.removeprefix("incoming/")
    assert set(world.objects.objects) == {f"quarantine/{name}", f"quarantine/{name}.report.json"}
    report = world.objects.report(f"quarantine/{name}.report.json")
    assert report["status"] == "quarantined" and reason in report["reason"]
    assert world.store.ledgers == {} and world.store.commits == 0 and world.ledger.writes == []
    (alert,) = world.ledger.alerts
    assert alert.body.kind == "invoices.quarantined" and alert.severity is Severity.WARNING


def test_a_file_longer_than_one_run_is_continued_and_counted_exactly() -> None:
    world = World()
    upload = world.put("incoming/long.csv", csv_file(*many_rows(2 * WINDOW + 50)))
    world.time_left = 1  # under the margin: each run stops after one window
    first = world.receive(upload)
    assert first.status == "continued" and first.counts.created == WINDOW
    while world.queue.sent:
        outcome = continue_upload(
            world.queue.sent.pop(0), ports=world.ports, settings=world.settings, time_left=lambda: 1
        )
    assert outcome.status == "imported" and outcome.runs == 3
    assert outcome.counts.created == 2 * WINDOW + 50 and len(world.invoices()) == 2 * WINDOW + 50
    assert world.objects.report("processed/long.csv.report.json")["runs"] == 3
    assert len(world.ledger.alerts) == 1


def test_a_run_retried_after_a_crash_counts_what_the_crashed_attempt_wrote() -> None:
    world = World()
    upload = world.put("incoming/long.csv", csv_file(*many_rows(2 * WINDOW + 50)))
    world.ledger.fail_on_write = 1  # the second batch of writes fails
    with pytest.raises(ConnectionError):
        world.receive(upload)
    assert len(world.invoices()) == WINDOW and world.ledger.alerts == []
    outcome = world.receive(upload)  # the trigger's retry
    assert (outcome.counts.created, outcome.counts.unchanged) == (2 * WINDOW + 50, 0)


def test_an_invoice_repeated_in_the_file_is_recorded_once() -> None:
    world = World()
    outcome = world.upload("incoming/twice.csv", csv_file(row(7), row(8), row(7)))
    assert (outcome.counts.created, outcome.counts.unchanged) == (2, 0)
    warnings = world.objects.report("processed/twice.csv.report.json")["warnings"]
    assert warnings == [
        {
            "line": 2,
            "message": "A linha 4 repete a linha 2: lida uma vez só",
            "code": "repeated_line",
            "reason": "line 4 repeats line 2: read once",
        }
    ]


def test_an_existing_account_is_found_by_its_email() -> None:
    world = World()
    account = Account(
        account_id="padaria", name="Padaria", locale="es", contact=Contact(name="Ana"), created_at=T0, version=0
    )
    world.store.commit(
        AccountChange(
            account=account,
            recorded_at=T0,
            expected_version=None,
            references=(("email", "financeiro@boavista.example"),),
        )
    )
    outcome = world.upload("incoming/nov.csv", csv_file(row(1, tax_id="")))
    assert outcome.counts.accounts_opened == 0
    assert [r.invoice.key for r in world.store.ledgers["padaria"].invoices] == ["erp::invoice:1"]


def test_customers_are_told_of_new_invoices_when_the_setting_is_on() -> None:
    world = World(notices=True)
    world.upload("incoming/nov.csv", BASIC)
    (notice,) = world.ledger.notices  # Maria has no e-mail or phone: nobody to tell
    assert (notice.audience, notice.account_id, notice.body.kind) == (
        Audience.CUSTOMER,
        TAX_ACCOUNT,
        "invoice.issued",
    )
    assert world.ledger.writes == ["notices", "invoices"]
    world.upload("incoming/again.csv", BASIC)
    assert len(world.ledger.notices) == 1  # nothing new, nobody told again


def test_new_account_ids_carry_no_personal_data_and_are_stable() -> None:
    by_tax_id = new_account_id([("tax_id", "12345678000195")])
    by_email = new_account_id([("email", "ana@x.example")])
    assert by_tax_id.startswith("acct-") and "12345678000195" not in by_tax_id
    assert by_email.startswith("acct-") and "ana" not in by_email
    assert by_tax_id == new_account_id([("tax_id", "12345678000195"), ("email", "other@x.example")])
    # The business's own reference is, by convention, the account's id (made safe for a key).
    assert new_account_id([("reference", "cliente 42/b")]) == "cliente-42-b"


def test_a_file_deleted_before_it_is_read_is_skipped_with_a_report() -> None:
    world = World()
    upload = world.put("incoming/nov.csv", BASIC)
    world.objects.deleted[upload.key] = world.objects.objects.pop(upload.key)  # a delete marker over the version
    outcome = world.receive(upload)
    assert (outcome.status, outcome.report) == ("skipped", "processed/nov.csv.report.json")
    assert world.invoices() == {} and world.store.ledgers == {} and world.store.outbox == []
    assert world.ledger.alerts == [] and world.ledger.markers == {}  # nobody is told: whoever deleted it meant it
    report = world.objects.report("processed/nov.csv.report.json")
    assert (report["status"], report["reason"], report["moved_to"]) == (
        "skipped",
        "the file was deleted before it was read: nothing was recorded",
        None,
    )
    assert report["counts"] == {"invoices": 0, "imported": 0, "rejected": 0}
    assert set(world.objects.objects) == {"processed/nov.csv.report.json"}  # nothing moved, nothing quarantined
    again = world.receive(upload)  # a repeated delivery looks again, and says the same
    assert again.status == "skipped" and world.objects.report("processed/nov.csv.report.json") == report


def test_a_version_deleted_for_good_is_skipped_too() -> None:
    world = World()
    upload = world.put("incoming/nov.csv", BASIC)
    del world.objects.objects[upload.key]
    assert world.receive(upload).status == "skipped" and world.invoices() == {}


def test_a_file_deleted_after_a_crashed_attempt_began_is_recorded_to_the_end() -> None:
    world = World()
    upload = world.put("incoming/long.csv", csv_file(*many_rows(2 * WINDOW + 50)))
    world.ledger.fail_on_write = 1  # the second batch of writes fails
    with pytest.raises(ConnectionError):
        world.receive(upload)
    world.objects.deleted[upload.key] = world.objects.objects.pop(upload.key)  # deleted while it looked stuck
    outcome = world.receive(upload)  # the trigger's retry
    assert (outcome.status, outcome.counts.created, outcome.counts.accounts_opened) == ("imported", 2 * WINDOW + 50, 10)


def test_a_retry_after_a_crash_counts_the_accounts_the_crashed_attempt_opened() -> None:
    world = World()
    upload = world.put("incoming/nov.csv", BASIC)
    world.ledger.fail_on_write = 0  # the first batch of writes fails: the accounts are open, no invoice written
    with pytest.raises(ConnectionError):
        world.receive(upload)
    assert set(world.store.ledgers) == {TAX_ACCOUNT, OTHER_ACCOUNT} and world.invoices() == {}
    outcome = world.receive(upload)  # the trigger's retry finds both accounts open
    assert (outcome.counts.created, outcome.counts.accounts_opened) == (2, 2)
    counts = world.objects.report("processed/nov.csv.report.json")["counts"]
    assert (counts["created"], counts["accounts_opened"], counts["unchanged"]) == (2, 2, 0)
    (alert,) = world.ledger.alerts
    assert isinstance(alert.body, InvoicesImported) and alert.body.accounts_opened == 2


def test_a_retry_after_the_invoices_were_written_counts_them_and_their_accounts() -> None:
    world = World()
    upload = world.put("incoming/long.csv", csv_file(*many_rows(2 * WINDOW + 50)))
    world.ledger.fail_on_write = 1  # the first window is written, the second fails
    with pytest.raises(ConnectionError):
        world.receive(upload)
    world.ledger.fail_on_write = 1  # and the retry, writing from the second window, fails in the third
    with pytest.raises(ConnectionError):
        world.receive(upload)
    outcome = world.receive(upload)
    assert (outcome.counts.created, outcome.counts.unchanged, outcome.counts.accounts_opened) == (
        2 * WINDOW + 50,
        0,
        10,
    )
    # A second upload of the same customers opens nothing, even at the same moment.
    again = world.upload("incoming/again.csv", csv_file(*many_rows(20)))
    assert (again.counts.accounts_opened, again.counts.unchanged) == (0, 20)


def test_a_retry_applies_the_cancellation_kept_for_an_nfe_its_crashed_attempt_wrote() -> None:
    from infra.local.demo_invoices import nfe_document

    world = World()
    document = nfe_document(
        number="4521",
        customer_cnpj="11222333000181",
        customer_name="Mercado Central Ltda",
        customer_email="contas@mercadocentral.example",
        issued="2026-11-01",
        installments=[("001", "2026-12-01", "1500.00")],
    )
    access_key = document.split(b'Id="NFe', 1)[1][:44].decode()
    # The cancellation arrived first and was kept until the NF-e came.
    world.ledger.parked[access_key] = CancellationRecord(
        access_key=access_key, cancelled_at=T0, recorded_at=T0, origin="upload:incoming/cancel.xml@v0#1"
    )
    reads = world.ledger.parked_cancellations

    def crash_once(access_keys: Any) -> list[CancellationRecord]:
        world.ledger.parked_cancellations = reads  # type: ignore[method-assign]
        raise ConnectionError("the table could not be reached")

    world.ledger.parked_cancellations = crash_once  # type: ignore[method-assign]
    upload = world.put("incoming/nfe-4521.xml", document)
    with pytest.raises(ConnectionError):  # the NF-e is written, its cancellation not applied yet
        world.receive(upload)
    outcome = world.receive(upload)
    assert (outcome.counts.created, outcome.counts.cancelled, outcome.counts.accounts_opened) == (1, 1, 1)
    (ledger,) = world.store.ledgers.values()
    assert [c.access_key for c in ledger.cancellations] == [access_key]
