"""Fixtures of the bad-input tests: one small `zzeval sample` season per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.input.cases import AQ, read
from zzeval.cli import main


@pytest.fixture(scope="session")
def sample_season(tmp_path_factory) -> Path:
    """A 2-township sample season written by the CLI (do not modify; copy it)."""
    folder = tmp_path_factory.mktemp("input") / "sample"
    assert main(["sample", str(folder), "--townships", "2"]) == 0
    return folder


@pytest.fixture
def season(sample_season, tmp_path) -> Path:
    """A private copy of the sample season."""
    dest = tmp_path / "season"
    shutil.copytree(sample_season, dest)
    return dest


@pytest.fixture(scope="module")
def air(sample_season) -> pd.DataFrame:
    """The sample season's air-quality table, values numeric (one a test module: do not modify it)."""
    frame = read(sample_season, AQ)
    return frame.assign(value=pd.to_numeric(frame["value"]))


@pytest.fixture(scope="module")
def sample_met() -> pd.DataFrame:
    """The committed sample's meteorology table, datetimes parsed (one a test module: do not modify it)."""
    from tests.input.cases_weather import MET, SAMPLE

    return pd.read_csv(SAMPLE / MET, parse_dates=["datetime"])
