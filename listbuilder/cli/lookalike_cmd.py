"""`listbuilder lookalike`: rank a list by resemblance to your best customers."""

from __future__ import annotations

from typing import Any

import click

import listbuilder as lb
from listbuilder.cli import main
from listbuilder.cli.options import column_map_option


@main.command()
@click.argument("lists", nargs=-1, required=True, metavar="LIST...")
@click.option(
    "--seeds",
    "seeds_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Your best customers: any company file (a CRM export, names and websites...).",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Directory for lookalikes.csv and seeds.csv (and seed_profile.toml with --describe).",
)
@click.option(
    "--exclude-seeds", is_flag=True, help="Leave the seeds found in the list out of the ranking."
)
@click.option("--top", type=click.IntRange(min=1), default=None, help="Write the N closest only.")
@click.option(
    "--profile",
    "profile",
    default=None,
    help="Take industry groups (the industry hierarchy) and [dedupe] settings from this profile.",
)
@click.option(
    "--text", is_flag=True, help="Compare descriptions too (TF-IDF over the list's own words)."
)
@click.option(
    "--neighbours",
    type=click.IntRange(min=1, max=50),
    default=3,
    show_default=True,
    help="The score is the mean similarity of this many nearest seeds.",
)
@click.option(
    "--describe",
    is_flag=True,
    help="Print what the seeds share against the list's base rates and write a draft "
    "profile (seed_profile.toml, the format `learn` writes).",
)
@column_map_option
def lookalike(
    *,
    lists: tuple[str, ...],
    seeds_path: str,
    out_dir: str,
    **options: Any,
) -> None:
    """Rank the accounts of LISTs by how much they resemble the best customers in --seeds.

    Seeds are read like any list and found in it by the dedupe match model (a seed in
    the list takes its data and is never its own neighbour). Each account gets
    lookalike_score (0-100: the mean similarity of its nearest seeds over size and
    revenue bands, industry, technologies and departments (rare ones weigh more),
    country and region, funding stage, founding period), its nearest seeds and a
    one-line why. Writes lookalikes.csv (ranked) and seeds.csv (each seed, how it was
    found, why one was set aside).

    Example: listbuilder lookalike list.csv --seeds best_customers.csv --exclude-seeds
    --top 500 --out lookalikes/

    Example: listbuilder lookalike list.csv --seeds best_customers.csv --describe --out seeds/
    """
    from listbuilder.lookalike.output import write_lookalikes

    result = lb.find_lookalikes(list(lists), seeds=seeds_path, **options)
    if result.described is not None:
        for line in result.described.lines():
            click.echo(line)
    paths = write_lookalikes(out_dir, result, described=result.described)
    ranked = result.accounts.height if result.accounts is not None else 0
    click.echo(f"{ranked:,} accounts ranked; {result.notes[0]}")
    click.echo("wrote " + ", ".join(str(p) for p in paths.values()))
