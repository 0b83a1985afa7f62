"""Packaging: what is declared is what is imported, environment.yml agrees with pyproject.toml,
pytest collects every test function, every CLI option explains itself, and a wheel built from
this checkout works from any folder."""

from __future__ import annotations

import argparse
import ast
import importlib.metadata as md
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from zzeval.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

#: Declared but never imported, on purpose: libraries other libraries load for zzeval.
RUNTIME_ONLY = {"openpyxl": "pandas reads .xlsx with it", "bokeh": "the Dask dashboard"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(req: str) -> str:
    return _norm(re.split(r"[<>=!~\[; ]", req, maxsplit=1)[0])


def imported_distributions(package: Path = ROOT / "zzeval") -> dict[str, set[str]]:
    """Distribution name -> the zzeval files importing it (absolute imports, stdlib left out)."""
    owners = md.packages_distributions()
    found: dict[str, set[str]] = {}
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top == "zzeval":
                    continue
                for dist in owners.get(top, [top]):  # not installed: its import name
                    found.setdefault(_norm(dist), set()).add(str(path.relative_to(ROOT)))
    return found


def test_declared_dependencies_are_the_imported_ones():
    declared = {_requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    extras = {_requirement_name(r) for name, reqs in PYPROJECT["project"]["optional-dependencies"].items()
              if name != "dev" for r in reqs}  # optional features, imported only when used
    imported = imported_distributions()
    assert "fonttools" in imported and "jupyter-client" in imported  # the scan sees nested imports
    undeclared = {d: sorted(files) for d, files in imported.items() if d not in declared | extras}
    assert undeclared == {}, f"imported but not declared in pyproject.toml: {undeclared}"
    unused = declared - set(imported) - set(RUNTIME_ONLY)
    assert unused == set(), f"declared in pyproject.toml but never imported by zzeval/: {unused}"


def test_environment_yml_lists_what_pyproject_declares():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = {_requirement_name(r): r.replace(" ", "") for r in conda + pip
              if not r.startswith(("python", "pip", "-e"))}
    wanted = PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["dev"]
    expected = {_requirement_name(r): r.split(";")[0].replace(" ", "") for r in wanted}
    assert {k: _norm(v) for k, v in listed.items()} == {k: _norm(v) for k, v in expected.items()}
    assert "-e ." in pip  # zzeval itself, from the checkout


def _options(parser: argparse.ArgumentParser, path: str = "zzeval"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _options(sub, f"{path} {name}")
        elif not isinstance(action, argparse._HelpAction):
            yield path, "/".join(action.option_strings) or action.dest, action.help


def test_every_cli_option_and_argument_has_help():
    options = list(_options(build_parser()))
    assert ("zzeval build", "--data", "the season folder (default data/sample)") in options
    assert len(options) > 50
    missing = [f"{cmd} {opt}" for cmd, opt, text in options if not text or text == argparse.SUPPRESS]
    assert missing == []


def _test_functions() -> set[str]:
    """``path::name`` (or ``path::Class::name``) of every test function defined in tests/."""
    found = set()
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
                found.add(f"{rel}::{node.name}")
            elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                found |= {f"{rel}::{node.name}::{f.name}" for f in node.body
                          if isinstance(f, ast.FunctionDef) and f.name.startswith("test")}
    return found


def test_pytest_collects_every_test_function_in_tests():
    # pytest skips folders named "build" unless told otherwise: tests/build once went unrun
    run = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    collected = {re.sub(r"\[.*\]$", "", line) for line in run.stdout.splitlines() if "::" in line}
    defined = _test_functions()
    assert len(defined) > 150 and "tests/build/test_build.py::test_missing_named_kernel_says_what_to_run" in defined
    assert sorted(defined - collected) == [], run.stdout[-2000:] + run.stderr[-2000:]


def _site_packages() -> list[str]:
    import sysconfig

    return sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})


@pytest.mark.slow
def test_a_wheel_installs_and_builds_a_season_from_any_folder(tmp_path):
    """The wheel alone (no checkout): notebooks and templates are inside it, no kernel registered.

    To stay quick, the fresh venv borrows this environment's installed libraries through a
    ``.pth`` file (not processed further, so this environment's editable zzeval is not seen) and
    their Jupyter data through ``JUPYTER_PATH``; zzeval itself comes from the wheel only. The full dependency install was checked by hand
    (README, "Install").
    """
    import shutil

    src = tmp_path / "src"
    top = {".git", ".venv", "reports", "build", "dist", "zzeval.egg-info", "bench", ".pytest_cache"}
    shutil.copytree(ROOT, src, ignore=lambda folder, names: [
        n for n in names if n == "__pycache__" or (Path(folder) == ROOT and n in top)])
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--progress-bar", "off",
                    "-w", str(tmp_path / "dist"), str(src)], check=True, capture_output=True, timeout=600)
    wheel = next((tmp_path / "dist").glob("zzeval-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "_borrowed_libraries.pth").write_text("\n".join(_site_packages()) + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                    "--progress-bar", "off", str(wheel)], check=True, capture_output=True, timeout=600)

    work = tmp_path / "elsewhere"
    work.mkdir()

    # the borrowed libraries' Jupyter data (nbconvert's base templates) live under this prefix
    env = {**os.environ, "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")}

    def zzeval(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(venv / "bin" / "zzeval"), *args], cwd=work, capture_output=True,
                              text=True, timeout=900, check=False, env=env)

    where = subprocess.run([str(python), "-c", "import zzeval.resources as r; print(r.__file__); "
                            "print(r.notebook_path('township_report.ipynb'))"],
                           cwd=work, capture_output=True, text=True, check=True).stdout.split()
    assert all(Path(p).is_relative_to(venv) for p in where), where  # the wheel's copy, not the checkout
    made = zzeval("sample", "s", "--townships", "2")
    assert made.returncode == 0 and made.stdout == "", made.stderr
    built = zzeval("build", "--data", "s", "--out", "r", "--jobs", "1", "--draws", "500")
    assert built.returncode == 0, built.stderr[-3000:]
    assert built.stdout == ""  # progress and the summary are messages: stderr
    season = work / "r" / "2020-2021"
    pages = sorted(p.name for p in (season / "townships").glob("*.html"))
    assert len(pages) == 2, pages
    summary = json.loads((season / "summary.json").read_text(encoding="utf-8"))
    assert sorted(f"{row['township']}.html" for row in summary["townships"]) == pages
    html = (season / "townships" / pages[0]).read_text(encoding="utf-8")
    assert '<html lang="zh-CN"' in html and "<script" not in html
    assert (season / "county.html").is_file() and (season / "index.html").is_file()
    # no kernel of this venv is registered: the build runs the notebooks in the venv's own Python
    assert re.search(rf"kernel: .*; using (the current interpreter )?{re.escape(str(python))}\n", built.stderr)

    # the same township with the Papermill command line and `zzeval export`, from the same folder
    notebook = zzeval("notebooks", "township_report").stdout.strip()
    assert Path(notebook).is_relative_to(venv) and Path(notebook).is_file()
    evaluation = next((season / ".cache").glob("evaluation-*.pkl"))  # the build's, so not recomputed
    run = subprocess.run([str(python), "-m", "papermill", notebook, "nancun.ipynb", "--no-progress-bar",
                          "-p", "township", "南村镇", "-p", "data_dir", "s", "-p", "results_path", str(evaluation)],
                         cwd=work, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    exported = zzeval("export", "nancun.ipynb")
    assert exported.returncode == 0 and exported.stdout == "", exported.stderr
    page = (work / "nancun.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN"' in page and "<script" not in page and "南村镇" in page
