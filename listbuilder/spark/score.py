"""Scoring on Spark: the one compiled polars plan, run on every partition.

The profile compiles to polars expressions in one place (``score/compile.py``); Spark does
not get a second back end (Spark SQL would format floats as text, round and compare
strings its own way, and drift from polars rule by rule). Instead ``score_companies`` and
``measure_coverage`` run unchanged on every Arrow batch, and Spark moves the data. That
works because every output is row-local or a sum: each account's score, breakdown and
reject depend on its own row only; the unknown counts and the coverage are counts (summed
over partitions) and a best reachable fit (their maximum). ``merge_scored`` and
``merge_coverage`` are those sums, checked against one-machine runs in the tests.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import polars as pl

from listbuilder.score import Coverage, Scored, measure_coverage, score_companies
from listbuilder.spark.frames import Outputs, map_parts

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

    from listbuilder.profile.model import Profile


def score_on_spark(frame: DataFrame, empty: pl.DataFrame, profiles: list[Profile]) -> Scored:
    """``score_companies`` on every partition of ``frame`` (not empty; ``empty``: its
    polars schema, no rows)."""

    def run(part: pl.DataFrame) -> Outputs:
        scored = score_companies(part, profiles)
        return {f.name: getattr(scored, f.name) for f in dataclasses.fields(Scored)}

    return merge_scored(map_parts(frame, run, empty=empty))


def merge_scored(outputs: Outputs) -> Scored:
    """A ``Scored`` from the partitions' outputs: frames as concatenated, counts summed."""
    values: dict[str, Any] = {
        name: value if isinstance(value, pl.DataFrame) else sum_counts(value, name)
        for name, value in outputs.items()
    }
    return Scored(**values)


def sum_counts(parts: list[Any], name: str) -> Any:
    """Partition counts added up: ints, or (nested) dicts of them, keys in first-seen order."""
    if all(isinstance(p, int) and not isinstance(p, bool) for p in parts):
        return sum(parts)
    if all(isinstance(p, dict) for p in parts):
        merged: dict[Any, list[Any]] = {}
        for part in parts:
            for key, value in part.items():
                merged.setdefault(key, []).append(value)
        return {key: sum_counts(values, name) for key, values in merged.items()}
    raise TypeError(f"Scored.{name}: no rule to merge {type(parts[0]).__name__} over partitions")


def coverage_on_spark(
    frame: DataFrame, empty: pl.DataFrame, profiles: list[Profile]
) -> list[Coverage]:
    """``measure_coverage`` on every partition of ``frame`` (not empty), merged."""

    def run(part: pl.DataFrame) -> Outputs:
        return {"coverage": measure_coverage(part, profiles)}

    return merge_coverage(map_parts(frame, run, empty=empty)["coverage"])


def merge_coverage(parts: list[list[Coverage]]) -> list[Coverage]:
    """Coverages of slices of one list as the coverage of the whole: accounts and known
    counts summed, the best reachable fit the largest, absent the criteria no slice knows."""
    merged = []
    for covs in zip(*parts, strict=True):
        total = sum(c.accounts for c in covs)
        lines = tuple(
            dataclasses.replace(
                line,
                known=sum(c.lines[j].known for c in covs),
                total=sum(c.lines[j].total for c in covs),
            )
            for j, line in enumerate(covs[0].lines)
        )
        reach = max(c.reachable for c in covs) if total else 0.0
        absent = tuple(x for x in lines if x.kind == "criterion" and x.known == 0 and total)
        merged.append(
            dataclasses.replace(
                covs[0], accounts=total, lines=lines, reachable=reach, absent=absent
            )
        )
    return merged
