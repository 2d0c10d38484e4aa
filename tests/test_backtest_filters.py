"""backtest's per-filter figures: each hard filter counts the deals it dropped first, by
its index in the profile (`Scored.failed`), never by its reason text."""

from __future__ import annotations

from pathlib import Path

from deal_sets import profile_file

from listbuilder.learn import backtest_deals, read_deals
from listbuilder.profile import load_profile

# Two unnamed rules on one field: both read "failed: employees".
SIZED = """
[profile]
name = "Sized"
tiers = { A = 50 }

[[require]]
field = "employees"
at_least = 100

[[require]]
field = "employees"
at_most = 1000

[[exclude]]
name = "Retail"
field = "industry"
in = ["Retail"]

[[criterion]]
name = "Size known"
field = "employees"
exists = true
weight = 100
"""


def sized_deals(tmp_path: Path) -> Path:
    """10 deals per group: 500 employees pass every filter; 50 fail the first rule, 5000
    the second, Retail the exclude; no employees: no data for the first rule."""
    rows = ["account,created,closed,outcome,employees,industry"]
    for prefix, employees, industry, won in (
        ("Mid", "500", "Software", 7),
        ("Small", "50", "Software", 2),
        ("Big", "5000", "Software", 4),
        ("Shop", "500", "Retail", 1),
        ("Blank", "", "Software", 3),
    ):
        for i in range(10):
            outcome = "won" if i < won else "lost"
            rows.append(f"{prefix} {i},2025-01-01,2025-02-01,{outcome},{employees},{industry}")
    path = tmp_path / "deals.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_each_filter_counts_the_deals_it_dropped_first(tmp_path: Path) -> None:
    profile = load_profile(profile_file(tmp_path, SIZED))
    result = backtest_deals(read_deals(sized_deals(tmp_path)).deals, profile)
    found = [
        (f["rule"], f["dropped"], f["dropped_won"], f["passing"], f["passing_won"])
        for f in result.filters
    ]
    # the 10 deals without employees fail the first rule for lack of data: no rule's drop
    assert found == [
        ("failed: employees", 10, 2, 10, 7),
        ("failed: employees", 10, 4, 10, 7),
        ("excluded: Retail", 10, 1, 10, 7),
    ]
    assert result.out_icp["deals"] == 40
