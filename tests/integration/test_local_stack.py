"""The local stack is built from template.yaml: what the template declares exists and is wired locally."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from infra.local import LocalStack
from infra.local.template import TemplateError, load_template
from ponte.adapters.customer_delivery import SesEmail, SmsDirect
from ponte.domain.errors import DeliveryRefused, DeliveryUnavailable
from tests.support import ROOT, T0, Stacks

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
        policy = json.loads(attributes.get("FilterPolicy", "{}"))
        assert set(policy) == set(resource["Properties"].get("FilterPolicy", {}))
    assert "StaffAlertEmailSubscription" in stack.resources and "StaffAlertSmsSubscription" in stack.resources
    assert "OpsAlarmEmailSubscription" in stack.resources  # unfiltered: every alarm reaches it


def test_every_function_event_is_wired(stack: LocalStack) -> None:
    for logical_id, resource in of_type("AWS::Serverless::Function").items():
        spec = stack.functions[logical_id]
        assert set(spec.events) == set(resource["Properties"].get("Events", {}))
        assert spec.environment["TABLE_NAME"] == stack.physical_id("Table")
        assert spec.code_dir == (ROOT / resource["Properties"]["CodeUri"]).resolve()
    notifier = stack.functions["Notifier"]
    assert notifier.environment["STAFF_ALERTS_TOPIC_ARN"] == stack.physical_id("StaffAlertsTopic")
    assert notifier.environment["BUSINESS_TIME_ZONE"] == "America/Sao_Paulo"


def test_nothing_but_access_control_the_layer_and_cloudfront_is_left_out(stack: LocalStack) -> None:
    reasons = set(stack.skipped.values())
    assert all(r.startswith("condition") or "access control" in r or "layer" in r or "CloudFront" in r for r in reasons)
    cloudfront = {logical_id for logical_id, reason in stack.skipped.items() if "CloudFront" in reason}
    # played by make serve's console server
    assert cloudfront == {"ConsoleDistribution", "ConsoleOriginAccessControl", "ConsoleHeadersPolicy"}


def _extended_template(tmp_path: Path) -> Path:
    """template.yaml plus a queue, a topic and a function with every trigger kind, as a later change would add."""
    document = load_template(ROOT / "template.yaml")  # intrinsics in their long form ({"Ref": ...}), which YAML keeps
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
                        "Bucket": {"Ref": "InvoicesBucket"},
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
                "Work": {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["ExtraQueue", "Arn"]}, "BatchSize": 5}},
                "Said": {
                    "Type": "SNS",
                    "Properties": {"Topic": {"Ref": "ExtraTopic"}, "FilterPolicy": {"kind": ["keep"]}},
                },
                "DeliveryEvents": {"Type": "SNS", "Properties": {"Topic": {"Ref": "CustomerDeliveryEventsTopic"}}},
            },
        },
    }
    path = tmp_path / "template.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_a_client_asked_for_under_a_default_session_a_test_set_up_carries_that_sessions_handlers(
    stack: LocalStack,
) -> None:
    stack.client("sqs").list_queues()  # a client asked for before, under the stack's own session
    saved = boto3.DEFAULT_SESSION
    boto3.setup_default_session()  # as a test does to register handlers on every client made from now on
    try:
        assert boto3.DEFAULT_SESSION is not None
        seen: list[str] = []
        boto3.DEFAULT_SESSION.events.register("before-call.sqs.ListQueues", lambda model, **_: seen.append(model.name))
        stack.client("sqs").list_queues()
        assert seen == ["ListQueues"]
    finally:
        boto3.DEFAULT_SESSION = saved
    stack.client("sqs").list_queues()
    assert seen == ["ListQueues"]  # back under the stack's session, its clients never had the handler


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

        sns, before = stack.client("sns"), len(received)
        for kind in ("drop", "keep"):
            attributes = {"kind": {"DataType": "String", "StringValue": kind}}
            sns.publish(TopicArn=stack.physical_id("ExtraTopic"), Message=f"a {kind}", MessageAttributes=attributes)
        stack.settle()
        notifications = [event["Records"][0] for event in received[before:]]
        assert [n["Sns"]["Message"] for n in notifications] == ["a keep"]  # the subscription's filter policy applies
        record = notifications[0]
        assert record["EventSubscriptionArn"].startswith(stack.physical_id("ExtraTopic") + ":")
        assert record["Sns"]["TopicArn"] == stack.physical_id("ExtraTopic")
        assert record["Sns"]["MessageAttributes"] == {"kind": {"Type": "String", "Value": "keep"}}
        assert record["Sns"]["Type"] == "Notification" and record["Sns"]["Timestamp"].startswith("2026-11-04T12:00")
        assert stack.failures == []


def test_an_ses_event_reaches_a_function_subscribed_to_the_events_topic(tmp_path: Path) -> None:
    parameters = {"CustomerEmailSender": "avisos@padaria.example"}
    with LocalStack(now=T0, template=_extended_template(tmp_path), parameters=parameters) as stack:
        received: list[Any] = stack.functions["Echo"].module().RECEIVED
        received.clear()
        message_id = SesEmail("avisos@padaria.example", stack.physical_id("CustomerDeliveryConfigurationSet")).send(
            to="joao@cliente.example", subject="Fatura", text="t", html="", tags={"notice_id": "n-1"}
        )

        event = stack.ses_event("delivery", message_id, "joao@cliente.example")

        (notification,) = [e["Records"][0]["Sns"] for e in received]
        assert notification["TopicArn"] == stack.physical_id("CustomerDeliveryEventsTopic")
        assert json.loads(notification["Message"]) == event
        assert event["delivery"]["recipients"] == ["joao@cliente.example"]


def test_the_customer_delivery_configuration_set_is_the_templates(stack: LocalStack) -> None:
    (logical_id, resource), *_ = of_type("AWS::SES::ConfigurationSet").items()
    made = stack.client("sesv2").get_configuration_set(ConfigurationSetName=stack.physical_id(logical_id))
    spec = resource["Properties"]
    assert made["ReputationOptions"] == spec["ReputationOptions"]
    assert made["DeliveryOptions"] == spec["DeliveryOptions"]
    assert made["SuppressionOptions"] == spec["SuppressionOptions"]
    # The stack's sender (a domain) is an SES identity made from the template, DKIM signing on.
    identity = stack.client("sesv2").get_email_identity(EmailIdentity="solnascente.example")
    assert identity["IdentityType"] == "DOMAIN" and "CustomerEmailIdentity" not in stack.skipped


def test_without_a_sender_no_ses_identity_is_made(stacks: Stacks) -> None:
    with stacks(now=T0) as bare:
        assert bare.skipped["CustomerEmailIdentity"].startswith("condition")


def test_a_resource_the_local_stack_cannot_make_is_an_error(tmp_path: Path) -> None:
    document = (ROOT / "template.yaml").read_text()
    path = tmp_path / "template.yaml"
    path.write_text(document.replace("Resources:\n", "Resources:\n  Odd:\n    Type: AWS::Foo::Bar\n", 1))
    with pytest.raises(TemplateError, match="cannot make AWS::Foo::Bar"), LocalStack(now=T0, template=path):
        pass


# Customer delivery: the SES and SMS channels (ponte.adapters.customer_delivery) on the emulator, the template's
# identity and configuration set, the messages as recipients get them, and SES's events on
# CustomerDeliveryEventsTopic.

SENDER = "avisos@padaria.example"
CUSTOMER = "joao.silva@cliente.example"
PHONE = "+5511988887777"
PARAMETERS = {"CustomerEmailSender": SENDER, "CustomerEmailReplyTo": "financeiro@padaria.example"}


@pytest.fixture
def delivery_stack(stacks: Stacks) -> Iterator[LocalStack]:
    """The stack with a customer e-mail sender, so that its SES identity exists."""
    with stacks(now=T0, parameters=PARAMETERS) as local:
        yield local


def email_channel(stack: LocalStack, sender: str = f"Padaria Estrela <{SENDER}>") -> SesEmail:
    return SesEmail(
        sender,
        stack.physical_id("CustomerDeliveryConfigurationSet"),
        reply_to=("financeiro@padaria.example",),
    )


def send_notice(stack: LocalStack, to: str = CUSTOMER) -> str:
    return email_channel(stack).send(
        to=to,
        subject="Fatura nº 12/2026 vence amanhã",
        text="Olá, João! A fatura de R$ 1.500,00 vence amanhã, 10/11/2026.",
        html="<p>Olá, João! A fatura de <b>R$ 1.500,00</b> vence amanhã, 10/11/2026.</p>",
        tags={"notice_id": "padaria/reminder-3/2026-11-09", "account_id": "padaria-estrela"},
    )


def test_an_email_reaches_the_customer_whole(delivery_stack: LocalStack) -> None:
    message_id = send_notice(delivery_stack)

    (email,) = delivery_stack.mailbox("Joao.Silva@cliente.example")
    assert email.message_id == message_id
    assert email.subject == "Fatura nº 12/2026 vence amanhã"
    assert email.text.startswith("Olá, João!") and "<b>R$ 1.500,00</b>" in email.html
    assert email.from_ == f"Padaria Estrela <{SENDER}>" and email.reply_to == ("financeiro@padaria.example",)
    assert email.tags == {"notice_id": "padaria_reminder-3_2026-11-09", "account_id": "padaria-estrela"}
    assert email.configuration_set == delivery_stack.physical_id("CustomerDeliveryConfigurationSet")
    assert email.sent_at == T0
    assert delivery_stack.mailbox("someone.else@cliente.example") == []


def test_an_unverified_sender_is_refused(delivery_stack: LocalStack) -> None:
    with pytest.raises(DeliveryRefused) as refused:
        email_channel(delivery_stack, sender="avisos@elsewhere.example").send(
            to=CUSTOMER, subject="s", text="t", html="", tags={}
        )
    assert refused.value.code == "MessageRejected" and CUSTOMER not in str(refused.value)
    assert delivery_stack.mailbox(CUSTOMER) == []


def test_a_configuration_set_that_does_not_exist_holds_the_message_until_it_is_made(delivery_stack: LocalStack) -> None:
    with pytest.raises(DeliveryUnavailable) as waiting:
        SesEmail(SENDER, "no-such-set").send(to=CUSTOMER, subject="s", text="t", html="", tags={})
    assert waiting.value.code == "NotFoundException"
    assert delivery_stack.mailbox(CUSTOMER) == []


def test_a_configuration_set_whose_sending_is_off_holds_the_message(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    text = (ROOT / "template.yaml").read_text()
    template.write_text(
        text.replace("CodeUri: functions/", f"CodeUri: {ROOT}/functions/").replace(
            "        SendingEnabled: true", "        SendingEnabled: false"
        )
    )
    with LocalStack(now=T0, template=template, parameters=PARAMETERS) as stack:
        with pytest.raises(DeliveryUnavailable) as waiting:  # parked and retried, not dropped
            send_notice(stack)
        assert waiting.value.code == "SendingPausedException"


def test_without_a_sender_there_is_no_identity_and_nothing_can_be_sent(stacks: Stacks) -> None:
    with stacks(now=T0) as stack:
        assert stack.skipped["CustomerEmailIdentity"] == "condition HasCustomerEmailSender is false"
        assert stack.client("sesv2").list_email_identities()["EmailIdentities"] == []
        with pytest.raises(DeliveryRefused):
            send_notice(stack)


def test_an_address_identity_sends_with_the_configuration_set_by_default(delivery_stack: LocalStack) -> None:
    identity = delivery_stack.client("sesv2").get_email_identity(EmailIdentity=SENDER)
    assert identity["IdentityType"] == "EMAIL_ADDRESS"
    assert identity["ConfigurationSetName"] == delivery_stack.physical_id("CustomerDeliveryConfigurationSet")
    assert identity["DkimAttributes"]["SigningEnabled"] is False  # a domain signs; an address inherits its domain's

    delivery_stack.client("sesv2").send_email(  # no ConfigurationSetName: the identity's default applies, as in SES
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": [CUSTOMER]},
        Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}}},
    )
    assert delivery_stack.mailbox(CUSTOMER)[0].configuration_set == delivery_stack.physical_id(
        "CustomerDeliveryConfigurationSet"
    )


def test_a_domain_identity_is_signed_with_dkim_and_sends_from_any_of_its_addresses(stacks: Stacks) -> None:
    with stacks(now=T0, parameters={"CustomerEmailSender": "padaria.example"}) as stack:
        identity = stack.client("sesv2").get_email_identity(EmailIdentity="padaria.example")
        assert identity["IdentityType"] == "DOMAIN"
        assert identity["DkimAttributes"]["SigningEnabled"] is True
        assert identity["DkimAttributes"]["NextSigningKeyLength"] == "RSA_2048_BIT"
        assert stack.attribute("CustomerEmailIdentity", "DkimDNSTokenName1").endswith("._domainkey.padaria.example")

        message_id = send_notice(stack)
        event = stack.ses_event("send", message_id, CUSTOMER)
        assert event["mail"]["sourceArn"] == "arn:aws:ses:us-east-1:123456789012:identity/padaria.example"


def test_an_sms_reaches_the_phone_with_its_attributes(delivery_stack: LocalStack) -> None:
    message_id = SmsDirect("0.50", sender_id="Padaria").send(
        to=PHONE, text="Padaria Estrela: a fatura 12/2026 vence amanhã.", tags={"notice_id": "n-1"}
    )

    (sms,) = delivery_stack.sms(PHONE)
    assert (sms.message_id, sms.text, sms.sent_at) == (
        message_id,
        "Padaria Estrela: a fatura 12/2026 vence amanhã.",
        T0,
    )
    assert sms.attributes == {
        "AWS.SNS.SMS.SMSType": "Transactional",
        "AWS.SNS.SMS.MaxPrice": "0.50",
        "AWS.SNS.SMS.SenderID": "Padaria",
    }
    assert delivery_stack.sms("+5511900000000") == []


def test_an_sms_to_a_number_that_opted_out_is_refused_and_not_sent(delivery_stack: LocalStack) -> None:
    opted_out = "+5511988880099"  # moto's rule: numbers ending in 99 opted out
    with pytest.raises(DeliveryRefused) as refused:
        SmsDirect("0.50").send(to=opted_out, text="x", tags={})
    assert refused.value.code == "OptedOut"
    assert delivery_stack.sms(opted_out) == []


@pytest.mark.parametrize(
    ("kind", "event_type", "key"),
    [
        ("send", "Send", "send"),
        ("delivery", "Delivery", "delivery"),
        ("bounce", "Bounce", "bounce"),
        ("complaint", "Complaint", "complaint"),
        ("reject", "Reject", "reject"),
        ("delivery_delay", "DeliveryDelay", "deliveryDelay"),
    ],
)
def test_ses_events_reach_the_events_topic_as_ses_publishes_them(
    delivery_stack: LocalStack, kind: str, event_type: str, key: str
) -> None:
    message_id = send_notice(delivery_stack)
    delivery_stack.advance(minutes=5)

    event = delivery_stack.ses_event(kind, message_id, CUSTOMER)

    (published,) = delivery_stack.published("CustomerDeliveryEventsTopic")
    assert json.loads(published.message) == event
    assert set(event) == {"eventType", "mail", key} and event["eventType"] == event_type
    mail = event["mail"]
    assert mail["messageId"] == message_id and mail["destination"] == [CUSTOMER]
    assert mail["source"] == f"Padaria Estrela <{SENDER}>" and mail["timestamp"] == "2026-11-02T12:00:00.000Z"
    assert mail["tags"]["ses:configuration-set"] == [delivery_stack.physical_id("CustomerDeliveryConfigurationSet")]
    assert mail["tags"]["notice_id"] == ["padaria_reminder-3_2026-11-09"]


def test_a_bounce_names_the_recipient_and_takes_the_details_given(delivery_stack: LocalStack) -> None:
    message_id = send_notice(delivery_stack)

    event = delivery_stack.ses_event(
        "bounce", message_id, CUSTOMER, bounceType="Transient", bounceSubType="MailboxFull"
    )

    bounce = event["bounce"]
    assert (bounce["bounceType"], bounce["bounceSubType"]) == ("Transient", "MailboxFull")
    assert [r["emailAddress"] for r in bounce["bouncedRecipients"]] == [CUSTOMER]
    assert bounce["timestamp"] == "2026-11-02T12:00:00.000Z" and bounce["feedbackId"]
    assert event["mail"]["commonHeaders"] == {
        "from": [f"Padaria Estrela <{SENDER}>"],
        "replyTo": ["financeiro@padaria.example"],
        "to": [CUSTOMER],
        "messageId": message_id,
        "subject": "Fatura nº 12/2026 vence amanhã",
    }


def test_an_event_needs_a_message_sent_to_that_recipient(delivery_stack: LocalStack) -> None:
    message_id = send_notice(delivery_stack)
    with pytest.raises(KeyError):
        delivery_stack.ses_event("bounce", "no-such-message", CUSTOMER)
    with pytest.raises(ValueError, match="not sent to that address"):
        delivery_stack.ses_event("bounce", message_id, "someone.else@cliente.example")
    with pytest.raises(ValueError, match="unknown SES event kind"):
        delivery_stack.ses_event("open", message_id, CUSTOMER)
    assert delivery_stack.published("CustomerDeliveryEventsTopic") == []


def test_only_ses_of_this_account_and_configuration_set_may_publish_the_events(delivery_stack: LocalStack) -> None:
    attributes: dict[str, Any] = delivery_stack.client("sns").get_topic_attributes(
        TopicArn=delivery_stack.physical_id("CustomerDeliveryEventsTopic")
    )["Attributes"]
    (statement,) = json.loads(attributes["Policy"])["Statement"]
    assert statement["Principal"] == {"Service": "ses.amazonaws.com"} and statement["Action"] == "sns:Publish"
    assert statement["Condition"]["StringEquals"]["AWS:SourceArn"].endswith(
        f":configuration-set/{delivery_stack.physical_id('CustomerDeliveryConfigurationSet')}"
    )
    assert attributes["KmsMasterKeyId"] == delivery_stack.physical_id("NotificationsKey")


def test_a_tag_ses_would_refuse_is_refused_locally_too(delivery_stack: LocalStack) -> None:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError, match="BadRequestException"):
        delivery_stack.client("sesv2").send_email(
            FromEmailAddress=SENDER,
            Destination={"ToAddresses": [CUSTOMER]},
            Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}}},
            EmailTags=[{"Name": "notice id", "Value": "a/b"}],
        )
    assert delivery_stack.mailbox(CUSTOMER) == []
