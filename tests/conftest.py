"""Shared test fixtures: paths to the committed sample and the shared real data; a local
HTTP server (pytest-httpserver) for the enrich and push tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

# A bug inside a command raises with its traceback instead of the CLI's one-line
# "internal error" (tests/test_hostile.py checks that line with the variable unset).
os.environ.setdefault("LISTBUILDER_DEBUG", "1")

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


@pytest.fixture(scope="module")
def _module_server() -> Iterator[HTTPServer]:
    from pytest_httpserver import HTTPServer

    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def server(_module_server: HTTPServer) -> Iterator[HTTPServer]:
    """One threaded server on 127.0.0.1 per module, cleared between tests."""
    yield _module_server
    _module_server.clear()
