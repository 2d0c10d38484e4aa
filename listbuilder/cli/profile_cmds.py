"""`listbuilder profile check|list` and `listbuilder explain`: thin layers over profile/score."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

import click

import listbuilder as lb
from listbuilder.cli import main
from listbuilder.cli.options import day_in_range, list_input_options
from listbuilder.cli.terminal import visible
from listbuilder.errors import EXIT_ERROR, InputError
from listbuilder.profile import Profile, load_profile
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
    problems = lb.check_profiles(list(profiles))
    for given in profiles:
        for problem in problems[given]:
            click.secho(problem, fg="red", err=True)
        if not problems[given]:
            click.echo(summarize_profile(load_profile(given), given))
    if any(problems.values()):
        sys.exit(EXIT_ERROR)


@profile.command("list")
def list_profiles() -> None:
    """List the profiles shipped with listbuilder (usable as --profile NAME).

    Example: listbuilder profile list
    """
    for name in lb.list_profiles():
        loaded = load_profile(name)
        click.echo(
            f"{name}: {loaded.name}" + (f" — {loaded.description}" if loaded.description else "")
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
    *,
    account: str,
    lists: tuple[str, ...],
    profile_paths: tuple[str, ...],
    signal_paths: tuple[str, ...],
    as_of: str | None,
    suppress_paths: tuple[str, ...] = (),
    **reading: Any,
) -> None:
    """Show why ACCOUNT (a domain or a company name) scores what it does.

    Prints the hard filters passed or failed, each criterion's value, points and
    status, and the signal boosts: the list's own funding rounds, and the events of
    --signals when given (then also the priority cell, fit tier x timing, e.g. A1).

    Example: listbuilder explain acme.com list.csv --profile b2b_saas

    Example: listbuilder explain "Acme" export.csv -p b2b_saas --map "Org=name"
    --suppress crm.csv --signals events.csv --as-of 2026-11-01
    """
    explained = lb.explain(
        account,
        list(lists),
        profiles=profile_paths,
        signals=signal_paths,
        suppress=suppress_paths,
        as_of=_parse_day(as_of),
        **reading,
    )
    click.echo(visible(explained.text))
