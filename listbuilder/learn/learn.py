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

Every candidate rule is matched as scoring matches it (`listbuilder.learn.candidates`:
the rule as a profile condition, compiled by `score.compile`), so the lift quoted for
a drafted rule is the lift `backtest` measures for it, employee bands included.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import polars as pl

from listbuilder.errors import InputError
from listbuilder.formatting import money_text
from listbuilder.learn import stats
from listbuilder.learn.backtest import pct, retention_known
from listbuilder.learn.candidates import RuleMatcher, rule_condition
from listbuilder.learn.draft import Draft
from listbuilder.learn.model import DraftRule, Segment
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
        shown = money_text(low) + ("+" if high is None else f"–{money_text(high + 1)}")
        return f"revenue {shown}"
    return f"{low}+ employees" if high is None else f"{low}–{high} employees"


def _segment_label(fld: str, value: Any) -> str:
    if fld in BAND_FIELDS:
        return _band_label(fld, value)
    if fld == "country":
        return f"{'region' if value in REGIONS else 'country'} {value}"
    if fld in LIST_FIELDS:
        return f"{'uses' if fld == 'technologies' else 'has'} {value}"
    return f"{fld.replace('_', ' ')} {value}"


def segment_rule(fld: str, value: Any) -> tuple[str, Any]:
    """The operator and value of the rule that names one segment (a band or a value)."""
    if fld in BAND_FIELDS:
        low, high = value
        return ("at_least", low) if high is None else ("between", [low, high])
    return ("any", [value]) if fld in LIST_FIELDS else ("in", [value])


def _values(frame: pl.DataFrame, fld: str) -> list[Any]:
    if fld in BAND_FIELDS:
        return list(BAND_FIELDS[fld])
    column = frame[fld].explode() if fld in LIST_FIELDS else frame[fld]
    found = sorted(v for v in column.drop_nulls().unique().to_list() if v != "")
    if fld == "country":  # regions spanning at least two of the countries present
        found += [r for r in LEARN_REGIONS if len(set(REGIONS[r]) & set(found)) >= 2]
    return found


def count_segment(
    fld: str,
    value: Any,
    label: str,
    *,
    inside: pl.Series,
    good: pl.Series,
    among: pl.Series | None = None,
) -> Segment:
    """Counts and lift of the deals `inside` a segment against the rest of the deals `among`
    (all labelled deals when None; `good`: the best customers)."""
    if among is not None:
        inside = inside & among
    n, wins = int(inside.sum()), int((inside & good).sum())
    total = int(among.sum()) if among is not None else len(inside)
    total_good = int((among & good).sum()) if among is not None else int(good.sum())
    rest_n, rest_good = total - n, total_good - wins
    lift, low, high = stats.rate_ratio(wins, n, rest_good, rest_n)
    return Segment(fld, value, label, n, wins, rest_n, rest_good, lift, low, high)


def _good(matcher: RuleMatcher) -> pl.Series:
    return matcher.frame.get_column("good") == 1


def split_z(s: Segment) -> float:
    """Two-proportion z statistic of a segment against the rest (0 when undefined)."""
    n1, n2 = s.n, s.rest_n
    if not n1 or not n2:
        return 0.0
    p = (s.good + s.rest_good) / (n1 + n2)
    var = p * (1 - p) * (1 / n1 + 1 / n2)
    return (s.good / n1 - s.rest_good / n2) / math.sqrt(var) if var > 0 else 0.0


def _split_options(fld: str, usable: list[Segment]) -> list[list[Segment]]:
    """Bands: every contiguous run of usable bands. Other fields: every prefix of the values
    sorted by win rate (for a yes/no outcome the best two-way split of a categorical
    attribute is one of these prefixes)."""
    if fld not in BAND_FIELDS:
        ordered = sorted(usable, key=lambda s: (-(s.rate or 0), str(s.value)))
        return [ordered[:k] for k in range(1, len(ordered) + 1)]
    bands = BAND_FIELDS[fld]
    index = {s.value: s for s in usable if s.field == fld}
    runs = []
    for i in range(len(bands)):
        for j in range(i, len(bands)):
            run = [index[b] for b in bands[i : j + 1] if b in index]
            if len(run) == j - i + 1:
                runs.append(run)
    return runs


def best_split(matcher: RuleMatcher, fld: str, usable: list[Segment]) -> list[Segment]:
    """The segments of one field that together separate best customers best (largest z),
    each option measured as the merged rule it would be drafted as."""
    if not usable:
        return []
    options = _split_options(fld, usable)
    hits = matcher.matches([(fld, *_merge(fld, option)[:2]) for option in options])
    good, known = _good(matcher), matcher.known(fld)
    best: tuple[float, list[Segment]] = (0.0, [])
    for option, hit in zip(options, hits, strict=True):
        merged = count_segment(fld, None, "", inside=hit, good=good, among=known)
        z = split_z(merged)
        if z > best[0] and z >= MIN_Z and merged.low is not None and merged.low > 1:
            best = (z, option)
    return best[1]


def segments_of(matcher: RuleMatcher) -> list[Segment]:
    """Every segment of every attribute present in the deals, in a stable order, each
    measured among the deals with data for its field."""
    frame = matcher.frame
    fields = [f for f in ATTRIBUTES if f in frame.columns]
    found = [
        (fld, value, segment_rule(fld, value)) for fld in fields for value in _values(frame, fld)
    ]
    # a value no profile can hold (a country code outside ISO 3166) is not a candidate
    found = [
        (fld, value, rule) for fld, value, rule in found if rule_condition(fld, *rule) is not None
    ]
    known = matcher.matches([(f, "exists", True) for f in fields])
    hits = matcher.matches([(fld, *rule) for fld, _, rule in found])
    among = dict(zip(fields, known, strict=True))
    good = _good(matcher)
    return [
        count_segment(
            fld, value, _segment_label(fld, value), inside=hit, good=good, among=among[fld]
        )
        for (fld, value, _), hit in zip(found, hits, strict=True)
    ]


def _features(columns: Sequence[pl.Series]) -> list[list[float]]:
    """The regression rows: one float per column (at least one)."""
    table = pl.DataFrame([c.cast(pl.Float64).alias(f"f{i}") for i, c in enumerate(columns)])
    return [list(r) for r in table.rows()]


def _list_size(frame: pl.DataFrame, fld: str) -> pl.Series:
    """How many technologies/departments an account lists, in tens (a regression control)."""
    return frame.select(pl.col(fld).list.len().fill_null(0).cast(pl.Float64) / 10).to_series()


def _loglik(rows: list[list[float]], labels: list[int]) -> float:
    intercept, coefs = stats.logistic_regression(rows, labels, l2=L2)
    total = 0.0
    for x, y in zip(rows, labels, strict=True):
        eta = intercept + sum(c * v for c, v in zip(coefs, x, strict=True))
        p = 1 / (1 + math.exp(-max(-35.0, min(35.0, eta))))
        total += math.log(p if y else 1 - p)
    return total


def _best_any(
    matcher: RuleMatcher,
    fld: str,
    ranked: list[Segment],
    base: list[pl.Series],
    labels: list[int],
) -> list[Segment]:
    """The prefix of `ranked` values whose `any` rule adds most to a regression on `base`.

    Kept only when it improves the fit clearly (likelihood-ratio statistic at least 9)
    and wins more often than the rest with an interval above 1.
    """
    floor = _loglik(_features(base), labels) if base else None
    options = [ranked[:k] for k in range(1, len(ranked) + 1)]
    hits = matcher.matches([(fld, *_merge(fld, option)[:2]) for option in options])
    good, known = _good(matcher), matcher.known(fld)
    best: tuple[float, list[Segment]] = (LR_CRITICAL / 2, [])
    for option, hit in zip(options, hits, strict=True):
        merged = count_segment(fld, None, "", inside=hit, good=good, among=known)
        if merged.low is None or merged.low <= 1:
            continue
        gain = _loglik(_features([*base, hit]), labels) - (
            floor or _loglik([[] for _ in labels], labels)
        )
        if gain > best[0]:
            best = (gain, option)
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


def _weights(coefficients: list[float]) -> list[int]:
    """Whole points proportional to the coefficients, summing to 100 (largest remainder)."""
    total = sum(coefficients)
    raw = [100 * c / total for c in coefficients]
    points = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - points[i]), i))
    for i in order[: 100 - sum(points)]:
        points[i] += 1
    return points


def exclude_rules(usable: list[Segment]) -> list[DraftRule]:
    """`[[exclude]]` rules: segments that win at most half as often as the rest, with the
    whole interval below 1."""
    return [
        DraftRule(
            "exclude",
            s.label[0].upper() + s.label[1:],
            s.field,
            *segment_rule(s.field, s.value),
            evidence=s.evidence(),
            segments=[s],
            measured=s,
        )
        for s in usable
        if s.lift is not None and s.lift <= EXCLUDE_LIFT and s.high is not None and s.high < 1
    ]


def choose_segments(matcher: RuleMatcher, usable: list[Segment]) -> dict[str, list[Segment]]:
    """Per attribute, the segments its criterion is made of (empty: no criterion).

    Single-valued attributes: `best_split`. Technologies and departments: a regression of
    the outcome on the other attributes' rules, the size of the stack and one indicator
    per value (a value that only marks software companies, or companies with many tools,
    gets a coefficient near zero), then the `any` rule of the strongest values that adds
    most to the fit.
    """
    frame = matcher.frame
    labels = frame.get_column("good").cast(pl.Int64).to_list()
    chosen: dict[str, list[Segment]] = {}
    for fld in ATTRIBUTES:
        if fld not in LIST_FIELDS:
            chosen[fld] = best_split(matcher, fld, [s for s in usable if s.field == fld])
    base = matcher.matches([(f, *_merge(f, kept)[:2]) for f, kept in chosen.items() if kept])
    listed = [s for s in usable if s.field in LIST_FIELDS and (s.lift or 0) > 1]
    if not listed:
        return chosen
    controls = [*base, *(_list_size(frame, f) for f in LIST_FIELDS if f in frame.columns)]
    values = matcher.matches([(s.field, *segment_rule(s.field, s.value)) for s in listed])
    _, coefs = stats.logistic_regression(_features([*controls, *values]), labels, l2=L2)
    ranked = sorted(
        zip(listed, coefs[len(controls) :], strict=True),
        key=lambda sc: (-sc[1], str(sc[0].value)),
    )
    for fld in LIST_FIELDS:
        own = [sv for sv, c in ranked if sv.field == fld and c >= MIN_COEFFICIENT]
        chosen[fld] = _best_any(matcher, fld, own[:MAX_LIST_VALUES], base, labels)
    return chosen


def criteria_rules(chosen: dict[str, list[Segment]]) -> list[DraftRule]:
    """One draft criterion per attribute with chosen segments, in attribute order."""
    rules = []
    for fld in ATTRIBUTES:
        kept = chosen.get(fld) or []
        if kept:
            op, value, name = _merge(fld, kept)
            rules.append(DraftRule("criterion", name, fld, op, value, evidence="", segments=kept))
    return rules


def _overwhelming(measured: Segment, min_deals: int) -> bool:
    """A rule worth a `[[require]]`: at least 2 x `min_deals` deals outside it, and an upper
    Wilson bound of their win rate under 10%."""
    _, rate_high = stats.wilson(measured.rest_good, measured.rest_n)
    return (
        measured.rest_n >= 2 * min_deals and rate_high is not None and rate_high < REQUIRE_RATE_HIGH
    )


def weigh_rules(
    matcher: RuleMatcher, rules: list[DraftRule], *, min_deals: int
) -> tuple[list[DraftRule], list[DraftRule]]:
    """(weighted criteria, requires): each rule's coefficient in a regression over all of
    them and its evidence; a `[[require]]` where the rest almost never wins; points
    proportional to the coefficients of the rules that add to the others."""
    if not rules:
        return [], []
    labels = matcher.frame.get_column("good").cast(pl.Int64).to_list()
    hits = matcher.matches([(r.field, r.op, r.value) for r in rules])
    _, coefs = stats.logistic_regression(_features(hits), labels, l2=L2)
    good = _good(matcher)
    requires = []
    for rule, coef, hit in zip(rules, coefs, hits, strict=True):
        rule.coefficient = coef
        rule.measured = count_segment(rule.field, rule.value, rule.name, inside=hit, good=good)
        rule.evidence = rule.measured.evidence()
        if _overwhelming(rule.measured, min_deals):
            requires.append(
                DraftRule(
                    "require",
                    rule.name,
                    rule.field,
                    rule.op,
                    rule.value,
                    evidence=rule.evidence,
                    segments=[rule.measured],
                    measured=rule.measured,
                )
            )
    rules = [r for r in rules if (r.coefficient or 0) >= MIN_COEFFICIENT]
    required = {r.name for r in requires}
    scored = [r for r in rules if r.name not in required]
    # a rule that became a hard filter earns every kept account the same points
    return _assign_weights(scored or rules), requires


def _assign_weights(rules: list[DraftRule]) -> list[DraftRule]:
    """Points summing to 100; a rule rounded to 0 points is dropped and the rest share again."""
    if not rules:
        return rules
    for rule, points in zip(rules, _weights([r.coefficient or 0 for r in rules]), strict=True):
        rule.weight = points
    rules = [r for r in rules if r.weight > 0]
    if sum(r.weight for r in rules) != 100:
        for rule, points in zip(rules, _weights([r.coefficient or 0 for r in rules]), strict=True):
            rule.weight = points
    return rules


def _new_draft(frame: pl.DataFrame, *, source: str, as_of: dt.date, best: str) -> Draft:
    """An empty draft with the labelled deals counted."""
    good = int(frame["good"].sum()) if frame.height else 0
    bad = frame.height - good
    draft = Draft(
        source=source,
        as_of=as_of,
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
    return draft


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
    draft = _new_draft(frame, source=source, as_of=when, best=best)
    if draft.good < min_deals or draft.bad < min_deals:
        draft.reason = (
            f"too little data: {draft.good} best customers and {draft.bad} lost or churned "
            f"deals; at least {min_deals} of each are needed (--min-deals)"
        )
        return draft
    matcher = RuleMatcher(frame)
    segments = segments_of(matcher)
    usable = [s for s in segments if s.n >= min_deals and s.rest_n >= min_deals]
    draft.too_little = [s for s in segments if 0 < s.n < min_deals]
    draft.excludes = exclude_rules(usable)
    rules = criteria_rules(choose_segments(matcher, usable))
    rules, draft.requires = weigh_rules(matcher, rules, min_deals=min_deals)
    draft.criteria = sorted(rules, key=lambda r: (-r.weight, r.name))
    used = {r.field for r in draft.criteria}
    draft.no_signal = [
        f for f in ATTRIBUTES if f in frame.columns and f not in used and matcher.known(f).any()
    ]
    if not draft.criteria:
        draft.reason = (
            "no attribute value wins significantly more often than the rest; "
            "your deals do not point to a profile yet"
        )
    draft.summary += _summary_lines(draft)
    return draft


def _summary_lines(draft: Draft) -> list[str]:
    """One line per drafted rule with its points and evidence."""
    return [
        *(f"  {r.weight:>3} points  {r.name}: {r.evidence}" for r in draft.criteria),
        *(f"  exclude    {r.name}: {r.evidence}" for r in draft.excludes),
        *(f"  require    {r.name}: {r.evidence}" for r in draft.requires),
    ]
