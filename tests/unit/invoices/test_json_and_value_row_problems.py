"""What a refused JSON invoice, a broken rule of an invoice and a value a file writes wrongly tell the report: the
code and the facts of the sentence the business owner reads in their language, besides the English reason."""

import io
import json
from collections.abc import Callable, Mapping
from datetime import date

import pytest
from pydantic import ValidationError

from ponte.domain.invoices import Installment, InvoiceKind
from ponte.domain.money import Money
from ponte.invoices import ParsedInvoice, ParseOptions, Rejection
from ponte.invoices.json_format import parse
from ponte.invoices.results import Problem, RowRefused, problem_from
from ponte.invoices.values import (
    bank_slip_digits,
    customer_party,
    https_url,
    known_currency,
    nfe_access_key,
    parse_amount,
    parse_date,
)
from ponte.messages.texts.rows import ROWS, row_message
from tests.unit.invoices.test_invoice_domain import invoice

SINGLE = {"number": "7", "total": "100.00", "due_date": "2024-04-01", "customer": {"name": "Ana", "tax_id": "1"}}


def refused(document: object) -> Problem:
    (result,) = parse(io.BytesIO(json.dumps([document]).encode()), options=ParseOptions())
    assert isinstance(result, Rejection)
    return result.problem


def warned(customer: Mapping[str, str]) -> tuple[Problem, ...]:
    (result,) = parse(io.BytesIO(json.dumps({**SINGLE, "customer": customer}).encode()), options=ParseOptions())
    assert isinstance(result, ParsedInvoice)
    return result.warnings


def in_portuguese(found: Problem) -> str:
    """The sentence a business owner in São Paulo reads: never the general one."""
    sentence = row_message(found.code, found.facts, "pt-BR")
    assert sentence != ROWS["pt-BR"]["unreadable"]
    return sentence


def brl(cents: int, currency: str = "BRL") -> Money:
    return Money(amount=cents, currency=currency)


def invoice_refused(**changes: object) -> Problem:
    with pytest.raises(ValidationError) as refusal:
        invoice(**changes)
    return problem_from(refusal.value)


# --- JSON documents ---


def test_an_item_that_is_not_an_object() -> None:
    found = refused("not an object")
    assert (found.code, found.facts, found.reason) == ("not_object", {}, "an invoice must be a JSON object")
    assert in_portuguese(found) == "Cada fatura deve ser um objeto JSON"


def test_a_credit_note_with_a_due_date() -> None:
    found = refused({**SINGLE, "kind": "credit_note"})
    assert (found.code, found.reason) == ("credit_note_due", "a credit note has no due date or installments")
    assert in_portuguese(found) == "Uma nota de crédito não tem vencimento nem parcelas"


@pytest.mark.parametrize(
    "document",
    [
        {**SINGLE, "due_date": None},
        {**SINGLE, "installments": [{"number": "1", "due_date": "2024-04-01", "amount": "100.00"}]},
    ],
)
def test_an_invoice_gives_either_a_due_date_or_installments(document: dict[str, object]) -> None:
    found = refused(document)
    assert (found.code, found.reason) == ("due_or_installments", "an invoice gives either due_date or installments")
    assert in_portuguese(found) == "Informe o vencimento ou as parcelas: um dos dois"


def test_installments_that_do_not_add_up_to_the_total() -> None:
    found = refused(
        {
            **SINGLE,
            "due_date": None,
            "installments": [
                {"number": "1", "due_date": "2024-04-01", "amount": "40.00"},
                {"number": "2", "due_date": "2024-05-01", "amount": "50.00"},
            ],
        }
    )
    assert found.code == "installments_sum"
    assert found.facts == {"number": "7", "billed": "90.00", "total": "100.00", "currency": "BRL"}
    assert found.reason == "installments of invoice 7 add up to 90.00 BRL, not 100.00 BRL"
    sentence = in_portuguese(found).replace("\xa0", " ")
    assert sentence == "As parcelas da fatura 7 somam R$ 90,00, e não o total de R$ 100,00"


def test_a_repeated_installment_number() -> None:
    found = refused(
        {
            **SINGLE,
            "due_date": None,
            "installments": [
                {"number": "1", "due_date": "2024-04-01", "amount": "50.00"},
                {"number": "1", "due_date": "2024-05-01", "amount": "50.00"},
            ],
        }
    )
    assert (found.code, found.facts) == ("repeated_installment", {"number": "7"})
    assert found.reason == "invoice 7 repeats an installment number"
    assert in_portuguese(found) == "A fatura 7 repete um número de parcela"


def test_a_customer_with_nothing_to_identify_them() -> None:
    found = refused({**SINGLE, "customer": {"email": "ana@example.com"}})
    assert (found.code, found.facts) == ("party_unidentified", {})
    assert found.reason == "a party needs a name, a tax id or a reference"
    assert "informe o nome, o CNPJ/CPF ou o código do cliente" in in_portuguese(found)


@pytest.mark.parametrize(
    ("field", "written", "code"),
    [
        ("currency", "XYZ", "unknown_currency"),
        ("payment_url", "https://", "not_https"),
        ("bank_slip", "NN-123A", "not_bank_slip"),
        ("access_key", "3521 0258 7165 2300 0119 5500 0000 0573 6613 4631 784", "access_key_length"),
        ("access_key", "35210258716523000119550000000573661346317848", "access_key_digit"),
    ],
)
def test_a_value_the_document_writes_wrongly_is_named(field: str, written: str, code: str) -> None:
    found = refused({**SINGLE, field: written})
    assert (found.code, found.facts) == (code, {"value": written})
    assert f"“{written}”" in in_portuguese(found)


def test_a_customer_known_by_name_only_is_a_warning() -> None:
    (found,) = warned({"name": "Ana"})
    assert (found.code, found.facts, found.reason) == ("name_only", {}, "customer identified by name only")
    assert in_portuguese(found).startswith("Cliente identificado só pelo nome")


def test_a_contact_left_out_is_a_warning_that_names_it() -> None:
    phone, language, email = warned(
        {"name": "Ana", "tax_id": "52998224725", "phone": "123", "locale": "fr-FR", "email": "x@"}
    )
    assert (phone.code, phone.facts) == ("phone_left_out", {"field": "phone"})
    assert phone.reason.startswith("customer phone left out: ")
    assert in_portuguese(phone) == "Telefone não pôde ser lido e ficou de fora"
    assert (language.code, language.facts) == ("language_left_out", {"value": "fr-FR"})
    assert language.reason == "customer language 'fr-FR' left out: Ponte writes pt-BR, es or en"
    assert "“fr-FR”" in in_portuguese(language)
    assert (email.code, email.facts) == ("email_left_out", {})
    assert email.reason == "customer e-mail left out: not an e-mail address"
    assert in_portuguese(email).startswith("O e-mail do cliente ficou de fora")


def test_a_mobile_left_out_is_named_as_the_document_labels_it() -> None:
    _, (found,) = customer_party(name="Ana", tax_id="52998224725", phones=(("mobile", "9876"),), country="BR")
    assert (found.code, found.facts) == ("phone_left_out", {"field": "mobile"})
    assert in_portuguese(found) == "Celular não pôde ser lido e ficou de fora"


# --- the invoice's own rules ---


def test_an_installment_for_nothing() -> None:
    nothing = {"number": "1", "due_date": "2024-04-10", "amount": {"amount": 0, "currency": "BRL"}}
    found = invoice_refused(installments=(nothing,))
    assert (found.code, found.facts) == ("installment_not_positive", {"field": "amount"})
    assert found.reason == "installments.0.amount: an installment must be positive, got 0.00 BRL"
    assert in_portuguese(found) == "Uma parcela deve ter valor maior que zero"


def test_an_amount_in_another_currency() -> None:
    usd = Installment(number="1", due_date=date(2024, 4, 10), amount=brl(10000, "USD"))
    found = invoice_refused(installments=(usd,))
    assert (found.code, found.facts) == ("mixed_currency", {"number": "42", "currency": "BRL"})
    assert found.reason == "every amount of invoice 42 must be in BRL"
    assert in_portuguese(found) == "Todos os valores da fatura 42 devem estar em BRL"


def test_a_credit_note_with_a_positive_total() -> None:
    found = invoice_refused(kind=InvoiceKind.CREDIT_NOTE)
    assert (found.code, found.facts) == ("credit_note_positive", {})
    assert found.reason == "a credit note reduces what is owed: its total cannot be positive"
    assert in_portuguese(found).startswith("Uma nota de crédito reduz o que é devido")


@pytest.mark.parametrize(
    ("changes", "code", "reason"),
    [
        ({"not_collectable": "paid at the sale"}, "not_collectable_installments", "is not collectable"),
        ({"installments": ()}, "no_due_date", "is owed but has no due date"),
        ({"total": brl(-10000), "kind": InvoiceKind.CREDIT_NOTE}, "owes_nothing_installments", "owes nothing"),
    ],
)
def test_a_rule_of_what_is_collected(changes: dict[str, object], code: str, reason: str) -> None:
    found = invoice_refused(**changes)
    assert (found.code, found.facts) == (code, {"number": "42"})
    assert found.reason.startswith(f"invoice 42 {reason}")
    assert "fatura 42 " in in_portuguese(found)


def test_an_invoice_number_like_a_placeholder_is_written_as_given() -> None:
    usd = Installment(number="1", due_date=date(2024, 4, 10), amount=brl(10000, "USD"))
    found = invoice_refused(number="{currency}", installments=(usd,))
    assert found.facts == {"number": "{currency}", "currency": "BRL"}
    assert found.reason == "every amount of invoice {currency} must be in BRL"


# --- values as a file writes them ---


@pytest.mark.parametrize(
    ("read", "code", "facts"),
    [
        (lambda: known_currency(" Real "), "unknown_currency", {"value": "Real"}),
        (lambda: parse_amount(" dez reais ", "BRL"), "not_amount", {"value": "dez reais"}),
        (lambda: parse_amount("US$ 10,00", "BRL"), "other_currency", {"value": "US$ 10,00", "currency": "BRL"}),
        (lambda: parse_date(" 31/02/2024 "), "no_such_date", {"value": "31/02/2024"}),
        (lambda: parse_date("ontem"), "not_date", {"value": "ontem"}),
        (lambda: nfe_access_key("3521 0258"), "access_key_length", {"value": "3521 0258"}),
        (
            lambda: nfe_access_key("35210258716523000119550000000573661346317848"),
            "access_key_digit",
            {"value": "35210258716523000119550000000573661346317848"},
        ),
        (lambda: bank_slip_digits("NN-123A"), "not_bank_slip", {"value": "NN-123A"}),
        (lambda: https_url(" http://pay.example.com/1 "), "not_https", {"value": "http://pay.example.com/1"}),
    ],
)
def test_a_value_read_wrongly_names_what_was_written(
    read: Callable[[], object], code: str, facts: dict[str, str]
) -> None:
    with pytest.raises(RowRefused) as refusal:
        read()
    found = refusal.value.problem
    assert (found.code, found.facts, found.reason) == (code, facts, str(refusal.value))
    assert f"“{facts['value']}”" in in_portuguese(found)


def test_an_amount_in_another_currency_names_the_invoice_currency() -> None:
    with pytest.raises(RowRefused) as refusal:
        parse_amount("US$ 10,00", "BRL")
    sentence = in_portuguese(refusal.value.problem)
    assert sentence == "O valor “US$ 10,00” não está na moeda da fatura (BRL)"
