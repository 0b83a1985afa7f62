"""Weather and hourly air quality of the synthetic sample season (see :mod:`zzeval.synthetic.sample`).

A synoptic stagnation index drives county meteorology; concentrations follow a log-linear
response to it plus heating, diesel, calendar and noise terms, calibrated to Jincheng's
observed quarterly PM2.5 (CREA). Every parameter here is a simulation setting [A].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from zzeval.season import schema
from zzeval.season.data import SeasonPeriod
from zzeval.synthetic.sample_tables import (
    CREA_JINCHENG_PM25_OBSERVED_UGM3,
    INDUSTRIAL,
    POLLUTANTS,
    QUARTERS,
    RETROFIT_EFFICACY,
    SEASONS,
    SPRING_FESTIVAL_EVES,
    _rng,
)

# --------------------------------------------------------------------------------------
# Air-quality generator parameters [A]: synthetic, chosen for plausibility, not sourced.
# --------------------------------------------------------------------------------------

#: Two-season county means the non-calibrated pollutants are scaled to (µg/m³; CO mg/m³).
#: PM10 is scaled through its coarse part to PM10/PM2.5 = COARSE_RATIO + 1.
POLLUTANT_MEAN = {"SO2": 26.0, "NO2": 33.0, "CO": 1.35, "O3": 40.0}
COARSE_RATIO = 0.72

#: Per-pollutant model parameters ("PMc" is the coarse part PM10 − PM2.5):
#: heat: share s_p of household coal heating in the emissions at full heating demand;
#: diesel: share d_p of heavy-diesel freight; met: k_p, sensitivity to the met term m(t);
#: regional: R_p, county-wide change in 2020-2021 (%); fireworks / holiday: log multipliers;
#: noise: sd of the pollutant-specific AR(1) noise.
POLLUTANT_PARAMS = {
    "PM2.5": dict(heat=0.45, diesel=0.08, met=1.00, regional=-2.5, fireworks=1.3,
                  holiday=-0.08, noise=0.16),
    "PMc": dict(heat=0.25, diesel=0.10, met=0.55, regional=-3.0, fireworks=1.0,
                holiday=-0.15, noise=0.20),
    "SO2": dict(heat=0.60, diesel=0.01, met=0.70, regional=-6.0, fireworks=0.9,
                holiday=-0.05, noise=0.20),
    "NO2": dict(heat=0.12, diesel=0.30, met=0.60, regional=-2.0, fireworks=0.2,
                holiday=-0.25, noise=0.16),
    "CO": dict(heat=0.50, diesel=0.06, met=0.80, regional=-3.0, fireworks=0.4,
               holiday=-0.08, noise=0.14),
    "O3": dict(heat=0.0, diesel=0.0, met=-0.50, regional=0.0, fireworks=0.0,
               holiday=0.05, noise=0.22),
}

#: Met term coefficients (log-concentration per unit): −a_ws ln(ws/2 m/s) − a_blh ln(blh/600 m)
#: + a_rh (rh − 55 %) − a_wash (1 − exp(−P6/2 mm)), P6 = precipitation of the last 6 h.
MET_COEF = dict(a_ws=0.35, a_blh=0.30, a_rh=0.012, a_wash=0.35)
#: Response of the covariates to the synoptic stagnation index x: ws, blh ∝ exp(−c x); rh + c x.
STAGNATION_RESPONSE = dict(ws=0.45, blh=0.50, rh=10.0)
#: Mean gap between stagnation episodes (days) per month, 2019-2020; 2020-2021 gaps × 1.35.
EPISODE_GAP_DAYS = {10: 5.0, 11: 3.0, 12: 2.5, 1: 2.5, 2: 3.0, 3: 4.5}
EPISODE_GAP_FACTOR_2021 = 1.35
#: Episode amplitude (stagnation-index units): Gamma(shape, scale), clipped at max.
EPISODE_AMPLITUDE = dict(shape=3.0, scale=0.4, max=2.2)
#: Soft ceiling of hourly PM2.5 and PM10 (µg/m³) outside the planted 爆表 hours.
PM25_SOFT_CAP = (350.0, 140.0)  # c' = a + b tanh((c − a)/b) above a
PM10_SOFT_CAP = (480.0, 100.0)
#: The planted 爆表 (PM2.5 > 500 µg/m³, AQI > 500): station of 巴公镇, Spring Festival night 2020.
BAOBIAO_HOURS = (("bagong", "2020-01-25 00:00", 517.0), ("bagong", "2020-01-25 01:00", 506.0))
#: The multi-day outage planted for the data-validity rules (station of 李寨乡).
OUTAGE_MULTIDAY = ("lizhai", "2020-12-09 11:00", "2020-12-15 16:00")
#: Share of station-hours missing at random (all pollutants), and single-pollutant gaps.
MISSING_HOUR_SHARE = 0.012
MISSING_VALUE_SHARE = 0.004


@dataclass
class _Timeline:
    times: pd.DatetimeIndex
    text: np.ndarray  # "YYYY-MM-DD HH:MM"
    season: np.ndarray  # 0 = 2019-2020, 1 = 2020-2021
    quarter: np.ndarray  # index into QUARTERS
    month: np.ndarray
    hour: np.ndarray
    dow: np.ndarray
    doy: np.ndarray


def _timeline() -> _Timeline:
    parts = []
    for s in SEASONS:
        p = SeasonPeriod(s)
        parts.append(pd.date_range(p.start, p.end_exclusive - pd.Timedelta(hours=1), freq="h"))
    times = parts[0].append(parts[1])
    season = np.repeat([0, 1], [len(parts[0]), len(parts[1])])
    month = times.month.to_numpy()
    quarter = 2 * season + (month <= 3)
    return _Timeline(times, np.asarray(times.strftime("%Y-%m-%d %H:%M"), dtype=object),
                     season, quarter, month, times.hour.to_numpy(), times.day_of_week.to_numpy(),
                     times.day_of_year.to_numpy())


def _ar1(rng: np.random.Generator, shape, phi: float, sd: float) -> np.ndarray:
    """Stationary AR(1) along axis 0 with marginal standard deviation ``sd``."""
    e = rng.standard_normal(shape) * sd * np.sqrt(1 - phi**2)
    e[0] = e[0] / np.sqrt(1 - phi**2)
    return lfilter([1.0], [1.0, -phi], e, axis=0)


def _t_clim(tl: _Timeline) -> np.ndarray:
    """Climatological daily temperature, °C (Jincheng-like: Jan ≈ −3.5, Jul ≈ 23.5) [A]."""
    return 10.0 - 13.5 * np.cos(2 * np.pi * (tl.doy - 20) / 365.25)


def _heating_demand(tl: _Timeline) -> np.ndarray:
    """Climatological household heating demand h(t) ∈ [0, 1] (degree-day shape) [A]."""
    return np.clip((12.0 - _t_clim(tl)) / 14.0, 0.0, 1.0)


@dataclass
class _Weather:
    x_base: np.ndarray
    episodes: np.ndarray  # (4, T): the episodes peaking in each quarter
    front: np.ndarray
    ws_clim: np.ndarray
    blh_clim: np.ndarray
    rh_clim: np.ndarray
    eps_ws: np.ndarray
    eps_blh: np.ndarray
    eps_rh: np.ndarray
    precip: np.ndarray
    washout: np.ndarray
    temp_no_x: np.ndarray
    wd_noise: np.ndarray
    wd_u: np.ndarray
    pressure_no_x: np.ndarray


def _weather(tl: _Timeline, seed: int) -> _Weather:
    rng = _rng(seed, "weather")
    n = len(tl.times)
    hour, month = tl.hour, tl.month
    x_base = _ar1(rng, n, 0.985, 0.45)
    episodes = np.zeros((4, n))
    front = np.zeros(n)
    hours = np.arange(n)
    for s in (0, 1):
        idx = np.flatnonzero(tl.season == s)
        a, b = idx[0], idx[-1] + 1
        fac = 1.0 if s == 0 else EPISODE_GAP_FACTOR_2021
        t = a + rng.exponential(24 * EPISODE_GAP_DAYS[10] * fac / 2)
        while t < b:
            dur = float(np.clip(rng.gamma(4.0, 18.0), 30, 200))  # hours
            amp = min(rng.gamma(EPISODE_AMPLITUDE["shape"], EPISODE_AMPLITUDE["scale"]),
                      EPISODE_AMPLITUDE["max"])
            peak = t + 0.85 * dur
            end = t + dur
            sel = (hours >= t) & (hours < min(end, b))
            h = hours[sel]
            shape = np.where(h < peak, (h - t) / (peak - t), 1 - (h - peak) / (end - peak))
            q = tl.quarter[min(int(peak), b - 1)]
            episodes[q, sel] += amp * np.sin(0.5 * np.pi * np.clip(shape, 0, 1)) ** 2
            fsel = (hours >= end) & (hours < min(end + 36, b))
            front[fsel] += np.exp(-(hours[fsel] - end) / 12.0) * (0.6 + 0.4 * min(amp, 2.0))
            mon = tl.month[min(int(end), b - 1)]
            t = end + rng.exponential(24 * EPISODE_GAP_DAYS[mon] * fac)
    # climatologies [A]
    ws_month = {10: 2.2, 11: 2.1, 12: 2.0, 1: 2.0, 2: 2.3, 3: 2.8}
    ws_clim = np.array([ws_month[m] for m in month]) * (1 + 0.35 * np.cos(2 * np.pi * (hour - 15) / 24))
    blh_day = {10: 1300, 11: 1000, 12: 850, 1: 850, 2: 1050, 3: 1450}
    day = np.array([blh_day[m] for m in month])
    diurnal = np.clip(np.sin(np.pi * (hour - 7) / 11), 0, None)  # 07..18 h
    blh_clim = 320 + (day - 320) * diurnal
    rh_month = {10: 68, 11: 60, 12: 55, 1: 52, 2: 55, 3: 50}
    rh_clim = np.array([rh_month[m] for m in month]) + 10 * np.cos(2 * np.pi * (hour - 4) / 24)
    eps_ws = _ar1(rng, n, 0.8, 0.25)
    eps_blh = _ar1(rng, n, 0.8, 0.2)
    eps_rh = _ar1(rng, n, 0.9, 6.0)
    # precipitation: events of 3–10 h; more in Oct and Mar, little in the dry winter [A]
    prng = _rng(seed, "precip")
    p_day = {10: 0.16, 11: 0.10, 12: 0.05, 1: 0.05, 2: 0.07, 3: 0.12}
    mm_hour = {10: 1.0, 11: 0.6, 12: 0.3, 1: 0.3, 2: 0.4, 3: 0.7}
    precip = np.zeros(n)
    day_starts = np.flatnonzero(tl.hour == 0)
    wet = day_starts[prng.uniform(size=day_starts.size) < np.array([p_day[m] for m in month[day_starts]])]
    for d0 in wet:
        start = d0 + prng.integers(0, 24)
        length = prng.integers(3, 11)
        sl = slice(start, min(start + length, n))
        k = sl.stop - sl.start
        precip[sl] += prng.gamma(1.2, mm_hour[month[d0]] / 1.2, k)
    precip = np.round(precip, 1)
    cs = np.concatenate([[0.0], np.cumsum(precip)])
    p6 = cs[1:] - cs[np.maximum(np.arange(n) - 5, 0)]
    washout = 1 - np.exp(-p6 / 2.0)
    amp_t = {10: 6.0, 11: 6.0, 12: 5.0, 1: 5.0, 2: 6.0, 3: 7.0}
    temp_no_x = (_t_clim(tl) + np.array([amp_t[m] for m in month])
                 * np.cos(2 * np.pi * (hour - 15) / 24) + _ar1(rng, n, 0.995, 3.0) - 4.0 * front)
    wd_noise = rng.normal(0, 1, n)
    wd_u = rng.uniform(size=n)
    pressure_no_x = (918.0 + 7.0 * np.cos(2 * np.pi * (tl.doy - 15) / 365.25)
                     + _ar1(rng, n, 0.99, 3.0) + 4.0 * front)
    return _Weather(x_base, episodes, front, ws_clim, blh_clim, rh_clim, eps_ws, eps_blh, eps_rh,
                    precip, washout, temp_no_x, wd_noise, wd_u, pressure_no_x)


def _stagnation(w: _Weather, lam: np.ndarray, sl=slice(None)) -> np.ndarray:
    """The synoptic stagnation index x(t) for episode scale factors ``lam`` (one per quarter)."""
    return w.x_base[sl] + lam @ w.episodes[:, sl] - 1.0 * w.front[sl]


def _covariates(w: _Weather, x: np.ndarray, sl=slice(None)) -> dict[str, np.ndarray]:
    r = STAGNATION_RESPONSE
    ws = np.clip(w.ws_clim[sl] * np.exp(-r["ws"] * x + w.eps_ws[sl]), 0.1, 20.0)
    blh = np.clip(w.blh_clim[sl] * np.exp(-r["blh"] * x + w.eps_blh[sl]), 50.0, 4000.0)
    rh = np.clip(w.rh_clim[sl] + r["rh"] * x + w.eps_rh[sl], 8.0, 100.0)
    rh = np.where(w.precip[sl] > 0, np.maximum(rh, 85.0), rh)
    return {"ws": ws, "blh": blh, "rh": rh, "washout": w.washout[sl]}


def _met_term(cov: dict[str, np.ndarray]) -> np.ndarray:
    c = MET_COEF
    return (-c["a_ws"] * np.log(cov["ws"] / 2.0) - c["a_blh"] * np.log(cov["blh"] / 600.0)
            + c["a_rh"] * (cov["rh"] - 55.0) - c["a_wash"] * cov["washout"])


def _meteorology_table(tl: _Timeline, w: _Weather, lam: np.ndarray) -> pd.DataFrame:
    x = _stagnation(w, lam)
    cov = _covariates(w, x)
    # NW winds when ventilated, weak variable (mostly southerly) winds in stagnation [A]
    p_nw = 1 / (1 + np.exp(2.5 * (x - 0.3)))
    wd = np.where(w.wd_u < p_nw, 315 + 25 * w.wd_noise, 160 + 70 * w.wd_noise)
    return pd.DataFrame({
        "datetime": tl.text,
        "station_code": "county",
        "temperature_c": np.round(w.temp_no_x + 1.2 * np.clip(x, 0, None), 1),
        "rh_pct": np.round(cov["rh"]).astype(np.int64),
        "wind_speed_ms": np.round(cov["ws"], 1),
        "wind_dir_deg": np.mod(np.round(wd), 360).astype(np.int64),
        "pressure_hpa": np.round(np.clip(w.pressure_no_x - 0.8 * x, 895, 945), 1),
        "precip_mm": w.precip,
        "blh_m": np.round(cov["blh"]).astype(np.int64),
    })


# --------------------------------------------------------------------------------------
# Township drivers of the planted effect
# --------------------------------------------------------------------------------------


def _ramp(tl: _Timeline, start: pd.Timestamp, days: float) -> np.ndarray:
    dt = (tl.times - start) / pd.Timedelta(days=1)
    return np.clip(np.asarray(dt, dtype=float) / days, 0.0, 1.0)


def _heating_intensity(tl: _Timeline, tw: pd.DataFrame, retro: pd.DataFrame) -> np.ndarray:
    """I_i(t): share of households whose coal heating was replaced by t, efficacy-weighted.

    A batch ramps in over 7 days from its completion date (rows without a date have no
    households done). Zero in 2019-2020.
    """
    n_t = len(tl.times)
    out = np.zeros((n_t, len(tw)))
    pos = {s: i for i, s in enumerate(tw["slug"])}
    cache: dict[str, np.ndarray] = {}
    for r in retro.itertuples(index=False):
        if not r.completion_date or r.households_done <= 0:
            continue
        d = r.completion_date
        if d not in cache:
            cache[d] = _ramp(tl, pd.Timestamp(d), 7.0) * (tl.season == 1)
        out[:, pos[r.township]] += RETROFIT_EFFICACY[r.retrofit_type] * r.households_done * cache[d]
    return np.clip(out / tw["households"].to_numpy()[None, :], 0.0, 1.0)


#: Relative per-vehicle emissions of diesel trucks by standard (for the scrappage effect) [A].
_TRUCK_WEIGHT = {"China0": 12.0, "China1": 10.0, "China2": 8.0, "China3": 5.0, "China4": 2.5,
                 "China5": 1.5, "China6": 0.3, "NEV": 0.0}
#: Background bulk road freight of a township that is not in the freight table, t/yr [A].
_BACKGROUND_ROAD_T = 1.0e6


def _diesel_reduction(tl: _Timeline, tw: pd.DataFrame, freight: pd.DataFrame,
                      veh: pd.DataFrame) -> np.ndarray:
    """r_i(t): reduction of heavy-diesel activity, 0.7 × road→rail + 0.3 × scrappage [A].

    Road→rail: tonnes shifted over (road tonnes before + background 1 Mt/yr), ramping in over
    30 days from the siding date (from 2020-10-01 if the siding is older or absent).
    Scrappage: emission-weighted share of the diesel truck fleet removed net of China VI
    replacements, ramping in linearly from 2020-10-01 to 2020-12-31 (plan deadline).
    """
    pos = {s: i for i, s in enumerate(tw["slug"])}
    n = len(tw)
    shift = np.zeros((len(tl.times), n))
    road0 = np.full(n, _BACKGROUND_ROAD_T)
    for r in freight.itertuples(index=False):
        road0[pos[r.township]] += r.road_t_before
    for r in freight.itertuples(index=False):
        start = max(pd.Timestamp(r.siding_date or "2020-10-01"), pd.Timestamp("2020-10-01"))
        i = pos[r.township]
        shift[:, i] += (max(r.road_t_before - r.road_t_after, 0) / road0[i]
                        * _ramp(tl, start, 30.0) * (tl.season == 1))
    trucks = veh[veh["vehicle_class"].str.endswith("truck")]
    w = trucks["emission_standard"].map(_TRUCK_WEIGHT)
    before = (trucks["fleet_before"] * w).groupby(trucks["township"]).sum()
    removed = ((trucks["scrapped"] * w - trucks["replaced_china6"] * _TRUCK_WEIGHT["China6"])
               .groupby(trucks["township"]).sum())
    scrap = (removed / before).reindex(tw["slug"]).fillna(0.0).to_numpy()
    ramp = _ramp(tl, pd.Timestamp("2020-10-01"), 91.0) * (tl.season == 1)
    return np.clip(0.7 * shift + 0.3 * scrap[None, :] * ramp[:, None], 0.0, 1.0)


def _township_effects(tw: pd.DataFrame, seed: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Log baselines b_ip by pollutant and met sensitivities k_i [A].

    Each township row draws from its own random stream, so the 17 real townships get the same
    values whatever the number of synthetic townships added.
    """
    cls = tw["class"].to_numpy()
    ind = tw["slug"].isin(INDUSTRIAL).to_numpy().astype(float)
    n = len(tw)
    z = np.array([_rng(seed, "township", i).standard_normal(7) for i in range(n)]).reshape(n, 7)

    def by_class(d):
        return np.array([d[c] for c in cls])

    pm = by_class({"urban": 0.12, "fringe": 0.06, "rural": 0.0, "mountain": -0.15}) + 0.05 * ind
    base = {
        "PM2.5": pm + 0.05 * z[:, 0],
        "PMc": pm + 0.05 * ind + 0.06 * z[:, 1],
        "SO2": by_class({"urban": 0.15, "fringe": 0.05, "rural": 0.0, "mountain": -0.2})
        + 0.15 * ind + 0.08 * z[:, 2],
        "NO2": by_class({"urban": 0.25, "fringe": 0.2, "rural": 0.0, "mountain": -0.3})
        + 0.06 * z[:, 3],
        "CO": by_class({"urban": 0.1, "fringe": 0.05, "rural": 0.0, "mountain": -0.1})
        + 0.05 * ind + 0.05 * z[:, 4],
        "O3": by_class({"urban": -0.08, "fringe": -0.05, "rural": 0.0, "mountain": 0.1})
        + 0.04 * z[:, 5],
    }
    k = 1.0 + 0.04 * z[:, 6]
    return base, k


def _cycles(tl: _Timeline) -> dict[str, np.ndarray]:
    """Log-additive emission cycles G_p(t) (diurnal, weekday, Spring Festival, O3 photochemistry)."""
    h = tl.hour.astype(float)
    traffic = np.exp(-((h - 8) ** 2) / 4) + np.exp(-((h - 18.5) ** 2) / 5)
    heat_eve = np.exp(-((h - 20) ** 2) / 6) + 0.6 * np.exp(-((h - 7) ** 2) / 4)
    fumig = np.exp(-((h - 11) ** 2) / 8)
    weekend = (tl.dow >= 5).astype(float)
    fw = np.zeros(len(h))
    hol = np.zeros(len(h))
    for eve in SPRING_FESTIVAL_EVES:
        e = pd.Timestamp(eve)
        hours_from = np.asarray((tl.times - e) / pd.Timedelta(hours=1), dtype=float)
        fw += np.exp(-(((hours_from - 24.5) / 2.5) ** 2)) + 0.3 * np.exp(-(((hours_from - 31) / 1.5) ** 2))
        d = hours_from / 24
        hol += np.where((d >= 0) & (d < 7), 1.0, np.where((d >= 7) & (d < 15), (15 - d) / 8, 0.0))
    photo_amp = {10: 0.75, 11: 0.55, 12: 0.45, 1: 0.45, 2: 0.55, 3: 0.75}
    photo_month = {10: 0.35, 11: -0.1, 12: -0.3, 1: -0.25, 2: 0.0, 3: 0.3}
    photo = (np.array([photo_amp[m] for m in tl.month]) * np.cos(2 * np.pi * (h - 15) / 24)
             + np.array([photo_month[m] for m in tl.month]))
    out = {
        "PM2.5": 0.06 * traffic + 0.10 * heat_eve - 0.01 * weekend,
        "PMc": 0.10 * traffic - 0.03 * weekend,
        "SO2": 0.08 * heat_eve + 0.12 * fumig,
        "NO2": 0.18 * traffic - 0.05 * weekend,
        "CO": 0.10 * traffic + 0.10 * heat_eve - 0.04 * weekend,
        "O3": photo,
    }
    for p, g in out.items():
        par = POLLUTANT_PARAMS[p]
        out[p] = g + par["fireworks"] * fw + par["holiday"] * hol
    return out


@dataclass
class _Model:
    """Everything the latent concentrations of a set of townships need except the met term."""

    tl: _Timeline
    h: np.ndarray
    cycles: dict[str, np.ndarray]
    base: dict[str, np.ndarray]
    k: np.ndarray
    heat_i: np.ndarray  # (T, n)
    diesel_r: np.ndarray  # (T, n)
    rows: np.ndarray  # township row numbers of this model (for noise streams)


def _noise(seed: int, rows: np.ndarray, n_t: int) -> dict[str, np.ndarray]:
    """AR(1) noise per township (independent stream per township row): η + ν_p, (T, n)."""
    out = {p: np.empty((n_t, rows.size)) for p in POLLUTANT_PARAMS}
    for j, i in enumerate(rows):
        rng = _rng(seed, "noise", int(i))
        eta = _ar1(rng, n_t, 0.96, 0.22)
        for p, par in POLLUTANT_PARAMS.items():
            out[p][:, j] = eta * (0.5 if p == "O3" else 1.0) + _ar1(rng, n_t, 0.85, par["noise"])
    return out


def _latent(md: _Model, noise: dict[str, np.ndarray], m: np.ndarray, p: str,
            treated: bool = True, sl=slice(None)) -> np.ndarray:
    """Unscaled latent concentration (T_sl, n) of pollutant (or part) ``p``."""
    par = POLLUTANT_PARAMS[p]
    h = md.h[sl, None]
    s = par["heat"]
    emis = (1 - s) + s * h
    logc = (md.base[p][None, :] + md.cycles[p][sl, None] + md.k[None, :] * par["met"] * m[:, None]
            + noise[p][sl])
    c = np.exp(logc)
    if treated:
        season2 = (md.tl.season[sl] == 1)[:, None]
        eff = ((1 - s) + s * h * (1 - md.heat_i[sl])) * (1 - par["diesel"] * md.diesel_r[sl])
        eff = eff * np.where(season2, 1 + par["regional"] / 100, 1.0)
        return c * eff
    return c * emis


def _soft_cap(c: np.ndarray, cap: tuple[float, float]) -> np.ndarray:
    a, b = cap
    return np.where(c > a, a + b * np.tanh((c - a) / b), c)


def _calibrate(md: _Model, noise: dict[str, np.ndarray], w: _Weather) -> tuple[np.ndarray, float]:
    """Episode scale factors per quarter and the PM2.5 scale, so that the county-mean quarterly
    PM2.5 of the real townships equals CREA's observed Jincheng figures."""
    tl = md.tl
    target = np.array([CREA_JINCHENG_PM25_OBSERVED_UGM3[q] for q in QUARTERS])
    idx = [np.flatnonzero(tl.quarter == q) for q in range(4)]
    sls = [slice(ix[0], ix[-1] + 1) for ix in idx]
    # the met-free part, evaluated once per quarter
    a_q = []
    for sl in sls:
        zero = np.zeros(sl.stop - sl.start)
        a_q.append(_latent(md, noise, zero, "PM2.5", sl=sl))
    lam = np.ones(4)
    scale = 1.0

    def qmean(q: int, lq: float) -> float:
        lam2 = lam.copy()
        lam2[q] = lq
        m = _met_term(_covariates(w, _stagnation(w, lam2, sls[q]), sls[q]))
        c = a_q[q] * np.exp(md.k[None, :] * m[:, None])
        return float(_soft_cap(scale * c, PM25_SOFT_CAP).mean())

    for _ in range(4):
        for _ in range(2):
            ratio = np.array([qmean(q, lam[q]) for q in range(4)]) / target
            goal = float(np.exp(np.mean(np.log(ratio))))
            for q in range(4):
                lo, hi = 0.0, 6.0
                for _ in range(30):
                    mid = 0.5 * (lo + hi)
                    if qmean(q, mid) / target[q] < goal:
                        lo = mid
                    else:
                        hi = mid
                lam[q] = 0.5 * (lo + hi)
        now = np.array([qmean(q, lam[q]) for q in range(4)])
        scale *= float(target.mean() / now.mean())
    return lam, scale


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def _value_text(v: np.ndarray, decimals: int) -> np.ndarray:
    """Fixed formatting of non-negative values: integers, or up to ``decimals`` decimals (at
    least one), e.g. 1.2, 1.25, 0.8."""
    if decimals == 0:
        return np.rint(v).astype(np.int64).astype(str)
    scale = 10**decimals
    iv = np.rint(v * scale).astype(np.int64)
    whole = (iv // scale).astype(str)
    frac = np.char.zfill((iv % scale).astype(str), decimals)
    frac = np.char.rstrip(frac, "0")
    frac = np.where(frac == "", "0", frac)
    return np.char.add(np.char.add(whole, "."), frac)


def _air_quality_chunk(md: _Model, noise, m, scales, tw_chunk: pd.DataFrame, codes, seed: int,
                       rows: np.ndarray) -> tuple[str, list[dict]]:
    """CSV text of the air quality of a chunk of townships, and their planted effects."""
    tl = md.tl
    conc = {}
    untreated = {}
    for p in POLLUTANT_PARAMS:
        conc[p] = _latent(md, noise, m, p) * scales[p]
        untreated[p] = _latent(md, noise, m, p, treated=False) * scales[p]
    pm25 = _soft_cap(conc["PM2.5"], PM25_SOFT_CAP)
    pm10 = _soft_cap(pm25 + conc["PMc"], PM10_SOFT_CAP)
    values = {"PM2.5": pm25, "PM10": pm10, "SO2": conc["SO2"], "NO2": conc["NO2"],
              "CO": conc["CO"], "O3": conc["O3"]}
    # the planted 爆表 hours
    slugs = tw_chunk["slug"].to_numpy()
    for slug, when, val in BAOBIAO_HOURS:
        j = np.flatnonzero(slugs == slug)
        if j.size:
            t = int(np.flatnonzero(tl.text == when)[0])
            values["PM2.5"][t, j] = val
            values["PM10"][t, j] = np.maximum(values["PM10"][t, j], val * 1.08)
    effects = _planted_effects(md, conc, untreated, slugs)
    present = _present_mask(tl, slugs, rows, seed)
    # text, in key order (station, datetime, pollutant)
    floor = {"PM2.5": 2, "PM10": 3, "SO2": 2, "NO2": 2, "CO": 0.1, "O3": 1}
    lines = []
    for j in range(len(slugs)):
        cols = []
        for p in POLLUTANTS:
            unit = schema.POLLUTANT_UNITS[p]
            v = np.maximum(values[p][:, j], floor[p])
            txt = _value_text(v, 2 if p == "CO" else 0)
            cols.append(np.char.add(np.char.add(f",{p},", txt), f",{unit}"))
        block = np.stack(cols, axis=1)  # (T, 6)
        head = np.char.add(f"{codes[j]},", tl.text.astype(str))
        block = np.char.add(head[:, None], block)
        lines.append("\n".join(block[present[:, j, :]].tolist()))
    return "\n".join(x for x in lines if x) + "\n", effects


def _planted_effects(md: _Model, conc: dict, untreated: dict, slugs) -> list[dict]:
    """Planted effects per township and pollutant, from the latent series (before caps and
    rounding): the plan's measures (no regional change), heating only, diesel only, the
    regional change and the total, as season-mean % changes of 2020-2021."""
    s2 = md.tl.season == 1
    par = POLLUTANT_PARAMS
    effects = []
    for p in POLLUTANTS:
        parts = ("PM2.5", "PMc") if p == "PM10" else (p,)
        c0 = sum(untreated[q][s2] for q in parts).sum(axis=0)
        c1 = sum(conc[q][s2] for q in parts).sum(axis=0)
        if p == "PM10":
            c1_noreg = sum(conc[q][s2] / (1 + par[q]["regional"] / 100) for q in parts).sum(axis=0)
        else:
            c1_noreg = c1 / (1 + par[parts[0]]["regional"] / 100)
        # single measures: heating only, diesel only (no regional change)
        heat_only = np.zeros_like(c0)
        diesel_only = np.zeros_like(c0)
        for q in parts:
            s, d = par[q]["heat"], par[q]["diesel"]
            h = md.h[s2, None]
            e0 = (1 - s) + s * h
            heat_only += (untreated[q][s2] * ((1 - s) + s * h * (1 - md.heat_i[s2])) / e0).sum(axis=0)
            diesel_only += (untreated[q][s2] * (1 - d * md.diesel_r[s2])).sum(axis=0)
        for j, slug in enumerate(slugs):
            effects.append(dict(
                township=slug, pollutant=p,
                planted_change_pct=round(100 * (c1_noreg[j] / c0[j] - 1), 2),
                heating_change_pct=round(100 * (heat_only[j] / c0[j] - 1), 2),
                freight_vehicle_change_pct=round(100 * (diesel_only[j] / c0[j] - 1), 2),
                regional_change_pct=round(100 * (c1[j] / c1_noreg[j] - 1), 2),
                total_change_pct=round(100 * (c1[j] / c0[j] - 1), 2),
                heating_intensity=round(float(md.heat_i[-1, j]), 4),
                diesel_reduction=round(float(md.diesel_r[-1, j]), 4),
            ))
    return effects


def _present_mask(tl: _Timeline, slugs, rows: np.ndarray, seed: int) -> np.ndarray:
    """Which (hour, township, pollutant) values are reported: random missing hours and values,
    short outages, the planted multi-day outage; the planted 爆表 hours are always kept."""
    n_t = len(tl.times)
    present = np.ones((n_t, len(slugs), len(POLLUTANTS)), dtype=bool)
    protect = np.zeros((n_t, len(slugs)), dtype=bool)
    for slug, when, _ in BAOBIAO_HOURS:
        j = np.flatnonzero(slugs == slug)
        if j.size:
            protect[int(np.flatnonzero(tl.text == when)[0]), j] = True
    for j, i in enumerate(rows):
        rng = _rng(seed, "gaps", int(i))
        present[rng.uniform(size=n_t) < MISSING_HOUR_SHARE, j, :] = False
        present[:, j, :] &= rng.uniform(size=(n_t, len(POLLUTANTS))) >= MISSING_VALUE_SHARE
        for _ in range(rng.poisson(2.0)):
            start = int(rng.integers(0, n_t - 30))
            present[start:start + int(rng.integers(3, 31)), j, :] = False
        if slugs[j] == OUTAGE_MULTIDAY[0]:
            a = int(np.flatnonzero(tl.text == OUTAGE_MULTIDAY[1])[0])
            b = int(np.flatnonzero(tl.text == OUTAGE_MULTIDAY[2])[0])
            present[a:b + 1, j, :] = False
        present[protect[:, j], j, :] = True
    return present
