"""Build pipeline benchmark (issues 6 and 14): ratios measured in the same run on this machine.

1. Full build of the sample season (a whole ``zzeval build`` process, fresh output folder:
   evaluation, 17 township reports, county page, index) against the plain loop: ``papermill``
   then ``jupyter nbconvert --to html --no-input``, one township after another, same notebook and
   parameters (``results_path`` empty, so each notebook evaluates the season itself, as a plain
   notebook does; the plain loop writes no county page or index). Wall and CPU (user + system of
   the process trees). Goal (issue 14): >= 15x.
2. A rebuild with nothing changed, a whole ``zzeval build`` process, 5 times: median wall and CPU.
   Goal: < 0.5 s on a busy machine.
3. With ``--province``: a synthetic province-size season built with the Dask executor on a local
   cluster with 1 and 2 workers (``bench/bench_province.py`` measures the province for issue 14).

Usage: ``python bench/bench_build.py [--plain-townships K] [--rebuilds 5] [--province]``.
``--plain-townships K`` times the plain loop on the first K townships only and scales the time to
all of them: said so in the output, and issue 14's table then does not judge the ratio (a smaller
job than the row names). Default 0: every township.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out" / "build"
SEASON = "2020-2021"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from issue14 import load_now, load_span  # noqa: E402


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed(cmd: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run ``cmd`` to completion: wall seconds, CPU seconds of its process tree, the result."""
    c0, t0 = _children_cpu(), time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return time.monotonic() - t0, _children_cpu() - c0, proc


def plain_loop(data: Path, slugs: list[str], out: Path, lang: str = "zh") -> tuple[float, float]:
    """papermill then nbconvert, one township after another; wall and CPU seconds."""
    nb = ROOT / "notebooks" / "township_report.ipynb"
    out.mkdir(parents=True, exist_ok=True)
    c0, t0 = _children_cpu(), time.monotonic()
    for slug in slugs:
        executed = out / f"{slug}.ipynb"
        subprocess.run([str(BIN / "papermill"), str(nb), str(executed), "-k", "python3", "--cwd",
                        str(nb.parent), "-p", "season", SEASON, "-p", "data_dir", str(data),
                        "-p", "township", slug, "-p", "lang", lang, "-p", "results_path", "",
                        "--no-progress-bar"], check=True, capture_output=True)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                       check=True, capture_output=True)
    return time.monotonic() - t0, _children_cpu() - c0


def main(argv=None, figures=None) -> int:
    """``figures``: issue 14's table (``bench/issue14.py``), given by ``bench/run_all.py``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plain-townships", type=int, default=0,
                    help="time the plain loop on K townships only and scale to all (default 0: all)")
    ap.add_argument("--rebuilds", type=int, default=5, help="unchanged rebuilds timed (median)")
    ap.add_argument("--province", action="store_true", help="also the Dask province build (part 3)")
    ap.add_argument("--province-townships", type=int, default=24)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--skip-full", action="store_true",
                    help="skip part 1 (reuse the build already in bench/out/build/zzeval)")
    args = ap.parse_args(argv)

    from zzeval.season.loading import load_season

    data = ROOT / "data" / "sample"
    slugs = load_season(data, SEASON).slugs
    print(f"== build pipeline benchmark on {machine()}")
    if not args.skip_full:
        if OUT.exists():
            shutil.rmtree(OUT)
        if not full_vs_plain(args, data, slugs, figures):
            return 1
    no_change(args, data, figures)
    if args.province:
        province(args)
    return 0


def _zzeval_build(data: Path, jobs: int, *extra: str) -> list[str]:
    return [str(BIN / "zzeval"), "build", "--data", str(data), "--out", str(OUT / "zzeval"), "--jobs", str(jobs),
            *extra]


def full_vs_plain(args, data: Path, slugs: list[str], figures=None) -> bool:
    load0 = load_now()
    full, full_cpu, proc = timed(_zzeval_build(data, args.jobs, "--quiet"))
    if proc.returncode:
        print(f"the full build failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        return False
    k = args.plain_townships or len(slugs)
    plain_k, plain_cpu_k = plain_loop(data, slugs[:k], OUT / "plain")
    plain, plain_cpu = plain_k * len(slugs) / k, plain_cpu_k * len(slugs) / k
    scaled = k != len(slugs)
    note = f" (timed on {k} of {len(slugs)} townships, scaled)" if scaled else ""
    ratio = plain / full
    print(f"full build, `zzeval build` process, {len(slugs)} townships + county + index, {args.jobs} jobs: "
          f"{full:7.1f} s wall, {full_cpu:7.1f} s CPU")
    print(f"plain loop papermill + nbconvert, {len(slugs)} townships{note}: {plain:7.1f} s wall, "
          f"{plain_cpu:7.1f} s CPU")
    print(f"  ratio plain / zzeval build: {ratio:5.1f}x wall, {plain_cpu / full_cpu:5.1f}x CPU   (goal >= 15x)")
    if figures is not None:
        figures.add("build_vs_plain", f"{ratio:.1f}× wall ({full:,.0f} s vs {plain:,.0f} s; CPU {full_cpu:,.0f} s "
                    f"vs {plain_cpu:,.0f} s, {plain_cpu / full_cpu:.1f}×; {args.jobs} jobs)", None if scaled else ratio,
                    load_span(load0, load_now()),
                    note=f"plain loop timed on {k} of {len(slugs)} townships and scaled" if scaled else "")
    return True


def no_change(args, data: Path, figures=None) -> None:
    """Rebuilds with nothing changed, each a whole ``zzeval build`` process (after one settling build,
    in case the code changed since the last one): the median wall and CPU time."""
    import statistics

    cmd = _zzeval_build(data, args.jobs)
    subprocess.run(cmd, capture_output=True, text=True)
    load0 = load_now()
    walls, cpus, bad = [], [], []
    for _ in range(args.rebuilds):
        wall, cpu, proc = timed(cmd)
        walls.append(wall)
        cpus.append(cpu)
        said = (proc.stdout + proc.stderr).strip()  # the CLI says it on stderr
        if proc.returncode or "nothing to build" not in said:
            bad.append(f"exit {proc.returncode}: {said[-200:]}")
    load = load_span(load0, load_now())
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    warning = f"  WARNING: not a no-change rebuild ({bad[0]})" if bad else ""
    print(f"no-change rebuild, whole `zzeval build` process, median of {len(walls)}: {wall:5.2f} s wall "
          f"({min(walls):.2f}-{max(walls):.2f}), {cpu:5.2f} s CPU ({min(cpus):.2f}-{max(cpus):.2f}); "
          f"load {load}   (goal < 0.5 s busy){warning}")
    if figures is not None:
        figures.add("rebuild", f"{wall:.2f} s wall ({min(walls):.2f}–{max(walls):.2f}); {cpu:.2f} s CPU "
                    f"({min(cpus):.2f}–{max(cpus):.2f}); median of {len(walls)}", None if bad else wall, load,
                    note=f"{len(bad)} of the rebuilds were not no-change rebuilds" if bad else "")


def province(args) -> None:
    """A synthetic province-size season on a local Dask cluster, 1 and 2 workers."""
    from zzeval.build.builder import build_reports
    from zzeval.synthetic.sample import write_sample

    n = args.province_townships
    pdata = OUT / f"province-{n}"
    t0 = time.monotonic()
    write_sample(pdata, seed=2020, n_townships=n)
    gen = time.monotonic() - t0
    rates = {}
    for workers in (1, 2):
        out = OUT / f"province-{n}-w{workers}"
        if workers > 1:  # the shared evaluation is not what is measured here: reuse it
            shutil.copytree(OUT / f"province-{n}-w1" / SEASON / ".cache", out / SEASON / ".cache")
        t0 = time.monotonic()
        s = build_reports(pdata, SEASON, out, jobs=workers, executor="dask", quiet=True)
        total = time.monotonic() - t0
        reports = total - s.evaluation_seconds
        rates[workers] = n / reports * 60
        print(f"province season, {n} townships (generated in {gen:.0f} s), Dask LocalCluster "
              f"{workers} worker(s): {total:6.1f} s total, evaluation {s.evaluation_seconds:5.1f} s, "
              f"{rates[workers]:6.1f} townships/min" + ("" if s.ok else "  (FAILURES)"))
    print(f"  scaling 1 -> 2 workers: {rates[2] / rates[1]:4.2f}x  (townships/min: wall time minus the "
          "shared evaluation; includes loading the season and starting the cluster)")


if __name__ == "__main__":
    sys.exit(main())
