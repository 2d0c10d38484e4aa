"""Explain one account: every hard filter, every criterion's points, and the signal boosts.

Runs the same compiled expressions as `score_companies` on the matching row, so
the explanation can never disagree with the score.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from listbuilder.errors import InputError
from listbuilder.profile.model import Profile
from listbuilder.score.compile import ProfileColumns, shown_cell
from listbuilder.score.scoring import as_profiles, compile_all, with_fields
from listbuilder.suggest import find_close_names


@dataclass(frozen=True)
class FilterResult:
    kind: str  # require | exclude
    rule: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class CriterionResult:
    criterion: str
    value: str | None
    points: float
    weight: float
    status: str


@dataclass(frozen=True)
class ProfileResult:
    profile: str
    slug: str
    passed: bool
    fit_score: float
    tier: str | None
    priority: bool  # at or above the profile's priority tier (priority routing)
    why: str
    filters: tuple[FilterResult, ...]
    criteria: tuple[CriterionResult, ...]
    # the build's priority cell: fit tier x timing tier ("A1"), when the timing is known
    cell: str | None = None
    action: str | None = None  # what the cell asks the SDR to do ("call today")
    confidence: float = 1.0  # the share of the criteria's weight with data (0-1)
    reachable: float = 100.0  # the best fit score this account's data allows


@dataclass(frozen=True)
class Explanation:
    """One account against each profile; `best` is the profile it would be scored under."""

    account: dict[str, Any]
    results: tuple[ProfileResult, ...]
    best: str | None
    matches: int  # rows that matched ACCOUNT (the first is explained)
    signal_score: float | None = None
    why_now: str | None = None
    boosts: tuple[dict[str, Any], ...] = ()

    @property
    def text(self) -> str:
        """What `listbuilder explain` prints."""
        return format_explanation(self)


def _domain_of(text: str) -> str:
    host = re.sub(r"^[a-z]+://", "", text.strip().lower()).split("/")[0].split("@")[-1]
    return host.removeprefix("www.")


def find_account(df: pl.DataFrame, account: str) -> pl.DataFrame:
    """Rows whose domain, website host or name (case-insensitive) is ACCOUNT."""
    wanted, host = account.strip().lower(), _domain_of(account)
    tests = []
    if "domain" in df.columns:
        tests.append(pl.col("domain").str.to_lowercase() == host)
    if "name" in df.columns:
        tests.append(pl.col("name").str.strip_chars().str.to_lowercase() == wanted)
    if "name_key" in df.columns:
        key = re.sub(r"[^\w]+", " ", wanted).strip()
        tests.append(pl.col("name_key") == key)
    if not tests:
        raise InputError("the list has neither a domain nor a name column to find the account in")
    found = df.filter(pl.any_horizontal([t.fill_null(False) for t in tests]))
    if found.height:
        return found
    names = (
        df.get_column("name").drop_nulls().unique(maintain_order=True).to_list()
        if ("name" in df.columns)
        else []
    )
    near = find_close_names(account, names)
    hint = "; did you mean " + ", ".join(f'"{n}"' for n in near) + "?" if near else ""
    raise InputError(
        f'no account "{account}" in the list (looked for it as a domain and as a name){hint}'
    )


def explain_account(
    df: pl.DataFrame,
    account: str,
    profiles: Profile | Iterable[Profile],
    *,
    signal_scores: pl.DataFrame | None = None,
    timing: bool | None = None,
) -> Explanation:
    """Explain how ACCOUNT (a domain or a name) fares against each profile.

    `signal_scores` is `score_signals(...).scores` for the list (optional): its
    row for the account adds the boosts. `timing` says whether those scores are all the
    signals a build would see (default: whenever `signal_scores` is given); only then is
    the priority cell (fit tier x timing tier, as `rank` assigns it) shown.
    """
    chosen = as_profiles(profiles)
    found = find_account(df, account)
    plan, columns = compile_all(chosen)
    row = plan.apply(with_fields(found.head(1), chosen))
    results = [_explain_profile(row, p, c) for p, c in zip(chosen, columns, strict=True)]
    passing = [r for r in results if r.passed]
    best = max(passing, key=lambda r: r.fit_score).profile if passing else None
    record = {
        k: v
        for k, v in row.row(0, named=True).items()
        if k
        in (
            "row_id",
            "name",
            "domain",
            "website",
            "source",
            "line",
            "country",
            "industry",
            "employees",
            "quality",
        )
    }
    signal_score = why_now = None
    boosts: tuple[dict[str, Any], ...] = ()
    if signal_scores is not None and "row_id" in row.columns and signal_scores.height:
        mine = signal_scores.filter(pl.col("row_id") == row["row_id"][0])
        if mine.height:
            first = mine.row(0, named=True)
            signal_score, why_now = first.get("signal_score"), first.get("why_now")
            boosts = tuple(first.get("signals") or ())
    if signal_scores is not None and (timing is None or timing):
        by_name = {p.name: p for p in as_profiles(profiles)}
        ages = [int(b["age_days"]) for b in boosts if b.get("age_days") is not None]
        freshest = min(ages) if ages else None
        results = [_with_cell(r, signal_score, by_name.get(r.profile), freshest) for r in results]
    return Explanation(record, tuple(results), best, found.height, signal_score, why_now, boosts)


def _with_cell(
    result: ProfileResult,
    signal_score: float | None,
    profile: Profile | None = None,
    freshest: int | None = None,
) -> ProfileResult:
    """The priority cell the ranking would give: fit tier letter + timing digit, with the
    profile's live/strong signal thresholds and age limit, as `build` ranks."""
    from listbuilder.rank import priority_label, timing_tier_expr

    if not result.passed or result.tier is None:
        return result
    days = profile.live_signal_days if profile is not None else None
    if days is not None and freshest is not None and freshest > days:
        signal_score = 0.0  # the freshest signal is past live_signal_days: timing 3
    timing = pl.DataFrame({"signal_score": [signal_score]}, schema={"signal_score": pl.Float64})
    if profile is not None:
        expr = timing_tier_expr(
            strong_signal=profile.strong_signal, weak_signal=profile.live_signal
        )
    else:
        expr = timing_tier_expr()
    digit = timing.select(expr).item()
    cell = f"{result.tier}{digit}"
    return replace(result, cell=cell, action=priority_label(cell))


def _explain_profile(row: pl.DataFrame, profile: Profile, columns: ProfileColumns) -> ProfileResult:
    filters = []
    for rule in columns.rules:
        ok, failed, shown = row.select(
            rule.ok.alias("ok"), rule.detail.alias("failed"), rule.shown.alias("shown")
        ).row(0)
        filters.append(
            FilterResult(rule.rule.kind, rule.rule.label, bool(ok), (shown if ok else failed) or "")
        )
    for criterion in profile.criteria:
        if criterion.on_missing == "exclude":
            has = row.select(columns.present[criterion.name]).item()
            detail = "has data" if has else f"{criterion.condition.field} missing"
            filters.append(FilterResult("on_missing", criterion.name, bool(has), detail))
    score, why, breakdown, confidence, reachable = row.select(
        columns.fit_score.alias("s"),
        columns.why.alias("w"),
        columns.breakdown.alias("b"),
        columns.confidence.alias("c"),
        columns.reachable.alias("r"),
    ).row(0)
    # A list value shows what matched first ("Salesforce (of 13 technologies)"), so a
    # long technology list never hides the item that earned the points.
    criteria = tuple(
        CriterionResult(
            e["criterion"],
            shown_cell(e) if e["value"] is not None else None,
            e["points"],
            e["weight"],
            e["status"],
        )
        for e in breakdown
    )
    floor = profile.priority_threshold
    return ProfileResult(
        profile.name,
        profile.slug,
        all(f.passed for f in filters),
        float(score),
        profile.tier_of(score),
        floor is not None and score >= floor,
        why,
        tuple(filters),
        criteria,
        confidence=float(confidence),
        reachable=float(reachable),
    )


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        indent + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in rows
    ]


def format_explanation(explanation: Explanation) -> str:
    """The explanation as the text table `listbuilder explain` prints."""
    acc = explanation.account
    where = f" — {acc['source']} line {acc['line']}" if acc.get("source") else ""
    title = f"{acc.get('name') or '?'} ({acc.get('domain') or 'no domain'}){where}"
    lines = [title]
    if acc.get("quality"):
        lines.append(f"Data quality: {acc['quality']}")
    if explanation.matches > 1:
        lines.append(
            f"({explanation.matches} rows match; showing the first — give a domain to pick another)"
        )
    for result in explanation.results:
        verdict = (
            (
                f"fit {_num(result.fit_score)}, confidence {result.confidence:.2f}, "
                f"tier {result.tier or '—'}"
                + (f", priority {result.cell} ({result.action})" if result.cell else "")
            )
            if result.passed
            else (
                f"rejected (fit would be {_num(result.fit_score)}, confidence "
                f"{result.confidence:.2f})"
            )
        )
        marker = (
            " (best)" if result.profile == explanation.best and len(explanation.results) > 1 else ""
        )
        lines += ["", f"Profile: {result.profile}{marker} — {verdict}"]
        if result.filters:
            lines.append("Hard filters")
            lines += _table(
                [
                    ["✓ passed" if f.passed else "✗ FAILED", f.kind, f.rule, f.detail]
                    for f in result.filters
                ]
            )
        lines.append("Criteria")
        rows = [["criterion", "value", "points", "status"]] + [
            [
                c.criterion,
                c.value or ("unknown" if c.status == "unknown" else "—"),
                f"{_num(c.points)}/{_num(c.weight)}",
                c.status,
            ]
            for c in result.criteria
        ]
        lines += _table(rows)
        lines.append(f"Why: {result.why}")
        if result.confidence < 1:
            lines.append(
                f"Confidence {result.confidence:.2f}: data for {result.confidence:.0%} of the "
                f"weight; the best fit this data allows is {_num(round(result.reachable, 1))}"
            )
    if explanation.signal_score is not None:
        lines += [
            "",
            f"Signals: +{_num(explanation.signal_score)}"
            + (f" — {explanation.why_now}" if explanation.why_now else ""),
        ]
        rows = [
            [
                str(b.get("kind")),
                str(b.get("label") or ""),
                f"{b.get('date')}",
                f"{_num(b.get('age_days'))} d",
                f"{_num(b.get('raw_boost'))} → {_num(b.get('boost'))}",
            ]
            for b in explanation.boosts
        ]
        if rows:
            lines += _table(rows)
    return "\n".join(lines)


__all__ = ["Explanation", "explain_account", "find_account", "format_explanation"]
