"""End to end: build on the committed sample; the funnel closes; runs are byte-identical."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from listbuilder.pipeline import BuildResult, build, format_funnel, funnel_counts
from listbuilder.schema import REJECT_SCHEMA

TOP = 50


def _as_of(sample_dir: Path) -> date:
    return date.fromisoformat((sample_dir / "AS_OF").read_text().strip())


def _build(sample_dir: Path, out: Path, **kwargs: object) -> BuildResult:
    kwargs.setdefault("top", TOP)
    return build(
        [sample_dir / "companies.csv"],
        profiles=["filters/b2b_saas.toml"],
        signals=[sample_dir / "events.csv"],
        suppress=[sample_dir / "crm_accounts.csv"],
        as_of=_as_of(sample_dir),
        out_dir=out,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def built(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, Path]:
    out = tmp_path_factory.mktemp("build")
    return _build(sample_dir, out), out


def test_selects_exactly_top_and_writes_a_brief_each(built: tuple[BuildResult, Path]) -> None:
    result, out = built
    assert result.selected.height == TOP
    assert result.selected["rank"].to_list() == list(range(1, TOP + 1))
    briefs = sorted(p for p in (out / "briefs").glob("*.md") if p.name != "index.md")
    assert len(briefs) == TOP
    targets = pl.read_csv(out / "targets.csv", infer_schema=False)
    assert targets.height == TOP
    assert targets["score"].cast(pl.Float64).to_list() == sorted(
        targets["score"].cast(pl.Float64).to_list(), reverse=True
    )


def test_every_input_row_is_selected_or_rejected_once(
    built: tuple[BuildResult, Path], sample_dir: Path
) -> None:
    result, out = built
    with open(sample_dir / "companies.csv", newline="", encoding="utf-8") as f:
        data_rows = sum(1 for _ in csv.reader(f)) - 1
    assert result.funnel["read"] == data_rows
    rejects = pl.read_csv(out / "rejects.csv", infer_schema=False)
    assert rejects.columns == list(REJECT_SCHEMA)
    kept = result.selected.select("source", "line")
    dropped = rejects.select("source", pl.col("line").cast(pl.Int64))
    both = pl.concat([kept, dropped])
    assert both.height == data_rows
    assert both.unique().height == data_rows  # no row counted twice
    assert sorted(both["line"].to_list()) == list(range(2, data_rows + 2))


def test_funnel_closes_per_stage_and_reason(built: tuple[BuildResult, Path]) -> None:
    result, _ = built
    funnel = result.funnel
    assert [s["stage"] for s in funnel["stages"]] == [
        "ingest",
        "dedupe",
        "suppress",
        "quality",
        "filter",
        "rank",
    ]
    for before, after in zip(funnel["stages"], funnel["stages"][1:], strict=False):
        assert after["in"] == before["out"]
    for stage in funnel["stages"]:
        assert stage["in"] - stage["out"] == stage["dropped"] == sum(stage["reasons"].values())
    assert funnel["read"] - sum(s["dropped"] for s in funnel["stages"]) == funnel["selected"]
    # each stage actually did something on the sample
    for stage in ("dedupe", "suppress", "filter", "rank"):
        assert next(s for s in funnel["stages"] if s["stage"] == stage)["dropped"] > 0, stage
    counts = result.rejects.group_by("stage").len()
    assert counts["len"].sum() == funnel["read"] - funnel["selected"]


def test_nothing_below_the_lowest_tier_is_selected(sample_dir: Path, tmp_path: Path) -> None:
    result = _build(sample_dir, tmp_path, top=None)  # capacity 1,200 > what qualifies
    assert 0 < result.selected.height < 1200
    assert result.selected["tier"].null_count() == 0
    assert result.selected["score"].min() >= 50
    rank = next(s for s in result.funnel["stages"] if s["stage"] == "rank")
    assert rank["reasons"]["below lowest tier"] > 0
    assert "below cut" not in rank["reasons"]


def test_signals_reach_the_targets(built: tuple[BuildResult, Path]) -> None:
    result, _ = built
    boosted = result.selected.filter(pl.col("signal_score") > 0)
    assert boosted.height > 0
    assert boosted["why_now"].null_count() == 0
    assert (result.selected["score"] <= 100).all()
    expected = result.selected.select(
        pl.min_horizontal(pl.col("fit_score") + pl.col("signal_score"), 100).round(1)
    ).to_series()
    assert (result.selected["score"] == expected).all()


def test_two_runs_are_byte_identical(sample_dir: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    _build(sample_dir, a, formats=("csv", "json"), brief_formats=("md", "html"))
    _build(sample_dir, b, formats=("csv", "json"), brief_formats=("md", "html"))
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b
    assert len(files_a) > TOP
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def _rejects(rows: list[tuple[str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "source": ["x.csv"] * len(rows),
            "line": list(range(2, len(rows) + 2)),
            "stage": [s for s, _ in rows],
            "reason": [r for _, r in rows],
            "name": [None] * len(rows),
            "domain": [None] * len(rows),
            "detail": [None] * len(rows),
        },
        schema=REJECT_SCHEMA,
    )


FUNNEL_CASES = [
    # (read, selected, rejects, expected outs per stage)
    (3, 3, [], [3, 3, 3, 3, 3, 3]),
    (
        5,
        1,
        [
            ("dedupe", "duplicate of C1"),
            ("filter", "failed: country"),
            ("filter", "failed: country"),
            ("rank", "below cut"),
        ],
        [5, 4, 4, 4, 2, 1],
    ),
    (4, 0, [("ingest", "no usable name or domain")] * 4, [0, 0, 0, 0, 0, 0]),
]


@pytest.mark.parametrize(("read", "selected", "rows", "outs"), FUNNEL_CASES)
def test_funnel_counts(
    read: int, selected: int, rows: list[tuple[str, str]], outs: list[int]
) -> None:
    funnel = funnel_counts(read=read, selected=selected, rejects=_rejects(rows))
    assert [s["out"] for s in funnel["stages"]] == outs
    assert funnel["read"] == read and funnel["selected"] == selected


def test_funnel_groups_duplicate_reasons() -> None:
    rows = [("dedupe", "duplicate of C000001"), ("dedupe", "duplicate of C000002")]
    funnel = funnel_counts(read=3, selected=1, rejects=_rejects(rows))
    assert funnel["stages"][1]["reasons"] == {"merged into a duplicate cluster": 2}


def test_funnel_counts_reasons_most_frequent_first() -> None:
    rows = [("filter", "b"), ("filter", "a"), ("filter", "b")]
    funnel = funnel_counts(read=3, selected=0, rejects=_rejects(rows))
    assert list(funnel["stages"][4]["reasons"].items()) == [("b", 2), ("a", 1)]


@pytest.mark.parametrize(
    ("read", "selected", "rows"),
    [(3, 2, []), (2, 2, [("rank", "below cut")]), (2, 1, [("mystery", "x")])],
)
def test_funnel_that_does_not_close_is_a_bug(
    read: int, selected: int, rows: list[tuple[str, str]]
) -> None:
    with pytest.raises(AssertionError, match="funnel does not close"):
        funnel_counts(read=read, selected=selected, rejects=_rejects(rows))


def test_format_funnel() -> None:
    rows = [("dedupe", "d")] * 2 + [("rank", "below cut")]
    funnel = funnel_counts(read=1003, selected=1000, rejects=_rejects(rows))
    assert format_funnel(funnel) == (
        "1,003 read → 1,003 usable → 1,001 unique → 1,001 not in CRM"
        " → 1,001 pass quality checks → 1,001 pass hard filters → 1,000 selected"
    )


def test_the_lists_own_funding_rounds_give_why_now_without_an_events_file(
    sample_dir: Path, tmp_path: Path
) -> None:
    result = build(
        [sample_dir / "companies.csv"],
        profiles=["b2b_saas"],
        as_of=_as_of(sample_dir),
        out_dir=tmp_path,
    )
    boosted = result.selected.filter(pl.col("signal_score") > 0)
    assert boosted.height > 0
    assert boosted["why_now"].str.contains("(from the list)", literal=True).all()
    assert result.unmatched_signals is None
    assert not (tmp_path / "signals_unmatched.csv").exists()
