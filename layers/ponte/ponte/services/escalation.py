"""Escalate a critical staff alert its owner did not acknowledge in time: once, to the owner's manager.

- Recorded: when the notifier delivers an escalating alert (`ponte.domain.escalation`) to its owner in person, it
  records a pending escalation in the account's partition, due `minutes` later (the `AlertEscalationMinutes`
  parameter; 0 turns escalation off), and has the sweep woken at that moment (`schedule_escalation`). A retried
  delivery records nothing new: the first record stands.
- Decided: the sweep takes every pending escalation that is due (`escalate_due`). An alert acknowledged meanwhile
  (the staff action `acknowledge`) settles it and nothing is sent; otherwise one transaction settles it, writes the
  escalation alert to the outbox and a line in the account's history, only if it is still pending as read: two
  sweeps at once, or a retried one, escalate it once.
- Sent: the notifier delivers the escalation alert like any staff alert: to the team topics, and in person to
  whom the staff directory names (`StaffDirectory.escalation`): the owner's nearest active manager, else the admins,
  in each one's language. An escalation alert does not escalate itself.

An acknowledgement in the very instant the sweep escalates may not stop it: the sweep reads it, then writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from ponte.domain.escalation import escalation_alert, escalation_entry, pending_for, settle

if TYPE_CHECKING:
    from datetime import datetime

    from ponte.domain.accounts import Locale, TimelineEntry
    from ponte.domain.escalation import DueEscalation, PendingEscalation, Settled
    from ponte.domain.notifications import Notification
    from ponte.services.staff_delivery import OwnerDelivery


class PendingEscalations(Protocol):
    """Where pending escalations wait (`ponte.adapters.escalations.Escalations`)."""

    def add(self, pending: PendingEscalation) -> bool:
        """Record it unless its alert already has one; whether it was recorded now."""

    def due(self, now: datetime) -> list[DueEscalation]:
        """The escalations still pending and due by `now`, oldest first."""

    def settle(self, due: DueEscalation, outcome: Settled, now: datetime) -> bool:
        """Take it out of the pending ones with nothing sent, if it is still pending as read; whether it was."""

    def escalate(self, due: DueEscalation, alert: Notification, entry: TimelineEntry, now: datetime) -> bool:
        """In one transaction, if it is still pending as read: settle it as escalated, write `alert` to the outbox
        and `entry` to the account's history. Whether it was escalated now."""


@dataclass(frozen=True)
class EscalationSchedule:
    """The notifier's side: where to record, how to wake the sweep, and the delay (0: escalation is off)."""

    pending: PendingEscalations
    wake_at: Callable[[datetime], None]
    minutes: int


def schedule_escalation(
    notification: Notification, reached: OwnerDelivery, schedule: EscalationSchedule, *, now: datetime
) -> PendingEscalation | None:
    """Record the escalation of an alert that just reached its owner in person, due `schedule.minutes` from `now`,
    and wake the sweep then. None when the alert does not escalate (or escalation is off)."""
    if reached.routed != "owner" or reached.owner_name is None:
        return None
    pending = pending_for(notification, owner_name=reached.owner_name, sent_at=now, minutes=schedule.minutes)
    if pending is None:
        return None
    if schedule.pending.add(pending):
        schedule.wake_at(pending.due_at)
    return pending


@dataclass
class EscalationRun:
    """What one sweep did: the alerts escalated (their ids), and how many were settled without a word."""

    escalated: list[str] = field(default_factory=list)
    acknowledged: int = 0
    account_gone: int = 0
    taken_by_another: int = 0  # settled by a concurrent run between this run's read and its write


def escalate_due(pending: PendingEscalations, *, now: datetime, locale: Locale) -> EscalationRun:
    """Escalate every pending escalation due by `now` whose alert nobody acknowledged (see the module's docstring).
    `locale` is the escalation alert's own (`DefaultLocale`); each person reads it in theirs."""
    run = EscalationRun()
    for due in pending.due(now):
        outcome = settle(acknowledged=due.acknowledged, account_name=due.account_name)
        if outcome == "escalated":
            assert due.account_name is not None
            alert = escalation_alert(due.pending, account_name=due.account_name, locale=locale, now=now)
            done = pending.escalate(due, alert, escalation_entry(due.pending, alert, now), now)
            if done:
                run.escalated.append(due.pending.alert_id)
        else:
            done = pending.settle(due, outcome, now)
            if done and outcome == "acknowledged":
                run.acknowledged += 1
            elif done:
                run.account_gone += 1
        if not done:
            run.taken_by_another += 1
    return run
