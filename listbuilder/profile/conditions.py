"""Validate one `field` + operator declaration (a require, exclude or criterion table).

Every problem is reported through `say(message, key)` so the caller can prefix
the file, the table and the key's line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import polars as pl
import pycountry

from listbuilder.normalize.geo import REGIONS
from listbuilder.profile.model import (
    CODE,
    COUNTRY,
    DATE,
    FIELD_ALIASES,
    FIELD_KINDS,
    OPERATORS,
    OPERATORS_BY_KIND,
    RANGE_OPERATORS,
    SCALE,
    SET_OPERATORS,
    Condition,
    Group,
    Item,
    Term,
)
from listbuilder.schema import FUNDING_STAGES
from listbuilder.suggest import did_you_mean, find_closest

Say = Callable[..., None]

# Operators users reach for from other tools -> ours. Field-kind aware below (in <-> any).
OPERATOR_ALIASES: dict[str, str] = {
    **dict.fromkeys(
        (
            "greater_than",
            "gt",
            "gte",
            "min",
            "more_than",
            "above",
            "over",
            "minimum",
            "greater_or_equal",
        ),
        "at_least",
    ),
    **dict.fromkeys(
        ("less_than", "lt", "lte", "max", "below", "under", "maximum", "less_or_equal"), "at_most"
    ),
    **dict.fromkeys(("range", "within", "from_to"), "between"),
    **dict.fromkeys(("eq", "equals", "is", "one_of", "is_in", "values"), "in"),
    **dict.fromkeys(("ne", "not", "not_equals", "not_one_of", "except"), "not_in"),
    **dict.fromkeys(("contains", "includes", "has", "any_of", "contains_any", "has_any"), "any"),
    **dict.fromkeys(("all_of", "contains_all", "has_all", "includes_all"), "all"),
    **dict.fromkeys(("none_of", "excludes", "has_none", "contains_none"), "none"),
    **dict.fromkeys(("regex", "pattern", "like", "match", "regexp"), "matches"),
    **dict.fromkeys(("exist", "present", "not_null", "has_value", "known"), "exists"),
    **dict.fromkeys(("is_null", "absent", "null", "unknown", "empty"), "missing"),
}
_EQUIVALENT = {"in": "any", "any": "in", "not_in": "none", "none": "not_in"}


def toml_value(value: Any) -> str:
    """A value written back the way it reads in TOML (for messages)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def number_label(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _either(names: tuple[str, ...] | list[str]) -> str:
    names = list(names)
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


def resolve_field(raw: Any, say: Say) -> str | None:
    """The canonical field a `field = ...` names, or None after reporting why not."""
    if raw is None:
        say('missing key "field"; add field = "<name>" (for example field = "employees")')
        return None
    if not isinstance(raw, str):
        say(f"field = {toml_value(raw)}: write the field name as a string", "field")
        return None
    name = FIELD_ALIASES.get(raw, raw)
    if name in FIELD_KINDS:
        return name
    near = find_closest(raw, [*FIELD_KINDS, *FIELD_ALIASES], cutoff=60)
    if near:
        say(f'unknown field "{raw}"{did_you_mean(FIELD_ALIASES.get(near, near))}', "field")
    else:
        say(f'unknown field "{raw}"; fields are: {", ".join(FIELD_KINDS)}', "field")
    return None


def _operator_typo(key: str, kind: str | None) -> str | None:
    """The operator an unknown key most likely means (an alias or a close spelling)."""
    target = OPERATOR_ALIASES.get(key.lower()) or find_closest(key, OPERATORS, cutoff=75)
    if target and kind and target not in OPERATORS_BY_KIND[kind]:
        target = _EQUIVALENT.get(target, target)
    return target


def check_unknown_keys(
    table: dict[str, Any], allowed: tuple[str, ...], field: str | None, say: Say
) -> dict[str, str]:
    """Report keys that are neither allowed keys nor operators, suggesting the likely one.

    Returns what each reported key was taken for (`{"weight": "wieght", "any": "an"}`), so
    the caller can stay quiet about the "missing" key the typo stands for: one typo, one
    message.
    """
    kind = FIELD_KINDS.get(field or "")
    meant: dict[str, str] = {}
    for key in table:
        if key in allowed or key in OPERATORS:
            continue
        target = _operator_typo(key, kind)
        if target:
            say(f'unknown operator "{key}"; use {target}', key)
            meant.setdefault(target, key)
            continue
        near = find_closest(key, allowed)
        if near:
            say(f'unknown key "{key}"{did_you_mean(near)}', key)
            meant.setdefault(near, key)
        else:
            say(
                f'unknown key "{key}"; allowed: {", ".join(allowed)} and one operator '
                f"({', '.join(OPERATORS)})",
                key,
            )
    return meant


def group_terms(group: Group, field: str) -> tuple[Term, ...]:
    """The terms a `group:` reference stands for when used on `field`."""
    terms = []
    if group.values:
        terms.append(_term(field, group.values))
    terms.extend(_term(f, values) for f, values in group.fields)
    terms.extend(
        Term(f, "prefix", tuple(v.lower() for v in values), values) for f, values in group.prefixes
    )
    return tuple(terms)


def _term(field: str, values: tuple[str, ...]) -> Term:
    if FIELD_KINDS[field] == COUNTRY:
        codes: list[str] = []
        for value in values:
            codes.extend(REGIONS.get(value.upper(), (value,)))
        unique = tuple(dict.fromkeys(c.upper() for c in codes))
        return Term(field, "eq", tuple(c.lower() for c in unique), unique)
    mode = "prefix" if FIELD_KINDS[field] == CODE else "eq"
    return Term(field, mode, tuple(v.lower() for v in values), tuple(values))


def _is_country(code: str) -> bool:
    return len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None


def _stage(value: Any, op: str, say: Say) -> int | None:
    lowered = [s.lower() for s in FUNDING_STAGES]
    if isinstance(value, str) and value.lower() in lowered:
        return lowered.index(value.lower())
    near = find_closest(value, FUNDING_STAGES, cutoff=60) if isinstance(value, str) else None
    hint = did_you_mean(near)
    say(
        f"{op} = {toml_value(value)}: not a funding stage{hint}; stages are: "
        f"{', '.join(FUNDING_STAGES)}",
        op,
    )
    return None


def _items(field: str, op: str, value: Any, groups: dict[str, Group], say: Say) -> tuple[Item, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        say(f'{op} = {toml_value(value)}: write a list of strings, e.g. {op} = ["a", "b"]', op)
        return ()
    kind = FIELD_KINDS[field]
    items = []
    for raw in values:
        if raw.lower().startswith("group:"):
            key = raw[len("group:") :].strip()
            group = groups.get(key) or next(
                (g for k, g in groups.items() if k.lower() == key.lower()), None
            )
            if group is None:
                near = find_closest(key, list(groups), cutoff=60)
                hint = did_you_mean(f"group:{near}" if near else None)
                say(f'unknown group "{raw}"{hint}; define it as a [groups.{key}] table', op)
                continue
            terms = group_terms(group, field)
            if terms:  # an empty group was reported where it is declared
                items.append(Item(group.label, terms))
        elif kind == COUNTRY:
            if raw.upper() in REGIONS:
                items.append(Item(raw.upper(), (_term(field, (raw.upper(),)),)))
            elif _is_country(raw):
                items.append(Item(raw.upper(), (_term(field, (raw,)),)))
            else:
                say(
                    f'{op}: unknown country "{raw}"; use ISO 3166 alpha-2 codes ("US", "GB") or a '
                    f"region ({', '.join(REGIONS)})",
                    op,
                )
        elif kind == SCALE:
            if _stage(raw, op, say) is not None:
                items.append(Item(raw, (_term(field, (raw,)),)))
        else:
            items.append(Item(raw, (_term(field, (raw,)),)))
    return tuple(items)


def _bound(field: str, op: str, value: Any, say: Say) -> tuple[Any, str] | None:
    kind = FIELD_KINDS[field]
    if kind == SCALE:
        index = _stage(value, op, say)
        return None if index is None else (index, FUNDING_STAGES[index])
    if kind == DATE:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = dt.date.fromisoformat(value)
        if isinstance(value, dt.date):
            return value, value.isoformat()
        say(f"{op} = {toml_value(value)}: write a date, e.g. 2024-01-31", op)
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value), number_label(value)
    say(f"{op} = {toml_value(value)}: write a number, e.g. {op} = 200", op)
    return None


def _regex_problem(pattern: str) -> str | None:
    try:
        re.compile(pattern)
        pl.select(pl.lit("x").str.contains("(?i)" + pattern))
    except Exception as exc:  # re.error, polars ComputeError: both mean a bad pattern
        return str(exc).splitlines()[0]
    return None


def parse_condition(
    table: dict[str, Any],
    *,
    kind: str,
    groups: dict[str, Group],
    say: Say,
    meant: dict[str, str] | None = None,
) -> Condition | None:
    """The table's condition, or None after reporting each problem through `say`.

    `meant` is what `check_unknown_keys` took the table's unknown keys for: a key
    already reported as a misspelt `field` or operator is not reported again as missing.
    """
    if meant is None:  # the caller did not check the keys: recognise operator typos quietly
        meant = _operator_typos(table)
    found = _field_and_operator(table, kind=kind, say=say, meant=meant)
    if found is None:
        return None
    field, op = found
    value = table[op]
    if op in SET_OPERATORS:
        items = _items(field, op, value, groups, say)
        return Condition(field, op, items=items) if items else None
    if op in RANGE_OPERATORS:
        return _range_condition(field, op, value, say)
    if op == "matches":
        return _matches_condition(field, value, say)
    return _existence_condition(field, op, value, say)


def _operator_typos(table: dict[str, Any]) -> dict[str, str]:
    """The operators the table's unknown keys stand for (`{"at_least": "min"}`)."""
    kind_of = FIELD_KINDS.get(str(table.get("field")))
    meant: dict[str, str] = {}
    for key in table:
        target = None if key in OPERATORS else _operator_typo(key, kind_of)
        if target:
            meant.setdefault(target, key)
    return meant


def _field_and_operator(
    table: dict[str, Any], *, kind: str, say: Say, meant: dict[str, str]
) -> tuple[str, str] | None:
    """The table's field and its one operator that applies, or None after reporting why."""
    if table.get("field") is None and "field" in meant:
        field = None  # reported as a misspelt key
    else:
        field = resolve_field(table.get("field"), say)
    ops = [k for k in table if k in OPERATORS]
    if len(ops) > 1:
        say(
            f"{len(ops)} operators ({', '.join(ops)}); use one per table — split it into "
            f"several [[{kind}]] tables",
            ops[1],
        )
        return None
    if field is None:
        value = table.get(ops[0]) if ops else None
        if (
            ops == ["between"]
            and isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
            and value[0] > value[1]
        ):
            say(f"between = {toml_value(value)}: min is above max", "between")
        return None
    allowed = OPERATORS_BY_KIND[FIELD_KINDS[field]]
    if not ops:
        if not any(op in meant for op in OPERATORS):
            say(f"no operator; add one of: {', '.join(allowed)}")
        return None
    if ops[0] not in allowed:
        say(
            f"{ops[0]} does not apply to {field} ({FIELD_KINDS[field]}); use {_either(allowed)}",
            ops[0],
        )
        return None
    return field, ops[0]


def _range_condition(field: str, op: str, value: Any, say: Say) -> Condition | None:
    """between / at_least / at_most: bounds on the field's scale (numbers, dates, stages)."""
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            say(f"between = {toml_value(value)}: write two bounds, e.g. between = [200, 2000]", op)
            return None
        low, high = _bound(field, op, value[0], say), _bound(field, op, value[1], say)
        if low is None or high is None:
            return None
        if low[0] > high[0]:
            say(f"between = {toml_value(value)}: min is above max", op)
            return None
        return Condition(field, op, low=low[0], high=high[0], low_label=low[1], high_label=high[1])
    bound = _bound(field, op, value, say)
    if bound is None:
        return None
    if op == "at_least":
        return Condition(field, op, low=bound[0], low_label=bound[1])
    return Condition(field, op, high=bound[0], high_label=bound[1])


def _matches_condition(field: str, value: Any, say: Say) -> Condition | None:
    if not isinstance(value, str) or not value:
        say(
            f'matches = {toml_value(value)}: write a regular expression, e.g. matches = "saas"',
            "matches",
        )
        return None
    problem = _regex_problem(value)
    if problem:
        say(f"matches = {toml_value(value)}: invalid regular expression: {problem}", "matches")
        return None
    return Condition(field, "matches", pattern=value)


def _existence_condition(field: str, op: str, value: Any, say: Say) -> Condition | None:
    """exists / missing = true."""
    if isinstance(value, str) and op == "missing":
        say(
            f"missing = {toml_value(value)} is the missing operator; for the missing-data policy "
            f"write on_missing = {toml_value(value)}",
            op,
        )
        return None
    if value is not True:
        other = "missing" if op == "exists" else "exists"
        say(f"{op} = {toml_value(value)}: write {op} = true (or {other} = true)", op)
        return None
    return Condition(field, op)
