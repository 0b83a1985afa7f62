"""Weather model internals: design rows, OLS, vectorised bootstrap, block length, placebo."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from zzeval.airquality.weather import (
    _block_weights,
    _change_core,
    _prepare,
    adjusted_change,
    coverage_block_length,
    design,
    optimal_block_length,
    placebo_in_time,
    weather_adjusted_change,
)
from zzeval.synthetic.planted import make_season


def _met(stamps, wd=0.0, ws=2.0):
    n = len(stamps)
    return pd.DataFrame({"datetime": pd.to_datetime(stamps), "temperature_c": 1.0,
                         "rh_pct": 50.0, "wind_speed_ms": ws, "wind_dir_deg": wd,
                         "pressure_hpa": 930.0, "precip_mm": [0.0] * n})


def test_design_hand_worked_rows():
    # 2020-10-05 is a Monday. Stamp 01:00 is the hour 00-01 of Monday: hour_1 = 1, no
    # weekday dummy (Monday is the reference). Stamp 00:00 is the last hour of Sunday
    # 2020-10-04: all hour dummies 0, wd_6 = 1. 2021-02-10 00:00 closes 2021-02-09, the
    # first day of the Spring Festival window (2021-02-09..19); 2021-02-09 00:00 closes
    # 2021-02-08, outside it.
    X = design(_met(["2020-10-05 01:00", "2020-10-05 00:00", "2021-02-10 00:00",
                     "2021-02-09 00:00"]), current=True)
    assert X.loc[0, "hour_1"] == 1 and X.loc[0, [f"wd_{d}" for d in range(1, 7)]].sum() == 0
    assert X.loc[1, [f"hour_{h}" for h in range(1, 24)]].sum() == 0 and X.loc[1, "wd_6"] == 1
    assert X["event_spring_festival"].tolist() == [0, 0, 1, 0]
    # day of year of 2020-10-05 is 279 (leap year): sin(2π·279/365.25)
    assert X.loc[0, "doy_s1"] == pytest.approx(np.sin(2 * np.pi * 279 / 365.25))
    # wind from the north (0°) at 2 m/s blows southward: u = 0, v = −2
    assert X.loc[0, "u_ms"] == pytest.approx(0) and X.loc[0, "v_ms"] == pytest.approx(-2)
    # from the east (90°): u = −2, v = 0
    Xe = design(_met(["2020-10-05 01:00"], wd=90.0))
    assert Xe.loc[0, "u_ms"] == pytest.approx(-2) and Xe.loc[0, "v_ms"] == pytest.approx(0)


def test_design_covid_dummy_off_in_current_season():
    # 2020-02-10 lies in the COVID-19 window (2020-01-24..02-29): 1 in the comparison
    # season, 0 when the rows are the evaluated season (counterfactual: no lockdown)
    m = _met(["2020-02-10 12:00"])
    assert design(m)["event_covid_2020"].iloc[0] == 1
    assert design(m, current=True)["event_covid_2020"].iloc[0] == 0


def test_block_weights_vectorised():
    rng = np.random.default_rng(0)
    w = _block_weights(rng, 10, 3, size=50)
    assert w.shape == (50, 10) and (w.sum(axis=1) == 10).all()
    # one block as long as the series is a rotation: every day drawn once
    assert (_block_weights(rng, 7, 7, size=5) == 1).all()
    assert _block_weights(rng, 7, 7).shape == (7,)


def test_optimal_block_length_ar1():
    # Politis-White for the circular block bootstrap of an AR(1) with φ = 0.6:
    # G/g(0) = 2φ/(1−φ²) = 1.875 and b = (2·1.875²/(4/3))^(1/3) · n^(1/3)
    # = 1.741 · 5000^(1/3) = 1.741 · 17.10 = 29.8
    rng = np.random.default_rng(1)
    e = rng.normal(size=5000)
    x = np.empty(5000)
    x[0] = e[0]
    for t in range(1, 5000):
        x[t] = 0.6 * x[t - 1] + e[t]
    assert 0.6 * 29.8 < optimal_block_length(x) < 1.5 * 29.8
    # white noise: no dependence, short blocks; too short a series: 1
    assert optimal_block_length(rng.normal(size=5000)) < 4
    assert optimal_block_length([1.0, 2.0, 3.0]) == 1.0
    # for coverage: the block bootstrap variance is low by G/(l·g(0)) = 1.875/l; at most
    # 5 % low needs l = 1.875 / 0.05 = 37.5 (longer than the MSE-optimal 29.8)
    assert 0.65 * 37.5 < coverage_block_length(x, 0.05) < 1.35 * 37.5
    # capped at ceil(min(3·sqrt(n), n/3)): for 182 days, ceil(min(40.5, 60.7)) = 41
    assert coverage_block_length(x[:182], 0.001) == 41


def _season(seed=3, days=60):
    data, truth = make_season(1, days=days, pollutants=("PM2.5",), seed=seed)
    aq = data.air_quality.merge(data.meteorology.drop(columns="station_code"), on="datetime")
    prev = aq[aq["datetime"] <= pd.Timestamp("2020-04-01")]
    cur = aq[aq["datetime"] > pd.Timestamp("2020-10-01")]
    return prev, cur


def test_point_estimate_equals_statsmodels_ols():
    prev, cur = _season()
    r = adjusted_change(prev, cur, n_boot=0)
    Xp, names, vp, _ = _prepare(prev, False)
    Xc, _, vc, _ = _prepare(cur, True)
    keep = Xp.std(axis=0, ddof=1) > 0
    dummy = np.array([n.startswith(("hour_", "wd_", "event_")) for n, k in
                      zip(names, keep, strict=True) if k])
    mu = np.where(dummy, 0, Xp[:, keep].mean(0))
    sd = np.where(dummy, 1, Xp[:, keep].std(0, ddof=1))
    fit = sm.OLS(np.log(np.maximum(vp, 1.0)), sm.add_constant((Xp[:, keep] - mu) / sd)).fit()
    pred = np.exp(sm.add_constant((Xc[:, keep] - mu) / sd) @ fit.params)
    pred *= np.mean(np.exp(fit.resid))  # Duan smearing
    assert r["adjusted_change_pct"] == pytest.approx(100 * (vc.sum() / pred.sum() - 1), abs=1e-8)
    assert r["r2_in"] == pytest.approx(fit.rsquared, abs=1e-10)


def test_vectorised_bootstrap_equals_per_draw_loop():
    prev, cur = _season(days=40)
    Xp, names, vp, dp = _prepare(prev, False)
    Xc, _, vc, dc = _prepare(cur, True)
    B, block, seed = 25, 5, 4
    r = _change_core(Xp, Xc, names, vp, vc, dp, dc, n_boot=B, seed=seed, block_days=block,
                     cv_folds=5, floor=1.0, level=0.95, interval="basic", return_draws=True)
    # the same draws one at a time (the previous implementation's loop)
    rng = np.random.default_rng(seed)
    _, ip = np.unique(dp, return_inverse=True)
    _, ic = np.unique(dc, return_inverse=True)
    Wp = _block_weights(rng, ip.max() + 1, block, B)
    Wc = _block_weights(rng, ic.max() + 1, block, B)
    keep = Xp.std(axis=0, ddof=1) > 0
    dummy = np.array([n.startswith(("hour_", "wd_", "event_")) for n, k in
                      zip(names, keep, strict=True) if k])
    mu = np.where(dummy, 0, Xp[:, keep].mean(0))
    sd = np.where(dummy, 1, Xp[:, keep].std(0, ddof=1))
    Zp = sm.add_constant((Xp[:, keep] - mu) / sd)
    Zc = sm.add_constant((Xc[:, keep] - mu) / sd)
    y = np.log(np.maximum(vp, 1.0))
    import warnings
    warnings.simplefilter("ignore", sm.tools.sm_exceptions.SingularMatrixWarning)
    for i in range(B):
        wh = Wp[i][ip]
        # weighted refit = resampled days; a weekday absent from a draw makes it rank
        # deficient (pinv here, a 1e-8 ridge there: agreement to ~1e-7 relative)
        b = sm.WLS(y, Zp, weights=wh).fit().params
        s_b = np.sum(wh * np.exp(y - Zp @ b)) / wh.sum()
        e = 100 * (np.sum(Wc[i][ic] * vc) / np.sum(Wc[i][ic] * np.exp(Zc @ b) * s_b) - 1)
        assert r["draws_pct"][i] == pytest.approx(e, abs=1e-4)
    # basic interval: 2·estimate − upper/lower bootstrap quantile
    lo, hi = np.quantile(r["draws_pct"], [0.025, 0.975])
    assert r["adjusted_change_low_pct"] == pytest.approx(2 * r["adjusted_change_pct"] - hi)


def test_interval_options():
    prev, cur = _season(days=40)
    kw = {"n_boot": 100, "seed": 1, "block_days": 5}
    a = adjusted_change(prev, cur, interval="basic_log", return_draws=True, **kw)
    q = np.quantile(a["draws_pct"], [0.025, 0.975])
    # basic on log(1 + change): exp(2·log(1+est) − log(1+q_hi)) − 1
    r0 = np.log1p(a["adjusted_change_pct"] / 100)
    assert a["adjusted_change_low_pct"] == pytest.approx(
        100 * np.expm1(2 * r0 - np.log1p(q[1] / 100)))
    p = adjusted_change(prev, cur, interval="percentile", **kw)
    assert (p["adjusted_change_low_pct"], p["adjusted_change_high_pct"]) == pytest.approx(q)
    with pytest.raises(ValueError, match="interval must be"):
        adjusted_change(prev, cur, interval="bca", **kw)


def test_placebo_in_time_null_and_planted():
    data, _ = make_season(2, pollutants=("PM2.5",), seed=21)
    res = placebo_in_time(data, pollutants=("PM2.5",), n_boot=150, seed=1, county=False,
                          method="ols")
    # default fake date: middle of the 2019-2020 season (183 days, leap February),
    # 2019-10-01 + 183 // 2 = 2019-10-01 + 91 d = 2019-12-31
    assert (res["fake_start"] == pd.Timestamp("2019-12-31")).all()
    # after it, the 2020 Spring Festival window (01-22..02-01) and COVID-19 response
    # (01-24..02-29) are absent from the training part: 01-22..02-29 = 10 + 29 = 39 days
    # = 936 hours excluded and counted
    assert (res["n_hours_excluded_events"] == 936).all()
    # 2019-12-31..2020-03-31 = 1 + 31 + 29 + 31 = 92 days, less 39: 53 days = 1272 hours
    assert (res["n_obs_after"] == (92 - 39) * 24).all()
    assert ((res["placebo_change_low_pct"] <= 0) & (0 <= res["placebo_change_high_pct"])).all()
    assert res["placebo_change_pct"].abs().max() < 10
    # a −20 % drop planted after the fake date is found (so the placebo can fail)
    aq = data.air_quality
    after = (aq["datetime"] > pd.Timestamp("2019-12-31 00:00")) & (
        aq["datetime"] <= pd.Timestamp("2020-04-01"))
    data.air_quality = aq.assign(value=np.where(after, 0.8 * aq["value"], aq["value"]))
    res2 = placebo_in_time(data, pollutants=("PM2.5",), n_boot=150, seed=1, county=False,
                           method="ols")
    assert (res2["placebo_change_pct"] - (-20)).abs().max() < 8
    assert (res2["placebo_change_high_pct"] < 0).all()


def test_placebo_bad_date():
    data, _ = make_season(1, days=60, pollutants=("PM2.5",), seed=2)
    with pytest.raises(ValueError, match="fake_start=2020-03-20 must lie inside"):
        placebo_in_time(data, fake_start="2020-03-20", n_boot=0)


def test_station_meteorology_with_county_gaps_matches_frame_path():
    # township t01 has its own station meteorology for the first 20 days of each season
    # (wind 1 m/s stronger), the county series elsewhere: the shared-design path must give
    # what adjusted_change gives on the joined frame
    data, _ = make_season(2, days=40, pollutants=("PM2.5",), seed=8)
    met = data.meteorology
    own = met[met["datetime"].dt.day <= 20].assign(
        station_code="S01", wind_speed_ms=lambda d: d["wind_speed_ms"] + 1.0)
    data.meteorology = pd.concat([met, own], ignore_index=True)
    res = weather_adjusted_change(data, pollutants=("PM2.5",), n_boot=0, county=False,
                                  method="ols")
    from zzeval.airquality.weather import township_series
    tw, rep = township_series(data, ("PM2.5",))
    assert rep["hours_without_weather"] == 0
    g = tw[tw["township"] == "t01"]
    assert set(g["met_source"]) == {"S01", "county"}
    # the series mixes sources: labelled as such, not "county" (the key of its weather, hour by hour)
    from zzeval.airquality.weather_data import _Designs, _series
    series, _ = _series(data, ("PM2.5",), county=False)
    assert series[("t01", "PM2.5")][0] == "S01+county" and series[("t01", "PM2.5")][4] is not None
    assert series[("t02", "PM2.5")][0] == "county" and series[("t02", "PM2.5")][4] is None
    key, filled = _Designs(data).feature_met(series[("t01", "PM2.5")])
    assert key == "S01+county" and len(filled) == len(met)  # S01's 2 × 20 days, the county's other hours
    prev = g[g["datetime"] <= pd.Timestamp("2020-04-01")]
    cur = g[g["datetime"] > pd.Timestamp("2020-10-01")]
    ref = adjusted_change(prev, cur, n_boot=0)
    got = res.set_index("township").loc["t01"]
    assert got["adjusted_change_pct"] == pytest.approx(ref["adjusted_change_pct"], abs=1e-9)
    assert got["n_obs_current"] == ref["n_obs_current"] == 40 * 24


def test_no_meteorology_gives_nan_not_crash():
    data, _ = make_season(1, days=30, pollutants=("PM2.5",), seed=8)
    data.meteorology = data.meteorology.iloc[:0]
    for method in ("ols", "gam"):
        res = weather_adjusted_change(data, pollutants=("PM2.5",), n_boot=0, method=method)
        assert res["adjusted_change_pct"].isna().all()
        assert res.attrs["exclusions"]["hours_without_weather"] == 2 * 30 * 24


@pytest.mark.parametrize("method", ["gam", "gbm"])
def test_one_day_missing_in_station_weather_keeps_the_station_weather(method):
    # review 6b, finding 16: township t01 has weather of its own station S01 (the county's,
    # 3 hours later) in both seasons; with one day of it missing t01 keeps S01's weather for
    # every other hour and takes the county's for that day (data/README.md) — the joint models
    # once switched the whole series to the county weather (gam −17.3 % -> −5.9 %)
    data, _ = make_season(1, days=60, pollutants=("PM2.5",), seed=8)
    met = data.meteorology
    own = met.assign(station_code="S01", datetime=met["datetime"] + pd.Timedelta(hours=3))
    day = own["datetime"].dt.normalize()
    gap = (day == day.iloc[-1] - pd.Timedelta(days=20)).to_numpy()  # a day of the current season
    by_hand = pd.concat([own[~gap], met[met["datetime"].isin(own.loc[gap, "datetime"])]
                         .assign(station_code="S01")], ignore_index=True)
    res = {}
    for name, rows in (("county", own.iloc[:0]), ("own", own), ("gap", own[~gap]),
                       ("by_hand", by_hand)):
        data.meteorology = pd.concat([met, rows], ignore_index=True)
        r = weather_adjusted_change(data, pollutants=("PM2.5",), n_boot=0, county=False,
                                    method=method)
        res[name] = float(r["adjusted_change_pct"].iloc[0])
    assert abs(res["own"] - res["county"]) > 2.0  # the station's weather matters here
    # the gap day filled with the county's weather, every other hour the station's
    assert res["gap"] == pytest.approx(res["by_hand"], abs=1e-9)
    if method == "gam":  # the trees of gbm move by ~2 points with any one day changed
        assert res["gap"] == pytest.approx(res["own"], abs=0.5)


@pytest.mark.parametrize("method", ["gam", "ols", "gbm"])
def test_no_series_gives_the_documented_columns_without_rows(method):
    """A season where no township has a series (here: a pollutant nobody measured) returns the
    documented columns and no rows, from every estimator, pooled or not; so do the pooled parts
    of nothing."""
    from zzeval.airquality.weather import RESULT_COLUMNS, pool_series

    data, _ = make_season(1, days=30, pollutants=("PM2.5",), seed=8)
    for pooled in (True, False):
        res = weather_adjusted_change(data, pollutants=("SO2",), n_boot=0, method=method,
                                      county=False, pooled=pooled)
        assert len(res) == 0
        assert set(RESULT_COLUMNS) <= set(res.columns)
        assert res[res["township"] == "t0"].empty
    assert list(pool_series([res.iloc[0:0]]).columns) == list(RESULT_COLUMNS)
