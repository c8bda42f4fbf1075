"""The local stack is built from template.yaml: what the template declares exists and is wired locally."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.local import LocalStack
from infra.local.template import TemplateError, load_template
from tests.support import ROOT, T0

TEMPLATE = load_template(ROOT / "template.yaml")


def of_type(kind: str) -> dict[str, Any]:
    return {lid: r for lid, r in TEMPLATE["Resources"].items() if r["Type"] == kind}


def test_every_table_exists_with_the_templates_keys_indexes_stream_and_ttl(stack: LocalStack) -> None:
    client = stack.client("dynamodb")
    for logical_id, resource in of_type("AWS::DynamoDB::Table").items():
        table = client.describe_table(TableName=stack.physical_id(logical_id))["Table"]
        spec = resource["Properties"]
        assert table["KeySchema"] == spec["KeySchema"]
        assert sorted(d["AttributeName"] for d in table["AttributeDefinitions"]) == sorted(
            d["AttributeName"] for d in spec["AttributeDefinitions"]
        )
        assert [(i["IndexName"], i["KeySchema"]) for i in table["GlobalSecondaryIndexes"]] == [
            (i["IndexName"], i["KeySchema"]) for i in spec["GlobalSecondaryIndexes"]
        ]
        assert table["StreamSpecification"]["StreamViewType"] == spec["StreamSpecification"]["StreamViewType"]
        ttl = client.describe_time_to_live(TableName=table["TableName"])["TimeToLiveDescription"]
        assert ttl["AttributeName"] == spec["TimeToLiveSpecification"]["AttributeName"]


def test_every_topic_queue_bucket_and_bus_exists(stack: LocalStack) -> None:
    topics = {t["TopicArn"] for t in stack.client("sns").list_topics()["Topics"]}
    assert {stack.physical_id(lid) for lid in of_type("AWS::SNS::Topic")} <= topics
    queues = set(stack.client("sqs").list_queues()["QueueUrls"])
    assert {stack.physical_id(lid) for lid in of_type("AWS::SQS::Queue")} <= queues
    for logical_id in of_type("AWS::S3::Bucket"):
        bucket = stack.physical_id(logical_id)
        assert stack.client("s3").get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        assert stack.client("s3").get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"][
            "BlockPublicPolicy"
        ]
    policy = stack.attribute("InvoicesBucketPolicy", "Statements")
    assert [s["Sid"] for s in policy] == ["TlsOnly"]  # kept as the template says; locally every request is TLS
    buses = {b["Name"] for b in stack.client("events").list_event_buses()["EventBuses"]}
    assert {stack.physical_id(lid) for lid in of_type("AWS::Events::EventBus")} <= buses


def test_every_subscription_exists_with_its_filter_policy(stack: LocalStack) -> None:
    sns = stack.client("sns")
    for logical_id, resource in of_type("AWS::SNS::Subscription").items():
        if logical_id in stack.skipped:
            assert stack.skipped[logical_id].startswith("condition")
            continue
        attributes = sns.get_subscription_attributes(SubscriptionArn=stack.physical_id(logical_id))["Attributes"]
        assert attributes["Protocol"] == resource["Properties"]["Protocol"]
        policy = json.loads(attributes["FilterPolicy"])
        assert set(policy) == set(resource["Properties"]["FilterPolicy"])
    assert "StaffAlertEmailSubscription" in stack.resources and "StaffAlertSmsSubscription" in stack.resources


def test_every_function_event_is_wired(stack: LocalStack) -> None:
    for logical_id, resource in of_type("AWS::Serverless::Function").items():
        spec = stack.functions[logical_id]
        assert set(spec.events) == set(resource["Properties"].get("Events", {}))
        assert spec.environment["TABLE_NAME"] == stack.physical_id("Table")
        assert spec.code_dir == (ROOT / resource["Properties"]["CodeUri"]).resolve()
    notifier = stack.functions["Notifier"]
    assert notifier.environment["STAFF_ALERTS_TOPIC_ARN"] == stack.physical_id("StaffAlertsTopic")
    assert notifier.environment["BUSINESS_TIME_ZONE"] == "America/Sao_Paulo"


def test_nothing_but_access_control_and_the_layer_is_left_out(stack: LocalStack) -> None:
    reasons = set(stack.skipped.values())
    assert all(r.startswith("condition") or "access control" in r or "layer" in r for r in reasons)


def _extended_template(tmp_path: Path) -> Path:
    """template.yaml plus a queue, a topic and a function with every trigger kind, as a later change would add."""
    document = yaml.safe_load((ROOT / "template.yaml").read_text().replace("!", "__bang__"))
    resources = document["Resources"]
    for resource in resources.values():  # the copy lives elsewhere: its functions' code stays where it is
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = str(ROOT / resource["Properties"]["CodeUri"])
    resources["ExtraQueue"] = {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 30}}
    resources["ExtraTopic"] = {"Type": "AWS::SNS::Topic", "Properties": {}}
    resources["Echo"] = {
        "Type": "AWS::Serverless::Function",
        "Properties": {
            "CodeUri": str(ROOT / "tests" / "integration" / "echo_function"),
            "Handler": "handler.lambda_handler",
            "Events": {
                "Api": {"Type": "HttpApi", "Properties": {"Path": "/echo/{name}", "Method": "POST"}},
                "Upload": {
                    "Type": "S3",
                    "Properties": {
                        "Bucket": "__bang__Ref InvoicesBucket",
                        "Events": "s3:ObjectCreated:*",
                        "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "incoming/"}]}},
                    },
                },
                "Daily": {
                    "Type": "ScheduleV2",
                    "Properties": {
                        "ScheduleExpression": "cron(0 8 * * ? *)",
                        "ScheduleExpressionTimezone": "America/Sao_Paulo",
                        "Input": '{"scheduled_time": "<aws.scheduler.scheduled-time>"}',
                    },
                },
                "Work": {"Type": "SQS", "Properties": {"Queue": "__bang__GetAtt ExtraQueue.Arn", "BatchSize": 5}},
            },
        },
    }
    path = tmp_path / "template.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False).replace("__bang__", "!"))
    return path


def test_a_template_change_shows_up_locally_without_touching_infra(tmp_path: Path) -> None:
    with LocalStack(now=T0, template=_extended_template(tmp_path)) as stack:
        assert stack.physical_id("ExtraQueue") in stack.client("sqs").list_queues()["QueueUrls"]
        assert stack.physical_id("ExtraTopic") in {t["TopicArn"] for t in stack.client("sns").list_topics()["Topics"]}
        received: list[Any] = stack.functions["Echo"].module().RECEIVED

        status, headers, body = stack.http(
            "POST", "/echo/ana?x=1", headers={"Content-Type": "application/json"}, body=b'{"a": 1}'
        )
        assert (status, headers["content-type"], json.loads(body)) == (
            201,
            "application/json",
            {"route": "POST /echo/{name}"},
        )
        request = received[-1]
        assert request["pathParameters"] == {"name": "ana"} and request["queryStringParameters"] == {"x": "1"}
        assert request["body"] == '{"a": 1}' and request["isBase64Encoded"] is False
        assert request["requestContext"]["timeEpoch"] == int(T0.timestamp() * 1000)
        assert stack.http("GET", "/echo/ana")[0] == 404  # the route is POST only

        stack.put_object("incoming/a.csv", b"x;y\n")
        stack.put_object("elsewhere/b.csv", b"x;y\n")
        uploads = [e for e in received if isinstance(e, dict) and "Records" in e and "s3" in e["Records"][0]]
        assert [u["Records"][0]["s3"]["object"]["key"] for u in uploads] == ["incoming/a.csv"]
        assert uploads[0]["Records"][0]["eventTime"] == "2026-11-02T12:00:00.000Z"

        fired = stack.advance(days=2)
        echo_fired = [t for t, schedule in fired if schedule == "EchoDaily"]  # the template's own schedules fire too
        assert echo_fired == [T0 + timedelta(hours=h) for h in (23, 47)]  # 08:00 São Paulo = 11:00 UTC
        assert received[-1] == {"scheduled_time": "2026-11-04T11:00:00Z"}
        stack.run_schedule("EchoDaily")
        assert received[-1] == {"scheduled_time": "2026-11-04T12:00:00Z"}

        stack.client("sqs").send_message(QueueUrl=stack.physical_id("ExtraQueue"), MessageBody="job")
        stack.settle()
        assert received[-1]["Records"][0]["body"] == "job"
        assert stack.failures == []


def test_a_resource_the_local_stack_cannot_make_is_an_error(tmp_path: Path) -> None:
    document = (ROOT / "template.yaml").read_text()
    path = tmp_path / "template.yaml"
    path.write_text(document.replace("Resources:\n", "Resources:\n  Odd:\n    Type: AWS::Foo::Bar\n", 1))
    with pytest.raises(TemplateError, match="cannot make AWS::Foo::Bar"), LocalStack(now=T0, template=path):
        pass
