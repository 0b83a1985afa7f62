"""Findings 2, 3, 5 and 7 of the fifth re-review of issue 13."""

from __future__ import annotations

import errno
import os
import shutil
import threading
import time
import zipfile
from pathlib import Path

import pytest

from tests.input.cases import read, write
from zzeval.cli import main


def _run(argv, capsys) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _disk_full_at_air_quality(monkeypatch):
    """The disk fills while air_quality.csv.gz is written (after the small tables and meteorology)."""
    from zzeval.synthetic import sample

    def full(path, *args, **kwargs):
        Path(path).write_bytes(b"\x1f\x8b half")  # a half-written file, as a full disk leaves it
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(sample, "_write_air_quality", full)


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


# -- 2. `zzeval sample` on a full disk left a half-written meteorology.csv.gz and a mix of old and new tables
def test_sample_on_a_full_disk_writes_nothing(tmp_path, capsys, monkeypatch):
    _disk_full_at_air_quality(monkeypatch)
    out = tmp_path / "new"
    code, err = _run(["sample", out, "--townships", "1"], capsys)
    assert code == 1
    assert "sample not written; free space and run zzeval sample again" in err, err
    assert "none half-written); free space and run again" not in err
    assert not out.exists()
    assert _leftovers(tmp_path) == []  # no temporary folder left


def test_sample_on_a_full_disk_into_an_empty_folder_leaves_it_empty(tmp_path, capsys, monkeypatch):
    _disk_full_at_air_quality(monkeypatch)
    out = tmp_path / "empty"
    out.mkdir()
    code, _ = _run(["sample", out, "--townships", "1"], capsys)
    assert code == 1 and out.is_dir() and list(out.iterdir()) == []
    assert _leftovers(tmp_path) == []


def test_sample_on_a_full_disk_keeps_the_earlier_sample_whole(season, capsys, monkeypatch):
    before = _snapshot(season)
    _disk_full_at_air_quality(monkeypatch)
    code, err = _run(["sample", season, "--townships", "1"], capsys)
    assert code == 1 and "sample not written" in err
    assert _snapshot(season) == before  # the 2-township sample, byte for byte: no 1-township table in it
    assert _leftovers(season.parent) == []


def test_sample_replaces_an_earlier_sample_as_a_whole(season, capsys):
    # a file the sample does not write is refused, not deleted (tests/input/test_sample_folder.py)
    code, _ = _run(["sample", season, "--townships", "1"], capsys)
    assert code == 0
    assert len(read(season, "townships.csv")) == 1
    assert (season / "season.yaml").is_file()
    assert _leftovers(season.parent) == []


# -- 3. Ctrl-C in the evaluation printed "Exception in thread … InvalidStateError: CANCELLED"
def _wait_then_die(args) -> int:
    """Item 0 returns at once; the others wait for ``flag`` to exist, then end their worker as
    Ctrl-C does (:func:`zzeval.assess.runners.exit_quietly_on_interrupt`)."""
    item, flag = args
    if item == 0:
        return 0
    for _ in range(6000):  # at most 60 s, so that a broken test cannot hang
        if os.path.exists(flag):
            break
        time.sleep(0.01)
    os._exit(130)


def test_an_interrupted_evaluation_prints_no_thread_traceback(tmp_path):
    from zzeval.assess.runners import ProcessRunner

    caught = []
    previous = threading.excepthook
    threading.excepthook = lambda hook_args: caught.append(hook_args.exc_value)
    flag = tmp_path / "die"
    runner = ProcessRunner(jobs=2).start()
    try:
        results = runner.imap(_wait_then_die, [(i, str(flag)) for i in range(12)])
        assert next(results) == 0
        results.close()  # what a KeyboardInterrupt in the loop over the results does
        flag.write_text("now", encoding="utf-8")  # the workers end, as on Ctrl-C
    finally:
        runner.close()  # joins the pool's manager thread: whatever it raised is in `caught`
        threading.excepthook = previous
    assert caught == []


# -- 5. a control character in a station code: 11 air_quality lines (the raw NUL printed) came before the cause
def test_a_station_code_with_a_nul_byte_is_reported_once_and_first(season, capsys):
    stations = read(season, "stations.csv")
    code = stations.loc[0, "station_code"]
    stations.loc[0, "station_code"] = code + "\x00"
    write(stations, season, "stations.csv")
    rc, err = _run(["validate", season], capsys)
    assert rc == 2
    problems = [line for line in err.splitlines() if line.startswith("  - ")]
    assert problems == [f"  - stations.csv, row 2, column 'station_code': '{code}\\u0000' holds the invisible "
                        "character U+0000 (a NUL byte) at position 6: the id would not match the same id typed "
                        "elsewhere; delete the character"], err
    assert "\x00" not in err and "air_quality" not in err


def test_an_unknown_station_near_a_code_with_a_control_character_is_escaped(season, capsys):
    stations = read(season, "stations.csv")
    stations.loc[0, "station_code"] = "ZZ100\x07X"  # not ZZ100 without its control character
    write(stations, season, "stations.csv")
    rc, err = _run(["validate", season], capsys)
    assert rc == 2 and "\x07" not in err
    assert "station 'ZZ100' is not in stations; did you mean 'ZZ100\\u0007X'?" in err, err


# -- 7. copies of a table beside it were ignored without a word; a zipped season gave 10 "table is missing"
def test_copies_of_a_table_are_named_in_a_notice(season, capsys):
    for copy in ("townships (1).csv", "targets - 副本.csv", "townships_2021修订.csv"):
        shutil.copy(season / ("targets.csv" if copy.startswith("targets") else "townships.csv"), season / copy)
    rc = main(["validate", str(season)])
    out = capsys.readouterr().out
    assert rc == 0, out
    notices = [line for line in out.splitlines() if line.startswith("Notice: ") and "copy of table" in line]
    assert notices == [
        "Notice: targets - 副本.csv looks like a copy of table targets but is not read (zzeval reads targets.csv): "
        "if it is the table you edited, put it in place of targets.csv; otherwise move it out of the season folder",
        "Notice: townships (1).csv looks like a copy of table townships but is not read (zzeval reads "
        "townships.csv): if it is the table you edited, put it in place of townships.csv; otherwise move it out "
        "of the season folder",
        "Notice: townships_2021修订.csv looks like a copy of table townships but is not read (zzeval reads "
        "townships.csv): if it is the table you edited, put it in place of townships.csv; otherwise move it out "
        "of the season folder"]


def test_a_folder_holding_only_a_zipped_season_says_unzip_it(sample_season, tmp_path, capsys):
    folder = tmp_path / "mail"
    folder.mkdir()
    with zipfile.ZipFile(folder / "泽州县数据.zip", "w") as z:
        z.write(sample_season / "townships.csv", "townships.csv")
    rc, err = _run(["validate", folder], capsys)
    assert rc == 2
    problems = [line for line in err.splitlines() if line.startswith("  - ")]
    assert problems == [f"  - {folder}: holds no season table but 泽州县数据.zip: unzip it and pass the folder "
                        "it unpacks to"], err


def _exit_with(args) -> int:
    item, status = args
    if item == 0:
        return 0
    os._exit(status)


@pytest.mark.parametrize("status, raised", [(130, KeyboardInterrupt), (3, "BrokenProcessPool")])
def test_workers_ended_by_ctrl_c_read_as_an_interruption(status, raised):
    """The pool's thread may notice the dead workers before this process's own SIGINT is handled: a
    BrokenProcessPool traceback ("terminated abruptly") was printed instead of "interrupted". A worker
    that crashed otherwise still breaks the pool as before."""
    from concurrent.futures.process import BrokenProcessPool

    from zzeval.assess.runners import ProcessRunner

    expected = KeyboardInterrupt if raised is KeyboardInterrupt else BrokenProcessPool
    with pytest.raises(expected):
        ProcessRunner(jobs=2).map(_exit_with, [(0, status), (1, status), (2, status)])


def test_a_submit_after_the_workers_ended_on_ctrl_c_is_an_interruption():
    """The emissions task is submitted while the season is split: a Ctrl-C then broke the pool and the
    next submit raised BrokenProcessPool ("not usable anymore"), printed as a traceback, exit 1."""
    from zzeval.assess.runners import ProcessRunner

    runner = ProcessRunner(jobs=2).start()
    try:
        with pytest.raises(KeyboardInterrupt):
            runner.map(_exit_with, [(0, 130), (1, 130), (2, 130)])
        with pytest.raises(KeyboardInterrupt):
            runner.submit(abs, -1).result()
    finally:
        runner.close()


def test_a_full_disk_without_a_file_name_names_tmpdir(tmp_path, monkeypatch):
    """Hostile review 8B, B12: a full $TMPDIR (pyarrow's error names no file) was told as "cannot write the
    output", sending the operator to the reports' disk; the message names the temporary folder too."""
    import errno
    import tempfile

    from zzeval.atomic import no_space_message

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "small-tmp"))
    message = no_space_message(None, OSError(errno.ENOSPC, "No space left on device"))
    assert message.startswith(f"cannot write the output (a file of the output folder, or a temporary file in "
                              f"$TMPDIR = {tmp_path / 'small-tmp'}: if that is the full one, free space there or "
                              "point TMPDIR at a larger disk): No space left on device")
    assert message.endswith("free space and run again.")
