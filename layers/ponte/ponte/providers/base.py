"""What every provider module shares: its errors, header lookup, secret and timestamp checks, JSON parsing, money,
the customer and the sale links a payment carries, and the bounds of what a provider may say.

The bounds themselves live in `ponte.domain.events`, once. A provider module builds its events inside `refusing`,
which turns a value out of bounds into a PayloadError naming the field. What a third party (Stripe, Asaas, Mercado
Pago) wrote only to be read by people is fitted rather than refused, since refusing a real payment over a long
description would be worse: `fit_text` shortens a name or a description, and `customer` leaves out an e-mail or a tax
id that cannot be one (as a phone that cannot be read is). What identifies or counts (ids, references, amounts,
dates) is never guessed: out of bounds, the delivery is refused. Standard Webhooks senders write Ponte's own schema
and get every refusal, so that they fix what they send.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Protocol

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError

from ponte.domain.accounts import ensure_aware
from ponte.domain.errors import InvalidInput, PonteError
from ponte.domain.events import MAX_NAME, CustomerRef, DomainEvent, SaleLinks
from ponte.domain.money import Money

# A Unix time in seconds or milliseconds; the bound keeps int() away from absurdly long digit strings.
TIMESTAMP = re.compile(r"[0-9]{1,20}")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# The business's time zone when a caller does not name one (IANA name): where a provider's due moment falls.
DEFAULT_TIME_ZONE = "America/Sao_Paulo"

# An NF-e access key as people write it: 44 digits, often in groups of four or with dots.
_ACCESS_KEY = re.compile(r"[0-9]{44}")
_KEY_SEPARATORS = re.compile(r"[\s./-]")
_PAYMENT_URL_LENGTH = 2000  # the longest `payment_url` a payment event takes
_URL = re.compile(r"https://[!-~]+")
# A JSON number larger than this (or with more digits after the point) is no amount, count or id any provider sends.
_NUMBER_DIGITS = 18
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]+")
_SPACES = re.compile(r"[ \t\r\n]+")


class SignatureError(PonteError):
    """The request cannot be shown to come from the provider: nothing may be done with it.

    The message is a short reason fit for a log line; it never carries a secret or a signature.
    """


class PayloadError(InvalidInput):
    """A webhook body that is not what the provider documents; the message says what is wrong."""


class Payload(BaseModel):
    """What a provider's payloads are read into. Each model is built when a payload first needs it: a delivery
    reads a few of a provider's models, and building them all would fall on the first delivery's time."""

    model_config = ConfigDict(defer_build=True)


class Verifier(Protocol):
    """What every provider module offers (Mercado Pago's, whose body only names a payment, offers only this)."""

    def verify(
        self,
        headers: Mapping[str, str],
        body: bytes,
        secrets: Sequence[str],
        now: datetime,
        query: Mapping[str, str] | None = None,
    ) -> None:
        """Return if the request is signed with one of `secrets`, else raise SignatureError.

        `body` is the raw request body, byte for byte; `now` is the request's arrival time.
        """


class WebhookProvider(Verifier, Protocol):
    """What a provider module whose body reports what Ponte acts on offers (`ponte.providers.stripe`, `.asaas`,
    `.standard`): the check, and the body read as domain events."""

    def normalise(
        self,
        body: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        time_zone: str = DEFAULT_TIME_ZONE,
    ) -> list[DomainEvent]:
        """The domain events a verified body reports; [] for event types Ponte does not act on.

        `headers` are the request's (Standard Webhooks names its message in `webhook-id`); `time_zone` is the
        business's IANA time zone, in which a provider's due moment becomes a local due date.
        Raises PayloadError when the body is not JSON or misses what its event type requires.
        """


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header `name` in any letter case (field names are case-insensitive, RFC 9110 §5.1)."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def usable_secrets(secrets: Sequence[str]) -> list[str]:
    """The configured secrets, failing closed when there is none: no secret must never mean no check."""
    if isinstance(secrets, str):
        raise TypeError("secrets must be a sequence of secrets, not a single string")
    usable = [secret for secret in secrets if secret.strip()]
    if not usable:
        raise SignatureError("no webhook secret configured")
    return usable


def equal(expected: str | bytes, given: str | bytes) -> bool:
    """Constant-time comparison, so that response times do not reveal how much of a signature was right."""
    return hmac.compare_digest(_as_bytes(expected), _as_bytes(given))


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, hashlib.sha256).digest()


def unix_time(seconds: int = 0, milliseconds: int = 0) -> datetime:
    """The moment a signed Unix timestamp names; one beyond the calendar is a malformed header."""
    try:
        return _EPOCH + timedelta(seconds=seconds, milliseconds=milliseconds)
    except OverflowError:
        raise SignatureError("signature timestamp is out of range") from None


def check_timestamp(sent_at: datetime, now: datetime, tolerance: timedelta) -> None:
    """Refuse a signed timestamp too old or too far ahead of `now`: a replay, or a clock that is off."""
    age = ensure_aware(now) - sent_at
    if age > tolerance:
        raise SignatureError("signature timestamp is too old")
    if -age > tolerance:
        raise SignatureError("signature timestamp is in the future")


def load_json(body: bytes) -> object:
    """Parse a body with every JSON number that has a fraction as an exact Decimal."""
    try:
        return json.loads(body, parse_float=Decimal, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise PayloadError(f"body is not JSON: {exc.__class__.__name__}") from None


def validate[M: BaseModel](model: type[M], data: object, what: str, names: Mapping[str, str] | None = None) -> M:
    """`data` as `model`, or PayloadError naming each wrong field (by its name in `names`, when the sender calls
    it something else)."""
    with refusing(what, names):
        return model.model_validate(data)


@contextmanager
def refusing(what: str, names: Mapping[str, str] | None = None) -> Iterator[None]:
    """Turn a model's refusal of what a provider said (an event out of bounds, a body not as documented) into a
    PayloadError naming each wrong field, by its name in `names` when the sender calls it something else."""
    try:
        yield
    except ValidationError as exc:
        raise PayloadError(f"{what}: {problems(exc, names)}") from None


def problems(exc: ValidationError, names: Mapping[str, str] | None = None) -> str:
    """Each wrong field's path and what is wrong with it: never the value, which may hold personal data and must
    not reach an answer or a log."""
    renamed = names or {}
    return "; ".join(
        f"{'.'.join(renamed.get(str(part), str(part)) for part in error['loc']) or '(root)'}: {error['msg']}"
        for error in exc.errors(include_input=False, include_url=False, include_context=False)
    )


def money(amount: Decimal | int, currency: str, field: str = "amount") -> Money:
    """Money from a major-unit amount, with a provider's bad amount or currency reported as PayloadError naming
    `field`.

    Providers state payments, refunds and invoices as positive amounts (a refund says how much went back), so a
    negative amount is a malformed body, never a credit to record; a payment of nothing is refused by the event.
    """
    try:
        result = Money.from_decimal(amount, currency)
    except (InvalidInput, ValueError) as exc:
        raise PayloadError(f"{field}: {exc}") from None
    if result.amount < 0:
        raise PayloadError(f"{field}: is negative; payments and refunds are never negative")
    return result


def fit_text(value: str | None, limit: int) -> str | None:
    """What a third party wrote for people to read (a name, a description), fitted to `limit` characters: control
    characters and unpaired surrogates become spaces, runs of spaces one, and a longer text is cut with an
    ellipsis. None for nothing."""
    if not value:
        return None
    fitted = _SPACES.sub(" ", _UNPRINTABLE.sub(" ", value)).strip()
    if len(fitted) > limit:
        fitted = fitted[: limit - 1].rstrip() + "…"
    return fitted or None


def customer(*, lenient: Sequence[str] = ("email", "tax_id"), **given: Any) -> dict[str, Any]:
    """The customer a third party describes, as an event's `customer` takes it (`CustomerRef`): the name fitted
    (`fit_text`), and each field named in `lenient` left out when it cannot be what it says (an e-mail with spaces,
    a tax id of 40 digits), as a phone that cannot be read is. Any other field out of bounds (the customer's id,
    the business's reference) is left for the event to refuse, naming it."""
    fields = {name: value for name, value in given.items() if value is not None}
    if isinstance(fields.get("name"), str):
        fields["name"] = fit_text(fields["name"], MAX_NAME)
    for name in lenient:
        if name in fields and not _fits(CustomerRef, name, fields[name]):
            del fields[name]
    return fields


def _fits(model: type[BaseModel], name: str, value: object) -> bool:
    try:
        model.model_validate({name: value})
    except ValidationError:
        return False
    return True


def access_key(text: str | None) -> str | None:
    """The NF-e access key (chave de acesso, 44 digits) `text` is, written with or without separators, or None."""
    digits = _KEY_SEPARATORS.sub("", text or "")
    return digits if _ACCESS_KEY.fullmatch(digits) else None


def sale_links(
    *,
    reference: str | None = None,
    invoice_number: str | None = None,
    series: str | None = None,
    access_key: str | None = None,
    bank_slip: str | None = None,
) -> SaleLinks:
    """The sale links a provider carried, each trimmed and kept only when it fits `SaleLinks`.

    A link only helps to find the invoice a payment belongs to: one that is empty, too long or malformed is left
    out rather than refusing the payment that came with it.
    """
    given = {
        "reference": reference,
        "invoice_number": invoice_number,
        "series": series,
        "access_key": access_key,
        "bank_slip": bank_slip,
    }
    kept = {name: value.strip() for name, value in given.items() if value and _fits(SaleLinks, name, value.strip())}
    return SaleLinks.model_validate(kept)


def payment_url(*candidates: str | None) -> str | None:
    """The first candidate that is an https URL a payment event can carry as its `payment_url`, else None."""
    return next((url for url in candidates if url and len(url) <= _PAYMENT_URL_LENGTH and _URL.fullmatch(url)), None)


def _refuse_float(value: object) -> object:
    if isinstance(value, float):
        raise ValueError("amounts must not be floats; parse JSON with parse_float=Decimal")
    return value


def _moderate(value: object) -> object:
    """Refuse a number beyond any amount, count or id a provider sends before pydantic converts it: `1e999999`
    made an int costs a second and a million digits, which no later bound should have to look at."""
    if isinstance(value, Decimal):
        if not value.is_finite() or (not value.is_zero() and abs(value.adjusted()) > _NUMBER_DIGITS):
            raise ValueError("number out of range")
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**_NUMBER_DIGITS:
        raise ValueError("number out of range")
    return value


# A JSON number as a provider's models read it: amounts, counts and numeric ids, never absurdly large.
ExactDecimal = Annotated[Decimal, BeforeValidator(_refuse_float), BeforeValidator(_moderate)]
Integer = Annotated[int, BeforeValidator(_moderate), AfterValidator(_moderate)]
IdNumber = Annotated[str | int, BeforeValidator(_moderate), AfterValidator(_moderate)]


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number")


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value
