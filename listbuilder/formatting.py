"""Numbers as people read them, written once: each format is a polars expression and a
Python scalar that give the same text for the same value.

    format          expression                     scalar                        e.g.
    thousands       thousands(e)                   thousands_text(v)             1,001
    short number    short_number(e, digits=1)      short_number_text(v)          87.5, 50
    number          number(e, digits)              number_text(v, digits)        1,234.5
    percent         percent(e, digits=0)           percent_text(v)               42%
    money           money(e, digits=1)             money_text(v)                 $1.2M
    dollars         dollars(e)                     dollars_text(v)               $42,000
    employee band   employee_band(low, high)       employee_band_text(low, high) 1,001–5,000

Rounding is Python's (`f"{x:.1f}"`): the decimal nearest the number as stored, ties to
even, so 6.65 (stored as 6.65000000000000035...) reads 6.7 and 2.675 (2.67499999...) reads
2.67. Polars' `Expr.round` rounds `x * 10**digits` instead, which differs at such edges;
the expressions here correct it with the exact error of that product, so a brief, a table
cell and a CLI line agree to the last digit. Exact below |x * 10**digits| = 2**52; above,
both round the product. A negative value is written `-$1.5M` / `-1,001`, never `-0`.
Nulls (and NaN, infinities, numbers past ±9.2e18 / 10**digits) stay null in an expression
unless `missing` is given; a scalar writes `missing` (`–` by default) for them.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal

import polars as pl

MISSING = "–"
_SCALES = (1.0, 1e3, 1e6, 1e9)  # dollars, K, M, B
_GROUPS = 6  # thousands groups above the last: enough for every Int64
_EXACT = 2.0**52  # below it, a product x * 10**digits and its rounding error are exact
_INT64 = 2.0**63
_SPLIT = 134217729.0  # 2**27 + 1: Dekker's split of a double into two 26-bit halves


# ---------------------------------------------------------------------------- thousands


def thousands(expr: pl.Expr) -> pl.Expr:
    """`1001` -> `1,001`, `-1234567` -> `-1,234,567`: any Int64 (a float is truncated;
    past ±9.2e18 it does not fit and polars refuses the cast)."""
    return _staged(expr.cast(pl.Int64), [{"text": _grouped_int("x")}])


def thousands_text(value: float | None, *, missing: str = MISSING) -> str:
    """`1001` -> `1,001`; the scalar of `thousands`."""
    return missing if value is None else f"{int(value):,}"


# ------------------------------------------------------------------------ short numbers


def short_number(expr: pl.Expr, digits: int = 1, *, missing: str | None = None) -> pl.Expr:
    """At most `digits` decimals, none for a whole number: `87.25` -> `87.2`, `50.0` -> `50`.
    No grouping (a year stays `2012`)."""
    # the rounded value's shortest repr (`87.3`, `50.0`), as Python's repr writes it: 10x
    # faster than assembling digits; the true quotient (not units * 0.1)
    units = pl.col("units")
    text = (units / (units * 0.0 + 10.0**digits)).cast(pl.String).str.strip_suffix(".0")
    return _fill(_staged(expr, [*_units_steps(digits), {"text": text}]), missing)


def short_number_text(value: float | None, digits: int = 1, *, missing: str = MISSING) -> str:
    """The scalar of `short_number`: `87.25` -> `87.2`, `50.0` -> `50`."""
    units = _units_of(value, digits)
    return missing if units is None else repr(units / 10**digits).removesuffix(".0")


# ------------------------------------------------------------------- numbers, percents


def number(expr: pl.Expr, digits: int = 0, *, missing: str | None = None) -> pl.Expr:
    """Grouped, with exactly `digits` decimals: `1234.56, 1` -> `1,234.6`."""
    steps = [*_units_steps(digits), *_text_steps(digits, grouped=True, fixed=True)]
    return _fill(_staged(expr, steps), missing)


def number_text(value: float | None, digits: int = 0, *, missing: str = MISSING) -> str:
    """The scalar of `number`; an int is written whole (`1234` -> `1,234`) whatever
    `digits`, as the templates' `num` filter always did."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    units = _units_of(value, digits)
    return missing if units is None else _text_of(units, digits, grouped=True, fixed=True)


def percent(expr: pl.Expr, digits: int = 0, *, missing: str | None = None) -> pl.Expr:
    """A share as a percent: `0.4249` -> `42%` (`digits` decimals)."""
    return _fill(pl.concat_str(number(expr * 100, digits), pl.lit("%")), missing)


def percent_text(value: float | None, digits: int = 0, *, missing: str = MISSING) -> str:
    """The scalar of `percent`: `0.4249` -> `42%`."""
    share = _finite_value(value)
    return missing if share is None else number_text(share * 100, digits, missing=missing) + "%"


# ------------------------------------------------------------------------------- money


def money(expr: pl.Expr, digits: int = 1, *, missing: str | None = None) -> pl.Expr:
    """USD compactly: `$12.5M`, `$850K`, `$1.2B`, `$999` (at most `digits` decimals).
    The unit is the one the rounded amount reads in: 999,960 is `$1M`, not `$1000K`."""
    return _fill(_staged(expr, _money_steps(digits, units=True)), missing)


def money_text(value: float | None, digits: int = 1, *, missing: str = MISSING) -> str:
    """The scalar of `money`: `12_500_000` -> `$12.5M`."""
    number = _finite_value(value)
    if number is None:
        return missing
    ones, k, m, b = (_units_of(abs(number) / scale, digits) for scale in _SCALES)
    top = 1000 * 10**digits
    if m is not None and m >= top:
        shown, unit = b, "B"
    elif k is not None and k >= top:
        shown, unit = m, "M"
    else:
        shown, unit = (k, "K") if ones is not None and ones >= top else (ones, "")
    if shown is None:
        return missing
    sign = "-" if number < 0 and shown else ""
    return f"{sign}${_text_of(shown, digits, grouped=True, fixed=False)}{unit}"


def dollars(expr: pl.Expr, *, missing: str | None = None) -> pl.Expr:
    """USD in full, whole dollars: `41999.5` -> `$42,000`."""
    return _fill(_staged(expr, _money_steps(0, units=False)), missing)


def dollars_text(value: float | None, *, missing: str = MISSING) -> str:
    """The scalar of `dollars`: `41999.5` -> `$42,000`."""
    number = _finite_value(value)
    shown = None if number is None else _units_of(abs(number), 0)
    if number is None or shown is None:
        return missing
    return f"{'-' if number < 0 and shown else ''}${shown:,}"


# ------------------------------------------------------------------------ employee bands


def employee_band(low: pl.Expr, high: pl.Expr) -> pl.Expr:
    """A vendor's employee band: `1,001–5,000`, or `10,001+` when `high` is null."""
    return (
        pl.when(high.is_null())
        .then(pl.format("{}+", thousands(low)))
        .otherwise(pl.format("{}–{}", thousands(low), thousands(high)))
    )


def employee_band_text(low: float | None, high: float | None, *, missing: str = MISSING) -> str:
    """The scalar of `employee_band`: `1,001–5,000`, `10,001+`."""
    if low is None:
        return missing
    return f"{int(low):,}+" if high is None else f"{int(low):,}–{int(high):,}"


# ----------------------------------------------------------------- rounding, as Python


Steps = list[dict[str, pl.Expr]]


def _staged(expr: pl.Expr, steps: Steps) -> pl.Expr:
    """`expr` through `steps` (column name -> expression, each step seeing the columns
    of the steps before) on its own frame, ending in the String column `text`.

    Each step is computed once: one expression nesting them would repeat every inner
    one at each use (thousands reads its input 15 times), and grow past what polars
    plans in reasonable time."""

    def run(values: pl.Series) -> pl.Series:
        frame = values.to_frame("x")
        for step in steps:
            frame = frame.with_columns(**step)
        return frame["text"]

    return expr.map_batches(run, return_dtype=pl.String, is_elementwise=True)


def _units_steps(digits: int, source: str = "x", target: str = "units") -> Steps:
    """`source * 10**digits` rounded to an integer as Python rounds it, into `target`
    (Int64; null for NaN, infinities and past ±2**63): polars rounds the float product,
    so where that product lands on a tie, its exact error (Dekker's two-product) says
    which way the true value lies."""
    scale = 10.0**digits
    high, low = _halves(scale)
    x = pl.col("_x")
    product, error, floor = pl.col("_product"), pl.col("_error"), pl.col("_floor")
    tie = ((product - floor) == 0.5) & (product.abs() < _EXACT)
    rounded = (
        pl.when(tie & (error > 0))
        .then(floor + 1)
        .when(tie & (error < 0))
        .then(floor)
        .otherwise(product.round(0))
    )
    value = pl.col(source).cast(pl.Float64)
    return [
        {"_x": pl.when(value.is_finite()).then(value)},
        {"_product": x * scale, "_cut": x * _SPLIT},
        {"_high": pl.col("_cut") - (pl.col("_cut") - x)},
        {"_low": x - pl.col("_high"), "_floor": product.floor()},
        {
            # x * scale - product, exactly: (((hh - p) + hl) + lh) + ll, in that order
            "_error": (
                ((pl.col("_high") * high - product) + pl.col("_high") * low) + pl.col("_low") * high
            )
            + pl.col("_low") * low
        },
        {target: pl.when(rounded.abs() < _INT64).then(rounded).cast(pl.Int64)},
    ]


def _text_steps(
    digits: int, *, grouped: bool, fixed: bool, source: str = "units", sign: bool = True
) -> Steps:
    """An integer count of 10**-digits in `source` as a decimal in `text`: `12345, 2` ->
    `123.45`; grouped in thousands or not; `digits` decimals (`fixed`) or as many as it
    needs (`1.5`, `2`); with a minus when negative (and `sign`)."""
    units = pl.col(source)
    whole = units.abs() // 10**digits
    steps: Steps = [{"_whole": whole, "_fraction": units.abs() % 10**digits}]
    head = _grouped_int("_whole") if grouped else pl.col("_whole").cast(pl.String)
    tail = pl.lit("")
    if digits:
        fraction = pl.col("_fraction").cast(pl.String).str.zfill(digits)
        fraction = fraction if fixed else fraction.str.strip_chars_end("0")
        tail = (
            pl.when(fraction == "").then(pl.lit("")).otherwise(pl.concat_str(pl.lit("."), fraction))
        )
    minus = pl.when(units < 0).then(pl.lit("-")).otherwise(pl.lit("")) if sign else pl.lit("")
    steps.append({"text": pl.concat_str(minus, head, tail)})
    return steps


def _money_steps(digits: int, *, units: bool) -> Steps:
    """`$` and the amount, in B, M or K when `units` (the one the rounded amount reads in),
    with a minus for a negative amount that does not round to 0."""
    steps: Steps = [{"_size": pl.col("x").cast(pl.Float64).abs()}]
    top = 1000 * 10**digits  # 1000 of a unit: the next unit up
    if not units:
        steps += _units_steps(digits, "_size", "_shown")
        unit = pl.lit("")
    else:
        for scale, name in zip(_SCALES, ("_1", "_K", "_M", "_B"), strict=True):
            # size / scale as Python divides it (polars multiplies by 1/scale when it
            # divides a column by a number: 589,050 / 1e3 would be 589.0500000000001)
            steps.append({"_q": pl.col("_size") / (pl.col("_size") * 0.0 + scale)})
            steps += _units_steps(digits, "_q", name)
        ones, k, m, b = pl.col("_1"), pl.col("_K"), pl.col("_M"), pl.col("_B")
        shown = pl.when(m >= top).then(b).when(k >= top).then(m).when(ones >= top).then(k)
        steps.append({"_shown": shown.otherwise(ones)})
        unit = (
            pl.when(m >= top)
            .then(pl.lit("B"))
            .when(k >= top)
            .then(pl.lit("M"))
            .when(ones >= top)
            .then(pl.lit("K"))
            .otherwise(pl.lit(""))
        )
    steps += _text_steps(digits, grouped=True, fixed=False, source="_shown", sign=False)
    negative = (pl.col("x") < 0) & (pl.col("_shown") > 0)
    minus = pl.when(negative).then(pl.lit("-")).otherwise(pl.lit(""))
    steps.append({"text": pl.concat_str(minus, pl.lit("$"), pl.col("text"), unit)})
    return steps


def _grouped_int(column: str) -> pl.Expr:
    """The Int64 `column` with thousands groups (arithmetic: 3x faster than reversing
    strings)."""
    n = pl.col(column).cast(pl.Int64)
    whole = n.abs()
    parts = [pl.when(n < 0).then(pl.lit("-")).otherwise(pl.lit(""))]
    for k in range(_GROUPS, -1, -1):
        size = 1000**k
        group = ((whole // size) % 1000).cast(pl.String)
        first = (whole >= size) if k else pl.lit(True)
        parts.append(
            pl.when(whole >= 1000 * size)
            .then(pl.concat_str(pl.lit(","), group.str.zfill(3)))
            .when(first)
            .then(group)
            .otherwise(pl.lit(""))
        )
    return pl.concat_str(parts)


def _units_of(value: float | None, digits: int) -> int | None:
    """The scalar of `_units_steps`: exactly, through the stored number's decimal expansion."""
    number = _finite_value(value)
    if number is None:
        return None
    product = number * 10.0**digits
    if abs(product) >= _EXACT:  # a whole number already: as the expression rounds it
        return int(product) if abs(product) < _INT64 else None
    return int(Decimal(number).scaleb(digits).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _halves(value: float) -> tuple[float, float]:
    cut = _SPLIT * value
    high = cut - (cut - value)
    return high, value - high


# ------------------------------------------------------------------------------ helpers


def _finite_value(value: float | None) -> float | None:
    """The value as a float; None when it is None or not a number (NaN, infinities)."""
    return None if value is None or not math.isfinite(value) else float(value)


def _fill(text: pl.Expr, missing: str | None) -> pl.Expr:
    return text if missing is None else text.fill_null(pl.lit(missing))


def _text_of(units: int, digits: int, *, grouped: bool, fixed: bool) -> str:
    """The scalar of `_text_steps`."""
    integer, fraction = divmod(abs(units), 10**digits)
    text = f"{integer:,}" if grouped else str(integer)
    if digits:
        tail = f"{fraction:0{digits}d}"
        tail = tail if fixed else tail.rstrip("0")
        text += f".{tail}" if tail else ""
    return ("-" if units < 0 else "") + text
