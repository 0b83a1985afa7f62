"""Hostile review s14-hostB: PM2.5 and PM10 divided by 10 at every station at once for part of a season passed
validate (every station moved together, so the checks against the other stations saw nothing) and changed the
county's change and every verdict. Judged against each station's own CO (zzeval.season.pm_co_ratio, confirmable:
aq_pm_co_ratio; air_quality.pm25_co_window_ratio, air_quality.pm10_co_window_ratio, air_quality.pm_co_window_factor).

- N03: two weeks (2021-01-04..17) at every station; N16: the previous January; N23: the previous January-March;
  N04: both seasons (the whole export): refused once a pollutant, "at every station", naming the days.
- N45 / N45b: the current January at every station; the clerk who corrects only ZZ101 is told about ZZ100 and
  ZZ102, never to confirm the corrected ZZ101; after the corrections nothing is refused.
- N05: the previous season at two stations of three: the slipped stations are named, the innocent ZZ102 is not.

Each case is planted by script into `zzeval sample --seed 7 --townships 3` (the reviewer's base). Genuine seasons
pass (the base, data/sample, the winter generator's w+85); limits were measured by a one-off script on more genuine
data (the figures are in input_limits.csv)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.input.cases import AQ, read
from zzeval.cli import main
from zzeval.resources import input_floor, input_limit
from zzeval.season.checks import Collector
from zzeval.season.confirm import read_confirmed
from zzeval.season.plausible import check_air_quality_series
from zzeval.season.pm_co_ratio import CHECK, daily_ratios, flag_windows, window_medians

FNAME = "air_quality.csv.gz"
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
STATIONS = ("ZZ100", "ZZ101", "ZZ102")


def _numeric(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame[["station_code", "datetime", "pollutant", "value"]]
    return frame.assign(datetime=pd.to_datetime(frame["datetime"]), value=pd.to_numeric(frame["value"]))


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> pd.DataFrame:
    """The hourly air quality of `zzeval sample --seed 7 --townships 3`."""
    folder = tmp_path_factory.mktemp("hostile14pm") / "seed7"
    assert main(["sample", str(folder), "--seed", "7", "--townships", "3"]) == 0
    return _numeric(read(folder, AQ))


def _checked(aq: pd.DataFrame, confirmed: dict | None = None) -> Collector:
    out = Collector()
    if confirmed:
        read_confirmed({"confirmed": confirmed}, "season.yaml", out)
    check_air_quality_series(aq.reset_index(drop=True), FNAME, out)
    return out


def _slipped(aq: pd.DataFrame, first: str, end: str, stations=STATIONS, pollutants=("PM2.5", "PM10"),
             factor: float = 0.1) -> pd.DataFrame:
    """``aq`` with the PM of ``stations`` from ``first`` to before ``end`` times ``factor`` (to 0.1 µg/m³, as
    the export writes it)."""
    aq = aq.copy()
    rows = ((aq["datetime"] >= first) & (aq["datetime"] < end) & aq["pollutant"].isin(pollutants)
            & aq["station_code"].isin(stations)).to_numpy()
    aq.loc[rows, "value"] = (aq.loc[rows, "value"] * factor).round(1)
    return aq


def _spans(problems) -> dict:
    """Pollutant -> the (first, last) days each aq_pm_co_ratio refusal names."""
    found: dict = {}
    for p in problems:
        m = re.match(r"(PM2\.5|PM10) at (?:every station|station \S+?)[ (].*?, (\d{4}-\d\d-\d\d)\.\.(\d{4}-\d\d-\d\d):",
                     p.message)
        assert m, p.message
        found.setdefault(m.group(1), []).append((m.group(2), m.group(3)))
    return found


def _first_row(aq: pd.DataFrame, pollutant: str, day: str, stations=STATIONS) -> int:
    rows = ((aq["pollutant"] == pollutant) & (aq["datetime"] >= day) & aq["station_code"].isin(stations)).to_numpy()
    return int(np.flatnonzero(rows).min()) + 2


def test_genuine_seasons_pass(base, tmp_path):
    """The base, data/sample and the winter generator's dirtiest scenario: nothing refused, and every window
    well inside the limits (at least 1.5 times inside the range; within 2 times of the usual)."""
    from zzeval.synthetic.winter import write_winter_season
    write_winter_season(tmp_path / "w85", "w+85", 0, n_townships=3, cache_dir=tmp_path / "cache")
    assert not [p for p in _checked(base).problems if CHECK in p.message or "CO (mg/m³)" in p.message]
    for aq in (base, _numeric(read(SAMPLE, AQ)), _numeric(read(tmp_path / "w85", AQ))):
        flagged = flag_windows(window_medians(daily_ratios(aq)))
        assert not (flagged["low"] | flagged["high"]).any()
        for pollutant, one in flagged.groupby("pollutant"):
            key = {"PM2.5": "air_quality.pm25_co_window_ratio", "PM10": "air_quality.pm10_co_window_ratio"}[pollutant]
            assert one["window"].min() > 1.5 * input_floor(key) and one["window"].max() < input_limit(key) / 1.5
            relative = one["window"] / one["usual"]
            assert relative.min() > 0.5 and relative.max() < 2


def test_two_weeks_divided_by_10_at_every_station_are_refused_once(base):
    """N03: named once a pollutant, at every station, with the days, the fix and the line to confirm."""
    aq = _slipped(base, "2021-01-04", "2021-01-18")
    problems = _checked(aq).problems
    assert len(problems) == 2
    assert _spans(problems) == {"PM2.5": [("2021-01-04", "2021-01-17")], "PM10": [("2021-01-04", "2021-01-17")]}
    pm25 = next(p for p in problems if p.message.startswith("PM2.5"))
    assert pm25.row == _first_row(aq, "PM2.5", "2021-01-04") and pm25.column == "value"
    assert "PM2.5 at every station (ZZ100, ZZ101, ZZ102: the export slipped)" in pm25.message
    assert "multiply PM2.5 of those days by 10" in pm25.message
    assert re.search(r"ZZ101 14 days 2021-01-04\.\.2021-01-17: 14-day median 3\.\d+, its usual 3\d\.\d+ \(0\.\d+ times\)",
                     pm25.message), pm25.message
    assert f"{CHECK}: [all PM2.5 2021-01-04..2021-01-17]" in pm25.message
    confirmed = _checked(aq, {CHECK: ["all PM2.5 2021-01-04..2021-01-17", "all PM10 2021-01-04..2021-01-17"]})
    assert confirmed.problems == [] and sum("confirmed in season.yaml (aq_pm_co_ratio" in n for n in confirmed.notes) == 2


@pytest.mark.parametrize(("first", "end", "last"), [("2020-01-01", "2020-02-01", "2020-01-31"),   # N16
                                                    ("2020-01-01", "2020-04-01", "2020-03-31")])  # N23
def test_a_month_or_a_quarter_of_the_previous_season_at_every_station(base, first, end, last):
    problems = _checked(_slipped(base, first, end)).problems
    assert _spans(problems) == {"PM2.5": [(first, last)], "PM10": [(first, last)]}
    assert all("at every station (ZZ100, ZZ101, ZZ102" in p.message and "by 10" in p.message for p in problems)


def test_both_seasons_divided_by_10_are_refused_below_the_range(base):
    """N04: the whole export in tenths: no season against the other, no usual ratio; below the range."""
    problems = _checked(_slipped(base, "2019-01-01", "2022-01-01")).problems
    spans = _spans(problems)
    assert sorted(spans) == ["PM10", "PM2.5"] and len(problems) == 4
    for pollutant, found in spans.items():
        seasons = sorted((a[:7], b[:7]) for a, b in found)
        assert seasons == [("2019-10", "2020-03"), ("2020-10", "2021-03")], (pollutant, found)
    assert all("at every station" in p.message and "no usual ratio left" in p.message for p in problems)
    key = "air_quality.pm25_co_window_ratio"
    pm25 = [p for p in problems if p.message.startswith("PM2.5")]
    assert all(f"lie within {input_floor(key):g}..{input_limit(key):g}" in p.message for p in pm25)


def test_the_clerk_who_corrects_one_station_is_told_the_others_never_to_confirm_it(base):
    """N45, N45b: January 2021 ÷ 10 at every station; corrected at ZZ101 only, ZZ100 and ZZ102 are named and ZZ101
    is in no message (the checks against the other stations hold its month and days); corrected everywhere,
    nothing is refused."""
    n45 = _slipped(base, "2021-01-01", "2021-02-01")
    problems = _checked(n45).problems
    ours = [p for p in problems if "CO (mg/m³)" in p.message]
    assert _spans(ours) == {"PM2.5": [("2021-01-01", "2021-01-31")], "PM10": [("2021-01-01", "2021-01-31")]}
    assert all("at every station" in p.message for p in ours)
    assert not [p for p in problems if "confirm" in p.message and p not in ours]
    n45b = _slipped(base, "2021-01-01", "2021-02-01", stations=("ZZ100", "ZZ102"))
    problems = _checked(n45b).problems
    assert len(problems) == 4 and all("ZZ101" not in p.message for p in problems)
    assert sorted(re.match(r"(\S+) at station (ZZ10\d)", p.message).groups() for p in problems) == [
        ("PM10", "ZZ100"), ("PM10", "ZZ102"), ("PM2.5", "ZZ100"), ("PM2.5", "ZZ102")]
    assert all("2021-01-01..2021-01-31" in p.message and "multiply" in p.message for p in problems)
    fixed = n45b.copy()
    rows = ((fixed["datetime"] >= "2021-01-01") & (fixed["datetime"] < "2021-02-01")
            & fixed["pollutant"].isin(["PM2.5", "PM10"]) & fixed["station_code"].isin(["ZZ100", "ZZ102"])).to_numpy()
    fixed.loc[rows, "value"] = fixed.loc[rows, "value"] * 10
    assert _checked(fixed).problems == []


def test_two_slipped_stations_of_three_are_named_not_the_third(base):
    """N05: the previous season ÷ 10 at ZZ100 and ZZ101: they are named on their own CO; the innocent ZZ102 is
    in no message (its months were told "multiplied by 10? confirm" against the slipped two)."""
    problems = _checked(_slipped(base, "2019-01-01", "2020-07-01", stations=("ZZ100", "ZZ101"))).problems
    assert problems and all("ZZ102" not in p.message and "aq_month_level" not in p.message for p in problems)
    named = {re.match(r"(\S+) at station (ZZ10\d), (\d{4}-\d\d)", p.message).groups() for p in problems}
    assert named == {(p, s, "2019-10") for p in ("PM2.5", "PM10") for s in ("ZZ100", "ZZ101")}


def _daily(ratios: np.ndarray, station: str = "ZZ100", pollutant: str = "PM2.5") -> pd.DataFrame:
    """A station's daily ratios on consecutive days from 2020-10-01 (a tiny inline frame)."""
    days = np.datetime64("2020-10-01") + np.arange(len(ratios)).astype("timedelta64[D]")
    return pd.DataFrame({"station": station, "pollutant": pollutant, "day": days, "ratio": ratios, "series": 0})


@pytest.mark.parametrize(("share", "flagged"), [(0.98, False), (1.02, True)])
def test_a_window_just_inside_the_factor_passes(share, flagged):
    """Fourteen days at the usual ratio 40 ÷ (0.98 or 1.02 × the factor): inside passes, beyond is refused."""
    factor = input_limit("air_quality.pm_co_window_factor")
    ratios = np.full(150, 40.0)
    ratios[60:74] = 40 / (share * factor)
    result = flag_windows(window_medians(_daily(ratios)))
    assert bool(result["low"].any()) is flagged and not result["high"].any()


@pytest.mark.parametrize(("share", "flagged"), [(1.02, False), (0.98, True)])
def test_a_season_just_inside_the_floor_passes(share, flagged):
    """Every day at 1.02 (or 0.98) times the floor of PM2.5 / CO: inside passes, below is refused."""
    floor = input_floor("air_quality.pm25_co_window_ratio")
    result = flag_windows(window_medians(_daily(np.full(150, share * floor))))
    assert bool(result["low"].any()) is flagged


def test_a_station_without_co_is_not_judged(base):
    """ZZ100 without CO: not judged; ZZ101 and ZZ102 are named each, not "at every station" (ZZ100 is not seen)."""
    aq = _slipped(base, "2021-01-04", "2021-01-18")
    aq = aq[~((aq["pollutant"] == "CO") & (aq["station_code"] == "ZZ100"))]
    problems = [p for p in _checked(aq).problems if "CO (mg/m³)" in p.message]
    assert len(problems) == 4 and all("ZZ100" not in p.message and "every station" not in p.message
                                      for p in problems)


def test_co_in_another_unit_is_said_by_its_own_check_not_as_pm(base):
    """The previous season's CO in µg/m³ (× 1000) at every station: refused by CO's season median; PM is not told
    to be multiplied by 10 (the ratio moved by CO, not PM)."""
    aq = _slipped(base, "2019-01-01", "2020-07-01", pollutants=("CO",), factor=1000)
    problems = _checked(aq).problems
    assert problems and any("CO" in p.message and "1000" in p.message for p in problems)
    assert not [p for p in problems if "CO (mg/m³)" in p.message]
