"""Shared helpers of the report tests: a hostile township name, Agg rendering, Chromium (found, never installed)."""

from __future__ import annotations

import io
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
    """Headless Chromium found on PATH; without it the test is skipped (a test suite installs
    nothing: CI's .ci/run installs chromium, or run `apt-get install -y chromium`)."""
    from zzeval.report.htmlcheck import find_chromium

    binary = find_chromium()
    if not binary:
        pytest.skip("chromium is not installed: the offline-rendering check needs it "
                    "(apt-get install -y chromium; .ci/run installs it in CI)")
    return binary
