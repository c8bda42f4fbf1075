"""What people read: the customer's notices name the amount and the deadline, the owner gets the decision record."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ponte.domain.accounts import LOCALES
from ponte.domain.notifications import Audience, Notification
from ponte.messages import render
from ponte.messages.text import SMS_SEPTETS, septets
from tests.collections_support import COLLECTION_BODIES

MOMENT = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)


def rendered(kind: str, locale: str = "pt-BR"):
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
    assert english.subject == "Final notice: pay R$1,265.42 by 11/30/26 to avoid suspension"


def test_the_owner_reads_why_the_account_was_suspended_and_how_to_reactivate_it() -> None:
    email = plain(rendered("account.suspended", "en").email)
    for expected in (
        "Why: step 'suspend' of policy version 1",
        "Deadline named to the customer: 11/30/26",
        "NF-2026-0042: R$1,234.56 (due 11/16/26, 15 days late; fine R$24.69, interest R$6.17; = R$1,265.42)",
        "overdue-1 (email)",
        "final-warning (sms), deadline 11/30/26",
        "R$100.00 (counted R$100.00), asaas:pay_1",
        "How to reactivate",
    ):
        assert expected in email


def test_the_platform_event_carries_the_decision_record_as_data() -> None:
    machine = rendered("account.suspended").machine
    assert machine["event_type"] == "account.suspended"
    assert machine["data"]["record"]["deadline"] == "2026-11-30"
    assert machine["data"]["record"]["invoices"][0]["total"] == {"amount": 126_542, "currency": "BRL"}
