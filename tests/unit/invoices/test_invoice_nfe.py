import io
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ponte.domain.invoices import Invoice
from ponte.domain.money import Money
from ponte.invoices import FileRejected, ParsedInvoice, ParseOptions, Rejection
from ponte.invoices.nfe import parse
from ponte.invoices.results import ParsedCancellation, ParseResult, problem

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
    det: str = "",
    total: str = "1500.00",
    pag: str = "",
    events: str = "",
) -> bytes:
    """A minimal NF-e with the groups the parser reads, in layout order; the other groups are left out. `events`
    are appended inside the nfeProc after the protocol, as distributors bundle a cancellation."""
    document = f"""<NFe xmlns="http://www.portalfiscal.inf.br/nfe"><infNFe versao="{version}" Id="{access_key}">
      <ide><mod>55</mod><serie>1</serie><nNF>1234</nNF>{emission}<tpNF>{tp_nf}</tpNF><tpAmb>{tp_amb}</tpAmb></ide>
      <emit><CNPJ>12345678000195</CNPJ><xNome>Distribuidora Exemplo Ltda</xNome></emit>
      {f"<dest>{dest}</dest>" if dest else ""}{det}
      <total><ICMSTot><vNF>{total}</vNF></ICMSTot></total>
      {f"<cobr>{cobr}</cobr>" if cobr else ""}{f"<pag>{pag}</pag>" if pag else ""}
    </infNFe></NFe>"""
    if prot is None:
        return document.encode()
    return (
        f'<nfeProc xmlns="http://www.portalfiscal.inf.br/nfe" versao="4.00">{document}'
        f"<protNFe><infProt><chNFe>{KEY}</chNFe>{prot}</infProt></protNFe>{events}</nfeProc>"
    ).encode()


def item(cfop: str, name: str = "Caixa de parafusos", quantity: str = "2.0000", value: str = "750.00") -> str:
    return (
        f"<det><prod><xProd>{name}</xProd><CFOP>{cfop}</CFOP><qCom>{quantity}</qCom><vProd>{value}</vProd></prod></det>"
    )


def payment(means: str, value: str, deferred: bool = False) -> str:
    return f"<detPag>{'<indPag>1</indPag>' if deferred else ''}<tPag>{means}</tPag><vPag>{value}</vPag></detPag>"


EVENT_NAMES = {"110111": "Cancelamento", "110110": "Carta de Correcao"}


def event_xml(
    *,
    kind: str = "110111",
    key: str = KEY,
    status: str | None = "135",
    registered: str = "<dhRegEvento>2024-01-16T09:12:30-03:00</dhRegEvento>",
    environment: str = "1",
    root: str = "procEventoNFe",
) -> str:
    """An NF-e event as SEFAZ distributes it: the request (evento) and, unless status is None, its registration."""
    registration = (
        f"<retEvento><infEvento><tpAmb>{environment}</tpAmb><cStat>{status}</cStat><xMotivo>Evento registrado"
        f"</xMotivo><chNFe>{key}</chNFe><tpEvento>{kind}</tpEvento>{registered}</infEvento></retEvento>"
    )
    return (
        f'<{root} xmlns="http://www.portalfiscal.inf.br/nfe" versao="1.00"><evento><infEvento>'
        f"<tpAmb>{environment}</tpAmb><chNFe>{key}</chNFe><dhEvento>2024-01-16T09:10:00-03:00</dhEvento>"
        f"<tpEvento>{kind}</tpEvento><detEvento><descEvento>{EVENT_NAMES[kind]}</descEvento>"
        f"<xJust>Pedido digitado em duplicidade</xJust></detEvento></infEvento></evento>"
        f"{registration if status is not None else ''}</{root}>"
    )


def read_all(data: bytes, options: ParseOptions | None = None) -> list[ParseResult]:
    return list(parse(io.BytesIO(data), options=options or ParseOptions()))


def read(data: bytes, options: ParseOptions | None = None) -> ParseResult:
    (result,) = read_all(data, options)
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
    assert (invoice.key, invoice.access_key) == (f"nfe:{KEY}", KEY)
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


def test_a_recipient_without_cnpj_or_cpf_is_still_a_customer_with_a_warning() -> None:
    result = read(nfe_xml(dest="<idEstrangeiro>EXTERIOR</idEstrangeiro><xNome>Foreign Buyer GmbH</xNome>"))
    assert isinstance(result, ParsedInvoice)
    assert result.invoice.customer.model_dump(exclude_none=True) == {"name": "Foreign Buyer GmbH"}
    assert [w.reason for w in result.warnings] == ["customer identified by name only"]
    identified = read(nfe_xml())
    assert isinstance(identified, ParsedInvoice)
    assert identified.warnings == ()


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
    assert read(data) == Rejection(
        1, problem("nfe_protocol_other", "the authorisation protocol belongs to another NF-e (chNFe differs)")
    )


def test_trial_option_accepts_no_protocol_or_test_environment_but_never_a_denial() -> None:
    assert isinstance(read(nfe_xml(prot=None), TRIALS), ParsedInvoice)
    assert isinstance(read(nfe_xml(tp_amb="2"), TRIALS), ParsedInvoice)
    assert isinstance(read(nfe_xml(prot="<cStat>302</cStat>"), TRIALS), Rejection)
    assert isinstance(read(nfe_xml(prot="<cStat>150</cStat>")), ParsedInvoice)


def test_another_xml_document_is_refused_whole() -> None:
    with pytest.raises(FileRejected, match="not an NF-e"):
        read(b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>')


def test_the_lines_sold_are_the_items_up_to_twenty() -> None:
    lines = "".join(item("5102", name=f"Produto {n}", quantity="1.0000", value="60.00") for n in range(1, 26))
    result = read(nfe_xml(det=lines))
    assert isinstance(result, ParsedInvoice)
    assert len(result.items) == 20
    first = result.items[0]
    assert (first.description, first.quantity, first.amount) == (
        "Produto 1",
        "1.0000",
        Money(amount=6000, currency="BRL"),
    )
    assert result.items[-1].description == "Produto 20"


@pytest.mark.parametrize(
    ("pag", "reason"),
    [
        (payment("90", "0.00"), "no payment (tPag 90)"),
        ("<detPag><tPag>90</tPag></detPag>", "no payment (tPag 90)"),  # vPag may be left out with tPag 90
        (payment("17", "1500.00"), "paid at the sale: Pix"),
        (payment("01", "1000.00") + payment("03", "500.00"), "paid at the sale: cash, credit card"),
        (payment("01", "2000.00") + "<vTroco>500.00</vTroco>", "paid at the sale: cash"),
        (payment("04", "1500.00") + payment("20", "0.00"), "paid at the sale: debit card, Pix"),
    ],
)
def test_without_duplicatas_a_payment_group_that_settles_vnf_is_not_collected(pag: str, reason: str) -> None:
    invoice = parsed(nfe_xml(pag=pag, det=item("5102")))
    assert (invoice.installments, invoice.not_collectable) == ((), reason)


@pytest.mark.parametrize(
    ("pag", "due"),
    [
        (payment("15", "1500.00"), 150000),  # boleto: paid later
        (payment("14", "1500.00"), 150000),  # duplicata mercantil
        (payment("05", "1500.00"), 150000),  # store credit
        (payment("99", "1500.00"), 150000),  # other: unknown
        (payment("17", "1500.00", deferred=True), 150000),  # indPag 1, a prazo
        (payment("01", "2000.00") + "<vTroco>1000.00</vTroco>", 50000),  # cash net of change falls short
        (payment("01", "500.00") + payment("15", "1000.00"), 100000),  # part at the sale, the rest by boleto
    ],
)
def test_what_the_sale_did_not_settle_is_due(pag: str, due: int) -> None:
    invoice = parsed(nfe_xml(pag=pag, det=item("5102")), ParseOptions(default_term_days=28))
    assert invoice.not_collectable is None
    assert installments(invoice) == [("1", date(2024, 2, 12), due)]
    assert invoice.total.amount == 150000


def test_layout_310_payments_sit_directly_in_pag() -> None:
    data = nfe_xml(version="3.10", det=item("5102")).replace(
        b"</infNFe>", b"<pag><tPag>01</tPag><vPag>1500.00</vPag></pag></infNFe>"
    )
    assert parsed(data).not_collectable == "paid at the sale: cash"


def test_duplicatas_win_over_a_payment_group_that_says_no_payment() -> None:
    dup = "<dup><nDup>001</nDup><dVenc>2024-02-15</dVenc><vDup>1500.00</vDup></dup>"
    invoice = parsed(nfe_xml(cobr=dup, pag=payment("90", "0.00"), det=item("5910")))
    assert invoice.not_collectable is None
    assert installments(invoice) == [("001", date(2024, 2, 15), 150000)]


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        (item("5910"), "free goods (CFOP 5910)"),
        (item("6910") + item("5910"), "free goods (CFOP 5910, 6910)"),
        (item("5911"), "free sample (CFOP 5911)"),
        (item("6912"), "sent for demonstration (CFOP 6912)"),
        (item("5915"), "sent for repair (CFOP 5915)"),
        (item("5901"), "sent for processing to order (CFOP 5901)"),
        (item("5917"), "sent on consignment (CFOP 5917)"),
        (item("5911") + item("5912"), "no sale (CFOP 5911, 5912)"),
    ],
)
def test_items_that_are_all_outside_a_sale_are_not_collected(lines: str, reason: str) -> None:
    invoice = parsed(nfe_xml(det=lines, pag=payment("99", "1500.00")))
    assert (invoice.installments, invoice.not_collectable) == ((), reason)


@pytest.mark.parametrize(
    "lines",
    [
        item("5910") + item("5102"),  # a sale with a bonus item is still a sale
        item("5949"),  # "outra saída não especificada" can be anything
        item("5124"),  # industrialização efetuada para outra empresa: the service charge
        "",  # no items at all: nothing says it is not a sale
    ],
)
def test_anything_sold_keeps_the_invoice_collectable(lines: str) -> None:
    invoice = parsed(nfe_xml(det=lines))
    assert invoice.not_collectable is None
    assert installments(invoice) == [("1", date(2024, 1, 15), 150000)]


def test_a_zero_total_is_not_collected() -> None:
    invoice = parsed(nfe_xml(total="0.00", det=item("5102", value="0.00")))
    assert (invoice.total.amount, invoice.installments, invoice.not_collectable) == (0, (), "zero total")


def test_a_cancellation_bundled_after_the_protocol_follows_the_invoice() -> None:
    retevento = event_xml().split("</evento>", 1)[1].removesuffix("</procEventoNFe>")
    invoice, cancellation = read_all(nfe_xml(events=retevento))
    assert isinstance(invoice, ParsedInvoice)
    assert invoice.warnings == ()
    assert cancellation == ParsedCancellation(1, KEY, datetime(2024, 1, 16, 12, 12, 30, tzinfo=UTC), None)


def test_a_bundled_proc_evento_gives_the_reason_too() -> None:
    bundled = event_xml().replace(' xmlns="http://www.portalfiscal.inf.br/nfe"', "", 1)
    _, cancellation = read_all(nfe_xml(events=bundled))
    assert isinstance(cancellation, ParsedCancellation)
    assert (cancellation.access_key, cancellation.reason) == (KEY, "Pedido digitado em duplicidade")


@pytest.mark.parametrize(
    ("events", "warning"),
    [
        (
            event_xml(key="9" * 44),
            f"a cancellation of another NF-e (chNFe {'9' * 44}) came with this one and was not applied",
        ),
        (
            event_xml(status="573"),
            "the cancellation that came with this NF-e was not applied: SEFAZ did not register the cancellation: "
            "cStat 573 (Evento registrado)",
        ),
    ],
)
def test_a_bundled_cancellation_that_cannot_apply_is_a_warning(events: str, warning: str) -> None:
    (result,) = read_all(nfe_xml(events=events))
    assert isinstance(result, ParsedInvoice)
    assert [w.reason for w in result.warnings] == [warning]


def test_other_bundled_events_are_ignored() -> None:
    (result,) = read_all(nfe_xml(events=event_xml(kind="110110")))
    assert isinstance(result, ParsedInvoice)
    assert result.warnings == ()


def test_a_cancellation_event_on_its_own() -> None:
    assert read(event_xml().encode()) == ParsedCancellation(
        1, KEY, datetime(2024, 1, 16, 12, 12, 30, tzinfo=UTC), "Pedido digitado em duplicidade"
    )
    late = read(event_xml(status="155", registered="").encode())
    assert isinstance(late, ParsedCancellation)
    assert late.cancelled_at == datetime(2024, 1, 16, 12, 10, tzinfo=UTC)  # dhEvento when not registered


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (event_xml(kind="110110"), "event 110110 (Carta de Correcao) is not a cancellation"),
        (event_xml(status="573"), "SEFAZ did not register the cancellation: cStat 573"),
        (event_xml(status=None), "the cancellation has no SEFAZ registration (retEvento)"),
        (event_xml(environment="2"), "the cancellation comes from the SEFAZ test environment (tpAmb 2)"),
        (event_xml(key="123"), "the event's chNFe '123' is not an NF-e access key"),
        (event_xml(registered="<dhRegEvento>2024-01-16T09:12:30</dhRegEvento>"), "has no UTC offset"),
        (event_xml(registered="<dhRegEvento>ontem</dhRegEvento>"), "'ontem' is not a date and time"),
        (
            event_xml().replace(
                f"<chNFe>{KEY}</chNFe><tpEvento>110111</tpEvento><dh",
                f"<chNFe>{'9' * 44}</chNFe><tpEvento>110111</tpEvento><dh",
            ),
            "the event's registration (retEvento) belongs to another NF-e",
        ),
        ('<procEventoNFe xmlns="http://www.portalfiscal.inf.br/nfe"/>', "neither evento nor retEvento"),
    ],
)
def test_an_event_that_is_not_an_effective_cancellation_is_refused(document: str, reason: str) -> None:
    result = read(document.encode())
    assert isinstance(result, Rejection)
    assert reason in result.reason


def test_trial_option_accepts_an_unregistered_or_test_cancellation_but_never_a_refused_one() -> None:
    assert isinstance(read(event_xml(status=None).encode(), TRIALS), ParsedCancellation)
    assert isinstance(read(event_xml(environment="2").encode(), TRIALS), ParsedCancellation)
    assert isinstance(read(event_xml(status="573").encode(), TRIALS), Rejection)


# The published sample documents (nfelib and sped-nfe test files).


def fixture_invoice(fixture_file: FixtureFile, name: str, options: ParseOptions | None = None) -> ParseResult:
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


def test_fixture_free_goods_without_cobr_are_not_collected(fixture_file: FixtureFile) -> None:
    # Until CFOPs were read this document was due on issue; its only item is CFOP 6910, bonificação.
    result = fixture_invoice(
        fixture_file, "nfelib__35180834128745000152550010000476121675985748-nfe.xml", ParseOptions(default_term_days=5)
    )
    assert isinstance(result, ParsedInvoice)
    assert (result.invoice.installments, result.invoice.not_collectable) == ((), "free goods (CFOP 6910)")
    assert [(i.description, i.quantity) for i in result.items] == [("COOKIES GRANOLA CASTANHA 150G (#)", "6.0000")]


def test_fixture_paid_in_cash_at_the_counter(fixture_file: FixtureFile) -> None:
    result = fixture_invoice(fixture_file, "nfelib__41170706117473000150550010000463202612756525-procNFe.xml", TRIALS)
    assert isinstance(result, ParsedInvoice)
    assert (result.invoice.total.amount, result.invoice.installments) == (8490, ())
    assert result.invoice.not_collectable == "paid at the sale: cash"


def test_fixture_no_payment_beside_a_duplicata_keeps_the_duplicata(fixture_file: FixtureFile) -> None:
    # tPag 90 and a duplicata in one document: the billing group is what the issuer collects.
    result = fixture_invoice(fixture_file, "nfelib__42211275277525000178550030000276771368212013-procNFe.xml")
    assert isinstance(result, ParsedInvoice)
    assert result.invoice.not_collectable is None
    assert installments(result.invoice) == [("001", date(2021, 12, 15), 1910400)]


def test_fixture_foreign_buyer(fixture_file: FixtureFile) -> None:
    result = fixture_invoice(fixture_file, "nfelib__42220575277525000178550030000292481295366801-procNFe.xml")
    assert isinstance(result, ParsedInvoice)
    assert result.invoice.customer.model_dump(exclude_none=True) == {
        "name": "Jung Usa Corporation",
        "email": "export@jung.com.br",
    }
    assert [w.reason for w in result.warnings] == ["customer identified by name only"]
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
    # vNF 500.00, cash (tPag 01) 500.00 not flagged paid at once, and a duplicata of 1.00: the duplicata wins.
    result = fixture_invoice(fixture_file, "sped-nfe__nfe_layout4_com_prot.xml", TRIALS)
    assert isinstance(result, ParsedInvoice)
    assert (result.invoice.total.amount, installments(result.invoice)) == (50000, [("001", date(2018, 12, 31), 100)])


def test_fixture_unauthorised(fixture_file: FixtureFile) -> None:
    result = fixture_invoice(fixture_file, "nfelib__NFe35200159594315000157550010000000012062777161.xml")
    assert result == Rejection(
        1, problem("nfe_no_protocol", "the NF-e has no authorisation protocol (protNFe), so it has no legal validity")
    )


def test_fixture_nfce_without_customer(fixture_file: FixtureFile) -> None:
    result = fixture_invoice(fixture_file, "sped-nfe__nfce_com_qrcode.xml", TRIALS)
    assert isinstance(result, Rejection)
    assert result.reason.startswith("no customer to collect from")


def test_fixture_invalid_cpf(fixture_file: FixtureFile) -> None:
    result = fixture_invoice(fixture_file, "sped-nfe__nfe_4.0.xml")
    assert result == Rejection(
        1, problem("nfe_cpf", "recipient CPF '014345733812' is not 11 digits", value="014345733812")
    )


def test_fixture_inbound_document(fixture_file: FixtureFile) -> None:
    result = fixture_invoice(fixture_file, "nfelib__42210775277525000178550030000266631762885493-procNFe.xml")
    assert isinstance(result, Rejection)
    assert "tpNF 0" in result.reason


def test_an_e_mail_list_that_begins_with_its_separator_keeps_its_first_address() -> None:
    dest = "<CNPJ>11222333000181</CNPJ><xNome>Mercado</xNome><email>;financeiro@mercado.com.br</email>"
    assert parsed(nfe_xml(dest=dest)).customer.email == "financeiro@mercado.com.br"


@pytest.mark.parametrize(
    ("phone", "kept"), [("4930 1234567", "+49301234567"), ("(+54) 9 11 2345-6789", "+5491123456789")]
)
def test_a_buyer_abroad_has_its_phone_read_with_the_country_code_written_first(phone: str, kept: str) -> None:
    dest = (
        "<idEstrangeiro>X1</idEstrangeiro><xNome>Buyer SA</xNome>"
        f"<enderDest><UF>EX</UF><cPais>0639</cPais><fone>{phone}</fone></enderDest>"
    )
    assert parsed(nfe_xml(dest=dest)).customer.phone == kept
