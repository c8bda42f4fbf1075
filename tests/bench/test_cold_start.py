"""Cold start per function, as issue 13 measures it, next to a baseline measured in the same run.

- Cold start: a fresh process imports the handler module and builds every client its first invocation uses. The
  baseline: a fresh process running `import boto3; boto3.client("dynamodb")`.
- Peers, in the same rounds: the floor (verify + one DynamoDB client), AWS's serverless webhook pattern (verify +
  an SQS client), the Powertools way (idempotency over DynamoDB + an SNS client) and the frame every Ponte handler
  stands on (Powertools' Logger and Metrics, one pydantic settings model, a DynamoDB client).
- First delivery: that, plus handling the function's sample event (`events/`) against the AWS emulator's server, on
  a stack provisioned afresh for each run. The baseline: the bare client plus one PutItem on the same server.

Each is measured twice: with no bytecode anywhere (copies of the layer, the functions and every library they import,
without __pycache__, run with -B) and with bytecode (the layer and the libraries compiled with unchecked-hash
invalidation, as `layers/ponte/Makefile` ships the layer; the handlers stay source, as `sam build` ships them).
Python runs without its site (-S): only those copies and the standard library are on the path.

Prints tables; never fails on time. Run with `make bench`.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.request import Request, urlopen

import pytest
from packaging.requirements import Requirement

from tests.conftest import FAKE_AWS
from tests.support import ROOT, T0, sample_event

RUNS = 7
DELIVERY_RUNS = 3
RUNTIME = ["boto3"]  # what the Lambda runtime provides; the layer's requirements come on top

PROBE = """
import json, sys, time
started = time.perf_counter()
{body}
print(json.dumps({{"ms": (time.perf_counter() - started) * 1000}}))
"""

BASELINE_BODY = """
import boto3
client = boto3.client("dynamodb")
"""

# What a user would pick instead of Ponte's webhook, and what Ponte's own code stands on, each imported and its clients
# built as a cold start does, so that their ratios sit beside the functions':
# - the floor: verify an HMAC signature and make one conditional write;
# - AWS's serverless webhook pattern: verify, then hand the raw event to a queue (SQS) for later processing;
# - the Powertools way: `idempotent_function` over a DynamoDB persistence layer, a PutItem and an SNS publish;
# - the handler's frame as STYLE.md draws it: Powertools' Logger and Metrics and one pydantic settings model.
PEERS = {
    "floor": """
import hashlib, hmac, json
import boto3
client = boto3.client("dynamodb")
""",
    "aws pattern": """
import hashlib, hmac, json
import boto3
client = boto3.client("sqs")
""",
    "powertools way": """
import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, idempotent_function
from aws_lambda_powertools.utilities.idempotency.config import IdempotencyConfig
logger, metrics = Logger(service="bench"), Metrics(namespace="Bench", service="bench")
persistence = DynamoDBPersistenceLayer(table_name="idempotency")  # builds its DynamoDB client
table = boto3.client("dynamodb")
topic = boto3.client("sns")
""",
    "frame only": """
import boto3
from aws_lambda_powertools import Logger, Metrics
from pydantic import BaseModel
class Settings(BaseModel):
    TABLE_NAME: str
logger, metrics = Logger(service="bench"), Metrics(namespace="Bench", service="bench")
settings = Settings(TABLE_NAME="table")
client = boto3.client("dynamodb")
""",
}

PUT_ITEM_BODY = """
client.put_item(TableName={table!r}, Item={{"pk": {{"S": "BENCH#" + str(time.time_ns())}}, "sk": {{"S": "BENCH"}}}})
"""

HANDLER_BODY = """
import functools, importlib.util
spec = importlib.util.spec_from_file_location("handler", {path!r})
module = importlib.util.module_from_spec(spec)
sys.modules["handler"] = module
spec.loader.exec_module(module)
def build_clients(part, depth=0):
    # Adapters build their boto3 client on first use: build every one the function's wiring holds, now (the
    # wiring's cached properties included, the ports a first delivery reaches).
    if depth > 3 or part is None or isinstance(part, (str, bytes, int, float, type)):
        return
    if isinstance(part, (tuple, list)):
        for item in part:
            build_clients(item, depth + 1)
        return
    if hasattr(type(part), "client"):
        part.client
    for name, member in vars(type(part)).items():
        if isinstance(member, functools.cached_property):
            build_clients(getattr(part, name), depth + 1)
    for item in list(getattr(part, "__dict__", {{}}).values()):
        build_clients(item, depth + 1)
wiring = getattr(module, "_wiring", None)
if wiring:
    build_clients(wiring())
"""

DELIVERY_BODY = """
class Context:
    function_name = "ponte-bench"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:ponte-bench"
    memory_limit_in_mb = 512
    aws_request_id = "bench"
    log_group_name = "/aws/lambda/ponte-bench"
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self):
        return 30_000

module.lambda_handler(json.loads({event!r}), Context())
"""


@dataclass(frozen=True)
class Tree:
    """Copies of the layer, the functions and the libraries, and how Python runs over them."""

    root: Path
    bytecode: bool

    @property
    def label(self) -> str:
        return "with bytecode (unchecked-hash)" if self.bytecode else "no bytecode anywhere"

    def handler(self, name: str) -> Path:
        return self.root / "functions" / name / "handler.py"

    def run(self, body: str, env: dict[str, str]) -> float:
        flags = ["-S"] if self.bytecode else ["-S", "-B"]
        path = os.pathsep.join(str(self.root / part) for part in ("layer", "site"))
        answer = subprocess.run(
            [sys.executable, *flags, "-c", PROBE.format(body=body)],
            env={**env, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"},
            capture_output=True,
            text=True,
            check=False,
        )
        if answer.returncode:
            raise AssertionError(f"the probe failed:\n{answer.stderr[-3000:]}")
        return float(json.loads(answer.stdout.strip().splitlines()[-1])["ms"])


def _distributions(names: list[str]) -> list[importlib.metadata.Distribution]:
    """The distributions named and everything they require (extras left out), as installed here."""
    found: dict[str, importlib.metadata.Distribution] = {}
    pending = list(names)
    while pending:
        name = re.sub(r"[-_.]+", "-", pending.pop()).lower()
        if name in found:
            continue
        dist = importlib.metadata.distribution(name)
        found[name] = dist
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(requirement.name)
    return list(found.values())


def _layer_requirements() -> list[str]:
    lines = (ROOT / "layers" / "ponte" / "requirements.txt").read_text().splitlines()
    return [Requirement(line).name for line in lines if line.strip() and not line.startswith("#")]


def _copy_libraries(site: Path) -> None:
    for dist in _distributions(RUNTIME + _layer_requirements()):
        base = Path(str(dist.locate_file(""))).resolve()
        for file in dist.files or []:
            source = Path(str(dist.locate_file(file))).resolve()
            if "__pycache__" in source.parts or source.suffix == ".pyc" or not source.is_relative_to(base):
                continue
            target = site / source.relative_to(base)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def _source_tree(root: Path) -> Tree:
    """Copies of the layer, the functions and their libraries without any compiled bytecode."""
    no_bytecode = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "layers" / "ponte" / "ponte", root / "layer" / "ponte", ignore=no_bytecode)
    shutil.copytree(ROOT / "functions", root / "functions", ignore=no_bytecode)
    _copy_libraries(root / "site")
    return Tree(root, bytecode=False)


def _compiled_tree(source: Tree, root: Path) -> Tree:
    """The same copies, the layer and the libraries compiled as the layer is built (`layers/ponte/Makefile`)."""
    shutil.copytree(source.root, root)
    compiled = [str(root / "layer"), str(root / "site")]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash", *compiled],
        check=True,
        capture_output=True,
    )
    return Tree(root, bytecode=True)


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> list[Tree]:
    source = _source_tree(tmp_path_factory.mktemp("source"))
    return [source, _compiled_tree(source, tmp_path_factory.mktemp("compiled") / "tree")]


def _base_env() -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), **FAKE_AWS}


def _function_environment() -> dict[str, dict[str, str]]:
    """Each function's environment as the template resolves it (parameters' defaults, resources' names)."""
    from infra.local import LocalStack

    with LocalStack(now=T0) as stack:
        return {
            spec.code_dir.name: {**spec.environment, "POWERTOOLS_METRICS_DISABLED": "true"}
            for spec in stack.functions.values()
        }


def _rounds(measures: dict[str, Callable[[], float]], runs: int) -> dict[str, list[float]]:
    """Each measure once per round, in turn, so that the machine's load weighs on all of them alike."""
    samples: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(runs):
        for name, measure in measures.items():
            samples[name].append(measure())
    return samples


def _summary(samples: list[float]) -> tuple[float, float, float]:
    return statistics.median(samples), min(samples), max(samples)


def _table(title: str, baseline_name: str, baseline: float, rows: list[tuple[str, tuple[float, float, float]]]) -> None:
    print(f"\n{title}; {baseline_name}: {baseline:.0f} ms")
    print(f"{'function':22} {'median ms':>10} {'min':>6} {'max':>6} {'x baseline':>11}")
    for name, (median, low, high) in rows:
        print(f"{name:22} {median:10.0f} {low:6.0f} {high:6.0f} {median / baseline:11.2f}")


def test_cold_start_per_function(trees: list[Tree]) -> None:
    environments = _function_environment()
    base = _base_env()
    for tree in trees:
        measures: dict[str, Callable[[], float]] = {"": partial(tree.run, BASELINE_BODY, base)}
        for name, variables in sorted(environments.items()):
            body = HANDLER_BODY.format(path=str(tree.handler(name)))
            measures[name] = partial(tree.run, body, {**base, **variables})
        for peer, body in PEERS.items():
            measures[f"peer: {peer}"] = partial(tree.run, body, base)
        samples = _rounds(measures, RUNS)
        baseline = statistics.median(samples.pop(""))
        rows = [(name, _summary(found)) for name, found in samples.items()]
        title = f"Cold start: import + clients, fresh process, {tree.label}, median of {RUNS}"
        _table(title, 'bare `import boto3; boto3.client("dynamodb")`', baseline, rows)
        assert rows, "the template has functions to measure"


# The sample event of each function, as its trigger delivers it; the staff API has none (its calls are the console's).
SAMPLES = {
    "collections_digest": "collections-digest-schedule.json",
    "delivery_events": "delivery-events-sns-bounce.json",
    "dunning_sweep": "dunning-sweep-schedule.json",
    "dunning_worker": "dunning-worker-sqs.json",
    "invoice_upload": "invoice-upload-s3-put.json",
    "notifier": "notifier-outbox-insert.json",
    "payment_webhook": "payment-webhook-stripe.json",
}
SAMPLE_WEBHOOK_SECRET = "whsec_sample_not_a_real_secret"  # what events/payment-webhook-stripe.json is signed with


@contextlib.contextmanager
def _emulator() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@contextlib.contextmanager
def _fresh_stack(endpoint: str) -> Iterator[Any]:
    """The template provisioned on the emulator's server, emptied first: each delivery is a first one."""
    from infra.local import LocalStack

    urlopen(Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=30).close()
    with LocalStack(now=T0, endpoint=endpoint, webhook_secrets={"stripe": SAMPLE_WEBHOOK_SECRET}) as stack:
        yield stack


def _sample(name: str, stack: Any) -> dict[str, Any]:
    """The function's sample event; an upload's names the object it announces, which is put first."""
    event: dict[str, Any] = sample_event(SAMPLES[name])
    if name == "invoice_upload":
        from tests.upload_support import csv_file, row

        record = event["Records"][0]["s3"]
        bucket = stack.physical_id("InvoicesBucket")
        data = csv_file(row(1001, amount="100,00", due="10/12/2026"))
        put = stack.client("s3").put_object(Bucket=bucket, Key="incoming/recebíveis novembro.csv", Body=data)
        record["bucket"] |= {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"}
        record["object"] |= {"size": len(data), "eTag": put["ETag"].strip('"'), "versionId": put.get("VersionId")}
    return event


def test_first_delivery_per_function(trees: list[Tree]) -> None:
    with _emulator() as endpoint:
        for tree in trees:
            baselines: list[float] = []
            samples: dict[str, list[float]] = {name: [] for name in SAMPLES}
            for _ in range(DELIVERY_RUNS):
                with _fresh_stack(endpoint) as stack:
                    env = {**_base_env(), "AWS_ENDPOINT_URL": endpoint}
                    put = BASELINE_BODY + PUT_ITEM_BODY.format(table=stack.physical_id("Table"))
                    baselines.append(tree.run(put, env))
                    for name in SAMPLES:
                        spec = next(s for s in stack.functions.values() if s.code_dir.name == name)
                        variables = {**spec.environment, "POWERTOOLS_METRICS_DISABLED": "true"}
                        event = json.dumps(_sample(name, stack))
                        body = HANDLER_BODY.format(path=str(tree.handler(name))) + DELIVERY_BODY.format(event=event)
                        samples[name].append(tree.run(body, {**env, **variables}))
            baseline = statistics.median(baselines)
            rows = [(name, _summary(found)) for name, found in sorted(samples.items())]
            title = (
                f"First delivery: import + clients + the sample event on the emulator's server, {tree.label}, "
                f"median of {DELIVERY_RUNS}"
            )
            _table(title, "bare client + one PutItem", baseline, rows)


@pytest.mark.parametrize(
    "module", ["ponte.domain.money", "ponte.adapters.dynamodb", "ponte.adapters.secrets", "ponte.settings"]
)
def test_layer_modules_import_without_aws_clients_or_environment(module: str, trees: list[Tree]) -> None:
    """Importing a layer module must not create clients or read the environment (checked in a bare process)."""
    body = f"import {module}, boto3\nassert boto3.DEFAULT_SESSION is None, 'a client was created at import'"
    for tree in trees:
        tree.run(body, {"PATH": os.environ.get("PATH", "")})
