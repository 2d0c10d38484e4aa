"""Time matching and aggregating trigger events onto accounts.

Generates (seeded, with polars) N accounts and M events of every kind — 70% keyed
by domain, 25% by the exact name, 4% by a misspelled name (fuzzy), 1% unknown —
then times ``score_signals`` (match + derive + decay + combine + explain) and
reports peak memory above the generated inputs. CPU time (all threads) is
printed next to wall time because a shared machine inflates the latter.

    python benchmarks/bench_signals.py                      # 1M accounts, 5M events
    python benchmarks/bench_signals.py --accounts 100000 --events 500000
"""

from __future__ import annotations

import argparse
import threading
import time
from datetime import date

import polars as pl
import psutil

from listbuilder.normalize.names import name_key_expr
from listbuilder.signals import EVENT_SCHEMA, parse_signal_rules, score_signals
from listbuilder.signals.match import match_events

AS_OF = date(2024, 6, 30)
SYLLABLES = ["ka", "zu", "mi", "ro", "te", "vo", "la", "ne", "shi", "po", "da", "qui", "fe", "bo"]
SUFFIXES = ["Systems", "Labs", "Analytics", "Health", "Robotics", "Software", "Capital"]
RULES = [
    {
        "kind": "funding",
        "boost": 15,
        "rounds": ["Series B", "Series C"],
        "half_life_days": 45,
        "max_age_days": 180,
    },
    {
        "kind": "exec_hire",
        "boost": 10,
        "titles": "CRO|Chief Revenue|VP,? Sales",
        "half_life_days": 60,
        "max_age_days": 120,
    },
    {"kind": "job_spike", "boost": 8, "departments": ["Sales"], "min_count": 3},
    {"kind": "headcount_growth", "boost": 6, "departments": ["Sales"], "min_growth_pct": 50},
    {"kind": "tech_change", "boost": 5, "removed": ["Marketo"], "max_age_days": 90},
    {"kind": "announcement", "boost": 3, "keywords": ["new market"], "combine": "sum", "cap": 6},
]


def _rand(n: int, seed: int, modulo: int) -> pl.Expr:
    return (pl.int_range(n, dtype=pl.UInt64).hash(seed=seed) % modulo).cast(pl.Int64)


def _word(i: pl.Expr) -> pl.Expr:
    """A pronounceable word unique to ``i`` (base-14 syllables)."""
    parts = [
        ((i // (len(SYLLABLES) ** k)) % len(SYLLABLES)).replace_strict(
            list(range(len(SYLLABLES))), SYLLABLES, return_dtype=pl.String
        )
        for k in range(6)
    ]
    return pl.concat_str(parts)


def make_accounts(n: int) -> pl.DataFrame:
    i = pl.int_range(n, dtype=pl.Int64)
    suffix = _rand(n, 1, len(SUFFIXES)).replace_strict(
        list(range(len(SUFFIXES))), SUFFIXES, return_dtype=pl.String
    )
    df = pl.select(
        i.alias("row_id"),
        pl.concat_str(_word(i).str.to_titlecase(), pl.lit(" "), suffix).alias("name"),
        pl.when(_rand(n, 2, 10) < 8).then(_word(i) + pl.lit(".com")).alias("domain"),
    )
    return df.with_columns(
        name_key_expr(pl.col("name")).alias("name_key"),
        (_rand(n, 3, 100) == 0).alias("domain_is_platform"),
    )


def make_events(accounts: pl.DataFrame, m: int) -> pl.DataFrame:
    n = accounts.height
    target = pl.DataFrame({"row_id": pl.select(_rand(m, 10, n)).to_series()})
    ev = target.join(accounts, on="row_id", how="left", maintain_order="left")
    how = pl.select(_rand(m, 11, 100)).to_series()
    kinds = [
        "funding",
        "exec_hire",
        "job_posting",
        "job_posting",
        "headcount",
        "headcount",
        "job_posting",
        "job_posting",
        "tech_change",
        "announcement",
    ]
    pick = pl.select(_rand(m, 12, len(kinds))).to_series()
    ago = pl.select(_rand(m, 13, 400)).to_series()
    depts = ["Sales", "Engineering", "Marketing", "Sales"]
    misspelt = pl.col("name").str.slice(0, pl.col("name").str.len_chars() - 1)
    ev = ev.with_columns(
        how.alias("how"),
        pick.replace_strict(list(range(len(kinds))), kinds, return_dtype=pl.String).alias("kind"),
        (pl.lit(AS_OF) - pl.duration(days=ago)).alias("date"),
    ).select(
        pl.lit("bench").alias("source"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("line"),
        pl.when((pl.col("how") < 70) & pl.col("domain").is_not_null())
        .then(pl.concat_str(pl.lit("https://www."), pl.col("domain")))
        .alias("domain"),
        pl.when(pl.col("how") >= 99)
        .then(pl.lit("Unknown Company ") + pl.col("row_id").cast(pl.String))
        .when(pl.col("how") >= 95)
        .then(misspelt)
        .otherwise(pl.col("name"))
        .alias("company_name"),
        pl.col("kind"),
        pl.col("date"),
        pl.when(pl.col("kind") == "funding")
        .then(pl.lit(["series-a", "series-b", "series-c+", "venture"]).list.get(ago % 4))
        .alias("round_type"),
        pl.when(pl.col("kind") == "funding")
        .then((ago * 250_000 + 1_000_000).cast(pl.Float64))
        .alias("amount_usd"),
        pl.lit(None, dtype=pl.String).alias("investors"),
        pl.lit(None, dtype=pl.String).alias("person"),
        pl.when(pl.col("kind") == "exec_hire")
        .then(pl.lit(["Chief Revenue Officer", "VP Sales", "CFO"]).list.get(ago % 3))
        .when(pl.col("kind") == "job_posting")
        .then(pl.lit("Account Executive"))
        .alias("title"),
        pl.when(pl.col("kind").is_in(["job_posting", "headcount"]))
        .then(pl.lit(depts).list.get(ago % 4))
        .alias("department"),
        pl.when(pl.col("kind") == "headcount").then(400 - ago).alias("headcount"),
        pl.when(pl.col("kind") == "tech_change")
        .then(pl.lit(["Marketo", "HubSpot"]).list.get(ago % 2))
        .alias("technology"),
        pl.when(pl.col("kind") == "tech_change")
        .then(pl.lit(["removed", "added"]).list.get(ago % 2))
        .alias("change"),
        pl.when(pl.col("kind") == "announcement")
        .then(pl.lit(["Opens a new market in Brazil", "Wins an award"]).list.get(ago % 2))
        .alias("text"),
    )
    missing = [
        pl.lit(None, dtype).alias(c) for c, dtype in EVENT_SCHEMA.items() if c not in ev.columns
    ]
    return ev.with_columns(missing).select(list(EVENT_SCHEMA)).cast(EVENT_SCHEMA)  # type: ignore[arg-type]


class PeakRSS:
    """Samples this process's resident memory in a thread; ``peak`` in bytes."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    args = parser.parse_args()

    t0 = time.perf_counter()
    accounts = make_accounts(args.accounts)
    events = make_events(accounts, args.events)
    rules, problems = parse_signal_rules(RULES)
    assert not problems, problems
    print(
        f"generated {accounts.height:,} accounts, {events.height:,} events "
        f"in {time.perf_counter() - t0:.1f}s"
    )

    base = psutil.Process().memory_info().rss
    with PeakRSS() as mem:
        t0, c0 = time.perf_counter(), time.process_time()
        pairs, _ = match_events(
            accounts,
            events.with_row_index("event_id").with_columns(pl.col("event_id").cast(pl.Int64)),
        )
        t_match, c_match = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"match only:      {t_match:6.2f}s wall, {c_match:6.2f}s CPU  ({pairs.height:,} pairs; "
        f"{pairs['match'].value_counts().sort('match').rows()})  "
        f"peak +{(mem.peak - base) / 2**20:,.0f} MiB"
    )
    del pairs

    base = psutil.Process().memory_info().rss
    with PeakRSS() as mem:
        t0, c0 = time.perf_counter(), time.process_time()
        result = score_signals(accounts, events, rules, as_of=AS_OF)
        t_all, c_all = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"score_signals:   {t_all:6.2f}s wall, {c_all:6.2f}s CPU  "
        f"peak +{(mem.peak - base) / 2**20:,.0f} MiB "
        f"(process peak {mem.peak / 2**20:,.0f} MiB)"
    )
    print(f"accounts boosted {result.scores.height:,}; counts {result.counts}")
    print(
        result.scores.sort("signal_score", "row_id", descending=[True, False])
        .head(3)
        .select("row_id", "signal_score", "why_now")
        .rows()
    )


if __name__ == "__main__":
    main()
