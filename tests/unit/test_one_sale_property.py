"""The property behind "one sale, one receivable", through the use cases themselves: whatever order the NF-e upload,
the provider's invoice and the payment of one sale arrive in, and whatever links they carry, the account ends
owing nothing for that sale and the collections ladder has nothing to tell the customer about it afterwards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ponte.calendar import business_holidays
from ponte.domain import events as ev
from ponte.domain.dunning import NotifyCustomer
from ponte.domain.identity import new_account_id
from ponte.domain.money import Money
from ponte.domain.policy import default_policy
from ponte.services.collections import decide
from ponte.services.payments import PaymentSettings, apply_delivery
from tests.support import T0
from tests.unit.test_uploads_service import World

ACCESS_KEY = "35180834128745000152550010000474281920007498"
TAX_ID = "12345678000195"
SETTINGS = PaymentSettings(staff_locale="pt-BR", customer_locale="pt-BR", time_zone="America/Sao_Paulo")
POLICY = default_policy()
HOLIDAYS = business_holidays("BR", range(2025, 2028))
CUSTOMER = ev.CustomerRef(id="cus_7", name="Padaria Estrela", email="compras@padaria.example", tax_id=TAX_ID)
LINKS = {
    "none": ev.SaleLinks(),
    "access key": ev.SaleLinks(access_key=ACCESS_KEY),
    "number": ev.SaleLinks(invoice_number="47428", series="1"),
    "reference": ev.SaleLinks(reference="1-47428"),
}
# An unrelated, older invoice of the same customer and the same amount, still owed: the sale's payment must not go
# to it, and the amount alone cannot tell them apart.
NFE_CSV = (
    "Número;Série;Cliente;CNPJ/CPF;Valor;Vencimento;Emissão;Chave\n"
    f"47428;1;Padaria Estrela;12.345.678/0001-95;500,00;20/11/2026;01/11/2026;{ACCESS_KEY}\n"
    "39001;1;Padaria Estrela;12.345.678/0001-95;500,00;01/10/2026;15/09/2026;\n"
).encode()


SALE, OLDER = "erp:1:invoice:47428", "erp:1:invoice:39001"


def _provider_invoice(links: ev.SaleLinks, at: datetime) -> ev.InvoiceIssued:
    return ev.InvoiceIssued(
        provider="stripe",
        event_id="evt_fin",
        occurred_at=at,
        customer=CUSTOMER,
        amount=Money(amount=500_00, currency="BRL"),
        invoice_id="in_7",
        invoice_number="STRP-0007",
        due_date=date(2026, 11, 20),
        links=links,
    )


def _payment(links: ev.SaleLinks, names_invoice: bool, at: datetime) -> ev.PaymentReceived:
    return ev.PaymentReceived(
        provider="stripe",
        event_id="evt_paid",
        occurred_at=at,
        customer=CUSTOMER,
        amount=Money(amount=500_00, currency="BRL"),
        payment_id="pi_7",
        invoice_id="in_7" if names_invoice else None,
        links=links,
    )


@settings(max_examples=60, deadline=None)
@given(
    order=st.permutations(["upload", "provider invoice", "payment"]),
    invoice_links=st.sampled_from(sorted(LINKS)),
    payment_links=st.sampled_from(sorted(LINKS)),
    names_invoice=st.booleans(),
)
def test_one_sale_is_one_receivable_settled_by_its_payment_in_any_order(
    order: list[str], invoice_links: str, payment_links: str, names_invoice: bool
) -> None:
    # With two open invoices of the same amount, something must name the sale: a link on the provider's invoice,
    # or on the payment of that invoice. A sale nobody names is the oldest-first case, which has its own test.
    assume(invoice_links != "none" or (names_invoice and payment_links != "none"))
    assume(names_invoice or payment_links != "none")
    world = World()
    steps: dict[str, Callable[[datetime], object]] = {
        "upload": lambda at: world.upload("incoming/nfe-47428.csv", NFE_CSV, at=at),
        "provider invoice": lambda at: apply_delivery(
            [_provider_invoice(LINKS[invoice_links], at)],
            store=world.store,
            settings=SETTINGS,
            recompute=lambda ledger, now, cause: None,
            now=at,
        ),
        "payment": lambda at: apply_delivery(
            [_payment(LINKS[payment_links], names_invoice, at)],
            store=world.store,
            settings=SETTINGS,
            recompute=lambda ledger, now, cause: None,
            now=at,
        ),
    }
    for position, step in enumerate(order):
        steps[step](T0 + timedelta(hours=position))

    ledger = world.store.load_ledger(new_account_id([("tax_id", TAX_ID)]))
    assert ledger is not None and len(world.store.ledgers) == 1  # one customer, one account
    owed = {r.invoice_id: r.outstanding.amount for r in ledger.receivables()}
    assert owed == {SALE: 0, OLDER: 500_00}, owed
    # Days later the ladder speaks of the older invoice only, never of the sale that was paid.
    for days in (1, 10, 25, 40):
        decision = decide(
            ledger, now=T0 + timedelta(days=days), policy=POLICY, time_zone="America/Sao_Paulo", holidays=HOLIDAYS
        )
        for action in decision.actions:
            if isinstance(action, NotifyCustomer):
                assert SALE not in {c.invoice_id for c in action.invoices}, action
