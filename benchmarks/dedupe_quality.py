"""Dedupe quality and speed: listbuilder's matcher beside splink, on lists with ground truth.

    python benchmarks/dedupe_quality.py --rows 40000 --rows 1000000 [--no-splink]

For each size it generates the fixtures (``fixtures/generate.py --seed 7``) once
into ``--workdir``, reads and normalizes ``companies.csv`` once (a child process),
then runs each matcher in its own child process and prints, side by side: wall
time of the dedupe itself, the child's peak memory (max RSS), pairwise
precision / recall / F1 and B-cubed precision / recall against ``truth.csv``,
plus the share of true pairs our blocking keeps. It also scores our matcher on
``../shared/data/chicago_ece_dedupe`` (``True Id``) when that folder is present.

splink (DuckDB backend) is a benchmark-only dependency: ``pip install splink duckdb``.
Its configuration: blocking on domain and on first name token + country,
Jaro-Winkler name levels, exact domain / city / country, EM training, clusters
at match probability 0.9. (Adding an exact founding-year comparison was tried:
on the 1M list EM then settled on a worse model, F1 0.53.)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"

ZOOMINFO = {
    "Company Name": "name",
    "Website": "website",
    "Employees": "employees",
    "Company Country": "country",
    "Company State": "state",
    "Company City": "city",
    "Founded Year": "founded_year",
}


# --------------------------------------------------------------------------- children


def _read_list(path: Path) -> pl.DataFrame:
    """The list through listbuilder's reader when it exists, else a minimal CSV read."""
    try:
        if os.environ.get("LB_BENCH_MINIMAL_READER"):
            raise ImportError
        from listbuilder.ingest import read_companies

        return read_companies([str(path)]).companies
    except ImportError:
        from listbuilder.normalize.geo import parse_country

        raw = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
        return raw.select(
            row_id=pl.int_range(pl.len(), dtype=pl.Int64),
            source=pl.lit(path.name),
            line=pl.int_range(2, pl.len() + 2, dtype=pl.Int64),
            name=pl.col("Company Name"),
            website=pl.col("Website"),
            employees=pl.col("Employees").cast(pl.Int64, strict=False),
            country=parse_country(pl.col("Company Country")),
            city=pl.col("Company City"),
            founded_year=pl.col("Founded Year").cast(pl.Int64, strict=False),
        )


def child_prep(src: Path, out: Path) -> dict:
    from listbuilder.normalize import normalize_companies

    t0 = time.perf_counter()
    df = _read_list(src)
    kept, _ = normalize_companies(df)
    kept.write_parquet(out)
    return {"seconds": time.perf_counter() - t0, "rows": df.height, "usable": kept.height}


def child_ours(src: Path, out: Path) -> dict:
    from listbuilder.dedupe import dedupe_companies

    df = pl.read_parquet(src)
    t0 = time.perf_counter()
    result = dedupe_companies(df)
    seconds = time.perf_counter() - t0
    pred = result.companies.select(
        "cluster_id", members=pl.col("source_rows").str.split("; ")
    ).explode("members")
    pred.select(
        line=pl.col("members").str.extract(r":(\d+)$").cast(pl.Int64), cluster=pl.col("cluster_id")
    ).write_parquet(out)
    return {"seconds": seconds, "pairs": result.pairs.height}


def child_blocking(src: Path, truth: Path) -> dict:
    from listbuilder.dedupe import DedupeSettings
    from listbuilder.dedupe.matcher import candidate_pairs, prepare_match_frame

    df = pl.read_parquet(src)
    t = pl.read_csv(truth).select("line", "company_id")
    ids = df.select("line").join(t, on="line", how="left").with_row_index("i")
    m = prepare_match_frame(df)
    cands = candidate_pairs(m, DedupeSettings())
    lab = ids.select(pl.col("i").cast(pl.UInt32), "company_id")
    hit = (
        cands.join(lab.rename({"i": "i", "company_id": "a"}), on="i")
        .join(lab.rename({"i": "j", "company_id": "b"}), on="j")
        .filter(pl.col("a") == pl.col("b"))
        .height
    )
    sizes = ids.group_by("company_id").len()
    true_pairs = int((sizes["len"] * (sizes["len"] - 1) // 2).sum())
    return {
        "candidates": cands.height,
        "rows": df.height,
        "true_pairs_kept": hit,
        "true_pairs": true_pairs,
    }


def child_splink(src: Path, out: Path) -> dict:
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.backends.duckdb import DuckDBAPI

    df = pl.read_parquet(src).select(
        "line",
        "name_key",
        "country",
        pl.col("city").str.to_lowercase(),
        domain=pl.when(pl.col("domain_is_platform")).then(None).otherwise(pl.col("domain")),
        name_token=pl.col("name_key").str.split(" ").list.first(),
    )
    t0 = time.perf_counter()
    db_api = DuckDBAPI()
    table = db_api.register(df.to_arrow(), dataset_display_name="companies")
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="line",
        comparisons=[
            cl.JaroWinklerAtThresholds("name_key", [0.97, 0.92, 0.85]),
            cl.ExactMatch("domain"),
            cl.ExactMatch("city"),
            cl.ExactMatch("country"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("domain"),
            block_on("name_token", "country"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(table, settings, log_level="WARNING")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("domain", "name_key")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=7)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("domain"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("name_token", "country")
    )
    pred = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        pred, threshold_match_probability=0.9
    )
    frame = pl.from_arrow(clusters.as_duckdbpyrelation().select("line, cluster_id").arrow())
    seconds = time.perf_counter() - t0
    assert isinstance(frame, pl.DataFrame)
    frame.select(
        pl.col("line").cast(pl.Int64), cluster=pl.col("cluster_id").cast(pl.String)
    ).write_parquet(out)
    return {"seconds": seconds}


CHILDREN = {
    "prep": child_prep,
    "ours": child_ours,
    "splink": child_splink,
    "blocking": child_blocking,
}


def run_child(mode: str, *args: Path) -> dict:
    """Run one step in a fresh process; return its report with its own peak RSS (MB)."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", mode, *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{proc.stderr[-3000:]}")
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    report["wall"] = time.perf_counter() - t0
    return report


# --------------------------------------------------------------------------- metrics


def scores(pred: pl.DataFrame, truth: pl.DataFrame) -> dict[str, float]:
    """Pairwise P/R/F1 and B-cubed P/R; rows missing from ``pred`` count as singletons."""
    df = truth.join(pred, on="line", how="left").with_columns(
        pl.col("cluster").fill_null(
            pl.concat_str([pl.lit("single-"), pl.col("line").cast(pl.String)])
        )
    )

    def pairs(*keys: str) -> int:
        n = df.group_by(*keys).len()["len"]
        return int((n * (n - 1) // 2).sum())

    tp, pp, tt = pairs("cluster", "company_id"), pairs("cluster"), pairs("company_id")
    p = tp / pp if pp else 1.0
    r = tp / tt if tt else 1.0
    both = df.with_columns(
        _b=pl.len().over("cluster", "company_id"),
        _p=pl.len().over("cluster"),
        _t=pl.len().over("company_id"),
    )
    return {
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "b3_precision": float((both["_b"] / both["_p"]).mean()),
        "b3_recall": float((both["_b"] / both["_t"]).mean()),
    }


def _row(label: str, report: dict, s: dict[str, float]) -> str:
    return (
        f"  {label:<12} {report['seconds']:>8.1f} s {report['max_rss_mb']:>8.0f} MB"
        f"  P {s['precision']:.4f}  R {s['recall']:.4f}  F1 {s['f1']:.4f}"
        f"  B3-P {s['b3_precision']:.4f}  B3-R {s['b3_recall']:.4f}"
    )


def bench_generated(rows: int, workdir: Path, *, splink: bool) -> None:
    gen = workdir / f"gen_{rows}"
    if not (gen / "truth.csv").exists():
        subprocess.run(
            [
                sys.executable,
                str(REPO / "fixtures" / "generate.py"),
                "--rows",
                str(rows),
                "--seed",
                "7",
                "--out",
                str(gen),
            ],
            check=True,
            capture_output=True,
        )
    norm = gen / "normalized.parquet"
    prep = run_child("prep", gen / "companies.csv", norm)
    truth = pl.read_csv(gen / "truth.csv").select("line", "company_id")
    print(
        f"\n{rows:,} generated rows ({prep['usable']:,} usable after normalize, "
        f"read + normalize {prep['seconds']:.1f} s)"
    )
    block = run_child("blocking", norm, gen / "truth.csv")
    kept = block["true_pairs_kept"] / block["true_pairs"] if block["true_pairs"] else 1.0
    print(
        f"  blocking: {block['candidates']:,} candidate pairs "
        f"({block['candidates'] / block['rows']:.1f} per row), keeps {kept:.2%} of true pairs"
    )
    ours = run_child("ours", norm, gen / "pred_ours.parquet")
    print(_row("listbuilder", ours, scores(pl.read_parquet(gen / "pred_ours.parquet"), truth)))
    if splink:
        theirs = run_child("splink", norm, gen / "pred_splink.parquet")
        print(_row("splink", theirs, scores(pl.read_parquet(gen / "pred_splink.parquet"), truth)))
        print(f"  listbuilder time / splink time: {ours['seconds'] / theirs['seconds']:.2f}")


def bench_chicago(workdir: Path) -> None:
    path = SHARED / "chicago_ece_dedupe" / "csv_example_input_with_true_ids.csv"
    if not path.exists():
        print("\nchicago_ece_dedupe: absent, skipped")
        return
    from listbuilder.dedupe import dedupe_companies
    from listbuilder.normalize import normalize_companies

    raw = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    df = raw.select(
        row_id=pl.int_range(pl.len(), dtype=pl.Int64),
        source=pl.lit(path.name),
        line=pl.int_range(pl.len(), dtype=pl.Int64),
        name=pl.col("Site name").str.replace_all(r"\s+", " "),
        website=pl.col("Website"),
        country=pl.lit("US"),
        city=pl.lit("Chicago"),
        phone=pl.col("Phone"),
        postal_code=pl.col("Zip"),
        company_id=pl.col("True Id"),
    )
    kept, _ = normalize_companies(df.drop("company_id"))
    t0 = time.perf_counter()
    result = dedupe_companies(kept)
    seconds = time.perf_counter() - t0
    pred = (
        result.companies.select("cluster_id", m=pl.col("source_rows").str.split("; "))
        .explode("m")
        .select(line=pl.col("m").str.extract(r":(\d+)$").cast(pl.Int64), cluster="cluster_id")
    )
    s = scores(pred, df.select("line", "company_id"))
    print(
        f"\nchicago_ece_dedupe ({df.height:,} rows, name, phone, zip; every site in Chicago): "
        f"{seconds:.2f} s  P {s['precision']:.4f}  R {s['recall']:.4f}  F1 {s['f1']:.4f}"
        f"  B3-P {s['b3_precision']:.4f}  B3-R {s['b3_recall']:.4f}"
    )


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        report = CHILDREN[sys.argv[2]](*map(Path, sys.argv[3:]))
        report["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(report))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="list size (repeatable)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/listbuilder_bench"))
    parser.add_argument("--no-splink", action="store_true", help="skip the splink reference")
    parser.add_argument("--no-chicago", action="store_true")
    parser.add_argument(
        "--minimal-reader",
        action="store_true",
        help="read companies.csv with a minimal CSV reader instead of listbuilder.ingest",
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.minimal_reader:
        os.environ["LB_BENCH_MINIMAL_READER"] = "1"
    for rows in args.rows or [40_000]:
        bench_generated(rows, args.workdir, splink=not args.no_splink)
    if not args.no_chicago:
        bench_chicago(args.workdir)


if __name__ == "__main__":
    main()
