"""What a customer meets reading a notice on a phone: the business's contacts one tap away and written as people
write them, how to pay on every notice that asks for payment (the suspension too), the figures of a subject in the
part an inbox shows, the invoice's subject telling what the SMS tells, and an SMS that, when it must be shortened,
loses whole sentences, never half an amount."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import pytest

from ponte.domain.accounts import LOCALES
from ponte.domain.bodies.collections import CustomerSuspended
from ponte.domain.money import Money
from ponte.domain.notifications import Audience
from ponte.messages import render
from ponte.messages.email import customer_email
from ponte.messages.text import SMS_SEPTETS, fit_sms, septets
from tests.message_cases import CASES, FEES, IDENTITY, PARTLY_PAID, TIME_ZONE, Case, _notice

if TYPE_CHECKING:
    from ponte.domain.accounts import Locale

BOLETO = "23790448095616862379336011058009740430000124020"
CUSTOMER_CASES = [case for case in CASES if case.audience is Audience.CUSTOMER]
# A phone's inbox shows roughly the first 40 to 50 characters of a subject on its line (an estimate for a
# 390-point-wide screen); what the customer must see there, the amount and the date, comes first.
INBOX_SHOWS = 48


def _usd(cents: int) -> Money:
    return Money(amount=cents, currency="USD")


class _Links(HTMLParser):
    """Each link of a page: its address and the text it shows."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._open: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open, self._text = dict(attrs).get("href") or "", []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.links.append((self._open, "".join(self._text)))
            self._open = None


def _links(document: str) -> dict[str, str]:
    parser = _Links()
    parser.feed(document)
    return dict(parser.links)


def _mail(case: Case, locale: Locale) -> tuple[str, str]:
    message = render(case.notification(locale), time_zone=TIME_ZONE)
    mail = customer_email(message.utf8_subject, message.email, IDENTITY, locale)
    return mail.text, mail.html


@pytest.mark.parametrize("locale", LOCALES)
def test_the_business_is_one_tap_away_on_every_notice(locale: Locale) -> None:
    for case in CUSTOMER_CASES:
        text, document = _mail(case, locale)
        links = _links(document)
        assert links.get(f"mailto:{IDENTITY.support_email}") == IDENTITY.support_email, (case.name, links)
        assert links.get("tel:+551130000000") == "+55 11 3000-0000", (case.name, links)
        assert links.get("https://wa.me/5511930000000") == "+55 11 93000-0000", (case.name, links)
        # The text part writes the numbers as the HTML shows them: with the country code, grouped to be read.
        assert "+55 11 3000-0000" in text and "+55 11 93000-0000" in text, text
        assert "+551130000000" not in text + re.sub(r"<[^>]+>", " ", document), case.name


@pytest.mark.parametrize("slip", [BOLETO, "23790.50400 40963.225504 90000.633306 7 98760000015000"])
@pytest.mark.parametrize("locale", LOCALES)
def test_a_boleto_line_is_copied_whole_with_one_tap(locale: Locale, slip: str) -> None:
    """The line as a CSV gives it (digits) or as a provider prints it (grouped)."""
    charge = replace(PARTLY_PAID, bank_slip=slip)
    case = Case("boleto", _notice("customer.overdue_notice", charge, fees_mode="informational"), Audience.CUSTOMER)
    _, document = _mail(case, locale)
    # The digits alone in an element that selects them all at once: a long press on a phone selects a "word", and
    # a copy must give the bank app the 47 digits, nothing before or after.
    element = re.search(rf"<span style=\"([^\"]*)\">{re.escape(slip)}</span>", document)
    assert element is not None, document
    assert "user-select:all" in element[1], element[1]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_suspension_says_how_to_pay(locale: Locale) -> None:
    charge = replace(PARTLY_PAID, bank_slip=BOLETO)
    body = CustomerSuspended(
        customer_name="João Conceição",
        deadline=PARTLY_PAID.due_date,
        invoices=(charge,),
        totals=(charge.total,),
        fees_mode="informational",
        fees_to_date=FEES,
    )
    text, document = _mail(Case("suspended", body, Audience.CUSTOMER), locale)
    assert PARTLY_PAID.payment_url is not None
    assert PARTLY_PAID.payment_url in text and BOLETO in text, text
    assert PARTLY_PAID.payment_url in _links(document), document


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("case", [pytest.param(case, id=case.name) for case in CUSTOMER_CASES])
def test_the_figures_of_a_subject_are_where_a_phones_inbox_shows_them(case: Case, locale: Locale) -> None:
    subject = render(case.notification(locale), time_zone=TIME_ZONE).utf8_subject
    figures = [found.end() for found in re.finditer(r"\d", subject)]
    assert not figures or max(figures) <= INBOX_SHOWS, f"{subject[:INBOX_SHOWS]!r}|{subject[INBOX_SHOWS:]!r}"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("case", [c for c in CUSTOMER_CASES if c.kind == "invoice.issued"], ids=lambda c: c.name)
def test_an_invoices_subject_names_what_its_sms_names(case: Case, locale: Locale) -> None:
    """An invoice in installments: the subject asks for what the SMS asks for, the next installment by its date,
    never the whole invoice by the date of its last installment."""
    message = render(case.notification(locale), time_zone=TIME_ZONE)
    figures = re.compile(r"\d[\d.,/]*\d|\d")
    headline = message.sms.rsplit(". Total", 1)[0]
    asked = figures.findall(headline.split(":", 1)[1])
    assert asked and figures.findall(message.utf8_subject.split(":", 1)[1]) == asked, (message.utf8_subject, headline)


@pytest.mark.parametrize("locale", LOCALES)
def test_an_sms_that_must_be_shortened_loses_whole_sentences(locale: Locale) -> None:
    """A final warning over invoices in two currencies, with the fine and interest to come later: the deadline and
    what to pay are whole, and the fees are either told whole or not at all."""
    usd = replace(
        PARTLY_PAID,
        invoice_id="erp::invoice:0043",
        label="NF 0043",
        outstanding=_usd(20_000),
        late_fee=_usd(400),
        interest=_usd(100),
        total=_usd(20_000),
    )
    body = _notice("customer.final_warning", PARTLY_PAID, fees_mode="informational", deadline=PARTLY_PAID.due_date)
    body = body.model_copy(
        update={
            "invoices": (PARTLY_PAID, usd),
            "totals": (PARTLY_PAID.total, usd.total),
            "fees_to_date": (*FEES, _usd(500)),
        }
    )
    sms = render(Case("two-currencies", body, Audience.CUSTOMER).notification(locale), time_zone=TIME_ZONE).sms
    assert septets(sms) <= SMS_SEPTETS
    assert not sms.endswith("..."), sms
    assert sms.count("(") == sms.count(")"), sms


def test_a_cut_falls_between_sentences_when_the_first_fits() -> None:
    first = "Ultimo aviso: pague R$ 1.000,00 + US$ 200,00 ate 30/11/2026 para evitar a suspensao do servico."
    second = " Multa e juros (R$ 37,00 + US$ 5,00 + EUR 3,00) virao em proxima fatura."
    assert septets(first + second) > SMS_SEPTETS
    assert fit_sms(first + second) == first
    # A first sentence longer than a segment is still cut at a word.
    long = "Lembrete: " + " + ".join(["R$ 1.000,00"] * 14) + " vence em 16/11/2026."
    assert fit_sms(long).endswith("...") and septets(fit_sms(long)) <= SMS_SEPTETS
