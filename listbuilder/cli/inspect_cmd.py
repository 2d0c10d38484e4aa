"""`listbuilder inspect`: show what ingest understood of each list, before building."""

from __future__ import annotations

from typing import Any

import click

import listbuilder as lb
from listbuilder.cli import main
from listbuilder.cli.options import list_input_options
from listbuilder.cli.terminal import visible
from listbuilder.ingest import FORMATS


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
    *,
    files: tuple[str, ...],
    profiles: tuple[str, ...],
    input_format: str | None,
    legacy_format: str | None = None,
    **reading: Any,
) -> None:
    """Show how each list is read: format, encoding, rows, column mapping, parse rates.

    Run it before `build` to check that every column landed where you expect. With
    --profile it adds the profile's coverage on the files together (the rows
    `build` would score, before dedupe) and warns, on stderr, of every criterion
    whose field no file provides.

    Example: listbuilder inspect zoominfo.csv apollo.xlsx --profile b2b_saas
    """
    if legacy_format is not None:
        click.echo(
            "note: inspect --format is deprecated, use --input-format (as build, dedupe and "
            "explain do; build --format is the output format)",
            err=True,
        )
    result = lb.inspect(
        list(files), profiles=profiles, input_format=input_format or legacy_format, **reading
    )
    click.echo(visible(result.reports_text))  # values from the files: no escapes run
    if result.coverage:
        click.echo("")
        click.echo(result.coverage_text)
        for line in result.warnings:
            click.echo(line, err=True)
