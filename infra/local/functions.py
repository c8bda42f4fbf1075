"""The template's functions, run in this process the way Lambda runs them.

Each function's handler module is loaded once per stack from its CodeUri (a warm container) until the stack is reset,
and each invocation runs with exactly the environment the template gives the function, plus what the Lambda runtime
sets.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from infra.local.template import TemplateError

_ENVIRONMENT_LOCK = threading.RLock()


@dataclass
class FunctionSpec:
    logical_id: str
    name: str
    arn: str
    code_dir: Path
    handler: str
    environment: dict[str, str]
    events: dict[str, dict[str, Any]]
    memory_mb: int
    timeout_s: int
    dead_letter_arn: str | None = None
    on_failure_arn: str | None = None
    maximum_retry_attempts: int = 2
    _module: ModuleType | None = field(default=None, repr=False)

    def module(self) -> ModuleType:
        """The handler's module, as loaded in this stack's warm container."""
        self.entry_point()
        assert self._module is not None
        return self._module

    def entry_point(self) -> Any:
        module_name, _, function_name = self.handler.rpartition(".")
        if self._module is None:
            path = self.code_dir / f"{module_name.replace('.', '/')}.py"
            if not path.is_file():
                raise TemplateError(f"{self.logical_id}: handler file {path} does not exist")
            spec = importlib.util.spec_from_file_location(f"ponte_local_{self.logical_id}_{id(self)}", path)
            assert spec is not None
            assert spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module  # as an import would: pydantic resolves the module's annotations there
            with self.environment_applied():
                spec.loader.exec_module(module)
            self._module = module
        return getattr(self._module, function_name)

    def cold(self) -> None:
        """Discards the warm container: the next invocation loads the handler's module afresh, as a cold start does."""
        if self._module is not None:
            sys.modules.pop(self._module.__name__, None)
            self._module = None

    @contextmanager
    def environment_applied(self) -> Any:
        """The function's environment, for the duration of one invocation (one at a time, as in a container)."""
        with _ENVIRONMENT_LOCK:
            saved = dict(os.environ)
            os.environ.update(self.environment)
            try:
                yield
            finally:
                os.environ.clear()
                os.environ.update(saved)


class LambdaContext:
    """What Lambda passes as `context`."""

    def __init__(self, spec: FunctionSpec) -> None:
        self.function_name = spec.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = spec.arn
        self.memory_limit_in_mb = spec.memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{spec.name}"
        self.log_stream_name = "local"
        self._timeout_ms = spec.timeout_s * 1000

    def get_remaining_time_in_millis(self) -> int:
        return self._timeout_ms


def invoke(spec: FunctionSpec, event: Any) -> Any:
    """One synchronous invocation; the handler's exception propagates, as the trigger would see it."""
    handler = spec.entry_point()
    with spec.environment_applied():
        return handler(event, LambdaContext(spec))
