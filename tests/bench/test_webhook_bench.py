"""Per webhook: AWS calls on the hot path for each kind of delivery, the write capacity a payment costs, and the warm
handler's own time with AWS stubbed out (as botocore's Stubber does) for Ponte's handler, for the floor (verify the
signature, then one conditional write, under the same Powertools decorators) and for the way AWS's documentation
suggests it (Powertools' @idempotent around a handler that writes the payment and publishes to SNS itself). Ponte's
time is taken for an account with 1 payment and for one with 50, interleaved with the floor's, so that all three
figures see the same machine. Prints figures; never fails on time. Run with `make bench`.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import boto3
import botocore.handlers
import pytest
from botocore.config import Config
from botocore.stub import ANY, Stubber
from botocore.validate import ParamValidationDecorator

from infra.local import LocalStack
from infra.local.signing import stripe_headers
from tests.support import T0, FakeContext, load_handler

SECRET = "whsec_bench"
RUNS = 300


class CallCounter:
    """Counts every AWS API call made by any client of any session, through botocore's `before-call` event, and
    keeps the items of each transaction (`before-parameter-build`), to price them."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.transactions: list[list[dict[str, Any]]] = []

    def __call__(self, model: Any, **_: Any) -> None:
        self.calls.append(f"{model.service_model.service_name}.{model.name}")

    def transaction(self, params: dict[str, Any], **_: Any) -> None:
        self.transactions.append(params["TransactItems"])

    def during(self, action: Callable[[], Any]) -> list[str]:
        start = len(self.calls)
        action()
        return self.calls[start:]


@pytest.fixture
def counter() -> Iterator[CallCounter]:
    counting = CallCounter()
    entries = [
        ("before-call.*.*", counting),
        ("before-parameter-build.dynamodb.TransactWriteItems", counting.transaction),
    ]
    botocore.handlers.BUILTIN_HANDLERS.extend(entries)  # every session made from now on counts
    boto3.setup_default_session()
    yield counting
    for entry in entries:
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


def timed(runs: int, **contenders: Callable[[int], Any]) -> dict[str, list[float]]:
    """Each contender's time per run (ms), taking turns run by run: a machine busy for a moment slows them all."""
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for n in range(runs):
        for name, run in contenders.items():
            started = time.perf_counter()
            run(n)
            samples[name].append((time.perf_counter() - started) * 1000)
    return samples


def figures(samples: list[float]) -> str:
    return f"{statistics.median(samples):.2f} / {percentile(samples, 0.99):.2f}"


def item_size(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB bills it (Developer Guide, "Item sizes and formats"): attribute names plus values."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    (kind, inner), *_ = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        return (len(inner.strip("-").replace(".", "").strip("0")) + 1) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + _value_size(element) for element in inner)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + _value_size(element) for name, element in inner.items())
    return len(inner)  # B


def write_units(transaction: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """What each write of a transaction costs: two write units per KB (rounded up) of the item (DynamoDB pricing:
    a transactional write is two standard ones). An update is priced at the item's key, which understates it."""
    priced = []
    for write in transaction:
        (verb, request), *_ = write.items()
        item = request.get("Item") or request["Key"]
        kind = item.get("kind", {}).get("S") or item["sk"]["S"].split("#")[0].lower()
        priced.append((f"{kind} ({verb.lower()})", 2 * -(-item_size(item) // 1024)))
    return priced


def floor_handler(table: str, client: Any) -> Callable[..., Any]:
    """The least a verified, exactly-once webhook does: verify the signature, then one conditional write (the
    delivery's marker, created once), under the decorators Ponte's handler has."""
    from aws_lambda_powertools import Logger, Metrics
    from aws_lambda_powertools.metrics import MetricUnit
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2, event_source

    from ponte.providers import stripe

    logger, metrics = Logger(), Metrics()

    @metrics.log_metrics
    @logger.inject_lambda_context
    @event_source(data_class=APIGatewayProxyEventV2)
    def handler(event: APIGatewayProxyEventV2, context: Any) -> dict[str, Any]:
        body = (event.body or "").encode()
        stripe.verify({name.lower(): value for name, value in event.headers.items()}, body, [SECRET], T0)
        marker = {"pk": {"S": f"INBOUND#stripe:{json.loads(body)['id']}"}, "sk": {"S": "INBOUND"}}
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": marker, "ConditionExpression": "attribute_not_exists(pk)"}}
            ]
        )
        metrics.add_metric(name="WebhooksApplied", unit=MetricUnit.Count, value=1)
        return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": '{"received": true}'}

    return handler


def baseline_handler(table: str, topic: str, idempotency_table: str, dynamodb: Any, sns: Any) -> Callable[..., Any]:
    """What AWS's documentation suggests: @idempotent on the event id, write the payment, publish to SNS."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent,
    )

    from ponte.domain.events import PaymentReceived
    from ponte.providers import stripe

    persistence = DynamoDBPersistenceLayer(table_name=idempotency_table, boto3_client=dynamodb)
    config = IdempotencyConfig(event_key_jmespath="powertools_json(body).id")

    @idempotent(persistence_store=persistence, config=config)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        body = event["body"].encode()
        stripe.verify(event["headers"], body, [SECRET], T0)
        (payment,) = stripe.normalise(body)
        assert isinstance(payment, PaymentReceived)
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
        environment = {
            **stack.functions["PaymentWebhook"].environment,
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        handler = load_handler("payment_webhook")
        context = FakeContext()

        def deliver(event_id: str, customer: str) -> list[str]:
            return counter.during(lambda: handler.lambda_handler(delivery(event_id, customer), context))

        cold = deliver("evt_cold", "acme")
        new_customers = [deliver(f"evt_new{n}", f"c{n}") for n in range(50)]
        priced_from = len(counter.transactions)
        repeat = [deliver(f"evt_rep{n}", "acme") for n in range(50)]
        returning_writes = [write_units(t) for t in counter.transactions[priced_from:]]
        duplicate = deliver("evt_rep0", "acme")
        solo = deliver("evt_solo", "solo")  # an account with one payment, for the time taken below

        # Another container: its first delivery, then a customer it has never seen (known to the table).
        other = load_handler("payment_webhook")
        other_first = counter.during(lambda: other.lambda_handler(delivery("evt_other", "c0"), context))
        unseen = counter.during(lambda: other.lambda_handler(delivery("evt_unseen", "c1"), context))

        # Ponte's handler with its DynamoDB client stubbed (made as its store makes it): the ledger a real query
        # returned, the write accepted.
        wiring = handler._wiring()
        table = stack.physical_id("Table")
        ledgers = {
            customer: wiring.store.client.query(
                TableName=table,
                KeyConditionExpression="pk = :pk AND sk BETWEEN :a AND :b",
                ExpressionAttributeValues={
                    ":pk": {"S": f"ACCOUNT#{customer}"},
                    ":a": {"S": "ACCOUNT"},
                    ":b": {"S": "LEDGER$"},
                },
                ConsistentRead=True,
            )
            for customer in ("solo", "acme")
        }
        validates = isinstance(wiring.store.client._serializer, ParamValidationDecorator)  # as the store's does
        stubbed = boto3.client("dynamodb", region_name="us-east-1", config=Config(parameter_validation=validates))
        floor_client = boto3.client("dynamodb", region_name="us-east-1", config=Config(parameter_validation=False))
        floor = floor_handler(table, floor_client)
        wiring.store._client = stubbed
        with Stubber(stubbed) as stub, Stubber(floor_client) as floor_stub:
            for _ in range(RUNS):
                floor_stub.add_response("transact_write_items", {}, {"TransactItems": ANY})
                for customer in ("solo", "acme"):
                    items = ledgers[customer]["Items"]
                    stub.add_response("query", {"Items": items, "Count": len(items), "ScannedCount": len(items)})
                    stub.add_response("transact_write_items", {}, {"TransactItems": ANY})
            warm = timed(
                RUNS,
                floor=lambda n: floor(delivery(f"evt_f{n}", "acme"), context),
                one_payment=lambda n: handler.lambda_handler(delivery(f"evt_o{n}", "solo"), context),
                fifty_payments=lambda n: handler.lambda_handler(delivery(f"evt_t{n}", "acme"), context),
            )

        # The baseline, on the same emulator for its call count, then with its clients stubbed for its time.
        dynamodb, sns = stack.client("dynamodb"), stack.client("sns")
        dynamodb.create_table(
            TableName="idempotency",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        )
        topic = stack.physical_id("StaffAlertsTopic")
        baseline = baseline_handler(table, topic, "idempotency", dynamodb, sns)
        baseline_calls = [counter.during(partial(baseline, delivery(f"evt_b{n}", "acme"), context)) for n in range(50)]
        baseline_duplicate = counter.during(partial(baseline, delivery("evt_b0", "acme"), context))
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
            theirs = timed(RUNS, baseline=lambda n: timed_baseline(delivery(f"evt_s{n}", "acme"), context))

    def per_call(runs: list[list[str]]) -> str:
        counts = Counter(len(r) for r in runs)
        kinds = Counter(call for r in runs for call in r)
        return f"{dict(counts)} calls per webhook; {dict(kinds)}"

    floor_median = statistics.median(warm["floor"])
    print("\nWebhook hot path (payment_intent.succeeded), AWS calls counted with botocore's before-call event:")
    print(f"  Ponte, first delivery in a new container: {len(cold)} calls {Counter(cold)}")
    print(f"  Ponte, new customer:                      {per_call(new_customers)}")
    print(f"  Ponte, returning customer:                {per_call(repeat)}")
    print(f"  Ponte, customer unseen by this container: {len(unseen)} calls {Counter(unseen)}")
    print(f"  Ponte, duplicate delivery:                {len(duplicate)} calls {Counter(duplicate)}")
    print(f"  (another container's first delivery:      {len(other_first)} calls {Counter(other_first)})")
    print(f"  @idempotent + put_item + SNS publish:     {per_call(baseline_calls)}")
    print(f"  @idempotent, duplicate delivery:          {len(baseline_duplicate)} calls {Counter(baseline_duplicate)}")
    costs = Counter(sum(units for _, units in priced) for priced in returning_writes)
    spread = ", ".join(f"{units} WCU for {count}" for units, count in sorted(costs.items()))
    print(f"Write capacity of a returning customer's payment (transactional writes, of {len(repeat)}): {spread}")
    print(f"  the last one's writes: {', '.join(f'{what} {units}' for what, units in returning_writes[-1])}")
    print(f"Warm handler time with AWS stubbed, {RUNS} deliveries each, taking turns (ms): median / p99")
    print(f"  floor (verify + one conditional write):   {figures(warm['floor'])}")
    for name, label in (
        ("one_payment", "1 payment"),
        ("fifty_payments", f"{len(ledgers['acme']['Items']) - 1} payments"),
    ):
        ratio = statistics.median(warm[name]) / floor_median
        print(f"  Ponte, account with {label + ':':<21}{figures(warm[name])}  ({ratio:.2f}x the floor)")
    flat = statistics.median(warm["fifty_payments"]) / statistics.median(warm["one_payment"])
    print(f"  Ponte, the larger ledger's median over the smaller's: {flat:.2f}")
    print(f"  @idempotent + put_item + SNS publish:     {figures(theirs['baseline'])}")
    writes = {c for r in repeat for c in r if not c.endswith(("Query", "GetItem", "BatchGetItem"))}
    assert writes == {"dynamodb.TransactWriteItems"}, (
        "the hot path writes once, in one transaction, and publishes nothing"
    )
    # What the design promises once a container is warm: the account's partition read once, one transaction.
    one_read_one_write = ["dynamodb.Query", "dynamodb.TransactWriteItems"]
    for calls in (*new_customers, *repeat, unseen):
        assert calls == one_read_one_write, calls
    assert duplicate == ["dynamodb.Query"], "a duplicate payment is told from the read, and writes nothing"
    assert solo, "the one-payment account was recorded"
