"""Nothing lost: notifications survive an outage of SNS on the local stack's clock, customer messages wait for the
end of quiet hours, and a notification dead-lettered after a day comes back with the redrive, once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError

from infra.local import LocalStack
from infra.ponte import main as ponte
from ponte.adapters.dynamodb import DynamoStore
from ponte.domain.accounts import Contact
from ponte.services.accounts import OpenAccount, opening_change
from tests.integration.conftest import Outage

EMAIL, PHONE = "joao@padaria.example", "+5511988887777"
STAFF = "email:staff@example.com"
COMMAND = OpenAccount(
    account_id="padaria",
    name="Padaria Estrela",
    locale="pt-BR",
    contact=Contact(name="João", email=EMAIL, phone=PHONE),
    owner="ana",
)
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def open_account(stack: LocalStack) -> None:
    DynamoStore(stack.physical_id("Table")).commit(
        opening_change(COMMAND, now=stack.now, staff_locale="pt-BR", source="test")
    )
    stack.settle()


def delivered(stack: LocalStack) -> tuple[int, int, int]:
    """(the owner's new-account alerts, customer e-mails, customer SMS) received so far."""
    alerts = [a for a in stack.inbox("StaffAlertsTopic")[STAFF] if a.attributes["event_type"] == "account.opened"]
    return len(alerts), len(stack.mailbox(EMAIL)), len(stack.sms(PHONE))


@pytest.mark.parametrize("hours", [0.5, 6])
def test_an_sns_outage_loses_nothing_and_sends_nothing_twice(stack: LocalStack, outage: Outage, hours: float) -> None:
    outage.until = stack.now + timedelta(hours=hours)
    open_account(stack)
    # SES was up: the welcome e-mail went at once; the staff alert and the SMS wait for SNS.
    assert delivered(stack) == (0, 1, 0)
    stack.advance(hours=hours)
    assert delivered(stack)[0] == 0  # still down until the window's last moment
    stack.advance(hours=max(hours, 1))  # the next retry after the outage (backoff grows up to six hours)
    assert delivered(stack) == (1, 1, 1)
    assert outage.refused >= 3
    stack.advance(days=2)
    assert delivered(stack) == (1, 1, 1)
    assert stack.queue_messages("NotificationDeadLetterQueue") == []
    assert stack.queue_messages("NotifierFailureQueue") == []


def test_after_a_day_of_failures_the_whole_notification_is_dead_lettered_and_the_redrive_delivers_it_once(
    stack: LocalStack, outage: Outage
) -> None:
    outage.until = stack.now + timedelta(days=3)
    open_account(stack)
    stack.advance(hours=30)
    assert delivered(stack) == (0, 1, 0)
    letters = stack.queue_messages("NotificationDeadLetterQueue")
    kinds = sorted(letter["notification"]["body"]["kind"] for letter in letters)
    assert kinds == ["account.opened", "customer.welcome"]  # whole notifications, not pointers
    # Retried 1, 6, 21 and 51 minutes after the first try, then 1h51, 3h51, 7h51, 13h51, 19h51 and 25h51 after:
    # the first failure past a day dead-letters it. The SMS to the customer skipped the retry that fell in quiet
    # hours (it waited for 08:00 in São Paulo, 11:00 UTC) and was dead-lettered at its next one.
    assert sorted((letter["attempts"], letter["reason"], letter["dead_lettered_at"]) for letter in letters) == [
        (10, "DeliveryUnavailable", "2026-11-03T17:00:00Z"),
        (11, "EndpointConnectionError", "2026-11-03T13:51:00Z"),
    ]
    alarm = stack.client("cloudwatch").describe_alarms(AlarmNames=[stack.physical_id("NotificationDeadLetterAlarm")])
    assert alarm["MetricAlarms"][0]["AlarmActions"] == [stack.physical_id("OpsAlarmsTopic")]

    outage.until = None  # the cause is fixed
    table, queue_url = stack.physical_id("Table"), stack.physical_id("NotificationDeadLetterQueue")
    arguments = ["redrive", "notifications", "--table", table, "--queue-url", queue_url]
    assert ponte(arguments, now=stack.now) == 0
    stack.settle()
    assert delivered(stack) == (1, 1, 1)
    assert ponte(arguments, now=stack.now) == 0  # run again: nothing left to redrive
    stack.advance(days=1)
    assert delivered(stack) == (1, 1, 1)
    assert stack.queue_messages("NotificationDeadLetterQueue") == []


def test_a_lost_answer_is_the_only_way_to_a_duplicate(stack: LocalStack) -> None:
    """The window the outbox cannot close: SNS took the alert but its answer never came back, so it is sent again.
    Measured: one duplicate per lost answer, to the staff topic only; the customer's receipts keep SMS single."""
    boto3.setup_default_session()
    session = boto3.DEFAULT_SESSION
    assert session is not None
    lost = {"answers": 1}

    def lose(**_: Any) -> None:
        if lost["answers"] > 0:
            lost["answers"] -= 1
            raise EndpointConnectionError(endpoint_url="https://sns.us-east-1.amazonaws.com")

    session.events.register("after-call.sns.Publish", lose)
    try:
        open_account(stack)
        stack.advance(minutes=10)
    finally:
        session.events.unregister("after-call.sns.Publish", lose)
    staff, emails, sms = delivered(stack)
    assert (staff + sms, emails) == (3, 1)  # one of the two SNS sends went out twice
    assert lost["answers"] == 0


def test_customer_messages_wait_for_the_end_of_quiet_hours_and_staff_alerts_do_not(stack: LocalStack) -> None:
    evening = datetime(2026, 11, 2, 22, 0, tzinfo=SAO_PAULO)
    stack.advance_to(evening)
    open_account(stack)
    assert delivered(stack) == (1, 0, 0)  # the owner knows at once; the customer is not woken up
    parked = stack.client("dynamodb").query(
        TableName=stack.physical_id("Table"),
        KeyConditionExpression="pk = :pk AND begins_with(sk, :parked)",
        ExpressionAttributeValues={":pk": {"S": "ACCOUNT#padaria"}, ":parked": {"S": "PARKED#"}},
    )["Items"]
    assert [item["reason"]["S"] for item in parked] == ["quiet_hours"]
    stack.advance_to(datetime(2026, 11, 3, 7, 59, tzinfo=SAO_PAULO))
    assert delivered(stack) == (1, 0, 0)
    stack.advance_to(datetime(2026, 11, 3, 8, 1, tzinfo=SAO_PAULO))
    assert delivered(stack) == (1, 1, 1)
    (sms,) = stack.sms(PHONE)
    assert sms.sent_at is not None and sms.sent_at.astimezone(SAO_PAULO).hour == 8
    stack.advance(days=1)
    assert delivered(stack) == (1, 1, 1)
