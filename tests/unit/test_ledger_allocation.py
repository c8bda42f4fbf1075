"""One sale, one receivable: the NF-e and the provider's invoice for it, and the payment that settles it."""

from __future__ import annotations

import itertools
import random
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ponte.domain.events import SaleLinks
from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Party, SourceFormat
from ponte.domain.ledger import CancellationRecord, ChargebackState, InvoiceRecord, Ledger, PaymentRecord
from ponte.domain.matching import Match, MatchRule
from ponte.domain.money import Money
from tests.collections_support import account
from tests.support import T0

ACCOUNT = account()
NOV, DEC, JAN = date(2026, 11, 10), date(2026, 12, 10), date(2027, 1, 10)
KEY = "35261112345678000195550010000001231000001234"
OTHER_KEY = "35261112345678000195550010000001241000005678"
HOUR = timedelta(hours=1)


def brl(cents: int) -> Money:
    return Money(amount=cents, currency="BRL")


def nfe(
    key: str,
    cents: int = 100_00,
    due: date = NOV,
    *,
    number: str | None = None,
    series: str | None = "1",
    access_key: str | None = None,
    at: datetime = T0,
    not_collectable: str | None = None,
) -> InvoiceRecord:
    """An invoice recorded from an upload (an NF-e from the ERP)."""
    installments = () if not_collectable else (Installment(number="1", due_date=due, amount=brl(cents)),)
    return InvoiceRecord(
        invoice=Invoice(
            key=key,
            number=number or key,
            series=series,
            kind=InvoiceKind.INVOICE,
            issue_date=date(2026, 11, 1),
            currency="BRL",
            total=brl(cents),
            installments=installments,
            customer=Party(name="Padaria Estrela"),
            source=SourceFormat.NFE,
            access_key=access_key,
            not_collectable=not_collectable,
        ),
        recorded_at=at,
        origin=f"upload:{key}.xml",
    )


def provider_invoice(
    key: str, cents: int = 100_00, due: date = NOV, *, links: SaleLinks | None = None, at: datetime = T0
) -> InvoiceRecord:
    """The invoice a payment provider reported (Stripe invoice.finalized, Asaas PAYMENT_CREATED)."""
    return InvoiceRecord(
        invoice=Invoice(
            key=key,
            number=key.upper(),
            kind=InvoiceKind.INVOICE,
            issue_date=date(2026, 11, 1),
            currency="BRL",
            total=brl(cents),
            installments=(Installment(number="1", due_date=due, amount=brl(cents)),),
            customer=Party(name="Padaria Estrela"),
            source=SourceFormat.PROVIDER,
            links=links,
        ),
        recorded_at=at,
        origin=f"stripe:{key}",
    )


def pay(
    payment_id: str,
    cents: int = 100_00,
    *,
    invoice_key: str | None = None,
    links: SaleLinks | None = None,
    chargeback: ChargebackState | None = None,
    at: datetime = T0,
) -> PaymentRecord:
    return PaymentRecord(
        provider="stripe",
        payment_id=payment_id,
        amount=brl(cents),
        received_at=at,
        invoice_key=invoice_key,
        links=links or SaleLinks(),
        chargeback=chargeback,
        chargeback_at=at if chargeback else None,
    )


def cancellation(access_key: str, at: datetime = T0) -> CancellationRecord:
    return CancellationRecord(access_key=access_key, cancelled_at=at, recorded_at=at, origin="sefaz:110111")


def ledger(*invoices: InvoiceRecord, payments: tuple[PaymentRecord, ...] = (), cancelled: str | None = None) -> Ledger:
    return Ledger(
        account=ACCOUNT,
        invoices=invoices,
        payments=payments,
        cancellations=(cancellation(cancelled),) if cancelled else (),
    )


def owed(book: Ledger) -> dict[str, int]:
    return {r.invoice_id: r.outstanding.amount for r in book.receivables()}


# The sale: NF-e 1-000123 of R$ 100,00, and an unrelated NF-e 1-77 of the same amount that links must tell apart.
SALE = nfe("nfe:123", number="000123", access_key=KEY)
SAME_AMOUNT = nfe("nfe:77", due=DEC, number="77", access_key=OTHER_KEY)


@pytest.mark.parametrize(
    ("links", "rule"),
    [
        (SaleLinks(reference="123"), MatchRule.EXPLICIT),
        (SaleLinks(reference="1/000123"), MatchRule.EXPLICIT),
        (SaleLinks(invoice_number="123", series="01"), MatchRule.NUMBER),
        (SaleLinks(access_key=KEY), MatchRule.ACCESS_KEY),
    ],
    ids=["reference", "reference with series", "number and series", "access key"],
)
def test_a_provider_invoice_linked_to_the_nfe_is_the_same_sale(links: SaleLinks, rule: MatchRule) -> None:
    book = ledger(SALE, SAME_AMOUNT, provider_invoice("in_1", links=links))

    allocation = book.allocate()

    assert owed(book) == {"nfe:123": 100_00, "nfe:77": 100_00}
    assert allocation.links == {"in_1": Match("nfe:123", rule)}


def test_a_provider_invoice_is_the_one_uploaded_invoice_of_its_amount() -> None:
    book = ledger(SALE, nfe("nfe:88", 250_00, DEC, number="88"), provider_invoice("in_1"))

    assert owed(book) == {"nfe:123": 100_00, "nfe:88": 250_00}
    assert book.allocate().links == {"in_1": Match("nfe:123", MatchRule.AMOUNT)}


def test_a_provider_invoice_is_not_guessed_among_uploaded_invoices_of_its_amount() -> None:
    book = ledger(SALE, SAME_AMOUNT, provider_invoice("in_1", due=JAN))

    assert owed(book) == {"nfe:123": 100_00, "nfe:77": 100_00, "in_1": 100_00}
    assert book.allocate().links == {}


def test_a_provider_invoice_whose_links_name_nothing_recorded_is_its_own_sale() -> None:
    book = ledger(SALE, SAME_AMOUNT, provider_invoice("in_1", due=JAN, links=SaleLinks(reference="999")))

    assert owed(book)["in_1"] == 100_00


def test_each_uploaded_invoice_stands_for_one_provider_invoice_at_most() -> None:
    book = ledger(
        SALE,
        provider_invoice("in_1", links=SaleLinks(access_key=KEY), at=T0),
        provider_invoice("in_2", links=SaleLinks(access_key=KEY), at=T0 + HOUR),
    )

    assert owed(book) == {"nfe:123": 100_00, "in_2": 100_00}


def test_a_payment_naming_the_provider_invoice_pays_the_nfe_it_stands_for() -> None:
    older = nfe("nfe:50", 70_00, date(2026, 10, 10), number="50")
    book = ledger(older, SALE, provider_invoice("in_1"), payments=(pay("pi_1", invoice_key="in_1"),))

    allocation = book.allocate()

    assert owed(book) == {"nfe:50": 70_00, "nfe:123": 0}
    assert allocation.matches == {"stripe:pi_1": Match("nfe:123", MatchRule.PROVIDER_INVOICE)}
    assert allocation.credit == {}


@pytest.mark.parametrize(
    ("links", "rule"),
    [
        (SaleLinks(reference="77"), MatchRule.EXPLICIT),
        (SaleLinks(invoice_number="0077", series="1"), MatchRule.NUMBER),
        (SaleLinks(access_key=OTHER_KEY), MatchRule.ACCESS_KEY),
    ],
)
def test_a_payment_with_links_pays_the_named_invoice_not_the_oldest(links: SaleLinks, rule: MatchRule) -> None:
    book = ledger(SALE, SAME_AMOUNT, payments=(pay("pi_1", links=links),))

    assert owed(book) == {"nfe:123": 100_00, "nfe:77": 0}
    assert book.allocate().matches["stripe:pi_1"] == Match("nfe:77", rule)


def test_a_payment_of_the_amount_of_one_open_invoice_pays_it() -> None:
    book = ledger(SALE, nfe("nfe:88", 40_00, DEC, number="88"), payments=(pay("pi_1", 40_00),))

    assert owed(book) == {"nfe:123": 100_00, "nfe:88": 0}
    assert book.allocate().matches["stripe:pi_1"] == Match("nfe:88", MatchRule.AMOUNT)


def test_the_amount_compares_with_what_is_still_open() -> None:
    half_paid = pay("pi_0", 60_00, invoice_key="nfe:88", at=T0)
    book = ledger(SALE, nfe("nfe:88", 160_00, DEC, number="88"), payments=(half_paid, pay("pi_1", at=T0 + HOUR)))

    # After pi_0, both invoices have R$ 100,00 open: pi_1 could be for either, so it pays the oldest.
    assert owed(book) == {"nfe:123": 0, "nfe:88": 100_00}
    assert book.allocate().matches["stripe:pi_1"] == Match(None, MatchRule.OLDEST, ("nfe:123", "nfe:88"))


def test_a_payment_that_could_be_for_two_invoices_pays_the_oldest_and_names_both() -> None:
    book = ledger(SAME_AMOUNT, SALE, payments=(pay("pi_1"),))

    assert owed(book) == {"nfe:123": 0, "nfe:77": 100_00}
    assert book.allocate().matches["stripe:pi_1"] == Match(None, MatchRule.OLDEST, ("nfe:123", "nfe:77"))


def test_links_naming_two_invoices_are_not_guessed() -> None:
    series_1 = nfe("nfe:1-123", 100_00, NOV, number="123", series="1")
    series_2 = nfe("nfe:2-123", 60_00, DEC, number="123", series="2")
    # The payment fits series 2's amount, but its links do not say which 123: no rule guesses, oldest first.
    book = ledger(series_1, series_2, payments=(pay("pi_1", 60_00, links=SaleLinks(invoice_number="123")),))

    allocation = book.allocate()

    assert owed(book) == {"nfe:1-123": 40_00, "nfe:2-123": 60_00}
    assert allocation.matches["stripe:pi_1"] == Match(None, MatchRule.OLDEST, ("nfe:1-123", "nfe:2-123"))


def test_a_cancelled_nfe_owes_nothing_whatever_the_order() -> None:
    other = nfe("nfe:88", 40_00, DEC, number="88")
    for cancelled_at, recorded_at in [(T0, T0 + HOUR), (T0 + HOUR, T0)]:
        sale = nfe("nfe:123", number="000123", access_key=KEY, at=recorded_at)
        for invoices in itertools.permutations([sale, other]):
            book = Ledger(account=ACCOUNT, invoices=invoices, cancellations=(cancellation(KEY, cancelled_at),))

            assert owed(book) == {"nfe:88": 40_00}
            assert book.allocate().cancelled == frozenset({"nfe:123"})
            assert book.outstanding() == {"BRL": 40_00}


def test_a_cancellation_of_another_nfe_changes_nothing() -> None:
    book = ledger(SALE, cancelled=OTHER_KEY)

    assert owed(book) == {"nfe:123": 100_00}
    assert book.allocate().cancelled == frozenset()


def test_the_provider_invoice_of_a_cancelled_nfe_owes_nothing() -> None:
    for links in (SaleLinks(access_key=KEY), None):
        book = ledger(SALE, provider_invoice("in_1", links=links), cancelled=KEY)

        assert owed(book) == {}
        assert book.allocate().cancelled == frozenset({"nfe:123", "in_1"})


def test_a_cancelled_and_reissued_nfe_is_still_one_sale_with_the_providers_invoice() -> None:
    reissued = nfe("nfe:124", number="124", access_key=OTHER_KEY, at=T0 + HOUR)

    book = ledger(SALE, reissued, provider_invoice("in_1"), cancelled=KEY)

    assert book.outstanding() == {"BRL": 100_00}


def test_an_invoice_paid_at_the_sale_owes_nothing_and_nor_does_its_provider_invoice() -> None:
    paid_at_sale = nfe("nfe:123", number="000123", access_key=KEY, not_collectable="paid at the sale (Pix, tPag 17)")
    book = ledger(paid_at_sale, provider_invoice("in_1"))

    assert book.receivables() == ()
    assert book.outstanding() == {}
    assert book.allocate().links == {"in_1": Match("nfe:123", MatchRule.AMOUNT)}


def test_an_open_chargeback_disputes_the_invoice_its_payment_was_for() -> None:
    book = ledger(SAME_AMOUNT, SALE, payments=(pay("pi_1", links=SaleLinks(reference="77"), chargeback="open"),))

    disputed = {r.invoice_id: (r.outstanding.amount, r.disputed) for r in book.receivables()}

    assert disputed == {"nfe:123": (100_00, False), "nfe:77": (100_00, True)}


def test_an_open_chargeback_on_a_payment_of_the_provider_invoice_disputes_the_nfe() -> None:
    book = ledger(
        nfe("nfe:50", 30_00, date(2026, 10, 10), number="50"),
        SALE,
        provider_invoice("in_1"),
        payments=(pay("pi_1", invoice_key="in_1", chargeback="open"),),
    )

    disputed = {r.invoice_id: (r.outstanding.amount, r.disputed) for r in book.receivables()}

    assert disputed == {"nfe:50": (30_00, False), "nfe:123": (100_00, True)}


def test_a_chargeback_on_a_payment_that_named_nothing_disputes_nothing() -> None:
    book = ledger(SAME_AMOUNT, SALE, payments=(pay("pi_1", chargeback="open"),))

    assert [r.disputed for r in book.receivables()] == [False, False]
    assert owed(book) == {"nfe:123": 100_00, "nfe:77": 100_00}


def test_an_overpayment_leaves_a_credit() -> None:
    book = ledger(SALE, payments=(pay("pi_1", 130_00, invoice_key="nfe:123"),))

    allocation = book.allocate()

    assert owed(book) == {"nfe:123": 0}
    assert allocation.credit == {"BRL": 30_00}


def test_the_excess_of_a_payment_pays_other_invoices_before_it_is_credit() -> None:
    book = ledger(SALE, nfe("nfe:88", 20_00, DEC, number="88"), payments=(pay("pi_1", 130_00, invoice_key="nfe:123"),))

    allocation = book.allocate()

    assert owed(book) == {"nfe:123": 0, "nfe:88": 0}
    assert allocation.credit == {"BRL": 10_00}


@pytest.mark.parametrize(("nfe_at", "provider_at"), [(T0 + 72 * HOUR, T0), (T0, T0 + 72 * HOUR)])
def test_a_sale_is_known_since_the_first_of_its_records(nfe_at: datetime, provider_at: datetime) -> None:
    sale = nfe("nfe:123", number="000123", access_key=KEY, at=nfe_at)
    other = nfe("nfe:88", 40_00, DEC, number="88", at=T0 + 100 * HOUR)
    book = ledger(sale, other, provider_invoice("in_1", links=SaleLinks(access_key=KEY), at=provider_at))

    known = {r.invoice_id: r.known_since for r in book.receivables()}

    assert known == {"nfe:123": T0, "nfe:88": T0 + 100 * HOUR}


def test_which_provider_invoice_arrives_first_does_not_change_what_is_owed() -> None:
    first_sale = nfe("nfe:1", number="1")
    second_sale = nfe("nfe:2", number="2", due=DEC)
    linked = SaleLinks(reference="1")
    in_order = ledger(
        first_sale,
        second_sale,
        provider_invoice("in_1", links=linked, at=T0),
        provider_invoice("in_2", due=DEC, at=T0 + HOUR),
    )
    reversed_order = ledger(
        first_sale,
        second_sale,
        provider_invoice("in_1", links=linked, at=T0 + HOUR),
        provider_invoice("in_2", due=DEC, at=T0),
    )

    assert in_order.outstanding() == {"BRL": 200_00}
    assert reversed_order.outstanding() == in_order.outstanding()


# Any order of arrival, any way the provider and the payment name the sale, among unrelated open invoices.

SALE_CENTS = 123_45
LINK_STYLES = {
    "none": None,
    "reference": SaleLinks(reference="123"),
    "number": SaleLinks(invoice_number="123", series="1"),
    "access key": SaleLinks(access_key=KEY),
}
PAYMENT_STYLES = ("provider invoice", "reference", "number", "access key", "neither")


def _payment(style: str, at: datetime) -> PaymentRecord:
    match style:
        case "provider invoice":
            return pay("pi_sale", SALE_CENTS, invoice_key="in_sale", at=at)
        case "reference":
            return pay("pi_sale", SALE_CENTS, links=SaleLinks(reference="1-000123"), at=at)
        case "number":
            return pay("pi_sale", SALE_CENTS, links=SaleLinks(invoice_number="123", series="1"), at=at)
        case "access key":
            return pay("pi_sale", SALE_CENTS, links=SaleLinks(access_key=KEY), at=at)
        case _:
            return pay("pi_sale", SALE_CENTS, at=at)


unrelated_invoices = st.lists(
    st.tuples(st.booleans(), st.integers(1, 999_99), st.integers(-60, 90), st.integers(-48, 200)),
    max_size=4,
    unique_by=lambda t: t[1],
).filter(lambda found: all(cents != SALE_CENTS for _, cents, _, _ in found))


@given(
    times=st.permutations([T0, T0 + HOUR, T0 + 50 * HOUR]),
    provider_links=st.sampled_from(sorted(LINK_STYLES)),
    payment_style=st.sampled_from(PAYMENT_STYLES),
    sale_due=st.integers(-30, 60),
    unrelated=unrelated_invoices,
    shuffle=st.randoms(use_true_random=False),
)
def test_a_sale_is_paid_once_whatever_arrives_first(
    *,
    times: list[datetime],
    provider_links: str,
    payment_style: str,
    sale_due: int,
    unrelated: list[tuple[bool, int, int, int]],
    shuffle: random.Random,
) -> None:
    nfe_at, provider_at, paid_at = times
    due = NOV + timedelta(days=sale_due)
    sale = nfe("nfe:sale", SALE_CENTS, due, number="000123", series="1", access_key=KEY, at=nfe_at)
    provider = provider_invoice("in_sale", SALE_CENTS, due, links=LINK_STYLES[provider_links], at=provider_at)
    others = [
        (provider_invoice if from_provider else nfe)(
            f"other:{i}", cents, NOV + timedelta(days=due_in), at=T0 + timedelta(hours=hours)
        )
        for i, (from_provider, cents, due_in, hours) in enumerate(unrelated)
    ]
    invoices = [sale, provider, *others]
    shuffle.shuffle(invoices)
    book = Ledger(account=ACCOUNT, invoices=tuple(invoices), payments=(_payment(payment_style, paid_at),))

    receivables = book.receivables()
    of_the_sale = [r for r in receivables if r.invoice_id in {"nfe:sale", "in_sale"}]

    assert [(r.invoice_id, r.outstanding.amount) for r in of_the_sale] == [("nfe:sale", 0)]
    assert of_the_sale[0].known_since == min(nfe_at, provider_at)
    assert {r.invoice_id: r.outstanding.amount for r in receivables if r not in of_the_sale} == {
        f"other:{i}": cents for i, (_, cents, _, _) in enumerate(unrelated)
    }
    assert book.allocate().credit == {}
