"""`listbuilder dedupe` as library calls: read, normalize, dedupe, write (or explain a pair)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from listbuilder.dedupe.explain import PairExplanation, explain_pair
from listbuilder.dedupe.merge import Deduped, dedupe_companies
from listbuilder.dedupe.settings import DedupeSettings


@dataclass
class DedupeRun:
    """What `listbuilder dedupe` did: the rows, the result and the files written."""

    rows: int  # usable rows (a name or a domain), the ones deduplicated
    result: Deduped
    paths: dict[str, Path]
    read: int | None = None  # rows read, usable or not
    warning: str | None = None  # more than 5% unusable: how many, and the unknown columns

    def summary(self) -> str:
        merged = self.result.rejects.height
        clusters = (
            self.result.clusters["cluster_id"].n_unique() if self.result.clusters.height else 0
        )
        p = self.paths
        read = self.rows if self.read is None else self.read
        unusable = read - self.rows
        head = f"{read:,} rows" + (
            f" ({unusable:,} unusable, in {Path(str(p['rejects'])).name}; {self.rows:,} usable)"
            if unusable
            else ""
        )
        return (
            f"{head} -> {self.result.companies.height:,} companies "
            f"({merged} duplicates merged into {clusters} clusters; "
            f"{self.result.candidates} candidate pairs compared); "
            f"wrote {p['companies']}, {p['clusters']}, {p['rejects']}"
        )


def _read(
    paths: Sequence[str | Path],
    *,
    input_format: str | None = None,
    encoding: str | None = None,
    column_map: dict[str, str] | None = None,
    engine: Any = "polars",
) -> tuple[pl.DataFrame, pl.DataFrame, str | None]:
    from listbuilder.ingest.usable import unusable_warning
    from listbuilder.spark.engine import resolve_stages

    on = resolve_stages(engine)  # in this process, or on Spark (Spark paths included)
    ingested = on.read_companies(
        list(paths), format=input_format, encoding=encoding, column_map=column_map
    )
    companies, unusable = on.normalize_companies(ingested.companies)
    rejects = pl.concat([ingested.rejects, unusable], how="diagonal_relaxed")
    read = ingested.companies.height + ingested.rejects.height
    return (
        companies,
        rejects,
        unusable_warning(ingested.reports, read=read, unusable=rejects.height),
    )


def dedupe_lists(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    *,
    settings: DedupeSettings | None = None,
    source_priority: Sequence[str] | None = None,
    engine: Any = "polars",
    input_format: str | None = None,
    encoding: str | None = None,
    column_map: dict[str, str] | None = None,
) -> DedupeRun:
    """Read ``paths``, merge duplicates and write companies/clusters/rejects into ``out_dir``.

    ``engine``: ``"polars"``, ``"spark"`` or a ``MatchEngine`` (``listbuilder.spark``).
    ``input_format``, ``encoding`` and ``column_map`` are read_companies' (``--input-format``,
    ``--encoding``, ``--map``). ``.warning`` is set when more than 5% of rows are unusable.

    Example::

        run = dedupe_lists(["vendor_a.csv", "vendor_b.xlsx"], "deduped/")
        print(run.summary())
    """
    from listbuilder.spark.engine import resolve_engine, resolve_stages

    on = resolve_stages(engine)  # where reading and writing run
    companies, earlier, warning = _read(
        paths, input_format=input_format, encoding=encoding, column_map=column_map, engine=on
    )
    result = dedupe_companies(
        companies,
        settings=settings,
        source_priority=source_priority,
        engine=resolve_engine(engine),
    )
    # a Spark path (hdfs://, s3a://, file://) gets Parquet datasets, written by Spark
    written = on.write_dedupe_outputs(out_dir, result, earlier_rejects=earlier)
    return DedupeRun(
        rows=companies.height,
        result=result,
        paths=written,
        read=companies.height + earlier.height,
        warning=warning,
    )


def explain_lists(
    paths: Sequence[str | Path],
    a: str,
    b: str,
    *,
    settings: DedupeSettings | None = None,
    input_format: str | None = None,
    encoding: str | None = None,
    column_map: dict[str, str] | None = None,
) -> PairExplanation:
    """Read ``paths`` and explain rows ``a`` and ``b`` (``file:line``)."""
    companies, _, _ = _read(
        paths, input_format=input_format, encoding=encoding, column_map=column_map
    )
    return explain_pair(companies, a, b, settings=settings)
