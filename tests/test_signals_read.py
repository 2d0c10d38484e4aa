"""Reading event files: the unified format, per-kind files, every format, rejects, errors."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from listbuilder.errors import InputError
from listbuilder.signals import EVENT_SCHEMA, read_signals

UNIFIED = """\
domain,company_name,kind,date,round_type,amount_usd,investors,person,title,department,headcount,technology,change,text
acme.com,Acme,funding,2024-05-01,Series B,"$25M",Sequoia,,,,,,,
,Globex,exec_hire,05/20/2024,,,,Jane Roe,Chief Revenue Officer,,,,,
initech.io,,job_posting,2024-06-01T09:30:00Z,,,,,Account Executive,Sales,,,,
initech.io,,headcount,2024-06-01,,,,,,Sales,"1,200",,,
acme.com,,tech_change,2024-06-02,,,,,,,,Marketo,Dropped,
acme.com,,announcement,2024-06-03,,,,,,,,,,Opens a São Paulo office
acme.com,,funding,,Seed,,,,,,,,,
acme.com,,funding,someday,Seed,,,,,,,,,
,,funding,2024-06-03,Seed,,,,,,,,,
acme.com,,podcast,2024-06-03,,,,,,,,,,
acme.com,,headcount,2024-06-03,,,,,,Sales,,,,
"""


def test_unified_csv(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(UNIFIED, encoding="utf-8")
    result = read_signals([path])
    ev = result.events
    assert ev.schema == pl.Schema(EVENT_SCHEMA)
    assert ev["kind"].to_list() == [
        "funding",
        "exec_hire",
        "job_posting",
        "headcount",
        "tech_change",
        "announcement",
    ]
    assert ev["line"].to_list() == [2, 3, 4, 5, 6, 7]
    assert ev["date"].to_list() == [
        date(2024, 5, 1),
        date(2024, 5, 20),
        date(2024, 6, 1),
        date(2024, 6, 1),
        date(2024, 6, 2),
        date(2024, 6, 3),
    ]
    assert ev["amount_usd"].to_list()[0] == 25e6
    assert ev["headcount"].to_list()[3] == 1200
    assert ev["change"].to_list()[4] == "removed"
    assert ev["text"].to_list()[5] == "Opens a São Paulo office"
    assert result.rejects.select("line", "reason", "detail").rows() == [
        (8, "event: event has no date", None),
        (9, "event: event date did not parse", "date=someday"),
        (10, "event: event has no domain or company name", None),
        (11, "event: unknown event kind", "kind=podcast"),
        (12, "event: headcount snapshot has no headcount", None),
    ]
    assert set(result.rejects["stage"].to_list()) == {"ingest"}
    assert result.files == [{"source": str(path), "rows": 11, "events": 6, "rejected": 5}]


CRUNCHBASE = """\
company_permalink,company_name,company_category_code,company_country_code,company_state_code,company_region,company_city,funding_round_type,funded_at,raised_amount_usd
/company/waywire,#waywire,news,USA,NY,New York,New York,series-a,2012-06-30,1750000
/company/club-domains,.Club Domains,software,USA,FL,Miami,Miami,series-b,2013-05-31,2.10E+07
/company/0xdata,0xdata,analytics,USA,CA,SF Bay,Mountain View,venture,2013-01-03,
"""


def test_crunchbase_rounds_are_funding_events(tmp_path: Path) -> None:
    path = tmp_path / "rounds.csv"
    path.write_text(CRUNCHBASE, encoding="utf-8")
    ev = read_signals(path).events
    assert ev.select("company_name", "kind", "date", "round_type", "amount_usd").rows() == [
        ("#waywire", "funding", date(2012, 6, 30), "series-a", 1_750_000.0),
        (".Club Domains", "funding", date(2013, 5, 31), "series-b", 21_000_000.0),
        ("0xdata", "funding", date(2013, 1, 3), "venture", None),
    ]


def test_crunchbase_country_codes_become_iso2(tmp_path: Path) -> None:
    path = tmp_path / "rounds.csv"
    path.write_text(CRUNCHBASE, encoding="utf-8")
    assert read_signals(path).events["country"].to_list() == ["US", "US", "US"]


COUNTRY_CASES = [
    ("United Kingdom", "GB"),
    ("GER", "DE"),
    ("deu", "DE"),
    ("Atlantis", None),
    ("", None),
]


@pytest.mark.parametrize(("raw", "iso2"), COUNTRY_CASES)
def test_an_events_country_column_is_read_as_iso2(
    tmp_path: Path, raw: str, iso2: str | None
) -> None:
    path = tmp_path / "events.csv"
    path.write_text(f"company_name,kind,date,country\nAcme,funding,2024-06-01,{raw}\n", "utf-8")
    ev = read_signals(path).events
    assert ev.select("country", "row_id").rows() == [(iso2, None)]


PER_KIND = [
    ("company,posted_at,job_title,department\nAcme,2024-06-01,AE,Sales\n", "job_posting"),
    ("domain,snapshot_date,department,employees\nacme.com,2024-06-01,Sales,12\n", "headcount"),
    ("domain,date,person,title\nacme.com,2024-06-01,Jo,CRO\n", "exec_hire"),
    ("domain,date,tool,action\nacme.com,2024-06-01,Marketo,removed\n", "tech_change"),
    ("domain,date,headline\nacme.com,2024-06-01,New product line\n", "announcement"),
]


@pytest.mark.parametrize(("text", "kind"), PER_KIND)
def test_per_kind_files(tmp_path: Path, text: str, kind: str) -> None:
    path = tmp_path / "events.csv"
    path.write_text(text, encoding="utf-8")
    ev = read_signals(path).events
    assert ev["kind"].to_list() == [kind]
    assert ev["date"].to_list() == [date(2024, 6, 1)]


def test_forced_kind(tmp_path: Path) -> None:
    path = tmp_path / "hires.csv"
    path.write_text("domain,date,title\nacme.com,2024-06-01,CRO\n", encoding="utf-8")
    assert read_signals(path, kind="exec_hire").events["kind"].to_list() == ["exec_hire"]


RECORDS = [
    {
        "domain": "acme.com",
        "kind": "funding",
        "date": "2024-05-01",
        "round_type": "Series B",
        "amount_usd": 25000000,
        "investors": ["A", "B"],
    },
    {"company_name": "Globex", "kind": "exec_hire", "date": "2024-05-20", "title": "CRO"},
]


def _write(path: Path, fmt: str) -> None:
    if fmt == "json":
        path.write_text(json.dumps(RECORDS), encoding="utf-8")
    elif fmt == "ndjson":
        path.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    elif fmt == "parquet":
        frame = pl.DataFrame(RECORDS, infer_schema_length=None).with_columns(
            pl.col("date").str.to_date()
        )
        frame.write_parquet(path)


@pytest.mark.parametrize("fmt", ["json", "ndjson", "parquet"])
def test_other_formats(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"events.{fmt}"
    _write(path, fmt)
    ev = read_signals(path).events
    assert ev.select("kind", "date", "amount_usd", "investors", "line").rows() == [
        ("funding", date(2024, 5, 1), 25e6, "A; B", 1),
        ("exec_hire", date(2024, 5, 20), None, None, 2),
    ]


def test_windows_1252_and_bom(tmp_path: Path) -> None:
    cp = tmp_path / "cp.csv"
    cp.write_bytes(
        "domain,date,kind,text\nacme.com,2024-06-01,announcement,Café\n".encode("cp1252")
    )
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbfdomain,date,kind\nacme.com,2024-06-01,funding\n")
    ev = read_signals([cp, bom]).events
    assert ev.select("kind", "text").rows() == [("announcement", "Café"), ("funding", None)]


AMOUNTS = [
    ("$25M", 25e6),
    ("25,000,000", 25e6),
    ("2.10E+07", 21e6),
    ("1.2 bn", 1.2e9),
    ("USD 600k", 6e5),
    ("n/a", None),
    ("", None),
]


@pytest.mark.parametrize(("raw", "value"), AMOUNTS)
def test_amounts(tmp_path: Path, raw: str, value: float | None) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        f'domain,date,kind,amount_usd\nacme.com,2024-06-01,funding,"{raw}"\n', encoding="utf-8"
    )
    assert read_signals(path).events["amount_usd"].to_list() == [value]


ERRORS = [
    (
        "e.csv",
        "domain,kind\nacme.com,funding\n",
        "e.csv: no date column among domain, kind — name it date (or funded_at, posted_at, ...)",
    ),
    (
        "e.csv",
        "date,kind\n2024-01-01,funding\n",
        "e.csv: no domain or company_name column — add one to key events",
    ),
    (
        "e.csv",
        "domain,date,colour\nacme.com,2024-01-01,red\n",
        "e.csv: cannot tell which kind of events these are — add a kind column (funding, "
        "exec_hire, job_posting, headcount, tech_change, announcement) or pass kind=",
    ),
    (
        "e.json",
        "[1, 2]",
        "e.json: cannot read as JSON (can only deserialize json objects); "
        "expected an array of objects",
    ),
]


@pytest.mark.parametrize(("name", "text", "message"), ERRORS)
def test_unusable_files(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_signals(path)
    assert str(info.value) == f"{tmp_path}/{message}"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope.csv: no such file"):
        read_signals(tmp_path / "nope.csv")


def test_ragged_rows_are_rejected_with_the_readers_reason(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        "domain,date,kind\nacme.com,2024-06-01,funding\nacme.com,2024-06-02,funding,x,y\n",
        encoding="utf-8",
    )
    result = read_signals(path)
    assert result.events["line"].to_list() == [2]
    assert result.rejects.select("line", "reason").rows() == [
        (3, "ragged row: 5 fields, header has 3")
    ]
