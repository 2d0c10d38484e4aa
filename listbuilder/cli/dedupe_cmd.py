"""`listbuilder dedupe`: merge the same company across rows and lists, with lineage."""

from __future__ import annotations

import click

from listbuilder.cli import main
from listbuilder.cli.options import split_csv_option


@main.command()
@click.argument("lists", nargs=-1, required=True, metavar="LIST...")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Directory for companies.csv, clusters.csv and rejects.csv.",
)
@click.option(
    "--source-priority",
    multiple=True,
    metavar="LIST",
    help="When merging duplicates, prefer values from these lists first. Repeatable.",
)
def dedupe(lists: tuple[str, ...], out_dir: str, source_priority: tuple[str, ...]) -> None:
    """Find the same company across LISTs by fuzzy name and domain and merge it.

    Writes the merged list (companies.csv, with cluster_id, duplicate_count and
    source_rows), clusters.csv (each cluster's rows and why they matched) and
    rejects.csv (every absorbed row: "duplicate of <cluster id>").

    Example: listbuilder dedupe vendor_a.csv vendor_b.xlsx --out deduped/
    --source-priority vendor_a.csv
    """
    import polars as pl

    from listbuilder.dedupe import dedupe_companies
    from listbuilder.dedupe.output import write_dedupe_outputs
    from listbuilder.ingest import read_companies
    from listbuilder.normalize import normalize_companies

    ingested = read_companies(list(lists))
    companies, unusable = normalize_companies(ingested.companies)
    result = dedupe_companies(companies, source_priority=split_csv_option(source_priority) or None)
    earlier = pl.concat([ingested.rejects, unusable], how="diagonal_relaxed")
    paths = write_dedupe_outputs(out_dir, result, earlier_rejects=earlier)
    merged = result.rejects.height
    clusters = result.clusters["cluster_id"].n_unique() if result.clusters.height else 0
    click.echo(
        f"{companies.height} rows -> {result.companies.height} companies "
        f"({merged} duplicates merged into {clusters} clusters); "
        f"wrote {paths['companies']}, {paths['clusters']}, {paths['rejects']}"
    )
