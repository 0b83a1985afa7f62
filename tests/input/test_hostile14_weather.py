"""Hostile review s14-hostB, weather: what the weather checks say and what they let through.

- N00: a ``weather_month_level`` message (the previous season from a site 250 m higher, s13's M15) was cut at
  1,000 characters (errors.MAX_MESSAGE) inside its advice: the "station moved" advice and the confirmation key never
  showed. The months' evidence is now listed shortly and a long message loses its middle, never its end.

Each case is planted by a script into the shipped sample (data/sample) or a 3-township `zzeval sample`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zzeval.errors import MAX_MESSAGE, MESSAGE_TAIL, Problem
from zzeval.season.checks import Collector
from zzeval.season.plausible import check_met_values

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
MET = "meteorology.csv.gz"


@pytest.fixture(scope="module")
def sample_met() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / MET, parse_dates=["datetime"])


def _checked(met: pd.DataFrame, confirmed: dict | None = None) -> Collector:
    out = Collector()
    out.confirmed = confirmed or {}
    check_met_values(met.reset_index(drop=True), "meteorology.csv", out)
    return out


def _between(frame: pd.DataFrame, start: str, end: str) -> np.ndarray:
    return ((frame["datetime"] >= start) & (frame["datetime"] < end)).to_numpy()


def test_a_moved_station_s_message_shows_its_advice_and_confirmation_key(sample_met):
    """N00 (s13 M15): the previous season from a site 250 m higher (−27 hPa): the printed problem holds the
    "station moved" advice and the whole confirmation key, uncut."""
    met = sample_met.copy()
    previous = _between(met, "2019-07-01", "2020-07-01")
    met.loc[previous, "pressure_hpa"] = met.loc[previous, "pressure_hpa"] - 27
    (problem,) = _checked(met).problems
    printed = str(problem)
    assert "left out" not in printed and len(problem.message) <= MAX_MESSAGE
    assert "write the station pressure" in printed and "a weather station moved (about 1 hPa per 9 m" in printed
    assert ("'confirmed: {weather_month_level: [county pressure_hpa 2020-10 2020-11 2020-12 2021-01 2021-02 "
            "2021-03]}'") in printed
    assert "; and 4 more pair(s); " in printed  # the evidence is what is shortened


def test_a_long_message_keeps_its_end():
    """Any message over MAX_MESSAGE keeps its beginning and its last MESSAGE_TAIL characters (what to do)."""
    advice = "; write them in °C; confirm them in season.yaml with 'confirmed: {weather_month_level: [county x]}'"
    problem = Problem("meteorology.csv", 5, "temperature_c", "evidence " * 300 + advice)
    printed = str(problem)
    assert printed.endswith(advice) and "characters left out) … " in printed
    assert len(printed) < MAX_MESSAGE + 100 and MESSAGE_TAIL >= len(advice)
