"""The one-line why of a lookalike: its nearest seeds and what it shares with the nearest.

`like Acme and Globex: same 201–500 band, HubSpot + Segment, Series B`. The phrases
are the fields' contributions to the similarity with the nearest seed, largest first
(ties: field order), read off the same sparse blocks the score came from, so the line
and the number cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from listbuilder.lookalike.features import Features
from listbuilder.lookalike.similarity import Neighbours

MAX_PHRASES = 4
MAX_ITEMS = {"technologies": 3, "departments": 2, "description": 3}


def contributions(features: Features, accounts: np.ndarray, seeds: np.ndarray) -> pl.DataFrame:
    """Per pair (`accounts[p]`, `seeds[p]`), per shared feature: `pair, field, order, label,
    level (leaf | parent | same | near | item), points` — points out of 100 of the pair's
    similarity."""
    parts = []
    denom = features.seed_weight[seeds]
    scale = np.divide(100.0, denom, out=np.zeros_like(denom), where=denom > 0)
    for order, f in enumerate(features.fields):
        product = f.accounts[accounts].multiply(f.seeds[seeds]).tocoo()
        if product.nnz == 0:
            continue
        cols = product.col
        if f.kind == "ordinal":
            level = np.where(product.data >= 0.999, "same", "near")
        elif f.kind == "hierarchy":
            level = np.where(cols < f.leaf, "leaf", "parent")
        else:
            level = np.full(cols.size, "item")
        labels = np.asarray(f.labels, dtype=object)[cols]
        parts.append(
            pl.DataFrame(
                {
                    "pair": product.row.astype(np.int64),
                    "field": f.name,
                    "order": order,
                    "label": labels.tolist(),
                    "level": level.tolist(),
                    "points": product.data.astype(np.float64)
                    * features.weights[f.name]
                    * scale[product.row],
                }
            )
        )
    if not parts:
        return pl.DataFrame(
            schema={
                "pair": pl.Int64,
                "field": pl.String,
                "order": pl.Int64,
                "label": pl.String,
                "level": pl.String,
                "points": pl.Float64,
            }  # fmt: skip
        )
    return pl.concat(parts, how="vertical_relaxed").sort(
        ["pair", "order", "points", "label"], descending=[False, False, True, False]
    )


def _phrase() -> pl.Expr:
    """How one field's shared features read (the frame is one row per pair and field)."""
    field, labels, levels = pl.col("field"), pl.col("labels"), pl.col("levels")
    first = labels.list.first()
    same = levels.list.first() == "same"
    leaf = levels.list.contains("leaf")
    leaf_label = labels.list.get(0, null_on_oob=True)
    parent_label = labels.list.last()
    return (
        pl.when(field == "size")
        .then(
            pl.when(same).then("same " + first + " band").otherwise("similar size (" + first + ")")
        )
        .when(field == "revenue")
        .then(pl.when(same).then(first + " revenue").otherwise("similar revenue (" + first + ")"))
        .when(field == "raised")
        .then(pl.when(same).then("raised " + first).otherwise("raised near " + first))
        .when(field == "funding")
        .then(pl.when(same).then(first).otherwise("near " + first))
        .when(field == "founded")
        .then(pl.when(same).then("founded " + first).otherwise("founded around " + first))
        .when(field == "industry")
        .then(pl.when(leaf).then(leaf_label).otherwise(parent_label + " group"))
        .when(field == "geo")
        .then(pl.when(leaf).then(leaf_label).otherwise(parent_label))
        .when(field == "technologies")
        .then(labels.list.head(MAX_ITEMS["technologies"]).list.join(" + "))
        .when(field == "departments")
        .then(labels.list.head(MAX_ITEMS["departments"]).list.join(" + ") + " teams")
        .when(field == "description")
        .then(
            "described alike (" + labels.list.head(MAX_ITEMS["description"]).list.join(", ") + ")"
        )
        .otherwise(first)
    )


def field_phrases(features: Features, accounts: np.ndarray, seeds: np.ndarray) -> pl.DataFrame:
    """`pair, field, points, phrase`: one row per pair and field it shares, largest first."""
    c = contributions(features, accounts, seeds)
    per_field = c.group_by("pair", "field", maintain_order=True).agg(
        pl.col("order").first(),
        pl.col("points").sum(),
        labels=pl.col("label"),
        levels=pl.col("level"),
    )
    # rounded: 0.6 + 0.4 in float32 is not quite 1, and a tie goes to the field order
    per_field = per_field.with_columns(pl.col("points").round(4))
    return per_field.with_columns(phrase=_phrase()).sort(
        ["pair", "points", "order"], descending=[False, True, False]
    )


def why_lines(
    features: Features,
    neighbours: Neighbours,
    rows: np.ndarray,
    seed_names: Sequence[str],
    *,
    named: int = 2,
) -> pl.DataFrame:
    """`_row, nearest_seeds, lookalike_why` for the accounts `rows` (positions)."""
    rows = np.asarray(rows, dtype=np.int64)
    nearest = neighbours.index[rows]
    lines = _nearest_phrases(features, rows, nearest)
    listed = _nearest_names(nearest, seed_names, named=named)
    head = pl.col("_head")
    like = (
        pl.when(head.list.len() == 1)
        .then(head.list.first())
        .otherwise(head.list.head(head.list.len() - 1).list.join(", ") + " and " + head.list.last())
    )
    out = (
        pl.DataFrame({"_pos": np.arange(rows.size, dtype=np.int64), "_row": rows})
        .join(listed, on="_pos", how="left")
        .join(lines.select("_pos", "phrase"), on="_pos", how="left")
        .sort("_pos")
    )
    return out.select(
        "_row",
        pl.col("nearest_seeds").cast(pl.String),
        lookalike_why=pl.when(head.is_not_null()).then(
            "like " + like + ": " + pl.col("phrase").fill_null("little in common")
        ),
    )


def _nearest_phrases(features: Features, rows: np.ndarray, nearest: np.ndarray) -> pl.DataFrame:
    """`_pos, phrase`: what each account (of those with a nearest seed) shares with its
    nearest seed, at most `MAX_PHRASES` fields, largest first."""
    first = nearest[:, 0] if nearest.shape[1] else np.full(rows.size, -1)
    has = first >= 0
    phrases = field_phrases(features, rows[has], first[has].astype(np.int64))
    lines = (
        phrases.filter(pl.col("points") > 0)
        .group_by("pair", maintain_order=True)
        .agg(pl.col("phrase").head(MAX_PHRASES).str.join(", "))
    )
    pair_row = pl.DataFrame({"pair": np.arange(int(has.sum()), dtype=np.int64),
                             "_pos": np.flatnonzero(has).astype(np.int64)})  # fmt: skip
    return pair_row.join(lines, on="pair", how="left").sort("_pos")


def _nearest_names(nearest: np.ndarray, seed_names: Sequence[str], *, named: int) -> pl.DataFrame:
    """`_pos, nearest_seeds` (every nearest seed's name, nearest first, `; `-joined) and
    `_head` (the first `named` of them), for the accounts with a nearest seed."""
    k = nearest.shape[1]
    names = pl.DataFrame(
        {"_seed": np.arange(len(seed_names), dtype=np.int64), "_name": list(seed_names)},
        schema={"_seed": pl.Int64, "_name": pl.String},
    )
    long = pl.DataFrame(
        {
            "_pos": np.repeat(np.arange(nearest.shape[0], dtype=np.int64), k),
            "_j": np.tile(np.arange(k, dtype=np.int64), nearest.shape[0]),
            "_seed": nearest.reshape(-1).astype(np.int64),
        }
    ).filter(pl.col("_seed") >= 0)
    return (
        long.join(names, on="_seed", how="left")
        .sort("_pos", "_j")
        .group_by("_pos", maintain_order=True)
        .agg(
            nearest_seeds=pl.col("_name").str.join("; "),
            _head=pl.col("_name").head(named),
        )
    )
