"""Province benchmark (issue 14): validate, evaluate and build synthetic seasons of N townships.

Seasons: ``zzeval sample DIR --townships N --format parquet`` (and ``--format csv`` for the CSV
validation), written when missing or written by other code of ``zzeval/synthetic`` (not timed;
kept in ``--data-root`` for the next run). Then, each step as a separate process tree, one at a
time, smallest season first:

1. ``zzeval validate`` of the Parquet seasons of ``--validate-sizes`` (default 17, 60, 100) and of
   the CSV seasons of ``--csv-sizes`` (default 60): time and peak memory;
2. the evaluation alone (full settings: 10,000 Monte Carlo draws, 200 bootstrap draws), the way
   ``zzeval build`` does it (the season validated and split by station, then per-township tasks
   reading their own rows) on a local Dask cluster of 1 and of 2 workers (``--workers``) for the
   ``--speedup-size`` season (default 100): the Dask speed-up 1 → 2 workers; and, up to
   ``--one-process-max`` townships (default 17), the one-process way (the whole season loaded,
   then evaluated) for comparison;
3. ``zzeval build --executor local`` (``--executors local,dask`` adds the Dask build) of each of
   ``--sizes`` (default 17 and 100): evaluation, every township report, county page, index. Its
   build log is followed while it runs: the wall and CPU time at the end of the evaluation and at
   the first township report (time to first report).

``--with-1000`` (``make bench BENCH_PROVINCE=1000``) adds the 1,000-township season to the
validation and the builds: writing the season (about 300 s of CPU), validating it and building
its 1,000 reports, an hour or more on 2 cores.

CPU is the user + system time of the whole process tree (``getrusage(RUSAGE_CHILDREN)``,
the Dask cluster's start included): on a shared, loaded machine it is the steadier measure of the
work done, where wall time depends on the other users; every run states the 1-minute load
average at its start and end. Peak memory is the largest sum of the resident set sizes of the
process and all its descendants (Dask workers and kernels included), sampled every 0.2 s with
psutil (so a peak shorter than that can be missed); the CPU at a point of a build (end of the
evaluation, first report) is the tree's CPU sampled there (live processes and those they waited
for). Each run is also appended to ``<out>/runs.jsonl`` as it ends. The rows of issue 14's
table measured here are recorded in ``figures`` (``bench/issue14.py``) and, run alone, printed.

Usage: ``python bench/bench_province.py [--with-1000] [--sizes 17,100] [--validate-sizes 17,60,100]
[--csv-sizes 60] [--speedup-size 100] [--workers 1,2] [--jobs 2] [--steps validate,evaluate,build]
[--executors local] [--data-root DIR] [--out DIR] [--keep]``. The environment variables
``ZZEVAL_BENCH_PROVINCE_SIZES``, ``_STEPS``, ``_WORKERS``, ``_EXECUTORS`` and ``_OUT`` override the
defaults.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "province"
BIN = Path(sys.executable).parent
SEASON = "2020-2021"
DEFAULT_SIZES = (17, 100)
sys.path.insert(0, str(Path(__file__).resolve().parent))

import issue14  # noqa: E402


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
    #: points of a build, from its log: {"evaluation" | "first_report": [wall s, tree CPU s]}
    marks: dict = field(default_factory=dict)

    @property
    def cpu_per_township(self) -> float:
        return self.cpu_s / self.n

    @property
    def per_township(self) -> float:
        return self.seconds / self.n


def _tree(proc) -> tuple[float, float]:
    """Resident memory (MB) and CPU seconds so far of ``proc`` and its descendants (the CPU of
    descendants that ended is in their waiting parent's ``children_*`` times)."""
    import psutil

    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0.0, 0.0
    rss = cpu = 0.0
    for p in procs:
        try:
            rss += p.memory_info().rss
            t = p.cpu_times()
            cpu += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            pass
    return rss / 2**20, cpu


class LogWatch:
    """Follows a build's ``build-log.jsonl`` while it runs: the first ``evaluation`` event and the
    first township report built."""

    def __init__(self, path: Path):
        self.path, self.offset, self.marks = path, 0, {}

    def poll(self, elapsed: float, cpu: float) -> None:
        try:
            with self.path.open("rb") as fh:
                fh.seek(self.offset)
                chunk = fh.read()
        except OSError:
            return
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self.offset += len(complete)
        for line in complete.decode("utf-8", "replace").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("event") == "evaluation":
                self.marks.setdefault("evaluation", [elapsed, cpu])
            elif (event.get("event") == "report" and event.get("status") == "built"
                  and event.get("report") not in ("__county__", "__index__", "index")):
                self.marks.setdefault("first_report", [elapsed, cpu])


def measure(what: str, n: int, cmd: list[str], log: Path, watch: Path | None = None) -> Run:
    """Run ``cmd`` to completion: wall time, CPU and peak RSS of its process tree (and, with
    ``watch``, the points of its build log)."""
    import resource

    import psutil

    peak = 0.0
    watcher = LogWatch(watch) if watch else None
    load0 = issue14.load_now()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    with log.open("w", encoding="utf-8") as fh:
        popen = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT)
        proc = psutil.Process(popen.pid)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                rss, cpu = _tree(proc)
                peak = max(peak, rss)
                if watcher:
                    watcher.poll(time.monotonic() - t0, cpu)
                done.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        rc = popen.wait()
        done.set()
        sampler.join()
    seconds = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # every descendant, once waited for
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    run = Run(what, n, seconds, peak, rc, cpu_s=cpu, load=issue14.load_span(load0, issue14.load_now()),
              marks=watcher.marks if watcher else {})
    with (log.parent / "runs.jsonl").open("a", encoding="utf-8") as fh:  # each run kept as it ends
        fh.write(json.dumps({**asdict(run), "at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}) + "\n")
    return run


def sizes_from(text: str | None, default=DEFAULT_SIZES) -> tuple[int, ...]:
    if not text:
        return tuple(default)
    return tuple(int(x) for x in text.split(",") if x.strip())


def _generator_key(n: int, fmt: str) -> str:
    """What a synthetic season was written from: the code of ``zzeval/synthetic``, N and format."""
    h = hashlib.sha256(f"{n} {fmt}".encode())
    for path in sorted((ROOT / "zzeval" / "synthetic").rglob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()


def _season(n: int, fmt: str, root: Path) -> Path:
    """The synthetic season of ``n`` townships in ``root`` (``s<n>`` for Parquet, ``s<n>_csv``),
    written with ``zzeval sample`` when missing or written by other code (not timed)."""
    data = root / (f"s{n}" if fmt == "parquet" else f"s{n}_csv")
    key, stamp = _generator_key(n, fmt), data / ".bench-generator"
    if not (data / "season.yaml").is_file() or not stamp.is_file() or stamp.read_text() != key:
        shutil.rmtree(data, ignore_errors=True)
        print(f"writing the {n:,}-township {fmt} season (not timed) ...", file=sys.stderr, flush=True)
        subprocess.run([str(BIN / "zzeval"), "sample", str(data), "--townships", str(n), "--format", fmt],
                       check=True, capture_output=True, cwd=ROOT)
        stamp.write_text(key)
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
        from zzeval.assess.runners import split_tasks
        from zzeval.season.township_rows import split_season

        started = make_runner(runner, jobs).start()  # as zzeval build: workers start, then check and split
        season, rows = split_season(data, Path(work) / "rows", **split_tasks(started))
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



def _build(n: int, data: Path, executor: str, a: argparse.Namespace, out: Path) -> Run:
    """``zzeval build`` of the whole season (evaluation, every report, county page, index) into a
    fresh folder, its log followed for the end of the evaluation and the first township report."""
    reports = out / f"reports_{n}_{executor}"
    shutil.rmtree(reports, ignore_errors=True)
    cmd = [str(BIN / "zzeval"), "build", "--data", str(data), "--out", str(reports), "--jobs",
           str(a.jobs), "--executor", executor, "--quiet"]
    run = measure(f"build ({executor}, {a.jobs} workers)", n, cmd, out / f"build_{n}_{executor}.log",
                  watch=reports / SEASON / "build-log.jsonl")
    for mark, label in (("evaluation", "evaluation done"), ("first_report", "first report")):
        if mark in run.marks:
            wall, cpu = run.marks[mark]
            run.note += f"{'; ' if run.note else ''}{label} at {wall:,.0f} s ({cpu:,.0f} s CPU)"
    if not a.keep:
        shutil.rmtree(reports, ignore_errors=True)
    return run


def run_size(n: int, a: argparse.Namespace, out: Path) -> list[Run]:
    """Every step of the plan for the ``n``-township season."""
    runs = []
    if "validate" in a.steps and n in a.csv_sizes:
        runs.append(measure("validate (CSV)", n, [str(BIN / "zzeval"), "validate", str(_season(n, "csv", a.data_root))],
                            out / f"validate_{n}_csv.log"))
    if "validate" in a.steps and n in a.validate_sizes:
        runs.append(measure("validate (Parquet)", n, [str(BIN / "zzeval"), "validate",
                                                      str(_season(n, "parquet", a.data_root))],
                            out / f"validate_{n}_parquet.log"))
    if "evaluate" in a.steps:
        if n in a.sizes and n <= a.one_process_max:
            runs.append(_evaluation("evaluate, one process (whole season loaded)", n,
                                    _season(n, "parquet", a.data_root), None, 1, out))
        if n == a.speedup_size:
            runs += [_evaluation(f"evaluate, tasks on Dask, {w} worker{'s' if w > 1 else ''}", n,
                                 _season(n, "parquet", a.data_root), "dask", w, out) for w in a.workers]
    if "build" in a.steps and n in a.sizes:
        runs += [_build(n, _season(n, "parquet", a.data_root), e, a, out) for e in a.executors]
    return runs


def table(runs: list[Run]) -> str:
    lines = ["| step | townships | wall time | wall per township | CPU (process tree) | CPU per township "
             "| peak memory (process tree) | load (1 min, start → end) | exit | note |",
             "|---|---:|---:|---:|---:|---:|---:|---|---:|---|"]
    for r in runs:
        lines.append(f"| {r.what} | {r.n:,} | {r.seconds:,.1f} s | {r.per_township:.2f} s | {r.cpu_s:,.1f} s | "
                     f"{r.cpu_per_township:.2f} s | {r.peak_mb:,.0f} MB | {r.load} | {r.returncode} | {r.note} |")
    return "\n".join(lines)


def _ok(runs: list[Run], what: str) -> list[Run]:
    """The successful runs whose step starts with ``what``, smallest season first."""
    return sorted((r for r in runs if r.what.startswith(what) and r.returncode == 0), key=lambda r: r.n)


def _notes(runs: list[Run], failed: list[Run], with_1000: bool) -> str:
    """Why a row built from ``runs`` may fall short: one size only, failed builds, 1,000 not run."""
    notes = ["one size: flatness not judged"] if len({r.n for r in runs}) < 2 else []
    notes += [f"{r.n:,}: build failed (exit {r.returncode}, see build_{r.n}_local.log)" for r in failed]
    if not with_1000 and not any(r.n >= 1000 for r in runs + failed):
        notes.append(f"1,000 not run in this run ({issue14.OPT_IN_1000} to include)")
    return "; ".join(notes)


def _validation_rows(runs: list[Run], figures) -> None:
    parquet, csv = _ok(runs, "validate (Parquet)"), _ok(runs, "validate (CSV)")
    at60 = [r for r in csv + parquet if r.n == 60]
    if at60:
        text = "; ".join(f"{r.what[10:-1]} {r.seconds:,.1f} s wall, {r.cpu_s:,.1f} s CPU, {r.peak_mb:,.0f} MB peak"
                         for r in at60)
        small = [r for r in parquet if r.n < 1000]
        value = None
        if len(small) >= 2:
            text += "; Parquet peak " + " → ".join(f"{r.n:,}: {r.peak_mb:,.0f} MB" for r in small)
            value = issue14.flat_ratio([r.peak_mb for r in small])
        figures.add("validate_60", text, value, "; ".join(r.load for r in at60))
    if big := [r for r in parquet if r.n >= 1000]:
        r = big[-1]
        figures.add("validate_1000", f"{r.seconds:,.1f} s wall ({r.cpu_s:,.1f} s CPU), {r.peak_mb:,.0f} MB peak",
                    max(r.seconds / 120.0, r.peak_mb / 4096.0), r.load)


def _build_rows(runs: list[Run], figures, with_1000: bool) -> None:
    """Time to first report and the evaluation (from the log of every build that got there, even one
    that failed later, e.g. on its county page), and the province end to end (the builds that
    succeeded)."""
    every = sorted((r for r in runs if r.what.startswith("build (local")), key=lambda r: r.n)
    builds, failed = [r for r in every if r.returncode == 0], [r for r in every if r.returncode]
    if firsts := [r for r in every if "first_report" in r.marks]:
        text = "; ".join(f"{r.n:,} townships: {r.marks['first_report'][0]:,.0f} s ({r.marks['first_report'][1]:,.0f} s CPU)"
                         for r in firsts)
        big = [r for r in firsts if r.n >= 1000]
        figures.add("first_report", text, big[-1].marks["first_report"][0] if big else None,
                    "; ".join(r.load for r in firsts),
                    note="" if big else f"judged at 1,000 townships ({issue14.OPT_IN_1000})")
    if evals := [r for r in every if "evaluation" in r.marks]:
        text = "; ".join(f"{r.n:,}: {r.marks['evaluation'][1] / r.n:.2f} s CPU, {r.marks['evaluation'][0] / r.n:.2f} s "
                         "wall per township" for r in evals)
        text += "".join(f"; for comparison, one process (whole season loaded), {r.n:,}: {r.cpu_per_township:.2f} s "
                        f"CPU, {r.per_township:.2f} s wall per township" for r in _ok(runs, "evaluate, one process"))
        figures.add("eval_per_township", text, issue14.flat_ratio([r.marks["evaluation"][1] / r.n for r in evals])
                    if len(evals) >= 2 else None, "; ".join(r.load for r in evals),
                    note=_notes(evals, [r for r in failed if "evaluation" not in r.marks], with_1000))
    if builds or failed:
        text = "; ".join(f"{r.n:,}: {r.cpu_per_township:.2f} s CPU, {r.per_township:.2f} s wall per township, "
                         f"{r.peak_mb:,.0f} MB peak" for r in builds) or "no build succeeded"
        figures.add("province", text, issue14.flat_ratio([r.cpu_per_township for r in builds])
                    if len(builds) >= 2 else None, "; ".join(r.load for r in builds + failed),
                    note=_notes(builds, failed, with_1000))


def record(runs: list[Run], figures, with_1000: bool = False) -> None:
    """Issue 14's rows measured by this benchmark, into ``figures`` (:class:`issue14.Figures`)."""
    _validation_rows(runs, figures)
    dask = {int(r.what.split(", ")[-1].split()[0]): r for r in _ok(runs, "evaluate, tasks on Dask")}
    if 1 in dask and len(dask) > 1:
        w = max(dask)
        d1, dw = dask[1], dask[w]
        top = issue14.busy(d1.load, dw.load, workers=(1, w))
        note = (f"machine busy (load {top:.1f} > {issue14.SPEEDUP_MAX_LOAD:g}): the wall ratio measures the other "
                "jobs as much as zzeval; run it with the machine idle") if top is not None else ""
        figures.add("dask_speedup", f"{d1.seconds / dw.seconds:.2f}× at {d1.n:,} townships, 1 → {w} workers "
                    f"({d1.seconds:,.0f} s → {dw.seconds:,.0f} s wall; CPU {d1.cpu_s:,.0f} s → {dw.cpu_s:,.0f} s)",
                    d1.seconds / dw.seconds if w == 2 and top is None else None, f"{d1.load}; {dw.load}", note=note)
    _build_rows(runs, figures, with_1000)


def main(argv: list[str] | None = None, figures=None) -> int:
    """``figures``: issue 14's table (``bench/issue14.py``), given by ``bench/run_all.py``; run alone,
    the rows measured here are printed at the end."""
    env = os.environ.get
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--with-1000", action="store_true",
                    help="add the 1,000-township season to the validation and the builds (an hour or more)")
    ap.add_argument("--sizes", default=env("ZZEVAL_BENCH_PROVINCE_SIZES"),
                    help="seasons built, comma-separated numbers of townships (default 17,100)")
    ap.add_argument("--validate-sizes", default="17,60,100", help="seasons validated, Parquet (default 17,60,100)")
    ap.add_argument("--csv-sizes", default="60", help="seasons validated as CSV too (default 60)")
    ap.add_argument("--speedup-size", type=int, default=100,
                    help="the season of the Dask speed-up (evaluation alone; default 100; 0: none)")
    ap.add_argument("--workers", default=env("ZZEVAL_BENCH_PROVINCE_WORKERS", "1,2"),
                    help="Dask worker counts of the speed-up (default 1,2)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="local processes of the builds")
    ap.add_argument("--steps", default=env("ZZEVAL_BENCH_PROVINCE_STEPS", "validate,evaluate,build"),
                    help="validate, evaluate, build (comma-separated)")
    ap.add_argument("--executors", default=env("ZZEVAL_BENCH_PROVINCE_EXECUTORS", "local"),
                    help="of the builds: local, dask or both (default local)")
    ap.add_argument("--one-process-max", type=int, default=17,
                    help="also time the one-process evaluation of the built seasons up to this many townships")
    ap.add_argument("--data-root", type=Path, default=None,
                    help="where the seasons are (s<N>/, written when missing; default: the output folder)")
    ap.add_argument("--out", type=Path, default=Path(env("ZZEVAL_BENCH_PROVINCE_OUT", OUT)),
                    help="logs, caches and reports (default bench/out/province)")
    ap.add_argument("--keep", action="store_true", help="keep the built reports")
    ap.add_argument("--evaluate-child", metavar="DIR", help=argparse.SUPPRESS)
    ap.add_argument("--runner", default="", help=argparse.SUPPRESS)
    ap.add_argument("--work", default="", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.evaluate_child:
        return evaluate_child(a.evaluate_child, a.runner or None, a.jobs, a.work)
    extra = (1000,) if a.with_1000 else ()
    a.sizes = sizes_from(a.sizes) + extra
    a.validate_sizes = sizes_from(a.validate_sizes, ()) + extra
    a.csv_sizes = sizes_from(a.csv_sizes, ())
    a.workers = [int(w) for w in a.workers.split(",") if w.strip()]
    a.executors = [e for e in a.executors.split(",") if e]
    a.steps = [s for s in a.steps.split(",") if s]
    a.data_root = a.data_root or a.out
    a.out.mkdir(parents=True, exist_ok=True)
    a.data_root.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    started = load_note()
    alone = figures is None
    figures = issue14.Figures() if alone else figures
    every = sorted(set(a.sizes) | set(a.validate_sizes) | set(a.csv_sizes) | ({a.speedup_size} - {0}))
    for n in every:
        print(f"province benchmark: {n:,} townships ...", file=sys.stderr, flush=True)
        size_runs = run_size(n, a, a.out)
        runs += size_runs
        if size_runs:
            print(table(size_runs), file=sys.stderr, flush=True)  # each size as it is done
    print(f"Measured from {started} to {load_note()}")
    print(table(runs))
    record(runs, figures, a.with_1000)
    if alone:
        print()
        print(issue14.format_table(figures))
    return 0 if all(r.returncode == 0 for r in runs) else 1


def load_note() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return ""
    return (f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores at "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


if __name__ == "__main__":
    sys.exit(main())
