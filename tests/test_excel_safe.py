"""Every file every command writes is Excel-safe: one writer, one neutralisation rule.

A list full of formula cells and formula headers goes through `build` (every format,
both CRM layouts, unassigned accounts, unmatched signals), `dedupe` and `enrich`; then
every CSV is read raw and every XLSX with openpyxl, and no text or header cell may
start with `= + - @`, a tab or a carriage return (a plain number such as -5 is a
number to Excel, not a formula). `explain` shows control characters, never runs them.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from listbuilder.cli import main

DANGER = re.compile(r"^[=+\-@\t\r]")
NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][+-]?\d+)?$")
EVIL_HEADERS = ['=HYPERLINK("http://evil.example","x")', "@cmd", "-2+3", "\t=1", "+SUM(A1)"]

HEADER = [
    "Company Name", "Website", "Employees", "Primary Industry", "Company Country",
    "Company State", "Recent Funding Round", "Technologies", "Departments", *EVIL_HEADERS,
]  # fmt: skip
EVIL = ["=1+1", "\t=cmd|' /C calc'!A0", "\r=2+2", "+1+1", "@SUM(A1:A2)", "-2+3"]


def evil_list(folder: Path) -> Path:
    rows = []
    for i in range(12):
        cell = EVIL[i % len(EVIL)]
        rows.append(
            [
                f"{cell} Company {i}" if i % 3 else f"Company {i} {cell}",
                f"company{i}.example.org",
                "500",
                "SaaS" if i % 4 else cell,
                "US",
                cell if i % 2 else "CA",
                "Series C",
                f"Salesforce; {cell}",
                "Revenue Operations",
                *[EVIL[(i + j) % len(EVIL)] for j in range(len(EVIL_HEADERS))],
            ]
        )
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(
        [HEADER, *rows, HEADER[:2] + ["x"] * 12]
    )
    path = folder / "list.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def evil_events(folder: Path) -> Path:
    path = folder / "events.csv"
    path.write_text(
        "domain,company_name,kind,date,round_type,amount_usd,text\n"
        "company1.example.org,,funding,2026-10-01,Series C,1000000,=1+1\n"
        "nowhere.example,=HYPERLINK(1),funding,2026-10-01,@x,1000000,-2+3\n",
        encoding="utf-8",
    )
    return path


def unsafe_cells(path: Path) -> list[str]:
    found: list[str] = []
    if path.suffix == ".csv":
        text = path.read_bytes().decode("utf-8-sig")
        for row in csv.reader(io.StringIO(text, newline="")):
            found += [c for c in row if DANGER.match(c) and not NUMBER.match(c)]
    elif path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        found.append(f"formula {cell.value!r}")
                    elif isinstance(cell.value, str) and DANGER.match(cell.value):
                        found.append(cell.value)
    return found


def written_tables(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".csv", ".xlsx"))


def test_every_output_of_every_command_is_neutralised(tmp_path: Path, server: HTTPServer) -> None:
    listed = evil_list(tmp_path)
    reps = tmp_path / "reps.csv"
    reps.write_text("rep,capacity,countries\n=ana@example.com,3,US\n", encoding="utf-8")
    runner = CliRunner()

    out = tmp_path / "out"
    build = runner.invoke(main, [
        "build", str(listed), "--profile", "b2b_saas", "--as-of", "2026-11-01",
        "--format", "csv,xlsx", "--crm", "hubspot,salesforce", "--signals",
        str(evil_events(tmp_path)), "--reps", str(reps), "--out", str(out), "-q",
    ])  # fmt: skip
    assert build.exit_code == 0, build.output

    deduped = tmp_path / "deduped"
    dedupe = runner.invoke(main, ["dedupe", str(listed), "--out", str(deduped)])
    assert dedupe.exit_code == 0, dedupe.output

    server.expect_request("/find").respond_with_json(
        {"industry": '=HYPERLINK("http://evil.example")', "employees": 300}
    )
    providers = tmp_path / "providers.toml"
    providers.write_text(
        f'[[provider]]\nname = "p"\nurl = "{server.url_for("/find")}?domain={{domain}}"\n'
        'rate_limit = 100\n[provider.fields]\nindustry = "industry"\n',
        encoding="utf-8",
    )
    enriched = tmp_path / "enriched.csv"
    enrich = runner.invoke(main, [
        "enrich", str(listed), "--providers", str(providers), "--out", str(enriched),
        "--cache-dir", str(tmp_path / "cache"),
    ])  # fmt: skip
    assert enrich.exit_code == 0, enrich.output

    tables = [*written_tables(out), *written_tables(deduped), enriched]
    names = {p.name for p in tables}
    assert {"targets.csv", "targets.xlsx", "rejects.csv", "hubspot_import.csv",
            "salesforce_import.csv", "signals_unmatched.csv", "companies.csv",
            "clusters.csv", "enriched.csv"} <= names, names  # fmt: skip
    problems = {str(p.relative_to(tmp_path)): unsafe_cells(p) for p in tables}
    assert {k: v for k, v in problems.items() if v} == {}
    # The evil headers really went through, neutralised.
    for path in (out / "targets.csv", deduped / "companies.csv", enriched):
        header = next(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
        assert "'@cmd" in header and "'-2+3" in header, header


def test_explain_shows_terminal_escapes_instead_of_running_them(tmp_path: Path) -> None:
    listed = tmp_path / "list.csv"
    name = "Evil\x1b]0;pwned\x07 Corp\x1b[2J"
    listed.write_text(
        f"Company Name,Website,Employees,Company Country\n{name},evilcorp.io,500,US\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["explain", "evilcorp.io", str(listed),
                                       "--profile", "b2b_saas"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b]0;pwned\\x07" in result.output


@pytest.mark.parametrize("cell", ["=1+1", "\t=1", "\r=1", "+1", "-1+1", "@A", "'=x", "''+y"])
def test_neutralise_and_unneutralise_are_inverse(cell: str) -> None:
    from listbuilder.export.files import neutralise, unneutralise

    assert DANGER.match(neutralise(cell)) is None
    assert unneutralise(neutralise(cell)) == cell
