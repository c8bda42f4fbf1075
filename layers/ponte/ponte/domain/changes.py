"""A change: the new state of one account and everything it implies, written in one transaction."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from ponte.domain.accounts import Account, Acknowledgement, TimelineEntry
from ponte.domain.dunning import SentNotice
from ponte.domain.ledger import CancellationRecord, InvoiceRecord, Ledger, PaymentRecord, WriteOffRecord
from ponte.domain.notifications import Notification


class Merge(BaseModel):
    """Another account found to be the same customer, absorbed by the changed account in the same transaction.

    Its records are written into the changed account (they are in the change's invoices, payments, notices,
    cancellations and write-offs) and deleted from its own partition; the evidence of its notices (`deliveries`)
    is copied from `absorbed`, beside them; it stays as a marker pointing to the survivor (`merged_into`), at the
    version it was read at plus one; its customer references are moved over. Its staff disputes come over in the
    changed account's holds.
    """

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    absorbed: Ledger
    marker: Account
    timeline: tuple[TimelineEntry, ...] = ()
    references: tuple[tuple[str, str], ...] = Field(default=(), description="Moved to the survivor.")


class AccountChange(BaseModel):
    """The account's new state, its timeline entries and outbox items, and the inbound thing's dedup key.

    `recorded_at` is the trigger's time (never the clock's), from which retention periods count.
    `expected_version` is the version the change was computed from (None: the account is new); the store
    refuses the change if the stored account moved on meanwhile, and refuses a second change with the same
    `dedup_key`, so that a retried or duplicated delivery has exactly one effect.
    """

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    account: Account
    recorded_at: AwareDatetime
    expected_version: int | None
    timeline: tuple[TimelineEntry, ...] = ()
    notifications: tuple[Notification, ...] = ()
    dedup_key: str | None = None
    invoices: tuple[InvoiceRecord, ...] = ()  # written as they are (new or corrected)
    payments: tuple[PaymentRecord, ...] = ()
    notices: tuple[SentNotice, ...] = ()  # collection steps carried out by this change
    cancellations: tuple[CancellationRecord, ...] = ()
    write_offs: tuple[WriteOffRecord, ...] = ()  # invoices staff wrote off
    # Alerts staff acknowledged: each written once (a second acknowledgement of the same alert is refused).
    acknowledgements: tuple[Acknowledgement, ...] = ()
    # Lookup keys that lead to this account, claimed once: ("tax_id", "12345678000195"), ("stripe", "cus_123")...
    references: tuple[tuple[str, str], ...] = ()
    # Re-evaluation flags this change answers: (sort key of the flagged item in the account's partition, the due_at
    # seen). The flag is removed only if due_at is still that value, so a newer flag is never lost.
    cleared_flags: tuple[tuple[str, str], ...] = ()
    merge: Merge | None = None

    @model_validator(mode="after")
    def _consistent(self) -> AccountChange:
        expected_new = 0 if self.expected_version is None else self.expected_version + 1
        if self.account.version != expected_new:
            raise ValueError(
                f"account version {self.account.version} does not follow expected version {self.expected_version}"
            )
        owners = {entry.account_id for entry in self.timeline} | {note.account_id for note in self.notifications}
        if owners - {self.account.account_id}:
            raise ValueError("every timeline entry and notification must belong to the changed account")
        return self
