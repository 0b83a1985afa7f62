"""Synoptic weather of a North China heating season, for the independent generator.

One season of hourly weather is built from a **cold-front cycle**: fronts arrive as a renewal
process (gamma-distributed intervals of mean ``front_interval_days``); each brings a strong,
dry, cold north-westerly wind that decays over about a day, a pressure rise and a drop of
dew point. Between fronts the air stagnates: a weak wind from an episode's regime direction
(from the south/south-east, where the polluted North China Plain lies, with probability
``p_south``), dew point rising by ``dew_rise_c_per_day`` (humidity builds up), and a shallow
boundary layer with night inversions. RH follows from temperature and dew point (Magnus
formula), so it has its own diurnal cycle. Precipitation falls mostly ahead of fronts and in
saturated stagnant air. Dust plumes ride some fronts.

The **true** fields drive the box model of :mod:`zzeval.synthetic.winter`; the **observed**
table (:func:`observed_table`) adds instrument noise and, for the boundary-layer height, a
large autocorrelated multiplicative error (a reanalysis BLH is a poor proxy of the mixing
that matters, especially in night inversions).

Every number here is a simulation setting chosen to look like a Jincheng winter
(assumption [A]), not an observation; the point of the generator is a physics whose form
differs from zzeval's regression (memory, transport, nonlinear chemistry), not realism in
detail. The Magnus coefficients (17.62, 243.12 °C) are Sonntag's (1990) [1]_, the form the
WMO guide recommends (as documented by the R package ``bigleaf``, ``Esat.slope``).

References
----------
.. [1] Sonntag, D. (1990). Important new values of the physical constants of 1986, vapour
   pressure formulations based on the ITS-90, and psychrometer formulae.
   Z. Meteorol. 70, 340-344.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

#: fixed number of pre-drawn fronts per season (enough for intervals down to ~1.5 days)
_MAX_FRONTS = 130
#: Magnus coefficients over water (Sonntag 1990)
_MAG_B, _MAG_C = 17.62, 243.12


@dataclass(frozen=True)
class Climate:
    """Synoptic climate of one season (all settings [A]).

    Attributes
    ----------
    front_interval_days : float
        Mean interval between cold fronts [days].
    front_wind_ms : float
        Mean peak north-westerly wind behind a front [m/s].
    stag_wind_ms : float
        Mean wind speed of stagnant episodes [m/s].
    p_south : float
        Probability that a stagnant episode has flow from the south/south-east (0-1).
    dew_rise_c_per_day : float
        Humidity build-up rate: the dew-point depression of the daily mean air shrinks by
        this much per day of stagnation [°C/day] (from 4 + 1.2 °C per m/s of the front's
        peak wind, down to 1 °C).
    t_offset_c : float
        Season temperature anomaly [°C].
    dust_per_season : float
        Expected number of dust plumes in the season.
    """

    front_interval_days: float = 5.5
    front_wind_ms: float = 7.0
    stag_wind_ms: float = 1.7
    p_south: float = 0.35
    dew_rise_c_per_day: float = 2.0
    t_offset_c: float = 0.0
    dust_per_season: float = 3.0

    @classmethod
    def dirtiness(cls, d: float) -> Climate:
        """Climate shifted along one 'dirtiness' axis ``d`` (0 = the reference climate).

        ``d > 0``: fewer and weaker fronts, weaker stagnant winds, more southerly flow, more
        humid and slightly colder; ``d < 0`` the opposite. Concentrations are never scaled:
        they respond through the physics.
        """
        return cls(front_interval_days=5.5 * float(np.exp(0.16 * d)),
                   front_wind_ms=7.0 * float(np.exp(-0.07 * d)),
                   stag_wind_ms=1.7 * float(np.exp(-0.10 * d)),
                   p_south=float(np.clip(0.35 + 0.09 * d, 0.05, 0.9)),
                   dew_rise_c_per_day=2.0 * float(np.exp(0.10 * d)),
                   t_offset_c=-0.3 * d, dust_per_season=3.0)

    def as_dict(self) -> dict:
        return {k: round(float(v), 4) for k, v in asdict(self).items()}


@dataclass
class Weather:
    """True hourly weather of one season (arrays of length ``len(times)``)."""

    times: pd.DatetimeIndex
    temperature_c: np.ndarray
    dewpoint_c: np.ndarray
    rh_pct: np.ndarray
    wind_speed_ms: np.ndarray
    wind_dir_deg: np.ndarray
    pressure_hpa: np.ndarray
    precip_mm: np.ndarray
    blh_m: np.ndarray
    hours_since_front: np.ndarray
    dust_ugm3: np.ndarray
    sun: np.ndarray


def _climatology_t(doy: np.ndarray) -> np.ndarray:
    """Daily mean temperature climatology [°C]: ~14 °C on 1 Oct, −3 °C mid-January [A]."""
    return 11.0 + 14.0 * np.cos(2 * np.pi * (doy - 197) / 365.25)


def _solar(doy: np.ndarray) -> np.ndarray:
    """Relative strength of daytime heating by the sun (0.55 at the winter solstice) [A]."""
    return 0.55 + 0.225 * (1 + np.cos(2 * np.pi * (doy - 172) / 365.25))


def rh_from_dewpoint(t_c, td_c) -> np.ndarray:
    """Relative humidity [%] from temperature and dew point [°C] (Magnus formula)."""
    t_c, td_c = np.asarray(t_c, float), np.asarray(td_c, float)
    return 100 * np.exp(_MAG_B * td_c / (_MAG_C + td_c) - _MAG_B * t_c / (_MAG_C + t_c))


def _fronts(rng, n_h: int, clim: Climate):
    """Front onset hours and peak winds [m/s] (fixed-size draws: common random numbers)."""
    g = rng.gamma(4.0, 1.0 / 4.0, _MAX_FRONTS)
    strength = np.exp(rng.normal(0, 0.25, _MAX_FRONTS))
    first = rng.uniform(0, 1)
    onset = np.cumsum(np.r_[first, g[1:]]) * clim.front_interval_days * 24
    keep = onset < n_h
    return onset[keep].astype(int), clim.front_wind_ms * strength[keep]


def _episodes(onset: np.ndarray, n_h: int):
    """Per-hour index of the current inter-front episode, and hours since its front."""
    idx = np.searchsorted(onset, np.arange(n_h), side="right") - 1  # -1 before 1st front
    since = np.where(idx >= 0, np.arange(n_h) - onset[np.maximum(idx, 0)], 72 + np.arange(n_h))
    return idx, since.astype(float)


def _wind(rng, idx, since, amp, hour, clim: Climate):
    """True wind speed [m/s] and direction [° from] as the sum of a front and an episode wind."""
    n_h = len(idx)
    ep = rng.uniform(0, 1, _MAX_FRONTS + 1)
    ep_dir = np.where(ep < clim.p_south, rng.normal(165, 25, _MAX_FRONTS + 1),
                      rng.uniform(0, 360, _MAX_FRONTS + 1))
    ep_speed = clim.stag_wind_ms * rng.gamma(6.0, 1 / 6.0, _MAX_FRONTS + 1)
    noise = rng.normal(0, 1, (3, n_h))
    j = idx + 1
    a = np.where(idx >= 0, amp[np.maximum(idx, 0)], 0.0)
    front = a * np.exp(-since / 20.0) * (1 + 0.1 * noise[0])
    diurnal = 1 + 0.35 * np.sin(2 * np.pi * (hour - 9) / 24)  # daytime mixing, max ~15 h
    local = ep_speed[j] * diurnal * np.exp(0.25 * noise[1])
    d_loc = np.deg2rad(ep_dir[j] + 35 * np.sin(2 * np.pi * hour / 24) + 20 * noise[2])
    d_fr = np.deg2rad(315.0 + 12 * noise[2])
    u = -front * np.sin(d_fr) - local * np.sin(d_loc)
    v = -front * np.cos(d_fr) - local * np.cos(d_loc)
    speed = np.maximum(np.hypot(u, v), 0.2)
    direction = np.rad2deg(np.arctan2(-u, -v)) % 360
    return speed, direction, ep_dir[j]


def simulate_weather(times: pd.DatetimeIndex, clim: Climate, rng: np.random.Generator) -> Weather:
    """True hourly weather of a season from the front cycle (see the module docstring).

    Parameters
    ----------
    times : DatetimeIndex
        Hourly stamps (Beijing time) of the season, spin-up included.
    clim : Climate
    rng : numpy Generator
        Its draws have fixed sizes, so that two climates with the same seed share every
        random number (common random numbers).
    """
    n_h = len(times)
    doy = times.day_of_year.to_numpy(float)
    hour = times.hour.to_numpy(float)
    onset, amp = _fronts(rng, n_h, clim)
    idx, since = _episodes(onset, n_h)
    ws, wd, regime = _wind(rng, idx, since, amp, hour, clim)
    a = np.where(idx >= 0, amp[np.maximum(idx, 0)], clim.front_wind_ms)
    fresh = np.exp(-since / 40.0)  # cold-air mass after a front, ~2 days
    southerly = np.clip(np.cos(np.deg2rad(regime - 170)), 0, 1)
    t_mean = (_climatology_t(doy) + clim.t_offset_c - 1.1 * a * fresh + 1.5 * southerly
              + rng.normal(0, 0.4, n_h))
    # dew-point depression of the daily mean air: large in the dry air behind a front (more
    # for a stronger front), shrinking as moisture builds up in stagnant (southerly) flow
    dep0 = 4.0 + 1.2 * a
    dep = np.maximum(dep0 - clim.dew_rise_c_per_day * since / 24 - 1.2 * southerly, 1.0)
    td = t_mean - dep + rng.normal(0, 0.5, n_h)
    dry = np.clip(dep / 12, 0.2, 1)
    t_amp = 3.0 + 4.0 * dry * _solar(doy)
    temp = t_mean + t_amp * np.sin(2 * np.pi * (hour - 9) / 24)
    precip = _precip(rng, onset, n_h, times, temp, td, since)
    td = np.where(precip > 0, temp - 0.5, np.minimum(td, temp))
    rh = np.clip(rh_from_dewpoint(temp, td), 5, 100)
    sun = np.clip(np.sin(np.pi * (hour - 7) / 11), 0, None) * (1 - 0.6 * (rh > 85))
    day_top = (250 + 650 * _solar(doy)) * (1 + 0.07 * ws) * np.clip(1.4 - rh / 100, 0.45, 1)
    night = 50 + 40 * ws
    shape = np.clip(np.sin(np.pi * (hour - 8) / 10), 0, None)
    blh = night + np.maximum(day_top - night, 0) * shape
    pres = (922 + 6 * (1 - _solar(doy)) + 1.3 * a * np.exp(-since / 48)
            - 0.4 * np.minimum(since / 24, 8) + 0.8 * np.cos(4 * np.pi * (hour - 10) / 24))
    dust = _dust(rng, onset, amp, n_h, clim, times)
    return Weather(times, temp, td, rh, ws, wd, pres, precip, blh, since, dust, sun)


def _precip(rng, onset, n_h, times, temp, td, since) -> np.ndarray:
    """Precipitation [mm/h]: pre-frontal bands and drizzle in saturated stagnant air."""
    month = times.month.to_numpy()
    p_band = np.select([np.isin(month, [10, 3]), month == 11], [0.5, 0.35], 0.15)
    u = rng.uniform(0, 1, _MAX_FRONTS)
    dur = rng.integers(4, 16, _MAX_FRONTS)
    rate = rng.exponential(0.8, _MAX_FRONTS)
    pr = np.zeros(n_h)
    for k, h in enumerate(onset):
        if u[k] < p_band[min(h, n_h - 1)]:
            pr[max(h - dur[k], 0):h] += rate[k]
    drizzle = (temp - td < 1.5) & (since > 48) & (rng.uniform(0, 1, n_h) < 0.08)
    pr += drizzle * rng.exponential(0.3, n_h)
    return np.round(pr, 1)


def _dust(rng, onset, amp, n_h, clim: Climate, times) -> np.ndarray:
    """Regional dust plumes riding fronts [µg/m³ of PM10], spring-weighted."""
    n = len(onset)
    out = np.zeros(n_h)
    if n == 0:
        return out
    month = times.month.to_numpy()[np.minimum(onset, n_h - 1)]
    w = np.where(np.isin(month, [3, 11]), 3.0, 1.0) * amp
    pick = rng.uniform(0, 1, _MAX_FRONTS)[:n] < clim.dust_per_season * w / w.sum()
    peak = rng.uniform(150, 600, _MAX_FRONTS)[:n]
    width = rng.uniform(6, 18, _MAX_FRONTS)[:n]
    h = np.arange(n_h)
    for k in np.flatnonzero(pick):
        out += peak[k] * np.exp(-0.5 * ((h - onset[k] - 5) / width[k]) ** 2)
    return out


def _ar1(rng, n: int, phi: float, sd: float) -> np.ndarray:
    e = rng.normal(0, sd * np.sqrt(1 - phi**2), n)
    x = np.empty(n)
    x[0] = rng.normal(0, sd)
    for i in range(1, n):
        x[i] = phi * x[i - 1] + e[i]
    return x


def observed_table(w: Weather, rng: np.random.Generator, keep: np.ndarray) -> pd.DataFrame:
    """The county meteorology table as a station and a reanalysis would report it.

    Temperature ± 0.3 °C, RH ± 3 %, wind speed ± 10 %, direction ± 15°, pressure ± 0.3 hPa;
    the boundary-layer height is ``max(BLH_true, 120 m)`` times an AR(1) lognormal error
    (φ = 0.95 per hour, sd 0.35), so it tracks the true mixing only loosely. ``keep``
    selects the hours written (spin-up and missing hours dropped).
    """
    n = len(w.times)
    e = rng.normal(0, 1, (5, n))
    blh = np.maximum(w.blh_m, 120.0) * np.exp(_ar1(rng, n, 0.95, 0.35))
    tab = pd.DataFrame({
        "datetime": w.times.strftime("%Y-%m-%d %H:%M"),
        "station_code": "county",
        "temperature_c": np.round(w.temperature_c + 0.3 * e[0], 1),
        "rh_pct": np.round(np.clip(w.rh_pct + 3 * e[1], 5, 100), 0),
        "wind_speed_ms": np.round(np.maximum(w.wind_speed_ms * (1 + 0.1 * e[2]), 0.1), 1),
        "wind_dir_deg": np.round((w.wind_dir_deg + 15 * e[3]) % 360, 0),
        "pressure_hpa": np.round(w.pressure_hpa + 0.3 * e[4], 1),
        "precip_mm": np.round(w.precip_mm, 1),
        "blh_m": np.round(np.clip(blh, 30, 5000), 0),
    })
    return tab[keep]
