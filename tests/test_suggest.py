"""The one "did you mean": which spelling a typo is taken for, and the hint that says it."""

from __future__ import annotations

import pytest

from listbuilder.profile.model import SIGNAL_KINDS
from listbuilder.schema import FUNDING_STAGES
from listbuilder.suggest import did_you_mean, find_close_names, find_closest

COMBINE = ("strongest", "sum")
PROFILE_KEYS = ("name", "description", "tiers", "priority_tier", "capacity", "score_cap")
KEYS = ("weight", "field", "name", "label", "partial", "on_missing")

# (typed, options, cutoff, the option it is taken for, or None)
CLOSEST = [
    ("fundng", SIGNAL_KINDS, 70, "funding"),
    ("hiring_spree", SIGNAL_KINDS, 70, None),
    ("job_spikes", SIGNAL_KINDS, 70, "job_spike"),
    ("summ", COMBINE, 70, "sum"),
    ("max", COMBINE, 70, None),
    ("Seris B", FUNDING_STAGES, 70, "Series B"),
    ("series b", FUNDING_STAGES, 70, "Series B"),  # case does not count
    ("SERIES-A", FUNDING_STAGES, 60, "Series A"),
    ("wieght", KEYS, 70, "weight"),
    ("fild", KEYS, 70, "field"),
    ("nme", PROFILE_KEYS, 70, "name"),
    ("a", PROFILE_KEYS, 70, None),  # a piece of a key is not a typo of it
    ("prio", PROFILE_KEYS, 70, None),
    ("b2b_sas", ("agency_content", "b2b_saas", "funded_startups"), 60, "b2b_saas"),
    ("employes", ("employees", "employees_min", "revenue"), 60, "employees"),
    ("anything", (), 70, None),
]


@pytest.mark.parametrize(("typed", "options", "cutoff", "expected"), CLOSEST)
def test_find_closest(typed: str, options: tuple[str, ...], cutoff: float, expected: str) -> None:
    assert find_closest(typed, options, cutoff=cutoff) == expected


def test_a_higher_cutoff_asks_for_a_closer_spelling() -> None:
    assert find_closest("capcity", PROFILE_KEYS) == "capacity"
    assert find_closest("capcity", PROFILE_KEYS, cutoff=95) is None


NAMES = ["Acme Cloud", "Acme Cloud Inc", "Globex", "Initech"]
# (typed, the names offered, closest first)
CLOSE_NAMES = [
    ("Acme Clud", ["Acme Cloud", "Acme Cloud Inc"]),
    ("acme", ["Acme Cloud", "Acme Cloud Inc"]),  # a part of a name finds it
    ("Globx", ["Globex"]),
    ("Hooli", []),
]


@pytest.mark.parametrize(("typed", "expected"), CLOSE_NAMES)
def test_find_close_names(typed: str, expected: list[str]) -> None:
    assert find_close_names(typed, NAMES) == expected


def test_find_close_names_offers_at_most_limit() -> None:
    assert find_close_names("Acme", NAMES, limit=1) == ["Acme Cloud"]


HINTS = [
    ("weight", "", ' — did you mean "weight"?'),
    (None, "", ""),
    (None, "; allowed: a, b", "; allowed: a, b"),
    ("group:software", "; x", ' — did you mean "group:software"?'),
]


@pytest.mark.parametrize(("near", "otherwise", "hint"), HINTS)
def test_did_you_mean(near: str | None, otherwise: str, hint: str) -> None:
    assert did_you_mean(near, otherwise=otherwise) == hint
