"""Collections digest: on business days, one staff message with what collections can act on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import AwareDatetime, BaseModel

from ponte.adapters.collections_book import CollectionsBook
from ponte.adapters.dynamodb import DynamoStore
from ponte.adapters.policy_store import PolicyStore
from ponte.calendar import holidays_around
from ponte.services.digest import collections_digest
from ponte.services.staff_delivery import staff_names
from ponte.settings import BusinessSettings, DirectorySettings
from ponte.wiring import staff_directory

if TYPE_CHECKING:
    from datetime import datetime

    from ponte.adapters.documents import DirectoryStore
    from ponte.domain.notifications import Notification


class Settings(BusinessSettings, DirectorySettings):
    """Without a staff directory, the digest names owners by their id."""


class Trigger(BaseModel):
    scheduled_time: AwareDatetime


class DigestWiring:
    """The digest's ports, built once per container."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = DynamoStore(settings.TABLE_NAME)
        self.book = CollectionsBook(settings.TABLE_NAME)
        self.policies = PolicyStore(settings.POLICY_PARAMETER)
        self.directory: DirectoryStore | None = staff_directory(settings.STAFF_DIRECTORY_PARAMETER)

    def digest(self, now: datetime) -> Notification | None:
        """Today's digest, written once (`ponte.services.digest`); None on a day that is not a business day."""
        s = self.settings
        return collections_digest(
            self.book,
            self.store,
            self.book,
            now=now,
            policy=self.policies.current().policy,
            time_zone=s.BUSINESS_TIME_ZONE,
            holidays=holidays_around(s.BUSINESS_COUNTRY, now.year),
            staff_locale=s.DEFAULT_LOCALE,
            owners=staff_names(self.directory.in_use) if self.directory is not None else None,
        )
