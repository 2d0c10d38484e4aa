"""The files `listbuilder lookalike` writes: the ranked list, the seeds as used, the draft."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from listbuilder.export.files import write_csv_atomic, write_text_atomic
from listbuilder.lookalike.core import Lookalikes
from listbuilder.lookalike.describe import SeedProfile

# lookalikes.csv, in this order (absent columns are left out)
LOOKALIKE_COLUMNS = (
    "rank", "lookalike_score", "name", "domain", "website", "is_seed", "nearest_seeds",
    "lookalike_why", "industry", "employees", "revenue", "country", "state", "city",
    "funding_stage", "founded_year", "technologies", "departments", "source", "line",
    "source_rows",
)  # fmt: skip
SEED_COLUMNS = ("seed_line", "seed_name", "domain", "found_by", "list_record", "usable", "reason")


def lookalikes_frame(result: Lookalikes) -> pl.DataFrame:
    """The ranked accounts as written to lookalikes.csv."""
    ranked = result.accounts if result.accounts is not None else pl.DataFrame()
    return ranked.select(c for c in LOOKALIKE_COLUMNS if c in ranked.columns)


def seeds_frame(result: Lookalikes) -> pl.DataFrame:
    """The seeds as used: how each was found in the list, and why a seed was set aside."""
    seeds = result.seeds.frame
    return seeds.select(c for c in SEED_COLUMNS if c in seeds.columns)


def write_lookalikes(
    out_dir: str | Path,
    result: Lookalikes,
    *,
    described: SeedProfile | None = None,
) -> dict[str, Path]:
    """Write lookalikes.csv, seeds.csv (and seed_profile.toml with `described`), each
    atomically; return them by name."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "lookalikes.csv": write_csv_atomic(out / "lookalikes.csv", lookalikes_frame(result)),
        "seeds.csv": write_csv_atomic(out / "seeds.csv", seeds_frame(result)),
    }
    if described is not None:
        paths["seed_profile.toml"] = write_text_atomic(
            out / "seed_profile.toml", described.to_toml()
        )
    return paths
