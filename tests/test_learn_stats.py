"""Exact figures of the small-sample statistics behind backtest, learn and review."""

from __future__ import annotations

import pytest

from listbuilder.learn import stats


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
        (7, 10, 0.3968, 0.8922),
        (10, 10, 0.7225, 1.0),
        (1, 20, 0.0089, 0.2361),
        (41, 100, 0.3187, 0.5080),
    ],
)
def test_wilson_interval(successes: int, n: int, low: float, high: float) -> None:
    assert stats.wilson(successes, n) == (
        pytest.approx(low, abs=1e-4),
        pytest.approx(high, abs=1e-4),
    )


def test_wilson_of_nothing_is_unknown() -> None:
    assert stats.wilson(0, 0) == (None, None)


@pytest.mark.parametrize(
    ("a", "n1", "b", "n2", "ratio", "low", "high"),
    [
        (20, 50, 10, 50, 2.0, 1.0440, 3.8313),
        (7, 10, 1, 10, 7.0, 1.0437, 46.9485),
        (7, 10, 2, 10, 3.5, 0.9498, 12.8980),
        (0, 10, 5, 10, 0.0909, 0.0057, 1.4534),  # a zero cell: +0.5 in every cell
    ],
)
def test_rate_ratio_katz_interval(
    a: int, n1: int, b: int, n2: int, ratio: float, low: float, high: float
) -> None:
    got = stats.rate_ratio(a, n1, b, n2)
    assert got == (
        pytest.approx(ratio, abs=1e-4),
        pytest.approx(low, abs=1e-4),
        pytest.approx(high, abs=1e-4),
    )


def test_rate_ratio_of_an_empty_group_is_unknown() -> None:
    assert stats.rate_ratio(3, 10, 0, 0) == (None, None, None)


@pytest.mark.parametrize(
    ("values", "expected"),
    [([3, 1, 2], 2.0), ([4, 1, 3, 2], 2.5), ([7], 7.0), ([], None)],
)
def test_median(values: list[float], expected: float | None) -> None:
    assert stats.median(values) == expected


def test_bootstrap_is_seeded_and_brackets_the_median() -> None:
    values = list(range(1, 11))
    first = stats.bootstrap(values, stats.median, seed=0)
    assert first == stats.bootstrap(values, stats.median, seed=0)
    assert first == (3.0, 8.0)
    low, high = first
    assert low is not None and high is not None and low <= 5.5 <= high
    assert stats.bootstrap([5.0], stats.median) == (None, None)


def test_bootstrap_ratio_of_equal_groups_spans_one() -> None:
    low, high = stats.bootstrap_ratio([1, 2, 3, 4, 5], [1, 2, 3, 4, 5], stats.median, seed=1)
    assert low is not None and high is not None and low <= 1 <= high


def test_logistic_regression_recovers_a_separating_feature() -> None:
    # x=1: 8 of 10 positive; x=0: 2 of 10 positive -> log odds ratio ln(16) = 2.77 unpenalised
    rows = [[1]] * 10 + [[0]] * 10
    labels = [1] * 8 + [0] * 2 + [1] * 2 + [0] * 8
    intercept, (coef,) = stats.logistic_regression(rows, labels, l2=0.0)
    assert coef == pytest.approx(2.7726, abs=1e-3)
    assert intercept == pytest.approx(-1.3863, abs=1e-3)
    _, (shrunk,) = stats.logistic_regression(rows, labels, l2=1.0)
    assert 0 < shrunk < coef
