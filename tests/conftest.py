"""Every test runs with fake AWS credentials: nothing can reach a real AWS endpoint; and no test may make Ponte log
personal data (`tests.log_scan`)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from tests.log_scan import PersonalDataScan

# No test fails on time: an example that takes long on a busy machine is still judged by what it asserts (Hypothesis
# would otherwise fail one over 200 ms, or a strategy slow to draw). Speed is measured in `tests/bench`.
settings.register_profile("ponte", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ponte")

FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
}


@pytest.fixture(autouse=True)
def _fake_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FAKE_AWS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


_SCAN = PersonalDataScan()
logging.getLogger().addHandler(_SCAN)


@pytest.fixture(autouse=True)
def _no_personal_data_in_logs() -> Iterator[None]:
    """Fails the test during which Ponte logged an e-mail address, a phone number, a tax id or a card number."""
    before = len(_SCAN.findings)
    yield
    found = _SCAN.findings[before:]
    if found:
        pytest.fail("personal data in logs: " + "; ".join(f"{f.kind} from {f.logger} in {f.where}" for f in found))
