"""Deliver one outbox item to its audience. Called by the notifier for each new outbox item."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ponte.domain.notifications import Audience, Notification
from ponte.messages import machine_payload, render

if TYPE_CHECKING:
    from ponte.services.ports import AlertChannel, EventChannel


def deliver(
    notification: Notification,
    *,
    staff: AlertChannel,
    customers: AlertChannel,
    platform: EventChannel,
    time_zone: str,
) -> None:
    """Render and publish. Errors propagate: the stream retries the record, so nothing is lost."""
    if notification.audience is Audience.PLATFORM:
        platform.put(notification, machine_payload(notification))
        return
    channel = staff if notification.audience is Audience.STAFF else customers
    channel.send(notification, render(notification, time_zone=time_zone))
