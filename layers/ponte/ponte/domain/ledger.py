"""An account's ledger: its invoices, the payments received, and the collection notices already sent.

What is still owed is recomputed from the whole ledger every time, never updated in place: the same set of
invoices and payments gives the same answer whatever order they arrived in (a payment before its invoice, a late
`payment_failed` after the payment), and a partial payment or a credit note can never make a step skip or repeat.

Allocation rule: a payment linked to an invoice Ponte knows pays that invoice's installments, oldest due first; any
other payment, the excess of a linked one, and credit notes form a credit that pays the oldest installments of any
invoice in the same currency. A payment under an open chargeback counts for nothing and its invoice is disputed (the
ladder leaves it alone); a chargeback won restores it; a lost one leaves the invoice owed again.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ponte.domain.accounts import Account
from ponte.domain.dunning import Holds, Receivable, SentNotice
from ponte.domain.events import PaymentMethod
from ponte.domain.invoices import Invoice
from ponte.domain.money import Money

ChargebackState = Literal["open", "won", "lost"]


class InvoiceRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    invoice: Invoice
    recorded_at: AwareDatetime
    origin: str = Field(description="Where it came from: `stripe:in_123`, `upload:incoming/2026-11.csv`...")


class PaymentRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    provider: str
    payment_id: str
    amount: Money
    received_at: AwareDatetime
    method: PaymentMethod | None = None
    invoice_key: str | None = None
    description: str | None = None
    refunded: int = Field(default=0, ge=0, description="Minor units refunded so far (providers report the total).")
    chargeback: ChargebackState | None = None
    # When the chargeback state was last reported: an older report arriving late does not undo a newer one.
    chargeback_at: AwareDatetime | None = None

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.payment_id}"

    @property
    def counted(self) -> int:
        """What this payment settles now, in minor units of its currency."""
        if self.chargeback in {"open", "lost"}:
            return 0
        return max(self.amount.amount - self.refunded, 0)


class Ledger(BaseModel):
    """Everything Ponte knows about what an account owes and was sent, read in one query."""

    model_config = ConfigDict(frozen=True)

    account: Account
    invoices: tuple[InvoiceRecord, ...] = ()
    payments: tuple[PaymentRecord, ...] = ()
    notices: tuple[SentNotice, ...] = ()

    def invoice(self, key: str) -> InvoiceRecord | None:
        return next((record for record in self.invoices if record.invoice.key == key), None)

    def payment(self, provider: str, payment_id: str) -> PaymentRecord | None:
        return next((p for p in self.payments if (p.provider, p.payment_id) == (provider, payment_id)), None)

    def holds(self) -> Holds:
        return Holds(promise_to_pay_until=self.account.promise_to_pay_until, never_suspend=self.account.never_suspend)

    def receivables(self) -> tuple[Receivable, ...]:
        """What is still owed on each installment, after payments and credits, oldest due first."""
        slots = _installments(self.invoices)
        disputed = {p.invoice_key for p in self.payments if p.chargeback == "open" and p.invoice_key}
        paid: dict[tuple[str, int], int] = defaultdict(int)
        credit: dict[str, int] = defaultdict(int)
        for record in self.invoices:
            if record.invoice.total.amount < 0:
                credit[record.invoice.currency] += -record.invoice.total.amount
        for payment in sorted(self.payments, key=lambda p: (p.received_at, p.key)):
            left = payment.counted
            if payment.invoice_key is not None and self.invoice(payment.invoice_key) is not None:
                for slot in slots:
                    if slot.invoice_key == payment.invoice_key and slot.currency == payment.amount.currency:
                        take = min(left, slot.amount - paid[slot.id])
                        paid[slot.id] += take
                        left -= take
            credit[payment.amount.currency] += left
        for slot in slots:
            take = min(credit[slot.currency], slot.amount - paid[slot.id])
            paid[slot.id] += take
            credit[slot.currency] -= take
        return tuple(
            Receivable(
                invoice_id=slot.invoice_key,
                installment=slot.position,
                due_date=slot.due_date,
                amount_due=Money(amount=slot.amount, currency=slot.currency),
                outstanding=Money(amount=slot.amount - paid[slot.id], currency=slot.currency),
                disputed=slot.invoice_key in disputed,
            )
            for slot in slots
        )

    def outstanding(self) -> dict[str, int]:
        """Minor units still owed per currency (disputed invoices included)."""
        owed: dict[str, int] = defaultdict(int)
        for receivable in self.receivables():
            owed[receivable.outstanding.currency] += receivable.outstanding.amount
        return dict(owed)


class _Slot(BaseModel):
    model_config = ConfigDict(frozen=True)

    invoice_key: str
    position: int
    due_date: date
    amount: int
    currency: str

    @property
    def id(self) -> tuple[str, int]:
        return (self.invoice_key, self.position)


def _installments(invoices: tuple[InvoiceRecord, ...]) -> list[_Slot]:
    slots = [
        _Slot(
            invoice_key=record.invoice.key,
            position=position,
            due_date=installment.due_date,
            amount=installment.amount.amount,
            currency=installment.amount.currency,
        )
        for record in invoices
        for position, installment in enumerate(record.invoice.installments, start=1)
    ]
    return sorted(slots, key=lambda s: (s.due_date, s.invoice_key, s.position))
