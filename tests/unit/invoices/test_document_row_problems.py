"""What an upload's report says of an NF-e or UBL document refused, or recorded with something to check: each
problem's code, the facts its sentence needs (the values as the document writes them), and a sentence in the back
office's language more precise than the general one. Minimal documents show every code; the published documents
that show one (shared/fixtures/invoices, documents/ORIGINS.md) show it too."""

import io
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

import pytest

from ponte.invoices import ParsedInvoice, ParseOptions, Rejection, nfe, ubl
from ponte.invoices.results import ParseResult, Problem
from ponte.messages.texts.rows import ROWS, row_message

type Parser = Callable[..., Iterator[ParseResult]]

FixtureFile = Callable[[str, str], Path]

DOCUMENTS = Path(__file__).parent / "documents"
TRIALS = ParseOptions(accept_unauthorised_nfe=True)
KEY = "35240112345678000195550010000012341000012345"
OTHER_KEY = "9" * 44

NFE_ALONE = f"""<NFe xmlns="http://www.portalfiscal.inf.br/nfe"><infNFe versao="4.00" Id="NFe{KEY}">
  <ide><serie>1</serie><nNF>1234</nNF><dhEmi>2024-01-15T10:30:00-03:00</dhEmi><tpNF>1</tpNF><tpAmb>1</tpAmb></ide>
  <emit><CNPJ>12345678000195</CNPJ><xNome>Distribuidora Exemplo Ltda</xNome></emit>
  <dest><CNPJ>11222333000181</CNPJ><xNome>Mercado Bom Preço</xNome></dest>
  <total><ICMSTot><vNF>1500.00</vNF></ICMSTot></total>
  <cobr><dup><nDup>001</nDup><dVenc>2024-02-15</dVenc><vDup>1500.00</vDup></dup></cobr>
</infNFe></NFe>"""
# As distributed: the NF-e and SEFAZ's authorisation protocol.
NFE = (
    f'<nfeProc xmlns="http://www.portalfiscal.inf.br/nfe" versao="4.00">{NFE_ALONE}<protNFe><infProt>'
    f"<chNFe>{KEY}</chNFe><cStat>100</cStat><xMotivo>Autorizado o uso da NF-e</xMotivo></infProt></protNFe></nfeProc>"
)

CANCELLATION = f"""<procEventoNFe xmlns="http://www.portalfiscal.inf.br/nfe" versao="1.00">
<evento><infEvento><tpAmb>1</tpAmb><chNFe>{KEY}</chNFe><dhEvento>2024-01-16T09:10:00-03:00</dhEvento>
  <tpEvento>110111</tpEvento><detEvento><descEvento>Cancelamento</descEvento><xJust>Pedido em duplicidade</xJust>
  </detEvento></infEvento></evento>
<retEvento><infEvento><tpAmb>1</tpAmb><cStat>135</cStat><xMotivo>Evento registrado</xMotivo><chNFe>{KEY}</chNFe>
  <tpEvento>110111</tpEvento><dhRegEvento>2024-01-16T09:12:30-03:00</dhRegEvento></infEvento></retEvento>
</procEventoNFe>"""

UBL = """<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>INV-7</cbc:ID><cbc:IssueDate>2024-02-01</cbc:IssueDate>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>Seller</cbc:Name></cac:PartyName></cac:Party>
  </cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cac:PartyTaxScheme><cbc:CompanyID>SE5560000001</cbc:CompanyID></cac:PartyTaxScheme>
    <cac:PartyLegalEntity><cbc:RegistrationName>Buyer AB</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingCustomerParty>
  <cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="EUR">1000.00</cbc:PayableAmount></cac:LegalMonetaryTotal>
</Invoice>"""


def changed(document: str, *changes: tuple[str, str]) -> bytes:
    """The document with each (old, new) made; every old must be in it, so a case cannot silently test nothing."""
    for old, new in changes:
        assert old in document, old
        document = document.replace(old, new)
    return document.encode()


def bundled(event: str) -> bytes:
    """The NF-e delivered with `event` after its protocol, as some distributors deliver a cancelled NF-e."""
    return changed(NFE, ("</nfeProc>", event.replace(' xmlns="http://www.portalfiscal.inf.br/nfe"', "") + "</nfeProc>"))


def results(parser: Parser, stream: BinaryIO, options: ParseOptions) -> list[ParseResult]:
    return list(parser(stream, options=options))


def refused(parser: Parser, data: bytes, options: ParseOptions | None = None) -> Problem:
    (result,) = results(parser, io.BytesIO(data), options or ParseOptions())
    assert isinstance(result, Rejection), result
    return result.problem


def warned(parser: Parser, data: bytes) -> tuple[Problem, ...]:
    result = results(parser, io.BytesIO(data), ParseOptions())[0]
    assert isinstance(result, ParsedInvoice), result
    return result.warnings


def assert_said(problem: Problem, code: str, facts: Mapping[str, str]) -> None:
    """The problem has its code and facts, and each language has a sentence for it, not the general one."""
    assert (problem.code, dict(problem.facts)) == (code, facts)
    for locale in ("pt-BR", "es", "en"):
        assert row_message(problem.code, problem.facts, locale) != ROWS[locale]["unreadable"], (locale, problem)


NFE_REFUSALS = [
    pytest.param(
        b'<NFe xmlns="http://www.portalfiscal.inf.br/nfe"><Signature/></NFe>',
        ParseOptions(),
        "not_nfe",
        {},
        id="no-infNFe",
    ),
    pytest.param(
        changed(NFE, ('infNFe versao="4.00"', 'infNFe versao="2.00"')), ParseOptions(), "nfe_layout", {"value": "2.00"}
    ),
    pytest.param(changed(NFE, ("<tpNF>1</tpNF>", "<tpNF>0</tpNF>")), ParseOptions(), "nfe_inbound", {}),
    pytest.param(
        changed(NFE, ("<nNF>1234</nNF>", "")), ParseOptions(), "nfe_missing", {"element": "ide/nNF"}, id="no-nNF"
    ),
    pytest.param(
        changed(NFE, ("<vNF>1500.00</vNF>", "")),
        ParseOptions(),
        "nfe_missing",
        {"element": "total/ICMSTot/vNF"},
        id="no-vNF",
    ),
    pytest.param(changed(NFE, (f'Id="NFe{KEY}"', 'Id="NFe123"')), ParseOptions(), "nfe_key", {"value": "NFe123"}),
    pytest.param(
        changed(NFE, ("<dest><CNPJ>11222333000181</CNPJ><xNome>Mercado Bom Preço</xNome></dest>", "")),
        ParseOptions(),
        "nfe_no_recipient",
        {},
    ),
    pytest.param(
        changed(NFE, ("<CNPJ>11222333000181</CNPJ>", "<CNPJ>1122233300018</CNPJ>")),
        ParseOptions(),
        "nfe_cnpj",
        {"value": "1122233300018"},
    ),
    pytest.param(
        changed(NFE, ("<CNPJ>11222333000181</CNPJ>", "<CPF> 014345733812 </CPF>")),
        ParseOptions(),
        "nfe_cpf",
        {"value": "014345733812"},
    ),
    pytest.param(
        changed(NFE, ("<cStat>100</cStat>", "<cStat>110</cStat>")),
        TRIALS,  # a denial is refused even when unauthorised documents are accepted
        "nfe_not_authorised",
        {"status": "110"},
    ),
    pytest.param(
        changed(NFE, (f"<chNFe>{KEY}</chNFe>", f"<chNFe>{OTHER_KEY}</chNFe>")), ParseOptions(), "nfe_protocol_other", {}
    ),
    pytest.param(NFE_ALONE.encode(), ParseOptions(), "nfe_no_protocol", {}),
    pytest.param(changed(NFE, ("<tpAmb>1</tpAmb>", "<tpAmb>2</tpAmb>")), ParseOptions(), "nfe_test", {}),
    pytest.param(changed(NFE, ("2024-01-15T10:30:00-03:00", "15/01/2024")), ParseOptions(), "nfe_issue_date", {}),
    pytest.param(
        changed(NFE, ("</cobr>", "<dup><nDup>002</nDup><dVenc>30/02/2024</dVenc><vDup>1.00</vDup></dup></cobr>")),
        ParseOptions(),
        "nfe_due_date",
        {"position": "2", "value": "30/02/2024"},
    ),
]


@pytest.mark.parametrize(("data", "options", "code", "facts"), NFE_REFUSALS)
def test_each_nfe_refusal_says_what_is_wrong(
    data: bytes, options: ParseOptions, code: str, facts: dict[str, str]
) -> None:
    assert_said(refused(nfe.parse, data, options), code, facts)


EVENT_REFUSALS = [
    pytest.param(
        b'<procEventoNFe xmlns="http://www.portalfiscal.inf.br/nfe" versao="1.00"/>', "event_missing", {}, id="empty"
    ),
    pytest.param(
        changed(CANCELLATION, (f"<chNFe>{KEY}</chNFe>\n  <tpEvento>", f"<chNFe>{OTHER_KEY}</chNFe>\n  <tpEvento>")),
        "event_other_nfe",
        {},
    ),
    pytest.param(changed(CANCELLATION, (KEY, "3524 0112")), "event_key", {"value": "3524 0112"}),
    pytest.param(
        changed(CANCELLATION, ("110111", "110110"), ("Cancelamento", "Carta de Correcao")),
        "event_not_cancellation",
        {"value": "Carta de Correcao"},
        id="named",
    ),
    pytest.param(
        changed(CANCELLATION, ("110111", "110110"), ("<descEvento>Cancelamento</descEvento>", "")),
        "event_not_cancellation",
        {"value": "110110"},  # an event without a name is named by its type
        id="unnamed",
    ),
    pytest.param(
        changed(
            CANCELLATION, (CANCELLATION[CANCELLATION.index("<retEvento>") : CANCELLATION.index("</procEventoNFe>")], "")
        ),
        "cancellation_unregistered",
        {},
    ),
    pytest.param(
        changed(CANCELLATION, ("<cStat>135</cStat>", "<cStat>573</cStat>")), "cancellation_refused", {"status": "573"}
    ),
    pytest.param(changed(CANCELLATION, ("<tpAmb>1</tpAmb>", "<tpAmb>2</tpAmb>")), "cancellation_test", {}),
    pytest.param(
        changed(CANCELLATION, ("2024-01-16T09:12:30-03:00", "ontem")),
        "cancellation_time",
        {"value": "ontem"},
        id="not-a-time",
    ),
    pytest.param(
        changed(CANCELLATION, ("2024-01-16T09:12:30-03:00", "2024-01-16T09:12:30")),
        "cancellation_time",
        {"value": "2024-01-16T09:12:30"},
        id="no-utc-offset",
    ),
]


@pytest.mark.parametrize(("data", "code", "facts"), EVENT_REFUSALS)
def test_each_event_refusal_says_what_is_wrong(data: bytes, code: str, facts: dict[str, str]) -> None:
    assert_said(refused(nfe.parse, data), code, facts)


def test_a_bundled_cancellation_of_another_nfe_names_it() -> None:
    (warning,) = warned(nfe.parse, bundled(changed(CANCELLATION, (KEY, OTHER_KEY)).decode()))
    assert_said(warning, "cancellation_elsewhere", {"value": OTHER_KEY})


def test_a_bundled_cancellation_that_did_not_take_effect_is_not_applied() -> None:
    (warning,) = warned(
        nfe.parse, bundled(changed(CANCELLATION, ("<cStat>135</cStat>", "<cStat>573</cStat>")).decode())
    )
    assert_said(warning, "cancellation_not_applied", {})
    assert warning.reason.endswith("SEFAZ did not register the cancellation: cStat 573 (Evento registrado)")


UBL_REFUSALS = [
    pytest.param(
        changed(UBL, (UBL[UBL.index("<cac:AccountingCustomerParty>") : UBL.index("<cac:LegalMonetaryTotal>")], "")),
        "ubl_no_customer",
        {},
    ),
    pytest.param(changed(UBL, ("<cbc:ID>INV-7</cbc:ID>", "")), "ubl_missing", {"element": "ID"}, id="no-ID"),
    pytest.param(
        changed(UBL, ('<cbc:PayableAmount currencyID="EUR">1000.00</cbc:PayableAmount>', "")),
        "ubl_missing",
        {"element": "LegalMonetaryTotal/PayableAmount"},
        id="no-PayableAmount",
    ),
    pytest.param(
        changed(UBL, ("2024-02-01", "01/02/2024")),
        "ubl_date",
        {"element": "IssueDate", "value": "01/02/2024"},
        id="IssueDate",
    ),
    pytest.param(
        changed(UBL, ("</cbc:IssueDate>", "</cbc:IssueDate><cbc:DueDate> 2024-13-01 </cbc:DueDate>")),
        "ubl_date",
        {"element": "DueDate", "value": "2024-13-01"},
        id="DueDate",
    ),
    pytest.param(
        changed(
            UBL,
            ("<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>", ""),
            ('<cbc:PayableAmount currencyID="EUR">', "<cbc:PayableAmount>"),
        ),
        "ubl_no_currency",
        {},
    ),
    pytest.param(
        changed(UBL, ('currencyID="EUR"', 'currencyID="USD"')),
        "ubl_mixed_currency",
        {"element": "PayableAmount", "stated": "USD", "currency": "EUR"},
    ),
]


@pytest.mark.parametrize(("data", "code", "facts"), UBL_REFUSALS)
def test_each_ubl_refusal_says_what_is_wrong(data: bytes, code: str, facts: dict[str, str]) -> None:
    assert_said(refused(ubl.parse, data), code, facts)


def test_a_ubl_due_date_read_from_the_payment_terms_gives_the_days() -> None:
    terms = "<cac:PaymentTerms><cbc:Note>Net 45</cbc:Note></cac:PaymentTerms><cac:LegalMonetaryTotal>"
    (warning,) = warned(ubl.parse, changed(UBL, ("<cac:LegalMonetaryTotal>", terms)))
    assert_said(warning, "payment_terms", {"days": "45"})


def test_duplicatas_beside_a_sale_paid_whole_say_nothing_is_collected() -> None:
    paid = "</cobr><pag><detPag><tPag>03</tPag><vPag>1500.00</vPag></detPag></pag>"
    (warning,) = warned(nfe.parse, changed(NFE, ("</cobr>", paid)))
    assert_said(warning, "nfe_duplicatas_paid", {})


def test_every_code_of_the_documents_is_shown_here() -> None:
    shown = {case.values[-2] for case in (*NFE_REFUSALS, *EVENT_REFUSALS, *UBL_REFUSALS)}
    shown |= {"cancellation_elsewhere", "cancellation_not_applied", "payment_terms", "nfe_duplicatas_paid"}
    documents = {code for code in ROWS["en"] if code.startswith(("nfe_", "event_", "cancellation_", "ubl_"))}
    # cancellation_kept is the upload's warning (a cancellation of an NF-e not recorded yet), not a parser's.
    assert (documents - {"cancellation_kept"}) | {"not_nfe", "payment_terms"} == shown


# The published documents that show a problem.


@pytest.mark.parametrize(
    ("name", "options", "code", "facts"),
    [
        ("sped-nfe__nfe_4.0.xml", ParseOptions(), "nfe_cpf", {"value": "014345733812"}),
        ("nfelib__NFe35200159594315000157550010000000012062777161.xml", ParseOptions(), "nfe_no_protocol", {}),
        ("sped-nfe__nfce_com_qrcode.xml", TRIALS, "nfe_no_recipient", {}),
        ("nfelib__42210775277525000178550030000266631762885493-procNFe.xml", ParseOptions(), "nfe_inbound", {}),
        ("sped-nfe__2017protocoled.xml", ParseOptions(), "nfe_test", {}),
    ],
)
def test_published_nfe_refused(
    fixture_file: FixtureFile, name: str, options: ParseOptions, code: str, facts: dict[str, str]
) -> None:
    with fixture_file("nfe", name).open("rb") as stream:
        (result,) = results(nfe.parse, stream, options)
    assert isinstance(result, Rejection), result
    assert_said(result.problem, code, facts)


def test_published_carta_de_correcao_is_not_a_cancellation() -> None:
    path = DOCUMENTS / "nfephp-org-sped-da__110110-53181011028793000173550010000066701204276800-1-procEventoNfe.xml"
    with path.open("rb") as stream:
        (result,) = results(nfe.parse, stream, ParseOptions())
    assert isinstance(result, Rejection), result
    assert_said(result.problem, "event_not_cancellation", {"value": "Carta de Correcao"})


def test_published_ubl_due_date_from_the_payment_terms(fixture_file: FixtureFile) -> None:
    # EN 16931 example 7: "Payment within 30 days" and no date anywhere.
    with fixture_file("ubl", "en16931__ubl-tc434-example7.xml").open("rb") as stream:
        (result,) = results(ubl.parse, stream, ParseOptions())
    assert isinstance(result, ParsedInvoice), result
    *_, terms = result.warnings  # after what is said of the customer
    assert_said(terms, "payment_terms", {"days": "30"})
