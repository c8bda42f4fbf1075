"""Invoice uploads: the object the back office put in the bucket, its progress through the runs that record it, and
the facts its report and its alert are made of.

An upload is identified by its object key and version (the ETag where the bucket keeps no versions): the same
delivery twice is one upload, a second upload of the same file is another one (whose invoices are then found
already recorded and change nothing).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ponte.domain.identity import customer_references
from ponte.domain.invoices import Party, SourceFormat

INCOMING: Final = "incoming/"
# The opening book: the receivables a business already has on the day it goes live, uploaded under
# `incoming/opening/`. Recorded like any upload, but nobody is told of them as news: no new-customer alert, no
# invoice notice; the ladder starts from the import day (see `ponte.domain.dunning`).
OPENING: Final = "incoming/opening/"
PROCESSED: Final = "processed"
QUARANTINE: Final = "quarantine"
REPORT_SUFFIX: Final = ".report.json"
_CORRECTION = " (correction)"


class UploadedObject(BaseModel):
    """One object version in the invoices bucket, as its S3 event names it."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    bucket: str = Field(min_length=1)
    key: str = Field(min_length=1)
    version_id: str | None = None
    etag: str
    size: int = Field(ge=0)
    received_at: AwareDatetime = Field(description="The S3 event's time: every record of the upload is stamped so.")

    @property
    def version(self) -> str:
        return self.version_id or self.etag

    @property
    def upload_id(self) -> str:
        return hashlib.sha256(f"{self.bucket}/{self.key}@{self.version}".encode()).hexdigest()[:32]

    @property
    def dedup_key(self) -> str:
        return f"upload:{self.upload_id}"

    @property
    def origin(self) -> str:
        return f"upload:{self.key}@{self.version}"

    @property
    def opening(self) -> bool:
        return self.key.startswith(OPENING)

    @property
    def name(self) -> str:
        """The key below `incoming/`, kept when the file moves: `incoming/2026/11.csv` → `2026/11.csv`."""
        return self.key.removeprefix(INCOMING)

    def moved_key(self, folder: str) -> str:
        return f"{folder}/{self.name}"

    def report_key(self, folder: str) -> str:
        return f"{folder}/{self.name}{REPORT_SUFFIX}"


def record_origin(upload: UploadedObject, line: int, *, corrected: bool = False) -> str:
    """Where an invoice record came from: `upload:incoming/11.csv@<version>#12`, for audits and for telling, after a
    retried run, what an earlier attempt of the same upload already wrote."""
    return f"{upload.origin}#{line}{_CORRECTION if corrected else ''}"


@dataclass(frozen=True, slots=True)
class OriginMark:
    upload: str
    line: int | None
    corrected: bool


def read_origin(origin: str) -> OriginMark:
    corrected = origin.endswith(_CORRECTION)
    head, _, line = origin.removesuffix(_CORRECTION).rpartition("#")
    if not head or not line.isdigit():
        return OriginMark(upload=origin, line=None, corrected=False)
    return OriginMark(upload=head, line=int(line), corrected=corrected)


@dataclass(frozen=True, slots=True)
class StoredInvoice:
    """What the table already holds for an invoice key: enough to tell a re-upload from a correction."""

    fingerprint: str
    origin: str


def party_references(party: Party) -> list[tuple[str, str]]:
    """The lookup keys that lead to a customer's account, by the one rule of `ponte.domain.identity`."""
    return customer_references(reference=party.reference, tax_id=party.tax_id, email=party.email, name=party.name)


class RowRefusal(BaseModel):
    """A row or document of a good file that was not recorded, and why."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    line: int
    reason: str


class UploadCounts(BaseModel):
    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    accounts_opened: int = 0
    cancelled: int = 0

    @property
    def imported(self) -> int:
        return self.created + self.corrected


class UploadProgress(BaseModel):
    """Where the recording of a checked file stands: carried from one run to the next when a file takes longer
    than one run (the continuation message is this model as JSON)."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    upload: UploadedObject
    file_format: SourceFormat
    invoices: int = Field(ge=0, description="Invoices the check found in the file.")
    recorded: int = Field(default=0, ge=0, description="Invoices handled so far, in file order.")
    counts: UploadCounts = UploadCounts()
    refused: tuple[RowRefusal, ...] = Field(default=(), description="Refused while recording (not by the parser).")
    warnings: tuple[RowRefusal, ...] = Field(
        default=(), max_length=1000, description="Recorded, with something the back office should check."
    )
    runs: int = Field(default=1, ge=1)
