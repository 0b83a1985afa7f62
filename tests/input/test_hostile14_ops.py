"""Hostile review s14-C (operations), command-line cases: paths the shell did not expand (N40), a
ZZEVAL_CJK_FONT that is not a font (N06)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zzeval.cli import main


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A working folder and a home folder of the test's own."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("OUT", raising=False)
    (tmp_path / "home").mkdir()
    return tmp_path


@pytest.mark.parametrize(("argv", "said"), [
    (["validate", "~/s3"], "zzeval validate: error: DIR ~/s3: the shell did not expand ~ "),
    (["build", "--data", "~/s3", "--out", "reports"], "zzeval build: error: --data ~/s3: the shell did not expand ~ "),
    (["build", "--data", "data", "--out", "~/reports", "--dry-run"],
     "zzeval build: error: --out ~/reports: the shell did not expand ~ "),
    (["build", "--data", "data", "--out", "$OUT/reports"], "zzeval build: error: --out $OUT/reports: the shell did "
                                                            "not expand $OUT (the path was quoted"),
    (["build", "--data", "${DATA}", "--out", "reports"], "--data ${DATA}: the shell did not expand ${DATA} "),
])
def test_n40_a_path_the_shell_did_not_expand_is_refused(home, capsys, argv, said):
    """N40: ``--out "~/reports"`` (quoted in a crontab line) planned a build into a folder literally
    named ``~`` in the working folder; ``validate "~/s3"`` said only "does not exist". Refused, exit 2,
    saying the shell did not expand it and to write the full path (and what it is here)."""
    (home / "data").mkdir()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert said in err and err.rstrip().endswith(": write the full path")
    if "~" in said:
        assert f"(here it would be {home / 'home'}/" in err
    assert not (home / "~").exists() and not (home / "$OUT").exists()


def test_n40_a_folder_of_that_very_name_is_used(home, capsys):
    """A folder literally named ``~`` that exists is what the path names: not refused as unexpanded."""
    (home / "~" / "s3").mkdir(parents=True)
    assert main(["validate", "~/s3"]) == 2
    err = capsys.readouterr().err
    assert "did not expand" not in err and "~/s3" in err


SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def test_n06_a_cjk_font_variable_naming_a_file_that_is_no_font_is_refused_before_the_build(tmp_path, monkeypatch,
                                                                                            capsys):
    """N06: ZZEVAL_CJK_FONT naming an existing file that is not a font was passed over for the bundled
    Noto without a word (a missing path was refused, after the evaluation). Refused before anything
    runs, exit 2, naming the variable and the file."""
    not_font = tmp_path / "official.ttf"
    not_font.write_text("<html>404 Not Found</html>\n", encoding="utf-8")  # a failed download saved as .ttf
    monkeypatch.setenv("ZZEVAL_CJK_FONT", str(not_font))
    assert main(["build", "--data", str(SAMPLE), "--out", str(tmp_path / "reports"), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert f"zzeval build: error: ZZEVAL_CJK_FONT='{not_font}' is not a font file (it does not start as a TrueType" in err
    assert not (tmp_path / "reports").exists()


def test_n06_a_cjk_font_without_chinese_glyphs_is_refused_not_passed_over(monkeypatch):
    """N06: a real font without Chinese glyphs (matplotlib's own DejaVu Sans) named by the variable:
    refused, not replaced by the bundled font."""
    import matplotlib

    from zzeval.errors import ZzevalError
    from zzeval.report import fonts

    dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    monkeypatch.setenv("ZZEVAL_CJK_FONT", str(dejavu))
    monkeypatch.setattr(fonts, "_state", {})
    with pytest.raises(ZzevalError) as err:
        fonts.setup_fonts()
    assert str(err.value).startswith(f"ZZEVAL_CJK_FONT='{dejavu}' cannot be used (its font DejaVu Sans cannot draw ")
