"""Record what happened to each customer e-mail after SES accepted it, from the events SES publishes through the
configuration set (send, delivery, bounce, complaint, reject, delivery delay, rendering failure).

- Against what: the notice the e-mail carried, named by the tags the notifier gave it (`notice_id`, `account_id`;
  SES repeats them under `mail.tags`), and only when that notice's e-mail receipt holds the same SES message id.
- Where: on the receipt (its status moves on: accepted -> delivered / bounced / complained / rejected / delayed,
  with when, and a short history of the events), and in the account's timeline (one entry per outcome: delivered,
  bounced, complaint, rejected, rendering failed), keyed by the notice and the event, so a replay writes the same.
- Unreachable customers: a permanent bounce or a complaint marks the address unreachable for the account (a hash of
  it, never the address), and the account's owner is alerted, once per address, through the outbox: the mark, the
  alert and the timeline entry are one transaction with the receipt (`EvidenceRecords.record_evidence`).
- Bad input changes nothing and raises nothing (SNS and Lambda would retry it in vain): an event that is not one
  of SES's, an e-mail Ponte did not send, or one already recorded, comes back as an `Outcome` to log and count.
  Errors from the table propagate, so that Lambda retries the event and then parks it in the failure queue.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from ponte.domain.accounts import MERGES_FOLLOWED, TimelineEntry
from ponte.domain.bodies.delivery import CustomerUnreachable, EmailEvent, EmailEventKind
from ponte.domain.errors import ConcurrentModification
from ponte.domain.notifications import Audience, Notification, Severity, Team, from_tag_value, notification_id

if TYPE_CHECKING:
    from ponte.domain.accounts import Account, Locale
    from ponte.domain.bodies.delivery import EmailEvidence, EvidenceStatus, NoticeEvidence, UnreachableReason

ATTEMPTS: Final = 3  # two events of one e-mail recorded at once: the one that lost reads again
SOURCE: Final = "ses"

# SES's eventType -> Ponte's kind and the key of the event's own object (SES developer guide, "Contents of event
# data that Amazon SES publishes to Amazon SNS").
_EVENT_TYPES: Final[dict[str, tuple[EmailEventKind, str]]] = {
    "Send": ("send", "send"),
    "Delivery": ("delivery", "delivery"),
    "Bounce": ("bounce", "bounce"),
    "Complaint": ("complaint", "complaint"),
    "Reject": ("reject", "reject"),
    "DeliveryDelay": ("delivery_delay", "deliveryDelay"),
    "Rendering Failure": ("rendering_failure", "failure"),
}
# The events the account's timeline shows: what finally became of the e-mail.
_TIMELINE: Final[dict[EmailEventKind, tuple[str, str]]] = {
    "delivery": ("customer_notice.delivered", "SES delivered the e-mail to the customer's mail server"),
    "bounce": ("customer_notice.bounced", "the customer's e-mail bounced"),
    "complaint": ("customer_notice.complained", "the customer reported the e-mail as spam"),
    "reject": ("customer_notice.rejected", "SES rejected the e-mail and did not send it"),
    "rendering_failure": ("customer_notice.rendering_failed", "SES could not render the e-mail and did not send it"),
}


class Outcome(StrEnum):
    RECORDED = "recorded"
    MALFORMED = "malformed"  # not an SES event Ponte records
    UNKNOWN_NOTICE = "unknown_notice"  # no tags, or no e-mail of that notice with that message id
    REPLAY = "replay"  # already recorded


class EvidenceRecords(Protocol):
    def notice_evidence(self, account_id: str, notice_id: str, address: str | None) -> NoticeEvidence:
        """The notice's e-mail evidence and its account, read at once; whether `address` (when given) is already
        marked unreachable for the account."""

    def record_evidence(self, write: EvidenceWrite) -> None:
        """Write the evidence, its timeline entry, and the mark with the owner's alert, in one transaction.

        Raises ConcurrentModification when the evidence moved on since it was read, or the address was marked
        meanwhile: read again."""


@dataclass(frozen=True, slots=True)
class EvidenceWrite:
    """What one event changes. `seen_revision` is the evidence's revision as read; `unreachable` marks the event's
    recipient, and then `alert` is the owner's alert (an outbox item, written with `now`)."""

    event: EmailEvent
    evidence: EmailEvidence
    seen_revision: int
    now: datetime
    timeline: TimelineEntry | None = None
    unreachable: UnreachableReason | None = None
    alert: Notification | None = None


@dataclass(frozen=True, slots=True)
class Recorded:
    """What became of one event. `why` says why it was dropped, in words fit for a log (no address, no payload)."""

    outcome: Outcome
    event: EmailEvent | None = None
    status: EvidenceStatus | None = None
    marked_unreachable: bool = False
    why: str | None = None


class MalformedEvent(ValueError):
    """The message is not an SES event Ponte records. Its text never carries the message's values."""


def record_email_event(message: str, records: EvidenceRecords, *, staff_locale: Locale, now: datetime) -> Recorded:
    """Record one SES event (the SNS message's text) against its notice; see the module's docstring."""
    try:
        event = parse_ses_event(message)
    except MalformedEvent as malformed:
        return Recorded(Outcome.MALFORMED, why=str(malformed))
    if not (event.notice_id and event.account_id):
        return Recorded(Outcome.UNKNOWN_NOTICE, event, why="the e-mail carries no notice_id and account_id tags")
    for attempt in range(1, ATTEMPTS + 1):
        event, read = _evidence_of(event, records)
        if read.account is None or read.evidence is None or read.evidence.message_id != event.message_id:
            return Recorded(Outcome.UNKNOWN_NOTICE, event, why=_unknown(read))
        evidence = read.evidence.with_event(event)
        if evidence is None:
            return Recorded(Outcome.REPLAY, event, status=read.evidence.status, why="the event was already recorded")
        unreachable = None if read.already_unreachable else event.unreachable
        write = EvidenceWrite(
            event=event,
            evidence=evidence,
            seen_revision=read.evidence.revision,
            now=now,
            timeline=_timeline_entry(event, evidence, marked=unreachable is not None),
            unreachable=unreachable,
            alert=None if unreachable is None else _owner_alert(event, read.account, unreachable, staff_locale),
        )
        try:
            records.record_evidence(write)
        except ConcurrentModification:
            if attempt == ATTEMPTS:
                raise
            continue
        return Recorded(Outcome.RECORDED, event, status=evidence.status, marked_unreachable=unreachable is not None)
    raise AssertionError("unreachable")  # pragma: no cover


def _evidence_of(event: EmailEvent, records: EvidenceRecords) -> tuple[EmailEvent, NoticeEvidence]:
    """The notice's evidence where it is kept now, and the event as recorded there: a notice sent to an account since
    merged into another (the same customer) has its receipt copied to the survivor, whose ladder reads it, so SES's
    later events about it are recorded on the survivor (its receipt, timeline, mark and owner's alert)."""
    address = event.recipient if event.unreachable else None
    read = records.notice_evidence(event.account_id, event.notice_id, address)
    for _ in range(MERGES_FOLLOWED):
        if read.account is None or read.account.merged_into is None:
            break
        event = replace(event, account_id=read.account.merged_into)
        read = records.notice_evidence(event.account_id, event.notice_id, address)
    return event, read


def parse_ses_event(message: str) -> EmailEvent:
    """The event an SES configuration set published to SNS (the notification's `Message`). MalformedEvent when it
    is not JSON, not one of the seven event types Ponte records, or lacks what that type always carries."""
    try:
        raw = json.loads(message)
    except (TypeError, ValueError):
        raise MalformedEvent("the message is not JSON") from None
    if not isinstance(raw, dict):
        raise MalformedEvent("the message is not a JSON object")
    event_type = raw.get("eventType")
    if not isinstance(event_type, str) or event_type not in _EVENT_TYPES:
        raise MalformedEvent("the message is not an SES event Ponte records (eventType)")
    kind, key = _EVENT_TYPES[event_type]
    try:
        parsed = _SesEvent.model_validate(raw)
        own = _OWN[kind].model_validate(raw.get(key, {}))  # AWS's Send example carries `"send": {}`
    except ValidationError as invalid:
        raise MalformedEvent(f"the {event_type} event is incomplete: {_problems(invalid, key)}") from None
    return own.event(kind, parsed.mail)


# The edge: SES's shapes, as documented; only what Ponte uses is read, the rest is ignored.


class _Shape(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True, defer_build=True)


class _Mail(_Shape):
    message_id: str = Field(alias="messageId", min_length=1, max_length=256)
    timestamp: AwareDatetime
    # SES gives each tag as a list of values; the notifier's tags have one each.
    tags: dict[str, list[str]] = Field(default_factory=dict)

    def tag(self, name: str) -> str:
        """The id the notifier put in this tag (see `tag_value`)."""
        values = self.tags.get(name) or []
        return from_tag_value(values[0][:256]) if values else ""


class _SesEvent(_Shape):
    mail: _Mail


class _Own(_Shape):
    """An event's own object; `event` makes the EmailEvent of it."""

    def event(self, kind: EmailEventKind, mail: _Mail) -> EmailEvent:
        return _email_event(kind, mail, at=mail.timestamp)


class _Send(_Own):
    pass


class _Delivery(_Own):
    timestamp: AwareDatetime

    def event(self, kind: EmailEventKind, mail: _Mail) -> EmailEvent:
        return _email_event(kind, mail, at=self.timestamp)


class _Recipient(_Shape):
    email_address: str = Field(alias="emailAddress", min_length=3, max_length=320)


class _Bounce(_Own):
    bounce_type: str = Field(alias="bounceType", min_length=1, max_length=64)
    bounce_subtype: str = Field(alias="bounceSubType", min_length=1, max_length=64)
    recipients: list[_Recipient] = Field(alias="bouncedRecipients", min_length=1)
    timestamp: AwareDatetime

    def event(self, kind: EmailEventKind, mail: _Mail) -> EmailEvent:
        return _email_event(
            kind,
            mail,
            at=self.timestamp,
            recipient=self.recipients[0].email_address,  # Ponte sends each e-mail to one address
            bounce_type=self.bounce_type,
            bounce_subtype=self.bounce_subtype,
        )


class _Complaint(_Own):
    recipients: list[_Recipient] = Field(alias="complainedRecipients", min_length=1)
    # Only when the feedback report names it (SES developer guide: "complaintFeedbackType ... may not be present").
    feedback_type: str | None = Field(default=None, alias="complaintFeedbackType", max_length=64)
    timestamp: AwareDatetime

    def event(self, kind: EmailEventKind, mail: _Mail) -> EmailEvent:
        return _email_event(
            kind,
            mail,
            at=self.timestamp,
            recipient=self.recipients[0].email_address,
            complaint_type=self.feedback_type,
        )


class _Reject(_Own):
    reason: str = Field(min_length=1, max_length=200)

    def event(self, kind: EmailEventKind, mail: _Mail) -> EmailEvent:
        return _email_event(kind, mail, at=mail.timestamp, detail=self.reason)


class _DeliveryDelay(_Own):
    delay_type: str = Field(alias="delayType", min_length=1, max_length=64)
    timestamp: AwareDatetime

    def event(self, kind: EmailEventKind, mail: _Mail) -> EmailEvent:
        return _email_event(kind, mail, at=self.timestamp, detail=self.delay_type)


class _RenderingFailure(_Own):
    template_name: str | None = Field(default=None, alias="templateName", max_length=200)

    def event(self, kind: EmailEventKind, mail: _Mail) -> EmailEvent:
        # The error message quotes the template data, which may hold personal data: only the template is kept.
        return _email_event(kind, mail, at=mail.timestamp, detail=self.template_name)


_OWN: Final[dict[EmailEventKind, type[_Own]]] = {
    "send": _Send,
    "delivery": _Delivery,
    "bounce": _Bounce,
    "complaint": _Complaint,
    "reject": _Reject,
    "delivery_delay": _DeliveryDelay,
    "rendering_failure": _RenderingFailure,
}


def _email_event(kind: EmailEventKind, mail: _Mail, *, at: datetime, **details: Any) -> EmailEvent:
    return EmailEvent(
        kind=kind,
        message_id=mail.message_id,
        notice_id=mail.tag("notice_id"),
        account_id=mail.tag("account_id"),
        notice_kind=mail.tag("kind") or None,
        at=at,
        **details,
    )


def _problems(invalid: ValidationError, key: str) -> str:
    """Where the event is wrong and how, without the values (they may be addresses)."""
    found = []
    for error in invalid.errors()[:3]:
        where = ".".join(str(part) for part in error["loc"]) or key
        found.append(f"{where}: {error['type']}")
    return "; ".join(found)


def _unknown(read: NoticeEvidence) -> str:
    if read.account is None:
        return "there is no such account"
    if read.evidence is None:
        return "no e-mail of this notice was sent"
    return "the notice's e-mail has another SES message id"


def _timeline_entry(event: EmailEvent, evidence: EmailEvidence, *, marked: bool) -> TimelineEntry | None:
    if event.kind not in _TIMELINE:
        return None
    what, why = _TIMELINE[event.kind]
    if event.summary:
        why = f"{why} ({event.summary})"
    if marked:
        why = f"{why}; the address is marked unreachable and no more notices go to it until it is corrected"
    facts: dict[str, str | int] = {
        "notice_id": event.notice_id,
        "channel": "email",
        "message_id": event.message_id,
        "status": evidence.status,
    }
    optional = {
        "notice": event.notice_kind,
        "bounce_type": event.bounce_type,
        "bounce_subtype": event.bounce_subtype,
        "complaint_type": event.complaint_type,
        "unreachable": "email" if marked else None,
    }
    facts.update({name: value for name, value in optional.items() if value})
    return TimelineEntry(
        account_id=event.account_id,
        at=event.at,
        what=what,
        why=why,
        source=f"{SOURCE}:{event.message_id}",
        facts=facts,
    )


def _owner_alert(event: EmailEvent, account: Account, reason: UnreachableReason, staff_locale: Locale) -> Notification:
    body = CustomerUnreachable(
        reason=reason,
        notice=(event.notice_kind or "unknown")[:64],
        customer_name=account.name,
        bounce_type=event.bounce_type,
        bounce_subtype=event.bounce_subtype,
        complaint_type=event.complaint_type,
    )
    return Notification(
        # One alert per address: the mark guards it; the id only keeps a retried write the same item.
        notification_id=notification_id(
            f"unreachable:{event.account_id}:email:{event.message_id}", Audience.STAFF, body.kind
        ),
        audience=Audience.STAFF,
        severity=Severity.WARNING,
        team=Team.COLLECTIONS,
        account_id=event.account_id,
        owner=account.owner,
        locale=staff_locale,
        occurred_at=event.at,
        body=body,
    )
