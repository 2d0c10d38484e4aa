"""Signal rules: the profile's ``[[signal]]`` tables, validated into `model.SignalRule`s.

Every ``[[signal]]`` table has a ``kind`` and a ``boost`` (points added to the
account's signal score), plus these common keys:

- ``half_life_days``: exponential decay, ``boost · 0.5^(age / half_life)``;
  absent = no decay.
- ``max_age_days``: events older than this are ignored (and counted); absent =
  no limit.
- ``combine``: how several events of this rule on one account combine:
  ``"strongest"`` (default, the single largest decayed boost) or ``"sum"``
  (decayed boosts added, at most ``cap`` points when ``cap`` is set).
- ``name``: an optional label for the rule in explanations.

Conditions on the event are written ``<event field>.<operator> = value``, with the
operator words of criteria (a TOML dotted key: ``round.at_least = "Series B"`` is
``round = { at_least = "Series B" }``). All optional; an absent condition accepts
every event; several conditions must all hold.

``kind = "funding"``
    ``round.in = ["Series B", "Series C"]`` (round types, compared on the
    ``schema.FUNDING_STAGES`` scale; ``series-b``, ``angel`` ... are mapped),
    ``round.at_least = "Series B"``, ``amount.at_least = 5_000_000`` (USD; rounds
    without an amount fail it).
``kind = "exec_hire"``
    ``title.matches = "CRO|Chief Revenue|VP,? Sales|Head of (Sales|Revenue)"``
    (a case-insensitive regular expression, or a list of them).
``kind = "job_spike"`` (derived from ``job_posting`` events)
    ``count.at_least = 5`` (postings in the window), ``ratio.at_least = 2.0``, and the
    settings ``departments = ["Sales"]`` (a spike per department; absent = all
    postings), ``window_days = 30``, ``baseline_days = 180``. The ratio compares per-day
    rates: ``(window count / window_days) / (baseline count / baseline_days)``; a zero
    baseline counts as one posting in the baseline period. The window is the
    ``window_days`` ending at as_of, the baseline the ``baseline_days`` before it. A
    posting without a department counts for a department whose name is a word of its
    title ("Account Executive, Sales").
``kind = "headcount_growth"`` (derived from ``headcount`` snapshots)
    ``growth_pct.at_least = 20``, and the settings ``departments = ["Sales"]`` (absent =
    every department, each on its own), ``window_days = 180``: the first and last
    snapshot within the window are compared ("sales team grew 10 → 30 in 6 months");
    growth from zero counts as unlimited.
``kind = "tech_change"``
    ``added.in = ["HubSpot"]``, ``removed.in = ["Marketo"]`` (case-insensitive
    technology names; with neither, every change counts).
``kind = "announcement"``
    ``text.any = ["new market", "product line"]`` (case-insensitive: the text contains
    any of them).

The first spellings are still accepted, as the same conditions
(``model.SIGNAL_KEY_ALIASES``): ``rounds``, ``min_round``, ``min_amount``, ``titles``,
``min_count``, ``min_ratio``, ``min_growth_pct``, ``added``, ``removed``, ``keywords``.

Example::

    [[signal]]
    kind = "funding"
    round.in = ["Series B", "Series C"]
    amount.at_least = 5_000_000
    boost = 15
    half_life_days = 45
    max_age_days = 180
    combine = "strongest"
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import polars as pl

from listbuilder.profile.conditions import OPERATOR_ALIASES
from listbuilder.profile.model import (
    COMBINE_RULES,
    SIGNAL_COMMON_KEYS,
    SIGNAL_CONDITIONS,
    SIGNAL_KEY_ALIASES,
    SIGNAL_KINDS,
    SIGNAL_RULES,
    SIGNAL_SETTINGS,
    SignalRule,
)
from listbuilder.schema import FUNDING_STAGES
from listbuilder.suggest import did_you_mean, find_closest

_MAX_DAYS = 36_500  # a century: past it a decay or an age limit means nothing

# Vendor spellings of round types -> FUNDING_STAGES labels. Generic rounds
# ("venture", "other", "debt") have no stage.
STAGE_ALIASES: dict[str, str] = {
    "preseed": "Pre-Seed",
    "seed": "Seed",
    "angel": "Seed",
    "seriesa": "Series A",
    "a": "Series A",
    "seriesb": "Series B",
    "b": "Series B",
    "seriesc": "Series C",
    "c": "Series C",
    "seriesc+": "Series C",
    "seriesd": "Series D+",
    "seriesd+": "Series D+",
    "seriese": "Series D+",
    "seriesf": "Series D+",
    "seriesg": "Series D+",
    "seriesh": "Series D+",
    "privateequity": "Private Equity",
    "pe": "Private Equity",
    "public": "Public",
    "ipo": "Public",
    "postipo": "Public",
    "postipoequity": "Public",
}


def stage_of(value: str | None) -> str | None:
    """The ``FUNDING_STAGES`` label of a round type (``series-b`` → ``Series B``), or None."""
    if value is None:
        return None
    try:  # the parser companies' funding_stage goes through, so both sides agree
        from listbuilder.ingest.values import parse_funding_stage
    except ImportError:
        return STAGE_ALIASES.get(_stage_token(value))
    return pl.select(parse_funding_stage(pl.lit(value, dtype=pl.String))).item()  # type: ignore[no-any-return]


def _stage_token(value: str) -> str:
    token = re.sub(r"[\s_\-.]+", "", value.strip().casefold())
    return token.removesuffix("round").removesuffix("funding") or token


def parse_signal_rules(
    tables: list[dict[str, Any]],
) -> tuple[list[SignalRule], list[tuple[int, str]]]:
    """Validate ``[[signal]]`` tables: the rules of the valid ones and every problem found.

    Problems are ``(index of the table, message)``; a table with problems
    yields no rule.
    """
    rules: list[SignalRule] = []
    problems: list[tuple[int, str]] = []
    for index, table in enumerate(tables):
        found: list[str] = []
        rule = _parse_one(table, found)
        problems.extend((index, message) for message in found)
        if rule is not None and not found:
            rules.append(rule)
    return rules, problems


def closest_kind(kind: str) -> str | None:
    """The signal kind a misspelt one is taken for (the one its message suggests)."""
    return find_closest(kind, SIGNAL_KINDS)


def _hint(value: str, options: tuple[str, ...] | list[str]) -> str:
    listed = " — use one of " + ", ".join(f'"{o}"' for o in options)
    return did_you_mean(find_closest(value, options), otherwise=listed)


def _parse_one(table: Any, problems: list[str]) -> SignalRule | None:
    if not isinstance(table, dict):
        problems.append("a [[signal]] entry must be a table with kind = ... and boost = ...")
        return None
    kind = table.get("kind")
    if kind is None:
        problems.append("kind is missing: add kind = " + " | ".join(f'"{k}"' for k in SIGNAL_KINDS))
        return None
    if not isinstance(kind, str) or kind not in SIGNAL_KINDS:
        problems.append(f"unknown signal kind {_show(kind)}{_hint(str(kind), SIGNAL_KINDS)}")
        return None
    _check_keys(kind, table, problems)
    common = _parse_common(table, problems)
    conditions = _parse_conditions(kind, table, problems)
    if common["boost"] is None or problems:
        return None
    return SIGNAL_RULES[kind](**common, **conditions)


def _canonical_keys(kind: str) -> list[str]:
    """The keys a kind takes beyond the common ones, as written today."""
    fields = [f"{field}.{op}" for field, ops in SIGNAL_CONDITIONS[kind].items() for op in ops]
    return [*fields, *SIGNAL_SETTINGS.get(kind, ())]


def _own_keys(kind: str) -> dict[str, str]:
    """Every key a table of `kind` may hold -> the spelling a typo of it is pointed to."""
    fields = SIGNAL_CONDITIONS[kind]
    keys = {k: k for k in (*SIGNAL_COMMON_KEYS, *SIGNAL_SETTINGS.get(kind, ()), *fields)}
    for alias, (field, op) in SIGNAL_KEY_ALIASES.items():
        if field in fields:
            keys.setdefault(alias, f"{field}.{op}")
    return keys


def _check_keys(kind: str, table: dict[str, Any], problems: list[str]) -> None:
    """Report keys the kind does not take: another kind's (say which), or a typo."""
    own = _own_keys(kind)
    for key in table:
        if key in own:
            continue
        other = [k for k in SIGNAL_KINDS if k != kind and key in _own_keys(k)]
        if other:
            problems.append(
                f'{key} does not apply to kind "{kind}" (it belongs to "{other[0]}"): '
                f'keys for "{kind}" are ' + ", ".join(_canonical_keys(kind))
            )
            continue
        near = find_closest(key, list(own))
        listed = " — use one of " + ", ".join(
            f'"{k}"' for k in (*SIGNAL_COMMON_KEYS, *_canonical_keys(kind))
        )
        problems.append(
            f"unknown key {key}{did_you_mean(own[near] if near else None, otherwise=listed)}"
        )


def _parse_common(table: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """boost, half_life_days, max_age_days, cap, combine and name (None where broken)."""
    boost = _number(table, "boost", problems, required=True, positive=True, unit="points")
    half_life = _number(
        table, "half_life_days", problems, positive=True, maximum=_MAX_DAYS, unit="days"
    )
    max_age = _number(
        table, "max_age_days", problems, positive=True, maximum=_MAX_DAYS, unit="days"
    )
    cap = _number(table, "cap", problems, positive=True, unit="points")
    combine = table.get("combine", "strongest")
    if combine not in COMBINE_RULES:
        hint = _hint(str(combine), COMBINE_RULES)
        problems.append(f'combine = {_show(combine)}: must be "strongest" or "sum"{hint}')
    elif cap is not None and combine != "sum":
        problems.append('cap applies only with combine = "sum": remove cap or set combine = "sum"')
    name = table.get("name")
    if name is not None and not isinstance(name, str):
        problems.append(f"name = {_show(name)}: must be a string")
    return {
        "boost": boost,
        "half_life_days": half_life,
        "max_age_days": max_age,
        "combine": str(combine),
        "cap": cap,
        "name": name,
    }


def _parse_conditions(kind: str, table: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """The kind's conditions and settings that the table sets, as rule attributes."""
    out: dict[str, Any] = {}
    for (field, op), (key, value) in _written_conditions(kind, table, problems).items():
        parsed = _CHECKS[field, op](value, key, problems)
        if parsed is not None:
            out[f"{field}_{op}"] = parsed
    for key in SIGNAL_SETTINGS.get(kind, ()):
        if key in table:
            check = _strings if key == "departments" else _days
            parsed = check(table[key], key, problems)
            if parsed is not None:
                out[key] = parsed
    return out


def _written_conditions(
    kind: str, table: dict[str, Any], problems: list[str]
) -> dict[tuple[str, str], tuple[str, Any]]:
    """(event field, operator) -> (the key as written, its value), in the table's order."""
    fields = SIGNAL_CONDITIONS[kind]
    found: dict[tuple[str, str], tuple[str, Any]] = {}

    def add(field: str, op: str, key: str, value: Any) -> None:
        if (field, op) in found:
            first = found[field, op][0]
            problems.append(
                f"{first} and {key} are the same condition: keep one ({field}.{op} = ...)"
            )
        else:
            found[field, op] = (key, value)

    for key, value in table.items():
        if key in fields and isinstance(value, dict) and value:
            for op, argument in value.items():
                if op in fields[key]:
                    add(key, op, f"{key}.{op}", argument)
                else:
                    problems.append(_operator_problem(key, str(op), fields[key]))
        elif key in SIGNAL_KEY_ALIASES and SIGNAL_KEY_ALIASES[key][0] in fields:
            add(*SIGNAL_KEY_ALIASES[key], key, value)
        elif key in fields:
            problems.append(
                f"{key} = {_show(value)}: write the condition with its operator, e.g. "
                f"{_EXAMPLES[key]}"
            )
    return found


def _operator_problem(field: str, op: str, allowed: tuple[str, ...]) -> str:
    """An unknown operator on an event field: the one it stands for, or the ones it takes."""
    target = OPERATOR_ALIASES.get(op.lower()) or find_closest(op, allowed)
    if target in allowed:
        return f"{field}.{op}: unknown operator{did_you_mean(f'{field}.{target}')}"
    return f"{field}.{op}: {field} takes " + " or ".join(f"{field}.{o}" for o in allowed)


def _stages(value: Any, key: str, problems: list[str]) -> tuple[str, ...] | None:
    rounds = _strings(value, key, problems)
    stages = []
    for r in rounds or ():
        stage = stage_of(r)
        if stage is None:
            problems.append(f"{key}: unknown round type {_show(r)}{_hint(r, FUNDING_STAGES)}")
        else:
            stages.append(stage)
    return tuple(sorted(set(stages), key=FUNDING_STAGES.index)) if rounds else None


def _stage(value: Any, key: str, problems: list[str]) -> str | None:
    stage = stage_of(value) if isinstance(value, str) else None
    if stage is None:
        problems.append(
            f"{key} = {_show(value)}: unknown round type{_hint(str(value), FUNDING_STAGES)}"
        )
    return stage


def _patterns(value: Any, key: str, problems: list[str]) -> str | None:
    """One regular expression, or a list of them as alternatives."""
    patterns = (value,) if isinstance(value, str) else _strings(value, key, problems)
    for p in patterns or ():
        error = _regex_error(p)
        if error:
            problems.append(f"{key}: {_show(p)} is not a valid regular expression ({error})")
    return "|".join(f"(?:{p})" for p in patterns) if patterns else None


def _regex_error(pattern: str) -> str | None:
    """Why polars (Rust regex: no look-around, no back-references) refuses a pattern."""
    try:
        re.compile(pattern)
        pl.Series([""]).str.contains(pattern)
    except re.error as exc:
        return str(exc)
    except pl.exceptions.PolarsError:
        return "look-around and back-references are not supported"
    return None


def _days(value: Any, key: str, problems: list[str]) -> int | None:
    return _whole(value, key, problems, minimum=1, what="days")


def _postings(value: Any, key: str, problems: list[str]) -> int | None:
    return _whole(value, key, problems, minimum=0, what="postings")


def _whole(value: Any, key: str, problems: list[str], *, minimum: int, what: str) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        kind = "positive" if minimum else "non-negative"
        problems.append(f"{key} = {_show(value)}: must be a {kind} whole number of {what}")
        return None
    return value


def _usd(value: Any, key: str, problems: list[str]) -> float | None:
    return _check_number(value, key, problems, minimum=0, unit="USD")


def _positive(value: Any, key: str, problems: list[str]) -> float | None:
    return _check_number(value, key, problems, positive=True)


def _number(
    table: dict[str, Any],
    key: str,
    problems: list[str],
    *,
    required: bool = False,
    positive: bool = False,
    maximum: float | None = None,
    unit: str = "",
) -> float | None:
    if key not in table:
        if required:
            problems.append(f"{key} is missing: add {key} = <{unit or 'number'}>, e.g. {key} = 10")
        return None
    return _check_number(table[key], key, problems, positive=positive, maximum=maximum, unit=unit)


def _check_number(
    value: Any,
    key: str,
    problems: list[str],
    *,
    positive: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
    unit: str = "",
) -> float | None:
    of = f" of {unit}" if unit else ""
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        problems.append(f"{key} = {_show(value)}: must be a number{of}")
        return None
    if math.isinf(value):
        problems.append(f"{key} = {_show(value)}: must be a finite number{of}")
        return None
    if positive and value <= 0:
        problems.append(f"{key} = {_show(value)}: must be a positive number{of}")
        return None
    if minimum is not None and value < minimum:
        problems.append(f"{key} = {_show(value)}: must be at least {minimum:g}")
        return None
    if maximum is not None and value > maximum:
        problems.append(f"{key} = {_show(value)}: must be at most {maximum:g}{of}")
        return None
    return float(value)


def _strings(value: Any, key: str, problems: list[str]) -> tuple[str, ...] | None:
    if isinstance(value, str):
        value = [value]
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        field = SIGNAL_KEY_ALIASES.get(key, (key.partition(".")[0], ""))[0]
        example = _EXAMPLE_WORDS.get(field, "Sales")
        problems.append(
            f'{key} = {_show(value)}: must be a list of strings, e.g. {key} = ["{example}"]'
        )
        return None
    return tuple(v.strip() for v in value)


# (event field, operator) -> the check that turns a value into the rule's attribute
_CHECKS: dict[tuple[str, str], Callable[[Any, str, list[str]], Any]] = {
    ("round", "in"): _stages,
    ("round", "at_least"): _stage,
    ("amount", "at_least"): _usd,
    ("title", "matches"): _patterns,
    ("count", "at_least"): _postings,
    ("ratio", "at_least"): _positive,
    ("growth_pct", "at_least"): _positive,
    ("added", "in"): _strings,
    ("removed", "in"): _strings,
    ("text", "any"): _strings,
}
_EXAMPLE_WORDS = {
    "round": "Series B",
    "title": "CRO",
    "added": "HubSpot",
    "removed": "Marketo",
    "text": "new market",
}
_EXAMPLES = {
    "round": 'round.at_least = "Series B"',
    "amount": "amount.at_least = 5000000",
    "title": 'title.matches = "CRO|VP,? Sales"',
    "count": "count.at_least = 5",
    "ratio": "ratio.at_least = 2",
    "growth_pct": "growth_pct.at_least = 50",
    "added": 'added.in = ["HubSpot"]',
    "removed": 'removed.in = ["Marketo"]',
    "text": 'text.any = ["new market"]',
}


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)
