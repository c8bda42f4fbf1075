"""One sale, one receivable, on the payments use case: a payment settles the invoice it pays, a provider's invoice
for an uploaded NF-e is the same sale, one customer is one account across sources, and a dispute lands on the
account of the payment it is about."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ponte.domain import events as ev
from ponte.domain.accounts import Account, Contact
from ponte.domain.bodies.accounts import AccountsMerged, AccountsNotMerged
from ponte.domain.bodies.payments import PaymentUnmatchedAlert
from ponte.domain.identity import new_account_id
from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Party, SourceFormat
from ponte.domain.ledger import InvoiceRecord, Ledger
from ponte.domain.matching import MatchRule
from ponte.domain.money import Money
from ponte.domain.notifications import Audience
from ponte.services.payments import UnknownPayment
from tests.memory_store import MemoryLedgerStore
from tests.support import T0
from tests.unit.test_payments_service import apply

ACCESS_KEY = "35180834128745000152550010000474281920007498"
TAX_ID = "12345678000195"


def brl(cents: int) -> Money:
    return Money(amount=cents, currency="BRL")


def nfe(number: str, cents: int, *, due: date = date(2026, 11, 20), key: str = ACCESS_KEY) -> InvoiceRecord:
    invoice = Invoice(
        key=f"nfe:{key}",
        number=number,
        series="1",
        kind=InvoiceKind.INVOICE,
        issue_date=date(2026, 10, 20),
        currency="BRL",
        total=brl(cents),
        installments=(Installment(number="001", due_date=due, amount=brl(cents)),),
        customer=Party(name="Padaria Estrela", tax_id=TAX_ID),
        source=SourceFormat.NFE,
        access_key=key,
    )
    return InvoiceRecord(invoice=invoice, recorded_at=T0 - timedelta(days=10), origin="upload:incoming/nfe.xml@v1#1")


def uploaded_account(store: MemoryLedgerStore, *records: InvoiceRecord) -> str:
    """The account an NF-e upload opened: keyed by the buyer's tax id, which it claimed."""
    account_id = new_account_id([("tax_id", TAX_ID)])
    account = Account(
        account_id=account_id,
        name="Padaria Estrela",
        locale="pt-BR",
        contact=Contact(name="Padaria Estrela"),
        created_at=T0 - timedelta(days=10),
        tax_id=TAX_ID,
        references=(("tax_id", TAX_ID),),
    )
    store.ledgers[account_id] = Ledger(account=account, invoices=records)
    store.references[("tax_id", TAX_ID)] = account_id
    return account_id


CUSTOMER = ev.CustomerRef(id="cus_9", name="Padaria Estrela", email="compras@padaria.example", tax_id=TAX_ID)


def stripe_invoice(links: ev.SaleLinks, *, cents: int = 500_00) -> ev.InvoiceIssued:
    return ev.InvoiceIssued(
        provider="stripe",
        event_id="evt_fin",
        occurred_at=T0 - timedelta(days=5),
        customer=CUSTOMER,
        amount=brl(cents),
        invoice_id="in_9",
        invoice_number="STRP-0009",
        due_date=date(2026, 11, 20),
        links=links,
        payment_url="https://invoice.stripe.com/i/acct_1/test_9",
    )


def stripe_paid(event_id: str = "evt_paid", *, cents: int = 500_00, **extra: object) -> ev.PaymentReceived:
    return ev.PaymentReceived.model_validate(
        {
            "provider": "stripe",
            "event_id": event_id,
            "occurred_at": T0,
            "customer": CUSTOMER,
            "amount": brl(cents),
            "payment_id": "pi_9",
            "invoice_id": "in_9",
            "payment_method": "pix",
        }
        | extra
    )


def owed(store: MemoryLedgerStore, account_id: str) -> dict[str, int]:
    ledger = store.load_ledger(account_id)
    assert ledger is not None
    return {r.invoice_id: r.outstanding.amount for r in ledger.receivables()}


@pytest.mark.parametrize(
    "links",
    [ev.SaleLinks(access_key=ACCESS_KEY), ev.SaleLinks(reference="47428"), ev.SaleLinks()],
    ids=["access key", "NF-e number in metadata", "no link: the only invoice of that amount"],
)
def test_the_providers_invoice_for_an_uploaded_nfe_is_the_same_sale_and_its_payment_settles_it(
    links: ev.SaleLinks,
) -> None:
    store = MemoryLedgerStore()
    account_id = uploaded_account(store, nfe("47428", 500_00))
    apply(store, stripe_invoice(links))
    assert owed(store, account_id) == {f"nfe:{ACCESS_KEY}": 500_00}  # one receivable, not two
    assert any(e.what == "invoice.linked" for e in store.timeline)
    apply(store, stripe_paid())
    assert owed(store, account_id) == {f"nfe:{ACCESS_KEY}": 0}
    (entry,) = [e for e in store.timeline if e.what == "payment.received"]
    assert entry.facts["matched_by"] == "provider_invoice" and entry.facts["invoice"] == "47428"
    # The customer had been invoiced by the business before: a payment, not a new customer.
    assert not [n for n in store.outbox if n.body.kind == "customer.new"]


def test_a_payment_naming_an_nfe_pays_it_and_not_the_oldest_invoice() -> None:
    store = MemoryLedgerStore()
    older = nfe("100", 300_00, due=date(2026, 10, 1), key="35180834128745000152550010000001001000000100")
    account_id = uploaded_account(store, older, nfe("47428", 500_00))
    apply(store, stripe_paid(invoice_id=None, cents=300_00, links=ev.SaleLinks(invoice_number="47428", series="1")))
    assert owed(store, account_id) == {older.invoice.key: 300_00, f"nfe:{ACCESS_KEY}": 200_00}


def test_a_payment_that_names_nothing_among_several_open_invoices_is_allocated_oldest_first_and_announced() -> None:
    store = MemoryLedgerStore()
    older = nfe("100", 300_00, due=date(2026, 10, 1), key="35180834128745000152550010000001001000000100")
    account_id = uploaded_account(store, older, nfe("47428", 500_00))
    apply(store, stripe_paid(invoice_id=None, cents=350_00))
    assert owed(store, account_id) == {older.invoice.key: 0, f"nfe:{ACCESS_KEY}": 450_00}
    (alert,) = [n for n in store.outbox if isinstance(n.body, PaymentUnmatchedAlert)]
    assert alert.team == "collections" and isinstance(alert.body, PaymentUnmatchedAlert)
    assert [c.invoice_number for c in alert.body.candidates] == ["NF-e 100", "NF-e 47428"]  # as staff know them


def test_a_dispute_lands_on_the_account_of_its_payment_and_holds_the_invoice_it_paid() -> None:
    store = MemoryLedgerStore()
    account_id = uploaded_account(store, nfe("47428", 500_00))
    apply(store, stripe_paid(invoice_id=None, links=ev.SaleLinks(access_key=ACCESS_KEY)))
    dispute = ev.ChargebackOpened(
        provider="stripe",
        event_id="evt_dp",
        occurred_at=T0 + timedelta(days=3),
        customer=ev.CustomerRef(),  # a Stripe dispute names no customer
        amount=brl(500_00),
        payment_id="pi_9",
        reason="fraudulent",
    )
    applied = apply(store, dispute)
    assert applied.account_id == account_id and len(store.ledgers) == 1
    ledger = store.load_ledger(account_id)
    assert ledger is not None
    (receivable,) = ledger.receivables()
    assert receivable.disputed and receivable.outstanding == brl(500_00)


def test_a_dispute_for_a_payment_never_recorded_opens_no_account() -> None:
    store = MemoryLedgerStore()
    dispute = ev.ChargebackOpened(
        provider="stripe",
        event_id="evt_dp",
        occurred_at=T0,
        customer=ev.CustomerRef(),
        amount=brl(500_00),
        payment_id="pi_unknown",
    )
    with pytest.raises(UnknownPayment):
        apply(store, dispute)
    assert store.ledgers == {} and store.outbox == []


def test_an_account_known_twice_is_merged_once_the_same_tax_id_arrives_and_nobody_else_is_told() -> None:
    store = MemoryLedgerStore()
    account_id = uploaded_account(store, nfe("47428", 500_00))
    # Stripe knew the customer by its id and e-mail only: a second account.
    first = apply(store, stripe_paid("evt_a", customer=CUSTOMER.model_copy(update={"tax_id": None}), cents=500_00))
    assert first.account_id != account_id
    # Later Stripe sends the customer's tax id: the two accounts are one customer.
    later = apply(store, stripe_invoice(ev.SaleLinks(), cents=120_00).model_copy(update={"event_id": "evt_b"}))
    assert later.account_id == account_id
    survivor = store.load_ledger(account_id)
    assert survivor is not None and {p.payment_id for p in survivor.payments} == {"pi_9"}
    assert store.load_ledger(first.account_id) == survivor  # the absorbed account leads to the survivor
    assert store.ledgers[first.account_id].account.merged_into == account_id
    merged = [n for n in store.outbox if isinstance(n.body, AccountsMerged)]
    assert len(merged) == 1 and merged[0].audience is Audience.STAFF
    assert not [n for n in store.outbox if n.audience is Audience.CUSTOMER and n.occurred_at >= T0]
    # Its references now lead to the survivor.
    assert store.references[("stripe", "cus_9")] == account_id


def test_two_tax_ids_are_never_merged() -> None:
    store = MemoryLedgerStore()
    account_id = uploaded_account(store, nfe("47428", 500_00))
    other = CUSTOMER.model_copy(update={"tax_id": "98765432000110", "email": None})
    apply(store, stripe_paid("evt_a", customer=other))
    # The same Stripe customer id now arrives with the NF-e's tax id: two tax ids, so no merge.
    apply(store, stripe_invoice(ev.SaleLinks(), cents=120_00).model_copy(update={"event_id": "evt_b"}))
    assert all(ledger.account.merged_into is None for ledger in store.ledgers.values())
    assert [n for n in store.outbox if isinstance(n.body, AccountsNotMerged)]
    assert store.load_ledger(account_id) is not None


def test_a_shared_email_never_joins_two_tax_ids() -> None:
    store = MemoryLedgerStore()
    account_id = uploaded_account(store, nfe("47428", 500_00))
    store.references[("email", "escritorio@contabil.example")] = account_id
    stranger = ev.CustomerRef(id="cus_x", email="escritorio@contabil.example", tax_id="98765432000110")
    applied = apply(store, stripe_paid("evt_x", customer=stranger, invoice_id=None))
    assert applied.account_id != account_id and applied.created


def test_an_account_a_payment_opens_speaks_the_customers_language_when_the_provider_says() -> None:
    store = MemoryLedgerStore()
    spanish = ev.CustomerRef(id="cus_es", name="Tienda Sol", email="lucia@tienda-sol.example", locale="es")
    applied = apply(store, stripe_paid("evt_es", customer=spanish, invoice_id=None))
    ledger = store.load_ledger(applied.account_id or "")
    assert ledger is not None and ledger.account.locale == "es"


PADARIA = Account(
    account_id="a", name="Padaria Estrela", locale="pt-BR", contact=Contact(name="Padaria Estrela"), created_at=T0
)


def erp_row(number: str, cents: int, *, key: str | None = ACCESS_KEY) -> InvoiceRecord:
    """The ERP's receivable for a sale, uploaded as a CSV row whose `chave` names the sale's NF-e."""
    invoice = Invoice(
        key=f"erp::invoice:{number}",
        number=number,
        kind=InvoiceKind.INVOICE,
        issue_date=date(2026, 10, 20),
        currency="BRL",
        total=brl(cents),
        installments=(Installment(number="1", due_date=date(2026, 11, 20), amount=brl(cents)),),
        customer=Party(name="Padaria Estrela", tax_id=TAX_ID),
        source=SourceFormat.CSV,
        access_key=key,
    )
    return InvoiceRecord(invoice=invoice, recorded_at=T0 - timedelta(days=9), origin="upload:incoming/erp.csv@v1#2")


@pytest.mark.parametrize("order", ["nfe-first", "csv-first"])
def test_an_erp_receivable_naming_an_uploaded_nfe_is_the_same_sale_not_a_second_debt(order: str) -> None:
    records = [nfe("47428", 450_00), erp_row("47428", 450_00)]
    ledger = Ledger(
        account=PADARIA,
        invoices=tuple(records if order == "nfe-first" else reversed(records)),
    )

    owed = {r.invoice_id: r.outstanding.amount for r in ledger.receivables()}

    assert owed == {f"nfe:{ACCESS_KEY}": 450_00}, "one receivable: the NF-e's"
    link = ledger.allocate().links["erp::invoice:47428"]
    assert (link.invoice_key, link.rule) == (f"nfe:{ACCESS_KEY}", MatchRule.ACCESS_KEY)


def test_an_erp_receivable_naming_no_recorded_nfe_is_its_own_debt() -> None:
    other = "35180834128745000152550010000999991920007490"
    ledger = Ledger(
        account=PADARIA,
        invoices=(nfe("47428", 450_00), erp_row("99999", 120_00, key=other)),
    )

    owed = {r.invoice_id: r.outstanding.amount for r in ledger.receivables()}

    assert owed == {f"nfe:{ACCESS_KEY}": 450_00, "erp::invoice:99999": 120_00}


def test_a_providers_invoice_for_the_erp_receivable_stands_through_it_for_the_nfe() -> None:
    stripe = Invoice(
        key="stripe:in_1",
        number="ABC-0001",
        kind=InvoiceKind.INVOICE,
        issue_date=date(2026, 10, 21),
        currency="BRL",
        total=brl(450_00),
        installments=(Installment(number="1", due_date=date(2026, 11, 20), amount=brl(450_00)),),
        customer=Party(name="Padaria Estrela"),
        source=SourceFormat.PROVIDER,
        links=ev.SaleLinks(reference="erp::invoice:47428"),  # the ERP's receivable, by its key
    )
    provider = InvoiceRecord(invoice=stripe, recorded_at=T0 - timedelta(days=8), origin="stripe:evt_fin")
    ledger = Ledger(account=PADARIA, invoices=(erp_row("47428", 450_00), provider, nfe("47428", 450_00)))

    allocation = ledger.allocate()

    assert {r.invoice_id for r in allocation.receivables} == {f"nfe:{ACCESS_KEY}"}
    assert allocation.links["stripe:in_1"].invoice_key == f"nfe:{ACCESS_KEY}"
