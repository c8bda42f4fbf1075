"""The local stack's own logic: schedules, filters and intrinsics (no emulator needed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.local.delivery import Email, event_type_name, sending_identity, ses_event
from infra.local.patterns import matches
from infra.local.schedules import fire_times
from infra.local.stack import LOCAL_PARAMETERS
from infra.local.template import Pseudo, Resolver, TemplateError, load_template, parameter_values, references
from tests.support import ROOT

START = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)  # a Sunday


def test_daily_cron_fires_at_local_time() -> None:
    times = fire_times("cron(0 8 * * ? *)", "America/Sao_Paulo", START, START, START + timedelta(days=3))
    assert times == [datetime(2026, 11, d, 11, 0, tzinfo=UTC) for d in (1, 2, 3)]  # 08:00 at UTC-3


def test_weekday_cron_uses_aws_day_numbers() -> None:
    times = fire_times("cron(30 9 ? * MON-FRI *)", "UTC", START, START, START + timedelta(days=7))
    assert [t.strftime("%a %H:%M") for t in times] == [f"{d} 09:30" for d in ("Mon", "Tue", "Wed", "Thu", "Fri")]
    assert fire_times("cron(0 0 ? * 1 *)", "UTC", START, START - timedelta(minutes=1), START) == [START]  # 1 = Sunday


def test_rate_counts_from_the_stack_start_and_at_fires_once() -> None:
    assert len(fire_times("rate(6 hours)", "UTC", START, START, START + timedelta(days=1))) == 4
    at = fire_times("at(2026-11-01T10:00:00)", "America/Sao_Paulo", START, START, START + timedelta(days=2))
    assert at == [datetime(2026, 11, 1, 13, 0, tzinfo=UTC)]


def test_an_unsupported_cron_is_refused() -> None:
    with pytest.raises(TemplateError):
        fire_times("cron(0 8 ? * 2#1 *)", "UTC", START, START, START + timedelta(days=1))


def test_lambda_event_filter_on_a_stream_record() -> None:
    pattern = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"kind": {"S": ["outbox"]}}}}
    record = {"eventName": "INSERT", "dynamodb": {"NewImage": {"kind": {"S": "outbox"}}}}
    assert matches(pattern, record)
    assert not matches(pattern, {**record, "eventName": "MODIFY"})
    assert not matches(pattern, {"eventName": "INSERT", "dynamodb": {"NewImage": {"kind": {"S": "account"}}}})


@pytest.mark.parametrize(
    ("rule", "value", "expected"),
    [
        ({"prefix": "inc"}, "incoming/a.csv", True),
        ({"suffix": ".csv"}, "a.xml", False),
        ({"anything-but": ["x"]}, "y", True),
        ({"numeric": [">", 1, "<=", 5]}, 5, True),
        ({"numeric": [">", 1]}, "abc", False),
        ({"equals-ignore-case": "ABC"}, "abc", True),
    ],
)
def test_filter_operators(rule: dict[str, object], value: object, expected: bool) -> None:
    assert matches({"key": [rule]}, {"key": value}) is expected


def test_exists_operator() -> None:
    assert matches({"a": [{"exists": False}]}, {"b": 1})
    assert not matches({"a": [{"exists": True}]}, {"b": 1})


def test_intrinsics_resolve_against_parameters_and_resources() -> None:
    template = {"Parameters": {"Stage": {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"]}}}
    resolver = Resolver(
        parameters=parameter_values(template, {"Stage": "prod"}),
        conditions={"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
        pseudo=Pseudo(),
        refs={"Topic": "arn:topic"},
        attributes={"Queue": {"Arn": "arn:queue"}},
    )
    value = {
        "A": {"Fn::Sub": "${AWS::StackName}-${Stage}-${Queue.Arn}"},
        "B": {"Fn::If": ["IsProd", {"Ref": "Topic"}, {"Ref": "AWS::NoValue"}]},
        "C": {"Fn::Join": ["/", ["x", {"Fn::Select": [1, {"Fn::Split": [",", "a,b"]}]}]]},
    }
    assert resolver.resolve(value) == {"A": "ponte-local-prod-arn:queue", "B": "arn:topic", "C": "x/b"}
    assert references(value) == {"Queue", "Topic", "AWS::StackName", "AWS::NoValue", "Stage"}


def test_parameters_are_checked_like_cloudformation_does() -> None:
    template = {"Parameters": {"Phone": {"Type": "String", "Default": "", "AllowedPattern": r"^$|^\+[0-9]+$"}}}
    with pytest.raises(TemplateError, match="does not match"):
        parameter_values(template, {"Phone": "12345"})
    with pytest.raises(TemplateError, match="unknown template parameters: Nope"):
        parameter_values(template, {"Nope": "x"})


def sent_email(**changes: object) -> Email:
    email = Email(
        message_id="0100-m-1",
        from_="Padaria Estrela <avisos@padaria.example>",
        to=("joao@cliente.example",),
        subject="Fatura nº 12/2026",
        text="Olá",
        html="<p>Olá</p>",
        reply_to=(),
        tags={"notice_id": "n-1"},
        configuration_set="ponte-delivery",
        sent_at=START,
    )
    return replace(email, **changes)  # type: ignore[arg-type]


def event_of(kind: str, email: Email, **details: object) -> dict[str, Any]:
    return ses_event(
        kind,
        email,
        "joao@cliente.example",
        identity="padaria.example",
        region="us-east-1",
        account_id="123456789012",
        now=START + timedelta(seconds=3),
        details=details,
    )


def test_ses_events_follow_the_shapes_of_aws_examples() -> None:
    email = sent_email()
    delivery = event_of("delivery", email)
    assert delivery["eventType"] == "Delivery"
    assert delivery["delivery"]["processingTimeMillis"] == 3000
    assert delivery["delivery"]["timestamp"] == "2026-11-01T00:00:03.000Z"
    assert delivery["mail"]["tags"]["ses:outgoing-ip"] and delivery["mail"]["tags"]["notice_id"] == ["n-1"]
    assert delivery["mail"]["tags"]["ses:from-domain"] == ["padaria.example"]

    send = event_of("send", email)
    assert send["send"] == {}
    assert {"name": "X-SES-MESSAGE-TAGS", "value": "notice_id=n-1"} in send["mail"]["headers"]

    delay = event_of("delivery_delay", email)
    assert "headers" not in delay["mail"] and "commonHeaders" not in delay["mail"]  # as in AWS's example
    assert delay["deliveryDelay"]["expirationTime"] == "2026-11-01T14:00:00.000Z"  # SES retries for 14 hours

    complaint = event_of("complaint", email, complaintFeedbackType="not-spam")
    assert complaint["complaint"]["complaintFeedbackType"] == "not-spam"
    assert complaint["complaint"]["complainedRecipients"] == [{"emailAddress": "joao@cliente.example"}]
    assert event_of("reject", email)["reject"] == {"reason": "Bad content"}

    text_only = event_of("bounce", sent_email(html="", configuration_set=None))
    assert "ses:configuration-set" not in text_only["mail"]["tags"]
    assert {"name": "Content-Type", "value": "text/plain; charset=UTF-8"} in text_only["mail"]["headers"]
    with pytest.raises(ValueError, match="unknown SES event kind"):
        event_of("click", email)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("send", "SEND"),
        ("deliveryDelay", "DELIVERY_DELAY"),
        ("renderingFailure", "RENDERING_FAILURE"),
        ("BOUNCE", "BOUNCE"),
    ],
)
def test_event_types_are_read_in_either_spelling(given: str, expected: str) -> None:
    assert event_type_name(given) == expected


def test_ses_sends_as_the_address_or_else_its_domain() -> None:
    assert sending_identity("Ana <ana@padaria.example>", ["ana@padaria.example", "padaria.example"]) == (
        "ana@padaria.example"
    )
    assert sending_identity("Avisos <avisos@padaria.example>", ["padaria.example"]) == "padaria.example"


@pytest.mark.parametrize(
    ("sender", "is_domain"),
    [("padaria.example", True), ("avisos@padaria.example", False), ("", False)],
)
def test_the_template_tells_a_sender_domain_from_an_address(sender: str, is_domain: bool) -> None:
    template = load_template(ROOT / "template.yaml")
    resolver = Resolver(
        parameters=parameter_values(template, {**LOCAL_PARAMETERS, "CustomerEmailSender": sender}),
        conditions=template["Conditions"],
        pseudo=Pseudo(),
    )
    assert resolver.condition("HasCustomerEmailSender") is bool(sender)
    assert resolver.condition("CustomerEmailSenderIsDomain") is is_domain


@pytest.mark.parametrize(
    "parameters",
    [
        {"CustomerEmailSender": "not an address"},
        {"CustomerEmailReplyTo": "financeiro"},
        {"SmsMaxPrice": "cheap"},
        {"SmsSenderId": "Padaria Estrela"},
    ],
)
def test_customer_delivery_parameters_are_checked(parameters: dict[str, str]) -> None:
    with pytest.raises(TemplateError, match="does not match"):
        parameter_values(load_template(ROOT / "template.yaml"), {**LOCAL_PARAMETERS, **parameters})
