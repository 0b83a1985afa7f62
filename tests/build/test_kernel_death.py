"""A kernel killed during its warm-up (issue 13 re-review): the build used to wait the whole start
timeout (+120 s for the warm-up) for a reply that could never come, and the log did not say a kernel
had died. Now the dead process is noticed, logged, and a new kernel is started."""

from __future__ import annotations

import logging

from nbformat.v4 import new_code_cell, new_notebook

from zzeval.build.kernels import resolve_kernel, session_for_thread, shutdown_thread_session

#: A warm-up import that kills its kernel (SIGKILL, as the OOM killer or a `kill -9` would) the first
#: time it is imported, and does nothing once the marker file exists.
_DIES_ONCE = """
import os, signal
if not os.path.exists("died-once"):
    open("died-once", "w").close()
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_kernel_killed_during_its_warm_up_is_replaced_and_logged(tmp_path, caplog):
    (tmp_path / "zz_dies_once.py").write_text(_DIES_ONCE, encoding="utf-8")
    loop, kernel = session_for_thread(resolve_kernel("current"), tmp_path, warm_imports=("zz_dies_once",),
                                      start_timeout=60)
    try:
        with caplog.at_level(logging.INFO, logger="zzeval.build.kernels"):
            nb = new_notebook(cells=[new_code_cell("print(6 * 7)")])
            nb, error, timings = loop.run_until_complete(kernel.run(nb, 60))
        assert (tmp_path / "died-once").exists()  # the first kernel did die
        assert error is None and nb.cells[0].outputs[0]["text"].strip() == "42"
        died = [r.getMessage() for r in caplog.records if "died while starting" in r.getMessage()]
        assert len(died) == 1 and died[0].endswith(", restarting"), [r.getMessage() for r in caplog.records]
        assert not any("failed to start" in r.getMessage() for r in caplog.records)
        assert kernel.starts == 1
    finally:
        shutdown_thread_session()


def test_a_notebook_folder_deleted_during_the_build_is_said_so(tmp_path):
    """s10-reB N3: the notebook's folder removed during a build (a branch switch, notebooks/ moved) failed the
    reports within 0.2 s with "the kernel … did not start within 60 s after 2 attempts: FileNotFoundError"."""
    import asyncio
    import time

    import pytest

    from zzeval.build.kernels import KernelStartError, NotebookFolderGone, WarmKernel
    from zzeval.build.tasks import failure

    folder = tmp_path / "nb"
    folder.mkdir()
    kernel = WarmKernel(resolve_kernel("current"), folder, start_timeout=60, start_retries=1)
    folder.rmdir()
    t0 = time.monotonic()
    with pytest.raises(KernelStartError) as raised:
        asyncio.run(kernel.start())
    assert isinstance(raised.value, NotebookFolderGone) and time.monotonic() - t0 < 5 and kernel.starts == 0
    text = str(raised.value)
    assert f"the folder the notebook runs in is gone: {folder}" in text and "put it back" in text
    assert "60 s" not in text and "attempts" not in text
    assert failure(type(raised.value).__name__, text)["ename"] == "NotebookFolderGone"
