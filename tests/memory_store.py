"""The single table in memory, for unit tests of the use cases.

`MemoryLedgerStore` is the one in-memory fake of the DynamoDB store (`ponte.adapters.dynamodb.DynamoStore`):
`tests/integration/test_store_contract.py` runs the same cases against both, so that what a unit test sees is what
the table does. Beside it, the fakes of the other ports that work on the same table (the upload's batch writes, the
overdue book, the owner rotation's counters) and those of S3 and SQS that the upload tests share.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any, BinaryIO

from ponte.adapters import keys
from ponte.adapters.dynamodb import (
    account_item,
    decode_cursor,
    encode_cursor,
    ledger_items,
    outbox_item,
    timeline_item,
    utc_key,
)
from ponte.domain.accounts import Account, AccountStatus, AccountSummary, Acknowledgement, TimelineEntry, search_name
from ponte.domain.changes import AccountChange
from ponte.domain.errors import ConcurrentModification, DuplicateEvent, InvalidInput, NotFound
from ponte.domain.ledger import (
    AccountRecords,
    CancellationRecord,
    DeliveryStatus,
    Ledger,
    LedgerHead,
    PaymentAlreadyRecorded,
    PaymentRecord,
    StaffAlertSeen,
    TimelinePage,
)
from ponte.domain.notifications import Audience, Notification
from ponte.domain.uploads import StoredInvoice, UploadedObject, UploadProgress

_SEARCH_CURSOR = frozenset({"pk", "sk", "search_pk", "search_sk"})  # what a `search` index cursor names
# DynamoDB's limits (docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html).
PARTITION_KEY_BYTES = 2048
SORT_KEY_BYTES = 1024
ITEM_BYTES = 400 * 1024
NUMBER_DIGITS = 38


class ItemRefused(Exception):
    """What DynamoDB's ValidationException is to the DynamoDB store: a change whose items the table cannot take (a
    key or an item over its size limit, a number it cannot hold, text UTF-8 cannot carry). Neither a duplicate nor
    a conflict: the trigger's 5xx."""


def check_items(change: AccountChange) -> None:
    """Raise ItemRefused when DynamoDB would refuse one of the items `change` writes."""
    items = [account_item(change.account), *ledger_items(change)]
    items += [timeline_item(entry, change.account.version, n) for n, entry in enumerate(change.timeline)]
    items += [outbox_item(notification, change.recorded_at) for notification in change.notifications]
    items += [keys.reference_key(kind, value) for kind, value in change.references]
    if change.dedup_key is not None:
        items.append(keys.inbound_key(change.dedup_key))
    for item in items:
        _check_item(item)


def _check_item(item: dict[str, Any]) -> None:
    try:
        if len(item["pk"].encode()) > PARTITION_KEY_BYTES:
            raise ItemRefused(f"partition key over {PARTITION_KEY_BYTES} bytes")
        if len(item["sk"].encode()) > SORT_KEY_BYTES:
            raise ItemRefused(f"sort key over {SORT_KEY_BYTES} bytes")
        size = 0
        for name, value in item.items():
            size += len(name.encode()) + len(json.dumps(value, default=str, ensure_ascii=False).encode())
            if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) > NUMBER_DIGITS:
                raise ItemRefused(f"{name}: a number DynamoDB cannot hold")
    except UnicodeEncodeError as error:  # a lone surrogate, which boto3 cannot send either
        raise ItemRefused(f"text UTF-8 cannot carry: {error.reason}") from None
    if size > ITEM_BYTES:
        raise ItemRefused("an item over 400 KB")


class MemoryLedgerStore:
    """The store's ports (`LedgerStore`, `StaffStore`) in memory, with the DynamoDB store's promises: a change is
    written whole or not at all; refused as a duplicate when its dedup key (or the payment its delivery records),
    one of its acknowledgements or one of its outbox items was written before; refused as a conflict when the
    account is no longer at the version the change was computed from (or exists already, for a new one), a reference
    it claims leads to another account, or the payment it records as new was recorded by another delivery
    (`PaymentAlreadyRecorded`); refused as a defect (`ItemRefused`) when one of its items is beyond what DynamoDB
    takes.
    Records, history, cursors and search pages come back in the order, and with the cursors, of the table's keys.

    A test may seed `ledgers` and `references` directly, as what the table already holds. With `notices_accepted`,
    every customer notice committed is taken as accepted on its channel, as the notifier records it once SES or SNS
    takes the message.
    """

    def __init__(self, *ledgers: Ledger, notices_accepted: bool = False) -> None:
        self.ledgers: dict[str, Ledger] = {ledger.account.account_id: ledger for ledger in ledgers}
        self.references: dict[tuple[str, str], str] = {}
        self.seen: set[str] = set()  # the inbound markers' dedup keys (a delivery's payment is its own marker)
        self.outbox: list[Notification] = []
        self.acknowledged: dict[tuple[str, str], Acknowledgement] = {}
        self.changes: list[AccountChange] = []  # every change written, in order
        self.notices_accepted = notices_accepted
        self._history: dict[tuple[str, str], TimelineEntry] = {}  # (account id, sort key) -> entry

    @property
    def commits(self) -> int:
        return len(self.changes)

    @property
    def timeline(self) -> list[TimelineEntry]:
        """Every history entry written, of every account, in the order written."""
        return list(self._history.values())

    def get_account(self, account_id: str) -> Account | None:
        ledger = self.ledgers.get(account_id)
        return ledger.account if ledger else None

    def load_ledger(self, account_id: str) -> Ledger | None:
        ledger = self.ledgers.get(account_id)
        if ledger is not None and ledger.account.merged_into is not None:
            return self.load_ledger(ledger.account.merged_into)
        return ledger

    def payment_head(self, account_id: str, payment: str, delivery: str | None = None) -> LedgerHead | Ledger | None:
        """As `DynamoStore.payment_head`: a head for a ledger of payments alone that does not hold this payment, or
        holds it as this delivery's."""
        ledger = self.load_ledger(account_id)
        mine = {p.key: p.origin for p in ledger.payments} if ledger is not None else {}
        held = payment in mine and (delivery is None or mine[payment] != delivery)
        return (ledger.head() if ledger is not None and not held else None) or ledger

    def owners_of(self, references: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        return {ref: self.references[ref] for ref in references if ref in self.references}

    def commit(self, change: AccountChange) -> None:
        check_items(change)
        refused = self.refusal(change)
        if refused is not None:
            raise refused
        self._write(change)

    def refusal(self, change: AccountChange) -> Exception | None:
        """Why the table's transaction would refuse `change` (the first failed condition, in the order of its
        items: marker (or the payments its delivery records), account, acknowledgements, references, outbox items,
        merge), or None."""
        return next(self._failed_conditions(change), None)

    def _failed_conditions(self, change: AccountChange) -> Iterator[Exception]:
        account_id = change.account.account_id
        stored = self.ledgers.get(account_id)
        carriers = _carriers(change)
        if carriers:
            yield from _recorded_before(change, carriers, stored)
        elif change.dedup_key is not None and change.dedup_key in self.seen:
            yield DuplicateEvent("this change was already recorded")
        if (stored.account.version if stored else None) != change.expected_version:
            yield ConcurrentModification("the account changed since it was read")
        if any((account_id, ack.notification_id) in self.acknowledged for ack in change.acknowledgements):
            yield DuplicateEvent("this change was already recorded")
        if any(self.references.get(ref, account_id) != account_id for ref in change.references):
            yield ConcurrentModification("a reference of this account belongs to another account")
        written = {(n.account_id, n.notification_id) for n in self.outbox}
        if any((n.account_id, n.notification_id) in written for n in change.notifications):
            yield DuplicateEvent("this change was already recorded")
        merge = change.merge
        if merge is not None:
            absorbed = self.ledgers.get(merge.marker.account_id)
            if absorbed is None or absorbed.account.version != merge.absorbed.account.version:
                yield ConcurrentModification("the account changed since it was read")
            if any(self.references.get(ref) != merge.marker.account_id for ref in merge.references):
                yield ConcurrentModification("a re-evaluation flag or a merged reference changed since it was read")

    def _write(self, change: AccountChange) -> None:
        account = change.account
        if change.dedup_key is not None and not _carriers(change):
            self.seen.add(change.dedup_key)
        merge = change.merge
        if merge is not None:
            # The absorbed account stays as a marker; its records are in the change's, its references move over.
            self.ledgers[merge.marker.account_id] = Ledger(account=merge.marker)
            self.references.update(dict.fromkeys(merge.references, account.account_id))
            self._add_history(merge.timeline, merge.marker.version)
        self.ledgers[account.account_id] = self._ledger_after(change)
        self._add_history(change.timeline, account.version)
        self.acknowledged.update({(account.account_id, ack.notification_id): ack for ack in change.acknowledgements})
        self.references.update(dict.fromkeys(change.references, account.account_id))
        self.outbox.extend(change.notifications)
        self.changes.append(change)

    def _ledger_after(self, change: AccountChange) -> Ledger:
        """The ledger as the account's partition holds it after the change: each record under its sort key (written
        again, it replaces the one before), in sort key order."""
        before = self.ledgers.get(change.account.account_id) or Ledger(account=change.account)

        def by_key(records: Any, key: Any) -> tuple[Any, ...]:
            kept = {key(record): record for record in records}
            return tuple(kept[k] for k in sorted(kept))

        accepted = [
            DeliveryStatus(notice_id=n.notice_id, channel=n.channel, status="accepted")
            for n in change.notices
            if self.notices_accepted and n.notice_id is not None and n.channel in {"email", "sms"}
        ]
        # A merge copies the evidence of the absorbed account's notices with them (see `DynamoStore._merge_writes`).
        copied = change.merge.absorbed.deliveries if change.merge is not None else ()
        return Ledger(
            account=change.account,
            invoices=by_key((*before.invoices, *change.invoices), lambda r: r.invoice.key),
            payments=by_key((*before.payments, *change.payments), lambda p: f"{p.provider}#{p.payment_id}"),
            notices=by_key(
                (*before.notices, *change.notices), lambda n: f"{utc_key(n.sent_at)}#{n.step_id}#{n.channel}"
            ),
            cancellations=by_key((*before.cancellations, *change.cancellations), lambda c: c.access_key),
            deliveries=by_key((*before.deliveries, *copied, *accepted), lambda d: f"{d.notice_id}#{d.channel}"),
            write_offs=by_key((*before.write_offs, *change.write_offs), lambda w: w.invoice_key),
        )

    def _add_history(self, entries: tuple[TimelineEntry, ...], version: int) -> None:
        for seq, entry in enumerate(entries):
            sort_key = keys.timeline_key(entry.account_id, utc_key(entry.at), version, seq)["sk"]
            self._history[(entry.account_id, sort_key)] = entry

    # What the staff plane reads.

    def account_records(self, account_id: str, timeline_limit: int = 50) -> AccountRecords | None:
        ledger = self.load_ledger(account_id)
        if ledger is None:
            return None
        account_id = ledger.account.account_id
        history = self._history_of(account_id)
        page = history[:timeline_limit]
        return AccountRecords(
            ledger=ledger,
            timeline=tuple(entry for _, entry in page),
            timeline_cursor=encode_cursor({"sk": page[-1][0]}) if len(history) > timeline_limit and page else None,
            acknowledgements=tuple(ack for (owner, _), ack in sorted(self.acknowledged.items()) if owner == account_id),
            alerts=tuple(
                StaffAlertSeen(
                    notification_id=n.notification_id,
                    event_type=n.event_type,
                    severity=n.severity.value,
                    occurred_at=n.occurred_at,
                    owner=n.owner,
                )
                for n in sorted(self.outbox, key=lambda n: n.notification_id)
                if n.account_id == account_id and n.audience is Audience.STAFF
            ),
        )

    def timeline_page(self, account_id: str, cursor: str | None, limit: int = 50) -> TimelinePage:
        history = self._history_of(account_id)
        if cursor is not None:
            start = str(decode_cursor(cursor, {"sk"})["sk"])
            if not start.startswith(f"{keys.TIMELINE}#"):
                raise InvalidInput("cursor: not a timeline cursor")
            history = [(sort_key, entry) for sort_key, entry in history if sort_key < start]
        page = history[:limit]
        return TimelinePage(
            entries=tuple(entry for _, entry in page),
            cursor=encode_cursor({"sk": page[-1][0]}) if len(history) > limit and page else None,
        )

    def _history_of(self, account_id: str) -> list[tuple[str, TimelineEntry]]:
        """The account's history, newest first: its sort keys in reverse."""
        mine = [(sort_key, entry) for (owner, sort_key), entry in self._history.items() if owner == account_id]
        return sorted(mine, key=lambda pair: pair[0], reverse=True)

    def audit(self, entry: TimelineEntry, request_id: str) -> None:
        sort_key = keys.audit_timeline_key(entry.account_id, utc_key(entry.at), request_id)["sk"]
        self._history.setdefault((entry.account_id, sort_key), entry)

    def accounts(self, account_ids: list[str]) -> list[Account]:
        return [self.ledgers[a].account for a in dict.fromkeys(account_ids) if a in self.ledgers]

    def search_names(
        self, prefix: str, *, limit: int, cursor: str | None = None, owners: frozenset[str] | None = None
    ) -> tuple[list[AccountSummary], str | None]:
        """As the `search` index answers: names in the order of `<name>#<account id>`; the owners filter keeps
        whole pages (the store reads on until the page is full)."""
        plain = search_name(prefix)
        if not plain:
            return [], None
        partition = keys.name_partition(plain)
        after = ""
        if cursor is not None:
            start = decode_cursor(cursor, set(_SEARCH_CURSOR))
            if start["search_pk"] != partition or not start["search_sk"].startswith(plain):
                raise InvalidInput("cursor: not a cursor of this search")
            after = start["search_sk"]
        found = sorted(
            (keys.name_search_keys(name, a.account_id)["search_sk"], a)
            for a in (ledger.account for ledger in self.ledgers.values())
            if a.merged_into is None
            and (name := search_name(a.name)).startswith(plain)
            and (owners is None or a.owner in owners)
        )
        following = [(sort_key, a) for sort_key, a in found if sort_key > after]
        page = following[:limit]
        last = page[-1] if len(following) > limit and page else None
        next_cursor = (
            encode_cursor({**keys.account_key(last[1].account_id), "search_pk": partition, "search_sk": last[0]})
            if last
            else None
        )
        return [AccountSummary(a.account_id, a.name, a.status, a.owner) for _, a in page], next_cursor


def _carriers(change: AccountChange) -> list[PaymentRecord]:
    """The payments the change's delivery records (their origin is its dedup key), outside a merge: as the DynamoDB
    store writes them, each is created once and is that delivery's marker (no inbound marker is written)."""
    if change.dedup_key is None or change.merge is not None:
        return []
    return [payment for payment in change.payments if payment.origin == change.dedup_key]


def _recorded_before(
    change: AccountChange, carriers: list[PaymentRecord], stored: Ledger | None
) -> Iterator[Exception]:
    """A payment the delivery records that the account's ledger holds already: the same delivery again, or (decided
    from a head that did not name it) a payment another delivery recorded."""
    held = {p.key: p for p in stored.payments} if stored else {}
    for payment in carriers:
        if payment.key in held:
            same = held[payment.key].origin == change.dedup_key
            yield (
                DuplicateEvent("this change was already recorded")
                if same
                else PaymentAlreadyRecorded("the payment was recorded by another delivery")
            )


class MemoryInvoiceBatches:
    """The upload's batch reads and writes (`UploadLedger`, `ponte.adapters.invoice_batches.InvoiceBatches`) over
    the same in-memory table as `store`."""

    def __init__(self, store: MemoryLedgerStore) -> None:
        self.store = store
        self.markers: dict[str, str] = {}
        self.alerts: list[Notification] = []
        self.notices: list[Notification] = []
        self.flagged: set[str] = set()
        self.writes: list[str] = []  # "notices" / "invoices", in order
        self.fail_on_write: int | None = None
        self.parked: dict[str, CancellationRecord] = {}
        self.openings: list[int] = []  # the number of accounts each call to `open_accounts` was given

    def stored_invoices(self, keys: Any) -> dict[tuple[str, str], StoredInvoice]:
        found = {}
        for account_id, key in keys:
            ledger = self.store.ledgers.get(account_id)
            record = ledger.invoice(key) if ledger else None
            if record is not None:
                invoice = record.invoice
                found[(account_id, key)] = StoredInvoice(
                    invoice.fingerprint,
                    record.origin,
                    invoice.number,
                    invoice.series,
                    installments=tuple(i.number for i in invoice.installments),
                    reported=tuple((r.installment, r.state) for r in record.reported),
                )
        return found

    def accounts(self, account_ids: Any) -> dict[str, Account]:
        return {i: self.store.ledgers[i].account for i in account_ids if i in self.store.ledgers}

    def record_invoices(self, records: Any, *, due_at: datetime) -> None:
        """Written outside the account's transaction (its version does not move), each flagged for re-evaluation."""
        if self.fail_on_write is not None:
            self.fail_on_write -= 1
            if self.fail_on_write < 0:
                self.fail_on_write = None
                raise ConnectionError("the table could not be reached")
        self.writes.append("invoices")
        for account_id, record in records:
            ledger = self.store.ledgers[account_id]
            kept = {r.invoice.key: r for r in ledger.invoices} | {record.invoice.key: record}
            self.store.ledgers[account_id] = ledger.model_copy(
                update={"invoices": tuple(kept[key] for key in sorted(kept))}
            )
            self.flagged.add(account_id)
            if record.invoice.access_key:
                self.store.references[("nfe", record.invoice.access_key)] = account_id

    def open_accounts(self, changes: Any) -> list[AccountChange]:
        """All of them as one transaction: written together, or none written and all handed back when the store
        would refuse one of them."""
        self.openings.append(len(changes))
        for change in changes:
            check_items(change)
        if any(self.store.refusal(change) is not None for change in changes):
            return list(changes)
        for change in changes:
            self.store.commit(change)
        return []

    def park_cancellation(self, record: CancellationRecord) -> None:
        self.parked[record.access_key] = record

    def parked_cancellations(self, access_keys: Any) -> list[CancellationRecord]:
        return [self.parked[key] for key in access_keys if key in self.parked]

    def queue_notices(self, notifications: Any, *, recorded_at: datetime) -> None:
        self.writes.append("notices")
        self.notices.extend(
            n for n in notifications if n.notification_id not in {x.notification_id for x in self.notices}
        )

    def finished_upload(self, dedup_key: str) -> str | None:
        return self.markers.get(dedup_key)

    def finish_upload(self, dedup_key: str, notification: Notification, *, at: datetime, moved_to: str) -> bool:
        if dedup_key in self.markers:
            return False
        self.markers[dedup_key] = moved_to
        self.alerts.append(notification)
        return True


class MemoryRotation:
    """The `OwnerRotation` port in memory: one counter per team, taken atomically (kept honest by the contract
    cases that `tests/integration/test_staff_directory_store.py` runs against the table)."""

    def __init__(self) -> None:
        self.turns: dict[str, int] = {}
        self._lock = threading.Lock()

    def next_turn(self, team: str) -> int:
        with self._lock:
            self.turns[team] = self.turns.get(team, 0) + 1
            return self.turns[team]


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


class MemoryObjects:
    """A versioned bucket's answers for the version each test uploads: a key in `deleted` has a delete marker on
    top of it (still readable by version); a key in neither dict was deleted for good."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.deleted: dict[str, bytes] = {}

    def open(self, upload: UploadedObject) -> BinaryIO:
        data = self.objects.get(upload.key, self.deleted.get(upload.key))
        if data is None:
            raise NotFound(upload.key)
        return io.BytesIO(data)

    def gone(self, upload: UploadedObject) -> bool:
        return upload.key not in self.objects

    def put_report(self, bucket: str, key: str, body: IO[bytes]) -> None:
        self.objects[key] = body.read()

    def copy(self, upload: UploadedObject, destination: str) -> None:
        self.objects[destination] = self.objects[upload.key] if upload.key in self.objects else self.deleted[upload.key]

    def delete(self, upload: UploadedObject) -> None:
        self.objects.pop(upload.key, None)

    def report(self, key: str) -> Any:
        return json.loads(self.objects[key])


class MemoryQueue:
    """The upload's continuation queue: what was sent, as SQS would hand it back."""

    def __init__(self) -> None:
        self.sent: list[UploadProgress] = []

    def send(self, progress: UploadProgress) -> None:
        self.sent.append(UploadProgress.model_validate_json(progress.model_dump_json()))
