"""Domain errors: what the core refuses, named so that handlers can map them to answers."""


class PonteError(Exception):
    """Base of every error Ponte raises on purpose."""


class InvalidInput(PonteError):
    """Input that breaks a rule of the domain; nothing was changed."""


class CurrencyMismatch(InvalidInput):
    """Arithmetic or comparison between amounts in different currencies."""


class DuplicateEvent(PonteError):
    """The inbound thing was already handled: acknowledge it and change nothing."""


class ConcurrentModification(PonteError):
    """Someone else changed the record since it was read; read again and retry."""


class NotFound(PonteError):
    """The record asked for does not exist."""


class SecretNotConfigured(PonteError):
    """A secret Ponte needs is missing, unreadable or empty: what depends on it is refused until it is set."""


class DeliveryRefused(PonteError):
    """The provider refused this message for good; sending it again would fail the same way."""

    def __init__(self, reason: str, *, code: str | None = None, request_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.request_id = request_id


class DeliveryUnavailable(PonteError):
    """The provider could not take the message now (throttled, failing, unreachable); the trigger retries it."""

    def __init__(self, reason: str, *, code: str | None = None, request_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.request_id = request_id
