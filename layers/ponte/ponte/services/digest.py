"""The daily collections digest: one staff message per business day with the overdue book.

It reads the accounts the overdue book lists (not the table), evaluates each again from its ledger, and tells
collections: accounts and amounts overdue by age, suspensions since the previous business day's digest, and the
suspension deadlines of the next three days. The message's id is the day's, so a second run writes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from ponte.domain.accounts import AccountStatus, Locale
from ponte.domain.bodies.collections import AgeBucket, CollectionsDigest, DigestAccount
from ponte.domain.money import Money
from ponte.domain.notifications import Audience, Notification, Team, notification_id
from ponte.domain.policy import StepKind
from ponte.services.collections import decide

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ponte.domain.policy import Policy
    from ponte.services.dunning import Book, LedgerStore

# Days late, inclusive; the last bucket has no upper bound.
BUCKETS: tuple[tuple[int, int | None], ...] = ((1, 15), (16, 30), (31, 60), (61, None))
DEADLINE_HORIZON_DAYS = 3


class BookEntry(Protocol):
    @property
    def account_id(self) -> str: ...

    @property
    def suspended_at(self) -> datetime | None: ...


class DigestBook(Protocol):
    def entries(self) -> Iterable[BookEntry]: ...

    def drop(self, account_id: str) -> None: ...


def is_business_day(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def previous_business_day(day: date, holidays: frozenset[date]) -> date:
    day -= timedelta(days=1)
    while not is_business_day(day, holidays):
        day -= timedelta(days=1)
    return day


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
) -> Notification | None:
    """Write today's digest, once; None on a weekend or holiday (the next business day's covers them)."""
    zone = ZoneInfo(time_zone)
    local_now = now.astimezone(zone)
    today = local_now.date()
    if not is_business_day(today, holidays):
        return None
    since = datetime.combine(previous_business_day(today, holidays), local_now.timetz())
    horizon = today + timedelta(days=DEADLINE_HORIZON_DAYS)

    overdue_accounts = 0
    totals: dict[str, int] = defaultdict(int)
    bucket_accounts = [0] * len(BUCKETS)
    bucket_amounts: list[dict[str, int]] = [defaultdict(int) for _ in BUCKETS]
    suspended: list[DigestAccount] = []
    deadlines: list[DigestAccount] = []
    for entry in book.entries():
        ledger = store.load_ledger(entry.account_id)
        if ledger is None:
            book.drop(entry.account_id)
            continue
        decision = decide(ledger, now=now, policy=policy, time_zone=time_zone, holidays=holidays)
        account = ledger.account
        if decision.anchor is None and account.status is not AccountStatus.SUSPENDED:
            book.drop(entry.account_id)  # settled since it was listed
            continue
        owed: dict[str, int] = defaultdict(int)
        oldest = 0
        for receivable in ledger.receivables():
            days_late = (today - receivable.due_date).days
            currency = receivable.outstanding.currency
            if receivable.outstanding.amount <= 0 or days_late < 1 or currency not in policy.currencies:
                continue
            owed[currency] += receivable.outstanding.amount
            bucket_amounts[_bucket(days_late)][currency] += receivable.outstanding.amount
            oldest = max(oldest, days_late)
        owing = _money(owed)
        if owed:
            overdue_accounts += 1
            bucket_accounts[_bucket(oldest)] += 1
            for currency, amount in owed.items():
                totals[currency] += amount

        listing = DigestAccount(
            account_id=entry.account_id, account_name=account.name, owner=account.owner, owed=owing, on=today
        )
        if (
            account.status is AccountStatus.SUSPENDED
            and entry.suspended_at is not None
            and since < entry.suspended_at <= now
        ):
            suspended.append(listing.model_copy(update={"on": entry.suspended_at.astimezone(zone).date()}))
        for step in decision.plan:
            if step.kind is StepKind.SUSPEND and step.deadline is not None and today <= step.deadline <= horizon:
                deadlines.append(listing.model_copy(update={"on": step.deadline}))

    body = CollectionsDigest(
        day=today,
        accounts_overdue=overdue_accounts,
        totals=_money(totals),
        buckets=tuple(
            AgeBucket(from_days=low, to_days=high, accounts=bucket_accounts[i], amounts=_money(bucket_amounts[i]))
            for i, (low, high) in enumerate(BUCKETS)
        ),
        suspended=tuple(sorted(suspended, key=lambda a: (a.on, a.account_id))),
        deadlines=tuple(sorted(deadlines, key=lambda a: (a.on, a.account_id))),
    )
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


def _bucket(days_late: int) -> int:
    for index, (_, high) in enumerate(BUCKETS):
        if high is None or days_late <= high:
            return index
    return len(BUCKETS) - 1  # pragma: no cover


def _money(amounts: dict[str, int]) -> tuple[Money, ...]:
    return tuple(Money(amount=amount, currency=currency) for currency, amount in sorted(amounts.items()) if amount)
