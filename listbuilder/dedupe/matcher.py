"""The matcher: blocking into candidate pairs, then the match model on each pair.

Blocking (several passes, each lossless where it can be and never dropping a big
block, only sub-blocking it):

1. the company domain (a name that is itself a web address, ``Hipmunk.com``,
   counts as its domain);
2. the domain's brand label (``acme`` of ``acme.com`` and ``acme.co.uk``);
3. the name key without spaces (``Access Closure`` / ``AccessClosure``);
4. the sorted-token key (``Dynamics Intranet Automated``);
5. within a country: the first four letters, the last four letters, the sorted
   letters (transpositions: ``UBITS`` / ``UIBTS``) and the first two plus last
   two letters of the name key (a letter dropped inside a short name:
   ``Rinsed`` / ``Rined``).

Passes 3–6 pair only rows of which one has no company domain: two rows on different
company domains meet through passes 1–2 (same domain, same brand label) or not at
all (namesakes on their own domains are the commonest false match of all).
6. a sorted neighbourhood over the name key and over the reversed key
   (``Groundix`` / ``roudnix``), for rows without a company domain.

A block larger than ``max_block`` is split by the city, and what is still too large
is compared by a sorted-neighbourhood window: nothing is dropped because it is big.

Each candidate pair is then scored by ``model.py`` (Fellegi–Sunter weights fitted on
the list itself) and accepted at ``match_probability``. A domainless row whose name
fits rows on several company domains (namesakes) matches none of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import polars as pl

from listbuilder.dedupe import model as fs
from listbuilder.dedupe.settings import DedupeSettings
from listbuilder.normalize.domains import PLATFORM_DOMAINS
from listbuilder.normalize.names import name_domain_expr

# A kind of match, surest first (orders the pairs for clustering and for suppression).
RULE_SAME_DOMAIN = 1
RULE_DOMAIN_ONLY = 2
RULE_RENAME = 3
RULE_NAME = 4
RULE_WEAK = 5  # accepted by the lower (suppression) threshold only
# Kept apart by a guard whatever the weights: never in one cluster (a cannot-link pair).
RULE_GUARD = 0
# A guarded pair is kept as a cannot-link pair when the model alone gave it this much.
GUARD_KEEP_PROBABILITY = 0.5


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
    phone = col("phone", pl.String()).str.replace_all(r"\D+", "")
    postcode = col("postal_code", pl.String()).str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")
    industry = col("industry", pl.String()).str.to_lowercase().str.replace_all(r"[^a-z0-9]+", " ")
    out = df.select(
        _key=key,
        _dom=pl.when(dom == "").then(None).otherwise(dom),
        _name_dom=name_domain_expr(col("name", pl.String()).cast(pl.String)),
        _country=col("country", pl.String()).str.to_uppercase(),
        _city=pl.when(city == "").then(None).otherwise(city),
        _emp=col("employees", pl.Int64()).cast(pl.Float64),
        _founded=col("founded_year", pl.Int64()).cast(pl.Int64),
        _phone=pl.when(phone.str.len_chars() >= 7).then(phone.str.slice(-9)),
        _postcode=pl.when(postcode.str.len_chars() >= 3).then(postcode.str.slice(0, 5)),
        _industry=pl.when(industry.str.strip_chars() != "").then(industry.str.strip_chars()),
    ).with_row_index("_i")
    name_dom = pl.col("_name_dom")
    name_dom = pl.when(name_dom.is_in(sorted(PLATFORM_DOMAINS))).then(None).otherwise(name_dom)
    out = out.with_columns(
        _compact=pl.col("_key").str.replace_all(" ", "", literal=True),
        _sorted=pl.col("_key").str.split(" ").list.sort().list.join(" "),
        _dom=pl.coalesce("_dom", name_dom),
    )
    out = _set_aside_borrowed_domains(out).with_columns(
        _brand=pl.col("_dom").str.split(".").list.first()
    )
    out = out.drop("_name_dom")
    if side is not None:
        out = out.with_columns(_side=pl.lit(side, dtype=pl.Int8))
    return out


def _set_aside_borrowed_domains(out: pl.DataFrame) -> pl.DataFrame:
    """A row on a domain that another company holds, whose name shares no word with the
    holder's and is found on another company domain in the list (``NuConomy`` on
    liveperson.com beside ``LivePerson`` rows, and ``NuConomy`` on nuconomy.com): vendors
    list an acquired company on its acquirer's domain. Its domain says nothing about
    which company it is, so the matcher treats it as unknown (the row then meets its
    namesakes by name, and is never its acquirer)."""
    counts = (
        out.filter(pl.col("_dom").is_not_null() & pl.col("_compact").is_not_null())
        .group_by("_dom", "_compact")
        .agg(_rows=pl.len(), _words=pl.col("_key").first().str.split(" "))
    )
    # the domain's holder: its most frequent name (ties: the first in name order)
    holder = (
        counts.sort(["_dom", "_rows", "_compact"], descending=[False, True, False])
        .group_by("_dom", maintain_order=True)
        .agg(_holder=pl.col("_compact").first(), _holder_words=pl.col("_words").first())
    )
    # names that also occur on another company domain (a row without a domain says
    # nothing of where the name belongs: the HP rows on hp.com stay one company)
    places = (
        out.filter(pl.col("_compact").is_not_null() & pl.col("_dom").is_not_null())
        .group_by("_compact")
        .agg(_places=pl.col("_dom").n_unique())
    )
    # ... and sharing no word with the holder's name: another spelling of the holder
    # (Kinuro Platfroms on kinuro.com) is the holder, wherever else that spelling occurs
    flagged = (
        out.select("_i", "_dom", "_compact", _own=pl.col("_key").str.split(" "))
        .join(holder, on="_dom", how="inner")
        .join(places, on="_compact", how="inner")
        .filter(
            (pl.col("_compact") != pl.col("_holder"))
            & (pl.col("_places") > 1)
            & (pl.col("_own").list.set_intersection("_holder_words").list.len() == 0)
        )
        .select("_i")
    )
    if flagged.height == 0:
        return out
    borrowed = pl.col("_i").is_in(flagged["_i"].implode())
    return out.with_columns(_dom=pl.when(borrowed).then(None).otherwise(pl.col("_dom")))


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


# ----------------------------------------------------------------------------- blocking


def _code(expr: pl.Expr) -> pl.Expr:
    """A null-preserving 64-bit hash: blocks and equality tests on integers, not strings."""
    return pl.when(expr.is_not_null()).then(expr.hash(seed=7))


def _pairs_in_blocks(
    b: pl.DataFrame,
    keys: list[str],
    settings: DedupeSettings,
    *,
    open_only: bool,
    left_only: str | None = None,
    max_block: int | None = None,
) -> pl.DataFrame:
    """All pairs within blocks of ``keys[0]``; a block over ``max_block`` is windowed
    (each row with the ``window`` rows after it in name order) and split by the next key
    (``keys[1]``...), whose blocks are paired or windowed the same way. A row of a large
    block is never left out: without the next key, or alone under it, its window pairs
    it still."""
    limit = max_block or settings.max_block
    f = b.filter(pl.col(keys[0]).is_not_null())
    parts = []
    for depth in range(len(keys)):
        block = keys[: depth + 1]
        f = f.with_columns(_n=pl.len().over(block))
        small = f.filter((pl.col("_n") > 1) & (pl.col("_n") <= limit))
        parts.append(_all_pairs(small, block, open_only=open_only, left_only=left_only))
        f = f.filter(pl.col("_n") > limit)
        if f.height == 0:
            break
        parts.append(_window_pairs(f, block, settings.window, open_only=open_only, order="_order"))
        if depth + 1 < len(keys):
            f = f.filter(pl.col(keys[depth + 1]).is_not_null())
    return _undirected(pl.concat(parts)) if parts else _no_pairs()


def _anagram_codes(compact: pl.Series) -> pl.Series:
    """A code of each short name's sorted letters (``ubits`` and ``uibts`` share one),
    computed once per distinct name. Only names of up to eight letters: in a longer one a
    single transposition leaves its first four or its last four letters intact (passes
    ``_pre``/``_suf``), and splitting a million names into letters costs seconds."""
    names = compact.drop_nulls().unique()
    names = names.filter(names.str.len_chars() <= 8)
    codes = pl.select(
        names.str.split("").list.sort().list.join("").hash(seed=7).alias("_ana")
    ).to_series()
    mapping = pl.DataFrame({"_compact": names, "_ana": codes})
    joined = compact.to_frame("_compact").join(
        mapping, on="_compact", how="left", maintain_order="left"
    )
    return joined["_ana"]


def _undirected(pairs: pl.DataFrame) -> pl.DataFrame:
    """Each pair once, as (smaller, larger) UInt32 indexes: passes are cut down as they
    come, so that the pairs of all passes together never sit in memory twice over."""
    return (
        pairs.select(
            i=pl.min_horizontal("i", "j").cast(pl.UInt32),
            j=pl.max_horizontal("i", "j").cast(pl.UInt32),
        )
        .filter(pl.col("i") != pl.col("j"))
        .unique()
    )


def _all_pairs(
    small: pl.DataFrame, block: list[str], *, open_only: bool, left_only: str | None
) -> pl.DataFrame:
    left = small
    if open_only:
        left = left.filter(pl.col("_open"))
    if left_only:
        left = left.filter(pl.col(left_only))
    pairs = (
        left.select(*block, i="_i")
        .join(small.select(*block, j="_i"), on=block)
        .filter(pl.col("i") != pl.col("j"))
        .select("i", "j")
    )
    if open_only and left_only:
        # the flagged row may be the one on a company domain, its partner open
        right = small.filter(pl.col(left_only) & ~pl.col("_open")).select(*block, i="_i")
        more = right.join(small.filter("_open").select(*block, j="_i"), on=block)
        pairs = pl.concat([pairs, more.filter(pl.col("i") != pl.col("j")).select("i", "j")])
    return pairs


def _window_pairs(
    frame: pl.DataFrame, block: list[str], window: int, *, open_only: bool, order: str
) -> pl.DataFrame:
    """Pairs of rows within ``window`` of each other in ``order``, inside one block."""
    s = frame.sort([*block, order])
    same = pl.lit(True)
    parts = []
    for k in range(1, window + 1):
        same = pl.all_horizontal(pl.col(c) == pl.col(c).shift(-k) for c in block)
        keep = same
        if open_only:
            keep = keep & (pl.col("_open") | pl.col("_open").shift(-k))
        parts.append(
            s.select(i=pl.col("_i"), j=pl.col("_i").shift(-k), keep=keep.fill_null(False))
            .filter("keep")
            .select("i", "j")
        )
    return pl.concat(parts)


def _no_pairs() -> pl.DataFrame:
    return pl.DataFrame(schema={"i": pl.UInt32, "j": pl.UInt32})


@dataclass(frozen=True)
class BlockingPass:
    """One blocking pass: all pairs within blocks of ``keys[0]``, a block over
    ``max_block`` split by the next key (then windowed). ``open_only``: one of the two
    rows has no company domain; ``left_only``: that row is also flagged so."""

    keys: tuple[str, ...]
    open_only: bool
    max_block: int | None = None
    left_only: str | None = None


# Sorted neighbourhoods over the rows with a name (for rows without a company domain):
# the window order of each, as (column of ``blocking_keys``, then ``_founded``, ``_i``).
NEIGHBOURHOOD_ORDERS = ("_o1", "_o2")


def blocking_passes(settings: DedupeSettings, *, anywhere: bool = False) -> list[BlockingPass]:
    """The blocking passes over ``blocking_keys`` (every engine reads this list)."""
    # a brand label on more company domains than this in one city is a common word
    brand_block = max(2, settings.max_block // 4)
    passes = [
        BlockingPass(("_dom", "_city"), open_only=False),
        BlockingPass(("_brand", "_country", "_city"), open_only=False, max_block=brand_block),
        BlockingPass(("_name", "_country", "_city"), open_only=True),
        BlockingPass(("_sorted", "_country", "_city"), open_only=True),
    ]
    for key in ("_pre", "_suf", "_ana", "_ends"):
        passes.append(BlockingPass(("_country", key, "_city"), open_only=True))
        if anywhere:
            passes.append(BlockingPass((key,), open_only=True, left_only="_anywhere"))
    return passes


def blocking_keys(m: pl.DataFrame, *, anywhere: pl.Expr | None = None) -> pl.DataFrame:
    """One row per row of ``m``: its blocking keys as 64-bit codes, ``_open`` (no company
    domain), ``_anywhere``, and the texts the sorted neighbourhoods order by (``_o1`` the
    name key, ``_o2`` the reversed key; then ``_founded``, ``_i``). Row-local: an engine
    may compute it on any slice of ``m`` and get the same codes."""
    compact = pl.col("_compact")
    country = pl.col("_country").fill_null("?")
    return m.select(
        "_i",
        _dom=_code(pl.col("_dom")),
        _brand=_code(pl.col("_brand")),
        _name=_code(compact),
        _sorted=_code(pl.col("_sorted")),
        _country=_code(country),
        _city=_code(pl.col("_city")),
        _pre=_code(compact.str.slice(0, 4)),
        _suf=_code(compact.str.slice(-4)),
        _ana=_anagram_codes(m["_compact"]),
        _ends=_code(pl.concat_str([compact.str.slice(0, 2), compact.str.slice(-2)])),
        _open=pl.col("_dom").is_null(),
        _anywhere=(anywhere if anywhere is not None else pl.lit(False)).fill_null(False),
        _o1=compact,
        _o2=compact.str.reverse(),
        _founded="_founded",
    )


def candidate_pairs(
    m: pl.DataFrame,
    settings: DedupeSettings,
    *,
    anywhere: pl.Expr | None = None,
) -> pl.DataFrame:
    """Blocked candidate pairs ``(i, j)`` with ``i < j``, unique, sorted.

    ``anywhere``: rows it selects are also blocked on the first four and the last four
    letters of the name key whatever the country (suppression: a CRM record without
    a country meets its account anywhere).
    """
    b = blocking_keys(m, anywhere=anywhere).with_columns(
        # window order inside a block: name, then founding year, then row order
        _order=pl.struct("_o1", "_founded", "_i").rank("ordinal"),
        _rorder=pl.struct("_o2", "_founded", "_i").rank("ordinal"),
    )
    parts = [
        _pairs_in_blocks(
            b,
            list(bp.keys),
            settings,
            open_only=bp.open_only,
            left_only=bp.left_only,
            max_block=bp.max_block,
        )
        for bp in blocking_passes(settings, anywhere=anywhere is not None)
    ]
    named = b.filter(pl.col("_name").is_not_null()).with_columns(_all=pl.lit(1))
    for order in ("_order", "_rorder"):
        parts.append(
            _undirected(
                _window_pairs(named, ["_all"], settings.window, open_only=True, order=order)
            )
        )
    pairs = pl.concat(parts)
    if "_side" in m.columns:
        side = m.select(pl.col("_i").cast(pl.UInt32), "_side")
        pairs = (
            pairs.join(side.rename({"_i": "i", "_side": "_si"}), on="i")
            .join(side.rename({"_i": "j", "_side": "_sj"}), on="j")
            .filter(pl.col("_si") != pl.col("_sj"))
            .select("i", "j")
        )
    return pairs.filter(pl.col("i") != pl.col("j")).unique().sort("i", "j")


# ----------------------------------------------------------------------------- scoring


def compare(m: pl.DataFrame, pairs: pl.DataFrame, settings: DedupeSettings) -> pl.DataFrame:
    """The comparison levels of ``pairs`` (see ``model.compare_pairs``)."""
    return fs.compare_pairs(
        m, pairs, size_ratio=settings.size_ratio, founded_tolerance=settings.founded_tolerance
    )


def fit(
    m: pl.DataFrame,
    levels: pl.DataFrame | None,
    settings: DedupeSettings,
    *,
    patterns: tuple[np.ndarray, np.ndarray] | None = None,
) -> fs.MatchModel:
    """The match model for this list, fitted on its candidate pairs' levels (or their
    distinct level ``patterns``, counted by an engine), or the priors."""
    return fs.fit_model(
        m,
        levels,
        size_ratio=settings.size_ratio,
        founded_tolerance=settings.founded_tolerance,
        em=settings.estimate,
        patterns=patterns,
    )


# Linking (a CRM record, a deal) to a list's accounts: about half of such records are
# taken to be in the list, each as one of its accounts.
LINK_OVERLAP = 0.5
LINK_PRIOR_LOW, LINK_PRIOR_HIGH = -12.0, -8.0


def link_model(
    m: pl.DataFrame, levels: pl.DataFrame, settings: DedupeSettings, *, accounts: int
) -> fs.MatchModel:
    """The model for linking records to a list of ``accounts`` rows: fitted as for dedupe,
    with the prior of "this record is this account" instead of "two random rows are one
    company", log2(LINK_OVERLAP / accounts), bounded to [LINK_PRIOR_LOW, LINK_PRIOR_HIGH]:
    a tiny list is no reason to trust a typo, and in a big one the ambiguity rule, not the
    prior, settles a record whose name several accounts share. (Unbounded at 40,000
    accounts, −16.1, the fixture CRM measured recall 0.9310 against 0.9316 bounded.)"""
    model = fit(m, levels, settings)
    prior = math.log2(LINK_OVERLAP / max(accounts, 1))
    model.prior_weight = min(max(prior, LINK_PRIOR_LOW), LINK_PRIOR_HIGH)
    return model


# A record's list company is the one it most probably is, from this probability on.
LINK_PROBABILITY = 0.5


def link_to_list(
    records: pl.DataFrame,
    listed: pl.DataFrame,
    settings: DedupeSettings,
    *,
    accounts: int | None = None,
) -> pl.DataFrame:
    """Each record's most probable row of ``listed`` (deals, seeds): ``_r`` (record
    position), ``_c`` (``records.height`` + position in ``listed``), ``_rule`` (0: same
    company domain) and ``_p``. Same domain first, then the link model at
    ``LINK_PROBABILITY``, never a namesake abroad. ``accounts``: the size of the whole
    list when ``listed`` is a slice of it (the linking prior)."""
    m0, m1 = prepare_sides(records, listed)
    found = [
        domain_pairs(m0, m1).select(
            _r="r", _c="c", _rule=pl.lit(0, dtype=pl.Int32), _p=pl.lit(1.0, pl.Float64)
        )
    ]
    m = pl.concat([m0, m1])
    pairs = candidate_pairs(m, settings)
    levels = compare(m, pairs, settings)
    size = listed.height if accounts is None else accounts
    model = link_model(m, levels, settings, accounts=size)
    scored = score_pairs(m, pairs, settings, model=model, levels=levels, threshold=LINK_PROBABILITY)
    scored = scored.filter(pl.col("lv_country") != 1)  # never a namesake abroad
    found.append(
        scored.select(
            _r=pl.min_horizontal("i", "j"),
            _c=pl.max_horizontal("i", "j"),
            _rule=pl.col("rule").cast(pl.Int32),
            _p=pl.col("p"),
        )
    )
    return (
        pl.concat(found)
        .with_columns(pl.col("_r").cast(pl.UInt32), pl.col("_c").cast(pl.UInt32))
        .sort(["_r", "_rule", "_p", "_c"], descending=[False, False, True, False])
        .group_by("_r", maintain_order=True)
        .first()
    )


def score_pairs(
    m: pl.DataFrame,
    pairs: pl.DataFrame,
    settings: DedupeSettings,
    *,
    model: fs.MatchModel | None = None,
    threshold: float | None = None,
    drop_ambiguous: bool = True,
    keep_all: bool = False,
    keep_guarded: bool = False,
    levels: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Score candidate pairs; keep those at ``threshold`` (default ``match_probability``).

    Returns ``i, j, p, weight, rule, name, reason`` (``name``: the Indel name ratio,
    0–100; ``reason``: the explanation line). ``keep_all``: every pair, accepted or not.
    ``keep_guarded``: also the pairs a guard keeps apart (``rule`` RULE_GUARD, p 0),
    which clustering must never join. ``drop_ambiguous``: a domainless row whose name
    fits rows on several company domains (namesakes) matches none of them.
    """
    threshold = settings.match_probability if threshold is None else threshold
    if pairs.height == 0:
        return _empty_scored()
    if levels is None:
        levels = compare(m, pairs, settings)
    if model is None:
        model = fit(m, levels, settings)
    scored = score_candidates(levels, model, settings, threshold=None if keep_all else threshold)
    finished = finish_scored(scored, m, model, drop_ambiguous=drop_ambiguous)
    if keep_all or keep_guarded:
        return finished
    return finished.filter(pl.col("rule") != RULE_GUARD)


def score_candidates(
    levels: pl.DataFrame,
    model: fs.MatchModel,
    settings: DedupeSettings,
    *,
    threshold: float | None,
) -> pl.DataFrame:
    """The model and the guards applied to compared pairs, kept at ``threshold`` (None:
    every pair) together with the guarded pairs (``rule`` RULE_GUARD, p 0: the pairs
    clustering must keep apart). Row-local: an engine may run it on any slice."""
    scored = fs.score_levels(model, levels)
    acquired = acquisition_guard(settings)
    guard = acquired | brand_guard()
    scored = scored.with_columns(
        _guard=guard,
        _guard_label=pl.when(acquired)
        .then(
            pl.lit(" → kept apart: acquisition guard (same domain, no shared word, founded apart)")
        )
        .otherwise(pl.lit(" → kept apart: one brand on two domains, founded apart")),
        # the guard overrode a pair more likely than not the same: keep it, as a pair
        # clustering must not join (those the model rejects anyway need no keeping)
        _overridden=guard & (pl.col("p") >= GUARD_KEEP_PROBABILITY),
        p=pl.when(guard).then(0.0).otherwise(pl.col("p")),
    ).with_columns(rule=pl.when(guard).then(pl.lit(RULE_GUARD)).otherwise(_rule_expr(settings)))
    if threshold is not None:
        scored = scored.filter((pl.col("p") >= threshold) | pl.col("_overridden"))
    return scored.drop("_overridden")


def finish_scored(
    scored: pl.DataFrame, m: pl.DataFrame, model: fs.MatchModel, *, drop_ambiguous: bool
) -> pl.DataFrame:
    """``score_candidates``' pairs as ``score_pairs`` returns them: namesakes dropped
    (``drop_ambiguous``), the name ratio and the waterfall."""
    if drop_ambiguous:
        scored = _drop_ambiguous(scored, m)
    waterfall = fs.explain_expr(model)
    guarded = pl.concat_str([waterfall.str.replace(r" → p .*$", ""), pl.col("_guard_label")])
    return scored.with_columns(
        name=pl.col("ratio").round(0).cast(pl.Int64),
        reason=pl.when(pl.col("_guard")).then(guarded).otherwise(waterfall),
    ).select("i", "j", "p", "weight", pl.col("rule").cast(pl.Int32), "name", "reason",
             *fs.LEVEL_COLUMNS)  # fmt: skip


def brand_guard() -> pl.Expr:
    """The same brand on two domains (acme.com, acme.fr) with founding years apart: two
    companies of one name in two countries' registries, not one company's two sites."""
    return (pl.col("lv_domain") == 1) & (pl.col("lv_founded") == 2)


def acquisition_guard(settings: DedupeSettings) -> pl.Expr:
    """Same domain, names sharing no word, founding years apart (or renames turned off):
    an acquired company listed on its acquirer's domain is not the acquirer."""
    different_names = (pl.col("lv_name") >= 4) & pl.col("_disjoint")
    apart = pl.col("lv_founded") == 2
    if not settings.merge_renames:
        apart = pl.lit(True)
    return pl.col("lv_domain").is_in([0, 1]) & different_names & apart


def _rule_expr(settings: DedupeSettings) -> pl.Expr:
    return (
        pl.when(pl.col("lv_domain") == 0)
        .then(
            pl.when(pl.col("lv_name") == fs.UNKNOWN)
            .then(pl.lit(RULE_DOMAIN_ONLY))
            .when(pl.col("lv_name") <= 3)
            .then(pl.lit(RULE_SAME_DOMAIN))
            .otherwise(pl.lit(RULE_RENAME))
        )
        .when(pl.col("p") >= settings.match_probability)
        .then(pl.lit(RULE_NAME))
        .otherwise(pl.lit(RULE_WEAK))
    )


def _drop_ambiguous(p: pl.DataFrame, m: pl.DataFrame) -> pl.DataFrame:
    """Drop name-only matches of a domainless row that fit several companies (domains)."""
    # a company's two suffixes (acmedata.com, acmedata.io) are one company: count brands
    doms = m.select(pl.col("_i").cast(pl.UInt32), "_dom", "_brand")
    p = p.join(
        doms.rename({"_i": "i", "_dom": "_dom_a", "_brand": "_brand_a"}), on="i", how="left"
    ).join(doms.rename({"_i": "j", "_dom": "_dom_b", "_brand": "_brand_b"}), on="j", how="left")
    by_name = pl.col("lv_domain") == fs.UNKNOWN
    sides = pl.concat(
        [
            p.filter(by_name & pl.col("_dom_a").is_null()).select(r="i", d="_brand_b"),
            p.filter(by_name & pl.col("_dom_b").is_null()).select(r="j", d="_brand_a"),
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


def _empty_scored() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "i": pl.UInt32,
            "j": pl.UInt32,
            "p": pl.Float64,
            "weight": pl.Float64,
            "rule": pl.Int32,
            "name": pl.Int64,
            "reason": pl.String,
            **dict.fromkeys(fs.LEVEL_COLUMNS, pl.Int8),
        }
    )


class MatchEngine(Protocol):
    """Where ``dedupe_companies`` finds, compares and clusters pairs: ``match_pairs`` and
    ``connected_components`` with the answers of this module's own (polars) ones."""

    def match_pairs(
        self, m: pl.DataFrame, settings: DedupeSettings
    ) -> tuple[pl.DataFrame, fs.MatchModel, int]: ...

    def connected_components(self, pairs: pl.DataFrame) -> pl.DataFrame: ...


def match_pairs(
    m: pl.DataFrame, settings: DedupeSettings
) -> tuple[pl.DataFrame, fs.MatchModel, int]:
    """Accepted pairs of a prepared frame (``i, j, p, weight, rule, name, reason``),
    strongest first, with the guarded pairs (``rule`` RULE_GUARD) that clustering must
    keep apart; the model fitted on the list and the number of candidate pairs."""
    pairs = candidate_pairs(m, settings)
    levels = compare(m, pairs, settings)
    model = fit(m, levels, settings)
    scored = score_pairs(m, pairs, settings, model=model, levels=levels, keep_guarded=True)
    ordered = scored.sort(["weight", "i", "j"], descending=[True, False, False])
    return ordered, model, pairs.height
