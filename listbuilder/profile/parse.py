"""Turn a profile's TOML data into a `Profile`, collecting every problem with its line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from listbuilder.dedupe.settings import parse_dedupe_settings
from listbuilder.lookalike.settings import parse_lookalike_settings
from listbuilder.profile.conditions import (
    check_unknown_keys,
    number_label,
    parse_condition,
    resolve_field,
    toml_value,
)
from listbuilder.profile.locate import Locator
from listbuilder.profile.model import (
    CODE,
    FIELD_KINDS,
    MISSING_ALIASES,
    MISSING_POLICIES,
    NUMBER,
    QUALITY_ACTIONS,
    QUALITY_CHECKS,
    RANGE_OPERATORS,
    SCALE,
    TEXT,
    Criterion,
    Group,
    Partial,
    Persona,
    Profile,
    QualitySettings,
    Rule,
    SignalRule,
)
from listbuilder.profile.signals import closest_kind, parse_signal_rules
from listbuilder.suggest import did_you_mean, find_closest

TOP_LEVEL = (
    "profile",
    "groups",
    "require",
    "exclude",
    "criterion",
    "signal",
    "dedupe",
    "quality",
    "persona",
    "talking_points",
    "lookalike",
)
PROFILE_KEYS = (
    "name",
    "description",
    "tiers",
    "priority_tier",
    "capacity",
    "score_cap",
    "on_missing",
    "min_confidence",
    "live_signal",
    "strong_signal",
    "live_signal_days",
)
GROUP_KEYS = ("label", "values")
CRITERION_KEYS = ("name", "label", "field", "weight", "partial", "on_missing")
RULE_KEYS = ("name", "field", "on_missing")
PERSONA_KEYS = (
    "title",
    "department",
    "why",
    "cares_about",
    "departments",
    "min_employees",
    "max_employees",
    "titles",
)
ON_MISSING = {
    "criterion": (*MISSING_POLICIES, *MISSING_ALIASES),
    "require": ("fail", "pass"),
    "exclude": ("keep", "exclude"),
}
DEFAULT_TIERS = {"A": 80.0, "B": 60.0, "C": 40.0}


class Problems:
    """Collects messages as `<file>: <place> (line N): <message>`."""

    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.locator = Locator(text)
        self.messages: list[str] = []

    def add(
        self,
        message: str,
        *,
        place: str | None = None,
        table: str | None = None,
        index: int = 0,
        key: str | None = None,
    ) -> None:
        line = None
        if table is not None:
            line = self.locator.key(table, index, key) if key else self.locator.table(table, index)
        where = place or ""
        if line:
            where = f"{where} (line {line})" if where else f"line {line}"
        self.messages.append(
            f"{self.source}: {where}: {message}" if where else f"{self.source}: {message}"
        )

    def sayer(self, place: str, table: str, index: int = 0) -> Any:
        def say(message: str, key: str | None = None) -> None:
            self.add(message, place=place, table=table, index=index, key=key)

        return say


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _array(data: dict[str, Any], key: str, problems: Problems) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return value
    problems.add(
        f'"{key}" must be an array of tables: write each one under a [[{key}]] header',
        place=f"[{key}]",
        table=key,
    )
    return []


def _place(kind: str, index: int, table: dict[str, Any]) -> str:
    name = table.get("name") if kind != "signal" else table.get("kind")
    return f'{kind} "{name}"' if isinstance(name, str) and name else f"{kind} #{index + 1}"


def _parse_settings(data: dict[str, Any], problems: Problems) -> dict[str, Any]:
    """The `[profile]` table's values (a default where a value is broken, and reported)."""
    table = data.get("profile")
    say = problems.sayer("[profile]", "profile")
    if not isinstance(table, dict):
        problems.add('missing [profile] table; add one with at least name = "..."')
        return {"name": "", "tiers": tuple(DEFAULT_TIERS.items())}
    meant = _check_settings_keys(table, say)
    return {
        **_parse_identity(table, say, meant),
        **_parse_tiers(table, say),
        **_parse_limits(table, say),
        **_parse_timing(table, say),
    }


def _check_settings_keys(table: dict[str, Any], say: Any) -> set[str]:
    """Report unknown `[profile]` keys; returns the keys they were taken for (not reported
    again as missing)."""
    meant: set[str] = set()
    for key in table:
        if key not in PROFILE_KEYS:
            near = find_closest(key, PROFILE_KEYS)
            hint = did_you_mean(near, otherwise=f"; allowed: {', '.join(PROFILE_KEYS)}")
            say(f'unknown key "{key}"{hint}', key)
            meant.add(near or "")
    return meant


def _parse_identity(table: dict[str, Any], say: Any, meant: set[str]) -> dict[str, Any]:
    """name and description."""
    name = table.get("name")
    if name is None and "name" in meant:
        name = ""
    elif not isinstance(name, str) or not name.strip():
        say(
            'missing name; add name = "<what this ICP is>"'
            if name is None
            else f"name = {toml_value(name)}: write a non-empty string",
            "name",
        )
        name = ""
    description = table.get("description", "")
    if not isinstance(description, str):
        say(f"description = {toml_value(description)}: write a string", "description")
        description = ""
    return {"name": name, "description": description}


def _parse_tiers(table: dict[str, Any], say: Any) -> dict[str, Any]:
    """tiers (highest floor first) and priority_tier."""
    tiers = table.get("tiers", DEFAULT_TIERS)
    if (
        not isinstance(tiers, dict)
        or not tiers
        or not all(_number(v) and 0 <= v <= 100 for v in tiers.values())
    ):
        say(
            f"tiers = {toml_value(tiers)}: write score thresholds between 0 and 100, e.g. "
            "tiers = { A = 80, B = 70, C = 50 }",
            "tiers",
        )
        tiers = DEFAULT_TIERS
    priority = table.get("priority_tier")
    if priority is not None and priority not in tiers:
        say(
            f"priority_tier = {toml_value(priority)}: not a tier; use one of {', '.join(tiers)}",
            "priority_tier",
        )
        priority = None
    return {
        "tiers": tuple(sorted(((k, float(v)) for k, v in tiers.items()), key=lambda t: -t[1])),
        "priority_tier": priority,
    }


def _parse_limits(table: dict[str, Any], say: Any) -> dict[str, Any]:
    """capacity, score_cap, the default on_missing and min_confidence."""
    capacity = table.get("capacity")
    if capacity is not None and (
        not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= 10**7
    ):
        say(
            f"capacity = {toml_value(capacity)}: write a whole number of accounts between 1 and "
            "10000000, e.g. capacity = 1200",
            "capacity",
        )
        capacity = None
    cap = table.get("score_cap", 100)
    if not _number(cap) or cap <= 0:
        say(
            f"score_cap = {toml_value(cap)}: write a positive number, e.g. score_cap = 100",
            "score_cap",
        )
        cap = 100
    on_missing = _on_missing("criterion", table, say)
    minimum = table.get("min_confidence", 0)
    if not _number(minimum) or not 0 <= minimum <= 1:
        say(
            f"min_confidence = {toml_value(minimum)}: write the share of the criteria's weight an "
            "account must have data for, between 0 and 1, e.g. min_confidence = 0.6",
            "min_confidence",
        )
        minimum = 0
    return {
        "capacity": capacity,
        "score_cap": float(cap),
        "on_missing": on_missing,
        "min_confidence": float(minimum),
    }


def _parse_timing(table: dict[str, Any], say: Any) -> dict[str, Any]:
    """live_signal, strong_signal and live_signal_days (None: no age limit)."""
    out: dict[str, Any] = {}
    for key, default, example in (
        ("live_signal", 3.0, "live_signal = 3"),
        ("strong_signal", 10.0, "strong_signal = 10"),
    ):
        value = table.get(key, default)
        if not _number(value) or value < 0:
            say(f"{key} = {toml_value(value)}: write signal points, 0 or more, e.g. {example}", key)
            value = default
        out[key] = float(value)
    days = table.get("live_signal_days", 120)
    if days is not False and (not isinstance(days, int) or isinstance(days, bool) or days < 1):
        say(
            f"live_signal_days = {toml_value(days)}: write a whole number of days, e.g. "
            "live_signal_days = 120 (false: no age limit)",
            "live_signal_days",
        )
        days = 120
    out["live_signal_days"] = None if days is False else days
    return out


QUALITY_KEYS = (*QUALITY_CHECKS, "shared_phone_min")


def _parse_quality(data: dict[str, Any], problems: Problems) -> QualitySettings:
    """The `[quality]` table: each check "reject", "flag" or "off" (true = its default)."""
    table = data.get("quality", {})
    say = problems.sayer("[quality]", "quality")
    if not isinstance(table, dict):
        problems.add(
            'quality must be a table: [quality] with <check> = "reject" | "flag" | "off"',
            table="quality",
        )
        return QualitySettings()
    actions = dict(QUALITY_CHECKS)
    for key, value in table.items():
        if key == "shared_phone_min":
            continue
        if key not in QUALITY_CHECKS:
            hint = did_you_mean(
                find_closest(key, QUALITY_KEYS), otherwise=f"; allowed: {', '.join(QUALITY_KEYS)}"
            )
            say(f'unknown key "{key}"{hint}', key)
            continue
        if value is True:
            continue
        if value is False:
            actions[key] = "off"
        elif value in QUALITY_ACTIONS:
            actions[key] = str(value)
        else:
            allowed = ", ".join(toml_value(a) for a in QUALITY_ACTIONS)
            say(f"{key} = {toml_value(value)}: use one of {allowed} (or true / false)", key)
    minimum = table.get("shared_phone_min", QualitySettings.shared_phone_min)
    if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 2:
        say(
            f"shared_phone_min = {toml_value(minimum)}: write a whole number of companies, 2 or "
            "more, e.g. shared_phone_min = 5",
            "shared_phone_min",
        )
        minimum = QualitySettings.shared_phone_min
    return QualitySettings(tuple(actions.items()), minimum)


def _parse_groups(data: dict[str, Any], problems: Problems) -> dict[str, Group]:
    tables = data.get("groups", {})
    if not isinstance(tables, dict):
        problems.add("groups must be tables: write each group as [groups.<key>]", table="groups")
        return {}
    groups = {}
    for key, table in tables.items():
        say = problems.sayer(f"[groups.{key}]", f"groups.{key}")
        if not isinstance(table, dict):
            say(
                f"groups.{key} = {toml_value(table)}: write it as a [groups.{key}] table with "
                "values = [...]"
            )
            groups[key] = Group(key, key)
            continue
        label = key
        values: tuple[str, ...] = ()
        fields: list[tuple[str, tuple[str, ...]]] = []
        prefixes: list[tuple[str, tuple[str, ...]]] = []
        before = len(problems.messages)
        for name, value in table.items():
            if name == "label":
                label = value if isinstance(value, str) else key
                continue
            strings = _strings(value)
            if strings is None:
                say(f"{name} = {toml_value(value)}: write a list of strings", name)
                continue
            if name == "values":
                values = strings
                continue
            base = name.removesuffix("_prefix")
            field = resolve_field(
                base,
                lambda m, k=None, n=name, say=say: say(
                    m + " (group keys: label, values, <field>, <field>_prefix)", n
                ),
            )
            if field is None:
                continue
            if name.endswith("_prefix"):
                if FIELD_KINDS[field] not in (TEXT, CODE):
                    say(f"{name}: prefixes apply to text and code fields, not {field}", name)
                    continue
                prefixes.append((field, strings))
            else:
                fields.append((field, strings))
        if len(problems.messages) > before:
            # Still declared: references to it are not "unknown group" on top of the
            # problem above. The profile fails anyway, so its terms do not matter.
            groups[key] = Group(key, label)
            continue
        if not values and not fields and not prefixes:
            say("the group is empty; add values = [...] or <field> = [...] lists")
            groups[key] = Group(key, label)
            continue
        groups[key] = Group(key, label, values, tuple(fields), tuple(prefixes))
    return groups


def _on_missing(kind: str, table: dict[str, Any], say: Any, default: str | None = None) -> str:
    allowed = ON_MISSING[kind]
    value = table.get("on_missing", default or allowed[0])
    if value not in allowed:
        shown = [toml_value(a) for a in allowed]
        say(
            f"on_missing = {toml_value(value)}: use {', '.join(shown[:-1])} or {shown[-1]}",
            "on_missing",
        )
        return allowed[0]
    return MISSING_ALIASES.get(str(value), str(value))


def _parse_rules(
    kind: str, data: dict[str, Any], groups: dict[str, Group], problems: Problems
) -> list[Rule]:
    rules = []
    for index, table in enumerate(_array(data, kind, problems)):
        say = problems.sayer(_place(kind, index, table), kind, index)
        meant = check_unknown_keys(table, RULE_KEYS, table.get("field"), say)
        condition = parse_condition(table, kind=kind, groups=groups, say=say, meant=meant)
        name = table.get("name")
        if name is not None and not isinstance(name, str):
            say(f"name = {toml_value(name)}: write a string", "name")
            name = None
        on_missing = _on_missing(kind, table, say)
        if condition is not None:
            rules.append(Rule(kind, condition, name, on_missing))
    return rules


def _parse_partial(value: Any, field: str, op: str | None, say: Any) -> Partial | None:
    if not isinstance(value, dict):
        say(
            f"partial = {toml_value(value)}: write a table, e.g. "
            "partial = { margin = 0.25, share = 0.5 }",
            "partial",
        )
        return None
    if op not in RANGE_OPERATORS:
        say(f"partial credit applies to between, at_least and at_most, not {op}", "partial")
        return None
    kind = FIELD_KINDS[field]
    share: Any = value.get("share")
    ok = True
    if not _number(share) or not 0 < share < 1:
        say(
            f"partial = {toml_value(value)}: share must be a number between 0 and 1 "
            "(the part of the weight earned), e.g. share = 0.5",
            "partial",
        )
        ok = False
    allowed = {"share", "margin"} if kind == NUMBER else {"share", "steps"}
    extra = sorted(set(value) - allowed)
    if kind not in (NUMBER, SCALE):
        say(f"partial credit applies to numbers and funding_stage, not {field}", "partial")
        return None
    if extra:
        say(
            f"partial = {toml_value(value)}: unknown key {', '.join(extra)}; for {field} use "
            f"{' and '.join(sorted(allowed))}",
            "partial",
        )
        ok = False
    if kind == NUMBER:
        margin: Any = value.get("margin")
        if not _number(margin) or margin <= 0:
            say(
                f"partial = {toml_value(value)}: margin must be a positive fraction of the bound, "
                "e.g. margin = 0.25 (25% outside the range)",
                "partial",
            )
            ok = False
        return Partial(float(share), margin=float(margin)) if ok else None
    steps: Any = value.get("steps")
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        say(
            f"partial = {toml_value(value)}: steps must be a whole number of funding stages, "
            "e.g. steps = 1",
            "partial",
        )
        ok = False
    return Partial(float(share), steps=steps) if ok else None


def _parse_criteria(
    data: dict[str, Any],
    groups: dict[str, Group],
    problems: Problems,
    *,
    misfiled: bool = False,
    on_missing: str = "zero",
) -> tuple[list[Criterion], list[str]]:
    """The valid criteria, and the name of every criterion table (valid or not).

    `misfiled`: there are tables under a misspelt header ([[criteria]]), already reported.

    A criterion with a problem still counts as declared, so that talking points
    naming it are not reported on top of its own problem.
    """
    tables = _array(data, "criterion", problems)
    if not tables:
        if "criterion" not in data and not misfiled:
            problems.add("no [[criterion]] tables; add weighted criteria whose weights sum to 100")
        return [], []
    criteria: list[Criterion] = []
    declared: list[str] = []
    weights: list[float | None] = []
    seen: set[str] = set()
    for index, table in enumerate(tables):
        say = problems.sayer(_place("criterion", index, table), "criterion", index)
        meant = check_unknown_keys(table, CRITERION_KEYS, table.get("field"), say)
        name = _criterion_name(table, meant, say, seen, declared)
        label = table.get("label")
        if label is not None and not isinstance(label, str):
            say(f"label = {toml_value(label)}: write a string", "label")
            label = None
        weight = _criterion_weight(table, meant, say)
        weights.append(weight)
        condition = parse_condition(table, kind="criterion", groups=groups, say=say, meant=meant)
        policy = _on_missing("criterion", table, say, on_missing)
        partial = None
        if "partial" in table and condition is not None:
            partial = _parse_partial(table["partial"], condition.field, condition.op, say)
        if condition is not None and name and weight is not None:
            criteria.append(Criterion(name, condition, weight, label, partial, policy))
    _check_weight_sum(weights, tables, problems)
    return criteria, declared


def _criterion_name(
    table: dict[str, Any], meant: dict[str, str], say: Any, seen: set[str], declared: list[str]
) -> str | None:
    """The criterion's name, or None after reporting it. `seen` holds the valid names so
    far; `declared` gets the name the table stands for (a misspelt `name` key's too)."""
    name = table.get("name")
    if name is None and "name" in meant:  # reported as a misspelt key
        typo = table[meant["name"]]
        if isinstance(typo, str) and typo.strip():
            declared.append(typo)
        return None
    if not isinstance(name, str) or not name.strip():
        say(
            'missing name; add name = "<what it checks>"'
            if name is None
            else f"name = {toml_value(name)}: write a non-empty string",
            "name",
        )
        return None
    if name in seen:
        say(
            f'name "{name}" is used twice; criterion names must be unique (talking points and '
            "breakdowns refer to them)",
            "name",
        )
    else:
        seen.add(name)
        declared.append(name)
    return name


def _criterion_weight(table: dict[str, Any], meant: dict[str, str], say: Any) -> float | None:
    """The weight, or None after reporting it (missing, or not 0 < weight <= 100)."""
    weight = table.get("weight")
    if weight is None:
        if "weight" not in meant:  # else reported as a misspelt key
            say("missing weight; add weight = <points out of 100>")
        return None
    if not _number(weight) or not 0 < weight <= 100:
        say(f"weight = {toml_value(weight)}: write a number of points between 0 and 100", "weight")
        return None
    return float(weight)


def _check_weight_sum(
    weights: list[float | None], tables: list[dict[str, Any]], problems: Problems
) -> None:
    """Weights must sum to 100 (checked when every weight is valid), reported at the last."""
    if None in weights:
        return
    total = sum(w for w in weights if w is not None)
    if abs(total - 100) > 1e-9:
        last = len(tables) - 1
        problems.add(
            f"weights sum to {number_label(total)}, they must sum to 100",
            place=_place("criterion", last, tables[last]),
            table="criterion",
            index=last,
        )


def _parse_signals(data: dict[str, Any], problems: Problems) -> tuple[list[SignalRule], list[str]]:
    """The valid signal rules, and the kind of every [[signal]] table (valid or not)."""
    tables = _array(data, "signal", problems)
    rules, issues = parse_signal_rules(tables)
    for index, message in issues:
        table = tables[index] if 0 <= index < len(tables) else {}
        problems.add(message, place=_place("signal", index, table), table="signal", index=index)
    return list(rules), _signal_kinds(tables)


def _signal_kinds(tables: Any) -> list[str]:
    """The kinds [[signal]] tables declare; a misspelt kind counts as the one it is close to."""
    kinds = []
    for table in tables if isinstance(tables, list) else []:
        kind = table.get("kind") if isinstance(table, dict) else None
        near = closest_kind(kind) if isinstance(kind, str) else None
        if near:  # a misspelt kind is reported by parse_signal_rules, with this suggestion
            kinds.append(near)
    return kinds


def _criterion_names(tables: Any) -> list[str]:
    """Names in tables misfiled under a misspelt [[criterion]] header."""
    if not isinstance(tables, list):
        return []
    return [
        t["name"]
        for t in tables
        if isinstance(t, dict) and isinstance(t.get("name"), str) and t["name"].strip()
    ]


def _parse_dedupe(data: dict[str, Any], problems: Problems) -> Any:
    table = data.get("dedupe")
    settings, issues = parse_dedupe_settings(table)
    for message in issues:
        key = message.split(":", 1)[0].removeprefix("dedupe.").split(".")[0]
        problems.add(message, place="[dedupe]", table="dedupe", key=key)
    return settings


def _parse_lookalike(data: dict[str, Any], problems: Problems, path: Path | None) -> Any:
    base = path.parent if path is not None else None
    settings, issues = parse_lookalike_settings(data.get("lookalike"), base=base)
    for key, message in issues:
        problems.add(message, place="[lookalike]", table="lookalike", key=key)
    return settings


def _parse_personas(data: dict[str, Any], problems: Problems) -> list[Persona]:
    personas = []
    for index, table in enumerate(_array(data, "persona", problems)):
        title = table.get("title")
        say = problems.sayer(
            f'persona "{title}"' if isinstance(title, str) else f"persona #{index + 1}",
            "persona",
            index,
        )
        meant = _check_persona_keys(table, say)
        if not isinstance(title, str) or not title.strip():
            if not (title is None and "title" in meant):  # else reported as a misspelt key
                say('missing title; add title = "VP Sales"', "title")
            continue
        personas.append(_parse_persona(title, table, say))
    return personas


def _check_persona_keys(table: dict[str, Any], say: Any) -> set[str | None]:
    """Report unknown persona keys; returns the keys they were taken for."""
    meant = {find_closest(key, PERSONA_KEYS) for key in table if key not in PERSONA_KEYS}
    for key in table:
        if key not in PERSONA_KEYS:
            hint = did_you_mean(
                find_closest(key, PERSONA_KEYS), otherwise=f"; allowed: {', '.join(PERSONA_KEYS)}"
            )
            say(f'unknown key "{key}"{hint}', key)
    return meant


def _parse_persona(title: str, table: dict[str, Any], say: Any) -> Persona:
    """One persona; a broken optional value is reported and left out."""
    texts = {k: table.get(k) for k in ("department", "why")}
    for key, value in texts.items():
        if value is not None and not isinstance(value, str):
            say(f"{key} = {toml_value(value)}: write a string", key)
            texts[key] = None
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("cares_about", "departments"):
        strings = _strings(table.get(key, []))
        if strings is None:
            say(f"{key} = {toml_value(table[key])}: write a list of strings", key)
        lists[key] = strings or ()
    sizes: dict[str, int | None] = {}
    for key in ("min_employees", "max_employees"):
        value = table.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            say(f"{key} = {toml_value(value)}: write a whole number, e.g. {key} = 200", key)
            value = None
        sizes[key] = value
    return Persona(
        title,
        texts["department"],
        texts["why"],
        lists["cares_about"],
        departments=lists["departments"],
        min_employees=sizes["min_employees"],
        max_employees=sizes["max_employees"],
        titles=_persona_titles(table.get("titles"), say),
    )


def _persona_titles(titles: Any, say: Any) -> str | None:
    """The regular expression that finds the persona's people in a contacts file."""
    if titles is not None and not isinstance(titles, str):
        say(f'titles = {toml_value(titles)}: write a regular expression, e.g. "CRO|VP"', "titles")
        return None
    if titles is not None:
        try:
            re.compile(titles)
        except re.error as exc:
            say(f"titles = {toml_value(titles)}: not a regular expression ({exc})", "titles")
            return None
    return titles


def _parse_talking_points(
    data: dict[str, Any], criteria: list[str], signal_kinds: list[str], problems: Problems
) -> dict[str, tuple[str, ...]]:
    """`criteria` and `signal_kinds` are every declared name and kind, broken ones included."""
    table = data.get("talking_points", {})
    if not isinstance(table, dict):
        problems.add(
            "talking_points must be a table: [talking_points] with "
            '"<criterion name or signal kind>" = "..." lines',
            table="talking_points",
        )
        return {}
    say = problems.sayer("[talking_points]", "talking_points")
    known = list(dict.fromkeys([*criteria, *signal_kinds]))
    points = {}
    for key, value in table.items():
        if key not in known:
            hint = did_you_mean(
                find_closest(key, known, cutoff=60),
                otherwise=f"; use one of: {', '.join(toml_value(k) for k in known)}",
            )
            say(f'"{key}" is neither a criterion name nor a signal kind{hint}', key)
            continue
        strings = _strings(value)
        if strings is None:
            say(
                f"{toml_value(key)} = {toml_value(value)}: write a string or a list of strings", key
            )
            continue
        points[key] = strings
    return points


def _check_tables(data: dict[str, Any], problems: Problems) -> dict[str, list[Any]]:
    """Report unknown top-level tables; returns what lies under each misspelt header, by
    the table it was taken for (its names count as declared: one typo, one message)."""
    misspelt: dict[str, list[Any]] = {}
    for key in data:
        if key not in TOP_LEVEL:
            near = find_closest(key, TOP_LEVEL)
            hint = did_you_mean(near, otherwise=f"; allowed: {', '.join(TOP_LEVEL)}")
            problems.add(f'unknown table "{key}"{hint}', table=key)
            if near:
                misspelt.setdefault(near, []).append(data[key])
    return misspelt


def parse_profile(
    data: dict[str, Any], *, source: str, text: str, path: Path | None, slug: str
) -> tuple[Profile | None, list[str]]:
    """Validate TOML data into a Profile; returns (profile or None, every problem found)."""
    problems = Problems(source, text)
    misspelt = _check_tables(data, problems)
    settings = _parse_settings(data, problems)
    groups = _parse_groups(data, problems)
    for tables in misspelt.get("groups", []):  # declared, if under a misspelt header
        for key in tables if isinstance(tables, dict) else ():
            groups.setdefault(key, Group(key, key))
    requires = _parse_rules("require", data, groups, problems)
    excludes = _parse_rules("exclude", data, groups, problems)
    criteria, names = _parse_criteria(
        data,
        groups,
        problems,
        misfiled=bool(misspelt.get("criterion")),
        on_missing=settings.get("on_missing", "zero"),
    )
    for tables in misspelt.get("criterion", []):
        names += _criterion_names(tables)
    signals, kinds = _parse_signals(data, problems)
    for tables in misspelt.get("signal", []):
        kinds += _signal_kinds(tables)
    dedupe = _parse_dedupe(data, problems)
    quality = _parse_quality(data, problems)
    lookalike = _parse_lookalike(data, problems, path)
    personas = _parse_personas(data, problems)
    talking_points = _parse_talking_points(data, names, kinds, problems)
    if problems.messages:
        return None, problems.messages
    profile = Profile(
        name=settings["name"],
        slug=slug,
        path=path,
        criteria=tuple(criteria),
        tiers=settings["tiers"],
        description=settings["description"],
        priority_tier=settings["priority_tier"],
        capacity=settings["capacity"],
        score_cap=settings["score_cap"],
        min_confidence=settings["min_confidence"],
        live_signal=settings["live_signal"],
        strong_signal=settings["strong_signal"],
        live_signal_days=settings["live_signal_days"],
        quality=quality,
        requires=tuple(requires),
        excludes=tuple(excludes),
        groups=groups,
        signals=signals,
        dedupe=dedupe,
        personas=tuple(personas),
        talking_points=talking_points,
        lookalike=lookalike,
    )
    return profile, []
