"""Scoring: operators, partial credit, missing data, tiers, filters, why, several profiles."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from listbuilder.errors import InputError
from listbuilder.profile import Profile, load_profile
from listbuilder.schema import COMPANY_SCHEMA, DERIVED_SCHEMA, LINEAGE_SCHEMA, REJECT_SCHEMA
from listbuilder.score import BREAKDOWN_DTYPE, score_companies, tier_expr

SCHEMA = {**LINEAGE_SCHEMA, **COMPANY_SCHEMA, **DERIVED_SCHEMA}


def companies(*rows: dict[str, Any]) -> pl.DataFrame:
    """A canonical frame: the given fields, everything else null; row_id/line numbered."""
    filled = [
        {"row_id": i, "source": "list.csv", "line": i + 2, **row} for i, row in enumerate(rows)
    ]
    return pl.DataFrame({k: [r.get(k) for r in filled] for k in SCHEMA}, schema=SCHEMA)


def make_profile(tmp_path: Path, body: str, *, head: str = "", name: str = "t") -> Profile:
    text = f'[profile]\nname = "{name}"\ntiers = {{ A = 80, B = 50 }}\n{head}\n{body}'
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return load_profile(str(path))


def one_criterion(tmp_path: Path, rule: str, extra: str = "", head: str = "") -> Profile:
    return make_profile(
        tmp_path, f'[[criterion]]\nname = "C"\n{rule}\nweight = 100\n{extra}\n', head=head
    )


GROUPS = """
[groups.software]
label = "Software & Internet"
industry = ["SaaS", "Computer Software", "Software", "Internet"]
naics_prefix = ["5112"]
sic_prefix = ["7372"]

[groups.crm]
values = ["Salesforce", "HubSpot"]
"""

# (criterion body, the account's fields, expected status)
OPERATOR_CASES = [
    ('field = "employees"\nbetween = [200, 2000]', {"employees": 500}, "match"),
    ('field = "employees"\nbetween = [200, 2000]', {"employees": 200}, "match"),
    ('field = "employees"\nbetween = [200, 2000]', {"employees": 2000}, "match"),
    ('field = "employees"\nbetween = [200, 2000]', {"employees": 150}, "miss"),
    ('field = "employees"\nbetween = [200, 2000]', {}, "unknown"),  # no data is never a miss
    ('field = "employees"\nat_least = 200', {"employees": 199}, "miss"),
    ('field = "employees"\nat_most = 50', {"employees": 50}, "match"),
    ('field = "revenue"\nbetween = [1e6, 5e6]', {"revenue": 2.5e6}, "match"),
    ('field = "founded_year"\nat_most = 2005', {"founded_year": 2010}, "miss"),
    (
        'field = "last_funding_date"\nat_least = 2024-01-01',
        {"last_funding_date": dt.date(2024, 6, 1)},
        "match",
    ),
    (
        'field = "last_funding_date"\nat_least = 2024-01-01',
        {"last_funding_date": dt.date(2023, 6, 1)},
        "miss",
    ),
    ('field = "industry"\nin = ["saas"]', {"industry": "SaaS"}, "match"),
    ('field = "industry"\nin = ["saas"]', {"industry": "Retail"}, "miss"),
    ('field = "industry"\nnot_in = ["Retail"]', {"industry": "SaaS"}, "match"),
    ('field = "industry"\nnot_in = ["Retail"]', {"industry": "retail"}, "miss"),
    ('field = "industry"\nin = ["group:software"]', {"industry": "computer software"}, "match"),
    ('field = "industry"\nin = ["group:software"]', {"naics": "511210"}, "match"),
    ('field = "industry"\nin = ["group:software"]', {"industry": "Other", "sic": "7372"}, "match"),
    ('field = "industry"\nin = ["group:software"]', {"industry": "Other", "sic": "5812"}, "miss"),
    ('field = "naics"\nin = ["5112"]', {"naics": "511210"}, "match"),
    ('field = "naics"\nin = ["5112"]', {"naics": "541511"}, "miss"),
    ('field = "country"\nin = ["NA"]', {"country": "CA"}, "match"),
    ('field = "country"\nin = ["dach"]', {"country": "AT"}, "match"),
    ('field = "country"\nin = ["NA", "GB"]', {"country": "FR"}, "miss"),
    ('field = "country"\nnot_in = ["EMEA"]', {"country": "US"}, "match"),
    ('field = "funding_stage"\nat_least = "Series B"', {"funding_stage": "Series C"}, "match"),
    ('field = "funding_stage"\nat_least = "series b"', {"funding_stage": "Public"}, "match"),
    ('field = "funding_stage"\nat_least = "Series B"', {"funding_stage": "Series A"}, "miss"),
    ('field = "funding_stage"\nat_most = "Seed"', {"funding_stage": "Pre-Seed"}, "match"),
    (
        'field = "funding_stage"\nbetween = ["Series B", "Series C"]',
        {"funding_stage": "Series D+"},
        "miss",
    ),
    ('field = "funding_stage"\nin = ["Series B"]', {"funding_stage": "series b"}, "match"),
    (
        'field = "technologies"\nany = ["hubspot", "Salesforce"]',
        {"technologies": ["HubSpot", "X"]},
        "match",
    ),
    ('field = "technologies"\nany = ["hubspot"]', {"technologies": ["Marketo"]}, "miss"),
    ('field = "technologies"\nany = ["group:crm"]', {"technologies": ["salesforce"]}, "match"),
    ('field = "tech_stack"\nall = ["A", "B"]', {"technologies": ["a", "b", "c"]}, "match"),
    ('field = "technologies"\nall = ["A", "B"]', {"technologies": ["a"]}, "miss"),
    (
        'field = "technologies"\nall = ["group:crm", "Slack"]',
        {"technologies": ["HubSpot", "Slack"]},
        "match",
    ),
    ('field = "technologies"\nnone = ["Oracle"]', {"technologies": ["SAP"]}, "match"),
    ('field = "technologies"\nnone = ["Oracle"]', {"technologies": ["oracle"]}, "miss"),
    ('field = "technologies"\nmatches = "^sales"', {"technologies": ["X", "Salesforce"]}, "match"),
    ('field = "departments"\nany = ["RevOps"]', {"departments": []}, "unknown"),  # empty: no data
    ('field = "website"\nexists = true', {"website": "acme.com"}, "match"),
    ('field = "website"\nexists = true', {}, "miss"),
    ('field = "website"\nmissing = true', {}, "match"),
    (
        'field = "description"\nmatches = "saas|software"',
        {"description": "A SaaS platform"},
        "match",
    ),
    ('field = "description"\nmatches = "saas|software"', {"description": "Bakery"}, "miss"),
    ('field = "domain"\nin = ["acme.com"]', {"domain": "ACME.com"}, "match"),
]


@pytest.mark.parametrize(("rule", "fields", "status"), OPERATOR_CASES)
def test_operators(tmp_path: Path, rule: str, fields: dict[str, Any], status: str) -> None:
    profile = one_criterion(tmp_path, rule, head=GROUPS)
    scored = score_companies(companies(fields), profile).companies
    assert scored["breakdown"][0][0]["status"] == status
    assert scored["fit_score"][0] == (100.0 if status == "match" else 0.0)


# (criterion with partial credit, employees or stage, expected points of 30)
PARTIAL_CASES = [
    ("between = [200, 2000]", 150, 15.0, "partial"),
    ("between = [200, 2000]", 149, 0.0, "miss"),
    ("between = [200, 2000]", 2500, 15.0, "partial"),
    ("between = [200, 2000]", 2501, 0.0, "miss"),
    ("between = [200, 2000]", 300, 30.0, "match"),
    ("at_least = 200", 160, 15.0, "partial"),
    ("at_most = 100", 125, 15.0, "partial"),
]


@pytest.mark.parametrize(("rule", "employees", "points", "status"), PARTIAL_CASES)
def test_partial_credit_on_numbers(
    tmp_path: Path, rule: str, employees: int, points: float, status: str
) -> None:
    profile = make_profile(
        tmp_path,
        f"""
[[criterion]]
name = "Size"
field = "employees"
{rule}
weight = 30
partial = {{ margin = 0.25, share = 0.5 }}

[[criterion]]
name = "Rest"
field = "website"
exists = true
weight = 70
""",
    )
    entry = score_companies(companies({"employees": employees}), profile).companies["breakdown"][0][
        0
    ]
    assert (entry["points"], entry["status"]) == (points, status)


@pytest.mark.parametrize(
    ("stage", "points"),
    [
        ("Series A", 50.0),
        ("Seed", 0.0),
        ("Series D+", 50.0),
        ("Private Equity", 0.0),
        ("Series C", 100.0),
    ],
)
def test_partial_credit_on_the_funding_scale(tmp_path: Path, stage: str, points: float) -> None:
    profile = one_criterion(
        tmp_path,
        'field = "funding_stage"\nbetween = ["Series B", "Series C"]',
        "partial = { steps = 1, share = 0.5 }",
    )
    assert (
        score_companies(companies({"funding_stage": stage}), profile).companies["fit_score"][0]
        == points
    )


# (on_missing, status for an account without the data, fit_unknown, why piece)
MISSING_CASES = [
    ("no_points", "unknown", 1, "Size unknown ? 0"),  # 0 points, but unknown: not a miss
    ("unknown", "unknown", 1, "Size unknown ? 0"),
]


@pytest.mark.parametrize(("policy", "status", "unknown", "why"), MISSING_CASES)
def test_missing_data_policy(
    tmp_path: Path, policy: str, status: str, unknown: int, why: str
) -> None:
    profile = one_criterion(
        tmp_path, 'field = "employees"\nat_least = 10\nlabel = "Size"', f'on_missing = "{policy}"'
    )
    scored = score_companies(companies({}, {"employees": 5}), profile)
    first, second = scored.companies.row(0, named=True), scored.companies.row(1, named=True)
    assert first["breakdown"][0]["status"] == status
    assert (first["fit_unknown"], first["why"], first["fit_score"]) == (unknown, why, 0.0)
    assert second["fit_unknown"] == 0 and second["breakdown"][0]["status"] == "miss"
    assert scored.unknowns == ({"t": {"C": 1}} if policy == "unknown" else {})


@pytest.mark.parametrize(
    ("score", "tier"),
    [(100.0, "A"), (80.0, "A"), (79.9, "B"), (70.0, "B"), (50.0, "C"), (49.0, None), (0.0, None)],
)
def test_tiers(score: float, tier: str | None) -> None:
    profile = load_profile("b2b_saas")
    frame = pl.DataFrame({"s": [score]}).select(tier_expr(profile, "s").alias("t"))
    assert frame["t"][0] == tier


REFERENCE = [
    # the examples: (account, fit_score, tier, why)
    (
        {
            "employees": 500,
            "industry": "SaaS",
            "technologies": ["HubSpot"],
            "funding_stage": "Series C",
            "departments": ["Sales", "Marketing"],
        },
        90.0,
        "A",
        "500 employees ✓ 30 · SaaS ✓ 20 · HubSpot ✓ 25 · Series C ✓ 15 · no RevOps ✗ 0",
    ),
    (
        {
            "employees": 150,
            "industry": "SaaS",
            "technologies": ["Salesforce"],
            "funding_stage": "Series A",
            "departments": ["RevOps"],
        },
        55.0,
        "C",
        "150 employees ✗ 0 · SaaS ✓ 20 · Salesforce ✓ 25 · Series A ✗ 0 · RevOps ✓ 10",
    ),
]


@pytest.mark.parametrize(("account", "score", "tier", "why"), REFERENCE)
def test_the_reference_profile_examples(
    account: dict[str, Any], score: float, tier: str, why: str
) -> None:
    profile = load_profile("b2b_saas")
    row = score_companies(companies({"country": "US", **account}), profile).companies.row(
        0, named=True
    )
    assert (row["fit_score"], row["fit_tier"], row["why"]) == (score, tier, why)
    assert (row["fit_score"] >= profile.priority_threshold) == (tier == "A")


def test_breakdown_has_the_contract_dtype_and_values() -> None:
    profile = load_profile("b2b_saas")
    scored = score_companies(companies({"country": "US", **REFERENCE[0][0]}), profile).companies
    assert scored.schema["breakdown"] == BREAKDOWN_DTYPE
    assert scored["breakdown"][0].to_list() == [
        {
            "criterion": "Mid-market size",
            "points": 30.0,
            "weight": 30.0,
            "status": "match",
            "value": "500",
            "matched": None,
            "shown": "500",
        },
        {
            "criterion": "Software or internet company",
            "points": 20.0,
            "weight": 20.0,
            "status": "match",
            "value": "SaaS",
            "matched": None,
            "shown": "SaaS",
        },
        {
            "criterion": "Uses Salesforce or HubSpot",
            "points": 25.0,
            "weight": 25.0,
            "status": "match",
            "value": "HubSpot",
            "matched": "HubSpot",
            "shown": "HubSpot",
        },
        {
            "criterion": "Series B or later",
            "points": 15.0,
            "weight": 15.0,
            "status": "match",
            "value": "Series C",
            "matched": None,
            "shown": "Series C",
        },
        {
            "criterion": "Has a RevOps function",
            "points": 0.0,
            "weight": 10.0,
            "status": "miss",
            "value": "Sales, Marketing",
            "matched": None,
            "shown": "Sales, Marketing",
        },
    ]
    assert scored.columns[-9:] == [
        "fit_score",
        "confidence",
        "fit_reachable",
        "profile",
        "fit_tier",
        "why",
        "fit_unknown",
        "breakdown",
        "employees_band",
    ]


def test_hard_filters_go_to_rejects_with_countable_reasons() -> None:
    profile = load_profile("b2b_saas")
    frame = companies(
        {"name": "Keep", "country": "US", "industry": "SaaS"},
        {"name": "Fr", "country": "FR", "domain": "fr.fr"},
        {"name": "Gov", "country": "US", "industry": "Government"},
        {"name": "Nocountry"},
        {"name": "School", "country": "CA", "naics": "611110"},
        {"name": "Atlantis", "unparsed": "employees=abc; country=Atlantis"},
    )
    scored = score_companies(frame, profile)
    assert scored.companies["name"].to_list() == ["Keep"]
    expected = pl.DataFrame(
        {
            "source": ["list.csv"] * 5,
            "line": [3, 4, 5, 6, 7],
            "stage": ["filter"] * 5,
            "reason": [
                "failed: North America, UK or Ireland",
                "excluded: Government or education",
                "no data: North America, UK or Ireland",
                "excluded: Government or education",
                "no data: North America, UK or Ireland",
            ],
            "name": ["Fr", "Gov", "Nocountry", "School", "Atlantis"],
            "domain": ["fr.fr", None, None, None, None],
            "detail": [
                "country FR (France) not in region NA (US, CA), GB, IE",
                "industry Government",
                "country missing",
                "industry NAICS 611110",
                'country "Atlantis" not recognised',
            ],
        },
        schema=REJECT_SCHEMA,
    )
    assert_frame_equal(scored.rejects, expected)


# (rule, account, passes, detail when rejected)
FILTER_CASES = [
    (
        '[[require]]\nfield = "employees"\nbetween = [200, 2000]',
        {"employees": 150},
        False,
        "failed: employees",
        "employees 150 not in 200–2000",
    ),
    (
        '[[require]]\nname = "Big"\nfield = "employees"\nat_least = 200',
        {"employees": 150},
        False,
        "failed: Big",
        "employees 150 below 200",
    ),
    ('[[require]]\nfield = "employees"\nat_least = 200\non_missing = "pass"', {}, True, None, None),
    (
        '[[require]]\nfield = "technologies"\nany = ["HubSpot"]',
        {"technologies": ["X", "Y"]},
        False,
        "failed: technologies",
        "technologies X, Y has none of HubSpot",
    ),
    (
        '[[require]]\nfield = "funding_stage"\nat_least = "Series B"',
        {"funding_stage": "Seed"},
        False,
        "failed: funding_stage",
        "funding_stage Seed below Series B",
    ),
    (
        '[[exclude]]\nfield = "industry"\nin = ["Government"]',
        {"industry": "government"},
        False,
        "excluded: industry",
        "industry government",
    ),
    ('[[exclude]]\nfield = "industry"\nin = ["Government"]', {}, True, None, None),
    (
        '[[exclude]]\nfield = "industry"\nin = ["Government"]\non_missing = "exclude"',
        {},
        False,
        "no data: industry",
        "industry missing",
    ),
    (
        '[[exclude]]\nfield = "website"\nmissing = true',
        {},
        False,
        "excluded: website",
        "website missing",
    ),
]


# A null value whose raw text ingest kept in `unparsed` is "not recognised", not "missing".
UNRECOGNISED_FILTER_CASES = [
    (
        '[[require]]\nfield = "country"\nin = ["NA"]',
        {"unparsed": "country=GER"},  # as ingest left it before GER was an alias
        "no data: country",
        'country "GER" not recognised',
    ),
    (
        '[[require]]\nfield = "country"\nin = ["NA"]',
        {"unparsed": "employees=abc; country=Land of Oz; revenue=n/a"},
        "no data: country",
        'country "Land of Oz" not recognised',
    ),
    (
        '[[require]]\nfield = "country"\nin = ["NA"]',
        {"unparsed": "location=Somewhere, Nowhere"},  # the country came from a location column
        "no data: country",
        'country "Somewhere, Nowhere" not recognised',
    ),
    (
        '[[require]]\nfield = "country"\nin = ["NA"]',
        {"unparsed": "employees=abc"},  # another field's raw value: the country is missing
        "no data: country",
        "country missing",
    ),
    (
        '[[require]]\nfield = "employees"\nat_least = 200',
        {"unparsed": "employees_range=lots"},
        "no data: employees",
        'employees "lots" not recognised',
    ),
    (
        '[[require]]\nfield = "total_funding"\nat_least = 1e6',
        {"unparsed": "last_funding_date=soon; total_funding=a lot"},
        "no data: total_funding",
        'total_funding "a lot" not recognised',
    ),
    (
        '[[require]]\nfield = "total_funding"\nat_least = 1e6',
        {"unparsed": "last_funding_date=soon"},  # a key ending like another is not it
        "no data: total_funding",
        "total_funding missing",
    ),
    (
        '[[require]]\nfield = "funding_stage"\nat_least = "Series B"',
        {"unparsed": "funding_stage=Series Z"},
        "no data: funding_stage",
        'funding_stage "Series Z" not recognised',
    ),
    (
        '[[require]]\nfield = "technologies"\nexists = true',
        {"unparsed": "technologies=;;"},
        "failed: technologies",
        'technologies ";;" not recognised',
    ),
    (
        '[[exclude]]\nfield = "country"\nmissing = true',
        {"unparsed": "country=GERM"},
        "excluded: country",
        'country "GERM" not recognised',
    ),
]


@pytest.mark.parametrize(("rule", "fields", "reason", "detail"), UNRECOGNISED_FILTER_CASES)
def test_an_unparsed_value_is_not_recognised_rather_than_missing(
    tmp_path: Path, rule: str, fields: dict[str, Any], reason: str, detail: str
) -> None:
    profile = make_profile(
        tmp_path,
        rule + '\n\n[[criterion]]\nname = "C"\nfield = "name"\nexists = true\nweight = 100\n',
    )
    scored = score_companies(companies(fields), profile)
    assert scored.companies.height == 0
    assert (scored.rejects["reason"][0], scored.rejects["detail"][0]) == (reason, detail)


def test_why_and_breakdown_say_not_recognised() -> None:
    frame = companies(
        {
            "country": "US",
            "industry": None,
            "technologies": ["HubSpot"],
            "unparsed": "employees=lots; naics=n.a.; funding_stage=Series Z; departments=???",
        }
    )
    scored = score_companies(frame, load_profile("b2b_saas")).companies
    assert scored["why"].to_list() == [
        'employees "lots" not recognised ? 0 · naics "n.a." not recognised ? 0 · '
        'HubSpot ✓ 25 · funding_stage "Series Z" not recognised ? 0 · '
        'departments "???" not recognised ? 0'
    ]
    assert [(e["criterion"], e["value"]) for e in scored["breakdown"][0]] == [
        ("Mid-market size", '"lots" not recognised'),
        ("Software or internet company", 'NAICS "n.a." not recognised'),
        ("Uses Salesforce or HubSpot", "HubSpot"),
        ("Series B or later", '"Series Z" not recognised'),
        ("Has a RevOps function", '"???" not recognised'),
    ]
    assert "unparsed" in scored.columns  # lineage is kept as it came


def test_unrecognised_values_on_unknown_criteria(tmp_path: Path) -> None:
    profile = one_criterion(
        tmp_path, 'field = "employees"\nat_least = 10', extra='on_missing = "unknown"'
    )
    frame = companies({"unparsed": "employees=ten"}, {})
    scored = score_companies(frame, profile).companies
    assert scored["why"].to_list() == ['employees "ten" not recognised ? 0', "C unknown ? 0"]
    assert scored["fit_unknown"].to_list() == [1, 1]


@pytest.mark.parametrize(("rule", "fields", "passes", "reason", "detail"), FILTER_CASES)
def test_hard_filters(
    tmp_path: Path,
    *,
    rule: str,
    fields: dict[str, Any],
    passes: bool,
    reason: str | None,
    detail: str | None,
) -> None:
    profile = make_profile(
        tmp_path,
        rule + '\n\n[[criterion]]\nname = "C"\nfield = "name"\nexists = true\nweight = 100\n',
    )
    scored = score_companies(companies(fields), profile)
    assert scored.companies.height == int(passes)
    assert scored.rejects.height == int(not passes)
    if not passes:
        assert scored.rejects.row(0, named=True)["reason"] == reason
        assert scored.rejects.row(0, named=True)["detail"] == detail


def _two_profiles(tmp_path: Path) -> list[Profile]:
    big = make_profile(
        tmp_path,
        '[[require]]\nfield = "country"\nin = ["US"]\n\n[[criterion]]\n'
        'name = "Big"\nfield = "employees"\nat_least = 1000\nweight = 100\n',
        name="big",
    )
    small = make_profile(
        tmp_path,
        '[[require]]\nfield = "country"\nin = ["NA", "GB"]\n\n'
        '[[criterion]]\nname = "Small"\nfield = "employees"\nat_most = 100\n'
        "weight = 100\n",
        name="small",
    )
    return [big, small]


# (country, employees, profile chosen, fit_score__big, fit_score__small); None = rejected
MULTI_CASES = [
    ("US", 5000, "big", 100.0, 0.0),
    ("US", 50, "small", 0.0, 100.0),
    ("US", 500, "big", 0.0, 0.0),  # a tie goes to the primary (first) profile
    ("GB", 5000, "small", None, 0.0),  # fails big's filters, passes small's
    ("FR", 50, None, None, None),  # fails every profile's filters: rejected
]


@pytest.mark.parametrize(("country", "employees", "chosen", "big", "small"), MULTI_CASES)
def test_several_profiles(
    tmp_path: Path,
    country: str,
    employees: int,
    chosen: str | None,
    big: float | None,
    small: float | None,
) -> None:
    profiles = _two_profiles(tmp_path)
    scored = score_companies(companies({"country": country, "employees": employees}), profiles)
    if chosen is None:
        assert scored.companies.height == 0
        assert scored.rejects["reason"].to_list() == ["failed: country"]
        return
    row = scored.companies.row(0, named=True)
    assert row["profile"] == chosen
    assert (row["fit_score__big"], row["fit_score__small"]) == (big, small)
    assert row["fit_score"] == max(s for s in (big, small) if s is not None)


def test_scoring_is_deterministic_and_keeps_row_order() -> None:
    profile = load_profile("b2b_saas")
    rows = [{"name": f"c{i}", "country": "US", "employees": 100 * i} for i in range(30)]
    first = score_companies(companies(*rows), profile).companies
    assert first["name"].to_list() == [f"c{i}" for i in range(30)]
    assert_frame_equal(first, score_companies(companies(*rows), profile).companies)


def test_a_frame_without_some_fields_scores_them_as_missing() -> None:
    profile = load_profile("b2b_saas")
    frame = pl.DataFrame({"name": ["A"], "country": ["US"], "employees": [500]})
    scored = score_companies(frame, profile)
    assert scored.companies.columns[:3] == ["name", "country", "employees"]
    assert scored.companies["fit_score"][0] == 30.0


def test_rescoring_replaces_the_score_columns() -> None:
    profile = load_profile("b2b_saas")
    once = score_companies(companies({"country": "US", "employees": 500}), profile).companies
    assert_frame_equal(score_companies(once, profile).companies, once)


def test_a_frame_with_wrong_dtypes_is_an_input_error() -> None:
    frame = pl.DataFrame({"name": ["A"], "country": ["US"], "employees": ["500"]})
    with pytest.raises(InputError) as caught:
        score_companies(frame, load_profile("b2b_saas"))
    assert str(caught.value) == (
        "cannot score this frame: employees is String, scoring needs Int64 (read lists with "
        "read_companies, which parses every canonical field)"
    )


def band(low: int, high: int | None) -> dict[str, Any]:
    """An account whose size came from a vendor band (point = midpoint, or low when open)."""
    point = low if high is None else (low + high) // 2
    return {"employees": point, "employees_min": low, "employees_max": high}


# (criterion operator, partial declared?, the account, status, points of 30, why piece)
BAND_CASES = [
    # the defect: 1,001-5,000 against 200-2000 straddles the bound, it is not a miss
    ("between = [200, 2000]", False, band(1001, 5000), "unknown", 0.0,
     "1,001–5,000 employees ? 0"),
    ("between = [200, 2000]", True, band(1001, 5000), "partial", 15.0,
     "1,001–5,000 employees ~ 15"),
    ("between = [200, 2000]", False, band(201, 500), "match", 30.0, "201–500 employees ✓ 30"),
    ("between = [200, 2000]", False, band(200, 2000), "match", 30.0,
     "200–2,000 employees ✓ 30"),
    ("between = [200, 2000]", False, band(11, 50), "miss", 0.0, "11–50 employees ✗ 0"),
    ("between = [200, 2000]", False, band(5001, 10000), "miss", 0.0,
     "5,001–10,000 employees ✗ 0"),
    # entirely outside: partial credit on the nearest end, as for a point
    ("between = [200, 2000]", True, band(2001, 2500), "partial", 15.0,
     "2,001–2,500 employees ~ 15"),
    ("between = [200, 2000]", True, band(2501, 5000), "miss", 0.0,
     "2,501–5,000 employees ✗ 0"),
    ("between = [200, 2000]", True, band(51, 150), "partial", 15.0, "51–150 employees ~ 15"),
    ("between = [200, 2000]", True, band(11, 50), "miss", 0.0, "11–50 employees ✗ 0"),
    # open bands are unbounded above
    ("between = [200, 2000]", False, band(10001, None), "miss", 0.0,
     "10,001+ employees ✗ 0"),
    ("between = [200, 2000]", False, band(1001, None), "unknown", 0.0,
     "1,001+ employees ? 0"),
    ("at_least = 1000", False, band(10001, None), "match", 30.0, "10,001+ employees ✓ 30"),
    ("at_least = 1000", False, band(201, 500), "miss", 0.0, "201–500 employees ✗ 0"),
    # bounds are inclusive: 501-1,000 may hold exactly 1,000
    ("at_least = 1000", False, band(501, 1000), "unknown", 0.0, "501–1,000 employees ? 0"),
    ("at_least = 1000", False, band(501, 5000), "unknown", 0.0, "501–5,000 employees ? 0"),
    ("at_most = 2000", False, band(1001, None), "unknown", 0.0, "1,001+ employees ? 0"),
    ("at_most = 2000", True, band(2001, None), "partial", 15.0, "2,001+ employees ~ 15"),
    ("at_most = 2000", False, band(51, 200), "match", 30.0, "51–200 employees ✓ 30"),
    # exact counts score as before
    ("between = [200, 2000]", False, {"employees": 3000}, "miss", 0.0, "3,000 employees ✗ 0"),
    ("between = [200, 2000]", True, {"employees": 2400}, "partial", 15.0,
     "2,400 employees ~ 15"),
    # a band that no longer describes the count (an exact count won in a merge): the count
    ("between = [200, 2000]", False,
     {"employees": 700, "employees_min": 1001, "employees_max": 5000}, "match", 30.0,
     "700 employees ✓ 30"),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "partial", "fields", "status", "points", "why"), BAND_CASES)
def test_employee_bands(
    tmp_path: Path,
    *,
    rule: str,
    partial: bool,
    fields: dict[str, Any],
    status: str,
    points: float,
    why: str,
) -> None:
    extra = "partial = { margin = 0.25, share = 0.5 }" if partial else ""
    profile = make_profile(
        tmp_path,
        f"""
[[criterion]]
name = "Size"
field = "employees"
{rule}
weight = 30
{extra}

[[criterion]]
name = "Rest"
field = "website"
exists = true
weight = 70
""",
    )
    row = score_companies(companies(fields), profile).companies.row(0, named=True)
    entry = row["breakdown"][0]
    assert (entry["status"], entry["points"]) == (status, points)
    assert row["why"].split(" · ")[0] == why
    assert row["fit_unknown"] == (1 if status == "unknown" else 0)
    assert entry["value"] == why.split(" employees")[0]
    # the band column the briefs print is the breakdown's band, or null for a count
    banded = "–" in entry["value"] or entry["value"].endswith("+")
    assert row["employees_band"] == (entry["value"] if banded else None)


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        (band(1001, 5000), "1,001–5,000"),
        (band(10001, None), "10,001+"),
        ({"employees": 250}, None),
        # the band no longer describes the count (an exact count won in a merge)
        ({"employees": 700, "employees_min": 1001, "employees_max": 5000}, None),
        ({"employees": None}, None),
    ],
)
def test_employees_band_column(fields: dict[str, Any], shown: str | None) -> None:
    profile = load_profile("b2b_saas")  # every kept account gets the column, criteria or not
    row = score_companies(companies({"country": "US", **fields}), profile).companies
    assert row["employees_band"].to_list() == [shown]


# (rule, on_missing, the account, kept?, reject detail)
BAND_RULES = [
    ('[[require]]\nname = "Mid"\nfield = "employees"\nbetween = [200, 2000]', None,
     band(1001, 5000), True, None),
    ('[[require]]\nname = "Mid"\nfield = "employees"\nbetween = [200, 2000]', "fail",
     band(1001, 5000), True, None),  # benefit of the doubt, whatever on_missing says
    ('[[require]]\nname = "Mid"\nfield = "employees"\nbetween = [200, 2000]', None,
     band(5001, 10000), False, "employees 5,001–10,000 not in 200–2000"),
    ('[[require]]\nname = "Mid"\nfield = "employees"\nbetween = [200, 2000]', None,
     band(10001, None), False, "employees 10,001+ not in 200–2000"),
    ('[[require]]\nname = "Mid"\nfield = "employees"\nat_most = 2000', None,
     band(1001, None), True, None),
    ('[[require]]\nname = "Mid"\nfield = "employees"\nat_least = 200', None,
     band(11, 50), False, "employees 11–50 below 200"),
    ('[[require]]\nname = "Mid"\nfield = "employees"\nat_least = 200', None,
     band(51, 200), True, None),
    ('[[require]]\nname = "Mid"\nfield = "employees"\nbetween = [200, 2000]', None,
     {"employees": 3000}, False, "employees 3,000 not in 200–2000"),
    ('[[exclude]]\nname = "Big"\nfield = "employees"\nat_least = 10000', None,
     band(5001, 10000), True, None),  # straddles: kept
    ('[[exclude]]\nname = "Big"\nfield = "employees"\nat_least = 10000', "exclude",
     band(5001, 10000), True, None),
    ('[[exclude]]\nname = "Big"\nfield = "employees"\nat_least = 10000', None,
     band(10001, None), False, "employees 10,001+"),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "on_missing", "fields", "kept", "detail"), BAND_RULES)
def test_employee_bands_in_hard_filters(
    tmp_path: Path,
    *,
    rule: str,
    on_missing: str | None,
    fields: dict[str, Any],
    kept: bool,
    detail: str | None,
) -> None:
    extra = f'on_missing = "{on_missing}"\n' if on_missing else ""
    body = (
        f'{rule}\n{extra}\n[[criterion]]\nname = "C"\nfield = "website"\n'
        "exists = true\nweight = 100\n"
    )
    result = score_companies(companies(fields), make_profile(tmp_path, body))
    assert result.companies.height == (1 if kept else 0)
    if not kept:
        assert result.rejects["detail"][0] == detail
