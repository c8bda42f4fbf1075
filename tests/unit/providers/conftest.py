from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures"


@pytest.fixture
def webhooks() -> Path:
    """The providers' published webhook fixtures (vectors and payload examples)."""
    folder = FIXTURES / "webhooks"
    if not folder.is_dir():
        pytest.skip(f"shared fixtures not found at {folder.resolve()}")
    return folder
