"""diagnose_empty: why a build selected nothing, one line per cause and per fix."""

from __future__ import annotations

from typing import Any

import pytest

from listbuilder.score.coverage import Coverage, CoverageLine, diagnose_empty

ENRICH = (
    "  try: fill departments from a data provider: listbuilder enrich LIST --providers "
    "providers.toml --out enriched.csv (or build --enrich providers.toml)"
)
OWN_PROFILE = "  try: write a profile for the fields this list has (see docs/vendor_fields.md)"


def coverage(*, absent: bool = True, rule_known: int = 100) -> Coverage:
    crit = [
        CoverageLine("criterion", "Size", ("employees",), 100, 100, 60.0),
        CoverageLine("criterion", "Stack", ("technologies",), 30, 100, 30.0),
        CoverageLine("criterion", "RevOps", ("departments",), 0 if absent else 5, 100, 10.0),
    ]
    rule = CoverageLine("require", "North America", ("country",), rule_known, 100)
    return Coverage(
        "My ICP", "my_icp", 100, (rule, *crit), 80.0, ("C", 50.0),
        tuple(x for x in crit if x.known == 0),
    )  # fmt: skip


# (coverage, diagnose_empty arguments, lines)
CASES: list[tuple[Coverage, dict[str, Any], list[str]]] = [
    (
        coverage(rule_known=0),
        {"passed": 0, "reasons": {}},
        [
            'my_icp: no account passes the hard filters (reachable maximum 0): require "North '
            'America" reads country, which no input provides',
            "  try: fill country from a data provider: listbuilder enrich LIST --providers "
            "providers.toml --out enriched.csv",
            '  try: let accounts without it through: on_missing = "pass" on the [[require]] '
            '"North America"',
        ],
    ),
    (
        coverage(),
        {"passed": 0, "reasons": {"failed: b": 3, "failed: a": 3, "excluded: c": 1_200}},
        [
            "my_icp: no account passes the hard filters (reachable maximum 0); rejected by "
            '"excluded: c" 1,200, "failed: a" 3',
            "  try: check the [[require]] / [[exclude]] rules against this list",
        ],
    ),
    (
        coverage(),
        {"passed": 4, "min_confidence": 0.6, "best_confidence": 0.35},
        [
            "my_icp: no account reaches min_confidence 0.6: the best has data for 35% of the "
            "criteria's weight; no data for departments (10 points)",
            ENRICH,
            "  try: lower min_confidence in [profile]",
            OWN_PROFILE,
        ],
    ),
    (
        coverage(absent=False),
        {"passed": 4, "min_confidence": 0.6, "alternatives": [("funded", 71.24)]},
        [
            "my_icp: no account reaches min_confidence 0.6: the best has data for 0% of the "
            "criteria's weight; thin data for departments (5% known), technologies (30% known), "
            "employees (100% known)",
            "  try: enrich the thin fields",
            "  try: lower min_confidence in [profile]",
            "  try: use a profile written for this data: --profile funded (reachable 71.2 on "
            "this list)",
        ],
    ),
    (
        coverage(),
        {"passed": 4, "reachable": 42.04},
        [
            "my_icp: no account can reach tier C (50): the best reachable score on this list "
            "is 42 of 100; no data for departments (10 points)",
            ENRICH,
            '  try: score on the fields the list has: on_missing = "neutral" in [profile] '
            "(with min_confidence to keep the thinnest rows out)",
            OWN_PROFILE,
        ],
    ),
    (
        coverage(absent=False),
        {"passed": 4, "reachable": 90.0, "best": 48.24},
        [
            "my_icp: no account reached tier C (50): the best score is 48.2 (reachable 90)",
            "  try: no account of this list fits the profile closely enough: try another list",
            OWN_PROFILE,
        ],
    ),
]


@pytest.mark.parametrize(("cov", "kwargs", "lines"), CASES)
def test_diagnose_empty(cov: Coverage, kwargs: dict[str, Any], lines: list[str]) -> None:
    args = {"reachable": 0.0, "best": None, "reasons": {}, **kwargs}
    assert diagnose_empty(cov, **args) == lines
