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
        "4 rows -> 3 companies (1 duplicates merged into 1 clusters); "
        f"wrote {out / 'companies.csv'}, {out / 'clusters.csv'}, {out / 'rejects.csv'}\n"
    )
    companies = pl.read_csv(out / "companies.csv", infer_schema=False)
    acme = companies.filter(pl.col("cluster_id") == "C000001").row(0, named=True)
    assert (acme["name"], acme["employees"], acme["duplicate_count"]) == ("ACME", "150", "1")
    assert acme["source_rows"] == f"{b}:2; {a}:2"
    clusters = pl.read_csv(out / "clusters.csv", infer_schema=False)
    assert clusters["role"].to_list() == ["survivor", "duplicate"]
    assert clusters["reason"].to_list()[0] == f"{a}:2 (same domain, name 100)"
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
