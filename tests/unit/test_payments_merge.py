"""Two accounts found to be one customer: what staff decided on the absorbed account holds on the survivor."""

from __future__ import annotations

from datetime import date, timedelta

from ponte.domain import events as ev
from ponte.domain.accounts import Account, Contact, HoldKind, StaffHold
from ponte.domain.dunning import SentNotice
from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Party, SourceFormat
from ponte.domain.ledger import DeliveryStatus, InvoiceRecord, Ledger, WriteOffRecord
from ponte.domain.money import Money
from ponte.services.payments import MERGE_MAX_RECORDS, Applied
from tests.memory_store import MemoryLedgerStore
from tests.support import T0
from tests.unit.test_payments_one_sale import CUSTOMER, uploaded_account
from tests.unit.test_payments_service import apply

STRIPE_ONLY = "stripe-cus-9"  # the account Stripe's customer opened before its tax id was known


def brl(cents: int) -> Money:
    return Money(amount=cents, currency="BRL")


def stripe_invoice(invoice_id: str, cents: int) -> InvoiceRecord:
    invoice = Invoice(
        key=f"stripe:{invoice_id}",
        number=invoice_id.upper(),
        kind=InvoiceKind.INVOICE,
        issue_date=date(2026, 9, 1),
        currency="BRL",
        total=brl(cents),
        installments=(Installment(number="1", due_date=date(2026, 9, 15), amount=brl(cents)),),
        customer=Party(name="Padaria Estrela"),
        source=SourceFormat.PROVIDER,
    )
    return InvoiceRecord(invoice=invoice, recorded_at=T0 - timedelta(days=60), origin=f"stripe:evt_{invoice_id}")


WRITTEN_OFF = WriteOffRecord(
    invoice_key="stripe:in_7",
    amount=brl(300_00),
    at=T0 - timedelta(days=20),
    by="sub-ana",
    by_name="Ana",
    reason="the customer closed the branch; not worth collecting",
)
WARNED = SentNotice(
    step_id="final-warning",
    sent_at=T0 - timedelta(days=3),
    channel="email",
    deadline=date(2026, 11, 30),
    notice_id="n-final",
)


def stripe_account(store: MemoryLedgerStore, *, holds: tuple[StaffHold, ...] = (), **records: object) -> None:
    """The account Stripe's customer opened, known by its Stripe id alone (no tax id yet)."""
    account = Account(
        account_id=STRIPE_ONLY,
        name="Padaria Estrela",
        locale="pt-BR",
        contact=Contact(name="Padaria Estrela"),
        created_at=T0 - timedelta(days=90),
        references=(("stripe", "cus_9"),),
        holds=holds,
        version=4,
    )
    store.ledgers[STRIPE_ONLY] = Ledger.model_validate({"account": account, **records})
    store.references[("stripe", "cus_9")] = STRIPE_ONLY


def tax_id_arrives(store: MemoryLedgerStore) -> str | None:
    """Stripe reports the customer with its tax id: the two accounts are one customer."""
    failed = ev.PaymentFailed(
        provider="stripe", event_id="evt_fail", occurred_at=T0, customer=CUSTOMER, amount=brl(10_00), payment_id="pi_1"
    )
    applied: Applied = apply(store, failed)
    return applied.account_id


def owed(store: MemoryLedgerStore, account_id: str) -> dict[str, int]:
    ledger = store.load_ledger(account_id)
    assert ledger is not None
    return {r.invoice_id: r.outstanding.amount for r in ledger.receivables()}


def test_an_invoice_written_off_on_the_absorbed_account_is_not_owed_again_on_the_survivor() -> None:
    store = MemoryLedgerStore()
    survivor = uploaded_account(store)
    stripe_account(
        store, invoices=(stripe_invoice("in_7", 300_00), stripe_invoice("in_8", 120_00)), write_offs=(WRITTEN_OFF,)
    )
    assert owed(store, STRIPE_ONLY) == {"stripe:in_8": 120_00}

    assert tax_id_arrives(store) == survivor

    ledger = store.load_ledger(survivor)
    assert ledger is not None and ledger.account.account_id == survivor
    assert owed(store, survivor) == {"stripe:in_8": 120_00}  # staff's write-off still stands
    assert ledger.write_offs == (WRITTEN_OFF,)
    assert ledger.allocate().written_off == {"stripe:in_7": 300_00}


def test_the_evidence_of_the_absorbed_accounts_notices_comes_along_with_them() -> None:
    store = MemoryLedgerStore()
    survivor = uploaded_account(store)
    delivered = DeliveryStatus(notice_id="n-final", channel="email", status="delivered")
    stripe_account(store, invoices=(stripe_invoice("in_8", 120_00),), notices=(WARNED,), deliveries=(delivered,))

    assert tax_id_arrives(store) == survivor

    ledger = store.load_ledger(survivor)
    assert ledger is not None and WARNED in ledger.notices
    # The final warning reached the customer: the ladder must not take it for one that reached nobody.
    assert ledger.delivery_evidence() == {"n-final": {"email": "delivered"}}


def test_a_dispute_staff_opened_on_an_absorbed_invoice_still_holds_it_on_the_survivor() -> None:
    store = MemoryLedgerStore()
    survivor = uploaded_account(store)
    dispute = StaffHold(
        kind=HoldKind.DISPUTE,
        until=date(2026, 12, 31),
        set_by="sub-ana",
        set_by_name="Ana",
        set_at=T0 - timedelta(days=2),
        reason="the customer says the delivery never arrived",
        invoice_key="stripe:in_8",
    )
    stripe_account(store, invoices=(stripe_invoice("in_8", 120_00),), holds=(dispute,))

    assert tax_id_arrives(store) == survivor

    ledger = store.load_ledger(survivor)
    assert ledger is not None
    assert ledger.holds().disputed_until == {"stripe:in_8": date(2026, 12, 31)}


def test_an_absorbed_account_whose_move_would_not_fit_one_transaction_is_left_for_staff() -> None:
    store = MemoryLedgerStore()
    survivor = uploaded_account(store)
    many = tuple(stripe_invoice(f"in_{n}", 10_00) for n in range(MERGE_MAX_RECORDS))
    offs = tuple(WRITTEN_OFF.model_copy(update={"invoice_key": r.invoice.key}) for r in many[:1])
    stripe_account(store, invoices=many, write_offs=offs)

    assert tax_id_arrives(store) == survivor

    assert store.ledgers[STRIPE_ONLY].account.merged_into is None  # refused: staff merge it
    assert any(entry.what == "account.merge_refused" for entry in store.timeline)


def hold(kind: HoldKind, until: date) -> StaffHold:
    return StaffHold(
        kind=kind,
        until=until,
        set_by="sub-ana",
        set_by_name="Ana",
        set_by_user="ana",
        set_at=T0 - timedelta(days=1),
        reason="o cliente ligou",
    )


def test_a_promise_and_an_exemption_staff_gave_the_absorbed_account_still_hold_on_the_survivor() -> None:
    store = MemoryLedgerStore()
    survivor = uploaded_account(store)
    promised = hold(HoldKind.PROMISE_TO_PAY, date(2026, 12, 10))
    exempt = hold(HoldKind.EXEMPTION, date(2026, 12, 20))
    lapsed = hold(HoldKind.EXTENSION, T0.date() - timedelta(days=5))  # over before the merge: not carried
    stripe_account(store, invoices=(stripe_invoice("in_8", 120_00),), holds=(promised, exempt, lapsed))

    assert tax_id_arrives(store) == survivor

    account = store.ledgers[survivor].account
    assert set(account.holds) == {promised, exempt}
    holds = store.ledgers[survivor].holds()
    assert holds.promise is not None and holds.promise.until == date(2026, 12, 10)
    assert holds.promise.granted_by == "ana", "a lapse is told to whoever granted it"
    assert holds.exempt_until == date(2026, 12, 20)


def test_of_two_promises_the_survivor_keeps_the_one_that_ends_later() -> None:
    store = MemoryLedgerStore()
    survivor = uploaded_account(store)
    sooner, later = hold(HoldKind.PROMISE_TO_PAY, date(2026, 12, 5)), hold(HoldKind.PROMISE_TO_PAY, date(2026, 12, 9))
    store.ledgers[survivor] = store.ledgers[survivor].model_copy(
        update={"account": store.ledgers[survivor].account.model_copy(update={"holds": (sooner,)})}
    )
    stripe_account(store, invoices=(stripe_invoice("in_8", 120_00),), holds=(later,))

    assert tax_id_arrives(store) == survivor

    assert store.ledgers[survivor].account.holds == (later,)


def test_an_absorbed_account_flagged_never_to_be_suspended_keeps_the_customer_from_suspension() -> None:
    store = MemoryLedgerStore()
    survivor = uploaded_account(store)
    stripe_account(store, invoices=(stripe_invoice("in_8", 120_00),))
    absorbed = store.ledgers[STRIPE_ONLY]
    store.ledgers[STRIPE_ONLY] = absorbed.model_copy(
        update={"account": absorbed.account.model_copy(update={"never_suspend": True})}
    )

    assert tax_id_arrives(store) == survivor

    assert store.ledgers[survivor].account.never_suspend
