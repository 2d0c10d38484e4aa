"""write_outputs: tabular formats, CRM layouts, XLSX, neutralisation, atomicity, determinism."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from test_export_sample import AS_OF, FUNNEL, PROFILES_INFO, scored_frame

from listbuilder.errors import ConfigError, TemplateError
from listbuilder.export import write_atomic, write_outputs
from listbuilder.export.files import neutralise, neutralise_frame
from listbuilder.export.tables import targets_frame
from listbuilder.rank import rank_companies
from listbuilder.schema import REJECT_SCHEMA

DOCS = Path(__file__).resolve().parent.parent / "docs" / "crm_import.md"


def run(out: Path, **kw) -> dict[str, Path]:
    selected, rejects = rank_companies(scored_frame())
    selected = selected.with_columns(owner=pl.Series(["ana", "ben", None, "ana"]))
    args = {
        "selected": selected,
        "rejects": rejects,
        "funnel": FUNNEL,
        "profiles_info": PROFILES_INFO,
        "as_of": AS_OF,
    }
    return write_outputs(out, **{**args, **kw})


def header(path: Path) -> list[str]:
    return next(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_default_outputs(tmp_path: Path) -> None:
    written = run(tmp_path)
    assert {"targets.csv", "rejects.csv", "funnel.json", "report.html", "briefs/index.md"} <= set(
        written
    )
    assert "briefs/0001-acme.io.md" in written
    assert not list(tmp_path.rglob("*.tmp"))
    mask = os.umask(0)
    os.umask(mask)
    assert written["targets.csv"].stat().st_mode & 0o777 == 0o666 & ~mask


def test_targets_columns(tmp_path: Path) -> None:
    run(tmp_path)
    cols = header(tmp_path / "targets.csv")
    assert cols[:14] == [
        "rank",
        "name",
        "domain",
        "website",
        "score",
        "fit_score",
        "signal_score",
        "confidence",
        "tier",
        "priority",
        "profile",
        "why",
        "why_now",
        "owner",
    ]
    assert cols[-4:] == ["pts: Mid-market size", "pts: Uses Salesforce or HubSpot",
                         "pts: Series B or later", "Vendor Notes"]  # fmt: skip
    df = pl.read_csv(tmp_path / "targets.csv", infer_schema=False)
    first = df.row(0, named=True)
    assert first["technologies"] == "Salesforce; Snowflake"
    assert first["source_rows"] == "vendor.csv:2; vendor.csv:9; other.csv:4"
    assert first["pts: Uses Salesforce or HubSpot"] == "25"  # whole numbers without ".0"
    assert df["rank"].to_list() == ["1", "2", "3", "4"]


NEUTRALISE = [
    ("=1+1", "'=1+1"),
    ("+44 20", "'+44 20"),
    ("-Consulting", "'-Consulting"),
    ("@import", "'@import"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("plain", "plain"),
    ("a=b", "a=b"),
    ("", ""),
]


@pytest.mark.parametrize(("cell", "expected"), NEUTRALISE)
def test_neutralise(cell: str, expected: str) -> None:
    assert neutralise(cell) == expected
    got = neutralise_frame(pl.DataFrame({"t": [cell], "n": [-5]}))
    assert got.row(0) == (expected, -5)


def test_csv_neutralises_text_not_numbers(tmp_path: Path) -> None:
    run(
        tmp_path, selected=rank_companies(scored_frame())[0].with_columns(pl.lit("x").alias("=cmd"))
    )
    assert header(tmp_path / "targets.csv")[-1] == "'=cmd"
    df = pl.read_csv(tmp_path / "targets.csv", infer_schema=False)
    assert df["name"][1] == '\'=HYPERLINK("http://x")'
    assert df["Vendor Notes"].to_list() == ["key account", "'+44 20 7946 0000", None, "'@import"]
    assert df["industry"][3] == "'-Consulting"


def test_crm_headers_match_documented_layouts(tmp_path: Path) -> None:
    written = run(tmp_path, crm=("hubspot", "salesforce"))
    doc = DOCS.read_text(encoding="utf-8")
    for crm, file in (("hubspot", "hubspot_import.csv"), ("salesforce", "salesforce_import.csv")):
        m = re.search(rf"<!-- layout: {crm} -->\n```csv\n(.+)\n```", doc)
        assert m, f"no documented layout for {crm}"
        assert header(written[file]) == m.group(1).split(",")
    hub = pl.read_csv(written["hubspot_import.csv"], infer_schema=False)
    assert hub["Country/Region"].to_list()[:2] == ["United States", "United Kingdom"]
    assert hub["Annual revenue"][0] == "12500000"
    sf = pl.read_csv(written["salesforce_import.csv"], infer_schema=False)
    assert set(sf["AccountSource"]) == {"Purchased List"}
    assert sf["Website"][0] == "https://acme.io"


def test_xlsx_sheets_headers_and_neutralised_cell(tmp_path: Path) -> None:
    written = run(tmp_path, formats=("csv", "xlsx"))
    wb = openpyxl.load_workbook(written["targets.xlsx"])
    assert wb.sheetnames == ["targets", "funnel"]
    ws = wb["targets"]
    head = [c.value for c in ws[1]]
    assert head == header(tmp_path / "targets.csv")
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A1:")
    name_col = head.index("name") + 1
    cell = ws.cell(row=3, column=name_col)
    assert cell.value == '\'=HYPERLINK("http://x")'
    assert cell.data_type == "s"
    assert ws.cell(row=2, column=head.index("employees") + 1).value == 450
    assert ws.column_dimensions["B"].width > 8
    funnel = wb["funnel"]
    assert [c.value for c in funnel[1]] == [
        "stage",
        "label",
        "in",
        "out",
        "dropped",
        "reason",
        "count",
    ]
    assert funnel.cell(row=2, column=4).value == FUNNEL["read"]


def test_parquet_and_json(tmp_path: Path) -> None:
    written = run(tmp_path, formats=("parquet", "json"))
    assert "targets.csv" not in written
    pq = pl.read_parquet(written["targets.parquet"])
    rows = json.loads(written["targets.json"].read_text(encoding="utf-8"))
    assert pq.height == len(rows) == 4
    assert rows[1]["name"] == '=HYPERLINK("http://x")'  # not a spreadsheet: left as is


def test_rejects_csv_has_reject_schema(tmp_path: Path) -> None:
    rejects = pl.DataFrame(
        {"source": ["a.csv"], "line": [7], "stage": ["filter"], "reason": ["failed: country"],
         "name": ["=evil"], "domain": [None], "detail": ["country DE"]},
        schema=REJECT_SCHEMA,
    )  # fmt: skip
    run(tmp_path, rejects=rejects)
    df = pl.read_csv(tmp_path / "rejects.csv", infer_schema=False)
    assert df.columns == list(REJECT_SCHEMA)
    assert df.row(0) == ("a.csv", "7", "filter", "failed: country", "'=evil", None, "country DE")


def test_funnel_json_is_the_funnel_plus_selection(tmp_path: Path) -> None:
    run(tmp_path)
    data = json.loads((tmp_path / "funnel.json").read_text(encoding="utf-8"))
    selection = data.pop("selection")
    assert data == FUNNEL
    assert selection["accounts"] == 4
    assert selection["tiers"] == {"A": 1, "B": 1, "C": 1, "none": 1}
    assert sum(h["accounts"] for h in selection["score_histogram"]) == 4
    assert selection["top_countries"][0] == {"country": "US", "accounts": 2}


def test_outputs_are_byte_identical(tmp_path: Path) -> None:
    opts = {"formats": ("csv", "xlsx", "parquet", "json"), "crm": ("hubspot", "salesforce"),
            "brief_formats": ("md", "html")}  # fmt: skip
    a = run(tmp_path / "a", **opts)
    b = run(tmp_path / "b", **opts)
    assert list(a) == list(b)
    for rel in a:
        assert a[rel].read_bytes() == b[rel].read_bytes(), rel


@pytest.mark.parametrize(
    ("kw", "message"),
    [({"formats": ("xls",)}, "unknown format 'xls'"), ({"crm": ("pipedrive",)}, "unknown CRM"),
     ({"brief_formats": ("pdf",)}, "unknown brief format 'pdf'")],
)  # fmt: skip
def test_unknown_options(tmp_path: Path, kw: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        run(tmp_path, **kw)
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


def test_write_atomic_leaves_nothing_when_the_writer_raises(tmp_path: Path) -> None:
    target = tmp_path / "targets.csv"

    def broken(tmp: Path) -> None:
        tmp.write_text("rank,name\n1,half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(target, broken)
    assert list(tmp_path.iterdir()) == []
    target.write_text("old\n")
    with pytest.raises(RuntimeError):
        write_atomic(target, broken)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["targets.csv"]


def test_render_error_writes_no_file(tmp_path: Path) -> None:
    custom = tmp_path / "tpl"
    custom.mkdir()
    (custom / "report.html.j2").write_text("{{ no_such_thing }}\n")
    out = tmp_path / "out"
    with pytest.raises(TemplateError):
        run(out, templates_dir=custom)
    assert not out.exists() or not any(out.rglob("*"))


def test_stale_briefs_are_removed(tmp_path: Path) -> None:
    run(tmp_path, brief_formats=("md", "html"))
    (tmp_path / "briefs" / "0099-old.example.md").write_text("old")
    (tmp_path / "briefs" / "notes.txt").write_text("mine")
    run(tmp_path, brief_formats=("md",))
    names = sorted(p.name for p in (tmp_path / "briefs").iterdir())
    assert "0099-old.example.md" not in names and "index.html" not in names
    assert "notes.txt" in names
    assert len([n for n in names if n.endswith(".md")]) == 5


def test_targets_frame_without_optional_columns() -> None:
    df = pl.DataFrame({"rank": [1], "name": ["A"], "score": [50.0]})
    out = targets_frame(df)
    assert out["owner"].to_list() == [None]
    assert out.columns[0] == "rank"


def test_unassigned_file(tmp_path: Path) -> None:
    unassigned = pl.DataFrame(
        {"rank": [3], "name": ["Globex"], "reason": ["no rep covers country DE"]}
    )
    written = run(tmp_path, unassigned=unassigned)
    assert "no rep covers country DE" in written["unassigned.csv"].read_text()


def test_progress_is_reported_per_brief(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    run(
        tmp_path,
        brief_formats=("md", "html"),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls[0] == (1, 8) and calls[-1] == (8, 8)


def test_xlsx_non_finite_numbers_do_not_break_the_workbook(tmp_path: Path) -> None:
    selected, rejects = rank_companies(scored_frame())
    selected = selected.with_columns(revenue=pl.Series([float("nan"), 1.0, None, float("inf")]))
    written = run(tmp_path, selected=selected, rejects=rejects, formats=("xlsx",))
    ws = openpyxl.load_workbook(written["targets.xlsx"])["targets"]
    head = [c.value for c in ws[1]]
    assert ws.cell(row=3, column=head.index("revenue") + 1).value == 1


def test_optional_outputs_of_an_earlier_run_are_removed(tmp_path: Path) -> None:
    run(tmp_path, formats=("csv", "xlsx"), crm=("hubspot",), unassigned=pl.DataFrame({"rank": [1]}))
    assert (tmp_path / "targets.xlsx").exists() and (tmp_path / "unassigned.csv").exists()
    run(tmp_path)
    assert not (tmp_path / "targets.xlsx").exists()
    assert not (tmp_path / "hubspot_import.csv").exists()
    assert not (tmp_path / "unassigned.csv").exists()
    assert (tmp_path / "targets.csv").exists()


BOM = b"\xef\xbb\xbf"
CSV_FILES = ("targets.csv", "rejects.csv", "unassigned.csv", "hubspot_import.csv",
             "salesforce_import.csv")  # fmt: skip


def _with_non_ascii() -> tuple[pl.DataFrame, pl.DataFrame]:
    selected, _ = rank_companies(scored_frame())
    selected = selected.with_columns(
        name=pl.Series(["Conceição Ltda", "Ærø ApS", "Globex", "Initech & Co"]),
        why=pl.lit("CRM ✓ 25 · RevOps ✓ 10"),
    )
    rejects = pl.DataFrame(
        {"source": ["a.csv"], "line": [2], "stage": ["filter"], "reason": ["failed: country"],
         "name": ["Conceição"], "domain": [None], "detail": ["country BR · ✗"]},
        schema=REJECT_SCHEMA,
    )  # fmt: skip
    return selected, rejects


@pytest.mark.parametrize("name", CSV_FILES)
def test_csv_files_are_utf8_with_bom_and_read_back(tmp_path: Path, name: str) -> None:
    selected, rejects = _with_non_ascii()
    unassigned = pl.DataFrame({"rank": [1], "name": ["Conceição"], "reason": ["no rep · ✓"]})
    written = run(tmp_path, selected=selected, rejects=rejects, unassigned=unassigned,
                  crm=("hubspot", "salesforce"))  # fmt: skip
    data = written[name].read_bytes()
    # Excel on Windows needs the BOM to read UTF-8; exactly one, then strict UTF-8.
    assert data.startswith(BOM) and not data[3:].startswith(BOM)
    text = data[3:].decode("utf-8")
    assert "Conceição" in text
    # polars (the repo's tests, `push`) strips the BOM from the first header...
    df = pl.read_csv(written[name], infer_schema=False)
    assert not df.columns[0].startswith("\ufeff")
    assert df.columns[0] in ("rank", "source", "Name")
    # ...and so does Python's csv module with utf-8-sig.
    with written[name].open(encoding="utf-8-sig", newline="") as fh:
        assert next(csv.reader(fh)) == df.columns
    if name in ("targets.csv", "hubspot_import.csv"):
        assert "CRM ✓ 25 · RevOps ✓ 10" in df.row(0)


NAME_FALLBACK = [
    # (name, domain, website, Name in both CRM files)
    (None, "nimilora.net", "https://www.nimilora.net/about", "nimilora.net"),
    ("  ", "nimilora.net", None, "nimilora.net"),
    (None, None, "https://www.Nimilora.net/about", "nimilora.net"),
    (None, None, "mail@nimilora.net", "nimilora.net"),
    (None, None, None, "unnamed account"),
    ("Nimilora GmbH", "nimilora.net", None, "Nimilora GmbH"),
]


@pytest.mark.parametrize(("name", "domain", "website", "shown"), NAME_FALLBACK)
def test_crm_name_falls_back_to_the_domain(
    tmp_path: Path, name: str | None, domain: str | None, website: str | None, shown: str
) -> None:
    selected, _ = rank_companies(scored_frame())
    first = pl.col("rank") == 1
    selected = selected.with_columns(
        pl.when(first).then(pl.lit(value, pl.String)).otherwise(pl.col(col)).alias(col)
        for col, value in (("name", name), ("domain", domain), ("website", website))
    )
    written = run(tmp_path, selected=selected, crm=("hubspot", "salesforce"))
    for file in ("hubspot_import.csv", "salesforce_import.csv"):
        crm = pl.read_csv(written[file], infer_schema=False)
        assert crm["Name"][0] == shown, file
        assert crm["Name"].null_count() == 0, file
    # targets.csv keeps what the source said
    targets = pl.read_csv(written["targets.csv"], infer_schema=False)
    assert targets["name"][0] == name
