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
import subprocess
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
        "validate": {"build", "papermill_folder"}, "build": set(),
        "papermill_folder": {"nancun_notebook"}, "nancun_notebook": {"nancun_html"}, "nancun_html": set()}

    def rendered(text):  # as Airflow renders it for a scheduled run
        assert "{{ ds }}" not in text  # the UTC day; absent in Airflow 3 runs without a logical date
        return text.replace("{{ run_id }}", "scheduled__2021-04-01T22:30:00+00:00")

    parser = build_parser()
    for task_id in ("validate", "build", "nancun_html"):
        argv = shlex.split(rendered(tasks[task_id].kwargs["bash_command"]))
        assert argv[0].endswith("/zzeval")
        parser.parse_args(argv[1:])  # every option exists (argparse exits on an unknown one)
    papermill = tasks["nancun_notebook"].kwargs
    mkdir = shlex.split(rendered(tasks["papermill_folder"].kwargs["bash_command"]))
    assert mkdir[:2] == ["mkdir", "-p"]  # Papermill refuses to write into a folder that does not exist
    assert mkdir[2] == str(Path(rendered(papermill["output_nb"])).parent)
    export = parser.parse_args(shlex.split(rendered(tasks["nancun_html"].kwargs["bash_command"]))[1:])
    assert export.notebook == rendered(papermill["output_nb"])
    assert set(papermill["parameters"]) <= _notebook_parameters("township_report.ipynb")
    assert resolve_township(ROOT / "data" / "sample", papermill["parameters"]["township"]) == "nancun"
    assert papermill["kernel_name"] == "zzeval"  # what `zzeval kernel install` registers


# --- the crontab, run as cron runs it ----------------------------------------------------------

def _crontab() -> tuple[dict[str, str], list[str], str]:
    """``(variables, the five schedule fields, the command)`` of the one job in the crontab."""
    lines = [ln for ln in CRONTAB.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    variables = dict(ln.split("=", 1) for ln in lines if re.match(r"^[A-Z_]+=", ln))
    (job,) = [ln for ln in lines if not re.match(r"^[A-Z_]+=", ln)]
    fields = job.split(None, 5)
    return variables, fields[:5], fields[5]


def _as_cron_runs(command: str, srv: Path, zzeval: str) -> list[str]:
    """The argv cron runs for ``command`` with /srv/zzeval moved to ``srv``: ``/bin/sh -c``, with
    ``\\%`` turned into ``%`` (an unescaped ``%`` would start the job's standard input)."""
    assert re.search(r"(?<!\\)%", command) is None
    command = command.replace("\\%", "%").replace("/srv/zzeval/venv/bin/zzeval", zzeval)
    return ["/bin/sh", "-c", command.replace("/srv/zzeval", str(srv))]


def _cron_env(variables: dict[str, str], home: Path) -> dict[str, str]:
    """What cron gives a job (Debian's cron 3.0pl1: HOME, LOGNAME, SHELL, PATH=/usr/bin:/bin and the
    crontab's variables; no LANG): ``env -i`` plus these."""
    return {"HOME": str(home), "LOGNAME": "zzeval", "SHELL": "/bin/sh", "PATH": "/usr/bin:/bin", **variables}


def test_crontab_runs_at_0630_beijing_time_with_any_cron():
    variables, schedule, command = _crontab()
    assert variables["CRON_TZ"] == variables["TZ"] == "Asia/Shanghai" and variables["MAILTO"]
    # every hour at :30 in whatever zone cron reads the schedule in (Debian's cron ignores CRON_TZ) ...
    assert schedule == ["30", "*", "*", "*", "*"]
    # ... and the job goes on only at 06 in the job's zone, TZ
    assert command.startswith('[ "$(date +\\%H)" = 06 ] && ')
    argv = shlex.split(command.split("{", 1)[1].split("2>&1")[0])
    args = build_parser().parse_args(argv[1:])
    assert (argv[0], args.command, args.quiet) == ("/srv/zzeval/venv/bin/zzeval", "build", True)


def test_the_crontab_hour_test_uses_beijing_time_and_stops_other_hours(tmp_path):
    variables, _, command = _crontab()
    env = _cron_env(variables, tmp_path)
    before = datetime.now(ZoneInfo("Asia/Shanghai")).hour
    hour = int(subprocess.run(["/bin/sh", "-c", "date +%H"], env=env, capture_output=True, text=True,
                              check=True).stdout)
    assert hour in {before, datetime.now(ZoneInfo("Asia/Shanghai")).hour}  # the job's clock is Beijing's
    not_now = f"{(hour + 12) % 24:02d}"
    argv = _as_cron_runs(command.replace("= 06 ]", f"= {not_now} ]"), tmp_path, "/nonexistent/zzeval")
    run = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert (run.stdout, run.stderr) == ("", "") and not (tmp_path / "cron.log").exists()


def test_a_failing_cron_build_prints_its_exit_code_and_logs_it(tmp_path):
    """Nothing silent: the output (which cron mails) and the log name the error and exit 2."""
    variables, _, command = _crontab()
    zzeval = str(Path(sys.executable).with_name("zzeval"))
    argv = _as_cron_runs(command.replace("= 06 ]", '= "$(date +\\%H)" ]'), tmp_path, zzeval)
    run = subprocess.run(argv, env=_cron_env(variables, tmp_path), capture_output=True, text=True, timeout=120)
    assert "--data " + str(tmp_path / "data" / "2020-2021") + ": no such season folder" in run.stdout
    assert re.search(r"zzeval build failed: exit 2 at .* CST 20\d\d$", run.stdout.strip())
    assert run.stderr == ""
    assert (tmp_path / "cron.log").read_text(encoding="utf-8") == run.stdout


@pytest.mark.slow
def test_the_crontab_line_builds_the_reports_under_crons_bare_environment(tmp_path):
    """The crontab's command exactly as cron runs it (``env -i``, cron's variables, ``/bin/sh -c``),
    with /srv/zzeval in a temporary folder, on a tiny two-township season: the notebooks' kernels
    start without PATH or LANG, and a build that went well prints nothing (so cron mails nothing)."""
    from tests.tiny_season import write_tiny_season

    variables, _, command = _crontab()
    write_tiny_season(tmp_path / "data" / "2020-2021", days=20)
    (tmp_path / "home").mkdir()
    zzeval = str(Path(sys.executable).with_name("zzeval"))
    argv = _as_cron_runs(command.replace("= 06 ]", '= "$(date +\\%H)" ]'), tmp_path, zzeval)
    run = subprocess.run(argv, env=_cron_env(variables, tmp_path / "home"), capture_output=True, text=True,
                         timeout=900)
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")
    assert (tmp_path / "cron.log").read_text(encoding="utf-8") == ""
    season = tmp_path / "reports" / "2020-2021"
    for page in ("index.html", "county.html", "townships/bagong.html", "townships/liushukou.html"):
        assert 'lang="zh-CN"' in (season / page).read_text(encoding="utf-8")
    events = [json.loads(line) for line in (season / "build-log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert events[-1]["event"] == "build_end" and events[-1]["ok"] is True
    assert sorted(events[-1]["built"]) == ["__county__", "bagong", "liushukou"]


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
