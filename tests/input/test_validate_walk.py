"""`zzeval validate` walked through every bad-input case of issue 13 (tests/input/cases.py):
exit 2, no traceback, and a message naming the file (row, column) and what to fix."""

from __future__ import annotations

import pytest

from tests.input.cases import CASES, make_case
from zzeval.cli import main


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_validate_refuses_with_a_message(case, sample_season, tmp_path, capsys):
    folder = make_case(sample_season, case, tmp_path / case.name)
    code = main(["validate", str(folder)])
    captured = capsys.readouterr()
    assert code == 2, captured.out
    assert "Traceback" not in captured.err
    for text in case.expect:
        assert text in captured.err, captured.err[:3000]
    for text in case.absent:
        assert text not in captured.err, captured.err[:3000]
    assert len(captured.err) < 20_000  # values are cut in messages (a 100,000-digit cell is not echoed)
