"""Season statistics: a hand-worked mini season, comprehensive index, dustfall."""

import numpy as np
import pandas as pd
import pytest

from zzeval.airquality.airstats import comprehensive_index, dustfall_summary, season_statistics
from zzeval.synthetic.planted import make_season


def test_comprehensive_index_hand_worked():
    # SO2 30/60 = 0.5; NO2 40/40 = 1; PM10 70/70 = 1; PM2.5 70/35 = 2;
    # CO 95th pct of {1, 2}: k = 1 + 1·0.95 = 1.95 -> 1 + 0.95 = 1.95; /4 = 0.4875
    # O3 90th pct of {100, 200}: 100 + 100·0.9 = 190; /160 = 1.1875
    # I_sum = 0.5 + 1 + 1 + 2 + 0.4875 + 1.1875 = 6.175
    w = pd.DataFrame({"SO2": [20, 40], "NO2": [40, 40], "PM10": [60, 80], "PM2.5": [70, 70],
                      "CO": [1, 2], "O3_8h_max": [100, 200]})
    tot, sub = comprehensive_index(w)
    assert tot == pytest.approx(6.175)
    assert sub["CO"] == pytest.approx(0.4875) and sub["O3"] == pytest.approx(1.1875)


def test_season_statistics_counts():
    data, _ = make_season(2, days=10, pollutants=("PM2.5", "PM10", "SO2", "NO2", "CO", "O3"),
                          seed=1)
    aq = data.air_quality
    # plant a known day: 2020-10-03 at station S01 has PM2.5 = 260 µg/m³ all day
    # -> daily mean 260 -> IAQI 300 + 100/100·10 = 310 -> severe (> 300) and heavy (> 200)
    day = (aq["station_code"] == "S01") & (aq["pollutant"] == "PM2.5") & (
        (aq["datetime"] - pd.Timedelta(hours=1)).dt.floor("D") == pd.Timestamp("2020-10-03"))
    aq.loc[day, "value"] = 260.0
    # and remove 5 hours of PM10 on 2020-10-04 at S01 (19 h left -> invalid day, counted)
    gap = (aq["station_code"] == "S01") & (aq["pollutant"] == "PM10") & (
        aq["datetime"].between("2020-10-04 01:00", "2020-10-04 05:00"))
    data.air_quality = aq[~gap].reset_index(drop=True)
    s = season_statistics(data)
    row = s[(s["unit_id"] == "S01") & (s["season"] == "current")].iloc[0]
    assert row["valid_days_PM10"] == 9 and row["valid_days_PM2.5"] == 10
    assert row["severe_days"] >= 1 and row["heavy_days"] >= row["severe_days"]
    assert row["exceed_days_PM2.5"] >= 1
    assert row["days_in_period"] == 182
    # only 10 days of data: months are insufficient -> statistics flagged, not hidden
    assert not row["statistics_valid"] and row["months_insufficient"] > 0
    assert sum(row[f"level_{k}_days"] for k in range(1, 7)) == row["valid_days"]
    assert set(s["level"]) == {"station", "township"}


def test_dustfall_vs_target():
    data, _ = make_season(2, days=5, pollutants=("PM2.5",), seed=1)
    months = data.period.months()
    data.dustfall = pd.DataFrame({"township": "t01", "month": months,
                                  "dustfall_t_km2_month": [8, 8, 10, 10, 9, 9.0]})
    d = dustfall_summary(data)
    r = d[(d["township"] == "t01") & (d["season"] == "current")].iloc[0]
    # mean (8+8+10+10+9+9)/6 = 9.0 -> not below 9; months above 9: two
    assert r["mean_dustfall_t_km2_month"] == 9.0 and not r["meets_target"]
    assert r["months_above_target"] == 2 and np.isnan(r["change_pct"])
