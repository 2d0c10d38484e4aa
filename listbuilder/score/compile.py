"""The one place a profile becomes polars expressions.

Compilation fills a `Plan`: named intermediate columns in stages (field helpers
→ condition hits → statuses and filter results → points and why pieces →
per-profile totals), so each expression is computed once per row however many
outputs use it. Scoring, rejects and `explain` all read the same columns, so
they can never disagree.

Employee bands. Ingest keeps `employees` as a point estimate (the exact count,
else the band's midpoint) and, when the vendor gave a band, its bounds in
`employees_min` / `employees_max` (max null for an open band such as `10,001+`).
A band is used only while it still describes the point (the point is its
midpoint, or its lower end for an open band), so a row whose count was later
replaced by an exact one scores on that count. For `between` / `at_least` /
`at_most` on `employees`, a band:

- entirely inside the bounds -> `match`;
- entirely outside them (an open band is unbounded above) -> `miss`, with the
  criterion's `partial` credit when the band's nearest end is within the
  partial margin, as for a point;
- overlapping a bound -> `partial` with the criterion's partial share when it
  declares `partial`, else `unknown` (0 points, counted in `fit_unknown`): the
  data cannot say which side the company is on.

Hard filters give an overlapping band the benefit of the doubt whatever their
`on_missing`: a `require` passes it and an `exclude` keeps it; only a band
entirely on the wrong side rejects. (`on_missing` is about absent data; a band
is data, and its overlap is scored as unknown/partial by the criteria.)
Displays show the band, `1,001–5,000 employees` / `10,001+ employees`, never
the midpoint.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import polars as pl

from listbuilder.formatting import employee_band, money, short_number, thousands
from listbuilder.profile.model import (
    COUNTRY,
    DATE,
    FIELD_KINDS,
    LIST,
    NUMBER,
    SCALE,
    Condition,
    Criterion,
    Profile,
    Rule,
    Term,
)
from listbuilder.schema import FUNDING_STAGES

BREAKDOWN_DTYPE = pl.List(
    pl.Struct(
        {
            "criterion": pl.String(),
            "points": pl.Float64(),
            "weight": pl.Float64(),
            "status": pl.String(),
            "value": pl.String(),
            # the account's list elements the criterion matched, as the data spells them
            # ("Salesforce, HubSpot"); null for criteria on other fields
            "matched": pl.String(),
            # the value as a person reads it: what matched first for list criteria
            # ("Revenue Operations (of 13 departments)"), bands as bands; null when empty
            "shown": pl.String(),
        }
    )
)
VALUE_WIDTH = 90  # characters of a value cell (briefs, explain): longer ones are clipped
SYMBOLS = {"match": "✓", "partial": "~", "miss": "✗", "unknown": "?"}
_STAGE_INDEX = {stage.lower(): i for i, stage in enumerate(FUNDING_STAGES)}
_MONEY = ("revenue", "total_funding")
_NUMBER_WORDS = {
    "employees": "{} employees",
    "locations": "{} locations",
    "revenue": "{} revenue",
    "total_funding": "{} raised",
    "founded_year": "founded {}",
}
_Frame = TypeVar("_Frame", pl.DataFrame, pl.LazyFrame)

PREFIX = "__lb"  # every intermediate column starts with this and is dropped after scoring


class Plan:
    """Intermediate columns in stages; `apply` adds them stage by stage."""

    # 0 field helpers · 1 condition hits · 2 statuses, points, rule results · 3 pass, fit
    # score | 4-5 display values (kept and rejected rows) | 6 matched list elements ·
    # 7 why pieces · 8 why, breakdown (kept rows)
    STAGES = 9
    SELECT = 4  # stages before this decide who is kept; later ones run on fewer rows
    DISPLAY = 6  # stages SELECT..DISPLAY-1 hold display values, which rejects need too

    def __init__(self) -> None:
        self._stages: list[dict[str, pl.Expr]] = [{} for _ in range(self.STAGES)]

    def column(self, stage: int, name: str, build: Callable[[], pl.Expr]) -> pl.Expr:
        """Register `name` (built once) at `stage` and return a reference to it."""
        full = f"{PREFIX}_{name}"
        if full not in self._stages[stage]:
            self._stages[stage][full] = build()
        return pl.col(full)

    def roots(self) -> set[str]:
        """The input columns the registered expressions read (not the plan's own)."""
        names: set[str] = {"unparsed"}
        for stage in self._stages:
            for expr in stage.values():
                names.update(expr.meta.root_names())
        return {n for n in names if not n.startswith(PREFIX)}

    def apply(self, frame: _Frame, stages: range | None = None) -> _Frame:
        """Add the columns of `stages` (all by default), one `with_columns` per stage."""
        for number in stages if stages is not None else range(self.STAGES):
            if self._stages[number]:
                frame = frame.with_columns(**self._stages[number])
        return frame


@dataclass
class RuleColumns:
    rule: Rule
    ok: pl.Expr  # Boolean, never null
    detail: pl.Expr  # String: the account's value and why it failed
    shown: pl.Expr  # String: the account's value ("country US"), for rules that pass
    known: pl.Expr = field(default_factory=lambda: pl.lit(True))  # Boolean: the field has data


@dataclass
class ProfileColumns:
    """References to one profile's result columns after `Plan.apply`."""

    passes: pl.Expr
    reason: pl.Expr
    detail: pl.Expr
    fit_score: pl.Expr
    fit_unknown: pl.Expr
    why: pl.Expr
    breakdown: pl.Expr
    rules: list[RuleColumns] = field(default_factory=list)
    present: dict[str, pl.Expr] = field(default_factory=dict)  # criterion name -> has data
    # Float64 0-1: the weight of the criteria with data / 100
    confidence: pl.Expr = field(default_factory=lambda: pl.lit(1.0))
    # Float64 0-100: the best fit score this account could reach on the data it has
    reachable: pl.Expr = field(default_factory=lambda: pl.lit(100.0))
    # Int64: the code of the first check the account fails (null when it passes): the index
    # of the rule in `profile.rules`, then len(rules) + k for the k-th criterion whose
    # on_missing is "exclude" (see `check_labels`)
    failed: pl.Expr = field(default_factory=lambda: pl.lit(None, dtype=pl.Int64))
    # Boolean: that check failed for lack of data ("no data: ..."), not on a value
    failed_no_data: pl.Expr = field(default_factory=lambda: pl.lit(None, dtype=pl.Boolean))


# ----------------------------------------------------------------- field helpers (stage 0)


def band_bounds(plan: Plan, name: str) -> tuple[pl.Expr, pl.Expr, pl.Expr] | None:
    """(banded, low, high) for a field with a band (`employees`), else None.

    `banded` is true when the row's value came from a band that still describes the
    point estimate (its midpoint; its lower end when open); `high` is null when open.
    """
    if name != "employees":
        return None

    def build() -> pl.Expr:
        low, high, point = pl.col("employees_min"), pl.col("employees_max"), pl.col(name)
        mid = pl.when(high.is_null()).then(low).otherwise((low + high) // 2)
        return (low.is_not_null() & point.is_not_null() & (mid == point)).fill_null(False)

    banded = plan.column(0, f"banded_{name}", build)
    return (
        banded,
        pl.col("employees_min").cast(pl.Float64),
        pl.col("employees_max").cast(pl.Float64),
    )


def _band_text(plan: Plan) -> pl.Expr:
    banded, low, high = band_bounds(plan, "employees")  # type: ignore[misc]
    return pl.when(banded).then(employee_band(low, high))


def band_text(plan: Plan) -> pl.Expr:
    """`1,001–5,000` / `10,001+` where the employee count is a vendor band that still
    describes it (`band_bounds`), else null: how every display shows a band."""
    return plan.column(4, "band_employees", lambda: _band_text(plan))


def _value(plan: Plan, name: str) -> pl.Expr:
    def build() -> pl.Expr:
        column = pl.col(name)
        kind = FIELD_KINDS[name]
        if kind == LIST:
            return pl.when(column.list.len() > 0).then(column.list.join(", "))
        if kind == NUMBER:
            number = column.cast(pl.Float64)
            if name in _MONEY:
                shown = money(number)
            elif name in ("employees", "locations"):  # counts read as people write them
                shown = thousands(column.cast(pl.Int64))
            else:
                shown = short_number(number)
            if name != "employees":
                return shown
            return pl.coalesce(_band_text(plan), shown)
        return column.cast(pl.String)

    return plan.column(4, f"value_{name}", build)


# Fields ingest parses (so a raw value can be left in `unparsed`) -> the `unparsed` keys
# their raw value may sit under. Free text is never unparsed: it has no entry.
_RAW_KEYS: dict[str, tuple[str, ...]] = {
    **{
        f: (f,)
        for f in (
            "locations",
            "founded_year",
            "funding_stage",
            "total_funding",
            "last_funding_date",
            "technologies",
            "departments",
            "sic",
            "naics",
        )
    },
    "employees": ("employees", "employees_range"),
    "revenue": ("revenue", "revenue_range"),
    "country": ("country", "location"),
    "state": ("state", "location"),
    "city": ("city", "location"),
}


def raw_value_expr(field: str, unparsed: pl.Expr | None = None) -> pl.Expr | None:
    """The raw text ingest could not parse for `field`, from the lineage column `unparsed`
    (`"employees=abc; country=GER"` -> `GER` for country); None for fields never unparsed."""
    keys = _RAW_KEYS.get(field)
    if keys is None:
        return None
    source = pl.col("unparsed") if unparsed is None else unparsed
    alternatives = "|".join(re.escape(k) for k in keys)
    # values are joined with "; " after "field=": a value runs to the next "; <field>=" or the end
    return source.str.extract(rf"(?s)(?:^|; )(?:{alternatives})=(.*?)(?:; [a-z_]+=|$)", 1)


def _raw(plan: Plan, name: str) -> pl.Expr | None:
    """The field's unparsed raw value (null when it parsed or was empty), a display column."""
    built = raw_value_expr(name)
    return None if built is None else plan.column(4, f"raw_{name}", lambda: built)


def _unrecognised(plan: Plan, fields: list[str], *, label: Callable[[str], str]) -> pl.Expr:
    """`<label>"<raw>" not recognised` for the first of `fields` with a raw value, else null."""
    texts = [
        pl.format(f'{label(f)}"{{}}" not recognised', raw)
        for f in fields
        if (raw := _raw(plan, f)) is not None
    ]
    return pl.coalesce(texts) if texts else pl.lit(None, dtype=pl.String)


def _fields(condition: Condition) -> list[str]:
    """The condition's field, then the other fields its groups read (industry, sic, naics)."""
    cross = sorted({t.field for i in condition.items for t in i.terms} - {condition.field})
    return [condition.field, *cross]


def _present(plan: Plan, name: str) -> pl.Expr:
    def build() -> pl.Expr:
        column = pl.col(name)
        kind = FIELD_KINDS[name]
        if kind == LIST:
            return (column.list.len() > 0).fill_null(False)
        if kind == SCALE:
            return _scale_index(column).is_not_null()
        if kind in (NUMBER, DATE):
            return column.is_not_null()
        return (column.cast(pl.String).str.strip_chars() != "").fill_null(False)

    return plan.column(0, f"has_{name}", build)


def _scale_index(column: pl.Expr) -> pl.Expr:
    return (
        column.cast(pl.String)
        .str.to_lowercase()
        .replace_strict(_STAGE_INDEX, default=None, return_dtype=pl.Int64)
    )


def _lower(plan: Plan, name: str) -> pl.Expr:
    def build() -> pl.Expr:
        if FIELD_KINDS[name] == LIST:
            return pl.col(name).list.eval(pl.element().str.to_lowercase())
        return pl.col(name).cast(pl.String).str.to_lowercase()

    return plan.column(0, f"lower_{name}", build)


def _subject(plan: Plan, name: str) -> pl.Expr:
    kind = FIELD_KINDS[name]
    if kind == SCALE:
        return plan.column(0, f"index_{name}", lambda: _scale_index(pl.col(name)))
    if kind == NUMBER:
        return pl.col(name).cast(pl.Float64)
    return pl.col(name)


# ----------------------------------------------------------------- conditions (stage 1)


def _test(element: pl.Expr, term: Term) -> pl.Expr:
    if term.mode == "prefix":
        return element.str.contains("^(?:" + "|".join(re.escape(v) for v in term.values) + ")")
    return element.is_in(list(term.values))


def _term(plan: Plan, term: Term) -> pl.Expr:
    lowered = _lower(plan, term.field)
    if FIELD_KINDS[term.field] == LIST:
        return lowered.list.eval(_test(pl.element(), term)).list.any().fill_null(False)
    return _test(lowered, term).fill_null(False)


@dataclass
class Compiled:
    hit: pl.Expr  # Boolean; meaningful where `present`
    present: pl.Expr  # Boolean, never null
    value: pl.Expr  # String: the account's value as it reads in a breakdown
    matched: pl.Expr | None = None  # String: list elements that matched (list operators)
    # Boolean: the account's band straddles a bound (numeric ranges on a banded field)
    overlap: pl.Expr | None = None


def _merged(condition: Condition) -> list[Term]:
    """The items' terms merged per (field, mode): one membership test per column."""
    merged: dict[tuple[str, str], dict[str, str]] = {}
    for item in condition.items:
        for term in item.terms:
            values = merged.setdefault((term.field, term.mode), {})
            for lowered, shown in zip(term.values, term.shown or term.values, strict=False):
                values.setdefault(lowered, shown)
    return [Term(f, mode, tuple(v), tuple(v.values())) for (f, mode), v in merged.items()]


def _matched(plan: Plan, key: str, condition: Condition) -> pl.Expr | None:
    """The matched list elements, spelled as in the profile (deterministic, readable)."""
    own = [t for item in condition.items for t in item.terms if t.field == condition.field]
    if condition.kind != LIST or not own or any(t.mode != "eq" for t in own):
        return None
    mapping: dict[str, str] = {}
    for term in own:
        for lowered, shown in zip(term.values, term.shown or term.values, strict=False):
            mapping.setdefault(lowered, shown)
    values = sorted(mapping)

    def build() -> pl.Expr:
        found = _lower(plan, condition.field).list.filter(pl.element().is_in(values))
        return found.list.eval(pl.element().replace(mapping)).list.join(", ")

    return plan.column(6, f"{key}_matched", build)


def _found(plan: Plan, key: str, condition: Condition) -> pl.Expr | None:
    """The account's list elements the condition matches, as the data spells them, in list
    order, once each (`any` / `all` / `none` / `matches` on a list field); else None."""
    name = condition.field
    if condition.kind != LIST or condition.op not in ("any", "all", "none", "matches"):
        return None
    if condition.op == "matches":
        test = pl.element().str.contains("(?i)" + (condition.pattern or ""))
    else:
        own = [t for t in _merged(condition) if t.field == name]
        if not own:
            return None
        lowered = pl.element().str.to_lowercase()
        test = pl.any_horizontal([_test(lowered, t) for t in own])
    return plan.column(
        6,
        f"{key}_found",
        lambda: pl.col(name).list.filter(test.fill_null(False)).list.unique(maintain_order=True),
    )


def _shown(plan: Plan, key: str, condition: Condition, value: pl.Expr) -> pl.Expr:
    """The value cell: `<matched> (of <n> <field>)` when a list criterion matched some of
    the account's items, else the value; null when it is empty."""
    text = pl.when(value.str.strip_chars() != "").then(value)
    found = _found(plan, key, condition)
    if found is None:
        return text

    def build() -> pl.Expr:
        items = pl.col(condition.field).list.eval(
            pl.element().filter(pl.element().is_not_null() & (pl.element() != ""))
        )
        count, hits = items.list.len(), found.list.len()
        listed = pl.format(
            f"{{}} (of {{}} {condition.field})", found.list.join(", "), thousands(count)
        )
        return pl.when((hits > 0) & (hits < count)).then(listed).otherwise(text)

    return plan.column(7, f"{key}_shown", build)


def shown_cell(entry: dict[str, object], width: int = VALUE_WIDTH) -> str | None:
    """A breakdown entry's `shown` text clipped to `width` characters for a table cell;
    a list criterion's `(of 13 technologies)` tail is never clipped away. An entry made
    without `shown` (a breakdown from before it existed) shows its `value`."""
    shown = entry["shown"] if "shown" in entry else entry.get("value")
    matched = entry.get("matched")
    if shown is None or not str(shown).strip():
        return None
    text = str(shown)
    tail = ""
    if matched and text.startswith(str(matched)) and text != matched:
        text, tail = str(matched), text[len(str(matched)) :]
    return _clip(text, width - len(tail)) + tail


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(width - 1, 0)].rstrip(" ,;") + "…"


def compile_condition(plan: Plan, key: str, condition: Condition) -> Compiled:
    """hit / present / value columns for one field + operator, registered under `key`."""
    name, op = condition.field, condition.op
    present, value = _present(plan, name), _value(plan, name)
    if op in ("exists", "missing"):
        return Compiled(present if op == "exists" else ~present, pl.lit(True), value)
    if op in ("in", "not_in", "any", "all", "none"):
        return _compile_membership(plan, key, condition, present, value)
    if op == "matches":
        return _compile_pattern(plan, key, condition, present, value)
    return _compile_range(plan, key, condition, present, value)


def _compile_membership(
    plan: Plan, key: str, condition: Condition, present: pl.Expr, value: pl.Expr
) -> Compiled:
    """`in` / `not_in` / `any` / `all` / `none`: membership of the items' terms."""
    name, op = condition.field, condition.op
    cross = sorted({t.field for i in condition.items for t in i.terms} - {name})
    if cross:  # a group spanning industry, sic, naics...: present if any of them is
        present = plan.column(
            1,
            f"{key}_present",
            lambda: pl.any_horizontal([_present(plan, name), *(_present(plan, f) for f in cross)]),
        )
        value = plan.column(
            5,
            f"{key}_value",
            lambda: pl.coalesce(
                [
                    _value(plan, name),
                    *(pl.format(f"{f.upper()} {{}}", _value(plan, f)) for f in cross),
                ]
            ),
        )

    def build() -> pl.Expr:
        if op == "all":  # each item must hold on its own
            return pl.all_horizontal(
                [
                    pl.any_horizontal([_term(plan, t) for t in item.terms])
                    for item in condition.items
                ]
            )
        found = pl.any_horizontal([_term(plan, t) for t in _merged(condition)])
        return ~found if op in ("not_in", "none") else found

    hit = plan.column(1, f"{key}_hit", build)
    return Compiled(hit, present, value, _matched(plan, key, condition))


def _compile_pattern(
    plan: Plan, key: str, condition: Condition, present: pl.Expr, value: pl.Expr
) -> Compiled:
    """`matches`: a case-insensitive regular expression, on the text or on each element."""
    name = condition.field
    pattern = "(?i)" + (condition.pattern or "")
    if condition.kind != LIST:
        hit = plan.column(
            1,
            f"{key}_hit",
            lambda: pl.col(name).cast(pl.String).str.contains(pattern).fill_null(False),
        )
        return Compiled(hit, present, value)
    hit = plan.column(
        1,
        f"{key}_hit",
        lambda: (
            pl.col(name).list.eval(pl.element().str.contains(pattern)).list.any().fill_null(False)
        ),
    )
    matched = plan.column(
        6,
        f"{key}_matched",
        lambda: pl.col(name).list.filter(pl.element().str.contains(pattern)).list.join(", "),
    )
    return Compiled(hit, present, value, matched)


def _compile_range(
    plan: Plan, key: str, condition: Condition, present: pl.Expr, value: pl.Expr
) -> Compiled:
    """`between` / `at_least` / `at_most` on numbers, dates and the funding scale; on a
    banded field, a band counts only when entirely inside (`overlap`: it straddles)."""
    name = condition.field
    band = band_bounds(plan, name) if condition.kind == NUMBER else None

    def build_range() -> pl.Expr:
        subject = _subject(plan, name)
        test = pl.lit(True)
        if condition.low is not None:
            test = test & (subject >= pl.lit(condition.low))
        if condition.high is not None:
            test = test & (subject <= pl.lit(condition.high))
        if band is not None:  # a band counts only when entirely inside the bounds
            test = pl.when(band[0]).then(band_inside()).otherwise(test)
        return test.fill_null(False)

    def band_inside() -> pl.Expr:
        assert band is not None
        _, low, high = band
        inside = pl.lit(True)
        if condition.low is not None:
            inside = inside & (low >= pl.lit(condition.low))
        if condition.high is not None:
            inside = inside & high.is_not_null() & (high <= pl.lit(condition.high))
        return inside

    if band is None:
        return Compiled(plan.column(1, f"{key}_hit", build_range), present, value)

    def build_overlap() -> pl.Expr:
        banded, low, high = band
        outside = pl.lit(False)
        if condition.high is not None:
            outside = outside | (low > pl.lit(condition.high))
        if condition.low is not None:
            outside = outside | (high.is_not_null() & (high < pl.lit(condition.low)))
        return (banded & ~band_inside() & ~outside).fill_null(False)

    hit = plan.column(1, f"{key}_hit", build_range)
    overlap = plan.column(1, f"{key}_overlap", build_overlap)
    return Compiled(hit, present, value, overlap=overlap)


def _near(plan: Plan, key: str, criterion: Criterion) -> pl.Expr:
    condition, partial = criterion.condition, criterion.partial
    if partial is None:
        return pl.lit(False)

    def build() -> pl.Expr:
        subject = _subject(plan, condition.field)
        band = band_bounds(plan, condition.field) if condition.kind == NUMBER else None
        near = pl.lit(True)
        band_near = pl.lit(True)
        margin, steps = partial.margin, partial.steps or 0
        if condition.low is not None:
            low = condition.low * (1 - margin) if margin is not None else condition.low - steps
            near = near & (subject >= low)
            if band is not None:  # the band's nearest (upper) end; open is unbounded
                band_near = band_near & (band[2].is_null() | (band[2] >= low))
        if condition.high is not None:
            high = condition.high * (1 + margin) if margin is not None else condition.high + steps
            near = near & (subject <= high)
            if band is not None:  # the band's nearest (lower) end
                band_near = band_near & (band[1] <= high)
        if band is not None:
            near = pl.when(band[0]).then(band_near).otherwise(near)
        return near.fill_null(False)

    return plan.column(1, f"{key}_near", build)


# ----------------------------------------------------------------- criteria (stages 2-3)


def _why_text(plan: Plan, criterion: Criterion, compiled: Compiled, status: pl.Expr) -> pl.Expr:
    condition, short = criterion.condition, criterion.short
    op, kind = condition.op, condition.kind
    named, negated = pl.lit(short), pl.lit(f"no {short}")
    if kind == NUMBER:
        shown = pl.format(
            _NUMBER_WORDS.get(condition.field, f"{condition.field} {{}}"), compiled.value
        )
    elif kind == DATE:
        shown = pl.format(f"{condition.field} {{}}", compiled.value)
    else:
        shown = compiled.value
    found = (
        named
        if compiled.matched is None
        else (pl.when(compiled.matched.str.len_chars() > 0).then(compiled.matched).otherwise(named))
    )
    if op == "exists" or (op == "matches" and kind != LIST):
        text = pl.when(compiled.hit).then(named).otherwise(negated)
    elif op == "missing":
        text = pl.when(compiled.hit).then(negated).otherwise(named)
    elif op == "none":
        text = pl.when(compiled.hit).then(negated).otherwise(found if kind == LIST else shown)
    elif op in ("any", "all", "matches"):
        text = pl.when(compiled.hit).then(found).otherwise(negated)
    else:
        text = shown
    fields = _fields(condition)
    absent = ~pl.any_horizontal([_present(plan, f) for f in fields])
    unrecognised = _unrecognised(plan, fields, label=lambda f: f"{f} ")
    return (
        pl.when(absent & unrecognised.is_not_null())
        .then(unrecognised)
        .when((status == "unknown") & (compiled.overlap if compiled.overlap is not None else False))
        .then(text)  # a straddling band: show it, that is what is unknown
        .when(status == "unknown")
        .then(pl.lit(f"{short} unknown"))
        .when(~compiled.present)
        .then(pl.lit(f"{short} unknown"))
        .otherwise(text)
    )


def _criterion(
    plan: Plan, key: str, criterion: Criterion
) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
    """(points, status, why piece, breakdown struct, present) column references."""
    compiled = compile_condition(plan, key, criterion.condition)
    near = _near(plan, key, criterion)
    # No data is never a miss, whatever the policy: it is unknown (under "zero" it still
    # earns 0 points with its weight counted; the policy decides the points, not the word)
    missing = "unknown"
    # a band straddling a bound: the criterion's partial share if it has one, else unknown
    overlap = compiled.overlap if compiled.overlap is not None else pl.lit(False)
    straddles = "partial" if criterion.partial else "unknown"
    status = plan.column(
        2,
        f"{key}_status",
        lambda: (
            pl.when(~compiled.present)
            .then(pl.lit(missing))
            .when(compiled.hit)
            .then(pl.lit("match"))
            .when(overlap)
            .then(pl.lit(straddles))
            .when(near)
            .then(pl.lit("partial"))
            .otherwise(pl.lit("miss"))
        ),
    )
    share = criterion.partial.share if criterion.partial else 0.0
    points = plan.column(
        2,
        f"{key}_points",
        lambda: (
            pl.when(~compiled.present)
            .then(pl.lit(0.0))
            .when(compiled.hit)
            .then(pl.lit(criterion.weight))
            .when(overlap | near)
            .then(pl.lit(criterion.weight * share))
            .otherwise(pl.lit(0.0))
        ),
    )
    symbol = status.replace_strict(SYMBOLS, return_dtype=pl.String)
    why = plan.column(
        7,
        f"{key}_why",
        lambda: pl.concat_str(
            [_why_text(plan, criterion, compiled, status), symbol, short_number(points)],
            separator=" ",
        ),
    )
    main = criterion.condition.field
    value = pl.coalesce(
        compiled.value,
        _unrecognised(
            plan, _fields(criterion.condition), label=lambda f: "" if f == main else f"{f.upper()} "
        ),
    )
    found = _found(plan, key, criterion.condition)
    struct = pl.struct(
        criterion=pl.lit(criterion.name, dtype=pl.String),
        points=points,
        weight=pl.lit(criterion.weight, dtype=pl.Float64),
        status=status,
        value=value,
        matched=(
            pl.lit(None, dtype=pl.String)
            if found is None
            else pl.when(found.list.len() > 0).then(found.list.join(", "))
        ),
        shown=_shown(plan, key, criterion.condition, value),
    )
    return points, status, why, struct, compiled.present


# ----------------------------------------------------------------- hard filters


def _item_label(condition: Condition, label: str) -> str:
    """A region in a country rule reads as one (`region NA (US, CA)`), never as the
    country code it may also be (Namibia is `NA`)."""
    if condition.kind == COUNTRY:
        from listbuilder.normalize.geo import REGIONS

        codes = REGIONS.get(label.upper().replace(" ", "_"))
        if codes is not None:
            return f"region {label} ({', '.join(codes)})"
    return label


def _country_name(code: pl.Expr) -> pl.Expr:
    """`NA` -> `NA (Namibia)`: a country code with its name, in messages."""
    import pycountry

    names = {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    name = code.str.to_uppercase().replace_strict(names, default=None, return_dtype=pl.String)
    return pl.when(name.is_null()).then(code).otherwise(pl.format("{} ({})", code, name))


def _labels(condition: Condition) -> str:
    labels = [_item_label(condition, item.label) for item in condition.items]
    return ", ".join(labels[:6]) + (f", … (+{len(labels) - 6})" if len(labels) > 6 else "")


_SUFFIXES: dict[str, Callable[[Condition], str]] = {
    "in": lambda c: f" not in {_labels(c)}",
    "not_in": lambda c: f" in {_labels(c)}",
    "any": lambda c: f" has none of {_labels(c)}",
    "all": lambda c: f" lacks one of {_labels(c)}",
    "none": lambda c: f" has one of {_labels(c)}",
    "matches": lambda c: f" does not match {c.pattern}",
    "missing": lambda c: " is set",
    "between": lambda c: f" not in {c.low_label}–{c.high_label}",
    "at_least": lambda c: f" below {c.low_label}",
    "at_most": lambda c: f" above {c.high_label}",
}


def _rule(plan: Plan, key: str, rule: Rule) -> RuleColumns:
    compiled = compile_condition(plan, key, rule.condition)
    name = rule.condition.field
    if rule.kind == "require":
        ok = compiled.hit & compiled.present
        if rule.on_missing == "pass":
            ok = ok | ~compiled.present
        if compiled.overlap is not None:
            # Benefit of the doubt: a band straddling a bound (`1,001–5,000` for at_most
            # 2000) may fit, so it passes whatever on_missing says (that is about absent
            # data); the criteria score it as unknown / partial. Only a band entirely
            # outside the bounds fails.
            ok = ok | compiled.overlap
        suffix = _SUFFIXES.get(rule.condition.op, lambda c: "")(rule.condition)
    else:
        # `hit` of a band means entirely inside: a straddling band is not excluded
        # (benefit of the doubt, as for require).
        ok = ~(compiled.hit & compiled.present)
        if rule.on_missing == "exclude":
            ok = ok & compiled.present
        suffix = ""
    existence = rule.condition.op in ("exists", "missing")
    absent = ~_present(plan, name) if existence else ~compiled.present
    ok_column = plan.column(2, f"{key}_ok", lambda: ok.fill_null(False))
    shown = pl.concat_str([pl.lit(f"{name} "), compiled.value.fill_null("∅")])
    # a failed country names the country, so "NA" (Namibia) is never read as the region NA
    value = _country_name(compiled.value) if FIELD_KINDS[name] == COUNTRY else compiled.value
    failed = pl.concat_str([pl.lit(f"{name} "), value.fill_null("∅")])
    fields = [name] if existence else _fields(rule.condition)
    # no value: "not recognised" when ingest kept a raw value it could not parse
    nothing = pl.coalesce(
        _unrecognised(plan, fields, label=lambda f: f"{f} "), pl.lit(f"{name} missing")
    )
    detail = pl.when(absent).then(nothing).otherwise(failed + pl.lit(suffix))
    known = _present(plan, name) if existence else compiled.present
    return RuleColumns(
        rule, ok_column, detail, pl.when(absent).then(nothing).otherwise(shown), known
    )


# ----------------------------------------------------------------- a whole profile


_Part = tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr, pl.Expr]  # see `_criterion`
_Check = tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]  # ok, reason, detail, no data


def compile_profile(plan: Plan, profile: Profile, index: int) -> ProfileColumns:
    """Register every column one profile needs; return references to its results."""
    base = f"p{index}"
    rules = [_rule(plan, f"{base}_r{j}", rule) for j, rule in enumerate(profile.rules)]
    parts = [_criterion(plan, f"{base}_c{j}", c) for j, c in enumerate(profile.criteria)]
    passes, reason, detail, failed, no_data = _verdict(
        plan, base, _checks(plan, profile, rules, parts)
    )
    fit_score, confidence, reachable = _fit(plan, base, profile, parts)
    fit_unknown = plan.column(
        3,
        f"{base}_fit_unknown",
        lambda: pl.sum_horizontal([(p[1] == "unknown").cast(pl.Int64) for p in parts]),
    )
    why = plan.column(
        8, f"{base}_why", lambda: pl.concat_str([p[2] for p in parts], separator=" · ")
    )
    # concat_arr then to_list: same value as concat_list, ~20x faster on struct columns
    breakdown = plan.column(
        8, f"{base}_breakdown", lambda: pl.concat_arr([p[3] for p in parts]).arr.to_list()
    )
    present = {c.name: p[4] for c, p in zip(profile.criteria, parts, strict=True)}
    return ProfileColumns(
        passes,
        reason,
        detail,
        fit_score,
        fit_unknown,
        why,
        breakdown,
        rules,
        present,
        confidence,
        reachable,
        failed,
        no_data,
    )


def _checks(
    plan: Plan, profile: Profile, rules: list[RuleColumns], parts: list[_Part]
) -> list[_Check]:
    """(ok, reason, detail, no data) of every check that can reject: the hard filters, then
    the criteria whose missing-data policy is "exclude"; a check's code is its index here
    (`check_labels`)."""
    checks = []
    for r in rules:
        verb = "failed" if r.rule.kind == "require" else "excluded"
        # no value is not a failed rule: "no data: <rule>" (detail "country missing")
        text = pl.lit(f"{verb}: {r.rule.label}")
        no_data: pl.Expr = pl.lit(False)
        if r.rule.condition.op not in ("exists", "missing"):  # there, absence is the test
            text = pl.when(r.known).then(text).otherwise(pl.lit(f"no data: {r.rule.label}"))
            no_data = ~r.known
        checks.append((r.ok, text, r.detail, no_data))
    for criterion, part in zip(profile.criteria, parts, strict=True):
        if criterion.on_missing == "exclude":
            fields = _fields(criterion.condition)
            nothing = pl.coalesce(
                _unrecognised(plan, fields, label=lambda f: f"{f} "),
                pl.lit(f"{criterion.condition.field} missing"),
            )
            checks.append((part[4], pl.lit(f"no data: {criterion.name}"), nothing, pl.lit(True)))
    return checks


def _verdict(
    plan: Plan, base: str, checks: list[_Check]
) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
    """(passes, reason, detail, failed check code, failed for lack of data): the first
    failed check decides."""
    reason: pl.Expr = pl.lit(None, dtype=pl.String)
    detail: pl.Expr = pl.lit(None, dtype=pl.String)
    failed: pl.Expr = pl.lit(None, dtype=pl.Int64)
    no_data: pl.Expr = pl.lit(None, dtype=pl.Boolean)
    if not checks:
        return pl.lit(True), reason, detail, failed, no_data
    passes = plan.column(3, f"{base}_pass", lambda: pl.all_horizontal([c[0] for c in checks]))
    for code in range(len(checks) - 1, -1, -1):
        ok, text, why_not, absent = checks[code]
        reason = pl.when(~ok).then(text).otherwise(reason)
        detail = pl.when(~ok).then(why_not).otherwise(detail)
        failed = pl.when(~ok).then(pl.lit(code, dtype=pl.Int64)).otherwise(failed)
        no_data = pl.when(~ok).then(absent).otherwise(no_data)
    return passes, reason, detail, failed, no_data


def _fit(
    plan: Plan, base: str, profile: Profile, parts: list[_Part]
) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(fit score, confidence, reachable): the points earned, rescaled where "neutral"
    criteria lack data; the share of the weight with data; the best the data allows."""
    weights = [(c.weight, c.on_missing, p[4]) for c, p in zip(profile.criteria, parts, strict=True)]
    known = plan.column(
        2,
        f"{base}_known",
        lambda: pl.sum_horizontal(
            [pl.when(has).then(pl.lit(w)).otherwise(pl.lit(0.0)) for w, _, has in weights]
        ),
    )
    neutral = [(w, has) for w, policy, has in weights if policy == "neutral"]
    # the weight out of which the account is scored: all of it, less the "neutral"
    # criteria it has no data for
    scale = plan.column(
        2,
        f"{base}_scale",
        lambda: (
            pl.lit(100.0)
            - pl.sum_horizontal(
                [pl.when(has).then(pl.lit(0.0)).otherwise(pl.lit(w)) for w, has in neutral]
                or [pl.lit(0.0)]
            )
        ),
    )
    total = sum(w for w, _, _ in weights) or 100.0

    def build_fit() -> pl.Expr:
        earned = pl.sum_horizontal([p[0] for p in parts])
        if not neutral:
            return earned.round(6)
        # Rescaled only where data is missing: with every field known the score is the
        # plain sum, bit for bit.
        return (
            pl.when(scale >= total)
            .then(earned)
            .when(scale > 0)
            .then(earned * pl.lit(total) / scale)
            .otherwise(pl.lit(0.0))
            .round(6)
        )

    fit_score = plan.column(3, f"{base}_fit_score", build_fit)
    confidence = plan.column(3, f"{base}_confidence", lambda: (known / pl.lit(total)).round(4))
    reachable = plan.column(
        3,
        f"{base}_reachable",
        lambda: pl.when(scale > 0).then(known * 100.0 / scale).otherwise(0.0).round(6),
    )
    return fit_score, confidence, reachable


def tier_expr(profile: Profile, score_column: str | pl.Expr) -> pl.Expr:
    """The profile's tier for a score column (null below the lowest threshold)."""
    score = pl.col(score_column) if isinstance(score_column, str) else score_column
    tier: pl.Expr = pl.lit(None, dtype=pl.String)
    for name, floor in reversed(profile.tiers):
        tier = pl.when(score >= floor).then(pl.lit(name)).otherwise(tier)
    return tier


def check_labels(profile: Profile) -> list[tuple[str, str]]:
    """(kind, label) of every check that can reject, by its code (`ProfileColumns.failed`):
    ("require" | "exclude", rule label) per hard filter, then ("no data", criterion name)
    per criterion whose on_missing is "exclude"."""
    found = [(rule.kind, rule.label) for rule in profile.rules]
    found += [("no data", c.name) for c in profile.criteria if c.on_missing == "exclude"]
    return found


def score_cap(profile: Profile) -> float:
    """The most a combined score can be (`score_cap`, 100 unless the profile sets it)."""
    return float(profile.score_cap or 100)


def capped_score(profile: Profile, total: pl.Expr) -> pl.Expr:
    """fit + boosts, capped at the profile's `score_cap` (unrounded)."""
    return pl.min_horizontal(total, pl.lit(score_cap(profile)))


def final_score_columns(profile: Profile, boosts: pl.Expr) -> dict[str, pl.Expr]:
    """`score` (fit_score + `boosts` — signal and lookalike points —, capped, to 0.1) and
    its `tier`: the ranking score every output shows."""
    score = capped_score(profile, pl.col("fit_score") + boosts).round(1)
    return {"score": score, "tier": tier_expr(profile, score)}
