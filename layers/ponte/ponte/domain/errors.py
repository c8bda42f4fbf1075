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
