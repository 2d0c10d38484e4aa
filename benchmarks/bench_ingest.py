"""Time ingest (and ingest + normalize) on a generated 1M-row ZoomInfo-style CSV.

Prints the median of 3 runs of `read_companies`, of `read_companies` followed by
`normalize_companies` (when that exists), and of plain `pl.read_csv` of the same
file, with the ratios. Aim: ingest within 3x of the plain read.

    python benchmarks/bench_ingest.py [--rows 1000000] [--repeat 3] [--keep] [--csv FILE]

`--csv FILE` times an existing file instead of generating one (e.g. one kept with
`--keep`), so runs can be compared on the same input without regenerating it.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

from listbuilder.ingest import read_companies

SEED = 20240601


def _pick(values: list[str], n: int, seed: int) -> pl.Series:
    """n values drawn (seeded) from `values`."""
    index = pl.Series(range(n)).sample(n, with_replacement=True, seed=seed) % len(values)
    return pl.Series(values).gather(index)


def _fmt(template: str, *parts: pl.Series) -> pl.Series:
    return pl.select(pl.format(template, *(pl.lit(p) for p in parts))).to_series()


def generate(path: Path, rows: int) -> None:
    """A ZoomInfo-style export with realistic mess: placeholders, ranges, mixed spellings."""
    ids = pl.int_range(rows, eager=True)
    frame = pl.DataFrame(
        {
            "ZoomInfo Company ID": ids.cast(pl.String),
            "Company Name": _fmt(
                "{} {}",
                _pick(["Acme", "Globex", "Initech", "Umbrella", "Hooli", "#NAME?"], rows, SEED),
                ids,
            ),
            "Website": _fmt(
                "{}{}.{}",
                _pick(["https://www.", "http://", "", "www."], rows, SEED + 1),
                ids,
                _pick(["com", "io", "co.uk", "de"], rows, SEED + 2),
            ),
            "Employees": _pick(
                [str(n) for n in range(1, 5000, 7)] + ["", "N/A", "lots"], rows, SEED + 3
            ),
            "Employee Range": _pick(
                ["1-10", "11-50", "51-200", "201-500", "1,001-5,000", "10,001+", "10-Jan", ""],
                rows,
                SEED + 4,
            ),
            "Revenue (in 000s USD)": _pick(
                [str(n) for n in range(100, 900_000, 37)] + ["", "#VALUE!"], rows, SEED + 5
            ),
            "Revenue Range (in USD)": _pick(
                ["$1M - $5M", "$10M - $50M", "$1B+", "Under $1M", "2.10E+07", ""], rows, SEED + 6
            ),
            "Primary Industry": _pick(["Software", "Retail", "Manufacturing", "-"], rows, SEED + 7),
            "SIC Code 1": _pick(["7372", "7372.0", "5411", ""], rows, SEED + 8),
            "NAICS Code 1": _pick(["541511", "445110", ""], rows, SEED + 9),
            "Company City": _pick(["San Francisco", "Berlin", "London", "Austin"], rows, SEED + 10),
            "Company State": _pick(["California", "CA", "Texas", "Bayern", ""], rows, SEED + 11),
            "Company Zip Code": _pick(["94105", "2134", "10115", "SW1A 1AA"], rows, SEED + 12),
            "Company Country": _pick(
                ["United States", "USA", "U.S.", "Germany", "UK", "Deutschland", "us"],
                rows,
                SEED + 13,
            ),
            "Founded Year": _pick(
                [str(y) for y in range(1950, 2024)] + ["2012.0", ""], rows, SEED + 14
            ),
            "Recent Funding Round": _pick(
                ["Series B", "series-a", "Seed", "Series C+", "IPO", "venture", ""], rows, SEED + 15
            ),
            "Recent Funding Date": _pick(
                ["6/30/2012", "2019-01-15", "30.06.2020", "Jun 2021", "41090", ""], rows, SEED + 16
            ),
            "Total Funding Amount (in 000s USD)": _pick(
                [str(n) for n in range(0, 500_000, 113)] + [""], rows, SEED + 17
            ),
            "Technologies": _pick(
                ["Salesforce; HubSpot", "Slack|Zoom", "AWS, GCP", "", "Marketo"], rows, SEED + 18
            ),
            "LinkedIn Company Profile URL": _fmt("linkedin.com/company/{}", ids),
            "Company HQ Phone": _pick(["+1 415 555 0100", "(030) 1234567", ""], rows, SEED + 19),
        }
    )
    frame.write_csv(path)


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the generated CSV")
    parser.add_argument("--csv", type=Path, help="time this existing file; generate none")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.csv is not None:
            path = args.csv
            size = path.stat().st_size / 1e6
            print(f"using {path} ({size:.0f} MB)")
        else:
            path = Path(tmp) / "zoominfo.csv"
            start = time.perf_counter()
            generate(path, args.rows)
            size = path.stat().st_size / 1e6
            took = time.perf_counter() - start
            print(f"generated {args.rows:,} rows ({size:.0f} MB) in {took:.1f}s")
        plain = median_time(lambda: pl.read_csv(path, infer_schema=False), args.repeat)
        ingest = median_time(lambda: read_companies(path), args.repeat)
        print(f"pl.read_csv (all String):             {plain:6.2f}s")
        print(f"read_companies:                       {ingest:6.2f}s  ({ingest / plain:.1f}x)")
        try:
            from listbuilder.normalize import normalize_companies
        except ImportError:
            print("read_companies + normalize_companies:  n/a (normalize_companies not found)")
        else:
            both = median_time(
                lambda: normalize_companies(read_companies(path).companies), args.repeat
            )
            print(f"read_companies + normalize_companies: {both:6.2f}s  ({both / plain:.1f}x)")
        if args.keep and args.csv is None:
            kept = Path("zoominfo_bench.csv")
            kept.write_bytes(path.read_bytes())
            print(f"kept {kept}")


if __name__ == "__main__":
    main()
