from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures" / "invoices"


@pytest.fixture
def fixture_file() -> Callable[[str, str], Path]:
    """Path of a shared third-party invoice file, e.g. fixture_file("nfe", "x.xml"); skips when absent."""

    def find(*parts: str) -> Path:
        path = FIXTURES.joinpath(*parts)
        if not path.is_file():
            pytest.skip(f"shared invoice fixture {'/'.join(parts)} not found under {FIXTURES}")
        return path

    return find
