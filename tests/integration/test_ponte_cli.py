"""The operator's command line, `ponte`, against the local stack: each command as an operator runs it, with the names
`make serve` prints (`--table`, `--queue-url`, ...), or a deployed stack's name (`--stack`, on the emulator's
CloudFormation), and what it printed and changed checked.

Padaria Estrela owes R$ 1.500,00 due on Monday 9 November 2026; with the default policy (Brazilian business days,
20/11 a holiday) it was reminded on 4/11 and 9/11 and told it is overdue on 10/11 and 16/11; the final warning comes
on 24/11 naming 30/11, the suspension on 1/12.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import ANY, Stubber

from infra.cli.show import Progress
from infra.local import LocalStack
from infra.local.events import s3_put
from infra.local.signing import stripe_headers
from infra.ponte import main as ponte
from ponte.adapters.dynamodb import DynamoStore
from ponte.domain.accounts import Contact, next_version
from ponte.domain.changes import AccountChange
from ponte.domain.ledger import InvoiceRecord, PaymentRecord
from ponte.domain.money import Money
from ponte.domain.policy import default_policy_text
from ponte.services.accounts import OpenAccount, opening_change
from tests.collections_support import invoice, local
from tests.conftest import FAKE_AWS
from tests.support import ROOT
from tests.upload_support import csv_file, row

DUE = date(2026, 11, 9)
EMAIL, PHONE = "joao@padaria.example", "+5511988887777"


def names(stack: LocalStack) -> list[str]:
    """The table and the policy's parameter, as `make serve` prints them."""
    return ["--table", stack.physical_id("Table"), "--policy-parameter", stack.physical_id("DunningPolicyParameter")]


def run(capsys: pytest.CaptureFixture[str], *argv: str, **options: Any) -> tuple[int, str, str]:
    status = ponte(list(argv), **options)
    out, err = capsys.readouterr()
    return status, out, err


def open_account(
    stack: LocalStack,
    account_id: str,
    *invoices: InvoiceRecord,
    name: str = "Padaria Estrela",
    payments: tuple[PaymentRecord, ...] = (),
    evaluate: bool = True,
) -> None:
    """Open the account and record its invoices (and payments); with `evaluate`, the next sweep evaluates it."""
    store = DynamoStore(stack.physical_id("Table"))
    opening = opening_change(
        OpenAccount(
            account_id=account_id,
            name=name,
            locale="pt-BR",
            contact=Contact(name="João Silva", email=EMAIL, phone=PHONE),
            owner="ana",
        ),
        now=stack.now,
        staff_locale="pt-BR",
        source="test",
    )
    store.commit(opening)
    account = next_version(opening.account, next_evaluation_at=stack.now if evaluate else None)
    store.commit(
        AccountChange(account=account, recorded_at=stack.now, expected_version=0, invoices=invoices, payments=payments)
    )
    stack.settle()


def customer_notices(stack: LocalStack, account_id: str) -> list[str]:
    return [
        d.attributes["event_type"]
        for d in stack.published("CustomerNoticesTopic")
        if d.attributes.get("account_id") == account_id
    ]


def table_items(stack: LocalStack) -> list[dict[str, Any]]:
    paginator = stack.client("dynamodb").get_paginator("scan")
    items = [item for page in paginator.paginate(TableName=stack.physical_id("Table")) for item in page["Items"]]
    return sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


@pytest.fixture
def overdue(stack: LocalStack) -> LocalStack:
    """Padaria Estrela a week past its due date, after the overdue notice of 16/11."""
    open_account(stack, "padaria", invoice("NF-1", DUE))
    stack.advance_to(local(date(2026, 11, 17), 9))
    assert customer_notices(stack, "padaria").count("customer.overdue_notice") == 2
    return stack


# account show


def test_account_show_gives_the_state_what_is_owed_the_plan_and_the_timeline(
    overdue: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "account", "show", "padaria", *names(overdue), "--json", now=overdue.now)
    assert status == 0
    shown = json.loads(out)
    assert shown["account"]["status"] == "overdue"
    assert shown["account"]["contact_channels"] == ["email", "sms"]
    assert shown["owed"] == shown["overdue"] == [{"amount": 150_000, "currency": "BRL"}]
    assert shown["overdue_since"] == "2026-11-09"
    assert shown["due_now"] == []  # both overdue notices went out; the final warning waits for its day
    plan = [(step["step_id"], step["on"], step["deadline"]) for step in shown["plan"]]
    assert plan[:2] == [("final-warning", "2026-11-24", "2026-11-30"), ("suspend", "2026-12-01", "2026-11-30")]
    whats = [entry["what"] for entry in shown["timeline"]]
    assert whats.count("collections.reminder") == 2 and whats.count("collections.overdue_notice") == 2
    assert shown["policy"]["version"] == 1

    status, out, _ = run(capsys, "account", "show", "padaria", *names(overdue), now=overdue.now)
    assert status == 0
    assert out.startswith("Padaria Estrela (padaria): overdue, owner ana, pt-BR, contact by email, sms\n")
    assert "owed: 1500.00 BRL; overdue: 1500.00 BRL since 2026-11-09" in out
    assert "2026-11-24  final-warning  final_warning  2026-11-30" in out
    assert "collections.overdue_notice" in out
    assert EMAIL not in out and PHONE not in out  # which channels, never the addresses


def test_account_show_of_an_unknown_account_or_without_names(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "account", "show", "ninguem", *names(stack), now=stack.now)
    assert (status, out) == (1, "")
    assert "no account 'ninguem'" in err

    with pytest.raises(SystemExit) as misused:
        ponte(["account", "show", "padaria"])
    assert misused.value.code == 2
    assert "name the Table (--table ...) or the deployed stack (--stack NAME)" in capsys.readouterr().err


# policy check


def test_policy_check_says_what_is_wrong_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    valid = tmp_path / "policy.json"
    valid.write_text(default_policy_text())
    status, out, _ = run(capsys, "policy", "check", str(valid))
    assert status == 0
    assert out.startswith(f"{valid}: valid, version 1; business days")
    assert "suspend        suspend         +15   at least 50.00 BRL or 10.00 EUR or 10.00 USD" in out

    document = json.loads(default_policy_text())
    document["steps"] = [s for s in document["steps"] if s["kind"] != "final_warning"]
    document["steps"][0]["offset_days"] = 2
    invalid = tmp_path / "broken.json"
    invalid.write_text(json.dumps(document))
    status, out, _ = run(capsys, "policy", "check", str(invalid), "--json")
    assert status == 1
    checked = json.loads(out)
    assert checked["valid"] is False
    assert checked["problems"] == [
        "step 'due-today' must come after 'reminder-3' in offset_days",
        "reminder 'reminder-3' must be on or before the due date (offset_days <= 0)",
        "suspend step 'suspend' needs a final_warning before it",
    ]
    status, out, _ = run(capsys, "policy", "check", str(invalid))
    assert status == 1
    assert out.splitlines()[0] == f"{invalid}: invalid"
    assert "  suspend step 'suspend' needs a final_warning before it" in out.splitlines()


def test_policy_check_against_the_stack_wants_a_higher_version(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    same = tmp_path / "same.json"
    same.write_text(default_policy_text())
    parameter = stack.physical_id("DunningPolicyParameter")
    status, out, _ = run(capsys, "policy", "check", str(same), "--policy-parameter", parameter)
    assert status == 1
    assert "version: 1 is not above the version in force (1); raise it on every change" in out
    raised = tmp_path / "raised.json"
    raised.write_text(json.dumps({**json.loads(default_policy_text()), "version": 2}))
    status, out, _ = run(capsys, "policy", "check", str(raised), "--policy-parameter", parameter)
    assert status == 0
    assert "valid, version 2 (in force: version 1)" in out


# policy preview


def stricter(tmp_path: Path) -> Path:
    """Version 2: reminders 5 business days ahead, the final warning at 6 and suspension at 10."""
    document = json.loads(default_policy_text())
    document["version"] = 2
    offsets = {"reminder-3": -5, "final-warning": 6, "suspend": 10, "collections": 20}
    for step in document["steps"]:
        step["offset_days"] = offsets.get(step["id"], step["offset_days"])
    path = tmp_path / "stricter.json"
    path.write_text(json.dumps(document))
    return path


def test_policy_preview_compares_the_book_under_both_policies_reading_only_by_key(
    overdue: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = overdue
    open_account(stack, "em-dia", invoice("NF-2", date(2026, 11, 30)), name="Mercado Em Dia")
    paid = PaymentRecord(
        provider="test",
        payment_id="pay-1",
        amount=Money(amount=150_000, currency="BRL"),
        received_at=stack.now,
        invoice_key="NF-3",
    )
    open_account(stack, "pago", invoice("NF-3", DUE), name="Bar Pago", payments=(paid,), evaluate=False)
    stack.advance(hours=1)
    before = table_items(stack)
    boto3.setup_default_session()
    session = boto3.DEFAULT_SESSION
    assert session is not None
    calls: list[str] = []
    session.events.register("before-call", lambda model, **_: calls.append(model.name))

    status, out, err = run(
        capsys, "policy", "preview", str(stricter(tmp_path)), *names(stack), "--json", now=stack.now, session=session
    )
    assert status == 0, err
    preview = json.loads(out)
    by_id = {account["account_id"]: account for account in preview["accounts"]}
    assert sorted(by_id) == ["em-dia", "padaria"]  # the settled account is not even read
    padaria, em_dia = by_id["padaria"], by_id["em-dia"]
    # The overdue account: under the new policy its final warning is due now, and the suspension comes sooner.
    assert padaria["in_force"]["steps"][0]["step_id"] == "final-warning"
    assert padaria["in_force"]["suspension"] == "2026-12-01"
    assert padaria["new"]["steps"][0] == {
        "step_id": "final-warning",
        "kind": "final_warning",
        "on": "2026-11-17",
        "deadline": "2026-11-23",
    }
    assert padaria["new"]["suspension"] == "2026-11-24"
    # The account due on 30/11: reminded five business days ahead instead of three, and if it does not pay,
    # suspended on 15/12, within the 30 days shown (under the policy in force, later, after them): the suspension
    # at 10 is Monday 14/12, but the day before it is a Sunday, so the deadline named is 14/12 and the suspension
    # the business day after it.
    assert em_dia["in_force"]["steps"][0]["on"] == "2026-11-25"
    assert em_dia["new"]["steps"][0]["on"] == "2026-11-23"
    assert (em_dia["in_force"]["suspension"], em_dia["new"]["suspension"]) == (None, "2026-12-15")
    assert preview["summary"] == {
        "accounts": 2,
        "differ": 2,
        "suspended": {"in_force": 1, "new": 2},
        "suspended_sooner": 2,
        "suspended_later_or_not": 0,
        "customer_notices": {"in_force": 6, "new": 6},
    }
    # Read-only, by key: the due index and the book (one query each), one query per ledger, the policy in force.
    assert sorted(calls) == ["GetParameter", "Query", "Query", "Query", "Query"]
    assert preview["reads"]["ledgers"] == 2 and preview["reads"]["aws_calls"] == {
        "dynamodb:Query": 4,
        "ssm:GetParameter": 1,
    }
    assert table_items(stack) == before

    status, out, _ = run(capsys, "policy", "preview", str(stricter(tmp_path)), *names(stack), now=stack.now)
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == (
        f"policy preview: version 2 ({tmp_path / 'stricter.json'}) against version 1 in force, as of 2026-11-17 "
        "10:00 America/Sao_Paulo, steps through 2026-12-17"
    )
    assert "differ: 2 of 2 accounts" in lines
    assert (
        "suspended by 2026-12-17: 1 under the policy in force, 2 under the new one (2 sooner, 0 later or not at all)"
    ) in lines
    header = next(line for line in lines if line.startswith("ACCOUNT"))
    assert header.split() == ["ACCOUNT", "STATUS", "OWED", "NEXT", "(v1)", "NEXT", "(v2)", "SUSPENDED", "ON"]
    [row_padaria] = [line for line in lines if line.startswith("padaria")]
    assert row_padaria.split() == [
        "padaria", "overdue", "1500.00", "BRL", "final-warning", "2026-11-24", "final-warning", "now",
        "2026-12-01", "->", "2026-11-24",
    ]  # fmt: skip
    [row_em_dia] = [line for line in lines if line.startswith("em-dia")]
    assert row_em_dia.split()[-3:] == ["-", "->", "2026-12-15"]


def test_policy_preview_refuses_an_invalid_policy(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"version": 2}')
    status, out, _ = run(capsys, "policy", "preview", str(broken), *names(stack), now=stack.now)
    assert status == 1
    assert out.splitlines()[:2] == [f"{broken}: invalid", "  day_count: Field required"]


def test_progress_goes_to_standard_error_a_line_every_few_seconds() -> None:
    ticks = iter([0.0, 1.0, 6.0, 7.0, 12.5])
    stream = io.StringIO()
    progress = Progress("policy preview: accounts read", 3, stream=stream, clock=lambda: next(ticks))
    progress.advance()  # 1 s: too soon
    progress.advance()  # 6 s
    progress.advance()  # 7 s: too soon after the last line
    assert progress.finish() == 12.5
    assert stream.getvalue().splitlines() == [
        "policy preview: accounts read: 2 of 3 (66%), 6.0 s",
        "policy preview: accounts read: 3 of 3 (100%), 12.5 s",
    ]


# redrive


class Outage:
    """DynamoDB refuses every transaction while `on`: the collections worker cannot write its evaluation."""

    def __init__(self) -> None:
        self.on = False

    def __call__(self, **_: Any) -> None:
        if self.on:
            raise EndpointConnectionError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com")


@pytest.fixture
def outage(stack: LocalStack) -> Iterator[Outage]:
    boto3.setup_default_session()
    session = boto3.DEFAULT_SESSION
    assert session is not None
    refuse = Outage()
    session.events.register("before-call.dynamodb.TransactWriteItems", refuse)
    yield refuse
    session.events.unregister("before-call.dynamodb.TransactWriteItems", refuse)


def test_redrive_sends_the_accounts_the_worker_could_not_evaluate_back_once(
    stack: LocalStack, outage: Outage, capsys: pytest.CaptureFixture[str]
) -> None:
    open_account(stack, "padaria", invoice("NF-1", DUE))
    outage.on = True
    stack.advance_to(local(date(2026, 11, 4), 9))  # the sweeps of 3/11 and 4/11: the worker fails five times each
    dead = stack.queue_messages("DunningWorkDeadLetterQueue")
    assert [job["account_id"] for job in dead] == ["padaria", "padaria"]
    assert customer_notices(stack, "padaria") == ["customer.welcome"]

    outage.on = False  # the cause is fixed
    arguments = [
        "redrive",
        "DunningWorkDeadLetterQueue",
        "--queue-url",
        stack.physical_id("DunningWorkDeadLetterQueue"),
        "--to-queue-url",
        stack.physical_id("DunningWorkQueue"),
    ]
    status, out, _ = run(capsys, *arguments, now=stack.now)
    assert (status, out) == (
        0,
        "DunningWorkDeadLetterQueue: 2 account(s) sent back to DunningWorkQueue, to be evaluated as of now\n",
    )
    stack.settle()
    assert customer_notices(stack, "padaria") == ["customer.welcome", "customer.payment_reminder"]  # once
    assert stack.queue_messages("DunningWorkDeadLetterQueue") == []
    timeline = DynamoStore(stack.physical_id("Table")).timeline("padaria")
    [reminder] = [entry for entry in timeline if entry.what == "collections.reminder"]
    assert reminder.source == "dunning:padaria:redrive:2026-11-04T12:00:00Z"

    status, out, _ = run(capsys, *arguments, now=stack.now)
    assert (status, out) == (0, "DunningWorkDeadLetterQueue: nothing to redrive\n")


class LocalLambda:
    """Lambda's Invoke for the local stack, whose functions run in this process rather than in the emulator: an
    asynchronous invocation goes through the stack's own, with Lambda's retries and on-failure destination."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.invoked: list[str] = []

    def invoke(self, *, FunctionName: str, InvocationType: str, Payload: bytes) -> dict[str, Any]:
        assert InvocationType == "Event"
        [spec] = [s for s in self.stack.functions.values() if FunctionName in {s.name, s.arn}]
        self.invoked.append(spec.logical_id)
        self.stack._invoke_async(spec, json.loads(Payload), "redrive")
        self.stack.settle()
        return {"StatusCode": 202}


def test_redrive_invokes_the_upload_function_again_with_each_failed_event(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    boto3.setup_default_session()
    session = boto3.DEFAULT_SESSION
    assert session is not None
    refusing = {"on": True}

    def refuse(**_: Any) -> None:
        if refusing["on"]:
            raise EndpointConnectionError(endpoint_url="https://s3.us-east-1.amazonaws.com")

    session.events.register("before-call.s3.GetObject", refuse)  # the function's client keeps it: see `refusing`
    stack.put_object("incoming/novembro.csv", csv_file(row(1001, amount="100,00", due="10/12/2026")))
    refusing["on"] = False  # the cause is fixed
    assert [f.function for f in stack.failures] == ["InvoiceUpload"]
    # The local stack's on-failure destination holds the event alone; AWS's holds Lambda's record around it.
    bucket = stack.physical_id("InvoicesBucket")
    stack.client("s3").put_object(Bucket=bucket, Key="incoming/dezembro.csv", Body=csv_file(row(1002, amount="5,00")))
    head = stack.client("s3").head_object(Bucket=bucket, Key="incoming/dezembro.csv")
    event = s3_put(
        bucket=bucket,
        key="incoming/dezembro.csv",
        size=head["ContentLength"],
        etag=head["ETag"],
        version_id=head.get("VersionId"),
        region="us-east-1",
        now=stack.now,
    )
    record = {
        "version": "1.0",
        "timestamp": "2026-11-02T12:00:00.000Z",
        "requestContext": {
            "requestId": "r-1",
            "functionArn": f"{stack.functions['InvoiceUpload'].arn}:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 3,
        },
        "requestPayload": event,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "responsePayload": {"errorMessage": "Could not connect to the endpoint URL", "errorType": "Error"},
    }
    failures = stack.physical_id("InvoiceUploadFailureQueue")
    stack.client("sqs").send_message(QueueUrl=failures, MessageBody=json.dumps(record))
    lambda_ = LocalLambda(stack)

    arguments = ["redrive", "InvoiceUploadFailureQueue", "--queue-url", failures]
    arguments += ["--function", stack.physical_id("InvoiceUpload")]
    status, out, _ = run(capsys, *arguments, now=stack.now, clients={"lambda": lambda_})
    assert (status, out) == (
        0,
        "InvoiceUploadFailureQueue: 2 event(s) invoked again (InvoiceUpload, asynchronously)\n",
    )
    assert lambda_.invoked == ["InvoiceUpload", "InvoiceUpload"]
    listing = stack.client("s3").list_objects_v2(Bucket=bucket)["Contents"]
    assert sorted(o["Key"] for o in listing) == [
        "processed/dezembro.csv",
        "processed/dezembro.csv.report.json",
        "processed/novembro.csv",
        "processed/novembro.csv.report.json",
    ]
    assert stack.queue_messages("InvoiceUploadFailureQueue") == []


def test_redrive_calls_lambda_asynchronously_and_keeps_what_lambda_refused(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    queue = stack.physical_id("DeliveryEventsFailureQueue")
    event = {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": "{}"}}]}
    arn = "arn:aws:lambda:us-east-1:123456789012:function:ponte-DeliveryEvents-abc"
    record = {"requestContext": {"functionArn": f"{arn}:$LATEST"}, "requestPayload": event}
    stack.client("sqs").send_message(QueueUrl=queue, MessageBody=json.dumps(record))
    lambda_ = boto3.client("lambda", region_name="us-east-1")
    expected = {"FunctionName": f"{arn}:$LATEST", "InvocationType": "Event", "Payload": json.dumps(event).encode()}

    with Stubber(lambda_) as stub:  # on make serve, Lambda knows none of the stack's functions
        stub.add_client_error(
            "invoke", "ResourceNotFoundException", "Function not found", 404, expected_params=expected
        )
        status, out, err = run(
            capsys, "redrive", "DeliveryEventsFailureQueue", "--queue-url", queue, clients={"lambda": lambda_}
        )
    assert (status, out) == (1, "")
    assert err == "ponte: AWS refused Invoke: ResourceNotFoundException: Function not found\n"
    assert stack.queue_messages("DeliveryEventsFailureQueue") == [record]  # still there, visible at once

    with Stubber(lambda_) as stub:
        stub.add_response("invoke", {"StatusCode": 202}, {**expected, "Payload": ANY})
        status, out, _ = run(capsys, "redrive", "DeliveryEventsFailureQueue", "--queue-url", queue, "--json",
                             clients={"lambda": lambda_})  # fmt: skip
    assert status == 0
    assert json.loads(out) == {
        "queue": "DeliveryEventsFailureQueue",
        "done": {"event(s) invoked again (DeliveryEvents, asynchronously)": 1},
        "left": 0,
    }
    assert stack.queue_messages("DeliveryEventsFailureQueue") == []


def test_redrive_names_the_queues_it_does_not_redrive_and_why(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as misused:
        ponte(["redrive", "NotifierFailureQueue", "--queue-url", stack.physical_id("NotifierFailureQueue")])
    assert misused.value.code == 2
    assert "NotifierFailureQueue is not redriven: its messages point into the table's stream" in capsys.readouterr().err


# secrets


def test_secrets_set_reads_the_value_from_standard_input_and_the_webhook_verifies_with_it(
    stack: LocalStack, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_id = stack.physical_id("StripeWebhookSecret")
    secrets = stack.client("secretsmanager")
    monkeypatch.setattr(sys, "stdin", io.StringIO("whsec_first\n"))
    status, out, err = run(capsys, "secrets", "set", "stripe", "--secret-id", secret_id)
    assert (status, err) == (0, "")
    assert out == "stripe: set, 1 value; the functions read it within 5 minutes\n"
    assert json.loads(secrets.get_secret_value(SecretId=secret_id)["SecretString"]) == {"secrets": ["whsec_first"]}
    intent = {
        "id": "pi_1",
        "object": "payment_intent",
        "amount": 15000,
        "amount_received": 15000,
        "currency": "brl",
        "customer": "cus_1",
        "metadata": {"account_id": "padaria"},
        "payment_method_types": ["pix"],
        "created": int(stack.now.timestamp()),
        "status": "succeeded",
    }
    event = {"id": "evt_1", "object": "event", "type": "payment_intent.succeeded", "data": {"object": intent}}
    body = json.dumps({**event, "created": int(stack.now.timestamp())}).encode()
    for secret, answer in (("whsec_other", 401), ("whsec_first", 200)):
        status, _, _ = stack.http(
            "POST", "/webhooks/stripe", headers=stripe_headers(body, secret, stack.now), body=body
        )
        assert status == answer

    monkeypatch.setattr(sys, "stdin", io.StringIO("whsec_second"))
    status, out, _ = run(capsys, "secrets", "set", "stripe", "--secret-id", secret_id, "--rotate")
    assert status == 0
    assert "2 values (the new one first, the previous one kept until you set it again without --rotate)" in out
    stored = json.loads(secrets.get_secret_value(SecretId=secret_id)["SecretString"])
    assert stored == {"secrets": ["whsec_second", "whsec_first"]}
    assert "whsec_" not in out

    monkeypatch.setattr(sys, "stdin", io.StringIO("\n"))
    status, _, err = run(capsys, "secrets", "set", "stripe", "--secret-id", secret_id)
    assert (status, err) == (1, "ponte: no value on standard input: pipe the secret in, or type it when asked\n")
    with pytest.raises(SystemExit):  # never from the command line
        ponte(["secrets", "set", "stripe", "whsec_in_argv", "--secret-id", secret_id])
    assert json.loads(secrets.get_secret_value(SecretId=secret_id)["SecretString"])["secrets"][0] == "whsec_second"


# a deployed stack, by name


def test_a_deployed_stack_is_found_by_name(
    stack: LocalStack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The emulator's CloudFormation makes a stack with some of the template's resources, under its logical ids, and
    its business parameters; the commands find them by the stack's name alone."""
    table = {
        "Type": "AWS::DynamoDB::Table",
        "Properties": {
            "TableName": "ponte-prod-table",
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [
                {"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "due_pk", "due_at")
            ],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "due",
                    "KeySchema": [
                        {"AttributeName": "due_pk", "KeyType": "HASH"},
                        {"AttributeName": "due_at", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            ],
        },
    }
    template = {
        "Parameters": {
            "BusinessTimeZone": {"Type": "String", "Default": "America/Manaus"},
            "BusinessCountry": {"Type": "String", "Default": "BR"},
        },
        "Resources": {
            "Table": table,
            "DunningPolicyParameter": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Name": "ponte-prod-policy", "Type": "String", "Value": default_policy_text()},
            },
            "DunningWorkQueue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "ponte-prod-work"}},
            "DunningWorkDeadLetterQueue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "ponte-prod-dlq"}},
        },
    }
    stack.client("cloudformation").create_stack(StackName="ponte-prod", TemplateBody=json.dumps(template))
    sqs = stack.client("sqs")
    dead_letters, work = (
        sqs.get_queue_url(QueueName=name)["QueueUrl"] for name in ("ponte-prod-dlq", "ponte-prod-work")
    )
    DynamoStore("ponte-prod-table").commit(
        opening_change(
            OpenAccount(account_id="padaria", name="Padaria Estrela", locale="pt-BR", contact=Contact(name="João")),
            now=stack.now,
            staff_locale="pt-BR",
            source="test",
        )
    )

    status, out, _ = run(capsys, "account", "show", "padaria", "--stack", "ponte-prod", now=stack.now)
    assert status == 0
    assert "Padaria Estrela (padaria): active" in out
    assert "(America/Manaus)" in out  # the stack's parameter, not the template's default

    raised = tmp_path / "raised.json"
    raised.write_text(json.dumps({**json.loads(default_policy_text()), "version": 2}))
    status, out, _ = run(capsys, "policy", "check", str(raised), "--stack", "ponte-prod")
    assert (status, "valid, version 2 (in force: version 1)" in out) == (0, True)

    job = {"account_id": "padaria", "now": "2026-11-02T11:00:00Z", "run": "2026-11-02T11:00:00Z", "flags": []}
    sqs.send_message(QueueUrl=dead_letters, MessageBody=json.dumps(job))
    status, _, _ = run(capsys, "redrive", "DunningWorkDeadLetterQueue", "--stack", "ponte-prod", now=stack.now)
    assert status == 0
    [sent] = sqs.receive_message(QueueUrl=work)["Messages"]
    assert json.loads(sent["Body"])["account_id"] == "padaria"
    assert "Messages" not in sqs.receive_message(QueueUrl=dead_letters)

    with pytest.raises(SystemExit):
        ponte(["secrets", "set", "stripe", "--stack", "ponte-prod"])
    assert "the stack ponte-prod has no resource StripeWebhookSecret" in capsys.readouterr().err


# the installed command, against an emulator's endpoint as `make serve` runs it


def test_the_installed_command_works_against_the_emulators_endpoint(stack: LocalStack, tmp_path: Path) -> None:
    command = Path(sys.executable).parent / "ponte"
    assert command.is_file(), "the venv has no `ponte`: make installs the project into it (pip install --no-deps -e .)"
    from moto.server import ThreadedMotoServer

    environment = {"PATH": os.environ.get("PATH", ""), **FAKE_AWS}
    # The module's check reads no AWS: its interpreter starts while the stack is made ready, and reads the policy
    # from standard input when it is given below.
    with subprocess.Popen(
        [sys.executable, "-m", "infra.ponte", "policy", "check", "-"],
        env={**environment, "PYTHONPATH": f"{ROOT / 'layers' / 'ponte'}{os.pathsep}{ROOT}"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as as_module:
        open_account(stack, "padaria", invoice("NF-1", DUE))
        stack.advance_to(local(date(2026, 11, 10), 9))
        # An emulator's server in this process answers from the emulator the stack is on, as `make serve`'s does:
        # the command finds over HTTP what the stack made and wrote.
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
        server.start()
        host, port = server.get_host_and_port()
        endpoint, at = f"http://{host}:{port}", local(date(2026, 11, 10), 9).isoformat()
        try:
            shown = subprocess.run(
                [str(command), "account", "show", "padaria", "--endpoint-url", endpoint, *names(stack), "--at", at],
                env=environment,
                cwd=tmp_path,  # anywhere: the command is installed, not run from the repository
                capture_output=True,
                text=True,
                check=False,
            )
        finally:
            server.stop()
        checked, refused = as_module.communicate(default_policy_text(), timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("Padaria Estrela (padaria): overdue")
    assert "2026-11-16  overdue-5" in shown.stdout
    assert as_module.returncode == 0 and checked.startswith("-: valid, version 1"), refused
