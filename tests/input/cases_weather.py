"""Meteorology layouts of a `zzeval sample` season (issue 13, "validate = buildable"; final review 5,
cases M9, M10, M12): the county-wide weather (``station_code`` ``county``) replaced, in one season or
both, by the same hourly values copied once per station of ``stations.csv``.

Run ``python -m tests.input.cases_weather SAMPLE_DIR OUT_DIR`` to write every layout as a folder
(CSV; add ``--parquet`` for Parquet hourly tables) for a look or a build by hand.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from tests.input.cases import read, write
from zzeval.season.checks import Collector
from zzeval.season.plausible import check_met_values

MET = "meteorology.csv.gz"
#: The committed sample season, whose weather the unit tests of the meteorology checks edit.
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def checked(met: pd.DataFrame, confirmed: dict | None = None) -> Collector:
    """The meteorology checks run on ``met`` (with ``confirmed``, season.yaml's confirmations), as validate runs
    them on a table of that name: their Collector."""
    out = Collector()
    out.confirmed = confirmed or {}
    check_met_values(met.reset_index(drop=True), "meteorology.csv", out)
    return out


def between(frame: pd.DataFrame, start: str, end: str) -> np.ndarray:
    """Which rows of ``frame`` are stamped from ``start`` to before ``end``."""
    return ((frame["datetime"] >= start) & (frame["datetime"] < end)).to_numpy()


def _first_year(stamps: pd.Series) -> pd.Series:
    """The first year of the October-March season of each stamp (a July-to-June year)."""
    t = pd.to_datetime(stamps)
    return t.dt.year - (t.dt.month < 7)


def per_station(folder: Path, seasons: str = "both", skip: int = 0) -> None:
    """The ``county`` weather of ``seasons`` ("both", "previous" or "current") copied once per
    station of ``stations.csv`` (except the last ``skip`` stations), without the ``county`` rows."""
    met = read(folder, MET)
    codes = list(read(folder, "stations.csv")["station_code"])
    codes = codes[: len(codes) - skip]
    year = _first_year(met["datetime"])
    moved = met["station_code"].isin(["county", ""])
    if seasons != "both":
        moved &= year == (year.max() if seasons == "current" else year.min())
    copies = [met[moved].assign(station_code=code) for code in codes]
    write(pd.concat([met[~moved], *copies], ignore_index=True), folder, MET)


def without_days(folder: Path, first: str = "2021-01-01", last: str = "2021-03-31") -> None:
    """The meteorology (every source) without its hours of the days ``first`` to ``last`` (by default
    the current season's January-March: its weather then covers October-December only)."""
    met = read(folder, MET)
    day = (pd.to_datetime(met["datetime"]) - pd.Timedelta(hours=1)).dt.normalize()  # hour-ending stamps
    drop = (day >= pd.Timestamp(first)) & (day <= pd.Timestamp(last))
    write(met[~drop.to_numpy()], folder, MET)


#: name -> how it is made from the sample
LAYOUTS = {
    "M9_station_weather_every_station": lambda f: per_station(f),
    "M10_station_weather_one_station_missing": lambda f: per_station(f, skip=1),
    "M12_county_prev_station_current": lambda f: per_station(f, seasons="current"),
    "M12b_station_prev_one_missing_current": lambda f: (per_station(f, seasons="previous", skip=1)),
    "W13_county_half_season": lambda f: without_days(f),
    "W13b_stations_half_season": lambda f: (per_station(f), without_days(f)),
    "W13c_county_one_week_missing": lambda f: without_days(f, "2021-01-10", "2021-01-16"),
}


def make_layout(sample: Path, name: str, dest: Path, parquet: bool = False) -> Path:
    """A copy of ``sample`` with the layout ``name``; its hourly tables as Parquet if asked."""
    shutil.copytree(sample, dest)
    LAYOUTS[name](dest)
    if parquet:
        from zzeval.season.columnar import convert_to_parquet

        convert_to_parquet(dest)
    return dest


if __name__ == "__main__":  # pragma: no cover - a tool for a look by hand
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    for key in LAYOUTS:
        print(make_layout(src, key, out / key, parquet="--parquet" in sys.argv))
