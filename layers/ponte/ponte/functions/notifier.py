"""Notifier: delivers each new outbox item from the table's stream: staff alerts to the staff topic, customer
notices to the customer by SES e-mail and SMS (and a copy to the customer notices topic, a machine feed), platform
events to the bus. A critical staff alert that reached its owner in person waits to be acknowledged, and the sweep
escalates it to the owner's manager if it is not (`ponte.services.escalation`).

The stream's event filter hands over outbox inserts only. What cannot go out now (a customer message in quiet
hours, a notification behind an earlier one still waiting, a delivery that failed) is parked whole and released
later by the sweep (`ponte.services.outbox`); the batch fails only when parking itself fails, and the stream's
retry skips what was already published.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import formataddr
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit

from ponte.adapters.customer_delivery import SesEmail, SmsDirect
from ponte.adapters.delivery_records import DeliveryRecords
from ponte.adapters.documents import IdentityStore
from ponte.adapters.dynamodb import deserialize_item
from ponte.adapters.escalations import Escalations
from ponte.adapters.parking import DeadLetterQueue, ParkedNotifications, SweepWakeups, released_from_image
from ponte.adapters.policy_store import PolicyStore
from ponte.adapters.publishers import PlatformBus, SnsChannel
from ponte.domain.notifications import Notification
from ponte.messages import render
from ponte.services.delivery import CustomerDelivery, sender_address
from ponte.services.escalation import EscalationSchedule
from ponte.services.notify import deliver
from ponte.services.outbox import WAITING_REASONS, OutboxPorts, OutboxRecord, OutboxResult
from ponte.services.staff_delivery import StaffDelivery, staff_names
from ponte.settings import DirectorySettings, EscalationSettings, TableSettings, TimeZoneName, WakeupSettings
from ponte.wiring import staff_directory

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from aws_lambda_powertools import Logger, Metrics

    from ponte.domain.business import BusinessIdentity


class Settings(TableSettings, DirectorySettings, WakeupSettings, EscalationSettings):
    STAFF_ALERTS_TOPIC_ARN: str
    CUSTOMER_NOTICES_TOPIC_ARN: str
    PLATFORM_BUS_NAME: str
    BUSINESS_TIME_ZONE: TimeZoneName
    CUSTOMER_EMAIL_SENDER: str = ""
    CUSTOMER_EMAIL_REPLY_TO: str = ""
    CUSTOMER_EMAIL_CONFIGURATION_SET: str
    SMS_MAX_PRICE: str = ""
    SMS_SENDER_ID: str = ""
    BUSINESS_IDENTITY_PARAMETER: str
    POLICY_PARAMETER: str
    NOTIFICATION_DEAD_LETTER_QUEUE_URL: str
    CONSOLE_URL: str = ""  # the staff console's address, for a link to the account in staff e-mail; empty: none


class NotifierWiring:
    """The notifier's channels, built once per container. `logger` is the function's: a wake-up that could not be
    scheduled is logged, and the notice or alert that asked for it still counts as delivered."""

    def __init__(self, settings: Settings, logger: Logger) -> None:
        self.settings = settings
        self.logger = logger
        self.staff = SnsChannel(settings.STAFF_ALERTS_TOPIC_ARN)
        self.feed = SnsChannel(settings.CUSTOMER_NOTICES_TOPIC_ARN)
        self.platform = PlatformBus(settings.PLATFORM_BUS_NAME)
        self.identities = IdentityStore(settings.BUSINESS_IDENTITY_PARAMETER)
        records = DeliveryRecords(settings.TABLE_NAME)
        self.customers = CustomerDelivery(
            email=_LazyEmail(self) if settings.CUSTOMER_EMAIL_SENDER else None,
            sms=SmsDirect(settings.SMS_MAX_PRICE or None, settings.SMS_SENDER_ID or None),
            identity=self.identity,
            contacts=records,
            receipts=records,
            staff=self.alert_staff,
            staff_locale=settings.DEFAULT_LOCALE,
            look_again=self.look_again,
        )
        self.sweep_soon = SweepWakeups(
            settings.WAKEUP_SCHEDULE_GROUP, settings.WAKEUP_TARGET_ARN, settings.WAKEUP_ROLE_ARN, scope="all"
        )
        directories = staff_directory(settings.STAFF_DIRECTORY_PARAMETER)
        self.owners = StaffDelivery(
            directory=directories.in_use if directories else (lambda: None),
            email=_staff_email(settings),
            sms=self.customers.sms,
            receipts=records,
            console_url=settings.CONSOLE_URL,
        )
        minutes = settings.ALERT_ESCALATION_MINUTES
        self.escalations = (
            EscalationSchedule(pending=Escalations(settings.TABLE_NAME), wake_at=self.wake_to_escalate, minutes=minutes)
            if minutes
            else None
        )
        self.policies = PolicyStore(settings.POLICY_PARAMETER)
        self.outbox = OutboxPorts(
            parking=ParkedNotifications(settings.TABLE_NAME),
            dead_letters=DeadLetterQueue(settings.NOTIFICATION_DEAD_LETTER_QUEUE_URL),
            wakeups=SweepWakeups(settings.WAKEUP_SCHEDULE_GROUP, settings.WAKEUP_TARGET_ARN, settings.WAKEUP_ROLE_ARN),
            quiet_hours=lambda: self.policies.current().policy.quiet_hours,
            time_zone=settings.BUSINESS_TIME_ZONE,
        )

    def identity(self) -> BusinessIdentity:
        return self.identities.current().identity

    def look_again(self, moment: datetime) -> None:
        """A deadline notice reached nobody: run the sweep now rather than tomorrow (best effort: the daily sweep
        finds the flagged account anyway, so a failure here must not fail a notice that went out)."""
        try:
            self.sweep_soon.wake_at(moment + timedelta(minutes=1))
        except Exception:  # noqa: BLE001
            self.logger.warning("sweep wake-up not scheduled: the daily sweep will look at the account")

    def wake_to_escalate(self, moment: datetime) -> None:
        """Run the sweep when an alert's escalation is due (best effort: the daily sweep escalates it anyway, later,
        so a failure here must not fail an alert that went out)."""
        try:
            self.outbox.wakeups.wake_at(moment)
        except Exception:  # noqa: BLE001
            self.logger.warning("escalation wake-up not scheduled: the daily sweep will escalate it")

    def alert_staff(self, alert: Notification) -> None:
        names = staff_names(self.owners.directory)
        self.staff.send(alert, render(alert, time_zone=self.settings.BUSINESS_TIME_ZONE, names=names))

    def sender(self, now: datetime) -> Callable[[Notification], None]:
        """Delivering one notification at `now` through every channel its audience has."""

        def send(notification: Notification) -> None:
            reached = deliver(
                notification,
                staff=self.staff,
                customers=self.customers,
                feed=self.feed,
                platform=self.platform,
                time_zone=self.settings.BUSINESS_TIME_ZONE,
                now=now,
                owners=self.owners,
                escalations=self.escalations,
            )
            if reached is not None and reached.routed == "escalated_to_admins" and not reached.people:
                self.logger.warning(
                    "escalation reached nobody in person: the owner has no active manager and is the only active admin",
                    extra=_about(notification),
                )

        return send


def _staff_email(settings: Settings) -> SesEmail | None:
    """Alerts to staff in person come from the same SES identity as customer e-mail, named "Ponte"."""
    sender = settings.CUSTOMER_EMAIL_SENDER
    if not sender:
        return None
    address = sender if "@" in sender else f"avisos@{sender}"
    return SesEmail(formataddr(("Ponte", address)), settings.CUSTOMER_EMAIL_CONFIGURATION_SET)


class _LazyEmail:
    """SES needs the business's identity for the sender's name: built on the first e-mail."""

    def __init__(self, wiring: NotifierWiring) -> None:
        self._wiring = wiring
        self._ses: SesEmail | None = None

    def send(self, *, to: str, subject: str, text: str, html: str, tags: dict[str, str]) -> str:
        settings = self._wiring.settings
        if self._ses is None:
            sender = sender_address(settings.CUSTOMER_EMAIL_SENDER, self._wiring.identity())
            reply_to = settings.CUSTOMER_EMAIL_REPLY_TO or self._wiring.identity().reply_address
            self._ses = SesEmail(sender, settings.CUSTOMER_EMAIL_CONFIGURATION_SET, (reply_to,))
        return self._ses.send(to=to, subject=subject, text=text, html=html, tags=tags)


def outbox_records(stream_records: Sequence[Mapping[str, Any]]) -> tuple[list[OutboxRecord], datetime]:
    """The outbox items of the stream's records, read as plain dicts (Powertools' event classes load every event
    source's module), and the moment of the latest to reach the stream: the batch's `now`."""
    records = [_outbox_record(record) for record in stream_records]
    arrivals = {record.outbox_key: _arrival(raw) for record, raw in zip(records, stream_records, strict=True)}
    return records, max(arrivals.values(), default=datetime.now(UTC))


def report(result: OutboxResult, logger: Logger, metrics: Metrics) -> None:
    for notification in result.delivered:
        logger.info("notification delivered", extra=_about(notification))
    for parked in result.parked:
        logger.warning(
            "notification parked",
            extra={**_about(parked.notification), "reason": parked.reason, "attempts": parked.attempts},
        )
    for parked in result.dead_lettered:
        logger.error("notification dead-lettered", extra={**_about(parked.notification), "reason": parked.reason})
    for reason in result.wakeups_failed:
        logger.warning("wake-up not scheduled: the daily sweep releases it", extra={"reason": reason})
    metrics.add_metric(name="NotificationsDelivered", unit=MetricUnit.Count, value=len(result.delivered))
    metrics.add_metric(name="NotificationsParked", unit=MetricUnit.Count, value=len(result.parked))
    # What waits because delivering it failed (not quiet hours, not behind another): what the ops alarm watches.
    failing = sum(1 for parked in result.parked if parked.attempts and parked.reason not in WAITING_REASONS)
    metrics.add_metric(name="NotificationsFailing", unit=MetricUnit.Count, value=failing)
    metrics.add_metric(name="NotificationsDeadLettered", unit=MetricUnit.Count, value=len(result.dead_lettered))


def _outbox_record(record: Mapping[str, Any]) -> OutboxRecord:
    image = deserialize_item((record.get("dynamodb") or {}).get("NewImage") or {})
    notification = Notification.model_validate_json(image["payload"])
    return OutboxRecord(
        outbox_key=str(image["sk"]),
        notification=notification,
        released=released_from_image(image, notification),
    )


def _about(notification: Notification) -> dict[str, str]:
    return {
        "account_id": notification.account_id,
        "event_type": notification.event_type,
        "audience": notification.audience.value,
        "notification_id": notification.notification_id,
    }


def _arrival(record: Mapping[str, Any]) -> datetime:
    """When the change reached the stream (the record's approximate creation time): the notice's moment."""
    created = (record.get("dynamodb") or {}).get("ApproximateCreationDateTime")
    return datetime.fromtimestamp(int(created), UTC) if created else datetime.now(UTC)
