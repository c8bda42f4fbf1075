"""What Ponte costs a month at AWS list prices, for 1,000, 10,000 and 100,000 customers, computed from one billing
cycle played through the real functions on the local stack.

The cycle, for a sample of customers already known (opened by an opening book, before the measurement starts): the
back office uploads each customer's invoice; most pay before the due date, some after the overdue notices, some
only after their account was suspended; each payment arrives as a Stripe webhook, with one more delivery that
changes nothing (Stripe sends several events per payment); the daily sweep and its worker send the ladder's
notices by e-mail (SES) and, to customers with a mobile number, by SMS (SNS to Brazil); SES reports each e-mail's
`send` and `delivery`. In a steady month every customer goes through one such cycle, so what the cycle measures per
customer is what a month costs per customer.

Measured, in the same run, with botocore's event hooks on boto3's default session (every adapter's client is made
from it) and a wrapper around the stack's invocations: per function, the invocations, the time spent in Ponte's own
code and the AWS calls; DynamoDB's request units from the items each call wrote or read, sized as DynamoDB sizes
them; SMS segments, e-mails, publishes, events and schedules fired; the bytes the functions logged; the table's size
per customer. Assumed, and printed as such: what the emulator cannot tell (the latency of a real AWS call, the CPU
share of a Lambda function, cold starts, the shares of late payers and of customers with a mobile number, the
monthly volume billed per customer) and the prices no published page gave.

Prints the table; never fails on time. Run with `make bench`, or alone:
`PYTHONPATH=layers/ponte:. .venv/bin/python -m pytest tests/bench/test_cost.py -q -s -p no:cacheprovider`.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import boto3

from infra.local import LocalStack
from infra.local.signing import stripe_headers
from tests.integration.conftest import BUSINESS, SUBSCRIBERS

# ---------------------------------------------------------------------------------------------------------- prices
# List prices, us-east-1, USD, as published on 30 November 2026: `source` names the AWS pricing page and, for a price
# found, the page it was read on. `looked_up=False`: not found there; the value is the one AWS's page is known to
# state, or a placeholder (SMS to Brazil), and the printout says so.


@dataclass(frozen=True)
class Price:
    usd: float
    per: str
    source: str
    looked_up: bool = True


SMS_BRAZIL = Price(
    0.02,
    "SMS segment to Brazil",
    "aws.amazon.com/end-user-messaging/pricing (its Brazil row could not be read: assumed)",
    looked_up=False,
)
SES_EMAIL = Price(
    0.10 / 1000,
    "e-mail",
    "aws.amazon.com/ses/pricing; read on acecloudinterviews.com/tutorials/aws/ses (US$ 0.10/1,000)",
)
DYNAMODB_WRU = Price(
    0.625 / 1e6,
    "write request unit",
    "aws.amazon.com/dynamodb/pricing/on-demand; read on airbyte.com/data-engineering-resources/dynamodb-pricing",
)
DYNAMODB_RRU = Price(
    0.125 / 1e6,
    "read request unit",
    "aws.amazon.com/dynamodb/pricing/on-demand; read on airbyte.com/data-engineering-resources/dynamodb-pricing",
)
DYNAMODB_STORAGE = Price(0.25, "GB-month stored", "aws.amazon.com/dynamodb/pricing/on-demand", looked_up=False)
DYNAMODB_PITR = Price(
    0.20, "GB-month of continuous backup", "aws.amazon.com/dynamodb/pricing/on-demand", looked_up=False
)
LAMBDA_GB_SECOND_ARM = Price(
    0.0000133334, "GB-second, arm64", "aws.amazon.com/lambda/pricing; read on cloudchipr.com/blog/aws-lambda-pricing"
)
LAMBDA_REQUEST = Price(
    0.20 / 1e6, "Lambda request", "aws.amazon.com/lambda/pricing; read on cloudchipr.com/blog/aws-lambda-pricing"
)
HTTP_API_REQUEST = Price(
    1.00 / 1e6,
    "HTTP API request",
    "aws.amazon.com/api-gateway/pricing; read on appropri8-astro.pages.dev (deploying-simple-api-aws, pricing)",
)
SNS_PUBLISH = Price(
    0.50 / 1e6, "SNS publish", "aws.amazon.com/sns/pricing; read on factualminds.com (amazon-sns-pricing)"
)
SNS_EMAIL = Price(2.00 / 100_000, "SNS e-mail notification", "aws.amazon.com/sns/pricing; read on factualminds.com")
SQS_REQUEST = Price(
    0.40 / 1e6, "SQS request", "aws.amazon.com/sqs/pricing; read on cloudburn.io/blog/amazon-sqs-pricing (standard)"
)
EVENTBRIDGE_EVENT = Price(
    1.00 / 1e6, "custom event or Scheduler invocation", "aws.amazon.com/eventbridge/pricing", looked_up=False
)
KMS_KEY = Price(1.00, "key-month", "aws.amazon.com/kms/pricing")
KMS_REQUEST = Price(
    0.03 / 10_000, "KMS request", "aws.amazon.com/kms/pricing; read on wring.co (aws-kms-pricing-guide)"
)
XRAY_TRACE = Price(5.00 / 1e6, "trace recorded", "aws.amazon.com/xray/pricing (de)")
LOGS_INGESTED = Price(
    0.50, "GB of logs ingested", "aws.amazon.com/cloudwatch/pricing; read on factualminds.com (cloudwatch-pricing)"
)
METRIC_MONTH = Price(
    0.30, "custom metric-month", "aws.amazon.com/cloudwatch/pricing; read on signoz.io/guides/cloudwatch-pricing"
)
ALARM_MONTH = Price(0.10, "alarm-month", "aws.amazon.com/cloudwatch/pricing", looked_up=False)
SECRET_MONTH = Price(0.40, "secret-month", "aws.amazon.com/secrets-manager/pricing", looked_up=False)
SECRET_CALL = Price(0.05 / 10_000, "Secrets Manager call", "aws.amazon.com/secrets-manager/pricing", looked_up=False)
S3_WRITE = Price(0.005 / 1000, "S3 PUT, COPY, POST or LIST", "aws.amazon.com/s3/pricing", looked_up=False)
S3_READ = Price(0.0004 / 1000, "S3 GET or HEAD", "aws.amazon.com/s3/pricing", looked_up=False)
FREE_TIERS = Price(
    0.0,
    "staff user or console request",
    "aws.amazon.com/cognito/pricing (10,000 MAU free), aws.amazon.com/cloudfront/pricing (1 TB, 10 million free)",
    looked_up=False,
)
# support.stripe.com/questions/july-2024-changes-to-stripe-billing: "0.7% on Billing volume" (pay as you go).
STRIPE_BILLING_SHARE = 0.007

# sa-east-1 (São Paulo): its rates could not be read. Assumed: 1.5 times us-east-1's for what AWS prices
# by region; SMS (priced by destination country), SES and the free tiers as in us-east-1.
SA_EAST_1_UPLIFT = 1.5
BY_DESTINATION = frozenset({"SMS to customers", "SMS to staff", "SES e-mail", "Cognito, CloudFront"})

# ----------------------------------------------------------------------------------------------------- assumptions
SAMPLE = 20  # customers played through the cycle
ON_TIME, LATE, SUSPENDED = 12, 5, 3  # of SAMPLE: pay before the due date, after the overdue notices, after suspension
WITH_MOBILE = 0.5  # share of customers with a mobile number (every other sample customer)
MONTHLY_VOLUME_PER_CUSTOMER_USD = 40.0  # what the business bills a customer a month (about R$ 220)
EXTRA_DELIVERIES_PER_PAYMENT = 1  # Stripe events per payment beyond the one that records it, acknowledged unchanged
AWS_CALL_MS = {"dynamodb": 8.0, "sesv2": 40.0, "sns": 30.0, "s3": 20.0, "events": 20.0}  # a real call's latency
OTHER_CALL_MS = 15.0
LAMBDA_FULL_VCPU_MB = 1769  # Lambda gives a function a whole vCPU at 1,769 MB, a share in proportion below it
COLD_START_SHARE, COLD_START_MS = 0.02, 800.0  # invocations that start a container, and its billed INIT phase
LOG_PLATFORM_BYTES = 350  # Lambda's START, END and REPORT lines per invocation
STORED_MONTHS = 12  # history a customer's partition holds (invoices, payments, timeline)
POLLED_QUEUES, EMPTY_RECEIVES_PER_QUEUE = 2, 650_000  # Lambda's long polling of the queues it reads, per month
SCHEDULED = frozenset({"DunningSweep", "CollectionsDigest"})  # invoked by the clock: a count per day, not per customer
DAYS_PER_MONTH = 30.4

ZONE = ZoneInfo("America/Sao_Paulo")
START = datetime(2026, 11, 2, 9, 0, tzinfo=ZONE)  # a Monday
DUE = date(2026, 11, 25)
STRIPE_SECRET = "whsec_cost_bench"  # the emulator's, nothing real


# ------------------------------------------------------------------------------------------------------- measuring
@dataclass
class Usage:
    invocations: int = 0
    seconds: float = 0.0
    aws_seconds: float = 0.0
    calls: Counter[str] = field(default_factory=Counter)
    wru: float = 0.0
    rru: float = 0.0
    log_bytes: int = 0


OUTSIDE = "(the bench)"


class Meter:
    """Per function: invocations, time, AWS calls and DynamoDB request units; SMS segments and what SES sent."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.on = False
        self.usage: dict[str, Usage] = defaultdict(Usage)
        self.sms_segments = 0
        self.sms_messages = 0
        self._running: list[str] = []
        self._local = threading.local()
        boto3.setup_default_session()
        session = boto3.DEFAULT_SESSION
        assert session is not None
        session.events.register("before-parameter-build", self._parameters)
        session.events.register("before-call", self._before)
        session.events.register("after-call", self._after)
        invoke = stack._invoke

        def measured(spec: Any, event: Any) -> Any:
            self._running.append(spec.logical_id)
            logged, started = stack.function_logs.tell(), time.perf_counter()
            try:
                return invoke(spec, event)
            finally:
                self._running.pop()
                if self.on:
                    usage = self.usage[spec.logical_id]
                    usage.invocations += 1
                    usage.seconds += time.perf_counter() - started
                    usage.log_bytes += len(stack.function_logs.getvalue()[logged:].encode())

        stack._invoke = measured  # type: ignore[method-assign]

    def _whose(self) -> Usage:
        return self.usage[self._running[-1] if self._running else OUTSIDE]

    def _parameters(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self._local.params = params
        if not self.on:
            return
        service = model.service_model.service_name
        if service == "dynamodb":
            self._whose().wru += write_units(model.name, params)
        elif service == "sns" and model.name == "Publish" and "PhoneNumber" in params:
            self.sms_messages += 1
            self.sms_segments += sms_segments(str(params.get("Message", "")))

    def _before(self, model: Any, **_: Any) -> None:
        self._local.started = time.perf_counter()
        if self.on:
            self._whose().calls[f"{model.service_model.service_name}:{model.name}"] += 1

    def _after(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        if not self.on:
            return
        usage = self._whose()
        usage.aws_seconds += time.perf_counter() - getattr(self._local, "started", time.perf_counter())
        if model.service_model.service_name == "dynamodb":
            usage.rru += read_units(model.name, getattr(self._local, "params", {}), parsed)

    @contextmanager
    def measuring(self) -> Iterator[None]:
        self.on = True
        try:
            yield
        finally:
            self.on = False


def attribute_size(value: dict[str, Any]) -> int:  # noqa: PLR0911 - one answer per type
    """An attribute value's size as DynamoDB counts it (Developer Guide, "Item sizes and formats")."""
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(str(inner).encode())
    if kind == "N":
        digits = str(inner).lstrip("-").replace(".", "").lstrip("0") or "0"
        return 1 + math.ceil(len(digits) / 2)
    if kind == "B":
        return len(inner)
    if kind in {"BOOL", "NULL"}:
        return 1
    if kind in {"SS", "NS", "BS"}:
        return sum(attribute_size({kind[0]: member}) for member in inner)
    if kind == "M":
        return 3 + sum(len(name.encode()) + attribute_size(member) + 1 for name, member in inner.items())
    return 3 + sum(attribute_size(member) + 1 for member in inner)  # L


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + attribute_size(value) for name, value in item.items())


# The table's indexes: an item that carries an index's key attributes is written to it too (one more unit each:
# `due` projects the keys only, `search` a few short attributes).
INDEX_KEYS = (("due_pk", "due_at"), ("search_pk", "search_sk"))


def _put_units(item: dict[str, Any], factor: int) -> float:
    units = factor * math.ceil(max(item_size(item), 1) / 1024)
    return units + sum(1 for keys in INDEX_KEYS if all(key in item for key in keys))


def write_units(operation: str, params: dict[str, Any]) -> float:
    """Write request units: 1 per KB of each item written, twice that in a transaction. An update or a delete is
    counted as one unit (and its transaction's two): the item's size before it is not known here."""
    if operation == "PutItem":
        return _put_units(params["Item"], 1)
    if operation in {"UpdateItem", "DeleteItem"}:
        return 1.0
    if operation == "BatchWriteItem":
        requests = [r for table in params["RequestItems"].values() for r in table]
        return sum(_put_units(r["PutRequest"]["Item"], 1) if "PutRequest" in r else 1.0 for r in requests)
    if operation == "TransactWriteItems":
        return sum(_put_units(entry["Put"]["Item"], 2) if "Put" in entry else 2.0 for entry in params["TransactItems"])
    return 0.0


def _read(size: int, consistent: bool) -> float:
    return math.ceil(max(size, 1) / 4096) * (1.0 if consistent else 0.5)


def read_units(operation: str, params: dict[str, Any], parsed: dict[str, Any]) -> float:
    """Read request units: 1 per 4 KB read strongly consistent, half eventually consistent, twice in a transaction;
    a query by the size of all it read (what a filter dropped included), a key found missing as one read."""
    consistent = bool(params.get("ConsistentRead"))
    if operation == "GetItem":
        return _read(item_size(parsed.get("Item", {})), consistent)
    if operation == "BatchGetItem":
        found = [item for items in parsed.get("Responses", {}).values() for item in items]
        asked = sum(len(table["Keys"]) for table in params.get("RequestItems", {}).values())
        consistent = any(table.get("ConsistentRead") for table in params.get("RequestItems", {}).values())
        return sum(_read(item_size(item), consistent) for item in found) + (asked - len(found)) * _read(0, consistent)
    if operation in {"Query", "Scan"}:
        items = parsed.get("Items", [])
        size = sum(item_size(item) for item in items)
        if items and parsed.get("ScannedCount", len(items)) > len(items):
            size = size * parsed["ScannedCount"] // len(items)
        return _read(size, consistent)
    if operation == "TransactGetItems":
        return sum(2 * _read(item_size(r.get("Item", {})), True) for r in parsed.get("Responses", []))
    return 0.0


GSM_7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)


def sms_segments(text: str) -> int:
    """The parts an SMS is sent (and billed) in: 160 GSM-7 characters, else 70 UCS-2; 153 and 67 when split."""
    if all(c in GSM_7 for c in text):
        return 1 if len(text) <= 160 else math.ceil(len(text) / 153)
    return 1 if len(text) <= 70 else math.ceil(len(text) / 67)


# -------------------------------------------------------------------------------------------------------- the cycle
HEADER = "Número;Código do cliente;Cliente;CNPJ/CPF;E-mail;Celular;Valor;Vencimento;Emissão"


def _customer(n: int) -> str:
    return f"cli-{n:04d}"


def _rows(number: Callable[[int], str], due: date) -> bytes:
    lines = [HEADER]
    for n in range(SAMPLE):
        mobile = f"+55 11 98765-{n:04d}" if n % round(1 / WITH_MOBILE) == 0 else ""
        lines.append(
            f"{number(n)};{_customer(n)};Cliente {n};{10_000_000_000_000 + n:014d};financeiro{n}@cliente.example;"
            f"{mobile};220,00;{due:%d/%m/%Y};02/11/2026"
        )
    return ("\n".join(lines) + "\n").encode()


def _pay(stack: LocalStack, n: int, *, extra: int) -> None:
    """Customer n pays its cycle's invoice: the event that records it, then `extra` deliveries that change nothing
    (the same event sent again stands for the other events Stripe sends about one payment)."""
    intent = {
        "id": f"pi_cycle_{n}",
        "object": "payment_intent",
        "amount": 22_000,
        "amount_received": 22_000,
        "currency": "brl",
        "customer": f"cus_{n}",
        "metadata": {"account_id": _customer(n), "invoice_number": f"C-{n}"},
        "payment_method_types": ["card"],
        "created": int(stack.now.timestamp()),
        "status": "succeeded",
    }
    event = {
        "id": f"evt_cycle_{n}",
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": int(stack.now.timestamp()),
        "data": {"object": intent},
    }
    body = json.dumps(event).encode()
    for _ in range(1 + extra):
        headers = stripe_headers(body, STRIPE_SECRET, stack.now)
        status, _, answer = stack.http("POST", "/webhooks/stripe", headers=headers, body=body)
        assert status == 200, answer


def _until(stack: LocalStack, day: date, hour: int = 10, fired: Counter[str] | None = None) -> None:
    """Move the clock to `day` at `hour`, every schedule due on the way firing; count them in `fired`."""
    for _, name in stack.advance_to(datetime(day.year, day.month, day.day, hour, tzinfo=ZONE)):
        if fired is not None:
            fired[name] += 1


@dataclass
class Cycle:
    meter: Meter
    days: float
    scheduled: Counter[str]
    emails: int
    staff: Counter[str]
    platform_events: int
    stored_bytes_per_customer: float
    series: int
    secrets: int
    alarms: int
    keys: int


def play_cycle() -> Cycle:
    with LocalStack(
        now=START, parameters=SUBSCRIBERS, documents=BUSINESS, webhook_secrets={"stripe": STRIPE_SECRET}
    ) as stack:
        meter = Meter(stack)
        # Known customers: the opening book opens their accounts (with an invoice due long after the cycle).
        stack.put_object("incoming/opening/carteira.csv", _rows(lambda n: f"A-{n}", date(2027, 6, 1)))
        _until(stack, date(2026, 11, 3), 7)
        emails_before = len(stack._deliveries.emails)
        staff_before = _staff_deliveries(stack)
        events_before = len(stack.platform_events())
        scheduled: Counter[str] = Counter()
        started = stack.now
        with meter.measuring():
            stack.put_object("incoming/2026-11.csv", _rows(lambda n: f"C-{n}", DUE))
            _until(stack, date(2026, 11, 23), fired=scheduled)
            for n in range(ON_TIME):
                _pay(stack, n, extra=EXTRA_DELIVERIES_PER_PAYMENT)
            _until(stack, date(2026, 12, 3), fired=scheduled)
            for n in range(ON_TIME, ON_TIME + LATE):
                _pay(stack, n, extra=EXTRA_DELIVERIES_PER_PAYMENT)
            _until(stack, date(2026, 12, 18), fired=scheduled)
            for n in range(ON_TIME + LATE, SAMPLE):
                _pay(stack, n, extra=EXTRA_DELIVERIES_PER_PAYMENT)
            _until(stack, date(2026, 12, 21), fired=scheduled)
            sent = stack._deliveries.emails[emails_before:]
            for email in sent:
                for kind in ("send", "delivery"):
                    stack.ses_event(kind, email.message_id, email.recipients[0])
        days = (stack.now - started).total_seconds() / 86_400
        staff = _staff_deliveries(stack) - staff_before
        platform_events = len(stack.platform_events()) - events_before
        stored = _stored_bytes(stack)
        series = _metric_series(stack.function_logs.getvalue())
        template = stack.template_path.read_text()
        assert not stack.failures, stack.failures
        suspended = [
            e
            for e in stack.inbox("StaffAlertsTopic").get(f"email:{SUBSCRIBERS['StaffAlertEmail']}", [])
            if e.attributes.get("event_type") == "account.suspended"
        ]
        assert len(suspended) == SUSPENDED, "the cycle's last payers were suspended before they paid"
    return Cycle(
        meter=meter,
        days=days,
        scheduled=scheduled,
        emails=len(sent),
        staff=staff,
        platform_events=platform_events,
        stored_bytes_per_customer=stored / SAMPLE,
        series=series,
        secrets=template.count("Type: AWS::SecretsManager::Secret"),
        alarms=template.count("Type: AWS::CloudWatch::Alarm"),
        keys=template.count("Type: AWS::KMS::Key"),
    )


def _staff_deliveries(stack: LocalStack) -> Counter[str]:
    """What the staff subscriptions received, by protocol (e-mail, SMS)."""
    return Counter(d.protocol for box in stack.inbox("StaffAlertsTopic").values() for d in box)


LASTING = frozenset({"account", "invoice", "payment", "notice", "timeline", "reference", "cancellation", "delivery"})


def _stored_bytes(stack: LocalStack) -> int:
    """The items that stay (outbox items and markers expire), as DynamoDB sizes them."""
    paginator = stack.client("dynamodb").get_paginator("scan")
    pages = paginator.paginate(TableName=stack.physical_id("Table"))
    return sum(item_size(item) for page in pages for item in page["Items"] if item.get("kind", {}).get("S") in LASTING)


def _metric_series(logs: str) -> int:
    """The custom metric series Powertools published (embedded metric format lines in the functions' logs)."""
    series = set()
    for line in logs.splitlines():
        if not line.startswith("{") or '"_aws"' not in line:
            continue
        record = json.loads(line)
        for directive in record["_aws"].get("CloudWatchMetrics", []):
            for dimensions in directive.get("Dimensions", [[]]):
                values = tuple(str(record.get(name)) for name in dimensions)
                for metric in directive.get("Metrics", []):
                    series.add((directive.get("Namespace"), metric["Name"], values))
    return len(series)


# ---------------------------------------------------------------------------------------------------------- the bill
@dataclass(frozen=True)
class Line:
    name: str
    quantity: Callable[[int], float]  # per month, for a number of customers
    price: Price
    driver: str


def lines(cycle: Cycle) -> list[Line]:
    usage = cycle.meter.usage
    functions = {name: u for name, u in usage.items() if name != OUTSIDE}
    per_day = DAYS_PER_MONTH / cycle.days

    def per_customer(value: float) -> Callable[[int], float]:
        return lambda customers: value / SAMPLE * customers

    def invocations(customers: int) -> float:
        return sum(
            u.invocations * per_day if name in SCHEDULED else u.invocations / SAMPLE * customers
            for name, u in functions.items()
        )

    specs = cycle.meter.stack.functions
    gb_seconds = 0.0
    for name, u in functions.items():
        memory_gb = specs[name].memory_mb / 1024
        own = max(u.seconds - u.aws_seconds, 0.0) * LAMBDA_FULL_VCPU_MB / specs[name].memory_mb
        waiting = sum(n * AWS_CALL_MS.get(call.split(":")[0], OTHER_CALL_MS) / 1000 for call, n in u.calls.items())
        cold = u.invocations * COLD_START_SHARE * COLD_START_MS / 1000
        gb_seconds += (own + waiting + cold) * memory_gb
    calls: Counter[str] = Counter()
    for u in functions.values():
        calls.update(u.calls)
    wru = sum(u.wru for u in functions.values())
    rru = sum(u.rru for u in functions.values())
    log_bytes = sum(u.log_bytes + u.invocations * LOG_PLATFORM_BYTES for u in functions.values())
    invoked = sum(u.invocations for u in functions.values())
    sms = cycle.meter.sms_segments
    webhooks = functions["PaymentWebhook"].invocations if "PaymentWebhook" in functions else 0
    sns_requests = calls["sns:Publish"] + calls["sns:PublishBatch"]
    encrypted = sns_requests - cycle.meter.sms_messages  # to the KMS-encrypted topics; an SMS goes to a phone
    sqs = sum(n for call, n in calls.items() if call.startswith("sqs:"))
    s3_writes = sum(n for call, n in calls.items() if call in {"s3:PutObject", "s3:CopyObject", "s3:ListObjectsV2"})
    s3_reads = sum(n for call, n in calls.items() if call in {"s3:GetObject", "s3:HeadObject"})
    secrets = calls["secretsmanager:GetSecretValue"]

    def stored_gb(customers: int) -> float:
        return cycle.stored_bytes_per_customer * STORED_MONTHS * customers / 1e9

    fired = sum(cycle.scheduled.values())
    return [
        Line("SMS to customers", per_customer(sms), SMS_BRAZIL, f"{sms / SAMPLE:.2f} segments per customer"),
        Line(
            "SMS to staff",
            per_customer(cycle.staff["sms"]),
            SMS_BRAZIL,
            f"{cycle.staff['sms'] / SAMPLE:.2f} alerts per customer to the staff phone (`StaffAlertPhone`)",
        ),
        Line("SES e-mail", per_customer(cycle.emails), SES_EMAIL, f"{cycle.emails / SAMPLE:.2f} e-mails per customer"),
        Line(
            "SNS topics and staff e-mail",
            lambda c: (encrypted / SAMPLE * c) * SNS_PUBLISH.usd / SNS_EMAIL.usd + cycle.staff["email"] / SAMPLE * c,
            SNS_EMAIL,
            f"{encrypted / SAMPLE:.2f} publishes, {cycle.staff['email'] / SAMPLE:.2f} staff e-mails per customer",
        ),
        Line(
            "Lambda requests",
            invocations,
            LAMBDA_REQUEST,
            f"{invoked / SAMPLE:.1f} invocations per customer; sweep and digest {fired / cycle.days:.1f} a day",
        ),
        Line(
            "Lambda duration",
            per_customer(gb_seconds),
            LAMBDA_GB_SECOND_ARM,
            f"{gb_seconds / SAMPLE:.2f} GB-s per customer (own code scaled to the CPU share, calls, cold starts)",
        ),
        Line("DynamoDB writes", per_customer(wru), DYNAMODB_WRU, f"{wru / SAMPLE:.0f} write units per customer"),
        Line("DynamoDB reads", per_customer(rru), DYNAMODB_RRU, f"{rru / SAMPLE:.0f} read units per customer"),
        Line(
            "DynamoDB storage and PITR",
            lambda c: stored_gb(c) * (DYNAMODB_STORAGE.usd + DYNAMODB_PITR.usd) / DYNAMODB_STORAGE.usd,
            DYNAMODB_STORAGE,
            f"{cycle.stored_bytes_per_customer * STORED_MONTHS / 1000:.0f} KB per customer after "
            f"{STORED_MONTHS} months",
        ),
        Line("HTTP API", per_customer(webhooks), HTTP_API_REQUEST, f"{webhooks / SAMPLE:.1f} webhook deliveries each"),
        Line(
            "X-Ray traces",
            invocations,
            XRAY_TRACE,
            "every invocation traced (the default rule keeps the first each second, then 5 %)",
        ),
        Line(
            "CloudWatch Logs",
            lambda c: log_bytes / invoked * invocations(c) / 1e9,
            LOGS_INGESTED,
            f"{log_bytes / invoked / 1000:.1f} KB per invocation (measured, INFO level, metrics included)",
        ),
        Line(
            "CloudWatch metrics and alarms",
            lambda c: cycle.series + cycle.alarms * ALARM_MONTH.usd / METRIC_MONTH.usd,
            METRIC_MONTH,
            f"{cycle.series} metric series published, {cycle.alarms} alarms",
        ),
        Line(
            "KMS key and requests",
            lambda c: cycle.keys + encrypted / SAMPLE * c * KMS_REQUEST.usd / KMS_KEY.usd,
            KMS_KEY,
            "one request per encrypted publish (upper bound)",
        ),
        Line(
            "Secrets Manager",
            lambda c: cycle.secrets + secrets / SAMPLE * c * SECRET_CALL.usd / SECRET_MONTH.usd,
            SECRET_MONTH,
            f"{cycle.secrets} secrets",
        ),
        Line(
            "SQS",
            lambda c: sqs / SAMPLE * c + POLLED_QUEUES * EMPTY_RECEIVES_PER_QUEUE,
            SQS_REQUEST,
            f"{sqs / SAMPLE:.1f} requests per customer, and Lambda polling {POLLED_QUEUES} queues",
        ),
        Line(
            "EventBridge and Scheduler",
            lambda c: cycle.platform_events / SAMPLE * c + fired * per_day,
            EVENTBRIDGE_EVENT,
            f"{cycle.platform_events / SAMPLE:.2f} platform events per customer, {fired * per_day:.0f} schedules "
            "(Scheduler: 14 million free)",
        ),
        Line(
            "S3",
            lambda c: (s3_writes * S3_WRITE.usd + s3_reads * S3_READ.usd) / SAMPLE * c / S3_WRITE.usd,
            S3_WRITE,
            f"{(s3_writes + s3_reads) / SAMPLE:.1f} requests per customer (uploads, reports)",
        ),
        Line("Cognito, CloudFront", lambda c: 0.0, FREE_TIERS, "staff and the console far below the free tiers"),
    ]


CUSTOMERS = (1_000, 10_000, 100_000)


def _money(value: float) -> str:
    return f"{value:,.2f}"


def test_what_a_month_costs() -> None:
    cycle = play_cycle()
    bill = lines(cycle)
    usage = {name: u for name, u in cycle.meter.usage.items() if name != OUTSIDE}
    print(f"\nOne billing cycle of {SAMPLE} customers on the local stack, {cycle.days:.0f} days of clock, measured:")
    print(f"  {'function':<18} {'invocations':>11} {'ms each':>8} {'in AWS calls':>12}  calls")
    for name, u in sorted(usage.items()):
        own = (u.seconds - u.aws_seconds) / max(u.invocations, 1) * 1000
        inside = u.aws_seconds / max(u.invocations, 1) * 1000
        print(f"  {name:<18} {u.invocations:>11} {own:8.1f} {inside:10.1f}ms  {dict(u.calls)}")
    print(f"  schedules fired: {dict(cycle.scheduled)}")
    print("\nMonthly cost at list prices, USD, before free tiers (us-east-1; sa-east-1 total assumed, see below)")
    header = "".join(f"{c:>12,}" for c in CUSTOMERS)
    print(f"  {'line':<30}{header} {'share':>6}  driver")
    costs = {line.name: {c: line.quantity(c) * line.price.usd for c in CUSTOMERS} for line in bill}
    totals = {c: sum(cost[c] for cost in costs.values()) for c in CUSTOMERS}
    regional = {
        c: sum(cost[c] * (1.0 if name in BY_DESTINATION else SA_EAST_1_UPLIFT) for name, cost in costs.items())
        for c in CUSTOMERS
    }
    sms_total = {c: sum(cost[c] for name, cost in costs.items() if name.startswith("SMS")) for c in CUSTOMERS}
    largest = CUSTOMERS[-1]
    for line in bill:
        cost = costs[line.name]
        print(
            f"  {line.name:<30}"
            + "".join(f"{_money(cost[c]):>12}" for c in CUSTOMERS)
            + f" {cost[largest] / totals[largest]:6.1%}  {line.driver}"
        )
    print(f"  {'total, us-east-1':<30}" + "".join(f"{_money(totals[c]):>12}" for c in CUSTOMERS))
    print(f"  {'total without SMS':<30}" + "".join(f"{_money(totals[c] - sms_total[c]):>12}" for c in CUSTOMERS))
    print(f"  {'total, sa-east-1 (assumed)':<30}" + "".join(f"{_money(regional[c]):>12}" for c in CUSTOMERS))
    stripe = {c: STRIPE_BILLING_SHARE * MONTHLY_VOLUME_PER_CUSTOMER_USD * c for c in CUSTOMERS}
    print(f"  {'Stripe Billing, 0.7 % of volume':<30}" + "".join(f"{_money(stripe[c]):>12}" for c in CUSTOMERS))
    share = {c: totals[c] / (MONTHLY_VOLUME_PER_CUSTOMER_USD * c) * 100 for c in CUSTOMERS}
    print(f"  {'Ponte, % of volume':<30}" + "".join(f"{share[c]:>11.2f}%" for c in CUSTOMERS))
    print(
        f"  (volume: US$ {MONTHLY_VOLUME_PER_CUSTOMER_USD:.0f} billed per customer a month; SMS is "
        f"{sms_total[CUSTOMERS[-1]] / totals[CUSTOMERS[-1]]:.0%} of the total at {CUSTOMERS[-1]:,} customers)"
    )
    print("\nAssumptions (not measurable on the emulator):")
    for text in (
        f"{ON_TIME}/{LATE}/{SUSPENDED} of {SAMPLE} customers pay on time / after the overdue notices / after "
        "suspension",
        f"{WITH_MOBILE:.0%} of customers have a mobile number; every customer has an e-mail address",
        f"{1 + EXTRA_DELIVERIES_PER_PAYMENT} webhook deliveries per payment (the extra ones change nothing)",
        "a real AWS call waits "
        + ", ".join(f"{ms:.0f} ms ({name})" for name, ms in AWS_CALL_MS.items())
        + f", {OTHER_CALL_MS:.0f} ms otherwise; own code takes {LAMBDA_FULL_VCPU_MB} MB / memory times its time "
        "here (a function's share of a vCPU)",
        f"{COLD_START_SHARE:.0%} of invocations are cold starts with {COLD_START_MS:.0f} ms of billed INIT",
        f"{LOG_PLATFORM_BYTES} bytes of Lambda platform log lines per invocation; {STORED_MONTHS} months of history",
        f"Lambda polls {POLLED_QUEUES} queues with about {EMPTY_RECEIVES_PER_QUEUE:,} empty receives each a month",
        f"sa-east-1 prices: {SA_EAST_1_UPLIFT} x us-east-1's for region-priced lines (not found); "
        "SMS, SES, free tiers unchanged",
    ):
        print(f"  - {text}")
    print("Prices (USD):")
    extra = {SNS_PUBLISH, KMS_REQUEST, SECRET_CALL, ALARM_MONTH, DYNAMODB_PITR, S3_READ}
    for price in sorted({line.price for line in bill} | extra, key=lambda p: (not p.looked_up, p.per)):
        status = "looked up" if price.looked_up else "ASSUMED (no published price found)"
        print(f"  {price.usd:.10g} per {price.per}: {status}; {price.source}")
    assert all(total > 0 for total in totals.values())
