"""Which deals match a candidate rule, decided by the scoring compiler.

`learn` tries many rules (one segment, a run of bands, the top values of a field).
Each is written as the `[[criterion]]` table it would become in the draft, parsed by
`profile.conditions` and compiled by `score.compile`, so a deal matches a candidate
exactly when scoring would give that criterion the status "match": the field has
data and the condition holds. An employee band straddling a bound (`1,001–5,000`
for 1000–4999) matches neither side, as in `backtest`. Nothing here knows an operator.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl

from listbuilder.profile.conditions import parse_condition, toml_value
from listbuilder.profile.model import Condition, Criterion, Profile
from listbuilder.score.compile import Plan, compile_condition
from listbuilder.score.scoring import with_fields

# (field, operator, value), as in a draft's `field = ...` and `<operator> = <value>`
RuleSpec = tuple[str, str, Any]


def rule_condition(fld: str, op: str, value: Any) -> Condition | None:
    """The condition `field = fld` / `op = value` reads as in a loaded profile; None when a
    profile cannot hold it (a country code outside ISO 3166, such as XK)."""
    problems: list[str] = []
    condition = parse_condition(
        {"field": fld, op: value},
        kind="criterion",
        groups={},
        say=lambda message, *_: problems.append(message),
    )
    return None if problems else condition


def _candidates(conditions: Iterable[Condition]) -> Profile:
    """The conditions as zero-weight criteria: what `with_fields` reads to prepare a frame."""
    criteria = tuple(Criterion(f"c{i}", c, 0.0) for i, c in enumerate(conditions))
    return Profile(name="learn candidates", slug="learn", path=None, criteria=criteria, tiers=())


def match_conditions(frame: pl.DataFrame, conditions: Sequence[Condition]) -> list[pl.Series]:
    """Per condition, a Boolean Series (never null) over `frame`: the criterion's status
    would be "match" (`compile_condition`'s present and hit)."""
    if not conditions:
        return []
    plan = Plan()
    compiled = [compile_condition(plan, f"m{i}", c) for i, c in enumerate(conditions)]
    ready = plan.apply(with_fields(frame, [_candidates(conditions)]), range(Plan.SELECT))
    names = [f"__learn_m{i}" for i in range(len(compiled))]
    table = ready.with_columns(
        (c.present & c.hit).fill_null(False).alias(name)
        for c, name in zip(compiled, names, strict=True)
    ).select(names)
    return [table.get_column(name) for name in names]


class RuleMatcher:
    """The deals that match candidate rules, each rule compiled once and remembered."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self._matched: dict[tuple[str, str, str], pl.Series] = {}

    def matches(self, rules: Sequence[RuleSpec]) -> list[pl.Series]:
        """Per rule, which deals match it (Boolean, never null); one pass for the new ones.

        Every rule must be one a profile can hold (`rule_condition` is not None).
        """
        keys = [(fld, op, toml_value(value)) for fld, op, value in rules]
        new: dict[tuple[str, str, str], Condition] = {}
        for key, (fld, op, value) in zip(keys, rules, strict=True):
            if key not in self._matched and key not in new:
                condition = rule_condition(fld, op, value)
                if condition is None:
                    raise ValueError(f"not a profile rule: {fld} {op} {toml_value(value)}")
                new[key] = condition
        found = match_conditions(self.frame, list(new.values()))
        self._matched.update(zip(new, found, strict=True))
        return [self._matched[key] for key in keys]

    def match(self, fld: str, op: str, value: Any) -> pl.Series:
        """Which deals match one rule."""
        return self.matches([(fld, op, value)])[0]

    def known(self, fld: str) -> pl.Series:
        """Which deals have data for `fld` (as scoring's `exists`)."""
        return self.match(fld, "exists", True)
