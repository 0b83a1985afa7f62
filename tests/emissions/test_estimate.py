"""Monte Carlo properties, county sums, what-if and output files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.emissions.season_factory import make_season, synthetic_county
from zzeval.emissions import MEASURES, POLLUTANTS, estimate_season, what_if, write_estimate
from zzeval.emissions.factors import load_factors

DRAWS = 2000


@pytest.fixture(scope="module")
def county():
    return synthetic_county()


@pytest.fixture(scope="module")
def result(county):
    return estimate_season(county, draws=DRAWS, seed=11)


def test_table_shape_and_columns(result, county):
    t = result.table
    assert list(t.columns) == ["township", "measure", "pollutant", "scope", "central", "low",
                               "high", "unit"]
    assert len(t) == 17 * len(MEASURES) * len(POLLUTANTS) * 3
    assert set(t.measure) == set(MEASURES) and set(t.pollutant) == set(POLLUTANTS)
    assert (t.unit == "t").all()
    # every measure cuts county PM2.5 and NOx in the county on this data
    c = result.county
    for m in ("clean_heating", "diesel_trucks", "road_to_rail"):
        row = c[(c.measure == m) & (c.pollutant == "NOx") & (c.scope == "in_county")].iloc[0]
        assert row.central > 0


def test_townships_sum_to_county(result):
    t, c = result.table, result.county
    summed = t.groupby(["measure", "pollutant", "scope"])["central"].sum()
    county = c.set_index(["measure", "pollutant", "scope"])["central"]
    pd.testing.assert_series_equal(summed.sort_index(), county.sort_index(), check_names=False)
    tot = result.totals
    assert tot[tot.township != "county"].groupby(["pollutant", "scope"])["central"].sum().sort_index() \
        .to_numpy() == pytest.approx(tot[tot.township == "county"].set_index(["pollutant", "scope"])
                                     ["central"].sort_index().to_numpy())


def test_county_draws_are_sums_of_township_draws():
    # With per-factor random streams, a township estimated alone gets the same factor draws,
    # so county draws must equal the sum of the single-township draws, draw by draw.
    heat = [("a", "coal_to_gas", 100, 100, "2020-10-20", 0.0), ("b", "coal_to_electricity", 50, 50,
            "2020-10-20", 0.0)]
    towns = [("a", "rural", 1000), ("b", "mountain", 800)]
    both = estimate_season(make_season(towns, heating=heat), draws=500, seed=3)
    a = estimate_season(make_season(towns[:1], heating=heat[:1]), draws=500, seed=3)
    b = estimate_season(make_season(towns[1:], heating=heat[1:]), draws=500, seed=3)
    for scope in ("in_county", "moved_outside", "net"):
        key = ("clean_heating", "PM2.5", scope)
        np.testing.assert_allclose(both.county_draws[key], a.county_draws[key] + b.county_draws[key])
    # and the county interval is not the sum of the township bounds
    c = both.county.set_index(["measure", "pollutant", "scope"]).loc[("clean_heating", "PM2.5", "net")]
    lows = both.table[(both.table.measure == "clean_heating") & (both.table.pollutant == "PM2.5")
                      & (both.table.scope == "net")]["low"].sum()
    assert c.low != pytest.approx(lows, rel=1e-6)


def test_intervals_contain_central(result):
    for frame in (result.table, result.county, result.totals):
        live = frame[(frame.low != 0) | (frame.high != 0)]
        assert len(live) > 100 or frame is not result.table
        assert (live.low <= live.central + 1e-12).all()
        assert (live.central <= live.high + 1e-12).all()
        assert (live.high > live.low).all()


def test_interval_shrinks_when_a_range_is_narrowed():
    season = make_season([("a", "rural", 1000)],
                         heating=[("a", "coal_to_gas", 100, 100, "2020-10-20", 0.0)])
    table = load_factors()
    wide = estimate_season(season, table, draws=DRAWS, seed=5).county
    narrow = estimate_season(season, table.narrowed("heating_coal_use/rural", 0.9), draws=DRAWS,
                             seed=5).county

    def width(c):
        r = c[(c.measure == "clean_heating") & (c.pollutant == "CO2") & (c.scope == "net")].iloc[0]
        return r.high - r.low

    assert width(narrow) < 0.9 * width(wide)


def test_same_seed_same_numbers_other_seed_differs(county):
    a = estimate_season(county, draws=500, seed=1)
    b = estimate_season(county, draws=500, seed=1)
    c = estimate_season(county, draws=500, seed=2)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.sensitivity, b.sensitivity)
    assert not np.allclose(a.table.low, c.table.low)
    pd.testing.assert_series_equal(a.table.central, c.table.central)  # central is deterministic


def test_sensitivity_recovers_a_planted_dominant_input():
    season = make_season([("a", "rural", 1000)],
                         heating=[("a", "coal_to_gas", 100, 100, "2020-10-20", 0.0)])
    # widen the rural coal-use assumption far beyond everything else
    table = load_factors().with_values({"heating_coal_use/rural": {"central": 2.8, "low": 0.5,
                                                                   "high": 10.0}})
    r = estimate_season(season, table, draws=DRAWS, seed=9)
    top = r.top_inputs("clean_heating", "CO2", k=1).iloc[0]
    assert top.input == "heating_coal_use/rural/-"
    assert top.contribution > 0.7 and top.rho > 0.8
    s = r.sensitivity
    assert s.groupby(["measure", "pollutant"])["contribution"].sum().to_numpy() == pytest.approx(1.0)
    # fixed factors are never ranked
    assert "heating_period/length/-" not in set(s.input)


def test_factors_used_lists_rows_with_sources(result):
    used = result.factors_used
    assert "grid/north_china/CO2" in {f"{g}/{i}/{p}" for g, i, p in
                                      zip(used.group, used.item, used.pollutant, strict=True)}
    assert used.source.str.len().min() > 10


def test_what_if_households_and_factor(county):
    slug = "bagong"
    base_done = county.heating_retrofits.query("township == @slug and retrofit_type == 'coal_to_gas'")[
        "households_done"].sum()
    w = what_if(county, households_done={(slug, "coal_to_gas"): 2 * base_done},
                overrides={"grid/north_china/CO2": 557}, draws=200, seed=4)
    comp = w.comparison.set_index(["township", "measure", "pollutant", "scope"])
    # grid CO2 800 → 557 g/kWh: electricity-related CO2 moved outside scales by 557/800
    row = comp.loc[("county", "road_to_rail", "CO2", "moved_outside")]
    assert row.changed == pytest.approx(row.baseline * 557 / 800)
    # doubling coal_to_gas households in bagong raises its heating SO2 cut; others unchanged
    assert comp.loc[(slug, "clean_heating", "SO2", "in_county")].change > 0
    assert comp.loc[("nancun", "clean_heating", "SO2", "in_county")].change == 0
    assert {"baseline", "changed", "change", "change_pct"} <= set(w.comparison.columns)


def test_write_estimate_csv_dir_csv_file_and_json(tmp_path, county):
    r = estimate_season(county, draws=200, seed=1)
    files = write_estimate(r, tmp_path / "out")
    names = {p.name for p in files}
    assert {"emission_reductions.csv", "emission_sensitivity.csv", "emission_meta.json"} <= names
    back = pd.read_csv(tmp_path / "out" / "emission_reductions.csv")
    assert len(back) == len(r.table) + len(r.county)
    assert back["central"].to_numpy() == pytest.approx(r.tidy()["central"].to_numpy())
    one = write_estimate(r, tmp_path / "x.csv")
    assert one == [tmp_path / "x.csv"] and (tmp_path / "x.csv").exists()
    js = write_estimate(r, tmp_path / "r.json", format="json")[0]
    doc = json.loads(js.read_text(encoding="utf-8"))
    assert doc["meta"]["n"] == 200 and "not a compliance inventory" in doc["meta"]["note"]
    assert len(doc["table"]) == len(r.tidy())
    with pytest.raises(ValueError, match="csv' or 'json"):
        write_estimate(r, tmp_path / "y", format="xml")


def test_central_only_and_draw_validation(county):
    r = estimate_season(county, draws=0)
    assert r.table.low.isna().all() and r.sensitivity.empty
    with pytest.raises(ValueError, match="a whole number from 100 to 50,000"):
        estimate_season(county, draws=10)


def test_intervals_match_numpy_quantile():
    from zzeval.emissions.uncertainty import intervals

    rng = np.random.default_rng(0)
    x = rng.lognormal(size=(7, 1001))
    x[3] = 0.0
    lo, hi = intervals(x, (0.025, 0.975))
    q = np.quantile(x, [0.025, 0.975], axis=1)
    np.testing.assert_allclose(lo, q[0])
    np.testing.assert_allclose(hi, q[1])
    lo, hi = intervals(x[:, :1000], (0.1, 0.5))
    q = np.quantile(x[:, :1000], [0.1, 0.5], axis=1)
    np.testing.assert_allclose(lo, q[0])
    np.testing.assert_allclose(hi, q[1])


def test_labels_and_without_draws(county):
    r = estimate_season(county, draws=100, seed=1)
    zh = r.labelled(lang="zh")
    assert set(zh.loc[zh.measure == "road_to_rail", "measure_label"]) == {"公转铁"}
    en = r.labelled(r.detail, lang="en")
    assert "Coal to gas" in set(en.submeasure_label)
    assert r.county_draws and not r.without_draws().county_draws
    assert len(r.county_draws[("total", "CO2", "net")]) == 100


@pytest.mark.parametrize("chunk", [1, 4])
def test_townships_in_chunks_give_the_same_numbers(county, result, monkeypatch, chunk):
    """The Monte Carlo arrays are held a few townships at a time (a province's were 2.4 GB at
    1,000 townships): every table and county draw is the same to the last bit."""
    import zzeval.emissions.estimate as est

    monkeypatch.setattr(est, "CHUNK_TOWNSHIPS", chunk)
    chunked = estimate_season(county, draws=DRAWS, seed=11)
    for name in ("table", "county", "totals", "detail", "sensitivity", "cost_effectiveness"):
        pd.testing.assert_frame_equal(getattr(chunked, name), getattr(result, name), check_exact=True)
    assert chunked.county_draws.keys() == result.county_draws.keys()
    assert all(np.array_equal(chunked.county_draws[k], result.county_draws[k]) for k in result.county_draws)
