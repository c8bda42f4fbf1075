"""Deliver one outbox item to its audience. Called by the notifier for each new outbox item.

Staff alerts go to the staff topic (team and owner subscriptions filter on its attributes) and, when the account
has an owner in the staff directory, to that person directly (`ponte.services.staff_delivery`); a critical one that
reached its owner waits to be acknowledged, else escalates (`ponte.services.escalation`); customer notices go to
the customer, by e-mail and SMS (`ponte.services.delivery`), and a copy to the customer notices topic as a machine
feed for the business's own systems (nothing about reaching the customer depends on it); platform events go to
the bus.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import TYPE_CHECKING

from ponte.domain.notifications import Audience, Notification
from ponte.messages import machine_payload, render
from ponte.services.delivery import CustomerDelivery, Receipt, deliver_to_customer
from ponte.services.escalation import EscalationSchedule, schedule_escalation
from ponte.services.staff_delivery import OwnerDelivery, StaffDelivery, deliver_to_owner, staff_names

if TYPE_CHECKING:
    from ponte.messages import RenderedMessage
    from ponte.services.ports import AlertChannel, EventChannel


def deliver(
    notification: Notification,
    *,
    staff: AlertChannel,
    customers: CustomerDelivery,
    feed: AlertChannel | None,
    platform: EventChannel,
    time_zone: str,
    now: datetime,
    owners: StaffDelivery | None = None,
    escalations: EscalationSchedule | None = None,
) -> OwnerDelivery | None:
    """Render and send; for a staff alert, what became of it in person. Errors worth a retry propagate: the stream
    retries the record, so nothing is lost."""
    if notification.audience is Audience.PLATFORM:
        platform.put(notification, machine_payload(notification))
        return None
    if notification.audience is Audience.STAFF:
        # Staff read the owner's name, as the directory has it (the account holds their id).
        names = staff_names(owners.directory) if owners is not None else None
        message = render(notification, time_zone=time_zone, names=names)
        # The owner in person first (receipts make it once), then the team topics (a retry after a failed publish
        # does not reach the owner twice).
        reached = None
        if owners is not None:
            reached = deliver_to_owner(notification, owners, time_zone=time_zone, now=now)
            if escalations is not None:
                schedule_escalation(notification, reached, escalations, now=now)
        staff.send(notification, message)
        return reached
    message = render(notification, time_zone=time_zone)
    # The business's own systems hear of the notice once (a receipt like a customer channel's), even while the
    # customer's copy waits (for the business's identity, for SES); when both fail, the customer's failure is raised.
    try:
        deliver_to_customer(notification, message, customers, now=now)
    except Exception:
        with contextlib.suppress(Exception):
            _feed(notification, message, customers, feed, now)
        raise
    _feed(notification, message, customers, feed, now)
    return None


def _feed(
    notification: Notification,
    message: RenderedMessage,
    customers: CustomerDelivery,
    feed: AlertChannel | None,
    now: datetime,
) -> None:
    account_id, notice_id = notification.account_id, notification.notification_id
    if feed is None or customers.receipts.sent(account_id, notice_id, "feed"):
        return
    feed.send(notification, message)
    customers.receipts.record(account_id, notice_id, Receipt(channel="feed", status="accepted", at=now))
