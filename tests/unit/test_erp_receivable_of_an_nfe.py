"""An ERP's receivable that names no access key is the NF-e of its number: the receivables export and the NF-e's
XML of one sale are one receivable, whichever is uploaded first. What tells two sales apart keeps them apart: a
series, an amount beyond the NF-e's, two NF-e or two receivables of one number."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from ponte.domain.accounts import Account, Contact
from ponte.domain.events import SaleLinks
from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Party, SourceFormat, erp_invoice_key
from ponte.domain.ledger import InvoiceRecord, Ledger, PaymentRecord, WriteOffRecord
from ponte.domain.matching import MatchRule
from ponte.domain.money import Money
from tests.support import T0
from tests.unit.test_uploads_service import World

DOCUMENTS = Path(__file__).parent / "invoices" / "documents"
# NF-e 1, series 1, of R$ 76,67 in three duplicatas (13/02, 15/03 and 14/04/2015) to a CNPJ 71.058.884/0001-83,
# published by asseinfo-br; its files are received in January 2015, when it was issued.
NFE = DOCUMENTS / "asseinfo-br_danfe__nfe_simples_nacional_authorized.xml"
NFE_KEY = "nfe:35150162013294000143550010000000011000000018"
BUYER = "Nome do Destinatario Pj Ltda;71.058.884/0001-83;financeiro@destinatario.example"
RECEIVED = datetime(2015, 1, 20, 12, 0, tzinfo=UTC)
HEADER = "Número;Série;Parcela;Cliente;CNPJ;E-mail;Valor;Vencimento\n"


def receivables(*rows: str) -> bytes:
    return (HEADER + "".join(f"{row}\n" for row in rows)).encode()


def owed(world: World) -> dict[str, int]:
    """What each invoice still owes, its installments together."""
    (ledger,) = world.store.ledgers.values()
    by_invoice: dict[str, int] = {}
    for receivable in ledger.receivables():
        by_invoice[receivable.invoice_id] = by_invoice.get(receivable.invoice_id, 0) + receivable.outstanding.amount
    return by_invoice


@pytest.mark.parametrize("order", ["nfe-first", "receivables-first"])
def test_the_erps_receivable_of_an_nfe_is_its_sale_whichever_comes_first(order: str) -> None:
    world = World()
    # As the ERP exports it: the number with its zeros, in two installments, no access key.
    book = receivables(
        f"000001;001;1/3;{BUYER};25,56;13/02/2015",
        f"000001;001;2/3;{BUYER};25,56;15/03/2015",
        f"000001;001;3/3;{BUYER};25,55;14/04/2015",
    )
    uploads = [("incoming/nfe-1.xml", NFE.read_bytes()), ("incoming/receber.csv", book)]
    for n, (key, data) in enumerate(uploads if order == "nfe-first" else uploads[::-1]):
        outcome = world.upload(key, data, RECEIVED + timedelta(hours=n))
        assert (outcome.counts.created, outcome.rejected) == (1, 0)

    assert sum(owed(world).values()) == 7667, "one sale, owed once"
    assert set(owed(world)) == {NFE_KEY}
    (ledger,) = world.store.ledgers.values()
    assert ledger.allocate().links[erp_invoice_key("1", InvoiceKind.INVOICE, "1")].rule is MatchRule.NUMBER


def test_a_receivable_of_the_number_and_another_series_is_another_sale() -> None:
    world = World()
    world.upload("incoming/nfe-1.xml", NFE.read_bytes(), RECEIVED)
    world.upload("incoming/receber.csv", receivables(f"1;2;1;{BUYER};76,67;13/02/2015"), RECEIVED)
    assert sum(owed(world).values()) == 2 * 7667


def test_a_receivable_beyond_the_nfes_total_is_another_sale() -> None:
    world = World()
    world.upload("incoming/nfe-1.xml", NFE.read_bytes(), RECEIVED)
    world.upload("incoming/receber.csv", receivables(f"1;;1;{BUYER};500,00;13/02/2015"), RECEIVED)
    assert sum(owed(world).values()) == 7667 + 50000


ACCOUNT = Account(account_id="acme", name="Acme", locale="pt-BR", contact=Contact(name="Ana"), created_at=T0)


def record(source: SourceFormat, key: str, number: str, cents: int, *, series: str | None = "1") -> InvoiceRecord:
    money = Money(amount=cents, currency="BRL")
    invoice = Invoice(
        key=key,
        number=number,
        series=series,
        kind=InvoiceKind.INVOICE,
        issue_date=date(2026, 11, 1),
        currency="BRL",
        total=money,
        installments=(Installment(number="1", due_date=date(2026, 12, 10), amount=money),),
        customer=Party(name="Acme"),
        source=source,
    )
    return InvoiceRecord(invoice=invoice, recorded_at=T0, origin="test")


def boleto_paid(slip: str) -> PaymentRecord:
    """A payment of R$ 100,00 that names the boleto it paid, and nothing else."""
    return PaymentRecord(
        provider="asaas",
        payment_id="pay_1",
        amount=Money(amount=10000, currency="BRL"),
        received_at=T0,
        links=SaleLinks(bank_slip=slip),
    )


def total_owed(*records: InvoiceRecord) -> int:
    return sum(r.outstanding.amount for r in Ledger(account=ACCOUNT, invoices=records).receivables())


def test_the_rest_of_an_nfe_in_a_book_that_leaves_out_paid_installments_is_that_nfe() -> None:
    nfe = record(SourceFormat.NFE, "nfe:1", "123", 30000)
    rest = record(SourceFormat.CSV, erp_invoice_key("1", InvoiceKind.INVOICE, "123"), "000123", 10000)
    assert total_owed(nfe, rest) == 30000


def test_two_nfe_of_one_number_from_two_branches_link_no_receivable() -> None:
    branches = (record(SourceFormat.NFE, "nfe:1", "123", 10000), record(SourceFormat.NFE, "nfe:2", "123", 10000))
    erp = record(SourceFormat.CSV, "erp:1:invoice:123", "123", 10000)
    assert total_owed(*branches, erp) == 30000, "which NF-e it is, nothing tells: both owed, none guessed"


def test_two_receivables_of_one_nfes_number_link_neither() -> None:
    nfe = record(SourceFormat.NFE, "nfe:1", "123", 10000)
    with_series = record(SourceFormat.CSV, "erp:1:invoice:123", "123", 10000)
    without = record(SourceFormat.JSON, "erp::invoice:123", "123", 10000, series=None)
    assert total_owed(nfe, with_series, without) == 30000


def test_a_receivable_naming_the_nfe_by_access_key_leaves_no_room_for_one_by_number() -> None:
    nfe = record(SourceFormat.NFE, NFE_KEY, "123", 10000)
    named = record(SourceFormat.CSV, "erp:1:invoice:9", "9", 10000)
    named = named.model_copy(
        update={"invoice": named.invoice.model_copy(update={"access_key": NFE_KEY.removeprefix("nfe:")})}
    )
    numbered = record(SourceFormat.CSV, "erp:1:invoice:123", "123", 10000)
    ledger = Ledger(account=ACCOUNT, invoices=(nfe, named, numbered))
    assert {key: match.rule for key, match in ledger.allocate().links.items()} == {
        "erp:1:invoice:9": MatchRule.ACCESS_KEY
    }
    assert sum(r.outstanding.amount for r in ledger.receivables()) == 20000


@pytest.mark.parametrize("linked_by", [MatchRule.NUMBER, MatchRule.ACCESS_KEY])
def test_a_providers_invoice_of_the_same_amount_is_the_sale_of_an_nfe_and_its_erp_row(linked_by: MatchRule) -> None:
    """The NF-e's XML, the ERP's receivable and the provider's invoice of one sale: one receivable, not two."""
    nfe = record(SourceFormat.NFE, NFE_KEY, "123", 10000)
    row = record(SourceFormat.CSV, erp_invoice_key("1", InvoiceKind.INVOICE, "123"), "000123", 10000)
    if linked_by is MatchRule.ACCESS_KEY:
        row = row.model_copy(update={"invoice": row.invoice.model_copy(update={"access_key": NFE_KEY[4:]})})
    provider = record(SourceFormat.PROVIDER, "stripe:in_1", "in_1", 10000, series=None)
    ledger = Ledger(account=ACCOUNT, invoices=(nfe, row, provider))
    links = ledger.allocate().links
    assert (links[row.invoice.key].rule, links[row.invoice.key].invoice_key) == (linked_by, NFE_KEY)
    assert (links["stripe:in_1"].rule, links["stripe:in_1"].invoice_key) == (MatchRule.AMOUNT, NFE_KEY)
    assert total_owed(nfe, row, provider) == 10000


def test_a_providers_invoice_naming_the_number_names_the_nfe_and_not_two_invoices() -> None:
    """Its metadata names 123: the NF-e 123 and the row 000123 that stands for it are one sale, not two that fit."""
    nfe = record(SourceFormat.NFE, NFE_KEY, "123", 30000)
    row = record(SourceFormat.CSV, erp_invoice_key("1", InvoiceKind.INVOICE, "123"), "000123", 30000)
    rest = record(SourceFormat.PROVIDER, "stripe:in_1", "in_1", 20000, series=None)  # what is left of the sale
    rest = rest.model_copy(
        update={"invoice": rest.invoice.model_copy(update={"links": SaleLinks(invoice_number="123")})}
    )
    ledger = Ledger(account=ACCOUNT, invoices=(nfe, row, rest))
    link = ledger.allocate().links["stripe:in_1"]
    assert (link.invoice_key, link.rule) == (NFE_KEY, MatchRule.NUMBER)
    assert total_owed(nfe, row, rest) == 30000


def test_a_payment_of_the_boleto_only_the_erp_row_carries_pays_its_nfe() -> None:
    older = record(SourceFormat.CSV, erp_invoice_key("1", InvoiceKind.INVOICE, "99"), "99", 10000)
    nfe = record(SourceFormat.NFE, NFE_KEY, "123", 10000)
    row = record(SourceFormat.CSV, erp_invoice_key("1", InvoiceKind.INVOICE, "123"), "000123", 10000)
    row = row.model_copy(update={"invoice": row.invoice.model_copy(update={"bank_slip": "12345678901"})})
    paid = boleto_paid("12345678901")
    ledger = Ledger(account=ACCOUNT, invoices=(older, nfe, row), payments=(paid,))
    match = ledger.allocate().matches[paid.key]
    assert (match.invoice_key, match.rule) == (NFE_KEY, MatchRule.BANK_SLIP)
    assert {r.invoice_id: r.outstanding.amount for r in ledger.receivables()} == {
        erp_invoice_key("1", InvoiceKind.INVOICE, "99"): 10000,
        NFE_KEY: 0,
    }


@pytest.mark.parametrize(("written_off", "owed"), [("nfe", 0), ("row", 10000)])
def test_a_write_off_of_the_nfe_is_the_sales_and_one_of_its_row_leaves_the_nfe(written_off: str, owed: int) -> None:
    """Staff see the NF-e alone, and its write-off writes the sale off: its row does not come back as a debt. A row
    written off (as the NF-e's duplicate, before rows stood for their NF-e) leaves the NF-e owed, once."""
    nfe = record(SourceFormat.NFE, NFE_KEY, "123", 10000)
    row = record(SourceFormat.CSV, erp_invoice_key("1", InvoiceKind.INVOICE, "123"), "000123", 10000)
    gone = nfe if written_off == "nfe" else row
    off = WriteOffRecord(
        invoice_key=gone.invoice.key,
        amount=Money(amount=10000, currency="BRL"),
        at=T0,
        by="staff-1",
        by_name="Ana",
        reason="bad debt",
    )
    ledger = Ledger(account=ACCOUNT, invoices=(nfe, row), write_offs=(off,))
    assert {key: match.invoice_key for key, match in ledger.allocate().links.items()} == {row.invoice.key: NFE_KEY}
    assert sum(r.outstanding.amount for r in ledger.receivables()) == owed


def test_a_provider_invoice_naming_an_erp_rows_boleto_takes_its_nfe_from_the_amount_rule() -> None:
    """Two provider invoices of one amount: the one naming the row's boleto is the NF-e's sale; the other is another
    sale (next month's charge), owed on its own, not a second stand-in for the NF-e."""
    nfe = record(SourceFormat.NFE, NFE_KEY, "123", 10000)
    row = record(SourceFormat.CSV, erp_invoice_key("1", InvoiceKind.INVOICE, "123"), "000123", 10000)
    row = row.model_copy(update={"invoice": row.invoice.model_copy(update={"bank_slip": "12345678901"})})
    first = record(SourceFormat.PROVIDER, "asaas:pay_1", "pay_1", 10000, series=None)
    first = first.model_copy(
        update={"invoice": first.invoice.model_copy(update={"links": SaleLinks(bank_slip="12345678901")})}
    )
    second = record(SourceFormat.PROVIDER, "asaas:pay_2", "pay_2", 10000, series=None)
    ledger = Ledger(account=ACCOUNT, invoices=(nfe, row, first, second))
    links = ledger.allocate().links
    assert "asaas:pay_2" not in links
    assert sum(r.outstanding.amount for r in ledger.receivables()) == 20000


def test_links_that_fit_rows_of_two_sales_leave_the_payment_to_the_amount() -> None:
    """A payment whose reference names rows standing for two different NF-e is matched as before such rows were
    read: by its amount."""
    small = record(SourceFormat.NFE, "nfe:1", "500", 10000)
    large = record(SourceFormat.NFE, "nfe:2", "600", 20000)
    rows = [
        record(SourceFormat.CSV, erp_invoice_key("1", InvoiceKind.INVOICE, number), number, cents)
        for number, cents in (("0500", 10000), ("0600", 20000))
    ]
    rows = [r.model_copy(update={"invoice": r.invoice.model_copy(update={"bank_slip": "1234567890"})}) for r in rows]
    paid = boleto_paid("1234567890")
    ledger = Ledger(account=ACCOUNT, invoices=(small, large, *rows), payments=(paid,))
    match = ledger.allocate().matches[paid.key]
    assert (match.invoice_key, match.rule) == ("nfe:1", MatchRule.AMOUNT)
