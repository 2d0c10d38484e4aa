"""Value parsers: polars expressions that turn vendor strings into typed values.

Every parser takes a String expression and returns an expression of the
canonical dtype; a value it cannot read becomes null (``read_companies`` counts
it and keeps the raw text in ``unparsed``). Placeholders and Excel damage
(``#NAME?``, ``N/A``, ``-``, ``nan``, a leading ``=`` formula...) are removed
first by ``clean_text`` and counted separately.

Semantics worth knowing:

- Ranges (`1,001-5,000`, `$10M - $50M`) become their midpoint, open-ended
  ranges (`10,001+`, `$1B+`, `over 500`) their lower bound, and "less than"
  ranges (`<10`, `under $1M`) the midpoint between the floor (1 employee,
  $0) and the bound. Employee counts are floored to an integer.
- Money in another currency is converted to USD with ``USD_RATES``, a small
  fixed table (approximate 2024 averages), so outputs are reproducible.
- Funding stages map onto ``schema.FUNDING_STAGES``. A round of unknown series
  (`venture`, `Early Stage Venture`) counts as Series A and `Series C+` /
  `Late Stage Venture` as Series C: the lowest stage they can mean, so an
  `at_least` filter never over-credits them. `angel` counts as Pre-Seed; any
  post-IPO round as Public.
- Locations (`San Francisco, California, United States`, `Austin, TX`) are
  read right to left: the last part is the country (or a US/CA state, which
  implies the country), the one before the state, the one before that the city.
- Parsers run on the distinct values of a column only (`map_unique`) and are
  mapped back, so a 1M-row list costs about as much as its distinct values.
- Dates: `a/b/yyyy` is month/day unless the first number exceeds 12;
  `a.b.yyyy` and `a-b-yyyy` are day.month; two-digit years 00-39 are 20xx,
  40-99 19xx; a month without a day is the 1st; a bare year is 1 January;
  five-digit numbers are Excel serial days, nine- or ten-digit numbers Unix
  seconds.
- Plausible ranges: a number past any real company (`1e19` employees, `inf`,
  revenue above ``MAX_USD``) or a date outside ``DATE_RANGE`` (year 1, 9999) does
  not parse: it becomes null, and ``read_companies`` keeps the raw text in
  `unparsed` like any other value it could not read. Values never leave ingest
  out of range, so no later stage overflows on them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import polars as pl

from listbuilder.normalize.geo import (
    CA_PROVINCES,
    US_STATES,
    parse_country,
    parse_country_series,
    parse_state,
)

__all__ = [
    "DATE_RANGE",
    "MAX_COUNT",
    "MAX_USD",
    "PLACEHOLDERS",
    "USD_RATES",
    "clean_text",
    "date_out_of_range",
    "is_placeholder",
    "map_unique",
    "parse_code",
    "parse_country",
    "parse_date",
    "parse_employee_bounds",
    "parse_employees",
    "parse_funding_stage",
    "parse_list",
    "parse_location",
    "parse_money",
    "parse_postal_code",
    "parse_revenue",
    "parse_state",
    "parse_year",
]

# Plausible ranges. The largest employer has ~2.3M staff, the largest revenue is below $1T:
# anything past these is a typo or an attack, never a company.
MAX_COUNT = 10_000_000  # employees, locations, headcount
MAX_USD = 1e13  # revenue, funding, deal amounts
DATE_RANGE: tuple[date, date] = (date(1800, 1, 1), date(2199, 12, 31))

# Lower-cased values that mean "no value" (compared after trimming).
PLACEHOLDERS: tuple[str, ...] = (
    "#name?",
    "#value!",
    "#ref!",
    "#n/a",
    "#div/0!",
    "#num!",
    "#null!",
    "#error!",
    "#spill!",
    "#calc!",
    "#field!",
    "#getting_data",
    "n/a",
    "n.a.",
    "n.a",
    "-",
    "--",
    "---",
    "—",
    "–",
    "nan",
    "null",
    "none",
    "nil",
    "undefined",
    "unknown",
    "?",
    "not available",
    "not applicable",
    "#",
)

# USD per unit of currency. Fixed so that outputs are reproducible; approximate.
USD_RATES: dict[str, float] = {
    "USD": 1.0,
    "EUR": 1.08,
    "GBP": 1.27,
    "CAD": 0.74,
    "AUD": 0.66,
    "NZD": 0.61,
    "CHF": 1.13,
    "JPY": 0.0067,
    "CNY": 0.14,
    "INR": 0.012,
    "SEK": 0.095,
    "NOK": 0.094,
    "DKK": 0.145,
    "SGD": 0.74,
    "HKD": 0.128,
    "BRL": 0.19,
}
# Currency marks found in values -> ISO code. Longer marks first: `us$` before `$`.
_CURRENCY_MARKS: dict[str, str] = {
    "us$": "USD",
    "usd": "USD",
    "nz$": "NZD",
    "hk$": "HKD",
    "c$": "CAD",
    "cad": "CAD",
    "a$": "AUD",
    "aud": "AUD",
    "nzd": "NZD",
    "s$": "SGD",
    "sgd": "SGD",
    "hkd": "HKD",
    "r$": "BRL",
    "brl": "BRL",
    "€": "EUR",
    "eur": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "chf": "CHF",
    "¥": "JPY",
    "jpy": "JPY",
    "yen": "JPY",
    "cny": "CNY",
    "rmb": "CNY",
    "₹": "INR",
    "inr": "INR",
    "sek": "SEK",
    "nok": "NOK",
    "dkk": "DKK",
    "$": "USD",
}
_CURRENCY_RE = "|".join(re.escape(mark) for mark in _CURRENCY_MARKS)
_UNITS = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}
_NUM = r"\d+(?:\.\d+)?(?:e[+-]?\d+)?"
_RANGE_RE = (
    r"^(?P<op><=|>=|<|>|≤|≥|under|over|lessthan|morethan|fewerthan|upto|above|below)?"
    rf"(?P<lo>{_NUM})(?P<lu>[kmbt]?)(?:-(?P<hi>{_NUM})(?P<hu>[kmbt]?))?"
    r"(?P<plus>\+|ormore|andabove|andup|plus|andover)?$"
)
_BELOW_OPS = ["<", "<=", "≤", "under", "lessthan", "fewerthan", "upto", "below"]
_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
    "mär": 3,
    "mrz": 3,
    "mai": 5,
    "okt": 10,
    "dez": 12,
    "fev": 2,
    "avr": 4,
    "juin": 6,
    "déc": 12,
}
_EXCEL_EPOCH = date(1899, 12, 30)
_US_CODES = frozenset(US_STATES)
_LOCATION = pl.Struct({"city": pl.String(), "state": pl.String(), "country": pl.String()})

_FUNDING_EXACT: dict[str, str] = {
    "pre seed": "Pre-Seed",
    "preseed": "Pre-Seed",
    "angel": "Pre-Seed",
    "friends and family": "Pre-Seed",
    "seed": "Seed",
    "seed vc": "Seed",
    "venture": "Series A",
    "venture series unknown": "Series A",
    "early venture": "Series A",
    "late venture": "Series C",
    "growth": "Series C",
    "private equity": "Private Equity",
    "pe": "Private Equity",
    "buyout": "Private Equity",
    "lbo": "Private Equity",
    "growth equity": "Private Equity",
    "ipo": "Public",
    "public": "Public",
    "post ipo": "Public",
    "post ipo equity": "Public",
    "post ipo debt": "Public",
    "post ipo secondary": "Public",
    "listed": "Public",
    "publicly traded": "Public",
    "public company": "Public",
}


def _variants(words: tuple[str, ...]) -> list[str]:
    out = {v for w in words for v in (w, w.upper(), w.title(), w.capitalize())}
    return sorted(out | {"NaN", "#N/A", "N/a"})


_PLACEHOLDER_SPELLINGS = _variants(PLACEHOLDERS)


def _placeholder_flag(text: pl.Expr) -> pl.Expr:
    """True for an already-trimmed placeholder; cheap string tests only (no regex)."""
    return (
        text.is_in(_PLACEHOLDER_SPELLINGS)
        | text.str.starts_with("=")
        | (
            text.str.starts_with("#")
            & (text.str.ends_with("!") | text.str.ends_with("?"))
            & ~text.str.contains(" ", literal=True)
        )
    )


def is_placeholder(expr: pl.Expr) -> pl.Expr:
    """True where a trimmed value is a placeholder, an Excel error or a formula (`=...`)."""
    return _placeholder_flag(expr.str.strip_chars())


def _clean_series(series: pl.Series) -> pl.Series:
    series = series.cast(pl.String)
    if series.str.contains("\ufeff", literal=True).any():  # a BOM pasted inside a value
        series = series.str.replace_all("\ufeff", "", literal=True)
    # Few distinct values (industries, states): clean those once. The head decides cheaply.
    if len(series) > 50_000 and series.head(20_000).n_unique() < 2_000:
        return map_unique(series, lambda frame: _clean_series(frame["v"]))
    frame = pl.DataFrame({"t": series.str.strip_chars()})
    text = pl.col("t")
    return frame.select(
        pl.when((text != "") & ~_placeholder_flag(text)).then(text).alias(series.name)
    ).to_series()


def clean_text(expr: pl.Expr) -> pl.Expr:
    """Trim; blanks and placeholders become null. Applied before every other parser."""
    return expr.map_batches(_clean_series, return_dtype=pl.String(), is_elementwise=True)


def map_unique(series: pl.Series, parse: Callable[[pl.DataFrame], pl.Series]) -> pl.Series:
    """Run `parse` (a frame with one String column `v` -> a Series) on the distinct values of
    `series` only and gather the results back onto every row."""
    series = series.cast(pl.String)
    uniques = series.unique().drop_nulls()
    parsed = parse(pl.DataFrame({"v": uniques}))
    index = series.replace_strict(
        uniques, pl.int_range(len(uniques), dtype=pl.UInt32, eager=True), default=None
    )
    return parsed.gather(index).rename(series.name)


def _expr(
    parse: Callable[[pl.DataFrame], pl.Series], dtype: pl.DataType
) -> Callable[[pl.Expr], pl.Expr]:
    def build(expr: pl.Expr) -> pl.Expr:
        return expr.map_batches(
            lambda s: map_unique(s, parse), return_dtype=dtype, is_elementwise=True
        )

    return build


def _unit(col: pl.Expr) -> pl.Expr:
    """The multiplier of a unit letter (`k`, `m`, `b`, `t`; none is 1)."""
    return col.fill_null("").replace_strict(_UNITS, default=None, return_dtype=pl.Float64)


def _range_value(frame: pl.DataFrame, column: str, *, floor: float) -> pl.Series:
    """Number from a compact range string (`10m-50m`, `1b+`, `under1m`); see module doc."""
    g = frame.select(pl.col(column).str.extract_groups(_RANGE_RE)).unnest(column)
    return g.select(
        pl.when(pl.col("hi").is_not_null() & pl.col("op").is_null() & pl.col("plus").is_null())
        .then(
            (
                pl.col("lo").cast(pl.Float64, strict=False)
                * _unit(pl.when(pl.col("lu") == "").then(pl.col("hu")).otherwise(pl.col("lu")))
                + pl.col("hi").cast(pl.Float64, strict=False) * _unit(pl.col("hu"))
            )
            / 2
        )
        .when(pl.col("hi").is_not_null())
        .then(None)  # `over 10-50` and friends: not a number we can trust
        .when(pl.col("op").is_in(_BELOW_OPS))
        .then((pl.col("lo").cast(pl.Float64, strict=False) * _unit(pl.col("lu")) + floor) / 2)
        .otherwise(pl.col("lo").cast(pl.Float64, strict=False) * _unit(pl.col("lu")))
        .alias("value")
    ).to_series()


def _range_bounds(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """`min` and `max` (Float64) of the band a compact range string names, from a floor
    of 1: `1001-5000` both ends; `10001+` / `over500` the lower end, open above; `<10` /
    `under50` 1 to the bound. A plain count, and `over10-50`, name no band (both null)."""
    g = frame.select(pl.col(column).str.extract_groups(_RANGE_RE)).unnest(column)
    lo = pl.col("lo").cast(pl.Float64, strict=False) * _unit(
        pl.when(pl.col("lu") == "").then(pl.col("hu")).otherwise(pl.col("lu"))
    )
    hi = pl.col("hi").cast(pl.Float64, strict=False) * _unit(pl.col("hu"))
    return g.select(
        min=pl.when(pl.col("hi").is_not_null() & pl.col("op").is_null() & pl.col("plus").is_null())
        .then(lo)
        .when(pl.col("hi").is_not_null())
        .then(None)
        .when(pl.col("op").is_in(_BELOW_OPS))
        .then(pl.lit(1.0))
        .when(pl.col("op").is_not_null() | pl.col("plus").is_not_null())
        .then(lo),
        max=pl.when(pl.col("hi").is_not_null() & pl.col("op").is_null() & pl.col("plus").is_null())
        .then(hi)
        .when(pl.col("op").is_in(_BELOW_OPS) & pl.col("hi").is_null())
        .then(lo),
    )


def _employee_parts(frame: pl.DataFrame) -> pl.DataFrame:
    """`value` (the point estimate), `min` and `max` (the band's bounds, only for ranges)."""
    frame = _employee_text(frame)
    frame = frame.with_columns(value=_range_value(frame, "compact", floor=1.0))
    return _employee_counts(frame.hstack(_range_bounds(frame, "compact")))


def _employee_text(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` (column `v`) with `t` (cleaned, lower case), `solo` (a one-person
    company), the parts of an Excel-mangled band (`a`-`m1`, `m2`-`b`) and `compact`
    (the text as a compact range string: `1,001 to 5,000 employees` -> `1001-5000`)."""
    frame = frame.with_columns(t=clean_text(pl.col("v")).str.to_lowercase())
    return frame.with_columns(
        solo=pl.col("t").str.contains(
            r"^(self[\s-]?employed|myself only|just me|solo|sole trader)$"
        ),
        # Excel turns the band "1-10" into "10-Jan" and "11-50" into "Nov-50".
        excel=pl.col("t").str.extract_groups(
            r"^(?P<a>\d{1,2})-(?P<m1>[a-z]{3})$|^(?P<m2>[a-z]{3})-(?P<b>\d+)$"
        ),
        compact=pl.col("t")
        .str.replace_all(r"\b(employees?|emps?|staff|people|persons|fte|headcount)\b", "")
        .str.replace_all(r"\s+to\s+|–|—", "-")
        .str.replace_all(r"[,\s]", ""),
    ).unnest("excel")


def _employee_counts(frame: pl.DataFrame) -> pl.DataFrame:
    """`value`, `min`, `max` as Int64 counts: the range's, else the Excel band's (`10-Jan`
    is 1 to 10); a solo company is 1; implausible counts are null."""

    def month(col: str) -> pl.Expr:
        return pl.col(col).replace_strict(_MONTHS, default=None, return_dtype=pl.Float64)

    value = pl.coalesce(
        pl.col("value"),
        (month("m1") + pl.col("a").cast(pl.Float64)) / 2,
        (month("m2") + pl.col("b").cast(pl.Float64)) / 2,
    )
    excel_min = pl.coalesce(month("m1"), month("m2"))
    excel_max = pl.coalesce(pl.col("a").cast(pl.Float64), pl.col("b").cast(pl.Float64))
    ok = ~pl.col("solo") & _plausible(value)
    lo_b = pl.coalesce(pl.col("min"), pl.when(pl.col("value").is_null()).then(excel_min))
    hi_b = (
        pl.when(pl.col("min").is_not_null())
        .then(pl.col("max"))
        .otherwise(pl.when(pl.col("value").is_null()).then(excel_max))
    )
    return frame.select(
        value=pl.when(pl.col("solo")).then(pl.lit(1, pl.Int64)).otherwise(_count(value)),
        min=pl.when(ok & _plausible(lo_b)).then(_count(lo_b)),
        max=pl.when(ok & _plausible(lo_b) & _plausible(hi_b)).then(_count(hi_b)),
    )


def _plausible(count: pl.Expr) -> pl.Expr:
    """A count in 0..MAX_COUNT: false for NaN, infinities and `1e19` alike."""
    return count.is_between(0, MAX_COUNT) & count.is_not_nan()


def _count(value: pl.Expr) -> pl.Expr:
    """Int64 count, null out of range. The cast is non-strict: polars evaluates it on
    every row, the ones `when` masks out included, so a strict cast would overflow."""
    return pl.when(_plausible(value)).then(value.floor().cast(pl.Int64, strict=False))


def _employees(frame: pl.DataFrame) -> pl.Series:
    return _employee_parts(frame)["value"]


def parse_employees(expr: pl.Expr) -> pl.Expr:
    """Employee count (Int64) from counts, ranges and vendor bands (`1,001-5,000`, `2.1K`)."""
    return _expr(_employees, pl.Int64())(expr)


EMPLOYEE_BOUNDS = pl.Struct({"min": pl.Int64(), "max": pl.Int64()})


def parse_employee_bounds(expr: pl.Expr) -> pl.Expr:
    """The band behind an employee count: Struct{min, max} (Int64), both null for an exact
    count. `1,001-5,000` -> 1001/5000, open `10,001+` -> 10001/null, `<10` -> 1/10, the
    Excel-mangled `10-Jan` -> 1/10. `parse_employees` of the same value is the point estimate.
    """
    return _expr(
        lambda frame: _employee_parts(frame).select(pl.struct("min", "max")).to_series(),
        EMPLOYEE_BOUNDS,
    )(expr)


def _money(frame: pl.DataFrame, scale: float, currency: str | None) -> pl.Series:
    frame = frame.with_columns(t=clean_text(pl.col("v")).str.to_lowercase())
    found = (
        pl.col("t")
        .str.extract(f"({_CURRENCY_RE})", 1)
        .replace_strict(_CURRENCY_MARKS, default=None, return_dtype=pl.String)
    )
    frame = frame.with_columns(
        rate=found.fill_null(currency or "USD").replace_strict(
            USD_RATES, default=None, return_dtype=pl.Float64
        ),
        compact=pl.col("t")
        .str.replace_all(_CURRENCY_RE, " ")
        .str.replace_all(r"(\d)\s*(?:trillions?|tn)\b", "${1}t")
        .str.replace_all(r"(\d)\s*(?:billions?|bn|bil|b)\b", "${1}b")
        .str.replace_all(r"(\d)\s*(?:millions?|mln|mio|mil|mn|mm|m)\b", "${1}m")
        .str.replace_all(r"(\d)\s*(?:thousands?|tsd|k)\b", "${1}k")
        .str.replace_all(r"\s+to\s+|–|—", "-")
        .str.replace_all(r"\b(?:per year|annual|revenue|p\.?a\.?|/yr|/year)\b", "")
        .str.replace_all(r"[,\s]", ""),
    )
    frame = frame.with_columns(
        value=_range_value(frame, "compact", floor=0.0),
        has_unit=pl.col("compact").str.contains(r"[kmbt]\+?$|[kmbt]-"),
    )
    scaled = pl.when(pl.col("has_unit")).then(pl.col("value")).otherwise(pl.col("value") * scale)
    usd = scaled * pl.col("rate")
    return frame.select(
        pl.when(usd.is_between(0, MAX_USD) & usd.is_not_nan()).then(usd)
    ).to_series()


def parse_money(expr: pl.Expr, *, scale: float = 1.0, currency: str | None = None) -> pl.Expr:
    """USD amount (Float64) from `$10M - $50M`, `€5m`, `2.10E+07`, `£2.5 million`, `500K`.

    `scale` multiplies plain numbers (1000 for a `(in 000s USD)` header); `currency` is the
    default when the value carries no mark (else USD).
    """
    return _expr(lambda frame: _money(frame, scale, currency), pl.Float64())(expr)


def parse_revenue(expr: pl.Expr, *, scale: float = 1.0, currency: str | None = None) -> pl.Expr:
    """Annual revenue in USD (Float64); see `parse_money`."""
    return parse_money(expr, scale=scale, currency=currency)


def _funding_stage(frame: pl.DataFrame) -> pl.Series:
    frame = frame.with_columns(
        t=clean_text(pl.col("v"))
        .str.to_lowercase()
        .str.replace_all(r"[-_/.]", " ")
        .str.replace_all(r"\b(round|funding|financing|stage)\b", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    frame = frame.with_columns(
        letter=pl.col("t").str.extract(r"^series\s*([a-z])(?:\b|\d|\+|\s|$)", 1)
    )
    series = (
        pl.when(pl.col("letter").is_in(["a", "b", "c"]))
        .then(pl.lit("Series ") + pl.col("letter").str.to_uppercase())
        .when(pl.col("letter").is_not_null())
        .then(pl.lit("Series D+"))
    )
    exact = pl.col("t").replace_strict(_FUNDING_EXACT, default=None, return_dtype=pl.String)
    return frame.select(pl.coalesce(series, exact)).to_series()


def parse_funding_stage(expr: pl.Expr) -> pl.Expr:
    """A label of `schema.FUNDING_STAGES` from vendor spellings (`series-b`, `Series C+`, `IPO`)."""
    return _expr(_funding_stage, pl.String())(expr)


def _two_digit_year(text: pl.Expr) -> pl.Expr:
    """`12` -> 2012, `85` -> 1985; four digits as written (`0001` is year 1, not 2001)."""
    year = text.cast(pl.Int32, strict=False)
    short = text.str.len_chars() <= 2
    return (
        pl.when(short & (year < 40))
        .then(year + 2000)
        .when(short & (year < 100))
        .then(year + 1900)
        .otherwise(year)
    )


def _ymd(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    return pl.format("{}-{}-{}", y, m, d).str.to_date("%Y-%m-%d", strict=False)


_DATE_PATTERNS: dict[str, str] = {
    "iso": r"^(?P<iso_y>\d{4})[-/.](?P<iso_m>\d{1,2})[-/.](?P<iso_d>\d{1,2})(?:[ t]\d.*)?$",
    "sl": (
        r"^(?P<sl_a>\d{1,2})(?P<sl_sep>[/.-])(?P<sl_b>\d{1,2})[/.-](?P<sl_y>\d{4}|\d{2})"
        r"(?:[ t]\d.*)?$"
    ),
    "ym": r"^(?P<ym_y>\d{4})[-/](?P<ym_m>\d{1,2})$",
    "my": r"^(?P<my_m>[a-zä]{3,9})\.?[\s,-]+(?P<my_y>\d{4})$",
    "mdy": r"^(?P<mdy_m>[a-zä]{3,9})\.?\s+(?P<mdy_d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<mdy_y>\d{4})$",
    "dmy": (
        r"^(?P<dmy_d>\d{1,2})(?:st|nd|rd|th)?\.?[\s-]+(?P<dmy_m>[a-zä]{3,9})\.?,?[\s-]+"
        r"(?P<dmy_y>\d{4}|\d{2})$"
    ),
}


def _date(frame: pl.DataFrame, *, bounded: bool = True) -> pl.Series:
    frame = frame.with_columns(t=clean_text(pl.col("v")).str.to_lowercase())
    frame = frame.with_columns(
        *(pl.col("t").str.extract_groups(p).alias(k) for k, p in _DATE_PATTERNS.items()),
        year=pl.col("t").str.extract(r"^(\d{4})(?:\.0+)?$", 1).cast(pl.Int32, strict=False),
        serial=pl.col("t").str.extract(r"^(\d{5})(?:\.\d+)?$", 1).cast(pl.Int32, strict=False),
        unix=pl.col("t").str.extract(r"^(\d{9,10})(?:\.\d+)?$", 1).cast(pl.Int64, strict=False),
    ).unnest(*_DATE_PATTERNS)

    def num(name: str) -> pl.Expr:
        return pl.col(name).cast(pl.Int32, strict=False)

    def month(name: str) -> pl.Expr:
        return (
            pl.col(name)
            .str.slice(0, 3)
            .replace_strict(_MONTHS, default=None, return_dtype=pl.Int32)
        )

    frame = frame.with_columns(
        month_first=pl.when(pl.col("sl_sep") == "/")
        .then(num("sl_a") <= 12)
        .otherwise(num("sl_b") > 12)
    )
    first = pl.col("month_first")
    frame = frame.select(
        pl.coalesce(
            _ymd(pl.col("iso_y"), pl.col("iso_m"), pl.col("iso_d")),
            _ymd(
                _two_digit_year(pl.col("sl_y")),
                pl.when(first).then(num("sl_a")).otherwise(num("sl_b")),
                pl.when(first).then(num("sl_b")).otherwise(num("sl_a")),
            ),
            _ymd(pl.col("ym_y"), pl.col("ym_m"), pl.lit(1)),
            _ymd(pl.col("my_y"), month("my_m"), pl.lit(1)),
            _ymd(pl.col("mdy_y"), month("mdy_m"), pl.col("mdy_d")),
            _ymd(_two_digit_year(pl.col("dmy_y")), month("dmy_m"), pl.col("dmy_d")),
            pl.when(pl.col("year").is_between(1800, 2100)).then(
                _ymd(pl.col("year"), pl.lit(1), pl.lit(1))
            ),
            pl.when(pl.col("serial").is_between(10000, 80000)).then(
                pl.lit(_EXCEL_EPOCH) + pl.duration(days=pl.col("serial"))
            ),
            pl.when(pl.col("unix").is_not_null()).then(
                pl.from_epoch(pl.col("unix"), time_unit="s").dt.date()
            ),
        ).alias("date")
    )
    if bounded:
        frame = frame.select(pl.when(pl.col("date").is_between(*DATE_RANGE)).then("date"))
    return frame.to_series()


def parse_date(expr: pl.Expr, *, bounded: bool = True) -> pl.Expr:
    """Date from `2012-06-30`, `6/30/2012`, `30.06.2012`, `Jun 2012`, `June 30, 2012`,
    `2012`, Excel serials (`41090`) and Unix seconds; see the module doc for ambiguity rules.

    Dates outside ``DATE_RANGE`` are null; `bounded=False` keeps them, so that a caller can
    tell "out of range" from "not a date".
    """
    return _expr(lambda frame: _date(frame, bounded=bounded), pl.Date())(expr)


def date_out_of_range(expr: pl.Expr) -> pl.Expr:
    """True where a value reads as a date but lies outside ``DATE_RANGE`` (year 1, 9999)."""
    return parse_date(expr, bounded=False).is_not_null() & parse_date(expr).is_null()


def _year(frame: pl.DataFrame) -> pl.Series:
    frame = frame.with_columns(
        year=clean_text(pl.col("v"))
        .str.extract(r"^(\d{4})(?:\.0+)?$", 1)
        .cast(pl.Int64, strict=False),
        date=_date(frame).dt.year().cast(pl.Int64),
    )
    return frame.select(
        pl.coalesce(
            pl.when(pl.col("year").is_between(1600, 2100)).then(pl.col("year")), pl.col("date")
        )
    ).to_series()


def parse_year(expr: pl.Expr) -> pl.Expr:
    """Founded year (Int64) from a year (`2012`, `2012.0`) or any date `parse_date` reads."""
    return _expr(_year, pl.Int64())(expr)


def _list(frame: pl.DataFrame) -> pl.Series:
    return frame.select(
        clean_text(pl.col("v"))
        .str.strip_chars("[]")
        .str.replace_all(r"[;|]", ",")
        .str.split(",")
        .list.eval(pl.element().str.strip_chars().str.strip_chars("\"'").str.strip_chars())
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.unique(maintain_order=True)
    ).to_series()


def parse_list(expr: pl.Expr) -> pl.Expr:
    """List(String) from `a; b, c | d`: trimmed, empties dropped, de-duplicated in order."""
    return _expr(_list, pl.List(pl.String()))(expr)


def _location(frame: pl.DataFrame) -> pl.Series:
    frame = frame.with_columns(
        parts=clean_text(pl.col("v"))
        .str.split(";")
        .list.first()
        .str.split(",")
        .list.eval(pl.element().str.strip_chars())
        .list.eval(pl.element().filter(pl.element() != ""))
    )
    frame = frame.with_columns(
        n=pl.col("parts").list.len().fill_null(0),
        last=pl.col("parts").list.last(),
    )
    frame = frame.with_columns(
        last_country=parse_country_series(frame["last"]),
        last_state=parse_state(pl.col("last")),
    )
    state_like = pl.col("last_state").str.contains(r"^[A-Z]{2}$") & (pl.col("n") == 2)
    two_before = pl.col("parts").list.get(-2, null_on_oob=True)
    three_before = pl.col("parts").list.get(-3, null_on_oob=True)
    has_country = pl.col("last_country").is_not_null()
    frame = frame.select(
        city=pl.when(has_country & (pl.col("n") >= 3))
        .then(three_before)
        .when((has_country | state_like) & (pl.col("n") == 2))
        .then(pl.col("parts").list.first())
        .when(~has_country & (pl.col("n") == 1))
        .then(pl.col("last")),
        state=pl.when(has_country & (pl.col("n") >= 3))
        .then(two_before.str.replace(r"\s+[\dA-Z]{3,}[\d\s-]*$", "").str.strip_chars())
        .when(state_like)
        .then(pl.col("last")),
        country=pl.when(has_country)
        .then(pl.col("last_country"))
        .when(state_like & pl.col("last_state").is_in(list(_US_CODES)))
        .then(pl.lit("US"))
        .when(state_like & pl.col("last_state").is_in(list(CA_PROVINCES)))
        .then(pl.lit("CA")),
    )
    return frame.select(
        pl.struct("city", parse_state(pl.col("state"), pl.col("country")).alias("state"), "country")
    ).to_series()


def parse_location(expr: pl.Expr) -> pl.Expr:
    """Struct{city, state, country} from `San Francisco, California, United States`,
    `Redwood City, CA, USA`, `Toronto, ON` (the first of `;`-separated locations);
    country as ISO2, US/CA states as codes."""
    return _expr(_location, _LOCATION)(expr)


def parse_code(expr: pl.Expr) -> pl.Expr:
    """Industry code (SIC / NAICS) as a digit string: `7372`, `7372.0`, `7372 - Software`."""
    return clean_text(expr).str.extract(r"^(\d{2,8})(?:\.0+)?(?:\b|$)", 1)


def parse_postal_code(expr: pl.Expr) -> pl.Expr:
    """Postal code as text; drops the `.0` Excel adds to numeric codes."""
    return clean_text(expr).str.replace(r"^(\d+)\.0+$", "${1}")
