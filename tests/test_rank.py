"""rank_companies: order, tie-breakers, one per domain/parent, quotas, cut, priority."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from listbuilder.errors import ConfigError
from listbuilder.rank import priority_label, rank_companies
from listbuilder.rank.order import (
    REASON_BELOW_CUT,
    REASON_TIER_QUOTA,
    _add_score,
    _cut_at_limit,
    _keeper_fate,
    thousands,
)
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
     ("C1", "verify before calling: signal on a weaker fit"),
     (None, "verify the fit first: below every fit tier, in on its signal")],
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


def test_one_per_domain_and_parent_names_an_account_that_was_kept() -> None:
    # Beta loses on domain to Alpha2, which loses on parent to Alpha: Beta is then the
    # only account of its domain still standing, so it is kept (no drop names a drop).
    df = frame(
        {"name": "Alpha", "domain": "a.com", "parent_company": "Holdco", "score": 90.0},
        {"name": "Alpha2", "domain": "b.com", "parent_company": "HOLDCO", "score": 85.0},
        {"name": "Beta", "domain": "b.com", "parent_company": None, "score": 80.0},
    )
    selected, rejects = rank_companies(df)
    assert names(selected) == ["Alpha", "Beta"]
    assert rejects.select("name", "reason", "detail").rows() == [
        ("Alpha2", "same parent company", "parent Holdco; kept Alpha (rank 1)")
    ]


HIGHER = "parent Holdco; Eagle Insights ranked higher"
KEEPER_FATE = [
    # (rank_companies kwargs, detail of the dropped sibling)
    ({}, "parent Holdco; kept Eagle Insights (rank 2)"),
    ({"top": 1}, f"{HIGHER} (rank 2, below the cut)"),
    ({"tier_quotas": {"C": 0.0}}, f"{HIGHER} (over the tier C quota)"),
    ({"top": 1, "tier_quotas": {"C": 0.0}}, f"{HIGHER} (below the cut)"),
]  # fmt: skip


@pytest.mark.parametrize(("kwargs", "detail"), KEEPER_FATE)
def test_same_parent_detail_says_where_the_kept_sibling_ended(kwargs: dict, detail: str) -> None:
    df = frame(
        {"name": "Leader", "domain": "leader.com", "score": 95.0},
        {"name": "Eagle Insights", "domain": "e1.com", "parent_company": "Holdco", "score": 90.0,
         "tier": "C"},
        {"name": "Eagle Labs", "domain": "e2.com", "parent_company": "holdco", "score": 80.0},
    )  # fmt: skip
    _, rejects = rank_companies(df, **kwargs)
    sibling = rejects.filter(pl.col("name") == "Eagle Labs")
    assert sibling.select("reason", "detail").row(0) == ("same parent company", detail)


def test_kept_account_without_a_name_is_named_by_its_domain() -> None:
    df = frame(
        {"name": None, "domain": "nimilora.net", "score": 90.0},
        {"name": "Nimilora EU", "domain": "NIMILORA.net", "score": 80.0},
    )
    _, rejects = rank_companies(df)
    assert rejects["detail"].to_list() == ["domain nimilora.net; kept nimilora.net (rank 1)"]


MIN_SCORE = [
    # (score, min_score, label, rejected detail or None when kept)
    (42.5, 50, "tier C", "score 42.5 < 50 (tier C)"),
    (42.5, 50.0, None, "score 42.5 < 50"),
    (49.0, 49.5, None, "score 49 < 49.5"),
    (50.0, 50, "tier C", None),
    (None, 50, "tier C", "no score; lowest tier starts at 50 (tier C)"),
]


@pytest.mark.parametrize(("score", "floor", "label", "detail"), MIN_SCORE)
def test_min_score_rejects_below_the_lowest_tier(
    score: float | None, floor: float, label: str | None, detail: str | None
) -> None:
    df = frame({"name": "Top", "score": 90.0}, {"name": "Probe", "score": score})
    selected, rejects = rank_companies(df, min_score=floor, min_score_label=label)
    if detail is None:
        assert names(selected) == ["Top", "Probe"] and rejects.height == 0
    else:
        assert names(selected) == ["Top"]
        assert rejects.select("stage", "reason", "name", "detail").rows() == [
            ("rank", "below lowest tier", "Probe", detail)
        ]


def test_min_score_applies_before_dedupe_quotas_and_cut() -> None:
    rows = [{"name": f"Hi{i}", "score": 90.0 - i, "tier": "A"} for i in range(3)]
    rows += [{"name": "Low sibling", "domain": "hi.com", "score": 10.0}]
    rows += [{"name": "Low", "score": 20.0 - i} for i in range(4)]
    df = frame({"name": "Hi owner", "domain": "hi.com", "score": 30.0, "tier": "B"}, *rows)
    selected, rejects = rank_companies(df, top=2, min_score=25, tier_quotas={"A": 0.5})
    assert names(selected) == ["Hi0", "Hi owner"]
    reasons = dict(rejects.group_by("reason").len().iter_rows())
    # the cut and the quota count only accounts above the floor
    assert reasons == {"below lowest tier": 5, "tier quota": 2}
    assert "tier A quota 50% of 2 = 1" in rejects["detail"].to_list()
    assert selected.height + rejects.height == df.height


@pytest.mark.parametrize("bad", ["50", float("nan"), True])
def test_bad_min_score_is_a_config_error(bad: object) -> None:
    with pytest.raises(ConfigError, match="min_score must be a number"):
        rank_companies(frame({}), min_score=bad)  # type: ignore[arg-type]


# --- the steps of the cut --------------------------------------------------------------

# (columns present, fit_score, signal_score, expected score)
ADD_SCORE = [
    ("fit and signal", 70.04, 12.0, 82.0),
    ("capped at 100", 95.0, 15.0, 100.0),
    ("null signal counts 0", 61.24, None, 61.2),
    ("no signal column", 61.26, "absent", 61.3),
]


@pytest.mark.parametrize(("case", "fit", "signal", "score"), ADD_SCORE)
def test_add_score_from_fit_and_signal(case: str, fit: float, signal: object, score: float) -> None:
    df = pl.DataFrame({"fit_score": [fit], "signal_score": [signal]}, strict=False)
    if signal == "absent":
        df = df.drop("signal_score")
    assert _add_score(df)["score"].to_list() == [score]


def test_add_score_keeps_a_given_score() -> None:
    df = pl.DataFrame({"fit_score": [70.0], "score": [12.0]})
    assert _add_score(df)["score"].to_list() == [12.0]


# (where the kept account ended: _k_reason, _k_cand, _k_tier) -> how the drop says it
KEEPER_FATES = [
    (REASON_BELOW_CUT, 1866, "A", "rank 1,866, below the cut"),
    (REASON_BELOW_CUT, None, "A", "below the cut"),
    (REASON_TIER_QUOTA, None, "C", "over the tier C quota"),
    (REASON_TIER_QUOTA, None, None, "over the tier – quota"),
    ("below lowest tier", None, "C", "below lowest tier"),
    (None, None, None, "not selected"),
]


@pytest.mark.parametrize(("reason", "cand", "tier", "text"), KEEPER_FATES)
def test_keeper_fate(reason: str | None, cand: int | None, tier: str | None, text: str) -> None:
    df = pl.DataFrame(
        {"_k_reason": [reason], "_k_cand": [cand], "_k_tier": [tier]},
        schema={"_k_reason": pl.String, "_k_cand": pl.Int64, "_k_tier": pl.String},
    )
    k_rank = pl.format("rank {}", thousands(pl.col("_k_cand")))
    assert df.select(_keeper_fate(k_rank)).item() == text


def test_cut_at_limit_reports_a_late_quota_drop_as_the_cut() -> None:
    # positions 0-4 in rank order; 1 and 4 were dropped by a tier quota before the cut
    quota = "tier C quota 20% of 2 = 0"
    work = pl.DataFrame(
        {
            "_pos": [0, 1, 2, 3, 4],
            "_reason": [None, REASON_TIER_QUOTA, None, None, REASON_TIER_QUOTA],
            "_detail": [None, quota, None, None, quota],
        },
        schema={"_pos": pl.UInt32, "_reason": pl.String, "_detail": pl.String},
    )
    out = _cut_at_limit(work, 2, label="capacity")
    assert out["_cand"].to_list() == [1, None, 2, 3, None]
    assert out.select("_reason", "_detail").rows() == [
        (None, None),
        (REASON_TIER_QUOTA, quota),  # inside the cut: the quota took it
        (None, None),
        (REASON_BELOW_CUT, "rank 3; capacity 2"),
        (REASON_BELOW_CUT, f"{quota}; capacity 2"),  # past the last kept: the cut would have
    ]
    assert _cut_at_limit(work, None, label="top")["_reason"].to_list() == work["_reason"].to_list()
