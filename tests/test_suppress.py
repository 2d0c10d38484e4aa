"""Suppression against CRM exports: readers per layout, reasons and the record matched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from listbuilder.dedupe import (
    DedupeSettings,
    parse_dedupe_settings,
    read_suppression,
    suppress_companies,
)
from listbuilder.errors import InputError
from listbuilder.normalize.names import name_key
from listbuilder.schema import COMPANY_SCHEMA, DERIVED_SCHEMA, LINEAGE_SCHEMA, REJECT_SCHEMA

HUBSPOT = """Record ID,Name,Company domain name,Lifecycle Stage,Company owner,Do not contact
101,Acme Inc,acme.com,Customer,,
102,Globex,,Opportunity,Ann Lee,
103,Initech LLC,initech.com,Lead,Bob Stone,
104,Umbrella,umbrella.com,Lead,,true
105,Hooli,hooli.com,Lead,,
106,Vandelay Industries,vandelay.com,Other,,
"""

SALESFORCE = """Account ID,Account Name,Website,Type,Account Owner
0015x01,Stark Industries,https://www.stark.com/,Customer - Direct,
0015x02,Wayne Enterprises,wayne.com,Prospect,Carol Ray
"""

PLAIN = """company,domain
Soylent Corp,soylent.com
"""


def companies(rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema = {**LINEAGE_SCHEMA, **COMPANY_SCHEMA, **DERIVED_SCHEMA}
    full = []
    for k, row in enumerate(rows):
        r: dict[str, Any] = dict.fromkeys(schema)
        r.update(row_id=k, source="list.csv", line=k + 2, domain_is_platform=False)
        r.update(row)
        r["name_key"] = r["name_key"] or name_key(r["name"])
        full.append(r)
    return pl.DataFrame(full, schema=schema)


@pytest.fixture
def crm(tmp_path: Path) -> pl.DataFrame:
    files = []
    for name, text in [("hubspot.csv", HUBSPOT), ("sf.csv", SALESFORCE), ("dnc.csv", PLAIN)]:
        (tmp_path / name).write_text(text, encoding="utf-8")
        files.append(tmp_path / name)
    return read_suppression(files)


# (company row, expected reason or None, expected detail)
CASES = [
    ({"name": "ACME", "domain": "acme.com"}, "suppressed: customer", 'CRM 101 "Acme Inc" acme.com'),
    (
        {"name": "Acme Rockets", "domain": "acme.com"},
        "suppressed: customer",
        'CRM 101 "Acme Inc" acme.com',
    ),
    ({"name": "Globex", "domain": "globex.io"}, "suppressed: open opportunity", 'CRM 102 "Globex"'),
    (
        {"name": "Initech", "domain": None, "name_key": "initech"},
        "suppressed: owned by Bob Stone",
        'CRM 103 "Initech LLC" initech.com',
    ),
    (
        {"name": "Umbrella Corp", "domain": "umbrella.com"},
        "suppressed: do not contact",
        'CRM 104 "Umbrella" umbrella.com',
    ),
    ({"name": "Hooli", "domain": "hooli.com"}, None, None),
    ({"name": "Vandelay Industries", "domain": "vandelay.com"}, None, None),
    (
        {"name": "Stark Industries", "domain": "stark.com"},
        "suppressed: customer",
        'CRM 0015x01 "Stark Industries" stark.com',
    ),
    (
        {"name": "Wayne Enterprises", "domain": "wayne.com"},
        "suppressed: owned by Carol Ray",
        'CRM 0015x02 "Wayne Enterprises" wayne.com',
    ),
    (
        {"name": "Soylent", "domain": "soylent.com"},
        "suppressed: do not contact",
        None,  # plain list: no id, the detail names file and line
    ),
    ({"name": "Massive Dynamic", "domain": "massive.com"}, None, None),
    ({"name": "Globex Shipping", "domain": None, "city": "Boston"}, None, None),
]


@pytest.mark.parametrize(("row", "reason", "detail"), CASES)
def test_suppression_reason_and_detail(
    crm: pl.DataFrame, row: dict[str, Any], reason: str | None, detail: str | None
) -> None:
    kept, rejects = suppress_companies(companies([row]), crm)
    assert rejects.schema == pl.Schema(REJECT_SCHEMA)
    assert kept.height + rejects.height == 1
    if reason is None:
        assert rejects.height == 0
        return
    got = rejects.row(0, named=True)
    assert (got["stage"], got["reason"], got["source"], got["line"]) == (
        "suppress",
        reason,
        "list.csv",
        2,
    )
    if detail is None:
        assert got["detail"].startswith("CRM ") and got["detail"].endswith(
            'dnc.csv:2 "Soylent Corp" soylent.com'
        )
    else:
        assert got["detail"] == detail


def test_owned_records_can_be_ignored(crm: pl.DataFrame) -> None:
    df = companies([{"name": "Wayne Enterprises", "domain": "wayne.com"}])
    kept, rejects = suppress_companies(df, crm, settings=DedupeSettings(suppress_owned=False))
    assert (kept.height, rejects.height) == (1, 0)


def test_kept_rows_keep_order_and_columns(crm: pl.DataFrame) -> None:
    df = companies(
        [{"name": "Hooli", "domain": "hooli.com"}, {"name": "ACME", "domain": "acme.com"}]
        + [{"name": f"Free {k}", "domain": f"free{k}.com"} for k in range(3)]
    )
    kept, rejects = suppress_companies(df, crm)
    assert kept.columns == [*df.columns, "crm_possible_match"]
    assert kept["crm_possible_match"].null_count() == kept.height
    assert kept["name"].to_list() == ["Hooli", "Free 0", "Free 1", "Free 2"]
    assert rejects["line"].to_list() == [3]


def test_read_suppression_layouts(crm: pl.DataFrame) -> None:
    assert crm.height == 9
    assert crm["crm_stage"].to_list()[:2] == ["customer", "opportunity"]
    assert crm.filter(pl.col("crm_id") == "104")["crm_dnc"].to_list() == [True]
    assert crm["crm_plain"].to_list() == [False] * 8 + [True]


READ_ERRORS = [
    ("missing.csv", None, "CRM export not found; check the path given to --suppress"),
    (
        "nocols.csv",
        "foo,bar\n1,2\n",
        'no company name or domain column in the CRM export; add a header such as "Name" '
        'or "Company domain name"',
    ),
]


@pytest.mark.parametrize(("name", "text", "message"), READ_ERRORS)
def test_read_suppression_errors(tmp_path: Path, name: str, text: str | None, message: str) -> None:
    path = tmp_path / name
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_suppression([path])
    assert str(exc.value) == f"{path}: {message}"


CRM_HEADER = "Record ID,Name,Company domain name,Lifecycle Stage,Company owner,Do not contact"


def run(
    tmp_path: Path,
    crm_rows: list[str],
    rows: list[dict[str, Any]],
    settings: DedupeSettings | None = None,
    header: str = CRM_HEADER,
) -> tuple[list[tuple[int, str, str]], list[tuple[int, str]]]:
    """Suppress ``rows`` against a CRM file: (rejects as (line, reason, detail), flags as
    (line, crm_possible_match)). Lines: the first row is line 2."""
    path = tmp_path / "crm.csv"
    path.write_text("\n".join([header, *crm_rows]) + "\n", encoding="utf-8")
    df = companies(rows)
    kept, rejects = suppress_companies(df, read_suppression([path]), settings=settings)
    assert kept.height + rejects.height == df.height
    assert kept.columns == [*df.columns, "crm_possible_match"]
    flags = kept.filter(pl.col("crm_possible_match").is_not_null())
    return (
        sorted(rejects.select("line", "reason", "detail").iter_rows()),
        sorted(flags.select("line", "crm_possible_match").iter_rows()),
    )


def platform(name: str, host: str, **row: Any) -> dict[str, Any]:
    """A list row whose website is a platform page: no company domain."""
    return {"name": name, "domain": host, "domain_is_platform": True, **row}


LEEDS = {"name": "Wakefield Advisors", "domain": "wakefield.com", "city": "Leeds", "country": "GB"}
PERTH = {
    "name": "Wakefield Advisors",
    "domain": "wakefieldadv.com",
    "city": "Perth",
    "country": "AU",
}
CUSTOMER = "7,Wakefield Advisors,,Customer,,"
DNC_RECORD = "7,Wakefield Advisors,,Other,,true"
AMBIGUOUS_CUSTOMER = 'CRM 7 "Wakefield Advisors" (customer; ambiguous name match, 2 candidates)'
AMBIGUOUS_DETAIL = 'CRM 7 "Wakefield Advisors" (ambiguous name match, 2 candidates)'
DNC = "suppressed: do not contact"

# Rule 1: a CRM record without a domain match whose name fits several companies.
# (CRM row, list rows, settings, expected rejects, expected crm_possible_match flags)
AMBIGUOUS_CASES = [
    pytest.param(
        CUSTOMER, [LEEDS, PERTH], None,
        [], [(2, AMBIGUOUS_CUSTOMER), (3, AMBIGUOUS_CUSTOMER)],
        id="customer: kept, both flagged",
    ),
    pytest.param(
        DNC_RECORD, [LEEDS, PERTH], None,
        [(2, DNC, AMBIGUOUS_DETAIL), (3, DNC, AMBIGUOUS_DETAIL)], [],
        id="do not contact: fail safe, every namesake suppressed",
    ),
    pytest.param(
        '7,Wakefield Advisors,,Lead,Ann Lee,', [LEEDS, PERTH], None,
        [], [(k, 'CRM 7 "Wakefield Advisors" (owned by Ann Lee; ambiguous name match, '
                 '2 candidates)') for k in (2, 3)],
        id="owned: kept, both flagged",
    ),
    pytest.param(
        CUSTOMER, [LEEDS, PERTH], DedupeSettings(ambiguous_other="suppress"),
        [(2, "suppressed: customer", AMBIGUOUS_DETAIL),
         (3, "suppressed: customer", AMBIGUOUS_DETAIL)], [],
        id="ambiguous_other=suppress",
    ),
    pytest.param(
        CUSTOMER, [LEEDS, PERTH], DedupeSettings(ambiguous_other="ignore"), [], [],
        id="ambiguous_other=ignore",
    ),
    pytest.param(
        DNC_RECORD, [LEEDS, PERTH], DedupeSettings(ambiguous_do_not_contact="flag"),
        [], [(k, 'CRM 7 "Wakefield Advisors" (do not contact; ambiguous name match, '
                 '2 candidates)') for k in (2, 3)],
        id="ambiguous_do_not_contact=flag",
    ),
    pytest.param(
        '7,Wakefield Advisors Ltd,,Customer,,',
        [{**LEEDS, "name": "Wakefield Advisors Ltd"}, PERTH], None,
        [(2, "suppressed: customer",
          'CRM 7 "Wakefield Advisors Ltd" (exact name, 1 of 2 candidates)')], [],
        id="(a) exactly one with the same raw name: taken",
    ),
    pytest.param(
        '7,WAKEFIELD   advisors ltd,,Other,,true',
        [LEEDS, {**PERTH, "name": "Wakefield Advisors  Ltd"}], None,
        [(3, DNC, 'CRM 7 "WAKEFIELD   advisors ltd" (exact name, 1 of 2 candidates)')], [],
        id="(a) raw name: case and spacing aside",
    ),
    pytest.param(
        '7,Wakefield Advisors Limited,,Customer,,,,GB',
        [{**LEEDS, "name": "Wakefield Advisors Ltd"},
         {"name": "Wakefield Advisors", "domain": "wakefieldadv.com"}],
        None,
        [(2, "suppressed: customer",
          'CRM 7 "Wakefield Advisors Limited" (same name and place, 1 of 2 candidates)')], [],
        id="(a) same name key and the record's country: taken",
    ),
    pytest.param(
        CUSTOMER, [LEEDS, {"name": "Wakefield Advisors", "city": "Leeds", "country": "GB"}],
        None,
        [(2, "suppressed: customer", 'CRM 7 "Wakefield Advisors"'),
         (3, "suppressed: customer", 'CRM 7 "Wakefield Advisors"')], [],
        id="candidates that can be one company (same city, one domain): not ambiguous",
    ),
    pytest.param(
        CUSTOMER,
        [platform("Wakefield Advisors", "github.io", city="Leeds", country="GB"),
         platform("Wakefield Advisors", "angel.co", city="Perth", country="AU")],
        None,
        [], [(2, AMBIGUOUS_CUSTOMER), (3, AMBIGUOUS_CUSTOMER)],
        id="platform pages in two cities: ambiguous too",
    ),
    pytest.param(
        CUSTOMER, [LEEDS], None, [(2, "suppressed: customer", 'CRM 7 "Wakefield Advisors"')], [],
        id="one candidate: suppressed",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("crm_row", "rows", "settings", "rejects", "flags"), AMBIGUOUS_CASES)
def test_ambiguous_crm_records(
    tmp_path: Path,
    crm_row: str,
    rows: list[dict[str, Any]],
    settings: DedupeSettings | None,
    rejects: list[tuple[int, str, str]],
    flags: list[tuple[int, str]],
) -> None:
    header = CRM_HEADER + ",City,Country"
    assert run(tmp_path, [crm_row], rows, settings, header) == (rejects, flags)


def test_plain_do_not_contact_list_is_fail_safe(tmp_path: Path) -> None:
    got, flags = run(tmp_path, ["Wakefield Advisors"], [LEEDS, PERTH], header="company")
    assert [(line, reason) for line, reason, _ in got] == [(2, DNC), (3, DNC)]
    assert all(d.endswith('crm.csv:2 "Wakefield Advisors" (ambiguous name match, 2 candidates)')
               for _, _, d in got)  # fmt: skip
    assert flags == []


def test_a_sure_match_names_the_account_before_an_ambiguous_one(tmp_path: Path) -> None:
    # line 2 is customer 8 by domain, and one of the namesakes of do-not-contact 7
    got, _ = run(tmp_path, [DNC_RECORD, "8,Leeds Wakefield,wakefield.com,Customer,,"],
                 [LEEDS, PERTH])  # fmt: skip
    assert got == [
        (2, "suppressed: customer", 'CRM 8 "Leeds Wakefield" wakefield.com'),
        (3, DNC, AMBIGUOUS_DETAIL),
    ]


BOULDER_IN = {
    "name": "Boulder Platforms Private Limited",
    "domain": "boulderplatforms.com",
    "city": "Bengaluru",
    "country": "IN",
}
BOULDER_FR = {
    "name": "Boulder Platforms SAS",
    "domain": "boulderplatforms.fr",
    "city": "Paris",
    "country": "FR",
}
TYPO = "9,Boulder PLAFTORMS,,Customer,,"
TYPO_DNC = "9,Boulder PLAFTORMS,,Other,,true"
SAME_COUNTRY = 'CRM 9 "Boulder PLAFTORMS"'  # the country makes the typo a sure match
NO_COUNTRY = 'CRM 9 "Boulder PLAFTORMS" (p 0.975, only candidate, no country)'
CUSTOMER_NO_COUNTRY = 'CRM 9 "Boulder PLAFTORMS" (customer; p 0.975, only candidate, no country)'

# Rule 2: a typo under match_probability, down to suppress_unique_probability (0.5),
# matches the record's only candidate (names of 8+ letters) when the country agrees
# (here the agreeing country lifts it over match_probability: a sure match); when
# the record has no country the match is uncertain and follows the ambiguity policy
# (do not contact: suppressed; others: flagged).
# (CRM row, list rows, settings, expected rejects, expected flags)
UNIQUE_CASES = [
    pytest.param(TYPO + ",India", [BOULDER_IN], None,
                 [(2, "suppressed: customer", SAME_COUNTRY)], [],
                 id="only candidate, country agrees (a CRM country name is read as ISO2)"),
    pytest.param(TYPO + ",", [BOULDER_IN], None, [], [(2, CUSTOMER_NO_COUNTRY)],
                 id="only candidate, no country on the record: flagged"),
    pytest.param(TYPO_DNC + ",", [BOULDER_IN], None, [(2, DNC, NO_COUNTRY)], [],
                 id="only candidate, no country, do not contact: suppressed"),
    pytest.param(TYPO + ",", [BOULDER_IN], DedupeSettings(ambiguous_other="suppress"),
                 [(2, "suppressed: customer", NO_COUNTRY)], [],
                 id="only candidate, no country, ambiguous_other=suppress"),
    pytest.param(TYPO + ",France", [BOULDER_IN], None, [], [], id="country differs"),
    pytest.param(TYPO + ",", [BOULDER_IN, {**BOULDER_FR, "country": None}], None, [], [],
                 id="two candidates: not unique, nothing"),
    pytest.param(TYPO + ",India", [BOULDER_IN, {**BOULDER_FR, "country": None}], None,
                 [(2, "suppressed: customer", SAME_COUNTRY)], [],
                 id="two candidates, one sure (same country): that one"),
    pytest.param(TYPO + ",", [BOULDER_IN], DedupeSettings(suppress_unique_probability=0.99),
                 [], [], id="turned off (= match_probability)"),
    pytest.param("9,Galav Inc,,Customer,,", [{"name": "Galava Corp", "domain": "galava.com"}],
                 None, [], [], id="short names (under 8 letters): never"),
    pytest.param("9,Boulder Platforms,,Customer,,",
                 [BOULDER_IN, {"name": "Boulder Plaftorms Ltd", "domain": "bp.co.uk"}], None,
                 [(2, "suppressed: customer", 'CRM 9 "Boulder Platforms"')], [],
                 id="a near name beside an exact one: no ambiguity, the exact one matches"),
]  # fmt: skip


@pytest.mark.parametrize(("crm_row", "rows", "settings", "rejects", "flags"), UNIQUE_CASES)
def test_unique_match_under_the_usual_threshold(
    tmp_path: Path,
    crm_row: str,
    rows: list[dict[str, Any]],
    settings: DedupeSettings | None,
    rejects: list[tuple[int, str, str]],
    flags: list[tuple[int, str]],
) -> None:
    header = CRM_HEADER + ",Country"
    assert run(tmp_path, [crm_row], rows, settings, header) == (rejects, flags)


REDFERN_NY = {
    "name": "Redfern Apps",
    "domain": "redfernapps.com",
    "city": "New York",
    "country": "US",
    "employees": 120,
    "founded_year": 2009,
}
OPPORTUNITY = "45,Redfern Apps,redfernapps.com,Opportunity,,"
NY_DETAIL = 'CRM 45 "Redfern Apps" redfernapps.com'
OPP = "suppressed: open opportunity"

# Rule 3: a CRM record matched by domain matches other accounts by name only where they
# agree on city/country (and size and founding year) with the account on its domain; a
# CRM record with a domain never matches a name-only account in another country.
DOMAIN_CASES = [
    pytest.param(
        [OPPORTUNITY],
        [REDFERN_NY, platform("Redfern Apps", "github.io", city="Montreal", country="CA")],
        [(2, OPP, NY_DETAIL)],
        id="namesake on a platform page in another country: not suppressed",
    ),
    pytest.param(
        [OPPORTUNITY],
        [REDFERN_NY, platform("Redfern Apps", "github.io", city="Boston", country="US")],
        [(2, OPP, NY_DETAIL)],
        id="same country, another city: not suppressed",
    ),
    pytest.param(
        [OPPORTUNITY],
        [REDFERN_NY, platform("Redfern Apps", "github.io", city="New York", country="US",
                              employees=150, founded_year=2010)],
        [(2, OPP, NY_DETAIL), (3, OPP, NY_DETAIL)],
        id="same city, size and founding year agree: the same company, suppressed",
    ),
    pytest.param(
        [OPPORTUNITY],
        [REDFERN_NY, platform("Redfern Apps", "github.io", city="New York", country="US",
                              founded_year=1990)],
        [(2, OPP, NY_DETAIL)],
        id="same city, founding years conflict: not suppressed",
    ),
    pytest.param(
        [OPPORTUNITY + ",US"],
        [platform("Redfern Apps", "github.io", city="Montreal", country="CA")],
        [],
        id="domain not in the list, record in another country: no name match",
    ),
    pytest.param(
        [OPPORTUNITY + ",Canada"],
        [platform("Redfern Apps", "github.io", city="Montreal", country="CA")],
        [(2, OPP, NY_DETAIL)],
        id="domain not in the list, record in the same country: name match",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("crm_rows", "rows", "rejects"), DOMAIN_CASES)
def test_record_matched_by_domain_and_namesakes(
    tmp_path: Path,
    crm_rows: list[str],
    rows: list[dict[str, Any]],
    rejects: list[tuple[int, str, str]],
) -> None:
    assert run(tmp_path, crm_rows, rows, header=CRM_HEADER + ",Country") == (rejects, [])


def test_no_suppressing_record_still_adds_the_column(tmp_path: Path) -> None:
    assert run(tmp_path, ["5,Hooli,hooli.com,Lead,,"], [{"name": "Hooli"}]) == ([], [])


SETTINGS_CASES = [
    ({}, DedupeSettings(), []),
    (
        {"ambiguous_other": "suppress", "ambiguous_do_not_contact": "flag"},
        DedupeSettings(ambiguous_other="suppress", ambiguous_do_not_contact="flag"),
        [],
    ),
    ({"suppress_unique_probability": 0.95}, DedupeSettings(suppress_unique_probability=0.95), []),
    (
        {"ambiguous_do_not_contact": "skip"},
        DedupeSettings(),
        ['dedupe.ambiguous_do_not_contact: must be one of "suppress", "flag", "ignore", '
         "got 'skip'"],
    ),
    (
        {"ambiguous_other": True},
        DedupeSettings(),
        ['dedupe.ambiguous_other: must be one of "suppress", "flag", "ignore", got True'],
    ),
    (
        {"suppress_unique_probability": 101},
        DedupeSettings(),
        ["dedupe.suppress_unique_probability: must be between 0.5 and 0.999999 "
         "(a match probability), got 101"],
    ),
    (
        {"suppress_ambiguous": True},
        DedupeSettings(),
        ["dedupe.suppress_ambiguous: replaced by ambiguous_do_not_contact and ambiguous_other "
         '("suppress", "flag" or "ignore"; defaults "suppress" and "flag")'],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("table", "settings", "problems"), SETTINGS_CASES)
def test_suppression_settings(
    table: dict[str, Any], settings: DedupeSettings, problems: list[str]
) -> None:
    assert parse_dedupe_settings(table) == (settings, problems)


def test_suppression_setting_defaults() -> None:
    s = DedupeSettings()
    assert (s.ambiguous_do_not_contact, s.ambiguous_other, s.suppress_unique_probability) == (
        "suppress",
        "flag",
        0.5,
    )
    with pytest.raises(ValueError, match='ambiguous_other must be one of "suppress"'):
        DedupeSettings(ambiguous_other="maybe")


def test_best_match_prefers_a_sure_match_then_the_strongest_reason() -> None:
    """Per account: an ambiguous match only when nothing surer applies; then the reason
    (do not contact, customer, opportunity, other), the kind, the higher probability."""
    from listbuilder.dedupe.suppress import _AMBIGUOUS, _DOMAIN, _NAME, _best_matches

    # (r, c, kind, name = probability in thousandths, _rrank, _line)
    rows = [
        (0, 10, _AMBIGUOUS, 999, 0, 2),  # do not contact, but ambiguous
        (0, 11, _NAME, 990, 1, 3),  # customer, a sure name match: wins
        (1, 12, _NAME, 995, 2, 4),
        (1, 13, _DOMAIN, 1000, 2, 5),  # same reason: the domain match is surer
        (2, 14, _NAME, 991, 1, 6),
        (2, 15, _NAME, 998, 1, 7),  # same reason and kind: the higher probability
        (3, 16, _AMBIGUOUS, 990, 1, 8),  # nothing surer: the ambiguous match
    ]
    matches = pl.DataFrame(
        rows,
        schema={
            "r": pl.UInt32,
            "c": pl.UInt32,
            "kind": pl.Int32,
            "name": pl.Int64,
            "_rrank": pl.Int64,
            "_line": pl.Int64,
        },
        orient="row",
    )
    best = _best_matches(matches.sample(fraction=1.0, shuffle=True, seed=3))
    assert best.select("r", "c").rows() == [(0, 11), (1, 13), (2, 15), (3, 16)]
