"""Every failure reaches a person: the template's alarms on the local stack, what they watch, and where they go.

Each alarm publishes to OpsAlarmsTopic, whose e-mail subscriber (OpsAlertEmail) a deployment cannot leave out; every
dead-letter queue has an alarm; the alarms on Ponte's own metrics watch exactly the namespace, name and dimensions
the functions emit. Function logs expire.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.local import LocalStack
from infra.local.template import TemplateError, load_template, parameter_values
from ponte.adapters.dynamodb import DynamoStore
from ponte.domain.accounts import Contact
from ponte.services.accounts import OpenAccount, opening_change
from ponte.services.webhooks import PROVIDERS
from tests.support import ROOT, T0

TEMPLATE = load_template(ROOT / "template.yaml")
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
ALARMS = [lid for lid, r in RESOURCES.items() if r["Type"] == "AWS::CloudWatch::Alarm"]
QUEUES = {lid for lid, r in RESOURCES.items() if r["Type"] == "AWS::SQS::Queue"}


def alarm(stack: LocalStack, logical_id: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = stack.client("cloudwatch").describe_alarms(
        AlarmNames=[stack.physical_id(logical_id)]
    )["MetricAlarms"]
    (described,) = found
    return described


def dimensions(described: dict[str, Any]) -> dict[str, str]:
    return {d["Name"]: d["Value"] for d in described["Dimensions"]}


def emitted(stack: LocalStack, metric: str) -> list[dict[str, Any]]:
    """The embedded-metric records (Powertools' EMF lines) the functions printed for `metric`."""
    records = []
    for line in stack.function_logs.getvalue().splitlines():
        if line.startswith("{") and '"_aws"' in line:
            record = json.loads(line)
            if any(m["Name"] == metric for d in record["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]):
                records.append(record)
    return records


def watches(described: dict[str, Any], record: dict[str, Any]) -> bool:
    """Whether an alarm's metric is the one an EMF record publishes (namespace, name and dimension values)."""
    (directive,) = record["_aws"]["CloudWatchMetrics"]
    (names,) = directive["Dimensions"]
    return (
        directive["Namespace"] == described["Namespace"]
        and described["MetricName"] in {m["Name"] for m in directive["Metrics"]}
        and {name: record[name] for name in names} == dimensions(described)
    )


def _queue(value: Any) -> str | None:
    """The logical id of a template queue that a value (GetAtt X.Arn, Ref X) names, if any."""
    if isinstance(value, dict) and "Fn::GetAtt" in value and value["Fn::GetAtt"][0] in QUEUES:
        return str(value["Fn::GetAtt"][0])
    if isinstance(value, dict) and value.get("Ref") in QUEUES:
        return str(value["Ref"])
    return None


def dead_letter_queues() -> set[str]:
    """Every queue the template makes a dead-letter queue or an on-failure destination, wherever it says so."""
    found: set[str] = set()
    for resource in RESOURCES.values():
        p = resource.get("Properties", {})
        candidates = [
            p.get("RedrivePolicy", {}).get("deadLetterTargetArn"),
            p.get("DeadLetterQueue", {}).get("TargetArn"),
            p.get("EventInvokeConfig", {}).get("DestinationConfig", {}).get("OnFailure", {}).get("Destination"),
        ]
        for event in p.get("Events", {}).values():
            e = event.get("Properties", {})
            candidates += [
                e.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination"),
                e.get("DeadLetterConfig", {}).get("Arn"),
            ]
        # A queue a function dead-letters to itself (the notifier's whole notifications).
        variables = p.get("Environment", {}).get("Variables", {})
        candidates += [value for name, value in variables.items() if "DEAD_LETTER" in name]
        found |= {q for q in map(_queue, candidates) if q}
    return found


def test_deploying_without_an_ops_address_is_refused_with_the_reason() -> None:
    with pytest.raises(TemplateError, match="OpsAlertEmail has no default"):
        parameter_values(TEMPLATE, {})
    with pytest.raises(TemplateError, match="OpsAlertEmail='' does not match"):
        parameter_values(TEMPLATE, {"OpsAlertEmail": ""})
    assert "cannot be left empty" in TEMPLATE["Parameters"]["OpsAlertEmail"]["ConstraintDescription"]
    assert parameter_values(TEMPLATE, {"OpsAlertEmail": "ops@padaria.example"})["OpsAlertEmail"]


def test_every_alarm_reaches_the_ops_subscriber(stack: LocalStack) -> None:
    ops = stack.physical_id("OpsAlarmsTopic")
    (subscription,) = stack.client("sns").list_subscriptions_by_topic(TopicArn=ops)["Subscriptions"]
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", "ops@example.com")
    assert "FilterPolicy" not in RESOURCES["OpsAlarmEmailSubscription"]["Properties"]  # every alarm reaches it
    made = [lid for lid in ALARMS if lid not in stack.skipped]
    assert made == ALARMS  # this stack has a customer e-mail sender: the SES alarms exist too
    for logical_id in made:
        described = alarm(stack, logical_id)
        assert described["AlarmActions"] == [ops], logical_id
        assert described["TreatMissingData"] == "notBreaching", logical_id  # no traffic is not an alarm


def test_every_dead_letter_queue_has_an_alarm(stack: LocalStack) -> None:
    queues = dead_letter_queues()
    assert queues >= {
        "NotifierFailureQueue",
        "NotificationDeadLetterQueue",
        "DeliveryEventsFailureQueue",
        "DunningWorkDeadLetterQueue",
        "DunningScheduleDeadLetterQueue",
        "InvoiceUploadFailureQueue",
    }
    watched: dict[str, dict[str, Any]] = {}
    for logical_id in ALARMS:
        described = alarm(stack, logical_id)
        if described["Namespace"] == "AWS/SQS":
            watched[dimensions(described)["QueueName"]] = described
    for queue in queues:
        assert stack.attribute(queue, "QueueName") in watched, f"{queue} has no alarm"
        queue_alarm = watched[stack.attribute(queue, "QueueName")]
        assert queue_alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
        assert (queue_alarm["ComparisonOperator"], queue_alarm["Threshold"]) == ("GreaterThanThreshold", 0)


def test_webhook_5xx_and_each_providers_refusals_are_watched(stack: LocalStack) -> None:
    errors = alarm(stack, "WebhookServerErrorsAlarm")
    assert (errors["Namespace"], errors["MetricName"]) == ("AWS/ApiGateway", "5xx")
    assert dimensions(errors) == {"ApiId": stack.physical_id("HttpApi")}
    assert (errors["Statistic"], errors["ComparisonOperator"], errors["Threshold"]) == (
        "Sum",
        "GreaterThanThreshold",
        0,
    )

    environment = stack.functions["PaymentWebhook"].environment
    refusals = [alarm(stack, f"{name}WebhookRefusalsAlarm") for name in ("Stripe", "Asaas", "MercadoPago", "Standard")]
    assert sorted(dimensions(a)["provider"] for a in refusals) == sorted(PROVIDERS)  # one per provider Ponte knows
    for refused in refusals:
        assert (refused["Namespace"], refused["MetricName"]) == (
            environment["POWERTOOLS_METRICS_NAMESPACE"],
            "WebhooksUnauthorized",
        )
        assert dimensions(refused)["service"] == environment["POWERTOOLS_SERVICE_NAME"]
        assert (refused["Period"], refused["ComparisonOperator"], refused["Threshold"]) == (
            900,
            "GreaterThanOrEqualToThreshold",
            3,
        )


def test_a_refused_signature_counts_towards_its_providers_alarm_and_nothing_else_does(stack: LocalStack) -> None:
    # Given a Stripe delivery whose signature is not the secret's
    status, _, _ = stack.http(
        "POST",
        "/webhooks/stripe",
        headers={"Content-Type": "application/json", "Stripe-Signature": "t=1,v1=00"},
        body=b'{"id": "evt_1", "type": "payment_intent.succeeded"}',
    )
    # and a delivery refused for another reason
    other, _, _ = stack.http("POST", "/webhooks/asaas", headers={"Content-Type": "text/plain"}, body=b"x")

    assert (status, other) == (401, 415)
    (record,) = emitted(stack, "WebhooksUnauthorized")
    assert watches(alarm(stack, "StripeWebhookRefusalsAlarm"), record)
    assert not watches(alarm(stack, "AsaasWebhookRefusalsAlarm"), record)


def test_the_notifier_alarms_watch_what_the_notifier_emits(stack: LocalStack) -> None:
    DynamoStore(stack.physical_id("Table")).commit(
        opening_change(
            OpenAccount(account_id="padaria", name="Padaria Estrela", locale="pt-BR", contact=Contact(name="João")),
            now=stack.now,
            staff_locale="pt-BR",
            source="test",
        )
    )
    stack.settle()

    parked, dead_lettered = alarm(stack, "NotificationsFailingAlarm"), alarm(stack, "NotificationsDeadLetteredAlarm")
    assert any(watches(parked, record) for record in emitted(stack, "NotificationsFailing"))
    assert any(watches(dead_lettered, record) for record in emitted(stack, "NotificationsDeadLettered"))
    # Failing in each of three 5-minute periods running: a burst that clears by itself is no alarm.
    assert (parked["Period"], parked["EvaluationPeriods"], parked["DatapointsToAlarm"]) == (300, 3, 3)
    assert (dead_lettered["ComparisonOperator"], dead_lettered["Threshold"]) == ("GreaterThanThreshold", 0)

    age = alarm(stack, "NotifierIteratorAgeAlarm")
    assert (age["Namespace"], age["MetricName"], age["Statistic"]) == ("AWS/Lambda", "IteratorAge", "Maximum")
    assert dimensions(age) == {"FunctionName": stack.functions["Notifier"].name}
    assert age["Threshold"] == 15 * 60 * 1000  # milliseconds


def test_the_sending_reputation_and_sms_spend_are_watched(stack: LocalStack) -> None:
    bounces, complaints = alarm(stack, "SesBounceRateAlarm"), alarm(stack, "SesComplaintRateAlarm")
    # The account's reputation, as SES reviews it: no dimension.
    assert (bounces["Namespace"], bounces["MetricName"], bounces["Dimensions"]) == (
        "AWS/SES",
        "Reputation.BounceRate",
        [],
    )
    assert (complaints["MetricName"], complaints["Dimensions"]) == ("Reputation.ComplaintRate", [])
    assert (bounces["Threshold"], complaints["Threshold"]) == (0.05, 0.001)
    assert {bounces["ComparisonOperator"], complaints["ComparisonOperator"]} == {"GreaterThanOrEqualToThreshold"}

    spend = alarm(stack, "SmsSpendAlarm")
    assert (spend["Namespace"], spend["MetricName"], spend["Dimensions"]) == ("AWS/SNS", "SMSMonthToDateSpentUSD", [])
    assert (spend["ComparisonOperator"], spend["Threshold"]) == ("GreaterThanThreshold", 0.8)


def test_sms_spend_alarms_at_the_operators_amount_and_ses_alarms_only_with_a_sender() -> None:
    with LocalStack(now=T0, parameters={"SmsMonthlySpendAlarmUsd": "40"}) as stack:
        assert alarm(stack, "SmsSpendAlarm")["Threshold"] == 40
        assert stack.skipped["SesBounceRateAlarm"] == stack.skipped["SesComplaintRateAlarm"]
        assert stack.skipped["SesBounceRateAlarm"] == "condition HasCustomerEmailSender is false"


def test_every_functions_logs_expire(stack: LocalStack) -> None:
    groups = {
        g["logGroupName"]: g.get("retentionInDays")
        for g in stack.client("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"]
    }
    assert groups == {f"/aws/lambda/{spec.name}": 30 for spec in stack.functions.values()}
