"""Payment events: what a payment provider reported, in Ponte's words.

`ponte.providers` turns each provider's webhook into these at the edge; everything after that speaks only these
events. `event_id` is the provider's id for what happened, and the dedup key (together with `provider`).

Every value in an event is bounded here, once, before it reaches a DynamoDB key or another model (issue 10): the
provider modules build events through these models, and a value out of bounds refuses the delivery with the field
named and the value never repeated (it may be someone's name or e-mail).
- Ids (`event_id`, `payment_id`, `subscription_id`, the customer's `id`): 1 to 255 printable ASCII characters
  without spaces at either end. Stripe promises ids of at most 255 characters; every key an id becomes
  (`INBOUND#<provider>:<event id>`, `LEDGER#PAYMENT#<provider>#<payment id>`, `REF#<provider>#<customer id>`) then
  stays far below DynamoDB's limits of 2,048 bytes for a partition key and 1,024 for a sort key.
- `invoice_id` and `invoice_number`: at most 100 characters, as `Invoice.number` (an invoice is known by its id
  when the provider gives no number).
- The business's references (`customer.reference`, `owner`): 1 to 255 characters of any script (`owner` 128, as
  `Account.owner`), one line; at most 1,020 bytes of UTF-8, which `REF#reference#<value>` holds.
- Names 200 characters (`Account.name`), texts (`description`, `reason`, `plan`) 500, a provider's status word 64,
  an e-mail 254 (RFC 3696's errata), a tax id 32 letters and digits once its punctuation is gone (`Account.tax_id`),
  a phone in E.164. No text holds control characters (line breaks only in texts) or unpaired surrogates, which
  UTF-8, and so DynamoDB and SNS, cannot carry.
- Amounts: from 0 to `MAX_MINOR_UNITS`; a payment, a failed payment, a refund or a chargeback is more than zero (a
  negative "payment" is not a refund: providers report refunds as refunds, with a positive amount).
- Moments and dates: from 1970 to 2099, so that no date arithmetic downstream leaves the calendar.
Blank optional text is no text (None).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from ponte.domain.money import Money, out_of_range

MAX_ID = 255
MAX_INVOICE_NUMBER = 100
MAX_REFERENCE = 255
MAX_OWNER = 128
MAX_NAME = 200
MAX_TEXT = 500
MAX_WORD = 64
MAX_EMAIL = 254
MAX_TAX_ID = 32
EARLIEST = date(1970, 1, 1)
LATEST = date(2099, 12, 31)
_FIRST_MOMENT = datetime(1970, 1, 1, tzinfo=UTC)
_AFTER_LAST_MOMENT = datetime(2100, 1, 1, tzinfo=UTC)

_ASCII_ID = re.compile(r"[!-~](?:[ -~]*[!-~])?")
# C0 and C1 controls, and the surrogate halves a JSON `\ud800` escape can smuggle into a Python string.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_BUT_LINE_BREAKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SPACE = re.compile(r"\s")
_TAX_ID_PUNCTUATION = re.compile(r"[^0-9A-Za-z]")  # as `ponte.domain.invoices.normalise_tax_id` removes it


def _ascii_id(value: str) -> str:
    if not _ASCII_ID.fullmatch(value):
        raise ValueError("must be printable ASCII (letters, digits, punctuation) without spaces at either end")
    return value


def _one_line(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not hold control characters, line breaks or unpaired surrogates")
    return value


def _printable(value: str) -> str:
    if _CONTROL_BUT_LINE_BREAKS.search(value):
        raise ValueError("must not hold control characters or unpaired surrogates")
    return value


def _email(value: str) -> str:
    if _SPACE.search(value) or _CONTROL.search(value):
        raise ValueError("must not hold spaces or control characters")
    return value


def _tax_id(value: str) -> str:
    if len(_TAX_ID_PUNCTUATION.sub("", value)) > MAX_TAX_ID:
        raise ValueError(f"must have at most {MAX_TAX_ID} letters and digits")
    return value


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _moment(value: datetime) -> datetime:
    # Compared, not converted: converting year 1 at +14:00 to UTC leaves the calendar.
    if not _FIRST_MOMENT <= value < _AFTER_LAST_MOMENT:
        raise ValueError(f"must fall between {EARLIEST.year} and {LATEST.year}")
    return value


def _day(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"must fall between {EARLIEST.year} and {LATEST.year}")
    return value


def _amount(value: Money) -> Money:
    if value.amount < 0:
        raise ValueError("must not be negative")
    if not value.in_range:
        raise ValueError(out_of_range())
    return value


def _more_than_zero(value: Money) -> Money:
    if value.amount <= 0:
        raise ValueError("must be more than zero")
    return _amount(value)


Identifier = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID), AfterValidator(_ascii_id)]
InvoiceId = Annotated[str, StringConstraints(min_length=1, max_length=MAX_INVOICE_NUMBER), AfterValidator(_ascii_id)]
InvoiceNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_INVOICE_NUMBER),
    AfterValidator(_one_line),
]
Reference = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_REFERENCE), AfterValidator(_one_line)
]
Owner = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_OWNER), AfterValidator(_one_line)
]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME), AfterValidator(_one_line)
]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT), AfterValidator(_printable)
]
Word = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_WORD), AfterValidator(_one_line)
]
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_EMAIL), AfterValidator(_email)
]
TaxId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=4 * MAX_TAX_ID),
    AfterValidator(_one_line),
    AfterValidator(_tax_id),
]
Phone = Annotated[str, StringConstraints(pattern=r"^\+[1-9]\d{6,14}$")]  # E.164 (`ponte.domain.phones`)
PaymentUrl = Annotated[str, StringConstraints(max_length=2000, pattern=r"^https://[!-~]+$")]
Moment = Annotated[AwareDatetime, AfterValidator(_moment)]
Day = Annotated[date, AfterValidator(_day)]
Amount = Annotated[Money, AfterValidator(_amount)]
PositiveAmount = Annotated[Money, AfterValidator(_more_than_zero)]


class _Bounded(BaseModel):
    """A model of what a provider said: frozen, closed, and with blank text read as no text.

    Built on first use (`defer_build`): every function imports these through the notification bodies, and a
    delivery uses the few of its own provider and event type.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _blanks_are_none(cls, data: object) -> object:
        if isinstance(data, dict):
            return {name: _blank_is_none(value) for name, value in data.items()}
        return data


class PaymentMethod(StrEnum):
    CARD = "card"
    PIX = "pix"
    BOLETO = "boleto"
    BANK_TRANSFER = "bank_transfer"
    BANK_DEBIT = "bank_debit"
    WALLET = "wallet"
    OTHER = "other"


class CustomerRef(_Bounded):
    """The customer as the provider knows them; every field is whatever the provider gave, within its bounds."""

    id: Identifier | None = None  # the provider's id for the customer
    # The business's own reference for the customer or the order, as it gave it to the provider.
    reference: Reference | None = None
    name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None
    tax_id: TaxId | None = None
    locale: Literal["pt-BR", "es", "en"] | None = None  # the language the customer reads, when the provider says


class SaleLinks(_Bounded):
    """What a payment or a provider's invoice says about the sale it belongs to, so that it settles (or stands
    for) the invoice the business already recorded. See `ponte.domain.matching` for the order the rules apply in.

    - `reference`: an explicit link the business attached (Stripe metadata `invoice_number`/`nfe`, Asaas
      `externalReference`, Mercado Pago `external_reference`, a Standard Webhooks `invoice_reference`): the
      business's invoice number, NF-e number or access key, or its own order reference.
    - `invoice_number`/`series`: the invoice number as the business issued it, when the provider carries it.
    - `access_key`: an NF-e access key (chave de acesso, 44 digits).
    - `bank_slip`: a boleto's nosso número or digitable line.
    """

    reference: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_one_line)] | None = None
    invoice_number: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_one_line)] | None = None
    series: Annotated[str, Field(min_length=1, max_length=20), AfterValidator(_one_line)] | None = None
    access_key: str | None = Field(default=None, pattern=r"^\d{44}$")
    bank_slip: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_one_line)] | None = None

    @property
    def empty(self) -> bool:
        return not (self.reference or self.invoice_number or self.access_key or self.bank_slip)


class _Event(_Bounded):
    provider: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_-]+$")
    event_id: Identifier
    occurred_at: Moment
    customer: CustomerRef
    owner: Owner | None = None  # the staff member who answers for the customer, when the business told the provider


class _PaymentEvent(_Event):
    amount: Amount
    payment_method: PaymentMethod | None = None
    payment_id: Identifier | None = None  # the provider's id of the payment; every event about one payment shares it
    invoice_id: InvoiceId | None = None
    invoice_number: InvoiceNumber | None = None
    description: Text | None = None  # the product or plan, as the provider describes it
    links: SaleLinks = SaleLinks()  # the business's invoice this payment or provider invoice belongs to
    # Where the customer can pay (Stripe hosted_invoice_url, Asaas invoiceUrl/bankSlipUrl, Mercado Pago ticket).
    payment_url: PaymentUrl | None = None


class PaymentReceived(_PaymentEvent):
    kind: Literal["payment.received"] = "payment.received"
    amount: PositiveAmount


class PaymentFailed(_PaymentEvent):
    kind: Literal["payment.failed"] = "payment.failed"
    amount: PositiveAmount
    reason: Text | None = None


class RefundIssued(_PaymentEvent):
    """`amount` is the total refunded on the payment so far: providers report the running total. `paid_at`: when
    the payment refunded was made, where the provider tells (Stripe's charge)."""

    kind: Literal["refund.issued"] = "refund.issued"
    amount: PositiveAmount
    paid_at: Moment | None = None


class ChargebackOpened(_PaymentEvent):
    kind: Literal["chargeback.opened"] = "chargeback.opened"
    amount: PositiveAmount
    reason: Text | None = None


class ChargebackClosed(_PaymentEvent):
    kind: Literal["chargeback.closed"] = "chargeback.closed"
    amount: PositiveAmount
    outcome: Literal["won", "lost"]


class _InvoiceEvent(_PaymentEvent):
    """A provider's invoice, for an amount of zero or more (nothing to collect on a zero one)."""

    due_date: Day | None = None  # a local date in the business's time zone (providers' timestamps converted)

    @model_validator(mode="after")
    def _named(self) -> _InvoiceEvent:
        # The invoice is recorded under its number, else its id, else the event's id (`ponte.services.payments`).
        if not (self.invoice_number or self.invoice_id) and len(self.event_id) > MAX_INVOICE_NUMBER:
            raise ValueError(
                f"an invoice with neither invoice_id nor invoice_number is known by its event_id, which must then "
                f"have at most {MAX_INVOICE_NUMBER} characters"
            )
        return self


class InvoiceIssued(_InvoiceEvent):
    kind: Literal["invoice.issued"] = "invoice.issued"


class InvoiceOverdue(_InvoiceEvent):
    """The provider considers the invoice overdue; Ponte's own dunning policy decides what that means."""

    kind: Literal["invoice.overdue"] = "invoice.overdue"


class InvoiceSettled(_InvoiceEvent):
    """The provider reports its invoice paid without naming the payment that paid it (Stripe's `invoice.paid` from
    API version 2025-03-31, a subscription's Checkout session): `amount` is what was paid on it. It is a fact about
    the invoice, not a payment of its own: the payment's own event, or the provider's word on which payment it was
    (`PaymentApplied`), may come before or after it, and is then the payment (`ponte.domain.ledger`)."""

    kind: Literal["invoice.settled"] = "invoice.settled"
    amount: PositiveAmount
    invoice_id: InvoiceId


class PaymentApplied(_PaymentEvent):
    """The provider's word on which payment paid which of its invoices (Stripe's `invoice_payment.paid`), for
    `amount`. It names no customer: the payment, or the invoice reported paid, already recorded leads to the account."""

    kind: Literal["payment.applied"] = "payment.applied"
    amount: PositiveAmount
    payment_id: Identifier
    invoice_id: InvoiceId


class SubscriptionChanged(_Event):
    kind: Literal["subscription.changed"] = "subscription.changed"
    subscription_id: Identifier
    started: bool = False  # a new subscription (Asaas SUBSCRIPTION_CREATED), not a change of an existing one
    status: Word | None = None  # the provider's own status word (active, past_due, ACTIVE...)
    plan: Text | None = None
    amount: Amount | None = None  # per billing cycle, when the provider gives one amount


class SubscriptionCancelled(_Event):
    kind: Literal["subscription.cancelled"] = "subscription.cancelled"
    subscription_id: Identifier
    plan: Text | None = None
    reason: Text | None = None


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
    | InvoiceSettled
    | PaymentApplied
    | SubscriptionChanged
    | SubscriptionCancelled
    | CustomerCreated,
    Field(discriminator="kind"),
]
