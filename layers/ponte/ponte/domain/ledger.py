"""An account's ledger: its invoices, the payments received, and the collection notices already sent.

What is still owed is recomputed from the whole ledger every time, never updated in place: the same set of
invoices, payments and cancellations gives the same answer whatever order they arrived in (a payment before its
invoice, the provider's invoice before the NF-e of the same sale, a cancellation before the NF-e it cancels), and a
partial payment or a credit note can never make a step skip or repeat.

One sale, one receivable (`ponte.domain.matching` has the rules): a provider's invoice that stands for an invoice
recorded from an upload is linked to it and owes nothing of its own; an NF-e whose cancellation is known owes
nothing; a payment pays the invoice it matches, oldest installment first. A payment that matches nothing
specific, the excess of one that does, and credit notes form a credit that pays the oldest installments of any
invoice in the same currency; what is left of it is the customer's credit (which, when the policy charges the fine
and interest, pays them first: `ponte.domain.dunning`). Each receivable keeps the dated parts paid on it, from
which the fine and interest accrue: a payment's part is dated by its receipt, a part paid from the credit by the
latest payment or credit note that made up that credit (first in, first out). A payment under an open chargeback
counts for nothing and its invoice is disputed (the ladder leaves it alone); a chargeback won restores it; a lost
one leaves the invoice owed again. An invoice staff wrote off owes nothing more: what was paid on it stays paid, the
credit pays it nothing, and no payment is matched to it by its amount alone.

A provider may report its invoice paid without naming the payment (Stripe's invoice.paid from API version
2025-03-31), while the payment's own event names no invoice: one payment, told twice. The report is kept on the
invoice (`SettledReport`) and pays it, up to what it owes and never into the credit, only while no payment is tied
to it; a payment is tied to it by the provider's word (`PaymentApplied`) or, naming no invoice, as the one open
invoice of its amount (among several, one reported paid). Once one is, that payment is the money, with its refunds
and chargebacks, and the report adds nothing: whatever order they come in, the sale is paid once.
"""

from __future__ import annotations

from bisect import insort
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any, Final, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ponte.domain.accounts import Account, AccountStatus, HoldKind
from ponte.domain.dunning import Holds, PaidPart, PromiseToPay, Receivable, SentNotice
from ponte.domain.errors import ConcurrentModification
from ponte.domain.events import PaymentMethod, SaleLinks
from ponte.domain.invoices import ERP_SOURCES, Invoice, SourceFormat, invoice_key, number_identity
from ponte.domain.matching import Match, MatchRule, by_links
from ponte.domain.money import Money

if TYPE_CHECKING:
    from collections.abc import Container, Iterable, Mapping, Sequence

    from ponte.domain.accounts import Acknowledgement, TimelineEntry

ChargebackState = Literal["open", "won", "lost"]
_NOON = time(12)
OFFLINE: Final = "offline"  # the provider of the payments staff record by hand (cash, a transfer seen in the bank)


class SettledReport(BaseModel):
    """The provider's report that its invoice was paid, by a payment it did not name (`ponte.domain.events.
    InvoiceSettled`): it stands for that payment until a payment is tied to the invoice (see `Ledger.allocate`)."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    amount: Money
    at: AwareDatetime = Field(description="When the provider reported it paid: the moment its part is dated by.")
    origin: str = Field(description="The delivery that first reported it (its dedup key).")

    def with_report(self, other: SettledReport) -> SettledReport:
        """The report once the provider reported the invoice paid again (a Checkout session and its invoice): the
        larger amount, the earlier moment, whatever order the two came in."""
        if other.amount.currency != self.amount.currency:
            return self
        amount = other.amount if other.amount.amount > self.amount.amount else self.amount
        return self.model_copy(update={"amount": amount, "at": min(self.at, other.at)})


class InstallmentReport(BaseModel):
    """The back office's word, in a later upload of its receivables export, that an installment of an invoice Ponte
    holds was paid or cancelled (the row's status, settled-on, cancelled-on or amount-paid column). A cancelled one
    is owed no more. A paid one is paid by the payments Ponte holds from before the report first (one tied to its
    invoice, then the customer's credit from payments: the money the export saw is most likely one of them), and by
    the report for what they leave, dated the day the file says or, without one, as paid on time (see
    `Ledger.allocate`). A payment made after the report is another installment's. A later upload that says it is
    owed withdraws it."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    installment: str = Field(min_length=1, description="The installment's number, as the invoice numbers it.")
    state: Literal["paid", "cancelled"]
    on: date | None = Field(default=None, description="The day the file says it was settled, if it says one.")
    said_at: AwareDatetime = Field(description="When the upload that said it was received.")
    origin: str = Field(description="The upload and line that said it (`record_origin`).")

    def paid_at(self, due: date) -> datetime:
        """When the report's part of the installment (due on `due`) was paid: the day the file says (at noon UTC,
        that same day anywhere in the Americas); without one, as paid on time (its due day, or the report's moment
        when that is earlier)."""
        return min(datetime.combine(self.on or due, _NOON, tzinfo=UTC), self.said_at)


class InvoiceRecord(BaseModel):
    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    invoice: Invoice
    recorded_at: AwareDatetime
    origin: str = Field(description="Where it came from: `stripe:in_123`, `upload:incoming/2026-11.csv`...")
    settled: SettledReport | None = None  # the provider reported it paid without naming the payment
    reported: tuple[InstallmentReport, ...] = ()  # installments the back office's upload says were paid or cancelled

    def report_of(self, position: int) -> InstallmentReport | None:
        """The back office's report on the installment at `position` (1-based, as `Receivable.installment`)."""
        if not self.reported or not 1 <= position <= len(self.invoice.installments):
            return None
        number = self.invoice.installments[position - 1].number
        return next((report for report in self.reported if report.installment == number), None)


class PaymentRecord(BaseModel):
    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    provider: str
    payment_id: str
    amount: Money
    received_at: AwareDatetime
    method: PaymentMethod | None = None
    invoice_key: str | None = None
    description: str | None = None
    links: SaleLinks = SaleLinks()
    refunded: int = Field(default=0, ge=0, description="Minor units refunded so far (providers report the total).")
    chargeback: ChargebackState | None = None
    # When the chargeback state was last reported: an older report arriving late does not undo a newer one.
    chargeback_at: AwareDatetime | None = None
    # The delivery that recorded it (`stripe:evt_123`, its dedup key): the ledger itself then tells that delivery's
    # duplicate. None for a payment recorded otherwise (by staff).
    origin: str | None = None

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.payment_id}"

    @property
    def counted(self) -> int:
        """What this payment settles now, in minor units of its currency."""
        if self.chargeback in {"open", "lost"}:
            return 0
        return max(self.amount.amount - self.refunded, 0)


class DeliveryStatus(BaseModel):
    """What one channel's send of a customer notice came to: `accepted`, `refused`, `held` (by the notifier),
    then `delivered`, `bounced`, `complained`, `rejected`, `delayed` (by the provider's events)."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    notice_id: str
    channel: str
    status: str


class CancellationRecord(BaseModel):
    """An NF-e cancelled at SEFAZ (event 110111): the sale it recorded no longer exists."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    access_key: str = Field(pattern=r"^\d{44}$")
    cancelled_at: AwareDatetime
    recorded_at: AwareDatetime
    origin: str
    reason: str | None = Field(default=None, max_length=300)


class WriteOffRecord(BaseModel):
    """Staff wrote an invoice off: what it still owed then is owed no more."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    invoice_key: str = Field(min_length=1)
    amount: Money = Field(description="What the invoice still owed when it was written off.")
    at: AwareDatetime
    by: str = Field(min_length=1)
    by_name: str = Field(min_length=1)
    reason: str = Field(min_length=1, max_length=500)


@dataclass(frozen=True, slots=True)
class Allocation:
    """The ledger read as one sale per receivable: what is owed, how each payment was tied to an invoice, which
    provider invoices stand for recorded ones, and the credit left over (per currency, in minor units)."""

    receivables: tuple[Receivable, ...]
    matches: dict[str, Match]  # payment key -> how it was matched
    links: dict[str, Match]  # provider invoice key -> the recorded invoice it stands for
    cancelled: frozenset[str]  # invoice keys of cancelled NF-e
    credit: dict[str, int]
    written_off: dict[str, int] = field(default_factory=dict)  # invoice key -> minor units no longer owed


class Ledger(BaseModel):
    """Everything Ponte knows about what an account owes and was sent, read in one query."""

    model_config = ConfigDict(frozen=True, hide_input_in_errors=True, defer_build=True)

    account: Account
    invoices: tuple[InvoiceRecord, ...] = ()
    payments: tuple[PaymentRecord, ...] = ()
    notices: tuple[SentNotice, ...] = ()
    cancellations: tuple[CancellationRecord, ...] = ()
    deliveries: tuple[DeliveryStatus, ...] = ()
    write_offs: tuple[WriteOffRecord, ...] = ()

    def delivery_evidence(self) -> dict[str, dict[str, str]]:
        """Each customer notice's outcome per channel, for the ladder (no suspension without a reached warning)."""
        evidence: dict[str, dict[str, str]] = {}
        for delivery in self.deliveries:
            evidence.setdefault(delivery.notice_id, {})[delivery.channel] = delivery.status
        for outcomes in evidence.values():
            # A notice held whole (no usable contact, no business identity) went out on none of its channels.
            if outcomes.get("held") == "held":
                for channel in ("email", "sms"):
                    outcomes.setdefault(channel, "held")
        return evidence

    def recorded(self, origin: str) -> bool:
        """Whether the change of the delivery `origin` (its dedup key) is in the ledger: a payment or an invoice it
        recorded, or its report of an invoice paid, is there. Such a record is only ever written by that delivery's
        transaction, with its marker."""
        return any(p.origin == origin for p in self.payments) or any(
            r.origin == origin or (r.settled is not None and r.settled.origin == origin) for r in self.invoices
        )

    def invoice(self, key: str) -> InvoiceRecord | None:
        return next((record for record in self.invoices if record.invoice.key == key), None)

    def payment(self, provider: str, payment_id: str) -> PaymentRecord | None:
        return next((p for p in self.payments if (p.provider, p.payment_id) == (provider, payment_id)), None)

    @property
    def payments_only(self) -> bool:
        """Whether the ledger holds nothing but payments: no invoice, notice, cancellation, write-off or delivery
        evidence (what a `LedgerHead` stands for)."""
        return not (self.invoices or self.notices or self.cancellations or self.write_offs or self.deliveries)

    def head(self) -> LedgerHead | None:
        """The ledger as a `LedgerHead` (its account and summary), when it holds nothing but payments."""
        return LedgerHead(account=self.account, summary=LedgerSummary.of(self.payments)) if self.payments_only else None

    def holds(self) -> Holds:
        """The holds on the ladder: staff's (`Account.holds`, the latest of each kind) and those set by hand."""
        account = self.account
        latest = {hold.kind: hold for hold in sorted(account.holds, key=lambda h: h.set_at)}
        promise = latest.get(HoldKind.PROMISE_TO_PAY)
        exemption = latest.get(HoldKind.EXEMPTION)
        extension = latest.get(HoldKind.EXTENSION)
        return Holds(
            promise_to_pay_until=account.promise_to_pay_until,
            never_suspend=account.never_suspend,
            promise=None
            if promise is None
            else PromiseToPay(
                until=promise.until,
                granted_at=promise.set_at,
                granted_by=promise.set_by_user or promise.set_by,
                amount=promise.amount,
            ),
            exempt_until=exemption.until if exemption else None,
            deadline_not_before=extension.until if extension else None,
            disputed_until={
                h.invoice_key: h.until for h in account.holds if h.kind is HoldKind.DISPUTE and h.invoice_key
            },
            reactivated_at=account.reactivated_at,
        )

    def receivables(self) -> tuple[Receivable, ...]:
        """What is still owed on each installment, after payments and credits, oldest due first."""
        return self.allocate().receivables

    def outstanding(self) -> dict[str, int]:
        """Minor units still owed per currency (disputed invoices included)."""
        owed: dict[str, int] = defaultdict(int)
        for receivable in self.receivables():
            owed[receivable.outstanding.currency] += receivable.outstanding.amount
        return dict(owed)

    def allocate(self) -> Allocation:
        """Link, match and allocate the whole ledger (see the module's docstring). Made once per ledger: a ledger is
        frozen, and `model_copy` (how a change makes the next ledger) starts the copy without it."""
        made = self.__dict__.get(_ALLOCATION)
        if made is None:
            # Without invoices there is nothing to link, match or owe: every payment is credit.
            made = self._allocate() if self.invoices else _payments_alone(self.payments)
            self.__dict__[_ALLOCATION] = made
        return made

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        copied = super().model_copy(update=update, deep=deep)
        copied.__dict__.pop(_ALLOCATION, None)
        return copied

    def _allocate(self) -> Allocation:
        cancelled_keys = {c.access_key for c in self.cancellations}
        cancelled = frozenset(r.invoice.key for r in self.invoices if r.invoice.access_key in cancelled_keys)
        # Linked before the cancelled are set aside: the provider's invoice of a cancelled NF-e is cancelled too.
        in_order = sorted(self.payments, key=_payment_order)
        named = _links_of_payments(in_order)
        same_nfe = _same_nfe(self.invoices)
        all_links = {
            # A provider's invoice for an ERP receivable stands, through it, for the NF-e.
            key: replace(match, invoice_key=same_nfe[match.invoice_key].invoice_key)
            if match.invoice_key in same_nfe
            else match
            for key, match in _provider_links(list(self.invoices), cancelled, named, same_nfe).items()
        } | same_nfe
        gone = cancelled | {key for key, match in all_links.items() if match.invoice_key in cancelled}
        live = [r for r in self.invoices if r.invoice.key not in gone]
        links = {key: match for key, match in all_links.items() if key not in gone}
        canonical = [r for r in live if r.invoice.key not in links]
        known_since = _known_since(canonical, links, {r.invoice.key: r for r in live})
        slots = _installments(canonical)
        written = {w.invoice_key for w in self.write_offs}
        paid: dict[tuple[str, int], int] = defaultdict(int)
        parts: dict[tuple[str, int], list[PaidPart]] = defaultdict(list)
        credit: dict[str, _Pool] = defaultdict(_Pool)
        for record in canonical:
            if record.invoice.total.amount < 0:
                credit[record.invoice.currency].add(record.recorded_at, -record.invoice.total.amount)
        matches: dict[str, Match] = {}
        disputed: set[str] = set()
        by_key = {r.invoice.key: r for r in canonical}
        reported = {slot.id: found for slot in slots if (found := _reported_paid(by_key[slot.invoice_key], slot))}
        settled = _settled(live, links)
        candidates = _Candidates(
            canonical,
            [s for s in slots if s.invoice_key not in written],
            frozenset(settled),
            standing=[r for r in live if r.invoice.key in links],
        )
        for payment in in_order:
            match = _match(payment, candidates, links, paid)
            matches[payment.key] = match
            left = payment.counted
            if match.invoice_key is not None:
                if payment.chargeback == "open":
                    disputed.add(match.invoice_key)
                currency = payment.amount.currency
                # An installment reported paid before the payment was made is not the payment's to pay.
                closed = {sid for sid, report in reported.items() if report.said_at < payment.received_at}
                left = _pay(
                    slots,
                    match.invoice_key,
                    currency,
                    left,
                    at=payment.received_at,
                    paid=paid,
                    parts=parts,
                    closed=closed,
                )
            credit[payment.amount.currency].add(payment.received_at, left, from_payment=True)
        # An invoice the provider reported paid without naming the payment is paid by that report only while no
        # payment is tied to it: once one is, the payment speaks for it, its refunds and chargebacks included. The
        # report pays the invoice alone, never the credit: its payment, if it comes, is the money.
        tied = {match.invoice_key for match in matches.values() if match.invoice_key is not None}
        for key, report in settled.items():
            if key not in tied:
                _pay(slots, key, report.amount.currency, report.amount.amount, at=report.at, paid=paid, parts=parts)
        _take_credit(slots, reported, credit, written, paid=paid, parts=parts)
        payment_urls = _payment_urls(canonical, links, {r.invoice.key: r for r in live})
        receivables = tuple(
            Receivable(
                invoice_id=slot.invoice_key,
                installment=slot.position,
                due_date=slot.due_date,
                amount_due=Money(amount=slot.amount, currency=slot.currency),
                outstanding=Money(amount=slot.amount - paid[slot.id], currency=slot.currency),
                disputed=slot.invoice_key in disputed,
                known_since=known_since.get(slot.invoice_key),
                paid=tuple(sorted(parts[slot.id], key=lambda part: part.at)),
                label=label_of(by_key[slot.invoice_key].invoice),
                payment_url=payment_urls.get(slot.invoice_key),
                bank_slip=by_key[slot.invoice_key].invoice.bank_slip,
            )
            for slot in slots
            if slot.invoice_key not in written
        )
        written_off: dict[str, int] = defaultdict(int)
        for slot in slots:
            if slot.invoice_key in written:
                written_off[slot.invoice_key] += slot.amount - paid[slot.id]
        return Allocation(
            receivables=receivables,
            matches=matches,
            links=links,
            cancelled=frozenset(gone),
            credit={currency: pool.total for currency, pool in credit.items() if pool.total > 0},
            written_off=dict(written_off),
        )


_ALLOCATION = "_allocation"  # where a ledger keeps its allocation (outside its fields: equality ignores it)


def _payments_alone(payments: tuple[PaymentRecord, ...]) -> Allocation:
    """The allocation of a ledger without invoices (what `Ledger._allocate` comes to for one): each payment matches
    nothing, and what it counts for is credit in its currency."""
    credit: dict[str, int] = defaultdict(int)
    matches: dict[str, Match] = {}
    for payment in sorted(payments, key=_payment_order):
        matches[payment.key] = _NOTHING_TO_MATCH
        credit[payment.amount.currency] += max(payment.counted, 0)
    return Allocation(
        receivables=(),
        matches=matches,
        links={},
        cancelled=frozenset(),
        credit={currency: total for currency, total in credit.items() if total > 0},
    )


RECENT_PAYMENTS = 4
"""How many payments an account's summary names: the latest, which a provider's second event of a payment
(Stripe's checkout session and its payment intent) or a retried delivery is about."""


@dataclass(frozen=True, slots=True)
class RecentPayment:
    key: str  # `PaymentRecord.key`
    origin: str | None  # the delivery that recorded it (`PaymentRecord.origin`)
    received_at: datetime


@dataclass(frozen=True, slots=True)
class LedgerSummary:
    """What an account's payments come to, kept on the account item so that a payment to an account whose ledger
    holds nothing but payments is decided without reading them (`LedgerHead`): which payments are the latest
    (by receipt, then key), and the deliveries that recorded them.

    It is a function of the payments alone (`of`), and every change says which payments it writes, new ones and new
    versions of recorded ones (which keep their receipt time), so the store keeps it up to date on each commit
    from the summary as read (`after`). What is owed and when it fell due are not in it: a ledger with invoices is
    always decided from the whole ledger, and there they are recomputed (recompute, don't chain)."""

    recent: tuple[RecentPayment, ...] = ()  # newest first, at most RECENT_PAYMENTS

    @classmethod
    def of(cls, payments: Iterable[PaymentRecord]) -> LedgerSummary:
        return cls(_latest(RecentPayment(p.key, p.origin, p.received_at) for p in payments))

    def after(self, written: Iterable[PaymentRecord]) -> LedgerSummary:
        """The summary once `written` (new payments, or new versions of recorded ones) is in the ledger."""
        new = {p.key: RecentPayment(p.key, p.origin, p.received_at) for p in written}
        if not new:
            return self
        return LedgerSummary(_latest([*(r for r in self.recent if r.key not in new), *new.values()]))

    @property
    def paid(self) -> bool:
        """Whether the ledger holds any payment."""
        return bool(self.recent)

    def recorded(self, origin: str) -> bool:
        """Whether one of the latest payments was recorded by the delivery `origin` (its dedup key)."""
        return any(r.origin == origin for r in self.recent)

    def knows(self, key: str) -> bool:
        """Whether the payment `key` is one of the latest (an older one may be recorded too)."""
        return any(r.key == key for r in self.recent)


def _latest(payments: Iterable[RecentPayment]) -> tuple[RecentPayment, ...]:
    return tuple(sorted(payments, key=lambda r: (r.received_at, r.key), reverse=True)[:RECENT_PAYMENTS])


@dataclass(frozen=True, slots=True)
class LedgerHead:
    """An account whose ledger holds nothing but payments, read without them: the account item and its summary.

    What a returning customer's payment needs when the account is in good standing (`in_good_standing`): with no
    invoice there is nothing to match the payment to and nothing owed, so the collections decision cannot change,
    and the summary tells a duplicate delivery and the payments a second event could be about. A change built from
    a head that records a payment the ledger already holds (an older one than the summary names) is refused by the
    store with `PaymentAlreadyRecorded`, and decided again from the whole ledger."""

    account: Account
    summary: LedgerSummary

    @property
    def in_good_standing(self) -> bool:
        """Active, with no evaluation to come: what the whole ledger's collections decision would leave as it is."""
        account = self.account
        return account.status is AccountStatus.ACTIVE and account.next_evaluation_at is None


class PaymentAlreadyRecorded(ConcurrentModification):
    """A change decided from a `LedgerHead` records a payment the ledger already holds: nothing was written; decide
    it again from the whole ledger."""


class _Pool:
    """A currency's credit: credit notes, unmatched payments and the excess of matched ones. It pays installments
    first in, first out, so each part it pays is dated by the latest payment or credit note that made it up."""

    def __init__(self) -> None:
        # (when, minor units, whether a payment made it: not a credit note), in time order
        self._contributions: list[tuple[datetime, int, bool]] = []

    @property
    def total(self) -> int:
        return sum(amount for _, amount, _ in self._contributions)

    def add(self, at: datetime, amount: int, *, from_payment: bool = False) -> None:
        if amount <= 0:
            return
        # In time order, one of the same moment after those already there (payments mostly come in time order).
        if not self._contributions or self._contributions[-1][0] <= at:
            self._contributions.append((at, amount, from_payment))
        else:
            insort(self._contributions, (at, amount, from_payment), key=_moment)

    def take(self, wanted: int, *, until: datetime | None = None, payments_only: bool = False) -> list[PaidPart]:
        """Up to `wanted`, first in first out; with `until`, of what came in by then; with `payments_only`, of what
        payments made (credit notes left for the rest)."""
        taken: list[PaidPart] = []
        kept: list[tuple[datetime, int, bool]] = []
        for index, (at, amount, from_payment) in enumerate(self._contributions):
            if wanted <= 0 or (until is not None and at > until):
                kept.extend(self._contributions[index:])
                break
            if payments_only and not from_payment:
                kept.append((at, amount, from_payment))
                continue
            take = min(amount, wanted)
            if taken and taken[-1].at == at:  # contributions of the same moment are one part, in whatever order
                taken[-1] = PaidPart(at=at, amount=taken[-1].amount + take)
            else:
                taken.append(PaidPart(at=at, amount=take))
            wanted -= take
            if take < amount:
                kept.append((at, amount - take, from_payment))
        self._contributions = kept
        return taken


def _moment(contribution: tuple[datetime, int, bool]) -> datetime:
    return contribution[0]


@dataclass(frozen=True, slots=True)
class _Slot:
    invoice_key: str
    position: int
    due_date: date
    amount: int
    currency: str

    @property
    def id(self) -> tuple[str, int]:
        return (self.invoice_key, self.position)


def _installments(invoices: list[InvoiceRecord]) -> list[_Slot]:
    """The installments owed, oldest due first: all of each invoice's but those its upload says were cancelled."""
    slots = [
        _Slot(
            invoice_key=record.invoice.key,
            position=position,
            due_date=installment.due_date,
            amount=installment.amount.amount,
            currency=installment.amount.currency,
        )
        for record in invoices
        for position, installment in enumerate(record.invoice.installments, start=1)
        if (report := record.report_of(position)) is None or report.state != "cancelled"
    ]
    return sorted(slots, key=lambda s: (s.due_date, s.invoice_key, s.position))


def label_of(invoice: Invoice) -> str:
    """The invoice as the customer knows it: `NF-e 47428` (series 1 left out, as DANFEs print it apart), the
    business's number with its series (`2-0042`), or the provider's invoice number. Never the internal key."""
    if invoice.source is SourceFormat.NFE:
        return f"NF-e {invoice.number}"
    return f"{invoice.series}-{invoice.number}" if invoice.series else invoice.number


def _payment_urls(
    canonical: list[InvoiceRecord], links: dict[str, Match], records: dict[str, InvoiceRecord]
) -> dict[str, str]:
    """Where each sale can be paid: its own link, else that of the provider invoice standing for it."""
    urls = {r.invoice.key: r.invoice.payment_url for r in canonical if r.invoice.payment_url}
    for provider_key, match in sorted(links.items()):
        url = records[provider_key].invoice.payment_url
        if match.invoice_key is not None and url and match.invoice_key not in urls:
            urls[match.invoice_key] = url
    return urls


def _links_of_payments(in_order: list[PaymentRecord]) -> dict[str, SaleLinks]:
    """The sale links of payments (in the order received) that name a provider's invoice: what that invoice stands
    for, when it says nothing itself (Stripe's invoice.paid carries the metadata the invoice.finalized did not)."""
    found: dict[str, SaleLinks] = {}
    for payment in in_order:
        if payment.invoice_key is not None and not payment.links.empty:
            found.setdefault(payment.invoice_key, payment.links)
    return found


def _provider_links(
    records: list[InvoiceRecord],
    cancelled: frozenset[str],
    named: dict[str, SaleLinks],
    standing: Mapping[str, Match] | None = None,
) -> dict[str, Match]:
    """Which provider invoices stand for an invoice recorded from an upload: first every one whose sale links (its
    own, else those of a payment naming it) name one, then the others by being the one unlinked uploaded invoice of
    the same total and currency (so the order of arrival changes nothing). Each uploaded invoice is stood for by one
    provider invoice at most; by amount, a cancelled one only when no live one fits (a cancelled NF-e's reissue of
    the same amount is the sale), and never one `standing` for an NF-e (an ERP's row of it): the row and its NF-e
    are one sale, not two that fit. Links that name both the row and its NF-e (the same number) name that NF-e."""
    standing = standing or {}
    uploaded = [r.invoice for r in records if r.invoice.source is not SourceFormat.PROVIDER]
    provider = sorted(
        (r.invoice for r in records if r.invoice.source is SourceFormat.PROVIDER), key=lambda invoice: invoice.key
    )
    taken: set[str] = set()
    links: dict[str, Match] = {}
    for invoice in provider:
        own = invoice.links or named.get(invoice.key)
        if own is None:
            continue
        free = [u for u in uploaded if u.key not in taken and u.currency == invoice.currency]
        match = by_links(own, free)
        if match is not None and match.invoice_key is None:
            sales = {standing[key].invoice_key if key in standing else key for key in match.candidates}
            if len(sales) == 1:  # one sale: an NF-e and the rows that stand for it
                match = Match(sales.pop(), match.rule)
        if match is not None and match.invoice_key is not None:
            links[invoice.key] = match
            taken.add(match.invoice_key)
            if match.invoice_key in standing:  # a row of an NF-e: that NF-e's sale is taken with it
                taken.add(str(standing[match.invoice_key].invoice_key))
    for invoice in provider:
        if invoice.key in links or invoice.total.amount <= 0:
            continue
        same = [
            u
            for u in uploaded
            if u.key not in taken
            and u.key not in standing
            and (u.currency, u.total) == (invoice.currency, invoice.total)
        ]
        # A live invoice of that amount first: an NF-e cancelled and reissued is the reissue's sale.
        live = [u.key for u in same if u.key not in cancelled]
        candidates = live or [u.key for u in same]
        if len(candidates) == 1:
            links[invoice.key] = Match(candidates[0], MatchRule.AMOUNT)
            taken.add(candidates[0])
    return links


def nfe_named(invoice: Invoice) -> str | None:
    """The key of the NF-e an uploaded invoice that is not one itself names by its access key (an ERP's receivable
    whose `chave` is that NF-e's): the same sale. None for an NF-e, a provider's invoice, or one naming none."""
    if invoice.access_key is None or invoice.source in {SourceFormat.NFE, SourceFormat.PROVIDER}:
        return None
    return invoice_key("nfe", invoice.access_key)


def _same_nfe(records: Sequence[InvoiceRecord]) -> dict[str, Match]:
    """Uploaded invoices that are an NF-e recorded from its XML: the same sale, which the NF-e stands for. One
    receivable, whichever was uploaded first.

    An ERP's receivable is that NF-e's when it names its access key (`nfe_named`), or, naming none, when it carries
    its number (and its series, when the row gives one), compared as `number_identity` compares them, for no more
    than the NF-e's total in its currency (what is left of it, in a book that leaves out paid installments), and it
    alone does so of the account's NF-e alone so numbered: two branches numbering alike, or two receivables of one
    number, link nothing. A write-off of the NF-e is the sale's: its rows stand for it still (staff see and write
    off the NF-e alone)."""
    nfe = {r.invoice.key: r.invoice for r in records if r.invoice.source is SourceFormat.NFE}
    found = {
        r.invoice.key: Match(named, MatchRule.ACCESS_KEY)
        for r in records
        if (named := nfe_named(r.invoice)) in nfe and r.invoice.total.amount > 0
    }
    numbered: dict[str, list[Invoice]] = defaultdict(list)
    for invoice in nfe.values():
        numbered[number_identity(invoice.number)].append(invoice)
    claims: dict[str, list[str]] = defaultdict(list)
    for record in records:
        invoice = record.invoice
        if invoice.source not in ERP_SOURCES or invoice.access_key is not None or invoice.total.amount <= 0:
            continue
        same = [n.key for n in numbered.get(number_identity(invoice.number), ()) if _same_numbered(invoice, n)]
        if len(same) == 1:
            claims[same[0]].append(invoice.key)
    by_access_key = {match.invoice_key for match in found.values()}
    return found | {
        claimed[0]: Match(key, MatchRule.NUMBER)
        for key, claimed in claims.items()
        if len(claimed) == 1 and key not in by_access_key
    }


def _same_numbered(invoice: Invoice, nfe: Invoice) -> bool:
    """Whether an ERP's receivable of an NF-e's number can be that NF-e: its series (when it gives one), currency
    and an amount within the NF-e's."""
    series = invoice.series is None or number_identity(invoice.series) == number_identity(nfe.series or "")
    return series and invoice.currency == nfe.currency and invoice.total.amount <= nfe.total.amount


def _known_since(
    canonical: list[InvoiceRecord], links: dict[str, Match], records: dict[str, InvoiceRecord]
) -> dict[str, datetime]:
    """When Ponte first knew of each sale: its own record's time, or an earlier linked provider invoice's."""
    known = {r.invoice.key: r.recorded_at for r in canonical}
    for provider_key, match in links.items():
        if match.invoice_key in known:
            known[match.invoice_key] = min(known[match.invoice_key], records[provider_key].recorded_at)
    return known


def _settled(live: list[InvoiceRecord], links: dict[str, Match]) -> dict[str, SettledReport]:
    """The invoices reported paid by their provider without the payment being named, each under the key of the
    invoice it pays: its own, or that of the recorded invoice it stands for."""
    found: dict[str, SettledReport] = {}
    for record in live:
        if record.settled is not None:
            link = links.get(record.invoice.key)
            found[link.invoice_key if link and link.invoice_key else record.invoice.key] = record.settled
    return found


def _take_credit(
    slots: list[_Slot],
    reported: dict[tuple[str, int], InstallmentReport],
    credit: dict[str, _Pool],
    written: set[str],
    *,
    paid: dict[tuple[str, int], int],
    parts: dict[tuple[str, int], list[PaidPart]],
) -> None:
    """Pay what the payments tied to their invoices left of `slots` (oldest due first) with the credit. Those the back
    office reports paid first: each takes the credit of payments made before the report (a payment Ponte could not
    tie to an invoice is most likely the money the back office saw; a credit note is not), and its report pays what
    is left, so the money is counted once. An invoice written off takes no credit: its report says what of it was
    paid, not written off."""
    for slot in slots:
        report = reported.get(slot.id)
        if report is None:
            continue
        if slot.invoice_key not in written:
            taken = credit[slot.currency].take(slot.amount - paid[slot.id], until=report.said_at, payments_only=True)
            paid[slot.id] += sum(part.amount for part in taken)
            parts[slot.id].extend(taken)
        if (left := slot.amount - paid[slot.id]) > 0:
            paid[slot.id] += left
            parts[slot.id].append(PaidPart(at=report.paid_at(slot.due_date), amount=left))
    for slot in slots:
        if slot.invoice_key in written:
            continue
        taken = credit[slot.currency].take(slot.amount - paid[slot.id])
        paid[slot.id] += sum(part.amount for part in taken)
        parts[slot.id].extend(taken)


def _reported_paid(record: InvoiceRecord, slot: _Slot) -> InstallmentReport | None:
    report = record.report_of(slot.position)
    return report if report is not None and report.state == "paid" else None


def _pay(
    slots: list[_Slot],
    invoice_key: str,
    currency: str,
    amount: int,
    *,
    at: datetime,
    paid: dict[tuple[str, int], int],
    parts: dict[tuple[str, int], list[PaidPart]],
    closed: Container[tuple[str, int]] = (),
) -> int:
    """Pay the invoice's installments in `currency`, in order (those `closed` aside), with `amount` (a part dated `at`
    on each); what is left of it."""
    left = amount
    for slot in slots:
        if slot.invoice_key == invoice_key and slot.currency == currency and slot.id not in closed:
            take = min(left, slot.amount - paid[slot.id])
            if take > 0:
                paid[slot.id] += take
                parts[slot.id].append(PaidPart(at=at, amount=take))
            left -= take
    return left


_NOTHING_TO_MATCH = Match(None, MatchRule.OLDEST)


def _payment_order(payment: PaymentRecord) -> tuple[datetime, str]:
    return (payment.received_at, payment.key)


class _Candidates:
    """What a payment can be matched to: the canonical invoices (by currency, as first asked), the installments
    still open to a match (those of invoices written off are not), and the invoices reported paid by their provider
    without the payment being named. A payment's links that name none of the canonical invoices are read against
    those that stand for one (an ERP's row for its NF-e, a provider's invoice for an uploaded one): the boleto only
    such a row carries names its sale (`_match`)."""

    def __init__(
        self,
        canonical: list[InvoiceRecord],
        slots: list[_Slot],
        settled: frozenset[str],
        standing: Sequence[InvoiceRecord] = (),
    ) -> None:
        self.canonical = canonical
        self.keys = {r.invoice.key for r in canonical}
        self.slots = slots
        self.settled = settled
        self.standing = standing
        self._by_currency: dict[str, list[Invoice]] = {}

    def invoices_in(self, currency: str) -> list[Invoice]:
        found = self._by_currency.get(currency)
        if found is None:
            found = self._by_currency[currency] = [r.invoice for r in self.canonical if r.invoice.currency == currency]
        return found

    def standing_in(self, currency: str) -> list[Invoice]:
        return [r.invoice for r in self.standing if r.invoice.currency == currency]


def _match(
    payment: PaymentRecord, candidates: _Candidates, links: dict[str, Match], paid: dict[tuple[str, int], int]
) -> Match:
    """The invoice a payment pays, by the rules of `ponte.domain.matching`, given what is paid so far."""
    if not candidates.keys:  # no invoice to pay: the oldest-first rule, with no candidate
        return _NOTHING_TO_MATCH
    if payment.invoice_key is not None:
        named = links[payment.invoice_key].invoice_key if payment.invoice_key in links else payment.invoice_key
        if named in candidates.keys:
            return Match(named, MatchRule.PROVIDER_INVOICE)
    currency = payment.amount.currency
    found = None if payment.links.empty else by_links(payment.links, candidates.invoices_in(currency))
    if found is None and not payment.links.empty:
        # Only a sale named beyond doubt: links that fit several standing invoices leave the payment to the amount.
        standing = by_links(payment.links, candidates.standing_in(currency))
        sale = _as_sales(standing, links) if standing is not None else None
        found = sale if sale is not None and sale.specific else None
    if found is not None and found.specific:
        return found
    open_amounts: dict[str, int] = defaultdict(int)
    for slot in candidates.slots:
        if slot.currency == currency:
            open_amounts[slot.invoice_key] += slot.amount - paid[slot.id]
    open_keys = tuple(sorted(key for key, amount in open_amounts.items() if amount > 0))
    if found is not None:  # the links named several invoices: never guess one of them
        return Match(None, MatchRule.OLDEST, found.candidates)
    fitting = [key for key in open_keys if open_amounts[key] == payment.amount.amount]
    reported = [key for key in fitting if key in candidates.settled]
    if len(fitting) > 1 and reported:
        # Of several open invoices of the payment's amount, those its provider reported paid without naming the
        # payment are the ones it may have paid (nothing says the others were). Which of them it paid changes
        # nothing owed, each being paid once by a payment or by its report: the one due first.
        fitting = [next(slot.invoice_key for slot in candidates.slots if slot.invoice_key in reported)]
    if len(fitting) == 1:
        return Match(fitting[0], MatchRule.AMOUNT)
    return Match(None, MatchRule.OLDEST, open_keys if len(open_keys) > 1 else ())


def _as_sales(found: Match, links: dict[str, Match]) -> Match:
    """A match of a payment's links read as the sales they name: an invoice that stands for another is that other,
    and candidates that are one sale are that sale."""
    if found.invoice_key is not None:
        return replace(found, invoice_key=_sale_of(found.invoice_key, links))
    sales = tuple(sorted({_sale_of(key, links) for key in found.candidates}))
    return Match(sales[0], found.rule) if len(sales) == 1 else Match(None, found.rule, sales)


def _sale_of(key: str, links: dict[str, Match]) -> str:
    link = links.get(key)
    return link.invoice_key if link is not None and link.invoice_key is not None else key


@dataclass(frozen=True)
class StaffAlertSeen:
    """A staff alert about the account, as its outbox item keeps it (for a week): what staff can acknowledge."""

    notification_id: str
    event_type: str
    severity: str
    occurred_at: datetime
    owner: str | None = None


@dataclass(frozen=True)
class AccountRecords:
    """Everything in an account's partition that staff see, read at once: the ledger, the newest page of the
    timeline (newest first, with a cursor to the older entries), the acknowledgements of alerts, the staff alerts
    still in the outbox, and the channels found unreachable."""

    ledger: Ledger
    timeline: tuple[TimelineEntry, ...] = ()
    timeline_cursor: str | None = None
    acknowledgements: tuple[Acknowledgement, ...] = ()
    alerts: tuple[StaffAlertSeen, ...] = ()
    unreachable: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimelinePage:
    entries: tuple[TimelineEntry, ...]  # newest first
    cursor: str | None  # where the next (older) page starts; None at the start of the history
