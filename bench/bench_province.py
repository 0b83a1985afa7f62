"""Province benchmark (issue 14): validate, evaluate and build synthetic seasons of N townships.

For every size N (default 17 and 100; 1,000 with ``--sizes 17,100,1000``, about 1,500 s of CPU
for its evaluation alone, i.e. an hour or more on 2 shared cores) a synthetic Parquet season is
written with ``zzeval sample DIR --townships N --format parquet`` (not timed; ``--data-root``
reuses seasons written before); then, each step as a separate process tree, one at a time:

1. ``zzeval validate`` of the season (``--csv``: of its CSV copy too): time and peak memory;
2. the season's evaluation (full settings: 10,000 Monte Carlo draws, 200 bootstrap draws) the
   way ``zzeval build`` does it: the season validated and split by station (a chunk at a time),
   then per-township tasks reading their own rows, on ``--jobs`` local processes and on a local
   Dask cluster of each of ``--workers`` (``--workers 1,2`` gives the Dask speed-up 1 → 2
   workers); and, up to ``--one-process-max`` townships (default 100), the one-process way (the
   whole season loaded, then evaluated) for comparison. The time includes the loading (its
   share is noted);
3. ``zzeval build --executor local`` and ``--executor dask`` (reports included), unless
   ``--steps`` leaves it out.

CPU is the user + system time of the whole process tree (``getrusage(RUSAGE_CHILDREN)``,
the Dask cluster's start included): on a shared, loaded machine it is the steadier measure of the
work done, where wall time depends on the other users; every run states the 1-minute load
average at its start and end. Peak memory is the largest sum of the resident set sizes of the
process and all its descendants (Dask workers included), sampled every 0.2 s with psutil (so a
peak shorter than that can be missed). The figures say how the cost grows with N: time per
township should stay flat, and memory should not grow with the number of townships beyond
what the county steps hold. The last table is issue 14's, with the goals and the figures of
this run. Each run is also appended to ``<out>/runs.jsonl`` as it ends.

Usage: ``python bench/bench_province.py [--sizes 17,100,1000] [--jobs 2] [--workers 1,2]
[--steps validate,evaluate,build] [--executors local,dask] [--data-root DIR] [--out DIR] [--keep]``.
The environment variables ``ZZEVAL_BENCH_PROVINCE_SIZES``, ``_STEPS``, ``_WORKERS`` and ``_OUT``
override the defaults (``make bench`` runs the defaults).
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
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "province"
BIN = Path(sys.executable).parent
DEFAULT_SIZES = (17, 100)


@dataclass
class Run:
    what: str
    n: int
    seconds: float
    peak_mb: float
    returncode: int
    note: str = ""
    cpu_s: float = float("nan")  #: user + system CPU seconds of the process tree
    load: str = ""  #: the 1-minute load average at the start and at the end of the run

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
    load0 = os.getloadavg()[0]
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
    run = Run(what, n, seconds, peak, rc, cpu_s=cpu, load=f"{load0:.1f} → {os.getloadavg()[0]:.1f}")
    with (log.parent / "runs.jsonl").open("a", encoding="utf-8") as fh:  # each run kept as it ends
        fh.write(json.dumps({**asdict(run), "at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}) + "\n")
    return run


def sizes_from(text: str | None) -> tuple[int, ...]:
    if not text:
        return DEFAULT_SIZES
    return tuple(int(x) for x in text.split(",") if x.strip())


def _season(n: int, fmt: str, root: Path) -> Path:
    """The synthetic season of ``n`` townships in ``root`` (``s<n>`` for Parquet, ``s<n>_csv``),
    written with ``zzeval sample`` when missing (not timed)."""
    data = root / (f"s{n}" if fmt == "parquet" else f"s{n}_csv")
    if not (data / "season.yaml").is_file():
        shutil.rmtree(data, ignore_errors=True)
        subprocess.run([str(BIN / "zzeval"), "sample", str(data), "--townships", str(n), "--format", fmt],
                       check=True, capture_output=True, cwd=ROOT)
    return data


def evaluate_child(data: str, runner: str | None, jobs: int, work: str) -> int:
    """(In a child process) the season's evaluation (full settings: 10,000 Monte Carlo draws, 200
    bootstrap draws), as ``zzeval build`` does it: the season validated and split by station
    (:func:`zzeval.season.township_rows.split_season`), then per-township tasks on ``runner``
    reading their own rows. ``runner`` None: the one-process way (the whole season loaded, then
    evaluated in this process). Prints the seconds of the load and of the evaluation as JSON."""
    from zzeval.assess.evaluate import evaluate_season
    from zzeval.assess.tasks import make_runner

    t0 = time.monotonic()
    if runner is None:
        from zzeval.season.loading import load_season

        season, kwargs = load_season(data), {}
    else:
        from zzeval.season.township_rows import split_season

        started = make_runner(runner, jobs).start()  # as zzeval build: workers start during the split
        season, rows = split_season(data, Path(work) / "rows")
        kwargs = {"rows": rows, "runner": started, "cache_dir": Path(work) / "townships"}
    t1 = time.monotonic()
    evaluate_season(season, **kwargs)
    t2 = time.monotonic()
    if runner is not None:
        started.close()
    print(json.dumps({"load_s": t1 - t0, "evaluate_s": t2 - t1}))
    return 0


def _evaluation(label: str, n: int, data: Path, runner: str | None, jobs: int, out: Path) -> Run:
    """One evaluation in a child process; the time is load + evaluation (the load's share noted)."""
    name = f"evaluate_{n}_{runner or 'one'}_{jobs}"
    work = out / name
    shutil.rmtree(work, ignore_errors=True)  # no township cache from an earlier run
    cmd = [sys.executable, str(Path(__file__).resolve()), "--evaluate-child", str(data),
           "--runner", runner or "", "--jobs", str(jobs), "--work", str(work)]
    run = measure(label, n, cmd, out / f"{name}.log")
    try:
        times = json.loads((out / f"{name}.log").read_text(encoding="utf-8").strip().splitlines()[-1])
        run.note = f"of which loading {times['load_s']:.0f} s"
    except (ValueError, IndexError, KeyError):
        run.note = f"failed: see {name}.log"
    shutil.rmtree(work, ignore_errors=True)
    return run


def evaluations(n: int, jobs: int, workers: list[int], one_process: bool) -> list[tuple[str, str | None, int]]:
    """(label, runner kind, jobs) of the evaluations timed for ``n`` townships."""
    todo = [("evaluate, one process (whole season loaded)", None, 1)] if one_process else []
    todo.append((f"evaluate, tasks on {jobs} local processes", "local", jobs))
    todo += [(f"evaluate, tasks on Dask, {w} worker{'s' if w > 1 else ''}", "dask", w) for w in workers]
    return todo


def run_size(n: int, a: argparse.Namespace, steps: list[str], out: Path) -> list[Run]:
    data = _season(n, "parquet", a.data_root)
    runs = []
    if "validate" in steps:
        if a.csv:
            runs.append(measure("validate (CSV)", n, [str(BIN / "zzeval"), "validate", str(_season(n, "csv", a.data_root))],
                                out / f"validate_{n}.log"))
        runs.append(measure("validate (Parquet)", n, [str(BIN / "zzeval"), "validate", str(data)],
                            out / f"validate_{n}_parquet.log"))
    if "evaluate" in steps:
        one = n <= a.one_process_max
        runs += [_evaluation(label, n, data, runner, j, out)
                 for label, runner, j in evaluations(n, a.jobs, a.workers, one)]
    for executor in a.executors if "build" in steps else []:
        reports = out / f"reports_{n}_{executor}"
        shutil.rmtree(reports, ignore_errors=True)
        cmd = [str(BIN / "zzeval"), "build", "--data", str(data), "--out", str(reports), "--jobs",
               str(a.jobs), "--executor", executor, "--quiet"]
        runs.append(measure(f"build ({executor}, {a.jobs} workers)", n, cmd, out / f"build_{n}_{executor}.log"))
        if not a.keep:
            shutil.rmtree(reports, ignore_errors=True)
    return runs


def table(runs: list[Run]) -> str:
    lines = ["| step | townships | wall time | wall per township | CPU (process tree) | CPU per township "
             "| peak memory (process tree) | load (1 min, start → end) | exit | note |",
             "|---|---:|---:|---:|---:|---:|---:|---|---:|---|"]
    for r in runs:
        lines.append(f"| {r.what} | {r.n:,} | {r.seconds:,.1f} s | {r.per_township:.2f} s | {r.cpu_s:,.1f} s | "
                     f"{r.cpu_per_township:.2f} s | {r.peak_mb:,.0f} MB | {r.load} | {r.returncode} | {r.note} |")
    return "\n".join(lines)


def _get(runs: list[Run], what: str, n: int | None = None) -> Run | None:
    found = [r for r in runs if r.what.startswith(what) and r.returncode == 0 and (n is None or r.n == n)]
    return max(found, key=lambda r: r.n) if found else None


def _figures(r: Run) -> str:
    return (f"{r.cpu_per_township:.2f} s CPU and {r.per_township:.2f} s wall per township "
            f"({r.seconds:,.0f} s), {r.peak_mb:,.0f} MB peak, load {r.load}")


def _speedups(runs: list[Run]) -> list[tuple[str, str, str]]:
    rows = []
    for n in sorted({r.n for r in runs}):
        dask = {int(r.what.split(", ")[-1].split()[0]): r for r in runs
                if r.n == n and r.returncode == 0 and r.what.startswith("evaluate, tasks on Dask")}
        if 1 in dask and len(dask) > 1:
            w = max(dask)
            rows.append((f"Dask speed-up of the evaluation, 1 → {w} local workers, {n:,} townships",
                         f"{dask[1].seconds / dask[w].seconds:.2f}× wall (load {dask[1].load}, then "
                         f"{dask[w].load}); CPU {dask[1].cpu_s:,.0f} s → {dask[w].cpu_s:,.0f} s", "≥ 1.8×"))
    return rows


def _growth(runs: list[Run]) -> list[tuple[str, str, str]]:
    rows = []
    for what in dict.fromkeys(r.what for r in runs):
        rs = sorted((r for r in runs if r.what == what and r.returncode == 0), key=lambda r: r.n)
        if len(rs) >= 2:
            rows.append((f"{what}: growth {' → '.join(f'{r.n:,}' for r in rs)} townships",
                         "CPU per township " + " → ".join(f"{r.cpu_per_township:.2f} s" for r in rs)
                         + "; peak " + " → ".join(f"{r.peak_mb:,.0f} MB" for r in rs),
                         "time per township flat; memory not growing with N (beyond the county steps)"))
    return rows


def issue_table(runs: list[Run]) -> str:
    """Issue 14's rows that this benchmark measures: the figures of this run and the goals."""
    rows = []
    for fmt in ("CSV", "Parquet"):
        if v := _get(runs, f"validate ({fmt})"):
            rows.append((f"`zzeval validate`, {v.n:,} townships, {fmt}", f"{v.seconds:,.1f} s, {v.peak_mb:,.0f} MB peak "
                         f"(load {v.load})", "memory flat in N; 1,000 townships < 2 min within 4 GB"))
    if one := _get(runs, "evaluate, one process"):
        rows.append((f"whole-season evaluation in one process, {one.n:,} townships", _figures(one),
                     "per-township evaluation on the executor"))
    if local := _get(runs, "evaluate, tasks on"):
        rows.append((f"evaluation as per-township tasks ({local.what[16:]}), {local.n:,} townships",
                     _figures(local), "a province starts producing reports in minutes"))
    rows += _speedups(runs)
    if build := _get(runs, "build ("):
        rows.append((f"synthetic province end to end ({build.what}), {build.n:,} townships", _figures(build),
                     "measured for 17, 100, 1,000 townships, time per township flat"))
    rows += _growth(runs)
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
                    help="comma-separated numbers of townships (default 17,100; 1000 is an option)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="local processes (evaluation, build)")
    ap.add_argument("--workers", default=os.environ.get("ZZEVAL_BENCH_PROVINCE_WORKERS", "2"),
                    help="Dask worker counts of the evaluation, e.g. 1,2 for the speed-up (default 2)")
    ap.add_argument("--steps", default=os.environ.get("ZZEVAL_BENCH_PROVINCE_STEPS", "validate,evaluate,build"),
                    help="validate, evaluate, build (comma-separated)")
    ap.add_argument("--executors", default="local,dask", help="of the build: local, dask or both")
    ap.add_argument("--one-process-max", type=int, default=100,
                    help="also time the one-process evaluation up to this many townships (default 100)")
    ap.add_argument("--csv", action="store_true", help="also validate the CSV season")
    ap.add_argument("--data-root", type=Path, default=None,
                    help="where the seasons are (s<N>/, written when missing; default: the output folder)")
    ap.add_argument("--out", type=Path, default=Path(os.environ.get("ZZEVAL_BENCH_PROVINCE_OUT", OUT)),
                    help="logs, caches and reports (default bench/out/province)")
    ap.add_argument("--keep", action="store_true", help="keep the built reports")
    ap.add_argument("--evaluate-child", metavar="DIR", help=argparse.SUPPRESS)
    ap.add_argument("--runner", default="", help=argparse.SUPPRESS)
    ap.add_argument("--work", default="", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.evaluate_child:
        return evaluate_child(a.evaluate_child, a.runner or None, a.jobs, a.work)
    a.workers = [int(w) for w in a.workers.split(",") if w.strip()]
    a.executors = [e for e in a.executors.split(",") if e]
    a.data_root = a.data_root or a.out
    a.out.mkdir(parents=True, exist_ok=True)
    a.data_root.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    started = load_note()
    steps = [s for s in a.steps.split(",") if s]
    for n in sizes_from(a.sizes):
        print(f"province benchmark: {n:,} townships ...", file=sys.stderr, flush=True)
        runs += run_size(n, a, steps, a.out)
        print(table([r for r in runs if r.n == n]), file=sys.stderr, flush=True)  # each size as it is done
    print(f"Measured from {started} to {load_note()}")
    print(table(runs))
    print()
    print(issue_table(runs))
    return 0 if all(r.returncode == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
