"""Briefs: every section from real fields, escaping, custom templates, template errors."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from test_export_sample import AS_OF, BREAKDOWN, FUNNEL, PROFILES_INFO, SIGNALS, scored_frame

from listbuilder.errors import TemplateError
from listbuilder.export import brief_stem, write_outputs
from listbuilder.export.briefs import brief_contexts
from listbuilder.export.render import Templates, fmt_ago, fmt_money, fmt_num
from listbuilder.rank import rank_companies
from listbuilder.score import score_companies


def selected() -> pl.DataFrame:
    sel, _ = rank_companies(scored_frame())
    return sel.with_columns(owner=pl.Series(["ana", "ben", None, "ana"]))


def write(out: Path, sel: pl.DataFrame | None = None, **kw) -> dict[str, Path]:
    return write_outputs(
        out, selected=selected() if sel is None else sel, rejects=pl.DataFrame(),
        funnel=FUNNEL, profiles_info=PROFILES_INFO, as_of=AS_OF, **kw,
    )  # fmt: skip


def test_brief_has_every_section_from_real_fields(tmp_path: Path) -> None:
    written = write(tmp_path, brief_formats=("md", "html"))
    md = written["briefs/0001-acme.io.md"].read_text(encoding="utf-8")
    expected = [
        "# #1 Acme Analytics · acme.io",
        "**A1 — call today** · fit tier A × timing 1 · score 97.5 (fit 85.0 + timing 12.5)"
        " · confidence – · tier A (combined score) · owner ana",
        # the why line and the live signals, on lines of their own
        "\n> Mid-market size; uses Salesforce\n>\n> **Now:** Raised Series B 52 days ago\n",
        # snapshot
        "**What they do:** Software — Product analytics for B2B teams",
        "**Size:** 450 employees · $12.5M revenue · founded 2012",
        "**Location:** Austin, TX, United States",
        "**Funding:** Series B · $40M raised · last round 2026-10-01",
        "**Stack:** Salesforce, Snowflake",
        "[website](https://www.acme.io/about)",
        "[LinkedIn](https://linkedin.com/company/acme)",
        # why it fits
        "## Why it fits — 85.0/100 (B2B SaaS mid-market)",
        "| Uses Salesforce or HubSpot | 25.0 / 25 | match | Salesforce |",
        # why now
        "- 2026-10-01 (52 days ago) — Raised Series B ($40M) (+12.5)",
        # who to contact
        "- **Head of RevOps** — owns the CRM and the tooling budget",
        # what to say: matched criterion and present signal kind, never unmatched ones
        "- **Uses Salesforce or HubSpot:** We plug into your CRM in a day.",
        "- **Funding:** Fresh capital usually means new headcount targets.",
        # sources and as-of
        "Merged from 3 rows: vendor.csv:2, vendor.csv:9, other.csv:4. Data as of 2026-11-22.",
    ]
    for line in expected:
        assert line in md, line
    assert "unused" not in md
    html = written["briefs/0001-acme.io.html"].read_text(encoding="utf-8")
    for text in ("Product analytics for B2B teams", "Raised Series B ($40M)", "Head of RevOps",
                 "We plug into your CRM in a day.", "Data as of 2026-11-22"):  # fmt: skip
        assert text in html, text


def test_possible_crm_match_is_shown_before_the_call(tmp_path: Path) -> None:
    note = 'CRM 7 "Acme Analytics" (customer; ambiguous name match, 2 candidates)'
    sel = selected().with_columns(
        crm_possible_match=pl.when(pl.col("rank") == 1).then(pl.lit(note)).otherwise(None)
    )
    written = write(tmp_path, sel, brief_formats=("md", "html"))
    md = written["briefs/0001-acme.io.md"].read_text(encoding="utf-8")
    assert f"**⚠ Possible CRM match — check before calling:** {note}" in md
    html = written["briefs/0001-acme.io.html"].read_text(encoding="utf-8")
    assert "Possible CRM match" in html and "&#34;Acme Analytics&#34;" in html
    assert "Possible CRM match" not in written["briefs/0003-globex.com.md"].read_text("utf-8")
    targets = pl.read_csv(written["targets.csv"])
    assert targets["crm_possible_match"].to_list()[0] == note


def test_brief_for_a_sparse_account(tmp_path: Path) -> None:
    md = write(tmp_path)["briefs/0003-globex.com.md"].read_text(encoding="utf-8")
    assert "No data for: Mid-market size, Series B or later — ask on the call." in md
    assert "**Size:** – employees · – revenue" in md
    assert "- 2026-11-01 (21 days ago) — Hiring 3 SDRs (+4.0)" in md
    # no matched criterion has a line: the live signal opens, the gaps become questions
    assert "- **Ask:** Mid-market size: no data in the list (30 points open)" in md


def test_index_lists_briefs_in_rank_order(tmp_path: Path) -> None:
    written = write(tmp_path, brief_formats=("md", "html"))
    md = written["briefs/index.md"].read_text(encoding="utf-8")
    rows = [line for line in md.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert [r.split(" | ")[0] for r in rows] == ["| 1", "| 2", "| 3", "| 4"]
    # score, then fit and signal apart, and the why-now beside the priority
    assert rows[0].endswith(
        "| 97.5 | 85.0 | 12.5 | A | A1 | Raised Series B 52 days ago | ana "
        "| [0001-acme.io](0001-acme.io.md) |"
    )
    html = written["briefs/index.html"].read_text(encoding="utf-8")
    assert html.index("0001-acme.io.html") < html.index("0004-initech-co.html")


def test_markdown_and_html_escape_vendor_text(tmp_path: Path) -> None:
    sel = selected().with_columns(
        pl.when(pl.col("rank") == 1)
        .then(pl.lit("Pipe | <script>alert(1)</script>"))
        .otherwise(pl.col("description"))
        .alias("description")
    )
    written = write(tmp_path, sel, brief_formats=("md", "html"))
    md = written["briefs/0001-acme.io.md"].read_text(encoding="utf-8")
    assert r"Pipe \| \<script\>alert(1)\</script\>" in md
    html = written["briefs/0001-acme.io.html"].read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_custom_template_dir(tmp_path: Path) -> None:
    custom = tmp_path / "tpl"
    custom.mkdir()
    (custom / "brief.md.j2").write_text(
        "{{ account.name }} / {{ priority }} / {{ personas[0].title }} / {{ as_of }}\n"
    )
    written = write(tmp_path / "out", templates_dir=custom)
    assert (
        written["briefs/0001-acme.io.md"].read_text()
        == "Acme Analytics / A1 / VP Sales / 2026-11-22\n"
    )
    # templates the team did not override come from the shipped ones
    assert "# Account briefs" in written["briefs/index.md"].read_text()


def test_missing_variable_names_template_and_line(tmp_path: Path) -> None:
    custom = tmp_path / "tpl"
    custom.mkdir()
    (custom / "brief.md.j2").write_text("# {{ account.name }}\n\nOwner: {{ onwer }}\n")
    with pytest.raises(TemplateError) as info:
        write(tmp_path / "out", templates_dir=custom)
    msg = str(info.value)
    assert msg.startswith(f"template {custom / 'brief.md.j2'}, line 3: 'onwer' is undefined")
    assert "owner" in msg and "\n" not in msg


def test_missing_attribute_names_line(tmp_path: Path) -> None:
    custom = tmp_path / "tpl"
    custom.mkdir()
    (custom / "brief.html.j2").write_text("<p>\n{{ account.nmae.upper() }}\n</p>\n")
    with pytest.raises(TemplateError, match=r"brief\.html\.j2, line 2: "):
        write(tmp_path / "out", templates_dir=custom, brief_formats=("html",))


def test_syntax_error_names_line(tmp_path: Path) -> None:
    custom = tmp_path / "tpl"
    custom.mkdir()
    (custom / "index.md.j2").write_text("ok\n{% for b in briefs %}\n")
    with pytest.raises(TemplateError, match=r"index\.md\.j2, line \d: .*fix the Jinja syntax"):
        write(tmp_path / "out", templates_dir=custom)


@pytest.mark.parametrize("setup", ["missing", "empty"])
def test_bad_template_dir(tmp_path: Path, setup: str) -> None:
    folder = tmp_path / "tpl"
    if setup == "empty":
        folder.mkdir()
        (folder / "brief.md.jinja").write_text("typo in the name")
    with pytest.raises(TemplateError, match="templates directory"):
        Templates(folder)


def test_missing_template_file() -> None:
    with pytest.raises(TemplateError, match="template nope.md.j2 not found"):
        Templates().get("nope.md.j2")


STEMS = [
    ((1, "acme.io", "Acme"), "0001-acme.io"),
    ((12, None, "Initech & Co."), "0012-initech-co"),
    ((1200, None, "!!!"), "1200-account"),
    ((3, "Bücher.DE", None), "0003-b-cher.de"),
]


@pytest.mark.parametrize(("args", "stem"), STEMS)
def test_brief_stem(args: tuple, stem: str) -> None:
    assert brief_stem(*args) == stem


@pytest.mark.parametrize(
    ("value", "money", "num"),
    [(None, "–", "–"), (850_000, "$850K", "850,000"), (12_500_000.0, "$12.5M", "12,500,000"),
     (1_000_000_000, "$1B", "1,000,000,000"), (999, "$999", "999")],
)  # fmt: skip
def test_formatting_filters(value, money: str, num: str) -> None:
    assert fmt_money(value) == money
    assert fmt_num(value) == num


def test_profile_info_by_name() -> None:
    info = [{"name": "Other", "personas": [{"title": "CFO", "why": "x"}], "talking_points": {}},
            *PROFILES_INFO]  # fmt: skip
    ctx = brief_contexts(selected(), profiles_info=info, as_of=AS_OF)[0]
    assert [p["title"] for p in ctx["personas"]] == ["VP Sales", "Head of RevOps"]
    assert ctx["action"] == "call today"


def test_briefs_from_a_shipped_profile(tmp_path: Path) -> None:
    from listbuilder.profile import load_profile

    profile = load_profile("b2b_saas")
    sel = selected().with_columns(profile=pl.lit(profile.name))
    written = write_outputs(tmp_path, selected=sel, rejects=pl.DataFrame(), funnel=FUNNEL,
                            profiles_info=[profile], as_of=AS_OF)  # fmt: skip
    md = written["briefs/0001-acme.io.md"].read_text(encoding="utf-8")
    assert "- **Head of RevOps** (Revenue Operations) — Owns the CRM" in md
    assert "\n- **CRO** (Executive) — Signs off" in md
    assert "Cares about: quota attainment, rep ramp time, pipeline coverage." in md
    assert "- **Uses Salesforce or HubSpot:** Native Salesforce and HubSpot sync" in md
    assert "- **Funding:** Congratulations on the Raised Series B ($40M) (52 days ago):" in md


@pytest.mark.parametrize(
    ("website", "href"),
    [("javascript:alert(1)", "https://javascript:alert%281%29"), ("mail@acme.io", None),
     ("acme.io/a)b", "https://acme.io/a%29b"), ("HTTP://acme.io", "HTTP://acme.io")],
)  # fmt: skip
def test_links_are_safe(website: str, href: str | None) -> None:
    sel = selected().with_columns(website=pl.lit(website), domain=pl.lit(None, pl.String))
    ctx = brief_contexts(sel.head(1), profiles_info=PROFILES_INFO, as_of=AS_OF)[0]
    assert ctx["account"]["url"] == href


DEPARTMENTS = [
    "Engineering",
    "Product",
    "Design",
    "Marketing",
    "Sales",
    "Customer Success",
    "Finance",
    "Legal",
    "People",
    "IT",
    "Security",
    "Revenue Operations",
    "Support",
]
TECHS = [f"Tool {i:02d}" for i in range(28)] + ["Salesforce", "hubspot crm"]
LIST_PROFILE = """
[profile]
name = "Lists"
tiers = { A = 80, B = 50 }

[[criterion]]
name = "Data stack"
field = "technologies"
matches = "snow|databricks"
weight = 50

[[criterion]]
name = "No legacy CRM"
field = "technologies"
none = ["Siebel"]
weight = 50
"""
VALUES = [
    # (profile, criterion, technologies, departments, breakdown value, Value cell)
    ("b2b", "Has a RevOps function", None, DEPARTMENTS, ", ".join(DEPARTMENTS),
     "Revenue Operations (of 13 departments)"),
    ("b2b", "Has a RevOps function", None, ["Sales", "RevOps"], "Sales, RevOps",
     "RevOps (of 2 departments)"),
    ("b2b", "Has a RevOps function", None, ["RevOps"], "RevOps", "RevOps"),
    ("b2b", "Uses Salesforce or HubSpot", TECHS, None, ", ".join(TECHS),
     "Salesforce, hubspot crm (of 30 technologies)"),
    ("b2b", "Has a RevOps function", None, DEPARTMENTS[:11], ", ".join(DEPARTMENTS[:11]),
     "Engineering, Product, Design, Marketing, Sales, Customer Success, Finance, Legal, People…"),
    ("b2b", "Mid-market size", None, None, "450", "450"),
    ("dict", "Mid-market size", None, None, None, None),
    ("lists", "Data stack", ["Looker", "Snowflake", "dbt"], None, "Looker, Snowflake, dbt",
     "Snowflake (of 3 technologies)"),
    ("lists", "No legacy CRM", ["Looker", "Siebel"], None, "Looker, Siebel",
     "Siebel (of 2 technologies)"),
    # without a Profile (plain dict info) the value is shown as scored, clipped
    ("dict", "Has a RevOps function", None, DEPARTMENTS, ", ".join(DEPARTMENTS),
     ", ".join(DEPARTMENTS)[:89].rstrip(" ,") + "…"),
]  # fmt: skip


@pytest.mark.parametrize(("profile", "criterion", "techs", "depts", "value", "shown"), VALUES)
def test_value_cell_shows_what_matched_first(
    tmp_path: Path, profile: str, criterion: str, techs, depts, value, shown
) -> None:
    from listbuilder.profile import load_profile

    if profile == "lists":
        (tmp_path / "lists.toml").write_text(LIST_PROFILE, encoding="utf-8")
        info: list = [load_profile(tmp_path / "lists.toml")]
    else:
        info = [load_profile("b2b_saas")] if profile == "b2b" else PROFILES_INFO
    sel = (
        selected()
        .head(1)
        .with_columns(
            pl.Series("technologies", [techs], pl.List(pl.String)),
            pl.Series("departments", [depts], pl.List(pl.String)),
            profile=pl.lit(info[0].name if profile != "dict" else PROFILES_INFO[0]["name"]),
        )
    )
    if profile == "dict":  # a breakdown made by hand, without `shown`: its value, clipped
        bd = [{"criterion": criterion, "points": 10.0, "weight": 10.0, "status": "match",
               "value": value}]  # fmt: skip
        sel = sel.with_columns(pl.Series("breakdown", [bd], BREAKDOWN))
    else:  # the breakdown as scoring writes it: briefs only lay out its `shown` cell
        scored = score_companies(sel, info[0]).companies
        entries = [e for e in scored["breakdown"][0] if e["criterion"] == criterion]
        sel = sel.with_columns(pl.Series("breakdown", [entries], scored["breakdown"].dtype))
    ctx = brief_contexts(sel, profiles_info=info, as_of=AS_OF)[0]
    assert ctx["fit"][0]["shown"] == shown
    assert ctx["fit"][0]["value"] == value  # the scored value stays for custom templates
    written = write_outputs(
        tmp_path / "out", selected=sel, rejects=pl.DataFrame(), funnel=FUNNEL,
        profiles_info=info, as_of=AS_OF, brief_formats=("md", "html"),
    )  # fmt: skip
    md = written["briefs/0001-acme.io.md"].read_text(encoding="utf-8")
    status = ctx["fit"][0]["status"]
    cell = shown or ("unknown" if status == "unknown" else "–")
    assert re.search(rf"\| {re.escape(criterion)} \| [^|]+ \| {status} \| {re.escape(cell)} \|", md)
    html = written["briefs/0001-acme.io.html"].read_text(encoding="utf-8")
    assert f'<td class="{status}">{status}</td><td>{cell}</td>' in html


@pytest.mark.parametrize(
    ("days", "text"),
    [(0, "today"), (1, "1 day ago"), (2, "2 days ago"), (1200, "1,200 days ago"),
     (-1, "in 1 day"), (-3, "in 3 days"), (None, "")],
)  # fmt: skip
def test_age_in_words(days: int | None, text: str) -> None:
    assert fmt_ago(days) == text


@pytest.mark.parametrize(("age", "shown"), [(0, "today"), (1, "1 day ago"), (7, "7 days ago")])
def test_signal_ages_read_naturally(tmp_path: Path, age: int, shown: str) -> None:
    sig = [{"kind": "funding", "label": "Raised", "date": AS_OF, "age_days": age,
            "raw_boost": 1.0, "boost": 1.0}]  # fmt: skip
    sel = selected().with_columns(pl.Series("signals", [sig, [], [], []], SIGNALS))
    written = write(tmp_path, sel, brief_formats=("md", "html"))
    md = written["briefs/0001-acme.io.md"].read_text(encoding="utf-8")
    assert f"- 2026-11-22 ({shown}) — Raised (+1.0)" in md
    html = written["briefs/0001-acme.io.html"].read_text(encoding="utf-8")
    assert f"<li>2026-11-22 ({shown}) — Raised (+1.0)" in html
    assert "1 days" not in md + html


def test_markdown_why_without_a_live_signal_is_one_quote_line(tmp_path: Path) -> None:
    md = write(tmp_path)["briefs/0002-evil.example.md"].read_text(encoding="utf-8")
    assert "\n> Uses HubSpot\n\n## Snapshot" in md
    assert "**Now:**" not in md


def sparse_frame() -> pl.DataFrame:
    """Two ranked accounts with every optional field null: one known only by its domain,
    one by nothing at all; null breakdown and signal fields too."""
    bd = [{"criterion": "Mid-market size", "points": None, "weight": None, "status": None,
           "value": None}]  # fmt: skip
    sig = [{k: None for k in SIGNALS.inner.to_schema()}]  # type: ignore[union-attr]
    return pl.DataFrame(
        {"row_id": [1, 2], "name": [None, None], "domain": ["nimilora.net", None],
         "score": [None, None], "breakdown": [bd, None], "signals": [sig, None],
         "source_rows": [None, None], "fit_unknown": [None, None]},
        schema_overrides={"name": pl.String, "score": pl.Float64, "breakdown": BREAKDOWN,
                          "signals": SIGNALS, "source_rows": pl.List(pl.String),
                          "fit_unknown": pl.List(pl.String)},
    )  # fmt: skip


def test_sparse_account_never_prints_none(tmp_path: Path) -> None:
    sel, _ = rank_companies(sparse_frame())
    assert sel["rank"].to_list() == [1, 2]
    written = write_outputs(tmp_path, selected=sel, rejects=pl.DataFrame(), funnel=FUNNEL,
                            profiles_info=[{}], as_of=AS_OF, brief_formats=("md", "html"),
                            crm=("hubspot", "salesforce"))  # fmt: skip
    pages = [r for r in written if r.startswith("briefs/") or r == "report.html"]
    assert len(pages) == 7  # 2 briefs x 2 formats, 2 indexes, the report
    for rel in pages:
        text = written[rel].read_text(encoding="utf-8")
        assert re.search(r"\bNone\b", text) is None, rel
        assert "nan" not in text.split(), rel
    md = written["briefs/0001-nimilora.net.md"].read_text(encoding="utf-8")
    assert md.startswith("# #1 nimilora.net (name missing in the source list)\n")
    assert "· nimilora.net" not in md  # the domain is not repeated after the fallback name
    assert "Source rows not recorded. Data as of 2026-11-22." in md
    html = written["briefs/0001-nimilora.net.html"].read_text(encoding="utf-8")
    assert "<title>#1 nimilora.net</title>" in html
    assert '<span class="muted">(name missing in the source list)</span>' in html
    other = written["briefs/0002-account.md"].read_text(encoding="utf-8")
    assert other.startswith("# #2 unnamed account (name missing in the source list)\n")
    index = written["briefs/index.md"].read_text(encoding="utf-8")
    assert "| 1 | nimilora.net |" in index
    report = written["report.html"].read_text(encoding="utf-8")
    assert 'nimilora.net</a> <span class="muted">(name missing)</span>' in report
    for crm in ("hubspot_import.csv", "salesforce_import.csv"):
        names = pl.read_csv(written[crm], infer_schema=False)["Name"].to_list()
        assert names == ["nimilora.net", "unnamed account"], crm


def test_size_line_shows_a_vendor_band_not_its_midpoint(tmp_path: Path) -> None:
    # Acme's 1,001-5,000 band (point 3000), Initech's open 10,001+ band, Globex no data
    sel = selected().with_columns(
        employees=pl.Series([3000, 1200, None, 10001], dtype=pl.Int64),
        employees_min=pl.Series([1001, None, None, 10001], dtype=pl.Int64),
        employees_max=pl.Series([5000, None, None, None], dtype=pl.Int64),
        # as scoring reads the bands (tests/test_score.py: test_employees_band_column)
        employees_band=pl.Series(["1,001–5,000", None, None, "10,001+"], dtype=pl.String),
    )
    written = write(tmp_path, sel, brief_formats=("md", "html"))
    by_name = {p.name: p.read_text(encoding="utf-8") for k, p in written.items() if "briefs/" in k}
    md = next(t for n, t in by_name.items() if n.endswith("acme.io.md"))
    html = next(t for n, t in by_name.items() if n.endswith("acme.io.html"))
    assert "**Size:** 1,001–5,000 employees" in md
    assert "3,000" not in md and "3000 employees" not in md
    assert "<strong>Size:</strong> 1,001–5,000 employees" in html
    other = next(t for n, t in by_name.items() if "evil.example" in n and n.endswith(".md"))
    assert "**Size:** 1,200 employees" in other  # an exact count as before
    initech = [t for n, t in by_name.items() if n.endswith(".md") and "Initech" in t]
    assert initech and re.search(r"\*\*Size:\*\* 10,001\\?\+ employees", initech[0])


def test_a_straddling_band_is_not_reported_as_missing_data() -> None:
    from listbuilder.export.briefs import brief_context

    fit = [
        {"criterion": "Mid-market size", "points": 0.0, "weight": 30.0, "status": "unknown",
         "value": "1,001–5,000"},
        {"criterion": "Series B or later", "points": 0.0, "weight": 15.0, "status": "unknown",
         "value": None},
    ]  # fmt: skip
    row = {"name": "Acme", "employees": 3000, "employees_min": 1001, "employees_max": 5000,
           "employees_band": "1,001–5,000", "breakdown": fit}  # fmt: skip
    ctx = brief_context(row, profiles_info=[], as_of=AS_OF, countries={})
    assert ctx["account"]["employees_band"] == "1,001–5,000"
    assert ctx["unknown"] == ["Series B or later"]
    assert ctx["unsure"] == ["Mid-market size (1,001–5,000)"]
