"""A parent company is a name: a vendor's parent id never shows as one ("Parent: 107784390")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from listbuilder.export.briefs import brief_contexts, parent_name
from listbuilder.export.render import Templates
from listbuilder.ingest import read_companies

ZOOMINFO = (
    "Company Name,Website,Company ID (Ultimate Parent)\n"
    "Paragon Labs Inc.,paragonlabs.com,266085200\n"
    "Paragon Digital,paragon.co,266085200\n"
)

PARENTS = [  # value in parent_company -> what a brief names
    ("Acme Holdings", "Acme Holdings"),
    ("3M", "3M"),
    ("Ünternehmen AG", "Ünternehmen AG"),
    ("107784390", None),
    ("#1042-7", None),
    ("12 34", None),
    ("  ", None),
    (None, None),
]


@pytest.mark.parametrize(("value", "shown"), PARENTS)
def test_parent_name(value: str | None, shown: str | None) -> None:
    assert parent_name(value) == shown


def test_the_ultimate_parent_id_column_is_not_the_parent(tmp_path: Path) -> None:
    path = tmp_path / "zoominfo.csv"
    path.write_text(ZOOMINFO, encoding="utf-8")
    read = read_companies([path])
    mapping = {m.header: m.field for m in read.reports[0].mapping}
    assert mapping["Company ID (Ultimate Parent)"] == "parent_id"
    assert read.companies["parent_company"].to_list() == [None, None]
    assert read.companies["parent_id"].to_list() == ["266085200", "266085200"]


def test_one_account_per_parent_id_and_the_detail_names_it(tmp_path: Path) -> None:
    # the id is still the family key: two accounts of one ultimate parent, one is kept
    from listbuilder.rank import rank_companies

    frame = pl.DataFrame(
        {
            "name": ["Paragon Labs Inc.", "Paragon Digital", "Initech", "Initrode"],
            "domain": ["paragonlabs.com", "paragon.co", "initech.com", "initrode.com"],
            "parent_company": [None, None, "Acme Holdings", "ACME holdings"],
            "parent_id": ["266085200", "266085200", None, None],
            "row_id": [1, 2, 3, 4],
            "score": [90.0, 80.0, 70.0, 60.0],
            "fit_score": [90.0, 80.0, 70.0, 60.0],
        }
    )
    selected, rejects = rank_companies(frame)
    assert selected["name"].to_list() == ["Paragon Labs Inc.", "Initech"]
    assert rejects.select("name", "reason", "detail").rows() == [
        (
            "Paragon Digital",
            "same parent company",
            "parent id 266085200; kept Paragon Labs Inc. (rank 1)",
        ),
        ("Initrode", "same parent company", "parent Acme Holdings; kept Initech (rank 2)"),
    ]


def test_a_brief_never_names_an_id_as_the_parent() -> None:
    selected = pl.DataFrame(
        {
            "rank": [1, 2],
            "name": ["Paragon Digital", "Initech"],
            "domain": ["paragon.co", "initech.com"],
            "parent_company": ["107784390", "Acme Holdings"],
        }
    )
    contexts = brief_contexts(selected, profiles_info=[{}], as_of=dt.date(2026, 11, 1))
    briefs = [Templates().render("brief.md.j2", ctx) for ctx in contexts]
    assert "Parent" not in briefs[0] and "107784390" not in briefs[0]
    assert "**Parent:** Acme Holdings" in briefs[1]
