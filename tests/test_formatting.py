"""Numbers as people read them: each format's expression and scalar give the same text."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest

from listbuilder import formatting as F

Pair = tuple[Callable[[pl.Expr], pl.Expr], Callable[[Any], str]]


def _pair(expression: Callable[..., pl.Expr], scalar: Callable[..., str], *args: int) -> Pair:
    """The expression writes nulls as the scalar writes None (`–`)."""
    return (lambda e: expression(e, *args, missing="–"), lambda v: scalar(v, *args))


FORMATS: dict[str, Pair] = {
    "short_number": _pair(F.short_number, F.short_number_text),
    "short_number 0": _pair(F.short_number, F.short_number_text, 0),
    "short_number 2": _pair(F.short_number, F.short_number_text, 2),
    "number": _pair(F.number, F.number_text),
    "number 1": _pair(F.number, F.number_text, 1),
    "number 2": _pair(F.number, F.number_text, 2),
    "percent": _pair(F.percent, F.percent_text),
    "percent 1": _pair(F.percent, F.percent_text, 1),
    "money": _pair(F.money, F.money_text),
    "money 2": _pair(F.money, F.money_text, 2),
    "dollars": _pair(F.dollars, F.dollars_text),
}

# (format, value, text): one line per case, the expression and the scalar both checked
CASES: list[tuple[str, float | None, str]] = [
    ("short_number", 87.25, "87.2"),  # a true tie: to even
    ("short_number", 87.35, "87.3"),  # stored as 87.34999999999999431566
    ("short_number", 6.65, "6.7"),  # stored as 6.65000000000000035527 (polars: 6.6)
    ("short_number", 50.0, "50"),
    ("short_number", 0.0, "0"),
    ("short_number", -0.04, "0"),  # never "-0"
    ("short_number", -12.34, "-12.3"),
    ("short_number", 2012.0, "2012"),  # no grouping: a year stays a year
    ("short_number", 0.05, "0.1"),
    ("short_number", 0.15, "0.1"),  # (polars: 0.2)
    ("short_number", 1e15, "1000000000000000"),
    ("short_number", 1e17, "1e+17"),  # as repr writes it (past 1e16)
    ("short_number", 1e20, "–"),  # past Int64 in tenths
    ("short_number", None, "–"),
    ("short_number 0", 2.5, "2"),
    ("short_number 0", 3.5, "4"),
    ("short_number 2", 1.005, "1"),
    ("short_number 2", 0.125, "0.12"),
    ("number", 1234.0, "1,234"),
    ("number", -1234567.5, "-1,234,568"),
    ("number", 0.4, "0"),
    ("number 1", 87.25, "87.2"),
    ("number 1", 50.0, "50.0"),
    ("number 1", -0.04, "0.0"),
    ("number 1", 1e15, "1,000,000,000,000,000.0"),
    ("number 2", 0.725, "0.72"),
    ("number 2", 1.05, "1.05"),
    ("number 2", None, "–"),
    ("percent", 0.4249, "42%"),
    ("percent", 0.425, "42%"),
    ("percent", 1.0, "100%"),
    ("percent", 0.0, "0%"),
    ("percent", -0.004, "0%"),
    ("percent 1", 0.3785, "37.9%"),  # 0.3785 * 100 is 37.85000000000000142
    ("percent 1", 0.0005, "0.1%"),
    ("percent", None, "–"),
    ("money", 0.0, "$0"),
    ("money", 999.0, "$999"),
    ("money", 999.5, "$999.5"),
    ("money", 999.96, "$1K"),  # the unit the rounded amount reads in
    ("money", 850_000.0, "$850K"),
    ("money", 999_960.0, "$1M"),
    ("money", 1_050_000.0, "$1.1M"),  # 1.05 is stored as 1.05000000000000004441
    ("money", 1_150_000.0, "$1.1M"),  # 1.15 as 1.14999999999999991118
    ("money", 589_050.0, "$589K"),  # 589050 / 1e3, not 589050 * 1e-3 (589.0500000000001)
    ("money", 12_500_000.0, "$12.5M"),
    ("money", 1e9, "$1B"),
    ("money", 1.25e12, "$1,250B"),
    ("money", 1e13, "$10,000B"),
    ("money", 1e20, "$100,000,000,000B"),
    ("money", -1_500_000.0, "-$1.5M"),
    ("money", -0.04, "$0"),
    ("money", None, "–"),
    ("money 2", 1_750_000.0, "$1.75M"),
    ("money 2", 25_000_000.0, "$25M"),
    ("money 2", 1_500_000.0, "$1.5M"),
    ("money 2", 1_125_000.0, "$1.12M"),  # a true tie: to even
    ("money 2", 2_675_000.0, "$2.67M"),  # 2.675 is stored as 2.67499999999999982236
    ("money 2", 999.994, "$999.99"),
    ("dollars", 41_999.5, "$42,000"),
    ("dollars", 114_150.0, "$114,150"),
    ("dollars", 0.5, "$0"),
    ("dollars", 2.5, "$2"),
    ("dollars", -1_234.0, "-$1,234"),
    ("dollars", -0.4, "$0"),
    ("dollars", 1e18, "$1,000,000,000,000,000,000"),
    ("dollars", None, "–"),
    # not a number: missing, never "$nan" or "$infB"
    ("money", math.nan, "–"),
    ("money", math.inf, "–"),
    ("dollars", -math.inf, "–"),
    ("number 1", math.nan, "–"),
    ("short_number", math.inf, "–"),
    ("percent", math.nan, "–"),
]


def _expression_text(fmt: str, values: list[float | None]) -> list[str]:
    expression, _ = FORMATS[fmt]
    frame = pl.DataFrame({"v": values}, schema={"v": pl.Float64})
    return frame.select(expression(pl.col("v")).alias("t"))["t"].to_list()


@pytest.mark.parametrize(("fmt", "value", "text"), CASES)
def test_each_case_reads_the_same_both_ways(fmt: str, value: float | None, text: str) -> None:
    _, scalar = FORMATS[fmt]
    assert scalar(value) == text
    # in a frame of one row and among others (polars divides a column by a number as a
    # product with its reciprocal only on two rows or more)
    assert _expression_text(fmt, [value]) == [text]
    assert _expression_text(fmt, [value, 1.0, None])[0] == text


def _values(seed: int) -> list[float | None]:
    rng = random.Random(seed)
    values: list[float | None] = [None, 0.0, -0.0]
    values += [k / 100 for k in range(-2_000, 2_000)]  # every .x5 edge below 20
    values += [rng.choice([1e3, 1e6, 1e9]) * k / 20 for k in range(1, 20_000, 7)]  # .05 of a unit
    values += [rng.uniform(-1e6, 1e6) for _ in range(2_000)]
    values += [rng.uniform(0, 1e13) for _ in range(2_000)]  # revenue up to ingest's MAX_USD
    values += [10.0**k for k in range(19)] + [999.95, 999_950.0, 999_950_000.0, 1.5e16, -3e17]
    return values


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_expression_and_scalar_agree_on_many_values(fmt: str) -> None:
    values = _values(7)
    if fmt.startswith("percent"):
        values = [v for v in values if v is None or abs(v) < 1e12]
    _, scalar = FORMATS[fmt]
    expected = [scalar(v) for v in values]
    got = _expression_text(fmt, values)
    wrong = [(v, g, e) for v, g, e in zip(values, got, expected, strict=True) if g != e]
    assert wrong == []


@pytest.mark.parametrize("digits", [0, 1, 2])
def test_rounding_is_pythons(digits: int) -> None:
    """The text is what an f-string writes (but never `-0`): the expressions, held to the
    scalars above, therefore round as Python does too."""
    values = [v for v in _values(11) if v is not None and abs(v) * 10**digits < 2**52]
    for value in values:
        expected = f"{value:,.{digits}f}"
        if expected.lstrip("-").strip("0.,") == "":
            expected = expected.lstrip("-")
        assert F.number_text(value, digits) == expected, value


THOUSANDS = [
    (0, "0"),
    (999, "999"),
    (1000, "1,000"),
    (1001, "1,001"),
    (-1000, "-1,000"),
    (-100, "-100"),
    (-100_000, "-100,000"),  # the old reversing formatter wrote "-,100,000"
    (1_234_567, "1,234,567"),
    (1_000_000_000, "1,000,000,000"),  # the old arithmetic one wrote "1000,000,000"
    (9_223_372_036_854_775_807, "9,223,372,036,854,775,807"),
    (None, None),
]


def test_thousands() -> None:
    values = [v for v, _ in THOUSANDS] + random.Random(3).sample(range(-(10**18), 10**18), 500)
    frame = pl.DataFrame({"n": values}, schema={"n": pl.Int64})
    got = frame.select(F.thousands(pl.col("n")).alias("t"))["t"].to_list()
    assert got[: len(THOUSANDS)] == [text for _, text in THOUSANDS]
    assert got == [None if v is None else F.thousands_text(v) for v in values]
    assert F.thousands_text(None) == "–" and F.thousands_text(1234.9) == "1,234"


BANDS = [
    ((1001, 5000), "1,001–5,000"),
    ((10_001, None), "10,001+"),
    ((0, 10), "0–10"),
    ((None, 50), None),
]


@pytest.mark.parametrize(("band", "text"), BANDS)
def test_employee_band(band: tuple[int | None, int | None], text: str | None) -> None:
    frame = pl.DataFrame([band], schema={"low": pl.Int64, "high": pl.Int64}, orient="row")
    got = frame.select(F.employee_band(pl.col("low"), pl.col("high")).alias("t"))["t"].item()
    assert got == text
    assert F.employee_band_text(*band) == (text or "–")


def test_the_int_rule_of_number_text() -> None:
    """An int is written whole whatever the digits (the templates' `num` filter)."""
    assert F.number_text(1234, 1) == "1,234"
    assert F.number_text(True) == "1"
    assert F.number_text(None, missing="") == ""
