"""`[[signal]]` tables: what parses into which rule, and the message for each mistake."""

from __future__ import annotations

import pytest

from listbuilder.signals.rules import SignalRule, parse_signal_rules, stage_of

VALID = [
    (
        {
            "kind": "funding",
            "boost": 15,
            "half_life_days": 45,
            "max_age_days": 180,
            "rounds": ["Series B", "series-c"],
            "min_amount": 5_000_000,
        },
        SignalRule(
            kind="funding",
            boost=15.0,
            half_life_days=45.0,
            max_age_days=180.0,
            options={"rounds": ["Series B", "Series C"], "min_amount": 5e6},
        ),
    ),
    (
        {"kind": "funding", "boost": 5, "min_round": "series-b", "combine": "sum", "cap": 12},
        SignalRule(
            kind="funding", boost=5.0, options={"min_round": "Series B"}, combine="sum", cap=12.0
        ),
    ),
    (
        {"kind": "exec_hire", "boost": 10, "titles": "CRO|VP,? Sales"},
        SignalRule(kind="exec_hire", boost=10.0, options={"titles": "(?:CRO|VP,? Sales)"}),
    ),
    (
        {"kind": "exec_hire", "boost": 10, "titles": ["CRO", "Head of (Sales|Revenue)"]},
        SignalRule(
            kind="exec_hire", boost=10.0, options={"titles": "(?:CRO)|(?:Head of (Sales|Revenue))"}
        ),
    ),
    (
        {"kind": "job_spike", "boost": 8, "departments": ["Sales"], "min_ratio": 2.5},
        SignalRule(
            kind="job_spike",
            boost=8.0,
            options={
                "window_days": 30,
                "baseline_days": 180,
                "min_ratio": 2.5,
                "min_count": 5,
                "departments": ["Sales"],
            },
        ),
    ),
    (
        {
            "kind": "headcount_growth",
            "boost": 6,
            "departments": ["Sales"],
            "min_growth_pct": 50,
            "window_days": 180,
        },
        SignalRule(
            kind="headcount_growth",
            boost=6.0,
            options={"window_days": 180, "min_growth_pct": 50.0, "departments": ["Sales"]},
        ),
    ),
    (
        {"kind": "tech_change", "boost": 4, "removed": ["Marketo"], "added": "HubSpot"},
        SignalRule(
            kind="tech_change", boost=4.0, options={"removed": ["Marketo"], "added": ["HubSpot"]}
        ),
    ),
    (
        {"kind": "announcement", "boost": 3, "keywords": ["new market"], "name": "expansion"},
        SignalRule(
            kind="announcement", boost=3.0, options={"keywords": ["new market"]}, name="expansion"
        ),
    ),
]


@pytest.mark.parametrize(("table", "expected"), VALID)
def test_valid_tables(table: dict, expected: SignalRule) -> None:
    rules, problems = parse_signal_rules([table])
    assert problems == []
    assert rules == [expected]


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
        'keys for "exec_hire" are titles',
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
