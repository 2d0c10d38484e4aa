"""Header aliases and map_headers: vendor exports map without --map."""

from __future__ import annotations

import pytest

from listbuilder.errors import InputError
from listbuilder.ingest.aliases import (
    COMPANY_ALIASES,
    MAPPABLE_FIELDS,
    ColumnMatch,
    header_units,
    map_headers,
    normalize_header,
    parse_column_map,
)

ZOOMINFO = [
    "ZoomInfo Company ID",
    "Company Name",
    "Website",
    "Founded Year",
    "Company HQ Phone",
    "Revenue (in 000s USD)",
    "Revenue Range (in USD)",
    "Employees",
    "Employee Range",
    "SIC Code 1",
    "SIC Code 2",
    "NAICS Code 1",
    "Primary Industry",
    "Primary Sub-Industry",
    "LinkedIn Company Profile URL",
    "Facebook Company Profile URL",
    "Total Funding Amount (in 000s USD)",
    "Recent Funding Amount (in 000s USD)",
    "Recent Funding Round",
    "Recent Funding Date",
    "Company City",
    "Company State",
    "Company Zip Code",
    "Company Country",
    "Company ID (Ultimate Parent)",
]

# (vendor, headers, {header: field} expected for the mapped ones; others must stay unmapped)
VENDORS = [
    (
        "zoominfo",
        ZOOMINFO,
        {
            "Company Name": "name",
            "Website": "website",
            "Founded Year": "founded_year",
            "Company HQ Phone": "phone",
            "Revenue (in 000s USD)": "revenue",
            "Revenue Range (in USD)": "revenue_range",
            "Employees": "employees",
            "Employee Range": "employees_range",
            "SIC Code 1": "sic",
            "NAICS Code 1": "naics",
            "Primary Industry": "industry",
            "LinkedIn Company Profile URL": "linkedin_url",
            "Total Funding Amount (in 000s USD)": "total_funding",
            "Recent Funding Round": "funding_stage",
            "Recent Funding Date": "last_funding_date",
            "Company City": "city",
            "Company State": "state",
            "Company Zip Code": "postal_code",
            "Company Country": "country",
            "Company ID (Ultimate Parent)": "parent_id",
        },
    ),
    (
        "apollo",
        [
            "Company Name",
            "# Employees",
            "Industry",
            "Website",
            "Company Linkedin Url",
            "Company Country",
            "Annual Revenue",
            "Total Funding",
            "Technologies",
            "Founded Year",
            "Short Description",
            "Company Name for Emails",
            "Latest Funding",
            "Last Raised At",
            "Latest Funding Amount",
            "Apollo Account Id",
            "Company Phone",
        ],
        {
            "Company Name": "name",
            "# Employees": "employees",
            "Industry": "industry",
            "Website": "website",
            "Company Linkedin Url": "linkedin_url",
            "Company Country": "country",
            "Annual Revenue": "revenue",
            "Total Funding": "total_funding",
            "Technologies": "technologies",
            "Founded Year": "founded_year",
            "Short Description": "description",
            "Latest Funding": "funding_stage",
            "Last Raised At": "last_funding_date",
            "Company Phone": "phone",
        },
    ),
    (
        "crunchbase",
        [
            "Organization Name",
            "Organization Name URL",
            "Website",
            "Industries",
            "Headquarters Location",
            "Estimated Revenue Range",
            "Founded Date",
            "Total Funding Amount (in USD)",
            "Last Funding Type",
            "Last Funding Date",
            "Number of Employees",
            "LinkedIn",
            "CB Rank (Company)",
        ],
        {
            "Organization Name": "name",
            "Website": "website",
            "Industries": "industry",
            "Headquarters Location": "location",
            "Estimated Revenue Range": "revenue_range",
            "Founded Date": "founded_year",
            "Total Funding Amount (in USD)": "total_funding",
            "Last Funding Type": "funding_stage",
            "Last Funding Date": "last_funding_date",
            "Number of Employees": "employees",
            "LinkedIn": "linkedin_url",
        },
    ),
    (
        "crunchbase-2014",
        [
            "permalink",
            "name",
            "homepage_url",
            "category_code",
            "funding_total_usd",
            "status",
            "country_code",
            "state_code",
            "region",
            "city",
            "funding_rounds",
            "founded_at",
            "founded_month",
            "founded_quarter",
            "founded_year",
            "first_funding_at",
            "last_funding_at",
            "last_milestone_at",
        ],
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
        "dnb",
        [
            "D-U-N-S Number",
            "Company Name",
            "Employees (All Sites)",
            "Employees (Single Site)",
            "Sales",
            "Primary SIC Code",
            "Primary NAICS Code",
            "Country/Region",
            "City",
            "Global Ultimate Business Name",
        ],
        {
            "Company Name": "name",
            "Employees (All Sites)": "employees",
            "Sales": "revenue",
            "Primary SIC Code": "sic",
            "Primary NAICS Code": "naics",
            "Country/Region": "country",
            "City": "city",
            "Global Ultimate Business Name": "parent_company",
        },
    ),
    (
        "hubspot",
        [
            "Record ID",
            "Name",
            "Company domain name",
            "Number of employees",
            "Annual revenue",
            "Country/Region",
            "State/Region",
            "City",
            "Lifecycle Stage",
            "Company owner",
        ],
        {
            "Name": "name",
            "Company domain name": "website",
            "Number of employees": "employees",
            "Annual revenue": "revenue",
            "Country/Region": "country",
            "State/Region": "state",
            "City": "city",
        },
    ),
    (
        "salesforce",
        [
            "Id",
            "Name",
            "Website",
            "NumberOfEmployees",
            "AnnualRevenue",
            "BillingCountry",
            "BillingState",
            "BillingCity",
            "BillingPostalCode",
            "Industry",
            "Phone",
        ],
        {
            "Name": "name",
            "Website": "website",
            "NumberOfEmployees": "employees",
            "AnnualRevenue": "revenue",
            "BillingCountry": "country",
            "BillingState": "state",
            "BillingCity": "city",
            "BillingPostalCode": "postal_code",
            "Industry": "industry",
            "Phone": "phone",
        },
    ),
    (
        "sales-navigator",
        [
            "Company Name",
            "Company Domain",
            "Company Headcount",
            "Industry",
            "Company Location",
            "LinkedIn Company URL",
            "Description",
        ],
        {
            "Company Name": "name",
            "Company Domain": "website",
            "Company Headcount": "employees",
            "Industry": "industry",
            "Company Location": "location",
            "LinkedIn Company URL": "linkedin_url",
            "Description": "description",
        },
    ),
    (
        "fortune500",
        ["rank", "company", "website", "domain", "dmarc_record"],
        {
            "company": "name",
            "website": "website",
        },
    ),
    (
        "yc",
        [
            "id",
            "name",
            "slug",
            "former_names",
            "website",
            "batch",
            "status",
            "team_size",
            "all_locations",
            "industry",
            "subindustry",
            "one_liner",
            "launched_at",
        ],
        {
            "name": "name",
            "website": "website",
            "team_size": "employees",
            "all_locations": "location",
            "industry": "industry",
            "one_liner": "description",
        },
    ),
]


@pytest.mark.parametrize(("vendor", "headers", "expected"), VENDORS, ids=[v[0] for v in VENDORS])
def test_vendor_exports_map_without_overrides(
    vendor: str, headers: list[str], expected: dict[str, str]
) -> None:
    got = {m.header: m.field for m in map_headers(headers) if m.field}
    assert got == expected


# a parent's name maps to parent_company, its id to parent_id (a family key, never a name)
PARENTS = [  # headers -> (the parent_company header, the parent_id header)
    (["Company Name", "Company ID (Ultimate Parent)"], (None, "Company ID (Ultimate Parent)")),
    (["Company Name", "Parent Company ID"], (None, "Parent Company ID")),
    (["Company Name", "ParentId"], (None, "ParentId")),
    (["Company Name", "Parent ID"], (None, "Parent ID")),
    (["Company Name", "Ultimate Parent Company ID"], (None, "Ultimate Parent Company ID")),
    (["Company Name", "Parent Company"], ("Parent Company", None)),
    (["Company Name", "Ultimate Parent"], ("Ultimate Parent", None)),
    (["Company Name", "Global Ultimate Business Name"], ("Global Ultimate Business Name", None)),
    (
        ["Company Name", "Company ID (Ultimate Parent)", "Parent Name"],
        ("Parent Name", "Company ID (Ultimate Parent)"),
    ),
]


@pytest.mark.parametrize(("headers", "expected"), PARENTS)
def test_a_parent_id_is_not_a_parent_name(
    headers: list[str], expected: tuple[str | None, str | None]
) -> None:
    mapping = map_headers(headers)
    for field, header in zip(("parent_company", "parent_id"), expected, strict=True):
        got = [m.header for m in mapping if m.field == field]
        assert got == ([header] if header else []), field


FUZZY = [  # unknown spellings close to an alias
    ("Company Nme", "name"),
    ("Employee Cnt", "employees"),
    ("Annual Revenues", "revenue"),
    ("Linkedin Urls", "linkedin_url"),
    ("Postal Codes", "postal_code"),
    ("Tech Stacks", "technologies"),
    ("Favourite Colour", None),
    ("first_funding_at", None),  # known non-field, never fuzzy-matched onto last_funding_date
    ("ID", None),
]


@pytest.mark.parametrize(("header", "expected"), FUZZY)
def test_fuzzy_matching(header: str, expected: str | None) -> None:
    (match,) = map_headers([header])
    assert match.field == expected
    if expected:
        assert match.method in ("fuzzy", "alias")
        assert 0 < match.confidence <= 100


def test_each_field_claimed_once_best_wins() -> None:
    got = map_headers(["Name", "Company Name", "Website", "Domain"])
    assert got == [
        ColumnMatch("Name", None, 0, None),
        ColumnMatch("Company Name", "name", 100, "alias"),
        ColumnMatch("Website", "website", 100, "alias"),
        ColumnMatch("Domain", None, 0, None),
    ]


def test_tie_goes_to_leftmost_header() -> None:
    got = map_headers(["country", "Country"])
    assert [m.field for m in got] == ["country", None]


def test_overrides_win_and_can_unmap() -> None:
    got = map_headers(
        ["Org", "Company Name", "Website"], overrides={"Org": "name", "Website": None}
    )
    assert got == [
        ColumnMatch("Org", "name", 100, "override"),
        ColumnMatch("Company Name", None, 0, None),
        ColumnMatch("Website", None, 0, "override"),
    ]


def test_other_alias_tables() -> None:
    got = map_headers(["Deal Amount", "Close"], {"amount": ("Amount", "Deal Amount")})
    assert [m.field for m in got] == ["amount", None]


NORMALIZED = [
    ("NumberOfEmployees", "number of employees"),
    ("# Employees", "employees"),
    ("Revenue (in 000s USD)", "revenue in 000s usd"),
    ("  Company_Name ", "company name"),
    ("\ufeffName", "name"),
]


@pytest.mark.parametrize(("header", "expected"), NORMALIZED)
def test_normalize_header(header: str, expected: str) -> None:
    assert normalize_header(header) == expected


UNITS = [
    ("Revenue (in 000s USD)", (1000.0, "USD")),
    ("Total Funding Amount (in 000s USD)", (1000.0, "USD")),
    ("Revenue Range (in USD)", (1.0, "USD")),
    ("Revenue", (1.0, None)),
    ("Sales (EUR, millions)", (1e6, "EUR")),
    ("Revenue ($M)", (1e6, None)),
    ("Revenue (thousands)", (1000.0, None)),
    ("Umsatz (in Tsd EUR)", (1.0, "EUR")),
]


@pytest.mark.parametrize(("header", "expected"), UNITS)
def test_header_units(header: str, expected: tuple[float, str | None]) -> None:
    assert header_units(header) == expected


COLUMN_MAPS = [
    (["Org Size=employees"], {"Org Size": "employees"}),
    (["A=B=name"], {"A=B": "name"}),  # the last "=" splits
    ([" Col = website "], {"Col": "website"}),
    (["Junk=-"], {"Junk": None}),
    ({"Org": "name"}, {"Org": "name"}),
    (None, {}),
]


@pytest.mark.parametrize(("given", "expected"), COLUMN_MAPS)
def test_parse_column_map(given: object, expected: dict[str, str | None]) -> None:
    assert parse_column_map(given) == expected  # type: ignore[arg-type]


BAD_MAPS = [
    (
        ["Org=emps"],
        "--map 'Org=emps': unknown field 'emps'; valid fields: " + ", ".join(MAPPABLE_FIELDS),
    ),
    (["Org"], "--map 'Org': expected 'Header=field', e.g. 'Org=name'"),
    (["=name"], "--map '=name': the header is empty; expected 'Header=field'"),
    (
        ["A=name", "B=name"],
        "--map 'B=name': field 'name' is already mapped from 'A'; map each field once",
    ),
]


@pytest.mark.parametrize(("given", "message"), BAD_MAPS)
def test_parse_column_map_errors(given: list[str], message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_column_map(given)
    assert str(info.value) == message


def test_alias_table_covers_every_field() -> None:
    assert set(MAPPABLE_FIELDS) <= set(COMPANY_ALIASES)
