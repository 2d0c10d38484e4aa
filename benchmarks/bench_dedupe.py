"""`listbuilder dedupe` end to end beside polars' read+write floor, in the same run.

    python benchmarks/bench_dedupe.py --rows 40000 --rows 1000000 [--repeat 3]

For each size: the fixture list (``fixtures/generate.py --seed 7``, cached in
``--workdir``), then, alternately and ``--repeat`` times, (a) the floor: a child
process that reads ``companies.csv`` with ``polars.read_csv`` and writes it back
with ``write_csv``; (b) the command: ``python -m listbuilder dedupe companies.csv
--out DIR`` in a child process (ingest, normalize, blocking, comparison, EM,
clustering, survivorship, the three output files). Prints the median wall time of
each, their ratio, each child's peak RSS (max over the repeats) and the summary
line of the last run (candidate pairs compared).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

FLOOR = """
import resource, sys, polars as pl
df = pl.read_csv(sys.argv[1], infer_schema=False)
df.write_csv(sys.argv[2])
print("maxrss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""
# Runs `python -m listbuilder ARGS` and prints its own peak RSS (KB) on stderr at exit.
CLI = """
import resource, runpy, sys
sys.argv = ["listbuilder", *sys.argv[1:]]
try:
    runpy.run_module("listbuilder", run_name="__main__")
finally:
    print("maxrss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def _child(cmd: list[str]) -> tuple[float, float, str]:
    """Run ``cmd``; return (wall seconds, that child's own peak RSS in MB, its stdout)."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    peak = [line for line in proc.stderr.splitlines() if line.startswith("maxrss ")][-1]
    return wall, int(peak.split()[1]) / 1024, proc.stdout.strip()


def bench(rows: int, workdir: Path, repeat: int) -> None:
    gen = workdir / f"gen_{rows}"
    if not (gen / "companies.csv").exists():
        subprocess.run(
            [sys.executable, str(REPO / "fixtures" / "generate.py"), "--rows", str(rows),
             "--seed", "7", "--out", str(gen)],
            check=True, capture_output=True,
        )  # fmt: skip
    src = gen / "companies.csv"
    floors, runs = [], []
    floor_peak = run_peak = 0.0
    summary = ""
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            wall, _peak, _ = _child([sys.executable, "-c", FLOOR, str(src), f"{tmp}/copy.csv"])
            floors.append(wall)
            floor_peak = max(floor_peak, _peak)
            out = Path(tmp) / "out"
            wall, _peak, summary = _child(
                [sys.executable, "-c", CLI, "dedupe", str(src), "--out", str(out)]
            )
            runs.append(wall)
            run_peak = max(run_peak, _peak)
    floor, run = statistics.median(floors), statistics.median(runs)
    print(f"\n{rows:,} rows ({src.stat().st_size / 1e6:.0f} MB CSV), median of {repeat}")
    print(f"  floor (polars read_csv + write_csv)  {floor:7.2f} s")
    print(f"  listbuilder dedupe                   {run:7.2f} s   ({run / floor:.1f}x the floor)")
    print(f"  peak RSS                             {run_peak:7.0f} MB (floor {floor_peak:.0f} MB)")
    print(f"  last run: {summary.split('; wrote')[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="list size (repeatable)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/listbuilder_bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    for rows in sorted(args.rows or [40_000]):
        bench(rows, args.workdir, args.repeat)


if __name__ == "__main__":
    main()
