"""Validate a weather adjustment on the independent winter generator.

For each scenario of :data:`zzeval.synthetic.winter.SCENARIOS` and each of ``K`` seeds, a
season folder is written by :func:`zzeval.synthetic.winter.write_winter_season`, loaded
with :func:`zzeval.season.loading.load_season` (the public path, validation included) and given
to a weather-adjustment method (default :func:`zzeval.airquality.weather.weather_adjusted_change`;
any callable ``method(season, pollutants=..., n_boot=..., seed=...)`` returning the same
columns ``township, pollutant, observed_change_pct, adjusted_change_pct,
adjusted_change_low_pct, adjusted_change_high_pct`` can be compared). Its estimates are
joined to ``truth.csv``.

Metrics per scenario × pollutant (``scope = townships``: all township-seasons; ``scope =
county``: the county row of each season; plus rows pooled over the ordinary scenarios
``w-15 … w+30``, :data:`DEFAULT_POOLS`), with ``planted`` the true planted change:

* ``weather_effect_pct`` — mean true weather-alone effect (county row of the pollutant);
* ``share_removed = 1 − Σ e_a·e_m / Σ e_m²`` with ``e_a = adjusted − planted`` and
  ``e_m = measured − planted`` (the non-plan difference: weather and the 2020 COVID-19
  dip): one minus the slope, through the origin, of what the adjustment leaves on what
  the measured change carries. 1 removes all of it, 0 none, < 0 adds to it. A slope rather
  than a ratio of means, so that seasons whose weather was better and seasons whose weather
  was worse do not cancel (pooled rows, the same-climate scenario). Not reported (NaN)
  when ``√mean(e_m²) < 2`` pp (nothing to remove);
* ``bias_pp = mean(adjusted − planted)``, ``rmse_pp = √mean((adjusted − planted)²)``
  [percentage points], and ``bias_measured_pp``, ``rmse_measured_pp`` for the plain
  measured change;
* ``coverage``: share of 95 % intervals containing the planted change, with
  ``coverage_mcse`` its Monte Carlo standard error computed from the spread of the
  per-season coverages (a season = scenario × seed; townships of one season share the
  weather, so they are not independent): ``sd(c_k)/√K``; with one season, the binomial
  ``√(c(1−c)/n)``;
* ``width_median_pp``: median interval width [pp];
* decision metric (PM2.5, townships): ``n_real_cut`` township-seasons whose planted PM2.5
  change is ≤ −10 %; of those, ``n_warn_point`` where the shipped rule
  ``pm25_adjusted_no_gain`` (adjusted PM2.5 change > 0 → warning letter,
  ``zzeval/reference/verdict_rules.yaml``) fires on the point estimate, ``n_warn_interval``
  where it would fire on the interval (lower bound > 0), and ``n_warn_measured`` where
  the measured-change rules fire (``pm25_worse``: > 0 → interview;
  ``pm25_below_target``: > −4 % → warning).

Run ``python -m zzeval.synthetic.weather_validation --seasons 3 --townships 17
--scenarios w-15 w0 w+20 --out table.md``: prints a markdown table, writes it to ``--out``
and the summary and per-township rows as CSV beside it.
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from zzeval.season.loading import load_season
from zzeval.synthetic.winter import (
    GENERATOR_VERSION,
    POLLUTANTS,
    SCENARIOS,
    write_winter_season,
)

DEFAULT_METHOD = "zzeval.airquality.weather:weather_adjusted_change"
#: the shipped warning rule on the adjusted change and the measured-change rules
#: (zzeval/reference/verdict_rules.yaml: pm25_adjusted_no_gain, pm25_worse, pm25_below_target)
ADJ_RULE_THRESHOLD_PCT = 0.0
MEASURED_TARGET_PCT = -4.0
REAL_CUT_PCT = -10.0
MIN_NONPLAN_PP = 2.0


def resolve_method(spec: str | Callable) -> Callable:
    """A method callable from ``"module:function"`` (or a callable, returned as is)."""
    if callable(spec):
        return spec
    mod, _, fn = str(spec).partition(":")
    return getattr(importlib.import_module(mod), fn or "weather_adjusted_change")


def _reusable(folder: Path) -> bool:
    """A folder written by this generator version (with its truth) can be reused."""
    try:
        meta = yaml.safe_load((folder / "season.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    return ((folder / "truth.csv").is_file() and isinstance(meta, dict)
            and meta.get("generator_version") == GENERATOR_VERSION)


def run_case(scenario: str, seed: int, n_townships: int, method=DEFAULT_METHOD,
             workdir=None, n_boot: int = 100, pollutants=POLLUTANTS) -> pd.DataFrame:
    """Generate (or reuse) one season, run the method, join the truth.

    With ``workdir``, the folder ``<workdir>/<scenario>_s<seed>_n<n_townships>`` is kept,
    and reused as is when this generator version wrote it (to compare methods on the same
    seasons); without, the season is written to a temporary folder and deleted.

    Returns
    -------
    DataFrame
        One row per township (and ``county``) × pollutant: the method's estimates,
        ``planted_change_pct, weather_effect_pct, nonplan_change_pct``, ``scenario``,
        ``seed``, ``seconds`` (the method's run time).
    """
    tmp = workdir is None
    root = Path(tempfile.mkdtemp(prefix="zzeval_winter_")) if tmp else Path(workdir)
    folder = root / f"{scenario}_s{seed}_n{n_townships}"
    try:
        if not _reusable(folder):
            write_winter_season(folder, scenario, seed, n_townships,
                                cache_dir=None if tmp else root / "cache")
        truth = pd.read_csv(folder / "truth.csv").drop(columns="scenario")
        season = load_season(folder)
        t0 = time.perf_counter()
        est = resolve_method(method)(season, pollutants=list(pollutants), n_boot=n_boot,
                                     seed=seed)
        secs = time.perf_counter() - t0
    finally:
        if tmp:
            shutil.rmtree(root, ignore_errors=True)
    cols = ["township", "pollutant", "observed_change_pct", "adjusted_change_pct",
            "adjusted_change_low_pct", "adjusted_change_high_pct"]
    out = est[cols].merge(truth, on=["township", "pollutant"], how="inner")
    return out.assign(scenario=scenario, seed=seed, seconds=secs)


def run(scenarios, n_seasons: int, n_townships: int, method=DEFAULT_METHOD, n_boot: int = 100,
        seed0: int = 0, workdir=None, pollutants=POLLUTANTS, log=None) -> pd.DataFrame:
    """:func:`run_case` over scenarios × seeds ``seed0 .. seed0 + n_seasons − 1``.

    ``log``: a callable given one progress line per case (e.g. ``print``), or ``None``.
    """
    parts = []
    for sc in scenarios:
        for k in range(n_seasons):
            t0 = time.perf_counter()
            r = run_case(sc, seed0 + k, n_townships, method, workdir, n_boot, pollutants)
            parts.append(r)
            if log:
                w = r.query("township == 'county' and pollutant == 'PM2.5'")
                log(f"{sc} seed {seed0 + k}: weather effect on county PM2.5 "
                    f"{float(w['weather_effect_pct'].iloc[0]):+.1f} %, method "
                    f"{float(r['seconds'].iloc[0]):.1f} s, case {time.perf_counter() - t0:.1f} s")
    return pd.concat(parts, ignore_index=True)


def _coverage(g: pd.DataFrame) -> tuple[float, float]:
    ok = np.isfinite(g["adjusted_change_low_pct"]) & np.isfinite(g["adjusted_change_high_pct"])
    g = g[ok]
    if not len(g):
        return np.nan, np.nan
    hit = ((g["adjusted_change_low_pct"] <= g["planted_change_pct"])
           & (g["planted_change_pct"] <= g["adjusted_change_high_pct"])).astype(float)
    c = float(hit.mean())
    per = hit.groupby([g["scenario"], g["seed"]]).mean()  # one value per season
    if len(per) >= 2:
        return c, float(per.std(ddof=1) / np.sqrt(len(per)))
    return c, float(np.sqrt(c * (1 - c) / len(hit)))


def _metrics(g: pd.DataFrame) -> dict:
    err = g["adjusted_change_pct"] - g["planted_change_pct"]
    err_m = g["observed_change_pct"] - g["planted_change_pct"]
    cov, mcse = _coverage(g)
    rms_m = float(np.sqrt((err_m**2).mean()))
    slope = float((err * err_m).sum() / (err_m**2).sum()) if rms_m > 0 else np.nan
    return {"n": len(g), "n_seasons": len(g.groupby(["scenario", "seed"])),
            "share_removed": 1 - slope if rms_m >= MIN_NONPLAN_PP else np.nan,
            "bias_pp": float(err.mean()), "rmse_pp": float(np.sqrt((err**2).mean())),
            "bias_measured_pp": float(err_m.mean()), "rmse_measured_pp": rms_m,
            "coverage": cov, "coverage_mcse": mcse,
            "width_median_pp": float((g["adjusted_change_high_pct"]
                                      - g["adjusted_change_low_pct"]).median())}


def _decisions(g: pd.DataFrame) -> dict:
    cut = g[g["planted_change_pct"] <= REAL_CUT_PCT]
    return {"n_real_cut": len(cut),
            "n_warn_point": int((cut["adjusted_change_pct"] > ADJ_RULE_THRESHOLD_PCT).sum()),
            "n_warn_interval": int((cut["adjusted_change_low_pct"] > ADJ_RULE_THRESHOLD_PCT).sum()),
            "n_warn_measured": int((cut["observed_change_pct"] > MEASURED_TARGET_PCT).sum())}


#: scenarios pooled into one more row set: the ordinary range of the issue's goals
DEFAULT_POOLS = {"w-15…w+30": ("w-15", "w0", "w+10", "w+20", "w+30")}


def summarise(res: pd.DataFrame, pools=DEFAULT_POOLS) -> pd.DataFrame:
    """Metrics per scenario × pollutant × scope (see the module docstring).

    ``pools``: ``{name: scenarios}``; each adds rows over the scenarios present in ``res``
    (seasons of different scenarios are distinct clusters in the MCSE).
    """
    rows = []
    groups = [(sc, g) for sc, g in res.groupby("scenario", sort=False)]
    for name, members in (pools or {}).items():
        sub = res[res["scenario"].isin(members)]
        if sub["scenario"].nunique() > 1:
            groups.append((name, sub))
    for sc, gs in groups:
        for p, g in gs.groupby("pollutant", sort=False):
            county = g["township"] == "county"
            cg = g[county]
            base = {"scenario": sc, "pollutant": p,
                    "weather_effect_pct": float(cg["weather_effect_pct"].mean()),
                    "nonplan_change_pct": float(cg["nonplan_change_pct"].mean())}
            row = base | {"scope": "townships"} | _metrics(g[~county])
            row |= _decisions(g[~county]) if p == "PM2.5" else {}
            rows.append(row)
            rows.append(base | {"scope": "county"} | _metrics(cg))
    out = pd.DataFrame(rows)
    order = {s: i for i, s in enumerate([*SCENARIOS, *(pools or {})])}
    out["_o"] = out["scenario"].map(order).fillna(len(order))
    return out.sort_values(["_o", "scope"], ascending=[True, False], kind="stable").drop(
        columns="_o").reset_index(drop=True)


def markdown(summary: pd.DataFrame, scope: str = "townships") -> str:
    """The summary as a markdown table (one scope)."""
    s = summary[summary["scope"] == scope]
    head = ("| scenario | pollutant | weather effect % | share removed | bias pp | RMSE pp "
            "| measured bias pp | measured RMSE pp | coverage ± MCSE | median width pp "
            "| real cuts ≥10 % warned (point / interval / measured) |")
    lines = [head, "|" + "---|" * 11]
    f = "{:+.1f}".format
    for r in s.itertuples(index=False):
        dec = (f"{r.n_warn_point:.0f}/{r.n_warn_interval:.0f}/{r.n_warn_measured:.0f} "
               f"of {r.n_real_cut:.0f}"
               if r.pollutant == "PM2.5" and scope == "townships"
               and np.isfinite(getattr(r, "n_real_cut", np.nan)) else "")
        share = "–" if not np.isfinite(r.share_removed) else f"{r.share_removed:.2f}"
        lines.append(f"| {r.scenario} | {r.pollutant} | {f(r.weather_effect_pct)} | {share} | "
                     f"{f(r.bias_pp)} | {r.rmse_pp:.1f} | {f(r.bias_measured_pp)} | "
                     f"{r.rmse_measured_pp:.1f} | {r.coverage:.2f} ± {r.coverage_mcse:.2f} | "
                     f"{r.width_median_pp:.1f} | {dec} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m zzeval.synthetic.weather_validation",
                                 description="Validate a weather adjustment on the "
                                             "independent winter generator.")
    ap.add_argument("--seasons", type=int, default=3, help="seasons (seeds) per scenario")
    ap.add_argument("--townships", type=int, default=17)
    ap.add_argument("--scenarios", nargs="+", default=list(SCENARIOS),
                    choices=list(SCENARIOS))
    ap.add_argument("--method", default=DEFAULT_METHOD, help="module:function")
    ap.add_argument("--n-boot", type=int, default=100)
    ap.add_argument("--seed0", type=int, default=0)
    ap.add_argument("--pollutants", nargs="+", default=list(POLLUTANTS))
    ap.add_argument("--workdir", help="keep and reuse the generated season folders here")
    ap.add_argument("--out", default="weather_validation.md")
    ap.add_argument("--from-rows", help="re-summarise a .rows.csv of an earlier run")
    a = ap.parse_args(argv)
    if a.from_rows:
        res = pd.read_csv(a.from_rows)
        what = f"Rows of `{a.from_rows}`"
    else:
        res = run(a.scenarios, a.seasons, a.townships, a.method, a.n_boot, a.seed0,
                  a.workdir, a.pollutants, log=lambda line: print(line, flush=True))
        what = (f"Method `{a.method}`, {a.seasons} seasons × {a.townships} townships per "
                f"scenario, {a.n_boot} bootstrap draws")
    summ = summarise(res)
    out = Path(a.out)
    text = (f"{what}.\n\nTownships:\n\n{markdown(summ)}\n\n"
            f"County:\n\n{markdown(summ, 'county')}\n")
    print(text)
    out.write_text(text, encoding="utf-8")
    summ.to_csv(out.with_suffix(".summary.csv"), index=False, float_format="%.4f")
    if not a.from_rows:
        res.to_csv(out.with_suffix(".rows.csv"), index=False, float_format="%.4f")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
