"""Fixtures of the build tests: a tiny season and one complete baseline build, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.build.helpers import build_kwargs, tiny_season
from zzeval.build.builder import build_reports


@pytest.fixture(scope="session")
def baseline(tmp_path_factory) -> tuple[Path, Path]:
    """``(data_dir, out_dir)`` of a successful build of the tiny season (do not modify)."""
    root = tmp_path_factory.mktemp("baseline")
    data = tiny_season(root / "data")
    summary = build_reports(data, out_dir=root / "out", **build_kwargs(jobs=2))  # 2 workers, as make reports
    assert summary.ok, summary.text()
    return data, root / "out"


@pytest.fixture
def built(baseline, tmp_path) -> tuple[Path, Path]:
    """A private copy of the baseline season and its build (output paths stay valid: the state
    stores paths relative to the season folder)."""
    data = tmp_path / "data"
    out = tmp_path / "out"
    shutil.copytree(baseline[0], data)
    shutil.copytree(baseline[1], out)
    return data, out
