"""The collections ladder (dunning) as a pure function of an account's situation, `now` and the policy.

`evaluate` returns a `Decision`: the account's new status, the actions to carry out, when to look again, and the
planned dates of the coming steps. It never reads the clock, the environment or the network.

How the ladder reads an account:
- Business days are the business calendar's (`business_calendar`): not a weekend, a national holiday of the
  business's country or one of the policy's `local_holidays`.
- Due dates are local dates in the business's time zone and end at the end of that local day. With business-day
  counting, a due date that is not a business day moves to the next business day (the bank practice in Brazil: a
  boleto due on a weekend or holiday is paid on time the next business day); the notices show both dates.
- Whatever the count, what the customer is promised falls on a business day: a deadline that would not moves to
  the next business day, the suspension to the first business day after the deadline, a hand-off to the next
  business day; and a suspension or hand-off that is due is not carried out on a day that is not a business day,
  but on the next one.
- Invoices age on what is still owed. The ladder counts from its anchor: the earliest due date from which the
  overdue amount still owed exceeds the currency's tolerance. A payment that leaves the older debt within the
  tolerance moves the anchor on; any other partial payment, or a new invoice, leaves it where it was.
- A step is done when the ladder's record has it since the anchor fell overdue, so nothing is skipped or repeated
  because the set of invoices changed. When several notices are due at once (say, an invoice uploaded late),
  only the latest goes out.
- No suspension unless a notice naming the deadline went out at least `deadline_notice_days` before it; a final
  warning sent late names a later deadline. Quiet hours hold customer notices back, never staff actions.
- The fine and interest accrue per installment from the day after its effective due date (`accrued_fees`), on
  the dated parts paid late and on what is still owed. What the policy's `Fees.mode` makes of them:
  - `informational`: they are shown to date, to be charged on a later invoice; what is owed, and what thresholds,
    settlement and reactivation compare, is the principal still owed;
  - `charged`: they are owed here. Payments pay principal first (`ponte.domain.ledger`); the credit left over pays
    the fees, oldest installment first; what is owed, and compared, is the principal plus the unpaid fees, so an
    account is settled only when both are paid, within the tolerance. Interest still accruing is watched: the
    account is looked at again on the day it would reach a threshold.
  What is left of the credit is the customer's, shown to staff on the decision and its records.
- Disputed invoices are left alone. Invoices in a currency the policy has no thresholds for are flagged to staff
  and take no part in the ladder.

What the caller records in `sent` after carrying out a decision: each `NotifyCustomer` (one record per channel,
with its deadline), each `HandOff`, and each `AlertStaff` that names a step (channel `staff`). Every action has a
stable `dedup_key`: (account, step, set of invoices) for notices, hand-offs and alerts; (account, change, account
version) for status changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from typing import Annotated, Any, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, GetCoreSchemaHandler, model_validator
from pydantic_core import CoreSchema

from ponte.domain.accounts import Account, AccountStatus
from ponte.domain.errors import InvalidInput
from ponte.domain.money import Money, money_of
from ponte.domain.policy import CUSTOMER_NOTICES, DayCount, Fees, FeesMode, LocalHoliday, Policy, Step, StepKind

_DAY = timedelta(days=1)
_INTEREST_HORIZON_DAYS = 3660  # how far ahead a debt growing with interest is watched for a threshold


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)


# Inputs: the service maps stored invoices, payments, holds and the ladder's record into these.


class PaidPart(_Frozen):
    """Part of an installment paid, and when: the payment's time or, for a credit, the time of the latest payment
    or credit note that made it up."""

    at: AwareDatetime
    amount: int = Field(gt=0, description="Minor units of the installment's currency.")


class Receivable(_Frozen):
    """What is still owed on one invoice, or on one installment of it, and the parts of it paid so far."""

    invoice_id: str = Field(min_length=1)
    installment: int = Field(default=1, ge=1)
    due_date: date
    amount_due: Money
    outstanding: Money
    disputed: bool = Field(default=False, description="An open chargeback or dispute: the ladder leaves it alone.")
    label: str | None = Field(
        default=None,
        description="The invoice as the customer knows it (`NF-e 47428`, `1-0042`, `F-2026-0107`): what every notice "
        "shows, never the internal key.",
    )
    payment_url: str | None = Field(default=None, description="Where the customer can pay it, when a source said.")
    bank_slip: str | None = Field(default=None, description="A boleto's digitable line or nosso número.")
    known_since: AwareDatetime | None = Field(
        default=None,
        description="When the business's records first showed it (an import, a late NF-e): the ladder's steps "
        "after the due date start no earlier than that day.",
    )
    paid: tuple[PaidPart, ...] = Field(
        default=(),
        description="When each part of what was paid was paid, oldest first; a part paid with no date known "
        "counts as paid on time.",
    )

    @model_validator(mode="after")
    def _outstanding_within_due(self) -> Receivable:
        if self.outstanding.currency != self.amount_due.currency:
            raise ValueError("outstanding and amount_due must be in the same currency")
        if not 0 <= self.outstanding.amount <= self.amount_due.amount:
            raise ValueError("outstanding must be between zero and amount_due")
        if sum(part.amount for part in self.paid) > self.amount_due.amount - self.outstanding.amount:
            raise ValueError("the parts paid add up to more than amount_due less outstanding")
        return self

    @property
    def key(self) -> str:
        return f"{self.invoice_id}#{self.installment}"


class PromiseToPay(_Frozen):
    """A promise to pay staff recorded. Steps after the due date wait until the day after `until`. Once it has
    passed with the debt still owed (or, with an `amount`, less than that paid since it was granted), the person who
    granted it is alerted; either way a suspension then needs a deadline named after the promise was granted."""

    until: date
    granted_at: AwareDatetime
    granted_by: str = Field(min_length=1)
    amount: Money | None = None


class Holds(_Frozen):
    promise_to_pay_until: date | None = Field(
        default=None,
        description="Steps after the due date wait until the day after this local date (set by hand before the "
        "staff API; `promise` is the staff's).",
    )
    never_suspend: bool = Field(default=False, description="Set by hand before exemptions had an expiry.")
    promise: PromiseToPay | None = None
    exempt_until: date | None = Field(
        default=None,
        description="No suspension through this local date: the account is treated as protected meanwhile (a "
        "suspended one is reactivated), and the ladder resumes the day after.",
    )
    deadline_not_before: date | None = Field(
        default=None,
        description="An extension: no deadline is named, or kept, before this local date (or the business day it "
        "moves to, when it is not one); the suspension waits for the first business day after it.",
    )
    disputed_until: dict[str, date] = Field(
        default_factory=dict,
        description="Invoices staff hold in dispute, by invoice id, each through a local date: left out of the "
        "ladder meanwhile, like an open chargeback.",
    )
    reactivated_at: AwareDatetime | None = Field(
        default=None,
        description="When staff last reactivated the account by hand: deadlines named before no longer count, so a "
        "suspension they led to is lifted and a fresh final warning must run its notice period first.",
    )


class SentNotice(_Frozen):
    """A ladder step already carried out: a customer notice (one record per channel), or a hand-off or staff
    alert (channel `staff`)."""

    step_id: str = Field(min_length=1)
    sent_at: AwareDatetime
    channel: str = Field(min_length=1)
    deadline: date | None = Field(default=None, description="The suspension deadline the notice named.")
    notice_id: str | None = Field(
        default=None, description="The customer notice's id, under which its delivery evidence is recorded."
    )
    outcome: str | None = Field(
        default=None,
        description="In a decision's record only: what the channel's send came to (accepted, delivered, bounced...).",
    )
    step_kind: StepKind | None = Field(
        default=None,
        description="In a decision's record only: the kind of the step (what its reader is told, never the step's "
        "id); none for a staff alert or a step the policy no longer has.",
    )


STAFF_CHANNEL = "staff"  # the channel of the ladder's records of hand-offs and staff alerts

# What a channel's send of a notice came to, as the notifier and SES's events record it.
REACHED_WHEN_ACCEPTED = frozenset({"accepted", "delivered", "delayed"})
REACHED_WHEN_DELIVERED = frozenset({"delivered"})
# What reached nobody, for good: a warning that came to this on every channel it was sent on goes out again at once,
# on every channel the customer has (the fallback).
FAILED_FOR_GOOD = frozenset({"refused", "held", "bounced", "complained", "rejected", "rendering_failed"})

# Outputs: records the engine builds from what it already read, so plain frozen dataclasses (no validation on the
# hot path). The notification bodies that carry some of them are pydantic models, which validate them when a body is
# read back from the outbox; their JSON is the same field for field. The engine makes the ones every evaluation makes
# (charges, notices, the plan, the decision) with `_made`.


class _Carried:
    """A record the notification bodies carry (pydantic models): pydantic works out its schema once, the first time
    a body needs it, and every other body reuses it, as it does for a model. Without this it would work it out
    again in each body, on every cold start of a function that imports them."""

    __pydantic_core_schema__: ClassVar[CoreSchema]
    _schema_underway: ClassVar[bool] = False

    @classmethod
    def __get_pydantic_core_schema__(cls, source: type[Any], handler: GetCoreSchemaHandler) -> CoreSchema:
        if "__pydantic_core_schema__" not in cls.__dict__ and not cls.__dict__.get("_schema_underway"):
            from pydantic import TypeAdapter  # noqa: PLC0415 - on first use: code that only decides never needs it

            cls._schema_underway = True  # the adapter below asks this again: then it is the plain dataclass's
            try:
                cls.__pydantic_core_schema__ = TypeAdapter(cls).core_schema
            finally:
                cls._schema_underway = False
        return handler(source)


def _made[R](cls: type[R], fields: dict[str, object]) -> R:
    """A record of `cls` with `fields`, every one of them, set at once: the engine's way to make the records every
    evaluation makes. The __init__ a frozen dataclass generates sets the fields one by one through
    object.__setattr__, which costs several times as much."""
    record = object.__new__(cls)
    object.__setattr__(record, "__dict__", fields)
    return record


@dataclass(frozen=True, kw_only=True)
class InvoiceCharge(_Carried):
    """One installment as a notice or a record shows it: the principal still owed, the fine and interest accrued on
    it to date, and what settles it (`total`): the principal, plus the fine and interest not yet paid when the
    policy charges them (`Fees.mode`)."""

    invoice_id: str
    installment: int
    due_date: date
    # When `due_date` is not a business day, the business day it moved to: the day it is due, from which it is late
    # and accrues fees. None when it is a business day.
    effective_due_date: date | None = None
    days_late: int
    label: str | None = None  # the invoice as the customer knows it
    payment_url: str | None = None
    bank_slip: str | None = None
    outstanding: Money  # the principal still owed
    late_fee: Money  # the fine accrued to date, on what was paid late or is still owed
    interest: Money  # the interest accrued to date, pro rata die on the principal while owed
    fees_paid: Money | None = None  # what was paid of the fine and interest, if anything
    total: Money  # what settles the installment

    @property
    def effective_due(self) -> date:
        """The day it is due: `due_date`, or the business day it moved to."""
        return self.effective_due_date or self.due_date

    @property
    def fees_to_date(self) -> Money:
        """The fine and interest accrued to date and not yet paid."""
        unpaid = self.late_fee + self.interest
        return unpaid - self.fees_paid if self.fees_paid is not None else unpaid


@dataclass(frozen=True, kw_only=True)
class NotifyCustomer:
    kind: Literal["notify_customer"] = "notify_customer"
    dedup_key: str
    step_id: str
    step_kind: StepKind
    anchor: date  # the due date the step counts from
    deadline: date | None = None  # pay by the end of this day to avoid suspension
    invoices: tuple[InvoiceCharge, ...]
    totals: tuple[Money, ...]  # what to pay, per currency: the invoices' totals
    fees_mode: FeesMode
    # The fine and interest accrued to date and not yet paid, per currency: part of `totals` when charged, to be
    # charged on a later invoice when informational.
    fees_to_date: tuple[Money, ...]
    channels: tuple[str, ...] = ("email", "sms")  # the step's channels (policy)


class AlertReason(StrEnum):
    UNKNOWN_CURRENCY = "unknown_currency"
    SUSPENSION_WITHHELD = "suspension_withheld"
    CUSTOMER_UNREACHABLE = "customer_unreachable"
    PROMISE_LAPSED = "promise_lapsed"


@dataclass(frozen=True, kw_only=True)
class AlertStaff:
    kind: Literal["alert_staff"] = "alert_staff"
    dedup_key: str
    reason: AlertReason
    step_id: str | None = None
    detail: str  # the engine's own words, for logs and audits; people read the facts below
    invoice_keys: tuple[str, ...]
    addressee: str | None = None  # whom the alert is for, when not the account's owner (who granted a promise)
    invoices: tuple[str, ...] = ()  # the invoices as the customer knows them
    until: date | None = None  # a lapsed promise's last day
    currencies: tuple[str, ...] = ()  # currencies the policy has no thresholds for
    policy_version: int | None = None
    # What each channel of the notice that reached no one came to (`bounced`, `held`...).
    tried: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class SuspensionRecord(_Carried):
    """Why an account was suspended, for its owner and for audits."""

    rule: str
    step_id: str
    policy_version: int
    anchor: date
    deadline: date
    invoices: tuple[InvoiceCharge, ...]
    totals: tuple[Money, ...]
    notices: tuple[SentNotice, ...]
    # Records written before fees had a mode quoted the total with fees as what was owed.
    fees_mode: FeesMode = "charged"
    fees_to_date: tuple[Money, ...] = ()
    credit: tuple[Money, ...] = ()  # the customer's credit, per currency


@dataclass(frozen=True, kw_only=True)
class Suspend:
    kind: Literal["suspend"] = "suspend"
    dedup_key: str
    record: SuspensionRecord


@dataclass(frozen=True, kw_only=True)
class HandOff:
    """The debt goes to a person for collections, with what they need to pick it up."""

    kind: Literal["hand_off"] = "hand_off"
    dedup_key: str
    step_id: str
    anchor: date
    invoices: tuple[InvoiceCharge, ...]
    totals: tuple[Money, ...]
    notices: tuple[SentNotice, ...]
    fees_mode: FeesMode
    fees_to_date: tuple[Money, ...]
    credit: tuple[Money, ...]  # the customer's credit, per currency


ReactivationReason = Literal["settled", "never_suspend", "exempt", "staff"]


@dataclass(frozen=True, kw_only=True)
class Reactivate:
    """A suspended account is back in service: it owes no more than the tolerance (`settled`), may never be
    suspended (`never_suspend`), is exempt from suspension for now (`exempt`), or staff lifted the suspension
    (`staff`)."""

    kind: Literal["reactivate"] = "reactivate"
    dedup_key: str
    reason: ReactivationReason = "settled"
    remaining: tuple[Money, ...]  # what is still overdue, within the tolerance
    credit: tuple[Money, ...]  # the customer's credit, per currency


@dataclass(frozen=True, kw_only=True)
class Clear:
    """An overdue account is in good standing again: it owes no more than the tolerance."""

    kind: Literal["clear"] = "clear"
    dedup_key: str
    remaining: tuple[Money, ...]  # what is still overdue, within the tolerance
    credit: tuple[Money, ...]  # the customer's credit, per currency


Action = Annotated[NotifyCustomer | AlertStaff | Suspend | HandOff | Reactivate | Clear, Field(discriminator="kind")]


@dataclass(frozen=True, kw_only=True)
class PlannedStep(_Carried):
    step_id: str
    kind: StepKind
    on: date
    deadline: date | None = None


@dataclass(frozen=True, kw_only=True)
class Decision:
    new_status: AccountStatus
    actions: tuple[Action, ...]
    next_evaluation_at: datetime | None  # UTC; None when time alone changes nothing
    # Coming steps if nothing is paid: for the overdue debt, or else for the next due date.
    plan: tuple[PlannedStep, ...]
    anchor: date | None  # the due date the ladder counts from while the account owes
    flagged_currencies: tuple[str, ...]
    policy_version: int
    # The customer's credit per currency: what was paid above the principal, and above the fine and interest when
    # the policy charges them.
    credit: tuple[Money, ...] = ()
    # Every installment the ladder reads (owed, in a currency of the policy, not disputed or held), with its fine and
    # interest to date: what staff see it owes.
    charges: tuple[InvoiceCharge, ...] = ()


# Fine and interest: exact in minor units, each rounded half-even to the minor unit, per invoice.


def late_fee(outstanding: Money, fees: Fees) -> Money:
    """The fine for paying late: `late_fee_percent` of what is still owed, charged once."""
    fine, _ = _rates(fees)
    return _money(_percent_of(outstanding.amount, fine), outstanding.currency)


def late_interest(outstanding: Money, days_late: int, fees: Fees) -> Money:
    """Simple interest pro rata die: `monthly_interest_percent` / 30 of what is still owed per day late, counted
    from the day after the due date (Brazilian practice: juros de mora de 1% ao mês pro rata die)."""
    _, daily = _rates(fees)
    return _money(_percent_of(outstanding.amount * max(days_late, 0), daily), outstanding.currency)


@lru_cache(maxsize=16)
def _rates(fees: Fees) -> tuple[Fraction, Fraction]:
    """The fine and the daily interest as percents, exact."""
    return Fraction(fees.late_fee_percent), Fraction(fees.monthly_interest_percent) / 30


def _percent_of(amount: int, percent: Fraction) -> int:
    """`percent` % of `amount` minor units, rounded half to even, in integers (as round() on a Fraction does)."""
    return _share(amount, (percent.numerator, percent.denominator * 100))


_Share = tuple[int, int]  # a percent as the fraction (numerator, denominator) of the amount it applies to


@lru_cache(maxsize=16)
def _shares(fees: Fees) -> tuple[_Share, _Share]:
    """The fine and the daily interest as fractions of the amount (`_rates` over 100)."""
    fine, daily = _rates(fees)
    return (fine.numerator, fine.denominator * 100), (daily.numerator, daily.denominator * 100)


def _share(amount: int, share: _Share) -> int:
    """`amount` times `share`, rounded half to even, in integers (as round() on a Fraction does)."""
    numerator, whole = share
    quotient, remainder = divmod(amount * numerator, whole)
    twice = remainder * 2
    return quotient + (twice > whole or (twice == whole and quotient % 2 == 1))


def _money(amount: int, currency: str) -> Money:
    if not amount:
        zero = _ZEROS.get(currency)
        if zero is None:
            zero = _ZEROS[currency] = money_of(0, currency)
        return zero
    return money_of(amount, currency)


_ZEROS: dict[str, Money] = {}  # Money is immutable: one zero per currency serves every record


def accrued_fees(receivable: Receivable, *, due: date, today: date, zone: ZoneInfo, fees: Fees) -> tuple[int, int]:
    """The fine and the interest accrued on one installment by the end of `today`, in minor units.

    `due` is the effective due date (`next_business_day` of the due date). The fine is `late_fee_percent` of what was
    paid after it or is still owed after it, once; the interest is simple, `monthly_interest_percent` / 30 per day on
    the principal while it was owed, from the day after `due` to the local day each part was paid (or to today for
    what is still owed). A part paid with no date known counts as paid on time; a part dated after today, as paid
    today.
    """
    return _accrued(receivable, due, today, zone, _shares(fees))


def _accrued(
    receivable: Receivable, due: date, today: date, zone: ZoneInfo, shares: tuple[_Share, _Share]
) -> tuple[int, int]:
    late = 0  # minor units paid late or still owed late
    owed_days = 0  # minor units times the days they were late
    for part in receivable.paid:
        paid_on = min(part.at.astimezone(zone).date(), today)
        if paid_on > due:
            late += part.amount
            owed_days += part.amount * (paid_on - due).days
    if today > due:
        late += receivable.outstanding.amount
        owed_days += receivable.outstanding.amount * (today - due).days
    if not late:  # nothing late, nothing accrued (and no day counted)
        return 0, 0
    return _share(late, shares[0]), _share(owed_days, shares[1])


# Account status: one row per (status, standing), read as "from, standing -> to, change".


class Standing(StrEnum):
    SETTLED = "settled"  # owes no more than the tolerance
    OWING = "owing"
    DUE_FOR_SUSPENSION = "due_for_suspension"  # the suspend step applies and the named deadline has passed
    PROTECTED = "protected"  # owing, but not to be suspended: flagged never to be, exempt for now, lifted by staff


class Change(StrEnum):
    SUSPEND = "suspend"
    REACTIVATE = "reactivate"
    CLEAR = "clear"


_ACTIVE, _OVERDUE, _SUSPENDED = AccountStatus.ACTIVE, AccountStatus.OVERDUE, AccountStatus.SUSPENDED
_WARNING = StepKind.FINAL_WARNING

TRANSITIONS: dict[tuple[AccountStatus, Standing], tuple[AccountStatus, Change | None]] = {
    (_ACTIVE, Standing.SETTLED): (_ACTIVE, None),
    (_ACTIVE, Standing.OWING): (_OVERDUE, None),
    (_ACTIVE, Standing.PROTECTED): (_OVERDUE, None),
    (_ACTIVE, Standing.DUE_FOR_SUSPENSION): (_SUSPENDED, Change.SUSPEND),
    (_OVERDUE, Standing.SETTLED): (_ACTIVE, Change.CLEAR),
    (_OVERDUE, Standing.OWING): (_OVERDUE, None),
    (_OVERDUE, Standing.PROTECTED): (_OVERDUE, None),
    (_OVERDUE, Standing.DUE_FOR_SUSPENSION): (_SUSPENDED, Change.SUSPEND),
    (_SUSPENDED, Standing.SETTLED): (_ACTIVE, Change.REACTIVATE),
    (_SUSPENDED, Standing.OWING): (_SUSPENDED, None),
    (_SUSPENDED, Standing.PROTECTED): (_OVERDUE, Change.REACTIVATE),
    (_SUSPENDED, Standing.DUE_FOR_SUSPENSION): (_SUSPENDED, None),
}


def evaluate(
    account: Account,
    receivables: Sequence[Receivable],
    holds: Holds,
    sent: Sequence[SentNotice],
    *,
    now: datetime,
    policy: Policy,
    time_zone: str,
    holidays: frozenset[date],
    credit: Mapping[str, int] | None = None,
    deliveries: Mapping[str, Mapping[str, str]] | None = None,
) -> Decision:
    """Decide what the ladder does for `account` at `now`.

    `deliveries` is the evidence of each customer notice, by notice id and channel (`accepted`, `delivered`,
    `bounced`, `complained`, `refused`, `held`...): a suspension needs a notice naming its deadline that reached
    the customer on some channel (accepted, or delivered when the policy asks for `delivered`) at least
    `deadline_notice_days` before it. A notice recorded without an id (before evidence existed) counts as reached.

    `time_zone` is the business's IANA zone; `holidays` the national holidays of its country for the years around
    `now`, to which the evaluation adds the policy's `local_holidays` (`business_calendar`); `sent` is the ladder's
    record for the account; `credit` what was paid above the principal of `receivables`, per currency
    (`Allocation.credit`): when the policy charges the fine and interest, it pays them, oldest installment first,
    and what is left is the customer's credit.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise InvalidInput("now must carry its time zone")
    zone = _ZONES.get(time_zone) or _zone(time_zone)
    return _Evaluation(account, receivables, holds, sent, now, policy, zone, holidays, credit, deliveries).decide()


def _zone(name: str) -> ZoneInfo:
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"unknown time zone {name!r}") from exc
    return _keep(_ZONES, name, zone, _KEPT)


_ZONES: dict[str, ZoneInfo] = {}  # by name: the business's, on every evaluation


def business_calendar(holidays: frozenset[date], policy: Policy, today: date) -> frozenset[date]:
    """The days around `today` that are not business days besides weekends: `holidays`, the national holidays of the
    business's country (`ponte.calendar`), and the policy's `local_holidays` from the year before to two years on.
    The one calendar of business days: the ladder's, and the staff's extensions'."""
    if not policy.local_holidays:
        return holidays
    return _with_local_holidays(holidays, policy.local_holidays, today.year)


@lru_cache(maxsize=64)
def _with_local_holidays(holidays: frozenset[date], local: tuple[LocalHoliday, ...], year: int) -> frozenset[date]:
    years = set(range(year - 1, year + 3))
    return holidays.union(*(holiday.days_in(years) for holiday in local))


def next_business_day(day: date, holidays: frozenset[date]) -> date:
    """`day`, or the first business day after it when it is a weekend or one of `holidays`: the day an invoice due
    on `day` is due."""
    return _next_business_day(day, holidays)


def shift_business_days(day: date, offset: int, holidays: frozenset[date]) -> date:
    """The day `offset` business days after `day` (before it, when negative), skipping weekends and `holidays`."""
    return _shift_business_days(day, offset, holidays)


def business_days_between(start: date, end: date, holidays: frozenset[date]) -> int:
    """How many business days after `start` `end` is (0 when it is not after it)."""
    count, day = 0, start
    while day < end:
        day += _DAY
        count += _is_business_day(day, holidays)
    return count


def _is_business_day(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


@lru_cache(maxsize=4096)
def _next_business_day(day: date, holidays: frozenset[date]) -> date:
    while not _is_business_day(day, holidays):
        day += _DAY
    return day


@lru_cache(maxsize=4096)
def _shift_business_days(day: date, offset: int, holidays: frozenset[date]) -> date:
    step = _DAY if offset > 0 else -_DAY
    for _ in range(abs(offset)):
        day += step
        while not _is_business_day(day, holidays):
            day += step
    return day


@lru_cache(maxsize=1024)
def _step_days(
    anchor: date, offsets: tuple[int, ...], counting: DayCount, holidays: frozenset[date]
) -> tuple[date, ...]:
    """The day each step of a ladder falls on, counted from `anchor` (before holds and business-day moves): the
    same for every account with that due date, so worked out once."""
    if counting is DayCount.CALENDAR:
        return tuple(anchor + timedelta(days=offset) for offset in offsets)
    return tuple(_shift_business_days(anchor, offset, holidays) for offset in offsets)


# The policy as each evaluation reads it, worked out once per policy (a policy is immutable; a changed one is a new
# object): the steps by kind, the thresholds, the fee rates, and what quiet hours do to a step planned for a day.


class _Ladder:
    __slots__ = (
        "after_due",
        "calendars",
        "charged",
        "first_offset",
        "kinds",
        "min_amounts",
        "min_invoices",
        "most_invoices",
        "notice_days",
        "offsets",
        "policy",
        "quiet_at_midnight",
        "quiet_end_days",
        "reached_when",
        "reminder_days",
        "reminders",
        "schedules",
        "shares",
        "size",
        "suspend",
        "tolerance",
        "warning",
        "warnings",
    )

    def __init__(self, policy: Policy) -> None:
        steps = policy.steps
        self.policy = policy
        self.offsets = tuple(step.offset_days for step in steps)  # each step's offset_days
        self.kinds = {step.id: step.kind for step in steps}  # each step's kind, by id
        self.reminders = tuple(i for i, step in enumerate(steps) if step.kind is StepKind.REMINDER)  # by position
        self.after_due = tuple(i for i, step in enumerate(steps) if step.kind is not StepKind.REMINDER)
        self.suspend = next((i for i, step in enumerate(steps) if step.kind is StepKind.SUSPEND), None)
        self.warnings = tuple(i for i, step in enumerate(steps) if step.kind is StepKind.FINAL_WARNING)
        self.warning = self.warnings[0] if self.warnings else None  # the first final warning's position
        self.size = len(steps)
        self.min_invoices = tuple(step.min_invoices for step in steps)  # each step's fewest invoices
        self.most_invoices = max(self.min_invoices)
        # The steps with a least amount per currency, by position.
        self.min_amounts = tuple((i, step.min_amount) for i, step in enumerate(steps) if step.min_amount)
        # The first step after the due date, in days from it.
        self.first_offset = min((s.offset_days for s in steps if s.offset_days > 0), default=1)
        self.tolerance = {currency: thresholds.tolerance for currency, thresholds in policy.currencies.items()}
        self.charged = policy.fees.mode == "charged"  # the fine and interest are owed, not only shown
        self.shares = _shares(policy.fees)  # the fine and the daily interest, as fractions of the amount
        self.notice_days = timedelta(days=policy.deadline_notice_days)
        # What a channel's send must have come to for a deadline to count.
        self.reached_when = REACHED_WHEN_DELIVERED if policy.deadline_evidence == "delivered" else REACHED_WHEN_ACCEPTED
        # Whether a customer notice planned for a day waits for quiet hours to end, and the day they end (that day or
        # the next): the steps' moments are the start of their day.
        quiet, midnight = policy.quiet_hours, datetime.combine(date(2000, 1, 1), time())
        self.quiet_at_midnight = quiet is not None and quiet.contains(midnight.time())
        self.quiet_end_days = quiet.end_after(midnight).date() - midnight.date() if quiet is not None else timedelta()
        # With the local holidays, by national holidays and year.
        self.calendars: dict[tuple[frozenset[date], int], frozenset[date]] = {}
        # The steps after the due date on their days, by what they depend on (`_Evaluation._schedule`), and the
        # reminders by due date and calendar: the same for every account with the same dates on the same day.
        self.schedules: dict[tuple[object, ...], tuple[_Scheduled, ...]] = {}
        self.reminder_days: dict[tuple[date, frozenset[date]], tuple[_Scheduled, ...]] = {}

    def calendar(self, holidays: frozenset[date], today: date) -> frozenset[date]:
        """`business_calendar`, kept per year."""
        if not self.policy.local_holidays:
            return holidays
        key = (holidays, today.year)
        found = self.calendars.get(key)
        if found is None:
            found = _keep(self.calendars, key, business_calendar(holidays, self.policy, today), _KEPT)
        return found


_KEPT = 16  # policies (and calendars per policy) kept worked out; more are rare: a policy changes by hand
_KEPT_DAYS = 1024  # schedules kept per policy: a sweep sees one per due date (and hold) among the accounts due


def _keep[K, V](cache: dict[K, V], key: K, value: V, most: int) -> V:
    """Keep `value` under `key`, emptying the cache first when it holds `most` already."""
    if len(cache) >= most:
        cache.clear()
    cache[key] = value
    return value


_LADDERS: dict[int, _Ladder] = {}


def _ladder(policy: Policy) -> _Ladder:
    ladder = _LADDERS.get(id(policy))
    if ladder is None or ladder.policy is not policy:  # the policy it was made for holds its id while kept
        ladder = _keep(_LADDERS, id(policy), _Ladder(policy), _KEPT)
    return ladder


class _Owed:
    """An installment the ladder reads, with what it comes to today."""

    __slots__ = ("amount", "charge", "currency", "due", "fees_paid", "fine", "interest", "key", "receivable")

    def __init__(  # noqa: PLR0917 - made in one place, from one installment's figures
        self,
        receivable: Receivable,
        key: str,
        currency: str,
        due: date,
        fine: int,
        interest: int,
        fees_paid: int,
        amount: int,
    ) -> None:
        self.receivable, self.key, self.currency = receivable, key, currency
        self.due = due  # the effective due date
        self.fine, self.interest, self.fees_paid = fine, interest, fees_paid  # accrued to date, and paid of them
        self.amount = amount  # what settles it: the principal, and the fees when charged
        self.charge: InvoiceCharge | None = None  # as notices show it, once made

    @property
    def fees_unpaid(self) -> int:
        return self.fine + self.interest - self.fees_paid


class _Scheduled:
    """A step on its day. Kept with the ladder for every account with the same dates (`_Ladder.schedules`), so
    never changed once made, but for the plan entry it is shown as, made once."""

    __slots__ = ("deadline", "index", "kind", "on", "planned", "step")

    def __init__(self, step: Step, index: int, on: date, deadline: date | None = None) -> None:
        self.step, self.kind = step, step.kind
        self.index = index  # position in the ladder
        self.on, self.deadline = on, deadline
        self.planned: PlannedStep | None = None


class _Evaluation:
    __slots__ = (
        "_credit",
        "account",
        "actions",
        "anchor",
        "charged",
        "deliveries",
        "extended",
        "flagged",
        "holds",
        "holidays",
        "ladder",
        "left_over",
        "local_now",
        "midnights",
        "moments",
        "overdue",
        "overdue_totals",
        "owing_in",
        "policy",
        "promised",
        "protected",
        "protection",
        "quiet_ends",
        "quiet_now",
        "receivables",
        "sent",
        "today",
        "upcoming",
        "voided_before",
        "zone",
    )

    def __init__(  # noqa: PLR0917 - the evaluation's inputs, as `evaluate` takes them
        self,
        account: Account,
        receivables: Sequence[Receivable],
        holds: Holds,
        sent: Sequence[SentNotice],
        now: datetime,
        policy: Policy,
        zone: ZoneInfo,
        holidays: frozenset[date],
        credit: Mapping[str, int] | None,
        deliveries: Mapping[str, Mapping[str, str]] | None,
    ) -> None:
        self.ladder = _ladder(policy)
        self.account, self.holds, self.sent, self.policy, self.zone = account, holds, sent, policy, zone
        self.deliveries = deliveries or {}
        self.local_now = now.astimezone(zone)
        self.today = today = self.local_now.date()
        self.holidays = self.ladder.calendar(holidays, today)
        self.charged = self.ladder.charged
        self.left_over = {currency: amount for currency, amount in credit.items() if amount > 0} if credit else {}
        self.receivables = receivables
        exempt = holds.exempt_until is not None and today <= holds.exempt_until
        self.protection: ReactivationReason | None = (
            "never_suspend" if holds.never_suspend else "exempt" if exempt else None
        )
        self.protected = self.protection is not None
        # Deadlines named before a promise was granted, or before staff reactivated the account, no longer count.
        promise = holds.promise
        self.voided_before = self.promised = None
        if holds.reactivated_at or promise:
            voided = [t for t in (holds.reactivated_at, promise.granted_at if promise else None) if t]
            self.voided_before = max(voided)
        # Steps after the due date wait until the day after a promise to pay.
        if holds.promise_to_pay_until or promise:
            promised = [d for d in (holds.promise_to_pay_until, promise.until if promise else None) if d is not None]
            self.promised = max(promised)
        # No deadline before an extension staff granted (or the business day it moves to).
        extended = holds.deadline_not_before
        self.extended = _next_business_day(extended, self.holidays) if extended is not None else None
        self.quiet_now: bool | None = None  # whether it is quiet hours now, once asked
        self.flagged: list[Receivable] = []
        self._credit: tuple[Money, ...] | None = None
        self.overdue, self.upcoming = self._accrue(receivables)
        self.overdue_totals, anchors = self._overdue_totals()
        self.owing_in = set(anchors)  # the currencies in which more than the tolerance is overdue
        self.anchor = min(anchors.values(), default=None)
        self.actions: list[Action] = []
        # When to look again, the earliest of: the start of these days; the end of quiet hours on these; these.
        self.midnights: list[date] = [o.due + _DAY for o in self.upcoming]
        self.quiet_ends: list[date] = []
        self.moments: list[datetime] = []
        if self.charged:
            self._interest_crossings()
        if holds.disputed_until or holds.exempt_until or promise:
            self._hold_ends()

    def _held(self, receivable: Receivable) -> bool:
        """Whether staff hold the invoice in dispute today."""
        until = self.holds.disputed_until.get(receivable.invoice_id)
        return until is not None and self.today <= until

    def _hold_ends(self) -> None:
        """Look again the day a hold that matters ends: a disputed invoice still owed comes back, an exemption or a
        promise over a debt ends (the ladder resumes, a lapsed promise is told)."""
        holds = self.holds
        ends = []
        if holds.disputed_until:
            ends = [
                holds.disputed_until[r.invoice_id]
                for r in self.receivables
                if self._held(r) and r.outstanding.amount > 0
            ]
        if self.anchor is not None:
            # A promise set by hand is waited for by the steps' own dates; a staff's is told when it lapses.
            promise = holds.promise.until if holds.promise else None
            ends += [d for d in (holds.exempt_until, promise) if d is not None and d >= self.today]
        self.midnights.extend(day + _DAY for day in ends)

    def _accrue(self, receivables: Sequence[Receivable]) -> tuple[list[_Owed], list[_Owed]]:
        """The installments the ladder reads, overdue and coming, each oldest due first, with the fine and interest
        accrued to date; when charged, the credit pays those fees oldest first, and what is left stays the
        customer's credit. Invoices in a currency the policy has no thresholds for, and still owed, are flagged."""
        currencies, charged, held = self.ladder.tolerance, self.charged, bool(self.holds.disputed_until)
        live = []
        for position, r in enumerate(receivables):
            outstanding = r.outstanding
            if outstanding.currency not in currencies:
                if outstanding.amount > 0:
                    self.flagged.append(r)
            # Informational fees on what is paid concern nobody here: only what is owed is read.
            elif not r.disputed and not (held and self._held(r)) and (charged or outstanding.amount > 0):
                # Due on the next business day when the due date is not one, whatever the count (a payment on the
                # first business day after a due date on a weekend or holiday is on time, as banks settle boletos).
                live.append((_next_business_day(r.due_date, self.holidays), r.key, position, r))
        if len(live) > 1:
            live.sort()  # by effective due date, then key (then as given: the position breaks any tie)
        overdue: list[_Owed] = []
        upcoming: list[_Owed] = []
        for due, key, _, receivable in live:
            late_fee = interest = 0
            if receivable.paid or self.today > due:  # else nothing was, or is, late
                late_fee, interest = _accrued(receivable, due, self.today, self.zone, self.ladder.shares)
            principal, currency = receivable.outstanding.amount, receivable.outstanding.currency
            fees_paid = 0
            if charged:
                fees_paid = min(self.left_over.get(currency, 0), late_fee + interest)
                if fees_paid:
                    self.left_over[currency] -= fees_paid
                principal += late_fee + interest - fees_paid
            if principal > 0:
                owed = _Owed(receivable, key, currency, due, late_fee, interest, fees_paid, principal)
                (overdue if due < self.today else upcoming).append(owed)
        return overdue, upcoming

    @property
    def credit(self) -> tuple[Money, ...]:
        if self._credit is None:
            left = self.left_over
            self._credit = tuple(_money(a, c) for c, a in sorted(left.items()) if a > 0) if left else ()
        return self._credit

    def _remaining(self) -> tuple[Money, ...]:
        return tuple(_money(a, c) for c, a in sorted(self.overdue_totals.items()))

    def _interest_crossings(self) -> None:
        """When charged, interest raises what is owed day by day: look again on the first day it reaches, in some
        currency, a threshold it is below today (more than the tolerance, or a step's minimum amount)."""
        if not self.charged or not self.policy.fees.monthly_interest_percent:
            return
        for currency in sorted({o.currency for o in self.overdue if o.receivable.outstanding.amount > 0}):
            owed = [o for o in self.overdue if o.currency == currency]
            now_owed = sum(o.amount for o in owed)
            thresholds = [self.ladder.tolerance[currency] + 1]
            thresholds += [s.min_amount[currency] for s in self.policy.steps if currency in s.min_amount]
            above = [t for t in thresholds if t > now_owed]
            if above:
                day = self._first_day_owing(owed, min(above))
                if day is not None:
                    self.midnights.append(day)

    def _first_day_owing(self, owed: Sequence[_Owed], target: int) -> date | None:
        """The first day after today on which `owed` (one currency, overdue) adds up to `target` or more."""
        fees_paid = sum(o.fees_paid for o in owed) + self.left_over.get(owed[0].currency, 0)
        principal = sum(o.receivable.outstanding.amount for o in owed)
        shares = self.ladder.shares

        def owed_on(day: date) -> int:
            accrued = sum(sum(_accrued(o.receivable, o.due, day, self.zone, shares)) for o in owed)
            return principal + max(accrued - fees_paid, 0)

        low, high = 1, _INTEREST_HORIZON_DAYS
        if owed_on(self.today + timedelta(days=high)) < target:
            return None
        while low < high:
            middle = (low + high) // 2
            if owed_on(self.today + timedelta(days=middle)) >= target:
                high = middle
            else:
                low = middle + 1
        return self.today + timedelta(days=low)

    def decide(self) -> Decision:
        standing = Standing.SETTLED
        plan: tuple[PlannedStep, ...] = ()
        if self.anchor is not None:
            standing, plan = self._run_ladder(self.anchor)
        elif self.upcoming:
            plan = self._prospect(self.upcoming[0].due)  # the earliest: they are in due order
        new_status, change = TRANSITIONS[(self.account.status, standing)]
        if change is Change.REACTIVATE:
            reason: ReactivationReason = "settled"
            if standing is Standing.PROTECTED:
                reason = self.protection or "staff"
            self.actions.insert(
                0,
                Reactivate(
                    dedup_key=self._change_key(change), reason=reason, remaining=self._remaining(), credit=self.credit
                ),
            )
        elif change is Change.CLEAR:
            self.actions.insert(
                0, Clear(dedup_key=self._change_key(change), remaining=self._remaining(), credit=self.credit)
            )
        self._remind()
        self._flag_unknown_currencies()
        lapsed = self._promise_lapsed()
        if lapsed is not None:
            self.actions.append(lapsed)
        return _made(
            Decision,
            {
                "new_status": new_status,
                "actions": tuple(self.actions),
                "next_evaluation_at": self._next_evaluation(),
                "plan": plan,
                "anchor": self.anchor,
                "flagged_currencies": tuple(sorted({r.outstanding.currency for r in self.flagged}))
                if self.flagged
                else (),
                "policy_version": self.policy.version,
                "credit": self.credit,
                "charges": self._charges([*self.overdue, *self.upcoming]),
            },
        )

    def _overdue_totals(self) -> tuple[dict[str, int], dict[str, date]]:
        """What is overdue per currency, and, in each currency in which more than the tolerance is, the ladder's
        anchor there: the earliest due date from which what is overdue exceeds the tolerance."""
        totals: dict[str, int] = {}
        anchors: dict[str, date] = {}
        tolerance = self.ladder.tolerance
        for owed in self.overdue:  # in due order
            currency = owed.currency
            totals[currency] = total = totals.get(currency, 0) + owed.amount
            if total > tolerance[currency] and currency not in anchors:
                anchors[currency] = owed.due
        return totals, anchors

    # The steps after the due date, for a debt overdue since `anchor`.

    def _counted(self) -> list[_Owed]:
        """The overdue installments in the currencies in which more than the tolerance is overdue."""
        if len(self.owing_in) == len(self.overdue_totals):  # every currency overdue
            return self.overdue
        return [o for o in self.overdue if o.currency in self.owing_in]

    def _origin(self, anchor: date, counted: Sequence[_Owed]) -> date:
        """The day the steps after the due date count from: the anchor, unless the debt became known only after
        the first of those steps would have gone out (an opening import, a back-dated NF-e). Then the ladder
        starts on the day it became known, with its first overdue step, so that nobody's first notice is a final
        warning and every deadline is named the full notice period ahead."""
        seen = [o.receivable.known_since for o in counted if o.receivable.known_since is not None]
        if not seen:
            return anchor
        known_on = min(seen).astimezone(self.zone).date()
        if known_on <= anchor:  # known by the day after the due date, before any step after it
            return anchor
        first = self.ladder.first_offset
        first_on = self._step_days(anchor)[self.ladder.after_due[0]] if self.ladder.after_due else None
        if known_on <= (first_on or self._shift(anchor, first)):
            return anchor
        return self._shift(known_on, -first)

    def _shift(self, day: date, offset: int) -> date:
        if self.policy.day_count is DayCount.CALENDAR:
            return day + timedelta(days=offset)
        return _shift_business_days(day, offset, self.holidays)

    def _run_ladder(self, anchor: date) -> tuple[Standing, tuple[PlannedStep, ...]]:
        since = self._start_of(anchor + _DAY)
        deadline_notice = self._deadline_notice(since) if self.sent else None
        counted = self._counted()
        origin = self._origin(anchor, counted)
        # Staff reactivated a suspended account: the deadline that led to the suspension no longer counts, so the
        # suspension is lifted and the ladder goes on from its final warning.
        lifted = self.account.status is _SUSPENDED and self.holds.reactivated_at is not None and deadline_notice is None
        schedule = self._schedule(origin, deadline_notice, self.account.status is _SUSPENDED and not lifted)
        done = self._steps_done(since) if self.sent else set()
        applies = self._applies(counted)
        last_notice = self._last_notice_done(done) if done else -1
        # What is due today: the latest customer notice not yet sent, the hand-off and the suspension; and what comes.
        notice = hand_off = suspend = None
        later = []
        for s in schedule:
            if not applies[s.index] or (done and s.step.id in done):
                continue
            if s.on > self.today:
                later.append(s)
            elif s.kind in CUSTOMER_NOTICES:
                notice = s if s.index > last_notice else notice
            elif s.kind is StepKind.HAND_OFF:
                hand_off = hand_off or s
            elif s.kind is StepKind.SUSPEND:
                suspend = suspend or s
        waiting = None  # a notice held back by quiet hours
        if notice is not None:
            if self._notify(notice, anchor, self.overdue):
                last_notice = notice.index
            else:
                waiting = notice

        if hand_off is not None and not self._awaits_deadline(deadline_notice, applies):
            self.actions.append(self._hand_off(hand_off.step, anchor, counted, since))

        standing = self._standing(suspend, deadline_notice, lifted=lifted, anchor=anchor, counted=counted, since=since)

        coming = [s for s in later if s.kind not in CUSTOMER_NOTICES or s.index > last_notice]
        self._look_on(coming)
        if waiting is not None:
            coming.insert(0, waiting)
        if self.protected:
            coming = [s for s in coming if s.kind is not StepKind.SUSPEND]
        return standing, _plan(coming)

    def _meets(self, index: int, owed: Sequence[_Owed]) -> bool:
        """Whether the step at `index` meets its thresholds for `owed` (`_meeting`)."""
        if len(owed) < self.ladder.min_invoices[index]:
            return False
        min_amount = self.policy.steps[index].min_amount
        return not min_amount or any(amount >= min_amount.get(c, 0) for c, amount in _sums(owed).items())

    def _applies(self, owed: Sequence[_Owed]) -> list[bool]:
        """Whether each step applies to `owed` (the overdue installments in the currencies owing), by position in
        the ladder. A final warning announces a suspension: it applies only when that suspension would."""
        # What `owed` adds up to per currency: the overdue totals of the currencies it is about.
        sums = self.overdue_totals
        if len(sums) > len(self.owing_in):
            sums = {currency: amount for currency, amount in sums.items() if currency in self.owing_in}
        meets = _meeting(self.ladder, owed, sums)
        suspend = self.ladder.suspend
        if suspend is not None and not meets[suspend]:
            for warning in self.ladder.warnings:
                meets[warning] = False
        return meets

    def _standing(
        self,
        suspend: _Scheduled | None,
        deadline_notice: SentNotice | None,
        *,
        lifted: bool,
        anchor: date,
        counted: Sequence[_Owed],
        since: datetime,
    ) -> Standing:
        """Where an owing account stands, with the suspension (or the alert that it is withheld) it calls for."""
        if self.protected:
            # A flag set by hand is easy to forget: staff are told what it withheld. An exemption is staff's own
            # decision, with its end shown on the account.
            if suspend is not None and self.protection == "never_suspend":
                self.actions.append(self._withheld(suspend.step, counted))
            return Standing.PROTECTED
        if lifted:
            return Standing.PROTECTED
        if suspend is not None and deadline_notice is not None:
            deadline = suspend.deadline or self._kept(deadline_notice.deadline)
            self.actions.insert(0, self._suspend(suspend.step, anchor, deadline, counted, since))
            return Standing.DUE_FOR_SUSPENSION
        if self.ladder.suspend is not None and self.sent:
            passed = [n for n in self._unreached_warnings(since) if self._kept(n.deadline) < self.today]
            if passed:
                self.actions.append(self._unreachable(self.policy.steps[self.ladder.suspend], passed, counted))
        return Standing.OWING

    def _kept(self, deadline: date | None) -> date:
        """A deadline as it stands after an extension: never before `deadline_not_before` (or the business day it
        moves to, when it is not one)."""
        assert deadline is not None
        extended = self.extended
        return extended if extended is not None and extended > deadline else deadline

    def _promise_lapsed(self) -> AlertStaff | None:
        """The promise's day has passed and the debt it was about is still owed (or less than the amount promised
        was paid since it was granted): the person who granted it is told, once."""
        promise = self.holds.promise
        if promise is None or self.anchor is None or self.today <= promise.until or self.anchor > promise.until:
            return None
        if promise.amount is not None:
            paid = sum(
                part.amount
                for r in self.receivables
                if r.outstanding.currency == promise.amount.currency
                for part in r.paid
                if part.at >= promise.granted_at
            )
            if paid >= promise.amount.amount:
                return None
        key = _dedup_key(self.account.account_id, f"promise-lapsed:{promise.granted_at.isoformat()}", [])
        if any(n.step_id == key for n in self.sent):
            return None
        owed = self._counted()
        return AlertStaff(
            dedup_key=key,
            reason=AlertReason.PROMISE_LAPSED,
            detail=f"the promise to pay by {promise.until} lapsed unpaid; the ladder resumes with a fresh deadline",
            invoice_keys=tuple(sorted(o.key for o in owed)),
            addressee=promise.granted_by,
            invoices=_labels(owed),
            until=promise.until,
        )

    def _awaits_deadline(self, deadline_notice: SentNotice | None, applies: Sequence[bool]) -> bool:
        """A hand-off waits for the deadline a final warning named to pass, when the ladder warns at all."""
        warning = self.ladder.warning
        if warning is None or self.protected or self.account.status is _SUSPENDED:
            return False
        if not applies[warning]:
            return False
        return (
            deadline_notice is None
            or deadline_notice.deadline is None
            or self._kept(deadline_notice.deadline) >= self.today
        )

    def _schedule(self, anchor: date, deadline_notice: SentNotice | None, suspended: bool) -> tuple[_Scheduled, ...]:
        """When each step after the due date falls, given the holds and the deadline already named: worked out once
        for all the accounts with the same dates on the same day."""
        named = deadline_notice.deadline if deadline_notice is not None else None
        key = (anchor, self.today, self.holidays, self.promised, self.extended, suspended, self.protected, named)
        schedule = self.ladder.schedules.get(key)
        if schedule is None:
            schedule = _keep(self.ladder.schedules, key, self._work_out(anchor, named, suspended), _KEPT_DAYS)
        return schedule

    def _work_out(self, anchor: date, named: date | None, suspended: bool) -> tuple[_Scheduled, ...]:
        on_days = self._step_days(anchor)
        floor = anchor
        if self.promised is not None and self.promised >= anchor:
            floor = self.promised + _DAY
        suspend = self.ladder.suspend
        # A final warning names the day before suspension, and never fewer than N days after it goes out, nor before
        # an extension staff granted; a business day, so that what was not one moves to the next.
        planned_deadline = self._kept(on_days[suspend] - _DAY) if suspend is not None else None
        warns = not suspended and not self.protected
        deadline = self._kept(named) if named is not None else None
        steps, today = self.policy.steps, self.today
        schedule: list[_Scheduled] = []
        for index in self.ladder.after_due:
            step, on = steps[index], on_days[index]
            on = floor if on < floor else on
            match step.kind:
                case StepKind.FINAL_WARNING if warns and planned_deadline is not None:
                    notice_by = (on if on > today else today) + self.ladder.notice_days
                    warning_deadline = self._business(notice_by if notice_by > planned_deadline else planned_deadline)
                    schedule.append(_Scheduled(step, index, on, warning_deadline))
                    if named is None:
                        deadline = warning_deadline
                case StepKind.SUSPEND if warns and deadline is not None:
                    after = deadline + _DAY
                    schedule.append(_Scheduled(step, index, self._acting_day(after if after > on else on), deadline))
                case StepKind.SUSPEND if self.protected:
                    schedule.append(_Scheduled(step, index, self._acting_day(on)))
                case StepKind.HAND_OFF:
                    schedule.append(_Scheduled(step, index, self._acting_day(on)))
                case StepKind.OVERDUE_NOTICE:
                    schedule.append(_Scheduled(step, index, on))
        return tuple(schedule)

    def _business(self, day: date) -> date:
        """`day`, or the next business day when it is not one, whatever the count: for what the customer is promised
        (a deadline) and what the ladder does to them (a suspension, a hand-off)."""
        return _next_business_day(day, self.holidays)

    def _step_days(self, anchor: date) -> tuple[date, ...]:
        return _step_days(anchor, self.ladder.offsets, self.policy.day_count, self.holidays)

    def _acting_day(self, day: date) -> date:
        """The day a suspension or a hand-off planned for `day` happens: a business day, `day` or the next one; and
        when that day has come but today is not a business day, the next business day."""
        day = _next_business_day(day, self.holidays)
        if day <= self.today and not _is_business_day(self.today, self.holidays):
            return _next_business_day(self.today, self.holidays)
        return day

    # The ladder's record: what was done, and what reached the customer.

    def _last_notice_done(self, done: set[str]) -> int:
        """The position of the latest customer notice done, -1 if none."""
        steps = self.policy.steps
        return max((i for i, step in enumerate(steps) if step.id in done and step.kind in CUSTOMER_NOTICES), default=-1)

    def _steps_done(self, since: datetime) -> set[str]:
        steps = self.policy.steps
        return {step.id for step in steps if step.kind is not StepKind.REMINDER and self._done(step, since)}

    def _warned_since(self, since: datetime) -> datetime:
        """Since when a notice naming a deadline counts: since the debt fell overdue, and not before a promise was
        granted or staff reactivated the account."""
        return max(since, self.voided_before) if self.voided_before is not None else since

    def _deadline_notice(self, since: datetime) -> SentNotice | None:
        """The latest notice naming a suspension deadline for this debt that reached the customer, if it was sent
        early enough."""
        since = self._warned_since(since)
        named = [n for n in self.sent if n.deadline is not None and n.sent_at >= since and self._reached(n)]
        latest = max(named, key=lambda n: n.sent_at, default=None)
        return latest if latest is not None and self._named_in_time(latest) else None

    def _reached(self, notice: SentNotice) -> bool:
        """Whether the customer got this notice on its channel, by the evidence recorded for it."""
        if notice.notice_id is None or notice.channel == STAFF_CHANNEL:
            return True  # recorded before delivery evidence existed, or not a customer channel
        return self.deliveries.get(notice.notice_id, {}).get(notice.channel) in self.ladder.reached_when

    def _falls_back(self, notice: SentNotice, records: Sequence[SentNotice]) -> bool:
        """Whether the first warning of this debt came to nothing on every channel it went out on, for good
        (bounced, refused, no contact for its channels): then one more goes out at once, on every channel the
        customer has. Later ones wait for the notice period, so an unreachable customer is not written to daily."""
        if notice.notice_id is None or len({n.notice_id for n in records}) > 1:
            return False
        channels = [n.channel for n in records if n.notice_id == notice.notice_id]
        outcomes = self.deliveries.get(notice.notice_id, {})
        return all(outcomes.get(channel) in FAILED_FOR_GOOD or channel == "notice" for channel in channels)

    def _attempt(self, step: Step, anchor: date) -> str:
        """A final warning sent again (it reached nobody) is another notice: `#2`, `#3`... ('' for the first), so
        its id, its outbox item and its delivery evidence are its own."""
        if step.kind is not StepKind.FINAL_WARNING:
            return ""
        since = self._start_of(anchor + _DAY)
        earlier = {
            n.notice_id or n.sent_at.isoformat() for n in self.sent if n.step_id == step.id and n.sent_at >= since
        }
        return f"#{len(earlier) + 1}" if earlier else ""

    def _fallback(self, step: Step, anchor: date) -> bool:
        """Whether a warning of this step already reached nobody: the next one goes out on every channel."""
        if step.kind is not StepKind.FINAL_WARNING:
            return False
        since = self._warned_since(self._start_of(anchor + _DAY))
        return any(n.step_id == step.id and not self._reached(n) for n in self.sent if n.sent_at >= since)

    def _unreached_warnings(self, since: datetime) -> list[SentNotice]:
        since = self._warned_since(since)
        named = [n for n in self.sent if n.deadline is not None and n.sent_at >= since]
        return [n for n in named if not self._reached(n)]

    def _named_in_time(self, notice: SentNotice) -> bool:
        if notice.deadline is None:
            return False
        sent_on = notice.sent_at.astimezone(self.zone).date()
        return sent_on + timedelta(days=self.policy.deadline_notice_days) <= notice.deadline

    def _done(self, step: Step, since: datetime) -> bool:
        if step.kind is StepKind.FINAL_WARNING:
            since = self._warned_since(since)
        records = [n for n in self.sent if n.step_id == step.id and n.sent_at >= since]
        match step.kind:
            case StepKind.FINAL_WARNING:
                # One that reached the customer is done; one that did not (bounced, no contact) is done for the
                # notice period, then goes out again with a fresh deadline (to a contact fixed meanwhile).
                retry_after = timedelta(days=self.policy.deadline_notice_days)
                return any(
                    self._named_in_time(n)
                    and (
                        self._reached(n)
                        or (self.local_now - n.sent_at < retry_after and not self._falls_back(n, records))
                    )
                    for n in records
                )
            case StepKind.SUSPEND:  # recorded only as the alert that it was withheld
                return self.protected and bool(records)
            case _:
                return bool(records)

    def _prospect(self, due: date) -> tuple[PlannedStep, ...]:
        later = self._schedule(due, None, suspended=False)
        if self.protected:
            later = tuple(s for s in later if s.step.kind is not StepKind.SUSPEND)
        return _plan(s for s in (*self._reminders(due), *later) if s.on > self.today)

    def _reminders(self, due: date) -> tuple[_Scheduled, ...]:
        key = (due, self.holidays)
        reminders = self.ladder.reminder_days.get(key)
        if reminders is None:
            on_days, steps = self._step_days(due), self.policy.steps
            made = tuple(_Scheduled(steps[index], index, on_days[index]) for index in self.ladder.reminders)
            reminders = _keep(self.ladder.reminder_days, key, made, _KEPT_DAYS)
        return reminders

    # Reminders: for each coming due date, before or on it.

    def _remind(self) -> None:
        start = 0
        while start < len(self.upcoming):  # in due order: one group per due date
            due = self.upcoming[start].due
            end = start + 1
            while end < len(self.upcoming) and self.upcoming[end].due == due:
                end += 1
            self._remind_of(due, self.upcoming[start:end])
            start = end

    def _remind_of(self, due: date, group: Sequence[_Owed]) -> None:
        schedule = self._reminders(due)
        if self.sent:
            done = [s.index for s in schedule if self._done(s.step, self._start_of(s.on))]
            last_done = max(done, default=-1)
            schedule = tuple(s for s in schedule if s.index > last_done)
        due_now = [s for s in schedule if s.on <= self.today and self._meets(s.index, group)]
        if due_now:
            self._notify(due_now[-1], due, group)
        self._look_on([s for s in schedule if s.on > self.today])

    # Actions.

    def _notify(self, scheduled: _Scheduled, anchor: date, owed: Sequence[_Owed]) -> bool:
        """Notify the customer, unless in quiet hours: then look again when they end. True if notified."""
        quiet = self.policy.quiet_hours
        if quiet is not None:
            if self.quiet_now is None:
                self.quiet_now = quiet.contains(self.local_now.time())
            if self.quiet_now:
                self.moments.append(quiet.end_after(self.local_now))
                return False
        step = scheduled.step
        charges = self._charges(owed)
        totals, fees_to_date = self._totals(owed)
        warning = step.kind is _WARNING
        self.actions.append(
            _made(
                NotifyCustomer,
                {
                    "kind": "notify_customer",
                    "dedup_key": self._key(step.id + self._attempt(step, anchor) if warning else step.id, owed),
                    "step_id": step.id,
                    "step_kind": step.kind,
                    "anchor": anchor,
                    "deadline": scheduled.deadline,
                    "invoices": charges,
                    "totals": totals,
                    "fees_mode": self.policy.fees.mode,
                    "fees_to_date": fees_to_date,
                    "channels": ("email", "sms") if warning and self._fallback(step, anchor) else step.channels,
                },
            )
        )
        return True

    def _suspend(self, step: Step, anchor: date, deadline: date, owed: Sequence[_Owed], since: datetime) -> Suspend:
        charges = self._charges(owed)
        totals, fees_to_date = self._totals(owed)
        tolerances = ", ".join(
            f"{c} {Money(amount=self.policy.currencies[c].tolerance, currency=c).to_decimal()}"
            for c in sorted(self.owing_in)
        )
        rule = (
            f"step {step.id!r} of policy version {self.policy.version}: suspend {step.offset_days} "
            f"{self.policy.day_count} days after the due date, once the deadline named at least "
            f"{self.policy.deadline_notice_days} days before has passed, when more than the tolerance "
            f"({tolerances}) is overdue"
        )
        record = SuspensionRecord(
            rule=rule,
            step_id=step.id,
            policy_version=self.policy.version,
            anchor=anchor,
            deadline=deadline,
            invoices=charges,
            totals=totals,
            notices=self._record_since(since),
            fees_mode=self.policy.fees.mode,
            fees_to_date=fees_to_date,
            credit=self.credit,
        )
        return Suspend(dedup_key=self._change_key(Change.SUSPEND), record=record)

    def _hand_off(self, step: Step, anchor: date, owed: Sequence[_Owed], since: datetime) -> HandOff:
        totals, fees_to_date = self._totals(owed)
        return HandOff(
            dedup_key=self._key(step.id, owed),
            step_id=step.id,
            anchor=anchor,
            invoices=self._charges(owed),
            totals=totals,
            notices=self._record_since(since),
            fees_mode=self.policy.fees.mode,
            fees_to_date=fees_to_date,
            credit=self.credit,
        )

    def _withheld(self, step: Step, owed: Sequence[_Owed]) -> AlertStaff:
        return AlertStaff(
            dedup_key=self._key(f"{step.id}:withheld", owed),
            reason=AlertReason.SUSPENSION_WITHHELD,
            step_id=step.id,
            detail="the account is past its suspension step but is flagged never to be suspended",
            invoice_keys=tuple(sorted(o.key for o in owed)),
            invoices=_labels(owed),
        )

    def _unreachable(self, step: Step, unreached: Sequence[SentNotice], owed: Sequence[_Owed]) -> AlertStaff:
        """A deadline passed, but no notice naming it reached the customer: no suspension, and staff told what was
        tried (once per deadline; a new warning with a fresh deadline follows the notice period)."""
        latest = max(unreached, key=lambda n: n.sent_at)
        outcomes = {
            n.channel: self.deliveries.get(n.notice_id or "", {}).get(n.channel) or "pending"
            for n in unreached
            if n.notice_id == latest.notice_id
        }
        tried = ", ".join(f"{channel} {outcome}" for channel, outcome in outcomes.items())
        return AlertStaff(
            dedup_key=_dedup_key(
                self.account.account_id, f"{step.id}:unreachable", [latest.notice_id or str(latest.deadline)]
            ),
            reason=AlertReason.CUSTOMER_UNREACHABLE,
            detail=f"no notice naming the deadline reached the customer ({tried}); the suspension is withheld",
            invoice_keys=tuple(sorted(o.key for o in owed)),
            invoices=_labels(owed),
            tried=outcomes,
        )

    def _flag_unknown_currencies(self) -> None:
        if not self.flagged:
            return
        currencies = ", ".join(sorted({r.outstanding.currency for r in self.flagged}))
        keys = [r.key for r in self.flagged]
        self.actions.append(
            AlertStaff(
                dedup_key=_dedup_key(self.account.account_id, AlertReason.UNKNOWN_CURRENCY, keys),
                reason=AlertReason.UNKNOWN_CURRENCY,
                detail=f"policy version {self.policy.version} has no thresholds for {currencies}; "
                "these invoices are left out of the ladder",
                invoice_keys=tuple(sorted(keys)),
                invoices=tuple(dict.fromkeys(r.label for r in sorted(self.flagged, key=lambda r: r.key) if r.label)),
                currencies=tuple(sorted({r.outstanding.currency for r in self.flagged})),
                policy_version=self.policy.version,
            )
        )

    def _charges(self, owed: Sequence[_Owed]) -> tuple[InvoiceCharge, ...]:
        """The installments as notices show them, by due date then key (the order `owed` is always in); each made
        once per evaluation, whichever notices show it."""
        charges = []
        for o in owed:
            if o.charge is None:
                o.charge = self._charge(o)
            charges.append(o.charge)
        return tuple(charges)

    def _charge(self, o: _Owed) -> InvoiceCharge:
        receivable, currency = o.receivable, o.currency
        outstanding = receivable.outstanding
        return _made(
            InvoiceCharge,
            {
                "invoice_id": receivable.invoice_id,
                "installment": receivable.installment,
                "due_date": receivable.due_date,
                "effective_due_date": o.due if o.due != receivable.due_date else None,
                "days_late": (self.today - o.due).days if self.today > o.due else 0,
                "label": receivable.label,
                "payment_url": receivable.payment_url,
                "bank_slip": receivable.bank_slip,
                "outstanding": outstanding,
                "late_fee": _money(o.fine, currency),
                "interest": _money(o.interest, currency),
                "fees_paid": _money(o.fees_paid, currency) if o.fees_paid else None,
                "total": outstanding if o.amount == outstanding.amount else _money(o.amount, currency),
            },
        )

    def _totals(self, owed: Sequence[_Owed]) -> tuple[tuple[Money, ...], tuple[Money, ...]]:
        """What to pay, per currency (the installments' totals), and the fine and interest to date not yet paid,
        per currency where there are any."""
        one = owed[0] if len(owed) == 1 else None
        if one is not None and one.charge is not None:  # the one installment's own
            return (one.charge.total,), (_money(one.fees_unpaid, one.currency),) if one.fees_unpaid else ()
        totals: dict[str, int] = {}
        fees: dict[str, int] = {}
        for o in owed:
            totals[o.currency] = totals.get(o.currency, 0) + o.amount
            fees[o.currency] = fees.get(o.currency, 0) + o.fees_unpaid
        return (
            tuple(_money(amount, currency) for currency, amount in sorted(totals.items())),
            tuple(_money(amount, currency) for currency, amount in sorted(fees.items()) if amount),
        )

    def _record_since(self, since: datetime) -> tuple[SentNotice, ...]:
        """The notices since `since`, each with what its send came to: the owner reads what reached the customer,
        not only what was tried."""
        kinds = self.ladder.kinds
        return tuple(
            n.model_copy(
                update={
                    "outcome": self.deliveries.get(n.notice_id, {}).get(n.channel) if n.notice_id else n.outcome,
                    "step_kind": kinds.get(n.step_id),
                }
            )
            for n in sorted((n for n in self.sent if n.sent_at >= since), key=lambda n: n.sent_at)
        )

    def _key(self, label: str, owed: Sequence[_Owed]) -> str:
        return _dedup_key(self.account.account_id, label, [o.key for o in owed])

    def _change_key(self, change: Change) -> str:
        # Status changes are keyed by the account version they start from, not by invoices: a staff flag may
        # lift a suspension and a later evaluation restore it, with the very same invoices overdue.
        return f"dunning:{self.account.account_id}:{change}:v{self.account.version}"

    # Time.

    def _start_of(self, day: date) -> datetime:
        return datetime.combine(day, _MIDNIGHT, self.zone)

    def _look_on(self, scheduled: Iterable[_Scheduled]) -> None:
        """Look again at the start of each step's day; for a customer notice, once quiet hours then are over."""
        quiet = self.ladder.quiet_at_midnight
        for s in scheduled:
            if quiet and s.kind in CUSTOMER_NOTICES:
                self.quiet_ends.append(s.on + self.ladder.quiet_end_days)
            else:
                self.midnights.append(s.on)

    def _next_evaluation(self) -> datetime | None:
        """The earliest moment to look again, in UTC (all of them are local times in the business's zone)."""
        moments = list(self.moments)
        if self.midnights:
            moments.append(self._start_of(min(self.midnights)))
        if self.quiet_ends:
            assert self.policy.quiet_hours is not None
            moments.append(datetime.combine(min(self.quiet_ends), self.policy.quiet_hours.end, self.zone))
        return min(moments).astimezone(UTC) if moments else None


_MIDNIGHT = time()


def _meeting(ladder: _Ladder, owed: Sequence[_Owed], sums: Mapping[str, int] | None = None) -> list[bool]:
    """Whether each step meets its thresholds for `owed`, by position: at least its fewest invoices and, where it
    sets one, its least amount in some currency. `sums` is what `owed` adds up to per currency, when known."""
    count = len(owed)
    meets = [count >= least for least in ladder.min_invoices] if count < ladder.most_invoices else [True] * ladder.size
    for index, min_amount in ladder.min_amounts:
        if meets[index]:
            sums = _sums(owed) if sums is None else sums
            meets[index] = False
            for currency, amount in sums.items():
                if amount >= min_amount.get(currency, 0):
                    meets[index] = True
                    break
    return meets


def _sums(owed: Iterable[_Owed]) -> dict[str, int]:
    sums: dict[str, int] = {}
    for o in owed:
        sums[o.currency] = sums.get(o.currency, 0) + o.amount
    return sums


def _plan(scheduled: Iterable[_Scheduled]) -> tuple[PlannedStep, ...]:
    plan = []
    coming = list(scheduled)
    for n, s in enumerate(coming):
        if s.kind in CUSTOMER_NOTICES and any(
            later.kind in CUSTOMER_NOTICES and later.index > s.index and later.on <= s.on for later in coming[n + 1 :]
        ):
            # A later notice falls on the same day (a promise or a hold moved both there): on that day only the
            # latest goes out, so the plan does not promise the customer two.
            continue
        if s.planned is None:
            s.planned = _made(PlannedStep, {"step_id": s.step.id, "kind": s.kind, "on": s.on, "deadline": s.deadline})
        plan.append(s.planned)
    return tuple(plan)


def _labels(owed: Iterable[_Owed]) -> tuple[str, ...]:
    """The invoices as the customer knows them, each once, by due date (an invoice without a label is left out:
    staff find it by its amount and date on the account)."""
    ordered = sorted(owed, key=lambda o: (o.due, o.key))
    return tuple(dict.fromkeys(o.receivable.label for o in ordered if o.receivable.label))


def _dedup_key(account_id: str, label: str, invoice_keys: Iterable[str]) -> str:
    """The key the worker marks an action done under: (account, step, set of invoices)."""
    digest = hashlib.sha256("\n".join(sorted(set(invoice_keys))).encode()).hexdigest()[:24]
    return f"dunning:{account_id}:{label}:{digest}"
