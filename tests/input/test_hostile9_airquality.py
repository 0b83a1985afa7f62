"""Hostile review 9A (air-quality validity): a whole month missing at the end or the start of a
season counts as a month without valid days (F1); a township without one valid day in a season
still has its row, so that the reason says 0 days (M6); the county's change is flagged when the
county's own series (the hourly mean of the stations that have the hour) fails those rules, not when
one township's data do (F2). Tiny synthetic seasons, in process."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
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


def _short_days(data, start: str, days: int, station: str):
    """``data`` without 5 hours (13:00-17:00) of each of ``days`` days from ``start`` at ``station``: those days
    have 19 hours (invalid, GB 3095 § 8), but the station keeps 19 of their 24 hours."""
    aq = data.air_quality
    t = aq["datetime"]
    cut = ((aq["station_code"] == station) & (t >= start) & (t < pd.Timestamp(start) + pd.Timedelta(days=days))
           & t.dt.hour.between(13, 17))
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


def _county_evaluation(ev, data, townships_valid):
    """``ev`` (the tiny season's evaluation) with the townships' validity and the county series'
    validity of ``data``: the county's figures then follow from these two alone."""
    from zzeval.airquality.airstats import county_validity

    return replace(ev, indicators=ev.indicators.assign(statistics_valid=townships_valid),
                   county_validity=county_validity(data))


def test_county_series_is_the_weather_adjustments(full_season):
    # the series whose validity is judged has the hours of the weather adjustment's county series
    from zzeval.airquality.weather_data import _series, county_hourly

    data = _without(full_season, "2019-10-01", "2019-11-01 01:00", "S01")
    series, _ = _series(data, ("PM2.5",), True)
    hours = county_hourly(data)
    assert (hours["datetime"].to_numpy() == series[("county", "PM2.5")][2]).all()
    assert (hours["value"].to_numpy() == series[("county", "PM2.5")][3]).all()  # one construction


def test_one_townships_missing_month_leaves_the_county_valid(full_season, tiny30):
    # F2 as the lead decided: the county series is the mean of the stations that have the hour, so
    # one station's missing October leaves it complete; the county keeps its headline
    from zzeval.assess.county import county_figures
    from zzeval.report.county_views import county_key_figures, county_validity_notice

    # (a few short days: a whole month absent, or 9 whole days of 31 of one of two townships, changes the
    # county's mix of townships, re-review A, N2, spot review S2)
    data = _short_days(full_season, "2019-10-01 01:00", 9, "S01")
    assert not _township(season_statistics(data), "t01", "previous")["statistics_valid"]
    ev = _county_evaluation(tiny30[2], data, [False, True])
    assert ev.county_validity["month_valid"].all() and len(ev.county_validity) == 12
    fig = county_figures(ev)
    assert fig["statistics_valid"] is True and "validity" not in fig and fig["townships_data_invalid"] == 1
    assert county_validity_notice(ev, "zh") is None
    assert all(c.note is None for c in county_key_figures(ev, "zh") if "PM2.5" in c.label)


def test_every_stations_missing_months_make_the_county_invalid(full_season, tiny30):
    # F2: a previous season without October to December at every station; the county's change is
    # marked even if the townships' flags said nothing (the county's own series decides)
    from zzeval.assess.county import county_figures
    from zzeval.report.county_views import county_key_figures, county_validity_notice

    data = _without(full_season, "2019-10-01", "2020-01-01 01:00")
    ev = _county_evaluation(tiny30[2], data, [True, True])
    fig = county_figures(ev)
    assert fig["statistics_valid"] is False and fig["townships_data_invalid"] == 0
    assert "有 3 个月的有效日数不足" in fig["validity"]["zh"]
    assert "2019-10（0 天）、2019-11（0 天）、2019-12（0 天）" in fig["validity"]["zh"]
    assert "has 3 months with fewer valid days" in fig["validity"]["en"]
    assert "2019-10 (0 days), 2019-11 (0 days), 2019-12 (0 days)" in fig["validity"]["en"]
    notice = county_validity_notice(ev, "zh").data
    assert "数据有效性不足" in notice and fig["validity"]["zh"] in notice  # the words of summary.json
    cards = {c.label: c for c in county_key_figures(ev, "zh")}
    for label in ("PM2.5 实测变化（全县）", "PM2.5 气象调整后变化（全县）"):
        assert cards[label].note == "数据有效性不足" and cards[label].tone == "neutral"
    # one month with a few days short: counted with its valid days
    ev = _county_evaluation(tiny30[2], _without(full_season, "2021-01-01 01:00", "2021-01-06 01:00"), True)
    assert "1 month with fewer valid days" in county_figures(ev)["validity"]["en"]
    assert "2021-01 (26 days)" in county_figures(ev)["validity"]["en"]


# -- re-review A, N3 and N5: validity is per pollutant; the share of good days only from a valid AQI
@pytest.fixture(scope="module")
def pm_o3_season():
    """Two townships, one station each, all six pollutants (the share of good days is of days with a
    complete AQI: a season of PM2.5 and O3 alone gives none), both whole seasons."""
    data, _ = make_season(2, seed=3)
    return data


def test_a_month_without_o3_leaves_the_pm25_rules_decided(pm_o3_season):
    # N3: the O3 analyser of S01 out for March; PM2.5 complete: its rules decide, the AQI's (爆表) do not,
    # and the reason names O3 and its valid days; the share of good days (March's AQI without O3) is not given
    from zzeval.assess.verdict import apply_rules, load_rules
    from zzeval.report.county_views import good_days_note

    aq = pm_o3_season.air_quality
    cut = (aq["station_code"] == "S01") & (aq["pollutant"] == "O3") & (aq["datetime"] >= "2021-03-01")
    s = season_statistics(replace(pm_o3_season, air_quality=aq[~cut].reset_index(drop=True)))
    r = _township(s, "t01", "current")
    assert r["months_insufficient_PM2.5"] == 0 and r["months_insufficient_O3_8h_max"] == 1
    assert pd.isna(r["good_day_ratio"]) and r["good_day_ratio_missing"] == "O3"
    ind = headline_air_indicators(s).assign(pm25_change_obs_pct=[3.0, -10.0], baobiao_days=[0, 0])
    assert ind.set_index("township").loc["t01", "statistics_valid_PM2.5"]
    targets = pd.DataFrame(columns=["township", "task", "target", "unit", "deadline"])
    out = apply_rules(ind, targets, load_rules(), "zh").set_index("township").loc["t01"]
    outcomes = {c["rule"]: c["outcome"] for c in out["checks"]}
    assert outcomes["pm25_worse"] == "fired" and outcomes["baobiao"] == "undecided"
    assert out["rules_undecided"] == ["baobiao"] and "O3 本季有效 151\u00a0天，上一季 183\u00a0天" in out["undecided"][0]
    note = good_days_note(ind.set_index("township").loc["t01"], "zh")
    assert note and "本乡镇站点 O3 的有效监测数据不足" in note
    assert good_days_note(ind.set_index("township").loc["t02"], "zh") is None


def test_a_month_without_o3_leaves_no_composite_index():
    # spot review (N3 left over): the composite index of the six pollutants was still given (4.999 → 4.904)
    # with O3 out for March at the township's station; it is not computable, as the share of good days
    from zzeval.report.county_views import composite_index_note

    data, _ = make_season(2, seed=3, days=None)
    aq = data.air_quality
    cut = (aq["station_code"] == "S01") & (aq["pollutant"] == "O3") & (aq["datetime"] >= "2021-03-01")
    s = season_statistics(replace(data, air_quality=aq[~cut].reset_index(drop=True)))
    r = _township(s, "t01", "current")
    assert r["months_insufficient_PM2.5"] == 0 and r["months_insufficient_O3_8h_max"] == 1
    assert np.isfinite(r["index_O3"]) and pd.isna(r["comprehensive_index"])
    assert r["comprehensive_index_missing"] == "O3" == r["good_day_ratio_missing"]
    assert np.isfinite(_township(s, "t02", "current")["comprehensive_index"])
    assert np.isfinite(_township(s, "t01", "previous")["comprehensive_index"])
    ind = headline_air_indicators(s).set_index("township")
    assert pd.isna(ind.loc["t01", "comprehensive_index"]) and pd.isna(ind.loc["t01", "comprehensive_index_change_pct"])
    assert "本乡镇站点 O3 的有效监测数据不足" in composite_index_note(ind.loc["t01"], "zh")
    assert composite_index_note(ind.loc["t02"], "zh") is None


def test_too_few_valid_days_give_no_share_of_good_days(pm_o3_season):
    # N5: 19-hour days (5 hours missing every day): a handful of valid days is no share of 0.0 %
    aq = pm_o3_season.air_quality
    drop = (aq["station_code"] == "S01") & (aq["datetime"] >= "2020-10-01") & aq["datetime"].dt.hour.between(13, 17)
    s = season_statistics(replace(pm_o3_season, air_quality=aq[~drop].reset_index(drop=True)))
    r = _township(s, "t01", "current")
    assert not r["statistics_valid"] and pd.isna(r["good_day_ratio"]) and "PM2.5" in r["good_day_ratio_missing"]
    assert _township(s, "t02", "current")["good_day_ratio"] > 0


def test_a_township_absent_for_whole_months_flags_the_county(full_season, tiny30):
    # N2: S01 (t01) without December to February in the current season: the county series (the mean of
    # the townships that have the hour) stays complete, but its mix of townships differs between seasons
    from zzeval.airquality.airstats import county_validity
    from zzeval.assess.county import county_figures

    data = _without(full_season, "2020-12-01 01:00", "2021-03-01 01:00", "S01")
    cv = county_validity(data)
    assert (cv["valid_days"] >= cv["min_valid_days"]).all()
    # the extreme case of a changed mix (spot review S2): t01's share of the hours falls from 1/2 to 0
    assert list(cv.loc[cv["townships_share_fell"] != "", "month"]) == ["2020-12", "2021-01", "2021-02"]
    assert cv.set_index("month").loc["2021-01", "mix_change"] == pytest.approx(0.5, abs=0.01)
    ev = _county_evaluation(tiny30[2], data, [False, True])
    fig = county_figures(ev)
    assert fig["statistics_valid"] is False and "t01（S01：2020-12、2021-01、2021-02）" in fig["validity"]["zh"]
    # a few short days (19 hours: the township's December fails, 24 valid days) change the county's mix little and leave it valid
    few = county_validity(_short_days(full_season, "2020-12-03 01:00", 7, "S01"))
    assert few["month_valid"].all() and (few["townships_share_fell"] == "").all()
    assert 0 < few["mix_change"].max() < 0.04  # 35 hours of 744 of one of two townships: 35 / 744 / 2 = 2.4 %
