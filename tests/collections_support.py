"""Builders for the collections tests: accounts, invoices and payments in São Paulo, and the ledger after a
change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from ponte.domain.accounts import Account, AccountStatus, Contact
from ponte.domain.changes import AccountChange
from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Party, SourceFormat
from ponte.domain.ledger import InvoiceRecord, Ledger, PaymentRecord
from ponte.domain.money import Money
from tests.memory_store import MemoryLedgerStore

TZ = "America/Sao_Paulo"
ZONE = ZoneInfo(TZ)
CREATED = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def local(day: date, hour: int = 8, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


def account(
    account_id: str = "padaria",
    *,
    status: AccountStatus = AccountStatus.ACTIVE,
    version: int = 0,
    email: str | None = "joao@padaria.example",
    phone: str | None = "+5511988887777",
    **extra: object,
) -> Account:
    return Account.model_validate(
        {
            "account_id": account_id,
            "name": "Padaria Estrela",
            "status": status,
            "owner": "ana",
            "locale": "pt-BR",
            "contact": Contact(name="João Silva", email=email, phone=phone),
            "created_at": CREATED,
            "version": version,
            **extra,
        }
    )


def invoice(key: str, due: date, cents: int = 150_000, currency: str = "BRL") -> InvoiceRecord:
    amount = Money(amount=cents, currency=currency)
    return InvoiceRecord(
        invoice=Invoice(
            key=key,
            number=key,
            kind=InvoiceKind.INVOICE,
            issue_date=None,
            currency=currency,
            total=amount,
            installments=(Installment(number="1", due_date=due, amount=amount),),
            customer=Party(name="Padaria Estrela"),
            source=SourceFormat.JSON,
        ),
        recorded_at=CREATED,
        origin="test",
    )


def payment(payment_id: str, cents: int, at: datetime, invoice_key: str | None = None) -> PaymentRecord:
    return PaymentRecord(
        provider="test",
        payment_id=payment_id,
        amount=Money(amount=cents, currency="BRL"),
        received_at=at,
        invoice_key=invoice_key,
    )


def applied(ledger: Ledger, change: AccountChange, *, delivered: bool = True) -> Ledger:
    """The ledger as the store holds it after `change` is written and, with `delivered`, after the notifier sent
    its customer notices (each channel's send accepted, as the notifier records it)."""
    store = MemoryLedgerStore(ledger, notices_accepted=delivered)
    store.commit(change)
    written = store.load_ledger(change.account.account_id)
    assert written is not None
    return written


def _sample_bodies() -> dict[str, object]:
    """One body of each collections kind, as the service builds them for a suspended account."""
    from dataclasses import replace

    from ponte.domain.bodies.collections import (
        AccountReactivated,
        AccountSuspended,
        AgeBucket,
        CollectionNotice,
        CollectionsAlert,
        CollectionsDigest,
        CollectionsHandOff,
        CustomerReactivated,
        CustomerSuspended,
        DigestAccount,
        PaymentSeen,
    )
    from ponte.domain.dunning import InvoiceCharge, SentNotice, SuspensionRecord
    from ponte.domain.policy import StepKind

    def brl(cents: int) -> Money:
        return Money(amount=cents, currency="BRL")

    due, deadline = date(2026, 11, 16), date(2026, 11, 30)
    charge = InvoiceCharge(
        invoice_id="erp::invoice:NF-2026-0042",
        label="NF-2026-0042",
        installment=1,
        due_date=due,
        days_late=15,
        outstanding=brl(123_456),
        late_fee=brl(2_469),
        interest=brl(617),
        total=brl(126_542),
    )
    notices = (
        SentNotice(
            step_id="overdue-1", step_kind=StepKind.OVERDUE_NOTICE, sent_at=local(date(2026, 11, 17)), channel="email"
        ),
        SentNotice(
            step_id="final-warning",
            step_kind=StepKind.FINAL_WARNING,
            sent_at=local(date(2026, 11, 26)),
            channel="sms",
            deadline=deadline,
        ),
    )
    record = SuspensionRecord(
        rule="step 'suspend' of policy version 1: suspend 15 business days after the due date",
        step_id="suspend",
        policy_version=1,
        anchor=due,
        deadline=deadline,
        invoices=(charge,),
        totals=(charge.total,),
        notices=notices,
    )
    account_fields = {"account_name": "Padaria São João", "owner": "ana"}
    late = DigestAccount(account_id="padaria", account_name="Padaria São João", owed=(brl(123_456),), on=deadline)
    return {
        "customer.payment_reminder": CollectionNotice(
            kind="customer.payment_reminder",
            customer_name="João",
            step_id="due-today",
            anchor=due,
            invoices=(replace(charge, days_late=0, total=charge.outstanding),),
            totals=(charge.outstanding,),
        ),
        "customer.overdue_notice": CollectionNotice(
            kind="customer.overdue_notice",
            customer_name="João",
            step_id="overdue-1",
            anchor=due,
            invoices=(charge,),
            totals=(charge.total,),
        ),
        "customer.final_warning": CollectionNotice(
            kind="customer.final_warning",
            customer_name="João",
            step_id="final-warning",
            anchor=due,
            deadline=deadline,
            invoices=(charge,),
            totals=(charge.total,),
        ),
        "account.suspended": AccountSuspended(
            **account_fields,
            record=record,
            payments=(
                PaymentSeen(
                    reference="asaas:pay_1",
                    amount=brl(10_000),
                    counted=brl(10_000),
                    received_at=local(date(2026, 11, 20)),
                ),
            ),
        ),
        "customer.suspended": CustomerSuspended(
            customer_name="João", deadline=deadline, invoices=(charge,), totals=(charge.total,)
        ),
        "account.reactivated": AccountReactivated(
            **account_fields, status=AccountStatus.ACTIVE, remaining=(), reason="settled"
        ),
        "customer.reactivated": CustomerReactivated(customer_name="João"),
        "collections.hand_off": CollectionsHandOff(
            **account_fields,
            step_id="collections",
            anchor=due,
            invoices=(charge,),
            totals=(charge.total,),
            notices=notices,
        ),
        "collections.alert": CollectionsAlert(
            reason="unknown_currency",
            account_name="Padaria São João",
            detail="policy version 1 has no thresholds for ARS",
            invoice_keys=("NF-9#1",),
        ),
        "collections.digest": CollectionsDigest(
            day=date(2026, 12, 1),
            accounts_overdue=1,
            totals=(brl(123_456),),
            buckets=(
                AgeBucket(from_days=1, to_days=15, accounts=1, amounts=(brl(123_456),)),
                AgeBucket(from_days=16, to_days=None, accounts=0, amounts=()),
            ),
            suspended=(late,),
            deadlines=(late,),
        ),
    }


COLLECTION_BODIES = _sample_bodies()
