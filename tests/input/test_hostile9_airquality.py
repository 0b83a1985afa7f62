"""Hostile review 9A (air-quality validity): a whole month missing at the end or the start of a
season counts as a month without valid days (F1); a township without one valid day in a season
still has its row, so that the reason says 0 days (M6). Tiny synthetic seasons, in process."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from zzeval.airquality import validity
from zzeval.airquality.airstats import season_statistics
from zzeval.assess.evaluate import headline_air_indicators
from zzeval.synthetic.planted import make_season


@pytest.fixture(scope="module")
def full_season():
    """Two townships, one station each, PM2.5 only, both whole seasons (182 and 183 days)."""
    data, _ = make_season(2, pollutants=("PM2.5",), seed=3)
    return data


def _without(data, start: str, end: str, station: str | None = None):
    aq = data.air_quality
    cut = (aq["datetime"] >= start) & (aq["datetime"] < end)
    if station is not None:
        cut &= aq["station_code"] == station
    return replace(data, air_quality=aq[~cut].reset_index(drop=True))


def _township(stats: pd.DataFrame, slug: str, season: str) -> pd.Series:
    rows = stats[(stats["level"] == "township") & (stats["unit_id"] == slug) & (stats["season"] == season)]
    assert len(rows) == 1, f"{slug} {season}: {len(rows)} rows"
    return rows.iloc[0]


def test_month_validity_counts_calendar_months_without_rows():
    # February and March absent: with the season's months they are months of 0 valid days
    days = pd.date_range("2020-10-01", "2021-01-31")
    d = pd.DataFrame({"station_code": "S1", "statistic": "PM2.5", "date": days, "valid": True})
    months = ["2020-10", "2020-11", "2020-12", "2021-01", "2021-02", "2021-03"]
    m = validity.month_validity(d, months=months).set_index("month")
    assert list(m.index) == months
    assert m.loc["2021-03", "valid_days"] == 0 and not m.loc["2021-03", "month_valid"]
    assert m.loc["2021-02", "min_valid_days"] == 25 and not m.loc["2021-02", "month_valid"]
    assert m.loc[["2020-10", "2020-11", "2020-12", "2021-01"], "month_valid"].all()
    assert validity.month_validity(d)["month_valid"].all()  # without months: only those with rows


def test_full_season_is_valid(full_season):
    s = season_statistics(full_season)
    for slug in ("t01", "t02"):
        for label in ("current", "previous"):
            r = _township(s, slug, label)
            assert r["statistics_valid"] and r["months_insufficient"] == 0, (slug, label)


@pytest.mark.parametrize("start, end, station, season", [
    ("2021-03-01 01:00", "2021-04-02", None, "current"),      # export ended in February (F1)
    ("2021-03-01 01:00", "2021-04-02", "S01", "current"),     # one station stopped in February
    ("2019-10-01", "2020-01-01 01:00", None, "previous"),     # previous season starts in January
    ("2019-10-01", "2019-11-01 01:00", "S01", "previous"),    # previous October only
])
def test_month_missing_at_an_end_is_insufficient(full_season, start, end, station, season):
    s = season_statistics(_without(full_season, start, end, station))
    r = _township(s, "t01", season)
    assert not r["statistics_valid"] and r["months_insufficient"] >= 1
    other = _township(s, "t02", season)
    assert other["statistics_valid"] == (station is not None)


def test_previous_season_without_october_to_december_counts_three_months(full_season):
    # 1 January 00:00 belongs to 31 December: before the fix only December failed, by that one hour
    s = season_statistics(_without(full_season, "2019-10-01", "2020-01-01 01:00"))
    assert _township(s, "t01", "previous")["months_insufficient"] == 3


def test_no_valid_day_this_season_keeps_the_row(full_season):
    # every other hour in the current season: 12 hours a day, no valid day (M6)
    aq = full_season.air_quality
    drop = (aq["datetime"] >= "2020-10-01") & (aq["datetime"].dt.hour % 2 == 1)
    s = season_statistics(replace(full_season, air_quality=aq[~drop].reset_index(drop=True)))
    r = _township(s, "t01", "current")
    assert r["valid_days"] == 0 and not r["statistics_valid"] and r["months_insufficient"] == 6
    ind = headline_air_indicators(s).set_index("township")
    assert ind.loc["t01", "valid_days"] == 0 and ind.loc["t01", "valid_days_prev"] == 183
    assert ind.loc["t01", "pm25_mean_ugm3_prev"] > 0 and not ind.loc["t01", "statistics_valid"]


def test_county_page_and_summary_flag_the_county_change_when_townships_data_are_invalid(tiny30):
    # F2: every township "数据有效性不足" and the county page led with its PM2.5 change, unmarked
    from zzeval.assess.county import county_figures
    from zzeval.report.county_views import county_key_figures, county_validity_notice

    ev = tiny30[2]
    ind = ev.indicators.assign(statistics_valid=[False, True])
    invalid = replace(ev, indicators=ind)
    fig = county_figures(invalid)
    assert fig["townships_data_invalid"] == 1 and fig["statistics_valid"] is False
    assert "1 个乡镇（巴公镇）的监测数据有效性不足" in fig["validity"]["zh"]
    assert "fail the validity rules (1: 巴公镇 (bagong))" in fig["validity"]["en"]
    notice = county_validity_notice(invalid, "zh").data
    assert "数据有效性不足" in notice and fig["validity"]["zh"] in notice  # the words of summary.json
    cards = {c.label: c for c in county_key_figures(invalid, "zh")}
    for label in ("PM2.5 实测变化（全县）", "PM2.5 气象调整后变化（全县）"):
        assert cards[label].note == "数据有效性不足" and cards[label].tone == "neutral"

    valid = replace(ev, indicators=ev.indicators.assign(statistics_valid=True))
    fig = county_figures(valid)
    assert fig["statistics_valid"] is True and "validity" not in fig and fig["townships_data_invalid"] == 0
    assert county_validity_notice(valid, "zh") is None
    assert all(c.note is None for c in county_key_figures(valid, "zh") if "PM2.5" in c.label)


def _o3_as_o3_8h(frame: pd.DataFrame) -> pd.DataFrame:
    """Ozone given only as O3_8h rows (the hourly O3 rows renamed)."""
    frame.loc[frame["pollutant"] == "O3", "pollutant"] = "O3_8h"
    return frame


def test_o3_8h_rows_are_said_not_to_be_read(sample_season, tmp_path, capsys):
    # M1: the rows were ignored without a word and the notice said only "no O3"
    from tests.input.cases import Case, edit, make_case
    from zzeval.cli import main

    folder = make_case(sample_season, Case("o3_8h", edit("air_quality.csv.gz", _o3_as_o3_8h), ()), tmp_path / "c")
    assert main(["validate", str(folder)]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "rows of pollutant O3_8h are not read" in said and "from the hourly O3 values" in said, said
    assert "the share of good days (优良天数比例) is not computed either" in said
    assert main(["validate", str(sample_season)]) == 0
    assert "O3_8h" not in capsys.readouterr().out  # the sample: no new notice


def test_good_day_share_is_not_computed_without_o3():
    # M1: the share of good days was computed from an AQI without O3 (+1.6 to +2.2 points)
    from zzeval.report.county_views import good_days_note

    without, _ = make_season(2, days=31, pollutants=("PM2.5", "PM10", "SO2", "NO2", "CO"), seed=3)
    with_o3, _ = make_season(2, days=31, pollutants=("PM2.5", "PM10", "SO2", "NO2", "CO", "O3"), seed=3)
    for data, has in ((without, False), (with_o3, True)):
        s = season_statistics(data)
        r = _township(s, "t01", "current")
        assert r["good_days"] > 0 and (pd.notna(r["good_day_ratio"]) == has)
        ind = headline_air_indicators(s).set_index("township").loc["t01"]
        note = good_days_note(ind, "zh")
        assert (note is None) == has
        if not has:
            assert note.startswith("优良天数比例不可计算") and "O3_8h 行不被读取" in note
