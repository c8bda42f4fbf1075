"""`make demo`: the story of DESIGN.md played on the local stack, with a clock that moves days forward.

Every chapter checks what a person would check (the alert arrived, in the right language, to the right person);
a broken step stops the demo with a non-zero exit.
"""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from infra.local.demo_collections import chapter_collections
from infra.local.demo_delivery import chapter_delivery
from infra.local.demo_invoices import chapter_invoices
from infra.local.demo_payments import SECRETS, chapter_payments
from infra.local.demo_staff import chapter_staff
from infra.local.fake_asaas import API_KEY, FakeAsaas
from infra.local.stack import Delivery, LocalStack

ZONE = ZoneInfo("America/Sao_Paulo")
START = datetime(2026, 11, 2, 9, 0, tzinfo=ZONE)
PARAMETERS = {
    "StaffAlertEmail": "vendas@padaria-estrela.example",
    "StaffAlertEmailTeams": "sales,finance,backoffice,collections",
    "StaffAlertPhone": "+5511999990000",
    # Customer e-mail from the business's own domain (an SES identity; verified at once on the embedded AWS).
    "CustomerEmailSender": "solnascente.example",
}
# The business's identity, as its operator sets it after deploying: it signs every customer notice.
DOCUMENTS = {"BusinessIdentityParameter": (Path(__file__).parent / "business_example.json").read_text()}
QUIET_FUNCTIONS = {"POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"}


class DemoFailed(Exception):
    """A step of the story did not turn out as it should."""


def check(condition: bool, what: str) -> None:
    if not condition:
        raise DemoFailed(what)


class Printer:
    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack

    def chapter(self, title: str) -> None:
        local = self.stack.now.astimezone(ZONE)
        print(f"\n== {title} ".ljust(100, "="))
        print(f"   {local:%a %d/%m/%Y %H:%M} ({ZONE.key})")

    def line(self, text: str) -> None:
        print(f"   {text}")

    def delivery(self, delivery: Delivery) -> None:
        if delivery.subject:
            print(f"     Subject: {delivery.subject}")
        body = delivery.message.strip()
        print(textwrap.indent(body if delivery.protocol in {"email", "sms"} else body[:300], "     | ", lambda _: True))
        print()

    def inboxes(self, topic: str, label: str) -> None:
        for subscriber, messages in self.stack.inbox(topic).items():
            print(f"\n   {label} -> {subscriber}: {len(messages)} message(s)")
            for message in messages:
                self.delivery(message)


def chapter_accounts(stack: LocalStack, out: Printer) -> None:
    """An account change is recorded with its outbox items; the notifier tells sales and the customers."""
    from ponte.adapters.dynamodb import DynamoStore  # noqa: PLC0415
    from ponte.domain.accounts import Contact  # noqa: PLC0415
    from ponte.services.accounts import OpenAccount, open_account  # noqa: PLC0415

    out.chapter("1. New accounts: one write each, then the notifier tells people")
    store = DynamoStore(stack.physical_id("Table"))
    accounts = [
        OpenAccount(
            account_id="padaria-estrela",
            name="Padaria Estrela",
            locale="pt-BR",
            contact=Contact(name="João Silva", email="joao@padaria-estrela.example", phone="+5511988887777"),
            owner="ana",
        ),
        OpenAccount(
            account_id="tienda-sol",
            name="Tienda Sol",
            locale="es",
            contact=Contact(name="Lucía Gómez", email="lucia@tienda-sol.example"),
            owner="diego",
        ),
    ]
    for command in accounts:
        _, created = open_account(store, command, now=stack.now, staff_locale="pt-BR", source="demo")
        check(created, f"{command.account_id} was opened")
        out.line(f"recorded account {command.account_id} ({command.locale}), owner {command.owner}")
    _, again = open_account(store, accounts[0], now=stack.now, staff_locale="pt-BR", source="demo")
    check(not again, "opening an account twice changes nothing")
    out.line("the same opening again: acknowledged, nothing written")
    out.line(f"the notifier delivered the outbox: {stack.settle()} stream batch(es)")

    for command in accounts:
        out.line(f"timeline of {command.account_id}:")
        for entry in store.timeline(command.account_id):
            out.line(f"  {entry.at.astimezone(ZONE):%d/%m %H:%M}  {entry.what}: {entry.why} (from {entry.source})")

    out.inboxes("StaffAlertsTopic", "Staff alerts")
    staff = stack.inbox("StaffAlertsTopic")
    email = staff[f"email:{PARAMETERS['StaffAlertEmail']}"]
    check(
        len(email) == 2 and all(m.subject and m.subject.startswith("Nova conta") for m in email),
        "sales got one alert per new account, in pt-BR",
    )
    check(staff[f"sms:{PARAMETERS['StaffAlertPhone']}"] == [], "SMS subscribers get critical alerts only")

    for command in accounts:
        address = command.contact.email or ""
        mails = stack.mailbox(address)
        print(f"\n   {command.name}'s inbox ({address}): {len(mails)} e-mail(s)")
        for mail in mails:
            print(f"     From: {mail.from_}\n     Subject: {mail.subject}")
            print(textwrap.indent(mail.text.strip(), "     | ", lambda _: True))
        check(len(mails) == 1, f"{command.name} got the welcome e-mail, from the business")
        check("Sol Nascente Comércio de Alimentos Ltda" in mails[0].text, "signed with the business's legal name")
    check(any("¡Hola" in m.text for m in stack.mailbox("lucia@tienda-sol.example")), "welcomed in Spanish")
    texts = stack.sms("+5511988887777")
    check(len(texts) == 1, "the customer with a phone also got an SMS")
    out.line(f"SMS to +5511988887777: {texts[0].text}")

    events = stack.platform_events()
    print(f"   Platform bus: {len(events)} event(s)")
    for event in events:
        out.line(f"  {event['detail-type']}  account={event['detail']['account_id']}  source={event['source']}")
    check(len(events) == 2, "one platform event per new account")


def main() -> int:
    # With metrics disabled (QUIET_FUNCTIONS), Powertools warns that a function had none to publish.
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    print("Ponte demo: template.yaml on an embedded AWS (moto), no Docker, no AWS account.")
    with (
        FakeAsaas() as asaas,
        LocalStack(
            now=START,
            parameters={**PARAMETERS, "AsaasApiBaseUrl": asaas.url},
            webhook_secrets={**SECRETS, "AsaasApiKey": API_KEY},
            documents=DOCUMENTS,
            environment=QUIET_FUNCTIONS,
        ) as stack,
    ):
        out = Printer(stack)
        chapters: list[Callable[[LocalStack, Printer], None]] = [
            chapter_accounts,
            partial(chapter_payments, asaas=asaas),
            chapter_invoices,
            partial(chapter_collections, asaas=asaas),
            chapter_delivery,
            chapter_staff,
        ]
        try:
            for chapter in chapters:
                chapter(stack, out)
            check(not stack.failures, f"no function failed: {stack.failures}")
        except DemoFailed as failure:
            print(f"\nDEMO FAILED: {failure}")
            return 1
    print("\nThe story played to the end.")
    return 0
