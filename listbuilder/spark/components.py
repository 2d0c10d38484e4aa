"""Connected components on Spark DataFrames: the large-star / small-star method.

Kiveris et al., "Connected Components in MapReduce and Beyond" (SoCC 2014). Each
round is two joins over the edge list, nothing is collected to the driver; at the end
every node points at the smallest node of its component, which is the label
``dedupe.cluster.connected_components`` gives (the smallest member index).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

# A bound on the rounds: the method converges in O(log² n) of them; far more is a bug.
MAX_ROUNDS = 100


def _large_star(edges: DataFrame) -> DataFrame:
    """Each node links its larger neighbours to the smallest node of its neighbourhood."""
    from pyspark.sql import functions as F

    both = edges.unionByName(edges.select(F.col("v").alias("u"), F.col("u").alias("v")))
    smallest = both.groupBy("u").agg(F.least(F.min("v"), F.first("u")).alias("_m"))
    return (
        both.join(smallest, on="u")
        .where(F.col("v") > F.col("u"))
        .select(F.col("v").alias("u"), F.col("_m").alias("v"))
        .distinct()
    )


def _small_star(edges: DataFrame) -> DataFrame:
    """Each node links itself and its smaller neighbours to the smallest of them."""
    from pyspark.sql import functions as F

    down = edges.select(F.greatest("u", "v").alias("u"), F.least("u", "v").alias("v")).where(
        F.col("u") != F.col("v")
    )
    smallest = down.groupBy("u").agg(F.least(F.min("v"), F.first("u")).alias("_m"))
    linked = down.join(smallest, on="u")
    neighbours = linked.select(F.col("v").alias("u"), F.col("_m").alias("v"))
    selves = smallest.select("u", F.col("_m").alias("v"))
    return neighbours.unionByName(selves).where(F.col("u") != F.col("v")).distinct()


def component_labels(pairs: DataFrame) -> DataFrame:
    """``_i, _comp`` for every node of the undirected edges ``pairs`` (``i, j``):
    ``_comp`` is the smallest node of its component."""
    from pyspark.sql import functions as F

    edges = pairs.select(F.col("i").alias("u"), F.col("j").alias("v")).where(
        F.col("u") != F.col("v")
    )
    edges = _small_star(edges).localCheckpoint()
    for _ in range(MAX_ROUNDS):
        new = _small_star(_large_star(edges)).localCheckpoint()
        # converged when a round leaves the edge set as it was
        if new.exceptAll(edges).isEmpty() and edges.exceptAll(new).isEmpty():
            edges = new
            break
        edges = new
    else:  # pragma: no cover - the method converges long before
        raise RuntimeError("connected components did not converge")
    nodes = pairs.select(F.col("i").alias("_i")).unionByName(pairs.select(F.col("j").alias("_i")))
    labels = edges.select(F.col("u").alias("_i"), F.col("v").alias("_comp"))
    return (
        nodes.distinct()
        .join(labels, on="_i", how="left")
        .select("_i", F.coalesce("_comp", "_i").alias("_comp"))
    )
