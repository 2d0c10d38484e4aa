"""Time normalize_companies on a synthetic list, beside plain tldextract on the same values.

    python benchmarks/bench_normalize.py            # 1M rows, median of 3
    python benchmarks/bench_normalize.py --rows 200000 --repeat 5

The list is generated inline with polars (seeded): ~70% unique hosts in the
shapes vendors export (URLs, bare hosts, emails, ccTLDs, junk) and names with
legal forms, accents and Cyrillic.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import polars as pl
import tldextract

from listbuilder.normalize import normalize_companies
from listbuilder.normalize.domains import hosts_series, registrable_domain_series
from listbuilder.normalize.names import name_key_expr

PREFIXES = ["https://www.", "http://", "", "www.", "info@", "HTTPS://WWW.", "http://www."]
SUFFIXES = ["com", "co.uk", "de", "io", "com.au", "net", "org", "fr", "co.jp", "com.br", "ai"]
PATHS = ["", "/", "/about", "/en/contact?ref=list", ":8080/"]
WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Nestlé", "Müller", "Ромашка"]
FORMS = ["Inc.", "LLC", "GmbH & Co. KG", "Co., Ltd.", "S.A.", "Holdings", "", "Oy", "ООО"]
JUNK = ["N/A", "#NAME?", "-", "", "linkedin.com/company/x"]


def synthetic_companies(rows: int, *, seed: int = 7) -> pl.DataFrame:
    """`rows` companies with ~70% unique hosts, built with polars only."""

    def pick(values: list[str], offset: int) -> pl.Expr:
        series = pl.Series(values)
        return pl.lit(series.sample(rows, with_replacement=True, seed=seed + offset))

    # ids drawn with replacement from 1.0 x rows: ~63% distinct ids, ~70% distinct hosts
    ids = pl.Series(range(rows)).sample(rows, with_replacement=True, seed=seed)
    frame = pl.select(
        pl.lit(ids).alias("id"),
        pick(PREFIXES, 1).alias("prefix"),
        pick(PATHS, 3).alias("path"),
        pick(WORDS, 4).alias("word"),
        pick(FORMS, 5).alias("form"),
        pick(JUNK, 6).alias("junk"),
        (pl.int_range(rows) % 50 == 0).alias("is_junk"),
    ).with_columns(
        # one suffix per id, so an id is one host whatever its prefix and path
        pl.col("id").mod(len(SUFFIXES)).replace_strict(dict(enumerate(SUFFIXES))).alias("suffix"),
        pl.col("id").cast(pl.String),
    )
    website = pl.concat_str(
        [pl.col("prefix"), pl.lit("company"), pl.col("id"), pl.lit("."), pl.col("suffix")]
        + [pl.col("path")]
    )
    return frame.select(
        pl.int_range(rows, dtype=pl.Int64).alias("row_id"),
        pl.lit("synthetic.csv").alias("source"),
        (pl.int_range(rows, dtype=pl.Int64) + 2).alias("line"),
        pl.concat_str([pl.col("word"), pl.col("id"), pl.col("form")], separator=" ").alias("name"),
        pl.when(pl.col("is_junk")).then(pl.col("junk")).otherwise(website).alias("website"),
    )


def median_seconds(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall-clock and median CPU seconds (all threads) of `repeat` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    companies = synthetic_companies(args.rows)
    websites = companies["website"]
    unique_hosts = hosts_series(websites).n_unique()
    normalize_companies(companies.head(1000))  # loads the suffix table once
    extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    values = websites.to_list()
    extract("warm.up.example.com")

    def plain_tldextract() -> list[str]:
        return [extract(v).top_domain_under_public_suffix for v in values]

    results = {
        "normalize_companies": median_seconds(lambda: normalize_companies(companies), args.repeat),
        "  registrable_domain_series": median_seconds(
            lambda: registrable_domain_series(websites), args.repeat
        ),
        "  name_key_expr": median_seconds(
            lambda: companies.select(name_key_expr(pl.col("name"))), args.repeat
        ),
        "plain tldextract (per value)": median_seconds(plain_tldextract, args.repeat),
    }
    print(f"{args.rows:,} rows, {unique_hosts:,} unique hosts, median of {args.repeat}")
    print(f"{'':32s} {'wall':>8s} {'cpu':>8s}")
    for label, (wall, cpu) in results.items():
        print(f"{label:32s} {wall:7.2f}s {cpu:7.2f}s")


if __name__ == "__main__":
    main()
