"""Planted effects recovered, placebos near zero (small synthetic seasons, fast)."""

import numpy as np
import pandas as pd
import pytest

from zzeval.airquality.did import retrofit_did, retrofit_intensity
from zzeval.airquality.weather import weather_adjusted_change
from zzeval.synthetic.planted import effect_path, make_season

START = pd.Timestamp("2020-10-01")


def test_effect_path_shapes():
    idx = pd.date_range(START, periods=5, freq="D")
    # step of -20 % for 2 days from day 1: 0, -0.2, -0.2, 0, 0
    np.testing.assert_allclose(effect_path(idx, "step", -20, START + pd.Timedelta(days=1), 2),
                               [0, -0.2, -0.2, 0, 0])
    # ramp to -40 % over 4 days: 0, -0.1, -0.2, -0.3, -0.4
    np.testing.assert_allclose(effect_path(idx, "ramp", -40, START, 4), [0, -.1, -.2, -.3, -.4])


@pytest.mark.parametrize("effect, size", [
    ({"kind": "step", "size_pct": -25, "duration_days": 400}, -25),
    ({"kind": "ramp", "size_pct": -30, "duration_days": 30}, None),
])
def test_planted_effect_recovered_within_interval(effect, size):
    # The previous-season OLS ("ols") on seasons of its own log-linear form, 75 days long. The
    # default joint model ("gam") misses a 30-day ramp in such short seasons by ~12 pp (its
    # limits, docs/methods_airquality.md § 4); its recovery tests are in test_weather_gam.py.
    eff = {**effect, "scope": "all", "start": START}
    data, truth = make_season(3, days=75, effect=eff, pollutants=("PM2.5",), seed=11)
    res = weather_adjusted_change(data, pollutants=("PM2.5",), n_boot=150, seed=1, method="ols")
    m = res.merge(truth.effect_pct, on=["township", "pollutant"])
    if size is not None:
        assert np.allclose(m["effect_pct"], size)
    inside = (m["adjusted_change_low_pct"] <= m["effect_pct"]) & (
        m["effect_pct"] <= m["adjusted_change_high_pct"])
    assert inside.mean() >= 0.75, m
    # the point estimates are close, and the model has out-of-sample skill
    assert (m["adjusted_change_pct"] - m["effect_pct"]).abs().max() < 12
    assert (m["r2_cv"] > 0.1).all()


def test_placebo_in_time_no_effect():
    # A season with no intervention: the adjusted change is near 0 and the intervals cover
    # 0, although the windier current season moves the observed change.
    data, _ = make_season(3, days=75, effect=None, pollutants=("PM2.5",), seed=5,
                          weather_shift_sd=0.6)
    res = weather_adjusted_change(data, pollutants=("PM2.5",), n_boot=150, seed=2)
    covered = (res["adjusted_change_low_pct"] <= 0) & (0 <= res["adjusted_change_high_pct"])
    assert covered.mean() >= 0.75
    assert res["adjusted_change_pct"].abs().mean() < res["observed_change_pct"].abs().mean()


def test_exclusion_station_without_township_is_counted():
    data, _ = make_season(2, days=20, pollutants=("PM2.5",), seed=3)
    data.stations = data.stations.iloc[:1]
    res = weather_adjusted_change(data, pollutants=("PM2.5",), n_boot=0)
    ex = res.attrs["exclusions"]
    assert ex["stations_without_township"] == ["S02"]
    assert ex["rows_excluded_no_township"] == 2 * 20 * 24


def test_did_recovers_planted_slope_and_placebo_in_space():
    eff = {"kind": "step", "size_pct": -20, "duration_days": 400, "scope": "intensity",
           "start": START}
    data, truth = make_season(10, days=60, effect=eff, pollutants=("PM2.5",), seed=4)
    inten = retrofit_intensity(data)
    # intensity = households_done / households, as planted
    np.testing.assert_allclose(inten.sort_index(), truth.intensity.sort_index(), atol=1e-3)
    r = retrofit_did(data, n_boot=199, seed=1)
    # planted slope log(0.8) = -0.223
    assert r.ci_low <= truth.did_beta <= r.ci_high
    assert r.p_value < 0.05 and r.n_clusters == 10
    assert r.pretrend_p > 0.01
    assert set(r.event_study.columns) >= {"month", "beta", "se_cr1", "pre"}
    # placebo in space: an intensity unrelated to the planted one (reversed ranks)
    rev = pd.Series(truth.intensity.sort_values().index[::-1], index=truth.intensity.sort_values().index)
    perm = truth.intensity.rename(index=dict(zip(rev.index, rev.values, strict=True)))
    rp = retrofit_did(data, intensity=perm, n_boot=199, seed=1, event_study=False)
    assert abs(rp.beta) < abs(r.beta)


def test_did_no_effect_is_null():
    data, _ = make_season(8, days=45, effect=None, pollutants=("PM2.5",), seed=9)
    r = retrofit_did(data, n_boot=199, seed=3, event_study=False)
    assert r.ci_low <= 0 <= r.ci_high


def _refit_each_draw(ry, rX, e, beta, se, g, n_fe, n_boot, seed):
    """The wild cluster bootstrap written the plain way: every draw's y built row by row and refitted."""
    from zzeval.airquality.did import _WEBB

    G = int(g.max()) + 1
    rng = np.random.default_rng(seed)
    x = rX[:, 0]
    xx = float(x @ x)
    n, k = rX.shape
    c1 = G / (G - 1) * (n - 1) / max(n - k - n_fe, 1)
    w = _WEBB[rng.integers(0, 6, (n_boot, G))]
    ts = {0: np.empty(n_boot), 1: np.empty(n_boot)}
    for b in range(n_boot):
        for j, (base, res) in enumerate(((np.zeros_like(ry), ry), (x * beta, e))):
            yb = base + res * w[b, g]
            bb = float(x @ yb) / xx
            sg = np.bincount(g, weights=x * (yb - x * bb), minlength=G)
            ts[j][b] = (bb - (beta if j else 0.0)) / (float(np.sqrt(c1 * (sg @ sg))) / xx)
    lo, hi = np.quantile(ts[1], [0.025, 0.975])
    return float(np.mean(np.abs(ts[0]) >= abs(beta / se))), float(lo), float(hi)


def test_wild_cluster_bootstrap_equals_refitting_each_draw():
    from zzeval.airquality.did import _wild_cluster_bootstrap

    rng = np.random.default_rng(5)
    g = np.repeat(np.arange(12), 30)  # 12 townships × 30 days
    rX = rng.normal(size=(g.size, 1)) + 0.3 * g[:, None] / 12
    ry = -0.2 * rX[:, 0] + rng.normal(scale=0.5, size=g.size) + rng.normal(size=12)[g]
    beta = float(rX[:, 0] @ ry / (rX[:, 0] @ rX[:, 0]))
    e = ry - rX[:, 0] * beta
    scores = np.bincount(g, weights=rX[:, 0] * e)
    se = float(np.sqrt(12 / 11 * (g.size - 1) / (g.size - 1 - 41) * (scores @ scores))) / float(rX[:, 0] @ rX[:, 0])
    fast = _wild_cluster_bootstrap(ry, rX, e, beta, se, g, 41, 499, 11)
    plain = _refit_each_draw(ry, rX, e, beta, se, g, 41, 499, 11)
    np.testing.assert_allclose(fast, plain, rtol=1e-10, atol=1e-12)
    # a planted slope of −0.2 against cluster noise: a small p-value, an interval of t around 0
    assert fast[0] < 0.05 and fast[1] < 0 < fast[2]
