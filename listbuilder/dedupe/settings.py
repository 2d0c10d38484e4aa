"""Dedupe settings: the profile's optional `[dedupe]` table, with defaults.

PLACEHOLDER until the dedupe work lands. The contract:
``parse_dedupe_settings(table) -> (settings, problems)`` where problems are
messages naming the key path (``dedupe.name_threshold: ...``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DedupeSettings:
    name_threshold: float = 90.0


def parse_dedupe_settings(table: dict[str, Any] | None) -> tuple[DedupeSettings, list[str]]:
    return DedupeSettings(), []
