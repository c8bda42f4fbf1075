"""The message catalogue: every notification kind, for each of its reasons and variants, rendered in every locale on
every channel, read as its reader reads it.

Each message is in its reader's language from end to end (no English word in a Portuguese or Spanish message but the
names and what the message quotes as it is; no field name or internal key in any), writes counts and dates as
people do (no `(s)`, no two-digit year), never shows `?` where a character was, fits an SMS in one GSM-7 segment,
and tells what really happened: a reactivation without a payment is not thanked for as one, what is still owed is
stated, and so is the customer's credit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, get_args

import pytest

from ponte.domain.accounts import LOCALES, AccountStatus, HoldKind, StaffHold
from ponte.domain.ledger import Ledger
from ponte.domain.notifications import Audience, Notification, NotificationBody
from ponte.domain.policy import default_policy_text, load_policy
from ponte.messages import RenderedMessage, render
from ponte.messages.catalog import catalog
from ponte.messages.email import customer_email
from ponte.messages.formatting import Formatter
from ponte.messages.reasons import codes, statuses
from ponte.messages.text import SMS_SEPTETS, fit_sms, fit_subject, septets, to_gsm
from ponte.services.collections import change_for, decide
from tests.collections_support import account, applied, invoice, local, payment
from tests.message_cases import CASES, IDENTITY, PROPER_NAMES, TIME_ZONE, Case, brl

if TYPE_CHECKING:
    from ponte.domain.accounts import Locale
    from ponte.domain.changes import AccountChange
    from ponte.domain.money import Money

# Common English words that never belong in a Portuguese or Spanish message (none of them is also a Portuguese or
# Spanish word: "no", "for", "error", "plan", "final", "total", "spam" are left out on purpose, and
# "suspension", which Spanish "suspensión" becomes in an SMS).
ENGLISH = frozenset(
    """
    the of and or your you our we our is are was were has have been be it its this that these those what when why
    with without from to at on by not none please check thank thanks hello dear
    payment payments paid pay invoice invoices account accounts due overdue owner owners step steps day days reason
    unknown given customer customers amount amounts received receipt failed declined card refund refunded status
    subscription cancelled canceled chargeback dispute disputed won lost deadline fine fee fees interest late later
    reminder notice notices warning suspended reactivated active pending sent delivered bounced staff
    team settled exempt exemption promise credit debit bank wallet transfer other code provider source event file
    report rejected imported unchanged corrected opening new open closed changed policy version thresholds currency
    lapsed unpaid ladder resumes fresh withheld flagged never past trialing incomplete paused expired unreachable held
    missing invalid refused duplicate fraud product service general sale process items issuer contact detail
    link welcome owes owed left still charged informational counted collections digest alert escalated acknowledged
    minutes minute hours
    """.split()
)
WORD = re.compile(r"[^\W\d_]+")
# Field names, enumeration values and internal keys: never shown to a person.
FIELD_NAME = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
INTERNAL_KEY = re.compile(r"erp::|\b(?:stripe|asaas|nfe|ubl|erp):|\b(?:in|ch|pi|cus)_[A-Za-z0-9]{4,}|#\d\b")
EVENT_TYPE = re.compile(
    r"\b(?:customer|account|invoice|invoices|payment|refund|chargeback|subscription|collections|alert)\.[a-z_]+\b"
)
# A date with a two-digit year, in any of the orders and separators people write: 01/12/26, 1-12-26, 1 dic 26.
TWO_DIGIT_YEAR = re.compile(
    r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2}\b|"
    r"\b\d{1,2} (?:de )?(?:jan|fev|feb|mar|abr|apr|mai|may|jun|jul|ago|aug|set|sep|sept|out|oct|nov|dez|dic|dec|ene)"
    r"\.? (?:de )?\d{2}\b",
    re.IGNORECASE,
)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# A `?` that ends a question follows a word and ends it; any other stands where a character was lost.
QUESTION = re.compile(r"(?<=[^\W\d_])\?(?=\s|$|[\"')»”])")
URL = re.compile(r"https://\S+")
# What a message says when a payment was received, in each locale's e-mail and SMS (accents as GSM-7 keeps them).
PAYMENT_RECEIVED = re.compile(
    r"recebemos (?:o )?seu pagamento|pagamento recebido|recibimos su pago|pago recibido|received your payment|"
    r"payment received|obrigad[oa]|gracias|thank you",
    re.IGNORECASE,
)
CREDIT_WORD: dict[Locale, str] = {"pt-BR": "crédito", "es": "crédito", "en": "credit"}
# How a reactivation without a payment names its reason to staff.
REACTIVATED_BECAUSE: dict[str, dict[Locale, str]] = {
    "exempt": {"pt-BR": "isen", "es": "exen", "en": "exempt"},
    "staff": {"pt-BR": "equipe", "es": "equipo", "en": "staff"},
    "never_suspend": {"pt-BR": "nunca", "es": "nunca", "en": "never"},
}
CUSTOMER_KINDS = frozenset(
    {
        "customer.welcome",
        "invoice.issued",
        "customer.payment_reminder",
        "customer.overdue_notice",
        "customer.final_warning",
        "customer.suspended",
        "customer.reactivated",
    }
)
PT_ES: tuple[Locale, ...] = ("pt-BR", "es")

# A defect these checks find that cannot be fixed at once is listed here, keyed by (a kind or a case's name, the
# check), with why and the locales it fails in: its cases are strict expected failures, so the fix turns them red
# until the entry goes. None is open.
KNOWN: dict[tuple[str, str], tuple[str, tuple[Locale, ...]]] = {}


def params(cases: tuple[Case, ...] | list[Case], check: str, locales: tuple[Locale, ...] = LOCALES) -> list[object]:
    return [
        pytest.param(case, locale, id=f"{case.name}-{locale}", marks=_marks(case, check, locale))
        for case in cases
        for locale in locales
    ]


def _marks(case: Case, check: str, locale: Locale) -> list[pytest.MarkDecorator]:
    for name in (case.name, case.kind):
        why, where = KNOWN.get((name, check), ("", ()))
        if locale in where:
            return [pytest.mark.xfail(strict=True, reason=why)]
    return []


BY_NAME = {case.name: case for case in CASES}


def rendered(case: Case, locale: Locale) -> RenderedMessage:
    return _rendered(case.name, locale)


@cache
def _rendered(name: str, locale: Locale) -> RenderedMessage:
    return render(BY_NAME[name].notification(locale), time_zone=TIME_ZONE)


def channels(case: Case, locale: Locale) -> dict[str, str]:
    """Every form the reader gets: the subjects, the e-mail (signed as the customer receives it) and the SMS."""
    message = rendered(case, locale)
    forms = {
        "subject": message.utf8_subject,
        "ascii subject": message.subject,
        "e-mail": message.email,
        "sms": message.sms,
    }
    if case.audience is Audience.CUSTOMER:
        forms["signed e-mail"] = customer_email(message.utf8_subject, message.email, IDENTITY, locale).text
    return forms


def without_data(text: str, case: Case) -> str:
    """The text with the names and what it quotes as it is taken out, in every form a channel gives them."""
    for value in sorted({*case.data, *PROPER_NAMES}, key=len, reverse=True):
        for form in {value, to_gsm(value), fit_subject(value)}:
            text = text.replace(form, " ")
    return text


def says(text: str, amount: Money, locale: Locale) -> bool:
    """Whether `text` states `amount` as the locale writes it (in the channel's alphabet)."""
    shown = Formatter(locale, TIME_ZONE).money(amount)
    return any(form in text for form in {shown, to_gsm(shown), fit_subject(shown)})


def test_the_cases_cover_every_kind_and_every_reason() -> None:
    union, _ = get_args(NotificationBody)
    bodies = get_args(union)
    kinds = {kind for body in bodies for kind in get_args(body.model_fields["kind"].annotation)}
    assert {case.kind for case in CASES} == kinds == set(catalog())
    assert len(BY_NAME) == len(CASES), "every case has its own name"
    for body in bodies:
        for field in ("reason", "outcome", "subject", "fees_mode", "status"):
            if field not in body.model_fields:
                continue
            values = get_args(body.model_fields[field].annotation)
            covered = {getattr(case.body, field) for case in CASES if type(case.body) is body}
            assert set(values) - {str, None, type(None)} <= covered, f"{body.__name__}.{field} not all rendered"
    for kind in ("payment.failed", "chargeback.opened"):
        assert set(codes()) <= {case.body.reason for case in CASES if case.kind == kind}
    assert set(statuses()) <= {case.body.status for case in CASES if case.kind == "subscription.changed"}
    assert kinds >= CUSTOMER_KINDS


@pytest.mark.parametrize(("case", "locale"), params(CASES, "words", PT_ES))
def test_no_english_word_in_a_portuguese_or_spanish_message(case: Case, locale: Locale) -> None:
    for channel, text in channels(case, locale).items():
        words = set(WORD.findall(without_data(text, case).lower()))
        assert not words & ENGLISH, f"{channel}: {sorted(words & ENGLISH)} in {text!r}"


@pytest.mark.parametrize(("case", "locale"), params(CASES, "fields"))
def test_no_field_name_or_internal_key(case: Case, locale: Locale) -> None:
    for channel, text in channels(case, locale).items():
        plain = URL.sub(" ", without_data(text, case))
        for pattern in (FIELD_NAME, INTERNAL_KEY, EVENT_TYPE):
            assert not pattern.search(plain), f"{channel}: {pattern.findall(plain)} in {text!r}"


@pytest.mark.parametrize(("case", "locale"), params(CASES, "form"))
def test_counts_dates_and_characters_are_written_as_people_write_them(case: Case, locale: Locale) -> None:
    for channel, text in channels(case, locale).items():
        assert "(s)" not in text, f"{channel}: {text!r}"
        assert not TWO_DIGIT_YEAR.search(text), f"{channel}: {TWO_DIGIT_YEAR.findall(text)} in {text!r}"
        if locale != "en":
            assert not ISO_DATE.search(without_data(text, case)), f"{channel}: an ISO date in {text!r}"
        plain = URL.sub(" ", text)
        assert plain.count("?") == len(QUESTION.findall(plain)), f"{channel}: a character became '?' in {text!r}"


@pytest.mark.parametrize(("case", "locale"), params(CASES, "segment"))
def test_the_sms_is_one_gsm_segment_and_a_customers_is_whole(case: Case, locale: Locale) -> None:
    sms = rendered(case, locale).sms
    assert to_gsm(sms) == sms and septets(sms) <= SMS_SEPTETS
    if case.kind in CUSTOMER_KINDS:
        assert not sms.endswith("..."), f"cut: {sms!r}"


OWING = [case for case in CASES if case.owed or case.credit]
REACTIVATIONS = [case for case in CASES if case.kind.endswith(".reactivated")]


@pytest.mark.parametrize(("case", "locale"), params(OWING, "e-mail"))
def test_the_e_mail_states_what_is_owed_and_the_credit(case: Case, locale: Locale) -> None:
    email = rendered(case, locale).email
    assert all(says(email, amount, locale) for amount in case.owed), f"{case.owed} still owed, unsaid: {email!r}"
    assert all(says(email, amount, locale) for amount in case.credit), f"credit {case.credit} unsaid: {email!r}"
    assert not case.credit or CREDIT_WORD[locale] in email.lower(), f"the credit is not called one: {email!r}"


@pytest.mark.parametrize(
    ("case", "locale"), params([c for c in OWING if c.audience is Audience.CUSTOMER and c.owed], "sms")
)
def test_a_customers_sms_states_what_is_owed(case: Case, locale: Locale) -> None:
    sms = rendered(case, locale).sms
    assert all(says(sms, amount, locale) for amount in case.owed), f"{case.owed} still owed, unsaid: {sms!r}"


@pytest.mark.parametrize(("case", "locale"), params(REACTIVATIONS, "paid"))
def test_only_a_reactivation_by_payment_thanks_for_a_payment(case: Case, locale: Locale) -> None:
    message = rendered(case, locale)
    for text in (message.utf8_subject, message.email, message.sms):
        if case.audience is Audience.CUSTOMER and case.paid and text is not message.utf8_subject:
            assert PAYMENT_RECEIVED.search(text), f"a payment arrived; the message does not say so: {text!r}"
        elif not case.paid:
            assert not PAYMENT_RECEIVED.search(text), f"no payment arrived; the message says one did: {text!r}"


@pytest.mark.parametrize(
    ("case", "locale"),
    params([c for c in REACTIVATIONS if c.audience is Audience.STAFF and c.body.reason in REACTIVATED_BECAUSE], "why"),
)
def test_the_owner_reads_why_an_account_was_reactivated_without_a_payment(case: Case, locale: Locale) -> None:
    message = rendered(case, locale)
    because = REACTIVATED_BECAUSE[case.body.reason][locale]
    assert because in message.email.lower(), f"{case.body.reason}: {message.email!r}"


@pytest.mark.parametrize(
    ("locale", "label"),
    [("pt-BR", "multa e juros já pagos"), ("es", "multa e intereses ya pagados"), ("en", "fees already paid")],
)
def test_fees_partly_paid_are_named_as_fees_and_none_paid_takes_nothing_off(locale: Locale, label: str) -> None:
    case = BY_NAME["customer.overdue_notice/charged-fees"]
    (charge,) = case.body.invoices
    part_paid = replace(charge, fees_paid=brl(1_000), total=brl(102_700))
    notices = {
        paid: case.body.model_copy(update={"invoices": (found,)})
        for paid, found in ((False, charge), (True, part_paid))
    }
    said = {
        paid: render(case.notification(locale).model_copy(update={"body": body}), time_zone=TIME_ZONE).email
        for paid, body in notices.items()
    }
    assert label not in said[False]
    assert label in said[True] and Formatter(locale, TIME_ZONE).money(brl(1_000)) in said[True]


@pytest.mark.parametrize(
    ("name", "locale", "said"),
    [
        ("collections.alert/customer_unreachable-before-its-facts", "pt-BR", "Faturas: nenhuma"),
        ("collections.alert/customer_unreachable-before-its-facts", "es", "Facturas: ninguna"),
        ("account.reactivated/settled-with-credit", "pt-BR", "Em atraso: nada."),
        ("account.reactivated/settled-with-credit", "es", "En mora: nada."),
        # What was not given, in words that agree with a feminine label as with a masculine one
        ("customer.new/nothing-given", "pt-BR", "Fatura: sem informação"),
        ("customer.new/nothing-given", "es", "Factura: sin información"),
        ("subscription.changed/status-None", "pt-BR", "Situação: sem informação"),
        ("account.opened/no-owner", "pt-BR", "Responsável: sem informação"),
    ],
)
def test_nothing_agrees_with_what_there_is_none_of(name: str, locale: Locale, said: str) -> None:
    assert said in rendered(BY_NAME[name], locale).email


ALERTS_NAMING_AN_ACCOUNT = [c for c in CASES if c.kind == "collections.alert" and c.body.account_name]


@pytest.mark.parametrize(("case", "locale"), params(ALERTS_NAMING_AN_ACCOUNT, "subject names the account"))
def test_a_collections_alerts_subject_names_the_account_whole(case: Case, locale: Locale) -> None:
    # An inbox shows the subject: which customer it is about must be there, not cut after a long reason.
    message = rendered(case, locale)
    assert message.utf8_subject.endswith(f": {case.body.account_name}"), message.utf8_subject
    assert not message.subject.endswith("..."), message.subject


@pytest.mark.parametrize(
    ("text", "subject", "sms"),
    [
        ("Padaria D’Ávila – Centro", "Padaria D'Avila - Centro", "Padaria D'Avila - Centro"),
        ("«Straße» — Œuvre…", '"Strasse" - OEuvre...', '"Straße" - OEuvre...'),
        ("¿Dudas? 🍞", "Dudas?", "¿Dudas?"),
    ],
)
def test_a_character_a_channel_lacks_is_spelled_as_people_type_it_never_as_a_question_mark(
    text: str, subject: str, sms: str
) -> None:
    assert (fit_subject(text), fit_sms(text)) == (subject, sms)


# The account's real state: one invoice of R$ 1.500,00 due on 16/11/2026, the default ladder in calendar days, run
# by the collections service to the suspension on 01/12/2026; then what happens on 02/12/2026 at 15:00. Each
# scenario's notices are rendered in every locale and read against the ledger: what it still owes, its credit, and
# whether a payment arrived.
SCENARIO_DUE = date(2026, 11, 16)
SCENARIO_POLICY = load_policy(json.dumps({**json.loads(default_policy_text()), "day_count": "calendar"}))
AFTER = local(date(2026, 12, 2), 15)


def _evaluate(ledger: Ledger, now: datetime, *, immediate_only: bool = False) -> AccountChange | None:
    decision = decide(ledger, now=now, policy=SCENARIO_POLICY, time_zone=TIME_ZONE, holidays=frozenset())
    return change_for(
        ledger, decision, now=now, staff_locale="en", cause=f"test:{now.isoformat()}", immediate_only=immediate_only
    )


def _ladder(ledger: Ledger, first: date, last: date) -> tuple[Ledger, list[Notification]]:
    sent: list[Notification] = []
    day = first
    while day <= last:
        change = _evaluate(ledger, local(day))
        if change is not None:
            ledger = applied(ledger, change)
            sent += change.notifications
        day += timedelta(days=1)
    return ledger, sent


@cache
def _suspended() -> Ledger:
    ledger, _ = _ladder(
        Ledger(account=account(), invoices=(invoice("INV-1", SCENARIO_DUE),)), date(2026, 11, 13), date(2026, 12, 1)
    )
    assert ledger.account.status is AccountStatus.SUSPENDED
    return ledger


def _paid(cents: int) -> Ledger:
    return _suspended().model_copy(update={"payments": (payment("p9", cents, AFTER, "INV-1"),)})


def _account_with(**fields: object) -> Ledger:
    ledger = _suspended()
    return ledger.model_copy(update={"account": ledger.account.model_copy(update=fields)})


EXEMPTION = StaffHold(
    kind=HoldKind.EXEMPTION,
    until=date(2026, 12, 20),
    set_by="u-ana",
    set_by_name="Ana Souza",
    set_at=AFTER,
    reason="cliente em negociação",
)
SCENARIOS: dict[str, Callable[[], Ledger]] = {
    "paid-in-full": lambda: _paid(150_000),
    "paid-all-but-the-tolerance": lambda: _paid(149_500),
    "overpaid": lambda: _paid(160_000),
    "exempted": lambda: _account_with(holds=(EXEMPTION,)),
    "lifted-by-staff": lambda: _account_with(reactivated_at=AFTER),
    "never-to-be-suspended": lambda: _account_with(never_suspend=True),
}
SCENARIO_KNOWN: dict[tuple[str, str], str] = {}


def _scenario_params(check: str) -> list[object]:
    return [
        pytest.param(
            scenario,
            locale,
            id=f"{scenario}-{locale}",
            marks=[pytest.mark.xfail(strict=True, reason=SCENARIO_KNOWN[(scenario, check)])]
            if (scenario, check) in SCENARIO_KNOWN
            else [],
        )
        for scenario in SCENARIOS
        for locale in LOCALES
    ]


@cache
def _scenario(scenario: str) -> tuple[Ledger, tuple[Notification, ...]]:
    ledger = SCENARIOS[scenario]()
    change = _evaluate(ledger, AFTER, immediate_only=True)
    assert change is not None and change.account.status is not AccountStatus.SUSPENDED, scenario
    return ledger, change.notifications


def _state(ledger: Ledger) -> tuple[int, int, bool]:
    """What the ledger says: the principal still owed, the customer's credit, and whether a payment arrived after
    the suspension (in centavos; one invoice, one currency)."""
    billed = sum(record.invoice.total.amount for record in ledger.invoices)
    paid = sum(p.amount.amount for p in ledger.payments)
    return max(billed - paid, 0), max(paid - billed, 0), any(p.received_at >= AFTER for p in ledger.payments)


def _read(scenario: str, locale: Locale, audience: Audience) -> RenderedMessage:
    _, notifications = _scenario(scenario)
    [note] = [n for n in notifications if n.audience is audience]
    return render(note.model_copy(update={"locale": locale}), time_zone=TIME_ZONE)


@pytest.mark.parametrize(("scenario", "locale"), _scenario_params("customer paid"))
def test_the_customer_is_thanked_for_a_payment_only_when_one_arrived(scenario: str, locale: Locale) -> None:
    ledger, _ = _scenario(scenario)
    _, _, paid = _state(ledger)
    message = _read(scenario, locale, Audience.CUSTOMER)
    for text in (message.email, message.sms):
        assert bool(PAYMENT_RECEIVED.search(text)) == paid, f"payment received: {paid}; the message: {text!r}"


@pytest.mark.parametrize(("scenario", "locale"), _scenario_params("customer owes"))
def test_the_customer_reads_what_is_still_owed(scenario: str, locale: Locale) -> None:
    ledger, _ = _scenario(scenario)
    owed, _, _ = _state(ledger)
    email = _read(scenario, locale, Audience.CUSTOMER).email
    if owed:
        assert says(email, brl(owed), locale), f"{owed} centavos still owed, unsaid: {email!r}"
    else:
        assert not re.search(r"ainda há|aún quedan|still owed", email, re.IGNORECASE), email


@pytest.mark.parametrize(("scenario", "locale"), _scenario_params("customer sms owes"))
def test_the_customers_sms_says_what_is_still_owed(scenario: str, locale: Locale) -> None:
    ledger, _ = _scenario(scenario)
    owed, _, _ = _state(ledger)
    sms = _read(scenario, locale, Audience.CUSTOMER).sms
    assert not owed or says(sms, brl(owed), locale), f"{owed} centavos still owed, unsaid: {sms!r}"


@pytest.mark.parametrize(("scenario", "locale"), _scenario_params("customer credit"))
def test_the_customer_reads_their_credit(scenario: str, locale: Locale) -> None:
    ledger, _ = _scenario(scenario)
    _, credit, _ = _state(ledger)
    email = _read(scenario, locale, Audience.CUSTOMER).email
    assert not credit or (says(email, brl(credit), locale) and CREDIT_WORD[locale] in email.lower()), email


@pytest.mark.parametrize(("scenario", "locale"), _scenario_params("owner"))
def test_the_owner_reads_what_is_owed_and_the_credit(scenario: str, locale: Locale) -> None:
    ledger, _ = _scenario(scenario)
    owed, credit, _ = _state(ledger)
    email = _read(scenario, locale, Audience.STAFF).email
    assert not owed or says(email, brl(owed), locale), f"{owed} centavos still owed, unsaid: {email!r}"
    assert not credit or (says(email, brl(credit), locale) and CREDIT_WORD[locale] in email.lower()), email
    assert not PAYMENT_RECEIVED.search(email)
