"""One function per CLI command, taking the values the command takes.

Each accepts what you would type: one path or a list of them, a profile file or a
shipped name (`"b2b_saas"`), a date or an ISO string (`"2026-11-01"`). They call the
same library code as the CLI, and the CLI calls them, so a notebook and a shell agree:
a command parses its options, calls its function here and prints what it returns.
`build` lives in `listbuilder.pipeline`; the stage functions (`read_companies`,
`score_companies`, `rank_companies`...) chain for finer control.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import polars as pl

# The result types, imported for the annotations (typing.get_type_hints resolves them);
# learn and score load them anyway.
from listbuilder.dedupe.explain import PairExplanation
from listbuilder.dedupe.run import DedupeRun
from listbuilder.errors import ConfigError, InputError
from listbuilder.http import EnrichResult, EnrichStats, PushResult
from listbuilder.ingest import FileReport
from listbuilder.learn.backtest import Backtest
from listbuilder.learn.deals import Deals
from listbuilder.learn.draft import Draft
from listbuilder.learn.review import Review
from listbuilder.pipeline import as_date, as_paths
from listbuilder.profile import Profile
from listbuilder.score.coverage import Coverage
from listbuilder.score.explain import Explanation

PathLike = str | Path
Paths = PathLike | Sequence[PathLike]

TOKEN_ENVS = {"hubspot": "HUBSPOT_TOKEN", "salesforce": "SALESFORCE_TOKEN"}
ENRICHED_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
BACKTEST_FILES = ("backtest.md", "backtest.html", "backtest.json", "deals_rejects.csv")
_EXAMPLE_WIDTH = 60


def _day(value: dt.date | str | None) -> dt.date | None:
    return None if value is None else as_date(value)


# ------------------------------------------------------------------------------ inspect


@dataclass
class Inspection:
    """What `inspect` prints: one `FileReport` per file (`reports_text`) and, with profiles,
    the coverage per profile (`coverage_text`) and the absent-field warnings."""

    reports: list[FileReport]
    reports_text: str
    coverage: list[Coverage] = field(default_factory=list)
    coverage_text: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The reports, then the coverage, as the command prints them."""
        return "\n\n".join(t for t in (self.reports_text, self.coverage_text) if t)


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
    from listbuilder.ingest import read_companies
    from listbuilder.profile import load_profiles

    chosen = load_profiles(as_paths(profiles)) if profiles else []  # before reading data
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
        result.coverage_text = format_coverage(result.coverage)
    return result


def _clip(value: str) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= _EXAMPLE_WIDTH else value[: _EXAMPLE_WIDTH - 1] + "…"


def format_report(report: FileReport) -> str:
    """The human-readable summary of one file that `inspect` prints."""
    encoding = report.encoding or "n/a (binary format)"
    fmt = report.format + (f" ({report.compression})" if report.compression else "")
    if report.delimiter and report.delimiter not in (",", "\t"):
        fmt += f", delimiter {report.delimiter!r}"
    lines = [
        f"{report.path}",
        f"  format: {fmt}",
        f"  encoding: {encoding}",
        f"  rows: {report.rows}" + (f" ({report.rejected} rejected)" if report.rejected else ""),
        "  columns:",
    ]
    width = max((len(m.header) for m in report.mapping), default=0)
    for m in report.mapping:
        target = f"-> {m.field} ({m.confidence}%, {m.method})" if m.field else "(passthrough)"
        lines.append(f"    {m.header.ljust(width)}  {target}")
    lines.append("  parse rate:")
    for stats in report.fields:
        rate = stats.parse_rate
        shown = "n/a" if rate is None else f"{rate:.1%}"
        extra = []
        if stats.unparsed:
            extra.append(f"{stats.unparsed} unparsed")
        if stats.placeholders:
            extra.append(f"{stats.placeholders} placeholders")
        suffix = f" ({', '.join(extra)})" if extra else ""
        lines.append(f"    {stats.field} [{stats.header}]: {shown} of {stats.filled}{suffix}")
        if stats.examples:
            shown_examples = ", ".join(repr(_clip(e)) for e in stats.examples)
            lines.append(f"      unparsed e.g. {shown_examples}")
    lines.append(f"  placeholders nulled: {report.placeholders}")
    for note in report.notes:
        lines.append(f"  note: {note}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------- dedupe


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
) -> DedupeRun:
    """Merge duplicates across lists and write companies.csv, clusters.csv and rejects.csv
    into `out_dir` (`listbuilder dedupe`); returns a `DedupeRun` (`.summary()`, `.warning`).
    `engine` is `"polars"`, `"spark"` or a `listbuilder.spark.SparkEngine`.

    Example::

        run = lb.dedupe_lists(["vendor_a.csv", "vendor_b.xlsx"], out_dir="deduped")
        print(run.summary())
    """
    from listbuilder.dedupe.run import dedupe_lists as run_dedupe
    from listbuilder.export.folder import check_output_dir, is_dedupe_output
    from listbuilder.profile import load_profile
    from listbuilder.spark.engine import is_spark_path

    lists = as_paths(paths)
    settings = load_profile(profile).dedupe if profile is not None else None
    if not is_spark_path(out_dir):  # Spark paths are Spark's to write
        check_output_dir(
            out_dir, inputs=[p for p in lists if Path(p).exists()], owned=is_dedupe_output
        )
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


def explain_pair(
    paths: Paths,
    row_a: str,
    row_b: str,
    *,
    profile: PathLike | None = None,
    input_format: str | None = None,
    encoding: str | None = None,
    column_map: dict[str, str] | None = None,
) -> PairExplanation:
    """Why two rows (`file:line`, or a line number for one file) are or are not one company
    (`listbuilder dedupe --explain-pair`); `.lines()` is what the command prints.

    Example::

        why = lb.explain_pair("vendor_a.csv", "12", "40")
        print("\\n".join(why.lines()))
    """
    from listbuilder.dedupe.run import explain_lists
    from listbuilder.profile import load_profile

    settings = load_profile(profile).dedupe if profile is not None else None
    return explain_lists(
        as_paths(paths),
        row_a,
        row_b,
        settings=settings,
        input_format=input_format,
        encoding=encoding,
        column_map=column_map,
    )


# ----------------------------------------------------------------------------- profiles


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


# ------------------------------------------------------------------------------ explain


@dataclass(frozen=True)
class AccountExplanation(Explanation):
    """An `Explanation` and, when `explain` was given CRM exports, what they say of the
    account (`crm`: suppressed and why, or not); `.text` is what the command prints."""

    crm: str | None = None

    @property
    def text(self) -> str:
        return super().text + (f"\n\n{self.crm}" if self.crm is not None else "")


def explain(
    account: str,
    lists: Paths,
    *,
    profiles: Paths,
    signals: Paths = (),
    suppress: Paths = (),
    as_of: dt.date | str | None = None,
    input_format: str | None = None,
    encoding: str | None = None,
    column_map: dict[str, str] | None = None,
) -> AccountExplanation:
    """Why ACCOUNT (a domain or a name) scores what it does (`listbuilder explain`): an
    `Explanation` whose `.text` is what the command prints; with `suppress` (CRM exports)
    it also says whether build would leave the account out. A row the data-quality gate
    rejects is refused with the gate's reason.

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

    chosen = load_profiles(as_paths(profiles))  # validate before reading any data
    day = as_date(as_of)
    read = read_companies(
        as_paths(lists), format=input_format, encoding=encoding, column_map=column_map
    )
    listed = normalize_companies(read.companies)[0]
    # the build's data-quality gate: flagged values are not scored here either
    checked = check_quality(listed, chosen[0].quality, as_of=day)
    companies = checked.companies
    _refuse_quality_reject(listed, companies, checked.rejects, account)
    # The list's own funding rounds always count; events files when given. Without them
    # the timing (and so the priority cell) is not known: a build may have had some.
    events: list[Events | pl.DataFrame] = [read_signals(as_paths(signals))] if signals else []
    events.append(events_from_companies(companies))
    scores = score_signals(companies, events, chosen[0].signals, as_of=day).scores
    explained = explain_account(
        companies, account, chosen, signal_scores=scores, timing=bool(signals)
    )
    crm = _suppression_line(listed, account, as_paths(suppress)) if suppress else None
    values = {f.name: getattr(explained, f.name) for f in fields(explained)}
    return AccountExplanation(**values, crm=crm)


def _refuse_quality_reject(
    listed: pl.DataFrame, companies: pl.DataFrame, rejects: pl.DataFrame, account: str
) -> None:
    """Raise the quality gate's reason when ACCOUNT is a row it rejected."""
    from listbuilder.score.explain import find_account

    if not rejects.height:
        return
    try:
        find_account(companies, account)
        return  # scored: explained as usual
    except InputError:
        pass
    try:
        row = find_account(listed, account).row(0, named=True)
    except InputError:
        return  # not in the list at all: the caller's lookup says so
    hit = rejects.filter((pl.col("source") == row["source"]) & (pl.col("line") == row["line"]))
    if hit.height:
        reason, detail = hit.select("reason", "detail").row(0)
        raise InputError(
            f"{row['source']} line {row['line']} ({account}) is rejected by the data-quality "
            f'gate before scoring: {reason} ({detail}); set it to "flag" or "off" in the '
            "profile's [quality] table to score it"
        )


def _suppression_line(listed: pl.DataFrame, account: str, paths: Sequence[PathLike]) -> str:
    """What the CRM says of ACCOUNT: `CRM: customer (CRM record 1042 ...)` or not."""
    from listbuilder.dedupe import read_suppression, suppress_companies
    from listbuilder.score.explain import find_account

    row = find_account(listed, account).row(0, named=True)
    _, suppressed = suppress_companies(listed, read_suppression(list(paths)))
    mine = suppressed.filter(
        (suppressed["source"] == row.get("source")) & (suppressed["line"] == row.get("line"))
    )
    if not mine.height:
        return "CRM: not suppressed — no customer, open deal, owner or do-not-contact found"
    hit = mine.row(0, named=True)
    detail = f" ({hit['detail']})" if hit.get("detail") else ""
    return f"CRM: {hit['reason']}{detail} — build would leave it out"


# ------------------------------------------------------------------------------- enrich


@dataclass
class Enrichment:
    """What `enrich` did: the `EnrichResult` (`.companies`, `.stats`, `.errors`), the rows
    left out (unreadable, or no usable name or domain) and the file written (None on a dry
    run or without `out`)."""

    result: EnrichResult
    rejected: int = 0
    path: Path | None = None

    @property
    def companies(self) -> pl.DataFrame:
        return self.result.companies

    @property
    def stats(self) -> EnrichStats:
        return self.result.stats

    @property
    def errors(self) -> pl.DataFrame:
        return self.result.errors


def enrich(
    lists: Paths,
    *,
    providers: PathLike,
    out: PathLike | None = None,
    cache_dir: PathLike | None = None,
    dry_run: bool = False,
    fields: Sequence[str] | None = None,
    input_format: str | None = None,
    encoding: str | None = None,
    column_map: dict[str, str] | None = None,
) -> Enrichment:
    """Fill missing fields of the lists from the HTTP providers in a TOML file
    (`listbuilder enrich`, providers read by `load_providers`) and, unless `dry_run`,
    write the enriched list to `out` (.csv or .parquet).

    Example::

        run = lb.enrich("list.csv", providers="providers.toml", dry_run=True)
        print(run.stats.looked_up, "accounts to look up")
    """
    from listbuilder.http import enrich_companies, load_providers
    from listbuilder.ingest import read_companies
    from listbuilder.normalize import normalize_companies

    chosen = load_providers(providers)
    out_format = _check_enriched_file(out, inputs=[*as_paths(lists), providers], dry_run=dry_run)
    ingested = read_companies(
        as_paths(lists), format=input_format, encoding=encoding, column_map=column_map
    )
    companies, unusable = normalize_companies(ingested.companies)
    result = enrich_companies(
        companies, chosen, cache_dir=cache_dir, dry_run=dry_run, fields=fields or None
    )
    run = Enrichment(result, rejected=ingested.rejects.height + unusable.height)
    if out is not None and out_format is not None:
        run.path = _write_enriched(result.companies, Path(out), out_format)
    return run


def _check_enriched_file(
    out: PathLike | None, *, inputs: Sequence[PathLike], dry_run: bool
) -> str | None:
    """The output format of `out` (None on a dry run), refused before any work when `out`
    is missing, has an unknown extension or would overwrite an input."""
    if out is None:
        if dry_run:
            return None
        raise ConfigError("enrich: --out FILE is missing; name the output (.csv or .parquet)")
    suffix = Path(out).suffix.lower()
    if suffix not in ENRICHED_FORMATS:
        raise ConfigError(
            f"--out {out}: unknown extension {suffix or '(none)'!r}; use .csv or .parquet"
        )
    if dry_run:
        return None
    from listbuilder.export.folder import check_output_file

    check_output_file(out, inputs=list(inputs))
    return ENRICHED_FORMATS[suffix]


def _write_enriched(df: pl.DataFrame, path: Path, fmt: str) -> Path:
    """Parquet as is; CSV through the one writer of every command (formula cells and
    headers neutralised, lists joined with "; ")."""
    from listbuilder.export.files import write_atomic, write_csv_atomic

    if fmt == "parquet":
        write_atomic(path, lambda tmp: df.write_parquet(tmp))
    else:
        write_csv_atomic(path, df)
    return path


# -------------------------------------------------------------------- backtest, learn


def backtest(
    deals: PathLike,
    *,
    profile: PathLike,
    out_dir: PathLike | None = None,
    companies: Paths = (),
    as_of: dt.date | str | None = None,
    signals: Paths = (),
    seed: int = 0,
) -> Backtest:
    """Compare in-ICP and out-of-ICP deals (`listbuilder backtest`): a `Backtest` with
    `.verdict`, `.in_icp`, `.out_icp`; with `out_dir`, also backtest.md, backtest.html,
    backtest.json and deals_rejects.csv there (the folder is checked before any work).

    Example::

        result = lb.backtest("fixtures/sample/deals.csv", profile="b2b_saas")
        print(result.verdict)
    """
    if out_dir is not None:
        from listbuilder.export.folder import check_output_file

        # the reports are written beside whatever else the folder holds; only their own
        # names are replaced
        inputs = [deals, *as_paths(companies), *as_paths(signals), profile]
        for name in BACKTEST_FILES:
            check_output_file(Path(out_dir) / name, inputs=inputs)
    result, read = read_and_backtest(
        deals, profile=profile, companies=companies, as_of=as_of, signals=signals, seed=seed
    )
    if out_dir is not None:
        from listbuilder.learn import write_backtest

        write_backtest(Path(out_dir), result, read.rejects)
    return result


def read_and_backtest(
    deals: PathLike,
    *,
    profile: PathLike,
    companies: Paths = (),
    as_of: dt.date | str | None = None,
    signals: Paths = (),
    seed: int = 0,
) -> tuple[Backtest, Deals]:
    """`backtest` and the `Deals` it read (rows, rejects, column mapping)."""
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


def _deal_notes(read: Deals) -> list[str]:
    """How the deals file was understood: its deal columns and the company-list join."""
    columns = ", ".join(f'{m.field} = "{m.header}"' for m in read.mapping)
    notes = [f"deal columns: {columns}"]
    if read.matched is not None:
        notes.append(f"{read.matched} of {read.deals.height} deals matched to the company list")
    return notes


def draft_profile(
    deals: PathLike,
    *,
    out: PathLike | None = None,
    companies: Paths = (),
    best: str = "won",
    min_deals: int = 20,
    as_of: dt.date | str | None = None,
) -> Draft:
    """A draft profile from won and lost deals (`listbuilder learn`): a `Draft` with
    `.criteria` and `.summary`; with `out`, also written there as TOML when it has
    criteria (the path is checked before any work).

    Example::

        draft = lb.draft_profile("fixtures/sample/deals.csv")
    """
    from listbuilder.learn import learn_profile, read_deals, write_draft

    if out is not None:
        from listbuilder.export.folder import check_output_file

        check_output_file(out, inputs=[deals, *as_paths(companies)])
    read = read_deals(deals, companies=as_paths(companies) or None)
    read.require_closed()
    draft = learn_profile(
        read.deals, best=best, min_deals=min_deals, as_of=_day(as_of), source=str(deals)
    )
    if out is not None and draft.criteria:
        write_draft(Path(out), draft)
    return draft


def review(
    deals: PathLike,
    *,
    profile: PathLike,
    companies: Paths = (),
    window: int = 90,
    as_of: dt.date | str | None = None,
) -> Review:
    """Drift between the last `window` days of deals and the window before
    (`listbuilder review`): a `Review` whose `.lines()` the command prints.

    Example::

        result = lb.review("fixtures/sample/deals.csv", profile="b2b_saas", as_of="2026-11-01")
    """
    from listbuilder.learn import read_deals, review_deals
    from listbuilder.profile import load_profile

    chosen: Profile = load_profile(profile)  # refused before the deals are read
    read = read_deals(deals, companies=as_paths(companies) or None)
    read.require_closed()
    return review_deals(read.deals, chosen, window=window, as_of=_day(as_of))


# --------------------------------------------------------------------------------- push


def push(
    directory: PathLike,
    *,
    crm: str,
    token: str | None = None,
    apply: bool = False,
    base_url: str | None = None,
    external_id: str = "Domain__c",
) -> PushResult:
    """Upsert DIRECTORY/targets.csv into HubSpot or Salesforce, keyed by domain
    (`listbuilder push`); a dry run unless `apply`. The token defaults to the command's
    environment variable (`HUBSPOT_TOKEN`, `SALESFORCE_TOKEN`); `external_id` is the
    Salesforce field the upsert is keyed on. Returns a `PushResult`.

    Example::

        result = lb.push("out", crm="hubspot")          # dry run: the plan
        print("\\n".join(result.plan.summary()))
    """
    from listbuilder.http import push_accounts, read_targets

    env = TOKEN_ENVS.get(crm, "")
    token = token or os.environ.get(env)
    if not token:
        raise ConfigError(f"no {crm} token: pass token= or set {env or 'the token variable'}")
    return push_accounts(
        read_targets(directory),
        crm=crm,
        base_url=base_url,
        token=token,
        apply=apply,
        external_id=external_id,
    )


__all__ = [
    "AccountExplanation",
    "Enrichment",
    "Inspection",
    "backtest",
    "check_profiles",
    "dedupe_lists",
    "draft_profile",
    "enrich",
    "explain",
    "explain_pair",
    "format_report",
    "inspect",
    "list_profiles",
    "push",
    "read_and_backtest",
    "review",
]
