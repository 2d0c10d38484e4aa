"""Ranking on Spark: Spark sorts and rejects what the cut cannot reach; the cut runs once.

``rank.rank_companies`` is sequential by nature: one account per domain and parent is a
greedy pass in rank order (a drop depends on which earlier accounts were kept), tier
quotas count positions within a tier, and every account below the cut is told its rank
among the survivors. So it runs on the driver, once, on the accounts it can reach.

What it cannot reach is everything scoring below the profile's lowest tier
(``min_score``): in the rank order they all come after the rest (score is the first sort
key, descending, nulls last), none of them is alive for the greedy pass, the quotas or
the count of survivors, and each one's reject (``below lowest tier``, ``score 42.5 < 50
(tier C)``) depends on its own row only. Spark range-partitions those rows by score, and
``rank_companies`` itself rejects each partition: the same rows and details, in the same
order (partitions in descending score, each sorted by ``rank_companies``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import polars as pl

from listbuilder.rank import rank_companies
from listbuilder.rank.order import RANK_COLUMNS
from listbuilder.spark.frames import Outputs, map_parts, to_spark

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def below_floor(floor: float) -> pl.Expr:
    """Rows rank_companies rejects as below the lowest tier (its own test)."""
    score = pl.col("score")
    return score.is_null() | (score < floor)


def rank_on_spark(
    spark: SparkSession, df: pl.DataFrame, **options: Any
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``rank_companies(df, **options)``: the same selection and rejects."""
    floor = options.get("min_score")
    numeric = isinstance(floor, int | float) and not isinstance(floor, bool)
    if not isinstance(floor, int | float) or not numeric or not math.isfinite(floor):
        return rank_companies(df, **options)  # no floor to split on (or a bad one, refused)
    if "score" not in df.columns:
        return rank_companies(df, **options)
    low = below_floor(float(floor))
    selected, rejects = rank_companies(df.filter(~low), **options)
    rest = df.filter(low)
    if rest.height == 0:
        return selected, rejects
    narrow = rest.select(c for c in RANK_COLUMNS if c in rest.columns)
    partitions = int(spark.conf.get("spark.sql.shuffle.partitions") or 8)
    from pyspark.sql import functions as F

    ordered = to_spark(spark, narrow).repartitionByRange(
        partitions, F.col("score").desc_nulls_last()
    )

    def run(part: pl.DataFrame) -> Outputs:
        return {"rejects": rank_companies(part, **options)[1]}

    below = map_parts(ordered, run, empty=narrow.head(0), whole_partitions=True)["rejects"]
    return selected, pl.concat([rejects, below])
