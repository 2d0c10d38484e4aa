"""backtest_deals: does the profile predict which deals are won, how fast and how large?

Every deal's account is scored with the profile (`score_companies`). In-ICP means
the account passes the hard filters and reaches the profile's lowest tier; the
rest (below every tier, or failing a `[[require]]` / matching an `[[exclude]]`)
is out-of-ICP. For each tier, for "below tiers", "filtered out", in-ICP and
out-of-ICP: deals, win rate (won / closed) with its Wilson interval, average and
median ACV of won deals (bootstrap interval for the median), median sales cycle
of won deals, 12-month retention and expansion of won deals where the file says.
In-ICP vs out-of-ICP lifts come with intervals (Katz for rates, bootstrap for
averages and medians), and each criterion's win rate matched vs not matched
shows which criteria carry signal.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import polars as pl

from listbuilder.errors import InputError
from listbuilder.formatting import dollars_text, percent_text
from listbuilder.learn import stats
from listbuilder.profile.model import Profile
from listbuilder.score import score_companies
from listbuilder.signals import score_signals

MIN_CLOSED = 10  # closed deals per side below which a comparison is "too little data"
MATERIAL_LIFT = 1.2  # in-ICP must win at least 1.2x as often, with an interval above 1
RETENTION_DAYS = 365
OUT_FILTERED = "filtered out"
BELOW_TIERS = "below tiers"


def _ratio_of(value: float | None, base: float | None) -> float | None:
    return value / base if value is not None and base else None


def classify_deals(deals: pl.DataFrame, profile: Profile) -> pl.DataFrame:
    """Add fit_score, fit_tier, passes (hard filters), in_icp, segment, breakdown, and for a
    deal failing the hard filters `failed_check` (the index of the first failed rule in
    `profile.rules`, `Scored.failed`) and `failed_no_data` (it failed for lack of data)."""
    free = dataclasses.replace(profile, requires=(), excludes=())
    scored = score_companies(deals, free).companies
    strict = score_companies(deals, profile)
    kept = strict.companies.select("row_id", passes=pl.lit(True))
    failed = strict.failed.select("row_id", failed_check="check", failed_no_data="no_data")
    out = (
        scored.join(kept, on="row_id", how="left")
        .join(failed, on="row_id", how="left")
        .with_columns(pl.col("passes").fill_null(False))
    )
    return out.with_columns(
        in_icp=pl.col("passes") & pl.col("fit_tier").is_not_null(),
        segment=pl.when(~pl.col("passes"))
        .then(pl.lit(OUT_FILTERED))
        .otherwise(pl.coalesce(pl.col("fit_tier"), pl.lit(BELOW_TIERS))),
    ).sort("line")


def retention_known(frame: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Add retained_12m (won deals whose first year is over or who churned in it; else null)
    and expanded (won deals a year old or with an expansion amount; else null)."""
    age = (pl.lit(as_of) - pl.col("closed")).dt.total_days()
    churn_days = (pl.col("churned") - pl.col("closed")).dt.total_days()
    won = pl.col("outcome") == "won"
    churned_in_year = churn_days.is_not_null() & (churn_days < RETENTION_DAYS)
    retained = (
        pl.when(~won)
        .then(None)
        .when(churned_in_year | pl.col("renewed").not_().fill_null(False))
        .then(False)
        .when(pl.col("renewed") | (age >= RETENTION_DAYS))
        .then(True)
        .otherwise(None)
    )
    expanded = (
        pl.when(~won)
        .then(None)
        .when(pl.col("expansion") > 0)
        .then(True)
        .when(age >= RETENTION_DAYS)
        .then(False)
        .otherwise(None)
    )
    return frame.with_columns(retained_12m=retained, expanded=expanded)


def group_stats(
    frame: pl.DataFrame,
    label: str,
    *,
    seed: int = 0,
    retention: bool = True,
    expansion: bool = True,
) -> dict[str, Any]:
    """The metrics of one group of deals (a tier, in-ICP, ...)."""
    won = frame.filter(pl.col("outcome") == "won")
    closed = int((frame["outcome"] != "open").sum())
    wins = won.height
    low, high = stats.wilson(wins, closed)
    acv = [float(v) for v in won["amount"].drop_nulls()]
    cycle = [float(v) for v in won["cycle_days"].drop_nulls()]
    acv_low, acv_high = stats.bootstrap(acv, stats.median, seed=seed)
    out: dict[str, Any] = {
        "label": label,
        "deals": frame.height,
        "closed": closed,
        "won": wins,
        "open": frame.height - closed,
        "win_rate": wins / closed if closed else None,
        "win_rate_low": low,
        "win_rate_high": high,
        "acv_deals": len(acv),
        "acv_mean": stats.mean(acv),
        "acv_median": stats.median(acv),
        "acv_median_low": acv_low,
        "acv_median_high": acv_high,
        "cycle_deals": len(cycle),
        "cycle_median_days": stats.median(cycle),
    }
    for name, column, count, wanted in (
        ("retention", "retained_12m", "retained", retention),
        ("expansion", "expanded", "expanded", expansion),
    ):
        known = won[column].drop_nulls() if wanted and column in won.columns else pl.Series([])
        yes = int(known.sum()) if len(known) else 0
        low, high = stats.wilson(yes, len(known))
        out.update(
            {
                f"{name}_known": len(known),
                count: yes,
                f"{name}_rate": yes / len(known) if len(known) else None,
                f"{name}_low": low,
                f"{name}_high": high,
            }
        )
    return out


def _lifts(
    inside: pl.DataFrame, outside: pl.DataFrame, a: dict[str, Any], b: dict[str, Any], *, seed: int
) -> dict[str, dict[str, float | None]]:
    def rate(key: str, yes_key: str, n_key: str) -> dict[str, float | None]:
        ratio, low, high = stats.rate_ratio(a[yes_key], a[n_key], b[yes_key], b[n_key])
        return {"in": a[key], "out": b[key], "lift": ratio, "low": low, "high": high}

    def values(frame: pl.DataFrame, column: str) -> list[float]:
        won = frame.filter(pl.col("outcome") == "won")
        return [float(v) for v in won[column].drop_nulls()]

    def boot(key: str, column: str, statistic: Any) -> dict[str, float | None]:
        low, high = stats.bootstrap_ratio(
            values(inside, column), values(outside, column), statistic, seed=seed
        )
        return {
            "in": a[key],
            "out": b[key],
            "lift": _ratio_of(a[key], b[key]),
            "low": low,
            "high": high,
        }

    return {
        "win_rate": rate("win_rate", "won", "closed"),
        "acv_mean": boot("acv_mean", "amount", stats.mean),
        "acv_median": boot("acv_median", "amount", stats.median),
        "cycle_median_days": boot("cycle_median_days", "cycle_days", stats.median),
        "retention": rate("retention_rate", "retained", "retention_known"),
        "expansion": rate("expansion_rate", "expanded", "expansion_known"),
    }


def signal_at_creation(deals: pl.DataFrame, events: Any, rules: Sequence[Any]) -> pl.DataFrame:
    """Each deal's signal score as of its own created date: `row_id`, `signal_score` (0: none).

    One pass as of the latest date finds which events match which accounts; only deals with
    a matched event are then scored again, once per created date, on those events alone.
    """
    base = deals.select("row_id", signal_score=pl.lit(0.0))
    if not rules or deals.height == 0:
        return base
    latest = deals["created"].max()
    assert isinstance(latest, dt.date)
    pairs = score_signals(deals, events, rules, as_of=latest).matches
    if pairs is None or pairs.height == 0:
        return base
    frame = events.events if hasattr(events, "events") else events
    used = (
        frame.with_row_index("_event")
        .filter(pl.col("_event").cast(pl.Int64).is_in(pairs["event_id"].implode()))
        .drop("_event")
    )
    candidates = deals.filter(pl.col("row_id").is_in(pairs["row_id"].implode())).sort(
        "created", "row_id"
    )
    parts = [
        score_signals(group, used, rules, as_of=created).scores.select("row_id", "signal_score")
        for (created,), group in candidates.group_by("created", maintain_order=True)
    ]
    scores = (
        pl.concat(parts)
        if parts
        else pl.DataFrame(schema={"row_id": pl.Int64, "signal_score": pl.Float64})
    )
    return base.join(scores, on="row_id", how="left", suffix="_at").select(
        "row_id", signal_score=pl.coalesce("signal_score_at", "signal_score")
    )


def filter_stats(classified: pl.DataFrame, profile: Profile) -> list[dict[str, Any]]:
    """Per hard filter: closed deals it drops (its first failed rule, on a value rather than
    for lack of data) vs the deals passing them all."""
    closed = classified.filter(pl.col("outcome") != "open")
    passing = closed.filter(pl.col("passes"))
    p_won = int((passing["outcome"] == "won").sum())
    found = []
    for index, rule in enumerate(profile.rules):
        on_value = (pl.col("failed_check") == index) & ~pl.col("failed_no_data")
        dropped = closed.filter(on_value)
        won = int((dropped["outcome"] == "won").sum())
        ratio, low, high = stats.rate_ratio(won, dropped.height, p_won, passing.height)
        verdict = _lift_verdict(
            min(dropped.height, passing.height),
            low,
            high,
            ("drops deals that win more often", "drops deals that win less often", "no difference"),
        )
        found.append(
            {
                "rule": f"{'failed' if rule.kind == 'require' else 'excluded'}: {rule.label}",
                "dropped": dropped.height,
                "dropped_won": won,
                "dropped_rate": won / dropped.height if dropped.height else None,
                "passing": passing.height,
                "passing_won": p_won,
                "passing_rate": p_won / passing.height if passing.height else None,
                "lift": ratio,
                "lift_low": low,
                "lift_high": high,
                "verdict": verdict,
            }
        )
    return found


def _lift_verdict(
    smaller_group: int, low: float | None, high: float | None, words: tuple[str, str, str]
) -> str:
    """Read a lift interval: `words` = (interval above 1, interval below 1, spans 1)."""
    if smaller_group < MIN_CLOSED:
        return "too little data"
    if low is not None and low > 1:
        return words[0]
    if high is not None and high < 1:
        return words[1]
    return words[2]


def criterion_stats(classified: pl.DataFrame, profile: Profile) -> list[dict[str, Any]]:
    """Per criterion: win rate of closed deals whose account matched it vs did not."""
    closed = classified.filter(pl.col("outcome") != "open")
    rows = closed.select("row_id", "outcome", "breakdown").explode("breakdown").unnest("breakdown")
    found = []
    for criterion in profile.criteria:
        part = rows.filter(pl.col("criterion") == criterion.name)
        matched = part.filter(pl.col("status") == "match")
        other = part.filter(pl.col("status") != "match")
        a_won = int((matched["outcome"] == "won").sum())
        b_won = int((other["outcome"] == "won").sum())
        ratio, low, high = stats.rate_ratio(a_won, matched.height, b_won, other.height)
        signal = _lift_verdict(
            min(matched.height, other.height), low, high, ("signal", "inverse", "no signal")
        )
        found.append(
            {
                "criterion": criterion.name,
                "weight": criterion.weight,
                "matched": matched.height,
                "matched_won": a_won,
                "matched_rate": a_won / matched.height if matched.height else None,
                "matched_low": stats.wilson(a_won, matched.height)[0],
                "matched_high": stats.wilson(a_won, matched.height)[1],
                "other": other.height,
                "other_won": b_won,
                "other_rate": b_won / other.height if other.height else None,
                "other_low": stats.wilson(b_won, other.height)[0],
                "other_high": stats.wilson(b_won, other.height)[1],
                "lift": ratio,
                "lift_low": low,
                "lift_high": high,
                "signal": signal,
            }
        )
    return found


@dataclass
class Backtest:
    """The backtest of one profile on one deals file (`to_dict` is backtest.json)."""

    profile: str
    source: str
    as_of: dt.date
    segments: list[dict[str, Any]]
    in_icp: dict[str, Any]
    out_icp: dict[str, Any]
    lifts: dict[str, dict[str, float | None]]
    criteria: list[dict[str, Any]]
    filters: list[dict[str, Any]]
    predictive: bool | None  # None: too little data to tell
    verdict: str
    summary: str  # one line for the terminal
    rejected: int = 0
    timing: dict[str, Any] | None = None  # with --signals: live signal at creation vs none
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return _rounded(
            {
                "profile": self.profile,
                "source": self.source,
                "as_of": self.as_of.isoformat(),
                "predictive": self.predictive,
                "verdict": self.verdict,
                "summary": self.summary,
                "rejected_rows": self.rejected,
                "in_icp": self.in_icp,
                "out_of_icp": self.out_icp,
                "lifts": self.lifts,
                "segments": self.segments,
                "criteria": self.criteria,
                "filters": self.filters,
                "timing": self.timing,
                "notes": self.notes,
            }
        )


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def pct(value: float | None) -> str:
    return percent_text(value)


def times(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}×"


def _verdict(
    a: dict[str, Any],
    b: dict[str, Any],
    lifts: dict[str, dict[str, float | None]],
    criteria: list[dict[str, Any]],
) -> tuple[bool | None, str, str]:
    win = lifts["win_rate"]
    flat = [c["criterion"] for c in criteria if c["signal"] in ("no signal", "inverse")]
    flat_text = (
        f" Criteria that carry no signal: {', '.join(flat)}."
        if flat
        else " Every criterion with enough data carries signal."
    )
    sparse = [
        f"{c['criterion']} ({c['matched']} matched, {c['other']} not)"
        for c in criteria
        if c["signal"] == "too little data"
    ]
    if sparse:
        flat_text += f" Too few closed deals to judge: {', '.join(sparse)}."
    if a["closed"] < MIN_CLOSED or b["closed"] < MIN_CLOSED:
        text = (
            f"Too little data to judge: {a['closed']} closed in-ICP and {b['closed']} closed "
            f"out-of-ICP deals; at least {MIN_CLOSED} of each are needed."
        )
        return None, text, text
    lift, low, high = win["lift"], win["low"], win["high"]
    head = (
        f"in-ICP accounts win {times(lift)} as often ({pct(a['win_rate'])} vs "
        f"{pct(b['win_rate'])}; 95% interval {times(low)}–{times(high)})"
    )
    extras = []
    cyc = lifts["cycle_median_days"]
    if cyc["in"] is not None and cyc["out"] is not None:
        extras.append(f"close in a median {cyc['in']:.0f} days vs {cyc['out']:.0f}")
    acv = lifts["acv_median"]
    if acv["lift"] is not None:
        acv_values = f"{dollars_text(acv['in'])} vs {dollars_text(acv['out'])}"
        extras.append(f"median ACV {times(acv['lift'])} ({acv_values})")
    ret = lifts["retention"]
    if ret["in"] is not None and ret["out"] is not None:
        extras.append(f"12-month retention {pct(ret['in'])} vs {pct(ret['out'])}")
    extra = f", {', '.join(extras)}" if extras else ""
    predictive = bool(lift is not None and low is not None and low > 1 and lift >= MATERIAL_LIFT)
    if predictive:
        text = f"Your profile is predictive: {head}{extra}.{flat_text}"
        summary = f"predictive: {head}"
    else:
        why = (
            "the interval includes 1×"
            if low is not None and low <= 1 <= (high or 0)
            else "in-ICP accounts do not win materially more often"
        )
        text = f"Your profile is not predictive: {head} — {why}{extra}.{flat_text}"
        summary = f"not predictive: {head}"
    return predictive, text, summary


def backtest_deals(
    deals: pl.DataFrame,
    profile: Profile,
    *,
    as_of: dt.date | None = None,
    seed: int = 0,
    source: str = "",
    has_retention: bool = True,
    has_expansion: bool = True,
    events: Any = None,
) -> Backtest:
    """Score each deal's account with `profile` and compare outcomes in vs out of the ICP.

    With `events` (`read_signals`), each deal also gets the profile's signal score as of its
    created date, and deals opened with a live signal are compared with the others.
    """
    if deals.height == 0:
        raise ValueError("backtest_deals needs at least one deal")
    when = as_of or deals["created"].max()
    if not isinstance(when, dt.date):
        raise InputError(
            f"{source or 'deals'}: no deals with a created date; nothing to learn from"
        )
    classified = retention_known(classify_deals(deals, profile), when)
    measure = partial(group_stats, seed=seed, retention=has_retention, expansion=has_expansion)
    segments = segment_stats(classified, profile, measure)
    inside = classified.filter(pl.col("in_icp"))
    outside = classified.filter(~pl.col("in_icp"))
    a = measure(inside, "in-ICP")
    b = measure(outside, "out-of-ICP")
    lifts = _lifts(inside, outside, a, b, seed=seed)
    criteria = criterion_stats(classified, profile)
    filters = filter_stats(classified, profile)
    predictive, verdict, summary = _verdict(a, b, lifts, criteria)
    verdict += _costly_filters(filters)
    timing = None
    if events is not None:
        signal = signal_at_creation(deals, events, profile.signals)
        timing, said = timing_stats(classified.join(signal, on="row_id", how="left"), measure)
        verdict += said
    return Backtest(
        profile=profile.name,
        source=source,
        as_of=when,
        segments=segments,
        in_icp=a,
        out_icp=b,
        lifts=lifts,
        criteria=criteria,
        filters=filters,
        predictive=predictive,
        verdict=verdict,
        summary=summary,
        timing=timing,
    )


def segment_stats(
    classified: pl.DataFrame,
    profile: Profile,
    measure: Callable[[pl.DataFrame, str], dict[str, Any]],
) -> list[dict[str, Any]]:
    """The metrics of each tier, then "below tiers" and "filtered out"; segments without
    deals are left out."""
    order = [name for name, _ in profile.tiers] + [BELOW_TIERS, OUT_FILTERED]
    present = set(classified["segment"])
    return [
        measure(classified.filter(pl.col("segment") == name), name)
        for name in order
        if name in present
    ]


def _costly_filters(filters: list[dict[str, Any]]) -> str:
    """A sentence per hard filter that drops deals winning more often than those it keeps."""
    return "".join(
        f" The hard filter {f['rule']} drops deals that win {pct(f['dropped_rate'])} of the "
        f"time vs {pct(f['passing_rate'])} for the deals it keeps."
        for f in filters
        if f["verdict"] == "drops deals that win more often"
    )


def timing_stats(
    scored: pl.DataFrame, measure: Callable[[pl.DataFrame, str], dict[str, Any]]
) -> tuple[dict[str, Any], str]:
    """(timing, verdict sentence): deals opened with a live signal (`signal_score` > 0 at
    creation) vs the others, `measure` giving each group's metrics."""
    live = scored.filter(pl.col("signal_score") > 0)
    quiet = scored.filter(~(pl.col("signal_score") > 0))
    with_signal = measure(live, "live signal at creation")
    without = measure(quiet, "no signal at creation")
    ratio, low, high = stats.rate_ratio(
        with_signal["won"], with_signal["closed"], without["won"], without["closed"]
    )
    timing = {
        "groups": [with_signal, without],
        "win_rate": {
            "in": with_signal["win_rate"],
            "out": without["win_rate"],
            "lift": ratio,
            "low": low,
            "high": high,
        },
    }
    if with_signal["closed"] >= MIN_CLOSED and without["closed"] >= MIN_CLOSED:
        said = (
            f" Deals opened with a live signal win {times(ratio)} as often "
            f"({pct(with_signal['win_rate'])} vs {pct(without['win_rate'])}; 95% interval "
            f"{times(low)}–{times(high)})."
        )
    else:
        said = (
            f" Too few deals opened with a live signal to judge timing "
            f"({with_signal['closed']} closed)."
        )
    return timing, said
