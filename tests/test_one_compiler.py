"""One compiler: briefs, `explain` and the targets file read the same compiled columns,
so they agree on every criterion of every account (issue #18).

A build of the 2,000-row sample with two profiles; for every selected account the
criterion statuses and points are read four ways:

- the breakdown scoring wrote (`BuildResult.selected`),
- the rendered brief's "Why it fits" table (the Markdown file),
- `explain_account` on the account's row,
- the targets file: its `pts: <criterion>` columns and its why line's status symbols.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from listbuilder.pipeline import build
from listbuilder.profile import load_profiles
from listbuilder.score.compile import SYMBOLS, shown_cell
from listbuilder.score.explain import explain_account

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample"
PROFILES = ["b2b_saas", "managed_services"]
ROW = re.compile(r"^\| (?P<criterion>[^|]+?) \| (?P<points>[\d.]+) / [\d.]+ \| (?P<status>\w+) \|")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("one-compiler") / "out"
    result = build(
        SAMPLE / "companies.csv",
        profiles=PROFILES,
        out_dir=out,
        signals=SAMPLE / "events.csv",
        as_of=(SAMPLE / "AS_OF").read_text().strip(),
    )
    assert result.selected.height > 50
    return result, out


def _brief_table(path: Path) -> list[tuple[str, float, str]]:
    text = path.read_text(encoding="utf-8")
    table = text.split("## Why it fits", 1)[1].split("\n## ", 1)[0]
    found = []
    for line in table.splitlines():
        match = ROW.match(line)
        if match and match["criterion"] != "Criterion":
            found.append((match["criterion"], float(match["points"]), match["status"]))
    return found


def test_briefs_explain_and_targets_agree_on_every_criterion(built) -> None:  # type: ignore[no-untyped-def]
    result, out = built
    selected = result.selected.sort("rank")
    loaded = load_profiles(PROFILES)
    targets = pl.read_csv(out / "targets.csv", infer_schema_length=0)
    briefs = sorted((out / "briefs").glob("[0-9]*.md"))
    assert len(briefs) == selected.height
    checked = 0
    for row, brief, target in zip(
        selected.iter_rows(named=True), briefs, targets.iter_rows(named=True), strict=True
    ):
        scored = [(e["criterion"], e["points"], e["status"]) for e in row["breakdown"]]
        assert _brief_table(brief) == [(c, round(p, 1), s) for c, p, s in scored], brief.name

        explained = explain_account(
            selected.filter(pl.col("row_id") == row["row_id"]), row["name"], loaded
        )
        mine = next(r for r in explained.results if r.profile == row["profile"])
        assert [(c.criterion, c.points, c.status) for c in mine.criteria] == scored
        assert [c.value for c in mine.criteria] == [
            shown_cell(e) if e["value"] is not None else None for e in row["breakdown"]
        ]
        assert mine.fit_score == row["fit_score"]

        assert target["domain"] == row["domain"] or target["name"] == row["name"]
        for criterion, points, _status in scored:
            assert float(target[f"pts: {criterion}"]) == round(points, 1)
        symbols = [piece.rsplit(" ", 2)[-2] for piece in target["why"].split(" · ")]
        assert symbols == [SYMBOLS[s] for _, _, s in scored]
        checked += len(scored)
    assert checked >= 5 * selected.height


def test_every_status_and_a_list_match_occur_in_the_sample(built) -> None:  # type: ignore[no-untyped-def]
    # the agreement above covers every kind of cell, not only the easy ones
    result, _ = built
    entries = result.selected.select(pl.col("breakdown").explode().struct.unnest())
    assert set(entries["status"]) >= {"match", "miss", "unknown"}
    listed = entries.filter(pl.col("shown").str.contains(r" \(of \d+ (technologies|departments)\)"))
    assert listed.height > 0
    assert (listed["matched"].is_not_null()).all()
