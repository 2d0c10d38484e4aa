"""Options shared by several commands, as decorators."""

from __future__ import annotations

import datetime as dt
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


def day_in_range(value: str) -> dt.date:
    """A YYYY-MM-DD date inside ingest's DATE_RANGE; ValueError (with the fix) otherwise."""
    from listbuilder.ingest.values import DATE_RANGE

    try:
        day = dt.datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise ValueError(f"{value!r}: write a date as YYYY-MM-DD") from None
    low, high = DATE_RANGE
    if not low <= day <= high:
        raise ValueError(f"{value!r}: out of range; use a date between {low} and {high}")
    return day


class Day(click.ParamType):
    """`YYYY-MM-DD` inside DATE_RANGE (year 1 or 9999 would overflow date arithmetic), as a
    datetime at midnight."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.datetime):
            return value
        try:
            day = day_in_range(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        return dt.datetime(day.year, day.month, day.day)


def as_of_option(help: str) -> Callable[[F], F]:
    """`--as-of YYYY-MM-DD`, optional: a datetime (or None) in `as_of`."""
    return click.option("--as-of", "as_of", type=Day(), default=None, help=help)


def list_input_options(func: F) -> F:
    """`--input-format`, `--encoding` and `--map`: how a command that reads company lists
    reads them (the same three options on build, dedupe, explain, inspect)."""
    from listbuilder.ingest import FORMATS

    func = column_map_option(func)
    func = click.option(
        "--encoding",
        default=None,
        help="Text encoding of the lists, e.g. cp1252 (default: detect UTF-8 / Windows-1252).",
    )(func)
    return click.option(
        "--input-format",
        "input_format",
        type=click.Choice(FORMATS),
        default=None,
        help="Read the lists as this format instead of detecting it.",
    )(func)
