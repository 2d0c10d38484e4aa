"""Missing is never shown as a miss, and a region is never read as a country code."""

from __future__ import annotations

from pathlib import Path

import polars as pl

import listbuilder as lb

HEADER = "Company,Website,Country,Employees,Industry,Technologies,Departments\n"
ROWS = (
    "Windhoek Soft,windhoeksoft.com,NA,500,SaaS,HubSpot,RevOps\n"  # Namibia
    "Nowhere Inc,nowhere.io,,500,SaaS,HubSpot,RevOps\n"  # no country
    "Acme Cloud,acmecloud.com,US,500,SaaS,HubSpot,RevOps\n"  # no funding stage
)


def _list(tmp_path: Path) -> Path:
    path = tmp_path / "list.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    return path


def test_rejects_say_missing_and_name_the_country(tmp_path: Path) -> None:
    result = lb.build(
        _list(tmp_path), profiles="b2b_saas", out_dir=tmp_path / "o", as_of="2026-11-01"
    )
    rejects = result.rejects.filter(pl.col("stage") == "filter").sort("line")
    assert rejects.select("reason", "detail").rows() == [
        (
            "failed: North America, UK or Ireland",
            "country NA (Namibia) not in region NA (US, CA), GB, IE",
        ),
        ("no data: North America, UK or Ireland", "country missing"),
    ]


def test_why_explain_and_brief_say_unknown(tmp_path: Path) -> None:
    result = lb.build(
        _list(tmp_path), profiles="b2b_saas", out_dir=tmp_path / "o", as_of="2026-11-01"
    )
    row = result.selected.row(0, named=True)
    assert "Series B+ unknown ? 0" in row["why"]  # the label, then unknown: never ✗
    stage = next(b for b in row["breakdown"] if b["criterion"] == "Series B or later")
    assert (stage["status"], stage["points"]) == ("unknown", 0.0)
    brief = next((tmp_path / "o" / "briefs").glob("0001-*.md")).read_text("utf-8")
    assert "| Series B or later | 0.0 / 15 | unknown | unknown |" in brief
    assert "| miss |" not in brief
    assert "- **Ask:** Series B or later: no data in the list (15 points open)" in brief
    why = lb.explain("acmecloud.com", _list(tmp_path), profiles="b2b_saas", as_of="2026-11-01")
    line = next(x for x in why.text.splitlines() if "Series B or later" in x and "/15" in x)
    assert line.split() == ["Series", "B", "or", "later", "unknown", "0/15", "unknown"]
