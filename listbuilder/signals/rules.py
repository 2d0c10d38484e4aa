"""Signal rules: the profile's `[[signal]]` tables, validated.

PLACEHOLDER until the signals work lands: accepts any table. The contract:
``parse_signal_rules(tables) -> (rules, problems)`` where problems are
``(index of the [[signal]] table, message)`` pairs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SignalRule:
    kind: str
    boost: float
    half_life_days: float | None = None
    max_age_days: float | None = None
    options: dict[str, Any] = field(default_factory=dict)


def parse_signal_rules(tables: list[dict[str, Any]]) -> tuple[list[SignalRule], list[tuple[int, str]]]:
    rules = [
        SignalRule(
            kind=str(t.get("kind")),
            boost=float(t.get("boost", 0)),
            half_life_days=t.get("half_life_days"),
            max_age_days=t.get("max_age_days"),
        )
        for t in tables
    ]
    return rules, []
