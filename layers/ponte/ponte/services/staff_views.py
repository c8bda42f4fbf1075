"""What staff read: an account's 360° view, its history page by page, search, and the overdue book.

The view of an account is one read of its partition (`StaffStore.account_records`), the ledger allocated once and
the collections decision made from it at the request's time: what each installment owes with its fine and interest
to date, how each payment was allocated, the holds with their expiry and who set them, each notice with what its
channels came to, the staff alerts and who acknowledged them, the newest page of the timeline, and the plan (the
coming steps and their dates if nothing is paid). Contacts and the tax id are masked; revealing them is recorded in
the account's history, by whom.

Search never scans: an exact tax id, e-mail or reference goes through the references accounts claimed (one
BatchGetItem), and the start of a name through the sparse `search` index (one Query a page). The overdue book is
the collections worker's projection (`ponte.adapters.collections_book`), by owner from the same index; each page's
accounts are read again (one BatchGetItem) so that what is shown is what they are now.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict

from ponte.domain.accounts import (
    AccountStatus,
    AccountSummary,
    Acknowledgement,
    HoldKind,
    StaffHold,
    TimelineEntry,
)
from ponte.domain.dunning import Decision, PaidPart, PlannedStep, SentNotice
from ponte.domain.errors import NotFound
from ponte.domain.identity import customer_references
from ponte.domain.ledger import AccountRecords, Allocation, InvoiceRecord, Ledger, label_of
from ponte.domain.money import Money
from ponte.services.collections import decide
from ponte.services.digest import BUCKETS
from ponte.services.staff import Caller, Forbidden, InvalidField, Scope, StaffDeps

if TYPE_CHECKING:
    from ponte.domain.accounts import Account

SEARCH_PAGE = 20
BOOK_PAGE = 50
_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:@-")
_ID_LENGTH = 128  # an account's id, and an owner's, as `Account` takes them
_OWING = frozenset({AccountStatus.OVERDUE.value, AccountStatus.SUSPENDED.value})


class _View(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


class ContactView(_View):
    name: str
    email: str | None
    phone: str | None
    revealed: bool
    unreachable: tuple[str, ...] = ()  # channels whose address bounced for good or complained


class InstallmentView(_View):
    installment: int
    due_date: date
    effective_due_date: date | None = None  # when due_date is not a business day: the day it moved to
    amount_due: Money
    outstanding: Money
    days_late: int
    late_fee: Money | None = None  # to date, while the ladder reads the installment
    interest: Money | None = None
    total: Money | None = None  # what settles it (with the fees when the policy charges them)
    paid: tuple[PaidPart, ...] = ()


InvoiceStatus = Literal["open", "paid", "cancelled", "linked", "written_off", "credit_note"]


class InvoiceView(_View):
    invoice_key: str
    label: str
    source: str
    origin: str
    issue_date: date | None
    total: Money
    status: InvoiceStatus
    stands_for: str | None = None  # a provider's invoice linked to the recorded one it stands for
    disputed: bool = False  # an open chargeback
    held_until: date | None = None  # a dispute hold staff set
    written_off: Money | None = None
    payment_url: str | None = None
    bank_slip: str | None = None
    installments: tuple[InstallmentView, ...] = ()


class PaymentView(_View):
    key: str
    provider: str
    payment_id: str
    amount: Money
    counted: Money
    received_at: AwareDatetime
    method: str | None
    invoice_key: str | None  # the invoice it paid; None: the oldest installments (or the customer's credit)
    matched_by: str
    refunded: int
    chargeback: str | None


class HoldView(_View):
    kind: str
    until: date | None
    active: bool
    set_by: str | None
    set_by_name: str | None
    set_at: AwareDatetime | None
    reason: str | None
    invoice_key: str | None = None
    amount: Money | None = None
    days: int | None = None
    by_hand: bool = False  # set on the account by hand before the staff API: nobody named, no reason given


class NoticeView(_View):
    notice_id: str | None
    step_id: str
    kind: str | None  # the policy step's kind (reminder, overdue_notice, final_warning); None: not a ladder step
    sent_at: AwareDatetime
    deadline: date | None
    channels: dict[str, str | None]  # channel -> what it came to (accepted, delivered, bounced...; None: unknown)


class AckView(_View):
    by: str
    by_name: str
    at: AwareDatetime
    reason: str


class AlertView(_View):
    notification_id: str
    event_type: str
    severity: str
    occurred_at: AwareDatetime
    owner: str | None
    acknowledged: AckView | None = None


class PlanView(_View):
    """The ladder's view of the account now: its standing, what the next evaluation would carry out at once
    (`due_now`), and the coming steps with their dates if nothing is paid."""

    status: AccountStatus
    overdue_since: date | None
    steps: tuple[PlannedStep, ...]
    due_now: tuple[str, ...]
    next_evaluation_at: AwareDatetime | None
    policy_version: int


class AccountView(_View):
    account_id: str
    name: str
    status: AccountStatus
    owner: str | None
    owner_name: str | None = None  # as the staff directory names the owner
    locale: str
    version: int
    created_at: AwareDatetime
    tax_id: str | None
    contact: ContactView
    owed: tuple[Money, ...]
    credit: tuple[Money, ...]
    invoices: tuple[InvoiceView, ...]
    payments: tuple[PaymentView, ...]
    holds: tuple[HoldView, ...]
    notices: tuple[NoticeView, ...]
    alerts: tuple[AlertView, ...]
    plan: PlanView
    timeline: tuple[TimelineEntry, ...]
    timeline_cursor: str | None


class RevealedContact(_View):
    name: str
    email: str | None
    phone: str | None
    tax_id: str | None


def visible_records(account_id: str, caller: Caller, deps: StaffDeps) -> AccountRecords:
    """The account's records, if the caller may see it; NotFound otherwise (an account they may not see is
    answered as one that does not exist)."""
    records = deps.store.account_records(account_id) if _may_be_account_id(account_id) else None
    if records is None or not deps.visibility(caller).allows(records.ledger.account.owner):
        raise NotFound(f"no account {account_id!r}")
    return records


def account_view(account_id: str, caller: Caller, deps: StaffDeps, *, now: datetime) -> AccountView:
    """The account's 360° view at `now` (the request's time)."""
    return view_of(visible_records(account_id, caller, deps), deps, now=now)


def view_of(records: AccountRecords, deps: StaffDeps, *, now: datetime) -> AccountView:
    ledger = records.ledger
    account = ledger.account
    allocation = ledger.allocate()
    decision = decide(
        ledger, now=now, policy=deps.policy, time_zone=deps.time_zone, holidays=deps.holidays, allocation=allocation
    )
    today = now.astimezone(ZoneInfo(deps.time_zone)).date()
    acks = {ack.notification_id: ack for ack in records.acknowledgements}
    owed: dict[str, int] = defaultdict(int)
    for (_, currency), amount in owed_by_invoice(allocation, decision).items():
        owed[currency] += amount
    return AccountView(
        account_id=account.account_id,
        name=account.name,
        status=account.status,
        owner=account.owner,
        owner_name=deps.person_name(account.owner) if account.owner else None,
        locale=account.locale,
        version=account.version,
        created_at=account.created_at,
        tax_id=mask_tax_id(account.tax_id),
        contact=ContactView(
            name=account.contact.name,
            email=mask_email(account.contact.email),
            phone=mask_phone(account.contact.phone),
            revealed=False,
            unreachable=records.unreachable,
        ),
        owed=tuple(Money(amount=a, currency=c) for c, a in sorted(owed.items()) if a),
        credit=decision.credit,
        invoices=_invoices(ledger, allocation, decision, today),
        payments=_payments(ledger, allocation),
        holds=_holds(account, today),
        notices=_notices(ledger, {step.id: step.kind.value for step in deps.policy.steps}),
        alerts=tuple(
            AlertView(
                notification_id=alert.notification_id,
                event_type=alert.event_type,
                severity=alert.severity,
                occurred_at=alert.occurred_at,
                owner=alert.owner,
                acknowledged=_ack(acks.get(alert.notification_id)),
            )
            for alert in sorted(records.alerts, key=lambda a: a.occurred_at, reverse=True)
        ),
        plan=PlanView(
            status=decision.new_status,
            overdue_since=decision.anchor,
            steps=decision.plan,
            due_now=tuple(_due_now(decision)),
            next_evaluation_at=decision.next_evaluation_at,
            policy_version=decision.policy_version,
        ),
        timeline=records.timeline,
        timeline_cursor=records.timeline_cursor,
    )


def owed_by_invoice(allocation: Allocation, decision: Decision) -> dict[tuple[str, str], int]:
    """What each invoice still owes, by (invoice key, currency): the principal, and the fine and interest not yet paid
    when the policy charges them (what settles each installment the ladder reads, `InvoiceCharge.total`)."""
    owed: dict[tuple[str, str], int] = defaultdict(int)
    for receivable in allocation.receivables:
        owed[(receivable.invoice_id, receivable.outstanding.currency)] += receivable.outstanding.amount
    for charge in decision.charges:
        owed[(charge.invoice_id, charge.total.currency)] += charge.total.amount - charge.outstanding.amount
    return dict(owed)


def reveal_contact(
    account_id: str, caller: Caller, deps: StaffDeps, *, now: datetime, reason: str | None = None
) -> RevealedContact:
    """The account's contact and tax id unmasked; the account's history records who saw them, when and why."""
    account = visible_records(account_id, caller, deps).ledger.account
    deps.store.audit(
        TimelineEntry(
            account_id=account.account_id,
            at=now,
            what="contact.revealed",
            why=reason or "revealed to staff",
            source=f"staff:{caller.subject}",
            facts={"by": caller.subject, "by_name": caller.name},
        ),
        caller.request_id or now.isoformat(),
    )
    contact = account.contact
    return RevealedContact(name=contact.name, email=contact.email, phone=contact.phone, tax_id=account.tax_id)


def timeline(
    account_id: str, caller: Caller, deps: StaffDeps, *, cursor: str | None, limit: int = 50
) -> tuple[tuple[TimelineEntry, ...], str | None]:
    """One page of the account's history, newest first, and where the next (older) page starts."""
    if not 1 <= limit <= 200:
        raise InvalidField("limit", "must be between 1 and 200")
    account = next(iter(deps.store.accounts([account_id])), None) if _may_be_account_id(account_id) else None
    if account is None or not deps.visibility(caller).allows(account.owner):
        raise NotFound(f"no account {account_id!r}")
    page = deps.store.timeline_page(account_id, cursor, limit)
    return page.entries, page.cursor


# Search.


@dataclass(frozen=True)
class SearchResult:
    accounts: list[AccountSummary]
    cursor: str | None
    owner_names: dict[str, str]  # each owner found, as the staff directory names them (staff read names, not ids)


def search_accounts(
    query: str, caller: Caller, deps: StaffDeps, *, cursor: str | None = None, limit: int = SEARCH_PAGE
) -> SearchResult:
    """Accounts the caller may see by exact tax id, e-mail, reference or account id (first page only), then by the
    start of their name, a page at a time."""
    text = query.strip()
    if len(text) < 2:
        raise InvalidField("q", "type at least 2 characters")
    if not 1 <= limit <= 100:
        raise InvalidField("limit", "must be between 1 and 100")
    scope = deps.visibility(caller)
    exact = _exact_matches(text, deps, scope) if cursor is None else []
    names: list[AccountSummary] = []
    following = None
    if scope.everyone or scope.owners:
        owners = None if scope.everyone else scope.owners
        names, following = deps.store.search_names(text, limit=limit, cursor=cursor, owners=owners)
    seen = {a.account_id for a in exact}
    accounts = [*exact, *(a for a in names if a.account_id not in seen)]
    found_owners = sorted({a.owner for a in accounts if a.owner})
    named = {owner: name for owner in found_owners if (name := deps.person_name(owner))}
    return SearchResult(accounts=accounts, cursor=following, owner_names=named)


def _exact_matches(text: str, deps: StaffDeps, scope: Scope) -> list[AccountSummary]:
    references = customer_references(
        reference=text, tax_id=text if any(c.isdigit() for c in text) else None, email=text if "@" in text else None
    )
    found = deps.store.owners_of(references)
    ids = [found[ref] for ref in references if ref in found]
    if _may_be_account_id(text):
        ids.append(text)  # an account id, as staff copy it from an alert
    accounts = deps.store.accounts(ids) if ids else []
    return [_summary(a) for a in accounts if a.merged_into is None and scope.allows(a.owner)]


def _may_be_account_id(text: str) -> bool:
    """Whether `text` has the form of an account's id (`Account.account_id`). Anything else names no account and is
    not looked up: DynamoDB refuses a key over its size (a 500), where the answer is that there is no such account."""
    return 0 < len(text) <= _ID_LENGTH and set(text) <= _ID_CHARS


def _summary(account: Account) -> AccountSummary:
    return AccountSummary(account.account_id, account.name, account.status, account.owner)


# The overdue book.


class BookLine(_View):
    account_id: str
    name: str
    status: AccountStatus
    owner: str | None
    overdue_since: date | None
    days_late: int | None
    suspended_at: AwareDatetime | None
    owner_name: str | None = None


@dataclass(frozen=True)
class BookResult:
    lines: list[BookLine]
    cursor: str | None
    calls: int  # DynamoDB calls the page took


AGE_BUCKETS = {f"{low}-{high}" if high is not None else f"{low}+": (low, high) for low, high in BUCKETS}


def overdue_book(
    caller: Caller,
    deps: StaffDeps,
    *,
    now: datetime,
    owner: str | None = None,
    team: str | None = None,
    status: str | None = None,
    age: str | None = None,
    cursor: str | None = None,
    limit: int = BOOK_PAGE,
) -> BookResult:
    """A page of the accounts that owe or are suspended, oldest debt first per owner, that the caller may see:
    of an owner, of a team's members, in a status, `age` days late (a bucket of the daily digest: 1-15, 16-30,
    31-60, 61+)."""
    if status is not None and status not in _OWING:
        raise InvalidField("status", "must be overdue or suspended")
    if age is not None and age not in AGE_BUCKETS:
        raise InvalidField("age", f"must be one of {', '.join(AGE_BUCKETS)}")
    if not 1 <= limit <= 100:
        raise InvalidField("limit", "must be between 1 and 100")
    scope = deps.visibility(caller)
    owners = _book_owners(scope, deps, owner, team)
    today = now.astimezone(ZoneInfo(deps.time_zone)).date()
    since_from = since_to = None
    if age is not None:
        low, high = AGE_BUCKETS[age]
        since_to = today - timedelta(days=low)
        since_from = today - timedelta(days=high) if high is not None else None
    page = deps.book.page(
        owners=owners,
        statuses=frozenset({status}) if status else frozenset(),
        since_from=since_from,
        since_to=since_to,
        limit=limit,
        cursor=cursor,
    )
    calls = page.calls
    current = {a.account_id: a for a in deps.store.accounts([e.account_id for e in page.entries])}
    calls += 1 if page.entries else 0
    lines = []
    for entry in page.entries:
        account = current.get(entry.account_id)
        # The book is a projection: an account paid up or handed to someone else since is shown as it is now.
        if account is None or account.status.value not in _OWING or not scope.allows(account.owner):
            continue
        if (status and account.status.value != status) or (owner and account.owner != owner):
            continue
        since = entry.overdue_since
        lines.append(
            BookLine(
                account_id=account.account_id,
                name=account.name,
                status=account.status,
                owner=account.owner,
                overdue_since=since,
                days_late=(today - since).days if since else None,
                suspended_at=entry.suspended_at,
                owner_name=deps.person_name(account.owner) if account.owner else None,
            )
        )
    return BookResult(lines=lines, cursor=page.cursor, calls=calls)


def _book_owners(scope: Scope, deps: StaffDeps, owner: str | None, team: str | None) -> list[str] | None:
    """Whose entries to read: None for everyone's (an admin without a filter)."""
    if owner is not None and team is not None:
        raise InvalidField("owner", "filter by owner or by team, not both")
    for name, value in (("owner", owner), ("team", team)):
        # No account's owner is longer, and a long enough one would be a key DynamoDB refuses (a 500).
        if value is not None and len(value) > _ID_LENGTH:
            raise InvalidField(name, f"is longer than {_ID_LENGTH} characters")
    if owner is not None:
        if not scope.allows(owner):
            raise Forbidden("you may not see that owner's accounts")
        return [owner]
    if team is not None:
        members = {team, *deps.members_of(team)}
        wanted = members if scope.everyone else members & scope.owners
        if not wanted:
            raise Forbidden("you may not see that team's accounts")
        return sorted(wanted)
    return None if scope.everyone else sorted(scope.owners)


# Parts of the view.


def _invoices(ledger: Ledger, allocation: Allocation, decision: Decision, today: date) -> tuple[InvoiceView, ...]:
    by_invoice: dict[str, list[InstallmentView]] = defaultdict(list)
    charges = {(c.invoice_id, c.installment): c for c in decision.charges}
    for r in allocation.receivables:
        charge = charges.get((r.invoice_id, r.installment))
        by_invoice[r.invoice_id].append(
            InstallmentView(
                installment=r.installment,
                due_date=r.due_date,
                effective_due_date=charge.effective_due_date if charge else None,
                amount_due=r.amount_due,
                outstanding=r.outstanding,
                # A settled installment is late no more, however long ago it fell due.
                days_late=charge.days_late if charge else _days_late(r.due_date, r.outstanding, today),
                late_fee=charge.late_fee if charge else None,
                interest=charge.interest if charge else None,
                total=charge.total if charge else None,
                paid=r.paid,
            )
        )
    held = ledger.holds().disputed_until
    disputed = {r.invoice_id for r in allocation.receivables if r.disputed}
    urls = {r.invoice_id: r.payment_url for r in allocation.receivables if r.payment_url}
    views = []
    for record in ledger.invoices:
        invoice = record.invoice
        key = invoice.key
        installments = tuple(by_invoice.get(key, ()))
        link = allocation.links.get(key)
        written = allocation.written_off.get(key)
        views.append(
            InvoiceView(
                invoice_key=key,
                label=label_of(invoice),
                source=invoice.source.value,
                origin=record.origin,
                issue_date=invoice.issue_date,
                total=invoice.total,
                status="cancelled"
                if _wholly_cancelled(record)
                else _invoice_status(key, invoice.total.amount, installments, allocation),
                stands_for=link.invoice_key if link else None,
                disputed=key in disputed,
                held_until=held.get(key) if held.get(key, date.min) >= today else None,
                written_off=Money(amount=written, currency=invoice.currency) if written is not None else None,
                payment_url=urls.get(key, invoice.payment_url),
                bank_slip=invoice.bank_slip,
                installments=installments,
            )
        )
    return tuple(sorted(views, key=lambda v: (_first_due(v), v.invoice_key)))


def _wholly_cancelled(record: InvoiceRecord) -> bool:
    """Whether the back office's uploads say every installment of the invoice was cancelled."""
    cancelled = {r.installment for r in record.reported if r.state == "cancelled"}
    return bool(record.invoice.installments) and all(i.number in cancelled for i in record.invoice.installments)


def _days_late(due: date, outstanding: Money, today: date) -> int:
    return max((today - due).days, 0) if outstanding.amount > 0 else 0


def _first_due(view: InvoiceView) -> date:
    return min((i.due_date for i in view.installments), default=view.issue_date or date.min)


def _invoice_status(
    key: str, total: int, installments: tuple[InstallmentView, ...], allocation: Allocation
) -> InvoiceStatus:
    if key in allocation.cancelled:
        return "cancelled"
    if key in allocation.links:
        return "linked"
    if key in allocation.written_off:
        return "written_off"
    if total < 0:
        return "credit_note"
    return "open" if any(i.outstanding.amount for i in installments) else "paid"


def _payments(ledger: Ledger, allocation: Allocation) -> tuple[PaymentView, ...]:
    views = []
    for payment in sorted(ledger.payments, key=lambda p: p.received_at, reverse=True):
        match = allocation.matches.get(payment.key)
        views.append(
            PaymentView(
                key=payment.key,
                provider=payment.provider,
                payment_id=payment.payment_id,
                amount=payment.amount,
                counted=Money(amount=payment.counted, currency=payment.amount.currency),
                received_at=payment.received_at,
                method=payment.method.value if payment.method else None,
                invoice_key=match.invoice_key if match else None,
                matched_by=match.rule.value if match else "oldest",
                refunded=payment.refunded,
                chargeback=payment.chargeback,
            )
        )
    return tuple(views)


def _holds(account: Account, today: date) -> tuple[HoldView, ...]:
    views = [_hold(hold, today) for hold in sorted(account.holds, key=lambda h: h.set_at, reverse=True)]
    # Set by hand before the staff API: nobody named, and never_suspend without an expiry.
    if account.never_suspend:
        views.append(_by_hand("never_suspend", None, active=True))
    if account.promise_to_pay_until is not None:
        until = account.promise_to_pay_until
        views.append(_by_hand(HoldKind.PROMISE_TO_PAY.value, until, active=until >= today))
    return tuple(views)


def _hold(hold: StaffHold, today: date) -> HoldView:
    return HoldView(
        kind=hold.kind.value,
        until=hold.until,
        active=hold.until >= today,
        set_by=hold.set_by,
        set_by_name=hold.set_by_name,
        set_at=hold.set_at,
        reason=hold.reason,
        invoice_key=hold.invoice_key,
        amount=hold.amount,
        days=hold.days,
    )


def _by_hand(kind: str, until: date | None, *, active: bool) -> HoldView:
    return HoldView(
        kind=kind, until=until, active=active, set_by=None, set_by_name=None, set_at=None, reason=None, by_hand=True
    )


def _notices(ledger: Ledger, kinds: Mapping[str, str]) -> tuple[NoticeView, ...]:
    """Each notice once, newest first, with what each of its channels came to (one record per channel)."""
    evidence = ledger.delivery_evidence()
    grouped: dict[tuple[str, str], list[SentNotice]] = defaultdict(list)
    for notice in sorted(ledger.notices, key=lambda n: n.sent_at, reverse=True):
        grouped[(notice.notice_id or f"{notice.step_id}@{notice.sent_at.isoformat()}", notice.step_id)].append(notice)
    return tuple(
        NoticeView(
            notice_id=first.notice_id,
            step_id=first.step_id,
            kind=kinds.get(first.step_id),
            sent_at=first.sent_at,
            deadline=first.deadline,
            channels={n.channel: evidence.get(n.notice_id or "", {}).get(n.channel) for n in records},
        )
        for records in grouped.values()
        for first in records[:1]
    )


def _ack(ack: Acknowledgement | None) -> AckView | None:
    return None if ack is None else AckView(by=ack.by, by_name=ack.by_name, at=ack.at, reason=ack.reason)


def _due_now(decision: Decision) -> list[str]:
    """What the next evaluation would carry out at once (`notify_customer:final-warning`, `reactivate:settled`)."""
    return [
        f"{action.kind}:{getattr(action, 'step_id', None) or getattr(action, 'reason', '')}"
        for action in decision.actions
    ]


# Masks: enough to recognise a contact, not enough to use it.


def mask_email(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None if not email else "***"
    local, domain = email.rsplit("@", 1)
    return f"{local[0]}***@{domain}"


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return None
    return f"{phone[:3]}{'*' * max(len(phone) - 7, 0)}{phone[-4:]}"


def mask_tax_id(tax_id: str | None) -> str | None:
    if not tax_id:
        return None
    return "*" * max(len(tax_id) - 2, 0) + tax_id[-2:]
