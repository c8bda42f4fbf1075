"""LocalStack: Ponte's template, made on an embedded AWS (moto), with its triggers wired to its functions."""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import json
import os
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3

from infra.local import delivery, emulator, events, state
from infra.local.authorizer import JwtAuthorizer, Refused
from infra.local.delivery import DeliveryRecorder, Email, EventDestination, Sms
from infra.local.functions import FunctionSpec, invoke
from infra.local.patterns import matches
from infra.local.provision import SKIPPED, Made, Provisioner, physical_name
from infra.local.schedules import fire_times, one_time
from infra.local.template import (
    Pseudo,
    Resolver,
    TemplateError,
    load_template,
    parameter_values,
    references,
)

ROOT = Path(__file__).resolve().parents[2]
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
    # Regional endpoints: the emulator does not answer botocore's account-based ones (<account>.streams-ddb...).
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
}
MAX_SETTLE_ROUNDS = 200
# Required parameters of the template, answered as an operator must answer them at `sam deploy`, unless the caller
# passes its own value: the alarms' subscriber is a reserved example address.
LOCAL_PARAMETERS = {"OpsAlertEmail": "ops@example.com"}


@dataclass
class Delivery:
    """One message as one subscriber would have received it."""

    subscriber: str
    protocol: str
    subject: str | None
    message: str
    attributes: dict[str, str]


@dataclass
class Failure:
    """An invocation that failed for good, and where the trigger sent it."""

    function: str
    trigger: str
    error: str
    sent_to: str | None


@dataclass
class _StreamMapping:
    function: FunctionSpec
    stream_arn: str
    properties: dict[str, Any]
    checkpoint: str | None = None
    # Where the next poll reads each shard from (GetRecords' NextShardIterator, by shard id), as Lambda's poller
    # keeps it: a poll is then one request a shard. None: made again from the checkpoint (after a reset, or when a
    # shard ended).
    iterators: dict[str, str] | None = None


@dataclass
class _QueueMapping:
    function: FunctionSpec
    queue_arn: str
    queue_url: str
    properties: dict[str, Any]


@dataclass
class _TopicMapping:
    function: FunctionSpec
    topic_arn: str
    properties: dict[str, Any]
    subscription_arn: str
    delivered: int = 0


@dataclass
class _Schedule:
    logical_id: str
    function: FunctionSpec
    kind: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class _Built:
    """A stack right after it was built: the emulator's state and the stack's own."""

    emulator: state.State
    now: datetime
    checkpoints: list[str | None]
    delivered: list[int]
    environments: dict[str, dict[str, str]]


@dataclass(frozen=True)
class _Provisioned:
    """A template just made on the embedded AWS, before anything is set on it: the emulator's state and the stack's
    wiring (its resources, functions and triggers)."""

    emulator: state.State
    wiring: dict[str, Any]


# A stack's wiring: what building it sets on the stack besides the emulator's state.
_WIRING = (
    "resources",
    "skipped",
    "functions",
    "_routes",
    "_api_auth",
    "_streams",
    "_queues",
    "_schedules",
    "_s3",
    "_topics",
    "_event_destinations",
    "_tap_url",
)
# Templates made in this process, by what they were made from (`LocalStack._provisioning_key`).
_PROVISIONED: dict[str, _Provisioned] = {}


@dataclass
class _Route:
    method: str
    path: str
    pattern: re.Pattern[str]
    function: FunctionSpec
    api_id: str
    authorizer: str | None = None  # the name of the API's authorizer that guards the route
    scopes: tuple[str, ...] = ()


@dataclass
class _S3Trigger:
    function: FunctionSpec
    bucket: str
    events: list[str]
    rules: list[dict[str, str]] = field(default_factory=list)


class LocalStack:
    """The whole template on an embedded AWS, driven by a clock that only moves when told to.

    Use it as a context manager. Without `endpoint`, the emulator runs in this process (`moto.mock_aws`); with one
    (`serve`), every client, the functions' included, talks to the emulator's server at that address.

    In this process, a stack holds the emulator alone while it is entered (another stack entered meanwhile has its
    own), and it can be entered again after it exited: it comes back as it was right after it was built (`reset`),
    without building it again.
    """

    def __init__(
        self,
        now: datetime,
        *,
        template: Path | str = ROOT / "template.yaml",
        parameters: dict[str, str] | None = None,
        webhook_secrets: dict[str, str | list[str]] | None = None,
        documents: dict[str, str] | None = None,
        environment: dict[str, str] | None = None,
        stack_name: str = "ponte-local",
        region: str = "us-east-1",
        endpoint: str | None = None,
    ) -> None:
        if now.tzinfo is None:
            raise ValueError("the stack's clock needs an aware datetime")
        self.template_path = Path(template)
        self.template_dir = self.template_path.resolve().parent
        self._now = now.astimezone(UTC)
        self._started_at = self._now
        self._parameters = parameters or {}
        self._webhook_secrets = webhook_secrets or {}
        self._documents = documents or {}
        self._environment = environment or {}
        self.pseudo = Pseudo(region=region, stack_name=stack_name)
        self.endpoint = endpoint
        self.resources: dict[str, Made] = {}
        self.skipped: dict[str, str] = {}
        self.functions: dict[str, FunctionSpec] = {}
        self.failures: list[Failure] = []
        self.function_logs = io.StringIO()
        self._routes: list[_Route] = []
        self._api_auth: dict[str, dict[str, Any]] = {}
        self._announced: set[tuple[str, str, str | None]] = set()  # object versions S3's notification went out for
        self._streams: list[_StreamMapping] = []
        self._queues: list[_QueueMapping] = []
        self._schedules: list[_Schedule] = []
        self._s3: list[_S3Trigger] = []
        self._topics: list[_TopicMapping] = []
        self._event_destinations: list[EventDestination] = []
        self._platform_events: list[dict[str, Any]] = []
        self._deliveries = DeliveryRecorder(lambda: self._now)
        self._lock = threading.RLock()
        self._tap_url: str | None = None
        self._clients: dict[str, Any] = {}
        self._shared_clients: dict[tuple[str, str | None], Any] = {}
        self._exit = contextlib.ExitStack()
        self._built: _Built | None = None

    def __enter__(self) -> LocalStack:
        if self.endpoint and self.resources:
            raise RuntimeError("a stack on an emulator's endpoint is entered once")
        emulator.install()
        try:
            self._exit.enter_context(_environment({**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": self.pseudo.region}))
            if self.endpoint:
                self._exit.enter_context(_environment({"AWS_ENDPOINT_URL": self.endpoint}))
            else:
                from moto import mock_aws  # noqa: PLC0415

                self._exit.enter_context(mock_aws())
                self._exit.enter_context(_embedded_session())
            self._exit.enter_context(self._deliveries.installed())
            if self.endpoint:
                self._build()
            else:
                self._hold_emulator()
        except BaseException:
            self._exit.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._exit.close()

    @property
    def now(self) -> datetime:
        return self._now

    def reset(self) -> None:
        """Puts the stack back as it was right after it was built, without building it again: the emulator's state
        (items and their streams, objects and their versions, messages, schedules, parameters and their history,
        secrets, users), the clock, what the stack recorded (failures, function logs, e-mail, SMS, platform events)
        and the functions' environments; every function's next invocation is a cold start."""
        if self.endpoint or self._built is None:
            raise RuntimeError("only a stack built in this process, and entered, can be reset")
        with self._lock:
            state.discard(state.put(self._built.emulator))
            self._restore()

    def _hold_emulator(self) -> None:
        """Builds the stack on an emulator of its own, or puts it back as built; what the emulator held before
        (another stack's, entered around this one) comes back when this one exits."""
        held = state.put(self._built.emulator if self._built else state.State())
        self._exit.callback(lambda: state.discard(state.put(held, copied=False)))
        if self._built is None:
            self._build()
            self._built = self._capture()
        else:
            self._restore()

    def _capture(self) -> _Built:
        return _Built(
            emulator=state.take(),
            now=self._now,
            checkpoints=[mapping.checkpoint for mapping in self._streams],
            delivered=[mapping.delivered for mapping in self._topics],
            environments={logical_id: dict(spec.environment) for logical_id, spec in self.functions.items()},
        )

    def _restore(self) -> None:
        """The stack's own state, as captured right after it was built (the emulator's is put back apart)."""
        built = self._built
        assert built is not None
        self._now = built.now
        self.failures.clear()
        self.function_logs.seek(0)
        self.function_logs.truncate()
        self._deliveries.forget()
        self._announced.clear()
        self._platform_events.clear()
        for stream, checkpoint in zip(self._streams, built.checkpoints, strict=True):
            stream.checkpoint = checkpoint
            stream.iterators = None  # the emulator's iterators were put back with it
        for topic, delivered in zip(self._topics, built.delivered, strict=True):
            topic.delivered = delivered
        for logical_id, spec in self.functions.items():
            spec.environment.clear()
            spec.environment.update(built.environments[logical_id])
            spec.cold()

    def client(self, service: str) -> Any:
        """A client of the emulator, made once per service while boto3's default session is the one the stack put
        in place (tests ask for clients a thousand times a run, at milliseconds each): it is shared, so a caller
        that registers its own event handlers on it or stubs it makes its own (`boto3.client`). Under another
        default session (one a test set up, to register handlers on every client made from it), each call makes a
        new client of that session, as boto3 does."""
        session = boto3.DEFAULT_SESSION
        if self.endpoint or session is None or session is not _models_session():
            return boto3.client(service, region_name=self.pseudo.region)
        key = (service, os.environ.get("AWS_ENDPOINT_URL"))
        with self._lock:
            if key not in self._shared_clients:
                self._shared_clients[key] = session.client(service, region_name=self.pseudo.region)
            return self._shared_clients[key]

    def _client(self, service: str) -> Any:
        """The stack's own client of a service, made once, under whatever default session: settling polls streams
        and queues many times a second."""
        with self._lock:
            if service not in self._clients:
                self._clients[service] = boto3.client(service, region_name=self.pseudo.region)
            return self._clients[service]

    def physical_id(self, logical_id: str) -> Any:
        """What `!Ref` gives for a resource of the template: a table's name, a topic's ARN, a queue's URL..."""
        return self.resources[logical_id].ref

    def attribute(self, logical_id: str, name: str) -> Any:
        return self.resources[logical_id].attributes[name]

    def _build(self) -> None:
        """Makes the template's resources and wires their triggers, then sets what an operator sets after deploying.

        In this process, a template already made with the same parameters (by another stack) is not made again: its
        resources and wiring are copied, as they do not depend on what is set after deploying, on the functions'
        extra environment or on the clock. An emulator in another process is always provisioned through its API."""
        key = None if self.endpoint else self._provisioning_key()
        provisioned = _PROVISIONED.get(key) if key else None
        if provisioned is None:
            self._provision()
            if key:
                _PROVISIONED[key] = _Provisioned(state.take(), copy.deepcopy(self._wiring()))
        else:
            state.discard(state.put(provisioned.emulator))
            for name, value in copy.deepcopy(provisioned.wiring).items():
                setattr(self, name, value)
        for spec in self.functions.values():
            spec.environment.update({k: str(v) for k, v in self._environment.items()})
        self._seed_webhook_secrets()
        self._seed_documents()

    def _provisioning_key(self) -> str:
        """What the template's resources are made from: the template, its parameters, the stack's name and region."""
        path = self.template_path.resolve()
        made_from = [str(path), path.read_text(), self._parameters, self.pseudo.stack_name, self.pseudo.region]
        return json.dumps(made_from, sort_keys=True, default=str)

    def _wiring(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _WIRING}

    def _provision(self) -> None:
        document = load_template(self.template_path)
        resolver = Resolver(
            parameters=parameter_values(document, _with_local_answers(document, self._parameters)),
            conditions=document.get("Conditions", {}),
            pseudo=self.pseudo,
        )
        resources: dict[str, Any] = document["Resources"]
        provisioner = Provisioner(resolver, self.pseudo.stack_name, self.pseudo.region)
        globals_ = document.get("Globals", {}).get("Function", {})
        for logical_id in _dependency_order(resources):
            resource = resources[logical_id]
            condition = resource.get("Condition")
            if condition and not resolver.condition(condition):
                self.skipped[logical_id] = f"condition {condition} is false"
                continue
            kind = resource["Type"]
            # What is skipped is not resolved either: an IAM policy may name a role that only SAM generates
            # (`<Function>Role`, for a policy kept apart from the function to avoid a circular dependency).
            unresolved = kind in SKIPPED or kind.startswith("AWS::CloudFront::")
            properties = {} if unresolved else resolver.resolve(resource.get("Properties", {})) or {}
            if kind in SKIPPED:
                self.skipped[logical_id] = SKIPPED[kind]
                made = Made(f"arn:aws:local:::{logical_id}", {"Arn": f"arn:aws:local:::{logical_id}"})
            elif kind == "AWS::Serverless::Function":
                made = self._function(logical_id, properties, resolver, globals_)
            elif kind.startswith("AWS::CloudFront::"):
                # `make serve` plays the console's distribution (infra.local.console): its files at /, the staff API
                # under /staff, on one origin.
                self.skipped[logical_id] = "CloudFront is played by make serve's console server (infra.local.console)"
                made = Made(f"local-{logical_id}", {"Id": f"local-{logical_id}", "DomainName": "127.0.0.1:3000"})
            elif kind == "AWS::Serverless::HttpApi":
                api_id = physical_name(self.pseudo.stack_name, logical_id, 20, lower=True).rsplit("-", 1)[1]
                made = Made(api_id, {"ApiEndpoint": f"https://{api_id}.execute-api.{self.pseudo.region}.amazonaws.com"})
                self._api_auth[api_id] = properties.get("Auth", {})
            else:
                made = provisioner.make(logical_id, kind, properties)
            if isinstance(made.attributes.get("Destination"), EventDestination):
                self._event_destinations.append(made.attributes["Destination"])
            self.resources[logical_id] = made
            resolver.refs[logical_id] = made.ref
            resolver.attributes[logical_id] = made.attributes
        for spec in self.functions.values():
            self._wire(spec)
        self._tap_platform_bus()

    def _function(
        self, logical_id: str, properties: dict[str, Any], resolver: Resolver, globals_: dict[str, Any]
    ) -> Made:
        merged = {**resolver.resolve(globals_), **properties}
        name = physical_name(self.pseudo.stack_name, logical_id, 64)
        arn = f"arn:aws:lambda:{self.pseudo.region}:{self.pseudo.account_id}:function:{name}"
        variables = {
            **(resolver.resolve(globals_.get("Environment", {})).get("Variables", {})),
            **properties.get("Environment", {}).get("Variables", {}),
        }
        runtime = {
            "AWS_REGION": self.pseudo.region,
            "AWS_DEFAULT_REGION": self.pseudo.region,
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(merged.get("MemorySize", 128)),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        }
        invoke_config = merged.get("EventInvokeConfig", {})
        on_failure = invoke_config.get("DestinationConfig", {}).get("OnFailure", {})
        spec = FunctionSpec(
            logical_id=logical_id,
            name=name,
            arn=arn,
            code_dir=(self.template_dir / merged["CodeUri"]).resolve(),
            handler=merged["Handler"],
            environment={k: str(v) for k, v in {**variables, **runtime}.items()},
            events=properties.get("Events", {}),
            memory_mb=int(merged.get("MemorySize", 128)),
            timeout_s=int(merged.get("Timeout", 3)),
            dead_letter_arn=(merged.get("DeadLetterQueue") or {}).get("TargetArn"),
            on_failure_arn=on_failure.get("Destination"),
            maximum_retry_attempts=int(invoke_config.get("MaximumRetryAttempts", 2)),
        )
        self.functions[logical_id] = spec
        return Made(name, {"Arn": arn})

    def _wire(self, spec: FunctionSpec) -> None:
        for event_name, event in spec.events.items():
            kind, p = event["Type"], event.get("Properties", {})
            if kind == "DynamoDB":
                self._streams.append(_StreamMapping(spec, p["Stream"], p))
            elif kind == "SQS":
                url = self._queue_url(p["Queue"])
                self._queues.append(_QueueMapping(spec, p["Queue"], url, p))
            elif kind == "HttpApi":
                path = p.get("Path", "$default")
                api_id = p.get("ApiId") or "implicit"
                auth = p.get("Auth", {})
                authorizer = auth.get("Authorizer", self._api_auth.get(api_id, {}).get("DefaultAuthorizer"))
                route = _Route(p.get("Method", "ANY").upper(), path, _path_pattern(path), spec, api_id)
                route.authorizer = None if authorizer in {None, "NONE"} else authorizer
                route.scopes = tuple(auth.get("AuthorizationScopes", ()))
                self._routes.append(route)
            elif kind == "S3":
                rules = p.get("Filter", {}).get("S3Key", {}).get("Rules", [])
                bucket_events = p["Events"] if isinstance(p["Events"], list) else [p["Events"]]
                self._s3.append(_S3Trigger(spec, p["Bucket"], bucket_events, rules))
            elif kind in {"ScheduleV2", "Schedule"}:
                self._schedules.append(_Schedule(f"{spec.logical_id}{event_name}", spec, kind, p))
            elif kind == "SNS":
                if p.get("SqsSubscription"):
                    raise TemplateError(f"{spec.logical_id}.{event_name}: SNS events through SQS are not wired locally")
                subscription = f"{p['Topic']}:{uuid.uuid5(uuid.NAMESPACE_URL, p['Topic'] + '/' + spec.logical_id)}"
                self._topics.append(_TopicMapping(spec, p["Topic"], p, subscription))
            else:
                raise TemplateError(f"{spec.logical_id}.{event_name}: the local stack cannot wire {kind} events")

    def _queue_url(self, queue_arn: str) -> str:
        for made in self.resources.values():
            if made.attributes.get("Arn") == queue_arn and "QueueUrl" in made.attributes:
                return str(made.attributes["QueueUrl"])
        raise TemplateError(f"no queue of the template has the ARN {queue_arn}")

    def _tap_platform_bus(self) -> None:
        """A rule on each event bus that copies every event to a queue, so that `platform_events()` can show them."""
        buses = [
            made
            for made in self.resources.values()
            if str(made.attributes.get("Arn", "")).startswith("arn:aws:events:") and "Name" in made.attributes
        ]
        if not buses:
            return
        sqs, events_client = self._client("sqs"), self._client("events")
        self._tap_url = sqs.create_queue(QueueName=f"{self.pseudo.stack_name}-platform-tap")["QueueUrl"]
        tap_arn = sqs.get_queue_attributes(QueueUrl=self._tap_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        for bus in buses:
            events_client.put_rule(
                Name=f"{self.pseudo.stack_name}-tap",
                EventBusName=bus.attributes["Name"],
                EventPattern=json.dumps({"account": [self.pseudo.account_id]}),
            )
            events_client.put_targets(
                Rule=f"{self.pseudo.stack_name}-tap",
                EventBusName=bus.attributes["Name"],
                Targets=[{"Id": "tap", "Arn": tap_arn}],
            )

    def _seed_documents(self) -> None:
        """Set SSM parameters of the template (by logical id) as an operator would after deploying: the business's
        identity, an edited policy."""
        ssm = self._client("ssm")
        for logical_id, value in self._documents.items():
            ssm.put_parameter(Name=self.physical_id(logical_id), Value=value, Type="String", Overwrite=True)

    def _seed_webhook_secrets(self) -> None:
        """Seeds `<Provider>WebhookSecret` (or the secret whose logical id is the name given), as Ponte reads it:
        `{"secrets": [...]}`, several values during a rotation."""
        for provider, values in self._webhook_secrets.items():
            wanted = {f"{provider.lower()}webhooksecret", provider.lower()}
            logical_id = next((lid for lid in self.resources if lid.lower() in wanted), None)
            if logical_id is None:
                raise TemplateError(f"the template has no secret for {provider}")
            secrets = [values] if isinstance(values, str) else list(values)
            self._client("secretsmanager").put_secret_value(
                SecretId=self.physical_id(logical_id), SecretString=json.dumps({"secrets": secrets})
            )

    def http(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: bytes | str = b""
    ) -> tuple[int, dict[str, str], bytes]:
        """Send a request to the HTTP API as a client on the internet would, and settle what it started."""
        raw = body.encode("utf-8") if isinstance(body, str) else body
        path, _, query = path.partition("?")
        with self._lock:
            for route in self._routes:
                found = route.pattern.fullmatch(path)
                if found and route.method in {method.upper(), "ANY"}:
                    try:
                        authorizer = self._authorize(route, headers or {})
                    except Refused as refused:
                        message = b'{"message":"Unauthorized"}' if refused.status == 401 else b'{"message":"Forbidden"}'
                        return refused.status, {"content-type": "application/json"}, message
                    event = events.http_api_v2(
                        method=method.upper(),
                        path=path,
                        query=query,
                        headers=headers or {},
                        body=raw,
                        route_key=f"{route.method} {route.path}" if route.path != "$default" else "$default",
                        path_parameters=found.groupdict(),
                        api_id=str(route.api_id),
                        region=self.pseudo.region,
                        account_id=self.pseudo.account_id,
                        now=self._now,
                    )
                    if authorizer is not None:
                        event["requestContext"]["authorizer"] = authorizer
                    try:
                        result = self._invoke(route.function, event)
                    except Exception as error:  # noqa: BLE001 - API Gateway answers 500 for any function error
                        self._fail(route.function, "http", error, None)
                        return 500, {"content-type": "application/json"}, b'{"message":"Internal Server Error"}'
                    answer = events.http_response(result)
                    self.settle()
                    return answer
            return 404, {"content-type": "application/json"}, b'{"message":"Not Found"}'

    def _authorize(self, route: _Route, headers: dict[str, str]) -> dict[str, Any] | None:
        """The route's JWT authorizer applied as API Gateway does (`infra.local.authorizer`); None for an open route."""
        if route.authorizer is None:
            return None
        config = self._api_auth.get(route.api_id, {}).get("Authorizers", {}).get(route.authorizer)
        if config is None:
            raise TemplateError(f"route {route.method} {route.path} names no authorizer of its API: {route.authorizer}")
        jwt = config.get("JwtConfiguration", {})
        audiences = jwt.get("audience", [])
        authorizer = JwtAuthorizer(
            issuer=jwt["issuer"],
            audiences=tuple(audiences if isinstance(audiences, list) else [audiences]),
            identity_source=config.get("IdentitySource", "$request.header.Authorization"),
        )
        return authorizer.authorize(headers, route.scopes)

    def put_object(
        self, key: str, data: bytes, *, bucket: str | None = None, content_type: str | None = None
    ) -> dict[str, Any]:
        """Upload an object as the back office would, deliver the S3 notification, and settle."""
        with self._lock:
            triggers = [t for t in self._s3 if bucket is None or t.bucket in {bucket, self.physical_id(bucket)}]
            buckets = {t.bucket for t in triggers}
            if len(buckets) != 1:
                raise ValueError(
                    "name the bucket (logical id): " + ", ".join(sorted(buckets))
                    if buckets
                    else "no function is triggered by an S3 bucket in the template"
                )
            (bucket_name,) = buckets
            extra = {"ContentType": content_type} if content_type else {}
            answer = self._client("s3").put_object(Bucket=bucket_name, Key=key, Body=data, **extra)
            self._announced.add((bucket_name, key, answer.get("VersionId")))
            event = events.s3_put(
                bucket=bucket_name,
                key=key,
                size=len(data),
                etag=answer["ETag"],
                version_id=answer.get("VersionId"),
                region=self.pseudo.region,
                now=self._now,
            )
            for trigger in triggers:
                if _s3_matches(trigger, key):
                    self._invoke_async(trigger.function, event, "s3")
            self.settle()
            return {"ETag": answer["ETag"], "VersionId": answer.get("VersionId")}

    def deliver_uploads(self) -> int:
        """S3's notifications for objects put straight through the emulator's endpoint (`aws --endpoint-url ... s3
        cp`, under `make serve`): every object version the triggers' filters match that no notification went out
        for yet is announced to its functions, once, as S3 would. Returns how many were."""
        delivered = 0
        with self._lock:
            s3 = self._client("s3")
            for bucket in sorted({t.bucket for t in self._s3}):
                pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket)
                for version in (v for page in pages for v in page.get("Versions", [])):
                    seen = (bucket, version["Key"], version.get("VersionId"))
                    if seen in self._announced:
                        continue
                    self._announced.add(seen)
                    triggers = [t for t in self._s3 if t.bucket == bucket and _s3_matches(t, version["Key"])]
                    if not triggers:
                        continue
                    event = events.s3_put(
                        bucket=bucket,
                        key=version["Key"],
                        size=int(version.get("Size", 0)),
                        etag=version["ETag"],
                        version_id=version.get("VersionId"),
                        region=self.pseudo.region,
                        now=self._now,
                    )
                    for trigger in triggers:
                        self._invoke_async(trigger.function, event, "s3")
                    delivered += 1
            self.settle()
        return delivered

    def advance(self, *, days: float = 0, hours: float = 0, minutes: float = 0) -> list[tuple[datetime, str]]:
        """Move the clock forward, firing on the way every schedule due, in order. Returns what fired when."""
        end = self._now + timedelta(days=days, hours=hours, minutes=minutes)
        return self.advance_to(end)

    def catch_up(self, moment: datetime) -> list[tuple[datetime, str]]:
        """Move the clock to `moment` unless it is there already (`serve`'s wall clock, which a test may have
        moved ahead of)."""
        with self._lock:
            return self.advance_to(max(self._now, moment))

    def advance_to(self, end: datetime) -> list[tuple[datetime, str]]:
        with self._lock:
            if end < self._now:
                raise ValueError("the clock only moves forward")
            due = sorted(
                (moment, schedule.logical_id, index)
                for index, schedule in enumerate(self._schedules)
                if schedule.properties.get("State", "ENABLED") == "ENABLED" and schedule.properties.get("Enabled", True)
                for moment in self._fire_times(schedule, self._now, end)
            )
            fired = []
            for moment, logical_id, index in due:
                fired += self._fire_one_time(moment)
                self._now = moment
                self._fire(self._schedules[index])
                fired.append((moment, logical_id))
            fired += self._fire_one_time(end)
            self._now = end
            self.settle()
            return fired

    def _fire_one_time(self, until: datetime) -> list[tuple[datetime, str]]:
        """The one-time schedules (`at(...)`) that functions created, due by `until`, in order; each deleted after it
        ran (`ActionAfterCompletion: DELETE`). One that fires may create another, which fires too if it is due."""
        fired = []
        while (found := self._next_one_time(until)) is not None:
            moment, schedule = found
            self._now = max(self._now, moment)
            spec = self._function_by_arn(schedule.target["Arn"])
            event = events.scheduler_input(
                schedule.target.get("Input"), schedule_arn=schedule.arn, now=moment, attempt=1
            )
            self._sdk_schedules().delete_schedule(schedule.group_name, schedule.name)
            self._invoke_async(spec, event, "schedule")
            self.settle()
            fired.append((moment, schedule.name))
        return fired

    def _next_one_time(self, until: datetime) -> tuple[datetime, Any] | None:
        found = []
        for group in list(self._sdk_schedules().schedule_groups.values()):
            for schedule in list(group.schedules.values()):
                moment = one_time(schedule.schedule_expression, schedule.schedule_expression_timezone or "UTC")
                if moment is not None and moment <= until:
                    found.append((moment, schedule.name, schedule))
        if not found:
            return None
        moment, _, schedule = min(found, key=lambda entry: (entry[0], entry[1]))
        return moment, schedule

    def _sdk_schedules(self) -> Any:
        from moto.scheduler.models import scheduler_backends  # noqa: PLC0415 - the emulator's own state

        return scheduler_backends[self.pseudo.account_id][self.pseudo.region]

    def _function_by_arn(self, arn: str) -> FunctionSpec:
        for logical_id, made in self.resources.items():
            if made.attributes.get("Arn") == arn and logical_id in self.functions:
                return self.functions[logical_id]
        raise TemplateError(f"a schedule targets {arn}, which is no function of the template")

    def run_schedule(self, logical_id: str) -> None:
        """Fire one schedule now: its id is the function's logical id and the event's name joined (SAM's own)."""
        with self._lock:
            for schedule in self._schedules:
                if logical_id in {schedule.logical_id, schedule.logical_id.removeprefix(schedule.function.logical_id)}:
                    self._fire(schedule)
                    return
            raise KeyError(f"no schedule {logical_id}; there are: {[s.logical_id for s in self._schedules]}")

    def _fire_times(self, schedule: _Schedule, start: datetime, end: datetime) -> list[datetime]:
        p = schedule.properties
        zone = p.get("ScheduleExpressionTimezone", "UTC")
        return fire_times(
            p["ScheduleExpression"] if "ScheduleExpression" in p else p["Schedule"], zone, self._started_at, start, end
        )

    def _fire(self, schedule: _Schedule) -> None:
        arn = f"arn:aws:scheduler:{self.pseudo.region}:{self.pseudo.account_id}:schedule/default/{schedule.logical_id}"
        if schedule.kind == "ScheduleV2":
            event = events.scheduler_input(schedule.properties.get("Input"), schedule_arn=arn, now=self._now, attempt=1)
        else:
            event = events.scheduled_event(
                rule_arn=arn, region=self.pseudo.region, account_id=self.pseudo.account_id, now=self._now
            )
            if "Input" in schedule.properties:
                event = json.loads(schedule.properties["Input"])
        self._invoke_async(schedule.function, event, "schedule")
        self.settle()

    def settle(self) -> int:
        """Deliver stream records and queue messages until nothing is pending. Returns how many batches ran."""
        with self._lock:
            batches = 0
            for _ in range(MAX_SETTLE_ROUNDS):
                ran = (
                    sum(self._poll_stream(m) for m in self._streams)
                    + sum(self._poll_queue(m) for m in self._queues)
                    + sum(self._poll_topic(m) for m in self._topics)
                )
                if not ran:
                    return batches
                batches += ran
            raise RuntimeError(f"work was still pending after {MAX_SETTLE_ROUNDS} rounds: a trigger loops")

    def _poll_stream(self, mapping: _StreamMapping) -> int:
        if self._stream_idle(mapping):
            return 0
        records = self._stream_records(mapping)
        if not records:
            return 0
        mapping.checkpoint = records[-1]["dynamodb"]["SequenceNumber"]
        delivered = [
            events.stream_record(r, stream_arn=mapping.stream_arn, region=self.pseudo.region, now=self._now)
            for r in records
        ]
        patterns = [json.loads(f["Pattern"]) for f in mapping.properties.get("FilterCriteria", {}).get("Filters", [])]
        if patterns:
            delivered = [r for r in delivered if any(matches(p, r) for p in patterns)]
        size = int(mapping.properties.get("BatchSize", 100))
        for start in range(0, len(delivered), size):
            self._stream_batch(mapping, delivered[start : start + size])
        return 1

    def _stream_records(self, mapping: _StreamMapping) -> list[dict[str, Any]]:
        """The records written after the mapping's checkpoint, shard by shard, each shard's in order."""
        streams = self._client("dynamodbstreams")
        if mapping.iterators is None:
            mapping.iterators = {}
            for shard in streams.describe_stream(StreamArn=mapping.stream_arn)["StreamDescription"]["Shards"]:
                position = (
                    {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": mapping.checkpoint}
                    if mapping.checkpoint
                    else {"ShardIteratorType": mapping.properties.get("StartingPosition", "TRIM_HORIZON")}
                )
                answer = streams.get_shard_iterator(StreamArn=mapping.stream_arn, ShardId=shard["ShardId"], **position)
                mapping.iterators[shard["ShardId"]] = answer["ShardIterator"]
        records: list[dict[str, Any]] = []
        following: dict[str, str] = {}  # kept only once every shard was read: a failed read is read again
        for shard_id, iterator in mapping.iterators.items():
            answer = streams.get_records(ShardIterator=iterator)
            records.extend(answer["Records"])
            if answer.get("NextShardIterator"):  # none once the shard has ended
                following[shard_id] = answer["NextShardIterator"]
        # When every shard has ended, the next poll describes the stream again for the shards that follow them.
        mapping.iterators = following or None
        return records

    def _stream_batch(self, mapping: _StreamMapping, batch: list[dict[str, Any]]) -> None:
        """Lambda's stream semantics: retry from the first failed record, bisect, then the on-failure destination."""
        retries = int(mapping.properties.get("MaximumRetryAttempts", -1))
        reports = "ReportBatchItemFailures" in mapping.properties.get("FunctionResponseTypes", [])
        bisect = bool(mapping.properties.get("BisectBatchOnFunctionError"))
        pending = [batch]
        while pending:
            current, attempts, error = pending.pop(0), 0, ""
            while current:
                attempts += 1
                failed_at, error = self._stream_attempt(mapping.function, current, reports)
                if failed_at is None:
                    break
                current = current[failed_at:]
                if bisect and len(current) > 1:
                    middle = len(current) // 2
                    pending[:0] = [current[:middle], current[middle:]]
                    break
                if 0 <= retries < attempts:
                    self._stream_failed(mapping, current, attempts, error)
                    break
                if attempts >= 10_000:
                    raise RuntimeError(f"{mapping.function.logical_id} keeps failing on a stream record: {error}")

    def _stream_attempt(self, spec: FunctionSpec, batch: list[dict[str, Any]], reports: bool) -> tuple[int | None, str]:
        try:
            result = self._invoke(spec, {"Records": batch})
        except Exception as error:  # noqa: BLE001 - a function error makes the stream retry, as in Lambda
            return 0, f"{type(error).__name__}: {error}"
        failures = (result or {}).get("batchItemFailures") if reports and isinstance(result, dict) else None
        if not failures:
            return None, ""
        sequences = [r["dynamodb"]["SequenceNumber"] for r in batch]
        identifiers = [f.get("itemIdentifier") for f in failures]
        positions = [sequences.index(i) for i in identifiers if i in sequences]
        # Lambda treats an unknown or empty identifier as a failure of the whole batch.
        return (min(positions) if len(positions) == len(identifiers) else 0), "reported batch item failures"

    def _stream_failed(self, mapping: _StreamMapping, batch: list[dict[str, Any]], attempts: int, error: str) -> None:
        destination = mapping.properties.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        if destination:
            record = {
                "requestContext": {
                    "requestId": f"local-{batch[0]['dynamodb']['SequenceNumber']}",
                    "functionArn": mapping.function.arn,
                    "condition": "RetryAttemptsExhausted",
                    "approximateInvokeCount": attempts,
                },
                "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
                "version": "1.0",
                "timestamp": self._now.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "DDBStreamBatchInfo": {
                    "shardId": "local",
                    "startSequenceNumber": batch[0]["dynamodb"]["SequenceNumber"],
                    "endSequenceNumber": batch[-1]["dynamodb"]["SequenceNumber"],
                    "approximateArrivalOfFirstRecord": self._now.isoformat(),
                    "approximateArrivalOfLastRecord": self._now.isoformat(),
                    "batchSize": len(batch),
                    "streamArn": mapping.stream_arn,
                },
            }
            self._client("sqs").send_message(QueueUrl=self._queue_url(destination), MessageBody=json.dumps(record))
        self.failures.append(Failure(mapping.function.logical_id, "dynamodb-stream", error, destination))

    def _poll_queue(self, mapping: _QueueMapping) -> int:
        if self._queue_idle(mapping):
            return 0
        sqs = self._client("sqs")
        size = min(int(mapping.properties.get("BatchSize", 10)), 10)
        messages = sqs.receive_message(
            QueueUrl=mapping.queue_url, MaxNumberOfMessages=size, AttributeNames=["All"], MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return 0
        records = [events.sqs_record(m, queue_arn=mapping.queue_arn, region=self.pseudo.region) for m in messages]
        reports = "ReportBatchItemFailures" in mapping.properties.get("FunctionResponseTypes", [])
        try:
            result = self._invoke(mapping.function, {"Records": records})
            failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])} if reports else set()
        except Exception as error:  # noqa: BLE001 - a function error returns the whole batch to the queue
            self._fail(mapping.function, "sqs", error, None)
            failed = {m["MessageId"] for m in messages}
        for message in messages:
            if message["MessageId"] in failed:
                # Visible again at once (the visibility timeout would pass); the queue's redrive policy applies.
                sqs.change_message_visibility(
                    QueueUrl=mapping.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
            else:
                sqs.delete_message(QueueUrl=mapping.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return 1

    def _poll_topic(self, mapping: _TopicMapping) -> int:
        """SNS's Lambda subscription: each new message, after the filter policy, as its own asynchronous invoke."""
        from moto.sns.utils import FilterPolicyMatcher  # noqa: PLC0415 - the emulator's own filter policy rules

        sent = self._sent_to(mapping.topic_arn)[mapping.delivered :]
        if not sent:
            return 0
        mapping.delivered += len(sent)
        policy = mapping.properties.get("FilterPolicy")
        matcher = FilterPolicyMatcher(policy, mapping.properties.get("FilterPolicyScope")) if policy else None
        for message_id, message, subject, attributes, _ in sent:
            if matcher is not None and not matcher.matches(attributes, message):
                continue
            event = events.sns_notification(
                topic_arn=mapping.topic_arn,
                subscription_arn=mapping.subscription_arn,
                message_id=message_id,
                message=_for_protocol(message, "lambda"),
                subject=subject,
                attributes=attributes or {},
                region=self.pseudo.region,
                now=self._now,
            )
            self._invoke_async(mapping.function, event, "sns")
        return 1

    def _invoke_async(self, spec: FunctionSpec, event: Any, trigger: str) -> None:
        """Lambda's asynchronous invocation: the first try and its retries, then the DLQ or on-failure destination."""
        error: Exception | None = None
        for _ in range(1 + spec.maximum_retry_attempts):
            try:
                self._invoke(spec, event)
                return
            except Exception as caught:  # noqa: BLE001 - Lambda retries any function error
                error = caught
        destination = spec.on_failure_arn or spec.dead_letter_arn
        if destination:
            self._client("sqs").send_message(QueueUrl=self._queue_url(destination), MessageBody=json.dumps(event))
        assert error is not None
        self._fail(spec, trigger, error, destination)

    def _invoke(self, spec: FunctionSpec, event: Any) -> Any:
        with contextlib.redirect_stdout(self.function_logs):
            return invoke(spec, event)

    def _fail(self, spec: FunctionSpec, trigger: str, error: Exception, destination: str | None) -> None:
        self.failures.append(Failure(spec.logical_id, trigger, f"{type(error).__name__}: {error}", destination))

    def published(self, topic: str, protocol: str = "sqs") -> list[Delivery]:
        """Every message published to a topic (logical id), as a subscriber of `protocol` with no filter sees it."""
        return [self._as_delivery(n, protocol, f"{protocol}:(any)") for n in self._sent(topic)]

    def inbox(self, topic: str) -> dict[str, list[Delivery]]:
        """What each subscriber of a topic (logical id) would have received, after its filter policy."""
        from moto.sns.models import sns_backends  # noqa: PLC0415 - the emulator's record of deliveries

        backend = sns_backends[self.pseudo.account_id][self.pseudo.region]
        subscriptions, _ = backend.list_subscriptions_by_topic(topic_arn=self.physical_id(topic))
        boxes: dict[str, list[Delivery]] = {}
        for subscription in subscriptions:
            label = f"{subscription.protocol}:{subscription.endpoint}"
            matcher = subscription._filter_policy_matcher  # noqa: SLF001
            boxes[label] = [
                self._as_delivery(sent, subscription.protocol, label)
                for sent in self._sent(topic)
                if matcher is None or matcher.matches(sent[3], sent[1])
            ]
        return boxes

    def _sent(self, topic: str) -> list[tuple[Any, ...]]:
        return self._sent_to(self.physical_id(topic))

    def _sent_to(self, topic_arn: str) -> list[tuple[Any, ...]]:
        return list(self._sns_backend().topics[topic_arn].sent_notifications)

    # Settling polls every stream and queue after each invocation, and most polls find nothing: asked of the
    # emulator's own record, "nothing new" costs no request. Anything else, or an emulator in another process, is
    # polled through its API.

    def _stream_idle(self, mapping: _StreamMapping) -> bool:
        """No record was written to the stream after the mapping's checkpoint."""
        from moto.dynamodb.models import dynamodb_backends  # noqa: PLC0415 - the emulator's own record

        _, table_name, _, label = mapping.stream_arn.split(":", 5)[5].split("/", 3)
        table = dynamodb_backends[self.pseudo.account_id][self.pseudo.region].tables.get(table_name)
        if table is None or table.stream_shard is None or table.latest_stream_label != label:
            return False
        records = table.stream_shard.items
        return not records or records[-1].record["dynamodb"]["SequenceNumber"] == mapping.checkpoint

    def _queue_idle(self, mapping: _QueueMapping) -> bool:
        """The queue holds no message a receive would return now (none, or only in flight or delayed ones)."""
        from moto.sqs.models import sqs_backends  # noqa: PLC0415 - the emulator's own record

        queue = sqs_backends[self.pseudo.account_id][self.pseudo.region].queues.get(mapping.queue_arn.rsplit(":", 1)[1])
        return queue is not None and queue.approximate_number_of_messages == 0

    def _sns_backend(self) -> Any:
        from moto.sns.models import sns_backends  # noqa: PLC0415 - the emulator's record of what was published

        return sns_backends[self.pseudo.account_id][self.pseudo.region]

    @staticmethod
    def _as_delivery(sent: tuple[Any, ...], protocol: str, label: str) -> Delivery:
        _, message, subject, attributes, _ = sent
        return Delivery(
            subscriber=label,
            protocol=protocol,
            subject=subject if protocol == "email" else None,
            message=_for_protocol(message, protocol),
            attributes={name: str(value.get("Value")) for name, value in (attributes or {}).items()},
        )

    def mailbox(self, address: str) -> list[Email]:
        """Every e-mail SES accepted for `address` (To, Cc or Bcc; case ignored), oldest first, whole: both bodies,
        Reply-To, tags and configuration set (moto keeps only part of a message; see delivery.py)."""
        wanted = address.strip().lower()
        return [e for e in self._deliveries.emails if wanted in {r.lower() for r in e.recipients}]

    def sms(self, phone: str) -> list[Sms]:
        """Every SMS published straight to `phone` (E.164), oldest first, with its SMS attributes."""
        sent = self._deliveries.sms(dict(self._sns_backend().sms_messages))
        return [message for message in sent if message.phone == phone]

    def ses_event(self, kind: str, message_id: str, to: str, **details: Any) -> dict[str, Any]:
        """Make SES report an event for a message it sent: the record SES publishes (delivery.ses_event) goes to
        each enabled SNS event destination of the message's configuration set that matches `kind`, as SES does,
        and what it triggers is settled. Returns the record.

        kind: "send", "delivery", "bounce", "complaint", "reject" or "delivery_delay"; `details` replace fields of the
        event's own object, by their documented names (bounceType="Transient", bounceSubType="MailboxFull").
        """
        with self._lock:
            email = self._deliveries.email(message_id)
            if to.lower() not in {r.lower() for r in email.recipients}:
                raise ValueError(f"message {message_id} was not sent to that address")
            from moto.ses.models import ses_backends  # noqa: PLC0415

            identities = list(ses_backends[self.pseudo.account_id][self.pseudo.region].email_identities)
            record = delivery.ses_event(
                kind,
                email,
                to,
                identity=delivery.sending_identity(email.from_, identities),
                region=self.pseudo.region,
                account_id=self.pseudo.account_id,
                now=self._now,
                details=details,
            )
            matching = delivery.EVENT_KINDS[kind][2]
            for destination in self._event_destinations:
                if (
                    destination.enabled
                    and destination.topic_arn
                    and destination.configuration_set == email.configuration_set
                    and matching in destination.event_types
                ):
                    self._client("sns").publish(
                        TopicArn=destination.topic_arn, Message=json.dumps(record, ensure_ascii=False)
                    )
            self.settle()
            return record

    def platform_events(self) -> list[dict[str, Any]]:
        """Every event put on the template's event buses so far (EventBridge's envelope, `detail` parsed)."""
        with self._lock:
            if self._tap_url is None:
                return []
            sqs = self._client("sqs")
            while messages := sqs.receive_message(QueueUrl=self._tap_url, MaxNumberOfMessages=10).get("Messages", []):
                for message in messages:
                    envelope = json.loads(message["Body"])
                    if isinstance(envelope.get("detail"), str):
                        envelope["detail"] = json.loads(envelope["detail"])
                    self._platform_events.append(envelope)
                    sqs.delete_message(QueueUrl=self._tap_url, ReceiptHandle=message["ReceiptHandle"])
            return list(self._platform_events)

    def queue_messages(self, queue: str) -> list[dict[str, Any]]:
        """The messages waiting in a queue of the template (logical id), left in place."""
        sqs = self._client("sqs")
        url = self.physical_id(queue)
        found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
        return [json.loads(m["Body"]) for m in found]


def _for_protocol(message: str, protocol: str) -> str:
    """What a subscriber of `protocol` receives of a message published with `MessageStructure=json`."""
    with contextlib.suppress(ValueError, TypeError):
        structured = json.loads(message)
        if isinstance(structured, dict) and "default" in structured:
            return str(structured.get(protocol, structured["default"]))
    return message


def _with_local_answers(document: dict[str, Any], parameters: dict[str, str]) -> dict[str, str]:
    declared = document.get("Parameters", {})
    return {**{k: v for k, v in LOCAL_PARAMETERS.items() if k in declared}, **parameters}


def _dependency_order(resources: dict[str, Any]) -> list[str]:
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(logical_id: str) -> None:
        if logical_id in ordered:
            return
        if logical_id in visiting:
            raise TemplateError(f"circular reference through {logical_id}")
        visiting.add(logical_id)
        resource = resources[logical_id]
        depends = resource.get("DependsOn", [])
        for needed in references(resource.get("Properties", {})) | set(
            [depends] if isinstance(depends, str) else depends
        ):
            if needed in resources:
                visit(needed)
        visiting.discard(logical_id)
        ordered.append(logical_id)

    for logical_id in resources:
        visit(logical_id)
    return ordered


def _path_pattern(path: str) -> re.Pattern[str]:
    if path == "$default":
        return re.compile(r"/.*")
    pattern = re.sub(r"\\\{(\w+)\\\+\\\}", r"(?P<\1>.+)", re.escape(path))
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", pattern))


def _s3_matches(trigger: _S3Trigger, key: str) -> bool:
    created = any(e in {"s3:ObjectCreated:*", "s3:ObjectCreated:Put"} for e in trigger.events)
    for rule in trigger.rules:
        name, value = rule["Name"].lower(), rule["Value"]
        if (name == "prefix" and not key.startswith(value)) or (name == "suffix" and not key.endswith(value)):
            return False
    return created


@functools.cache
def _models_session() -> boto3.Session:
    """One boto3 session for every stack of this process on the embedded AWS. moto gives each `mock_aws` a new default
    session, which reads each service's model from disk again (tens of milliseconds a service); the models are the
    installed botocore's, and the credentials moto's fakes, so the session can be shared. Region and endpoint are
    read from the environment by each client, as before.

    Every cold start makes its function's clients anew, and tests make their own: thousands of clients in a run. Each
    client of this session reads its service's model from one `ServiceModel` per service, where botocore makes a new
    one per client and resolves again every shape the client's first calls use; the model is read-only and its
    caches are what any client would compute."""
    session = boto3.Session()
    _share_service_models(session._loader)  # noqa: SLF001 - the session's own data loader
    _keep_event_aliases()
    return session


def _share_service_models(loader: Any) -> None:
    from botocore.client import ClientCreator  # noqa: PLC0415

    models: dict[tuple[str, str | None], Any] = {}
    lock = threading.Lock()
    load = ClientCreator._load_service_model  # noqa: SLF001

    def shared(creator: ClientCreator, service_name: str, api_version: str | None = None) -> Any:
        if creator._loader is not loader:  # noqa: SLF001 - another session's clients keep botocore's own way
            return load(creator, service_name, api_version)
        with lock:
            if (service_name, api_version) not in models:
                models[service_name, api_version] = load(creator, service_name, api_version)
            return models[service_name, api_version]

    ClientCreator._load_service_model = shared  # noqa: SLF001


def _keep_event_aliases() -> None:
    """botocore copies the session's event emitter into every client, and the copy starts without the event names
    already translated through botocore's aliases (a loop over every alias, for each event a call emits, once per
    client). The translation depends only on the aliases, which the copy keeps, so the copies share one record of
    what was translated."""
    from botocore.hooks import EventAliaser  # noqa: PLC0415

    forgetful = EventAliaser.__copy__

    def copy_with_aliases(aliaser: EventAliaser) -> EventAliaser:
        copied = forgetful(aliaser)
        if copied._event_aliases == aliaser._event_aliases:  # noqa: SLF001
            copied._alias_name_cache = aliaser._alias_name_cache  # noqa: SLF001
        return copied

    EventAliaser.__copy__ = copy_with_aliases


@contextlib.contextmanager
def _embedded_session() -> Iterator[None]:
    """boto3's default session, the functions' and the stack's own clients', is the shared one while the stack is
    entered."""
    saved = boto3.DEFAULT_SESSION
    boto3.DEFAULT_SESSION = _models_session()
    try:
        yield
    finally:
        boto3.DEFAULT_SESSION = saved


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
