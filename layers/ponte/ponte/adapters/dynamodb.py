"""The DynamoDB store: accounts, timelines, outbox items and inbound markers in one table.

A payment a delivery records is its own dedup marker: its item is created once (a second attempt of the same
delivery finds it, and is a duplicate), and it carries that change's timeline entries (`HISTORY`), which the timeline
reads put in their place. Such a change writes no inbound marker and no timeline item: a returning customer's payment
is the account, the payment and the payment's reference, three items under 1 KB. Every other change writes its
marker and its timeline items as before.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from ponte.adapters import keys
from ponte.adapters.clients import LazyClient
from ponte.domain.accounts import MERGES_FOLLOWED, Account, AccountStatus, AccountSummary, search_name
from ponte.domain.errors import ConcurrentModification, DuplicateEvent, InvalidInput

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

    from ponte.domain.accounts import TimelineEntry
    from ponte.domain.changes import AccountChange
    from ponte.domain.ledger import AccountRecords, Ledger, LedgerHead, LedgerSummary, PaymentRecord, TimelinePage
    from ponte.domain.notifications import Notification

MAX_TRANSACTION_ITEMS = 100  # DynamoDB TransactWriteItems limit
TIMELINE_PAGE = 50  # timeline entries a staff view shows at once
# A filtered query reads this many times what its page still needs (DynamoDB filters after `Limit`), so a page whose
# filter keeps one item in four is filled in about one call.
READ_AHEAD = 4
_BATCH_GET = 100  # BatchGetItem takes at most 100 keys
_KNOWN_ACCOUNTS = 1024  # accounts a store remembers the summary and the shape of (the oldest are forgotten first)
SUMMARY = "summary"  # the account item's attribute with its ledger's summary (`LedgerSummary`), as JSON
HISTORY = "entries"  # a payment item's attribute: the timeline entries of the change that recorded it, as JSON
_PAYMENTS = f"{keys.LEDGER}#PAYMENT#"


@dataclass(frozen=True, slots=True)
class _Parsed:
    item: dict[str, Any]  # as DynamoDB returns it
    account: Account
    summary: LedgerSummary | None


@dataclass(frozen=True, slots=True)
class _Known:
    """What a store last read or wrote of an account: its version, its summary at that version (exact: payments are
    written only with the account), and whether its ledger held nothing but payments (a hint: an upload writes
    invoices without the account, so a head read checks it again)."""

    version: int
    summary: LedgerSummary | None
    payments_only: bool | None


def utc_key(moment: datetime) -> str:
    """A fixed-width UTC timestamp, so that string order is time order in sort keys and indexes."""
    # An evaluation keys its change, its notices and its history by the sweep's time: one conversion per sweep.
    return _utc_key(moment, moment.fold)


@lru_cache(maxsize=256)
def _utc_key(moment: datetime, fold: int) -> str:
    # `fold` is part of the key: two moments that compare equal in one time zone may be an hour apart (a clock set
    # back), and the cache must not take one for the other.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


class DynamoStore:
    """Reads and writes Ponte's single table. Implements the `AccountStore` port."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self.table_name = table_name
        self._client = client
        # A reference, once claimed, leads to the same account forever (the claim is conditional and never
        # rewritten): what was found is kept for the container's life. What was not found is asked again.
        self._owners: dict[tuple[str, str], str] = {}
        self._known: dict[str, _Known] = {}
        # The account items last read or written (two per account), with what each holds: an item at a version is
        # written once, so a delivery that reads the item its container wrote does not validate it again.
        self._parsed: dict[str, list[_Parsed]] = {}

    # Every request is built here, in shapes the tests run against the emulator; each evaluation and each delivery
    # makes a request or two: what botocore does for every request and need not (checks, the User-Agent, the
    # endpoint, the walk that writes the body) is done once (`clients.LazyClient`, `own_requests`).
    client: LazyClient[DynamoDBClient] = LazyClient("dynamodb", own_requests=True)

    def get_account(self, account_id: str) -> Account | None:
        answer = self.client.get_item(
            TableName=self.table_name, Key=serialize_item(keys.account_key(account_id)), ConsistentRead=True
        )
        item = answer.get("Item")
        return None if item is None else self._account(item)

    def load_ledger(self, account_id: str, depth: int = 0) -> Ledger | None:
        """The account with its invoices, payments and notices sent: one strongly consistent query on the account's
        partition, since a change is decided on it and written only if the account is still at the version read
        (an eventually consistent read after a conflict could return the same stale version again)."""
        items = self._query(
            "pk = :pk AND sk BETWEEN :first AND :last",
            {":pk": keys.account_pk(account_id), ":first": keys.ACCOUNT, ":last": keys.LEDGER_END},
        )
        return self._ledger(items, depth)

    def _ledger(self, items: list[dict[str, Any]], depth: int) -> Ledger | None:
        ledger = ledger_from_items(items)
        if ledger is not None and ledger.account.merged_into is not None and depth < MERGES_FOLLOWED:
            # The customer was found to be another account's: everything now lives there.
            return self.load_ledger(ledger.account.merged_into, depth=depth + 1)
        if ledger is not None:
            self._read_whole(ledger)
        return ledger

    def payment_head(
        self, account_id: str, payment: str, delivery: str | None = None, depth: int = 0
    ) -> LedgerHead | Ledger | None:
        """What a delivery (`delivery`: its dedup key) of a payment (`payment`: its key) to the account needs read:
        for an account this store last saw with nothing but payments in its ledger, and a summary that does not
        name the payment or names it as this delivery's, the account item and the first ledger item after it (one
        query of two items, whatever the number of payments), which is a `LedgerHead` when that item is a payment
        or there is none; otherwise, or when the account item has no summary yet (it was written before summaries),
        the whole ledger (`load_ledger`, continued from there)."""
        from ponte.domain.ledger import LedgerHead  # noqa: PLC0415

        known = self._known.get(account_id)
        summary = known.summary if known is not None and known.payments_only else None
        if summary is None or (summary.knows(payment) and (delivery is None or not summary.recorded(delivery))):
            return self.load_ledger(account_id, depth)
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :first AND :last",
            "ExpressionAttributeValues": {
                ":pk": {"S": keys.account_pk(account_id)},
                ":first": {"S": keys.ACCOUNT},
                ":last": {"S": keys.LEDGER_END},
            },
            "ConsistentRead": True,
            "Limit": 2,
        }
        answer = self.client.query(**request)
        raw = answer.get("Items", [])
        if not raw or raw[0]["sk"] != {"S": keys.ACCOUNT}:
            return None  # no account item (a ledger item without one is no account's)
        parsed = self._parse(raw[0])
        account, summary = parsed.account, parsed.summary
        if account.merged_into is not None and depth < MERGES_FOLLOWED:
            return self.payment_head(account.merged_into, payment, delivery, depth + 1)
        after = raw[1]["sk"]["S"] if len(raw) > 1 else None
        if summary is None or (after is not None and not after.startswith(_PAYMENTS)):
            items = [deserialize_item(item) for item in raw]
            last = answer.get("LastEvaluatedKey")
            if last:
                request.pop("Limit")
                items += self._pages(request, last)
            return self._ledger(items, depth)
        self._remember(account_id, _Known(account.version, summary, payments_only=True))
        return LedgerHead(account=account, summary=summary)

    def _account(self, item: dict[str, Any]) -> Account:
        """The account an account item (as DynamoDB returns it) holds; its summary remembered with it."""
        parsed = self._parse(item)
        account = parsed.account
        known = self._known.get(account.account_id)
        shape = known.payments_only if known is not None else None
        self._remember(account.account_id, _Known(account.version, parsed.summary, shape))
        return account

    def _parse(self, item: Any, account: Account | None = None, summary: LedgerSummary | None = None) -> _Parsed:
        account_id = item["account_id"]["S"]
        seen = self._parsed.setdefault(account_id, [])
        for n, parsed in enumerate(seen):
            if parsed.item == item:
                seen.insert(0, seen.pop(n))
                return parsed
        if account is None:
            account, summary = account_from_item(deserialize_item(item)), summary_from_attribute(item.get(SUMMARY))
        made = _Parsed(item, account, summary)
        seen.insert(0, made)
        del seen[2:]
        return made

    def _read_whole(self, ledger: Ledger) -> None:
        """Remember what a read of the whole ledger shows: its exact summary, whatever the item says."""
        from ponte.domain.ledger import LedgerSummary  # noqa: PLC0415

        account = ledger.account
        summary = LedgerSummary.of(ledger.payments)
        self._remember(account.account_id, _Known(account.version, summary, ledger.payments_only))

    def _remember(self, account_id: str, known: _Known) -> None:
        self._known.pop(account_id, None)
        self._known[account_id] = known
        if len(self._known) > _KNOWN_ACCOUNTS:
            oldest = next(iter(self._known))
            del self._known[oldest]
            self._parsed.pop(oldest, None)

    def account_records(
        self, account_id: str, timeline_limit: int = TIMELINE_PAGE, depth: int = 0
    ) -> AccountRecords | None:
        """Everything staff see of an account in one strongly consistent query of its whole partition (DynamoDB
        pages it by the megabyte): the ledger, the acknowledgements, the staff alerts still in the outbox, the
        unreachable marks, and the newest `timeline_limit` entries of its history with a cursor to the older ones.
        A merged account leads to its survivor, as `load_ledger` does."""
        from ponte.domain.accounts import Acknowledgement  # noqa: PLC0415
        from ponte.domain.ledger import AccountRecords  # noqa: PLC0415

        items = self._query("pk = :pk", {":pk": keys.account_pk(account_id)})
        ledger = ledger_from_items(items)
        if ledger is None:
            return None
        if ledger.account.merged_into is not None and depth < MERGES_FOLLOWED:
            return self.account_records(ledger.account.merged_into, timeline_limit, depth + 1)
        self._read_whole(ledger)
        found: list[tuple[str, TimelineEntry | dict[str, Any]]] = [
            *((item["sk"], item) for item in items if _is_timeline(item)),
            *history_entries(item for item in items if str(item["sk"]).startswith(_PAYMENTS)),
        ]
        history = sorted(found, key=_first, reverse=True)  # newest first: entries are read for the page alone
        page = history[:timeline_limit]
        older = len(history) > timeline_limit
        return AccountRecords(
            ledger=ledger,
            timeline=tuple(_entry(found) for _, found in page),
            timeline_cursor=encode_cursor({"sk": page[-1][0]}) if older and page else None,
            acknowledgements=tuple(
                Acknowledgement.model_validate_json(item["record"]) for item in items if item.get("kind") == "ack"
            ),
            alerts=tuple(
                _alert_seen(item) for item in items if item.get("kind") == "outbox" and item.get("audience") == "staff"
            ),
            unreachable=tuple(str(item["channel"]) for item in items if item.get("kind") == "unreachable"),
        )

    def timeline_page(self, account_id: str, cursor: str | None, limit: int = TIMELINE_PAGE) -> TimelinePage:
        """One page of the account's history, newest first, from `cursor` (a page's `cursor`; None: the newest)."""
        from ponte.domain.ledger import TimelinePage  # noqa: PLC0415

        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": serialize_item(
                {":pk": keys.account_pk(account_id), ":prefix": f"{keys.TIMELINE}#"}
            ),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if cursor is not None:
            start = decode_cursor(cursor, {"sk"})
            if not str(start["sk"]).startswith(f"{keys.TIMELINE}#"):
                raise InvalidInput("cursor: not a timeline cursor")
            request["ExclusiveStartKey"] = serialize_item({"pk": keys.account_pk(account_id), "sk": start["sk"]})
        answer = self.client.query(**request)
        items = [deserialize_item(item) for item in answer.get("Items", [])]
        # The entries kept on payment items go in their place: those before the cursor, newest first, with the page.
        held = self._histories(account_id, before=start["sk"] if cursor is not None else None)
        entries = sorted(
            [*((item["sk"], timeline_entry_from_item(item)) for item in items), *held], key=_first, reverse=True
        )
        page = entries[:limit]
        more = len(entries) > limit or answer.get("LastEvaluatedKey") is not None
        return TimelinePage(
            entries=tuple(entry for _, entry in page),
            cursor=encode_cursor({"sk": page[-1][0]}) if more and page else None,
        )

    def audit(self, entry: TimelineEntry, request_id: str) -> None:
        """Record a staff read worth auditing (a contact revealed) in the account's history, once per request,
        without moving the account's version: a read changes nothing else."""
        key = keys.audit_timeline_key(entry.account_id, utc_key(entry.at), request_id)
        from botocore.exceptions import ClientError  # noqa: PLC0415

        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=serialize_item({**key, "kind": "timeline", **entry.model_dump(mode="json")}),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if _code(error) != "ConditionalCheckFailedException":
                raise

    def accounts(self, account_ids: list[str]) -> list[Account]:
        """The accounts with these ids that exist, in the order asked (BatchGetItem, 100 keys a call)."""
        wanted = list(dict.fromkeys(account_ids))
        found: dict[str, Account] = {}
        for start in range(0, len(wanted), 100):
            batch = [serialize_item(keys.account_key(account_id)) for account_id in wanted[start : start + 100]]
            request: Any = {self.table_name: {"Keys": batch}}
            while request:
                answer = self.client.batch_get_item(RequestItems=request)
                for item in answer.get("Responses", {}).get(self.table_name, []):
                    account = self._account(item)
                    found[account.account_id] = account
                request = answer.get("UnprocessedKeys") or None
        return [found[account_id] for account_id in wanted if account_id in found]

    def search_names(
        self, prefix: str, *, limit: int, cursor: str | None = None, owners: frozenset[str] | None = None
    ) -> tuple[list[AccountSummary], str | None]:
        """Accounts whose name starts with `prefix` (as `search_name` compares names), in name order, one page of
        the `search` index at a time (Query; the owners filter, when given, applies to the page read)."""
        plain = search_name(prefix)
        if not plain:
            return [], None
        partition = keys.name_partition(plain)
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": keys.SEARCH_INDEX,
            "KeyConditionExpression": "search_pk = :pk AND begins_with(search_sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": partition}, ":prefix": {"S": plain}},
        }
        if owners is not None:
            _filter_owners(request, owners)
        start = None
        if cursor is not None:
            start = decode_cursor(cursor, set(_INDEX_KEY))
            # DynamoDB refuses a start key outside the query's key condition: a 500 for a value someone sent.
            if start["search_pk"] != partition or not start["search_sk"].startswith(plain):
                raise InvalidInput("cursor: not a cursor of this search")
        items, following, _ = fill_page(self.client, request, limit, _INDEX_KEY, start)
        return [summary_from_item(item) for item in items], encode_cursor(following) if following else None

    def remembered_owners(self, references: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The account each reference leads to, of those this store already read or claimed (`OwnerMemory`)."""
        return {ref: self._owners[ref] for ref in references if ref in self._owners}

    def owners_of(self, references: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The account each already-claimed reference leads to (BatchGetItem, 100 keys a call). Read consistently:
        a delivery that lost the race to open an account must find, when it reads again, the reference just
        claimed."""
        owners = {ref: self._owners[ref] for ref in references if ref in self._owners}
        wanted = [ref for ref in dict.fromkeys(references) if ref not in owners]
        by_key = {keys.reference_key(kind, value)["pk"]: (kind, value) for kind, value in wanted}
        for start in range(0, len(wanted), 100):
            batch = [serialize_item(keys.reference_key(kind, value)) for kind, value in wanted[start : start + 100]]
            request: Any = {self.table_name: {"Keys": batch, "ConsistentRead": True}}
            while request:
                answer = self.client.batch_get_item(RequestItems=request)
                for item in answer.get("Responses", {}).get(self.table_name, []):
                    plain = deserialize_item(item)
                    owners[by_key[plain["pk"]]] = plain["account_id"]
                request = answer.get("UnprocessedKeys") or None
        self._owners.update(owners)
        return owners

    def _query(self, condition: str, values: dict[str, Any]) -> list[dict[str, Any]]:
        """Every item the query finds, page after page (DynamoDB pages by the megabyte)."""
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": serialize_item(values),
            "ConsistentRead": True,
        }
        return self._pages(request)

    def _pages(self, request: dict[str, Any], start: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every item `request` finds from `start` on (None: from the first), page after page."""
        items: list[dict[str, Any]] = []
        while True:
            if start is not None:
                request["ExclusiveStartKey"] = start
            answer = self.client.query(**request)
            items.extend(deserialize_item(item) for item in answer.get("Items", []))
            start = answer.get("LastEvaluatedKey")
            if not start:
                return items

    def timeline(self, account_id: str) -> list[TimelineEntry]:
        """The account's history, oldest first."""
        items = self._query(
            "pk = :pk AND begins_with(sk, :prefix)",
            {":pk": keys.account_pk(account_id), ":prefix": f"{keys.TIMELINE}#"},
        )
        entries = [(item["sk"], timeline_entry_from_item(item)) for item in items]
        return [entry for _, entry in sorted([*entries, *self._histories(account_id)], key=_first)]

    def _histories(self, account_id: str, before: str | None = None) -> list[tuple[str, TimelineEntry]]:
        """The timeline entries kept on the account's payment items (`HISTORY`), with their sort keys: those before
        `before` (a sort key), or all."""
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": keys.account_pk(account_id)}, ":prefix": {"S": _PAYMENTS}},
            "ProjectionExpression": "#history",
            "FilterExpression": "attribute_exists(#history)",
            "ExpressionAttributeNames": {"#history": HISTORY},
            "ConsistentRead": True,
        }
        return [
            (sort_key, entry)
            for sort_key, entry in history_entries(self._pages(request))
            if before is None or sort_key < before
        ]

    def commit(self, change: AccountChange) -> None:
        summary = self._summary_after(change)
        items = self._transaction(change, summary)
        if len(items) > MAX_TRANSACTION_ITEMS:
            raise ValueError(f"a change may write at most {MAX_TRANSACTION_ITEMS} items, not {len(items)}")
        from botocore.exceptions import ClientError  # noqa: PLC0415

        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as error:
            refused = (
                _cancellation(error.response, items, change.dedup_key)
                if _code(error) == "TransactionCanceledException"
                else None
            )
            if refused is None:
                raise
            raise refused from error
        self._owners.update(dict.fromkeys(change.references, change.account.account_id))
        if change.merge is not None:
            self._owners.update(dict.fromkeys(change.merge.references, change.account.account_id))
            self._known.pop(change.merge.marker.account_id, None)
        self._committed(change, items, summary)

    def _summary_after(self, change: AccountChange) -> LedgerSummary | None:
        """The account's summary once `change` is written: the summary at the version the change was decided from,
        with the payments it writes; None when this store does not know that summary (the account item is then
        written without one, and its next reader reads its whole ledger)."""
        from ponte.domain.ledger import LedgerSummary  # noqa: PLC0415

        if change.expected_version is None:  # a new account: its ledger is what the change writes
            return LedgerSummary().after(change.payments)
        known = self._known.get(change.account.account_id)
        if known is None or known.version != change.expected_version or known.summary is None:
            return None
        return known.summary.after(change.payments)

    def _committed(
        self, change: AccountChange, items: list[TransactWriteItemTypeDef], summary: LedgerSummary | None
    ) -> None:
        """Remember the account as written: its summary, whether its ledger still holds nothing but payments, and
        its item (the next read of the same item is not validated again)."""
        account = change.account
        known = self._known.get(account.account_id)
        if change.invoices or change.notices or change.cancellations or change.write_offs or change.merge:
            payments_only: bool | None = False
        elif change.expected_version is None:
            payments_only = True
        else:
            payments_only = (
                known.payments_only if known is not None and known.version == change.expected_version else None
            )
        self._remember(account.account_id, _Known(account.version, summary, payments_only))
        if account.next_evaluation_at is None:  # every other field reads back as it was written
            written = next(write["Put"]["Item"] for write in items if _is_account_put(write))
            self._parse(written, account, summary)

    def transaction_items(self, change: AccountChange) -> list[TransactWriteItemTypeDef]:
        """The items `commit` writes for `change`, with their conditions: for a writer that puts several changes in
        one transaction (`invoice_batches.InvoiceBatches.open_accounts`)."""
        return self._transaction(change, self._summary_after(change))

    def _transaction(self, change: AccountChange, summary: LedgerSummary | None) -> list[TransactWriteItemTypeDef]:
        account = change.account
        writes: list[TransactWriteItemTypeDef] = []
        carriers = _carriers(change)
        if carriers:
            # First, as the marker would be: a second attempt of the delivery is told by its payment.
            writes.extend(
                self._payment_put(change, payment, change.timeline if n == 0 else ())
                for n, payment in enumerate(carriers)
            )
        elif change.dedup_key is not None:
            writes.append(
                _put_new(
                    self.table_name,
                    {
                        **keys.inbound_key(change.dedup_key),
                        "kind": "inbound",
                        "account_id": account.account_id,
                        "at": utc_key(change.recorded_at),
                        "expires_at": _epoch(change.recorded_at) + keys.INBOUND_TTL_SECONDS,
                    },
                )
            )
        account_put: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self.table_name,
                "Item": self._account_item(change, summary),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        if change.expected_version is not None:
            account_put["Put"]["ConditionExpression"] = "#version = :expected"
            account_put["Put"]["ExpressionAttributeNames"] = {"#version": "version"}
            account_put["Put"]["ExpressionAttributeValues"] = serialize_item({":expected": change.expected_version})
        writes.append(account_put)
        if not carriers:
            writes.extend(
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": serialize_item(timeline_item(entry, account.version, seq)),
                    }
                }
                for seq, entry in enumerate(change.timeline)
            )
        writes.extend(
            {"Put": {"TableName": self.table_name, "Item": serialize_item(item)}} for item in _record_items(change)
        )
        # A payment written again (refunded, disputed, moved by a merge, told more by another event) keeps the
        # history its item carries: only its record is set.
        writes.extend(
            self._payment_update(account.account_id, payment) for payment in change.payments if payment not in carriers
        )
        writes.extend(
            _put_new(
                self.table_name,
                {
                    **keys.acknowledgement_key(account.account_id, ack.notification_id),
                    "kind": "ack",
                    "record": ack.model_dump_json(),
                },
            )
            for ack in change.acknowledgements
        )
        for kind, value in change.references:
            claim = _put_new(
                self.table_name,
                {**keys.reference_key(kind, value), "kind": "reference", "account_id": account.account_id},
            )
            # Claimed once; claiming it again for the same account is harmless.
            claim["Put"]["ConditionExpression"] = "attribute_not_exists(pk) OR account_id = :account"
            claim["Put"]["ExpressionAttributeValues"] = serialize_item({":account": account.account_id})
            writes.append(claim)
        writes.extend(
            _put_new(self.table_name, outbox_item(notification, change.recorded_at))
            for notification in change.notifications
        )
        if change.merge is not None:
            writes.extend(self._merge_writes(change))
        writes.extend(
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": serialize_item({"pk": keys.account_pk(account.account_id), "sk": sort_key}),
                    "UpdateExpression": "REMOVE due_pk, due_at",
                    "ConditionExpression": "due_at = :seen",
                    "ExpressionAttributeValues": serialize_item({":seen": seen}),
                }
            }
            for sort_key, seen in change.cleared_flags
        )
        return writes

    def _account_item(self, change: AccountChange, summary: LedgerSummary | None) -> Any:
        """The account item `change` writes (as DynamoDB takes it), with the summary: when the account changed only
        its version since this store read it, the item read with its version and summary moved on."""
        account, expected = change.account, change.expected_version
        read = next(iter(self._parsed.get(account.account_id, ())), None)
        if read is not None and expected is not None and _moved_on(read.account, account, expected):
            item = {**read.item, "version": {"N": str(account.version)}}
            item.pop(SUMMARY, None)
        else:
            item = serialize_item(account_item(account))
        if summary is not None:
            item[SUMMARY] = {"S": summary_text(summary)}
        return item

    def _payment_put(
        self, change: AccountChange, payment: PaymentRecord, history: tuple[TimelineEntry, ...]
    ) -> TransactWriteItemTypeDef:
        """A payment the change's delivery records: created once (`ALL_OLD`: a refusal shows whose it is), with the
        change's timeline entries."""
        item = payment_item(change.account.account_id, payment)
        if history:
            version = change.account.version
            item[HISTORY] = _history_text(
                (keys.timeline_key(entry.account_id, utc_key(entry.at), version, seq)["sk"], entry)
                for seq, entry in enumerate(history)
            )
        put = _put_new(self.table_name, item)
        put["Put"]["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return put

    def _payment_update(self, account_id: str, payment: PaymentRecord) -> TransactWriteItemTypeDef:
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": serialize_item(keys.payment_key(account_id, payment.provider, payment.payment_id)),
                "UpdateExpression": "SET #kind = :kind, #record = :record",
                "ExpressionAttributeNames": {"#kind": "kind", "#record": "record"},
                "ExpressionAttributeValues": {":kind": {"S": "payment"}, ":record": {"S": payment.model_dump_json()}},
            }
        }

    def _merge_writes(self, change: AccountChange) -> list[TransactWriteItemTypeDef]:
        """The absorbed account becomes a marker (if still at the version read), its ledger items leave its
        partition (their copies are in the change's ledger items), and its references move to the survivor. A
        payment item that carries part of the absorbed account's history stays, with that history alone. The
        receipts of its notices are copied whole to the survivor, beside the notices (the ladder reads them there),
        and stay where they are too: SES's later events about those e-mails name the absorbed account."""
        assert change.merge is not None
        merge, survivor = change.merge, change.account.account_id
        absorbed = merge.absorbed
        absorbed_id = absorbed.account.account_id
        marker = _put_new(self.table_name, account_item(merge.marker))
        marker["Put"]["ConditionExpression"] = "#version = :expected"
        marker["Put"]["ExpressionAttributeNames"] = {"#version": "version"}
        marker["Put"]["ExpressionAttributeValues"] = serialize_item({":expected": absorbed.account.version})
        writes: list[TransactWriteItemTypeDef] = [marker]
        holding = _holding_history(absorbed)
        held = {p.key for p in holding}
        gone = [keys.invoice_key(absorbed_id, r.invoice.key) for r in absorbed.invoices]
        gone += [
            keys.payment_key(absorbed_id, p.provider, p.payment_id) for p in absorbed.payments if p.key not in held
        ]
        writes.extend(
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": serialize_item(keys.payment_key(absorbed_id, p.provider, p.payment_id)),
                    "UpdateExpression": "REMOVE #record SET #kind = :kind",
                    "ExpressionAttributeNames": {"#kind": "kind", "#record": "record"},
                    "ExpressionAttributeValues": {":kind": {"S": "timeline"}},
                }
            }
            for p in holding
        )
        gone += [keys.notice_key(absorbed_id, utc_key(n.sent_at), n.step_id, n.channel) for n in absorbed.notices]
        gone += [keys.cancellation_key(absorbed_id, c.access_key) for c in absorbed.cancellations]
        gone += [keys.write_off_key(absorbed_id, w.invoice_key) for w in absorbed.write_offs]
        writes.extend({"Delete": {"TableName": self.table_name, "Key": serialize_item(key)}} for key in gone)
        writes.extend(
            {"Put": {"TableName": self.table_name, "Item": serialize_item(item)}}
            for item in _delivery_copies(absorbed, survivor)
        )
        writes.extend(
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": serialize_item(timeline_item(entry, merge.marker.version, seq)),
                }
            }
            for seq, entry in enumerate(merge.timeline)
        )
        writes.extend(
            {
                "Update": {
                    "TableName": self.table_name,
                    "Key": serialize_item(keys.reference_key(kind, value)),
                    "UpdateExpression": "SET account_id = :survivor",
                    "ConditionExpression": "account_id = :absorbed",
                    "ExpressionAttributeValues": serialize_item({":survivor": survivor, ":absorbed": absorbed_id}),
                }
            }
            for kind, value in merge.references
        )
        return writes


def _moved_on(read: Account, account: Account, expected: int) -> bool:
    """Whether `account` is `read`, at version `expected`, with only its version moved on (as `Account` compares
    them, field by field, without copying it first)."""
    return (
        type(read) is type(account)
        and read.version == expected
        and {**account.__dict__, "version": expected} == read.__dict__
    )


def _put_new(table_name: str, item: dict[str, Any]) -> TransactWriteItemTypeDef:
    return {
        "Put": {
            "TableName": table_name,
            "Item": serialize_item(item),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


# Reasons a transaction is cancelled that no attempt with the same items can get past (DynamoDB API reference,
# TransactWriteItems, CancellationReason): a defect, left to the trigger's 5xx, never retried as a conflict.
_NOT_CONFLICTS = frozenset({"ValidationError", "ItemCollectionSizeLimitExceeded"})


def _cancellation(
    response: Any, items: list[TransactWriteItemTypeDef], dedup_key: str | None = None
) -> Exception | None:
    """Name the reason a transaction was cancelled, from the item whose condition failed. None when it is no
    conflict (the ClientError then propagates). A `TransactionConflict` (another transaction on the same item)
    is a conflict like a failed condition: read again and retry. A payment the change's delivery records that is
    there already is a duplicate when that delivery recorded it, else `PaymentAlreadyRecorded`."""
    reasons = response.get("CancellationReasons") or []
    if any(reason.get("Code") in _NOT_CONFLICTS for reason in reasons):
        return None
    failed = next(
        ((reason, item) for reason, item in zip(reasons, items, strict=False) if reason.get("Code") == _FAILED), None
    )
    if failed is None:
        return ConcurrentModification("the transaction was cancelled by a concurrent one; retry")
    return _refusal(*failed, dedup_key)


def _refusal(reason: Any, item: TransactWriteItemTypeDef, dedup_key: str | None) -> Exception:
    """What the failed condition of `item` means."""
    if "Update" in item:
        return ConcurrentModification("a re-evaluation flag or a merged reference changed since it was read")
    put: Any = item["Put"]
    sort_key = put["Item"]["sk"]["S"]
    if sort_key == keys.ACCOUNT:
        return ConcurrentModification("the account changed since it was read")
    if sort_key == keys.REF:
        return ConcurrentModification("a reference of this account belongs to another account")
    if sort_key.startswith(_PAYMENTS) and _origin_of(reason.get("Item")) != dedup_key:
        from ponte.domain.ledger import PaymentAlreadyRecorded  # noqa: PLC0415

        return PaymentAlreadyRecorded("the payment was recorded by another delivery")
    return DuplicateEvent("this change was already recorded")


_FAILED = "ConditionalCheckFailed"


def _origin_of(item: dict[str, Any] | None) -> str | None:
    """The delivery that recorded the payment an item (as DynamoDB returns it) holds; None when unknown."""
    record = (item or {}).get("record", {}).get("S")
    return json.loads(record).get("origin") if record else None


def _code(error: Any) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def account_item(account: Account) -> dict[str, Any]:
    item: dict[str, Any] = {
        **keys.account_key(account.account_id),
        "kind": "account",
        **account.model_dump(mode="json", exclude={"next_evaluation_at"}, exclude_none=True),
    }
    if account.next_evaluation_at is not None:
        # Only accounts with an evaluation to come carry the index attributes: the index stays sparse.
        item["due_pk"] = keys.DUE_PARTITION
        item["due_at"] = utc_key(account.next_evaluation_at)
    name = search_name(account.name)
    if account.merged_into is None and name:
        # Staff find accounts by the start of their name; a merged account's marker is found through its survivor.
        item.update(keys.name_search_keys(name, account.account_id))
    return item


_NOT_ACCOUNT_FIELDS = frozenset({"pk", "sk", "kind", "due_pk", "search_pk", "search_sk", SUMMARY})


def account_from_item(item: dict[str, Any]) -> Account:
    data = {name: value for name, value in item.items() if name not in _NOT_ACCOUNT_FIELDS}
    due_at = data.pop("due_at", None)
    if due_at is not None:
        data["next_evaluation_at"] = due_at
    return Account.model_validate(plain_item(data))


def ledger_items(change: AccountChange) -> list[dict[str, Any]]:
    account_id = change.account.account_id
    return [*_record_items(change), *(payment_item(account_id, p) for p in change.payments)]


def payment_item(account_id: str, payment: PaymentRecord) -> dict[str, Any]:
    return {
        **keys.payment_key(account_id, payment.provider, payment.payment_id),
        "kind": "payment",
        "record": payment.model_dump_json(),
    }


def _record_items(change: AccountChange) -> list[dict[str, Any]]:
    """The ledger items of `change` other than its payments'."""
    account_id = change.account.account_id
    items: list[dict[str, Any]] = [
        {
            **keys.invoice_key(account_id, record.invoice.key),
            "kind": "invoice",
            "fingerprint": record.invoice.fingerprint,
            "record": record.model_dump_json(),
        }
        for record in change.invoices
    ]
    items += [
        {
            **keys.notice_key(account_id, utc_key(n.sent_at), n.step_id, n.channel),
            "kind": "notice",
            "record": n.model_dump_json(),
        }
        for n in change.notices
    ]
    items += [
        {**keys.cancellation_key(account_id, c.access_key), "kind": "cancellation", "record": c.model_dump_json()}
        for c in change.cancellations
    ]
    items += [
        {**keys.write_off_key(account_id, w.invoice_key), "kind": "writeoff", "record": w.model_dump_json()}
        for w in change.write_offs
    ]
    return items


def ledger_from_items(items: list[dict[str, Any]]) -> Ledger | None:
    """The ledger in an account partition's items (any others are left aside); None without the account item."""
    from ponte.domain.ledger import DeliveryStatus, Ledger  # noqa: PLC0415

    account: Account | None = None
    records: dict[str, list[Any]] = {kind: [] for kind in _RECORDS}
    deliveries = []
    receipts = []  # the delivery items, whole: for a merge of the ledger
    holding = []  # payments whose items carry history
    for item in items:
        kind = item.get("kind")
        if kind == "account":
            account = account_from_item(item)
        elif kind in records:
            record = _record(kind, item["record"])
            records[kind].append(record)
            if HISTORY in item:
                holding.append(record)
        elif kind == "delivery":
            receipts.append(item)
            deliveries.append(
                DeliveryStatus(notice_id=item["notification_id"], channel=item["channel"], status=item["status"])
            )
    if account is None:
        return None
    # Made of records validated as they were read (and when they were written): no need to check them again.
    ledger = Ledger.model_construct(
        account=account,
        invoices=tuple(records["invoice"]),
        payments=tuple(records["payment"]),
        notices=tuple(records["notice"]),
        cancellations=tuple(records["cancellation"]),
        deliveries=tuple(deliveries),
        write_offs=tuple(records["writeoff"]),
    )
    ledger.__dict__[_HOLDING] = tuple(holding)  # outside its fields, as its allocation: for a merge of it
    ledger.__dict__[_RECEIPTS] = tuple(receipts)
    return ledger


_HOLDING = "_holding_history"
_RECEIPTS = "_delivery_items"


def _delivery_copies(ledger: Ledger, account_id: str) -> list[dict[str, Any]]:
    """The delivery items of a ledger this store read (every attribute: message id, SES's history, revision...) as
    the account `account_id` keeps them; made from its `deliveries` for a ledger made otherwise. Without the
    re-evaluation flag: the change that copies them decides from them already."""
    read: tuple[dict[str, Any], ...] | None = ledger.__dict__.get(_RECEIPTS)
    found = (
        read
        if read is not None
        else tuple(
            {"kind": "delivery", "notification_id": d.notice_id, "channel": d.channel, "status": d.status}
            for d in ledger.deliveries
        )
    )
    return [
        {
            **{name: value for name, value in item.items() if name not in _NOT_COPIED},
            **keys.delivery_key(account_id, str(item["notification_id"]), str(item["channel"])),
        }
        for item in found
    ]


_NOT_COPIED = frozenset({"pk", "sk", "due_pk", "due_at"})


def _holding_history(ledger: Ledger) -> tuple[PaymentRecord, ...]:
    """The payments of a ledger this store read whose items carry history; every one of a ledger made otherwise."""
    held: tuple[PaymentRecord, ...] | None = ledger.__dict__.get(_HOLDING)
    return ledger.payments if held is None else held


@lru_cache(maxsize=4096)
def _record(kind: str, text: str) -> Any:
    """A ledger record from its item's JSON. Records are frozen values, so a container shares the ones it read
    lately: an account's next delivery reads the same JSON again and validates only what is new."""
    from ponte.domain.dunning import SentNotice  # noqa: PLC0415
    from ponte.domain.ledger import CancellationRecord, InvoiceRecord, PaymentRecord, WriteOffRecord  # noqa: PLC0415

    models: dict[str, Any] = {
        "invoice": InvoiceRecord,
        "payment": PaymentRecord,
        "notice": SentNotice,
        "cancellation": CancellationRecord,
        "writeoff": WriteOffRecord,
    }
    return models[kind].model_validate_json(text)


_RECORDS = ("invoice", "payment", "notice", "cancellation", "writeoff")


def _carriers(change: AccountChange) -> list[PaymentRecord]:
    """The payments the change's delivery records (those whose origin is its dedup key), outside a merge: each is
    that delivery's marker, and the first carries the change's history."""
    if change.dedup_key is None or change.merge is not None:
        return []
    return [payment for payment in change.payments if payment.origin == change.dedup_key]


def _is_account_put(write: TransactWriteItemTypeDef) -> bool:
    put = write.get("Put")
    return put is not None and put["Item"]["sk"] == {"S": keys.ACCOUNT}


def _first(pair: tuple[str, Any]) -> str:
    return pair[0]


def _is_timeline(item: dict[str, Any]) -> bool:
    return item.get("kind") == "timeline" and str(item["sk"]).startswith(f"{keys.TIMELINE}#")


def _entry(found: TimelineEntry | dict[str, Any]) -> TimelineEntry:
    return found if not isinstance(found, dict) else timeline_entry_from_item(found)


def _history_text(entries: Iterable[tuple[str, TimelineEntry]]) -> str:
    # Each entry as pydantic writes it, its sort key put first: one serializer pass, not a dict and then json.dumps.
    written = (f'{{"sk":{json.dumps(sort_key)},{entry.model_dump_json()[1:]}' for sort_key, entry in entries)
    return f"[{','.join(written)}]"  # an entry always has fields (its account, time and what): never "{}"


def history_entries(items: Iterable[dict[str, Any]]) -> list[tuple[str, TimelineEntry]]:
    """The timeline entries the items (deserialized) carry in their `HISTORY`, with the sort keys they stand at."""
    from ponte.domain.accounts import TimelineEntry  # noqa: PLC0415

    found = []
    for item in items:
        text = item.get(HISTORY)
        for entry in json.loads(text) if text else ():
            sort_key = entry.pop("sk")
            found.append((sort_key, TimelineEntry.model_validate(entry)))
    return found


def summary_text(summary: LedgerSummary) -> str:
    """A summary as the account item's `SUMMARY` attribute: the latest payments' keys, origins and receipt times."""
    recent = [[r.key, r.origin, r.received_at.astimezone(UTC).isoformat()] for r in summary.recent]
    return json.dumps(recent, separators=(",", ":"))


def summary_from_attribute(value: dict[str, str] | None) -> LedgerSummary | None:
    """The summary an account item's `SUMMARY` attribute holds (as DynamoDB returns it); None without one."""
    if value is None:
        return None
    from ponte.domain.ledger import LedgerSummary, RecentPayment  # noqa: PLC0415

    return LedgerSummary(
        tuple(RecentPayment(key, origin, datetime.fromisoformat(at)) for key, origin, at in json.loads(value["S"]))
    )


def timeline_entry_from_item(item: dict[str, Any]) -> TimelineEntry:
    from ponte.domain.accounts import TimelineEntry  # noqa: PLC0415

    return TimelineEntry.model_validate(plain_item({k: v for k, v in item.items() if k not in {"pk", "sk", "kind"}}))


def summary_from_item(item: dict[str, Any]) -> AccountSummary:
    """An account as the `search` index projects it (or as its item holds it)."""
    owner = item.get("owner")
    return AccountSummary(
        account_id=str(item["account_id"]),
        name=str(item["name"]),
        status=AccountStatus(item.get("status", AccountStatus.ACTIVE)),
        owner=str(owner) if owner else None,
    )


def _alert_seen(item: dict[str, Any]) -> Any:
    from ponte.domain.ledger import StaffAlertSeen  # noqa: PLC0415

    payload = json.loads(item["payload"])
    return StaffAlertSeen(
        notification_id=str(payload["notification_id"]),
        event_type=str(item.get("event_type", "")),
        severity=str(payload.get("severity", "info")),
        occurred_at=datetime.fromisoformat(payload["occurred_at"]),
        owner=payload.get("owner"),
    )


_INDEX_KEY = ("pk", "sk", "search_pk", "search_sk")  # what continues a query of the `search` index


def fill_page(
    client: DynamoDBClient,
    request: dict[str, Any],
    wanted: int,
    key_names: tuple[str, ...],
    start: dict[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None, int]:
    """Query until `wanted` items pass the request's filter or the partition ends: the items, the key to continue
    after (None at the end) and the calls it took. A filtered query reads ahead (`READ_AHEAD`); when it read more
    than the page needs, the page continues after the last item it took."""
    found: list[dict[str, Any]] = []
    calls = 0
    while True:
        need = wanted - len(found)
        query = {**request, "Limit": need * READ_AHEAD if "FilterExpression" in request else need}
        if start is not None:
            query["ExclusiveStartKey"] = serialize_item(start)
        answer = client.query(**query)
        calls += 1
        items = [deserialize_item(item) for item in answer.get("Items", [])]
        last = answer.get("LastEvaluatedKey")
        if len(items) > need or (len(items) == need and last is not None):
            found.extend(items[:need])
            return found, {name: found[-1][name] for name in key_names}, calls
        found.extend(items)
        if last is None or len(found) == wanted:
            return found, None, calls
        start = deserialize_item(last)


def _filter_owners(request: dict[str, Any], owners: frozenset[str]) -> None:
    """Keep only the items of these owners (a FilterExpression: applied to what the page read)."""
    names = {f":o{n}": {"S": owner} for n, owner in enumerate(sorted(owners))}
    request["FilterExpression"] = f"#owner IN ({', '.join(names)})" if names else "attribute_not_exists(#owner)"
    request.setdefault("ExpressionAttributeNames", {})["#owner"] = "owner"
    request["ExpressionAttributeValues"] = {**request["ExpressionAttributeValues"], **names}


def encode_cursor(key: dict[str, Any]) -> str:
    """A page's last key as an opaque token for the next request."""
    plain = {name: str(value) for name, value in key.items()}
    return base64.urlsafe_b64encode(json.dumps(plain, sort_keys=True).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, names: set[str]) -> dict[str, str]:
    """A token `encode_cursor` made, with exactly these key names; InvalidInput for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError) as exc:
        raise InvalidInput("cursor: not a cursor this API gave") from exc
    if not isinstance(key, dict) or set(key) != names or not all(fits_a_key(v) for v in key.values()):
        raise InvalidInput("cursor: not a cursor this API gave")
    return key


def fits_a_key(value: object) -> bool:
    """Whether `value` could be a key attribute Ponte wrote: text UTF-8 can carry (JSON may spell a lone surrogate),
    not empty, of at most 1,024 bytes, DynamoDB's limit for a sort key (every key Ponte writes is far shorter).
    DynamoDB refuses anything else in a request's `ExclusiveStartKey`, which would be a 500 for a value someone
    sent."""
    if not isinstance(value, str):
        return False
    try:
        return 0 < len(value.encode()) <= 1024
    except UnicodeEncodeError:
        return False


def timeline_item(entry: TimelineEntry, version: int, seq: int) -> dict[str, Any]:
    return {
        **keys.timeline_key(entry.account_id, utc_key(entry.at), version, seq),
        "kind": "timeline",
        **entry.model_dump(mode="json"),
    }


def outbox_item(notification: Notification, recorded_at: datetime) -> dict[str, Any]:
    return {
        **keys.outbox_key(notification.account_id, notification.notification_id),
        "kind": "outbox",
        "audience": notification.audience.value,
        "event_type": notification.event_type,
        "payload": notification.model_dump_json(),
        "expires_at": _epoch(recorded_at) + keys.OUTBOX_TTL_SECONDS,
    }


def batch_get(client: DynamoDBClient, table_name: str, item_keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items with these keys (`pk`, `sk`) that exist, read strongly consistent: BatchGetItem takes 100 keys a
    call, and the keys it leaves unprocessed are asked again."""
    items: list[dict[str, Any]] = []
    for start in range(0, len(item_keys), _BATCH_GET):
        request: Any = {
            table_name: {
                "Keys": [serialize_item(key) for key in item_keys[start : start + _BATCH_GET]],
                "ConsistentRead": True,
            }
        }
        while request:
            answer = client.batch_get_item(RequestItems=request)
            items += [deserialize_item(raw) for raw in answer.get("Responses", {}).get(table_name, [])]
            request = answer.get("UnprocessedKeys") or {}
    return items


def serialize_item(item: dict[str, Any]) -> Any:
    return {name: _attribute(value) for name, value in item.items()}


def _attribute(value: Any) -> Any:
    """A value as DynamoDB's attribute value: what Ponte's items mostly hold (text, integers, maps, lists) directly,
    anything else as boto3 serializes it (and refuses it: a float, for one)."""
    kind = type(value)
    if kind is str:
        return {"S": value}
    if kind is int:
        return {"N": str(value)}
    if kind is dict:
        return {"M": {name: _attribute(inner) for name, inner in value.items()}}
    if kind is list or kind is tuple:
        return {"L": [_attribute(inner) for inner in value]}
    return _converters()[0](value)


def deserialize_item(item: dict[str, Any]) -> dict[str, Any]:
    deserialize = _converters()[1]
    # Most attributes are strings, whose value needs no conversion.
    return {name: value["S"] if "S" in value else deserialize(value) for name, value in item.items()}


@cache
def _converters() -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """boto3's serializer and deserializer, made once per process (on first use: boto3 is not imported before)."""
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer  # noqa: PLC0415

    return TypeSerializer().serialize, TypeDeserializer().deserialize


def plain_item(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; Ponte stores only integers, so they turn back into int here."""
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, dict):
        return {name: plain_item(inner) for name, inner in value.items()}
    if isinstance(value, list):
        return [plain_item(inner) for inner in value]
    return value
