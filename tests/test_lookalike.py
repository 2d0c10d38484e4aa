"""Lookalike similarity, nearest seeds, the why line, seeds matching and the seed profile."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from listbuilder.errors import InputError
from listbuilder.lookalike import describe_seeds, read_seeds, score_lookalikes
from listbuilder.lookalike.features import encode
from listbuilder.lookalike.similarity import nearest_seeds
from listbuilder.normalize import normalize_companies
from listbuilder.profile import load_profile
from listbuilder.schema import COMPANY_SCHEMA

COLUMNS = {k: v for k, v in COMPANY_SCHEMA.items()}


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    full = [{c: r.get(c) for c in COLUMNS} for r in rows]
    return (
        pl.DataFrame(full, schema=COLUMNS)
        .with_row_index("row_id")
        .with_columns(pl.col("row_id").cast(pl.Int64))
    )


def similarity(
    account: dict[str, Any], seed: dict[str, Any], *, others: tuple[Any, ...] = (), **kw: Any
) -> float:
    """The similarity (0-1) of one account to one seed, in a list of that account (and
    `others`): a field no account of the list has is not used."""
    f = encode(frame([account, *others]), frame([seed]), **kw)
    return float((f.account_matrix() @ f.seed_matrix())[0, 0])


SOFTWARE = list(load_profile("b2b_saas").groups.values())

# (account, seed, expected similarity, extra encode arguments): one line per case
CASES: list[tuple[dict[str, Any], dict[str, Any], float, dict[str, Any]]] = [
    ({"employees": 400}, {"employees": 300}, 1.0, {}),  # same 201–500 band
    ({"employees": 600}, {"employees": 300}, 0.5, {}),  # the next band
    ({"employees": 5000}, {"employees": 300}, 0.0, {}),  # bands apart
    ({"revenue": 2e7}, {"revenue": 4.9e7}, 1.0, {}),  # $10M–$50M
    ({"industry": "saas"}, {"industry": "SaaS"}, 1.0, {}),  # case-insensitive
    ({"industry": "Retail"}, {"industry": "SaaS"}, 0.0, {}),
    ({"industry": "Computer Software"}, {"industry": "SaaS"}, 0.4, {"groups": SOFTWARE}),
    ({"industry": "Computer Software"}, {"industry": "SaaS"}, 0.0, {}),  # no hierarchy
    (  # without a profile the NAICS sector is the parent
        {"industry": "Computer Software", "naics": "511210"},
        {"industry": "SaaS", "naics": "511210"},
        0.4,
        {},
    ),
    ({"country": "DE"}, {"country": "DE"}, 1.0, {}),
    ({"country": "AT"}, {"country": "DE"}, 0.4, {}),  # same region: Europe
    ({"country": "US"}, {"country": "DE"}, 0.0, {}),
    ({"funding_stage": "Series C"}, {"funding_stage": "Series B"}, 0.5, {}),
    ({"founded_year": 2012}, {"founded_year": 2014}, 1.0, {}),  # 2010–2014
    ({"founded_year": 2015}, {"founded_year": 2014}, 0.5, {}),
    # the seed's known weight is the denominator: size 20 of (20 + country 10)
    (
        {"employees": 300},
        {"employees": 300, "country": "US"},
        20 / 30,
        {"others": ({"country": "JP"},)},
    ),  # fmt: skip
    # ... over the fields the list has: no account has a country
    ({"employees": 300}, {"employees": 300, "country": "US"}, 1.0, {}),
    # an account field the seed does not know changes nothing
    ({"employees": 300, "country": "US"}, {"employees": 300}, 1.0, {}),
    ({"technologies": ["HubSpot"]}, {"technologies": ["hubspot"]}, 1.0, {}),
    (  # cosine: one of the account's two items (one account: every IDF equal)
        {"technologies": ["HubSpot", "Segment"]},
        {"technologies": ["HubSpot"]},
        1 / math.sqrt(2),
        {},
    ),
    ({"departments": ["Rev Ops"]}, {"departments": ["Rev Ops"]}, 1.0, {}),
    (  # weights are relative: size 20 + funding 10, the funding missed
        {"employees": 300, "funding_stage": "Seed"},
        {"employees": 300, "funding_stage": "Series C"},
        20 / 30,
        {},
    ),
    (  # an item of the seed the list never has still counts in the seed's length
        {"technologies": ["HubSpot"]},
        {"technologies": ["HubSpot", "Zoom"]},
        1 / math.hypot(1.0, math.log(2) + 1),
        {},
    ),
]


@pytest.mark.parametrize(("account", "seed", "expected", "kw"), CASES)
def test_similarity(
    account: dict[str, Any], seed: dict[str, Any], expected: float, kw: dict[str, Any]
) -> None:
    assert similarity(account, seed, **kw) == pytest.approx(expected, abs=1e-6)


def test_rare_technologies_weigh_more_than_ubiquitous_ones() -> None:
    # Salesforce is in every account, Segment in one: sharing Segment is worth more
    accounts = frame(
        [{"technologies": ["Salesforce"]}, {"technologies": ["Salesforce", "Segment"]}]
        + [{"technologies": ["Salesforce", "Zoom"]}] * 3
    )
    seeds = frame([{"technologies": ["Salesforce", "Segment"]}])
    f = encode(accounts, seeds)
    sims = (f.account_matrix() @ f.seed_matrix())[:, 0]
    n = accounts.height
    idf_common, idf_rare = math.log((1 + n) / (1 + n)) + 1, math.log((1 + n) / 2) + 1
    norm = math.hypot(idf_common, idf_rare)
    assert sims[0] == pytest.approx(idf_common / norm, abs=1e-6)  # Salesforce alone
    assert sims[1] == pytest.approx(1.0, abs=1e-6)
    only_rare = encode(
        frame([{"technologies": ["Segment"]}, *[{"technologies": ["Salesforce"]}] * 4]), seeds
    )
    assert (only_rare.account_matrix() @ only_rare.seed_matrix())[0, 0] > sims[0]


def test_description_tf_idf_from_the_list_itself() -> None:
    accounts = frame(
        [
            {"description": "Payroll and scheduling software for restaurants"},
            {"description": "Payroll software for dentists"},
            {"description": "Freight forwarding and customs brokerage"},
            {"description": "Freight brokerage for shippers"},
            {"description": "Shift scheduling for clinics"},
        ]
    )
    seeds = frame([{"description": "Scheduling and payroll for restaurant chains"}])
    f = encode(accounts, seeds, text=True)
    assert "description" in f.names
    sims = (f.account_matrix() @ f.seed_matrix())[:, 0]
    # a term one account uses ("restaurants", "chains") is no evidence
    assert sims[0] > sims[1] > 0 and sims[2] == sims[3] == 0
    assert "description" not in encode(accounts, seeds).names  # off by default


def test_nearest_seeds_ties_go_to_the_first_seed_and_never_to_itself() -> None:
    accounts = frame([{"employees": 300}, {"employees": 300}, {"employees": 40}])
    seeds = frame([{"employees": 300}, {"employees": 250}, {"employees": 45}])
    f = encode(accounts, seeds)
    usable = np.array([True, True, True])
    near = nearest_seeds(f, k=2, usable=usable, self_seed=np.array([-1, 0, -1]))
    assert near.index.tolist() == [[0, 1], [1, 2], [2, 0]]
    assert near.similarity[1].tolist() == [1.0, 0.0]  # row 1 is seed 0: not its own neighbour
    assert near.score.tolist() == [100.0, 50.0, 50.0]
    banned = nearest_seeds(f, k=1, usable=np.array([False, True, True]))
    assert banned.index[:, 0].tolist() == [1, 1, 2]


LIST_CSV = """\
Company Name,Website,Employees,Primary Industry,Company Country,Technologies,Recent Funding Round
Acme Inc,acme.com,300,SaaS,United States,HubSpot; Segment,Series B
Globex Corp,globex.io,350,SaaS,United States,HubSpot; Segment; Zoom,Series B
Initech,initech.com,250,SaaS,Canada,HubSpot; Segment; Zoom,Series B
Umbrella Health,umbrella.com,4000,Hospital & Health Care,Germany,Workday,
Hooli,hooli.xyz,1200,Internet,United States,Salesforce; Zoom,Series D
Vandelay Imports,vandelay.com,20,Wholesale,United States,QuickBooks,
"""

# a CRM export: other headers, no firmographics of its own
SEEDS_CSV = """Account Name,Website
ACME,https://www.acme.com/
Globex Corporation,
Nobody Ltd,nobody.example.org
"""


@pytest.fixture
def small(tmp_path: Path) -> tuple[pl.DataFrame, Path]:
    (tmp_path / "list.csv").write_text(LIST_CSV, encoding="utf-8")
    (tmp_path / "seeds.csv").write_text(SEEDS_CSV, encoding="utf-8")
    from listbuilder.ingest import read_companies

    listed, _ = normalize_companies(read_companies(tmp_path / "list.csv").companies)
    return listed, tmp_path / "seeds.csv"


def test_seeds_are_found_in_the_list_by_the_match_model(small: tuple[pl.DataFrame, Path]) -> None:
    listed, path = small
    seeds = read_seeds(path, listed)
    got = seeds.frame.select("seed_line", "seed_name", "found_by", "list_row", "usable", "reason")
    assert got.rows() == [
        (2, "ACME", "domain", 0, True, None),
        (3, "Globex Corporation", got["found_by"][1], 1, True, None),
        (
            4,
            "Nobody Ltd",
            None,
            None,
            False,
            "no firmographics: not found in the list, and no size, industry, country, "
            "technologies... of its own",
        ),
    ]
    assert got["found_by"][1].startswith("name p=")
    # a found seed takes the list's firmographics
    assert seeds.frame["employees"].to_list()[:2] == [300, 350]


def test_scores_and_why_name_real_fields_and_seeds(small: tuple[pl.DataFrame, Path]) -> None:
    listed, path = small
    result = score_lookalikes(listed, read_seeds(path, listed))
    got = result.scores.select("lookalike_score", "is_seed", "nearest_seeds", "lookalike_why")
    rows = dict(zip(listed["name"].to_list(), got.rows(), strict=True))
    initech = rows["Initech"]
    assert initech[1] is False
    assert initech[2] == "Globex Corporation; ACME"
    assert initech[3] == (
        "like Globex Corporation and ACME: same 201–500 band, SaaS, HubSpot + Segment + Zoom, "
        "Series B"
    )
    assert rows["Acme Inc"][1] is True and rows["Acme Inc"][2] == "Globex Corporation"
    assert rows["Initech"][0] > rows["Hooli"][0] > rows["Umbrella Health"][0]
    assert all(0 <= r[0] <= 100 for r in rows.values())


def test_bad_seeds_files_say_why_in_one_line(
    tmp_path: Path, small: tuple[pl.DataFrame, Path]
) -> None:
    listed, _ = small
    empty = tmp_path / "empty.csv"
    empty.write_text("Account Name,Website\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_seeds(empty, listed)
    assert str(exc.value) == (
        f"{empty}: no usable seeds: the file has a header but no rows; give your best "
        "customers with at least a name or a website column"
    )
    strangers = tmp_path / "strangers.csv"
    strangers.write_text("Account Name,Website\nNobody,nobody.example.org\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        score_lookalikes(listed, read_seeds(strangers, listed))
    assert str(exc.value) == (
        f"{strangers}: the seeds share no similarity field with the list (seeds have: none; "
        "the list has: size, industry, technologies, geo, funding); give seeds with the "
        "list's columns, or seeds that appear in the list so they take its values"
    )


def test_describe_seeds_shares_against_base_rates_and_drafts_a_profile(
    tmp_path: Path, small: tuple[pl.DataFrame, Path]
) -> None:
    listed, path = small
    seeds = read_seeds(path, listed).usable
    described = describe_seeds(listed, seeds, source="seeds.csv")
    industry = [s for s in described.shares if s.field == "industry"]
    assert [(s.value, s.seeds, s.seeds_known, s.listed, s.listed_known) for s in industry] == [
        ("SaaS", 2, 2, 3, 6)
    ]
    assert industry[0].evidence() == "2 of 2 seeds (100%) vs 50% of the list (×2.0)"
    assert described.lines()[0] == "What the 2 seeds share, against the 6 accounts:"
    draft = tmp_path / "draft.toml"
    draft.write_text(described.to_toml(), encoding="utf-8")
    profile = load_profile(draft)
    assert profile.name == "Lookalike of seeds.csv"
    assert sum(c.weight for c in profile.criteria) == 100
    names = [c.name for c in profile.criteria]
    assert "Seed industries" in names and "Seed technologies" in names


# --- the pieces --------------------------------------------------------------------------


def names_frame(rows: list[tuple[str, str | None]]) -> pl.DataFrame:
    raw = frame([{"name": n, "website": w} for n, w in rows])
    raw = raw.with_columns(source=pl.lit("list.csv"), line=pl.col("row_id") + 2)
    return normalize_companies(raw)[0]


def test_preblock_keeps_list_rows_sharing_a_blocking_key_with_a_seed() -> None:
    from listbuilder.lookalike.seeds import _preblock

    seeds = names_frame([("Acme Corp", "acme.com"), ("Globex", None)])
    listed = names_frame(
        [
            ("Initech", "initech.com"),  # nothing in common
            ("ACME Inc", None),  # same name key
            ("Acme Holdings", "acme.com"),  # same domain
            ("Globexx", None),  # same first four letters
            ("Umbrella", "acme.co.uk"),  # same brand label
            ("Hooli", None),
        ]
    )
    assert _preblock(seeds, listed).to_list() == [1, 2, 3, 4]


# (shares: (seeds with the value, seeds knowing the field)) -> values kept
COVERING = [
    ([(5, 10), (2, 10), (1, 10)], ["a", "b"]),  # 5 + 2 covers 70%
    ([(8, 10), (1, 10)], ["a"]),
    ([(3, 10), (2, 10), (1, 10)], []),  # all of them cover 60%: no rule
    ([], []),
]


@pytest.mark.parametrize(("counts", "kept"), COVERING)
def test_covering(counts: list[tuple[int, int]], kept: list[str]) -> None:
    from listbuilder.lookalike.describe import Share, _covering

    shares = [Share("industry", "abc"[i], n, k, 1, 100) for i, (n, k) in enumerate(counts)]
    assert [s.value for s in _covering(shares)] == kept


# (value, what the check returns, the problem it records or None)
WEIGHTS = [(20, 20, None), (0.5, 0.5, None), (100, 100, None), (0, 20.0, "weight = 0"),
           (101, 20.0, "weight = 101"), (True, 20.0, "weight = true"),
           ("5", 20.0, 'weight = "5"')]  # fmt: skip
NEIGHBOURS = [(1, 1, None), (50, 50, None), (0, 3, "neighbours = 0"),
              (51, 3, "neighbours = 51"), (2.0, 3, "neighbours = 2"),
              (False, 3, "neighbours = false")]  # fmt: skip


@pytest.mark.parametrize(("value", "expected", "problem"), WEIGHTS)
def test_check_weight(value: Any, expected: float, problem: str | None) -> None:
    from listbuilder.lookalike.settings import _check_weight

    problems: list[tuple[str | None, str]] = []
    assert _check_weight(value, problems) == expected
    assert [(k, p.split(":")[0]) for k, p in problems] == ([("weight", problem)] if problem else [])


@pytest.mark.parametrize(("value", "expected", "problem"), NEIGHBOURS)
def test_check_neighbours(value: Any, expected: int, problem: str | None) -> None:
    from listbuilder.lookalike.settings import _check_neighbours

    problems: list[tuple[str | None, str]] = []
    assert _check_neighbours(value, problems) == expected
    got = [(k, p.split(":")[0]) for k, p in problems]
    assert got == ([("neighbours", problem)] if problem else [])


def test_nearest_names_in_order_without_the_missing() -> None:
    from listbuilder.lookalike.explain import _nearest_names

    nearest = np.array([[2, 0, 1], [1, -1, -1], [-1, -1, -1]])
    got = _nearest_names(nearest, ["Acme", "Globex", "Initech"], named=2)
    assert got.rows() == [
        (0, "Initech; Acme; Globex", ["Initech", "Acme"]),
        (1, "Globex", ["Globex"]),
    ]
