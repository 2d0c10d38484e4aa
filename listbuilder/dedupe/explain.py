"""Why two rows are (or are not) one company: the model's waterfall for any pair.

``explain_pair(df, a, b)`` fits the match model on the whole list, exactly as
``dedupe_companies`` does, and returns each comparison's level and weight, the
prior, the match probability, the threshold and what dedupe decided (merged into
one cluster, or not). Rows are named as in ``clusters.csv`` and ``source_rows``:
``file:line``, or a bare line number when the list is one file.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from listbuilder.dedupe import model as fs
from listbuilder.dedupe.matcher import (
    acquisition_guard,
    brand_guard,
    compare,
    prepare_match_frame,
    score_pairs,
)
from listbuilder.dedupe.merge import dedupe_companies
from listbuilder.dedupe.settings import DedupeSettings
from listbuilder.errors import InputError


@dataclass
class PairExplanation:
    """One pair's comparison, weight by weight, and dedupe's decision."""

    a: str  # file:line
    b: str
    name_a: str | None
    name_b: str | None
    reason: str  # the one-line waterfall: `domain same +6.1 · ... → p 0.998`
    p: float
    threshold: float
    prior: float
    same_cluster: bool
    cluster_a: str
    cluster_b: str
    guard: bool  # a guard (acquisition, founded apart on another domain) kept them apart
    apart: str | None = None  # why a pair at the threshold still is not one company

    def lines(self) -> list[str]:
        verdict = (
            f"merged (cluster {self.cluster_a})"
            if self.same_cluster
            else f"not merged ({self.cluster_a} and {self.cluster_b})"
        )
        if self.apart and not self.same_cluster:
            verdict += f": {self.apart}"
        return [
            f"{self.a} {self.name_a or '(no name)'!s}  vs  {self.b} {self.name_b or '(no name)'!s}",
            f"prior {self.prior:+.1f} · {self.reason}",
            f"threshold p {self.threshold} → {verdict}",
        ]


def find_row(df: pl.DataFrame, ref: str) -> int:
    """The position of ``ref`` (``file:line`` or a bare line when there is one file)."""
    source, sep, line = ref.rpartition(":")
    if not line.strip().isdigit():
        raise InputError(
            f"--explain-pair {ref!r}: expected a row as in clusters.csv, e.g. companies.csv:12"
        )
    number = int(line)
    hit = df.with_row_index("_pos").filter(pl.col("line") == number)
    if sep:
        exact = hit.filter(pl.col("source") == source)
        if exact.height == 0:  # the file named without its folder
            exact = hit.filter(pl.col("source").str.ends_with("/" + source))
        hit = exact
    elif hit["source"].n_unique() > 1:
        files = ", ".join(sorted(hit["source"].unique().to_list()))
        raise InputError(
            f"--explain-pair {ref!r}: line {number} is in several files ({files}); "
            f"name one, e.g. {hit['source'][0]}:{number}"
        )
    if hit.height == 0:
        raise InputError(
            f"--explain-pair {ref!r}: no such row among the usable rows "
            "(a row without a name or domain is rejected before dedupe; see rejects.csv)"
        )
    return int(hit["_pos"][0])


def explain_pair(
    df: pl.DataFrame, a: str, b: str, *, settings: DedupeSettings | None = None
) -> PairExplanation:
    """Explain rows ``a`` and ``b`` of a normalized list, merged or not."""
    settings = settings or DedupeSettings()
    i, j = find_row(df, a), find_row(df, b)
    if i == j:
        raise InputError(f"--explain-pair: {a} and {b} are the same row")
    deduped = dedupe_companies(df, settings=settings)
    model = deduped.model or fs.prior_model(df.height)
    m = prepare_match_frame(df)
    pair = pl.DataFrame(
        {"i": [min(i, j)], "j": [max(i, j)]}, schema={"i": pl.UInt32, "j": pl.UInt32}
    )
    levels = compare(m, pair, settings)
    scored = score_pairs(
        m, pair, settings, model=model, levels=levels, keep_all=True, drop_ambiguous=False
    )
    guard = bool(levels.select(acquisition_guard(settings) | brand_guard()).item())
    ref = pl.concat_str([pl.col("source"), pl.lit(":"), pl.col("line").cast(pl.String)])
    members = deduped.companies.select(
        "cluster_id", _m=pl.col("source_rows").str.split("; ")
    ).explode("_m")
    refs = df.select(_m=ref)
    cluster_of = dict(zip(members["_m"].to_list(), members["cluster_id"].to_list(), strict=True))
    ref_a, ref_b = refs["_m"][i], refs["_m"][j]
    lo, hi = min(i, j), max(i, j)
    accepted = deduped.pairs.filter((pl.col("i") == lo) & (pl.col("j") == hi)).height > 0
    p = float(scored["p"][0])
    apart = None
    if guard:
        apart = "a guard keeps them apart"
    elif p < settings.match_probability:
        apart = "the match probability is under the threshold"
    elif not accepted:
        apart = (
            "the row without a domain fits companies on several domains (namesakes), "
            "so it joins none of them"
        )
    else:
        apart = (
            "clustering kept their clusters apart (different companies' domains, a pair a "
            "guard separates, or a member that does not match its cluster's centre)"
        )
    names = df["name"].cast(pl.String) if "name" in df.columns else pl.Series([None] * df.height)
    return PairExplanation(
        a=ref_a,
        b=ref_b,
        name_a=names[i],
        name_b=names[j],
        reason=scored["reason"][0],
        p=p,
        threshold=settings.match_probability,
        prior=model.prior_weight,
        same_cluster=cluster_of.get(ref_a) == cluster_of.get(ref_b),
        cluster_a=cluster_of.get(ref_a, "?"),
        cluster_b=cluster_of.get(ref_b, "?"),
        guard=guard,
        apart=apart,
    )
