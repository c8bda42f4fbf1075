from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError

from infra.local import LocalStack
from tests.support import ROOT, T0, Stacks

SUBSCRIBERS = {
    "StaffAlertEmail": "staff@example.com",
    "StaffAlertPhone": "+5511999990000",
    # Customer e-mail goes out from the business's domain (an SES identity, verified at once on the embedded AWS).
    "CustomerEmailSender": "solnascente.example",
}
# The business's identity as an operator sets it after deploying (customer notices are held until then).
BUSINESS = {"BusinessIdentityParameter": (ROOT / "infra" / "local" / "business_example.json").read_text()}


@pytest.fixture(scope="session")
def stacks() -> Stacks:
    """The stacks of this test process (of this xdist worker), each built the first time a test asks for it."""
    return Stacks()


@pytest.fixture
def stack(stacks: Stacks) -> Iterator[LocalStack]:
    """The stack as it was built, with the subscribers and the business's identity set. A test that needs other
    arguments asks `stacks` for its own."""
    with stacks(now=T0, parameters=SUBSCRIBERS, documents=BUSINESS) as local:
        yield local


class Outage:
    """SNS (staff alerts, SMS, the customer notices feed) refuses every publish while the stack's clock is before
    `until` (None: never), counting the ones it refused."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.until: datetime | None = None
        self.refused = 0

    def __call__(self, **_: Any) -> None:
        if self.until is not None and self.stack.now < self.until:
            self.refused += 1
            raise EndpointConnectionError(endpoint_url="https://sns.us-east-1.amazonaws.com")


@pytest.fixture
def outage(stack: LocalStack) -> Iterator[Outage]:
    """An SNS outage the test sets the end of, on every client of boto3's default session made from now on."""
    boto3.setup_default_session()
    session = boto3.DEFAULT_SESSION
    assert session is not None
    refuse = Outage(stack)
    session.events.register("before-call.sns.Publish", refuse)
    yield refuse
    session.events.unregister("before-call.sns.Publish", refuse)


@pytest.fixture(autouse=True)
def _isolated_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB isolates each request (a transaction is serializable, a read never sees a write half done); moto
    applies a transaction's items one by one and iterates the same dictionaries other threads are writing to, so
    concurrent callers can see each other half done or fail with "dictionary changed size during iteration". One
    lock around each DynamoDB request gives moto the isolation the real service has."""
    from moto.dynamodb.responses import DynamoHandler

    lock = threading.RLock()
    original = DynamoHandler.call_action

    def isolated(self: DynamoHandler) -> object:
        with lock:
            return original(self)

    monkeypatch.setattr(DynamoHandler, "call_action", isolated)


@pytest.hookimpl(optionalhook=True)  # the suite also runs without xdist (`-p no:xdist`)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """With several workers, each module's (and class's) tests go to one worker together: a module-scoped fixture
    (`make serve` in a process of its own, a browser, a stack that ran a month of collections) is then made once,
    not once per worker its tests were spread over."""
    from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]  # only when xdist runs the suite

    if config.getoption("dist") != "load":  # another mode asked for on the command line (`--dist loadfile`...)
        return None
    return LoadScopeScheduling(config, log)
