"""What a business owner sees when a receivables export is uploaded as the ERP writes it, and when a file is sent
again: the report and the back office's alert count what the upload did, not what an earlier one had done."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from ponte.domain.bodies.invoices import InvoicesImported
from ponte.domain.money import Money
from tests.support import T0
from tests.unit.test_uploads_service import World

DOCUMENTS = Path(__file__).parent / "invoices" / "documents"

# "Contas a receber" sorted by vencimento: the second installments come after every first one.
BY_DUE_DATE = (
    "Número;Parcela;Cliente;CNPJ/CPF;E-mail;Valor;Vencimento\n"
    "1001;1/2;Padaria Boa Vista;12.345.678/0001-95;financeiro@boavista.example;100,00;10/12/2026\n"
    "1002;1/2;Padaria Boa Vista;12.345.678/0001-95;financeiro@boavista.example;70,00;12/12/2026\n"
    "1001;2/2;Padaria Boa Vista;12.345.678/0001-95;financeiro@boavista.example;100,00;10/01/2027\n"
    "1002;2/2;Padaria Boa Vista;12.345.678/0001-95;financeiro@boavista.example;70,00;12/01/2027\n"
).encode()


def test_an_export_sorted_by_due_date_records_every_installment_of_each_invoice() -> None:
    world = World()
    outcome = world.upload("incoming/opening/receber.csv", BY_DUE_DATE)
    assert (outcome.counts.created, outcome.counts.corrected, outcome.rejected) == (2, 0, 0)
    invoices = world.invoices()
    assert invoices["erp::invoice:1001"].invoice.total == Money(amount=20000, currency="BRL")
    assert [i.number for i in invoices["erp::invoice:1001"].invoice.installments] == ["1/2", "2/2"]
    assert invoices["erp::invoice:1002"].invoice.total == Money(amount=14000, currency="BRL")
    assert world.objects.report("processed/opening/receber.csv.report.json")["counts"]["invoices"] == 2
    # The same export again changes nothing.
    again = world.upload("incoming/receber.csv", BY_DUE_DATE, T0 + timedelta(days=30))
    assert (again.counts.created, again.counts.corrected, again.counts.unchanged) == (0, 0, 2)


def test_a_cancelled_nfe_sent_again_is_not_counted_as_cancelled_again() -> None:
    world = World()
    document = (DOCUMENTS / "nfephp-org-sped-da__cancelada_55_new.xml").read_bytes()
    first = world.upload("incoming/57366.xml", document)
    assert (first.counts.created, first.counts.cancelled) == (1, 1)

    again = world.upload("incoming/57366.xml", document, T0 + timedelta(days=1))

    assert (again.counts.created, again.counts.unchanged, again.counts.cancelled) == (0, 1, 0)
    assert world.objects.report("processed/57366.xml.report.json")["counts"]["cancelled"] == 0
    last = world.ledger.alerts[-1].body
    assert isinstance(last, InvoicesImported) and last.cancelled == 0
    (ledger,) = world.store.ledgers.values()
    assert len(ledger.cancellations) == 1
    assert [entry.what for entry in world.store.timeline].count("invoice.cancelled") == 1
