"""The cases `zzeval validate` passed after the third hostile review (tests/input/cases_leftovers.py)
are refused with a message naming file, row, column and what to fix; `zzeval sample` refuses a size
beyond zzeval/reference/input_limits.csv at once."""

from __future__ import annotations

import pytest

from tests.input.cases import make_case, validate_refuses
from tests.input.cases_leftovers import LEFTOVER_CASES
from zzeval.cli import main


@pytest.mark.parametrize("case", LEFTOVER_CASES, ids=[c.name for c in LEFTOVER_CASES])
def test_validate_refuses_the_leftovers(case, sample_season, tmp_path, capsys):
    validate_refuses(sample_season, case, tmp_path / case.name, capsys)


def test_the_sample_itself_passes_the_new_checks(sample_season, capsys):
    assert main(["validate", str(sample_season)]) == 0


def test_sample_with_too_many_townships_is_refused_at_once(tmp_path, capsys):
    code = main(["sample", str(tmp_path / "s"), "--townships", "100000000"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--townships must be at most 5,000 (zzeval/reference/input_limits.csv), got 100,000,000" in err
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize(("scheduler", "expect"), [
    ("tcp://127.0.0.1:1", "cannot reach the Dask scheduler at tcp://127.0.0.1:1:"),
    ("tcp://127.0.0.1:port", "--scheduler 'tcp://127.0.0.1:port' is not an address such as tcp://host:8786"),
])
def test_build_with_an_unreachable_scheduler_writes_nothing(scheduler, expect, sample_season, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["build", "--data", str(sample_season), "--out", str(out), "--executor", "dask",
                 "--scheduler", scheduler])
    err = capsys.readouterr().err
    assert code == 2
    assert expect in err
    assert "Traceback" not in err
    assert not out.exists()  # no .build.lock, .cache or build-log.jsonl


@pytest.mark.parametrize("name", ["rh_as_fraction", "wind_in_kmh"])
def test_parquet_meteorology_is_checked_too(name, sample_season, tmp_path, capsys):
    from zzeval.season.columnar import convert_to_parquet

    case = next(c for c in LEFTOVER_CASES if c.name == name)
    folder = make_case(sample_season, case, tmp_path / name)
    convert_to_parquet(folder)
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    for text in case.expect:
        assert text.replace("meteorology.csv.gz", "meteorology.parquet") in err, err[:3000]
