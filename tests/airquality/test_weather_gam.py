"""The joint weather model (method="gam"): hand-worked fit, sufficient statistics equal to
statsmodels, planted effects with build-up memory, placebo coverage, extrapolation flag."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from zzeval.airquality.weather import placebo_in_time, resolve_method, weather_adjusted_change
from zzeval.airquality.weather_gam import DayStats, _season_terms, _solve, gam_change
from zzeval.airquality.weather_intervals import interval, separability, unremoved_share
from zzeval.synthetic.planted import make_season


def _days(n_days, hours=24):
    return np.repeat(np.arange(n_days), hours).astype("datetime64[D]")


def test_hand_worked_step_intercept_only():
    # 10 days at 10 µg/m³ then 10 days at 8: with an intercept and the season step the fit
    # is exact, Duan's factor is 1 and the counterfactual is 10: change = 8/10 − 1 = −20 %
    v = np.r_[np.full(240, 10.0), np.full(240, 8.0)]
    cur = np.r_[np.zeros(240, bool), np.ones(240, bool)]
    tau = np.where(cur, np.tile(np.linspace(-1, 1, 10).repeat(24), 2), 0.0)
    r = gam_change(np.ones((480, 1)), ["intercept"], np.zeros(1, bool), v, _days(20), cur,
                   tau, floor=1.0, n_boot=0, seed=0, block_days=2, cv_folds=2)
    assert r["adjusted_change_pct"] == pytest.approx(-20.0, abs=1e-9)
    assert r["predicted_mean_current"] == pytest.approx(10.0, abs=1e-9)


def test_day_sums_equal_statsmodels_on_weighted_days():
    rng = np.random.default_rng(0)
    nd = 30
    Z = np.column_stack([np.ones(nd * 24), rng.normal(size=(nd * 24, 3))])
    y = Z @ [1.0, 0.5, -0.2, 0.1] + rng.normal(0, 0.3, nd * 24)
    cur_d = np.arange(nd) >= 15
    tau_d = np.where(cur_d, (np.arange(nd) - 22) / 7.0, 0.0)
    starts = np.arange(nd) * 24
    G = _season_terms(cur_d, tau_d)
    w = rng.integers(0, 3, nd).astype(float)  # a bootstrap-like weighting of days
    beta = _solve(*DayStats(Z, y, starts).sums(G, w[None, :]))[0]
    X = np.column_stack([Z, G.repeat(24, axis=0)])
    ref = sm.WLS(y, X, weights=w.repeat(24)).fit().params
    assert beta == pytest.approx(ref, abs=1e-7)


def _memory_season(seed, planted=0.85, stagnant_factor=0.75):
    """PM2.5 that builds up with the exponentially weighted past ventilation (half-life 36 h,
    not one of the model's features), a current season with weaker winds and a lower
    mixing height, a planted step."""
    data, _ = make_season(1, days=70, pollutants=("PM2.5",), seed=seed, weather_shift_sd=0.0)
    met = data.meteorology.copy()
    cur = met["datetime"] > pd.Timestamp("2020-10-01")
    met.loc[cur, ["wind_speed_ms", "blh_m"]] *= stagnant_factor
    data.meteorology = met
    vent = np.log(np.maximum(met["wind_speed_ms"], 0.2) * met["blh_m"])
    mem = vent.ewm(halflife=36).mean()  # hourly rows, both seasons
    rng = np.random.default_rng(seed)
    noise = np.repeat(rng.normal(0, 0.15, len(met) // 24 + 1), 24)[: len(met)]
    log_c = 4.0 - 0.9 * (mem - mem.mean()) + noise + rng.normal(0, 0.2, len(met))
    val = np.exp(log_c) * np.where(cur, planted, 1.0)
    aq = data.air_quality.drop(columns="value").merge(
        pd.DataFrame({"datetime": met["datetime"], "value": val}), on="datetime")
    data.air_quality = aq
    return data


def test_planted_step_recovered_with_buildup_memory_and_worse_weather():
    data = _memory_season(seed=5)
    g = weather_adjusted_change(data, pollutants=("PM2.5",), n_boot=100, county=False,
                                method="gam").iloc[0]
    o = weather_adjusted_change(data, pollutants=("PM2.5",), n_boot=0, county=False,
                                method="ols").iloc[0]
    # weaker winds make the current season dirtier: the measured change hides the cut
    assert g["observed_change_pct"] > 0
    assert g["adjusted_change_pct"] == pytest.approx(-15.0, abs=4.0)
    assert g["adjusted_change_low_pct"] < -15.0 < g["adjusted_change_high_pct"]
    # the same-hour model fitted on the previous season cannot see the build-up
    assert abs(o["adjusted_change_pct"] + 15) > abs(g["adjusted_change_pct"] + 15)
    assert g["method"] == "gam"


def test_placebo_coverage_and_width_on_null_seasons():
    covered, widths = 0, []
    for seed in range(3):
        data, _ = make_season(2, days=80, pollutants=("PM2.5",), seed=40 + seed)
        r = placebo_in_time(data, fake_start="2019-11-15", pollutants=("PM2.5",), n_boot=100,
                            seed=seed, county=False, method="gam")
        assert (r["n_obs_after"] == 35 * 24).all()
        covered += int(((r["placebo_change_low_pct"] <= 0)
                        & (0 <= r["placebo_change_high_pct"])).sum())
        widths += (r["placebo_change_high_pct"] - r["placebo_change_low_pct"]).tolist()
    assert covered >= 5  # of 6 null series
    # an interval of any width would cover: it must be finite and not absurd (45 and 35
    # days on the two sides of the fake date: intervals of ±15-30 pp)
    assert np.isfinite(widths).all() and np.median(widths) < 60


def test_extrapolation_flagged_when_weather_does_not_overlap():
    data = _memory_season(seed=6, planted=1.0, stagnant_factor=0.2)
    r = weather_adjusted_change(data, pollutants=("PM2.5",), n_boot=50, county=False,
                                method="gam").iloc[0]
    assert not r["separable"]
    assert r["separable_reason"] in ("weather_extrapolation", "weather_difference_too_large")
    same = weather_adjusted_change(_memory_season(seed=6, planted=1.0, stagnant_factor=1.0),
                                   pollutants=("PM2.5",), n_boot=50, county=False).iloc[0]
    assert same["separable"] and same["separable_reason"] == "ok"
    # the flagged interval is wider than the same-climate one
    assert (r["adjusted_change_high_pct"] - r["adjusted_change_low_pct"]
            > same["adjusted_change_high_pct"] - same["adjusted_change_low_pct"])


def test_unremoved_share_and_interval_hand_worked():
    w = np.array([[0.4, -0.2, 0.1, 0.05]])
    a, se = unremoved_share(0.25 * w, w)
    assert a == pytest.approx(0.25) and se == pytest.approx(0.0, abs=1e-12)
    # no bootstrap draws: r0 ± 1.96·σ on log(1 + change); est 0 %, σ = 0.1
    lo, hi = interval(0.0, np.zeros(0), 0.1, 0.95)
    assert lo == pytest.approx(100 * np.expm1(-1.959964 * 0.1), abs=1e-4)
    assert hi == pytest.approx(100 * np.expm1(1.959964 * 0.1), abs=1e-4)
    assert separability(0.3, 0.1) == "weather_extrapolation"
    assert separability(0.0, np.log(1.8)) == "weather_difference_too_large"
    assert separability(0.0, np.log(1.2)) == "ok"


def test_method_from_season_yaml_and_errors():
    data, _ = make_season(1, days=40, pollutants=("PM2.5",), seed=1)
    data.meta["weather_model"] = "ols"
    assert resolve_method(data, None) == "ols"
    assert resolve_method(data, "gam") == "gam"
    data.meta["weather_model"] = "forest"
    with pytest.raises(ValueError, match="weather model must be one of gam, gbm, ols"):
        weather_adjusted_change(data, pollutants=("PM2.5",), n_boot=0)
