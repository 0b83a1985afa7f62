"""Hourly PM copied and transformed linearly (hostile review s11-reA, findings W1, W3/N12 and W4): a previous
season that is the current one × 1.6, one station's PM2.5 that is another's × 1.05 or touched by −1, 0 or +1
every hour, a month filled with the month before × 1.05 (zzeval.season.aq_copy_scaled). Inputs are made by
script from the `zzeval sample` season (tests/input/cases.py); the checks run on the air-quality table alone,
as `zzeval validate` runs them, but one case through the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.input.cases import AQ, Case, edit, pm_copy_messages, validate_refuses


def _rounded(values: np.ndarray, pollutant: pd.Series) -> np.ndarray:
    return np.where(pollutant.to_numpy() == "CO", np.round(values, 2), np.round(values))


def _previous_season_x16(frame: pd.DataFrame) -> pd.DataFrame:
    """ZZ101's previous season (all pollutants) is its current one × 1.6, the year set back (W1)."""
    at = frame["station_code"] == "ZZ101"
    now = at & (frame["datetime"] >= "2020-09-01")
    stamps = (pd.to_datetime(frame.loc[now, "datetime"]) - pd.DateOffset(years=1)).dt.strftime("%Y-%m-%d %H:%M")
    copy = frame[now].assign(datetime=stamps.to_numpy())
    copy["value"] = _rounded(pd.to_numeric(copy["value"]).to_numpy(dtype=float) * 1.6, copy["pollutant"])
    return pd.concat([frame[~at | now], copy], ignore_index=True)


def _pm_of(frame: pd.DataFrame, source: str, touch) -> pd.DataFrame:
    """ZZ101's PM2.5 and PM10 (both seasons) are ``source``'s, changed by ``touch`` (W3, N12)."""
    frame = frame.copy()
    for pollutant in ("PM2.5", "PM10"):
        pm = frame["pollutant"] == pollutant
        values = frame[pm & (frame["station_code"] == source)].set_index("datetime")["value"]
        rows = pm & (frame["station_code"] == "ZZ101")
        frame.loc[rows, "value"] = touch(frame.loc[rows, "datetime"].map(values).to_numpy(dtype=float))
    return frame


def _february_is_january_x105(frame: pd.DataFrame) -> pd.DataFrame:
    """ZZ101's 2021-02-01..02-28 (all pollutants) are its 2021-01-01..01-28 × 1.05, moved by 31 days (W4)."""
    at = frame["station_code"] == "ZZ101"
    january = at & (frame["datetime"] >= "2021-01-01") & (frame["datetime"] < "2021-01-29")
    stamps = (pd.to_datetime(frame.loc[january, "datetime"]) + pd.Timedelta(days=31)).dt.strftime("%Y-%m-%d %H:%M")
    copy = frame[january].assign(datetime=stamps.to_numpy())
    copy["value"] = _rounded(pd.to_numeric(copy["value"]).to_numpy(dtype=float) * 1.05, copy["pollutant"])
    february = at & (frame["datetime"] >= "2021-02-01") & (frame["datetime"] < "2021-03-01")
    return pd.concat([frame[~february], copy], ignore_index=True)


def test_the_sample_has_no_scaled_copies(air):
    assert pm_copy_messages(air) == []


def test_a_previous_season_times_16_is_refused(air):
    messages = pm_copy_messages(_previous_season_x16(air))
    assert len(messages) == 2, messages  # PM2.5 and PM10
    assert messages[0].startswith("station ZZ101, season from 2019: PM10 of 1")
    assert "1.600 × its own" in messages[0] and "its own season from 2020's, the year set back" in messages[0]
    assert "export the season from 2019 again" in messages[0]
    assert all(len(m) <= 1000 for m in messages)


@pytest.mark.parametrize("touch", [lambda v: np.round(v * 1.05),
                                   lambda v: np.maximum(v + np.random.default_rng(12).integers(-1, 2, len(v)), 1),
                                   lambda v: v + 1], ids=["times_1.05", "plus_minus_1", "plus_1"])
def test_a_station_with_another_stations_pm_rescaled_is_refused(air, touch):
    messages = pm_copy_messages(_pm_of(air, "ZZ100", touch))
    assert len(messages) == 4, messages  # PM2.5 and PM10 of both seasons
    for m in messages:
        assert m.startswith("station ZZ100, season from 20") and "station ZZ101's at the same hours" in m
        assert "export each station's own data (ZZ100 and ZZ101)" in m


def test_a_month_filled_with_the_month_before_times_105_is_refused(air):
    messages = pm_copy_messages(_february_is_january_x105(air))
    assert messages and all(m.startswith("station ZZ101, season from 2020: PM") for m in messages), messages
    assert "its own hours 31 days earlier" in messages[0] and "1.050 × its own" in messages[0]


def test_validate_refuses_a_previous_season_times_16(sample_season, tmp_path, capsys):
    case = Case("previous_season_x16", edit(AQ, _previous_season_x16),
                ("air_quality.csv.gz, row ", "column 'value': station ZZ101, season from 2019: PM", "the year set back"))
    validate_refuses(sample_season, case, tmp_path / "case", capsys)
