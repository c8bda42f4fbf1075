"""Cold start per function: import the handler module and build its clients in a fresh process, as a freshly
deployed Lambda does (no __pycache__), median of several runs, next to a bare `import boto3` in the same run.

Prints a table; never fails on time. Run with `make bench`.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FAKE_AWS
from tests.support import ROOT, T0

RUNS = 7

PROBE = """
import importlib.util, json, sys, time
started = time.perf_counter()
{body}
print(json.dumps({{"ms": (time.perf_counter() - started) * 1000}}))
"""

HANDLER_BODY = """
import dataclasses
spec = importlib.util.spec_from_file_location("handler", {path!r})
module = importlib.util.module_from_spec(spec)
sys.modules["handler"] = module
spec.loader.exec_module(module)
def build_clients(part, depth=0):
    # Adapters build their boto3 client on first use: build every one the function's wiring holds, now.
    if depth > 2:
        return
    if isinstance(part, tuple):
        for item in part:
            build_clients(item, depth + 1)
        return
    if dataclasses.is_dataclass(part):
        for item in vars(part).values():
            build_clients(item, depth + 1)
    if hasattr(type(part), "client"):
        part.client
    for name in ("store", "policy", "secrets"):
        if hasattr(type(part), name):
            build_clients(getattr(part, name), depth + 1)
wiring = getattr(module, "_wiring", None)
if wiring:
    build_clients(wiring())
"""


def _fresh_tree(tmp: Path) -> tuple[Path, Path]:
    """Copies of the layer and the functions without any compiled bytecode."""
    layer = tmp / "layer"
    shutil.copytree(ROOT / "layers" / "ponte" / "ponte", layer / "ponte", ignore=shutil.ignore_patterns("__pycache__"))
    functions = tmp / "functions"
    shutil.copytree(ROOT / "functions", functions, ignore=shutil.ignore_patterns("__pycache__"))
    return layer, functions


def _run(body: str, layer: Path, env: dict[str, str]) -> float:
    answer = subprocess.run(
        [sys.executable, "-B", "-c", PROBE.format(body=body)],
        env={**env, "PYTHONPATH": str(layer), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    return float(json.loads(answer.stdout.strip().splitlines()[-1])["ms"])


def _function_environment() -> dict[str, dict[str, str]]:
    """Each function's environment as the template resolves it (parameters' defaults, resources' names)."""
    from infra.local import LocalStack

    with LocalStack(now=T0) as stack:
        return {
            spec.code_dir.name: {**spec.environment, "POWERTOOLS_METRICS_DISABLED": "true"}
            for spec in stack.functions.values()
        }


def test_cold_start_per_function(tmp_path: Path) -> None:
    layer, functions = _fresh_tree(tmp_path)
    base_env = {"PATH": os.environ.get("PATH", ""), **FAKE_AWS}
    baseline = statistics.median(_run("import boto3", layer, base_env) for _ in range(RUNS))
    rows = []
    for name, variables in sorted(_function_environment().items()):
        path = functions / name / "handler.py"
        samples = [_run(HANDLER_BODY.format(path=str(path)), layer, {**base_env, **variables}) for _ in range(RUNS)]
        rows.append((name, statistics.median(samples), min(samples), max(samples)))
    print(f"\nCold start (fresh process, no __pycache__, median of {RUNS}); bare `import boto3`: {baseline:.0f} ms")
    print(f"{'function':16} {'median ms':>10} {'min':>6} {'max':>6} {'x import boto3':>15}")
    for name, median, low, high in rows:
        print(f"{name:16} {median:10.0f} {low:6.0f} {high:6.0f} {median / baseline:15.2f}")
    assert rows, "the template has functions to measure"


@pytest.mark.parametrize("module", ["ponte.domain.money", "ponte.adapters.dynamodb", "ponte.settings"])
def test_layer_modules_import_without_aws_clients_or_environment(module: str, tmp_path: Path) -> None:
    """Importing a layer module must not create clients or read the environment (checked in a bare process)."""
    layer, _ = _fresh_tree(tmp_path)
    body = f"import {module}, boto3\nassert boto3.DEFAULT_SESSION is None, 'a client was created at import'"
    _run(body, layer, {"PATH": os.environ.get("PATH", "")})
