"""Invoice uploads: a file the back office put under `incoming/` is checked, recorded once, reported and moved.

1. Check. The file is read as a stream and parsed whole, writing nothing, so that a file that cannot be read (an
   unknown format, no header, malformed or unsafe XML, a line in the wrong encoding halfway) is refused before
   anything is recorded: it moves to `quarantine/` with a report saying why, and the back office is alerted.
2. Record. The file is read again and its invoices are handled in windows of up to 100: their customers' accounts
   are found by the one rule of `ponte.domain.identity` (or opened, and the owner told of the new customer with
   what the invoice says was bought: the window's new accounts together, in transactions of up to 100 items; those
   of a transaction refused because a customer was opened meanwhile by a webhook or another upload, one by one,
   each finding the account it turned out to have), the invoices already recorded are read in one batch,
   and only new ones are written, 25 to a batch write. An invoice whose content changed is a correction: applied
   with a timeline entry in one transaction, unless it is already paid in part. Rows the parser refused are
   listed with their line numbers; the rest of the file is still recorded. NF-e cancellations apply to the
   account of the NF-e they cancel; one whose NF-e is not known yet is kept and applied when it arrives.
   A file under `incoming/opening/` is the opening book: recorded alike, but nobody is told of it as news.
3. Continue. Between windows, a run that is close to its deadline stops and sends its progress to a queue that
   invokes the function again; the next run reads the file from the start and skips what was handled.
4. Finish. The report goes next to the file under `processed/`, and one transaction writes the upload's dedup
   marker with the back-office alert in the outbox. A repeated delivery of the same object version finds the
   marker and changes nothing. A run that fails for a reason no retry can fix (a defect met by some unexpected
   document) still ends with the file in `quarantine/`, a report saying so and the back office alerted. A run
   retried after a crash counts what its crashed attempt did (the invoices it wrote, the accounts it opened) as
   its own, so the report tells what the upload as a whole did.

A file deleted before it is read is skipped: nothing is recorded, and a report under `processed/` says so (nobody is
alerted: whoever deleted it meant it). Once its recording has begun, a deletion no longer stops it: a half-recorded
file would be worse than a whole one.

Memory stays flat whatever the file's size: one window of invoices, bounded lookup caches, and the rejected rows
spooled to a temporary file (on disk beyond 1 MiB).
"""

from __future__ import annotations

import csv
import hashlib
import heapq
import itertools
import json
import logging
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import partial
from pathlib import Path
from tempfile import SpooledTemporaryFile
from typing import IO, BinaryIO, Literal, Protocol

from pydantic import BaseModel, ConfigDict, ValidationError

from ponte.domain.accounts import Account, Contact, Locale, TimelineEntry, next_version
from ponte.domain.bodies.invoices import (
    ROWS_LISTED,
    DueInstallment,
    InvoiceIssued,
    InvoicesImported,
    NewCustomerInvoice,
    QuarantineCode,
    RefusedRow,
    UploadQuarantined,
)
from ponte.domain.changes import AccountChange
from ponte.domain.dunning import next_business_day
from ponte.domain.errors import ConcurrentModification, DuplicateEvent, NotFound
from ponte.domain.identity import new_account_id
from ponte.domain.invoices import Invoice, Party, SourceFormat
from ponte.domain.ledger import CancellationRecord, InstallmentReport, InvoiceRecord, Ledger, label_of, nfe_named
from ponte.domain.notifications import Audience, Notification, Severity, Team, notification_id
from ponte.domain.uploads import (
    PROCESSED,
    QUARANTINE,
    REPORT_SUFFIX,
    RowRefusal,
    StoredInvoice,
    UploadCounts,
    UploadedObject,
    UploadProgress,
    party_references,
    read_origin,
    record_origin,
)
from ponte.invoices import FileRejected, ParsedInvoice, ParseOptions, Rejection, detect_format, parse_upload
from ponte.invoices.detect import HEAD_SIZE
from ponte.invoices.formulas import without_formula
from ponte.invoices.results import ParsedCancellation, SettledInstallment, SettledInvoice
from ponte.invoices.streams import read_head, replay
from ponte.services.accounts import OpenAccount, opening_change
from ponte.services.owners import OwnerChoice, Owners

WINDOW = 100  # invoices read together: BatchGetItem takes 100 keys
CORRECTIONS_PER_CHANGE = 40  # a transaction holds 100 items: marker, account, and an entry and a record each
XML_MAX_BYTES = 10_000_000  # an XML document is parsed whole, at several times its size in memory
BACKOFFICE_ACCOUNT = "_backoffice"  # file-level notifications belong to no customer account
REPORT_SCHEMA_VERSION = "1"
_WARNINGS_KEPT = 1000
_log = logging.getLogger(__name__)
_CACHE_LIMIT = 50_000  # references and accounts remembered within a run; beyond it the cache starts again
_SPOOL_BYTES = 1024 * 1024
_XML_FORMATS = frozenset({SourceFormat.NFE, SourceFormat.UBL})


class UploadObjects(Protocol):
    def open(self, upload: UploadedObject) -> BinaryIO:
        """The object version's content, as a stream; NotFound when the version no longer exists."""

    def gone(self, upload: UploadedObject) -> bool:
        """Whether the object was deleted after its event: its key now answers as deleted (a delete marker in a
        versioned bucket), or the version itself no longer exists."""

    def put_report(self, bucket: str, key: str, body: IO[bytes]) -> None:
        """Write a JSON report."""

    def copy(self, upload: UploadedObject, destination: str) -> None:
        """Copy the object version to `destination` in the same bucket."""

    def delete(self, upload: UploadedObject) -> None:
        """Delete the object version; deleting one already gone is not an error."""


class UploadLedger(Protocol):
    def stored_invoices(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], StoredInvoice]:
        """For each (account id, invoice key) already recorded: its fingerprint, origin, number and series."""

    def accounts(self, account_ids: Sequence[str]) -> dict[str, Account]:
        """The accounts that exist among `account_ids`."""

    def record_invoices(self, records: Sequence[tuple[str, InvoiceRecord]], *, due_at: datetime) -> None:
        """Write (account id, record) pairs in batches, flagging each account for re-evaluation at `due_at`; an
        NF-e's access key is claimed as a reference (`nfe`) of its account, for its cancellation to find."""

    def open_accounts(self, changes: Sequence[AccountChange]) -> list[AccountChange]:
        """Write account openings together, in transactions of up to 100 items; return the openings whose
        transaction was cancelled (a marker or a reference written meanwhile), of which nothing was written."""

    def park_cancellation(self, record: CancellationRecord) -> None:
        """Keep a cancellation whose NF-e is not recorded yet (idempotent)."""

    def parked_cancellations(self, access_keys: Sequence[str]) -> list[CancellationRecord]:
        """The kept cancellations of these NF-e."""

    def queue_notices(self, notifications: Sequence[Notification], *, recorded_at: datetime) -> None:
        """Write outbox items in batches (idempotent: the same notification id is the same item)."""

    def finished_upload(self, dedup_key: str) -> str | None:
        """Where a finished upload's file was moved, or None when the upload is not finished."""

    def finish_upload(self, dedup_key: str, notification: Notification, *, at: datetime, moved_to: str) -> bool:
        """Write the upload's marker and its alert in one transaction; False when the marker already existed."""


class AccountLedgers(Protocol):
    def owners_of(self, references: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The account each already-claimed reference leads to."""

    def load_ledger(self, account_id: str) -> Ledger | None:
        """The account with its invoices and payments, or None."""

    def commit(self, change: AccountChange) -> None:
        """One transaction; DuplicateEvent or ConcurrentModification when refused."""


class Continuations(Protocol):
    def send(self, progress: UploadProgress) -> None:
        """Have the upload continued by another run, from `progress`."""


@dataclass(frozen=True)
class UploadPorts:
    objects: UploadObjects
    ledger: UploadLedger
    accounts: AccountLedgers
    continuations: Continuations
    # Who owns the accounts an upload opens (`ponte.services.owners`); by default, the owner the row names.
    owners: Owners = field(default_factory=Owners)


@dataclass(frozen=True)
class UploadSettings:
    staff_locale: Locale
    customer_locale: Locale  # of accounts opened for customers first seen in an upload
    customer_notices: bool
    max_bytes: int
    margin_seconds: float  # a run stops between windows when less than this is left before its deadline
    parse_options: ParseOptions = field(default_factory=ParseOptions)
    # The business calendar's holidays (national and the policy's local ones): a due date on one of them, or on a
    # weekend, is told to the customer with the business day it moved to.
    holidays: frozenset[date] = frozenset()


class UploadOutcome(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    status: Literal["imported", "quarantined", "continued", "duplicate", "skipped"]
    upload_id: str
    file: str
    counts: UploadCounts = UploadCounts()
    rejected: int = 0
    settled: int = 0  # rows the file says were paid or cancelled
    report: str | None = None
    reason: str | None = None
    runs: int = 1


def receive_upload(
    upload: UploadedObject, *, ports: UploadPorts, settings: UploadSettings, time_left: Callable[[], float]
) -> UploadOutcome:
    """Check, record and report a newly uploaded object (see the module's docstring)."""
    if (finished := _finished(upload, ports)) is not None:
        return finished
    if ports.objects.gone(upload) and not _begun(upload, ports, settings):
        return _skip(upload, ports, settings)
    if upload.size > settings.max_bytes:
        too_big = FileRejected(
            f"the file is {_megabytes(upload.size)}, over the limit of {_megabytes(settings.max_bytes)}",
            code="too_big",
            size=upload.size,
            limit=settings.max_bytes,
        )
        return _quarantine(upload, None, too_big, ports=ports, settings=settings)
    file_format: SourceFormat | None = None
    try:
        stream = ports.objects.open(upload)
    except NotFound:  # deleted for good between the look and the read
        return _skip(upload, ports, settings)
    try:
        head = read_head(stream, HEAD_SIZE)
        file_format = detect_format(upload.key, head)
        if file_format in _XML_FORMATS and upload.size > XML_MAX_BYTES:
            raise FileRejected(
                f"an XML file is read whole: at most {_megabytes(XML_MAX_BYTES)}, "
                f"this one is {_megabytes(upload.size)}",
                code="xml_too_big",
                size=upload.size,
                limit=XML_MAX_BYTES,
            )
        invoices = sum(
            isinstance(result, ParsedInvoice)
            for result in parse_upload(upload.key, replay(head, stream), _options(upload, settings))
        )
    except (FileRejected, *_UNREAD) as failed:
        return _quarantine(upload, file_format, _refusal(upload, failed), ports=ports, settings=settings)
    finally:
        stream.close()
    progress = UploadProgress(upload=upload, file_format=file_format, invoices=invoices)
    return _run(progress, ports, settings, time_left)


def continue_upload(
    progress: UploadProgress, *, ports: UploadPorts, settings: UploadSettings, time_left: Callable[[], float]
) -> UploadOutcome:
    """Go on recording a checked file from where an earlier run stopped."""
    if (finished := _finished(progress.upload, ports)) is not None:
        return finished
    return _run(progress, ports, settings, time_left)


# A defect met by an unexpected document: retrying cannot fix it. Errors of the table or the bucket are not here:
# they propagate, the trigger retries the run, and its dead-letter queue raises the alarm.
_FACT_SHOWN = 60  # characters of a value from the file a line of the alert quotes (the report quotes it whole)
_DEFECTS = (ValueError, TypeError, KeyError, IndexError, AttributeError, ArithmeticError, ValidationError)
# And, while a file is read and checked, what only a document can raise: a codec it names, nesting past the
# parser's depth, a CSV the reader gives up on. Nothing is written yet: the file is set aside.
_UNREAD = (*_DEFECTS, LookupError, RecursionError, csv.Error)


def _options(upload: UploadedObject, settings: UploadSettings) -> ParseOptions:
    """The business's parse options, with the day the file was received: every run reads it with the same day."""
    return settings.parse_options.model_copy(update={"received_on": upload.received_at.date()})


def _refusal(upload: UploadedObject, failed: Exception) -> FileRejected:
    """Why a file is set aside: the check's own refusal, or a file no check foresaw (logged where it failed). Either
    way it gets a report, rather than runs retried until the trigger parks it."""
    if isinstance(failed, FileRejected):
        return failed
    _log.error(
        "upload could not be read",
        extra={"upload_id": upload.upload_id, "error": type(failed).__name__, "where": _where(failed)},
    )
    return FileRejected(f"the file could not be read ({type(failed).__name__})", code="not_read")


def _where(defect: BaseException) -> list[str]:
    """Where a defect was raised, not what it said: a message may quote a value from the file (a name, an e-mail)."""
    frames = traceback.extract_tb(defect.__traceback__)
    return [f"{Path(frame.filename).name}:{frame.lineno}:{frame.name}" for frame in frames[-5:]]


def _run(
    progress: UploadProgress, ports: UploadPorts, settings: UploadSettings, time_left: Callable[[], float]
) -> UploadOutcome:
    try:
        return _Recorder(progress, ports, settings, time_left).run()
    except _DEFECTS as defect:
        _log.error(
            "upload could not be recorded",
            extra={"upload_id": progress.upload.upload_id, "error": type(defect).__name__, "where": _where(defect)},
        )
        not_recorded = FileRejected(
            f"the file could not be recorded to the end ({type(defect).__name__}); invoices before "
            f"the failure may have been recorded. Please send this report to support.",
            code="not_recorded",
        )
        return _quarantine(progress.upload, progress.file_format, not_recorded, ports=ports, settings=settings)


def _begun(upload: UploadedObject, ports: UploadPorts, settings: UploadSettings) -> bool:
    """Whether an earlier attempt of this upload, which then failed, already recorded something: an invoice or an
    account whose origin is this upload. Read only, and only for a file deleted since its event (rare), which is
    then recorded to the end rather than left half recorded. A version deleted for good cannot be read, nor
    finished: it is skipped whatever an earlier attempt did."""
    try:
        stream = ports.objects.open(upload)
    except NotFound:
        return False
    try:
        results = parse_upload(upload.key, stream, _options(upload, settings))
        invoices = (result for result in results if isinstance(result, ParsedInvoice))
        for window in itertools.batched(invoices, WINDOW):
            references = [party_references(parsed.invoice.customer) for parsed in window]
            owners = ports.accounts.owners_of(list(dict.fromkeys(ref for refs in references for ref in refs)))
            targets = [
                (owner, key)
                for parsed, refs in zip(window, references, strict=True)
                if (owner := _owner_of(owners, refs)) is not None
                for key in _keys_of(parsed.invoice)
            ]
            if not targets:
                continue
            stored = ports.ledger.stored_invoices(targets).values()
            accounts = ports.ledger.accounts(list(dict.fromkeys(account_id for account_id, _ in targets))).values()
            origins = [found.origin for found in stored] + [a.opened_by for a in accounts if a.opened_by]
            if any(read_origin(origin).upload == upload.origin for origin in origins):
                return True
    except FileRejected:
        return False
    finally:
        stream.close()
    return False


def _skip(upload: UploadedObject, ports: UploadPorts, settings: UploadSettings) -> UploadOutcome:
    """Report a file deleted before it was read. Nothing else is written: a repeated delivery looks again and
    writes the same report."""
    report_key = upload.report_key(PROCESSED)
    reason = "the file was deleted before it was read: nothing was recorded"
    header = _report_header(upload, None, "skipped", None, reason, runs=1)
    header["message"] = _skipped(settings.staff_locale)
    header["counts"] = {"invoices": 0, "imported": 0, "rejected": 0}
    with SpooledTemporaryFile(max_size=_SPOOL_BYTES, mode="w+b") as report:
        _write_report(report, header, iter(()))
        report.seek(0)
        ports.objects.put_report(upload.bucket, report_key, report)
    _log.info("upload skipped: deleted before it was read", extra={"upload_id": upload.upload_id})
    return UploadOutcome(
        status="skipped", upload_id=upload.upload_id, file=upload.key, report=report_key, reason=reason
    )


def _finished(upload: UploadedObject, ports: UploadPorts) -> UploadOutcome | None:
    """The outcome of a delivery of an upload already finished: nothing changes but the move, which a crash may
    have interrupted between the marker and the delete."""
    moved_to = ports.ledger.finished_upload(upload.dedup_key)
    if moved_to is None:
        return None
    ports.objects.delete(upload)
    report = f"{moved_to}{REPORT_SUFFIX}"
    return UploadOutcome(status="duplicate", upload_id=upload.upload_id, file=upload.key, report=report)


@dataclass(frozen=True)
class _Opening:
    """An account planned for a customer first met in the window; `change` is None when another opening of the
    window has the same id."""

    parsed: ParsedInvoice
    account_id: str
    references: list[tuple[str, str]]
    dropped: list[tuple[str, str]]  # contact details left out: (what, why)
    change: AccountChange | None = None
    assigned: OwnerChoice | None = None


class _Recorder:
    """One run of the record step."""

    def __init__(
        self, progress: UploadProgress, ports: UploadPorts, settings: UploadSettings, time_left: Callable[[], float]
    ) -> None:
        self.progress = progress
        self.upload = progress.upload
        self.now = progress.upload.received_at
        self.ports = ports
        self.settings = settings
        self.time_left = time_left
        self.counts = progress.counts.model_dump()
        self.refused = list(progress.refused)
        self.first_rejected: list[RowRefusal] = []  # the parser's, in the file's order, as many as an alert lists
        self.settled = 0  # rows the file says were paid or cancelled: not recorded, not refused either
        self.owners: dict[tuple[str, str], str] = {}
        self.known_accounts: dict[str, Account] = {}
        self.warnings = list(progress.warnings)
        self.cancellations: list[ParsedCancellation] = []
        self.told_as_nfe: set[tuple[str, str]] = set()  # (account, NF-e key) of this window's rows naming one recorded
        self.wholly_settled: list[SettledInvoice] = []  # invoices the file says were all paid or cancelled, to report
        self.settled_seen = 0  # such invoices read so far in this run
        self.settled_done = progress.settled_reported  # of them, those reported, by this run or an earlier one
        self.said: dict[str, list[_Said]] = defaultdict(list)  # per account: what the file says of invoices it holds
        self.told_to_record: set[str] = set()  # invoices a report line already says to record the payments of

    def run(self) -> UploadOutcome:
        with SpooledTemporaryFile(max_size=_SPOOL_BYTES, mode="w+b") as rejections:
            rejected, handled, finished = self._record_file(rejections)
            if not finished:
                return self._continue(handled)
            return self._finish(rejections, rejected)

    def _record_file(self, rejections: IO[bytes]) -> tuple[int, int, bool]:
        """Spool the parser's rejections and record the invoices not handled yet, until the file ends or the run
        is close to its deadline. Returns how many rows were rejected, how many invoices are now handled, and
        whether the file was read to its end."""
        handled = self.progress.recorded
        seen = rejected = 0
        window: list[ParsedInvoice] = []
        keys: set[str] = set()
        stream = self.ports.objects.open(self.upload)
        try:
            for result in parse_upload(self.upload.key, stream, _options(self.upload, self.settings)):
                if isinstance(result, Rejection):
                    rejected += self._rejected(result, rejections)
                    continue
                if isinstance(result, ParsedCancellation):
                    # Applied once the file's invoices are recorded: an nfeProc may carry the NF-e and its
                    # cancellation together.
                    self.cancellations.append(result)
                    continue
                if isinstance(result, SettledInvoice):
                    if not self._settled_read(result):
                        return rejected, handled, False
                    continue
                seen += 1
                if seen <= self.progress.recorded:
                    continue
                if result.warnings and len(self.warnings) < _WARNINGS_KEPT:
                    self.warnings.extend(
                        RowRefusal(line=result.line, reason=w.reason, code=w.code, facts=dict(w.facts))
                        for w in result.warnings
                    )
                # A key met again in the window is handled in the next one, against what the first one wrote.
                if len(window) == WINDOW or result.invoice.key in keys:
                    self._record(window)
                    handled += len(window)
                    window, keys = [], set()
                    if self.time_left() < self.settings.margin_seconds:
                        return rejected, handled, False
                window.append(result)
                keys.add(result.invoice.key)
            if window:
                self._record(window)
                handled += len(window)
            self._report_settled()
        finally:
            stream.close()
        for cancellation in self.cancellations:
            self._cancel(cancellation)
        return rejected, handled, True

    def _settled_read(self, settled: SettledInvoice) -> bool:
        """Take an invoice all of whose rows the file says were settled (one an earlier run handled is passed over),
        reporting them a window at a time; False when the run must stop there, close to its deadline."""
        self.settled_seen += 1
        if self.settled_seen <= self.settled_done:
            return True
        self.wholly_settled.append(settled)
        if len(self.wholly_settled) < WINDOW:
            return True
        self._report_settled()
        return self.time_left() >= self.settings.margin_seconds

    def _rejected(self, result: Rejection, rejections: IO[bytes]) -> int:
        """Write a row the parser did not read into the report; 1 when it counts as rejected."""
        problem = result.problem
        refused = RowRefusal(line=result.line, reason=problem.reason, code=problem.code, facts=problem.facts)
        rejections.write(_json_line(self._row(refused, settled=result.settled)))
        if result.settled:  # listed in the report, counted apart: what the file says was paid or cancelled
            self.settled += 1
            return 0
        if len(self.first_rejected) < ROWS_LISTED:
            self.first_rejected.append(refused)
        return 1

    # ------------------------------------------------------------------ one window
    def _record(self, window: list[ParsedInvoice]) -> None:
        references = [party_references(parsed.invoice.customer) for parsed in window]
        self._resolve([ref for refs in references for ref in refs])
        targets: list[tuple[ParsedInvoice, str]] = []
        found_open: list[tuple[ParsedInvoice, str]] = []
        openings: list[_Opening] = []
        for parsed, refs in zip(window, references, strict=True):
            owner = _owner_of(self.owners, refs)
            if owner is None:
                opening = self._plan_opening(parsed, refs, planned={o.account_id for o in openings})
                openings.append(opening)
                targets.append((parsed, opening.account_id))
            else:
                targets.append((parsed, owner))
                found_open.append((parsed, owner))
        opened, moved = self._open_accounts(openings) if openings else (set(), {})
        if moved:
            targets = [(parsed, moved.get(account_id, account_id)) for parsed, account_id in targets]
            found_open = [(parsed, moved.get(account_id, account_id)) for parsed, account_id in found_open]
        if found_open:
            self._count_opened_earlier(found_open)
        # An account this run has just opened holds no invoice yet: its invoices are new without a read. An ERP's
        # row that names an NF-e is read with that NF-e (same request): recorded, it is the same sale, already told.
        known = [(p, account) for p, account in targets if account not in opened]
        named = {(account, key) for p, account in known if (key := nfe_named(p.invoice))}
        stored = self.ports.ledger.stored_invoices(
            [(account, key) for p, account in known for key in _keys_of(p.invoice)] + sorted(named)
        )
        self.told_as_nfe = {pair for pair in named if pair in stored}
        targets = [(_as_held(parsed, account_id, stored), account_id) for parsed, account_id in targets]
        new, written_earlier, corrections = self._sorted(targets, stored)
        self._apply_said()  # first: an installment owed again may make a correction possible
        for account_id, items in corrections.items():
            for start in range(0, len(items), CORRECTIONS_PER_CHANGE):
                self._correct(account_id, [parsed for parsed, _ in items[start : start + CORRECTIONS_PER_CHANGE]])
        if new:
            self._record_new(new)
        # A crashed attempt may have written these invoices and failed before applying the cancellations kept
        # for them; applying them again is idempotent, and counts them.
        self._apply_parked([(account_id, parsed.invoice) for parsed, account_id in written_earlier])

    def _sorted(
        self, targets: list[tuple[ParsedInvoice, str]], stored: dict[tuple[str, str], StoredInvoice]
    ) -> tuple[
        list[tuple[ParsedInvoice, str]],
        list[tuple[ParsedInvoice, str]],
        dict[str, list[tuple[ParsedInvoice, StoredInvoice]]],
    ]:
        """The window's invoices by what recording each takes: new ones, those an earlier attempt of this upload
        wrote, and corrections by account; the others are counted as they are."""
        new: list[tuple[ParsedInvoice, str]] = []
        written_earlier: list[tuple[ParsedInvoice, str]] = []
        corrections: dict[str, list[tuple[ParsedInvoice, StoredInvoice]]] = defaultdict(list)
        for parsed, account_id in targets:
            found = stored.get((account_id, parsed.invoice.key))
            if found is not None:
                self._note_said(
                    account_id,
                    parsed.invoice.key,
                    found,
                    line=parsed.line,
                    number=parsed.invoice.number,
                    settled=parsed.settled_installments,
                    listed_owed=parsed.listed_owed,
                )
            if found is None:
                new.append((parsed, account_id))
            elif found.fingerprint != parsed.invoice.fingerprint and parsed.settled:
                self._keep_held(parsed)  # what the file says was paid is reported on it, not a correction
            elif found.fingerprint != parsed.invoice.fingerprint:
                corrections[account_id].append((parsed, found))
            elif self._count_recorded(parsed, found):
                written_earlier.append((parsed, account_id))
        return new, written_earlier, corrections

    def _keep_held(self, parsed: ParsedInvoice) -> None:
        """An invoice Ponte holds, of which the file says some installments were paid or cancelled: left as it is
        but for those installments, reported so on it (`_note_said`). One paid in part gets a report line saying to
        record its payment."""
        self.counts["unchanged"] += 1
        if any(w.code == "partly_paid" for w in parsed.warnings):
            self._to_record(parsed.line, parsed.invoice.number)

    def _to_record(self, line: int, number: str) -> None:
        """A report line: of the invoice Ponte holds, what the file says was paid is a payment to record by hand."""
        said = f"invoice {number} is held by Ponte: the installments the file says were paid are payments to record"
        if len(self.warnings) < _WARNINGS_KEPT:
            self.warnings.append(RowRefusal(line=line, reason=said, code="settled_held", facts={"number": number}))

    def _report_settled(self) -> None:
        """Report, on the invoices Ponte holds, what the file says of those all of whose rows it says were paid or
        cancelled. A customer no account is found for is not opened: nothing of theirs is owed."""
        batch, self.wholly_settled = self.wholly_settled, []
        if not batch:
            return
        self.settled_done = self.settled_seen
        references = [party_references(settled.customer) for settled in batch]
        self._resolve([ref for refs in references for ref in refs])
        owned = [
            (owner, settled)
            for settled, refs in zip(batch, references, strict=True)
            if (owner := _owner_of(self.owners, refs))
        ]
        stored = self.ports.ledger.stored_invoices([(owner, key) for owner, settled in owned for key in settled.keys])
        for owner, settled in owned:
            key = next((key for key in settled.keys if (owner, key) in stored), None)
            if key is not None:
                self._note_said(
                    owner,
                    key,
                    stored[(owner, key)],
                    line=settled.line,
                    number=settled.number,
                    settled=settled.installments,
                    listed_owed=(),
                )
        self._apply_said()

    def _note_said(
        self,
        account_id: str,
        key: str,
        found: StoredInvoice,
        *,
        line: int,
        number: str,
        settled: tuple[SettledInstallment, ...],
        listed_owed: tuple[str | None, ...] | None,
    ) -> None:
        """Keep, to report on the invoice Ponte holds under `key`, what the file says of its installments: those it
        says were paid or cancelled, and those it lists as owed (an earlier report of which is withdrawn; `listed_owed`
        None: the file says nothing of what was paid). An installment is the held invoice's by its number, or, in a
        file that numbers none, when the invoice has one. One it says was settled that the invoice does not number
        so, or that it lists as owed too (split by a part payment), is not reported: a report line says to record
        its payment. Nothing is kept when it changes nothing."""
        numbers = found.installments
        told = [(told, _held_number(told.installment, numbers)) for told in settled]
        owed = {n for written in listed_owed or () if (n := _held_number(written, numbers)) is not None}
        paid_or_cancelled = {number: told for told, number in told if number is not None and number not in owed}
        if len(paid_or_cancelled) < len(told):
            self._to_record(line, number)
        before = dict(found.reported)
        after = {n: state for n, state in before.items() if n not in owed}
        after |= {n: told.state for n, told in paid_or_cancelled.items()}
        if after != before:
            self.said[account_id].append(_Said(key, line, number, paid_or_cancelled, frozenset(owed)))

    def _apply_said(self) -> None:
        """Write what the file says of the invoices each account holds (`_note_said`), one change per account, with a
        timeline entry per invoice; the account is evaluated again at once."""
        said, self.said = self.said, defaultdict(list)
        for account_id, items in said.items():
            keys = "|".join(sorted(item.key for item in items))
            cause = hashlib.sha256(f"{self.upload.upload_id}|{account_id}|said|{keys}".encode()).hexdigest()[:32]
            self._write_invoices(account_id, f"upload-settled:{cause}", partial(self._reported, items=items))

    def _reported(
        self, ledger: Ledger, *, items: list[_Said]
    ) -> tuple[tuple[InvoiceRecord, ...], tuple[TimelineEntry, ...]]:
        """The account's invoices as `items` say, of those they change, each with its timeline entry. An invoice
        that stands for another (an ERP's row for its NF-e) is not the one collected: a report line says to record
        its payment instead."""
        links = ledger.allocate().links
        changed = []
        for item in items:
            record = ledger.invoice(item.key)
            if record is None:
                continue
            if item.key in links and links[item.key].invoice_key is not None:
                if item.key not in self.told_to_record:
                    self.told_to_record.add(item.key)
                    self._to_record(item.line, item.number)
                continue
            reported = self._reports(record, item)
            if reported != record.reported:
                changed.append((record, reported))
        return (
            tuple(record.model_copy(update={"reported": reported}) for record, reported in changed),
            tuple(self._said_entry(ledger, record, reported) for record, reported in changed),
        )

    def _write_invoices(
        self,
        account_id: str,
        dedup_key: str,
        decide: Callable[[Ledger], tuple[tuple[InvoiceRecord, ...], tuple[TimelineEntry, ...]]],
    ) -> Ledger | None:
        """Write the invoice records `decide` makes of the account's ledger, with their timeline entries, in one
        transaction that has the account evaluated again at once (none when it makes none); read again when the
        account changed meanwhile. A transaction an earlier attempt of this upload wrote (`dedup_key`) is not
        written again. The ledger read last; None when there is no such account."""
        for _ in range(3):  # the account may change between the read and the write; read it again
            ledger = self.ports.accounts.load_ledger(account_id)
            if ledger is None:
                return None
            records, timeline = decide(ledger)
            if records:
                change = AccountChange(
                    account=next_version(ledger.account, next_evaluation_at=_earliest(ledger.account, self.now)),
                    recorded_at=self.now,
                    expected_version=ledger.account.version,
                    timeline=timeline,
                    invoices=records,
                    dedup_key=dedup_key,
                )
                try:
                    self.ports.accounts.commit(change)
                except ConcurrentModification:
                    continue
                except DuplicateEvent:
                    pass  # written by an earlier attempt of this upload
            return ledger
        raise ConcurrentModification(f"account {account_id} kept changing while its invoices were written")

    def _reports(self, record: InvoiceRecord, said: _Said) -> tuple[InstallmentReport, ...]:
        """The invoice's installment reports once `said` is: those of installments it lists as owed withdrawn, those
        it says were paid or cancelled made (a report that says the same is kept as it was), in the invoice's order.
        A report a later upload made (one read before this one, for a file sent late) stays as it is."""
        numbers = [installment.number for installment in record.invoice.installments]
        kept = {r.installment: r for r in record.reported if r.installment not in said.owed or r.said_at > self.now}
        for number, told in said.settled.items():
            known = kept.get(number)
            if number in numbers and (known is None or (known.state != told.state and known.said_at <= self.now)):
                kept[number] = InstallmentReport(
                    installment=number,
                    state=told.state,
                    on=told.day if told.day is not None and told.day <= self.now.date() else None,
                    said_at=self.now,
                    origin=record_origin(self.upload, told.line),
                )
        return tuple(kept[number] for number in numbers if number in kept)

    def _said_entry(
        self, ledger: Ledger, record: InvoiceRecord, reported: tuple[InstallmentReport, ...]
    ) -> TimelineEntry:
        states = {state: [r.installment for r in reported if r.state == state] for state in ("paid", "cancelled")}
        withdrawn = [r.installment for r in record.reported if r.installment not in {n.installment for n in reported}]
        facts: dict[str, str | int] = {"invoice": record.invoice.key}
        facts |= {state: ", ".join(numbers) for state, numbers in states.items() if numbers}
        if withdrawn:
            facts["owed_again"] = ", ".join(withdrawn)
        said = "; ".join(f"{name}: {value}" for name, value in facts.items() if name != "invoice")
        return TimelineEntry(
            account_id=ledger.account.account_id,
            at=self.now,
            what="invoice.settled_by_upload",
            why=f"invoice {label_of(record.invoice)} as the upload {self.upload.name} says: installments {said}",
            source=f"upload:{self.upload.key}",
            facts=facts,
        )

    def _count_recorded(self, parsed: ParsedInvoice, found: StoredInvoice) -> bool:
        """Count an invoice found recorded as it was; True when an earlier attempt of this very upload wrote it."""
        mark = read_origin(found.origin)
        if mark.upload == self.upload.origin and mark.line == parsed.line:
            # Written by an earlier attempt of this very upload (a retried run): counted as it was then.
            self.counts["corrected" if mark.corrected else "created"] += 1
            return True
        self.counts["unchanged"] += 1
        return False

    def _count_opened_earlier(self, found_open: list[tuple[ParsedInvoice, str]]) -> None:
        """A run retried after a crash finds open the accounts its crashed attempt opened: each one is counted, with
        what the report said of its contact, at the invoice that opened it (its `opened_by`), so exactly once
        whatever the number of attempts. Accounts opened by an earlier run of a continued upload were opened at
        invoices this run does not handle."""
        accounts = self._accounts([account_id for _, account_id in found_open])
        for parsed, account_id in found_open:
            account = accounts.get(account_id)
            if account is not None and account.opened_by == record_origin(self.upload, parsed.line):
                self.counts["accounts_opened"] += 1
                self._warn_dropped(parsed, _new_contact(account.name, parsed.invoice.customer)[1])
                # The owner it got is kept (no new turn of a rotation); the report says again why the row's was not.
                because = self.ports.owners.refusal(parsed.owner)
                if because is not None:
                    self._warn_owner(parsed, because, f"the account went to {account.owner or 'nobody'}", account.owner)

    def _accounts(self, account_ids: list[str]) -> dict[str, Account]:
        """The accounts among `account_ids` that exist, read once per run (bounded cache)."""
        wanted = [account_id for account_id in dict.fromkeys(account_ids) if account_id not in self.known_accounts]
        if wanted:
            if len(self.known_accounts) > _CACHE_LIMIT:
                self.known_accounts.clear()
            self.known_accounts.update(self.ports.ledger.accounts(wanted))
        return self.known_accounts

    def _warn_owner(self, parsed: ParsedInvoice, because: str, instead: str, given: str | None) -> None:
        """The row's owner was refused; `given`: whom the account went to instead (None: nobody)."""
        if len(self.warnings) < _WARNINGS_KEPT:
            self.warnings.append(
                RowRefusal(
                    line=parsed.line,
                    reason=f"owner {parsed.owner!r} {because}: {instead}",
                    code="owner_refused" if given else "owner_refused_none",
                    facts={"owner": parsed.owner or "", "why": self.ports.owners.refusal_kind(parsed.owner) or ""},
                )
            )

    def _warn_dropped(self, parsed: ParsedInvoice, dropped: list[tuple[str, str]]) -> None:
        if len(self.warnings) < _WARNINGS_KEPT:
            self.warnings.extend(
                RowRefusal(
                    line=parsed.line,
                    reason=f"customer {what} not kept on the new account: {why}",
                    code="contact_not_kept",
                    facts={"field": "email" if what == "e-mail" else what},
                )
                for what, why in dropped
            )

    def _listed(self) -> tuple[RefusedRow, ...]:
        """The first rejected rows in the file's order, for the alert: the parser's and the recording's together,
        each fact cut to what a line of an e-mail shows (the report quotes it whole)."""
        from ponte.providers.base import fit_text  # noqa: PLC0415 - loaded once a file has a rejected row

        first = heapq.nsmallest(ROWS_LISTED, [*self.first_rejected, *self.refused], key=lambda row: row.line)
        return tuple(
            RefusedRow(
                line=row.line,
                code=row.code,
                facts={name: fit_text(value, _FACT_SHOWN) or value for name, value in row.facts.items()},
            )
            for row in first
        )

    def _row(self, row: RowRefusal, *, warning: bool = False, settled: bool = False) -> dict[str, object]:
        """A row of the report: its line, what is wrong or to check in the back office's language, and the same in
        English for whoever debugs the file; `settled` when the file says it was paid or cancelled."""
        from ponte.messages.texts.rows import UNCODED, row_message  # noqa: PLC0415 - loaded once a row needs one

        locale = self.settings.staff_locale
        # A row without a code was carried over from a run of a version before codes.
        message = UNCODED[locale][warning] if row.code is None else row_message(row.code, row.facts, locale)
        said = {"line": row.line, "message": message, "code": row.code, "reason": row.reason}
        return {**said, "settled": True} if settled else said

    def _resolve(self, references: list[tuple[str, str]]) -> None:
        unknown = [ref for ref in dict.fromkeys(references) if ref not in self.owners]
        if not unknown:
            return
        if len(self.owners) > _CACHE_LIMIT:
            self.owners.clear()
        self.owners.update(self.ports.accounts.owners_of(unknown))

    def _plan_opening(self, parsed: ParsedInvoice, references: list[tuple[str, str]], *, planned: set[str]) -> _Opening:
        """Plan an account for a customer no reference leads to, opened with the window's others
        (`_open_accounts`). The platform hears of each one; the owner (sales) is told of the new customer with what
        the invoice says was bought, unless this is the opening book.

        The account is reached at the customer's e-mail and phone, in the customer's language when the file gave
        one (else the business's default for customers). A contact detail the account cannot take is left out
        with a warning in the report: it never keeps the invoice from being recorded. The owner is the row's when
        the staff directory accepts them, else the directory's rule for uploads (`ponte.services.owners`); a
        refused owner is a warning on the row, never a rejection of the invoice.

        The customer's references lead to the planned account from now on, so that the window's later rows of the
        same customer find it. `planned`: the ids of the window's openings so far; a customer whose id is among
        them (two references made the same id) is opened by that opening."""
        customer = parsed.invoice.customer
        account_id = new_account_id(references)
        # The reference stays as written (it is a key), but as the account's name it reaches the platform's event
        # and the alerts: without what a spreadsheet would run (`ponte.invoices.formulas`).
        name = customer.name or without_formula(customer.reference or "") or "?"
        contact, dropped = _new_contact(name, customer)
        if account_id in planned:
            for ref in references:
                self.owners.setdefault(ref, account_id)
            return _Opening(parsed, account_id, references, dropped)
        command = OpenAccount(
            account_id=account_id,
            name=name,
            locale=customer.locale or self.settings.customer_locale,
            contact=contact,
            owner=parsed.owner,
        )
        assigned = self.ports.owners.assign(parsed.owner, source="upload")
        change = opening_change(
            command,
            now=self.now,
            staff_locale=self.settings.staff_locale,
            source=f"upload:{self.upload.key}",
            assigned=assigned,
        )
        notifications = [n for n in change.notifications if n.audience is Audience.PLATFORM]
        if not self.upload.opening:
            notifications.append(self._new_customer(change.account, parsed))
        change = change.model_copy(
            update={
                "notifications": tuple(notifications),
                # An e-mail another account holds stays with it (a shared address never joins two tax ids).
                "references": tuple(ref for ref in references if ref not in self.owners),
                "account": change.account.model_copy(
                    update={"tax_id": customer.tax_id, "opened_by": record_origin(self.upload, parsed.line)}
                ),
            }
        )
        for ref in references:
            self.owners.setdefault(ref, account_id)
        return _Opening(parsed, account_id, references, dropped, change, assigned)

    def _open_accounts(self, openings: list[_Opening]) -> tuple[set[str], dict[str, str]]:
        """Open the window's planned accounts together, in transactions of up to 100 items. The openings of a
        transaction that was refused (a reference or the account written meanwhile, by a webhook or another upload)
        are opened one by one, each as if alone. Returns the accounts this call opened, and the planned accounts
        that turned out to be another's account: {planned id: the customer's account}."""
        changes = [opening.change for opening in openings if opening.change is not None]
        refused = {change.account.account_id for change in self.ports.ledger.open_accounts(changes)}
        opened: set[str] = set()
        moved: dict[str, str] = {}
        for opening in openings:
            self._warn_dropped(opening.parsed, opening.dropped)
            if opening.change is None:
                continue  # opened by the window's opening of the same id
            found = self._open_alone(opening) if opening.account_id in refused else None
            if found is None:
                self._opened(opening)
                opened.add(opening.account_id)
            elif found != opening.account_id:
                moved[opening.account_id] = found
        for opening in openings:  # the customer's references lead to the account found instead
            for ref in opening.references:
                if self.owners.get(ref) in moved:
                    self.owners[ref] = moved[self.owners[ref]]
        return opened, moved

    def _open_alone(self, opening: _Opening) -> str | None:
        """Open one account in its own transaction: None when opened, else the account the customer turned out to
        have."""
        assert opening.change is not None
        try:
            self.ports.accounts.commit(opening.change)
        except DuplicateEvent:
            return opening.account_id  # opened meanwhile by another upload of the same customer
        except ConcurrentModification:
            # A reference was claimed meanwhile by another account: that account is the customer's.
            owners = self.ports.accounts.owners_of(opening.references)
            found = next((owners[ref] for ref in opening.references if ref in owners), None)
            if found is None:
                raise
            return found
        return None

    def _opened(self, opening: _Opening) -> None:
        assert opening.change is not None
        self.counts["accounts_opened"] += 1
        self.known_accounts[opening.account_id] = opening.change.account  # read by the invoices' notices
        assigned = opening.assigned
        if assigned is not None and assigned.refused is not None and assigned.refused_because is not None:
            self._warn_owner(opening.parsed, assigned.refused_because, assigned.instead(), assigned.owner)

    def _new_customer(self, account: Account, parsed: ParsedInvoice) -> Notification:
        invoice = parsed.invoice
        body = NewCustomerInvoice(
            customer_name=account.name,
            contact=invoice.customer.email,
            invoice_number=label_of(invoice),
            issuer=invoice.issuer.name if invoice.issuer else None,
            total=invoice.total,
            installments=_due(invoice, self.settings.holidays),
            items=parsed.items,
            source=self.upload.name,
        )
        return Notification(
            notification_id=notification_id(f"first-invoice:{account.account_id}", Audience.STAFF, body.kind),
            audience=Audience.STAFF,
            team=Team.SALES,
            account_id=account.account_id,
            owner=account.owner,
            locale=self.settings.staff_locale,
            occurred_at=self.now,
            body=body,
        )

    def _cancel(self, parsed: ParsedCancellation) -> None:
        """Apply an NF-e's cancellation to its account, or keep it until the NF-e arrives."""
        record = CancellationRecord(
            access_key=parsed.access_key,
            cancelled_at=parsed.cancelled_at,
            recorded_at=self.now,
            origin=record_origin(self.upload, parsed.line),
            reason=parsed.reason[:300] if parsed.reason else None,
        )
        owner = self.ports.accounts.owners_of([("nfe", parsed.access_key)]).get(("nfe", parsed.access_key))
        if owner is None:
            self.ports.ledger.park_cancellation(record)
            self.warnings.append(
                RowRefusal(
                    line=parsed.line,
                    reason="cancellation of an NF-e not recorded yet: kept, and applied when the NF-e arrives",
                    code="cancellation_kept",
                )
            )
            return
        applied, known = self._apply_cancellations(owner, [record])
        # A file sent again finds its cancellation already applied: counted only when it was this upload's doing
        # (an earlier attempt of it that then crashed), so that the report and the alert tell what this upload did.
        self.counts["cancelled"] += applied + sum(read_origin(c.origin).upload == self.upload.origin for c in known)

    def _apply_cancellations(
        self, account_id: str, records: list[CancellationRecord]
    ) -> tuple[int, list[CancellationRecord]]:
        """One transaction: the cancellations the account does not hold yet, a timeline entry each, and the account
        evaluated again now. Returns how many this call applied, and the account's records of the others."""
        for _ in range(3):
            ledger = self.ports.accounts.load_ledger(account_id)
            if ledger is None:
                raise ConcurrentModification(f"account {account_id} could not be read")
            held = {c.access_key: c for c in ledger.cancellations}
            known = [held[r.access_key] for r in records if r.access_key in held]
            fresh = [r for r in records if r.access_key not in held]
            if not fresh:
                return 0, known
            cause = hashlib.sha256("|".join(sorted(r.access_key for r in fresh)).encode()).hexdigest()[:32]
            entries = []
            for record in fresh:
                cancelled = next(
                    (r.invoice for r in ledger.invoices if r.invoice.access_key == record.access_key), None
                )
                number = cancelled.number if cancelled else record.access_key[25:34].lstrip("0")
                entries.append(
                    TimelineEntry(
                        account_id=account_id,
                        at=self.now,
                        what="invoice.cancelled",
                        why=f"NF-e {number} was cancelled at SEFAZ: nothing is owed on it and no notice will "
                        f"name it" + (f" ({record.reason})" if record.reason else ""),
                        source=f"upload:{self.upload.key}",
                        facts={"invoice": number},
                    )
                )
            change = AccountChange(
                account=next_version(ledger.account, next_evaluation_at=_earliest(ledger.account, self.now)),
                recorded_at=self.now,
                expected_version=ledger.account.version,
                timeline=tuple(entries),
                cancellations=tuple(fresh),
                dedup_key=f"nfe-cancelled:{account_id}:{cause}",
            )
            try:
                self.ports.accounts.commit(change)
            except ConcurrentModification:
                continue
            except DuplicateEvent:
                pass  # applied by an earlier attempt
            return len(fresh), known
        raise ConcurrentModification(f"account {account_id} kept changing while a cancellation was applied")

    def _correct(self, account_id: str, corrected: list[ParsedInvoice]) -> None:
        """Apply corrected invoices to one account in one transaction, with a timeline entry each."""
        keys = "|".join(sorted(p.invoice.key for p in corrected))
        cause = hashlib.sha256(f"{self.upload.upload_id}|{account_id}|{keys}".encode()).hexdigest()[:32]
        ledger = self._write_invoices(
            account_id, f"upload-correction:{cause}", partial(self._corrected, corrected=corrected)
        )
        if ledger is None:
            raise ConcurrentModification(f"account {account_id} has invoices but could not be read")
        applied, refused = _corrections(ledger, corrected)
        self.counts["corrected"] += len(applied)
        self.refused.extend(refused)

    def _corrected(
        self, ledger: Ledger, *, corrected: list[ParsedInvoice]
    ) -> tuple[tuple[InvoiceRecord, ...], tuple[TimelineEntry, ...]]:
        applied, _ = _corrections(ledger, corrected)
        return (
            tuple(self._record_of(parsed, corrected=True) for parsed in applied),
            tuple(self._correction_entry(ledger, parsed) for parsed in applied),
        )

    def _correction_entry(self, ledger: Ledger, parsed: ParsedInvoice) -> TimelineEntry:
        invoice = parsed.invoice
        before = ledger.invoice(invoice.key)
        old_total = str(before.invoice.total) if before else "?"
        return TimelineEntry(
            account_id=ledger.account.account_id,
            at=self.now,
            what="invoice.corrected",
            why=f"invoice {invoice.number} corrected by the upload {self.upload.name}: {old_total} -> {invoice.total}",
            source=f"upload:{self.upload.key}",
            facts={
                "invoice": invoice.number,
                "invoice_key": invoice.key,
                "line": parsed.line,
                "previous_total": old_total,
                "total": str(invoice.total),
            },
        )

    def _record_of(self, parsed: ParsedInvoice, *, corrected: bool = False) -> InvoiceRecord:
        origin = record_origin(self.upload, parsed.line, corrected=corrected)
        return InvoiceRecord(invoice=parsed.invoice, recorded_at=self.now, origin=origin)

    def _record_new(self, new: list[tuple[ParsedInvoice, str]]) -> None:
        records = [(account_id, self._record_of(parsed)) for parsed, account_id in new]
        if self.settings.customer_notices and not self.upload.opening:
            # Written before the invoices: a crash in between leaves a notice whose invoice the retry records,
            # never an invoice whose notice the retry would skip (it finds the invoice already recorded).
            notices = self._notices(records)
            if notices:
                self.ports.ledger.queue_notices(notices, recorded_at=self.now)
        self.ports.ledger.record_invoices(records, due_at=self.now)
        self.counts["created"] += len(records)
        self._apply_parked([(account_id, record.invoice) for account_id, record in records])

    def _apply_parked(self, recorded: list[tuple[str, Invoice]]) -> None:
        """Apply the cancellations kept for these just-recorded NF-e, which arrived before them."""
        nfe = {invoice.access_key: account_id for account_id, invoice in recorded if invoice.access_key}
        if not nfe:
            return
        parked: dict[str, list[CancellationRecord]] = defaultdict(list)
        for record in self.ports.ledger.parked_cancellations(list(nfe)):
            parked[nfe[record.access_key]].append(record)
        for account_id, cancellations in parked.items():
            self._apply_cancellations(account_id, cancellations)
            self.counts["cancelled"] += len(cancellations)

    def _notices(self, records: list[tuple[str, InvoiceRecord]]) -> list[Notification]:
        accounts = self._accounts([account_id for account_id, _ in records])
        notices = []
        for account_id, record in records:
            account = accounts.get(account_id)
            if account is None or not (account.contact.email or account.contact.phone):
                continue
            if (account_id, nfe_named(record.invoice)) in self.told_as_nfe:
                continue  # the customer heard of this sale with its NF-e
            if record.invoice.installments:  # credit notes owe the customer nothing
                notices.append(_invoice_notice(account, record.invoice, self.now, self.settings.holidays))
        return notices

    # ------------------------------------------------------------------ the end of a run
    def _continue(self, recorded: int) -> UploadOutcome:
        progress = self.progress.model_copy(
            update={
                "recorded": recorded,
                "settled_reported": self.settled_done,
                "counts": UploadCounts(**self.counts),
                "refused": tuple(self.refused),
                "warnings": tuple(self.warnings[:_WARNINGS_KEPT]),
                "runs": self.progress.runs + 1,
            }
        )
        self.ports.continuations.send(progress)
        return UploadOutcome(
            status="continued",
            upload_id=self.upload.upload_id,
            file=self.upload.key,
            counts=progress.counts,
            runs=self.progress.runs,
        )

    def _finish(self, rejections: IO[bytes], rejected: int) -> UploadOutcome:
        counts = UploadCounts(**self.counts)
        total_rejected = rejected + len(self.refused)
        report_key = self.upload.report_key(PROCESSED)
        moved_to = self.upload.moved_key(PROCESSED)
        rejections.seek(0)
        rows = heapq.merge(
            (json.loads(line) for line in rejections),
            (self._row(r) for r in sorted(self.refused, key=lambda r: r.line)),
            key=lambda row: int(row["line"]),
        )
        header = _report_header(
            self.upload, self.progress.file_format, "imported", moved_to, None, runs=self.progress.runs
        )
        header["counts"] = {
            "invoices": self.progress.invoices,
            "imported": counts.imported,
            "created": counts.created,
            "corrected": counts.corrected,
            "unchanged": counts.unchanged,
            "rejected": total_rejected,
            "settled": self.settled,
            "accounts_opened": counts.accounts_opened,
            "cancelled": counts.cancelled,
            "warnings": len(self.warnings),
        }
        header["opening"] = self.upload.opening
        header["warnings"] = [self._row(w, warning=True) for w in self.warnings[:_WARNINGS_KEPT]]
        body = InvoicesImported(
            file=self.upload.key,
            file_format=self.progress.file_format.value,
            imported=counts.imported,
            corrected=counts.corrected,
            unchanged=counts.unchanged,
            rejected=total_rejected,
            settled=self.settled,
            accounts_opened=counts.accounts_opened,
            report=report_key,
            opening=self.upload.opening,
            cancelled=counts.cancelled,
            warnings=len(self.warnings),
            rows=self._listed(),
        )
        severity = Severity.WARNING if total_rejected or self.warnings else Severity.INFO
        _settle(
            self.upload,
            header=header,
            rows=rows,
            report_key=report_key,
            moved_to=moved_to,
            body=body,
            severity=severity,
            ports=self.ports,
            settings=self.settings,
        )
        return UploadOutcome(
            status="imported",
            upload_id=self.upload.upload_id,
            file=self.upload.key,
            counts=counts,
            rejected=total_rejected,
            settled=self.settled,
            report=report_key,
            runs=self.progress.runs,
        )


def _quarantine(
    upload: UploadedObject,
    file_format: SourceFormat | None,
    refused: FileRejected,
    *,
    ports: UploadPorts,
    settings: UploadSettings,
) -> UploadOutcome:
    """Set the file aside: the report says why in English (`reason`), the alert by `code` and `facts`, which its
    text tells in the reader's language."""
    reason = str(refused)
    report_key = upload.report_key(QUARANTINE)
    moved_to = upload.moved_key(QUARANTINE)
    header = _report_header(upload, file_format, "quarantined", moved_to, reason, runs=1)
    header["message"] = _said(refused.code, refused.facts, settings.staff_locale)
    header["counts"] = {"invoices": 0, "imported": 0, "rejected": 0}
    body = UploadQuarantined(file=upload.key, reason=reason, report=report_key, code=refused.code, facts=refused.facts)
    _settle(
        upload,
        header=header,
        rows=iter(()),
        report_key=report_key,
        moved_to=moved_to,
        body=body,
        severity=Severity.WARNING,
        ports=ports,
        settings=settings,
    )
    return UploadOutcome(
        status="quarantined", upload_id=upload.upload_id, file=upload.key, report=report_key, reason=reason
    )


def _settle(
    upload: UploadedObject,
    *,
    header: dict[str, object],
    rows: Iterator[dict[str, object]],
    report_key: str,
    moved_to: str,
    body: InvoicesImported | UploadQuarantined,
    severity: Severity,
    ports: UploadPorts,
    settings: UploadSettings,
) -> None:
    """Report, copy, then the marker with the alert, then delete: each step is safe to repeat after a crash, and
    the marker is written only once the report and the copy exist."""
    with SpooledTemporaryFile(max_size=_SPOOL_BYTES, mode="w+b") as report:
        _write_report(report, header, rows)
        report.seek(0)
        ports.objects.put_report(upload.bucket, report_key, report)
    ports.objects.copy(upload, moved_to)
    alert = Notification(
        notification_id=notification_id(upload.dedup_key, Audience.STAFF, body.kind),
        audience=Audience.STAFF,
        severity=severity,
        team=Team.BACKOFFICE,
        account_id=BACKOFFICE_ACCOUNT,
        locale=settings.staff_locale,
        occurred_at=upload.received_at,
        body=body,
    )
    ports.ledger.finish_upload(upload.dedup_key, alert, at=upload.received_at, moved_to=moved_to)
    ports.objects.delete(upload)


def _said(code: QuarantineCode, facts: dict[str, str], locale: Locale) -> str:
    """Why a whole file was set aside, and what to do, in the back office's language."""
    from ponte.messages.texts.invoices import refusal  # noqa: PLC0415 - the messages load once a report needs one

    reason, advice = refusal(code, facts, locale)
    return f"{reason[:1].upper()}{reason[1:]}. {advice}"


def _skipped(locale: Locale) -> str:
    from ponte.messages.texts.rows import SKIPPED  # noqa: PLC0415 - the messages load once a report needs one

    return SKIPPED[locale]


def _report_header(
    upload: UploadedObject,
    file_format: SourceFormat | None,
    status: str,
    moved_to: str | None,
    reason: str | None,
    *,
    runs: int,
) -> dict[str, object]:
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "status": status,
        "reason": reason,
        "file": {
            "bucket": upload.bucket,
            "key": upload.key,
            "version_id": upload.version_id,
            "etag": upload.etag,
            "size": upload.size,
            "format": file_format.value if file_format else None,
        },
        "received_at": upload.received_at.isoformat(),
        "moved_to": moved_to,
        "runs": runs,
    }


def _write_report(target: IO[bytes], header: dict[str, object], rows: Iterator[dict[str, object]]) -> None:
    """The report's JSON, written as it goes: `rejected` may list more rows than are worth holding in memory."""
    target.write(json.dumps(header, ensure_ascii=False, indent=1)[:-2].encode() + b',\n "rejected": [')
    for position, row in enumerate(rows):
        target.write((b",\n  " if position else b"\n  ") + json.dumps(row, ensure_ascii=False).encode())
    target.write(b"\n ]\n}\n")


def _json_line(row: dict[str, object]) -> bytes:
    return json.dumps(row, ensure_ascii=False).encode() + b"\n"


def _corrections(ledger: Ledger, corrected: list[ParsedInvoice]) -> tuple[list[ParsedInvoice], list[RowRefusal]]:
    """Split corrections into those that apply and those refused: an invoice already paid, even in part, keeps
    the amounts its payments were allocated against."""
    paid = {r.invoice_id for r in ledger.receivables() if r.outstanding.amount < r.amount_due.amount}
    applied, refused = [], []
    for parsed in corrected:
        if parsed.invoice.key in paid:
            refused.append(
                RowRefusal(
                    line=parsed.line,
                    reason=f"invoice {parsed.invoice.number} is already paid, at least in part: its corrected "
                    "amounts were not applied",
                    code="already_paid",
                    facts={"number": parsed.invoice.number},
                )
            )
        else:
            applied.append(parsed)
    return applied, refused


@dataclass(frozen=True, slots=True)
class _Said:
    """What a file says of an invoice an account holds (under `key`; its line and number in the file): the
    installments it says were paid or cancelled, by the invoice's numbers, and the numbers of those it lists as
    owed."""

    key: str
    line: int
    number: str
    settled: dict[str, SettledInstallment]
    owed: frozenset[str]


def _held_number(written: str | None, numbers: Sequence[str]) -> str | None:
    """The number, among the held invoice's `numbers`, of an installment a file writes `written` (None: it numbers
    none, which is the invoice's only installment, when it has one); None when it is none of them."""
    if written is None:
        return numbers[0] if len(numbers) == 1 else None
    return written if written in numbers else None


def _keys_of(invoice: Invoice) -> tuple[str, ...]:
    """The keys an invoice may be held under: its own, then those it was recorded under before."""
    return (invoice.key, *invoice.earlier_keys)


def _as_held(parsed: ParsedInvoice, account_id: str, stored: dict[tuple[str, str], StoredInvoice]) -> ParsedInvoice:
    """The invoice under the key, number and series Ponte holds it by: one recorded under an earlier key, or whose
    number a later file writes otherwise (`123` for `000123`), is the same invoice, compared as it is held; a
    re-upload, not a second receivable nor a correction."""
    invoice = parsed.invoice
    for key in _keys_of(invoice):
        found = stored.get((account_id, key))
        if found is not None:
            held = {"key": key, "number": found.number, "series": found.series}
            if held == {"key": invoice.key, "number": invoice.number, "series": invoice.series}:
                return parsed
            return replace(parsed, invoice=invoice.model_copy(update=held))
    return parsed


def _owner_of(owners: dict[tuple[str, str], str], references: list[tuple[str, str]]) -> str | None:
    """The account the first claimed reference leads to. A customer with a tax id never joins by e-mail alone:
    an accounting office may use one address for several clients, each with its own tax id."""
    with_tax_id = any(kind == "tax_id" for kind, _ in references)
    return next(
        (owners[ref] for ref in references if ref in owners and not (with_tax_id and ref[0] == "email")),
        None,
    )


def _new_contact(name: str, customer: Party) -> tuple[Contact, list[tuple[str, str]]]:
    """The contact of an account opened for `customer`, and the details left out of it (what, why). The parsers
    already leave out what they cannot read; this keeps a detail the account's own rules refuse from failing the
    invoice, should the two ever differ."""
    fields: dict[str, str | None] = {"name": name, "email": customer.email, "phone": customer.phone}
    dropped: list[tuple[str, str]] = []
    for what, field_name in (("e-mail", "email"), ("phone", "phone")):
        try:
            Contact.model_validate({"name": name, field_name: fields[field_name]})
        except ValidationError as exc:
            fields[field_name] = None
            dropped.append((what, exc.errors(include_url=False, include_input=False)[0]["msg"]))
    return Contact.model_validate(fields), dropped


def _earliest(account: Account, now: datetime) -> datetime:
    return now if account.next_evaluation_at is None else min(account.next_evaluation_at, now)


def _due(invoice: Invoice, holidays: frozenset[date]) -> tuple[DueInstallment, ...]:
    installments = []
    for i in invoice.installments:
        moved = next_business_day(i.due_date, holidays)
        installments.append(
            DueInstallment(
                number=i.number,
                due_date=i.due_date,
                amount=i.amount,
                effective_due_date=moved if moved != i.due_date else None,
            )
        )
    return tuple(installments)


def _invoice_notice(account: Account, invoice: Invoice, now: datetime, holidays: frozenset[date]) -> Notification:
    body = InvoiceIssued(
        customer_name=account.contact.name,
        invoice_number=label_of(invoice),
        total=invoice.total,
        installments=_due(invoice, holidays),
        payment_url=invoice.payment_url,
        bank_slip=invoice.bank_slip,
    )
    cause = f"invoice-issued:{account.account_id}:{invoice.key}"
    return Notification(
        notification_id=notification_id(cause, Audience.CUSTOMER, body.kind),
        audience=Audience.CUSTOMER,
        account_id=account.account_id,
        owner=account.owner,
        locale=account.locale,
        occurred_at=now,
        body=body,
    )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"
