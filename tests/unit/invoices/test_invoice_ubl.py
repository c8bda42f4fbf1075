import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from ponte.domain.invoices import Invoice, Item
from ponte.domain.money import Money
from ponte.invoices import FileRejected, ParsedInvoice, ParseOptions, Rejection
from ponte.invoices.results import ParseResult
from ponte.invoices.ubl import parse, payment_term_date, payment_term_days

FixtureFile = Callable[[str, str], Path]

NAMESPACES = (
    'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
    'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"'
)
CUSTOMER = """<cac:AccountingCustomerParty><cac:Party>
  <cbc:EndpointID schemeID="0088">7300010000001</cbc:EndpointID>
  <cac:PartyName><cbc:Name>Buyer Trading</cbc:Name></cac:PartyName>
  <cac:PartyTaxScheme><cbc:CompanyID>SE5560000001</cbc:CompanyID></cac:PartyTaxScheme>
  <cac:PartyLegalEntity><cbc:RegistrationName>Buyer AB</cbc:RegistrationName></cac:PartyLegalEntity>
  <cac:Contact><cbc:ElectronicMail>ap@buyer.se</cbc:ElectronicMail></cac:Contact>
</cac:Party></cac:AccountingCustomerParty>"""


def ubl_xml(
    *,
    root: str = "Invoice",
    header: str = "<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>",
    payment: str = "",
    payable: str = '<cbc:PayableAmount currencyID="EUR">1000.00</cbc:PayableAmount>',
    customer: str = CUSTOMER,
    encoding: str = "UTF-8",
) -> bytes:
    """A minimal UBL 2.1 document with the elements the parser reads, in schema order."""
    return f"""<?xml version="1.0" encoding="{encoding}"?>
<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2" {NAMESPACES}>
  <cbc:ID>INV-7</cbc:ID><cbc:IssueDate>2024-02-01</cbc:IssueDate>{header}
  <cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>Seller</cbc:Name></cac:PartyName>
    <cac:PartyTaxScheme><cbc:CompanyID>SE5560000002</cbc:CompanyID></cac:PartyTaxScheme></cac:Party>
  </cac:AccountingSupplierParty>
  {customer}{payment}
  <cac:LegalMonetaryTotal>{payable}</cac:LegalMonetaryTotal>
</{root}>""".encode(encoding)


def read(data: bytes, options: ParseOptions | None = None) -> ParseResult:
    (result,) = parse(io.BytesIO(data), options=options or ParseOptions())
    return result


def parsed(data: bytes, options: ParseOptions | None = None) -> Invoice:
    result = read(data, options)
    assert isinstance(result, ParsedInvoice), result
    return result.invoice


def installments(invoice: Invoice) -> list[tuple[str, date, int]]:
    return [(i.number, i.due_date, i.amount.amount) for i in invoice.installments]


# Hand-made documents: every rule, independent of the third-party files.


def test_an_invoice_with_its_customer() -> None:
    invoice = parsed(
        ubl_xml(header="<cbc:DueDate>2024-03-02</cbc:DueDate><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>")
    )
    assert (invoice.key, invoice.number, invoice.kind) == ("ubl:SE5560000002:invoice:INV-7", "INV-7", "invoice")
    assert (invoice.issue_date, invoice.currency, invoice.total.amount) == (date(2024, 2, 1), "EUR", 100000)
    assert installments(invoice) == [("1", date(2024, 3, 2), 100000)]
    assert invoice.customer.model_dump() == {
        "name": "Buyer AB",
        "tax_id": "SE5560000001",
        "email": "ap@buyer.se",
        "reference": "7300010000001",
        "phone": None,
        "locale": None,
    }


@pytest.mark.parametrize(
    ("payment", "due"),
    [
        (
            "<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>"
            "<cbc:PaymentDueDate>2024-03-10</cbc:PaymentDueDate></cac:PaymentMeans>",
            date(2024, 3, 10),
        ),
        (
            "<cac:PaymentMeans><cbc:PaymentDueDate>2024-03-20</cbc:PaymentDueDate></cac:PaymentMeans>"
            "<cac:PaymentMeans><cbc:PaymentDueDate>2024-03-10</cbc:PaymentDueDate></cac:PaymentMeans>",
            date(2024, 3, 10),
        ),
        (
            "<cac:PaymentTerms><cbc:Note>30 days</cbc:Note>"
            "<cbc:PaymentDueDate>2024-03-15</cbc:PaymentDueDate></cac:PaymentTerms>",
            date(2024, 3, 15),
        ),
        (
            "<cac:PaymentTerms><cbc:InstallmentDueDate>2024-03-16</cbc:InstallmentDueDate></cac:PaymentTerms>",
            date(2024, 3, 16),
        ),
        ("<cac:PaymentTerms><cbc:Note>30 days net</cbc:Note></cac:PaymentTerms>", date(2024, 3, 2)),
        ("<cac:PaymentTerms><cbc:Note>As per contract</cbc:Note></cac:PaymentTerms>", date(2024, 2, 1)),
    ],
)
def test_the_due_date_is_read_from_payment_means_or_terms(payment: str, due: date) -> None:
    assert installments(parsed(ubl_xml(payment=payment))) == [("1", due, 100000)]


def test_a_due_date_read_from_the_terms_text_is_a_warning() -> None:
    result = read(ubl_xml(payment="<cac:PaymentTerms><cbc:Note>Net 45</cbc:Note></cac:PaymentTerms>"))
    assert isinstance(result, ParsedInvoice)
    assert installments(result.invoice) == [("1", date(2024, 3, 17), 100000)]
    assert [w.reason for w in result.warnings] == ["due date read from the payment terms: 45 days after issue"]
    explicit = ubl_xml(
        payment="<cac:PaymentTerms><cbc:Note>Net 45</cbc:Note></cac:PaymentTerms>",
        header="<cbc:DueDate>2024-03-02</cbc:DueDate><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>",
    )
    result = read(explicit)
    assert isinstance(result, ParsedInvoice)
    assert (installments(result.invoice), result.warnings) == ([("1", date(2024, 3, 2), 100000)], ())


# Phrases as they stand in published UBL examples (EN 16931 test files, XRechnung test suite, PINT UBL.BE), plus
# the usual wording in each language read.
@pytest.mark.parametrize(
    ("note", "days"),
    [
        ("Payment within 30 days", 30),
        ("30 days net", 30),
        ("Net 30", 30),
        ("PAYMENT DUE NET 30 DAYS", 30),
        ("30 days after invoice date", 30),
        ("60 days", 60),
        ("pagamento em 30 dias", 30),
        ("Pagamento em até 28 dias após a emissão", 28),
        ("30 días", 30),
        ("Pago a 60 días fecha factura", 60),
        ("Zahlbar innerhalb 30 Tagen", 30),
        ("Zahlbar innerhalb 14 Tagen nach Erhalt der Rechnung.", 14),
        ("14 Tage; bitte die Zahlung per PayPal über die angegebene Email-Adresse durchführen", 14),
        (
            "Wir möchten Sie bitten, die Teilnahmegebühr iHv. 120,00 € innerhalb von 14 Tagen auf das oben genannte "
            "Konto unter Angabe der Rechnungsnummer 1234/78/901 zu überweisen.",
            14,
        ),
        ("10 Tage 3% Skonto, 30 Tage netto", 30),
        ("30 dagar netto. Dröjsmålsränta 12%", 30),
        ("10 dagar, dröjsmålsränta 12.3 %", 10),
        ("30 dagar.", 30),
        ("30 dage netto", 30),
        ("Betaling senest 8 dage efter fakturadato", 8),
        ("30 dager", 30),
        ("30 jours", 30),
        ("Paiement à 45 jours date de facture", 45),
        ("30 giorni", 30),
        ("Pagamento entro 60 giorni", 60),
        ("30 dagen", 30),
        ("Betaling binnen 14 dagen", 14),
    ],
)
def test_payment_terms_text_that_gives_a_number_of_days(note: str, days: int) -> None:
    assert payment_term_days(note) == days


@pytest.mark.parametrize(
    "note",
    [
        "Arbetet påbörjas 7 dagar efter mottagen förskottsbetalning.",  # work starts 7 days after prepayment
        "Bei Zahlungen binnen 14 Tagen, 2% Skonto",  # the discount period, not the due date
        "2 % discount if paid within 2 days Penalty percentage 10% from due date",
        "#SKONTO#TAGE=7#PROZENT=2.00# #SKONTO#TAGE=14#PROZENT=1.00# #SKONTO#TAGE=30#PROZENT=0.00#",
        "Zahlung ohne Abzug bis zum 13.08.2021 bei uns eingehend.",
        "Bitte überweisen Sie den Gesamtbetrag in Höhe von EUR […] innerhalb von […] Tagen ohne Abzug",
        "50% prepaid, 50% within one month",
        "30 jours fin de mois",  # counted from the end of the month
        "60 days end of month",
        "30 gg d.f.f.m.",
        "30 days net, 60 days net for public bodies",  # two periods
        "As per contract clasuse X.123",
        "D.LGS. 231/2002 S.M.I",
        "",
    ],
)
def test_payment_terms_text_without_a_clear_number_of_days(note: str) -> None:
    assert payment_term_days(note) is None


@pytest.mark.parametrize(
    ("note", "due"),
    [
        ("Zahlung ohne Abzug bis zum 13.08.2021 bei uns eingehend.", date(2021, 8, 13)),  # XRechnung 04.04a
        ("Please pay by 2021-08-13.", date(2021, 8, 13)),
        ("Pagamento até 3.8.2021", date(2021, 8, 3)),
        ("Zahlbar bis 14.07.2021", date(2021, 7, 14)),  # the issue date itself
        ("Skonto 2 % bis 20.07.2021, netto bis 13.08.2021", None),  # two days: which one, the text says in words
        ("Zahlbar bis 13.06.2021", None),  # before the issue date
        ("Zahlbar bis 13.08.2023", None),  # two years on: no due date a business sets
        ("Zahlbar bis 31.02.2021", None),  # no such day
        ("Pay by 08/13/2021", None),  # slashes are read neither way
        ("Vertrag 1.2.2021-31.12.2021, Zahlung 30 Tage", None),  # a period, not a due date
        ("Rechnung 2021.08.13", None),
        ("", None),
    ],
)
def test_payment_terms_text_that_names_the_day(note: str, due: date | None) -> None:
    assert payment_term_date(note, date(2021, 7, 14)) == due


def test_a_due_date_named_in_the_terms_text_is_the_due_date_with_a_warning() -> None:
    note = "<cac:PaymentTerms><cbc:Note>Zahlung ohne Abzug bis zum 13.03.2024.</cbc:Note></cac:PaymentTerms>"
    result = read(ubl_xml(payment=note))
    assert isinstance(result, ParsedInvoice)
    assert installments(result.invoice) == [("1", date(2024, 3, 13), 100000)]
    assert [(w.code, dict(w.facts)) for w in result.warnings] == [("payment_terms_date", {"date": "2024-03-13"})]


def test_the_lines_are_the_items() -> None:
    lines = "".join(
        f'<cac:InvoiceLine><cbc:ID>{n}</cbc:ID><cbc:InvoicedQuantity unitCode="C62">{n}</cbc:InvoicedQuantity>'
        f'<cbc:LineExtensionAmount currencyID="EUR">{n}0.00</cbc:LineExtensionAmount>'
        f"<cac:Item><cbc:Name>Article {n}</cbc:Name></cac:Item></cac:InvoiceLine>"
        for n in range(1, 23)
    )
    data = ubl_xml().replace(b"</Invoice>", lines.encode() + b"</Invoice>")
    result = read(data)
    assert isinstance(result, ParsedInvoice)
    assert len(result.items) == 20
    assert result.items[1] == Item(description="Article 2", quantity="2", amount=Money(amount=2000, currency="EUR"))


def test_a_customer_known_by_name_only_is_read_with_a_warning() -> None:
    customer = "<cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>Kiosk Ana</cbc:Name></cac:PartyName>"
    result = read(ubl_xml(customer=customer + "</cac:Party></cac:AccountingCustomerParty>"))
    assert isinstance(result, ParsedInvoice)
    assert result.invoice.customer.model_dump(exclude_none=True) == {"name": "Kiosk Ana"}
    assert [w.reason for w in result.warnings] == ["customer identified by name only"]


def test_cbc_due_date_wins_over_a_discount_deadline_in_the_terms() -> None:
    discount = (
        "<cac:PaymentTerms><cbc:SettlementDiscountPercent>2</cbc:SettlementDiscountPercent>"
        '<cbc:Amount currencyID="EUR">980.00</cbc:Amount><cbc:PaymentDueDate>2024-02-08</cbc:PaymentDueDate>'
        "</cac:PaymentTerms>"
    )
    assert installments(parsed(ubl_xml(payment=discount))) == [("1", date(2024, 2, 1), 100000)]
    with_due = ubl_xml(
        payment=discount,
        header="<cbc:DueDate>2024-03-02</cbc:DueDate><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>",
    )
    assert installments(parsed(with_due)) == [("1", date(2024, 3, 2), 100000)]


def test_without_any_due_date_the_configured_term_applies() -> None:
    assert installments(parsed(ubl_xml(), ParseOptions(default_term_days=30))) == [("1", date(2024, 3, 2), 100000)]


def test_payment_terms_with_amounts_and_dates_are_installments() -> None:
    terms = "".join(
        f"<cac:PaymentTerms><cbc:PaymentMeansID>{number}</cbc:PaymentMeansID>"
        f'<cbc:Amount currencyID="EUR">{amount}</cbc:Amount>{due}</cac:PaymentTerms>'
        for number, amount, due in [
            ("Credito", "1000.00", ""),
            ("Cuota001", "400.00", "<cbc:PaymentDueDate>2024-03-01</cbc:PaymentDueDate>"),
            ("", "600.00", "<cbc:InstallmentDueDate>2024-04-01</cbc:InstallmentDueDate>"),
        ]
    )
    assert installments(parsed(ubl_xml(payment=terms))) == [
        ("Cuota001", date(2024, 3, 1), 40000),
        ("2", date(2024, 4, 1), 60000),
    ]


def test_payment_terms_of_nothing_to_pay_are_no_installments() -> None:
    terms = "".join(
        f'<cac:PaymentTerms><cbc:Amount currencyID="EUR">{amount}</cbc:Amount>'
        f"<cbc:InstallmentDueDate>{due}</cbc:InstallmentDueDate></cac:PaymentTerms>"
        for amount, due in [("0.00", "2024-02-15"), ("400.00", "2024-03-01"), ("600.00", "2024-04-01")]
    )
    assert installments(parsed(ubl_xml(payment=terms))) == [
        ("1", date(2024, 3, 1), 40000),
        ("2", date(2024, 4, 1), 60000),
    ]


def test_a_credit_note_is_negative_whatever_sign_it_uses() -> None:
    for amount in ("250.00", "-250.00"):
        payable = f'<cbc:PayableAmount currencyID="EUR">{amount}</cbc:PayableAmount>'
        invoice = parsed(ubl_xml(root="CreditNote", payable=payable))
        assert (invoice.kind, invoice.total.amount, invoice.installments) == ("credit_note", -25000, ())
        assert invoice.key == "ubl:SE5560000002:credit_note:INV-7"


def test_a_negative_invoice_owes_nothing() -> None:
    payable = '<cbc:PayableAmount currencyID="EUR">-10.00</cbc:PayableAmount>'
    invoice = parsed(
        ubl_xml(
            payable=payable,
            header="<cbc:DueDate>2024-03-02</cbc:DueDate><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>",
        )
    )
    assert (invoice.kind, invoice.total.amount, invoice.installments) == ("invoice", -1000, ())


def test_currency_comes_from_the_payable_amount_when_the_document_has_none() -> None:
    invoice = parsed(ubl_xml(header="", payable='<cbc:PayableAmount currencyID="JPY">1500</cbc:PayableAmount>'))
    assert (invoice.currency, invoice.total.amount) == ("JPY", 1500)


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (ubl_xml(header="", payable="<cbc:PayableAmount>10.00</cbc:PayableAmount>"), "no currency"),
        (
            ubl_xml(payable='<cbc:PayableAmount currencyID="USD">10.00</cbc:PayableAmount>'),
            "is in USD, the document in EUR",
        ),
        (ubl_xml(header="<cbc:DocumentCurrencyCode>EUX</cbc:DocumentCurrencyCode>"), "unknown currency 'EUX'"),
        (ubl_xml(payable=""), "no cac:LegalMonetaryTotal/cbc:PayableAmount"),
        (ubl_xml(customer=""), "no customer to collect from"),
        (ubl_xml(header="<cbc:DueDate>2024-13-01</cbc:DueDate>"), "DueDate '2024-13-01' is not a date"),
        (ubl_xml(payable='<cbc:PayableAmount currencyID="EUR">10.001</cbc:PayableAmount>'), "more than 2 decimal"),
    ],
)
def test_refusals_say_why(document: bytes, reason: str) -> None:
    result = read(document)
    assert isinstance(result, Rejection)
    assert reason in result.reason


def test_an_iso_8859_1_document_is_decoded_as_declared() -> None:
    customer = CUSTOMER.replace("Buyer AB", "Señora Peña Ñandú")
    invoice = parsed(ubl_xml(customer=customer, encoding="ISO-8859-1"))
    assert invoice.customer.name == "Señora Peña Ñandú"


def test_another_xml_document_is_refused_whole() -> None:
    with pytest.raises(FileRejected, match=r"not a UBL 2\.1 Invoice or CreditNote"):
        read(b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>')


# The published sample documents (EN 16931, PINT UBL.BE, OASIS UBL 2.1 and Peru SUNAT examples).


def fixture_invoice(fixture_file: FixtureFile, name: str, options: ParseOptions | None = None) -> Invoice:
    with fixture_file("ubl", name).open("rb") as stream:
        (result,) = parse(stream, options=options or ParseOptions())
    assert isinstance(result, ParsedInvoice), result
    return result.invoice


def test_fixture_due_date_in_cbc_due_date(fixture_file: FixtureFile) -> None:
    invoice = fixture_invoice(fixture_file, "en16931__issue116.xml")
    assert (invoice.number, invoice.issue_date, invoice.currency) == ("2018210", date(2018, 2, 8), "SEK")
    assert installments(invoice) == [("1", date(2018, 3, 7), 83000)]
    assert invoice.customer.model_dump(exclude_none=True) == {
        "name": "Project services AB",
        "tax_id": "SE123451234501",
        "reference": "1234512345",
    }


def test_fixture_due_date_in_payment_means(fixture_file: FixtureFile) -> None:
    invoice = fixture_invoice(fixture_file, "oasis-ubl21__UBL-Invoice-2.1-Example.xml")
    assert (invoice.number, invoice.total.amount) == ("TOSL108", 72900)
    assert installments(invoice) == [("1", date(2009, 12, 31), 72900)]
    assert invoice.customer.email == "john@buyercompany.eu"


def test_fixture_due_date_disagreeing_with_a_discount_term(fixture_file: FixtureFile) -> None:
    invoice = fixture_invoice(fixture_file, "pint-ublbe__UBLBE_BE0000000196_V01-15000029.xml")
    assert installments(invoice) == [("1", date(2018, 5, 10), 43409)]
    assert invoice.key == "ubl:BE0000000196:invoice:V01/15000029"


def test_fixture_installments_in_payment_terms_iso_8859_1(fixture_file: FixtureFile) -> None:
    invoice = fixture_invoice(fixture_file, "openubl-sunat__conFormaPago.xml")
    assert (invoice.number, invoice.currency, invoice.total.amount) == ("F001-1", "PEN", 236000)
    assert installments(invoice) == [("Cuota001", date(2022, 1, 20), 1000), ("Cuota002", date(2022, 2, 20), 2000)]
    assert invoice.customer.model_dump(exclude_none=True) == {"name": "Carlos Feria", "reference": "12121212121"}


def test_fixture_prepaid_half_is_not_collected_again(fixture_file: FixtureFile) -> None:
    invoice = fixture_invoice(fixture_file, "en16931__ubl-tc434-example5.xml")
    assert (invoice.currency, installments(invoice)) == ("DKK", [("1", date(2013, 5, 10), 233750)])


def test_fixture_due_date_only_in_the_terms_text(fixture_file: FixtureFile) -> None:
    # "Payment within 30 days" and no date anywhere: 30 days after the issue on 2013-03-11, whatever the default.
    with fixture_file("ubl", "en16931__ubl-tc434-example7.xml").open("rb") as stream:
        (result,) = parse(stream, options=ParseOptions(default_term_days=5))
    assert isinstance(result, ParsedInvoice)
    assert installments(result.invoice) == [("1", date(2013, 4, 10), 320000)]
    assert [w.reason for w in result.warnings] == [
        "customer identified by name only",
        # The buyer is in Sweden and writes its number without the country code: no plan to read it by.
        "customer phone left out: a number without its country code is read only for BR, AR, MX, CL, CO, PE, US, "
        "ES, PT: write it with + and its country code",
        "due date read from the payment terms: 30 days after issue",
    ]


def test_fixture_negative_invoice_with_upper_case_extension(fixture_file: FixtureFile) -> None:
    invoice = fixture_invoice(fixture_file, "en16931__BIS3_Invoice_negativ.XML")
    assert (invoice.kind, invoice.total.amount, invoice.currency, invoice.installments) == (
        "invoice",
        -78217943,
        "DKK",
        (),
    )


@pytest.mark.parametrize(
    ("name", "number", "minor"),
    [
        ("en16931__ubl-tc434-creditnote1.xml", "018304 / 28865", -10011),
        ("pint-ublbe__UBLBE_BE0000000196_V01-15000024.xml", "V01/15000024", -48400),
        ("oasis-ubl21__UBL-CreditNote-2.1-Example.xml", "TOSL108", -72900),
    ],
)
def test_fixture_credit_notes_are_negative(fixture_file: FixtureFile, name: str, number: str, minor: int) -> None:
    invoice = fixture_invoice(fixture_file, name)
    assert (invoice.kind, invoice.number, invoice.total.amount, invoice.installments) == (
        "credit_note",
        number,
        minor,
        (),
    )


def test_fixture_credit_note_and_invoice_with_one_id_have_different_keys(fixture_file: FixtureFile) -> None:
    credit = fixture_invoice(fixture_file, "oasis-ubl21__UBL-CreditNote-2.1-Example.xml")
    invoice = fixture_invoice(fixture_file, "oasis-ubl21__UBL-Invoice-2.1-Example.xml")
    assert credit.number == invoice.number
    assert credit.key != invoice.key


def test_fixture_customer_with_a_trading_name_only(fixture_file: FixtureFile) -> None:
    with fixture_file("ubl", "oasis-ubl21__UBL-Invoice-2.1-Example-Trivial.xml").open("rb") as stream:
        (result,) = parse(stream, options=ParseOptions())
    assert isinstance(result, ParsedInvoice)
    assert [w.reason for w in result.warnings] == ["customer identified by name only"]
    assert result.items == (Item(description="Cotter pin, MIL-SPEC", amount=Money(amount=10000, currency="CAD")),)


def test_fixture_missing_document_currency_falls_back_to_currency_id(fixture_file: FixtureFile) -> None:
    invoice = fixture_invoice(fixture_file, "oasis-ubl21__UBL-Invoice-2.1-Example-Trivial.xml")
    assert (invoice.currency, invoice.total.amount, invoice.customer.name) == (
        "CAD",
        10000,
        "North American Veeblefetzer",
    )
    assert installments(invoice) == [("1", date(2011, 9, 22), 10000)]


def test_a_document_without_payment_terms_takes_the_default_term_without_a_warning() -> None:
    result = read(ubl_xml(), ParseOptions(default_term_days=3))
    assert isinstance(result, ParsedInvoice)
    assert "terms_not_read" not in [w.code for w in result.warnings]


def test_terms_the_reader_does_not_take_are_said_with_the_default_applied() -> None:
    terms = "<cac:PaymentTerms><cbc:Note>Net 30 days from end of month</cbc:Note></cac:PaymentTerms>"
    result = read(ubl_xml(payment=terms), ParseOptions(default_term_days=3))
    assert isinstance(result, ParsedInvoice)
    assert [(w.code, dict(w.facts)) for w in result.warnings if w.code == "terms_not_read"] == [
        ("terms_not_read", {"days": "3"})
    ]


@pytest.mark.parametrize("note", ["Zahlbar sofort ohne Abzug.", "Due upon receipt", "Pagamento à vista", "Al contado"])
def test_terms_that_say_to_pay_at_once_are_zero_days(note: str) -> None:
    assert payment_term_days(note) == 0
