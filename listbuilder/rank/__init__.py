"""Ranking, the capacity cut, fit x timing priority and SDR assignment.

`rank_companies` orders the scored accounts, keeps one per domain and parent,
applies tier quotas and cuts to what the team can work; `assign_reps` splits the
selection among reps by territory, balanced by count and tier.
"""

from __future__ import annotations

from listbuilder.rank.assign import Assignment, Rep, assign_reps, read_reps
from listbuilder.rank.order import (
    priority_expr,
    priority_label,
    rank_companies,
    sort_companies,
    timing_tier_expr,
)

__all__ = [
    "Assignment",
    "Rep",
    "assign_reps",
    "priority_expr",
    "priority_label",
    "rank_companies",
    "read_reps",
    "sort_companies",
    "timing_tier_expr",
]
