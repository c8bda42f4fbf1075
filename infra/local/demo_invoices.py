"""The demo's invoice chapter: the back office uploads an ERP export and an NF-e; Ponte records, reports, alerts.

The files are made here (invented customers and numbers), never taken from third-party samples.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from infra.local.demo import Printer
    from infra.local.stack import LocalStack

ISSUER_CNPJ = "45723174000110"
EXPORT = "\n".join(
    [
        "Número;Parcela;Cliente;CNPJ/CPF;E-mail;Valor;Vencimento;Emissão;Moeda",
        "2026-101;1;Mercado Bom Preço Ltda;11.444.777/0001-61;financeiro@bompreco.example;1.250,00;20/11/2026;"
        "01/11/2026;BRL",
        "2026-101;2;Mercado Bom Preço Ltda;11.444.777/0001-61;financeiro@bompreco.example;1.250,00;20/12/2026;"
        "01/11/2026;BRL",
        "2026-102;1;Oficina Dois Irmãos;34.028.316/0001-03;contas@doisirmaos.example;480,00;15/11/2026;01/11/2026;BRL",
        "2026-103;1;Clínica Sorriso;07.526.557/0001-00;adm@sorriso.example;;25/11/2026;01/11/2026;BRL",
        "2026-104;1;Ana Ferreira;529.982.247-25;ana.ferreira@example.com;-90,00;25/11/2026;01/11/2026;BRL",
        "2026-105;1;Bar do Zé;27.865.757/0001-02;ze@bardoze.example;310,00;31/11/2026;01/11/2026;BRL",
        "2026-106;1;Importadora Sul;60.701.190/0001-04;fin@importsul.example;99,90;30/11/2026;01/11/2026;REA",
        "2026-107;1;Ana Ferreira;529.982.247-25;ana.ferreira@example.com;90,00;30/11/2026;01/11/2026;BRL",
    ]
)


def nfe_document(
    *,
    number: str,
    customer_cnpj: str,
    customer_name: str,
    customer_email: str,
    issued: str,
    installments: list[tuple[str, str, str]],
    issuer_cnpj: str = ISSUER_CNPJ,
    series: str = "1",
) -> bytes:
    """An authorised NF-e 4.00 (`nfeProc`) with duplicatas (nDup, dVenc, vDup), as an ERP distributes it."""
    year_month = issued[2:4] + issued[5:7]
    body = f"35{year_month}{issuer_cnpj}55{int(series):03d}{int(number):09d}1{int(number):08d}"
    access_key = body + str(_check_digit(body))
    total = f"{sum(float(amount) for _, _, amount in installments):.2f}"
    duplicatas = "".join(
        f"<dup><nDup>{n}</nDup><dVenc>{due}</dVenc><vDup>{amount}</vDup></dup>" for n, due, amount in installments
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<nfeProc xmlns="http://www.portalfiscal.inf.br/nfe" versao="4.00"><NFe>'
        f'<infNFe versao="4.00" Id="NFe{access_key}">'
        f"<ide><cUF>35</cUF><mod>55</mod><serie>{series}</serie><nNF>{number}</nNF>"
        f"<dhEmi>{issued}T10:00:00-03:00</dhEmi><tpNF>1</tpNF><tpAmb>1</tpAmb></ide>"
        f"<emit><CNPJ>{issuer_cnpj}</CNPJ><xNome>Distribuidora Ponte Demo Ltda</xNome></emit>"
        f"<dest><CNPJ>{customer_cnpj}</CNPJ><xNome>{escape(customer_name)}</xNome>"
        f"<email>{escape(customer_email)}</email></dest>"
        f"<total><ICMSTot><vNF>{total}</vNF></ICMSTot></total>"
        f"<cobr><fat><nFat>{number}</nFat><vOrig>{total}</vOrig><vLiq>{total}</vLiq></fat>{duplicatas}</cobr>"
        "</infNFe></NFe>"
        f'<protNFe versao="4.00"><infProt><tpAmb>1</tpAmb><chNFe>{access_key}</chNFe>'
        "<cStat>100</cStat><xMotivo>Autorizado o uso da NF-e</xMotivo></infProt></protNFe></nfeProc>"
    ).encode()


def _check_digit(digits: str) -> int:
    """The access key's last digit: modulo 11 with weights 2 to 9 from the right (MOC 4.00, 2.2.6.2)."""
    total = sum(int(d) * (2 + i % 8) for i, d in enumerate(reversed(digits)))
    rest = total % 11
    return 0 if rest < 2 else 11 - rest


def chapter_invoices(stack: LocalStack, out: Printer) -> None:
    """Invoices uploaded: an ERP export with bad rows and an NF-e with installments, recorded once each."""
    from infra.local.demo import PARAMETERS, check  # noqa: PLC0415
    from ponte.adapters.dynamodb import DynamoStore  # noqa: PLC0415
    from ponte.domain.identity import new_account_id  # noqa: PLC0415
    from ponte.messages.formatting import Formatter  # noqa: PLC0415

    out.chapter("3. Invoices uploaded: an ERP export and an NF-e, recorded once, reported, bad rows listed")
    store = DynamoStore(stack.physical_id("Table"))
    stack.put_object("incoming/recebiveis-2026-11.csv", EXPORT.encode())
    report = _report(stack, "processed/recebiveis-2026-11.csv.report.json")
    counts = report["counts"]
    out.line(f"incoming/recebiveis-2026-11.csv -> {report['moved_to']} (report next to it)")
    out.line(f"report: {json.dumps(counts)}")
    for rejected in report["rejected"]:
        out.line(f"  line {rejected['line']}: {rejected['message']}  ({rejected['reason']})")
    check(counts["created"] == 3 and counts["rejected"] == 4, "3 invoices recorded and 4 bad rows rejected")
    check([r["line"] for r in report["rejected"]] == [5, 6, 7, 8], "each bad row named by its line")
    check(
        [r["code"] for r in report["rejected"]]
        == ["missing_field", "not_positive", "no_such_date", "unknown_currency"],
        "each told in the back office's language, from a code and the row's facts",
    )

    nfe = nfe_document(
        number="4521",
        customer_cnpj="11444777000161",
        customer_name="Mercado Bom Preço Ltda",
        customer_email="financeiro@bompreco.example",
        issued=stack.now.date().isoformat(),
        installments=[
            ("001", "2026-12-02", "800.00"),
            ("002", "2027-01-02", "800.00"),
            ("003", "2027-02-02", "800.00"),
        ],
    )
    stack.put_object("incoming/nfe-4521.xml", nfe)
    mercado_id = new_account_id([("tax_id", "11444777000161")])
    mercado = store.load_ledger(mercado_id)
    check(mercado is not None and len(mercado.invoices) == 2, "the NF-e joined the export's customer account")
    assert mercado is not None
    out.line(f"account {mercado_id} (Mercado Bom Preço Ltda) now owes:")
    fmt = Formatter("pt-BR", "America/Sao_Paulo")
    for owed in mercado.receivables():
        out.line(f"  {owed.invoice_id} #{owed.installment}  {fmt.date(owed.due_date)}  {fmt.money(owed.amount_due)}")

    stack.put_object("incoming/recebiveis-2026-11.csv", EXPORT.encode())  # uploaded again by mistake
    again = _report(stack, "processed/recebiveis-2026-11.csv.report.json")["counts"]
    out.line(f"the same export uploaded again: {again['unchanged']} unchanged, {again['created']} written")
    check(again["created"] == 0 and again["unchanged"] == 3, "a re-upload changes nothing")

    alerts = [
        delivery
        for delivery in stack.inbox("StaffAlertsTopic")[f"email:{PARAMETERS['StaffAlertEmail']}"]
        if delivery.attributes.get("event_type", "").startswith("invoices.")
    ]
    print(f"\n   Back-office alerts: {len(alerts)} message(s)")
    for alert in alerts:
        out.delivery(alert)
    check(
        [a.subject for a in alerts]
        == [
            "3 faturas importadas de recebiveis-2026-11.csv, 4 rejeitadas",
            "1 fatura importada de nfe-4521.xml",
            "Nenhuma fatura nova em recebiveis-2026-11.csv: 3 ja registradas, 4 rejeitadas",
        ],
        "one back-office alert per file, naming what was imported and rejected",
    )


def _report(stack: LocalStack, key: str) -> Any:
    body = stack.client("s3").get_object(Bucket=stack.physical_id("InvoicesBucket"), Key=key)["Body"]
    return json.loads(body.read())
