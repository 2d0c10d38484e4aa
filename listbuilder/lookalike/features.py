"""Company fields as sparse feature blocks whose dot products are per-field similarities.

Each field is encoded twice over one shared vocabulary: the *account side* (one row per
list account) and the *seed side* (one row per seed). The dot product of an account row
and a seed row of one field is that field's similarity, in [0, 1]:

- ordinal fields (size band, revenue band, funding stage, amount raised, founding
  period): one-hot on
  the account side; the seed side is the seed's bucket at 1 and its neighbours at 0.5,
  so the same band is 1 and the next band 0.5;
- hierarchies (industry under its group; country under its region): the account side
  is one-hot on both levels, the seed side 0.6 on the leaf and 0.4 on the parent, so the
  same industry is 1 and another industry of the same group 0.4;
- sets (technologies, departments) and the description: IDF-weighted vectors scaled to
  unit length (cosine), the IDF taken over the list, so a rare technology shared weighs
  more than a ubiquitous one.

A field unknown on either side contributes nothing; what a seed is known to have sets
the denominator of its similarities (`Features.seed_weight`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from scipy import sparse

from listbuilder.normalize.geo import REGIONS
from listbuilder.schema import FUNDING_STAGES

SIZE_EDGES = (1, 11, 51, 201, 501, 1001, 5001, 10001)
SIZE_LABELS = (
    "1–10", "11–50", "51–200", "201–500", "501–1,000", "1,001–5,000", "5,001–10,000", "10,001+",
)  # fmt: skip
REVENUE_EDGES = (0.0, 1e6, 1e7, 5e7, 1e8, 5e8, 1e9)
REVENUE_LABELS = (
    "<$1M", "$1M–$10M", "$10M–$50M", "$50M–$100M", "$100M–$500M", "$500M–$1B", "$1B+",
)  # fmt: skip
FOUNDED_FROM, FOUNDED_STEP, FOUNDED_BUCKETS = 1800, 5, 60  # 1800–1804 ... 2095–2099

# Regions for the country hierarchy: the first that holds the country.
REGION_ORDER: tuple[tuple[str, str], ...] = (
    ("NORTH_AMERICA", "North America"),
    ("EUROPE", "Europe"),
    ("LATAM", "Latin America"),
    ("APAC", "Asia-Pacific"),
    ("EMEA", "Middle East & Africa"),
)
LEAF_SHARE = 0.6  # same industry / country: 1; same group / region only: 0.4
NEAR_SHARE = 0.5  # the neighbouring band of an ordinal field
MAX_TERMS = 20_000  # description vocabulary: the most frequent terms of the list
MIN_TERM_LENGTH = 3

# field -> (default weight, how it reads in explanations). Weights are relative.
FIELD_WEIGHTS: dict[str, float] = {
    "size": 20.0,
    "revenue": 10.0,
    "industry": 20.0,
    "technologies": 20.0,
    "departments": 5.0,
    "geo": 10.0,
    "funding": 10.0,
    "raised": 5.0,
    "founded": 5.0,
    "description": 10.0,
}
FIELD_SOURCES: dict[str, tuple[str, ...]] = {
    "size": ("employees",),
    "revenue": ("revenue",),
    "industry": ("industry", "naics", "sic"),
    "technologies": ("technologies",),
    "departments": ("departments",),
    "geo": ("country",),
    "funding": ("funding_stage",),
    "raised": ("total_funding",),
    "founded": ("founded_year",),
    "description": ("description",),
}

# fmt: off
_STOPWORDS = frozenset([
    "and", "the", "for", "with", "that", "this", "from", "into", "their", "its", "our", "your",
    "are", "was", "were", "has", "have", "had", "been", "being", "who", "what", "which",
    "when", "where", "how", "all", "any", "can", "will", "more", "most", "other", "some",
    "such", "than", "too", "very", "also", "over", "under", "across", "per", "via", "inc",
    "llc", "ltd", "company", "companies", "based", "provides", "provider", "leading", "help",
    "helps",
])
# fmt: on


@dataclass(frozen=True)
class Field:
    """One encoded field: the account and seed sides over one vocabulary."""

    name: str
    accounts: sparse.csr_matrix  # n × V
    seeds: sparse.csr_matrix  # m × V, kernel applied (see the module docstring)
    labels: tuple[str, ...]  # per column, how the value reads
    leaf: int  # columns before this are leaves; from it, parents (hierarchies); else V
    account_known: np.ndarray  # bool n
    seed_known: np.ndarray  # bool m
    kind: str  # ordinal | hierarchy | set | text


@dataclass(frozen=True)
class Features:
    """Every field of a list and its seeds, with the weights that combine them."""

    fields: tuple[Field, ...]
    weights: dict[str, float]  # of the fields in use (known on some seed and some account)
    seed_weight: np.ndarray  # m: the weight of the fields known on each seed

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def account_matrix(self) -> sparse.csr_matrix:
        """All fields side by side (n × V), float32."""
        return sparse.hstack([f.accounts for f in self.fields], format="csr", dtype=np.float32)

    def seed_matrix(self) -> np.ndarray:
        """The weighted seed sides as one dense V × m block, each seed's column divided by
        its known weight, so that `accounts @ seed_matrix()` is the similarity (0–1)."""
        blocks = [f.seeds * self.weights[f.name] for f in self.fields]
        stacked = sparse.hstack(blocks, format="csr", dtype=np.float64)
        scale = np.divide(
            1.0, self.seed_weight, out=np.zeros_like(self.seed_weight), where=self.seed_weight > 0
        )
        return np.ascontiguousarray((sparse.diags(scale) @ stacked).T.toarray(), dtype=np.float32)


# ------------------------------------------------------------------------- encoders


def _onehot(codes: np.ndarray, width: int) -> sparse.csr_matrix:
    """codes (int, -1 = unknown) as a one-hot CSR matrix."""
    rows = np.flatnonzero(codes >= 0)
    data = np.ones(rows.size, dtype=np.float32)
    return sparse.csr_matrix((data, (rows, codes[rows])), shape=(codes.size, width))


def _codes(expr_values: pl.Series) -> np.ndarray:
    return expr_values.fill_null(-1).cast(pl.Int64).to_numpy()


def _ordinal(name: str, codes: np.ndarray, labels: Sequence[str], n: int) -> Field:
    width = len(labels)
    onehot = _onehot(codes, width)
    kernel = sparse.diags(
        [np.full(width - 1, NEAR_SHARE), np.ones(width), np.full(width - 1, NEAR_SHARE)],
        [-1, 0, 1],
        format="csr",
    )
    seeds = (onehot[n:] @ kernel).tocsr().astype(np.float32)
    known = codes >= 0
    return Field(name, onehot[:n], seeds, tuple(labels), width, known[:n], known[n:], "ordinal")


def _vocabulary(values: pl.Series) -> tuple[np.ndarray, list[str]]:
    """Codes (-1 = null) over the sorted distinct non-null values, and the values."""
    distinct = values.drop_nulls().unique().sort()
    lookup = pl.DataFrame({"v": distinct, "code": pl.arange(0, distinct.len(), eager=True)})
    coded = pl.DataFrame({"v": values}).join(lookup, on="v", how="left", maintain_order="left")
    return _codes(coded["code"]), distinct.to_list()


def _hierarchy(
    name: str, leaf: pl.Series, parent: pl.Series, shown: pl.Series, parent_shown: pl.Series, n: int
) -> Field:
    leaf_codes, leaf_values = _vocabulary(leaf)
    parent_codes, parent_values = _vocabulary(parent)
    first = _first_labels(leaf, shown)
    first_parent = _first_labels(parent, parent_shown)
    a = sparse.hstack(
        [_onehot(leaf_codes, len(leaf_values)), _onehot(parent_codes, len(parent_values))],
        format="csr",
        dtype=np.float32,
    )
    share = np.concatenate(
        [np.full(len(leaf_values), LEAF_SHARE), np.full(len(parent_values), 1 - LEAF_SHARE)]
    )
    seeds = (a[n:] @ sparse.diags(share)).tocsr().astype(np.float32)
    labels = tuple([first[v] for v in leaf_values] + [first_parent[v] for v in parent_values])
    known = (leaf_codes >= 0) | (parent_codes >= 0)
    return Field(name, a[:n], seeds, labels, len(leaf_values), known[:n], known[n:], "hierarchy")


def _first_labels(keys: pl.Series, shown: pl.Series) -> dict[str, str]:
    """key -> its commonest spelling (ties: the first in sort order)."""
    frame = pl.DataFrame({"k": keys, "s": shown}).drop_nulls()
    if frame.height == 0:
        return {}
    best = (
        frame.group_by("k", "s")
        .len()
        .sort(["k", "len", "s"], descending=[False, True, False])
        .group_by("k", maintain_order=True)
        .first()
    )
    return dict(zip(best["k"].to_list(), best["s"].to_list(), strict=True))


def _weighted_sets(name: str, items: pl.DataFrame, total: int, n: int, kind: str) -> Field:
    """`items` (row, key, shown, tf): cosine-ready IDF vectors; IDF over the n accounts."""
    if items.height == 0:
        empty = sparse.csr_matrix((total, 0), dtype=np.float32)
        known = np.zeros(total, dtype=bool)
        return Field(name, empty[:n], empty[n:], (), 0, known[:n], known[n:], kind)
    df = items.filter(pl.col("row") < n).group_by("key").agg(df=pl.col("row").n_unique())
    keys = items.select("key").unique().join(df, on="key", how="left").fill_null(0)
    if kind == "text":  # terms used by one account, or by most, say nothing
        keys = keys.filter((pl.col("df") >= 2) & (pl.col("df") <= max(2, n // 2)))
        keys = keys.sort(["df", "key"], descending=[True, False]).head(MAX_TERMS)
    keys = (
        keys.sort("key")
        .with_row_index("col")
        .with_columns(idf=((1 + n) / (1 + pl.col("df").cast(pl.Float64))).log() + 1.0)
    )
    weighted = items.join(keys, on="key", how="inner").with_columns(w=pl.col("tf") * pl.col("idf"))
    weighted = weighted.with_columns(w=pl.col("w") / (pl.col("w") ** 2).sum().over("row").sqrt())
    matrix = sparse.csr_matrix(
        (
            weighted["w"].to_numpy().astype(np.float32),
            (weighted["row"].to_numpy(), weighted["col"].to_numpy()),
        ),
        shape=(total, keys.height),
    )
    shown = _first_labels(items["key"], items["shown"])
    labels = tuple(shown.get(k, k) for k in keys["key"].to_list())
    known = np.zeros(total, dtype=bool)
    known[np.unique(weighted["row"].to_numpy())] = True
    width = keys.height
    return Field(name, matrix[:n], matrix[n:], labels, width, known[:n], known[n:], kind)


def _list_items(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    if column not in frame.columns:
        return pl.DataFrame(schema={"row": pl.Int64, "key": pl.String, "shown": pl.String,
                                    "tf": pl.Float64})  # fmt: skip
    return (
        frame.select(pl.col(column).alias("shown"))
        .with_row_index("row")
        .explode("shown")
        .with_columns(pl.col("shown").str.strip_chars())
        .filter(pl.col("shown").is_not_null() & (pl.col("shown") != ""))
        .with_columns(key=pl.col("shown").str.to_lowercase())
        .unique(["row", "key"], keep="first", maintain_order=True)
        .select(pl.col("row").cast(pl.Int64), "key", "shown", tf=pl.lit(1.0))
    )


def _terms(frame: pl.DataFrame) -> pl.DataFrame:
    """Description terms per row with 1 + log(count) as the term frequency."""
    if "description" not in frame.columns:
        return _list_items(frame, "description")
    words = (
        frame.select(
            pl.col("description").str.to_lowercase().str.extract_all(r"[a-z][a-z0-9]+").alias("w")
        )
        .with_row_index("row")
        .explode("w")
        .filter(pl.col("w").str.len_chars() >= MIN_TERM_LENGTH)
        .filter(~pl.col("w").is_in(sorted(_STOPWORDS)))
    )
    return (
        words.group_by("row", "w")
        .len()
        .select(
            pl.col("row").cast(pl.Int64),
            key=pl.col("w"),
            shown=pl.col("w"),
            tf=1.0 + pl.col("len").cast(pl.Float64).log(),
        )
        .sort("row", "key")
    )


# ------------------------------------------------------------------------- fields


def _col(frame: pl.DataFrame, name: str, dtype: pl.DataType) -> pl.Expr:
    return pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype=dtype)


def _bucket(value: pl.Expr, edges: Sequence[float]) -> pl.Expr:
    """The band index of a number (null stays null), bands starting at `edges`."""
    out: Any = pl.when(value.is_null() | (value < edges[0])).then(None)
    for i in range(len(edges) - 1, -1, -1):
        out = out.when(value >= edges[i]).then(pl.lit(i))
    return out.otherwise(None)


def industry_parent(frame: pl.DataFrame, groups: Sequence[object] = ()) -> pl.Expr:
    """The industry's parent: the first profile group it belongs to (its label), else its
    NAICS 3-digit or SIC 2-digit sector, else the industry itself."""
    industry = _col(frame, "industry", pl.String()).str.strip_chars()
    naics = _col(frame, "naics", pl.String()).str.strip_chars()
    sic = _col(frame, "sic", pl.String()).str.strip_chars()
    low = industry.str.to_lowercase()
    parent: pl.Expr | None = None
    for group in groups:
        test = pl.lit(False)
        for field, values in getattr(group, "fields", ()):
            lowered = sorted({v.lower() for v in values})
            if field == "industry":
                test = test | low.is_in(lowered)
            elif field in ("naics", "sic"):
                test = test | (naics if field == "naics" else sic).is_in(sorted(values))
        for field, prefixes in getattr(group, "prefixes", ()):
            source = {"naics": naics, "sic": sic, "industry": industry}.get(field)
            if source is None:
                continue
            for prefix in prefixes:
                test = test | source.str.starts_with(prefix)
        label = pl.lit(str(getattr(group, "label", "")))
        parent = (
            pl.when(test).then(label) if parent is None else parent.when(test).then(label)  # type: ignore[attr-defined]
        )
    fallback = pl.coalesce(
        pl.when(naics.str.len_chars() >= 3).then(pl.lit("NAICS ") + naics.str.slice(0, 3)),
        pl.when(sic.str.len_chars() >= 2).then(pl.lit("SIC ") + sic.str.slice(0, 2)),
        industry,
    )
    return fallback if parent is None else parent.otherwise(fallback)  # type: ignore[attr-defined]


def region_expr(country: pl.Expr) -> pl.Expr:
    """A country's region label (`REGION_ORDER`), null when in none."""
    out: Any = pl.when(country.is_null()).then(None)
    for key, label in REGION_ORDER:
        out = out.when(country.is_in(list(REGIONS[key]))).then(pl.lit(label))
    return out.otherwise(None)


# The columns `encode` reads, where present.
_ENCODED = ("employees", "revenue", "total_funding", "industry", "naics", "sic", "technologies",
            "departments", "country", "funding_stage", "founded_year", "description")  # fmt: skip
_FOUNDED_LABELS = tuple(
    f"{FOUNDED_FROM + i * FOUNDED_STEP}–{FOUNDED_FROM + i * FOUNDED_STEP + FOUNDED_STEP - 1}"
    for i in range(FOUNDED_BUCKETS)
)


def encode(
    accounts: pl.DataFrame,
    seeds: pl.DataFrame,
    *,
    groups: Sequence[object] = (),
    weights: dict[str, float] | None = None,
    text: bool = False,
) -> Features:
    """Encode every field of `accounts` and `seeds` (canonical columns) over one vocabulary.

    `groups`: the profile's value groups (`Profile.groups.values()`), the industry
    hierarchy. `weights` overrides `FIELD_WEIGHTS`; `text` adds the description.
    """
    n = accounts.height
    both = pl.concat(
        [f.select([c for c in _ENCODED if c in f.columns]) for f in (accounts, seeds)],
        how="diagonal_relaxed",
    )
    total = both.height
    basics = _basic_values(both, groups)
    fields = [
        _ordinal("size", _codes(basics["size"]), SIZE_LABELS, n),
        _ordinal("revenue", _codes(basics["revenue"]), REVENUE_LABELS, n),
        _hierarchy(
            "industry",
            basics["industry"],
            basics["parent_key"],
            basics["industry_shown"],
            basics["parent"],
            n,
        ),
        _weighted_sets("technologies", _list_items(both, "technologies"), total, n, "set"),
        _weighted_sets("departments", _list_items(both, "departments"), total, n, "set"),
        _hierarchy(
            "geo", basics["country"], basics["region"], basics["country"], basics["region"], n
        ),  # fmt: skip
        _ordinal("funding", _codes(basics["funding"]), list(FUNDING_STAGES), n),
        _ordinal("raised", _codes(basics["raised"]), REVENUE_LABELS, n),
        _ordinal("founded", _codes(basics["founded"]), _FOUNDED_LABELS, n),
    ]
    if text:
        fields.append(_weighted_sets("description", _terms(both), total, n, "text"))
    return _weigh_fields(fields, {**FIELD_WEIGHTS, **(weights or {})}, seeds.height)


def _basic_values(both: pl.DataFrame, groups: Sequence[object]) -> pl.DataFrame:
    """Per row (accounts, then seeds): the band codes of the ordinal fields, and the keys
    and spellings of the hierarchies (industry under its parent, country under its region)."""
    return both.select(
        size=_bucket(_col(both, "employees", pl.Float64()), SIZE_EDGES),
        revenue=_bucket(_col(both, "revenue", pl.Float64()), REVENUE_EDGES),
        raised=_bucket(_col(both, "total_funding", pl.Float64()), REVENUE_EDGES),
        funding=_col(both, "funding_stage", pl.String()).replace_strict(
            {s: i for i, s in enumerate(FUNDING_STAGES)}, default=None, return_dtype=pl.Int64
        ),
        founded=((_col(both, "founded_year", pl.Int64()) - FOUNDED_FROM) // FOUNDED_STEP).clip(
            0, FOUNDED_BUCKETS - 1
        ),
        industry=_col(both, "industry", pl.String()).str.strip_chars().str.to_lowercase(),
        industry_shown=_col(both, "industry", pl.String()).str.strip_chars(),
        parent=industry_parent(both, groups),
        country=_col(both, "country", pl.String()).str.to_uppercase(),
    ).with_columns(
        industry=pl.when(pl.col("industry") != "").then("industry"),
        parent_key=pl.col("parent").str.to_lowercase(),
        region=region_expr(pl.col("country")),
    )


def _weigh_fields(fields: list[Field], chosen: dict[str, float], m: int) -> Features:
    """The fields in use (weight above 0, known on some account and some seed), their
    weights, and each of the `m` seeds' known weight."""
    used = tuple(
        f
        for f in fields
        if chosen.get(f.name, 0) > 0 and f.account_known.any() and f.seed_known.any()
    )
    used_weights = {f.name: float(chosen[f.name]) for f in used}
    seed_weight = np.zeros(m, dtype=np.float64)
    for f in used:
        seed_weight += f.seed_known * used_weights[f.name]
    return Features(used, used_weights, seed_weight)


def coverage(frame: pl.DataFrame) -> dict[str, float]:
    """The share of rows with each similarity field known (for messages)."""
    if frame.height == 0:
        return dict.fromkeys(FIELD_SOURCES, 0.0)
    out = {}
    for name, sources in FIELD_SOURCES.items():
        present = [s for s in sources if s in frame.columns]
        if not present:
            out[name] = 0.0
            continue
        known = pl.any_horizontal(
            (pl.col(s).list.len() > 0)
            if frame.schema[s] == pl.List(pl.String)
            else pl.col(s).is_not_null()
            for s in present
        )
        out[name] = float(frame.select(known.mean()).item() or 0.0)
    return out
