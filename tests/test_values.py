"""Value parsers of listbuilder.ingest.values: one table of (raw, expected) per parser."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from listbuilder.ingest import values as V
from listbuilder.schema import FUNDING_STAGES


def run(expr_fn, raw: str | None):  # type: ignore[no-untyped-def]
    frame = pl.DataFrame({"v": [raw]}, schema={"v": pl.String})
    return frame.select(expr_fn(pl.col("v"))).to_series().to_list()[0]


EMPLOYEES = [
    ("500", 500),
    ("1,001-5,000", 3000),  # closed range -> midpoint, floored
    ("10,001+", 10001),  # open range -> lower bound
    ("51 to 200", 125),
    ("51-200 employees", 125),
    ("11-50 employees", 30),
    ("2.1K", 2100),
    ("2.1k", 2100),
    ("1.5M", 1500000),
    ("Self-employed", 1),
    ("self employed", 1),
    ("Myself Only", 1),
    ("1-10", 5),
    ("1 - 10", 5),
    ("1–10", 5),  # en dash
    ("5,000", 5000),
    ("500.0", 500),  # Excel float
    ("<10", 5),  # below a bound -> midpoint of 1..bound
    ("less than 10", 5),
    ("over 1000", 1000),
    ("1000 or more", 1000),
    ("10-Jan", 5),  # Excel ate "1-10"
    ("Nov-50", 30),  # Excel ate "11-50"
    ("0", 0),
    ("  42  ", 42),
    ("#N/A", None),
    ("N/A", None),
    ("abc", None),
    ("-5", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), EMPLOYEES)
def test_parse_employees(raw: str | None, expected: int | None) -> None:
    assert run(V.parse_employees, raw) == expected


REVENUE = [
    ("$10M - $50M", 30e6),
    ("$10M-$50M", 30e6),
    ("$1M to $10M", 5.5e6),
    ("$1B+", 1e9),
    ("2.10E+07", 21e6),
    ("€5m", 5e6 * V.USD_RATES["EUR"]),
    ("£2.5 million", 2.5e6 * V.USD_RATES["GBP"]),
    ("500K", 500e3),
    ("$500K-$1M", 750e3),
    ("$1-10M", 5.5e6),  # the unit of the upper bound applies to both
    ("USD 5 billion", 5e9),
    ("12500000.0", 12.5e6),
    ("1,000,000", 1e6),
    ("Under $1M", 0.5e6),
    ("<$1M", 0.5e6),
    ("$100 mm", 100e6),
    ("CAD 2M", 2e6 * V.USD_RATES["CAD"]),
    ("lots", None),
    ("-", None),
    ("#VALUE!", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), REVENUE)
def test_parse_revenue(raw: str | None, expected: float | None) -> None:
    got = run(V.parse_revenue, raw)
    assert got == pytest.approx(expected) if expected is not None else got is None


SCALED = [  # header said "(in 000s USD)": plain numbers x1000, explicit units win
    ("2500", 2.5e6),
    ("2,500", 2.5e6),
    ("$5M", 5e6),
    ("1.5", 1500.0),
]


@pytest.mark.parametrize(("raw", "expected"), SCALED)
def test_parse_money_scaled(raw: str, expected: float) -> None:
    assert run(lambda e: V.parse_money(e, scale=1000), raw) == pytest.approx(expected)


def test_parse_money_default_currency() -> None:
    assert run(lambda e: V.parse_money(e, currency="EUR"), "100") == pytest.approx(108.0)


FUNDING = [
    ("Series B", "Series B"),
    ("series-b", "Series B"),
    ("series_b", "Series B"),
    ("SERIES B", "Series B"),
    ("Series B Round", "Series B"),
    ("Series A1", "Series A"),
    ("Series A-2", "Series A"),
    ("Series C+", "Series C"),  # "C or later": the lowest stage it can mean
    ("series-c+", "Series C"),
    ("Series D", "Series D+"),
    ("Series E", "Series D+"),
    ("series_h", "Series D+"),
    ("seed", "Seed"),
    ("Seed Round", "Seed"),
    ("angel", "Pre-Seed"),
    ("pre-seed", "Pre-Seed"),
    ("Pre Seed", "Pre-Seed"),
    ("preseed", "Pre-Seed"),
    ("venture", "Series A"),  # unknown series -> Series A
    ("Venture - Series Unknown", "Series A"),
    ("Early Stage Venture", "Series A"),
    ("Late Stage Venture", "Series C"),
    ("IPO", "Public"),
    ("post-ipo", "Public"),
    ("post_ipo_equity", "Public"),
    ("Post-IPO Debt", "Public"),
    ("private-equity", "Private Equity"),
    ("Private Equity", "Private Equity"),
    ("debt_financing", None),
    ("grant", None),
    ("N/A", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), FUNDING)
def test_parse_funding_stage(raw: str | None, expected: str | None) -> None:
    got = run(V.parse_funding_stage, raw)
    assert got == expected
    assert got is None or got in FUNDING_STAGES


DATES = [
    ("6/30/2012", date(2012, 6, 30)),
    ("06/30/2012", date(2012, 6, 30)),
    ("1/2/2012", date(2012, 1, 2)),  # ambiguous a/b: month first
    ("13/02/2012", date(2012, 2, 13)),  # first > 12: day first
    ("6/1/98", date(1998, 6, 1)),
    ("6/1/12", date(2012, 6, 1)),
    ("2012-06-30", date(2012, 6, 30)),
    ("2012-06-30 00:00:00", date(2012, 6, 30)),
    ("2012-06-30T12:00:00Z", date(2012, 6, 30)),
    ("2012/06/30", date(2012, 6, 30)),
    ("30.06.2012", date(2012, 6, 30)),
    ("30-06-2012", date(2012, 6, 30)),
    ("Jun 2012", date(2012, 6, 1)),
    ("June 2012", date(2012, 6, 1)),
    ("Sept 2012", date(2012, 9, 1)),
    ("June 30, 2012", date(2012, 6, 30)),
    ("Jun 30 2012", date(2012, 6, 30)),
    ("30 Jun 2012", date(2012, 6, 30)),
    ("30-Jun-12", date(2012, 6, 30)),
    ("2012-06", date(2012, 6, 1)),
    ("2012", date(2012, 1, 1)),
    ("41090", date(2012, 6, 30)),  # Excel serial
    ("41090.0", date(2012, 6, 30)),
    ("1322045523", date(2011, 11, 23)),  # Unix seconds
    ("2/30/2012", None),
    ("10/14/2173x", None),
    ("soon", None),
    ("#REF!", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), DATES)
def test_parse_date(raw: str | None, expected: date | None) -> None:
    assert run(V.parse_date, raw) == expected


YEARS = [
    ("2012", 2012),
    ("2012.0", 2012),
    ("6/1/2012", 2012),
    ("2012-06-30", 2012),
    ("Jun 1998", 1998),
    ("41090", 2012),
    ("1850", 1850),
    ("99", None),
    ("someday", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), YEARS)
def test_parse_year(raw: str | None, expected: int | None) -> None:
    assert run(V.parse_year, raw) == expected


LISTS = [
    ("Salesforce; HubSpot", ["Salesforce", "HubSpot"]),
    ("a, b, c", ["a", "b", "c"]),
    ("a|b|c", ["a", "b", "c"]),
    ("a; b, c | d", ["a", "b", "c", "d"]),
    (" a ;; b ; ", ["a", "b"]),
    ("a; b; a", ["a", "b"]),  # de-duplicated in order
    ('["x", "y"]', ["x", "y"]),
    ("solo", ["solo"]),
    ("", None),
    ("N/A", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), LISTS)
def test_parse_list(raw: str | None, expected: list[str] | None) -> None:
    assert run(V.parse_list, raw) == expected


PLACEHOLDERS = [
    ("#NAME?", None),
    ("#VALUE!", None),
    ("#REF!", None),
    ("#N/A", None),
    ("#DIV/0!", None),
    ("N/A", None),
    ("n/a", None),
    ("-", None),
    ("--", None),
    ("nan", None),
    ("NaN", None),
    ("null", None),
    ("NULL", None),
    ("None", None),
    ("", None),
    ("   ", None),
    ('=HYPERLINK("x")', None),
    ("=1+1", None),
    ("  Acme  ", "Acme"),
    ("NA", "NA"),  # Namibia / North America: not a placeholder
    ("#waywire", "#waywire"),
    ("Co-op", "Co-op"),
]


@pytest.mark.parametrize(("raw", "expected"), PLACEHOLDERS)
def test_clean_text(raw: str, expected: str | None) -> None:
    assert run(V.clean_text, raw) == expected


CODES = [
    ("7372", "7372"),
    ("7372.0", "7372"),
    ("7372 - Prepackaged Software", "7372"),
    ("541511", "541511"),
    ("software", None),
]


@pytest.mark.parametrize(("raw", "expected"), CODES)
def test_parse_code(raw: str, expected: str | None) -> None:
    assert run(V.parse_code, raw) == expected


def test_parsers_keep_row_order_and_nulls_on_many_rows() -> None:
    raw = ["1-10", None, "500", "1-10", "x"] * 1000
    got = pl.DataFrame({"v": raw}).select(V.parse_employees(pl.col("v"))).to_series().to_list()
    assert got == [5, None, 500, 5, None] * 1000


def test_parsers_on_all_null_column() -> None:
    frame = pl.DataFrame({"v": [None, None]}, schema={"v": pl.String})
    out = frame.select(
        V.parse_employees(pl.col("v")).alias("e"),
        V.parse_date(pl.col("v")).alias("d"),
        V.parse_list(pl.col("v")).alias("l"),
    )
    assert out.schema == pl.Schema({"e": pl.Int64, "d": pl.Date, "l": pl.List(pl.String)})
    assert out.null_count().row(0) == (2, 2, 2)


LOCATIONS = [
    ("San Francisco, California, United States", ("San Francisco", "CA", "US")),
    ("Redwood City, CA, USA", ("Redwood City", "CA", "US")),
    ("London, England, United Kingdom", ("London", "England", "GB")),
    ("Berlin, Germany", ("Berlin", None, "DE")),
    ("Austin, TX", ("Austin", "TX", "US")),
    ("Toronto, ON", ("Toronto", "ON", "CA")),
    ("Austin, TX, USA; Remote", ("Austin", "TX", "US")),
    ("123 Main St, San Francisco, CA 94105, USA", ("San Francisco", "CA", "US")),
    ("Germany", (None, None, "DE")),
    ("Remote", ("Remote", None, None)),
    ("N/A", (None, None, None)),
]


@pytest.mark.parametrize(("raw", "expected"), LOCATIONS)
def test_parse_location(raw: str, expected: tuple[str | None, str | None, str | None]) -> None:
    got = run(V.parse_location, raw)
    assert (got["city"], got["state"], got["country"]) == expected


# (raw, point estimate, band min, band max): the band is kept only for ranges
EMPLOYEE_BANDS = [
    ("1,001-5,000", 3000, 1001, 5000),
    ("10,001+", 10001, 10001, None),  # open: no upper end
    ("51 to 200", 125, 51, 200),
    ("51-200 employees", 125, 51, 200),
    ("1k-5k", 3000, 1000, 5000),
    ("over 500", 500, 500, None),
    ("under 50", 25, 1, 50),  # from the floor of 1 employee
    ("10-Jan", 5, 1, 10),  # Excel-mangled band 1-10
    ("Nov-50", 30, 11, 50),
    ("500", 500, None, None),  # exact counts: no band
    ("2.1K", 2100, None, None),
    ("Self-employed", 1, None, None),
    ("over 10-50", None, None, None),
    ("abc", None, None, None),
    ("", None, None, None),
    (None, None, None, None),
]


@pytest.mark.parametrize(("raw", "point", "low", "high"), EMPLOYEE_BANDS)
def test_parse_employee_bounds(
    raw: str | None, point: int | None, low: int | None, high: int | None
) -> None:
    assert run(V.parse_employees, raw) == point
    # a null input gives a null struct; its fields read as null
    assert (run(V.parse_employee_bounds, raw) or {"min": None, "max": None}) == {
        "min": low,
        "max": high,
    }


# The band a compact range string names (the text as `_employee_text` leaves it):
# (compact, min, max), from a floor of 1.
RANGE_BOUNDS = [
    ("1001-5000", 1001.0, 5000.0),
    ("10-50m", 10e6, 50e6),  # one unit for both ends
    ("10k-2m", 10e3, 2e6),
    ("10001+", 10001.0, None),  # open above
    ("over500", 500.0, None),
    ("<10", 1.0, 10.0),  # from the floor to the bound
    ("under50", 1.0, 50.0),
    ("500", None, None),  # a plain count names no band
    ("over10-50", None, None),  # not a band we can trust
    ("lots", None, None),
    (None, None, None),
]


@pytest.mark.parametrize(("compact", "low", "high"), RANGE_BOUNDS)
def test_range_bounds(compact: str | None, low: float | None, high: float | None) -> None:
    frame = pl.DataFrame({"c": [compact]}, schema={"c": pl.String})
    assert V._range_bounds(frame, "c").row(0) == (low, high)
