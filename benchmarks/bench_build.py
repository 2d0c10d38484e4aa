"""Time `listbuilder build` stage by stage on generated lists, beside the floor.

For each size the generator writes a list (cached under bench_out/), then a
child process runs the whole build and reports each stage's seconds and the
peak resident memory reached during it; another child measures the floor:
polars reading the same CSV and writing it back.

    python benchmarks/bench_build.py                 # 40k, 200k, 1M rows
    python benchmarks/bench_build.py --sizes 40000   # one size
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from _measure import PeakRSS  # type: ignore[import-not-found]

REPO = Path(__file__).resolve().parents[1]


def child_build(data: Path, out: Path) -> dict[str, object]:
    from datetime import date

    from listbuilder.pipeline import build

    rss = PeakRSS()
    peaks: dict[str, int] = {}
    current = ["start"]

    def progress(stage: str) -> None:
        peaks[current[0]] = max(peaks.get(current[0], 0), rss.lap())
        current[0] = stage

    start = time.perf_counter()
    result = build(
        [data / "companies.csv"],
        profiles=[REPO / "filters" / "b2b_saas.toml"],
        signals=[data / "events.csv"],
        suppress=[data / "crm_accounts.csv"],
        as_of=date.fromisoformat((data / "AS_OF").read_text().strip()),
        out_dir=out,
        progress=progress,
    )
    total = time.perf_counter() - start
    peaks[current[0]] = max(peaks.get(current[0], 0), rss.lap())
    rss.stop()
    return {
        "total_s": total,
        "stages_s": result.timings,
        "peak_mb": {k: v / 2**20 for k, v in peaks.items() if k != "start"},
        "max_peak_mb": max(peaks.values()) / 2**20,
        "read": result.funnel["read"],
        "selected": result.funnel["selected"],
    }


def child_floor(data: Path, out: Path) -> dict[str, object]:
    import polars as pl

    rss = PeakRSS()
    start = time.perf_counter()
    frame = pl.read_csv(data / "companies.csv", infer_schema=False)
    out.mkdir(parents=True, exist_ok=True)
    frame.write_csv(out / "floor.csv")
    total = time.perf_counter() - start
    peak = rss.lap()
    rss.stop()
    return {"total_s": total, "max_peak_mb": peak / 2**20}


def _child(kind: str, data: Path, out: Path) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(data), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"{kind} child failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[40_000, 200_000, 1_000_000])
    parser.add_argument("--work", type=Path, default=REPO / "bench_out")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "DATA", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, data, out = args.child
        func = child_build if kind == "build" else child_floor
        print(json.dumps(func(Path(data), Path(out))))
        return

    sys.path.insert(0, str(REPO / "fixtures"))
    from generate import generate  # type: ignore[import-not-found]

    print(f"cpus={os.cpu_count()}  python={sys.version.split()[0]}")
    for rows in args.sizes:
        data = args.work / f"list_{rows}"
        if not (data / "companies.csv").exists():
            t0 = time.perf_counter()
            generate(rows, 7, data)
            print(f"generated {rows:,} rows in {time.perf_counter() - t0:.1f}s")
        floor = _child("floor", data, args.work / f"floor_{rows}")
        built = _child("build", data, args.work / f"out_{rows}")
        print(f"\n== {rows:,} rows: {built['read']:,} read → {built['selected']:,} selected")
        print(f"{'stage':<12}{'seconds':>10}{'peak MB':>10}")
        stages_s: dict[str, float] = built["stages_s"]  # type: ignore[assignment]
        peak_mb: dict[str, float] = built["peak_mb"]  # type: ignore[assignment]
        for stage, secs in stages_s.items():
            print(f"{stage:<12}{secs:>10.2f}{peak_mb.get(stage, float('nan')):>10.0f}")
        print(f"{'build':<12}{built['total_s']:>10.2f}{built['max_peak_mb']:>10.0f}")
        print(
            f"{'floor':<12}{floor['total_s']:>10.2f}{floor['max_peak_mb']:>10.0f}"
            "   (polars read_csv + write_csv of the same file)"
        )
        print(
            f"ratio build/floor: {built['total_s'] / floor['total_s']:.1f}x time, "
            f"{built['max_peak_mb'] / floor['max_peak_mb']:.1f}x memory"
        )


if __name__ == "__main__":
    main()
