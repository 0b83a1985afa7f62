"""The county series' mix of townships month by month (issue #13, spot review S2): a township that is
present only a few days of a month of one season weighs less in the county's mean then, and the month
is not comparable when the townships' shares of the series' hours changed more than the limit."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pandas as pd
import pytest

from zzeval.airquality.airstats import county_validity
from zzeval.airquality.county_mix import mix_changes, mix_limit, month_weights, station_presence
from zzeval.synthetic.planted import make_season


def _weights(counts: dict[str, tuple[int, int]], stations: dict[str, int] | None = None,
             levels: dict[str, float] | None = None) -> pd.DataFrame:
    """Station weights of one month pair (December 2020 current, December 2019 previous) from hourly rows:
    township ``t`` has a value in the first ``cur`` (``prev``) hours of the month at each of its stations
    (``stations``: how many, 1 by default), every value ``levels[t]`` (1 by default)."""
    rows = []
    for t, (cur, prev) in counts.items():
        for year, n in ((2020, cur), (2019, prev)):
            hours = pd.date_range(f"{year}-12-01 01:00", periods=n, freq="h")
            for k in range(stations.get(t, 1) if stations else 1):
                rows.append(pd.DataFrame({"township": t, "station_code": f"{t}-{k}", "pollutant": "PM2.5",
                                          "datetime": hours, "value": (levels or {}).get(t, 1.0)}))
    return month_weights(station_presence(pd.concat(rows, ignore_index=True)))


def test_the_limit_is_the_sample_measured_one():
    assert mix_limit() == pytest.approx(0.02)  # input_limits.csv county.station_mix_bias


def test_one_of_17_townships_absent_is_a_mix_change_of_one_17th():
    counts = {f"t{i:02d}": (744, 744) for i in range(17)} | {"t16": (0, 744)}
    # t16 twice as dirty as the others: its absence lowers the month mean by (1/17) / (35/34) = 5.7 %
    mix = mix_changes(_weights(counts, levels={"t16": 2.0}), ["2020-12"], ["2019-12"]).set_index("month")
    assert mix.loc["2020-12", "mix_change"] == pytest.approx(1 / 17)
    assert mix.loc["2020-12", "mix_bias"] == pytest.approx(-2 / 35)  # |−5.7 %| > 2 %: not comparable
    assert mix.loc["2020-12", "townships_share_fell"] == "t16" and mix.loc["2019-12", "townships_share_fell"] == ""
    # the same absence of a township that reads like the others moves nothing: comparable (s10-reA F4)
    alike = mix_changes(_weights(counts), ["2020-12"], ["2019-12"]).set_index("month")
    assert alike.loc["2020-12", "mix_change"] == pytest.approx(1 / 17)
    assert alike.loc["2020-12", "mix_bias"] == pytest.approx(0) and (alike["townships_share_fell"] == "").all()


def test_a_township_present_3_days_of_31_is_named_not_the_others_short_hours():
    # the spot review's S2 shape: dadonggou 72 of 744 hours in the current month; nancun 13 hours short in
    # the previous one (its share fell there too, but its own shortfall moves the mix by 0.4 %, not 28 %)
    counts = {"dadonggou": (72, 744), "nancun": (744, 731), "xiacun": (744, 744)}
    mix = mix_changes(_weights(counts, levels={"dadonggou": 2.0}), ["2020-12"], ["2019-12"]).set_index("month")
    # its weight: 1/3 in its 72 hours (0 in the others) against about 1/3 in every hour of the previous month
    assert mix.loc["2020-12", "mix_change"] == pytest.approx((731 / 3 + 13 / 2) / 744 - 72 / 3 / 744)
    assert mix.loc["2020-12", "townships_share_fell"] == "dadonggou"
    assert mix.loc["2019-12", "townships_share_fell"] == ""
    # the sample's largest genuine change (李寨乡's December: 586 hours against 731 of 17) is comparable
    small = {f"t{i:02d}": (731, 731) for i in range(17)} | {"lizhai": (586, 731)}
    assert mix_changes(_weights(small, levels={"lizhai": 2.0}), ["2020-12"], ["2019-12"])["mix_bias"].abs().max() < mix_limit()


@pytest.fixture(scope="module")
def few_days_season():
    """Two townships (one station each, PM2.5): t01 has only the last 3 days of December to February in
    the current season (and is twice as dirty: the county's change then looks better than it is)."""
    data, _ = make_season(2, pollutants=("PM2.5",), seed=3)
    aq = data.air_quality
    t = aq["datetime"]
    aq = aq.assign(value=aq["value"].where(aq["station_code"] != "S01", 2 * aq["value"]))
    day = (t - pd.Timedelta(hours=1)).dt
    cut = ((aq["station_code"] == "S01") & (t > "2020-12-01 00:00") & (t <= "2021-03-01 00:00")
           & (day.day < day.days_in_month - 2))
    return replace(data, air_quality=aq[~cut].reset_index(drop=True))


def test_a_township_present_3_days_a_month_makes_the_county_not_comparable(few_days_season):
    cv = county_validity(few_days_season).set_index("month")
    # the county series has every hour (t02 covers them) and t01 a valid day in each month ...
    assert (cv["valid_days"] >= cv["min_valid_days"]).all()
    # ... but t01's share of the hours fell from 1/2 to 72/816 in three months
    for month in ("2020-12", "2021-01", "2021-02"):
        assert cv.loc[month, "mix_change"] > 0.4 and cv.loc[month, "townships_share_fell"] == "t01"
        assert not cv.loc[month, "month_valid"]
    assert not cv.loc[["2019-12", "2020-01", "2020-02"], "month_valid"].any()  # the pair is not comparable
    assert cv.loc[["2020-10", "2020-11", "2021-03"], "month_valid"].all()


def _split(season):
    """The county validity the per-township evaluation computes (its CountySeries, a township at a time)."""
    from zzeval.assess.tasks import CountySeries, _county_terms, _station_presence

    terms, _ = _county_terms(season, ("PM2.5",), False)
    presence = _station_presence(season, ("PM2.5",))
    series = CountySeries()
    for slug in sorted(set(terms["township"])):
        own = terms[terms["township"] == slug].drop(columns="township").reset_index(drop=True)
        series.add(SimpleNamespace(slug=slug, county_terms=own, hours_without_weather=0,
                                   station_presence=presence[presence["township"] == slug].reset_index(drop=True)))
    return county_validity(season, series.frame(), station_weights=series.station_weights())


def test_the_task_path_gives_the_same_county_validity(few_days_season):
    # the per-township evaluation's CountySeries weighs each station as the one process does
    pd.testing.assert_frame_equal(_split(few_days_season), county_validity(few_days_season), check_exact=True)


@pytest.fixture(scope="module")
def dirty_station_season():
    """Hostile review s10-hostA F4: t01 has two stations in both seasons, S01 and a cleaner S03 (0.6 × S01's
    values); S01 has only the last 3 days of December to February in the current season. t01's own series
    (the mean of its stations with a value) is complete every hour, so the townships' mix did not change."""
    data, _ = make_season(2, pollutants=("PM2.5",), seed=3)
    aq = data.air_quality
    second = aq[aq["station_code"] == "S01"].assign(station_code="S03", value=lambda d: 0.6 * d["value"])
    t = aq["datetime"]
    day = (t - pd.Timedelta(hours=1)).dt
    cut = ((aq["station_code"] == "S01") & (t > "2020-12-01 00:00") & (t <= "2021-03-01 00:00")
           & (day.day < day.days_in_month - 2))
    aq = pd.concat([aq[~cut], second], ignore_index=True).sort_values(["station_code", "datetime"], ignore_index=True)
    st = data.stations
    st = pd.concat([st, st[st["station_code"] == "S01"].assign(station_code="S03")], ignore_index=True)
    return replace(data, air_quality=aq, stations=st)


def test_a_townships_station_present_3_days_a_month_makes_the_county_not_comparable(dirty_station_season):
    from types import SimpleNamespace as NS

    from zzeval.assess.county import county_mix_text

    cv = county_validity(dirty_station_season).set_index("month")
    assert (cv["valid_days"] >= cv["min_valid_days"]).all()
    # S01 weighed 1/2 × 1/2 of every hour; in its 72 hours of December 2020 only: 72/744 of that
    assert cv.loc["2020-12", "mix_change"] == pytest.approx(0.25 * (1 - 72 / 744))
    for month in ("2020-12", "2021-01", "2021-02"):
        assert not cv.loc[month, "month_valid"]
        assert (cv.loc[month, "townships_share_fell"], cv.loc[month, "stations_share_fell"]) == ("t01", "t01 S01")
    assert cv.loc[["2020-10", "2020-11", "2021-03"], "month_valid"].all()
    assert (cv.loc[["2019-12", "2020-01", "2020-02"], "stations_share_fell"] == "").all()
    ev = NS(name_zh=lambda slug: {"t01": "甲乡"}[slug])
    text = county_mix_text(ev, cv.reset_index()[~cv["month_valid"].to_numpy()], "zh")
    assert "甲乡（S01：2020-12、2021-01、2021-02）" in text
    assert "t01 (S01: 2020-12, 2021-01, 2021-02)".replace("t01", "甲乡") in county_mix_text(
        ev, cv.reset_index()[~cv["month_valid"].to_numpy()], "en")
    pd.testing.assert_frame_equal(_split(dirty_station_season), county_validity(dirty_station_season),
                                  check_exact=True)


def test_an_outage_of_one_of_two_stations_that_read_alike_leaves_the_county_comparable():
    # s10-reA F4: t01's second station S03 (0.98 × S01) out 10 days of December 2019. The stations' shares move
    # by 1/2 × 1/2 × 240/744 = 8.1 % (the old rule's 4 % flagged the county), but the county's month mean by
    # about 8.1 % × the two stations' difference in level: far below the 2 % of the mix bias
    data, _ = make_season(2, pollutants=("PM2.5",), seed=3)
    aq = data.air_quality
    second = aq[aq["station_code"] == "S01"].assign(station_code="S03", value=lambda d: 0.98 * d["value"])
    t = second["datetime"]
    second = second[~((t > "2019-12-05 00:00") & (t <= "2019-12-15 00:00"))]
    st = data.stations
    st = pd.concat([st, st[st["station_code"] == "S01"].assign(station_code="S03")], ignore_index=True)
    season = replace(data, air_quality=pd.concat([aq, second], ignore_index=True)
                     .sort_values(["station_code", "datetime"], ignore_index=True), stations=st)
    cv = county_validity(season).set_index("month")
    assert cv.loc["2019-12", "mix_change"] == pytest.approx(0.25 * 240 / 744, rel=0.01)  # above the old 4 %
    assert cv["month_valid"].all() and (cv["stations_share_fell"] == "").all()
    assert abs(cv.loc["2019-12", "mix_bias"]) < mix_limit() / 4  # 0.42 %: S03 misses 10 days of its own level
    pd.testing.assert_frame_equal(_split(season), county_validity(season), check_exact=True)
