"""`listbuilder build --engine spark` (local mode) beside the polars engine, same run.

    python benchmarks/bench_spark.py --rows 40000 --rows 200000 [--master "local[*]"]

For each size: the fixture list, events and CRM export (``fixtures/generate.py --seed
7``, cached in ``--workdir``), then ``python -m listbuilder build`` with the polars
engine and with ``--engine spark --spark-master MASTER`` in child processes. Prints
each one's wall time (session start included: that is what a user waits for), the
peak memory of its whole process tree (the JVM and Python workers included, sampled
every 0.1 s with psutil) and whether the two output folders are byte-identical. No
assertion on time: on one machine Spark's local mode pays for a JVM, shuffles and
Arrow round trips that polars does not.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            continue
    return total


def _child(cmd: list[str]) -> tuple[float, float]:
    """Run ``cmd``; return (wall seconds, peak RSS of its process tree in MB)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        popen = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        proc = psutil.Process(popen.pid)
        peak = 0
        while popen.poll() is None:
            with contextlib.suppress(psutil.Error):
                peak = max(peak, _tree_rss(proc))
            time.sleep(0.1)
        wall = time.perf_counter() - t0
        if popen.returncode not in (0, 1):  # 1: built, nothing selected
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed:\n{err.read().decode()[-3000:]}")
    return wall, peak / 1e6


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def bench(rows: int, workdir: Path, master: str) -> None:
    gen = workdir / f"gen_{rows}"
    if not (gen / "companies.csv").exists():
        subprocess.run(
            [sys.executable, str(REPO / "fixtures" / "generate.py"), "--rows", str(rows),
             "--seed", "7", "--out", str(gen)],
            check=True, capture_output=True,
        )  # fmt: skip
    as_of = (gen / "AS_OF").read_text().strip()
    base = [sys.executable, "-m", "listbuilder", "build", str(gen / "companies.csv")]
    base += ["--profile", "b2b_saas", "--signals", str(gen / "events.csv")]
    base += ["--suppress", str(gen / "crm_accounts.csv"), "--as-of", as_of, "-q"]
    spark = ["--engine", "spark", "--spark-master", master]
    with tempfile.TemporaryDirectory() as tmp:
        out_p, out_s = Path(tmp) / "polars", Path(tmp) / "spark"
        wall_p, peak_p = _child([*base, "--out", str(out_p)])
        wall_s, peak_s = _child([*base, "--out", str(out_s), *spark])
        same = _files(out_p) == _files(out_s)
    size = (gen / "companies.csv").stat().st_size / 1e6
    print(f"\n{rows:,} rows ({size:.0f} MB CSV), build, one run each")
    print(f"  polars engine                {wall_p:7.1f} s   peak {peak_p:6.0f} MB")
    print(f"  spark engine ({master:<10})  {wall_s:7.1f} s   peak {peak_s:6.0f} MB (JVM included)")
    print(f"  spark / polars               {wall_s / wall_p:7.1f}x")
    print(f"  outputs byte-identical: {'yes' if same else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="list size (repeatable)")
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/listbuilder_bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    for rows in sorted(args.rows or [40_000, 200_000]):
        bench(rows, args.workdir, args.master)


if __name__ == "__main__":
    main()
