"""The learned draft profile: `Draft`, and its TOML with the evidence beside every rule.

`learn_profile` (`listbuilder.learn.learn`) fills a `Draft`; `draft_toml` renders it
(`Draft.to_toml` calls it); `write_draft` writes it atomically.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path

from listbuilder.export.files import write_text_atomic
from listbuilder.learn.model import DraftRule, Segment
from listbuilder.profile.conditions import toml_value

DRAFT_TIERS = {"A": 75, "B": 50, "C": 25}


@dataclass
class Draft:
    """A learned profile (`to_toml` is the file) and what was said about it."""

    source: str
    as_of: dt.date
    best: str
    good: int
    bad: int
    criteria: list[DraftRule]
    requires: list[DraftRule]
    excludes: list[DraftRule]
    too_little: list[Segment]
    no_signal: list[str]
    reason: str = ""
    summary: list[str] = dc_field(default_factory=list)

    def to_toml(self) -> str:
        return draft_toml(self)


def _rule_toml(rule: DraftRule) -> list[str]:
    lines = [f"# evidence: {rule.evidence}"]
    if rule.coefficient is not None and rule.kind == "criterion":
        lines.append(
            f"# regression coefficient {rule.coefficient:.2f} (odds ×"
            f"{math.exp(rule.coefficient):.2f} when matched, other rules held equal)"
        )
    if len(rule.segments) > 1:
        for s in rule.segments:
            lines.append(f"#   {s.label}: {s.evidence()}")
    lines += [
        f"[[{rule.kind}]]",
        f"name = {toml_value(rule.name)}",
        f"field = {toml_value(rule.field)}",
        f"{rule.op} = {toml_value(rule.value)}",
    ]
    if rule.kind == "criterion":
        lines.append(f"weight = {rule.weight}")
    return [*lines, ""]


def draft_toml(draft: Draft) -> str:
    """The draft profile as TOML, a comment with the evidence beside every rule."""
    best = (
        "won deals not churned within 12 months"
        if draft.best == "won"
        else "the top quartile by value (amount + expansion) of won deals not churned in 12 months"
    )
    name = Path(draft.source).name if draft.source else "deals"
    lines = [
        f"# Draft ICP learned by `listbuilder learn` from {draft.source or 'deals'} "
        f"(as of {draft.as_of.isoformat()}).",
        f"# Best customers: {best} ({draft.good}); compared with lost or churned deals "
        f"({draft.bad}).",
        "# Method: per attribute, the split (band range or top values by win rate) that separates",
        "# best customers most clearly (z >= 3, lift interval above 1); tools and departments",
        "# that only echo another rule are dropped by a logistic regression; weights are",
        "# proportional to an L2-regularised logistic regression over the rules.",
        "# A draft: read each rule's evidence, then `listbuilder backtest` it before using it.",
    ]
    if draft.no_signal:
        lines.append(
            f"# No signal (no value wins significantly more often): {', '.join(draft.no_signal)}."
        )
    if draft.too_little:
        shown = ", ".join(f"{s.label} ({s.n})" for s in draft.too_little[:12])
        more = f" and {len(draft.too_little) - 12} more" if len(draft.too_little) > 12 else ""
        lines.append(
            f"# Too little data (fewer closed deals than the minimum), not used: {shown}{more}."
        )
    tiers = ", ".join(f"{k} = {v}" for k, v in DRAFT_TIERS.items())
    lines += [
        "",
        "[profile]",
        f"name = {toml_value(f'Learned from {name}')}",
        f"description = {toml_value(f'Drafted from {draft.good + draft.bad} closed deals')}",
        f"tiers = {{ {tiers} }}",
        "",
    ]
    for rule in [*draft.requires, *draft.excludes, *draft.criteria]:
        lines += _rule_toml(rule)
    return "\n".join(lines).rstrip("\n") + "\n"


def write_draft(path: Path, draft: Draft) -> Path:
    """Write the draft profile atomically."""
    return write_text_atomic(path, draft.to_toml())
