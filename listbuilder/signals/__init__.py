"""Trigger events ("why now"): read event files, match them to accounts, boost with decay.

``read_signals(paths) -> Events``; ``events_from_companies(companies)`` (the list's
own funding rounds as events); ``score_signals(accounts, events, rules, *, as_of)
-> SignalScores`` (``events`` may be a list: file events and list events together);
``parse_signal_rules(tables)`` validates the profile's ``[[signal]]`` tables into
``SignalRule``s (their keys per kind are documented in ``profile.signals``).
"""

from __future__ import annotations

from listbuilder.profile.model import SIGNAL_KINDS, SignalRule
from listbuilder.profile.signals import parse_signal_rules
from listbuilder.signals.funding import derive_funding, derived_fields, stale_events_warning
from listbuilder.signals.read import (
    EVENT_KINDS,
    EVENT_SCHEMA,
    Events,
    events_from_companies,
    read_signals,
)
from listbuilder.signals.score import SCORES_SCHEMA, SignalScores, score_signals

__all__ = [
    "derive_funding",
    "derived_fields",
    "stale_events_warning",
    "EVENT_KINDS",
    "EVENT_SCHEMA",
    "SCORES_SCHEMA",
    "SIGNAL_KINDS",
    "Events",
    "SignalRule",
    "SignalScores",
    "events_from_companies",
    "parse_signal_rules",
    "read_signals",
    "score_signals",
]
