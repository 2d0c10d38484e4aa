"""Fuzzy dedupe with lineage, and suppression against CRM exports."""

from __future__ import annotations

from listbuilder.dedupe.explain import PairExplanation, explain_pair
from listbuilder.dedupe.merge import Deduped, dedupe_companies
from listbuilder.dedupe.model import MatchModel
from listbuilder.dedupe.settings import DedupeSettings, parse_dedupe_settings
from listbuilder.dedupe.suppress import read_suppression, suppress_companies

__all__ = [
    "DedupeSettings",
    "Deduped",
    "MatchModel",
    "PairExplanation",
    "dedupe_companies",
    "explain_pair",
    "parse_dedupe_settings",
    "read_suppression",
    "suppress_companies",
]
