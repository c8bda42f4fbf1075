"""`ponte policy check FILE` and `ponte policy preview FILE`: a policy edit checked, then tried on the book.

`check` validates the document as the functions will (`ponte.domain.policy.load_policy`) and, against a stack,
asks for a version above the one in force.

`preview` is a dry run of the new policy against the current book: the dunning engine decides every account that is
due or overdue under the policy in force and under the new one, at the same moment, and the two outlooks are
compared: the step due now and the coming steps up to `--days` ahead, and when each account would be suspended.
It only reads, and only by key: the sparse `due` index (accounts with an evaluation scheduled, the sweep's own
query) and the overdue book's partition, one paginated query each, then one query per account for its ledger;
never a scan, so its cost follows the accounts due, not the table. The due index is read further ahead when the
new policy's first reminder comes earlier than the one in force, so that its earlier reminders are seen.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from infra.cli.aws import Aws, Business, Failed
from infra.cli.show import NOTHING, Progress, as_json, day, money, table
from ponte.domain.accounts import AccountStatus
from ponte.domain.dunning import Decision, HandOff, NotifyCustomer, PlannedStep, Suspend
from ponte.domain.errors import InvalidInput
from ponte.domain.money import Money
from ponte.domain.policy import CUSTOMER_NOTICES, DayCount, Policy, StepKind, load_policy

if TYPE_CHECKING:
    from ponte.domain.ledger import Ledger

_INVALID = "invalid dunning policy: "


# policy check


@dataclass(frozen=True)
class Checked:
    source: str
    policy: Policy | None
    problems: tuple[str, ...]
    in_force_version: int | None = None

    @property
    def valid(self) -> bool:
        return self.policy is not None and not self.problems

    def document(self) -> dict[str, Any]:
        return {
            "file": self.source,
            "valid": self.valid,
            "problems": list(self.problems),
            "version": self.policy.version if self.policy else None,
            "in_force_version": self.in_force_version,
        }


def read_text(source: str) -> str:
    """The document in a file, or on standard input for `-`."""
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except OSError as error:
        raise Failed(f"cannot read {source}: {error.strerror or error}") from None


def check(source: str, text: str, in_force: Policy | None = None) -> Checked:
    """Every problem of the document, one per line; against a policy in force, its version must be higher."""
    try:
        policy = load_policy(text)
    except InvalidInput as invalid:
        return Checked(source, None, tuple(problems_of(invalid)))
    problems = []
    if in_force is not None and policy.version <= in_force.version:
        problems.append(
            f"version: {policy.version} is not above the version in force ({in_force.version}); "
            "raise it on every change"
        )
    return Checked(source, policy, tuple(problems), in_force.version if in_force else None)


def problems_of(invalid: InvalidInput) -> list[str]:
    return [problem for problem in str(invalid).removeprefix(_INVALID).split("; ") if problem]


def render_check(checked: Checked, *, as_document: bool) -> str:
    if as_document:
        return as_json(checked.document())
    if not checked.valid:
        return "\n".join([f"{checked.source}: invalid", *(f"  {problem}" for problem in checked.problems)])
    policy = checked.policy
    assert policy is not None
    against = f" (in force: version {checked.in_force_version})" if checked.in_force_version is not None else ""
    local = f", local holidays {' '.join(h.on for h in policy.local_holidays)}" if policy.local_holidays else ""
    lines = [
        f"{checked.source}: valid, version {policy.version}{against}; {policy.day_count.value} days, deadline named "
        f"{policy.deadline_notice_days} days ahead, fees {policy.fees.mode}{local}",
        table(
            ["STEP", "KIND", "DAYS", "WHEN"],
            [
                [s.id, s.kind.value, f"{s.offset_days:+d}", _condition(s.min_amount, s.min_invoices)]
                for s in policy.steps
            ],
        ),
    ]
    return "\n".join(lines)


def _condition(min_amount: dict[str, int], min_invoices: int) -> str:
    parts = []
    if min_amount:
        parts.append("at least " + " or ".join(str(Money(amount=a, currency=c)) for c, a in sorted(min_amount.items())))
    if min_invoices > 1:
        parts.append(f"{min_invoices} invoices or more")
    return "; ".join(parts) or "always"


# policy preview


@dataclass(frozen=True)
class Outlook:
    """What one policy does for an account: the status after evaluating it now, the steps due now (dated today) and
    those coming up to the horizon, and the day it would be suspended, if it would."""

    status: AccountStatus
    steps: tuple[PlannedStep, ...]

    @property
    def suspension(self) -> date | None:
        return next((s.on for s in self.steps if s.kind is StepKind.SUSPEND), None)

    @property
    def notices(self) -> int:
        return sum(s.kind in CUSTOMER_NOTICES for s in self.steps)

    def next(self, today: date) -> str:
        if not self.steps:
            return NOTHING
        first = self.steps[0]
        return f"{first.step_id} {'now' if first.on <= today else first.on.isoformat()}"

    def document(self) -> dict[str, Any]:
        return {"status": self.status.value, "steps": self.steps, "suspension": self.suspension}


def outlook(decision: Decision, *, today: date, until: date) -> Outlook:
    now: list[PlannedStep] = []
    for action in decision.actions:
        match action:
            case NotifyCustomer():
                now.append(
                    PlannedStep(step_id=action.step_id, kind=action.step_kind, on=today, deadline=action.deadline)
                )
            case Suspend():
                record = action.record
                now.append(
                    PlannedStep(step_id=record.step_id, kind=StepKind.SUSPEND, on=today, deadline=record.deadline)
                )
            case HandOff():
                now.append(PlannedStep(step_id=action.step_id, kind=StepKind.HAND_OFF, on=today))
    coming = [s for s in decision.plan if s.on <= until and (s.step_id, s.on) not in {(n.step_id, n.on) for n in now}]
    return Outlook(status=decision.new_status, steps=(*now, *coming))


@dataclass(frozen=True)
class Compared:
    account_id: str
    name: str
    owner: str | None
    status: AccountStatus
    owed: tuple[Money, ...]
    overdue_since: date | None
    in_force: Outlook
    new: Outlook

    @property
    def differs(self) -> bool:
        return self.in_force != self.new

    def document(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "name": self.name,
            "owner": self.owner,
            "status": self.status.value,
            "owed": self.owed,
            "overdue_since": self.overdue_since,
            "differs": self.differs,
            "in_force": self.in_force.document(),
            "new": self.new.document(),
        }


@dataclass
class Reads:
    due_index_items: int = 0
    due_index_pages: int = 0
    book_entries: int = 0
    ledgers: int = 0
    skipped: dict[str, str] = field(default_factory=dict)  # account id -> why it was left out
    calls: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class Preview:
    source: str
    evaluated_at: datetime
    time_zone: str
    until: date
    in_force_version: int
    parameter_version: int
    refused_version: int | None
    new_version: int
    accounts: tuple[Compared, ...]
    reads: Reads

    @property
    def today(self) -> date:
        return self.evaluated_at.astimezone(ZoneInfo(self.time_zone)).date()

    def summary(self) -> dict[str, Any]:
        both = [(c.in_force.suspension, c.new.suspension) for c in self.accounts]
        return {
            "accounts": len(self.accounts),
            "differ": sum(c.differs for c in self.accounts),
            "suspended": {
                "in_force": sum(old is not None for old, _ in both),
                "new": sum(new is not None for _, new in both),
            },
            "suspended_sooner": sum(new is not None and (old is None or new < old) for old, new in both),
            "suspended_later_or_not": sum(old is not None and (new is None or new > old) for old, new in both),
            "customer_notices": {
                "in_force": sum(c.in_force.notices for c in self.accounts),
                "new": sum(c.new.notices for c in self.accounts),
            },
        }

    def document(self) -> dict[str, Any]:
        reads = self.reads
        return {
            "file": self.source,
            "evaluated_at": self.evaluated_at,
            "time_zone": self.time_zone,
            "until": self.until,
            "policy_in_force": {
                "version": self.in_force_version,
                "parameter_version": self.parameter_version,
                "refused_version": self.refused_version,
            },
            "new_policy": {"version": self.new_version},
            "summary": self.summary(),
            "reads": {
                "due_index_items": reads.due_index_items,
                "due_index_pages": reads.due_index_pages,
                "book_entries": reads.book_entries,
                "ledgers": reads.ledgers,
                "skipped": reads.skipped,
                "aws_calls": reads.calls,
                "seconds": round(reads.seconds, 3),
            },
            "accounts": [c.document() for c in self.accounts],
        }


def preview(
    aws: Aws,
    *,
    source: str,
    policy: Policy,
    table_name: str,
    parameter: str,
    business: Business,
    now: datetime,
    days: int,
    workers: int = 8,
    progress: Callable[[int], Progress] | None = None,
) -> Preview:
    """Evaluate every account due or overdue under the policy in force and under `policy`, and compare."""
    from ponte.adapters.collections_book import CollectionsBook  # noqa: PLC0415
    from ponte.adapters.due_index import DueIndex  # noqa: PLC0415
    from ponte.adapters.dynamodb import DynamoStore  # noqa: PLC0415
    from ponte.adapters.policy_store import PolicyStore  # noqa: PLC0415
    from ponte.calendar import holidays_around  # noqa: PLC0415

    started = time.perf_counter()
    dynamodb = aws.client("dynamodb")
    in_force = PolicyStore(parameter, aws.client("ssm")).current()
    zone = ZoneInfo(business.time_zone)
    today = now.astimezone(zone).date()
    until = today + timedelta(days=days)
    read_until = datetime.combine(
        until + timedelta(days=1 + _reads_ahead(in_force.policy, policy)), datetime.min.time(), zone
    )

    scan = DueIndex(table_name, dynamodb).due(read_until)
    book = CollectionsBook(table_name, dynamodb).entries()
    reads = Reads(due_index_items=scan.items_read, due_index_pages=scan.pages, book_entries=len(book))
    wanted = list(dict.fromkeys([*(a.account_id for a in scan.accounts), *(e.account_id for e in book)]))

    holidays = holidays_around(business.country, today.year)
    store = DynamoStore(table_name, dynamodb)
    shown = progress(len(wanted)) if progress else None
    compared: dict[str, Compared] = {}
    for account_id, ledger in _ledgers(store.load_ledger, wanted, workers, shown):
        reads.ledgers += 1
        if ledger is None:
            reads.skipped[account_id] = "no account"
            continue
        if ledger.account.account_id in compared:
            continue  # merged into an account already read
        try:
            compared[ledger.account.account_id] = _compare(
                ledger,
                now=now,
                today=today,
                until=until,
                in_force=in_force.policy,
                new=policy,
                time_zone=business.time_zone,
                holidays=holidays,
            )
        except (ValueError, InvalidInput) as invalid:  # pydantic's ValidationError is a ValueError
            reads.skipped[account_id] = f"invalid data: {type(invalid).__name__}"
    if shown is not None:
        shown.finish()
    reads.calls = dict(sorted(aws.calls.items()))
    reads.seconds = time.perf_counter() - started
    return Preview(
        source=source,
        evaluated_at=now,
        time_zone=business.time_zone,
        until=until,
        in_force_version=in_force.policy.version,
        parameter_version=in_force.parameter_version,
        refused_version=in_force.refused_version,
        new_version=policy.version,
        accounts=tuple(compared.values()),
        reads=reads,
    )


def _ledgers(
    load: Callable[[str], Ledger | None], account_ids: Sequence[str], workers: int, progress: Progress | None
) -> Iterable[tuple[str, Ledger | None]]:
    """Each account's ledger, in order; `workers` queries in flight (a ledger is one partition, one query)."""
    with ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
        for account_id, ledger in zip(account_ids, pool.map(load, account_ids), strict=True):
            if progress is not None:
                progress.advance()
            yield account_id, ledger


def _compare(
    ledger: Ledger,
    *,
    now: datetime,
    today: date,
    until: date,
    in_force: Policy,
    new: Policy,
    time_zone: str,
    holidays: frozenset[date],
) -> Compared:
    from ponte.services.collections import decide  # noqa: PLC0415

    before = decide(ledger, now=now, policy=in_force, time_zone=time_zone, holidays=holidays)
    after = decide(ledger, now=now, policy=new, time_zone=time_zone, holidays=holidays)
    account = ledger.account
    return Compared(
        account_id=account.account_id,
        name=account.name,
        owner=account.owner,
        status=account.status,
        owed=tuple(
            Money(amount=amount, currency=currency)
            for currency, amount in sorted(ledger.outstanding().items())
            if amount
        ),
        overdue_since=before.anchor,
        in_force=outlook(before, today=today, until=until),
        new=outlook(after, today=today, until=until),
    )


def _reads_ahead(in_force: Policy, new: Policy) -> int:
    """Calendar days the due index is read past the horizon: an account's evaluation is scheduled at the first
    reminder of the policy in force, so a new policy reminding earlier reaches accounts scheduled later than the
    horizon by up to the difference (business days are counted generously: weekends, and a week of holidays)."""
    lead_in_force = max(-min(s.offset_days for s in in_force.steps), 0)
    lead_new = max(-min(s.offset_days for s in new.steps), 0)
    if new.day_count is DayCount.BUSINESS and lead_new:
        lead_new = lead_new // 5 * 7 + lead_new % 5 + 2 + 7
    return max(lead_new - lead_in_force, 0)


def render_preview(result: Preview, *, as_document: bool, every: bool) -> str:
    if as_document:
        return as_json(result.document())
    today, reads, summary = result.today, result.reads, result.summary()
    calls = sum(reads.calls.values())
    scans = sum(count for operation, count in reads.calls.items() if operation.endswith(":Scan"))
    refused = (
        f" (the parameter's version {result.refused_version} was refused)" if result.refused_version is not None else ""
    )
    lines = [
        f"policy preview: version {result.new_version} ({result.source}) against version {result.in_force_version} "
        f"in force{refused}, as of {result.evaluated_at.astimezone(ZoneInfo(result.time_zone)):%Y-%m-%d %H:%M} "
        f"{result.time_zone}, steps through {result.until}",
        f"read: {_many(reads.ledgers, 'account')} (due index: {_many(reads.due_index_items, 'item')} in "
        f"{_many(reads.due_index_pages, 'query', 'queries')}; overdue book: "
        f"{_many(reads.book_entries, 'entry', 'entries')}), {_many(calls, 'AWS call')}, {_many(scans, 'scan')}, "
        f"{reads.seconds:.1f} s",
    ]
    if reads.skipped:
        lines.append(f"left out: {len(reads.skipped)} ({', '.join(sorted(set(reads.skipped.values())))})")
    lines += [
        f"differ: {summary['differ']:,} of {_many(summary['accounts'], 'account')}",
        f"suspended by {result.until}: {summary['suspended']['in_force']:,} under the policy in force, "
        f"{summary['suspended']['new']:,} under the new one ({summary['suspended_sooner']:,} sooner, "
        f"{summary['suspended_later_or_not']:,} later or not at all)",
        f"customer notices by {result.until}: {summary['customer_notices']['in_force']:,} under the policy in force, "
        f"{summary['customer_notices']['new']:,} under the new one",
    ]
    shown = [c for c in result.accounts if every or c.differs]
    if shown:
        lines += [
            "",
            table(
                [
                    "ACCOUNT",
                    "STATUS",
                    "OWED",
                    f"NEXT (v{result.in_force_version})",
                    f"NEXT (v{result.new_version})",
                    "SUSPENDED ON",
                ],
                [
                    [
                        c.account_id,
                        c.status.value,
                        money(c.owed),
                        c.in_force.next(today),
                        c.new.next(today),
                        f"{day(c.in_force.suspension)} -> {day(c.new.suspension)}",
                    ]
                    for c in shown
                ],
            ),
        ]
    return "\n".join(lines)


def _many(count: int, one: str, more: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else more or one + 's'}"
