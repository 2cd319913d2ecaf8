"""karrio's carrier fixtures live outside the repository (LGPL test data is never copied in)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
FIXTURES = DATA / "carrier_tracking_fixtures"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    if not (FIXTURES / "INDEX.csv").is_file():
        why = f"carrier tracking fixtures not found at {FIXTURES}"
        if os.environ.get("CI"):
            pytest.fail(f"{why} (CI must provide ../shared/data next to the repository)")
        pytest.skip(f"{why} (expected in ../shared/data next to the repository)")
    return FIXTURES
