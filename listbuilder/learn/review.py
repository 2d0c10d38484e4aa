"""review_deals: has the profile drifted? The last window of deals vs the one before, per tier.

Deals are placed in a window by their created date (the cohort the team worked in
that window). Per tier (and for all deals): conversion = won / closed, median
sales cycle and median deal size of won deals. A conversion drop of more than
15%, a sales-cycle increase of more than 20% or a deal-size shift of more than
15% (relative to the window before) is flagged "review your ICP". A tier with
fewer than `min_deals` closed deals in either window is reported as too few to
compare, never flagged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from listbuilder.errors import InputError
from listbuilder.formatting import dollars_text
from listbuilder.learn import stats
from listbuilder.learn.backtest import BELOW_TIERS, OUT_FILTERED, classify_deals, pct
from listbuilder.learn.deals import MAX_WINDOW_DAYS
from listbuilder.profile.model import Profile

CONVERSION_DROP = 0.15
CYCLE_INCREASE = 0.20
SIZE_SHIFT = 0.15
MIN_DEALS = 10  # closed deals per tier and window
MIN_WON = 5  # won deals per tier and window for cycle and size


@dataclass
class Flag:
    """One drift finding: which tier, which metric, the two values and the relative change."""

    tier: str
    metric: str  # conversion | cycle | deal size
    previous: float
    current: float
    change: float  # relative: (current - previous) / previous

    def text(self) -> str:
        if self.metric == "conversion":
            values = f"{pct(self.current)} vs {pct(self.previous)}"
        elif self.metric == "cycle":
            values = f"median {self.current:.0f} days vs {self.previous:.0f}"
        else:
            values = f"median {dollars_text(self.current)} vs {dollars_text(self.previous)}"
        return (
            f"review your ICP: {_where(self.tier)}: {self.metric} {values} "
            f"({self.change * 100:+.0f}%)"
        )


@dataclass
class Review:
    """Per-tier window metrics and the flags raised."""

    profile: str
    as_of: dt.date
    window: int
    rows: list[dict[str, Any]]
    flags: list[Flag] = field(default_factory=list)

    def lines(self) -> list[str]:
        """What the CLI prints: the windows, one line per tier, then the flags."""
        cur_start = self.as_of - dt.timedelta(days=self.window - 1)
        prev_end = cur_start - dt.timedelta(days=1)
        prev_start = prev_end - dt.timedelta(days=self.window - 1)
        out = [
            f'review of "{self.profile}": deals created {cur_start}–{self.as_of} '
            f"(last {self.window} days) vs {prev_start}–{prev_end}"
        ]
        for row in self.rows:
            cur, prev = row["current"], row["previous"]
            if row["status"] == "too few":
                out.append(
                    f"  {_where(row['tier'])}: too few closed deals to compare "
                    f"({cur['closed']} vs {prev['closed']}; at least {MIN_DEALS} each)"
                )
                continue
            out.append(
                f"  {_where(row['tier'])}: conversion {pct(cur['conversion'])} of "
                f"{cur['closed']} vs {pct(prev['conversion'])} of {prev['closed']}; median cycle "
                f"{_days(cur['cycle'])} vs {_days(prev['cycle'])}; median deal "
                f"{dollars_text(cur['size'])} vs {dollars_text(prev['size'])}"
            )
        if self.flags:
            out += [flag.text() for flag in self.flags]
        else:
            out.append(
                "no drift: no tier moved beyond the thresholds "
                f"(conversion −{CONVERSION_DROP:.0%}, cycle +{CYCLE_INCREASE:.0%}, "
                f"deal size ±{SIZE_SHIFT:.0%})"
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "as_of": self.as_of.isoformat(),
            "window": self.window,
            "rows": self.rows,
            "flags": [
                {
                    "tier": f.tier,
                    "metric": f.metric,
                    "previous": f.previous,
                    "current": f.current,
                    "change": round(f.change, 4),
                }
                for f in self.flags
            ],
        }


def _where(tier: str) -> str:
    return tier if tier in ("all deals", BELOW_TIERS, OUT_FILTERED) else f"tier {tier}"


def _days(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} days"


def window_metrics(frame: pl.DataFrame) -> dict[str, Any]:
    """Closed, won, conversion, median cycle and median deal size of won deals."""
    won = frame.filter(pl.col("outcome") == "won")
    closed = int((frame["outcome"] != "open").sum())
    return {
        "deals": frame.height,
        "closed": closed,
        "won": won.height,
        "conversion": won.height / closed if closed else None,
        "cycle": stats.median([float(v) for v in won["cycle_days"].drop_nulls()]),
        "size": stats.median([float(v) for v in won["amount"].drop_nulls()]),
    }


def _change(current: float | None, previous: float | None) -> float | None:
    if current is None or not previous:
        return None
    return (current - previous) / previous


def review_deals(
    deals: pl.DataFrame,
    profile: Profile,
    *,
    window: int = 90,
    as_of: dt.date | None = None,
    min_deals: int = MIN_DEALS,
) -> Review:
    """Compare the last `window` days of deals with the `window` days before, per tier."""
    when = as_of or deals["created"].max()
    if not isinstance(when, dt.date):
        raise InputError("no deals with a created date; there is nothing to review")
    if not 1 <= window <= MAX_WINDOW_DAYS:
        raise InputError(f"window = {window}: use between 1 and {MAX_WINDOW_DAYS} days")
    classified = classify_deals(deals, profile)
    cur_start = when - dt.timedelta(days=window - 1)
    prev_start = cur_start - dt.timedelta(days=window)
    created = pl.col("created")
    current = classified.filter(created.is_between(cur_start, when))
    previous = classified.filter(created.is_between(prev_start, cur_start - dt.timedelta(days=1)))
    tiers = (
        [("all deals", None)]
        + [(name, name) for name, _ in profile.tiers]
        + [(BELOW_TIERS, BELOW_TIERS), (OUT_FILTERED, OUT_FILTERED)]
    )
    result = Review(profile=profile.name, as_of=when, window=window, rows=[])
    for label, segment in tiers:

        def part(frame: pl.DataFrame, seg: str | None = segment) -> pl.DataFrame:
            return frame if seg is None else frame.filter(pl.col("segment") == seg)

        cur, prev = window_metrics(part(current)), window_metrics(part(previous))
        if cur["deals"] == 0 and prev["deals"] == 0:
            continue
        enough = cur["closed"] >= min_deals and prev["closed"] >= min_deals
        result.rows.append(
            {
                "tier": label,
                "status": "ok" if enough else "too few",
                "current": cur,
                "previous": prev,
            }
        )
        if not enough:
            continue
        checks = [("conversion", "conversion", lambda c: c < -CONVERSION_DROP)]
        if cur["won"] >= MIN_WON and prev["won"] >= MIN_WON:
            checks += [
                ("cycle", "cycle", lambda c: c > CYCLE_INCREASE),
                ("deal size", "size", lambda c: abs(c) > SIZE_SHIFT),
            ]
        for metric, key, flagged in checks:
            change = _change(cur[key], prev[key])
            if change is not None and flagged(change):
                result.flags.append(Flag(label, metric, prev[key], cur[key], change))
    return result
