"""Where the list-sized stages run: in this process (``InProcess``) or on Spark.

``SparkEngine`` is the ``dedupe.matcher.MatchEngine`` that runs on Spark, and it runs the
other stages whose cost grows with the list (ingest, normalisation, coverage, scoring,
ranking) under the same names as the library functions they stand for; ``InProcess``
calls those functions directly. ``resolve_stages(engine)`` gives the one ``build`` uses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

import polars as pl

from listbuilder.errors import InputError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from listbuilder.dedupe.matcher import MatchEngine
    from listbuilder.dedupe.merge import Deduped
    from listbuilder.dedupe.model import MatchModel
    from listbuilder.dedupe.settings import DedupeSettings
    from listbuilder.ingest import Ingested
    from listbuilder.profile.model import Profile
    from listbuilder.score import Coverage, Scored


# a URI scheme of two letters or more (`C:/` is a Windows drive), then `:/` (Spark writes
# `file:/tmp/x` as well as `file:///tmp/x`)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:/")


def is_spark_path(path: str | Path) -> bool:
    """A URI Spark reads itself (``file:///``, ``hdfs://``, ``s3a://``...), not a local path."""
    return isinstance(path, str) and bool(_SCHEME.match(path))


@dataclass(frozen=True)
class SparkOptions:
    """Where Spark runs (``master``; None: ``spark-submit``'s, else ``local[*]``) and the
    configuration passed through to it."""

    master: str | None = None
    conf: Mapping[str, str] = field(default_factory=dict)


def parse_spark_conf(values: Sequence[str]) -> dict[str, str]:
    """``["spark.executor.memory=4g", ...]`` as a dict; a value without ``=`` is refused."""
    conf: dict[str, str] = {}
    bad = [v for v in values if "=" not in v or not v.split("=", 1)[0].strip()]
    if bad:
        raise InputError(f"--spark-conf {bad[0]!r}: use key=value, e.g. spark.executor.memory=4g")
    for value in values:
        key, _, setting = value.partition("=")
        conf[key.strip()] = setting.strip()
    return conf


class Stages(Protocol):
    """The list-sized stages ``build`` runs, under the names of the library functions."""

    def read_companies(self, paths: Sequence[str | Path], **reading: Any) -> Ingested: ...

    def normalize_companies(self, df: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]: ...

    def measure_coverage(self, df: pl.DataFrame, profiles: list[Profile]) -> list[Coverage]: ...

    def score_companies(self, df: pl.DataFrame, profiles: list[Profile]) -> Scored: ...

    def rank_companies(
        self, df: pl.DataFrame, **options: Any
    ) -> tuple[pl.DataFrame, pl.DataFrame]: ...

    def write_dedupe_outputs(
        self, out_dir: str | Path, deduped: Deduped, *, earlier_rejects: pl.DataFrame | None
    ) -> dict[str, Any]: ...


class InProcess:
    """The stages in this process, in polars: the library functions themselves."""

    def read_companies(self, paths: Sequence[str | Path], **reading: Any) -> Ingested:
        from listbuilder.ingest import read_companies

        return read_companies(list(paths), **reading)

    def normalize_companies(self, df: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        from listbuilder.normalize import normalize_companies

        return normalize_companies(df)

    def measure_coverage(self, df: pl.DataFrame, profiles: list[Profile]) -> list[Coverage]:
        from listbuilder.score import measure_coverage

        return measure_coverage(df, profiles)

    def score_companies(self, df: pl.DataFrame, profiles: list[Profile]) -> Scored:
        from listbuilder.score import score_companies

        return score_companies(df, profiles)

    def rank_companies(self, df: pl.DataFrame, **options: Any) -> tuple[pl.DataFrame, pl.DataFrame]:
        from listbuilder.rank import rank_companies

        return rank_companies(df, **options)

    def write_dedupe_outputs(
        self, out_dir: str | Path, deduped: Deduped, *, earlier_rejects: pl.DataFrame | None
    ) -> dict[str, Any]:
        from listbuilder.dedupe.output import write_dedupe_outputs

        return write_dedupe_outputs(out_dir, deduped, earlier_rejects=earlier_rejects)


class SparkEngine:
    """Ingest, normalisation, blocking, pairwise comparison and scoring of pairs, connected
    components, coverage, profile scoring and ranking on Spark.

    The session starts on first use (``session``), so building an engine costs nothing
    and ``import listbuilder`` never imports pyspark. Answers are the polars engine's:
    the same functions run on every partition, and what needs the whole list (counts,
    the cut) is summed or run once.
    """

    def __init__(self, options: SparkOptions | None = None, *, session: SparkSession | None = None):
        self.options = options or SparkOptions()
        self._session = session
        # the last frame sent to Spark and its Spark copy: coverage and scoring read one
        self._sent: tuple[pl.DataFrame, DataFrame] | None = None
        # the frame read_companies returned, and its normalisation (found in the same pass)
        self._normalized: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame] | None = None

    @property
    def session(self) -> SparkSession:
        if self._session is None:
            from listbuilder.spark.session import start_session

            self._session = start_session(self.options.master, self.options.conf)
        return self._session

    def _to_spark(self, df: pl.DataFrame) -> DataFrame:
        """``df`` on Spark, sent once however many stages in a row read it."""
        if self._sent is None or self._sent[0] is not df:
            from listbuilder.spark.frames import to_spark

            self._sent = (df, to_spark(self.session, df))
        return self._sent[1]

    def match_pairs(
        self, m: pl.DataFrame, settings: DedupeSettings
    ) -> tuple[pl.DataFrame, MatchModel, int]:
        from listbuilder.spark.match import match_pairs

        return match_pairs(self.session, m, settings)

    def connected_components(self, pairs: pl.DataFrame) -> pl.DataFrame:
        from listbuilder.spark.components import component_labels
        from listbuilder.spark.frames import to_polars, to_spark

        edges = to_spark(self.session, pairs.select("i", "j"))
        labels = to_polars(component_labels(edges), {"_i": pl.UInt32, "_comp": pl.UInt32})
        return labels.sort("_i")

    def read_companies(self, paths: Sequence[str | Path], **reading: Any) -> Ingested:
        """The lists read and parsed on Spark; normalised in the same pass, so that
        ``normalize_companies`` on the frame returned costs no second trip to Spark."""
        from listbuilder.spark.ingest import read_companies

        read = read_companies(self.session, paths, **reading)
        self._normalized = (read.ingested.companies, read.usable, read.unusable)
        return read.ingested

    def normalize_companies(self, df: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        done, self._normalized = self._normalized, None
        if done is not None and done[0] is df:
            return done[1], done[2]
        if df.height == 0:
            return InProcess().normalize_companies(df)
        from listbuilder.spark.ingest import normalize_companies

        return normalize_companies(self._to_spark(df), df.head(0))

    def measure_coverage(self, df: pl.DataFrame, profiles: list[Profile]) -> list[Coverage]:
        if df.height == 0:
            return InProcess().measure_coverage(df, profiles)
        from listbuilder.spark.score import coverage_on_spark

        return coverage_on_spark(self._to_spark(df), df.head(0), profiles)

    def score_companies(self, df: pl.DataFrame, profiles: list[Profile]) -> Scored:
        if df.height == 0:
            return InProcess().score_companies(df, profiles)
        from listbuilder.spark.score import score_on_spark

        scored = score_on_spark(self._to_spark(df), df.head(0), profiles)
        self._sent = None  # coverage came first; nothing reads this frame after scoring
        return scored

    def rank_companies(self, df: pl.DataFrame, **options: Any) -> tuple[pl.DataFrame, pl.DataFrame]:
        from listbuilder.spark.rank import rank_on_spark

        return rank_on_spark(self.session, df, **options)

    def write_dedupe_outputs(
        self, out_dir: str | Path, deduped: Deduped, *, earlier_rejects: pl.DataFrame | None
    ) -> dict[str, Any]:
        """Parquet datasets written by Spark on a Spark path; local CSV files elsewhere."""
        if not is_spark_path(out_dir):
            return InProcess().write_dedupe_outputs(
                out_dir, deduped, earlier_rejects=earlier_rejects
            )
        from listbuilder.spark.output import dedupe_frames, write_parquet_outputs

        frames = dedupe_frames(deduped, earlier_rejects)
        return write_parquet_outputs(self.session, str(out_dir), frames)


def resolve_engine(engine: Any) -> MatchEngine | None:
    """The dedupe engine for ``engine=``: None for ``"polars"`` (the default, in this
    process), a local-mode ``SparkEngine`` for ``"spark"``, or the engine given."""
    if engine is None or engine == "polars":
        return None
    if engine == "spark":
        return SparkEngine()
    if isinstance(engine, str):
        raise InputError(f"engine {engine!r}: use polars or spark")
    return cast("MatchEngine", engine)


def resolve_stages(engine: Any) -> Stages:
    """Where ``build``'s list-sized stages run for ``engine=``: ``InProcess`` for
    ``"polars"`` (the default) or an engine of dedupe only, a local-mode ``SparkEngine``
    for ``"spark"``, or the engine given (a ``SparkEngine``)."""
    if engine is None or engine == "polars":
        return InProcess()
    if engine == "spark":
        return SparkEngine()
    if isinstance(engine, str):
        raise InputError(f"engine {engine!r}: use polars or spark")
    if all(callable(getattr(engine, name, None)) for name in _STAGE_NAMES):
        return cast("Stages", engine)
    return InProcess()  # a MatchEngine only: the other stages in this process


_STAGE_NAMES = (
    "read_companies",
    "normalize_companies",
    "measure_coverage",
    "score_companies",
    "rank_companies",
    "write_dedupe_outputs",
)
