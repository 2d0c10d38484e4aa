"""learn and backtest agree: the lift `learn` quotes for a drafted rule is `backtest`'s lift
for the same rule, employee bands included (issue #18)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from listbuilder.learn import backtest_deals, learn_profile, read_deals, write_draft
from listbuilder.learn.backtest import pct, times
from listbuilder.profile import load_profile

START = dt.date(2025, 1, 1)
# (employees as the vendor wrote it, deals, of which won): exact counts in 1000-1999, 100
# and 8000, and a band whose midpoint (3000) falls in learn's 2000-4999 band but which
# straddles every band bound it overlaps
BANDED = (("1500", 40, 30), ("1,001-5,000", 40, 30), ("100", 40, 5), ("8000", 40, 5))


def banded_deals(tmp_path: Path) -> Path:
    rows = ["account,domain,created,closed,outcome,acv,employees"]
    for group, (employees, deals, won) in enumerate(BANDED):
        for i in range(deals):
            outcome = "won" if i < won else "lost"
            closed = START + dt.timedelta(days=30)
            rows.append(
                f'G{group} {i},g{group}-{i}.com,{START},{closed},{outcome},1000,"{employees}"'
            )
    path = tmp_path / "deals.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def closed_deals(case: str, sample_dir: Path, tmp_path: Path) -> pl.DataFrame:
    """The case's deals without retention data: learn's best customers are then exactly
    the won deals, backtest's wins, so the two count the same thing."""
    path = sample_dir / "deals.csv" if case == "sample" else banded_deals(tmp_path)
    return read_deals(path).deals.with_columns(
        churned=pl.lit(None, dtype=pl.Date), renewed=pl.lit(None, dtype=pl.Boolean)
    )


def backtest_evidence(row: dict[str, Any]) -> str:
    """A backtest criterion row in the words of learn's evidence."""
    return (
        f"{row['matched']} deals, win rate {pct(row['matched_rate'])} vs "
        f"{pct(row['other_rate'])} for the rest, lift {times(row['lift'])} "
        f"({times(row['lift_low'])}–{times(row['lift_high'])})"
    )


@pytest.mark.parametrize("case", ["sample", "banded"])
def test_learned_lift_is_backtest_lift(case: str, sample_dir: Path, tmp_path: Path) -> None:
    deals = closed_deals(case, sample_dir, tmp_path)
    draft = learn_profile(deals, source="deals.csv")
    assert draft.criteria
    profile = load_profile(write_draft(tmp_path / "draft.toml", draft))
    backtest = {c["criterion"]: c for c in backtest_deals(deals, profile).criteria}
    for rule in draft.criteria:
        row = backtest[rule.name]
        assert rule.evidence == backtest_evidence(row), rule.name
        m = rule.measured
        assert m is not None
        assert (m.n, m.good, m.rest_n, m.rest_good) == (
            row["matched"],
            row["matched_won"],
            row["other"],
            row["other_won"],
        )
        assert (m.lift, m.low, m.high) == (row["lift"], row["lift_low"], row["lift_high"])


def test_a_straddling_band_matches_no_band(tmp_path: Path) -> None:
    """The 1,001-5,000 accounts are in no employee segment, and the drafted size rule is
    measured with them in the rest (backtest scores them unknown)."""
    draft = learn_profile(closed_deals("banded", Path(), tmp_path), source="deals.csv")
    (rule,) = draft.criteria
    assert (rule.name, rule.op, rule.value, rule.weight) == (
        "1000–1999 employees",
        "between",
        [1000, 1999],
        100,
    )
    assert rule.evidence == "40 deals, win rate 75% vs 33% for the rest, lift 2.2× (1.7×–3.1×)"
    assert [(s.label, s.n) for s in rule.segments] == [("1000–1999 employees", 40)]
