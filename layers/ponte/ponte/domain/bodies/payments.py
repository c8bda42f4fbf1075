"""Bodies about payments, as providers report them. Each names the provider and the event it came from."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ponte.domain.accounts import Contact
from ponte.domain.money import Money


class _FromProvider(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    provider: str
    provider_event: str  # the provider's event id, to find it in the provider's dashboard
    customer_name: str


class CustomerNew(_FromProvider):
    """A new customer paid: everything sales needs to start delivery, so nobody has to look anything up."""

    kind: Literal["customer.new"] = "customer.new"
    contact: Contact
    description: str | None = None  # product or plan
    amount: Money
    payment_method: str | None = None
    invoice_number: str | None = None
    owner: str | None = None


class CandidateInvoice(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    invoice_number: str
    due_date: date
    outstanding: Money


class PaymentUnmatchedAlert(_FromProvider):
    """A payment named no invoice Ponte could tie it to while several were open: it paid the oldest first, and
    collections should check it against the candidates."""

    kind: Literal["payment.unmatched"] = "payment.unmatched"
    amount: Money
    candidates: tuple[CandidateInvoice, ...]


class PaymentFailedAlert(_FromProvider):
    kind: Literal["payment.failed"] = "payment.failed"
    amount: Money
    reason: str | None = None
    invoice_number: str | None = None


class RefundAlert(_FromProvider):
    kind: Literal["refund.issued"] = "refund.issued"
    amount: Money  # refunded so far on the payment
    paid: Money  # what the payment was


class ChargebackOpenedAlert(_FromProvider):
    kind: Literal["chargeback.opened"] = "chargeback.opened"
    amount: Money
    reason: str | None = None
    invoice_number: str | None = None


class ChargebackClosedAlert(_FromProvider):
    kind: Literal["chargeback.closed"] = "chargeback.closed"
    amount: Money
    outcome: Literal["won", "lost"]


class SubscriptionChangedAlert(_FromProvider):
    kind: Literal["subscription.changed"] = "subscription.changed"
    subscription_id: str
    plan: str | None = None
    status: str | None = None
    amount: Money | None = None


class SubscriptionCancelledAlert(_FromProvider):
    """The end of a relationship: the owner hears of it at once."""

    kind: Literal["subscription.cancelled"] = "subscription.cancelled"
    subscription_id: str
    plan: str | None = None
    reason: str | None = None


PaymentBody = (
    CustomerNew
    | PaymentUnmatchedAlert
    | PaymentFailedAlert
    | RefundAlert
    | ChargebackOpenedAlert
    | ChargebackClosedAlert
    | SubscriptionChangedAlert
    | SubscriptionCancelledAlert
)
