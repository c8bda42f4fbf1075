"""Invoice uploads through the whole path on the embedded AWS: a CSV put in the bucket, the function reading it as a
stream, checking it, recording it in the table, writing its report and its alert.

Each scenario runs in a fresh process whose peak resident memory (`VmHWM`) is the function's, next to the
emulator: the emulator runs as a server in this process (moto's threaded server), so the table's and the
bucket's contents are not counted. DynamoDB calls are counted with botocore's `before-call.dynamodb.*` events on
boto3's default session, which the function's clients use.

Prints a table, then the figures of issue 13 with their baselines from the same run: DynamoDB calls per 1,000
invoices for 1,000 new customers (and, as the baseline, with each account opened in its own transaction, as before
openings were batched) and for returning customers (a second file of new invoices for the same customers); peak
memory at 100,000 rows beside the peak at 1,000. Never fails on time. Run with `make bench` (about 5 minutes on two
cores).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from tests.conftest import FAKE_AWS
from tests.support import ROOT

SCENARIO = r"""
import collections, itertools, json, os, resource, sys, tempfile, time
from datetime import UTC, datetime
import boto3
from infra.local import LocalStack
from infra.local.events import s3_put
from infra.local.functions import invoke
from tests.upload_support import HEADER, many_rows

def peak_mb():
    # VmHWM: this process's own peak resident memory. ru_maxrss would also count the parent's, inherited at fork.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

rows, customers, endpoint, name = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
attempts, alone = sys.argv[5].split(","), sys.argv[6] == "alone"
if alone:  # the baseline: every new account opened in its own transaction, as before openings were batched
    from ponte.adapters.invoice_batches import InvoiceBatches
    InvoiceBatches.open_accounts = lambda self, changes: list(changes)
now = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
quiet = {"POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"}
with LocalStack(now=now, endpoint=endpoint, stack_name=name, environment=quiet) as stack:
    bucket, s3 = stack.physical_id("InvoicesBucket"), stack.client("s3")
    with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8") as file:
        file.write(HEADER + "\n")
        for line in many_rows(rows, customers):
            file.write(line + "\n")
        file.flush()
        size = os.path.getsize(file.name)
        with open(file.name, "rb") as body:  # streamed from disk in one PUT, not held in memory
            s3.put_object(Bucket=bucket, Key="incoming/bench.csv", Body=body)
    def uploaded(etag, version_id):
        return s3_put(
            bucket=bucket, key="incoming/bench.csv", size=size, etag=etag, version_id=version_id,
            region="us-east-1", now=now,
        )

    head = s3.head_object(Bucket=bucket, Key="incoming/bench.csv")
    event = uploaded(head["ETag"], head.get("VersionId"))
    calls = collections.Counter()
    boto3.setup_default_session()
    boto3.DEFAULT_SESSION.events.register("before-call.dynamodb.*", lambda model, **_: calls.update([model.name]))
    function = stack.functions["InvoiceUpload"]
    results = []
    for attempt in attempts:
        if attempt == "again":  # the same file uploaded once more: a new object version
            copied = s3.copy_object(
                Bucket=bucket, Key="incoming/bench.csv", CopySource={"Bucket": bucket, "Key": "processed/bench.csv"}
            )
            event = uploaded(copied["CopyObjectResult"]["ETag"], copied.get("VersionId"))
        elif attempt == "next":  # the next month's file: new invoices for the same customers
            body = "\n".join([HEADER, *itertools.islice(many_rows(2 * rows, customers), rows, None)]) + "\n"
            put = s3.put_object(Bucket=bucket, Key="incoming/next.csv", Body=body.encode())
            event = s3_put(
                bucket=bucket, key="incoming/next.csv", size=len(body.encode()), etag=put["ETag"],
                version_id=put.get("VersionId"), region="us-east-1", now=now,
            )
        calls.clear()
        before = peak_mb()
        started = time.perf_counter()
        (outcome,) = invoke(function, event)["uploads"]
        seconds = time.perf_counter() - started
        results.append({
            "attempt": attempt + (" one-by-one" if alone else ""), "rows": rows, "customers": customers,
            "bytes": size, "seconds": seconds,
            "status": outcome["status"], "counts": outcome["counts"],
            "rss_before_mb": before, "rss_peak_mb": peak_mb(),
            "calls": dict(calls),
        })
print(json.dumps(results))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # The emulator backs up every table a transaction names, whole, before applying it (to roll back a cancelled
    # one): at 100,000 items that is gigabytes per transaction, which DynamoDB itself never spends. No transaction
    # of these scenarios is cancelled, so the backup is skipped here.
    import moto.dynamodb.models as dynamodb_models

    original_copy = dynamodb_models.copy  # type: ignore[attr-defined]
    dynamodb_models.copy = SimpleNamespace(deepcopy=lambda value: value)  # type: ignore[attr-defined,assignment]
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()
    dynamodb_models.copy = original_copy  # type: ignore[attr-defined]


def _scenario(
    emulator: str, rows: int, customers: int, name: str, attempts: str, *, alone: bool = False
) -> list[dict[str, object]]:
    answer = subprocess.run(
        [sys.executable, "-c", SCENARIO, str(rows), str(customers), emulator, name, attempts, "alone" if alone else ""],
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": f"{ROOT / 'layers' / 'ponte'}{os.pathsep}{ROOT}",
            **FAKE_AWS,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if answer.returncode != 0:
        pytest.fail(f"the scenario failed:\n{answer.stderr[-3000:]}")
    return list(json.loads(answer.stdout.strip().splitlines()[-1]))


def _per_thousand(run: dict[str, object]) -> float:
    calls = run["calls"]
    assert isinstance(calls, dict)
    return 1000 * sum(calls.values()) / int(str(run["rows"]))


def test_upload_throughput_memory_and_calls(emulator: str) -> None:
    scenarios: list[tuple[int, int, str, str, bool]] = [
        (1_000, 10, "bench-1k-few", "first,again", False),
        (1_000, 1_000, "bench-1k-new", "first,next", False),
        (1_000, 1_000, "bench-1k-new-alone", "first", True),
        (10_000, 10, "bench-10k", "first,again", False),
        (100_000, 10, "bench-100k", "first", False),
    ]
    runs = [
        run
        for rows, customers, name, attempts, alone in scenarios
        for run in _scenario(emulator, rows, customers, name, attempts, alone=alone)
    ]
    print("\nInvoice upload, CSV through S3 -> function -> DynamoDB -> report, on the embedded AWS (moto server)")
    print(
        f"{'rows':>7} {'customers':>9} {'upload':>17} {'MB':>5} {'seconds':>8} {'invoices/s':>10} "
        f"{'RSS before':>10} {'RSS peak':>9} {'calls/1000':>10}  calls"
    )
    for run in runs:
        counts = run["counts"]
        assert isinstance(counts, dict)
        assert run["status"] == "imported"
        assert counts["created"] + counts["unchanged"] == run["rows"]
        seconds = float(str(run["seconds"]))
        print(
            f"{run['rows']:>7} {run['customers']:>9} {run['attempt']:>17} {int(str(run['bytes'])) / 1e6:5.1f} "
            f"{seconds:8.1f} {int(str(run['rows'])) / seconds:10.0f} {float(str(run['rss_before_mb'])):8.0f}MB "
            f"{float(str(run['rss_peak_mb'])):7.0f}MB {_per_thousand(run):10.1f}  {run['calls']}"
        )

    def find(rows: int, customers: int, attempt: str) -> dict[str, object]:
        return next(r for r in runs if (r["rows"], r["customers"], r["attempt"]) == (rows, customers, attempt))

    new, alone = find(1_000, 1_000, "first"), find(1_000, 1_000, "first one-by-one")
    returning = find(1_000, 1_000, "next")
    print("\nDynamoDB calls per 1,000 invoices (issue 13: at most 150 for new customers)")
    print(f"  1,000 new customers, openings batched     {_per_thousand(new):7.1f}")
    print(f"  1,000 new customers, one transaction each {_per_thousand(alone):7.1f}   (baseline, same run)")
    print(f"  returning customers, new invoices         {_per_thousand(returning):7.1f}")
    big, small = find(100_000, 10, "first"), find(1_000, 10, "first")
    print("Peak resident memory of the function's process (issue 13: flat at 100,000 rows)")
    big_mb, small_mb, idle_mb = (
        float(str(r[k])) for r, k in ((big, "rss_peak_mb"), (small, "rss_peak_mb"), (big, "rss_before_mb"))
    )
    print(
        f"  100,000 rows {big_mb:5.0f} MB   1,000 rows {small_mb:5.0f} MB (baseline, same run)   "
        f"before any upload {idle_mb:5.0f} MB"
    )
