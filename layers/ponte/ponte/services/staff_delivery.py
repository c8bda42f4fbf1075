"""Deliver a staff alert addressed to an account's owner to that person directly, from the staff directory.

The team topics still carry every staff alert for team subscriptions; this is the person-to-person path beside them.

- Who (`StaffDirectory.route`): the owner; while the owner is inactive, their nearest active manager; when the
  directory does not know the owner (an owner from before the directory, or someone removed from it) or no
  manager up the line is active, the directory's active admins: the people who can give the account an owner.
  The back office team is not the fallback: it already hears every alert through its topic, and what such an
  alert needs is someone who can fix the owner, not another copy. An alert with no owner goes to the team topics
  only. Whoever receives an alert meant for someone else reads first why it came to them. The escalation of an
  owner's critical alert nobody acknowledged (`ponte.services.escalation`) goes where `StaffDirectory.escalation`
  says: the owner's nearest active manager, else the admins.
- How: by e-mail (text, SES) always; by SMS to the person's phone only for critical alerts (suspension, chargeback,
  a customer nobody can reach), one segment. In the person's own language. With the console's address set, the
  e-mail ends with a link to the account there (the link grants nothing: the console asks for a login).
- Once: each send is a receipt in the account's partition, under the notification's id and the channel
  `staff-email:<person id>` or `staff-sms:<person id>` (the `Receipts` port of customer delivery). A retried
  notification skips what already went out.
- Failures: a provider that cannot take the message now raises `DeliveryUnavailable` (the notifier retries it);
  one that refuses it for good (an address on the suppression list) is recorded as refused, not retried. A
  directory not set up, or never valid, sends nothing here and says so in the answer: nothing to retry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ponte.domain.bodies.staff import AlertEscalated
from ponte.domain.errors import DeliveryRefused, InvalidInput
from ponte.domain.notifications import Audience, Notification, Severity, tag_value
from ponte.messages import render
from ponte.messages.staff import console_line, forwarded_note
from ponte.services.delivery import Receipt

if TYPE_CHECKING:
    from datetime import datetime

    from ponte.domain.accounts import Locale
    from ponte.domain.staff import Person, Routing, RoutingReason, StaffDirectory
    from ponte.messages import RenderedMessage
    from ponte.services.delivery import EmailSender, Receipts, SmsSender

StaffChannel = Literal["email", "sms"]


@dataclass(frozen=True)
class StaffDelivery:
    """The ports for reaching staff in person. `directory` answers None while the directory is not set up and
    raises `InvalidInput` when no version of it was ever valid (`DirectoryStore.in_use`). A sender left None is a
    channel not configured; `console_url` empty, no link to the console."""

    directory: Callable[[], StaffDirectory | None]
    email: EmailSender | None
    sms: SmsSender | None
    receipts: Receipts
    console_url: str = ""


@dataclass(frozen=True, slots=True)
class OwnerDelivery:
    """What became of one alert: why it went where it did, who it was for (person ids), the receipts written
    now (a channel already sent earlier writes none), and the owner's name when the directory knows them."""

    routed: RoutingReason | Literal["not_staff", "no_directory", "directory_invalid"]
    people: tuple[str, ...] = ()
    receipts: tuple[Receipt, ...] = ()
    owner_name: str | None = None


def staff_channel(channel: StaffChannel, person_id: str) -> str:
    """The receipt's channel of one send to one person."""
    return f"staff-{channel}:{person_id}"


def staff_names(directory: Callable[[], StaffDirectory | None]) -> dict[str, str]:
    """Each person's name by id, from the staff directory in force (`DirectoryStore.in_use`); none while it is not
    set up, when no version of it was ever valid, or when it cannot be read now: texts then name owners as accounts
    hold them (a name is not worth failing an alert for)."""
    try:
        found = directory()
    except Exception:  # noqa: BLE001 - invalid, or the parameter store failing: the alert goes, with the id
        return {}
    return found.names if found is not None else {}


def deliver_to_owner(
    notification: Notification, ports: StaffDelivery, *, time_zone: str, now: datetime
) -> OwnerDelivery:
    """Send a staff alert to its owner in person (see the module's docstring)."""
    if notification.audience is not Audience.STAFF:
        return OwnerDelivery("not_staff")
    if notification.owner is None:
        return OwnerDelivery("no_owner")
    try:
        directory = ports.directory()
    except InvalidInput:
        return OwnerDelivery("directory_invalid")
    if directory is None:
        return OwnerDelivery("no_directory")
    if isinstance(notification.body, AlertEscalated):
        routing = directory.escalation(notification.owner)
    else:
        routing = directory.route(notification.owner)
    rendered: dict[Locale, RenderedMessage] = {}
    written: list[Receipt] = []
    for person in routing.people:
        if person.locale not in rendered:
            rendered[person.locale] = render(
                notification.model_copy(update={"locale": person.locale}),
                time_zone=time_zone,
                names=directory.names,
            )
        message = rendered[person.locale]
        for channel, address in _targets(notification, person, ports):
            receipt_channel = staff_channel(channel, person.id)
            if ports.receipts.sent(notification.account_id, notification.notification_id, receipt_channel):
                continue
            receipt = _send(
                notification,
                message,
                routing=routing,
                person=person,
                channel=channel,
                address=address,
                ports=ports,
                now=now,
            )
            ports.receipts.record(notification.account_id, notification.notification_id, receipt)
            written.append(receipt)
    owner_name = routing.owner.name if routing.owner is not None else None
    return OwnerDelivery(routing.why, tuple(p.id for p in routing.people), tuple(written), owner_name)


def _targets(notification: Notification, person: Person, ports: StaffDelivery) -> list[tuple[StaffChannel, str]]:
    targets: list[tuple[StaffChannel, str]] = []
    if ports.email is not None:
        targets.append(("email", person.email))
    if notification.severity is Severity.CRITICAL and person.phone and ports.sms is not None:
        targets.append(("sms", person.phone))
    return targets


def _send(
    notification: Notification,
    message: RenderedMessage,
    *,
    routing: Routing,
    person: Person,
    channel: StaffChannel,
    address: str,
    ports: StaffDelivery,
    now: datetime,
) -> Receipt:
    receipt_channel = staff_channel(channel, person.id)
    tags = {
        "notice_id": tag_value(notification.notification_id),
        "account_id": tag_value(notification.account_id),
        "kind": notification.event_type,
        "audience": "staff",
    }
    try:
        if channel == "email":
            assert ports.email is not None
            message_id = ports.email.send(
                to=address,
                subject=message.utf8_subject or message.subject,
                text=_email_text(message, routing, notification, person.locale, ports.console_url),
                html="",  # staff read the alert as text, as the team topics' e-mail subscriptions do
                tags=tags,
            )
        else:
            assert ports.sms is not None
            message_id = ports.sms.send(to=address, text=message.sms, tags=tags)
    except DeliveryRefused as refused:
        return Receipt(channel=receipt_channel, status="refused", at=now, reason=refused.reason[:300])
    return Receipt(channel=receipt_channel, status="accepted", at=now, message_id=message_id)


def _email_text(
    message: RenderedMessage, routing: Routing, notification: Notification, locale: Locale, console_url: str
) -> str:
    """The alert's text; for someone reading it in another's place, first why it came to them; last, the account in
    the console (not for an alert about no account, such as an upload's to the back office)."""
    owner = routing.owner.name if routing.owner is not None else (notification.owner or "")
    text = message.email
    match routing.why:
        case "manager" | "unknown_owner" | "no_active_manager" | "escalated" | "escalated_to_admins" as why:
            text = f"{forwarded_note(why, owner, locale)}\n\n{text}"
        case _:
            pass
    if console_url and notification.account_id and not notification.account_id.startswith("_"):
        text = f"{text.rstrip()}\n\n{console_line(console_url, notification.account_id, locale)}\n"
    return text
