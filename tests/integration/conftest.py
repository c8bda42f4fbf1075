from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from infra.local import LocalStack
from tests.support import ROOT, T0

SUBSCRIBERS = {
    "StaffAlertEmail": "staff@example.com",
    "StaffAlertPhone": "+5511999990000",
    # Customer e-mail goes out from the business's domain (an SES identity, verified at once on the embedded AWS).
    "CustomerEmailSender": "solnascente.example",
}
# The business's identity as an operator sets it after deploying (customer notices are held until then).
BUSINESS = {"BusinessIdentityParameter": (ROOT / "infra" / "local" / "business_example.json").read_text()}


@pytest.fixture(scope="session")
def _shared_stack() -> LocalStack:
    """One stack per test process (per xdist worker), built the first time a test enters it."""
    return LocalStack(now=T0, parameters=SUBSCRIBERS, documents=BUSINESS)


@pytest.fixture
def stack(_shared_stack: LocalStack) -> Iterator[LocalStack]:
    """The stack as it was built: entered again, it is put back as built (`LocalStack.reset`) in milliseconds, where
    building it takes seconds. A test that needs other parameters builds its own."""
    with _shared_stack as local:
        yield local


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
