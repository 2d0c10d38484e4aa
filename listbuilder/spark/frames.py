"""polars ↔ Spark over Arrow, and polars functions run on every Spark partition.

Spark has no unsigned integers: 32-bit indexes travel as Int64 and 64-bit hash codes
as Int64 with the same bits (``reinterpret``), so equality and set tests on them keep
their answers; ``restore`` turns them back for the polars code that reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import DataType, StructType


def to_signed(frame: pl.DataFrame) -> pl.DataFrame:
    """Unsigned columns (and lists of them) as Int64: the dtypes Spark can hold."""
    exprs = []
    for name, dtype in frame.schema.items():
        if dtype == pl.UInt64:
            exprs.append(pl.col(name).reinterpret(signed=True))
        elif dtype in (pl.UInt32, pl.UInt16, pl.UInt8):
            exprs.append(pl.col(name).cast(pl.Int64))
        elif dtype == pl.List(pl.UInt64):
            exprs.append(pl.col(name).list.eval(pl.element().reinterpret(signed=True)))
        else:
            continue
    return frame.with_columns(exprs) if exprs else frame


def restore(frame: pl.DataFrame, schema: pl.Schema | dict[str, Any]) -> pl.DataFrame:
    """``to_signed`` undone for the columns of ``schema`` (the polars dtypes they had)."""
    exprs = []
    for name, dtype in schema.items():
        if name not in frame.columns or frame.schema[name] == dtype:
            continue
        if dtype == pl.UInt64:
            exprs.append(pl.col(name).reinterpret(signed=False))
        elif dtype == pl.List(pl.UInt64):
            exprs.append(pl.col(name).list.eval(pl.element().reinterpret(signed=False)))
        else:
            exprs.append(pl.col(name).cast(dtype))
    return frame.with_columns(exprs) if exprs else frame


def spark_type(dtype: pl.DataType) -> DataType:
    """The Spark type of a polars dtype after ``to_signed``."""
    from pyspark.sql import types as T

    simple: dict[Any, DataType] = {
        pl.Int8: T.ByteType(),
        pl.Int16: T.ShortType(),
        pl.Int32: T.IntegerType(),
        pl.Int64: T.LongType(),
        pl.UInt8: T.LongType(),
        pl.UInt16: T.LongType(),
        pl.UInt32: T.LongType(),
        pl.UInt64: T.LongType(),
        pl.Float32: T.FloatType(),
        pl.Float64: T.DoubleType(),
        pl.Boolean: T.BooleanType(),
        pl.String: T.StringType(),
        pl.Date: T.DateType(),
    }
    for key, value in simple.items():
        if dtype == key:
            return value
    if isinstance(dtype, pl.List):
        inner = dtype.inner
        assert isinstance(inner, pl.DataType)  # a list's inner dtype is an instance
        return T.ArrayType(spark_type(inner), containsNull=True)
    raise TypeError(f"no Spark type for the polars dtype {dtype}")


def spark_schema(schema: pl.Schema | dict[str, Any]) -> StructType:
    from pyspark.sql import types as T

    return T.StructType([T.StructField(n, spark_type(d), nullable=True) for n, d in schema.items()])


def to_arrow(frame: pl.DataFrame) -> pa.Table:
    """``frame`` in the Arrow types Spark reads (plain, not large, lists)."""
    import pyarrow as pa

    table = frame.to_arrow(compat_level=pl.CompatLevel.oldest())

    def plain(t: pa.DataType) -> pa.DataType:
        if pa.types.is_large_list(t):
            return pa.list_(plain(t.value_type))
        return t

    schema = pa.schema([f.with_type(plain(f.type)) for f in table.schema])
    return table if schema == table.schema else table.cast(schema)


def to_spark(spark: SparkSession, frame: pl.DataFrame) -> DataFrame:
    """A Spark DataFrame of ``frame`` (over Arrow)."""
    signed = to_signed(frame)
    return spark.createDataFrame(to_arrow(signed), schema=spark_schema(signed.schema))


def to_polars(df: DataFrame, schema: pl.Schema | dict[str, Any] | None = None) -> pl.DataFrame:
    """The rows of a Spark DataFrame as polars (over Arrow), dtypes of ``schema`` restored."""
    frame = pl.from_arrow(df.toArrow())
    assert isinstance(frame, pl.DataFrame)
    return restore(frame, schema) if schema is not None else frame


def map_frames(
    df: DataFrame,
    func: Callable[[pl.DataFrame], pl.DataFrame],
    *,
    inputs: pl.Schema | dict[str, Any],
    output: pl.Schema | dict[str, Any],
) -> DataFrame:
    """``func`` (a row-local polars function) run on every partition of ``df``, Arrow
    batch by Arrow batch: the same code, hence the same values, as on one machine.
    ``inputs``: the polars dtypes ``func`` expects; ``output``: the dtypes it returns."""
    out_signed = to_signed(pl.DataFrame(schema=output)).schema

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            result = to_signed(func(restore(frame, inputs)))
            result = result.select(list(out_signed)).cast(out_signed)  # type: ignore[arg-type]
            yield from to_arrow(result).to_batches()

    return df.mapInArrow(run, spark_schema(out_signed))


def output_schema(func: Callable[[pl.DataFrame], pl.DataFrame], sample: pl.DataFrame) -> pl.Schema:
    """What ``func`` returns, found by running it on no rows of ``sample``."""
    return func(sample.head(0)).schema
