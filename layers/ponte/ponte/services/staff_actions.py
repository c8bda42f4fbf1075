"""What staff do to an account, each as one change written in one transaction with the recomputed collections
decision: its effect is immediate (a reactivation happens now, not at the next sweep), and it is written only if the
account is still at the version the staff member saw (`expected_version`); otherwise nothing is written and the
answer is the account as it is now (`StaleView`).

Every action takes a reason and is recorded in the account's history with who did it (the token's subject and name)
and when (the request's time). Its input is checked before anything is written (`InvalidField` names the field):

| action            | input                                          | effect                                          |
|-------------------|------------------------------------------------|-------------------------------------------------|
| `promise_to_pay`  | `until` (a date), optional `amount`            | steps after the due date wait until the day     |
|                   |                                                | after; if it lapses unpaid, whoever granted it  |
|                   |                                                | is alerted and a fresh final warning must run   |
|                   |                                                | its notice period before any suspension         |
| `dispute`         | `invoice_key`, `until`                         | the invoice is left out of the ladder until then|
| `extend`          | `days` (business days)                         | the next deadline moves; in all, at most the    |
|                   |                                                | policy's `max_extension_days`                   |
| `exempt`          | `until`                                        | no suspension until then (a suspended account is|
|                   |                                                | reactivated); replaces `never_suspend`          |
| `reactivate`      |                                                | a suspended account is reactivated now; a fresh |
|                   |                                                | final warning must run its notice period first  |
| `offline_payment` | `amount`, `received_on`, `method`, optional    | a payment from provider `offline` (cash, a      |
|                   | `invoice_key` and `reference`                  | transfer, a boleto paid elsewhere)              |
| `write_off`       | `invoice_key`                                  | what the invoice still owes is owed no more     |
| `contact`         | `name`, `email`, `phone` (any of them)         | the customer's contact is corrected             |
| `owner`           | `owner`                                        | another person owns the account                 |
| `note`            | (the reason is the note)                       | a line in the history                           |
| `acknowledge`     | `notification_id`                              | an alert about the account is taken on          |

Dates are the business's local dates; amounts are minor units with their currency (`{"amount": 15000,
"currency": "BRL"}`). Holds end: `until` is at most `MAX_HOLD_DAYS` away.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ponte.domain.accounts import (
    Account,
    AccountStatus,
    Acknowledgement,
    Contact,
    HoldKind,
    StaffHold,
    TimelineEntry,
    WrittenDay,
    next_version,
)
from ponte.domain.bodies.collections import AccountReactivated, CustomerDeadlineExtended, CustomerReactivated, WayToPay
from ponte.domain.changes import AccountChange
from ponte.domain.dunning import (
    STAFF_CHANNEL,
    Decision,
    Suspend,
    business_calendar,
    business_days_between,
    shift_business_days,
)
from ponte.domain.errors import ConcurrentModification, DuplicateEvent, NotFound
from ponte.domain.events import PaymentMethod
from ponte.domain.ledger import (
    OFFLINE,
    AccountRecords,
    Allocation,
    Ledger,
    PaymentRecord,
    WriteOffRecord,
    label_of,
)
from ponte.domain.money import MAX_MINOR_UNITS, Money
from ponte.domain.notifications import Audience, Notification, notification_id
from ponte.services.collections import change_for, decide
from ponte.services.dunning import keep_book
from ponte.services.staff import PERMISSIONS, Caller, Forbidden, InvalidField, StaffDeps, StaleView
from ponte.services.staff_views import AccountView, owed_by_invoice, view_of, visible_records

MAX_HOLD_DAYS = 366  # no hold without an end: a promise, a dispute or an exemption ends within a year


class _Input(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, hide_input_in_errors=True, defer_build=True
    )

    expected_version: int = Field(ge=0, description="The account's version the staff member saw.")
    reason: str = Field(min_length=1, max_length=500)


class PromiseToPayInput(_Input):
    until: WrittenDay
    amount: Money | None = None


class DisputeInput(_Input):
    invoice_key: str = Field(min_length=1, max_length=512)
    until: WrittenDay


class ExtendInput(_Input):
    days: int = Field(ge=1, le=60)


class ExemptInput(_Input):
    until: WrittenDay


class ReactivateInput(_Input):
    pass


class OfflinePaymentInput(_Input):
    amount: Money
    received_on: WrittenDay
    method: Literal["cash", "pix", "boleto", "bank_transfer", "card", "other"] = "other"
    invoice_key: str | None = Field(default=None, min_length=1, max_length=512)
    reference: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.:-]{1,64}$")


class WriteOffInput(_Input):
    invoice_key: str = Field(min_length=1, max_length=512)


class ContactInput(_Input):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = None
    phone: str | None = None


class OwnerInput(_Input):
    owner: str = Field(pattern=r"^[A-Za-z0-9_.@-]{1,128}$")


class NoteInput(_Input):
    reason: str = Field(min_length=1, max_length=2000, description="The note itself.")


class AcknowledgeInput(_Input):
    notification_id: str = Field(min_length=1, max_length=64)


INPUTS: dict[str, type[_Input]] = {
    "promise_to_pay": PromiseToPayInput,
    "dispute": DisputeInput,
    "extend": ExtendInput,
    "exempt": ExemptInput,
    "reactivate": ReactivateInput,
    "offline_payment": OfflinePaymentInput,
    "write_off": WriteOffInput,
    "contact": ContactInput,
    "owner": OwnerInput,
    "note": NoteInput,
    "acknowledge": AcknowledgeInput,
}


def parse_action(action: str, body: Mapping[str, Any]) -> _Input:
    """The action's input, validated; `NotFound` for an action there is none of, `InvalidField` naming the first
    field that is wrong (never repeating its value)."""
    model = INPUTS.get(action)
    if model is None:
        raise NotFound(f"no action {action!r}")
    if (flag := _yes_or_no(body)) is not None:
        raise InvalidField(flag, "must not be true or false")
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        error = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(part) for part in error["loc"]) or "body"
        raise InvalidField(where, error["msg"].removeprefix("Value error, ")) from None


def _yes_or_no(body: Mapping[str, Any]) -> str | None:
    """The first field, or field of an amount, that is true or false. No action takes one, and pydantic would read
    it as the number 1 or 0 (an extension of a day, a payment of a centavo)."""
    for name, value in body.items():
        if isinstance(value, bool):
            return str(name)
        if isinstance(value, Mapping):
            inner = next((key for key, item in value.items() if isinstance(item, bool)), None)
            if inner is not None:
                return f"{name}.{inner}"
    return None


def act(
    account_id: str, action: str, request: _Input, caller: Caller, deps: StaffDeps, *, now: datetime
) -> AccountView:
    """Carry out `action` on the account as `caller`, at `now` (the request's time); the account as it is after.

    Raises Forbidden (the caller's groups do not allow the action), NotFound (no account the caller may see),
    StaleView (the account is no longer at `expected_version`: nothing written) and InvalidField (nothing written).
    """
    if not caller.may(action):
        raise Forbidden(f"{action} needs one of the groups {', '.join(sorted(PERMISSIONS[action]))}")
    records = visible_records(account_id, caller, deps)
    found = records.ledger.account
    # An account merged into another since is read as the one it is now part of, whose version counts that one's
    # changes: what the staff member saw is gone, whatever the numbers. They get the account it is part of.
    if found.account_id != account_id:
        raise StaleView(f"the account was merged into {found.account_id}", view_of(records, deps, now=now))
    if found.version != request.expected_version:
        raise StaleView("the account changed since you saw it", view_of(records, deps, now=now))
    work = _Work(records=records, caller=caller, deps=deps, now=now, account=records.ledger.account)
    facts = _HANDLERS[action](work, request)
    change, decision = work.change(action, request.reason, facts)
    try:
        deps.store.commit(change)
    except (ConcurrentModification, DuplicateEvent) as conflict:
        fresh = deps.store.account_records(records.ledger.account.account_id)
        view = view_of(fresh, deps, now=now) if fresh is not None else None
        raise StaleView("the account changed since you saw it", view) from conflict
    keep_book(deps.book, records.ledger.account, change, decision.anchor, now)
    # Read again: the answer is the account as written. Given to another owner, it may be one the caller no longer
    # sees; they still get the account they just acted on.
    after = deps.store.account_records(change.account.account_id)
    if after is None:
        raise NotFound(f"no account {account_id!r}")
    return view_of(after, deps, now=now)


@dataclass
class _Work:
    """The change being built from the records the staff member saw."""

    records: AccountRecords
    caller: Caller
    deps: StaffDeps
    now: datetime
    account: Account
    payments: list[PaymentRecord] = field(default_factory=list)
    write_offs: list[WriteOffRecord] = field(default_factory=list)
    acknowledgements: list[Acknowledgement] = field(default_factory=list)
    references: list[tuple[str, str]] = field(default_factory=list)
    told: list[CustomerDeadlineExtended] = field(default_factory=list)  # what the customer hears of the action
    _allocation: Allocation | None = None
    _owing: dict[tuple[str, str], int] | None = None

    @property
    def ledger(self) -> Ledger:
        return self.records.ledger

    @property
    def today(self) -> date:
        return self.now.astimezone(ZoneInfo(self.deps.time_zone)).date()

    @property
    def allocation(self) -> Allocation:
        if self._allocation is None:
            self._allocation = self.ledger.allocate()
        return self._allocation

    def decide(self, ledger: Ledger) -> Decision:
        deps = self.deps
        return decide(ledger, now=self.now, policy=deps.policy, time_zone=deps.time_zone, holidays=deps.holidays)

    @property
    def owing(self) -> dict[tuple[str, str], int]:
        """What each invoice owes as the staff member saw it (`owed_by_invoice`)."""
        if self._owing is None:
            self._owing = owed_by_invoice(self.allocation, self.decide(self.ledger))
        return self._owing

    def owed(self) -> dict[str, int]:
        owed: dict[str, int] = defaultdict(int)
        for (_, currency), amount in self.owing.items():
            owed[currency] += amount
        return {currency: amount for currency, amount in owed.items() if amount > 0}

    def future(self, name: str, day: date) -> date:
        """A hold's end: not in the past, not more than MAX_HOLD_DAYS away."""
        if day < self.today:
            raise InvalidField(name, "is in the past")
        if day > self.today + timedelta(days=MAX_HOLD_DAYS):
            raise InvalidField(name, f"is more than {MAX_HOLD_DAYS} days away")
        return day

    def hold(self, kind: HoldKind, until: date, reason: str, **details: Any) -> StaffHold:
        """Put a hold on, in place of the one of the same kind (for a dispute, on the same invoice); disputes
        already over are let go."""
        made = StaffHold(
            kind=kind,
            until=until,
            set_by=self.caller.subject,
            set_by_name=self.caller.name,
            set_by_user=self.caller.person_id,
            set_at=self.now,
            reason=reason,
            **details,
        )
        kept = tuple(h for h in self.account.holds if not _replaced_by(h, made, self.today))
        self.account = self.account.model_copy(update={"holds": (*kept, made)})
        return made

    def open_invoice(self, name: str, key: str) -> Money:
        """What the invoice `key` still owes; InvalidField when the account has no such invoice owing."""
        if key in self.allocation.written_off:
            raise InvalidField(name, "this invoice was written off")
        owed = [Money(amount=amount, currency=c) for (invoice, c), amount in self.owing.items() if invoice == key]
        if not owed:
            raise InvalidField(name, "no such invoice on this account")
        if not owed[0].amount:
            raise InvalidField(name, "nothing is owed on this invoice")
        return owed[0]

    def change(self, action: str, reason: str, facts: dict[str, str | int]) -> tuple[AccountChange, Decision]:
        """The change: the staff's entry, and the collections decision recomputed with the action applied."""
        before = self.ledger
        ledger = before.model_copy(
            update={
                "account": self.account,
                "payments": (*before.payments, *self.payments),
                "write_offs": (*before.write_offs, *self.write_offs),
            }
        )
        decision = self.decide(ledger)
        cause = f"staff:{self.account.account_id}:v{before.account.version}"
        decided = change_for(ledger, decision, now=self.now, staff_locale=self.deps.staff_locale, cause=cause)
        entry = TimelineEntry(
            account_id=self.account.account_id,
            at=self.now,
            what=f"staff.{action}",
            why=reason,
            source=f"staff:{self.caller.subject}",
            facts={"by": self.caller.subject, "by_name": self.caller.name, **facts},
        )
        change = AccountChange(
            account=decided.account if decided else next_version(self.account),
            recorded_at=self.now,
            expected_version=before.account.version,
            timeline=(entry, *(decided.timeline if decided else ())),
            notifications=(
                *(tuple(_paid_by(action, n) for n in decided.notifications) if decided else ()),
                *(self._to_customer(body, cause) for body in self.told),
            ),
            notices=decided.notices if decided else (),
            payments=tuple(self.payments),
            write_offs=tuple(self.write_offs),
            acknowledgements=tuple(self.acknowledgements),
            references=tuple(self.references),
        )
        return change, decision

    def _to_customer(self, body: CustomerDeadlineExtended, cause: str) -> Notification:
        return Notification(
            notification_id=notification_id(cause, Audience.CUSTOMER, body.kind),
            audience=Audience.CUSTOMER,
            account_id=self.account.account_id,
            owner=self.account.owner,
            locale=self.account.locale,
            occurred_at=self.now,
            body=body,
        )


# Writing an invoice off or holding it in dispute may leave nothing overdue: the ladder then reactivates a suspended
# account as settled, but nobody paid. Its owner, the platform and the customer read of a reactivation without a
# payment (only a payment is thanked for as one); the history keeps the ladder's words, which say what is owed.
_NOT_PAID = frozenset({"write_off", "dispute"})


def _paid_by(action: str, notification: Notification) -> Notification:
    body = notification.body
    if action in _NOT_PAID and isinstance(body, AccountReactivated | CustomerReactivated) and body.reason == "settled":
        return notification.model_copy(update={"body": body.model_copy(update={"reason": "staff"})})
    return notification


def _replaced_by(old: StaffHold, new: StaffHold, today: date) -> bool:
    if old.kind is HoldKind.DISPUTE:
        return old.until < today or (new.kind is HoldKind.DISPUTE and old.invoice_key == new.invoice_key)
    return old.kind is new.kind


# The actions: each checks its input against the account and applies it to the work, and says what the history
# entry records besides who.


def _promise_to_pay(work: _Work, request: _Input) -> dict[str, str | int]:
    assert isinstance(request, PromiseToPayInput)
    until = work.future("until", request.until)
    owed = work.owed()
    if not owed:
        raise InvalidField("until", "the account owes nothing to promise")
    facts: dict[str, str | int] = {"until": until.isoformat()}
    if request.amount is not None:
        currency = request.amount.currency
        if currency not in owed:
            raise InvalidField("amount.currency", f"the account owes nothing in {currency}")
        if not 0 < request.amount.amount <= owed[currency]:
            raise InvalidField("amount.amount", "must be more than zero and no more than what is owed")
        facts["amount"] = str(request.amount)
    work.hold(HoldKind.PROMISE_TO_PAY, until, request.reason, amount=request.amount)
    work.account = work.account.model_copy(update={"promise_to_pay_until": None})  # staff's replaces the hand's
    return facts


def _dispute(work: _Work, request: _Input) -> dict[str, str | int]:
    assert isinstance(request, DisputeInput)
    until = work.future("until", request.until)
    work.open_invoice("invoice_key", request.invoice_key)
    work.hold(HoldKind.DISPUTE, until, request.reason, invoice_key=request.invoice_key)
    return {"invoice": request.invoice_key, "until": until.isoformat()}


def _extend(work: _Work, request: _Input) -> dict[str, str | int]:
    assert isinstance(request, ExtendInput)
    most = work.deps.policy.max_extension_days
    if request.days > most:
        raise InvalidField("days", f"the policy allows at most {most} business days")
    current = _next_deadline(work.decide(work.ledger.model_copy(update={"account": work.account})))
    if current is None:
        raise InvalidField("days", "there is no deadline ahead to extend")
    unextended = work.account.model_copy(
        update={"holds": tuple(h for h in work.account.holds if h.kind is not HoldKind.EXTENSION)}
    )
    base = _next_deadline(work.decide(work.ledger.model_copy(update={"account": unextended}))) or current
    holidays = business_calendar(work.deps.holidays, work.deps.policy, work.today)
    extended = shift_business_days(max(current, work.today), request.days, holidays)
    if business_days_between(base, extended, holidays) > most:
        raise InvalidField("days", f"the deadline may move at most {most} business days in all")
    work.hold(HoldKind.EXTENSION, extended, request.reason, days=request.days)
    told = _deadline_told(work.ledger)
    if told == current and current < extended:
        # The customer was given the date that moved; left alone, they would pay by it in a hurry, or think it
        # passed. (A date told for an earlier debt is not this one: the next warning names the new date.)
        owing = {key: (currency, amount) for (key, currency), amount in work.owing.items() if amount}
        totals: dict[str, int] = defaultdict(int)
        for currency, amount in owing.values():
            totals[currency] += amount
        records = [record for record in map(work.ledger.invoice, owing) if record is not None]
        # A sale's own link, else that of the provider invoice standing for it, as the collections notices give it.
        urls = {r.invoice_id: r.payment_url for r in work.allocation.receivables if r.payment_url}
        ways = (
            WayToPay(label=label_of(r.invoice), payment_url=urls.get(r.invoice.key), bank_slip=r.invoice.bank_slip)
            for r in records
        )
        work.told.append(
            CustomerDeadlineExtended(
                customer_name=work.account.contact.name,
                was=told,
                deadline=extended,
                totals=tuple(Money(amount=amount, currency=c) for c, amount in sorted(totals.items())),
                invoices=tuple(label_of(record.invoice) for record in records),
                ways_to_pay=tuple(way for way in ways if way.payment_url or way.bank_slip),
            )
        )
    return {"days": request.days, "deadline_was": current.isoformat(), "deadline": extended.isoformat()}


def _deadline_told(ledger: Ledger) -> date | None:
    """The deadline the latest customer notice that named one told the customer."""
    named = [n for n in ledger.notices if n.deadline is not None and n.channel != STAFF_CHANNEL]
    return max(named, key=lambda n: n.sent_at).deadline if named else None


def _next_deadline(decision: Decision) -> date | None:
    """The deadline the account is heading for: the one a suspension due now names, else the plan's next."""
    for action in decision.actions:
        if isinstance(action, Suspend):
            return action.record.deadline
    return next((step.deadline for step in decision.plan if step.deadline is not None), None)


def _exempt(work: _Work, request: _Input) -> dict[str, str | int]:
    assert isinstance(request, ExemptInput)
    until = work.future("until", request.until)
    work.hold(HoldKind.EXEMPTION, until, request.reason)
    # An exemption always ends: it replaces a never_suspend flag set by hand.
    work.account = work.account.model_copy(update={"never_suspend": False})
    return {"until": until.isoformat()}


def _reactivate(work: _Work, request: _Input) -> dict[str, str | int]:
    if work.account.status is not AccountStatus.SUSPENDED:
        raise InvalidField("status", "the account is not suspended")
    work.account = work.account.model_copy(update={"reactivated_at": work.now})
    return {}


def _offline_payment(work: _Work, request: _Input) -> dict[str, str | int]:
    assert isinstance(request, OfflinePaymentInput)
    amount = request.amount
    if not 0 < amount.amount <= MAX_MINOR_UNITS:
        raise InvalidField("amount.amount", "must be more than zero")
    currencies = {r.invoice.currency for r in work.ledger.invoices} or set(work.deps.policy.currencies)
    if amount.currency not in currencies:
        raise InvalidField("amount.currency", f"the account has no invoices in {amount.currency}")
    if request.received_on > work.today:
        raise InvalidField("received_on", "is in the future")
    if request.invoice_key is not None:
        record = work.ledger.invoice(request.invoice_key)
        if record is None:
            raise InvalidField("invoice_key", "no such invoice on this account")
        if record.invoice.currency != amount.currency:
            raise InvalidField("amount.currency", f"the invoice is in {record.invoice.currency}")
    payment_id = request.reference or f"v{work.account.version + 1}"
    if work.ledger.payment(OFFLINE, payment_id) is not None:
        raise InvalidField("reference", "a payment with this reference is already recorded")
    zone = ZoneInfo(work.deps.time_zone)
    # Paid today: now; on an earlier day: at noon that day (fine and interest count whole days).
    noon = datetime.combine(request.received_on, time(12), zone)
    received_at = work.now if request.received_on == work.today else noon
    work.payments.append(
        PaymentRecord(
            provider=OFFLINE,
            payment_id=payment_id,
            amount=amount,
            received_at=received_at,
            method=PaymentMethod.OTHER if request.method == "cash" else PaymentMethod(request.method),
            invoice_key=request.invoice_key,
            description=f"recorded by staff: {request.method}",
        )
    )
    facts: dict[str, str | int] = {"amount": str(amount), "method": request.method, "payment": payment_id}
    if request.invoice_key:
        facts["invoice"] = request.invoice_key
    return facts


def _write_off(work: _Work, request: _Input) -> dict[str, str | int]:
    assert isinstance(request, WriteOffInput)
    amount = work.open_invoice("invoice_key", request.invoice_key)
    work.write_offs.append(
        WriteOffRecord(
            invoice_key=request.invoice_key,
            amount=amount,
            at=work.now,
            by=work.caller.subject,
            by_name=work.caller.name,
            reason=request.reason,
        )
    )
    return {"invoice": request.invoice_key, "amount": str(amount)}


def _contact(work: _Work, request: _Input) -> dict[str, str | int]:
    assert isinstance(request, ContactInput)
    given = request.model_fields_set & {"name", "email", "phone"}
    if not given:
        raise InvalidField("contact", "give a name, an e-mail or a phone to change")
    before = work.account.contact
    changes = {name: getattr(request, name) for name in given}
    if changes.get("email"):
        changes["email"] = changes["email"].lower()
    if "name" in changes and changes["name"] is None:
        raise InvalidField("name", "cannot be removed")
    # The model's patterns read `\d` as any script's digit and let a control character through: an SMS could not
    # go to such a number, nor an e-mail to such an address.
    if changes.get("phone") and not changes["phone"].isascii():
        raise InvalidField("phone", "must be in E.164 form (+5511987654321)")
    if changes.get("email") and not changes["email"].isprintable():
        raise InvalidField("email", "is not valid")
    try:
        contact = Contact.model_validate({**before.model_dump(), **changes})
    except ValidationError as exc:
        error = exc.errors(include_input=False, include_url=False)[0]
        message = "must be in E.164 form (+5511987654321)" if error["loc"] == ("phone",) else "is not valid"
        raise InvalidField(".".join(str(p) for p in error["loc"]), message) from None
    changed = sorted(name for name in given if getattr(contact, name) != getattr(before, name))
    if not changed:
        raise InvalidField("contact", "nothing would change")
    work.account = work.account.model_copy(update={"contact": contact})
    if "email" in changed and contact.email:
        claim = ("email", contact.email)
        # An address another customer already claimed stays theirs to be found by (a shared office address).
        if claim not in work.deps.store.owners_of([claim]):
            work.references.append(claim)
            refs = tuple(dict.fromkeys((*work.account.references, claim)))[:50]
            work.account = work.account.model_copy(update={"references": refs})
    return {"changed": ",".join(changed)}  # which fields, never their values


def _owner(work: _Work, request: _Input) -> dict[str, str | int]:
    assert isinstance(request, OwnerInput)
    if request.owner == work.account.owner:
        raise InvalidField("owner", "is already the owner")
    if not work.deps.known_owner(request.owner):
        raise InvalidField("owner", "is not an active person in the staff directory")
    previous = work.account.owner or "-"
    work.account = work.account.model_copy(update={"owner": request.owner})
    return {"owner": request.owner, "previous_owner": previous}


def _note(work: _Work, request: _Input) -> dict[str, str | int]:
    return {}


def _acknowledge(work: _Work, request: _Input) -> dict[str, str | int]:
    assert isinstance(request, AcknowledgeInput)
    wanted = request.notification_id
    if wanted not in {alert.notification_id for alert in work.records.alerts}:
        raise InvalidField("notification_id", "no such alert on this account (alerts are kept for a week)")
    done = next((ack for ack in work.records.acknowledgements if ack.notification_id == wanted), None)
    if done is not None:
        raise InvalidField("notification_id", f"already acknowledged by {done.by_name}")
    work.acknowledgements.append(
        Acknowledgement(
            notification_id=wanted, at=work.now, by=work.caller.subject, by_name=work.caller.name, reason=request.reason
        )
    )
    return {"notification_id": wanted}


_HANDLERS: dict[str, Callable[[_Work, _Input], dict[str, str | int]]] = {
    "promise_to_pay": _promise_to_pay,
    "dispute": _dispute,
    "extend": _extend,
    "exempt": _exempt,
    "reactivate": _reactivate,
    "offline_payment": _offline_payment,
    "write_off": _write_off,
    "contact": _contact,
    "owner": _owner,
    "note": _note,
    "acknowledge": _acknowledge,
}
