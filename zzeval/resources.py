"""Files zzeval ships besides its code: the report notebooks and the reference tables read
without pandas (``input_limits.csv``, ``plan_tasks.yaml``).

In a repository checkout (also an editable install) the notebooks are the analysts' copies in
``notebooks/`` beside the package; a wheel carries the same files as package data in
``zzeval/notebooks/`` (copied there at build time by ``setup.py``; git holds one copy only).
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from zzeval.errors import ZzevalError

NOTEBOOKS = ("township_report.ipynb", "county_report.ipynb", "what_if.ipynb")


def project_root() -> Path | None:
    """The repository checkout zzeval is imported from (``pyproject.toml`` and ``notebooks/``
    beside the package), or ``None`` when zzeval is installed from a wheel."""
    root = Path(__file__).resolve().parents[1]
    if (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir():
        return root
    return None


def notebooks_dir() -> Path:
    """The folder holding the report notebooks: the checkout's ``notebooks/``, else the copy
    installed with the package."""
    root = project_root()
    if root is not None:
        return root / "notebooks"
    from importlib.resources import files

    return Path(str(files("zzeval").joinpath("notebooks")))


def notebook_path(name: str) -> Path:
    """The path of the shipped notebook ``name`` (e.g. ``"township_report.ipynb"``).

    Raises
    ------
    ZzevalError
        When the notebook is missing (a broken install); the message says where it looked.
    """
    path = notebooks_dir() / name
    if not path.is_file():
        raise ZzevalError(f"the notebook {name} is not installed (looked for {path}); reinstall zzeval "
                          "from a wheel or a checkout that has notebooks/")
    return path


def _reference_file(name: str):
    """``zzeval/reference/<name>``: the file beside this module, else (a zipped install) the
    package resource; ``importlib.resources`` only then (the command line checks its options
    with these files before anything heavy is imported)."""
    path = Path(__file__).with_name("reference") / name
    if path.is_file():
        return path
    from importlib.resources import files

    return files("zzeval.reference").joinpath(name)


def reference_path(name: str):
    """``zzeval/reference/<name>`` (a path, or a package resource in a zipped install) to open and read."""
    return _reference_file(name)


#: The fields every task of ``plan_tasks.yaml`` has (its ``direction`` ``min`` or ``max``).
PLAN_TASK_FIELDS = ("section", "value", "direction", "unit", "plan_zh", "plan_en", "deadline_zh", "deadline_en",
                    "responsible_zh", "responsible_en")


@cache
def plan_tasks() -> dict:
    """The plan's tasks (``zzeval/reference/plan_tasks.yaml``), read once for every reader: ``{"tasks":
    {task: {...}}, "county_tasks": {task: {...}}, "source_zh", "source_en"}``, the township tasks in the
    order the task table shows them, each with its :data:`PLAN_TASK_FIELDS` and the plan's wording.
    Shared: do not modify what it returns."""
    import yaml

    doc = yaml.safe_load(_reference_file("plan_tasks.yaml").read_text(encoding="utf-8"))
    for group in ("tasks", "county_tasks"):
        for key, spec in doc.get(group, {}).items():
            missing = [k for k in PLAN_TASK_FIELDS if k not in spec]
            if missing or spec["direction"] not in ("min", "max"):
                raise ZzevalError(f"reference/plan_tasks.yaml, task {key!r}: missing {missing} or bad direction")
    return doc


@cache
def _input_limits() -> dict[str, dict[str, str]]:
    with _reference_file("input_limits.csv").open(encoding="utf-8", newline="") as fh:
        return {row["key"]: row for row in csv.DictReader(fh)}


def input_limit(key: str) -> float:
    """The upper limit ``key`` of ``zzeval/reference/input_limits.csv`` (in the unit of its ``unit`` column;
    read without pandas: the command line checks its options with it before anything heavy is imported)."""
    return float(_input_limits()[key]["max_value"])


def input_limit_rows(prefix: str) -> dict[str, dict[str, str]]:
    """The rows of ``zzeval/reference/input_limits.csv`` whose key starts with ``prefix`` (by key; the
    cells as written: an empty ``min_value`` or ``max_value`` is no limit on that side)."""
    return {key: row for key, row in _input_limits().items() if key.startswith(prefix)}


def input_floor(key: str) -> float:
    """The lower limit ``key`` of ``zzeval/reference/input_limits.csv`` (in the unit of its ``unit`` column)."""
    return float(_input_limits()[key]["min_value"])
