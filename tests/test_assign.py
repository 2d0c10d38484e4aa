"""assign_reps and read_reps: territories, balance, capacity, owned accounts, bad files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from listbuilder.errors import ConfigError
from listbuilder.rank import Rep, assign_reps, read_reps
from listbuilder.rank.assign import _parse_bands, _parse_countries

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "reps_example.csv"


def accounts(*rows: dict) -> pl.DataFrame:
    base = {"name": "X", "domain": None, "country": "US", "state": None, "industry": "Software",
            "employees": 500, "tier": "A", "score": 80.0}  # fmt: skip
    recs = [{**base, "rank": i + 1, "name": f"Co{i + 1}", **r} for i, r in enumerate(rows)]
    return pl.DataFrame(recs, schema_overrides={"state": pl.String, "domain": pl.String})


def test_example_reps_file_reads() -> None:
    reps = read_reps(FIXTURE)
    assert [r.name for r in reps][:2] == ["ana@example.com", "ben@example.com"]
    dieter = reps[3]
    assert {"DE", "AT", "CH", "NL", "SE"} <= dieter.countries
    assert dieter.size_bands == ((200, 5000),)
    assert reps[0].owned_domains == frozenset({"acme.io", "globex.com"})


def test_balance_spreads_every_tier() -> None:
    df = accounts(*([{"tier": "A", "score": 90.0}] * 6 + [{"tier": "B", "score": 70.0}] * 6))
    result = assign_reps(df, [Rep("ana"), Rep("ben"), Rep("cy")])
    mix = Counter(zip(result.selected["owner"], result.selected["tier"], strict=True))
    assert mix == {(r, t): 2 for r in ("ana", "ben", "cy") for t in ("A", "B")}
    assert result.unassigned.height == 0
    assert result.summary["accounts"].to_list() == [4, 4, 4]


def test_balance_follows_capacity_share() -> None:
    df = accounts(*[{"tier": "A"}] * 9)
    result = assign_reps(df, [Rep("big", capacity=20), Rep("small", capacity=10)])
    assert Counter(result.selected["owner"]) == {"big": 6, "small": 3}


TERRITORY = [
    # account fields, expected owner, or the unassigned reason
    ({"country": "US", "state": "CA"}, "west", None),
    ({"country": "US", "state": "NY"}, "east", None),
    ({"country": "US", "state": "TX"}, None, "no rep covers state TX in US"),
    ({"country": "DE"}, "dach", None),
    ({"country": "DE", "employees": 50}, None, "no rep covers size 50 employees"),
    ({"country": "DE", "employees": None}, None, "no rep covers size unknown"),
    ({"country": "GB", "industry": "saas"}, "uki", None),
    ({"country": "GB", "industry": "Retail"}, None, "no rep covers industry Retail"),
    ({"country": "JP"}, None, "no rep covers country JP"),
]
TEAM = [
    Rep("west", countries=frozenset({"US"}), states=frozenset({"CA", "WA"})),
    Rep("east", countries=frozenset({"US"}), states=frozenset({"NY"})),
    Rep("dach", countries=frozenset({"DE", "AT", "CH"}), size_bands=((200, 2000), (5000, None))),
    Rep("uki", countries=frozenset({"GB", "IE"}), industries=frozenset({"software", "saas"})),
]


@pytest.mark.parametrize(("fields", "owner", "reason"), TERRITORY)
def test_territories(fields: dict, owner: str | None, reason: str | None) -> None:
    result = assign_reps(accounts(fields), TEAM)
    assert result.selected["owner"].to_list() == [owner]
    assert result.unassigned["reason"].to_list() == ([reason] if reason else [])


def test_capacity_then_unassigned() -> None:
    df = accounts({}, {}, {})
    result = assign_reps(df, [Rep("ana", capacity=1), Rep("ben", capacity=1)])
    assert result.selected["owner"].to_list() == ["ana", "ben", None]
    row = result.unassigned.to_dicts()[0]
    assert row["rank"] == 3
    assert row["reason"] == "all eligible reps at capacity"
    assert row["detail"] == "ana (1/1), ben (1/1)"


def test_owned_accounts_stay_with_owner_outside_territory_and_capacity() -> None:
    df = accounts({"domain": "acme.io", "country": "JP"}, {"domain": "other.com"}, {})
    reps = [Rep("ana", capacity=1, countries=frozenset({"US"}),
                owned_domains=frozenset({"acme.io"})), Rep("ben")]  # fmt: skip
    result = assign_reps(df, reps)
    assert result.selected["owner"].to_list() == ["ana", "ben", "ben"]
    assert result.summary.filter(pl.col("rep") == "ana")["owned"].item() == 1


def test_reps_from_file(tmp_path: Path) -> None:
    df = accounts({"domain": "globex.com", "country": "FR"}, {"country": "US", "state": "OR"},
                  {"country": "NL", "employees": 300}, {"country": "CA"})  # fmt: skip
    result = assign_reps(df, FIXTURE)
    assert result.selected["owner"].to_list() == [
        "ana@example.com", "ana@example.com", "dieter@example.com", "carla@example.com"
    ]  # fmt: skip


BAD_FILES = [
    ("rep,capacity\nana,ten\n", "line 2: capacity 'ten' is not a whole number"),
    ("rep,regions\nana,MARS\n", "line 2: unknown region 'MARS'"),
    ("rep,size_bands\nana,big\n", "line 2: size band 'big' should read like 200-2000"),
    ("rep,size_bands\nana,500-100\n", "minimum above its maximum"),
    ("rep,countries\nana,United States\n", "not a two-letter ISO code"),
    ("rep,territory\nana,US\n", "unknown column(s) territory"),
    ("name,capacity\nana,3\n", "no `rep` column"),
    ("rep\nana\nana\n", "line 3: rep 'ana' is listed twice"),
    ("rep,owned_domains\nana,acme.io\nben,www.acme.io\n", "line 3: acme.io is already owned"),
    ("rep,capacity\n", "no reps listed"),
    ("", "empty"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "message"), BAD_FILES)
def test_bad_reps_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "reps.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        read_reps(path)
    assert str(info.value).startswith(f"reps file {path}: ")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_reps_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        assign_reps(accounts({}), tmp_path / "nope.csv")


# (size_bands cell, bands, problems)
BANDS = [
    ("200-2000", [(200, 2000)], []),
    ("1,000 - 5,000;5000+", [(1000, 5000), (5000, None)], []),
    ("10 to 50;51–200", [(10, 50), (51, 200)], []),
    ("", [], []),
    ("big", [], ["line 2: size band 'big' should read like 200-2000 or 5000+"]),
    ("500-100", [(500, 100)], ["line 2: size band '500-100' has its minimum above its maximum"]),
]


@pytest.mark.parametrize(("cell", "bands", "problems"), BANDS)
def test_parse_bands(cell: str, bands: list, problems: list[str]) -> None:
    found: list[str] = []
    assert _parse_bands(cell, "line 2", found) == bands
    assert found == problems


# (countries cell, regions cell, countries, problems)
COUNTRIES = [
    ("us;UK", "", {"US", "GB"}, []),
    ("USA", "Nordics", {"US", "SE", "NO", "DK", "FI", "IS"}, []),
    ("", "dach", {"DE", "AT", "CH"}, []),
    ("U2", "", {"U2"}, ["line 2: country 'U2' is not a two-letter ISO code (e.g. US)"]),
    ("", "Mars", set(), ["line 2: unknown region 'Mars' (valid: "]),
]


@pytest.mark.parametrize(("countries", "regions", "expected", "problems"), COUNTRIES)
def test_parse_countries(
    countries: str, regions: str, expected: set[str], problems: list[str]
) -> None:
    found: list[str] = []
    rec = {"countries": countries, "regions": regions}
    assert _parse_countries(rec, "line 2", found) == expected
    assert len(found) == len(problems)
    assert all(f.startswith(p) for f, p in zip(found, problems, strict=True))
