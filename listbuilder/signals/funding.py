"""What the events files say of an account's funding, where the list says nothing.

A Crunchbase export has no `funding_stage`; its rounds file has every round. The latest
round of each account fills the list's empty `funding_stage` and `last_funding_date`, and
the `derived` column says which field came from which event line, so the brief and
`explain` can show "Series B (derived: rounds.csv:812)" rather than a miss.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl

DERIVED_COLUMN = "derived"  # "funding_stage=Series B (rounds.csv:812); last_funding_date=..."


def derive_funding(companies: pl.DataFrame, funding: pl.DataFrame | None) -> pl.DataFrame:
    """Fill empty `funding_stage` / `last_funding_date` from each account's latest file
    round (`SignalScores.funding`); record what was filled, and from where, in `derived`.

    A value the list has is never replaced: the vendor's own field wins over a round."""
    if funding is None or not funding.height or "row_id" not in companies.columns:
        return companies
    work = companies
    for name, dtype in (("funding_stage", pl.String), ("last_funding_date", pl.Date)):
        if name not in work.columns:
            work = work.with_columns(pl.lit(None, dtype=dtype).alias(name))
    if DERIVED_COLUMN not in work.columns:
        work = work.with_columns(pl.lit(None, dtype=pl.String).alias(DERIVED_COLUMN))
    joined = work.join(funding, on="row_id", how="left", maintain_order="left")
    stage = pl.col("funding_stage").is_null() & pl.col("round_stage").is_not_null()
    when = pl.col("last_funding_date").is_null() & pl.col("round_date").is_not_null()
    note = pl.concat_str(
        [
            pl.col(DERIVED_COLUMN),
            pl.when(stage).then(
                pl.format("funding_stage={} ({})", pl.col("round_stage"), pl.col("round_source"))
            ),
            pl.when(when).then(
                pl.format(
                    "last_funding_date={} ({})",
                    pl.col("round_date").dt.to_string("%Y-%m-%d"),
                    pl.col("round_source"),
                )
            ),
        ],
        separator="; ",
        ignore_nulls=True,
    )
    return joined.with_columns(
        pl.when(stage)
        .then(pl.col("round_stage"))
        .otherwise(pl.col("funding_stage"))
        .alias("funding_stage"),
        pl.when(when)
        .then(pl.col("round_date"))
        .otherwise(pl.col("last_funding_date"))
        .alias("last_funding_date"),
        pl.when(note.str.len_chars() > 0).then(note).otherwise(None).alias(DERIVED_COLUMN),
    ).drop(*(c for c in funding.columns if c != "row_id"))


def derived_fields(value: str | None) -> dict[str, str]:
    """`derived` cell -> {field: "Series B (rounds.csv:812)"}."""
    out: dict[str, str] = {}
    for part in (value or "").split("; "):
        field, sep, rest = part.partition("=")
        if sep:
            out[field] = rest
    return out


def stale_events_warning(newest: date | None, rules: Sequence[Any], *, as_of: date) -> str | None:
    """A warning when the newest event is older than every rule's `max_age_days` as of
    `as_of` (an old data set scored as of today: no boost can apply), else None."""
    limits = [r.max_age_days for r in rules]
    if newest is None or not limits or any(limit is None for limit in limits):
        return None
    age = (as_of - newest).days
    oldest = max(limits)
    if age <= oldest:
        return None
    return (
        f"warning: signals: the newest event ({newest.isoformat()}) is {age:,} days before "
        f"{as_of.isoformat()}, past every signal's max_age_days (at most {oldest:g}): no boost "
        f"applies — pass --as-of {newest.isoformat()} to score as of the data's date"
    )
