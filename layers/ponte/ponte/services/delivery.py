"""Deliver a customer notice to the customer: by e-mail through SES and by SMS to their phone, signed with the
business's identity, each channel once.

- Who: the account's contact as it is when the notice goes out (read from the table), so a corrected e-mail is used
  at once. A channel the account has no contact for is skipped. A notice to an account merged into another since
  it was decided (the same customer, known twice) goes to the survivor's contact, and its receipts are kept on the
  survivor, whose ladder reads them.
- With what: the business's identity (`ponte.domain.business`) signs every e-mail; while it is not set (or not
  valid) no customer notice goes out: each is recorded as held, with the reason, staff are alerted, and
  `DeliveryUnavailable` is raised so the outbox parks it until the identity is set (`ponte.services.outbox`).
- Once: each channel's send is recorded under the notice's id (a receipt). A retry of the notice (parked after a
  failure) skips the channels already accepted, so SES accepting the e-mail and SMS failing after it never sends
  the e-mail twice.
- Failures: a provider that cannot take the message now (throttled, failing, SES's sending paused) raises
  `DeliveryUnavailable` once the other channels were tried, and the outbox parks the notice and retries it on its
  schedule; a provider that refuses it for good (`DeliveryRefused`: a message SES rejects, a suppressed address, an
  opted-out phone) is recorded with its reason and staff are told; it is not retried.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import formataddr
from typing import TYPE_CHECKING, Literal, Protocol

from ponte.domain.bodies.delivery import CustomerNoticeHeld, HeldReason, Reach
from ponte.domain.business import IdentityNotConfigured
from ponte.domain.errors import DeliveryRefused, DeliveryUnavailable, InvalidInput
from ponte.domain.notifications import Audience, Notification, Severity, Team, notification_id, tag_value
from ponte.messages.email import customer_email
from ponte.messages.text import signed_sms

if TYPE_CHECKING:
    from ponte.domain.accounts import Locale
    from ponte.domain.business import BusinessIdentity
    from ponte.messages import RenderedMessage

Channel = Literal["email", "sms"]
Status = Literal["accepted", "refused", "held"]


class EmailSender(Protocol):
    def send(self, *, to: str, subject: str, text: str, html: str, tags: dict[str, str]) -> str:
        """Send one e-mail; the provider's message id. DeliveryRefused / DeliveryUnavailable otherwise."""


class SmsSender(Protocol):
    def send(self, *, to: str, text: str, tags: dict[str, str]) -> str:
        """Send one SMS; the provider's message id. DeliveryRefused / DeliveryUnavailable otherwise."""


class Contacts(Protocol):
    def reach(self, account_id: str) -> Reach | None:
        """Where a notice to the account goes now, or None when there is no such account."""


class Receipts(Protocol):
    def sent(self, account_id: str, notice_id: str, channel: str) -> bool:
        """Whether this notice already went out (or was settled) on this channel."""

    def record(self, account_id: str, notice_id: str, receipt: Receipt) -> None:
        """Keep the outcome of one channel's send of a notice."""


class NotifyStaff(Protocol):
    def __call__(self, alert: Notification) -> None:
        """Deliver a staff alert now (not through the outbox: the notifier is the one delivering)."""


@dataclass(frozen=True, slots=True)
class Receipt:
    channel: str
    status: Status
    at: datetime
    message_id: str | None = None
    reason: str | None = None
    # A notice naming a deadline that did not go out: the ladder looks at the account again (a fallback may be due).
    reevaluate: bool = False


@dataclass(frozen=True)
class CustomerDelivery:
    """The notifier's ports for customers. `email` is None when no sender identity is configured."""

    email: EmailSender | None
    sms: SmsSender | None
    identity: Callable[[], BusinessIdentity]  # raises InvalidInput (IdentityNotConfigured) while not usable
    contacts: Contacts
    receipts: Receipts
    staff: NotifyStaff
    staff_locale: Locale = "pt-BR"
    # Called when a receipt asks the ladder to look at the account again (a deadline notice reached nobody), so the
    # fallback does not wait for the daily sweep. None: it waits.
    look_again: Callable[[datetime], None] | None = None
    # Reasons already told to staff by this container: a missing identity holds every notice, and one alert a
    # container is enough (the record of each held notice stays).
    alerted: set[str] = field(default_factory=set, compare=False)


def deliver_to_customer(
    notification: Notification, message: RenderedMessage, ports: CustomerDelivery, *, now: datetime
) -> tuple[Receipt, ...]:
    """Send the notice on each channel the account has (see the module's docstring); the receipts written."""
    reach = ports.contacts.reach(notification.account_id)
    if reach is not None and reach.account_id != notification.account_id:
        notification = notification.model_copy(update={"account_id": reach.account_id})
    account_id, notice_id = notification.account_id, notification.notification_id
    contact = reach.contact if reach is not None else None
    try:
        identity = ports.identity()
    except InvalidInput as missing:
        # Held, not dropped: recorded as held (what the ladder and staff see) and raised, so the outbox parks it and
        # tries again on its schedule; it goes out once the identity is set. The ladder is not asked to look again:
        # the parked notice itself will go out.
        reason: HeldReason = "identity_missing" if isinstance(missing, IdentityNotConfigured) else "identity_invalid"
        _hold(notification, ports, reason, str(missing), now, reevaluate=False)
        waiting = f"customer notices wait for the business's identity ({reason})"
        raise DeliveryUnavailable(waiting, code=reason) from None
    allowed = notification.channels or ("email", "sms")  # the policy's step says which, when it is a step's
    targets: list[tuple[Channel, str]] = []
    if contact is not None and contact.email and ports.email is not None and "email" in allowed:
        targets.append(("email", contact.email))
    if contact is not None and contact.phone and ports.sms is not None and "sms" in allowed:
        targets.append(("sms", contact.phone))
    if not targets:
        return (_hold(notification, ports, "no_contact", None, now),)
    written = []
    unsent: DeliveryUnavailable | None = None
    # Ids travel as tags, which SES limits to letters, digits, "_" and "-": encoded so they come back whole.
    tags = {"notice_id": tag_value(notice_id), "account_id": tag_value(account_id), "kind": notification.event_type}
    for channel, address in targets:
        if ports.receipts.sent(account_id, notice_id, channel):
            continue
        try:
            if channel == "email":
                assert ports.email is not None
                mail = customer_email(
                    message.utf8_subject or message.subject, message.email, identity, notification.locale
                )
                message_id = ports.email.send(
                    to=address, subject=mail.subject, text=mail.text, html=mail.html, tags=tags
                )
            else:
                assert ports.sms is not None
                message_id = ports.sms.send(to=address, text=signed_sms(identity.trade_name, message.sms), tags=tags)
        except DeliveryRefused as refused:
            receipt = Receipt(
                channel=channel,
                status="refused",
                at=now,
                reason=refused.reason[:300],
                reevaluate=_names_a_deadline(notification),
            )
            _keep(ports, account_id, notice_id, receipt)
            ports.staff(_held_alert(notification, "refused", f"{channel}: {refused.reason}"[:300], now, ports))
            written.append(receipt)
            continue
        except DeliveryUnavailable as unavailable:
            # The other channel still goes out now (SES paused for a day must not hold the SMS for a day); the
            # notice is then parked, and its retry sends only what was not accepted.
            unsent = unsent or unavailable
            continue
        receipt = Receipt(channel=channel, status="accepted", at=now, message_id=message_id)
        _keep(ports, account_id, notice_id, receipt)
        written.append(receipt)
    if unsent is not None:
        raise unsent
    return tuple(written)


def sender_address(sender: str, identity: BusinessIdentity) -> str:
    """The From of customer e-mails: the business's trade name at the configured address, or at `avisos@` on the
    configured domain (RFC 2047-encoded, so accents in the name survive)."""
    address = sender if "@" in sender else f"avisos@{sender}"
    return formataddr((identity.trade_name, address), charset="utf-8")


def _keep(ports: CustomerDelivery, account_id: str, notice_id: str, receipt: Receipt) -> None:
    ports.receipts.record(account_id, notice_id, receipt)
    if receipt.reevaluate and ports.look_again is not None:
        ports.look_again(receipt.at)


def _names_a_deadline(notification: Notification) -> bool:
    return getattr(notification.body, "deadline", None) is not None


def _hold(
    notification: Notification,
    ports: CustomerDelivery,
    reason: HeldReason,
    detail: str | None,
    now: datetime,
    *,
    reevaluate: bool = True,
) -> Receipt:
    reevaluate = reevaluate and _names_a_deadline(notification)
    receipt = Receipt(channel="held", status="held", at=now, reason=reason, reevaluate=reevaluate)
    _keep(ports, notification.account_id, notification.notification_id, receipt)
    if reason not in ports.alerted:
        ports.staff(_held_alert(notification, reason, detail, now, ports))
    if reason in {"identity_missing", "identity_invalid"}:
        ports.alerted.add(reason)
    return receipt


def _held_alert(
    notification: Notification, reason: HeldReason, detail: str | None, now: datetime, ports: CustomerDelivery
) -> Notification:
    customer = getattr(notification.body, "customer_name", None)
    body = CustomerNoticeHeld(
        reason=reason,
        notice=notification.event_type,
        customer_name=customer if isinstance(customer, str) else None,
        detail=detail[:300] if detail else None,
    )
    identity_wide = reason in {"identity_missing", "identity_invalid"}
    return Notification(
        notification_id=notification_id(notification.notification_id, Audience.STAFF, body.kind),
        audience=Audience.STAFF,
        severity=Severity.CRITICAL if identity_wide else Severity.WARNING,
        team=Team.BACKOFFICE if identity_wide else Team.COLLECTIONS,
        account_id=notification.account_id,
        owner=notification.owner,
        locale=ports.staff_locale,
        occurred_at=now,
        body=body,
    )
