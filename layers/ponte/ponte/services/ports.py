"""The ports the use cases need. Protocols, so that a test fake needs no inheritance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from ponte.domain.accounts import Account
    from ponte.domain.changes import AccountChange
    from ponte.domain.ledger import Ledger
    from ponte.domain.notifications import Notification
    from ponte.messages import RenderedMessage
    from ponte.providers.asaas import AsaasCustomer


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


class Recompute(Protocol):
    def __call__(self, ledger: Ledger, now: datetime, cause: str, /) -> AccountChange | None:
        """The collections decision after a change to `ledger` at `now` (`cause`: the change's dedup key), as the
        change it calls for at once; None when nothing is due at once."""


class AlertChannel(Protocol):
    def send(self, notification: Notification, message: RenderedMessage) -> None:
        """Deliver a rendered message to people (e-mail, SMS) and machines subscribed to it."""


class EventChannel(Protocol):
    def put(self, notification: Notification, detail: dict[str, Any]) -> None:
        """Put a machine event for the business's platform."""


class SecretSource(Protocol):
    def values(self, name: str) -> list[str]:
        """The active secrets of `name` (several during a rotation); raises SecretNotConfigured."""

    def refreshed(self, name: str) -> list[str] | None:
        """The secrets of `name` read again now, or None when they were read again less than a minute ago."""


class PaymentLookup(Protocol):
    def payment(self, payment_id: str) -> Mapping[str, Any]:
        """The payment as the provider's API gives it; raises NotFound when the provider has no such payment."""


class AsaasLookup(Protocol):
    """Asaas's API (`ponte.adapters.asaas_api`). Both raise AsaasUnavailable when Asaas fails or is too slow,
    AsaasAuthError when it refuses the API key, AsaasApiError for an answer that is not what was asked."""

    def customer(self, customer_id: str) -> AsaasCustomer | None:
        """The customer as Asaas's API gives it; None when Asaas has no such customer."""

    def payment(self, payment_id: str) -> Mapping[str, Any] | None:
        """The payment as Asaas has it now (JSON, amounts as Decimals); None when Asaas has no such payment."""
