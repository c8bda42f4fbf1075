import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from ponte.domain.invoices import Invoice
from ponte.invoices import FileRejected, ParsedInvoice, ParseOptions, Rejection
from ponte.invoices.nfe import parse

FixtureFile = Callable[[str, str], Path]

KEY = "35240112345678000195550010000012341000012345"
TRIALS = ParseOptions(accept_unauthorised_nfe=True)


def nfe_xml(
    *,
    dest: str = "<CNPJ>11222333000181</CNPJ><xNome>Mercado Bom Preço</xNome><email>contas@bompreco.com.br</email>",
    cobr: str = "",
    prot: str | None = "<cStat>100</cStat><xMotivo>Autorizado o uso da NF-e</xMotivo>",
    tp_nf: str = "1",
    tp_amb: str = "1",
    emission: str = "<dhEmi>2024-01-15T10:30:00-03:00</dhEmi>",
    version: str = "4.00",
    access_key: str = f"NFe{KEY}",
) -> bytes:
    """A minimal NF-e with the groups the parser reads; the other groups of the layout are left out."""
    document = f"""<NFe xmlns="http://www.portalfiscal.inf.br/nfe"><infNFe versao="{version}" Id="{access_key}">
      <ide><mod>55</mod><serie>1</serie><nNF>1234</nNF>{emission}<tpNF>{tp_nf}</tpNF><tpAmb>{tp_amb}</tpAmb></ide>
      <emit><CNPJ>12345678000195</CNPJ><xNome>Distribuidora Exemplo Ltda</xNome></emit>
      {f"<dest>{dest}</dest>" if dest else ""}
      <total><ICMSTot><vNF>1500.00</vNF></ICMSTot></total>
      {f"<cobr>{cobr}</cobr>" if cobr else ""}
    </infNFe></NFe>"""
    if prot is None:
        return document.encode()
    return (
        f'<nfeProc xmlns="http://www.portalfiscal.inf.br/nfe" versao="4.00">{document}'
        f"<protNFe><infProt><chNFe>{KEY}</chNFe>{prot}</infProt></protNFe></nfeProc>"
    ).encode()


def read(data: bytes, options: ParseOptions | None = None) -> ParsedInvoice | Rejection:
    (result,) = parse(io.BytesIO(data), options=options or ParseOptions())
    return result


def parsed(data: bytes, options: ParseOptions | None = None) -> Invoice:
    result = read(data, options)
    assert isinstance(result, ParsedInvoice), result
    return result.invoice


def installments(invoice: Invoice) -> list[tuple[str, date, int]]:
    return [(i.number, i.due_date, i.amount.amount) for i in invoice.installments]


# Hand-made documents: every rule, independent of the third-party files.


def test_duplicatas_are_the_installments() -> None:
    invoice = parsed(
        nfe_xml(
            cobr="<fat><nFat>1234</nFat></fat>"
            "<dup><nDup>001</nDup><dVenc>2024-02-15</dVenc><vDup>750.00</vDup></dup>"
            "<dup><nDup>002</nDup><dVenc>2024-03-15</dVenc><vDup>750.00</vDup></dup>"
        )
    )
    assert invoice.key == f"nfe:{KEY}"
    assert (invoice.number, invoice.series, invoice.issue_date) == ("1234", "1", date(2024, 1, 15))
    assert (invoice.currency, invoice.total.amount) == ("BRL", 150000)
    assert installments(invoice) == [("001", date(2024, 2, 15), 75000), ("002", date(2024, 3, 15), 75000)]
    assert invoice.customer.model_dump(exclude_none=True) == {
        "name": "Mercado Bom Preço",
        "tax_id": "11222333000181",
        "email": "contas@bompreco.com.br",
    }
    assert invoice.issuer is not None
    assert invoice.issuer.tax_id == "12345678000195"


def test_without_cobr_the_total_is_due_on_issue_plus_the_configured_term() -> None:
    assert installments(parsed(nfe_xml())) == [("1", date(2024, 1, 15), 150000)]
    assert installments(parsed(nfe_xml(), ParseOptions(default_term_days=30))) == [("1", date(2024, 2, 14), 150000)]


def test_a_duplicata_without_number_or_due_date_gets_defaults() -> None:
    invoice = parsed(nfe_xml(cobr="<dup><vDup>1500.00</vDup></dup>"), ParseOptions(default_term_days=10))
    assert installments(invoice) == [("1", date(2024, 1, 25), 150000)]


def test_the_local_issue_date_is_kept_whatever_the_offset() -> None:
    late_evening = nfe_xml(emission="<dhEmi>2024-01-15T23:30:00-03:00</dhEmi>")
    assert parsed(late_evening).issue_date == date(2024, 1, 15)
    assert parsed(nfe_xml(emission="<dEmi>2010-05-02</dEmi>")).issue_date == date(2010, 5, 2)


def test_a_recipient_without_cnpj_or_cpf_is_still_a_customer() -> None:
    invoice = parsed(nfe_xml(dest="<idEstrangeiro>EXTERIOR</idEstrangeiro><xNome>Foreign Buyer GmbH</xNome>"))
    assert invoice.customer.model_dump(exclude_none=True) == {"name": "Foreign Buyer GmbH"}


def test_the_first_of_several_e_mails_is_used_and_an_alphanumeric_cnpj_is_accepted() -> None:
    dest = "<CNPJ>12ABC34501DE35</CNPJ><xNome>Nova SA</xNome><email>a@nova.com.br; b@nova.com.br</email>"
    customer = parsed(nfe_xml(dest=dest)).customer
    assert (customer.tax_id, customer.email) == ("12ABC34501DE35", "a@nova.com.br")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (nfe_xml(dest=""), "no customer to collect from: the NF-e has no recipient (dest)"),
        (nfe_xml(dest="<CPF>014345733812</CPF><xNome>X</xNome>"), "recipient CPF '014345733812' is not 11 digits"),
        (nfe_xml(dest="<CNPJ>1122233300018</CNPJ><xNome>X</xNome>"), "recipient CNPJ '1122233300018' is not 14"),
        (nfe_xml(tp_nf="0"), "an inbound NF-e (tpNF 0, entrada)"),
        (nfe_xml(prot="<cStat>110</cStat><xMotivo>Uso Denegado</xMotivo>"), "not authorised by SEFAZ: cStat 110"),
        (nfe_xml(prot=None), "no authorisation protocol (protNFe)"),
        (nfe_xml(tp_amb="2"), "SEFAZ test environment (tpAmb 2)"),
        (nfe_xml(version="2.00"), "NF-e layout '2.00' is not read"),
        (nfe_xml(access_key="NFe123"), "is not an NF-e access key"),
        (nfe_xml(emission="<dhEmi>ontem</dhEmi>"), "issue date is not a date"),
        (nfe_xml(cobr="<dup><dVenc>2024-02-30</dVenc><vDup>1</vDup></dup>"), "duplicata 1: dVenc '2024-02-30'"),
        (nfe_xml(cobr="<dup><vDup>0.00</vDup></dup>"), "an installment must be positive"),
    ],
)
def test_refusals_say_why(data: bytes, reason: str) -> None:
    result = read(data)
    assert isinstance(result, Rejection)
    assert result.line == 1
    assert reason in result.reason


def test_a_protocol_for_another_document_is_refused() -> None:
    data = nfe_xml().replace(f"<chNFe>{KEY}</chNFe>".encode(), b"<chNFe>" + b"9" * 44 + b"</chNFe>")
    assert read(data) == Rejection(1, "the authorisation protocol belongs to another NF-e (chNFe differs)")


def test_trial_option_accepts_no_protocol_or_test_environment_but_never_a_denial() -> None:
    assert isinstance(read(nfe_xml(prot=None), TRIALS), ParsedInvoice)
    assert isinstance(read(nfe_xml(tp_amb="2"), TRIALS), ParsedInvoice)
    assert isinstance(read(nfe_xml(prot="<cStat>302</cStat>"), TRIALS), Rejection)
    assert isinstance(read(nfe_xml(prot="<cStat>150</cStat>")), ParsedInvoice)


def test_another_xml_document_is_refused_whole() -> None:
    with pytest.raises(FileRejected, match="not an NF-e"):
        read(b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>')


# The published sample documents (nfelib and sped-nfe test files).


def fixture_invoice(
    fixture_file: FixtureFile, name: str, options: ParseOptions | None = None
) -> ParsedInvoice | Rejection:
    with fixture_file("nfe", name).open("rb") as stream:
        (result,) = parse(stream, options=options or ParseOptions())
    return result


def test_fixture_two_installments(fixture_file: FixtureFile) -> None:
    result = fixture_invoice(fixture_file, "nfelib__26180875335849000115550010000016871192213331-nfe.xml")
    assert isinstance(result, ParsedInvoice)
    invoice = result.invoice
    assert invoice.key == "nfe:26180875335849000115550010000016871192213331"
    assert (invoice.number, invoice.series, invoice.issue_date) == ("1687", "1", date(2018, 8, 16))
    assert invoice.total.amount == 578000
    assert installments(invoice) == [("001", date(2018, 9, 25), 289000), ("002", date(2018, 11, 4), 289000)]
    assert (invoice.customer.name, invoice.customer.tax_id) == ("MEDICOS, HOSP, IMP. E EXP. LTDA", "37148260000119")
    assert invoice.issuer is not None
    assert invoice.issuer.tax_id == "75335849000115"


def test_fixture_three_installments_due_before_issue(fixture_file: FixtureFile) -> None:
    result = fixture_invoice(fixture_file, "nfelib__nfe_reforma_tributaria.xml")
    assert isinstance(result, ParsedInvoice)
    invoice = result.invoice
    assert (invoice.number, invoice.issue_date, invoice.total.amount) == ("664350", date(2025, 7, 1), 16474681)
    assert installments(invoice) == [
        ("001", date(2023, 12, 31), 5491505),
        ("002", date(2024, 1, 10), 5491505),
        ("003", date(2024, 1, 20), 5491671),
    ]


def test_fixture_one_installment_with_text_number_and_cpf(fixture_file: FixtureFile) -> None:
    result = fixture_invoice(fixture_file, "nfelib__35180834128745000152550010000474281920007498-nfe.xml")
    assert isinstance(result, ParsedInvoice)
    assert installments(result.invoice) == [("47428/1-1", date(2018, 8, 24), 34728)]
    assert result.invoice.customer.tax_id == "68161525650"


def test_fixture_installment_smaller_than_the_total(fixture_file: FixtureFile) -> None:
    result = fixture_invoice(fixture_file, "nfelib__42211275277525000178550030000276771368212013-procNFe.xml")
    assert isinstance(result, ParsedInvoice)
    invoice = result.invoice
    assert (invoice.total.amount, invoice.amount_due.amount) == (1960603, 1910400)
    assert installments(invoice) == [("001", date(2021, 12, 15), 1910400)]
    assert invoice.customer.email == "marianaalmeida@me.com"


def test_fixture_no_cobr_is_due_on_issue(fixture_file: FixtureFile) -> None:
    result = fixture_invoice(
        fixture_file, "nfelib__35180834128745000152550010000476121675985748-nfe.xml", ParseOptions(default_term_days=5)
    )
    assert isinstance(result, ParsedInvoice)
    assert installments(result.invoice) == [("1", date(2018, 8, 21), 906)]


def test_fixture_foreign_buyer(fixture_file: FixtureFile) -> None:
    result = fixture_invoice(fixture_file, "nfelib__42220575277525000178550030000292481295366801-procNFe.xml")
    assert isinstance(result, ParsedInvoice)
    assert result.invoice.customer.model_dump(exclude_none=True) == {
        "name": "Jung Usa Corporation",
        "email": "export@jung.com.br",
    }
    assert installments(result.invoice) == [("001", date(2023, 5, 22), 6423704)]


def test_fixture_layout_310_from_the_test_environment(fixture_file: FixtureFile) -> None:
    name = "sped-nfe__2017protocoled.xml"
    refused = fixture_invoice(fixture_file, name)
    assert isinstance(refused, Rejection)
    assert "tpAmb 2" in refused.reason
    result = fixture_invoice(fixture_file, name, TRIALS)
    assert isinstance(result, ParsedInvoice)
    invoice = result.invoice
    assert (invoice.number, invoice.issue_date, invoice.total.amount) == ("30", date(2017, 3, 15), 1946630)
    assert installments(invoice) == [("000030-1", date(2016, 10, 20), 1946630)]


def test_fixture_duplicata_far_below_the_total(fixture_file: FixtureFile) -> None:
    result = fixture_invoice(fixture_file, "sped-nfe__nfe_layout4_com_prot.xml", TRIALS)
    assert isinstance(result, ParsedInvoice)
    assert (result.invoice.total.amount, installments(result.invoice)) == (50000, [("001", date(2018, 12, 31), 100)])


def test_fixture_unauthorised(fixture_file: FixtureFile) -> None:
    result = fixture_invoice(fixture_file, "nfelib__NFe35200159594315000157550010000000012062777161.xml")
    assert result == Rejection(1, "the NF-e has no authorisation protocol (protNFe), so it has no legal validity")


def test_fixture_nfce_without_customer(fixture_file: FixtureFile) -> None:
    result = fixture_invoice(fixture_file, "sped-nfe__nfce_com_qrcode.xml", TRIALS)
    assert isinstance(result, Rejection)
    assert result.reason.startswith("no customer to collect from")


def test_fixture_invalid_cpf(fixture_file: FixtureFile) -> None:
    result = fixture_invoice(fixture_file, "sped-nfe__nfe_4.0.xml")
    assert result == Rejection(1, "recipient CPF '014345733812' is not 11 digits")


def test_fixture_inbound_document(fixture_file: FixtureFile) -> None:
    result = fixture_invoice(fixture_file, "nfelib__42210775277525000178550030000266631762885493-procNFe.xml")
    assert isinstance(result, Rejection)
    assert "tpNF 0" in result.reason
