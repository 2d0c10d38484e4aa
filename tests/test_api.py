"""The Python API: one typed function per command, taking the CLI's values."""

from __future__ import annotations

import inspect
import typing
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import listbuilder as lb
from listbuilder.errors import ConfigError

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample"

# CLI command -> the function a notebook calls
COMMANDS = {
    "build": lb.build,
    "inspect": lb.inspect,
    "dedupe": lb.dedupe_lists,
    "explain": lb.explain,
    "profile check": lb.check_profiles,
    "profile list": lb.list_profiles,
    "enrich": lb.enrich,
    "push": lb.push,
    "backtest": lb.backtest,
    "learn": lb.draft_profile,
    "review": lb.review,
    "lookalike": lb.find_lookalikes,
}


def test_every_command_has_an_exported_function() -> None:
    from click.testing import CliRunner

    from listbuilder.cli import main

    listed = CliRunner().invoke(main, ["--help"]).output.split("Commands:")[1]
    names = {line.split()[0] for line in listed.splitlines() if line.strip()}
    assert names - {"profile"} <= {c.split()[0] for c in COMMANDS}
    for func in COMMANDS.values():
        assert func.__name__ in lb.__all__


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_function_is_typed_and_has_an_example(command: str) -> None:
    func = COMMANDS[command]
    hints = typing.get_type_hints(func)
    assert "return" in hints
    params = [p for p in inspect.signature(func).parameters.values() if p.name != "self"]
    assert all(p.name in hints for p in params), command
    if command != "lookalike":  # listbuilder.lookalike is issue 14's, documented there
        assert "Example" in (func.__doc__ or ""), command


def test_build_takes_one_path_a_profile_name_and_an_iso_date(tmp_path: Path) -> None:
    result = lb.build(
        str(SAMPLE / "companies.csv"), profiles="b2b_saas", out_dir=tmp_path / "o",
        as_of="2026-11-01", top=5,
    )  # fmt: skip
    assert result.funnel["as_of"] == "2026-11-01"
    assert result.funnel["profiles"] == ["B2B SaaS mid-market"]
    assert result.selected.height == 5


def test_a_bad_date_is_one_line() -> None:
    from listbuilder.pipeline import as_date

    assert as_date("2013-10-17") == date(2013, 10, 17)
    assert as_date(date(2013, 10, 17)) == date(2013, 10, 17)
    with pytest.raises(ConfigError, match=r"as_of = '17/10/2013': write a date as YYYY-MM-DD"):
        as_date("17/10/2013")


def test_the_stages_chain() -> None:
    companies, _ = lb.normalize_companies(lb.read_companies(SAMPLE / "companies.csv").companies)
    scored = lb.score_companies(companies, lb.load_profile("b2b_saas"))
    selected, below = lb.rank_companies(scored.companies, top=10)
    assert selected["rank"].to_list() == list(range(1, 11))
    assert below.height == scored.companies.height - 10
    assert selected["score"].to_list() == selected["fit_score"].to_list()  # no signals yet


def test_inspect_explain_and_check_return_what_the_commands_print() -> None:
    report = lb.inspect(SAMPLE / "companies.csv", profiles="b2b_saas")
    assert report.reports[0].rows == 2000 and "best reachable fit score" in report.text
    why = lb.explain(
        "dempseylangleyinsights.com", SAMPLE / "companies.csv", profiles="b2b_saas",
        as_of="2026-11-01",
    )  # fmt: skip
    assert why.text.startswith("Dempsey & Langley Insights (dempseylangleyinsights.com)")
    assert lb.check_profiles(["b2b_saas", "nope"])["b2b_saas"] == []
    assert lb.check_profiles("nope")["nope"]
    assert "b2b_saas" in lb.list_profiles()


def test_dedupe_function(tmp_path: Path) -> None:
    run = lb.dedupe_lists(SAMPLE / "vendor_apollo.csv", out_dir=tmp_path / "d")
    assert run.summary().startswith("120 rows -> ")
    assert pl.read_csv(run.paths["companies"]).height == run.result.companies.height
