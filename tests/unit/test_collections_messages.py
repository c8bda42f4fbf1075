"""What people read: the customer's notices name the amount and the deadline, the owner gets the decision record."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import cast

import pytest

from ponte.domain.accounts import LOCALES, Locale
from ponte.domain.bodies.collections import (
    AccountReactivated,
    AccountSuspended,
    CollectionNotice,
    CollectionsHandOff,
    CustomerReactivated,
    CustomerSuspended,
)
from ponte.domain.dunning import SentNotice, SuspensionRecord
from ponte.domain.ledger import Ledger
from ponte.domain.money import Money
from ponte.domain.notifications import Audience, Notification
from ponte.domain.policy import Policy, StepKind, default_policy_text, load_policy
from ponte.messages import render
from ponte.messages.formatting import Formatter
from ponte.messages.render import RenderedMessage
from ponte.messages.text import SMS_SEPTETS, septets
from ponte.messages.texts.collections import _notices
from ponte.services.collections import change_for, decide
from tests.collections_support import COLLECTION_BODIES, TZ, account, applied, invoice, local, payment

MOMENT = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)


def rendered(kind: str, locale: str = "pt-BR") -> RenderedMessage:
    note = Notification.model_validate(
        {
            "notification_id": "n1",
            "audience": Audience.CUSTOMER if kind.startswith("customer.") else Audience.STAFF,
            "account_id": "padaria",
            "locale": locale,
            "occurred_at": MOMENT,
            "body": COLLECTION_BODIES[kind],
        }
    )
    return render(note, time_zone="America/Sao_Paulo")


def plain(text: str) -> str:
    return text.replace("\xa0", " ")  # Babel puts a no-break space between symbol and amount


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", sorted(COLLECTION_BODIES))
def test_every_collections_message_fits_its_channels(kind: str, locale: str) -> None:
    message = rendered(kind, locale)
    assert message.subject.isascii() and len(message.subject) < 100
    assert septets(message.sms) <= SMS_SEPTETS and not message.sms.endswith("...")


def test_the_final_warning_names_the_amount_the_deadline_and_the_consequence() -> None:
    message = rendered("customer.final_warning")
    assert message.sms == "Ultimo aviso: pague R$ 1.265,42 ate 30/11/2026 para evitar a suspensao do servico."
    assert "NF-2026-0042: R$ 1.234,56 (vencimento 16/11/2026, 15 dias de atraso; multa R$ 24,69" in plain(message.email)
    english = rendered("customer.final_warning", "en")
    assert english.subject == "Final notice: pay R$1,265.42 by 30 Nov 2026 to avoid suspension"


def test_the_owner_reads_why_the_account_was_suspended_and_how_to_reactivate_it() -> None:
    email = plain(rendered("account.suspended", "en").email)
    for expected in (
        "Why: under the collections policy (version 1), an account is suspended when the deadline",
        "Deadline named to the customer: 30 Nov 2026",
        "NF-2026-0042: R$1,234.56 (due 16 Nov 2026, 15 days late; fine R$24.69, interest R$6.17; = R$1,265.42)",
        "overdue notice (e-mail)",
        "final notice (SMS), deadline 30 Nov 2026",
        "R$100.00 (counted R$100.00), Asaas, payment pay_1",
        "How to reactivate",
    ):
        assert expected in email


def test_the_platform_event_carries_the_decision_record_as_data() -> None:
    machine = rendered("account.suspended").machine
    assert machine["event_type"] == "account.suspended"
    assert machine["data"]["record"]["deadline"] == "2026-11-30"
    assert machine["data"]["record"]["invoices"][0]["total"] == {"amount": 126_542, "currency": "BRL"}


# Fees are truthful: the same story (R$ 1.500,00 due on 16/11/2026, never paid, then overpaid) told under an
# informational policy and under one that charges the fine and interest.

DUE = date(2026, 11, 16)
FEES_LATER = {"pt-BR": "próxima fatura", "es": "próxima factura", "en": "later invoice"}
FEES_LATER_SMS = {"pt-BR": "proxima fatura", "es": "proxima factura", "en": "later invoice"}
WITH_FEES = {"pt-BR": "com multa e juros", "es": "con multa e intereses", "en": "with fine and interest"}
STORY_KINDS = (
    "customer.overdue_notice",
    "customer.final_warning",
    "customer.suspended",
    "account.suspended",
    "collections.hand_off",
)


def policy_in(mode: str) -> Policy:
    document = json.loads(default_policy_text())
    document["fees"]["mode"] = mode
    return load_policy(json.dumps({**document, "day_count": "calendar"}))


def story(mode: str) -> dict[str, Notification]:
    """The last notification of each kind over 45 days of daily sweeps, then an overpayment the day after."""
    rules = policy_in(mode)
    current = Ledger(account=account(), invoices=(invoice("INV-1", DUE),))
    latest: dict[str, Notification] = {}
    day = date(2026, 11, 13)
    for _ in range(45):
        now = local(day, 9)
        decision = decide(current, now=now, policy=rules, time_zone=TZ, holidays=frozenset())
        change = change_for(current, decision, now=now, staff_locale="pt-BR", cause=f"sweep:{day}")
        if change is not None:
            current = applied(current, change)
            latest.update({n.event_type: n for n in change.notifications if n.audience is not Audience.PLATFORM})
        day += timedelta(days=1)
    paid = current.model_copy(update={"payments": (payment("p1", 200_000, local(day, 10), "INV-1"),)})
    decision = decide(paid, now=local(day, 10), policy=rules, time_zone=TZ, holidays=frozenset())
    change = change_for(paid, decision, now=local(day, 10), staff_locale="pt-BR", cause="payment:p1")
    assert change is not None
    latest.update({n.event_type: n for n in change.notifications if n.audience is Audience.STAFF})
    return latest


STORIES = {mode: story(mode) for mode in ("informational", "charged")}


def told(mode: str, kind: str, locale: str) -> str:
    """The whole message, subject, e-mail and SMS, as one text."""
    message = render(STORIES[mode][kind].model_copy(update={"locale": locale}), time_zone=TZ)
    return plain(f"{message.subject}\n{message.email}\n{message.sms}")


def quoted(mode: str, kind: str, locale: str) -> tuple[str, str, str]:
    """The principal, the fine and interest, and their sum, as the message's locale writes them."""
    body = STORIES[mode][kind].body
    record = body.record if isinstance(body, AccountSuspended) else body
    assert isinstance(record, CollectionNotice | CustomerSuspended | CollectionsHandOff | SuspensionRecord)
    principal = sum(c.outstanding.amount for c in record.invoices)
    fees = sum(c.late_fee.amount + c.interest.amount for c in record.invoices)
    fmt = Formatter(locale, TZ)  # type: ignore[arg-type]

    def written(amount: int) -> str:
        return plain(fmt.money(Money(amount=amount, currency="BRL")))

    return written(principal), written(fees), written(principal + fees)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", STORY_KINDS)
def test_informational_notices_ask_for_the_principal_and_say_the_fees_come_on_a_later_invoice(
    kind: str, locale: str
) -> None:
    principal, fees, with_fees = quoted("informational", kind, locale)
    text = told("informational", kind, locale)

    assert principal in text
    assert fees in text and FEES_LATER[locale] in text and FEES_LATER_SMS[locale] in text
    assert with_fees not in text  # a total with fees is never quoted, let alone as what to pay
    assert WITH_FEES[locale] not in text.lower()


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", STORY_KINDS)
def test_charged_notices_ask_for_the_total_with_fine_and_interest(kind: str, locale: str) -> None:
    principal, _, with_fees = quoted("charged", kind, locale)
    message = render(STORIES["charged"][kind].model_copy(update={"locale": locale}), time_zone=TZ)

    assert with_fees != principal
    assert with_fees in plain(message.email) and with_fees in plain(message.sms)
    assert FEES_LATER[locale] not in message.email and FEES_LATER_SMS[locale] not in message.sms


@pytest.mark.parametrize("locale", LOCALES)
def test_the_final_warning_sms_names_what_to_pay_in_each_mode(locale: str) -> None:
    informational = render(STORIES["informational"]["customer.final_warning"], time_zone=TZ).sms
    charged = render(STORIES["charged"]["customer.final_warning"], time_zone=TZ).sms

    assert informational == (
        "Ultimo aviso: pague R$ 1.500,00 ate 30/11/2026 para evitar a suspensao do servico. "
        "Multa e juros (R$ 35,00) virao em proxima fatura."
    )
    assert charged == "Ultimo aviso: pague R$ 1.535,00 ate 30/11/2026 para evitar a suspensao do servico."
    for mode in STORIES:
        message = render(STORIES[mode]["customer.final_warning"].model_copy(update={"locale": locale}), time_zone=TZ)
        assert septets(message.sms) <= SMS_SEPTETS and not message.sms.endswith("...")


@pytest.mark.parametrize("mode", ["informational", "charged"])
@pytest.mark.parametrize("locale", LOCALES)
def test_staff_see_the_customers_credit_when_the_account_is_reactivated(mode: str, locale: str) -> None:
    note = STORIES[mode]["account.reactivated"]
    body = note.body
    assert isinstance(body, AccountReactivated) and body.credit
    (credit,) = body.credit
    message = render(note.model_copy(update={"locale": locale}), time_zone=TZ)

    assert plain(Formatter(locale, TZ).money(credit)) in plain(message.email)  # type: ignore[arg-type]
    assert {"pt-BR": "Crédito", "es": "Crédito", "en": "credit"}[locale] in message.email
    assert septets(message.sms) <= SMS_SEPTETS


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("pt-BR", "aviso final (SMS: enviado)"),
        ("es", "aviso final (correo: rebotado)"),
        ("en", "final notice (e-mail: bounced)"),
    ],
)
def test_the_decision_record_says_what_each_notice_came_to(locale: str, expected: str) -> None:
    at = datetime(2026, 11, 26, 11, tzinfo=UTC)
    sent = {"sent_at": at, "notice_id": "n1", "step_kind": StepKind.FINAL_WARNING}
    notices = (
        SentNotice(step_id="final-warning", channel="email", outcome="bounced", **sent),
        SentNotice(step_id="final-warning", channel="sms", outcome="accepted", **sent),
    )
    lines = _notices(notices, Formatter(cast("Locale", locale), "America/Sao_Paulo"))
    assert expected in lines
    assert "final-warning" not in lines  # the policy's step id is not what the owner reads


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", sorted(COLLECTION_BODIES))
def test_no_message_hedges_a_plural(kind: str, locale: str) -> None:
    message = rendered(kind, locale)
    for text in (message.subject, message.email, message.sms):
        assert "(s)" not in text and "(es)" not in text


@pytest.mark.parametrize(
    ("locale", "one", "many"),
    [
        ("pt-BR", "1 dia de atraso", "15 dias de atraso"),
        ("es", "1 día de atraso", "15 días de atraso"),
        ("en", "1 day late", "15 days late"),
    ],
)
def test_days_late_agree_with_their_number(locale: str, one: str, many: str) -> None:
    forms = Formatter(locale, "UTC")  # type: ignore[arg-type]
    from ponte.messages.texts.collections import _counted

    assert (_counted("late", 1, forms), _counted("late", 15, forms)) == (one, many)
    assert forms.count(1234, {"one": "{n} x", "other": "{n} xs"}) in {"1.234 xs", "1,234 xs"}


@pytest.mark.parametrize("locale", LOCALES)
def test_a_reactivation_without_payment_never_thanks_the_customer_for_one(locale: str) -> None:
    paid_words = {"pt-BR": "pagamento", "es": "pago", "en": "payment"}[locale]
    for reason in ("never_suspend", "exempt", "staff", "promise"):
        body = CustomerReactivated(
            customer_name="Ana", reason=reason, remaining=(Money(amount=50_000, currency="BRL"),)
        )
        message = render(
            Notification(
                notification_id="n",
                audience=Audience.CUSTOMER,
                account_id="acc",
                locale=locale,
                occurred_at=datetime(2026, 12, 1, 12, tzinfo=UTC),
                body=body,
            ),
            time_zone="America/Sao_Paulo",
        )
        assert paid_words not in message.sms.lower()
        assert "500" in message.email  # what is still owed is said
    settled = CustomerReactivated(customer_name="Ana")
    paid = render(
        Notification(
            notification_id="n",
            audience=Audience.CUSTOMER,
            account_id="acc",
            locale=locale,
            occurred_at=datetime(2026, 12, 1, 12, tzinfo=UTC),
            body=settled,
        ),
        time_zone="America/Sao_Paulo",
    )
    assert paid_words in paid.sms.lower()


@pytest.mark.parametrize("locale", LOCALES)
def test_the_owner_reads_the_rule_in_their_language_without_field_names(locale: str) -> None:
    email = rendered("account.suspended", locale).email
    for internal in ("never_suspend", "promise_to_pay_until", "step 'suspend'", "policy version"):
        assert internal not in email


@pytest.mark.parametrize(
    ("reference", "told"),
    [
        ("offline:v7", "recorded by staff"),
        ("offline:v5~acct-stripe-9", "recorded by staff"),  # came over in a merge, beside the survivor's own v5
        ("offline:TED 4471", "recorded by staff, reference TED 4471"),
        ("offline:TED 4471~acct-stripe-9", "recorded by staff, reference TED 4471"),
    ],
)
def test_a_payment_staff_recorded_is_told_as_theirs_with_the_reference_they_typed(reference: str, told: str) -> None:
    suspended = COLLECTION_BODIES["account.suspended"]
    assert isinstance(suspended, AccountSuspended) and suspended.payments
    seen = suspended.payments[0].model_copy(update={"reference": reference})
    body = suspended.model_copy(update={"payments": (seen,)})
    note = Notification(
        notification_id="n1",
        audience=Audience.STAFF,
        account_id="padaria",
        locale="en",
        occurred_at=MOMENT,
        body=body,
    )
    email = plain(render(note, time_zone="America/Sao_Paulo").email)
    assert f"), {told}\n" in email + "\n" and "~" not in email and "offline" not in email
