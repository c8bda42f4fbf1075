"""Composition of the staff plane's ports from its settings, built once per container on first use. Nothing here
runs at import."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ponte.calendar import holidays_around
from ponte.settings import BusinessSettings, DirectorySettings
from ponte.wiring import staff_directory

if TYPE_CHECKING:
    from ponte.adapters.collections_book import CollectionsBook
    from ponte.adapters.documents import DirectoryStore
    from ponte.adapters.dynamodb import DynamoStore
    from ponte.adapters.policy_store import PolicyStore
    from ponte.services.staff import Caller, StaffDeps

# A person's id as the staff directory writes it (`ponte.domain.staff.PersonId`): without a directory, an owner
# is any id of that form, as owners were before the directory.
_PERSON_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class StaffSettings(BusinessSettings, DirectorySettings):
    """The staff plane's settings (the staff API's)."""


@dataclass
class StaffWiring:
    settings: StaffSettings

    @cached_property
    def store(self) -> DynamoStore:
        from ponte.adapters.dynamodb import DynamoStore  # noqa: PLC0415

        return DynamoStore(self.settings.TABLE_NAME)

    @cached_property
    def book(self) -> CollectionsBook:
        from ponte.adapters.collections_book import CollectionsBook  # noqa: PLC0415

        return CollectionsBook(self.settings.TABLE_NAME, self.store.client)

    @cached_property
    def policies(self) -> PolicyStore:
        from ponte.adapters.policy_store import PolicyStore  # noqa: PLC0415

        return PolicyStore(self.settings.POLICY_PARAMETER)

    @cached_property
    def directory(self) -> DirectoryStore | None:
        return staff_directory(self.settings.STAFF_DIRECTORY_PARAMETER)

    def members_of(self, team: str) -> tuple[str, ...]:
        """The people of a team, from the staff directory (none without one)."""
        directory = self.directory.in_use() if self.directory is not None else None
        return () if directory is None else tuple(p.id for p in directory.people if team in p.teams)

    def person_name(self, person_id: str) -> str | None:
        """The name the staff directory gives a person (None without a directory or for an unknown id)."""
        directory = self.directory.in_use() if self.directory is not None else None
        person = directory.person(person_id) if directory is not None else None
        return None if person is None else person.name

    def people(self) -> tuple[tuple[str, str], ...]:
        """The staff directory's active people, (id, name), by name (none without a directory)."""
        directory = self.directory.in_use() if self.directory is not None else None
        active = [] if directory is None else [p for p in directory.people if p.active]
        return tuple((p.id, p.name) for p in sorted(active, key=lambda p: p.name.casefold()))

    def known_owner(self, owner: str) -> bool:
        """An active person of the staff directory; without one, any id of a person's form."""
        directory = self.directory.in_use() if self.directory is not None else None
        if directory is None:
            return bool(_PERSON_ID.match(owner))
        person = directory.person(owner)
        return person is not None and person.active

    def as_person(self, caller: Caller, claims: Mapping[str, Any]) -> Caller:
        """The caller as the directory knows them: Cognito names a user by a generated id, so a staff member is found
        by the verified e-mail of their token (`email`, `email_verified`) and then acts, sees and is named in the
        history as that person."""
        directory = self.directory.in_use() if self.directory is not None else None
        email = claims.get("email")
        if directory is None or not isinstance(email, str) or str(claims.get("email_verified")).lower() != "true":
            return caller
        person = directory.person_with_email(email)
        return caller if person is None else replace(caller, username=person.id, name=person.name)

    def deps(self, now: datetime) -> StaffDeps:
        """The staff use cases' ports at `now` (the request's time: the policy in force, that year's holidays)."""
        from ponte.services.staff import StaffDeps, group_visibility  # noqa: PLC0415

        s = self.settings
        return StaffDeps(
            store=self.store,
            book=self.book,
            policy=self.policies.current().policy,
            time_zone=s.BUSINESS_TIME_ZONE,
            holidays=holidays_around(s.BUSINESS_COUNTRY, now.year),
            staff_locale=s.DEFAULT_LOCALE,
            visibility=group_visibility(self.members_of),
            known_owner=self.known_owner,
            members_of=self.members_of,
            person_name=self.person_name,
            people=self.people,
        )
