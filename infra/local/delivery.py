"""Customer delivery on the emulator: what SES sent and what SMS were published, and SES's events, faked.

moto keeps part of each message only: for SES v2 the sender, recipients, subject and one body (the HTML when there is
one); for an SMS the number and the text. The local stack records the rest as the emulator answers (both bodies,
Reply-To, tags, configuration set; the SMS attributes), so that `mailbox()` and `sms()` show a message whole.

moto has no SES v2 configuration-set event destinations and never publishes an email event. The local stack keeps the
template's event destinations itself and `ses_event()` publishes, to each matching SNS destination, the record SES
would publish: built from the message as sent, in the shapes of the SES developer guide, "Examples of event data that
Amazon SES publishes to Amazon SNS" and "Contents of event data that Amazon SES publishes to Amazon SNS"
(https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-examples.html).

While recording, the stack also makes SES refuse what it would refuse and moto lets through: a configuration set that
does not exist (NotFoundException) or whose sending is disabled (SendingPausedException), and a message tag outside
SES's character set (BadRequestException). Sending still needs a verified identity, which moto checks itself: the
template's EmailIdentity, made when CustomerEmailSender is set, counts as verified at once.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Any
from unittest import mock

# An event kind as `ses_event` names it -> (eventType, the key of its own object, the type an event destination
# matches). SES API v2 spells the types SEND, DELIVERY_DELAY...; CloudFormation also takes send, deliveryDelay...
EVENT_KINDS: dict[str, tuple[str, str, str]] = {
    "send": ("Send", "send", "SEND"),
    "delivery": ("Delivery", "delivery", "DELIVERY"),
    "bounce": ("Bounce", "bounce", "BOUNCE"),
    "complaint": ("Complaint", "complaint", "COMPLAINT"),
    "reject": ("Reject", "reject", "REJECT"),
    "delivery_delay": ("DeliveryDelay", "deliveryDelay", "DELIVERY_DELAY"),
}
# What SES reports as its own addresses in the examples (documentation ranges, RFC 5737).
SOURCE_IP = "192.0.2.0"
OUTGOING_IP = "192.0.2.1"
REPORTING_MTA = "a8-70.smtp-out.amazonses.com"
# SES retries a soft-bouncing message for up to 14 hours by default (the longest MaxDeliverySeconds, 50 400 s).
RETRY_WINDOW = timedelta(hours=14)
_TAG = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True)
class Email:
    """One message SES accepted, as its recipients would get it."""

    message_id: str
    from_: str
    to: tuple[str, ...]
    subject: str
    text: str
    html: str
    reply_to: tuple[str, ...]
    tags: dict[str, str]
    configuration_set: str | None
    sent_at: datetime
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()

    @property
    def recipients(self) -> tuple[str, ...]:
        return self.to + self.cc + self.bcc


@dataclass(frozen=True)
class Sms:
    """One SMS published straight to a phone number."""

    phone: str
    text: str
    message_id: str
    attributes: dict[str, str] = field(default_factory=dict)
    sent_at: datetime | None = None


@dataclass(frozen=True)
class EventDestination:
    """A configuration set's event destination, as the template declares it."""

    name: str
    configuration_set: str
    enabled: bool
    event_types: frozenset[str]
    topic_arn: str | None


def event_type_name(value: str) -> str:
    """SES API v2's spelling of an event type, from it or CloudFormation's ("deliveryDelay" -> DELIVERY_DELAY)."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", value).upper()


class DeliveryRecorder:
    """Records, while installed, every e-mail SES v2 sends and the attributes of every SMS published to a phone."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.emails: list[Email] = []
        self._sms: dict[str, tuple[dict[str, str], datetime]] = {}

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        from moto.sesv2.responses import SESV2Response  # noqa: PLC0415 - the emulator, only when the stack runs
        from moto.sns.models import SNSBackend  # noqa: PLC0415

        send_email = SESV2Response.send_email
        publish = SNSBackend.publish
        recorder = self

        def recorded_send_email(response: Any) -> str:
            params = json.loads(response.body)
            ses = response.sesv2_backend.core_backend
            _refuse_what_ses_refuses(params, ses)
            answer: str = send_email(response)
            email = _email(params, json.loads(answer)["MessageId"], recorder.clock())
            if email.configuration_set is None:  # the sending identity's default configuration set applies
                identity = ses.email_identities.get(sending_identity(email.from_, list(ses.email_identities)))
                default = getattr(identity, "configuration_set_name", None)
                email = replace(email, configuration_set=default) if default else email
            recorder.emails.append(email)
            return answer

        def recorded_publish(backend: Any, *args: Any, **kwargs: Any) -> str:
            message_id: str = publish(backend, *args, **kwargs)
            if kwargs.get("phone_number"):
                given = kwargs.get("message_attributes") or {}
                attributes = {name: str(value["Value"]) for name, value in given.items()}
                recorder._sms[message_id] = (attributes, recorder.clock())
            return message_id

        with (
            mock.patch.object(SESV2Response, "send_email", recorded_send_email),
            mock.patch.object(SNSBackend, "publish", recorded_publish),
        ):
            yield

    def forget(self) -> None:
        """Forgets every message recorded so far."""
        self.emails.clear()
        self._sms.clear()

    def sms(self, sent: dict[str, tuple[str, str]]) -> list[Sms]:
        """moto's record of SMS (`sms_messages`: id -> (number, text)) with the attributes recorded here."""
        found = []
        for message_id, (phone, text) in sent.items():
            attributes, sent_at = self._sms.get(message_id, ({}, None))
            found.append(Sms(phone=phone, text=text, message_id=message_id, attributes=attributes, sent_at=sent_at))
        return found

    def email(self, message_id: str) -> Email:
        for sent in self.emails:
            if sent.message_id == message_id:
                return sent
        raise KeyError(f"SES sent no message {message_id} on this stack")


def _refuse_what_ses_refuses(params: dict[str, Any], ses: Any) -> None:
    from moto.core.exceptions import JsonRESTError  # noqa: PLC0415

    name = params.get("ConfigurationSetName")
    if name and name not in ses.config_sets:
        raise JsonRESTError("NotFoundException", f"Configuration set <{name}> does not exist.")
    # moto keeps a v2 set's SendingOptions whole, as `enabled` (and reads it back wrong: always false).
    sending = getattr(ses.config_sets.get(name), "enabled", {}) if name else {}
    if isinstance(sending, dict) and sending.get("SendingEnabled") is False:
        raise JsonRESTError("SendingPausedException", f"Sending is paused for configuration set <{name}>.")
    for tag in params.get("EmailTags") or []:
        if not (_TAG.fullmatch(tag.get("Name", "")) and _TAG.fullmatch(tag.get("Value", ""))):
            raise JsonRESTError("BadRequestException", "Tag names and values may hold only [A-Za-z0-9_-].")


def _email(params: dict[str, Any], message_id: str, now: datetime) -> Email:
    destination = params.get("Destination", {})
    content = params.get("Content", {})
    subject, text, html = "", "", ""
    if "Simple" in content:
        simple = content["Simple"]
        subject = simple.get("Subject", {}).get("Data", "")
        text = simple.get("Body", {}).get("Text", {}).get("Data", "")
        html = simple.get("Body", {}).get("Html", {}).get("Data", "")
    elif "Raw" in content:  # kept as sent: the MIME message itself
        text = base64.b64decode(content["Raw"]["Data"]).decode("utf-8", "replace")
    return Email(
        message_id=message_id,
        from_=params.get("FromEmailAddress", ""),
        to=tuple(destination.get("ToAddresses", [])),
        cc=tuple(destination.get("CcAddresses", [])),
        bcc=tuple(destination.get("BccAddresses", [])),
        subject=subject,
        text=text,
        html=html,
        reply_to=tuple(params.get("ReplyToAddresses", [])),
        tags={tag["Name"]: tag["Value"] for tag in params.get("EmailTags") or []},
        configuration_set=params.get("ConfigurationSetName"),
        sent_at=now,
    )


def ses_event(
    kind: str,
    email: Email,
    recipient: str,
    *,
    identity: str,
    region: str,
    account_id: str,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The record SES publishes to an SNS event destination for `email` and one of its recipients.

    `details` are fields of the event's own object (`bounce`, `complaint`...) under their documented names, and
    replace the defaults, which follow AWS's examples: `ses_event("bounce", ..., details={"bounceType":
    "Transient", "bounceSubType": "MailboxFull"})`.
    """
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown SES event kind {kind!r}; one of {', '.join(EVENT_KINDS)}")
    event_type, key, _ = EVENT_KINDS[kind]
    own = _event_object(kind, email, recipient, now)
    return {
        "eventType": event_type,
        "mail": _mail(email, kind, identity=identity, region=region, account_id=account_id),
        key: {**own, **(details or {})},
    }


def _event_object(kind: str, email: Email, recipient: str, now: datetime) -> dict[str, Any]:
    """The event's own object with the values of AWS's examples, for this message and recipient."""
    at = _timestamp(now)
    if kind == "send":
        return {}
    if kind == "reject":
        return {"reason": "Bad content"}  # the only reason SES gives: it found a virus
    if kind == "delivery":
        return {
            "timestamp": at,
            "processingTimeMillis": max(0, int((now - email.sent_at).total_seconds() * 1000)),
            "recipients": [recipient],
            "smtpResponse": "250 2.6.0 Message received",
            "reportingMTA": REPORTING_MTA,
        }
    if kind == "delivery_delay":
        return {
            "timestamp": at,
            "delayType": "TransientCommunicationFailure",
            "expirationTime": _timestamp(email.sent_at + RETRY_WINDOW),
            "delayedRecipients": [
                {
                    "emailAddress": recipient,
                    "status": "4.4.1",
                    "diagnosticCode": "smtp; 421 4.4.1 Unable to connect to remote host",
                }
            ],
        }
    feedback = {"timestamp": at, "feedbackId": f"0100{uuid.uuid4().hex}-000000"}
    if kind == "complaint":
        return {
            "complainedRecipients": [{"emailAddress": recipient}],
            **feedback,
            "userAgent": "Mozilla/5.0",
            "complaintFeedbackType": "abuse",
            "arrivalDate": at,
        }
    return {  # bounce
        "bounceType": "Permanent",
        "bounceSubType": "General",
        "bouncedRecipients": [
            {
                "emailAddress": recipient,
                "action": "failed",
                "status": "5.1.1",
                "diagnosticCode": "smtp; 550 5.1.1 user unknown",
            }
        ],
        **feedback,
        "reportingMTA": "dsn; mta.example.com",
    }


def _mail(email: Email, kind: str, *, identity: str, region: str, account_id: str) -> dict[str, Any]:
    domain = parseaddr(email.from_)[1].rpartition("@")[2]
    tags: dict[str, list[str]] = {}
    if email.configuration_set:
        tags["ses:configuration-set"] = [email.configuration_set]
    tags |= {"ses:source-ip": [SOURCE_IP], "ses:from-domain": [domain], "ses:caller-identity": ["ponte-local"]}
    if kind == "delivery":
        tags["ses:outgoing-ip"] = [OUTGOING_IP]
    tags |= {name: [value] for name, value in email.tags.items()}
    mail: dict[str, Any] = {
        "timestamp": _timestamp(email.sent_at),
        "source": email.from_,
        "sourceArn": f"arn:aws:ses:{region}:{account_id}:identity/{identity}",
        "sendingAccountId": account_id,
        "messageId": email.message_id,
        "destination": list(email.recipients),
        "headersTruncated": False,
    }
    if kind != "delivery_delay":  # AWS's DeliveryDelay example carries no headers
        mail["headers"] = _headers(email, with_tags=kind in {"send", "reject"})
        common: dict[str, Any] = {"from": [email.from_]}
        if email.reply_to:
            common["replyTo"] = list(email.reply_to)
        common |= {"to": list(email.to), "messageId": email.message_id, "subject": email.subject}
        mail["commonHeaders"] = common
    mail["tags"] = tags
    return mail


def _headers(email: Email, *, with_tags: bool) -> list[dict[str, str]]:
    headers = [{"name": "From", "value": email.from_}]
    if email.reply_to:
        headers.append({"name": "Reply-To", "value": ", ".join(email.reply_to)})
    headers += [
        {"name": "To", "value": ", ".join(email.to)},
        {"name": "Subject", "value": email.subject},
        {"name": "MIME-Version", "value": "1.0"},
        {
            "name": "Content-Type",
            "value": f'multipart/alternative; boundary="----=_Part_{email.message_id[:12]}"'
            if email.html
            else "text/plain; charset=UTF-8",
        },
    ]
    if with_tags and email.tags:
        value = ", ".join(f"{name}={tag}" for name, tag in email.tags.items())
        headers.append({"name": "X-SES-MESSAGE-TAGS", "value": value})
    return headers


def sending_identity(address: str, identities: list[str]) -> str:
    """The verified identity SES sends `address` as: the address itself, else its domain."""
    bare = parseaddr(address)[1]
    if bare in identities:
        return bare
    domain = bare.rpartition("@")[2]
    return domain if domain in identities else bare


def _timestamp(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
