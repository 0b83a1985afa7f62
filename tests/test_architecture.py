"""The house rules of docs/architecture.md, checked on the code (issue 12).

* Rooms are layered; an import may only point down (or stay in its room), and never reaches
  into another room's private names (``_name``).
* No module over 600 lines, no function over 80 lines in ``zzeval/``.
* A reference file of :data:`ONE_READER` is opened by its one reader in ``zzeval/resources.py``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "zzeval"

#: Layers from the bottom up; a room may import rooms of a lower layer only.
LAYERS = {
    "errors": 0, "reference": 0,
    "atomic": 1, "resources": 1, "processes": 1, "stdout": 1, "pathnames": 1, "libraries": 1,
    "dask_logs": 1,
    "i18n": 2,  # reads labels.yaml with zzeval.resources (the one reader of the reference YAML)
    "season": 3,
    "airquality": 4, "emissions": 4,
    "assess": 5, "synthetic": 5,
    "report": 6,
    "build": 7,
    "cli": 8, "__main__": 8,
}
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _room(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    return rel.parts[0]


def _imports(path: Path):
    """(room imported, names imported, line) for every ``zzeval.*`` import of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] != "zzeval":
                continue
            if len(parts) == 1:  # from zzeval import x: x is a room or a top module
                for alias in node.names:
                    yield alias.name, [], node.lineno
            else:
                yield parts[1], [a.name for a in node.names], node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "zzeval" and len(parts) > 1:
                    yield parts[1], [], node.lineno


def test_every_room_has_a_layer():
    rooms = {_room(p) for p in _modules()} - {"__init__"}
    assert rooms <= set(LAYERS), f"rooms without a layer in LAYERS: {rooms - set(LAYERS)}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_and_stay_public(path):
    room = _room(path)
    if room == "__init__":  # the package's public names, re-exported
        return
    wrong = []
    for target, names, line in _imports(path):
        if target == "__version__" or target == room:
            continue
        if LAYERS.get(target, 99) >= LAYERS[room]:
            wrong.append(f"line {line}: {room} (layer {LAYERS[room]}) imports {target} "
                         f"(layer {LAYERS.get(target)})")
        private = [n for n in names if n.startswith("_")]
        if private:
            wrong.append(f"line {line}: private names of {target}: {private}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_and_function_sizes(path):
    text = path.read_text(encoding="utf-8")
    n_lines = len(text.splitlines())
    assert n_lines <= MAX_MODULE_LINES, f"{n_lines} lines"
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


#: Reference files read by one cached reader in zzeval/resources.py, which every module uses.
ONE_READER = ("plan_tasks.yaml", "input_limits.csv", "plan_targets.yaml")


@pytest.mark.parametrize("name", ONE_READER)
def test_a_reference_file_has_one_reader(name):
    readers = [str(p.relative_to(PACKAGE)) for p in _modules()
               if re.search(rf'\(\s*"{re.escape(name)}"\s*\)', p.read_text(encoding="utf-8"))]
    assert readers == ["resources.py"], f"{name} is opened by {readers}; read it with zzeval.resources"


@pytest.mark.parametrize("path", sorted((PACKAGE / "reference").iterdir()), ids=lambda p: p.name)
def test_reference_text_names_no_private_path(path):
    """A source or note in the shipped reference data is for readers: it names a standard, a paper, a file of
    the project or its shared folder (../shared/), never a path on the machine it was measured on (a
    measuring script under /tmp/ or a worktree's notes is gone for every other reader)."""
    if path.suffix not in {".csv", ".yaml", ".yml", ".md"}:
        return
    text = path.read_text(encoding="utf-8")
    found = re.findall(r"(?:/tmp/|/work/|/home/)\S*", text)
    assert not found, f"{path.name} names private paths: {found[:3]}"
