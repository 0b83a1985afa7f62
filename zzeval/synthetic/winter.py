"""An independent generator of two heating seasons, for validating the weather adjustment.

zzeval's weather model (:mod:`zzeval.airquality.weather`) is a log-linear regression of concentration
on same-hour meteorology. This generator shares nothing with that form: concentrations come
from a **two-box model** (:mod:`zzeval.synthetic.winter_box`) driven by a **synoptic
front cycle** (:mod:`zzeval.synthetic.winter_met`), so that pollution builds up over
stagnant days (memory), arrives from the polluted region to the south-east (transport),
forms secondary particles faster in humid cold air (nonlinear chemistry), is diluted by
an inversion-bound boundary layer whose *observed* height is noisy, and comes from
temperature-driven coal heating, traffic with weekday and holiday cycles, fireworks, dust
plumes and a COVID-19 dip in 2020 that outlasts zzeval's calendar dummy.

Seasons and scenarios
---------------------
The previous season (2019-10-01 .. 2020-03-31) always has the reference climate
(:meth:`Climate.dirtiness` ``d = 0``); the current season (2020-10-01 .. 2021-03-31) has the
scenario's climate. :data:`SCENARIOS` maps a scenario name — the approximate effect of the
weather alone on county PM2.5, in % — to ``d``; the realised effect of each generated
season is in ``truth.csv``. Concentrations are never scaled to a target.

Truth (``truth.csv``), from simulation with common random numbers
-----------------------------------------------------------------
Each season is simulated twice with the same weather and the same random numbers:
the current season **with** and **without** the township measures, the previous season
**with** and **without** the COVID-19 dip. Over the in-season hours of the true
(noise-free) concentrations, per township × pollutant (``county`` = mean of the
townships):

* ``planted_change_pct = 100·(mean C_cur,measures / mean C_cur,no measures − 1)``;
* ``weather_effect_pct = 100·(mean C_cur,no measures / mean C_prev,no COVID − 1)``
  (the weather alone, with the calendar differences between the seasons);
* ``nonplan_change_pct = 100·(mean C_cur,no measures / mean C_prev,as observed − 1)``
  (what the measured change carries besides the plan: weather and the COVID-19 dip).

Township measures ramp in over the current season, with a different size per township:
household coal heating falls linearly from November to January, traffic from mid-October
to December, industry over two weeks in November-December; about a fifth of the townships
have none. Observed concentration = true × lognormal noise (sd 0.1) + rounding, with
random gaps, station outages of days and missing county weather hours.

Run ``python -m zzeval.synthetic.winter OUT --scenario w+20 --seed 1`` to write a season
folder; ``--calibrate`` re-measures the scenario table. All settings are assumptions [A].
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from zzeval.synthetic import winter_box as box
from zzeval.synthetic.winter_met import Climate, Weather, observed_table, simulate_weather

POLLUTANTS = ("PM2.5", "PM10", "SO2", "NO2", "CO", "O3")
UNITS = {p: ("mg/m³" if p == "CO" else "µg/m³") for p in POLLUTANTS}
#: scenario name → dirtiness ``d`` of the current season's climate (previous: d = 0).
#: Measured with ``--calibrate`` (17 townships, seeds 0..7): mean realised county-PM2.5
#: weather effect −16.5, −0.3, +10.9, +19.3, +29.1, +40.4, +84.9 % (sd between seeds 16-33
#: pp: a season's weather is a random draw of its climate; the realised effect of each
#: generated season is in truth.csv).
SCENARIOS = {"w-15": -0.6, "w0": 0.0, "w+10": 0.35, "w+20": 0.67, "w+30": 0.95, "w+40": 1.22,
             "w+85": 2.35}
#: bumped whenever the physics changes: folders of another version are not reused
GENERATOR_VERSION = 2
SPINUP_DAYS = 10
NOISE_SD = 0.10  # multiplicative measurement noise (log sd) [A]


@dataclass
class SimulatedSeasons:
    """Both seasons of one generated case (true values; see the module docstring)."""

    scenario: str
    seed: int
    townships: pd.DataFrame
    weather: dict  # "previous"/"current" -> Weather (spin-up included)
    in_season: dict  # "previous"/"current" -> bool mask of in-season hours
    conc: dict  # (season, run) -> {pollutant: (n_hours, n_townships)} true conc.
    measures: pd.DataFrame
    truth: pd.DataFrame
    climate: dict


def _rng(seed: int, *stream: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), *stream])


def season_times(first_year: int) -> pd.DatetimeIndex:
    """Hourly stamps of a season with its spin-up: (1 Oct − SPINUP_DAYS) .. 31 Mar 23:00."""
    start = pd.Timestamp(first_year, 10, 1) - pd.Timedelta(days=SPINUP_DAYS)
    return pd.date_range(start, pd.Timestamp(first_year + 1, 3, 31, 23), freq="h")


def default_townships(n: int) -> pd.DataFrame:
    """A minimal townships table (slug, class) when no season folder is given."""
    classes = ["urban", "fringe", "rural", "rural", "mountain", "fringe", "rural"]
    return pd.DataFrame({"slug": [f"t{i:02d}" for i in range(n)],
                         "class": [classes[i % len(classes)] for i in range(n)]})


def draw_measures(townships: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Township measures of the current season: size (share of the source removed) and ramp.

    Per township: household coal heating cut 0 or U(0.2, 0.8), ramping linearly from
    1-20 November to 1-15 January; traffic cut 0 (prob. 0.4) or U(0.1, 0.35), from
    15-30 October to 15 December - 5 January; industry cut 0 (prob. 0.5) or U(0.1, 0.5)
    over 14 days starting 1 November - 15 December. About a fifth of the townships (at least
    one when there are two or more) have no measure at all [A].
    """
    n = len(townships)
    rng = _rng(seed, 7)
    u = rng.uniform(0, 1, (n, 12))
    heat = np.where(u[:, 0] < 0.15, 0.0, 0.2 + 0.6 * u[:, 1])
    traffic = np.where(u[:, 2] < 0.4, 0.0, 0.1 + 0.25 * u[:, 3])
    industry = np.where(u[:, 4] < 0.5, 0.0, 0.1 + 0.4 * u[:, 5])
    none = np.zeros(n, bool)
    if n >= 2:
        none[rng.permutation(n)[:max(1, round(0.2 * n))]] = True
    day = pd.Timedelta(days=1)
    m = pd.DataFrame({
        "township": townships["slug"].to_numpy(),
        "coal_cut": np.where(none, 0, heat), "traffic_cut": np.where(none, 0, traffic),
        "industry_cut": np.where(none, 0, industry),
        "coal_start": pd.Timestamp("2020-11-01") + np.round(19 * u[:, 6]) * day,
        "coal_end": pd.Timestamp("2021-01-01") + np.round(14 * u[:, 7]) * day,
        "traffic_start": pd.Timestamp("2020-10-15") + np.round(15 * u[:, 8]) * day,
        "traffic_end": pd.Timestamp("2020-12-15") + np.round(21 * u[:, 9]) * day,
        "industry_start": pd.Timestamp("2020-11-01") + np.round(44 * u[:, 10]) * day})
    m["industry_end"] = m["industry_start"] + 14 * day
    return m


def measure_cuts(times: pd.DatetimeIndex, m: pd.DataFrame) -> dict[str, np.ndarray]:
    """Fraction of each source removed per hour and township, ``(n_hours, n_townships)``."""
    t = times.to_numpy()[:, None]
    out = {}
    for src in ("coal", "traffic", "industry"):
        a = m[f"{src}_start"].to_numpy()[None, :]
        b = m[f"{src}_end"].to_numpy()[None, :]
        ramp = np.clip((t - a) / (b - a), 0, 1)
        out[src] = ramp * m[f"{src}_cut"].to_numpy()[None, :]
    return out


def _multipliers(townships: pd.DataFrame, seed: int) -> np.ndarray:
    """Source multipliers per township (coal, traffic, industry): class × lognormal(0.25)."""
    base = np.array([box.CLASS_MULT.get(c, (1, 1, 1)) for c in townships["class"]], float)
    return base * np.exp(_rng(seed, 5).normal(0, 0.25, base.shape))


def _simulate_season(w: Weather, mult, runs: list[dict]) -> list[dict[str, np.ndarray]]:
    """True concentrations of each run (``covid`` flag and ``cuts``) under one weather."""
    e_reg, e_loc = [], []
    for run in runs:
        act = box.source_activity(w, covid=run["covid"])
        e_reg.append(box.regional_emissions(act))
        e_loc.append(box.local_emissions(act, mult, run["cuts"]))
    _, loc = box.integrate(w, np.stack(e_reg), np.stack(e_loc))
    return [box.observables(w, loc[i]) for i in range(len(runs))]


def simulate(townships: pd.DataFrame | int = 17, scenario: str | float = "w0",
             seed: int = 0) -> SimulatedSeasons:
    """Simulate both seasons (true values and truth table) for one scenario and seed.

    Parameters
    ----------
    townships : DataFrame or int
        Townships table (``slug``, ``class``) or a number of default townships.
    scenario : str or float
        A key of :data:`SCENARIOS`, or a dirtiness ``d`` directly.
    seed : int
        Same seed → same weather noise, measures and multipliers in every scenario.
    """
    tw = default_townships(townships) if isinstance(townships, int) else townships
    tw = tw.reset_index(drop=True)
    d = SCENARIOS[scenario] if isinstance(scenario, str) else float(scenario)
    name = scenario if isinstance(scenario, str) else f"d={d:g}"
    clim = {"previous": Climate.dirtiness(0.0), "current": Climate.dirtiness(d)}
    mult = _multipliers(tw, seed)
    meas = draw_measures(tw, seed)
    weather, mask, conc = {}, {}, {}
    for k, (season, year) in enumerate((("previous", 2019), ("current", 2020))):
        times = season_times(year)
        w = simulate_weather(times, clim[season], _rng(seed, 1, k))
        weather[season] = w
        mask[season] = np.asarray(times >= pd.Timestamp(year, 10, 1))
        if season == "previous":
            runs = [{"covid": True, "cuts": {}}, {"covid": False, "cuts": {}}]
            labels = ["observed", "no_covid"]
        else:
            runs = [{"covid": False, "cuts": measure_cuts(times, meas)},
                    {"covid": False, "cuts": {}}]
            labels = ["observed", "no_measures"]
        for lab, c in zip(labels, _simulate_season(w, mult, runs), strict=True):
            conc[(season, lab)] = c
    truth = _truth(tw, conc, mask, name)
    return SimulatedSeasons(name, seed, tw, weather, mask, conc, meas, truth,
                            {k: v.as_dict() for k, v in clim.items()})


def _truth(tw: pd.DataFrame, conc: dict, mask: dict, scenario: str) -> pd.DataFrame:
    """truth.csv rows: planted, weather and non-plan changes per township × pollutant."""
    def means(season, run, p):
        c = conc[(season, run)][p][mask[season]]
        return np.r_[c.mean(axis=0), c.mean()]  # townships, then county
    rows = []
    names = [*tw["slug"], "county"]
    for p in POLLUTANTS:
        cur, cf = means("current", "observed", p), means("current", "no_measures", p)
        prev, prev0 = means("previous", "observed", p), means("previous", "no_covid", p)
        for i, t in enumerate(names):
            rows.append({"township": t, "pollutant": p,
                         "planted_change_pct": 100 * (cur[i] / cf[i] - 1),
                         "weather_effect_pct": 100 * (cf[i] / prev0[i] - 1),
                         "nonplan_change_pct": 100 * (cf[i] / prev[i] - 1),
                         "scenario": scenario})
    return pd.DataFrame(rows)


def _missing(rng, n_h: int, n_st: int) -> np.ndarray:
    """Missing-hour mask ``(n_hours, n_stations)``: ~2 % random gaps of 1-6 h and on average
    0.7 outages of 2-7 days per station and season [A]."""
    miss = np.zeros((n_h, n_st), bool)
    n_gaps = rng.poisson(n_h / 150, n_st)
    n_out = rng.poisson(0.7, n_st)
    for j in range(n_st):
        for s, ln in zip(rng.integers(0, n_h, n_gaps[j]), rng.integers(1, 7, n_gaps[j]),
                         strict=True):
            miss[s:s + ln, j] = True
        for s, ln in zip(rng.integers(0, n_h, n_out[j]), rng.integers(48, 169, n_out[j]),
                         strict=True):
            miss[s:s + ln, j] = True
    return miss


def observed_air_quality(sim: SimulatedSeasons, stations: pd.DataFrame) -> pd.DataFrame:
    """Long air_quality table of the observed runs: noise, rounding, gaps (one station per
    township: the first listed in ``stations``)."""
    st = stations.drop_duplicates("township").set_index("township")["station_code"]
    codes = st.reindex(sim.townships["slug"]).to_numpy()
    parts = []
    for k, season in enumerate(("previous", "current")):
        w, keep = sim.weather[season], sim.in_season[season]
        rng = _rng(sim.seed, 2, k)
        miss = _missing(rng, int(keep.sum()), len(codes))
        stamps = w.times[keep].strftime("%Y-%m-%d %H:%M").to_numpy()
        for p in POLLUTANTS:
            c = sim.conc[(season, "observed")][p][keep]
            obs = c * np.exp(rng.normal(-NOISE_SD**2 / 2, NOISE_SD, c.shape))
            obs = np.round(np.maximum(obs, 0.1 if p == "CO" else 1.0), 1 if p == "CO" else 0)
            obs[miss | (rng.uniform(0, 1, c.shape) < 0.01)] = np.nan
            ii, jj = np.nonzero(np.isfinite(obs))
            parts.append(pd.DataFrame({"station_code": codes[jj], "datetime": stamps[ii],
                                       "pollutant": p, "value": obs[ii, jj], "unit": UNITS[p]}))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["station_code", "datetime"], kind="stable")


def observed_meteorology(sim: SimulatedSeasons) -> pd.DataFrame:
    """County meteorology of both seasons (observed; ~0.3 % of hours missing)."""
    parts = []
    for k, season in enumerate(("previous", "current")):
        rng = _rng(sim.seed, 3, k)
        keep = sim.in_season[season] & (rng.uniform(0, 1, len(sim.in_season[season])) > 0.003)
        parts.append(observed_table(sim.weather[season], rng, keep))
    return pd.concat(parts, ignore_index=True)


def _write_gz(df: pd.DataFrame, path: Path) -> None:
    with gzip.open(path, "wb", compresslevel=1) as gz:
        gz.write(df.to_csv(index=False, lineterminator="\n").encode("utf-8"))


def sample_tables(n_townships: int, sample_seed: int = 2020, cache_dir=None) -> Path:
    """A folder with ``zzeval sample``'s non-air tables for ``n_townships`` (cached)."""
    from zzeval.synthetic.sample import write_sample  # noqa: PLC0415 (heavy, only when writing)
    root = Path(cache_dir) if cache_dir else Path(tempfile.gettempdir()) / "zzeval_winter_cache"
    d = root / f"sample_{n_townships}_{sample_seed}"
    if not (d / "season.yaml").is_file():
        tmp = root / f"tmp_{n_townships}_{sample_seed}_{np.random.default_rng().integers(1e9)}"
        write_sample(tmp, seed=sample_seed, n_townships=n_townships)
        for f in ("air_quality.csv.gz", "meteorology.csv.gz", "planted_effects.csv"):
            (tmp / f).unlink(missing_ok=True)
        if not (d / "season.yaml").is_file():
            tmp.rename(d)
        else:
            shutil.rmtree(tmp)
    return d


def write_winter_season(out_dir, scenario: str | float = "w0", seed: int = 0,
                        n_townships: int = 17, sample_seed: int = 2020,
                        cache_dir=None) -> SimulatedSeasons:
    """Write a complete season folder (``zzeval validate`` accepts it) and ``truth.csv``.

    The non-air tables (townships, tasks, retrofits, vehicles, freight, dustfall, targets,
    stations) are ``zzeval sample``'s for ``n_townships`` and ``sample_seed``; air_quality
    and meteorology are this generator's; ``season.yaml`` is marked synthetic with the
    generator, scenario, seed and climates.

    Returns
    -------
    SimulatedSeasons
        The simulation (true series and truth), for checks beyond the folder.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    src = sample_tables(n_townships, sample_seed, cache_dir)
    for f in src.iterdir():
        if f.suffix == ".csv":
            shutil.copyfile(f, out / f.name)
    tw = pd.read_csv(out / "townships.csv", dtype=str)
    stations = pd.read_csv(out / "stations.csv", dtype=str)
    sim = simulate(tw, scenario, seed)
    _write_gz(observed_air_quality(sim, stations), out / "air_quality.csv.gz")
    _write_gz(observed_meteorology(sim), out / "meteorology.csv.gz")
    sim.truth.to_csv(out / "truth.csv", index=False, float_format="%.4f")
    meta = yaml.safe_load((src / "season.yaml").read_text(encoding="utf-8"))
    county_w = sim.truth.query("township == 'county' and pollutant == 'PM2.5'")
    meta = {"title": f"泽州县 2020-2021 年秋冬季（合成验证数据 {sim.scenario}） / "
                     f"independent synthetic validation season ({sim.scenario}, SYNTHETIC)",
            "season": meta.get("season", "2020-2021"), "synthetic": True,
            "generator": "zzeval.synthetic.winter", "generator_version": GENERATOR_VERSION,
            "scenario": sim.scenario, "seed": seed,
            "sample_seed": sample_seed, "n_townships": n_townships,
            "weather_effect_pm25_pct": round(float(county_w["weather_effect_pct"].iloc[0]), 2),
            "climate": sim.climate,
            "notes_en": "SYNTHETIC. Air quality and meteorology from the box model of "
                        "zzeval.synthetic.winter; other tables from zzeval sample. "
                        "truth.csv holds the planted township effects and the weather effect."}
    (out / "season.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False),
                                     encoding="utf-8")
    return sim


def calibrate(seeds=range(8), n_townships: int = 17) -> pd.DataFrame:
    """Realised county-PM2.5 weather effect [%] per scenario and seed (no files written)."""
    rows = []
    for name in SCENARIOS:
        for s in seeds:
            t = simulate(n_townships, name, s).truth
            v = t.query("township == 'county' and pollutant == 'PM2.5'")["weather_effect_pct"]
            rows.append({"scenario": name, "seed": s, "weather_effect_pct": float(v.iloc[0])})
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m zzeval.synthetic.winter",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("out", nargs="?", help="season folder to write")
    ap.add_argument("--scenario", default="w0", help=f"one of {', '.join(SCENARIOS)}")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--townships", type=int, default=17)
    ap.add_argument("--calibrate", action="store_true",
                    help="print the realised weather effect per scenario (8 seeds)")
    a = ap.parse_args(argv)
    if a.calibrate:
        c = calibrate(n_townships=a.townships)
        print(c.groupby("scenario", sort=False)["weather_effect_pct"]
              .agg(["mean", "std", "min", "max"]).round(1).to_string())
        return 0
    if not a.out:
        ap.error("give an output folder or --calibrate")
    sim = write_winter_season(a.out, a.scenario, a.seed, a.townships)
    print(sim.truth.query("township == 'county'").round(2).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
