"""Order scored accounts, drop those below the lowest tier, keep one per domain and parent,
apply tier quotas, cut.

The order is total and explicit: score, then fit score (at the score cap a perfect fit
outranks a weaker fit lifted by a signal), signal score, the freshest signal, confidence,
employees, name (case-insensitive, then exact) and finally `row_id`, so two runs
over the same input rank identically.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date

import polars as pl

from listbuilder.errors import ConfigError
from listbuilder.formatting import short_number, short_number_text, thousands, thousands_text
from listbuilder.schema import REJECT_SCHEMA

# Optional columns rank reads; absent ones are treated as all-null.
_OPTIONAL: dict[str, pl.DataType] = {
    "name": pl.String(),
    "domain": pl.String(),
    "domain_is_platform": pl.Boolean(),
    "parent_company": pl.String(),
    "parent_id": pl.String(),
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

# Every column rank_companies reads (the required ones, `website` for kept names, and
# the optional ones): what a caller must pass for the same answer (the Spark engine sends
# only these with the rows below the lowest tier).
RANK_COLUMNS: tuple[str, ...] = ("row_id", "score", "website", *_OPTIONAL)

STRONG_SIGNAL = 10.0  # signal_score at or above: timing tier 1 (live, strong)
WEAK_SIGNAL = 0.0  # signal_score above: timing tier 2; otherwise 3 (no signal)

REASON_BELOW_CUT = "below cut"
REASON_SAME_DOMAIN = "same domain"
REASON_SAME_PARENT = "same parent company"
REASON_TIER_QUOTA = "tier quota"
REASON_BELOW_MIN_SCORE = "below lowest tier"
REASON_LOW_CONFIDENCE = "below minimum confidence"

_ALIVE = pl.col("_reason").is_null()  # not rejected by an earlier step of the cut

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


def _parent_id() -> pl.Expr:
    """`id 266085200` for a vendor's parent id, null without one."""
    parent_id = pl.col("parent_id").cast(pl.String).str.strip_chars()
    return pl.when(parent_id.str.len_chars() > 0).then(pl.format("id {}", parent_id))


def _parent_key() -> pl.Expr:
    """The corporate family: the vendor's parent id when it gives one, else the parent's
    name (case and punctuation folded)."""
    name = (
        pl.col("parent_company")
        .str.to_lowercase()
        .str.replace_all(r"[^\w]+", " ")
        .str.strip_chars()
    )
    return pl.coalesce(_parent_id(), pl.when(name.str.len_chars() > 0).then(name))


def _parent_shown() -> pl.Expr:
    """The parent as a reject detail names it: its name, else `id 266085200`."""
    name = pl.col("parent_company").str.strip_chars()
    return pl.coalesce(pl.when(name.str.len_chars() > 0).then(name), _parent_id(), pl.lit(""))


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
                parents[pkey] = (pos, row["_ps"])
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
    df = _add_score(df)
    quotas, limit = _check_cut(
        df, top=top, capacity=capacity, tier_quotas=tier_quotas, min_score=min_score
    )
    # The steps of the cut, each setting `_reason`/`_detail` on the accounts it drops.
    work = _order_candidates(df)
    if min_score is not None:
        work = work.with_columns(_reject_below_min_score(float(min_score), min_score_label))
    if min_confidence and "confidence" in work.columns:
        work = work.with_columns(_reject_low_confidence(min_confidence))
    work = _drop_duplicates(work, per_domain=one_per_domain, per_parent=one_per_parent)
    work = _apply_tier_quotas(work, quotas, limit)
    work = _cut_at_limit(work, limit, label="top" if top is not None else "capacity")
    work = _name_kept_accounts(work)
    timing = timing_tier_expr(
        strong_signal=strong_signal, weak_signal=weak_signal, stale_before=stale_before
    )
    return _split_ranked(work, df.columns, timing)


def _add_score(df: pl.DataFrame) -> pl.DataFrame:
    """`score` from `fit_score` plus any `signal_score`, capped at 100, when the frame
    comes straight from score_companies (a notebook chaining the stages), as build does."""
    if "score" in df.columns or "fit_score" not in df.columns:
        return df
    signal = pl.col("signal_score") if "signal_score" in df.columns else pl.lit(0.0)
    return df.with_columns(
        pl.min_horizontal(pl.col("fit_score") + signal.fill_null(0.0), pl.lit(100.0))
        .round(1)
        .alias("score")
    )


def _check_cut(
    df: pl.DataFrame,
    *,
    top: int | None,
    capacity: int | None,
    tier_quotas: Mapping[str, float] | None,
    min_score: float | None,
) -> tuple[dict[str, float], int | None]:
    """The checked tier quotas and the cut (`top`, else `capacity`; None: no cut)."""
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
    return quotas, limit


def _order_candidates(df: pl.DataFrame) -> pl.DataFrame:
    """The accounts in rank order with `_pos` (0-based) and no `_reason` or `_detail` yet;
    the optional columns rank reads (and `website`) added as nulls where absent."""
    work, _ = _ensure(df)
    if "website" not in work.columns:
        work = work.with_columns(pl.lit(None, pl.String).alias("website"))
    return (
        sort_companies(work)
        .with_row_index("_pos")
        .with_columns(
            pl.lit(None, pl.String).alias("_reason"),
            pl.lit(None, pl.String).alias("_detail"),
        )
    )


def _reject_below_min_score(min_score: float, label: str | None) -> list[pl.Expr]:
    """Reject accounts scoring below `min_score` (or without a score): `score 42.5 < 50
    (tier C)`, the parenthesis when `label` is given."""
    floor = short_number_text(min_score)
    suffix = f" ({label})" if label else ""
    score = pl.col("score")
    low = score.is_null() | (score < min_score)
    shown = short_number(score)
    detail = (
        pl.when(score.is_null())
        .then(pl.lit(f"no score; lowest tier starts at {floor}{suffix}"))
        .otherwise(pl.format(f"score {{}} < {floor}{suffix}", shown))
    )
    return _reject_where(low, REASON_BELOW_MIN_SCORE, detail)


def _reject_low_confidence(min_confidence: float) -> list[pl.Expr]:
    """Reject the accounts still in whose `confidence` is unknown or below the minimum."""
    known = pl.col("confidence")
    thin = _ALIVE & (known.is_null() | (known < float(min_confidence)))
    detail = pl.format(f"confidence {{}} < {min_confidence:g}", known.round(2).cast(pl.String))
    return _reject_where(thin, REASON_LOW_CONFIDENCE, detail)


def _drop_duplicates(work: pl.DataFrame, *, per_domain: bool, per_parent: bool) -> pl.DataFrame:
    """Keep one account per domain and parent (`_keep_one`); adds `_dup_reason`,
    `_dup_what` and `_keeper` (the `_pos` of the account kept instead)."""
    # A Python pass over three small columns, in rank order.
    dom = pl.when(pl.col("domain_is_platform").fill_null(False)).then(None)
    keys = work.select(
        "_pos",
        _ALIVE.alias("_alive"),
        dom.otherwise(pl.col("domain").str.to_lowercase()).alias("_dk"),
        _parent_key().alias("_pk"),
        _parent_shown().alias("_ps"),
    )
    drops = (
        _keep_one(keys.to_dicts(), per_domain=per_domain, per_parent=per_parent)
        if per_domain or per_parent
        else {}
    )
    pos = work.schema["_pos"]
    drop_frame = pl.DataFrame(
        {
            "_pos": list(drops),
            "_dup_reason": [r for r, _, _ in drops.values()],
            "_dup_what": [w for _, w, _ in drops.values()],
            "_keeper": [k for _, _, k in drops.values()],
        },
        schema={"_pos": pos, "_dup_reason": pl.String, "_dup_what": pl.String, "_keeper": pos},
    )
    return work.join(drop_frame, on="_pos", how="left", maintain_order="left").with_columns(
        pl.coalesce("_reason", "_dup_reason").alias("_reason")
    )


def _apply_tier_quotas(
    work: pl.DataFrame, quotas: Mapping[str, float], limit: int | None
) -> pl.DataFrame:
    """Reject a tier's accounts past its share of the cut (of every account still in when
    there is no cut or fewer accounts than the cut), in rank order."""
    n_alive = work.select(_ALIVE.sum()).item()
    target = n_alive if limit is None else min(limit, n_alive)
    for tier, share in sorted(quotas.items()):
        cap = math.floor(share * target + 1e-9)
        in_tier = _ALIVE & (pl.col("tier") == tier)
        nth = pl.when(in_tier).then(pl.int_range(pl.len()).over(in_tier)).otherwise(None)
        over = in_tier & (nth >= cap)
        of = f"{thousands_text(target)} = {thousands_text(cap)}"
        detail = pl.lit(f"tier {tier} quota {share:.0%} of {of}")
        work = work.with_columns(_reject_where(over, REASON_TIER_QUOTA, detail))
    return work


def _cut_at_limit(work: pl.DataFrame, limit: int | None, *, label: str) -> pl.DataFrame:
    """Number the accounts still in (`_cand`, from 1) and reject those past `limit`
    (`rank 1,201; capacity 1,200`); a quota drop the cut would have taken anyway is
    reported as the cut. `label` names the limit: `top` or `capacity`."""
    # Position among the candidates that survived dedupe and quotas.
    work = work.with_columns(
        pl.when(_ALIVE).then(_ALIVE.cum_sum().cast(pl.Int64)).otherwise(None).alias("_cand")
    )
    if limit is None:
        return work
    cut = pl.col("_cand") > limit
    last_kept = work.filter(pl.col("_cand") == limit)["_pos"]
    # `_pos` of the last account inside the cut (-1: the cut is empty).
    last_pos = last_kept[0] if len(last_kept) else (-1 if limit == 0 else None)
    quota_late = (pl.col("_reason") == REASON_TIER_QUOTA) & (
        pl.lit(last_pos is not None) & (pl.col("_pos") > (-1 if last_pos is None else last_pos))
    )
    return work.with_columns(
        pl.when(cut)
        .then(pl.lit(REASON_BELOW_CUT))
        .when(quota_late)
        .then(pl.lit(REASON_BELOW_CUT))
        .otherwise(pl.col("_reason"))
        .alias("_reason"),
        pl.when(cut)
        .then(pl.format(f"rank {{}}; {label} {thousands_text(limit)}", thousands(pl.col("_cand"))))
        .when(quota_late)
        .then(pl.format(f"{{}}; {label} {thousands_text(limit)}", pl.col("_detail")))
        .otherwise(pl.col("_detail"))
        .alias("_detail"),
    )


def _name_kept_accounts(work: pl.DataFrame) -> pl.DataFrame:
    """The detail of a same-domain/parent drop: the account kept instead and where it
    ended (`domain acme.com; kept Acme (rank 12)`, `...; Acme ranked higher (rank 1,866,
    below the cut)`)."""
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
    return work.join(keeper, on="_keeper", how="left", maintain_order="left").with_columns(
        pl.when(pl.col("_dup_reason").is_null())
        .then(pl.col("_detail"))
        .when(pl.col("_k_reason").is_null())
        .then(pl.format("{}; kept {} ({})", pl.col("_dup_what"), pl.col("_k_name"), k_rank))
        .otherwise(
            pl.format(
                "{}; {} ranked higher ({})",
                pl.col("_dup_what"),
                pl.col("_k_name"),
                _keeper_fate(k_rank),
            )
        )
        .alias("_detail")
    )


def _keeper_fate(k_rank: pl.Expr) -> pl.Expr:
    """Where a kept account that is not in the selection ended (the `_k_*` columns)."""
    return (
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


def _split_ranked(
    work: pl.DataFrame, columns: Sequence[str], timing: pl.Expr
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the accounts without a reason: `columns`, then `rank`, `timing_tier`, `priority`;
    the others as rejects of stage `rank`)."""
    added = ("rank", "timing_tier", "priority")
    selected = (
        work.filter(pl.col("_reason").is_null())
        .with_columns(pl.col("_cand").alias("rank"))
        .with_columns(timing.alias("timing_tier"))
        .with_columns(priority_expr().alias("priority"))
        .select(*[c for c in columns if c not in added], *added)
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
