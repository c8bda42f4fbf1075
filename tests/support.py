"""Helpers shared by the tests."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from infra.local import LocalStack

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "fixtures"
T0 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def fixture(*parts: str) -> Path:
    """A published fixture from ../shared/fixtures; the test is skipped when the folder is absent."""
    path = FIXTURES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared fixture {'/'.join(parts)} is not available next to the repository")
    return path


def sample_event(name: str) -> Any:
    return json.loads((ROOT / "events" / name).read_text())


def load_handler(function: str) -> ModuleType:
    """Import functions/<function>/handler.py as Lambda does (a fresh module, as in a new container)."""
    path = ROOT / "functions" / function / "handler.py"
    spec = importlib.util.spec_from_file_location(f"handler_{function}_{id(path)}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class FakeContext:
    function_name = "test"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test"
    memory_limit_in_mb = 512
    aws_request_id = "test-request"
    log_group_name = "/aws/lambda/test"
    log_stream_name = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


class Stacks:
    """Local stacks built once per test process and entered again by every test that asks for the same arguments:
    entered again, a stack is put back as it was built (`LocalStack.reset`) in milliseconds, where building it takes
    a second or more. A stack is lent to one holder at a time; a second holder of the same arguments gets its own.

    `with stacks(now=T0, parameters=...) as stack:` takes LocalStack's own arguments.
    """

    def __init__(self) -> None:
        self._free: dict[str, list[LocalStack]] = {}

    @contextlib.contextmanager
    def __call__(self, **arguments: Any) -> Iterator[LocalStack]:
        from infra.local import LocalStack  # here, not at the top: unit tests import this module without moto

        key = json.dumps(arguments, sort_keys=True, default=str)
        free = self._free.setdefault(key, [])
        local = free.pop() if free else LocalStack(**arguments)
        with local:  # one that failed to build is not lent again
            try:
                yield local
            finally:
                free.append(local)
