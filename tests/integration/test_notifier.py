"""The notifier on the local stack: the stream delivers outbox items, faults are retried, poison goes aside."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError

from infra.local import LocalStack
from ponte.adapters.dynamodb import DynamoStore
from ponte.domain.accounts import Contact
from ponte.services.accounts import OpenAccount, opening_change
from ponte.settings import ConfigurationError
from tests.support import FakeContext, load_handler, sample_event

COMMAND = OpenAccount(
    account_id="padaria", name="Padaria Estrela", locale="pt-BR", contact=Contact(name="João"), owner="ana"
)


def open_one(stack: LocalStack, command: OpenAccount = COMMAND) -> None:
    DynamoStore(stack.physical_id("Table")).commit(
        opening_change(command, now=stack.now, staff_locale="pt-BR", source="test")
    )


@pytest.fixture
def failing_sns() -> Iterator[dict[str, int]]:
    """Makes the next N SNS Publish calls of any client fail as an unreachable endpoint would."""
    budget = {"failures": 0, "calls": 0}

    def refuse(**_: Any) -> None:
        budget["calls"] += 1
        if budget["failures"] > 0:
            budget["failures"] -= 1
            raise EndpointConnectionError(endpoint_url="https://sns.us-east-1.amazonaws.com")

    boto3.setup_default_session()
    session = boto3.DEFAULT_SESSION
    assert session is not None
    session.events.register("before-call.sns.Publish", refuse)
    yield budget
    session.events.unregister("before-call.sns.Publish", refuse)


def test_an_account_change_reaches_the_filtered_subscribers(stack: LocalStack) -> None:
    open_one(stack)
    stack.settle()
    inbox = stack.inbox("StaffAlertsTopic")
    (alert,) = inbox["email:staff@example.com"]
    assert alert.subject == "Nova conta: Padaria Estrela"
    assert alert.attributes == {
        "event_type": "account.opened",
        "severity": "info",
        "team": "sales",
        "owner": "ana",
        "account_id": "padaria",
    }
    assert inbox["sms:+5511999990000"] == []  # SMS is for critical alerts only
    (event,) = stack.platform_events()
    assert (event["source"], event["detail-type"], event["detail"]["account_id"]) == (
        "ponte",
        "account.opened",
        "padaria",
    )
    assert stack.failures == []


def test_an_sns_failure_is_parked_and_retried_on_its_schedule_and_nothing_is_lost(
    stack: LocalStack, failing_sns: dict[str, int]
) -> None:
    failing_sns["failures"] = 2
    open_one(stack)
    stack.settle()
    assert failing_sns["calls"] == 1 and stack.inbox("StaffAlertsTopic")["email:staff@example.com"] == []
    assert len(stack.platform_events()) == 1  # the bus was up: the platform event did not wait
    fired = stack.advance(minutes=1)  # the first retry, a minute later: refused again
    assert [name for _, name in fired] == ["release-20261102T1201"]
    assert failing_sns["calls"] == 2 and stack.inbox("StaffAlertsTopic")["email:staff@example.com"] == []
    stack.advance(minutes=5)  # the second, five minutes after that: delivered
    assert failing_sns["calls"] == 3
    assert len(stack.inbox("StaffAlertsTopic")["email:staff@example.com"]) == 1
    assert len(stack.platform_events()) == 1
    assert stack.queue_messages("NotifierFailureQueue") == []
    assert stack.queue_messages("NotificationDeadLetterQueue") == []


def test_a_malformed_outbox_item_lands_in_the_failure_queue_and_the_rest_is_delivered(stack: LocalStack) -> None:
    table = stack.physical_id("Table")
    stack.client("dynamodb").put_item(
        TableName=table,
        Item={"pk": {"S": "ACCOUNT#broken"}, "sk": {"S": "OUTBOX#1"}, "kind": {"S": "outbox"}, "payload": {"S": "{"}},
    )
    open_one(stack)
    stack.settle()  # terminates: the poison record does not loop forever
    (failure,) = stack.queue_messages("NotifierFailureQueue")
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["DDBStreamBatchInfo"]["batchSize"] == 1
    assert len(stack.inbox("StaffAlertsTopic")["email:staff@example.com"]) == 1
    alarm = stack.client("cloudwatch").describe_alarms(AlarmNames=[stack.physical_id("NotifierFailureAlarm")])
    (described,) = alarm["MetricAlarms"]
    assert described["Dimensions"] == [
        {"Name": "QueueName", "Value": stack.attribute("NotifierFailureQueue", "QueueName")}
    ]
    assert described["AlarmActions"] == [stack.physical_id("OpsAlarmsTopic")]


def test_items_that_are_not_outbox_inserts_never_reach_the_notifier(stack: LocalStack) -> None:
    stack.client("dynamodb").put_item(
        TableName=stack.physical_id("Table"),
        Item={"pk": {"S": "ACCOUNT#x"}, "sk": {"S": "ACCOUNT"}, "kind": {"S": "account"}, "payload": {"S": "{"}},
    )
    stack.settle()
    assert stack.failures == [] and stack.published("StaffAlertsTopic") == []
    assert "notification" not in stack.function_logs.getvalue()


def test_the_sample_event_is_published_by_the_handler(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in stack.functions["Notifier"].environment.items():
        monkeypatch.setenv(name, value)
    handler = load_handler("notifier")
    answer = handler.lambda_handler(sample_event("notifier-outbox-insert.json"), FakeContext())
    assert answer == {"batchItemFailures": []}
    (published,) = stack.published("StaffAlertsTopic", protocol="email")
    assert published.attributes["account_id"] == "padaria-estrela"
    assert "Padaria Estrela" in published.message


def test_logs_carry_ids_not_personal_data(stack: LocalStack, caplog: pytest.LogCaptureFixture) -> None:
    contact = Contact(name="João", email="joao@padaria.example", phone="+5511988887777")
    open_one(stack, COMMAND.model_copy(update={"contact": contact}))
    with caplog.at_level("INFO"):
        stack.settle()
    records = [r for r in caplog.records if r.name == "ponte"]
    assert [r.getMessage() for r in records] == ["notification delivered"] * 3
    assert {getattr(r, "account_id", None) for r in records} == {"padaria"}
    logs = stack.function_logs.getvalue() + "".join(json.dumps(r.__dict__, default=str) for r in records)
    assert "joao@padaria.example" not in logs and "+5511988887777" not in logs and "João" not in logs


def test_a_missing_variable_fails_at_cold_start_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUSTOMER_NOTICES_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:c")
    monkeypatch.setenv("PLATFORM_BUS_NAME", "bus")
    monkeypatch.setenv("BUSINESS_TIME_ZONE", "America/Sao_Paulo")
    monkeypatch.delenv("STAFF_ALERTS_TOPIC_ARN", raising=False)
    handler = load_handler("notifier")
    with pytest.raises(ConfigurationError, match="STAFF_ALERTS_TOPIC_ARN is missing"):
        handler.lambda_handler(sample_event("notifier-outbox-insert.json"), FakeContext())


def test_sample_event_matches_the_stream_filter_of_the_template(stack: LocalStack) -> None:
    from infra.local.patterns import matches

    event = stack.functions["Notifier"].events["OutboxStream"]["Properties"]
    (pattern,) = [json.loads(f["Pattern"]) for f in event["FilterCriteria"]["Filters"]]
    assert all(matches(pattern, record) for record in sample_event("notifier-outbox-insert.json")["Records"])


def test_an_alert_about_an_account_reaches_its_owner_in_person_and_an_inactive_owners_manager(
    stack: LocalStack,
) -> None:
    from tests.staff_support import directory_document, person

    document = directory_document()
    document["people"] = [p for p in document["people"] if p["id"] != "bia"] + [
        person("bia", "Bia Ramos", locale="es", manager="carla", active=False)
    ]
    stack.client("ssm").put_parameter(
        Name=stack.physical_id("StaffDirectoryParameter"), Value=json.dumps(document), Type="String", Overwrite=True
    )
    open_one(stack)  # owned by ana
    open_one(stack, COMMAND.model_copy(update={"account_id": "mercado", "name": "Mercado Sul", "owner": "bia"}))
    stack.settle()
    (to_ana,) = stack.mailbox("ana@equipe.example")
    assert to_ana.subject == "Nova conta: Padaria Estrela"
    (to_carla,) = stack.mailbox("carla@equipe.example")  # Bia is away: her manager reads it, and why
    assert "Mercado Sul" in to_carla.subject and "Bia Ramos" in to_carla.text
    assert stack.mailbox("bia@equipe.example") == []
    assert len(stack.inbox("StaffAlertsTopic")["email:staff@example.com"]) == 2  # the team topic still has both
