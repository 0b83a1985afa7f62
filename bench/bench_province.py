"""Province benchmark (issue 14): validate, evaluate and build synthetic seasons of N townships.

For every size N (default 17, 100, 1000) a synthetic season is written with
``zzeval sample DIR --townships N`` and a Parquet copy with ``--format parquet`` (not timed); then,
each step as a separate process tree, one at a time:

1. ``zzeval validate`` of the CSV season and of the Parquet season: wall time and peak memory;
2. the season's evaluation (:func:`zzeval.assess.evaluate.evaluate_season`, full settings: 10,000
   Monte Carlo draws, 200 bootstrap draws): in one process, and as per-township tasks
   (:mod:`zzeval.assess.tasks`) on 2 local worker processes, on a local Dask cluster of 1 worker
   and of 2 workers. The time is the evaluation's, without loading the season (said in the table);
3. ``zzeval build --executor local`` and ``--executor dask`` (reports included), unless
   ``--steps`` leaves it out.

CPU is the user + system time of the whole process tree (``getrusage(RUSAGE_CHILDREN)``; the
evaluation's includes the load, and the Dask cluster's start): on a shared, loaded machine it
is the steadier measure of the work done, where wall time depends on the other users.
Peak memory is the largest sum of the resident set sizes of the process and all its descendants
(Dask workers included), sampled every 0.2 s with psutil (so a peak shorter than that can be
missed). The figures say how the cost grows with N: time per township should stay flat;
validation memory should not grow with the number of townships beyond the rows being checked.
The last table is issue 14's, with the goals and the figures of this run.

Usage: ``python bench/bench_province.py [--sizes 17,100,1000] [--jobs 2]
[--steps validate,evaluate,build] [--executors local,dask] [--keep]``. The environment variables
``ZZEVAL_BENCH_PROVINCE_SIZES`` and ``ZZEVAL_BENCH_PROVINCE_STEPS`` override the defaults
(``make bench`` runs the defaults: on 2 cores the 1,000-township season takes hours).
"""

from __future__ import annotations

import argparse
import json
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
    note: str = ""
    cpu_s: float = float("nan")  #: user + system CPU seconds of the process tree

    @property
    def cpu_per_township(self) -> float:
        return self.cpu_s / self.n

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
    import resource

    import psutil

    peak = 0.0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
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
    seconds = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # every descendant, once waited for
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(what, n, seconds, peak, rc, cpu_s=cpu)


def sizes_from(text: str | None) -> tuple[int, ...]:
    if not text:
        return DEFAULT_SIZES
    return tuple(int(x) for x in text.split(",") if x.strip())


def _season(n: int, fmt: str) -> Path:
    data = OUT / f"season_{n}{'_parquet' if fmt == 'parquet' else ''}"
    if not (data / "season.yaml").is_file():
        subprocess.run([str(BIN / "zzeval"), "sample", str(data), "--townships", str(n), "--format", fmt],
                       check=True, capture_output=True, cwd=ROOT)
    return data


#: Evaluations timed per size: (label, runner kind, jobs); None: one process, no tasks.
EVALUATIONS = (("evaluate, one process", None, 1), ("evaluate, tasks on 2 local processes", "local", 2),
               ("evaluate, tasks on Dask, 1 worker", "dask", 1), ("evaluate, tasks on Dask, 2 workers", "dask", 2))


def evaluate_child(data: str, runner: str | None, jobs: int) -> int:
    """(In a child process) load and evaluate the season; print the seconds of each as JSON."""
    from zzeval.assess.evaluate import evaluate_season
    from zzeval.assess.tasks import make_runner
    from zzeval.season.loading import load_season

    t0 = time.monotonic()
    season = load_season(data)
    t1 = time.monotonic()
    evaluate_season(season, runner=make_runner(runner, jobs) if runner else None)
    t2 = time.monotonic()
    print(json.dumps({"load_s": t1 - t0, "evaluate_s": t2 - t1}))
    return 0


def _evaluation(label: str, n: int, data: Path, runner: str | None, jobs: int) -> Run:
    log = OUT / f"evaluate_{n}_{runner or 'one'}_{jobs}.log"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--evaluate-child", str(data),
           "--runner", runner or "", "--jobs", str(jobs)]
    run = measure(label, n, cmd, log)
    try:
        times = json.loads(log.read_text(encoding="utf-8").strip().splitlines()[-1])
        run.note = f"load {times['load_s']:.1f} s not counted"
        run.seconds = times["evaluate_s"]
    except (ValueError, IndexError, KeyError):
        run.note = "failed: see " + log.name
    return run


def run_size(n: int, jobs: int, steps: list[str], executors: list[str], keep: bool) -> list[Run]:
    data = _season(n, "csv")
    runs = []
    if "validate" in steps:
        pq = _season(n, "parquet")
        runs.append(measure("validate (CSV)", n, [str(BIN / "zzeval"), "validate", str(data)],
                            OUT / f"validate_{n}.log"))
        runs.append(measure("validate (Parquet)", n, [str(BIN / "zzeval"), "validate", str(pq)],
                            OUT / f"validate_{n}_parquet.log"))
    if "evaluate" in steps:
        runs += [_evaluation(label, n, data, runner, j) for label, runner, j in EVALUATIONS]
    for executor in executors if "build" in steps else []:
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
    lines = ["| step | townships | wall time | per township | CPU (process tree) | CPU per township "
             "| peak memory (process tree) | exit | note |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in runs:
        lines.append(f"| {r.what} | {r.n:,} | {r.seconds:,.1f} s | {r.per_township:.2f} s | {r.cpu_s:,.1f} s | "
                     f"{r.cpu_per_township:.2f} s | {r.peak_mb:,.0f} MB | {r.returncode} | {r.note} |")
    return "\n".join(lines)


def _get(runs: list[Run], what: str, n: int | None = None) -> Run | None:
    found = [r for r in runs if r.what == what and r.returncode == 0 and (n is None or r.n == n)]
    return max(found, key=lambda r: r.n) if found else None


def issue_table(runs: list[Run]) -> str:
    """Issue 14's rows that this benchmark measures: the figures of this run and the goals."""
    rows = []
    for fmt in ("CSV", "Parquet"):
        v = _get(runs, f"validate ({fmt})")
        if v:
            rows.append((f"`zzeval validate`, {v.n:,} townships, {fmt}", f"{v.seconds:,.1f} s, {v.peak_mb:,.0f} MB peak",
                         "memory flat in N; 1,000 townships < 2 min within 4 GB"))
    one, local = _get(runs, "evaluate, one process"), _get(runs, "evaluate, tasks on 2 local processes")
    if one:
        rows.append((f"whole-season evaluation in one process, {one.n:,} townships",
                     f"{one.seconds:,.0f} s ({one.per_township:.2f} s per township), {one.peak_mb:,.0f} MB",
                     "per-township tasks on the executor"))
    if local:
        rows.append((f"evaluation as tasks on 2 local processes, {local.n:,} townships",
                     f"{local.seconds:,.0f} s ({local.per_township:.2f} s per township), {local.peak_mb:,.0f} MB",
                     "reports start within minutes"))
    d1, d2 = _get(runs, "evaluate, tasks on Dask, 1 worker"), _get(runs, "evaluate, tasks on Dask, 2 workers")
    if d1 and d2 and d1.n == d2.n:
        rows.append((f"Dask speed-up of the evaluation, 1 → 2 local workers, {d1.n:,} townships",
                     f"{d1.seconds / d2.seconds:.2f}×", "≥ 1.8×"))
    for what in dict.fromkeys(r.what for r in runs):
        rs = sorted((r for r in runs if r.what == what and r.returncode == 0), key=lambda r: r.n)
        if len(rs) >= 2:
            rows.append((f"{what}: growth {rs[0].n:,} → {rs[-1].n:,} townships",
                         f"per township {rs[-1].per_township / rs[0].per_township:.2f}× (wall), "
                         f"{rs[-1].cpu_per_township / rs[0].cpu_per_township:.2f}× (CPU), "
                         f"peak memory {rs[-1].peak_mb / max(rs[0].peak_mb, 1):.2f}×", "time per township flat"))
    lines = ["| what (issue 14) | this run | goal |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def load_note() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return ""
    return (f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores at "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=os.environ.get("ZZEVAL_BENCH_PROVINCE_SIZES"),
                    help="comma-separated numbers of townships (default 17,100,1000)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="workers per build")
    ap.add_argument("--steps", default=os.environ.get("ZZEVAL_BENCH_PROVINCE_STEPS", "validate,evaluate,build"),
                    help="validate, evaluate, build (comma-separated)")
    ap.add_argument("--executors", default="local,dask", help="local, dask or both")
    ap.add_argument("--keep", action="store_true", help="keep the built reports")
    ap.add_argument("--evaluate-child", metavar="DIR", help=argparse.SUPPRESS)
    ap.add_argument("--runner", default="", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.evaluate_child:
        return evaluate_child(a.evaluate_child, a.runner or None, a.jobs)
    OUT.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    started = load_note()
    steps = [s for s in a.steps.split(",") if s]
    for n in sizes_from(a.sizes):
        print(f"province benchmark: {n:,} townships ...", file=sys.stderr, flush=True)
        runs += run_size(n, a.jobs, steps, [e for e in a.executors.split(",") if e], a.keep)
    print(f"Measured from {started} to {load_note()}")
    print(table(runs))
    print()
    print(issue_table(runs))
    return 0 if all(r.returncode == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
