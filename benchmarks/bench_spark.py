"""`listbuilder build --engine spark` (local mode) beside the polars engine, same run.

    python benchmarks/bench_spark.py --rows 200000 --rows 1000000 [--repeat 3] \
        [--master "local[*]"] [--spark-conf spark.driver.memory=8g]

For each size: the fixture list, events and CRM export (``fixtures/generate.py --seed
7``, cached in ``--workdir``), then ``python -m listbuilder build`` with the polars
engine and with ``--engine spark --spark-master MASTER`` in child processes, ``--repeat``
times each (alternating). Prints the median wall time of each (session start included:
that is what a user waits for), the median peak memory of its whole process tree (the
JVM and Python workers included, sampled every 0.1 s with psutil), whether the output
folders are byte-identical, and the candidate pairs the matcher compared per row (from
one ``listbuilder dedupe`` run). No assertion on time: on one machine Spark's local mode
pays for a JVM, shuffles and Arrow round trips that polars does not.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import statistics
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


def _child(cmd: list[str]) -> tuple[float, float, str]:
    """Run ``cmd``; return (wall seconds, peak RSS of its process tree in MB, stdout)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        popen = subprocess.Popen(cmd, stdout=out, stderr=err)
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
        out.seek(0)
        return wall, peak / 1e6, out.read().decode()


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _generate(rows: int, workdir: Path) -> Path:
    gen = workdir / f"gen_{rows}"
    if not (gen / "companies.csv").exists():
        subprocess.run(
            [sys.executable, str(REPO / "fixtures" / "generate.py"), "--rows", str(rows),
             "--seed", "7", "--out", str(gen)],
            check=True, capture_output=True,
        )  # fmt: skip
    return gen


def _pairs(gen: Path, tmp: Path) -> int:
    """The candidate pairs ``listbuilder dedupe`` compares on the list (polars engine)."""
    cmd = [sys.executable, "-m", "listbuilder", "dedupe", str(gen / "companies.csv")]
    _, _, out = _child([*cmd, "--out", str(tmp / "dedupe")])
    found = re.search(r"([\d,]+) candidate pairs compared", out)
    return int(found.group(1).replace(",", "")) if found else -1


def bench(rows: int, workdir: Path, master: str, repeat: int, conf: list[str]) -> None:
    gen = _generate(rows, workdir)
    as_of = (gen / "AS_OF").read_text().strip()
    base = [sys.executable, "-m", "listbuilder", "build", str(gen / "companies.csv")]
    base += ["--profile", "b2b_saas", "--signals", str(gen / "events.csv")]
    base += ["--suppress", str(gen / "crm_accounts.csv"), "--as-of", as_of, "-q"]
    spark = ["--engine", "spark", "--spark-master", master]
    spark += [arg for setting in conf for arg in ("--spark-conf", setting)]
    runs: dict[str, list[tuple[float, float]]] = {"polars": [], "spark": []}
    with tempfile.TemporaryDirectory() as tmp:
        out_p, out_s = Path(tmp) / "polars", Path(tmp) / "spark"
        for _ in range(repeat):
            runs["polars"].append(_child([*base, "--out", str(out_p)])[:2])
            runs["spark"].append(_child([*base, "--out", str(out_s), *spark])[:2])
        same = _files(out_p) == _files(out_s)
        pairs = _pairs(gen, Path(tmp))
    wall_p, peak_p = (statistics.median(x) for x in zip(*runs["polars"], strict=True))
    wall_s, peak_s = (statistics.median(x) for x in zip(*runs["spark"], strict=True))
    size = (gen / "companies.csv").stat().st_size / 1e6
    print(f"\n{rows:,} rows ({size:.0f} MB CSV), build, median of {repeat} run(s) each")
    print(f"  polars engine                {wall_p:7.1f} s   peak {peak_p:6.0f} MB")
    print(f"  spark engine ({master:<10})  {wall_s:7.1f} s   peak {peak_s:6.0f} MB (JVM included)")
    print(f"  spark / polars               {wall_s / wall_p:7.1f}x")
    print(f"  outputs byte-identical: {'yes' if same else 'NO'}")
    print(f"  candidate pairs compared: {pairs:,} ({pairs / rows:.2f} per row)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="list size (repeatable)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per engine (median)")
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--spark-conf", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/listbuilder_bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    for rows in sorted(args.rows or [200_000, 1_000_000]):
        bench(rows, args.workdir, args.master, max(1, args.repeat), args.spark_conf)


if __name__ == "__main__":
    main()
