"""Every profile shipped in filters/ loads, validates and scores a small frame."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from listbuilder.profile import load_profile, shipped_profiles
from listbuilder.resources import filters_dir
from listbuilder.schema import COMPANY_SCHEMA, DERIVED_SCHEMA, LINEAGE_SCHEMA
from listbuilder.score import score_companies

SHIPPED = sorted(filters_dir().glob("*.toml"))


def test_the_reference_and_three_examples_are_shipped() -> None:
    assert {"b2b_saas", "workforce_scheduling", "managed_services", "agency_content"} <= set(
        shipped_profiles()
    )


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_profile_is_valid(path: Path) -> None:
    profile = load_profile(str(path))
    assert sum(c.weight for c in profile.criteria) == 100
    assert profile.name and profile.description and profile.capacity
    assert profile.personas, "briefs need at least one persona"
    assert profile.signals, "a profile should say which signals make an account timely"
    for key in profile.talking_points:
        assert key in {c.name for c in profile.criteria} | {s.kind for s in profile.signals}
    empty = pl.DataFrame(schema={**LINEAGE_SCHEMA, **COMPANY_SCHEMA, **DERIVED_SCHEMA})
    scored = score_companies(empty, profile)
    assert scored.companies.height == 0 and scored.rejects.height == 0


def test_the_reference_profile_matches_the_design() -> None:
    profile = load_profile("b2b_saas")
    assert [(c.condition.field, c.weight) for c in profile.criteria] == [
        ("employees", 30),
        ("industry", 20),
        ("technologies", 25),
        ("funding_stage", 15),
        ("departments", 10),
    ]
    assert profile.tiers == (("A", 80), ("B", 70), ("C", 50))
    assert profile.priority_threshold == 70 and profile.capacity == 1200
    assert [s.kind for s in profile.signals] == [
        "funding",
        "exec_hire",
        "job_spike",
        "headcount_growth",
    ]
    funding = profile.signals[0]
    assert (funding.boost, funding.half_life_days, funding.max_age_days) == (15, 45, 180)
    assert [p.title for p in profile.personas] == [
        "VP Sales",
        "Head of RevOps",
        "CRO",
        "CEO / Founder",
    ]
