"""Tests of the synthetic sample season generator (zzeval.synthetic.sample).

The season is generated once per module (seed 2020, the 17 townships) into a temporary
folder; it must equal the committed ``data/sample`` byte for byte.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from zzeval.season import schema
from zzeval.synthetic.sample import write_sample
from zzeval.synthetic.sample_tables import (
    CREA_JINCHENG_PM25_OBSERVED_UGM3,
    PLAN_HEATING_HOUSEHOLDS,
    largest_remainder,
)

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "data" / "sample"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return write_sample(tmp_path_factory.mktemp("sample") / "s", seed=2020)


@pytest.fixture(scope="module")
def tables(sample) -> dict[str, pd.DataFrame]:
    out = {}
    for name in schema.TABLES:
        path = sample / f"{name}.csv"
        if not path.exists():
            path = sample / f"{name}.csv.gz"
        out[name] = pd.read_csv(path, dtype={"code": str}, keep_default_na=False,
                                na_values={"subsidy_yuan": [""], "scrappage_payment_yuan": [""]})
    out["air_quality"]["datetime"] = pd.to_datetime(out["air_quality"]["datetime"])
    out["meteorology"]["datetime"] = pd.to_datetime(out["meteorology"]["datetime"])
    out["planted_effects"] = pd.read_csv(sample / "planted_effects.csv")
    return out


def _season(ts: pd.Series) -> np.ndarray:
    return np.where(ts < pd.Timestamp("2020-06-01"), "2019-2020", "2020-2021")


# ---- largest remainder ---------------------------------------------------------------


def test_largest_remainder_hand_worked():
    # quotas 10/3 = 3.33 each: floors 3+3+3 = 9, one unit left -> the first of the tied
    assert largest_remainder(10, [1, 1, 1]).tolist() == [4, 3, 3]
    # quotas 3.5, 2.1, 1.4: floors 3, 2, 1 = 6; one left -> largest remainder 0.5 (first)
    assert largest_remainder(7, [0.5, 0.3, 0.2]).tolist() == [4, 2, 1]
    with pytest.raises(ValueError):
        largest_remainder(5, [0, 0])


# ---- the plan's allocations ----------------------------------------------------------


def test_retrofit_allocations_add_up_to_the_plan(tables):
    rt = tables["heating_retrofits"]
    planned = rt.groupby("retrofit_type")["households_planned"].sum()
    assert planned["coal_to_electricity"] == 3004
    assert planned["coal_to_gas"] == 2350
    assert planned["waste_heat"] == 12006
    assert sum(planned[t] for t in PLAN_HEATING_HOUSEHOLDS) == 17360
    # clean coal only in the three mountain townships, outside the 17,360
    assert set(rt.loc[rt["retrofit_type"] == "clean_coal", "township"]) == {
        "jinmiaopu", "liushukou", "lizhai"}


def test_targets_equal_planned_households(tables):
    rt, tg = tables["heating_retrofits"], tables["targets"]
    planned = rt.groupby(["township", "retrofit_type"])["households_planned"].sum()
    heat = tg[tg["task"].str.startswith("heating_")].copy()
    heat["retrofit_type"] = heat["task"].str.removeprefix("heating_")
    got = heat.set_index(["township", "retrofit_type"])["target"].astype(int)
    pd.testing.assert_series_equal(got.sort_index(), planned.sort_index(), check_names=False)
    assert set(heat["deadline"]) == {"2020-10-31"}
    assert set(tg["task"]) <= set(schema.TARGETS.column("task").allowed)


def test_completion_varies_between_townships(tables):
    rt = tables["heating_retrofits"]
    g = rt.groupby("township")[["households_done", "households_planned"]].sum()
    share = g["households_done"] / g["households_planned"]
    lagging = share[share < 0.9]
    assert 2 <= len(lagging) <= 3 and (lagging >= 0.7).all()
    assert (share[share >= 0.9] >= 0.95).all()
    dated = rt.loc[rt["completion_date"] != "", "completion_date"]
    assert (dated <= "2020-10-31").mean() > 0.6 and (dated > "2020-10-31").any()
    # every row with households done has a date (the loader insists)
    assert (rt.loc[rt["households_done"] > 0, "completion_date"] != "").all()


def test_townships_match_the_facts(tables):
    tw = tables["townships"]
    assert len(tw) == 17
    assert tw["code"].tolist()[:16] == [f"1405251{k:02d}" for k in range(16)]
    assert tw["code"].iloc[16] == "140525200"
    assert tw["households"].sum() == 140000
    assert abs(tw["population"].sum() - 526000) <= 100
    assert abs(tw["area_km2"].sum() - 2023) < 1
    bagong = tw.set_index("slug").loc["bagong"]
    assert bagong["name_zh"] == "巴公镇" and bagong["class"] == "urban"
    assert abs(bagong["population"] - 65000) < 1000
    classes = tw.set_index("slug")["class"]
    assert set(classes[classes == "mountain"].index) == {"jinmiaopu", "liushukou", "lizhai"}
    assert set(classes[classes == "fringe"].index) == {"jincun", "nancun"}


def test_tables_follow_the_schema(tables):
    for name, spec in schema.TABLES.items():
        df = tables[name]
        assert list(df.columns) == [c.name for c in spec.columns], name
        for col in spec.columns:
            if col.kind == "category":  # an optional column may be left empty
                assert set(df[col.name]) <= set(col.allowed) | ({""} if not col.required else set()), (name, col.name)
            if col.kind in ("int", "float") and len(df):
                values = pd.to_numeric(df[col.name], errors="coerce").dropna()
                if col.min is not None:
                    assert (values >= col.min).all(), (name, col.name)
                if col.max is not None:
                    assert (values <= col.max).all(), (name, col.name)
        if spec.key:
            assert not df.duplicated(list(spec.key)).any(), name


# ---- vehicles, freight, tasks, stations, dustfall ------------------------------------


def test_vehicles(tables):
    v = tables["vehicles"]
    old = v["emission_standard"].isin(["China0", "China1", "China2", "China3"])
    trucks = v["vehicle_class"].str.endswith("truck") & (v["fuel"] == "diesel")
    left = v[old & trucks].groupby("township")["fleet_after"].sum()
    assert set(left[left > 0].index) == {"daji"}
    # buses, taxis, sanitation vehicles: all new-energy after the season except 高都镇's 20 % [A]
    public = v["vehicle_class"].isin(["bus", "taxi", "sanitation"])
    after = v[public].assign(nev=v["emission_standard"] == "NEV").groupby(["township", "nev"])["fleet_after"].sum()
    share = after.xs(True, level="nev") / after.groupby(level="township").sum()
    assert set(share[share < 1].index) == {"gaodu"} and 0.75 < share["gaodu"] < 0.85
    eligible = trucks & v["emission_standard"].isin(["China4", "China5"]) & (
        v["vehicle_class"] != "light_truck")
    obd = v[eligible].groupby("township")[["obd_fitted", "fleet_after"]].sum()
    cover = obd["obd_fitted"] / obd["fleet_after"]
    assert set(cover[cover < 0.95].index) == {"xiacun"}
    assert (v["replaced_china6"] + v["replaced_nev"] <= v["scrapped"]).all()


def test_freight(tables):
    f = tables["freight"]
    assert 12 <= f["enterprise"].nunique() <= 15
    fusheng = f[f["enterprise"].str.contains("福盛")]
    assert set(fusheng["siding_date"]) == {"2020-11-30"} and set(fusheng["township"]) == {"bagong"}
    guotou = f[f["enterprise"].str.contains("国投晋城热电")]
    assert (guotou["road_t_after"] == 0).all()
    assert (f["haul_km"].between(30, 80)).mean() > 0.8
    assert (f["rail_traction"] == "electric").mean() > 0.8


def test_tasks_and_stations(tables):
    t = tables["tasks"].set_index("township")
    rate = t["im_passes"] / t["im_tests"]
    assert set(rate[rate < 0.9].index) == {"zhoucun", "gaodu"}
    assert (t["coal_boilers_start"] - t["coal_boilers_removed"]).sum() == 1
    s = tables["stations"]
    assert len(s) == 17 and s["station_code"].str.fullmatch(r"ZZ\d{3}").all()
    assert s["lat"].between(35.2, 35.8).all() and s["lon"].between(112.4, 113.2).all()
    assert (s["name_zh"] == tables["townships"]["name_zh"] + "站").all()


def test_dustfall(tables):
    d = tables["dustfall"]["dustfall_t_km2_month"]
    assert len(tables["dustfall"]) == 17 * 12
    assert d.between(4, 13).all()
    assert 1 <= (d > 9).sum() <= 30


# ---- air quality and weather ---------------------------------------------------------


def test_county_quarterly_pm25_matches_crea(tables):
    aq = tables["air_quality"]
    pm = aq[aq["pollutant"] == "PM2.5"]
    q = pm["datetime"].dt.to_period("Q").astype(str)
    county = pm.groupby([pm["station_code"], q])["value"].mean().groupby(level=1).mean()
    for quarter, real in CREA_JINCHENG_PM25_OBSERVED_UGM3.items():
        assert county[quarter] == pytest.approx(real, rel=0.05), quarter


def test_other_pollutants_are_plausible(tables):
    aq = tables["air_quality"]
    assert set(aq["pollutant"]) == {"PM2.5", "PM10", "SO2", "NO2", "CO", "O3"}  # no AQI rows
    units = aq.groupby("pollutant")["unit"].unique()
    for p, u in units.items():
        assert list(u) == [schema.POLLUTANT_UNITS[p]]
    mean = aq.groupby("pollutant")["value"].mean()
    assert 1.6 <= mean["PM10"] / mean["PM2.5"] <= 1.9
    assert 15 <= mean["SO2"] <= 40 and 20 <= mean["NO2"] <= 45
    assert 0.8 <= mean["CO"] <= 2.5
    wide = aq.pivot_table(index=["station_code", "datetime"], columns="pollutant", values="value")
    both = wide[["PM2.5", "PM10"]].dropna()
    assert (both["PM10"] >= both["PM2.5"]).all()
    o3 = aq[aq["pollutant"] == "O3"]
    diurnal = o3.groupby(o3["datetime"].dt.hour)["value"].mean()
    assert 12 <= diurnal.idxmax() <= 17 and diurnal.max() > 2 * diurnal.min()


def test_extremes_and_gaps(tables):
    aq = tables["air_quality"]
    pm = aq[aq["pollutant"] == "PM2.5"]
    over500 = pm[pm["value"] > 500]
    assert len(over500) in (1, 2) and set(over500["station_code"]) == {"ZZ108"}
    daily = pm.groupby(["station_code", pm["datetime"].dt.floor("D")])["value"].mean()
    heavy = daily[daily > 250]
    days = heavy.index.get_level_values(1)
    assert 1 <= days.nunique() <= 10
    assert (days < pd.Timestamp("2020-04-01")).all()
    # 1-3 % of station-hours missing; a multi-day outage at the station of 李寨乡 (ZZ200)
    missing = 1 - len(pm) / (17 * 8760)
    assert 0.01 <= missing <= 0.03
    hours = pm.loc[pm["station_code"] == "ZZ200", "datetime"].sort_values()
    assert hours.diff().max() >= pd.Timedelta(days=5)
    other = pm[pm["station_code"] != "ZZ200"].groupby("station_code")["datetime"].apply(
        lambda s: s.sort_values().diff().max())
    # apart from the break between the two seasons, no other gap is longer than 2 days
    assert (other[other < pd.Timedelta(days=100)] <= pd.Timedelta(days=2)).all()


def test_meteorology(tables):
    m = tables["meteorology"]
    assert set(m["station_code"]) == {"county"} and len(m) == 8760
    assert m["pressure_hpa"].between(895, 945).all()
    winter = m[m["datetime"].dt.month.isin([12, 1, 2])]
    assert -5 <= winter["temperature_c"].mean() <= 5
    assert m["precip_mm"].gt(0).mean() > 0.01
    nw = m.loc[m["wind_speed_ms"] > 3, "wind_dir_deg"].between(270, 360).mean()
    assert nw > 0.5  # NW prevails when it is windy
    blh = m.groupby(m["datetime"].dt.hour)["blh_m"].mean()
    assert blh[14] > 2 * blh[2]
    q = m["datetime"].dt.to_period("Q").astype(str)
    ws = m.groupby(q)["wind_speed_ms"].mean()
    assert ws["2021Q1"] > ws["2020Q1"]  # 2020-21 is windier, as planned


def _ols(y, cols):
    x = np.column_stack([np.ones(len(y)), *cols])
    return np.linalg.lstsq(x, y, rcond=None)[0]


def test_observed_drop_larger_than_weather_adjusted(tables):
    aq, met = tables["air_quality"], tables["meteorology"]
    pm = aq[aq["pollutant"] == "PM2.5"]
    day = pm.groupby(pm["datetime"].dt.floor("D"))["value"].mean().rename("pm").to_frame()
    md = met.set_index("datetime").resample("D").agg(
        {"wind_speed_ms": "mean", "blh_m": "mean", "rh_pct": "mean", "precip_mm": "sum"})
    j = day.join(md, how="inner")
    s2 = (_season(j.index.to_series()) == "2020-2021").astype(float)
    months = [(j.index.month == k).astype(float) for k in (11, 12, 1, 2, 3)]
    beta = _ols(np.log(j["pm"].to_numpy()),
                [s2, np.log(j["wind_speed_ms"]), np.log(j["blh_m"]), j["rh_pct"],
                 np.log1p(j["precip_mm"]), *months])
    adjusted = 100 * (np.exp(beta[1]) - 1)
    season = _season(pm["datetime"])
    means = pm.groupby([pm["station_code"], season])["value"].mean().groupby(level=1).mean()
    observed = 100 * (means["2020-2021"] / means["2019-2020"] - 1)
    # CREA, Jincheng: observed -19.0 %, deweathered -7.0 %
    assert -24 <= observed <= -14
    assert -12 <= adjusted <= -3
    assert observed < adjusted - 5


def test_planted_effect_is_recovered(tables):
    aq, eff = tables["air_quality"], tables["planted_effects"]
    st = tables["stations"].set_index("station_code")["township"]
    pm = aq[aq["pollutant"] == "PM2.5"]
    means = pm.groupby([pm["station_code"].map(st), _season(pm["datetime"])])["value"].mean()
    change = np.log(means.xs("2020-2021", level=1) / means.xs("2019-2020", level=1))
    e = eff[eff["pollutant"] == "PM2.5"].set_index("township").loc[change.index]
    # township change on retrofit intensity: the planted (negative) sign
    slope = _ols(change.to_numpy(), [e["heating_intensity"].to_numpy()])[1]
    assert slope < -0.3
    # and on the planted change itself: about one
    planted = np.log1p(e["planted_change_pct"].to_numpy() / 100)
    assert 0.6 <= _ols(change.to_numpy(), [planted])[1] <= 1.4
    assert np.corrcoef(change, planted)[0, 1] > 0.6


def test_planted_effects_table(tables):
    eff = tables["planted_effects"]
    assert len(eff) == 17 * 6
    by = eff.set_index(["township", "pollutant"])
    assert (by.xs("O3", level=1)["planted_change_pct"] == 0).all()
    pm = by.xs("PM2.5", level=1)
    assert (pm["planted_change_pct"] < 0).all()
    # the most retrofitted townships get the largest planted cut
    assert pm["planted_change_pct"].idxmin() in {"bagong", "nancun", "jincun", "zhoucun", "gaodu"}
    assert pm.loc["bagong", "planted_change_pct"] < pm.loc["lichuan", "planted_change_pct"]
    # SO2 responds most to the coal-heating retrofits, NO2 to freight
    so2, no2 = by.xs("SO2", level=1), by.xs("NO2", level=1)
    assert (so2["heating_change_pct"] < pm["heating_change_pct"]).all()
    assert (no2["freight_vehicle_change_pct"] < pm["freight_vehicle_change_pct"]).all()
    assert eff["explanation"].str.len().gt(40).all()


def test_season_yaml_says_synthetic(sample):
    meta = yaml.safe_load((sample / "season.yaml").read_text(encoding="utf-8"))
    assert meta["synthetic"] is True and meta["season"] == "2020-2021" and meta["seed"] == 2020
    assert "SYNTHETIC" in meta["notes_en"] and "合成" in meta["notes_zh"]
    assert "SYNTHETIC" in meta["title"]
    for key in ("title", "generator", "notes_zh", "notes_en"):
        assert meta[key]


# ---- determinism ---------------------------------------------------------------------


def _aq_rows(folder: Path, stations: set[str]) -> list[bytes]:
    with gzip.open(folder / "air_quality.csv.gz") as fh:
        return [line for line in fh.read().splitlines()[1:]
                if line.split(b",", 1)[0].decode() in stations]


def test_deterministic(tmp_path, sample):
    # Same seed, same bytes: a second run (n = 3, another process state, another folder)
    # reproduces the module's run wherever they overlap; test_committed_sample_is_current
    # compares the whole folder with the committed one, written by another process.
    a = write_sample(tmp_path / "a", seed=2020, n_townships=3)
    c = write_sample(tmp_path / "c", seed=2021, n_townships=3)
    assert (a / "meteorology.csv.gz").read_bytes() == (sample / "meteorology.csv.gz").read_bytes()
    tw_a = (a / "townships.csv").read_text(encoding="utf-8").splitlines()
    assert tw_a == (sample / "townships.csv").read_text(encoding="utf-8").splitlines()[:4]
    first = {"ZZ100", "ZZ101", "ZZ102"}
    assert _aq_rows(a, first) == _aq_rows(sample, first)
    head = (a / "air_quality.csv.gz").read_bytes()[:10]
    assert head[4:8] == b"\0\0\0\0"  # gzip mtime 0
    # another seed, other data
    assert (a / "air_quality.csv.gz").read_bytes() != (c / "air_quality.csv.gz").read_bytes()
    assert (a / "meteorology.csv.gz").read_bytes() != (c / "meteorology.csv.gz").read_bytes()
    assert sorted(p.name for p in a.iterdir()) == sorted(p.name for p in sample.iterdir())


def test_extra_synthetic_townships(tmp_path):
    out = write_sample(tmp_path / "x", seed=7, n_townships=19)
    tw = pd.read_csv(out / "townships.csv", dtype={"code": str})
    assert tw["slug"].tolist()[-2:] == ["syn0001", "syn0002"]
    assert tw["name_zh"].tolist()[-1] == "合成镇0002"
    st = pd.read_csv(out / "stations.csv")
    with gzip.open(out / "air_quality.csv.gz", "rt", encoding="utf-8") as fh:
        codes = pd.read_csv(fh, usecols=["station_code"])["station_code"].unique()
    assert set(codes) == set(st["station_code"]) and len(codes) == 19


# ---- the committed sample ------------------------------------------------------------


def test_committed_sample_is_current(sample):
    if not (COMMITTED / "season.yaml").exists():
        pytest.skip("data/sample not generated yet")
    for path in sorted(sample.iterdir()):
        assert (COMMITTED / path.name).read_bytes() == path.read_bytes(), (
            f"data/sample/{path.name} differs from the generator's output; regenerate with "
            "`zzeval sample data/sample --seed 2020`")


def test_committed_sample_loads():
    loading = pytest.importorskip("zzeval.season.loading")
    if not (COMMITTED / "season.yaml").exists():
        pytest.skip("data/sample not generated yet")
    data = loading.load_season(COMMITTED)
    assert data.synthetic
    assert len(data.townships) == 17 and len(data.stations) == 17
    assert data.air_quality["station_code"].nunique() == 17
