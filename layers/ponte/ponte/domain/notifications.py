"""Notifications: what a change tells people and machines, written to the outbox with the change itself.

A notification is data, not text: the body carries typed facts, and `ponte.messages` renders it per channel and
locale when the notifier publishes it. Its id is derived from the change that caused it, so a retried change
writes the same outbox item again instead of a second one.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ponte.domain.accounts import Locale
from ponte.domain.bodies.accounts import AccountOpened, AccountsMerged, AccountsNotMerged, CustomerWelcome
from ponte.domain.bodies.collections import (
    AccountReactivated,
    AccountSuspended,
    CollectionNotice,
    CollectionsAlert,
    CollectionsDigest,
    CollectionsHandOff,
    CustomerDeadlineExtended,
    CustomerReactivated,
    CustomerSuspended,
)
from ponte.domain.bodies.delivery import CustomerNoticeHeld, CustomerUnreachable
from ponte.domain.bodies.invoices import InvoiceIssued, InvoicesImported, NewCustomerInvoice, UploadQuarantined
from ponte.domain.bodies.payments import PaymentBody
from ponte.domain.bodies.staff import AlertEscalated


class Audience(StrEnum):
    STAFF = "staff"  # SNS staff alerts topic, filtered per subscription
    CUSTOMER = "customer"  # SNS customer notices topic
    PLATFORM = "platform"  # EventBridge bus, for the business's own platform


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class Team(StrEnum):
    SALES = "sales"
    FINANCE = "finance"
    BACKOFFICE = "backoffice"
    COLLECTIONS = "collections"


# Every body of every area; add a new one here and give it texts in ponte.messages.texts.
NotificationBody = Annotated[
    AccountOpened
    | AccountsMerged
    | AccountsNotMerged
    | CustomerWelcome
    | PaymentBody
    | CollectionNotice
    | AccountSuspended
    | CustomerSuspended
    | AccountReactivated
    | CustomerReactivated
    | CustomerDeadlineExtended
    | CollectionsHandOff
    | CollectionsAlert
    | CollectionsDigest
    | InvoiceIssued
    | InvoicesImported
    | NewCustomerInvoice
    | CustomerNoticeHeld
    | CustomerUnreachable
    | UploadQuarantined
    | AlertEscalated,
    Field(discriminator="kind"),
]


class Notification(BaseModel):
    """An outbox item: one message to one audience, published by the notifier after the change commits."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    notification_id: str = Field(min_length=1)
    audience: Audience
    severity: Severity = Severity.INFO
    team: Team | None = None
    account_id: str
    owner: str | None = None
    locale: Locale
    occurred_at: AwareDatetime
    body: NotificationBody
    # For a customer notice: the channels it may go out on (the policy's step); empty: every channel the customer has.
    channels: tuple[str, ...] = ()

    @property
    def event_type(self) -> str:
        return self.body.kind


def notification_id(cause: str, audience: Audience, kind: str) -> str:
    """A stable id for the notification `kind` to `audience` caused by `cause` (the change's dedup key)."""
    return hashlib.sha256(f"{cause}|{audience}|{kind}".encode()).hexdigest()[:32]


_TAG_KEPT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")


def tag_value(identifier: str) -> str:
    """An id as an SES message tag may carry it (only letters, digits, `_` and `-`), reversibly: every other
    character, `_` included, becomes `_` and the hex of its UTF-8 bytes (`loja.sp:01` -> `loja_2esp_3a01`)."""
    return "".join(c if c in _TAG_KEPT else "".join(f"_{b:02x}" for b in c.encode()) for c in identifier)


def from_tag_value(tag: str) -> str:
    """The id `tag_value` made `tag` of (a tag that is not one comes back as it is)."""
    if "_" not in tag:
        return tag
    out, i = bytearray(), 0
    while i < len(tag):
        if tag[i] == "_" and i + 3 <= len(tag) and all(ch in "0123456789abcdef" for ch in tag[i + 1 : i + 3]):
            out.append(int(tag[i + 1 : i + 3], 16))
            i += 3
        else:
            out += tag[i].encode()
            i += 1
    return out.decode("utf-8", errors="replace")
