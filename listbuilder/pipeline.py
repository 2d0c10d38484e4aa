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
    local mode) or a `listbuilder.spark.SparkEngine`: where blocking, pair comparison
    and clustering run; the outputs are the same. `contacts`: a people export (name, title, email,
    company website) joined by domain, so each brief names the people to call.

    `lists`, `profiles`, `signals` and `suppress` take one path or several; `as_of` a
    date or an ISO string, as the CLI does.

    Example::

        result = build("companies.csv", profiles="b2b_saas", out_dir="out",
                       signals="events.csv", as_of="2026-11-01")
        print(format_funnel(result.funnel))
    """
    # Imported here so `import listbuilder` stays light for notebook users.
    from listbuilder.dedupe import dedupe_companies, read_suppression, suppress_companies
    from listbuilder.export import write_outputs
    from listbuilder.ingest import read_companies
    from listbuilder.normalize import normalize_companies
    from listbuilder.profile import load_profiles
    from listbuilder.quality import check_quality
    from listbuilder.rank import assign_reps, rank_companies
    from listbuilder.score import score_companies
    from listbuilder.score.coverage import absent_warnings, measure_coverage
    from listbuilder.spark.engine import resolve_engine

    # The values the CLI takes: one path or several, a date or an ISO string.
    lists, profiles = as_paths(lists), as_paths(profiles)
    signals, suppress = as_paths(signals), as_paths(suppress)
    as_of_given = as_of is not None
    as_of = as_date(as_of)
    loaded = load_profiles(list(profiles))
    if enrich is not None:
        from listbuilder.http import load_providers

        providers = load_providers(enrich)  # refused before any data is read
    # The output folder is replaced whole by this run: refuse one that cannot be (or that
    # holds an input, the templates or the enrichment cache) before any data is read.
    from listbuilder.export import check_output_dir

    own_inputs = [*lists, *signals, *suppress, *profiles]
    own_inputs += [p for p in (reps, templates, enrich, contacts) if p is not None]
    if enrich is not None:
        from listbuilder.http import default_cache_dir

        own_inputs.append(cache_dir if cache_dir is not None else default_cache_dir())
    check_output_dir(out_dir, inputs=[p for p in own_inputs if Path(p).exists()])
    primary = loaded[0]
    stages = _Stages(progress)
    people = None
    if contacts is not None:
        from listbuilder.contacts import read_contacts

        people = stages.run("contacts", lambda: read_contacts(contacts))

    ingested = stages.run(
        "ingest",
        lambda: read_companies(
            list(lists), format=input_format, encoding=encoding, column_map=column_map
        ),
    )
    read = ingested.companies.height + ingested.rejects.height
    stages.reject(ingested.rejects)
    companies, unusable = stages.run("normalize", lambda: normalize_companies(ingested.companies))
    stages.reject(unusable)
    from listbuilder.ingest.usable import unusable_warning

    # more than 5% of rows unusable (a name column not recognised): one line, the columns
    unusable_note = unusable_warning(
        ingested.reports, read=read, unusable=ingested.rejects.height + unusable.height
    )

    deduped = stages.run(
        "dedupe",
        lambda: dedupe_companies(
            companies,
            settings=primary.dedupe,
            source_priority=source_priority,
            engine=resolve_engine(engine),
        ),
    )
    stages.reject(deduped.rejects)
    companies = deduped.companies

    # Events are matched against every unique account, before suppression and
    # filters, so "unmatched" means "no company of the lists", not "filtered out".
    signal_scores, unmatched, events_info = stages.run(
        "signals", lambda: _score_signals(companies, signals, primary, as_of)
    )
    # An events file's rounds fill the list's empty funding_stage / last_funding_date
    # (the `derived` column says so and where from) before anything is scored on them.
    warnings: list[str] = [unusable_note] if unusable_note else []
    if events_info:
        from listbuilder.signals import derive_funding, stale_events_warning

        companies = derive_funding(companies, events_info["funding"])
        stale = stale_events_warning(events_info["newest"], primary.signals, as_of=as_of)
        if stale and not as_of_given:
            warnings.append(stale)

    # Resemblance to the profile's seeds ([lookalike]), over every unique account and
    # before suppression: the seeds are customers, whom the CRM export would hide.
    lookalike = None
    if primary.lookalike is not None:
        lookalike = stages.run("lookalike", lambda: _lookalike_scores(companies, primary))

    if suppress:
        crm_records = stages.run("suppress", lambda: read_suppression(list(suppress)))
        companies, suppressed = stages.run(
            "suppress",
            lambda: suppress_companies(companies, crm_records, settings=primary.dedupe),
        )
        stages.reject(suppressed)

    # The quality gate runs on the merged accounts (one verdict per company the team
    # would call; a phone "shared by unrelated companies" means companies dedupe kept
    # apart), before enrichment pays for lookups of junk rows.
    checked = stages.run("quality", lambda: check_quality(companies, primary.quality, as_of=as_of))
    stages.reject(checked.rejects)
    companies = checked.companies

    if enrich is not None:
        # After dedupe and suppression (one lookup per company the team may call, none
        # for what the CRM owns) and before the filters, which may need the filled fields.
        from listbuilder.http import enrich_companies

        enriched = stages.run(
            "enrich", lambda: enrich_companies(companies, providers, cache_dir=cache_dir)
        )
        companies = enriched.companies

    # Coverage of what is about to be scored: enrichment included, hard filters not yet.
    coverage = stages.run("score", lambda: measure_coverage(companies, loaded))
    before_filters = companies
    scored = stages.run("score", lambda: score_companies(companies, loaded))
    stages.reject(scored.rejects)
    companies = scored.companies

    companies = _join_signals(companies, signal_scores)
    if lookalike is not None:
        companies = companies.join(
            lookalike[0], on="row_id", how="left", maintain_order="left"
        ).with_columns(pl.col("lookalike_points").fill_null(0.0))
    companies = companies.with_columns(
        pl.min_horizontal(
            pl.col("fit_score") + pl.col("signal_score") + _lookalike_points(companies),
            pl.lit(_score_cap(primary)),
        )
        .round(1)
        .alias("score")
    )
    from listbuilder.quality import own_platform_site_expr
    from listbuilder.score import tier_expr

    companies = companies.with_columns(
        tier_expr(primary, "score").alias("tier"),
        # A LinkedIn page or a shared host is not the company's domain: keep it in
        # `website`, never show it (or name a brief, or key a CRM record) as the domain;
        # unless it is the platform's own site (Weebly at weebly.com).
        pl.when(pl.col("domain_is_platform") & ~own_platform_site_expr())
        .then(None)
        .otherwise(pl.col("domain"))
        .alias("domain"),
    )

    selected, below = stages.run(
        "rank",
        lambda: rank_companies(
            companies,
            top=top,
            capacity=primary.capacity,
            # Below the lowest tier the profile calls an account disqualified: never
            # fill capacity with it, whatever room is left.
            min_score=primary.tiers[-1][1] if primary.tiers else None,
            min_score_label=f"tier {primary.tiers[-1][0]}" if primary.tiers else None,
            min_confidence=primary.min_confidence or None,
            strong_signal=primary.strong_signal,
            weak_signal=primary.live_signal,
            stale_before=(
                as_of - timedelta(days=primary.live_signal_days)
                if primary.live_signal_days
                else None
            ),
        ),
    )
    stages.reject(below)
    reach = _reach(companies, primary)
    selected = selected.drop("fit_reachable", strict=False)  # internal: the reach above

    unassigned = None
    if reps is not None:
        assignment = stages.run("assign", lambda: assign_reps(selected, reps))
        selected, unassigned = assignment.selected, assignment.unassigned
    if "owner" not in selected.columns:
        selected = selected.with_columns(pl.lit(None, dtype=pl.String).alias("owner"))
    if people is not None:
        from listbuilder.contacts import attach_contacts

        selected = attach_contacts(selected, people)

    rejects = pl.concat(stages.rejects) if stages.rejects else empty_rejects()
    rejects = rejects.sort(["source", "line"], nulls_last=True, maintain_order=True)
    funnel = funnel_counts(read=read, selected=selected.height, rejects=rejects)
    funnel.update(
        {
            "as_of": as_of.isoformat(),
            "profiles": [p.name for p in loaded],
            "inputs": [str(p) for p in lists],
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
    diagnosis: list[str] = []
    if selected.height == 0:
        diagnosis = _diagnose(loaded, coverage, reach, funnel, before_filters)
        funnel["diagnosis"] = diagnosis[0] if diagnosis else None
    extra: dict[str, bytes] = {}
    if unmatched is not None:
        from listbuilder.export import csv_bytes

        extra["signals_unmatched.csv"] = csv_bytes(unmatched)
    paths = stages.run(
        "export",
        lambda: write_outputs(
            Path(out_dir),
            selected=selected,
            rejects=rejects,
            funnel=funnel,
            profiles_info=list(loaded),
            as_of=as_of,
            formats=tuple(formats),
            crm=tuple(crm),
            brief_formats=tuple(brief_formats),
            templates_dir=Path(templates) if templates else None,
            unassigned=unassigned,
            progress=brief_progress,
            extra_files=extra,
        ),
    )
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


def _score_cap(profile: Any) -> float:
    return float(getattr(profile, "score_cap", None) or 100)


def _reach(companies: pl.DataFrame, profile: Any) -> dict[str, Any]:
    """The best score the accounts past the hard filters could reach (their data's best
    fit plus their signal boosts, capped) and did reach; over those with the profile's
    minimum confidence when it sets one."""
    cap = _score_cap(profile)
    minimum = float(getattr(profile, "min_confidence", 0.0) or 0.0)
    if companies.height == 0:
        return {"accounts": 0, "reachable": 0.0, "best": None, "best_confidence": None}
    confident = pl.col("confidence") >= minimum
    possible = pl.min_horizontal(
        pl.col("fit_reachable") + pl.col("signal_score") + _lookalike_points(companies),
        pl.lit(cap),
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
