"""Delivering customer notices: what staff must know when a notice could not reach its customer, and the evidence
of what happened to each e-mail after SES accepted it.

The evidence follows SES's events for the message (SES developer guide, "Contents of event data that Amazon SES
publishes to Amazon SNS"). Events arrive late, twice or out of order, so an e-mail's status only moves towards a
more final one (`STATUS_RANK`): a delivery reported after a bounce of the same message does not undo the bounce;
the same event twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from datetime import datetime

    from ponte.domain.accounts import Account, Contact

HeldReason = Literal["identity_missing", "identity_invalid", "refused", "no_contact"]
# SES's event types, spelled as Ponte keeps them (SES API v2: SEND, DELIVERY, BOUNCE, COMPLAINT, REJECT,
# DELIVERY_DELAY, RENDERING_FAILURE).
EmailEventKind = Literal["send", "delivery", "bounce", "complaint", "reject", "delivery_delay", "rendering_failure"]
EvidenceStatus = Literal["accepted", "delayed", "delivered", "bounced", "rejected", "rendering_failed", "complained"]
UnreachableReason = Literal["bounced", "complained"]

STATUS_OF: Final[dict[EmailEventKind, EvidenceStatus]] = {
    "send": "accepted",
    "delivery_delay": "delayed",
    "delivery": "delivered",
    "bounce": "bounced",
    "reject": "rejected",
    "rendering_failure": "rendering_failed",
    "complaint": "complained",
}
# How final a status is: an event moves the e-mail's status only to a higher rank. A bounce may follow a delivery
# (the receiving server accepted, then returned the message) and a complaint follows a delivery; nothing after a
# bounce, a rejection or a rendering failure means the customer got the message.
STATUS_RANK: Final[dict[EvidenceStatus, int]] = {
    "accepted": 0,
    "delayed": 1,
    "delivered": 2,
    "bounced": 3,
    "rejected": 3,
    "rendering_failed": 3,
    "complained": 4,
}
HISTORY_SIZE: Final = 12  # events kept per e-mail: a message has a handful (send, delays, delivery, bounce...)


class CustomerNoticeHeld(BaseModel):
    """A customer notice was not sent: the business's identity is not set (or invalid), the provider refused it for
    good, or the customer has no usable contact. `notice` is the kind of notice held back."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    kind: Literal["customer_notice.held"] = "customer_notice.held"
    reason: HeldReason
    notice: str
    customer_name: str | None = None
    detail: str | None = None  # the provider's reason, or what is wrong with the identity (never an address)


class CustomerUnreachable(BaseModel):
    """The customer's e-mail address cannot be used any more (a permanent bounce, or a complaint): notices stop
    going to it until the account's address is corrected. For the account's owner, who can correct it.

    `bounce_type`/`bounce_subtype` and `complaint_type` are SES's own values (bounceType, bounceSubType,
    complaintFeedbackType); `notice` is the kind of notice that came back. Never the address itself."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    kind: Literal["customer.unreachable"] = "customer.unreachable"
    channel: Literal["email"] = "email"
    reason: UnreachableReason
    notice: str = Field(max_length=64)
    customer_name: str | None = None
    bounce_type: str | None = Field(default=None, max_length=64)
    bounce_subtype: str | None = Field(default=None, max_length=64)
    complaint_type: str | None = Field(default=None, max_length=64)


@dataclass(frozen=True, slots=True)
class EmailEvent:
    """One SES event about one e-mail of a customer notice, as Ponte keeps it.

    `at` is when the event happened (the event's own timestamp; the message's for send, reject and rendering
    failure, which carry none). `recipient` is the address that bounced or complained: used to mark it unreachable,
    never kept nor logged. `detail` is what the event says in SES's words (delay type, reject reason...).
    """

    kind: EmailEventKind
    message_id: str
    notice_id: str
    account_id: str
    at: datetime
    notice_kind: str | None = None
    recipient: str | None = None
    bounce_type: str | None = None
    bounce_subtype: str | None = None
    complaint_type: str | None = None
    detail: str | None = None

    @property
    def unreachable(self) -> UnreachableReason | None:
        """Whether the event makes the address unusable: a permanent bounce, or a complaint (but not a feedback
        report saying the message is not spam: RFC 5965 `not-spam`)."""
        if self.kind == "bounce" and self.bounce_type == "Permanent":
            return "bounced"
        if self.kind == "complaint" and self.complaint_type != "not-spam":
            return "complained"
        return None

    @property
    def summary(self) -> str | None:
        """SES's own words for what happened, fit for a record: "Permanent/General", "abuse", "Bad content"."""
        if self.kind == "bounce":
            return "/".join(part for part in (self.bounce_type, self.bounce_subtype) if part) or None
        if self.kind == "complaint":
            return self.complaint_type
        return self.detail


@dataclass(frozen=True, slots=True)
class EvidenceEntry:
    """One event in an e-mail's history."""

    event: EmailEventKind
    at: datetime
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class EmailEvidence:
    """What is known of one notice's e-mail: SES's message id, its status and since when, the events seen.

    `revision` moves on with every change, so that two events recorded at once cannot overwrite each other."""

    message_id: str
    status: EvidenceStatus
    status_at: datetime
    history: tuple[EvidenceEntry, ...] = ()
    revision: int = 0
    bounce_type: str | None = None
    bounce_subtype: str | None = None
    complaint_type: str | None = None

    def with_event(self, event: EmailEvent) -> EmailEvidence | None:
        """The evidence with `event` taken in; None when the event was already taken in (a replay)."""
        entry = EvidenceEntry(event=event.kind, at=event.at, detail=event.summary)
        if entry in self.history:
            return None
        history = tuple(sorted((*self.history, entry), key=lambda e: (e.at, e.event)))[-HISTORY_SIZE:]
        moved = replace(self, history=history, revision=self.revision + 1)
        status = STATUS_OF[event.kind]
        if STATUS_RANK[status] <= STATUS_RANK[self.status]:
            return moved
        return replace(
            moved,
            status=status,
            status_at=event.at,
            bounce_type=event.bounce_type if event.kind == "bounce" else self.bounce_type,
            bounce_subtype=event.bounce_subtype if event.kind == "bounce" else self.bounce_subtype,
            complaint_type=event.complaint_type if event.kind == "complaint" else self.complaint_type,
        )


@dataclass(frozen=True, slots=True)
class Reach:
    """Where a notice to an account goes now: the account that keeps the customer's records (the one it was merged
    into, if it was: the same customer, known twice) and that account's contact as it is now."""

    account_id: str
    contact: Contact


@dataclass(frozen=True, slots=True)
class NoticeEvidence:
    """What an SES event is recorded against, read at once: the notice's e-mail evidence (None when Ponte sent no
    such e-mail), the account (None when there is none), and whether the event's address is already marked
    unreachable for the account."""

    evidence: EmailEvidence | None
    account: Account | None
    already_unreachable: bool = False
