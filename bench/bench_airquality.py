"""Time the air-quality evaluation of a full synthetic season (17 townships × 6 pollutants).

Prints the time of each step and, for scale, of one plain statsmodels OLS fit per
township-pollutant on the same design, and the ratio of the weather-adjusted change
(fit, time-blocked CV, block bootstrap, all series) to that baseline. Run: ``python bench/bench_airquality.py``
(or ``make bench``). Uses ``data/sample`` when it loads, else a synthetic season.
"""

from __future__ import annotations

import os
import time

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")  # one BLAS thread: small matrices, shared machine

import numpy as np  # noqa: E402
import statsmodels.api as sm  # noqa: E402


def bench_weather_methods(season, methods=("ols", "gam"), n_boot: int = 200) -> dict:
    """Wall and CPU time of :func:`zzeval.airquality.weather.weather_adjusted_change` per method in the
    same run (``gam``, the default, against the first estimator ``ols``); prints them.

    Returns ``{label: wall seconds}``."""
    from zzeval.airquality.weather import weather_adjusted_change

    out = {}
    for m in methods:
        t, c = time.perf_counter(), time.process_time()
        weather_adjusted_change(season, n_boot=n_boot, method=m)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        print(f"  weather method {m:<4s} n_boot={n_boot}: {wall:6.1f} s wall, {cpu:6.1f} s CPU")
        out[f"weather method {m}, n_boot={n_boot}"] = wall
    if "ols" in methods and len(methods) > 1:
        for m in methods[1:]:
            print(f"  weather method {m} / ols: "
                  f"{out[f'weather method {m}, n_boot={n_boot}'] / out[f'weather method ols, n_boot={n_boot}']:.1f}x")
    return out


def main(argv: list[str] | None = None, figures=None) -> int:
    """Run the benchmark on data/sample; ``argv`` is accepted for ``bench/run_all.py`` (unused)."""
    from zzeval.airquality.airstats import season_statistics
    from zzeval.airquality.aqi import hourly_aqi
    from zzeval.airquality.did import retrofit_did
    from zzeval.airquality.weather import design, township_series, weather_adjusted_change
    from zzeval.synthetic.planted import make_season

    t0 = time.perf_counter()
    try:
        from zzeval.season.loading import load_season

        season = load_season("data/sample")
        src = "data/sample"
    except Exception:  # noqa: BLE001 - the sample may not exist yet
        season, _ = make_season(17, seed=0)
        src = "synthetic (zzeval.synthetic.planted.make_season)"
    t_load = time.perf_counter() - t0
    n_rows = len(season.air_quality)
    timings = {}
    t = time.perf_counter()
    hourly_aqi(season.air_quality)
    timings["hourly AQI (HJ 633)"] = time.perf_counter() - t
    t = time.perf_counter()
    season_statistics(season)
    timings["season statistics"] = time.perf_counter() - t
    for nb in (0, 200):
        t = time.perf_counter()
        res = weather_adjusted_change(season, n_boot=nb)
        timings[f"weather-adjusted change, n_boot={nb}"] = time.perf_counter() - t
    timings.update(bench_weather_methods(season))
    t = time.perf_counter()
    retrofit_did(season, n_boot=999)
    timings["retrofit DiD + event study (999 wild draws)"] = time.perf_counter() - t
    # baseline: one plain OLS per township-pollutant on the same design (previous season)
    tw, _ = township_series(season)
    t = time.perf_counter()
    n_fits = 0
    for _, g in tw.groupby(["township", "pollutant"]):
        g = g.dropna()
        X = design(g)
        X = X.loc[:, X.std() > 0]
        sm.OLS(np.log(np.maximum(g["value"].to_numpy(float), 1.0)),
               sm.add_constant(X.to_numpy())).fit()
        n_fits += 1
    timings[f"baseline: {n_fits} plain OLS fits"] = time.perf_counter() - t
    print(f"season: {src}; {n_rows:,} air-quality rows; loaded in {t_load:.1f} s; "
          f"{len(res)} township×pollutant results")
    for k, v in timings.items():
        print(f"  {k:<48s} {v:7.2f} s")
    base = timings[f"baseline: {n_fits} plain OLS fits"]
    for nb in (0, 200):
        k = f"weather-adjusted change, n_boot={nb}"
        print(f"  {k} / baseline: {timings[k] / base:5.2f}x")
    print(f"  bootstrap block lengths [days]: median {res['block_days'].median():.0f}, "
          f"range {res['block_days'].min():.0f}-{res['block_days'].max():.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
