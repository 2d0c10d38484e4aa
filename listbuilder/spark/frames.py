"""polars ↔ Spark over Arrow, and polars functions run on every Spark partition.

Spark has no unsigned integers: 32-bit indexes travel as Int64 and 64-bit hash codes
as Int64 with the same bits (``reinterpret``), so equality and set tests on them keep
their answers; ``restore`` turns them back for the polars code that reads them.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import DataType, StructType


def to_signed(frame: pl.DataFrame) -> pl.DataFrame:
    """Unsigned columns (and lists of them) as Int64, Null ones as String: the dtypes
    Spark can hold."""
    exprs = []
    for name, dtype in frame.schema.items():
        if dtype == pl.UInt64:
            exprs.append(pl.col(name).reinterpret(signed=True))
        elif dtype in (pl.UInt32, pl.UInt16, pl.UInt8):
            exprs.append(pl.col(name).cast(pl.Int64))
        elif dtype == pl.List(pl.UInt64):
            exprs.append(pl.col(name).list.eval(pl.element().reinterpret(signed=True)))
        elif dtype == pl.Null:  # a column with no value at all: text, for Spark
            exprs.append(pl.col(name).cast(pl.String))
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
    if dtype == pl.Binary:
        return T.BinaryType()
    if isinstance(dtype, pl.List):
        inner = dtype.inner
        assert isinstance(inner, pl.DataType)  # a list's inner dtype is an instance
        return T.ArrayType(spark_type(inner), containsNull=True)
    if isinstance(dtype, pl.Struct):
        fields = []
        for f in dtype.fields:
            assert isinstance(f.dtype, pl.DataType)  # a struct field's dtype is an instance
            fields.append(T.StructField(f.name, spark_type(f.dtype), nullable=True))
        return T.StructType(fields)
    raise TypeError(f"no Spark type for the polars dtype {dtype}")


def spark_schema(schema: pl.Schema | dict[str, Any]) -> StructType:
    from pyspark.sql import types as T

    return T.StructType([T.StructField(n, spark_type(d), nullable=True) for n, d in schema.items()])


def to_arrow(frame: pl.DataFrame) -> pa.Table:
    """``frame`` in the Arrow types Spark reads (plain, not large, lists)."""
    import pyarrow as pa

    table = frame.to_arrow(compat_level=pl.CompatLevel.oldest())

    def plain(t: pa.DataType) -> pa.DataType:
        if pa.types.is_large_list(t) or pa.types.is_list(t):
            return pa.list_(plain(t.value_type))
        if pa.types.is_struct(t):
            return pa.struct(
                [t.field(i).with_type(plain(t.field(i).type)) for i in range(t.num_fields)]
            )
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


# A partition function's outputs: frames (by name) and any other picklable values.
Outputs = dict[str, Any]


@dataclass(frozen=True)
class _Layout:
    """How ``map_parts`` lays several outputs into one Spark row type: frame output
    ``name`` in columns ``_<k>_<column>``, every other value pickled in ``_meta``."""

    names: tuple[str, ...]
    frames: dict[str, pl.Schema]  # output name -> its polars schema

    def column(self, name: str, column: str) -> str:
        return f"_{self.names.index(name)}_{column}"

    def union_schema(self) -> dict[str, pl.DataType]:
        union: dict[str, pl.DataType] = {"_seq": pl.Int64(), "_out": pl.Int32()}
        union["_meta"] = pl.Binary()
        for name, schema in self.frames.items():
            signed = to_signed(pl.DataFrame(schema=schema)).schema
            union.update({self.column(name, c): d for c, d in signed.items()})
        return union

    def lay_out(self, outputs: Outputs, seq: int) -> pl.DataFrame:
        """One call's outputs as rows of the union schema, in output order."""
        union = self.union_schema()
        parts = []
        for index, name in enumerate(self.names):
            value = outputs[name]
            if name in self.frames:
                frame = to_signed(value.select(list(self.frames[name])))
                part = frame.rename({c: self.column(name, c) for c in frame.columns})
            else:
                part = pl.DataFrame({"_meta": [pickle.dumps(value)]}, schema={"_meta": pl.Binary})
            parts.append(
                part.with_columns(_seq=pl.lit(seq, pl.Int64), _out=pl.lit(index, pl.Int32))
            )
        rows = pl.concat(parts, how="diagonal_relaxed") if parts else pl.DataFrame()
        return rows.select(
            pl.col(c).cast(d) if c in rows.columns else pl.lit(None, d).alias(c)
            for c, d in union.items()
        )

    def split(self, rows: pl.DataFrame) -> Outputs:
        """The collected rows back as outputs: frames concatenated in call order, other
        values as the list of every call's value."""
        rows = rows.sort("_seq", maintain_order=True)
        out: Outputs = {}
        for index, name in enumerate(self.names):
            mine = rows.filter(pl.col("_out") == index)
            if name in self.frames:
                schema = self.frames[name]
                frame = mine.select(pl.col(self.column(name, c)).alias(c) for c in schema)
                out[name] = restore(frame, schema).cast(schema)  # type: ignore[arg-type]
            else:
                out[name] = [pickle.loads(v) for v in mine["_meta"].to_list()]
        return out


def map_parts(
    df: DataFrame,
    func: Callable[[pl.DataFrame], Outputs],
    *,
    empty: pl.DataFrame,
    whole_partitions: bool = False,
) -> Outputs:
    """``func`` run on every Arrow batch of ``df`` (or every whole partition), its outputs
    collected to the driver: each frame output concatenated in ``df``'s order, each other
    output as the list of the values of every call (a partition's counts, to be summed).

    ``empty``: ``df``'s rows as ``func`` takes them (polars dtypes), with no rows; ``func``
    is run on it once to learn the outputs' names and schemas."""
    sample = func(empty)
    layout = _Layout(
        tuple(sample),
        {k: v.schema for k, v in sample.items() if isinstance(v, pl.DataFrame)},
    )
    inputs = empty.schema

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        context = TaskContext.get()
        base = (context.partitionId() if context is not None else 0) << 32
        frames = _frames(batches, whole=whole_partitions)
        for number, frame in enumerate(frames):
            rows = layout.lay_out(func(restore(frame, inputs)), base + number)
            yield from to_arrow(rows).to_batches()

    result = df.mapInArrow(run, spark_schema(layout.union_schema()))
    frame = pl.from_arrow(result.toArrow())
    assert isinstance(frame, pl.DataFrame)
    return layout.split(frame)


def _frames(batches: Iterator[pa.RecordBatch], *, whole: bool) -> Iterator[pl.DataFrame]:
    """The batches as polars frames, or (``whole``) one frame of all of them."""
    import pyarrow as pa

    if not whole:
        for batch in batches:
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            yield frame
        return
    collected = list(batches)
    if collected:
        frame = pl.from_arrow(pa.Table.from_batches(collected))
        assert isinstance(frame, pl.DataFrame)
        yield frame
