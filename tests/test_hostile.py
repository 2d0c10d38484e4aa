"""Hostile inputs (issue 16): every command answers a bad or malicious input with one line
on stderr and exit 2, or with a reasoned reject row; never a traceback, never a vanished
row, never a cache or output that makes the next run crash.

Tables first (one line per case), then a sweep that runs every command over a corpus of
hostile files and checks the promise generically.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import os
import random
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner, Result

from listbuilder.cli import main
from listbuilder.errors import EXIT_ERROR, EXIT_FAIL, EXIT_INTERNAL, EXIT_SUCCESS, InputError
from listbuilder.ingest import read_companies, read_raw
from listbuilder.ingest import values as V
from listbuilder.profile import load_profile
from listbuilder.profile.nesting import MAX_TOML_DEPTH, toml_nesting

REPO = Path(__file__).resolve().parents[1]
PROFILE = str(REPO / "filters" / "b2b_saas.toml")
HEADER = "Company Name,Website,Employees,Revenue,Country,Founded Year,Total Funding,Industry\n"
GOOD_ROW = "Beta Systems,beta.com,300,1000000,US,2001,5000000,SaaS\n"

# Numbers past any real range, as vendors' exports (or attackers) write them.
HUGE_NUMBERS = [
    "1e19",
    "1e30",
    "-1e308",
    "1e308",
    "1e400",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999999",
    "inf",
    "-inf",
    "Infinity",
    "nan",
    "1e19-1e30",
    "$1e300 - $1e308",
    "1e308+",
    "under 1e400",
]


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def error_lines(result: Result) -> list[str]:
    """stderr lines, minus click's own usage boilerplate around a usage error."""
    return [
        line
        for line in result.stderr.splitlines()
        if line.strip()
        and not line.startswith(("Usage: ", "Try '"))
        and not line.startswith("warning:")
    ]


def assert_refused(result: Result, *fragments: str) -> None:
    """Exit 2 with one error line holding every fragment, and no traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == EXIT_ERROR, result.output
    lines = error_lines(result)
    assert len(lines) == 1, lines
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.output


# --- values never leave ingest out of range -------------------------------------------

PARSER_CASES: list[tuple[Callable[[pl.Expr], pl.Expr], str, object]] = [
    *((V.parse_employees, raw, None) for raw in HUGE_NUMBERS),
    *((V.parse_money, raw, None) for raw in HUGE_NUMBERS),
    *((V.parse_year, raw, None) for raw in HUGE_NUMBERS),
    *((V.parse_date, raw, None) for raw in HUGE_NUMBERS),
    (V.parse_employees, "10000000", 10_000_000),  # the largest plausible count
    (V.parse_employees, "10000001", None),
    (V.parse_employees, "1,001-5,000", 3000),
    (V.parse_money, "$10M - $50M", 30_000_000.0),
    (V.parse_money, "$20T", None),  # past MAX_USD
    (V.parse_date, "0001-01-01", None),
    (V.parse_date, "9999-12-31", None),
    (V.parse_date, "1/1/0001", None),
    (V.parse_date, "1799-12-31", None),
    (V.parse_date, "1800-01-01", dt.date(1800, 1, 1)),
    (V.parse_date, "2199-12-31", dt.date(2199, 12, 31)),
    (V.parse_date, "99999999999", None),  # 11 digits: neither a serial nor Unix seconds
    (V.parse_year, "0001", None),
    (V.parse_year, "9999", None),
    (V.parse_year, "2012", 2012),
]


@pytest.mark.parametrize(("parser", "raw", "expected"), PARSER_CASES)
def test_parsers_turn_impossible_values_into_null(
    parser: Callable[[pl.Expr], pl.Expr], raw: str, expected: object
) -> None:
    got = pl.DataFrame({"v": [raw]}).select(parser(pl.col("v"))).item()
    assert got == expected


def test_employee_bounds_of_huge_ranges_are_null() -> None:
    frame = pl.DataFrame({"v": ["1e19-1e30", "10-1e30", "1e308+", "<1e400", "11-50"]})
    got = frame.select(V.parse_employee_bounds(pl.col("v"))).to_series().to_list()
    assert got[:4] == [{"min": None, "max": None}] * 4
    assert got[4] == {"min": 11, "max": 50}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0001-01-01", True), ("9999-12-31", True), ("2020-01-01", False), ("soon", False)],
)
def test_date_out_of_range_tells_range_from_garbage(raw: str, expected: object) -> None:
    assert pl.select(V.date_out_of_range(pl.lit(raw))).item() is expected


@pytest.mark.parametrize("raw", HUGE_NUMBERS)
def test_huge_numbers_are_flagged_not_crashed_in_every_numeric_field(
    tmp_path: Path, raw: str
) -> None:
    path = tmp_path / "n.csv"
    cell = f'"{raw}"'
    path.write_text(HEADER + f"Acme,acme.com,{cell},{cell},US,{cell},{cell},SaaS\n" + GOOD_ROW)
    got = read_companies(path)
    row = got.companies.row(0, named=True)
    assert [row[f] for f in ("employees", "revenue", "founded_year", "total_funding")] == [None] * 4
    flagged = row["unparsed"] or ""
    if raw.lower() not in ("nan",):  # `nan` is a placeholder: nulled, not "unparsed"
        assert f"employees={raw}" in flagged
    assert got.companies.height == 2 and got.rejects.height == 0


# --- input headers that collide with our own columns ---------------------------------

COLLIDING = [
    "cluster_id",
    "duplicate_count",
    "source_rows",
    "rank",
    "score",
    "row_id",
    "fit_score",
    "signal_score",
    "priority",
    "tier",
    "source",
    "line",
    "unparsed",
    "domain",
    "name_key",
    "why",
    "owner",
    "quality",
    "_i",
    "pts: Mid-market size",
]


_VALUES = ["C9", "3", "x.csv:2", "1", "99", "7", "88", "10", "A1", "A", "evil.csv", "4"]
_VALUES += ["foo", "evil.com", "evil", "because", "bob", "ok", "5", "30"]
COLLIDE_TEXT = (
    "\n".join(
        [
            "Company Name,Website," + ",".join(f'"{c}"' for c in COLLIDING),
            f"Acme,acme.com,{','.join(_VALUES)}",
            f"Acme Inc,acme.com,{','.join(_VALUES)}",
        ]
    )
    + "\n"
)


def _colliding_file(tmp_path: Path) -> Path:
    path = tmp_path / "collide.csv"
    path.write_text(COLLIDE_TEXT)
    return path


def test_colliding_headers_are_renamed_input_and_reported(tmp_path: Path) -> None:
    got = read_companies(_colliding_file(tmp_path))
    frame, report = got.companies, got.reports[0]
    input_line = "input_line"  # the raw reader already reserves `line`
    for name in COLLIDING:
        expected = input_line if name == "line" else f"input_{name}"
        assert expected in frame.columns, name
    assert frame["row_id"].to_list() == [0, 1]
    assert frame["source"].unique().to_list() == [str(tmp_path / "collide.csv")]
    assert report.renamed["cluster_id"] == "input_cluster_id"
    result = invoke("inspect", str(tmp_path / "collide.csv"))
    assert result.exit_code == EXIT_SUCCESS
    assert "'cluster_id' -> 'input_cluster_id'" in result.output


def test_renamed_header_never_takes_an_existing_name(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("name,score,input_score\nAcme,1,2\n")
    frame = read_companies(path).companies
    assert frame.select("input_score", "input_score_2").row(0) == ("2", "1")


def test_dedupe_reruns_on_its_own_output(tmp_path: Path) -> None:
    first = invoke("dedupe", str(_colliding_file(tmp_path)), "--out", str(tmp_path / "a"))
    assert first.exit_code == EXIT_SUCCESS, first.output
    assert "2 rows -> 1 companies" in first.output
    for run, out in (("a", "b"), ("b", "c")):
        again = invoke(
            "dedupe", str(tmp_path / run / "companies.csv"), "--out", str(tmp_path / out)
        )
        assert again.exit_code == EXIT_SUCCESS, again.output
        assert "1 rows -> 1 companies" in again.output


def test_build_reads_its_own_targets(tmp_path: Path) -> None:
    sample = REPO / "fixtures" / "sample" / "vendor_zoominfo.csv"
    first = invoke("build", str(sample), "--profile", PROFILE, "--out", str(tmp_path / "a"))
    assert first.exit_code == EXIT_SUCCESS, first.output
    targets = tmp_path / "a" / "targets.csv"
    again = invoke("build", str(targets), "--profile", PROFILE, "--out", str(tmp_path / "b"))
    assert again.exit_code == EXIT_SUCCESS, again.output
    funnel = json.loads((tmp_path / "b" / "funnel.json").read_text())
    assert funnel["read"] == len(targets.read_text().splitlines()) - 1


# --- XLSX cells of every type ----------------------------------------------------------


def test_xlsx_cells_of_every_type(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Company Name", "Website", "Employees", "Revenue", "Founded Year", "Country"])
    ws.append(["Acme", "acme.com", dt.datetime(2020, 1, 1), True, dt.date(1900, 1, 1), 123])
    ws.append([True, False, "#N/A", "#REF!", "#DIV/0!", "#NAME?"])
    ws.append([12345, 3.5, 1e19, 1e308, -1e308, dt.time(12, 0)])
    ws.append(['=A2&"x"', "=1/0", "=SUM(1,2)", 1e30, 2**63, None])
    ws.append(["Beta", "beta.com", 300, 1_000_000, 2001, "US"])
    path = tmp_path / "cells.xlsx"
    wb.save(path)
    got = read_companies(path)
    frame = got.companies
    assert frame.height == 5 and got.rejects.height == 0
    assert frame["employees"].to_list() == [None, None, None, None, 300]
    assert frame["founded_year"].to_list()[4] == 2001
    result = invoke("build", str(path), "--profile", PROFILE, "--out", str(tmp_path / "out"))
    assert result.exit_code in (EXIT_SUCCESS, EXIT_FAIL), result.output
    assert_funnel_closes(tmp_path / "out", read=5)


def test_xlsx_formulas_with_cached_values(tmp_path: Path) -> None:
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "formulas.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    for col, header in enumerate(["Company Name", "Website", "Employees", "Revenue"]):
        ws.write(0, col, header)
    ws.write_formula(1, 0, '="Acme"&" Inc"', None, "Acme Inc")
    ws.write(1, 1, "acme.com")
    ws.write_formula(1, 2, "=100*3", None, 300)
    ws.write_formula(1, 3, "=1/0", None, "#DIV/0!")
    ws.write_boolean(2, 0, True)
    ws.write(2, 1, "b.com")
    ws.write_number(2, 2, 1e19)
    ws.write_formula(2, 3, "=NA()", None, "#N/A")
    wb.close()
    frame = read_companies(path).companies
    assert frame.select("name", "employees", "revenue").rows() == [
        ("Acme Inc", 300, None),
        ("true", None, None),
    ]


# --- deeply nested TOML ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ('a = "[[[["  # [[[[\nb = [[1], [2]]\n', 2),
        ("c = '''\n[[[[\n'''\nd = {a = {b = [1]}}\n", 3),
        ('x = "\\"[[["\n', 0),
        ("[[criterion]]\nname = 'x'\n", 2),
        ("x = " + "[" * 500 + "]" * 500 + "\n", 500),
        ("y = " + "{a = " * 300 + "1" + "}" * 300 + "\n", 300),
    ],
)
def test_toml_nesting(text: str, depth: int) -> None:
    assert toml_nesting(text)[0] == depth


@pytest.mark.parametrize(
    "tail",
    [
        "x = " + "[" * 5000 + "]" * 5000,
        "y = " + "{a = " * 3000 + "1" + "}" * 3000,
        "z = " + "[{a = " * 40 + "1" + "}]" * 40,
    ],
)
def test_deeply_nested_profile_is_refused_with_file_and_depth(tmp_path: Path, tail: str) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(Path(PROFILE).read_text() + "\n" + tail + "\n")
    result = invoke("profile", "check", str(path))
    assert_refused(result, str(path), "nested", f"limit is {MAX_TOML_DEPTH}")
    build = invoke(
        "build",
        str(REPO / "fixtures/sample/vendor_zoominfo.csv"),
        "--profile",
        str(path),
        "--out",
        str(tmp_path / "o"),
    )
    assert_refused(build, str(path), "nested")


def test_every_shipped_profile_is_shallow() -> None:
    for path in (REPO / "filters").glob("*.toml"):
        assert toml_nesting(path.read_text())[0] <= 3, path
        load_profile(path)


# --- dates out of range ----------------------------------------------------------------

EVENTS_HEADER = "domain,company_name,kind,date,round_type,amount_usd,headcount\n"


def test_signal_dates_out_of_range_are_reasoned_rejects(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text(
        EVENTS_HEADER
        + "lefevrelogiciels.fr,,funding,0001-01-01,Series B,1e19,\n"
        + "lefevrelogiciels.fr,,funding,9999-12-31,Series B,1,\n"
        + "lefevrelogiciels.fr,,funding,1/1/0001,Series B,1,\n"
        + "lefevrelogiciels.fr,,funding,someday,Series B,1,\n"
        + "lefevrelogiciels.fr,,headcount,2026-10-01,,,1e30\n"
        + "lefevrelogiciels.fr,,funding,2026-10-01,Series B,9223372036854775808,\n"
    )
    out = tmp_path / "out"
    result = invoke(
        "build",
        str(REPO / "fixtures/sample/vendor_zoominfo.csv"),
        "--profile",
        PROFILE,
        "--signals",
        str(events),
        "--as-of",
        "2026-11-01",
        "--out",
        str(out),
    )
    assert result.exit_code == EXIT_SUCCESS, result.output
    with (out / "signals_unmatched.csv").open() as f:
        reasons = {int(r["line"]): r["reason"] for r in csv.DictReader(f)}
    out_of_range = "event: event date out of range (1800-01-01 to 2199-12-31)"
    assert reasons[2].startswith(out_of_range) and "0001-01-01" in reasons[2]
    assert reasons[3].startswith(out_of_range)
    assert reasons[4].startswith(out_of_range)
    assert reasons[5].startswith("event: event date did not parse")
    assert reasons[6] == "event: headcount is not a count from 0 to 10,000,000: headcount=1e30"
    assert 7 not in reasons  # a usable round whose amount is implausible: amount nulled


DEALS = str(REPO / "fixtures" / "sample" / "deals.csv")
LIST = str(REPO / "fixtures" / "sample" / "vendor_zoominfo.csv")
AS_OF_COMMANDS = [
    ["build", LIST, "--profile", PROFILE, "--out", "{tmp}/o"],
    ["backtest", DEALS, "--profile", PROFILE, "--out", "{tmp}/b"],
    ["learn", DEALS, "--out", "{tmp}/l.toml"],
    ["review", DEALS, "--profile", PROFILE],
    ["explain", "lefevrelogiciels.fr", "--profile", PROFILE, LIST],
]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1799-12-31", "2200-01-01"])
@pytest.mark.parametrize("command", AS_OF_COMMANDS, ids=[c[0] for c in AS_OF_COMMANDS])
def test_as_of_out_of_range_is_a_usage_error(tmp_path: Path, command: list[str], day: str) -> None:
    args = [a.format(tmp=tmp_path) for a in command] + ["--as-of", day]
    assert_refused(invoke(*args), "--as-of", day, "out of range", "1800-01-01")
    assert not (tmp_path / "o").exists() and not (tmp_path / "b").exists()


@pytest.mark.parametrize("window", ["100000000", "99999999999999999999", "36501", "6"])
def test_review_window_out_of_range_is_a_usage_error(window: str) -> None:
    result = invoke("review", DEALS, "--profile", PROFILE, "--window", window)
    assert_refused(result, "--window", window)


def test_review_library_refuses_a_huge_window() -> None:
    from listbuilder.learn import read_deals, review_deals

    read = read_deals(DEALS)
    with pytest.raises(InputError, match="window = 100000000"):
        review_deals(read.deals, load_profile(PROFILE), window=10**8)


# --- nothing to learn from -------------------------------------------------------------

DEALS_HEADER = "Deal Name,Company name,Create Date,Close Date,Deal Stage,Amount\n"
DEAL_FILES: dict[str, tuple[str, str]] = {
    "header_only": (DEALS_HEADER, "the file has a header but no deal rows"),
    "all_open": (
        DEALS_HEADER
        + "".join(
            f"D{i},Co{i},2026-0{1 + i % 9}-01,,Appointment Scheduled,100\n" for i in range(30)
        ),
        "all 30 deals are still open",
    ),
    "all_rejected": (
        DEALS_HEADER + "".join(f"D{i},Co{i},0001-01-01,,Closed Won,100\n" for i in range(5)),
        "all 5 deal rows were rejected (line 2: created date out of range",
    ),
}
DEAL_COMMANDS = {
    "learn": ["learn", "{deals}", "--out", "{tmp}/l.toml"],
    "backtest": ["backtest", "{deals}", "--profile", PROFILE, "--out", "{tmp}/b"],
    "review": ["review", "{deals}", "--profile", PROFILE],
}


@pytest.mark.parametrize("kind", DEAL_FILES)
@pytest.mark.parametrize("command", DEAL_COMMANDS)
def test_nothing_to_learn_from_is_one_line(tmp_path: Path, kind: str, command: str) -> None:
    text, message = DEAL_FILES[kind]
    deals = tmp_path / f"{kind}.csv"
    deals.write_text(text)
    args = [a.format(deals=deals, tmp=tmp_path) for a in DEAL_COMMANDS[command]]
    assert_refused(invoke(*args), str(deals), message, "nothing to learn from")
    assert not (tmp_path / "l.toml").exists()


def test_deal_amounts_past_any_range_are_rejected_with_a_reason(tmp_path: Path) -> None:
    from listbuilder.learn import read_deals

    deals = tmp_path / "d.csv"
    rows = [
        f"D{i},Co{i},2026-01-0{1 + i},2026-03-01,Closed Won,{v}"
        for i, v in enumerate(["1e19", "inf", "9223372036854775808", "-1e308", "50000"])
    ]
    deals.write_text(DEALS_HEADER + "\n".join(rows) + "\n")
    read = read_deals(deals)
    assert read.deals.height == 1
    assert read.rejects["reason"].to_list() == ["amount is not a number"] * 4


# --- the last line of defence ----------------------------------------------------------


def test_an_internal_error_is_one_line_and_exit_70(monkeypatch: pytest.MonkeyPatch) -> None:
    import listbuilder.ingest

    def boom(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug\nwith a second line")

    monkeypatch.setattr(listbuilder.ingest, "read_companies", boom)  # what inspect reads with
    result = invoke("inspect", LIST, env={"LISTBUILDER_DEBUG": ""})
    assert result.exit_code == EXIT_INTERNAL
    assert result.stderr.splitlines() == [
        "internal error: ZeroDivisionError: a bug — please report"
    ]
    debug = CliRunner().invoke(main, ["--debug", "inspect", LIST], env={"LISTBUILDER_DEBUG": ""})
    assert isinstance(debug.exception, ZeroDivisionError)


def test_an_os_error_names_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import listbuilder.ingest

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path / "x.csv"))

    monkeypatch.setattr(listbuilder.ingest, "read_companies", denied)
    result = invoke("inspect", LIST, env={"LISTBUILDER_DEBUG": ""})
    assert_refused(result, f"{tmp_path / 'x.csv'}: Permission denied")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_list_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "locked.csv"
    path.write_text(HEADER + GOOD_ROW)
    path.chmod(0)
    assert_refused(invoke("inspect", str(path)), str(path), "cannot read")


# --- readers: files that cannot be a list ----------------------------------------------


def test_gzip_bomb_is_refused_without_expanding_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from listbuilder.ingest import readers

    monkeypatch.setattr(readers, "_GUNZIP_FLOOR", 1 << 20)
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress(HEADER.encode() + b"a" * (8 << 20)))
    with pytest.raises(InputError, match="refused as a possible gzip bomb"):
        read_raw(path)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Company Name,Website\rAcme,acme.com\rBeta,beta.com\n", ["Acme", "Beta"]),
        (
            "Company Name,Website\r\nAcme,acme.com\rBeta,beta.com\nGamma,g.com\r\n",
            ["Acme", "Beta", "Gamma"],
        ),
        ('Company Name,Website\r"Ac\rme",acme.com\rBeta,beta.com\r', ["Ac\nme", "Beta"]),
    ],
)
def test_lone_carriage_returns_end_records(tmp_path: Path, text: str, names: list[str]) -> None:
    path = tmp_path / "cr.csv"
    path.write_bytes(text.encode())
    got = read_companies(path)
    assert got.companies["name"].to_list() == names
    assert got.rejects.height == 0


def test_boms_in_odd_places_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_text("\ufeff\ufeffCompany Name,\ufeffWebsite\n\ufeffAcme,acme.com\ufeff\n")
    frame = read_companies(path).companies
    assert frame.select("name", "website").row(0) == ("Acme", "acme.com")


# --- the sweep -------------------------------------------------------------------------


def _hostile_lists() -> dict[str, tuple[str | bytes | None, int | None]]:
    """name -> (content, data rows the funnel must read, or None when the file is refused).
    Content None: a directory; "missing": no file at all."""
    out: dict[str, tuple[str | bytes | None, int | None]] = {}

    def put(name: str, data: str | bytes | None, rows: int | None) -> None:
        out[name] = (data, rows)

    for i, raw in enumerate(HUGE_NUMBERS):
        cell = f'"{raw}"'
        row = f"Acme {i},acme{i}.com,{cell},{cell},US,{cell},{cell},SaaS\n"
        put(f"number_{i}.csv", HEADER + row + GOOD_ROW, 2)
    put("empty.csv", b"", None)
    put("blank_lines.csv", "\n\n  \n", None)
    put("header_only.csv", HEADER, 0)
    put("garbage.csv", bytes(range(256)) * 16, None)
    put("nul_in_header.csv", HEADER.encode() + b"Acme\x00Corp,acme.com,1,1,US,2000,1,SaaS\n", None)
    put("nul_late.csv", HEADER.encode() + GOOD_ROW.encode() * 1000 + b"X\x00,x.com,1,,,,,\n", 1001)
    put("zero_bytes.xlsx", b"", None)
    put("fake.xlsx", b"PK\x03\x04" + b"\x00garbage" * 40, None)
    put("fake.parquet", b"PAR1" + b"garbage" * 20, None)
    put("truncated.json", '[{"name": "Acme"}, ', None)
    put("deep.json", "[" * 5000 + "]" * 5000, None)
    put("scalar.json", "42", None)
    put(
        "ten_thousand_columns.csv",
        "Company Name,"
        + ",".join(f"c{i}" for i in range(10_000))
        + "\nAcme"
        + ",x" * 10_000
        + "\n",
        None,
    )
    put(
        "ten_thousand_fields.csv",
        "Company Name,Website\nAcme,acme.com" + ",x" * 10_000 + "\nBeta,beta.com\n",
        2,
    )
    put(
        "name_of_1mb.csv",
        "Company Name,Website\n" + "A" * (1 << 20) + ",acme.com\nBeta,beta.com\n",
        2,
    )
    put("bom_everywhere.csv", "\ufeff\ufeffCompany Name,\ufeffWebsite\n\ufeffAcme,acme.com\n", 1)
    put(
        "duplicate_headers.csv",
        "Company Name,Company Name,Website,Website\nAcme,Acme2,acme.com,b.com\n",
        1,
    )
    put("collide.csv", COLLIDE_TEXT, 2)
    put("lone_cr.csv", b"Company Name,Website\rAcme,acme.com\rBeta,beta.com\n", 2)
    put("mixed_cr.csv", b"Company Name,Website\r\nAcme,acme.com\rBeta,beta.com\nGamma,g.com\r\n", 3)
    put("control_chars.csv", "Company Name,Website\n\x1b[31mAcme\x07,acme.com\n", 1)
    put("formula_cells.csv", "Company Name,Website,Employees\n=cmd|'/c calc'!A1,acme.com,=1+1\n", 1)
    put("utf16.csv", "Company Name,Website\nAcme,acme.com\n".encode("utf-16"), 1)
    put("damaged.csv.gz", b"\x1f\x8b" + b"\x08garbage" * 8, None)
    put("ok.csv.gz", gzip.compress((HEADER + GOOD_ROW).encode()), 1)
    put("open_quote.csv", 'Company Name,Website\n"Acme,acme.com\nBeta,beta.com\n', None)
    put(
        "dates.csv",
        "Company Name,Website,Last Funding Date,Founded Year\n"
        "Acme,acme.com,0001-01-01,0001\nB,b.com,9999-12-31,9999\n",
        2,
    )
    put("only_delimiters.csv", ",,,,\n,,,,\n", None)
    put("no_name_column.csv", "foo,bar\n1,2\n", None)
    put("ragged.csv", "Company Name,Website\nAcme,acme.com,x,y\nBeta,beta.com\n", 2)
    put("a_directory.csv", None, None)
    put("missing.csv", "missing", None)
    return out


HOSTILE_LISTS = _hostile_lists()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, int | None]]:
    """The hostile lists written once per module: name -> (path, rows)."""
    d = tmp_path_factory.mktemp("hostile")
    out = {}
    for name, (data, rows) in HOSTILE_LISTS.items():
        path = d / name
        if data is None:
            path.mkdir()
        elif isinstance(data, bytes):
            path.write_bytes(data)
        elif data != "missing":
            path.write_text(data, encoding="utf-8")
        out[name] = (path, rows)
    return out


def assert_clean(result: Result, *, allowed: tuple[int, ...]) -> None:
    """The sweep's promise: a known exit code, no traceback, at most one error line."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in allowed, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    if result.exit_code == EXIT_ERROR:
        assert len(error_lines(result)) == 1, error_lines(result)


def assert_funnel_closes(out: Path, *, read: int | None) -> None:
    funnel = json.loads((out / "funnel.json").read_text())
    rejects = pl.read_csv(out / "rejects.csv", infer_schema=False).height
    assert funnel["read"] == funnel["selected"] + rejects
    assert funnel["read"] - sum(s["dropped"] for s in funnel["stages"]) == funnel["selected"]
    if read is not None:
        assert funnel["read"] == read


SWEEP = sorted(HOSTILE_LISTS)


@pytest.mark.parametrize("name", SWEEP)
def test_sweep_build(corpus: dict[str, tuple[Path, int | None]], tmp_path: Path, name: str) -> None:
    path, rows = corpus[name]
    out = tmp_path / "out"
    result = invoke("build", str(path), "--profile", PROFILE, "--out", str(out))
    # 1 only for the documented "nothing selected"
    assert_clean(result, allowed=(EXIT_SUCCESS, EXIT_FAIL, EXIT_ERROR))
    if rows is None:
        assert result.exit_code == EXIT_ERROR, result.output
        assert not out.exists()
        return
    assert result.exit_code in (EXIT_SUCCESS, EXIT_FAIL), result.output
    if result.exit_code == EXIT_FAIL:
        assert (out / "funnel.json").exists()
    assert_funnel_closes(out, read=rows)


@pytest.mark.parametrize("name", SWEEP)
def test_sweep_inspect_and_dedupe(
    corpus: dict[str, tuple[Path, int | None]], tmp_path: Path, name: str
) -> None:
    path, rows = corpus[name]
    inspected = invoke("inspect", str(path), "--profile", PROFILE)
    assert_clean(inspected, allowed=(EXIT_SUCCESS, EXIT_ERROR))
    deduped = invoke("dedupe", str(path), "--out", str(tmp_path / "d"))
    assert_clean(deduped, allowed=(EXIT_SUCCESS, EXIT_ERROR))
    if rows is None:
        assert inspected.exit_code == deduped.exit_code == EXIT_ERROR
        return
    assert inspected.exit_code == deduped.exit_code == EXIT_SUCCESS, deduped.output
    kept = pl.read_csv(tmp_path / "d" / "companies.csv", infer_schema=False).height
    rejected = pl.read_csv(tmp_path / "d" / "rejects.csv", infer_schema=False).height
    assert kept + rejected == rows  # merged, ragged and unusable rows are all in rejects.csv


@pytest.mark.parametrize("name", SWEEP)
def test_sweep_explain_and_enrich(
    corpus: dict[str, tuple[Path, int | None]], tmp_path: Path, name: str
) -> None:
    path, rows = corpus[name]
    explained = invoke("explain", "acme.com", "--profile", PROFILE, str(path))
    assert_clean(explained, allowed=(EXIT_SUCCESS, EXIT_ERROR))
    providers = tmp_path / "providers.toml"
    providers.write_text(
        '[[provider]]\nname = "x"\nurl = "http://127.0.0.1:9/{domain}"\n'
        '[provider.fields]\nemployees = "a.b"\n'
    )
    enriched = invoke(
        "enrich",
        str(path),
        "--providers",
        str(providers),
        "--dry-run",
        "--cache-dir",
        str(tmp_path / "cache"),
    )
    assert_clean(enriched, allowed=(EXIT_SUCCESS, EXIT_ERROR))
    if rows is None:
        assert explained.exit_code == enriched.exit_code == EXIT_ERROR


def _hostile_profiles() -> dict[str, str]:
    base = Path(PROFILE).read_text()
    return {
        "deep_array": base + "\nx = " + "[" * 3000 + "]" * 3000 + "\n",
        "deep_table": base + "\ny = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n",
        "deep_dotted": base + "\n[" + ".".join(["a"] * 3000) + "]\nb = 1\n",
        "binary": "\x00\xff\xfe" * 100,
        "huge_capacity": base.replace("capacity = 1200", "capacity = 99999999999999999999999"),
        "huge_weight": base.replace("weight = 30", "weight = 1e308", 1),
        "nan_weight": base.replace("weight = 30", "weight = nan", 1),
        "inf_tier": base.replace("A = 80", "A = inf", 1),
        "huge_half_life": base.replace("half_life_days = 45", "half_life_days = 1e300", 1),
        "huge_max_age": base.replace("max_age_days = 180", "max_age_days = 100000000000", 1),
        "unterminated": base + '\nname = "x\n',
    }


HOSTILE_PROFILES = _hostile_profiles()


@pytest.mark.parametrize("name", sorted(HOSTILE_PROFILES))
def test_sweep_hostile_profiles(tmp_path: Path, name: str) -> None:
    path = str(tmp_path / f"{name}.toml")
    Path(path).write_text(HOSTILE_PROFILES[name], encoding="utf-8")
    checked = invoke("profile", "check", path)
    assert_clean(checked, allowed=(EXIT_ERROR,))
    assert path in checked.stderr
    built = invoke("build", LIST, "--profile", path, "--out", str(tmp_path / "o"))
    assert_clean(built, allowed=(EXIT_ERROR,))
    assert not (tmp_path / "o").exists()


def test_sweep_counts(corpus: dict[str, tuple[Path, int | None]]) -> None:
    """Every kind of the issue is in the corpus: refusals and builds both."""
    refused = [n for n, (_, rows) in corpus.items() if rows is None]
    built = [n for n, (_, rows) in corpus.items() if rows is not None]
    assert len(refused) >= 15 and len(built) >= 30


# --- seeded fuzzing: arbitrary bytes, cells and TOML end in a result or our error -------
# (Hypothesis is not a dependency; a fixed seed keeps these deterministic and fast.)

_FUZZ_SEED = 16
_ALPHABET = "abcAZ09,,,;|\t\"'\r\n\n =#[]{}$€.-+eE\ufeff"


def _fuzz_bytes(rng: random.Random) -> bytes:
    shape = rng.randrange(5)
    if shape == 0:
        return rng.randbytes(rng.randrange(1, 600))
    text = "".join(rng.choice(_ALPHABET) for _ in range(rng.randrange(1, 400)))
    if rng.random() < 0.1:
        text += "\x00"
    if shape == 1:  # a list with a header and no quotes: it must parse, row by row
        text = "Company Name,Website,Employees\n" + text.replace('"', "")
    elif shape == 2:
        text = "[" + text if rng.random() < 0.5 else "{" + text
    elif shape == 3:
        return gzip.compress(text.encode("utf-8", "replace"))
    return text.encode(rng.choice(["utf-8", "utf-16", "cp1252"]), "replace")


@pytest.mark.parametrize("case", range(120))
def test_fuzz_readers(tmp_path: Path, case: int) -> None:
    rng = random.Random(_FUZZ_SEED * 1000 + case)
    path = tmp_path / rng.choice(["f.csv", "f.json", "f.xlsx", "f.tsv", "f.parquet", "f"])
    path.write_bytes(_fuzz_bytes(rng))
    try:
        got = read_companies(path)
    except InputError as exc:
        assert "\n" not in str(exc) and str(path) in str(exc) or "--" in str(exc)
        return
    assert got.companies["row_id"].to_list() == list(range(got.companies.height))


_CELL_PARTS = ["1", "9", "0", "e", "E", "+", "-", ".", ",", " ", "$", "k", "M", "B", "/", "inf"]


@pytest.mark.parametrize(
    "parser",
    [V.parse_employees, V.parse_money, V.parse_year, V.parse_date, V.parse_funding_stage],
)
def test_fuzz_value_parsers(parser: Callable[[pl.Expr], pl.Expr]) -> None:
    rng = random.Random(_FUZZ_SEED)
    cells = ["".join(rng.choices(_CELL_PARTS, k=rng.randrange(1, 14))) for _ in range(3000)]
    got = pl.DataFrame({"v": cells}).select(parser(pl.col("v"))).to_series()
    assert got.len() == len(cells)
    if got.dtype == pl.Int64 and parser is V.parse_employees:
        assert got.drop_nulls().is_between(0, V.MAX_COUNT).all()
    if got.dtype == pl.Float64:
        assert got.drop_nulls().is_between(0, V.MAX_USD).all()
    if got.dtype == pl.Date:
        assert got.drop_nulls().is_between(*V.DATE_RANGE).all()


@pytest.mark.parametrize("case", range(60))
def test_fuzz_profile_loader(tmp_path: Path, case: int) -> None:
    from listbuilder.errors import ProfileError

    rng = random.Random(_FUZZ_SEED * 7 + case)
    text = list(Path(PROFILE).read_text())
    for _ in range(rng.randrange(1, 6)):
        at = rng.randrange(len(text))
        edit = rng.randrange(3)
        if edit == 0:
            del text[at]
        elif edit == 1:
            text.insert(at, rng.choice("[]{}=\"'#\n,.0e-") * rng.randrange(1, 60))
        else:
            text[at] = rng.choice(_ALPHABET)
    path = tmp_path / "p.toml"
    path.write_text("".join(text), encoding="utf-8", errors="replace")
    try:
        load_profile(path)
    except ProfileError as exc:
        assert all(str(path) in problem for problem in exc.problems)


def test_push_plan_with_infinite_numbers_is_refused_or_planned(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "targets.csv").write_text(
        "rank,name,domain,employees,revenue\n1,Acme,acme.com,inf,1e308\n"
    )
    result = invoke(
        "push", "hubspot", str(out), "--base-url", "http://127.0.0.1:9",
        env={"HUBSPOT_TOKEN": "x", "LISTBUILDER_DEBUG": ""},
    )  # fmt: skip
    assert_clean(result, allowed=(EXIT_SUCCESS, EXIT_ERROR))
    assert "internal error" not in result.output


PUSH_TARGETS: dict[str, bytes | None] = {
    "missing": None,
    "empty": b"",
    "garbage": bytes(range(256)) * 12,
    "header_only": b"rank,name,domain\n",
    "bom_header_only": "\ufeffrank,name,domain\n".encode(),
}


@pytest.mark.parametrize("crm", ["hubspot", "salesforce"])
@pytest.mark.parametrize("kind", PUSH_TARGETS)
def test_push_of_hostile_targets_never_crashes(tmp_path: Path, kind: str, crm: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    data = PUSH_TARGETS[kind]
    if data is not None:
        (out / "targets.csv").write_bytes(data)
    env = {"HUBSPOT_TOKEN": "x", "SALESFORCE_TOKEN": "x", "LISTBUILDER_DEBUG": ""}
    result = invoke("push", crm, str(out), "--base-url", "http://127.0.0.1:9", env=env)
    assert_clean(result, allowed=(EXIT_SUCCESS, EXIT_ERROR))
    assert "internal error" not in result.output


# --- known gaps in files this issue does not own (see the issue-16 note) -------------------


def test_deeply_nested_providers_file_is_refused(tmp_path: Path) -> None:
    providers = tmp_path / "providers.toml"
    providers.write_text(
        '[[provider]]\nname = "x"\nurl = "http://127.0.0.1:9/{domain}"\n'
        '[provider.fields]\nemployees = "a.b"\nz = ' + "[" * 3000 + "]" * 3000 + "\n"
    )
    result = invoke("enrich", LIST, "--providers", str(providers), "--dry-run")
    assert_refused(result, str(providers), "nested")
