"""Scoring: hard filters, weighted criteria and explanations, compiled from profiles.

`score_companies(df, profiles)` is the pipeline stage; `measure_coverage` says how
much of a list each criterion can see; `explain_account` prints one account's
breakdown; `tier_expr` maps a score column to the profile's tiers.
"""

from __future__ import annotations

from listbuilder.score.compile import BREAKDOWN_DTYPE, tier_expr
from listbuilder.score.coverage import Coverage, measure_coverage
from listbuilder.score.scoring import Scored, score_companies

__all__ = [
    "BREAKDOWN_DTYPE",
    "Coverage",
    "Scored",
    "measure_coverage",
    "score_companies",
    "tier_expr",
]
