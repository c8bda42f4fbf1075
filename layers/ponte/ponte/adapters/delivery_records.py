"""What the notifier and the delivery events read and write for customer notices, in the account's partition (see
`keys`): the account's contact as it is now, without an address marked unreachable; one receipt per channel of
each notice, and on the e-mail's receipt what SES reported of it; the marks of unreachable addresses.

An unreachable address is kept as a hash (`address_hash`), never as the address: the mark says "the address this
hash was made of bounced for good or complained", and the contact drops its e-mail while the account's current
address hashes the same, so a corrected address is used again at once.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from ponte.adapters import keys
from ponte.adapters.clients import LazyClient
from ponte.adapters.dynamodb import (
    account_from_item,
    deserialize_item,
    outbox_item,
    serialize_item,
    utc_key,
)
from ponte.domain.accounts import MERGES_FOLLOWED
from ponte.domain.bodies.delivery import STATUS_RANK, EmailEvidence, EvidenceEntry, NoticeEvidence, Reach
from ponte.domain.errors import ConcurrentModification

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

    from ponte.domain.accounts import TimelineEntry
    from ponte.domain.bodies.delivery import EvidenceStatus
    from ponte.services.delivery import Receipt
    from ponte.services.delivery_events import EvidenceWrite

EMAIL: Final = "email"


def address_hash(address: str) -> str:
    """The hash an unreachable address is kept as (SHA-256 of the address, trimmed and lower-cased)."""
    return hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()


# What a channel's send may come to that reached nobody: the ladder looks again at once (a fallback may be due).
FAILED = frozenset({"refused", "held", "bounced", "complained", "rejected", "rendering_failed"})


class DeliveryRecords:
    """Implements the `Contacts` and `Receipts` ports of `ponte.services.delivery` and the `EvidenceRecords` port of
    `ponte.services.delivery_events`."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self.table_name = table_name
        self._client = client

    client: LazyClient[DynamoDBClient] = LazyClient("dynamodb")

    def reach(self, account_id: str, depth: int = 0) -> Reach | None:
        """The account's contact now, without its e-mail while that address is marked unreachable; of the account it
        was merged into, if it was (as every read follows a merge: at most `MERGES_FOLLOWED`)."""
        found = self._get(keys.account_key(account_id), keys.unreachable_key(account_id, EMAIL))
        item = found.get(keys.ACCOUNT)
        if item is None:
            return None
        account = account_from_item(item)
        if account.merged_into is not None and depth < MERGES_FOLLOWED:
            return self.reach(account.merged_into, depth + 1)
        contact = account.contact
        mark = found.get(keys.unreachable_key(account_id, EMAIL)["sk"])
        if contact.email and _marked(mark, contact.email):
            contact = contact.model_copy(update={"email": None})
        return Reach(account_id=account_id, contact=contact)

    def sent(self, account_id: str, notice_id: str, channel: str) -> bool:
        answer = self.client.get_item(
            TableName=self.table_name,
            Key=serialize_item(keys.delivery_key(account_id, notice_id, channel)),
            ConsistentRead=True,
            ProjectionExpression="pk",
        )
        return "Item" in answer

    def record(self, account_id: str, notice_id: str, receipt: Receipt) -> None:
        item = {
            **keys.delivery_key(account_id, notice_id, receipt.channel),
            "kind": "delivery",
            "notification_id": notice_id,
            "channel": receipt.channel,
            "status": receipt.status,
            "at": utc_key(receipt.at),
        }
        if receipt.message_id:
            item["message_id"] = receipt.message_id
        if receipt.reevaluate:
            item["due_pk"], item["due_at"] = keys.DUE_PARTITION, utc_key(receipt.at)  # see `_receipt_update`
        if receipt.reason:
            item["reason"] = receipt.reason
        self.client.put_item(TableName=self.table_name, Item=serialize_item(item))

    def notice_evidence(self, account_id: str, notice_id: str, address: str | None) -> NoticeEvidence:
        """The notice's e-mail receipt, the account and its e-mail mark: one BatchGetItem."""
        receipt_key = keys.delivery_key(account_id, notice_id, EMAIL)
        mark_key = keys.unreachable_key(account_id, EMAIL)
        found = self._get(keys.account_key(account_id), receipt_key, mark_key)
        account = found.get(keys.ACCOUNT)
        return NoticeEvidence(
            evidence=_evidence(found.get(receipt_key["sk"])),
            account=None if account is None else account_from_item(account),
            already_unreachable=address is not None and _marked(found.get(mark_key["sk"]), address),
        )

    def record_evidence(self, write: EvidenceWrite) -> None:
        """The receipt (only if still at the revision read), the timeline entry, and the mark (only if the address
        is not marked yet) with the owner's alert: one TransactWriteItems."""
        event = write.event
        writes: list[TransactWriteItemTypeDef] = [self._receipt_update(write)]
        if write.timeline is not None:
            writes.append({"Put": {"TableName": self.table_name, "Item": serialize_item(_timeline_item(write))}})
        if write.unreachable is not None and event.recipient:
            writes.append(self._mark(write, event.recipient))
        if write.alert is not None:
            # Unconditional: the mark's condition is what makes the alert once per address.
            writes.append(
                {"Put": {"TableName": self.table_name, "Item": serialize_item(outbox_item(write.alert, write.now))}}
            )
        from botocore.exceptions import ClientError  # noqa: PLC0415

        try:
            self.client.transact_write_items(TransactItems=writes)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            raise ConcurrentModification(
                "the notice's receipt or the address's mark changed since it was read"
            ) from error

    def _receipt_update(self, write: EvidenceWrite) -> TransactWriteItemTypeDef:
        evidence = write.evidence
        values: dict[str, Any] = {
            ":status": evidence.status,
            ":status_at": utc_key(evidence.status_at),
            ":history": [_history_item(entry) for entry in evidence.history],
            ":revision": evidence.revision,
            ":message_id": evidence.message_id,
        }
        assignments = ["#status = :status", "status_at = :status_at", "history = :history", "revision = :revision"]
        if evidence.status in FAILED:
            # The ladder looks at the account again: a final warning that reached nobody goes out on the other
            # channel (see `keys` for the re-evaluation flag).
            assignments += ["due_pk = :due_pk", "due_at = :due_at"]
            values[":due_pk"], values[":due_at"] = keys.DUE_PARTITION, utc_key(write.now)
        for name in ("bounce_type", "bounce_subtype", "complaint_type"):
            value = getattr(evidence, name)
            if value:
                assignments.append(f"{name} = :{name}")
                values[f":{name}"] = value
        if write.seen_revision:
            condition = "message_id = :message_id AND revision = :seen"
            values[":seen"] = write.seen_revision
        else:
            condition = "message_id = :message_id AND attribute_not_exists(revision)"
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": serialize_item(keys.delivery_key(write.event.account_id, write.event.notice_id, EMAIL)),
                "UpdateExpression": "SET " + ", ".join(assignments),
                "ConditionExpression": condition,
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": serialize_item(values),
            }
        }

    def _mark(self, write: EvidenceWrite, address: str) -> TransactWriteItemTypeDef:
        event, hashed = write.event, address_hash(address)
        values: dict[str, Any] = {
            ":kind": "unreachable",
            ":channel": EMAIL,
            ":reason": write.unreachable,
            ":at": utc_key(event.at),
            ":notice": event.notice_id,
            ":message_id": event.message_id,
            ":hash": hashed,
            ":hashes": {hashed},
        }
        assignments = ["#kind = :kind", "channel = :channel", "reason = :reason", "#at = :at"]
        assignments += ["notice_id = :notice", "message_id = :message_id"]
        if event.summary:
            assignments.append("detail = :detail")
            values[":detail"] = event.summary
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": serialize_item(keys.unreachable_key(event.account_id, EMAIL)),
                # The latest mark's reason and time, and every address hash marked for the account.
                "UpdateExpression": "SET " + ", ".join(assignments) + " ADD address_hashes :hashes",
                "ConditionExpression": "NOT contains(address_hashes, :hash)",
                "ExpressionAttributeNames": {"#kind": "kind", "#at": "at"},
                "ExpressionAttributeValues": serialize_item(values),
            }
        }

    def _get(self, *wanted: dict[str, str]) -> dict[str, dict[str, Any]]:
        """Items of one partition by sort key, read consistently in one BatchGetItem."""
        found: dict[str, dict[str, Any]] = {}
        request: Any = {self.table_name: {"Keys": [serialize_item(key) for key in wanted], "ConsistentRead": True}}
        while request:
            answer = self.client.batch_get_item(RequestItems=request)
            for item in answer.get("Responses", {}).get(self.table_name, []):
                plain = deserialize_item(item)
                found[plain["sk"]] = plain
            # DynamoDB may leave keys unprocessed under load; they are asked for again.
            request = answer.get("UnprocessedKeys") or None
        return found


def _marked(mark: dict[str, Any] | None, address: str) -> bool:
    return mark is not None and address_hash(address) in mark.get("address_hashes", set())


def _evidence(item: dict[str, Any] | None) -> EmailEvidence | None:
    """The e-mail's evidence from its receipt; None when no e-mail was accepted for the notice (refused, held)."""
    if item is None or not item.get("message_id"):
        return None
    status: EvidenceStatus = item["status"] if item.get("status") in STATUS_RANK else "accepted"
    return EmailEvidence(
        message_id=item["message_id"],
        status=status,
        status_at=_moment(item.get("status_at") or item["at"]),
        history=tuple(
            EvidenceEntry(event=entry["event"], at=_moment(entry["at"]), detail=entry.get("detail"))
            for entry in item.get("history", [])
        ),
        revision=int(item.get("revision", 0)),
        bounce_type=item.get("bounce_type"),
        bounce_subtype=item.get("bounce_subtype"),
        complaint_type=item.get("complaint_type"),
    )


def _history_item(entry: EvidenceEntry) -> dict[str, str]:
    # Whole (SES stamps to the millisecond): the same event read back compares equal, and is seen as a replay.
    item = {"event": entry.event, "at": entry.at.astimezone(UTC).isoformat()}
    if entry.detail:
        item["detail"] = entry.detail
    return item


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _timeline_item(write: EvidenceWrite) -> dict[str, Any]:
    """A timeline item as the store writes them (`dynamodb.timeline_item`), keyed by the notice and the event."""
    entry: TimelineEntry | None = write.timeline
    assert entry is not None
    key = keys.delivery_timeline_key(entry.account_id, utc_key(entry.at), write.event.notice_id, write.event.kind)
    return {**key, "kind": "timeline", **entry.model_dump(mode="json")}
