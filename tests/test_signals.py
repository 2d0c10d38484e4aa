"""Signal boosts: exact boosts per kind, decay, age limits, combine rules, as_of, derivations."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from listbuilder.signals import EVENT_SCHEMA, SCORES_SCHEMA, parse_signal_rules, score_signals

AS_OF = date(2024, 6, 30)

ACCOUNTS = pl.DataFrame(
    {
        "row_id": [1, 2, 3, 4, 5],
        "name": ["Acme Inc", "Globex", "Initech", "Acme Robotics", "Hooli"],
        "name_key": ["acme", "globex", "initech", "acme robotics", "hooli"],
        "domain": ["acme.com", None, "initech.io", None, "linkedin.com"],
        "domain_is_platform": [False, False, False, False, True],
    },
    schema_overrides={"row_id": pl.Int64},
)


def events(*rows: dict[str, Any]) -> pl.DataFrame:
    """Unified events; ``ago`` = days before AS_OF; ``company`` defaults to Acme's domain."""
    out = []
    for i, row in enumerate(rows):
        row = dict(row)
        ago = row.pop("ago")
        row.setdefault("kind", "funding")
        if "company_name" not in row:
            row.setdefault("domain", "https://www.acme.com/about")
        out.append(
            {
                **{k: None for k in EVENT_SCHEMA},
                "source": "events.csv",
                "line": i + 2,
                "date": AS_OF - timedelta(days=ago),
                **row,
            }
        )
    return pl.DataFrame(out, schema=EVENT_SCHEMA)


def rules(*tables: dict[str, Any]) -> list:
    parsed, problems = parse_signal_rules(list(tables))
    assert problems == []
    return parsed


def score_of(rule_tables: list[dict], rows: list[dict], as_of: date = AS_OF) -> pl.DataFrame:
    return score_signals(ACCOUNTS, events(*rows), rules(*rule_tables), as_of=as_of).scores


FUNDING = {"kind": "funding", "boost": 15}
SERIES_B = {"round_type": "series-b", "amount_usd": 25_000_000}

# (rule, event, expected signal_score (None = no boost), expected label)
POINT_CASES = [
    (FUNDING, {"ago": 34, **SERIES_B}, 15.0, "Series B $25M"),
    ({**FUNDING, "half_life_days": 45}, {"ago": 45, **SERIES_B}, 7.5, "Series B $25M"),
    ({**FUNDING, "boost": 16, "half_life_days": 45}, {"ago": 90, **SERIES_B}, 4.0, "Series B $25M"),
    ({**FUNDING, "half_life_days": 45}, {"ago": 0, **SERIES_B}, 15.0, "Series B $25M"),
    ({**FUNDING, "half_life_days": 45}, {"ago": 90, **SERIES_B}, 3.8, "Series B $25M"),  # 3.75
    ({**FUNDING, "max_age_days": 180}, {"ago": 180, **SERIES_B}, 15.0, "Series B $25M"),
    ({**FUNDING, "max_age_days": 180}, {"ago": 181, **SERIES_B}, None, None),
    (
        {**FUNDING, "rounds": ["Series B", "Series C"]},
        {"ago": 5, **SERIES_B},
        15.0,
        "Series B $25M",
    ),
    (
        {**FUNDING, "rounds": ["Series B", "Series C"]},
        {"ago": 5, "round_type": "series-a", "amount_usd": 3e6},
        None,
        None,
    ),
    (
        {**FUNDING, "min_round": "Series B"},
        {"ago": 5, "round_type": "series-c+", "amount_usd": 40e6},
        15.0,
        "Series C+ $40M",
    ),
    ({**FUNDING, "min_round": "Series B"}, {"ago": 5, "round_type": "venture"}, None, None),
    ({**FUNDING, "min_amount": 5e6}, {"ago": 5, "round_type": "series-b"}, None, None),
    (
        {**FUNDING, "min_amount": 5e6},
        {"ago": 5, "round_type": "series-b", "amount_usd": 5e6},
        15.0,
        "Series B $5M",
    ),
    (FUNDING, {"ago": 5, "round_type": "angel", "amount_usd": 600_000}, 15.0, "Angel round $600K"),
    (
        FUNDING,
        {"ago": 5, "round_type": "venture", "amount_usd": 1_750_000},
        15.0,
        "Venture round $1.75M",
    ),
    (FUNDING, {"ago": 5, "amount_usd": 1.2e9}, 15.0, "Funding round $1.2B"),
    (FUNDING, {"ago": 5, "round_type": "Other", "amount_usd": 100e6}, 15.0, "Funding round $100M"),
    (FUNDING, {"ago": 5, "round_type": "Seed", "amount_usd": 1_256_000}, 15.0, "Seed round $1.26M"),
    (FUNDING, {"ago": 5, "round_type": "Seed", "amount_usd": 950}, 15.0, "Seed round $950"),
    (FUNDING, {"ago": 5, "round_type": "Seed Round", "amount_usd": 3e5}, 15.0, "Seed round $300K"),
    (FUNDING, {"ago": 5, "round_type": "series b round"}, 15.0, "Series B"),
    (FUNDING, {"ago": 5, "round_type": "Funding Round"}, 15.0, "Funding round"),
    (FUNDING, {"ago": -1, **SERIES_B}, None, None),  # future-dated: ignored
    (
        {"kind": "exec_hire", "boost": 10, "titles": "CRO|VP,? Sales"},
        {"ago": 12, "kind": "exec_hire", "title": "VP, Sales"},
        10.0,
        "new VP, Sales",
    ),
    (
        {"kind": "exec_hire", "boost": 10, "titles": "CRO|VP,? Sales"},
        {"ago": 12, "kind": "exec_hire", "title": "cro"},
        10.0,
        "new cro",
    ),
    (
        {"kind": "exec_hire", "boost": 10, "titles": "CRO|VP,? Sales"},
        {"ago": 12, "kind": "exec_hire", "title": "VP Marketing"},
        None,
        None,
    ),
    (
        {"kind": "exec_hire", "boost": 10, "half_life_days": 30},
        {"ago": 60, "kind": "exec_hire", "title": "VP Marketing"},
        2.5,
        "new VP Marketing",
    ),
    ({"kind": "exec_hire", "boost": 10}, {"ago": 12, **SERIES_B}, None, None),  # other kind
    (
        {"kind": "tech_change", "boost": 6, "removed": ["Marketo"]},
        {"ago": 3, "kind": "tech_change", "technology": "marketo", "change": "removed"},
        6.0,
        "removed marketo",
    ),
    (
        {"kind": "tech_change", "boost": 6, "removed": ["Marketo"]},
        {"ago": 3, "kind": "tech_change", "technology": "Marketo", "change": "added"},
        None,
        None,
    ),
    (
        {"kind": "tech_change", "boost": 6},
        {"ago": 3, "kind": "tech_change", "technology": "HubSpot", "change": "added"},
        6.0,
        "added HubSpot",
    ),
    (
        {"kind": "announcement", "boost": 3, "keywords": ["new market"]},
        {"ago": 1, "kind": "announcement", "text": "Acme enters a New Market"},
        3.0,
        "Acme enters a New Market",
    ),
    (
        {"kind": "announcement", "boost": 3, "keywords": ["new market"]},
        {"ago": 1, "kind": "announcement", "text": "Acme hires a chef"},
        None,
        None,
    ),
]


@pytest.mark.parametrize(("rule", "event", "score", "label"), POINT_CASES)
def test_point_signal_boosts(rule: dict, event: dict, score: float | None, label: str) -> None:
    scores = score_of([rule], [event])
    if score is None:
        assert scores.height == 0
        return
    assert scores["row_id"].to_list() == [1]
    assert scores["signal_score"].to_list() == [score]
    (signal,) = scores["signals"].to_list()[0]
    assert signal["label"] == label
    assert signal["age_days"] == event["ago"]
    assert signal["raw_boost"] == rule["boost"]


# Three Series B rounds on one account, 0, 45 and 90 days old, 10 points, half-life 45.
ROUNDS = [{"ago": 0, **SERIES_B}, {"ago": 45, **SERIES_B}, {"ago": 90, **SERIES_B}]
COMBINE_CASES = [
    ({"combine": "strongest"}, 10.0, [10.0]),
    ({"combine": "sum"}, 17.5, [10.0, 5.0, 2.5]),
    ({"combine": "sum", "cap": 12}, 12.0, [10.0, 5.0, 2.5]),
    ({"combine": "sum", "cap": 20}, 17.5, [10.0, 5.0, 2.5]),
]


@pytest.mark.parametrize(("extra", "score", "boosts"), COMBINE_CASES)
def test_combine_rules(extra: dict, score: float, boosts: list[float]) -> None:
    rule = {"kind": "funding", "boost": 10, "half_life_days": 45, **extra}
    scores = score_of([rule], ROUNDS)
    assert scores["signal_score"].to_list() == [score]
    assert [s["boost"] for s in scores["signals"].to_list()[0]] == boosts


def test_rules_add_up_and_why_now_names_the_strongest_three() -> None:
    table = [
        {"kind": "funding", "boost": 15, "half_life_days": 45},
        {"kind": "exec_hire", "boost": 10, "titles": "CRO"},
        {"kind": "tech_change", "boost": 4},
        {"kind": "announcement", "boost": 2},
    ]
    rows = [
        {"ago": 34, **SERIES_B},
        {"ago": 12, "kind": "exec_hire", "title": "CRO"},
        {"ago": 1, "kind": "tech_change", "technology": "Outreach", "change": "added"},
        {"ago": 0, "kind": "announcement", "text": "Launches in Brazil"},
    ]
    scores = score_of(table, rows)
    # 15 * 0.5 ** (34 / 45) = 8.883
    assert scores["signal_score"].to_list() == [24.9]
    assert scores["why_now"].to_list() == [
        "new CRO, 12 days ago · Series B $25M, 34 days ago · added Outreach, 1 day ago"
    ]
    assert scores["last_signal_date"].to_list() == [AS_OF]
    assert [s["boost"] for s in scores["signals"].to_list()[0]] == [10.0, 8.88, 4.0, 2.0]


def test_as_of_moves_the_clock() -> None:
    rule = [{"kind": "funding", "boost": 12, "half_life_days": 30, "max_age_days": 90}]
    row = [{"ago": 0, **SERIES_B}]  # dated AS_OF
    by_day = {
        ago: score_of(rule, row, as_of=AS_OF + timedelta(days=ago))["signal_score"].to_list()
        for ago in (-1, 0, 30, 60, 90, 91)
    }
    assert by_day == {-1: [], 0: [12.0], 30: [6.0], 60: [3.0], 90: [1.5], 91: []}


def test_scores_schema_and_empty_result() -> None:
    scores = score_of([FUNDING], [])
    assert scores.schema == pl.Schema(SCORES_SCHEMA)
    assert score_of([], [{"ago": 3, **SERIES_B}]).height == 0


# ---- job-posting spikes --------------------------------------------------------------

SPIKE = {"kind": "job_spike", "boost": 8, "departments": ["Sales"]}


def postings(dates: list[int], department: str | None = "Sales", title: str = "AE") -> list:
    return [
        {"ago": a, "kind": "job_posting", "department": department, "title": title} for a in dates
    ]


SPIKE_CASES = [
    # (rule extras, postings, expected label or None)
    ({}, postings([1] * 6 + [100] * 6), "sales postings ×6.0 vs baseline"),
    ({}, postings([1] * 5), "sales postings: 5 in 30 days, none before"),
    ({}, postings([1] * 4), None),  # below min_count 5
    ({"min_count": 4}, postings([1] * 4), "sales postings: 4 in 30 days, none before"),
    ({}, postings([2] * 6 + [60] * 18), "sales postings ×2.0 vs baseline"),  # ratio exactly 2
    ({}, postings([2] * 6 + [60] * 19), None),  # 6*180/(30*19) = 1.89
    ({}, postings([30] * 6), None),  # 30 days ago is the baseline's last day
    ({}, postings([29] * 6 + [210] * 6), "sales postings: 6 in 30 days, none before"),
    ({}, postings([211] * 6), None),  # before the baseline: ignored
    ({}, postings([1] * 6, department="Engineering"), None),
    (
        {},
        postings([1] * 6, department=None, title="Account Executive, Sales"),
        "sales postings: 6 in 30 days, none before",
    ),
    ({}, postings([1] * 6, department="sales"), "sales postings: 6 in 30 days, none before"),
    (
        {"departments": None},
        postings([1] * 3) + postings([2] * 3, department="Engineering") + postings([90] * 2),
        "job postings ×18.0 vs baseline",
    ),  # 6*180/(30*2)
    (
        {"window_days": 10, "baseline_days": 20, "min_ratio": 3},
        postings([1] * 6 + [15] * 2),
        "sales postings ×6.0 vs baseline",
    ),
]


@pytest.mark.parametrize(("extra", "rows", "label"), SPIKE_CASES)
def test_job_spike(extra: dict, rows: list, label: str | None) -> None:
    rule = {k: v for k, v in {**SPIKE, **extra}.items() if v is not None}
    scores = score_of([rule], rows)
    if label is None:
        assert scores.height == 0
        return
    assert scores["signal_score"].to_list() == [8.0]
    assert [s["label"] for s in scores["signals"].to_list()[0]] == [label]


def test_job_spike_is_dated_by_its_latest_posting_and_decays() -> None:
    rule = {**SPIKE, "half_life_days": 10}
    scores = score_of([rule], postings([10, 12, 15, 20, 25]))
    (signal,) = scores["signals"].to_list()[0]
    assert (signal["date"], signal["age_days"], signal["boost"]) == (AS_OF - timedelta(10), 10, 4.0)


# ---- headcount growth ------------------------------------------------------------------

GROWTH = {
    "kind": "headcount_growth",
    "boost": 6,
    "departments": ["Sales"],
    "min_growth_pct": 50,
    "window_days": 180,
}


def snapshots(*pairs: tuple[int, int], department: str | None = "Sales") -> list:
    return [
        {"ago": a, "kind": "headcount", "department": department, "headcount": h} for a, h in pairs
    ]


GROWTH_CASES = [
    ({}, snapshots((170, 10), (90, 18), (2, 30)), "sales team grew 10 → 30 in 6 months"),
    ({}, snapshots((200, 5), (100, 10), (10, 12)), None),  # 10 → 12 inside the window: 20%
    ({}, snapshots((100, 10), (10, 15)), "sales team grew 10 → 15 in 3 months"),
    ({}, snapshots((100, 10), (10, 14)), None),
    ({}, snapshots((10, 30)), None),  # one snapshot: no growth
    ({}, snapshots((40, 0), (10, 5)), "sales team grew 0 → 5 in 30 days"),
    ({}, snapshots((100, 30), (10, 10)), None),  # shrinking
    ({}, snapshots((100, 10), (10, 40), department="Engineering"), None),
    (
        {"departments": None},
        snapshots((100, 10), (10, 40), department="Engineering"),
        "engineering team grew 10 → 40 in 3 months",
    ),
    (
        {"departments": None},
        snapshots((100, 100), (10, 150), department=None),
        "headcount grew 100 → 150 in 3 months",
    ),
    (
        {"window_days": 60},
        snapshots((100, 10), (50, 12), (10, 20)),
        "sales team grew 12 → 20 in 40 days",
    ),
]


@pytest.mark.parametrize(("extra", "rows", "label"), GROWTH_CASES)
def test_headcount_growth(extra: dict, rows: list, label: str | None) -> None:
    rule = {k: v for k, v in {**GROWTH, **extra}.items() if v is not None}
    scores = score_of([rule], rows)
    if label is None:
        assert scores.height == 0
        return
    assert scores["signal_score"].to_list() == [6.0]
    assert [s["label"] for s in scores["signals"].to_list()[0]] == [label]


# ---- matching --------------------------------------------------------------------------

MATCH_CASES = [
    # (domain, company_name, expected row_id or reason)
    ("https://www.acme.com/about", None, 1),
    ("acme.com", "Something Else", 1),  # domain wins over name
    (None, "Globex", 2),
    (None, "GLOBEX", 2),
    ("globex.com", "Globex", 2),  # the account has no domain: the name decides
    ("initech.com", "Initech", "no account with this domain or name"),  # domains disagree
    (None, "Acme Robotic", 4),  # fuzzy
    (None, "Hooli", 5),  # the account's platform domain is no obstacle
    ("linkedin.com", "Hooli", 5),  # nor the event's
    (None, "Umbrella", "no account with this domain or name"),
]


@pytest.mark.parametrize(("domain", "name", "expected"), MATCH_CASES)
def test_matching(domain: str | None, name: str | None, expected: int | str) -> None:
    row = {"ago": 3, **SERIES_B, "domain": domain, "company_name": name}
    result = score_signals(ACCOUNTS, events(row), rules(FUNDING), as_of=AS_OF)
    if isinstance(expected, int):
        assert result.scores["row_id"].to_list() == [expected]
        assert result.unmatched.height == 0
    else:
        assert result.scores.height == 0
        assert result.unmatched["reason"].to_list() == [expected]


def test_ambiguous_name_is_not_guessed() -> None:
    accounts = pl.concat(
        [
            ACCOUNTS,
            ACCOUNTS.filter(pl.col("row_id") == 2).with_columns(
                pl.lit(9, dtype=pl.Int64).alias("row_id")
            ),
        ]
    )
    row = {"ago": 3, **SERIES_B, "company_name": "Globex"}
    result = score_signals(accounts, events(row), rules(FUNDING), as_of=AS_OF)
    assert result.scores.height == 0
    assert result.unmatched["reason"].to_list() == ["name matches 2 accounts equally well"]


def test_counts_and_unmatched_listing() -> None:
    rows = [
        {"ago": 3, **SERIES_B},  # matched, used
        {"ago": 400, **SERIES_B},  # matched, too old
        {"ago": -5, **SERIES_B},  # future
        {"ago": 3, **SERIES_B, "company_name": "Umbrella"},  # unmatched
        {"ago": 3, "kind": "exec_hire", "title": "CRO", "company_name": "Globex"},  # no rule
    ]
    result = score_signals(
        ACCOUNTS, events(*rows), rules({**FUNDING, "max_age_days": 365}), as_of=AS_OF
    )
    assert result.counts == {
        "read": 5,
        "future": 1,
        "matched": 3,
        "unmatched": 1,
        "too_old": 1,
        "used": 1,
    }
    expected = pl.DataFrame(
        {
            "source": ["events.csv"],
            "line": [5],
            "domain": [None],
            "company_name": ["Umbrella"],
            "kind": ["funding"],
            "date": [AS_OF - timedelta(3)],
            "reason": ["no account with this domain or name"],
        },
        schema_overrides={"domain": pl.String},
    )
    assert_frame_equal(result.unmatched, expected)


def test_deterministic_output() -> None:
    table = [{"kind": "funding", "boost": 10, "combine": "sum"}]
    rows = [
        {"ago": 3, **SERIES_B},
        {"ago": 3, **SERIES_B, "amount_usd": 30e6},
        {"ago": 3, **SERIES_B, "company_name": "Globex", "domain": None},
    ]
    first = score_of(table, rows)
    assert_frame_equal(first, score_of(table, list(reversed(rows))))
    assert [s["label"] for s in first["signals"].to_list()[0]] == ["Series B $25M", "Series B $30M"]


def test_fuzzy_can_be_turned_off() -> None:
    row = {"ago": 3, **SERIES_B, "company_name": "Acme Robotic", "domain": None}
    result = score_signals(ACCOUNTS, events(row), rules(FUNDING), as_of=AS_OF, fuzzy=False)
    assert result.unmatched["reason"].to_list() == ["no account with this domain or name"]


def test_accounts_sharing_a_domain_both_get_the_event() -> None:
    twin = ACCOUNTS.filter(pl.col("row_id") == 1).with_columns(
        pl.lit(7, dtype=pl.Int64).alias("row_id")
    )
    result = score_signals(
        pl.concat([ACCOUNTS, twin]), events({"ago": 3, **SERIES_B}), rules(FUNDING), as_of=AS_OF
    )
    assert result.scores["row_id"].to_list() == [1, 7]
    assert result.counts["matched"] == 1
