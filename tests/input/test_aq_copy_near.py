"""Hourly PM copied with its stamps moved or at another precision (hostile review s11-hostA, findings 2, 4 and 8):
a previous season that is the current one with the year set back and one hour off, one station's PM2.5 that is
another's re-exported at one decimal or with one hour a day touched, and a month filled with the month before
(zzeval.season.aq_copy_near). Inputs are made by script from the `zzeval sample` season (tests/input/cases.py);
the checks run on the air-quality table alone, as `zzeval validate` runs them, but one case through the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.input.cases import AQ, Case, edit, pm_copy_messages, validate_refuses


def _stamps(frame: pd.DataFrame, rows: pd.Series, *moved) -> pd.Series:
    stamps = pd.to_datetime(frame.loc[rows, "datetime"])
    for step in moved:
        stamps = stamps + step
    return stamps.dt.strftime("%Y-%m-%d %H:%M")


def _previous_season_an_hour_off(frame: pd.DataFrame) -> pd.DataFrame:
    """ZZ101's previous-season rows (all pollutants) are its current ones, the year set back and 1 h later."""
    at = frame["station_code"] == "ZZ101"
    now = at & (frame["datetime"] >= "2020-09-01")
    copy = frame[now].assign(datetime=_stamps(frame, now, pd.DateOffset(years=-1), pd.Timedelta(hours=1)))
    return pd.concat([frame[~at | now], copy], ignore_index=True)


def _pm25_of(frame: pd.DataFrame, source: str, touch) -> pd.DataFrame:
    """ZZ101's PM2.5 (both seasons) is ``source``'s, changed by ``touch`` (values, their days -> values)."""
    frame = frame.copy()
    pm = frame["pollutant"] == "PM2.5"
    values = frame[pm & (frame["station_code"] == source)].set_index("datetime")["value"]
    rows = pm & (frame["station_code"] == "ZZ101")
    copied = frame.loc[rows, "datetime"].map(values)
    frame.loc[rows, "value"] = touch(copied.to_numpy(dtype=float), frame.loc[rows, "datetime"].str[:10].to_numpy())
    return frame


def _other_precision(values: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The hourly means before the platform rounded them: each within 0.49 µg/m³, at one decimal."""
    return np.round(values + np.random.default_rng(1).uniform(-0.49, 0.49, len(values)), 1)


def _first_hour_touched(values: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The first hour of each day one more."""
    first = np.r_[True, days[1:] != days[:-1]]
    return values + first


def _february_filled_with_january(frame: pd.DataFrame) -> pd.DataFrame:
    """ZZ101's 2021-02-01..02-28 (all pollutants) are its 2021-01-01..01-28 moved by 31 days."""
    at = frame["station_code"] == "ZZ101"
    january = at & (frame["datetime"] >= "2021-01-01") & (frame["datetime"] < "2021-01-29")
    copy = frame[january].assign(datetime=_stamps(frame, january, pd.Timedelta(days=31)))
    february = at & (frame["datetime"] >= "2021-02-01") & (frame["datetime"] < "2021-03-01")
    return pd.concat([frame[~february], copy], ignore_index=True)


def test_the_sample_has_no_near_copies(air):
    assert pm_copy_messages(air, scaled=False) == []


def test_a_previous_season_stamped_an_hour_off_is_refused(air):
    (message,) = pm_copy_messages(_previous_season_an_hour_off(air), scaled=False)
    assert message.startswith("station ZZ101, season from 2019: PM2.5 and PM10 of 1")
    assert "(2019-10-01 to 2020-03-31) have, within 0.5 µg/m³ in 20 or more hours of each day, the hourly values of " \
           "its own season from 2020, the year set back, stamped 1 h later" in message
    assert "export the season from 2019 again" in message
    assert len(message) < 1000


@pytest.mark.parametrize("touch", [_other_precision, _first_hour_touched], ids=["one_decimal", "one_hour_a_day"])
def test_a_station_with_another_stations_pm25_is_refused(air, touch):
    # (days whose first hour is missing stay equal: the exact check refuses those days too, apart)
    messages = [m for m in pm_copy_messages(_pm25_of(air, "ZZ100", touch), scaled=False) if "within 0.5" in m]
    assert len(messages) == 2, messages  # both seasons
    for message, year in zip(messages, (2019, 2020), strict=True):
        assert message.startswith(f"station ZZ101, season from {year}: PM2.5 of 1")
        assert "the hourly values of station ZZ100, at the same hours" in message
        assert "the same export given for both stations (ZZ100 and ZZ101)?" in message


def test_a_month_filled_with_the_month_before_is_refused(air):
    (message,) = pm_copy_messages(_february_filled_with_january(air), scaled=False)
    assert message.startswith("station ZZ101, season from 2020: PM2.5 and PM10 of 2")
    assert "to 2021-02-28) have, within 0.5 µg/m³" in message
    assert "the hourly values of its own hours 31 days earlier in the same season" in message


def test_genuine_neighbours_agreeing_in_many_hours_pass(air):
    """A station within 1 µg/m³ of another in every hour (a close neighbour in clean air) but equal in
    only some hours is no copy: the hours must be within 0.5 µg/m³."""
    step = lambda values, days: values + np.where(np.arange(len(values)) % 3 == 0, 0, 1)  # noqa: E731
    assert pm_copy_messages(_pm25_of(air, "ZZ100", step), scaled=False) == []


def test_validate_refuses_a_previous_season_an_hour_off(sample_season, tmp_path, capsys):
    case = Case("previous_season_an_hour_off", edit(AQ, _previous_season_an_hour_off),
                ("air_quality.csv.gz, row ", "column 'value': station ZZ101, season from 2019: PM2.5 and PM10 of ",
                 "stamped 1 h later"))
    validate_refuses(sample_season, case, tmp_path / "case", capsys)
