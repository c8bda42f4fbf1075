"""One notification, rendered once per channel: an e-mail (subject and body), one SMS, and JSON for machines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from ponte.domain.notifications import Notification
from ponte.messages.catalog import Entry, catalog
from ponte.messages.formatting import Formatter
from ponte.messages.text import fit_sms, fit_subject, fit_utf8_subject

SCHEMA_VERSION = "1"
_CATALOG: dict[str, Entry] = {}


def _load() -> dict[str, Entry]:
    _CATALOG.update(catalog())
    return _CATALOG


class RenderedMessage(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    subject: str  # ASCII, for SNS e-mail subscriptions
    email: str
    sms: str
    machine: dict[str, Any]
    utf8_subject: str = ""  # for e-mail sent by SES, which carries UTF-8 subjects


def machine_payload(notification: Notification) -> dict[str, Any]:
    """The stable JSON every machine subscriber gets; also the `detail` of platform events."""
    return {
        "schema_version": SCHEMA_VERSION,
        "notification_id": notification.notification_id,
        "event_type": notification.event_type,
        "account_id": notification.account_id,
        "occurred_at": notification.occurred_at.isoformat(),
        "severity": notification.severity.value,
        "team": notification.team.value if notification.team else None,
        "owner": notification.owner,
        "data": notification.body.model_dump(mode="json", exclude={"kind"}),
    }


def render(notification: Notification, *, time_zone: str, names: Mapping[str, str] | None = None) -> RenderedMessage:
    """The notification as its readers read it; `names`: staff's names by id, so an alert names the owner as staff
    know them (the machine payload keeps the id)."""
    entry = _CATALOG.get(notification.event_type) or _load()[notification.event_type]
    texts = entry.texts[notification.locale]
    facts = entry.facts(notification, Formatter(notification.locale, time_zone, names))
    subject = texts.subject.format_map(facts)
    return RenderedMessage(
        subject=fit_subject(subject),
        utf8_subject=fit_utf8_subject(subject),
        email=texts.email.format_map(facts),
        sms=fit_sms(texts.sms.format_map(facts)),
        machine=machine_payload(notification),
    )
