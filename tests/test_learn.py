"""learn_profile: a draft profile from won vs lost deals, with its evidence beside each rule."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import polars as pl
import pytest

from listbuilder.learn import learn_profile, read_deals, write_draft
from listbuilder.learn.learn import label_deals
from listbuilder.profile import load_profile

TECH_INDUSTRIES = {
    "Computer Software",
    "SaaS",
    "Software",
    "Internet",
    "Information Technology & Services",
}


def industry_deals(tmp_path: Path, *, saas_won: int, retail_won: int) -> Path:
    """40 SaaS and 40 Retail deals (all 100 employees, US), `*_won` of each won."""
    rows = ["account,created,closed,outcome,acv,employees,industry,country"]
    for industry, won in (("SaaS", saas_won), ("Retail", retail_won)):
        for i in range(40):
            outcome = "won" if i < won else "lost"
            rows.append(f"{industry} {i},2025-01-01,2025-02-01,{outcome},1000,100,{industry},US")
    path = tmp_path / "deals.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_one_strong_attribute(tmp_path: Path) -> None:
    draft = learn_profile(
        read_deals(industry_deals(tmp_path, saas_won=30, retail_won=5)).deals, source="deals.csv"
    )
    (rule,) = draft.criteria
    assert (rule.field, rule.op, rule.value, rule.weight) == ("industry", "in", ["SaaS"], 100)
    assert rule.evidence == ("40 deals, win rate 75% vs 12% for the rest, lift 6.0× (2.6×–13.9×)")
    assert [(r.field, r.value) for r in draft.excludes] == [("industry", ["Retail"])]
    assert draft.requires == []
    assert (draft.good, draft.bad) == (35, 45)


@pytest.mark.parametrize(("retail_won", "require"), [(0, True), (1, False), (5, False)])
def test_hard_filter_only_when_overwhelming(
    tmp_path: Path, retail_won: int, *, require: bool
) -> None:
    deals = read_deals(industry_deals(tmp_path, saas_won=30, retail_won=retail_won)).deals
    draft = learn_profile(deals)
    assert bool(draft.requires) is require


def test_draft_passes_profile_check_and_explains_itself(tmp_path: Path) -> None:
    deals = read_deals(industry_deals(tmp_path, saas_won=30, retail_won=5)).deals
    path = write_draft(tmp_path / "draft.toml", learn_profile(deals, source="deals.csv"))
    profile = load_profile(path)
    assert sum(c.weight for c in profile.criteria) == 100
    text = path.read_text(encoding="utf-8")
    assert "# evidence: 40 deals, win rate 75% vs 12% for the rest" in text
    assert "# Best customers: won deals not churned within 12 months (35)" in text


def test_too_little_data_is_said_not_guessed(tmp_path: Path) -> None:
    rows = ["account,created,closed,outcome,industry"] + [
        f"A{i},2025-01-01,2025-02-01,{'won' if i % 2 else 'lost'},SaaS" for i in range(12)
    ]
    path = tmp_path / "deals.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    draft = learn_profile(read_deals(path).deals)
    assert draft.criteria == []
    assert draft.reason == (
        "too little data: 6 best customers and 6 lost or churned deals; at "
        "least 20 of each are needed (--min-deals)"
    )


def test_small_segments_are_listed_as_too_little_data(tmp_path: Path) -> None:
    path = industry_deals(tmp_path, saas_won=30, retail_won=5)
    with path.open("a", encoding="utf-8") as out:
        out.write("Tiny 1,2025-01-01,2025-02-01,won,1000,100,Mining,US\n")
    draft = learn_profile(read_deals(path).deals)
    assert [(s.label, s.n) for s in draft.too_little] == [("industry Mining", 1)]
    assert (
        "# Too little data (fewer closed deals than the minimum), not used: industry Mining (1)."
        in draft.to_toml()
    )


@pytest.mark.parametrize(
    ("best", "good"),
    [("won", 2), ("top-quartile", 1)],
)
def test_best_customers(best: str, good: int) -> None:
    day = dt.date(2025, 1, 1)
    deals = pl.DataFrame(
        {
            "outcome": ["won", "won", "won", "lost"],
            "closed": [day] * 4,
            "churned": [None, None, dt.date(2025, 3, 1), None],
            "renewed": [None] * 4,
            "expansion": [None, 50.0, None, None],
            "amount": [100.0, 300.0, 900.0, 100.0],
        },
        schema_overrides={"churned": pl.Date, "renewed": pl.Boolean},
    )
    labelled = label_deals(deals, best=best, as_of=dt.date(2026, 6, 1))
    assert int(labelled["good"].sum()) == good
    assert int((labelled["good"] == 0).sum()) == 2  # lost + churned in its first year


def test_recovers_the_fixture_true_profile(sample_dir: Path, tmp_path: Path) -> None:
    """The fixture's deals follow 200-2000 employees, Salesforce/HubSpot, software industry."""
    draft = learn_profile(read_deals(sample_dir / "deals.csv").deals)
    by_field = {r.field: r for r in draft.criteria}
    size = by_field["employees"]
    low, high = size.value if size.op == "between" else (size.value, 10**9)
    assert 150 <= low <= 500 and 900 <= high <= 2500
    industries = set(by_field["industry"].value)
    assert len(industries & TECH_INDUSTRIES) >= 3
    assert len(industries - TECH_INDUSTRIES) <= 1
    top_two = {r.field for r in sorted(draft.criteria, key=lambda r: -r.weight)[:3]}
    assert {"employees", "industry"} <= top_two
    path = write_draft(tmp_path / "draft.toml", draft)
    assert sum(c.weight for c in load_profile(path).criteria) == 100
    assert tomllib.loads(path.read_text(encoding="utf-8"))["profile"]["name"]
