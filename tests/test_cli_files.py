"""Files given on the command line that are not what the command needs: a message naming the file
and what it needs, exit 2, never a traceback (hostile review 7, finding 4 and its small items)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.tiny_season import write_tiny_season
from zzeval.cli import main
from zzeval.emissions.factors import load_factors

HEADER = "group,item,pollutant,central,unit (optional: low,high,distribution,citation,note_zh,note_en)"


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    return write_tiny_season(tmp_path_factory.mktemp("season") / "season", days=2)


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n  \n"], ids=["0-byte", "BOM only", "blank lines"])
@pytest.mark.parametrize("command", ["estimate", "build"])
def test_an_empty_factor_file_names_the_header_it_needs(season, tmp_path, capsys, content, command):
    factors = tmp_path / "empty.csv"
    factors.write_bytes(content)
    out = tmp_path / "out"
    args = (["estimate", str(season), "--draws", "0"] if command == "estimate" else
            ["build", "--data", str(season), "--out", str(out), "--draws", "200"])
    assert main([*args, "--factors", str(factors)]) == 2
    err = capsys.readouterr().err
    assert f"zzeval {command}: error: {factors}: the factor file is empty; it needs the header row {HEADER}" in err
    assert "Traceback" not in err and not out.exists()


def test_a_factor_path_that_is_a_folder_or_missing(season, tmp_path, capsys):
    for path, said in ((tmp_path, "is a folder; give the factor file"), (tmp_path / "no.csv", "file not found")):
        for args in (["estimate", str(season), "--draws", "0"],
                     ["build", "--data", str(season), "--out", str(tmp_path / "out"), "--draws", "200"]):
            assert main([*args, "--factors", str(path)]) == 2
            assert f"{path}: {said}" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_semicolon_factor_file_is_named_as_such(season, tmp_path, capsys):
    factors = tmp_path / "semi.csv"
    factors.write_text("group;item;pollutant;central;unit\nhousehold_coal;raw_anthracite;PM2.5;2.5;g/kg\n",
                       encoding="utf-8")
    assert main(["estimate", str(season), "--draws", "0", "--factors", str(factors)]) == 2
    err = capsys.readouterr().err
    assert f"{factors}: row 1: the columns are separated by semicolons ';', not commas ','" in err
    assert f"(a factor file needs the header {HEADER})" in err


def test_a_gbk_factor_file_is_read_like_the_seasons_tables(tmp_path):
    """GBK, as office software on a Chinese PC saves 'CSV': read whole in that encoding, like the season's
    tables; a blank line does not shift the row numbers of the messages."""
    factors = tmp_path / "gbk.csv"
    factors.write_bytes("group,item,pollutant,central,unit,note_zh\n"
                        "household_coal,raw_anthracite,PM2.5,2.5,g/kg,本地炉具实测\n".encode("gbk"))
    row = load_factors(factors).row("household_coal/raw_anthracite/PM2.5")
    assert (row["central"], row["note_zh"], row["basis"]) == (2.5, "本地炉具实测", "override")
    factors.write_bytes("group,item,pollutant,central,unit,note_zh\n\n"
                        "household_coal,raw_anthracite,PM2.5,-2.5,g/kg,本地炉具实测\n".encode("gbk"))
    with pytest.raises(Exception, match=r"gbk\.csv, row 3, column 'central': negative value -2\.5"):
        load_factors(factors)


def test_a_factor_header_given_twice_is_refused(tmp_path):
    factors = tmp_path / "twice.csv"
    factors.write_text("group,item,pollutant,central,unit,central\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"column\(s\) \['central'\] given twice in the header"):
        load_factors(factors)


def test_estimate_refuses_an_out_it_cannot_write_as_named(season, tmp_path, capsys):
    xlsx = tmp_path / "x.xlsx"
    assert main(["estimate", str(season), "--draws", "0", "--out", str(xlsx)]) == 2
    err = capsys.readouterr().err
    assert (f"--out {xlsx}: zzeval estimate writes a .csv or .json file, or a folder of CSV tables (a name "
            "without an extension), not a .xlsx file") in err
    assert not xlsx.exists()
    assert main(["estimate", str(season), "--draws", "0", "--out", str(tmp_path / "y.csv"), "--format", "json"]) == 2
    assert "is a .csv file but --format is json" in capsys.readouterr().err
    # the ending says the format: x.json gets JSON (it was a folder named x.json of CSV files)
    assert main(["estimate", str(season), "--draws", "0", "--out", str(tmp_path / "x.json")]) == 0
    assert set(json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))) >= {"meta", "table"}
    assert main(["estimate", str(season), "--draws", "0", "--out", str(tmp_path / "run.2020")]) == 0
    assert len(pd.read_csv(tmp_path / "run.2020" / "emission_reductions.csv")) > 0  # a folder of tables


def test_export_of_a_folder_says_what_it_expects(tmp_path, capsys):
    (tmp_path / "bagong.ipynb").write_text("{}", encoding="utf-8")
    assert main(["export", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path} is a folder: give one executed notebook (.ipynb) in it (it holds bagong.ipynb)" in err
    assert "does not exist" not in err


@pytest.mark.parametrize("name", [".cache", "townships", "notebooks", ""], ids=["cache", "townships", "notebooks",
                                                                                "season"])
def test_an_output_folder_that_is_a_file_is_refused_before_the_build(season, tmp_path, capsys, name):
    """(finding 11) a sync tool's placeholder or a stray `touch` where the build keeps a folder."""
    season_dir = tmp_path / "out" / "2020-2021"
    placeholder = season_dir / name if name else season_dir
    placeholder.parent.mkdir(parents=True, exist_ok=True)
    placeholder.write_text("", encoding="utf-8")
    assert main(["build", "--data", str(season), "--out", str(tmp_path / "out"), "--draws", "200"]) == 2
    err = capsys.readouterr().err
    assert f"zzeval build: error: --out: {placeholder} is a file, not a folder; the build keeps its " in err
    assert "remove or rename the file" in err and "Traceback" not in err
    assert sorted(p.name for p in (tmp_path / "out").rglob("*")) == sorted({"2020-2021", name} - {""})


@pytest.mark.parametrize("blocked", ["folder_is_a_file", "copy_is_a_folder"])
def test_the_notebook_copies_blocked_are_refused_before_the_evaluation(season, tmp_path, capsys, blocked):
    """s10-reB N4 (c17): `.cache/notebooks` a file ran the whole evaluation and then stopped with a
    FileExistsError traceback; `.cache/notebooks/township.ipynb` a folder named a temporary file."""
    cache = tmp_path / "out" / "2020-2021" / ".cache"
    cache.mkdir(parents=True)
    if blocked == "folder_is_a_file":
        path = cache / "notebooks"
        path.write_text("x", encoding="utf-8")
    else:
        path = cache / "notebooks" / "township.ipynb"
        (path / "x").mkdir(parents=True)
    assert main(["build", "--data", str(season), "--out", str(tmp_path / "out"), "--draws", "200"]) == 2
    captured = capsys.readouterr()
    err = captured.err
    kind = "a file, not a folder" if blocked == "folder_is_a_file" else "a folder, where the build keeps its copy"
    assert f"zzeval build: error: --out: {path} is {kind}" in err and "Traceback" not in err and ".tmp" not in err
    assert "remove or rename" in err and "Evaluation" not in captured.out + err  # refused before the evaluation
    assert not list(cache.glob("evaluation-*"))  # nothing evaluated, nothing written


def test_a_file_or_folder_in_the_way_of_a_write_is_named(tmp_path):
    """The same faults arising during a build (after the check): the path in the way, not a temporary file."""
    from zzeval.atomic import atomic_write_bytes
    from zzeval.errors import BuildError

    (tmp_path / "notebooks").write_text("x", encoding="utf-8")
    with pytest.raises(BuildError, match=f"{tmp_path / 'notebooks'} is a file, not a folder; remove or rename it"):
        atomic_write_bytes(tmp_path / "notebooks" / "township.ipynb", b"{}")
    (tmp_path / "copy.ipynb" / "x").mkdir(parents=True)
    with pytest.raises(BuildError, match=f"cannot write {tmp_path / 'copy.ipynb'}: it is a folder"):
        atomic_write_bytes(tmp_path / "copy.ipynb", b"{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.ipynb", "notebooks"]  # no temporary file left


def _unblock_later(fifo, seconds: float = 10) -> None:
    """Open ``fifo`` for writing after ``seconds`` (and close it): a reader blocked on it then reads an
    empty file, so a test of code that reads the FIFO fails instead of hanging."""
    import os
    import threading
    import time

    def unblock():
        time.sleep(seconds)
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:  # nobody reads it: the FIFO was refused, as it should be
            pass

    threading.Thread(target=unblock, daemon=True).start()


@pytest.mark.parametrize("name", ["townships.csv", "dustfall.csv", "season.yaml", "verdict_rules.yaml"])
def test_a_fifo_in_the_season_folder_is_refused_naming_it(season, tmp_path, capsys, name):
    """(hostile review 9B, F8) a FIFO named like a table made `validate` wait forever."""
    import os
    import shutil

    data = tmp_path / "season"
    shutil.copytree(season, data)
    (data / name).unlink(missing_ok=True)
    os.mkfifo(data / name)
    _unblock_later(data / name)
    assert main(["validate", str(data)]) == 2
    err = capsys.readouterr().err
    assert f"{name}: is a FIFO (named pipe), not a file with the table's data" in err and "Traceback" not in err


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_table_linked_to_a_device_is_refused_naming_it(season, tmp_path, capsys, device):
    """dustfall.csv -> /dev/zero filled the memory (a MemoryError traceback under a memory limit)."""
    import shutil

    data = tmp_path / "season"
    shutil.copytree(season, data)
    (data / "dustfall.csv").unlink()
    (data / "dustfall.csv").symlink_to(device)
    for argv in (["validate", str(data)], ["aqi", str(data / "dustfall.csv")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert f"dustfall.csv: is a link to '{device}', a character device, not a file" in err
        assert "Traceback" not in err
