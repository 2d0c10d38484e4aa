"""`build()`: run every stage from purchased lists to a ranked target list.

Each stage returns the rows it keeps and a rejects frame for the rows it
drops. The pipeline concatenates the rejects and keeps the funnel; it checks
that the funnel closes (rows read = rows selected + rows rejected) before it
writes anything.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from listbuilder.schema import REJECT_SCHEMA, empty_rejects

# Funnel stages in order: (stage, label of what is left after it).
FUNNEL_LABELS: tuple[tuple[str, str], ...] = (
    ("ingest", "usable"),
    ("dedupe", "unique"),
    ("suppress", "not in CRM"),
    ("quality", "pass quality checks"),
    ("filter", "pass hard filters"),
    ("rank", "selected"),
)


@dataclass
class BuildResult:
    """What a build produced: the selection, every rejected row, the funnel, the files."""

    selected: pl.DataFrame
    rejects: pl.DataFrame
    funnel: dict[str, Any]
    paths: dict[str, Path] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    unmatched_signals: pl.DataFrame | None = None
    coverage: list[Any] = field(default_factory=list)  # listbuilder.score.coverage.Coverage
    # one line per criterion whose field no input provides (stderr warnings)
    warnings: list[str] = field(default_factory=list)
    # when nothing was selected: why, in one line, then one line per fix
    diagnosis: list[str] = field(default_factory=list)


class _Stages:
    """Times stages and collects their rejects, so `build` reads as a list of steps."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self.timings: dict[str, float] = {}
        self.rejects: list[pl.DataFrame] = []
        self.counts: dict[str, int] = {}
        self._progress = progress

    def run(self, name: str, func: Callable[[], Any]) -> Any:
        if self._progress is not None:
            self._progress(name)
        start = time.perf_counter()
        result = func()
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start
        return result

    def reject(self, frame: pl.DataFrame) -> None:
        if frame.height:
            self.rejects.append(frame.select(list(REJECT_SCHEMA)).cast(REJECT_SCHEMA))  # type: ignore[arg-type]


def build(
    lists: str | Path | Sequence[str | Path],
    *,
    profiles: str | Path | Sequence[str | Path],
    out_dir: str | Path,
    signals: str | Path | Sequence[str | Path] = (),
    suppress: str | Path | Sequence[str | Path] = (),
    top: int | None = None,
    as_of: date | str | None = None,
    reps: str | Path | None = None,
    formats: Sequence[str] = ("csv",),
    crm: Sequence[str] = (),
    brief_formats: Sequence[str] = ("md",),
    templates: str | Path | None = None,
    source_priority: Sequence[str] | None = None,
    column_map: dict[str, str] | None = None,
    input_format: str | None = None,
    encoding: str | None = None,
    enrich: str | Path | None = None,
    cache_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    brief_progress: Callable[[int, int], None] | None = None,
    engine: Any = "polars",
    contacts: str | Path | None = None,
) -> BuildResult:
    """Build a ranked target list from purchased `lists` with the ICP `profiles`.

    Profiles are validated before any data is read. `as_of` fixes "today" for
    signal decay (default: the date of the run, recorded in the outputs).
    `progress(stage)` is called as each stage starts, `brief_progress(done, total)`
    as briefs are rendered. `engine`: `"polars"`, `"spark"` (spark-submit's master, else
    local mode) or a `listbuilder.spark.SparkEngine`: where the list-sized stages run
    (ingest, normalisation, blocking, pair comparison, clustering, scoring, ranking); the
    outputs are the same. `contacts`: a people export (name, title, email,
    company website) joined by domain, so each brief names the people to call.

    `lists`, `profiles`, `signals` and `suppress` take one path or several; `as_of` a
    date or an ISO string, as the CLI does.

    Example::

        result = build("companies.csv", profiles="b2b_saas", out_dir="out",
                       signals="events.csv", as_of="2026-11-01")
        print(format_funnel(result.funnel))
    """
    return _build(**locals())


@dataclass
class _Request:
    """`build`'s arguments as the stages use them: paths as lists, the date resolved, the
    profiles loaded and the providers read (both refused before any data is read)."""

    lists: list[str | Path]
    loaded: list[Any]  # listbuilder.profile.Profile, the primary first
    out_dir: Path
    signals: list[str | Path]
    suppress: list[str | Path]
    top: int | None
    as_of: date
    as_of_given: bool
    reps: str | Path | None
    formats: tuple[str, ...]
    crm: tuple[str, ...]
    brief_formats: tuple[str, ...]
    templates: Path | None
    source_priority: Sequence[str] | None
    column_map: dict[str, str] | None
    input_format: str | None
    encoding: str | None
    providers: Any  # listbuilder.http providers, or None without `enrich`
    cache_dir: str | Path | None
    brief_progress: Callable[[int, int], None] | None
    engine: Any
    contacts: str | Path | None

    @property
    def primary(self) -> Any:
        return self.loaded[0]


def _build(progress: Callable[[str], None] | None = None, **arguments: Any) -> BuildResult:
    """The stages in the order of the diagram; each returns its frames and hands its
    rejects to `stages`, and the funnel is assembled from what they returned."""
    from listbuilder.score.coverage import absent_warnings

    request = _prepare(**arguments)
    stages = _Stages(progress)
    people = _read_contacts(stages, request)
    companies, read, warnings = _read_lists(stages, request)
    companies = _dedupe(stages, request, companies)
    companies, signal_scores, unmatched = _match_signals(stages, request, companies, warnings)
    lookalike = _score_lookalikes(stages, request, companies)
    companies = _suppress(stages, request, companies)
    companies, checked = _check_quality(stages, request, companies)
    companies = _enrich(stages, request, companies)
    coverage, scored = _score(stages, request, companies)
    ranked = _with_final_scores(scored.companies, signal_scores, lookalike, request.primary)
    selected = _rank(stages, request, ranked)
    selected, unassigned = _assign(stages, request, selected, people)
    rejects = pl.concat(stages.rejects) if stages.rejects else empty_rejects()
    rejects = rejects.sort(["source", "line"], nulls_last=True, maintain_order=True)
    reach = _reach(ranked, request.primary)
    funnel = _funnel(request, read, selected, rejects, scored, coverage, reach, checked)
    _add_optional_counts(funnel, selected, lookalike, unassigned, people)
    diagnosis: list[str] = []
    if selected.height == 0:
        diagnosis = _diagnose(request.loaded, coverage, reach, funnel, companies)
        funnel["diagnosis"] = diagnosis[0] if diagnosis else None
    paths = _export(stages, request, selected, rejects, funnel, unassigned, unmatched)
    return BuildResult(
        selected=selected,
        rejects=rejects,
        funnel=funnel,
        paths=paths,
        timings=stages.timings,
        unmatched_signals=unmatched,
        coverage=coverage,
        warnings=[*warnings, *absent_warnings(coverage)],
        diagnosis=diagnosis,
    )


def _prepare(
    *,
    lists: str | Path | Sequence[str | Path],
    profiles: str | Path | Sequence[str | Path],
    signals: str | Path | Sequence[str | Path],
    suppress: str | Path | Sequence[str | Path],
    as_of: date | str | None,
    enrich: str | Path | None,
    out_dir: str | Path,
    formats: Sequence[str],
    crm: Sequence[str],
    brief_formats: Sequence[str],
    templates: str | Path | None,
    **rest: Any,
) -> _Request:
    """The arguments resolved, the profiles and providers validated and the output folder
    checked, all before any data is read."""
    from listbuilder.export import check_output_dir
    from listbuilder.profile import load_profiles

    # The values the CLI takes: one path or several, a date or an ISO string.
    paths, profile_paths = as_paths(lists), as_paths(profiles)
    request = _Request(
        lists=paths,
        loaded=load_profiles(list(profile_paths)),
        out_dir=Path(out_dir),
        signals=as_paths(signals),
        suppress=as_paths(suppress),
        as_of=as_date(as_of),
        as_of_given=as_of is not None,
        formats=tuple(formats),
        crm=tuple(crm),
        brief_formats=tuple(brief_formats),
        templates=Path(templates) if templates else None,
        providers=None,
        **rest,
    )
    if enrich is not None:
        from listbuilder.http import load_providers

        request.providers = load_providers(enrich)  # refused before any data is read
    # The output folder is replaced whole by this run: refuse one that cannot be (or that
    # holds an input, the templates or the enrichment cache) before any data is read.
    own = [*paths, *request.signals, *request.suppress, *profile_paths]
    own += [p for p in (request.reps, templates, enrich, request.contacts) if p is not None]
    if enrich is not None:
        from listbuilder.http import default_cache_dir

        cache = request.cache_dir
        own.append(cache if cache is not None else default_cache_dir())
    check_output_dir(out_dir, inputs=[p for p in own if Path(p).exists()])
    return request


def _read_contacts(stages: _Stages, request: _Request) -> Any:
    """The people export (`--contacts`), or None."""
    if request.contacts is None:
        return None
    from listbuilder.contacts import read_contacts

    contacts = request.contacts
    return stages.run("contacts", lambda: read_contacts(contacts))


def _read_lists(stages: _Stages, request: _Request) -> tuple[pl.DataFrame, int, list[str]]:
    """Ingest and normalise the lists: (usable companies, rows read, warnings)."""
    from listbuilder.ingest.usable import unusable_warning
    from listbuilder.spark.engine import resolve_stages

    on = resolve_stages(request.engine)  # in this process, or on Spark
    ingested = stages.run(
        "ingest",
        lambda: on.read_companies(
            list(request.lists),
            format=request.input_format,
            encoding=request.encoding,
            column_map=request.column_map,
        ),
    )
    read = ingested.companies.height + ingested.rejects.height
    stages.reject(ingested.rejects)
    companies, unusable = stages.run(
        "normalize", lambda: on.normalize_companies(ingested.companies)
    )
    stages.reject(unusable)
    # more than 5% of rows unusable (a name column not recognised): one line, the columns
    note = unusable_warning(
        ingested.reports, read=read, unusable=ingested.rejects.height + unusable.height
    )
    return companies, read, [note] if note else []


def _dedupe(stages: _Stages, request: _Request, companies: pl.DataFrame) -> pl.DataFrame:
    """One row per company (`engine`: where blocking, comparison and clustering run)."""
    from listbuilder.dedupe import dedupe_companies
    from listbuilder.spark.engine import resolve_engine

    deduped = stages.run(
        "dedupe",
        lambda: dedupe_companies(
            companies,
            settings=request.primary.dedupe,
            source_priority=request.source_priority,
            engine=resolve_engine(request.engine),
        ),
    )
    stages.reject(deduped.rejects)
    return deduped.companies


def _match_signals(
    stages: _Stages, request: _Request, companies: pl.DataFrame, warnings: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame | None, pl.DataFrame | None]:
    """(companies with funding filled from the events' rounds, signal scores, unmatched
    events). Events are matched against every unique account, before suppression and
    filters, so "unmatched" means "no company of the lists", not "filtered out"."""
    primary = request.primary
    signal_scores, unmatched, events_info = stages.run(
        "signals", lambda: _score_signals(companies, request.signals, primary, request.as_of)
    )
    # An events file's rounds fill the list's empty funding_stage / last_funding_date
    # (the `derived` column says so and where from) before anything is scored on them.
    if events_info:
        from listbuilder.signals import derive_funding, stale_events_warning

        companies = derive_funding(companies, events_info["funding"])
        stale = stale_events_warning(events_info["newest"], primary.signals, as_of=request.as_of)
        if stale and not request.as_of_given:
            warnings.append(stale)
    return companies, signal_scores, unmatched


def _score_lookalikes(
    stages: _Stages, request: _Request, companies: pl.DataFrame
) -> tuple[pl.DataFrame, dict[str, Any]] | None:
    """Resemblance to the profile's seeds ([lookalike]), over every unique account and
    before suppression: the seeds are customers, whom the CRM export would hide."""
    if request.primary.lookalike is None:
        return None
    return stages.run("lookalike", lambda: _lookalike_scores(companies, request.primary))


def _suppress(stages: _Stages, request: _Request, companies: pl.DataFrame) -> pl.DataFrame:
    """The accounts the CRM export (`--suppress`) does not already hold."""
    if not request.suppress:
        return companies
    from listbuilder.dedupe import read_suppression, suppress_companies

    crm_records = stages.run("suppress", lambda: read_suppression(list(request.suppress)))
    kept, suppressed = stages.run(
        "suppress",
        lambda: suppress_companies(companies, crm_records, settings=request.primary.dedupe),
    )
    stages.reject(suppressed)
    return kept


def _check_quality(
    stages: _Stages, request: _Request, companies: pl.DataFrame
) -> tuple[pl.DataFrame, Any]:
    """The quality gate, on the merged accounts (one verdict per company the team would
    call; a phone "shared by unrelated companies" means companies dedupe kept apart),
    before enrichment pays for lookups of junk rows."""
    from listbuilder.quality import check_quality

    checked = stages.run(
        "quality",
        lambda: check_quality(companies, request.primary.quality, as_of=request.as_of),
    )
    stages.reject(checked.rejects)
    return checked.companies, checked


def _enrich(stages: _Stages, request: _Request, companies: pl.DataFrame) -> pl.DataFrame:
    """Missing fields filled over HTTP (`--enrich`): after dedupe and suppression (one
    lookup per company the team may call, none for what the CRM owns) and before the
    filters, which may need the filled fields."""
    if request.providers is None:
        return companies
    from listbuilder.http import enrich_companies

    enriched = stages.run(
        "enrich",
        lambda: enrich_companies(companies, request.providers, cache_dir=request.cache_dir),
    )
    return enriched.companies


def _score(stages: _Stages, request: _Request, companies: pl.DataFrame) -> tuple[list[Any], Any]:
    """(coverage of what is about to be scored — enrichment included, hard filters not
    yet —, the scored accounts and the filter rejects)."""
    from listbuilder.spark.engine import resolve_stages

    on = resolve_stages(request.engine)  # in this process, or on Spark
    coverage = stages.run("score", lambda: on.measure_coverage(companies, request.loaded))
    scored = stages.run("score", lambda: on.score_companies(companies, request.loaded))
    stages.reject(scored.rejects)
    return coverage, scored


def _with_final_scores(
    companies: pl.DataFrame,
    signal_scores: pl.DataFrame | None,
    lookalike: tuple[pl.DataFrame, dict[str, Any]] | None,
    primary: Any,
) -> pl.DataFrame:
    """The scored accounts with their signal and lookalike points, the ranking `score` and
    `tier` (`score.compile.final_score_columns`) and the domain as outputs show it."""
    from listbuilder.normalize.domains import identity_domain_expr
    from listbuilder.score.compile import final_score_columns

    companies = _join_signals(companies, signal_scores)
    if lookalike is not None:
        companies = companies.join(
            lookalike[0], on="row_id", how="left", maintain_order="left"
        ).with_columns(pl.col("lookalike_points").fill_null(0.0))
    return companies.with_columns(
        **final_score_columns(primary, pl.col("signal_score") + _lookalike_points(companies)),
        # never show a platform page as the domain (nor name a brief or key a CRM by it)
        domain=identity_domain_expr(),
    )


def _rank(stages: _Stages, request: _Request, companies: pl.DataFrame) -> pl.DataFrame:
    """The ranked selection; the accounts below the cut go to the rejects."""
    from listbuilder.spark.engine import resolve_stages

    on = resolve_stages(request.engine)  # in this process, or on Spark
    primary = request.primary
    live_days = primary.live_signal_days
    selected, below = stages.run(
        "rank",
        lambda: on.rank_companies(
            companies,
            top=request.top,
            capacity=primary.capacity,
            # Below the lowest tier the profile calls an account disqualified: never
            # fill capacity with it, whatever room is left.
            min_score=primary.tiers[-1][1] if primary.tiers else None,
            min_score_label=f"tier {primary.tiers[-1][0]}" if primary.tiers else None,
            min_confidence=primary.min_confidence or None,
            strong_signal=primary.strong_signal,
            weak_signal=primary.live_signal,
            stale_before=request.as_of - timedelta(days=live_days) if live_days else None,
        ),
    )
    stages.reject(below)
    return selected.drop("fit_reachable", strict=False)  # internal: the funnel's reach


def _assign(
    stages: _Stages, request: _Request, selected: pl.DataFrame, people: Any
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """(the selection with its `owner` and contacts, the accounts no rep could take)."""
    unassigned = None
    if request.reps is not None:
        from listbuilder.rank import assign_reps

        reps = request.reps
        assignment = stages.run("assign", lambda: assign_reps(selected, reps))
        selected, unassigned = assignment.selected, assignment.unassigned
    if "owner" not in selected.columns:
        selected = selected.with_columns(pl.lit(None, dtype=pl.String).alias("owner"))
    if people is not None:
        from listbuilder.contacts import attach_contacts

        selected = attach_contacts(selected, people)
    return selected, unassigned


def _funnel(
    request: _Request,
    read: int,
    selected: pl.DataFrame,
    rejects: pl.DataFrame,
    scored: Any,
    coverage: list[Any],
    reach: dict[str, Any],
    checked: Any,
) -> dict[str, Any]:
    """The funnel (`funnel.json`): counts per stage, then what the report needs."""
    funnel = funnel_counts(read=read, selected=selected.height, rejects=rejects)
    funnel.update(
        {
            "as_of": request.as_of.isoformat(),
            "profiles": [p.name for p in request.loaded],
            "inputs": [str(p) for p in request.lists],
            "unknowns": {
                "selected_with_unknown_criteria": _unknown_counts(selected),
                "per_criterion": scored.unknowns,
            },
            "coverage": [c.as_dict() for c in coverage],
            "reach": reach,
            "quality": {
                "flagged": checked.flagged,
                "rejected": _stage_reasons(funnel, "quality"),
            },
        }
    )
    return funnel


def _add_optional_counts(
    funnel: dict[str, Any],
    selected: pl.DataFrame,
    lookalike: tuple[pl.DataFrame, dict[str, Any]] | None,
    unassigned: pl.DataFrame | None,
    people: Any,
) -> None:
    """The funnel's sections for the optional stages: lookalike, reps, contacts."""
    if lookalike is not None:
        funnel["lookalike"] = lookalike[1]
    if unassigned is not None:
        funnel["assignment"] = assignment_summary(selected, unassigned)
    if people is not None:
        funnel["contacts"] = {
            "people": people.people.height,
            "without_domain": people.without_domain,
            "accounts_with_contacts": int((selected["_contacts"].list.len() > 0).sum()),
        }


def _export(
    stages: _Stages,
    request: _Request,
    selected: pl.DataFrame,
    rejects: pl.DataFrame,
    funnel: dict[str, Any],
    unassigned: pl.DataFrame | None,
    unmatched: pl.DataFrame | None,
) -> dict[str, Path]:
    """Every output file, in the output folder (replaced whole)."""
    from listbuilder.export import csv_bytes, write_outputs

    extra: dict[str, bytes] = {}
    if unmatched is not None:
        extra["signals_unmatched.csv"] = csv_bytes(unmatched)
    result: dict[str, Path] = stages.run(
        "export",
        lambda: write_outputs(
            request.out_dir,
            selected=selected,
            rejects=rejects,
            funnel=funnel,
            profiles_info=list(request.loaded),
            as_of=request.as_of,
            formats=request.formats,
            crm=request.crm,
            brief_formats=request.brief_formats,
            templates_dir=request.templates,
            unassigned=unassigned,
            progress=request.brief_progress,
            extra_files=extra,
        ),
    )
    return result


def assignment_summary(selected: pl.DataFrame, unassigned: pl.DataFrame) -> dict[str, Any]:
    """`{"assigned", "unassigned", "reasons": {reason: accounts}}` of a reps split, for the
    console and the report (unassigned accounts stay selected, with no owner)."""
    reasons: dict[str, int] = {}
    if unassigned.height and "reason" in unassigned.columns:
        counts = (
            unassigned.group_by("reason").len().sort(["len", "reason"], descending=[True, False])
        )
        reasons = dict(zip(counts["reason"].to_list(), counts["len"].to_list(), strict=True))
    return {
        "assigned": selected.height - unassigned.height,
        "unassigned": unassigned.height,
        "reasons": reasons,
    }


def format_assignment(summary: dict[str, Any]) -> str:
    """`1,200 accounts: 857 assigned, 343 unassigned (unassigned.csv): 200 all eligible reps
    at capacity, 143 no rep covers country DE`."""
    total = summary["assigned"] + summary["unassigned"]
    line = f"reps: {total:,} accounts, {summary['assigned']:,} assigned"
    if not summary["unassigned"]:
        return line
    reasons = list(summary["reasons"].items())
    why = ", ".join(f"{n:,} {r}" for r, n in reasons[:_SHOWN_UNASSIGNED])
    if len(reasons) > _SHOWN_UNASSIGNED:
        rest = sum(n for _, n in reasons[_SHOWN_UNASSIGNED:])
        why += f", {rest:,} for {len(reasons) - _SHOWN_UNASSIGNED} other reasons"
    return f"{line}, {summary['unassigned']:,} unassigned (unassigned.csv): {why}"


_SHOWN_UNASSIGNED = 3  # reasons the console line names


def as_paths(value: str | Path | Sequence[str | Path] | None) -> list[str | Path]:
    """One path or a sequence of them as a list (`"list.csv"` is one file, not 8 letters)."""
    if value is None:
        return []
    if isinstance(value, str | Path):
        return [value]
    return list(value)


def as_date(value: date | str | None) -> date:
    """A date, an ISO string (`"2013-10-17"`) or None (today) as a date."""
    from listbuilder.errors import ConfigError

    if value is None:
        return date.today()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ConfigError(
            f"as_of = {value!r}: write a date as YYYY-MM-DD, e.g. 2026-11-01"
        ) from None


def funnel_counts(*, read: int, selected: int, rejects: pl.DataFrame) -> dict[str, Any]:
    """The funnel: per stage, rows in, out, dropped and the count per reason.

    Raises AssertionError when the counts do not close: that is a bug, never
    a user error, and nothing is written.
    """
    by_stage = (
        rejects.with_columns(_funnel_reason(pl.col("reason")))
        .group_by("stage", "reason")
        .len()
        .sort(["stage", "len", "reason"], descending=[False, True, False])
    )
    remaining = read
    stages: list[dict[str, Any]] = []
    for stage, label in FUNNEL_LABELS:
        rows = by_stage.filter(pl.col("stage") == stage)
        reasons = dict(zip(rows["reason"].to_list(), rows["len"].to_list(), strict=True))
        dropped = sum(reasons.values())
        stages.append(
            {
                "stage": stage,
                "label": label,
                "in": remaining,
                "out": remaining - dropped,
                "dropped": dropped,
                "reasons": reasons,
            }
        )
        remaining -= dropped
    unknown_stages = set(rejects["stage"].unique().to_list()) - {s for s, _ in FUNNEL_LABELS}
    if remaining != selected or unknown_stages:
        raise AssertionError(
            f"funnel does not close: read {read}, selected {selected}, "
            f"left after stages {remaining}, unknown stages {sorted(unknown_stages)}"
        )
    return {"read": read, "stages": stages, "selected": selected}


def _funnel_reason(reason: pl.Expr) -> pl.Expr:
    """Group reasons that carry an id (`duplicate of C000123`) under one funnel line."""
    return reason.str.replace(r"^duplicate of \S+$", "merged into a duplicate cluster")


def format_funnel(funnel: dict[str, Any]) -> str:
    """`40,000 read → 35,210 unique → ... → 1,200 selected`."""
    parts = [f"{funnel['read']:,} read"]
    parts += [f"{s['out']:,} {s['label']}" for s in funnel["stages"]]
    return " → ".join(parts)


def _score_signals(
    companies: pl.DataFrame, signals: Sequence[str | Path], profile: Any, as_of: date
) -> tuple[pl.DataFrame | None, pl.DataFrame | None, dict[str, Any]]:
    """Signal boosts per account (`row_id`), the event rows that were not used, and of the
    events files: `funding` (each account's latest round) and `newest` (the latest date).

    The list's own funding rounds (`funding_stage` + `last_funding_date`) are events
    too, so "why now" works without an events file; a round that is also in the
    events file counts once (the file's, which has the amount).
    """
    rules = list(getattr(profile, "signals", []))
    if not rules:
        return None, None, {}
    from listbuilder.signals import events_from_companies, read_signals, score_signals

    events = read_signals(list(signals)) if signals else None
    listed = events_from_companies(companies)
    sources: list[Any] = [listed] if events is None else [events, listed]
    result = score_signals(companies, sources, rules, as_of=as_of)
    if events is None:
        return result.scores, None, {}
    # Event rows that are unusable or match no account are listed, never dropped silently.
    unused = pl.concat(
        [
            result.unmatched.select(
                "source", "line", "kind", "date", "domain", "company_name", "reason"
            ).with_columns(pl.col("date").cast(pl.String)),
            events.rejects.select(
                "source",
                "line",
                pl.lit(None, dtype=pl.String).alias("kind"),
                pl.lit(None, dtype=pl.String).alias("date"),
                "domain",
                pl.col("name").alias("company_name"),
                pl.concat_str(
                    [pl.col("reason"), pl.col("detail")], separator=": ", ignore_nulls=True
                ).alias("reason"),
            ),
        ],
        how="vertical_relaxed",
    ).sort(["source", "line"], nulls_last=True, maintain_order=True)
    info = {"funding": result.funding, "newest": events.events["date"].max()}
    return result.scores, unused, info


def _join_signals(companies: pl.DataFrame, scores: pl.DataFrame | None) -> pl.DataFrame:
    """Add `signal_score` (0 without signals), `why_now`, `signals`, `last_signal_date`."""
    if scores is None:
        from listbuilder.signals import SCORES_SCHEMA

        companies = companies.with_columns(
            pl.lit(None, dtype=dtype).alias(name)
            for name, dtype in SCORES_SCHEMA.items()
            if name != "row_id"
        )
    else:
        companies = companies.join(scores, on="row_id", how="left", maintain_order="left")
    return companies.with_columns(pl.col("signal_score").fill_null(0.0))


def _lookalike_scores(companies: pl.DataFrame, profile: Any) -> tuple[pl.DataFrame, dict[str, Any]]:
    """`row_id, lookalike_score, nearest_seeds, lookalike_why, lookalike_points` of every
    account against the profile's seeds, and what the funnel says of the seeds."""
    from listbuilder.lookalike import read_seeds, score_lookalikes

    settings = profile.lookalike
    seeds = read_seeds(settings.seeds, companies, settings=profile.dedupe)
    result = score_lookalikes(
        companies,
        seeds,
        groups=list(profile.groups.values()),
        text=settings.text,
        neighbours=settings.neighbours,
    )
    scores = result.scores.select(
        "row_id",
        "lookalike_score",
        "nearest_seeds",
        "lookalike_why",
        lookalike_points=(pl.col("lookalike_score") * settings.weight / 100).round(1),
    )
    used = result.seeds.frame
    info = {
        "seeds": str(settings.seeds),
        "rows": used.height,
        "found_in_list": int(used["list_row"].is_not_null().sum()),
        "used": int(used["usable"].sum()),
        "weight": settings.weight,
        "fields": result.fields,
    }
    return scores, info


def _lookalike_points(companies: pl.DataFrame) -> pl.Expr:
    """The lookalike input to the ranking score (0 without a [lookalike] table)."""
    if "lookalike_points" in companies.columns:
        return pl.col("lookalike_points").fill_null(0.0)
    return pl.lit(0.0)


def _reach(companies: pl.DataFrame, profile: Any) -> dict[str, Any]:
    """The best score the accounts past the hard filters could reach (their data's best
    fit plus their signal boosts, capped) and did reach; over those with the profile's
    minimum confidence when it sets one."""
    minimum = float(getattr(profile, "min_confidence", 0.0) or 0.0)
    if companies.height == 0:
        return {"accounts": 0, "reachable": 0.0, "best": None, "best_confidence": None}
    confident = pl.col("confidence") >= minimum
    from listbuilder.score.compile import capped_score

    possible = capped_score(
        profile, pl.col("fit_reachable") + pl.col("signal_score") + _lookalike_points(companies)
    )
    row = companies.select(
        possible.filter(confident).max().alias("reachable"),
        pl.col("score").max().alias("best"),
        pl.col("confidence").max().alias("best_confidence"),
    ).row(0, named=True)
    return {
        "accounts": companies.height,
        "reachable": round(float(row["reachable"] or 0.0), 1),
        "best": row["best"],
        "best_confidence": row["best_confidence"],
    }


def _stage_reasons(funnel: dict[str, Any], stage: str) -> dict[str, int]:
    return next((dict(s["reasons"]) for s in funnel["stages"] if s["stage"] == stage), {})


def _diagnose(
    profiles: list[Any],
    coverage: list[Any],
    reach: dict[str, Any],
    funnel: dict[str, Any],
    companies: pl.DataFrame,
) -> list[str]:
    """Why nothing was selected (see score.coverage.diagnose_empty), for the primary profile."""
    from listbuilder.profile import load_profile, shipped_profiles
    from listbuilder.score.coverage import diagnose_empty, measure_coverage

    if not coverage or coverage[0].accounts == 0:
        last = next((s for s in reversed(funnel["stages"]) if s["in"] and not s["out"]), None)
        where = f"after {last['stage']}" if last else "to score"
        return [f"no account left {where}: nothing to select"]
    primary = profiles[0]
    passed = int(reach["accounts"])
    alternatives: list[tuple[str, float]] = []
    if companies.height:
        used = {p.path.resolve() for p in profiles if p.path is not None}
        others = [load_profile(name) for name in shipped_profiles()]
        others = [p for p in others if p.path is None or p.path.resolve() not in used]
        for cov, other in zip(measure_coverage(companies, others), others, strict=True):
            floor = other.tiers[-1][1] if other.tiers else 0.0
            rules_known = all(x.known for x in cov.rules if x.kind == "require")
            if rules_known and cov.reachable >= floor:
                alternatives.append((other.slug, cov.reachable))
        alternatives = sorted(alternatives, key=lambda a: (-a[1], a[0]))[:2]
    return diagnose_empty(
        coverage[0],
        reachable=float(reach["reachable"]),
        best=reach["best"],
        reasons=_stage_reasons(funnel, "filter"),
        passed=passed,
        min_confidence=float(primary.min_confidence or 0.0),
        best_confidence=reach["best_confidence"],
        alternatives=alternatives,
    )


def _unknown_counts(selected: pl.DataFrame) -> int:
    """How many selected accounts had criteria with no data (counted, not penalised)."""
    if "fit_unknown" not in selected.columns:
        return 0
    return int((selected["fit_unknown"] > 0).sum())
