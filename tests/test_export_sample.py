"""A small scored frame as the pipeline hands it to rank and export, shared by the export,
brief and report tests (`from test_export_sample import ...`)."""

from __future__ import annotations

from datetime import date

import polars as pl

AS_OF = date(2026, 11, 22)

BREAKDOWN = pl.List(
    pl.Struct(
        {
            "criterion": pl.String,
            "points": pl.Float64,
            "weight": pl.Float64,
            "status": pl.String,
            "value": pl.String,
        }
    )
)
SIGNALS = pl.List(
    pl.Struct(
        {
            "kind": pl.String,
            "label": pl.String,
            "date": pl.Date,
            "age_days": pl.Int64,
            "raw_boost": pl.Float64,
            "boost": pl.Float64,
        }
    )
)

PROFILES_INFO = [
    {
        "name": "B2B SaaS mid-market",
        "personas": [
            {"title": "VP Sales", "why": "owns pipeline targets"},
            {"title": "Head of RevOps", "why": "owns the CRM and the tooling budget"},
        ],
        "talking_points": {
            "Uses Salesforce or HubSpot": "We plug into your CRM in a day.",
            "funding": "Fresh capital usually means new headcount targets.",
            "Never matched": "unused",
        },
    }
]

FUNNEL = {
    "read": 10,
    "stages": [
        {"stage": "ingest", "label": "usable rows", "in": 10, "out": 9, "dropped": 1,
         "reasons": {"no usable name or domain": 1}},
        {"stage": "dedupe", "label": "unique companies", "in": 9, "out": 7, "dropped": 2,
         "reasons": {"duplicate of C000001": 2}},
        {"stage": "suppress", "label": "not in CRM", "in": 7, "out": 6, "dropped": 1,
         "reasons": {"suppressed: customer": 1}},
        {"stage": "filter", "label": "pass hard filters", "in": 6, "out": 5, "dropped": 1,
         "reasons": {"failed: country": 1}},
        {"stage": "rank", "label": "selected", "in": 5, "out": 4, "dropped": 1,
         "reasons": {"below cut": 1}},
    ],
    "selected": 4,
    "as_of": "2026-11-22",
    "profiles": ["B2B SaaS mid-market"],
    "unknowns": {"employees": 2},
}  # fmt: skip


def _bd(*rows: tuple[str, float, float, str, str | None]) -> list[dict]:
    keys = ("criterion", "points", "weight", "status", "value")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def scored_frame() -> pl.DataFrame:
    """Four selected-looking accounts with every column the stages add."""
    n = 4
    data = {
        "row_id": [1, 2, 3, 4],
        "source": ["vendor.csv"] * n,
        "line": [2, 3, 4, 5],
        "unparsed": [None] * n,
        "name": ["Acme Analytics", "=HYPERLINK(\"http://x\")", "Globex", "Initech & Co"],
        "website": ["https://www.acme.io/about", "evil.example", "globex.com", None],
        "employees": [450, 1200, None, 90],
        "revenue": [12_500_000.0, 80_000_000.0, None, 2_000_000.0],
        "industry": ["Software", "SaaS", "Manufacturing", "-Consulting"],
        "sic": [None] * n,
        "naics": [None] * n,
        "country": ["US", "GB", "DE", "US"],
        "state": ["TX", None, None, "CA"],
        "city": ["Austin", "London", "Berlin", "San Jose"],
        "postal_code": [None] * n,
        "founded_year": [2012, None, None, 1999],
        "funding_stage": ["Series B", "Series C", None, "Seed"],
        "total_funding": [40_000_000.0, None, None, None],
        "last_funding_date": [date(2026, 10, 1), None, None, None],
        "technologies": [["Salesforce", "Snowflake"], ["HubSpot"], [], None],
        "departments": [["RevOps", "Sales"], None, None, None],
        "linkedin_url": ["https://linkedin.com/company/acme", None, None, None],
        "description": ["Product analytics for B2B teams", None, None, None],
        "parent_company": [None, None, None, None],
        "phone": ["+1 512 555 0100", None, None, None],
        "domain": ["acme.io", "evil.example", "globex.com", None],
        "domain_is_platform": [False, False, False, None],
        "name_key": ["acme analytics", "hyperlink", "globex", "initech"],
        "cluster_id": ["C000001", "C000002", "C000003", "C000004"],
        "duplicate_count": [3, 1, 1, 1],
        "source_rows": [["vendor.csv:2", "vendor.csv:9", "other.csv:4"], ["vendor.csv:3"],
                        ["vendor.csv:4"], ["vendor.csv:5"]],
        "fit_score": [85.0, 70.0, 40.0, 20.0],
        "fit_tier": ["A", "B", "C", None],
        "profile": ["B2B SaaS mid-market"] * n,
        "why": ["Mid-market size; uses Salesforce", "Uses HubSpot", "Nothing much", None],
        "fit_unknown": [[], [], ["Mid-market size"], []],
        "breakdown": [
            _bd(("Mid-market size", 30, 30, "match", "450"),
                ("Uses Salesforce or HubSpot", 25, 25, "match", "Salesforce"),
                ("Series B or later", 15, 15, "match", "Series B")),
            _bd(("Mid-market size", 30, 30, "match", "1200"),
                ("Uses Salesforce or HubSpot", 25, 25, "match", "HubSpot"),
                ("Series B or later", 15, 15, "match", "Series C")),
            _bd(("Mid-market size", 0, 30, "unknown", None),
                ("Uses Salesforce or HubSpot", 0, 25, "miss", None),
                ("Series B or later", 0, 15, "unknown", None)),
            _bd(("Mid-market size", 0, 30, "miss", "90"),
                ("Uses Salesforce or HubSpot", 0, 25, "miss", None),
                ("Series B or later", 0, 15, "miss", "Seed")),
        ],
        "signal_score": [12.5, 0.0, 4.0, 0.0],
        "why_now": ["Raised Series B 52 days ago", None, "Hiring 3 SDRs", None],
        "signals": [
            [{"kind": "funding", "label": "Raised Series B ($40M)", "date": date(2026, 10, 1),
              "age_days": 52, "raw_boost": 15.0, "boost": 12.5}],
            [],
            [{"kind": "job_posting", "label": "Hiring 3 SDRs", "date": date(2026, 11, 1),
              "age_days": 21, "raw_boost": 5.0, "boost": 4.0}],
            [],
        ],
        "last_signal_date": [date(2026, 10, 1), None, date(2026, 11, 1), None],
        "score": [97.5, 70.0, 44.0, 20.0],
        "tier": ["A", "B", "C", None],
        "Vendor Notes": ["key account", "+44 20 7946 0000", None, "@import"],
    }  # fmt: skip
    schema = {
        "technologies": pl.List(pl.String),
        "departments": pl.List(pl.String),
        "source_rows": pl.List(pl.String),
        "fit_unknown": pl.List(pl.String),
        "breakdown": BREAKDOWN,
        "signals": SIGNALS,
        "sic": pl.String, "naics": pl.String, "postal_code": pl.String,
        "parent_company": pl.String, "unparsed": pl.String,
    }  # fmt: skip
    return pl.DataFrame(data, schema_overrides=schema)


def test_sample_frame_has_the_stage_columns() -> None:
    df = scored_frame()
    assert df.height == 4
    assert df.schema["breakdown"] == BREAKDOWN
    assert df.schema["signals"] == SIGNALS
