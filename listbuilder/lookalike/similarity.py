"""Blocked nearest seeds: accounts × seeds similarities a block of rows at a time.

The account matrix (sparse, n × V) times the dense seed block (V × m) gives one
block of similarities (rows × m, float32); the k nearest seeds of each row are taken
by k rounds of `argmax` (ties: the seed that comes first in the seeds file), so memory
stays at one block whatever the list's length.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from listbuilder.lookalike.features import Features

BLOCK_ROWS = 8192


@dataclass(frozen=True)
class Neighbours:
    """Per account: its nearest seeds (index into the seeds, -1 = none) and similarities."""

    index: np.ndarray  # int32 n × k
    similarity: np.ndarray  # float32 n × k (0–1; NaN where no seed)
    score: np.ndarray  # float64 n: 100 × the mean similarity of the nearest seeds


def nearest_seeds(
    features: Features,
    *,
    k: int,
    usable: np.ndarray,
    self_seed: np.ndarray | None = None,
    block_rows: int = BLOCK_ROWS,
) -> Neighbours:
    """The `k` most similar usable seeds of every account.

    `usable` (bool per seed): seeds that may be neighbours. `self_seed` (int per
    account, -1 for none): the seed an account *is* (a customer found in the list),
    never its own neighbour.
    """
    a = features.account_matrix()
    b = features.seed_matrix()
    n, m = a.shape[0], b.shape[1]
    k = max(1, min(k, m))
    index = np.full((n, k), -1, dtype=np.int32)
    similarity = np.full((n, k), np.nan, dtype=np.float32)
    if m == 0 or n == 0:
        return Neighbours(index, similarity, np.zeros(n))
    banned = ~np.asarray(usable, dtype=bool)
    for lo in range(0, n, block_rows):
        hi = min(n, lo + block_rows)
        block = np.asarray(a[lo:hi] @ b, dtype=np.float32)
        block[:, banned] = -np.inf
        rows = np.arange(hi - lo)
        if self_seed is not None:
            own = self_seed[lo:hi]
            hit = own >= 0
            block[rows[hit], own[hit]] = -np.inf
        for j in range(k):
            best = np.argmax(block, axis=1)  # the first of equal maxima: explicit tie-break
            value = block[rows, best]
            ok = np.isfinite(value)
            index[lo:hi, j] = np.where(ok, best, -1)
            similarity[lo:hi, j] = np.where(ok, value, np.nan)
            block[rows, best] = -np.inf
    with np.errstate(invalid="ignore"):
        counts = np.isfinite(similarity).sum(axis=1)
        totals = np.nansum(similarity.astype(np.float64), axis=1)
        score = np.where(counts > 0, 100.0 * totals / np.maximum(counts, 1), 0.0)
    return Neighbours(index, similarity, np.clip(score, 0.0, 100.0))
