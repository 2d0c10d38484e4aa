"""The matcher: blocking into candidate pairs, then rule-based pairwise scoring.

Blocking keeps the candidate count near-linear: exact keys pair every row of
a small block — the company domain, the name key without spaces, and the
place (city, else country) with the first four or the last five letters of
that key (one typo leaves one of them intact) — and a sorted neighbourhood on
the spaceless key pairs each row with the next ``window`` rows. A block larger
than ``max_block`` is compared by window only. Name keys only pair rows of
which at least one has no company domain: two rows on different company
domains are two companies, so comparing their names is wasted work. (A
rarest-token-within-country key was measured too: on generated lists it added
45% more candidates and no true pair the other keys missed.) Suppression also
blocks CRM records without a city on the name's first four and last five letters
alone, whatever the place (``candidate_pairs(..., anywhere=...)``); dedupe does not.

Rules, strongest first (thresholds in ``DedupeSettings``):

1. same company domain, name >= 80                 ``same domain, name 96``
2. same company domain, one row has no name        ``same domain, no name``
3. same company domain, other name (a rename): same city, and the founding year
   or the size agrees, with no conflict on either   ``same domain, renamed (name 41), ...``
   — an acquired company listed on its acquirer's domain (AdMob on google.com)
   differs in founding year and size, so it stays apart; with nothing to compare,
   different names on one domain stay apart too.
4. no shared domain: name >= 90 (or >= 88 with the same founding year), same
   city, no conflict on country, size or founding year
                                                   ``name 100, same city, no domain``
5. no shared domain, a city unknown: name >= 95, same country or unknown
                                                   ``name 97, same country, no domain``
6. different domains (opt-in): name >= 96, same city ``name 100, same city, different domains``

A domainless row whose name matches rows on several company domains
(namesakes) matches none of them. Platform domains (linkedin.com, angel.co)
count as no domain. Scoring runs rapidfuzz's batch scorer (``cpdist``) over
the surviving candidate pairs at once; every accepted pair keeps its reason.
"""

from __future__ import annotations

import polars as pl
from rapidfuzz import fuzz, process

from listbuilder.dedupe.settings import DedupeSettings

# Rule codes, strongest first: the clustering order follows them.
RULE_SAME_DOMAIN = 1
RULE_DOMAIN_ONLY = 2
RULE_RENAME = 3
RULE_NAME_CITY = 4
RULE_NAME_NO_CITY = 5
RULE_DIFFERENT_DOMAINS = 6


def prepare_match_frame(df: pl.DataFrame, *, side: int | None = None) -> pl.DataFrame:
    """The columns the matcher reads, cleaned: one row per input row, in input order."""
    cols = df.columns

    def col(name: str, dtype: pl.DataType) -> pl.Expr:
        return pl.col(name) if name in cols else pl.lit(None, dtype=dtype)

    key = col("name_key", pl.String()).str.strip_chars()  # normalize's key: clean already
    key = pl.when(key == "").then(None).otherwise(key)
    platform = col("domain_is_platform", pl.Boolean()).fill_null(False)
    dom = pl.when(platform).then(None).otherwise(col("domain", pl.String()).str.to_lowercase())
    city = col("city", pl.String()).str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]+", "")
    out = df.select(
        _key=key,
        _dom=pl.when(dom == "").then(None).otherwise(dom),
        _country=col("country", pl.String()).str.to_uppercase(),
        _city=pl.when(city == "").then(None).otherwise(city),
        _emp=col("employees", pl.Int64()).cast(pl.Float64),
        _founded=col("founded_year", pl.Int64()).cast(pl.Int64),
    ).with_row_index("_i")
    out = out.with_columns(
        _compact=pl.col("_key").str.replace_all(" ", "", literal=True),
    )
    if side is not None:
        out = out.with_columns(_side=pl.lit(side, dtype=pl.Int8))
    return out


def prepare_sides(a: pl.DataFrame, b: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Match frames to match the rows of ``a`` to those of ``b`` (suppression, the deals'
    company list): ``a`` is side 0 with ``_i`` from 0, ``b`` side 1 numbered on after ``a``,
    so that the two concatenate into one frame for ``candidate_pairs``/``score_pairs``."""
    m0 = prepare_match_frame(a, side=0)
    m1 = prepare_match_frame(b, side=1).with_columns(pl.col("_i") + a.height)
    return m0, m1


def domain_pairs(m0: pl.DataFrame, m1: pl.DataFrame) -> pl.DataFrame:
    """``(r, c)`` (UInt32): a row of side 0 and a row of side 1 on the same company domain
    (platform domains count as none), whatever their names."""
    return (
        m0.filter(pl.col("_dom").is_not_null())
        .select(r="_i", _dom="_dom")
        .join(m1.filter(pl.col("_dom").is_not_null()).select("_dom", c="_i"), on="_dom")
        .select(pl.col("r").cast(pl.UInt32), pl.col("c").cast(pl.UInt32))
    )


def _code(expr: pl.Expr) -> pl.Expr:
    """A null-preserving 64-bit hash: blocks and equality tests on integers, not strings."""
    return pl.when(expr.is_not_null()).then(expr.hash(seed=7))


def _block_pairs(
    frame: pl.DataFrame,
    key: str,
    settings: DedupeSettings,
    *,
    open_only: bool,
    left_only: str | None = None,
    order: str = "_order",
    wide: int = 0,
) -> pl.DataFrame:
    """All pairs within small blocks of ``key``; window pairs within large ones.

    ``open_only``: only pairs with at least one ``_open`` row (one without a company
    domain) — two rows on different company domains never match by name alone.
    ``left_only``: only pairs with at least one row flagged in that column.
    ``order``: the column that orders rows for the window inside large blocks;
    ``wide``: the window of the ``left_only`` rows there.
    """
    extra = [c for c in (left_only, order) if c and c != "_order"]
    f = frame.select("_i", key, "_order", "_open", *extra)
    f = f.filter(pl.col(key).is_not_null()).with_columns(_n=pl.len().over(key))
    small = f.filter((pl.col("_n") > 1) & (pl.col("_n") <= settings.max_block))
    left = small.filter(pl.col("_open")) if open_only else small
    if left_only:
        left = left.filter(pl.col(left_only))
    pairs = (
        left.select("_i", key)
        .join(small.select(pl.col("_i").alias("_j"), key), on=key)
        .filter(pl.col("_i") != pl.col("_j"))
        .select(i=pl.col("_i"), j=pl.col("_j"))
    )
    if open_only and left_only:
        # the row picked by `left_only` may be the one on a company domain
        right = small.filter(pl.col(left_only) & ~pl.col("_open")).select("_i", key)
        pairs = pl.concat(
            [
                pairs,
                right.join(small.filter("_open").select(pl.col("_i").alias("_j"), key), on=key)
                .filter(pl.col("_i") != pl.col("_j"))
                .select(i=pl.col("_i"), j=pl.col("_j")),
            ]
        )
    large = f.filter(pl.col("_n") > settings.max_block)
    if large.height:
        window = _window_pairs(
            large, key, wide if left_only else settings.window,
            open_only=open_only, left_only=left_only, order=order,
        )  # fmt: skip
        pairs = pl.concat([pairs, window])
    return pairs


def _window_pairs(
    frame: pl.DataFrame,
    key: str,
    window: int,
    *,
    open_only: bool,
    left_only: str | None = None,
    order: str = "_order",
) -> pl.DataFrame:
    """Pairs of rows within ``window`` of each other in (key, name order) order, same key.

    ``left_only``: only pairs with a row flagged in that column, found from those rows
    (few of them: the cost is their number times the window, not the block size).
    """
    s = frame.sort([key, order])
    if left_only:
        s = s.with_row_index("_pos")
        offsets = pl.DataFrame({"_k": [k for k in range(-window, window + 1) if k]})
        near = (
            s.filter(pl.col(left_only))
            .select("_i", "_pos", key, _lopen="_open")
            .join(offsets, how="cross")
            .with_columns(pl.col("_pos").cast(pl.Int64) + pl.col("_k"))
            .join(
                s.select(pl.col("_i").alias("_j"), pl.col("_pos").cast(pl.Int64), key, "_open"),
                on=["_pos", key],
            )
        )
        if open_only:
            near = near.filter(pl.col("_lopen") | pl.col("_open"))
        return near.select(i=pl.col("_i"), j=pl.col("_j"))
    parts = []
    for k in range(1, window + 1):
        keep = pl.col(key) == pl.col(key).shift(-k)
        if open_only:
            keep = keep & (pl.col("_open") | pl.col("_open").shift(-k))
        parts.append(s.select(i=pl.col("_i"), j=pl.col("_i").shift(-k), keep=keep).filter("keep"))
    return pl.concat(parts).select("i", "j")


def candidate_pairs(
    m: pl.DataFrame,
    settings: DedupeSettings,
    *,
    anywhere: pl.Expr | None = None,
    anywhere_window: int = 20,
) -> pl.DataFrame:
    """Blocked candidate pairs ``(i, j)`` with ``i < j``, unique, sorted.

    ``anywhere``: rows it selects are also blocked on the first four and the last five
    letters of the name key whatever the place (suppression: a CRM record without a
    city meets its account in any city, typos included). In blocks larger than
    ``max_block`` each such row is paired with the ``anywhere_window`` rows before and
    after it, in name order for the first letters and in reversed-name order for the
    last ones (they are few, so a wide window is cheap).
    """
    place = pl.coalesce("_city", "_country", pl.lit("?"))
    compact = pl.col("_compact")
    extra: list[pl.Expr] = []
    if anywhere is not None:
        extra = [
            _code(compact.str.slice(0, 4)).alias("_pre0"),
            _code(compact.str.slice(-5)).alias("_suf0"),
            anywhere.fill_null(False).alias("_anywhere"),
            # rows sharing the last letters are windowed in reversed-name order, so a
            # typo near the start still lands next to the right name
            pl.struct(compact.str.reverse(), "_founded", "_i").rank("ordinal").alias("_rorder"),
        ]
    b = m.select(
        "_i",
        *extra,
        _dom=_code(pl.col("_dom")),
        _name=_code(compact),
        # a single typo leaves either the first four or the last five letters intact
        _pre=_code(pl.concat_str([place, compact.str.slice(0, 4)], separator="|")),
        _suf=_code(pl.concat_str([place, compact.str.slice(-5)], separator="|")),
        _open=pl.col("_dom").is_null(),
        # window order inside a block: name, then founding year (namesakes founded in
        # different years are different companies), then row order
        _order=pl.struct(compact, "_founded", "_i").rank("ordinal"),
    )
    open_only = not settings.merge_different_domains
    parts = [_block_pairs(b, "_dom", settings, open_only=False)]
    parts += [
        _block_pairs(b, key, settings, open_only=open_only) for key in ("_name", "_pre", "_suf")
    ]
    if anywhere is not None:
        parts += [
            _block_pairs(
                b,
                key,
                settings,
                open_only=open_only,
                left_only="_anywhere",
                order=o,
                wide=anywhere_window,
            )
            for key, o in (("_pre0", "_order"), ("_suf0", "_rorder"))
        ]
    keyed = b.filter(pl.col("_name").is_not_null()).with_columns(_all=pl.lit(1))
    parts.append(_window_pairs(keyed, "_all", settings.window, open_only=open_only))
    pairs = pl.concat(parts).select(
        i=pl.min_horizontal("i", "j").cast(pl.UInt32), j=pl.max_horizontal("i", "j").cast(pl.UInt32)
    )
    if "_side" in m.columns:
        side = m.select("_i", "_side")
        pairs = (
            pairs.join(side.rename({"_i": "i", "_side": "_si"}), on="i")
            .join(side.rename({"_i": "j", "_side": "_sj"}), on="j")
            .filter(pl.col("_si") != pl.col("_sj"))
            .select("i", "j")
        )
    return pairs.filter(pl.col("i") != pl.col("j")).unique().sort("i", "j")


def name_scores(a: pl.Series, b: pl.Series) -> pl.Series:
    """Name score 0–100 of two aligned series of spaceless name keys (rapidfuzz Indel ratio)."""
    scores = process.cpdist(
        a.fill_null("").to_list(), b.fill_null("").to_list(), scorer=fuzz.ratio, workers=-1
    )
    return pl.Series("name", scores).round(0).cast(pl.Int64)


def score_pairs(
    m: pl.DataFrame,
    pairs: pl.DataFrame,
    settings: DedupeSettings,
    *,
    drop_ambiguous: bool = True,
) -> pl.DataFrame:
    """Score candidate pairs; keep the accepted ones with ``rule``, ``name`` and ``reason``.

    ``drop_ambiguous``: a domainless row whose name fits rows on several company
    domains (namesakes) matches none of them.
    """
    codes = m.select(
        "_i",
        "_emp",
        "_founded",
        _dom=_code(pl.col("_dom")),
        _city=_code(pl.col("_city")),
        _country=_code(pl.col("_country")),
        _len=pl.col("_compact").str.len_chars(),
    )
    attrs = ["_dom", "_country", "_city", "_emp", "_founded", "_len"]
    left = codes.select(pl.col("_i").alias("i"), *[pl.col(c).alias(c + "_a") for c in attrs])
    right = codes.select(pl.col("_i").alias("j"), *[pl.col(c).alias(c + "_b") for c in attrs])
    p = pairs.join(left, on="i", how="left").join(right, on="j", how="left")
    s = settings
    both_dom = pl.col("_dom_a").is_not_null() & pl.col("_dom_b").is_not_null()
    emp_ratio = pl.max_horizontal("_emp_a", "_emp_b") / pl.min_horizontal("_emp_a", "_emp_b").clip(
        lower_bound=1
    )
    yr = (pl.col("_founded_a") - pl.col("_founded_b")).abs()
    p = p.with_columns(
        _cs=(pl.col("_city_a") == pl.col("_city_b")).fill_null(False),
        _cd=(pl.col("_city_a") != pl.col("_city_b")).fill_null(False),
        _ctryd=(pl.col("_country_a") != pl.col("_country_b")).fill_null(False),
        _sa=(emp_ratio <= s.size_ratio).fill_null(False),
        _sc=(emp_ratio > s.size_ratio).fill_null(False),
        _fa=(yr <= s.founded_tolerance).fill_null(False),
        _fc=(yr > s.founded_tolerance).fill_null(False),
        _same=both_dom & (pl.col("_dom_a") == pl.col("_dom_b")),
        _diff=both_dom & (pl.col("_dom_a") != pl.col("_dom_b")),
        _nodom=~both_dom,
        _noname=(pl.col("_len_a").fill_null(0) == 0) | (pl.col("_len_b").fill_null(0) == 0),
    )
    # Only pairs some rule could accept get a name score (the batch scorer is the cost).
    la, lb = pl.col("_len_a"), pl.col("_len_b")
    reachable = 200 * pl.min_horizontal(la, lb) / (la + lb) >= _lowest_threshold(s)
    by_name = (
        ~pl.col("_noname")
        & ~pl.col("_ctryd")
        & ~pl.col("_sc")
        & (
            (pl.col("_nodom") & ~pl.col("_cd") & ~pl.col("_fc"))
            | (pl.col("_diff") & pl.lit(s.merge_different_domains) & pl.col("_cs"))
        )
    )
    p = p.filter(pl.col("_same") | (by_name & reachable.fill_null(False)))
    if p.height == 0:
        return _empty_scored()
    names = m.select("_i", "_compact")
    p = p.join(names.rename({"_i": "i", "_compact": "_compact_a"}), on="i", how="left")
    p = p.join(names.rename({"_i": "j", "_compact": "_compact_b"}), on="j", how="left")
    p = p.with_columns(name=name_scores(p["_compact_a"], p["_compact_b"]))
    name = pl.col("name")
    rule = (
        pl.when(pl.col("_same") & pl.col("_noname"))
        .then(pl.lit(RULE_DOMAIN_ONLY))
        .when(pl.col("_same") & (name >= s.same_domain_threshold))
        .then(pl.lit(RULE_SAME_DOMAIN))
        .when(
            pl.col("_same")
            & pl.lit(s.merge_renames)
            & pl.col("_cs")
            & (pl.col("_sa") | pl.col("_fa"))
            & ~pl.col("_sc")
            & ~pl.col("_fc")
        )
        .then(pl.lit(RULE_RENAME))
        .when(
            pl.col("_nodom")
            & ~pl.col("_noname")
            & ((name >= s.name_threshold) | ((name >= s.name_threshold_founded) & pl.col("_fa")))
            & pl.col("_cs")
            & ~pl.col("_ctryd")
            & ~pl.col("_sc")
            & ~pl.col("_fc")
        )
        .then(pl.lit(RULE_NAME_CITY))
        .when(
            pl.col("_nodom")
            & ~pl.col("_noname")
            & (name >= s.name_threshold_no_city)
            & ~pl.col("_cd")
            & ~pl.col("_ctryd")
            & ~pl.col("_sc")
            & ~pl.col("_fc")
        )
        .then(pl.lit(RULE_NAME_NO_CITY))
        .when(
            pl.col("_diff")
            & pl.lit(s.merge_different_domains)
            & ~pl.col("_noname")
            & (name >= s.near_identical)
            & pl.col("_cs")
            & ~pl.col("_ctryd")
            & ~pl.col("_sc")
        )
        .then(pl.lit(RULE_DIFFERENT_DOMAINS))
        .otherwise(None)
    )
    p = p.with_columns(rule=rule).filter(pl.col("rule").is_not_null())
    if drop_ambiguous:
        p = _drop_ambiguous(p)
    return p.with_columns(reason=_reason_expr()).select(
        "i",
        "j",
        "rule",
        "name",
        "reason",
    )


def _lowest_threshold(s: DedupeSettings) -> float:
    lowest = min(s.name_threshold, s.name_threshold_no_city, s.name_threshold_founded)
    return min(lowest, s.near_identical) if s.merge_different_domains else lowest


def _drop_ambiguous(p: pl.DataFrame) -> pl.DataFrame:
    """Drop name-only matches of a domainless row that fit several companies (domains)."""
    by_name = pl.col("rule").is_in([RULE_NAME_CITY, RULE_NAME_NO_CITY])
    sides = pl.concat(
        [
            p.filter(by_name & pl.col("_dom_a").is_null()).select(r="i", d="_dom_b"),
            p.filter(by_name & pl.col("_dom_b").is_null()).select(r="j", d="_dom_a"),
        ]
    )
    counts = sides.filter(pl.col("d").is_not_null()).group_by("r").agg(n=pl.col("d").n_unique())
    ambiguous = counts.filter(pl.col("n") > 1)["r"]
    if ambiguous.len() == 0:
        return p
    hit = by_name & (
        pl.col("i").is_in(ambiguous.implode()) | pl.col("j").is_in(ambiguous.implode())
    )
    return p.filter(~hit)


def _reason_expr() -> pl.Expr:
    n = pl.col("name").cast(pl.String)
    extras = pl.concat_str(
        [
            pl.when(pl.col("_cs")).then(pl.lit(", same city")).otherwise(pl.lit("")),
            pl.when(pl.col("_sa")).then(pl.lit(", same size")).otherwise(pl.lit("")),
            pl.when(pl.col("_fa")).then(pl.lit(", same founding year")).otherwise(pl.lit("")),
        ]
    )
    location = (
        pl.when(pl.col("_cs"))
        .then(pl.lit(", same city"))
        .when(pl.col("_country_a").is_not_null() & (pl.col("_country_a") == pl.col("_country_b")))
        .then(pl.lit(", same country"))
        .otherwise(pl.lit(""))
    )
    founded = pl.when(pl.col("_fa")).then(pl.lit(", same founding year")).otherwise(pl.lit(""))
    r = pl.col("rule")
    return (
        pl.when(r == RULE_SAME_DOMAIN)
        .then(pl.concat_str([pl.lit("same domain, name "), n]))
        .when(r == RULE_DOMAIN_ONLY)
        .then(pl.lit("same domain, no name"))
        .when(r == RULE_RENAME)
        .then(pl.concat_str([pl.lit("same domain, renamed (name "), n, pl.lit(")"), extras]))
        .when(r == RULE_NAME_CITY)
        .then(
            pl.concat_str(
                [pl.lit("name "), n, pl.lit(", same city"), founded, pl.lit(", no domain")]
            )
        )
        .when(r == RULE_NAME_NO_CITY)
        .then(pl.concat_str([pl.lit("name "), n, location, pl.lit(", no domain")]))
        .otherwise(pl.concat_str([pl.lit("name "), n, pl.lit(", same city, different domains")]))
    )


def _empty_scored() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "i": pl.UInt32,
            "j": pl.UInt32,
            "rule": pl.Int32,
            "name": pl.Int64,
            "reason": pl.String,
        }
    )


def match_pairs(m: pl.DataFrame, settings: DedupeSettings) -> pl.DataFrame:
    """Accepted pairs of a prepared frame: ``i, j, rule, name, reason``, strongest first."""
    scored = score_pairs(m, candidate_pairs(m, settings), settings)
    return scored.with_columns(pl.col("rule").cast(pl.Int32)).sort(
        ["rule", "name", "i", "j"], descending=[False, True, False, False]
    )
