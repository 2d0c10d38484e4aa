"""`listbuilder dedupe` as library calls: read, normalize, dedupe, write (or explain a pair)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from listbuilder.dedupe.explain import PairExplanation, explain_pair
from listbuilder.dedupe.merge import Deduped, dedupe_companies
from listbuilder.dedupe.output import write_dedupe_outputs
from listbuilder.dedupe.settings import DedupeSettings


@dataclass
class DedupeRun:
    """What `listbuilder dedupe` did: the rows, the result and the files written."""

    rows: int
    result: Deduped
    paths: dict[str, Path]

    def summary(self) -> str:
        merged = self.result.rejects.height
        clusters = (
            self.result.clusters["cluster_id"].n_unique() if self.result.clusters.height else 0
        )
        p = self.paths
        return (
            f"{self.rows} rows -> {self.result.companies.height} companies "
            f"({merged} duplicates merged into {clusters} clusters; "
            f"{self.result.candidates} candidate pairs compared); "
            f"wrote {p['companies']}, {p['clusters']}, {p['rejects']}"
        )


def _read(paths: Sequence[str | Path]) -> tuple[pl.DataFrame, pl.DataFrame]:
    from listbuilder.ingest import read_companies
    from listbuilder.normalize import normalize_companies

    ingested = read_companies(list(paths))
    companies, unusable = normalize_companies(ingested.companies)
    return companies, pl.concat([ingested.rejects, unusable], how="diagonal_relaxed")


def dedupe_lists(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    *,
    settings: DedupeSettings | None = None,
    source_priority: Sequence[str] | None = None,
) -> DedupeRun:
    """Read ``paths``, merge duplicates and write companies/clusters/rejects into ``out_dir``."""
    companies, earlier = _read(paths)
    result = dedupe_companies(companies, settings=settings, source_priority=source_priority)
    written = write_dedupe_outputs(out_dir, result, earlier_rejects=earlier)
    return DedupeRun(rows=companies.height, result=result, paths=written)


def explain_lists(
    paths: Sequence[str | Path], a: str, b: str, *, settings: DedupeSettings | None = None
) -> PairExplanation:
    """Read ``paths`` and explain rows ``a`` and ``b`` (``file:line``)."""
    companies, _ = _read(paths)
    return explain_pair(companies, a, b, settings=settings)
