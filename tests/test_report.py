"""report.html: the funnel numbers equal funnel.json; self-contained; selection summary."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest
from test_export_sample import AS_OF, FUNNEL, PROFILES_INFO, scored_frame

from listbuilder.export import write_outputs
from listbuilder.export.report import priority_matrix, score_histogram, selection_summary
from listbuilder.rank import rank_companies


class FunnelCells(HTMLParser):
    """Collects (stage, field) -> text of cells marked with data-field, and every tag name."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, ...], str] = {}
        self.tags: list[tuple[str, dict]] = []
        self._row: dict[str, str] = {}
        self._key: tuple[str, ...] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag == "tr":
            self._row = a
        elif tag in ("td", "th") and "data-field" in a and "data-stage" in self._row:
            key = (self._row["data-stage"], self._row.get("data-reason", ""), a["data-field"])
            self._key = key
            self.cells[key] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._key = None

    def handle_data(self, data: str) -> None:
        if self._key is not None:
            self.cells[self._key] += data


def number(text: str) -> int:
    return int(text.replace(",", "").strip())


def build(out: Path) -> tuple[dict, FunnelCells]:
    selected, _ = rank_companies(scored_frame())
    write_outputs(out, selected=selected, rejects=pl.DataFrame(), funnel=FUNNEL,
                  profiles_info=PROFILES_INFO, as_of=AS_OF, brief_formats=("html",))  # fmt: skip
    funnel = json.loads((out / "funnel.json").read_text(encoding="utf-8"))
    parser = FunnelCells()
    parser.feed((out / "report.html").read_text(encoding="utf-8"))
    return funnel, parser


def test_report_funnel_numbers_equal_funnel_json(tmp_path: Path) -> None:
    funnel, html = build(tmp_path)
    cells = {k: number(v) for k, v in html.cells.items()}
    assert cells[("read", "", "out")] == funnel["read"]
    assert cells[("selected", "", "out")] == funnel["selected"]
    for st in funnel["stages"]:
        for field in ("in", "out", "dropped"):
            assert cells[(st["stage"], "", field)] == st[field], (st["stage"], field)
        for reason, count in st["reasons"].items():
            assert cells[(st["stage"], reason, "count")] == count


def test_report_is_self_contained(tmp_path: Path) -> None:
    _, html = build(tmp_path)
    tags = {t for t, _ in html.tags}
    assert (
        "script" not in tags and "link" not in tags and "img" not in tags and "iframe" not in tags
    )
    assert "svg" in tags
    for _, attrs in html.tags:
        assert not any(k.startswith("on") for k in attrs)
        assert not attrs.get("src")
    hrefs = [a["href"] for t, a in html.tags if t == "a"]
    assert hrefs and all(h.startswith("briefs/") for h in hrefs)


def test_report_shows_selection(tmp_path: Path) -> None:
    build(tmp_path)
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    for snippet in ("From 10 rows to 4 accounts", "Tier (combined score)",
                    "Fit tier × timing (priority)", "Top industries",
                    "Score distribution", "Acme Analytics", "suppressed: customer"):  # fmt: skip
        assert snippet in text
    assert "&#34;http://x&#34;" in text or "&quot;http://x&quot;" in text  # autoescaped name


def test_score_histogram_bins() -> None:
    df = pl.DataFrame({"score": [0.0, 9.99, 10.0, 55.5, 100.0, None]})
    hist = score_histogram(df)
    assert len(hist) == 10
    assert hist[0] == {"from": 0, "to": 10, "accounts": 2}
    assert hist[1]["accounts"] == 1 and hist[5]["accounts"] == 1
    assert hist[9] == {"from": 90, "to": 100, "accounts": 1}


def test_selection_summary_orders_ties_by_name() -> None:
    df = pl.DataFrame({"industry": ["b", "a", "b", "c"], "country": ["US"] * 4,
                       "score": [1.0] * 4, "tier": ["A"] * 4})  # fmt: skip
    summary = selection_summary(df)
    assert summary["top_industries"] == [
        {"industry": "b", "accounts": 2}, {"industry": "a", "accounts": 1},
        {"industry": "c", "accounts": 1},
    ]  # fmt: skip
    assert summary["owners"] == []


def test_many_reasons_are_summarised(tmp_path: Path) -> None:
    funnel = {**FUNNEL, "stages": [dict(st) for st in FUNNEL["stages"]]}
    funnel["stages"][1]["reasons"] = {f"duplicate of C{i:06d}": 1 for i in range(40)}
    selected, _ = rank_companies(scored_frame())
    write_outputs(tmp_path, selected=selected, rejects=pl.DataFrame(), funnel=funnel,
                  profiles_info=PROFILES_INFO, as_of=AS_OF)  # fmt: skip
    parser = FunnelCells()
    parser.feed((tmp_path / "report.html").read_text(encoding="utf-8"))
    shown = [k for k in parser.cells if k[0] == "dedupe" and k[1]]
    assert len(shown) == 12
    assert "… 28 more reasons (see rejects.csv)" in (tmp_path / "report.html").read_text()


MATRIX = [
    # (tiers, fit tiers, timing tiers, rows, tier_differs)
    (["A", "B"], ["A", "B"], [1, 3], [("A", [1, 0, 0]), ("B", [0, 0, 1])], 0),
    (["A", "A"], ["B", "A"], [1, 1], [("A", [1, 0, 0]), ("B", [1, 0, 0])], 1),
    ([None, "C"], [None, "C"], [2, 2], [("C", [0, 1, 0]), ("none", [0, 1, 0])], 0),
    (["C", None], ["C", "C"], [3, 3], [("C", [0, 0, 2])], 1),
]


@pytest.mark.parametrize(("tiers", "fits", "timings", "rows", "differs"), MATRIX)
def test_priority_matrix_counts_and_tier_disagreements(tiers, fits, timings, rows, differs) -> None:
    schema = {"tier": pl.String, "fit_tier": pl.String, "timing_tier": pl.Int64}
    df = pl.DataFrame({"tier": tiers, "fit_tier": fits, "timing_tier": timings}, schema=schema)
    matrix = priority_matrix(df)
    assert [(r["fit_tier"], r["counts"]) for r in matrix["rows"]] == rows
    assert matrix["total"] == 2 and matrix["tier_differs"] == differs
    # both tables count every selected account
    assert sum(sum(r["counts"]) for r in matrix["rows"]) == sum(
        selection_summary(df)["tiers"].values()
    )


def test_report_explains_tier_versus_priority(tmp_path: Path) -> None:
    # Globex: fit tier C, but a live signal lifts its combined score to tier B.
    selected, _ = rank_companies(scored_frame().with_columns(
        tier=pl.Series(["A", "B", "B", None]), score=pl.Series([97.5, 70.0, 72.0, 20.0])
    ))  # fmt: skip
    write_outputs(tmp_path, selected=selected, rejects=pl.DataFrame(), funnel=FUNNEL,
                  profiles_info=PROFILES_INFO, as_of=AS_OF, brief_formats=("md",))  # fmt: skip
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Both tables count the same 4 accounts." in text
    assert "a live signal can lift an account's tier above its fit tier (1 of 4 accounts here)" in (
        text.replace("&#39;", "'")
    )
    assert "<td>no tier</td>" in text and "<td>no fit tier</td>" in text
    brief = (tmp_path / "briefs" / "0002-globex.com.md").read_text(encoding="utf-8")
    assert "**C2 — low priority** · fit tier C × timing 2 · score 72.0" in brief
    assert "· tier B (combined score) ·" in brief
