"""What the seeds have in common: shares per field value against the list's base rates,
and a draft profile built from them in the format `listbuilder learn` writes.

`describe_seeds(accounts, seeds)` counts, per similarity field, how many of the seeds
with the field known have each value, beside the same share over the list; the lift is
the ratio. The draft keeps a rule per field where the seeds stand out (lift of 1.5 or
more on values covering most of the seeds), each with its evidence in a comment; its
weights follow the lookalike field weights, summing to 100.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from listbuilder.learn.draft import DRAFT_TIERS
from listbuilder.lookalike.features import (
    FIELD_WEIGHTS,
    REVENUE_EDGES,
    REVENUE_LABELS,
    SIZE_EDGES,
    SIZE_LABELS,
    region_expr,
)
from listbuilder.profile.conditions import toml_value
from listbuilder.schema import FUNDING_STAGES

MIN_LIFT = 1.5  # a value the seeds have this many times more often than the list
COVER = 0.7  # a rule's values cover at least this share of the seeds that know the field
MIN_SEED_SHARE = 0.3  # technologies, departments: shared by this share of the seeds
MIN_SEEDS = 2  # a value one seed has is an anecdote, not a pattern
MAX_ITEMS = 6  # technologies, departments: values in one `any` rule
SHOWN = 5  # values printed per field

# described field -> (how it reads, the profile field a rule is written on)
DESCRIBED: dict[str, tuple[str, str | None]] = {
    "size": ("size band", "employees"),
    "revenue": ("revenue band", "revenue"),
    "industry": ("industry", "industry"),
    "technologies": ("technologies", "technologies"),
    "departments": ("departments", "departments"),
    "country": ("country", "country"),
    "region": ("region", None),
    "funding": ("funding stage", "funding_stage"),
    "raised": ("amount raised", "total_funding"),
    "founded": ("founded", "founded_year"),
}


@dataclass(frozen=True)
class Share:
    field: str
    value: str
    seeds: int  # seeds with this value
    seeds_known: int  # seeds with the field known
    listed: int
    listed_known: int

    @property
    def seed_share(self) -> float:
        return self.seeds / self.seeds_known if self.seeds_known else 0.0

    @property
    def list_share(self) -> float:
        return self.listed / self.listed_known if self.listed_known else 0.0

    @property
    def lift(self) -> float:
        return self.seed_share / self.list_share if self.list_share else float("inf")

    def evidence(self) -> str:
        lift = "new in the list" if self.list_share == 0 else f"×{self.lift:.1f}"
        return (
            f"{self.seeds} of {self.seeds_known} seeds ({self.seed_share:.0%}) vs "
            f"{self.list_share:.0%} of the list ({lift})"
        )


@dataclass
class SeedProfile:
    """The shares, and the draft profile's rules (`to_toml` is the file)."""

    source: str
    seeds: int
    accounts: int
    shares: list[Share]
    rules: list[dict[str, object]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The shares per field, for the terminal."""
        out = [f"What the {self.seeds} seeds share, against the {self.accounts:,} accounts:"]
        for name, (label, _) in DESCRIBED.items():
            rows = [s for s in self.shares if s.field == name]
            if not rows:
                continue
            rows = sorted(rows, key=lambda s: (-s.seeds, -s.lift, s.value))[:SHOWN]
            shown = "; ".join(
                f"{s.value} {s.seed_share:.0%} vs {s.list_share:.0%}"
                + (f" (×{s.lift:.1f})" if s.list_share else " (new)")
                for s in rows
            )
            out.append(f"  {label} ({rows[0].seeds_known} seeds known): {shown}")
        if self.rules:
            out.append("Draft rules: " + "; ".join(str(r["name"]) for r in self.rules))
        else:
            out.append("Draft rules: none (no field where the seeds stand out from the list)")
        return out

    def to_toml(self) -> str:
        return draft_toml(self)


def _values(frame: pl.DataFrame) -> pl.DataFrame:
    """`row, field, value` for every described field known on a row."""

    def col(name: str, dtype: pl.DataType) -> pl.Expr:
        return pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype=dtype)

    def band(value: pl.Expr, edges: Sequence[float], labels: Sequence[str]) -> pl.Expr:
        out: Any = pl.when(value.is_null() | (value < edges[0])).then(None)
        for i in range(len(edges) - 1, -1, -1):
            out = out.when(value >= edges[i]).then(pl.lit(labels[i]))
        return out.otherwise(None)

    country = col("country", pl.String()).str.to_uppercase()
    founded = col("founded_year", pl.Int64())
    scalar = frame.select(
        size=band(col("employees", pl.Float64()), SIZE_EDGES, SIZE_LABELS),
        revenue=band(col("revenue", pl.Float64()), REVENUE_EDGES, REVENUE_LABELS),
        raised=band(col("total_funding", pl.Float64()), REVENUE_EDGES, REVENUE_LABELS),
        industry=col("industry", pl.String()).str.strip_chars(),
        country=country,
        region=region_expr(country),
        funding=col("funding_stage", pl.String()),
        founded=pl.format("{}s", (founded // 10 * 10).cast(pl.String)),
    ).with_row_index("row")
    long = scalar.unpivot(index="row", variable_name="field", value_name="value")
    parts = [long.drop_nulls("value")]
    for name in ("technologies", "departments"):
        if name not in frame.columns:
            continue
        items = (
            frame.select(pl.col(name).alias("value"))
            .with_row_index("row")
            .explode("value")
            .drop_nulls("value")
            .with_columns(pl.col("value").str.strip_chars(), field=pl.lit(name))
            .unique(["row", "value"], maintain_order=True)
        )
        parts.append(items.select("row", "field", "value"))
    return pl.concat(parts, how="vertical_relaxed").filter(pl.col("value") != "")


def _counts(frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, int]]:
    values = _values(frame)
    counts = values.group_by("field", "value").agg(n=pl.col("row").n_unique())
    known = values.group_by("field").agg(n=pl.col("row").n_unique())
    return counts, dict(zip(known["field"].to_list(), known["n"].to_list(), strict=True))


def describe_seeds(accounts: pl.DataFrame, seeds: pl.DataFrame, *, source: str) -> SeedProfile:
    """The seeds' shares per field value against the list's, and the draft rules."""
    seed_counts, seed_known = _counts(seeds)
    list_counts, list_known = _counts(accounts)
    joined = seed_counts.join(
        list_counts.rename({"n": "listed"}), on=["field", "value"], how="left"
    ).sort(["field", "n", "value"], descending=[False, True, False])
    shares = [
        Share(
            r["field"],
            r["value"],
            r["n"],
            seed_known.get(r["field"], 0),
            r["listed"] or 0,
            list_known.get(r["field"], 0),
        )  # fmt: skip
        for r in joined.iter_rows(named=True)
    ]
    profile = SeedProfile(source, seeds.height, accounts.height, shares)
    profile.rules = _rules(shares, seeds)
    return profile


def _band_rule(shares: list[Share], name: str, labels: Sequence[str], edges: Sequence[float]):
    by = {s.value: s for s in shares if s.field == name}
    if not by:
        return None
    counts = [by[v].seeds if v in by else 0 for v in labels]
    known = next(iter(by.values())).seeds_known
    lo = hi = max(range(len(labels)), key=lambda i: (counts[i], -i))
    while sum(counts[lo : hi + 1]) < COVER * known:
        left = counts[lo - 1] if lo > 0 else -1
        right = counts[hi + 1] if hi + 1 < len(labels) else -1
        if left < 0 and right < 0:
            break
        if right >= left:
            hi += 1
        else:
            lo -= 1
    inside = [by[v] for v in labels[lo : hi + 1] if v in by]
    seeds_in = sum(s.seeds for s in inside)
    list_in = sum(s.listed for s in inside)
    list_known = next(iter(by.values())).listed_known
    share = Share(name, f"{labels[lo]} to {labels[hi]}", seeds_in, known, list_in, list_known)
    if share.lift < MIN_LIFT:
        return None
    low = edges[lo]
    high = edges[hi + 1] - 1 if hi + 1 < len(edges) else None
    return share, low, high


# The banded rules: (key, rule name, profile field, band labels, band edges).
_BAND_RULES = (
    ("size", "Seed-like size", "employees", SIZE_LABELS, SIZE_EDGES),
    ("revenue", "Seed-like revenue", "revenue", REVENUE_LABELS, REVENUE_EDGES),
    ("raised", "Seed-like amount raised", "total_funding", REVENUE_LABELS, REVENUE_EDGES),
)
# The value rules: (key, rule name, operator).
_VALUE_RULES = (
    ("industry", "Seed industries", "in"),
    ("country", "Seed countries", "in"),
    ("technologies", "Seed technologies", "any"),
    ("departments", "Seed departments", "any"),
)


def _rules(shares: list[Share], seeds: pl.DataFrame) -> list[dict[str, object]]:
    """The draft's rules where the seeds stand out, weighted to sum to 100: bands, then
    values, then the funding stage."""
    rules = [*_band_rules(shares), *_value_rules(shares)]
    funding = _funding_rule(shares, seeds)
    if funding:
        rules.append(funding)
    weights = _weights([str(r["key"]) for r in rules])
    for rule in rules:
        rule["weight"] = weights[str(rule["key"])]
    return rules


def _band_rules(shares: list[Share]) -> list[dict[str, object]]:
    """`between` (or `at_least` for the open top band) the bands most seeds fall in."""
    rules: list[dict[str, object]] = []
    for key, name, column, labels, edges in _BAND_RULES:
        band = _band_rule(shares, key, labels, edges)
        if band:
            share, low, high = band
            value = [int(low), int(high)] if high is not None else int(low)
            op = "between" if high is not None else "at_least"
            rules.append(dict(key=key, name=name, field=column, op=op, value=value,
                              evidence=share.evidence()))  # fmt: skip
    return rules


def _value_rules(shares: list[Share]) -> list[dict[str, object]]:
    """`in` the industries / countries covering most seeds; `any` of the technologies and
    departments a good share of them have."""
    rules: list[dict[str, object]] = []
    for key, name, op in _VALUE_RULES:
        rows = sorted(
            (s for s in shares if s.field == key and s.lift >= MIN_LIFT),
            key=lambda s: (-s.seeds, -s.lift, s.value),
        )
        rows = [s for s in rows if s.seeds >= MIN_SEEDS]
        if key in ("technologies", "departments"):
            rows = [s for s in rows if s.seed_share >= MIN_SEED_SHARE][:MAX_ITEMS]
        else:
            rows = _covering(rows)
        if not rows:
            continue
        column = DESCRIBED[key][1]
        evidence = "; ".join(f"{s.value}: {s.evidence()}" for s in rows[:6])
        rules.append(dict(key=key, name=name, field=column, op=op,
                          value=[s.value for s in rows], evidence=evidence))  # fmt: skip
    return rules


def _covering(rows: list[Share]) -> list[Share]:
    """The first values (commonest first) until they cover `COVER` of the seeds; none when
    all of them together do not."""
    kept, covered = [], 0
    for s in rows:
        kept.append(s)
        covered += s.seeds
        if covered >= COVER * s.seeds_known:
            break
    return kept if covered >= COVER * (rows[0].seeds_known if rows else 1) else []


def _funding_rule(shares: list[Share], seeds: pl.DataFrame) -> dict[str, object] | None:
    """`at_least` the stage `COVER` of the funded seeds have reached, when that stands out."""
    funding = [s for s in shares if s.field == "funding"]
    if not funding or "funding_stage" not in seeds.columns:
        return None
    stages = seeds["funding_stage"].drop_nulls()
    positions = sorted(FUNDING_STAGES.index(s) for s in stages.to_list() if s in FUNDING_STAGES)
    if not positions:
        return None
    floor = positions[int((1 - COVER) * (len(positions) - 1))]
    above = [s for s in funding if FUNDING_STAGES.index(s.value) >= floor]
    share = Share("funding", f"{FUNDING_STAGES[floor]}+", sum(s.seeds for s in above),
                  funding[0].seeds_known, sum(s.listed for s in above),
                  funding[0].listed_known)  # fmt: skip
    if share.lift < MIN_LIFT:
        return None
    stage = FUNDING_STAGES[floor]
    return dict(key="funding", name=f"{stage} or later", field="funding_stage",
                op="at_least", value=stage, evidence=share.evidence())  # fmt: skip


def _weights(keys: list[str]) -> dict[str, int]:
    """The lookalike field weights of `keys`, as whole numbers summing to 100 (largest
    remainders; ties: the order of the rules)."""
    if not keys:
        return {}
    base = {"country": FIELD_WEIGHTS["geo"]}
    raw = {k: base.get(k, FIELD_WEIGHTS.get(k, 5.0)) for k in keys}
    total = sum(raw.values())
    exact = {k: 100 * v / total for k, v in raw.items()}
    out = {k: int(v) for k, v in exact.items()}
    order = sorted(keys, key=lambda k: (-(exact[k] - out[k]), keys.index(k)))
    for k in order[: 100 - sum(out.values())]:
        out[k] += 1
    return out


def draft_toml(profile: SeedProfile) -> str:
    """The draft profile as TOML, in the format of `listbuilder learn`."""
    name = Path(profile.source).name
    lines = [
        f"# Draft ICP drafted by `listbuilder lookalike --describe` from the seeds in "
        f"{profile.source}.",
        f"# Seeds: {profile.seeds} best customers; base rates: {profile.accounts} accounts of "
        "the list.",
        "# Method: per field, the values the seeds have at least 1.5 times as often as the list",
        "# and at least 2 seeds have (bands widened, values added until they cover 70% of the",
        "# seeds; technologies and departments shared by 30% of them); weights follow the",
        "# lookalike field weights.",
        "# A draft: read each rule's evidence, then `listbuilder backtest` it before using it.",
        "",
        "[profile]",
        f"name = {toml_value(f'Lookalike of {name}')}",
        f"description = {toml_value(f'Drafted from {profile.seeds} seed accounts')}",
        f"tiers = {{ {', '.join(f'{k} = {v}' for k, v in DRAFT_TIERS.items())} }}",
        "",
    ]
    for rule in profile.rules:
        lines += [
            f"# evidence: {rule['evidence']}",
            "[[criterion]]",
            f"name = {toml_value(rule['name'])}",
            f"field = {toml_value(rule['field'])}",
            f"{rule['op']} = {toml_value(rule['value'])}",
            f"weight = {rule['weight']}",
            "",
        ]
    if not profile.rules:
        lines.append("# No field where the seeds stand out from the list: no criterion drafted.")
    return "\n".join(lines).rstrip("\n") + "\n"
