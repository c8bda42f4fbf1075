"""How to reach the customer, as each format writes it: e-mail, phone (into E.164) and language. A contact detail
that cannot be read is left out with a warning; it never refuses the invoice."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from pydantic import ValidationError

from ponte.domain.accounts import locale_from
from ponte.domain.invoices import Installment, Invoice, InvoiceKind, Party, SourceFormat
from ponte.domain.money import Money
from ponte.invoices import (
    CsvField,
    ParsedInvoice,
    ParseOptions,
    ParseResult,
    Rejection,
    csv_format,
    json_format,
    nfe,
    ubl,
)
from ponte.invoices.values import customer_party
from ponte.messages.texts.rows import row_message

NFE_KEY = "35240112345678000195550010000012341000012345"


def only(results: list[ParseResult]) -> ParsedInvoice:
    (result,) = results
    assert isinstance(result, ParsedInvoice), result
    return result


# --- the rules every format shares ---


@pytest.mark.parametrize(
    ("written", "locale"),
    [
        ("pt-BR", "pt-BR"),
        ("pt_BR", "pt-BR"),
        ("pt", "pt-BR"),
        ("PT-pt", "pt-BR"),  # the only Portuguese Ponte writes
        ("Português", "pt-BR"),
        ("portugues (Brasil)", "pt-BR"),
        ("es", "es"),
        ("es-AR", "es"),
        ("es-419", "es"),
        ("Español", "es"),
        ("espanhol", "es"),
        ("castellano", "es"),
        ("en", "en"),
        ("en-US", "en"),
        ("EN_gb", "en"),
        ("English", "en"),
        ("Inglês", "en"),
        ("fr", None),
        ("Deutsch", None),
        ("BR", None),  # a country, not a language
        ("", None),
    ],
)
def test_languages_are_read_as_one_of_the_three_ponte_writes(written: str, locale: str | None) -> None:
    assert locale_from(written) == locale


def test_a_customer_keeps_what_reads_and_the_report_hears_of_the_rest() -> None:
    party, warnings = customer_party(
        name="Ana",
        tax_id="123.456.789-09",
        email="ana at example",
        phones=(("mobile", "(11) 9876"), ("phone", "(11) 3333-4444")),
        locale="Klingon",
        country="BR",
    )
    assert party.model_dump(exclude_none=True) == {"name": "Ana", "tax_id": "12345678909", "phone": "+551133334444"}
    assert tuple(w.reason for w in warnings) == (
        "customer mobile left out: not a Brazilian number: expected an area code (DDD) and 8 digits (a landline, "
        "starting with 2 to 5) or 9 (a mobile, starting with 9)",
        "customer language 'Klingon' left out: Ponte writes pt-BR, es or en",
        "customer e-mail left out: not an e-mail address",
    )
    assert [(w.code, w.facts) for w in warnings] == [
        ("phone_left_out", {"field": "mobile"}),
        ("language_left_out", {"value": "Klingon"}),
        ("email_left_out", {}),
    ]


def test_the_first_phone_that_reads_is_kept_and_the_rest_not_looked_at() -> None:
    party, warnings = customer_party(
        name="Ana", tax_id="52998224725", phones=(("mobile", "11 98765-4321"), ("phone", "garbage")), country="BR"
    )
    assert (party.phone, warnings) == ("+5511987654321", ())


def test_the_customer_identity_still_refuses() -> None:
    with pytest.raises(ValidationError, match="name, a tax id or a reference"):
        customer_party(email="ana@example.com", phones=(("phone", "11 98765-4321"),), country="BR")
    with pytest.raises(ValidationError, match="tax_id"):
        customer_party(name="Ana", tax_id="x" * 40, email="not an address", country="BR")


# --- CSV ---


def csv_read(content: str, **options: object) -> list[ParseResult]:
    return list(csv_format.parse(io.BytesIO(content.encode()), options=ParseOptions(**options)))


def test_csv_phone_mobile_and_language_columns() -> None:
    result = only(
        csv_read(
            "Número;Cliente;CPF;Telefone;Celular;Idioma;Valor;Vencimento\n"
            "7;Ana Lima;123.456.789-09;(11) 3333-4444;(11) 98765-4321;Español;10,00;10/04/2024\n"
        )
    )
    assert (result.invoice.customer.phone, result.invoice.customer.locale) == ("+5511987654321", "es")
    assert result.warnings == ()


@pytest.mark.parametrize(
    ("header", "phone"),
    [
        ("fone", "11 3333-4444"),
        ("phone", "11 3333-4444"),
        ("teléfono", "11 3333-4444"),
        ("mobile", "11 3333-4444"),
        ("móvil", "11 3333-4444"),
        ("celular", "11 3333-4444"),
    ],
)
def test_csv_phone_columns_by_any_of_their_names(header: str, phone: str) -> None:
    result = only(csv_read(f"numero;cliente;{header};language;valor;vencimento\n1;Ana;{phone};en-US;10;01/02/2024\n"))
    assert (result.invoice.customer.phone, result.invoice.customer.locale) == ("+551133334444", "en")


def test_csv_mobile_is_preferred_and_the_landline_stands_in_for_a_blank_one() -> None:
    results = csv_read(
        "numero;cliente;telefone;celular;valor;vencimento\n"
        "1;Ana;11 3333-4444;11 98765-4321;10;01/02/2024\n"
        "2;Bia;11 3333-5555;;10;01/02/2024\n"
    )
    assert [r.invoice.customer.phone for r in results if isinstance(r, ParsedInvoice)] == [
        "+5511987654321",
        "+551133335555",
    ]


def test_csv_national_numbers_are_read_in_the_business_country() -> None:
    content = "numero;cliente;telefono;valor;vencimento\n1;Ana;612 34 56 78;10;01/02/2024\n"
    assert only(csv_read(content, default_country="ES")).invoice.customer.phone == "+34612345678"


def test_csv_a_bad_phone_or_language_is_left_out_and_the_invoice_recorded() -> None:
    result = only(
        csv_read(
            "numero;cliente;cnpj;celular;idioma;valor;vencimento\n"
            "1;Padaria;12.345.678/0001-95;9876-5432;Deutsch;10;01/02/2024\n"
        )
    )
    assert result.invoice.customer.model_dump(exclude_none=True) == {"name": "Padaria", "tax_id": "12345678000195"}
    assert result.invoice.total.amount == 1000
    assert tuple(w.reason for w in result.warnings) == (
        "customer mobile left out: no area code (DDD): a Brazilian number has one before its 8 or 9 digits",
        "customer language 'Deutsch' left out: Ponte writes pt-BR, es or en",
    )
    assert [(w.code, w.facts) for w in result.warnings] == [
        ("phone_left_out", {"field": "mobile"}),
        ("language_left_out", {"value": "Deutsch"}),
    ]


def test_csv_rows_of_one_invoice_share_the_contact_given_on_any_of_them() -> None:
    result = only(
        csv_read(
            "numero;parcela;cliente;cpf;celular;idioma;valor;vencimento\n"
            "1;1;Ana;123.456.789-09;;;10;01/02/2024\n"
            "1;2;Ana;123.456.789-09;11 98765-4321;es;10;01/03/2024\n"
            "1;3;Ana;123.456.789-09;11 98765-0000;;10;01/04/2024\n"
        )
    )
    assert (result.invoice.customer.phone, result.invoice.customer.locale) == ("+5511987654321", "es")
    assert [(w.reason, w.code, w.facts) for w in result.warnings] == [
        (
            "the installments give different customer mobiles: the first one was kept",
            "contacts_differ",
            {"what": "mobiles"},
        )
    ]


def test_csv_a_business_may_name_its_own_phone_column() -> None:
    content = (
        "numero;cliente;Contato WhatsApp;telefone;valor;vencimento\n1;Ana;11 98765-4321;11 3333-4444;10;01/02/2024\n"
    )
    result = only(csv_read(content, csv_columns={"Contato WhatsApp": CsvField.MOBILE}))
    assert result.invoice.customer.phone == "+5511987654321"


# --- JSON ---


def json_read(customer: dict[str, object], **options: object) -> list[ParseResult]:
    document = {"number": "1", "total": "10.00", "due_date": "2024-04-01", "customer": customer}
    return list(json_format.parse(io.BytesIO(json.dumps(document).encode()), options=ParseOptions(**options)))


def test_json_customer_phone_and_locale() -> None:
    result = only(json_read({"name": "Ana", "tax_id": "1", "phone": "+5511987654321", "locale": "pt-BR"}))
    assert (result.invoice.customer.phone, result.invoice.customer.locale) == ("+5511987654321", "pt-BR")
    national = only(json_read({"name": "Ana", "tax_id": "1", "phone": "(415) 555-2671"}, default_country="US"))
    assert national.invoice.customer.phone == "+14155552671"


def test_json_a_bad_phone_locale_or_e_mail_is_left_out_with_warnings() -> None:
    result = only(
        json_read({"tax_id": "52998224725", "name": "Ana", "phone": "123", "locale": "fr-FR", "email": "ana@"})
    )
    assert result.invoice.customer.model_dump(exclude_none=True) == {"name": "Ana", "tax_id": "52998224725"}
    assert [w.reason.split(":")[0] for w in result.warnings] == [
        "customer phone left out",
        "customer language 'fr-FR' left out",
        "customer e-mail left out",
    ]
    assert [(w.code, w.facts) for w in result.warnings] == [
        ("phone_left_out", {"field": "phone"}),
        ("language_left_out", {"value": "fr-FR"}),
        ("email_left_out", {}),
    ]


def test_json_contact_fields_are_still_shaped_by_the_schema() -> None:
    (refused,) = json_read({"name": "Ana", "phone": "9" * 41})
    assert isinstance(refused, Rejection) and "customer.phone" in refused.reason
    assert (refused.problem.code, refused.problem.facts) == ("too_long", {"field": "phone", "limit": "40"})


# --- NF-e ---


def nfe_read(dest: str) -> ParsedInvoice:
    document = f"""<nfeProc xmlns="http://www.portalfiscal.inf.br/nfe" versao="4.00">
    <NFe><infNFe versao="4.00" Id="NFe{NFE_KEY}">
      <ide><serie>1</serie><nNF>1234</nNF><dhEmi>2024-01-15T10:30:00-03:00</dhEmi><tpNF>1</tpNF><tpAmb>1</tpAmb></ide>
      <emit><CNPJ>12345678000195</CNPJ><xNome>Distribuidora</xNome></emit>
      <dest>{dest}</dest>
      <total><ICMSTot><vNF>100.00</vNF></ICMSTot></total>
    </infNFe></NFe>
    <protNFe><infProt><chNFe>{NFE_KEY}</chNFe><cStat>100</cStat></infProt></protNFe></nfeProc>"""
    return only(list(nfe.parse(io.BytesIO(document.encode()), options=ParseOptions())))


def test_nfe_recipient_phone_is_its_area_code_and_number() -> None:
    result = nfe_read(
        "<CNPJ>11222333000181</CNPJ><xNome>Mercado</xNome>"
        "<enderDest><xLgr>Rua A</xLgr><UF>SP</UF><fone>1133334444</fone></enderDest>"
        "<email>contas@mercado.com.br</email>"
    )
    assert (result.invoice.customer.phone, result.invoice.customer.email) == ("+551133334444", "contas@mercado.com.br")
    assert result.warnings == ()


def test_nfe_a_recipient_abroad_writes_its_country_code_first() -> None:
    result = nfe_read(
        "<idEstrangeiro>X1</idEstrangeiro><xNome>Buyer GmbH</xNome>"
        "<enderDest><UF>EX</UF><cPais>0230</cPais><fone>49301234567</fone></enderDest>"
    )
    assert result.invoice.customer.phone == "+49301234567"


def test_nfe_a_bad_phone_or_e_mail_is_left_out_and_the_nfe_still_read() -> None:
    result = nfe_read(
        "<CNPJ>11222333000181</CNPJ><xNome>Mercado</xNome>"
        "<enderDest><UF>SP</UF><fone>33334444</fone></enderDest><email>contas(at)mercado</email>"
    )
    assert result.invoice.customer.model_dump(exclude_none=True) == {"name": "Mercado", "tax_id": "11222333000181"}
    assert tuple(w.reason for w in result.warnings) == (
        "customer phone left out: no area code (DDD): a Brazilian number has one before its 8 or 9 digits",
        "customer e-mail left out: not an e-mail address",
    )
    assert [(w.code, w.facts) for w in result.warnings] == [
        ("phone_left_out", {"field": "phone"}),
        ("email_left_out", {}),
    ]


# --- UBL ---


def ubl_read(contact: str, country: str = "", **options: object) -> ParsedInvoice:
    address = (
        f"<cac:PostalAddress><cac:Country><cbc:IdentificationCode>{country}</cbc:IdentificationCode></cac:Country>"
        "</cac:PostalAddress>"
        if country
        else ""
    )
    document = f"""<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
      xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
      xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
      <cbc:ID>INV-7</cbc:ID><cbc:IssueDate>2024-02-01</cbc:IssueDate><cbc:DueDate>2024-03-01</cbc:DueDate>
      <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
      <cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>Seller</cbc:Name></cac:PartyName>
        <cac:Contact><cbc:Telephone>garbage</cbc:Telephone></cac:Contact></cac:Party></cac:AccountingSupplierParty>
      <cac:AccountingCustomerParty><cac:Party>{address}
        <cac:PartyTaxScheme><cbc:CompanyID>ESB12345678</cbc:CompanyID></cac:PartyTaxScheme>
        <cac:PartyLegalEntity><cbc:RegistrationName>Ferretería Sol</cbc:RegistrationName></cac:PartyLegalEntity>
        <cac:Contact>{contact}</cac:Contact>
      </cac:Party></cac:AccountingCustomerParty>
      <cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="EUR">100.00</cbc:PayableAmount></cac:LegalMonetaryTotal>
    </Invoice>"""
    return only(list(ubl.parse(io.BytesIO(document.encode()), options=ParseOptions(**options))))


def test_ubl_buyer_telephone_and_e_mail() -> None:
    result = ubl_read(
        "<cbc:Telephone>+34 612 34 56 78</cbc:Telephone><cbc:ElectronicMail>pagos@sol.es</cbc:ElectronicMail>"
    )
    assert (result.invoice.customer.phone, result.invoice.customer.email) == ("+34612345678", "pagos@sol.es")
    assert result.warnings == ()  # the seller's telephone is not read


def test_ubl_a_national_number_is_read_in_the_buyer_country_else_the_business_country() -> None:
    assert ubl_read("<cbc:Telephone>612 34 56 78</cbc:Telephone>", "ES").invoice.customer.phone == "+34612345678"
    in_portugal = ubl_read("<cbc:Telephone>912 345 678</cbc:Telephone>", default_country="PT")
    assert in_portugal.invoice.customer.phone == "+351912345678"


def test_ubl_a_phone_that_cannot_be_read_is_left_out_with_a_warning() -> None:
    result = ubl_read("<cbc:Telephone>030 1234567</cbc:Telephone><cbc:ElectronicMail>x@</cbc:ElectronicMail>", "DE")
    assert (result.invoice.customer.phone, result.invoice.customer.email) == (None, None)
    assert [w.reason.split(":")[0] for w in result.warnings] == ["customer phone left out", "customer e-mail left out"]
    assert [(w.code, w.facts) for w in result.warnings] == [
        ("phone_left_out", {"field": "phone"}),
        ("email_left_out", {}),
    ]


# --- the fingerprint: how to reach the customer is not what is owed ---


def test_a_contact_change_is_not_a_correction_but_a_new_e_mail_still_is() -> None:
    customer = Party(name="Ana", tax_id="12345678909", email="ana@example.com")
    invoice = Invoice(
        key="erp::invoice:1",
        number="1",
        kind=InvoiceKind.INVOICE,
        issue_date=date(2024, 1, 1),
        currency="BRL",
        total=Money(amount=1000, currency="BRL"),
        installments=(Installment(number="1", due_date=date(2024, 2, 1), amount=Money(amount=1000, currency="BRL")),),
        customer=customer,
        source=SourceFormat.CSV,
    )
    reached = customer.model_copy(update={"phone": "+5511987654321", "locale": "es"})
    assert invoice.model_copy(update={"customer": reached}).fingerprint == invoice.fingerprint
    issuer = Party(name="Moinho", phone="+551133334444")
    assert invoice.model_copy(update={"issuer": issuer}).fingerprint == (
        invoice.model_copy(update={"issuer": Party(name="Moinho")}).fingerprint
    )
    moved = customer.model_copy(update={"email": "ana@elsewhere.example"})
    assert invoice.model_copy(update={"customer": moved}).fingerprint != invoice.fingerprint


@pytest.mark.parametrize(
    ("mobile", "phone", "kept", "warned"),
    [
        # A landline in the mobile's column: the mobile written as the phone is the one text messages reach.
        ("(11) 3333-4444", "(11) 98888-7777", "+5511988887777", ["mobile_landline"]),
        # With no mobile anywhere, the landline is kept: e-mail and calls still reach it.
        ("(11) 3333-4444", "", "+551133334444", ["mobile_landline"]),
        # A landline as the phone is what it says it is.
        ("", "(11) 3333-4444", "+551133334444", []),
        ("(11) 98888-7777", "(11) 3333-4444", "+5511988887777", []),
    ],
)
def test_a_landline_in_the_mobile_column_gives_way_to_a_mobile(
    mobile: str, phone: str, kept: str, warned: list[str]
) -> None:
    party, warnings = customer_party(name="Ana", phones=(("mobile", mobile), ("phone", phone)), country="BR")
    assert party.phone == kept
    assert [w.code for w in warnings if w.code != "name_only"] == warned


def test_the_report_says_the_mobile_is_a_landline_in_the_owners_words() -> None:
    _, warnings = customer_party(name="Ana", phones=(("mobile", "(11) 3333-4444"),), country="BR")
    (warning,) = [w for w in warnings if w.code == "mobile_landline"]
    assert row_message(warning.code, warning.facts, "pt-BR") == (
        "O celular “(11) 3333-4444” é um telefone fixo: os avisos por SMS não chegam nele"
    )


@pytest.mark.parametrize(
    "written",
    [
        "mailto:fin@acme.com.br",
        "<fin@acme.com.br>",
        "Financeiro <fin@acme.com.br>",
        "fin@acme.com.br,",
        "fin@acme.com.br.",
        "'fin@acme.com.br'",
        "fin@acme.com.br\u200b",
        " fin@acme.com.br ",
        "mailto:fin@acme.com.br?subject=Fatura",
        "“fin@acme.com.br”",
    ],
)
def test_an_e_mail_is_kept_without_what_was_written_around_it(written: str) -> None:
    party, warnings = customer_party(name="Ana", email=written, country="BR")
    assert party.email == "fin@acme.com.br"
    assert "email_left_out" not in [w.code for w in warnings]


@pytest.mark.parametrize(
    "written",
    [
        "fin@acme..com.br",
        "fin@acme,com.br",
        "fin@acme.com.br; compras@acme.com.br",
        "fin@acme",
        "fin@.com",
        ".fin@acme.com.br",
        "fin.@acme.com.br",
    ],
)
def test_a_cell_that_is_not_one_address_is_left_out_with_a_warning(written: str) -> None:
    party, warnings = customer_party(name="Ana", email=written, country="BR")
    assert party.email is None
    assert "email_left_out" in [w.code for w in warnings]


def test_an_apostrophe_belongs_in_an_address() -> None:
    party, _ = customer_party(name="Ana", email="o'neil@acme.com.br", country="BR")
    assert party.email == "o'neil@acme.com.br"
