"""Time `score_companies` on a generated canonical frame: median of 3 runs.

The frame is built column by column with a seeded numpy generator (no CSV, no
ingest), so the figure is scoring alone: hard filters, criteria, the why line,
the breakdown structs and tiers.

    python benchmarks/bench_score.py                        # 1M rows, b2b_saas
    python benchmarks/bench_score.py --rows 200000 --profile managed_services
    python benchmarks/bench_score.py --profile b2b_saas --profile agency_content
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import polars as pl
from _measure import PeakRSS  # type: ignore[import-not-found]  # noqa: I001

from listbuilder.profile import load_profiles
from listbuilder.schema import COMPANY_SCHEMA, DERIVED_SCHEMA, FUNDING_STAGES, LINEAGE_SCHEMA
from listbuilder.score import score_companies

INDUSTRIES = [
    "SaaS",
    "Computer Software",
    "Retail",
    "Manufacturing",
    "Government",
    "Education",
    "Internet",
    "Financial Services",
    "Hospital & Health Care",
    "Restaurants",
    None,
]
COUNTRIES = ["US", "US", "US", "CA", "GB", "IE", "DE", "FR", "AU", None]
TECH = [
    "Salesforce",
    "HubSpot",
    "Slack",
    "Zoom",
    "Jira",
    "Marketo",
    "WordPress",
    "Square",
    "Windows Server",
    "VMware vSphere",
    "AWS",
    "Gong",
]
DEPARTMENTS = [
    "Sales",
    "Marketing",
    "Revenue Operations",
    "Sales Operations",
    "IT",
    "HR",
    "Finance",
    "Operations",
    "Engineering",
]
STATES = ["CA", "NY", "TX", "OH", "MI", "IL", "WA", None]


def make_frame(rows: int, seed: int = 7) -> pl.DataFrame:
    """A canonical company frame with realistic value mixes and some missing data."""
    rng = np.random.default_rng(seed)

    def pick(values: list) -> pl.Series:
        return pl.Series(values, dtype=pl.String).gather(rng.integers(0, len(values), rows))

    def lists(values: list, most: int) -> pl.Series:
        flat = pl.Series(values, dtype=pl.String).gather(rng.integers(0, len(values), rows * most))
        full = flat.reshape((rows, most)).arr.to_list()
        counts = pl.Series(rng.integers(0, most + 1, rows))
        frame = pl.DataFrame({"full": full, "n": counts})
        return frame.select(
            pl.col("full").list.head(pl.col("n")).list.unique(maintain_order=True)
        ).to_series()

    employees = pl.Series(np.exp(rng.normal(5.5, 1.6, rows)).astype(np.int64))
    columns = {
        "row_id": pl.Series(np.arange(rows)),
        "source": pl.Series(["bench.csv"]).gather(np.zeros(rows, dtype=np.int64)),
        "line": pl.Series(np.arange(rows) + 2),
        "name": pl.select(pl.format("Company {}", pl.int_range(rows))).to_series(),
        "employees": employees.set(pl.Series(rng.random(rows) < 0.08), None),
        "revenue": employees.cast(pl.Float64) * rng.uniform(5e4, 3e5, rows),
        "industry": pick(INDUSTRIES),
        "naics": pick(["511210", "541511", "722511", "332710", None]),
        "sic": pick(["7372", "5812", "3599", None]),
        "country": pick(COUNTRIES),
        "state": pick(STATES),
        "founded_year": pl.Series(rng.integers(1950, 2024, rows)),
        "funding_stage": pick([*FUNDING_STAGES, None, None, None]),
        "technologies": lists(TECH, 6),
        "departments": lists(DEPARTMENTS, 5),
        "description": pick(
            [
                "Cloud software for teams",
                "Stores across the midwest",
                None,
                "Precision machining",
                "Our blog and podcast",
            ]
        ),
        "domain": pl.select(pl.format("c{}.com", pl.int_range(rows))).to_series(),
    }
    schema = {**LINEAGE_SCHEMA, **COMPANY_SCHEMA, **DERIVED_SCHEMA}
    frame = pl.DataFrame(columns)
    return (
        frame.with_columns(
            *(pl.lit(None, dtype=schema[c]).alias(c) for c in schema if c not in columns)
        )
        .select(list(schema))
        .cast({c: schema[c] for c in schema})
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--profile",
        action="append",
        default=None,
        help="profile file or shipped name (repeat for several); default b2b_saas",
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    profiles = load_profiles(args.profile or ["b2b_saas"])
    started = time.perf_counter()
    frame = make_frame(args.rows)
    print(f"generated {frame.height:,} rows in {time.perf_counter() - started:.1f} s")
    times, cpu, peaks = [], [], []
    rss = PeakRSS()
    kept = rejected = 0
    for _ in range(args.runs):
        rss.lap()  # the peak counts from the frame alone: the previous result is freed
        base = rss.now()
        started, cpu_started = time.perf_counter(), time.process_time()
        scored = score_companies(frame, profiles)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        peaks.append((rss.lap() - base) / 2**20)
        kept, rejected = scored.companies.height, scored.rejects.height
        del scored
    rss.stop()
    names = ", ".join(p.slug for p in profiles)
    print(
        f"score_companies [{names}] on {args.rows:,} rows: median {statistics.median(times):.2f} s "
        f"of {args.runs} (runs: {', '.join(f'{t:.2f}' for t in times)}; CPU median "
        f"{statistics.median(cpu):.2f} s on {os.cpu_count()} cores); "
        f"peak RSS over the frame +{max(peaks):.0f} MB; "
        f"kept {kept:,}, rejected {rejected:,}"
    )


if __name__ == "__main__":
    main()
