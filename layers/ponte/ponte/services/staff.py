"""The staff plane: who is calling, what they may see and do, and the ports its use cases need.

The read side is `ponte.services.staff_views` (an account's 360° view, search, the overdue book); the actions are
`ponte.services.staff_actions`. Both take a `Caller` (from the token the HTTP API's JWT authorizer checked) and a
`StaffDeps`.

Who sees what (`Visibility`): an admin sees every account; anyone else sees the accounts they own and those owned
by a member of one of their groups (teams), or by the team itself. Until the staff directory is plugged in (its
`members_of`), a team's members are unknown, so such a person sees their own accounts and the team's. An account
outside what a caller may see is answered as if it did not exist.

Who may do what (`PERMISSIONS`): any staff member may act on an account they see (a promise to pay, a dispute hold,
an extension, a contact correction, a note, an acknowledgement); exempting from suspension and reactivating need
the `admin` or `collections` group; recording an offline payment needs `admin`, `finance` or `collections`; writing
an invoice off needs `admin` or `finance`; assigning an owner needs `admin`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from ponte.domain.errors import ConcurrentModification, InvalidInput, PonteError

if TYPE_CHECKING:
    from ponte.domain.accounts import Account, AccountStatus, AccountSummary, Locale, TimelineEntry
    from ponte.domain.changes import AccountChange
    from ponte.domain.ledger import AccountRecords, TimelinePage
    from ponte.domain.policy import Policy

ADMIN = "admin"
# What the history and the holds keep of who acted (`StaffHold.set_by`, `set_by_name`): Cognito's subjects and user
# names are shorter (a UUID; at most 128 characters), but its `name` attribute takes up to 2048.
_ID_LENGTH = 128
_NAME_LENGTH = 200

# The groups an action needs besides seeing the account; an action not listed needs none.
PERMISSIONS: dict[str, frozenset[str]] = {
    "exempt": frozenset({ADMIN, "collections"}),
    "reactivate": frozenset({ADMIN, "collections"}),
    "offline_payment": frozenset({ADMIN, "finance", "collections"}),
    "write_off": frozenset({ADMIN, "finance"}),
    "owner": frozenset({ADMIN}),
}


class Unauthenticated(PonteError):
    """The request carries no usable identity (a claim the staff plane needs is missing)."""


class Forbidden(PonteError):
    """The caller may not do this (their groups do not allow it)."""


class InvalidField(InvalidInput):
    """A request's field breaks a rule; nothing was written. `field` names it (dotted for nested ones)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class StaleView(ConcurrentModification):
    """The account moved on since the version the staff member saw: nothing was written; `view` is the account as
    it is now (an `AccountView`, or None when it can no longer be seen)."""

    def __init__(self, reason: str, view: Any) -> None:
        super().__init__(reason)
        self.view = view


@dataclass(frozen=True)
class Caller:
    """The person behind a request, from the token's claims; `request_id` names the request (API Gateway's)."""

    subject: str
    name: str
    groups: frozenset[str]
    username: str | None = None
    request_id: str = ""

    @property
    def person_id(self) -> str:
        """Who the caller is as an owner: their user name (the directory's person id), else their subject."""
        return self.username or self.subject

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.groups

    def may(self, action: str) -> bool:
        needed = PERMISSIONS.get(action)
        return needed is None or bool(needed & self.groups)


def caller_from_claims(claims: Mapping[str, Any], request_id: str = "") -> Caller:
    """The caller, from the claims the HTTP API's JWT authorizer verified (a Cognito ID or access token): `sub`;
    `name`, else `cognito:username` (ID tokens) or `username` (access tokens); `cognito:groups`. API Gateway hands
    an array claim over as a string, `[admin collections]`; a list or a comma-separated string is read too."""
    subject = _text(claims.get("sub"))
    username = _text(claims.get("cognito:username")) or _text(claims.get("username"))
    name = _text(claims.get("name")) or username
    if not subject or not name:
        raise Unauthenticated("the token names no subject or no user")
    if len(subject) > _ID_LENGTH or len(username) > _ID_LENGTH:
        raise Unauthenticated(f"the token's subject or user name is longer than {_ID_LENGTH} characters")
    return Caller(
        subject=subject,
        name=name[:_NAME_LENGTH],
        username=username or None,
        groups=frozenset(_groups(claims.get("cognito:groups"))),
        request_id=request_id,
    )


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _groups(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(group).strip() for group in value if str(group).strip()]
    if not isinstance(value, str):
        return []
    return [group for group in value.strip().strip("[]").replace(",", " ").split() if group]


@dataclass(frozen=True)
class Scope:
    """The accounts a caller may see: everyone's, or those of these owners."""

    everyone: bool
    owners: frozenset[str] = frozenset()

    def allows(self, owner: str | None) -> bool:
        return self.everyone or (owner is not None and owner in self.owners)


TeamMembers = Callable[[str], Iterable[str]]
"""The ids of the people in a team (the staff directory's), for visibility and the book's team filter."""

Visibility = Callable[["Caller"], Scope]
"""Which owners' accounts a caller may see."""

KnownOwner = Callable[[str], bool]
"""Whether an id names someone who may own accounts (the staff directory's active people)."""


def no_members(team: str) -> tuple[str, ...]:
    """Team membership while there is no staff directory: unknown."""
    return ()


def group_visibility(members_of: TeamMembers = no_members) -> Visibility:
    """Visibility from the token's groups: `admin` sees every account; anyone else, their own accounts and those of
    the members of each of their groups (and of the group itself, as an owner)."""

    def scope(caller: Caller) -> Scope:
        if caller.is_admin:
            return Scope(everyone=True)
        owners = {caller.person_id}
        for team in caller.groups:
            owners.add(team)
            owners.update(members_of(team))
        return Scope(everyone=False, owners=frozenset(owners))

    return scope


class StaffStore(Protocol):
    """What the staff use cases read and write (`ponte.adapters.dynamodb.DynamoStore`)."""

    def account_records(self, account_id: str, timeline_limit: int = ...) -> AccountRecords | None:
        """Everything staff see of the account, in one read of its partition; None when there is no account."""

    def timeline_page(self, account_id: str, cursor: str | None, limit: int = ...) -> TimelinePage:
        """One page of the account's history, newest first."""

    def audit(self, entry: TimelineEntry, request_id: str) -> None:
        """Record a read worth auditing in the account's history, once per request."""

    def accounts(self, account_ids: list[str]) -> list[Account]:
        """The accounts with these ids that exist."""

    def search_names(
        self, prefix: str, *, limit: int, cursor: str | None = None, owners: frozenset[str] | None = None
    ) -> tuple[list[AccountSummary], str | None]:
        """One page of the accounts whose name starts with `prefix`, and where the next page starts."""

    def owners_of(self, references: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The account each already-claimed reference leads to."""

    def commit(self, change: AccountChange) -> None:
        """Write the change in one transaction (ConcurrentModification when the account moved on)."""


class BookPageLike(Protocol):
    @property
    def entries(self) -> list[Any]: ...

    @property
    def cursor(self) -> str | None: ...

    @property
    def calls(self) -> int: ...


class StaffBook(Protocol):
    """The overdue book (`ponte.adapters.collections_book.CollectionsBook`)."""

    def page(
        self,
        *,
        owners: list[str] | None,
        statuses: frozenset[str],
        since_from: date | None,
        since_to: date | None,
        limit: int,
        cursor: str | None = None,
    ) -> BookPageLike:
        """Up to `limit` entries of the book, with where the next page starts."""

    def keep(
        self,
        account_id: str,
        status: AccountStatus,
        suspended_at: datetime | None,
        *,
        owner: str | None = None,
        overdue_since: date | None = None,
    ) -> None:
        """List the account in the overdue book."""

    def drop(self, account_id: str) -> None:
        """Take the account off the overdue book."""


@dataclass(frozen=True)
class StaffDeps:
    """The staff use cases' ports and the business's settings. `holidays` are the business days' holidays around
    the request's year."""

    store: StaffStore
    book: StaffBook
    policy: Policy
    time_zone: str
    holidays: frozenset[date]
    staff_locale: Locale
    visibility: Visibility = field(default_factory=group_visibility)
    known_owner: KnownOwner = field(default=lambda owner: False)
    members_of: TeamMembers = no_members
    person_name: Callable[[str], str | None] = field(default=lambda person_id: None)  # the directory's name for an id
    # The directory's active people, (id, name) by name: whom an account may be given to (none without a directory).
    people: Callable[[], tuple[tuple[str, str], ...]] = field(default=lambda: ())
