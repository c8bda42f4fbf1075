"""The ports the use cases need. Protocols, so that a test fake needs no inheritance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ponte.domain.accounts import Account
    from ponte.domain.changes import AccountChange
    from ponte.domain.ledger import Ledger
    from ponte.domain.notifications import Notification
    from ponte.messages import RenderedMessage


class AccountStore(Protocol):
    def get_account(self, account_id: str) -> Account | None:
        """The account, or None when there is none."""

    def commit(self, change: AccountChange) -> None:
        """Write the change in one transaction.

        Raises DuplicateEvent when its dedup key was already recorded, ConcurrentModification when the
        account is no longer at `change.expected_version` (or already exists, for a new account).
        """


class LedgerStore(AccountStore, Protocol):
    def load_ledger(self, account_id: str) -> Ledger | None:
        """The account with its invoices, payments and notices sent, or None."""

    def owners_of(self, references: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The account each already-claimed reference leads to."""


class AlertChannel(Protocol):
    def send(self, notification: Notification, message: RenderedMessage) -> None:
        """Deliver a rendered message to people (e-mail, SMS) and machines subscribed to it."""


class EventChannel(Protocol):
    def put(self, notification: Notification, detail: dict[str, Any]) -> None:
        """Put a machine event for the business's platform."""
