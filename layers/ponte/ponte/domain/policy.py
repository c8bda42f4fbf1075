"""The dunning policy: the collections ladder a business runs, as a versioned and validated document.

The document is JSON; `schemas/dunning-policy.schema.json` is generated from `Policy`, and `default_policy.json`
next to this module is the documented default. Amounts are integer minor units of their currency (centavos for
BRL). The time zone is not part of the policy: it is the business's, and comes with every evaluation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from importlib import resources
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ponte.domain.errors import InvalidInput
from ponte.domain.money import CurrencyCode

MinorUnits = Annotated[int, Field(ge=0, description="An amount in minor units of the currency (e.g. centavos).")]
Percent = Annotated[Decimal, Field(ge=0, le=20, decimal_places=4)]
FeesMode = Literal["informational", "charged"]


CustomerChannel = Literal["email", "sms"]


class StepKind(StrEnum):
    REMINDER = "reminder"
    OVERDUE_NOTICE = "overdue_notice"
    FINAL_WARNING = "final_warning"
    SUSPEND = "suspend"
    # To a person, for collections: Ponte never cancels a customer on its own.
    HAND_OFF = "hand_off"


CUSTOMER_NOTICES = frozenset({StepKind.REMINDER, StepKind.OVERDUE_NOTICE, StepKind.FINAL_WARNING})


class DayCount(StrEnum):
    CALENDAR = "calendar"
    BUSINESS = "business"


class _Document(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class CurrencyThresholds(_Document):
    tolerance: MinorUnits = Field(
        description="Overdue amounts up to this many minor units count as settled: they never suspend, "
        "and paying down to them reactivates the account."
    )


class Step(_Document):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", description="Stable name; part of dedup keys.")
    kind: StepKind
    offset_days: int = Field(
        ge=-60,
        le=365,
        description="Days from the due date, counted as `day_count` says: negative before it, 0 on it. "
        "Reminders are at 0 or before; every other step is at 1 or after.",
    )
    min_amount: dict[CurrencyCode, MinorUnits] = Field(
        default_factory=dict,
        description="The step applies only when, in some currency, the invoices it is about add up to at "
        "least this many minor units (overdue invoices, for steps after the due date).",
    )
    min_invoices: int = Field(
        default=1, ge=1, le=1000, description="The step applies only when it is about at least this many invoices."
    )
    channels: tuple[CustomerChannel, ...] = Field(
        default=("email", "sms"),
        min_length=1,
        description="How a customer notice of this step goes out: by `email`, by `sms`, or both (of the contacts "
        "the account has). Ignored for suspension and hand-off steps, which tell staff.",
    )


class Fees(_Document):
    """The fine and interest for paying late, accrued per installment from the day after its effective due date."""

    mode: FeesMode = Field(
        default="informational",
        description="`informational`: notices show the fine and interest to date and say they will be charged on a "
        "later invoice; what settles the account is the principal. `charged`: the fine and interest are owed here: "
        "a payment pays principal first, then the fees; the account is settled only when both are paid, within "
        "the tolerance, and notices ask for the total with fees.",
    )
    late_fee_percent: Percent = Field(
        description="Fine on what was paid late or is still owed after the due date, charged once."
    )
    late_fee_cap_percent: Percent = Field(
        default=Decimal(2),
        # Brazilian consumer law caps the fine for late payment at 2% (CDC, Lei 8.078/1990, art. 52 §1).
        description="The highest fine the policy may set; 2% by default (Brazil, CDC art. 52 §1).",
    )
    monthly_interest_percent: Percent = Field(
        description="Simple interest per 30 days on the principal still owed, pro rata die from the day after "
        "the due date until each part is paid (Brazilian practice: 1% a month)."
    )

    @model_validator(mode="after")
    def _fee_within_cap(self) -> Fees:
        if self.late_fee_percent > self.late_fee_cap_percent:
            raise ValueError(
                f"late_fee_percent {self.late_fee_percent} is above late_fee_cap_percent {self.late_fee_cap_percent}"
            )
        return self


class QuietHours(_Document):
    start: time = Field(description="Local time when customer notices stop (e.g. 21:00).")
    end: time = Field(description="Local time when they may be sent again (e.g. 08:00); may be after midnight.")

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("quiet hours must start and end at different times")
        return self

    def contains(self, moment: time) -> bool:
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def end_after(self, local: datetime) -> datetime:
        """The first end of quiet hours after `local` (an aware local time)."""
        end = datetime.combine(local.date(), self.end, tzinfo=local.tzinfo)
        return end if end > local else datetime.combine(local.date() + timedelta(days=1), self.end, tzinfo=local.tzinfo)


class LocalHoliday(_Document):
    """A day the business does not work besides the national holidays of its country: a municipal or state
    holiday, or a day it closes."""

    on: str = Field(
        pattern=r"^(\d{4}-)?\d{2}-\d{2}$",
        description="`MM-DD` for a holiday on the same day every year (`01-25`), or `YYYY-MM-DD` for one day only "
        "(`2026-06-04`: a holiday whose date moves, such as Corpus Christi, is listed once per year).",
    )
    name: str = Field(default="", max_length=200, description="What it is, for whoever reads the policy.")

    @model_validator(mode="after")
    def _a_real_day(self) -> LocalHoliday:
        # 2000 is a leap year: `02-29` is valid, and is a holiday in leap years only.
        try:
            date.fromisoformat(self.on if len(self.on) == 10 else f"2000-{self.on}")
        except ValueError:
            raise ValueError(f"{self.on!r} is not a day of the year") from None
        return self

    def days_in(self, years: Collection[int]) -> set[date]:
        """Its days in `years` (the business calendar adds them: `ponte.domain.dunning.business_calendar`)."""
        if len(self.on) == 10:
            day = date.fromisoformat(self.on)
            return {day} if day.year in years else set()
        month, day_of_month = int(self.on[:2]), int(self.on[3:])
        days = set()
        for year in years:
            try:
                days.add(date(year, month, day_of_month))
            except ValueError:  # 29 February, in a year that has none
                continue
        return days


class Policy(_Document):
    """A collections ladder: steps relative to the due date, thresholds per currency, fees and quiet hours."""

    version: int = Field(ge=1, description="Revision of the policy; raise it on every change.")
    description: str = Field(default="", max_length=2000)
    day_count: DayCount = Field(
        description="How step offsets count days: `calendar` days, or `business` days, which skip weekends, the "
        "national holidays of the business's country and `local_holidays`; with `business`, a due date that is not "
        "a business day moves to the next one. Whatever the count, a deadline, a suspension or a hand-off falls on "
        "a business day: one that would not moves to the next business day."
    )
    local_holidays: tuple[LocalHoliday, ...] = Field(
        default=(),
        max_length=200,
        description="Holidays of the business's city or state, or days it closes, that are not business days "
        "besides weekends and the national holidays of its country (e.g. São Paulo: `01-25`, `07-09`).",
    )
    deadline_notice_days: int = Field(
        ge=1,
        le=60,
        description="No suspension unless a notice naming the deadline was sent at least this many calendar "
        "days before the deadline.",
    )
    max_extension_days: int = Field(
        default=10,
        ge=0,
        le=60,
        description="The most business days staff may move a customer's deadline by, in all, through the staff API "
        "(0: staff cannot extend deadlines).",
    )
    deadline_evidence: Literal["accepted", "delivered"] = Field(
        default="accepted",
        description="What a notice naming the deadline must have come to, on at least one channel, before a "
        "suspension: `accepted` by the provider (SES, SMS) and not bounced, or `delivered` (SES delivery event).",
    )
    currencies: dict[CurrencyCode, CurrencyThresholds] = Field(
        min_length=1, description="Thresholds per ISO 4217 currency; invoices in other currencies are flagged."
    )
    fees: Fees
    quiet_hours: QuietHours | None = Field(
        default=None, description="Local hours when customer notices wait; staff actions do not."
    )
    steps: tuple[Step, ...] = Field(min_length=1, description="In order of offset_days, strictly increasing.")

    @model_validator(mode="after")
    def _consistent_ladder(self) -> Policy:
        problems = [
            *self._order_problems(),
            *self._suspension_problems(),
            *self._currency_problems(),
            *self._holiday_problems(),
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _order_problems(self) -> list[str]:
        problems = [
            f"step id {id_!r} is used {n} times" for id_, n in Counter(s.id for s in self.steps).items() if n > 1
        ]
        for before, after in zip(self.steps, self.steps[1:], strict=False):
            if after.offset_days <= before.offset_days:
                problems.append(f"step {after.id!r} must come after {before.id!r} in offset_days")
        for step in self.steps:
            if step.kind is StepKind.REMINDER and step.offset_days > 0:
                problems.append(f"reminder {step.id!r} must be on or before the due date (offset_days <= 0)")
            if step.kind is not StepKind.REMINDER and step.offset_days < 1:
                problems.append(f"{step.kind} step {step.id!r} must be after the due date (offset_days >= 1)")
        for kind in (StepKind.SUSPEND, StepKind.HAND_OFF):
            if sum(s.kind is kind for s in self.steps) > 1:
                problems.append(f"at most one {kind} step")
        return problems

    def _suspension_problems(self) -> list[str]:
        suspend = self.step_of_kind(StepKind.SUSPEND)
        warnings = [s for s in self.steps if s.kind is StepKind.FINAL_WARNING]
        if suspend is None:
            return [f"final warning {w.id!r} names a suspension deadline, but no step suspends" for w in warnings]
        if not warnings:
            return [f"suspend step {suspend.id!r} needs a final_warning before it"]
        # The deadline is the day before suspension, and must be at least deadline_notice_days after the warning.
        latest = suspend.offset_days - 1 - self.deadline_notice_days
        return [
            f"final warning {w.id!r} must be at least {self.deadline_notice_days} days before the deadline "
            f"(the day before {suspend.id!r}): offset_days <= {latest}"
            for w in warnings
            if w.offset_days > latest
        ]

    def _currency_problems(self) -> list[str]:
        return [
            f"step {step.id!r} sets a minimum in {currency}, which has no thresholds in currencies"
            for step in self.steps
            for currency in step.min_amount
            if currency not in self.currencies
        ]

    def _holiday_problems(self) -> list[str]:
        counted = Counter(h.on for h in self.local_holidays)
        return [f"local holiday {on!r} is listed {n} times" for on, n in counted.items() if n > 1]

    def step_of_kind(self, kind: StepKind) -> Step | None:
        return next((s for s in self.steps if s.kind is kind), None)


def load_policy(text: str) -> Policy:
    """Parse and validate a policy document; `InvalidInput` lists everything wrong with it.

    Callers keep the last valid policy in force when this raises.
    """
    try:
        return Policy.model_validate_json(text)
    except ValidationError as exc:
        problems = "; ".join(_describe(error["loc"], error["msg"]) for error in exc.errors())
        raise InvalidInput(f"invalid dunning policy: {problems}") from exc


def _describe(location: tuple[int | str, ...], message: str) -> str:
    where = ".".join(str(part) for part in location)
    message = message.removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def default_policy_text() -> str:
    return resources.files("ponte.domain").joinpath("default_policy.json").read_text(encoding="utf-8")


def default_policy() -> Policy:
    return load_policy(default_policy_text())
