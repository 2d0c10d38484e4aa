"""`listbuilder build`: purchased lists in, a ranked target list out."""

from __future__ import annotations

import sys
from typing import Any

import click

from listbuilder.cli import main
from listbuilder.cli.engine_options import engine_options
from listbuilder.cli.options import (
    as_of_option,
    cache_dir_option,
    column_map_option,
    parse_column_map,
    split_csv_option,
)
from listbuilder.cli.terminal import visible
from listbuilder.errors import EXIT_FAIL, InputError

OUTPUT_FORMATS = ("csv", "xlsx", "parquet", "json")
CRMS = ("hubspot", "salesforce")
BRIEF_FORMATS = ("md", "html")
SHOWN_REASONS = 5  # per stage on the terminal; funnel.json and report.html have them all


@main.command()
@click.argument("lists", nargs=-1, required=True, metavar="LIST...")
@click.option(
    "--profile",
    "profiles",
    multiple=True,
    required=True,
    metavar="P",
    help="ICP profile (TOML file, or the name of a shipped one). Repeat for several.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Directory for targets, rejects, funnel, report and briefs.",
)
@click.option(
    "--signals",
    multiple=True,
    metavar="FILE",
    help="Trigger events (funding, hires, postings...). Repeatable.",
)
@click.option(
    "--suppress",
    multiple=True,
    metavar="FILE",
    help="CRM export(s) of customers, open deals, owned accounts, do-not-contact.",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=None,
    help="Select at most N accounts (default: the profile's capacity).",
)
@as_of_option("The date signals are aged against (default: today). Recorded in outputs.")
@click.option(
    "--reps",
    type=click.Path(),
    default=None,
    help="Reps CSV for SDR assignment, one rep a line: rep, capacity, countries, states, "
    "regions, industries, size_bands, owned_domains (list cells `;`-separated, an empty cell "
    "means any; see fixtures/reps_example.csv). Accounts no rep can take stay in the list "
    "without an owner, counted on the console and listed in unassigned.csv with the reason.",
)
@click.option(
    "--contacts",
    type=click.Path(dir_okay=False),
    default=None,
    help="A people export (name, title, email, company website or domain): joined by domain, "
    "so each brief names the people to call, ranked by the profile's personas.",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    default=("csv",),
    show_default=True,
    help="Target list format(s): csv, xlsx, parquet, json (repeat or comma-separate).",
)
@click.option("--crm", multiple=True, help="Also write a CRM import file: hubspot, salesforce.")
@click.option(
    "--brief-format",
    "brief_formats",
    multiple=True,
    default=("md",),
    show_default=True,
    help="Brief format(s): md, html.",
)
@click.option(
    "--templates",
    type=click.Path(file_okay=False),
    default=None,
    help="Directory of your own Jinja templates for briefs and the report.",
)
@click.option(
    "--source-priority",
    multiple=True,
    metavar="LIST",
    help="When merging duplicates, prefer values from these lists first. Repeatable.",
)
@click.option(
    "--input-format",
    default=None,
    help="Force the input format: csv, tsv, xlsx, parquet, json, ndjson.",
)
@click.option("--encoding", default=None, help="Force the input encoding, e.g. cp1252.")
@click.option(
    "--enrich",
    type=click.Path(),
    default=None,
    metavar="PROVIDERS",
    help="Fill missing fields from the HTTP providers in this TOML file.",
)
@cache_dir_option("Enrichment cache directory.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
@column_map_option
@engine_options
def build(
    *,
    lists: tuple[str, ...],
    profiles: tuple[str, ...],
    out_dir: str,
    signals: tuple[str, ...],
    suppress: tuple[str, ...],
    top: int | None,
    as_of: object,
    reps: str | None,
    contacts: str | None,
    formats: tuple[str, ...],
    crm: tuple[str, ...],
    brief_formats: tuple[str, ...],
    templates: str | None,
    source_priority: tuple[str, ...],
    input_format: str | None,
    encoding: str | None,
    enrich: str | None,
    cache_dir: str | None,
    quiet: bool,
    column_map: tuple[str, ...],
    engine: Any,
) -> None:
    """Build a ranked, deduplicated target list from purchased LISTs.

    Runs ingest → normalize → dedupe → suppress → quality checks → hard filters
    → scoring → signal boosts → rank → cut, and writes targets.csv, rejects.csv,
    funnel.json, report.html and one brief per selected account into --out.
    Prints the funnel and, per profile, the coverage of each rule and criterion
    (the share of accounts whose field is known) and the best reachable score.

    Exit status: 0 when accounts were selected; 1 when none was (every output is
    still written), after one line on stderr saying why — e.g. the lowest tier
    is out of reach on the fields this list has — and the fixes to try; 2 when a
    list, profile or option cannot be used.

    Example:

      listbuilder build demo/companies.csv --profile filters/b2b_saas.toml
      --signals demo/events.csv --suppress demo/crm_accounts.csv
      --as-of 2026-11-01 --top 1200 --out out/
    """
    from listbuilder.pipeline import build as run_build
    from listbuilder.pipeline import format_funnel
    from listbuilder.score.coverage import format_coverage

    fmt = _choices("--format", split_csv_option(formats), OUTPUT_FORMATS)
    crms = _choices("--crm", split_csv_option(crm), CRMS)
    briefs = _choices("--brief-format", split_csv_option(brief_formats), BRIEF_FORMATS)
    show = not quiet and sys.stderr.isatty()
    kwargs: dict[str, Any] = {
        "profiles": profiles,
        "out_dir": out_dir,
        "signals": signals,
        "suppress": suppress,
        "top": top,
        "as_of": as_of.date() if as_of is not None else None,  # type: ignore[attr-defined]
        "reps": reps,
        "contacts": contacts,
        "formats": fmt,
        "crm": crms,
        "brief_formats": briefs,
        "templates": templates,
        "source_priority": source_priority or None,
        "column_map": parse_column_map(column_map),
        "input_format": input_format,
        "encoding": encoding,
        "enrich": enrich,
        "cache_dir": cache_dir,
        "engine": engine,
    }
    if show:
        with _Progress() as progress:
            result = run_build(
                list(lists), progress=progress.stage, brief_progress=progress.briefs, **kwargs
            )
    else:
        result = run_build(list(lists), **kwargs)
    click.echo(visible(format_funnel(result.funnel)))
    for stage in result.funnel["stages"]:
        reasons = list(stage["reasons"].items())
        shown = reasons[:SHOWN_REASONS] if len(reasons) > SHOWN_REASONS + 1 else reasons
        for reason, count in shown:
            click.echo(visible(f"  {stage['stage']:<8} {count:>8,}  {reason}"))
        if len(shown) < len(reasons):
            rest = reasons[len(shown) :]
            click.echo(
                f"  {stage['stage']:<8} {sum(c for _, c in rest):>8,}  "
                f"{len(rest)} more reasons (see rejects.csv)"
            )
        if stage["stage"] == "quality":
            flagged = (result.funnel.get("quality") or {}).get("flagged") or {}
            for flag, count in flagged.items():
                click.echo(
                    visible(f"  {'flagged':<8} {count:>8,}  {flag} (kept; see the quality column)")
                )
    if result.unmatched_signals is not None and result.unmatched_signals.height:
        click.echo(
            f"  signals  {result.unmatched_signals.height:>8,}  event rows matched no account"
            " or were unusable (signals_unmatched.csv)"
        )
    if "assignment" in result.funnel:
        from listbuilder.pipeline import format_assignment

        click.echo(visible(format_assignment(result.funnel["assignment"])))
    if "contacts" in result.funnel:
        found = result.funnel["contacts"]
        click.echo(
            f"contacts: {found['people']:,} people; {found['accounts_with_contacts']:,} of "
            f"{result.funnel['selected']:,} accounts have someone to call"
        )
    click.echo(visible(format_coverage(result.coverage)))
    click.echo(f"Wrote {len(result.paths)} outputs to {out_dir} (as of {result.funnel['as_of']})")
    for line in result.warnings:
        click.echo(visible(line), err=True)
    if result.diagnosis:
        for line in result.diagnosis:
            click.echo(visible(line), err=True)
        sys.exit(EXIT_FAIL)


def _choices(option: str, values: tuple[str, ...], allowed: tuple[str, ...]) -> tuple[str, ...]:
    bad = [v for v in values if v.lower() not in allowed]
    if bad:
        raise InputError(f"{option} {bad[0]!r}: use one of {', '.join(allowed)}")
    return tuple(v.lower() for v in values)


class _Progress:
    """Stage names on stderr, and a progress bar while briefs are rendered."""

    def __init__(self) -> None:
        self._bar: Any = None

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.render_finish()

    def stage(self, name: str) -> None:
        click.echo(f"… {name}", err=True)

    def briefs(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = click.progressbar(length=total, label="… briefs", file=sys.stderr)
            self._bar.render_progress()
        self._bar.update(done - self._bar.pos)
