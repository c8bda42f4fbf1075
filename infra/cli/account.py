"""`ponte account show ID`: the account as the collections worker sees it now, and what comes next.

The ledger and the timeline are read as the functions read them (`DynamoStore`), and the plan is the dunning
engine's own (`ponte.services.collections.decide`) under the policy in force (`PolicyStore`), evaluated now: the
steps it would take at this moment, the coming steps with their dates if nothing is paid, and what is owed.
Contact details are not printed, only which channels the account has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from infra.cli.aws import Aws, Business, Failed
from infra.cli.show import NOTHING, as_json, day, money, table
from ponte.domain.accounts import Account, TimelineEntry
from ponte.domain.dunning import (
    Action,
    AlertStaff,
    Clear,
    Decision,
    HandOff,
    InvoiceCharge,
    NotifyCustomer,
    Reactivate,
    Suspend,
)
from ponte.domain.money import Money


@dataclass(frozen=True)
class AccountView:
    account: Account
    evaluated_at: datetime
    time_zone: str
    policy_version: int
    parameter_version: int
    refused_version: int | None
    decision: Decision
    owed: tuple[Money, ...]
    overdue: tuple[Money, ...]
    timeline: tuple[TimelineEntry, ...]
    asked_for: str

    def document(self, timeline: int = 0) -> dict[str, Any]:
        account = self.account
        return {
            "account": {
                "account_id": account.account_id,
                "name": account.name,
                "status": account.status.value,
                "owner": account.owner,
                "locale": account.locale,
                "contact_channels": channels(account),
                "version": account.version,
                "next_evaluation_at": account.next_evaluation_at,
                "holds": [hold.model_dump(mode="json") for hold in account.holds],
            },
            "merged_from": self.asked_for if self.asked_for != account.account_id else None,
            "evaluated_at": self.evaluated_at,
            "time_zone": self.time_zone,
            "policy": {
                "version": self.policy_version,
                "parameter_version": self.parameter_version,
                "refused_version": self.refused_version,
            },
            "status_after_evaluation": self.decision.new_status.value,
            "owed": self.owed,
            "overdue": self.overdue,
            "overdue_since": self.decision.anchor,
            "credit": self.decision.credit,
            "invoices": self.decision.charges,
            "due_now": [describe(action) for action in self.decision.actions],
            "plan": self.decision.plan,
            "timeline": self.latest(timeline),
        }

    def latest(self, entries: int) -> tuple[TimelineEntry, ...]:
        """The latest `entries` of the timeline, oldest first (every one for 0)."""
        return self.timeline[-entries:] if entries > 0 else self.timeline


def show_account(
    aws: Aws, *, account_id: str, table_name: str, parameter: str, business: Business, now: datetime
) -> AccountView:
    from ponte.adapters.dynamodb import DynamoStore  # noqa: PLC0415
    from ponte.adapters.policy_store import PolicyStore  # noqa: PLC0415
    from ponte.calendar import holidays_around  # noqa: PLC0415
    from ponte.services.collections import decide  # noqa: PLC0415

    store = DynamoStore(table_name, aws.client("dynamodb"))
    ledger = store.load_ledger(account_id)
    if ledger is None:
        raise Failed(f"no account {account_id!r} in {table_name}")
    in_force = PolicyStore(parameter, aws.client("ssm")).current()
    decision = decide(
        ledger,
        now=now,
        policy=in_force.policy,
        time_zone=business.time_zone,
        holidays=holidays_around(business.country, now.year),
    )
    overdue: dict[str, int] = {}
    for charge in decision.charges:
        if charge.days_late > 0:
            overdue[charge.total.currency] = overdue.get(charge.total.currency, 0) + charge.total.amount
    return AccountView(
        account=ledger.account,
        evaluated_at=now,
        time_zone=business.time_zone,
        policy_version=in_force.policy.version,
        parameter_version=in_force.parameter_version,
        refused_version=in_force.refused_version,
        decision=decision,
        owed=_money(ledger.outstanding()),
        overdue=_money(overdue),
        timeline=tuple(store.timeline(ledger.account.account_id)),
        asked_for=account_id,
    )


def render(view: AccountView, *, as_document: bool, timeline: int = 0) -> str:
    if as_document:
        return as_json(view.document(timeline))
    account, decision = view.account, view.decision
    zone = ZoneInfo(view.time_zone)
    lines = [
        f"{account.name} ({account.account_id}): {account.status.value}, owner {account.owner or NOTHING}, "
        f"{account.locale}, contact by {', '.join(channels(account)) or 'no channel'}",
    ]
    if view.asked_for != account.account_id:
        lines.append(f"  ({view.asked_for} was merged into this account)")
    since = f" since {decision.anchor}" if decision.anchor else ""
    lines += [
        f"owed: {money(view.owed)}; overdue: {money(view.overdue)}{since}"
        + (f"; credit {money(decision.credit)}" if decision.credit else ""),
        f"policy in force: version {view.policy_version} (parameter version {view.parameter_version})"
        + (f"; version {view.refused_version} was refused" if view.refused_version is not None else ""),
        f"evaluated at {_moment(view.evaluated_at, zone)} ({view.time_zone}); "
        f"next evaluation {_moment(account.next_evaluation_at, zone)}",
    ]
    if decision.charges:
        lines += ["", "invoices", _invoices(decision.charges)]
    due_now = [describe(action) for action in decision.actions]
    if due_now:
        lines += ["", "due now (the next collections run does this)", *(f"  {what}" for what in due_now)]
    lines += ["", "plan (if nothing is paid)"]
    lines.append(
        table(
            ["ON", "STEP", "KIND", "DEADLINE"],
            [[day(s.on), s.step_id, s.kind.value, day(s.deadline)] for s in decision.plan],
        )
        if decision.plan
        else "  nothing planned"
    )
    entries = view.latest(timeline)
    earlier = len(view.timeline) - len(entries)
    lines += [
        "",
        f"timeline (the latest {len(entries)} of {len(view.timeline)}; --timeline 0 for all)"
        if earlier
        else "timeline",
    ]
    lines.append(
        table(
            ["AT", "WHAT", "WHY", "SOURCE"],
            [[_moment(e.at, zone), e.what, e.why, e.source] for e in entries],
            widest=100,
        )
        if entries
        else "  nothing recorded"
    )
    return "\n".join(lines)


def describe(action: Action) -> str:
    """One line a person reads for each action of a decision."""
    match action:
        case NotifyCustomer():
            deadline = f", naming the deadline {action.deadline}" if action.deadline else ""
            return f"notify the customer: {action.step_id} ({action.step_kind.value}){deadline}"
        case Suspend():
            return f"suspend: the deadline {action.record.deadline} has passed ({action.record.step_id})"
        case HandOff():
            return f"hand off to collections ({action.step_id})"
        case Reactivate():
            return f"reactivate ({action.reason})"
        case Clear():
            return "back in good standing"
        case AlertStaff():
            return f"alert staff: {action.reason.value}: {action.detail}"


def channels(account: Account) -> list[str]:
    contact = account.contact
    return [name for name, value in (("email", contact.email), ("sms", contact.phone)) if value]


def _invoices(charges: tuple[InvoiceCharge, ...]) -> str:
    return table(
        ["INVOICE", "DUE", "DAYS LATE", "OUTSTANDING", "FEES TO DATE", "TO PAY"],
        [
            [
                c.label or f"{c.invoice_id}#{c.installment}",
                day(c.due_date),
                str(c.days_late),
                str(c.outstanding),
                str(c.fees_to_date) if c.fees_to_date.amount else NOTHING,
                str(c.total),
            ]
            for c in charges
        ],
    )


def _money(amounts: dict[str, int]) -> tuple[Money, ...]:
    return tuple(Money(amount=amount, currency=currency) for currency, amount in sorted(amounts.items()) if amount)


def _moment(value: datetime | None, zone: ZoneInfo) -> str:
    """A moment in the business's time zone, as its staff read it."""
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value is not None else NOTHING
