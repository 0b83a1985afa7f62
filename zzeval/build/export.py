"""``zzeval export``: an executed report notebook → the offline HTML report ``zzeval build`` writes.

For notebooks executed outside the build (the Papermill command line, Airflow's
``PapermillOperator``, JupyterLab): the same exporter as the build
(:func:`zzeval.report.html_export.notebook_to_html`: no scripts, embedded figures and CJK font,
``<html lang="zh-CN">``), written atomically.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import nbformat

from zzeval.atomic import atomic_write_text, check_no_symlink_loop
from zzeval.errors import ZzevalError

log = logging.getLogger(__name__)


def recorded_lang(nb) -> str | None:
    """The report language a notebook records it was run with: its Papermill ``lang`` parameter,
    else the default of its parameters cell; None when it records none (or another value)."""
    lang = nb.metadata.get("papermill", {}).get("parameters", {}).get("lang")
    if lang in ("zh", "en"):
        return lang
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            for line in cell.source.splitlines():
                name, _, value = line.partition("=")
                value = value.split("#")[0].strip().strip("'\"")
                if name.split(":")[0].strip() == "lang" and value in ("zh", "en"):
                    return value
    return None


def notebook_lang(nb) -> str:
    """The report language a notebook was run with (:func:`recorded_lang`), else ``"zh"``."""
    return recorded_lang(nb) or "zh"


LANG_NAMES = {"zh": "Chinese", "en": "English"}


def check_lang(nb, lang: str | None, path) -> str:
    """The page language: ``lang`` when given and the notebook records no other, else the notebook's.
    A ``--lang`` other than the one the notebook ran with is refused: its text is in that language,
    and ``<html lang>`` would tell browsers, screen readers and translators otherwise (hostile
    review 9B, F11: ``--lang en`` on a Chinese report gave ``lang="en"`` over Chinese text)."""
    ran = recorded_lang(nb)
    if lang and ran and lang != ran:
        raise ZzevalError(f"{path} was run with lang={ran}: its text is {LANG_NAMES[ran]}, so its page cannot be "
                          f"marked as {LANG_NAMES[lang]} (--lang {lang}); leave out --lang (the page takes the "
                          f"notebook's language), or run the notebook again with papermill -p lang {lang}")
    return lang or ran or "zh"


def export_notebook(notebook: str | os.PathLike, out: str | os.PathLike | None = None,
                    lang: str | None = None) -> Path:
    """Write the offline HTML report of the executed ``notebook``; returns the HTML path.

    ``out`` defaults to the notebook's path with ``.html``; ``lang`` to :func:`notebook_lang` (another
    than the one the notebook ran with is refused: :func:`check_lang`).

    Raises
    ------
    ZzevalError
        When the notebook does not exist, is not a notebook, was never executed, or has an
        error output (a failed run is not published).
    """
    from zzeval.report.html_export import notebook_to_html

    path = Path(notebook)
    check_no_symlink_loop(path, "NOTEBOOK")
    if out:
        check_no_symlink_loop(out, "--out")
    if path.is_dir():
        found = sorted(path.glob("*.ipynb"))[:3]
        hint = f" (it holds {', '.join(p.name for p in found)})" if found else ""
        raise ZzevalError(f"{path} is a folder: give one executed notebook (.ipynb) in it{hint}, e.g. "
                          f"zzeval export {path / (found[0].name if found else 'report.ipynb')}")
    if not path.is_file():
        raise ZzevalError(f"{path} does not exist")
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises JSON and validation errors of several kinds
        raise ZzevalError(f"{path} is not a readable notebook: {exc}") from exc
    if not any(c.cell_type == "code" and c.get("execution_count") for c in nb.cells):
        raise ZzevalError(f"{path} has not been executed: run it first, e.g. "
                          f"papermill {path} executed.ipynb -p township bagong")
    check_ran_to_the_end(nb, path)
    check_parameters_known(nb, path)
    lang = check_lang(nb, lang, path)
    target = Path(out) if out else path.with_suffix(".html")
    if _same_file(path, target):  # the executed notebook, the only record of the run (hostile review s13-C, C25)
        raise ZzevalError(f"--out {target} is the notebook itself: writing the page there would replace the executed "
                          f"notebook with HTML; give the page's own name, e.g. --out {path.with_suffix('.html')}")
    if target.is_dir():  # the atomic write's temporary file would be named instead
        raise ZzevalError(f"--out {target} is a folder; give the HTML file name (e.g. "
                          f"{target / path.with_suffix('.html').name})")
    log.info("exporting %s (lang %s) to %s", path, lang, target)
    html = notebook_to_html(nb, lang=lang)
    return atomic_write_text(target, html, through=True)


def check_ran_to_the_end(nb, path) -> None:
    """Refuse a notebook whose run stopped part-way (killed, timed out, or saved from JupyterLab after
    running some cells): every code cell with code has an execution count and, where Papermill
    recorded it, the status "completed". Such a notebook's page would end after the cells that ran,
    without the task table, the charts and the provenance, and say nothing of it (hostile review 8B,
    B5)."""
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    failed = next(((i, out) for i, c in enumerate(code, start=1) for out in c.get("outputs", [])
                   if out.get("output_type") == "error"), None)
    if failed is not None:  # the run raised: say its error, not "killed or timed out?" (s13-C, C26)
        number, out = failed
        evalue = str(out.get("evalue", "")).strip()
        evalue = evalue if len(evalue) <= 600 else evalue[:600] + " …"
        raise ZzevalError(f"{path}: the run failed in code cell {number} of {len(code)}: {out.get('ename', 'Error')}: "
                          f"{evalue} — a failed run is not published; fix that and run the notebook again")
    missed = [i for i, c in enumerate(code, start=1)
              if c.get("execution_count") is None
              or c.metadata.get("papermill", {}).get("status", "completed") != "completed"]
    if not missed:
        return
    ran = len(code) - len(missed)
    raise ZzevalError(f"{path}: {len(missed)} of {len(code)} code cells did not run (the first is code cell "
                      f"{missed[0]}; {ran} ran): the run stopped part-way (killed or timed out?), and its page "
                      "would end there without saying so; run the notebook to the end first, e.g. with papermill")


def _same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name one file (a link, ``./``, another spelling of the path)."""
    try:
        return b.exists() and os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def declared_parameters(nb) -> set[str] | None:
    """The names the notebook's parameters cell (tagged ``parameters``) assigns; None when it has no
    such cell or the cell is not Python that parses."""
    import ast

    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                return None
            names = set()
            for node in tree.body:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
                    if isinstance(node, ast.AnnAssign) else []
                names |= {t.id for t in targets if isinstance(t, ast.Name)}
            return names
    return None


def check_parameters_known(nb, path) -> None:
    """Refuse a notebook run with a parameter its parameters cell does not declare (``papermill -p
    datadir …`` for ``data_dir``): Papermill only logs "Passed unknown parameter" and the notebook
    runs on its default (the shipped sample data, the default township), exit 0 (hostile review
    s13-C, C24). Papermill records the parameters it was given in the notebook's metadata; they are
    compared with the names the parameters cell assigns. A notebook without a parameters cell (or
    whose cell does not parse) is not checked."""
    import difflib

    passed = nb.metadata.get("papermill", {}).get("parameters") or {}
    declared = declared_parameters(nb)
    unknown = sorted(set(passed) - declared) if declared and isinstance(passed, dict) else []
    if not unknown:
        return
    hints = []
    for name in unknown:
        close = difflib.get_close_matches(name, sorted(declared), n=1, cutoff=0.6)
        hints.append(f"-p {name}" + (f" (did you mean {close[0]}?)" if close else ""))
    raise ZzevalError(f"{path} was run with {', '.join(hints)}, which its parameters cell does not declare "
                      f"({', '.join(sorted(declared))}): Papermill only warned, and the notebook used its default "
                      f"for the parameter meant, so its page may show other data or another township; run it "
                      "again with the right name")
