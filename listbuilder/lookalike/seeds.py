"""Seeds: the best customers, read like any list and found in the list by the match model.

A seeds file is read by `read_companies` (any vendor's headers: a CRM export, a
Crunchbase export, two columns of names and domains). Each seed is linked to the list
exactly as `learn` links deals (`listbuilder.learn.deals.join_companies`): same company
domain first, then the dedupe match model with the linking prior, more likely than not,
never a namesake abroad. A seed found in the list takes the list's firmographics (the
list's values win over the file's own) and is never its own neighbour.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from listbuilder.dedupe.matcher import blocking_keys, link_to_list, prepare_match_frame
from listbuilder.dedupe.settings import DedupeSettings
from listbuilder.errors import InputError
from listbuilder.ingest import read_companies
from listbuilder.normalize import normalize_companies
from listbuilder.schema import COMPANY_SCHEMA

_FIRMOGRAPHICS = [f for f in COMPANY_SCHEMA if f not in ("name", "website")]
SIMILARITY_COLUMNS = ("employees", "revenue", "total_funding", "industry", "naics", "sic",
                      "technologies", "departments", "country", "funding_stage",
                      "founded_year")  # fmt: skip


@dataclass(frozen=True)
class Seeds:
    """The seeds, one row per seed row of the file, with how each was found in the list.

    `frame` holds the canonical columns (the list's firmographics for a found seed) plus
    `seed_line`, `seed_name` (how the seed reads in explanations), `list_row` (position
    in the list, null when not found), `list_record` (its `file:line` there), `found_by`
    (`domain` or `name p=0.97`), `usable` and `reason` (why a seed is not used).
    """

    frame: pl.DataFrame
    source: str
    rejected: int  # seed rows ingest could not use at all (no name, no domain)

    @property
    def usable(self) -> pl.DataFrame:
        return self.frame.filter(pl.col("usable"))


def _known(frame: pl.DataFrame) -> pl.Expr:
    tests = []
    for c in SIMILARITY_COLUMNS:
        if c not in frame.columns:
            continue
        if frame.schema[c] == pl.List(pl.String):
            tests.append(pl.col(c).list.len().fill_null(0) > 0)
        else:
            tests.append(pl.col(c).is_not_null())
    return pl.any_horizontal(tests) if tests else pl.lit(False)


def _preblock(seeds: pl.DataFrame, listed: pl.DataFrame) -> pl.Series:
    """Positions of list rows that share a blocking key with some seed (domain, brand
    label, name key, its first or last four letters, its sorted tokens; the matcher's
    `blocking_keys`): the matcher then blocks these few rows, not the whole list."""
    s = blocking_keys(prepare_match_frame(seeds))
    lst = blocking_keys(prepare_match_frame(listed))
    hits = []
    for col in ("_dom", "_brand", "_name", "_pre", "_suf", "_sorted"):
        wanted = s[col].drop_nulls().unique()
        hits.append(lst.filter(pl.col(col).is_in(wanted.implode()))["_i"])
    return pl.concat(hits).unique().sort()


def link_seeds(
    seeds: pl.DataFrame, listed: pl.DataFrame, *, settings: DedupeSettings | None = None
) -> pl.DataFrame:
    """`_r` (seed position), `_c` (list position), `found_by`: each seed's list company."""
    settings = settings or DedupeSettings()
    empty = pl.DataFrame(schema={"_r": pl.UInt32, "_c": pl.UInt32, "found_by": pl.String})
    if seeds.height == 0 or listed.height == 0:
        return empty
    positions = _preblock(seeds, listed)
    subset = listed[positions]
    if subset.height == 0:
        return empty
    n0 = seeds.height
    best = link_to_list(seeds, subset, settings, accounts=listed.height)
    back = pl.DataFrame({"_c": np.arange(n0, n0 + subset.height, dtype=np.uint32),
                         "_list": positions.cast(pl.UInt32)})  # fmt: skip
    return best.join(back, on="_c", how="left").select(
        "_r",
        _c=pl.col("_list"),
        found_by=pl.when(pl.col("_rule") == 0)
        .then(pl.lit("domain"))
        .otherwise(pl.format("name p={}", pl.col("_p").round(3))),
    )


def read_seeds(
    path: str | Path,
    listed: pl.DataFrame,
    *,
    settings: DedupeSettings | None = None,
    column_map: dict[str, str] | None = None,
) -> Seeds:
    """Read a seeds file and find each seed in `listed` (a normalized list).

    Raises InputError (one line) when the file has no seed row at all.
    """
    source = str(path)
    raw, rejected = _read_seed_rows(path, column_map=column_map)
    links = link_seeds(raw, listed, settings=settings)
    frame = (
        raw.with_row_index("_r")
        .with_columns(pl.col("_r").cast(pl.UInt32))
        .join(links, on="_r", how="left")
    )
    frame = _mark_usable(_take_list_values(frame, listed))
    return Seeds(frame.drop("_r", "_c", "_list_name", "_first_line"), source, rejected)


def _read_seed_rows(
    path: str | Path, *, column_map: dict[str, str] | None
) -> tuple[pl.DataFrame, int]:
    """The seeds file read and normalized like a list, and how many rows it could not use;
    InputError when no row is usable."""
    ingested = read_companies(path, column_map=column_map)
    raw, unusable = normalize_companies(ingested.companies)
    rejected = ingested.rejects.height + unusable.height
    if raw.height == 0:
        why = (
            f"none of its {rejected} rows has a company name or domain"
            if rejected
            else "the file has a header but no rows"
        )
        raise InputError(
            f"{path}: no usable seeds: {why}; give your best customers with at least a "
            "name or a website column"
        )
    return raw, rejected


def _take_list_values(frame: pl.DataFrame, listed: pl.DataFrame) -> pl.DataFrame:
    """A found seed (`_c`, its list position) takes the list's firmographics over its own,
    and `_list_name` and `list_record` (`file:line`) of its list row."""
    firmo = [c for c in _FIRMOGRAPHICS if c in listed.columns]
    from_list = listed.select(firmo).with_row_index("_c").with_columns(pl.col("_c").cast(pl.UInt32))
    from_list = from_list.rename({c: f"{c}__list" for c in firmo})
    frame = frame.join(from_list, on="_c", how="left", maintain_order="left")
    frame = frame.with_columns(
        pl.coalesce(pl.col(f"{c}__list"), pl.col(c)).alias(c) if c in frame.columns
        else pl.col(f"{c}__list").alias(c)
        for c in firmo
    ).drop([f"{c}__list" for c in firmo])  # fmt: skip
    list_name = listed.select(
        pl.col("name").alias("_list_name"),
        pl.format("{}:{}", pl.col("source"), pl.col("line")).alias("list_record"),
    ).with_row_index("_c")
    return frame.join(
        list_name.with_columns(pl.col("_c").cast(pl.UInt32)), on="_c", how="left",
        maintain_order="left",
    )  # fmt: skip


def _mark_usable(frame: pl.DataFrame) -> pl.DataFrame:
    """`seed_line`, `seed_name`, `list_row`, and `usable` unless a `reason` sets the seed
    aside: the same list company as an earlier seed, or nothing to compare."""
    first_of = pl.col("_r").min().over("_c")
    duplicate = pl.col("_c").is_not_null() & (pl.col("_r") != first_of)
    known = _known(frame)
    return (
        frame.with_columns(
            seed_line=pl.col("line"),
            seed_name=pl.coalesce(pl.col("name"), pl.col("_list_name"), pl.col("domain")),
            list_row=pl.col("_c").cast(pl.Int64),
            _first_line=pl.col("line").min().over("_c"),
        )
        .with_columns(
            reason=pl.when(duplicate)
            .then(pl.format("same company as seed line {}", pl.col("_first_line")))
            .when(~known)
            .then(
                pl.lit(
                    "no firmographics: not found in the list, and no size, industry, country, "
                    "technologies... of its own"
                )  # fmt: skip
            )
            .otherwise(None),
        )
        .with_columns(usable=pl.col("reason").is_null())
    )
