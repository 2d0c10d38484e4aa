"""Fuzzy dedupe with lineage, and suppression against CRM exports."""

from __future__ import annotations

from listbuilder.dedupe.merge import Deduped, dedupe_companies
from listbuilder.dedupe.settings import DedupeSettings, parse_dedupe_settings
from listbuilder.dedupe.suppress import read_suppression, suppress_companies

__all__ = [
    "DedupeSettings",
    "Deduped",
    "dedupe_companies",
    "parse_dedupe_settings",
    "read_suppression",
    "suppress_companies",
]
