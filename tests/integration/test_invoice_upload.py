"""Invoice uploads end to end on the local stack: S3 event, the function, the table, the report, the alert."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote_plus

import pytest

from infra.local import LocalStack
from infra.local.demo_invoices import nfe_document
from infra.local.functions import invoke
from ponte.adapters.dynamodb import DynamoStore
from ponte.domain.identity import new_account_id
from ponte.domain.policy import default_policy_text
from ponte.services.uploads import WINDOW
from tests.integration.conftest import BUSINESS, SUBSCRIBERS
from tests.support import T0, Stacks, sample_event
from tests.upload_support import csv_file, excel_unicode_text, json_invoice, many_rows, row

BASIC = csv_file(
    row(1001, installment="1", amount="100,00", due="10/12/2026"),
    row(1001, installment="2", amount="100,00", due="10/01/2027"),
    row(1002, customer="Maria Souza", tax_id="123.456.789-09", email="maria@example.com", amount="50,00"),
)
PADARIA, MARIA = new_account_id([("tax_id", "12345678000195")]), new_account_id([("tax_id", "12345678909")])


def keys_in(stack: LocalStack) -> list[str]:
    s3 = stack.client("s3")
    listing = s3.list_objects_v2(Bucket=stack.physical_id("InvoicesBucket")).get("Contents", [])
    return sorted(item["Key"] for item in listing)


def report(stack: LocalStack, key: str) -> Any:
    body = stack.client("s3").get_object(Bucket=stack.physical_id("InvoicesBucket"), Key=key)["Body"]
    return json.loads(body.read())


def table(stack: LocalStack) -> list[dict[str, Any]]:
    paginator = stack.client("dynamodb").get_paginator("scan")
    return [item for page in paginator.paginate(TableName=stack.physical_id("Table")) for item in page["Items"]]


def ledger_items(stack: LocalStack) -> list[dict[str, Any]]:
    """Accounts, invoices and references: what an upload records (markers and outbox items left out)."""
    return sorted(
        (item for item in table(stack) if item["kind"]["S"] in {"account", "invoice", "reference"}),
        key=lambda item: (item["pk"]["S"], item["sk"]["S"]),
    )


def staff_alerts(stack: LocalStack, team: str = "backoffice") -> list[Any]:
    inbox = stack.inbox("StaffAlertsTopic")[f"email:{SUBSCRIBERS['StaffAlertEmail']}"]
    return [alert for alert in inbox if alert.attributes["team"] == team]


def test_an_upload_is_recorded_reported_moved_and_alerted(stack: LocalStack) -> None:
    stack.put_object("incoming/novembro.csv", BASIC)
    assert stack.failures == []
    store = DynamoStore(stack.physical_id("Table"))
    padaria = store.load_ledger(PADARIA)
    assert padaria is not None and padaria.account.name == "Padaria Boa Vista"
    (invoice,) = padaria.invoices
    assert [(i.due_date.isoformat(), i.amount.amount) for i in invoice.invoice.installments] == [
        ("2026-12-10", 10000),
        ("2027-01-10", 10000),
    ]
    assert [entry.what for entry in store.timeline(MARIA)] == ["account.opened"]
    # Every invoice carries the re-evaluation flag, so the collections sweep looks at its account again.
    flagged = [item for item in table(stack) if item["kind"]["S"] == "invoice"]
    assert {(item["due_pk"]["S"], item["due_at"]["S"]) for item in flagged} == {("DUE", "2026-11-02T12:00:00Z")}
    assert keys_in(stack) == ["processed/novembro.csv", "processed/novembro.csv.report.json"]
    counts = report(stack, "processed/novembro.csv.report.json")["counts"]
    assert (counts["created"], counts["rejected"], counts["accounts_opened"]) == (2, 0, 2)
    (alert,) = staff_alerts(stack)
    assert alert.subject == "2 faturas importadas de novembro.csv"
    assert alert.attributes["team"] == "backoffice" and alert.attributes["event_type"] == "invoices.imported"
    assert "processed/novembro.csv.report.json" in alert.message
    # Two customers never seen before: sales hears of each, with what the invoice says.
    assert sorted(a.subject for a in staff_alerts(stack, "sales")) == [
        "Novo cliente: Maria Souza, nota 1002 de R$ 50,00",
        "Novo cliente: Padaria Boa Vista, nota 1001 de R$ 200,00",
    ]
    # Customer notices are off by default; the platform hears of the two new accounts.
    assert stack.published("CustomerNoticesTopic") == []
    assert [e["detail-type"] for e in stack.platform_events()] == ["account.opened", "account.opened"]


def test_uploading_the_same_invoices_again_changes_nothing(stack: LocalStack) -> None:
    stack.put_object("incoming/novembro.csv", BASIC)
    before = ledger_items(stack)
    stack.advance(hours=2)
    stack.put_object("incoming/novembro.csv", BASIC)  # the same file again: a new object version
    same_invoice = json_invoice(
        "1002",
        total="50.00",
        due="2026-12-10",
        tax_id="123.456.789-09",
        name="Maria Souza",
        email="maria@example.com",
        issued="2026-11-01",
    )
    stack.put_object("incoming/maria.json", same_invoice)  # the same invoice in another file and format
    assert ledger_items(stack) == before
    assert report(stack, "processed/novembro.csv.report.json")["counts"]["unchanged"] == 2
    assert report(stack, "processed/maria.json.report.json")["counts"]["unchanged"] == 1
    assert [a.subject for a in staff_alerts(stack)][1:] == [
        "Nenhuma fatura nova em novembro.csv: 2 ja registradas",
        "Nenhuma fatura nova em maria.json: 1 ja registrada",
    ]
    assert stack.failures == []


def test_a_corrected_amount_updates_the_invoice_and_says_so_in_the_timeline(stack: LocalStack) -> None:
    stack.put_object("incoming/novembro.csv", BASIC)
    stack.advance(days=1)
    fixed = csv_file(
        row(1002, customer="Maria Souza", tax_id="123.456.789-09", email="maria@example.com", amount="55,00")
    )
    stack.put_object("incoming/correcao.csv", fixed)
    store = DynamoStore(stack.physical_id("Table"))
    maria = store.load_ledger(MARIA)
    assert maria is not None and maria.invoices[0].invoice.total.amount == 5500
    assert maria.account.next_evaluation_at == T0 + timedelta(days=1)
    corrected = store.timeline(MARIA)[-1]
    assert corrected.what == "invoice.corrected" and "50.00 BRL -> 55.00 BRL" in corrected.why
    assert report(stack, "processed/correcao.csv.report.json")["counts"]["corrected"] == 1


def test_an_export_that_says_an_installment_was_paid_settles_it_in_the_table(stack: LocalStack) -> None:
    stack.put_object("incoming/novembro.csv", BASIC)
    stack.advance(days=7)
    header = "Número;Parcela;Cliente;CNPJ;E-mail;Valor;Vencimento;Situação\n"
    said = (
        "1001;1;Padaria Boa Vista;12.345.678/0001-95;financeiro@boavista.example;100,00;10/12/2026;pago\n"
        "1001;2;Padaria Boa Vista;12.345.678/0001-95;financeiro@boavista.example;100,00;10/01/2027;aberto\n"
        "1002;1;Maria Souza;123.456.789-09;maria@example.com;50,00;10/12/2026;cancelado\n"
    )
    stack.put_object("incoming/dezembro.csv", (header + said).encode())
    store = DynamoStore(stack.physical_id("Table"))
    padaria, maria = store.load_ledger(PADARIA), store.load_ledger(MARIA)
    assert padaria is not None and maria is not None
    assert [r.outstanding.amount for r in padaria.receivables()] == [0, 10000]
    assert maria.receivables() == ()
    assert [(r.installment, r.state) for r in padaria.invoices[0].reported] == [("1", "paid")]
    assert store.timeline(PADARIA)[-1].what == "invoice.settled_by_upload"
    assert report(stack, "processed/dezembro.csv.report.json")["warnings"] == []
    assert stack.failures == []


def test_bad_rows_are_rejected_one_by_one_with_their_line_numbers(stack: LocalStack) -> None:
    data = "\n".join(
        [
            "Número;Cliente;CNPJ;Valor;Vencimento;Moeda",
            "1;Ana;12345678000195;10,00;10/12/2026;BRL",
            "2;Ana;12345678000195;;10/12/2026;BRL",
            "3;Ana;12345678000195;-10,00;10/12/2026;BRL",
            "4;Ana;12345678000195;10,00;2026-13-01;BRL",
            "5;Ana;12345678000195;10,00;10/12/2026;ABC",
            "6;Ana;12345678000195;12,00;11/12/2026;BRL",
        ]
    ).encode()
    stack.put_object("incoming/linhas.csv", data)
    found = report(stack, "processed/linhas.csv.report.json")
    assert found["counts"]["created"] == 2 and found["counts"]["rejected"] == 4
    assert [(r["line"], r["reason"]) for r in found["rejected"]] == [
        (3, "missing amount"),
        (4, "amount must be greater than zero, got -10,00"),
        (5, "not a date: '2026-13-01' (month must be in 1..12)"),
        (6, "unknown currency 'ABC': expected an ISO 4217 code such as BRL, EUR, USD"),
    ]
    (alert,) = staff_alerts(stack)
    assert alert.subject == "2 faturas importadas de linhas.csv, 4 rejeitadas"
    assert alert.attributes["severity"] == "warning"


BOMB = (
    b'<?xml version="1.0"?>\n<!DOCTYPE bomb [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n'
    b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><cbc:ID>&c;</cbc:ID></Invoice>'
)


@pytest.fixture
def small_limit(stacks: Stacks) -> Iterator[LocalStack]:
    with stacks(now=T0, parameters={**SUBSCRIBERS, "InvoiceUploadMaxMegabytes": "1"}) as local:
        yield local


# The report says why in English; the back office's alert says it in its reader's language (pt-BR here).
@pytest.mark.parametrize(
    ("name", "data", "reason", "alerted"),
    [
        ("fatura.pdf", b"%PDF-1.7\n...", "unknown format", "arquivos .pdf não são lidos"),
        ("vazio.csv", b"", "the file is empty", "o arquivo está vazio"),
        (
            "sem-cabecalho.csv",
            b"foo;bar;baz\n1;2;3\n",
            "no recognisable header",
            "o cabeçalho não tem as colunas de número, valor, vencimento e cliente",
        ),
        (
            "quebrado.xml",
            b'<nfeProc xmlns="http://www.portalfiscal.inf.br/nfe"><NFe><infNFe>',
            "not well-formed XML",
            "o XML está malformado na linha 1",
        ),
        ("bomba.xml", BOMB, "document type declaration", "o XML tem uma declaração DOCTYPE, recusada por segurança"),
        (
            "enorme.csv",
            csv_file(*many_rows(20_000)),
            "over the limit of 1.0 MB",
            "o arquivo tem 1,8 MB, acima do limite de 1,0 MB",
        ),
    ],
)
def test_a_bad_file_is_quarantined_reported_and_alerted_and_nothing_is_written(
    small_limit: LocalStack, name: str, data: bytes, reason: str, alerted: str
) -> None:
    stack = small_limit
    stack.put_object(f"incoming/{name}", data)
    assert stack.failures == []
    assert keys_in(stack) == [f"quarantine/{name}", f"quarantine/{name}.report.json"]
    found = report(stack, f"quarantine/{name}.report.json")
    assert found["status"] == "quarantined" and reason in found["reason"]
    assert ledger_items(stack) == []
    (alert,) = staff_alerts(stack)
    assert alert.subject == f"Arquivo {name} nao importado"
    assert alerted in alert.message and alert.attributes["severity"] == "warning"
    assert reason not in alert.message


def test_a_file_longer_than_one_run_is_continued_through_the_queue(stacks: Stacks) -> None:
    # A margin longer than the function's timeout makes every run stop after its first window.
    quick = {"RUN_TIME_MARGIN_SECONDS": "100000"}
    with stacks(now=T0, parameters=SUBSCRIBERS, environment=quick) as stack:
        stack.put_object("incoming/longo.csv", csv_file(*many_rows(2 * WINDOW + 30, customers=3)))
        assert stack.failures == []
        found = report(stack, "processed/longo.csv.report.json")
        assert found["runs"] == 3
        assert (found["counts"]["created"], found["counts"]["accounts_opened"]) == (2 * WINDOW + 30, 3)
        invoices = [item for item in table(stack) if item["kind"]["S"] == "invoice"]
        assert len(invoices) == 2 * WINDOW + 30
        (alert,) = staff_alerts(stack)
        assert alert.subject == "230 faturas importadas de longo.csv"
        assert stack.queue_messages("InvoiceUploadContinuationQueue") == []


def test_customers_hear_of_their_invoice_when_the_setting_is_on(stacks: Stacks) -> None:
    # Customer notices go out once the business's identity is set (until then they are parked).
    parameters = {**SUBSCRIBERS, "CustomerInvoiceNotices": "on"}
    with stacks(now=T0, parameters=parameters, documents=BUSINESS) as stack:
        stack.put_object("incoming/novembro.csv", BASIC)
        notices = stack.published("CustomerNoticesTopic", protocol="email")
        assert sorted(n.subject or "" for n in notices) == [
            "Fatura 1001: R$ 100,00 vence em 10/12/2026",
            "Fatura 1002: R$ 50,00 vence em 10/12/2026",
        ]
        sms = stack.published("CustomerNoticesTopic", protocol="sms")
        assert all(len(n.message) <= 160 for n in sms)


def test_an_invoice_due_on_a_local_holiday_of_the_policy_is_told_with_the_day_it_moved_to(stacks: Stacks) -> None:
    """The upload function reads the business calendar as the ladder does: national holidays and the policy's."""
    policy = json.loads(default_policy_text()) | {"local_holidays": [{"on": "12-10", "name": "Feriado municipal"}]}
    documents = {**BUSINESS, "DunningPolicyParameter": json.dumps(policy)}
    parameters = {**SUBSCRIBERS, "CustomerInvoiceNotices": "on"}
    with stacks(now=T0, parameters=parameters, documents=documents) as stack:
        stack.put_object("incoming/novembro.csv", BASIC)  # due Thursday 10/12/2026, the city's holiday here
        notices = stack.published("CustomerNoticesTopic", protocol="email")
        assert sorted(n.subject or "" for n in notices) == [
            "Fatura 1001: R$ 100,00 vence em 11/12/2026",
            "Fatura 1002: R$ 50,00 vence em 11/12/2026",
        ]
        assert all("vencimento em 10/12/2026 (feriado), prorrogado para 11/12/2026" in n.message for n in notices)


def test_with_customer_notices_off_the_new_customer_alert_still_says_the_day_a_due_date_moved_to(
    stacks: Stacks,
) -> None:
    policy = json.loads(default_policy_text()) | {"local_holidays": [{"on": "12-10", "name": "Feriado municipal"}]}
    documents = {**BUSINESS, "DunningPolicyParameter": json.dumps(policy)}
    with stacks(now=T0, parameters=SUBSCRIBERS, documents=documents) as stack:  # CustomerInvoiceNotices: off
        stack.put_object("incoming/novembro.csv", BASIC)  # due Thursday 10/12/2026, the city's holiday here

        alerts = staff_alerts(stack, "sales")
        assert len(alerts) == 2 and stack.published("CustomerNoticesTopic") == []
        assert all("10/12/2026 (feriado), prorrogado para 11/12/2026" in alert.message for alert in alerts), [
            a.message for a in alerts
        ]


def test_an_nfe_with_installments_is_recorded_with_its_duplicatas(stack: LocalStack) -> None:
    document = nfe_document(
        number="4521",
        customer_cnpj="11222333000181",
        customer_name="Mercado Central Ltda",
        customer_email="contas@mercadocentral.example",
        issued="2026-11-01",
        installments=[("001", "2026-12-01", "1500.00"), ("002", "2027-01-01", "1500.00")],
    )
    stack.put_object("incoming/nfe-4521.xml", document)
    ledger = DynamoStore(stack.physical_id("Table")).load_ledger(new_account_id([("tax_id", "11222333000181")]))
    assert ledger is not None
    (record,) = ledger.invoices
    assert [(i.number, i.amount.amount) for i in record.invoice.installments] == [("001", 150000), ("002", 150000)]
    assert report(stack, "processed/nfe-4521.xml.report.json")["file"]["format"] == "nfe"


def test_the_handler_takes_the_sample_s3_event(stack: LocalStack) -> None:
    event = sample_event("invoice-upload-s3-put.json")
    s3_event = event["Records"][0]["s3"]
    key = "incoming/recebíveis novembro.csv"
    assert s3_event["object"]["key"] == quote_plus(key, safe="/")
    bucket = stack.physical_id("InvoicesBucket")
    put = stack.client("s3").put_object(Bucket=bucket, Key=key, Body=BASIC)  # stored without a notification
    s3_event["bucket"] = {**s3_event["bucket"], "name": bucket, "arn": f"arn:aws:s3:::{bucket}"}
    s3_event["object"] |= {"size": len(BASIC), "eTag": put["ETag"].strip('"'), "versionId": put["VersionId"]}
    answer = invoke(stack.functions["InvoiceUpload"], event)
    (outcome,) = answer["uploads"]
    assert (outcome["status"], outcome["counts"]["created"]) == ("imported", 2)
    assert keys_in(stack) == ["processed/recebíveis novembro.csv", "processed/recebíveis novembro.csv.report.json"]
    stack.settle()
    (alert,) = staff_alerts(stack)
    assert "recebíveis novembro.csv" in alert.message
    again = invoke(stack.functions["InvoiceUpload"], event)  # the same event delivered twice
    assert again["uploads"][0]["status"] == "duplicate"


def test_the_objects_policy_kept_apart_from_the_function_is_not_made_locally(stack: LocalStack) -> None:
    assert stack.skipped["InvoiceUploadObjectsPolicy"] == "access control is not emulated locally"
    assert "InvoiceUpload" in stack.functions


def s3_event_for(stack: LocalStack, key: str, data: bytes) -> dict[str, Any]:
    """Store `key` without a notification, and the S3 event that would have named it."""
    event: dict[str, Any] = sample_event("invoice-upload-s3-put.json")
    bucket = stack.physical_id("InvoicesBucket")
    put = stack.client("s3").put_object(Bucket=bucket, Key=key, Body=data)
    s3_event = event["Records"][0]["s3"]
    s3_event["bucket"] = {**s3_event["bucket"], "name": bucket, "arn": f"arn:aws:s3:::{bucket}"}
    s3_event["object"] |= {
        "key": quote_plus(key, safe="/"),
        "size": len(data),
        "eTag": put["ETag"].strip('"'),
        "versionId": put["VersionId"],
    }
    return event


def test_a_file_deleted_before_it_is_read_is_skipped_with_a_report(stack: LocalStack) -> None:
    event = s3_event_for(stack, "incoming/errado.csv", BASIC)
    bucket = stack.physical_id("InvoicesBucket")
    stack.client("s3").delete_object(Bucket=bucket, Key="incoming/errado.csv")  # a delete marker, as the console's
    (outcome,) = invoke(stack.functions["InvoiceUpload"], event)["uploads"]
    assert (outcome["status"], outcome["report"]) == ("skipped", "processed/errado.csv.report.json")
    stack.settle()
    assert keys_in(stack) == ["processed/errado.csv.report.json"]
    found = report(stack, "processed/errado.csv.report.json")
    assert (found["status"], found["reason"]) == (
        "skipped",
        "the file was deleted before it was read: nothing was recorded",
    )
    assert ledger_items(stack) == [] and staff_alerts(stack) == [] and stack.platform_events() == []
    assert stack.failures == []


def test_excel_unicode_text_with_a_formula_name_is_recorded_harmless(stack: LocalStack) -> None:
    sheet = [
        ["Número", "Parcela", "Cliente", "CNPJ/CPF", "Valor", "Vencimento"],
        [
            "1001",
            "1",
            '=HYPERLINK("https://pague.example";"Pague aqui")',
            "12.345.678/0001-95",
            "1.234,56",
            "10/12/2026",
        ],
        ["1002", "1", "Conceição Ávila", "123.456.789-09", "99,90", "15/12/2026"],
    ]
    stack.put_object("incoming/contas.txt", excel_unicode_text(sheet))
    assert stack.failures == []
    found = report(stack, "processed/contas.txt.report.json")
    assert (found["counts"]["created"], found["counts"]["accounts_opened"], found["counts"]["warnings"]) == (2, 2, 1)
    assert found["warnings"][0]["line"] == 2 and found["warnings"][0]["reason"].startswith(
        "customer name begins with '='"
    )
    names = sorted(event["detail"]["data"]["account_name"] for event in stack.platform_events())
    assert names == ["Conceição Ávila", 'HYPERLINK("https://pague.example";"Pague aqui")']
    assert sorted(alert.subject for alert in staff_alerts(stack, "sales")) == [
        "Novo cliente: Conceicao Avila, nota 1002 de R$ 99,90",
        'Novo cliente: HYPERLINK("https://pague.example";"Pague aqui"), nota 1001 de R$ 1.234,56',
    ]


def test_an_object_put_through_the_emulators_endpoint_reaches_the_upload_function_once(stack: LocalStack) -> None:
    """Under `make serve` the back office may use the AWS CLI against the emulator: S3's notification goes out for
    what it puts, as for `stack.put_object`, and only once."""
    bucket = stack.physical_id("InvoicesBucket")
    stack.client("s3").put_object(Bucket=bucket, Key="incoming/novembro.csv", Body=BASIC)
    stack.client("s3").put_object(Bucket=bucket, Key="notes/readme.txt", Body=b"not an upload")
    assert stack.deliver_uploads() == 1
    assert keys_in(stack) == ["notes/readme.txt", "processed/novembro.csv", "processed/novembro.csv.report.json"]
    assert report(stack, "processed/novembro.csv.report.json")["counts"]["created"] == 2
    assert stack.deliver_uploads() == 0
    assert stack.failures == []
