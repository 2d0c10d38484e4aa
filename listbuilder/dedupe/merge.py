"""dedupe_companies: match, cluster, merge each cluster into one account with lineage.

Survivorship: members are ranked by source priority (the order given, unlisted
sources last), then completeness (non-empty canonical fields), then recency
(latest ``last_funding_date``), then line order (``row_id``). Each field takes
the value of the best-ranked member that has one; the name and its key travel
together, as do the employee count and its band (employees_min/max), and the
website and its domain (a company domain beats a platform
page); list fields (technologies, departments) are the union. The survivor
row (best-ranked member) gives ``row_id``, ``source`` and ``line``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from listbuilder.dedupe.cluster import cluster_pairs, connected_components, split_loose_clusters
from listbuilder.dedupe.matcher import RULE_GUARD, MatchEngine, match_pairs, prepare_match_frame
from listbuilder.dedupe.model import MatchModel
from listbuilder.dedupe.settings import DedupeSettings
from listbuilder.schema import COMPANY_FIELDS, REJECT_SCHEMA

STAGE = "dedupe"

CLUSTERS_SCHEMA: dict[str, pl.DataType] = {
    "cluster_id": pl.String(),
    "role": pl.String(),  # "survivor" or "duplicate"
    "source": pl.String(),
    "line": pl.Int64(),
    "row_id": pl.Int64(),
    "name": pl.String(),
    "domain": pl.String(),
    "reason": pl.String(),  # "a.csv:12 (same domain, name 96); ..."
}


@dataclass
class Deduped:
    """One row per company (``.companies``), absorbed rows (``.rejects``), ``.clusters``."""

    companies: pl.DataFrame
    rejects: pl.DataFrame
    clusters: pl.DataFrame
    pairs: (
        pl.DataFrame
    )  # accepted pairs: i, j (positions in the input), p, weight, rule, name, reason
    model: MatchModel | None = None  # the match model fitted on this list
    candidates: int = 0  # candidate pairs compared


def format_cluster_id(number: pl.Expr) -> pl.Expr:
    """``C000123`` from a 1-based cluster number."""
    return pl.concat_str([pl.lit("C"), number.cast(pl.String).str.zfill(6)])


def dedupe_companies(
    df: pl.DataFrame,
    *,
    settings: DedupeSettings | None = None,
    source_priority: Sequence[str] | None = None,
    engine: MatchEngine | None = None,
) -> Deduped:
    """Find the same company across rows and lists and merge each into one account.

    ``engine``: where the pairs are found, compared and clustered (default: polars in
    this process; ``listbuilder.spark.SparkEngine`` on Spark): the same answer."""
    settings = settings or DedupeSettings()
    priority = list(source_priority or settings.source_priority)
    for needed in ("row_id", "source", "line"):
        if needed not in df.columns:
            raise ValueError(f"dedupe_companies needs the lineage column {needed!r}")
    # the match columns are freed on return, before the wide rows are copied below
    pairs, model, candidates, labels, edges = _match_and_cluster(df, settings, engine)
    # Survivorship ranks are computed on a slim frame; the wide rows are copied once.
    slim = _survivorship_ranks(df, labels, priority)
    is_single = slim["_size"] == 1
    ranked = (
        slim.filter(~is_single)
        .sort(
            ["_comp", "_prio", "_filled", "_recent", "row_id"],
            descending=[False, False, True, True, False],
            nulls_last=True,
        )
        .with_columns(_pos=pl.int_range(pl.len()).over("_comp"))
        .select("_i", "_comp", "cluster_id", "_pos")
    )
    single = (
        df.filter(is_single)
        .with_columns(slim.filter(is_single)["cluster_id"])
        .with_columns(duplicate_count=pl.lit(0, dtype=pl.Int64), source_rows=_row_ref())
    )
    multi = df[ranked["_i"]].hstack(ranked)
    companies = _combine_companies(single, _merge_clusters(multi, df))
    del single
    return Deduped(
        companies=companies,
        rejects=_duplicate_rejects(multi, df),
        clusters=_clusters_frame(multi, edges, df),
        pairs=pairs,
        model=model,
        candidates=candidates,
    )


def _match_and_cluster(
    df: pl.DataFrame, settings: DedupeSettings, engine: MatchEngine | None
) -> tuple[pl.DataFrame, MatchModel, int, pl.DataFrame, pl.DataFrame]:
    """Accepted pairs (the guard's cannot-link pairs taken out), the model, the number of
    candidates, and the clusters: ``labels`` (``_i``, ``_comp``) and ``edges``."""
    m = prepare_match_frame(df)
    if engine is None:
        pairs, model, candidates = match_pairs(m, settings)
        components = connected_components
    else:
        pairs, model, candidates = engine.match_pairs(m, settings)
        components = engine.connected_components
    guarded = pl.col("rule") == RULE_GUARD
    cannot = pairs.filter(guarded).select("i", "j")
    pairs = pairs.filter(~guarded)
    labels, edges = cluster_pairs(
        pairs, m, near_identical=settings.near_identical, components=components, cannot=cannot
    )
    labels, edges = split_loose_clusters(labels, edges, m, model, settings)
    return pairs, model, candidates, labels, edges


def _survivorship_ranks(
    df: pl.DataFrame, labels: pl.DataFrame, priority: list[str]
) -> pl.DataFrame:
    """One slim row per input row: its cluster (``_comp``, ``_size``, ``cluster_id``) and
    what ranks its members (source priority, completeness, recency)."""
    recent = pl.col("last_funding_date") if "last_funding_date" in df.columns else pl.lit(None)
    slim = df.select(
        _i=pl.int_range(pl.len(), dtype=pl.UInt32),
        row_id=pl.col("row_id"),
        _prio=_priority_rank(priority),
        _filled=_completeness(df),
        _recent=recent,
    )
    slim = slim.join(labels, on="_i", how="left", maintain_order="left")
    slim = slim.with_columns(pl.col("_comp").fill_null(pl.col("_i")))
    # cluster numbers follow input order (first member), so ids are stable for a given input
    return slim.with_columns(
        _size=pl.len().over("_comp"),
        cluster_id=format_cluster_id(pl.col("_comp").rank("dense").cast(pl.Int64)),
    )


def _combine_companies(single: pl.DataFrame, merged: pl.DataFrame) -> pl.DataFrame:
    """The single rows and the merged clusters in one frame, in ``row_id`` order."""
    merged = merged.select(single.columns).cast(single.schema).sort("row_id")  # type: ignore[arg-type]
    if single["row_id"].is_sorted():
        return single.merge_sorted(merged, key="row_id")  # no full re-sort of the list
    return pl.concat([single, merged]).sort("row_id")


def _duplicate_rejects(multi: pl.DataFrame, df: pl.DataFrame) -> pl.DataFrame:
    """One reject per absorbed row: ``duplicate of C000123``, the survivor's row as detail."""
    survivors = multi.filter(pl.col("_pos") == 0).select("_comp", _survivor=_row_ref())
    dups = multi.filter(pl.col("_pos") > 0).join(survivors, on="_comp", how="left")
    rejects = dups.sort("row_id").select(
        pl.col("source").cast(pl.String),
        pl.col("line").cast(pl.Int64),
        stage=pl.lit(STAGE),
        reason=pl.concat_str([pl.lit("duplicate of "), pl.col("cluster_id")]),
        name=_str_col(df, "name"),
        domain=_str_col(df, "domain"),
        detail=pl.col("_survivor"),
    )
    return rejects.cast(REJECT_SCHEMA)  # type: ignore[arg-type]


def _str_col(df: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String) if name in df.columns else pl.lit(None, dtype=pl.String)


def _row_ref() -> pl.Expr:
    return pl.concat_str([pl.col("source"), pl.lit(":"), pl.col("line").cast(pl.String)])


def _priority_rank(priority: list[str]) -> pl.Expr:
    if not priority:
        return pl.lit(0)
    ranks = {src: k for k, src in enumerate(priority)}
    return (
        pl.col("source")
        .replace_strict(ranks, default=len(priority), return_dtype=pl.Int64)
        .fill_null(len(priority))
    )


def _completeness(df: pl.DataFrame) -> pl.Expr:
    terms = []
    for field in COMPANY_FIELDS:
        if field not in df.columns:
            continue
        if isinstance(df.schema[field], pl.List):
            terms.append((pl.col(field).list.len().fill_null(0) > 0).cast(pl.Int32))
        else:
            terms.append(pl.col(field).is_not_null().cast(pl.Int32))
    return pl.sum_horizontal(terms) if terms else pl.lit(0)


def _merge_clusters(multi: pl.DataFrame, df: pl.DataFrame) -> pl.DataFrame:
    """One row per cluster of ``multi`` (sorted best member first within each cluster)."""
    if multi.height == 0:
        return multi.select(
            *df.columns,
            "cluster_id",
            duplicate_count=pl.lit(0, dtype=pl.Int64),
            source_rows=_row_ref(),
        )
    cols = set(df.columns)
    has_name = pl.col("name").is_not_null() if "name" in cols else pl.lit(True)
    if "domain" in cols:
        platform = (
            pl.col("domain_is_platform").fill_null(False)
            if "domain_is_platform" in cols
            else pl.lit(False)
        )
        good_site = pl.col("domain").is_not_null() & ~platform
        any_site = pl.col("domain").is_not_null() | (
            pl.col("website").is_not_null() if "website" in cols else pl.lit(False)
        )
    else:
        good_site = any_site = (
            pl.col("website").is_not_null() if "website" in cols else pl.lit(True)
        )
    site_group = {"website", "domain", "domain_is_platform"}
    size_group = {"employees", "employees_min", "employees_max"}
    has_size = pl.col("employees").is_not_null() if "employees" in cols else pl.lit(True)
    lineage = {"row_id", "source", "line", "unparsed"}
    aggs: list[pl.Expr] = []
    for name in df.columns:
        c = pl.col(name)
        if name in lineage:
            aggs.append(c.first())
        elif isinstance(df.schema[name], pl.List):
            aggs.append(c.explode().drop_nulls().unique(maintain_order=True).alias(name))
        elif name in ("name", "name_key"):
            aggs.append(c.filter(has_name).first())
        elif name in size_group:
            # a count and the band it came from travel together: never an exact
            # count from one member with another member's band
            aggs.append(c.filter(has_size).first())
        elif name in site_group:
            aggs.append(
                pl.when(good_site.any())
                .then(c.filter(good_site).first())
                .otherwise(c.filter(any_site).first())
                .alias(name)
            )
        else:
            aggs.append(c.drop_nulls().first())
    merged = multi.group_by("_comp", maintain_order=True).agg(
        *aggs,
        pl.col("cluster_id").first(),
        duplicate_count=(pl.len() - 1).cast(pl.Int64),
        source_rows=_row_ref().str.join("; "),
    )
    return merged.with_columns(*[pl.col(n).cast(df.schema[n]) for n in df.columns]).drop("_comp")


def _clusters_frame(multi: pl.DataFrame, edges: pl.DataFrame, df: pl.DataFrame) -> pl.DataFrame:
    """Member rows of every multi-row cluster with the pairwise reasons that joined them."""
    if multi.height == 0:
        return pl.DataFrame(schema=CLUSTERS_SCHEMA)
    ref = multi.select("_i", _ref=_row_ref())
    both = pl.concat(
        [
            edges.select(_i=pl.col("i"), _o=pl.col("j"), reason=pl.col("reason")),
            edges.select(_i=pl.col("j"), _o=pl.col("i"), reason=pl.col("reason")),
        ]
    ).join(ref.rename({"_i": "_o"}), on="_o", how="left")
    reasons = (
        both.sort("_i", "_o")
        .group_by("_i", maintain_order=True)
        .agg(
            reason=pl.concat_str(
                [pl.col("_ref"), pl.lit(" ("), pl.col("reason"), pl.lit(")")]
            ).str.join("; ")
        )
    )
    out = multi.join(reasons, on="_i", how="left").sort("_comp", "_pos")
    return out.select(
        "cluster_id",
        role=pl.when(pl.col("_pos") == 0).then(pl.lit("survivor")).otherwise(pl.lit("duplicate")),
        source=pl.col("source").cast(pl.String),
        line=pl.col("line").cast(pl.Int64),
        row_id=pl.col("row_id").cast(pl.Int64),
        name=_str_col(df, "name"),
        domain=_str_col(df, "domain"),
        reason=pl.col("reason"),
    )
