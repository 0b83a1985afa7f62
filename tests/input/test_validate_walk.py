"""`zzeval validate` walked through every bad-input case of issue 13 (tests/input/cases.py):
exit 2, no traceback, and a message naming the file (row, column) and what to fix."""

from __future__ import annotations

import pytest

from tests.input.cases import CASES, validate_refuses


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_validate_refuses_with_a_message(case, sample_season, tmp_path, capsys):
    err = validate_refuses(sample_season, case, tmp_path / case.name, capsys)
    assert len(err) < 20_000  # values are cut in messages (a 100,000-digit cell is not echoed)
