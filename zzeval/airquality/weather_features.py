"""Design of the weather model (``method="gam"``): physical features of the meteorology,
their memory, transport sectors and the calendar, as one matrix per meteorology source.

Each feature is computed from the hourly meteorology of one source (the county series or
one station), over both seasons at once, on the hours' own time stamps (trailing windows
and exponential memories use the actual time, so a gap of missing hours is a gap, not a
shift):

* same-hour state: smooth (penalty-free cubic regression splines, patsy ``cr`` with a
  centring constraint) of temperature, relative humidity and the log **ventilation
  coefficient** ``log(max(wind, 0.2 m/s) · BLH)`` (the product of wind speed and mixing
  height, the volume flux that dilutes surface emissions); linear log BLH, wind speed,
  precipitation, RH × temperature (secondary aerosol forms faster in humid air);
* **transport**: eight wind-direction sectors and sector × wind speed (air arriving from a
  polluted region raises concentrations the faster it blows);
* **memory** (pollution builds up over stagnant days): trailing 6 h and 48 h means of the
  log ventilation, 24 h means of temperature and RH, 24 h precipitation, exponentially
  weighted past ventilation with half-lives of 24 h (smooth) and 72 h, and the hours since
  the last ventilating hour (ventilation above the source's 80th percentile, or rain
  ≥ 0.5 mm/h; smooth of ``log1p``, capped at 240 h) — a same-hour model cannot see any of
  these;
* **fronts**: 24 h changes of pressure and temperature (a cold front passes with rising
  pressure and falling temperature);
* calendar: hour of day (23 dummies), weekday (6), a smooth of the day of the season shared
  by both seasons (the heating-season cycle of emissions), calendar events
  (``reference/calendar_events.csv``).

The thresholds and half-lives are physical choices made before any validation [A]; the
splines are unpenalised regression splines (Wood 2017, *Generalized Additive Models: An
Introduction with R*, 2nd ed., on cubic regression splines), so the fit is an ordinary least-squares fit with
statsmodels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import patsy

from zzeval.airquality.weather_ols import _event_dummies, _local_days
from zzeval.season.boundary_layer import measured_blh
from zzeval.season.checks import season_first_year

#: spline basis sizes (degrees of freedom after the centring constraint) [A]
SPLINES = {"temperature_c": 4, "rh_pct": 4, "log_vent": 5, "ewm_vent_24h": 4,
           "log1p_hours_since_vent": 4, "day_of_season": 5}
#: linear weather terms (standardised); wind speed enters through the sectors × speed
LINEAR = ("log_blh", "log1p_precip", "log1p_precip_24h", "rh_x_t",
          "mean_vent_6h", "mean_vent_48h", "ewm_vent_72h", "mean_t_24h", "mean_rh_24h",
          "dp_24h", "dt_24h")
#: a ventilating hour: ventilation above this quantile of the source, or rain [A]
VENT_QUANTILE = 0.8
RAIN_MM = 0.5
MAX_STAGNANT_H = 240.0
N_SECTORS = 8
#: the sector of calm hours (no wind direction): a level of its own, not north
CALM_SECTOR = N_SECTORS
#: columns of these groups are weather (the rest are calendar and intercept)
WEATHER_PREFIXES = ("s_temperature_c", "s_rh_pct", "s_log_vent", "s_ewm_vent_24h",
                    "s_log1p_hours_since_vent", "sector_", "l_")


def _trailing(s: pd.Series, hours: int, how: str = "mean") -> np.ndarray:
    r = s.rolling(f"{hours}h", min_periods=1)
    return (r.mean() if how == "mean" else r.sum()).to_numpy(float)


def _change(s: pd.Series, hours: int) -> np.ndarray:
    """``x(t) − x(t − hours)`` from the hour-stamped series; 0 where ``t − hours`` is missing."""
    past = s.reindex(s.index - pd.Timedelta(hours=hours)).to_numpy(float)
    d = s.to_numpy(float) - past
    return np.where(np.isfinite(d), d, 0.0)


def _hours_since(t: np.ndarray, event: np.ndarray) -> np.ndarray:
    """Hours since the last ``event`` hour (0 on the hour itself), capped at
    :data:`MAX_STAGNANT_H`; before the first event, hours since the series start."""
    th = t.astype("datetime64[h]").astype(np.int64).astype(float)
    last = np.where(event, th, np.nan)
    last = pd.Series(last).ffill().to_numpy()
    last = np.where(np.isfinite(last), last, th[0])
    return np.minimum(th - last, MAX_STAGNANT_H)


def met_features(met: pd.DataFrame) -> pd.DataFrame:
    """Physical weather features of one meteorology source (see module docstring).

    Parameters
    ----------
    met : DataFrame
        ``datetime`` (hour-ending stamps, unique) and ``temperature_c, rh_pct,
        wind_speed_ms, wind_dir_deg, pressure_hpa, precip_mm`` [°C, %, m/s, degrees from
        north, hPa, mm/h], optional ``blh_m`` [m]; rows with a missing value are dropped.

    Returns
    -------
    DataFrame
        One row per complete hour, sorted by ``datetime``; the columns of
        :data:`SPLINES` (weather ones), :data:`LINEAR` and ``sector`` (0..7, the 45°
        sector the wind blows from, 0 = north; :data:`CALM_SECTOR` for a calm hour without direction).
    """
    need = ["temperature_c", "rh_pct", "wind_speed_ms", "pressure_hpa", "precip_mm"]  # calm: no direction
    m = met.dropna(subset=need).sort_values("datetime").drop_duplicates("datetime")
    idx = pd.DatetimeIndex(m["datetime"])
    ws = m["wind_speed_ms"].to_numpy(float)
    measured = measured_blh(m["blh_m"]) if "blh_m" in m else np.full(len(m), np.nan)  # 0: not measured
    has_blh = bool(len(m)) and bool(np.isfinite(measured).all())  # else no BLH in either season
    blh = np.maximum(measured, 10.0) if has_blh else np.full(len(m), 1.0)
    vent = pd.Series(np.log(np.maximum(ws, 0.2) * blh), index=idx)
    temp = pd.Series(m["temperature_c"].to_numpy(float), index=idx)
    rh = pd.Series(m["rh_pct"].to_numpy(float), index=idx)
    pr = pd.Series(m["precip_mm"].to_numpy(float), index=idx)
    pres = pd.Series(m["pressure_hpa"].to_numpy(float), index=idx)
    t = idx.to_numpy()
    ventilating = (vent.to_numpy() >= np.quantile(vent, VENT_QUANTILE) if len(m) else
                   np.zeros(0, bool)) | (pr.to_numpy() >= RAIN_MM)
    f = pd.DataFrame({
        "datetime": t, "temperature_c": temp.to_numpy(), "rh_pct": rh.to_numpy(),
        "log_vent": vent.to_numpy(),
        "ewm_vent_24h": vent.ewm(halflife="24h", times=idx).mean().to_numpy(),
        "log1p_hours_since_vent": np.log1p(_hours_since(t, ventilating)) if len(m) else [],
        "log_blh": np.log(blh), "wind_speed_ms": ws,
        "log1p_precip": np.log1p(pr.to_numpy()),
        "log1p_precip_24h": np.log1p(_trailing(pr, 24, "sum")),
        "rh_x_t": rh.to_numpy() / 100 * temp.to_numpy(),
        "mean_vent_6h": _trailing(vent, 6), "mean_vent_48h": _trailing(vent, 48),
        "ewm_vent_72h": vent.ewm(halflife="72h", times=idx).mean().to_numpy(),
        "mean_t_24h": _trailing(temp, 24), "mean_rh_24h": _trailing(rh, 24),
        "dp_24h": _change(pres, 24), "dt_24h": _change(temp, 24),
        "sector": _sectors(m["wind_dir_deg"].to_numpy(float)),
    })
    return f.reset_index(drop=True)


def _sectors(direction_deg: np.ndarray) -> np.ndarray:
    """The 45° sector (0..7, 0 = north) each wind direction [° from north] blows from; :data:`CALM_SECTOR`
    where there is no direction (a calm hour, written 'C' or left empty with a wind speed of 0)."""
    calm = np.isnan(direction_deg)
    sector = np.floor(((np.nan_to_num(direction_deg) + 22.5) % 360) / 45).astype(int)
    return np.where(calm, CALM_SECTOR, sector)


def day_of_season(dt) -> np.ndarray:
    """Days since 1 October of the season the hour's local day belongs to (0 … 181)."""
    day = _local_days(dt)
    first = season_first_year(day)
    oct1 = ((first - 1970).astype("datetime64[Y]").astype("datetime64[M]")
            + np.timedelta64(9, "M")).astype("datetime64[D]")
    return (day - oct1).astype(float)


def _spline(x: np.ndarray, df: int, name: str) -> tuple[list[str], np.ndarray]:
    b = np.asarray(patsy.dmatrix(f"cr(x, df={df}, constraints='center') - 1", {"x": x}))
    return [f"s_{name}_{k}" for k in range(b.shape[1])], b


def _standardise(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else x - x.mean()


def design_matrix(feat: pd.DataFrame) -> tuple[list[str], np.ndarray]:
    """Base design (intercept, weather, calendar; no season terms) of :func:`met_features`
    rows: ``(names, X)``. Splines and standardisation use all rows given (both seasons)."""
    cols: list[tuple[list[str], np.ndarray]] = [(["intercept"], np.ones((len(feat), 1)))]
    dt = feat["datetime"].to_numpy()
    dos = day_of_season(dt)
    for name, df in SPLINES.items():
        x = dos if name == "day_of_season" else feat[name].to_numpy(float)
        if np.ptp(x) > 0:
            cols.append(_spline(x, df, name))
    lin = [n for n in LINEAR if np.ptp(feat[n].to_numpy(float)) > 0]
    cols.append(([f"l_{n}" for n in lin],
                 np.column_stack([_standardise(feat[n].to_numpy(float)) for n in lin])))
    sec = feat["sector"].to_numpy()
    ws = _standardise(feat["wind_speed_ms"].to_numpy(float))
    present = [s for s in range(N_SECTORS + 1) if (sec == s).any()]  # the 8 sectors and calm
    cols.append(([f"sector_{s}" for s in present[1:]],
                 np.column_stack([(sec == s) for s in present[1:]] or
                                 [np.zeros((len(sec), 0))]).astype(float)))
    cols.append(([f"sector_{s}_ws" for s in present],
                 np.column_stack([(sec == s) * ws for s in present])))
    hour = dt.astype("datetime64[h]").astype(np.int64) % 24
    cols.append(([f"hour_{h}" for h in range(1, 24)],
                 np.column_stack([hour == h for h in range(1, 24)]).astype(float)))
    wd = (_local_days(dt).astype(np.int64) + 3) % 7
    cols.append(([f"wd_{d}" for d in range(1, 7)],
                 np.column_stack([wd == d for d in range(1, 7)]).astype(float)))
    ev = _event_dummies(dt, current=False)
    cols.append((list(ev), np.column_stack(list(ev.values()))))
    names = [n for c in cols for n in c[0]]
    X = np.column_stack([c[1] for c in cols])
    keep = np.r_[True, X[:, 1:].std(axis=0) > 0]
    return [n for n, k in zip(names, keep, strict=True) if k], X[:, keep]


def weather_columns(names: list[str]) -> np.ndarray:
    """Mask of the weather columns of :func:`design_matrix` (not intercept or calendar)."""
    return np.array([n.startswith(WEATHER_PREFIXES) for n in names], bool)
