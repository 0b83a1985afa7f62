"""Machine-learning weather normalisation (``method="gbm"``): gradient-boosted trees.

After Grange et al. (2018, ACP 18:6223; the ``rmweather`` approach) and Vu et al. (2019,
ACP 19:11303), a tree ensemble learns log concentration from the weather and time
features; here scikit-learn's ``HistGradientBoostingRegressor`` (histogram gradient
boosting) is fitted once on **both** seasons with the physical features of
:func:`zzeval.airquality.weather_features.met_features` (same-hour state, memory, transport sector,
fronts), hour, weekday, day of the season, calendar events and a current-season flag. The
counterfactual of the current season is its prediction with the flag switched off (Grange
& Carslaw 2019's business-as-usual counterfactual), retransformed with Duan's smearing
factor:

    adjusted_change_pct = 100 · (Σ_cur C_obs / Σ_cur Ĉ_cf − 1).

The trees cannot extrapolate: weather outside the range of both seasons is predicted as at
the edge. Interval: circular day-block bootstrap of the current season's daily observed and
predicted sums with the model held fixed (it omits the model's own uncertainty, so it is
narrower than it should be; the placebo calibration of ``gam`` is not run because every
placebo would need a refit). Slower than ``gam`` (one boosted fit per series).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.airquality.weather_blocks import _block_weights, _day_index, coverage_block_length
from zzeval.airquality.weather_data import _Designs, _in_period, _series
from zzeval.airquality.weather_features import LINEAR, SPLINES, day_of_season, met_features
from zzeval.airquality.weather_ols import _FLOOR, _event_dummies, _local_days

#: boosting settings (scikit-learn defaults but a fixed number of iterations) [A]
GBM_PARAMS = {"max_iter": 150, "learning_rate": 0.1, "max_leaf_nodes": 31,
              "min_samples_leaf": 40, "early_stopping": False}
_FEATURES = [n for n in SPLINES if n != "day_of_season"] + list(LINEAR) + ["sector"]


def _table(feat: pd.DataFrame) -> pd.DataFrame:
    dt = feat["datetime"].to_numpy()
    t = feat[_FEATURES].copy()
    t["wind_speed_ms"] = feat["wind_speed_ms"].to_numpy()
    t["hour"] = dt.astype("datetime64[h]").astype(np.int64) % 24
    t["weekday"] = (_local_days(dt).astype(np.int64) + 3) % 7
    t["day_of_season"] = day_of_season(dt)
    for k, x in _event_dummies(dt, current=False).items():
        t[k] = x
    return t


def gbm_change(tab: pd.DataFrame, v: np.ndarray, days: np.ndarray, cur: np.ndarray, *,
               floor: float, seed: int, n_boot: int = 200, level: float = 0.95) -> dict:
    """Adjusted change of one series from its feature table ``tab`` (rows sorted by time)."""
    from sklearn.ensemble import HistGradientBoostingRegressor
    from threadpoolctl import threadpool_limits

    y = np.log(np.maximum(v, floor))
    X = tab.assign(current=cur.astype(float))
    with threadpool_limits(1):  # small data: one thread, no OpenMP spin on a shared machine
        model = HistGradientBoostingRegressor(random_state=seed, **GBM_PARAMS).fit(X, y)
        fitted = model.predict(X)
        pred = np.exp(model.predict(X[cur].assign(current=0.0)))
    smear = float(np.mean(np.exp(y - fitted)))
    pred = pred * smear
    est = 100 * (v[cur].sum() / pred.sum() - 1)
    out = {"predicted_mean_current": float(pred.mean()), "adjusted_change_pct": float(est),
           "r2_in": float(1 - np.sum((y - fitted) ** 2) / np.sum((y - y.mean()) ** 2))}
    d, starts, _ = _day_index(days[cur])
    obs_d, pred_d = np.add.reduceat(v[cur], starts), np.add.reduceat(pred, starts)
    block = int(np.ceil(coverage_block_length(np.log(obs_d / pred_d))))
    out["block_days"] = block
    if n_boot:
        W = _block_weights(np.random.default_rng(seed), len(starts), block, n_boot)
        r = np.log((W @ obs_d) / (W @ pred_d))
        r0 = np.log1p(est / 100)
        q_lo, q_hi = np.quantile(r, [(1 - level) / 2, (1 + level) / 2])
        out["adjusted_change_low_pct"] = float(100 * np.expm1(2 * r0 - q_hi))
        out["adjusted_change_high_pct"] = float(100 * np.expm1(2 * r0 - q_lo))
    return out


def gbm_adjusted_change(season, pollutants, seed: int = 0, county: bool = True,
                        level: float = 0.95, n_boot: int = 200, series=None) -> tuple[pd.DataFrame, dict]:
    """:func:`zzeval.airquality.weather.weather_adjusted_change` with ``method="gbm"`` (``series``: its
    township series, when already built)."""
    series, rep = _series(season, pollutants, county, series)
    per = season.period
    des = _Designs(season)
    tables: dict = {}
    rows = []
    for i, ((tw, p), entry) in enumerate(series.items()):
        unit, ts, v = entry[1:4]
        src, m = des.feature_met(entry)  # a station's gaps filled from the county rows
        if src not in tables:
            feat = met_features(m) if m is not None else pd.DataFrame()
            tables[src] = (np.asarray(feat.get("datetime", []), dtype="datetime64[ns]"),
                           _table(feat) if len(feat) else None)
        t_met, tab = tables[src]
        inper = _in_period(ts, per.previous) | _in_period(ts, per)
        pos = np.searchsorted(t_met, ts[inper])
        pc = np.minimum(pos, max(len(t_met) - 1, 0))
        hit = (pos < len(t_met)) & np.isfinite(v[inper])
        hit[hit] &= t_met[pc[hit]] == ts[inper][hit]
        t, vals = ts[inper][hit], v[inper][hit]
        cur = _in_period(t, per)
        r = {"n_obs_previous": int((~cur).sum()), "n_obs_current": int(cur.sum()),
             "mean_previous": float(vals[~cur].mean()) if (~cur).any() else np.nan,
             "mean_current": float(vals[cur].mean()) if cur.any() else np.nan}
        r["observed_change_pct"] = 100 * (r["mean_current"] / r["mean_previous"] - 1)
        if cur.sum() >= 24 and (~cur).sum() >= 24 * 14 and tab is not None:
            r |= gbm_change(tab.iloc[pc[hit]].reset_index(drop=True), vals, _local_days(t),
                            cur, floor=_FLOOR.get(unit, 1.0), seed=seed + i, n_boot=n_boot,
                            level=level)
        rows.append({"township": tw, "pollutant": p, "unit": unit, **r})
    out = pd.DataFrame(rows)
    if len(out):
        # NaN: a column of a fitted series when no series had enough hours to fit; r2_cv and rmse_cv
        # always (the trees have no day-blocked cross-validation; the reports show "—" for them)
        for c in ("predicted_mean_current", "adjusted_change_pct", "r2_in", "block_days", "r2_cv", "rmse_cv"):
            if c not in out.columns:
                out[c] = np.nan
        out["weather_contribution_pp"] = out["observed_change_pct"] - out["adjusted_change_pct"]
        out["separable"] = True
        out["separable_reason"] = "not_assessed"
    return out, rep
