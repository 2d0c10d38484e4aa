"""Connected components over accepted pairs, with a guard against chaining.

Components come from min-label propagation over the accepted pairs (polars
joins). A component that would hold two different company domains is rebuilt
by a union-find over its own pairs only, strongest pair first, where two
components join only if that keeps every pair of different company domains
inside one cluster on near-identical names: ``a.com "Acme"`` – ``(no domain)
"Acme"`` – ``b.com "Acme Labs"`` does not collapse into one company (the same brand
on another suffix, ``acme.com`` and ``acme.co.uk``, is one company's two domains).
Pairs a guard keeps apart (an acquirer and what it bought) are cannot-link
constraints: the union-find never joins their two rows, whatever else links them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import polars as pl
from rapidfuzz import fuzz

if TYPE_CHECKING:
    from listbuilder.dedupe.model import MatchModel
    from listbuilder.dedupe.settings import DedupeSettings


def connected_components(pairs: pl.DataFrame) -> pl.DataFrame:
    """``_i, _comp`` (smallest member index) for every row in ``pairs``: min-label
    propagation with polars joins, plus pointer jumping so it converges in a few rounds."""
    edges = pl.concat([pairs.select(a="i", b="j"), pairs.select(a="j", b="i")])
    labels = edges.group_by("a").agg(
        _comp=pl.min_horizontal(pl.col("b").min(), pl.col("a").first())
    )
    labels = labels.rename({"a": "_i"})
    while True:
        hop = (
            edges.join(labels.rename({"_i": "b", "_comp": "_lb"}), on="b")
            .group_by("a")
            .agg(_lb=pl.col("_lb").min())
            .rename({"a": "_i"})
        )
        new = labels.join(hop, on="_i").select("_i", _comp=pl.min_horizontal("_comp", "_lb"))
        # pointer jumping: a row takes its label's label
        new = new.join(new.rename({"_i": "_comp", "_comp": "_up"}), on="_comp", how="left")
        new = new.select(
            "_i", _comp=pl.min_horizontal("_comp", pl.col("_up").fill_null(pl.col("_comp")))
        )
        changed = new.join(labels, on="_i", suffix="_old").filter(
            pl.col("_comp") != pl.col("_comp_old")
        )
        labels = new
        if changed.height == 0:
            return labels.sort("_i")


def cluster_pairs(
    pairs: pl.DataFrame,
    m: pl.DataFrame,
    *,
    near_identical: float | None,
    components: Callable[[pl.DataFrame], pl.DataFrame] = connected_components,
    cannot: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cluster accepted pairs (strongest first) of prepared frame ``m``.

    Components come from ``connected_components``; only a component that would hold
    two different company domains is re-clustered pair by pair with the guard
    (``near_identical`` None: never two different company domains in one cluster).
    Returns ``labels`` (``_i``, ``_comp``: smallest member index of the cluster)
    for rows in some cluster, and the ``edges`` (``i, j, reason``) that joined them.
    ``components``: ``connected_components`` or an engine's (the same labels).
    ``cannot``: pairs (``i, j``) a guard keeps apart; a component holding both rows of
    one is re-clustered the same way, refusing any union that would join them (a third
    row with no founding year must not chain an acquirer to what it bought).
    """
    if pairs.height == 0:
        return (
            pl.DataFrame(schema={"_i": pl.UInt32, "_comp": pl.UInt32}),
            pl.DataFrame(schema={"i": pl.UInt32, "j": pl.UInt32, "reason": pl.String}),
        )
    labels = components(pairs).with_columns(pl.col("_i", "_comp").cast(pl.UInt32))
    doms = labels.join(m.select("_i", "_dom"), on="_i", how="left")
    conflicted = (
        doms.group_by("_comp").agg(n=pl.col("_dom").drop_nulls().n_unique()).filter(pl.col("n") > 1)
    ).select("_comp")
    apart: list[tuple[int, int]] = []
    if cannot is not None and cannot.height:
        within = (
            cannot.join(labels.rename({"_i": "i", "_comp": "_ci"}), on="i")
            .join(labels.rename({"_i": "j", "_comp": "_cj"}), on="j")
            .filter(pl.col("_ci") == pl.col("_cj"))
        )
        apart = list(zip(within["i"].to_list(), within["j"].to_list(), strict=True))
        conflicted = pl.concat([conflicted, within.select(_comp="_ci")]).unique()
    if conflicted.height == 0:
        return labels, pairs.select("i", "j", "reason")
    bad = labels.join(conflicted, on="_comp", how="semi")
    bad_pairs = pairs.join(bad.select(i="_i"), on="i", how="semi", maintain_order="left")
    fixed, fixed_edges = _guarded_union_find(bad_pairs, m, near_identical, apart)
    labels = pl.concat([labels.join(bad, on="_i", how="anti"), fixed]).sort("_i")
    edges = pl.concat(
        [pairs.join(bad.select(i="_i"), on="i", how="anti").select("i", "j", "reason"), fixed_edges]
    )
    return labels, edges


def _guarded_union_find(
    pairs: pl.DataFrame,
    m: pl.DataFrame,
    near_identical: float | None,
    apart: list[tuple[int, int]] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Union-find over ``pairs`` (strongest first) refusing merges that break the domain
    guard or join the two rows of an ``apart`` pair."""
    involved = (
        pl.concat([pairs.select(_i=pl.col("i")), pairs.select(_i=pl.col("j"))])
        .unique()
        .join(m.select("_i", "_dom", "_compact"), on="_i", how="left")
    )
    members = involved["_i"].to_list()
    union = _GuardedUnion(
        dict(zip(members, involved["_dom"].to_list(), strict=True)),
        dict(zip(members, involved["_compact"].to_list(), strict=True)),
        near_identical,
        apart or (),
    )
    pairs_ij = zip(pairs["i"].to_list(), pairs["j"].to_list(), strict=True)
    kept = [k for k, (i, j) in enumerate(pairs_ij) if union.join(i, j)]
    labels = pl.DataFrame(
        {"_i": members, "_comp": [union.find(x) for x in members]},
        schema={"_i": pl.UInt32, "_comp": pl.UInt32},
    )
    # the component label is its smallest member index, whatever the union order
    labels = labels.with_columns(pl.col("_i").min().over("_comp").alias("_comp"))
    edges = pairs[kept].select("i", "j", "reason")
    return labels, edges


class _GuardedUnion:
    """A union-find over row indexes whose ``join`` refuses a union that would put two
    different company domains together on names that are not near-identical, or the
    two rows of a cannot-link pair in one component."""

    def __init__(
        self,
        dom_of: dict[int, str | None],
        name_of: dict[int, str | None],
        near_identical: float | None,
        apart: Iterable[tuple[int, int]],
    ) -> None:
        self.dom_of, self.name_of, self.near_identical = dom_of, name_of, near_identical
        self.cannot: dict[int, set[int]] = {}
        for a, b in apart:
            self.cannot.setdefault(a, set()).add(b)
            self.cannot.setdefault(b, set()).add(a)
        self.parent: dict[int, int] = {}
        # root -> {domain: name of its first row}; only for components holding a domain
        self.domains: dict[int, dict[str, str]] = {}
        # root -> its rows; kept only when there are cannot-link pairs to check
        self.members_of: dict[int, set[int]] = {}

    def find(self, x: int) -> int:
        """The root of ``x``'s component (compressing the path to it)."""
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    def _own_domain(self, x: int) -> dict[str, str]:
        dom = self.dom_of[x]
        return {dom: self.name_of[x] or ""} if dom else {}

    def join(self, i: int, j: int) -> bool:
        """Join the components of ``i`` and ``j``; False if they were one or the guard
        refuses. The smaller root stays the root."""
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return False
        di = self.domains.get(ri) or self._own_domain(i)
        dj = self.domains.get(rj) or self._own_domain(j)
        if di and dj and not _compatible(di, dj, self.near_identical):
            return False
        root, child = (ri, rj) if ri < rj else (rj, ri)
        if self.cannot:
            mi = self.members_of.get(ri, {ri})
            mj = self.members_of.get(rj, {rj})
            small, other = (mi, mj) if len(mi) <= len(mj) else (mj, mi)
            if any(self.cannot.get(x, set()) & other for x in small):
                return False
            self.members_of.pop(child, None)
            self.members_of[root] = mi | mj
        self.parent[child] = root
        merged = {**dj, **di} if root == ri else {**di, **dj}
        self.domains.pop(child, None)
        if merged:
            self.domains[root] = merged
        return True


def _compatible(a: dict[str, str], b: dict[str, str], near_identical: float | None) -> bool:
    """True if every pair of different domains across ``a`` and ``b`` is the same brand on
    another suffix (acme.com, acme.co.uk) or has near-identical names."""
    for dom_a, name_a in a.items():
        for dom_b, name_b in b.items():
            if dom_a == dom_b or dom_a.split(".")[0] == dom_b.split(".")[0]:
                continue
            if near_identical is None or fuzz.ratio(name_a, name_b) < near_identical:
                return False
    return True


# A member of a cluster of three or more whose own match probability with the
# cluster's centre (its best-connected member) is under this was chained in:
# it leaves the cluster (with the members chained through it).
LOOSE_PROBABILITY = 0.5


def split_loose_clusters(
    labels: pl.DataFrame,
    edges: pl.DataFrame,
    m: pl.DataFrame,
    model: MatchModel,
    settings: DedupeSettings,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The anti-chaining guard in the model's terms: in clusters of 3+ rows, every member
    must itself match the centre at ``LOOSE_PROBABILITY``; members that do not are split
    off (and re-clustered among themselves by their own accepted pairs)."""
    from listbuilder.dedupe.matcher import score_pairs

    if labels.height == 0:
        return labels, edges
    sized = labels.with_columns(_n=pl.len().over("_comp")).filter(pl.col("_n") >= 3)
    if sized.height == 0:
        return labels, edges
    degree = pl.concat([edges.select(_i="i"), edges.select(_i="j")]).group_by("_i").len()
    centre = (
        sized.join(degree, on="_i", how="left")
        .sort(["_comp", "len", "_i"], descending=[False, True, False], nulls_last=True)
        .group_by("_comp", maintain_order=True)
        .agg(_centre=pl.col("_i").first())
    )
    probe = (
        sized.join(centre, on="_comp")
        .filter(pl.col("_i") != pl.col("_centre"))
        .select(
            i=pl.min_horizontal("_i", "_centre").cast(pl.UInt32),
            j=pl.max_horizontal("_i", "_centre").cast(pl.UInt32),
            _member=pl.col("_i"),
        )
    )
    scored = score_pairs(
        m, probe.select("i", "j"), settings, model=model, drop_ambiguous=False, keep_all=True
    )
    loose = (
        probe.join(scored.select("i", "j", "p"), on=["i", "j"], how="left")
        .filter(pl.col("p").fill_null(0.0) < LOOSE_PROBABILITY)
        .select(_i=pl.col("_member").cast(pl.UInt32))
    )
    if loose.height == 0:
        return labels, edges
    ids = loose["_i"].implode()
    touching = pl.col("i").is_in(ids) | pl.col("j").is_in(ids)
    both = pl.col("i").is_in(ids) & pl.col("j").is_in(ids)
    among = edges.filter(both)
    kept_edges = edges.filter(~touching)
    # What is left of each cluster, and what the split-off members form among themselves,
    # is re-joined by the accepted pairs that remain: a member that only reached the
    # cluster through a split-off one leaves it too.
    remaining = pl.concat([kept_edges, among])
    if remaining.height == 0:
        return pl.DataFrame(schema={"_i": pl.UInt32, "_comp": pl.UInt32}), remaining
    relabelled = connected_components(remaining).with_columns(pl.col("_i", "_comp").cast(pl.UInt32))
    return relabelled.sort("_i"), remaining
