"""What the eighth hostile review of issue 13 (data angle, notes: hostile8A.md) found in the hourly air
quality: findings 1 (outages written as an invalid-data code), 20 (PM2.5 rows holding PM10), 5 (one
station's export given as another's, or one day of it) and 4 (a previous season that is the current one
with the year set back). Inputs are made by script from the `zzeval sample` season, as in tests/input/cases.py."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.input.cases import Case, edit, validate_refuses
from zzeval.cli import main
from zzeval.season.checks import Collector

AQ = "air_quality.csv.gz"


def _code_in_outages(code: str, hours: int, outages: int = 10):
    """PM2.5 and PM10 of ZZ100 written ``code`` in ``outages`` outages of ``hours`` h, every 14 days."""
    def func(frame: pd.DataFrame) -> None:
        when = pd.to_datetime(frame["datetime"])
        hit = pd.Series(False, index=frame.index)
        for k in range(outages):
            start = pd.Timestamp("2020-10-20") + pd.Timedelta(days=14 * k)
            hit |= (when >= start) & (when < start + pd.Timedelta(hours=hours))
        hit &= (frame["station_code"] == "ZZ100") & frame["pollutant"].isin(["PM2.5", "PM10"])
        frame.loc[hit, "value"] = code
    return func


def _pm25_is_pm10(frame: pd.DataFrame) -> pd.DataFrame:
    """ZZ101's current-season PM2.5 rows carry the PM10 value of the same hour."""
    now = (frame["station_code"] == "ZZ101") & (frame["datetime"] >= "2020-09-01")
    pm10 = frame[now & (frame["pollutant"] == "PM10")].set_index("datetime")["value"]
    rows = now & (frame["pollutant"] == "PM2.5")
    frame.loc[rows, "value"] = frame.loc[rows, "datetime"].map(pm10).to_numpy()
    return frame


def _station_exported_twice(frame: pd.DataFrame) -> pd.DataFrame:
    """ZZ101's rows are ZZ100's with the code changed (ZZ100's export saved again as ZZ101's)."""
    copy = frame[frame["station_code"] == "ZZ100"].assign(station_code="ZZ101")
    return pd.concat([frame[frame["station_code"] != "ZZ101"], copy], ignore_index=True)


def _previous_season_copied(frame: pd.DataFrame) -> pd.DataFrame:
    """ZZ101's 2019-20 rows are its 2020-21 rows with the year set back."""
    at = frame["station_code"] == "ZZ101"
    now = frame[at & (frame["datetime"] >= "2020-09-01")].copy()
    now["datetime"] = (pd.to_datetime(now["datetime"]) - pd.DateOffset(years=1)).dt.strftime("%Y-%m-%d %H:%M")
    return pd.concat([frame[~at | (frame["datetime"] >= "2020-09-01")], now], ignore_index=True)


def _one_day_pasted(frame: pd.DataFrame) -> None:
    """ZZ101's PM2.5 of 2020-12-05 is ZZ100's of that day (a gap filled from the neighbour)."""
    day = frame["datetime"].str.startswith("2020-12-05") & (frame["pollutant"] == "PM2.5")
    source = frame[day & (frame["station_code"] == "ZZ100")].set_index("datetime")["value"]
    rows = day & (frame["station_code"] == "ZZ101")
    frame.loc[rows, "value"] = frame.loc[rows, "datetime"].map(source).to_numpy()


CASES = (
    Case("code_999_in_outages", edit(AQ, _code_in_outages("999", 20)),
         ("air_quality.csv.gz, row ", "column 'value': station ZZ100: PM2.5 and PM10 are both 999 in ",
          "an invalid-data code written for an outage?", "leave these hours missing")),
    # a code at a plausible level (99) in runs of hours: the run gives it away
    Case("code_99_in_outages", edit(AQ, _code_in_outages("99", 6)),
         ("station ZZ100: PM2.5 and PM10 are both 99 in ",)),
    # a code in single hours: only its level gives it away
    Case("code_999_single_hours", edit(AQ, _code_in_outages("999", 1)),
         ("station ZZ100: PM2.5 and PM10 are both 999 in ",)),
    Case("pm25_rows_hold_pm10", edit(AQ, _pm25_is_pm10),
         ("air_quality.csv.gz, row ", "column 'pollutant': station ZZ101, season from 2020: PM2.5 is equal to PM10 "
          "in ", "do the PM2.5 rows hold the PM10 values?"),
         absent=("invalid-data code",)),
    Case("station_exported_twice", edit(AQ, _station_exported_twice),
         ("column 'value': station ZZ101, season from 2019: PM2.5 and PM10 of ",
          "station ZZ101, season from 2020: PM2.5 and PM10 of ", "have hour by hour the values of station ZZ100: "
          "the same export given for both stations (ZZ100 and ZZ101)?")),
    Case("previous_season_copied", edit(AQ, _previous_season_copied),
         ("column 'value': station ZZ101, season from 2019: PM2.5 and PM10 of ", "have hour by hour the values of "
          "its own season from 2020: that season's export with the dates set back? export the season from 2019 again"),
         absent=("season from 2020: PM2.5",)),
    Case("one_day_pasted", edit(AQ, _one_day_pasted),
         ("station ZZ101, season from 2020: PM2.5 of 1 day (2020-12-05 to 2020-12-05) have hour by hour the values "
          "of station ZZ100",)),
)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_pm_codes_and_copies_are_refused(case, sample_season, tmp_path, capsys):
    validate_refuses(sample_season, case, tmp_path / "case", capsys)


def _hours(pm25: list[float], pm10: list[float]) -> pd.DataFrame:
    times = pd.date_range("2020-12-01", periods=len(pm25), freq="h")
    rows = [("ZZ100", p, t, v) for p, series in (("PM2.5", pm25), ("PM10", pm10)) for t, v in zip(times, series, strict=True)]
    return pd.DataFrame(rows, columns=["station_code", "pollutant", "datetime", "value"])


def test_genuine_equal_hours_pass_and_a_dust_storm_passes():
    """PM2.5 = PM10 in isolated hours (two hours apart, not in a row), and a dust storm with PM10 at 999 and
    PM2.5 at a third of it, are measurements: no message."""
    from zzeval.season.outages import check_code_hours

    pm25 = [40, 55, 41, 60, 44, 330, 330, 52]
    pm10 = [40, 80, 41, 90, 70, 999, 999, 80]
    out = Collector()
    check_code_hours(_hours(pm25, pm10), AQ, out)
    assert out.problems == []
    # three equal hours in a row at a low value pass (clean air after rain); six are a code
    check_code_hours(_hours([8, 8, 8] + list(range(20, 30)), [8, 8, 8] + list(range(40, 50))), AQ, out)
    assert out.problems == []
    check_code_hours(_hours([40] * 6 + list(range(60, 72)), [40] * 6 + list(range(90, 102))), AQ, out)
    assert len(out.problems) == 1
    assert "station ZZ100: PM2.5 and PM10 are both 40 in 6 hours (rows 2 to 7, 2020-12-01 00:00 to 2020-12-01 05:00)" \
        in out.problems[0].message
    # six hours at an analyser's floor after rain are clean air, not a code (recheck 8); one hour at 520 is one hour
    out = Collector()
    check_code_hours(_hours([5] * 6 + [520] + list(range(20, 40)), [5] * 6 + [520] + list(range(40, 60))), AQ, out)
    (problem,) = out.problems
    assert "PM2.5 and PM10 are both 520 in 1 hour (rows 8 to 8," in problem.message


def test_the_sample_has_no_code_hours_nor_copies(sample_season, capsys):
    assert main(["validate", str(sample_season)]) == 0


# -- finding 3: the hours of an outage left empty, as the README and validate's messages say, are missing hours
def _outages_left_empty(frame: pd.DataFrame) -> None:
    """Every pollutant of ZZ100 empty in 12 outages of 30 h (the rows kept, as the platform exports them)."""
    when = pd.to_datetime(frame["datetime"])
    hit = pd.Series(False, index=frame.index)
    for k in range(12):
        start = pd.Timestamp("2020-10-15") + pd.Timedelta(days=14 * k)
        hit |= (when >= start) & (when < start + pd.Timedelta(hours=30))
    frame.loc[hit & (frame["station_code"] == "ZZ100"), "value"] = ""


def _air_statistics(folder) -> pd.DataFrame:
    from zzeval.airquality.airstats import season_statistics
    from zzeval.season.loading import load_season

    stats = season_statistics(load_season(folder))
    return stats[["level", "unit_id", "season", "mean_PM2.5", "valid_days", "comprehensive_index"]].reset_index(drop=True)


def test_hours_left_empty_are_missing_hours_as_rows_left_out(sample_season, tmp_path, capsys):
    from tests.input.cases import make_case, read, write

    empty = make_case(sample_season, Case("empty", edit(AQ, _outages_left_empty), ()), tmp_path / "empty")
    assert (read(empty, AQ)["value"] == "").sum() > 1000
    assert main(["validate", str(empty)]) == 0, capsys.readouterr().err
    left_out = make_case(sample_season, Case("left_out", edit(AQ, _outages_left_empty), ()), tmp_path / "left_out")
    rows = read(left_out, AQ)
    write(rows[rows["value"] != ""], left_out, AQ)
    got, want = _air_statistics(empty), _air_statistics(left_out)
    pd.testing.assert_frame_equal(got, want)
    base = _air_statistics(sample_season)
    assert (got["valid_days"] <= base["valid_days"]).all() and (got["valid_days"] < base["valid_days"]).any()
    # the same in a Parquet table (a float column with nulls)
    aq = read(empty, AQ)
    aq["value"] = pd.to_numeric(aq["value"].replace("", None))
    aq.to_parquet(empty / "air_quality.parquet", index=False)
    (empty / AQ).unlink()
    assert main(["validate", str(empty)]) == 0, capsys.readouterr().err


# -- finding 22: `zzeval aqi --period daily` wrote a row for every day between the two seasons
def test_daily_aqi_has_no_row_for_a_day_without_data(sample_season, tmp_path, capsys):
    out = tmp_path / "daily.csv"
    assert main(["aqi", str(sample_season / AQ), "--period", "daily", "--out", str(out)]) == 0
    said = capsys.readouterr()
    table = pd.read_csv(out, parse_dates=["datetime"])
    hours = pd.read_csv(sample_season / AQ, parse_dates=["datetime"]).dropna(subset=["value"])
    # the day of an hour-ending stamp is that of the hour before (00:00 belongs to the day before)
    days = hours.assign(day=(hours["datetime"] - pd.Timedelta(hours=1)).dt.floor("D"))[["station_code", "day"]]
    assert len(table) == len(days.drop_duplicates())
    between = (table["datetime"] >= "2020-04-01") & (table["datetime"] < "2020-09-30")
    assert not between.any()
    assert table["aqi"].isna().sum() < 20  # the days with a few hours only (first and last), not the summer
    assert "days without any measured hour have no row" in said.out + said.err
