"""score_companies: hard filters to rejects, weighted criteria to fit scores.

Several profiles: each account is scored against each; it is rejected only when
it fails the hard filters of every profile (the reject names the primary —
first — profile's first failed rule). Otherwise it takes the best-scoring profile
among those it passes (ties go to the earlier profile), and every profile's score
stays visible in `fit_score__<slug>` (null where that profile's filters failed).

Reasons stay countable: `failed: <rule name or field>` / `excluded: <rule name or
field>`; the account's value and the rule are in `detail`
(`employees 150 not in 200–2000`, `industry Government`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from listbuilder.errors import InputError
from listbuilder.profile.model import Profile
from listbuilder.schema import COMPANY_SCHEMA, DERIVED_SCHEMA, EMPLOYEE_BOUNDS, REJECT_SCHEMA
from listbuilder.score.compile import (
    BREAKDOWN_DTYPE,
    PREFIX,
    Plan,
    ProfileColumns,
    band_text,
    compile_profile,
    tier_expr,
)

OUTPUT_COLUMNS = (
    "fit_score",
    "confidence",
    "fit_reachable",
    "profile",
    "fit_tier",
    "why",
    "fit_unknown",
    "breakdown",
    "employees_band",
)


@dataclass(frozen=True)
class Scored:
    """Accounts that passed the hard filters, with scores; and the rows rejected by them."""

    companies: pl.DataFrame
    rejects: pl.DataFrame
    # profile slug -> criterion name -> kept accounts with no data for it (on_missing
    # "unknown" or "neutral")
    unknowns: dict[str, dict[str, int]] = field(default_factory=dict)
    # per rejected row (`row_id`): `check`, the code of the first check of the first profile
    # it fails (`compile.check_labels`), and `no_data`, whether it failed for lack of data
    failed: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(
            schema={"row_id": pl.Int64, "check": pl.Int64, "no_data": pl.Boolean}
        )
    )


def as_profiles(profiles: Profile | Iterable[Profile]) -> list[Profile]:
    found = [profiles] if isinstance(profiles, Profile) else list(profiles)
    if not found:
        raise ValueError("score_companies needs at least one profile")
    return found


def referenced_fields(profiles: list[Profile]) -> set[str]:
    """Every field the profiles' rules, criteria and groups read."""
    fields: set[str] = set()
    for profile in profiles:
        conditions = [r.condition for r in profile.rules] + [c.condition for c in profile.criteria]
        for condition in conditions:
            fields.add(condition.field)
            fields.update(t.field for item in condition.items for t in item.terms)
            if condition.field == "employees":  # its band, when the vendor gave one
                fields.update(EMPLOYEE_BOUNDS)
    return fields


def with_fields(df: pl.DataFrame, profiles: list[Profile]) -> pl.DataFrame:
    """Add the referenced canonical columns a frame lacks (as nulls: no data).

    A referenced column of another dtype is an InputError (all of them listed):
    the frame did not come through `read_companies`.
    """
    schema = {**COMPANY_SCHEMA, **DERIVED_SCHEMA}
    fields = sorted(referenced_fields(profiles))
    wrong = [
        f"{f} is {df.schema[f]}, scoring needs {schema[f]}"
        for f in fields
        if f in df.columns and df.schema[f] != schema[f] and df.schema[f] != pl.Null
    ]
    if wrong:
        raise InputError(
            "cannot score this frame: " + "; ".join(wrong) + " (read lists with read_companies, "
            "which parses every canonical field)"
        )
    df = df.with_columns(
        pl.lit(None, dtype=schema[f]).alias(f) if f not in df.columns else pl.col(f).cast(schema[f])
        for f in fields
        if f not in df.columns or df.schema[f] == pl.Null
    )
    # raw values ingest could not parse: reasons say "not recognised" rather than "missing"
    if "unparsed" not in df.columns:
        return df.with_columns(pl.lit(None, dtype=pl.String).alias("unparsed"))
    return df.with_columns(pl.col("unparsed").cast(pl.String))


def compile_all(profiles: list[Profile]) -> tuple[Plan, list[ProfileColumns]]:
    """One plan holding every profile's columns (shared field helpers computed once)."""
    plan = Plan()
    return plan, [compile_profile(plan, p, i) for i, p in enumerate(profiles)]


def _pick(index: pl.Expr, columns: list[pl.Expr]) -> pl.Expr:
    picked = columns[-1]
    for i in range(len(columns) - 2, -1, -1):
        picked = pl.when(index == i).then(columns[i]).otherwise(picked)
    return picked


def score_companies(df: pl.DataFrame, profiles: Profile | Iterable[Profile]) -> Scored:
    """Apply the profiles' hard filters and criteria to a company frame.

    Adds fit_score (0–100), confidence (0–1: the weight with data / 100),
    fit_reachable (the best fit the account's data allows), profile, fit_tier, why,
    fit_unknown and breakdown (and fit_score__<slug> per profile when several);
    rejected rows go to `.rejects` (stage "filter", reason "failed: <rule>" /
    "excluded: <rule>" / "no data: <criterion>", detail = the value).
    """
    chosen = as_profiles(profiles)
    original = [
        c
        for c in df.columns
        if c not in OUTPUT_COLUMNS and not c.startswith(("fit_score__", PREFIX))
    ]
    plan, results = compile_all(chosen)
    banded = {"employees", *EMPLOYEE_BOUNDS} <= set(original)
    band = band_text(plan) if banded else pl.lit(None, dtype=pl.String)
    # Score a narrow frame (the columns the expressions and the rejects read), then
    # filter the wide frame once and put the few result columns beside it: the
    # intermediates never travel with the 40+ list columns.
    source = with_fields(df.select(original), chosen)
    read = plan.roots() | _roots(chosen, results) | {"source", "line", "name", "domain", "row_id"}
    narrow = source.select(c for c in source.columns if c in read)
    narrow = plan.apply(narrow, range(plan.SELECT))

    count = len(chosen)
    best_score = pl.max_horizontal([pl.when(r.passes).then(r.fit_score) for r in results])
    best: pl.Expr = pl.lit(None, dtype=pl.Int64)
    for i in range(count - 1, -1, -1):
        candidate = results[i].passes & (results[i].fit_score == best_score)
        best = pl.when(candidate).then(pl.lit(i, dtype=pl.Int64)).otherwise(best)
    narrow = narrow.with_columns(best.alias(f"{PREFIX}_best"))
    index = pl.col(f"{PREFIX}_best")
    keeps = narrow.get_column(f"{PREFIX}_best").is_not_null()

    # Lazy from here: each output computes (and filters) only the columns it reads.
    rejected = plan.apply(narrow.lazy().filter(index.is_null()), range(plan.SELECT, plan.DISPLAY))
    rejects_and_codes = _rejects(rejected, narrow.columns, results[0]).collect()
    del rejected
    rejects = rejects_and_codes.select(list(REJECT_SCHEMA))
    failed = rejects_and_codes.select("row_id", "check", "no_data")
    kept = plan.apply(narrow.lazy().filter(index.is_not_null()), range(plan.SELECT, plan.STAGES))
    del narrow
    tiers = [tier_expr(p, r.fit_score) for p, r in zip(chosen, results, strict=True)]
    added = [
        _pick(index, [r.fit_score for r in results]).cast(pl.Float64).alias("fit_score"),
        _pick(index, [r.confidence for r in results]).cast(pl.Float64).alias("confidence"),
        # the best any profile the account passes allows (it takes the best-scoring one)
        pl.max_horizontal([pl.when(r.passes).then(r.reachable) for r in results])
        .cast(pl.Float64)
        .alias("fit_reachable"),
        index.replace_strict(
            list(range(count)), [p.name for p in chosen], return_dtype=pl.String
        ).alias("profile"),
        _pick(index, tiers).alias("fit_tier"),
        _pick(index, [r.why for r in results]).alias("why"),
        _pick(index, [r.fit_unknown for r in results]).cast(pl.Int64).alias("fit_unknown"),
        _pick(index, [r.breakdown for r in results]).cast(BREAKDOWN_DTYPE).alias("breakdown"),
        band.alias("employees_band"),
    ]
    if count > 1:
        added += [
            pl.when(r.passes).then(r.fit_score).alias(f"fit_score__{p.slug}")
            for p, r in zip(chosen, results, strict=True)
        ]
    unknowns = _unknowns(kept, chosen, results, index)
    scores = kept.select(added).collect()
    del kept
    companies = source.select(original).filter(keeps).hstack(scores)
    return Scored(companies, rejects, unknowns, failed)


def _roots(profiles: list[Profile], results: list[ProfileColumns]) -> set[str]:
    """Input columns the result expressions read directly (normally none: plan columns)."""
    exprs = [tier_expr(p, r.fit_score) for p, r in zip(profiles, results, strict=True)]
    for r in results:
        exprs += [r.passes, r.reason, r.detail, r.fit_score, r.fit_unknown, r.why, r.breakdown]
        exprs += [r.confidence, r.reachable]
        exprs += [*r.present.values(), *(e for c in r.rules for e in (c.ok, c.detail, c.shown))]
    return {n for e in exprs for n in e.meta.root_names() if not n.startswith(PREFIX)}


def _unknowns(
    kept: pl.LazyFrame, profiles: list[Profile], results: list[ProfileColumns], index: pl.Expr
) -> dict[str, dict[str, int]]:
    exprs = {}
    for i, (profile, result) in enumerate(zip(profiles, results, strict=True)):
        for j, criterion in enumerate(profile.criteria):
            if criterion.on_missing in ("unknown", "neutral"):
                present = result.present[criterion.name]
                exprs[f"{i}:{j}"] = ((index == i) & ~present).sum()
    if not exprs:
        return {}
    row = kept.select(**exprs).collect().row(0, named=True)
    found: dict[str, dict[str, int]] = {}
    for key, value in row.items():
        i, j = (int(x) for x in key.split(":"))
        found.setdefault(profiles[i].slug, {})[profiles[i].criteria[j].name] = int(value or 0)
    return found


def _rejects(frame: pl.LazyFrame, columns: list[str], primary: ProfileColumns) -> pl.LazyFrame:
    def column(name: str) -> pl.Expr:
        source = pl.col(name) if name in columns else pl.lit(None)
        return source.cast(REJECT_SCHEMA[name]).alias(name)

    return frame.select(
        column("source"),
        column("line"),
        pl.lit("filter", dtype=pl.String).alias("stage"),
        primary.reason.cast(pl.String).alias("reason"),
        column("name"),
        column("domain"),
        primary.detail.cast(pl.String).alias("detail"),
        (pl.col("row_id") if "row_id" in columns else pl.lit(None)).cast(pl.Int64).alias("row_id"),
        primary.failed.cast(pl.Int64).alias("check"),
        primary.failed_no_data.cast(pl.Boolean).alias("no_data"),
    )
