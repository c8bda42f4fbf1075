"""An in-memory store that keeps the DynamoDB store's promises (dedup, version check, references claimed once),
for unit tests of the use cases."""

from __future__ import annotations

from ponte.domain.accounts import Account, TimelineEntry
from ponte.domain.changes import AccountChange
from ponte.domain.errors import ConcurrentModification, DuplicateEvent
from ponte.domain.ledger import Ledger
from ponte.domain.notifications import Notification


class MemoryLedgerStore:
    def __init__(self) -> None:
        self.ledgers: dict[str, Ledger] = {}
        self.references: dict[tuple[str, str], str] = {}
        self.seen: set[str] = set()
        self.timeline: list[TimelineEntry] = []
        self.outbox: list[Notification] = []
        self.commits = 0

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
        self.ledgers[account.account_id] = Ledger(
            account=account,
            invoices=tuple(invoices.values()),
            payments=tuple(payments.values()),
            notices=(*ledger.notices, *change.notices),
            cancellations=tuple(cancellations.values()),
        )
        self.references.update(dict.fromkeys(change.references, account.account_id))
        if change.dedup_key:
            self.seen.add(change.dedup_key)
        self.timeline.extend(change.timeline)
        self.outbox.extend(change.notifications)
        self.commits += 1
