from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.local import LocalStack
from tests.support import T0

SUBSCRIBERS = {"StaffAlertEmail": "staff@example.com", "StaffAlertPhone": "+5511999990000"}


@pytest.fixture
def stack() -> Iterator[LocalStack]:
    with LocalStack(now=T0, parameters=SUBSCRIBERS) as local:
        yield local
