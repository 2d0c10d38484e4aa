"""Writing a dedupe result to a Spark path: Parquet datasets, written by Spark.

``dedupe --engine spark --out hdfs://.../deduped`` writes ``companies.parquet``,
``clusters.parquet`` and ``rejects.parquet`` there, each a folder of part files with
Spark's ``_SUCCESS`` marker (Spark's output committer makes each one appear whole or not
at all). The frames are the ones the CSV writer writes; Parquet keeps their types (lists
stay lists, dates dates), so nothing is joined into text or neutralised for Excel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from listbuilder.errors import InputError
from listbuilder.spark.frames import to_spark

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from listbuilder.dedupe.merge import Deduped


def dedupe_frames(
    deduped: Deduped, earlier_rejects: pl.DataFrame | None
) -> dict[str, pl.DataFrame]:
    """The three outputs of a dedupe run, as ``dedupe.output.write_dedupe_outputs`` has them."""
    rejects = deduped.rejects
    if earlier_rejects is not None:
        rejects = pl.concat([earlier_rejects.select(rejects.columns).cast(rejects.schema), rejects])
    return {"companies": deduped.companies, "clusters": deduped.clusters, "rejects": rejects}


def write_parquet_outputs(
    spark: SparkSession, out: str, frames: dict[str, pl.DataFrame]
) -> dict[str, str]:
    """Each frame as ``<out>/<name>.parquet`` (replaced if there); returns the paths."""
    base = out.rstrip("/")
    paths = {name: f"{base}/{name}.parquet" for name in frames}
    for name, frame in frames.items():
        try:
            to_spark(spark, frame).write.mode("overwrite").parquet(paths[name])
        except Exception as exc:  # Spark's errors: no permission, no such bucket...
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise InputError(f"{paths[name]}: cannot write the output ({first})") from None
    return paths
