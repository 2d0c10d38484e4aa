"""Matcher, clustering and merge: table-driven same / not-same pairs with their reasons."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from rapidfuzz import fuzz

from listbuilder.dedupe import DedupeSettings, dedupe_companies, parse_dedupe_settings
from listbuilder.dedupe.cluster import cluster_pairs
from listbuilder.dedupe.output import write_dedupe_outputs
from listbuilder.normalize.names import name_key
from listbuilder.schema import COMPANY_SCHEMA, DERIVED_SCHEMA, LINEAGE_SCHEMA

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def make_frame(rows: list[dict[str, Any]], source: str = "a.csv") -> pl.DataFrame:
    """Rows with lineage and derived columns filled in the way ingest and normalize would."""
    schema = {**LINEAGE_SCHEMA, **COMPANY_SCHEMA, **DERIVED_SCHEMA}
    full = []
    for k, row in enumerate(rows):
        r: dict[str, Any] = dict.fromkeys(schema)
        r.update(row_id=k, source=source, line=k + 2, domain_is_platform=False)
        r.update(row)
        if r["name_key"] is None:
            r["name_key"] = name_key(r["name"])
        full.append(r)
    return pl.DataFrame(full, schema=schema)


def co(name: str | None, domain: str | None = None, **kw: Any) -> dict[str, Any]:
    return {"name": name, "domain": domain, **kw}


MV = {"city": "Mountain View", "country": "US"}
SF = {"city": "San Francisco", "country": "US"}
SEA = {"city": "Seattle", "country": "US"}


def levels_fired(reason: str) -> str:
    """An explanation line without its numbers: ``name exact · domain same``."""
    waterfall = reason.split(" → ")[0]
    return " · ".join(re.sub(r" [+−][0-9.]+$", "", part) for part in waterfall.split(" · "))


# (id, row a, row b, the comparisons that fired when they are one company, or None
# for "not the same company"). Two-row lists are scored on the model's priors.
PAIR_CASES = [
    # ---- what the rule-based matcher got right, kept
    (
        "legal form only",
        co("Aerospike", "aerospike.com", **MV),
        co("Aerospike, Inc.", "aerospike.com", **MV),
        "name exact · domain same · city same · country same",
    ),
    (
        "spacing differs",
        co("Access Closure", "accessclosure.com", **MV),
        co("AccessClosure", "accessclosure.com", **MV),
        "name exact · domain same · city same · country same",
    ),
    (
        "typo on the same domain",
        co("Cynvenio Biosystems", "cynvenio.com", city="Westlake Village"),
        co("Cyvenio Biosystems", "cynvenio.com", city="Westlake Village"),
        "name close · domain same · city same",
    ),
    (
        "acquired company on the acquirer's domain (AdMob on google.com)",
        co("Google", "google.com", founded_year=1998, employees=50000, **MV),
        co("AdMob", "google.com", founded_year=2006, employees=200, **MV),
        None,
    ),
    (
        "acquired company, same city, founding years apart",
        co("Jive Software", "jivesoftware.com", founded_year=2001, city="Palo Alto"),
        co("Filtrbox", "jivesoftware.com", founded_year=2007, city="Palo Alto"),
        None,
    ),
    (
        "acquired company in another city",
        co("Cisco", "cisco.com", founded_year=1984, city="San Jose"),
        co("NeoPath Networks", "cisco.com", founded_year=2002, **MV),
        None,
    ),
    (
        "same domain, different names, nothing else known",
        co("Gust", "gust.com"),
        co("GoodLux Technology", "gust.com"),
        None,
    ),
    (
        "renamed company on the same domain",
        co("EatLime", "telly.com", founded_year=2007, **SF),
        co("Telly", "telly.com", founded_year=2009, **SF),
        "name differs · domain same · city same · country same · founded close",
    ),
    (
        "abbreviation on the same domain (HP / Hewlett Packard)",
        co("HP", "hp.com", employees=58000, city="Palo Alto", country="US"),
        co("Hewlett Packard", "hp.com", employees=60000, city="Palo Alto", country="US"),
        "name differs · domain same · city same · country same · size same",
    ),
    (
        "platform domain, different companies",
        co("Acacia", "angel.co", domain_is_platform=True, city="Nashville"),
        co("AdBuddy", "angel.co", domain_is_platform=True, city="Raleigh"),
        None,
    ),
    (
        "platform domain, same name in different cities",
        co("Troubleshooters", "linkedin.com", domain_is_platform=True, city="Annapolis"),
        co("Troubleshooters", "linkedin.com", domain_is_platform=True, city="Austin"),
        None,
    ),
    (
        "platform domain counts as no domain",
        co("Playdate", "youtube.com", domain_is_platform=True, city="New York", country="US"),
        co("Playdate", None, city="New York", country="US"),
        "name exact · city same · country same",
    ),
    (
        "same name, different cities, different domains (Blue Box / Bluebox)",
        co("Blue Box", "bluebox.com", **SEA),
        co("Bluebox", "blueboxsf.com", **SF),
        None,
    ),
    (
        "same name, same city, no domains",
        co("Blue Box", None, **SEA),
        co("Bluebox", None, **SEA),
        "name exact · city same · country same",
    ),
    (
        "same name, different cities, no domains",
        co("Acme Analytics", None, city="Boston", country="US"),
        co("Acme Analytics", None, city="Denver", country="US"),
        None,
    ),
    (
        "namesakes in different countries",
        co("Nordic Labs", None, country="SE"),
        co("Nordic Labs", None, country="NO"),
        None,
    ),
    (
        "namesakes in different countries, on their own domains",
        co("Nordic Labs", "nordiclabs.se", city="Stockholm", country="SE"),
        co("Nordic Labs", "nordiclabs.no", city="Oslo", country="NO"),
        None,
    ),
    (
        "no domain on one side, same city",
        co("Acme", None, city="Boston", country="US"),
        co("ACME", "acme.com", city="Boston", country="US"),
        "name exact · city same · country same",
    ),
    (
        "similar but distinct names without domains",
        co("Legendary Entertainment", None, city="Burbank"),
        co("Legendary Pictures", None, city="Burbank"),
        None,
    ),
    (
        "misspelt name, same city and founding year, no domain",
        co("Nash Home", None, city="Austin", founded_year=2019),
        co("Nahs Home", "nashhome.com", city="Austin", founded_year=2019),
        "name close · city same · founded same",
    ),
    (
        "misspelt name, same city, nothing else: not enough",
        co("Nash Home", None, city="Austin"),
        co("Nahs Home", "nashhome.com", city="Austin"),
        None,
    ),
    (
        "same name, same city, founding years apart, no domain",
        co("Summit Partners", None, city="Boston", founded_year=1984),
        co("Summit Partners", None, city="Boston", founded_year=2015),
        None,
    ),
    (
        "same name, same city, sizes far apart, no domain",
        co("Summit Partners", None, city="Boston", employees=8),
        co("Summit Partners", None, city="Boston", employees=4000),
        None,
    ),
    (
        "Pocket: same name and city, different domains (getpocket.com / heypocket.com)",
        co("Pocket", "getpocket.com", **SF),
        co("Pocket", "heypocket.com", **SF),
        None,
    ),
    (
        "same brand on another suffix, same name and city",
        co("Sand9", "sand9.com", city="Cambridge", country="US"),
        co("Sand 9", "sand9.net", city="Cambridge", country="US"),
        "name exact · domain same brand · city same · country same",
    ),
    (
        "same brand on another suffix, founded years apart: two companies of one name",
        co("Ridgeline Transport", "ridgeline.es", city="Madrid", country="ES", founded_year=1990),
        co("Ridgeline Transport", "ridgeline.com", city="Madrid", country="ES", founded_year=2012),
        None,
    ),
    (
        "different domains, similar names",
        co("Aurora Algae", "auroraalgae.com", city="Hayward"),
        co("Aurora Biofuels", "aurorabiofuels.com", city="Hayward"),
        None,
    ),
    (
        "a row with only a domain",
        co(None, "lendkey.com", city="New York", country="US"),
        co("LendKey Technologies", "lendkey.com", city="New York", country="US"),
        "domain same · city same · country same",
    ),
    # ---- the kinds of miss users saw on real lists
    (
        "the name is the web address, website empty (Hipmunk.com)",
        co("Hipmunk.com", None, **SF),
        co("Hipmunk", "hipmunk.com", **SF),
        "name exact · domain same · city same · country same",
    ),
    (
        "the name is the web address, in capitals (NIMBULA.COM)",
        co("NIMBULA.COM", None),
        co("Nimbula", "nimbula.com", **MV),
        "name exact · domain same",
    ),
    (
        "the name with its web address after a comma",
        co("Hipmunk, hipmunk.com", None),
        co("Hipmunk", "hipmunk.com", **SF),
        "name exact · domain same",
    ),
    (
        "the same words in another order, same domain, different cities",
        co("Automated Intranet Dynamics", "aidyn.com", city="Boston", country="US"),
        co("Dynamics Intranet Automated", "aidyn.com", city="Chicago", country="US"),
        "name sorted-tokens · domain same · city differs · country same",
    ),
    (
        "a short name with a dropped letter, corroborated (Rinsed / Rined)",
        co("Rinsed", None, city="Austin", country="US", employees=40, industry="Laundry"),
        co("Rined", None, city="Austin", country="US", employees=45, industry="Laundry"),
        "name close · city same · country same · size same · industry same",
    ),
    (
        "a short name with two letters swapped (one edit), corroborated (UBITS / UIBTS)",
        co("UBITS", None, city="Bogota", country="CO", employees=120, industry="E-Learning"),
        co("UIBTS", None, city="Bogota", country="CO", employees=150, industry="E-Learning"),
        "name close · city same · country same · size same · industry same",
    ),
    (
        "a short name with two typos, corroborated (Groundix / roudnix)",
        co(
            "Groundix Inc.",
            None,
            city="Denver",
            country="US",
            employees=30,
            industry="Software",
            founded_year=2015,
        ),
        co(
            "roudnix Inc.",
            None,
            city="Denver",
            country="US",
            employees=32,
            industry="Software",
            founded_year=2015,
        ),
        "name similar · city same · country same · size same · industry same · founded same",
    ),  # fmt: skip
    (
        "a short name with a typo and nothing to corroborate it",
        co("UBITS", None, country="CO"),
        co("UIBTS", None, country="CO"),
        None,
    ),
    (
        "a spaced legal form (N. V.) and a spelled-out one",
        co("Akzo Nobel N. V.", None, city="Amsterdam", country="NL"),
        co("Akzo Nobel Naamloze Vennootschap", None, city="Amsterdam", country="NL"),
        "name exact · city same · country same",
    ),
    (
        "a legal form in front and doubled (N.V. PHILIPS / PHILIPS NV NAAMLOOZE VENNOOTSCHAP)",
        co("N.V. PHILIPS", None, city="Eindhoven", country="NL"),
        co("PHILIPS NV NAAMLOOZE VENNOOTSCHAP", None, city="Eindhoven", country="NL"),
        "name exact · city same · country same",
    ),
    (
        "spelled-out legal forms (Aktiengesellschaft, Société Anonyme, LLC)",
        co("Siemens Aktiengesellschaft", "siemens.com", country="DE"),
        co("Siemens AG", "siemens.com", city="Munich", country="DE"),
        "name exact · domain same · country same",
    ),
    (
        "a misspelt legal form (Icn.)",
        co("Groundwork Icn.", None, city="Denver", country="US"),
        co("Groundwork, Inc.", None, city="Denver", country="US"),
        "name exact · city same · country same",
    ),
    (
        "a location fragment after the name (AKZO NOBEL N.V., ARNHEM)",
        co("AKZO NOBEL N.V., ARNHEM", "akzonobel.com", country="NL"),
        co("Akzo Nobel", "akzonobel.com", city="Amsterdam", country="NL"),
        "name exact · domain same · country same",
    ),
    (
        "location fragments after a spaced legal form (UNILEVER N. V.,NL)",
        co("UNILEVER N. V.,NL", None, city="Rotterdam", country="NL"),
        co("Unilever N.V.", None, city="Rotterdam", country="NL"),
        "name exact · city same · country same",
    ),
    (
        "abbreviations (Tech / Technologies, Intl / International, & / and)",
        co("Acme Tech Intl", "acmetech.com", **SEA),
        co("Acme Technologies International", "acmetech.com", **SEA),
        "name exact · domain same · city same · country same",
    ),
    (
        "an abbreviation without a domain (Sys / Systems, & / and)",
        co("Boulder Sys & Controls", None, city="Boulder", country="US", founded_year=2004),
        co("Boulder Systems and Controls", None, city="Boulder", country="US", founded_year=2004),
        "name exact · city same · country same · founded same",
    ),
]


@pytest.mark.parametrize(
    ("a", "b", "expected"), [c[1:] for c in PAIR_CASES], ids=[c[0] for c in PAIR_CASES]
)
def test_pair(a: dict[str, Any], b: dict[str, Any], expected: str | None) -> None:
    result = dedupe_companies(make_frame([a, b]))
    assert result.companies.height == (1 if expected else 2), result.pairs["reason"].to_list()
    if expected:
        (reason,) = result.pairs["reason"].to_list()
        assert levels_fired(reason) == expected
        assert re.search(r" → p (>0\.9999|0\.99[0-9]+)$", reason), reason


def test_acquired_company_on_its_acquirers_domain_joins_its_own_rows() -> None:
    rows = [
        co("LivePerson", "liveperson.com", city="New York", country="US", founded_year=1995),
        co("LivePerson Inc.", "liveperson.com", city="New York", country="US", founded_year=1995),
        co("NuConomy", "liveperson.com", **SF, founded_year=2007),  # listed after the deal
        co("NuConomy", "nuconomy.com", **SF, founded_year=2007),
    ]
    result = dedupe_companies(make_frame(rows))
    assert result.companies["source_rows"].to_list() == ["a.csv:2; a.csv:3", "a.csv:4; a.csv:5"]
    (nuconomy,) = [r for r in result.pairs["reason"].to_list() if "domain" not in r]
    assert levels_fired(nuconomy) == "name exact · city same · country same · founded same"


def test_a_rename_on_one_domain_still_merges() -> None:
    rows = [
        co("EatLime", "telly.com", founded_year=2007, **SF),
        co("Telly", "telly.com", founded_year=2009, **SF),
        co("Telly", "telly.com", founded_year=2009, **SF),
    ]
    assert dedupe_companies(make_frame(rows)).companies.height == 1


@pytest.mark.parametrize(
    "cities",
    [
        [None] * 70,  # a block too large for its next key, which no row has
        [f"City {k}" for k in range(70)],  # every row alone under the next key
        [None if k % 2 else f"City {k}" for k in range(70)],
    ],
    ids=["no city", "a city each", "half with a city"],
)
def test_a_block_too_large_is_windowed_not_dropped(cities: list[str | None]) -> None:
    rows = [co("Acme Widgets", "acme.com", city=city) for city in cities]
    assert dedupe_companies(make_frame(rows)).companies.height == 1


PA = {"city": "Palo Alto", "country": "US", "industry": "Software"}

# (id, rows, the clusters expected as lists of row positions)
CLUSTER_CASES = [
    (
        "a row without a founding year does not chain an acquirer to what it bought",
        [
            co("Jive Software", "jivesoftware.com", founded_year=2001, **PA),
            co("Filtrbox", "jivesoftware.com", founded_year=2007, **PA),
            co("Filtrbox", "jivesoftware.com", **PA),
        ],
        [[0], [1, 2]],
    ),
    (
        "nor one brand's two companies founded years apart",
        [
            co("Bluebird Group", "bluebird.com", founded_year=2013, employees=40, **PA),
            co("Bluebird Group", "bluebird.com", employees=40, **PA),
            co("Bluebird Robotics", "bluebird.in", founded_year=2025, employees=40, **PA),
        ],
        [[0, 1], [2]],
    ),
    (
        "a domainless row beside one company's two suffixes joins it",
        [
            co("Acme Data", "acmedata.com", city="København", country="DK"),
            co("Acme Data", None, city="København", country="DK"),
            co("Acme Data", "acmedata.io", city="København", country="DK"),
        ],
        [[0, 1, 2]],
    ),
    (
        "a domainless row with a minority spelling does not split a same-domain company",
        [
            co("HP", "hp.com", city="Palo Alto", country="US", employees=58000),
            co("HP", "hp.com", city="Palo Alto", country="US", employees=58000),
            co("Hewlett Packard", "hp.com", city="Palo Alto", country="US", employees=60000),
            co("Hewlett Packard", None, city="Palo Alto", country="US", employees=60000),
        ],
        [[0, 1, 2, 3]],
    ),
    (
        "the words of one name run together are not another name (Soft Micro / Microsoft)",
        [
            co("Soft Micro", None, city="Redmond", country="US"),
            co("Microsoft", "microsoft.com", city="Redmond", country="US"),
        ],
        [[0], [1]],
    ),
    (
        "two banks a word apart are two banks",
        [
            co(
                "First National Bank of Omaha",
                None,
                city="Omaha",
                country="US",
                industry="Banking",
                employees=5000,
            ),
            co(
                "First National Bank of Ohio",
                None,
                city="Omaha",
                country="US",
                industry="Banking",
                employees=5000,
            ),
        ],
        [[0], [1]],
    ),  # fmt: skip
]


@pytest.mark.parametrize(
    ("rows", "clusters"), [c[1:] for c in CLUSTER_CASES], ids=[c[0] for c in CLUSTER_CASES]
)
def test_clusters(rows: list[dict[str, Any]], clusters: list[list[int]]) -> None:
    out = dedupe_companies(make_frame(rows)).companies
    got = [[int(ref.split(":")[1]) - 2 for ref in r.split("; ")] for r in out["source_rows"]]
    assert sorted(sorted(c) for c in got) == clusters


def test_explain_says_why_a_guarded_pair_is_apart() -> None:
    from listbuilder.dedupe.explain import explain_pair

    rows = CLUSTER_CASES[0][1]
    lines = explain_pair(make_frame(rows), "2", "3").lines()
    assert lines[1].endswith(
        "→ kept apart: acquisition guard (same domain, no shared word, founded apart)"
    )
    assert lines[2] == (
        "threshold p 0.99 → not merged (C000001 and C000002): a guard keeps them apart"
    )


def test_domainless_row_matching_two_namesakes_stays_alone() -> None:
    rows = [
        co("Jørgensen Rådgivning", "jorgensen.dk", city="København"),
        co("Jørgensen Rådgivning", "jorgensenradgivning.dk", city="København"),
        co("Jørgensen Rådgivning ApS", None, city="København"),
    ]
    result = dedupe_companies(make_frame(rows))
    assert result.pairs.height == 0
    assert result.companies.height == 3


CHAIN_CASES = [
    # (near_identical, expected component label of rows 0, 1, 2)
    (None, [0, 0, 2]),  # default: never two company domains in one cluster
    (96.0, [0, 0, 2]),  # "acmedata" vs "acmedatas" is 94: not near-identical
    (90.0, [0, 0, 0]),
]


@pytest.mark.parametrize(("near_identical", "labels"), CHAIN_CASES)
def test_chaining_guard(near_identical: float | None, labels: list[int]) -> None:
    m = pl.DataFrame(
        {
            "_i": [0, 1, 2],
            "_dom": ["acmedata.com", None, "acmedatas.com"],
            "_compact": ["acmedata", "acmedata", "acmedatas"],
        },
        schema={"_i": pl.UInt32, "_dom": pl.String, "_compact": pl.String},
    )
    pairs = pl.DataFrame(
        {"i": [0, 1], "j": [1, 2], "reason": ["a", "b"]},
        schema={"i": pl.UInt32, "j": pl.UInt32, "reason": pl.String},
    )
    got, edges = cluster_pairs(pairs, m, near_identical=near_identical)
    assert got.sort("_i")["_comp"].to_list() == labels
    assert edges.height == (2 if labels[2] == 0 else 1)


def test_merge_survivorship_and_lineage() -> None:
    a = make_frame(
        [
            co("Acme", "acme.com", employees=120, technologies=["HubSpot"]),
            co("Other Co", "other.com"),
        ],
        source="vendor.csv",
    )
    b = make_frame(
        [
            co(
                "Acme Inc",
                "acme.com",
                name_key="acme",
                city="Boston",
                employees=150,
                technologies=["Salesforce", "HubSpot"],
                last_funding_date=dt.date(2024, 5, 1),
            )
        ],
        source="crm_dump.csv",
    ).with_columns(row_id=pl.lit(2, dtype=pl.Int64))
    df = pl.concat([a, b])

    plain = dedupe_companies(df)
    # crm_dump row is more complete (city, funding date): it survives and wins conflicts
    acme = plain.companies.filter(pl.col("cluster_id") == "C000001").row(0, named=True)
    assert (acme["name"], acme["employees"], acme["city"]) == ("Acme Inc", 150, "Boston")
    assert acme["technologies"] == ["Salesforce", "HubSpot"]
    assert acme["source_rows"] == "crm_dump.csv:2; vendor.csv:2"
    assert acme["duplicate_count"] == 1
    assert plain.rejects.select("source", "line", "stage", "reason", "detail").rows() == [
        ("vendor.csv", 2, "dedupe", "duplicate of C000001", "crm_dump.csv:2")
    ]

    ranked = dedupe_companies(df, source_priority=["vendor.csv"])
    acme = ranked.companies.filter(pl.col("cluster_id") == "C000001").row(0, named=True)
    # the priority source wins every field it has; the rest is filled from the others
    assert (acme["name"], acme["employees"], acme["city"]) == ("Acme", 120, "Boston")
    assert acme["technologies"] == ["HubSpot", "Salesforce"]
    assert acme["source_rows"] == "vendor.csv:2; crm_dump.csv:2"
    assert ranked.companies.height + ranked.rejects.height == df.height

    clusters = ranked.clusters.select("cluster_id", "role", "source", "line").rows()
    assert clusters == [
        ("C000001", "survivor", "vendor.csv", 2),
        ("C000001", "duplicate", "crm_dump.csv", 2),
    ]
    reasons = ranked.clusters["reason"].to_list()
    assert reasons[0].startswith("crm_dump.csv:2 (name exact +")
    assert reasons[1].startswith("vendor.csv:2 (name exact +")
    assert " · domain same +" in reasons[0]
    assert reasons[0].endswith(" → p >0.9999)")


def test_cluster_ids_are_deterministic() -> None:
    rows = [co(f"Company {k % 7}", f"c{k % 7}.com", city="Boston") for k in range(30)]
    first = dedupe_companies(make_frame(rows))
    second = dedupe_companies(make_frame(rows))
    assert_frame_equal(first.companies, second.companies)
    assert_frame_equal(first.clusters, second.clusters)
    assert first.companies["cluster_id"].to_list() == [f"C{k:06d}" for k in range(1, 8)]
    assert first.companies["duplicate_count"].to_list() == [4, 4] + [3] * 5


def test_output_columns_keep_input_schema() -> None:
    df = make_frame([co("Acme", "acme.com"), co("Acme", "acme.com")])
    out = dedupe_companies(df).companies
    assert out.columns == [*df.columns, "cluster_id", "duplicate_count", "source_rows"]
    assert out.select(df.columns).schema == df.schema


SETTINGS_CASES = [
    ({}, DedupeSettings(), []),
    ({"match_probability": 0.9}, DedupeSettings(match_probability=0.9), []),
    ({"match_probability": 0.5}, DedupeSettings(match_probability=0.5), []),
    ({"estimate": False}, DedupeSettings(estimate=False), []),
    ({"source_priority": ["a.csv"]}, DedupeSettings(source_priority=("a.csv",)), []),
    (
        {"match_probability": 1},
        DedupeSettings(),
        ["dedupe.match_probability: must be between 0.5 and 0.999999 (a match probability), got 1"],
    ),
    (
        {"match_probability": 0.2},
        DedupeSettings(),
        [
            "dedupe.match_probability: must be between 0.5 and 0.999999 "
            "(a match probability), got 0.2"
        ],
    ),
    (
        {"match_probability": "high"},
        DedupeSettings(),
        ["dedupe.match_probability: must be a probability from 0.5 to 0.999999, got 'high'"],
    ),
    (
        {"name_threshold": 85},
        DedupeSettings(),
        [
            "dedupe.name_threshold: replaced by match_probability, the match model's threshold "
            "(a probability from 0.5 to 0.999999, default 0.99)"
        ],
    ),
    ({"window": 0}, DedupeSettings(), ["dedupe.window: must be a whole number >= 1, got 0"]),
    (
        {"merge_renames": "yes"},
        DedupeSettings(),
        ["dedupe.merge_renames: must be true or false, got 'yes'"],
    ),
    (
        {"source_priority": "a.csv"},
        DedupeSettings(),
        ['dedupe.source_priority: must be a list of file names, e.g. ["crm.csv", "vendor.csv"]'],
    ),
]


@pytest.mark.parametrize(("table", "settings", "problems"), SETTINGS_CASES)
def test_parse_settings(
    table: dict[str, Any], settings: DedupeSettings, problems: list[str]
) -> None:
    assert parse_dedupe_settings(table) == (settings, problems)


def test_parse_settings_unknown_key_lists_valid_keys() -> None:
    _, problems = parse_dedupe_settings({"treshold": 1})
    assert len(problems) == 1
    assert problems[0].startswith(
        "dedupe.treshold: unknown key; valid keys are match_probability, "
    )


def test_acquisitions_do_not_merge() -> None:
    path = SHARED / "crunchbase_2015_acquisitions" / "acquisitions.csv"
    if not path.exists():
        pytest.skip("shared data absent")
    acq = (
        pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
        .filter(pl.col("company_name").is_not_null() & pl.col("acquirer_name").is_not_null())
        .head(3000)
        .gather_every(6)
    )
    acq = acq.with_columns(
        dom=pl.col("acquirer_permalink").str.replace("/organization/", "") + ".com",
        country=pl.col("company_country_code").str.slice(0, 2),
    )
    rows = []
    for r in acq.iter_rows(named=True):  # building the test input, not matching
        # worst case: the acquired company listed on the acquirer's domain
        acquired = co(r["company_name"], r["dom"], city=r["company_city"])
        acquirer = co(r["acquirer_name"], r["dom"], city=r["acquirer_city"])
        if fuzz.ratio(acquired["name"].lower(), acquirer["name"].lower()) < 80:
            rows += [acquired, acquirer]
    assert len(rows) > 800
    pairs = dedupe_companies(make_frame(rows)).pairs
    # rows 2k and 2k+1 are one deal. An acquirer repeated over several deals merges with
    # itself (and a company both bought and buying with itself); never with what it bought.
    same_deal = [(i, j) for i, j in zip(pairs["i"], pairs["j"], strict=True) if i // 2 == j // 2]
    assert same_deal == []


def test_written_csv_is_safe_for_excel(tmp_path: Path) -> None:
    df = make_frame([co("=1+2", "a.com", technologies=["@x", "y"]), co("-Acme", "b.com")])
    paths = write_dedupe_outputs(tmp_path, dedupe_companies(df))
    out = pl.read_csv(paths["companies"], infer_schema=False)
    assert out["name"].to_list() == ["'=1+2", "'-Acme"]
    assert out["technologies"].to_list() == ["'@x; y", None]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "clusters.csv",
        "companies.csv",
        "rejects.csv",
    ]


def test_employee_count_and_band_come_from_the_same_member() -> None:
    """Survivorship never pairs one member's exact count with another member's band."""
    from listbuilder.dedupe.merge import dedupe_companies as dedupe

    rows = pl.DataFrame(
        {
            "row_id": [0, 1],
            "source": ["a.csv", "b.csv"],
            "line": [2, 2],
            "name": ["Acme", "Acme"],
            "name_key": ["acme", "acme"],
            "website": ["acme.com", "acme.com"],
            "domain": ["acme.com", "acme.com"],
            "domain_is_platform": [False, False],
            "country": ["US", "US"],
            "city": ["Austin", "Austin"],
            "employees": [400, 3000],
            "employees_min": [None, 1001],
            "employees_max": [None, 5000],
        },
        schema_overrides={
            "employees": pl.Int64,
            "employees_min": pl.Int64,
            "employees_max": pl.Int64,
        },
    )
    merged = dedupe(rows, source_priority=["a.csv"]).companies
    assert merged.height == 1
    # a.csv ranks first and has an exact count: its count wins, with no band from b.csv
    assert merged.select("employees", "employees_min", "employees_max").row(0) == (400, None, None)


# (employees a, employees b, size_ratio, level): 0 same (ratio <= 1.5), 1 close
# (<= size_ratio), 2 differs (<= 10, or size_ratio if larger), 3 far, -1 unknown.
SIZE_LEVELS = [
    (100, 100, 3.0, 0),
    (100, 150, 3.0, 0),
    (100, 151, 3.0, 1),
    (300, 100, 3.0, 1),
    (100, 301, 3.0, 2),
    (100, 1000, 3.0, 2),
    (100, 1001, 3.0, 3),
    (0, 1, 3.0, 0),  # counts under one are read as one
    (100, 1500, 20.0, 1),
    (100, 2001, 20.0, 3),
    (None, 100, 3.0, -1),
    (100, None, 3.0, -1),
]


@pytest.mark.parametrize(("a", "b", "size_ratio", "level"), SIZE_LEVELS)
def test_size_level(a: int | None, b: int | None, size_ratio: float, level: int) -> None:
    from listbuilder.dedupe.model import _size_level

    frame = pl.DataFrame(
        {"_emp_a": [a], "_emp_b": [b]}, schema={"_emp_a": pl.Int64, "_emp_b": pl.Int64}
    )
    assert frame.select(_size_level(size_ratio)).item() == level


# (founded a, founded b, tolerance, level): 0 same year, 1 within tolerance, 2 beyond.
FOUNDED_LEVELS = [
    (2000, 2000, 2, 0),
    (2000, 2002, 2, 1),
    (2002, 2000, 2, 1),
    (2000, 2003, 2, 2),
    (2000, 2003, 0, 2),
    (2000, 2001, 0, 2),
    (None, 2000, 2, -1),
]


@pytest.mark.parametrize(("a", "b", "tolerance", "level"), FOUNDED_LEVELS)
def test_founded_level(a: int | None, b: int | None, tolerance: int, level: int) -> None:
    from listbuilder.dedupe.model import _founded_level

    schema = {"_founded_a": pl.Int64, "_founded_b": pl.Int64}
    frame = pl.DataFrame({"_founded_a": [a], "_founded_b": [b]}, schema=schema)
    assert frame.select(_founded_level(tolerance)).item() == level


def test_discount_matches_takes_the_matches_share_out_of_u() -> None:
    """u from random pairs counts the list's duplicates: u - lam*m, floored at 5% of u,
    renormalised."""
    import numpy as np

    from listbuilder.dedupe.model import COMPARISONS, _discount_matches

    u = {c.name: np.array([0.5, 0.5] + [0.0] * (len(c.levels) - 2)) for c in COMPARISONS}
    m = {c.name: np.array([0.9, 0.1] + [0.0] * (len(c.levels) - 2)) for c in COMPARISONS}
    m["city"] = np.array([1.0, 0.0])  # u - lam*m under 5% of u: the floor holds
    _discount_matches(u, m, 0.5)
    assert u["name"][:2].tolist() == pytest.approx([0.05 / 0.5, 0.45 / 0.5])
    assert u["city"].tolist() == pytest.approx([0.025 / 0.525, 0.5 / 0.525])


# (rows: domain, name; pairs in order; near_identical; cannot-link pairs;
#  which unions happen; the root of every row after them)
UNION_CASES = [
    pytest.param(
        [("a.com", "acme"), (None, "acme"), ("b.com", "acmelabs")],
        [(0, 1), (1, 2)],
        96.0,
        [],
        [True, False],
        [0, 0, 2],
        id="a domainless row does not chain two domains",
    ),
    pytest.param(
        [("acme.com", "acme"), ("acme.co.uk", "acmeuk")],
        [(0, 1)],
        96.0,
        [],
        [True],
        [0, 0],
        id="the same brand on another suffix",
    ),
    pytest.param(
        [("a.com", "acmeinc"), ("b.com", "acmeinc")],
        [(0, 1)],
        96.0,
        [],
        [True],
        [0, 0],
        id="near-identical names on two domains",
    ),
    pytest.param(
        [("a.com", "acmeinc"), ("b.com", "acmeinc")],
        [(0, 1)],
        None,
        [],
        [False],
        [0, 1],
        id="never two domains without near_identical",
    ),
    pytest.param(
        [(None, "x"), (None, "x"), (None, "x")],
        [(2, 1), (1, 0)],
        96.0,
        [(0, 2)],
        [True, False],
        [0, 1, 1],
        id="a cannot-link pair is kept apart through a third row",
    ),
    pytest.param(
        [(None, "x"), (None, "x"), (None, "x")],
        [(2, 1), (1, 0), (0, 2)],
        96.0,
        [],
        [True, True, False],
        [0, 0, 0],
        id="the smaller root stays the root; a pair within a component is no union",
    ),
]


@pytest.mark.parametrize(("rows", "pairs", "near", "apart", "joined", "roots"), UNION_CASES)
def test_guarded_union(
    rows: list[tuple[str | None, str]],
    pairs: list[tuple[int, int]],
    near: float | None,
    apart: list[tuple[int, int]],
    joined: list[bool],
    roots: list[int],
) -> None:
    from listbuilder.dedupe.cluster import _GuardedUnion

    union = _GuardedUnion(
        {k: dom for k, (dom, _) in enumerate(rows)},
        {k: name for k, (_, name) in enumerate(rows)},
        near,
        apart,
    )
    assert [union.join(i, j) for i, j in pairs] == joined
    assert [union.find(k) for k in range(len(rows))] == roots


def test_every_dedupe_setting_has_a_check() -> None:
    """A key of DedupeSettings without a check would be accepted unread."""
    from dataclasses import fields

    from listbuilder.dedupe.settings import _CHECKS

    assert set(_CHECKS) == {f.name for f in fields(DedupeSettings)}
