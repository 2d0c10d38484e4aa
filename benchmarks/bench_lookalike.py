"""Lookalikes: speed on a synthetic canonical list, and quality on the generated fixtures.

Speed (`--rows`, `--seeds`): a canonical frame built column by column with a seeded
numpy generator (no CSV, no ingest, no matching), so the figures are the lookalike
stage alone: encoding the fields, the blocked nearest-seed search, and the why line
of the top 1,000 and of every account. Seeds are rows of the list (each its own
account: never its own neighbour).

Quality (`--quality ROWS`): the fixture generator's list (fixtures/generate.py), with
seeds drawn at random from one hidden segment (the generator's archetype, never a
column of the list), written as a two-column file (name, website) so they go through
ingest and the match model like a real customer export. Precision at 100 and 1,000
(the share of the top accounts, seeds excluded, that belong to the segment) beside a
random ranking (the segment's base rate) and the rule profile written for it.

    python benchmarks/bench_lookalike.py --rows 40000 --seeds 200
    python benchmarks/bench_lookalike.py --rows 1000000 --seeds 1000
    python benchmarks/bench_lookalike.py --quality 40000 --no-speed
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
from _measure import PeakRSS  # type: ignore[import-not-found]  # noqa: I001

from listbuilder.lookalike.core import _score, _with_why
from listbuilder.lookalike.seeds import Seeds
from listbuilder.schema import FUNDING_STAGES

ROOT = Path(__file__).resolve().parent.parent
INDUSTRIES = ["SaaS", "Computer Software", "Internet", "Retail", "Manufacturing", "Government",
              "Education", "Financial Services", "Hospital & Health Care", "Restaurants",
              "Marketing & Advertising", "Logistics & Supply Chain", None]  # fmt: skip
COUNTRIES = ["US", "US", "US", "CA", "GB", "IE", "DE", "FR", "IN", "BR", "AU", "JP", None]
TECH = [f"Tool{i:03d}" for i in range(400)]
DEPTS = ["Sales", "Marketing", "Finance", "HR", "IT", "Engineering", "Legal", "Operations",
         "Customer Success", "Sales Operations", "Rev Ops", "Product",
         "Content Marketing"]  # fmt: skip


def synthetic(rows: int, seed: int = 7) -> pl.DataFrame:
    """A canonical company frame: heavy-tailed sizes, Zipf-like technologies."""
    rng = np.random.default_rng(seed)
    employees = np.clip(rng.lognormal(np.log(60), 1.6, rows), 1, 100_000).astype(np.int64)
    revenue = employees * rng.lognormal(np.log(150_000), 0.5, rows)
    tech_p = 1.0 / np.arange(1, len(TECH) + 1) ** 0.9
    tech_p /= tech_p.sum()
    n_tech = rng.integers(0, 12, rows)
    tech_idx = rng.choice(len(TECH), size=int(n_tech.sum()), p=tech_p)
    offsets = np.concatenate([[0], np.cumsum(n_tech)])
    techs = (
        pl.Series("t", np.asarray(TECH)[tech_idx])
        .to_frame()
        .with_columns(row=pl.Series(np.repeat(np.arange(rows), n_tech)))
    )
    tech_lists = techs.group_by("row").agg(pl.col("t").unique().sort())
    n_dept = rng.integers(0, 8, rows)
    dept_idx = rng.integers(0, len(DEPTS), int(n_dept.sum()))
    depts = (
        pl.DataFrame({"d": np.asarray(DEPTS)[dept_idx], "row": np.repeat(np.arange(rows), n_dept)})
        .group_by("row")
        .agg(pl.col("d").unique().sort())
    )
    del offsets

    def pick(values: list[str | None]) -> pl.Series:
        return pl.Series([values[i] for i in rng.integers(0, len(values), rows)], dtype=pl.String)

    frame = pl.DataFrame(
        {
            "row_id": np.arange(rows, dtype=np.int64),
            "employees": employees,
            "revenue": revenue,
            "industry": pick(INDUSTRIES),
            "country": pick(COUNTRIES),
            "funding_stage": pick([None, None, None, *FUNDING_STAGES]),
            "founded_year": rng.integers(1950, 2025, rows),
        }
    ).with_row_index("row")
    frame = frame.with_columns(pl.col("row").cast(pl.Int64))
    frame = frame.join(tech_lists.with_columns(pl.col("row").cast(pl.Int64)), on="row", how="left")
    frame = frame.join(depts.with_columns(pl.col("row").cast(pl.Int64)), on="row", how="left")
    return frame.rename({"t": "technologies", "d": "departments"}).drop("row")


def bench_speed(rows: int, n_seeds: int) -> None:
    rss = PeakRSS()
    t0 = time.perf_counter()
    accounts = synthetic(rows)
    build_s = time.perf_counter() - t0
    base = rss.lap()
    picks = np.sort(np.random.default_rng(11).choice(rows, n_seeds, replace=False))
    seed_frame = accounts[picks].with_columns(
        seed_line=pl.Series(np.arange(2, n_seeds + 2)),
        seed_name=pl.format("Seed {}", pl.col("row_id")),
        list_row=pl.Series(picks.astype(np.int64)),
        usable=pl.lit(True),
        reason=pl.lit(None, dtype=pl.String),
    )
    seeds = Seeds(seed_frame, "synthetic seeds", 0)
    t0 = time.perf_counter()
    scored = _score(accounts, seeds, groups=(), weights=None, text=False, k=3)
    score_s = time.perf_counter() - t0
    score_peak = rss.lap()
    top = np.argsort(-scored.scores["_raw"].to_numpy(), kind="stable")[:1000]
    t0 = time.perf_counter()
    why_top = _with_why(scored, top)
    why_top_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    _with_why(scored, np.arange(rows))
    why_all_s = time.perf_counter() - t0
    why_peak = rss.lap()
    rss.stop()
    mb = 1024 * 1024
    print(f"speed: {rows:,} accounts × {n_seeds:,} seeds (synthetic frame built in "
          f"{build_s:.1f} s, {base / mb:,.0f} MB)")  # fmt: skip
    print(
        f"  score (encode + nearest 3 seeds): {score_s:6.2f} s   peak RSS {score_peak / mb:,.0f} MB"
    )
    print(f"  why of the top 1,000:             {why_top_s:6.2f} s")
    print(
        f"  why of every account:             {why_all_s:6.2f} s   peak RSS {why_peak / mb:,.0f} MB"
    )
    print(f"  example: {why_top['lookalike_score'][0]} — {why_top['lookalike_why'][0]}")


def _generator():
    spec = importlib.util.spec_from_file_location(
        "fixtures_generate", ROOT / "fixtures/generate.py"
    )
    gen = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["fixtures_generate"] = gen
    spec.loader.exec_module(gen)  # type: ignore[union-attr]
    return gen


def bench_quality(rows: int, segment: str, n_seeds: int, profile: str) -> None:
    from listbuilder.dedupe import dedupe_companies
    from listbuilder.ingest import read_companies
    from listbuilder.lookalike import find_lookalikes
    from listbuilder.normalize import normalize_companies
    from listbuilder.profile import load_profile
    from listbuilder.score import score_companies

    gen_mod = _generator()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        gen = gen_mod.Generator(rows, 7)
        gen_mod.write_companies(gen, out, rows)
        arch = {c.cid: c.archetype for c in gen.companies}
        truth = pl.read_csv(out / "truth.csv", schema_overrides={"company_id": pl.String})
        truth = truth.with_columns(segment=pl.col("company_id").replace_strict(arch) == segment)
        members = [c for c in gen.companies if c.archetype == segment and c.domain and not c.blank]
        chosen = random.Random(3).sample(members, n_seeds)
        seeds_file = out / "best_customers.csv"
        pl.DataFrame({"Company": [c.full_name for c in chosen],
                      "Website": [c.domain for c in chosen]}).write_csv(seeds_file)  # fmt: skip
        t0 = time.perf_counter()
        result = find_lookalikes(out / "companies.csv", seeds=seeds_file, exclude_seeds=True,
                                 profile=profile)  # fmt: skip
        took = time.perf_counter() - t0
        seed_ids = {c.cid for c in chosen}
        ranked = result.accounts.join(truth, on="line", how="left")  # type: ignore[union-attr]
        ranked = ranked.filter(~pl.col("company_id").is_in(sorted(seed_ids)))
        # the rule baseline: the same deduped list scored by the profile (fit, then row)
        listed, _ = normalize_companies(read_companies(out / "companies.csv").companies)
        listed = dedupe_companies(listed).companies
        scored = score_companies(listed, [load_profile(profile)]).companies
        rule = (
            scored.join(truth, on="line", how="left")
            .filter(~pl.col("company_id").is_in(sorted(seed_ids)))
            .sort(["fit_score", "row_id"], descending=[True, False])
        )
        base = listed.join(truth, on="line", how="left")["segment"].mean()
        print(f"quality: {rows:,}-row fixture, {n_seeds} seeds from the hidden segment "
              f"{segment!r} ({result.notes[0]}); lookalike run {took:.1f} s")  # fmt: skip
        print(f"  {'':36} {'P@100':>6} {'P@1000':>7}")
        for label, frame in (("lookalike", ranked), (f"rule profile {profile}", rule)):
            p100 = frame.head(100)["segment"].mean()
            p1000 = frame.head(1000)["segment"].mean()
            print(f"  {label:36} {p100:6.2f} {p1000:7.2f}")
        print(f"  {'random (base rate)':36} {base:6.2f} {base:7.2f}")
        print(f"  top: {ranked['lookalike_why'][0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=40_000)
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--quality", type=int, default=None, metavar="ROWS")
    parser.add_argument("--segment", default="saas_mid")
    parser.add_argument("--quality-seeds", type=int, default=50)
    parser.add_argument("--profile", default="b2b_saas")
    args = parser.parse_args()
    if not args.no_speed:
        bench_speed(args.rows, args.seeds)
    if args.quality:
        bench_quality(args.quality, args.segment, args.quality_seeds, args.profile)


if __name__ == "__main__":
    main()
