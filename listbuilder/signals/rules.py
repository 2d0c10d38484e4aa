"""Signal rules: the profile's ``[[signal]]`` tables, validated.

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

Conditions per kind (all optional; an absent condition accepts every event):

``kind = "funding"``
    ``rounds = ["Series B", "Series C"]`` (round types, compared on the
    ``schema.FUNDING_STAGES`` scale; ``series-b``, ``angel`` ... are mapped),
    ``min_round = "Series B"`` (at least this stage),
    ``min_amount = 5_000_000`` (USD; rounds without an amount fail it).
``kind = "exec_hire"``
    ``titles = "CRO|Chief Revenue|VP,? Sales|Head of (Sales|Revenue)"``
    (a case-insensitive regular expression, or a list of them).
``kind = "job_spike"`` (derived from ``job_posting`` events)
    ``departments = ["Sales"]`` (a spike per department; absent = all postings),
    ``window_days = 30``, ``baseline_days = 180``, ``min_ratio = 2.0``,
    ``min_count = 5`` (postings in the window). The ratio compares per-day
    rates: ``(window count / window_days) / (baseline count / baseline_days)``;
    a zero baseline counts as one posting in the baseline period. The window is
    the ``window_days`` ending at as_of, the baseline the ``baseline_days``
    before it. A posting without a department counts for a department whose
    name is a word of its title ("Account Executive, Sales").
``kind = "headcount_growth"`` (derived from ``headcount`` snapshots)
    ``departments = ["Sales"]`` (absent = every department, each on its own),
    ``min_growth_pct = 50``, ``window_days = 180``: the first and last snapshot
    within the window are compared ("sales team grew 10 → 30 in 6 months");
    growth from zero counts as unlimited.
``kind = "tech_change"``
    ``added = ["HubSpot"]``, ``removed = ["Marketo"]`` (case-insensitive
    technology names; with neither, every change counts).
``kind = "announcement"``
    ``keywords = ["new market", "product line"]`` (case-insensitive, any of
    them in the announcement text).

Example::

    [[signal]]
    kind = "funding"
    rounds = ["Series B", "Series C"]
    min_amount = 5_000_000
    boost = 15
    half_life_days = 45
    max_age_days = 180
    combine = "strongest"
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from listbuilder.schema import FUNDING_STAGES

_MAX_DAYS = 36_500  # a century: past it a decay or an age limit means nothing

SIGNAL_KINDS: tuple[str, ...] = (
    "funding",
    "exec_hire",
    "job_spike",
    "headcount_growth",
    "tech_change",
    "announcement",
)
COMBINE_RULES: tuple[str, ...] = ("strongest", "sum")
COMMON_KEYS: tuple[str, ...] = (
    "kind",
    "name",
    "boost",
    "half_life_days",
    "max_age_days",
    "combine",
    "cap",
)
KIND_KEYS: dict[str, tuple[str, ...]] = {
    "funding": ("rounds", "min_round", "min_amount"),
    "exec_hire": ("titles",),
    "job_spike": ("departments", "window_days", "baseline_days", "min_ratio", "min_count"),
    "headcount_growth": ("departments", "min_growth_pct", "window_days"),
    "tech_change": ("added", "removed"),
    "announcement": ("keywords",),
}
DEFAULTS: dict[str, dict[str, Any]] = {
    "job_spike": {"window_days": 30, "baseline_days": 180, "min_ratio": 2.0, "min_count": 5},
    "headcount_growth": {"window_days": 180, "min_growth_pct": 20.0},
}

# Vendor spellings of round types -> FUNDING_STAGES labels. Generic rounds
# ("venture", "other", "debt") have no stage.
_STAGE_ALIASES: dict[str, str] = {
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
        return _STAGE_ALIASES.get(_stage_token(value))
    return pl.select(parse_funding_stage(pl.lit(value, dtype=pl.String))).item()  # type: ignore[no-any-return]


def _stage_token(value: str) -> str:
    token = re.sub(r"[\s_\-.]+", "", value.strip().casefold())
    return token.removesuffix("round").removesuffix("funding") or token


@dataclass(frozen=True)
class SignalRule:
    """One validated ``[[signal]]`` table; ``options`` holds the kind's conditions."""

    kind: str
    boost: float
    half_life_days: float | None = None
    max_age_days: float | None = None
    options: dict[str, Any] = field(default_factory=dict)
    combine: str = "strongest"
    cap: float | None = None
    name: str | None = None


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


def _suggest(value: str, options: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(value, list(options), n=1, cutoff=0.6)
    if close:
        return f' — did you mean "{close[0]}"?'
    return " — use one of " + ", ".join(f'"{o}"' for o in options)


def _parse_one(table: Any, problems: list[str]) -> SignalRule | None:
    if not isinstance(table, dict):
        problems.append("a [[signal]] entry must be a table with kind = ... and boost = ...")
        return None
    kind = table.get("kind")
    if kind is None:
        problems.append("kind is missing: add kind = " + " | ".join(f'"{k}"' for k in SIGNAL_KINDS))
        return None
    if not isinstance(kind, str) or kind not in SIGNAL_KINDS:
        problems.append(f"unknown signal kind {_show(kind)}{_suggest(str(kind), SIGNAL_KINDS)}")
        return None
    allowed = COMMON_KEYS + KIND_KEYS[kind]
    for key in table:
        if key not in allowed:
            other = [k for k, keys in KIND_KEYS.items() if key in keys]
            if other:
                problems.append(
                    f'{key} does not apply to kind "{kind}" (it belongs to '
                    f'"{other[0]}"): keys for "{kind}" are ' + ", ".join(KIND_KEYS[kind])
                )
            else:
                problems.append(f"unknown key {key}{_suggest(key, allowed)}")

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
        hint = _suggest(str(combine), COMBINE_RULES)
        problems.append(f'combine = {_show(combine)}: must be "strongest" or "sum"{hint}')
    elif cap is not None and combine != "sum":
        problems.append('cap applies only with combine = "sum": remove cap or set combine = "sum"')
    name = table.get("name")
    if name is not None and not isinstance(name, str):
        problems.append(f"name = {_show(name)}: must be a string")

    options = dict(DEFAULTS.get(kind, {}))
    options.update(_parse_conditions(kind, table, problems))
    if boost is None or problems:
        return None
    return SignalRule(
        kind=kind,
        boost=boost,
        half_life_days=half_life,
        max_age_days=max_age,
        options=options,
        combine=str(combine),
        cap=cap,
        name=name,
    )


def _parse_conditions(kind: str, table: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if kind == "funding":
        if "rounds" in table:
            rounds = _strings(table, "rounds", problems)
            stages = []
            for r in rounds or []:
                stage = stage_of(r)
                if stage is None:
                    problems.append(
                        f"rounds: unknown round type {_show(r)}{_suggest(r, FUNDING_STAGES)}"
                    )
                else:
                    stages.append(stage)
            out["rounds"] = sorted(set(stages), key=FUNDING_STAGES.index)
        if "min_round" in table:
            value = table["min_round"]
            stage = stage_of(value) if isinstance(value, str) else None
            if stage is None:
                problems.append(
                    f"min_round = {_show(value)}: unknown round type"
                    f"{_suggest(str(value), FUNDING_STAGES)}"
                )
            else:
                out["min_round"] = stage
        amount = _number(table, "min_amount", problems, minimum=0, unit="USD")
        if amount is not None:
            out["min_amount"] = amount
    elif kind == "exec_hire":
        if "titles" in table:
            titles = table["titles"]
            patterns = [titles] if isinstance(titles, str) else _strings(table, "titles", problems)
            for p in patterns or []:
                error = _regex_error(p)
                if error:
                    problems.append(
                        f"titles: {_show(p)} is not a valid regular expression ({error})"
                    )
            if patterns:
                out["titles"] = "|".join(f"(?:{p})" for p in patterns)
    elif kind in ("job_spike", "headcount_growth"):
        if "departments" in table:
            departments = _strings(table, "departments", problems)
            if departments is not None:
                out["departments"] = departments
        out.update(_ints(table, ("window_days", "baseline_days", "min_count"), problems))
        for key in ("min_ratio", "min_growth_pct"):
            if key in KIND_KEYS[kind]:
                value = _number(table, key, problems, positive=True)
                if value is not None:
                    out[key] = value
    elif kind == "tech_change":
        for key in ("added", "removed"):
            if key in table:
                values = _strings(table, key, problems)
                if values is not None:
                    out[key] = values
    elif kind == "announcement" and "keywords" in table:
        keywords = _strings(table, "keywords", problems)
        if keywords is not None:
            out["keywords"] = keywords
    return out


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


def _ints(table: dict[str, Any], keys: tuple[str, ...], problems: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for key in keys:
        if key not in table:
            continue
        value = table[key]
        minimum = 0 if key == "min_count" else 1
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            what = "days" if key.endswith("_days") else "postings"
            kind = "positive" if minimum else "non-negative"
            problems.append(f"{key} = {_show(value)}: must be a {kind} whole number of {what}")
        else:
            out[key] = value
    return out


def _number(
    table: dict[str, Any],
    key: str,
    problems: list[str],
    *,
    required: bool = False,
    positive: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
    unit: str = "",
) -> float | None:
    if key not in table:
        if required:
            problems.append(f"{key} is missing: add {key} = <{unit or 'number'}>, e.g. {key} = 10")
        return None
    value = table[key]
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


def _strings(table: dict[str, Any], key: str, problems: list[str]) -> list[str] | None:
    value = table[key]
    if isinstance(value, str):
        value = [value]
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        example = _EXAMPLES.get(key, "Sales")
        problems.append(
            f'{key} = {_show(value)}: must be a list of strings, e.g. {key} = ["{example}"]'
        )
        return None
    return [v.strip() for v in value]


_EXAMPLES = {
    "rounds": "Series B",
    "titles": "CRO",
    "added": "HubSpot",
    "removed": "Marketo",
    "keywords": "new market",
}


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)
