"""Edits of the package's own reference tables (``zzeval/reference/``) that gave a wrong number without a
word or a traceback (hostile review s12-B, findings 1-3): each is refused, exit 2, naming the file, the
place and what to fix. The edited copies are read in place of the shipped files (no report is built)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from zzeval.cli import main
from zzeval.errors import ZzevalError

REFERENCE = Path(__file__).resolve().parents[2] / "zzeval" / "reference"


def _clear_caches() -> None:
    import importlib

    for module, names in (("zzeval.resources", ("reference_yaml", "plan_targets", "plan_tasks")),
                          ("zzeval.i18n", ("labels",)), ("zzeval.airquality.aqi", ("_breakpoints", "_aqi_levels", "_table")),
                          ("zzeval.assess.rulefile", ("_shipped_rules",)),
                          ("zzeval.season.measure_rows", ("plan_heating_households",)),
                          ("zzeval.season.emergency_rows", ("plan_emergency_cuts",)),
                          ("zzeval.season.header_units", ("_table",)),
                          ("zzeval.season.target_values", ("_plan_targets",))):
        for name in names:
            fn = getattr(importlib.import_module(module), name, None)
            if hasattr(fn, "cache_clear"):
                fn.cache_clear()


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A copy of ``zzeval/reference`` read in place of the shipped one; edit its files."""
    from zzeval import resources

    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE, folder)
    monkeypatch.setattr(resources, "_reference_file", lambda name: folder / name)
    _clear_caches()
    yield folder
    monkeypatch.undo()
    _clear_caches()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _refused(capsys, *words: str) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for w in words:
        assert w in err, err
    return err


def test_the_shipped_tables_pass():
    from zzeval.assess.references import check_reference_tables

    check_reference_tables()  # genuine tables: no refusal


@pytest.mark.parametrize("new, words", [
    ("175", "rows 71-72, column 'concentration': PM2.5 24h at IAQI 100 and 150 are 175 and 115: breakpoints must "
            "rise with IAQI (HJ 633-2012 Table 1: 75 and 115)"),
    ("70", "row 71, column 'concentration': PM2.5 24h at IAQI 100 is 70; HJ 633-2012 Table 1 gives 75"),
])
def test_an_aqi_breakpoint_other_than_hj633_is_refused(package, tmp_path, capsys, new, words):
    _edit(package / "aqi_breakpoints.csv", "PM2.5,24h,100,75,", f"PM2.5,24h,100,{new},")
    from zzeval.airquality.aqi import aqi_breakpoints

    with pytest.raises(ZzevalError, match="aqi_breakpoints.csv"):
        aqi_breakpoints()
    hourly = tmp_path / "aq.csv"
    pd.DataFrame({"station_code": ["ZZ1"] * 24, "datetime": pd.date_range("2020-11-01", periods=24, freq="h"),
                  "pollutant": "PM2.5", "value": [60.0 + (7 * i) % 41 for i in range(24)], "unit": "µg/m³"}).to_csv(hourly, index=False)
    assert main(["aqi", str(hourly), "--period", "daily"]) == 2
    _refused(capsys, f"zzeval/reference/aqi_breakpoints.csv, {words}")
    assert main(["validate", str(tmp_path)]) == 2  # before the season is read
    _refused(capsys, "aqi_breakpoints.csv, row")


def test_an_iaqi_level_other_than_hj633_is_refused(package):
    from zzeval.airquality.hj633 import checked_breakpoints

    _edit(package / "aqi_breakpoints.csv", "O3,8h,300,800,", "O3,8h,250,800,")
    with pytest.raises(ZzevalError, match=r"rows 63-68, column 'iaqi': O3 8h has IAQI 0, 50, 100, 150, 200, 250; "
                                          r"HJ 633-2012 Table 1 has 0, 50, 100, 150, 200, 300"):
        checked_breakpoints(pd.read_csv(package / "aqi_breakpoints.csv"))


@pytest.mark.parametrize("old, new, words", [
    ("  total: 17360\n", "  total: 1736\n",
     "zzeval/reference/plan_targets.yaml, clean_heating_households.total: 1,736 is not the sum of by_type "
     "(3,004 + 2,350 + 12,006 = 17,360"),
    ("im_pass_rate_pct: 90 ", "im_pass_rate_pct: 0.9 ",
     "plan_targets.yaml, im_pass_rate_pct: 0.9 is not a percentage above 1 and at most 100; 0.9 looks like a "
     "fraction (a cell formatted as a percentage holds 0.9 for 90 %): write 90"),
    ("  rural: 60\n", "  rural: 600\n", "plan_targets.yaml, clean_heating_coverage_pct.rural: 600 is not a percentage"),
    ("  B: {low: 30, high: 50}", "  B: {low: 50, high: 30}", "plan_targets.yaml, emergency_cut_pct.B:"),
    ("black_smoke_cameras: 5 ", "black_smoke_cameras: -5 ", "plan_targets.yaml, black_smoke_cameras: -5 is not a whole"),
    ("    coal_to_gas: 2350\n", "    coal_to_gas: 2350.5\n", "clean_heating_households.by_type.coal_to_gas: 2350.5"),
])
def test_a_plan_figure_that_contradicts_the_plan_is_refused(package, tmp_path, capsys, old, new, words):
    _edit(package / "plan_targets.yaml", old, new)
    assert main(["validate", str(tmp_path)]) == 2
    _refused(capsys, words)


@pytest.mark.parametrize("name", ["plan_targets.yaml", "verdict_rules.yaml", "labels.yaml", "header_units.yaml",
                                  "plan_tasks.yaml"])
def test_a_tab_in_a_reference_yaml_is_refused_with_its_place(package, tmp_path, capsys, name):
    path = package / name
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next((n for n, line in enumerate(lines) if line.startswith("  ") and line.strip()),  # indented
                  next(n for n, line in enumerate(lines) if line.strip() and not line.startswith("#")))
    lines[number] = "\t" + lines[number].lstrip(" ")
    path.write_text("".join(lines), encoding="utf-8")
    assert main(["validate", str(tmp_path)]) == 2
    _refused(capsys, f"zzeval/reference/{name}: not valid YAML: line {number + 1}, column 1", "indent with spaces")
