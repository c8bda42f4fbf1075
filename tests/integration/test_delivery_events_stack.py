"""Delivery evidence on the local stack: a customer notice goes out by e-mail and SMS, SES reports what became of the
e-mail, and the receipt, the timeline, the unreachable mark and the owner's alert follow; the next notice skips the
address that bounced. Also the records adapter on DynamoDB, and the function's handling of bad input and faults."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError

from infra.local import LocalStack
from ponte.adapters.delivery_records import DeliveryRecords, address_hash
from ponte.adapters.dynamodb import DynamoStore, account_item, deserialize_item, outbox_item, serialize_item
from ponte.adapters.keys import account_key, delivery_key, unreachable_key
from ponte.domain.accounts import Contact
from ponte.domain.bodies.accounts import CustomerWelcome
from ponte.domain.bodies.delivery import Reach
from ponte.domain.errors import ConcurrentModification
from ponte.domain.notifications import Audience, Notification
from ponte.services.accounts import OpenAccount, opening_change
from ponte.services.delivery import Receipt
from ponte.services.delivery_events import EvidenceWrite, parse_ses_event
from ponte.settings import ConfigurationError
from tests.integration.conftest import BUSINESS
from tests.support import T0, FakeContext, load_handler, sample_event

SENDER = "avisos@padaria.example"
CUSTOMER = "joao.silva@cliente.example"
PHONE = "+5511988887777"
OPEN = OpenAccount(
    account_id="padaria",
    name="Padaria Estrela",
    locale="pt-BR",
    contact=Contact(name="João Silva", email=CUSTOMER, phone=PHONE),
    owner="ana",
)


@pytest.fixture(scope="module")
def _module_stack() -> LocalStack:
    """The stack with customer e-mail on (a sender and the business's identity), built once for the module and put
    back as built for each test."""
    return LocalStack(
        now=T0,
        parameters={"CustomerEmailSender": SENDER, "StaffAlertEmail": "staff@example.com"},
        documents=BUSINESS,
    )


@pytest.fixture
def stack(_module_stack: LocalStack) -> Iterator[LocalStack]:
    with _module_stack as local:
        yield local


def table(stack: LocalStack) -> str:
    return str(stack.physical_id("Table"))


def open_account(stack: LocalStack) -> None:
    DynamoStore(table(stack)).commit(opening_change(OPEN, now=stack.now, staff_locale="pt-BR", source="test"))
    stack.settle()


def another_notice(stack: LocalStack, cause: str) -> str:
    """A customer notice written to the outbox, as any change writes one; delivered by the notifier."""
    notice = Notification(
        notification_id=f"notice-{cause}",
        audience=Audience.CUSTOMER,
        account_id="padaria",
        owner="ana",
        locale="pt-BR",
        occurred_at=stack.now,
        body=CustomerWelcome(customer_name="João Silva"),
    )
    stack.client("dynamodb").put_item(TableName=table(stack), Item=serialize_item(outbox_item(notice, stack.now)))
    stack.settle()
    return notice.notification_id


def item(stack: LocalStack, key: dict[str, str]) -> dict[str, Any] | None:
    found = stack.client("dynamodb").get_item(TableName=table(stack), Key=serialize_item(key), ConsistentRead=True)
    return deserialize_item(found["Item"]) if "Item" in found else None


def unreachable_alerts(stack: LocalStack) -> list[Any]:
    return [
        d for d in stack.published("StaffAlertsTopic", "email") if d.attributes["event_type"] == "customer.unreachable"
    ]


def test_ses_events_become_the_notices_evidence_and_a_bounced_address_is_skipped(stack: LocalStack) -> None:
    # Given two notices e-mailed and texted to the customer
    open_account(stack)
    second = another_notice(stack, "2")
    first_email, second_email = stack.mailbox(CUSTOMER)
    welcome = first_email.tags["notice_id"]
    assert second_email.tags["notice_id"] == second and len(stack.sms(PHONE)) == 2

    # When SES reports the first delivered, then both bounced for good (and the bounce again, as SNS may)
    stack.advance(minutes=1)
    stack.ses_event("delivery", first_email.message_id, CUSTOMER)
    stack.advance(minutes=1)
    stack.ses_event("bounce", first_email.message_id, CUSTOMER, bounceType="Permanent", bounceSubType="NoEmail")
    stack.ses_event("bounce", first_email.message_id, CUSTOMER, bounceType="Permanent", bounceSubType="NoEmail")
    stack.ses_event("bounce", second_email.message_id, CUSTOMER, bounceType="Permanent", bounceSubType="NoEmail")

    # Then the receipts say so, with the events and their times
    receipt = item(stack, delivery_key("padaria", welcome, "email"))
    assert receipt is not None
    assert (receipt["status"], receipt["status_at"], receipt["bounce_type"], receipt["bounce_subtype"]) == (
        "bounced",
        "2026-11-02T12:02:00Z",
        "Permanent",
        "NoEmail",
    )
    assert [(h["event"], h["at"][:19]) for h in receipt["history"]] == [
        ("delivery", "2026-11-02T12:01:00"),
        ("bounce", "2026-11-02T12:02:00"),
    ]
    assert receipt["message_id"] == first_email.message_id and receipt["at"] == "2026-11-02T12:00:00Z"
    assert item(stack, delivery_key("padaria", second, "email"))["status"] == "bounced"  # type: ignore[index]
    assert item(stack, delivery_key("padaria", welcome, "sms"))["status"] == "accepted"  # type: ignore[index]

    # And the timeline, in the order things happened
    timeline = [e for e in DynamoStore(table(stack)).timeline("padaria") if e.source.startswith("ses:")]
    assert [(e.what, e.facts["notice_id"]) for e in timeline] == [
        ("customer_notice.delivered", welcome),
        ("customer_notice.bounced", welcome),
        ("customer_notice.bounced", second),
    ]
    assert timeline[1].facts["bounce_subtype"] == "NoEmail" and timeline[1].facts["unreachable"] == "email"
    assert "unreachable" not in timeline[2].facts  # the address was marked already

    # And the address is marked, by its hash, once
    mark = item(stack, unreachable_key("padaria", "email"))
    assert mark is not None
    assert mark["address_hashes"] == {address_hash(CUSTOMER)} and mark["reason"] == "bounced"
    assert CUSTOMER not in json.dumps(mark, default=str)

    # And the owner is told once, in Portuguese, with the reason
    (alert,) = unreachable_alerts(stack)
    assert alert.subject == "Cliente sem contato valido: Padaria Estrela"
    assert "atualize o e-mail" in alert.message and "o endereço de e-mail não existe" in alert.message
    assert alert.attributes["owner"] == "ana" and alert.attributes["account_id"] == "padaria"

    # And the next notice goes by SMS only
    third = another_notice(stack, "3")
    assert len(stack.mailbox(CUSTOMER)) == 2
    assert len(stack.sms(PHONE)) == 3
    assert item(stack, delivery_key("padaria", third, "email")) is None
    assert item(stack, delivery_key("padaria", third, "sms"))["status"] == "accepted"  # type: ignore[index]
    assert stack.failures == [] and stack.queue_messages("DeliveryEventsFailureQueue") == []


def test_a_corrected_address_is_reachable_again(stack: LocalStack) -> None:
    open_account(stack)
    (email,) = stack.mailbox(CUSTOMER)
    stack.ses_event("complaint", email.message_id, CUSTOMER)
    records = DeliveryRecords(table(stack))
    assert records.reach("padaria") == Reach("padaria", Contact(name="João Silva", phone=PHONE))

    account = DynamoStore(table(stack)).get_account("padaria")
    assert account is not None
    corrected = account.model_copy(update={"contact": Contact(name="João Silva", email="joao@novo.example")})
    stack.client("dynamodb").put_item(TableName=table(stack), Item=serialize_item(account_item(corrected)))

    assert records.reach("padaria") == Reach("padaria", corrected.contact)
    another_notice(stack, "after-correction")
    assert len(stack.mailbox("joao@novo.example")) == 1
    assert len(unreachable_alerts(stack)) == 1


def test_a_transient_bounce_and_a_delay_change_the_receipt_only(stack: LocalStack) -> None:
    open_account(stack)
    (email,) = stack.mailbox(CUSTOMER)
    stack.ses_event("delivery_delay", email.message_id, CUSTOMER)
    stack.advance(hours=1)
    stack.ses_event("bounce", email.message_id, CUSTOMER, bounceType="Transient", bounceSubType="MailboxFull")

    receipt = item(stack, delivery_key("padaria", email.tags["notice_id"], "email"))
    assert receipt is not None and receipt["status"] == "bounced" and receipt["bounce_type"] == "Transient"
    assert item(stack, unreachable_key("padaria", "email")) is None
    assert unreachable_alerts(stack) == []
    assert DeliveryRecords(table(stack)).reach("padaria") == Reach("padaria", OPEN.contact)


def test_bad_input_is_dropped_without_retries_and_logged_without_the_payload(
    stack: LocalStack, caplog: pytest.LogCaptureFixture
) -> None:
    open_account(stack)
    (email,) = stack.mailbox(CUSTOMER)
    sns = stack.client("sns")
    topic = stack.physical_id("CustomerDeliveryEventsTopic")
    bounce = stack.ses_event("bounce", email.message_id, CUSTOMER, bounceType="Transient")  # recorded once
    with caplog.at_level("INFO"):
        for message in (
            "not json",
            json.dumps({"eventType": "Open", "mail": bounce["mail"]}),
            json.dumps({**bounce, "mail": {**bounce["mail"], "tags": {}}}),
            json.dumps({**bounce, "mail": {**bounce["mail"], "messageId": "0100-not-ours"}}),
            json.dumps(bounce),  # a replay
        ):
            sns.publish(TopicArn=topic, Message=message)
        stack.settle()

    assert stack.failures == [] and stack.queue_messages("DeliveryEventsFailureQueue") == []
    dropped = [r for r in caplog.records if r.getMessage() == "delivery event dropped"]
    assert [getattr(r, "outcome", None) for r in dropped] == [
        "malformed",
        "malformed",
        "unknown_notice",
        "unknown_notice",
        "replay",
    ]
    logs = stack.function_logs.getvalue() + "".join(json.dumps(r.__dict__, default=str) for r in caplog.records)
    assert CUSTOMER not in logs and "joao" not in logs.lower() and "user unknown" not in logs
    assert "DeliveryEventsMalformed" in stack.function_logs.getvalue()  # the metric


@contextlib.contextmanager
def failing_transactions() -> Iterator[dict[str, int]]:
    """Makes every DynamoDB TransactWriteItems call fail as an unreachable endpoint would."""
    seen = {"calls": 0}

    def refuse(**_: Any) -> None:
        seen["calls"] += 1
        raise EndpointConnectionError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com")

    boto3.setup_default_session()
    session = boto3.DEFAULT_SESSION
    assert session is not None
    session.events.register("before-call.dynamodb.TransactWriteItems", refuse)
    yield seen
    session.events.unregister("before-call.dynamodb.TransactWriteItems", refuse)


def test_a_table_fault_is_retried_then_parked_in_the_failure_queue(stack: LocalStack) -> None:
    open_account(stack)
    (email,) = stack.mailbox(CUSTOMER)
    with failing_transactions() as seen:
        stack.ses_event("delivery", email.message_id, CUSTOMER)
    assert seen["calls"] == 3  # the first try and Lambda's two retries
    (parked,) = stack.queue_messages("DeliveryEventsFailureQueue")
    assert parked["Records"][0]["Sns"]["TopicArn"] == stack.physical_id("CustomerDeliveryEventsTopic")
    (failure,) = stack.failures
    assert failure.function == "DeliveryEvents" and "EndpointConnectionError" in failure.error
    alarm = stack.client("cloudwatch").describe_alarms(AlarmNames=[stack.physical_id("DeliveryEventsFailureAlarm")])
    (described,) = alarm["MetricAlarms"]
    assert described["Dimensions"] == [
        {"Name": "QueueName", "Value": stack.attribute("DeliveryEventsFailureQueue", "QueueName")}
    ]
    assert described["AlarmActions"] == [stack.physical_id("OpsAlarmsTopic")]


# The records adapter on DynamoDB: the same conditions the service's fake keeps.


def test_the_evidence_write_is_refused_when_the_receipt_moved_on(stack: LocalStack) -> None:
    open_account(stack)
    (email,) = stack.mailbox(CUSTOMER)
    records = DeliveryRecords(table(stack))
    event = parse_ses_event(json.dumps(stack.ses_event("send", email.message_id, CUSTOMER)))
    read = records.notice_evidence("padaria", event.notice_id, None)
    assert read.evidence is not None and read.evidence.revision == 1  # the send event was recorded
    stale = EvidenceWrite(event=event, evidence=read.evidence, seen_revision=0, now=stack.now)
    with pytest.raises(ConcurrentModification):
        records.record_evidence(stale)


def test_a_mark_is_written_once_per_address(stack: LocalStack) -> None:
    open_account(stack)
    (email,) = stack.mailbox(CUSTOMER)
    records = DeliveryRecords(table(stack))
    event = parse_ses_event(json.dumps(stack.ses_event("bounce", email.message_id, CUSTOMER)))
    read = records.notice_evidence("padaria", event.notice_id, CUSTOMER)
    assert read.already_unreachable and read.account is not None and read.account.account_id == "padaria"
    assert read.evidence is not None
    again = EvidenceWrite(
        event=event,
        evidence=read.evidence,
        seen_revision=read.evidence.revision,
        now=stack.now,
        unreachable="bounced",
    )
    with pytest.raises(ConcurrentModification):  # the mark's condition: this address is marked already
        records.record_evidence(again)
    assert records.notice_evidence("padaria", event.notice_id, "Outro@Cliente.example").already_unreachable is False
    assert records.notice_evidence("padaria", event.notice_id, " JOAO.SILVA@cliente.example").already_unreachable


def test_the_contact_of_an_unknown_account_is_none_and_one_without_marks_is_whole(stack: LocalStack) -> None:
    records = DeliveryRecords(table(stack))
    assert records.reach("nobody") is None
    open_account(stack)
    assert records.reach("padaria") == Reach("padaria", OPEN.contact)
    records.record("padaria", "n-x", Receipt(channel="email", status="refused", at=T0, reason="MessageRejected"))
    assert records.notice_evidence("padaria", "n-x", None).evidence is None  # refused: no e-mail to follow


# The handler, fed the sample event.


def test_the_sample_event_is_recorded_by_the_handler(stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    event = sample_event("delivery-events-sns-bounce.json")
    ses = parse_ses_event(event["Records"][0]["Sns"]["Message"])
    store = DynamoStore(table(stack))
    store.commit(
        opening_change(
            OPEN.model_copy(update={"account_id": ses.account_id}), now=T0, staff_locale="pt-BR", source="test"
        )
    )
    DeliveryRecords(table(stack)).record(
        ses.account_id, ses.notice_id, Receipt(channel="email", status="accepted", at=T0, message_id=ses.message_id)
    )
    for name, value in stack.functions["DeliveryEvents"].environment.items():
        monkeypatch.setenv(name, value)
    handler = load_handler("delivery_events")

    assert handler.lambda_handler(event, FakeContext()) is None

    receipt = item(stack, delivery_key(ses.account_id, ses.notice_id, "email"))
    assert receipt is not None and receipt["status"] == "bounced"
    assert item(stack, unreachable_key(ses.account_id, "email")) is not None
    outbox = stack.client("dynamodb").query(
        TableName=table(stack),
        KeyConditionExpression="pk = :pk AND begins_with(sk, :outbox)",
        ExpressionAttributeValues=serialize_item({":pk": account_key(ses.account_id)["pk"], ":outbox": "OUTBOX#"}),
    )["Items"]
    assert [deserialize_item(i)["event_type"] for i in outbox].count("customer.unreachable") == 1


def test_a_missing_variable_fails_at_cold_start_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEFAULT_LOCALE", "pt-BR")
    monkeypatch.delenv("TABLE_NAME", raising=False)
    handler = load_handler("delivery_events")
    with pytest.raises(ConfigurationError, match="TABLE_NAME is missing"):
        handler.lambda_handler(sample_event("delivery-events-sns-bounce.json"), FakeContext())
