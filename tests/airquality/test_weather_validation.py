"""The independent winter generator's physics, and the validation harness end to end."""

import numpy as np
import pandas as pd
import pytest

from zzeval.synthetic import weather_validation as wv
from zzeval.synthetic import winter as W
from zzeval.synthetic import winter_box as B
from zzeval.synthetic.winter_met import Climate, rh_from_dewpoint, simulate_weather


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """Shared by the folder tests: the cached sample tables are written once."""
    return tmp_path_factory.mktemp("winter")


def _county_pm25(truth: pd.DataFrame, col: str) -> float:
    return float(truth.query("township == 'county' and pollutant == 'PM2.5'")[col].iloc[0])


def test_measure_ramp_hand_worked():
    m = pd.DataFrame({"township": ["a"], "coal_cut": [0.6], "traffic_cut": [0.0],
                      "industry_cut": [0.2],
                      "coal_start": [pd.Timestamp("2020-11-01")],
                      "coal_end": [pd.Timestamp("2021-01-01")],
                      "traffic_start": [pd.Timestamp("2020-10-15")],
                      "traffic_end": [pd.Timestamp("2020-12-15")],
                      "industry_start": [pd.Timestamp("2020-12-01")],
                      "industry_end": [pd.Timestamp("2020-12-15")]})
    t = pd.DatetimeIndex(["2020-10-20", "2020-12-01", "2021-02-01"])
    cuts = W.measure_cuts(t, m)
    # 30 of the 61 days of the coal ramp have passed on 1 December: 0.6 * 30 / 61
    assert cuts["coal"][:, 0] == pytest.approx([0.0, 0.6 * 30 / 61, 0.6])
    assert cuts["industry"][:, 0] == pytest.approx([0.0, 0.0, 0.2])
    assert cuts["traffic"][:, 0] == pytest.approx([0.0, 0.0, 0.0])


def test_magnus_rh():
    assert rh_from_dewpoint(10.0, 10.0) == pytest.approx(100.0)
    # e_s(0 °C) / e_s(10 °C) = exp(-17.62 * 10 / (243.12 + 10)) = exp(-0.69612) = 0.49852
    assert rh_from_dewpoint(10.0, 0.0) == pytest.approx(49.852, abs=0.001)


def test_planted_ramp_recovered_by_with_without_runs(monkeypatch):
    """All local sources of one township cut by a slow ramp, no background: the box is
    linear and fast, so the season-mean change of CO is mean((1 − f·r)·C0)/mean(C0) − 1."""
    monkeypatch.setattr(B, "CLEAN", np.zeros(6))
    monkeypatch.setattr(B, "REGIONAL_STRENGTH", dict.fromkeys(B.REGIONAL_STRENGTH, 0.0))
    monkeypatch.setitem(B.LOCAL_STRENGTH, "fireworks", 0.0)
    times = W.season_times(2020)
    w = simulate_weather(times, Climate(), np.random.default_rng(3))
    t = times.to_numpy()
    a, b = np.datetime64("2020-11-01"), np.datetime64("2021-01-01")
    ramp = np.clip((t - a) / (b - a), 0, 1)
    f = 0.5
    cuts = {s: (f * ramp)[:, None] for s in ("coal", "traffic", "industry")}
    with_, without = W._simulate_season(w, np.ones((1, 3)), [{"covid": False, "cuts": cuts},
                                                             {"covid": False, "cuts": {}}])
    keep = times >= pd.Timestamp("2020-10-01")
    c1, c0 = with_["CO"][keep, 0], without["CO"][keep, 0]
    planted = 100 * (c1.mean() / c0.mean() - 1)
    expected = 100 * (((1 - f * ramp[keep]) * c0).mean() / c0.mean() - 1)
    assert expected < -20
    assert planted == pytest.approx(expected, abs=0.3)


def test_dirtier_climate_raises_no_measure_pm25():
    """Common random numbers: per seed, the weather effect grows with the scenario; over
    four seeds the means are near the scenario names (−15 %, +40 %)."""
    eff = {sc: [_county_pm25(W.simulate(3, sc, s).truth, "weather_effect_pct")
                for s in range(4)] for sc in ("w-15", "w0", "w+40")}
    for s in range(4):
        assert eff["w-15"][s] < eff["w0"][s] < eff["w+40"][s]
    assert -35 < np.mean(eff["w-15"]) < 0
    assert 20 < np.mean(eff["w+40"]) < 70


def test_build_up_memory():
    """At the same calm same-hour wind, PM2.5 four or more days after a front is far higher
    than in the first day and a half: concentrations remember the past ventilation."""
    late, early = [], []
    for seed in (0, 1):
        sim = W.simulate(3, "w0", seed)
        for season, run in (("previous", "no_covid"), ("current", "no_measures")):
            w, m = sim.weather[season], sim.in_season[season]
            pm = sim.conc[(season, run)]["PM2.5"][m].mean(axis=1)
            calm = (w.wind_speed_ms[m] >= 0.4) & (w.wind_speed_ms[m] <= 1.2)
            early.append(pm[calm & (w.hours_since_front[m] <= 36)])
            late.append(pm[calm & (w.hours_since_front[m] >= 96)])
    assert np.median(np.concatenate(late)) > 1.3 * np.median(np.concatenate(early))


def test_truth_identities_and_observed_folder(workdir):
    sim = W.write_winter_season(workdir / "s", "w+20", seed=5, n_townships=3,
                                cache_dir=workdir / "cache")
    truth = pd.read_csv(workdir / "s" / "truth.csv")
    assert set(truth["township"]) == {*sim.townships["slug"], "county"}
    assert len(truth) == 4 * 6
    # townships without measures have a planted change of exactly 0
    none = sim.measures[["coal_cut", "traffic_cut", "industry_cut"]].sum(axis=1) == 0
    untreated = set(sim.measures.loc[none, "township"])
    assert untreated
    z = truth[truth["township"].isin(untreated)]["planted_change_pct"]
    assert np.allclose(z, 0.0, atol=1e-9)
    # the COVID-19 dip lowers the previous season: non-plan change > weather effect
    assert _county_pm25(truth, "nonplan_change_pct") > _county_pm25(truth, "weather_effect_pct")
    # the COVID-19 dip outlasts zzeval's dummy (ends 29 Feb 2020): NO2 still lower in March
    times = sim.weather["previous"].times
    no2, no2_0 = sim.conc[("previous", "observed")]["NO2"], sim.conc[("previous", "no_covid")]["NO2"]
    march, before = times.month == 3, times < pd.Timestamp("2020-01-24")
    assert no2[march].mean() / no2_0[march].mean() < 0.95
    assert np.array_equal(no2[before], no2_0[before])
    # less NOx, less titration: O3 rises in townships that cut traffic
    cut = set(sim.measures.loc[sim.measures["traffic_cut"] > 0, "township"])
    assert cut
    o3 = truth[(truth["pollutant"] == "O3") & truth["township"].isin(cut)]
    assert (o3["planted_change_pct"] > 0).all()
    aq = pd.read_csv(workdir / "s" / "air_quality.csv.gz")
    n_hours = (182 + 183) * 24
    assert 0.85 < len(aq) / (3 * 6 * n_hours) < 0.99  # gaps and outages


def test_harness_end_to_end(workdir):
    res = wv.run(["w+20"], n_seasons=1, n_townships=3, n_boot=20, workdir=workdir,
                 pollutants=("PM2.5", "CO"), log=None)
    assert len(res) == 2 * 4
    summ = wv.summarise(res)
    assert len(summ) == 4  # 2 pollutants × (townships, county)
    cols = ["bias_pp", "rmse_pp", "bias_measured_pp", "rmse_measured_pp", "coverage",
            "coverage_mcse", "width_median_pp"]
    assert np.isfinite(summ[cols].to_numpy()).all()
    t = summ[summ["scope"] == "townships"].set_index("pollutant")
    r = res[res["township"] != "county"]
    pm = r[r["pollutant"] == "PM2.5"]
    err = pm["adjusted_change_pct"] - pm["planted_change_pct"]
    assert t.loc["PM2.5", "bias_pp"] == pytest.approx(err.mean())
    assert t.loc["PM2.5", "rmse_pp"] == pytest.approx(np.sqrt((err**2).mean()))
    assert "| w+20 | PM2.5 |" in wv.markdown(summ)
    # the CLI re-summarises saved rows into the markdown table and a CSV
    res.to_csv(workdir / "t.rows.csv", index=False)
    assert wv.main(["--from-rows", str(workdir / "t.rows.csv"), "--out", str(workdir / "t.md")]) == 0
    assert "| w+20 | CO |" in (workdir / "t.md").read_text(encoding="utf-8")
    assert len(pd.read_csv(workdir / "t.summary.csv")) == 4
    # a reused workdir gives the same seasons
    again = wv.run_case("w+20", 0, 3, workdir=workdir, n_boot=20, pollutants=("CO",))
    assert again["planted_change_pct"].to_numpy() == pytest.approx(
        res[res["pollutant"] == "CO"]["planted_change_pct"].to_numpy())
