"""Small-sample statistics in plain Python: Wilson intervals, risk-ratio intervals,
a seeded percentile bootstrap, and an L2-regularised logistic regression.

Deal sets are small (tens to thousands of rows), so exact, readable code beats a
numeric dependency. Every interval is 95% two-sided.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

Z95 = 1.959963984540054
BOOTSTRAP_RESAMPLES = 1000


def wilson(successes: int, n: int, *, z: float = Z95) -> tuple[float | None, float | None]:
    """Wilson score interval of a proportion; (None, None) when n is 0."""
    if n <= 0:
        return None, None
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def rate_ratio(
    a: int, n1: int, b: int, n2: int, *, z: float = Z95
) -> tuple[float | None, float | None, float | None]:
    """Ratio of two proportions (a/n1) / (b/n2) with Katz's log interval.

    A zero cell gets Haldane's +0.5 in every cell; None when either group is empty.
    """
    if n1 <= 0 or n2 <= 0:
        return None, None, None
    if a == 0 or b == 0 or a == n1 or b == n2:
        a, b, n1, n2 = a + 0.5, b + 0.5, n1 + 1, n2 + 1  # type: ignore[assignment]
    ratio = (a / n1) / (b / n2)
    se = math.sqrt(1 / a - 1 / n1 + 1 / b - 1 / n2)
    return ratio, ratio * math.exp(-z * se), ratio * math.exp(z * se)


def median(values: Sequence[float]) -> float | None:
    """The median (mean of the middle two for an even count); None when empty."""
    if not values:
        return None
    s = sorted(values)
    mid = len(s) // 2
    return float(s[mid]) if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _percentiles(stats: list[float]) -> tuple[float | None, float | None]:
    if not stats:
        return None, None
    stats.sort()
    count = len(stats)
    low = stats[max(0, math.floor(0.025 * count))]
    high = stats[min(count - 1, math.ceil(0.975 * count) - 1)]
    return low, high


def bootstrap(
    values: Sequence[float],
    statistic: Callable[[Sequence[float]], float | None],
    *,
    seed: int = 0,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> tuple[float | None, float | None]:
    """Percentile bootstrap interval of `statistic`, seeded so reruns give the same bounds."""
    if len(values) < 2:
        return None, None
    rng = random.Random(seed)
    data = list(values)
    n = len(data)
    found: list[float] = []
    for _ in range(resamples):
        value = statistic([data[rng.randrange(n)] for _ in range(n)])
        if value is not None:
            found.append(value)
    return _percentiles(found)


def bootstrap_ratio(
    first: Sequence[float],
    second: Sequence[float],
    statistic: Callable[[Sequence[float]], float | None],
    *,
    seed: int = 0,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> tuple[float | None, float | None]:
    """Percentile bootstrap interval of statistic(first) / statistic(second)."""
    if len(first) < 2 or len(second) < 2:
        return None, None
    rng = random.Random(seed)
    a, b = list(first), list(second)
    found: list[float] = []
    for _ in range(resamples):
        top = statistic([a[rng.randrange(len(a))] for _ in a])
        bottom = statistic([b[rng.randrange(len(b))] for _ in b])
        if top is not None and bottom:
            found.append(top / bottom)
    return _percentiles(found)


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the matrix is small and positive definite)."""
    size = len(vector)
    m = [row[:] + [vector[i]] for i, row in enumerate(matrix)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for row in range(col + 1, size):
            factor = m[row][col] / m[col][col]
            for k in range(col, size + 1):
                m[row][k] -= factor * m[col][k]
    out = [0.0] * size
    for row in range(size - 1, -1, -1):
        out[row] = (m[row][size] - sum(m[row][k] * out[k] for k in range(row + 1, size))) / m[row][
            row
        ]
    return out


def logistic_regression(
    rows: Sequence[Sequence[float]], labels: Sequence[int], *, l2: float = 1.0, iterations: int = 50
) -> tuple[float, list[float]]:
    """Fit P(y=1) = 1 / (1 + exp(-(b0 + b·x))) by Newton's method with an L2 penalty on b.

    The intercept is not penalised. Returns (intercept, coefficients).
    """
    width = len(rows[0]) if rows else 0
    beta = [0.0] * (width + 1)
    xs = [[1.0, *map(float, r)] for r in rows]
    for _ in range(iterations):
        grad = [0.0] * (width + 1)
        hess = [[0.0] * (width + 1) for _ in range(width + 1)]
        for x, y in zip(xs, labels, strict=True):
            eta = sum(b * v for b, v in zip(beta, x, strict=True))
            p = 1 / (1 + math.exp(-max(-35.0, min(35.0, eta))))
            w = p * (1 - p)
            for i in range(width + 1):
                grad[i] += (y - p) * x[i]
                for j in range(i, width + 1):
                    hess[i][j] += w * x[i] * x[j]
        for i in range(width + 1):
            for j in range(i):
                hess[i][j] = hess[j][i]
        for i in range(1, width + 1):
            grad[i] -= l2 * beta[i]
            hess[i][i] += l2
        hess[0][0] += 1e-9
        step = _solve(hess, grad)
        beta = [b + s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-10:
            break
    return beta[0], beta[1:]
