"""An account opened by an upload is reached at the customer's e-mail and phone, in the customer's language; a
contact detail that cannot be used is left out with a warning in the report, and the invoice is still recorded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from ponte.domain.accounts import Account, Contact
from ponte.domain.identity import new_account_id
from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Party, SourceFormat
from ponte.domain.money import Money
from ponte.invoices import ParsedInvoice, ParseOptions
from ponte.services import uploads
from tests.unit.test_uploads_service import World

ANA = new_account_id([("tax_id", "12345678909")])
HEADER = "Número;Cliente;CPF;E-mail;Celular;Idioma;Valor;Vencimento\n"


def account(world: World, account_id: str = ANA) -> Account:
    return world.store.ledgers[account_id].account


def report(world: World, name: str) -> Any:
    return world.objects.report(f"processed/{name}.report.json")


def test_the_new_account_gets_the_customers_e_mail_phone_and_language() -> None:
    world = World()
    world.upload(
        "incoming/ana.csv",
        (HEADER + "1;Ana Lima;123.456.789-09;ana@example.com;(11) 98765-4321;es;10,00;10/12/2026\n").encode(),
    )
    opened = account(world)
    assert opened.contact == Contact(name="Ana Lima", email="ana@example.com", phone="+5511987654321")
    assert opened.locale == "es"


def test_without_a_language_the_account_speaks_the_business_default() -> None:
    world = World()
    world.settings = replace(world.settings, customer_locale="en")
    world.upload("incoming/ana.csv", (HEADER + "1;Ana Lima;123.456.789-09;;;;10,00;10/12/2026\n").encode())
    assert (account(world).locale, account(world).contact) == ("en", Contact(name="Ana Lima"))


def test_a_phone_in_the_business_country_is_read_as_one_of_its_numbers() -> None:
    world = World()
    world.settings = replace(world.settings, parse_options=ParseOptions(default_country="PT"))
    world.upload("incoming/ana.csv", (HEADER + "1;Ana Lima;123.456.789-09;;912 345 678;;10,00;10/12/2026\n").encode())
    assert account(world).contact.phone == "+351912345678"


def test_a_bad_phone_and_e_mail_are_left_out_with_warnings_and_the_invoice_recorded() -> None:
    world = World()
    outcome = world.upload(
        "incoming/ana.csv", (HEADER + "1;Ana Lima;123.456.789-09;ana(at)example;9876-5432;;10,00;10/12/2026\n").encode()
    )
    assert (outcome.counts.created, outcome.counts.accounts_opened, outcome.rejected) == (1, 1, 0)
    assert account(world).contact == Contact(name="Ana Lima")
    written = report(world, "ana.csv")
    assert written["rejected"] == []
    assert written["warnings"] == [
        {
            "line": 2,
            "message": "Celular não pôde ser lido e ficou de fora",
            "code": "phone_left_out",
            "reason": "customer mobile left out: no area code (DDD): a Brazilian number has one before its 8 "
            "or 9 digits",
        },
        {
            "line": 2,
            "message": "O e-mail do cliente ficou de fora: não é um endereço de e-mail",
            "code": "email_left_out",
            "reason": "customer e-mail left out: not an e-mail address",
        },
    ]
    assert "9876-5432" not in str(written) and "ana(at)example" not in str(written)


def test_a_detail_the_account_refuses_is_left_out_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    # A parser whose rules drifted from the account's: its party carries what no Contact takes.
    drifted = Party.model_construct(
        name="Ana Lima", tax_id="12345678909", email="ana@", phone="98765-4321", locale="es"
    )
    invoice = Invoice(
        key="erp::invoice:1",
        number="1",
        kind=InvoiceKind.INVOICE,
        issue_date=None,
        currency="BRL",
        total=Money(amount=1000, currency="BRL"),
        installments=(Installment(number="1", due_date=date(2026, 12, 10), amount=Money(amount=1000, currency="BRL")),),
        customer=Party(name="Ana Lima", tax_id="12345678909"),
        source=SourceFormat.CSV,
    ).model_copy(update={"customer": drifted})

    def parse_upload(name: str, stream: Any, options: ParseOptions) -> Iterator[ParsedInvoice]:
        yield ParsedInvoice(line=2, invoice=invoice)

    monkeypatch.setattr(uploads, "parse_upload", parse_upload)
    world = World()
    outcome = world.upload("incoming/ana.csv", b"anything;at;all\n")
    assert (outcome.status, outcome.counts.created) == ("imported", 1)
    assert (account(world).contact, account(world).locale) == (Contact(name="Ana Lima"), "es")
    assert [w["reason"].split(":")[0] for w in report(world, "ana.csv")["warnings"]] == [
        "customer e-mail not kept on the new account",
        "customer phone not kept on the new account",
    ]


def test_an_existing_account_keeps_its_contact() -> None:
    world = World()
    world.upload("incoming/a.csv", (HEADER + "1;Ana Lima;123.456.789-09;;(11) 98765-4321;;10,00;10/12/2026\n").encode())
    again = world.upload(
        "incoming/b.csv", (HEADER + "1;Ana Lima;123.456.789-09;;(11) 91111-2222;en;10,00;10/12/2026\n").encode()
    )
    # The same invoice with another phone is not a correction: how to reach the customer is not what is owed.
    assert (again.counts.unchanged, again.counts.corrected) == (1, 0)
    assert (account(world).contact.phone, account(world).locale) == ("+5511987654321", "pt-BR")
