"""Hostile review s11-hostA, the meteorology table: a copy of last season's weather with temperature +1 °C and
RH +2 % (finding 15, the county's weather-adjusted change −9.55 % → −22.2 %) and January written with December's
rows −3 °C and +2 hPa passed the copy checks; a station's own weather in one season only was used against the
county's in the other (finding 10); precipitation in 0.1 mm passed (finding 14); wind direction as 16-point
sector codes was refused as a stuck vane (H10). Tiny tables or the shipped sample's meteorology: no report is
built."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from zzeval.season.checks import Collector
from zzeval.season.weather_copy import check_weather_copied, record_weather_bins
from zzeval.season.weather_copy_within import check_weather_copied_within

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def _sample_weather() -> pd.DataFrame:
    """The shipped sample's county weather of both seasons (genuine for the checks: the sample's generator)."""
    return pd.read_csv(SAMPLE / "meteorology.csv.gz", parse_dates=["datetime"])


def _copies(met: pd.DataFrame) -> list:
    out = Collector()
    record_weather_bins(met, "meteorology.csv", out)
    check_weather_copied(out)
    check_weather_copied_within(out)
    return out.problems


def test_genuine_sample_weather_is_no_copy_by_values_nor_by_changes():
    assert _copies(_sample_weather()) == []


def test_last_seasons_weather_with_constants_added_is_refused():
    """Finding 15: this season's county weather = last season's, the year set forward, temperature +1.0 °C and
    RH +2 (two of the five value bins move: 3 of 5 match); the changes over a day match in every hour."""
    met = _sample_weather()
    previous = met[met["datetime"] < "2020-07-01"]
    copy = previous.assign(datetime=previous["datetime"] + pd.DateOffset(years=1),
                           temperature_c=(previous["temperature_c"] + 1.0).round(1),
                           rh_pct=(previous["rh_pct"] + 2).clip(upper=100)).drop_duplicates("datetime")
    (problem,) = _copies(pd.concat([previous, copy], ignore_index=True))
    assert problem.column == "datetime" and problem.row == len(previous) + 24 + 2  # the first hour with a change
    assert "station 'county': 4,320 of 4,344 hours of the season from 2020" in problem.message
    assert "have the changes over 24 h of the weather of the same station a year earlier" in problem.message
    assert "with the year changed and temperature_c +1 °C, rh_pct +2 % added" in problem.message


def test_january_written_with_decembers_rows_and_constants_added_is_refused():
    """The left-over of session 10: January 2020 = December 2019 with −3 °C and +2 hPa (within a season)."""
    met = _sample_weather()
    january = ((met["datetime"] >= "2020-01-01") & (met["datetime"] < "2020-02-01")).to_numpy()
    december = ((met["datetime"] >= "2019-12-01") & (met["datetime"] < "2020-01-01")).to_numpy()
    columns = ["temperature_c", "rh_pct", "wind_speed_ms", "wind_dir_deg", "pressure_hpa"]
    met.loc[january, columns] = met.loc[december, columns].to_numpy()
    met.loc[january, "temperature_c"] = (met.loc[january, "temperature_c"] - 3).round(1)
    met.loc[january, "pressure_hpa"] = (met.loc[january, "pressure_hpa"] + 2).round(1)
    (problem,) = _copies(met)
    assert "to 2020-01-31 23:00; 720 in a row from 2020-01-02 00:00) have" in problem.message, problem.message
    assert "have the changes over 24 h of its own weather (with a constant added to some columns?) 31 days " \
           "earlier in the same season" in problem.message
    assert problem.row == int(np.flatnonzero(january)[0]) + 24 + 2


def test_a_station_weather_of_one_season_is_left_out_in_both(sample_season, tmp_path, capsys):
    """Finding 10: a station's own weather in the current season only (a sheltered site: wind × 0.6, 1 °C
    colder) was compared with the county's weather of the previous season. Now it is left out in both (its
    township uses the county's), with a notice naming the station; the table's rows are still counted."""
    import shutil

    from zzeval.cli import main
    from zzeval.season.loading import load_season
    from zzeval.season.station_weather import SET_ASIDE_KEY

    folder = tmp_path / "d15"
    shutil.copytree(sample_season, folder)
    met = pd.read_csv(folder / "meteorology.csv.gz", keep_default_na=False, na_values=[""])
    code = pd.read_csv(folder / "stations.csv")["station_code"].iloc[0]
    own = met[met["datetime"] >= "2020-07-01"].assign(station_code=code)
    own = own.assign(wind_speed_ms=(own["wind_speed_ms"] * 0.6).round(1), temperature_c=own["temperature_c"] - 1)
    pd.concat([met, own]).to_csv(folder / "meteorology.csv.gz", index=False, compression="gzip")
    assert main(["validate", str(folder)]) == 0
    said = capsys.readouterr().out
    assert f"meteorology {len(met) + len(own):,}" in said
    assert (f"Notice: meteorology.csv.gz: station '{code}' (") in said
    # its hours of the season: the hour stamped 1 October 00:00 is that of 30 September (hour-ending stamps)
    assert (f"has its own weather in 0 hours of the previous season 2019-2020 and {len(own) - 1:,} of the current "
            "season 2020-2021") in said
    assert "uses the county-wide weather in both seasons and leaves the station's own out" in said
    season = load_season(folder)
    assert code not in set(season.meteorology["station_code"])
    assert season.meta[SET_ASIDE_KEY] == {code: len(own)}


def test_weather_of_both_seasons_of_a_station_is_kept():
    from zzeval.season.station_weather import one_season_stations

    hours = {("county", 2019): 4392, ("county", 2020): 4368, ("ZZ100", 2019): 4392, ("ZZ100", 2020): 4368,
             ("ZZ101", 2019): 2200, ("ZZ101", 2020): 4368, ("ZZ102", 2019): 2100, ("ZZ102", 2020): 4368}
    assert one_season_stations(hours, (2019, 2020)) == {"ZZ102": (2100, 4368)}


def _met_checked(met: pd.DataFrame, confirmed: dict | None = None) -> Collector:
    from zzeval.season.plausible import check_met_values

    out = Collector()
    out.confirmed = confirmed or {}
    check_met_values(met, "meteorology.csv", out)
    return out


def test_genuine_sample_weather_passes_the_weather_value_checks():
    out = _met_checked(_sample_weather())
    assert out.problems == []
    assert not [n for n in out.notes if "precip" in n or "sector" in n]


def test_a_season_of_precipitation_in_tenths_of_mm_is_refused_and_can_be_confirmed():
    """Finding 14: the previous season's precip_mm in 0.1 mm (× 10: 47 mm → 471 mm)."""
    met = _sample_weather()
    previous = (met["datetime"] < "2020-07-01").to_numpy()
    met.loc[previous, "precip_mm"] = (met.loc[previous, "precip_mm"] * 10).round(1)
    (problem,) = _met_checked(met).problems
    wettest = int(met.loc[previous, "precip_mm"].idxmax())
    assert (problem.column, problem.row) == ("precip_mm", wettest + 2)
    assert problem.message.startswith("station 'county': precip_mm adds up to ")
    assert "mm over the season from 2019" in problem.message and "at most 300 mm" in problem.message
    assert "is it in 0.1 mm? write it in mm (÷ 10)" in problem.message
    assert "'confirmed: {weather_precip_total: [county 2019-2020]}'" in problem.message
    out = _met_checked(met, {"weather_precip_total": {"county 2019-2020": 0}})
    assert out.problems == [] and any("confirmed in season.yaml (weather_precip_total" in n for n in out.notes)


def test_wind_direction_as_sector_codes_is_said_so_not_called_a_stuck_vane():
    """H10: the previous season's wind_dir_deg as 16-point sector codes 1-16."""
    met = _sample_weather()
    previous = (met["datetime"] < "2020-07-01").to_numpy() & met["wind_dir_deg"].notna().to_numpy()
    met.loc[previous, "wind_dir_deg"] = (np.round(met.loc[previous, "wind_dir_deg"] / 22.5) % 16 + 1)
    (problem,) = _met_checked(met).problems
    assert (problem.column, problem.row) == ("wind_dir_deg", 2)
    assert ("station 'county': every wind_dir_deg of the season from 2019 is a whole number from 1 to 16"
            in problem.message)
    assert "wind direction holds 16-point sector codes, not degrees" in problem.message
    assert "code × 22.5" in problem.message and "confirm" not in problem.message
