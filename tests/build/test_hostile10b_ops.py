"""s10 hostile review B (operations): a read-only mount and Ctrl-C, each met with a message and an
exit code, never a traceback. Fast: the refusals are simulated (tests run as root, and without a
read-only mount), the worker answers no task."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _read_only(filename) -> OSError:
    return OSError(errno.EROFS, "Read-only file system", str(filename))


@pytest.fixture
def read_only_mount(monkeypatch):
    """What a read-only file system does to zzeval's writers: creating a file or a folder fails with
    EROFS (no PermissionError), and so does unlinking, even a file that was never made."""
    import builtins

    import zzeval.atomic as atomic

    def opened(file, mode="r", *args, **kwargs):
        if any(c in mode for c in "wax+"):
            raise _read_only(file)
        return builtins.open(file, mode, *args, **kwargs)

    def refused(self, *args, **kwargs):
        raise _read_only(self)

    def made(self, mode=0o777, parents=False, exist_ok=False):
        if not (exist_ok and self.is_dir()):  # as pathlib: an existing folder is fine
            raise _read_only(self)

    monkeypatch.setattr(atomic, "open", opened, raising=False)
    monkeypatch.setattr(Path, "unlink", refused)
    monkeypatch.setattr(Path, "mkdir", made)


def test_b2_a_write_refused_by_a_read_only_mount_names_the_folder(tmp_path, read_only_mount):
    """B2: the clean-up unlinked the temporary file that was never created, which raised EROFS
    again and hid the first error: two chained tracebacks, exit 1."""
    from zzeval.atomic import atomic_write_bytes
    from zzeval.errors import ZzevalError

    target = tmp_path / "x.html"
    with pytest.raises(ZzevalError) as info:
        atomic_write_bytes(target, b"<html></html>", through=True)
    assert str(info.value).startswith(f"cannot create files in the folder {tmp_path}: it is on a read-only file system;")
    assert info.value.__cause__.errno == errno.EROFS and ".x.html." in info.value.__cause__.filename
    assert info.value.__cause__.__context__ is None  # no second error from the clean-up


def test_b2_export_out_on_a_read_only_mount_exits_2_with_the_message(tmp_path, read_only_mount, capsys):
    from tests.test_cli_outputs import executed_notebook
    from zzeval.cli import main

    notebook = executed_notebook(tmp_path)
    ro = tmp_path  # the notebook is read, the page cannot be written beside it
    assert main(["export", str(notebook), "--out", str(ro / "x.html")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"zzeval export: error: cannot create files in the folder {ro}: it is on a read-only file system; "
                          "choose another output folder")
    assert "Traceback" not in err


@pytest.mark.parametrize("writer", ["file in a new folder", "whole folder", "build lock"])
def test_b2_every_atomic_writer_names_a_read_only_folder(tmp_path, read_only_mount, writer):
    from zzeval import atomic
    from zzeval.errors import ZzevalError

    with pytest.raises(ZzevalError, match="cannot create files in the folder .*: it is on a read-only file system"):
        if writer == "file in a new folder":
            atomic.atomic_write_bytes(tmp_path / "new" / "x.csv", b"x")
        elif writer == "whole folder":
            with atomic.folder_written_whole(tmp_path / "sample"):
                pass
        else:
            atomic.BuildLock(tmp_path / "out").acquire()


def test_b3_kernel_install_on_a_read_only_prefix_says_what_to_do(tmp_path, monkeypatch, capsys):
    """B3: jupyter_client's copy into ``--prefix`` on a read-only mount ended in a raw traceback."""
    import ipykernel.kernelspec

    from zzeval.cli import main

    def install(**kwargs):
        raise _read_only(Path(kwargs["prefix"]) / "share")

    monkeypatch.setattr(ipykernel.kernelspec, "install", install)
    assert main(["kernel", "install", "--prefix", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"cannot register the kernel 'zzeval': {tmp_path / 'share'}: Read-only file system;" in err
    assert "--prefix DIR (a writable folder), --user or --sys-prefix" in err


def _worker(shutdown: str) -> subprocess.Popen:
    """A build worker (``zzeval.build.worker``, no parent to die with) with Ctrl-C's default handler
    (a shell's background job ignores SIGINT) and ``shutdown`` as its kernel's shutdown."""
    script = textwrap.dedent(f"""
        import os, signal, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        signal.signal(signal.SIGINT, signal.default_int_handler)
        import zzeval.build.kernels as kernels
        done = []
        def shutdown():  # as the real one: once (it runs again at exit)
            if not done:
                done.append(1)
                {shutdown}
        kernels.shutdown_thread_session = shutdown
        from zzeval.build.worker import main
        sys.exit(main([]))
        """)
    return subprocess.Popen([sys.executable, "-X", "utf8", "-c", script], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_b5_ctrl_c_while_the_worker_shuts_its_kernel_down_leaves_no_traceback():
    """B5: Ctrl-C reached the worker while it shut its kernel down (its stdin closed by the
    interrupted build): a KeyboardInterrupt traceback in .cache/worker-N.log."""
    proc = _worker("os.kill(os.getpid(), signal.SIGINT); time.sleep(0.3); print('shut down', file=sys.stderr)")
    _, err = proc.communicate(b"", timeout=60)
    assert b"Traceback" not in err, err.decode()
    assert (proc.returncode, err.strip()) == (0, b"shut down")


def test_b5_ctrl_c_while_the_worker_waits_ends_it_quietly():
    proc = _worker("print('shut down', file=sys.stderr)")
    assert b"beat" in proc.stdout.readline()  # in its loop, waiting for a task
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert b"Traceback" not in err, err.decode()
    assert (proc.returncode, err.strip()) == (130, b"shut down")


@pytest.mark.parametrize("text", ['{"cells": [', '<<<<<<< HEAD\n{"cells": []}\n=======\n', '["not", "a notebook"]',
                                  '{"cells": ["text"]}'])
def test_a_broken_notebook_is_refused_with_its_name(tmp_path, text):
    """A notebook cut short by a save, holding git conflict markers or no notebook JSON: a BuildError
    (exit 2) naming the file, before anything is written (re-review B, N2: a JSONDecodeError traceback)."""
    from tests.build.helpers import build_kwargs, tiny_season
    from zzeval.build.builder import build_reports
    from zzeval.errors import BuildError

    data = tiny_season(tmp_path / "data")
    notebook = tmp_path / "township_report.ipynb"
    notebook.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(BuildError, match="is not a Jupyter notebook") as exc:
        build_reports(data, out_dir=out, **build_kwargs(notebook=str(notebook), dry_run=True))
    assert f"notebook {notebook}" in str(exc.value)
    assert not out.exists()
