"""Options shared by several commands, as decorators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from listbuilder.errors import InputError

F = TypeVar("F", bound=Callable[..., Any])


def option_group(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """One decorator applying `decorators` in order (the first is the first in --help)."""

    def apply(func: F) -> F:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


def column_map_option(func: F) -> F:
    """`--map "Header=field"`, repeatable: override the header → field mapping; the command
    receives `column_map`, a dict (None without --map) as read_companies takes it."""
    return click.option(
        "--map",
        "column_map",
        multiple=True,
        metavar='"HEADER=field"',
        callback=lambda ctx, param, values: parse_column_map(values),
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


def choices_option(
    name: str, dest: str, allowed: tuple[str, ...], *, help: str, default: tuple[str, ...] = ()
) -> Callable[[F], F]:
    """A repeatable, comma-separable option whose values must be in `allowed` (any case);
    the command receives them lower-cased, in `dest`."""

    def check(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> tuple[str, ...]:
        given = split_csv_option(values)
        bad = [v for v in given if v.lower() not in allowed]
        if bad:
            raise InputError(f"{name} {bad[0]!r}: use one of {', '.join(allowed)}")
        return tuple(v.lower() for v in given)

    return click.option(
        name,
        dest,
        multiple=True,
        default=default or None,
        show_default=bool(default),
        callback=check,
        help=help,
    )


def source_priority_option(func: F) -> F:
    """`--source-priority LIST`, repeatable or comma-separated: into `source_priority`, a
    tuple (None when not given)."""
    return click.option(
        "--source-priority",
        multiple=True,
        metavar="LIST",
        callback=lambda ctx, param, values: split_csv_option(values) or None,
        help="When merging duplicates, prefer values from these lists first. Repeatable.",
    )(func)


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
    """`--profile`, required: a profile file or a shipped name, into `profile`."""
    return click.option("--profile", "profile", required=True, help=help)


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
    date."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return day_in_range(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def as_of_option(help: str) -> Callable[[F], F]:
    """`--as-of YYYY-MM-DD`, optional: a date (or None) in `as_of`."""
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
