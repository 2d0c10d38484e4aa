"""`listbuilder build`: purchased lists in, a ranked target list out."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

import listbuilder as lb
from listbuilder.cli import main
from listbuilder.cli.engine_options import engine_options
from listbuilder.cli.options import (
    as_of_option,
    cache_dir_option,
    choices_option,
    column_map_option,
    option_group,
    source_priority_option,
)
from listbuilder.cli.terminal import visible
from listbuilder.errors import EXIT_FAIL

if TYPE_CHECKING:
    from listbuilder.pipeline import BuildResult

OUTPUT_FORMATS = ("csv", "xlsx", "parquet", "json")
CRMS = ("hubspot", "salesforce")
BRIEF_FORMATS = ("md", "html")
SHOWN_REASONS = 5  # per stage on the terminal; funnel.json and report.html have them all


# The options of `build`, each into the `listbuilder.build` argument of its name.
BUILD_OPTIONS = option_group(
    click.argument("lists", nargs=-1, required=True, metavar="LIST..."),
    click.option(
        "--profile",
        "profiles",
        multiple=True,
        required=True,
        metavar="P",
        help="ICP profile (TOML file, or the name of a shipped one). Repeat for several.",
    ),
    click.option(
        "--out",
        "out_dir",
        required=True,
        type=click.Path(file_okay=False),
        help="Directory for targets, rejects, funnel, report and briefs.",
    ),
    click.option(
        "--signals",
        multiple=True,
        metavar="FILE",
        help="Trigger events (funding, hires, postings...). Repeatable.",
    ),
    click.option(
        "--suppress",
        multiple=True,
        metavar="FILE",
        help="CRM export(s) of customers, open deals, owned accounts, do-not-contact.",
    ),
    click.option(
        "--top",
        type=click.IntRange(min=1),
        default=None,
        help="Select at most N accounts (default: the profile's capacity).",
    ),
    as_of_option("The date signals are aged against (default: today). Recorded in outputs."),
    click.option(
        "--reps",
        type=click.Path(),
        default=None,
        help="Reps CSV for SDR assignment, one rep a line: rep, capacity, countries, "
        "states, regions, industries, size_bands, owned_domains (list cells `;`-separated, "
        "an empty cell means any; see fixtures/reps_example.csv). Accounts no rep can take "
        "stay in the list without an owner, counted on the console and listed in "
        "unassigned.csv with the reason.",
    ),
    click.option(
        "--contacts",
        type=click.Path(dir_okay=False),
        default=None,
        help="A people export (name, title, email, company website or domain): joined by "
        "domain, so each brief names the people to call, ranked by the profile's personas.",
    ),
    choices_option(
        "--format",
        "formats",
        OUTPUT_FORMATS,
        default=("csv",),
        help="Target list format(s): csv, xlsx, parquet, json (repeat or comma-separate).",
    ),
    choices_option("--crm", "crm", CRMS, help="Also write a CRM import file: hubspot, salesforce."),
    choices_option(
        "--brief-format",
        "brief_formats",
        BRIEF_FORMATS,
        default=("md",),
        help="Brief format(s): md, html.",
    ),
    click.option(
        "--templates",
        type=click.Path(file_okay=False),
        default=None,
        help="Directory of your own Jinja templates for briefs and the report.",
    ),
    source_priority_option,
    click.option(
        "--input-format",
        default=None,
        help="Force the input format: csv, tsv, xlsx, parquet, json, ndjson.",
    ),
    click.option("--encoding", default=None, help="Force the input encoding, e.g. cp1252."),
    click.option(
        "--enrich",
        type=click.Path(),
        default=None,
        metavar="PROVIDERS",
        help="Fill missing fields from the HTTP providers in this TOML file.",
    ),
    cache_dir_option("Enrichment cache directory."),
    click.option("--quiet", "-q", is_flag=True, help="No progress on stderr."),
    column_map_option,
    engine_options,
)


@main.command()
@BUILD_OPTIONS
def build(*, lists: tuple[str, ...], quiet: bool, **options: Any) -> None:
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
    with _Progress(show=not quiet and sys.stderr.isatty()) as progress:
        result = lb.build(list(lists), **progress.hooks(), **options)
    for line in build_lines(result):
        click.echo(visible(line))
    as_of = result.funnel["as_of"]
    click.echo(f"Wrote {len(result.paths)} outputs to {options['out_dir']} (as of {as_of})")
    for line in result.warnings:
        click.echo(visible(line), err=True)
    if result.diagnosis:
        for line in result.diagnosis:
            click.echo(visible(line), err=True)
        sys.exit(EXIT_FAIL)


def build_lines(result: BuildResult) -> list[str]:
    """What `build` prints of its result, before the outputs line: the funnel, each
    stage's top reasons, the quality flags, unmatched signals, reps, contacts, coverage."""
    from listbuilder.pipeline import format_funnel
    from listbuilder.score.coverage import format_coverage

    lines = [format_funnel(result.funnel)]
    for stage in result.funnel["stages"]:
        lines += _stage_lines(stage, result.funnel)
    if result.unmatched_signals is not None and result.unmatched_signals.height:
        lines.append(
            f"  signals  {result.unmatched_signals.height:>8,}  event rows matched no account"
            " or were unusable (signals_unmatched.csv)"
        )
    if "assignment" in result.funnel:
        from listbuilder.pipeline import format_assignment

        lines.append(format_assignment(result.funnel["assignment"]))
    if "contacts" in result.funnel:
        found = result.funnel["contacts"]
        lines.append(
            f"contacts: {found['people']:,} people; {found['accounts_with_contacts']:,} of "
            f"{result.funnel['selected']:,} accounts have someone to call"
        )
    lines.append(format_coverage(result.coverage))
    return lines


def _stage_lines(stage: dict[str, Any], funnel: dict[str, Any]) -> list[str]:
    """A stage's reasons (the top SHOWN_REASONS and a count of the rest), and after the
    quality stage the flags it set on kept rows."""
    reasons = list(stage["reasons"].items())
    shown = reasons[:SHOWN_REASONS] if len(reasons) > SHOWN_REASONS + 1 else reasons
    lines = [f"  {stage['stage']:<8} {count:>8,}  {reason}" for reason, count in shown]
    if len(shown) < len(reasons):
        rest = reasons[len(shown) :]
        lines.append(
            f"  {stage['stage']:<8} {sum(c for _, c in rest):>8,}  "
            f"{len(rest)} more reasons (see rejects.csv)"
        )
    if stage["stage"] == "quality":
        flagged = (funnel.get("quality") or {}).get("flagged") or {}
        lines += [
            f"  {'flagged':<8} {count:>8,}  {flag} (kept; see the quality column)"
            for flag, count in flagged.items()
        ]
    return lines


class _Progress:
    """Stage names on stderr, and a progress bar while briefs are rendered (when `show`)."""

    def __init__(self, *, show: bool) -> None:
        self._show = show
        self._bar: Any = None

    def hooks(self) -> dict[str, Any]:
        """The progress arguments of `listbuilder.build` (none when not shown)."""
        return {"progress": self.stage, "brief_progress": self.briefs} if self._show else {}

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
