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


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    with LocalStack(now=T0, parameters=SUBSCRIBERS, documents=BUSINESS) as local:
        yield local


@pytest.fixture(autouse=True)
def _isolated_transactions(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB isolates transactions (they are serializable); moto applies their items one by one, so two
    concurrent ones can see each other half done. One lock gives moto the isolation the real service has."""
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.Lock()
    original = DynamoDBBackend.transact_write_items

    def isolated(self: DynamoDBBackend, *args: object, **kwargs: object) -> object:
        with lock:
            return original(self, *args, **kwargs)

    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", isolated)
