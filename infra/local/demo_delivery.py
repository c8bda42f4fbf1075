"""The demo's chapter on reaching customers: a final warning bounces, nobody is suspended while nobody was reached,
the owner is told, and once the contact is fixed a new warning with a fresh deadline goes out before any
suspension."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infra.local.demo import Printer
    from infra.local.stack import LocalStack
    from ponte.adapters.dynamodb import DynamoStore

ACCOUNT_ID = "bar-do-leo"
INVOICE = "NF-2026-0211"
EMAIL = "leo@bar-do-leo.example"
PHONE = "+5511955554444"


def chapter_delivery(stack: LocalStack, out: Printer) -> None:
    from infra.local.demo import ZONE, check  # noqa: PLC0415
    from ponte.adapters.dynamodb import DynamoStore  # noqa: PLC0415

    out.chapter("5. A customer nobody reaches is never suspended; a fixed contact gets a fresh deadline")
    store = DynamoStore(stack.physical_id("Table"))
    _open(stack, store)
    out.line(f"Bar do Léo owes {INVOICE}, R$ 800,00, due in 4 days; contact: e-mail only ({EMAIL})")

    bounced = None
    for _ in range(30):
        stack.advance(days=1)
        warnings = [m for m in stack.mailbox(EMAIL) if m.subject.startswith("Último aviso")]
        if warnings and bounced is None:
            bounced = warnings[0]
            day = stack.now.astimezone(ZONE)
            out.line(f"{day:%a %d/%m}  final warning e-mailed: {bounced.subject}")
            stack.ses_event("bounce", bounced.message_id, EMAIL, bounceType="Permanent", bounceSubType="General")
            out.line(f"{day:%a %d/%m}  SES: the message bounced for good (user unknown)")
        account = store.get_account(ACCOUNT_ID)
        if bounced is not None and account is not None and _unreachable_told(stack):
            break
    check(bounced is not None, "the final warning went out by e-mail")
    owner = [d for d in _alerts(stack) if d.attributes["event_type"] == "customer.unreachable"]
    check(len(owner) == 1, "the owner was told once that the customer has no valid contact")
    out.line(f"to the owner: {owner[0].subject}")
    held = [d for d in _alerts(stack) if d.attributes["event_type"] == "collections.alert"]
    check(bool(held), "collections were told the suspension is withheld")
    out.line(f"to collections: {held[-1].subject}")
    account = store.get_account(ACCOUNT_ID)
    check(account is not None and account.status.value != "suspended", "nobody reached, so nobody suspended")
    assert account is not None
    out.line(f"{stack.now.astimezone(ZONE):%a %d/%m}  account status: {account.status.value} (not suspended)")

    _fix_contact(stack, store)
    out.line(f"{stack.now.astimezone(ZONE):%a %d/%m}  the owner adds the customer's mobile: {PHONE}")
    suspended_on = None
    for _ in range(15):
        stack.advance(days=1)
        account = store.get_account(ACCOUNT_ID)
        if account is not None and account.status.value == "suspended":
            suspended_on = stack.now.astimezone(ZONE)
            break
    texts = stack.sms(PHONE)
    check(any("Ultimo aviso" in sms.text for sms in texts), "a new final warning went out by SMS")
    warning = next(sms for sms in texts if "Ultimo aviso" in sms.text)
    out.line(f"SMS to {PHONE}: {warning.text}")
    check(suspended_on is not None, "suspended once the new deadline passed unpaid")
    assert suspended_on is not None
    out.line(
        f"{suspended_on:%a %d/%m}  suspended: the new deadline, named by a warning that reached the customer, passed"
    )


def _alerts(stack: LocalStack) -> list:  # type: ignore[type-arg]
    return [d for d in stack.published("StaffAlertsTopic", "email") if d.attributes.get("account_id") == ACCOUNT_ID]


def _unreachable_told(stack: LocalStack) -> bool:
    return any(
        d.attributes["event_type"] == "collections.alert" and "contato" in (d.subject or "").lower()
        for d in _alerts(stack)
    )


def _open(stack: LocalStack, store: DynamoStore) -> None:
    from ponte.domain.accounts import Contact, next_version  # noqa: PLC0415
    from ponte.domain.changes import AccountChange  # noqa: PLC0415
    from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Party, SourceFormat  # noqa: PLC0415
    from ponte.domain.ledger import InvoiceRecord  # noqa: PLC0415
    from ponte.domain.money import Money  # noqa: PLC0415
    from ponte.services.accounts import OpenAccount, opening_change  # noqa: PLC0415

    due = (stack.now + timedelta(days=4)).date()
    amount = Money(amount=80_000, currency="BRL")
    opening = opening_change(
        OpenAccount(
            account_id=ACCOUNT_ID,
            name="Bar do Léo",
            locale="pt-BR",
            contact=Contact(name="Leonardo Dias", email=EMAIL),
            owner="ana",
        ),
        now=stack.now,
        staff_locale="pt-BR",
        source="demo",
    )
    store.commit(opening)
    record = InvoiceRecord(
        invoice=Invoice(
            key=INVOICE,
            number=INVOICE,
            kind=InvoiceKind.INVOICE,
            issue_date=None,
            currency="BRL",
            total=amount,
            installments=(Installment(number="1", due_date=due, amount=amount),),
            customer=Party(name="Bar do Léo", reference=ACCOUNT_ID),
            source=SourceFormat.JSON,
        ),
        recorded_at=stack.now,
        origin="demo",
    )
    store.commit(
        AccountChange(
            account=next_version(opening.account, next_evaluation_at=stack.now),
            recorded_at=stack.now,
            expected_version=0,
            invoices=(record,),
        )
    )


def _fix_contact(stack: LocalStack, store: DynamoStore) -> None:
    """What a staff member does today by hand (the staff console comes later): the contact, with a mobile."""
    from ponte.domain.accounts import next_version  # noqa: PLC0415
    from ponte.domain.changes import AccountChange  # noqa: PLC0415

    account = store.get_account(ACCOUNT_ID)
    assert account is not None
    store.commit(
        AccountChange(
            account=next_version(
                account,
                contact=account.contact.model_copy(update={"phone": PHONE}),
                next_evaluation_at=stack.now,
            ),
            recorded_at=stack.now,
            expected_version=account.version,
        )
    )
