"""`zzeval sample` into an earlier sample folder (final review 5's leftovers): a user's own files in it
are not deleted with the folder it replaces, and a temporary folder a killed `zzeval sample` left
beside DIR is removed by the next one (only when the process named in it no longer runs)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from zzeval.cli import main


def test_sample_refuses_an_earlier_sample_holding_a_users_files(sample_season, tmp_path, capsys):
    folder = tmp_path / "s"
    shutil.copytree(sample_season, folder)
    (folder / "notes.txt").write_text("my notes", encoding="utf-8")
    (folder / "extra").mkdir()
    assert main(["sample", str(folder), "--townships", "2"]) == 2
    err = capsys.readouterr().err
    assert "holds files `zzeval sample` does not write: extra/, notes.txt;" in err
    assert "move them out, or give another folder" in err
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "my notes"
    assert (folder / "townships.csv").is_file()


def test_sample_writes_an_earlier_sample_again(sample_season, tmp_path, capsys):
    folder = tmp_path / "s"
    shutil.copytree(sample_season, folder)
    assert main(["sample", str(folder), "--townships", "2"]) == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in sample_season.iterdir())


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_sample_removes_the_temporary_folder_of_a_dead_process(tmp_path, capsys):
    folder = tmp_path / "s"
    dead = tmp_path / f".s.{_dead_pid()}-0123abcd.tmp"  # as zzeval.atomic.temp_path_for names it
    (dead / "sub").mkdir(parents=True)
    (dead / "sub" / "air_quality.csv.gz").write_bytes(b"half")
    alive = tmp_path / f".s.{os.getppid()}-89abcdef.tmp"  # a running process's: left alone
    alive.mkdir()
    other = tmp_path / ".t.1-0123abcd.tmp"  # beside another folder: not ours
    other.mkdir()
    assert main(["sample", str(folder), "--townships", "1"]) == 0
    assert not dead.exists()
    assert alive.is_dir() and other.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive.name, other.name, "s"])
