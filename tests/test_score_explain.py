"""explain_account: the same columns as score_companies, for one account, as a table."""

from __future__ import annotations

import polars as pl
import pytest

from listbuilder.errors import InputError
from listbuilder.profile import load_profile
from listbuilder.schema import COMPANY_SCHEMA, DERIVED_SCHEMA, LINEAGE_SCHEMA
from listbuilder.score.explain import explain_account, format_explanation

SCHEMA = {**LINEAGE_SCHEMA, **COMPANY_SCHEMA, **DERIVED_SCHEMA}
ROWS = [
    {
        "row_id": 1,
        "source": "list.csv",
        "line": 2,
        "name": "Acme Cloud",
        "domain": "acme.io",
        "country": "US",
        "employees": 500,
        "industry": "SaaS",
        "technologies": ["HubSpot"],
        "funding_stage": "Series C",
        "departments": ["Sales"],
    },
    {
        "row_id": 2,
        "source": "list.csv",
        "line": 3,
        "name": "Paris SA",
        "domain": "paris.fr",
        "country": "FR",
        "employees": 150,
        "industry": "Government",
    },
]


def _frame() -> pl.DataFrame:
    return pl.DataFrame({k: [r.get(k) for r in ROWS] for k in SCHEMA}, schema=SCHEMA)


@pytest.mark.parametrize("account", ["acme.io", "https://www.acme.io/about", "ACME CLOUD"])
def test_an_account_is_found_by_domain_or_name(account: str) -> None:
    explanation = explain_account(_frame(), account, load_profile("b2b_saas"))
    assert explanation.account["name"] == "Acme Cloud"
    result = explanation.results[0]
    assert (result.passed, result.fit_score, result.tier, result.priority) == (
        True,
        90.0,
        "A",
        True,
    )
    assert [(c.criterion, c.points, c.status) for c in result.criteria][-1] == (
        "Has a RevOps function",
        0.0,
        "miss",
    )


def test_the_explanation_prints_filters_criteria_and_why() -> None:
    text = format_explanation(explain_account(_frame(), "acme.io", load_profile("b2b_saas")))
    assert text.splitlines() == [
        "Acme Cloud (acme.io) — list.csv line 2",
        "",
        # no timing known: no priority cell
        "Profile: B2B SaaS mid-market — fit 90, confidence 1.00, tier A",
        "Hard filters",
        "  ✓ passed  require  North America, UK or Ireland  country US",
        "  ✓ passed  exclude  Government or education       industry SaaS",
        "Criteria",
        "  criterion                     value     points  status",
        "  Mid-market size               500       30/30   match",
        "  Software or internet company  SaaS      20/20   match",
        "  Uses Salesforce or HubSpot    HubSpot   25/25   match",
        "  Series B or later             Series C  15/15   match",
        "  Has a RevOps function         Sales     0/10    miss",
        "Why: 500 employees ✓ 30 · SaaS ✓ 20 · HubSpot ✓ 25 · Series C ✓ 15 · no RevOps ✗ 0",
    ]


def test_failed_filters_are_shown() -> None:
    result = explain_account(_frame(), "paris.fr", load_profile("b2b_saas")).results[0]
    assert not result.passed
    assert [(f.passed, f.detail) for f in result.filters] == [
        (False, "country FR (France) not in region NA (US, CA), GB, IE"),
        (False, "industry Government"),
    ]


def test_an_unknown_account_suggests_close_names() -> None:
    with pytest.raises(InputError) as caught:
        explain_account(_frame(), "Acme Clud", load_profile("b2b_saas"))
    assert str(caught.value) == (
        'no account "Acme Clud" in the list (looked for it as a domain and '
        'as a name); did you mean "Acme Cloud"?'
    )


def test_signal_boosts_are_included() -> None:
    scores = pl.DataFrame(
        {
            "row_id": [1],
            "signal_score": [9.4],
            "why_now": ["Series C round 30 days ago"],
            "signals": [
                [
                    {
                        "kind": "funding",
                        "label": "Series C $40M",
                        "date": "2026-10-02",
                        "age_days": 30,
                        "raw_boost": 15.0,
                        "boost": 9.4,
                    }
                ]
            ],
        }
    )
    explanation = explain_account(
        _frame(), "acme.io", load_profile("b2b_saas"), signal_scores=scores
    )
    assert explanation.signal_score == 9.4
    assert format_explanation(explanation).splitlines()[-2:] == [
        "Signals: +9.4 — Series C round 30 days ago",
        "  funding  Series C $40M  2026-10-02  30 d  15 → 9.4",
    ]


def _scores(signal_score: float | None) -> pl.DataFrame:
    rows = [] if signal_score is None else [{"row_id": 1, "signal_score": signal_score}]
    return pl.DataFrame(rows, schema={"row_id": pl.Int64, "signal_score": pl.Float64})


# (signal scores of the list: None = not scored; the account's score, None = no row), timing,
# the verdict line of Acme (fit 90, confidence 1.00, tier A)
ACME = "fit 90, confidence 1.00, tier A"
PRIORITY_CASES = [
    (False, None, None, ACME),
    (True, None, None, ACME + ", priority A3 (nurture: strong fit, no live signal)"),
    (True, 0.0, None, ACME + ", priority A3 (nurture: strong fit, no live signal)"),
    (True, 9.4, None, ACME + ", priority A2 (call this week)"),
    (True, 10.0, None, ACME + ", priority A1 (call today)"),
    (True, 12.0, False, ACME),  # scored, but not every signal a build would see
    (True, 12.0, True, ACME + ", priority A1 (call today)"),
]


@pytest.mark.parametrize(("scored", "score", "timing", "verdict"), PRIORITY_CASES)
def test_the_priority_cell_is_shown_only_when_the_timing_is_known(
    *, scored: bool, score: float | None, timing: bool | None, verdict: str
) -> None:
    explanation = explain_account(
        _frame(),
        "acme.io",
        load_profile("b2b_saas"),
        signal_scores=_scores(score) if scored else None,
        timing=timing,
    )
    line = format_explanation(explanation).splitlines()[2]
    assert line == f"Profile: B2B SaaS mid-market — {verdict}"
    assert ", priority" not in line or line.endswith(")")  # never an empty priority


def test_no_priority_cell_without_a_fit_tier_or_when_rejected() -> None:
    low = _frame().with_columns(
        pl.lit(None, dtype=COMPANY_SCHEMA["technologies"]).alias("technologies"),
        pl.lit(None, dtype=pl.String).alias("industry"),
    )  # fit 45: below tier C (50)
    for frame, account, verdict in [
        (low, "acme.io", "fit 45, confidence 0.55, tier —"),
        (_frame(), "paris.fr", "rejected (fit would be 0, confidence 0.50)"),
    ]:
        explanation = explain_account(
            frame, account, load_profile("b2b_saas"), signal_scores=_scores(12.0)
        )
        assert explanation.results[0].cell is None
        assert format_explanation(explanation).splitlines()[2].endswith(verdict)
