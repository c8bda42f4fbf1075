"""What the customer reads about a due date that is not a business day, and on the day it is due.

R$ 1.500,00 due on Friday 25 December 2026 (Christmas) under the default policy (Brazilian business days): it is due
on Monday 28/12, and every notice that shows the due date says so; the reminder that goes out on 28/12 says "today".
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ponte.calendar import business_holidays
from ponte.domain.bodies.collections import CollectionNotice
from ponte.domain.ledger import Ledger
from ponte.domain.notifications import Notification
from ponte.domain.policy import default_policy
from ponte.messages import render
from ponte.services.collections import change_for, decide
from tests.collections_support import TZ, ZONE, account, applied, invoice, local

HOLIDAYS = business_holidays("BR", range(2025, 2028))
CHRISTMAS, SATURDAY, MONDAY = date(2026, 12, 25), date(2026, 12, 26), date(2026, 12, 28)


def notices(due: date, days: int = 8) -> dict[str, Notification]:
    """The customer notices of the ladder run daily at 09:00 from a week before `due`, by step."""
    current = Ledger(account=account(), invoices=(invoice("NF-1", due),))
    sent: dict[str, Notification] = {}
    day = due - timedelta(days=7)
    for _ in range(days + 7):
        now = local(day, 9)
        decision = decide(current, now=now, policy=default_policy(), time_zone=TZ, holidays=HOLIDAYS)
        change = change_for(current, decision, now=now, staff_locale="pt-BR", cause=f"sweep:{day}")
        if change is not None:
            current = applied(current, change)
            for notification in change.notifications:
                if isinstance(notification.body, CollectionNotice):
                    sent[notification.body.step_id] = notification
        day += timedelta(days=1)
    return sent


def told(notification: Notification, locale: str = "pt-BR") -> tuple[str, str, str]:
    message = render(notification.model_copy(update={"locale": locale}), time_zone=TZ)
    return message.utf8_subject, message.email.replace("\xa0", " "), message.sms.replace("\xa0", " ")


SENT = {"holiday": notices(CHRISTMAS), "weekend": notices(SATURDAY)}

MOVED = {
    ("holiday", "pt-BR"): "vencimento em 25/12/2026 (feriado), prorrogado para 28/12/2026",
    ("holiday", "es"): "vencimiento el 25 dic 2026 (feriado), prorrogado al 28 dic 2026",
    ("holiday", "en"): "due 25 Dec 2026 (a holiday), moved to 28 Dec 2026",
    ("weekend", "pt-BR"): "vencimento em 26/12/2026 (fim de semana), prorrogado para 28/12/2026",
    ("weekend", "es"): "vencimiento el 26 dic 2026 (fin de semana), prorrogado al 28 dic 2026",
    ("weekend", "en"): "due 26 Dec 2026 (a weekend), moved to 28 Dec 2026",
}


def test_the_ladder_counts_from_the_business_day_the_due_date_moved_to() -> None:
    sent = SENT["holiday"]

    assert {step: n.occurred_at.astimezone(ZONE).date() for step, n in sent.items()} == {
        "reminder-3": date(2026, 12, 22),
        "due-today": MONDAY,
        "overdue-1": date(2026, 12, 29),
    }


@pytest.mark.parametrize(("why", "locale"), sorted(MOVED))
def test_every_notice_showing_the_due_date_says_it_moved(why: str, locale: str) -> None:
    for step in ("reminder-3", "due-today", "overdue-1"):
        _, email, _ = told(SENT[why][step], locale)
        assert MOVED[why, locale] in email, step


@pytest.mark.parametrize(
    ("locale", "subject", "opening", "sms"),
    [
        (
            "pt-BR",
            "Lembrete: R$ 1.500,00 vence hoje",
            "Lembramos que o pagamento abaixo vence hoje:",
            "Lembrete: R$ 1.500,00 vence hoje (prorrogado de 25/12/2026, feriado). Se ja pagou, desconsidere.",
        ),
        (
            "es",
            "Recordatorio: 1.500,00 BRL vence hoy",
            "Le recordamos que el pago siguiente vence hoy:",
            "Recordatorio: 1.500,00 BRL vence hoy (prorrogado del 25 dic 2026, feriado). "
            "Si ya pago, ignore este aviso.",
        ),
        (
            "en",
            "Reminder: R$1,500.00 due today",
            "A reminder that the payment below is due today:",
            "Reminder: R$1,500.00 is due today (moved from 25 Dec 2026, a holiday). "
            "If you have paid, please disregard.",
        ),
    ],
)
def test_the_reminder_on_the_day_it_is_due_says_today(locale: str, subject: str, opening: str, sms: str) -> None:
    told_subject, email, told_sms = told(SENT["holiday"]["due-today"], locale)

    assert (told_subject, told_sms) == (subject, sms)
    assert opening in email


def test_a_reminder_before_the_day_names_the_effective_due_date() -> None:
    subject, email, sms = told(SENT["holiday"]["reminder-3"])

    assert subject == "Lembrete: R$ 1.500,00 vence em 28/12/2026"
    assert "Lembramos que o pagamento abaixo vence em 28/12/2026:" in email
    assert sms.startswith("Lembrete: R$ 1.500,00 vence em 28/12/2026 (prorrogado de 25/12/2026, feriado).")


def test_an_overdue_notice_counts_the_days_late_from_the_effective_due_date() -> None:
    _, email, sms = told(SENT["holiday"]["overdue-1"])

    assert "Não identificamos o pagamento abaixo, vencido em 28/12/2026:" in email
    assert "prorrogado para 28/12/2026, 1 dia de atraso" in email
    assert sms.startswith("Pagamento em atraso desde 28/12/2026: R$ 1.500,00.")


def test_a_due_date_on_a_business_day_reads_as_before() -> None:
    sent = notices(date(2026, 12, 22), days=2)

    _, email, sms = told(sent["overdue-1"])
    assert "(vencimento 22/12/2026, 1 dia de atraso" in email
    assert "prorrogado" not in email + sms
    _, _, reminder = told(sent["due-today"])
    assert reminder == "Lembrete: R$ 1.500,00 vence hoje. Se ja pagou, desconsidere."


@pytest.mark.parametrize(
    ("locale", "line", "sms"),
    [
        ("pt-BR", "vencimento em 25/12/2026 (feriado), prorrogado para 28/12/2026", "vence em 28/12/2026"),
        ("es", "vencimiento el 25 dic 2026 (feriado), prorrogado al 28 dic 2026", "vence el 28 dic 2026"),
        ("en", "due 25 Dec 2026 (a holiday), moved to 28 Dec 2026", "due 28 Dec 2026"),
    ],
)
def test_the_invoice_notice_of_an_upload_says_a_due_date_on_a_holiday_moved(locale: str, line: str, sms: str) -> None:
    from tests.message_cases import CASES

    [case] = [c for c in CASES if c.name == "invoice.issued/due-on-a-holiday"]
    note = Notification(
        notification_id="n-1",
        audience=case.audience,
        account_id="padaria",
        locale=locale,
        occurred_at=local(date(2026, 12, 1), 10),
        body=case.body,
    )
    message = render(note, time_zone=TZ)
    assert line in message.email.replace("\xa0", " ")
    assert sms in message.sms
