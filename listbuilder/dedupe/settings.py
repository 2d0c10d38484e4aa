"""Dedupe settings: the profile's optional `[dedupe]` table, with defaults.

``parse_dedupe_settings(table) -> (settings, problems)`` validates the table and
returns every problem as a message naming the key path (``dedupe.name_threshold:
...``); the profile loader turns them into one ``ProfileError``. All thresholds
are name similarities on a 0–100 scale (rapidfuzz ratio on the name key).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class DedupeSettings:
    """Thresholds and rules of the matcher, survivorship and suppression."""

    # Two rows without a shared company domain: minimum name score with the same city.
    name_threshold: float = 90.0
    # ... or this, with the same city and the same founding year.
    name_threshold_founded: float = 88.0
    # ... and when a city is unknown on either side (country must not differ).
    name_threshold_no_city: float = 95.0
    # Two rows on the same company domain: minimum name score to merge outright.
    same_domain_threshold: float = 80.0
    # Names this close count as "the same name" (different domains, anti-chaining guard).
    near_identical: float = 96.0
    # Same domain, different names (a rename): merge when the city agrees and the
    # founding year or size agrees, with no conflict. Acquired companies listed on
    # the acquirer's domain differ in founding year and size, so they stay apart.
    merge_renames: bool = True
    # Rows on different company domains are different companies (namesakes in one city
    # are common). When true, near-identical names in the same city merge them anyway.
    merge_different_domains: bool = False
    # Employees agree when max/min <= this ratio; beyond it they conflict.
    size_ratio: float = 3.0
    # Founding years agree within this many years; beyond it they conflict.
    founded_tolerance: int = 2
    # Sorted-neighbourhood window (rows compared after each row in key order).
    window: int = 3
    # A blocking key shared by more rows than this is compared by window only.
    max_block: int = 64
    # Sources (file names as given), best first, for survivorship.
    source_priority: tuple[str, ...] = ()
    # Suppression: a CRM record on the same company domain suppresses whatever the name.
    suppress_on_domain: bool = True
    # Suppression: records owned by a rep suppress (reason "owned by <rep>").
    suppress_owned: bool = True
    # Suppression: a CRM record without a domain whose name fits several companies
    # (namesakes on different domains) suppresses all of them; off: none of them.
    suppress_ambiguous: bool = False


_FLOATS_0_100 = (
    "name_threshold",
    "name_threshold_no_city",
    "name_threshold_founded",
    "same_domain_threshold",
    "near_identical",
)
_BOOLS = (
    "merge_renames",
    "merge_different_domains",
    "suppress_on_domain",
    "suppress_owned",
    "suppress_ambiguous",
)


def parse_dedupe_settings(table: dict[str, Any] | None) -> tuple[DedupeSettings, list[str]]:
    """Validate a profile's ``[dedupe]`` table; return the settings and every problem."""
    if table is None:
        return DedupeSettings(), []
    if not isinstance(table, dict):
        return DedupeSettings(), ["dedupe: must be a table, e.g. [dedupe] name_threshold = 90"]
    known = [f.name for f in fields(DedupeSettings)]
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key in sorted(table):
        value = table[key]
        where = f"dedupe.{key}"
        if key not in known:
            problems.append(f"{where}: unknown key; valid keys are {', '.join(known)}")
        elif key in _FLOATS_0_100:
            if isinstance(value, bool) or not isinstance(value, int | float):
                problems.append(f"{where}: must be a number from 0 to 100, got {value!r}")
            elif not 0 <= value <= 100:
                problems.append(f"{where}: must be between 0 and 100, got {value!r}")
            else:
                values[key] = float(value)
        elif key in _BOOLS:
            if not isinstance(value, bool):
                problems.append(f"{where}: must be true or false, got {value!r}")
            else:
                values[key] = value
        elif key == "size_ratio":
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 1:
                problems.append(f"{where}: must be a number >= 1 (e.g. 3), got {value!r}")
            else:
                values[key] = float(value)
        elif key in ("founded_tolerance", "window", "max_block"):
            low = 0 if key == "founded_tolerance" else 1
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                problems.append(f"{where}: must be a whole number >= {low}, got {value!r}")
            else:
                values[key] = value
        elif key == "source_priority":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems.append(
                    f'{where}: must be a list of file names, e.g. ["crm.csv", "vendor.csv"]'
                )
            else:
                values[key] = tuple(value)
    if problems:
        return DedupeSettings(), problems
    return DedupeSettings(**values), []
