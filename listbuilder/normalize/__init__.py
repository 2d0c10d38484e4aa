"""normalize: derived identity columns (domain, platform flag, name key) and the
rejects for rows that identify no company.

``normalize_companies`` is the pipeline stage; ``names``, ``domains`` and ``geo``
hold the building blocks.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import polars as pl

from listbuilder.errors import InputError
from listbuilder.normalize.domains import (
    PLATFORM_DOMAINS,
    is_platform_expr,
    registrable_domain,
    registrable_domain_series,
)
from listbuilder.normalize.names import name_domain, name_domain_expr, name_key, name_key_expr
from listbuilder.schema import COMPANY_FIELDS, DERIVED_SCHEMA, LINEAGE_SCHEMA, REJECT_SCHEMA

__all__ = [
    "PLATFORM_DOMAINS",
    "is_platform_expr",
    "name_domain",
    "name_domain_expr",
    "name_key",
    "name_key_expr",
    "normalize_companies",
    "registrable_domain",
    "registrable_domain_series",
]

REQUIRED_COLUMNS: tuple[str, ...] = ("name", "website", "source", "line")
REJECT_STAGE = "ingest"
REJECT_REASON = "no usable name or domain"


def _derived_position(columns: list[str]) -> int:
    """Where the derived columns go: right after the last lineage/canonical column."""
    known = set(LINEAGE_SCHEMA) | set(COMPANY_FIELDS)
    positions = [i for i, c in enumerate(columns) if c in known]
    return max(positions) + 1 if positions else len(columns)


def _set_aside_derived_names(df: pl.DataFrame) -> pl.DataFrame:
    """Drop derived columns of an earlier run; keep an input ``domain`` as ``domain_input``.

    A frame with all three derived columns was normalized before and is recomputed;
    a frame with only some of them got them from the input file (Fortune 500 lists
    ship a ``domain`` column), which must not be overwritten; ``_input`` is the
    suffix ingest gives such columns too.
    """
    present = [c for c in DERIVED_SCHEMA if c in df.columns]
    if len(present) == len(DERIVED_SCHEMA):
        return df.drop(present)
    renames = {}
    for column in present:
        new = f"{column}_input"
        while new in df.columns:
            new += "_"
        renames[column] = new
    return df.rename(renames)


def normalize_companies(df: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Add ``domain``, ``domain_is_platform``, ``name_key``; split off rows that identify nobody.

    The derived columns (dtypes of ``schema.DERIVED_SCHEMA``) are placed right after
    the lineage and canonical columns, before passthrough columns, as in
    ``schema.empty_companies()``. On a frame normalized before they are recomputed;
    an input column that merely shares a derived name is kept as ``<name>_input``.
    A row with no name key and no company domain (none, or a platform such as
    linkedin.com) goes to the rejects (``schema.REJECT_SCHEMA``, stage ``ingest``,
    detail = the raw website). Row order is kept in both frames.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        names = ", ".join(map(repr, missing))
        raise InputError(
            f"normalize_companies: the companies frame is missing column(s) {names}; "
            'read it with read_companies() or map a header to it with --map "Header=field".'
        )
    website = df["website"].cast(pl.String)
    # Domains and name keys are independent and polars releases the GIL: side by side.
    with ThreadPoolExecutor(max_workers=2) as pool:
        keys_job = pool.submit(
            lambda: df.select(name_key_expr(pl.col("name").cast(pl.String)).alias("name_key"))
        )
        domains = registrable_domain_series(website).alias("domain")
        keys = keys_job.result()
    derived = pl.DataFrame({"domain": domains}).with_columns(
        is_platform_expr(pl.col("domain")).alias("domain_is_platform")
    )
    derived = derived.with_columns(keys["name_key"]).cast(DERIVED_SCHEMA)  # type: ignore[arg-type]

    base = _set_aside_derived_names(df)
    at = _derived_position(base.columns)
    columns = [*base.columns[:at], *DERIVED_SCHEMA, *base.columns[at:]]
    full = pl.concat([base, derived], how="horizontal").select(columns)

    usable = pl.col("name_key").is_not_null() | (
        pl.col("domain").is_not_null() & ~pl.col("domain_is_platform")
    )
    kept = full.filter(usable)
    rejects = full.filter(~usable).select(
        pl.col("source").cast(pl.String),
        pl.col("line").cast(pl.Int64),
        pl.lit(REJECT_STAGE, dtype=pl.String).alias("stage"),
        pl.lit(REJECT_REASON, dtype=pl.String).alias("reason"),
        pl.col("name").cast(pl.String),
        pl.col("domain"),
        pl.col("website").cast(pl.String).alias("detail"),
    )
    return kept, rejects.cast(REJECT_SCHEMA)  # type: ignore[arg-type]
