"""Build pipeline benchmark (issue 6): ratios measured in the same run on this machine.

1. Full build of the sample season (``zzeval build``, fresh output folder, evaluation included)
   against the plain loop: ``papermill`` then ``jupyter nbconvert --to html --no-input``, one
   township after another, same notebook and parameters (``results_path`` empty, so each notebook
   evaluates the season itself, as a plain notebook would). Goal: >= 5x.
2. A rebuild with nothing changed, as a whole ``zzeval build`` process and in-process. Goal: < 1 s.
3. A synthetic province-size season (``zzeval.synthetic.sample.write_sample(n_townships=N)``) built with the
   Dask executor on a local cluster with 1 and 2 workers: townships per minute and the scaling.

Usage: ``python bench/bench_build.py [--plain-townships K] [--province-townships N] [--jobs J]``.
``--plain-townships K`` (default 3) times the plain loop on the first K townships and scales the time to
all of them (said so in the output); 0 times it on every township.
"""

from __future__ import annotations

import argparse
import os
import platform
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


def plain_loop(data: Path, slugs: list[str], out: Path, lang: str = "zh") -> float:
    """papermill then nbconvert, one township after another; returns seconds."""
    nb = ROOT / "notebooks" / "township_report.ipynb"
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    for slug in slugs:
        executed = out / f"{slug}.ipynb"
        subprocess.run([str(BIN / "papermill"), str(nb), str(executed), "-k", "python3", "--cwd",
                        str(nb.parent), "-p", "season", SEASON, "-p", "data_dir", str(data),
                        "-p", "township", slug, "-p", "lang", lang, "-p", "results_path", "",
                        "--no-progress-bar"], check=True, capture_output=True)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                       check=True, capture_output=True)
    return time.monotonic() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plain-townships", type=int, default=3,
                    help="time the plain loop on K townships and scale to all (0: all)")
    ap.add_argument("--province-townships", type=int, default=24)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--skip-province", action="store_true")
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
        if not full_vs_plain(args, data, slugs):
            return 1
    no_change(args, data)
    if not args.skip_province:
        province(args)
    return 0


def full_vs_plain(args, data: Path, slugs: list[str]) -> bool:
    from zzeval.build.builder import build_reports

    t0 = time.monotonic()
    summary = build_reports(data, SEASON, OUT / "zzeval", jobs=args.jobs, quiet=True)
    full = time.monotonic() - t0
    if not summary.ok:
        print(summary.text())
        return False
    k = args.plain_townships or len(slugs)
    plain_k = plain_loop(data, slugs[:k], OUT / "plain")
    plain = plain_k * len(slugs) / k
    note = "" if k == len(slugs) else f" (timed on {k} townships, scaled to {len(slugs)})"
    print(f"full build, {len(slugs)} townships + county + index, {args.jobs} jobs: {full:7.1f} s")
    print(f"plain loop papermill + nbconvert, townships only{note}: {plain:7.1f} s")
    print(f"  ratio plain / zzeval build: {plain / full:5.1f}x   (goal >= 5x)")
    return True


def no_change(args, data: Path) -> None:
    """Rebuild with nothing changed (after one settling build, in case the code changed since)."""
    from zzeval.build.builder import build_reports

    cmd = [str(BIN / "zzeval"), "build", "--data", str(data), "--out", str(OUT / "zzeval"), "--quiet"]
    subprocess.run(cmd, capture_output=True, text=True)
    import resource

    ru0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    cli, ru1 = time.monotonic() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
    cli_cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    t0 = time.monotonic()
    again = build_reports(data, SEASON, OUT / "zzeval", jobs=args.jobs, quiet=True)
    inproc = time.monotonic() - t0
    note = "" if (proc.returncode == 0 and again.fast_path) else \
        f"  WARNING: not a no-change rebuild (exit {proc.returncode}, built {again.built})"
    print(f"no-change rebuild: whole `zzeval build` process {cli:5.2f} s wall, {cli_cpu:5.2f} s CPU; in-process "
          f"{inproc * 1000:5.0f} ms   (goal < 0.5 s busy){note}")


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
