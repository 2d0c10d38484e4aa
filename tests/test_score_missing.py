"""Missing data: on_missing zero / unknown / neutral / exclude, confidence, reachable score."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from listbuilder.errors import ProfileError
from listbuilder.profile import Profile, load_profile
from listbuilder.rank import rank_companies
from listbuilder.schema import COMPANY_SCHEMA, DERIVED_SCHEMA, LINEAGE_SCHEMA
from listbuilder.score import score_companies

SCHEMA = {**LINEAGE_SCHEMA, **COMPANY_SCHEMA, **DERIVED_SCHEMA}

CRITERIA = """
[[criterion]]
name = "Size"
field = "employees"
between = [200, 2000]
weight = 40
{size}

[[criterion]]
name = "Software"
field = "industry"
in = ["Software"]
weight = 35

[[criterion]]
name = "CRM"
field = "technologies"
any = ["HubSpot"]
weight = 25
{crm}
"""

FULL_MATCH = {"employees": 500, "industry": "Software", "technologies": ["HubSpot"]}
FULL_MISS_ONE = {"employees": 500, "industry": "Software", "technologies": ["Pipedrive"]}
THIN_MATCH = {"industry": "Software", "technologies": ["HubSpot"]}  # no employee count


def companies(*rows: dict[str, Any]) -> pl.DataFrame:
    filled = [
        {"row_id": i, "source": "list.csv", "line": i + 2, "name": f"Co {i}", **row}
        for i, row in enumerate(rows)
    ]
    return pl.DataFrame({k: [r.get(k) for r in filled] for k in SCHEMA}, schema=SCHEMA)


def profile(
    tmp_path: Path, *, head: str = "", size: str = "", crm: str = "", name: str = "p"
) -> Profile:
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f'[profile]\nname = "{name}"\ntiers = {{ A = 80, B = 50 }}\n{head}\n'
        + CRITERIA.format(size=size, crm=crm),
        encoding="utf-8",
    )
    return load_profile(str(path))


def scores(frame: pl.DataFrame) -> list[tuple[Any, ...]]:
    return frame.select("fit_score", "confidence", "fit_reachable", "fit_tier").rows()


# (policy of "Size", the thin account's fit, its status for Size, fit_unknown)
POLICIES = [
    ("zero", 60.0, "unknown", 1),  # 0 points, weight counted, but never shown as a miss
    ("no_points", 60.0, "unknown", 1),  # the older spelling of "zero"
    ("unknown", 60.0, "unknown", 1),
    ("neutral", 100.0, "unknown", 1),
]


@pytest.mark.parametrize(("policy", "fit", "status", "unknown"), POLICIES)
def test_policy_for_an_account_without_the_field(
    tmp_path: Path, policy: str, fit: float, status: str, unknown: int
) -> None:
    chosen = profile(tmp_path, size=f'on_missing = "{policy}"')
    row = score_companies(companies(THIN_MATCH), chosen).companies.row(0, named=True)
    assert row["fit_score"] == fit
    assert row["confidence"] == 0.6  # 60 of the 100 points have data
    assert row["breakdown"][0]["status"] == status
    assert row["fit_unknown"] == unknown
    # what the account's data allows: all of it when the missing weight leaves the score
    assert row["fit_reachable"] == (100.0 if policy == "neutral" else 60.0)


def test_exclude_drops_the_account_with_a_countable_reason(tmp_path: Path) -> None:
    chosen = profile(tmp_path, size='on_missing = "exclude"')
    scored = score_companies(companies(THIN_MATCH, FULL_MATCH), chosen)
    assert scored.companies["row_id"].to_list() == [1]
    reject = scored.rejects.row(0, named=True)
    assert (reject["stage"], reject["reason"], reject["detail"]) == (
        "filter",
        "no data: Size",
        "employees missing",
    )


def test_neutral_ranks_a_thin_full_match_above_a_full_account_that_misses_one(
    tmp_path: Path,
) -> None:
    chosen = profile(tmp_path, head='on_missing = "neutral"')
    scored = score_companies(companies(FULL_MISS_ONE, THIN_MATCH), chosen).companies
    assert scores(scored) == [(75.0, 1.0, 100.0, "B"), (100.0, 0.6, 100.0, "A")]
    ranked, _ = rank_companies(scored.with_columns(score=pl.col("fit_score")))
    assert ranked.sort("rank")["row_id"].to_list() == [1, 0]
    # under "zero" the same thin account sinks below it: 60 < 75
    zero = score_companies(companies(FULL_MISS_ONE, THIN_MATCH), profile(tmp_path, name="z"))
    assert zero.companies["fit_score"].to_list() == [75.0, 60.0]


def test_the_profile_wide_policy_is_the_default_a_criterion_can_override(
    tmp_path: Path,
) -> None:
    chosen = profile(tmp_path, head='on_missing = "neutral"', crm='on_missing = "zero"')
    assert [c.on_missing for c in chosen.criteria] == ["neutral", "neutral", "zero"]
    # no employees (neutral: out of the score) and no technologies (zero: a miss)
    row = score_companies(companies({"industry": "Software"}), chosen).companies.row(0, named=True)
    assert (row["fit_score"], row["confidence"], row["fit_reachable"]) == (
        pytest.approx(35 / 60 * 100),
        0.35,
        pytest.approx(35 / 60 * 100),
    )


@pytest.mark.parametrize("head", ['on_missing = "neutral"', 'on_missing = "unknown"'])
def test_accounts_with_every_field_score_exactly_as_under_zero(tmp_path: Path, head: str) -> None:
    rows = [
        FULL_MATCH,
        FULL_MISS_ONE,
        {"employees": 150, "industry": "Retail", "technologies": ["SAP"]},
        {"employees": 3000, "industry": "Software", "technologies": ["HubSpot", "SAP"]},
    ]
    before = score_companies(companies(*rows), profile(tmp_path, name="zero")).companies
    after = score_companies(companies(*rows), profile(tmp_path, head=head, name="zero")).companies
    assert_frame_equal(before, after)
    assert before["confidence"].to_list() == [1.0] * 4
    assert before["fit_reachable"].to_list() == [100.0] * 4


def test_min_confidence_keeps_thin_accounts_out_of_the_tiers(tmp_path: Path) -> None:
    chosen = profile(tmp_path, head='on_missing = "neutral"\nmin_confidence = 0.7')
    assert chosen.min_confidence == 0.7
    scored = score_companies(companies(FULL_MISS_ONE, THIN_MATCH), chosen).companies
    selected, rejects = rank_companies(
        scored.with_columns(score=pl.col("fit_score")), min_confidence=chosen.min_confidence
    )
    assert selected["row_id"].to_list() == [0]
    assert rejects.select("reason", "detail").row(0) == (
        "below minimum confidence",
        "confidence 0.6 < 0.7",
    )


# ([profile] line, the message after the file name)
BAD = [
    (
        'on_missing = "skip"',
        '[profile] (line 3): on_missing = "skip": use "zero", "neutral", "exclude", "unknown" '
        'or "no_points"',
    ),
    (
        "min_confidence = 1.5",
        "[profile] (line 3): min_confidence = 1.5: write the share of the criteria's weight an "
        "account must have data for, between 0 and 1, e.g. min_confidence = 0.6",
    ),
    (
        'min_confidence = "high"',
        '[profile] (line 3): min_confidence = "high": write the share of the criteria\'s weight '
        "an account must have data for, between 0 and 1, e.g. min_confidence = 0.6",
    ),
]


@pytest.mark.parametrize(("line", "message"), BAD)
def test_bad_policy_names_file_key_value_and_choices(
    tmp_path: Path, line: str, message: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        f'[profile]\nname = "p"\n{line}\n' + CRITERIA.format(size="", crm=""), encoding="utf-8"
    )
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    assert caught.value.problems == [f"{path}: {message}"]


def test_a_bad_criterion_policy_is_reported_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        '[profile]\nname = "p"\n' + CRITERIA.format(size='on_missing = "neutrall"', crm=""),
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    assert caught.value.problems == [
        f'{path}: criterion "Size" (line 9): on_missing = "neutrall": use "zero", "neutral", '
        '"exclude", "unknown" or "no_points"'
    ]


def test_explain_shows_confidence_and_the_exclude_policy(tmp_path: Path) -> None:
    from listbuilder.score.explain import explain_account, format_explanation

    neutral = profile(tmp_path, head='on_missing = "neutral"', name="n")
    text = format_explanation(explain_account(companies(THIN_MATCH), "Co 0", neutral))
    assert "Profile: n — fit 100, confidence 0.60, tier A" in text.splitlines()
    assert (
        "Confidence 0.60: data for 60% of the weight; the best fit this data allows is 100"
        in text.splitlines()
    )
    excluding = profile(tmp_path, size='on_missing = "exclude"', name="x")
    text = format_explanation(explain_account(companies(THIN_MATCH), "Co 0", excluding))
    assert "Profile: x — rejected (fit would be 60, confidence 0.60)" in text.splitlines()
    assert any("✗ FAILED" in line and "Size" in line for line in text.splitlines())
