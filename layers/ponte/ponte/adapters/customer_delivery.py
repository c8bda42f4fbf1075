"""The two real channels to a customer: e-mail through SES (API v2) and SMS published straight to a phone by SNS.

`send` returns the provider's message id. SES repeats it as `mail.messageId` in every event it publishes through the
configuration set (send, delivery, bounce, complaint...), which is how a notice's evidence is matched later.

Failures come in two kinds, so that the caller can tell them apart without knowing either provider:
- `DeliveryRefused`: permanent for this message (the address or number is refused, the sender is not verified,
  sending is paused or suspended). Retrying would fail the same way; record it, and fall back to the other channel.
- `DeliveryUnavailable`: throttling, a 5xx answer or no connection. Let it propagate: the caller's trigger retries.
Any other error (access denied, a malformed request) propagates unchanged: it is a configuration fault, which the
trigger's retries and failure destination bring to a person.

The recipient's address or phone number is never logged nor put in an exception: a provider's message that names
one is masked first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ponte.adapters.clients import LazyClient
from ponte.domain.errors import DeliveryRefused, DeliveryUnavailable, PonteError

if TYPE_CHECKING:
    from mypy_boto3_sesv2.client import SESV2Client
    from mypy_boto3_sesv2.type_defs import BodyTypeDef, MessageTagTypeDef, SendEmailRequestTypeDef
    from mypy_boto3_sns.client import SNSClient
    from mypy_boto3_sns.type_defs import MessageAttributeValueTypeDef

CHARSET = "UTF-8"

# SendEmail's errors about the message itself, which no retry can fix (SES API v2 reference, SendEmail "Errors").
SES_REFUSALS = frozenset({"MessageRejected", "BadRequestException"})
# SendEmail's errors about the sending account or its set-up: every message fails until the business or AWS acts
# (sending resumed, the MAIL FROM domain verified, the configuration set made again), after which the same message
# goes out. Taken as unavailability, so the notice is parked and retried, never dropped.
SES_HALTED = frozenset(
    {
        "AccountSuspendedException",
        "SendingPausedException",
        "MailFromDomainNotVerifiedException",
        "NotFoundException",
    }
)
# Publish's errors about the number or the message itself (SNS API reference, Publish "Errors").
SMS_REFUSALS = frozenset({"InvalidParameter", "ParameterValueInvalid", "EndpointDisabled", "ValidationException"})
OPTED_OUT = "OptedOut"
# Throttling and server faults: the request may well succeed later.
TRANSIENT = frozenset(
    {
        "TooManyRequestsException",
        "LimitExceededException",  # SES v2: the sending quota or rate was exceeded
        "Throttling",
        "ThrottlingException",
        "Throttled",
        "RequestLimitExceeded",
        "InternalFailure",
        "InternalError",
        "InternalErrorException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
    }
)

# SES message tags: only ASCII letters, digits, "_" and "-", at most 256 characters, for names and values alike
# (SES API v2 reference, MessageTag).
TAG_MAX = 256
_TAG_FORBIDDEN = re.compile(r"[^A-Za-z0-9_-]")
# E.164: "+", a country code that does not start with 0, at most 15 digits in all.
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_ADDRESS = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")
_PHONE = re.compile(r"[+(]?[0-9][0-9 ()-]{6,}[0-9]")


class SesEmail:
    """Sends one e-mail to one customer through SES API v2, with the business's identity and configuration set.

    The configuration set is what publishes the message's events (delivery, bounce, complaint...) to SNS; the tags
    come back in each of those events under `mail.tags`.
    """

    def __init__(
        self,
        sender: str,
        configuration_set: str,
        reply_to: tuple[str, ...] = (),
        client: SESV2Client | None = None,
    ) -> None:
        if not sender or not configuration_set:
            raise ValueError("SesEmail needs a sender identity and a configuration set")
        self.sender = sender
        self.configuration_set = configuration_set
        self.reply_to = tuple(reply_to)
        self._client = client

    client: LazyClient[SESV2Client] = LazyClient("sesv2")

    def send(self, *, to: str, subject: str, text: str, html: str, tags: dict[str, str]) -> str:
        """Send the message; returns SES's MessageId. An empty `html` sends a text-only message."""
        body: BodyTypeDef = {"Text": {"Data": text, "Charset": CHARSET}}
        if html:
            body["Html"] = {"Data": html, "Charset": CHARSET}
        request: SendEmailRequestTypeDef = {
            "FromEmailAddress": self.sender,
            "Destination": {"ToAddresses": [to]},
            "Content": {"Simple": {"Subject": {"Data": subject, "Charset": CHARSET}, "Body": body}},
            "ConfigurationSetName": self.configuration_set,
        }
        if self.reply_to:
            request["ReplyToAddresses"] = list(self.reply_to)
        email_tags = message_tags(tags)
        if email_tags:
            request["EmailTags"] = email_tags
        answer = _calling("SES", SES_REFUSALS, lambda: self.client.send_email(**request), halted=SES_HALTED)
        return answer["MessageId"]


class SmsDirect:
    """Publishes one transactional SMS straight to a customer's phone through SNS (no topic).

    `max_price` caps what one message may cost, in US dollars ("0.50"); SNS does not send a message that would cost
    more. `sender_id` is shown instead of a number where the destination country allows it.

    SNS accepts a publish to a number that opted out (replied STOP) and silently drops it, so by default the number
    is checked first and an opted-out one is refused (`DeliveryRefused`, code "OptedOut"): the notice's evidence
    then says so instead of "accepted".
    """

    def __init__(
        self,
        max_price: str | None,
        sender_id: str | None = None,
        client: SNSClient | None = None,
        *,
        check_opt_out: bool = True,
    ) -> None:
        self.max_price = max_price or None
        self.sender_id = sender_id or None
        self.check_opt_out = check_opt_out
        self._client = client

    client: LazyClient[SNSClient] = LazyClient("sns")

    def attributes(self) -> dict[str, MessageAttributeValueTypeDef]:
        """The SMS attributes SNS reads from a direct publish (SNS developer guide, "Publishing to a mobile phone")."""
        attributes: dict[str, MessageAttributeValueTypeDef] = {
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
        }
        if self.max_price:
            attributes["AWS.SNS.SMS.MaxPrice"] = {"DataType": "Number", "StringValue": self.max_price}
        if self.sender_id:
            attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": self.sender_id}
        return attributes

    def send(self, *, to: str, text: str, tags: dict[str, str]) -> str:
        """Send the SMS; returns SNS's MessageId.

        `tags` are accepted for the port's sake and not sent: SNS has no per-message tags for SMS, and any message
        attribute other than the AWS.SNS.SMS ones would be ignored.
        """
        if not _E164.fullmatch(to):
            raise DeliveryRefused("the phone number is not in E.164 form (+ country code and number)")
        if self.check_opt_out:
            opted_out = _calling(
                "SNS", SMS_REFUSALS, lambda: self.client.check_if_phone_number_is_opted_out(phoneNumber=to)
            )
            if opted_out["isOptedOut"]:
                raise DeliveryRefused("the customer opted out of SMS from this account", code=OPTED_OUT)
        answer = _calling(
            "SNS",
            SMS_REFUSALS,
            lambda: self.client.publish(PhoneNumber=to, Message=text, MessageAttributes=self.attributes()),
        )
        return answer["MessageId"]


def tag_text(value: str) -> str:
    """A tag name or value as SES accepts it: accents dropped, every other character outside [A-Za-z0-9_-] made
    "_", cut at 256 characters ("Fatura nº 12/2026" -> "Fatura_no_12_2026")."""
    ascii_only = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return _TAG_FORBIDDEN.sub("_", ascii_only)[:TAG_MAX]


def message_tags(tags: dict[str, str]) -> list[MessageTagTypeDef]:
    """SES message tags from a plain mapping; a tag whose name or value ends up empty is left out (SES refuses it),
    and of two names that end up equal the last wins."""
    cleaned: dict[str, str] = {}
    for name, value in tags.items():
        safe_name, safe_value = tag_text(name), tag_text(value)
        if safe_name and safe_value:
            cleaned[safe_name] = safe_value
    return [{"Name": name, "Value": value} for name, value in cleaned.items()]


def masked(text: str) -> str:
    """The text with any e-mail address or phone number in it replaced, fit for a log or an exception."""
    return _PHONE.sub("<phone>", _ADDRESS.sub("<address>", text))


def _calling[T](
    service: str, refusals: frozenset[str], call: Callable[[], T], *, halted: frozenset[str] = frozenset()
) -> T:
    """The call's answer; a refusal or an unavailability (`halted`: codes that mean the service will not send
    anything until someone acts) raised as the delivery error it means, on its own: not chained to the provider's
    error, whose message may name the recipient."""
    from botocore.exceptions import ClientError  # noqa: PLC0415

    failure: PonteError | None
    try:
        return call()
    except ClientError as error:
        failure = _delivery_error(error, refusals, service, halted)
        if failure is None:
            raise
    except _connection_errors() as error:
        failure = DeliveryUnavailable(f"{service} could not be reached ({type(error).__name__})")
    raise failure


def _delivery_error(error: Any, refusals: frozenset[str], service: str, halted: frozenset[str]) -> PonteError | None:
    """The delivery error a `ClientError` means; None when it is neither a refusal nor transient."""
    response = error.response
    code = str(response.get("Error", {}).get("Code", ""))
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    request_id = response.get("ResponseMetadata", {}).get("RequestId")
    reason = f"{service} {code}: {masked(str(response.get('Error', {}).get('Message', '')))}".rstrip(": ")
    if code in refusals:
        return DeliveryRefused(reason, code=code, request_id=request_id)
    if code in TRANSIENT or code in halted or status >= 500:
        return DeliveryUnavailable(reason, code=code, request_id=request_id)
    return None


def _connection_errors() -> tuple[type[Exception], ...]:
    from botocore.exceptions import ConnectionError as BotoConnectionError  # noqa: PLC0415
    from botocore.exceptions import HTTPClientError  # noqa: PLC0415

    return (BotoConnectionError, HTTPClientError)
