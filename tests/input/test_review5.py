"""What the fifth hostile review of issue 13 found (notes: hostile5.md). Inputs are made by script from
the `zzeval sample` season, as in tests/input/cases.py; faults are made for real (a file-size limit,
``ulimit -f``, in a child process)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from zzeval.cli import main

# -- a full disk: the write fails with EFBIG under a file-size limit (as ENOSPC on a full disk)
_FULL_DISK = ("import resource, sys\n"
              "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))\n")


def _child(body: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", _FULL_DISK + textwrap.dedent(body)], capture_output=True, text=True,
                          timeout=300)


def test_a_full_disk_keeps_the_old_file_whole_and_says_so(tmp_path):
    old = tmp_path / "county.html"
    old.write_text("<p>the report built yesterday</p>", encoding="utf-8")
    res = _child(f"""
    from zzeval.atomic import atomic_write_bytes
    from zzeval.errors import NoSpaceError
    try:
        atomic_write_bytes({str(old)!r}, b"x" * 100_000)
    except NoSpaceError as exc:
        print(exc)
    """)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(f"cannot write {old}: File too large — the disk, a quota or the file-size "
                                 "limit is full. Files already there are unchanged"), res.stdout
    assert old.read_text(encoding="utf-8") == "<p>the report built yesterday</p>"
    assert [p.name for p in tmp_path.iterdir()] == ["county.html"]  # no temporary file left


def test_a_full_disk_is_a_message_and_exit_1_not_a_traceback(tmp_path):
    """Any command whose output does not fit (here `zzeval sample`, which writes with pandas) ends with
    the message and exit code 1 (a fault of the machine, not of the input: 2 would say 'fix your data')."""
    res = _child(f"""
    from zzeval.cli import main
    sys.exit(main(["sample", {str(tmp_path / "s")!r}, "--townships", "1"]))
    """)
    assert "Traceback" not in res.stderr, res.stderr[-2000:]
    assert res.returncode == 1, res.stderr
    assert "File too large — the disk, a quota or the file-size limit is full" in res.stderr
    assert "Wrote" not in res.stdout + res.stderr
