"""backtest_deals: exact figures on hand-made deal sets; lift on the fixture's deals."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from deal_sets import MID_MARKET, TRUE_PROFILE, deal_rows, profile_file, write_deals

from listbuilder.learn import backtest_deals, read_deals, render_backtest, write_backtest
from listbuilder.learn.backtest import retention_known
from listbuilder.profile import load_profile
from listbuilder.signals import read_signals

# Irrelevant to outcomes: the first letter of the company name.
RANDOM_PROFILE = """
[profile]
name = "Names from A to M"
tiers = { A = 50 }

[[criterion]]
name = "Name starts with A-M"
field = "name"
matches = "^[a-m]"
weight = 100
"""

START = dt.date(2025, 1, 1)


def hand_made(tmp_path: Path, *, out_won: int = 1) -> Path:
    """In-ICP (500 employees): 7 won (ACV 10k..70k, cycles 10..70 days), 3 lost, 1 open.
    Out-of-ICP (50 employees): `out_won` won (ACV 20k, 80 days), the rest of 10 lost."""
    inside = deal_rows(
        "In ",
        ["won"] * 7 + ["lost"] * 3 + ["open"],
        created=START,
        cycles=[10 * (i + 1) for i in range(7)] + [30] * 4,
        amounts=[10_000 * (i + 1) for i in range(7)] + [5_000] * 4,
    )
    outside = deal_rows(
        "Out ",
        ["won"] * out_won + ["lost"] * (10 - out_won),
        created=START,
        cycles=80,
        amounts=20_000,
        employees=50,
    )
    return write_deals(tmp_path / "deals.csv", [*inside, *outside])


def run(tmp_path: Path, *, out_won: int = 1, text: str = MID_MARKET):
    read = read_deals(hand_made(tmp_path, out_won=out_won))
    profile = load_profile(profile_file(tmp_path, text))
    return backtest_deals(
        read.deals,
        profile,
        source="deals.csv",
        has_retention=read.has_retention,
        has_expansion=read.has_expansion,
    )


def test_in_and_out_of_icp_figures(tmp_path: Path) -> None:
    result = run(tmp_path)
    a, b = result.in_icp, result.out_icp
    assert (a["deals"], a["closed"], a["won"], a["open"]) == (11, 10, 7, 1)
    assert (b["deals"], b["closed"], b["won"], b["open"]) == (10, 10, 1, 0)
    assert a["win_rate"] == pytest.approx(0.7)
    assert (a["win_rate_low"], a["win_rate_high"]) == (
        pytest.approx(0.3968, abs=1e-4),
        pytest.approx(0.8922, abs=1e-4),
    )
    assert b["win_rate"] == pytest.approx(0.1)
    assert a["acv_mean"] == 40_000 and a["acv_median"] == 40_000
    assert b["acv_mean"] == 20_000 and b["acv_median"] == 20_000
    assert a["cycle_median_days"] == 40 and b["cycle_median_days"] == 80
    assert a["acv_median_low"] <= 40_000 <= a["acv_median_high"]
    assert a["retention_known"] == 0 and a["retention_rate"] is None


def test_lifts_with_intervals(tmp_path: Path) -> None:
    lifts = run(tmp_path).lifts
    win = lifts["win_rate"]
    assert (win["lift"], win["low"], win["high"]) == (
        pytest.approx(7.0),
        pytest.approx(1.0437, abs=1e-4),
        pytest.approx(46.9485, abs=1e-4),
    )
    assert lifts["acv_median"]["lift"] == pytest.approx(2.0)
    assert lifts["cycle_median_days"]["lift"] == pytest.approx(0.5)
    assert lifts["retention"]["lift"] is None


@pytest.mark.parametrize(
    ("out_won", "predictive", "verdict"),
    [
        (
            1,
            True,
            "Your profile is predictive: in-ICP accounts win 7.0× as often (70% vs 10%; "
            "95% interval 1.0×–46.9×), close in a median 40 days vs 80, median ACV 2.0× "
            "($40,000 vs $20,000). Every criterion with enough data carries signal.",
        ),
        (
            2,
            False,
            "Your profile is not predictive: in-ICP accounts win 3.5× as often (70% vs 20%; "
            "95% interval 0.9×–12.9×) — the interval includes 1×, close in a median 40 "
            "days vs 80, median ACV 2.0× ($40,000 vs $20,000). Criteria that carry no "
            "signal: Mid-market size.",
        ),
        (
            7,
            False,
            "Your profile is not predictive: in-ICP accounts win 1.0× as often (70% vs 70%; "
            "95% interval 0.6×–1.8×) — the interval includes 1×, close in a median 40 "
            "days vs 80, median ACV 2.0× ($40,000 vs $20,000). Criteria that carry no "
            "signal: Mid-market size.",
        ),
    ],
)
def test_verdict(tmp_path: Path, out_won: int, *, predictive: bool, verdict: str) -> None:
    result = run(tmp_path, out_won=out_won)
    assert result.predictive is predictive
    assert result.verdict == verdict


def test_too_little_data_is_said(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text(
        "account,created,closed,outcome,employees\n"
        + "".join(f"A{i},2025-01-01,2025-02-01,won,500\n" for i in range(3))
        + "".join(f"B{i},2025-01-01,2025-02-01,lost,50\n" for i in range(3)),
        encoding="utf-8",
    )
    result = backtest_deals(
        read_deals(path).deals, load_profile(profile_file(tmp_path, MID_MARKET))
    )
    assert result.predictive is None
    assert result.verdict.startswith("Too little data to judge: 3 closed in-ICP and 3 closed")


def test_tiers_and_criteria(tmp_path: Path) -> None:
    result = run(tmp_path)
    assert [(s["label"], s["deals"], s["won"]) for s in result.segments] == [
        ("A", 11, 7),
        ("below tiers", 10, 1),
    ]
    (criterion,) = result.criteria
    assert (
        criterion["matched"],
        criterion["matched_won"],
        criterion["other"],
        criterion["other_won"],
        criterion["signal"],
    ) == (10, 7, 10, 1, "signal")


def test_hard_filter_failures_are_out_of_icp(tmp_path: Path) -> None:
    text = MID_MARKET + '\n[[require]]\nname = "Big enough"\nfield = "employees"\nat_least = 100\n'
    result = run(tmp_path, text=text)
    assert [(s["label"], s["deals"]) for s in result.segments] == [
        ("A", 11),
        ("filtered out", 10),
    ]
    assert result.out_icp["deals"] == 10
    (rule,) = result.filters
    assert (rule["rule"], rule["dropped"], rule["dropped_won"], rule["passing"]) == (
        "failed: Big enough",
        10,
        1,
        10,
    )
    assert rule["verdict"] == "drops deals that win less often"


def test_a_filter_that_drops_winners_is_called_out(tmp_path: Path) -> None:
    text = MID_MARKET + '\n[[require]]\nname = "Small"\nfield = "employees"\nat_most = 100\n'
    result = run(tmp_path, text=text)
    (rule,) = result.filters
    assert rule["verdict"] == "drops deals that win more often"
    assert rule["lift"] == pytest.approx(7.0)
    assert result.verdict.endswith(
        "The hard filter failed: Small drops deals that win 70% of the time vs 10% for the "
        "deals it keeps."
    )


@pytest.mark.parametrize(
    ("closed", "churned", "renewed", "expansion", "retained", "expanded"),
    [
        ("2024-01-01", None, None, None, True, False),  # a year old, never churned
        ("2024-01-01", "2024-06-01", None, None, False, False),  # churned within the year
        ("2024-01-01", "2025-03-01", None, None, True, False),  # churned after the first year
        ("2024-10-01", None, None, None, None, None),  # too young to know
        ("2024-10-01", None, None, 500.0, None, True),  # expanded already
        ("2024-10-01", None, False, None, False, None),  # said not renewed
    ],
)
def test_retention_and_expansion_known(
    closed: str,
    churned: str | None,
    *,
    renewed: bool | None,
    expansion: float | None,
    retained: bool | None,
    expanded: bool | None,
) -> None:
    frame = pl.DataFrame(
        {
            "outcome": ["won"],
            "closed": [dt.date.fromisoformat(closed)],
            "churned": [dt.date.fromisoformat(churned) if churned else None],
            "renewed": [renewed],
            "expansion": [expansion],
        },
        schema_overrides={"renewed": pl.Boolean, "expansion": pl.Float64, "churned": pl.Date},
    )
    out = retention_known(frame, dt.date(2025, 6, 1))
    assert out.row(0, named=True)["retained_12m"] is retained
    assert out.row(0, named=True)["expanded"] is expanded


def test_outputs_are_deterministic_and_offline(tmp_path: Path) -> None:
    first = render_backtest(run(tmp_path))
    second = render_backtest(run(tmp_path))
    assert first == second
    md, html, text = first
    assert "| in-ICP | 11 | 10 | 7 | 70% (40%–89%)" in md
    assert (
        "<svg" in html
        and "<script" not in html
        and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )
    assert json.loads(text)["lifts"]["win_rate"]["lift"] == 7.0


def test_html_is_escaped(tmp_path: Path) -> None:
    result = run(tmp_path, text=MID_MARKET.replace('"Mid-market"', '"<b>Mid</b> & co"'))
    _, html, _ = render_backtest(result)
    assert "&lt;b&gt;Mid&lt;/b&gt; &amp; co" in html and "<b>Mid" not in html


def test_write_backtest_files(tmp_path: Path) -> None:
    read = read_deals(hand_made(tmp_path))
    result = backtest_deals(read.deals, load_profile(profile_file(tmp_path, MID_MARKET)))
    written = write_backtest(tmp_path / "out", result, read.rejects)
    assert sorted(p.name for p in written) == [
        "backtest.html",
        "backtest.json",
        "backtest.md",
        "deals_rejects.csv",
    ]
    assert not list((tmp_path / "out").glob(".*.tmp"))


# ---------------------------------------------------------------- the fixture's deals


@pytest.fixture(scope="module")
def fixture_deals(sample_dir: Path) -> pl.DataFrame:
    return read_deals(sample_dir / "deals.csv").deals


def test_true_profile_shows_positive_lift(fixture_deals: pl.DataFrame, tmp_path: Path) -> None:
    result = backtest_deals(fixture_deals, load_profile(profile_file(tmp_path, TRUE_PROFILE)))
    win = result.lifts["win_rate"]
    assert result.predictive is True
    assert win["lift"] > 1.5 and win["low"] > 1.2
    assert all(c["signal"] == "signal" for c in result.criteria)
    assert result.lifts["cycle_median_days"]["lift"] < 1  # in-ICP deals close faster


def test_random_profile_shows_no_lift(fixture_deals: pl.DataFrame, tmp_path: Path) -> None:
    result = backtest_deals(fixture_deals, load_profile(profile_file(tmp_path, RANDOM_PROFILE)))
    win = result.lifts["win_rate"]
    assert result.predictive is False
    assert win["low"] <= 1 <= win["high"]
    assert "not predictive" in result.verdict and "Name starts with A-M" in result.verdict


SIGNAL_RULE = """
[[signal]]
kind = "funding"
boost = 15
half_life_days = 45
max_age_days = 180
"""


def test_signals_are_scored_as_of_each_deal_created_date(tmp_path: Path) -> None:
    """in0-in5 raised 30 days before their deal; in6 raised the day after (not live)."""
    events = tmp_path / "events.csv"
    rows = ["domain,company_name,kind,date,round_type,amount_usd"]
    raised = (START - dt.timedelta(days=30)).isoformat()
    rows += [f"in{i}.com,,funding,{raised},Series B,10000000" for i in range(6)]
    rows.append(f"in6.com,,funding,{(START + dt.timedelta(days=1)).isoformat()},Series B,1")
    events.write_text("\n".join(rows) + "\n", encoding="utf-8")
    read = read_deals(hand_made(tmp_path))
    profile = load_profile(profile_file(tmp_path, MID_MARKET + SIGNAL_RULE))
    result = backtest_deals(read.deals, profile, events=read_signals(events))
    assert result.timing is not None
    live, quiet = result.timing["groups"]
    assert (live["deals"], live["closed"], live["won"]) == (6, 6, 6)
    assert (quiet["deals"], quiet["closed"], quiet["won"]) == (15, 14, 2)
    assert result.verdict.endswith(
        "Too few deals opened with a live signal to judge timing (6 closed)."
    )
