"""`listbuilder explain` through CliRunner on a small list (ingest + normalize + score)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from listbuilder.cli import main

LIST = """\
Company Name,Website,Employees,Industry,Country,Technologies,Funding Stage,Departments
Acme Cloud,https://www.acme.io,500,SaaS,United States,HubSpot,Series C,Sales
Paris SA,paris.fr,150,Government,France,,,
"""


def _run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _list(tmp_path: Path) -> str:
    path = tmp_path / "list.csv"
    path.write_text(LIST, encoding="utf-8")
    return str(path)


def test_explain_prints_the_breakdown(tmp_path: Path) -> None:
    code, out, err = _run(["explain", "acme.io", _list(tmp_path), "--profile", "b2b_saas"])
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"Acme Cloud (acme.io) — {tmp_path / 'list.csv'} line 2"
    # no events file: the timing, so the priority cell, is unknown and left out
    assert "Profile: B2B SaaS mid-market — fit 90, confidence 1.00, tier A" in lines
    assert lines[-1] == (
        "Why: 500 employees ✓ 30 · SaaS ✓ 20 · HubSpot ✓ 25 · Series C ✓ 15 · no RevOps ✗ 0"
    )


def test_explain_shows_failed_hard_filters(tmp_path: Path) -> None:
    code, out, _ = _run(["explain", "Paris SA", _list(tmp_path), "--profile", "b2b_saas"])
    assert code == 0
    assert "Profile: B2B SaaS mid-market — rejected (fit would be 0, confidence 0.50)" in out
    failed = "country FR (France) not in region NA (US, CA), GB, IE"
    assert f"  ✗ FAILED  require  North America, UK or Ireland  {failed}" in out


def test_explain_an_unknown_account_is_one_line_exit_2(tmp_path: Path) -> None:
    code, out, err = _run(["explain", "nobody.example", _list(tmp_path), "--profile", "b2b_saas"])
    assert (code, out) == (2, "")
    assert err == (
        'Error: no account "nobody.example" in the list (looked for it as a domain and as a name)\n'
    )


def test_explain_with_a_bad_as_of_date(tmp_path: Path) -> None:
    code, _, err = _run(
        ["explain", "acme.io", _list(tmp_path), "--profile", "b2b_saas", "--as-of", "yesterday"]
    )
    assert code == 2
    assert err == "Error: --as-of 'yesterday': write a date as YYYY-MM-DD\n"


def test_explain_with_signals_prints_the_boosts(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text(
        "domain,company_name,kind,date,round_type,amount_usd\n"
        "acme.io,Acme Cloud,funding,2026-10-02,Series C,40000000\n",
        encoding="utf-8",
    )
    code, out, err = _run(
        ["explain", "acme.io", _list(tmp_path), "--profile", "b2b_saas",
         "--signals", str(events), "--as-of", "2026-11-01"]
    )  # fmt: skip
    assert (code, err) == (0, "")
    signals = out.split("\nSignals: +", 1)[1].splitlines()
    assert signals[0].split(" — ")[0] == "9.4"  # 15 halved every 45 days, 30 days old
    assert signals[1].split()[0] == "funding"
    assert (
        "Profile: B2B SaaS mid-market — fit 90, confidence 1.00, tier A, "
        "priority A2 (call this week)" in out
    )


LIST_WITH_ROUNDS = """\
Company Name,Website,Employees,Country,Recent Funding Round,Recent Funding Date
Acme Cloud,https://www.acme.io,500,United States,Series B,2026-10-02
"""


def test_explain_shows_the_lists_own_funding_round(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(LIST_WITH_ROUNDS, encoding="utf-8")
    args = ["explain", "acme.io", str(path), "--profile", "b2b_saas", "--as-of", "2026-11-01"]
    code, out, err = _run(args)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert (
        "Profile: B2B SaaS mid-market — fit 45, confidence 0.45, tier —" in lines
    )  # no events file: no cell
    assert lines[-2:] == [
        "Signals: +9.4 — Series B (from the list), 30 days ago",
        "  funding  Series B (from the list)  2026-10-02  30 d  15 → 9.4",
    ]
    events = tmp_path / "events.csv"  # the same round, with its amount: counted once
    events.write_text(
        "domain,company_name,kind,date,round_type,amount_usd\n"
        "acme.io,Acme Cloud,funding,2026-09-28,Series B,40000000\n",
        encoding="utf-8",
    )
    code, out, err = _run([*args, "--signals", str(events)])
    assert (code, err) == (0, "")
    assert out.splitlines()[-2:] == [
        "Signals: +8.9 — Series B $40M, 34 days ago",
        "  funding  Series B $40M  2026-09-28  34 d  15 → 8.9",
    ]
