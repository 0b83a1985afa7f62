"""Evaluations shared by the whole test session (each was computed by several modules before).

They are read-only: a test that changes one works on ``copy.deepcopy`` or ``dataclasses.replace``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tiny_season import write_tiny_season

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def tiny30(tmp_path_factory):
    """``(data_dir, season, evaluation)`` of the 30-day tiny season, evaluated with 200 draws and 10
    bootstrap replicates (do not modify)."""
    from zzeval.assess.evaluate import evaluate_season
    from zzeval.season.loading import load_season

    data = write_tiny_season(tmp_path_factory.mktemp("tiny30") / "season", days=30)
    season = load_season(data)
    return data, season, evaluate_season(season, draws=200, n_boot=10)


@pytest.fixture(scope="session")
def sample_evaluation500():
    """The committed sample season (data/sample) evaluated in one process with 500 draws and 30
    bootstrap replicates (do not modify)."""
    from zzeval.assess.evaluate import evaluate_season
    from zzeval.season.loading import load_season

    return evaluate_season(load_season(ROOT / "data" / "sample"), draws=500, n_boot=30)
