"""The real Olist sample lives outside the repo (CC BY-NC-SA data is never copied in)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SAMPLE_4K = DATA / "olist_sample_4k"
SELLERS_FILE = DATA / "olist_sellers_products" / "olist_sellers_dataset.csv"


@pytest.fixture(scope="session")
def olist_4k() -> tuple[Path, Path]:
    """(export directory, sellers file) of the 4,000-order sample."""
    missing = [p for p in (SAMPLE_4K / "olist_orders_dataset.csv", SELLERS_FILE) if not p.is_file()]
    if missing:
        why = f"Olist sample data not found: {', '.join(map(str, missing))}"
        if os.environ.get("CI"):
            pytest.fail(f"{why} (CI must provide ../shared/data next to the repository)")
        pytest.skip(f"{why} (expected in ../shared/data next to the repository)")
    return SAMPLE_4K, SELLERS_FILE
