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

from listbuilder.schema import FUNDING_STAGES
from listbuilder.signals.rules import _STAGE_ALIASES, SignalRule

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
    if rule.kind == "job_spike":
        out = _job_spikes(rule, events, as_of)
    elif rule.kind == "headcount_growth":
        out = _headcount_growth(rule, events, as_of)
    else:
        keep, label = _POINT[rule.kind](rule)
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
        return token.replace_strict(_STAGE_ALIASES, default=None, return_dtype=pl.String)
    return parse_funding_stage(round_type)


def money_expr(amount: pl.Expr) -> pl.Expr:
    """USD as ``$25M``, ``$1.75M``, ``$600K``, ``$1.2B`` (two decimals at most)."""

    def scaled(divisor: float, unit: str) -> pl.Expr:
        text = (
            (amount / divisor)
            .round(2, mode="half_away_from_zero")
            .cast(pl.String)
            .str.replace(r"(\.\d*?)0+$", "${1}")
            .str.strip_suffix(".")
        )
        return pl.concat_str(pl.lit("$"), text, pl.lit(unit))

    return (
        pl.when(amount >= 1e9)
        .then(scaled(1e9, "B"))
        .when(amount >= 1e6)
        .then(scaled(1e6, "M"))
        .when(amount >= 1e3)
        .then(scaled(1e3, "K"))
        .otherwise(scaled(1.0, ""))
    )


def _funding(rule: SignalRule) -> tuple[pl.Expr, pl.Expr]:
    stage = stage_expr(pl.col("round_type"))
    keep = pl.lit(True)
    if "rounds" in rule.options:
        keep &= stage.is_in(rule.options["rounds"]).fill_null(False)
    if "min_round" in rule.options:
        position = stage.replace_strict(
            FUNDING_STAGES, list(range(len(FUNDING_STAGES))), default=None, return_dtype=pl.Int64
        )
        keep &= (position >= FUNDING_STAGES.index(rule.options["min_round"])).fill_null(False)
    if "min_amount" in rule.options:
        keep &= (pl.col("amount_usd") >= rule.options["min_amount"]).fill_null(False)
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
        .then(pl.concat_str(name, pl.lit(" "), money_expr(pl.col("amount_usd"))))
        .otherwise(name)
    )
    listed = pl.col("listed").fill_null(False)
    return keep, pl.when(listed).then(label + pl.lit(" (from the list)")).otherwise(label)


def _exec_hire(rule: SignalRule) -> tuple[pl.Expr, pl.Expr]:
    keep = pl.lit(True)
    if "titles" in rule.options:
        keep = pl.col("title").str.contains("(?i)" + rule.options["titles"]).fill_null(False)
    label = pl.concat_str(pl.lit("new "), pl.col("title").fill_null("executive"))
    return keep, label


def _tech_change(rule: SignalRule) -> tuple[pl.Expr, pl.Expr]:
    tech = pl.col("technology").str.to_lowercase()
    added = [t.casefold() for t in rule.options.get("added", [])]
    removed = [t.casefold() for t in rule.options.get("removed", [])]
    if added or removed:
        keep = ((pl.col("change") == "added") & tech.is_in(added)) | (
            (pl.col("change") == "removed") & tech.is_in(removed)
        )
        keep = keep.fill_null(False)
    else:
        keep = pl.col("technology").is_not_null()
    label = pl.concat_str(pl.col("change").fill_null("changed"), pl.lit(" "), pl.col("technology"))
    return keep, label


def _announcement(rule: SignalRule) -> tuple[pl.Expr, pl.Expr]:
    keep = pl.lit(True)
    if "keywords" in rule.options:
        words = [w.casefold() for w in rule.options["keywords"]]
        keep = pl.col("text").str.to_lowercase().str.contains_any(words).fill_null(False)
    text = pl.col("text")
    short = (
        pl.when(text.str.len_chars() > 60)
        .then(text.str.slice(0, 59).str.strip_chars() + pl.lit("…"))
        .otherwise(text)
    )
    return keep, short.fill_null("announcement")


_POINT = {
    "funding": _funding,
    "exec_hire": _exec_hire,
    "tech_change": _tech_change,
    "announcement": _announcement,
}


def _by_department(rule: SignalRule, events: pl.DataFrame, *, titles: bool) -> pl.DataFrame:
    """Events tagged with the rule's department they count for (``dept``); all when none."""
    departments = rule.options.get("departments")
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


def _job_spikes(rule: SignalRule, events: pl.DataFrame, as_of: date) -> pl.DataFrame:
    window = int(rule.options["window_days"])
    baseline = int(rule.options["baseline_days"])
    start = as_of - timedelta(days=window)  # window is (start, as_of]
    base_start = start - timedelta(days=baseline)  # baseline is (base_start, start]
    if rule.options.get("departments"):
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
            (pl.col("current") >= rule.options["min_count"])
            & (pl.col("ratio") >= rule.options["min_ratio"])
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


def _headcount_growth(rule: SignalRule, events: pl.DataFrame, as_of: date) -> pl.DataFrame:
    window = int(rule.options["window_days"])
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
        .filter(pl.col("growth_pct") >= rule.options["min_growth_pct"])
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
