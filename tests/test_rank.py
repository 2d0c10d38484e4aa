"""rank_companies: order, tie-breakers, one per domain/parent, quotas, cut, priority."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from listbuilder.errors import ConfigError
from listbuilder.rank import priority_label, rank_companies
from listbuilder.rank.order import thousands
from listbuilder.schema import REJECT_SCHEMA

BASE = {
    "source": "list.csv",
    "line": 2,
    "name": "Base",
    "domain": None,
    "parent_company": None,
    "employees": 500,
    "score": 80.0,
    "fit_score": 70.0,
    "fit_tier": "B",
    "tier": "A",
    "signal_score": 0.0,
    "last_signal_date": None,
}
SCHEMA = {
    "row_id": pl.Int64,
    "source": pl.String,
    "line": pl.Int64,
    "name": pl.String,
    "domain": pl.String,
    "parent_company": pl.String,
    "employees": pl.Int64,
    "score": pl.Float64,
    "fit_score": pl.Float64,
    "fit_tier": pl.String,
    "tier": pl.String,
    "signal_score": pl.Float64,
    "last_signal_date": pl.Date,
}


def frame(*rows: dict) -> pl.DataFrame:
    recs = [{**BASE, "row_id": i + 1, "line": i + 2, **r} for i, r in enumerate(rows)]
    return pl.DataFrame(recs, schema=SCHEMA)


def names(df: pl.DataFrame) -> list[str]:
    return df["name"].to_list()


NOV, SEP = date(2026, 11, 1), date(2026, 9, 1)

# (first row's differences, second row's differences): the first must rank first.
TIE_BREAKERS = [
    ("higher score", {"score": 90.0}, {"score": 80.0}),
    ("fresher signal", {"last_signal_date": NOV}, {"last_signal_date": SEP}),
    ("any signal beats none", {"last_signal_date": date(2020, 1, 1)}, {}),
    ("higher fit", {"fit_score": 75.0}, {"fit_score": 70.0}),
    ("bigger company", {"employees": 900}, {"employees": 800}),
    ("known size beats unknown", {"employees": 10}, {"employees": None}),
    ("name a-z", {"name": "alpha"}, {"name": "Beta"}),
    ("name case-insensitive then exact", {"name": "Acme"}, {"name": "acme"}),
    ("lower row_id", {"name": "Same", "row_id": 1}, {"name": "Same", "row_id": 2}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "first", "second"), TIE_BREAKERS, ids=[c[0] for c in TIE_BREAKERS]
)
def test_tie_breakers(case: str, first: dict, second: dict) -> None:
    a = {"name": "First", "domain": "first.com", **first}
    b = {"name": "Second", "domain": "second.com", **second}
    # Feed them in reverse so the input order never decides.
    selected, _ = rank_companies(frame(b, a))
    assert selected["domain"].to_list() == ["first.com", "second.com"]
    assert selected["rank"].to_list() == [1, 2]


def test_ranking_ignores_input_order() -> None:
    rows = [{"name": f"C{i}", "score": float(i % 3), "employees": i} for i in range(9)]
    a, _ = rank_companies(frame(*rows))
    b, _ = rank_companies(frame(*reversed(rows)))
    assert names(a) == names(b)


def test_one_per_domain_and_parent() -> None:
    df = frame(
        {"name": "Acme", "domain": "acme.com", "score": 90.0},
        {"name": "Acme EU", "domain": "ACME.com", "score": 85.0},
        {"name": "Sub One", "domain": "one.com", "parent_company": "Holdco Inc", "score": 80.0},
        {"name": "Sub Two", "domain": "two.com", "parent_company": "holdco inc ", "score": 70.0},
        {"name": "Solo", "domain": None, "score": 60.0},
        {"name": "Solo 2", "domain": None, "score": 50.0},
    )
    selected, rejects = rank_companies(df)
    assert names(selected) == ["Acme", "Sub One", "Solo", "Solo 2"]
    got = {r["name"]: (r["reason"], r["detail"]) for r in rejects.to_dicts()}
    assert got == {
        "Acme EU": ("same domain", "domain acme.com; kept Acme (rank 1)"),
        "Sub Two": ("same parent company", "parent Holdco Inc; kept Sub One (rank 2)"),
    }
    kept, _ = rank_companies(df, one_per_domain=False, one_per_parent=False)
    assert kept.height == 6


def test_platform_domains_do_not_collide() -> None:
    df = frame({"name": "A", "domain": "linkedin.com"}, {"name": "B", "domain": "linkedin.com"})
    df = df.with_columns(domain_is_platform=pl.lit(True))
    selected, _ = rank_companies(df)
    assert selected.height == 2


def test_cut_top_wins_and_rejects_close_the_count() -> None:
    df = frame(*[{"name": f"C{i:02d}", "score": 100.0 - i} for i in range(12)])
    selected, rejects = rank_companies(df, top=5, capacity=10)
    assert names(selected) == [f"C{i:02d}" for i in range(5)]
    assert selected["rank"].to_list() == [1, 2, 3, 4, 5]
    assert selected.height + rejects.height == df.height
    assert rejects.schema == pl.Schema(REJECT_SCHEMA)
    assert set(rejects["stage"]) == {"rank"}
    assert set(rejects["reason"]) == {"below cut"}
    assert rejects["detail"][0] == "rank 6; top 5"
    _, by_capacity = rank_companies(df, capacity=10)
    assert by_capacity["detail"].to_list() == ["rank 11; capacity 10", "rank 12; capacity 10"]


def test_zero_cut_rejects_everything_as_below_cut() -> None:
    selected, rejects = rank_companies(
        frame({"tier": "C"}, {"tier": "A"}), top=0, tier_quotas={"C": 0.5}
    )
    assert selected.height == 0
    assert rejects["reason"].to_list() == ["below cut", "below cut"]


def test_no_cut_keeps_everything() -> None:
    selected, rejects = rank_companies(frame({"name": "A"}, {"name": "B"}))
    assert selected.height == 2 and rejects.height == 0


def test_tier_quota_caps_share_of_the_cut() -> None:
    rows = [{"name": f"C{i:02d}", "tier": "C", "score": 99.0 - i} for i in range(8)]
    rows += [{"name": f"A{i:02d}", "tier": "A", "score": 50.0 - i} for i in range(12)]
    selected, rejects = rank_companies(frame(*rows), top=10, tier_quotas={"C": 0.3})
    assert selected.height == 10
    assert selected.filter(pl.col("tier") == "C").height == 3
    reasons = dict(rejects.group_by("reason").len().iter_rows())
    # 5 C over quota would have made the cut; 5 A fall below it.
    assert reasons == {"tier quota": 5, "below cut": 5}
    assert (
        "tier C quota 30% of 10 = 3" in rejects.filter(pl.col("reason") == "tier quota")["detail"]
    )


@pytest.mark.parametrize("bad", [1.5, -0.1, "30%", True])
def test_bad_quota_is_a_config_error(bad: object) -> None:
    with pytest.raises(ConfigError, match="tier quota for 'C'"):
        rank_companies(frame({}), tier_quotas={"C": bad})  # type: ignore[dict-item]


TIMING = [
    # signal_score, fit_tier, timing_tier, priority
    (12.0, "A", 1, "A1"),
    (10.0, "B", 1, "B1"),
    (3.0, "A", 2, "A2"),
    (0.0, "A", 3, "A3"),
    (None, "C", 3, "C3"),
    (15.0, None, 1, None),
]


@pytest.mark.parametrize(("signal", "fit_tier", "timing", "priority"), TIMING)
def test_timing_tier_and_priority(signal, fit_tier, timing, priority) -> None:
    selected, _ = rank_companies(frame({"signal_score": signal, "fit_tier": fit_tier}))
    assert selected["timing_tier"].to_list() == [timing]
    assert selected["priority"].to_list() == [priority]


def test_timing_thresholds_are_parameters() -> None:
    selected, _ = rank_companies(frame({"signal_score": 6.0}), strong_signal=5.0)
    assert selected["priority"].to_list() == ["B1"]


@pytest.mark.parametrize(
    ("priority", "label"),
    [("A1", "call today"), ("A3", "nurture: strong fit, no live signal"),
     ("C1", "verify before calling: signal on a weaker fit"), (None, "unranked fit")],
)  # fmt: skip
def test_priority_label(priority: str | None, label: str) -> None:
    assert priority_label(priority) == label


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0"), (999, "999"), (1000, "1,000"), (1201, "1,201"), (1_234_567, "1,234,567")],
)
def test_thousands(n: int, text: str) -> None:
    assert pl.select(thousands(pl.lit(n, pl.Int64))).item() == text


def test_empty_frame() -> None:
    selected, rejects = rank_companies(frame().clear(), top=3)
    assert selected.height == 0 and rejects.height == 0
    assert "rank" in selected.columns
