"""Suppression against CRM exports: readers per layout, reasons and the record matched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from listbuilder.dedupe import DedupeSettings, read_suppression, suppress_companies
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
    assert kept.columns == df.columns
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


AMBIGUOUS = [(False, 0), (True, 2)]


@pytest.mark.parametrize(("suppress_ambiguous", "suppressed"), AMBIGUOUS)
def test_domainless_record_matching_namesakes(
    tmp_path: Path, *, suppress_ambiguous: bool, suppressed: int
) -> None:
    path = tmp_path / "crm.csv"
    path.write_text("Record ID,Name,Lifecycle Stage\n7,Wakefield Advisors,Customer\n", "utf-8")
    df = companies(
        [
            {"name": "Wakefield Advisors", "domain": "wakefield.com", "city": "Leeds"},
            {"name": "Wakefield Advisors", "domain": "wakefieldadv.com", "city": "Perth"},
        ]
    )
    settings = DedupeSettings(suppress_ambiguous=suppress_ambiguous)
    _, rejects = suppress_companies(df, read_suppression([path]), settings=settings)
    assert rejects.height == suppressed
