"""Province benchmark (issue 14): validate and build synthetic seasons of N townships.

For every size N (default 17, 100, 1000) a synthetic season is written with
``zzeval sample DIR --townships N`` (not timed), then, each as a separate process tree:

1. ``zzeval validate DIR``: wall time and peak memory;
2. ``zzeval build --executor local --jobs J``: wall time, time per township and peak memory;
3. ``zzeval build --executor dask --jobs J`` (a local Dask cluster of J workers), the same.

Peak memory is the largest sum of the resident set sizes of the process and all its descendants,
sampled every 0.2 s with psutil (so a peak shorter than that can be missed). The figures say how
the cost grows with N: time per township should stay flat; validation memory should not grow
with the number of townships beyond the rows being checked.

Usage: ``python bench/bench_province.py [--sizes 17,100,1000] [--jobs 2] [--executors local,dask]
[--keep]``. The environment variable ``ZZEVAL_BENCH_PROVINCE_SIZES`` overrides the default sizes
(``make bench`` runs the defaults: the 1,000-township build takes tens of minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "province"
BIN = Path(sys.executable).parent
DEFAULT_SIZES = (17, 100, 1000)


@dataclass
class Run:
    what: str
    n: int
    seconds: float
    peak_mb: float
    returncode: int

    @property
    def per_township(self) -> float:
        return self.seconds / self.n


def _tree_rss_mb(proc) -> float:
    import psutil

    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def measure(what: str, n: int, cmd: list[str], log: Path) -> Run:
    """Run ``cmd`` to completion; wall time and the peak RSS of its process tree."""
    import psutil

    peak = 0.0
    t0 = time.monotonic()
    with log.open("w", encoding="utf-8") as fh:
        popen = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT)
        proc = psutil.Process(popen.pid)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss_mb(proc))
                done.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        rc = popen.wait()
        done.set()
        sampler.join()
    return Run(what, n, time.monotonic() - t0, peak, rc)


def sizes_from(text: str | None) -> tuple[int, ...]:
    if not text:
        return DEFAULT_SIZES
    return tuple(int(x) for x in text.split(",") if x.strip())


def run_size(n: int, jobs: int, executors: list[str], keep: bool) -> list[Run]:
    data = OUT / f"season_{n}"
    if not (data / "season.yaml").is_file():
        subprocess.run([str(BIN / "zzeval"), "sample", str(data), "--townships", str(n)],
                       check=True, capture_output=True, cwd=ROOT)
    runs = [measure("validate", n, [str(BIN / "zzeval"), "validate", str(data)],
                    OUT / f"validate_{n}.log")]
    for executor in executors:
        out = OUT / f"reports_{n}_{executor}"
        shutil.rmtree(out, ignore_errors=True)
        cmd = [str(BIN / "zzeval"), "build", "--data", str(data), "--out", str(out), "--jobs",
               str(jobs), "--executor", executor, "--quiet"]
        runs.append(measure(f"build ({executor}, {jobs} jobs)", n, cmd,
                            OUT / f"build_{n}_{executor}.log"))
        if not keep:
            shutil.rmtree(out, ignore_errors=True)
    return runs


def table(runs: list[Run]) -> str:
    lines = ["| step | townships | wall time | per township | peak memory (process tree) | exit |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in runs:
        lines.append(f"| {r.what} | {r.n:,} | {r.seconds:,.1f} s | {r.per_township:.2f} s | "
                     f"{r.peak_mb:,.0f} MB | {r.returncode} |")
    return "\n".join(lines)


def growth(runs: list[Run]) -> str:
    """Cost growth between the smallest and the largest size, per step."""
    out = []
    for what in dict.fromkeys(r.what for r in runs):
        rs = sorted((r for r in runs if r.what == what and r.returncode == 0), key=lambda r: r.n)
        if len(rs) >= 2:
            a, b = rs[0], rs[-1]
            out.append(f"{what}: per-township time {b.per_township / a.per_township:.2f}x, "
                       f"peak memory {b.peak_mb / max(a.peak_mb, 1):.2f}x from {a.n:,} to {b.n:,} "
                       "townships")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=os.environ.get("ZZEVAL_BENCH_PROVINCE_SIZES"),
                    help="comma-separated numbers of townships (default 17,100,1000)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="workers per build")
    ap.add_argument("--executors", default="local,dask", help="local, dask or both")
    ap.add_argument("--keep", action="store_true", help="keep the built reports")
    a = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    for n in sizes_from(a.sizes):
        print(f"province benchmark: {n:,} townships ...", file=sys.stderr, flush=True)
        runs += run_size(n, a.jobs, [e for e in a.executors.split(",") if e], a.keep)
    print(table(runs))
    print(growth(runs))
    return 0 if all(r.returncode == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
