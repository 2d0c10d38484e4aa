"""Score a list by resemblance to seeds: encode, nearest seeds, the why of each account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from listbuilder.dedupe.settings import DedupeSettings
from listbuilder.errors import InputError
from listbuilder.lookalike.describe import SeedProfile, describe_seeds
from listbuilder.lookalike.explain import why_lines
from listbuilder.lookalike.features import FIELD_SOURCES, Features, coverage, encode
from listbuilder.lookalike.seeds import Seeds, read_seeds
from listbuilder.lookalike.similarity import Neighbours, nearest_seeds

NEIGHBOURS = 3  # the score is the mean similarity of this many nearest seeds

# Columns `score_lookalikes` adds, keyed by `row_id`.
SCORE_SCHEMA: dict[str, pl.DataType] = {
    "row_id": pl.Int64(),
    "lookalike_score": pl.Float64(),  # 0–100
    "is_seed": pl.Boolean(),  # the account is one of the seeds
    "nearest_seeds": pl.String(),  # "Acme; Globex; Initech", nearest first
    "lookalike_why": pl.String(),  # "like Acme and Globex: same 201–500 band, HubSpot"
}


@dataclass(frozen=True)
class Lookalikes:
    """Every account's lookalike score and why, and the seeds as they were used."""

    # every account, in the list's order: SCORE_SCHEMA from score_lookalikes; from
    # find_lookalikes without the why columns, which it puts on the kept `.accounts`
    scores: pl.DataFrame
    seeds: Seeds
    fields: dict[str, float]  # similarity field -> weight, the fields in use
    accounts: pl.DataFrame | None = None  # the ranked list (find_lookalikes)
    notes: list[str] = field(default_factory=list)
    described: SeedProfile | None = None  # what the seeds share (find_lookalikes(describe=))


def _field_list(cov: dict[str, float]) -> str:
    known = [f for f, share in cov.items() if share > 0]
    return ", ".join(known) if known else "none"


def score_lookalikes(
    accounts: pl.DataFrame,
    seeds: Seeds,
    *,
    groups: Sequence[object] = (),
    weights: dict[str, float] | None = None,
    text: bool = False,
    neighbours: int = NEIGHBOURS,
) -> Lookalikes:
    """The lookalike score (0–100), nearest seeds and why of every account of a normalized
    list against `seeds` (from `read_seeds` on the same list). Raises InputError when no
    seed is usable or the seeds share no field with the list."""
    scored = _score(accounts, seeds, groups=groups, weights=weights, text=text, k=neighbours)
    scores = _with_why(scored, np.arange(accounts.height)).drop("_raw")
    return Lookalikes(
        scores=scores, seeds=scored.seeds, fields=scored.features.weights, accounts=accounts
    )


@dataclass(frozen=True)
class _Scored:
    scores: pl.DataFrame  # row_id, lookalike_score, is_seed, _raw (unrounded)
    seeds: Seeds
    features: Features
    near: Neighbours


def _score(
    accounts: pl.DataFrame,
    seeds: Seeds,
    *,
    groups: Sequence[object],
    weights: dict[str, float] | None,
    text: bool,
    k: int,
) -> _Scored:
    seed_frame = seeds.frame
    usable = seed_frame["usable"].to_numpy().copy()
    features = encode(accounts, seed_frame, groups=groups, weights=weights, text=text)
    if not features.fields:
        raise InputError(
            f"{seeds.source}: the seeds share no similarity field with the list (seeds have: "
            f"{_field_list(coverage(seed_frame))}; the list has: "
            f"{_field_list(coverage(accounts))}); give seeds with the list's columns, or "
            "seeds that appear in the list so they take its values"
        )
    no_overlap = usable & (features.seed_weight <= 0)
    usable &= features.seed_weight > 0
    seed_frame = seed_frame.with_columns(
        reason=pl.when(pl.Series(no_overlap))
        .then(pl.lit("no field in common with the list"))
        .otherwise(pl.col("reason")),
        usable=pl.Series(usable),
    )
    seeds = Seeds(seed_frame, seeds.source, seeds.rejected)
    if not usable.any():
        reasons = seed_frame["reason"].drop_nulls().value_counts(sort=True, name="n")
        top = reasons.row(0) if reasons.height else ("no usable row", 0)
        raise InputError(
            f"{seeds.source}: no usable seeds: all {seed_frame.height} seeds were set aside "
            f"(first reason: {top[0]}); add firmographic columns (employees, industry, "
            "country...) or seeds that appear in the list"
        )
    self_seed = _self_seeds(accounts.height, seed_frame)
    near = nearest_seeds(features, k=k, usable=usable, self_seed=self_seed)
    scores = pl.DataFrame(
        {
            "row_id": accounts["row_id"].cast(pl.Int64),
            "lookalike_score": np.round(near.score, 1),
            "is_seed": self_seed >= 0,
            "_raw": near.score,
        }
    )
    return _Scored(scores, seeds, features, near)


def _self_seeds(n: int, seeds: pl.DataFrame) -> np.ndarray:
    """Per list position, the (usable) seed that is that account, else -1."""
    own = np.full(n, -1, dtype=np.int64)
    found = seeds.with_row_index("_s").filter(pl.col("list_row").is_not_null() & pl.col("usable"))
    own[found["list_row"].to_numpy()] = found["_s"].to_numpy()
    return own


def _with_why(scored: _Scored, rows: np.ndarray) -> pl.DataFrame:
    """The score columns of the accounts at positions `rows`, with their why."""
    seeds = scored.seeds.frame
    names = seeds["seed_name"].fill_null("seed line " + seeds["seed_line"].cast(pl.String))
    why = why_lines(scored.features, scored.near, rows, names.to_list())
    out = scored.scores[rows].with_columns(_row=pl.Series(rows, dtype=pl.Int64))
    out = out.join(why, on="_row", how="left", maintain_order="left").drop("_row")
    return out.select(*SCORE_SCHEMA, "_raw")


def find_lookalikes(
    lists: str | Path | Sequence[str | Path],
    *,
    seeds: str | Path,
    exclude_seeds: bool = False,
    top: int | None = None,
    profile: str | Path | None = None,
    text: bool = False,
    neighbours: int = NEIGHBOURS,
    dedupe: bool = True,
    describe: bool = False,
    column_map: dict[str, str] | None = None,
) -> Lookalikes:
    """Rank the accounts of `lists` by resemblance to the best customers in `seeds`.

    The lists are read, normalized and (with `dedupe`) merged as `build` does; a
    `profile` lends its industry groups (the hierarchy) and its `[dedupe]` settings.
    Returns the ranked accounts in `.accounts` (with `rank` and the score columns),
    the seeds as used in `.seeds`. `exclude_seeds` drops the seeds themselves;
    `describe` adds what the seeds share (`.described`, with the draft profile).
    """
    groups, settings = _profile_context(profile)
    if top is not None and top < 1:
        raise InputError(f"--top {top}: give a number of accounts, 1 or more")
    listed = _read_list(lists, settings=settings, dedupe=dedupe, column_map=column_map)
    seed_set = read_seeds(seeds, listed, settings=settings)
    scored = _score(listed, seed_set, groups=groups, weights=None, text=text, k=neighbours)
    ranked = rank_lookalikes(listed, scored.scores, exclude_seeds=exclude_seeds, top=top)
    ranked = _with_kept_why(ranked, listed, scored)
    seeds_used = scored.seeds.frame
    found = int(seeds_used["list_row"].is_not_null().sum())
    notes = [
        f"{seeds_used.height} seeds: {found} found in the list, "
        f"{int(seeds_used['usable'].sum())} used"
    ]
    described = None
    if describe:
        described = describe_seeds(
            listed, seeds_used.filter(pl.col("usable")), source=scored.seeds.source
        )
    return Lookalikes(
        scores=scored.scores.drop("_raw"),
        seeds=scored.seeds,
        fields=scored.features.weights,
        accounts=ranked,
        notes=notes,
        described=described,
    )


def _profile_context(
    profile: str | Path | None,
) -> tuple[Sequence[object], DedupeSettings | None]:
    """A profile's industry groups (the hierarchy) and `[dedupe]` settings; none without."""
    if profile is None:
        return (), None
    from listbuilder.profile import load_profile

    loaded = load_profile(profile)
    return list(loaded.groups.values()), loaded.dedupe


def _read_list(
    lists: str | Path | Sequence[str | Path],
    *,
    settings: DedupeSettings | None,
    dedupe: bool,
    column_map: dict[str, str] | None,
) -> pl.DataFrame:
    """The lists read, normalized and (with `dedupe`) merged as `build` does; InputError
    when no account is left."""
    from listbuilder.dedupe import dedupe_companies
    from listbuilder.ingest import read_companies
    from listbuilder.normalize import normalize_companies

    paths = [lists] if isinstance(lists, str | Path) else list(lists)
    listed, _ = normalize_companies(read_companies(paths, column_map=column_map).companies)
    if dedupe and listed.height:
        listed = dedupe_companies(listed, settings=settings).companies
    if listed.height == 0:
        raise InputError(f"{', '.join(map(str, paths))}: no usable account in the list")
    return listed


def _with_kept_why(ranked: pl.DataFrame, listed: pl.DataFrame, scored: _Scored) -> pl.DataFrame:
    """`nearest_seeds` and `lookalike_why` of the ranked accounts kept only (ranking
    needed every account's score, the why only theirs)."""
    position = listed.select("row_id").with_row_index("_pos")
    keep = ranked.select("row_id").join(position, on="row_id", how="left", maintain_order="left")
    why = _with_why(scored, keep["_pos"].to_numpy().astype(np.int64))
    return ranked.join(
        why.select("row_id", "nearest_seeds", "lookalike_why"), on="row_id", how="left",
        maintain_order="left",
    )  # fmt: skip


def rank_lookalikes(
    accounts: pl.DataFrame,
    scores: pl.DataFrame,
    *,
    exclude_seeds: bool = False,
    top: int | None = None,
) -> pl.DataFrame:
    """Accounts by lookalike score (ties: the unrounded score, then `row_id`), with `rank`."""
    joined = accounts.join(
        scores.select("row_id", "lookalike_score", "is_seed", "_raw"), on="row_id", how="left"
    )
    if exclude_seeds:
        joined = joined.filter(~pl.col("is_seed"))
    ranked = joined.sort(["_raw", "row_id"], descending=[True, False]).drop("_raw")
    if top is not None:
        ranked = ranked.head(top)
    return ranked.with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64))


__all__ = ["FIELD_SOURCES", "Lookalikes", "find_lookalikes", "rank_lookalikes", "score_lookalikes"]
