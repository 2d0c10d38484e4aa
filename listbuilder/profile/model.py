"""The validated profile: plain frozen declarations that `listbuilder.score` compiles.

Nothing here interprets a company frame; `listbuilder.score.compile` is the one
place that turns these declarations into polars expressions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from listbuilder.schema import COMPANY_SCHEMA, DERIVED_SCHEMA

# Field kinds decide which operators apply and how values compare.
TEXT, CODE, COUNTRY, NUMBER, DATE, SCALE, LIST = (
    "text",
    "code",
    "country",
    "number",
    "date",
    "scale",
    "list",
)

FIELD_KINDS: dict[str, str] = {
    name: {
        "employees": NUMBER,
        "employees_min": NUMBER,
        "employees_max": NUMBER,
        "locations": NUMBER,
        "revenue": NUMBER,
        "founded_year": NUMBER,
        "total_funding": NUMBER,
        "last_funding_date": DATE,
        "technologies": LIST,
        "departments": LIST,
        "funding_stage": SCALE,
        "sic": CODE,
        "naics": CODE,
        "country": COUNTRY,
    }.get(name, TEXT)
    for name in [*COMPANY_SCHEMA, *(f for f in DERIVED_SCHEMA if f != "domain_is_platform")]
}

# Names accepted in `field = ...` besides the canonical ones (DESIGN.md's sketch).
FIELD_ALIASES: dict[str, str] = {"tech_stack": "technologies"}

_EXISTENCE = ("exists", "missing")
OPERATORS_BY_KIND: dict[str, tuple[str, ...]] = {
    TEXT: ("in", "not_in", "matches", *_EXISTENCE),
    CODE: ("in", "not_in", "matches", *_EXISTENCE),
    COUNTRY: ("in", "not_in", "matches", *_EXISTENCE),
    NUMBER: ("between", "at_least", "at_most", *_EXISTENCE),
    DATE: ("between", "at_least", "at_most", *_EXISTENCE),
    SCALE: ("in", "not_in", "between", "at_least", "at_most", *_EXISTENCE),
    LIST: ("any", "all", "none", "matches", *_EXISTENCE),
}
OPERATORS: tuple[str, ...] = (
    "in",
    "not_in",
    "between",
    "at_least",
    "at_most",
    "any",
    "all",
    "none",
    "matches",
    "exists",
    "missing",
)
SET_OPERATORS = ("in", "not_in", "any", "all", "none")
RANGE_OPERATORS = ("between", "at_least", "at_most")


@dataclass(frozen=True)
class Term:
    """One way an item can match: `field` equal to (or, mode "prefix", starting with) a value."""

    field: str
    mode: str  # "eq" | "prefix"
    values: tuple[str, ...]  # lower-cased
    shown: tuple[str, ...] = ()  # the same values as written in the profile (for display)


@dataclass(frozen=True)
class Item:
    """One entry of an `in`/`any`/`all`/`none` list: a literal, a region or a `group:` reference."""

    label: str  # as written (a group shows its label)
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Condition:
    """A field and one operator with its validated argument."""

    field: str
    op: str
    items: tuple[Item, ...] = ()  # set operators
    low: Any = None  # range operators; scale values are positions in FUNDING_STAGES
    high: Any = None
    low_label: str | None = None  # how the bound reads in reasons ("Series B", "200")
    high_label: str | None = None
    pattern: str | None = None  # `matches`, as written (compiled case-insensitive)

    @property
    def kind(self) -> str:
        return FIELD_KINDS[self.field]


@dataclass(frozen=True)
class Partial:
    """Partial credit: `share` of the weight when the value misses by at most `margin`
    (a fraction of the bound, numbers) or `steps` (positions, the funding scale)."""

    share: float
    margin: float | None = None
    steps: int | None = None


@dataclass(frozen=True)
class Rule:
    """A `[[require]]` (must hold) or `[[exclude]]` (must not hold) hard filter."""

    kind: str  # "require" | "exclude"
    condition: Condition
    name: str | None = None
    on_missing: str = "fail"  # require: fail|pass; exclude: keep|exclude

    @property
    def label(self) -> str:
        return self.name or self.condition.field


@dataclass(frozen=True)
class Criterion:
    """A weighted criterion: earns `weight` points when its condition holds."""

    name: str
    condition: Condition
    weight: float
    label: str | None = None  # short wording for the `why` line ("RevOps")
    partial: Partial | None = None
    # What an account without data for the field gets (MISSING_POLICIES): "zero" (0 points,
    # the weight still counts), "unknown" (0 points, shown and counted as unknown),
    # "neutral" (the weight leaves the denominator: fit is scored over the known weight),
    # "exclude" (the account is dropped, reason "no data: <name>").
    on_missing: str = "zero"

    @property
    def short(self) -> str:
        return self.label or self.name


# Missing-data policies of a criterion; "no_points" is the older spelling of "zero".
MISSING_POLICIES: tuple[str, ...] = ("zero", "neutral", "exclude", "unknown")
MISSING_ALIASES: dict[str, str] = {"no_points": "zero"}

# Data-quality checks run before scoring (listbuilder.quality), in the order they are
# tried, with their default action: "reject" drops the row (stage "quality"), "flag"
# keeps it with a note in the `quality` column, "off" skips the check.
QUALITY_CHECKS: dict[str, str] = {
    "placeholder_name": "reject",
    "placeholder_domain": "reject",
    "email_website": "flag",
    "platform_website": "flag",
    "bad_domain": "flag",
    "shared_phone": "flag",
    "out_of_range": "flag",
}
QUALITY_ACTIONS: tuple[str, ...] = ("reject", "flag", "off")


@dataclass(frozen=True)
class QualitySettings:
    """The `[quality]` table: an action per check, and the shared-phone threshold."""

    actions: tuple[tuple[str, str], ...] = tuple(QUALITY_CHECKS.items())
    shared_phone_min: int = 5  # unrelated companies on one number before it is flagged

    def action(self, check: str) -> str:
        return dict(self.actions).get(check, "off")


@dataclass(frozen=True)
class Group:
    """A named value group (`[groups.<key>]`), referenced as "group:<key>"."""

    key: str
    label: str
    values: tuple[str, ...] = ()  # matched on the field of the criterion using the group
    fields: tuple[tuple[str, tuple[str, ...]], ...] = ()  # field -> exact values
    prefixes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # field -> prefixes


@dataclass(frozen=True)
class Persona:
    """Who to contact at a fitting account, and what they care about (for briefs)."""

    title: str
    department: str | None = None
    why: str | None = None
    cares_about: tuple[str, ...] = ()
    # when the persona applies (all optional): a team the account lists (`department` or
    # any of `departments`; an account without departments data still gets the persona),
    # and a company size
    departments: tuple[str, ...] = ()
    min_employees: int | None = None
    max_employees: int | None = None
    # regular expression matched on a contact's job title (--contacts); default: the title
    titles: str | None = None


# `[[signal]]` rules. A condition on an event is written `<event field>.<operator> = value`
# with the criteria's operator words (`round.at_least = "Series B"`); the rule class of
# the kind holds it as the attribute `<field>_<operator>`.
SIGNAL_KINDS: tuple[str, ...] = (
    "funding",
    "exec_hire",
    "job_spike",
    "headcount_growth",
    "tech_change",
    "announcement",
)
COMBINE_RULES: tuple[str, ...] = ("strongest", "sum")
SIGNAL_COMMON_KEYS: tuple[str, ...] = (
    "kind",
    "name",
    "boost",
    "half_life_days",
    "max_age_days",
    "combine",
    "cap",
)
# kind -> event field -> the operators a condition on it takes
SIGNAL_CONDITIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "funding": {"round": ("in", "at_least"), "amount": ("at_least",)},
    "exec_hire": {"title": ("matches",)},
    "job_spike": {"count": ("at_least",), "ratio": ("at_least",)},
    "headcount_growth": {"growth_pct": ("at_least",)},
    "tech_change": {"added": ("in",), "removed": ("in",)},
    "announcement": {"text": ("any",)},
}
# kind -> settings that shape the derived signal rather than filter events
SIGNAL_SETTINGS: dict[str, tuple[str, ...]] = {
    "job_spike": ("departments", "window_days", "baseline_days"),
    "headcount_growth": ("departments", "window_days"),
}
# The first spellings, still accepted: key -> (event field, operator).
SIGNAL_KEY_ALIASES: dict[str, tuple[str, str]] = {
    "rounds": ("round", "in"),
    "min_round": ("round", "at_least"),
    "min_amount": ("amount", "at_least"),
    "titles": ("title", "matches"),
    "min_count": ("count", "at_least"),
    "min_ratio": ("ratio", "at_least"),
    "min_growth_pct": ("growth_pct", "at_least"),
    "added": ("added", "in"),
    "removed": ("removed", "in"),
    "keywords": ("text", "any"),
}


@dataclass(frozen=True, kw_only=True)
class SignalRule:
    """One validated `[[signal]]` table: the keys every kind has. A subclass per kind
    (`SIGNAL_RULES`) adds the kind's conditions; an unset condition accepts every event."""

    kind: ClassVar[str] = ""
    boost: float  # points added to the account's signal score
    half_life_days: float | None = None  # boost · 0.5^(age / half_life); None = no decay
    max_age_days: float | None = None  # older events are ignored (and counted)
    combine: str = "strongest"  # COMBINE_RULES: one signal per account, or all (at most cap)
    cap: float | None = None
    name: str | None = None


@dataclass(frozen=True, kw_only=True)
class FundingRule(SignalRule):
    """A funding round; round types as `schema.FUNDING_STAGES` labels."""

    kind: ClassVar[str] = "funding"
    round_in: tuple[str, ...] = ()
    round_at_least: str | None = None
    amount_at_least: float | None = None  # USD; a round without an amount fails it


@dataclass(frozen=True, kw_only=True)
class ExecHireRule(SignalRule):
    """An executive hire whose title matches (case-insensitive regular expression)."""

    kind: ClassVar[str] = "exec_hire"
    title_matches: str | None = None


@dataclass(frozen=True, kw_only=True)
class JobSpikeRule(SignalRule):
    """More job postings in the last `window_days` than the `baseline_days` before
    (per-day rates); one spike per department listed, or one over all postings."""

    kind: ClassVar[str] = "job_spike"
    departments: tuple[str, ...] = ()
    window_days: int = 30
    baseline_days: int = 180
    count_at_least: int = 5  # postings in the window
    ratio_at_least: float = 2.0


@dataclass(frozen=True, kw_only=True)
class HeadcountGrowthRule(SignalRule):
    """Growth between the first and last headcount snapshot within `window_days`, per
    department listed (or every department, each on its own)."""

    kind: ClassVar[str] = "headcount_growth"
    departments: tuple[str, ...] = ()
    window_days: int = 180
    growth_pct_at_least: float = 20.0


@dataclass(frozen=True, kw_only=True)
class TechChangeRule(SignalRule):
    """A technology added or removed (case-insensitive names); with neither, every change."""

    kind: ClassVar[str] = "tech_change"
    added_in: tuple[str, ...] = ()
    removed_in: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class AnnouncementRule(SignalRule):
    """An announcement whose text contains any of the phrases (case-insensitive)."""

    kind: ClassVar[str] = "announcement"
    text_any: tuple[str, ...] = ()


SIGNAL_RULES: dict[str, type[SignalRule]] = {
    rule.kind: rule
    for rule in (
        FundingRule,
        ExecHireRule,
        JobSpikeRule,
        HeadcountGrowthRule,
        TechChangeRule,
        AnnouncementRule,
    )
}


@dataclass(frozen=True)
class Profile:
    """An ICP profile, fully validated. Build one with `load_profile`."""

    name: str
    slug: str
    path: Path | None
    criteria: tuple[Criterion, ...]
    tiers: tuple[tuple[str, float], ...]  # highest threshold first
    description: str = ""
    priority_tier: str | None = None
    capacity: int | None = None
    score_cap: float = 100.0
    # accounts whose known weight / 100 is below this get no tier (rank reason
    # "below minimum confidence"); 0 keeps every account
    min_confidence: float = 0.0
    # "call this week" (timing tier 2) needs a signal score of at least `live_signal` and a
    # signal at most `live_signal_days` old; `strong_signal` and up is timing tier 1
    live_signal: float = 3.0
    strong_signal: float = 10.0
    live_signal_days: int | None = 120
    quality: QualitySettings = field(default_factory=QualitySettings)
    requires: tuple[Rule, ...] = ()
    excludes: tuple[Rule, ...] = ()
    groups: dict[str, Group] = field(default_factory=dict)
    signals: list[SignalRule] = field(default_factory=list)
    dedupe: Any = None  # listbuilder.dedupe.settings.DedupeSettings
    personas: tuple[Persona, ...] = ()
    talking_points: dict[str, tuple[str, ...]] = field(default_factory=dict)
    lookalike: Any = None  # listbuilder.lookalike.settings.LookalikeSettings ([lookalike])

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The hard filters in the order they are checked: requires, then excludes."""
        return self.requires + self.excludes

    @property
    def priority_threshold(self) -> float | None:
        """The score from which an account gets priority routing (the priority tier's floor)."""
        return dict(self.tiers).get(self.priority_tier) if self.priority_tier else None

    def tier_of(self, score: float) -> str | None:
        """The tier a score falls in (None below the lowest threshold)."""
        return next((name for name, floor in self.tiers if score >= floor), None)
