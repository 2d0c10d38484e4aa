"""The Spark engine: the stages whose cost grows with the list, as Spark DataFrame jobs.

Nothing here imports pyspark until a session is asked for (``SparkEngine.session``):
``import listbuilder`` and the polars engine never need it.
"""

from __future__ import annotations

from listbuilder.spark.engine import SparkEngine, SparkOptions, is_spark_path, parse_spark_conf

__all__ = ["SparkEngine", "SparkOptions", "is_spark_path", "parse_spark_conf"]
