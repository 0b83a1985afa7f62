"""AQI per HJ 633-2012: every breakpoint edge of Table 1, the notes, levels, CLI table."""

import numpy as np
import pandas as pd
import pytest

from zzeval.airquality import aqi
from zzeval.errors import DataValidationError

# HJ 633-2012 Table 1, written out here independently of the CSV (FACTS.md §5.2; SO2 24-h
# per the standard: 0, 50, 150, 475, 800, 1600, 2100, 2620).
IAQI = [0, 50, 100, 150, 200, 300, 400, 500]
TABLE1 = {
    ("SO2", "24h"): [0, 50, 150, 475, 800, 1600, 2100, 2620],
    ("SO2", "1h"): [0, 150, 500, 650, 800],
    ("NO2", "24h"): [0, 40, 80, 180, 280, 565, 750, 940],
    ("NO2", "1h"): [0, 100, 200, 700, 1200, 2340, 3090, 3840],
    ("PM10", "24h"): [0, 50, 150, 250, 350, 420, 500, 600],
    ("CO", "24h"): [0, 2, 4, 14, 24, 36, 48, 60],
    ("CO", "1h"): [0, 5, 10, 35, 60, 90, 120, 150],
    ("O3", "1h"): [0, 160, 200, 300, 400, 800, 1000, 1200],
    ("O3", "8h"): [0, 100, 160, 215, 265, 800],
    ("PM2.5", "24h"): [0, 35, 75, 115, 150, 250, 350, 500],
}


@pytest.mark.parametrize("key", list(TABLE1))
def test_every_breakpoint_edge(key):
    # At each breakpoint BP_k the IAQI is exactly IAQI_k (both adjacent segments agree).
    conc = TABLE1[key]
    got = aqi.iaqi(conc, *key)
    np.testing.assert_array_equal(got, IAQI[: len(conc)])
    # Just above the top breakpoint there is no IAQI.
    assert np.isnan(aqi.iaqi(conc[-1] + 1, *key))


@pytest.mark.parametrize("key", list(TABLE1))
def test_just_above_each_edge_rounds_up(key):
    # 1 % of a segment above BP_k: IAQI_k + 0.01·ΔIAQI, rounded up to IAQI_k + 1
    # (ΔIAQI is 50 or 100, so 0.5 or 1.0 -> ceil gives +1).
    conc = np.array(TABLE1[key], float)
    c = conc[:-1] + 0.01 * np.diff(conc)
    np.testing.assert_array_equal(aqi.iaqi(c, *key), np.array(IAQI[: len(conc) - 1]) + 1)


def test_worked_examples_midsegment():
    # PM2.5 24-h 80 µg/m³: 100 + (150-100)/(115-75)·(80-75) = 106.25 -> 107
    assert aqi.iaqi(80, "PM2.5", "24h") == 107
    # SO2 24-h 300 µg/m³: 100 + 50/325·150 = 123.08 -> 124 (aqi-hub's wrong row would give 80)
    assert aqi.iaqi(300, "SO2", "24h") == 124
    # CO 1-h 7 mg/m³: 50 + 50/5·2 = 70
    assert aqi.iaqi(7, "CO", "1h") == 70
    # O3 8-h 180 µg/m³: 100 + 50/55·20 = 118.18 -> 119
    assert aqi.iaqi(180, "O3", "8h") == 119
    assert aqi.iaqi(180, "O3", "8h", round_up=False) == pytest.approx(118.1818, abs=1e-4)


def test_levels_table2():
    lv = aqi.aqi_levels()
    assert list(lv.columns) == ["level", "aqi_low", "aqi_high", "category_zh", "category_en",
                                "colour_hex", "colour_name_zh"]
    assert list(lv["category_zh"]) == ["优", "良", "轻度污染", "中度污染", "重度污染", "严重污染"]
    assert list(lv["colour_hex"]) == ["#00E400", "#FFFF00", "#FF7E00", "#FF0000", "#99004C",
                                      "#7E0023"]
    np.testing.assert_array_equal(aqi.aqi_level([0, 50, 51, 100, 101, 150, 151, 200, 201, 300,
                                                 301, 500]),
                                  [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6])


def _long(rows):
    return pd.DataFrame(rows, columns=["station_code", "datetime", "pollutant", "value", "unit"])


def _hour(h, values, st="S1", base="2020-12-01"):
    t = pd.Timestamp(base) + pd.Timedelta(hours=h)
    units = {"CO": "mg/m³", "AQI": "1"}
    return [(st, t, p, v, units.get(p, "µg/m³")) for p, v in values.items()]


def test_hourly_primary_and_published_disagreement():
    # hour 1: PM2.5 80 -> 107 (24-h table for hourly PM); NO2 150 -> 50 + 50/100·50 = 75
    # hour 2: everything low -> AQI ≤ 50, no primary pollutant; published AQI 60 disagrees.
    rows = _hour(1, {"PM2.5": 80, "NO2": 150, "CO": 1.0, "AQI": 107})
    rows += _hour(2, {"PM2.5": 10, "NO2": 20, "CO": 0.5, "AQI": 60})
    t, rep = aqi.aqi_table(_long(rows), "hourly")
    assert list(t["aqi"]) == [107, 15]  # hour 2: PM2.5 10 -> 50/35·10 = 14.3 -> 15
    assert t["primary_pollutant"].iloc[0] == "PM2.5"
    assert pd.isna(t["primary_pollutant"].iloc[1])
    assert list(t["category"]) == ["轻度污染", "优"]
    assert rep.n_published == 2 and rep.n_published_disagree == 1


def test_hourly_so2_above_800_uses_24h_mean():
    # 24 hours of SO2 at 100 µg/m³, then one hour at 900 (> 800: no 1-h IAQI, note 2).
    # 24-h moving mean ending at hour 25 = (23·100 + 900)/24 = 133.33 -> 24-h table:
    # 50 + 50/100·83.33 = 91.67 -> 92.
    rows = []
    for h in range(2, 25 + 1):
        rows += _hour(h, {"SO2": 900 if h == 25 else 100})
    t = aqi.hourly_aqi(_long(rows))
    last = t.iloc[-1]
    assert last["so2_24h_used"] and last["aqi"] == 92
    assert not last["aqi_over_500"]


def test_over_500_flag():
    rows = _hour(1, {"PM2.5": 600, "NO2": 50})
    t, rep = aqi.aqi_table(_long(rows), "hourly")
    assert t["aqi"].iloc[0] == 500 and t["aqi_over_500"].iloc[0]
    assert t["primary_pollutant"].iloc[0] == "PM2.5"
    assert rep.n_aqi_over_500 == 1


def test_daily_aqi_from_hours():
    # Day 2020-12-01 = stamps 12-01 01:00 .. 12-02 00:00 (CNEMC hour-ending convention).
    # PM2.5 constant 80 (24 h) -> daily mean 80 -> 107; O3 constant 50 -> MDA8 50 -> 25,
    # O3 1-h max 50 -> 16; CO 1.0 -> 25.
    rows = []
    for h in range(1, 25):
        rows += _hour(h, {"PM2.5": 80, "O3": 50, "CO": 1.0})
    t, rep = aqi.aqi_table(_long(rows), "daily")
    assert len(t) == 1 and t["datetime"].iloc[0] == pd.Timestamp("2020-12-01")
    assert t["aqi"].iloc[0] == 107 and t["primary_pollutant"].iloc[0] == "PM2.5"


def test_daily_needs_20_hours():
    # 19 hours only -> no valid daily mean -> no AQI (flagged, not averaged).
    rows = []
    for h in range(1, 20):
        rows += _hour(h, {"PM2.5": 80})
    t, _ = aqi.aqi_table(_long(rows), "daily")
    assert len(t) == 1 and pd.isna(t["aqi"].iloc[0])


def test_bad_input_is_reported():
    rows = _hour(1, {"PM2.5": 80}) + _hour(1, {"PM2.5": 81})  # duplicated hour
    rows += [("S1", pd.Timestamp("2020-12-01 02:00"), "CO", 1200, "µg/m³")]  # CO in µg/m³
    rows += [("S1", pd.Timestamp("2020-12-01 02:00"), "NH3", 5, "µg/m³")]  # unknown
    with pytest.raises(DataValidationError) as e:
        aqi.aqi_table(_long(rows), "hourly")
    msg = str(e.value)
    assert "duplicated hour" in msg and "row 2" in msg and "row 3" in msg
    assert "CO given in 'µg/m³'" in msg and "mg/m³" in msg
    assert "unknown pollutant 'NH3'" in msg


def test_out_of_order_is_counted_not_dropped():
    rows = _hour(3, {"PM2.5": 30}) + _hour(1, {"PM2.5": 10}) + _hour(2, {"PM2.5": 20})
    t, rep = aqi.aqi_table(_long(rows), "hourly")
    assert rep.n_out_of_order == 1 and len(t) == 3
    assert list(t["datetime"].dt.hour) == [1, 2, 3]


# --- the hourly AQI as the national real-time release computes it (issue 9 item 5) -------------
# O3 falls from 240 to 170 µg/m³ over hours 1..8; PM2.5 stays at 30.
#   hour 8, 1-h values: O3 170 -> 1-h table 50 + 50/40·10 = 62.5 -> 63; PM2.5 30 -> 50/35·30 = 42.9 -> 43
#   8-h O3 moving mean at hour 8 = (240+230+…+170)/8 = 205 -> 8-h table 100 + 50/55·45 = 140.9 -> 141
#   at hour 6 (6 hours, the GB 3095 minimum): (240+…+190)/6 = 215; at hour 5: too few hours (NaN)
_FALLING_O3 = [240, 230, 220, 210, 200, 190, 180, 170]


def _falling_o3_rows(extra: dict | None = None):
    rows = []
    for h, o3 in enumerate(_FALLING_O3, start=1):
        rows += _hour(h, {"O3": o3, "PM2.5": 30, **((extra or {}).get(h, {}))})
    return rows


def test_hourly_default_is_the_real_time_convention_with_o3_8h_beside():
    t, _ = aqi.aqi_table(_long(_falling_o3_rows()), "hourly")
    last = t.iloc[-1]
    assert last["aqi"] == 63 and last["primary_pollutant"] == "O3"
    assert last["o3_8h"] == pytest.approx(205.0)
    assert t["o3_8h"].iloc[5] == pytest.approx(215.0) and np.isnan(t["o3_8h"].iloc[4])
    assert t["aqi"].iloc[0] == 120  # hour 1: O3 240 -> 1-h table 100 + 50/100·40 = 120 exactly


def test_hourly_o3_8h_option_adds_the_8h_iaqi():
    t, _ = aqi.aqi_table(_long(_falling_o3_rows()), "hourly", o3_8h=True)
    last = t.iloc[-1]
    assert last["aqi"] == 141 and last["primary_pollutant"] == "O3_8h"
    # hour 5 has no valid 8-h mean: the AQI is the 1-h one (O3 200 -> exactly 100)
    assert t["aqi"].iloc[4] == 100


def test_published_o3_8h_rows_are_shown_and_used_only_with_the_option():
    # a published 8-h mean of 100 at hour 8 replaces the computed 205: 8-h table 100 -> 50
    rows = _falling_o3_rows({8: {"O3_8h": 100}})
    default, _ = aqi.aqi_table(_long(rows), "hourly")
    with_8h, _ = aqi.aqi_table(_long(rows), "hourly", o3_8h=True)
    assert default["o3_8h"].iloc[-1] == 100 and default["aqi"].iloc[-1] == 63
    assert with_8h["aqi"].iloc[-1] == 63  # max(63, 43, 50)
