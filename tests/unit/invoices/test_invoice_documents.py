"""The rules on real published documents: NF-e cancellations, what is not collected and why, access keys, items,
UBL due dates read from payment terms, customers known by name only. Origins: documents/ORIGINS.md."""

import io
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from ponte.domain.identity import customer_references, new_account_id
from ponte.domain.invoices import Invoice, Item
from ponte.domain.money import Money
from ponte.invoices import ParsedInvoice, ParseOptions, Rejection, parse_upload
from ponte.invoices.results import ParsedCancellation, ParseResult
from ponte.messages.texts.rows import row_message

DOCUMENTS = Path(__file__).parent / "documents"
UBL_BILLING = "itplr-kosit-xrechnung-testsuite__01.01a-INVOICE_ubl.xml"
TRIALS = ParseOptions(accept_unauthorised_nfe=True)
BRASILIA = timezone(timedelta(hours=-3))
BRASILIA_SUMMER = timezone(timedelta(hours=-2))  # daylight saving time, abolished in 2019


def read(name: str, options: ParseOptions | None = None) -> list[ParseResult]:
    path = DOCUMENTS / name
    with path.open("rb") as stream:
        return list(parse_upload(f"uploads/{name}", stream, options or ParseOptions()))


def only_invoice(name: str, options: ParseOptions | None = None) -> ParsedInvoice:
    (result,) = read(name, options)
    assert isinstance(result, ParsedInvoice), result
    return result


def installments(invoice: Invoice) -> list[tuple[str, date, int]]:
    return [(i.number, i.due_date, i.amount.amount) for i in invoice.installments]


def brl(value: str) -> Money:
    return Money.from_decimal(value, "BRL")


def test_every_document_has_its_origin_written_down() -> None:
    origins = (DOCUMENTS / "ORIGINS.md").read_text(encoding="utf-8")
    for path in DOCUMENTS.glob("*.xml"):
        assert f"`{path.name}`" in origins, f"{path.name} is not listed in ORIGINS.md"


# NF-e cancellations


def test_a_cancelled_nfe_delivered_with_its_cancellation() -> None:
    # sped-da's cancelada_55_new.xml: nfeProc with protNFe and, beside it, the retEvento of the cancellation.
    invoice, cancellation = read("nfephp-org-sped-da__cancelada_55_new.xml")
    assert isinstance(invoice, ParsedInvoice)
    assert invoice.invoice.access_key == "35210258716523000119550000000573661346317847"
    assert installments(invoice.invoice) == [("001", date(2021, 2, 4), 58155)]
    assert invoice.items == (
        Item(description="MULTICREPE ICE SND TINTO COM AMAC. S.T 1,64M", quantity="76.5500", amount=brl("414.90")),
        Item(description="MICRO SOLUTIO SND TINTO C/ AMAC. S.T 1,63M", quantity="30.3000", amount=brl("166.65")),
    )
    assert cancellation == ParsedCancellation(
        1,
        "35210258716523000119550000000573661346317847",
        datetime(2021, 2, 4, 15, 15, 9, tzinfo=BRASILIA),
        None,  # a bare retEvento has no xJust: that is in the request (evento), which this file leaves out
    )


def test_a_cancelled_nfce_paid_by_debit_card() -> None:
    invoice, cancellation = read("nfephp-org-sped-da__nfce111.xml")
    assert isinstance(invoice, ParsedInvoice)
    assert (invoice.invoice.total, invoice.invoice.installments) == (brl("30.00"), ())
    assert invoice.invoice.not_collectable == "paid at the sale: debit card"
    assert isinstance(cancellation, ParsedCancellation)
    assert cancellation.access_key == invoice.invoice.access_key == "41200323285089000185650010000013051817822496"
    assert cancellation.cancelled_at == datetime(2020, 3, 11, 15, 34, 20, tzinfo=BRASILIA)


def test_a_cancellation_event_names_the_nfe_it_cancels() -> None:
    # br_danfe publishes the NF-e and, as a document of its own, the procEventoNFe that cancels it.
    (cancellation,) = read("asseinfo-br_danfe__nfe_simples_nacional_cancellation_event.xml")
    assert cancellation == ParsedCancellation(
        1,
        "35150162013294000143550010000000011000000018",
        datetime(2015, 1, 14, tzinfo=BRASILIA_SUMMER),
        "VENDA FINALIZADA COM ERRO",
    )
    invoice = only_invoice("asseinfo-br_danfe__nfe_simples_nacional_authorized.xml")
    assert invoice.invoice.access_key == cancellation.access_key
    assert installments(invoice.invoice) == [
        ("1", date(2015, 2, 13), 2556),
        ("2", date(2015, 3, 15), 2556),
        ("3", date(2015, 4, 14), 2555),
    ]


def test_a_carta_de_correcao_is_not_a_cancellation() -> None:
    (result,) = read("nfephp-org-sped-da__110110-53181011028793000173550010000066701204276800-1-procEventoNfe.xml")
    assert isinstance(result, Rejection)
    assert result.reason == (
        "event 110110 (Carta de Correcao) is not a cancellation: only NF-e cancellations (tpEvento 110111, 110112) "
        "are read"
    )


def test_a_bundled_cancellation_of_another_nfe_is_not_applied() -> None:
    # sped-da's mod55-nfe_1.xml carries the retEvento of cancelada_55_new.xml's NF-e, and seven copies of one
    # duplicata: the NF-e is refused and no cancellation comes out of it.
    (result,) = read("nfephp-org-sped-da__mod55-nfe_1.xml", TRIALS)
    assert isinstance(result, Rejection)
    assert "repeats an installment number" in result.reason


# What is not collected, and why


def test_no_payment_and_no_duplicata() -> None:
    result = only_invoice("akretion-nfelib__35180834128745000152550010000476781421693968-nfe.xml")
    invoice = result.invoice
    assert (invoice.total, invoice.installments, invoice.not_collectable) == (
        brl("313.92"),
        (),
        "no payment (tPag 90)",
    )
    assert invoice.access_key == "35180834128745000152550010000476781421693968"
    assert result.items == (
        Item(description="AVEIA EM FLOCOS FINOS 500G (#)", quantity="72.0000", amount=brl("313.92")),
    )


@pytest.mark.parametrize(
    ("name", "total", "reason"),
    [
        ("akretion-nfelib__35180834128745000152550010000474491454651420-nfe.xml", "173.01", "free goods (CFOP 5910)"),
        ("akretion-nfelib__35180834128745000152550010000474501597356342-nfe.xml", "175.01", "free goods (CFOP 6910)"),
    ],
)
def test_bonus_goods_are_not_collected(name: str, total: str, reason: str) -> None:
    result = only_invoice(name)
    assert (result.invoice.total, result.invoice.installments, result.invoice.not_collectable) == (
        brl(total),
        (),
        reason,
    )
    assert len(result.items) == 20
    assert result.items[0] == Item(description="GRANOLA TRADICIONAL 800G", quantity="2.0000", amount=brl("10.25"))


def test_a_line_given_for_free_keeps_its_zero_value() -> None:
    result = only_invoice("akretion-nfelib__35180834128745000152550010000474491454651420-nfe.xml")
    assert Item(description="GOLDEN MIX 100G", quantity="2.0000", amount=brl("0.00")) in result.items


def test_part_paid_at_the_counter_leaves_the_rest_due() -> None:
    # Layout 3.10 from the test environment: R$ 120.00 deposited and R$ 120.00 in cash of R$ 689.91.
    result = only_invoice(
        "nfephp-org-sped-da__mod55-nfe_3.xml", ParseOptions(accept_unauthorised_nfe=True, default_term_days=30)
    )
    assert result.invoice.not_collectable is None
    assert installments(result.invoice) == [("1", date(2015, 4, 26), 44991)]


def test_a_long_sale_keeps_its_duplicata_and_the_first_twenty_lines() -> None:
    result = only_invoice("akretion-nfelib__35180834128745000152550010000476861118934859-nfe.xml")
    assert installments(result.invoice) == [("001", date(2018, 9, 19), 325192)]
    assert result.invoice.not_collectable is None
    assert len(result.items) == 20  # of 41
    assert result.items[0] == Item(description="GRANOLA TRADICIONAL 800G", quantity="36.0000", amount=brl("462.24"))


# UBL: a due date only in the payment terms text


@pytest.mark.parametrize(
    ("name", "issued", "days"),
    [
        ("itplr-kosit-xrechnung-testsuite__01.05a-INVOICE_ubl.xml", date(2015, 4, 24), 14),  # "14 Tage"
        (
            "itplr-kosit-xrechnung-testsuite__01.04a-INVOICE_ubl.xml",
            date(2016, 6, 16),
            14,
        ),  # "... 120,00 € innerhalb von 14 Tagen ..."
        (
            "itplr-kosit-xrechnung-testsuite__04.01a-INVOICE_ubl.xml",
            date(2019, 5, 15),
            14,
        ),  # "Zahlbar innerhalb 14 Tagen ..."
        ("ConnectingEurope-eInvoicing-EN16931__BIS_Billing_30-Forskott_slutreglering.xml", date(2018, 8, 2), 30),
    ],
)
def test_the_due_date_is_read_from_the_payment_terms(name: str, issued: date, days: int) -> None:
    result = only_invoice(name, ParseOptions(default_term_days=3))
    assert result.invoice.issue_date == issued
    assert [i.due_date for i in result.invoice.installments] == [issued + timedelta(days=days)]
    terms = [w.reason for w in result.warnings if w.code != "name_only"]
    assert terms == [f"due date read from the payment terms: {days} days after issue"]


@pytest.mark.parametrize(
    ("name", "issued"),
    [
        # "Arbetet påbörjas 7 dagar efter mottagen förskottsbetalning": work starts 7 days after the prepayment.
        ("ConnectingEurope-eInvoicing-EN16931__BIS_Billing_30-Forskott_(ej moms).xml", date(2018, 1, 9)),
        # "#SKONTO#TAGE=7#PROZENT=2.00#...": XRechnung's early-payment discount syntax, not a due date.
        ("itplr-kosit-xrechnung-testsuite__01.10a-INVOICE_ubl.xml", date(2016, 6, 27)),
    ],
)
def test_terms_without_a_due_period_leave_the_configured_term(name: str, issued: date) -> None:
    result = only_invoice(name, ParseOptions(default_term_days=3))
    assert [i.due_date for i in result.invoice.installments] == [issued + timedelta(days=3)]
    # The issuer wrote terms the reader does not take: the default term is a guess, and the report says so.
    assert [(w.code, dict(w.facts)) for w in result.warnings if w.code != "name_only"] == [
        ("terms_not_read", {"days": "3"})
    ]


def test_a_buyer_whose_electronic_address_is_an_e_mail_gets_it_as_its_e_mail_too() -> None:
    # XRechnung 01.04a: the buyer's EndpointID is scheme EM (buyer@info.de). Still its reference (the account it
    # opened is found by it); a new account's id is then a hash, never the address.
    buyer = only_invoice("itplr-kosit-xrechnung-testsuite__01.04a-INVOICE_ubl.xml").invoice.customer
    assert (buyer.reference, buyer.email) == ("buyer@info.de", "buyer@info.de")
    account_id = new_account_id(customer_references(reference=buyer.reference, email=buyer.email))
    assert account_id.startswith("acct-")


def test_ubl_lines_are_the_items() -> None:
    result = only_invoice("itplr-kosit-xrechnung-testsuite__01.05a-INVOICE_ubl.xml")
    assert result.items[0] == Item(description="Seminar", quantity="5", amount=Money(amount=670000, currency="EUR"))
    assert len(result.items) == 4


def _relabelled(name: str, label: bytes) -> bytes:
    """The published document with its prolog's encoding changed to `label`, its bytes left as they are."""
    data = (DOCUMENTS / name).read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return data.replace(b'encoding="UTF-8"', b'encoding="' + label + b'"', 1)


@pytest.mark.parametrize("label", [b"ISO-8859-1", b"iso-8859-1", b"windows-1252", b"latin1", b"ISO_8859-1", b"latin_1"])
def test_a_utf8_nfe_under_a_latin_1_prolog_keeps_its_customers_name(label: bytes) -> None:
    # What an ERP writing the prolog by hand around SEFAZ's UTF-8 gives: the name is not read as "InformÃ¡tica".
    name = "nfephp-org-sped-da__nfce111.xml"
    (original, _) = read(name)
    (relabelled, _) = list(parse_upload("uploads/nfce.xml", io.BytesIO(_relabelled(name, label)), ParseOptions()))
    assert isinstance(original, ParsedInvoice) and isinstance(relabelled, ParsedInvoice)
    assert original.invoice.customer.name == "Lumer Informática Serviços Digitais LTDA"
    assert relabelled.invoice == original.invoice


def test_an_nfe_truly_in_latin_1_is_read_in_latin_1() -> None:
    name = "nfephp-org-sped-da__nfce111.xml"
    latin = _relabelled(name, b"ISO-8859-1").decode("utf-8").encode("latin-1")
    (parsed, _) = list(parse_upload("uploads/nfce.xml", io.BytesIO(latin), ParseOptions()))
    assert isinstance(parsed, ParsedInvoice)
    assert parsed.invoice.customer.name == "Lumer Informática Serviços Digitais LTDA"


def test_an_nfe_whose_issuer_is_not_identified_is_refused_in_the_issuers_words() -> None:
    # akretion's NF-e with its emitter's CNPJ and name taken out: the customer is there, the issuer is not.
    data = (DOCUMENTS / "akretion-nfelib__35180834128745000152550010000474491454651420-nfe.xml").read_bytes()
    emit = re.search(rb"<emit>.*?</emit>", data, re.DOTALL)
    assert emit is not None
    stripped = re.sub(rb"<(CNPJ|CPF|xNome|xFant)>[^<]*</\1>", b"", emit.group(0))
    (result,) = parse_upload("uploads/nfe.xml", io.BytesIO(data.replace(emit.group(0), stripped)), ParseOptions())
    assert isinstance(result, Rejection)
    assert (result.problem.code, dict(result.problem.facts)) == ("issuer_unidentified", {})


def test_a_ubl_invoice_whose_supplier_is_not_identified_is_refused_in_the_issuers_words() -> None:
    data = (DOCUMENTS / UBL_BILLING).read_bytes()
    supplier = b"<cac:AccountingSupplierParty><cac:Party><cac:Contact><cbc:ElectronicMail>contas@example.com"
    supplier += b"</cbc:ElectronicMail></cac:Contact></cac:Party></cac:AccountingSupplierParty>"
    anonymous = re.sub(
        rb"<cac:AccountingSupplierParty>.*?</cac:AccountingSupplierParty>", supplier, data, count=1, flags=re.DOTALL
    )
    assert anonymous != data
    (result,) = parse_upload("uploads/ubl.xml", io.BytesIO(anonymous), ParseOptions())
    assert isinstance(result, Rejection)
    assert result.problem.code == "issuer_unidentified"


def test_a_ubl_invoice_without_a_supplier_is_refused_in_the_issuers_words() -> None:
    # UBL requires the supplier; without one, every supplier's invoice 1 would be the same invoice.
    data = (DOCUMENTS / UBL_BILLING).read_bytes()
    unsigned = re.sub(rb"<cac:AccountingSupplierParty>.*?</cac:AccountingSupplierParty>", b"", data, flags=re.DOTALL)
    assert unsigned != data
    (result,) = parse_upload("uploads/ubl.xml", io.BytesIO(unsigned), ParseOptions())
    assert isinstance(result, Rejection)
    assert result.problem.code == "issuer_unidentified"


@pytest.mark.parametrize("code", ["381", "396", "81"])
def test_a_ubl_invoice_whose_type_code_is_a_credit_note_credits_the_customer(code: str) -> None:
    # A credit note sent as an Invoice document (Serbia's SEF sends every credit note so): its positive
    # PayableAmount is what the business owes the customer, never an installment to collect from them.
    data = (DOCUMENTS / UBL_BILLING).read_bytes()
    assert data.count(b"<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>") == 1
    credit = data.replace(b"<cbc:InvoiceTypeCode>380<", b"<cbc:InvoiceTypeCode>" + code.encode() + b"<")
    invoice = only_invoice(UBL_BILLING).invoice
    (result,) = parse_upload("uploads/credit.xml", io.BytesIO(credit), ParseOptions())
    assert isinstance(result, ParsedInvoice)
    assert result.invoice.kind == "credit_note"
    assert result.invoice.total == Money(amount=-invoice.total.amount, currency=invoice.total.currency)
    assert result.invoice.installments == ()
    assert result.invoice.key != invoice.key  # the invoice of that number, if any, is another document
    assert result.items == only_invoice(UBL_BILLING).items  # its lines are still its InvoiceLines


def test_a_published_credit_note_sent_as_an_invoice_credits_its_customer() -> None:
    # ZATCA's standard credit note (2 pencils returned, SAR 4.60): root Invoice, InvoiceTypeCode 381.
    result = only_invoice("phax-phive-rules__Standard_Credit_Note.xml")
    invoice = result.invoice
    assert (invoice.kind, invoice.number, invoice.total) == (
        "credit_note",
        "SME00015",
        Money(amount=-460, currency="SAR"),
    )
    assert invoice.installments == ()
    assert invoice.customer.tax_id == "399999999800003"
    assert result.items == (
        Item(description="Pencil | قلم", quantity="2.000000", amount=Money(amount=400, currency="SAR")),
    )


def test_a_published_xrechnung_credit_note_with_zoned_dates_is_read() -> None:
    # KoSIT's BR-DE-17 test instance: an Invoice of type 381 whose IssueDate names its zone, as xsd:date allows.
    result = only_invoice("phax-phive-rules__ubl-inv-br-de-17-test-125-code-381.xml")
    invoice = result.invoice
    assert (invoice.kind, invoice.issue_date) == ("credit_note", date(2016, 4, 4))
    assert invoice.total == Money(amount=-33690, currency="EUR")


def _issued_on(written: str) -> ParseResult:
    """The published XRechnung invoice read with its IssueDate written as `written`."""
    data = (DOCUMENTS / UBL_BILLING).read_bytes()
    issued = re.search(rb"<cbc:IssueDate>([^<]*)</cbc:IssueDate>", data)
    assert issued is not None
    changed = data.replace(issued.group(0), b"<cbc:IssueDate>" + written.encode() + b"</cbc:IssueDate>", 1)
    (result,) = parse_upload("uploads/invoice.xml", io.BytesIO(changed), ParseOptions())
    return result


@pytest.mark.parametrize("written", ["2016-04-04+01:00", "2016-04-04Z", "2016-04-04-03:00", "2016-04-04"])
def test_a_ubl_date_is_the_day_written_whatever_zone_it_names(written: str) -> None:
    result = _issued_on(written)
    assert isinstance(result, ParsedInvoice)
    assert result.invoice.issue_date == date(2016, 4, 4)


@pytest.mark.parametrize("written", ["2016-04-04T10:00:00", "2016-04-04+1:00", "04/04/2016", "2016-04-04 +01:00"])
def test_a_ubl_date_that_is_no_xsd_date_is_refused(written: str) -> None:
    result = _issued_on(written)
    assert isinstance(result, Rejection) and result.problem.code == "ubl_date"


def test_a_published_invoice_whose_supplier_gives_no_real_address_is_read() -> None:
    # KoSIT's 01.08a: the supplier's contact e-mail is the placeholder "Emailadresse". It reaches nobody, and the
    # invoice was refused for it whole.
    result = only_invoice("phax-phive-rules__01.08a-INVOICE_ubl.xml")
    invoice = result.invoice
    assert (invoice.number, invoice.total) == ("R123456789", Money(amount=282587, currency="EUR"))
    assert installments(invoice) == [("1", date(2016, 2, 1), 282587)]
    assert invoice.issuer is not None and (invoice.issuer.tax_id, invoice.issuer.email) == ("DE123456789", None)


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("Email Address", None),
        ("a@x.de; b@x.de", None),
        ("a(at)x.de", None),
        ("$%()*", None),
        ("Firma GmbH <rechnung@firma.de>", "rechnung@firma.de"),
        ("rechnung@firma.de", "rechnung@firma.de"),
        # Kept as written when the record takes it, as it always was: the invoice's fingerprint holds it.
        ("mailto:rechnung@firma.de", "mailto:rechnung@firma.de"),
        ("<rechnung@firma.de>", "<rechnung@firma.de>"),
    ],
)
def test_the_suppliers_e_mail_is_kept_when_it_is_one_address_and_refuses_nothing(
    written: str, kept: str | None
) -> None:
    data = (DOCUMENTS / UBL_BILLING).read_bytes()
    supplier = re.search(rb"<cac:AccountingSupplierParty>.*?</cac:AccountingSupplierParty>", data, re.DOTALL)
    assert supplier is not None
    contact = (
        b"<cac:Contact><cbc:ElectronicMail>"
        + written.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode()
        + b"</cbc:ElectronicMail></cac:Contact>"
    )
    party = re.sub(rb"<cac:Contact>.*?</cac:Contact>", b"", supplier.group(0), flags=re.DOTALL)
    party = party.replace(b"</cac:Party>", contact + b"</cac:Party>", 1)
    (result,) = parse_upload("uploads/invoice.xml", io.BytesIO(data.replace(supplier.group(0), party)), ParseOptions())
    assert isinstance(result, ParsedInvoice), result
    assert result.invoice.issuer is not None and result.invoice.issuer.email == kept
    original = only_invoice(UBL_BILLING).invoice
    assert (result.invoice.total, result.invoice.installments) == (original.total, original.installments)


def test_a_published_invoice_whose_terms_name_the_due_day_is_due_that_day() -> None:
    # XRechnung 04.04a: no DueDate; "Zahlung ohne Abzug bis zum 13.08.2021 bei uns eingehend." (issued 14.07.2021)
    result = only_invoice("itplr-kosit-xrechnung-testsuite__04.04a-INVOICE_ubl.xml")
    assert installments(result.invoice) == [("1", date(2021, 8, 13), 417544)]
    assert [w.code for w in result.warnings] == ["payment_terms_date"]


def test_a_published_invoice_with_a_payment_term_of_nothing_is_due_by_its_due_date() -> None:
    # PINT Oman's FullInvoice: a PaymentTerms of 0.00 OMR by 2025-02-13 beside DueDate 2025-02-13. It was refused whole
    # as an installment that is not positive (once the supplier's placeholder e-mail no longer refused it first).
    result = only_invoice("phax-phive-rules__pint-om-FullInvoice.xml")
    assert installments(result.invoice) == [("1", date(2025, 2, 13), 11175450)]
    assert result.invoice.total == Money(amount=11175450, currency="OMR")


def test_a_ubl_invoice_of_another_type_code_is_an_invoice() -> None:
    data = (DOCUMENTS / UBL_BILLING).read_bytes()
    for code in (b"380", b"326", b"386", b"389", b" 380 "):
        relabelled = data.replace(b"<cbc:InvoiceTypeCode>380<", b"<cbc:InvoiceTypeCode>" + code + b"<")
        (result,) = parse_upload("uploads/invoice.xml", io.BytesIO(relabelled), ParseOptions())
        assert isinstance(result, ParsedInvoice) and result.invoice.kind == "invoice", code
        assert result.invoice.total.amount > 0


def test_an_nfe_with_an_empty_protocol_is_one_without_a_protocol() -> None:
    # br_danfe's unauthorised NFC-e: `<protNFe><infProt></infProt></protNFe>`, as a DANFE tool leaves it before SEFAZ
    # answers. It was refused as "not authorised: cStat None".
    name = "asseinfo-br_danfe__nfce-unauthorized-prod.xml"
    (refused,) = read(name)
    assert isinstance(refused, Rejection) and refused.problem.code == "nfe_no_protocol"
    assert only_invoice(name, TRIALS).invoice.customer.name == "John Doe"


BOLETO_SALE = "akretion-nfelib__35180834128745000152550010000476861118934859-nfe.xml"  # vNF 3251.92, by boleto


def _paid_by(payment: str) -> bytes:
    """akretion's boleto sale with its duplicatas taken out and its payment group replaced by `payment`."""
    text = (DOCUMENTS / BOLETO_SALE).read_text("utf-8")
    text = re.sub(r"<cobr>.*?</cobr>\s*", "", text, flags=re.DOTALL)
    return re.sub(r"<pag>.*?</pag>", f"<pag>{payment}</pag>", text, flags=re.DOTALL).encode()


@pytest.mark.parametrize(("means", "said"), [("03", "credit card"), ("04", "debit card"), ("10", "food voucher")])
def test_a_card_in_installments_is_the_card_companys_to_collect_not_the_businesss(means: str, said: str) -> None:
    # indPag 1 (a prazo): the customer pays the card company in installments; the business is paid by it.
    card = "<card><tpIntegra>1</tpIntegra><CNPJ>01027058000191</CNPJ><tBand>01</tBand><cAut>123456</cAut></card>"
    payment = f"<detPag><indPag>1</indPag><tPag>{means}</tPag><vPag>3251.92</vPag>{card}</detPag>"
    (result,) = parse_upload("uploads/nfe.xml", io.BytesIO(_paid_by(payment)), ParseOptions())
    assert isinstance(result, ParsedInvoice)
    assert (result.invoice.installments, result.invoice.not_collectable) == ((), f"paid at the sale: {said}")


def _dup_beside(payment: str) -> bytes:
    """akretion's boleto sale, its duplicata kept, with its payment group replaced by `payment`."""
    text = (DOCUMENTS / BOLETO_SALE).read_text("utf-8")
    return re.sub(r"<pag>.*?</pag>", f"<pag>{payment}</pag>", text, flags=re.DOTALL).encode()


@pytest.mark.parametrize(
    ("payment", "said"),
    [
        # What a store's ERP writes for a phone bought by credit card (a published production NF-e shows it:
        # indPag 0, tPag 03 for vNF, and one duplicata for the card company's payment a month later).
        ("<detPag><indPag>0</indPag><tPag>03</tPag><vPag>3251.92</vPag></detPag>", "credit card"),
        ("<detPag><indPag>1</indPag><tPag>03</tPag><vPag>3251.92</vPag></detPag>", "credit card"),
        ("<detPag><tPag>03</tPag><vPag>3251.92</vPag></detPag>", "credit card"),
        (
            "<detPag><tPag>04</tPag><vPag>2000.00</vPag></detPag><detPag><tPag>10</tPag><vPag>1251.92</vPag></detPag>",
            "debit card, food voucher",
        ),
    ],
)
def test_duplicatas_beside_a_sale_paid_at_the_till_are_not_collected_from_the_customer(payment: str, said: str) -> None:
    (result,) = parse_upload("uploads/nfe.xml", io.BytesIO(_dup_beside(payment)), ParseOptions())
    assert isinstance(result, ParsedInvoice)
    assert (result.invoice.installments, result.invoice.not_collectable) == ((), f"paid at the sale: {said}")
    assert "nfe_duplicatas_paid" in [w.code for w in result.warnings]


@pytest.mark.parametrize(
    "payment",
    [
        "<detPag><tPag>15</tPag><vPag>3251.92</vPag></detPag>",  # a boleto: paid later
        "<detPag><tPag>90</tPag><vPag>0.00</vPag></detPag>",  # "no payment" beside duplicatas
        "<detPag><tPag>01</tPag><vPag>1000.00</vPag></detPag><detPag><tPag>15</tPag><vPag>2251.92</vPag></detPag>",
        "<detPag><indPag>1</indPag><tPag>01</tPag><vPag>3251.92</vPag></detPag>",  # cash promised for later
        # Pix, cash, cheque or a deposit for vNF, even flagged à vista: how the duplicatas may be paid.
        "<detPag><indPag>0</indPag><tPag>01</tPag><vPag>3251.92</vPag></detPag>",
        "<detPag><indPag>0</indPag><tPag>17</tPag><vPag>3251.92</vPag></detPag>",
        "<detPag><tPag>17</tPag><vPag>3251.92</vPag></detPag>",
        "<detPag><tPag>01</tPag><vPag>3251.92</vPag></detPag>",
        "<detPag><tPag>02</tPag><vPag>3251.92</vPag></detPag>",
        "<detPag><tPag>16</tPag><vPag>3251.92</vPag></detPag>",
        # A card for part, the rest not flagged.
        "<detPag><tPag>03</tPag><vPag>1000.00</vPag></detPag><detPag><tPag>17</tPag><vPag>2251.92</vPag></detPag>",
    ],
)
def test_duplicatas_are_collected_when_the_sale_was_not_paid_whole_at_the_till(payment: str) -> None:
    (result,) = parse_upload("uploads/nfe.xml", io.BytesIO(_dup_beside(payment)), ParseOptions())
    original = only_invoice(BOLETO_SALE).invoice
    assert isinstance(result, ParsedInvoice)
    assert (result.invoice.installments, result.invoice.not_collectable) == (original.installments, None)
    assert "nfe_duplicatas_paid" not in [w.code for w in result.warnings]


@pytest.mark.parametrize("means", ["01", "17"])  # cash, a Pix the customer scheduled
def test_cash_or_pix_promised_for_later_is_still_collected(means: str) -> None:
    payment = f"<detPag><indPag>1</indPag><tPag>{means}</tPag><vPag>3251.92</vPag></detPag>"
    (result,) = parse_upload("uploads/nfe.xml", io.BytesIO(_paid_by(payment)), ParseOptions())
    assert isinstance(result, ParsedInvoice)
    assert [i.amount for i in result.invoice.installments] == [brl("3251.92")]


def test_a_cancellation_by_substitution_cancels_the_nfce_it_came_with() -> None:
    # sped-da's cancelled NFC-e, its bundled event made a cancellation by substitution (110112), sold on store credit.
    text = (DOCUMENTS / "nfephp-org-sped-da__nfce111.xml").read_text("utf-8").replace("110111", "110112")
    text = re.sub(r"<tPag>\d\d</tPag>", "<tPag>05</tPag>", text)
    invoice, cancellation = parse_upload("uploads/nfce.xml", io.BytesIO(text.encode()), ParseOptions())
    assert isinstance(invoice, ParsedInvoice) and isinstance(cancellation, ParsedCancellation)
    assert cancellation.access_key == invoice.invoice.access_key


def test_duplicatas_that_bill_more_than_the_nfe_are_recorded_with_a_warning() -> None:
    # akretion's boleto sale (vNF 3251.92) with three duplicatas of 1500.00: the duplicatas are what is collected.
    text = (DOCUMENTS / BOLETO_SALE).read_text("utf-8")
    duplicatas = "".join(
        f"<dup><nDup>00{n}</nDup><dVenc>2018-09-1{n}</dVenc><vDup>1500.00</vDup></dup>" for n in (1, 2, 3)
    )
    text = re.sub(r"(<cobr>.*?)(<dup>.*</dup>)(.*?</cobr>)", rf"\g<1>{duplicatas}\g<3>", text, flags=re.DOTALL)
    (result,) = parse_upload("uploads/nfe.xml", io.BytesIO(text.encode()), ParseOptions())
    assert isinstance(result, ParsedInvoice)
    assert sum(i.amount.amount for i in result.invoice.installments) == 450000
    (warning,) = [w for w in result.warnings if w.code == "installments_exceed"]
    assert row_message(warning.code, warning.facts, "pt-BR").replace("\xa0", " ") == (
        "As parcelas somam R$ 4.500,00, mais que o total de R$ 3.251,92 do documento: confira"
    )


def test_terms_that_say_to_pay_at_once_are_due_on_the_issue_date() -> None:
    # XRechnung 01.01a: "Zahlbar sofort ohne Abzug." (payable at once, no deduction), whatever the default term.
    result = only_invoice("itplr-kosit-xrechnung-testsuite__01.01a-INVOICE_ubl.xml", ParseOptions(default_term_days=3))
    assert [i.due_date for i in result.invoice.installments] == [date(2016, 4, 4)]
    assert [w.code for w in result.warnings if w.code != "name_only"] == []
