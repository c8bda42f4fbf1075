"""What a customer needs to act, in every collection notice: the invoice as they know it (never an internal key),
how to pay it, and what happens next if nothing is paid."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from ponte.domain.bodies.collections import CollectionNotice
from ponte.domain.dunning import InvoiceCharge, PlannedStep
from ponte.domain.money import Money
from ponte.domain.notifications import Audience, Notification
from ponte.domain.policy import StepKind
from ponte.messages import render
from tests.support import T0

ACCESS_KEY = "35180834128745000152550010000474281920007498"


def brl(cents: int) -> Money:
    return Money(amount=cents, currency="BRL")


def overdue_notice(locale: str, *, plan: tuple[PlannedStep, ...]) -> Notification:
    charge = InvoiceCharge(
        invoice_id=f"nfe:{ACCESS_KEY}",
        label="NF-e 47428",
        payment_url="https://invoice.stripe.com/i/acct_1/test_9",
        bank_slip="23790448095616862379336011058009740430000124020",
        installment=1,
        due_date=date(2026, 11, 20),
        days_late=3,
        outstanding=brl(500_00),
        late_fee=brl(10_00),
        interest=brl(50),
        total=brl(500_00),
    )
    body = CollectionNotice(
        kind="customer.overdue_notice",
        customer_name="Padaria Estrela",
        step_id="overdue-1",
        anchor=date(2026, 11, 20),
        invoices=(charge,),
        totals=(brl(500_00),),
        fees_mode="informational",
        fees_to_date=(brl(10_50),),
        plan=plan,
    )
    return Notification.model_validate(
        {
            "notification_id": "n",
            "audience": Audience.CUSTOMER,
            "account_id": "acct-1",
            "locale": locale,
            "occurred_at": T0,
            "body": body,
        }
    )


PLAN = (
    PlannedStep(
        step_id="final-warning", kind=StepKind.FINAL_WARNING, on=date(2026, 12, 4), deadline=date(2026, 12, 10)
    ),
    PlannedStep(step_id="suspend", kind=StepKind.SUSPEND, on=date(2026, 12, 11), deadline=date(2026, 12, 10)),
)
NEXT = {
    "pt-BR": "Se não houver pagamento, em 04/12/2026 enviaremos o aviso final; a suspensão do serviço não ocorrerá "
    "antes de 11/12/2026.",
    "es": "Si no se registra el pago, el 4 dic 2026 enviaremos el aviso final",
    "en": "If no payment arrives, we will send the final notice on",
}


@pytest.mark.parametrize("locale", ["pt-BR", "es", "en"])
def test_a_notice_names_the_invoice_as_the_customer_knows_it_how_to_pay_and_what_comes_next(locale: str) -> None:
    email = render(overdue_notice(locale, plan=PLAN), time_zone="America/Sao_Paulo").email
    assert "NF-e 47428" in email
    assert ACCESS_KEY not in email and "nfe:" not in email  # never the internal key
    assert "https://invoice.stripe.com/i/acct_1/test_9" in email
    assert "23790448095616862379336011058009740430000124020" in email
    assert NEXT[locale].split(" 4 dic 2026")[0].split(" 04/12")[0] in email


def test_the_next_step_sentence_names_the_final_notice_and_the_earliest_suspension() -> None:
    email = render(overdue_notice("pt-BR", plan=PLAN), time_zone="America/Sao_Paulo").email
    assert NEXT["pt-BR"] in email


def test_without_a_plan_or_a_payment_link_nothing_is_invented() -> None:
    note = overdue_notice("pt-BR", plan=())
    body = note.body
    assert isinstance(body, CollectionNotice)
    bare = replace(body.invoices[0], payment_url=None, bank_slip=None)
    note = note.model_copy(update={"body": body.model_copy(update={"invoices": (bare,)})})
    email = render(note, time_zone="America/Sao_Paulo").email
    assert "Como pagar" not in email and "Se não houver pagamento" not in email
