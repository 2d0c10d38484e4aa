"""Ingest and normalisation on Spark: the polars engine's own functions on every partition.

Each list becomes Spark rows of text (``line`` and one String column per header), then
``ingest.companies``' per-file parsing runs on every partition and the driver merges what
the partitions found (the rows, in line order; the parse counts, summed; the first
unparsed examples, by line). Where the rows come from:

- a plain path: the driver reads it with ``read_raw`` (encodings, BOMs, ragged rows, line
  numbers as ever) and hands its rows to Spark; on a cluster the workers cannot see the
  driver's disk, so the driver reads;
- a Spark path (``file://``, ``hdfs://``, ``s3a://``...) to Parquet: ``spark.read.parquet``
  (a file or a dataset folder of part files), split as Spark splits it; ``line`` is the
  row's index + 1, in the order of the part files' names;
- a Spark path to anything else (CSV, TSV, JSON, XLSX, gzip): Spark reads the bytes
  (``binaryFile``) and a task per file runs ``read_raw`` on them, so line numbers, rejects
  and encodings are the polars engine's; the rows are then spread over the cluster.

The header mapping is decided once, on the driver, from the headers (``_ingest_one`` on
no rows): a list without a name or website column stops there, before any Spark job.

The ingest functions used here are ``ingest``'s per-file internals (``_ingest_one``,
``_named_rejects``, ``_check_overrides``, ``readers._stringify``, ``_unique_headers``):
this module is the one place outside ``ingest`` that reads them.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import polars as pl

from listbuilder.errors import InputError
from listbuilder.ingest import companies as ingest
from listbuilder.ingest import readers
from listbuilder.ingest.aliases import parse_column_map
from listbuilder.ingest.companies import FieldStats, FileReport, Ingested
from listbuilder.ingest.readers import RawTable, read_raw
from listbuilder.schema import DERIVED_SCHEMA, REJECT_SCHEMA
from listbuilder.spark.engine import is_spark_path
from listbuilder.spark.frames import Outputs, map_parts, to_spark

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

_PARQUET_SUFFIXES = (".parquet", ".parq")


@dataclasses.dataclass
class Source:
    """One list as Spark rows: ``table`` holds what the reader learnt (headers, format,
    notes, its rejects; no rows), ``rows`` the records (``line`` + the headers, as text;
    for Parquet the file's own columns, turned into text on each partition)."""

    table: RawTable
    rows: DataFrame
    parquet: bool = False


@dataclasses.dataclass(frozen=True)
class Read:
    """``read_companies``' answer and, from the same pass over the partitions,
    ``normalize_companies``' on it: the usable rows and the rejects."""

    ingested: Ingested
    usable: pl.DataFrame
    unusable: pl.DataFrame


def read_companies(
    spark: SparkSession,
    paths: str | Path | Sequence[str | Path],
    *,
    format: str | None = None,
    encoding: str | None = None,
    column_map: Mapping[str, str] | Sequence[str] | None = None,
) -> Read:
    """``ingest.read_companies`` then ``normalize.normalize_companies``, both on every
    partition in one pass: the same rows, rejects and reports. A Spark path (see
    ``is_spark_path``) is read by Spark, never by this process."""
    if isinstance(paths, str | Path):
        paths = [paths]
    overrides = parse_column_map(column_map)
    sources = [s for p in paths for s in list_sources(spark, p, format=format, encoding=encoding)]
    ingest._check_overrides(overrides, [s.table for s in sources])
    frames, reports, rejects, unusable = [], [], [pl.DataFrame(schema=REJECT_SCHEMA)], []
    for source in sources:
        frame, dropped, report = ingest_source(source, overrides)
        frames.append(frame)
        unusable.append(dropped)
        reports.append(report)
        rejects.append(ingest._named_rejects(source.table, report))
    if not frames:
        from listbuilder.ingest import read_companies as read_nothing
        from listbuilder.normalize import normalize_companies

        nothing = read_nothing([])
        return Read(nothing, *normalize_companies(nothing.companies))
    rows = pl.concat(frames, how="diagonal")
    rows = rows.with_columns(row_id=pl.int_range(pl.len(), dtype=pl.Int64))
    companies = rows.drop([*DERIVED_SCHEMA, _USABLE])
    ingested = Ingested(companies=companies, rejects=pl.concat(rejects), reports=reports)
    usable = rows.filter(pl.col(_USABLE)).drop(_USABLE)
    return Read(ingested, usable, pl.concat(unusable))


_USABLE = "__lb_usable"  # which of a partition's ingested rows normalisation kept


def list_sources(
    spark: SparkSession, path: str | Path, *, format: str | None, encoding: str | None
) -> list[Source]:
    """The lists behind one path: one, or one per file of a Spark folder of text files."""
    if not is_spark_path(path):
        table = read_raw(path, format=format, encoding=encoding)
        rows = to_spark(spark, table.frame)
        return [Source(dataclasses.replace(table, frame=table.frame.head(0)), rows)]
    uri = str(path)
    if (format or "").lower() == "parquet" or _suffix(uri) in _PARQUET_SUFFIXES:
        return [_parquet_source(spark, uri)]
    return _file_sources(spark, uri, format=format, encoding=encoding)


def _suffix(uri: str) -> str:
    return PurePosixPath(uri.rstrip("/")).suffix.lower()


def ingest_source(
    source: Source, overrides: dict[str, str | None]
) -> tuple[pl.DataFrame, pl.DataFrame, FileReport]:
    """``ingest._ingest_one`` then ``normalize_companies`` on every partition of
    ``source.rows``, merged: (the ingested rows in line order, with the derived columns
    and ``_USABLE``; the normalisation rejects; the file's report)."""
    from listbuilder.normalize import normalize_companies

    template = source.table
    ingest._ingest_one(template, overrides)  # the mapping, checked before any Spark job
    headers, parquet = template.headers, source.parquet  # the closure must not hold Spark

    def parse(raw: pl.DataFrame) -> Outputs:
        blank = 0
        if parquet:
            raw, blank = text_rows(raw, headers)
        frame = raw.sort("line", maintain_order=True)
        out, report = ingest._ingest_one(dataclasses.replace(template, frame=frame), overrides)
        found = [(stats, example_lines(frame, stats)) for stats in report.fields]
        kept, rejects = normalize_companies(out)
        dropped = out.join(rejects.select("line"), on="line", how="semi")
        return {
            "kept": kept,
            "dropped": dropped,
            "rejects": rejects,
            "fields": found,
            "blank": blank,
        }

    outputs = map_parts(source.rows, parse, empty=_empty_rows(source))
    rows = pl.concat(
        [
            outputs["kept"].with_columns(pl.lit(True).alias(_USABLE)),
            outputs["dropped"].with_columns(pl.lit(False).alias(_USABLE)),
        ],
        how="diagonal",
    ).sort("line", maintain_order=True)
    blank = sum(outputs["blank"])
    notes = [f"{blank} blank row(s) skipped"] if blank else []
    final = dataclasses.replace(template, notes=[*template.notes, *notes])
    _, report = ingest._ingest_one(final, overrides)
    fields = merge_fields(outputs["fields"]) if outputs["fields"] else report.fields
    report = dataclasses.replace(report, rows=rows.height, fields=fields)
    return rows, outputs["rejects"].sort("line", maintain_order=True), report


def _empty_rows(source: Source) -> pl.DataFrame:
    """``source.rows`` with no rows, in the polars dtypes a partition arrives in."""
    if source.parquet:
        frame = pl.from_arrow(source.rows.limit(0).toArrow())
        assert isinstance(frame, pl.DataFrame)
        return frame
    return pl.DataFrame(schema={"line": pl.Int64, **dict.fromkeys(source.table.headers, pl.String)})


def example_lines(frame: pl.DataFrame, stats: FieldStats) -> list[int]:
    """The first line each of ``stats.examples`` is on (to merge partitions' examples)."""
    column = frame.get_column(stats.header)
    lines = frame.get_column("line")
    return [int(lines.filter(column == value).min()) for value in stats.examples]  # type: ignore[arg-type]


def merge_fields(parts: list[list[tuple[FieldStats, list[int]]]]) -> list[FieldStats]:
    """Every partition's parse counts of each column summed; the examples, the first
    three distinct values by line, as one pass over the whole file gives them."""
    merged = []
    for column in zip(*parts, strict=True):
        first = column[0][0]
        seen = sorted(
            (
                (line, value)
                for stats, lines in column
                for line, value in zip(lines, stats.examples, strict=True)
            ),
            key=lambda pair: pair[0],
        )
        examples = list(dict.fromkeys(value for _, value in seen))[:3]
        merged.append(
            dataclasses.replace(
                first,
                filled=sum(s.filled for s, _ in column),
                parsed=sum(s.parsed for s, _ in column),
                placeholders=sum(s.placeholders for s, _ in column),
                unparsed=sum(s.unparsed for s, _ in column),
                examples=examples,
            )
        )
    return merged


# ---------------------------------------------------------------------------- Parquet


def _parquet_source(spark: SparkSession, uri: str) -> Source:
    """A Parquet file or dataset folder on a Spark path, ``line`` = the row's index + 1
    over the part files in name order (``_metadata``: no Python file IO)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    try:
        data = spark.read.parquet(uri)
        columns = data.columns
    except Exception as exc:  # Spark's AnalysisException: no such path, not Parquet
        raise InputError(f"{uri}: cannot read as Parquet ({_first_line(exc)})") from None
    located = data.select(
        "*", F.col("_metadata.file_path").alias("_file"), F.col("_metadata.row_index").alias("_at")
    )
    counts = located.groupBy("_file").agg(F.count(F.lit(1)).alias("_n"))
    before = F.sum("_n").over(Window.orderBy("_file").rowsBetween(Window.unboundedPreceding, -1))
    offsets = counts.select("_file", F.coalesce(before, F.lit(0)).alias("_offset"))
    rows = located.join(F.broadcast(offsets), on="_file").select(
        (F.col("_offset") + F.col("_at") + 1).alias("line"),
        *[F.col("`" + c.replace("`", "``") + "`") for c in columns],
    )
    names = ["" if c.startswith("__UNNAMED__") else c for c in columns]
    headers = readers._unique_headers(names)
    readers._check_width(len(headers), uri)
    table = RawTable(
        frame=pl.DataFrame(schema={"line": pl.Int64, **dict.fromkeys(headers, pl.String)}),
        path=uri,
        format="parquet",
        encoding=None,
        headers=headers,
    )
    return Source(table, rows, parquet=True)


def text_rows(raw: pl.DataFrame, headers: list[str]) -> tuple[pl.DataFrame, int]:
    """A partition of a Parquet file as ``read_raw`` has it: every value as text under the
    unique headers, blank rows dropped (and counted)."""
    text = readers._stringify(raw.drop("line"))
    text = text.rename(dict(zip(text.columns, headers, strict=True)))
    frame = text.insert_column(0, raw.get_column("line"))
    if not headers:
        return frame, 0
    blank = pl.all_horizontal(
        pl.col(h).is_null() | (pl.col(h).str.strip_chars() == "") for h in headers
    )
    mask = frame.select(blank).to_series()
    return frame.filter(~mask), int(mask.sum())


# ------------------------------------------------------------------- other files on Spark


_RAW_SCHEMA = {"path": pl.String(), "line": pl.Int64(), "values": pl.List(pl.String())}


def _file_sources(
    spark: SparkSession, uri: str, *, format: str | None, encoding: str | None
) -> list[Source]:
    """Text, XLSX or JSON files on a Spark path: Spark reads the bytes, a task per file
    runs ``read_raw`` on them; the rows then spread over ``spark.sql.shuffle.partitions``."""
    from pyspark.sql import functions as F

    from listbuilder.spark.frames import spark_schema

    try:
        files = spark.read.format("binaryFile").load(uri)
        found = sorted(r["path"] for r in files.select("path").collect())
    except Exception as exc:  # Spark's AnalysisException: no such path
        raise InputError(f"{uri}: cannot read ({_first_line(exc)})") from None
    if not found:
        raise InputError(f"{uri}: no such file")
    # one file: the name the user gave, as the polars engine names it
    names = {found[0]: uri} if len(found) == 1 else {p: p for p in found}

    def read(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from listbuilder.spark.frames import to_arrow

        for batch in batches:
            for row in batch.to_pylist():
                name = names.get(row["path"], row["path"])
                yield from to_arrow(read_file(name, row["content"], format, encoding)).to_batches()

    schema = spark_schema({**_RAW_SCHEMA, "meta": pl.Binary()})
    raw = files.select("path", "content").mapInArrow(read, schema).localCheckpoint()
    metas = {r["path"]: r["meta"] for r in raw.where(F.col("meta").isNotNull()).collect()}
    partitions = int(spark.conf.get("spark.sql.shuffle.partitions") or 8)
    sources = []
    for path in found:
        table = _unpack(metas[names[path]])
        mine = raw.where(F.col("meta").isNull() & (F.col("path") == names[path]))
        rows = mine.select(
            "line", *[F.col("values")[i].alias(h) for i, h in enumerate(table.headers)]
        ).repartition(partitions)
        sources.append(Source(table, rows))
    return sources


def read_file(name: str, content: bytes, format: str | None, encoding: str | None) -> pl.DataFrame:
    """``read_raw`` on one file's bytes (in a Spark task): its rows as ``line`` + the values
    in header order, and one last row holding the rest of the table (or the error)."""
    import pickle

    with tempfile.TemporaryDirectory() as folder:
        local = Path(folder) / (PurePosixPath(name.rstrip("/")).name or "list")
        local.write_bytes(content)
        try:
            table = read_raw(local, format=format, encoding=encoding)
        except InputError as exc:
            meta: Any = {"error": str(exc).replace(str(local), name)}
            table = None
    if table is not None:
        rejects = table.rejects.with_columns(source=pl.lit(name, pl.String))
        meta = dataclasses.replace(table, path=name, rejects=rejects, frame=table.frame.head(0))
        rows = table.frame.select(
            pl.lit(name, pl.String).alias("path"),
            "line",
            pl.concat_list(pl.col(h) for h in table.headers).alias("values")
            if table.headers
            else pl.lit([], pl.List(pl.String)).alias("values"),
        )
    else:
        rows = pl.DataFrame(schema=_RAW_SCHEMA)
    last = pl.DataFrame(
        {"path": [name], "meta": [pickle.dumps(meta)]},
        schema={"path": pl.String, "meta": pl.Binary},
    )
    return pl.concat([rows, last], how="diagonal").select([*_RAW_SCHEMA, "meta"])


def _unpack(meta: bytes) -> RawTable:
    import pickle

    table = pickle.loads(meta)
    if isinstance(table, dict):
        raise InputError(table["error"])
    assert isinstance(table, RawTable)
    return table


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


# ---------------------------------------------------------------------------- normalize


def normalize_companies(frame: DataFrame, empty: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``normalize.normalize_companies`` on every partition of ``frame`` (the ingested
    rows; ``empty``: their polars schema): the kept rows and the rejects, in order."""
    from listbuilder.normalize import normalize_companies as normalize

    def run(part: pl.DataFrame) -> Outputs:
        kept, rejects = normalize(part)
        return {"kept": kept, "rejects": rejects}

    outputs = map_parts(frame, run, empty=empty)
    return outputs["kept"], outputs["rejects"]
