"""Meteorology layouts (issue 13, "validate = buildable"; final review 5, M9, M10, M12), each made from
the sample by tests/input/cases_weather.py: per-station weather for every station (in one season or
both) is evaluated like the county-wide weather; a station without weather in a season that has no
county-wide rows is refused at validation, naming the file, the station, the season and what to add."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from tests.input.cases_weather import make_layout
from zzeval.airquality.weather import weather_adjusted_change
from zzeval.cli import main
from zzeval.season import columnar
from zzeval.season.loading import load_season
from zzeval.season.weather_county import with_county_weather

REFUSED = {
    "M10_station_weather_one_station_missing": ["current season 2020-2021", "previous season 2019-2020"],
    "M12b_station_prev_one_missing_current": ["previous season 2019-2020"],
}


@pytest.mark.parametrize("parquet", [False, True], ids=["csv", "parquet"])
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_station_without_weather_and_no_county_rows_is_refused(name, parquet, sample_season, tmp_path, capsys,
                                                                  monkeypatch):
    folder = make_layout(sample_season, name, tmp_path / name, parquet=parquet)
    chunks = []
    if parquet:  # the meteorology checked in several chunks (a station or two each): the check adds them up
        _small_chunks(monkeypatch, chunks)
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    fname = "meteorology.parquet" if parquet else "meteorology.csv.gz"
    missing = pd.read_csv(sample_season / "stations.csv")["station_code"].iloc[-1]
    lines = [line for line in err.splitlines() if "no weather for station" in line]
    assert len(lines) == len(REFUSED[name])
    for line, season in zip(lines, REFUSED[name], strict=True):
        assert f"{fname}, column 'station_code': no weather for station(s) {missing} (" in line
        assert season in line
        assert "add the hourly rows of these stations, or the county-wide rows of that season" in line
    if parquet:
        assert sum(str(p).endswith("meteorology.parquet") for p in chunks) > 2


@pytest.mark.parametrize("parquet", [False, True], ids=["csv", "parquet"])
@pytest.mark.parametrize("name", ["M9_station_weather_every_station", "M12_county_prev_station_current"])
def test_per_station_weather_of_every_station_validates(name, parquet, sample_season, tmp_path, capsys):
    folder = make_layout(sample_season, name, tmp_path / name, parquet=parquet)
    assert main(["validate", str(folder)]) == 0
    said = capsys.readouterr()
    err = said.out + said.err
    fname = "meteorology.parquet" if parquet else "meteorology.csv.gz"
    seasons = ["current season 2020-2021"] + (["previous season 2019-2020"] if name.startswith("M9") else [])
    for season in seasons:
        assert (f"{fname} has no county-wide rows in the {season}: the county's weather there is the hour-by-hour "
                "mean of the weather of its 2 station(s)") in err, err
    assert err.count("has no county-wide rows") == len(seasons)


def _small_chunks(monkeypatch, seen: list) -> None:
    """Parquet tables read 3,000 rows at a time (a station or two per chunk)."""
    real = columnar.iter_chunks

    def small(path, chunk_rows=columnar.CHUNK_ROWS, rows=None):
        for chunk in real(path, 3000, rows):
            seen.append(path)
            yield chunk
    monkeypatch.setattr(columnar, "iter_chunks", small)


def refused_by_validate(folder, parquet: bool, monkeypatch, capsys) -> tuple[str, str, list]:
    """Validate ``folder`` (Parquet tables read in small chunks): it must exit 2. Returns its
    stderr, the meteorology file's name as the messages give it, and the chunks read."""
    seen: list = []
    if parquet:
        _small_chunks(monkeypatch, seen)
    assert main(["validate", str(folder)]) == 2
    fname = "meteorology.parquet" if parquet else "meteorology.csv.gz"
    return capsys.readouterr().err, fname, seen


@pytest.mark.parametrize("parquet", [False, True], ids=["csv", "parquet"])
@pytest.mark.parametrize("name", ["W13_county_half_season", "W13b_stations_half_season"])
def test_weather_of_half_the_season_is_refused(name, parquet, sample_season, tmp_path, capsys, monkeypatch):
    """Review 6b, finding 14: weather only for October-December of the current season gave that
    quarter's adjusted change as the season's; the county rows (W13) or, with none, the stations'
    (W13b) must cover 90 % of the hours the air quality has (input_limits.csv)."""
    folder = make_layout(sample_season, name, tmp_path / name, parquet=parquet)
    err, fname, seen = refused_by_validate(folder, parquet, monkeypatch, capsys)
    lines = [line for line in err.splitlines() if "hours of the current season 2020-2021" in line]
    assert len(lines) == 1, err
    what = "the county-wide rows (station_code 'county')" if name.startswith("W13_") else "the weather of station '"
    assert f"{fname}, column 'datetime': {what}" in lines[0]
    # 1 October 01:00 - 1 January 00:00 = 92 days of hours; the sample's stations measure most of the 182 days
    assert "cover 2,208 hours" in lines[0] and "hours: below 90% of them" in lines[0]
    aq_hours = int(re.search(r"has air quality in ([\d,]+) hours", lines[0]).group(1).replace(",", ""))
    assert 0.9 * 4368 < aq_hours <= 4368
    assert "Add the hourly weather of the missing months" in lines[0]
    problems = [line for line in err.splitlines() if "notice:" not in line]  # notices come first (finding 17)
    assert "previous season" not in "\n".join(problems)
    if parquet:
        assert sum(str(p).endswith("air_quality.parquet") for p in seen) > 2


@pytest.mark.parametrize("parquet", [False, True], ids=["csv", "parquet"])
def test_a_week_without_weather_validates(parquet, sample_season, tmp_path, capsys, monkeypatch):
    folder = make_layout(sample_season, "W13c_county_one_week_missing", tmp_path / "w13c", parquet=parquet)
    if parquet:
        _small_chunks(monkeypatch, [])
    assert main(["validate", str(folder)]) == 0, capsys.readouterr().err


@pytest.fixture(scope="module")
def base_weather(sample_season):
    return weather_adjusted_change(load_season(sample_season), ("PM2.5",), n_boot=0)


@pytest.mark.parametrize("name", ["M9_station_weather_every_station", "M12_county_prev_station_current"])
def test_per_station_weather_gives_the_county_figures_of_the_county_weather(name, sample_season, tmp_path,
                                                                            base_weather):
    """The stations' weather is the county's, copied: the county row (its measured means too, which
    were lost with no county rows) and every township equal the county-wide layout's."""
    season = load_season(make_layout(sample_season, name, tmp_path / name))
    got = weather_adjusted_change(season, ("PM2.5",), n_boot=0)
    county = got.set_index("township").loc["county"]
    want = base_weather.set_index("township").loc["county"]
    assert county["n_obs_previous"] == want["n_obs_previous"] > 4000
    assert county["mean_previous"] == pytest.approx(want["mean_previous"], rel=1e-12)
    assert county["mean_current"] == pytest.approx(want["mean_current"], rel=1e-12)
    assert np.isfinite(county["adjusted_change_pct"]) and np.isfinite(county["r2_cv"])
    assert got["adjusted_change_pct"].to_numpy() == pytest.approx(base_weather["adjusted_change_pct"].to_numpy(),
                                                                  abs=1e-9)


def test_weather_split_by_season_with_gbm_gives_every_number(sample_season, tmp_path):
    """M12 with ``gbm``: was KeyError 'adjusted_change_pct' (county weather in one season only)."""
    season = load_season(make_layout(sample_season, "M12_county_prev_station_current", tmp_path / "m12"))
    got = weather_adjusted_change(season, ("PM2.5",), n_boot=0, method="gbm")
    assert list(got["township"]) == [*sorted(season.townships["slug"]), "county"]
    assert np.isfinite(got["adjusted_change_pct"]).all()
    assert np.isfinite(got["weather_contribution_pp"]).all()


def test_task_evaluation_uses_the_derived_county_weather(sample_season, tmp_path, base_weather):
    """The per-township tasks of a build (zzeval.assess.tasks) and their county row, on M9."""
    from zzeval.assess.tasks import air_quality_parts

    season = load_season(make_layout(sample_season, "M9_station_weather_every_station", tmp_path / "m9"))
    weather = air_quality_parts(season, n_boot=0, seed=0)["weather"]
    county = weather[(weather["township"] == "county") & (weather["pollutant"] == "PM2.5")].iloc[0]
    want = base_weather.set_index("township").loc["county"]
    assert county["mean_current"] == pytest.approx(want["mean_current"], rel=1e-12)
    assert county["adjusted_change_pct"] == pytest.approx(want["adjusted_change_pct"], abs=1e-9)


def _met(rows: list[tuple]) -> pd.DataFrame:
    cols = ["datetime", "station_code", "temperature_c", "rh_pct", "wind_speed_ms", "wind_dir_deg",
            "pressure_hpa", "precip_mm", "blh_m"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["datetime"] = pd.to_datetime(frame["datetime"])
    return frame


def test_derived_county_weather_worked_by_hand():
    """Two stations, one hour: temperature 1 and 3 °C -> 2; wind 2 m/s from 350° and 4 m/s from 10° ->
    scalar mean 3 m/s, unit-vector mean direction 0° (EPA-454/R-99-005 § 6.2); a season with county
    rows is left alone."""
    stations = pd.DataFrame({"station_code": ["A", "B"], "township": ["a", "b"]})
    met = _met([("2020-12-01 08:00", "A", 1.0, 50, 2.0, 350, 930, 0.0, 400),
                ("2020-12-01 08:00", "B", 3.0, 70, 4.0, 10, 940, 1.0, 600),
                ("2019-12-01 08:00", "county", 5.0, 60, 1.0, 90, 935, 0.0, 500),
                ("2019-12-01 08:00", "A", 9.0, 60, 1.0, 90, 935, 0.0, 500)])
    out = with_county_weather(met, stations)
    derived = out[(out["station_code"] == "county") & (out["datetime"].dt.year == 2020)]
    assert len(out) == 5 and len(derived) == 1
    row = derived.iloc[0]
    assert (row["temperature_c"], row["rh_pct"], row["wind_speed_ms"], row["pressure_hpa"], row["precip_mm"],
            row["blh_m"]) == (2.0, 60.0, 3.0, 935.0, 0.5, 500.0)
    assert row["wind_dir_deg"] == pytest.approx(0.0, abs=1e-6) or row["wind_dir_deg"] == pytest.approx(360.0)
    assert with_county_weather(out, stations) is out  # every season has county rows now
