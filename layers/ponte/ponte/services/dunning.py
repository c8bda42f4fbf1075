"""The scheduled collections run: the sweep finds the accounts due, the worker evaluates each one.

The sweep reads only the sparse `due` index (never the table) and hands each due account to the worker as one
message, so that a failure holds up only that account. The worker evaluates the account from its whole ledger at
the sweep's time and writes the outcome as one change (see `ponte.services.collections`), which also clears the
re-evaluation flags the sweep saw.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from ponte.domain.accounts import Account, AccountStatus, Locale
from ponte.domain.bodies.collections import CollectionsAlert
from ponte.domain.errors import ConcurrentModification, DuplicateEvent, InvalidInput
from ponte.domain.notifications import Audience, Notification, Severity, Team, notification_id
from ponte.services.collections import change_for, decide

if TYPE_CHECKING:
    from ponte.domain.changes import AccountChange
    from ponte.domain.ledger import Ledger
    from ponte.domain.policy import Policy

ATTEMPTS = 3  # evaluations of one account per message before it goes back to the queue
MAX_FLAGS_PER_CHANGE = 50  # a transaction holds 100 items; the rest wait for the next sweep
_OWING = {AccountStatus.OVERDUE, AccountStatus.SUSPENDED}


class Job(BaseModel):
    """One account for the worker, with the sweep's time and the flags it saw."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    account_id: str = Field(min_length=1)
    now: AwareDatetime
    run: str = Field(min_length=1, description="The sweep run: its scheduled time, in UTC.")
    flags: tuple[tuple[str, str], ...] = ()


class DueAccount(Protocol):
    account_id: str
    flags: list[tuple[str, str]]


class DueScan(Protocol):
    @property
    def accounts(self) -> Sequence[DueAccount]: ...

    @property
    def items_read(self) -> int: ...


class DueAccounts(Protocol):
    def due(self, now: datetime) -> DueScan:
        """Every account with an evaluation due at or before `now`, with the flags on its other items."""


class WorkQueue(Protocol):
    def send(self, bodies: Sequence[str]) -> int:
        """Send the messages; returns the calls it took. Raises if any was refused."""


class LedgerStore(Protocol):
    def load_ledger(self, account_id: str) -> Ledger | None: ...

    def commit(self, change: AccountChange) -> None: ...


class BookKeeping(Protocol):
    def keep(
        self,
        account_id: str,
        status: AccountStatus,
        suspended_at: datetime | None,
        *,
        owner: str | None = None,
        overdue_since: date | None = None,
    ) -> None:
        """List the account in the overdue book (and, with `overdue_since`, in its owner's)."""

    def drop(self, account_id: str) -> None:
        """Take the account off the overdue book."""


class Book(BookKeeping, Protocol):
    def publish(self, notification: Notification, recorded_at: datetime, *, business_wide: bool = False) -> bool:
        """Write one notification to the outbox, once; False if it was already written."""


@dataclass(frozen=True)
class SweepResult:
    accounts: int
    flags: int
    items_read: int
    queue_calls: int


def sweep(index: DueAccounts, queue: WorkQueue, *, now: datetime) -> SweepResult:
    """Hand every account due by `now` to the worker. Running it again finds only what is still due."""
    scan = index.due(now)
    run = now.isoformat()
    bodies = [
        Job(
            account_id=due.account_id,
            now=now,
            run=run,
            flags=tuple(due.flags[:MAX_FLAGS_PER_CHANGE]),
        ).model_dump_json()
        for due in scan.accounts
    ]
    calls = queue.send(bodies) if bodies else 0
    flags = sum(len(due.flags) for due in scan.accounts)
    return SweepResult(accounts=len(bodies), flags=flags, items_read=scan.items_read, queue_calls=calls)


class Outcome(StrEnum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    ALREADY_DONE = "already_done"  # the same run already changed the account
    SKIPPED = "skipped"  # invalid data: staff alerted
    MISSING = "missing"  # no account item (yet)


@dataclass(frozen=True)
class Collections:
    """What the worker needs besides the job: the ports and the business's settings."""

    store: LedgerStore
    book: Book
    policy: Policy
    time_zone: str
    holidays: frozenset[date]
    staff_locale: Locale


def evaluate_account(job: Job, deps: Collections) -> tuple[Outcome, AccountChange | None]:
    """Evaluate one account at the sweep's time and write the outcome as one change.

    Of two evaluations that overlap, one is written; the other reads again and finds nothing left to do. After
    `ATTEMPTS` conflicts, ConcurrentModification propagates so that the message is retried later.
    """
    flags = job.flags
    for attempt in range(1, ATTEMPTS + 1):
        try:
            ledger = deps.store.load_ledger(job.account_id)
            if ledger is None:
                return Outcome.MISSING, None
            decision = decide(ledger, now=job.now, policy=deps.policy, time_zone=deps.time_zone, holidays=deps.holidays)
        except (ValidationError, InvalidInput) as invalid:
            _alert_invalid(job, deps, invalid)
            return Outcome.SKIPPED, None
        cause = f"dunning:{job.account_id}:{job.run}"
        change = change_for(ledger, decision, now=job.now, staff_locale=deps.staff_locale, cause=cause)
        if change is None and flags:
            change = _flags_only(ledger, job, cause)
        if change is not None and flags:
            change = change.model_copy(update={"cleared_flags": flags})
        try:
            if change is not None:
                deps.store.commit(change)
        except DuplicateEvent:
            keep_book(deps.book, ledger.account, None, decision.anchor, job.now)
            return Outcome.ALREADY_DONE, None
        except ConcurrentModification:
            if attempt == ATTEMPTS:
                raise
            # A flag that changed meanwhile is newer than this evaluation: it stays for the next sweep.
            flags = ()
            continue
        keep_book(deps.book, ledger.account, change, decision.anchor, job.now)
        return (Outcome.UNCHANGED, None) if change is None else (Outcome.CHANGED, change)
    raise AssertionError("unreachable")  # pragma: no cover


def _flags_only(ledger: Ledger, job: Job, cause: str) -> AccountChange:
    """A change that only answers the flags: the account moves to its next version, nothing else."""
    from ponte.domain.accounts import next_version  # noqa: PLC0415
    from ponte.domain.changes import AccountChange  # noqa: PLC0415

    return AccountChange(
        account=next_version(ledger.account),
        recorded_at=job.now,
        expected_version=ledger.account.version,
        dedup_key=cause,
    )


def keep_book(
    book: BookKeeping, before: Account, change: AccountChange | None, overdue_since: date | None, now: datetime
) -> None:
    """Keep the overdue book after the change is written; a failure here retries the message, which heals it."""
    account = change.account if change is not None else before
    suspended = change is not None and any(entry.what == "account.suspended" for entry in change.timeline)
    if account.status in _OWING:
        book.keep(
            account.account_id,
            account.status,
            now if suspended else None,
            owner=account.owner,
            overdue_since=overdue_since,
        )
    elif before.status in _OWING:
        book.drop(account.account_id)


def _alert_invalid(job: Job, deps: Collections, invalid: ValidationError | InvalidInput) -> None:
    """Tell collections once per distinct problem; the account stays due, so it is looked at again once fixed."""
    problems = _problems(invalid)
    digest = hashlib.sha256(problems.encode()).hexdigest()[:16]
    body = CollectionsAlert(reason="invalid_account", detail=problems, problems=_parts(invalid))
    deps.book.publish(
        Notification(
            notification_id=notification_id(f"dunning:{job.account_id}:invalid:{digest}", Audience.STAFF, body.kind),
            audience=Audience.STAFF,
            severity=Severity.WARNING,
            team=Team.COLLECTIONS,
            account_id=job.account_id,
            locale=deps.staff_locale,
            occurred_at=job.now,
            body=body,
        ),
        job.now,
    )


def _problems(invalid: ValidationError | InvalidInput) -> str:
    """Where the data is wrong and why, without the values themselves (they may be personal data)."""
    if isinstance(invalid, ValidationError):
        return "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or invalid.title}: {error['msg']}"
            for error in invalid.errors(include_input=False, include_url=False)
        )
    return str(invalid)


def _parts(invalid: ValidationError | InvalidInput) -> tuple[str, ...]:
    """The top-level parts of the record found wrong (`contact`, `invoices`...), each once: what staff read."""
    if not isinstance(invalid, ValidationError):
        return ()
    return tuple(dict.fromkeys(str(e["loc"][0]) for e in invalid.errors(include_input=False) if e["loc"]))


def alert_refused_policy(
    book: Book, *, version: int, in_force: int, because: str, now: datetime, locale: Locale
) -> bool:
    """Tell collections, once per refused version, that a policy edit was refused and which version stays."""
    body = CollectionsAlert(
        reason="invalid_policy",
        detail=f"version {version} of the policy parameter was refused; version {in_force} stays in force. {because}",
        policy_version=version,
        in_force=in_force,
    )
    return book.publish(
        Notification(
            notification_id=notification_id(f"dunning-policy:v{version}", Audience.STAFF, body.kind),
            audience=Audience.STAFF,
            severity=Severity.CRITICAL,
            team=Team.COLLECTIONS,
            account_id="",
            locale=locale,
            occurred_at=now,
            body=body,
        ),
        now,
        business_wide=True,
    )
