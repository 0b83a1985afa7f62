"""The cost of one township report once the season is evaluated (issue 14: "the report at its cost
floor", goal <= 2 s of CPU on one core), measured the build's way and against the old and plain ways.

The build's way: :func:`zzeval.build.tasks.run_task` in this process (as a build worker runs it) with
one warm kernel, on the township slices of a season evaluated once (the slices a build hands its
notebooks). Measured: the CPU time (user + system) of the worker process and of its kernel process
per report, after one warm-up report; wall times are not used (the machine is shared).

* **now**: the code of this checkout;
* **old path**: the same harness on the code of ``--baseline`` (default :data:`BASELINE_REV`, main
  before this work), exported with ``git archive`` and imported through ``PYTHONPATH`` (its own
  notebook, sample season and evaluation);
* **plain way**: ``papermill`` then ``jupyter nbconvert --to html --no-input`` per report (a new
  kernel each time), on the same slices; CPU of the whole process trees (``RUSAGE_CHILDREN``).

Usage: ``python bench/bench_report.py [--reports K] [--baseline REV|none] [--plain K]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "report"
SEASON = "2020-2021"
BIN = Path(sys.executable).parent
#: main before issue 14's per-report work (2026-12-05): the "old path".
BASELINE_REV = "ccef219"
GOAL_S = 2.0
sys.path.insert(0, str(Path(__file__).resolve().parent))

from issue14 import load_now, load_span  # noqa: E402


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def child(src: Path, out: Path, n_reports: int) -> dict:
    """Runs in a subprocess whose ``zzeval`` is the one under ``src``: evaluate the sample season,
    save the township slices, build ``1 + n_reports`` reports with one warm kernel."""
    from dataclasses import asdict

    import psutil

    from zzeval.assess.evaluate import evaluate_season
    from zzeval.build.kernels import resolve_kernel, session_for_thread
    from zzeval.build.tasks import ReportTask, run_task
    from zzeval.season.loading import load_season

    data, notebook = src / "data" / "sample", src / "notebooks" / "township_report.ipynb"
    c0 = time.process_time()
    evaluation = evaluate_season(load_season(data, SEASON))
    eval_cpu = time.process_time() - c0
    slugs = [str(s) for s in evaluation.summary_table()["township"]][: 1 + n_reports]
    kernel = resolve_kernel("auto")
    reports = []
    for i, slug in enumerate(slugs):
        results = evaluation.township_slice(slug).save(out / "results" / f"{slug}.pkl")
        task = ReportTask(id=slug, notebook=str(notebook), parameters={
            "season": SEASON, "data_dir": str(data), "township": slug, "lang": "zh",
            "results_path": str(results)}, ipynb_path=str(out / f"{slug}.ipynb"),
            html_path=str(out / f"{slug}.html"), rel_html=f"{slug}.html", lang="zh", kernel=asdict(kernel),
            cwd=str(notebook.parent), generation="bench")
        _loop, warm = session_for_thread(kernel, task.cwd, generation=task.generation,  # run_task's kernel
                                         start_timeout=task.start_timeout_s, start_retries=task.start_retries,
                                         reuse=task.kernel_reuse)
        kernel_proc = psutil.Process(warm.km.provisioner.pid) if warm.alive else None
        k0 = sum(kernel_proc.cpu_times()[:2]) if kernel_proc else 0.0
        c0 = time.process_time()
        result = run_task(task)
        worker = time.process_time() - c0
        if result["status"] != "built":
            raise RuntimeError(f"{slug}: {result['error']}")
        if i == 0:
            continue  # the warm-up: kernel start and first imports
        reports.append({"slug": slug, "worker_cpu": worker,
                        "kernel_cpu": sum(kernel_proc.cpu_times()[:2]) - k0, "html_bytes": result["html_bytes"]})
    return {"eval_cpu": eval_cpu, "reports": reports, "slugs": slugs}


def run_child(src: Path, out: Path, n_reports: int) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(src))
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(src), str(out),
                           str(n_reports)], env=env, capture_output=True, text=True, cwd=src)
    if proc.returncode:
        raise RuntimeError(f"the harness failed on {src}:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.splitlines()[-1])


def export_rev(rev: str, dest: Path) -> Path | None:
    """The tree of git revision ``rev`` under ``dest`` (None when this is not a git checkout)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return None
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True)
    if archive.returncode:
        return None
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


def plain_way(slugs: list[str], results: Path, out: Path) -> float:
    """CPU seconds per report of papermill + nbconvert, each report in a new kernel."""
    nb = ROOT / "notebooks" / "township_report.ipynb"
    out.mkdir(parents=True, exist_ok=True)
    c0 = _children_cpu()
    for slug in slugs:
        executed = out / f"{slug}.ipynb"
        subprocess.run([str(BIN / "papermill"), str(nb), str(executed), "-k", "python3", "--cwd", str(nb.parent),
                        "-p", "season", SEASON, "-p", "data_dir", str(ROOT / "data" / "sample"),
                        "-p", "township", slug, "-p", "lang", "zh",
                        "-p", "results_path", str(results / f"{slug}.pkl"), "--no-progress-bar"],
                       check=True, capture_output=True)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                       check=True, capture_output=True)
    return (_children_cpu() - c0) / len(slugs)


def _per_report(run: dict) -> tuple[float, float]:
    n = len(run["reports"])
    return (sum(r["worker_cpu"] for r in run["reports"]) / n, sum(r["kernel_cpu"] for r in run["reports"]) / n)


def main(argv=None, figures=None) -> int:
    """``figures``: issue 14's table (``bench/issue14.py``), given by ``bench/run_all.py``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=4, help="reports measured after the warm-up one")
    ap.add_argument("--baseline", default=BASELINE_REV, help="git revision of the old path ('none': skip)")
    ap.add_argument("--plain", type=int, default=2, help="reports built the plain way (0: skip)")
    ap.add_argument("--child", nargs=3, metavar=("SRC", "OUT", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(Path(args.child[0]), Path(args.child[1]), int(args.child[2]))))
        return 0
    load0 = load_now()
    print(f"== one township report, season evaluated, warm kernel, one core; load average "
          f"{load0:.1f} at start, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    now = run_child(ROOT, OUT / "now", args.reports)
    worker, kernel = _per_report(now)
    if figures is not None:
        figures.add("report_cost", f"{worker + kernel:.2f} s CPU (worker {worker:.2f} + kernel {kernel:.2f}; "
                    f"mean of {len(now['reports'])} reports after a warm-up)", worker + kernel,
                    load_span(load0, load_now()))
    print(f"now:       {worker + kernel:5.2f} s CPU per report (worker {worker:.2f} + kernel {kernel:.2f}; "
          f"{len(now['reports'])} reports after a warm-up)   goal <= {GOAL_S:g} s")
    src = None if args.baseline == "none" else export_rev(args.baseline, OUT / "baseline-src")
    if src is not None:
        old = run_child(src, OUT / "old", args.reports)
        o_worker, o_kernel = _per_report(old)
        print(f"old path:  {o_worker + o_kernel:5.2f} s CPU per report (worker {o_worker:.2f} + kernel "
              f"{o_kernel:.2f}; code of {args.baseline})")
        print(f"  ratio old / now: {(o_worker + o_kernel) / (worker + kernel):4.2f}x")
    elif args.baseline != "none":
        print(f"old path: skipped (git revision {args.baseline} not available)")
    if args.plain:
        plain = plain_way(now["slugs"][1: 1 + args.plain], OUT / "now" / "results", OUT / "plain")
        print(f"plain way: {plain:5.2f} s CPU per report (papermill + nbconvert, a new kernel each)")
        print(f"  ratio plain / now: {plain / (worker + kernel):4.1f}x")
    print(f"load average at end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
