"""Payment events: what a payment provider reported, in Ponte's words.

`ponte.providers` turns each provider's webhook into these at the edge; everything after that speaks only these
events. `event_id` is the provider's id for what happened, and the dedup key (together with `provider`).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ponte.domain.money import Money


class PaymentMethod(StrEnum):
    CARD = "card"
    PIX = "pix"
    BOLETO = "boleto"
    BANK_TRANSFER = "bank_transfer"
    BANK_DEBIT = "bank_debit"
    WALLET = "wallet"
    OTHER = "other"


class CustomerRef(BaseModel):
    """The customer as the provider knows them; every field is whatever the provider gave."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str | None = None  # the provider's id for the customer
    # The business's own reference for the customer or the order, as it gave it to the provider.
    reference: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    tax_id: str | None = None
    locale: Literal["pt-BR", "es", "en"] | None = None  # the language the customer reads, when the provider says


class SaleLinks(BaseModel):
    """What a payment or a provider's invoice says about the sale it belongs to, so that it settles (or stands
    for) the invoice the business already recorded. See `ponte.domain.matching` for the order the rules apply in.

    - `reference`: an explicit link the business attached (Stripe metadata `invoice_number`/`nfe`, Asaas
      `externalReference`, Mercado Pago `external_reference`, a Standard Webhooks `invoice_reference`): the
      business's invoice number, NF-e number or access key, or its own order reference.
    - `invoice_number`/`series`: the invoice number as the business issued it, when the provider carries it.
    - `access_key`: an NF-e access key (chave de acesso, 44 digits).
    - `bank_slip`: a boleto's nosso número or digitable line.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    reference: str | None = Field(default=None, min_length=1, max_length=200)
    invoice_number: str | None = Field(default=None, min_length=1, max_length=100)
    series: str | None = Field(default=None, min_length=1, max_length=20)
    access_key: str | None = Field(default=None, pattern=r"^\d{44}$")
    bank_slip: str | None = Field(default=None, min_length=1, max_length=100)

    @property
    def empty(self) -> bool:
        return not (self.reference or self.invoice_number or self.access_key or self.bank_slip)


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: str = Field(min_length=1)
    event_id: str = Field(min_length=1)
    occurred_at: AwareDatetime
    customer: CustomerRef
    owner: str | None = None  # the staff member who answers for the customer, when the business told the provider


class _PaymentEvent(_Event):
    amount: Money
    payment_method: PaymentMethod | None = None
    payment_id: str | None = None  # the provider's id of the payment; every event about one payment shares it
    invoice_id: str | None = None
    invoice_number: str | None = None
    description: str | None = None  # the product or plan, as the provider describes it
    links: SaleLinks = SaleLinks()  # the business's invoice this payment or provider invoice belongs to
    # Where the customer can pay (Stripe hosted_invoice_url, Asaas invoiceUrl/bankSlipUrl, Mercado Pago ticket).
    payment_url: str | None = Field(default=None, max_length=2000, pattern=r"^https://")


class PaymentReceived(_PaymentEvent):
    kind: Literal["payment.received"] = "payment.received"


class PaymentFailed(_PaymentEvent):
    kind: Literal["payment.failed"] = "payment.failed"
    reason: str | None = None


class RefundIssued(_PaymentEvent):
    """`amount` is the total refunded on the payment so far: providers report the running total."""

    kind: Literal["refund.issued"] = "refund.issued"


class ChargebackOpened(_PaymentEvent):
    kind: Literal["chargeback.opened"] = "chargeback.opened"
    reason: str | None = None


class ChargebackClosed(_PaymentEvent):
    kind: Literal["chargeback.closed"] = "chargeback.closed"
    outcome: Literal["won", "lost"]


class InvoiceIssued(_PaymentEvent):
    kind: Literal["invoice.issued"] = "invoice.issued"
    due_date: date | None = None  # a local date in the business's time zone (providers' timestamps converted)


class InvoiceOverdue(_PaymentEvent):
    """The provider considers the invoice overdue; Ponte's own dunning policy decides what that means."""

    kind: Literal["invoice.overdue"] = "invoice.overdue"
    due_date: date | None = None


class SubscriptionChanged(_Event):
    kind: Literal["subscription.changed"] = "subscription.changed"
    subscription_id: str
    started: bool = False  # a new subscription (Asaas SUBSCRIPTION_CREATED), not a change of an existing one
    status: str | None = None  # the provider's own status word (active, past_due, ACTIVE...)
    plan: str | None = None
    amount: Money | None = None  # per billing cycle, when the provider gives one amount


class SubscriptionCancelled(_Event):
    kind: Literal["subscription.cancelled"] = "subscription.cancelled"
    subscription_id: str
    plan: str | None = None
    reason: str | None = None


class CustomerCreated(_Event):
    kind: Literal["customer.created"] = "customer.created"


DomainEvent = Annotated[
    PaymentReceived
    | PaymentFailed
    | RefundIssued
    | ChargebackOpened
    | ChargebackClosed
    | InvoiceIssued
    | InvoiceOverdue
    | SubscriptionChanged
    | SubscriptionCancelled
    | CustomerCreated,
    Field(discriminator="kind"),
]
