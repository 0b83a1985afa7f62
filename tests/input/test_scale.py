"""The cases of plausible scale that `zzeval validate` passed after the fourth look at issue 13
(tests/input/cases_scale.py) are refused with a message naming file, row, column and what to fix;
`zzeval build` refuses them alike and writes nothing; the sample and a 30-township sample pass."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.input.cases import build_refuses, read, validate_refuses, write
from tests.input.cases_scale import SCALE_CASES
from zzeval.cli import main


@pytest.mark.parametrize("case", SCALE_CASES, ids=[c.name for c in SCALE_CASES])
def test_validate_refuses_values_of_the_wrong_scale(case, sample_season, tmp_path, capsys):
    validate_refuses(sample_season, case, tmp_path / case.name, capsys)


@pytest.mark.parametrize("case", SCALE_CASES, ids=[c.name for c in SCALE_CASES])
def test_build_refuses_them_alike_and_writes_nothing(case, sample_season, tmp_path, capsys):
    # the first case with the default --jobs: a refusal after the evaluation's workers started
    build_refuses(sample_season, case, tmp_path, capsys, jobs="" if case is SCALE_CASES[0] else "1")


def test_a_case_mistake_in_a_township_name_gets_the_same_suggestion(season, capsys):
    dust = read(season, "dustfall.csv")
    dust.loc[0, "township"] = "NANCUN"
    write(dust, season, "dustfall.csv")
    assert main(["validate", str(season)]) == 2
    assert "dustfall.csv, row 2, column 'township': unknown township 'NANCUN'; did you mean 'nancun'?" in \
        capsys.readouterr().err


def test_the_bounds_leave_real_values_alone(season, capsys):
    """Just inside each bound: 1.01 persons per household, 99,000 persons per km², 1,000 yuan per household of a
    coal-to-electricity batch (heating_retrofits.subsidy_yuan_per_household_equipment), a dustfall median of
    30, a station 5 km outside the county's derived extent (inside the 10 km margin), whole targets
    written with a decimal point (12.0)."""
    tw = read(season, "townships.csv")
    tw.loc[0, "population"] = str(int(int(tw.loc[0, "households"]) * 1.01) + 1)
    tw.loc[1, "area_km2"] = f"{int(tw.loc[1, 'population']) / 99_000:.4f}"  # 99,000 persons per km²
    write(tw, season, "townships.csv")
    rt = read(season, "heating_retrofits.csv")
    assert rt.loc[0, "retrofit_type"] == "coal_to_electricity"
    rt.loc[0, "subsidy_yuan"] = str(1_000 * int(rt.loc[0, "households_done"]))
    write(rt, season, "heating_retrofits.csv")
    dust = read(season, "dustfall.csv")
    month = pd.to_datetime(dust["month"])
    series = dust.groupby([dust["township"], month.dt.year - (month.dt.month <= 3)]).ngroup()
    six = [29.0, 29.5, 30.0, 30.0, 30.5, 31.0]  # median 30; turned round per township season, so that no two of them
    dust["dustfall_t_km2_month"] = [f"{six[(p + s) % 6]:g}"  # agree in 5 months (a sheet pasted twice, dustfall_copy)
                                    for p, s in zip((month.dt.month - 10) % 12, series, strict=True)]
    write(dust, season, "dustfall.csv")
    st = read(season, "stations.csv")
    st.loc[0, "lon"] = str(round(113.520 + 5 / 90.63, 3))
    write(st, season, "stations.csv")
    tg = read(season, "targets.csv")
    tg.loc[0, "target"] = tg.loc[0, "target"] + ".0"
    write(tg, season, "targets.csv")
    assert main(["validate", str(season)]) == 0, capsys.readouterr().err[:3000]


def test_stations_of_townships_of_other_counties_are_not_held_to_zezhou(tmp_path, capsys):
    """`zzeval sample --townships 30 --seed 7`: 13 synthetic townships (codes 149…, no county in
    county_extents.csv) with stations all over Shanxi validate clean."""
    folder = tmp_path / "s30"
    assert main(["sample", str(folder), "--townships", "30", "--seed", "7"]) == 0
    capsys.readouterr()
    stations = read(folder, "stations.csv")
    assert (stations["lon"].astype(float) > 113.7).any() or (stations["lat"].astype(float) > 36.2).any()
    assert main(["validate", str(folder)]) == 0, capsys.readouterr().err[:3000]
