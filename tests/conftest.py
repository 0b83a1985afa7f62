"""Evaluations shared by the whole test session (each was computed by several modules before).

They are read-only: a test that changes one works on ``copy.deepcopy`` or ``dataclasses.replace``.
Under pytest-xdist (``make test``) the costliest one is computed once for all worker processes
(:func:`shared_by_workers`), not once in each.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.tiny_season import write_tiny_season

ROOT = Path(__file__).resolve().parents[1]

#: The test files that took longest in a whole run (``make test`` under load, 2026-12-06: 110-285 s
#: each), longest first. ``make test`` hands whole files to its 2 workers in this order, then the
#: other files with the most tests first (pytest-xdist's own order): a long file started last would
#: keep one worker busy while the other has nothing left to run.
LONGEST_FIRST = (
    "tests/test_eval_tasks.py", "tests/input/test_scale.py", "tests/report/test_agreement.py",
    "tests/input/test_clerk.py", "tests/input/test_review5.py", "tests/build/test_province.py",
    "tests/input/test_validate_walk.py", "tests/input/test_weather_layouts.py",
    "tests/input/test_review4.py", "tests/test_packaging.py", "tests/input/test_silent.py",
)


def pytest_configure(config):
    if hasattr(config.option, "loadscopereorder"):  # pytest-xdist: keep the order made below
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(config, items):
    """Files of :data:`LONGEST_FIRST` first, then the files with the most tests (what pytest-xdist's
    ``--dist loadfile`` does by itself); the tests of a file keep their order."""
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    files = [item.nodeid.split("::")[0] for item in items]
    count = {name: files.count(name) for name in set(files)}
    order = {id(item): (rank.get(name, len(rank)), -count[name]) for item, name in zip(items, files, strict=True)}
    items.sort(key=lambda item: order[id(item)])


def shared_by_workers(tmp_path_factory, name: str, make: Callable[[], object]):
    """``make()``, computed by the first xdist worker that needs it and pickled into the run's
    temporary folder (``pytest-N``, shared by the run's workers and by no other run) under a file
    lock; the other workers read it. Without xdist it is simply ``make()``."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return make()
    from filelock import FileLock

    path = tmp_path_factory.getbasetemp().parent / f"shared-{name}.pkl"
    with FileLock(f"{path}.lock"):
        if path.is_file():
            return pickle.loads(path.read_bytes())
        value = make()
        path.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        return value


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
def sample_evaluation500(tmp_path_factory):
    """The committed sample season (data/sample) evaluated in one process with 500 draws and 30
    bootstrap replicates (do not modify); one evaluation for all the run's workers."""
    from zzeval.assess.evaluate import evaluate_season
    from zzeval.season.loading import load_season

    return shared_by_workers(tmp_path_factory, "sample_evaluation500",
                             lambda: evaluate_season(load_season(ROOT / "data" / "sample"), draws=500, n_boot=30))
