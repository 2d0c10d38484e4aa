"""Options shared by several commands, as decorators."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from listbuilder.errors import InputError

F = TypeVar("F", bound=Callable[..., Any])


def column_map_option(func: F) -> F:
    """`--map "Header=field"`, repeatable: override the header → field mapping."""
    return click.option(
        "--map",
        "column_map",
        multiple=True,
        metavar='"HEADER=field"',
        help='Map a column to a canonical field, e.g. --map "Org Size=employees".',
    )(func)


def parse_column_map(values: Sequence[str]) -> dict[str, str] | None:
    """Turn repeated `--map "Header=field"` values into a dict."""
    mapping: dict[str, str] = {}
    for value in values:
        header, sep, field = value.rpartition("=")
        if not sep or not header.strip() or not field.strip():
            raise InputError(
                f'--map {value!r}: expected "Header=field", e.g. --map "Org Size=employees"'
            )
        mapping[header.strip()] = field.strip()
    return mapping or None


def split_csv_option(values: Sequence[str]) -> tuple[str, ...]:
    """Accept both `--x a --x b` and `--x a,b`."""
    out: list[str] = []
    for value in values:
        out += [v.strip() for v in value.split(",") if v.strip()]
    return tuple(dict.fromkeys(out))
