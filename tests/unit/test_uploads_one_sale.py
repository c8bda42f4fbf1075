"""Uploads that make the data true: the opening book, name-only customers, NF-e cancellations in either order,
new customers announced with what they bought, and a defect that ends in quarantine instead of a stuck file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ponte.domain.bodies.invoices import InvoiceIssued, InvoicesImported, NewCustomerInvoice
from ponte.domain.ledger import label_of
from ponte.domain.notifications import Audience, Severity
from tests.support import T0
from tests.unit.test_uploads_service import World
from tests.upload_support import csv_file, row

DOCUMENTS = Path(__file__).parent / "invoices" / "documents"
NFE = DOCUMENTS / "asseinfo-br_danfe__nfe_simples_nacional_authorized.xml"
CANCELLATION = DOCUMENTS / "asseinfo-br_danfe__nfe_simples_nacional_cancellation_event.xml"
# The NF-e was issued on 14 January 2015: its files are received then, not years after its dates.
NFE_RECEIVED = datetime(2015, 1, 20, 12, 0, tzinfo=UTC)

LATE = csv_file(
    row(2001, amount="300,00", due="01/09/2026"),
    row(2002, customer="Maria Souza", tax_id="123.456.789-09", email="", amount="50,00", due="15/08/2026"),
)


def test_the_opening_book_is_recorded_without_telling_anyone_it_is_news() -> None:
    world = World(notices=True)
    outcome = world.upload("incoming/opening/carteira.csv", LATE)
    assert (outcome.status, outcome.counts.created, outcome.counts.accounts_opened) == ("imported", 2, 2)
    assert world.ledger.notices == []  # no invoice notice to customers
    assert [n.body.kind for n in world.store.outbox if n.audience is Audience.STAFF] == []  # no "new customer"
    (alert,) = world.ledger.alerts
    assert alert.body.kind == "invoices.imported" and getattr(alert.body, "opening", False)
    report = world.objects.report("processed/opening/carteira.csv.report.json")
    assert report["opening"] is True


def test_an_ordinary_upload_announces_each_new_customer_to_its_owner_with_what_was_bought() -> None:
    world = World()
    data = (
        "Número;Cliente;CNPJ/CPF;Valor;Vencimento;Emissão;Responsável\n"
        "3001;Padaria Boa Vista;12.345.678/0001-95;100,00;10/12/2026;01/11/2026;ana\n"
    ).encode()
    world.upload("incoming/dez.csv", data)
    (alert,) = [n for n in world.store.outbox if isinstance(n.body, NewCustomerInvoice)]
    body = alert.body
    assert isinstance(body, NewCustomerInvoice)
    assert (alert.owner, alert.team, body.invoice_number) == ("ana", "sales", "3001")
    assert [(i.due_date.isoformat(), i.amount.amount) for i in body.installments] == [("2026-12-10", 10000)]
    # The next invoice to the same customer is just an invoice.
    world.upload("incoming/jan.csv", data.replace(b"3001", b"3002"))
    assert len([n for n in world.store.outbox if isinstance(n.body, NewCustomerInvoice)]) == 1


def test_a_customer_known_only_by_name_is_imported_with_a_warning_and_an_id_without_the_name() -> None:
    world = World()
    data = "Número;Cliente;Valor;Vencimento\n4001;Quitanda do Zé;80,00;10/12/2026\n".encode()
    outcome = world.upload("incoming/nomes.csv", data)
    assert (outcome.status, outcome.counts.created) == ("imported", 1)
    (account_id,) = world.store.ledgers
    assert "Quitanda" not in account_id and "quitanda" not in account_id
    report = world.objects.report("processed/nomes.csv.report.json")
    assert report["counts"]["warnings"] == 1
    assert [(w["line"], w["code"], w["reason"]) for w in report["warnings"]] == [
        (2, "name_only", "customer identified by name only")
    ]
    # The same name in the next file finds the same account.
    world.upload("incoming/nomes2.csv", data.replace(b"4001", b"4002"))
    assert len(world.store.ledgers) == 1


@pytest.mark.parametrize("order", ["nfe first", "cancellation first"])
def test_a_cancelled_nfe_owes_nothing_whichever_arrives_first(order: str) -> None:
    world = World()
    files = [("incoming/nfe.xml", NFE.read_bytes()), ("incoming/cancelamento.xml", CANCELLATION.read_bytes())]
    if order == "cancellation first":
        files.reverse()
    for position, (key, data) in enumerate(files):
        assert world.upload(key, data, at=NFE_RECEIVED + timedelta(hours=position)).status == "imported"
    (ledger,) = world.store.ledgers.values()
    assert ledger.invoices and ledger.cancellations
    assert all(r.outstanding.amount == 0 for r in ledger.receivables())
    assert ledger.receivables() == ()  # a cancelled NF-e is no receivable at all
    (entry,) = [e for e in world.store.timeline if e.what == "invoice.cancelled"]
    assert "cancelled at SEFAZ" in entry.why
    if order == "cancellation first":
        report = world.objects.report("processed/cancelamento.xml.report.json")
        assert "kept, and applied when the NF-e arrives" in report["warnings"][0]["reason"]


def test_a_defect_met_while_recording_ends_in_quarantine_with_the_back_office_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World()

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("something no document should cause")

    monkeypatch.setattr(world.ledger, "record_invoices", broken)
    outcome = world.upload("incoming/nov.csv", LATE)
    assert outcome.status == "quarantined" and "KeyError" in (outcome.reason or "")
    assert "incoming/nov.csv" not in world.objects.objects  # not stuck in incoming/
    assert "quarantine/nov.csv.report.json" in world.objects.objects
    (alert,) = world.ledger.alerts
    assert alert.body.kind == "invoices.quarantined"


def test_a_shared_email_never_joins_two_tax_ids() -> None:
    world = World()
    office = "contabil@escritorio.example"
    data = csv_file(
        row(5001, customer="Padaria Boa Vista", tax_id="12.345.678/0001-95", email=office),
        row(5002, customer="Maria Souza", tax_id="123.456.789-09", email=office),
    )
    world.upload("incoming/escritorio.csv", data)
    assert len(world.store.ledgers) == 2  # one account per tax id, although both rows share the address
    owners = {ledger.account.tax_id for ledger in world.store.ledgers.values()}
    assert owners == {"12345678000195", "12345678909"}
    # The address leads to the account that claimed it first; the other keeps its own by tax id.
    assert world.store.references[("email", office)] in world.store.ledgers


def test_a_defect_is_logged_by_where_it_happened_never_by_what_it_said(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    world = World()

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("financeiro@boavista.example is not what we expected")

    monkeypatch.setattr(world.ledger, "record_invoices", broken)
    with caplog.at_level("ERROR"):
        world.upload("incoming/nov.csv", LATE)
    (logged,) = [r for r in caplog.records if r.getMessage() == "upload could not be recorded"]
    assert getattr(logged, "error", None) == "ValueError" and getattr(logged, "where", None)
    assert "boavista" not in caplog.text and logged.exc_info is None


def test_an_nfe_is_named_as_the_customer_knows_it_in_what_its_upload_tells() -> None:
    # A real NF-e (series 1, number 1): the owner hears of the new customer and the customer of the invoice by the
    # name the collections notices use later, the one the DANFE prints.
    world = World(notices=True)
    world.upload("incoming/nfe.xml", NFE.read_bytes(), at=NFE_RECEIVED)
    (alert,) = [n for n in world.store.outbox if isinstance(n.body, NewCustomerInvoice)]
    assert isinstance(alert.body, NewCustomerInvoice) and alert.body.invoice_number == "NF-e 1"
    (told,) = [n.body for n in world.ledger.notices if isinstance(n.body, InvoiceIssued)]
    assert told.invoice_number == "NF-e 1"
    (ledger,) = world.store.ledgers.values()
    (record,) = ledger.invoices
    assert label_of(record.invoice) == "NF-e 1"


def test_an_erp_row_naming_an_nfe_already_told_is_not_told_to_the_customer_again() -> None:
    world = World(notices=True)
    nfe = DOCUMENTS / "akretion-nfelib__35180834128745000152550010000474491454651420-nfe.xml"
    access_key = "35180834128745000152550010000474491454651420"  # the NF-e's chave
    buyer = "Representacao Comercial;53.232.886/0001-65;compras@representacao.example"
    header = "Número;Cliente;CNPJ;E-mail;Valor;Vencimento;Chave\n"
    # The ERP's receivables first give the customer an address; then the NF-e, then the rows that name it.
    world.upload("incoming/antes.csv", (header + f"900;{buyer};10,00;10/12/2026;\n").encode())
    world.upload("incoming/47449.xml", nfe.read_bytes())
    before = len(world.ledger.notices)

    world.upload(
        "incoming/receber.csv",
        (header + f"47449;{buyer};173,01;10/12/2026;{access_key}\n" + f"901;{buyer};20,00;10/12/2026;\n").encode(),
    )

    told = [n.body for n in world.ledger.notices[before:] if isinstance(n.body, InvoiceIssued)]
    assert [body.invoice_number for body in told] == ["901"], "the row naming the NF-e is its sale, already told"


def test_an_invoice_partly_paid_is_recorded_for_what_is_owed_and_one_ponte_holds_is_settled_as_the_file_says() -> None:
    world = World()
    header = "Número;Parcela;Cliente;CNPJ;Valor;Vencimento;Situação\n"
    row = "1001;{n};Padaria Boa Vista;12.345.678/0001-95;100,00;10/{m}/2026;{status}\n"
    both_open = header + row.format(n=1, m=11, status="Em aberto") + row.format(n=2, m=12, status="Em aberto")
    world.upload("incoming/recebiveis.csv", both_open.encode())
    (held,) = world.invoices().values()
    assert [i.number for i in held.invoice.installments] == ["1", "2"]

    # The next export says the first installment was paid: Ponte's invoice is not corrected down, and that
    # installment is no longer owed (the back office's word, with the day the upload was read).
    first_paid = header + row.format(n=1, m=11, status="Recebido") + row.format(n=2, m=12, status="Em aberto")
    outcome = world.upload("incoming/recebiveis-2.csv", first_paid.encode(), T0 + timedelta(days=1))
    (still,) = world.invoices().values()
    assert still.invoice == held.invoice
    assert [(r.installment, r.state, r.on, r.said_at) for r in still.reported] == [
        ("1", "paid", None, T0 + timedelta(days=1))
    ]
    (ledger,) = world.store.ledgers.values()
    assert [r.outstanding.amount for r in ledger.receivables()] == [0, 10000]
    assert outcome.counts.unchanged == 1
    report = world.objects.report("processed/recebiveis-2.csv.report.json")
    assert report["warnings"] == []
    (entry,) = [e for e in world.store.timeline if e.what == "invoice.settled_by_upload"]
    assert dict(entry.facts) == {"invoice": held.invoice.key, "paid": "1"}

    # A new invoice partly paid is recorded for what is still owed.
    new = (
        header
        + row.format(n=1, m=11, status="Pago").replace("1001", "1002")
        + row.format(n=2, m=12, status="A receber").replace("1001", "1002")
    )
    world.upload("incoming/recebiveis-3.csv", new.encode())
    recorded = {r.invoice.number: r for r in world.invoices().values()}
    assert [(i.number, i.amount.amount) for i in recorded["1002"].invoice.installments] == [("2", 10000)]


def test_a_go_live_book_counts_its_paid_and_cancelled_rows_apart_from_its_refusals() -> None:
    world = World()
    header = "Número;Parcela;Cliente;CNPJ;Valor;Vencimento;Situação\n"
    row = "{number};{n};Padaria Boa Vista;12.345.678/0001-95;100,00;10/{m}/2026;{status}\n"
    book = (
        header
        + row.format(number=1001, n=1, m=11, status="Recebido")
        + row.format(number=1001, n=2, m=12, status="Em aberto")
        + row.format(number=1002, n=1, m=11, status="Quitado")
        + row.format(number=1003, n=1, m=11, status="Cancelado")
    )

    outcome = world.upload("incoming/opening/carteira.csv", book.encode())

    assert (outcome.counts.created, outcome.rejected, outcome.settled) == (1, 0, 3)
    report = world.objects.report("processed/opening/carteira.csv.report.json")
    assert (report["counts"]["rejected"], report["counts"]["settled"]) == (0, 3)
    # Each is listed with its sentence, marked as what the file says was settled.
    assert [(r["line"], r["code"], r.get("settled")) for r in report["rejected"]] == [
        (2, "status_paid", True),
        (4, "status_paid", True),
        (5, "status_cancelled", True),
    ]
    (alert,) = world.ledger.alerts
    body = alert.body
    assert isinstance(body, InvoicesImported)
    assert (body.rejected, body.settled, body.rows, alert.severity) == (0, 3, (), Severity.INFO)
