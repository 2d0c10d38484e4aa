"""The pairwise match model: comparison levels combined as Fellegi–Sunter match weights.

Each candidate pair gets one *level* per comparison (name, domain, city, country,
phone, size, industry, founding year; ``-1`` where either side is unknown). A
level's match weight is ``log2(m / u)``: ``m`` the share of true matches at that
level, ``u`` the share of random pairs. A pair's match weight is the prior
(``log2`` odds that two random rows are one company) plus the sum of its levels'
weights; its match probability is ``1 / (1 + 2**-weight)`` (splink's model).

Where the numbers come from, for every list:

- ``u`` from the list itself: exact-agreement levels (same name key, same domain,
  same city...) from value counts, which is exact; the fuzzy levels from random
  pairs of rows (a sample, as splink does).
- ``m`` by expectation–maximisation over the blocked candidate pairs, starting
  from built-in priors and pulled towards them by pseudo-counts, so that a small
  list (or a list with few duplicates) falls back on the priors instead of
  learning noise.
- Term frequency: an exact name match is weighed against how often that name
  key occurs in the list (``Tanium`` twice in 40,000 rows counts for more than
  ``Summit`` forty times), bounded so that it can neither make nor break a pair
  on its own.

Two guards are stated in the model's terms and override the sum: the
acquisition guard (same domain, names sharing no word, founding years apart:
an acquired company listed on its acquirer's domain) and the platform rule
(a platform domain such as linkedin.com is no domain at all, upstream).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, JaroWinkler

UNKNOWN = -1

# name levels, best first
NAME_LEVELS = (
    "exact",  # same name key (spaces aside)
    "sorted-tokens",  # the same words in another order
    "close",  # one typo (one edit; a swap of two letters counts one), or a short tail
    "similar",  # two typos in a name of six letters or more, or a longer tail
    "subset",  # one name's words all in the other's
    "loose",  # JW >= 0.84 or ratio >= 75
    "differs",
)
DOMAIN_LEVELS = ("same", "same-brand", "differs")
SAME_DIFF = ("same", "differs")
SIZE_LEVELS = ("same", "close", "differs", "far")  # ratio <= 1.5, <= size_ratio, <= 10, beyond
FOUNDED_LEVELS = ("same", "close", "differs")  # 0 years, <= tolerance, beyond


@dataclass(frozen=True)
class Comparison:
    """One comparison: its levels (best first) and built-in m and u priors."""

    name: str
    levels: tuple[str, ...]
    prior_m: tuple[float, ...]
    prior_u: tuple[float, ...]
    # levels whose u is computed exactly from value counts (an exact-agreement level)
    exact_u: tuple[int, ...] = ()


# Priors: m from what vendors' lists do to one company (cities disagree a quarter of
# the time: HQ vs branch vs mailing address), u at the scale of a 40,000-row list.
# A list of MIN_ROWS_TO_ESTIMATE rows or more replaces u by its own and pulls m
# towards its own by EM; a smaller one is scored on these alone.
COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "name",
        NAME_LEVELS,
        prior_m=(0.55, 0.04, 0.20, 0.08, 0.05, 0.03, 0.05),
        prior_u=(3e-5, 1e-6, 2e-5, 2e-4, 2e-4, 2e-3, 0.997577),
        exact_u=(0,),
    ),
    Comparison(
        "domain",
        DOMAIN_LEVELS,
        prior_m=(0.95, 0.03, 0.02),
        prior_u=(5e-6, 5e-5, 0.999945),
        exact_u=(0,),
    ),
    Comparison("city", SAME_DIFF, prior_m=(0.75, 0.25), prior_u=(0.01, 0.99), exact_u=(0,)),
    Comparison("country", SAME_DIFF, prior_m=(0.97, 0.03), prior_u=(0.15, 0.85), exact_u=(0,)),
    Comparison("phone", SAME_DIFF, prior_m=(0.7, 0.3), prior_u=(5e-6, 0.999995), exact_u=(0,)),
    Comparison(
        "size", SIZE_LEVELS, prior_m=(0.6, 0.3, 0.08, 0.02), prior_u=(0.13, 0.2, 0.32, 0.35)
    ),
    Comparison("postcode", SAME_DIFF, prior_m=(0.65, 0.35), prior_u=(1e-3, 0.999), exact_u=(0,)),
    Comparison("industry", SAME_DIFF, prior_m=(0.6, 0.4), prior_u=(0.04, 0.96), exact_u=(0,)),
    Comparison("founded", FOUNDED_LEVELS, prior_m=(0.75, 0.2, 0.05), prior_u=(0.03, 0.12, 0.85)),
)
# The prior (log2 odds that two random rows are one company) of a list too small to
# estimate from: that of a 15,000-row list with one duplicate pair per ten rows.
SMALL_LIST_PRIOR = -16.0
LEVEL_COLUMNS = tuple(f"lv_{c.name}" for c in COMPARISONS)

# How each level reads in an explanation (`name sorted-tokens +4.0`).
_LABELS = {
    "name": {k: f"name {lv}" for k, lv in enumerate(NAME_LEVELS)},
    "domain": {0: "domain same", 1: "domain same brand", 2: "domain differs"},
    "city": {0: "city same", 1: "city differs"},
    "country": {0: "country same", 1: "country differs"},
    "phone": {0: "phone same", 1: "phone differs"},
    "postcode": {0: "postcode same", 1: "postcode differs"},
    "size": {0: "size same", 1: "size close", 2: "size differs", 3: "size far apart"},
    "industry": {0: "industry same", 1: "industry differs"},
    "founded": {0: "founded same", 1: "founded close", 2: "founded differs"},
}

# The most an "all of one name's words are in the other's" match may weigh.
SUBSET_MAX_BITS = 2.0
# Pseudo-counts (in pairs) with which the priors hold the EM estimates of m.
PRIOR_STRENGTH = 300.0
# Bounds of the term-frequency adjustment of an exact name match, in bits.
TF_MAX_BONUS = 4.0
TF_MAX_PENALTY = 6.0
# Lists smaller than this use the priors' u for fuzzy levels and no term frequencies.
MIN_ROWS_TO_ESTIMATE = 500
RANDOM_PAIRS = 400_000


@dataclass
class MatchModel:
    """Fitted m and u per comparison level, the prior, and the name frequencies."""

    m: dict[str, np.ndarray]
    u: dict[str, np.ndarray]
    prior_weight: float  # log2 odds that two random rows are one company
    name_counts: pl.DataFrame | None = None  # _name_code, _n (for term frequency)
    # P(two random rows share a name key), duplicates included: the mean the term
    # frequency of a name is measured against
    name_agreement: float | None = None
    rows: int = 0
    em_iterations: int = 0
    em_pairs: int = 0
    notes: list[str] = field(default_factory=list)

    def weights(self, comparison: str) -> np.ndarray:
        """``log2(m / u)`` per level, made monotone: agreeing never counts against a
        match and disagreeing never for it (a level that random pairs never reach, as a
        city that differs in a one-city list, would otherwise weigh without bound)."""
        m = np.clip(self.m[comparison], 1e-9, 1.0)
        u = np.clip(self.u[comparison], 1e-9, 1.0)
        w = np.log2(m / u)
        w[0] = max(w[0], 0.0)
        w[-1] = min(w[-1], 0.0)
        if comparison != "name":  # ordered levels: best first
            w = np.minimum.accumulate(w)
        else:  # exact >= sorted-tokens, close >= similar >= loose >= subset, differs
            w[1] = min(w[1], w[0])
            w[2] = min(w[2], w[0])
            w[3] = min(w[3], w[2])
            w[5] = min(w[5], w[3])
            # one name's words inside the other's is as often a subsidiary or a sister
            # company (Canon / Canon Finetech on canon.com) as the same one: never more
            # than a loose likeness (and at most SUBSET_MAX_BITS), whatever EM makes of it
            w[4] = min(w[4], w[5], SUBSET_MAX_BITS)
            w[6] = min(w[6], w[5], w[4])
        return w

    def describe(self) -> str:
        """The fitted weights, one comparison a line (for --explain-pair and notes)."""
        lines = [f"prior {self.prior_weight:+.1f} (fitted on {self.rows:,} rows)"]
        for c in COMPARISONS:
            w = self.weights(c.name)
            parts = [f"{lv} {w[k]:+.1f}" for k, lv in enumerate(c.levels)]
            lines.append(f"{c.name}: " + ", ".join(parts))
        return "\n".join(lines)


# ----------------------------------------------------------------------------- levels


# Pairs compared per chunk: bounds the Python strings handed to rapidfuzz at once.
COMPARE_CHUNK = 500_000
_EQUAL_FIELDS: tuple[str, ...] = (
    *("_sorted", "_dom", "_brand", "_city", "_country", "_phone", "_postcode", "_industry"),
)


def pair_fields(m: pl.DataFrame) -> pl.DataFrame:
    """The per-row columns ``compare_pairs`` reads, slim: equality fields as 64-bit
    codes, the name's words as a list of codes, the spaceless name as text."""
    return m.select(
        pl.col("_i").cast(pl.UInt32),
        "_compact",
        pl.col("_compact").hash(seed=11).alias("_name_code"),
        *[pl.when(pl.col(c).is_not_null()).then(pl.col(c).hash(seed=11)).alias(c) for c in
          _EQUAL_FIELDS],
        _tok=pl.col("_key").str.split(" ").list.eval(pl.element().hash(seed=11)),
        _emp=pl.col("_emp"),
        _founded=pl.col("_founded"),
    )  # fmt: skip


def compare_pairs(
    m: pl.DataFrame,
    pairs: pl.DataFrame,
    *,
    size_ratio: float = 3.0,
    founded_tolerance: int = 2,
    fields: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """``pairs`` (i, j) with one Int8 level column per comparison (``lv_name``...),
    ``-1`` where unknown, plus the name similarities ``jw`` and ``ratio``, the first
    row's name code (``_name_code``, for term frequencies) and ``_disjoint`` (the two
    names share no word). ``fields``: ``pair_fields(m)``, when the caller has it."""
    fields = pair_fields(m) if fields is None else fields
    pairs = pairs.select(pl.col("i", "j").cast(pl.UInt32))
    chunks = [
        _compare_chunk(pairs.slice(k, COMPARE_CHUNK), fields, size_ratio, founded_tolerance)
        for k in range(0, max(pairs.height, 1), COMPARE_CHUNK)
    ]
    return pl.concat(chunks)


def _compare_chunk(
    pairs: pl.DataFrame, fields: pl.DataFrame, size_ratio: float, founded_tolerance: int
) -> pl.DataFrame:
    cols = [c for c in fields.columns if c != "_i"]
    left = fields.select(pl.col("_i").alias("i"), *[pl.col(c).alias(c + "_a") for c in cols])
    right = fields.select(pl.col("_i").alias("j"), *[pl.col(c).alias(c + "_b") for c in cols])
    p = pairs.join(left, on="i", how="left").join(right, on="j", how="left")
    return compare_joined(p, size_ratio, founded_tolerance)


def compare_joined(p: pl.DataFrame, size_ratio: float, founded_tolerance: int) -> pl.DataFrame:
    """The levels of pairs already joined to both rows' ``pair_fields`` (``<field>_a``,
    ``<field>_b``). Row-local: an engine may run it on any slice of the pairs."""
    p = _with_name_similarities(p)
    tok_a, tok_b = pl.col("_tok_a"), pl.col("_tok_b")
    return p.select(
        "i",
        "j",
        "jw",
        "ratio",
        lv_name=_name_level().cast(pl.Int8),
        lv_domain=_domain_level().cast(pl.Int8),
        lv_city=_same_diff("_city"),
        lv_country=_same_diff("_country"),
        lv_phone=_same_diff("_phone"),
        lv_postcode=_same_diff("_postcode"),
        lv_size=_size_level(size_ratio).cast(pl.Int8),
        lv_industry=_same_diff("_industry"),
        lv_founded=_founded_level(founded_tolerance).cast(pl.Int8),
        # names sharing no word at all (the acquisition guard)
        _disjoint=tok_a.list.set_intersection(tok_b).list.len().fill_null(1) == 0,
        _name_code="_name_code_a",
    )


def _with_name_similarities(p: pl.DataFrame) -> pl.DataFrame:
    """``p`` with ``jw`` (Jaro-Winkler), ``ratio`` (Indel) and ``_edits`` (typos) of the
    two spaceless names, from rapidfuzz's batch scorers."""
    a_names = p["_compact_a"].fill_null("").to_list()
    b_names = p["_compact_b"].fill_null("").to_list()
    jw = process.cpdist(a_names, b_names, scorer=JaroWinkler.normalized_similarity, workers=-1)
    ratio = process.cpdist(a_names, b_names, scorer=fuzz.ratio, workers=-1)
    # typos counted as a person counts them: a swapped pair of letters is one
    edits = process.cpdist(a_names, b_names, scorer=OSA.distance, workers=-1)
    del a_names, b_names
    return p.with_columns(
        jw=pl.Series(np.asarray(jw, dtype=np.float32)),
        ratio=pl.Series(np.asarray(ratio, dtype=np.float32)),
        _edits=pl.Series(np.asarray(edits, dtype=np.int32)),
    )


def _name_level() -> pl.Expr:
    """The name level (``NAME_LEVELS``) of a pair with its name similarities."""
    tok_a = pl.col("_tok_a")
    tok_b = pl.col("_tok_b")
    subset = (tok_a.list.set_difference(tok_b).list.len() == 0) | (
        tok_b.list.set_difference(tok_a).list.len() == 0
    )
    jwc, rc, typos = pl.col("jw"), pl.col("ratio"), pl.col("_edits")
    shorter = pl.min_horizontal(
        pl.col("_compact_a").str.len_chars(), pl.col("_compact_b").str.len_chars()
    )
    # one whole name inside the other (a tail or a head added, nothing changed)
    within = pl.col("_compact_a").str.contains(pl.col("_compact_b"), literal=True) | pl.col(
        "_compact_b"
    ).str.contains(pl.col("_compact_a"), literal=True)
    return (
        pl.when(pl.col("_compact_a").is_null() | pl.col("_compact_b").is_null())
        .then(UNKNOWN)
        .when(pl.col("_name_code_a") == pl.col("_name_code_b"))
        .then(0)
        .when((pl.col("_sorted_a") == pl.col("_sorted_b")) & (tok_a.list.len() >= 2))
        .then(1)
        # one typo (Rinsed / Rined, UBITS / UIBTS); two in a name of six letters or more;
        # or a short tail added to the whole name ("… Highridge" / "… Highridge YMCA").
        # Edits, not a similarity: "First National Bank of Omaha" and "… of Ohio" are
        # 96% alike and two banks.
        .when(((typos <= 1) & (shorter >= 3)) | (within & (rc >= 93)))
        .then(2)
        .when(((typos <= 2) & (shorter >= 6)) | (within & (rc >= 85)))
        .then(3)
        .when(subset)
        .then(4)
        .when((jwc >= 0.84) | (rc >= 75))
        .then(5)
        .otherwise(6)
    )


def _domain_level() -> pl.Expr:
    """Same domain, the same brand on another suffix, or differs (``DOMAIN_LEVELS``)."""
    return (
        pl.when(pl.col("_dom_a").is_null() | pl.col("_dom_b").is_null())
        .then(UNKNOWN)
        .when(pl.col("_dom_a") == pl.col("_dom_b"))
        .then(0)
        .when(pl.col("_brand_a") == pl.col("_brand_b"))
        .then(1)
        .otherwise(2)
    )


def _size_level(size_ratio: float) -> pl.Expr:
    """The employee counts' ratio as a level (``SIZE_LEVELS``)."""
    # max/min_horizontal skip nulls: a size known on one side only is unknown, not equal
    both = pl.col("_emp_a").is_not_null() & pl.col("_emp_b").is_not_null()
    biggest = pl.max_horizontal("_emp_a", "_emp_b")
    ratio_emp = pl.when(both).then(
        biggest / pl.min_horizontal("_emp_a", "_emp_b").clip(lower_bound=1)
    )
    return (
        pl.when(ratio_emp.is_null())
        .then(UNKNOWN)
        .when(ratio_emp <= 1.5)
        .then(0)
        .when(ratio_emp <= size_ratio)
        .then(1)
        .when(ratio_emp <= max(size_ratio, 10.0))
        .then(2)
        .otherwise(3)
    )


def _founded_level(founded_tolerance: int) -> pl.Expr:
    """The founding years' distance as a level (``FOUNDED_LEVELS``)."""
    years = (pl.col("_founded_a") - pl.col("_founded_b")).abs()
    return (
        pl.when(years.is_null())
        .then(UNKNOWN)
        .when(years == 0)
        .then(0)
        .when(years <= founded_tolerance)
        .then(1)
        .otherwise(2)
    )


def _same_diff(column: str) -> pl.Expr:
    a, b = pl.col(column + "_a"), pl.col(column + "_b")
    return (
        pl.when(a.is_null() | b.is_null())
        .then(UNKNOWN)
        .when(a == b)
        .then(0)
        .otherwise(1)
        .cast(pl.Int8)
    )


# ----------------------------------------------------------------------------- fitting


def _levels_matrix(levels: pl.DataFrame) -> np.ndarray:
    return levels.select(LEVEL_COLUMNS).to_numpy().astype(np.int16)


def _agreement_rate(m: pl.DataFrame, column: str) -> float | None:
    """P(two random rows that both have ``column`` agree on it), exactly, from counts."""
    counts = m.select(pl.col(column)).drop_nulls().group_by(column).len()["len"]
    known = int(counts.sum())
    if known < 2:
        return None
    same = float((counts.cast(pl.Float64) * (counts.cast(pl.Float64) - 1)).sum())
    return same / (known * (known - 1))


def _random_pairs(n: int, count: int, seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    i = rng.integers(0, n, size=count, dtype=np.int64)
    j = rng.integers(0, n, size=count, dtype=np.int64)
    keep = i != j
    i, j = i[keep], j[keep]
    return pl.DataFrame(
        {"i": np.minimum(i, j).astype(np.uint32), "j": np.maximum(i, j).astype(np.uint32)}
    )


def estimate_u(m: pl.DataFrame, *, size_ratio: float, founded_tolerance: int) -> dict:
    """u per comparison level: exact-agreement levels from counts, the rest from random
    pairs; priors fill what a small list cannot tell."""
    u = {c.name: np.array(c.prior_u, dtype=np.float64) for c in COMPARISONS}
    n = m.height
    if n >= MIN_ROWS_TO_ESTIMATE:
        sample = compare_pairs(
            m,
            _random_pairs(n, min(RANDOM_PAIRS, n * (n - 1) // 2)),
            size_ratio=size_ratio,
            founded_tolerance=founded_tolerance,
        )
        mat = _levels_matrix(sample)
        for k, c in enumerate(COMPARISONS):
            col = mat[:, k]
            col = col[col >= 0]
            if col.size < 200:
                continue
            counts = np.bincount(col, minlength=len(c.levels)).astype(np.float64)
            # a level seen in no sampled pair keeps its prior share (pseudo-count of 1)
            prior = np.array(c.prior_u)
            u[c.name] = (counts + prior) / (counts.sum() + 1.0)
    exact_columns = {
        "name": "_compact",
        "domain": "_dom",
        "city": "_city",
        "country": "_country",
        "phone": "_phone",
        "postcode": "_postcode",
        "industry": "_industry",
    }
    for c in COMPARISONS:
        for level in c.exact_u:
            rate = _agreement_rate(m, exact_columns[c.name]) if n >= 2 else None
            if rate is None or n < MIN_ROWS_TO_ESTIMATE:
                continue
            rest = np.delete(u[c.name], level)
            rate = max(rate, 1e-9)
            u[c.name] = np.insert(rest / rest.sum() * (1 - rate), level, rate)
    if n >= MIN_ROWS_TO_ESTIMATE:
        # the same brand on another suffix: brand labels agree, domains do not
        brand_rate = _agreement_rate(m, "_brand")
        domain_rate = _agreement_rate(m, "_dom")
        if brand_rate is not None and domain_rate is not None:
            known = int(m["_dom"].is_not_null().sum())
            rate = max(brand_rate - domain_rate, 0.0) + 1.0 / max(known * (known - 1), 1)
            u["domain"][1] = rate
            u["domain"][2] = max(1.0 - u["domain"][0] - rate, 1e-9)
        # the same words in another order: sorted keys agree, spaceless keys do not
        sorted_rate = _agreement_rate(m, "_sorted")
        exact_rate = _agreement_rate(m, "_compact")
        if sorted_rate is not None and exact_rate is not None:
            rate = max(sorted_rate - exact_rate, 0.0) + 1.0 / (n * (n - 1))
            u["name"][1] = max(rate, float(u["name"][1]))
            u["name"] = u["name"] / u["name"].sum()
    return u


def fit_model(
    m: pl.DataFrame,
    levels: pl.DataFrame | None,
    *,
    size_ratio: float = 3.0,
    founded_tolerance: int = 2,
    em: bool = True,
    iterations: int = 60,
    patterns: tuple[np.ndarray, np.ndarray] | None = None,
) -> MatchModel:
    """Fit the model on a prepared frame ``m`` and the levels of its candidate pairs, or
    their distinct level ``patterns`` with their counts (``level_patterns``): all that
    EM reads, so an engine that counts them elsewhere fits the same numbers."""
    n = m.height
    u = estimate_u(m, size_ratio=size_ratio, founded_tolerance=founded_tolerance)
    prior_m = {c.name: np.array(c.prior_m, dtype=np.float64) for c in COMPARISONS}
    total_pairs = max(n * (n - 1) / 2, 1.0)
    # EM runs on the distinct level patterns, each with its count: the same answer as
    # over every pair, at the cost of a few thousand rows.
    distinct, counts = _patterns_of(levels) if patterns is None else patterns
    pairs = int(counts.sum())
    if em and n >= MIN_ROWS_TO_ESTIMATE and pairs >= 50:
        mm, lam_random, done = _estimate_m(distinct, counts, prior_m, u, iterations, total_pairs)
        _discount_matches(u, mm, lam_random)
        notes = [
            f"EM: {done} iterations on {pairs:,} candidate pairs "
            f"({distinct.shape[0]:,} distinct level patterns)"
        ]
    else:
        mm = {k: v.copy() for k, v in prior_m.items()}
        # a prior of about one duplicate pair per ten rows, before EM says otherwise
        lam_random = _small_list_lambda() if n < MIN_ROWS_TO_ESTIMATE else n / 10 / total_pairs
        done = 0
        notes = ["built-in priors (a list this small is not estimated from)"]
    names, name_mean = _name_holders(m) if n >= MIN_ROWS_TO_ESTIMATE else (None, None)
    return MatchModel(
        m=mm,
        u=u,
        prior_weight=math.log2(lam_random / (1 - lam_random)),
        name_counts=names,
        name_agreement=name_mean,
        rows=n,
        em_iterations=done,
        em_pairs=pairs,
        notes=notes,
    )


def _patterns_of(levels: pl.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """``_patterns`` of the candidate pairs' levels (none: no patterns)."""
    if levels is None or levels.height == 0:
        return _patterns(np.zeros((0, len(COMPARISONS)), np.int16))
    return _patterns(_levels_matrix(levels))


def _estimate_m(
    distinct: np.ndarray,
    counts: np.ndarray,
    prior_m: dict[str, np.ndarray],
    u: dict[str, np.ndarray],
    iterations: int,
    total_pairs: float,
) -> tuple[dict[str, np.ndarray], float, int]:
    """m by EM over the level patterns, then the share of matches among all pairs of the
    list. Returns (m, that share as the prior's probability, EM iterations)."""
    k_name = _index("name")
    k_domain = _index("domain")
    # As splink trains: within the pairs that share a domain (how they were found),
    # the other comparisons tell matches from the rest, so their m is learned there;
    # a list with few shared domains learns on the pairs that share a name instead
    # (then the name is not learned). The domain's m stays the prior's: learned on
    # pairs that share a name, namesakes (same name, other domains: common in any
    # big list) pass for a class of their own and teach that domains may differ.
    by_domain = distinct[:, k_domain] == 0
    by_name = distinct[:, k_name] == 0
    if counts[by_domain].sum() >= 200:
        rows, fixed = by_domain, {k_domain}
    else:
        rows, fixed = by_name, {k_domain, k_name}
    mm = {k: v.copy() for k, v in prior_m.items()}
    done = 0
    if counts[rows].sum() >= 50:
        mm, _, done = _em(distinct[rows], counts[rows], prior_m, mm, fixed, iterations, u)
    # with every m fixed, the share of matches among all candidates
    every = set(range(len(COMPARISONS)))
    _, lam, it = _em(distinct, counts, prior_m, mm, every, iterations, u)
    matches = lam * int(counts.sum())
    return mm, min(max(matches, 1.0) / total_pairs, 0.5), done + it


def _discount_matches(u: dict[str, np.ndarray], mm: dict[str, np.ndarray], lam: float) -> None:
    """Take the matches' share out of ``u`` (in place): u from random pairs counts the
    list's own duplicates too; in a list that is mostly duplicates (every record three
    times) that would make an exact name look common (u = lam*m + (1-lam)*u_nonmatch)."""
    for c in COMPARISONS:
        raw = u[c.name]
        corrected = np.maximum(raw - lam * mm[c.name], raw * 0.05)
        u[c.name] = corrected / corrected.sum()


def _small_list_lambda() -> float:
    return 1.0 / (1.0 + 2.0**-SMALL_LIST_PRIOR)


def _patterns(mat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a level matrix and their counts (rows coded as one integer:
    a row-wise ``np.unique`` over millions of pairs is many times slower)."""
    base = 8  # levels are -1..6
    codes = np.zeros(mat.shape[0], dtype=np.int64)
    for k in range(mat.shape[1]):
        codes = codes * base + (mat[:, k].astype(np.int64) + 1)
    unique, counts = np.unique(codes, return_counts=True)
    patterns = np.zeros((unique.size, mat.shape[1]), dtype=np.int16)
    rest = unique.copy()
    for k in range(mat.shape[1] - 1, -1, -1):
        patterns[:, k] = (rest % base) - 1
        rest //= base
    return patterns, counts.astype(np.float64)


def level_patterns(levels: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``_patterns`` from distinct level rows counted elsewhere (``counts`` pairs each):
    the same arrays in the same order, so EM sums in the same order."""
    levels = np.asarray(levels, dtype=np.int16).reshape(-1, len(COMPARISONS))
    base = 8
    codes = np.zeros(levels.shape[0], dtype=np.int64)
    for k in range(levels.shape[1]):
        codes = codes * base + (levels[:, k].astype(np.int64) + 1)
    order = np.argsort(codes, kind="stable")
    return levels[order], np.asarray(counts, dtype=np.float64)[order]


def _index(name: str) -> int:
    return next(k for k, c in enumerate(COMPARISONS) if c.name == name)


def _em(
    patterns: np.ndarray,
    counts: np.ndarray,
    prior_m: dict[str, np.ndarray],
    start: dict[str, np.ndarray],
    fixed: set[int],
    iterations: int,
    u_start: dict[str, np.ndarray],
) -> tuple[dict[str, np.ndarray], float, int]:
    """A two-class mixture over level patterns (``counts`` pairs each): m of the match
    class (pulled towards ``prior_m``; comparisons in ``fixed`` keep ``start`` and,
    when ``fixed`` holds every comparison but none is skipped, still count), the
    non-match class free. Returns (m, share of matches, iterations)."""
    mm = {k: v.copy() for k, v in start.items()}
    # the non-match class starts as random pairs: EM moves it towards the candidates'
    # own non-matches (starting it from all candidates lets it swallow the matches)
    uc = {k: np.clip(v, 1e-9, 1.0) for k, v in u_start.items()}
    lam = 0.5
    done = 0
    # a comparison in `fixed` that is constant over the patterns (the session's own
    # blocking field) is left out of the likelihood altogether
    constant = {k for k in fixed if np.unique(patterns[:, k]).size == 1}
    for done in range(1, iterations + 1):  # noqa: B007 - the count is reported
        logit = np.full(patterns.shape[0], math.log2(lam / (1 - lam)))
        for k, c in enumerate(COMPARISONS):
            if k in constant:
                continue
            col = patterns[:, k]
            known = col >= 0
            w = np.log2(np.clip(mm[c.name], 1e-12, 1) / np.clip(uc[c.name], 1e-12, 1))
            logit[known] += w[col[known]]
        post = 1.0 / (1.0 + np.exp2(-np.clip(logit, -60, 60)))
        new_lam = float((post * counts).sum() / counts.sum())
        change = abs(new_lam - lam)
        for k, c in enumerate(COMPARISONS):
            col = patterns[:, k]
            known = col >= 0
            size = len(c.levels)
            pu = np.bincount(col[known], weights=((1 - post) * counts)[known], minlength=size)
            uc[c.name] = (pu + 1.0) / (pu.sum() + size)
            if k in fixed:
                continue
            pm = np.bincount(col[known], weights=(post * counts)[known], minlength=size)
            new_m = (pm + PRIOR_STRENGTH * prior_m[c.name]) / (pm.sum() + PRIOR_STRENGTH)
            change = max(change, float(np.abs(new_m - mm[c.name]).max()))
            mm[c.name] = new_m
        lam = min(max(new_lam, 1e-6), 1 - 1e-6)
        if change < 1e-5:
            break
    return mm, lam, done


def prior_model(rows: int = 0) -> MatchModel:
    """The built-in model (priors only), for a list too small to learn from."""
    lam = _small_list_lambda()
    return MatchModel(
        m={c.name: np.array(c.prior_m, dtype=np.float64) for c in COMPARISONS},
        u={c.name: np.array(c.prior_u, dtype=np.float64) for c in COMPARISONS},
        prior_weight=math.log2(lam / (1 - lam)),
        rows=rows,
    )


# ----------------------------------------------------------------------------- scoring


def score_levels(model: MatchModel, levels: pl.DataFrame) -> pl.DataFrame:
    """``levels`` with ``w_<comparison>`` per comparison, ``w_tf`` (term frequency),
    ``weight`` (the sum with the prior) and ``p`` (match probability)."""
    exprs = []
    for c in COMPARISONS:
        w = model.weights(c.name).tolist()
        lv = pl.col(f"lv_{c.name}")
        expr = pl.lit(0.0)
        for k in range(len(c.levels) - 1, -1, -1):
            expr = pl.when(lv == k).then(pl.lit(w[k])).otherwise(expr)
        exprs.append(expr.alias(f"w_{c.name}"))
    out = levels.with_columns(exprs)
    out = out.with_columns(w_tf=_tf_adjustment(model, out))
    total = pl.sum_horizontal(
        pl.lit(model.prior_weight), *[pl.col(f"w_{c.name}") for c in COMPARISONS], pl.col("w_tf")
    )
    return out.with_columns(weight=total).with_columns(
        p=1.0 / (1.0 + pl.lit(2.0).pow(-pl.col("weight").clip(-60, 60)))
    )


def _name_holders(m: pl.DataFrame) -> tuple[pl.DataFrame, float]:
    """Per name key, how many companies hold it (``_n``), and the mean the term frequency
    is measured against: sum over names of (holders / rows)²."""
    # The rows of one company are one holder: its duplicates must not make its own name
    # look common. A holder is the company domain, else the city; a row with neither
    # counts alone (it cannot be told from a namesake).
    holder = pl.coalesce(
        pl.col("_dom"),
        pl.concat_str([pl.lit("@"), pl.col("_city")]),
        pl.concat_str([pl.lit("#"), pl.col("_i").cast(pl.String)]),
    )
    names = (
        m.filter(pl.col("_compact").is_not_null())
        .select(pl.col("_compact").hash(seed=11).alias("_name_code"), holder.alias("_holder"))
        .group_by("_name_code")
        .agg(_n=pl.col("_holder").n_unique())
        .sort("_name_code")
    )
    rows = max(m.height, 1)
    mean = float(((names["_n"].cast(pl.Float64) / rows) ** 2).sum()) or 1.0 / rows
    return names, mean


def _tf_adjustment(model: MatchModel, levels: pl.DataFrame) -> pl.Expr:
    """Bits added to an exact name match for a rare name (taken away for a common one)."""
    if model.name_counts is None or levels.height == 0 or model.rows == 0:
        return pl.lit(0.0)
    mean = model.name_agreement or 1.0 / model.rows
    n = levels.select("_name_code").join(
        model.name_counts, on="_name_code", how="left", maintain_order="left"
    )["_n"]
    # splink's adjustment log2(u / tf), with tf the share of the list's companies that
    # hold the name and u its mean over the list: a name one company holds weighs about
    # as the level does, a name forty companies hold (Summit Partners) far less
    tf = n.cast(pl.Float64).fill_null(1.0) / model.rows
    bonus = (pl.lit(mean) / pl.lit(tf)).log(2).clip(-TF_MAX_PENALTY, TF_MAX_BONUS)
    return pl.when(pl.col("lv_name") == 0).then(bonus).otherwise(0.0)


def explain_expr(model: MatchModel) -> pl.Expr:
    """One line per pair: ``domain same +6.1 · name sorted-tokens +4.0 → p 0.998``."""
    parts = []
    for c in COMPARISONS:
        lv = pl.col(f"lv_{c.name}")
        w = pl.col(f"w_{c.name}")
        if c.name == "name":
            w = w + pl.col("w_tf")
        label = pl.lit(None, pl.String)
        for k in range(len(c.levels) - 1, -1, -1):
            label = pl.when(lv == k).then(pl.lit(_LABELS[c.name][k])).otherwise(label)
        parts.append(pl.when(lv >= 0).then(pl.concat_str([label, pl.lit(" "), _signed(w)])))
    return pl.concat_str(
        [
            pl.concat_list(parts).list.drop_nulls().list.join(" · "),
            pl.lit(" → p "),
            probability_text(pl.col("p")),
        ]
    )


def _signed(w: pl.Expr) -> pl.Expr:
    r = w.round(1)
    text = r.abs().cast(pl.String)
    text = pl.when(text.str.contains(r"\.")).then(text).otherwise(text + ".0")
    return pl.when(r >= 0).then(pl.lit("+") + text).otherwise(pl.lit("−") + text)


def probability_text(p: pl.Expr) -> pl.Expr:
    """``0.998``, ``0.9996`` (never rounded up to 1), ``>0.9999``, ``<0.001``."""
    three = ((p * 1000).floor() / 1000).cast(pl.String).str.pad_end(5, "0")
    four = ((p * 10000).floor() / 10000).cast(pl.String).str.pad_end(6, "0")
    return (
        pl.when(p >= 0.99995)
        .then(pl.lit(">0.9999"))
        .when(p >= 0.999)
        .then(four)
        .when(p < 0.001)
        .then(pl.lit("<0.001"))
        .otherwise(three)
    )
