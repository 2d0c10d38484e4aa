"""`listbuilder profile check|list` and `listbuilder explain`: thin layers over profile/score."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

import click

from listbuilder.cli import main
from listbuilder.cli.options import day_in_range, list_input_options, parse_column_map
from listbuilder.errors import EXIT_ERROR, InputError, ProfileError
from listbuilder.profile import Profile, load_profile, load_profiles, shipped_profiles
from listbuilder.profile.conditions import number_label


def summarize_profile(profile: Profile, source: str) -> str:
    """One line: name, criteria and weights, filters, signals, tiers, capacity."""
    weights = "+".join(number_label(c.weight) for c in profile.criteria)
    tiers = " ".join(f"{name}≥{number_label(floor)}" for name, floor in profile.tiers)
    priority = f" (priority {profile.priority_tier}+)" if profile.priority_tier else ""
    capacity = f"capacity {profile.capacity}" if profile.capacity else "no capacity"
    # the missing-data policies, when any criterion is not on the default ("zero")
    policies = sorted({c.on_missing for c in profile.criteria} - {"zero"})
    missing = f", on_missing {'/'.join(policies)}" if policies else ""
    if profile.min_confidence:
        missing += f", min_confidence {number_label(profile.min_confidence)}"
    return (
        f'{source}: ok — "{profile.name}": {len(profile.criteria)} criteria '
        f"(weights {weights} = 100), {len(profile.requires)} require, "
        f"{len(profile.excludes)} exclude, {len(profile.signals)} signals, tiers {tiers}"
        f"{priority}, {capacity}{missing}"
    )


@main.group()
def profile() -> None:
    """Check and list ICP profiles (TOML files in filters/).

    Example: listbuilder profile check filters/b2b_saas.toml
    """


@profile.command("check")
@click.argument("profiles", nargs=-1, required=True, metavar="PROFILE...")
def check(profiles: tuple[str, ...]) -> None:
    """Validate profiles: print a summary per good file, every problem of a bad one (exit 2).

    PROFILE is a file or the name of a shipped profile (b2b_saas).

    Example: listbuilder profile check filters/*.toml
    """
    failed = False
    for given in profiles:
        try:
            loaded = load_profile(given)
        except ProfileError as exc:
            failed = True
            for problem in exc.problems:
                click.secho(problem, fg="red", err=True)
            continue
        click.echo(summarize_profile(loaded, given))
    if failed:
        sys.exit(EXIT_ERROR)


@profile.command("list")
def list_profiles() -> None:
    """List the profiles shipped with listbuilder (usable as --profile NAME).

    Example: listbuilder profile list
    """
    for name in shipped_profiles():
        loaded = load_profile(name)
        click.echo(
            f"{name}: {loaded.name}" + (f" — {loaded.description}" if loaded.description else "")
        )


def _rejected_by_quality(listed: Any, rejects: Any, account: str) -> None:
    """Raise the quality gate's reason when ACCOUNT is a row it rejected."""
    from listbuilder.score.explain import find_account

    try:
        row = find_account(listed, account).row(0, named=True)
    except InputError:
        return  # not in the list at all: the caller's lookup says so
    import polars as pl

    hit = rejects.filter((pl.col("source") == row["source"]) & (pl.col("line") == row["line"]))
    if hit.height:
        reason, detail = hit.select("reason", "detail").row(0)
        raise InputError(
            f"{row['source']} line {row['line']} ({account}) is rejected by the data-quality "
            f'gate before scoring: {reason} ({detail}); set it to "flag" or "off" in the '
            "profile's [quality] table to score it"
        )


def _parse_day(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return day_in_range(value)
    except ValueError as exc:
        raise InputError(f"--as-of {exc}") from None


@main.command("explain")
@click.argument("account")
@click.argument("lists", nargs=-1, required=True, metavar="LIST...")
@click.option(
    "--profile",
    "-p",
    "profile_paths",
    multiple=True,
    required=True,
    help="Profile file or shipped name; repeat to compare several ICPs.",
)
@click.option("--signals", "signal_paths", multiple=True, help="Events file(s) for the boosts.")
@click.option("--as-of", "as_of", default=None, help="Date the signals decay to (default today).")
@click.option(
    "--suppress",
    "suppress_paths",
    multiple=True,
    help="CRM export(s): say so when the account would be suppressed (customer, open deal...).",
)
@list_input_options
def explain(
    account: str,
    lists: tuple[str, ...],
    profile_paths: tuple[str, ...],
    signal_paths: tuple[str, ...],
    as_of: str | None,
    suppress_paths: tuple[str, ...] = (),
    input_format: str | None = None,
    encoding: str | None = None,
    column_map: tuple[str, ...] = (),
) -> None:
    """Show why ACCOUNT (a domain or a company name) scores what it does.

    Prints the hard filters passed or failed, each criterion's value, points and
    status, and the signal boosts: the list's own funding rounds, and the events of
    --signals when given (then also the priority cell, fit tier x timing, e.g. A1).

    Example: listbuilder explain acme.com list.csv --profile b2b_saas

    Example: listbuilder explain "Acme" export.csv -p b2b_saas --map "Org=name"
    --suppress crm.csv --signals events.csv --as-of 2026-11-01
    """
    import polars as pl

    from listbuilder.ingest import read_companies
    from listbuilder.normalize import normalize_companies
    from listbuilder.quality import check_quality
    from listbuilder.score.explain import explain_account, find_account, format_explanation
    from listbuilder.signals import Events, events_from_companies, read_signals, score_signals

    chosen = load_profiles(profile_paths)  # validate before reading any data
    day = _parse_day(as_of)
    read = read_companies(
        list(lists),
        format=input_format,
        encoding=encoding,
        column_map=parse_column_map(column_map),
    )
    listed = normalize_companies(read.companies)[0]
    # the build's data-quality gate: flagged values are not scored here either
    checked = check_quality(listed, chosen[0].quality, as_of=day)
    companies = checked.companies
    if checked.rejects.height:
        try:
            find_account(companies, account)
        except InputError:
            _rejected_by_quality(listed, checked.rejects, account)
    # The list's own funding rounds always count; events files when given. Without them
    # the timing (and so the priority cell) is not known: a build may have had some.
    events: list[Events | pl.DataFrame] = [read_signals(list(signal_paths))] if signal_paths else []
    events.append(events_from_companies(companies))
    scores = score_signals(companies, events, chosen[0].signals, as_of=day).scores
    explanation = explain_account(
        companies, account, chosen, signal_scores=scores, timing=bool(signal_paths)
    )
    from listbuilder.cli.terminal import visible

    click.echo(visible(format_explanation(explanation)))
    if suppress_paths:
        click.echo(visible(_suppression_line(listed, account, chosen[0], suppress_paths)))


def _suppression_line(listed: Any, account: str, profile: Any, paths: tuple[str, ...]) -> str:
    """What the CRM says of ACCOUNT: `Suppressed: customer (CRM record 1042 ...)` or not."""
    from listbuilder.dedupe import read_suppression, suppress_companies
    from listbuilder.score.explain import find_account

    row = find_account(listed, account).row(0, named=True)
    _, suppressed = suppress_companies(listed, read_suppression(list(paths)))
    mine = suppressed.filter(
        (suppressed["source"] == row.get("source")) & (suppressed["line"] == row.get("line"))
    )
    if not mine.height:
        return "\nCRM: not suppressed — no customer, open deal, owner or do-not-contact found"
    hit = mine.row(0, named=True)
    detail = f" ({hit['detail']})" if hit.get("detail") else ""
    return f"\nCRM: {hit['reason']}{detail} — build would leave it out"
