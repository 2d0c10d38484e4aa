"""Lookalikes: rank a purchased list by resemblance to your best customers (the seeds).

`find_lookalikes(lists, seeds=...)` reads, normalizes and dedupes the lists as `build`
does, finds the seeds in them with the dedupe match model, and scores every account
0–100 by its similarity to its nearest seeds over the canonical fields, with a one-line
why. `score_lookalikes(accounts, read_seeds(path, accounts))` does the scoring alone on
frames; `describe_seeds` says what the seeds share against the list's base rates and
drafts a profile from it.

The names below are imported on first use: the profile loader reads
`listbuilder.lookalike.settings` without paying for scipy and the matcher.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from listbuilder.lookalike.core import (
        SCORE_SCHEMA,
        Lookalikes,
        find_lookalikes,
        rank_lookalikes,
        score_lookalikes,
    )
    from listbuilder.lookalike.describe import SeedProfile, describe_seeds
    from listbuilder.lookalike.seeds import Seeds, read_seeds

_WHERE = {
    "SCORE_SCHEMA": "core",
    "Lookalikes": "core",
    "find_lookalikes": "core",
    "rank_lookalikes": "core",
    "score_lookalikes": "core",
    "SeedProfile": "describe",
    "describe_seeds": "describe",
    "Seeds": "seeds",
    "read_seeds": "seeds",
}

__all__ = [
    "SCORE_SCHEMA",
    "Lookalikes",
    "SeedProfile",
    "Seeds",
    "describe_seeds",
    "find_lookalikes",
    "rank_lookalikes",
    "read_seeds",
    "score_lookalikes",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"listbuilder.lookalike.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'listbuilder.lookalike' has no attribute {name!r}")
