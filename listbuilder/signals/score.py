"""Signal boosts per account: match events, apply the rules, decay, combine, explain.

``score_signals`` returns one row per account with at least one boosting
signal. Per rule, an account's signals combine by the rule's ``combine``
(``strongest``: the largest decayed boost; ``sum``: all of them, at most
``cap``); the account's ``signal_score`` is the sum over rules, rounded to 0.1 (halves up).
The total cap (``score = min(cap, fit + signal)``) is the pipeline's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from listbuilder.errors import InputError
from listbuilder.signals.derive import CANDIDATE_SCHEMA, SOURCE_KIND, rule_candidates
from listbuilder.signals.match import match_events
from listbuilder.signals.read import EVENT_SCHEMA, Events
from listbuilder.signals.rules import SignalRule

SIGNAL_STRUCT = pl.Struct(
    {
        "kind": pl.String(),
        "label": pl.String(),
        "date": pl.Date(),
        "age_days": pl.Int64(),
        "raw_boost": pl.Float64(),
        "boost": pl.Float64(),
    }
)
SCORES_SCHEMA: dict[str, pl.DataType] = {
    "row_id": pl.Int64(),
    "signal_score": pl.Float64(),
    "why_now": pl.String(),
    "signals": pl.List(SIGNAL_STRUCT),
    "last_signal_date": pl.Date(),
}
WHY_NOW_SIGNALS = 3  # how many signals the why_now line names
_POINT_KINDS = ("funding", "exec_hire", "tech_change", "announcement")
_ACCOUNT_COLUMNS = ("row_id", "name_key", "domain", "domain_is_platform")


@dataclass
class SignalScores:
    """Boosts per account (``.scores``), events matched to no account (``.unmatched``)."""

    scores: pl.DataFrame
    unmatched: pl.DataFrame
    counts: dict[str, int] = field(default_factory=dict)
    matches: pl.DataFrame | None = None  # (event_id, row_id, match): how each event matched


def score_signals(
    accounts: pl.DataFrame,
    events: Events | pl.DataFrame,
    rules: Sequence[SignalRule],
    *,
    as_of: date,
    fuzzy: bool = True,
) -> SignalScores:
    """Match ``events`` to ``accounts`` and turn them into decayed boosts as of ``as_of``.

    ``counts``: ``read``, ``future`` (dated after as_of, ignored), ``matched``,
    ``unmatched``, ``too_old`` (older than ``max_age_days`` of every rule that
    would use them), ``used`` (events behind at least one boost).
    """
    frame = events.events if isinstance(events, Events) else events
    missing = [c for c in _ACCOUNT_COLUMNS if c not in accounts.columns]
    if missing:
        raise InputError(f"accounts lack {', '.join(missing)}: normalize the companies first")
    absent = [c for c in ("domain", "company_name", "kind", "date") if c not in frame.columns]
    if absent:
        raise InputError(f"events lack {', '.join(absent)}: read them with read_signals")
    frame = (
        frame.with_columns(
            pl.lit(None, dtype=dtype).alias(name)
            for name, dtype in EVENT_SCHEMA.items()
            if name not in frame.columns
        )
        .with_row_index("event_id")
        .with_columns(pl.col("event_id").cast(pl.Int64))
    )

    read = frame.height
    future = frame.filter(pl.col("date") > as_of)
    frame = frame.filter(pl.col("date") <= as_of)
    wanted = {SOURCE_KIND[r.kind] for r in rules}
    pairs, unmatched_ids = match_events(accounts, frame, fuzzy=fuzzy)
    unmatched = (
        frame.join(unmatched_ids, on="event_id")
        .sort("event_id")
        .select("source", "line", "domain", "company_name", "kind", "date", "reason")
    )
    matched = frame.join(pairs.select("event_id", "row_id"), on="event_id").filter(
        pl.col("kind").is_in(sorted(wanted))
    )
    candidates = pl.concat(
        [rule_candidates(i, r, matched, as_of=as_of) for i, r in enumerate(rules)]
        or [pl.DataFrame(schema=CANDIDATE_SCHEMA)]
    )
    candidates = _decay(candidates, rules, as_of)
    signals = _combine(candidates.filter(~pl.col("too_old")), rules)

    too_old = (
        candidates.filter(pl.col("event_id").is_not_null())
        .group_by("event_id")
        .agg(pl.col("too_old").all())
        .filter(pl.col("too_old"))
        .height
    )
    counts = {
        "read": read,
        "future": future.height,
        "matched": pairs["event_id"].n_unique(),
        "unmatched": unmatched.height,
        "too_old": too_old,
        "used": signals.filter(pl.col("event_id").is_not_null())["event_id"].n_unique(),
    }
    return SignalScores(
        scores=_summarise(signals), unmatched=unmatched, counts=counts, matches=pairs
    )


def _decay(candidates: pl.DataFrame, rules: Sequence[SignalRule], as_of: date) -> pl.DataFrame:
    """Add ``age_days``, ``too_old`` and the decayed ``boost`` (unrounded) per candidate."""
    half_life = pl.Series([r.half_life_days for r in rules], dtype=pl.Float64)
    max_age = pl.Series([r.max_age_days for r in rules], dtype=pl.Float64)
    age = (pl.lit(as_of) - pl.col("date")).dt.total_days().cast(pl.Int64)
    hl = pl.col("rule").replace_strict(range(len(rules)), half_life, default=None)
    limit = pl.col("rule").replace_strict(range(len(rules)), max_age, default=None)
    return candidates.with_columns(age.alias("age_days")).with_columns(
        (pl.col("age_days") > limit).fill_null(False).alias("too_old"),
        pl.when(hl.is_null())
        .then(pl.col("raw_boost"))
        .otherwise(pl.col("raw_boost") * pl.lit(0.5).pow(pl.col("age_days") / hl))
        .alias("boost"),
    )


def _combine(candidates: pl.DataFrame, rules: Sequence[SignalRule]) -> pl.DataFrame:
    """Apply each rule's combine: strongest keeps one signal, sum keeps all and caps."""
    order = ["row_id", "rule", "boost", "date", "label", "event_id"]
    ranked = candidates.filter(pl.col("boost") > 0).sort(
        order, descending=[False, False, True, True, False, False], nulls_last=True
    )
    strongest = [i for i, r in enumerate(rules) if r.combine == "strongest"]
    caps = pl.Series([r.cap for r in rules], dtype=pl.Float64)
    kept = ranked.filter(
        ~pl.col("rule").is_in(strongest) | (pl.int_range(pl.len()).over("row_id", "rule") == 0)
    )
    cap = pl.col("rule").replace_strict(range(len(rules)), caps, default=None)
    total = pl.col("boost").sum().over("row_id", "rule")
    return kept.with_columns(
        pl.when(cap.is_not_null() & (total > cap)).then(cap).otherwise(total).alias("rule_total")
    )


def _age_text(age: pl.Expr) -> pl.Expr:
    return (
        pl.when(age == 0)
        .then(pl.lit("today"))
        .when(age == 1)
        .then(pl.lit("1 day ago"))
        .otherwise(pl.format("{} days ago", age))
    )


def _summarise(signals: pl.DataFrame) -> pl.DataFrame:
    """One row per account: score, why_now, the signals strongest first, last date."""
    if not signals.height:
        return pl.DataFrame(schema=SCORES_SCHEMA)
    per_rule = signals.group_by("row_id", "rule").agg(pl.col("rule_total").first())
    score = per_rule.group_by("row_id").agg(
        pl.col("rule_total").sum().round(1, mode="half_away_from_zero").alias("signal_score")
    )
    ordered = signals.sort(
        ["row_id", "boost", "date", "kind", "label", "rule"],
        descending=[False, True, True, False, False, False],
        nulls_last=True,
    ).with_columns(
        pl.format("{}, {}", pl.col("label"), _age_text(pl.col("age_days"))).alias("phrase"),
        pl.col("boost").round(2, mode="half_away_from_zero"),
    )
    listed = ordered.group_by("row_id", maintain_order=True).agg(
        pl.col("phrase").head(WHY_NOW_SIGNALS).str.join(" · ").alias("why_now"),
        pl.struct([f.name for f in SIGNAL_STRUCT.fields]).alias("signals"),
        pl.col("date").max().alias("last_signal_date"),
    )
    return (
        score.join(listed, on="row_id")
        .select(list(SCORES_SCHEMA))
        .sort("row_id")
        .cast(SCORES_SCHEMA)  # type: ignore[arg-type]
    )
