"""Benchmark: Monte Carlo emission estimate vs a single central-estimate pass.

Usage::

    python bench/bench_emissions.py [SEASON_DIR] [--draws N] [--repeat R]

SEASON_DIR defaults to ``data/sample``; when it does not exist or cannot be loaded, a
synthetic 17-township season with every measure is built in memory
(``tests/emissions/season_factory.py``). Prints the best-of-R wall time of
``estimate_season(draws=N)`` (all townships, measures, pollutants; intervals, county sums
and the sensitivity ranking included), of the central pass (``draws=0``) and their ratio.
Goal: Monte Carlo under 1 s for the sample season with 10,000 draws.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from zzeval.emissions import estimate_season  # noqa: E402
from zzeval.emissions.factors import load_factors  # noqa: E402

GOAL_S = 1.0


def _season(path: Path):
    if path.is_dir():
        try:
            from zzeval.season.loading import load_season

            return load_season(path), str(path)
        except Exception as exc:  # noqa: BLE001 — fall back to the synthetic season, say why
            print(f"could not load {path} ({type(exc).__name__}: {exc}); using a synthetic season")
    from tests.emissions.season_factory import synthetic_county

    return synthetic_county(), "synthetic 17-township season (in memory)"


def _best(fn, repeat: int) -> tuple[float, float]:
    """Best wall time and best CPU time (s) over ``repeat`` runs; CPU time is less
    sensitive to other processes on a shared machine."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu


def main(argv=None, figures=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("season_dir", nargs="?", default=str(ROOT / "data" / "sample"))
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    season, label = _season(Path(args.season_dir))
    factors = load_factors()
    estimate_season(season, factors, draws=200)  # warm-up (imports, caches)
    central, central_cpu = _best(lambda: estimate_season(season, factors, draws=0), args.repeat)
    mc, mc_cpu = _best(lambda: estimate_season(season, factors, draws=args.draws), args.repeat)
    n_town = len(season.townships)
    print(f"season: {label}; {n_town} townships, 5 measures, 8 pollutants, 3 scopes")
    print(f"central pass:                {central * 1000:8.1f} ms wall {central_cpu * 1000:8.1f} ms CPU")
    print(f"Monte Carlo ({args.draws:,} draws):  {mc * 1000:8.1f} ms wall {mc_cpu * 1000:8.1f} ms CPU"
          f"   (best of {args.repeat}; goal < {GOAL_S:.0f} s: {'met' if mc < GOAL_S else 'NOT met'})")
    print(f"ratio MC / central (wall):   {mc / central:8.1f}x   "
          f"(per draw: {mc / args.draws * 1e6:.1f} µs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
