"""Apply what a payment provider reported to the account it concerns: one change, one transaction.

The provider's customer leads to a Ponte account by the one rule of `ponte.domain.identity` (the business's
reference, tax id, the provider's customer id, e-mail); a refund or a dispute leads first through the payment it is
about, so it lands on the account that recorded the payment and never opens one; so does the provider's word on
which payment paid which of its invoices (`PaymentApplied`, which names no customer), through that payment, else
the invoice reported paid without it (`InvoiceSettled`), waiting (`UnknownPayment`) while Ponte knows neither. An
unknown customer gets a new account. A store that remembers the references it has seen lets a delivery guess its
account instead of reading them first, the change's own transaction checking the guess (`_guess`). The events of
one delivery are folded into the account's ledger, the alerts they call for are added, and the collections decision
is recomputed from the whole ledger (so a payment that clears a suspended account's debt reactivates it in the same
change). How each payment was tied to an invoice (`ponte.domain.matching`) goes into the timeline; a payment that
matches nothing specific while several invoices are open is announced to collections with the candidates.

A new payment from a returning customer whose ledger holds nothing but payments, in good standing, needs none of
that: there is nothing to match it to and nothing the collections decision could change. A store that can read
such an account without its payments (`PaymentHeads`: the account item and its summary) spares the read of the
whole ledger; everything else (an invoice, a debt, a suspension a payment may lift, a merge, a refund or a dispute,
a second event of a payment the summary names) is decided from the whole ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, ValidationError

from ponte.domain import events as ev
from ponte.domain.accounts import Account, Contact, HoldKind, Locale, StaffHold, TimelineEntry, next_version
from ponte.domain.bodies import payments as alerts
from ponte.domain.bodies.accounts import AccountOpened, AccountsMerged, AccountsNotMerged
from ponte.domain.bodies.invoices import DueInstallment, NewCustomerInvoice
from ponte.domain.changes import AccountChange, Merge
from ponte.domain.dunning import SentNotice
from ponte.domain.errors import ConcurrentModification, DuplicateEvent, InvalidInput
from ponte.domain.identity import PAYMENT_SUFFIX, customer_references, new_account_id, payment_reference
from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Party, SourceFormat, normalise_tax_id
from ponte.domain.ledger import (
    OFFLINE,
    CancellationRecord,
    InvoiceRecord,
    Ledger,
    LedgerHead,
    LedgerSummary,
    PaymentAlreadyRecorded,
    PaymentRecord,
    SettledReport,
    WriteOffRecord,
    label_of,
)
from ponte.domain.matching import Match, MatchRule
from ponte.domain.notifications import Audience, Notification, NotificationBody, Severity, Team, notification_id
from ponte.services.conflicts import NO_DEADLINE
from ponte.services.owners import OwnerChoice, Owners

if TYPE_CHECKING:
    from ponte.services.conflicts import ConflictRetry
    from ponte.services.ports import LedgerStore

# A merge moves each record of the absorbed account (a put here, a delete there; the evidence of its notices is
# copied, a put here) in one transaction of at most 100 items, beside the change's own; an account with more is
# left for staff to merge.
MERGE_MAX_RECORDS = 35
MERGE_MAX_WRITES = 2 * MERGE_MAX_RECORDS

Recompute = Callable[[Ledger, datetime, str], AccountChange | None]
"""The collections decision for a ledger at a moment, as a change (status, next evaluation, what to tell), or None.
The third argument is the cause (the delivery's dedup key) from which notification ids are derived."""


class PaymentSettings(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, defer_build=True)

    staff_locale: Locale
    customer_locale: Locale  # for accounts a provider's customer creates
    time_zone: str
    default_owner: str | None = None
    # The owner rule for accounts a provider's customer creates (`ponte.services.owners`); None: the owner the
    # provider names, else `default_owner`, with no staff directory.
    owners: Owners | None = None

    def owner_rule(self) -> Owners:
        return self.owners if self.owners is not None else Owners(default_owner=self.default_owner)


@dataclass(frozen=True)
class Applied:
    account_id: str | None
    duplicate: bool = False
    created: bool = False
    effects: tuple[str, ...] = ()
    attempts: int = 1  # 2 or more: the account changed meanwhile and the delivery was decided again


def apply_delivery(
    events: Sequence[ev.DomainEvent],
    *,
    store: LedgerStore,
    settings: PaymentSettings,
    recompute: Recompute,
    now: datetime,
    conflicts: ConflictRetry | None = None,
    retried_for: timedelta | None = None,
) -> Applied:
    """Record one delivery's events exactly once. Duplicates (same provider event) change nothing.

    Deliveries for the same account at once conflict on its version: the one refused reads the account again and
    decides its change anew, as `conflicts` allows (by default a dozen attempts; a webhook passes its Lambda's
    remaining time). Raises StillConflicting, a ConcurrentModification, when it runs out: nothing was written.

    `retried_for`: how long the provider delivers again an event not accepted, for a provider whose events come in
    no particular order. A refund of a payment not recorded yet but made within that time raises UnknownPayment
    even when it names the customer (its payment's event may still come): it lands on the payment when delivered
    again, instead of beside it, lost to the payment that comes later. An older payment's refund, or a dispute (weeks
    after its payment), is taken at once: that payment's event is not coming (made before Ponte, or given up)."""
    first = events[0]
    dedup_key = _delivery_key(events)
    # What a head can decide: one new payment (see `_Plan.start`).
    brief = len(events) == 1 and first.kind == "payment.received"

    def attempt(number: int, may_guess: bool | None = None, whole: bool = False) -> Applied:
        # Only the first attempt guesses: after a conflict, the references are read (and then remembered).
        may = number == 1 if may_guess is None else may_guess
        plan = _Plan.start(
            first,
            store,
            settings,
            now,
            delivery=dedup_key,
            may_guess=may,
            brief=brief and not whole,
            retried_for=retried_for,
        )
        if plan.recorded(dedup_key):  # the read shows it: a duplicate, answered without a write
            return Applied(plan.ledger.account.account_id, duplicate=True, attempts=number)
        for event in events:
            plan.fold(event)
        change = plan.change(recompute, dedup_key)
        try:
            store.commit(change)
        except DuplicateEvent:
            if plan.guessed and _customer_refs(plan.claims):
                # Refused for the duplicate before its claims were checked: the guess is not borne out, and the
                # answer names the account the references lead to.
                plan = _Plan.start(first, store, settings, now, delivery=dedup_key, may_guess=False)
            return Applied(plan.ledger.account.account_id, duplicate=True, attempts=number)
        except PaymentAlreadyRecorded:
            # Decided from a head whose summary did not name the payment (an older one): from the whole ledger.
            return attempt(number, may_guess=False, whole=True)
        except ConcurrentModification:
            if not plan.guessed:
                raise
            # The guess was wrong (a reference it claimed belongs to another account, or the account it would open
            # was opened meanwhile) and nothing was written: the references are read, at once.
            return attempt(number, may_guess=False)
        return Applied(change.account.account_id, created=plan.created, effects=tuple(plan.effects), attempts=number)

    return (conflicts or NO_DEADLINE).run(attempt)


@runtime_checkable
class OwnerMemory(Protocol):
    """A store that remembers, for its process's life, the account each reference it read or claimed leads to
    (`DynamoStore`). With one, a delivery bearing references it does not remember guesses their account rather than
    reading them first; the references not yet the account's are claimed in the change's own transaction, whose
    conditions make a wrong guess write nothing (see `_guess`)."""

    def remembered_owners(self, references: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The account each of these references leads to, of those this store already knows, without reading."""


@runtime_checkable
class PaymentHeads(Protocol):
    """A store that can read an account whose ledger holds nothing but payments without reading its payments."""

    def payment_head(self, account_id: str, payment: str, delivery: str | None = None) -> LedgerHead | Ledger | None:
        """What a delivery (`delivery`: its dedup key) of a payment (`payment`: its key) to the account needs read:
        a `LedgerHead` when the ledger holds nothing but payments (the store may still answer with the whole
        ledger), the whole ledger otherwise; None when there is no such account. A change decided from a head that
        records a payment the ledger holds already is refused with `PaymentAlreadyRecorded` (or `DuplicateEvent`,
        when this delivery recorded it)."""


def _dedup_key(event: ev.DomainEvent) -> str:
    """The dedup key of a delivery of one event: the provider and its event id."""
    return f"{event.provider}:{event.event_id}"


def _delivery_key(events: Sequence[ev.DomainEvent]) -> str:
    """A delivery's dedup key: the provider and its events' ids (one event's alone for a delivery whose events share
    it). A Mercado Pago notification is read as the payment's state, received and then refunded in part: the
    payment's event is the same in every notification, the refund's tells one from the next."""
    first = events[0]
    return _dedup_key(first) + "".join(f"+{e.event_id}" for e in events[1:] if e.event_id != first.event_id)


class UnknownPayment(InvalidInput):
    """A refund or dispute for a payment Ponte never recorded, with no customer to tie it to (or from a provider
    that delivers it again, whatever it names): nothing to change. The provider retries (Stripe for three days), so
    a refund or a dispute that overtook its payment lands on it once it is known."""


_ABOUT_A_PAYMENT = ("refund.issued", "chargeback.opened", "chargeback.closed", "payment.applied")


def references(event: ev.DomainEvent) -> list[tuple[str, str]]:
    """The keys that lead to the event's account, most trusted first: for a refund or a dispute, the payment it is
    about, and for the provider's word on which payment paid which invoice, that payment, then the invoice reported
    paid without it; then the customer's references; for a payment, or an invoice reported paid without its
    payment, its own reference comes last (claimed, for later)."""
    customer = event.customer
    found = customer_references(
        reference=customer.reference,
        tax_id=customer.tax_id,
        provider=event.provider,
        provider_id=customer.id,
        email=customer.email,
    )
    if isinstance(event, ev.PaymentApplied):
        paid = _settled_invoice_reference(event.provider, event.invoice_id)
        return [payment_reference(event.provider, event.payment_id), paid, *found]
    payment_id = getattr(event, "payment_id", None)
    if payment_id and event.kind in _ABOUT_A_PAYMENT:
        return [payment_reference(event.provider, payment_id), *found]
    own = _claimed_for_later(event)
    return [*found, own] if own else found


def _claimed_for_later(event: ev.DomainEvent) -> tuple[str, str] | None:
    """The reference an event claims for the events about it that may follow without naming the customer, which
    leads nowhere yet (claimed, never looked up): a new payment's, for its refunds, its disputes and the provider's
    word on which invoice it paid; an invoice's reported paid without its payment, for the word on which payment."""
    if isinstance(event, ev.PaymentReceived) and event.payment_id:
        return payment_reference(event.provider, event.payment_id)
    if isinstance(event, ev.InvoiceSettled):
        return _settled_invoice_reference(event.provider, event.invoice_id)
    return None


def _settled_invoice_reference(provider: str, invoice_id: str) -> tuple[str, str]:
    """The payment of a provider's invoice reported paid without it, known by the invoice until the provider names
    it (`stripe-invoice-payment`/`in_123`): a payment's reference, so it never joins or names a customer."""
    return (f"{provider}-invoice{PAYMENT_SUFFIX}", invoice_id)


@dataclass
class _Plan:
    """The change being built: the ledger as it will be, and what it will say."""

    ledger: Ledger
    before: Ledger
    created: bool
    claims: list[tuple[str, str]]
    settings: PaymentSettings
    now: datetime
    delivery: str  # the delivery's dedup key, which marks the payments it records
    notifications: list[tuple[Audience, NotificationBody, Team | None, Severity, Locale]] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    invoices: dict[str, InvoiceRecord] = field(default_factory=dict)
    payments: dict[str, PaymentRecord] = field(default_factory=dict)
    effects: list[str] = field(default_factory=list)
    other: Ledger | None = None  # another account the event shows to be the same customer
    merge: Merge | None = None
    absorbed_notices: tuple[SentNotice, ...] = ()
    absorbed_cancellations: tuple[CancellationRecord, ...] = ()
    absorbed_write_offs: tuple[WriteOffRecord, ...] = ()
    assigned: OwnerChoice | None = None  # how a new account's owner was chosen
    guessed: bool = False  # the account was guessed, its references not read (see `_guess`)
    # Read as a head (`LedgerHead`): the ledger then holds the account alone, and this is what its payments come to.
    head: LedgerSummary | None = None

    @classmethod
    def start(
        cls,
        event: ev.DomainEvent,
        store: LedgerStore,
        settings: PaymentSettings,
        now: datetime,
        *,
        delivery: str,
        may_guess: bool,
        brief: bool = False,
        retried_for: timedelta | None = None,
    ) -> _Plan:
        """The plan for the delivery `delivery` (its dedup key) whose first event is `event`. With `brief` (the
        delivery is that one event, a payment), an account the store reads as a head is decided from it when the
        head shows the delivery recorded already (a duplicate) or the payment is new to an account in good standing
        (`_head_decides`), and no other account is the same customer; otherwise from its whole ledger. With
        `retried_for`, a refund of a recent payment waits for it (`apply_delivery`)."""
        refs = references(event)
        # A new payment's own reference is only claimed (it leads nowhere yet): no need to read it first.
        own = _claimed_for_later(event)
        looked_up = [ref for ref in refs if ref != own]
        load = _loader(store, event, brief)
        guess = _guess(event, refs, looked_up, store, load) if may_guess else None
        if guess is not None:
            found, owners = guess
        else:
            owners = store.owners_of(looked_up) if looked_up else {}
            found = _found(event, refs, owners, load)
        head = found if isinstance(found, LedgerHead) else None
        other = None
        if head is not None:
            other = _other_account(refs, owners, head.account.account_id, store)
            if head.summary.recorded(delivery) or (other is None and _head_decides(head, event)):
                ledger: Ledger | None = Ledger(account=head.account)
            else:  # a merge, or more than a new payment: the whole ledger
                ledger, head = store.load_ledger(head.account.account_id), None
        else:
            ledger = found if isinstance(found, Ledger) else None
        if ledger is None and event.kind in _ABOUT_A_PAYMENT and not _customer_refs(refs):
            raise UnknownPayment(f"{event.kind} for a payment Ponte has not recorded and no customer to tie it to")
        if retried_for is not None and _ahead_of_its_payment(event, ledger, now, retried_for):
            raise UnknownPayment(f"{event.kind} for a payment Ponte has not recorded yet")
        created = ledger is None
        assigned = None
        if ledger is None:
            account, assigned = _new_account(event, refs, settings, now)
            ledger = Ledger(account=account)
        if not isinstance(found, LedgerHead):
            other = _other_account(refs, owners, ledger.account.account_id, store)
        # Claim only the references nobody holds yet; one held by another account is left alone.
        claims = [ref for ref in looked_up if ref not in owners] + ([own] if own in refs else [])
        return cls(
            ledger=ledger,
            before=ledger,
            created=created,
            claims=claims,
            settings=settings,
            now=now,
            assigned=assigned,
            guessed=guess is not None,
            delivery=delivery,
            other=other,
            head=head.summary if head is not None else None,
        )

    @property
    def account(self) -> Account:
        return self.ledger.account

    def recorded(self, origin: str) -> bool:
        """Whether the read shows the delivery `origin` (its dedup key) recorded already."""
        return self.head.recorded(origin) if self.head is not None else self.ledger.recorded(origin)

    @property
    def today(self) -> date:
        """The business's local day."""
        return self.now.astimezone(ZoneInfo(self.settings.time_zone)).date()

    def note(self, event: ev.DomainEvent, what: str, why: str) -> None:
        self.timeline.append(
            TimelineEntry(
                account_id=self.account.account_id,
                at=self.now,
                what=what,
                why=why,
                source=f"{event.provider}:{event.event_id}",
            )
        )
        self.effects.append(what)

    def alert(
        self,
        event: ev.DomainEvent,
        body: type[alerts.PaymentBody],
        team: Team,
        severity: Severity = Severity.INFO,
        **facts: object,
    ) -> None:
        """A staff alert naming the provider, its event and the customer, with the facts of `body`."""
        made = body.model_validate(
            {"provider": event.provider, "provider_event": event.event_id, "customer_name": self.account.name, **facts}
        )
        self.notifications.append((Audience.STAFF, made, team, severity, self.settings.staff_locale))

    def note_facts(self, facts: dict[str, str | int]) -> None:
        """Add facts to the latest timeline entry."""
        last = self.timeline[-1]
        self.timeline[-1] = last.model_copy(update={"facts": {**last.facts, **facts}})

    def fold(self, event: ev.DomainEvent) -> None:
        if self.other is not None and not self.timeline:
            self._merge(event, self.other)
        if self.created and not self.timeline:
            self.note(event, "account.opened", f"first {event.kind} from {event.provider} for an unknown customer")
            if self.assigned is not None:
                self.note_facts(self.assigned.facts())
                # A refused owner never fails the payment: the rule's owner has the account, and the timeline says
                # what the provider named and why it was refused (see `ponte.services.owners`).
                refused = self.assigned.refusal_entries(
                    self.account.account_id, self.now, f"{event.provider}:{event.event_id}"
                )
                self.timeline.extend(refused)
                self.effects.extend(entry.what for entry in refused)
            opened = AccountOpened(
                account_name=self.account.name, contact=self.account.contact, owner=self.account.owner
            )
            self.notifications.append((Audience.PLATFORM, opened, None, Severity.INFO, self.account.locale))
        handler = getattr(self, "_" + event.kind.replace(".", "_"))
        handler(event)

    def _payment_received(self, event: ev.PaymentReceived) -> None:
        payment_id = event.payment_id or event.event_id
        known = self.ledger.payment(event.provider, payment_id)
        invoice_key = _invoice_key(event) or (known.invoice_key if known else None)
        record = PaymentRecord(
            provider=event.provider,
            payment_id=payment_id,
            amount=event.amount,
            received_at=known.received_at if known else event.occurred_at,
            method=event.payment_method or (known.method if known else None),
            invoice_key=invoice_key,
            description=event.description or (known.description if known else None),
            links=event.links if not event.links.empty or known is None else known.links,
            refunded=known.refunded if known else 0,
            chargeback=known.chargeback if known else None,
            chargeback_at=known.chargeback_at if known else None,
            origin=known.origin if known else self.delivery,
        )
        if record == known:
            self.note(event, "payment.confirmed", f"{event.amount} already recorded (another event of the payment)")
            return
        unpaid = self.ledger  # what was owed before this payment, asked only for the alert below
        self._put_payment(record)
        match, paid, how = self._matched(record)
        self.note(event, "payment.received", f"{event.amount} by {event.payment_method or 'unknown method'}; {how}")
        self.note_facts({"matched_by": match.rule.value, **({"invoice": paid.invoice.number} if paid else {})})
        if known is None and match.rule is MatchRule.OLDEST and match.candidates:
            owed_before = {r.invoice_id: r.outstanding for r in unpaid.receivables()}
            self.alert(
                event,
                alerts.PaymentUnmatchedAlert,
                Team.COLLECTIONS,
                Severity.WARNING,
                amount=event.amount,
                candidates=tuple(
                    alerts.CandidateInvoice(
                        invoice_number=label_of(found.invoice),
                        due_date=min(i.due_date for i in found.invoice.installments),
                        outstanding=owed_before[key],
                    )
                    for key in match.candidates
                    if (found := self.ledger.invoice(key)) is not None
                    and found.invoice.installments
                    and key in owed_before
                ),
            )
        if known is None and self._starts_relationship():
            self._announce_new_customer(event, label_of(paid.invoice) if paid else None)

    def _matched(self, record: PaymentRecord) -> tuple[Match, InvoiceRecord | None, str]:
        """How the payment is tied to an invoice now: the match, the invoice it pays, and that said for people."""
        match = self.ledger.allocate().matches[record.key]
        paid = self.ledger.invoice(match.invoice_key) if match.invoice_key else None
        if paid is not None:
            return match, paid, f"pays invoice {label_of(paid.invoice)} ({_RULES[match.rule]})"
        return match, None, "no specific invoice: pays the oldest installments first"

    def _announce_new_customer(self, event: ev.PaymentReceived | ev.InvoiceSettled, invoice: str | None) -> None:
        """Sales hear of a customer's first sale paid (see `_starts_relationship`)."""
        self.alert(
            event,
            alerts.CustomerNew,
            Team.SALES,
            contact=self.account.contact,
            description=event.description,
            amount=event.amount,
            payment_method=event.payment_method.value if event.payment_method else None,
            # As the customer and staff know it; the provider's own id (`in_...`) is no number anyone reads.
            invoice_number=invoice or event.invoice_number,
            owner=self.account.owner,
        )

    def _payment_applied(self, event: ev.PaymentApplied) -> None:
        """The provider names the payment that paid its invoice: the payment is tied to that invoice, and a report
        of the invoice paid without it stands for nothing more. A payment not recorded yet is recorded from it,
        under the payment's id, so that its own event, whenever it comes, is the same payment."""
        known = self.ledger.payment(event.provider, event.payment_id)
        key = _invoice_key(event)
        if known is not None and known.invoice_key == key:
            self.note(event, "payment.confirmed", f"{known.amount} already recorded as paying that invoice")
            return
        record = (
            known.model_copy(update={"invoice_key": key})
            if known is not None
            else PaymentRecord(
                provider=event.provider,
                payment_id=event.payment_id,
                amount=event.amount,
                received_at=event.occurred_at,
                invoice_key=key,
                origin=self.delivery,
            )
        )
        self._put_payment(record)
        match, paid, how = self._matched(record)
        self.note(event, "payment.received", f"{record.amount}, payment {record.payment_id}; {how}")
        self.note_facts({"matched_by": match.rule.value, **({"invoice": paid.invoice.number} if paid else {})})

    def _invoice_settled(self, event: ev.InvoiceSettled) -> None:
        """The provider reports its invoice paid without naming the payment: the invoice (recorded from the report
        when it is not yet) keeps the report, which pays it for as long as no payment is tied to it
        (`Ledger.allocate`): never a second payment beside the one its own event records. A customer's first sale
        reported so is announced as a first payment is."""
        key = f"{event.provider}:{event.invoice_id}"
        report = SettledReport(amount=event.amount, at=event.occurred_at, origin=self.delivery)
        known = self.ledger.invoice(key)
        if known is None:
            self._record_invoice(event, event.due_date, "invoice.recorded", settled=report)
        else:
            settled = report if known.settled is None else known.settled.with_report(report)
            if settled == known.settled:
                self.note(event, "invoice.paid", f"invoice {known.invoice.number} already reported paid")
                return
            self._put_invoice(known.model_copy(update={"settled": settled}))
        allocation = self.ledger.allocate()
        link = allocation.links.get(key)
        paid = link.invoice_key if link and link.invoice_key else key
        record = self.ledger.invoice(paid)
        number = record.invoice.number if record else event.invoice_id
        label = label_of(record.invoice) if record else number
        payments = sorted(p.payment_id for p in self.ledger.payments if allocation.matches[p.key].invoice_key == paid)
        how = f"payment {payments[0]} pays it" if payments else "paid by this report until its payment is known"
        self.note(event, "invoice.paid", f"invoice {label}: {event.amount} paid at {event.provider}; {how}")
        self.note_facts({"invoice": number})
        if known is None and self._starts_relationship():
            self._announce_new_customer(event, label)

    def _merge(self, event: ev.DomainEvent, other: Ledger) -> None:
        """Absorb `other` (the same customer, found through the event's references): its records, references, owner
        and contacts come over in this change; it stays as a marker pointing here. Two tax ids never merge."""
        mine, theirs = self.account, other.account
        if mine.tax_id and theirs.tax_id and mine.tax_id != theirs.tax_id:
            reason = "different_tax_ids"
        elif _merge_writes(other) > MERGE_MAX_WRITES:
            reason = "too_many_records"
        else:
            reason = None
        if reason is not None:
            self.note(event, "account.merge_refused", f"{theirs.account_id} looks like the same customer: {reason}")
            body = AccountsNotMerged(
                account_name=mine.name, other_name=theirs.name, other_id=theirs.account_id, reason=reason
            )
            self.notifications.append(
                (Audience.STAFF, body, Team.BACKOFFICE, Severity.WARNING, self.settings.staff_locale)
            )
            return
        invoices = {r.invoice.key: r for r in other.invoices if self.ledger.invoice(r.invoice.key) is None}
        payments = {p.key: p for p in (_kept_apart(p, self.ledger, theirs.account_id) for p in other.payments) if p}
        contact = mine.contact.model_copy(
            update={
                "email": mine.contact.email or theirs.contact.email,
                "phone": mine.contact.phone or theirs.contact.phone,
            }
        )
        account = mine.model_copy(
            update={
                "owner": mine.owner or theirs.owner,
                "tax_id": mine.tax_id or theirs.tax_id,
                "contact": contact,
                "references": tuple(dict.fromkeys((*mine.references, *theirs.references)))[:50],
                "holds": _merged_holds(mine.holds, theirs.holds, self.today),
                # Flagged by hand never to be suspended there: the same customer is not suspended here either.
                "never_suspend": mine.never_suspend or theirs.never_suspend,
            }
        )
        self.invoices.update(invoices)
        self.payments.update(payments)
        self.absorbed_notices = other.notices
        self.absorbed_cancellations = other.cancellations
        # What staff wrote off there stays written off here (the survivor's own write-off of an invoice stands).
        written = {w.invoice_key for w in self.ledger.write_offs}
        self.absorbed_write_offs = tuple(w for w in other.write_offs if w.invoice_key not in written)
        self.ledger = self.ledger.model_copy(
            update={
                "account": account,
                "invoices": (*self.ledger.invoices, *invoices.values()),
                "payments": (*self.ledger.payments, *payments.values()),
                "notices": (*self.ledger.notices, *other.notices),
                "cancellations": (*self.ledger.cancellations, *other.cancellations),
                "write_offs": (*self.ledger.write_offs, *self.absorbed_write_offs),
                # The evidence of the notices that came over: a warning that reached the customer is not taken for
                # one that reached nobody (the store copies it with them).
                "deliveries": (*self.ledger.deliveries, *other.deliveries),
            }
        )
        self.note(event, "account.merged", f"{theirs.account_id} was the same customer: its records moved here")
        self.note_facts({"absorbed": theirs.account_id, "invoices": len(invoices), "payments": len(payments)})
        marker = next_version(theirs, merged_into=mine.account_id, next_evaluation_at=None)
        self.merge = Merge(
            absorbed=other,
            marker=marker,
            timeline=(
                TimelineEntry(
                    account_id=theirs.account_id,
                    at=self.now,
                    what="account.merged_into",
                    why=f"the same customer as {mine.account_id}: everything moved there",
                    source=f"{event.provider}:{event.event_id}",
                ),
            ),
            references=tuple(ref for ref in theirs.references if ref not in self.claims),
        )
        merged = AccountsMerged(
            account_name=mine.name,
            absorbed_name=theirs.name,
            absorbed_id=theirs.account_id,
            invoices=len(invoices),
            payments=len(payments),
        )
        self.notifications.append((Audience.STAFF, merged, Team.BACKOFFICE, Severity.INFO, self.settings.staff_locale))

    def _starts_relationship(self) -> bool:
        """A payment starts a relationship when the account had neither a payment nor an invoice before: a customer
        the business already invoiced (an upload, the opening book, the provider's own invoice, each announced
        when it was the first) is not new."""
        if self.head is not None:
            return not self.head.paid  # a head's ledger holds no invoice
        return not self.before.payments and not self.before.invoices

    def _payment_failed(self, event: ev.PaymentFailed) -> None:
        key = _invoice_key(event)
        owed = {r.invoice_id: r.outstanding.amount for r in self.ledger.receivables()}
        if key in owed and owed[key] == 0:
            # An old failure arriving after the invoice was paid: history, not news.
            self.note(event, "payment.failed", "reported after the invoice was paid; nothing to do")
            return
        self.note(event, "payment.failed", event.reason or "the provider gave no reason")
        self.alert(
            event,
            alerts.PaymentFailedAlert,
            Team.FINANCE,
            Severity.WARNING,
            amount=event.amount,
            reason=event.reason,
            invoice_number=event.invoice_number,
        )

    def _refund_issued(self, event: ev.RefundIssued) -> None:
        known = self._payment_of(event)
        if known is not None and event.amount.currency == known.amount.currency:
            refunded = min(max(known.refunded, event.amount.amount), known.amount.amount)
            self._put_payment(known.model_copy(update={"refunded": refunded}))
        self.note(event, "refund.issued", f"{event.amount} refunded so far")
        self.alert(
            event,
            alerts.RefundAlert,
            Team.FINANCE,
            amount=event.amount,
            paid=known.amount if known else event.amount,
        )

    def _chargeback_opened(self, event: ev.ChargebackOpened) -> None:
        self._chargeback(event, "open")
        self.note(event, "chargeback.opened", event.reason or "the provider gave no reason")
        self.alert(
            event,
            alerts.ChargebackOpenedAlert,
            Team.FINANCE,
            Severity.CRITICAL,
            amount=event.amount,
            reason=event.reason,
            invoice_number=event.invoice_number,
        )

    def _chargeback_closed(self, event: ev.ChargebackClosed) -> None:
        self._chargeback(event, event.outcome)
        self.note(event, "chargeback.closed", f"outcome: {event.outcome}")
        self.alert(
            event,
            alerts.ChargebackClosedAlert,
            Team.FINANCE,
            Severity.WARNING if event.outcome == "lost" else Severity.INFO,
            amount=event.amount,
            outcome=event.outcome,
        )

    def _invoice_issued(self, event: ev.InvoiceIssued) -> None:
        self._record_invoice(event, event.due_date, "invoice.recorded")
        recorded = self.invoices.get(_invoice_key(event) or f"{event.provider}:{event.event_id}")
        if self.created and recorded is not None:
            # The first invoice to a customer never seen before starts the relationship, as a first payment does.
            invoice = recorded.invoice
            body = NewCustomerInvoice(
                customer_name=self.account.name,
                contact=self.account.contact.email,
                invoice_number=label_of(invoice),
                total=invoice.total,
                installments=tuple(
                    DueInstallment(number=i.number, due_date=i.due_date, amount=i.amount) for i in invoice.installments
                ),
                source=event.provider.capitalize(),
            )
            self.notifications.append((Audience.STAFF, body, Team.SALES, Severity.INFO, self.settings.staff_locale))

    def _invoice_overdue(self, event: ev.InvoiceOverdue) -> None:
        # The provider's opinion is history; Ponte's own policy decides what overdue means.
        self._record_invoice(event, event.due_date, "invoice.overdue")

    def _subscription_changed(self, event: ev.SubscriptionChanged) -> None:
        self.note(event, "subscription.changed", f"plan {event.plan or '?'}, status {event.status or '?'}")
        self.alert(
            event,
            alerts.SubscriptionChangedAlert,
            Team.SALES,
            subscription_id=event.subscription_id,
            plan=event.plan,
            status=event.status,
            amount=event.amount,
        )

    def _subscription_cancelled(self, event: ev.SubscriptionCancelled) -> None:
        self.note(event, "subscription.cancelled", event.reason or "the provider gave no reason")
        self.alert(
            event,
            alerts.SubscriptionCancelledAlert,
            Team.SALES,
            Severity.WARNING,
            subscription_id=event.subscription_id,
            plan=event.plan,
            reason=event.reason,
        )

    def _customer_created(self, event: ev.CustomerCreated) -> None:
        self.note(event, "customer.created", f"known to {event.provider} as {event.customer.id or '?'}")

    def _payment_of(self, event: ev.RefundIssued | ev.ChargebackOpened | ev.ChargebackClosed) -> PaymentRecord | None:
        return self.ledger.payment(event.provider, event.payment_id) if event.payment_id else None

    def _chargeback(self, event: ev.ChargebackOpened | ev.ChargebackClosed, state: str) -> None:
        known = self._payment_of(event)
        if known is None:
            return
        if known.chargeback_at is not None and known.chargeback_at > event.occurred_at:
            return  # a newer report already decided the chargeback's state
        self._put_payment(known.model_copy(update={"chargeback": state, "chargeback_at": event.occurred_at}))

    def _put_payment(self, record: PaymentRecord) -> None:
        self.payments[record.key] = record
        others = tuple(p for p in self.ledger.payments if p.key != record.key)
        self.ledger = self.ledger.model_copy(update={"payments": (*others, record)})

    def _record_invoice(
        self,
        event: ev.InvoiceIssued | ev.InvoiceOverdue | ev.InvoiceSettled,
        due: object,
        what: str,
        settled: SettledReport | None = None,
    ) -> None:
        key = _invoice_key(event) or f"{event.provider}:{event.event_id}"
        if event.amount.amount <= 0:
            self.note(event, what, f"{event.amount}: nothing to collect")
            return
        issued = event.occurred_at.astimezone(ZoneInfo(self.settings.time_zone)).date()
        invoice = Invoice(
            key=key,
            number=event.invoice_number or key.split(":", 1)[-1],
            kind=InvoiceKind.INVOICE,
            issue_date=issued,
            currency=event.amount.currency,
            total=event.amount,
            installments=(Installment(number="1", due_date=due or issued, amount=event.amount),),
            customer=_party(event.customer, self.account.name),
            source=SourceFormat.PROVIDER,
            payment_url=event.payment_url,
            links=None if event.links.empty else event.links,
        )
        known = self.ledger.invoice(key)
        if known is not None and known.invoice.fingerprint == invoice.fingerprint:
            self.note(event, what, f"invoice {invoice.number} already recorded")
            return
        record = InvoiceRecord(
            invoice=invoice,
            recorded_at=self.now,
            origin=f"{event.provider}:{event.event_id}",
            # The provider's report of the invoice paid stays with it whatever the provider says of it after.
            settled=settled or (known.settled if known else None),
        )
        self._put_invoice(record)
        self.note(event, what, f"invoice {invoice.number}: {event.amount} due {invoice.installments[0].due_date}")
        link = self.ledger.allocate().links.get(key)
        standing_for = self.ledger.invoice(link.invoice_key) if link and link.invoice_key else None
        if link is not None and standing_for is not None:
            self.note(
                event,
                "invoice.linked",
                f"invoice {invoice.number} from {event.provider} is the same sale as invoice "
                f"{standing_for.invoice.number} ({_RULES[link.rule]}): one receivable",
            )
            self.note_facts({"invoice": standing_for.invoice.number, "matched_by": link.rule.value})

    def _put_invoice(self, record: InvoiceRecord) -> None:
        key = record.invoice.key
        self.invoices[key] = record
        others = tuple(r for r in self.ledger.invoices if r.invoice.key != key)
        self.ledger = self.ledger.model_copy(update={"invoices": (*others, record)})

    def _nothing_to_decide(self) -> bool:
        """Whether the collections decision is to change nothing: an account in good standing whose ledger holds
        nothing but payments (read as a head, see `_head_decides`, or whole, as a new customer's first payment is)
        owes nothing, so there is nothing to recompute, and the policy need not be read."""
        if self.head is not None:
            return True
        head = self.ledger.head()
        return head is not None and head.in_good_standing

    def change(self, recompute: Recompute, dedup_key: str) -> AccountChange:
        decided = None if self._nothing_to_decide() else recompute(self.ledger, self.now, dedup_key)
        account = decided.account if decided else next_version(self.account)
        claimed = tuple(ref for ref in self.claims if not ref[0].endswith(PAYMENT_SUFFIX))
        if claimed:
            account = account.model_copy(
                update={"references": tuple(dict.fromkeys((*account.references, *claimed)))[:50]}
            )
        expected: int | None = self.account.version
        if self.created:  # the account is written for the first time: version 0, nothing to expect
            account, expected = account.model_copy(update={"version": 0}), None
        notifications = [
            Notification(
                notification_id=notification_id(dedup_key, audience, f"{body.kind}#{n}"),
                audience=audience,
                severity=severity,
                team=team,
                account_id=account.account_id,
                owner=account.owner,
                locale=locale,
                occurred_at=self.now,
                body=body,
            )
            for n, (audience, body, team, severity, locale) in enumerate(self.notifications)
        ]
        return AccountChange(
            account=account,
            recorded_at=self.now,
            expected_version=expected,
            timeline=(*self.timeline, *(decided.timeline if decided else ())),
            notifications=(*notifications, *(decided.notifications if decided else ())),
            dedup_key=dedup_key,
            invoices=tuple(self.invoices.values()),
            payments=tuple(self.payments.values()),
            notices=(*(decided.notices if decided else ()), *self.absorbed_notices),
            cancellations=self.absorbed_cancellations,
            write_offs=self.absorbed_write_offs,
            references=tuple(self.claims),
            merge=self.merge,
        )


def _invoice_key(event: ev.DomainEvent) -> str | None:
    invoice_id = getattr(event, "invoice_id", None)
    return f"{event.provider}:{invoice_id}" if invoice_id else None


_RULES: dict[MatchRule, str] = {
    MatchRule.PROVIDER_INVOICE: "the provider's invoice it pays",
    MatchRule.EXPLICIT: "the invoice named in the payment's metadata",
    MatchRule.NUMBER: "same invoice number",
    MatchRule.ACCESS_KEY: "same NF-e access key",
    MatchRule.BANK_SLIP: "same boleto",
    MatchRule.AMOUNT: "the only open invoice of that amount",
    MatchRule.OLDEST: "oldest first",
}


def _ahead_of_its_payment(event: ev.DomainEvent, ledger: Ledger | None, now: datetime, retried_for: timedelta) -> bool:
    """Whether `event` is a refund of a payment the account read does not hold, made recently enough (within
    `retried_for` of `now`, or when unknown) that the payment's own event may still come."""
    if not isinstance(event, ev.RefundIssued) or event.payment_id is None:
        return False
    if ledger is not None and ledger.payment(event.provider, event.payment_id) is not None:
        return False
    return event.paid_at is None or now - event.paid_at <= retried_for


def _customer_refs(refs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [ref for ref in refs if not ref[0].endswith(PAYMENT_SUFFIX)]


def _merge_writes(ledger: Ledger) -> int:
    """The writes a merge of this absorbed ledger takes: each record moved (a put and a delete), each delivery
    record copied (a put)."""
    records = len(ledger.invoices) + len(ledger.payments) + len(ledger.notices) + len(ledger.cancellations)
    return 2 * (records + len(ledger.write_offs)) + len(ledger.deliveries)


def _kept_apart(payment: PaymentRecord, survivor: Ledger, absorbed_id: str) -> PaymentRecord | None:
    """The absorbed account's payment as it comes over, or None when the survivor has it already. A provider's
    payment id names one payment; the ids of payments staff recorded by hand are the account's own (`v5`, or the
    reference they typed): one the survivor uses too, for another payment (another amount or moment), comes over
    under its id marked with the account it came from (`MERGED_FROM`), so that both are kept."""
    same = survivor.payment(payment.provider, payment.payment_id)
    if same is None:
        return payment
    if payment.provider != OFFLINE or (same.amount, same.received_at) == (payment.amount, payment.received_at):
        return None
    return payment.model_copy(update={"payment_id": f"{payment.payment_id}{MERGED_FROM}{absorbed_id}"})


MERGED_FROM = "~"  # between a staff-recorded payment's id and the account it came from in a merge


def _merged_holds(mine: tuple[StaffHold, ...], theirs: tuple[StaffHold, ...], today: date) -> tuple[StaffHold, ...]:
    """The survivor's holds with what staff granted the same customer on the absorbed account: its disputes of
    invoices the survivor has none of (a disputed invoice that comes over is still left out of the ladder), and its
    promise to pay, extension and exemption still in force, where the survivor's own of that kind ends sooner (an
    account keeps one of each). What staff told the customer still holds: the customer is the same."""
    disputed = {h.invoice_key for h in mine if h.kind is HoldKind.DISPUTE}
    added = [h for h in theirs if h.kind is HoldKind.DISPUTE and h.invoice_key not in disputed]
    kept = list(mine)
    for hold in theirs:
        if hold.kind is HoldKind.DISPUTE or hold.until < today:
            continue
        own = next((n for n, h in enumerate(kept) if h.kind is hold.kind), None)
        if own is None:
            added.append(hold)
        elif kept[own].until < hold.until:
            kept[own] = hold
    return (*kept, *added)[:_MAX_HOLDS]


_MAX_HOLDS = 60  # what an account keeps (`Account.holds`): the survivor's own come first


Loaded = Ledger | LedgerHead | None
"""What a read of an account gives: its whole ledger, a head, or nothing (no such account)."""


def _loader(store: LedgerStore, event: ev.DomainEvent, brief: bool) -> Callable[[str], Loaded]:
    """How the plan reads an account: as a head, for a delivery of one payment (`brief`), when the store can."""
    payment_id = getattr(event, "payment_id", None)
    if brief and payment_id and isinstance(store, PaymentHeads):
        payment, delivery = f"{event.provider}:{payment_id}", _dedup_key(event)
        return lambda account_id: store.payment_head(account_id, payment, delivery)
    return store.load_ledger


def _head_decides(head: LedgerHead, event: ev.DomainEvent) -> bool:
    """Whether a new payment to the head's account is decided from the head: the payment is not one the summary
    names (a second event of it is decided from the whole ledger), and the account is in good standing, so that
    the collections decision of a ledger with payments alone leaves it as it is (an overdue or suspended account,
    or one with an evaluation to come, is decided from the whole ledger)."""
    payment_id = getattr(event, "payment_id", None)
    return head.in_good_standing and not head.summary.knows(f"{event.provider}:{payment_id}")


def _other_account(
    refs: list[tuple[str, str]], owners: dict[tuple[str, str], str], account_id: str, store: LedgerStore
) -> Ledger | None:
    """Another account that a trusted reference of the event leads to (not an e-mail, not a payment): the same
    customer known twice, until now."""
    for ref in _customer_refs(refs):
        if ref[0] == "email" or owners.get(ref, account_id) == account_id:
            continue
        other = store.load_ledger(owners[ref])
        if other is not None and other.account.account_id != account_id:
            return other
    return None


def _found(
    event: ev.DomainEvent,
    refs: list[tuple[str, str]],
    owners: dict[tuple[str, str], str],
    load: Callable[[str], Loaded],
) -> Loaded:
    """The ledger of the account the event's references lead to, the most trusted first, or None."""
    for ref in refs:
        if ref in owners:
            ledger = load(owners[ref])
            if ledger is not None and _joins(ref, ledger.account, event.customer):
                return ledger
            # An e-mail shared by customers with different tax ids is not theirs to join by.
    if refs and refs[0][0] == "reference":
        # The business's reference is, by convention, the account's id: an account opened elsewhere is found by it
        # even before the reference was claimed.
        return load(new_account_id(refs))
    return None


def _guess(
    event: ev.DomainEvent,
    refs: list[tuple[str, str]],
    looked_up: list[tuple[str, str]],
    store: LedgerStore,
    load: Callable[[str], Loaded],
) -> tuple[Loaded, dict[tuple[str, str], str]] | None:
    """The account a customer's delivery is for, found without reading its references (one read saved on every
    delivery whose references this process does not all remember), with the owners of the references it shows:
    None when there is no guess to make or it does not hold up, (None, {}) for a customer to open an account for.

    The guess is the account of the most trusted reference remembered, else the account this customer would have
    opened (`new_account_id`: the business's reference, or the hash of the first reference). It holds up when that
    account exists and lists the reference that leads to it (a reference is listed in the transaction that claims
    it) or, for the business's reference, is named by it; with no account there and nothing remembered, the
    customer is taken to be new. Every other reference is then either listed by the account or claimed in the
    change's transaction on condition that no other account holds it; so is the account a new customer opens, on
    condition that it does not exist. The rule of `_found` would have chosen another account only if one of those
    conditions fails: then nothing is written, and the delivery is decided again with its references read."""
    customer = _customer_refs(refs)
    if not isinstance(store, OwnerMemory) or event.kind in _ABOUT_A_PAYMENT or not customer:
        return None
    remembered = store.remembered_owners(looked_up)
    if all(ref in remembered for ref in looked_up):
        return None  # nothing to read: the rule of `_found` costs no more
    leading = next((ref for ref in refs if ref in remembered), None)
    ledger = load(remembered[leading] if leading else new_account_id(customer))
    if ledger is None:
        return (None, {}) if leading is None else None
    account = ledger.account
    held = {ref: account.account_id for ref in looked_up if ref in account.references}
    leading = leading or customer[0]
    if leading not in remembered and leading not in held and leading[0] != "reference":
        return None
    if not _joins(leading, account, event.customer):
        return None
    return ledger, {**held, **remembered}


def _joins(ref: tuple[str, str], account: Account, customer: ev.CustomerRef) -> bool:
    """Whether the account a reference leads to is the customer's: an e-mail never joins two tax ids."""
    if ref[0] != "email" or not customer.tax_id or not account.tax_id:
        return True
    return normalise_tax_id(customer.tax_id) == account.tax_id


def _new_account(
    event: ev.DomainEvent, refs: list[tuple[str, str]], settings: PaymentSettings, now: datetime
) -> tuple[Account, OwnerChoice]:
    customer = event.customer
    # A payer Ponte knows nothing of (no reference at all) gets an account of its own, named after the event.
    account_id = new_account_id(_customer_refs(refs) or [("event", f"{event.provider}:{event.event_id}")])
    name = customer.name or customer.email or account_id
    tax_id = normalise_tax_id(customer.tax_id) if customer.tax_id else None
    assigned = settings.owner_rule().assign(event.owner, source=event.provider)
    account = Account(
        account_id=account_id,
        name=name[:200],
        owner=assigned.owner,
        locale=customer.locale or settings.customer_locale,
        contact=_contact(name[:200], customer),
        created_at=now,
        tax_id=tax_id or None,
    )
    return account, assigned


def _contact(name: str, customer: ev.CustomerRef) -> Contact:
    """The contact the provider gave, keeping only what is valid (a malformed phone is dropped, not fatal)."""
    fields = {"name": name, "email": customer.email, "phone": customer.phone}
    for dropped in ("phone", "email"):
        try:
            return Contact.model_validate(fields)
        except ValidationError:
            fields[dropped] = None
    return Contact(name=name)


def _party(customer: ev.CustomerRef, name: str) -> Party:
    try:
        return Party(
            name=customer.name or name, tax_id=customer.tax_id, email=customer.email, reference=customer.reference
        )
    except ValidationError:
        return Party(name=customer.name or name)
