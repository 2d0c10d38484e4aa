"""`[[signal]]` tables: what parses into which rule, and the message for each mistake."""

from __future__ import annotations

import pytest

from listbuilder.profile.model import (
    SIGNAL_RULES,
    AnnouncementRule,
    ExecHireRule,
    FundingRule,
    HeadcountGrowthRule,
    JobSpikeRule,
    SignalRule,
    TechChangeRule,
)
from listbuilder.profile.signals import parse_signal_rules, stage_of

# (table, the rule it parses into): the conditions in the criteria's operator words
# (`<event field>.<operator>`, a TOML dotted key, i.e. a nested table here).
VALID = [
    (
        {
            "kind": "funding",
            "boost": 15,
            "half_life_days": 45,
            "max_age_days": 180,
            "round": {"in": ["Series B", "series-c"]},
            "amount": {"at_least": 5_000_000},
        },
        FundingRule(
            boost=15.0,
            half_life_days=45.0,
            max_age_days=180.0,
            round_in=("Series B", "Series C"),
            amount_at_least=5e6,
        ),
    ),
    (
        {
            "kind": "funding",
            "boost": 5,
            "round": {"at_least": "series-b"},
            "combine": "sum",
            "cap": 12,
        },
        FundingRule(boost=5.0, round_at_least="Series B", combine="sum", cap=12.0),
    ),
    (
        {"kind": "funding", "boost": 5, "round": {"in": ["Series C", "Seed", "series c"]}},
        FundingRule(boost=5.0, round_in=("Seed", "Series C")),  # the scale's order, once each
    ),
    (
        {"kind": "funding", "boost": 5, "round": {"in": ["Series B"], "at_least": "Seed"}},
        FundingRule(boost=5.0, round_in=("Series B",), round_at_least="Seed"),
    ),
    (
        {"kind": "exec_hire", "boost": 10, "title": {"matches": "CRO|VP,? Sales"}},
        ExecHireRule(boost=10.0, title_matches="(?:CRO|VP,? Sales)"),
    ),
    (
        {
            "kind": "exec_hire",
            "boost": 10,
            "title": {"matches": ["CRO", "Head of (Sales|Revenue)"]},
        },
        ExecHireRule(boost=10.0, title_matches="(?:CRO)|(?:Head of (Sales|Revenue))"),
    ),
    (
        {"kind": "job_spike", "boost": 8, "departments": ["Sales"], "ratio": {"at_least": 2.5}},
        JobSpikeRule(boost=8.0, departments=("Sales",), ratio_at_least=2.5),
    ),
    (
        {"kind": "job_spike", "boost": 8},
        JobSpikeRule(
            boost=8.0, window_days=30, baseline_days=180, count_at_least=5, ratio_at_least=2.0
        ),
    ),
    (
        {
            "kind": "job_spike",
            "boost": 8,
            "count": {"at_least": 0},
            "window_days": 10,
            "baseline_days": 20,
        },
        JobSpikeRule(boost=8.0, count_at_least=0, window_days=10, baseline_days=20),
    ),
    (
        {
            "kind": "headcount_growth",
            "boost": 6,
            "departments": ["Sales"],
            "growth_pct": {"at_least": 50},
            "window_days": 180,
        },
        HeadcountGrowthRule(boost=6.0, departments=("Sales",), growth_pct_at_least=50.0),
    ),
    (
        {"kind": "headcount_growth", "boost": 6},
        HeadcountGrowthRule(boost=6.0, window_days=180, growth_pct_at_least=20.0),
    ),
    (
        {
            "kind": "tech_change",
            "boost": 4,
            "removed": {"in": ["Marketo"]},
            "added": {"in": "HubSpot"},
        },
        TechChangeRule(boost=4.0, removed_in=("Marketo",), added_in=("HubSpot",)),
    ),
    (
        {"kind": "announcement", "boost": 3, "text": {"any": ["new market"]}, "name": "expansion"},
        AnnouncementRule(boost=3.0, text_any=("new market",), name="expansion"),
    ),
]


@pytest.mark.parametrize(("table", "expected"), VALID)
def test_valid_tables(table: dict, expected: SignalRule) -> None:
    rules, problems = parse_signal_rules([table])
    assert problems == []
    assert rules == [expected]
    assert rules[0].kind == table["kind"]


# (the first spelling, the same condition today): both parse into one rule.
OLD_SPELLINGS = [
    (
        {"kind": "funding", "rounds": ["Series B", "series-c"]},
        {"round": {"in": ["Series B", "Series C"]}},
    ),
    ({"kind": "funding", "rounds": "Series B"}, {"round": {"in": ["Series B"]}}),
    ({"kind": "funding", "min_round": "series-b"}, {"round": {"at_least": "Series B"}}),
    ({"kind": "funding", "min_amount": 5_000_000}, {"amount": {"at_least": 5e6}}),
    ({"kind": "exec_hire", "titles": "CRO|VP,? Sales"}, {"title": {"matches": "CRO|VP,? Sales"}}),
    ({"kind": "exec_hire", "titles": ["CRO", "CEO"]}, {"title": {"matches": ["CRO", "CEO"]}}),
    ({"kind": "job_spike", "min_count": 3}, {"count": {"at_least": 3}}),
    ({"kind": "job_spike", "min_ratio": 2.5}, {"ratio": {"at_least": 2.5}}),
    ({"kind": "headcount_growth", "min_growth_pct": 50}, {"growth_pct": {"at_least": 50}}),
    ({"kind": "tech_change", "added": ["HubSpot"]}, {"added": {"in": ["HubSpot"]}}),
    ({"kind": "tech_change", "removed": "Marketo"}, {"removed": {"in": ["Marketo"]}}),
    ({"kind": "announcement", "keywords": ["new market"]}, {"text": {"any": ["new market"]}}),
]


@pytest.mark.parametrize(("old", "new"), OLD_SPELLINGS)
def test_first_spellings_parse_into_the_same_rule(old: dict, new: dict) -> None:
    old_rules, old_problems = parse_signal_rules([{**old, "boost": 5}])
    new_rules, new_problems = parse_signal_rules([{"kind": old["kind"], "boost": 5, **new}])
    assert old_problems == new_problems == []
    assert old_rules == new_rules
    assert old_rules[0] != SIGNAL_RULES[old["kind"]](boost=5.0)  # the condition is kept


INVALID = [
    ({"kind": "fundng", "boost": 3}, 'unknown signal kind "fundng" — did you mean "funding"?'),
    (
        {"boost": 3},
        'kind is missing: add kind = "funding" | "exec_hire" | "job_spike" | '
        '"headcount_growth" | "tech_change" | "announcement"',
    ),
    ({"kind": "funding"}, "boost is missing: add boost = <points>, e.g. boost = 10"),
    ({"kind": "funding", "boost": "high"}, 'boost = "high": must be a number of points'),
    ({"kind": "funding", "boost": 0}, "boost = 0: must be a positive number of points"),
    (
        {"kind": "funding", "boost": 5, "half_life_days": -3},
        "half_life_days = -3: must be a positive number of days",
    ),
    (
        {"kind": "funding", "boost": 5, "max_age_days": 0},
        "max_age_days = 0: must be a positive number of days",
    ),
    (
        {"kind": "funding", "boost": 5, "combine": "max"},
        'combine = "max": must be "strongest" or "sum" — use one of "strongest", "sum"',
    ),
    (
        {"kind": "funding", "boost": 5, "combine": "summ"},
        'combine = "summ": must be "strongest" or "sum" — did you mean "sum"?',
    ),
    (
        {"kind": "funding", "boost": 5, "cap": 10},
        'cap applies only with combine = "sum": remove cap or set combine = "sum"',
    ),
    (
        {"kind": "funding", "boost": 5, "rounds": ["Seris B"]},
        'rounds: unknown round type "Seris B" — did you mean "Series B"?',
    ),
    (
        {"kind": "funding", "boost": 5, "rounds": []},
        'rounds = []: must be a list of strings, e.g. rounds = ["Series B"]',
    ),
    ({"kind": "funding", "boost": 5, "min_amount": -1}, "min_amount = -1: must be at least 0"),
    (
        {"kind": "funding", "boost": 5, "half_lfe_days": 3},
        'unknown key half_lfe_days — did you mean "half_life_days"?',
    ),
    (
        {"kind": "exec_hire", "boost": 5, "min_amount": 3},
        'min_amount does not apply to kind "exec_hire" (it belongs to "funding"): '
        'keys for "exec_hire" are title.matches',
    ),
    (
        {"kind": "exec_hire", "boost": 5, "titles": "(CRO"},
        'titles: "(CRO" is not a valid regular expression '
        "(missing ), unterminated subpattern at position 0)",
    ),
    (
        {"kind": "exec_hire", "boost": 5, "titles": "(?<!Vice )President"},
        'titles: "(?<!Vice )President" is not a valid regular expression '
        "(look-around and back-references are not supported)",
    ),
    (
        {"kind": "job_spike", "boost": 5, "window_days": 0},
        "window_days = 0: must be a positive whole number of days",
    ),
    (
        {"kind": "job_spike", "boost": 5, "min_count": 2.5},
        "min_count = 2.5: must be a non-negative whole number of postings",
    ),
    (
        {"kind": "job_spike", "boost": 5, "min_ratio": -1},
        "min_ratio = -1: must be a positive number",
    ),
    (
        {"kind": "headcount_growth", "boost": 5, "min_growth_pct": 0},
        "min_growth_pct = 0: must be a positive number",
    ),
    ("funding", "a [[signal]] entry must be a table with kind = ... and boost = ..."),
    (
        {"kind": "funding", "boost": 5, "round": {"at_least": "Seris B"}},
        'round.at_least = "Seris B": unknown round type — did you mean "Series B"?',
    ),
    (
        {"kind": "funding", "boost": 5, "amount": {"at_least": -1}},
        "amount.at_least = -1: must be at least 0",
    ),
    (
        {"kind": "funding", "boost": 5, "round": {"atleast": "Series B"}},
        'round.atleast: unknown operator — did you mean "round.at_least"?',
    ),
    (
        {"kind": "funding", "boost": 5, "round": {"min": "Series B"}},
        'round.min: unknown operator — did you mean "round.at_least"?',
    ),
    (
        {"kind": "funding", "boost": 5, "round": {"between": ["Seed", "Series B"]}},
        "round.between: round takes round.in or round.at_least",
    ),
    (
        {"kind": "funding", "boost": 5, "round": "Series B"},
        'round = "Series B": write the condition with its operator, e.g. '
        'round.at_least = "Series B"',
    ),
    (
        {"kind": "funding", "boost": 5, "round": {}},
        'round = {}: write the condition with its operator, e.g. round.at_least = "Series B"',
    ),
    (
        {"kind": "funding", "boost": 5, "min_round": "Seed", "round": {"at_least": "Seed"}},
        "min_round and round.at_least are the same condition: keep one (round.at_least = ...)",
    ),
    (
        {"kind": "funding", "boost": 5, "min_rond": "Seed"},
        'unknown key min_rond — did you mean "round.at_least"?',
    ),
    (
        {"kind": "exec_hire", "boost": 5, "title": {"matches": 3}},
        'title.matches = 3: must be a list of strings, e.g. title.matches = ["CRO"]',
    ),
    (
        {"kind": "exec_hire", "boost": 5, "title": {"matches": "(CRO"}},
        'title.matches: "(CRO" is not a valid regular expression '
        "(missing ), unterminated subpattern at position 0)",
    ),
    (
        {"kind": "job_spike", "boost": 5, "count": {"at_least": -1}},
        "count.at_least = -1: must be a non-negative whole number of postings",
    ),
    (
        {"kind": "headcount_growth", "boost": 5, "count": {"at_least": 3}},
        'count does not apply to kind "headcount_growth" (it belongs to "job_spike"): '
        'keys for "headcount_growth" are growth_pct.at_least, departments, window_days',
    ),
    (
        {"kind": "announcement", "boost": 5, "text": {"any": []}},
        'text.any = []: must be a list of strings, e.g. text.any = ["new market"]',
    ),
]


@pytest.mark.parametrize(("table", "message"), INVALID)
def test_invalid_tables(table: dict, message: str) -> None:
    rules, problems = parse_signal_rules([table])
    assert rules == []
    assert problems == [(0, message)]


def test_problems_carry_the_table_index_and_valid_tables_still_parse() -> None:
    rules, problems = parse_signal_rules(
        [
            {"kind": "funding", "boost": 5},
            {"kind": "hiring_spree", "boost": 5},
            {"kind": "exec_hire", "boost": -1, "titles": 3},
        ]
    )
    assert [r.kind for r in rules] == ["funding"]
    assert problems == [
        (
            1,
            'unknown signal kind "hiring_spree" — use one of "funding", "exec_hire", "job_spike", '
            '"headcount_growth", "tech_change", "announcement"',
        ),
        (2, "boost = -1: must be a positive number of points"),
        (2, 'titles = 3: must be a list of strings, e.g. titles = ["CRO"]'),
    ]


STAGES = [
    ("series-b", "Series B"),
    ("Series B", "Series B"),
    ("series_c+", "Series C"),
    ("Pre-Seed", "Pre-Seed"),
    ("private-equity", "Private Equity"),
    ("post-ipo", "Public"),
    ("Series E", "Series D+"),
    ("other", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "stage"), STAGES)
def test_stage_of(raw: str | None, stage: str | None) -> None:
    assert stage_of(raw) == stage
