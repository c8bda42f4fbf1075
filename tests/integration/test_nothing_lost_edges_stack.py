"""Nothing lost, at its edges, on the local stack: the table's stream replayed to the notifier after what it held
went out (the runbook's procedure for `NotifierFailureQueue`), staff alerts of one account redriven in the order
they happened after the first was dead-lettered, a release the notifier never took, and customer notices held until
the business's identity is set."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import boto3
from botocore.exceptions import EndpointConnectionError

from infra.local import LocalStack
from infra.local.events import stream_record
from infra.local.functions import invoke
from infra.ponte import main as ponte
from ponte.adapters.dynamodb import DynamoStore, outbox_item, serialize_item
from ponte.domain.accounts import Contact
from ponte.domain.bodies.accounts import CustomerWelcome
from ponte.domain.bodies.delivery import CustomerNoticeHeld
from ponte.domain.notifications import Audience, Notification, Severity, Team
from ponte.services.accounts import OpenAccount, opening_change
from tests.integration.conftest import BUSINESS, SUBSCRIBERS, Outage
from tests.support import T0, Stacks

EMAIL, PHONE = "joao@padaria.example", "+5511988887777"
COMMAND = OpenAccount(
    account_id="padaria",
    name="Padaria Estrela",
    locale="pt-BR",
    contact=Contact(name="João", email=EMAIL, phone=PHONE),
    owner="ana",
)


def staff_alerts(stack: LocalStack) -> list[str]:
    """The notification ids of the staff alerts about the account published so far, in the order they were
    published (the daily collections digest is about no account)."""
    published = [json.loads(sent.message) for sent in stack.published("StaffAlertsTopic")]
    return [alert["notification_id"] for alert in published if alert["account_id"] == COMMAND.account_id]


def write_a_later_alert(stack: LocalStack) -> Notification:
    """Another staff alert about the account, written to the outbox now as a change would."""
    held = Notification(
        notification_id="padaria-held-1",
        audience=Audience.STAFF,
        severity=Severity.WARNING,
        team=Team.COLLECTIONS,
        account_id=COMMAND.account_id,
        owner="ana",
        locale="pt-BR",
        occurred_at=stack.now,
        body=CustomerNoticeHeld(reason="no_contact", notice="customer.welcome", customer_name="Padaria Estrela"),
    )
    item = serialize_item(outbox_item(held, stack.now))
    stack.client("dynamodb").put_item(TableName=stack.physical_id("Table"), Item=item)
    stack.settle()
    return held


def replay_the_stream(stack: LocalStack) -> Any:
    """Every outbox insert still in the table's stream, handed to the notifier as the runbook's replay does."""
    streams = stack.client("dynamodbstreams")
    stream_arn = stack.attribute("Table", "StreamArn")
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records += streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]
    outbox = [
        stream_record(r, stream_arn=stream_arn, region="us-east-1", now=stack.now)
        for r in records
        if r["eventName"] == "INSERT" and r["dynamodb"]["NewImage"]["kind"]["S"] == "outbox"
    ]
    answer = invoke(stack.functions["Notifier"], {"Records": outbox})
    stack.settle()
    return answer


def test_a_replay_of_the_stream_after_its_parked_notifications_went_out_sends_nothing_twice(
    stack: LocalStack, outage: Outage
) -> None:
    # Given an SNS outage of half an hour while an account opens: the staff alert and the SMS wait, then go out
    outage.until = stack.now + timedelta(minutes=30)
    DynamoStore(stack.physical_id("Table")).commit(
        opening_change(COMMAND, now=stack.now, staff_locale="pt-BR", source="test")
    )
    stack.settle()
    stack.advance(hours=2)
    (alert,) = staff_alerts(stack)
    assert (len(stack.mailbox(EMAIL)), len(stack.sms(PHONE))) == (1, 1)

    # When an operator replays the stream to the notifier (its records are kept for 24 hours)
    assert replay_the_stream(stack) == {"batchItemFailures": []}

    assert staff_alerts(stack) == [alert]
    assert (len(stack.mailbox(EMAIL)), len(stack.sms(PHONE))) == (1, 1)
    assert stack.queue_messages("NotificationDeadLetterQueue") == []


def test_an_alert_waiting_behind_a_dead_lettered_one_is_redriven_with_it_and_after_it(
    stack: LocalStack, outage: Outage
) -> None:
    # Given an SNS outage of 30 hours, and two staff alerts about one account a minute apart
    outage.until = stack.now + timedelta(hours=30)
    table = stack.physical_id("Table")
    change = opening_change(COMMAND, now=stack.now, staff_locale="pt-BR", source="test")
    (opened,) = [n for n in change.notifications if n.audience is Audience.STAFF]
    DynamoStore(table).commit(change)
    stack.settle()
    stack.advance(minutes=1)
    held = write_a_later_alert(stack)

    # When SNS is back after 30 hours, and the day after
    stack.advance(hours=36)

    # Neither went out: the first was dead-lettered after a day of failures, the second with it
    assert staff_alerts(stack) == []
    letters = [
        letter["notification"]["notification_id"]
        for letter in stack.queue_messages("NotificationDeadLetterQueue")
        if letter["notification"]["audience"] == "staff"
    ]
    assert sorted(letters) == sorted([opened.notification_id, held.notification_id])

    # When the operator redrives them, they go out once each, in the order they happened
    queue_url = stack.physical_id("NotificationDeadLetterQueue")
    arguments = ["redrive", "notifications", "--table", table, "--queue-url", queue_url]
    assert ponte(arguments, now=stack.now) == 0
    stack.settle()
    stack.advance(days=1)
    assert staff_alerts(stack) == [opened.notification_id, held.notification_id]


class PublishedReadsFail:
    """The notifier's read of which outbox items are published fails while `failing` (the table throttled, say), so
    that a batch fails every retry and the stream sets it aside in `NotifierFailureQueue`."""

    def __init__(self) -> None:
        self.failing = False

    def __call__(self, params: dict[str, Any], **_: Any) -> None:
        asked: dict[str, Any] = next(iter(params.get("RequestItems", {}).values()), {})
        if self.failing and asked.get("ProjectionExpression") == "sk, published_at":
            raise EndpointConnectionError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com")


def test_a_release_that_never_reached_the_notifier_is_released_again_and_what_waits_behind_it_follows(
    stack: LocalStack, outage: Outage
) -> None:
    # Given a staff alert parked by a short SNS outage, whose release the notifier could not take: the stream set
    # the batch aside in NotifierFailureQueue, and nobody replayed it within the stream's 24 hours
    session = boto3.DEFAULT_SESSION
    assert session is not None
    reads = PublishedReadsFail()
    session.events.register("before-parameter-build.dynamodb.BatchGetItem", reads)
    try:
        outage.until = stack.now + timedelta(minutes=5)
        table = stack.physical_id("Table")
        change = opening_change(COMMAND, now=stack.now, staff_locale="pt-BR", source="test")
        (opened,) = [n for n in change.notifications if n.audience is Audience.STAFF]
        DynamoStore(table).commit(change)
        stack.settle()
        reads.failing = True
        stack.advance(minutes=2)  # the release at minute 1 fails every retry
        reads.failing = False
    finally:
        session.events.unregister("before-parameter-build.dynamodb.BatchGetItem", reads)
    assert stack.queue_messages("NotifierFailureQueue") != []
    assert staff_alerts(stack) == []

    # And a later alert about the account, which waits behind it
    held = write_a_later_alert(stack)

    # When a day and a little more passes
    stack.advance(hours=25)

    # Both went out, once each, in the order they happened
    assert staff_alerts(stack) == [opened.notification_id, held.notification_id]


def test_notices_held_for_the_business_identity_go_out_once_it_is_set_in_order_and_once_each(stacks: Stacks) -> None:
    with stacks(now=T0, parameters=SUBSCRIBERS) as stack:  # deployed as it is: the identity not configured
        table = stack.physical_id("Table")
        change = opening_change(COMMAND, now=stack.now, staff_locale="pt-BR", source="test")
        (welcome,) = [n for n in change.notifications if n.audience is Audience.CUSTOMER]
        DynamoStore(table).commit(change)
        stack.settle()
        stack.advance(minutes=2)
        later = Notification(
            notification_id="padaria-welcome-again",
            audience=Audience.CUSTOMER,
            account_id="padaria",
            locale="pt-BR",
            occurred_at=stack.now,
            body=CustomerWelcome(customer_name="João"),
        )
        stack.client("dynamodb").put_item(TableName=table, Item=serialize_item(outbox_item(later, stack.now)))
        stack.settle()
        stack.advance(minutes=8)
        assert (stack.mailbox(EMAIL), stack.sms(PHONE)) == ([], [])
        published = [json.loads(sent.message) for sent in stack.published("StaffAlertsTopic")]
        held = [alert for alert in published if alert["event_type"] == "customer_notice.held"]
        assert [(alert["severity"], alert["data"]["reason"]) for alert in held] == [("critical", "identity_missing")]

        # When the operator sets the identity (a container started since reads it at once; warm ones within minutes)
        stack.client("ssm").put_parameter(
            Name=stack.physical_id("BusinessIdentityParameter"),
            Value=BUSINESS["BusinessIdentityParameter"],
            Overwrite=True,
        )
        stack.functions["Notifier"].cold()
        stack.advance(hours=1)

        # Both go out at the first's next retry, the first first, once each on each channel
        sent = [email.tags["notice_id"] for email in stack.mailbox(EMAIL)]
        assert sent == [welcome.notification_id, later.notification_id]
        assert len(stack.sms(PHONE)) == 2
        stack.advance(days=2)
        assert len(stack.mailbox(EMAIL)) == 2 and len(stack.sms(PHONE)) == 2
        assert stack.queue_messages("NotificationDeadLetterQueue") == []
