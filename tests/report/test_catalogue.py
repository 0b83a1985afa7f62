"""One catalogue of labels and one number formatter, used by every page, the notebooks and the verdict."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from zzeval import i18n
from zzeval.assess.verdict import load_rules
from zzeval.i18n import format_number, format_quantity, t

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value,kwargs,expected", [
    (-3.14159, {"decimals": 2}, "\u22123.14"),
    (17360, {}, "17,360"),
    (2.5, {"signed": True}, "+2.5"),
    (-0.0004, {"decimals": 2}, "0.00"),
    (0.0, {"signed": True}, "0.0"),
    (float("nan"), {}, "\u2014"),
    (None, {}, "\u2014"),
    ("n/a", {}, "n/a"),
])
def test_the_one_number_formatter(value, kwargs, expected):
    assert format_number(value, **kwargs) == expected


def test_quantities_carry_their_unit_from_the_catalogue():
    nb = "\u00a0"
    assert format_quantity(-4, "%", "zh", signed=True) == f"\u22124.0{nb}%"
    assert format_quantity(12, "vehicles", "zh") == f"12{nb}辆"
    assert format_quantity(1, "vehicles", "en") == f"1{nb}vehicle"
    assert format_quantity(2, "boilers", "en") == f"2{nb}boilers"
    assert format_quantity(173.0, "days", "zh") == f"173{nb}天"
    assert format_quantity(9, "t/(month·km²)", "zh") == f"9.0{nb}t/(月·km²)"


def test_the_verdict_has_one_name_per_level_and_language():
    rules = load_rules()
    for level in ("on_track", "warning", "interview"):
        assert rules.label(level, "zh") == t(f"verdict.{level}", "zh")
    assert t("verdict.on_track", "zh") == "进展正常"
    # the rules file names no words of its own for the levels any more
    assert all(set(spec) <= {"rank", "colour"} for spec in rules.levels.values())


def test_no_module_formats_numbers_or_picks_languages_on_its_own():
    """The typographic minus is written in one place (i18n); no inline zh/en pairs in the views."""
    for path in ("zzeval/assess/verdict.py", "zzeval/report/views.py", "zzeval/report/county_views.py",
                 "zzeval/report/story.py", "zzeval/report/present.py"):
        text = (ROOT / path).read_text(encoding="utf-8")
        assert 'replace("-", "\\u2212")' not in text, path
        assert "pick(lang" not in text, path


@pytest.mark.parametrize("name", ["township_report", "county_report", "what_if"])
def test_notebook_markdown_is_the_catalogue_in_both_languages(name):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    assert len(markdown) >= 3, "a notebook reads as a document: sections in markdown"
    for cell in markdown:
        meta = cell.metadata["zzeval"]
        key, level = meta["label"], meta["level"]
        zh, en = t(key, "zh"), t(key, "en")
        expected = f"{'#' * level} {zh} · {en}" if level else f"{zh}\n\n{en}"
        assert cell.source == expected, f"{name}: markdown of {key} differs from the catalogue"
    if name != "what_if":  # report notebooks: the markdown is for JupyterLab, not the HTML report
        assert all("remove_cell" in c.metadata.get("tags", []) for c in markdown)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert "pick(" not in code and not re.search(r"'[\u4e00-\u9fff]", code), "no inline Chinese in code"


def test_every_label_used_by_the_notebooks_exists():
    keys = set()
    for name in ("township_report", "county_report"):
        nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            keys |= set(re.findall(r"views\.text\('([^']+)'", cell.source))
    assert keys and not [k for k in keys if k not in i18n.labels()]
