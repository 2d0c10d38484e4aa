"""The package surface: curated exports, shipped data found from an install."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import listbuilder
from listbuilder.resources import filters_dir, templates_dir

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", [n for n in listbuilder.__all__ if n != "__version__"])
def test_every_export_resolves(name: str) -> None:
    assert callable(getattr(listbuilder, name))


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        listbuilder.nope  # noqa: B018


def test_shipped_filters_and_templates_are_found() -> None:
    assert (filters_dir() / "b2b_saas.toml").is_file()
    assert (templates_dir() / "brief.md.j2").is_file()


def test_wheel_ships_filters_and_templates() -> None:
    """pyproject force-includes filters/ and templates/ where resources.py looks for them."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    include = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert include == {
        "filters": "listbuilder/_data/filters",
        "templates": "listbuilder/_data/templates",
    }
