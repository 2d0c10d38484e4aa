"""Dedupe settings: the profile's optional `[dedupe]` table, with defaults.

``parse_dedupe_settings(table) -> (settings, problems)`` validates the table and
returns every problem as a message naming the key path (``dedupe.name_threshold:
...``); the profile loader turns them into one ``ProfileError``. All thresholds
are name similarities on a 0–100 scale (rapidfuzz ratio on the name key).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

# What an ambiguous CRM record does (see DedupeSettings.ambiguous_do_not_contact).
AMBIGUOUS_POLICIES = ("suppress", "flag", "ignore")
_POLICIES = ("ambiguous_do_not_contact", "ambiguous_other")


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
    # Suppression: under name_threshold_no_city, down to this name score, a CRM record
    # matches the account that is its only candidate (names of 8+ letters) when their
    # countries agree; when the record has no country, the match is uncertain and
    # follows the ambiguity policies below. Catches typos in CRM names ("Boulder
    # Plaftorms"). Set it to name_threshold_no_city (95) to turn it off.
    suppress_unique_threshold: float = 88.0
    # Suppression, ambiguous CRM records: a record without a domain match whose name
    # fits several accounts that are different companies (different company domains,
    # cities or countries) is ambiguous, unless exactly one of them has the same raw
    # name (case and spacing aside) or the same name key and the record's city/country
    # (then that one matches). Policy for the rest: "suppress" every candidate (detail
    # "ambiguous name match, N candidates"), "flag" them (kept, with the record in the
    # column `crm_possible_match`: check before calling) or "ignore" the record.
    # Do-not-contact records (and plain do-not-contact lists): fail safe.
    ambiguous_do_not_contact: str = "suppress"
    # Customers, open opportunities and owned accounts: visible, for the rep to check.
    ambiguous_other: str = "flag"

    def __post_init__(self) -> None:
        for key in _POLICIES:
            if getattr(self, key) not in AMBIGUOUS_POLICIES:
                choices = ", ".join(f'"{p}"' for p in AMBIGUOUS_POLICIES)
                raise ValueError(f"{key} must be one of {choices}, got {getattr(self, key)!r}")


_FLOATS_0_100 = (
    "name_threshold",
    "name_threshold_no_city",
    "name_threshold_founded",
    "same_domain_threshold",
    "near_identical",
    "suppress_unique_threshold",
)
_BOOLS = (
    "merge_renames",
    "merge_different_domains",
    "suppress_on_domain",
    "suppress_owned",
)
_REPLACED = {
    "suppress_ambiguous": "replaced by ambiguous_do_not_contact and ambiguous_other "
    '("suppress", "flag" or "ignore"; defaults "suppress" and "flag")',
}


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
        if key in _REPLACED:
            problems.append(f"{where}: {_REPLACED[key]}")
        elif key not in known:
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
        elif key in _POLICIES:
            if value not in AMBIGUOUS_POLICIES:
                choices = ", ".join(f'"{p}"' for p in AMBIGUOUS_POLICIES)
                problems.append(f"{where}: must be one of {choices}, got {value!r}")
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
