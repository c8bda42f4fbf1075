"""Use cases on accounts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from ponte.domain.accounts import Account, Contact, Locale, TimelineEntry
from ponte.domain.bodies.accounts import AccountOpened, CustomerWelcome
from ponte.domain.changes import AccountChange
from ponte.domain.errors import DuplicateEvent
from ponte.domain.notifications import (
    Audience,
    Notification,
    Team,
    notification_id,
)

if TYPE_CHECKING:
    from ponte.services.owners import OwnerChoice, Owners
    from ponte.services.ports import AccountStore


class OpenAccount(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    account_id: str
    name: str
    locale: Locale
    contact: Contact
    owner: str | None = None


def opening_change(
    command: OpenAccount,
    *,
    now: datetime,
    staff_locale: Locale,
    source: str,
    assigned: OwnerChoice | None = None,
) -> AccountChange:
    """The new account, with the alert for sales, the customer's welcome and the platform event.

    `assigned`: how the owner was chosen (`ponte.services.owners`); its owner replaces the command's, and the
    timeline says how it was chosen and what was refused."""
    owner = command.owner if assigned is None else assigned.owner
    account = Account(
        account_id=command.account_id,
        name=command.name,
        owner=owner,
        locale=command.locale,
        contact=command.contact,
        created_at=now,
    )
    cause = f"account-opened:{account.account_id}"
    opened = AccountOpened(account_name=account.name, contact=account.contact, owner=account.owner)

    def note(audience: Audience, locale: Locale, body: AccountOpened | CustomerWelcome) -> Notification:
        return Notification(
            notification_id=notification_id(cause, audience, body.kind),
            audience=audience,
            team=Team.SALES if audience is Audience.STAFF else None,
            account_id=account.account_id,
            owner=account.owner,
            locale=locale,
            occurred_at=now,
            body=body,
        )

    notifications = [note(Audience.STAFF, staff_locale, opened), note(Audience.PLATFORM, account.locale, opened)]
    if account.contact.email or account.contact.phone:
        notifications.append(
            note(Audience.CUSTOMER, account.locale, CustomerWelcome(customer_name=account.contact.name))
        )
    entry = TimelineEntry(
        account_id=account.account_id,
        at=now,
        what="account.opened",
        why="account created",
        source=source,
        facts=assigned.facts() if assigned else {},
    )
    refused = assigned.refusal_entries(account.account_id, now, source) if assigned else ()
    return AccountChange(
        account=account,
        recorded_at=now,
        expected_version=None,
        timeline=(entry, *refused),
        notifications=tuple(notifications),
        dedup_key=cause,
    )


def open_account(
    store: AccountStore,
    command: OpenAccount,
    *,
    now: datetime,
    staff_locale: Locale,
    source: str,
    owners: Owners | None = None,
    owner_source: str = "",
) -> tuple[Account, bool]:
    """Open the account once. Returns it and whether this call created it (False: it already existed).

    With `owners`, the command's owner is only what the source named: the owner rule decides, and only when the
    account is really opened (`owner_source`: the source whose assignment rule applies; empty: the default rule)."""
    existing = store.get_account(command.account_id)
    if existing is not None:
        return existing, False
    assigned = owners.assign(command.owner, source=owner_source) if owners is not None else None
    change = opening_change(command, now=now, staff_locale=staff_locale, source=source, assigned=assigned)
    try:
        store.commit(change)
    except DuplicateEvent:
        stored = store.get_account(command.account_id)
        assert stored is not None, "an opening was recorded, so the account exists"
        return stored, False
    return change.account, True
