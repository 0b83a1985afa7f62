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

from zzeval.errors import ZzevalError, yaml_problem

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


@cache
def reference_yaml(name: str):
    """The parsed ``zzeval/reference/<name>``: the one reader of the package's reference YAML
    (``plan_targets.yaml``, ``verdict_rules.yaml``, ``labels.yaml``, ...), read once per process.
    Shared: do not modify what it returns.

    Raises
    ------
    ZzevalError
        When the file is not valid YAML (an analyst's edit with a tab, say): the file, line, column and
        what to fix, as a season folder's YAML gets (exit 2, not a traceback).
    """
    import yaml

    try:
        return yaml.safe_load(_reference_file(name).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ZzevalError(f"zzeval/reference/{name}: not valid YAML: {yaml_problem(exc)}; fix the file "
                          "(or reinstall zzeval to restore it)") from exc


#: The fields every task of ``plan_tasks.yaml`` has (its ``direction`` ``min`` or ``max``).
PLAN_TASK_FIELDS = ("section", "value", "direction", "unit", "plan_zh", "plan_en", "deadline_zh", "deadline_en",
                    "responsible_zh", "responsible_en")


@cache
def plan_tasks() -> dict:
    """The plan's tasks (``zzeval/reference/plan_tasks.yaml``), read once for every reader: ``{"tasks":
    {task: {...}}, "county_tasks": {task: {...}}, "source_zh", "source_en"}``, the township tasks in the
    order the task table shows them, each with its :data:`PLAN_TASK_FIELDS` and the plan's wording.
    Shared: do not modify what it returns."""
    doc = reference_yaml("plan_tasks.yaml")
    for group in ("tasks", "county_tasks"):
        for key, spec in doc.get(group, {}).items():
            missing = [k for k in PLAN_TASK_FIELDS if k not in spec]
            if missing or spec["direction"] not in ("min", "max"):
                raise ZzevalError(f"reference/plan_tasks.yaml, task {key!r}: missing {missing} or bad direction")
    return doc


#: Figures of ``plan_targets.yaml`` that count things (households, trucks, boilers, cameras, mines): whole
#: numbers, none negative.
_PLAN_COUNTS = ("china3_trucks_remaining", "black_smoke_cameras", "coal_boilers_remaining",
                "scattered_firms_remaining", "open_pit_mines_rectified")


@cache
def plan_targets() -> dict:
    """The plan's county figures (``zzeval/reference/plan_targets.yaml``, PLAN.md), read once and checked
    for what the plan itself fixes: ``clean_heating_households.total`` is the sum of its ``by_type``
    (17,360 = 3,004 + 2,350 + 12,006, § 六), every ``*_pct`` figure is a percentage (above 1, at most 100:
    90 for 90 %, never the fraction 0.9), the emergency cuts of § 三 have ``low`` ≤ ``high`` within 0-100,
    the counts are whole numbers ≥ 0 and the dustfall limit is positive. Shared: do not modify what it
    returns.

    Raises
    ------
    ZzevalError
        Naming the file, the key, the value and what it must be (an edit of the package's copy: the plan's
        own figures, which every county page compares with).
    """
    doc = reference_yaml("plan_targets.yaml")
    where = "zzeval/reference/plan_targets.yaml"
    if not isinstance(doc, dict):
        raise ZzevalError(f"{where}: expected the plan's figures as keys and values (reinstall zzeval to restore it)")
    heating = doc.get("clean_heating_households") or {}
    by_type = heating.get("by_type") or {}
    for key, value in [("total", heating.get("total")), *(("by_type." + k, v) for k, v in by_type.items())]:
        _plan_count(where, f"clean_heating_households.{key}", value)
    if by_type and heating["total"] != sum(by_type.values()):
        raise ZzevalError(f"{where}, clean_heating_households.total: {heating['total']:,} is not the sum of by_type "
                          f"({' + '.join(f'{v:,}' for v in by_type.values())} = {sum(by_type.values()):,}; plan § 六: "
                          "17,360); correct the total or the figure by type")
    for key in _PLAN_COUNTS:
        _plan_count(where, key, doc.get(key))
    for key, value in _pct_figures(doc):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1 < value <= 100:
            hint = (f"; {value:g} looks like a fraction (a cell formatted as a percentage holds 0.9 for 90 %): "
                    f"write {100 * value:g}" if isinstance(value, (int, float)) and 0 < value <= 1 else "")
            raise ZzevalError(f"{where}, {key}: {value!r} is not a percentage above 1 and at most 100{hint}")
    for grade, cut in (doc.get("emergency_cut_pct") or {}).items():
        if grade != "unit" and not (isinstance(cut, dict) and 0 <= cut.get("low", -1) <= cut.get("high", -1) <= 100):
            raise ZzevalError(f"{where}, emergency_cut_pct.{grade}: {cut!r} needs low ≤ high, both 0-100 (%)")
    dust = doc.get("dustfall_t_km2_month")
    if isinstance(dust, bool) or not isinstance(dust, (int, float)) or dust <= 0:
        raise ZzevalError(f"{where}, dustfall_t_km2_month: {dust!r} is not a positive number (t/(month·km²); plan "
                          "§ 十六: 9)")
    return doc


def _plan_count(where: str, key: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ZzevalError(f"{where}, {key}: {value!r} is not a whole number ≥ 0")


def _pct_figures(doc: dict):
    """(key, value) of every figure under a ``*_pct`` key of the plan (nested ones by their dotted key;
    ``null``, a figure the plan does not set, and ``unit`` skipped)."""
    for key, value in doc.items():
        if not str(key).endswith("_pct") or key == "emergency_cut_pct":
            continue
        items = value.items() if isinstance(value, dict) else [(None, value)]
        for sub, figure in items:
            if figure is not None and sub != "unit":
                yield (f"{key}.{sub}" if sub is not None else str(key)), figure


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
