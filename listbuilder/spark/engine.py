"""``SparkEngine``: the ``dedupe.matcher.MatchEngine`` that runs on Spark."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import polars as pl

from listbuilder.errors import InputError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from listbuilder.dedupe.matcher import MatchEngine
    from listbuilder.dedupe.model import MatchModel
    from listbuilder.dedupe.settings import DedupeSettings


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


class SparkEngine:
    """Blocking, pairwise comparison, scoring and connected components on Spark.

    The session starts on first use (``session``), so building an engine costs nothing
    and ``import listbuilder`` never imports pyspark. Answers are the polars engine's:
    same candidate pairs, same levels, same fitted model, same clusters.
    """

    def __init__(self, options: SparkOptions | None = None, *, session: SparkSession | None = None):
        self.options = options or SparkOptions()
        self._session = session

    @property
    def session(self) -> SparkSession:
        if self._session is None:
            from listbuilder.spark.session import start_session

            self._session = start_session(self.options.master, self.options.conf)
        return self._session

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
