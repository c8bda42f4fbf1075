"""A stack reset, or entered again, is the stack as it was built: what every test on the shared stack relies on.

Every kind of state the stack keeps is changed through its public API, then the stack is reset; what a user of the
stack can see of each must be what they saw right after it was built.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.local import Failure, LocalStack
from infra.local.signing import stripe_headers
from tests.integration.conftest import BUSINESS, SUBSCRIBERS
from tests.integration.test_payment_webhook import payment_event
from tests.support import T0
from tests.upload_support import csv_file, row

STRIPE = "whsec_stack_reset"
CUSTOMER_PHONE = "+5511988887777"
CUSTOMER_EMAIL = "cliente@example.com"
STAFF_PHONE = SUBSCRIBERS["StaffAlertPhone"]
# What AWS draws at random: UUIDs (secret versions, object versions), long ids, the suffix of a secret's ARN.
_DRAWN = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|[\w.+/=-]{24,}|(?<=secret:ponte/reset-)\w{6}")
FUNCTIONS = ("PaymentWebhook", "Notifier", "InvoiceUpload", "DunningSweep", "DunningWorker", "DeliveryEvents")


@pytest.fixture
def built() -> Iterator[tuple[LocalStack, dict[str, Any]]]:
    """A stack of its own (not the suite's shared one), and what it showed right after it was built."""
    with LocalStack(now=T0, parameters=SUBSCRIBERS, documents=BUSINESS) as local:
        yield local, observed(local)


def test_a_reset_stack_shows_what_it_showed_when_it_was_built(built: tuple[LocalStack, dict[str, Any]]) -> None:
    stack, fresh = built
    warm = dirty(stack)
    dirtied = observed(stack)
    assert [kind for kind in fresh if dirtied[kind] == fresh[kind]] == []  # every kind of state was changed

    stack.reset()

    assert_same(observed(stack), fresh)
    for logical_id, module in warm.items():
        assert stack.functions[logical_id].module() is not module  # a cold start: module globals and caches anew
    assert not stack.functions["DunningWorker"].module()._ALERTED
    # The same work on the reset stack does the same, but for the ids AWS draws: its triggers start where they did.
    dirty(stack)
    assert_same(_shape(observed(stack)), _shape(dirtied))


def test_a_stack_entered_again_is_the_stack_as_built(built: tuple[LocalStack, dict[str, Any]]) -> None:
    stack, fresh = built
    dirty(stack)
    stack.__exit__(None, None, None)

    with stack:
        assert_same(observed(stack), fresh)
        dirty(stack)  # and again, on the stack entered again
        stack.reset()
        assert_same(observed(stack), fresh)


def test_a_stack_entered_inside_another_has_the_emulator_to_itself(built: tuple[LocalStack, dict[str, Any]]) -> None:
    stack, _ = built
    dirty(stack)
    before = observed(stack)

    with LocalStack(now=T0, parameters={"CustomerInvoiceNotices": "on"}) as inner:
        assert _items(inner) == [] and _object_versions(inner, inner.physical_id("InvoicesBucket")) == []
        assert "/ponte/reset" not in _parameters(inner)
        assert [len(history) for history in _parameters(inner).values()] == [1, 1, 1]
        inner.client("dynamodb").put_item(TableName=inner.physical_id("Table"), Item=_item("inner"))
        inner.client("ssm").put_parameter(Name="/ponte/reset", Value="inner", Type="String", Overwrite=True)

    assert_same(observed(stack), before)


def assert_same(seen: dict[str, Any], expected: dict[str, Any]) -> None:
    assert {kind: value for kind, value in seen.items() if value != expected[kind]} == {}


def _shape(value: Any) -> Any:
    """A value with the ids and times AWS draws left out, lists in order of what remains."""
    if isinstance(value, dict):
        return {_shape(key): _shape(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return sorted((_shape(item) for item in value), key=repr)
    text = _DRAWN.sub("<id>", str(value))
    # Powertools keeps its cold-start flag in its own module, once for the whole process.
    return re.sub(r"\d+", "0", text).replace('"cold_start":true', '"cold_start":false')


def dirty(stack: LocalStack) -> dict[str, Any]:
    """Changes every kind of state the stack keeps, through its public API. Returns the warm containers' modules."""
    client = stack.client
    secret = stack.physical_id("StripeWebhookSecret")
    client("secretsmanager").put_secret_value(SecretId=secret, SecretString=json.dumps({"secrets": [STRIPE]}))
    body = payment_event("evt_reset")
    status, _, _ = stack.http("POST", "/webhooks/stripe", headers=stripe_headers(body, STRIPE, stack.now), body=body)
    assert status == 200
    client("dynamodb").put_item(TableName=stack.physical_id("Table"), Item=_item("dirty"))
    upload = csv_file(row(1001, installment="1", amount="100,00", due="10/12/2026"))
    stack.put_object("incoming/reset.csv", upload)
    stack.put_object("incoming/reset.csv", upload + b"\n")
    client("s3").put_object(Bucket=stack.physical_id("ConsoleBucket"), Key="index.html", Body=b"<p>")
    client("sns").publish(TopicArn=stack.physical_id("CustomerNoticesTopic"), Message="{}")
    client("sns").publish(PhoneNumber=CUSTOMER_PHONE, Message="Ponte: teste")
    client("sqs").send_message(QueueUrl=stack.physical_id("NotificationDeadLetterQueue"), MessageBody="{}")
    client("sesv2").send_email(
        FromEmailAddress=f"cobranca@{SUBSCRIBERS['CustomerEmailSender']}",
        Destination={"ToAddresses": [CUSTOMER_EMAIL]},
        Content={"Simple": {"Subject": {"Data": "Teste"}, "Body": {"Text": {"Data": "Teste"}}}},
        ConfigurationSetName=stack.physical_id("CustomerDeliveryConfigurationSet"),
    )
    stack.ses_event("delivery", stack.mailbox(CUSTOMER_EMAIL)[-1].message_id, CUSTOMER_EMAIL)  # DeliveryEvents runs
    client("scheduler").create_schedule(
        Name="reset-wakeup",
        GroupName=stack.physical_id("NotificationWakeups"),
        ScheduleExpression="at(2030-01-01T00:00:00)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": stack.attribute("Notifier", "Arn"), "RoleArn": "arn:aws:iam::123456789012:role/wakeups"},
        ActionAfterCompletion="DELETE",
    )
    policy = stack.physical_id("DunningPolicyParameter")
    current = client("ssm").get_parameter(Name=policy)["Parameter"]["Value"]
    client("ssm").put_parameter(Name=policy, Value=current.replace('"version": 1', '"version": 2'), Overwrite=True)
    client("ssm").label_parameter_version(Name=policy, Labels=["reset"])
    client("ssm").put_parameter(Name="/ponte/reset", Value="x", Type="String")
    client("secretsmanager").create_secret(Name="ponte/reset", SecretString="x")
    pool = stack.physical_id("StaffUserPool")
    client("cognito-idp").admin_create_user(UserPoolId=pool, Username="reset@example.com")
    client("cognito-idp").create_group(UserPoolId=pool, GroupName="reset")
    client("cognito-idp").admin_add_user_to_group(UserPoolId=pool, Username="reset@example.com", GroupName="sales")
    client("events").put_events(
        Entries=[{"Source": "ponte.reset", "DetailType": "reset", "Detail": "{}", "EventBusName": _bus(stack)}]
    )
    alarm = next(iter(_alarm_states(stack)))
    client("cloudwatch").set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="reset")
    stack.advance(hours=25)  # the daily schedules fire: the sweep, the worker, the digest
    stack.failures.append(Failure("Notifier", "test", "reset", None))
    stack.functions["Notifier"].environment["PONTE_RESET"] = "dirty"
    return {logical_id: stack.functions[logical_id].module() for logical_id in FUNCTIONS}


def observed(stack: LocalStack) -> dict[str, Any]:
    """What a user of the stack can see of its state, through AWS's APIs and the stack's own; reads only."""
    client = stack.client
    pool = stack.physical_id("StaffUserPool")
    cognito = client("cognito-idp")
    return {
        "platform events": stack.platform_events(),  # first: it takes the events off its queue, which is listed below
        "items": _items(stack),
        "stream records": _stream_records(stack),
        "objects": {
            bucket: _object_versions(stack, stack.physical_id(bucket)) for bucket in ("InvoicesBucket", "ConsoleBucket")
        },
        "queues": {
            url: client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            for url in client("sqs").list_queues().get("QueueUrls", [])
        },
        "published": {
            topic: [delivery.message for delivery in stack.published(topic)]
            for topic in ("StaffAlertsTopic", "CustomerNoticesTopic", "OpsAlarmsTopic", "CustomerDeliveryEventsTopic")
        },
        "sms": [(m.phone, m.text) for phone in (CUSTOMER_PHONE, STAFF_PHONE) for m in stack.sms(phone)],
        "e-mail": [(e.to, e.subject) for e in stack.mailbox(CUSTOMER_EMAIL) + stack.mailbox("joao@padaria.example")],
        "sent by SES": client("ses").get_send_quota()["SentLast24Hours"],
        "schedules": _schedules(stack),
        "parameters": _parameters(stack),
        "secrets": _secrets(stack),
        "users": _users(stack),
        "groups": sorted(g["GroupName"] for g in cognito.list_groups(UserPoolId=pool)["Groups"]),
        "alarms": _alarm_states(stack),
        "clock": stack.now,
        "failures": list(stack.failures),
        "function logs": stack.function_logs.getvalue(),
        "environments": {logical_id: dict(spec.environment) for logical_id, spec in stack.functions.items()},
    }


def _users(stack: LocalStack) -> list[tuple[str, list[str]]]:
    cognito, pool = stack.client("cognito-idp"), stack.physical_id("StaffUserPool")
    users = [user["Username"] for user in cognito.list_users(UserPoolId=pool)["Users"]]
    return [
        (name, [g["GroupName"] for g in cognito.admin_list_groups_for_user(UserPoolId=pool, Username=name)["Groups"]])
        for name in users
    ]


def _item(pk: str) -> dict[str, Any]:
    return {"pk": {"S": f"RESET#{pk}"}, "sk": {"S": "RESET"}, "kind": {"S": "reset"}}


def _items(stack: LocalStack) -> list[dict[str, Any]]:
    pages = stack.client("dynamodb").get_paginator("scan").paginate(TableName=stack.physical_id("Table"))
    return sorted((item for page in pages for item in page["Items"]), key=lambda i: (i["pk"]["S"], i["sk"]["S"]))


def _stream_records(stack: LocalStack) -> list[Any]:
    streams = stack.client("dynamodbstreams")
    arn = stack.attribute("Table", "StreamArn")
    records = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")
        records += [
            (r["eventName"], r["dynamodb"]["SequenceNumber"], r["dynamodb"]["Keys"])
            for r in streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
        ]
    return records


def _object_versions(stack: LocalStack, bucket: str) -> list[tuple[str, str, bool]]:
    listing = stack.client("s3").list_object_versions(Bucket=bucket)
    entries = listing.get("Versions", []) + listing.get("DeleteMarkers", [])
    return sorted((e["Key"], e["VersionId"], e["IsLatest"]) for e in entries)


def _schedules(stack: LocalStack) -> dict[str, list[str]]:
    scheduler = stack.client("scheduler")
    return {
        group["Name"]: sorted(s["Name"] for s in scheduler.list_schedules(GroupName=group["Name"])["Schedules"])
        for group in scheduler.list_schedule_groups()["ScheduleGroups"]
    }


def _parameters(stack: LocalStack) -> dict[str, list[tuple[Any, ...]]]:
    ssm = stack.client("ssm")
    names = [p["Name"] for page in ssm.get_paginator("describe_parameters").paginate() for p in page["Parameters"]]
    return {
        name: [
            (v["Version"], v["Value"], v.get("Labels", []), v["LastModifiedDate"])
            for page in ssm.get_paginator("get_parameter_history").paginate(Name=name)
            for v in page["Parameters"]
        ]
        for name in sorted(names)
    }


def _secrets(stack: LocalStack) -> dict[str, Any]:
    secrets = stack.client("secretsmanager")
    found = {}
    for secret in secrets.list_secrets(IncludePlannedDeletion=True)["SecretList"]:
        versions = secrets.list_secret_version_ids(SecretId=secret["ARN"], IncludeDeprecated=True)["Versions"]
        try:
            value = secrets.get_secret_value(SecretId=secret["ARN"])["SecretString"]
        except ClientError:
            value = None
        found[secret["ARN"]] = (sorted((v["VersionId"], sorted(v["VersionStages"])) for v in versions), value)
    return found


def _alarm_states(stack: LocalStack) -> dict[str, str]:
    alarms = stack.client("cloudwatch").describe_alarms()["MetricAlarms"]
    return {alarm["AlarmName"]: alarm["StateValue"] for alarm in alarms}


def _bus(stack: LocalStack) -> str:
    return str(stack.attribute("PlatformBus", "Name"))
