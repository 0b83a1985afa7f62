"""Known leftovers of issue 13 fixed in session 12 (notes: HOSTILE12.md, "being fixed now"): a genuine
heavy-pollution hour with PM2.5 = PM10 read as an invalid-data code (the winter generator's w+85 season was
refused), a township with a heating target but no heating rows, and diesel plug-in hybrids. Tiny inline
tables, checked by the one check they concern."""

from __future__ import annotations

import pandas as pd

from zzeval.season.checks import Collector
from zzeval.season.outages import check_code_hours

AQ = "air_quality.csv.gz"


def _hours(pm25: list[float], pm10: list[float]) -> pd.DataFrame:
    times = pd.date_range("2021-02-02", periods=len(pm25), freq="h")
    rows = [("ZZ110", p, t, v) for p, series in (("PM2.5", pm25), ("PM10", pm10))
            for t, v in zip(times, series, strict=True) if v is not None]
    return pd.DataFrame(rows, columns=["station_code", "pollutant", "datetime", "value"])


def test_heavy_pollution_hour_with_pm25_equal_to_pm10_passes():
    """The winter generator's w+85 seed 0 (17 townships), station ZZ110 on 2021-02-02 02:00-08:00: PM2.5 = PM10
    = 500 in one hour of a haze episode (爆表), two analysers' scatter; and 623 likewise. No message."""
    out = Collector()
    check_code_hours(_hours([435, 463, 380, 500, 455, 416, 398], [568, 541, 539, 500, 515, 480, 517]), AQ, out)
    check_code_hours(_hours([560, 590, 623, 600, 580], [700, 690, 623, 720, 650]), AQ, out)
    assert out.problems == []


def test_codes_at_a_high_value_are_still_refused():
    """999 in one hour amid 60-300, 9999 in two hours amid a haze of 400, and 999 in an hour with no PM10
    around it: codes, refused naming the value."""
    for pm25, pm10, value, n in (([40, 55, 999, 60], [80, 90, 999, 300], 999, 1),
                                 ([350, 380, 9999, 9999, 390], [400, 420, 9999, 9999, 410], 9999, 2),
                                 ([40, 50] + [None] * 4 + [999] + [None] * 4 + [50, 60],
                                  [70, 80] + [None] * 4 + [999] + [None] * 4 + [90, 95], 999, 1)):
        out = Collector()
        check_code_hours(_hours(pm25, pm10), AQ, out)
        (problem,) = out.problems
        assert f"station ZZ110: PM2.5 and PM10 are both {value} in {n} hour" in problem.message
        assert "2 times above the station's PM10 of the 3 hours on each side" in problem.message


def test_heating_target_without_rows_is_refused():
    """A township with a coal-to-gas target but no coal-to-gas batch (its sheet left out) is refused naming the
    township, the type, the targets row and the table; one with a batch of 0 done passes."""
    from zzeval.season.measure_rows import check_heating_targets_reported

    targets = pd.DataFrame({"township": ["nancun", "nancun", "xiacun"],
                            "task": ["heating_coal_to_electricity", "heating_coal_to_gas", "heating_coal_to_gas"],
                            "target": [197.0, 329.0, 71.0], "unit": "households"})
    rt = pd.DataFrame({"township": ["nancun", "xiacun"], "retrofit_type": ["coal_to_electricity", "coal_to_gas"],
                       "households_planned": [197, 71], "households_done": [190, 0]})
    out = Collector()
    check_heating_targets_reported(rt, targets, "heating_retrofits.csv", "targets.csv", out)
    (problem,) = out.problems
    assert problem.file == "heating_retrofits.csv"
    assert problem.message.startswith("no row of township nancun, coal_to_gas, though targets.csv row 3 gives it a "
                                      "target of 329 households (heating_coal_to_gas): its households done would be "
                                      "counted as 0 where nothing was reported; add the township's batches")


def test_diesel_plug_in_hybrids_can_be_confirmed():
    """Diesel + NEV (a diesel plug-in hybrid bus) is refused with the line that confirms it; confirmed, a notice."""
    from zzeval.season.measure_rows import check_fuel_and_standard

    vh = pd.DataFrame({"township": "nancun", "vehicle_class": ["bus", "bus", "sanitation"], "fuel": "diesel",
                       "emission_standard": ["China5", "NEV", "NEV"], "fleet_before": 10, "fleet_after": 10})
    out = Collector()
    check_fuel_and_standard(vh, "vehicles.csv", out)
    assert [(p.row, p.column) for p in out.problems] == [(3, "emission_standard"), (4, "emission_standard")]
    assert out.problems[0].message.endswith("confirm them in season.yaml with 'confirmed: {diesel_plug_in_hybrid: "
                                            "[nancun bus]}' (data/README.md, 'Confirming a judgement check')")
    out = Collector()
    out.confirmed = {"diesel_plug_in_hybrid": {"nancun bus": 0}}
    check_fuel_and_standard(vh, "vehicles.csv", out)
    assert [p.row for p in out.problems] == [4]  # the sanitation trucks are not confirmed
    assert "confirmed in season.yaml (diesel_plug_in_hybrid: nancun bus), used as written" in out.notes[0]


def test_the_known_limits_section_quotes_the_limits_it_names():
    """data/README.md "What validate cannot catch (known limits)": every limit of input_limits.csv it names is
    given with the value the checks use (a limit changed without the section fails here)."""
    import csv
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    text = (root / "data" / "README.md").read_text(encoding="utf-8")
    start = text.index("## What validate cannot catch (known limits)")
    section = text[start:text.index("\n## ", start + 1)]
    with (root / "zzeval" / "reference" / "input_limits.csv").open(encoding="utf-8", newline="") as fh:
        limits = {row["key"]: row for row in csv.DictReader(fh)}
    named = [k for k in re.findall(r"`([a-z_0-9]+\.[a-z_0-9]+)`", section) if k in limits]
    assert len(named) >= 12
    for key in named:
        cell = limits[key]["max_value"] or limits[key]["min_value"]
        value = float(cell)
        shown = {cell, f"{value:g}", f"{value:,.0f}" if value == int(value) else f"{value:g}"}
        assert any(re.search(rf"(?<![\d.,]){re.escape(v)}(?![\d,]|\.\d)", section) for v in shown), (key, cell)
    for key in ("meteorology.stuck_window_days", "air_quality.scaled_copied_days", "air_quality.day_level_run_days",
                "freight.row_tonnes", "dustfall.copy_chance"):
        assert key in named
