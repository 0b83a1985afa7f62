"""The county series' mix of townships month by month (issue #13, spot review S2): a township that is
present only a few days of a month of one season weighs less in the county's mean then, and the month
is not comparable when the townships' shares of the series' hours changed more than the limit."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pandas as pd
import pytest

from zzeval.airquality.airstats import county_validity
from zzeval.airquality.county_mix import mix_changes, mix_limit
from zzeval.synthetic.planted import make_season


def _hours(counts: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """Township hours of one month pair (``2020-12`` current, ``2019-12`` previous)."""
    rows = [{"township": t, "pollutant": "PM2.5", "month": m, "hours": h}
            for t, (cur, prev) in counts.items() for m, h in (("2020-12", cur), ("2019-12", prev)) if h]
    return pd.DataFrame(rows)


def test_the_limit_is_the_sample_measured_one():
    assert mix_limit() == pytest.approx(0.04)  # input_limits.csv county.township_mix_change


def test_one_of_17_townships_absent_is_a_mix_change_of_one_17th():
    counts = {f"t{i:02d}": (744, 744) for i in range(17)} | {"t16": (0, 744)}
    mix = mix_changes(_hours(counts), ["2020-12"], ["2019-12"]).set_index("month")
    assert mix.loc["2020-12", "mix_change"] == pytest.approx(1 / 17)  # 5.9 % > 4 %: not comparable
    assert mix.loc["2020-12", "townships_share_fell"] == "t16" and mix.loc["2019-12", "townships_share_fell"] == ""


def test_a_township_present_3_days_of_31_is_named_not_the_others_short_hours():
    # the spot review's S2 shape: dadonggou 72 of 744 hours in the current month; nancun 13 hours short in
    # the previous one (its share fell there too, but its own shortfall moves the mix by 0.4 %, not 28 %)
    counts = {"dadonggou": (72, 744), "nancun": (744, 731), "xiacun": (744, 744)}
    mix = mix_changes(_hours(counts), ["2020-12"], ["2019-12"]).set_index("month")
    assert mix.loc["2020-12", "mix_change"] == pytest.approx(1 / 3 - 72 / 1560, abs=0.003)
    assert mix.loc["2020-12", "townships_share_fell"] == "dadonggou"
    assert mix.loc["2019-12", "townships_share_fell"] == ""
    # the sample's largest genuine change (李寨乡's December: 586 hours against 731 of 17) is comparable
    small = {f"t{i:02d}": (731, 731) for i in range(17)} | {"lizhai": (586, 731)}
    assert mix_changes(_hours(small), ["2020-12"], ["2019-12"])["mix_change"].max() < mix_limit()


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


def test_the_task_path_gives_the_same_county_validity(few_days_season):
    # the per-township evaluation's CountySeries counts each township's hours as the one process does
    from zzeval.assess.tasks import CountySeries, _county_terms

    terms, _ = _county_terms(few_days_season, ("PM2.5",), False)
    series = CountySeries()
    for slug in sorted(set(terms["township"])):
        own = terms[terms["township"] == slug].drop(columns="township").reset_index(drop=True)
        series.add(SimpleNamespace(slug=slug, county_terms=own, hours_without_weather=0))
    split = county_validity(few_days_season, series.frame(), township_hours=series.township_hours())
    pd.testing.assert_frame_equal(split, county_validity(few_days_season), check_exact=True)
