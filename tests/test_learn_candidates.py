"""RuleMatcher: a candidate rule matches the deals scoring would give it the status "match"."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from listbuilder.learn.candidates import RuleMatcher, rule_condition

# Per account: exact 1500 employees; band 1,001-5,000 (point: its midpoint 3000); band
# 1,001-4,000 (2500); no data; open band 10,001+ (point: its lower end)
DEALS = pl.DataFrame(
    {
        "employees": [1500, 3000, 2500, None, 10001],
        "employees_min": [None, 1001, 1001, None, 10001],
        "employees_max": [None, 5000, 4000, None, None],
        "technologies": [["Salesforce"], ["hubspot", "Slack"], [], None, ["HubSpot"]],
        "country": ["DE", "AT", "US", None, "GB"],
    },
    schema_overrides={"employees_min": pl.Int64, "employees_max": pl.Int64},
)
MATCHES = [
    (("employees", "between", [1000, 4999]), [True, False, True, False, False]),
    (("employees", "between", [2000, 4999]), [False, False, False, False, False]),
    (("employees", "at_least", 1000), [True, True, True, False, True]),
    (("employees", "at_least", 5000), [False, False, False, False, True]),
    (("employees", "exists", True), [True, True, True, False, True]),
    (("technologies", "any", ["HubSpot"]), [False, True, False, False, True]),
    (("technologies", "any", ["Salesforce", "Slack"]), [True, True, False, False, False]),
    (("technologies", "exists", True), [True, True, False, False, True]),
    (("country", "in", ["DACH"]), [True, True, False, False, False]),
    (("country", "in", ["US", "GB"]), [False, False, True, False, True]),
]


@pytest.mark.parametrize(("rule", "expected"), MATCHES)
def test_candidates_match_as_scoring_does(rule: tuple[str, str, Any], expected: list[bool]) -> None:
    matcher = RuleMatcher(DEALS)
    (found,) = matcher.matches([rule])
    assert found.to_list() == expected
    assert matcher.match(*rule).to_list() == expected  # remembered, same answer


@pytest.mark.parametrize(
    ("rule", "valid"),
    [
        (("industry", "in", ["SaaS"]), True),
        (("country", "in", ["NORDICS"]), True),
        (("country", "in", ["XK"]), False),  # Kosovo: no ISO 3166 code, no profile rule
        (("funding_stage", "in", ["Series Z"]), False),
    ],
)
def test_rule_condition_is_what_a_profile_holds(rule: tuple[str, str, Any], *, valid: bool) -> None:
    assert (rule_condition(*rule) is not None) is valid


def test_a_rule_no_profile_holds_is_refused() -> None:
    with pytest.raises(ValueError, match='not a profile rule: country in \\["XK"\\]'):
        RuleMatcher(DEALS).match("country", "in", ["XK"])
