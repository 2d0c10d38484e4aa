"""review_deals: last window vs the one before, per tier, with the drift thresholds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from deal_sets import MID_MARKET, TRUE_PROFILE, deal_rows, profile_file, write_deals

from listbuilder.learn import read_deals, review_deals
from listbuilder.profile import load_profile

AS_OF = dt.date(2026, 6, 30)


def run(
    tmp_path: Path,
    *,
    previous: tuple[int, int, int],
    current: tuple[int, int, int],
    closed: int = 20,
):
    """previous/current = (won of `closed`, cycle days, amount); windows of 90 days."""
    cur_start = AS_OF - dt.timedelta(days=89)
    prev_start = cur_start - dt.timedelta(days=90)
    rows = [
        *window_rows(prev_start, *previous, closed=closed, prefix="P"),
        *window_rows(cur_start, *current, closed=closed, prefix="C"),
    ]
    path = write_deals(tmp_path / "deals.csv", rows, domains=False)
    profile = load_profile(profile_file(tmp_path, MID_MARKET))
    return review_deals(read_deals(path).deals, profile, window=90, as_of=AS_OF)


def window_rows(
    start: dt.date, won: int, cycle: int, amount: int, *, closed: int, prefix: str
) -> list[str]:
    """`closed` deals created a day apart from `start`, the first `won` of them won."""
    return deal_rows(
        prefix,
        ["won" if i < won else "lost" for i in range(closed)],
        created=[start + dt.timedelta(days=i) for i in range(closed)],
        cycles=cycle,
        amounts=amount,
        domains=False,
    )


@pytest.mark.parametrize(
    ("previous", "current", "flags"),
    [
        ((10, 40, 1000), (10, 40, 1000), []),
        ((10, 40, 1000), (9, 40, 1000), []),  # -10%: below the 15% threshold
        ((10, 40, 1000), (8, 40, 1000), [("conversion", 0.5, 0.4, -0.2)]),
        ((10, 40, 1000), (10, 48, 1000), []),  # +20% exactly: not more than 20%
        ((10, 40, 1000), (10, 50, 1000), [("cycle", 40.0, 50.0, 0.25)]),
        ((10, 40, 1000), (10, 40, 1200), [("deal size", 1000.0, 1200.0, 0.2)]),
        ((10, 40, 1000), (10, 40, 800), [("deal size", 1000.0, 800.0, -0.2)]),
        ((10, 40, 1000), (12, 40, 1000), []),  # conversion up: fine
    ],
)
def test_drift_thresholds(
    tmp_path: Path,
    previous: tuple[int, int, int],
    current: tuple[int, int, int],
    flags: list[tuple],
) -> None:
    result = run(tmp_path, previous=previous, current=current)
    # every deal is tier A, so "all deals" and "A" raise the same flags
    got = [
        (f.metric, f.previous, f.current, pytest.approx(f.change))
        for f in result.flags
        if f.tier == "A"
    ]
    assert got == flags
    assert len(result.flags) == 2 * len(flags)


def test_flag_wording(tmp_path: Path) -> None:
    result = run(tmp_path, previous=(10, 40, 1000), current=(8, 50, 1000))
    lines = result.lines()
    assert lines[0] == (
        'review of "Mid-market": deals created 2026-04-02–2026-06-30 (last 90 '
        "days) vs 2026-01-02–2026-04-01"
    )
    assert (
        "  tier A: conversion 40% of 20 vs 50% of 20; median cycle 50 days vs 40 days; "
        "median deal $1,000 vs $1,000" in lines
    )
    assert "review your ICP: tier A: conversion 40% vs 50% (-20%)" in lines
    assert "review your ICP: tier A: cycle median 50 days vs 40 (+25%)" in lines


def test_too_few_deals_are_not_flagged(tmp_path: Path) -> None:
    result = run(tmp_path, previous=(5, 40, 1000), current=(0, 40, 1000), closed=9)
    assert result.flags == []
    assert "  tier A: too few closed deals to compare (9 vs 9; at least 10 each)" in result.lines()


def test_flags_the_fixture_drift(sample_dir: Path, tmp_path: Path) -> None:
    """The generator lowers the win odds of in-profile deals created in the last 90 days."""
    as_of = dt.date.fromisoformat((sample_dir / "AS_OF").read_text().strip())
    result = review_deals(
        read_deals(sample_dir / "deals.csv").deals,
        load_profile(profile_file(tmp_path, TRUE_PROFILE, "true.toml")),
        window=90,
        as_of=as_of,
    )
    (flag,) = [f for f in result.flags if f.tier == "A" and f.metric == "conversion"]
    assert flag.change < -0.3
