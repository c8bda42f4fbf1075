"""Collections: the dunning engine's decision for one account, turned into one change.

`decide` evaluates an account from its whole ledger (recompute, don't chain). `change_for` turns the decision into
one `AccountChange`: the new status and next evaluation time, a timeline entry per thing done and why, the outbox
notifications, and the ladder's record (`SentNotice`) of each step carried out, all written in one transaction.

At most once, per step:
- the change is computed from the account's version and written only if the account is still at it, so of two
  evaluations that overlap (two sweeps, a sweep and a payment, a retried batch) exactly one is written; the other
  reads again and finds the step done in the ladder's record, which is written in the same transaction;
- each notification's id is derived from its action's dedup key (account, step, set of invoices; or account,
  change, version for status changes), and outbox items are created only if absent: the same step's notice cannot
  be written twice, whatever the path;
- the change's own dedup key is `cause` (the sweep run or the inbound event that led to the evaluation), so the
  same cause changes the account once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from ponte.domain.accounts import Account, AccountStatus, Contact, Locale, TimelineEntry, next_version
from ponte.domain.bodies.collections import (
    AccountReactivated,
    AccountSuspended,
    CollectionNotice,
    CollectionsAlert,
    CollectionsHandOff,
    CustomerReactivated,
    CustomerSuspended,
    PaymentSeen,
)
from ponte.domain.changes import AccountChange
from ponte.domain.dunning import (
    STAFF_CHANNEL,
    Action,
    AlertStaff,
    Clear,
    Decision,
    HandOff,
    NotifyCustomer,
    Reactivate,
    SentNotice,
    Suspend,
    evaluate,
)
from ponte.domain.money import Money
from ponte.domain.notifications import Audience, Notification, NotificationBody, Severity, Team, notification_id
from ponte.domain.policy import FeesMode, StepKind

if TYPE_CHECKING:
    from ponte.domain.ledger import Allocation, Ledger
    from ponte.domain.policy import Policy

NOTICE_KINDS = {
    StepKind.REMINDER: "customer.payment_reminder",
    StepKind.OVERDUE_NOTICE: "customer.overdue_notice",
    StepKind.FINAL_WARNING: "customer.final_warning",
}
PAYMENTS_SHOWN = 10
# What a customer notice says comes next, from the engine's plan.
_NEXT_KINDS = frozenset({StepKind.OVERDUE_NOTICE, StepKind.FINAL_WARNING, StepKind.SUSPEND})


def decide(
    ledger: Ledger,
    *,
    now: datetime,
    policy: Policy,
    time_zone: str,
    holidays: frozenset[date],
    allocation: Allocation | None = None,
) -> Decision:
    """What the ladder does for the account at `now`, recomputed from its whole ledger: the installments with the
    dated parts paid on them, and the credit left over (which pays the fine and interest when the policy charges
    them). `allocation` is the ledger's, when the caller already made it."""
    allocation = allocation or ledger.allocate()
    return evaluate(
        ledger.account,
        allocation.receivables,
        ledger.holds(),
        ledger.notices,
        now=now,
        policy=policy,
        time_zone=time_zone,
        holidays=holidays,
        credit=allocation.credit,
        deliveries=ledger.delivery_evidence(),
    )


def change_for(
    ledger: Ledger,
    decision: Decision,
    *,
    now: datetime,
    staff_locale: Locale,
    cause: str,
    immediate_only: bool = False,
) -> AccountChange | None:
    """The one change that carries out `decision` for the ledger's account, or None when nothing changes.

    `cause` names what led to the evaluation (the sweep run, a provider's event): it is the timeline's source and
    the change's dedup key. With `immediate_only` (a payment or a credit just recorded), only a reactivation or a
    return to good standing is carried out, at once; any other action waits for the next sweep, which is told to
    look at the account now (its next evaluation becomes `now`): no notice is sent and nothing is suspended.
    """
    account = ledger.account
    recorded = {notice.step_id for notice in ledger.notices}
    applied: list[Action] = []
    pending = False
    for action in decision.actions:
        if immediate_only and not isinstance(action, Reactivate | Clear):
            pending = True
        elif not (isinstance(action, AlertStaff) and action.step_id is None and action.dedup_key in recorded):
            applied.append(action)
    changes_status = any(isinstance(action, Reactivate | Clear | Suspend) for action in applied)
    status = decision.new_status if changes_status or not immediate_only else account.status
    next_evaluation_at = now if pending else decision.next_evaluation_at
    if not applied and status == account.status and next_evaluation_at == account.next_evaluation_at:
        return None

    build = _Builder(ledger=ledger, decision=decision, now=now, staff_locale=staff_locale, source=cause)
    for action in applied:
        build.apply(action, status)
    if status is AccountStatus.OVERDUE and account.status is AccountStatus.ACTIVE:
        build.entry("account.overdue", f"more than the tolerance is overdue since {decision.anchor}", {})
    return AccountChange(
        account=next_version(account, status=status, next_evaluation_at=next_evaluation_at),
        recorded_at=now,
        expected_version=account.version,
        timeline=tuple(build.timeline),
        notifications=tuple(build.notifications),
        notices=tuple(build.notices),
        dedup_key=cause,
    )


def customer_channels(contact: Contact, allowed: tuple[str, ...] = ("email", "sms")) -> tuple[str, ...]:
    """The channels a customer notice goes out on, as the ladder records them (one record per channel): those of
    the step (`allowed`) the account has a contact for."""
    channels = tuple(
        name for name, value in (("email", contact.email), ("sms", contact.phone)) if value and name in allowed
    )
    # Without an address the notice still goes to the customer notices topic, whose subscriber may know another way.
    return channels or ("notice",)


@dataclass
class _Builder:
    ledger: Ledger
    decision: Decision
    now: datetime
    staff_locale: Locale
    source: str
    timeline: list[TimelineEntry] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    notices: list[SentNotice] = field(default_factory=list)

    @property
    def account(self) -> Account:
        return self.ledger.account

    def apply(self, action: Action, status: AccountStatus) -> None:
        match action:
            case NotifyCustomer():
                self._notify(action)
            case Suspend():
                self._suspend(action)
            case Reactivate():
                self._reactivate(action, status)
            case Clear():
                why = f"owes {_money_text(action.remaining) or 'nothing'} overdue{_credit_text(action.credit)}"
                self.entry("account.cleared", why, _credit_facts(action.credit))
            case HandOff():
                self._hand_off(action)
            case AlertStaff():
                self._alert(action)

    def entry(self, what: str, why: str, facts: dict[str, str | int]) -> None:
        self.timeline.append(
            TimelineEntry(
                account_id=self.account.account_id, at=self.now, what=what, why=why, source=self.source, facts=facts
            )
        )

    def note(
        self,
        cause: str,
        audience: Audience,
        body: NotificationBody,
        severity: Severity = Severity.INFO,
        addressee: str | None = None,
    ) -> None:
        """A notification of the change; a staff one reaches the account's owner, or `addressee` when given."""
        self.notifications.append(
            Notification(
                notification_id=notification_id(cause, audience, body.kind),
                audience=audience,
                severity=severity,
                team=Team.COLLECTIONS if audience is Audience.STAFF else None,
                account_id=self.account.account_id,
                owner=addressee or self.account.owner,
                locale=self.staff_locale if audience is Audience.STAFF else self.account.locale,
                occurred_at=self.now,
                body=body,
            )
        )

    def _notify(self, action: NotifyCustomer) -> None:
        body = CollectionNotice(
            kind=NOTICE_KINDS[action.step_kind],
            customer_name=self.account.contact.name,
            step_id=action.step_id,
            anchor=action.anchor,
            deadline=action.deadline,
            invoices=action.invoices,
            totals=action.totals,
            fees_mode=action.fees_mode,
            fees_to_date=action.fees_to_date,
            plan=tuple(
                step
                for step in self.decision.plan
                if step.kind in _NEXT_KINDS and step.on > self.now.date() and step.step_id != action.step_id
            ),
        )
        severity = Severity.WARNING if action.deadline else Severity.INFO
        self.note(action.dedup_key, Audience.CUSTOMER, body, severity)
        notice = self.notifications[-1] = self.notifications[-1].model_copy(update={"channels": action.channels})
        notice_id = notice.notification_id  # its delivery evidence is recorded under this id
        channels = customer_channels(self.account.contact, action.channels)
        self.notices.extend(
            SentNotice(
                step_id=action.step_id,
                sent_at=self.now,
                channel=channel,
                deadline=action.deadline,
                notice_id=notice_id,
            )
            for channel in channels
        )
        why = (
            f"step {action.step_id!r} of policy version {self.decision.policy_version}: "
            f"{len(action.invoices)} invoice(s), {_owed_text(action.fees_mode, action.totals, action.fees_to_date)}"
        )
        if action.deadline:
            why += f"; pay by {action.deadline} to avoid suspension"
        facts: dict[str, str | int] = {"step_id": action.step_id, "channels": ",".join(channels)}
        if action.deadline:
            facts["deadline"] = action.deadline.isoformat()
        self.entry(f"collections.{action.step_kind}", why, facts)

    def _suspend(self, action: Suspend) -> None:
        record = action.record
        staff = AccountSuspended(
            account_name=self.account.name,
            owner=self.account.owner,
            record=record,
            payments=_payments(self.ledger),
        )
        self.note(action.dedup_key, Audience.STAFF, staff, Severity.CRITICAL)
        self.note(action.dedup_key, Audience.PLATFORM, staff, Severity.CRITICAL)
        customer = CustomerSuspended(
            customer_name=self.account.contact.name,
            deadline=record.deadline,
            invoices=record.invoices,
            totals=record.totals,
            fees_mode=record.fees_mode,
            fees_to_date=record.fees_to_date,
        )
        self.note(action.dedup_key, Audience.CUSTOMER, customer, Severity.CRITICAL)
        facts: dict[str, str | int] = {
            "step_id": record.step_id,
            "policy_version": record.policy_version,
            "deadline": record.deadline.isoformat(),
            "owed": _money_text(record.totals),
            **_fees_facts(record.fees_mode, record.fees_to_date),
            **_credit_facts(record.credit),
        }
        self.entry("account.suspended", record.rule, facts)

    def _reactivate(self, action: Reactivate, status: AccountStatus) -> None:
        reason = action.reason
        staff = AccountReactivated(
            account_name=self.account.name,
            owner=self.account.owner,
            status=status,
            remaining=action.remaining,
            reason=reason,
            credit=action.credit,
        )
        self.note(action.dedup_key, Audience.STAFF, staff, Severity.WARNING)
        self.note(action.dedup_key, Audience.PLATFORM, staff)
        # The customer reads what is still owed (a payment within the tolerance leaves a little open) and a credit.
        customer = CustomerReactivated(
            customer_name=self.account.contact.name, reason=reason, remaining=action.remaining, credit=action.credit
        )
        self.note(action.dedup_key, Audience.CUSTOMER, customer)
        why = _REACTIVATED_BECAUSE.get(
            reason, f"owes {_money_text(action.remaining) or 'nothing'} overdue, within the tolerance"
        ) + _credit_text(action.credit)
        self.entry("account.reactivated", why, {"status": status.value, **_credit_facts(action.credit)})

    def _hand_off(self, action: HandOff) -> None:
        body = CollectionsHandOff(
            account_name=self.account.name,
            owner=self.account.owner,
            step_id=action.step_id,
            anchor=action.anchor,
            invoices=action.invoices,
            totals=action.totals,
            notices=action.notices,
            fees_mode=action.fees_mode,
            fees_to_date=action.fees_to_date,
            credit=action.credit,
        )
        self.note(action.dedup_key, Audience.STAFF, body, Severity.WARNING)
        self.notices.append(SentNotice(step_id=action.step_id, sent_at=self.now, channel=STAFF_CHANNEL))
        owed = _owed_text(action.fees_mode, action.totals, action.fees_to_date)
        self.entry(
            "collections.hand_off",
            f"step {action.step_id!r}: {owed}, overdue since {action.anchor}, to collections"
            f"{_credit_text(action.credit)}",
            {"step_id": action.step_id, **_fees_facts(action.fees_mode, action.fees_to_date)},
        )

    def _alert(self, action: AlertStaff) -> None:
        body = CollectionsAlert(
            reason=action.reason.value,
            account_name=self.account.name,
            detail=action.detail,
            invoice_keys=action.invoice_keys,
            invoices=action.invoices,
            until=action.until,
            currencies=action.currencies,
            policy_version=action.policy_version,
            tried=action.tried,
        )
        self.note(action.dedup_key, Audience.STAFF, body, Severity.WARNING, addressee=action.addressee)
        # A step's alert marks the step done; any other alert is recorded under its dedup key, so that it is sent
        # once for the same invoices however often the account is evaluated.
        self.notices.append(
            SentNotice(step_id=action.step_id or action.dedup_key, sent_at=self.now, channel=STAFF_CHANNEL)
        )
        self.entry(f"collections.alert.{action.reason}", action.detail, {"invoices": ",".join(action.invoice_keys)})


_REACTIVATED_BECAUSE = {
    "never_suspend": "the account is flagged never to be suspended",
    "exempt": "the account is exempt from suspension for now",
    "staff": "staff lifted the suspension; a fresh final warning must run its notice period before another",
}


def _payments(ledger: Ledger) -> tuple[PaymentSeen, ...]:
    latest = sorted(ledger.payments, key=lambda p: p.received_at, reverse=True)[:PAYMENTS_SHOWN]
    return tuple(
        PaymentSeen(
            reference=payment.key,
            amount=payment.amount,
            counted=Money(amount=payment.counted, currency=payment.amount.currency),
            received_at=payment.received_at,
        )
        for payment in latest
    )


def _money_text(amounts: tuple[Money, ...]) -> str:
    return ", ".join(str(amount) for amount in amounts)


def _owed_text(mode: FeesMode, totals: tuple[Money, ...], fees_to_date: tuple[Money, ...]) -> str:
    if mode == "charged":
        return f"{_money_text(totals)} with fine and interest"
    if not fees_to_date:
        return f"{_money_text(totals)} owed"
    return f"{_money_text(totals)} owed; fine and interest to date {_money_text(fees_to_date)}, for a later invoice"


def _fees_facts(mode: FeesMode, fees_to_date: tuple[Money, ...]) -> dict[str, str | int]:
    facts: dict[str, str | int] = {"fees_mode": mode}
    if fees_to_date:
        facts["fees_to_date"] = _money_text(fees_to_date)
    return facts


def _credit_text(credit: tuple[Money, ...]) -> str:
    return f"; the customer has a credit of {_money_text(credit)}" if credit else ""


def _credit_facts(credit: tuple[Money, ...]) -> dict[str, str | int]:
    return {"credit": _money_text(credit)} if credit else {}
