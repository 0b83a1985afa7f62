"""A clerk's mistakes that `zzeval validate` passed and that changed published numbers (final hostile
review W1, W2, W4-W7): each case is made by a script from the sample season
(as in tests/input/cases.py) and must be refused (exit 2) with the file, row, column and what to fix;
the weather cases also on a Parquet season. The sample itself must pass without any new message."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.input.cases import Case, edit, validate_refuses
from zzeval.cli import main


def _running_total(current_only: bool = False):
    def func(frame: pd.DataFrame) -> None:
        value = pd.to_numeric(frame["dustfall_t_km2_month"])
        month = pd.to_datetime(frame["month"])
        season = month.dt.year - (month.dt.month <= 3)
        total = value.groupby([frame["township"], season]).cumsum().round(1)
        keep = season < 2020 if current_only else pd.Series(False, index=frame.index)
        frame["dustfall_t_km2_month"] = value.where(keep, total).map("{:g}".format)
    return edit("dustfall.csv", func)


def _cuts_as_fractions(frame: pd.DataFrame) -> None:
    bc = frame["grade"].isin(["B", "C"])
    cut = pd.to_numeric(frame["observed_cut_pct"], errors="coerce")
    frame.loc[bc, "observed_cut_pct"] = (cut[bc] / 100).map(lambda v: "" if pd.isna(v) else f"{v:g}")
    frame.loc[bc, "compliant"] = ""


def _cuts_as_fractions_but_one(frame: pd.DataFrame) -> None:
    """Review 6b C1b: 5 of nancun's 6 B and C rows (rows 3-7) as fractions, the last (row 8: 61) in percent."""
    _cuts_as_fractions(frame)
    last = frame.index[(frame["township"] == "nancun") & frame["grade"].isin(["B", "C"])][-1]
    frame.loc[last, "observed_cut_pct"] = f"{float(frame.loc[last, 'observed_cut_pct']) * 100:g}"


def _last_season_again(met: pd.DataFrame) -> pd.DataFrame:
    """The current season's hours replaced by the previous season's with the year + 1."""
    time = pd.to_datetime(met["datetime"])
    previous = met[time < "2020-07-01"].copy()
    shifted = pd.to_datetime(previous["datetime"]) + pd.DateOffset(years=1)
    previous["datetime"] = shifted.dt.strftime("%Y-%m-%d %H:%M")
    previous = previous[~shifted.duplicated()]  # 29 February 2020 has no 2021 day
    return pd.concat([met[time < "2020-07-01"], previous], ignore_index=True)


def _blh_in_km(met: pd.DataFrame) -> None:
    met["blh_m"] = (pd.to_numeric(met["blh_m"]) / 1000).map("{:g}".format)


def _firm_in_wan_t(frame: pd.DataFrame) -> None:
    for column in ("road_t_before", "rail_t_before", "road_t_after", "rail_t_after"):
        frame.loc[0, column] = f"{float(frame.loc[0, column]) / 10_000:g}"


def _swapped(a: str, b: str, c: str, d: str):
    def func(frame: pd.DataFrame) -> None:
        frame[[a, b, c, d]] = frame[[c, d, a, b]].to_numpy()
    return edit("freight.csv", func)


def _swapped_with_a_firm_that_has_not_shifted(frame: pd.DataFrame) -> pd.DataFrame:
    """Review 6b F4: before and after swapped on every row, and a firm that has not shifted yet (road
    800,000 t/yr before and after, no rail: its siding not built) as the first row."""
    still = frame.iloc[[0]].assign(enterprise="泽州某焦化公司（合成）", road_t_before="800000", rail_t_before="0",
                                   road_t_after="800000", rail_t_after="0", siding_date="")
    frame = pd.concat([still, frame], ignore_index=True)
    before = frame[["road_t_before", "rail_t_before"]].to_numpy()
    frame[["road_t_before", "rail_t_before"]] = frame[["road_t_after", "rail_t_after"]].to_numpy()
    frame[["road_t_after", "rail_t_after"]] = before
    return frame


RECORD_CASES = (
    Case("dustfall_running_total", _running_total(),
         ("dustfall.csv, row 2, column 'dustfall_t_km2_month': township nancun, season from 2019: the six months "
          "never fall (8.4, 14.4, 20.6", "are these the season's running totals (each month = the sum so far)? "
          "write each month's own dustfall",)),
    Case("dustfall_running_total_current_season", _running_total(current_only=True),
         ("column 'dustfall_t_km2_month': township nancun, season from 2020: the six months never fall",),
         ("season from 2019",)),
    Case("observed_cut_as_fraction", edit("emergency_inspections.csv", _cuts_as_fractions),
         ("emergency_inspections.csv, row 3, column 'observed_cut_pct': township nancun: observed cut 0.35 % while "
          "30 % was required, and 6 of its 6 B and C rows with a cut are above 0 and at most 1 %",
          "write percent, 35 not 0.35", "row 8, column 'observed_cut_pct': township nancun: observed cut 0.61 %",
          "township xiacun: observed cut 0.53 %")),
    Case("observed_cut_as_fraction_but_one_row", edit("emergency_inspections.csv", _cuts_as_fractions_but_one),
         ("emergency_inspections.csv, row 3, column 'observed_cut_pct': township nancun: observed cut 0.35 % while "
          "30 % was required, and 5 of its 6 B and C rows with a cut are above 0 and at most 1 %",
          "row 7, column 'observed_cut_pct': township nancun: observed cut 0.63 %", "write percent, 63 not 0.63"),
         ("row 8, column 'observed_cut_pct'",)),
    Case("weather_last_season_again", edit("meteorology.csv.gz", _last_season_again),
         ("meteorology.csv.gz, row 4394, column 'datetime': station 'county': 4,368 of 4,368 hours of the season "
          "from 2020 (2020-10-01 00:00 to 2021-03-31 23:00, up to 4,368 in a row) have the weather of the same "
          "station a year earlier", "is this last season's weather with the year changed? write this season's "
          "measured weather")),
    Case("blh_in_km", edit("meteorology.csv.gz", _blh_in_km),
         ("meteorology.csv.gz, row 2, column 'blh_m': 4,392 of the 4,392 blh_m above 0 of station 'county' in the "
          "season from 2019 are at most 10 m (the median 0.389 m)", "write the boundary-layer height in metres "
          "(km × 1,000)")),
    Case("freight_row_in_wan_t", edit("freight.csv", _firm_in_wan_t),
         ("freight.csv, row 2, column 'road_t_before': 泽州某煤业公司A（合成） (coal) moves 210 t/yr in all, below 500 "
          "t/yr", "are the tonnages in 万t? write tonnes per year (万t × 10,000) in all four columns")),
    Case("freight_before_after_swapped", _swapped("road_t_before", "rail_t_before", "road_t_after", "rail_t_after"),
         ("freight.csv, row 2, column 'road_t_after': every one of the 3 rows moves freight from rail to road",
          "are the columns before and after, or road and rail, swapped?")),
    Case("freight_swapped_beside_a_firm_with_no_shift", edit("freight.csv", _swapped_with_a_firm_that_has_not_shifted),
         ("freight.csv, row 3, column 'road_t_after': every one of the 3 rows that shift (1 row(s) with the same "
          "tonnes before and after left out) moves freight from rail to road",
          "are the columns before and after, or road and rail, swapped?"), ("row 2, column 'road_t_after'",)),
    Case("freight_road_rail_swapped", _swapped("road_t_before", "road_t_after", "rail_t_before", "rail_t_after"),
         ("freight.csv, row 2, column 'road_t_after': every one of the 3 rows moves freight from rail to road",)),
)


@pytest.mark.parametrize("case", RECORD_CASES, ids=[c.name for c in RECORD_CASES])
def test_clerks_mistake_is_refused(case, sample_season, tmp_path, capsys):
    validate_refuses(sample_season, case, tmp_path / case.name, capsys)


def test_the_sample_passes_without_a_new_message(sample_season, capsys):
    assert main(["validate", str(sample_season)]) == 0
    err = capsys.readouterr().err
    for text in ("running total", "fractions", "year changed", "looks like km", "万t", "rail to road"):
        assert text not in err


@pytest.fixture(scope="module")
def parquet_season(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("records") / "parquet"
    assert main(["sample", str(folder), "--townships", "2", "--format", "parquet"]) == 0
    return folder


@pytest.mark.parametrize("change, expect", [
    (_last_season_again, "meteorology.parquet, row 4394, column 'datetime': station 'county': 4,368 of 4,368 hours"),
    (_blh_in_km, "meteorology.parquet, row 2, column 'blh_m': 4,392 of the 4,392 blh_m above 0 of station "
                 "'county' in the season from 2019 are at most 10 m"),
], ids=["weather_last_season_again", "blh_in_km"])
def test_parquet_weather_mistakes_are_refused(parquet_season, tmp_path, capsys, change, expect):
    import shutil

    folder = tmp_path / "season"
    shutil.copytree(parquet_season, folder)
    met = pd.read_parquet(folder / "meteorology.parquet")
    met["datetime"] = met["datetime"].dt.strftime("%Y-%m-%d %H:%M")
    met = change(met) if change is _last_season_again else (change(met), met)[1]
    met["datetime"] = pd.to_datetime(met["datetime"])
    met["blh_m"] = pd.to_numeric(met["blh_m"])
    met.to_parquet(folder / "meteorology.parquet", index=False)
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    assert expect in err, err[:3000]
    assert "Traceback" not in err


def test_the_parquet_sample_passes(parquet_season, capsys):
    assert main(["validate", str(parquet_season)]) == 0
    assert "year changed" not in capsys.readouterr().err



def _freight(totals: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"enterprise": [f"firm{i}" for i in range(len(totals))], "cargo": "coal",
                         "road_t_before": totals, "rail_t_before": 0.0,
                         "road_t_after": [t / 2 for t in totals], "rail_t_after": [t / 2 for t in totals]})


def test_a_large_firm_in_wan_t_is_caught_by_the_median_and_a_small_genuine_firm_passes():
    from zzeval.season.checks import Collector
    from zzeval.season.clerical import check_freight_scale

    out = Collector()  # 800 万t = 8 Mt/yr written as 800: above the 500 t/yr floor, 1/5,625 of the median
    check_freight_scale(_freight([5_000_000, 800, 4_000_000, 6_000_000]), "freight.csv", out)
    assert [(p.row, p.column) for p in out.problems] == [(3, "road_t_before")]
    assert "firm1 (coal) moves 800 t/yr in all, below 1/5,000 of the median row's 4,500,000 t/yr" \
        in out.problems[0].message
    # review 6b F1 and F1b: genuine small firms of 900 and 1,000 t/yr (1/1,150 of the median) pass
    for totals in ([1_200_000, 5_000, 900_000, 1_500_000], [1_500_000, 900, 1_000_000, 1_300_000],
                   [1_150_000, 1_000, 1_100_000, 1_200_000, 2_100_000]):
        out = Collector()
        check_freight_scale(_freight(totals), "freight.csv", out)
        assert out.problems == [], totals


def _f2_row() -> pd.DataFrame:
    """Review 6b F2: the first firm's road columns in 万t (150 / 35 for 1,500,000 / 350,000 t/yr), its rail in t."""
    return pd.DataFrame({"enterprise": ["A", "B", "D", "F"], "cargo": "coal",
                         "road_t_before": [150.0, 900_000.0, 1_100_000.0, 800_000.0],
                         "rail_t_before": [600_000.0, 100_000.0, 200_000.0, 500_000.0],
                         "road_t_after": [35.0, 600_000.0, 900_000.0, 150_000.0],
                         "rail_t_after": [1_750_000.0, 400_000.0, 400_000.0, 1_150_000.0]})


def test_one_mode_of_a_firm_in_wan_t_is_refused_per_column():
    """Review 6b finding 3: the row total (1,750,035 t/yr) hid the road columns in 万t; each tonnage
    column is now tested beside the other mode's tonnes."""
    from zzeval.season.checks import Collector
    from zzeval.season.clerical import check_freight_scale

    out = Collector()
    check_freight_scale(_f2_row(), "freight.csv", out)
    assert [(p.row, p.column) for p in out.problems] == [(2, "road_t_before")]
    assert ("A (coal): road_t_before 150 and road_t_after 35 t/yr beside rail 600,000 → 1,750,000 t/yr, below 500 "
            "t/yr") in out.problems[0].message
    assert "write tonnes per year (万t × 10,000: 1,500,000, 350,000)" in out.problems[0].message
    out = Collector()  # rail after in 万t only (175 for 1,750,000) beside 1.5 Mt by road: named at that column
    check_freight_scale(_f2_row().assign(road_t_before=[1_500_000.0, 900_000.0, 1_100_000.0, 800_000.0],
                                         road_t_after=[350_000.0, 600_000.0, 900_000.0, 150_000.0],
                                         rail_t_after=[175.0, 400_000.0, 400_000.0, 1_150_000.0]), "freight.csv", out)
    assert [(p.row, p.column) for p in out.problems] == [(2, "rail_t_after")]
    out = Collector()  # a firm with no road left (0) and a small rail start (0 before) is not refused
    check_freight_scale(_f2_row().assign(road_t_before=[1_500_000.0, 900_000.0, 1_100_000.0, 800_000.0],
                                         road_t_after=[0.0, 600_000.0, 900_000.0, 150_000.0],
                                         rail_t_before=[0.0, 100_000.0, 200_000.0, 500_000.0]), "freight.csv", out)
    assert out.problems == []


@pytest.mark.parametrize("values, refused", [
    ([4.0, 5.0, 6.0, 8.0, 11.0, 18.0], True),    # rises every month, 4.5 times the first
    ([4.0, 5.0, 6.0, 8.0, 11.0, 17.9], False),   # 4.475 times: a steep genuine rise passes
    ([8.4, 14.4, 20.6, 27.1, 33.0, 42.7], True),  # final review W1 (nancun): running totals, 5.1 times
    ([8.4, 14.4, 20.6, 20.6, 33.0, 40.0], True),  # one month with no new dust (review 6b finding 11)
    ([6.0, 13.0, 19.0, 19.0, 26.0, 32.0], True),  # review 6b D4
    ([6.0, 6.0, 6.0, 6.0, 6.0, 6.0], False),      # six equal months: 1 times the first
    # review 6b finding 8: genuine winters rising to the spring dust (3.2 and 3.0 times) must pass
    ([4.1, 4.5, 5.0, 6.2, 8.5, 13.0], False),
    ([2.0, 2.4, 3.1, 3.9, 4.8, 6.1], False),
])
def test_dustfall_running_total_threshold(values, refused):
    from zzeval.season.checks import Collector
    from zzeval.season.clerical import check_dustfall_running_total

    months = pd.to_datetime(["2020-10", "2020-11", "2020-12", "2021-01", "2021-02", "2021-03"])
    dust = pd.DataFrame({"township": "nancun", "month": months, "dustfall_t_km2_month": values})
    out = Collector()
    check_dustfall_running_total(dust, "dustfall.csv", out)
    assert len(out.problems) == int(refused)


def test_a_reverse_shift_in_some_firms_passes(sample_season, tmp_path, capsys):
    """One firm moving back to road (the others road to rail) is possible and accepted."""
    import shutil

    folder = tmp_path / "season"
    shutil.copytree(sample_season, folder)
    fr = pd.read_csv(folder / "freight.csv", dtype=str, keep_default_na=False)
    fr.loc[0, ["road_t_before", "rail_t_before", "road_t_after", "rail_t_after"]] = \
        fr.loc[0, ["road_t_after", "rail_t_after", "road_t_before", "rail_t_before"]].to_numpy()
    fr.to_csv(folder / "freight.csv", index=False)
    assert main(["validate", str(folder)]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("observed, named", [
    ([0.35, 0.31, 0.5, 50.0], [2, 3, 4]),   # 3 of 4 fractions: each named, the row in percent not
    ([0.35, 0.31, 50.0, 55.0], [2, 3]),     # half: named
    ([0.35, 40.0, 50.0, 55.0], []),         # 1 of 4 at most 1 %: a genuine failure, accepted
    ([0.0, 0.0, 0.0, 0.0], []),             # no cut at all: failures, not fractions
])
def test_cut_fractions_judged_per_township(observed, named):
    from zzeval.season.checks import Collector
    from zzeval.season.clerical import check_cut_fractions

    ei = pd.DataFrame({"township": "a", "grade": ["B", "C", "C", "B"], "required_cut_pct": [30.0, 50.0, 50.0, 30.0],
                       "observed_cut_pct": observed})
    other = pd.DataFrame({"township": "b", "grade": ["C"], "required_cut_pct": [50.0], "observed_cut_pct": [53.0]})
    out = Collector()
    check_cut_fractions(pd.concat([ei, other], ignore_index=True), "ei.csv", out)
    assert [p.row for p in out.problems] == named


def test_one_reverse_shift_beside_firms_with_no_shift_passes():
    """A single firm moving back to road while the others have not shifted yet is no swapped table."""
    from zzeval.season.checks import Collector
    from zzeval.season.clerical import check_freight_reversed

    fr = pd.DataFrame({"enterprise": ["a", "b", "c"], "road_t_before": [350_000.0, 800_000.0, 500_000.0],
                       "rail_t_before": [50_000.0, 0.0, 0.0], "road_t_after": [400_000.0, 800_000.0, 500_000.0],
                       "rail_t_after": [0.0, 0.0, 0.0]})
    out = Collector()
    check_freight_reversed(fr, "freight.csv", out)
    assert out.problems == []
    out = Collector()  # a second firm moving back to road too: every shifting row reversed, refused
    check_freight_reversed(fr.assign(road_t_after=[400_000.0, 800_000.0, 600_000.0], rail_t_before=[50_000.0, 0.0,
                                                                                                   100_000.0]),
                           "freight.csv", out)
    assert [(p.row, p.column) for p in out.problems] == [(2, "road_t_after")]


def test_boundary_layer_heights_of_zero_not_measured_pass():
    from zzeval.season.boundary_layer import check_boundary_layer
    from zzeval.season.checks import Collector

    hours = pd.date_range("2020-10-01", periods=48, freq="h")
    for blh, problems in ((0.0, 0), (0.41, 1), (410.0, 0)):
        out = Collector()
        check_boundary_layer(pd.DataFrame({"datetime": hours, "station_code": "county", "blh_m": blh}), "m.csv", out)
        assert len(out.problems) == problems, blh


def test_parquet_per_station_weather_names_the_copied_station(parquet_season, tmp_path, capsys):
    """Weather per station in a Parquet table (checked a station at a time): only the station whose
    current season is its previous one with the year + 1 is named, on its first copied row."""
    import shutil

    folder = tmp_path / "season"
    shutil.copytree(parquet_season, folder)
    first, second = pd.read_csv(folder / "stations.csv")["station_code"][:2]
    met = pd.read_parquet(folder / "meteorology.parquet")
    previous = met[met["datetime"] < "2020-07-01"]
    copied = previous.assign(datetime=previous["datetime"] + pd.DateOffset(years=1))
    copied = copied[~copied["datetime"].duplicated()]
    both = pd.concat([met.assign(station_code=first), pd.concat([previous, copied]).assign(station_code=second)],
                     ignore_index=True)
    both.to_parquet(folder / "meteorology.parquet", index=False)
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    assert (f"meteorology.parquet, row {len(met) + len(previous) + 2}, column 'datetime': "
            f"station '{second}': 4,368 of 4,368 hours of the season from 2020 (2020-10-01 00:00 to 2021-03-31 "
            "23:00, up to 4,368 in a row) have the weather of the same station a year earlier") in err, err[:2000]
    assert f"station '{first}'" not in err
