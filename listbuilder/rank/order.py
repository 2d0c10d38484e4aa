"""Order scored accounts, drop those below the lowest tier, keep one per domain and parent,
apply tier quotas, cut.

The order is total and explicit: score, then fit score (at the score cap a perfect fit
outranks a weaker fit lifted by a signal), signal score, the freshest signal, confidence,
employees, name (case-insensitive, then exact) and finally `row_id`, so two runs
over the same input rank identically.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

import polars as pl

from listbuilder.errors import ConfigError
from listbuilder.schema import REJECT_SCHEMA

# Optional columns rank reads; absent ones are treated as all-null.
_OPTIONAL: dict[str, pl.DataType] = {
    "name": pl.String(),
    "domain": pl.String(),
    "domain_is_platform": pl.Boolean(),
    "parent_company": pl.String(),
    "employees": pl.Int64(),
    "fit_score": pl.Float64(),
    "confidence": pl.Float64(),
    "fit_tier": pl.String(),
    "signal_score": pl.Float64(),
    "last_signal_date": pl.Date(),
    "tier": pl.String(),
    "source": pl.String(),
    "line": pl.Int64(),
}

STRONG_SIGNAL = 10.0  # signal_score at or above: timing tier 1 (live, strong)
WEAK_SIGNAL = 0.0  # signal_score above: timing tier 2; otherwise 3 (no signal)

REASON_BELOW_CUT = "below cut"
REASON_SAME_DOMAIN = "same domain"
REASON_SAME_PARENT = "same parent company"
REASON_TIER_QUOTA = "tier quota"
REASON_BELOW_MIN_SCORE = "below lowest tier"
REASON_LOW_CONFIDENCE = "below minimum confidence"

# (best fit, middle, other) x timing 1..3 -> what the SDR should do.
_ACTIONS = (
    {1: "call today", 2: "call this week", 3: "nurture: strong fit, no live signal"},
    {1: "call this week", 2: "add to sequence", 3: "nurture"},
    {1: "verify before calling: signal on a weaker fit", 2: "low priority", 3: "low priority"},
)


def timing_tier_expr(
    *,
    strong_signal: float = STRONG_SIGNAL,
    weak_signal: float = WEAK_SIGNAL,
    stale_before: date | None = None,
) -> pl.Expr:
    """1 = live strong signal, 2 = weaker signal, 3 = none, from `signal_score`.

    With `live_signal` semantics (`weak_signal` is then the minimum, inclusive, when it is
    above 0), and `stale_before`: an account whose freshest signal is older than that date
    is timing 3 whatever its score ("call this week" on a half-year-old round misleads)."""
    s = pl.col("signal_score").fill_null(0.0)
    if stale_before is not None:
        s = pl.when(pl.col("last_signal_date") >= stale_before).then(s).otherwise(0.0)
    weak = s >= weak_signal if weak_signal > 0 else s > weak_signal
    return (
        pl.when(s >= strong_signal)
        .then(pl.lit(1, pl.Int64))
        .when(weak)
        .then(pl.lit(2, pl.Int64))
        .otherwise(pl.lit(3, pl.Int64))
    )


def priority_expr() -> pl.Expr:
    """Fit tier letter + timing digit (`A1` call today ... `C3`); null without a fit tier."""
    return pl.col("fit_tier") + pl.col("timing_tier").cast(pl.String)


def priority_label(priority: str | None) -> str:
    """What a priority cell asks the SDR to do (`A1` -> `call today`)."""
    if not priority or len(priority) < 2 or not priority[-1].isdigit():
        return "verify the fit first: below every fit tier, in on its signal"
    letter, digit = priority[:-1].upper(), int(priority[-1])
    row = _ACTIONS[min(max(ord(letter[0]) - ord("A"), 0), 2)] if letter else _ACTIONS[2]
    return row.get(digit, "low priority")


def _ensure(df: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    missing = [c for c in _OPTIONAL if c not in df.columns]
    if missing:
        df = df.with_columns(pl.lit(None, _OPTIONAL[c]).alias(c) for c in missing)
    return df, missing


def sort_companies(df: pl.DataFrame) -> pl.DataFrame:
    """Sort by score desc, fit score, signal score, freshest signal, confidence (more data
    first), employees, name, row_id (stable): ties at the score cap go to the better fit."""
    df, added = _ensure(df)
    name = pl.col("name")
    out = df.sort(
        [
            pl.col("score"),
            pl.col("fit_score"),
            pl.col("signal_score"),
            pl.col("last_signal_date"),
            pl.col("confidence"),
            pl.col("employees"),
            name.str.to_lowercase(),
            name,
            pl.col("row_id"),
        ],
        descending=[True, True, True, True, True, True, False, False, False],
        nulls_last=True,
        maintain_order=True,
    )
    return out.drop(added)


def _parent_key() -> pl.Expr:
    key = (
        pl.col("parent_company")
        .str.to_lowercase()
        .str.replace_all(r"[^\w]+", " ")
        .str.strip_chars()
    )
    return pl.when(key.str.len_chars() > 0).then(key).otherwise(None)


def _check_quotas(tier_quotas: Mapping[str, float] | None) -> dict[str, float]:
    quotas: dict[str, float] = {}
    for tier, share in (tier_quotas or {}).items():
        ok = isinstance(share, int | float) and not isinstance(share, bool)
        if not ok or not 0.0 <= float(share) <= 1.0:
            raise ConfigError(
                f"tier quota for {tier!r} is {share!r}: give a share between 0 and 1 "
                f"(e.g. {{{tier!r}: 0.3}} for at most 30%)"
            )
        quotas[str(tier)] = float(share)
    return quotas


def _reject_where(cond: pl.Expr, reason: str, detail: pl.Expr) -> list[pl.Expr]:
    """``_reason`` and ``_detail`` set to ``reason`` and ``detail`` where ``cond`` holds."""
    return [
        pl.when(cond).then(pl.lit(reason)).otherwise(pl.col("_reason")).alias("_reason"),
        pl.when(cond).then(detail).otherwise(pl.col("_detail")).alias("_detail"),
    ]


def _fmt(n: int) -> str:
    return f"{n:,}"


def thousands(n: pl.Expr) -> pl.Expr:
    """An integer expression as text with thousands separators (`1201` -> `1,201`)."""
    pad = lambda e: e.cast(pl.String).str.zfill(3)  # noqa: E731
    return (
        pl.when(n >= 1_000_000)
        .then(pl.format("{},{},{}", n // 1_000_000, pad((n // 1000) % 1000), pad(n % 1000)))
        .when(n >= 1000)
        .then(pl.format("{},{}", n // 1000, pad(n % 1000)))
        .otherwise(n.cast(pl.String))
    )


def _score_text(score: float) -> str:
    """`42.5` -> `42.5`, `50.0` -> `50`."""
    return f"{score:.1f}".removesuffix(".0")


def _keep_one(
    rows: list[dict], *, per_domain: bool, per_parent: bool
) -> dict[int, tuple[str, str, int]]:
    """One account per domain and parent, in rank order: {loser: (reason, what, keeper)}.

    A single greedy pass: an account is kept when no account kept before it holds
    its domain or its parent, and only kept accounts claim keys. So the account a
    drop names was itself kept here (two passes, domain then parent, could name an
    account the parent pass dropped in turn).
    """
    domains: dict[str, int] = {}
    parents: dict[str, tuple[int, str]] = {}
    out: dict[int, tuple[str, str, int]] = {}
    for row in rows:
        if not row["_alive"]:
            continue
        pos = row["_pos"]
        dkey = row["_dk"] if per_domain else None
        pkey = row["_pk"] if per_parent else None
        if dkey is not None and dkey in domains:
            out[pos] = (REASON_SAME_DOMAIN, f"domain {dkey}", domains[dkey])
        elif pkey is not None and pkey in parents:
            keeper, shown = parents[pkey]
            out[pos] = (REASON_SAME_PARENT, f"parent {shown}", keeper)
        else:
            if dkey is not None:
                domains[dkey] = pos
            if pkey is not None:
                # Show the parent as written by the kept row, keyed case-insensitively.
                parents[pkey] = (pos, (row["parent_company"] or "").strip())
    return out


def rank_companies(
    df: pl.DataFrame,
    *,
    top: int | None = None,
    capacity: int | None = None,
    tier_quotas: Mapping[str, float] | None = None,
    one_per_parent: bool = True,
    one_per_domain: bool = True,
    strong_signal: float = STRONG_SIGNAL,
    weak_signal: float = WEAK_SIGNAL,
    min_score: float | None = None,
    min_score_label: str | None = None,
    min_confidence: float | None = None,
    stale_before: date | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rank and cut the scored accounts; returns (selected with `rank`, rejects of stage `rank`).

    `top` wins over `capacity`; `tier_quotas` caps a tier's share of the cut
    (`{"C": 0.3}`). Adds `rank`, `timing_tier` and `priority` to the selection.

    `min_score` (the profile's lowest tier threshold) rejects accounts scoring
    below it before anything else, reason `below lowest tier`, detail
    `score 42.5 < 50 (tier C)` (the parenthesis when `min_score_label` is given).
    `min_confidence` (the profile's, 0-1) then rejects accounts whose `confidence`
    (the share of the criteria's weight they have data for) is below it, reason
    `below minimum confidence`, detail `confidence 0.35 < 0.6`.

    A `same domain` / `same parent company` drop names the account kept instead
    and where it ended: `kept Acme (rank 12)` when it is in the selection, else
    `Acme ranked higher (rank 1,866, below the cut)`. The reason stays the
    duplicate one either way: it would hold for any cut.
    """
    if "score" not in df.columns and "fit_score" in df.columns:
        # straight from score_companies (a notebook chaining the stages): fit plus any
        # signal boosts, capped at 100 as build does
        signal = pl.col("signal_score") if "signal_score" in df.columns else pl.lit(0.0)
        df = df.with_columns(
            pl.min_horizontal(pl.col("fit_score") + signal.fill_null(0.0), pl.lit(100.0))
            .round(1)
            .alias("score")
        )
    for col in ("score", "row_id"):
        if col not in df.columns:
            raise ValueError(
                f"rank_companies needs a {col!r} column: pass the frame score_companies returns"
            )
    quotas = _check_quotas(tier_quotas)
    limit = top if top is not None else capacity
    if limit is not None and limit < 0:
        raise ConfigError(f"the cut must be 0 or more accounts, got {limit}")
    if min_score is not None and (
        isinstance(min_score, bool)
        or not isinstance(min_score, int | float)
        or not math.isfinite(min_score)
    ):
        raise ConfigError(
            f"min_score must be a number (the lowest tier threshold), got {min_score!r}"
        )
    limit_label = "top" if top is not None else "capacity"

    original = df.columns
    work, _ = _ensure(df)
    if "website" not in work.columns:
        work = work.with_columns(pl.lit(None, pl.String).alias("website"))
    work = (
        sort_companies(work)
        .with_row_index("_pos")
        .with_columns(
            pl.lit(None, pl.String).alias("_reason"),
            pl.lit(None, pl.String).alias("_detail"),
        )
    )
    alive = pl.col("_reason").is_null()

    if min_score is not None:
        floor = _score_text(float(min_score))
        suffix = f" ({min_score_label})" if min_score_label else ""
        score = pl.col("score")
        low = score.is_null() | (score < float(min_score))
        shown = (
            pl.when(score.round(1) == score.round(0))
            .then(score.round(0).cast(pl.Int64).cast(pl.String))
            .otherwise(score.round(1).cast(pl.String))
        )
        detail = (
            pl.when(score.is_null())
            .then(pl.lit(f"no score; lowest tier starts at {floor}{suffix}"))
            .otherwise(pl.format(f"score {{}} < {floor}{suffix}", shown))
        )
        work = work.with_columns(_reject_where(low, REASON_BELOW_MIN_SCORE, detail))

    if min_confidence and "confidence" in work.columns:
        known = pl.col("confidence")
        thin = alive & (known.is_null() | (known < float(min_confidence)))
        detail = pl.format(f"confidence {{}} < {min_confidence:g}", known.round(2).cast(pl.String))
        work = work.with_columns(_reject_where(thin, REASON_LOW_CONFIDENCE, detail))

    # One per domain and parent: a Python pass over three small columns (rank order).
    dom = pl.when(pl.col("domain_is_platform").fill_null(False)).then(None)
    keys = work.select(
        "_pos",
        alive.alias("_alive"),
        dom.otherwise(pl.col("domain").str.to_lowercase()).alias("_dk"),
        _parent_key().alias("_pk"),
        "parent_company",
    )
    drops = (
        _keep_one(keys.to_dicts(), per_domain=one_per_domain, per_parent=one_per_parent)
        if one_per_domain or one_per_parent
        else {}
    )
    drop_frame = pl.DataFrame(
        {
            "_pos": list(drops),
            "_dup_reason": [r for r, _, _ in drops.values()],
            "_dup_what": [w for _, w, _ in drops.values()],
            "_keeper": [k for _, _, k in drops.values()],
        },
        schema={"_pos": work.schema["_pos"], "_dup_reason": pl.String, "_dup_what": pl.String,
                "_keeper": work.schema["_pos"]},
    )  # fmt: skip
    work = work.join(drop_frame, on="_pos", how="left", maintain_order="left").with_columns(
        pl.coalesce("_reason", "_dup_reason").alias("_reason")
    )

    n_alive = work.select(alive.sum()).item()
    target = n_alive if limit is None else min(limit, n_alive)
    for tier, share in sorted(quotas.items()):
        cap = math.floor(share * target + 1e-9)
        in_tier = alive & (pl.col("tier") == tier)
        nth = pl.when(in_tier).then(pl.int_range(pl.len()).over(in_tier)).otherwise(None)
        over = in_tier & (nth >= cap)
        detail = pl.lit(f"tier {tier} quota {share:.0%} of {_fmt(target)} = {_fmt(cap)}")
        work = work.with_columns(_reject_where(over, REASON_TIER_QUOTA, detail))

    # Position among the candidates that survived dedupe and quotas.
    work = work.with_columns(
        pl.when(alive).then(alive.cum_sum().cast(pl.Int64)).otherwise(None).alias("_cand")
    )
    if limit is not None:
        cut = pl.col("_cand") > limit
        last_kept = work.filter(pl.col("_cand") == limit)["_pos"]
        # `_pos` of the last account inside the cut (-1: the cut is empty).
        last_pos = last_kept[0] if len(last_kept) else (-1 if limit == 0 else None)
        # A quota drop that would have fallen below the cut anyway is reported as the cut.
        quota_late = (pl.col("_reason") == REASON_TIER_QUOTA) & (
            pl.lit(last_pos is not None) & (pl.col("_pos") > (-1 if last_pos is None else last_pos))
        )
        work = work.with_columns(
            pl.when(cut)
            .then(pl.lit(REASON_BELOW_CUT))
            .when(quota_late)
            .then(pl.lit(REASON_BELOW_CUT))
            .otherwise(pl.col("_reason"))
            .alias("_reason"),
            pl.when(cut)
            .then(
                pl.format(
                    f"rank {{}}; {limit_label} {_fmt(limit)}",
                    thousands(pl.col("_cand")),
                )
            )
            .when(quota_late)
            .then(pl.format(f"{{}}; {limit_label} {_fmt(limit)}", pl.col("_detail")))
            .otherwise(pl.col("_detail"))
            .alias("_detail"),
        )

    # Name the kept account of a same-domain/parent drop and say where it ended up.
    shown_name = pl.coalesce(
        pl.col("name"), pl.col("domain"), pl.col("website"), pl.lit("an unnamed account")
    )
    keeper = work.select(
        pl.col("_pos").alias("_keeper"),
        shown_name.alias("_k_name"),
        pl.col("_reason").alias("_k_reason"),
        pl.col("_cand").alias("_k_cand"),
        pl.col("tier").alias("_k_tier"),
    )
    k_rank = pl.format("rank {}", thousands(pl.col("_k_cand")))
    k_where = (
        pl.when(pl.col("_k_reason") == REASON_BELOW_CUT)
        .then(
            pl.when(pl.col("_k_cand").is_not_null())
            .then(pl.format("{}, below the cut", k_rank))
            .otherwise(pl.lit("below the cut"))
        )
        .when(pl.col("_k_reason") == REASON_TIER_QUOTA)
        .then(pl.format("over the tier {} quota", pl.col("_k_tier").fill_null("–")))
        .otherwise(pl.col("_k_reason").fill_null("not selected"))
    )
    work = work.join(keeper, on="_keeper", how="left", maintain_order="left").with_columns(
        pl.when(pl.col("_dup_reason").is_null())
        .then(pl.col("_detail"))
        .when(pl.col("_k_reason").is_null())
        .then(pl.format("{}; kept {} ({})", pl.col("_dup_what"), pl.col("_k_name"), k_rank))
        .otherwise(
            pl.format("{}; {} ranked higher ({})", pl.col("_dup_what"), pl.col("_k_name"), k_where)
        )
        .alias("_detail")
    )

    selected = (
        work.filter(pl.col("_reason").is_null())
        .with_columns(pl.col("_cand").alias("rank"))
        .with_columns(
            timing_tier_expr(
                strong_signal=strong_signal, weak_signal=weak_signal, stale_before=stale_before
            ).alias("timing_tier")
        )
        .with_columns(priority_expr().alias("priority"))
        .select(
            *[c for c in original if c not in ("rank", "timing_tier", "priority")],
            "rank",
            "timing_tier",
            "priority",
        )
    )
    rejects = work.filter(pl.col("_reason").is_not_null()).select(
        pl.col("source").cast(pl.String),
        pl.col("line").cast(pl.Int64),
        pl.lit("rank").alias("stage"),
        pl.col("_reason").alias("reason"),
        pl.col("name").cast(pl.String),
        pl.col("domain").cast(pl.String),
        pl.col("_detail").alias("detail"),
    )
    return selected, rejects.cast(REJECT_SCHEMA)  # type: ignore[arg-type]
