"""An interrupted ``zzeval build`` (Ctrl-C, SIGTERM from ``timeout`` or systemd, SIGHUP from a closed
terminal) says so, exits 128 + the signal, leaves no process, and leaves nothing in ``$TMPDIR``: not
its Jupyter kernels' connection files (ports and message key), not the folder the season's rows are
split in; a folder left by a build killed with SIGKILL is removed by the next build (hostile review 7,
finding 5). Each build runs with a private ``TMPDIR``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from tests.build.helpers import tiny_season
from zzeval.cli import main

pytestmark = pytest.mark.notebook
ROOT = Path(__file__).resolve().parents[2]


def _dead_builds_folder(tmpdir: Path) -> Path:
    """The scratch folder of a build killed by SIGKILL: its process id no longer runs."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    folder = tmpdir / f".zzeval-build.{gone.pid}-0123abcd.tmp"
    folder.mkdir()
    (folder / "tmpk5pr03jr.json").write_text('{"key": "a kernel connection file"}', encoding="utf-8")
    return folder


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _signal_when(proc: subprocess.Popen, tmpdir: Path, ready, signum: int,
                 group: bool = False) -> dict[int, psutil.Process]:
    """Send ``signum`` to the build (``group``: to its process group, as a closed terminal does) once
    ``ready(files in tmpdir)``; its processes seen until then."""
    family: dict[int, psutil.Process] = {}
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            family.update({p.pid: p for p in psutil.Process(proc.pid).children(recursive=True)})
        except psutil.Error:
            pass
        if ready([p.relative_to(tmpdir) for p in tmpdir.rglob("*")]):
            break
        time.sleep(0.02)
    assert proc.poll() is None, f"the build ended before the signal: {proc.communicate()}"
    (os.killpg if group else os.kill)(proc.pid, signum)
    return family


def _ended_clean(proc: subprocess.Popen, family, tmpdir: Path, signum: int) -> None:
    _, err = proc.communicate(timeout=120)
    name = signal.Signals(signum).name
    said = "zzeval build: interrupted" + ("" if signum == signal.SIGINT else f" ({name})")
    assert proc.returncode == 128 + signum and said in err, (proc.returncode, err[-2000:])
    assert "Traceback" not in err
    _, alive = psutil.wait_procs(list(family.values()), timeout=30)
    assert not alive, f"processes of the interrupted build still run: {[p.cmdline() for p in alive]}"
    assert sorted(p.name for p in tmpdir.rglob("*")) == []


@pytest.fixture(scope="module")
def sample_2(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sample") / "s2"
    assert main(["sample", str(folder), "--townships", "2"]) == 0
    return folder


@pytest.mark.parametrize(("signum", "group"), [(signal.SIGTERM, False), (signal.SIGHUP, True)],
                         ids=["SIGTERM to the build", "SIGHUP to its process group"])
def test_signalled_while_the_season_loads(signum, group, sample_2, tmp_path):
    """The real build of a 2-township sample, stopped while its air-quality rows are split (and the
    evaluation's pool starts: with the group signalled, no process of it prints a traceback)."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "zzeval"), "build", "--data", str(sample_2), "--out",
                             str(tmp_path / "out"), "--draws", "200", "--jobs", "2"], start_new_session=True,
                            env={**os.environ, "TMPDIR": str(tmpdir)}, stderr=subprocess.PIPE, text=True)
    family = _signal_when(proc, tmpdir, lambda files: any(f.name.startswith("zzeval-rows-") for f in files),
                          signum, group)
    _ended_clean(proc, family, tmpdir, signum)
    assert not (tmp_path / "out" / "2020-2021" / ".build-owner.json").exists()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGHUP], ids=["SIGINT", "SIGHUP"])
def test_interrupted_while_the_kernels_run(signum, tmp_path):
    """``zzeval build`` on the tiny season and notebooks (each township notebook sleeps 5 s), signalled
    once its kernels have started; a folder of a SIGKILLed build waits in TMPDIR."""
    data = tiny_season(tmp_path / "data")
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    dead = _dead_builds_folder(tmpdir)
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from tests.build.helpers import build_kwargs
        import zzeval.build.builder as builder
        real = builder.build_reports
        builder.build_reports = lambda **kw: real(**{{**kw, **build_kwargs(jobs=2)}})
        from zzeval.cli import main
        sys.exit(main(["build", "--data", {str(data)!r}, "--out", {str(tmp_path / "out")!r}, "--draws", "200"]))
        """)
    # a test run started in the background of a non-interactive shell (cron, CI, `cmd &`) ignores SIGINT,
    # and an ignored signal stays ignored across exec (Python then installs no KeyboardInterrupt
    # handler): the build gets the default, as from a terminal
    proc = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(tmpdir), "ZZEVAL_TEST_SLEEP": "5"},
                            preexec_fn=_default_sigint)

    def kernels_started(files) -> bool:
        return sum(f.suffix == ".json" and f.parts[0] != dead.name for f in files) >= 2  # 2 connection files

    family = _signal_when(proc, tmpdir, kernels_started, signum)
    _ended_clean(proc, family, tmpdir, signum)
