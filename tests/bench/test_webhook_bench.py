"""Per webhook: AWS calls on the hot path, and the warm handler's own time with AWS stubbed out, for Ponte's handler
and for the way AWS's documentation suggests it (Powertools' @idempotent around a handler that writes the payment
and publishes to SNS itself). Prints figures; never fails on time. Run with `make bench`.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore.handlers
import pytest
from botocore.stub import ANY, Stubber

from infra.local import LocalStack
from infra.local.signing import stripe_headers
from tests.support import T0, FakeContext, load_handler

SECRET = "whsec_bench"
RUNS = 300


class CallCounter:
    """Counts every AWS API call made by any client of any session, through botocore's `before-call` event."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, model: Any, **_: Any) -> None:
        self.calls.append(f"{model.service_model.service_name}.{model.name}")

    def during(self, action: Callable[[], Any]) -> list[str]:
        start = len(self.calls)
        action()
        return self.calls[start:]


@pytest.fixture
def counter() -> Iterator[CallCounter]:
    counting = CallCounter()
    entry = ("before-call.*.*", counting)
    botocore.handlers.BUILTIN_HANDLERS.append(entry)  # every session made from now on counts
    boto3.setup_default_session()
    yield counting
    botocore.handlers.BUILTIN_HANDLERS.remove(entry)
    boto3.setup_default_session()


def delivery(event_id: str, customer: str, amount: int = 10_000) -> dict[str, Any]:
    intent = {
        "id": f"pi_{event_id}",
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount,
        "currency": "brl",
        "customer": f"cus_{customer}",
        "metadata": {"account_id": customer},
        "payment_method_types": ["card"],
        "created": int(T0.timestamp()),
        "status": "succeeded",
    }
    body = json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": "payment_intent.succeeded",
            "created": int(T0.timestamp()),
            "data": {"object": intent},
        }
    )
    headers = {k.lower(): v for k, v in stripe_headers(body.encode(), SECRET, T0).items()}
    return {
        "version": "2.0",
        "routeKey": "POST /webhooks/{provider}",
        "rawPath": "/webhooks/stripe",
        "rawQueryString": "",
        "headers": headers,
        "pathParameters": {"provider": "stripe"},
        "body": body,
        "isBase64Encoded": False,
        "requestContext": {
            "http": {"method": "POST", "path": "/webhooks/stripe"},
            "requestId": event_id,
            "timeEpoch": int(T0.timestamp() * 1000),
            "routeKey": "POST /webhooks/{provider}",
            "stage": "$default",
        },
    }


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def timed(run: Callable[[int], Any], runs: int) -> list[float]:
    samples = []
    for n in range(runs):
        started = time.perf_counter()
        run(n)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def baseline_handler(table: str, topic: str, idempotency_table: str, dynamodb: Any, sns: Any) -> Callable[..., Any]:
    """What AWS's documentation suggests: @idempotent on the event id, write the payment, publish to SNS."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent,
    )

    from ponte.providers import stripe

    persistence = DynamoDBPersistenceLayer(table_name=idempotency_table, boto3_client=dynamodb)
    config = IdempotencyConfig(event_key_jmespath="powertools_json(body).id")

    @idempotent(persistence_store=persistence, config=config)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        body = event["body"].encode()
        stripe.verify(event["headers"], body, [SECRET], T0)
        (payment,) = stripe.normalise(body)
        dynamodb.put_item(
            TableName=table,
            Item={
                "pk": {"S": f"PAYMENT#{payment.event_id}"},
                "sk": {"S": "PAYMENT"},
                "amount": {"N": str(payment.amount.amount)},
                "currency": {"S": payment.amount.currency},
            },
        )
        sns.publish(TopicArn=topic, Message=json.dumps({"event": payment.kind, "amount": payment.amount.amount}))
        return {"statusCode": 200, "body": json.dumps({"received": True})}

    return handler


def test_webhook_hot_path(counter: CallCounter, monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalStack(now=T0, webhook_secrets={"stripe": SECRET}) as stack:
        for name, value in {
            **stack.functions["PaymentWebhook"].environment,
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }.items():
            monkeypatch.setenv(name, value)
        handler = load_handler("payment_webhook")
        context = FakeContext()

        cold = counter.during(lambda: handler.lambda_handler(delivery("evt_cold", "acme"), context))
        new_customers = [
            counter.during(lambda n=n: handler.lambda_handler(delivery(f"evt_new{n}", f"c{n}"), context))
            for n in range(50)
        ]
        repeat = [
            counter.during(lambda n=n: handler.lambda_handler(delivery(f"evt_rep{n}", "acme"), context))
            for n in range(50)
        ]
        duplicate = counter.during(lambda: handler.lambda_handler(delivery("evt_rep0", "acme"), context))

        # Ponte's handler with its DynamoDB client stubbed: the ledger a real query returned, the write accepted.
        wiring = handler._wiring()
        real_client = wiring.store.client
        ledger = real_client.query(
            TableName=stack.physical_id("Table"),
            KeyConditionExpression="pk = :pk AND sk BETWEEN :a AND :b",
            ExpressionAttributeValues={":pk": {"S": "ACCOUNT#acme"}, ":a": {"S": "ACCOUNT"}, ":b": {"S": "LEDGER$"}},
        )
        stubbed = boto3.client("dynamodb", region_name="us-east-1")
        wiring.store._client = stubbed
        with Stubber(stubbed) as stub:
            for _ in range(RUNS):
                stub.add_response("query", {"Items": ledger["Items"], "Count": ledger["Count"], "ScannedCount": 1})
                stub.add_response("transact_write_items", {}, {"TransactItems": ANY})
            ours = timed(lambda n: handler.lambda_handler(delivery(f"evt_t{n}", "acme"), context), RUNS)

        # The baseline, on the same emulator for its call count, then with its clients stubbed for its time.
        dynamodb, sns = stack.client("dynamodb"), stack.client("sns")
        dynamodb.create_table(
            TableName="idempotency",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        )
        topic = stack.physical_id("StaffAlertsTopic")
        baseline = baseline_handler(stack.physical_id("Table"), topic, "idempotency", dynamodb, sns)
        baseline_calls = [
            counter.during(lambda n=n: baseline(delivery(f"evt_b{n}", "acme"), context)) for n in range(50)
        ]
        baseline_duplicate = counter.during(lambda: baseline(delivery("evt_b0", "acme"), context))
        stub_db, stub_sns = (
            boto3.client("dynamodb", region_name="us-east-1"),
            boto3.client("sns", region_name="us-east-1"),
        )
        timed_baseline = baseline_handler("t", topic, "idempotency", stub_db, stub_sns)
        with Stubber(stub_db) as db, Stubber(stub_sns) as notify:
            for _ in range(RUNS):
                db.add_response("put_item", {})  # the idempotency record, in progress
                db.add_response("put_item", {})  # the payment
                db.add_response("update_item", {})  # the idempotency record, completed
                notify.add_response("publish", {"MessageId": "m"})
            theirs = timed(lambda n: timed_baseline(delivery(f"evt_s{n}", "acme"), context), RUNS)

    def per_call(runs: list[list[str]]) -> str:
        counts = Counter(len(r) for r in runs)
        kinds = Counter(call for r in runs for call in r)
        return f"{dict(counts)} calls per webhook; {dict(kinds)}"

    print("\nWebhook hot path (payment_intent.succeeded), AWS calls counted with botocore's before-call event:")
    print(f"  Ponte, first delivery in a new container: {len(cold)} calls {Counter(cold)}")
    print(f"  Ponte, new customer:                      {per_call(new_customers)}")
    print(f"  Ponte, returning customer:                {per_call(repeat)}")
    print(f"  Ponte, duplicate delivery:                {len(duplicate)} calls {Counter(duplicate)}")
    print(f"  @idempotent + put_item + SNS publish:     {per_call(baseline_calls)}")
    print(f"  @idempotent, duplicate delivery:          {len(baseline_duplicate)} calls {Counter(baseline_duplicate)}")
    print(f"Warm handler time with AWS stubbed, {RUNS} deliveries (ms): median / p99")
    print(f"  Ponte:                                    {statistics.median(ours):.2f} / {percentile(ours, 0.99):.2f}")
    print(
        f"  @idempotent + put_item + SNS publish:     {statistics.median(theirs):.2f} / {percentile(theirs, 0.99):.2f}"
    )
    writes = {c for r in repeat for c in r if not c.endswith(("Query", "GetItem", "BatchGetItem"))}
    assert writes == {"dynamodb.TransactWriteItems"}, (
        "the hot path writes once, in one transaction, and publishes nothing"
    )
