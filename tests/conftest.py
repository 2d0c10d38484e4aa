"""Shared test fixtures: paths to the committed sample and the shared real data."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "fixtures" / "sample"
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    if not (SAMPLE / "companies.csv").exists():
        pytest.skip("fixtures/sample not generated (python fixtures/generate.py)")
    return SAMPLE


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent (real data is only on the developers' machines)")
    return SHARED_DATA
