"""Intervals of the weather-adjusted change that hold when the weather model is imperfect.

The day-block bootstrap (:mod:`zzeval.airquality.weather_blocks`) measures sampling noise and the
uncertainty of the fitted coefficients **if the model's form is right**. When it is not,
the adjusted change keeps a share of the weather difference between the seasons. That share
is measured where the true change is known to be zero: **placebo splits** inside the
previous season (:func:`zzeval.airquality.weather_gam._placebos`: its weeks of worst weather against
the rest, and random halves of weeks). For each pollutant, the placebo log changes ``e_k``
(true value 0) are regressed through the origin on the placebo weather contrasts ``w_k``
(mean difference of the model's weather index, log scale), after averaging over the series
that share the split (the townships share the weather, so they are not independent):

    e_k = a · w_k + noise,   â, se(â)  (OLS through the origin on the split means)

``|â|`` is the share of a weather difference that the model fails to remove, as far as the
reference season can show it. The interval of a series with weather contrast ``w`` then adds
a model-error term in quadrature to the bootstrap half-widths on the log-ratio scale:

    σ_model = √(â² + se(â)²) · |w|,   half-width = √(h_boot² + (z σ_model)²)

so it widens in proportion to how much weather there is to remove. This is a placebo
calibration in the sense of the in-time placebo tests of Grange & Carslaw (2019); the
residual-based idea is that of conformal calibration (a held-out error distribution sets
the width), applied to the estimator rather than to single predictions.

**Not separable.** When the current season's weather lies outside what the previous season
showed, the calibration itself is extrapolated. A series is flagged ``separable = False``
with a machine-readable ``separable_reason``:

* ``"weather_extrapolation"``: more than :data:`MAX_EXTRAPOLATION_SHARE` of the current
  season's days have a daily weather index outside the previous season's range;
* ``"weather_difference_too_large"``: the weather alone moves the season mean by more than
  :data:`MAX_WEATHER_RATIO` (up) or its inverse (down);
* ``"too_few_hours"``: too few hours to fit (no estimate).

Flagged series keep their point estimate, and their interval is widened to a model error of
at least half the weather contrast (``σ_model ≥ |w| / 2``): the data cannot say how much of
so large a difference the model removes. Both thresholds are policy [A], fixed before any
validation run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

#: largest share of current-season days with weather outside the previous season's range [A]
MAX_EXTRAPOLATION_SHARE = 0.25
#: largest weather-driven ratio of season means that is treated as separable [A]
MAX_WEATHER_RATIO = 1.5
#: reason codes of ``separable_reason`` (the report words live with the labels)
REASONS = ("ok", "weather_extrapolation", "weather_difference_too_large", "too_few_hours")


def unremoved_share(e: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """``(â, se(â))`` of ``e = a·w`` through the origin.

    Parameters
    ----------
    e, w : (series, splits) arrays
        Placebo log changes and weather contrasts; rows are series that share the splits
        (averaged first), NaN rows ignored.
    """
    e = np.nanmean(np.atleast_2d(e), axis=0)
    w = np.nanmean(np.atleast_2d(w), axis=0)
    ok = np.isfinite(e) & np.isfinite(w)
    e, w = e[ok], w[ok]
    sww = float(w @ w)
    if len(e) < 2 or sww <= 0:
        return 0.0, 0.0
    a = float(e @ w / sww)
    s2 = float(np.sum((e - a * w) ** 2) / (len(e) - 1))
    return a, float(np.sqrt(s2 / sww))


def separability(extrapolation_share: float, weather_log_contrast: float) -> str:
    """Reason code (:data:`REASONS`) for one series."""
    if not np.isfinite(weather_log_contrast):
        return "too_few_hours"
    if extrapolation_share > MAX_EXTRAPOLATION_SHARE:
        return "weather_extrapolation"
    if abs(weather_log_contrast) > np.log(MAX_WEATHER_RATIO):
        return "weather_difference_too_large"
    return "ok"


def interval(est_pct: float, draws_log: np.ndarray, model_sd_log: float, level: float
             ) -> tuple[float, float]:
    """Basic block-bootstrap interval on ``log(1 + change)``, widened by a model error.

    ``low = r0 − √((r0 − (2 r0 − q_hi))² + (z σ)²)``, ``high`` likewise with ``q_lo``, where
    ``r0 = log(1 + est/100)``, ``q`` the bootstrap quantiles of the log ratio and ``z`` the
    normal quantile of ``level``; returned in percent. Without draws, the model term alone.
    """
    r0 = np.log1p(est_pct / 100)
    z = norm.ppf(0.5 + level / 2)
    if len(draws_log):
        a = (1 - level) / 2
        q_lo, q_hi = np.quantile(draws_log, [a, 1 - a])
        h_lo, h_hi = q_hi - r0, r0 - q_lo  # basic interval: reflected quantiles
    else:
        h_lo = h_hi = 0.0
    m = z * model_sd_log
    low = r0 - np.sqrt(max(h_lo, 0.0) ** 2 + m**2)
    high = r0 + np.sqrt(max(h_hi, 0.0) ** 2 + m**2)
    return float(100 * np.expm1(low)), float(100 * np.expm1(high))


def calibrate(rows: list[dict], level: float, n_boot: int) -> pd.DataFrame:
    """Interval columns of :func:`zzeval.airquality.weather.weather_adjusted_change` (method gam).

    ``rows`` are the per-series dicts of :func:`zzeval.airquality.weather_gam.gam_change` with
    ``pollutant``; adds ``adjusted_change_low_pct``, ``adjusted_change_high_pct``,
    ``unremoved_share`` (â of the pollutant), ``model_error_pct`` (σ_model in percent of the
    counterfactual), ``separable``, ``separable_reason``.
    """
    df = pd.DataFrame(rows)
    shares = {}
    for pol, g in df.groupby("pollutant", sort=False):
        if "placebo_e" not in g:
            continue
        ok = g["placebo_e"].map(lambda x: isinstance(x, np.ndarray) and len(x) > 0)
        if ok.any():
            shares[pol] = unremoved_share(np.vstack(g.loc[ok, "placebo_e"]),
                                          np.vstack(g.loc[ok, "placebo_w"]))
    out = []
    for r in rows:
        a, se = shares.get(r["pollutant"], (0.0, 0.0))
        w = r.get("weather_log_contrast", np.nan)
        reason = separability(r.get("extrapolation_share", np.nan), w)
        sd = np.hypot(a, se) * abs(w) if np.isfinite(w) else np.nan
        if reason not in ("ok", "too_few_hours"):
            sd = max(sd, abs(w) / 2)
        low = high = np.nan
        if np.isfinite(r.get("adjusted_change_pct", np.nan)) and (n_boot or sd > 0):
            low, high = interval(r["adjusted_change_pct"], r.get("draws_log", np.zeros(0)),
                                 sd, level)
        out.append({"adjusted_change_low_pct": low, "adjusted_change_high_pct": high,
                    "unremoved_share": a, "model_error_pct": 100 * sd,
                    "separable": reason == "ok", "separable_reason": reason})
    return pd.DataFrame(out)
