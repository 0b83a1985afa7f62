"""A build's life: refused before it writes anything, portable without POSIX-only calls, and dead
whole after ``kill -9`` (no worker runs on or writes), with a rebuild of exactly what it left."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from tests.build.helpers import COUNTY_NB, TOWNSHIP_NB, build_kwargs, tiny_season
from zzeval.build.builder import COUNTY, build_reports
from zzeval.build.records import STATE_FILE
from zzeval.errors import ZzevalError

pytestmark = pytest.mark.notebook
SEASON = "2020-2021"
ROOT = Path(__file__).resolve().parents[2]


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder``, hidden ones too, by content."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_bad_verdict_rules_write_nothing_into_out(built, tmp_path):
    data, out = built
    (data / "verdict_rules.yaml").write_text("levels: {}\nrules: []\n", encoding="utf-8")
    before = _snapshot(out)
    with pytest.raises(ZzevalError, match=r"verdict_rules\.yaml.*'rules' is empty"):
        build_reports(data, out_dir=out, **build_kwargs())
    assert _snapshot(out) == before  # no lock, no log line, no state
    fresh = tmp_path / "fresh"
    with pytest.raises(ZzevalError, match="verdict_rules.yaml"):
        build_reports(data, out_dir=fresh, **build_kwargs())
    assert not fresh.exists()


def test_builds_without_fcntl_and_pwrite(tmp_path):
    data = tiny_season(tmp_path / "data")
    script = textwrap.dedent(f"""
        import os, sys
        sys.modules["fcntl"] = None  # as on Windows: `import fcntl` raises ImportError
        del os.pwrite, os.pread
        sys.path.insert(0, {str(ROOT)!r})
        from tests.build.helpers import build_kwargs
        from zzeval.build.builder import build_reports
        summary = build_reports({str(data)!r}, out_dir={str(tmp_path / "out")!r}, **build_kwargs())
        import filelock
        print("ok" if summary.ok else summary.text(), sorted(summary.built), filelock.FileLock.__name__)
        """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split("\n")[-2] == "ok ['__county__', 'bagong', 'liushukou'] SoftFileLock"
    assert (tmp_path / "out" / SEASON / "index.html").is_file()


def _changed_notebooks(folder: Path) -> tuple[Path, Path]:
    """Copies of the tiny notebooks with one changed line: every report's key changes."""
    folder.mkdir()
    out = []
    for src in (TOWNSHIP_NB, COUNTY_NB):
        nb = json.loads(src.read_text(encoding="utf-8"))
        nb["cells"][-1]["source"] = ["# version 2\n", *nb["cells"][-1]["source"]]
        dst = folder / src.name
        dst.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
        out.append(dst)
    return out[0], out[1]


def _report_events(log: Path) -> list[dict]:
    return [e for e in map(json.loads, log.read_text(encoding="utf-8").splitlines()) if e["event"] == "report"]


def _built_at(out: Path) -> dict[str, str | None]:
    """Each report's ``built_at`` in the build state: it changes when a build finishes the report."""
    state = json.loads((out / SEASON / STATE_FILE).read_text(encoding="utf-8"))
    return {slug: entry.get("built_at") for slug, entry in state["reports"].items()}


def test_kill_9_leaves_no_worker_and_rebuild_finishes_the_rest(built, tmp_path):
    data, out = built
    township_nb, county_nb = _changed_notebooks(tmp_path / "nb")
    kw = {"notebook": str(township_nb), "county_notebook": str(county_nb)}
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from tests.build.helpers import build_kwargs
        from zzeval.build.builder import build_reports
        build_reports({str(data)!r}, out_dir={str(out)!r}, **build_kwargs(jobs=1, **{kw!r}))
        """)
    env = dict(os.environ, ZZEVAL_TEST_SLEEP="2.0")  # each township report takes 2 s and more
    state_before = _built_at(out)
    proc = subprocess.Popen([sys.executable, "-c", script], env=env)
    log = out / SEASON / "build-log.jsonl"
    n_before = len(_report_events(log))
    family: dict[int, psutil.Process] = {}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(_report_events(log)) == n_before:
        family.update({p.pid: p for p in psutil.Process(proc.pid).children(recursive=True)})
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)  # the build only, not its process group
    proc.wait()
    after_kill = _snapshot(out)
    assert family, "the build started no worker"
    gone, alive = psutil.wait_procs(list(family.values()), timeout=30)
    assert not alive, f"processes of the killed build still run: {[p.cmdline() for p in alive]}"
    time.sleep(1.0)  # nothing left that could write
    assert _snapshot(out) == after_kill  # no file in --out changed after the kill
    for page in (out / SEASON).rglob("*.html"):
        assert page.read_bytes().rstrip().endswith(b"</html>"), f"partial {page}"

    # What the dead build finished is what it recorded in its state (written before the log
    # line, so a kill between the two leaves a report finished that the log does not name yet).
    state_after = _built_at(out)
    finished = sorted(s for s, t in state_after.items() if t != state_before.get(s))
    logged = {e["report"] for e in _report_events(log)[n_before:] if e["status"] == "built"}
    assert logged <= set(finished), (logged, finished)
    unfinished = sorted({COUNTY, "bagong", "liushukou"} - set(finished))
    assert finished and unfinished, f"killed too late or too early: {state_after}"
    again = build_reports(data, out_dir=out, **build_kwargs(**kw))
    assert again.ok
    assert sorted(again.built) == unfinished and sorted(again.up_to_date) == finished
    assert not list((out / SEASON).rglob("*.tmp"))
