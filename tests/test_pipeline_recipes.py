"""The scheduling recipes of docs/pipeline.md: the Airflow DAG (Airflow 2 and 3 imports, Beijing
time), the crontab, and the Dask dashboard. Airflow is not installed here: the DAG file is
checked with its syntax tree and run against stand-in Airflow modules, and every command it
and the crontab run is parsed by zzeval's own command line."""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import json
import re
import shlex
import sys
import types
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from zzeval.cli import build_parser
from zzeval.season.locate import resolve_township

ROOT = Path(__file__).resolve().parents[1]
DAG_FILE = ROOT / "examples" / "airflow" / "zzeval_reports.py"
CRONTAB = ROOT / "examples" / "cron" / "zzeval.crontab"
DOC = (ROOT / "docs" / "pipeline.md").read_text(encoding="utf-8")


def _imports(nodes) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            found.setdefault(node.module, set()).update(a.name for a in node.names)
    return found


def test_dag_imports_airflow_3_first_then_airflow_2():
    tree = ast.parse(DAG_FILE.read_text(encoding="utf-8"))
    attempt = next(node for node in tree.body if isinstance(node, ast.Try))
    assert _imports(attempt.body) == {"airflow.sdk": {"DAG"},
                                      "airflow.providers.standard.operators.bash": {"BashOperator"}}
    (handler,) = attempt.handlers
    assert handler.type.id == "ImportError"
    assert _imports(handler.body) == {"airflow": {"DAG"}, "airflow.operators.bash": {"BashOperator"}}
    assert _imports(tree.body)["airflow.providers.papermill.operators.papermill"] == {"PapermillOperator"}


def test_dag_start_date_is_in_beijing_time():
    tree = ast.parse(DAG_FILE.read_text(encoding="utf-8"))
    starts = [kw.value for node in ast.walk(tree) if isinstance(node, ast.Call)
              for kw in node.keywords if kw.arg == "start_date"]
    (start,) = starts
    assert ast.unparse(start.func) == "pendulum.datetime"
    assert {kw.arg: ast.literal_eval(kw.value) for kw in start.keywords} == {"tz": "Asia/Shanghai"}


class _Task:
    def __init__(self, task_id, **kwargs):
        self.task_id, self.kwargs, self.downstream = task_id, kwargs, set()
        _StubDAG.current.tasks[task_id] = self

    def __rshift__(self, other):
        self.downstream.add(other.task_id)
        return other


class _StubDAG:
    current = None

    def __init__(self, **kwargs):
        self.kwargs, self.tasks = kwargs, {}

    def __enter__(self):
        _StubDAG.current = self
        return self

    def __exit__(self, *exc):
        _StubDAG.current = None


@contextlib.contextmanager
def _stub_airflow(version: int):
    """Stand-in modules for the import paths of Airflow ``version`` (2 or 3) only."""
    names = {"airflow": {}, "airflow.providers": {}, "airflow.providers.papermill": {},
             "airflow.providers.papermill.operators": {},
             "airflow.providers.papermill.operators.papermill": {"PapermillOperator": type("P", (_Task,), {})}}
    if version == 3:
        names |= {"airflow.sdk": {"DAG": _StubDAG}, "airflow.providers.standard": {},
                  "airflow.providers.standard.operators": {},
                  "airflow.providers.standard.operators.bash": {"BashOperator": type("B", (_Task,), {})}}
    else:
        names["airflow"] = {"DAG": _StubDAG}
        names |= {"airflow.operators": {}, "airflow.operators.bash": {"BashOperator": type("B", (_Task,), {})}}
    if importlib.util.find_spec("pendulum") is None:  # Airflow installs it; here: the one call used
        names["pendulum"] = {"datetime": lambda *a, tz: datetime(*a, tzinfo=ZoneInfo(tz))}
    saved = {name: sys.modules.get(name) for name in names}
    try:
        for name, attrs in names.items():
            module = types.ModuleType(name)
            module.__path__ = []
            module.__dict__.update(attrs)
            sys.modules[name] = module
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def _load_dag():
    spec = importlib.util.spec_from_file_location("zzeval_reports_dag", DAG_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.dag


def _notebook_parameters(name: str) -> set[str]:
    nb = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    return {node.target.id for node in ast.parse("".join(cell["source"])).body if isinstance(node, ast.AnnAssign)}


@pytest.mark.skipif(importlib.util.find_spec("airflow") is not None, reason="a real Airflow is installed")
@pytest.mark.parametrize("version", [2, 3])
def test_dag_builds_its_tasks_with_either_airflows_imports(version):
    with _stub_airflow(version):
        dag = _load_dag()
    assert dag.kwargs["schedule"] == "30 6 * * *" and dag.kwargs["catchup"] is False
    start = dag.kwargs["start_date"]
    assert (getattr(start.tzinfo, "key", None) or start.tzinfo.name) == "Asia/Shanghai"
    assert start.utcoffset() == timedelta(hours=8)  # the first run: 06:30 in Beijing is 22:30 UTC
    tasks = dag.tasks
    assert {t: tasks[t].downstream for t in tasks} == {
        "validate": {"build", "bagong_notebook"}, "build": set(),
        "bagong_notebook": {"bagong_html"}, "bagong_html": set()}
    parser = build_parser()
    for task_id in ("validate", "build", "bagong_html"):
        command = re.sub(r"{{\s*ds\s*}}", "2021-04-02", tasks[task_id].kwargs["bash_command"])  # as Airflow renders it
        argv = shlex.split(command)
        assert argv[0].endswith("/zzeval")
        parser.parse_args(argv[1:])  # every option exists (argparse exits on an unknown one)
    papermill = tasks["bagong_notebook"].kwargs
    assert set(papermill["parameters"]) <= _notebook_parameters("township_report.ipynb")
    assert resolve_township(ROOT / "data" / "sample", papermill["parameters"]["township"]) == "bagong"
    assert papermill["kernel_name"] == "zzeval"  # what `zzeval kernel install` registers


def test_crontab_schedules_in_beijing_time_and_runs_a_valid_command():
    lines = [ln for ln in CRONTAB.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    assert lines[:2] == ["CRON_TZ=Asia/Shanghai", "TZ=Asia/Shanghai"]
    (job,) = lines[2:]
    fields = job.split(None, 5)
    assert fields[:5] == ["30", "6", "*", "*", "*"]
    argv = shlex.split(fields[5])
    args = build_parser().parse_args(argv[1:])
    assert (args.command, args.quiet) == ("build", True)


def test_the_doc_shows_the_tested_files_verbatim():
    assert CRONTAB.read_text(encoding="utf-8").strip() in DOC
    assert DAG_FILE.read_text(encoding="utf-8").split('"""', 2)[2].strip() in DOC


def test_a_dask_scheduler_here_serves_its_dashboard():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address="127.0.0.1:0") as cluster:
        url = f"http://127.0.0.1:{cluster.scheduler.http_server.port}/status"
        with urllib.request.urlopen(url, timeout=60) as response:
            page = response.read().decode("utf-8", "replace")
            assert response.status == 200
    assert "Dask needs bokeh" not in page  # what distributed serves when bokeh is missing
    assert "<title>Dask Diagnostic UI</title>" in page
