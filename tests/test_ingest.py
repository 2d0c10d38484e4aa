"""read_companies: canonical schema, folding rules, lineage, reports, real lists."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from listbuilder.errors import InputError
from listbuilder.ingest import read_companies
from listbuilder.schema import COMPANY_SCHEMA, LINEAGE_SCHEMA, REJECT_SCHEMA

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"

ZOOMINFO = """\
Company Name,Website,Employees,Employee Range,Revenue (in 000s USD),Revenue Range (in USD),\
Company Country,Company State,Company Zip Code,Recent Funding Round,Recent Funding Date,\
Technologies,Founded Year,SIC Code 1,ZoomInfo Company ID
Acme Inc,acme.com,250,"201-500",25000,"$10M - $50M",USA,California,94105,Series B,6/30/2012,\
"Salesforce; HubSpot",2009,7372.0,1
Beta GmbH,beta.de,,"1,001-5,000",,"$1B+",Deutschland,Bayern,80331,series-c+,2014-01-15,,\
2001.0,,2
Gamma LLC,gamma.io,lots,,#VALUE!,,U.S.,MA,2134,venture,June 2019,"Slack|Zoom|Slack",\
6/1/2015,,3
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_schema_is_lineage_then_canonical_then_passthrough(tmp_path: Path) -> None:
    got = read_companies(write(tmp_path, "zi.csv", ZOOMINFO)).companies
    expected = {**LINEAGE_SCHEMA, **COMPANY_SCHEMA, "ZoomInfo Company ID": pl.String()}
    assert got.schema == pl.Schema(expected)


def test_zoominfo_values(tmp_path: Path) -> None:
    got = read_companies(write(tmp_path, "zi.csv", ZOOMINFO)).companies
    assert got["employees"].to_list() == [250, 3000, None]  # count first, then the range
    assert got["revenue"].to_list() == [25e6, 1e9, None]  # (in 000s USD) x1000
    assert got["country"].to_list() == ["US", "DE", "US"]
    assert got["state"].to_list() == ["CA", "Bayern", "MA"]
    assert got["postal_code"].to_list() == ["94105", "80331", "02134"]  # US zero restored
    assert got["funding_stage"].to_list() == ["Series B", "Series C", "Series A"]
    assert got["last_funding_date"].to_list() == [
        date(2012, 6, 30),
        date(2014, 1, 15),
        date(2019, 6, 1),
    ]
    assert got["technologies"].to_list() == [["Salesforce", "HubSpot"], None, ["Slack", "Zoom"]]
    assert got["founded_year"].to_list() == [2009, 2001, 2015]
    assert got["sic"].to_list() == ["7372", None, None]
    assert got["departments"].to_list() == [None, None, None]
    assert got["line"].to_list() == [2, 3, 4]
    assert got["unparsed"].to_list() == [None, None, "employees=lots"]


def test_report_counts_parse_rates_and_placeholders(tmp_path: Path) -> None:
    path = write(tmp_path, "zi.csv", ZOOMINFO)
    (report,) = read_companies(path).reports
    assert (report.path, report.format, report.encoding, report.rows) == (
        str(path),
        "csv",
        "utf-8",
        3,
    )
    stats = {s.header: s for s in report.fields}
    employees = stats["Employees"]
    assert (employees.filled, employees.parsed, employees.unparsed, employees.placeholders) == (
        2,
        1,
        1,
        0,
    )
    assert employees.examples == ["lots"]
    assert employees.parse_rate == 0.5
    revenue = stats["Revenue (in 000s USD)"]
    assert (revenue.filled, revenue.parsed, revenue.placeholders, revenue.unparsed) == (2, 1, 1, 0)
    assert report.placeholders == 1
    assert "Revenue (in 000s USD): values without a unit multiplied by 1000" in report.notes
    mapping = {m.header: (m.field, m.method) for m in report.mapping}
    assert mapping["Employee Range"] == ("employees_range", "alias")
    assert mapping["ZoomInfo Company ID"] == (None, None)


def test_crunchbase_headquarters_location(tmp_path: Path) -> None:
    text = (
        "Organization Name,Website,Headquarters Location,Estimated Revenue Range,Founded Date,"
        "Last Funding Type,Number of Employees\n"
        'Acme,acme.com,"San Francisco, California, United States",$10M to $50M,2012-06-30,'
        "Series B,101-250\n"
        'Beta,beta.co.uk,"London, England, United Kingdom",Less than $1M,Jun 2012,Seed,1-10\n'
        'Gamma,gamma.ca,"Toronto, ON",,2015,angel,11-50\n'
        'Delta,delta.io,"Austin, TX, USA; Remote",,,,\n'
        "Eps,eps.io,Nowhere Land Of Oz,,,,\n"
    )
    got = read_companies(write(tmp_path, "cb.csv", text)).companies
    assert got.select("city", "state", "country").rows() == [
        ("San Francisco", "CA", "US"),
        ("London", "England", "GB"),
        ("Toronto", "ON", "CA"),
        ("Austin", "TX", "US"),
        ("Nowhere Land Of Oz", None, None),
    ]
    assert got["revenue"].to_list() == [30e6, 0.5e6, None, None, None]
    assert got["founded_year"].to_list() == [2012, 2012, 2015, None, None]
    assert got["employees"].to_list() == [175, 5, 30, None, None]
    assert got["funding_stage"].to_list() == ["Series B", "Seed", "Pre-Seed", None, None]


def test_explicit_columns_win_over_location(tmp_path: Path) -> None:
    text = 'name,country,Location\nAcme,DE,"Paris, France"\n'
    got = read_companies(write(tmp_path, "a.csv", text)).companies
    assert got.select("city", "country").row(0) == ("Paris", "DE")


def test_several_files_concatenate_with_lineage(tmp_path: Path) -> None:
    a = write(tmp_path, "a.csv", "Company Name,Website,Owner\nAcme,acme.com,Ann\nBeta,beta.io,Bo\n")
    b = tmp_path / "b.parquet"
    pl.DataFrame({"Name": ["Gamma"], "Domain": ["gamma.io"], "Tier": ["1"]}).write_parquet(b)
    got = read_companies([str(a), b])
    frame = got.companies
    assert frame.select("row_id", "source", "line", "name", "website").rows() == [
        (0, str(a), 2, "Acme", "acme.com"),
        (1, str(a), 3, "Beta", "beta.io"),
        (2, str(b), 1, "Gamma", "gamma.io"),
    ]
    assert frame.columns[-2:] == ["Owner", "Tier"]
    assert frame["Tier"].to_list() == [None, None, "1"]
    assert [r.path for r in got.reports] == [str(a), str(b)]


def test_passthrough_colliding_with_reserved_names_is_renamed(tmp_path: Path) -> None:
    text = "company,website,domain,row_id\nWalmart,walmart.com,walmart.com,7\n"
    frame = read_companies(write(tmp_path, "f.csv", text)).companies
    assert frame.columns[-2:] == ["input_domain", "input_row_id"]
    assert frame["row_id"].to_list() == [0]


def test_ragged_rows_become_rejects_and_the_count_closes(tmp_path: Path) -> None:
    text = "name,website\nAcme,acme.com\nBeta,beta.io,extra\nGamma,gamma.io\n"
    got = read_companies(write(tmp_path, "r.csv", text))
    assert got.companies["name"].to_list() == ["Acme", "Gamma"]
    assert got.rejects.schema == pl.Schema(REJECT_SCHEMA)
    assert got.rejects.select("line", "stage", "reason", "name", "detail").rows() == [
        (3, "ingest", "ragged row: 3 fields, header has 2", "Beta", "Beta,beta.io,extra")
    ]
    assert got.reports[0].rejected == 1


def test_column_map_overrides(tmp_path: Path) -> None:
    text = "Org,Size,Company Name\nAcme,51-200,Ignored Inc\n"
    path = write(tmp_path, "m.csv", text)
    got = read_companies(path, column_map=["Org=name", "Size=employees", "Company Name=-"])
    frame = got.companies
    assert frame.select("name", "employees", "Company Name").row(0) == ("Acme", 125, "Ignored Inc")
    assert {m.header: m.method for m in got.reports[0].mapping}["Org"] == "override"
    assert read_companies(path, column_map={"Org": "name"}).companies["name"].to_list() == ["Acme"]


def test_no_name_or_website_column(tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", "foo,bar,baz\n1,2,3\n")
    with pytest.raises(InputError) as info:
        read_companies(path)
    assert str(info.value) == (
        f"{path}: no column for the company name or website (headers: foo, bar, baz); "
        "use --map 'Header=name'"
    )


def test_map_header_missing_from_every_file(tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", "name,site\nAcme,acme.com\n")
    with pytest.raises(InputError) as info:
        read_companies(path, column_map=["Sitee=website"])
    assert str(info.value) == (
        f"--map 'Sitee=website': no column 'Sitee' in {path} (headers: name, site); "
        "copy the header exactly"
    )


def test_unparsed_lists_every_failing_field(tmp_path: Path) -> None:
    text = "name,employees,revenue,founded,country\nAcme,abc,n/a,someday,Atlantis\n"
    frame = read_companies(write(tmp_path, "u.csv", text)).companies
    assert frame["unparsed"].to_list() == ["employees=abc; founded_year=someday; country=Atlantis"]


def test_deterministic(tmp_path: Path) -> None:
    path = write(tmp_path, "zi.csv", ZOOMINFO)
    assert read_companies(path).companies.equals(read_companies(path).companies)


def test_one_million_rows_not_needed_but_many_rows_keep_order(tmp_path: Path) -> None:
    n = 20_000
    frame = pl.DataFrame(
        {
            "name": [f"Co {i}" for i in range(n)],
            "employees": [["1-10", "11-50", "500", "x"][i % 4] for i in range(n)],
        }
    )
    path = tmp_path / "many.csv"
    frame.write_csv(path)
    got = read_companies(path).companies
    assert got["name"].to_list() == frame["name"].to_list()
    assert got["employees"].to_list()[:4] == [5, 30, 500, None]
    assert got["line"].to_list()[-1] == n + 1


# --- real lists (skipped when ../shared/data is absent) ---------------------------------

REAL = [
    (
        "crunchbase_2014/companies.csv",
        19374,
        {
            "name": "name",
            "homepage_url": "website",
            "category_code": "industry",
            "funding_total_usd": "total_funding",
            "country_code": "country",
            "state_code": "state",
            "city": "city",
            "founded_year": "founded_year",
            "last_funding_at": "last_funding_date",
        },
    ),
    (
        "yc_companies/yc_companies.csv",
        5706,
        {
            "name": "name",
            "website": "website",
            "team_size": "employees",
            "all_locations": "location",
            "industry": "industry",
            "one_liner": "description",
        },
    ),
    ("fortune500_2020/fortune_500_companies.csv", 100, {"company": "name", "website": "website"}),
]


@pytest.mark.parametrize(("relative", "rows", "mapping"), REAL, ids=[r[0] for r in REAL])
def test_real_lists_map_without_overrides(
    relative: str, rows: int, mapping: dict[str, str]
) -> None:
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{path} is absent")
    got = read_companies(path)
    (report,) = got.reports
    assert report.rows + report.rejected == rows
    assert {m.header: m.field for m in report.mapping if m.field} == mapping
    frame = got.companies
    assert frame.height == rows
    with_site = frame.filter(pl.col("website").is_not_null())
    assert with_site.height >= 0.95 * rows


def test_crunchbase_2014_values() -> None:
    path = SHARED / "crunchbase_2014" / "companies.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    got = read_companies(path)
    frame = got.companies
    assert got.reports[0].encoding == "cp1252"
    assert frame.filter(pl.col("name").str.contains("Anchor™")).height == 1
    assert frame["country"].unique().to_list() == ["US"]
    first = frame.row(0, named=True)
    assert (first["name"], first["line"], first["last_funding_date"]) == (
        "#waywire",
        2,
        date(2012, 6, 30),
    )
    assert frame.row(1, named=True)["name"] is None  # "#NAME?" -> placeholder
    stats = {s.field: s for s in got.reports[0].fields}
    assert stats["total_funding"].parse_rate is not None
    assert stats["total_funding"].parse_rate > 0.99


# (Employees, Employee Range) -> (employees, employees_min, employees_max): an exact count
# wins and carries no band; a band comes from whichever column supplied the value
BAND_CASES = [
    ("", "1,001-5,000", 3000, 1001, 5000),
    ("250", "1,001-5,000", 250, None, None),
    ("", "10,001+", 10001, 10001, None),
    ("51-200", "", 125, 51, 200),  # a band written in the count column
    ("51-200", "1-10", 125, 51, 200),
    ("10,001+", "", 10001, 10001, None),
    ("", "", None, None, None),
    ("lots", "11-50", 30, 11, 50),
    ("2.1K", "", 2100, None, None),
]


@pytest.mark.parametrize(("count", "band", "point", "low", "high"), BAND_CASES)
def test_employee_band_columns(
    tmp_path: Path, count: str, band: str, point: int | None, low: int | None, high: int | None
) -> None:
    path = write(
        tmp_path, "b.csv", f'Company Name,Employees,Employee Range\nA,"{count}","{band}"\n'
    )
    got = read_companies(path).companies
    assert got.select("employees", "employees_min", "employees_max").row(0) == (point, low, high)


def test_employee_band_columns_follow_employees_in_the_schema(tmp_path: Path) -> None:
    got = read_companies(write(tmp_path, "zi.csv", ZOOMINFO)).companies
    i = got.columns.index("employees")
    assert got.columns[i : i + 3] == ["employees", "employees_min", "employees_max"]
    assert got.select("employees", "employees_min", "employees_max").rows() == [
        (250, None, None),
        (3000, 1001, 5000),
        (None, None, None),
    ]
