"""An in-memory store that keeps the DynamoDB store's promises (dedup, version check, references claimed once,
acknowledgements written once), for unit tests of the use cases; and an in-memory overdue book."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ponte.domain.accounts import Account, AccountStatus, AccountSummary, Acknowledgement, TimelineEntry, search_name
from ponte.domain.changes import AccountChange
from ponte.domain.errors import ConcurrentModification, DuplicateEvent
from ponte.domain.ledger import AccountRecords, DeliveryStatus, Ledger, StaffAlertSeen, TimelinePage
from ponte.domain.notifications import Audience, Notification


class MemoryLedgerStore:
    def __init__(self, *, notices_accepted: bool = False) -> None:
        """With `notices_accepted`, every customer notice committed is taken as accepted on its channel, as the
        notifier records it once SES or SNS takes the message."""
        self.ledgers: dict[str, Ledger] = {}
        self.references: dict[tuple[str, str], str] = {}
        self.seen: set[str] = set()
        self.timeline: list[TimelineEntry] = []
        self.outbox: list[Notification] = []
        self.acknowledged: dict[tuple[str, str], Acknowledgement] = {}
        self.audited: set[tuple[str, str]] = set()
        self.commits = 0
        self.notices_accepted = notices_accepted

    def get_account(self, account_id: str) -> Account | None:
        ledger = self.ledgers.get(account_id)
        return ledger.account if ledger else None

    def load_ledger(self, account_id: str) -> Ledger | None:
        ledger = self.ledgers.get(account_id)
        if ledger is not None and ledger.account.merged_into is not None:
            return self.load_ledger(ledger.account.merged_into)
        return ledger

    def owners_of(self, references: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        return {ref: self.references[ref] for ref in references if ref in self.references}

    def commit(self, change: AccountChange) -> None:
        account = change.account
        if change.dedup_key in self.seen:
            raise DuplicateEvent(change.dedup_key)
        stored = self.ledgers.get(account.account_id)
        if (stored.account.version if stored else None) != change.expected_version:
            raise ConcurrentModification(account.account_id)
        for ref in change.references:
            if self.references.get(ref, account.account_id) != account.account_id:
                raise ConcurrentModification(f"{ref} belongs to another account")
        acks = {(account.account_id, ack.notification_id): ack for ack in change.acknowledgements}
        if acks.keys() & self.acknowledged.keys():
            raise DuplicateEvent("this change was already recorded")
        merge = change.merge
        if merge is not None:
            absorbed = self.ledgers.get(merge.marker.account_id)
            if absorbed is None or absorbed.account.version != merge.absorbed.account.version:
                raise ConcurrentModification(merge.marker.account_id)
            if any(self.references.get(ref) != merge.marker.account_id for ref in merge.references):
                raise ConcurrentModification("a merged reference moved meanwhile")
            self.ledgers[merge.marker.account_id] = Ledger(account=merge.marker)
            self.references.update(dict.fromkeys(merge.references, account.account_id))
            self.timeline.extend(merge.timeline)
        ledger = stored or Ledger(account=account)
        invoices = {r.invoice.key: r for r in ledger.invoices} | {r.invoice.key: r for r in change.invoices}
        payments = {p.key: p for p in ledger.payments} | {p.key: p for p in change.payments}
        cancellations = {c.access_key: c for c in ledger.cancellations} | {
            c.access_key: c for c in change.cancellations
        }
        write_offs = {w.invoice_key: w for w in ledger.write_offs} | {w.invoice_key: w for w in change.write_offs}
        accepted = tuple(
            DeliveryStatus(notice_id=n.notice_id, channel=n.channel, status="accepted")
            for n in change.notices
            if self.notices_accepted and n.notice_id is not None and n.channel in {"email", "sms"}
        )
        self.ledgers[account.account_id] = Ledger(
            account=account,
            invoices=tuple(invoices.values()),
            payments=tuple(payments.values()),
            notices=(*ledger.notices, *change.notices),
            cancellations=tuple(cancellations.values()),
            deliveries=(*ledger.deliveries, *accepted),
            write_offs=tuple(write_offs.values()),
        )
        self.references.update(dict.fromkeys(change.references, account.account_id))
        if change.dedup_key:
            self.seen.add(change.dedup_key)
        self.acknowledged |= acks
        self.timeline.extend(change.timeline)
        self.outbox.extend(change.notifications)
        self.commits += 1

    # What the staff plane reads.

    def account_records(self, account_id: str, timeline_limit: int = 50) -> AccountRecords | None:
        ledger = self.load_ledger(account_id)
        if ledger is None:
            return None
        account_id = ledger.account.account_id
        history = self._history(account_id)
        return AccountRecords(
            ledger=ledger,
            timeline=tuple(history[:timeline_limit]),
            timeline_cursor=str(timeline_limit) if len(history) > timeline_limit else None,
            acknowledgements=tuple(ack for (owner, _), ack in self.acknowledged.items() if owner == account_id),
            alerts=tuple(
                StaffAlertSeen(
                    notification_id=n.notification_id,
                    event_type=n.event_type,
                    severity=n.severity.value,
                    occurred_at=n.occurred_at,
                    owner=n.owner,
                )
                for n in self.outbox
                if n.account_id == account_id and n.audience is Audience.STAFF
            ),
        )

    def timeline_page(self, account_id: str, cursor: str | None, limit: int = 50) -> TimelinePage:
        start = int(cursor or 0)
        history = self._history(account_id)
        following = start + limit
        return TimelinePage(
            entries=tuple(history[start:following]), cursor=str(following) if following < len(history) else None
        )

    def _history(self, account_id: str) -> list[TimelineEntry]:
        """Newest first; of one moment, the last written first (as the sort keys order them)."""
        mine = [(n, e) for n, e in enumerate(self.timeline) if e.account_id == account_id]
        return [e for _, e in sorted(mine, key=lambda pair: (pair[1].at, pair[0]), reverse=True)]

    def audit(self, entry: TimelineEntry, request_id: str) -> None:
        if (entry.account_id, request_id) not in self.audited:
            self.audited.add((entry.account_id, request_id))
            self.timeline.append(entry)

    def accounts(self, account_ids: list[str]) -> list[Account]:
        return [self.ledgers[a].account for a in dict.fromkeys(account_ids) if a in self.ledgers]

    def search_names(
        self, prefix: str, *, limit: int, cursor: str | None = None, owners: frozenset[str] | None = None
    ) -> tuple[list[AccountSummary], str | None]:
        wanted = search_name(prefix)
        found = sorted(
            (
                (search_name(ledger.account.name), ledger.account)
                for ledger in self.ledgers.values()
                if ledger.account.merged_into is None and search_name(ledger.account.name).startswith(wanted)
            ),
            key=lambda pair: (pair[0], pair[1].account_id),
        )
        start = int(cursor or 0)
        page = found[start : start + limit]  # the page read; the owners filter applies to it, as DynamoDB's does
        following = str(start + limit) if start + limit < len(found) else None
        return [
            AccountSummary(a.account_id, a.name, a.status, a.owner)
            for _, a in page
            if owners is None or a.owner in owners
        ], following


@dataclass
class MemoryBook:
    """The overdue book: entries by account, read a page at a time by owner, status and age."""

    entries: dict[str, dict[str, object]] = field(default_factory=dict)
    published: list[Notification] = field(default_factory=list)

    def keep(
        self,
        account_id: str,
        status: AccountStatus,
        suspended_at: datetime | None,
        *,
        owner: str | None = None,
        overdue_since: date | None = None,
    ) -> None:
        entry = self.entries.setdefault(account_id, {})
        entry.update(status=status.value, owner=owner, overdue_since=overdue_since)
        if suspended_at is not None:
            entry["suspended_at"] = suspended_at

    def drop(self, account_id: str) -> None:
        self.entries.pop(account_id, None)

    def publish(self, notification: Notification, recorded_at: datetime, *, business_wide: bool = False) -> bool:
        self.published.append(notification)
        return True

    def page(
        self,
        *,
        owners: list[str] | None,
        statuses: frozenset[str],
        since_from: date | None,
        since_to: date | None,
        limit: int,
        cursor: str | None = None,
    ) -> MemoryBookPage:
        from ponte.adapters.collections_book import BookEntry

        matching = []
        for account_id, entry in sorted(self.entries.items(), key=lambda item: (str(item[1]["owner"]), item[0])):
            since = entry["overdue_since"]
            assert since is None or isinstance(since, date)
            if owners is not None and entry["owner"] not in owners:
                continue
            if statuses and entry["status"] not in statuses:
                continue
            if (since_from and (since is None or since < since_from)) or (
                since_to and (since is None or since > since_to)
            ):
                continue
            suspended_at = entry.get("suspended_at")
            matching.append(
                BookEntry(
                    account_id=account_id,
                    status=str(entry["status"]),
                    suspended_at=suspended_at if isinstance(suspended_at, datetime) else None,
                    owner=str(entry["owner"]) if entry["owner"] else None,
                    overdue_since=since,
                )
            )
        start = int(cursor or 0)
        following = start + limit
        return MemoryBookPage(
            entries=matching[start:following], cursor=str(following) if following < len(matching) else None, calls=1
        )


@dataclass
class MemoryBookPage:
    entries: list[Any]
    cursor: str | None
    calls: int
