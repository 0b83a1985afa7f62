"""Where the build's evaluation spends its time: serial (the coordinating process) vs parallel
(the per-township tasks), and the 1 → 2 worker speed-up Amdahl's law gives from them (issue 14).

Runs the evaluation as ``zzeval build`` does (the runner started, the season split by station,
then :func:`zzeval.assess.evaluate.evaluate_season` with the tasks on the runner) and records:

* each step of the coordinating process (the split, the county weather fit, the DiD, the
  emission Monte Carlo, ...): its CPU seconds (``time.process_time``: every thread of the
  process, the Dask scheduler's included) and wall seconds;
* each task: its CPU seconds measured inside the worker, its townships, start and end (a task
  of the check and split of a Parquet season, :func:`zzeval.season.township_rows.check_range`:
  its CPU seconds, 0 townships);
* the CPU of the whole process and of its children (the workers: ``RUSAGE_CHILDREN``).

The Amdahl estimate for 2 idle cores takes the serial CPU ``S`` (the coordinating process's CPU
outside its wait for the tasks; its CPU while it waits, ``C``, overlaps the tasks) and the
tasks' CPU ``P``: 1 worker ``S + max(P, C)``, 2 workers ``S + max(P / 2, (P + C) / 2)``. It
leaves out the workers' start (overlapping the split) and any imbalance of the tasks; the
measured wall times of ``bench/bench_province.py`` are the test of it.

Usage: ``python bench/profile_evaluation.py DATA_DIR --runner dask --jobs 1 --work /tmp/x``
(``--runner serial|local|dask``). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path

import zzeval.assess.tasks as tasks_module

_evaluate_batch = tasks_module.evaluate_batch


def timed_batch(batch):
    """:func:`zzeval.assess.tasks.evaluate_batch` with its CPU seconds (in the worker)."""
    c0, t0 = time.process_time(), time.time()
    parts = _evaluate_batch(batch)
    parts[0].__dict__["_profile"] = (time.process_time() - c0, len(batch), t0, time.time(), os.getpid())
    return parts


def _instrument(steps: list) -> list:
    """Wrap the coordinating process's steps; returns the list the tasks' figures go to."""
    import zzeval.airquality.did as did
    import zzeval.airquality.weather as weather
    import zzeval.assess.evaluate as evaluate
    import zzeval.emissions as emissions

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            c0, t0 = time.process_time(), time.monotonic()
            try:
                return fn(*args, **kwargs)
            finally:
                steps.append((name, time.process_time() - c0, time.monotonic() - t0, t0))
        return wrapper

    for module, names in ((tasks_module, ("township_tasks", "_county_weather", "_air_stats", "_township_daily")),
                          (weather, ("pool_series",)), (did, ("retrofit_did",)), (emissions, ("estimate_season",)),
                          (evaluate, ("township_indicators", "task_progress", "apply_rules", "evaluate_season"))):
        for name in names:
            setattr(module, name, timed(name, getattr(module, name)))
    tasks_module.evaluate_batch = timed_batch
    emission_reductions = evaluate.emission_reductions

    def timed_emissions(*args):  # a task on the runner: its CPU measured where it runs
        c0, t0 = time.process_time(), time.time()
        out = emission_reductions(*args)
        out.__dict__["_profile"] = (time.process_time() - c0, 0, t0, time.time(), os.getpid())
        return out

    evaluate.emission_reductions = timed_emissions
    figures: list = []
    in_order = tasks_module._parts_in_order

    def parts_in_order(tasks, runner, series):
        parts = timed("waiting for the tasks (coordinator)", in_order)(tasks, runner, series)
        figures.extend(p.__dict__.pop("_profile") for p in parts if "_profile" in p.__dict__)
        return parts

    tasks_module._parts_in_order = parts_in_order
    return figures


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data")
    ap.add_argument("--runner", default="dask")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--work", type=Path, required=True)
    a = ap.parse_args(argv)
    from zzeval.assess.runners import split_tasks
    from zzeval.season.township_rows import split_season

    shutil.rmtree(a.work, ignore_errors=True)
    steps: list = []
    figures = _instrument(steps)
    e0, t0 = time.time(), time.monotonic()
    load0 = os.getloadavg()[0]
    runner = tasks_module.make_runner(a.runner, a.jobs).start()  # as zzeval build: before the split
    split = split_tasks(runner)
    if split:  # the check and split of a Parquet table as tasks: their CPU is parallel work
        mapper = split["mapper"]

        def timed_mapper(fn, items):
            c1, w1 = time.process_time(), time.monotonic()
            results = mapper(fn, items)
            steps.append(("waiting for the split tasks (coordinator)", time.process_time() - c1,
                          time.monotonic() - w1, w1))
            figures.extend((r["cpu_s"], 0, 0.0, 0.0, 0) for r in results if "cpu_s" in r)
            return results

        split["mapper"] = timed_mapper
    c0, w0 = time.process_time(), time.monotonic()
    season, rows = split_season(a.data, a.work / "rows", **split)
    steps.append(("split_season", time.process_time() - c0, time.monotonic() - w0, w0))
    from zzeval.assess.evaluate import evaluate_season

    result = evaluate_season(season, runner=runner, rows=rows, cache_dir=a.work / "townships")
    emission_figure = result.emissions.__dict__.pop("_profile", None)
    if emission_figure is not None and emission_figure[-1] != os.getpid():  # the Monte Carlo on a worker
        figures.append(emission_figure)
    runner.close()
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    own_cpu = me.ru_utime + me.ru_stime
    wait = sum(c for n, c, *_ in steps if n.startswith("waiting"))
    parallel = sum(f[0] for f in figures)
    serial = own_cpu - wait
    out = {"townships": len(season.slugs), "runner": a.runner, "jobs": a.jobs, "wall_s": time.monotonic() - t0,
           "load_1min": f"{load0:.1f} → {os.getloadavg()[0]:.1f}", "coordinator_cpu_s": own_cpu,
           "workers_cpu_s": kids.ru_utime + kids.ru_stime, "tasks_cpu_s": parallel,
           "serial_cpu_s": serial, "coordinator_cpu_while_waiting_s": wait,
           "amdahl_1_worker_s": serial + max(parallel, wait),
           "amdahl_2_workers_s": serial + max(parallel / 2, (parallel + wait) / 2),
           "steps": [(n, round(c, 2), round(w, 2), round(t - t0, 2)) for n, c, w, t in steps],
           "tasks": [(round(c, 2), n, round(s - e0, 1), round(e - e0, 1), pid) for c, n, s, e, pid in figures]}
    out["amdahl_speedup"] = out["amdahl_1_worker_s"] / out["amdahl_2_workers_s"]
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
