"""`listbuilder dedupe`: merge the same company across rows and lists, with lineage."""

from __future__ import annotations

from typing import Any

import click

import listbuilder as lb
from listbuilder.cli import main
from listbuilder.cli.engine_options import engine_options
from listbuilder.cli.options import list_input_options, source_priority_option
from listbuilder.cli.terminal import visible


@main.command()
@click.argument("lists", nargs=-1, required=True, metavar="LIST...")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Directory for companies.csv, clusters.csv and rejects.csv.",
)
@source_priority_option
@click.option(
    "--profile",
    "profile",
    default=None,
    help="Take the match settings (match_probability...) from this profile's [dedupe] table.",
)
@click.option(
    "--explain-pair",
    nargs=2,
    metavar="ROW_A ROW_B",
    default=None,
    help="Print why two rows are or are not one company (rows as in clusters.csv: "
    "file:line, or a line number for one file), and write nothing.",
)
@list_input_options
@engine_options
def dedupe(
    *,
    lists: tuple[str, ...],
    out_dir: str | None,
    source_priority: tuple[str, ...] | None,
    explain_pair: tuple[str, str] | None,
    engine: Any,
    **reading: Any,
) -> None:
    """Find the same company across LISTs by fuzzy name and domain and merge it.

    Each candidate pair is scored by a match model fitted on the lists themselves
    and merged at the profile's match probability (default 0.99). Writes the merged
    list (companies.csv, with cluster_id, duplicate_count and source_rows),
    clusters.csv (each cluster's rows and, per pair, the weights that merged them)
    and rejects.csv (every absorbed row: "duplicate of <cluster id>").

    Example: listbuilder dedupe vendor_a.csv vendor_b.xlsx --out deduped/
    --source-priority vendor_a.csv

    Example: listbuilder dedupe vendor_a.csv --explain-pair vendor_a.csv:12 vendor_a.csv:40

    Example: listbuilder dedupe vendor_a.parquet --engine spark --out deduped/

    Example: listbuilder dedupe export.csv --map "Org=name" --encoding cp1252 --out deduped/
    """
    if explain_pair:
        for line in lb.explain_pair(list(lists), *explain_pair, **reading).lines():
            click.echo(visible(line))  # row values from the lists: escapes shown, not run
        return
    if not out_dir:
        raise click.UsageError("--out is required (or --explain-pair ROW_A ROW_B)")
    run = lb.dedupe_lists(
        list(lists), out_dir=out_dir, source_priority=source_priority, engine=engine, **reading
    )
    click.echo(run.summary())
    if run.warning:
        click.echo(visible(run.warning), err=True)
