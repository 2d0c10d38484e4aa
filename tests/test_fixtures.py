"""The fixture generator: deterministic, messy in the documented ways, and the committed
sample is exactly what the documented command writes (nobody edits it by hand)."""

from __future__ import annotations

import csv
import gzip
import importlib.util
import json
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "fixtures" / "sample"
# The command fixtures/README.md documents for the committed sample.
SAMPLE_ARGS = {"rows": 2000, "seed": 7, "vendor_files": True}


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "fixtures_generate", REPO / "fixtures" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


@pytest.fixture(scope="module")
def fresh_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    gen.generate(
        SAMPLE_ARGS["rows"], SAMPLE_ARGS["seed"], out, vendor_files=SAMPLE_ARGS["vendor_files"]
    )
    return out


def _rows(path: Path, *, encoding: str = "utf-8", delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


# ------------------------------------------------------------------ determinism


def test_same_arguments_give_byte_identical_files(tmp_path: Path) -> None:
    a = gen.generate(300, 3, tmp_path / "a", vendor_files=True)
    b = gen.generate(300, 3, tmp_path / "b", vendor_files=True)
    assert sorted(a) == sorted(b)
    for name in a:
        assert a[name].read_bytes() == b[name].read_bytes(), name


def test_another_seed_gives_another_list(tmp_path: Path) -> None:
    gen.generate(200, 1, tmp_path / "a")
    gen.generate(200, 2, tmp_path / "b")
    assert (tmp_path / "a/companies.csv").read_bytes() != (
        tmp_path / "b/companies.csv"
    ).read_bytes()


def test_committed_sample_equals_a_fresh_generation(fresh_sample: Path) -> None:
    committed = sorted(p.name for p in SAMPLE.iterdir())
    fresh = sorted(p.name for p in fresh_sample.iterdir())
    assert committed == fresh
    changed = [n for n in fresh if (SAMPLE / n).read_bytes() != (fresh_sample / n).read_bytes()]
    assert changed == [], (
        f"fixtures/sample differs from a fresh generation in {changed}: regenerate it with "
        "`python fixtures/generate.py --rows 2000 --seed 7 --out fixtures/sample --vendor-files`"
    )


def test_sample_stays_small() -> None:
    assert sum(p.stat().st_size for p in SAMPLE.iterdir()) < 1_600_000


def test_too_few_rows_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 20"):
        gen.generate(5, 1, tmp_path)


# ------------------------------------------------------------------ companies.csv and truth.csv


def test_companies_header_and_truth_cover_every_line() -> None:
    rows = _rows(SAMPLE / "companies.csv")
    assert list(rows[0]) == gen.ZOOMINFO_COLUMNS
    truth = _rows(SAMPLE / "truth.csv")
    assert [int(t["line"]) for t in truth] == list(range(2, len(rows) + 2))
    assert len(rows) == 2000


def test_no_field_contains_a_newline_so_lines_are_records() -> None:
    text = (SAMPLE / "companies.csv").read_text(encoding="utf-8")
    rows = _rows(SAMPLE / "companies.csv")
    assert not any("\n" in v or "\r" in v for row in rows for v in row.values())
    assert text.count("\n") == len(rows) + 1


def test_duplicate_share_is_about_twelve_percent() -> None:
    truth = _rows(SAMPLE / "truth.csv")
    ids = Counter(t["company_id"] for t in truth)
    share = 1 - len(ids) / len(truth)
    assert 0.10 <= share <= 0.14
    assert max(ids.values()) >= 3  # some companies appear several times


def test_duplicates_are_scattered_not_adjacent() -> None:
    ids = [t["company_id"] for t in _rows(SAMPLE / "truth.csv")]
    adjacent = sum(a == b for a, b in zip(ids, ids[1:], strict=False))
    assert adjacent < 10


def test_duplicates_differ_from_their_original() -> None:
    rows = _rows(SAMPLE / "companies.csv")
    by_id: dict[str, list[dict[str, str]]] = {}
    for row, t in zip(rows, _rows(SAMPLE / "truth.csv"), strict=True):
        by_id.setdefault(t["company_id"], []).append(row)
    groups = [g for g in by_id.values() if len(g) > 1]
    differ = sum(len({(r["Company Name"], r["Website"]) for r in g}) > 1 for g in groups)
    assert differ / len(groups) > 0.6


# (what, predicate over a row, most rows it may touch): each kind present, in proportion
MESS = [
    (
        "employee range without employees",
        lambda r: r["Employees"] == "" and r["Employee Range"] != "",
        0.04,
    ),
    ("scientific revenue", lambda r: "E+" in r["Revenue (in 000s USD)"], 0.03),
    (
        "country alias",
        lambda r: r["Company Country"] in {"USA", "us", "U.S.", "US", "UK", "Deutschland"},
        0.03,
    ),
    ("email as website", lambda r: "@" in r["Website"], 0.02),
    ("website upper case", lambda r: r["Website"].isupper(), 0.03),
    (
        "website with a path",
        lambda r: r["Website"].count("/") >= 3 and r["Website"][-1] != "/",
        0.04,
    ),
    ("website with scheme", lambda r: r["Website"].startswith(("http://", "https://")), 0.4),
    (
        "platform website",
        lambda r: any(
            p in r["Website"]
            for p in (
                "linkedin.com",
                "facebook.com",
                "angel.co",
                "wixsite",
                "github.io",
                "blogspot",
                "sites.google",
            )
        ),
        0.02,
    ),
    (
        "placeholder",
        lambda r: any(
            v in {"#NAME?", "N/A", "-", "null", "#VALUE!", "n/a", "nan"} for v in r.values()
        ),
        0.03,
    ),
    ("formula-like name", lambda r: r["Company Name"][:1] in {"=", "+", "-", "@"}, 0.01),
    ("non-ASCII name", lambda r: not r["Company Name"].isascii(), 0.06),
    ("neither name nor website", lambda r: r["Company Name"] == "" and r["Website"] == "", 0.005),
    ("list joined with |", lambda r: "|" in r["Technologies"], 0.25),
]


@pytest.mark.parametrize(("what", "predicate", "most"), MESS, ids=[m[0] for m in MESS])
def test_sample_contains_the_mess(what: str, predicate, most: float) -> None:
    rows = _rows(SAMPLE / "companies.csv")
    hits = sum(bool(predicate(r)) for r in rows)
    assert 1 <= hits <= most * len(rows), (what, hits)


def test_hard_negatives_and_subsidiaries_exist(tmp_path: Path) -> None:
    g = gen.Generator(4000, 7)
    gen.write_companies(g, tmp_path, 4000)
    namesakes = [c for c in g.companies if any(t.startswith("namesake_of=") for t in c.tags)]
    subsidiaries = [c for c in g.companies if any(t.startswith("subsidiary_of=") for t in c.tags)]
    assert namesakes and subsidiaries
    by_cid = {c.cid: c for c in g.companies}
    for c in namesakes:
        other = by_cid[c.tags[0].split("=")[1]]
        assert c.domain != other.domain and c.city != other.city
    for c in subsidiaries:
        parent = by_cid[c.tags[0].split("=")[1]]
        assert c.parent_id == parent.parent_id and c.domain != parent.domain


def test_reference_profile_sees_a_realistic_funnel() -> None:
    """Country US/CA/GB/IE and not government/education: 10–25% of the rows pass."""
    rows = _rows(SAMPLE / "companies.csv")
    truth = _rows(SAMPLE / "truth.csv")
    ok_countries = {
        name
        for iso in ("US", "CA", "GB", "IE")
        for name in (gen.COUNTRY_BY_ISO[iso][1], *gen.COUNTRY_BY_ISO[iso][3])
    }
    seen: set[str] = set()
    passed = 0
    for row, t in zip(rows, truth, strict=True):
        if t["company_id"] in seen:
            continue
        seen.add(t["company_id"])
        edu_gov = row["Primary Industry"] in {
            "Government Administration",
            "Higher Education",
            "Education Management",
        }
        passed += row["Company Country"] in ok_countries and not edu_gov
    assert 0.10 <= passed / len(rows) <= 0.25


# ------------------------------------------------------------------ events, CRM, deals


def test_events_follow_the_contract_and_exercise_every_kind() -> None:
    events = _rows(SAMPLE / "events.csv")
    assert list(events[0]) == [
        "domain",
        "company_name",
        "kind",
        "date",
        "round_type",
        "amount_usd",
        "investors",
        "person",
        "title",
        "department",
        "headcount",
        "technology",
        "change",
        "text",
    ]
    kinds = Counter(e["kind"] for e in events)
    assert set(kinds) == {
        "funding",
        "exec_hire",
        "job_posting",
        "headcount",
        "tech_change",
        "announcement",
    }
    as_of = (SAMPLE / "AS_OF").read_text().strip()
    assert as_of == "2026-11-01"
    assert any(e["date"] > as_of for e in events)  # some dated after the as-of date
    assert any(e["domain"] == "" and e["company_name"] for e in events)  # keyed by name only
    assert any(e["domain"].startswith(("http", "www.")) for e in events)  # keyed by URL
    assert {e["change"] for e in events if e["kind"] == "tech_change"} == {"added", "removed"}
    titles = {e["title"] for e in events if e["kind"] == "exec_hire"}
    assert "VP, Sales" in titles or "Chief Revenue Officer" in titles
    truth = _rows(SAMPLE / "events_truth.csv")
    assert len(truth) == len(events)
    assert any(t["company_id"] == "" for t in truth)  # events about companies not in the list


def test_events_contain_a_posting_spike_and_headcount_growth() -> None:
    events = _rows(SAMPLE / "events.csv")
    truth = _rows(SAMPLE / "events_truth.csv")
    recent: Counter[str] = Counter()
    baseline: Counter[str] = Counter()
    heads: dict[str, list[int]] = {}
    for e, t in zip(events, truth, strict=True):
        if e["kind"] == "job_posting":
            (recent if e["date"] >= "2026-10-02" else baseline)[t["company_id"]] += 1
        elif e["kind"] == "headcount":
            heads.setdefault(t["company_id"], []).append(int(e["headcount"]))
    assert any(recent[c] >= 4 and recent[c] >= 2 * (baseline[c] / 6) for c in recent)
    assert any(h[-1] >= 2 * h[0] for h in heads.values())


def test_crm_follows_the_contract_and_overlaps_the_list() -> None:
    crm = _rows(SAMPLE / "crm_accounts.csv")
    assert list(crm[0]) == [
        "Record ID",
        "Name",
        "Company domain name",
        "Lifecycle Stage",
        "Company owner",
        "Do not contact",
    ]
    assert {r["Lifecycle Stage"] for r in crm} <= {"Customer", "Opportunity", "Lead", "Other"}
    truth = _rows(SAMPLE / "crm_truth.csv")
    assert [t["Record ID"] for t in truth] == [r["Record ID"] for r in crm]
    list_ids = {t["company_id"] for t in _rows(SAMPLE / "truth.csv")}
    overlap = {t["company_id"] for t in truth if t["company_id"]}
    assert overlap <= list_ids
    assert 0.03 <= len(overlap) / len(list_ids) <= 0.07
    expected = {t["expected"].split(" by ")[0] for t in truth}
    assert {
        "customer",
        "open opportunity",
        "owned",
        "do not contact",
        "none",
        "crm only",
    } <= expected


def test_deals_follow_the_hidden_profile_and_drift() -> None:
    deals = _rows(SAMPLE / "deals.csv")
    assert list(deals[0]) == gen.DEAL_COLUMNS
    truth = _rows(SAMPLE / "deals_truth.csv")
    assert len(deals) == len(truth) == 600

    def win_rate(pairs) -> float:
        closed = [d for d, _ in pairs if d["Deal Stage"] in ("Closed Won", "Closed Lost")]
        return sum(d["Deal Stage"] == "Closed Won" for d in closed) / max(1, len(closed))

    pairs = list(zip(deals, truth, strict=True))
    fit = [
        (d, t)
        for d, t in pairs
        if t["drift"] == "0"
        and int(t["size_200_2000"])
        + int(t["uses_salesforce_or_hubspot"])
        + int(t["software_industry"])
        >= 2
    ]
    unfit = [
        (d, t)
        for d, t in pairs
        if int(t["size_200_2000"])
        + int(t["uses_salesforce_or_hubspot"])
        + int(t["software_industry"])
        == 0
    ]
    drifted = [(d, t) for d, t in pairs if t["drift"] == "1"]
    assert win_rate(fit) > win_rate(unfit) + 0.3
    assert win_rate(drifted) < win_rate(fit) - 0.15
    assert {d["Deal Stage"] for d in deals} >= {"Closed Won", "Closed Lost", "Contract Sent"}


# ------------------------------------------------------------------ vendor files


def test_every_vendor_style_and_format_is_written_and_readable() -> None:
    truth = _rows(SAMPLE / "vendor_truth.csv")
    per_file = Counter(t["file"] for t in truth)
    expected = {f"vendor_{s}.csv" for s in gen.VENDOR_STYLES} | {f for f, _ in gen.FORMAT_FILES}
    assert set(per_file) == expected
    assert max(per_file.values()) <= 200
    list_ids = {t["company_id"] for t in _rows(SAMPLE / "truth.csv")}
    assert {t["company_id"] for t in truth} <= list_ids
    old = _rows(SAMPLE / "vendor_crunchbase_old.csv")
    assert list(old[0]) == [
        "name",
        "homepage_url",
        "category_code",
        "funding_total_usd",
        "country_code",
        "state_code",
        "city",
        "founded_at",
        "last_funding_at",
    ]
    assert pl.read_excel(SAMPLE / "vendor_zoominfo.xlsx").height == per_file["vendor_zoominfo.xlsx"]
    assert (
        pl.read_parquet(SAMPLE / "vendor_apollo.parquet").height
        == per_file["vendor_apollo.parquet"]
    )
    assert (
        len(json.loads((SAMPLE / "vendor_crunchbase.json").read_text("utf-8")))
        == per_file["vendor_crunchbase.json"]
    )
    ndjson = (SAMPLE / "vendor_apollo.ndjson").read_text("utf-8").splitlines()
    assert all(isinstance(json.loads(line), dict) for line in ndjson)
    with gzip.open(SAMPLE / "vendor_zoominfo.csv.gz", "rt", encoding="utf-8") as fh:
        assert fh.readline().startswith("Company Name,Website,")
    assert "\t" in (SAMPLE / "vendor_hubspot.tsv").read_text("utf-8").splitlines()[0]
    assert (SAMPLE / "vendor_salesforce_bom.csv").read_bytes().startswith(b"\xef\xbb\xbfId,Name,")
    raw = (SAMPLE / "vendor_dnb_cp1252.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert not raw.decode("cp1252").isascii()
