"""A station replaced mid-season (same site under a new code, or moved a short distance) declared in
``stations.replaces``: the two stations are one series (spot review S3, issue 13). Tiny inline tables, or
inputs made by script from the `zzeval sample` season."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.input.cases import read, write
from zzeval.airquality.airstats import county_validity, season_statistics
from zzeval.assess.comparable import like_with_like
from zzeval.assess.evaluate import headline_air_indicators
from zzeval.assess.verdict import judge, load_rules
from zzeval.cli import main
from zzeval.errors import DataValidationError
from zzeval.season.checks import Collector
from zzeval.season.loading import load_season
from zzeval.season.replacements import (
    as_series,
    check_replacement_distance,
    check_replacement_hours,
    check_replacements,
    distance_km,
    handover_notes,
    series_codes,
)


def _stations(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["station_code", "township", "replaces"])


def _problems(stations) -> list[tuple]:
    out = Collector()
    check_replacements(stations, "stations.csv", out)
    return [(p.row, p.column, p.message) for p in out.problems]


def test_a_chain_is_one_series_under_its_first_code():
    st = _stations([["A", "t1", ""], ["B", "t1", "A"], ["C", "t1", "B"], ["D", "t2", None]])
    assert series_codes(st) == {"B": "A", "C": "A"}
    assert _problems(st) == []
    aq = pd.DataFrame({"station_code": ["C", "A", "D", "B"], "pollutant": "PM2.5", "value": [3.0, 1.0, 9.0, 2.0],
                       "datetime": pd.to_datetime(["2021-03-01", "2020-10-01", "2020-10-01", "2021-01-01"])})
    out = as_series(aq, st)
    assert out["station_code"].tolist() == ["A", "A", "A", "D"] and out["value"].tolist() == [1.0, 2.0, 3.0, 9.0]
    assert as_series(aq, st.drop(columns="replaces")) is aq  # without the column: the rows as they are


@pytest.mark.parametrize("rows, row, words", [
    ([["A", "t1", ""], ["B", "t1", "B"]], 3, "station B names itself"),
    ([["A", "t1", ""], ["B", "t1", "ZZ"]], 3, "station 'ZZ' is not in stations"),
    ([["A", "t1", ""], ["B", "t2", "A"]], 3, "station B is in township t2 but A, which it replaces, is in t1"),
    ([["A", "t1", ""], ["B", "t1", "A"], ["C", "t1", "A"]], 4, "A is replaced by both B (row 3) and C"),
    ([["A", "t1", "B"], ["B", "t1", "A"]], 2, "the replacements form a cycle (A → B → A)"),
])
def test_a_wrong_replacement_is_refused_naming_row_and_column(rows, row, words):
    problems = _problems(_stations(rows))
    assert len(problems) == 1, problems
    assert problems[0][:2] == (row, "replaces") and words in problems[0][2], problems


def test_a_replaced_station_must_stop_before_its_successor_starts_or_within_a_parallel_run():
    st = _stations([["A", "t1", ""], ["B", "t1", "A"]])
    out = Collector()
    out.station_spans = {"A": (pd.Timestamp("2020-10-01"), pd.Timestamp("2021-01-01 05:00")),
                         "B": (pd.Timestamp("2021-01-01 00:00"), pd.Timestamp("2021-03-31 23:00"))}
    check_replacement_hours(st, "stations.csv", "air_quality.csv", out)  # 5 hours in parallel (F7a)
    assert out.problems == []
    out.station_spans = {"A": (pd.Timestamp("2020-10-01"), pd.Timestamp("2021-02-05 05:00")),
                         "B": (pd.Timestamp("2021-01-01 00:00"), pd.Timestamp("2021-03-31 23:00"))}
    check_replacement_hours(st, "stations.csv", "air_quality.csv", out)
    (p,) = out.problems
    assert (p.file, p.row, p.column) == ("stations.csv", 3, "replaces")
    assert "A has values from 2020-10-01 00:00 until 2021-02-05 05:00 and B from 2021-01-01 00:00" in p.message
    out = Collector()
    out.station_spans = {"A": (pd.Timestamp("2020-10-01"), pd.Timestamp("2020-12-31 23:00")),
                         "B": (pd.Timestamp("2021-01-01 00:00"), pd.Timestamp("2021-03-31 23:00"))}
    check_replacement_hours(st, "stations.csv", "air_quality.csv", out)
    assert out.problems == []


def test_a_station_stopping_as_another_starts_gets_a_notice_pointing_at_replaces():
    spans = {"A": (pd.Timestamp("2019-10-01"), pd.Timestamp("2020-12-31 23:00")),
             "B": (pd.Timestamp("2021-01-03 00:00"), pd.Timestamp("2021-03-31 23:00")),
             "C": (pd.Timestamp("2019-10-01"), pd.Timestamp("2021-03-31 23:00"))}
    (note,) = handover_notes(_stations([["A", "t1", ""], ["B", "t1", ""], ["C", "t2", ""]]), spans, "stations.csv")
    assert "station A stops at 2020-12-31 23:00 and B starts at 2021-01-03 00:00" in note and "`replaces`" in note
    assert handover_notes(_stations([["A", "t1", ""], ["B", "t1", "A"]]), spans, "stations.csv") == []
    late = {**spans, "B": (pd.Timestamp("2021-01-20"), pd.Timestamp("2021-03-31 23:00"))}  # > 7 days later
    assert handover_notes(_stations([["A", "t1", ""], ["B", "t1", ""]]), late, "stations.csv") == []


def _replaced(folder, declare: bool, overlap: bool = False, empty: bool = False) -> None:
    """nancun's ZZ100 rows from 2021-01-01 under the new code ZZ103, listed in stations (``declare``: with
    ``replaces`` ZZ100); ``overlap``: ZZ100 keeps measuring until 2021-01-01 05:00 (values of its own);
    ``empty``: ZZ100 goes on exporting those hours with ``value`` empty, as the national platform does."""
    aq = read(folder, "air_quality.csv.gz")
    later = (aq["station_code"] == "ZZ100") & (aq["datetime"] >= "2021-01-01")
    kept = aq[later].assign(value="")
    aq.loc[later, "station_code"] = "ZZ103"
    if empty:
        aq = pd.concat([aq, kept], ignore_index=True)
    if overlap:
        both = aq[later & (aq["datetime"] <= "2021-01-01 05:00")].assign(station_code="ZZ100")
        aq = pd.concat([aq, both.assign(value=(pd.to_numeric(both["value"]) + 1).astype(str))], ignore_index=True)
    write(aq, folder, "air_quality.csv.gz")
    st = read(folder, "stations.csv")
    new = st[st["station_code"] == "ZZ100"].assign(station_code="ZZ103", name_zh="南村镇新站")
    if declare:
        st["replaces"], new["replaces"] = "", "ZZ100"
    write(pd.concat([st, new], ignore_index=True), folder, "stations.csv")


def _nancun(season):
    stats = season_statistics(season)
    ind = headline_air_indicators(stats).set_index("township")
    ind["pm25_change_obs_pct"] = 100 * (ind["pm25_mean_ugm3"] / ind["pm25_mean_ugm3_prev"] - 1)
    ind = like_with_like(ind, stats)
    rule = next(r for r in load_rules(None).rules if r.id == "pm25_worse")
    town = stats[(stats["level"] == "township") & (stats["unit_id"] == "nancun") & (stats["season"] == "current")]
    return town.iloc[0], judge(rule, ind.reset_index().set_index("township").loc["nancun"].to_dict(), 0.0)


@pytest.mark.parametrize("declare", [False, True])
def test_s3_a_declared_replacement_keeps_the_townships_rules_and_the_county_valid(season, capsys, declare):
    _replaced(season, declare)
    assert main(["validate", str(season)]) == 0
    said = capsys.readouterr()
    said = said.out + said.err
    town, verdict = _nancun(changed := load_season(season))
    absent = set(county_validity(changed)["townships_share_fell"]) - {""}
    if declare:  # one series: 182 valid days, its PM2.5 rules decided, the county complete
        assert "stations ZZ100 → ZZ103 are one series (`replaces`)" in said and "current season only" not in said
        assert town["valid_days_PM2.5"] == 182 and bool(town["statistics_valid"]) and verdict[0] != "undecided"
        assert town["stations_replaced"] == "ZZ100 → ZZ103" and absent == set()
    else:  # unchanged: like with like on ZZ100 alone (92 days), the county without nancun from January
        assert "station ZZ100 stops at 2020-12-31 23:00 and ZZ103 starts at 2021-01-01 00:00" in said
        assert town["valid_days_PM2.5"] == 92 and verdict == ("undecided", "validity") and absent == {"nancun"}


def test_s3_a_replacement_overlapping_its_station_for_months_is_refused(season):
    # two stations measuring side by side all season are two stations, not one series
    _replaced(season, declare=True)
    aq = read(season, "air_quality.csv.gz")
    both = aq[(aq["station_code"] == "ZZ103") & (aq["datetime"] <= "2021-02-15 05:00")].assign(station_code="ZZ100")
    noise = np.random.default_rng(5).lognormal(0, 0.2, len(both))  # its own site's values, not a copy
    write(pd.concat([aq, both.assign(value=(pd.to_numeric(both["value"]) * noise).round().astype("Int64").astype(str)
                                     .replace("<NA>", ""))], ignore_index=True),
          season, "air_quality.csv.gz")
    with pytest.raises(DataValidationError) as exc:
        load_season(season)
    (p,) = exc.value.problems
    assert (p.file, p.row, p.column) == ("stations.csv", 4, "replaces")
    assert "until 2021-02-15 05:00 and ZZ103 from 2021-01-01 00:00" in p.message
    assert "at most 31 days (a parallel run, stations.replacement_overlap_days)" in p.message


def _scaled(folder, code: str, factor: float) -> None:
    aq = read(folder, "air_quality.csv.gz")
    s = (aq["station_code"] == code) & aq["pollutant"].isin(["PM2.5", "PM10"]) & (aq["value"] != "")
    aq.loc[s, "value"] = (pd.to_numeric(aq.loc[s, "value"]) * factor).round().clip(lower=1).astype(int).astype(str)
    write(aq, folder, "air_quality.csv.gz")


def test_f7a_a_parallel_week_is_accepted_and_the_series_keeps_the_old_stations_values(season, capsys):
    # hostile re-review s10-reA F7a: a relocation with a 7-day parallel run was refused as an overlap
    _replaced(season, declare=True)
    reference = _nancun(load_season(season))[0]
    aq = read(season, "air_quality.csv.gz")
    week = aq[(aq["station_code"] == "ZZ103") & (aq["datetime"] < "2021-01-08")]
    old = week.assign(station_code="ZZ100")  # the old site's week: its own values, 10 % above
    noise = np.random.default_rng(5).lognormal(0, 0.1, len(week))  # the new site's own values, not a copy
    aq.loc[week.index, "value"] = (pd.to_numeric(week["value"]) * 0.9 * noise).round().astype("Int64").astype(str)
    aq = aq.replace({"value": {"<NA>": ""}})
    old = old.assign(value=(pd.to_numeric(old["value"]) * 1.0).round().astype("Int64").astype(str).replace("<NA>", ""))
    write(pd.concat([aq, old], ignore_index=True), season, "air_quality.csv.gz")
    assert main(["validate", str(season)]) == 0, capsys.readouterr()
    # hostile review s12-hostA F20: the OK line counted the series' rows, not the file's, without saying so
    assert (f"air_quality {len(aq) + len(old):,} (of them {len(week):,} of a replacing station's parallel run, whose "
            "hours are counted once") in capsys.readouterr().out
    town = _nancun(load_season(season))[0]
    for col in ("valid_days_PM2.5", "mean_PM2.5", "index_PM2.5", "statistics_valid"):
        assert town[col] == pytest.approx(reference[col]), col  # ZZ100's week, not ZZ103's


def test_f2_a_replacement_with_a_level_step_is_a_judgement_check(season):
    # hostile re-review s10-reA F2: a site 3.5 km away reading 0.6 times the old one passed as one series
    _replaced(season, declare=True)
    _scaled(season, "ZZ103", 0.6)
    with pytest.raises(DataValidationError) as exc:
        load_season(season)
    (p,) = exc.value.problems
    assert (p.file, p.row, p.column) == ("stations.csv", 4, "replaces")
    assert "ZZ103 replaces ZZ100, but its PM2.5 level is 0.57 times the old station" in p.message, p.message
    assert "stations.replacement_step_ratio" in p.message and "'confirmed: {replacement_step: [ZZ103]}'" in p.message
    with open(season / "season.yaml", "a", encoding="utf-8") as f:
        f.write("\nconfirmed: {replacement_step: [ZZ103]}\n")
    notes = load_season(season).meta["notices"]
    assert any("confirmed in season.yaml (replacement_step: ZZ103)" in n for n in notes)


def test_f2_a_parallel_run_measures_the_step_over_its_days(season):
    _replaced(season, declare=True)
    aq = read(season, "air_quality.csv.gz")
    week = aq[(aq["station_code"] == "ZZ103") & (aq["datetime"] < "2021-01-08")].assign(station_code="ZZ100")
    write(pd.concat([aq, week], ignore_index=True), season, "air_quality.csv.gz")
    _scaled(season, "ZZ100", 2.0)  # the old site twice the new one throughout, its parallel week too
    with pytest.raises(DataValidationError) as exc:
        load_season(season)
    (p,) = [p for p in exc.value.problems if p.file == "stations.csv"]
    assert "its PM2.5 level is 0.50 times the old station's at the handover (over the 7 days both measured" \
        in p.message, p.message


def test_f2_the_replaced_codes_empty_hours_are_missing_hours_not_a_second_series_row(season, capsys):
    # hostile review s10-hostA F2: validate passed, then daily_max_8h's pivot met two O3 rows an hour
    _replaced(season, declare=True, empty=True)
    assert main(["validate", str(season)]) == 0
    said = capsys.readouterr()
    assert "ZZ100 → ZZ103 are one series" in said.out + said.err
    changed = load_season(season)
    aq = changed.air_quality
    assert not aq.duplicated(["station_code", "datetime", "pollutant"]).any()
    assert not aq["station_code"].eq("ZZ103").any()
    town, verdict = _nancun(changed)  # the evaluation's statistics (daily values, 8-hour O3) as without the rows
    assert town["valid_days_PM2.5"] == 182 and bool(town["statistics_valid"]) and verdict[0] != "undecided"
    assert set(county_validity(changed)["townships_share_fell"]) == {""}


def test_f2_an_empty_hour_both_codes_left_empty_is_kept_once():
    st = _stations([["A", "t1", ""], ["B", "t1", "A"]])
    t = pd.to_datetime(["2021-01-01 00:00", "2021-01-01 01:00", "2021-01-01 00:00", "2021-01-01 01:00"])
    aq = pd.DataFrame({"station_code": ["A", "A", "B", "B"], "pollutant": "O3", "datetime": t,
                       "value": [float("nan"), float("nan"), 5.0, float("nan")]})
    out = as_series(aq, st)
    assert out["datetime"].tolist() == list(t[:2]) and out["value"].iloc[0] == 5.0 and out["value"].isna().iloc[1]


def test_s3_the_township_page_says_the_replacement_once(season):
    from types import SimpleNamespace

    from zzeval.report.views import stations_note

    _replaced(season, declare=True)
    ev = SimpleNamespace(air_stats=season_statistics(load_season(season)))
    assert stations_note(ev, "nancun", "zh") == \
        "站点 ZZ100 → ZZ103 为同一站点序列（后者接替前者，stations.csv 的 replaces 列），两季按一个站点计"
    assert stations_note(ev, "nancun", "en").startswith("stations ZZ100 → ZZ103 are one series")
    assert stations_note(ev, "xiacun", "zh") is None


def _far(confirmed=None):
    st = pd.DataFrame({"station_code": ["ZZ100", "ZZ101", "ZZ103", "ZZ104"],
                       "township": ["nancun", "xiacun", "nancun", "xiacun"],
                       "lon": [112.862, 112.731, 113.30, 112.760], "lat": [35.421, 35.409, 35.70, 35.409],
                       "replaces": ["", "", "ZZ100", "ZZ101"]})  # ZZ103 45 km from ZZ100, ZZ104 2.6 km from ZZ101
    out = Collector()
    if confirmed:
        out.confirmed = {"replacement_distance": {c: 0 for c in confirmed}}
    check_replacement_distance(st, "stations.csv", out)
    return out


def test_f5_a_replacement_far_from_the_station_it_replaces_is_refused_naming_both_and_the_distance():
    # hostile review s10-hostA F5: a cleaner site 45 km away declared as ZZ100's replacement was one series
    (p,) = _far().problems
    assert (p.file, p.row, p.column) == ("stations.csv", 4, "replaces")
    assert "ZZ103 (113.300 °E, 35.700 °N, row 4) replaces ZZ100 (112.862 °E, 35.421 °N, row 2), 50.3 km away" \
        in p.message, p.message
    assert "stations.replacement_distance_km" in p.message and "'confirmed: {replacement_distance: [ZZ103]}'" \
        in p.message
    assert distance_km(112.731, 35.409, 112.760, 35.409) == pytest.approx(2.63, abs=0.01)  # within 4 km: no word
    out = _far(confirmed=["ZZ103"])  # checked against the records: a notice, the series as declared
    assert out.problems == [] and any("confirmed in season.yaml (replacement_distance: ZZ103)" in n
                                      for n in out.notes)
