"""The daily collections digest: one staff message per business day with what collections can act on.

It reads the accounts the overdue book lists (the book's own partition, queried; never the table), evaluates each
again from its ledger, and tells collections:

- per age bucket (days late of the account's oldest overdue installment), the accounts: name, owner, what they owe
  overdue and how many days late;
- the suspensions since the previous business day's digest;
- the suspension deadlines of the next three business days (the engine's business calendar);
- the promises to pay whose last day is today, or that lapsed since the previous business day's digest with the
  debt still overdue (a promise of an amount that was paid is kept, not lapsed);
- the customers no notice reaches: no e-mail or phone at all, or the latest notice came to nothing on every
  channel it went out on (bounced, refused, held...), as its delivery evidence in the ledger says.

Each list carries its first `TOP` accounts (most owed first; deadlines and promises by date) and how many it has in
all, so the message stays the same size whatever the size of the book. Owners are named as the staff directory
names them, when it knows them.

AWS calls: the book's partition (one Query a megabyte of it), one Query per listed account (its ledger range only,
not its history), a DeleteItem per entry found settled, and one PutItem for the digest. The digest's id is the
day's, so a second run writes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from ponte.domain.accounts import AccountStatus, Locale
from ponte.domain.bodies.collections import AgeBucket, CollectionsDigest, DigestAccount
from ponte.domain.dunning import (
    FAILED_FOR_GOOD,
    STAFF_CHANNEL,
    business_calendar,
    next_business_day,
    shift_business_days,
)
from ponte.domain.money import Money
from ponte.domain.notifications import Audience, Notification, Team, notification_id
from ponte.domain.policy import StepKind
from ponte.services.collections import decide

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from ponte.domain.dunning import Receivable
    from ponte.domain.ledger import Ledger
    from ponte.domain.policy import Policy
    from ponte.services.dunning import Book, LedgerStore

# Days late, inclusive; the last bucket has no upper bound.
BUCKETS: tuple[tuple[int, int | None], ...] = ((1, 15), (16, 30), (31, 60), (61, None))
DEADLINE_HORIZON_BUSINESS_DAYS = 3
TOP = 10  # accounts each list of the digest carries; it says how many more there are


class BookEntry(Protocol):
    @property
    def account_id(self) -> str: ...

    @property
    def suspended_at(self) -> datetime | None: ...


class DigestBook(Protocol):
    def entries(self) -> Iterable[BookEntry]: ...

    def drop(self, account_id: str) -> None: ...


def collections_digest(
    book: DigestBook,
    store: LedgerStore,
    outbox: Book,
    *,
    now: datetime,
    policy: Policy,
    time_zone: str,
    holidays: frozenset[date],
    staff_locale: Locale,
    owners: Mapping[str, str] | None = None,
) -> Notification | None:
    """Write today's digest, once; None on a weekend or holiday (the next business day's covers them). `owners`
    names the people accounts belong to, by id (`staff_delivery.staff_names`)."""
    zone = ZoneInfo(time_zone)
    local_now = now.astimezone(zone)
    today = local_now.date()
    holidays = business_calendar(holidays, policy, today)  # the policy's local holidays too, as the ladder's
    if next_business_day(today, holidays) != today:
        return None
    previous = shift_business_days(today, -1, holidays)
    digest = _Digest(
        today=today,
        since=datetime.combine(previous, local_now.timetz()),
        previous=previous,
        horizon=shift_business_days(today, DEADLINE_HORIZON_BUSINESS_DAYS, holidays),
        now=now,
        zone=zone,
        owners=owners or {},
    )
    for entry in book.entries():
        ledger = store.load_ledger(entry.account_id)
        if ledger is None or not digest.read(entry, ledger, policy, time_zone, holidays):
            book.drop(entry.account_id)  # gone, or settled since it was listed
    body = digest.body()
    notification = Notification(
        notification_id=notification_id(f"collections-digest:{today.isoformat()}", Audience.STAFF, body.kind),
        audience=Audience.STAFF,
        team=Team.COLLECTIONS,
        account_id="",
        locale=staff_locale,
        occurred_at=now,
        body=body,
    )
    return notification if outbox.publish(notification, now, business_wide=True) else None


@dataclass(frozen=True, slots=True)
class _Line:
    """An account as a list of the digest may show it; made a `DigestAccount` only if it is among the first."""

    account_id: str
    name: str
    owner: str | None
    owed: tuple[Money, ...]
    days_late: int
    on: date
    promised: Money | None = None
    unreached: tuple[tuple[str, str], ...] = ()

    @property
    def weight(self) -> int:
        """How much it owes, to put the largest debts first (minor units: exact within a currency)."""
        return sum(m.amount for m in self.owed)


def _by_amount(line: _Line) -> tuple[int, int, str, str]:
    return (-line.weight, -line.days_late, line.name, line.account_id)


def _by_date(line: _Line) -> tuple[date, int, str, str]:
    return (line.on, -line.weight, line.name, line.account_id)


@dataclass
class _Digest:
    today: date
    since: datetime  # suspensions after this moment are new to collections
    previous: date  # the previous business day: promises that lapsed since then are new
    horizon: date  # the last day a deadline is listed on
    now: datetime
    zone: ZoneInfo
    owners: Mapping[str, str]
    totals: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    aged: list[dict[str, int]] = field(default_factory=lambda: [defaultdict(int) for _ in BUCKETS])
    by_age: list[list[_Line]] = field(default_factory=lambda: [[] for _ in BUCKETS])
    suspended: list[_Line] = field(default_factory=list)
    deadlines: list[_Line] = field(default_factory=list)
    promises: list[_Line] = field(default_factory=list)
    unreachable: list[_Line] = field(default_factory=list)

    def read(self, entry: BookEntry, ledger: Ledger, policy: Policy, time_zone: str, holidays: frozenset[date]) -> bool:
        """Place the account in the lists it belongs to; False when it no longer belongs in the book."""
        allocation = ledger.allocate()
        decision = decide(
            ledger, now=self.now, policy=policy, time_zone=time_zone, holidays=holidays, allocation=allocation
        )
        account = ledger.account
        if decision.anchor is None and account.status is not AccountStatus.SUSPENDED:
            return False
        line = self._aged(entry.account_id, ledger, allocation.receivables, policy)
        at = entry.suspended_at
        if account.status is AccountStatus.SUSPENDED and at is not None and self.since < at <= self.now:
            self.suspended.append(replace(line, on=at.astimezone(self.zone).date()))
        reached = True
        if line.owed:
            self._promise(ledger, line)
            reached = self._reach(ledger, line)
        # A customer no notice reaches is not suspended on the deadline its last notice named (a new final warning
        # goes out with a new one): listed as unreachable, with what to do, not as a deadline.
        deadline = next((s.deadline for s in decision.plan if s.kind is StepKind.SUSPEND), None)
        if reached and deadline is not None and self.today <= deadline <= self.horizon:
            self.deadlines.append(replace(line, on=deadline))
        return True

    def _aged(self, account_id: str, ledger: Ledger, receivables: Iterable[Receivable], policy: Policy) -> _Line:
        """What the account owes overdue (in the policy's currencies), counted in the age buckets, and listed under
        the age of its oldest overdue installment."""
        owed: dict[str, int] = defaultdict(int)
        oldest = 0
        for receivable in receivables:
            days_late = (self.today - receivable.due_date).days
            currency = receivable.outstanding.currency
            if receivable.outstanding.amount <= 0 or days_late < 1 or currency not in policy.currencies:
                continue
            owed[currency] += receivable.outstanding.amount
            self.aged[_bucket(days_late)][currency] += receivable.outstanding.amount
            oldest = max(oldest, days_late)
        account = ledger.account
        line = _Line(account_id, account.name, account.owner, _money(owed), oldest, self.today)
        if owed:
            self.by_age[_bucket(oldest)].append(line)
            for currency, amount in owed.items():
                self.totals[currency] += amount
        return line

    def _promise(self, ledger: Ledger, line: _Line) -> None:
        """A promise whose last day is today, or that lapsed since the previous digest, unless it was kept."""
        holds = ledger.holds()
        promise, by_hand = holds.promise, holds.promise_to_pay_until
        if promise is not None and (by_hand is None or promise.until >= by_hand):
            until, amount = promise.until, promise.amount
            if amount is not None and _paid_since(ledger, promise.granted_at, amount.currency) >= amount.amount:
                return  # the amount promised arrived: the promise was kept
        elif by_hand is not None:
            until, amount = by_hand, None
        else:
            return
        if self.previous <= until <= self.today:
            self.promises.append(replace(line, on=until, promised=amount))

    def _reach(self, ledger: Ledger, line: _Line) -> bool:
        """False, and the account listed as unreachable, when it has no address at all or the latest customer notice
        reached no one on any channel it went out on."""
        contact = ledger.account.contact
        if not contact.email and not contact.phone:
            self.unreachable.append(line)
            return False
        sent = [n for n in ledger.notices if n.channel != STAFF_CHANNEL and n.notice_id is not None]
        if not sent:
            return True
        latest = max(sent, key=lambda n: n.sent_at)
        outcomes = ledger.delivery_evidence().get(latest.notice_id or "", {})
        # A channel reached no one when its outcome is a failure for good (a send not reported yet may still
        # arrive); a notice recorded on no channel ("notice": no address then) reached no one.
        came_to = tuple((n.channel, outcomes.get(n.channel, "")) for n in sent if n.notice_id == latest.notice_id)
        if all(channel == "notice" or status in FAILED_FOR_GOOD for channel, status in came_to):
            reached = tuple((channel, status) for channel, status in came_to if channel != "notice")
            self.unreachable.append(replace(line, on=latest.sent_at.astimezone(self.zone).date(), unreached=reached))
            return False
        return True

    def body(self) -> CollectionsDigest:
        owners = self.owners
        return CollectionsDigest(
            day=self.today,
            accounts_overdue=sum(len(lines) for lines in self.by_age),
            totals=_money(self.totals),
            buckets=tuple(
                AgeBucket(
                    from_days=low,
                    to_days=high,
                    accounts=len(self.by_age[i]),
                    amounts=_money(self.aged[i]),
                    owed=_sum_owed(self.by_age[i]),
                    listed=_first(sorted(self.by_age[i], key=_by_amount), owners),
                )
                for i, (low, high) in enumerate(BUCKETS)
            ),
            suspended=_first(sorted(self.suspended, key=_by_amount), owners),
            suspended_count=len(self.suspended),
            deadlines=_first(sorted(self.deadlines, key=_by_date), owners),
            deadline_count=len(self.deadlines),
            promises=_first(sorted(self.promises, key=_by_date), owners),
            promise_count=len(self.promises),
            unreachable=_first(sorted(self.unreachable, key=_by_amount), owners),
            unreachable_count=len(self.unreachable),
        )


def _first(lines: list[_Line], owners: Mapping[str, str]) -> tuple[DigestAccount, ...]:
    return tuple(
        DigestAccount(
            account_id=line.account_id,
            account_name=line.name,
            owner=line.owner,
            owner_name=owners.get(line.owner) if line.owner else None,
            owed=line.owed,
            days_late=line.days_late,
            on=line.on,
            promised=line.promised,
            unreached=dict(line.unreached),
        )
        for line in lines[:TOP]
    )


def _paid_since(ledger: Ledger, since: datetime, currency: str) -> int:
    return sum(p.counted for p in ledger.payments if p.received_at >= since and p.amount.currency == currency)


def _sum_owed(lines: Iterable[_Line]) -> tuple[Money, ...]:
    owed: dict[str, int] = defaultdict(int)
    for line in lines:
        for money in line.owed:
            owed[money.currency] += money.amount
    return _money(owed)


def _bucket(days_late: int) -> int:
    for index, (_, high) in enumerate(BUCKETS):
        if high is None or days_late <= high:
            return index
    return len(BUCKETS) - 1  # pragma: no cover


def _money(amounts: dict[str, int]) -> tuple[Money, ...]:
    return tuple(Money(amount=amount, currency=currency) for currency, amount in sorted(amounts.items()) if amount)
