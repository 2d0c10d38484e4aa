"""learn_profile: draft an ICP profile from won vs lost deals, every rule with its evidence.

The method, in the order an SDR manager can check it in the draft's comments:

1. Label closed deals. Best customers are won deals not churned within 12 months
   (`best="won"`), or only the top quartile of those by value, amount plus
   expansion (`best="top-quartile"`); they are compared with lost deals and
   deals that churned within a year.
2. Cut each attribute into segments: industry, employee and revenue bands,
   country and region, funding stage, each technology and department. A segment
   with fewer than `min_deals` closed deals is listed as "too little data".
3. Single-valued attributes: the split that separates best customers from the
   rest most clearly (largest two-proportion z) among the runs of adjacent bands,
   or the top values by win rate (for a yes/no outcome the best two-way split of
   a categorical attribute is one of these). Kept when z >= 3 (many splits are
   tried) and the lift's 95% interval lies above 1.
4. Technologies and departments: a regression of the outcome on the rules of 3,
   the size of the stack and one indicator per value (a tool that only marks
   software companies, or big stacks, gets a coefficient near zero); the values,
   strongest first, form the `any` rule that adds most to the fit
   (likelihood-ratio statistic >= 9).
5. Weights: an L2-regularised logistic regression over the merged rules; points
   proportional to the coefficients, whole numbers summing to 100.
6. `[[exclude]]` (negative ICP) for segments that win at most half as often as
   the rest with the whole interval below 1; `[[require]]` only where evidence
   is overwhelming: at least 2 x `min_deals` deals outside a rule, and an upper
   Wilson bound of their win rate under 10%.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

import polars as pl

from listbuilder.errors import InputError
from listbuilder.learn import stats
from listbuilder.learn.backtest import pct, retention_known, times
from listbuilder.learn.draft import draft_toml
from listbuilder.learn.draft import write_draft as write_draft  # re-exported
from listbuilder.normalize.geo import REGIONS
from listbuilder.schema import FUNDING_STAGES

MIN_DEALS = 20
L2 = 1.0
MIN_COEFFICIENT = 0.15  # a candidate whose regression coefficient is below this echoes another
MAX_LIST_VALUES = 10  # technologies/departments tried, strongest first, for one `any` rule
# Many splits are tried per attribute, so a merged rule must clear z >= 3 (chi-square >= 9,
# about p < 0.003), not the single-test 1.96: noise rarely gets through.
MIN_Z = 3.0
LR_CRITICAL = MIN_Z**2
EXCLUDE_LIFT = 0.5
REQUIRE_RATE_HIGH = 0.10
EMPLOYEE_BANDS = (
    (1, 49),
    (50, 199),
    (200, 499),
    (500, 999),
    (1000, 1999),
    (2000, 4999),
    (5000, None),
)
REVENUE_BANDS = (
    (0, 999_999),
    (1_000_000, 9_999_999),
    (10_000_000, 49_999_999),
    (50_000_000, 99_999_999),
    (100_000_000, 999_999_999),
    (1_000_000_000, None),
)
ATTRIBUTES = (
    "industry",
    "employees",
    "revenue",
    "country",
    "funding_stage",
    "technologies",
    "departments",
)
LIST_FIELDS = ("technologies", "departments")
BAND_FIELDS = {"employees": EMPLOYEE_BANDS, "revenue": REVENUE_BANDS}
LEARN_REGIONS = ("NA", "UKI", "DACH", "NORDICS", "BENELUX", "EU", "EMEA", "APAC", "ANZ", "LATAM")


@dataclass(frozen=True)
class Segment:
    """One attribute value (or band) and how its deals did against the rest."""

    field: str
    value: Any  # a string, or (low, high) for a band
    label: str
    n: int  # closed, labelled deals in the segment
    good: int
    rest_n: int
    rest_good: int
    lift: float | None
    low: float | None
    high: float | None

    @property
    def rate(self) -> float | None:
        return self.good / self.n if self.n else None

    @property
    def rest_rate(self) -> float | None:
        return self.rest_good / self.rest_n if self.rest_n else None

    def evidence(self) -> str:
        return (
            f"{self.n} deals, win rate {pct(self.rate)} vs {pct(self.rest_rate)} for the rest, "
            f"lift {times(self.lift)} ({times(self.low)}–{times(self.high)})"
        )


@dataclass
class Rule:
    """A draft criterion or hard filter: a field, an operator, the values, the evidence."""

    kind: str  # criterion | require | exclude
    name: str
    field: str
    op: str
    value: Any
    evidence: str
    segments: list[Segment] = dc_field(default_factory=list)
    coefficient: float | None = None
    weight: int = 0


@dataclass
class Draft:
    """A learned profile (`to_toml` is the file) and what was said about it."""

    source: str
    as_of: dt.date
    best: str
    good: int
    bad: int
    criteria: list[Rule]
    requires: list[Rule]
    excludes: list[Rule]
    too_little: list[Segment]
    no_signal: list[str]
    reason: str = ""
    summary: list[str] = dc_field(default_factory=list)

    def to_toml(self) -> str:
        return draft_toml(self)


def label_deals(deals: pl.DataFrame, *, best: str = "won", as_of: dt.date) -> pl.DataFrame:
    """Closed deals with `good` (1 best customer, 0 lost/churned); middle won deals dropped."""
    frame = retention_known(deals.filter(pl.col("outcome") != "open"), as_of)
    won_ok = (pl.col("outcome") == "won") & pl.col("retained_12m").fill_null(True)
    frame = frame.with_columns(good=pl.when(won_ok).then(1).otherwise(0))
    if best == "top-quartile":
        value = pl.col("amount").fill_null(0) + pl.col("expansion").fill_null(0)
        frame = frame.with_columns(_value=value)
        q = frame.filter(pl.col("good") == 1)["_value"].quantile(0.75, "nearest")
        if q is not None:
            frame = frame.filter((pl.col("good") == 0) | (pl.col("_value") >= q))
        frame = frame.drop("_value")
    return frame


def _band_label(fld: str, band: tuple[int, int | None]) -> str:
    low, high = band
    if fld == "revenue":

        def money(v: float) -> str:
            return f"${v / 1e9:g}B" if v >= 1e9 else f"${v / 1e6:g}M"

        return (
            f"revenue {money(low)}+" if high is None else f"revenue {money(low)}–{money(high + 1)}"
        )
    return f"{low}+ employees" if high is None else f"{low}–{high} employees"


def _indicator(fld: str, value: Any) -> pl.Expr:
    column = pl.col(fld)
    if fld in BAND_FIELDS:
        low, high = value
        hit = column >= low
        return hit if high is None else hit & (column <= high)
    if fld in LIST_FIELDS:
        return column.list.contains(value)
    if fld == "country" and value in REGIONS:
        return column.is_in(REGIONS[value])
    return column == value


def _known(fld: str) -> pl.Expr:
    column = pl.col(fld)
    return column.list.len() > 0 if fld in LIST_FIELDS else column.is_not_null()


def _values(frame: pl.DataFrame, fld: str) -> list[Any]:
    if fld in BAND_FIELDS:
        return list(BAND_FIELDS[fld])
    column = frame[fld].explode() if fld in LIST_FIELDS else frame[fld]
    found = sorted(v for v in column.drop_nulls().unique().to_list() if v != "")
    if fld == "country":  # regions spanning at least two of the countries present
        found += [r for r in LEARN_REGIONS if len(set(REGIONS[r]) & set(found)) >= 2]
    return found


def measure(
    frame: pl.DataFrame, fld: str, value: Any, label: str, hit: pl.Expr | None = None
) -> Segment:
    """Counts and lift of one segment among the labelled deals where `fld` is known."""
    known = frame.filter(_known(fld))
    inside = (_indicator(fld, value) if hit is None else hit).fill_null(False)
    row = known.select(
        n=inside.sum(),
        good=(inside & (pl.col("good") == 1)).sum(),
        total=pl.len(),
        total_good=(pl.col("good") == 1).sum(),
    ).row(0, named=True)
    n, good = int(row["n"] or 0), int(row["good"] or 0)
    rest_n, rest_good = int(row["total"]) - n, int(row["total_good"] or 0) - good
    lift, low, high = stats.rate_ratio(good, n, rest_good, rest_n)
    return Segment(fld, value, label, n, good, rest_n, rest_good, lift, low, high)


def split_z(s: Segment) -> float:
    """Two-proportion z statistic of a segment against the rest (0 when undefined)."""
    n1, n2 = s.n, s.rest_n
    if not n1 or not n2:
        return 0.0
    p = (s.good + s.rest_good) / (n1 + n2)
    var = p * (1 - p) * (1 / n1 + 1 / n2)
    return (s.good / n1 - s.rest_good / n2) / math.sqrt(var) if var > 0 else 0.0


def best_split(frame: pl.DataFrame, fld: str, usable: list[Segment]) -> list[Segment]:
    """The segments of one field that together separate best customers best (largest z).

    Bands: the best contiguous run of bands. Other single-valued fields: the best prefix of
    the values sorted by win rate (for a yes/no outcome the best two-way split of a
    categorical attribute is one of these prefixes).
    """
    if not usable:
        return []
    if fld in BAND_FIELDS:
        bands = BAND_FIELDS[fld]
        own = [s for s in usable if s.field == fld]
        index = {s.value: s for s in own}
        runs = []
        for i in range(len(bands)):
            for j in range(i, len(bands)):
                run = [index[b] for b in bands[i : j + 1] if b in index]
                if len(run) == j - i + 1:
                    runs.append(run)
        options = runs
    else:
        ordered = sorted(usable, key=lambda s: (-(s.rate or 0), str(s.value)))
        options = [ordered[:k] for k in range(1, len(ordered) + 1)]
    best: tuple[float, list[Segment]] = (0.0, [])
    for option in options:
        merged = measure(
            frame, fld, None, "", hit=pl.any_horizontal(_indicator(fld, s.value) for s in option)
        )
        z = split_z(merged)
        if z > best[0] and z >= MIN_Z and merged.low is not None and merged.low > 1:
            best = (z, option)
    return best[1]


def segments_of(frame: pl.DataFrame) -> list[Segment]:
    """Every segment of every attribute present in the deals, in a stable order."""
    found = []
    for fld in ATTRIBUTES:
        if fld not in frame.columns:
            continue
        for value in _values(frame, fld):
            if fld in BAND_FIELDS:
                label = _band_label(fld, value)
            elif fld == "country":
                label = f"{'region' if value in REGIONS else 'country'} {value}"
            elif fld in LIST_FIELDS:
                label = f"{'uses' if fld == 'technologies' else 'has'} {value}"
            else:
                label = f"{fld.replace('_', ' ')} {value}"
            found.append(measure(frame, fld, value, label))
    return found


def _features(frame: pl.DataFrame, exprs: Sequence[pl.Expr]) -> list[list[float]]:
    if not exprs:
        return [[] for _ in range(frame.height)]
    table = frame.select(
        e.fill_null(False).cast(pl.Float64).alias(f"f{i}") for i, e in enumerate(exprs)
    )
    return [list(r) for r in table.rows()]


def _list_size(fld: str) -> pl.Expr:
    """How many technologies/departments an account lists, in tens (a regression control)."""
    return pl.col(fld).list.len().fill_null(0).cast(pl.Float64) / 10


def _loglik(rows: list[list[float]], labels: list[int]) -> float:
    intercept, coefs = stats.logistic_regression(rows, labels, l2=L2)
    total = 0.0
    for x, y in zip(rows, labels, strict=True):
        eta = intercept + sum(c * v for c, v in zip(coefs, x, strict=True))
        p = 1 / (1 + math.exp(-max(-35.0, min(35.0, eta))))
        total += math.log(p if y else 1 - p)
    return total


def _best_any(
    frame: pl.DataFrame, fld: str, ranked: list[Segment], base: list[pl.Expr], labels: list[int]
) -> list[Segment]:
    """The prefix of `ranked` values whose `any` rule adds most to a regression on `base`.

    Kept only when it improves the fit clearly (likelihood-ratio statistic at least 9)
    and wins more often than the rest with an interval above 1.
    """
    floor = _loglik(_features(frame, base), labels) if base else None
    best: tuple[float, list[Segment]] = (LR_CRITICAL / 2, [])
    for k in range(1, len(ranked) + 1):
        hit = pl.any_horizontal(_indicator(fld, s.value) for s in ranked[:k])
        merged = measure(frame, fld, None, "", hit=hit)
        if merged.low is None or merged.low <= 1:
            continue
        gain = _loglik(_features(frame, [*base, hit]), labels) - (
            floor or _loglik([[] for _ in labels], labels)
        )
        if gain > best[0]:
            best = (gain, ranked[:k])
    return best[1]


def _merge(fld: str, kept: list[Segment]) -> tuple[str, Any, str]:
    """(operator, value, name) of the criterion made of one field's kept segments."""
    if fld in BAND_FIELDS:
        low = min(s.value[0] for s in kept)
        highs = [s.value[1] for s in kept]
        if None in highs:
            label = _band_label(fld, (low, None))
            return "at_least", low, label[0].upper() + label[1:]
        label = _band_label(fld, (low, max(h for h in highs if h is not None)))
        return (
            "between",
            [low, max(h for h in highs if h is not None)],
            label[0].upper() + label[1:],
        )
    values = [s.value for s in sorted(kept, key=lambda s: (-(s.lift or 0), str(s.value)))]
    if fld == "funding_stage":
        values = sorted(values, key=FUNDING_STAGES.index)
    op = "any" if fld in LIST_FIELDS else "in"
    shown = ", ".join(values[:3]) + (f" (+{len(values) - 3})" if len(values) > 3 else "")
    words = {
        "industry": "Industry",
        "country": "Country",
        "funding_stage": "Funding stage",
        "technologies": "Uses",
        "departments": "Has",
    }
    return op, values, f"{words[fld]} {shown}"


def _condition(fld: str, op: str, value: Any) -> pl.Expr:
    column = pl.col(fld)
    if op == "between":
        return (column >= value[0]) & (column <= value[1])
    if op == "at_least":
        return column >= value
    if op == "any":
        return pl.any_horizontal(column.list.contains(v) for v in value)
    if fld == "country":
        return pl.any_horizontal(_indicator(fld, v) for v in value)
    return column.is_in(value)


def _weights(coefficients: list[float]) -> list[int]:
    """Whole points proportional to the coefficients, summing to 100 (largest remainder)."""
    total = sum(coefficients)
    raw = [100 * c / total for c in coefficients]
    points = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - points[i]), i))
    for i in order[: 100 - sum(points)]:
        points[i] += 1
    return points


def learn_profile(
    deals: pl.DataFrame,
    *,
    best: str = "won",
    min_deals: int = MIN_DEALS,
    as_of: dt.date | None = None,
    source: str = "",
) -> Draft:
    """Draft a profile from closed deals; `Draft.criteria` is empty when nothing separates them."""
    when = as_of or deals["created"].max()
    if not isinstance(when, dt.date):
        raise InputError(
            f"{source or 'deals'}: no deals with a created date; nothing to learn from"
        )
    frame = label_deals(deals, best=best, as_of=when)
    good = int(frame["good"].sum()) if frame.height else 0
    bad = frame.height - good
    draft = Draft(
        source=source,
        as_of=when,
        best=best,
        good=good,
        bad=bad,
        criteria=[],
        requires=[],
        excludes=[],
        too_little=[],
        no_signal=[],
    )
    overall = good / frame.height if frame.height else 0.0
    draft.summary.append(
        f"{source}: {frame.height} closed deals labelled: {good} best customers, "
        f"{bad} lost or churned (win rate {pct(overall)})"
    )
    if good < min_deals or bad < min_deals:
        draft.reason = (
            f"too little data: {good} best customers and {bad} lost or churned deals; "
            f"at least {min_deals} of each are needed (--min-deals)"
        )
        return draft
    segments = segments_of(frame)
    usable = [s for s in segments if s.n >= min_deals and s.rest_n >= min_deals]
    draft.too_little = [s for s in segments if 0 < s.n < min_deals]
    for s in usable:
        if s.lift is not None and s.lift <= EXCLUDE_LIFT and s.high is not None and s.high < 1:
            draft.excludes.append(
                Rule(
                    "exclude",
                    s.label[0].upper() + s.label[1:],
                    s.field,
                    *_exclude_op(s),
                    evidence=s.evidence(),
                    segments=[s],
                )
            )
    labels = [int(v) for v in frame["good"]]
    chosen: dict[str, list[Segment]] = {}
    for fld in ATTRIBUTES:
        if fld not in LIST_FIELDS:
            chosen[fld] = best_split(frame, fld, [s for s in usable if s.field == fld])
    base = [_condition(f, *_merge(f, kept)[:2]) for f, kept in chosen.items() if kept]
    listed = [s for s in usable if s.field in LIST_FIELDS and (s.lift or 0) > 1]
    if listed:
        # one indicator per technology/department next to the other fields' rules and the
        # size of the stack: a value that only marks software companies, or companies with
        # many tools, gets a coefficient near zero
        controls = [*base, *(_list_size(f) for f in LIST_FIELDS if f in frame.columns)]
        _, coefs = stats.logistic_regression(
            _features(frame, [*controls, *(_indicator(s.field, s.value) for s in listed)]),
            labels,
            l2=L2,
        )
        ranked = sorted(
            zip(listed, coefs[len(controls) :], strict=True),
            key=lambda sc: (-sc[1], str(sc[0].value)),
        )
        for fld in LIST_FIELDS:
            own = [sv for sv, c in ranked if sv.field == fld and c >= MIN_COEFFICIENT]
            chosen[fld] = _best_any(frame, fld, own[:MAX_LIST_VALUES], base, labels)
    rules = []
    for fld in ATTRIBUTES:
        kept = chosen.get(fld) or []
        if not kept:
            continue
        op, value, name = _merge(fld, kept)
        rules.append(Rule("criterion", name, fld, op, value, evidence="", segments=kept))
    if rules:
        exprs = [_condition(r.field, r.op, r.value) for r in rules]
        _, coefs = stats.logistic_regression(_features(frame, exprs), labels, l2=L2)
        for rule, coef, expr in zip(rules, coefs, exprs, strict=True):
            rule.coefficient = coef
            both = frame.select(m=expr.fill_null(False), good="good")
            inside, outside = both.filter(pl.col("m")), both.filter(~pl.col("m"))
            merged = Segment(
                rule.field,
                rule.value,
                rule.name,
                inside.height,
                int(inside["good"].sum()),
                outside.height,
                int(outside["good"].sum()),
                *stats.rate_ratio(
                    int(inside["good"].sum()),
                    inside.height,
                    int(outside["good"].sum()),
                    outside.height,
                ),
            )
            rule.evidence = merged.evidence()
            _, rate_high = stats.wilson(merged.rest_good, merged.rest_n)
            if (
                merged.rest_n >= 2 * min_deals
                and rate_high is not None
                and rate_high < REQUIRE_RATE_HIGH
            ):
                draft.requires.append(
                    Rule(
                        "require",
                        rule.name,
                        rule.field,
                        rule.op,
                        rule.value,
                        evidence=merged.evidence(),
                        segments=[merged],
                    )
                )
        rules = [r for r in rules if (r.coefficient or 0) >= MIN_COEFFICIENT]
        required = {r.name for r in draft.requires}
        scored = [r for r in rules if r.name not in required]
        if scored:  # a rule that became a hard filter earns every kept account the same points
            rules = scored
    if rules:
        for rule, points in zip(rules, _weights([r.coefficient or 0 for r in rules]), strict=True):
            rule.weight = points
        rules = [r for r in rules if r.weight > 0]
        if sum(r.weight for r in rules) != 100:  # a rule rounded to 0 points: share again
            for rule, points in zip(
                rules, _weights([r.coefficient or 0 for r in rules]), strict=True
            ):
                rule.weight = points
    draft.criteria = sorted(rules, key=lambda r: (-r.weight, r.name))
    used = {r.field for r in draft.criteria}
    draft.no_signal = [
        f
        for f in ATTRIBUTES
        if f in frame.columns and f not in used and frame.filter(_known(f)).height > 0
    ]
    if not draft.criteria:
        draft.reason = (
            "no attribute value wins significantly more often than the rest; "
            "your deals do not point to a profile yet"
        )
    for rule in draft.criteria:
        draft.summary.append(f"  {rule.weight:>3} points  {rule.name}: {rule.evidence}")
    for rule in draft.excludes:
        draft.summary.append(f"  exclude    {rule.name}: {rule.evidence}")
    for rule in draft.requires:
        draft.summary.append(f"  require    {rule.name}: {rule.evidence}")
    return draft


def _exclude_op(s: Segment) -> tuple[str, Any]:
    if s.field in BAND_FIELDS:
        low, high = s.value
        return ("at_least", low) if high is None else ("between", [low, high])
    return ("any", [s.value]) if s.field in LIST_FIELDS else ("in", [s.value])
