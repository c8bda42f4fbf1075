"""Bodies about collections: the customer's notices, suspension and reactivation, hand-offs, alerts and the digest.

The facts come from the dunning engine's decision (`ponte.domain.dunning`): per-invoice charges with what is owed,
the fine and the interest to date, and the ladder's record of the notices sent. `totals` is always what to pay;
`fees_mode` says whether it includes the fine and interest (`charged`) or they come on a later invoice
(`informational`, with `fees_to_date` the amount). Bodies recorded before fees had a mode read as `charged`: their
totals included the fees. `credit` is what the customer paid above what is owed, for staff to see.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from ponte.domain.accounts import AccountStatus
from ponte.domain.bodies.invoices import BankSlip, PaymentUrl
from ponte.domain.dunning import InvoiceCharge, PlannedStep, SentNotice, SuspensionRecord
from ponte.domain.money import Money
from ponte.domain.policy import FeesMode


class Body(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


class CollectionNotice(Body):
    """To the customer: a reminder before or on the due date, an overdue notice, or the final warning that names
    the deadline and the consequence (suspension)."""

    kind: Literal["customer.payment_reminder", "customer.overdue_notice", "customer.final_warning"]
    customer_name: str
    step_id: str
    anchor: date
    deadline: date | None = None
    invoices: tuple[InvoiceCharge, ...]
    totals: tuple[Money, ...]
    fees_mode: FeesMode = "charged"
    fees_to_date: tuple[Money, ...] = ()
    plan: tuple[PlannedStep, ...] = ()  # what comes next if nothing is paid: the next notice, the suspension


class PaymentSeen(Body):
    """A payment received, as the decision record shows it."""

    reference: str
    amount: Money
    counted: Money
    received_at: AwareDatetime


class AccountSuspended(Body):
    """To the account's owner (staff, collections) and the platform: the account is suspended, with the decision
    record: the rule that fired, the invoices, the notices sent and the payments received."""

    kind: Literal["account.suspended"] = "account.suspended"
    account_name: str
    owner: str | None = None
    record: SuspensionRecord
    payments: tuple[PaymentSeen, ...] = ()


class CustomerSuspended(Body):
    kind: Literal["customer.suspended"] = "customer.suspended"
    customer_name: str
    deadline: date
    invoices: tuple[InvoiceCharge, ...]
    totals: tuple[Money, ...]
    fees_mode: FeesMode = "charged"
    fees_to_date: tuple[Money, ...] = ()


class WayToPay(Body):
    """Where an invoice can be paid (its payment link) and its boleto line, as a source gave them."""

    label: str  # the invoice as the customer knows it
    payment_url: PaymentUrl | None = None
    bank_slip: BankSlip | None = None


class CustomerDeadlineExtended(Body):
    """To the customer: staff gave more time, and the deadline a notice had named moved to `deadline`."""

    kind: Literal["customer.deadline_extended"] = "customer.deadline_extended"
    customer_name: str
    was: date  # the deadline the customer was told
    deadline: date  # the new last day to pay before the service is suspended
    totals: tuple[Money, ...]  # what is owed, by currency
    invoices: tuple[str, ...] = ()  # those owing, as the customer knows them (`NF-e 47428`)
    # How to pay those of them with a payment link or a boleto line (none in bodies recorded before they were).
    ways_to_pay: tuple[WayToPay, ...] = ()


class AccountReactivated(Body):
    """To the owner and the platform: a suspended account is back in service."""

    kind: Literal["account.reactivated"] = "account.reactivated"
    account_name: str
    owner: str | None = None
    status: AccountStatus
    remaining: tuple[Money, ...] = ()
    # settled: owes no more than the tolerance; never_suspend: flagged never to be suspended (by hand, before the
    # staff API); exempt: staff exempted it from suspension until a date; staff: staff lifted the suspension.
    reason: Literal["settled", "never_suspend", "exempt", "staff"]
    credit: tuple[Money, ...] = ()


class CustomerReactivated(Body):
    """To the customer: the service is back. What they read depends on why: only a payment is thanked for as one."""

    kind: Literal["customer.reactivated"] = "customer.reactivated"
    customer_name: str
    # settled: paid (within the tolerance); anything else (exempted, never to be suspended, lifted by staff, a
    # promise to pay) is a reactivation without payment, and the customer is not told one was received.
    reason: Literal["settled", "never_suspend", "exempt", "staff", "promise"] = "settled"
    remaining: tuple[Money, ...] = ()  # what is still owed overdue (within the tolerance, when settled)
    credit: tuple[Money, ...] = ()  # what the customer paid above what they owe


class CollectionsHandOff(Body):
    """To collections: the debt goes to a person, with what they need to pick it up."""

    kind: Literal["collections.hand_off"] = "collections.hand_off"
    account_name: str
    owner: str | None = None
    step_id: str
    anchor: date
    invoices: tuple[InvoiceCharge, ...]
    totals: tuple[Money, ...]
    notices: tuple[SentNotice, ...] = ()
    fees_mode: FeesMode = "charged"
    fees_to_date: tuple[Money, ...] = ()
    credit: tuple[Money, ...] = ()


AlertKind = Literal[
    "suspension_withheld",
    "unknown_currency",
    "invalid_account",
    "invalid_policy",
    "customer_unreachable",
    "promise_lapsed",
]


class CollectionsAlert(Body):
    """To collections: something the ladder will not decide on its own.

    `detail` is the engine's own sentence, kept for audits and the machine JSON; what a person reads is written from
    the facts: the invoices as the customer knows them, a lapsed promise's day, the currencies without thresholds,
    the policy versions, what each channel came to, and which parts of the data are wrong (never their values).
    """

    kind: Literal["collections.alert"] = "collections.alert"
    reason: AlertKind
    account_name: str | None = None
    detail: str = ""
    invoice_keys: tuple[str, ...] = ()
    invoices: tuple[str, ...] = ()
    until: date | None = None
    currencies: tuple[str, ...] = ()
    policy_version: int | None = None
    in_force: int | None = None  # invalid_policy: the version that stays in force
    tried: dict[str, str] = {}
    problems: tuple[str, ...] = ()  # invalid_account / invalid_policy: the top-level parts found wrong


class DigestAccount(Body):
    """An account as the digest lists it: what it owes overdue, how many days late (its oldest overdue
    installment) and who answers for it; `on` is the day the list is about (today in an age bucket, the suspension,
    the deadline, the promise's last day, the day of the notice that reached no one)."""

    account_id: str
    account_name: str
    owner: str | None = None
    owner_name: str | None = None  # as the staff directory names the owner, when it knows them
    owed: tuple[Money, ...]
    days_late: int | None = None  # None in a digest written before it was told
    on: date
    promised: Money | None = None  # a promise to pay: the amount promised, when one was named
    # A customer unreachable: what each channel of the latest notice came to (`bounced`, `held`...); empty when the
    # account has no e-mail or phone at all.
    unreached: dict[str, str] = {}


class AgeBucket(Body):
    """The overdue book by days late, [from_days, to_days] (to_days None: and more). `amounts`: the overdue
    installments of that age; `accounts`, `owed` and `listed`: the accounts whose oldest overdue installment is of
    that age, what they owe overdue in all, and the first of them, most owed first."""

    from_days: int
    to_days: int | None
    accounts: int
    amounts: tuple[Money, ...]
    owed: tuple[Money, ...] = ()
    listed: tuple[DigestAccount, ...] = ()


class CollectionsDigest(Body):
    """To collections, once per business day: the overdue book by age, the suspensions since the previous digest,
    the suspension deadlines of the next three business days, the promises to pay due today or lapsed since the
    previous digest, and the customers no notice reaches.

    Each list carries its first accounts (deadlines and promises by date, the others most owed first); its
    `*_count` says how many it has in all (None in a digest written before the lists were cut: the list is whole).
    """

    kind: Literal["collections.digest"] = "collections.digest"
    day: date
    accounts_overdue: int
    totals: tuple[Money, ...]
    buckets: tuple[AgeBucket, ...]
    suspended: tuple[DigestAccount, ...] = ()
    deadlines: tuple[DigestAccount, ...] = ()
    promises: tuple[DigestAccount, ...] = ()
    unreachable: tuple[DigestAccount, ...] = ()
    suspended_count: int | None = None
    deadline_count: int | None = None
    promise_count: int | None = None
    unreachable_count: int | None = None
