"""Escalation: a critical alert its owner did not acknowledge in time goes, once, to the owner's manager.

The alerts that escalate are those about an account that someone must act on at once (the issue's "suspension,
customer unreachable, chargeback"): `account.suspended`, `chargeback.opened`, `customer.unreachable` (the
customer's e-mail bounced for good or they complained) and `collections.alert` for a customer nobody could reach
(the final notice reached no one and the suspension was withheld). Only an alert that reached its owner in person
escalates: one routed to a manager or to the admins already reached someone above the owner.

An alert acknowledged before it is due (the staff action `acknowledge`) does not escalate. Who receives the
escalation is the staff directory's rule (`StaffDirectory.escalation`); how it is recorded and sent,
`ponte.services.escalation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final, Literal

from ponte.domain.accounts import TimelineEntry
from ponte.domain.bodies.collections import CollectionsAlert
from ponte.domain.bodies.staff import AlertEscalated, EscalatedSubject
from ponte.domain.notifications import Audience, Notification, Severity, Team, notification_id

if TYPE_CHECKING:
    from ponte.domain.accounts import Locale

# Alert kind -> what it is about, for the reader of the escalation.
ESCALATING: Final[dict[str, EscalatedSubject]] = {
    "account.suspended": "account_suspended",
    "chargeback.opened": "chargeback_opened",
    "customer.unreachable": "customer_unreachable",
}
Settled = Literal["escalated", "acknowledged", "account_gone"]


def escalating_subject(notification: Notification) -> EscalatedSubject | None:
    """What the alert is about when it escalates if not acknowledged; None when it does not escalate (not a staff
    alert, no owner or account, or not one of the escalating kinds)."""
    if notification.audience is not Audience.STAFF or not notification.owner or not notification.account_id:
        return None
    body = notification.body
    if isinstance(body, CollectionsAlert):
        return "customer_unreachable" if body.reason == "customer_unreachable" else None
    return ESCALATING.get(notification.event_type)


@dataclass(frozen=True, slots=True)
class PendingEscalation:
    """An escalating alert delivered to its owner, waiting to be acknowledged until `due_at`."""

    account_id: str
    alert_id: str  # the alert's notification id: what staff acknowledge
    alert_kind: str
    subject: EscalatedSubject
    owner: str  # the owner's id in the staff directory
    owner_name: str
    sent_at: datetime
    due_at: datetime
    team: Team | None = None


@dataclass(frozen=True, slots=True)
class DueEscalation:
    """A pending escalation that is due, read with what decides it: whether its alert was acknowledged, and the
    account's name now (None when the account is gone)."""

    pending: PendingEscalation
    acknowledged: bool
    account_name: str | None


def pending_for(
    notification: Notification, *, owner_name: str, sent_at: datetime, minutes: int
) -> PendingEscalation | None:
    """The escalation an alert that just reached its owner waits under; None when it does not escalate or
    escalation is off (`minutes` 0)."""
    subject = escalating_subject(notification)
    if minutes <= 0 or subject is None or notification.owner is None:
        return None
    return PendingEscalation(
        account_id=notification.account_id,
        alert_id=notification.notification_id,
        alert_kind=notification.event_type,
        subject=subject,
        owner=notification.owner,
        owner_name=owner_name,
        sent_at=sent_at,
        due_at=sent_at + timedelta(minutes=minutes),
        team=notification.team,
    )


def settle(*, acknowledged: bool, account_name: str | None) -> Settled:
    """What becomes of a pending escalation that is due: nothing is sent for an acknowledged alert nor for an account
    that is gone (merged into another since); anything else escalates."""
    if acknowledged:
        return "acknowledged"
    if account_name is None:
        return "account_gone"
    return "escalated"


def escalation_alert(pending: PendingEscalation, *, account_name: str, locale: Locale, now: datetime) -> Notification:
    """The alert that tells the owner's manager. Its id derives from the escalated alert's, so a retried escalation
    writes the same outbox item. Critical: it goes by SMS too, to whoever has a phone."""
    minutes = round((pending.due_at - pending.sent_at).total_seconds() / 60)
    body = AlertEscalated(
        alert_id=pending.alert_id,
        alert_kind=pending.alert_kind,
        subject=pending.subject,
        account_name=account_name,
        owner_name=pending.owner_name,
        sent_at=pending.sent_at,
        minutes=max(minutes, 1),
    )
    cause = f"escalation:{pending.account_id}:{pending.alert_id}"
    return Notification(
        notification_id=notification_id(cause, Audience.STAFF, body.kind),
        audience=Audience.STAFF,
        severity=Severity.CRITICAL,
        team=pending.team,
        account_id=pending.account_id,
        owner=pending.owner,
        locale=locale,
        occurred_at=now,
        body=body,
    )


def escalation_entry(pending: PendingEscalation, escalation: Notification, now: datetime) -> TimelineEntry:
    """The line in the account's history that says the alert escalated, and why."""
    minutes = round((pending.due_at - pending.sent_at).total_seconds() / 60)
    sent = pending.sent_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return TimelineEntry(
        account_id=pending.account_id,
        at=now,
        what="alert.escalated",
        why=f"the {pending.alert_kind} alert sent to {pending.owner} at {sent} was not acknowledged within "
        f"{minutes} minutes: escalated to the owner's manager (the admins when there is none)",
        source="escalation",
        facts={
            "notification_id": pending.alert_id,
            "alert": pending.alert_kind,
            "owner": pending.owner,
            "sent_at": sent,
            "escalation_id": escalation.notification_id,
        },
    )
