"""Deliver one outbox item to its audience. Called by the notifier for each new outbox item.

Staff alerts go to the staff topic (team and owner subscriptions filter on its attributes); customer notices go to
the customer, by e-mail and SMS (`ponte.services.delivery`), and a copy to the customer notices topic as a machine
feed for the business's own systems (nothing about reaching the customer depends on it); platform events go to
the bus.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ponte.domain.notifications import Audience, Notification
from ponte.messages import machine_payload, render
from ponte.services.delivery import CustomerDelivery, deliver_to_customer

if TYPE_CHECKING:
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
) -> None:
    """Render and send. Errors worth a retry propagate: the stream retries the record, so nothing is lost."""
    if notification.audience is Audience.PLATFORM:
        platform.put(notification, machine_payload(notification))
        return
    message = render(notification, time_zone=time_zone)
    if notification.audience is Audience.STAFF:
        staff.send(notification, message)
        return
    deliver_to_customer(notification, message, customers, now=now)
    if feed is not None:
        feed.send(notification, message)
