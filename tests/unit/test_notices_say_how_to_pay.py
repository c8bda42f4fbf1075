"""A customer notice that says what is owed and by when also says how to pay it, so that a customer reading it on a
phone can pay from it: the new invoice's notice and the new deadline's, as the collections notices do (each
invoice's payment link and boleto line, when a source gave them), and the new invoice's SMS its link."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from ponte.domain.accounts import LOCALES, Locale
from ponte.domain.bodies.collections import CustomerDeadlineExtended, WayToPay
from ponte.domain.bodies.invoices import DueInstallment, InvoiceIssued
from ponte.domain.money import Money
from ponte.domain.notifications import Audience, Notification, NotificationBody
from ponte.messages import render
from ponte.messages.text import SMS_SEPTETS, septets, signed_sms
from ponte.services import staff_actions
from tests.collections_support import TZ, local
from tests.staff_api_support import ANA, Staff
from tests.unit.test_uploads_service import TAX_ACCOUNT, World
from tests.upload_support import HEADER, row

LINK = "https://pagar.solnascente.example/0042"
BOLETO = "23790448095616862379336011058009740430000124020"
# The boleto's digitable line as a bank prints it, and as a business's spreadsheet holds it.
PRINTED_BOLETO = "23790.44809 56168.623793 36011.058009 7 40430000124020"
# The paragraph's title and how each of its lines opens, in each language.
TITLE: dict[Locale, str] = {"pt-BR": "Como pagar:", "es": "Cómo pagar:", "en": "How to pay:"}
PAY_AT: dict[Locale, str] = {"pt-BR": "pague em", "es": "pague en", "en": "pay at"}
SLIP: dict[Locale, str] = {
    "pt-BR": "boleto (linha digitável)",
    "es": "boleto (línea digitable)",
    "en": "boleto (digitable line)",
}
SECOND: dict[Locale, str] = {"pt-BR": "- parcela 2:", "es": "- cuota 2:", "en": "- installment 2:"}
PAY_BY: dict[Locale, str] = {"pt-BR": "Pague até", "es": "Pague hasta el", "en": "Pay by"}
SMS_LINK: dict[Locale, str] = {"pt-BR": "Pague em", "es": "Pague en", "en": "Pay at"}
SENDER = "Sol Nascente Distribuidora"  # the business's name, which opens every SMS it sends

ISSUED = InvoiceIssued(
    customer_name="João Conceição",
    invoice_number="0042",
    total=Money(amount=150_000, currency="BRL"),
    installments=(
        DueInstallment(number="1", due_date=date(2026, 11, 16), amount=Money(amount=75_000, currency="BRL")),
        DueInstallment(number="2", due_date=date(2026, 12, 16), amount=Money(amount=75_000, currency="BRL")),
    ),
    payment_url=LINK,
    bank_slip=BOLETO,
)
EXTENDED = CustomerDeadlineExtended(
    customer_name="João Conceição",
    was=date(2026, 11, 30),
    deadline=date(2026, 12, 3),
    totals=(Money(amount=250_000, currency="BRL"),),
    invoices=("NF-e 0042", "0043"),
    ways_to_pay=(
        WayToPay(label="NF-e 0042", payment_url=LINK, bank_slip=BOLETO),
        WayToPay(label="0043", payment_url="https://pagar.solnascente.example/0043"),
    ),
)


def note(body: NotificationBody, locale: Locale) -> Notification:
    return Notification(
        notification_id="n1",
        audience=Audience.CUSTOMER,
        account_id="padaria",
        locale=locale,
        occurred_at=datetime(2026, 11, 2, 12, 0, tzinfo=UTC),
        body=body,
    )


def without_ways(body: NotificationBody) -> NotificationBody:
    if isinstance(body, InvoiceIssued):
        return body.model_copy(update={"payment_url": None, "bank_slip": None})
    return body.model_copy(update={"ways_to_pay": ()})


# The new invoice's notice.


@pytest.mark.parametrize("locale", LOCALES)
def test_the_new_invoices_email_says_where_to_pay_it_and_its_boleto_line(locale: Locale) -> None:
    email = render(note(ISSUED, locale), time_zone=TZ).email

    assert f"{TITLE[locale]}\n- 0042: {PAY_AT[locale]} {LINK}\n- 0042: {SLIP[locale]} {BOLETO}\n" in email
    assert email.index(TITLE[locale]) > email.index(SECOND[locale]), "after the due dates it is for"


@pytest.mark.parametrize("locale", LOCALES)
def test_the_new_invoices_sms_carries_its_payment_link_whole(locale: Locale) -> None:
    sms = render(note(ISSUED, locale), time_zone=TZ).sms
    sent = signed_sms(SENDER, sms)

    assert sent.endswith(f"{SMS_LINK[locale]} {LINK}"), "the link last, with no full stop glued to it"
    assert "1.500,00" in sent or "1,500.00" in sent  # what is owed is still there
    assert septets(sent) <= SMS_SEPTETS


@pytest.mark.parametrize("locale", LOCALES)
def test_a_link_too_long_for_the_sms_leaves_the_rest_of_it_whole(locale: Locale) -> None:
    long_link = "https://invoice.stripe.example/i/acct_1Nv0FGQ9RKHgCVdK/live_" + "x" * 120
    long = ISSUED.model_copy(update={"payment_url": long_link})
    sms = signed_sms(SENDER, render(note(long, locale), time_zone=TZ).sms)

    assert "https://" not in sms and SMS_LINK[locale] not in sms
    assert sms.endswith(".") and ("1.500,00" in sms or "1,500.00" in sms)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_new_invoice_without_a_link_or_boleto_line_says_nothing_of_them(locale: Locale) -> None:
    message = render(note(without_ways(ISSUED), locale), time_zone=TZ)

    assert TITLE[locale] not in message.email and "https://" not in message.email
    assert SMS_LINK[locale] not in message.sms and "https://" not in message.sms


def test_a_new_invoice_with_only_a_boleto_line_gives_it_and_no_link() -> None:
    message = render(note(ISSUED.model_copy(update={"payment_url": None}), "pt-BR"), time_zone=TZ)

    assert f"Como pagar:\n- 0042: boleto (linha digitável) {BOLETO}\n" in message.email
    assert "https://" not in message.email and "Pague em" not in message.sms


def test_a_notice_recorded_before_it_carried_them_still_loads_and_renders() -> None:
    stored = ISSUED.model_dump(mode="json", exclude={"payment_url", "bank_slip"})
    old = Notification.model_validate(note(ISSUED, "pt-BR").model_dump(mode="json") | {"body": stored})

    assert isinstance(old.body, InvoiceIssued) and old.body.payment_url is None
    assert "Como pagar" not in render(old, time_zone=TZ).email


def test_an_uploaded_invoice_with_a_link_and_a_boleto_line_tells_the_customer_both() -> None:
    world = World(notices=True)
    data = f"{HEADER};Link de pagamento;Linha digitável\n{row(42)};{LINK};{PRINTED_BOLETO}\n".encode()

    world.upload("incoming/nov.csv", data)

    (notice,) = world.ledger.notices
    body = notice.body
    assert (notice.account_id, notice.audience) == (TAX_ACCOUNT, Audience.CUSTOMER)
    assert isinstance(body, InvoiceIssued)
    assert (body.payment_url, body.bank_slip) == (LINK, BOLETO)
    message = render(notice, time_zone=TZ)
    assert LINK in message.email and BOLETO in message.email and LINK in message.sms


def test_an_uploaded_invoice_without_them_tells_the_customer_neither() -> None:
    world = World(notices=True)

    world.upload("incoming/nov.csv", f"{HEADER}\n{row(42)}\n".encode())

    (notice,) = world.ledger.notices
    assert isinstance(notice.body, InvoiceIssued)
    assert (notice.body.payment_url, notice.body.bank_slip) == (None, None)


# The new deadline's notice.


@pytest.mark.parametrize("locale", LOCALES)
def test_the_new_deadlines_email_says_how_to_pay_each_invoice_owing(locale: Locale) -> None:
    email = render(note(EXTENDED, locale), time_zone=TZ).email

    assert (
        f"{TITLE[locale]}\n- NF-e 0042: {PAY_AT[locale]} {LINK}\n- NF-e 0042: {SLIP[locale]} {BOLETO}\n"
        f"- 0043: {PAY_AT[locale]} https://pagar.solnascente.example/0043\n"
    ) in email
    assert email.index(TITLE[locale]) < email.index(f"\n{PAY_BY[locale]} "), "the day to pay by is the last word"


@pytest.mark.parametrize("locale", LOCALES)
def test_a_new_deadline_without_links_or_boleto_lines_says_nothing_of_them(locale: Locale) -> None:
    message = render(note(without_ways(EXTENDED), locale), time_zone=TZ)

    assert TITLE[locale] not in message.email and "https://" not in message.email
    assert f"(NF-e 0042, 0043).\n\n{PAY_BY[locale]} " in message.email  # and no gap where it would be


def act(staff: Staff, action: str, now: datetime, **body: Any) -> None:
    fields = {"expected_version": staff.version, "reason": "o cliente ligou", **body}
    staff_actions.act("padaria", action, staff_actions.parse_action(action, fields), ANA, staff.deps(), now=now)


def told_of_the_extension(staff: Staff) -> Notification:
    staff.sweep(date(2026, 11, 25))  # the final warning named Monday 30/11
    before = len(staff.store.outbox)
    act(staff, "extend", local(date(2026, 11, 25), 10), days=3)
    (told,) = [n for n in staff.store.outbox[before:] if n.audience is Audience.CUSTOMER]
    assert isinstance(told.body, CustomerDeadlineExtended)
    return told


def test_a_staff_extension_tells_the_customer_how_to_pay_the_invoices_owing() -> None:
    staff = Staff()
    ledger = staff.ledger()
    (record,) = ledger.invoices
    payable = record.invoice.model_copy(update={"payment_url": LINK, "bank_slip": BOLETO})
    staff.store.ledgers["padaria"] = ledger.model_copy(
        update={"invoices": (record.model_copy(update={"invoice": payable}),)}
    )

    told = told_of_the_extension(staff)

    body = told.body
    assert isinstance(body, CustomerDeadlineExtended)
    assert body.ways_to_pay == (WayToPay(label="NF-1", payment_url=LINK, bank_slip=BOLETO),)
    email = render(told, time_zone=TZ).email
    assert f"Como pagar:\n- NF-1: pague em {LINK}\n- NF-1: boleto (linha digitável) {BOLETO}\n" in email


def test_a_staff_extension_on_invoices_without_links_carries_none() -> None:
    told = told_of_the_extension(Staff())

    assert isinstance(told.body, CustomerDeadlineExtended) and told.body.ways_to_pay == ()
    assert "Como pagar" not in render(told, time_zone=TZ).email
