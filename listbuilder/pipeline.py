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
from datetime import date
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
    lists: Sequence[str | Path],
    *,
    profiles: Sequence[str | Path],
    out_dir: str | Path,
    signals: Sequence[str | Path] = (),
    suppress: Sequence[str | Path] = (),
    top: int | None = None,
    as_of: date | None = None,
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
) -> BuildResult:
    """Build a ranked target list from purchased `lists` with the ICP `profiles`.

    Profiles are validated before any data is read. `as_of` fixes "today" for
    signal decay (default: the date of the run, recorded in the outputs).
    `progress(stage)` is called as each stage starts, `brief_progress(done, total)`
    as briefs are rendered.
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

    loaded = load_profiles(list(profiles))
    if enrich is not None:
        from listbuilder.http import load_providers

        providers = load_providers(enrich)  # refused before any data is read
    primary = loaded[0]
    as_of = as_of or date.today()
    stages = _Stages(progress)

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

    deduped = stages.run(
        "dedupe",
        lambda: dedupe_companies(
            companies, settings=primary.dedupe, source_priority=source_priority
        ),
    )
    stages.reject(deduped.rejects)
    companies = deduped.companies

    # Events are matched against every unique account, before suppression and
    # filters, so "unmatched" means "no company of the lists", not "filtered out".
    signal_scores, unmatched = stages.run(
        "signals", lambda: _score_signals(companies, signals, primary, as_of)
    )

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
    companies = companies.with_columns(
        pl.min_horizontal(pl.col("fit_score") + pl.col("signal_score"), pl.lit(_score_cap(primary)))
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
    diagnosis: list[str] = []
    if selected.height == 0:
        diagnosis = _diagnose(loaded, coverage, reach, funnel, before_filters)
        funnel["diagnosis"] = diagnosis[0] if diagnosis else None
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
        ),
    )
    unmatched_path = Path(out_dir) / "signals_unmatched.csv"
    if unmatched is not None:
        from listbuilder.export.files import neutralise_frame, write_atomic

        frame = neutralise_frame(unmatched)
        paths[unmatched_path.name] = write_atomic(unmatched_path, lambda tmp: frame.write_csv(tmp))
    else:
        unmatched_path.unlink(missing_ok=True)  # left by an earlier run with --signals
    return BuildResult(
        selected=selected,
        rejects=rejects,
        funnel=funnel,
        paths=paths,
        timings=stages.timings,
        unmatched_signals=unmatched,
        coverage=coverage,
        warnings=absent_warnings(coverage),
        diagnosis=diagnosis,
    )


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
) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """Signal boosts per account (`row_id`), and the event rows that were not used.

    The list's own funding rounds (`funding_stage` + `last_funding_date`) are events
    too, so "why now" works without an events file; a round that is also in the
    events file counts once (the file's, which has the amount).
    """
    rules = list(getattr(profile, "signals", []))
    if not rules:
        return None, None
    from listbuilder.signals import events_from_companies, read_signals, score_signals

    events = read_signals(list(signals)) if signals else None
    listed = events_from_companies(companies)
    sources: list[Any] = [listed] if events is None else [events, listed]
    result = score_signals(companies, sources, rules, as_of=as_of)
    if events is None:
        return result.scores, None
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
    return result.scores, unused


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
    possible = pl.min_horizontal(pl.col("fit_reachable") + pl.col("signal_score"), pl.lit(cap))
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
