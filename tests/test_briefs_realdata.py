"""A real purchased list (Crunchbase 2014) with real rounds (Crunchbase, Oct 2013).

The list has no funding_stage; the rounds file has every round. Built with a profile that
scores the stage, the derived stages must show as derived (with the event line) and no
missing value may read as a miss anywhere. Skipped when ../shared/data is absent.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
COMPANIES = DATA / "crunchbase_2014" / "companies.csv"
ROUNDS = DATA / "crunchbase_2013" / "crunchbase_rounds_10_2013.csv"

pytestmark = pytest.mark.skipif(
    not (COMPANIES.exists() and ROUNDS.exists()), reason="../shared/data is absent"
)

PROFILE = """
[profile]
name = "Crunchbase fit"
tiers = { A = 80, B = 65, C = 40 }
capacity = 300

[[require]]
name = "North America"
field = "country"
in = ["NA"]

[[criterion]]
name = "Software or web"
field = "industry"
in = ["software", "web", "enterprise", "saas", "analytics", "mobile"]
weight = 40

[[criterion]]
name = "Series A or later"
field = "funding_stage"
at_least = "Series A"
weight = 40

[[criterion]]
name = "Raised $1M+"
field = "total_funding"
at_least = 1_000_000
weight = 20

[[signal]]
kind = "funding"
boost = 15
half_life_days = 45
max_age_days = 180
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    import listbuilder as lb

    root = tmp_path_factory.mktemp("crunchbase")
    profile = root / "crunchbase.toml"
    profile.write_text(PROFILE, encoding="utf-8")
    out = root / "out"
    result = lb.build(
        str(COMPANIES), profiles=str(profile), out_dir=out, signals=str(ROUNDS), as_of="2013-10-17"
    )
    return result, out


def test_derived_funding_stages_show_as_derived(built: tuple[object, Path]) -> None:
    result, out = built
    selected = result.selected  # type: ignore[attr-defined]
    derived = selected.filter(pl.col("derived").str.contains("funding_stage="))
    assert derived.height > 100  # the list has no stage: most selected accounts took one
    assert derived["derived"].str.contains(r"crunchbase_rounds_10_2013\.csv:\d+").all()
    targets = pl.read_csv(out / "targets.csv", infer_schema=False)
    assert targets["derived"].drop_nulls().str.starts_with("funding_stage=").any()
    first = derived.row(0, named=True)
    brief = next((out / "briefs").glob(f"{first['rank']:04d}-*.md")).read_text("utf-8")
    assert "(derived from a funding round)" in brief
    assert "crunchbase\\_rounds\\_10\\_2013.csv:" in brief  # the event line it came from


def test_no_missing_value_is_shown_as_a_miss(built: tuple[object, Path]) -> None:
    result, out = built
    selected = result.selected  # type: ignore[attr-defined]
    entries = selected.select(pl.col("breakdown").explode().struct.unnest())
    assert entries.filter(pl.col("value").is_null() & (pl.col("status") == "miss")).height == 0
    assert entries.filter(pl.col("value").is_null())["status"].unique().to_list() in (
        [],
        ["unknown"],
    )
    assert not selected["why"].str.contains(" n/a").any()
    for brief in (out / "briefs").glob("0*.md"):
        for line in brief.read_text("utf-8").splitlines():
            if line.startswith("| ") and "| miss |" in line:
                assert "| – |" not in line and "| unknown |" not in line, (brief.name, line)
    reasons = result.rejects.filter(pl.col("stage") == "filter")  # type: ignore[attr-defined]
    missing = reasons.filter(pl.col("detail") == "country missing")
    assert missing["reason"].str.starts_with("no data: ").all()
