"""Where a command's output goes when it is not an ordinary file: an --out that is a device, a FIFO
or a socket, and a stdout that is closed or full (hostile review 9B, F1 and F12); the language of
an exported page (F11)."""

from __future__ import annotations

import errno
import io
import os
import shutil
import socket
import stat
import sys
import tempfile
import threading
from pathlib import Path

import nbformat
import pytest

from tests.tiny_season import write_tiny_season
from zzeval.cli import main


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    return write_tiny_season(tmp_path_factory.mktemp("season") / "season", days=2)


def executed_notebook(folder: Path, lang: str = "zh") -> Path:
    """A tiny executed notebook as papermill leaves it (its ``lang`` parameter recorded)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"parameters": {"township": "bagong", "lang": lang}}
    cell = nbformat.v4.new_code_cell("print(1)", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    heading = "# 巴公镇 季末评估报告" if lang == "zh" else "# Bagong end-of-season report"
    nb.cells = [nbformat.v4.new_markdown_cell(heading), cell]
    path = folder / "bagong.ipynb"
    nbformat.write(nb, path)
    return path


def command(name: str, season: Path, tmp: Path, out: Path) -> list[str]:
    return {"factors": ["factors"],
            "aqi": ["aqi", str(season / "air_quality.csv"), "--period", "daily"],
            "estimate": ["estimate", str(season), "--draws", "0"],
            "export": ["export", str(executed_notebook(tmp))]}[name] + ["--out", str(out)]


COMMANDS = ["factors", "aqi", "estimate", "export"]


@pytest.mark.parametrize("name", COMMANDS)
def test_an_out_linked_to_a_character_device_is_written_through(season, tmp_path, capsys, name):
    """``--out /dev/null`` (here a link to it, so that a command that replaces its output replaces the
    link, not the device): every command writes through it; export replaced it with an HTML file."""
    link = tmp_path / "discard"
    link.symlink_to(os.devnull)
    assert main(command(name, season, tmp_path, link)) == 0, capsys.readouterr().err
    assert link.is_symlink() and os.readlink(link) == os.devnull
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("name", COMMANDS)
def test_an_out_that_is_a_fifo_gets_the_output_through_it(season, tmp_path, name):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert main(command(name, season, tmp_path, fifo)) == 0
    reader.join(10)
    assert not reader.is_alive() and got and len(got[0]) > 20
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still the FIFO, not a regular file put in its place


@pytest.mark.parametrize("name", COMMANDS)
def test_an_out_that_is_a_socket_is_refused(season, capsys, name):
    short = Path(tempfile.mkdtemp(prefix="zzs", dir="/tmp"))  # a socket's path is at most ~100 bytes
    try:
        sock_path = short / "sock"
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(sock_path))
            assert main(command(name, season, short, sock_path)) == 2
        err = capsys.readouterr().err
        assert f"--out {sock_path} is a socket, not a regular file" in err and "Traceback" not in err
        assert stat.S_ISSOCK(os.lstat(sock_path).st_mode)
    finally:
        shutil.rmtree(short)


@pytest.mark.parametrize("argv", [["sample", "--townships", "1"], ["build", "--data", "data/sample", "--out"]],
                         ids=["sample", "build"])
def test_a_folder_output_that_is_a_fifo_is_refused_naming_it(tmp_path, capsys, argv):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert main([*argv, str(fifo)]) == 2
    assert f"{fifo} is a FIFO (named pipe), not a folder" in capsys.readouterr().err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_export_refuses_a_language_other_than_the_notebooks(tmp_path, capsys):
    """``--lang en`` on a Chinese report wrote <html lang="en"> over Chinese text (F11)."""
    notebook = executed_notebook(tmp_path, lang="zh")
    out = tmp_path / "page.html"
    assert main(["export", str(notebook), "--lang", "en", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"zzeval export: error: {notebook} was run with lang=zh: its text is Chinese" in err
    assert "leave out --lang" in err and "papermill -p lang en" in err and not out.exists()
    for lang in ("zh", None):  # its own language, given or not
        assert main(["export", str(notebook), "--out", str(out), *(["--lang", lang] if lang else [])]) == 0
        assert '<html lang="zh-CN">' in out.read_text(encoding="utf-8")
    english = executed_notebook(tmp_path, lang="en")
    assert main(["export", str(english), "--out", str(out)]) == 0
    assert '<html lang="en">' in out.read_text(encoding="utf-8")


class _FullDevice(io.RawIOBase):
    """A stdout on a full disk (as ``>/dev/full``)."""

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("stdout", ["closed", "full"])
@pytest.mark.parametrize("argv", [["validate", "SEASON"], ["notebooks"], ["factors"], ["--version"]],
                         ids=["validate", "notebooks", "factors", "version"])
def test_a_result_stdout_cannot_take_is_said_with_exit_1(season, monkeypatch, capsys, stdout, argv):
    """`validate >&-`, `notebooks >&-` and `--version >/dev/full` exited 0 with their result lost (F12)."""
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdout", None if stdout == "closed" else io.TextIOWrapper(_FullDevice()))
    argv = [str(season) if a == "SEASON" else a for a in argv]
    if argv == ["--version"]:
        with pytest.raises(SystemExit) as done:
            main(argv)
        code = done.value.code
    else:
        code = main(argv)
    assert code == 1
    err = capsys.readouterr().err
    why = "stdout is closed" if stdout == "closed" else "No space left on device"
    who = f"zzeval {argv[0]}" if argv[0] != "--version" else "zzeval"
    assert f"{who}: error: the result could not be written to stdout ({why}): it is lost" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_command_without_a_result_on_stdout_does_not_mind_it_closed(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdout", None)
    assert main(["factors", "--out", str(tmp_path / "f.csv")]) == 0
    assert "Wrote" in capsys.readouterr().err and sys.stdout is None


def test_a_builds_own_file_replaces_a_fifo_instead_of_blocking_on_it(tmp_path):
    """A build's own files (atomic_write_bytes without ``through``) replace a FIFO left in its folder:
    writing through would wait forever for a reader (a --out file of a command is written through)."""
    import os
    import stat

    from zzeval.atomic import atomic_write_bytes

    fifo = tmp_path / "index.html"
    os.mkfifo(fifo)
    atomic_write_bytes(fifo, b"<html></html>")  # returns: no reader is waited for
    assert stat.S_ISREG(os.stat(fifo).st_mode) and fifo.read_bytes() == b"<html></html>"


def test_a_file_error_without_a_file_name_is_said_whole(monkeypatch, capsys):
    """pyarrow raises FileNotFoundError with only a message (re-review B, R2: the build said
    'error: None: None'): the message is printed whole, exit 2."""
    from zzeval import cli

    def fail(*a, **k):
        raise FileNotFoundError("Failed to open local file '/tmp/x/\u6cfd.parquet'")

    monkeypatch.setattr(cli, "_cmd_factors", fail)  # the parser binds the command when main() builds it
    rc = cli.main(["factors"])
    err = capsys.readouterr().err
    assert rc == 2 and "None: None" not in err and "Failed to open local file" in err, err


def test_build_refuses_a_name_the_locale_cannot_decode_showing_it_as_its_bytes(tmp_path, capsys):
    """Under LC_ALL=C without UTF-8 mode a Chinese folder name arrives with surrogate escapes: the build
    writes its data folder into the index page, so it is refused (re-review B, R1: a traceback). The
    message names the option and shows the name as its bytes, not as \\udce5 or \\u5b63 escapes."""
    from zzeval.cli import main

    data = str(tmp_path) + "/" + "季节".encode().decode("ascii", errors="surrogateescape")
    rc = main(["build", "--data", data, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 2 and f"--data {tmp_path}/季节: a name this locale (" in err, err
    assert "cannot decode" in err and "index page" in err and "\\u" not in err
    assert "PYTHONUTF8=1" in err and not (tmp_path / "out").exists()


def test_a_link_to_a_folder_the_locale_cannot_decode_is_refused_too(tmp_path, capfd):
    """The check reads the folder a path leads to: an ASCII link to the undecodable folder (or "." inside
    it) built every report, then failed writing the index with a traceback (spot review S4)."""
    import os

    from zzeval.cli import main

    real = os.path.join(os.fsencode(tmp_path), "季节".encode("gbk"))  # bytes this (UTF-8) locale cannot decode
    os.mkdir(real)
    (tmp_path / "link").symlink_to(os.fsdecode(real), target_is_directory=True)
    rc = main(["build", "--data", str(tmp_path / "link"), "--out", str(tmp_path / "out")])
    err = capfd.readouterr().err
    assert rc == 2 and f"--data {tmp_path / 'link'} (it leads to {tmp_path}/" in err, err
    assert "cannot decode" in err and not (tmp_path / "out").exists()


def test_validate_and_aqi_work_with_a_name_the_locale_cannot_decode(season, tmp_path, capsys):
    """validate and aqi read and write such names as they are (they worked before a refusal meant for
    the build was applied to every command: spot review S4); the name is shown as its bytes."""

    def as_c_locale_reads(name: str) -> str:  # a Chinese (UTF-8) name under LC_ALL=C without UTF-8 mode
        return str(tmp_path) + "/" + name.encode().decode("ascii", errors="surrogateescape")

    shutil.copytree(season, tmp_path / "季节")
    assert main(["validate", as_c_locale_reads("季节")]) == 0
    assert main(["aqi", str(season / "air_quality.csv"), "--period", "daily", "--out", as_c_locale_reads("输出.csv")]) == 0
    out, err = capsys.readouterr()
    assert f"OK: {tmp_path}/季节 is a valid season" in out, out
    assert (tmp_path / "输出.csv").stat().st_size > 0
    assert f"to {tmp_path}/输出.csv" in err and "\\udc" not in err, err


def test_validate_works_with_a_gbk_named_folder_under_a_utf8_locale(season, tmp_path, capfd):
    """The same for a folder named in GBK bytes under a UTF-8 locale: its name on stdout was a traceback
    (stdout encodes strictly) once validate was no longer refused."""
    import os

    folder = os.fsdecode(os.path.join(os.fsencode(tmp_path), "季节".encode("gbk")))
    shutil.copytree(season, folder)
    assert main(["validate", folder]) == 0
    assert "is a valid season" in capfd.readouterr().out


def test_a_factor_file_the_locale_cannot_decode_is_applied(tmp_path, capsys):
    """factors --override (and estimate/build --factors) with such a name: the name went into the factor
    table's text column, which pyarrow could not encode (a traceback); it is now shown decoded."""
    from zzeval.resources import reference_path

    shutil.copy(reference_path("emission_factors.csv"), tmp_path / "因子.csv")
    override = str(tmp_path) + "/" + "因子.csv".encode().decode("ascii", errors="surrogateescape")
    assert main(["factors", "--override", override, "--out", str(tmp_path / "table.csv")]) == 0
    assert f"{tmp_path}/因子.csv" in (tmp_path / "table.csv").read_text(encoding="utf-8")
