"""`listbuilder inspect`: show what ingest understood of each list, before building."""

from __future__ import annotations

import click

from listbuilder.cli import main
from listbuilder.cli.options import list_input_options
from listbuilder.cli.terminal import visible
from listbuilder.ingest import FORMATS, FileReport, read_companies

_EXAMPLE_WIDTH = 60


def _clip(value: str) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= _EXAMPLE_WIDTH else value[: _EXAMPLE_WIDTH - 1] + "…"


def format_report(report: FileReport) -> str:
    """The human-readable summary of one file that `inspect` prints."""
    encoding = report.encoding or "n/a (binary format)"
    fmt = report.format + (f" ({report.compression})" if report.compression else "")
    if report.delimiter and report.delimiter not in (",", "\t"):
        fmt += f", delimiter {report.delimiter!r}"
    lines = [
        f"{report.path}",
        f"  format: {fmt}",
        f"  encoding: {encoding}",
        f"  rows: {report.rows}" + (f" ({report.rejected} rejected)" if report.rejected else ""),
        "  columns:",
    ]
    width = max((len(m.header) for m in report.mapping), default=0)
    for m in report.mapping:
        target = f"-> {m.field} ({m.confidence}%, {m.method})" if m.field else "(passthrough)"
        lines.append(f"    {m.header.ljust(width)}  {target}")
    lines.append("  parse rate:")
    for stats in report.fields:
        rate = stats.parse_rate
        shown = "n/a" if rate is None else f"{rate:.1%}"
        extra = []
        if stats.unparsed:
            extra.append(f"{stats.unparsed} unparsed")
        if stats.placeholders:
            extra.append(f"{stats.placeholders} placeholders")
        suffix = f" ({', '.join(extra)})" if extra else ""
        lines.append(f"    {stats.field} [{stats.header}]: {shown} of {stats.filled}{suffix}")
        if stats.examples:
            shown_examples = ", ".join(repr(_clip(e)) for e in stats.examples)
            lines.append(f"      unparsed e.g. {shown_examples}")
    lines.append(f"  placeholders nulled: {report.placeholders}")
    for note in report.notes:
        lines.append(f"  note: {note}")
    return "\n".join(lines)


@main.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option(
    "--format",
    "legacy_format",
    type=click.Choice(FORMATS),
    default=None,
    hidden=True,
    help="Deprecated: --input-format (build --format is the output format).",
)
@click.option(
    "--profile",
    "profiles",
    multiple=True,
    metavar="P",
    help="Also show, per rule and criterion of this profile, the share of rows whose field "
    "is known, and the best score reachable on these files. Repeatable.",
)
@list_input_options
def inspect(
    files: tuple[str, ...],
    input_format: str | None,
    encoding: str | None,
    profiles: tuple[str, ...],
    column_map: tuple[str, ...],
    legacy_format: str | None = None,
) -> None:
    """Show how each list is read: format, encoding, rows, column mapping, parse rates.

    Run it before `build` to check that every column landed where you expect. With
    --profile it adds the profile's coverage on the files together (the rows
    `build` would score, before dedupe) and warns, on stderr, of every criterion
    whose field no file provides.

    Example: listbuilder inspect zoominfo.csv apollo.xlsx --profile b2b_saas
    """
    from listbuilder.profile import load_profiles

    if legacy_format is not None:
        click.echo(
            "note: inspect --format is deprecated, use --input-format (as build, dedupe and "
            "explain do; build --format is the output format)",
            err=True,
        )
        input_format = input_format or legacy_format

    chosen = load_profiles(profiles) if profiles else []  # refused before reading data
    ingested = read_companies(
        list(files), format=input_format, encoding=encoding, column_map=list(column_map)
    )
    for index, report in enumerate(ingested.reports):
        if index:
            click.echo("")
        click.echo(visible(format_report(report)))  # values from the file: no escapes run
    if chosen:
        from listbuilder.normalize import normalize_companies
        from listbuilder.score.coverage import absent_warnings, format_coverage, measure_coverage

        companies = normalize_companies(ingested.companies)[0]
        coverage = measure_coverage(companies, chosen)
        click.echo("")
        click.echo(format_coverage(coverage))
        for line in absent_warnings(coverage):
            click.echo(line, err=True)
