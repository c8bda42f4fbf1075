"""What is owed, recomputed from the whole ledger: order of arrival never matters."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ponte.domain.accounts import Account, Contact
from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Party, SourceFormat
from ponte.domain.ledger import InvoiceRecord, Ledger, PaymentRecord
from ponte.domain.money import Money
from tests.support import T0

ACCOUNT = Account(account_id="acme", name="Acme", locale="pt-BR", contact=Contact(name="Ana"), created_at=T0)


def brl(cents: int) -> Money:
    return Money(amount=cents, currency="BRL")


def invoice(key: str, *installments: tuple[date, int], total: int | None = None) -> InvoiceRecord:
    parts = tuple(Installment(number=str(i), due_date=d, amount=brl(a)) for i, (d, a) in enumerate(installments, 1))
    amount = sum(a for _, a in installments) if total is None else total
    return InvoiceRecord(
        invoice=Invoice(
            key=key,
            number=key,
            kind=InvoiceKind.INVOICE if amount > 0 else InvoiceKind.CREDIT_NOTE,
            issue_date=date(2026, 11, 1),
            currency="BRL",
            total=brl(amount),
            installments=parts if amount > 0 else (),
            customer=Party(name="Acme"),
            source=SourceFormat.JSON,
        ),
        recorded_at=T0,
        origin="test",
    )


def payment(pid: str, cents: int, invoice_key: str | None = None, **extra: object) -> PaymentRecord:
    return PaymentRecord.model_validate(
        {"provider": "stripe", "payment_id": pid, "amount": brl(cents), "received_at": T0, "invoice_key": invoice_key}
        | extra
    )


NOV, DEC = date(2026, 11, 10), date(2026, 12, 10)


def owed(ledger: Ledger) -> list[tuple[str, int, int]]:
    return [(r.invoice_id, r.installment, r.outstanding.amount) for r in ledger.receivables()]


def test_a_linked_payment_pays_its_own_invoice_even_if_another_is_older() -> None:
    ledger = Ledger(
        account=ACCOUNT,
        invoices=(invoice("old", (NOV, 100_00)), invoice("new", (DEC, 50_00))),
        payments=(payment("p1", 50_00, "new"),),
    )
    assert owed(ledger) == [("old", 1, 100_00), ("new", 1, 0)]


def test_an_unlinked_payment_pays_the_oldest_installments_first() -> None:
    ledger = Ledger(
        account=ACCOUNT, invoices=(invoice("a", (NOV, 100_00), (DEC, 100_00)),), payments=(payment("p1", 150_00),)
    )
    assert owed(ledger) == [("a", 1, 0), ("a", 2, 50_00)]


def test_the_excess_of_a_linked_payment_and_credit_notes_become_credit() -> None:
    ledger = Ledger(
        account=ACCOUNT,
        invoices=(invoice("a", (NOV, 100_00)), invoice("b", (DEC, 100_00)), invoice("cn", total=-30_00)),
        payments=(payment("p1", 120_00, "a"),),
    )
    assert owed(ledger) == [("a", 1, 0), ("b", 1, 50_00)]
    assert ledger.outstanding() == {"BRL": 50_00}


def test_a_payment_for_an_invoice_not_yet_known_counts_and_moves_when_the_invoice_arrives() -> None:
    early = Ledger(account=ACCOUNT, invoices=(invoice("a", (NOV, 100_00)),), payments=(payment("p", 60_00, "b"),))
    assert owed(early) == [("a", 1, 40_00)]
    later = early.model_copy(update={"invoices": (*early.invoices, invoice("b", (DEC, 60_00)))})
    assert owed(later) == [("a", 1, 100_00), ("b", 1, 0)]


def test_refunds_and_chargebacks_change_what_a_payment_settles() -> None:
    invoices = (invoice("a", (NOV, 100_00)),)
    refunded = Ledger(account=ACCOUNT, invoices=invoices, payments=(payment("p", 100_00, "a", refunded=40_00),))
    assert owed(refunded) == [("a", 1, 40_00)]
    disputed = Ledger(account=ACCOUNT, invoices=invoices, payments=(payment("p", 100_00, "a", chargeback="open"),))
    (receivable,) = disputed.receivables()
    assert receivable.outstanding.amount == 100_00 and receivable.disputed
    won = Ledger(account=ACCOUNT, invoices=invoices, payments=(payment("p", 100_00, "a", chargeback="won"),))
    assert owed(won) == [("a", 1, 0)]
    lost = Ledger(account=ACCOUNT, invoices=invoices, payments=(payment("p", 100_00, "a", chargeback="lost"),))
    assert owed(lost) == [("a", 1, 100_00)] and not lost.receivables()[0].disputed


def dated(ledger: Ledger) -> list[tuple[str, int, list[tuple[datetime, int]]]]:
    return [(r.invoice_id, r.installment, [(p.at, p.amount) for p in r.paid]) for r in ledger.receivables()]


DAY = timedelta(days=1)


def test_each_part_paid_is_dated_by_the_payment_that_paid_it() -> None:
    ledger = Ledger(
        account=ACCOUNT,
        invoices=(invoice("a", (NOV, 100_00), (DEC, 100_00)),),
        payments=(
            payment("p1", 30_00, "a", received_at=T0 + 3 * DAY),
            payment("p2", 120_00, "a", received_at=T0 + 40 * DAY),
        ),
    )
    assert dated(ledger) == [
        ("a", 1, [(T0 + 3 * DAY, 30_00), (T0 + 40 * DAY, 70_00)]),
        ("a", 2, [(T0 + 40 * DAY, 50_00)]),
    ]
    assert owed(ledger) == [("a", 1, 0), ("a", 2, 50_00)]


def test_parts_paid_from_the_credit_are_dated_first_in_first_out() -> None:
    credit_note = invoice("cn", total=-20_00).model_copy(update={"recorded_at": T0 + DAY})
    ledger = Ledger(
        account=ACCOUNT,
        invoices=(invoice("a", (NOV, 50_00)), invoice("b", (DEC, 50_00)), credit_note),
        payments=(
            payment("p1", 60_00, "a", received_at=T0 + 5 * DAY),  # R$ 10,00 left over for the credit
            payment("p2", 40_00, received_at=T0 + 9 * DAY),  # matches nothing: all credit
        ),
    )
    assert dated(ledger) == [
        ("a", 1, [(T0 + 5 * DAY, 50_00)]),
        ("b", 1, [(T0 + DAY, 20_00), (T0 + 5 * DAY, 10_00), (T0 + 9 * DAY, 20_00)]),
    ]
    assert ledger.allocate().credit == {"BRL": 20_00}


amounts = st.integers(min_value=1, max_value=500_00)


@given(
    st.lists(st.tuples(st.integers(0, 90), amounts), min_size=1, max_size=5),
    st.lists(st.tuples(amounts, st.booleans()), max_size=5),
)
def test_order_of_arrival_never_changes_what_is_owed(
    installments: list[tuple[int, int]], payments: list[tuple[int, bool]]
) -> None:
    invoices = [invoice(f"inv{i}", (NOV + timedelta(days=d), a)) for i, (d, a) in enumerate(installments)]
    paid = [
        payment(f"p{i}", a, f"inv{i}" if linked else None, received_at=T0 + i * DAY)
        for i, (a, linked) in enumerate(payments)
    ]
    first = Ledger(account=ACCOUNT, invoices=tuple(invoices), payments=tuple(paid))
    reference, reference_dates = owed(first), dated(first)
    for shuffled_invoices, shuffled_payments in itertools.islice(
        zip(itertools.permutations(invoices), itertools.cycle(itertools.permutations(paid)), strict=False), 6
    ):
        ledger = Ledger(account=ACCOUNT, invoices=shuffled_invoices, payments=shuffled_payments)
        assert sorted(owed(ledger)) == sorted(reference)
        assert sorted(dated(ledger)) == sorted(reference_dates)
    # What was paid on each installment is all dated, by the payments' own times.
    moments = {p.received_at for p in paid}
    for receivable in first.receivables():
        assert (
            sum(part.amount for part in receivable.paid) == receivable.amount_due.amount - receivable.outstanding.amount
        )
        assert {part.at for part in receivable.paid} <= moments
    total_due = sum(a for _, a in installments)
    total_paid = sum(a for a, _ in payments)
    # In one currency every cent paid settles something until nothing is owed.
    assert sum(o for _, _, o in reference) == max(total_due - total_paid, 0)
