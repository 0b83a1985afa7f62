"""GB 3095-2012 §8 / HJ 663-2013 validity rules."""

import numpy as np
import pandas as pd

from zzeval.airquality import validity


def _o3(hours_values, st="S1"):
    return pd.DataFrame({
        "station_code": st,
        "datetime": [pd.Timestamp("2020-12-01") + pd.Timedelta(hours=h) for h, _ in hours_values],
        "pollutant": "O3", "value": [v for _, v in hours_values], "unit": "µg/m³"})


def test_hj663_percentile_worked_example():
    # FACTS.md §5.4: {3,4,8,2,5,4}, p = 90: sorted 2,3,4,4,5,8; k = 1 + 5·0.9 = 5.5;
    # X(5) + (X(6) − X(5))·0.5 = 5 + 3·0.5 = 6.5
    assert validity.hj663_percentile([3, 4, 8, 2, 5, 4], 90) == 6.5


def test_mda8_windows_and_min_hours():
    # O3 = h µg/m³ at stamp h (1..24). Window ending stamp H covers H-7..H, mean H-3.5.
    # Windows end 08:00..24:00 -> max at 24:00: 20.5. 17 windows, all with 8 hours.
    d = validity.daily_max_8h(_o3([(h, float(h)) for h in range(1, 25)]))
    assert d["value"].iloc[0] == 20.5 and d["n"].iloc[0] == 17 and d["valid"].iloc[0]


def test_mda8_too_few_windows_but_exceeding_counts():
    # Only stamps 1..12 -> windows ending 08..12 (5 windows < 14): invalid at 50 µg/m³ ...
    low = validity.daily_max_8h(_o3([(h, 50.0) for h in range(1, 13)]))
    assert not low["valid"].iloc[0]
    # ... but valid when the max exceeds the 8-h Grade II limit (170 > 160, HJ 663).
    high = validity.daily_max_8h(_o3([(h, 170.0) for h in range(1, 13)]))
    assert high["valid"].iloc[0]


def test_8h_window_needs_6_hours():
    # 5 hours in the window -> no 8-h value
    w = pd.DataFrame({"station_code": "S1",
                      "datetime": pd.date_range("2020-12-01 01:00", periods=8, freq="h"),
                      "O3": [1, 1, 1, np.nan, np.nan, np.nan, 1, 1.0]})
    assert np.isnan(validity.o3_8h(w).iloc[-1])
    w.loc[3, "O3"] = 1.0
    assert validity.o3_8h(w).iloc[-1] == 1.0


def test_daily_values_and_month_validity():
    # 20 hours on 2020-12-01 -> valid; 19 on 12-02 -> invalid but counted.
    t1 = pd.date_range("2020-12-01 01:00", periods=20, freq="h")
    t2 = pd.date_range("2020-12-02 01:00", periods=19, freq="h")
    df = pd.DataFrame({"station_code": "S1", "datetime": t1.append(t2), "pollutant": "PM2.5",
                       "value": 50.0, "unit": "µg/m³"})
    d = validity.daily_values(df)
    assert list(d["valid"]) == [True, False] and list(d["n"]) == [20, 19]
    m = validity.month_validity(d)
    assert m["valid_days"].iloc[0] == 1 and m["min_valid_days"].iloc[0] == 27
    assert not m["month_valid"].iloc[0]
    # February needs 25
    feb = pd.DataFrame({"station_code": "S1", "statistic": "PM2.5",
                        "date": pd.date_range("2021-02-01", periods=25), "valid": True})
    assert validity.month_validity(feb)["month_valid"].iloc[0]


def test_attributed_day():
    s = pd.Series(pd.to_datetime(["2021-04-01 00:00", "2021-03-31 01:00"]))
    assert list(validity.attributed_day(s)) == [pd.Timestamp("2021-03-31")] * 2
