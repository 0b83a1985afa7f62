"""Shared helpers of the report tests: a hostile township name, Agg rendering, Chromium."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import warnings

import pytest

#: A township name crafted to inject markup; every component must show it as text.
EVIL = "<script>alert(1)</script>"


def render_png(fig) -> tuple[bytes, list[str]]:
    """Render ``fig`` to PNG; return the bytes and any glyph-missing warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=40)
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    return buf.getvalue(), missing


@pytest.fixture(scope="session")
def cjk_font() -> str:
    from zzeval.report.fonts import setup_fonts

    return setup_fonts()


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium: found on PATH, else installed with apt-get when root, else the test is skipped."""
    from zzeval.report.htmlcheck import find_chromium

    binary = find_chromium()
    if binary:
        return binary
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("chromium is not installed and cannot be installed here "
                    "(needs root and apt-get): run `apt-get install -y chromium`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900,
                               check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            pytest.skip(f"`{' '.join(cmd)}` timed out: cannot install chromium")
        if r.returncode != 0:
            pytest.skip(f"`{' '.join(cmd)}` failed, cannot install chromium: {r.stderr[-500:]}")
    binary = find_chromium()
    if not binary:
        pytest.skip("apt-get installed chromium but no chromium binary is on PATH")
    return binary
