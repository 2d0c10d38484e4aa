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


def deals_input(func: F) -> F:
    """The `DEALS` argument and `--companies`, repeatable: a deals export and its company lists."""
    func = click.option(
        "--companies",
        "companies",
        multiple=True,
        type=click.Path(dir_okay=False),
        help="Company list(s) to take firmographics from, joined by domain then name.",
    )(func)
    return click.argument("deals", type=click.Path(dir_okay=False))(func)


def profile_option(help: str) -> Callable[[F], F]:
    """`--profile`, required: a profile file or a shipped name, into `profile_path`."""
    return click.option("--profile", "profile_path", required=True, help=help)


def cache_dir_option(help: str) -> Callable[[F], F]:
    """`--cache-dir DIR`, optional: where enrichment answers are cached."""
    return click.option("--cache-dir", type=click.Path(file_okay=False), default=None, help=help)


def as_of_option(help: str) -> Callable[[F], F]:
    """`--as-of YYYY-MM-DD`, optional: a datetime (or None) in `as_of`."""
    return click.option(
        "--as-of",
        "as_of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help=help,
    )
