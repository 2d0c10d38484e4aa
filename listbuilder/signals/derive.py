"""Per rule, the signals an account earns: filtered point events and derived series.

Point events (funding, exec_hire, tech_change, announcement) become a signal
when they meet the rule's conditions. Job postings become a ``job_spike``
signal and headcount snapshots a ``headcount_growth`` signal by comparing
windows ending at ``as_of``. Each function returns ``CANDIDATE_SCHEMA`` rows;
decay, age limits and combining happen in ``score``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import polars as pl

from listbuilder.formatting import money
from listbuilder.profile.model import (
    AnnouncementRule,
    ExecHireRule,
    FundingRule,
    HeadcountGrowthRule,
    JobSpikeRule,
    SignalRule,
    TechChangeRule,
)
from listbuilder.profile.signals import STAGE_ALIASES
from listbuilder.schema import FUNDING_STAGES

CANDIDATE_SCHEMA: dict[str, pl.DataType] = {
    "event_id": pl.Int64(),  # null for derived signals (they summarise many events)
    "row_id": pl.Int64(),
    "rule": pl.Int64(),
    "kind": pl.String(),
    "label": pl.String(),
    "date": pl.Date(),
    "raw_boost": pl.Float64(),
}
# rule kind -> event kind it reads
SOURCE_KIND: dict[str, str] = {
    "funding": "funding",
    "exec_hire": "exec_hire",
    "job_spike": "job_posting",
    "headcount_growth": "headcount",
    "tech_change": "tech_change",
    "announcement": "announcement",
}


def rule_candidates(
    index: int, rule: SignalRule, matched: pl.DataFrame, *, as_of: date
) -> pl.DataFrame:
    """The signals rule ``index`` yields on matched events (``row_id`` + event columns)."""
    events = matched.filter(pl.col("kind") == SOURCE_KIND[rule.kind])
    if "listed" not in events.columns:  # events from the list itself (events_from_companies)
        events = events.with_columns(pl.lit(False).alias("listed"))
    if isinstance(rule, JobSpikeRule):
        out = _job_spikes(rule, events, as_of)
    elif isinstance(rule, HeadcountGrowthRule):
        out = _headcount_growth(rule, events, as_of)
    else:
        keep, label = _point_filter(rule)
        out = events.filter(keep).select("event_id", "row_id", label.alias("label"), "date")
    return out.select(
        pl.col("event_id") if "event_id" in out.columns else pl.lit(None).alias("event_id"),
        "row_id",
        pl.lit(index).alias("rule"),
        pl.lit(rule.kind).alias("kind"),
        "label",
        "date",
        pl.lit(rule.boost).alias("raw_boost"),
    ).cast(CANDIDATE_SCHEMA)  # type: ignore[arg-type]


def stage_expr(round_type: pl.Expr) -> pl.Expr:
    """A round type (``series-b``, ``Series B``, ``angel``) as its FUNDING_STAGES label."""
    try:  # the parser companies' funding_stage goes through, so both sides agree
        from listbuilder.ingest.values import parse_funding_stage
    except ImportError:
        token = (
            round_type.str.to_lowercase()
            .str.replace_all(r"[\s_\-.]+", "")
            .str.replace(r"(?:round|funding)$", "")
        )
        return token.replace_strict(STAGE_ALIASES, default=None, return_dtype=pl.String)
    return parse_funding_stage(round_type)


def _point_filter(rule: SignalRule) -> tuple[pl.Expr, pl.Expr]:
    """Which events of a point rule count, and how each reads (the signal's label)."""
    if isinstance(rule, FundingRule):
        return _funding(rule)
    if isinstance(rule, ExecHireRule):
        return _exec_hire(rule)
    if isinstance(rule, TechChangeRule):
        return _tech_change(rule)
    if isinstance(rule, AnnouncementRule):
        return _announcement(rule)
    raise TypeError(f"no event filter for signal kind {rule.kind!r}")


def _funding(rule: FundingRule) -> tuple[pl.Expr, pl.Expr]:
    stage = stage_expr(pl.col("round_type"))
    keep = pl.lit(True)
    if rule.round_in:
        keep &= stage.is_in(list(rule.round_in)).fill_null(False)
    if rule.round_at_least is not None:
        position = stage.replace_strict(
            FUNDING_STAGES, list(range(len(FUNDING_STAGES))), default=None, return_dtype=pl.Int64
        )
        keep &= (position >= FUNDING_STAGES.index(rule.round_at_least)).fill_null(False)
    if rule.amount_at_least is not None:
        keep &= (pl.col("amount_usd") >= rule.amount_at_least).fill_null(False)
    raw = (
        pl.col("round_type")
        .str.replace_all(r"(?i)[-_\s]+|\b(?:round|funding|financing)\b", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
        .str.to_titlecase()
        .replace("", None)
    )
    name = (
        pl.when(raw.is_null() | (raw == "Other"))
        .then(pl.lit("Funding round"))
        .when(raw.str.starts_with("Series"))
        .then(raw)
        .otherwise(raw + pl.lit(" round"))
    )
    label = (
        pl.when(pl.col("amount_usd") > 0)
        .then(pl.concat_str(name, pl.lit(" "), money(pl.col("amount_usd"), 2)))
        .otherwise(name)
    )
    listed = pl.col("listed").fill_null(False)
    return keep, pl.when(listed).then(label + pl.lit(" (from the list)")).otherwise(label)


def _exec_hire(rule: ExecHireRule) -> tuple[pl.Expr, pl.Expr]:
    keep = pl.lit(True)
    if rule.title_matches is not None:
        keep = pl.col("title").str.contains("(?i)" + rule.title_matches).fill_null(False)
    label = pl.concat_str(pl.lit("new "), pl.col("title").fill_null("executive"))
    return keep, label


def _tech_change(rule: TechChangeRule) -> tuple[pl.Expr, pl.Expr]:
    tech = pl.col("technology").str.to_lowercase()
    added = [t.casefold() for t in rule.added_in]
    removed = [t.casefold() for t in rule.removed_in]
    if added or removed:
        keep = ((pl.col("change") == "added") & tech.is_in(added)) | (
            (pl.col("change") == "removed") & tech.is_in(removed)
        )
        keep = keep.fill_null(False)
    else:
        keep = pl.col("technology").is_not_null()
    label = pl.concat_str(pl.col("change").fill_null("changed"), pl.lit(" "), pl.col("technology"))
    return keep, label


def _announcement(rule: AnnouncementRule) -> tuple[pl.Expr, pl.Expr]:
    keep = pl.lit(True)
    if rule.text_any:
        words = [w.casefold() for w in rule.text_any]
        keep = pl.col("text").str.to_lowercase().str.contains_any(words).fill_null(False)
    text = pl.col("text")
    short = (
        pl.when(text.str.len_chars() > 60)
        .then(text.str.slice(0, 59).str.strip_chars() + pl.lit("…"))
        .otherwise(text)
    )
    return keep, short.fill_null("announcement")


def _by_department(
    rule: JobSpikeRule | HeadcountGrowthRule, events: pl.DataFrame, *, titles: bool
) -> pl.DataFrame:
    """Events tagged with the rule's department they count for (``dept``); all when none."""
    departments = rule.departments
    if not departments:
        return events.with_columns(pl.col("department").alias("dept"))
    parts = []
    for dept in departments:
        hit = pl.col("department").str.to_lowercase() == dept.casefold()
        if titles:  # a posting without a department counts by its title
            word = r"(?i)\b" + re.escape(dept) + r"\b"
            hit = hit | (pl.col("department").is_null() & pl.col("title").str.contains(word))
        parts.append(events.filter(hit.fill_null(False)).with_columns(pl.lit(dept).alias("dept")))
    return pl.concat(parts)


def _job_spikes(rule: JobSpikeRule, events: pl.DataFrame, as_of: date) -> pl.DataFrame:
    window = rule.window_days
    baseline = rule.baseline_days
    start = as_of - timedelta(days=window)  # window is (start, as_of]
    base_start = start - timedelta(days=baseline)  # baseline is (base_start, start]
    if rule.departments:
        tagged = _by_department(rule, events, titles=True)
    else:  # one spike over all postings
        tagged = events.with_columns(pl.lit(None, dtype=pl.String).alias("dept"))
    in_window = (pl.col("date") > start) & (pl.col("date") <= as_of)
    in_base = (pl.col("date") > base_start) & (pl.col("date") <= start)
    spikes = (
        tagged.filter(pl.col("date") > base_start)
        .group_by("row_id", "dept")
        .agg(
            in_window.sum().cast(pl.Int64).alias("current"),
            in_base.sum().cast(pl.Int64).alias("base"),
            pl.col("date").filter(in_window).max().alias("date"),
        )
        .with_columns(
            (pl.col("current") * baseline / (window * pl.max_horizontal(pl.col("base"), 1))).alias(
                "ratio"
            )
        )
        .filter(
            (pl.col("current") >= rule.count_at_least) & (pl.col("ratio") >= rule.ratio_at_least)
        )
    )
    what = (
        pl.when(pl.col("dept").is_null())
        .then(pl.lit("job"))
        .otherwise(pl.col("dept").str.to_lowercase())
    )
    label = (
        pl.when(pl.col("base") == 0)
        .then(
            pl.format(
                "{} postings: {} in {} days, none before", what, pl.col("current"), pl.lit(window)
            )
        )
        .otherwise(pl.format("{} postings ×{} vs baseline", what, _one_decimal(pl.col("ratio"))))
    )
    return spikes.select("row_id", label.alias("label"), "date")


def _one_decimal(expr: pl.Expr) -> pl.Expr:
    rounded = expr.round(1, mode="half_away_from_zero")
    return pl.format(
        "{}.{}", rounded.floor().cast(pl.Int64), ((rounded * 10).round(0).cast(pl.Int64) % 10)
    )


def _headcount_growth(rule: HeadcountGrowthRule, events: pl.DataFrame, as_of: date) -> pl.DataFrame:
    window = rule.window_days
    start = as_of - timedelta(days=window)
    tagged = _by_department(rule, events, titles=False).filter(
        (pl.col("date") > start) & (pl.col("date") <= as_of) & pl.col("headcount").is_not_null()
    )
    growth = (
        tagged.sort("row_id", "dept", "date", "headcount", nulls_last=True)
        .group_by("row_id", "dept")
        .agg(
            pl.len().alias("n"),
            pl.col("headcount").first().alias("first"),
            pl.col("headcount").last().alias("last"),
            pl.col("date").first().alias("first_date"),
            pl.col("date").last().alias("date"),
        )
        .filter(pl.col("n") >= 2)
        .with_columns(
            pl.when(pl.col("first") > 0)
            .then((pl.col("last") - pl.col("first")) * 100.0 / pl.col("first"))
            .when(pl.col("last") > 0)
            .then(float("inf"))
            .otherwise(0.0)
            .alias("growth_pct")
        )
        .filter(pl.col("growth_pct") >= rule.growth_pct_at_least)
    )
    days = (pl.col("date") - pl.col("first_date")).dt.total_days()
    months = (days / 30.44).round(0).cast(pl.Int64)
    span = (
        pl.when(days < 45)
        .then(pl.format("{} days", days))
        .otherwise(pl.format("{} months", months))
    )
    team = (
        pl.when(pl.col("dept").is_null())
        .then(pl.lit("headcount"))
        .otherwise(pl.col("dept").str.to_lowercase() + pl.lit(" team"))
    )
    label = pl.format("{} grew {} → {} in {}", team, pl.col("first"), pl.col("last"), span)
    return growth.select("row_id", label.alias("label"), "date")
