"""The demo's chapter on collections: the clock moves day by day through the ladder to suspension and back."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infra.local.demo import Printer
    from infra.local.fake_asaas import FakeAsaas
    from infra.local.stack import Delivery, LocalStack
    from ponte.adapters.dynamodb import DynamoStore

ACCOUNT_ID = "cafe-aurora"
INVOICE = "NF-2026-0107"
AMOUNT = 123_456  # R$ 1.234,56
LADDER = [
    "customer.payment_reminder",
    "customer.payment_reminder",
    "customer.overdue_notice",
    "customer.overdue_notice",
    "customer.final_warning",
    "customer.suspended",
]


def chapter_collections(stack: LocalStack, out: Printer, *, asaas: FakeAsaas) -> None:
    """The ladder from the first reminder to suspension, with the owner's decision record; a payment reactivates."""
    from infra.local.demo import ZONE, check  # noqa: PLC0415
    from ponte.adapters.dynamodb import DynamoStore  # noqa: PLC0415
    from ponte.calendar import business_holidays  # noqa: PLC0415

    out.chapter("4. Collections: a deadline once the payment is late, then suspension, then reactivation")
    store = DynamoStore(stack.physical_id("Table"))
    today = stack.now.astimezone(ZONE).date()
    holidays = business_holidays("BR", range(today.year, today.year + 2))
    due = _business_day_after(today, 4, holidays)
    _open_with_invoice(stack, store, due)
    out.line(f"Café Aurora owes {INVOICE}, R$ 1.234,56, due {due:%d/%m/%Y}; owner: ana; the sweep runs daily at 08:00")

    sent: list[tuple[date, str, str]] = []
    for _ in range(40):
        seen = len(_mine(stack, "CustomerNoticesTopic", "sms"))
        stack.advance(days=1)
        day = stack.now.astimezone(ZONE).date()
        for notice in _mine(stack, "CustomerNoticesTopic", "sms")[seen:]:
            sent.append((day, notice.attributes["event_type"], notice.message))
            out.line(f"{day:%a %d/%m}  to the customer by SMS: {notice.message}")
        if sent and sent[-1][1] == "customer.suspended":
            break
    kinds = [kind for _, kind, _ in sent]
    check(kinds == LADDER, f"each notice of the ladder went out once, in order: {kinds}")
    warned_on, _, warning = next(s for s in sent if s[1] == "customer.final_warning")
    check("R$ 1.2" in warning and "suspensao" in warning, "the final warning names the amount and the deadline")
    check(sent[-1][0] > warned_on + timedelta(days=3), "the suspension came after the deadline named in the warning")

    [record] = [
        d for d in _mine(stack, "StaffAlertsTopic", "email") if d.attributes["event_type"] == "account.suspended"
    ]
    out.line(f"the owner (ana) is told, severity {record.attributes['severity']}, team {record.attributes['team']}:")
    out.delivery(record)
    for expected in ("Por quê:", INVOICE, "aviso final (e-mail: enviado)", "Como reativar"):
        check(expected in record.message, f"the decision record shows {expected!r}")

    stack.advance(hours=5)
    _pay(stack, store, asaas)
    out.line(f"{stack.now.astimezone(ZONE):%a %d/%m %H:%M}  Asaas webhook: Pix of R$ 1.300,00 received for {INVOICE}")
    customer = [d for d in _mine(stack, "CustomerNoticesTopic", "sms") if d.attributes["event_type"].endswith("ated")]
    owner = [d for d in _mine(stack, "StaffAlertsTopic", "email") if d.attributes["event_type"].endswith("ated")]
    check(len(customer) == 1 and len(owner) == 1, "customer and owner are told of the reactivation at once")
    out.line(f"to the customer by SMS: {customer[0].message}")
    out.line(f"to the owner: {owner[0].subject}")
    events = [
        e["detail-type"]
        for e in stack.platform_events()
        if e["detail"].get("account_id") == ACCOUNT_ID and e["detail-type"] != "account.opened"
    ]
    out.line(f"platform bus (for the business's platform to cut and restore service): {events}")
    check(events == ["account.suspended", "account.reactivated"], "the platform heard of both changes")
    digests = [d for d in stack.published("StaffAlertsTopic", "email") if d.attributes["event_type"].endswith("digest")]
    check(bool(digests), "collections got a digest on business days")
    out.line(f"daily digests to collections so far: {len(digests)}; the latest: {digests[-1].subject}")


def _mine(stack: LocalStack, topic: str, protocol: str) -> list[Delivery]:
    return [d for d in stack.published(topic, protocol) if d.attributes.get("account_id") == ACCOUNT_ID]


def _business_day_after(day: date, days: int, holidays: frozenset[date]) -> date:
    day += timedelta(days=days)
    while day.weekday() >= 5 or day in holidays:
        day += timedelta(days=1)
    return day


def _open_with_invoice(stack: LocalStack, store: DynamoStore, due: date) -> None:
    from ponte.domain.accounts import Contact, next_version  # noqa: PLC0415
    from ponte.domain.changes import AccountChange  # noqa: PLC0415
    from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Party, SourceFormat  # noqa: PLC0415
    from ponte.domain.ledger import InvoiceRecord  # noqa: PLC0415
    from ponte.domain.money import Money  # noqa: PLC0415
    from ponte.services.accounts import OpenAccount, opening_change  # noqa: PLC0415

    amount = Money(amount=AMOUNT, currency="BRL")
    opening = opening_change(
        OpenAccount(
            account_id=ACCOUNT_ID,
            name="Café Aurora",
            locale="pt-BR",
            contact=Contact(name="Marina Costa", email="marina@cafe-aurora.example", phone="+5511966665555"),
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
            customer=Party(name="Café Aurora", reference=ACCOUNT_ID),
            source=SourceFormat.JSON,
        ),
        recorded_at=stack.now,
        origin="demo",
    )
    # The invoice is recorded with the account due for evaluation at once, so the next sweep looks at it.
    store.commit(
        AccountChange(
            account=next_version(opening.account, next_evaluation_at=stack.now),
            recorded_at=stack.now,
            expected_version=0,
            invoices=(record,),
        )
    )
    stack.settle()


def _pay(stack: LocalStack, store: DynamoStore, asaas: FakeAsaas) -> None:
    """The customer pays by Pix through Asaas: a webhook, verified and applied with the reactivation at once."""
    import json  # noqa: PLC0415

    from infra.local.demo import check  # noqa: PLC0415
    from infra.local.demo_payments import ASAAS_TOKEN  # noqa: PLC0415
    from infra.local.signing import asaas_headers  # noqa: PLC0415

    ledger = store.load_ledger(ACCOUNT_ID)
    check(ledger is not None and ledger.account.status.value == "suspended", "the account is suspended")
    body = json.dumps(
        {
            "id": "evt_demo_asaas_pix_aurora",
            "event": "PAYMENT_RECEIVED",
            "dateCreated": stack.now.strftime("%Y-%m-%d %H:%M:%S"),
            "payment": {
                "id": "pay_demo_aurora",
                "customer": "cus_demo_aurora",
                "value": 1300.00,
                "status": "RECEIVED",
                "billingType": "PIX",
                "externalReference": ACCOUNT_ID,
                "description": f"Pagamento da fatura {INVOICE}",
            },
        }
    ).encode()
    asaas.knows(body)  # Ponte acts on it as Asaas's API confirms it
    status, _, answer = stack.http("POST", "/webhooks/asaas", headers=asaas_headers(ASAAS_TOKEN), body=body)
    check(status == 200, f"the Asaas delivery is accepted: {answer.decode()}")
    ledger = store.load_ledger(ACCOUNT_ID)
    check(ledger is not None and ledger.account.status.value == "active", "the payment reactivates the account")
