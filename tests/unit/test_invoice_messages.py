"""The invoice notifications, rendered per channel and locale."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ponte.domain.accounts import LOCALES, Locale
from ponte.domain.bodies.invoices import DueInstallment, InvoiceIssued, InvoicesImported, UploadQuarantined
from ponte.domain.money import Money
from ponte.domain.notifications import Audience, Notification, NotificationBody
from ponte.messages import render
from ponte.messages.text import SMS_SEPTETS, septets, to_gsm

MOMENT = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
IMPORTED = InvoicesImported(
    file="incoming/2026/recebíveis de novembro com um nome de arquivo bem comprido para testar os limites.csv",
    file_format="csv",
    imported=1234,
    corrected=4,
    unchanged=10,
    rejected=1,
    accounts_opened=12,
    report="processed/2026/recebiveis.csv.report.json",
)
BODIES: dict[str, NotificationBody] = {
    "invoice.issued": InvoiceIssued(
        customer_name="Padaria São João",
        invoice_number="2026-101",
        total=Money(amount=250000, currency="BRL"),
        installments=(
            DueInstallment(number="1", due_date=date(2026, 12, 10), amount=Money(amount=125000, currency="BRL")),
            DueInstallment(number="2", due_date=date(2027, 1, 10), amount=Money(amount=125000, currency="BRL")),
        ),
    ),
    "invoices.imported": IMPORTED,
    "invoices.quarantined": UploadQuarantined(
        file="incoming/fatura.pdf",
        reason="unknown format: '.pdf' files are not read; upload .csv, .json or .xml",
        report="quarantine/fatura.pdf.report.json",
    ),
}


def note(body: NotificationBody, locale: Locale = "pt-BR") -> Notification:
    return Notification(
        notification_id="n1",
        audience=Audience.CUSTOMER if body.kind == "invoice.issued" else Audience.STAFF,
        account_id="acc-1",
        locale=locale,
        occurred_at=MOMENT,
        body=body,
    )


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", sorted(BODIES))
def test_each_channel_gets_its_own_form(kind: str, locale: Locale) -> None:
    message = render(note(BODIES[kind], locale), time_zone="America/Sao_Paulo")
    assert message.subject.isascii() and len(message.subject) < 100 and "\n" not in message.subject
    assert all(ch in to_gsm(ch) for ch in message.sms) and septets(message.sms) <= SMS_SEPTETS
    assert len(message.email) > len(message.sms)
    assert message.machine["event_type"] == kind


def test_the_back_office_alert_says_what_was_imported_and_rejected_in_each_language() -> None:
    short = IMPORTED.model_copy(update={"file": "incoming/nov.csv"})
    subjects = {locale: render(note(short, locale), time_zone="UTC").subject for locale in LOCALES}
    assert subjects == {  # subjects are ASCII (SNS): "ja", not "já"
        "pt-BR": "1.234 faturas importadas de nov.csv, 10 ja registradas, 1 rejeitada",
        "es": "1.234 facturas importadas de nov.csv, 10 ya registradas, 1 rechazada",
        "en": "1,234 invoices imported from nov.csv, 10 already recorded, 1 rejected",
    }
    email = render(note(short, "en"), time_zone="UTC").email
    assert "(see report)" in email and "Corrected: 4" in email and "processed/2026/recebiveis.csv.report.json" in email


@pytest.mark.parametrize(
    ("counts", "said"),
    [
        # What there is none of is not said, and a clean file sends nobody to the report.
        ({"imported": 1, "corrected": 0, "unchanged": 0, "rejected": 0}, "1 fatura importada de nov.csv."),
        # The same export uploaded again: nothing new, which "0 faturas importadas" said as if the file had failed.
        (
            {"imported": 0, "corrected": 0, "unchanged": 3, "rejected": 4},
            "Nenhuma fatura nova em nov.csv: 3 já registradas, 4 rejeitadas (ver relatório).",
        ),
        ({"imported": 0, "corrected": 0, "unchanged": 0, "rejected": 0}, "Nenhuma fatura em nov.csv."),
        (
            {"imported": 2, "corrected": 0, "unchanged": 0, "rejected": 0, "warnings": 1},
            "2 faturas importadas de nov.csv (ver relatório).",
        ),
        # A go-live book with a status column: its paid rows are not refusals, and nothing sends to the report.
        (
            {"imported": 3, "corrected": 0, "unchanged": 0, "rejected": 0, "settled": 120},
            "3 faturas importadas de nov.csv, 120 parcelas pagas ou canceladas.",
        ),
        (
            {"imported": 0, "corrected": 0, "unchanged": 0, "rejected": 1, "settled": 1},
            "Nenhuma fatura nova em nov.csv: 1 rejeitada, 1 parcela paga ou cancelada (ver relatório).",
        ),
    ],
)
def test_the_alert_says_in_a_line_what_the_upload_did(counts: dict[str, int], said: str) -> None:
    body = IMPORTED.model_copy(update={"file": "incoming/nov.csv", "warnings": 0, **counts})
    email = render(note(body), time_zone="UTC").email
    assert email.splitlines()[0] == said


def test_the_alert_counts_the_paid_rows_apart_in_each_language() -> None:
    body = IMPORTED.model_copy(update={"file": "incoming/nov.csv", "settled": 1_500})
    emails = {locale: render(note(body, locale), time_zone="UTC").email for locale in LOCALES}
    assert {locale: email.splitlines()[0] for locale, email in emails.items()} == {
        "pt-BR": "1.234 faturas importadas de nov.csv, 10 já registradas, 1 rejeitada, 1.500 parcelas pagas ou "
        "canceladas (ver relatório).",
        "es": "1.234 facturas importadas de nov.csv, 10 ya registradas, 1 rechazada, 1.500 cuotas pagadas o "
        "canceladas (ver informe).",
        "en": "1,234 invoices imported from nov.csv, 10 already recorded, 1 rejected, 1,500 installments paid or "
        "cancelled (see report).",
    }
    assert (
        "Parcelas pagas ou canceladas, não registradas: 1.500 (as que o Ponte já cobrava deixam de ser cobradas, "
        "salvo as que o relatório manda registrar no console)\n" in emails["pt-BR"]
    )
    assert "Cuotas pagadas o canceladas, no registradas: 1.500 (las que Ponte ya cobraba dejan" in emails["es"]
    assert "Installments paid or cancelled, not recorded: 1,500 (those Ponte was already collecting" in emails["en"]
    clean = render(note(IMPORTED, "pt-BR"), time_zone="UTC").email
    assert "pagas ou canceladas" not in clean  # no line for what there is none of


def test_the_customer_notice_lists_every_due_date_in_the_customer_format() -> None:
    message = render(note(BODIES["invoice.issued"], "pt-BR"), time_zone="America/Sao_Paulo")
    # The subject asks for what is due first, as the SMS does: not the whole invoice by its first due date.
    assert message.subject == "Fatura 2026-101: R$ 1.250,00 vence em 10/12/2026"
    email = message.email.replace("\xa0", " ")  # Babel puts a no-break space after the currency sign
    assert "- parcela 1: R$ 1.250,00, vencimento 10/12/2026" in email
    assert "- parcela 2: R$ 1.250,00, vencimento 10/01/2027" in email
    assert message.sms == "Fatura 2026-101: R$ 1.250,00 vence em 10/12/2026. Total R$ 2.500,00."
    english = render(note(BODIES["invoice.issued"], "en"), time_zone="UTC")
    assert english.subject == "Invoice 2026-101: R$1,250.00 due 10 Dec 2026"


def test_an_invoice_recorded_after_a_due_date_names_the_next_one_and_says_what_is_already_due() -> None:
    late = note(BODIES["invoice.issued"], "pt-BR").model_copy(
        update={"occurred_at": datetime(2026, 12, 15, 12, 0, tzinfo=UTC)}  # uploaded after the first due date
    )
    message = render(late, time_zone="America/Sao_Paulo")
    assert message.sms == "Fatura 2026-101: R$ 1.250,00 vence em 10/01/2027. Total R$ 2.500,00."
    assert "O que já venceu pode ser pago agora" in message.email

    all_past = late.model_copy(update={"occurred_at": datetime(2027, 1, 20, 12, 0, tzinfo=UTC)})
    # (SMS in GSM-7: "venció" goes as "vencio")
    for locale, words in (("pt-BR", "venceu em 10/01/2027"), ("es", "vencio el 10 ene 2027"), ("en", "was due")):
        said = render(all_past.model_copy(update={"locale": locale}), time_zone="America/Sao_Paulo")
        assert words in said.sms.replace("\xa0", " "), said.sms


def test_an_invoice_recorded_before_its_due_dates_says_nothing_of_past_dues() -> None:
    message = render(note(BODIES["invoice.issued"], "pt-BR"), time_zone="America/Sao_Paulo")
    assert "já venceu" not in message.email


def test_an_invoice_whose_installments_bill_less_than_its_total_says_what_is_left_to_pay() -> None:
    # An NF-e of R$ 1.000,00 whose duplicatas bill R$ 600,00: the rest was paid at the sale.
    partly = BODIES["invoice.issued"].model_copy(
        update={
            "total": Money(amount=100000, currency="BRL"),
            "installments": (
                DueInstallment(number="1", due_date=date(2026, 12, 10), amount=Money(amount=60000, currency="BRL")),
            ),
        }
    )
    said = {locale: render(note(partly, locale), time_zone="America/Sao_Paulo") for locale in LOCALES}
    assert "no valor de R$ 1.000,00 (a pagar: R$ 600,00)." in said["pt-BR"].email.replace("\xa0", " ")
    assert said["pt-BR"].sms.replace("\xa0", " ").endswith("Total R$ 1.000,00 (a pagar: R$ 600,00).")
    assert "(por pagar: 600,00 BRL)" in said["es"].email.replace("\xa0", " ")
    assert "(R$600.00 to pay)" in said["en"].email
    whole = render(note(BODIES["invoice.issued"], "pt-BR"), time_zone="America/Sao_Paulo")
    assert "a pagar:" not in whole.email and "a pagar:" not in whole.sms  # installments that bill it all


@pytest.mark.parametrize(
    "url",
    ["https://padaríaestrela.example/p/1", "https://pagar.padaria.example/fatura/ação-0042", "https://p.example/a`b"],
)
def test_a_link_the_sms_would_change_is_left_to_the_e_mail(url: str) -> None:
    # GSM-7 takes accents off: the SMS would send the customer to another page, or another site.
    linked = BODIES["invoice.issued"].model_copy(update={"payment_url": url})
    message = render(note(linked, "pt-BR"), time_zone="America/Sao_Paulo")
    assert "https://" not in message.sms
    assert url in message.email
    plain = BODIES["invoice.issued"].model_copy(update={"payment_url": "https://pagar.padaria.example/0042"})
    assert render(note(plain, "pt-BR"), time_zone="America/Sao_Paulo").sms.endswith(
        "Pague em https://pagar.padaria.example/0042"
    )
