"""Coverage before scoring: how much of the list each criterion and hard filter can see.

A purchased list rarely has every field a profile reads. A criterion on a field the
list lacks can never earn its points, so the best score an account can reach may
sit below the lowest tier, and the build selects nothing. `measure_coverage` says,
per profile, the share of accounts whose field is known for each rule and criterion
and the best fit any account could reach; `absent_warnings` names the criteria no
account has data for; `diagnose_empty` turns an empty selection into one line that
says why, with the fixes. The presence tests are the scoring plan's own, so
coverage and scores never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from listbuilder.profile.model import Profile
from listbuilder.score.scoring import as_profiles, compile_all, with_fields

_BAR = 20  # characters of a coverage bar on the terminal


@dataclass(frozen=True)
class CoverageLine:
    """One rule or criterion: the fields it reads and how many accounts have them."""

    kind: str  # "criterion" | "require" | "exclude"
    name: str
    fields: tuple[str, ...]
    known: int
    total: int
    weight: float | None = None  # criteria only
    on_missing: str | None = None

    @property
    def share(self) -> float:
        return self.known / self.total if self.total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "fields": list(self.fields),
            "weight": self.weight,
            "on_missing": self.on_missing,
            "known": self.known,
            "total": self.total,
            "share": round(self.share, 4),
        }


@dataclass(frozen=True)
class Coverage:
    """A profile's coverage on a frame, and the best fit score any account could reach."""

    profile: str
    slug: str
    accounts: int
    lines: tuple[CoverageLine, ...]
    reachable: float  # 0-100, the highest `fit_reachable` of any account
    lowest_tier: tuple[str, float] | None = None
    absent: tuple[CoverageLine, ...] = field(default=())  # criteria no account has data for

    @property
    def criteria(self) -> tuple[CoverageLine, ...]:
        return tuple(line for line in self.lines if line.kind == "criterion")

    @property
    def rules(self) -> tuple[CoverageLine, ...]:
        return tuple(line for line in self.lines if line.kind != "criterion")

    def as_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "slug": self.slug,
            "accounts": self.accounts,
            "reachable_fit": round(self.reachable, 1),
            "lowest_tier": (
                {"tier": self.lowest_tier[0], "score": self.lowest_tier[1]}
                if self.lowest_tier
                else None
            ),
            "criteria": [line.as_dict() for line in self.criteria],
            "rules": [line.as_dict() for line in self.rules],
        }


def _fields(condition: Any) -> tuple[str, ...]:
    cross = sorted({t.field for i in condition.items for t in i.terms} - {condition.field})
    return (condition.field, *cross)


def measure_coverage(df: pl.DataFrame, profiles: Profile | Iterable[Profile]) -> list[Coverage]:
    """Per profile: the share of `df`'s rows with data for each hard filter and criterion,
    and the best fit score any row could reach on the data it has."""
    chosen = as_profiles(profiles)
    plan, results = compile_all(chosen)
    frame = with_fields(df, chosen)
    exprs: dict[str, pl.Expr] = {}
    for i, result in enumerate(results):
        for j, rule in enumerate(result.rules):
            exprs[f"{i}:r{j}"] = rule.known.cast(pl.Int64).sum()
        for name, present in result.present.items():
            exprs[f"{i}:c:{name}"] = present.cast(pl.Int64).sum()
        exprs[f"{i}:reach"] = result.reachable.max()
    roots = set(plan.roots())  # once: a list can have a thousand columns
    narrow = frame.select(c for c in frame.columns if c in roots)
    row = plan.apply(narrow.lazy(), range(plan.SELECT)).select(**exprs).collect().row(0, named=True)
    total = frame.height
    out = []
    for i, profile in enumerate(chosen):
        lines = [
            CoverageLine(
                rule.kind,
                rule.label,
                _fields(rule.condition),
                int(row[f"{i}:r{j}"] or 0),
                total,
                on_missing=rule.on_missing,
            )
            for j, rule in enumerate(profile.rules)
        ]
        lines += [
            CoverageLine(
                "criterion",
                c.name,
                _fields(c.condition),
                int(row[f"{i}:c:{c.name}"] or 0),
                total,
                c.weight,
                c.on_missing,
            )
            for c in profile.criteria
        ]
        reach = float(row[f"{i}:reach"] or 0.0) if total else 0.0
        absent = tuple(x for x in lines if x.kind == "criterion" and x.known == 0 and total)
        lowest = profile.tiers[-1] if profile.tiers else None
        out.append(Coverage(profile.name, profile.slug, total, tuple(lines), reach, lowest, absent))
    return out


def _points(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _bar(share: float) -> str:
    full = round(share * _BAR)
    return "█" * full + "·" * (_BAR - full)


def format_coverage(coverages: Sequence[Coverage]) -> str:
    """The coverage table `build` and `inspect --profile` print, one block per profile."""
    blocks = []
    for cov in coverages:
        lines = [
            f'Coverage of "{cov.profile}" on {cov.accounts:,} accounts '
            "(share with the field known):"
        ]
        width = max((len(x.name) for x in cov.lines), default=0)
        for x in cov.lines:
            points = f"{_points(x.weight):>3} pts" if x.weight is not None else " " * 7
            lines.append(
                f"  {x.kind:<9} {x.name:<{width}}  {points}  {x.share:>6.1%} {_bar(x.share)}  "
                f"{', '.join(x.fields)}"
            )
        lines.append(f"  best reachable fit score: {_points(round(cov.reachable, 1))} of 100")
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def absent_warnings(coverages: Sequence[Coverage]) -> list[str]:
    """One warning per criterion whose field no account has, with the points it holds."""
    out = []
    for cov in coverages:
        for x in cov.absent:
            out.append(
                f'warning: {cov.slug}: criterion "{x.name}" ({_points(x.weight)} points) reads '
                f"{' / '.join(x.fields)}, which no input provides: no account can earn its points"
            )
    return out


def _missing_text(cov: Coverage) -> str:
    if cov.absent:
        parts = [f"{' / '.join(x.fields)} ({_points(x.weight)} points)" for x in cov.absent]
        return "no data for " + ", ".join(parts)
    thin = sorted(cov.criteria, key=lambda x: x.share)[:3]
    return "thin data for " + ", ".join(f"{x.fields[0]} ({x.share:.0%} known)" for x in thin)


def diagnose_empty(
    coverage: Coverage,
    *,
    reachable: float,
    best: float | None,
    reasons: dict[str, int],
    passed: int,
    min_confidence: float = 0.0,
    best_confidence: float | None = None,
    alternatives: Sequence[tuple[str, float]] = (),
) -> list[str]:
    """Why a build selected nothing: one line naming the profile, the tier and the
    reachable maximum, then one line per fix. `reachable` is the best score any account
    passing the hard filters could reach (signal boosts included), `best` the best it
    reached, `reasons` the hard-filter rejects, `alternatives` shipped profiles whose
    criteria this list covers well enough (name, reachable fit)."""
    if passed == 0:
        line, fixes = _explain_no_pass(coverage, reasons)
    else:
        line, fixes = _explain_no_tier(
            coverage,
            reachable=reachable,
            best=best,
            min_confidence=min_confidence,
            best_confidence=best_confidence,
        )
    for other, reach in alternatives:
        fixes.append(
            f"use a profile written for this data: --profile {other} "
            f"(reachable {_points(round(reach, 1))} on this list)"
        )
    if not alternatives and passed:
        fixes.append("write a profile for the fields this list has (see docs/vendor_fields.md)")
    return [line, *(f"  try: {f}" for f in fixes)]


def _enrich_fix(coverage: Coverage) -> str | None:
    """The enrich command that fills the fields no account has (None: every field is seen)."""
    missing = [f for x in coverage.absent for f in x.fields[:1]]
    if not missing:
        return None
    return (
        "fill "
        + ", ".join(dict.fromkeys(missing))
        + " from a data provider: listbuilder enrich LIST --providers providers.toml --out "
        "enriched.csv (or build --enrich providers.toml)"
    )


def _explain_no_pass(coverage: Coverage, reasons: dict[str, int]) -> tuple[str, list[str]]:
    """No account passed the hard filters: a rule on a field no input has, else the two
    commonest reject reasons."""
    name = coverage.slug
    absent_rules = [x for x in coverage.rules if x.known == 0 and coverage.accounts]
    if not absent_rules:
        top = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:2]
        shown = ", ".join(f'"{r}" {n:,}' for r, n in top) or "none"
        line = (
            f"{name}: no account passes the hard filters (reachable maximum 0); rejected by {shown}"
        )
        return line, ["check the [[require]] / [[exclude]] rules against this list"]
    rule = absent_rules[0]
    line = (
        f'{name}: no account passes the hard filters (reachable maximum 0): {rule.kind} "'
        f'{rule.name}" reads {" / ".join(rule.fields)}, which no input provides'
    )
    fixes = [
        f"fill {rule.fields[0]} from a data provider: listbuilder enrich LIST --providers "
        "providers.toml --out enriched.csv"
    ]
    if rule.kind == "require":
        fixes.append(
            f'let accounts without it through: on_missing = "pass" on the [[require]] "{rule.name}"'
        )
    return line, fixes


def _explain_no_tier(
    coverage: Coverage,
    *,
    reachable: float,
    best: float | None,
    min_confidence: float,
    best_confidence: float | None,
) -> tuple[str, list[str]]:
    """Accounts passed but none reached the lowest tier: too little data for
    `min_confidence`, a reachable maximum below the tier, or simply no close fit."""
    name = coverage.slug
    tier, floor = coverage.lowest_tier or ("", 0.0)
    enrich = _enrich_fix(coverage)
    if min_confidence > 0 and (best_confidence is None or best_confidence < min_confidence):
        line = (
            f"{name}: no account reaches min_confidence {min_confidence:g}: the best has "
            f"data for {best_confidence or 0:.0%} of the criteria's weight; "
            f"{_missing_text(coverage)}"
        )
        return line, [enrich or "enrich the thin fields", "lower min_confidence in [profile]"]
    fixes = [enrich] if enrich else []
    if reachable < floor:
        line = (
            f"{name}: no account can reach tier {tier} ({_points(floor)}): the best "
            f"reachable score on this list is {_points(round(reachable, 1))} of 100; "
            f"{_missing_text(coverage)}"
        )
        fixes.append(
            'score on the fields the list has: on_missing = "neutral" in [profile] '
            "(with min_confidence to keep the thinnest rows out)"
        )
    else:
        line = (
            f"{name}: no account reached tier {tier} ({_points(floor)}): the best score is "
            f"{_points(round(best or 0.0, 1))} (reachable {_points(round(reachable, 1))})"
        )
        fixes.append("no account of this list fits the profile closely enough: try another list")
    return line, fixes
