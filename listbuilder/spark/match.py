"""Blocking, comparison and scoring of candidate pairs as Spark jobs.

The definitions are the polars engine's, read from ``dedupe.matcher`` and
``dedupe.model``: the blocking passes (``blocking_passes``), the row-local blocking keys
(``blocking_keys``, run on every partition), the comparison levels (``compare_joined``,
run on every partition of the joined pairs: rapidfuzz's scorers over Arrow batches) and
the model's weights (``score_candidates``). What Spark does itself is what grows with
the list: block sizes, sub-blocks and windows, the pair joins, the distinct level
patterns. EM runs on the driver on those patterns (a few thousand rows) with the same
numpy code, so both engines fit the same model to the last bit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from listbuilder.dedupe import matcher
from listbuilder.dedupe import model as fs
from listbuilder.dedupe.settings import DedupeSettings
from listbuilder.spark.frames import map_frames, output_schema, to_polars, to_spark

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

# the window order of the sorted neighbourhoods and of windowed blocks: name, founding
# year, row (nulls first, as polars ranks a struct)
_ORDERS = {"_o1": ("_o1", "_founded", "_i"), "_o2": ("_o2", "_founded", "_i")}


def _order_by(order: str) -> list[Column]:
    from pyspark.sql import functions as F

    return [F.col(c).asc_nulls_first() for c in _ORDERS[order]]


def candidate_pairs(keys: DataFrame, settings: DedupeSettings) -> DataFrame:
    """``(i, j)`` with ``i < j``, unique: ``matcher.candidate_pairs`` on Spark (dedupe:
    one list, no ``anywhere`` rows). Every blocking pass at once, in a long frame of
    (pass, row): a few shuffles whatever the number of passes."""
    from pyspark.sql import functions as F

    passes = matcher.blocking_passes(settings)
    parts = [_blocked_pairs(keys, passes, settings)]
    named = keys.where(F.col("_name").isNotNull())
    parts += [
        _neighbourhood(named, order, settings.window) for order in matcher.NEIGHBOURHOOD_ORDERS
    ]
    pairs = parts[0]
    for part in parts[1:]:
        pairs = pairs.unionByName(part)
    return pairs.where(F.col("i") != F.col("j")).distinct()


def _undirected(pairs: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F

    return pairs.select(F.least("i", "j").alias("i"), F.greatest("i", "j").alias("j")).where(
        F.col("i") != F.col("j")
    )


_DROPPED = -2  # a row in no block small enough to pair whole (windowed only, if at all)


def _blocked_pairs(
    b: DataFrame, passes: list[matcher.BlockingPass], settings: DedupeSettings
) -> DataFrame:
    """``matcher._pairs_in_blocks`` for every pass: all pairs in a block of ``keys[0]``
    up to the pass's limit; a larger block windowed (``window`` rows apart, in the name
    order) and split by the next key, whose blocks are paired or windowed in turn."""
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    if any(bp.left_only is not None for bp in passes):
        raise NotImplementedError("the Spark engine blocks one list (dedupe), not links")
    width = max(len(bp.keys) for bp in passes)
    rows = None
    for number, bp in enumerate(passes):
        keys = [F.col(k) for k in bp.keys] + [F.lit(None).cast("long")] * (width - len(bp.keys))
        part = b.select(
            F.lit(number).alias("_pass"),
            F.lit(len(bp.keys)).alias("_nk"),
            F.lit(bp.max_block or settings.max_block).alias("_limit"),
            F.lit(bp.open_only).alias("_oo"),
            "_i",
            "_open",
            *_ORDERS["_o1"][:2],
            *[key.alias(f"_k{d}") for d, key in enumerate(keys)],
        ).where(F.col("_k0").isNotNull())
        rows = part if rows is None else rows.unionByName(part)
    assert rows is not None
    # block sizes at each depth (the block of depth d: the pass's first d + 1 keys)
    for d in range(width):
        prefix = ["_pass", *[f"_k{e}" for e in range(d + 1)]]
        rows = rows.withColumn(f"_n{d}", F.count(F.lit(1)).over(Window.partitionBy(*prefix)))
    # A row reaches depth d when every block above it was too large and its key at d is
    # known; there its block is paired whole (small enough) or windowed and split on.
    reach = []
    above = F.lit(True)
    for d in range(width):
        known = F.col(f"_k{d}").isNotNull() if d else F.lit(True)
        reach.append(above & known & (F.lit(d) < F.col("_nk")))
        above = reach[d] & (F.col(f"_n{d}") > F.col("_limit"))
    depth = F.lit(_DROPPED)
    for d in range(width - 1, -1, -1):
        small_here = reach[d] & (F.col(f"_n{d}") <= F.col("_limit"))
        depth = F.when(small_here, F.lit(d)).otherwise(depth)
    rows = rows.withColumn("_depth", depth)
    key_array = F.array(*[F.col(f"_k{d}") for d in range(width)])
    rows = rows.withColumn(
        "_blk", F.slice(key_array, 1, F.greatest(F.col("_depth"), F.lit(0)) + 1)
    ).localCheckpoint()
    # all pairs within the blocks small enough
    small = rows.where(F.col("_depth") >= 0)
    a = small.select("_pass", "_depth", "_blk", "_oo", "_open", F.col("_i").alias("i"))
    b2 = small.select("_pass", "_depth", "_blk", F.col("_i").alias("j"))
    pairs = a.join(b2, on=["_pass", "_depth", "_blk"]).where(~F.col("_oo") | F.col("_open"))
    # windows over every block too large, at each depth, in name order
    windowed = None
    for d in range(width):
        big = rows.where(reach[d] & (F.col(f"_n{d}") > F.col("_limit"))).withColumn(
            "_wblk", F.slice(key_array, 1, d + 1)
        )
        ranked = big.withColumn(
            "_pos",
            F.row_number().over(Window.partitionBy("_pass", "_wblk").orderBy(*_order_by("_o1"))),
        )
        part = _window_join(
            ranked.withColumnRenamed("_oo", "_oo_pass"), ["_pass", "_wblk"], settings.window
        )
        windowed = part if windowed is None else windowed.unionByName(part)
    assert windowed is not None
    return _undirected(pairs.select("i", "j").unionByName(windowed))


def _window_join(ranked: DataFrame, block: list[str], window: int) -> DataFrame:
    """Pairs of rows at most ``window`` apart in ``_pos`` within one block, one of them
    without a company domain where the pass says so (``_oo_pass``; absent: always).
    An equi-join on (block, position + k) for k in 1..window, never a range join."""
    from pyspark.sql import functions as F

    only = F.col("_oo_pass") if "_oo_pass" in ranked.columns else F.lit(True)
    ahead = F.explode(F.sequence(F.col("_pos") + 1, F.col("_pos") + window))
    a = ranked.select(
        *block, only.alias("_only"), F.col("_i").alias("i"), ahead.alias("_at"),
        F.col("_open").alias("_oa"),
    )  # fmt: skip
    b = ranked.select(
        *block, F.col("_i").alias("j"), F.col("_pos").alias("_at"), F.col("_open").alias("_ob")
    )
    pairs = a.join(b, on=[*block, "_at"]).where(~F.col("_only") | F.col("_oa") | F.col("_ob"))
    return pairs.select("i", "j")


def _neighbourhood(named: DataFrame, order: str, window: int) -> DataFrame:
    """The sorted neighbourhood over every named row: a global sort, numbered by
    ``zipWithIndex`` (no single-partition window), then the window join."""
    from pyspark.sql import types as T

    ordered = named.select("_i", "_open", *_ORDERS[order][:2]).orderBy(*_order_by(order))
    schema = T.StructType(
        [
            T.StructField("_i", T.LongType()),
            T.StructField("_open", T.BooleanType()),
            T.StructField("_pos", T.LongType()),
        ]
    )
    indexed = ordered.rdd.zipWithIndex().map(lambda r: (r[0][0], r[0][1], r[1]))
    ranked = named.sparkSession.createDataFrame(indexed, schema)
    return _undirected(_window_join(ranked, [], window))


def compare_pairs(
    m: DataFrame, m_local: pl.DataFrame, pairs: DataFrame, settings: DedupeSettings
) -> tuple[DataFrame, pl.Schema]:
    """``model.compare_pairs`` on Spark: both rows' ``pair_fields`` joined to each pair,
    then ``model.compare_joined`` on every partition. Returns the levels and their
    polars dtypes."""
    from pyspark.sql import functions as F

    fields_schema = output_schema(fs.pair_fields, m_local)
    fields = map_frames(m, fs.pair_fields, inputs=m_local.schema, output=fields_schema)
    fields = fields.localCheckpoint()  # read twice: once per side
    cols = [c for c in fields_schema if c != "_i"]
    left = fields.select(F.col("_i").alias("i"), *[F.col(c).alias(c + "_a") for c in cols])
    right = fields.select(F.col("_i").alias("j"), *[F.col(c).alias(c + "_b") for c in cols])
    joined = pairs.join(left, on="i", how="left").join(right, on="j", how="left")
    joined_schema: dict[str, pl.DataType] = {"i": pl.UInt32(), "j": pl.UInt32()}
    joined_schema.update({c + "_a": fields_schema[c] for c in cols})
    joined_schema.update({c + "_b": fields_schema[c] for c in cols})
    size_ratio, tolerance = settings.size_ratio, settings.founded_tolerance

    def levels(p: pl.DataFrame) -> pl.DataFrame:
        return fs.compare_joined(p, size_ratio, tolerance)

    levels_schema = output_schema(levels, pl.DataFrame(schema=joined_schema))
    out = map_frames(joined, levels, inputs=joined_schema, output=levels_schema)
    return out, levels_schema


def fit(levels: DataFrame, m_local: pl.DataFrame, settings: DedupeSettings) -> fs.MatchModel:
    """The model fitted on the distinct level patterns, counted by Spark and collected
    (a few thousand rows), with the polars engine's own code."""
    from pyspark.sql import functions as F

    counted = levels.groupBy(*fs.LEVEL_COLUMNS).agg(F.count(F.lit(1)).alias("_n"))
    rows = to_polars(counted)
    mat = rows.select(fs.LEVEL_COLUMNS).to_numpy().astype(np.int16)
    patterns = fs.level_patterns(mat, rows["_n"].to_numpy())
    return matcher.fit(m_local, None, settings, patterns=patterns)


def score_pairs(
    levels: DataFrame, levels_schema: pl.Schema, model: fs.MatchModel, settings: DedupeSettings
) -> pl.DataFrame:
    """``matcher.score_candidates`` on every partition; the accepted pairs (the few that
    are duplicates) come back to the driver, sorted as the polars engine has them."""
    threshold = settings.match_probability

    def scored(levels: pl.DataFrame) -> pl.DataFrame:
        return matcher.score_candidates(levels, model, settings, threshold=threshold)

    out_schema = output_schema(scored, pl.DataFrame(schema=levels_schema))
    accepted = map_frames(levels, scored, inputs=levels_schema, output=out_schema)
    return to_polars(accepted, out_schema).sort("i", "j")


def match_pairs(
    spark: SparkSession, m_local: pl.DataFrame, settings: DedupeSettings
) -> tuple[pl.DataFrame, fs.MatchModel, int]:
    """``matcher.match_pairs`` with blocking, comparison and scoring on Spark."""
    m = to_spark(spark, m_local).localCheckpoint()
    keys_schema = output_schema(matcher.blocking_keys, m_local)
    keys = map_frames(m, matcher.blocking_keys, inputs=m_local.schema, output=keys_schema)
    # every pass reads the keys: computed once
    pairs = candidate_pairs(keys.localCheckpoint(), settings).localCheckpoint()
    candidates = pairs.count()
    levels, levels_schema = compare_pairs(m, m_local, pairs, settings)
    levels = levels.localCheckpoint()
    model = fit(levels, m_local, settings)
    if candidates == 0:
        no_pairs = pl.DataFrame(schema={"i": pl.UInt32, "j": pl.UInt32})
        return matcher.score_pairs(m_local, no_pairs, settings), model, 0
    scored = score_pairs(levels, levels_schema, model, settings)
    finished = matcher.finish_scored(scored, m_local, model, drop_ambiguous=True)
    ordered = finished.sort(["weight", "i", "j"], descending=[True, False, False])
    return ordered, model, candidates
