"""Find the shipped `filters/` and `templates/` whether installed or run from a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The directory holding the shipped `filters` or `templates`.

    In a wheel they live in ``listbuilder/_data/<name>``; in a source checkout
    (editable install, tests) at the repository root.
    """
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def filters_dir() -> Path:
    return data_dir("filters")


def templates_dir() -> Path:
    return data_dir("templates")
