"""Coverage, reachable scores and the quality gate through the CLI (build and inspect)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from listbuilder.cli import main
from listbuilder.errors import EXIT_ERROR, EXIT_FAIL, EXIT_SUCCESS

# A Crunchbase-style list: industry, funding, founded year, country; no employee count,
# technologies, funding stage or departments. Two rows are junk for the quality gate.
LIST = """name,website,country,industry,total_funding,founded_year,phone
Acme Cloud,acme.io,US,Software,5000000,2012,
Beta Data,https://www.betadata.com,US,SaaS,20000000,2015,
Gamma Retail,gammaretail.com,US,Retail,,1990,
TBD,,US,Software,,,
Delta Soft,example.com,US,Software,3000000,2031,
Epsilon Labs,info@epsilonlabs.io,CA,Software,8000000,2011,
"""

UNREACHABLE = (
    "b2b_saas: no account can reach tier C (50): the best reachable score on this list is 20 of "
    "100; no data for employees (30 points), technologies (25 points), funding_stage (15 points), "
    "departments (10 points)"
)
WARNING = (
    'warning: b2b_saas: criterion "Mid-market size" (30 points) reads employees, which no input '
    "provides: no account can earn its points"
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def listing(tmp_path: Path) -> Path:
    path = tmp_path / "crunchbase_style.csv"
    path.write_text(LIST, encoding="utf-8")
    return path


def build(listing: Path, out: Path, profile: str) -> tuple[int, str, str]:
    return run(
        "build", str(listing), "--profile", profile, "--out", str(out), "--as-of", "2026-06-01"
    )


def coverage_rows(text: str) -> dict[str, float]:
    """`criterion <name> <pts> <share>%` lines of the printed coverage table."""
    found = {}
    for line in text.splitlines():
        match = re.match(
            r"^  (criterion|require|exclude)\s+(.+?)\s+(?:\d+ pts\s+)?([\d.]+)% ", line
        )
        if match:
            found[f"{match.group(1)} {match.group(2)}"] = float(match.group(3))
    return found


def test_an_unreachable_tier_says_why_in_one_line_and_exits_1(
    listing: Path, tmp_path: Path
) -> None:
    code, out, err = build(listing, tmp_path / "o", "b2b_saas")
    assert code == EXIT_FAIL
    lines = err.splitlines()
    assert UNREACHABLE in lines
    assert lines[lines.index(UNREACHABLE) + 1].startswith("  try: fill employees, technologies")
    assert "  try: use a profile written for this data: --profile funded_startups (reachable " \
        "100 on this list)" in lines  # fmt: skip
    assert WARNING in lines
    assert out.splitlines()[0].endswith("→ 0 selected")
    # every output is still written, the diagnosis included
    funnel = json.loads((tmp_path / "o" / "funnel.json").read_text())
    assert funnel["diagnosis"] == UNREACHABLE
    assert funnel["reach"]["reachable"] == 20.0
    report = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    assert "Nothing selected:</strong> b2b_saas: no account can reach tier C (50)" in report


def test_coverage_is_in_stdout_funnel_json_and_report(listing: Path, tmp_path: Path) -> None:
    code, out, err = build(listing, tmp_path / "o", "b2b_saas")
    printed = coverage_rows(out)
    assert printed == {
        "require North America, UK or Ireland": 100.0,
        "exclude Government or education": 100.0,
        "criterion Mid-market size": 0.0,
        "criterion Software or internet company": 100.0,
        "criterion Uses Salesforce or HubSpot": 0.0,
        "criterion Series B or later": 0.0,
        "criterion Has a RevOps function": 0.0,
    }
    assert "  best reachable fit score: 20 of 100" in out.splitlines()
    funnel = json.loads((tmp_path / "o" / "funnel.json").read_text())
    (cov,) = funnel["coverage"]
    # 5 accounts scored: TBD (nothing identifies it) was rejected by the quality gate
    assert (cov["slug"], cov["accounts"], cov["reachable_fit"]) == ("b2b_saas", 5, 20.0)
    shares = {c["name"]: c["share"] for c in cov["criteria"]}
    assert shares == {
        "Mid-market size": 0.0,
        "Software or internet company": 1.0,
        "Uses Salesforce or HubSpot": 0.0,
        "Series B or later": 0.0,
        "Has a RevOps function": 0.0,
    }
    assert cov["criteria"][0] == {
        "kind": "criterion",
        "name": "Mid-market size",
        "fields": ["employees"],
        "weight": 30.0,
        "on_missing": "zero",
        "known": 0,
        "total": 5,
        "share": 0.0,
    }
    report = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    bars = dict(
        re.findall(r'<tr data-kind="criterion" data-name="([^"]+)" data-share="([\d.]+)">', report)
    )
    assert {k: float(v) for k, v in bars.items()} == shares
    assert report.count('<rect x="0" y="1" width="200" height="12"') == 7  # a bar per line


def test_a_profile_for_the_data_selects_and_shows_confidence_and_quality(
    listing: Path, tmp_path: Path
) -> None:
    code, out, err = build(listing, tmp_path / "o", "funded_startups")
    assert code == EXIT_SUCCESS, err
    assert out.splitlines()[0] == (
        "6 read → 6 usable → 6 unique → 6 not in CRM → 5 pass quality checks → 5 pass hard filters"
        " → 4 selected"
    )
    assert "  quality         1  placeholder name" in out.splitlines()
    assert (
        "  flagged         1  parked or placeholder domain (kept; see the quality column)"
        in out.splitlines()
    )
    assert "warning:" not in err
    funnel = json.loads((tmp_path / "o" / "funnel.json").read_text())
    assert funnel["read"] == funnel["selected"] + sum(s["dropped"] for s in funnel["stages"])
    assert funnel["quality"] == {
        "flagged": {
            "parked or placeholder domain": 1,
            "email instead of a website": 1,
            "value out of range": 1,
        },
        "rejected": {"placeholder name": 1},
    }
    targets = (tmp_path / "o" / "targets.csv").read_text(encoding="utf-8-sig").splitlines()
    header = targets[0].split(",")
    assert header[5:8] == ["fit_score", "signal_score", "confidence"]
    delta = next(t for t in targets if t.startswith(("1,Delta", "2,Delta", "3,Delta", "4,Delta")))
    assert (
        "parked or placeholder domain: example.com; value out of range: founded_year 2031" in delta
    )
    brief = next((tmp_path / "o" / "briefs").glob("*delta*"), None) or next(
        p for p in (tmp_path / "o" / "briefs").glob("0*.md") if "Delta" in p.read_text()
    )
    text = brief.read_text(encoding="utf-8")
    assert "· confidence 0.80 ·" in text  # founded_year was out of range: not scored
    assert "**⚠ Data quality — check before calling:** parked or placeholder domain" in text


def test_inspect_with_a_profile_prints_coverage_and_warns(listing: Path) -> None:
    code, out, err = run("inspect", str(listing), "--profile", "b2b_saas")
    assert code == EXIT_SUCCESS
    assert coverage_rows(out)["criterion Software or internet company"] == 100.0
    assert coverage_rows(out)["criterion Mid-market size"] == 0.0
    assert 'Coverage of "B2B SaaS mid-market" on 6 accounts (share with the field known):' in out
    assert WARNING in err.splitlines()


def test_a_bad_policy_stops_the_build_with_exit_2(listing: Path, tmp_path: Path) -> None:
    profile = tmp_path / "p.toml"
    profile.write_text(
        '[profile]\nname = "p"\non_missing = "ignore"\nmin_confidence = -1\n'
        '[[criterion]]\nname = "C"\nfield = "industry"\nin = ["Software"]\nweight = 100\n',
        encoding="utf-8",
    )
    code, out, err = build(listing, tmp_path / "o", str(profile))
    assert code == EXIT_ERROR
    assert err == (
        f'Error: {profile}: [profile] (line 3): on_missing = "ignore": use "zero", "neutral", '
        f'"exclude", "unknown" or "no_points"\n'
        f"{profile}: [profile] (line 4): min_confidence = -1: write the share of the criteria's "
        "weight an account must have data for, between 0 and 1, e.g. min_confidence = 0.6\n"
    )
    assert not (tmp_path / "o").exists()


def test_nothing_to_reach_without_passing_the_hard_filters(tmp_path: Path) -> None:
    listing = tmp_path / "names.csv"
    listing.write_text("company,website\nWalmart,walmart.com\nExxon Mobil,exxonmobil.com\n")
    code, out, err = build(listing, tmp_path / "o", "b2b_saas")
    assert code == EXIT_FAIL
    assert (
        'b2b_saas: no account passes the hard filters (reachable maximum 0): require "North '
        'America, UK or Ireland" reads country, which no input provides'
    ) in err.splitlines()
    assert (
        '  try: let accounts without it through: on_missing = "pass" on the [[require]] "North '
        'America, UK or Ireland"'
    ) in err.splitlines()


def test_build_help_documents_the_exit_status() -> None:
    code, out, _ = run("build", "--help")
    assert code == EXIT_SUCCESS
    assert "Exit status: 0 when accounts were selected; 1 when none was" in " ".join(out.split())


def test_real_crunchbase_export_warns_and_explains(shared_data: Path, tmp_path: Path) -> None:
    export = shared_data / "crunchbase_2014" / "companies.csv"
    if not export.exists():
        pytest.skip("crunchbase_2014 is absent")
    code, out, err = run(
        "build", str(export), "--profile", "b2b_saas", "--out", str(tmp_path / "o"), "-q"
    )
    assert code == EXIT_FAIL
    assert WARNING in err.splitlines()
    assert (
        "b2b_saas: no account can reach tier C (50): the best reachable score on this list is "
        "20 of 100; no data for employees (30 points), technologies (25 points), funding_stage "
        "(15 points), departments (10 points)"
    ) in err.splitlines()
    assert coverage_rows(out)["criterion Software or internet company"] == 97.1
    code, out, err = run(
        "build", str(export), "--profile", "funded_startups", "--out", str(tmp_path / "f"), "-q"
    )
    assert code == EXIT_SUCCESS, err
    assert out.splitlines()[0].endswith("→ 1,200 selected")


def test_explain_shows_quality_flags_and_says_when_the_gate_rejected(listing: Path) -> None:
    code, out, err = run("explain", "Epsilon Labs", str(listing), "--profile", "funded_startups")
    assert code == EXIT_SUCCESS, err
    assert "Data quality: email instead of a website: info@epsilonlabs.io" in out.splitlines()
    code, out, err = run("explain", "TBD", str(listing), "--profile", "funded_startups")
    assert code == EXIT_ERROR
    assert err == (
        f"Error: {listing} line 5 (TBD) is rejected by the data-quality gate before scoring: "
        'placeholder name ("TBD"); set it to "flag" or "off" in the profile\'s [quality] table '
        "to score it\n"
    )
