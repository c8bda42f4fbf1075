"""Customers receive their notices, end to end on the local stack: the daily sweep runs the ladder, the notifier
e-mails (SES) and texts (SMS) each notice signed with the business's identity, a bounced final warning falls back
to SMS with a deadline the customer could read in time, and a customer nobody reaches is never suspended.

One invoice of R$ 1.234,56 due on Monday 9 November 2026, issued as 1-1042 with a payment link. With the default
policy, counted in Brazilian business days (20/11 is a national holiday): reminders on 4/11 and 9/11, overdue notices
on 10/11 and 16/11, the final warning on 24/11 naming 30/11, suspension on 1/12 at the 08:00 sweep.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from typing import Any

import boto3
from botocore.exceptions import ClientError

from infra.local import LocalStack
from infra.local.delivery import Email, Sms
from ponte.adapters.dynamodb import DynamoStore
from ponte.domain.accounts import Contact, next_version
from ponte.domain.changes import AccountChange
from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Party, SourceFormat
from ponte.domain.ledger import InvoiceRecord
from ponte.domain.money import Money
from ponte.domain.policy import default_policy_text
from ponte.services.accounts import OpenAccount, opening_change
from tests.collections_support import ZONE

DUE = date(2026, 11, 9)
AMOUNT = "R$ 1.234,56"
INVOICE_KEY = "erp-7f3a9c-internal"  # how the business's system keys the invoice: never shown to the customer
NUMBER_AS_ISSUED = "1-1042"  # series 1, number 1042
PAYMENT_URL = "https://pay.example/inv-1"
SENDER = "Sol Nascente Distribuidora <avisos@solnascente.example>"
SIGNATURE = (
    "Sol Nascente Comércio de Alimentos Ltda",
    "CNPJ 11.222.333/0001-81",
    "Rua Augusta, 1500, loja 2 - Consolação, São Paulo - SP, 01304-001",
)
EMAIL, PHONE = "marina@aurora.example", "+5511966665555"
FINAL_WARNING_SUBJECT = "Último aviso: R$ 1.234,56 até 30/11/2026 para evitar a suspensão"


def open_with_invoice(stack: LocalStack, account_id: str, contact: Contact) -> None:
    """As infra/local/demo_collections.py's `_open_with_invoice`: the account opened, then its invoice recorded with
    the account due for evaluation at once, so the next sweep looks at it."""
    store = DynamoStore(stack.physical_id("Table"))
    amount = Money(amount=123_456, currency="BRL")
    opening = opening_change(
        OpenAccount(account_id=account_id, name="Café Aurora", locale="pt-BR", contact=contact, owner="ana"),
        now=stack.now,
        staff_locale="pt-BR",
        source="test",
    )
    store.commit(opening)
    record = InvoiceRecord(
        invoice=Invoice(
            key=INVOICE_KEY,
            number="1042",
            series="1",
            kind=InvoiceKind.INVOICE,
            issue_date=None,
            currency="BRL",
            total=amount,
            installments=(Installment(number="1", due_date=DUE, amount=amount),),
            customer=Party(name="Café Aurora", reference=account_id),
            source=SourceFormat.JSON,
            payment_url=PAYMENT_URL,
        ),
        recorded_at=stack.now,
        origin="test",
    )
    store.commit(
        AccountChange(
            account=next_version(opening.account, next_evaluation_at=stack.now),
            recorded_at=stack.now,
            expected_version=0,
            invoices=(record,),
        )
    )
    stack.settle()


def today(stack: LocalStack) -> date:
    return stack.now.astimezone(ZONE).date()


def status(stack: LocalStack, account_id: str) -> str:
    account = DynamoStore(stack.physical_id("Table")).get_account(account_id)
    assert account is not None
    return account.status.value


def staff_alerts(stack: LocalStack, account_id: str) -> list[Any]:
    return [d for d in stack.published("StaffAlertsTopic", "email") if d.attributes.get("account_id") == account_id]


def deadline_in(text: str) -> date:
    """The deadline a final warning names: the date after 'até' / 'ate' (SMS are GSM-7, without accents)."""
    found = re.search(r"\bat[ée] (\d{2})/(\d{2})/(\d{4})", text)
    assert found is not None, text
    day, month, year = (int(part) for part in found.groups())
    return date(year, month, day)


def plain(text: str) -> str:
    """E-mails format amounts as CLDR's pt-BR does, with a no-break space after "R$" (never split across lines)."""
    return text.replace("\u00a0", " ")


def sent_on(sms: Sms) -> date:
    assert isinstance(sms.sent_at, datetime)
    return sms.sent_at.astimezone(ZONE).date()


# 1. The ladder, day by day: each notice by e-mail and by SMS, signed, naming the invoice as issued.

# What goes out on each day, and the sentence on what happens next if nothing is paid (reminders and overdue
# notices): the next notice about non-payment and the earliest suspension, from the ladder's plan.
LADDER = {
    date(2026, 11, 4): ("customer_payment_reminder", "Se não houver pagamento, em 10/11/2026 enviaremos um novo aviso"),
    date(2026, 11, 9): ("customer_payment_reminder", "Se não houver pagamento, em 10/11/2026 enviaremos um novo aviso"),
    date(2026, 11, 10): ("customer_overdue_notice", "Se não houver pagamento, em 16/11/2026 enviaremos um novo aviso"),
    date(2026, 11, 16): ("customer_overdue_notice", "Se não houver pagamento, em 24/11/2026 enviaremos o aviso final"),
    date(2026, 11, 24): ("customer_final_warning", None),
}
SUBJECTS = {
    "customer_payment_reminder": f"Lembrete: {AMOUNT} vence em 09/11/2026",
    "customer_overdue_notice": f"Pagamento em atraso: {AMOUNT}",
    "customer_final_warning": FINAL_WARNING_SUBJECT,
}
TRADE_NAME = "Sol Nascente Distribuidora"  # the business's (infra/local/business_example.json)
SMS_OPENINGS = {
    "customer_payment_reminder": f"Lembrete: {AMOUNT} vence em 09/11/2026.",
    "customer_overdue_notice": f"Pagamento em atraso desde 09/11/2026: {AMOUNT}.",
    "customer_final_warning": f"Ultimo aviso: pague {AMOUNT} ate 30/11/2026 para evitar a suspensao do servico.",
}
# The reminder that goes out on the due date says "today" instead of the date.
ON_THE_DUE_DATE = (f"Lembrete: {AMOUNT} vence hoje", f"Lembrete: {AMOUNT} vence hoje.")


def test_each_ladder_notice_reaches_the_customer_by_email_and_sms_signed_and_naming_the_invoice(
    stack: LocalStack,
) -> None:
    open_with_invoice(stack, "acc-7731", Contact(name="Marina Costa", email=EMAIL, phone=PHONE))
    welcomed = (len(stack.mailbox(EMAIL)), len(stack.sms(PHONE)))
    assert welcomed == (1, 1)  # the welcome, on opening

    emails_on: dict[date, list[Email]] = {}
    sms_on: dict[date, list[Sms]] = {}
    while today(stack) < date(2026, 11, 25):
        seen_emails, seen_sms = len(stack.mailbox(EMAIL)), len(stack.sms(PHONE))
        stack.advance(days=1)
        if new_emails := stack.mailbox(EMAIL)[seen_emails:]:
            emails_on[today(stack)] = new_emails
        if new_sms := stack.sms(PHONE)[seen_sms:]:
            sms_on[today(stack)] = new_sms

    # Each step once, on its day, on both channels.
    assert {day: [e.tags["kind"] for e in emails] for day, emails in emails_on.items()} == {
        day: [kind] for day, (kind, _) in LADDER.items()
    }
    assert sms_on.keys() == LADDER.keys() and all(len(texts) == 1 for texts in sms_on.values())

    for day, (kind, what_next) in LADDER.items():
        [email] = emails_on[day]
        [sms] = sms_on[day]
        expected_subject, sms_opening = ON_THE_DUE_DATE if day == DUE else (SUBJECTS[kind], SMS_OPENINGS[kind])
        # Signed with the business's name: in Brazil an SMS comes from a number, not a name.
        assert sms.text.startswith(f"{TRADE_NAME}: {sms_opening}"), (day, sms.text)
        subject, text, html = plain(email.subject), plain(email.text), plain(email.html)
        assert subject == expected_subject, day  # UTF-8 subject: the accents are kept
        assert email.from_ == SENDER
        assert email.tags["account_id"] == "acc-7731"
        for body in (text, html):
            for line in SIGNATURE:
                assert line in body, (day, kind, line)
            assert NUMBER_AS_ISSUED in body and AMOUNT in body
            assert INVOICE_KEY not in body and "acc-7731" not in body and email.tags["notice_id"] not in body
        assert INVOICE_KEY not in subject and INVOICE_KEY not in sms.text
        assert f"- {NUMBER_AS_ISSUED}: pague em {PAYMENT_URL}" in text
        assert f'<a href="{PAYMENT_URL}">{PAYMENT_URL}</a>' in html
        if what_next is not None:
            sentence = f"{what_next}; a suspensão do serviço não ocorrerá antes de 01/12/2026."
            assert sentence in text and sentence in html, (day, text)
        else:  # the final warning names the deadline instead
            assert "Se não houver pagamento" not in text
            assert f"Pague {AMOUNT} até 30/11/2026 para evitar a suspensão do serviço." in text
    assert emails_on[date(2026, 11, 24)][0].subject.startswith("Último aviso")
    assert not stack.failures


# 2. A bounced final warning falls back to SMS, and the suspension waits for the deadline that SMS named.


def put_policy(stack: LocalStack, **final_warning: Any) -> None:
    policy = json.loads(default_policy_text())
    policy["version"] = 2
    for step in policy["steps"]:
        if step["kind"] == "final_warning":
            step.update(final_warning)
    stack.client("ssm").put_parameter(
        Name=stack.physical_id("DunningPolicyParameter"), Value=json.dumps(policy), Type="String", Overwrite=True
    )


def test_a_bounced_final_warning_falls_back_to_sms_and_the_suspension_waits_for_the_deadline_it_named(
    stack: LocalStack,
) -> None:
    put_policy(stack, channels=["email"])  # the final warning by e-mail only; every other step on both channels
    open_with_invoice(stack, "acc-7731", Contact(name="Marina Costa", email=EMAIL, phone=PHONE))

    bounced: Email | None = None
    bounced_on: date | None = None
    statuses: dict[date, str] = {}
    while "suspended" not in statuses.values() and today(stack) < date(2026, 12, 10):
        stack.advance(days=1)
        statuses[today(stack)] = status(stack, "acc-7731")
        warnings = [e for e in stack.mailbox(EMAIL) if e.tags["kind"] == "customer_final_warning"]
        if warnings and bounced is None:
            bounced, bounced_on = warnings[0], today(stack)
            stack.ses_event("bounce", bounced.message_id, EMAIL, bounceType="Permanent", bounceSubType="General")

    # The final warning went out by e-mail only, as the step says, and bounced for good.
    assert bounced is not None and bounced_on == date(2026, 11, 24)
    assert plain(bounced.subject) == FINAL_WARNING_SUBJECT
    emailed_deadline = deadline_in(bounced.subject)
    texts = stack.sms(PHONE)

    # A minute after the bounce, the sweep it woke sends a final warning to the customer's phone, naming a deadline
    # at least the policy's deadline_notice_days (3) after it was sent; no further e-mail goes to the address that
    # bounced.
    [fallback] = [s for s in texts if s.text.startswith(f"{TRADE_NAME}: Ultimo aviso")]
    assert sent_on(fallback) == bounced_on
    named = deadline_in(fallback.text)
    assert named >= sent_on(fallback) + timedelta(days=3)
    assert f"pague {AMOUNT} ate {named:%d/%m/%Y}" in fallback.text
    assert [e.tags["kind"] for e in stack.mailbox(EMAIL)].count("customer_final_warning") == 1

    # Suspended only once the deadline the SMS named had passed (and never before the e-mail's either).
    suspended = [day for day, value in statuses.items() if value == "suspended"]
    assert suspended, statuses
    suspended_on = suspended[0]
    assert suspended_on > named and suspended_on > emailed_deadline
    assert all(value != "suspended" for day, value in statuses.items() if day <= named)
    assert any(s.text.startswith(f"{TRADE_NAME}: Servico suspenso: prazo {named:%d/%m/%Y} vencido") for s in texts)

    # The owner's decision record rests on the warning that reached the customer: the SMS and its deadline.
    [record] = [d for d in staff_alerts(stack, "acc-7731") if d.attributes["event_type"] == "account.suspended"]
    assert record.attributes["owner"] == "ana"
    assert f"Prazo informado ao cliente: {named:%d/%m/%Y}" in record.message
    assert fallback.sent_at is not None
    sent_at = fallback.sent_at.astimezone(ZONE)
    assert f"{sent_at:%d/%m/%Y %H:%M}: aviso final (SMS: enviado), prazo {named:%d/%m/%Y}" in record.message
    assert f"{bounced_on:%d/%m/%Y} 08:00: aviso final (e-mail: devolvido)" in record.message  # what was tried first
    assert not stack.failures


def test_a_final_warning_ses_refuses_goes_out_by_sms_minutes_later_not_the_next_day(stack: LocalStack) -> None:
    put_policy(stack, channels=["email"])
    boto3.setup_default_session()
    session = boto3.DEFAULT_SESSION
    assert session is not None
    refused: list[datetime] = []

    def reject_final_warnings(params: dict[str, Any], **_: Any) -> None:
        if {"Name": "kind", "Value": "customer_final_warning"} in params.get("EmailTags", []):
            refused.append(stack.now)
            error = {"Error": {"Code": "MessageRejected", "Message": "Email address is not verified."}}
            raise ClientError(error, "SendEmail")

    session.events.register("before-parameter-build.sesv2.SendEmail", reject_final_warnings)
    try:
        open_with_invoice(stack, "acc-7731", Contact(name="Marina Costa", email=EMAIL, phone=PHONE))
        while not refused and today(stack) < date(2026, 12, 10):
            stack.advance(days=1)
        stack.advance(minutes=5)
    finally:
        session.events.unregister("before-parameter-build.sesv2.SendEmail", reject_final_warnings)
    # Refused at the sweep, and again a minute later: the fallback goes out on every channel the customer has.
    refused_at, again = refused
    assert again - refused_at == timedelta(minutes=1)
    [fallback] = [s for s in stack.sms(PHONE) if s.text.startswith(f"{TRADE_NAME}: Ultimo aviso")]
    assert fallback.sent_at is not None and timedelta(0) < fallback.sent_at - refused_at <= timedelta(minutes=2)
    assert deadline_in(fallback.text) >= sent_on(fallback) + timedelta(days=3)


# 3. A customer whose only contact bounces is not suspended, and the owner is told why.


def test_a_customer_whose_only_contact_bounced_is_not_suspended_and_the_owner_is_told_why(stack: LocalStack) -> None:
    open_with_invoice(stack, "acc-7731", Contact(name="Marina Costa", email=EMAIL))  # e-mail only, no phone

    bounced_on: date | None = None
    statuses: dict[date, str] = {}
    while today(stack) < date(2026, 12, 2):
        stack.advance(days=1)
        statuses[today(stack)] = status(stack, "acc-7731")
        warnings = [e for e in stack.mailbox(EMAIL) if e.tags["kind"] == "customer_final_warning"]
        if warnings and bounced_on is None:
            bounced_on = today(stack)
            stack.ses_event("bounce", warnings[0].message_id, EMAIL, bounceType="Permanent", bounceSubType="General")

    assert bounced_on == date(2026, 11, 24)
    # Past the suspension step (1/12) and the deadline the bounced warning named (30/11): never suspended.
    assert "suspended" not in statuses.values(), statuses
    assert statuses[date(2026, 12, 1)] == statuses[date(2026, 12, 2)] == "overdue"
    alerts = staff_alerts(stack, "acc-7731")
    kinds = [d.attributes["event_type"] for d in alerts]
    assert "account.suspended" not in kinds
    assert not [e for e in stack.mailbox(EMAIL) if e.tags["kind"] == "customer_suspended"]
    assert ("account.suspended", "acc-7731") not in [
        (e["detail-type"], e["detail"].get("account_id")) for e in stack.platform_events()
    ]

    # The owner is told the customer has no valid contact, once, when the address bounced...
    [unreachable] = [d for d in alerts if d.attributes["event_type"] == "customer.unreachable"]
    assert unreachable.attributes["owner"] == "ana"
    assert "atualize o e-mail" in unreachable.message

    # ...and, once the deadline has passed, that the suspension was withheld because nobody was reached.
    [alert] = [d for d in alerts if d.attributes["event_type"] == "collections.alert"]
    assert alert.attributes["owner"] == "ana" and alert.attributes["team"] == "collections"
    assert alert.subject == "Suspensao nao feita, cliente sem contato valido: Cafe Aurora"
    assert alert.message.startswith("Suspensão não feita, cliente sem contato válido: o aviso final não chegou")
    assert "chegou ao cliente (e-mail: não enviado)" in alert.message  # held: the address had bounced for good
    assert "the suspension is withheld" not in alert.message
    [machine] = [
        json.loads(d.message)
        for d in stack.published("StaffAlertsTopic")  # the machine payload, as a queue subscriber reads it
        if d.attributes.get("account_id") == "acc-7731" and d.attributes["event_type"] == "collections.alert"
    ]
    assert machine["owner"] == "ana" and machine["data"]["reason"] == "customer_unreachable"
    assert datetime.fromisoformat(machine["occurred_at"]).astimezone(ZONE).date() > deadline_in(FINAL_WARNING_SUBJECT)
    assert not stack.failures
