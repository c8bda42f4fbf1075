"""Per webhook: AWS calls on the hot path for each kind of delivery, the write capacity a payment costs, and the warm
handler's own time with AWS stubbed out (as botocore's Stubber does), side by side for four ways of taking a payment
webhook:

- Ponte's handler (verify, decide the change from what the account holds, one transaction);
- the floor: verify the signature, then one conditional write (the delivery's marker), under the same Powertools
  decorators: the least a verified, exactly-once webhook does (timed twice: on boto3's client as it comes, and on
  a client made as Ponte's store makes its own, to tell Ponte's work from botocore's);
- the Powertools way, as AWS's documentation suggests it: @idempotent around a handler that writes the payment and
  publishes to SNS itself;
- AWS's own serverless webhook pattern (API Gateway -> a Lambda function that verifies the delivery and puts the raw
  event on a queue; the work, and exactly-once, happen later, in its consumer): verify + one SQS SendMessage.

Ponte's time is taken for an account with 1 payment and for one with 51, interleaved with the floor's, so that every
figure sees the same machine; its stubbed client answers each call as the emulator answered it for the same kind of
delivery. Prints figures; fails only when the hot path's shape changes (calls, write units), never on time. Run with
`make bench`.
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

from infra.local import LocalStack
from infra.local.signing import stripe_headers
from ponte.adapters.dynamodb import DynamoStore
from tests.support import T0, FakeContext, load_handler

SECRET = "whsec_bench"
RUNS = 300


class CallCounter:
    """Counts every AWS API call made by any client of any session, through botocore's `before-call` event, and
    keeps what each write wrote (`before-parameter-build`), to price it: a transaction's items, and the single
    writes (`PutItem`, `UpdateItem`) as one-item lists."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.writes: list[tuple[str, list[dict[str, Any]]]] = []  # (operation, items in TransactItems' shape)

    def __call__(self, model: Any, **_: Any) -> None:
        self.calls.append(f"{model.service_model.service_name}.{model.name}")

    def transaction(self, params: dict[str, Any], **_: Any) -> None:
        self.writes.append(("TransactWriteItems", params["TransactItems"]))

    def put(self, params: dict[str, Any], **_: Any) -> None:
        self.writes.append(("PutItem", [{"Put": params}]))

    def update(self, params: dict[str, Any], **_: Any) -> None:
        self.writes.append(("UpdateItem", [{"Update": params}]))

    def during(self, action: Callable[[], Any]) -> list[str]:
        start = len(self.calls)
        action()
        return self.calls[start:]

    def units_during(self, action: Callable[[], Any]) -> list[list[tuple[str, int]]]:
        """The write units of each write `action` makes (see `write_units`)."""
        start = len(self.writes)
        action()
        return [write_units(items, transactional=name == "TransactWriteItems") for name, items in self.writes[start:]]


@pytest.fixture
def counter() -> Iterator[CallCounter]:
    counting = CallCounter()
    entries = [
        ("before-call.*.*", counting),
        ("before-parameter-build.dynamodb.TransactWriteItems", counting.transaction),
        ("before-parameter-build.dynamodb.PutItem", counting.put),
        ("before-parameter-build.dynamodb.UpdateItem", counting.update),
    ]
    botocore.handlers.BUILTIN_HANDLERS.extend(entries)  # every session made from now on counts
    boto3.setup_default_session()
    yield counting
    for entry in entries:
        botocore.handlers.BUILTIN_HANDLERS.remove(entry)
    boto3.setup_default_session()


_CREATED: dict[str, int] = {}  # event id -> when the provider created it


def delivery(event_id: str, customer: str, amount: int = 10_000, *, intent_of: str | None = None) -> dict[str, Any]:
    """A delivery of the payment intent event `event_id`, received at T0, about the payment intent of the event
    `intent_of` (by default its own). Each event was created a second after the one before it (in the hour before
    T0), and a delivery of the same event again is the same delivery."""
    created = _CREATED.setdefault(event_id, int(T0.timestamp()) - 3600 + len(_CREATED))
    intent = {
        "id": f"pi_{intent_of or event_id}",
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount,
        "currency": "brl",
        "customer": f"cus_{customer}",
        "metadata": {"account_id": customer},
        "payment_method_types": ["card"],
        "created": created,
        "status": "succeeded",
    }
    body = json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": "payment_intent.succeeded",
            "created": created,
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


def signed(prefix: str, customer: str) -> list[dict[str, Any]]:
    """RUNS deliveries of new events, made and signed before any is timed: what a handler receives."""
    return [delivery(f"{prefix}{n}", customer) for n in range(RUNS)]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def timed(runs: int, **contenders: Callable[[int], Any]) -> dict[str, list[float]]:
    """Each contender's time per run (ms), taking turns run by run: a machine busy for a moment slows them all. What
    a contender is given was made before the clock starts."""
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


def write_units(writes: list[dict[str, Any]], *, transactional: bool = True) -> list[tuple[str, int]]:
    """What each write costs: one write unit per KB (rounded up) of the item, two in a transaction (DynamoDB
    pricing: a transactional write is two standard ones). An update is priced at the item's key, which understates
    it (DynamoDB prices the larger of the item before and after)."""
    priced = []
    for write in writes:
        (verb, request), *_ = write.items()
        item = request.get("Item") or request["Key"]
        kind = item.get("kind", {}).get("S") or next(iter(item.values()))["S"].split("#")[0].lower()
        units = -(-item_size(item) // 1024) * (2 if transactional else 1)
        priced.append((f"{kind} ({verb.lower()})", units))
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


def queue_handler(queue_url: str, sqs: Any) -> Callable[..., Any]:
    """AWS's serverless webhook pattern: verify, put the raw delivery on a queue, answer; a consumer of the queue
    does the work later (and must make it exactly-once itself: the queue delivers at least once, and a provider's
    retry is queued again). Under the decorators Ponte's handler has."""
    from aws_lambda_powertools import Logger, Metrics
    from aws_lambda_powertools.metrics import MetricUnit
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2, event_source

    from ponte.providers import stripe

    logger, metrics = Logger(), Metrics()

    @metrics.log_metrics
    @logger.inject_lambda_context
    @event_source(data_class=APIGatewayProxyEventV2)
    def handler(event: APIGatewayProxyEventV2, context: Any) -> dict[str, Any]:
        body = event.body or ""
        stripe.verify({name.lower(): value for name, value in event.headers.items()}, body.encode(), [SECRET], T0)
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)
        metrics.add_metric(name="WebhooksQueued", unit=MetricUnit.Count, value=1)
        return {"statusCode": 202, "headers": {"content-type": "application/json"}, "body": '{"received": true}'}

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


class Recorder:
    """What a client's calls answered (botocore's `after-call`), to answer them again from a Stubber."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.answers: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        self.answers.append((model.name, {k: v for k, v in parsed.items() if k != "ResponseMetadata"}))

    def during(self, action: Callable[[], Any]) -> list[tuple[str, dict[str, Any]]]:
        self.answers = []
        self.client.meta.events.register("after-call.dynamodb.*", self)
        try:
            action()
        finally:
            self.client.meta.events.unregister("after-call.dynamodb.*", self)
        return self.answers


def replay(stub: Stubber, answers: list[tuple[str, dict[str, Any]]]) -> None:
    """Queue `answers` on `stub` again: reads as the emulator gave them, writes accepted."""
    methods = {"Query": "query", "GetItem": "get_item", "BatchGetItem": "batch_get_item"}
    for operation, answer in answers:
        if operation == "TransactWriteItems":
            stub.add_response("transact_write_items", {}, {"TransactItems": ANY})
        else:
            stub.add_response(methods[operation], answer)


def keep(into: list[Any], action: Callable[..., Any], *arguments: Any) -> None:
    into.append(action(*arguments))


def per_call(runs: list[list[str]]) -> str:
    counts = Counter(len(r) for r in runs)
    kinds = Counter(call for r in runs for call in r)
    return f"{dict(counts)} calls per webhook; {dict(kinds)}"


def spread(priced: list[list[list[tuple[str, int]]]]) -> str:
    """Write units per delivery (the sum of its writes), as `units for deliveries`."""
    costs = Counter(sum(units for write in writes for _, units in write) for writes in priced)
    return ", ".join(f"{units} WCU for {count}" for units, count in sorted(costs.items()))


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
        repeat: list[list[str]] = []
        returning_writes = [
            counter.units_during(partial(keep, repeat, deliver, f"evt_rep{n}", "acme")) for n in range(50)
        ]
        latest_duplicate = deliver("evt_rep49", "acme")  # a provider's retry of the latest payment
        older_duplicate = deliver("evt_rep0", "acme")  # of a payment 49 payments back
        # Another event of the latest payment (a new event id, the same payment intent), as Stripe sends one per
        # object it tells of.
        second_event = counter.during(
            lambda: handler.lambda_handler(delivery("evt_again", "acme", intent_of="evt_rep49"), context)
        )
        solo = deliver("evt_solo", "solo")  # an account with one payment, for the time taken below

        # Another container: its first delivery, then a customer it has never seen (known to the table).
        other = load_handler("payment_webhook")
        other_first = counter.during(lambda: other.lambda_handler(delivery("evt_other", "c0"), context))
        unseen = counter.during(lambda: other.lambda_handler(delivery("evt_unseen", "c1"), context))

        # Ponte's handler with its DynamoDB client stubbed, made as its store makes it (`DynamoStore.client`), each
        # call answered as the emulator answered it for a delivery of the same kind: a returning customer's.
        store = handler._wiring().store
        assert isinstance(store, DynamoStore)
        recorder = Recorder(store.client)
        answers = {
            customer: recorder.during(
                partial(handler.lambda_handler, delivery(f"evt_rec_{customer}", customer), context)
            )
            for customer in ("solo", "acme")
        }
        items_read = {
            customer: sum(len(answer.get("Items", [])) for _, answer in recorded)
            for customer, recorded in answers.items()
        }
        stubbed = DynamoStore.client.new()
        table = stack.physical_id("Table")
        floor_client = boto3.client("dynamodb", region_name="us-east-1", config=Config(parameter_validation=False))
        floor = floor_handler(table, floor_client)
        # The same floor on a client made as Ponte's store makes its own (one User-Agent worked out once, the
        # endpoint kept per tables, the body written by `json.dumps`): what Ponte's own work costs beyond the client.
        own_client = DynamoStore.client.new()
        floor_own = floor_handler(table, own_client)
        store._client = stubbed
        with Stubber(stubbed) as stub, Stubber(floor_client) as floor_stub, Stubber(own_client) as own_stub:
            for _ in range(RUNS):
                floor_stub.add_response("transact_write_items", {}, {"TransactItems": ANY})
                own_stub.add_response("transact_write_items", {}, {"TransactItems": ANY})
                for customer in ("solo", "acme"):
                    replay(stub, answers[customer])
            floors, own_floors, ones, fifties = (
                signed(f"evt_{kind}", customer)
                for kind, customer in (("f", "acme"), ("w", "acme"), ("o", "solo"), ("t", "acme"))
            )
            warm = timed(
                RUNS,
                floor=lambda n: floor(floors[n], context),
                floor_own_client=lambda n: floor_own(own_floors[n], context),
                one_payment=lambda n: handler.lambda_handler(ones[n], context),
                fifty_payments=lambda n: handler.lambda_handler(fifties[n], context),
            )

        # The Powertools way, on the same emulator for its calls and writes, then with its clients stubbed.
        dynamodb, sns, sqs = stack.client("dynamodb"), stack.client("sns"), stack.client("sqs")
        dynamodb.create_table(
            TableName="idempotency",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        )
        topic = stack.physical_id("StaffAlertsTopic")
        baseline = baseline_handler(table, topic, "idempotency", dynamodb, sns)
        baseline_calls: list[list[str]] = []
        baseline_writes = [
            counter.units_during(
                partial(keep, baseline_calls, counter.during, partial(baseline, delivery(f"evt_b{n}", "acme"), context))
            )
            for n in range(50)
        ]
        baseline_duplicate = counter.during(partial(baseline, delivery("evt_b0", "acme"), context))
        # AWS's pattern, likewise, on a queue of its own.
        queue_url = sqs.create_queue(QueueName="webhook-inbox")["QueueUrl"]
        queued = queue_handler(queue_url, sqs)
        queue_calls = [counter.during(partial(queued, delivery(f"evt_q{n}", "acme"), context)) for n in range(50)]
        queue_duplicate = counter.during(partial(queued, delivery("evt_q0", "acme"), context))

        stub_db, stub_sns, stub_sqs = (
            boto3.client(name, region_name="us-east-1") for name in ("dynamodb", "sns", "sqs")
        )
        timed_baseline = baseline_handler("t", topic, "idempotency", stub_db, stub_sns)
        timed_queue = queue_handler(queue_url, stub_sqs)
        with Stubber(stub_db) as db, Stubber(stub_sns) as notify, Stubber(stub_sqs) as queue:
            for _ in range(RUNS):
                db.add_response("put_item", {})  # the idempotency record, in progress
                db.add_response("put_item", {})  # the payment
                db.add_response("update_item", {})  # the idempotency record, completed
                notify.add_response("publish", {"MessageId": "m"})
                queue.add_response("send_message", {"MessageId": "m", "MD5OfMessageBody": "0" * 32})
            baselines, queued_deliveries = signed("evt_s", "acme"), signed("evt_qs", "acme")
            theirs = timed(
                RUNS,
                baseline=lambda n: timed_baseline(baselines[n], context),
                queue=lambda n: timed_queue(queued_deliveries[n], context),
            )

    floor_median = statistics.median(warm["floor"])
    print("\nWebhook hot path (payment_intent.succeeded), AWS calls counted with botocore's before-call event:")
    print(f"  Ponte, first delivery in a new container: {len(cold)} calls {Counter(cold)}")
    print(f"  Ponte, new customer:                      {per_call(new_customers)}")
    print(f"  Ponte, returning customer:                {per_call(repeat)}")
    print(f"  Ponte, customer unseen by this container: {len(unseen)} calls {Counter(unseen)}")
    print(f"  Ponte, duplicate of the latest payment:   {len(latest_duplicate)} calls {Counter(latest_duplicate)}")
    print(f"  Ponte, duplicate of one 49 payments back: {len(older_duplicate)} calls {Counter(older_duplicate)}")
    print(f"  Ponte, another event of the latest payment: {len(second_event)} calls {Counter(second_event)}")
    print(f"  (another container's first delivery:      {len(other_first)} calls {Counter(other_first)})")
    print(f"  @idempotent + put_item + SNS publish:     {per_call(baseline_calls)}")
    print(f"  @idempotent, duplicate delivery:          {len(baseline_duplicate)} calls {Counter(baseline_duplicate)}")
    print(f"  verify + SQS SendMessage (AWS's pattern): {per_call(queue_calls)}")
    print(f"  AWS's pattern, duplicate delivery:        {len(queue_duplicate)} calls {Counter(queue_duplicate)}")
    print(f"Write capacity per payment, of {len(repeat)} (DynamoDB's pricing of the items written):")
    print(f"  Ponte, returning customer:                {spread(returning_writes)}")
    print(f"    the last one's writes: {', '.join(f'{what} {units}' for what, units in returning_writes[-1][0])}")
    print(f"  @idempotent + put_item + SNS publish:     {spread(baseline_writes)} (the update priced at its key)")
    print("  the floor (one conditional write):        2 WCU (one item in a transaction)")
    print("  AWS's pattern:                            0 WCU at the edge; the consumer writes later (a floor's worth")
    print("                                            at least) and pays for SQS ($0.40 a million requests)")
    print(
        f"Warm handler time with AWS stubbed, {RUNS} deliveries each, taking turns (ms): median / p99; Ponte's reads "
        f"answered as the emulator answered them ({items_read['solo']} and {items_read['acme']} items read)"
    )
    print(f"  floor (verify + one conditional write):   {figures(warm['floor'])}")
    for name, label in (("one_payment", "1 payment"), ("fifty_payments", "51 payments")):
        ratio = statistics.median(warm[name]) / floor_median
        print(f"  Ponte, account with {label + ':':<21}{figures(warm[name])}  ({ratio:.2f}x the floor)")
    own_floor = statistics.median(warm["floor_own_client"])
    print(
        f"  floor on a client made as Ponte's store's: {figures(warm['floor_own_client'])}  "
        f"({own_floor / floor_median:.2f}x the floor; Ponte with 1 payment "
        f"{statistics.median(warm['one_payment']) / own_floor:.2f}x this one)"
    )
    flat = statistics.median(warm["fifty_payments"]) / statistics.median(warm["one_payment"])
    print(f"  Ponte, the larger ledger's median over the smaller's: {flat:.2f}")
    for name, label in (("baseline", "@idempotent + put_item + SNS publish"), ("queue", "verify + SQS SendMessage")):
        ratio = statistics.median(theirs[name]) / floor_median
        print(f"  {label + ':':<41}{figures(theirs[name])}  ({ratio:.2f}x the floor)")

    writes = {c for r in repeat for c in r if not c.endswith(("Query", "GetItem", "BatchGetItem"))}
    assert writes == {"dynamodb.TransactWriteItems"}, (
        "the hot path writes once, in one transaction, and publishes nothing"
    )
    # What the design promises once a container is warm: one read, one transaction, whatever the ledger's size.
    one_read_one_write = ["dynamodb.Query", "dynamodb.TransactWriteItems"]
    for calls in (*new_customers, *repeat, unseen):
        assert calls == one_read_one_write, calls
    assert items_read == {"solo": 2, "acme": 2}, "a returning customer's payment reads the account and one item"
    assert latest_duplicate == ["dynamodb.Query"], "a retried delivery of a recent payment is told from the read"
    assert len(older_duplicate) <= 2, "an older one is refused by its payment's condition, and writes nothing"
    assert len(second_event) <= 2, "another event of a payment reads the ledger once and writes once"
    assert all(sum(units for _, units in writes[0]) <= 6 for writes in returning_writes), (
        "a returning customer's payment writes three items under 1 KB"
    )
    assert solo, "the one-payment account was recorded"
