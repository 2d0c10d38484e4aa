"""`listbuilder dedupe`: exit codes, the summary line and the files it writes."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from listbuilder.cli import main
from listbuilder.errors import EXIT_ERROR, EXIT_SUCCESS

LIST_A = """Company Name,Website,Employees,Company City,Company Country
Acme Inc,www.acme.com,120,Boston,United States
Globex,globex.io,40,Denver,United States
"""

LIST_B = """Company Name,Website,Employees,Company City,Company Country
ACME,https://acme.com/,150,Boston,United States
Initech,initech.com,300,Austin,United States
"""


@pytest.fixture
def lists(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(LIST_A, encoding="utf-8")
    b.write_text(LIST_B, encoding="utf-8")
    return a, b


def test_dedupe_writes_merged_list_clusters_and_rejects(
    tmp_path: Path, lists: tuple[Path, Path]
) -> None:
    a, b = lists
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["dedupe", str(a), str(b), "--out", str(out), "--source-priority", str(b)]
    )
    assert result.exit_code == EXIT_SUCCESS, result.output
    assert result.output == (
        "4 rows -> 3 companies (1 duplicates merged into 1 clusters; "
        "1 candidate pairs compared); "
        f"wrote {out / 'companies.csv'}, {out / 'clusters.csv'}, {out / 'rejects.csv'}\n"
    )
    companies = pl.read_csv(out / "companies.csv", infer_schema=False)
    acme = companies.filter(pl.col("cluster_id") == "C000001").row(0, named=True)
    assert (acme["name"], acme["employees"], acme["duplicate_count"]) == ("ACME", "150", "1")
    assert acme["source_rows"] == f"{b}:2; {a}:2"
    clusters = pl.read_csv(out / "clusters.csv", infer_schema=False)
    assert clusters["role"].to_list() == ["survivor", "duplicate"]
    assert clusters["reason"].to_list()[0] == (
        f"{a}:2 (name exact +14.2 · domain same +17.5 · city same +6.2 · country same +2.7 "
        "· size same +2.2 → p >0.9999)"
    )
    rejects = pl.read_csv(out / "rejects.csv", infer_schema=False)
    assert rejects.select("source", "line", "reason", "detail").rows() == [
        (str(a), "2", "duplicate of C000001", f"{b}:2")
    ]


def test_dedupe_missing_list_is_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["dedupe", str(tmp_path / "nope.csv"), "--out", "x"])
    assert result.exit_code == EXIT_ERROR
    assert result.output.startswith("Error: ")
    assert "nope.csv" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_dedupe_help_has_example() -> None:
    result = CliRunner().invoke(main, ["dedupe", "--help"])
    assert result.exit_code == EXIT_SUCCESS
    assert "Example: listbuilder dedupe vendor_a.csv vendor_b.xlsx --out deduped/" in result.output


def test_explain_pair_of_merged_rows(tmp_path: Path, lists: tuple[Path, Path]) -> None:
    a, b = lists
    result = CliRunner().invoke(
        main, ["dedupe", str(a), str(b), "--explain-pair", f"{a}:2", f"{b}:2"]
    )
    assert result.exit_code == EXIT_SUCCESS, result.output
    first, waterfall, verdict = result.output.splitlines()
    assert first == f"{a}:2 Acme Inc  vs  {b}:2 ACME"
    assert waterfall.startswith("prior −") or waterfall.startswith("prior -")
    assert " · name exact +" in waterfall
    assert " · domain same +" in waterfall
    assert waterfall.endswith("→ p >0.9999")
    assert verdict == "threshold p 0.99 → merged (cluster C000001)"
    assert not (tmp_path / "out").exists()


def test_explain_pair_of_rows_kept_apart(lists: tuple[Path, Path]) -> None:
    a, b = lists
    result = CliRunner().invoke(
        main, ["dedupe", str(a), str(b), "--explain-pair", f"{a}:3", f"{b}:3"]
    )
    assert result.exit_code == EXIT_SUCCESS, result.output
    _, waterfall, verdict = result.output.splitlines()
    assert "name differs −" in waterfall
    assert "domain differs −" in waterfall
    assert "city differs −" in waterfall
    assert waterfall.endswith("→ p <0.001")
    assert verdict.startswith("threshold p 0.99 → not merged (C00000")


@pytest.mark.parametrize(
    ("refs", "message"),
    [
        (["x.csv:2", "y.csv:2"], "no such row among the usable rows"),
        (["12", "14"], "is in several files"),
        (["a:b", "2"], "expected a row as in clusters.csv, e.g. companies.csv:12"),
    ],
)
def test_explain_pair_bad_rows_are_one_line_errors(
    lists: tuple[Path, Path], refs: list[str], message: str
) -> None:
    a, b = lists
    if refs == ["12", "14"]:
        refs = ["2", "3"]
    result = CliRunner().invoke(main, ["dedupe", str(a), str(b), "--explain-pair", *refs])
    assert result.exit_code == EXIT_ERROR
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_dedupe_without_out_or_explain_is_a_usage_error(lists: tuple[Path, Path]) -> None:
    result = CliRunner().invoke(main, ["dedupe", str(lists[0])])
    assert result.exit_code == 2
    assert "--out is required (or --explain-pair ROW_A ROW_B)" in result.output


def test_match_probability_comes_from_the_profile(tmp_path: Path, lists: tuple[Path, Path]) -> None:
    a, b = lists
    profile = tmp_path / "p.toml"
    base = Path(__file__).resolve().parents[1] / "filters" / "b2b_saas.toml"
    profile.write_text(base.read_text(encoding="utf-8") + "\n[dedupe]\nmatch_probability = 1.5\n")
    result = CliRunner().invoke(main, ["dedupe", str(a), "--profile", str(profile), "--out", "x"])
    assert result.exit_code == EXIT_ERROR
    assert "dedupe.match_probability: must be between 0.5 and 0.999999" in result.output
