"""Signal boosts: exact boosts per kind, decay, age limits, combine rules, as_of, derivations."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from listbuilder.normalize.names import name_key_expr
from listbuilder.signals import (
    EVENT_SCHEMA,
    SCORES_SCHEMA,
    events_from_companies,
    parse_signal_rules,
    score_signals,
)

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
        "from_list": 0,
        "future": 1,
        "matched": 3,
        "unmatched": 1,
        "duplicates": 0,
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
    # the same boosts whatever the file order; only the cited event lines move with it
    uncited = pl.col("signals").list.eval(pl.element().struct.with_fields(source=pl.lit(None)))
    assert_frame_equal(
        first.with_columns(uncited),
        score_of(table, list(reversed(rows))).with_columns(uncited),
    )
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


# ---- ties between accounts sharing a name key -------------------------------------------

TWINS = pl.DataFrame(
    {
        "row_id": [10, 11, 12, 13, 14, 15],
        "name": [
            "Echo Networks",
            "Echo Networks Limited",
            "Langley & Sons",
            "Langley & Sons",
            "Apex Robotics SAS",
            "Apex Robotics AG",
        ],
        "country": ["US", "GB", "GB", "IN", "FR", "CH"],
        "domain": [None] * 6,
        "domain_is_platform": [False] * 6,
    },
    schema_overrides={"row_id": pl.Int64, "domain": pl.String},
).with_columns(name_key_expr(pl.col("name")).alias("name_key"))

AMBIGUOUS_2 = "name matches 2 accounts equally well"
TIE_CASES = [
    # (event company name, event country, expected row_id or reason)
    ("Echo Networks Limited", None, 11),  # the only account with exactly this name
    ("  echo   NETWORKS limited ", None, 11),  # up to case and whitespace
    # A bare name is no evidence: feeds drop legal forms, so "Echo Networks" may well be
    # "Echo Networks Limited" (in the 40k demo, 57 of 163 such picks were wrong).
    ("Echo Networks", None, AMBIGUOUS_2),
    ("Echo Networks", "US", 10),
    ("Echo Networks Ltd", None, AMBIGUOUS_2),  # neither has this exact name
    ("Echo Networks Ltd", "GB", 11),  # ... the country decides
    ("Echo Networks Ltd", "DE", AMBIGUOUS_2),
    ("Langley & Sons", None, AMBIGUOUS_2),  # two accounts with exactly this name
    ("Langley & Sons", "IN", 13),
    ("Langley and Sons", "GB", 12),
    ("Langley & Sons", "US", AMBIGUOUS_2),
    ("Apex Robotics", None, AMBIGUOUS_2),
    ("Apex Robotics", "CH", 15),
    ("Apex Robotics AG", "FR", 15),  # the exact name comes before the country
]


@pytest.mark.parametrize(("name", "country", "expected"), TIE_CASES)
def test_ties_on_the_name_key_are_broken_by_exact_name_then_country(
    name: str, country: str | None, expected: int | str
) -> None:
    row = {"ago": 3, **SERIES_B, "domain": None, "company_name": name, "country": country}
    result = score_signals(TWINS, events(row), rules(FUNDING), as_of=AS_OF)
    if isinstance(expected, int):
        assert result.scores["row_id"].to_list() == [expected]
        assert result.unmatched.height == 0
        assert result.matches is not None and result.matches["match"].to_list() == ["name"]
    else:
        assert result.scores.height == 0
        assert result.unmatched["reason"].to_list() == [expected]


def test_ties_need_no_name_or_country_columns() -> None:
    accounts = TWINS.drop("name", "country")
    row = {"ago": 3, **SERIES_B, "domain": None, "company_name": "Echo Networks Limited"}
    result = score_signals(accounts, events(row), rules(FUNDING), as_of=AS_OF)
    assert result.unmatched["reason"].to_list() == [AMBIGUOUS_2]


# ---- the list's own funding rounds ------------------------------------------------------

LISTED = pl.DataFrame(
    {
        "row_id": [1, 2, 3, 4],
        "source": ["list.csv"] * 4,
        "line": [2, 3, 4, 5],
        "name": ["Acme Inc", "Globex", "Initech", "Acme Robotics"],
        "domain": ["acme.com", None, "initech.io", None],
        "country": ["US", "GB", None, "US"],
        "funding_stage": ["Series B", None, "Seed", "Series A"],
        "total_funding": [40e6, None, 1e6, 5e6],
        "last_funding_date": [AS_OF - timedelta(28), AS_OF - timedelta(5), None, AS_OF],
    },
    schema_overrides={"row_id": pl.Int64, "line": pl.Int64},
)


def test_events_from_companies() -> None:
    got = events_from_companies(LISTED)
    assert got.schema == pl.Schema(EVENT_SCHEMA)
    expected = pl.DataFrame(
        {
            **{k: [None, None, None] for k in EVENT_SCHEMA},
            "source": ["list.csv"] * 3,
            "line": [2, 3, 5],
            "domain": ["acme.com", None, None],
            "company_name": ["Acme Inc", "Globex", "Acme Robotics"],
            "country": ["US", "GB", "US"],
            "kind": ["funding"] * 3,
            "date": [AS_OF - timedelta(28), AS_OF - timedelta(5), AS_OF],
            "round_type": ["Series B", None, "Series A"],
            "row_id": [1, 2, 4],
        },
        schema=EVENT_SCHEMA,
    )
    assert_frame_equal(got, expected)


def test_events_from_companies_without_funding_columns() -> None:
    assert events_from_companies(LISTED.drop("last_funding_date")).height == 0
    plain = events_from_companies(LISTED.select("row_id", "last_funding_date"))
    assert plain.select("source", "company_name", "round_type", "row_id").rows() == [
        (None, None, None, 1),
        (None, None, None, 2),
        (None, None, None, 4),
    ]


def test_list_rounds_alone_give_why_now() -> None:
    """No events file at all: the list's rounds still say why now, keyed by row_id."""
    accounts = ACCOUNTS.join(
        LISTED.select("row_id", "funding_stage", "last_funding_date"), on="row_id", how="left"
    )
    table = rules({"kind": "funding", "boost": 15, "half_life_days": 45, "max_age_days": 180})
    result = score_signals(accounts, events_from_companies(accounts), table, as_of=AS_OF)
    assert result.scores.select("row_id", "signal_score", "why_now").rows() == [
        (1, 9.7, "Series B (from the list), 28 days ago"),  # 15 * 0.5 ** (28 / 45) = 9.75
        (2, 13.9, "Funding round (from the list), 5 days ago"),  # 13.89
        (4, 15.0, "Series A (from the list), today"),
    ]
    assert result.unmatched.height == 0
    assert result.matches is not None and set(result.matches["match"]) == {"list"}
    assert (result.counts["read"], result.counts["from_list"], result.counts["matched"]) == (
        3,
        3,
        3,
    )


# (file event on Acme — row 1, whose list round is a Series B 28 days old —, the labels
#  Acme ends with, the duplicates count). The rule sums so that every kept round shows.
DUPLICATE_CASES = [
    ({"ago": 28, **SERIES_B}, ["Series B $25M"], 1),
    ({"ago": 25, **SERIES_B}, ["Series B $25M"], 1),  # 3 days apart
    ({"ago": 35, **SERIES_B}, ["Series B $25M"], 1),  # 7 days apart: still the same round
    ({"ago": 36, **SERIES_B}, ["Series B (from the list)", "Series B $25M"], 0),  # 8 days
    (
        {"ago": 28, "round_type": "Series A", "amount_usd": 3e6},
        ["Series A $3M", "Series B (from the list)"],
        0,
    ),
    ({"ago": 28, "amount_usd": 3e7}, ["Funding round $30M"], 1),  # the file has no round type
    (
        {"ago": 28, **SERIES_B, "domain": None, "company_name": "Globex"},
        ["Series B (from the list)"],
        0,
    ),
    (
        {"ago": 28, **SERIES_B, "domain": None, "company_name": "Umbrella"},
        ["Series B (from the list)"],
        0,
    ),
    ({"ago": 28, "kind": "exec_hire", "title": "CRO"}, ["Series B (from the list)"], 0),
    ({"ago": -3, **SERIES_B}, ["Series B (from the list)"], 0),  # the file round is in the future
]


@pytest.mark.parametrize(("event", "labels", "duplicates"), DUPLICATE_CASES)
def test_a_list_round_also_in_the_events_file_counts_once(
    event: dict, labels: list[str], duplicates: int
) -> None:
    accounts = ACCOUNTS.join(
        LISTED.select("row_id", "funding_stage", "last_funding_date"), on="row_id", how="left"
    )
    table = rules({"kind": "funding", "boost": 10, "combine": "sum"})
    listed = events_from_companies(accounts.filter(pl.col("row_id") == 1))
    result = score_signals(accounts, [events(event), listed], table, as_of=AS_OF)
    acme = result.scores.filter(pl.col("row_id") == 1)
    assert [s["label"] for s in acme["signals"].to_list()[0]] == labels
    assert result.counts["duplicates"] == duplicates
    assert acme["signal_score"].to_list() == [10.0 * len(labels)]


def test_list_events_unknown_to_the_accounts_are_listed_unmatched() -> None:
    listed = events_from_companies(LISTED.with_columns(pl.col("row_id") + 100))
    result = score_signals(ACCOUNTS, listed, rules(FUNDING), as_of=AS_OF)
    assert result.scores.height == 0
    assert result.unmatched.select("line", "reason").rows() == [
        (2, "no account with this row_id"),
        (3, "no account with this row_id"),
        (5, "no account with this row_id"),
    ]


def test_file_and_list_events_keep_their_event_ids_in_order() -> None:
    file_events = events(
        {"ago": 3, **SERIES_B}, {"ago": 3, **SERIES_B, "company_name": "Globex", "domain": None}
    )
    listed = events_from_companies(LISTED)
    result = score_signals(ACCOUNTS, [file_events, listed], rules(FUNDING), as_of=AS_OF)
    assert result.matches is not None
    assert result.matches.rows() == [
        (0, 1, "domain"),
        (1, 2, "name"),
        (2, 1, "list"),
        (3, 2, "list"),
        (4, 4, "list"),
    ]
    assert result.counts["duplicates"] == 1  # Globex: the file's round and the list's, 2 days apart
    assert score_signals(ACCOUNTS, None, rules(FUNDING), as_of=AS_OF).scores.height == 0
    assert score_signals(ACCOUNTS, [], rules(FUNDING), as_of=AS_OF).scores.height == 0
