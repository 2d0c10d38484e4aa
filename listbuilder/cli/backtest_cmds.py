"""`listbuilder backtest`, `learn` and `review`: close the loop from won and lost deals."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

import listbuilder as lb
from listbuilder.cli import main
from listbuilder.cli.options import as_of_option, deals_input, profile_option
from listbuilder.errors import EXIT_FAIL
from listbuilder.learn.deals import MAX_WINDOW_DAYS


def _rejected(count: int, out: Path | None) -> str:
    if not count:
        return ""
    where = f" (see {out})" if out else ""
    return f"; {count} deal rows rejected{where}"


@main.command()
@deals_input
@profile_option("The ICP profile to test (a file or a shipped name such as b2b_saas).")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for backtest.md, backtest.html, backtest.json, deals_rejects.csv.",
)
@as_of_option("Date the export was taken (default: the latest created date in DEALS).")
@click.option("--seed", default=0, show_default=True, help="Seed of the bootstrap intervals.")
@click.option(
    "--signals",
    "signals",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Events file(s): score each deal's signals as of its created date.",
)
def backtest(
    *,
    deals: str,
    companies: tuple[str, ...],
    profile: str,
    out_dir: str,
    as_of: dt.date | None,
    seed: int,
    signals: tuple[str, ...],
) -> None:
    """Does the profile predict success? Compare won/lost deals in vs out of the ICP.

    DEALS is a HubSpot, Salesforce or plain CSV/XLSX export of deals (account, created,
    closed, stage or outcome, amount; optionally churned date, renewed, expansion).
    With --signals, each deal also gets the profile's signal score as of its created date.

    Example: listbuilder backtest deals.csv --profile filters/b2b_saas.toml --out backtest/
    """
    result = lb.backtest(
        deals,
        profile=profile,
        out_dir=out_dir,
        companies=companies,
        as_of=as_of,
        signals=signals,
        seed=seed,
    )
    out = Path(out_dir)
    a, b = result.in_icp, result.out_icp
    click.echo(
        f"{deals}: {a['deals'] + b['deals']} deals ({a['closed'] + b['closed']} closed), "
        f"{a['deals']} in-ICP, {b['deals']} out-of-ICP"
        f"{_rejected(result.rejected, out / 'deals_rejects.csv')}"
    )
    click.echo(result.verdict)
    click.echo(f"wrote {out / 'backtest.md'}, backtest.html, backtest.json")


@main.command()
@deals_input
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Where to write the draft profile (TOML).",
)
@click.option(
    "--best",
    type=click.Choice(["won", "top-quartile"]),
    default="won",
    show_default=True,
    help="Best customers: every retained won deal, or the top quartile by value.",
)
@click.option(
    "--min-deals",
    default=20,
    show_default=True,
    help="Closed deals a segment needs before it can become a rule.",
)
@as_of_option("Date the export was taken (default: the latest created date in DEALS).")
def learn(
    *,
    deals: str,
    companies: tuple[str, ...],
    out_path: str,
    best: str,
    min_deals: int,
    as_of: dt.date | None,
) -> None:
    """Draft a profile from won vs lost deals: weights proportional to the evidence.

    Each rule carries a comment with its evidence (deals, win rate, lift); segments with
    fewer than --min-deals closed deals are listed as too little data, not guessed.
    Exit 1 when no attribute separates won from lost deals (no draft is written).

    Example: listbuilder learn deals.csv --out filters/learned.toml
    """
    draft = lb.draft_profile(
        deals, out=out_path, companies=companies, best=best, min_deals=min_deals, as_of=as_of
    )
    for line in draft.summary:
        click.echo(line)
    if not draft.criteria:
        click.secho(f"no draft written: {draft.reason}", fg="yellow", err=True)
        sys.exit(EXIT_FAIL)
    click.echo(f"wrote {out_path}; check it with: listbuilder profile check {out_path}")


@main.command()
@deals_input
@profile_option("The ICP profile whose tiers to compare (a file or a shipped name).")
@click.option(
    "--window",
    default=90,
    show_default=True,
    type=click.IntRange(min=7, max=MAX_WINDOW_DAYS),
    help="Days per window: the last WINDOW days vs the WINDOW days before.",
)
@as_of_option("End of the last window (default: the latest created date in DEALS).")
@click.option(
    "--fail-on-drift", is_flag=True, help="Exit 1 when something is flagged (for scheduled checks)."
)
def review(
    *,
    deals: str,
    companies: tuple[str, ...],
    profile: str,
    window: int,
    as_of: dt.date | None,
    fail_on_drift: bool,
) -> None:
    """Flag drift: per tier, the last window vs the one before (conversion, cycle, deal size).

    A conversion drop over 15%, a sales-cycle increase over 20% or a deal-size shift over
    15% is flagged "review your ICP" with the numbers. Exit 0 even with flags, unless
    --fail-on-drift is given.

    Example: listbuilder review deals.csv --profile b2b_saas --window 90
    """
    result = lb.review(deals, profile=profile, companies=companies, window=window, as_of=as_of)
    for line in result.lines():
        click.echo(line)
    if result.flags and fail_on_drift:
        sys.exit(EXIT_FAIL)
