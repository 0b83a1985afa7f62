"""The first weather estimator, kept as ``method="ols"``: counterfactual MLR on the previous season.

A log-linear model of hourly concentration on meteorology and time is fitted on the
**previous** season and predicts the current season under the weather that actually
occurred ("business-as-usual" counterfactual, Grange & Carslaw 2019 [1]_; the rmweather
counterfactual mode). The weather-adjusted change is

    adjusted_change_pct = 100 · (Σ_h C_obs,h / Σ_h Ĉ_h − 1)

over the current season's hours with both an observation and weather, where
``Ĉ_h = exp(x_h'β) · s`` and ``s`` is Duan's smearing factor (mean of ``exp(residual)``
in the training season) [2]_. The observed change is ``100 · (mean_cur / mean_prev − 1)``.

Model terms (OLS on ``log(max(C, floor))``, solved from per-day normal equations; equal
to statsmodels OLS to rounding, tested): wind as u/v components and
speed, temperature, relative humidity, pressure, ``log1p`` precipitation,
``log`` boundary-layer height when present; day-of-year harmonic (one sine/cosine pair: a season is half a year, and more
harmonics extrapolate badly into held-out blocks); hour of
day (23 dummies); weekday (6 dummies); calendar events from
``reference/calendar_events.csv`` (Spring Festival window; the 2020 COVID-19 response as
a dummy that is 0 in the current season).

Interval: a circular block bootstrap over **days** (blocks of ``block_days``), resampling
training days (refit) and current-season days (ratio) jointly, which keeps the
within-block autocorrelation (Künsch 1989 [3]_); basic interval on the log-ratio scale
``log(1 + change)``. The block length is chosen per series from the autocorrelation of the
daily residuals so that the bootstrap variance is at most 5 % too small
(:func:`coverage_block_length`, Politis & White 2004 [5]_ spectral estimates): the
MSE-optimal Politis-White length (~7-10 days here) left 95 % intervals covering ~90 %.
Computed from per-day sufficient statistics and vectorised across draws (one batched
solve, one matrix product per season for all draws), so 200 draws cost about as much as a
few OLS fits. The interval covers sampling noise within the two seasons and the
uncertainty of the previous-season model; it cannot cover a season-level change in
emissions that is not the plan's (that is part of the "effect" by construction).

Placebo in time (:func:`placebo_in_time`): the same estimator with a fake intervention
date inside the previous season.

Skill: time-blocked ``k``-fold cross-validation on the previous season (contiguous
blocks of days), R² of log concentration and RMSE in concentration units, reported
beside every result. Qiu et al. 2022 [4]_ found MLR a weak meteorological correction:
read ``r2_cv`` before the estimate.

References
----------
.. [1] Grange, S. K. & Carslaw, D. C. (2019). Using meteorological normalisation to detect
   interventions in air quality time series. Sci. Total Environ. 653, 578-588.
.. [2] Duan, N. (1983). Smearing estimate: a nonparametric retransformation method.
   JASA 78, 605-610.
.. [3] Künsch, H. R. (1989). The jackknife and the bootstrap for general stationary
   observations. Ann. Statist. 17, 1217-1241.
.. [4] Qiu, M., Zigler, C. & Selin, N. E. (2022). Statistical and machine learning
   methods for evaluating trends in air quality under changing meteorological
   conditions. Atmos. Chem. Phys. 22, 10551-10566.
.. [5] Politis, D. N. & White, H. (2004). Automatic block-length selection for the
   dependent bootstrap. Econometric Reviews 23, 53-70.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from zzeval.airquality.weather_blocks import (
    _block_weights,
    _day_index,
    coverage_block_length,
)
from zzeval.season.boundary_layer import measured_blh
from zzeval.season.data import SeasonData
from zzeval.season.schema import AIR_POLLUTANTS

DEFAULT_POLLUTANTS = AIR_POLLUTANTS
MET_COLUMNS = ("temperature_c", "rh_pct", "wind_speed_ms", "wind_dir_deg", "pressure_hpa",
               "precip_mm")
#: concentration floor before the log, by unit [A]: half a typical reporting step
_FLOOR = {"µg/m³": 1.0, "mg/m³": 0.05}
_DUMMY_PREFIXES = ("hour_", "wd_", "event_")


@cache
def _events() -> pd.DataFrame:
    with resources.files("zzeval.reference").joinpath("calendar_events.csv").open(
        "r", encoding="utf-8"
    ) as fh:
        ev = pd.read_csv(fh, parse_dates=["start", "end"])
    return ev


def calendar_events() -> pd.DataFrame:
    """Calendar events used as model dummies: ``event, start, end, source, notes``."""
    return _events().copy()


@cache
def _event_windows() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``event -> (start days, end days)`` as ``datetime64[D]`` arrays, events sorted by name."""
    return {str(name): (g["start"].to_numpy().astype("datetime64[D]"),
                        g["end"].to_numpy().astype("datetime64[D]"))
            for name, g in _events().groupby("event", sort=True)}


def _local_days(dt) -> np.ndarray:
    """Local day (``datetime64[D]``) of each hour-ending stamp: the day of ``stamp − 1 h``."""
    t = np.asarray(dt, dtype="datetime64[ns]")
    return (t - np.timedelta64(1, "h")).astype("datetime64[D]")


def _event_dummies(dt, current: bool) -> dict[str, np.ndarray]:
    """0/1 event indicators per hour-ending stamp (one per event name, windows inclusive)."""
    day = _local_days(dt)
    out = {}
    for name, (starts, ends) in _event_windows().items():
        x = np.zeros(len(day), bool)
        if not (current and name.startswith("covid")):  # counterfactual: no lockdown now
            for s, e in zip(starts, ends, strict=True):
                x |= (day >= s) & (day <= e)
        out[f"event_{name}"] = x.astype(float)
    return out


def _design_arrays(frame: pd.DataFrame, current: bool) -> tuple[list[str], np.ndarray]:
    """Column names and the float matrix of :func:`design` (NumPy only, no pandas per column)."""
    dt = np.asarray(frame["datetime"], dtype="datetime64[ns]")
    # a calm hour has no wind direction (empty or 'C' in the table, zzeval.season.cells): no wind vector
    rad = np.nan_to_num(np.deg2rad(frame["wind_dir_deg"].to_numpy(float)), nan=0.0)
    ws = np.where(np.isnan(frame["wind_dir_deg"].to_numpy(float)), 0.0, frame["wind_speed_ms"].to_numpy(float))
    cols = {
        "u_ms": -ws * np.sin(rad), "v_ms": -ws * np.cos(rad), "wind_speed_ms": ws,
        "temperature_c": frame["temperature_c"].to_numpy(float),
        "rh_pct": frame["rh_pct"].to_numpy(float),
        "pressure_hpa": frame["pressure_hpa"].to_numpy(float),
        "log1p_precip_mm": np.log1p(frame["precip_mm"].to_numpy(float)),
    }
    blh = measured_blh(frame["blh_m"]) if "blh_m" in frame else np.full(len(frame), np.nan)
    if np.isfinite(blh).any():  # 0 is not measured (zzeval.season.boundary_layer): a season of 0 has no BLH term
        cols["log_blh_m"] = np.log(np.maximum(blh, 10.0))
    day = _local_days(dt)
    doy = (day - day.astype("datetime64[Y]").astype("datetime64[D]")).astype(np.int64) + 1.0
    cols["doy_s1"] = np.sin(2 * np.pi * doy / 365.25)
    cols["doy_c1"] = np.cos(2 * np.pi * doy / 365.25)
    hour = dt.astype("datetime64[h]").astype(np.int64) % 24
    for h in range(1, 24):
        cols[f"hour_{h}"] = (hour == h).astype(float)
    wd = (day.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    for d in range(1, 7):
        cols[f"wd_{d}"] = (wd == d).astype(float)
    cols.update(_event_dummies(dt, current))
    names = list(cols)
    return names, np.column_stack([cols[c] for c in names])


def design(frame: pd.DataFrame, current: bool = False) -> pd.DataFrame:
    """Design matrix (without intercept) of the weather model.

    Parameters
    ----------
    frame : DataFrame
        ``datetime`` (hour-ending stamp) and the meteorology columns of
        :data:`zzeval.season.schema.METEOROLOGY` (``blh_m`` optional).
    current : bool
        Whether the rows belong to the evaluated season (switches off the COVID dummy).

    Returns
    -------
    DataFrame
        Columns ``u_ms, v_ms, wind_speed_ms, temperature_c, rh_pct, pressure_hpa,
        log1p_precip_mm, [log_blh_m], doy_s1, doy_c1, hour_1..hour_23,
        wd_1..wd_6, event_*``. ``u``/``v`` are the eastward/northward components of the
        wind (meteorological direction = where the wind blows from); hour is the stamp's
        hour, day of year and weekday those of the hour's local day (stamp − 1 h).
    """
    names, X = _design_arrays(frame, current)
    return pd.DataFrame(X, columns=names, index=frame.index)


def _ols_cv(XtX_d, Xty_d, Zp, yp, vp, dp, cv_folds: int, ridge) -> tuple[float, float]:
    """Time-blocked CV on the previous season: R² of log C, RMSE of C (unit of vp)."""
    ndp = len(XtX_d)
    folds = np.minimum((np.arange(ndp) * cv_folds) // ndp, cv_folds - 1)
    sse = sst = se_c = 0.0
    ybar = yp.mean()
    for f in range(cv_folds):
        tr = folds != f
        b = np.linalg.solve(XtX_d[tr].sum(0) + ridge, Xty_d[tr].sum(0))
        rows_tr = tr[dp]
        s_f = np.mean(np.exp(yp[rows_tr] - Zp[rows_tr] @ b))
        te = ~rows_tr
        yhat = Zp[te] @ b
        sse += np.sum((yp[te] - yhat) ** 2)
        sst += np.sum((yp[te] - ybar) ** 2)
        se_c += np.sum((vp[te] - np.exp(yhat) * s_f) ** 2)
    return float(1 - sse / sst), float(np.sqrt(se_c / len(yp)))


def _boot_interval(effs: np.ndarray, est: float, level: float, interval: str):
    """Bootstrap interval [%] from the draws ``effs`` [%] around the estimate ``est``."""
    a = (1 - level) / 2
    lo, hi = np.quantile(effs, [a, 1 - a])
    if interval == "basic":  # reverse percentile around the estimate
        return 2 * est - hi, 2 * est - lo
    if interval == "basic_log":  # the same on the log ratio scale log(1 + change)
        r0 = np.log1p(est / 100)
        return (100 * np.expm1(2 * r0 - np.log1p(hi / 100)),
                100 * np.expm1(2 * r0 - np.log1p(lo / 100)))
    if interval == "percentile":
        return lo, hi
    raise ValueError(f"interval must be 'basic', 'basic_log' or 'percentile', got {interval!r}")


def _change_core(Xp, Xc, names, vp, vc, day_p, day_c, *, n_boot, seed, block_days,
                 cv_folds, floor, level, interval, return_draws=False) -> dict:
    """:func:`adjusted_change` on arrays; rows of each season sorted by time, no NaN."""
    out = {"n_obs_previous": len(vp), "n_obs_current": len(vc),
           "mean_previous": float(vp.mean()) if len(vp) else np.nan,
           "mean_current": float(vc.mean()) if len(vc) else np.nan}
    out["observed_change_pct"] = 100 * (out["mean_current"] / out["mean_previous"] - 1)
    nan_keys = ("predicted_mean_current", "adjusted_change_pct", "adjusted_change_low_pct",
                "adjusted_change_high_pct", "r2_in", "r2_cv", "rmse_cv", "n_params",
                "block_days")
    if len(vp) < 5 * Xp.shape[1] or len(vc) < 24:
        return out | dict.fromkeys(nan_keys, np.nan)
    sd = Xp.std(axis=0, ddof=1)
    keep = sd > 0  # drop constant columns (e.g. an event absent in training)
    # standardise continuous terms only; dummies stay 0/1 so that a dummy absent from a
    # CV training fold is a zero column (coefficient 0), not a shifted constant
    dummy = np.array([c.startswith(_DUMMY_PREFIXES) for c, k in zip(names, keep, strict=True)
                      if k], bool)
    mu = np.where(dummy, 0.0, Xp[:, keep].mean(axis=0))
    sdv = np.where(dummy, 1.0, sd[keep])
    Zp = np.column_stack([np.ones(len(vp)), (Xp[:, keep] - mu) / sdv])
    Zc = np.column_stack([np.ones(len(vc)), (Xc[:, keep] - mu) / sdv])
    yp = np.log(np.maximum(vp, floor))
    p = Zp.shape[1]
    out["n_params"] = p
    # per-day sufficient statistics (rows are sorted by time, so days are contiguous);
    # the full-sample fit, the CV folds and every bootstrap draw are sums of them
    dp, bp, nh_p = _day_index(day_p)
    dc, bc, _ = _day_index(day_c)
    ndp, ndc = len(bp), len(bc)
    ends = np.r_[bp[1:], len(yp)]
    XtX_d = np.empty((ndp, p, p))
    Xty_d = np.empty((ndp, p))
    for d in range(ndp):
        z = Zp[bp[d]:ends[d]]
        XtX_d[d] = z.T @ z
        Xty_d[d] = z.T @ yp[bp[d]:ends[d]]
    # OLS from the normal equations (minimum-norm least squares if rank deficient); equal
    # to statsmodels.OLS(yp, Zp).fit() to rounding (tested)
    beta = np.linalg.lstsq(XtX_d.sum(0), Xty_d.sum(0), rcond=None)[0]
    resid = yp - Zp @ beta
    smear = float(np.mean(np.exp(resid)))
    pred_c = np.exp(Zc @ beta) * smear
    out["predicted_mean_current"] = float(pred_c.mean())
    est = 100 * (vc.sum() / pred_c.sum() - 1)
    out["adjusted_change_pct"] = float(est)
    out["r2_in"] = float(1 - resid @ resid / np.sum((yp - yp.mean()) ** 2))
    obs_d = np.add.reduceat(vc, bc)
    ridge = 1e-8 * np.eye(p)
    out["r2_cv"], out["rmse_cv"] = _ols_cv(XtX_d, Xty_d, Zp, yp, vp, dp, cv_folds, ridge)
    if block_days == "auto":
        # block length from the autocorrelation of the daily residuals: previous season
        # (log residuals of the fit) and current season (log observed/predicted)
        res_d = np.add.reduceat(resid, bp) / nh_p
        lr_d = np.log(obs_d / np.add.reduceat(pred_c, bc))
        block = int(np.ceil(max(coverage_block_length(res_d), coverage_block_length(lr_d))))
    else:
        block = int(block_days)
    out["block_days"] = block
    if not n_boot:
        out["adjusted_change_low_pct"] = out["adjusted_change_high_pct"] = np.nan
        return out
    rng = np.random.default_rng(seed)
    Wp = _block_weights(rng, ndp, block, n_boot)  # (B, days of the previous season)
    Wc = _block_weights(rng, ndc, block, n_boot)  # (B, days of the current season)
    A = (Wp @ XtX_d.reshape(ndp, -1)).reshape(n_boot, p, p) + ridge
    betas = np.linalg.solve(A, (Wp @ Xty_d)[:, :, None])[:, :, 0]  # (B, p), one solve
    e_d = np.add.reduceat(np.exp(yp[:, None] - Zp @ betas.T), bp, axis=0)  # (days, B)
    smear_b = np.einsum("bd,db->b", Wp, e_d) / (Wp @ nh_p)
    pred_d = np.add.reduceat(np.exp(Zc @ betas.T), bc, axis=0)  # (days, B)
    effs = 100 * ((Wc @ obs_d) / (np.einsum("bd,db->b", Wc, pred_d) * smear_b) - 1)
    low, high = _boot_interval(effs, est, level, interval)
    out["adjusted_change_low_pct"] = float(low)
    out["adjusted_change_high_pct"] = float(high)
    if return_draws:
        out["draws_pct"] = effs
    return out


def _prepare(frame: pd.DataFrame, current: bool) -> tuple:
    """Sorted, complete rows of one season: design, names, values, local days."""
    need = ["value", *(c for c in MET_COLUMNS if c != "wind_dir_deg")]  # calm hours have no direction
    frame = frame.dropna(subset=need).sort_values("datetime", kind="stable")
    names, X = _design_arrays(frame, current)
    ok = np.isfinite(X).all(axis=1)
    return (X[ok], names, frame["value"].to_numpy(float)[ok],
            _local_days(frame["datetime"])[ok])


def adjusted_change(prev: pd.DataFrame, cur: pd.DataFrame, n_boot: int = 200, seed: int = 0,
                    block_days: int | str = "auto", cv_folds: int = 5, floor: float = 1.0,
                    level: float = 0.95, interval: str = "basic_log",
                    return_draws: bool = False) -> dict:
    """Weather-adjusted change for one series (see module docstring).

    Parameters
    ----------
    prev, cur : DataFrame
        Hourly rows of the previous and the current season with ``datetime``, ``value``
        (concentration, µg/m³ or mg/m³) and the meteorology columns.
    n_boot : int
        Block-bootstrap draws (0: no interval).
    block_days : int or "auto"
        Block length of the bootstrap [days]; ``"auto"`` (default): the larger
        :func:`coverage_block_length` of the previous season's daily mean log residuals and
        of the current season's daily log(observed / predicted) (the quantity whose mean
        the estimate is; its autocorrelation includes the slowly varying prediction
        error).
    cv_folds : int
        Contiguous day-blocks for the cross-validated skill.
    floor : float
        Concentrations below it are set to it before the log [same unit as value].
    level : float
        Nominal coverage of the interval.
    interval : {"basic_log", "basic", "percentile"}
        Bootstrap interval: basic (reverse-percentile) on the log-ratio scale
        ``log(1 + change)`` (default), on the percent scale, or the percentile interval.
    return_draws : bool
        Add ``draws_pct`` (the bootstrap estimates, %) to the result.

    Returns
    -------
    dict
        ``n_obs_previous, n_obs_current, mean_previous, mean_current,
        observed_change_pct, predicted_mean_current, adjusted_change_pct,
        adjusted_change_low_pct, adjusted_change_high_pct, r2_in, r2_cv, rmse_cv, n_params,
        block_days``. Means in the unit of ``value``; NaN fields when a season has too
        few rows (fewer than 5 per model term, or fewer than 24 current hours).
    """
    Xp, names, vp, dayp = _prepare(prev, current=False)
    Xc, names_c, vc, dayc = _prepare(cur, current=True)
    if names_c != names:  # e.g. BLH present in one season only
        common = [n for n in names if n in names_c]
        Xp = Xp[:, [names.index(n) for n in common]]
        Xc = Xc[:, [names_c.index(n) for n in common]]
        names = common
    return _change_core(Xp, Xc, names, vp, vc, dayp, dayc, n_boot=n_boot, seed=seed,
                        block_days=block_days, cv_folds=cv_folds, floor=floor, level=level,
                        interval=interval, return_draws=return_draws)


def _ols_adjusted_change(season: SeasonData, pollutants=DEFAULT_POLLUTANTS,
                            n_boot: int = 200, seed: int = 0, block_days: int | str = "auto",
                            county: bool = True, interval: str = "basic_log",
                            level: float = 0.95, series=None) -> pd.DataFrame:
    """Observed and weather-adjusted change per township × pollutant (+ a county row), the
    ``ols`` estimator of :func:`zzeval.airquality.weather.weather_adjusted_change`, which
    documents the parameters (``method`` and ``pooled`` aside) and the columns common to every
    estimator.

    The design matrix is built once per meteorology source and season (all township
    series that use the county meteorology share it) and the bootstrap is vectorised
    across draws (see :func:`adjusted_change`); ``interval`` and ``level`` as there.

    Returns
    -------
    DataFrame
        The common columns, with the block-bootstrap interval at ``level`` (docs/methods_airquality.md
        gives its measured coverage), ``r2_in``, ``r2_cv`` (log scale, time-blocked CV on the
        previous season), ``rmse_cv`` (in ``unit``), ``n_params``, ``block_days`` (the bootstrap
        block length used). ``attrs["exclusions"]`` holds the counted exclusions of
        :func:`township_series`.
    """
    from zzeval.airquality.weather_data import _align, _Designs, _series  # circular otherwise

    built, rep = _series(season, pollutants, county, series)
    per = season.period
    des = _Designs(season)
    rows = []
    for i, ((t, p), entry) in enumerate(built.items()):
        unit = entry[1]
        np_, Xp, vp, dayp = des.arrays(entry, per.previous, current=False)
        nc_, Xc, vc, dayc = des.arrays(entry, per, current=True)
        names, Xp, Xc = _align((np_, Xp), (nc_, Xc))
        r = _change_core(Xp, Xc, names, vp, vc, dayp, dayc, n_boot=n_boot, seed=seed + i,
                         block_days=block_days, cv_folds=5, floor=_FLOOR.get(unit, 1.0),
                         level=level, interval=interval)
        rows.append({"township": t, "pollutant": p, "unit": unit, **r})
    out = pd.DataFrame(rows)
    if len(out):
        out["weather_contribution_pp"] = out["observed_change_pct"] - out["adjusted_change_pct"]
    out.attrs["exclusions"] = rep
    return out


def fake_date(season: SeasonData, fake_start=None) -> pd.Timestamp:
    """The placebo's fake intervention day (default: the previous season's middle day);
    ValueError unless it leaves at least 30 days of that season on each side."""
    prev = season.period.previous
    fake = (prev.start + pd.Timedelta(days=prev.days // 2) if fake_start is None
            else pd.Timestamp(fake_start).normalize())
    if not (prev.start + pd.Timedelta(days=30) <= fake <= prev.end - pd.Timedelta(days=29)):
        raise ValueError(
            f"fake_start={fake.date()} must lie inside the previous season "
            f"{prev.start.date()}..{prev.end.date()} with at least 30 days on each side")
    return fake


def _ols_placebo_in_time(season: SeasonData, fake_start=None, pollutants=DEFAULT_POLLUTANTS,
                    n_boot: int = 200, seed: int = 0, block_days: int | str = "auto",
                    county: bool = True, doy_terms: bool = False,
                    interval: str = "basic_log", level: float = 0.95) -> pd.DataFrame:
    """Placebo in time on the previous season: a fake intervention date with no plan.

    The weather model is fitted on the previous season's hours **before** ``fake_start``
    and predicts the hours from ``fake_start`` to the end of that season under their
    actual weather; ``placebo_change_pct = 100·(Σ observed / Σ predicted − 1)`` over the
    hours after the fake date, with the same block-bootstrap interval as
    :func:`weather_adjusted_change`. With no intervention in that season it should be
    near 0 and its interval should cover 0 (Grange & Carslaw 2019; the issue's placebo
    test). A placebo far from 0 means the model extrapolates badly within a season, so
    the real estimate deserves less trust.

    Hours after the fake date that fall in a calendar event absent before it (e.g. the
    2020 Spring Festival and COVID-19 response in the 2019-2020 season) cannot be
    predicted by the model: they are excluded and counted
    (``n_hours_excluded_events``), never silently.

    Parameters
    ----------
    season : SeasonData
        The loaded season; only its previous season's data are used.
    fake_start : str or Timestamp, optional
        First local day of the fake intervention (default: the middle day of the previous
        season). Must leave at least 30 days on each side.
    pollutants, n_boot, seed, block_days, county, interval, level
        As in :func:`weather_adjusted_change`.
    doy_terms : bool
        Keep the day-of-year harmonic (default ``False``: fitted on part of one season,
        the harmonic extrapolates a trend into the rest; the seasonal cycle is then left
        to temperature, BLH and the other meteorology).

    Returns
    -------
    DataFrame
        ``township, pollutant, unit, fake_start, n_obs_before, n_obs_after,
        n_hours_excluded_events, mean_before, mean_after`` (in ``unit``),
        ``placebo_change_pct, placebo_change_low_pct, placebo_change_high_pct`` [%],
        ``r2_cv, rmse_cv, block_days``.
    """
    from zzeval.airquality.weather_data import _Designs, _series  # circular otherwise

    prev = season.period.previous
    fake = fake_date(season, fake_start)
    series, _rep = _series(season, pollutants, county)
    des = _Designs(season)
    f64 = np.datetime64(fake.date())
    rows = []
    for i, ((t, p), entry) in enumerate(series.items()):
        unit = entry[1]
        names, X, v, days = des.arrays(entry, prev, current=False)
        keep_cols = [j for j, n in enumerate(names) if doy_terms or not n.startswith("doy_")]
        names = [names[j] for j in keep_cols]
        X = X[:, keep_cols]
        before = days < f64
        excl = np.zeros(len(v), bool)
        for j, n in enumerate(names):
            if n.startswith("event_") and not X[before, j].any():
                excl |= ~before & (X[:, j] > 0)
        after = ~before & ~excl
        r = _change_core(X[before], X[after], names, v[before], v[after], days[before],
                         days[after], n_boot=n_boot, seed=seed + i, block_days=block_days,
                         cv_folds=5, floor=_FLOOR.get(unit, 1.0), level=level,
                         interval=interval)
        rows.append({"township": t, "pollutant": p, "unit": unit, "fake_start": fake,
                     "n_obs_before": r["n_obs_previous"], "n_obs_after": r["n_obs_current"],
                     "n_hours_excluded_events": int(excl.sum()),
                     "mean_before": r["mean_previous"], "mean_after": r["mean_current"],
                     "placebo_change_pct": r["adjusted_change_pct"],
                     "placebo_change_low_pct": r["adjusted_change_low_pct"],
                     "placebo_change_high_pct": r["adjusted_change_high_pct"],
                     "r2_cv": r["r2_cv"], "rmse_cv": r["rmse_cv"],
                     "block_days": r["block_days"]})
    return pd.DataFrame(rows)
