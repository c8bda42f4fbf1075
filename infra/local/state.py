"""What the embedded AWS holds, copied and put back: a stack is built once, and comes back as built in milliseconds.

moto keeps everything it knows in one `BackendDict` per service (account -> region -> backend), each listed in
`BackendDict._instances` once used; S3's also maps bucket names to their accounts, outside its backends. `take()`
copies every listed one, those fields included, in one deep copy, so that what one service's state shares with
another's stays shared in the copy. `put()` makes moto hold a copy of what was taken instead, and hands back what
moto held before, uncopied, to be put back in turn or discarded.

A copy of the emulator at rest holds no lock: moto's locks (an SQS queue's condition, an S3 object's) are copied as
new, free ones (a condition, on a new lock). SSM's `ParameterDict`, a defaultdict whose constructor wants an account
and a region, is copied field by field.
"""

from __future__ import annotations

import _thread
import contextlib
import copy
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# A service's state: its BackendDict, the backends it holds by account, and the fields a subclass adds to it.
Service = tuple[Any, dict[str, Any], dict[str, Any]]


@dataclass(frozen=True)
class State:
    """Everything the embedded AWS held at one moment."""

    services: tuple[Service, ...] = ()


def take() -> State:
    """A copy of what the embedded AWS holds now."""
    from moto.core.base_backend import backend_lock  # noqa: PLC0415 - the emulator, only when the stack runs

    with backend_lock:
        return _copied(_held())


def put(state: State, *, copied: bool = True) -> State:
    """Makes the embedded AWS hold `state` (a copy of it, unless `copied` is False, for a state handed back by `put`
    itself) and nothing else. Returns what it held before."""
    from moto.core.base_backend import BackendDict, backend_lock  # noqa: PLC0415

    with backend_lock:
        before = _held()
        incoming = _copied(state) if copied else state
        registered: list[Any] = BackendDict._instances  # type: ignore[misc]  # noqa: SLF001 - the services in use
        for backends, _, _ in before.services:
            dict.clear(backends)
            backends.__dict__.update(_fields(type(backends)(backends.backend, backends.service_name)))
        registered.clear()
        for backends, accounts, fields in incoming.services:
            dict.clear(backends)
            dict.update(backends, accounts)
            backends.__dict__.update(fields)
            registered.append(backends)
        return before


def discard(state: State) -> None:
    """Closes the files moto's S3 keeps object bodies in, as moto does when it resets S3 (only this state's)."""
    from moto.s3.models import FakeKey, S3Backend  # noqa: PLC0415

    for _, accounts, _ in state.services:
        for backend in (b for regions in accounts.values() for b in regions.values()):
            if not isinstance(backend, S3Backend):
                continue
            for bucket in backend.buckets.values():
                for key in bucket.keys.values():
                    if isinstance(key, FakeKey):
                        key.dispose()
                for part in bucket.multiparts.values():
                    part.dispose()


def _held() -> State:
    from moto.core.base_backend import BackendDict  # noqa: PLC0415

    registered: list[Any] = BackendDict._instances  # type: ignore[misc]  # noqa: SLF001
    return State(tuple((backends, dict(backends), _fields(backends)) for backends in registered))


def _fields(backends: Any) -> dict[str, Any]:
    """What a BackendDict's subclass adds to it (S3's bucket-to-account map)."""
    from moto.core.base_backend import BackendDict, BaseBackend  # noqa: PLC0415

    own = vars(BackendDict(BaseBackend, "-"))
    return {name: value for name, value in vars(backends).items() if name not in own}


def _copied(state: State) -> State:
    # The BackendDicts themselves are moto's module-level registries: the copy refers to the same ones.
    memo: dict[int, Any] = {id(backends): backends for backends, _, _ in state.services}
    with _copyable():
        copied: State = copy.deepcopy(state, memo)
        return copied


@contextlib.contextmanager
def _copyable() -> Iterator[None]:
    from moto.ssm.models import ParameterDict  # noqa: PLC0415

    dispatch: dict[type, Any] = copy._deepcopy_dispatch  # type: ignore[attr-defined]  # noqa: SLF001
    added = {
        _thread.LockType: lambda _lock, _memo: _thread.allocate_lock(),
        _thread.RLock: lambda _lock, _memo: _thread.RLock(),
        # A condition's methods are its lock's, bound: copied as is (builtins), they would still be the old lock's.
        threading.Condition: lambda condition, memo: threading.Condition(copy.deepcopy(condition._lock, memo)),  # noqa: SLF001
        ParameterDict: _copy_parameters,
    }
    saved = {kind: dispatch[kind] for kind in added if kind in dispatch}
    dispatch.update(added)
    try:
        yield
    finally:
        for kind in added:
            dispatch.pop(kind, None)
        dispatch.update(saved)


def _copy_parameters(parameters: Any, memo: dict[int, Any]) -> Any:
    kind: Any = type(parameters)
    copied = kind.__new__(kind)
    memo[id(parameters)] = copied
    defaultdict.__init__(copied, parameters.default_factory)
    vars(copied).update(copy.deepcopy(vars(parameters), memo))
    for name, versions in parameters.items():
        dict.__setitem__(copied, name, copy.deepcopy(versions, memo))
    return copied
