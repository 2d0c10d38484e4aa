"""One function per CLI command, taking the values the command takes.

Each accepts what you would type: one path or a list of them, a profile file or a
shipped name (`"b2b_saas"`), a date or an ISO string (`"2026-11-01"`). They call the
same library code as the CLI, so a notebook and a shell agree. `build` lives in
`listbuilder.pipeline`; the stage functions (`read_companies`, `score_companies`,
`rank_companies`...) chain for finer control.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from listbuilder.pipeline import as_date, as_paths

PathLike = str | Path
Paths = PathLike | Sequence[PathLike]


def _day(value: dt.date | str | None) -> dt.date | None:
    return None if value is None else as_date(value)


@dataclass
class Inspection:
    """What `inspect` prints: one `FileReport` per file, the text, and with profiles the
    coverage (`score.coverage.Coverage` per profile) and the absent-field warnings."""

    reports: list[Any]
    text: str
    coverage: list[Any] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def inspect(
    paths: Paths,
    *,
    profiles: Paths = (),
    input_format: str | None = None,
    encoding: str | None = None,
    column_map: dict[str, str] | None = None,
) -> Inspection:
    """How each list is read (format, encoding, column mapping, parse rates) and, with
    `profiles`, the share of rows each rule and criterion can score (`listbuilder inspect`).

    Example::

        report = lb.inspect("fixtures/sample/companies.csv", profiles="b2b_saas")
        print(report.text)
    """
    from listbuilder.cli.inspect_cmd import format_report
    from listbuilder.ingest import read_companies
    from listbuilder.profile import load_profiles

    chosen = load_profiles(as_paths(profiles)) if profiles else []
    ingested = read_companies(
        as_paths(paths), format=input_format, encoding=encoding, column_map=column_map
    )
    text = "\n\n".join(format_report(r) for r in ingested.reports)
    result = Inspection(list(ingested.reports), text)
    if chosen:
        from listbuilder.normalize import normalize_companies
        from listbuilder.score.coverage import absent_warnings, format_coverage, measure_coverage

        companies = normalize_companies(ingested.companies)[0]
        result.coverage = measure_coverage(companies, chosen)
        result.warnings = absent_warnings(result.coverage)
        result.text += "\n\n" + format_coverage(result.coverage)
    return result


def dedupe_lists(
    paths: Paths,
    *,
    out_dir: PathLike,
    profile: PathLike | None = None,
    source_priority: Sequence[str] | None = None,
    input_format: str | None = None,
    encoding: str | None = None,
    column_map: dict[str, str] | None = None,
    engine: Any = "polars",
) -> Any:
    """Merge duplicates across lists and write companies.csv, clusters.csv and rejects.csv
    into `out_dir` (`listbuilder dedupe`); returns a `DedupeRun` (`.summary()`, `.warning`).

    Example::

        run = lb.dedupe_lists(["vendor_a.csv", "vendor_b.xlsx"], out_dir="deduped")
        print(run.summary())
    """
    from listbuilder.dedupe.run import dedupe_lists as run_dedupe
    from listbuilder.export.folder import check_output_dir, is_dedupe_output
    from listbuilder.profile import load_profile

    lists = as_paths(paths)
    settings = load_profile(profile).dedupe if profile is not None else None
    check_output_dir(out_dir, inputs=[p for p in lists if Path(p).exists()], owned=is_dedupe_output)
    return run_dedupe(
        lists,
        out_dir,
        settings=settings,
        source_priority=source_priority,
        engine=engine,
        input_format=input_format,
        encoding=encoding,
        column_map=column_map,
    )


def check_profiles(paths: Paths) -> dict[str, list[str]]:
    """Validate profiles (`listbuilder profile check`): each path or shipped name with its
    problems, an empty list when it is valid. Never raises for a bad profile.

    Example::

        problems = lb.check_profiles(["b2b_saas", "filters/my_icp.toml"])
        bad = {p: msgs for p, msgs in problems.items() if msgs}
    """
    from listbuilder.errors import ProfileError
    from listbuilder.profile import load_profile

    out: dict[str, list[str]] = {}
    for path in as_paths(paths):
        try:
            load_profile(path)
        except ProfileError as exc:
            out[str(path)] = list(exc.problems) or [str(exc)]
        else:
            out[str(path)] = []
    return out


def list_profiles() -> list[str]:
    """The shipped profiles, by the names `--profile` accepts (`listbuilder profile list`).

    Example::

        assert "b2b_saas" in lb.list_profiles()
    """
    from listbuilder.profile import shipped_profiles

    return shipped_profiles()


def explain(
    account: str,
    lists: Paths,
    *,
    profiles: Paths,
    signals: Paths = (),
    as_of: dt.date | str | None = None,
    input_format: str | None = None,
    encoding: str | None = None,
    column_map: dict[str, str] | None = None,
) -> Any:
    """Why ACCOUNT (a domain or a name) scores what it does (`listbuilder explain`): an
    `Explanation` whose `.text` is what the command prints.

    Example::

        e = lb.explain("acme.com", "list.csv", profiles="b2b_saas", as_of="2026-11-01")
        print(e.text)
    """
    from listbuilder.ingest import read_companies
    from listbuilder.normalize import normalize_companies
    from listbuilder.profile import load_profiles
    from listbuilder.quality import check_quality
    from listbuilder.score.explain import explain_account
    from listbuilder.signals import Events, events_from_companies, read_signals, score_signals

    chosen = load_profiles(as_paths(profiles))
    day = as_date(as_of)
    read = read_companies(
        as_paths(lists), format=input_format, encoding=encoding, column_map=column_map
    )
    listed = normalize_companies(read.companies)[0]
    companies = check_quality(listed, chosen[0].quality, as_of=day).companies
    events: list[Events | pl.DataFrame] = []
    if signals:
        events.append(read_signals(as_paths(signals)))
    events.append(events_from_companies(companies))
    scores = score_signals(companies, events, chosen[0].signals, as_of=day).scores
    return explain_account(companies, account, chosen, signal_scores=scores, timing=bool(signals))


def enrich(
    lists: Paths,
    *,
    providers: PathLike,
    cache_dir: PathLike | None = None,
    dry_run: bool = False,
    fields: Sequence[str] | None = None,
) -> Any:
    """Fill missing fields of the lists from the HTTP providers in a TOML file
    (`listbuilder enrich`); returns an `EnrichResult` (`.companies`, per-provider counts).

    Example::

        result = lb.enrich("list.csv", providers="providers.toml", dry_run=True)
    """
    from listbuilder.http import default_cache_dir, enrich_companies, load_providers
    from listbuilder.ingest import read_companies
    from listbuilder.normalize import normalize_companies

    chosen = load_providers(providers)
    companies = normalize_companies(read_companies(as_paths(lists)).companies)[0]
    return enrich_companies(
        companies,
        chosen,
        cache_dir=cache_dir if cache_dir is not None else default_cache_dir(),
        dry_run=dry_run,
        fields=fields,
    )


def backtest(
    deals: PathLike,
    *,
    profile: PathLike,
    companies: Paths = (),
    as_of: dt.date | str | None = None,
    signals: Paths = (),
    seed: int = 0,
) -> Any:
    """Compare in-ICP and out-of-ICP deals (`listbuilder backtest`): a `Backtest` with
    `.verdict`, `.in_icp`, `.out_icp` (write it with `listbuilder.learn.write_backtest`).

    Example::

        result = lb.backtest("fixtures/sample/deals.csv", profile="b2b_saas")
        print(result.verdict)
    """
    result, _ = read_and_backtest(
        deals, profile=profile, companies=companies, as_of=as_of, signals=signals, seed=seed
    )
    return result


def read_and_backtest(
    deals: PathLike,
    *,
    profile: PathLike,
    companies: Paths = (),
    as_of: dt.date | str | None = None,
    signals: Paths = (),
    seed: int = 0,
) -> tuple[Any, Any]:
    """`backtest` and the `Deals` it read (rows, rejects, column mapping): what the
    command writes and prints besides the result."""
    from listbuilder.errors import InputError
    from listbuilder.learn import backtest_deals, read_deals
    from listbuilder.profile import load_profile
    from listbuilder.signals import read_signals

    chosen = load_profile(profile)
    events = None
    if signals:
        if not chosen.signals:
            raise InputError(
                f"--signals given but {profile} has no [[signal]] rules; add one "
                "(see filters/b2b_saas.toml) or leave out --signals"
            )
        events = read_signals(as_paths(signals))
    read = read_deals(deals, companies=as_paths(companies) or None)
    read.require_closed()
    result = backtest_deals(
        read.deals,
        chosen,
        as_of=_day(as_of),
        seed=seed,
        source=str(deals),
        has_retention=read.has_retention,
        has_expansion=read.has_expansion,
        events=events,
    )
    result.rejected = read.rejects.height
    result.notes = _deal_notes(read)
    return result, read


def _deal_notes(read: Any) -> list[str]:
    """How the deals file was understood: its deal columns and the company-list join."""
    columns = ", ".join(f'{m.field} = "{m.header}"' for m in read.mapping)
    notes = [f"deal columns: {columns}"]
    if read.matched is not None:
        notes.append(f"{read.matched} of {read.deals.height} deals matched to the company list")
    return notes


def draft_profile(
    deals: PathLike,
    *,
    companies: Paths = (),
    best: str = "won",
    min_deals: int = 20,
    as_of: dt.date | str | None = None,
) -> Any:
    """A draft profile from won and lost deals (`listbuilder learn`): a `Draft` with
    `.criteria` and `.summary` (write it with `listbuilder.learn.write_draft`).

    Example::

        draft = lb.draft_profile("fixtures/sample/deals.csv")
    """
    from listbuilder.learn import learn_profile, read_deals

    read = read_deals(deals, companies=as_paths(companies) or None)
    read.require_closed()
    return learn_profile(
        read.deals, best=best, min_deals=min_deals, as_of=_day(as_of), source=str(deals)
    )


def review(
    deals: PathLike,
    *,
    profile: PathLike,
    companies: Paths = (),
    window: int = 90,
    as_of: dt.date | str | None = None,
) -> Any:
    """Drift between the last `window` days of deals and the window before
    (`listbuilder review`): a `Review` whose `.lines()` the command prints.

    Example::

        result = lb.review("fixtures/sample/deals.csv", profile="b2b_saas", as_of="2026-11-01")
    """
    from listbuilder.learn import read_deals, review_deals
    from listbuilder.profile import load_profile

    read = read_deals(deals, companies=as_paths(companies) or None)
    read.require_closed()
    return review_deals(read.deals, load_profile(profile), window=window, as_of=_day(as_of))


def push(
    directory: PathLike,
    *,
    crm: str,
    token: str | None = None,
    apply: bool = False,
    base_url: str | None = None,
) -> Any:
    """Upsert DIRECTORY/targets.csv into HubSpot or Salesforce, keyed by domain
    (`listbuilder push`); a dry run unless `apply`. The token defaults to the command's
    environment variable (`HUBSPOT_TOKEN`, `SALESFORCE_TOKEN`). Returns a `PushResult`.

    Example::

        result = lb.push("out", crm="hubspot")          # dry run: the plan
        print("\n".join(result.plan.summary()))
    """
    import os

    from listbuilder.cli.http_cmds import TOKEN_ENVS
    from listbuilder.errors import ConfigError
    from listbuilder.http import push_accounts, read_targets

    env = TOKEN_ENVS.get(crm, "")
    token = token or os.environ.get(env)
    if not token:
        raise ConfigError(f"no {crm} token: pass token= or set {env or 'the token variable'}")
    return push_accounts(
        read_targets(directory), crm=crm, base_url=base_url, token=token, apply=apply
    )


__all__ = [
    "Inspection",
    "backtest",
    "check_profiles",
    "dedupe_lists",
    "draft_profile",
    "enrich",
    "explain",
    "inspect",
    "list_profiles",
    "push",
    "review",
]
