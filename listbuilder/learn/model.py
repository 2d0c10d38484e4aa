"""The parts of a learned draft: segments of the deals and the draft's rules.

Shared by `learn` (which measures them) and `draft` (which writes them as TOML), so
neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from listbuilder.learn.backtest import pct, times


@dataclass(frozen=True)
class Segment:
    """One attribute value (or band) and how its deals did against the rest."""

    field: str
    value: Any  # a string, or (low, high) for a band
    label: str
    n: int  # closed, labelled deals in the segment
    good: int
    rest_n: int
    rest_good: int
    lift: float | None
    low: float | None
    high: float | None

    @property
    def rate(self) -> float | None:
        return self.good / self.n if self.n else None

    @property
    def rest_rate(self) -> float | None:
        return self.rest_good / self.rest_n if self.rest_n else None

    def evidence(self) -> str:
        return (
            f"{self.n} deals, win rate {pct(self.rate)} vs {pct(self.rest_rate)} for the rest, "
            f"lift {times(self.lift)} ({times(self.low)}–{times(self.high)})"
        )


@dataclass
class DraftRule:
    """A draft criterion or hard filter: a field, an operator, the values, the evidence.

    `measured` holds the counts `evidence` quotes: for a criterion or require, the rule
    itself among all labelled deals, matched as scoring matches it (deals without data
    are in the rest), so they equal `backtest`'s for the same rule.
    """

    kind: str  # criterion | require | exclude
    name: str
    field: str
    op: str
    value: Any
    evidence: str
    segments: list[Segment] = dc_field(default_factory=list)
    coefficient: float | None = None
    weight: int = 0
    measured: Segment | None = None
