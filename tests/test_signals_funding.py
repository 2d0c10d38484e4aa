"""Rounds in an events file fill the list's empty funding fields (marked as derived),
events match by a shared id column, and an old events file without --as-of is a warning."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
from test_signals import ACCOUNTS, AS_OF, events, rules

from listbuilder.signals import (
    derive_funding,
    derived_fields,
    read_signals,
    score_signals,
    stale_events_warning,
)

FUNDING = {"kind": "funding", "boost": 15, "half_life_days": 45, "max_age_days": 180}


def test_latest_round_per_account_with_its_line() -> None:
    rows = events(
        {"ago": 400, "round_type": "series-a"},
        {"ago": 20, "round_type": "series-b", "amount_usd": 7e6},
        {"ago": 5, "round_type": None},  # the latest date, no stage: the date only
    )
    funding = score_signals(ACCOUNTS, rows, rules(FUNDING), as_of=AS_OF).funding
    assert funding is not None
    assert funding.to_dicts() == [
        {
            "row_id": 1,
            "round_stage": "Series B",
            "round_date": AS_OF - timedelta(days=5),
            "round_source": "events.csv:3",
        }
    ]


def test_derived_fields_fill_only_what_the_list_lacks() -> None:
    companies = pl.DataFrame(
        {
            "row_id": [1, 2],
            "funding_stage": [None, "Series C"],
            "last_funding_date": [None, date(2024, 1, 1)],
        },
        schema_overrides={"row_id": pl.Int64, "funding_stage": pl.String},
    )
    funding = pl.DataFrame(
        {
            "row_id": [1, 2],
            "round_stage": ["Series B", "Series A"],
            "round_date": [date(2024, 6, 10), date(2023, 1, 1)],
            "round_source": ["rounds.csv:12", "rounds.csv:40"],
        }
    )
    out = derive_funding(companies, funding)
    assert out["funding_stage"].to_list() == ["Series B", "Series C"]  # the list's value wins
    assert out["derived"].to_list() == [
        "funding_stage=Series B (rounds.csv:12); last_funding_date=2024-06-10 (rounds.csv:12)",
        None,
    ]
    assert derived_fields(out["derived"][0]) == {
        "funding_stage": "Series B (rounds.csv:12)",
        "last_funding_date": "2024-06-10 (rounds.csv:12)",
    }
    assert out.columns == companies.columns + ["derived"]


def test_events_match_by_a_shared_id_column(tmp_path: Path) -> None:
    rounds = tmp_path / "rounds.csv"
    rounds.write_text(
        "company_permalink,company_name,funding_round_type,funded_at,raised_amount_usd\n"
        f"/company/initech,Totally Different Name,series-b,{AS_OF - timedelta(days=3)},5000000\n"
        f"/company/nobody,Acme Inc,series-a,{AS_OF - timedelta(days=3)},1000000\n",
        encoding="utf-8",
    )
    accounts = ACCOUNTS.with_columns(
        pl.Series("permalink", ["/company/acme", None, "/Company/Initech", None, None])
    )
    result = score_signals(accounts, read_signals([rounds]), rules(FUNDING), as_of=AS_OF)
    assert result.matches is not None
    assert result.matches.select("row_id", "match").to_dicts() == [
        {"row_id": 3, "match": "id"},  # the id wins over a name that matches nothing
        {"row_id": 1, "match": "name"},  # no account has its id: domain and name as before
    ]


def test_an_iso_string_is_a_date() -> None:
    rows = events({"ago": 3, "round_type": "Series B"})
    as_text = score_signals(ACCOUNTS, rows, rules(FUNDING), as_of=AS_OF.isoformat())
    assert as_text.scores.equals(score_signals(ACCOUNTS, rows, rules(FUNDING), as_of=AS_OF).scores)


def test_an_old_events_file_without_as_of_is_a_warning() -> None:
    (funding,) = rules(FUNDING)
    (hire,) = rules({"kind": "exec_hire", "boost": 10, "max_age_days": 365})
    line = stale_events_warning(date(2013, 10, 17), [funding, hire], as_of=date(2026, 12, 3))
    assert line == (
        "warning: signals: the newest event (2013-10-17) is 4,795 days before 2026-12-03, past "
        "every signal's max_age_days (at most 365): no boost applies — pass --as-of 2013-10-17 "
        "to score as of the data's date"
    )
    assert stale_events_warning(date(2026, 11, 1), [funding], as_of=date(2026, 12, 3)) is None
    (forever,) = rules({"kind": "funding", "boost": 5})  # no max_age: events never too old
    assert stale_events_warning(date(2013, 10, 17), [forever], as_of=date(2026, 12, 3)) is None


def test_build_warns_without_as_of_only(tmp_path: Path) -> None:
    import listbuilder as lb

    sample = Path(__file__).resolve().parents[1] / "fixtures" / "sample"
    old = tmp_path / "events.csv"
    lines = (sample / "events.csv").read_text("utf-8").splitlines()
    ten_years = [line.replace(",2026-", ",2016-").replace(",2025-", ",2015-") for line in lines]
    old.write_text("\n".join(ten_years) + "\n", "utf-8")
    kwargs = {"profiles": "b2b_saas", "signals": old, "top": 5}
    quiet = lb.build(sample / "companies.csv", out_dir=tmp_path / "a", as_of="2016-11-01", **kwargs)
    assert not any("newest event" in w for w in quiet.warnings)
    loud = lb.build(sample / "companies.csv", out_dir=tmp_path / "b", **kwargs)
    assert any(w.startswith("warning: signals: the newest event (2016-") for w in loud.warnings)
