"""Score listbuilder's dedupe on lists it has never seen: the independent noise model + Chicago.

For each size, `noise_model.py` writes four vendor lists and their truth from the real
companies in `../shared/data` (cached in the work dir). A child process runs the library's
pipeline pieces (`read_companies` -> `normalize_companies` -> `dedupe_companies`) and reports
wall time and peak RSS; rows rejected before dedupe count as singletons. Figures are printed
per slice: `tune` may guide whoever tunes the matcher, `holdout` must not (so examples are
only ever printed for `tune`). The Chicago early-childhood labelled set is scored as well.

    python benchmarks/dedupe_eval.py                        # 40k rows, seed 11
    python benchmarks/dedupe_eval.py --rows 40000 --rows 1000000 --json before.json
    git archive 900afca listbuilder | tar -x -C /tmp/lb_base    # a pinned baseline
    python benchmarks/dedupe_eval.py --listbuilder /tmp/lb_base --json before.json
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import noise_model as nm  # noqa: E402

CHICAGO = Path("chicago_ece_dedupe") / "csv_example_input_with_true_ids.csv"
SLICES = ("tune", "holdout", "all")
EXAMPLES = 15


# ---------------------------------------------------------------- the child: listbuilder only


def run_dedupe(paths: list[Path], out: Path) -> dict[str, object]:
    """Ingest, normalize and dedupe `paths`; write (source, line, cluster) to `out`."""
    from listbuilder.dedupe import dedupe_companies
    from listbuilder.ingest import read_companies
    from listbuilder.normalize import normalize_companies

    t0 = time.perf_counter()
    ingested = read_companies(paths)
    t1 = time.perf_counter()
    kept, _rejects = normalize_companies(ingested.companies)
    t2 = time.perf_counter()
    deduped = dedupe_companies(kept)
    t3 = time.perf_counter()
    members = deduped.companies.select(
        "cluster_id", member=pl.col("source_rows").str.split(";")
    ).explode("member")
    members = members.with_columns(member=pl.col("member").str.strip_chars()).select(
        source=pl.col("member").str.extract(r"^(.*):\d+$").str.extract(r"([^/\\]+)$"),
        line=pl.col("member").str.extract(r":(\d+)$").cast(pl.Int64),
        cluster=pl.col("cluster_id").cast(pl.String),
    )
    members.write_parquet(out)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    import listbuilder

    return {
        "listbuilder": str(Path(listbuilder.__file__).resolve().parents[1]),
        "ingest_s": t1 - t0,
        "normalize_s": t2 - t1,
        "dedupe_s": t3 - t2,
        "total_s": t3 - t0,
        "peak_rss_mb": peak_kb / 1024,
        "rows_in": ingested.companies.height,
        "rows_kept": kept.height,
        "accounts": deduped.companies.height,
    }


def run_child(paths: list[Path], out: Path, *, code: Path | None) -> dict[str, float]:
    """Run `run_dedupe` in a fresh process, on the listbuilder under `code` if given."""
    cmd = [sys.executable, __file__, "--child", str(out), *map(str, paths)]
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), env.get("PYTHONPATH")]))
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise SystemExit(f"dedupe child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- scoring


def _pairs(n: pl.Expr) -> pl.Expr:
    return (n * (n - 1) / 2).sum()


def score_clusters(rows: pl.DataFrame) -> dict[str, float]:
    """Pairwise and B-cubed scores of `rows` (`truth`, `pred`, `in_slice` columns).

    A predicted pair counts for a slice when at least one of its rows is in it, so a false
    merge across slices weighs on both.
    """
    inside = rows.filter("in_slice")
    cells = inside.group_by("truth", "pred").len("n")
    tp = cells.select(_pairs(pl.col("n"))).item()
    true_pairs = inside.group_by("truth").len("n").select(_pairs(pl.col("n"))).item()
    by_pred = rows.group_by("pred").agg(
        inn=pl.col("in_slice").sum(), out=(~pl.col("in_slice")).sum()
    )
    pred_pairs = by_pred.select(
        (pl.col("inn") * (pl.col("inn") - 1) / 2 + pl.col("inn") * pl.col("out")).sum()
    ).item()
    pred_size = rows.group_by("pred").len("pred_n")
    true_size = inside.group_by("truth").len("true_n")
    b3 = (
        cells.join(pred_size, on="pred")
        .join(true_size, on="truth")
        .select(
            p=(pl.col("n") * pl.col("n") / pl.col("pred_n")).sum() / pl.col("n").sum(),
            r=(pl.col("n") * pl.col("n") / pl.col("true_n")).sum() / pl.col("n").sum(),
        )
    )
    precision = tp / pred_pairs if pred_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "rows": inside.height,
        "true_pairs": int(true_pairs),
        "pred_pairs": int(pred_pairs),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "b3_precision": b3["p"].item(),
        "b3_recall": b3["r"].item(),
    }


def true_pairs(rows: pl.DataFrame) -> pl.DataFrame:
    """Every pair of rows of one entity, with the noise kinds either row carries."""
    left = rows.select("entity_id", "slice", "rid", "pred", "noise")
    pairs = left.join(left, on="entity_id", suffix="_b").filter(pl.col("rid") < pl.col("rid_b"))
    return pairs.with_columns(
        found=pl.col("pred") == pl.col("pred_b"),
        kinds=pl.concat_list(pl.col("noise").str.split(";"), pl.col("noise_b").str.split(";"))
        .list.unique()
        .list.eval(pl.element().filter(pl.element() != "")),
    )


def recall_by_kind(pairs: pl.DataFrame) -> dict[str, dict[str, float]]:
    exploded = pairs.explode("kinds").filter(pl.col("kinds") != "")
    table = exploded.group_by("kinds").agg(pairs=pl.len(), recall=pl.col("found").mean())
    clean = pairs.filter(pl.col("kinds").list.join("") == "")
    rows = table.sort("kinds").to_dicts()
    if clean.height:
        rows.append({"kinds": "(none)", "pairs": clean.height, "recall": clean["found"].mean()})
    return {r["kinds"]: {"pairs": r["pairs"], "recall": r["recall"]} for r in rows}


def merged_hard_negatives(rows: pl.DataFrame, negatives: pl.DataFrame) -> pl.DataFrame:
    """The hard-negative entity pairs that share a predicted cluster."""
    where = rows.select("entity_id", "pred", "slice").unique()
    hits = negatives.join(where.rename({"entity_id": "entity_a"}), on="entity_a").join(
        where.rename({"entity_id": "entity_b", "slice": "slice_b"}), on=["entity_b", "pred"]
    )
    return hits.unique(["entity_a", "entity_b"])


def _show(frame: pl.DataFrame, *, title: str) -> None:
    print(f"  {title}:")
    for rec in frame.iter_rows(named=True):
        print("    " + " | ".join("" if v is None else str(v) for v in rec.values()))


def score_generated(workdir: Path, clusters: Path) -> dict[str, object]:
    truth = pl.read_csv(workdir / "truth.csv", schema_overrides={"noise": pl.String})
    truth = truth.with_columns(noise=pl.col("noise").fill_null(""))
    pred = pl.read_parquet(clusters).unique(["source", "line"])
    rows = truth.join(pred, on=["source", "line"], how="left").with_row_index("rid")
    rejected = rows["cluster"].null_count()
    rows = rows.with_columns(
        truth=pl.col("entity_id"),
        pred=pl.coalesce("cluster", "singleton:" + pl.col("rid").cast(pl.String)),
    )
    negatives = pl.read_csv(workdir / "hard_negatives.csv")
    pairs = true_pairs(rows)
    merged = merged_hard_negatives(rows, negatives)
    report: dict[str, object] = {"rows_rejected_before_dedupe": rejected}
    for name in SLICES:
        in_slice = pl.lit(True) if name == "all" else pl.col("slice") == name
        figures = score_clusters(rows.with_columns(in_slice=in_slice))
        slice_pairs = pairs if name == "all" else pairs.filter(pl.col("slice") == name)
        slice_merged = merged if name == "all" else merged.filter(pl.col("slice") == name)
        figures["recall_by_noise"] = recall_by_kind(slice_pairs)
        figures["hard_negatives"] = int(
            negatives.join(rows.select(entity_a="entity_id", slice="slice").unique(), on="entity_a")
            .filter(pl.lit(True) if name == "all" else pl.col("slice") == name)
            .height
        )
        figures["hard_negatives_merged"] = {
            r["kind"]: r["len"] for r in slice_merged.group_by("kind").len().sort("kind").to_dicts()
        }
        report[name] = figures
    report["_examples"] = (rows, pairs, merged)
    return report


def print_examples(workdir: Path, rows: pl.DataFrame, pairs: pl.DataFrame) -> None:
    """False merges and misses of the tune slice only: the holdout is never shown."""
    shown = _raw_rows(workdir).join(
        rows.select("source", "line", "rid", "entity_id", "slice", "pred"), on=["source", "line"]
    )
    tune = shown.filter(pl.col("slice") == "tune")
    mixed = (
        shown.group_by("pred")
        .agg(n=pl.col("entity_id").n_unique(), all_tune=(pl.col("slice") == "tune").all())
        .filter((pl.col("n") > 1) & pl.col("all_tune"))
        .sort("pred")
        .head(EXAMPLES)
    )
    cols = ["entity_id", "name", "website", "city"]
    print(f"  false merges (tune, first {EXAMPLES} clusters with more than one entity):")
    for (cluster,) in mixed.select("pred").iter_rows():
        print(f"    cluster {cluster}")
        for rec in tune.filter(pl.col("pred") == cluster).select(cols).iter_rows():
            print("      " + " | ".join("" if v is None else str(v) for v in rec))
    misses = pairs.filter((pl.col("slice") == "tune") & ~pl.col("found"))
    misses = misses.sample(min(EXAMPLES, misses.height), seed=5) if misses.height else misses
    detail = tune.select("rid", *cols[1:])
    misses = misses.join(detail, on="rid").join(
        detail, left_on="rid_b", right_on="rid", suffix="_b"
    )
    _show(
        misses.select(
            "name",
            "website",
            "city",
            "name_b",
            "website_b",
            "city_b",
            pl.col("kinds").list.join(";"),
        ),
        title=f"misses (tune, {misses.height} sampled pairs: a | b | noise on either row)",
    )


def _raw_rows(workdir: Path) -> pl.DataFrame:
    frames = []
    for file_name, headers in nm.VENDORS.items():
        raw = pl.read_csv(workdir / file_name, infer_schema=False)
        city = pl.col(headers["city"]) if "city" in headers else pl.col(headers["location"])
        frames.append(
            raw.with_row_index("line", offset=2).select(
                source=pl.lit(file_name),
                line=pl.col("line").cast(pl.Int64),
                name=pl.col(headers["name"]),
                website=pl.col(headers["website"]),
                city=city,
            )
        )
    return pl.concat(frames)


def score_chicago(workdir: Path, *, data_dir: Path, code: Path | None) -> dict[str, object]:
    """Pairwise scores on the Chicago early-childhood sites (`True Id` clusters)."""
    raw = pl.read_csv(data_dir / CHICAGO, infer_schema=False)
    clean = pl.col("Site name").str.replace_all(r"\s+", " ").str.strip_chars()
    frame = raw.select(
        truth=pl.col("True Id"),
        **{
            "Site Name": clean,
            "Street Address": pl.col("Address").str.replace_all(r"\s+", " ").str.strip_chars(),
            "Phone": pl.col("Phone"),
            "Zip": pl.col("Zip"),
            "City": pl.lit("Chicago"),
            "Country": pl.lit("US"),
        },
    )
    path = workdir / "chicago.csv"
    frame.drop("truth").rename({"Site Name": "Company Name"}).write_csv(path)
    clusters = workdir / "chicago_clusters.parquet"
    timing = run_child([path], clusters, code=code)
    pred = pl.read_parquet(clusters).unique(["source", "line"])
    rows = (
        frame.select("truth")
        .with_row_index("line", offset=2)
        .with_columns(pl.col("line").cast(pl.Int64), source=pl.lit(path.name))
    )
    rows = rows.join(pred, on=["source", "line"], how="left").with_columns(
        pred=pl.coalesce("cluster", "singleton:" + pl.col("line").cast(pl.String)),
        in_slice=pl.lit(True),
    )
    figures = score_clusters(rows)
    return {k: figures[k] for k in ("rows", "true_pairs", "precision", "recall", "f1")} | {
        "dedupe_s": timing["dedupe_s"],
        "code": describe_code(str(timing["listbuilder"])),
    }


def describe_code(root: str) -> str:
    """`/work/main @ 30d6fd8 + 3 modified files under listbuilder/`, or the bare path."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", root, *args], capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD")
    if not head or git("rev-parse", "--show-toplevel") != root:
        return f"{root} (not a git checkout)"
    dirty = len(git("status", "--porcelain", "--", "listbuilder").splitlines())
    return f"{root} @ {head}" + (f" + {dirty} modified files under listbuilder/" if dirty else "")


def evaluate(
    rows: int, *, workdir: Path, data_dir: Path, seed: int, code: Path | None
) -> dict[str, object]:
    data = workdir / f"rows{rows}_seed{seed}"
    manifest = data / "manifest.json"
    t0 = time.perf_counter()
    if not manifest.exists() or json.loads(manifest.read_text())["model"] != nm.model_version():
        nm.main(
            ["--data", str(data_dir), "--out", str(data), "--rows", str(rows), "--seed", str(seed)]
        )
    generation_s = time.perf_counter() - t0
    paths = [data / name for name in nm.VENDORS]
    timing = run_child(paths, data / "clusters.parquet", code=code)
    timing["code"] = describe_code(str(timing["listbuilder"]))
    report = score_generated(data, data / "clusters.parquet")
    rows_frame, pairs, _merged = report.pop("_examples")  # type: ignore[misc]
    print(
        f"\n== {rows:,} rows target (seed {seed}); {rows_frame.height:,} rows written, "
        f"generation {generation_s:.1f} s{' (cached)' if generation_s < 0.5 else ''}"
    )
    print(f"  listbuilder under test: {timing['code']}")
    print(
        f"  listbuilder: ingest {timing['ingest_s']:.1f} s, "
        f"normalize {timing['normalize_s']:.1f} s, "
        f"dedupe {timing['dedupe_s']:.1f} s, total {timing['total_s']:.1f} s, "
        f"peak RSS {timing['peak_rss_mb']:,.0f} MB; {timing['rows_kept']:,} rows kept -> "
        f"{timing['accounts']:,} accounts; {report['rows_rejected_before_dedupe']} rows rejected"
    )
    print(
        f"  {'slice':8} {'rows':>8} {'pairs':>7} {'P':>7} {'R':>7} {'F1':>7} {'B3 P':>7} "
        f"{'B3 R':>7}  hard negatives merged"
    )
    for name in SLICES:
        f = report[name]
        assert isinstance(f, dict)
        merged = ", ".join(f"{k} {v}" for k, v in f["hard_negatives_merged"].items()) or "none"
        print(
            f"  {name:8} {f['rows']:>8,} {f['true_pairs']:>7,} {f['precision']:>7.4f} "
            f"{f['recall']:>7.4f} {f['f1']:>7.4f} {f['b3_precision']:>7.4f} {f['b3_recall']:>7.4f}"
            f"  {merged} (of {f['hard_negatives']})"
        )
    kinds = sorted(report["all"]["recall_by_noise"])  # type: ignore[index]
    print(f"  recall by noise kind {'':10} {'tune':>14} {'holdout':>14}")
    for kind in kinds:
        cells = []
        for name in ("tune", "holdout"):
            k = report[name]["recall_by_noise"].get(kind)  # type: ignore[index]
            cells.append(f"{k['recall']:.3f} ({k['pairs']:>5})" if k else "-")
        print(f"    {kind:30} {cells[0]:>14} {cells[1]:>14}")
    print_examples(data, rows_frame, pairs)
    return {
        "rows_target": rows,
        "rows": rows_frame.height,
        "generation_s": generation_s,
        "timing": timing,
        **report,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, action="append", help="rows per run (repeatable)")
    parser.add_argument("--data", type=Path, default=nm.DATA_DIR, help="the shared real data")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/lb_eval"))
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--no-chicago", action="store_true")
    parser.add_argument(
        "--listbuilder",
        type=Path,
        help="measure the listbuilder package under this directory (e.g. a `git archive` of "
        "the baseline commit) instead of the installed one",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args(argv)
    if args.child:
        print(json.dumps(run_dedupe([Path(p) for p in rest], args.child)))
        return 0
    if not (args.data / "crunchbase_2014" / "companies.csv").exists():
        print(f"skipped: no real company data under {args.data} (see ../shared/data/README.md)")
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {"seed": args.seed, "runs": []}
    for rows in args.rows or [40_000]:
        results["runs"].append(
            evaluate(
                rows,
                workdir=args.workdir,
                data_dir=args.data,
                seed=args.seed,
                code=args.listbuilder,
            )
        )  # type: ignore[union-attr]
    if not args.no_chicago and (args.data / CHICAGO).exists():
        chicago = score_chicago(args.workdir, data_dir=args.data, code=args.listbuilder)
        results["chicago"] = chicago
        print(
            f"\n== Chicago ECE sites: {chicago['rows']:,} rows, "
            f"{chicago['true_pairs']:,} true pairs: "
            f"P {chicago['precision']:.4f} R {chicago['recall']:.4f} F1 {chicago['f1']:.4f}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
