"""Briefs an SDR calls from: live signals open the call, stale ones are background,
personas and people chosen for the account, every claim with its source; and the numbers,
ranking and report around them. One build of the sample fixtures, checked many ways."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from listbuilder.export.callprep import choose_personas, rank_contacts, signal_entries
from listbuilder.export.callprep import talking_points as call_points

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample"
REPS = Path(__file__).resolve().parents[1] / "fixtures" / "reps_example.csv"
AS_OF = "2026-11-01"
CONTACTS = """First Name,Last Name,Title,Email,Company Website
Jo,Park,Software Engineer,jo@thistlesecurity.io,https://www.thistlesecurity.io
Maya,Lindqvist,"VP, Sales",maya@thistlesecurity.io,thistlesecurity.io
Omar,Haddad,Revenue Operations Manager,omar@thistlesecurity.io,
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    import listbuilder as lb

    root = tmp_path_factory.mktemp("callprep")
    for name in ("companies.csv", "events.csv", "crm_accounts.csv"):
        shutil.copy(SAMPLE / name, root / name)
    (root / "contacts.csv").write_text(CONTACTS, encoding="utf-8")
    out = root / "out"
    result = lb.build(
        root / "companies.csv",
        profiles="b2b_saas",
        out_dir=out,
        signals=root / "events.csv",
        suppress=root / "crm_accounts.csv",
        as_of=AS_OF,
        reps=REPS,
        contacts=root / "contacts.csv",
        formats=("csv", "xlsx"),
    )
    return result, out


def brief(out: Path, domain: str) -> str:
    return next((out / "briefs").glob(f"*-{domain}.md")).read_text("utf-8")


def test_a_live_spike_and_a_stale_round_read_differently(built: tuple[object, Path]) -> None:
    _, out = built
    spike = brief(out, "thistlesecurity.io")
    stale = brief(out, "dempseylangleyinsights.com")
    # the live spike opens the call, in its own words and age, with the event lines
    assert "**A1 — call today**" in spike
    assert "- **Hiring spike:** You are hiring fast (job postings ×10.0 vs baseline)" in spike
    assert "source fixtures" not in spike  # paths as given: the copy in the temp folder
    assert "events.csv lines 259, 665, 812 +5 more" in spike
    assert "- **Team growth:** sales team grew 39 → 64 in 5 months" in spike
    # a 134-day-old round is background: never "call this week", never congratulations
    assert "**A3 — nurture: strong fit, no live signal**" in stale
    assert "call this week" not in stale and "Congratulations" not in stale
    assert "older than 120 days: background, not a reason to call now" in stale
    assert "No live signal: a fit without timing" in stale
    # both cite their sources: the list row for the fit, the row or event line for signals
    for text in (spike, stale):
        assert "| Source |" in text
        assert "companies.csv:" in text
    assert "· source " in stale and "companies.csv:349" in stale


def test_personas_are_chosen_for_the_account_with_the_reason(built: tuple[object, Path]) -> None:
    _, out = built
    spike = brief(out, "thistlesecurity.io")
    assert (
        "Why here: sales team grew 39 → 64 in 5 months (1 day ago); Sales is on its team list"
        in (spike)
    )
    assert "Not for this account: CEO / Founder: over 200 employees (1,990)." in spike


def test_contacts_name_real_people_ranked_by_persona(built: tuple[object, Path]) -> None:
    result, out = built
    spike = brief(out, "thistlesecurity.io")
    section = spike.split("## Who to contact")[1].split("## What to say")[0]
    people = [line for line in section.splitlines() if line.startswith("- **") and "@" in line]
    assert people[0].startswith("- **Maya Lindqvist**, VP, Sales · maya@thistlesecurity.io")
    assert "the VP Sales the profile asks for" in people[0]
    assert people[1].startswith("- **Omar Haddad**, Revenue Operations Manager")
    assert (
        people[2].startswith("- **Jo Park**, Software Engineer")
        and "no persona match" in (people[2])
    )
    assert "contacts.csv:3" in people[0]
    assert result.funnel["contacts"]["accounts_with_contacts"] == 1  # type: ignore[attr-defined]
    assert "No one at this company in the contacts file" in brief(out, "dempseylangleyinsights.com")


def test_ties_at_the_cap_go_to_the_better_fit(built: tuple[object, Path]) -> None:
    result, _ = built
    ranked = result.selected.sort("rank")  # type: ignore[attr-defined]
    at_cap = ranked.filter(pl.col("score") >= 99.95)
    fits = at_cap["fit_score"].to_list()
    assert fits == sorted(fits, reverse=True)
    # among equal fits, the stronger signal first
    for _, group in at_cap.group_by("fit_score", maintain_order=True):
        signals = group["signal_score"].to_list()
        assert signals == sorted(signals, reverse=True)


def test_index_and_report_show_fit_and_signal_apart(built: tuple[object, Path]) -> None:
    _, out = built
    index = (out / "briefs" / "index.md").read_text("utf-8")
    assert "| Rank | Account | Score | Fit | Signal |" in index
    assert "| Why now |" in index
    report = (out / "report.html").read_text("utf-8")
    assert '<th class="n">Fit</th><th class="n">Signal</th>' in report
    assert "<th>Why now</th>" in report


def test_report_missing_data_and_reps_read_as_sentences(built: tuple[object, Path]) -> None:
    result, out = built
    report = (out / "report.html").read_text("utf-8")
    assert "per_criterion" not in report and "selected_with_unknown_criteria" not in report
    assignment = result.funnel["assignment"]  # type: ignore[attr-defined]
    assert assignment["unassigned"] > 0
    assert f"{assignment['unassigned']} unassigned (listed in unassigned.csv" in report
    assert "no rep covers state" in report


def test_numbers_read_as_people_write_them(built: tuple[object, Path]) -> None:
    _, out = built
    targets = pl.read_csv(out / "targets.csv", infer_schema=False)
    row = targets.row(0, named=True)
    assert (row["score"], row["revenue"], row["confidence"]) == ("100", "1273000", "1")
    assert row["pts: Mid-market size"] == "30"
    assert not any(str(v).endswith(".0") for v in row.values())
    assert "1,990 employees" in brief(out, "thistlesecurity.io")  # the why, as the brief


def test_xlsx_numbers_have_formats(built: tuple[object, Path]) -> None:
    import zipfile

    _, out = built
    with zipfile.ZipFile(out / "targets.xlsx") as book:
        styles = book.read("xl/styles.xml").decode()
    assert 'formatCode="0.0"' in styles and 'formatCode="0.00"' in styles
    assert 'formatCode="#,##0"' in styles  # revenue and employees with thousands separators


def test_reps_help_is_true() -> None:
    from click.testing import CliRunner

    from listbuilder.cli import main

    text = CliRunner().invoke(main, ["build", "--help"]).output
    assert "territories" not in text
    for column in ("rep, capacity, countries, states", "regions, industries", "owned_domains"):
        assert column in " ".join(text.split())


# ---------------------------------------------------------------- the pieces, inline


def test_signal_freshness_and_strength() -> None:
    signals = [
        {"kind": "funding", "label": "Series B $7M", "age_days": 169, "boost": 1.1},
        {"kind": "funding", "label": "Series A $3M", "age_days": 30, "boost": 2.0},
        {"kind": "exec_hire", "label": "new CRO", "age_days": 12, "boost": 10.0},
    ]
    out = signal_entries(signals, live_points=3, live_days=120)
    assert [s["live"] for s in out] == [False, False, True]
    assert out[0]["note"].startswith("older than 120 days")
    assert out[1]["note"].startswith("weak (+2.0, under the profile's 3)")
    assert [s["live"] for s in signal_entries(signals, live_points=0, live_days=None)] == [
        True,
        True,
        True,
    ]


def test_talking_points_follow_what_is_true() -> None:
    fit = [
        {"criterion": "Size", "status": "match", "points": 30, "weight": 30, "shown": "554"},
        {"criterion": "Stack", "status": "miss", "points": 0, "weight": 25, "shown": "Excel"},
        {"criterion": "Stage", "status": "unknown", "points": 0, "weight": 15, "value": None},
    ]
    signals = signal_entries(
        [
            {
                "kind": "headcount_growth",
                "label": "customer success team grew 23 → 48",
                "age_days": 9,
                "boost": 6.0,
                "source": "events.csv:7",
            },
            {
                "kind": "funding",
                "label": "Series B $7M",
                "age_days": 169,
                "boost": 1.1,
                "source": "events.csv:2",
            },
        ],  # fmt: skip
        live_points=3,
        live_days=120,
    )
    points = call_points({"Size": ["Teams this size outgrow spreadsheets."], "Stack": ["x"]},
                         fit, signals)  # fmt: skip
    assert [p["topic"] for p in points] == ["Team growth", "Size", "Ask", "Background"]
    assert points[0]["text"].startswith("customer success team grew 23 → 48:")
    assert points[0]["source"] == "events.csv:7"
    assert points[2]["text"].startswith("Stage: no data in the list (15 points open)")
    assert "do not open with it" in points[3]["text"] and points[3]["source"] == "events.csv:2"


PERSONAS = [
    {"title": "VP Sales", "department": "Sales", "departments": []},
    {"title": "Head of RevOps", "department": "Revenue Operations", "departments": ["RevOps"],
     "min_employees": 100},
    {"title": "CEO / Founder", "department": None, "departments": [], "max_employees": 200},
]  # fmt: skip


def test_personas_by_teams_and_size() -> None:
    chosen, skipped = choose_personas(
        PERSONAS, departments=["RevOps", "Marketing"], employees=80, signals=[], source="a:2"
    )
    assert [p["title"] for p in chosen] == ["CEO / Founder", "VP Sales"]
    assert skipped == ["Head of RevOps: under 100 employees (80)"]
    big, _ = choose_personas(
        PERSONAS, departments=["RevOps", "Sales"], employees=900, signals=[], source="a:2"
    )
    assert [p["title"] for p in big] == ["Head of RevOps", "VP Sales"]
    assert big[0]["reason"] == "RevOps is on its team list; 900 employees, in its 100+ range"
    assert big[0]["source"] == "a:2"


def test_contacts_rank_by_persona_titles() -> None:
    people = [
        {"name": "B", "title": "Chief Executive Officer"},
        {"name": "A", "title": "Vice President of Sales"},
        {"name": "C", "title": "Intern"},
    ]
    personas = [{"title": "VP Sales", "titles": "VP,? (of )?Sales|Vice President.*Sales"},
                {"title": "CEO", "titles": "CEO|Chief Executive"}]  # fmt: skip
    ranked = rank_contacts(people, personas)
    assert [(c["name"], c["persona"]) for c in ranked] == [
        ("A", "VP Sales"),
        ("B", "CEO"),
        ("C", None),
    ]


def test_live_signal_thresholds_are_profile_settings(tmp_path: Path) -> None:
    from listbuilder.errors import ProfileError
    from listbuilder.profile import load_profile

    text = (Path(__file__).resolve().parents[1] / "filters" / "b2b_saas.toml").read_text("utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("live_signal_days = 120", "live_signal_days = -3"), "utf-8")
    with pytest.raises(ProfileError, match="live_signal_days = -3: write a whole number of days"):
        load_profile(bad)
    profile = load_profile("b2b_saas")
    assert (profile.live_signal, profile.strong_signal, profile.live_signal_days) == (3, 10, 120)


def test_explain_gives_the_priority_build_gives() -> None:
    import listbuilder as lb

    kwargs = {"profiles": "b2b_saas", "signals": SAMPLE / "events.csv", "as_of": AS_OF}
    stale = lb.explain("dempseylangleyinsights.com", SAMPLE / "companies.csv", **kwargs)
    live = lb.explain("thistlesecurity.io", SAMPLE / "companies.csv", **kwargs)
    assert "priority A3 (nurture: strong fit, no live signal)" in stale.text
    assert "priority A1 (call today)" in live.text
