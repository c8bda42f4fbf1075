import json
from datetime import UTC, date, datetime
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ponte.adapters.publishers import message_attributes, sns_message
from ponte.domain.accounts import LOCALES, Contact
from ponte.domain.bodies.accounts import AccountOpened, CustomerWelcome
from ponte.domain.money import Money
from ponte.domain.notifications import Audience, Notification, NotificationBody, Severity, Team
from ponte.messages import render
from ponte.messages.catalog import catalog
from ponte.messages.formatting import Formatter
from ponte.messages.text import SMS_SEPTETS, fit_sms, fit_subject, septets, to_gsm
from tests.collections_support import COLLECTION_BODIES

MOMENT = datetime(2026, 12, 12, 15, 30, tzinfo=UTC)
BODIES: dict[str, object] = {
    "account.opened": AccountOpened(
        account_name="Padaria São João", contact=Contact(name="João", email="joao@example.com"), owner="ana"
    ),
    "customer.welcome": CustomerWelcome(customer_name="João Conceição"),
}
BODIES.update(COLLECTION_BODIES)


def note(kind: str, locale: str = "pt-BR", **extra: object) -> Notification:
    return Notification.model_validate(
        {
            "notification_id": "n1",
            "audience": Audience.STAFF,
            "account_id": "acc-1",
            "locale": locale,
            "occurred_at": MOMENT,
            "body": BODIES[kind],
            **extra,
        }
    )


def union_kinds() -> set[str]:
    union, _ = get_args(NotificationBody)  # Annotated[A | B | ..., Field(discriminator="kind")]
    return {kind for body in get_args(union) for kind in get_args(body.model_fields["kind"].annotation)}


def test_every_kind_of_notification_has_texts_in_every_locale() -> None:
    assert set(catalog()) == union_kinds()
    assert set(BODIES) <= union_kinds()
    for kind, entry in catalog().items():
        assert set(entry.texts) == set(LOCALES), kind


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", sorted(BODIES))
def test_each_channel_gets_its_own_form(kind: str, locale: str) -> None:
    message = render(note(kind, locale), time_zone="America/Sao_Paulo")
    assert message.subject.isascii() and len(message.subject) < 100 and "\n" not in message.subject
    assert all(ch in to_gsm(ch) for ch in message.sms) and septets(message.sms) <= SMS_SEPTETS
    assert len(message.email) > len(message.sms)
    assert message.machine["event_type"] == kind and message.machine["account_id"] == "acc-1"


def test_staff_alert_reads_naturally_in_portuguese_with_local_time() -> None:
    message = render(note("account.opened"), time_zone="America/Sao_Paulo")
    assert message.subject == "Nova conta: Padaria Sao Joao"
    assert "Padaria São João" in message.email  # e-mail keeps the accents
    assert "12/12/2026 12:30" in message.email  # 15:30 UTC is 12:30 in São Paulo
    assert "Responsável: ana" in message.email


def test_spanish_and_english_texts() -> None:
    assert render(note("customer.welcome", "es"), time_zone="UTC").email.startswith("¡Hola, João Conceição!")
    assert render(note("customer.welcome", "en"), time_zone="UTC").subject == "Welcome, Joao Conceicao"


@pytest.mark.parametrize(
    ("locale", "expected"), [("pt-BR", "R$ 1.234,56"), ("es", "1.234,56 BRL"), ("en", "R$1,234.56")]
)
def test_currency_formats_follow_the_locale(locale: str, expected: str) -> None:
    shown = Formatter(locale, "America/Sao_Paulo").money(Money(amount=123456, currency="BRL"))  # type: ignore[arg-type]
    assert shown.replace("\xa0", " ") == expected


def test_dates_follow_the_locale() -> None:
    day = date(2026, 12, 1)
    assert Formatter("pt-BR", "UTC").date(day) == "01/12/2026"
    assert Formatter("es", "UTC").date(day) == "1 dic 2026"
    assert Formatter("en", "UTC").date(day) == "1 Dec 2026"
    moment = datetime(2026, 12, 1, 18, 5, tzinfo=UTC)
    assert [Formatter(locale, "UTC").moment(moment) for locale in ("pt-BR", "es", "en")] == [
        "01/12/2026 18:05",
        "1 dic 2026, 18:05",
        "1 Dec 2026, 6:05 PM",
    ]


@given(st.text(max_size=400))
def test_any_text_fits_one_gsm_sms(text: str) -> None:
    sms = fit_sms(text)
    assert septets(sms) <= SMS_SEPTETS
    assert to_gsm(sms) == sms


@given(st.text(max_size=300))
def test_any_subject_is_accepted_by_sns(text: str) -> None:
    subject = fit_subject(text)
    assert subject.isascii() and len(subject) < 100 and "\n" not in subject and "\r" not in subject


def test_long_sms_is_cut_at_a_word() -> None:
    sms = fit_sms("palavra " * 40)
    assert sms.endswith("palavra...") and septets(sms) <= SMS_SEPTETS


def test_sns_message_gives_people_text_and_machines_json() -> None:
    message = render(note("account.opened"), time_zone="UTC")
    structure = json.loads(sns_message(message))
    assert structure["email"] == message.email and structure["sms"] == message.sms
    assert json.loads(structure["sqs"])["event_type"] == "account.opened"
    assert structure["default"] == message.sms


def test_attributes_for_filtering_leave_out_empty_values() -> None:
    with_team = note("account.opened", team=Team.SALES, owner="ana", severity=Severity.CRITICAL)
    attributes = message_attributes(with_team)
    assert {k: v["StringValue"] for k, v in attributes.items()} == {
        "event_type": "account.opened",
        "severity": "critical",
        "team": "sales",
        "owner": "ana",
        "account_id": "acc-1",
    }
    assert set(message_attributes(note("account.opened"))) == {"event_type", "severity", "account_id"}


@pytest.mark.parametrize(
    ("text", "subject", "sms"),
    [
        ("Vencido: € 46,20", "Vencido: EUR 46,20", "Vencido: € 46,20"),  # GSM carries the euro; ASCII does not
        ("Due: ₹500", "Due: INR 500", "Due: INR 500"),
        ("Debe 46,20 £", "Debe 46,20 GBP", "Debe 46,20 £"),
        ("Fatura R$ 10,00", "Fatura R$ 10,00", "Fatura R$ 10,00"),
    ],
)
def test_a_currency_sign_a_channel_cannot_carry_becomes_its_code_never_a_question_mark(
    text: str, subject: str, sms: str
) -> None:
    assert fit_subject(text) == subject
    assert fit_sms(text) == sms
