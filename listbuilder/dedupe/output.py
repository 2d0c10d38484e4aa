"""Write a dedupe result: the merged list, clusters.csv and the rejects, as CSV.

Cells that Excel would run as a formula (``=``, ``+``, ``-``, ``@``) are
prefixed with a quote; lists are joined with "; ". Each file is written to a
temporary name and renamed, so an interrupted run leaves no half-written file.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from listbuilder.dedupe.merge import Deduped
from listbuilder.errors import InputError

_FORMULA = r"^[=+\-@]"


def _flatten(df: pl.DataFrame) -> pl.DataFrame:
    exprs = []
    for name, dtype in df.schema.items():
        c = pl.col(name)
        if isinstance(dtype, pl.List):
            c = c.list.eval(pl.element().cast(pl.String)).list.join("; ")
        elif dtype != pl.String:
            exprs.append(c)
            continue
        exprs.append(
            pl.when(c.str.contains(_FORMULA)).then(pl.lit("'") + c).otherwise(c).alias(name)
        )
    return df.select(exprs)


def write_csv_atomic(df: pl.DataFrame, path: Path) -> None:
    """Write ``df`` as CSV to ``path`` through a temporary file and a rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    _flatten(df).write_csv(tmp)
    os.replace(tmp, path)


def write_dedupe_outputs(
    out_dir: str | Path, deduped: Deduped, *, earlier_rejects: pl.DataFrame | None = None
) -> dict[str, Path]:
    """Write companies.csv, clusters.csv and rejects.csv into ``out_dir``; return the paths.

    ``earlier_rejects`` (ingest, normalize) go first in rejects.csv so the file closes the count.
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out}: cannot create the output directory ({exc.strerror})") from None
    paths = {
        "companies": out / "companies.csv",
        "clusters": out / "clusters.csv",
        "rejects": out / "rejects.csv",
    }
    write_csv_atomic(deduped.companies, paths["companies"])
    write_csv_atomic(deduped.clusters, paths["clusters"])
    rejects = deduped.rejects
    if earlier_rejects is not None:
        rejects = pl.concat([earlier_rejects.select(rejects.columns).cast(rejects.schema), rejects])
    write_csv_atomic(rejects, paths["rejects"])
    return paths
