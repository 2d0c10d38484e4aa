"""`listbuilder backtest`, `learn` and `review`: exit codes, messages and files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from deal_sets import MID_MARKET, deal_rows, profile_file, write_deals

from listbuilder.cli import main


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    start = dt.date(2026, 1, 1)
    created = [start + dt.timedelta(days=2 * i) for i in range(40)]
    rows = [
        # in-ICP: 30 of 40 won
        *deal_rows(
            "In ",
            ["won"] * 30 + ["lost"] * 10,
            created=created,
            cycles=30,
            amounts=[10_000 + i for i in range(40)],
            industry="SaaS",
        ),
        # out-of-ICP: 5 of 40 won
        *deal_rows(
            "Out ",
            ["won"] * 5 + ["lost"] * 35,
            created=created,
            cycles=60,
            amounts=5000,
            employees=50,
            industry="Retail",
        ),
        "Broken,broken.com,not a date,2026-02-01,won,100,500,SaaS",
    ]
    deals = write_deals(tmp_path / "deals.csv", rows, industry=True)
    profile = profile_file(tmp_path, MID_MARKET)
    return {"deals": deals, "profile": profile, "dir": tmp_path}


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_backtest_writes_the_reports(files: dict[str, Path]) -> None:
    out = files["dir"] / "out"
    result = invoke("backtest", files["deals"], "--profile", files["profile"], "--out", out)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        f"{files['deals']}: 80 deals (80 closed), 40 in-ICP, 40 out-of-ICP; "
        f"1 deal rows rejected (see {out / 'deals_rejects.csv'})"
    )
    assert lines[1].startswith(
        "Your profile is predictive: in-ICP accounts win 6.0× as often (75% vs 12%;"
    )
    assert {p.name for p in out.iterdir()} == {
        "backtest.md",
        "backtest.html",
        "backtest.json",
        "deals_rejects.csv",
    }
    assert json.loads((out / "backtest.json").read_text())["predictive"] is True
    assert "created date is not a date" in (out / "deals_rejects.csv").read_text()


def test_backtest_same_inputs_same_bytes(files: dict[str, Path]) -> None:
    outs = [files["dir"] / "a", files["dir"] / "b"]
    for out in outs:
        invoke("backtest", files["deals"], "--profile", files["profile"], "--out", out)
    for name in ("backtest.md", "backtest.html", "backtest.json"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv"], "Error: missing.csv: no such file"),
        (["{bad}"], "no column for the created date"),
        (["{deals}", "--profile", "nosuch"], "nosuch: no such file, and no shipped profile"),
    ],
)
def test_backtest_errors_exit_2(files: dict[str, Path], args: list[str], message: str) -> None:
    bad = files["dir"] / "bad.csv"
    bad.write_text("account,outcome\nAcme,won\n", encoding="utf-8")
    args = [a.format(bad=bad, deals=files["deals"]) for a in args]
    if "--profile" not in args:
        args += ["--profile", str(files["profile"])]
    result = invoke("backtest", *args, "--out", files["dir"] / "out")
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_signals_need_signal_rules(files: dict[str, Path]) -> None:
    events = files["dir"] / "events.csv"
    events.write_text("domain,kind,date\nin1.com,funding,2025-12-01\n", encoding="utf-8")
    result = invoke(
        "backtest",
        files["deals"],
        "--profile",
        files["profile"],
        "--out",
        files["dir"] / "out",
        "--signals",
        events,
    )
    assert result.exit_code == 2
    assert f"--signals given but {files['profile']} has no [[signal]] rules" in result.output


def test_learn_writes_a_profile_that_checks(files: dict[str, Path]) -> None:
    draft = files["dir"] / "draft.toml"
    result = invoke("learn", files["deals"], "--out", draft)
    assert result.exit_code == 0, result.output
    assert (
        "   50 points  Industry SaaS: 40 deals, win rate 75% vs 12% for the rest, lift 6.0× "
        "(2.6×–13.9×)" in result.output.splitlines()
    )
    assert result.output.splitlines()[-1] == (
        f"wrote {draft}; check it with: listbuilder profile check {draft}"
    )
    check = invoke("profile", "check", draft)
    assert check.exit_code == 0, check.output


def test_learn_with_too_little_data_exits_1(files: dict[str, Path]) -> None:
    result = invoke("learn", files["deals"], "--out", files["dir"] / "d.toml", "--min-deals", "50")
    assert result.exit_code == 1
    assert (
        "no draft written: too little data: 35 best customers and 45 lost or churned"
        in result.output
    )
    assert not (files["dir"] / "d.toml").exists()


def test_review_prints_flags_and_exits_0(files: dict[str, Path]) -> None:
    start = dt.date(2026, 1, 1)
    old, new = (
        deal_rows(
            prefix,
            ["won"] * won + ["lost"] * (20 - won),
            created=[start + dt.timedelta(days=days + i) for i in range(20)],
            cycles=30,
            amounts=1000,
            domains=False,
        )
        for prefix, won, days in (("Old ", 10, 0), ("New ", 5, 90))
    )
    rows = [row for pair in zip(old, new, strict=True) for row in pair]  # interleaved
    deals = write_deals(files["dir"] / "drift.csv", rows, domains=False)
    args = [
        "review",
        deals,
        "--profile",
        files["profile"],
        "--window",
        "90",
        "--as-of",
        "2026-04-20",
    ]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert "review your ICP: tier A: conversion 25% vs 50% (-50%)" in result.output
    assert invoke(*args, "--fail-on-drift").exit_code == 1


@pytest.mark.parametrize("command", ["backtest", "learn", "review"])
def test_help_has_an_example(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Example: listbuilder " + command in result.output


def test_backtest_writes_beside_the_deals_in_one_folder(files: dict[str, Path]) -> None:
    result = invoke(
        "backtest", files["deals"], "--profile", files["profile"], "--out", files["dir"]
    )
    assert result.exit_code == 0, result.output
    assert (files["dir"] / "backtest.md").exists()
    assert files["deals"].exists()


def test_backtest_out_under_a_file_is_refused_before_any_work(files: dict[str, Path]) -> None:
    out = files["deals"] / "reports"
    result = invoke("backtest", files["deals"], "--profile", files["profile"], "--out", out)
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "is a file, not a folder" in result.output


def test_learn_out_that_is_the_deals_file_is_refused(files: dict[str, Path]) -> None:
    before = files["deals"].read_bytes()
    result = invoke("learn", files["deals"], "--out", files["deals"])
    assert result.exit_code == 2
    assert result.output.strip().endswith("is also an input; write the result to another file")
    assert files["deals"].read_bytes() == before


def test_backtest_out_under_proc_is_one_line(files: dict[str, Path]) -> None:
    result = invoke("backtest", files["deals"], "--profile", files["profile"], "--out", "/proc/x")
    assert result.exit_code == 2
    assert "under /proc" in result.output
    assert len(result.output.strip().splitlines()) == 1
