"""`listbuilder enrich` and `listbuilder push`: the HTTP commands (thin over listbuilder.http)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

import listbuilder as lb
from listbuilder.api import TOKEN_ENVS
from listbuilder.cli import main
from listbuilder.cli.options import cache_dir_option, list_input_options
from listbuilder.cli.terminal import visible
from listbuilder.errors import EXIT_FAIL, ConfigError

if TYPE_CHECKING:
    from listbuilder.api import Enrichment


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
    **reading: Any,
) -> None:
    """Fill missing fields of LISTs from HTTP data providers, cheapest first.

    Providers are asked in file order, only for accounts (by domain) whose wanted
    fields are missing; answers, "not found" included, are cached, so a re-run
    pays nothing twice. Filled values are traced in `enriched_from`, failures in
    `enrich_error`.

    Example:

      listbuilder enrich list.csv --providers providers.toml --out enriched.csv
    """
    run = lb.enrich(
        list(lists),
        providers=providers_path,
        out=out,
        cache_dir=cache_dir,
        dry_run=dry_run,
        fields=fields,
        **reading,
    )
    if run.rejected:
        click.echo(
            f"{run.rejected} rows rejected (unreadable, or no usable name or domain): not in --out"
        )
    for line in enrich_lines(run, out=out, dry_run=dry_run):
        click.echo(visible(line))


def enrich_lines(run: Enrichment, *, out: str | None, dry_run: bool) -> list[str]:
    """What `enrich` prints after the rejected rows: the accounts, per provider what was
    asked (or would be, on a dry run), what was filled, a few errors, the file written."""
    s = run.stats
    lines = [
        f"{s.accounts} accounts: {s.complete} complete, {s.no_domain} skipped without a "
        f"domain, {s.looked_up} to look up ({s.domains} domains)"
    ]
    if dry_run:
        lines.append("dry run: no request sent; requests each provider would receive (at most):")
        return lines + [
            f"  {name}: {ps.planned} requests ({ps.cache_hits} answered by the cache)"
            for name, ps in s.providers.items()
        ]
    lines += [
        f"  {name}: {ps.lookups} lookups, {ps.cache_hits} cached, {ps.requests} requests "
        f"({ps.retries} retries), {ps.found} found, {ps.not_found} not found, "
        f"{ps.errors} errors"
        for name, ps in s.providers.items()
    ]
    filled = ", ".join(f"{f} {n}" for f, n in s.filled.items() if n)
    lines.append(f"filled: {filled or 'nothing'}")
    lines += [
        f"  error e.g.: {domain}: {provider}: {error}"
        for domain, provider, error in run.errors.head(5).iter_rows()
    ]
    lines.append(f"enriched {s.enriched} accounts, {s.failed} with errors; wrote {out}")
    return lines


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
    result = lb.push(
        directory,
        crm=crm,
        token=_token(crm, token_env),
        apply=apply,
        base_url=base_url,
        external_id=external_id,
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


def _token(crm: str, token_env: str | None) -> str:
    """The token in --token-env (default: the CRM's variable), refused when not set."""
    env = token_env or TOKEN_ENVS[crm]
    token = os.environ.get(env)
    if not token:
        raise ConfigError(
            f"environment variable {env} is not set: export {env}=<your {crm} token> "
            "or name another variable with --token-env"
        )
    return token
