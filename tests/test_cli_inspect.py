"""`listbuilder inspect`: output and one-line errors with exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from listbuilder.cli import main
from listbuilder.errors import EXIT_ERROR, EXIT_SUCCESS
from listbuilder.ingest import MAPPABLE_FIELDS

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"

LIST = (
    "Company Name,Website,# Employees,Annual Revenue,Owner\n"
    "Acme,acme.com,51-200,$10M - $50M,Ann\n"
    "Beta,beta.io,lots,#VALUE!,Bo\n"
    "Gamma,gamma.io,N/A,zillions,Cy\n"
)


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["inspect", *args])


def test_inspect_prints_what_it_understood(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(LIST, encoding="utf-8")
    result = invoke(str(path))
    assert result.exit_code == EXIT_SUCCESS, result.output
    assert result.output == (
        f"{path}\n"
        "  format: csv\n"
        "  encoding: utf-8\n"
        "  rows: 3\n"
        "  columns:\n"
        "    Company Name    -> name (100%, alias)\n"
        "    Website         -> website (100%, alias)\n"
        "    # Employees     -> employees (100%, alias)\n"
        "    Annual Revenue  -> revenue (100%, alias)\n"
        "    Owner           (passthrough)\n"
        "  parse rate:\n"
        "    name [Company Name]: 100.0% of 3\n"
        "    website [Website]: 100.0% of 3\n"
        "    employees [# Employees]: 50.0% of 3 (1 unparsed, 1 placeholders)\n"
        "      unparsed e.g. 'lots'\n"
        "    revenue [Annual Revenue]: 50.0% of 3 (1 unparsed, 1 placeholders)\n"
        "      unparsed e.g. 'zillions'\n"
        "  placeholders nulled: 2\n"
    )


def test_inspect_with_map_format_and_encoding(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_bytes("Org;Heads\nCaf\xe9 Co;11-50\n".encode("cp1252"))
    result = invoke(
        str(path),
        "--format",
        "csv",
        "--encoding",
        "cp1252",
        "--map",
        "Org=name",
        "--map",
        "Heads=employees",
    )
    assert result.exit_code == EXIT_SUCCESS, result.output
    assert "  format: csv, delimiter ';'\n  encoding: cp1252\n" in result.output
    assert "Org    -> name (100%, override)" in result.output
    assert "employees [Heads]: 100.0% of 1\n" in result.output


def test_several_files_are_separated_by_a_blank_line(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("name\nAcme\n", encoding="utf-8")
    b.write_text("website\nbeta.io\n", encoding="utf-8")
    result = invoke(str(a), str(b))
    assert result.exit_code == EXIT_SUCCESS
    assert f"placeholders nulled: 0\n\n{b}\n" in result.output


def bad_inputs(tmp_path: Path) -> list[tuple[list[str], str]]:
    png = tmp_path / "data.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    good = tmp_path / "good.csv"
    good.write_text("name,site\nAcme,acme.com\n", encoding="utf-8")
    nothing = tmp_path / "nothing.csv"
    nothing.write_text("foo,bar\n1,2\n", encoding="utf-8")
    missing = tmp_path / "missing.csv"
    return [
        ([str(missing)], f"Error: {missing}: no such file\n"),
        (
            [str(png)],
            f"Error: {png}: not a text file (looks binary); export the list as "
            "CSV, XLSX, Parquet or JSON\n",
        ),
        ([str(empty)], f"Error: {empty}: empty file; export the list with a header row\n"),
        (
            [str(good), "--map", "site=webby"],
            "Error: --map 'site=webby': unknown field 'webby'; valid fields: "
            + ", ".join(MAPPABLE_FIELDS)
            + "\n",
        ),
        (
            [str(good), "--map", "nosuch=name"],
            f"Error: --map 'nosuch=name': no column 'nosuch' in {good} (headers: name, site); "
            "copy the header exactly\n",
        ),
        (
            [str(good), "--encoding", "klingon"],
            "Error: --encoding 'klingon': unknown encoding; use e.g. utf-8, cp1252 or latin-1\n",
        ),
        (
            [str(nothing)],
            f"Error: {nothing}: no column for the company name or website "
            "(headers: foo, bar); use --map 'Header=name'\n",
        ),
    ]


@pytest.mark.parametrize("case", range(7))
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, case: int) -> None:
    args, message = bad_inputs(tmp_path)[case]
    result = invoke(*args)
    assert result.exit_code == EXIT_ERROR
    assert result.output == message


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(main, ["inspect", "--help"])
    assert result.exit_code == EXIT_SUCCESS
    assert "Example: listbuilder inspect" in result.output


def test_real_lists_inspect_without_map() -> None:
    paths = [
        SHARED / "crunchbase_2014" / "companies.csv",
        SHARED / "yc_companies" / "yc_companies.csv",
        SHARED / "fortune500_2020" / "fortune_500_companies.csv",
    ]
    if not all(p.exists() for p in paths):
        pytest.skip("../shared/data is absent")
    result = invoke(*map(str, paths))
    assert result.exit_code == EXIT_SUCCESS, result.output
    assert "homepage_url       -> website (100%, alias)" in result.output
    assert "all_locations  -> location (100%, alias)" in result.output
    assert "company       -> name (100%, alias)" in result.output
