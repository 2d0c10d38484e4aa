"""`listbuilder enrich` and `listbuilder push`: the HTTP commands (thin over listbuilder.http)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
import polars as pl

from listbuilder.cli import main
from listbuilder.cli.options import cache_dir_option, list_input_options, parse_column_map
from listbuilder.cli.terminal import visible
from listbuilder.errors import EXIT_FAIL, ConfigError

TOKEN_ENVS = {"hubspot": "HUBSPOT_TOKEN", "salesforce": "SALESFORCE_TOKEN"}
OUT_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


@main.command()
@click.argument("lists", nargs=-1, required=True, metavar="LIST...")
@click.option(
    "--providers",
    "providers_path",
    required=True,
    metavar="P",
    help="Providers TOML file: URL templates, keys, limits, field paths.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Write the enriched list here (.csv or .parquet). Required unless --dry-run.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Send nothing; print how many requests each provider would receive.",
)
@cache_dir_option(
    "Answer cache directory (default: $LISTBUILDER_CACHE_DIR or ~/.cache/listbuilder)."
)
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="NAME",
    help="Only fill these fields (repeatable). Default: every field a provider fills.",
)
@list_input_options
def enrich(
    *,
    lists: tuple[str, ...],
    providers_path: str,
    out: str | None,
    dry_run: bool,
    cache_dir: str | None,
    fields: tuple[str, ...],
    input_format: str | None = None,
    encoding: str | None = None,
    column_map: tuple[str, ...] = (),
) -> None:
    """Fill missing fields of LISTs from HTTP data providers, cheapest first.

    Providers are asked in file order, only for accounts (by domain) whose wanted
    fields are missing; answers, "not found" included, are cached, so a re-run
    pays nothing twice. Filled values are traced in `enriched_from`, failures in
    `enrich_error`.

    Example:

      listbuilder enrich list.csv --providers providers.toml --out enriched.csv
    """
    from listbuilder.http import enrich_companies, load_providers

    providers = load_providers(providers_path)
    if out is None and not dry_run:
        raise ConfigError("enrich: --out FILE is missing; name the output (.csv or .parquet)")
    out_format = _out_format(out) if out is not None else None
    if out is not None and not dry_run:
        from listbuilder.export.folder import check_output_file

        check_output_file(out, inputs=[*lists, providers_path])

    from listbuilder import ingest, normalize

    ingested = ingest.read_companies(
        list(lists),
        format=input_format,
        encoding=encoding,
        column_map=parse_column_map(column_map),
    )
    companies, unusable = normalize.normalize_companies(ingested.companies)
    dropped = ingested.rejects.height + unusable.height
    if dropped:
        click.echo(
            f"{dropped} rows rejected (unreadable, or no usable name or domain): not in --out"
        )
    result = enrich_companies(
        companies, providers, cache_dir=cache_dir, dry_run=dry_run, fields=fields or None
    )
    s = result.stats
    click.echo(
        f"{s.accounts} accounts: {s.complete} complete, {s.no_domain} skipped without a "
        f"domain, {s.looked_up} to look up ({s.domains} domains)"
    )
    if dry_run:
        click.echo("dry run: no request sent; requests each provider would receive (at most):")
        for name, ps in s.providers.items():
            click.echo(f"  {name}: {ps.planned} requests ({ps.cache_hits} answered by the cache)")
        return
    for name, ps in s.providers.items():
        click.echo(
            f"  {name}: {ps.lookups} lookups, {ps.cache_hits} cached, {ps.requests} requests "
            f"({ps.retries} retries), {ps.found} found, {ps.not_found} not found, "
            f"{ps.errors} errors"
        )
    filled = ", ".join(f"{f} {n}" for f, n in s.filled.items() if n)
    click.echo(f"filled: {filled or 'nothing'}")
    assert out is not None and out_format is not None
    _write(result.companies, Path(out), out_format)
    for domain, provider, error in result.errors.head(5).iter_rows():
        click.echo(visible(f"  error e.g.: {domain}: {provider}: {error}"))
    click.echo(f"enriched {s.enriched} accounts, {s.failed} with errors; wrote {out}")


def _out_format(out: str) -> str:
    suffix = Path(out).suffix.lower()
    if suffix not in OUT_FORMATS:
        raise ConfigError(
            f"--out {out}: unknown extension {suffix or '(none)'!r}; use .csv or .parquet"
        )
    return OUT_FORMATS[suffix]


def _write(df: pl.DataFrame, path: Path, fmt: str) -> None:
    """Parquet as is; CSV through the one writer of every command (formula cells and
    headers neutralised, lists joined with "; ")."""
    from listbuilder.export.files import write_atomic, write_csv_atomic

    if fmt == "parquet":
        write_atomic(path, lambda tmp: df.write_parquet(tmp))
        return
    write_csv_atomic(path, df)


@main.command()
@click.argument("crm", type=click.Choice(sorted(TOKEN_ENVS)))
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--apply", is_flag=True, help="Write to the CRM. Without it, only print the plan.")
@click.option(
    "--base-url",
    default=None,
    help="API base URL (sandboxes, tests; Salesforce: your instance URL).",
)
@click.option(
    "--token-env",
    default=None,
    metavar="NAME",
    help="Environment variable holding the token (default: HUBSPOT_TOKEN / SALESFORCE_TOKEN).",
)
@click.option(
    "--external-id",
    default="Domain__c",
    show_default=True,
    help="Salesforce external-id field the upsert is keyed on.",
)
def push(
    *,
    crm: str,
    directory: str,
    apply: bool,
    base_url: str | None,
    token_env: str | None,
    external_id: str,
) -> None:
    """Upsert DIRECTORY/targets.csv into HubSpot or Salesforce, keyed by domain.

    A dry run by default: reads what already exists and prints how many accounts
    would be created and updated, with examples. --apply writes; pushing the
    same list again creates nothing new.

    Example:

      HUBSPOT_TOKEN=... listbuilder push hubspot out/ --apply
    """
    from listbuilder.http import push_accounts, read_targets

    env = token_env or TOKEN_ENVS[crm]
    token = os.environ.get(env)
    if not token:
        raise ConfigError(
            f"environment variable {env} is not set: export {env}=<your {crm} token> "
            "or name another variable with --token-env"
        )
    targets = read_targets(directory)
    result = push_accounts(
        targets, crm=crm, base_url=base_url, token=token, apply=apply, external_id=external_id
    )
    for line in result.plan.summary():
        click.echo(visible(line))
    if not apply:
        click.echo("dry run: nothing written; run again with --apply to push")
        return
    click.echo(
        f"pushed: {result.created} created, {result.updated} updated, {result.failed} failed"
    )
    for where, message in result.errors[:10]:
        click.echo(visible(f"  {where}: {message}"), err=True)
    if result.failed:
        sys.exit(EXIT_FAIL)
