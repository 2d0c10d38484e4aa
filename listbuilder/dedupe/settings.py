"""Dedupe settings: the profile's optional `[dedupe]` table, with defaults.

``parse_dedupe_settings(table) -> (settings, problems)`` validates the table and
returns every problem as a message naming the key path (``dedupe.match_probability:
...``); the profile loader turns them into one ``ProfileError``. The match
thresholds are probabilities of the match model (``dedupe/model.py``); keys of
the rule-based matcher it replaced are refused with what replaces them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

# What an ambiguous CRM record does (see DedupeSettings.ambiguous_do_not_contact).
AMBIGUOUS_POLICIES = ("suppress", "flag", "ignore")
_POLICIES = ("ambiguous_do_not_contact", "ambiguous_other")


@dataclass(frozen=True)
class DedupeSettings:
    """The match model's threshold and guards, survivorship and suppression settings."""

    # Two rows are one company when the model's match probability reaches this.
    # The default was chosen on held-out data for pairwise precision >= 0.995.
    match_probability: float = 0.99
    # Estimate the model's m probabilities from the list itself (EM); off: built-in priors.
    estimate: bool = True
    # Same domain, names sharing no word: a rename merges unless the founding years
    # are apart (an acquired company listed on its acquirer's domain); false: never.
    merge_renames: bool = True
    # Different company domains in one cluster need names this close (0-100, Indel).
    near_identical: float = 96.0
    # Employees agree ("close") when max/min <= this ratio; beyond it they differ.
    size_ratio: float = 3.0
    # Founding years are "close" within this many years; beyond it they differ.
    founded_tolerance: int = 2
    # Sorted-neighbourhood window inside a block that is still too large when split.
    window: int = 3
    # A block larger than this is split by the next key (then windowed), never dropped.
    max_block: int = 64
    # Sources (file names as given), best first, for survivorship.
    source_priority: tuple[str, ...] = ()
    # Suppression: a CRM record on the same company domain suppresses whatever the name.
    suppress_on_domain: bool = True
    # Suppression: records owned by a rep suppress (reason "owned by <rep>").
    suppress_owned: bool = True
    # Suppression: under match_probability, down to this probability, a CRM record
    # matches the account that is its only candidate (names of 8+ letters) when their
    # countries agree; with no country the match is uncertain and follows the
    # ambiguity policies below. Set it to match_probability to turn it off.
    suppress_unique_probability: float = 0.5
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
        low, high = PROBABILITY_RANGE
        for key in _PROBABILITIES:
            if not low <= getattr(self, key) <= high:
                raise ValueError(
                    f"{key} must be between {low} and {high}, got {getattr(self, key)}"
                )
        for key in _POLICIES:
            if getattr(self, key) not in AMBIGUOUS_POLICIES:
                choices = ", ".join(f'"{p}"' for p in AMBIGUOUS_POLICIES)
                raise ValueError(f"{key} must be one of {choices}, got {getattr(self, key)!r}")


_FLOATS_0_100 = ("near_identical",)
# Match probabilities: 0.5 (even odds) is the lowest that means "more likely the same".
_PROBABILITIES = ("match_probability", "suppress_unique_probability")
PROBABILITY_RANGE = (0.5, 0.999999)
_BOOLS = (
    "estimate",
    "merge_renames",
    "suppress_on_domain",
    "suppress_owned",
)
_BY_PROBABILITY = (
    "replaced by match_probability, the match model's threshold "
    "(a probability from 0.5 to 0.999999, default 0.99)"
)
_REPLACED = {
    "name_threshold": _BY_PROBABILITY,
    "name_threshold_founded": _BY_PROBABILITY,
    "name_threshold_no_city": _BY_PROBABILITY,
    "same_domain_threshold": _BY_PROBABILITY,
    "merge_different_domains": "replaced by the match model: different domains with the "
    "same brand label (acme.com, acme.de) are compared; others count against a match",
    "suppress_unique_threshold": "replaced by suppress_unique_probability "
    "(a probability from 0.5 to 0.999999, default 0.5)",
    "suppress_ambiguous": "replaced by ambiguous_do_not_contact and ambiguous_other "
    '("suppress", "flag" or "ignore"; defaults "suppress" and "flag")',
}


def parse_dedupe_settings(table: dict[str, Any] | None) -> tuple[DedupeSettings, list[str]]:
    """Validate a profile's ``[dedupe]`` table; return the settings and every problem."""
    if table is None:
        return DedupeSettings(), []
    if not isinstance(table, dict):
        return DedupeSettings(), ["dedupe: must be a table, e.g. [dedupe] match_probability = 0.99"]
    known = [f.name for f in fields(DedupeSettings)]
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key in sorted(table):
        where = f"dedupe.{key}"
        if key in _REPLACED:
            problems.append(f"{where}: {_REPLACED[key]}")
        elif key not in known:
            problems.append(f"{where}: unknown key; valid keys are {', '.join(known)}")
        elif key in _CHECKS:
            value, problem = _CHECKS[key](key, table[key])
            if problem is None:
                values[key] = value
            else:
                problems.append(f"{where}: {problem}")
    if problems:
        return DedupeSettings(), problems
    return DedupeSettings(**values), []


# A check takes (key, value) and returns (the value to use, None) or (None, the problem).
_Check = Callable[[str, Any], tuple[Any, str | None]]


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float)


def _check_percent(key: str, value: Any) -> tuple[Any, str | None]:
    if not _is_number(value):
        return None, f"must be a number from 0 to 100, got {value!r}"
    if not 0 <= value <= 100:
        return None, f"must be between 0 and 100, got {value!r}"
    return float(value), None


def _check_probability(key: str, value: Any) -> tuple[Any, str | None]:
    low, high = PROBABILITY_RANGE
    if not _is_number(value):
        return None, f"must be a probability from {low} to {high}, got {value!r}"
    if not low <= value <= high:
        return None, f"must be between {low} and {high} (a match probability), got {value!r}"
    return float(value), None


def _check_bool(key: str, value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, bool):
        return None, f"must be true or false, got {value!r}"
    return value, None


def _check_policy(key: str, value: Any) -> tuple[Any, str | None]:
    if value not in AMBIGUOUS_POLICIES:
        choices = ", ".join(f'"{p}"' for p in AMBIGUOUS_POLICIES)
        return None, f"must be one of {choices}, got {value!r}"
    return value, None


def _check_ratio(key: str, value: Any) -> tuple[Any, str | None]:
    if not _is_number(value) or value < 1:
        return None, f"must be a number >= 1 (e.g. 3), got {value!r}"
    return float(value), None


def _check_whole(key: str, value: Any) -> tuple[Any, str | None]:
    low = 0 if key == "founded_tolerance" else 1
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        return None, f"must be a whole number >= {low}, got {value!r}"
    return value, None


def _check_file_names(key: str, value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None, 'must be a list of file names, e.g. ["crm.csv", "vendor.csv"]'
    return tuple(value), None


_CHECKS: dict[str, _Check] = {
    **dict.fromkeys(_FLOATS_0_100, _check_percent),
    **dict.fromkeys(_PROBABILITIES, _check_probability),
    **dict.fromkeys(_BOOLS, _check_bool),
    **dict.fromkeys(_POLICIES, _check_policy),
    "size_ratio": _check_ratio,
    **dict.fromkeys(("founded_tolerance", "window", "max_block"), _check_whole),
    "source_priority": _check_file_names,
}
