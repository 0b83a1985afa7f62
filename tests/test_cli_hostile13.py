"""Hostile review s13-C (operations), command-line cases: output paths that are symbolic link loops
(C17), a dry run's ``--out`` (C16), ``zzeval export`` over its own notebook (C25) and of a run that
raised an error (C26)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.input.test_hostile8b_ops import _ran_notebook
from zzeval.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


@pytest.fixture
def loop(tmp_path, monkeypatch) -> str:
    """``loopA`` → ``loopB`` → ``loopA``, in the working folder."""
    monkeypatch.chdir(tmp_path)
    os.symlink("loopA", "loopB")
    os.symlink("loopB", "loopA")
    return "loopA"


LOOP = "loopA is a symbolic link loop (it points to loopB, which leads back to it): it can be neither read nor written"


@pytest.mark.parametrize(("argv", "option"), [
    (["build", "--data", str(SAMPLE), "--out", "loopA"], "--out"),
    (["build", "--data", str(SAMPLE), "--out", "loopA", "--dry-run"], "--out"),
    (["build", "--data", "loopA", "--out", "reports"], "--data"),
    (["factors", "--out", "loopA"], "--out"),
    (["aqi", str(SAMPLE / "air_quality.csv.gz"), "--out", "loopA"], "--out"),
    (["sample", "--townships", "1", "loopA"], "DIR"),
    (["validate", "loopA"], "DIR"),
])
def test_c17_a_symbolic_link_loop_is_refused_by_name(loop, capsys, argv, option):
    """build raised RuntimeError from pathlib's resolve, factors and aqi OSError ELOOP (tracebacks,
    exit 1); sample named a temporary file; validate said the folder does not exist."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"error: {option} {LOOP}; remove or correct the link" in err
    assert "Traceback" not in err
    assert os.path.islink("loopA") and os.readlink("loopA") == "loopB"


def test_c17_a_path_under_a_loop_names_the_loop(loop, capsys):
    assert main(["build", "--data", str(SAMPLE), "--out", "loopA/reports"]) == 2
    assert "--out loopA/reports lies under loopA, a symbolic link loop (it points to loopB" in capsys.readouterr().err


def test_c17_export_does_not_replace_a_link_loop(loop, tmp_path, capsys):
    notebook = _ran_notebook(tmp_path / "nancun.ipynb", ran=4)
    assert main(["export", str(notebook), "--out", "loopA"]) == 2
    assert f"error: --out {LOOP}" in capsys.readouterr().err
    assert os.path.islink("loopA") and os.readlink("loopA") == "loopB"  # was replaced by the page, exit 0


@pytest.mark.parametrize("out", ["afile", "afile/sub"])
def test_c16_a_dry_run_refuses_an_out_the_build_refuses(tmp_path, capsys, out):
    """A scheduler's pre-flight --dry-run answered "4 report(s) would be built" for an --out that is a
    file, which the build refuses (exit 2)."""
    (tmp_path / "afile").write_text("not a folder\n", encoding="utf-8")
    given = str(tmp_path / out)
    for extra in ([], ["--dry-run"]):
        assert main(["build", "--data", str(SAMPLE), "--out", given, *extra]) == 2
        err = capsys.readouterr().err
        assert ("is a file, not a folder" if out == "afile" else "is a file, so the folder cannot be created") in err
        assert "would be built" not in err


def test_c16_a_dry_run_may_still_ask_a_read_only_folder(tmp_path, monkeypatch):
    """What a dry run skips on purpose: it writes nothing, so a read-only --out is not refused (the
    folder made read-only for this process by ``os.access``: the tests may run as root)."""
    from zzeval.cli import _writable_folder
    from zzeval.errors import InputError

    monkeypatch.setattr(os, "access", lambda path, mode: not mode & os.W_OK)
    _writable_folder(tmp_path, "--out", write=False)
    with pytest.raises(InputError, match="is not writable; choose a folder you may write to"):
        _writable_folder(tmp_path, "--out")


@pytest.mark.parametrize("spelling", ["same", "dot", "link"])
def test_c25_export_refuses_to_write_over_its_own_notebook(tmp_path, capsys, monkeypatch, spelling):
    """`zzeval export X.ipynb --out X.ipynb` replaced the executed notebook (the only record of the
    run) with HTML, exit 0."""
    monkeypatch.chdir(tmp_path)
    notebook = _ran_notebook(tmp_path / "nancun.ipynb", ran=4)
    before = notebook.read_bytes()
    if spelling == "link":
        os.symlink("nancun.ipynb", "alias.ipynb")
    out = {"same": str(notebook), "dot": "sub/../nancun.ipynb", "link": "alias.ipynb"}[spelling]
    (tmp_path / "sub").mkdir()
    assert main(["export", str(notebook), "--out", out]) == 2
    err = capsys.readouterr().err
    assert f"--out {out} is the notebook itself: writing the page there would replace the executed notebook" in err
    assert f"--out {notebook.with_suffix('.html')}" in err
    assert notebook.read_bytes() == before


def test_c26_export_of_a_run_that_raised_shows_its_error(tmp_path, capsys):
    """A papermill run whose code cell 2 raised: the message blamed a kill or a timeout ("2 of 4 code
    cells did not run … killed or timed out?") and never showed the notebook's error."""
    import nbformat
    from nbformat.v4 import new_output

    notebook = _ran_notebook(tmp_path / "p2.ipynb", ran=2, papermill=True)
    nb = nbformat.read(notebook, as_version=4)
    cell = nb.cells[2]  # code cell 2 (cell 0 is the title)
    cell.outputs.append(new_output("error", ename="InputError", evalue="results_path r.pkl was evaluated from "
                                   "other data than the files now in data_dir", traceback=["InputError: …"]))
    cell.metadata["papermill"]["status"] = "failed"
    nbformat.write(nb, notebook)
    assert main(["export", str(notebook)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"zzeval export: error: {notebook}: the run failed in code cell 2 of 4: InputError: results_path r.pkl was "
        "evaluated from other data than the files now in data_dir — a failed run is not published; fix that and run "
        "the notebook again")
    assert not notebook.with_suffix(".html").exists()


def _papermill_run(path: Path, parameters: dict) -> Path:
    """A complete run (:func:`_ran_notebook`) of a notebook whose parameters cell is the shipped
    township notebook's, with ``parameters`` recorded as Papermill records what it was given."""
    import nbformat

    from zzeval.resources import notebook_path

    shipped = nbformat.read(notebook_path("township_report.ipynb"), as_version=4)
    cell = next(c for c in shipped.cells if "parameters" in c.metadata.get("tags", []))
    nb = nbformat.read(_ran_notebook(path, ran=4, papermill=True), as_version=4)
    cell.execution_count, cell.outputs = 1, []
    cell.metadata["papermill"] = {"status": "completed", "exception": None}
    nb.cells.insert(1, cell)
    nb.metadata["papermill"] = {"parameters": parameters}
    nbformat.write(nb, path)
    return path


def test_c24_export_refuses_a_run_with_a_misspelt_parameter(tmp_path, capsys):
    """`papermill … -p datadir /srv/season` (for data_dir): Papermill logs "Passed unknown parameter"
    and the notebook runs on its default data (the shipped sample), exit 0; `zzeval export` made a
    page of it without a word. Papermill (2.x) has no option to refuse unknown parameters."""
    notebook = _papermill_run(tmp_path / "typo.ipynb", {"datadir": "season", "twonship": "nancun"})
    assert main(["export", str(notebook)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"zzeval export: error: {notebook} was run with -p datadir (did you mean data_dir?), -p twonship (did you "
        "mean township?), which its parameters cell does not declare (data_dir, lang, results_path, season, "
        "township): Papermill only warned, and the notebook used its default for the parameter meant, so its page "
        "may show other data or another township; run it again with the right name")
    assert not notebook.with_suffix(".html").exists()
    right = _papermill_run(tmp_path / "right.ipynb", {"data_dir": "season", "township": "nancun", "lang": "zh"})
    assert main(["export", str(right)]) == 0
    assert "第 4 段" in right.with_suffix(".html").read_text(encoding="utf-8")
