"""Emissions and the two-box model of the independent winter generator.

Two nested well-mixed boxes are integrated hour by hour for six tracers — primary fine
particles ``PF``, secondary fine particles ``SEC`` (sulfate, nitrate), primary coarse
particles ``PC``, ``SO2``, ``NOX`` (as NO2 mass) and ``CO`` (all µg/m³):

* a **regional** box (the polluted North China Plain, length ``L_REG``), mixed over the
  24-h mean boundary layer and ventilated by the 24-h mean wind towards a clean background.
  Its residence time is days in stagnant weather, hours behind a front: pollution builds
  up over stagnant days and is flushed by fronts;
* a **local** box per township (length ``L_LOC``), mixed over the hourly true boundary
  layer ``H`` and ventilated by the hourly wind towards an inflow that is the regional box
  when the wind blows from the south-east, mostly the clean background when it blows from
  the north-west.

For each box and tracer, over one hour with coefficients held constant,

    dC/dt = E/H + (k_vent + k_ent)(C_in − C) − (k_dep + k_wet·P + k_chem)·C + S_sec,

with ``k_vent = U/L``, ``k_ent = max(0, dH/dt)/H`` (morning entrainment of air from above
the night inversion), ``P`` precipitation [mm/h] and ``S_sec`` the secondary production
``k_chem(RH, T)·(1.5·SO2 + 0.81·NOX)`` (mass yields of sulfate from SO2 and, with half of
it partitioned to particles, of nitrate from NO2). ``k_chem`` grows exponentially with
relative humidity (aqueous and heterogeneous sulfate/nitrate formation in humid haze,
e.g. Cheng et al. 2016 [1]_) and faster at lower temperature (nitrate partitioning). The
equation is solved exactly over each hour (``C ← s/k + (C − s/k)·e^{−k}``), so the
scheme is stable at any wind.

Emissions [µg/(m²·h)] are household coal heating (temperature-driven, morning and
evening peaks, plus district heating from 15 November to 15 March), traffic (rush hours,
weekday factor, less in the Spring Festival holiday), industry and fireworks on the
Spring Festival eve and the Lantern Festival. O3 and the NO2 share of NOX are diagnosed
each hour: ozone mixed down from aloft (more with a deep boundary layer and wind, more
sunshine in late winter, less under thick haze) and titrated by local NOX.

Every number is a simulation setting [A], not an emission factor or an observation.

References
----------
.. [1] Cheng, Y. et al. (2016). Reactive nitrogen chemistry in aerosol water as a source
   of sulfate during haze events in China. Sci. Adv. 2, e1601530.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.synthetic.winter_met import Weather

TRACERS = ("PF", "SEC", "PC", "SO2", "NOX", "CO")
#: emission profile of each source per tracer (relative mass, CO in µg) [A]
PROFILE = {
    "coal": np.array([1.0, 0.0, 0.3, 1.0, 0.6, 30.0]),
    "traffic": np.array([0.25, 0.0, 2.5, 0.03, 5.0, 10.0]),
    "industry": np.array([0.4, 0.0, 1.2, 0.6, 2.0, 12.0]),
    "fireworks": np.array([1.0, 0.0, 0.3, 0.4, 0.05, 5.0]),
}
#: emission strength of each source in a typical township and in the region [µg/(m²·h)] [A]
LOCAL_STRENGTH = {"coal": 1470.0, "traffic": 560.0, "industry": 660.0, "fireworks": 8000.0}
REGIONAL_STRENGTH = {"coal": 125.0, "traffic": 50.0, "industry": 90.0, "fireworks": 800.0}
#: clean north-westerly background [µg/m³] [A]
CLEAN = np.array([6.0, 4.0, 15.0, 4.0, 4.0, 250.0])
K_DEP = np.array([0.004, 0.004, 0.03, 0.01, 0.02, 0.0])  # dry deposition / loss [1/h]
K_WET = np.array([0.25, 0.25, 0.3, 0.15, 0.05, 0.0])  # washout per mm/h of precipitation
L_REG, L_LOC = 400e3, 15e3  # box lengths [m]
#: township class multipliers of the local sources (coal, traffic, industry) [A]
CLASS_MULT = {"urban": (0.8, 2.0, 1.5), "fringe": (1.0, 1.5, 1.2),
              "rural": (1.2, 0.7, 0.8), "mountain": (0.9, 0.4, 0.3)}
#: Spring Festival eve (除夕) of each season
SF_EVE = {2019: pd.Timestamp("2020-01-24"), 2020: pd.Timestamp("2021-02-11")}


def k_chem(rh_pct, t_c) -> np.ndarray:
    """Secondary conversion rate of SO2/NOX to particles [1/h], nonlinear in RH [A]."""
    rh, t = np.asarray(rh_pct, float), np.asarray(t_c, float)
    return np.minimum(0.004 * np.exp(0.07 * (rh - 60)) * np.exp(-0.03 * t), 0.12)


def _gauss(h, mu, sd):
    return np.exp(-0.5 * ((h - mu) / sd) ** 2)


def coal_diurnal(hour) -> np.ndarray:
    """Household stove firing: morning and evening peaks, banked at night (mean 1)."""
    h = np.arange(24)
    p = 0.7 + 0.9 * _gauss(h, 7.5, 1.5) + 1.1 * _gauss(h, 19, 2.0) - 0.3 * (h < 5)
    return (p / p.mean())[np.asarray(hour, int)]


def traffic_diurnal(hour) -> np.ndarray:
    """Traffic: morning and evening rush hours, quiet nights (mean 1)."""
    h = np.arange(24)
    p = 0.25 + 1.2 * _gauss(h, 8, 1.3) + 1.3 * _gauss(h, 18, 1.6) + 0.8 * _gauss(h, 13, 3)
    return (p / p.mean())[np.asarray(hour, int)]


def heating_demand(w: Weather) -> np.ndarray:
    """Heating activity from the trailing 24-h mean temperature, plus district heating."""
    t24 = pd.Series(w.temperature_c).rolling(24, min_periods=1).mean().to_numpy()
    demand = np.clip((15 - t24) / 17, 0.05, 1.6)
    md = w.times.month * 100 + w.times.day
    district = np.asarray((md >= 1115) | (md <= 315), float)
    return demand + 0.3 * district


def calendar_factors(times: pd.DatetimeIndex, covid: bool) -> dict[str, np.ndarray]:
    """Traffic, industry and household factors and fireworks activity per hour.

    Weekday traffic 1.05, Saturday 0.92, Sunday 0.83; Spring Festival holiday (eve − 2 ..
    eve + 8 days) traffic × 0.65, industry × 0.7; fireworks on the eve night and the
    Lantern Festival evening. ``covid``: from 2020-01-24 traffic × 0.45, industry × 0.55,
    households × 1.1 until 10 February, then a linear recovery to normal by 20 April
    (traffic) and 30 April (industry) — longer than zzeval's calendar dummy, which ends on
    29 February [A].
    """
    wd = times.day_of_week.to_numpy()
    traffic = np.select([wd == 5, wd == 6], [0.92, 0.83], 1.05)
    industry = np.ones(len(times))
    house = np.ones(len(times))
    eve = SF_EVE[times[-1].year - 1]
    day = times.normalize()
    rel = ((day - eve).days).to_numpy()
    hol = (rel >= -2) & (rel <= 8)
    traffic = traffic * np.where(hol, 0.65, 1.0)
    industry *= np.where(hol, 0.7, 1.0)
    hours_from_eve = ((times - eve) / pd.Timedelta(hours=1)).to_numpy()
    fireworks = (_gauss(hours_from_eve, 24.0, 2.5) + 0.3 * _gauss(hours_from_eve, 24 * 15 - 3, 2)
                 + 0.15 * _gauss(hours_from_eve, 24 + 9, 2))
    if covid:
        t = ((times - pd.Timestamp("2020-01-24")) / pd.Timedelta(days=1)).to_numpy()
        def dip(depth, end_day):
            rec = np.clip((t - 17) / (end_day - 17), 0, 1)
            return np.where(t < 0, 1.0, 1 - depth * (1 - rec))
        traffic = traffic * dip(0.55, 87)
        industry = industry * dip(0.45, 97)
        house = house * np.where((t >= 0) & (t < 17), 1.1, 1.0)
    return {"traffic": traffic, "industry": industry, "house": house, "fireworks": fireworks}


def source_activity(w: Weather, covid: bool) -> dict[str, np.ndarray]:
    """Hourly activity (dimensionless, ~1) of each source before township measures."""
    hour = w.times.hour.to_numpy()
    cal = calendar_factors(w.times, covid)
    return {"coal": heating_demand(w) * coal_diurnal(hour) * cal["house"],
            "traffic": traffic_diurnal(hour) * cal["traffic"],
            "industry": cal["industry"],
            "fireworks": cal["fireworks"]}


def local_emissions(act: dict, mult: np.ndarray, cuts: dict) -> np.ndarray:
    """Local emissions ``(n_hours, n_townships, 6)`` [µg/(m²·h)].

    ``mult`` (n_townships, 3): coal, traffic, industry multipliers; ``cuts``: per source a
    ``(n_hours, n_townships)`` fraction of emissions removed by township measures.
    """
    out = 0.0
    for j, src in enumerate(("coal", "traffic", "industry")):
        a = act[src][:, None] * mult[None, :, j] * (1 - cuts.get(src, 0.0))
        out = out + LOCAL_STRENGTH[src] * a[..., None] * PROFILE[src]
    fw = LOCAL_STRENGTH["fireworks"] * act["fireworks"][:, None, None] * PROFILE["fireworks"]
    return out + fw


def regional_emissions(act: dict) -> np.ndarray:
    """Regional emissions ``(n_hours, 6)`` [µg/(m²·h)] (no township measures)."""
    return sum(REGIONAL_STRENGTH[s] * act[s][:, None] * PROFILE[s] for s in PROFILE)


def _step(c, s, k):
    """Exact solution of dc/dt = s − k c over one hour."""
    eq = s / k
    return eq + (c - eq) * np.exp(-k)


def integrate(w: Weather, e_reg: np.ndarray, e_loc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integrate the regional and local boxes.

    Parameters
    ----------
    w : Weather
        True weather (hourly).
    e_reg : ndarray (n_runs, n_hours, 6)
        Regional emissions per run.
    e_loc : ndarray (n_runs, n_hours, n_townships, 6)
        Local emissions per run (runs share the weather: common random numbers).

    Returns
    -------
    (regional (n_runs, n_hours, 6), local (n_runs, n_hours, n_townships, 6)) [µg/m³]
    """
    n_runs, n_h, n_tw, _ = e_loc.shape
    h = w.blh_m
    h_reg = pd.Series(h).rolling(24, min_periods=1).mean().to_numpy()
    u_reg = pd.Series(w.wind_speed_ms).rolling(24, min_periods=1).mean().to_numpy()
    kc = k_chem(w.rh_pct, w.temperature_c)
    loss = K_DEP[None, :] + K_WET[None, :] * w.precip_mm[:, None]
    loss = loss + np.outer(kc, [0, 0, 0, 1, 0.6, 0])
    k_reg = loss + (3600 * u_reg / L_REG)[:, None]
    k_ent = np.maximum(np.diff(h, prepend=h[0]), 0) / h
    k_mix = 3600 * w.wind_speed_ms / L_LOC + 0.03 + k_ent
    k_loc = loss + k_mix[:, None]
    inflow_w = 0.3 + 0.7 * np.clip(np.cos(np.deg2rad(w.wind_dir_deg - 160)), 0, None)
    yields = np.array([0, 0, 0, 1.5, 0.81, 0])
    reg = np.empty((n_runs, n_h, 6))
    loc = np.empty((n_runs, n_h, n_tw, 6))
    r = np.tile(CLEAN * 4, (n_runs, 1))
    c = np.tile(CLEAN * 4, (n_runs, n_tw, 1))
    src_reg = e_reg / h_reg[None, :, None] + (k_reg - loss)[None] * CLEAN
    src_loc = e_loc / h[None, :, None, None]
    sec = np.array([0.0, 1.0, 0, 0, 0, 0])  # secondary production goes to SEC only
    for t in range(n_h):
        r_new = _step(r, src_reg[:, t] + kc[t] * (r @ yields)[:, None] * sec, k_reg[t])
        c_in = CLEAN + inflow_w[t] * (r - CLEAN)
        s = src_loc[:, t] + k_mix[t] * c_in[:, None, :] + kc[t] * (c @ yields)[..., None] * sec
        c = _step(c, s, k_loc[t])
        r = r_new
        reg[:, t] = r
        loc[:, t] = c
    return reg, loc


def observables(w: Weather, loc: np.ndarray) -> dict[str, np.ndarray]:
    """True pollutant concentrations from local tracers ``(..., n_hours, n_townships, 6)``.

    PM2.5 = PF + SEC + 0.25·dust; PM10 = PM2.5 + PC + 0.75·dust; CO in mg/m³;
    NO2 = NOX·(0.45 + 0.45·O3*/(O3* + NOX)); O3 = O3*·exp(−NOX/150), where the ozone
    mixed down ``O3*`` is ``O3_season(doy)·(0.55 + 0.45 H/(H + 400))·(1 + 0.15 min(U, 8)/8)
    ·(1 + 0.6 sun·exp(−PM2.5/200))`` (µg/m³) [A].
    """
    def wx(a):  # hourly weather against (..., n_hours, n_townships)
        return np.asarray(a, float)[:, None]
    dust = wx(w.dust_ugm3)
    pf, sec, pc, so2, nox, co = (loc[..., i] for i in range(6))
    pm25 = pf + sec + 0.25 * dust
    doy = w.times.day_of_year.to_numpy(float)
    o3_season = 60 + 18 * np.cos(2 * np.pi * (doy - 172) / 365.25)
    o3_free = (wx(o3_season * (0.55 + 0.45 * w.blh_m / (w.blh_m + 400))
                  * (1 + 0.15 * np.minimum(w.wind_speed_ms, 8) / 8))
               * (1 + 0.6 * wx(w.sun) * np.exp(-pm25 / 200)))
    return {"PM2.5": pm25, "PM10": pm25 + pc + 0.75 * dust, "SO2": so2,
            "NO2": nox * (0.45 + 0.45 * o3_free / (o3_free + nox)), "CO": co / 1000,
            "O3": o3_free * np.exp(-nox / 150)}
