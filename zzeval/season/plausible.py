"""Checks of values that read fine but cannot be right for the season (issue 13, third review):
a site done after the season, a county count outside it or fractional, a negative count target,
a township larger than the county, humidity as a fraction, wind in km/h.

The limits are data: ``zzeval/reference/input_limits.csv`` (value, unit, basis and source per row).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from zzeval.resources import input_floor, input_limit, plan_tasks
from zzeval.season.aq_ceiling import check_pm_ceiling
from zzeval.season.aq_clock import check_air_quality_clock
from zzeval.season.aq_copy import record_pm_days
from zzeval.season.aq_months import (
    check_day_levels,
    check_month_levels,
    check_pm_pair,
    series_codes,
)
from zzeval.season.aq_persistence import check_aq_persistence
from zzeval.season.aq_season_level import check_aq_season_levels
from zzeval.season.boundary_layer import check_boundary_layer, measured_blh
from zzeval.season.calm_hours import check_calm_hours
from zzeval.season.checks import (
    Collector,
    _escaped,
    _invisible,
    plausible_station_medians,
    season_first_year,
    share_tasks,
)
from zzeval.season.clerical import check_clerical
from zzeval.season.dustfall import check_dustfall_scale
from zzeval.season.heating_share import check_heating_share
from zzeval.season.keys import county_code
from zzeval.season.outages import check_code_hours, check_zero_hours, record_empty_values
from zzeval.season.parsing import show
from zzeval.season.pm_co_ratio import pm_co_spells, report_pm_co_spells
from zzeval.season.precipitation import check_season_precipitation
from zzeval.season.rh_fraction import check_rh_fraction_days
from zzeval.season.runs import run_labels, run_lengths
from zzeval.season.schema import METEOROLOGY, POLLUTANT_UNITS
from zzeval.season.stuck_air_quality import check_stuck_air_quality
from zzeval.season.stuck_weather import check_stuck_weather
from zzeval.season.township_names import check_township_names
from zzeval.season.weather_clock import check_weather_clock
from zzeval.season.weather_copy import VARYING_WEATHER, record_weather_bins
from zzeval.season.weather_days import check_weather_day_levels
from zzeval.season.weather_levels import check_weather_month_levels
from zzeval.season.wind_sectors import check_wind_sectors
from zzeval.season.wind_units import check_wind_speed_unit

#: Units (``plan_tasks.yaml`` ``unit``) of tasks that count whole things: their values and targets are
#: whole, non-negative numbers.
COUNT_UNITS = frozenset({"households", "fire points", "firms", "vehicles", "boilers", "sites", "days", "sets"})

#: Kilometres per degree of latitude near 35.5 °N (WGS84 meridian), and per degree of longitude at the
#: equator (times cos(latitude) elsewhere); good to about 0.2 %, as used in ``county_extents.csv``.
KM_PER_DEG_LAT = 110.95
KM_PER_DEG_LON_EQUATOR = 111.32


@cache
def county_extents() -> pd.DataFrame:
    """``zzeval/reference/county_extents.csv``: per county division code (the first six digits of its
    townships' codes, GB/T 2260), the longitudes and latitudes [°] its territory lies within, and a
    margin [km] added on every side."""
    with resources.files("zzeval.reference").joinpath("county_extents.csv").open(encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype={"county_code": str}).set_index("county_code")


def plan_task_table() -> dict:
    """The township and county tasks of ``zzeval/reference/plan_tasks.yaml`` (key -> its fields: unit,
    direction …)."""
    return {**plan_tasks()["tasks"], **(plan_tasks().get("county_tasks") or {})}


def check_site_dates(sites: pd.DataFrame | None, fname: str, period, out: Collector) -> None:
    """``sites``: a task done after the season's end does not count for it (as for heating retrofits);
    a date on a task marked not done contradicts the ``done`` column."""
    if sites is None or sites.empty or "done_date" not in sites:
        return
    date = sites["done_date"]
    late = (sites["done"] == "yes") & date.notna() & (date > period.end)
    out.rows(fname, "done_date", late,
             lambda i: f"{date[i]:%Y-%m-%d} is after the end of the season {period.name} ({period.end:%Y-%m-%d}); "
                       "a task done later does not count for this season: correct the date, or set done to 'no' "
                       "and leave the date empty")
    contradictory = (sites["done"] == "no") & date.notna()
    out.rows(fname, "done_date", contradictory,
             lambda i: f"done is 'no' but done_date is {date[i]:%Y-%m-%d}: the row contradicts itself; set done to "
                       "'yes' if the task was done then, or leave done_date empty")


def check_county_tasks(ct: pd.DataFrame | None, fname: str, period, tasks: dict, out: Collector) -> None:
    """``county_tasks``: the value is counted within the season assessed; a count (cameras …) is whole."""
    if ct is None or ct.empty:
        return
    if "date" in ct:
        date = ct["date"]
        outside = date.notna() & ((date < period.start) | (date > period.end))
        out.rows(fname, "date", outside,
                 lambda i: f"{date[i]:%Y-%m-%d} lies outside the season {period.name} ({period.start:%Y-%m-%d} .. "
                           f"{period.end:%Y-%m-%d}): a county task's value is counted within the season; check the "
                           "year")
    check_whole_counts(ct, "value", fname, tasks, out)


def check_target_deadlines(targets: pd.DataFrame | None, fname: str, period, out: Collector) -> None:
    """``targets.deadline``: the plan's tasks fall due within the year the season begins and the season
    itself (its deadlines run from October 2020 to March 2021). The reports judge progress on the whole
    season's data and show the plan's own deadline (``plan_tasks.yaml``), so a deadline of 2025 (or 2019)
    would be ignored without a word: it is a typo of the year, refused."""
    if targets is None or targets.empty or "deadline" not in targets:
        return
    first = pd.Timestamp(period.first_year, 1, 1)
    due = targets["deadline"]
    outside = due.notna() & ((due < first) | (due > period.end))
    out.rows(fname, "deadline", outside,
             lambda i: f"{due[i]:%Y-%m-%d} is not within the season {period.name} or the year it begins "
                       f"({first:%Y-%m-%d} .. {period.end:%Y-%m-%d}); zzeval judges progress on the season's data and "
                       "shows the plan's own deadline, so this one would be ignored without a word: check the year")


def check_whole_counts(frame: pd.DataFrame | None, column: str, fname: str, tasks: dict, out: Collector) -> None:
    """A value (``county_tasks.value``) or target (``targets.target``) of a task that counts whole things
    (:data:`COUNT_UNITS`: households, vehicles, sets …) is a whole number: 12.5 households or 3.3 trucks
    are a typo or a share written as a count."""
    if frame is None or frame.empty:
        return
    counts = frame["task"].map(lambda t: tasks.get(t, {}).get("unit") in COUNT_UNITS)
    value = frame[column]
    fractional = counts & value.notna() & (value != value.round())
    out.rows(fname, column, fractional,
             lambda i: f"{value[i]:g} {tasks[frame['task'][i]]['unit']} for {frame['task'][i]}: a count is a whole "
                       "number; write the number counted")


def check_target_signs(targets: pd.DataFrame | None, fname: str, tasks: dict, out: Collector) -> None:
    """``targets``: a count, a dustfall or a share to reach cannot be negative (only a change in %, such
    as ``pm25_change_pct``, can)."""
    if targets is None or targets.empty:
        return
    unit = targets["task"].map(lambda t: tasks.get(t, {}).get("unit"))
    never_negative = (unit != "%") | targets["task"].isin(share_tasks())
    negative = never_negative & unit.notna() & (targets["target"] < 0)
    out.rows(fname, "target", negative,
             lambda i: f"{targets['target'][i]:g} {unit[i]} for {targets['task'][i]}: this target cannot be negative; "
                       "write the target itself (a number of 0 or more), not a change")


#: Identifiers other tables or the reports match by their exact text (a township's name is checked with
#: its table, :func:`zzeval.season.checks.check_townships`; an enterprise's name may hold a line break, a
#: long name wrapped in its cell).
ID_COLUMNS = (("stations", "station_code"), ("sites", "site_id"), ("emergency_inspections", "firm_id"))


def check_id_characters(tables: dict, fnames: dict, out: Collector) -> None:
    """An identifier holding a control or format character (a NUL byte, a line break, U+200B ZERO WIDTH
    SPACE …) would not match the same id typed elsewhere, and shows nothing on a page: refused, the id
    echoed with ``\\uXXXX`` escapes (as for township names)."""
    for table, column in ID_COLUMNS:
        frame = tables.get(table)
        if frame is None or frame.empty or column not in frame:
            continue
        text = frame[column].astype("string").fillna("")
        hidden = text.map(_invisible)
        out.rows(fnames.get(table, f"{table}.csv"), column, hidden != "",
                 lambda i, text=text, hidden=hidden: f"'{show(_escaped(text[i]))}' holds {hidden[i]}: the id would not "
                 "match the same id typed elsewhere; delete the character")


def check_plausible_values(tables: dict, fnames: dict, out: Collector) -> None:
    """Bounds of ``input_limits.csv`` and ``county_extents.csv``: township area, wind speed (km/h for m/s),
    humidity as a fraction, persons per household, subsidies per household or vehicle (万元 for yuan),
    dustfall medians (annual sums for months), stations outside their county; clerical mistakes of
    dustfall, emergency inspections and freight (:mod:`zzeval.season.clerical`)."""
    name = {table: fnames.get(table, f"{table}.csv") for table in ("townships", "targets", "heating_retrofits",
                                                                     "vehicles", "dustfall", "stations")}
    check_households(tables.get("townships"), tables.get("targets"), name["townships"], name["targets"], out)
    check_payments(tables.get("heating_retrofits"), name["heating_retrofits"], tables.get("vehicles"),
                   name["vehicles"], out)
    check_dustfall_scale(tables.get("dustfall"), name["dustfall"], out)
    check_heating_share(tables.get("heating_retrofits"), tables.get("townships"), name["heating_retrofits"],
                        name["townships"], out)
    check_township_names(tables.get("townships"), name["townships"], out)
    check_station_positions(tables.get("stations"), tables.get("townships"), name["stations"], out)
    check_id_characters(tables, fnames, out)
    check_clerical(tables, fnames, out)
    tw = tables.get("townships")
    if tw is not None and "area_km2" in tw:
        top = input_limit("townships.area_km2")
        out.rows(fnames["townships"], "area_km2", tw["area_km2"] > top,
                 lambda i: f"{tw['area_km2'][i]:g} km² is larger than the whole county (about {top:,.0f} km²); "
                           "is the area in another unit (mu, ha, m²)? write it in km²")
        dense = input_limit("townships.persons_per_km2")
        density = tw["population"] / tw["area_km2"].where(tw["area_km2"] > 0)
        out.rows(fnames["townships"], "area_km2", density > dense,
                 lambda i: f"{tw['population'][i]:,.0f} persons on {tw['area_km2'][i]:g} km² is {density[i]:,.0f} "
                           f"persons per km², denser than any township can be (at most {dense:,.0f}, "
                           "zzeval/reference/input_limits.csv); is the area in another unit, or a digit lost? "
                           "write the area in km²")
    check_met_values(tables.get("meteorology"), fnames.get("meteorology", "meteorology.csv"), out,
                     tables.get("stations"))


def check_met_values(met: pd.DataFrame | None, fname: str, out: Collector,
                     stations: pd.DataFrame | None = None) -> None:
    """Wind speed in km/h, relative humidity as a fraction, wind direction in radians and station codes
    the weather adjustment would not use, on rows that hold every row of their stations (a whole
    table, or a chunk of a Parquet table, :mod:`zzeval.season.columnar`)."""
    if met is None or met.empty:
        return
    if stations is not None:  # the weather of a code neither 'county' nor a station is never used
        codes = met["station_code"].fillna("")
        unknown = ~codes.isin(["", "county", *stations["station_code"]])
        out.rows(fname, "station_code", unknown,
                 lambda i: f"station '{show(codes[i])}' is not in stations, so the weather adjustment would not use "
                           "this weather: write the code of a station in stations.csv, or 'county' (or leave it "
                           "empty) for the county-wide series")
    top = input_limit("meteorology.wind_speed_ms")
    out.rows(fname, "wind_speed_ms", met["wind_speed_ms"] > top,
             lambda i: f"{met['wind_speed_ms'][i]:g} m/s is above the plausible maximum of {top:g} m/s; is the wind "
                       "speed in km/h? write it in m/s (km/h ÷ 3.6)")
    calm = input_limit("meteorology.calm_wind_speed_ms")
    out.rows(fname, "wind_dir_deg", met["wind_dir_deg"].isna() & met["wind_speed_ms"].notna()
             & (met["wind_speed_ms"] > calm) & out.readable(fname, met.index),  # (a calm code refused: cells.py)
             lambda i: f"no wind direction although the wind speed is {met['wind_speed_ms'][i]:g} m/s; only a calm hour "
                       f"(wind speed at most {calm:g} m/s) has none (write it empty or 'C'): write the direction "
                       "in degrees from north")
    n_calm = int((met["wind_dir_deg"].isna() & (met["wind_speed_ms"] <= calm)).sum())
    if n_calm:
        out.notes.append(f"{fname}: {n_calm:,} calm hour(s) without a wind direction (wind speed at most {calm:g} m/s): "
                         "the weather adjustment gives them a wind sector of their own")
    _check_temperature_rh_swapped(met, fname, out)  # said once, beside each cell's range problem
    fractions = _check_rh_fraction(met, fname, out)
    _check_direction_radians(met, fname, out)
    check_boundary_layer(met, fname, out)  # blh_m in km, or below a boundary layer's floor (0) in part of a season
    _check_constant_weather(met, fname, out)
    check_season_precipitation(met, fname, out)  # a season in 0.1 mm (the CMA's raw files)
    check_wind_speed_unit(met, fname, out)  # a season, or some of its months, in knots or km/h
    named = check_weather_day_levels(met, fname, out)  # runs of days in °F, tenths, mmHg, sea-level pressure
    check_weather_month_levels(met, fname, out, named)  # months of another unit or a moved station (not named)
    check_weather_clock(met, fname, out)  # a season stamped in UTC: temperature peaking in the morning
    coded = check_wind_sectors(met, fname, out)  # 16-point sector codes: said plainly, not judged as stuck
    judged = met.assign(wind_dir_deg=met["wind_dir_deg"].mask(coded)) if coded.any() else met
    judged = judged.assign(rh_pct=judged["rh_pct"].mask(fractions)) if fractions.any() else judged
    stuck_wind = check_stuck_weather(judged, fname, out)  # part of a season of one value (a whole season: above)
    check_calm_hours(met, fname, out, stuck_wind)  # an anemometer at calm at the same hours of every day
    record_weather_bins(met, fname, out)  # compared with every source a year earlier once all are read


def check_station_weather(tables: dict, fnames: dict, period, out: Collector) -> None:
    """Every station measured in a season needs weather in it, its own rows or the county-wide ones
    (data/README.md, "Hourly meteorology"); a season with no county rows gets its county weather
    from the stations' (:func:`zzeval.airquality.weather_data.with_county_weather`). Uses what the
    checks of the hourly tables recorded (``out.coverage``, ``out.met_stations``), also chunk by chunk."""
    stations = tables.get("stations")
    if stations is None or tables.get("meteorology") is None:
        return
    fname = fnames["meteorology"]
    seasons = {"current": period, "previous": period.previous}
    measured = {(station, year) for station, _, year in out.coverage}
    township = dict(zip(stations["station_code"], stations["township"], strict=False))
    for which, p in seasons.items():
        year = p.first_year
        if year not in out.met_seasons or ("county", year) in out.met_stations:
            continue
        missing = sorted(c for c in township if (c, year) in measured and (c, year) not in out.met_stations)
        if missing:
            shown = ", ".join(f"{show(c)} ({show(township[c])})" for c in missing[:10])
            more = f" and {len(missing) - 10:,} more" if len(missing) > 10 else ""
            out.add(fname, None, "station_code",
                    f"no weather for station(s) {shown}{more} in the {which} season {p.name}, and that season has "
                    "no county-wide rows (station_code 'county'); the weather adjustment needs the weather of every "
                    "station in both seasons, its own or the county's: add the hourly rows of these stations, or "
                    "the county-wide rows of that season")
        else:
            n = sum((c, year) in out.met_stations for c in township)
            out.notes.append(f"{fname} has no county-wide rows in the {which} season {p.name}: the county's weather "
                             f"there is the hour-by-hour mean of the weather of its {n} station(s) (data/README.md, "
                             "meteorology)")


def _station_seasons_at_most(met: pd.DataFrame, column: str, top: float) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The first row of each station and season whose ``column`` is at most ``top`` all season (a
    column in another unit: a fraction for percent, radians for degrees), the stations and the
    seasons' first years."""
    stations, years, first = _station_seasons(met)
    highest = met[column].groupby([stations, years]).transform("max")
    return (highest <= top) & met[column].notna() & first, stations, years


def _check_temperature_rh_swapped(met: pd.DataFrame, fname: str, out: Collector) -> None:
    """Rows whose temperature_c is above its range but a relative humidity (up to rh_pct's maximum) and rows whose
    rh_pct is below 0 but a temperature (down to temperature_c's minimum), both in the table: the two columns
    swapped on those rows (hostile review s13-hostB M10: February's temperature and RH swapped were refused cell
    by cell, and the cold hours' RH as "a fraction", never as swapped). One problem naming the first and last
    such row."""
    if not {"temperature_c", "rh_pct"} <= set(met.columns) or met.empty:
        return
    t_spec, rh_spec = METEOROLOGY.column("temperature_c"), METEOROLOGY.column("rh_pct")
    temperature = pd.to_numeric(met["temperature_c"], errors="coerce")
    rh = pd.to_numeric(met["rh_pct"], errors="coerce")
    humid = (temperature > t_spec.max) & (temperature <= rh_spec.max)
    cold = (rh < rh_spec.min) & (rh >= t_spec.min)
    if not humid.any() or not cold.any():
        return
    rows = humid | cold
    first, last = met.index[rows.to_numpy(bool)][[0, -1]]
    out.add(fname, int(first) + 2, "temperature_c",
            f"{int(rows.sum()):,} row(s) from {show(met.at[first, 'datetime'])} to {show(met.at[last, 'datetime'])} "
            f"hold a relative humidity in temperature_c (above {t_spec.max:g} °C) or a temperature in rh_pct "
            f"(below {rh_spec.min:g} %): are the columns temperature_c and rh_pct swapped on these rows (气温 and "
            f"相对湿度)? swap them back; the problems of their cells below are the same rows")


def _check_rh_fraction(met: pd.DataFrame, fname: str, out: Collector) -> pd.Series:
    """A station's season, or days of it (:mod:`zzeval.season.rh_fraction`), of RH fractions; returns the rows
    of such days, left out of the stuck-sensor check."""
    top = input_limit("meteorology.rh_pct_fraction")
    flagged, stations, years = _station_seasons_at_most(met, "rh_pct", top)
    out.rows(fname, "rh_pct", flagged,
             lambda i: f"every rh_pct of station '{show(stations[i])}' in the season from {years[i]} is at most "
                       f"{top:g} %: this looks like a fraction (0.63 for 63 %); write relative humidity in percent")
    whole = met["rh_pct"].groupby([stations, years]).transform("max") <= top
    return check_rh_fraction_days(met, fname, out, whole)


def _check_direction_radians(met: pd.DataFrame, fname: str, out: Collector) -> None:
    """Every wind direction of a station in a season at most 2π: the column holds radians (the weather
    model's wind sectors would all be north to north-east)."""
    top = input_limit("meteorology.wind_dir_radians")
    flagged, stations, years = _station_seasons_at_most(met, "wind_dir_deg", top)
    out.rows(fname, "wind_dir_deg", flagged,
             lambda i: f"every wind_dir_deg of station '{show(stations[i])}' in the season from {years[i]} is at most "
                       f"{top:g}°: this looks like radians; write degrees (radians × 57.2958, 0-360)")


def _check_constant_weather(met: pd.DataFrame, fname: str, out: Collector) -> None:
    """A weather column with one value over a station's whole season (a frozen sensor, or a column filled
    with one value on export): the weather adjustment cannot separate weather from the measures with a
    term that never changes (the model failed with 'need at least one array to concatenate')."""
    stations, years, first = _station_seasons(met)
    for column in (*VARYING_WEATHER, "blh_m"):
        if column not in met:
            continue
        # a boundary-layer height of 0 all season is one not measured (zzeval.season.boundary_layer)
        values = pd.Series(measured_blh(met[column]), index=met.index) if column == "blh_m" else met[column]
        grouped = values.groupby([stations, years])
        flat = (grouped.transform("max") == grouped.transform("min")) & (grouped.transform("count") > 1)
        out.rows(fname, column, flat & first & values.notna(),
                 lambda i, c=column: f"every {c} of station '{show(stations[i])}' in the season from {years[i]} is "
                                     f"{met[c][i]:g}: one value all season is a frozen sensor or a filled column, "
                                     "and the weather adjustment cannot use it; write the measured hourly values")


def check_households(tw: pd.DataFrame | None, targets: pd.DataFrame | None, fname: str, targets_fname: str,
                     out: Collector) -> None:
    """``townships``: more persons than households (``townships.persons_per_household`` of
    ``input_limits.csv``); ``targets``: a township's household targets (the clean-heating allocations,
    unit households) add up to no more than its households."""
    if tw is None or tw.empty:
        return
    floor = input_floor("townships.persons_per_household")
    hh, pop = tw["households"], tw["population"]
    few = (hh > 0) & pop.notna() & (pop <= floor * hh)
    out.rows(fname, "households", few,
             lambda i: f"{hh[i]:,.0f} households for a population of {pop[i]:,.0f}: the persons per household "
                       f"(population ÷ households) are {pop[i] / hh[i]:.2g} but must be more than {floor:g} "
                       "(zzeval/reference/input_limits.csv); are households and population swapped, or is the "
                       "population in another unit (万人)? write both as counted")
    if targets is None or targets.empty:
        return
    tasks = plan_task_table()
    in_households = targets["task"].map(lambda t: tasks.get(t, {}).get("unit") == "households")
    total = targets["target"].where(in_households).groupby(targets["township"]).sum()
    households = tw.drop_duplicates("slug").set_index("slug")["households"]
    for slug, allocated in total.items():
        if slug in households.index and pd.notna(households[slug]) and allocated > households[slug]:
            first = targets.index[(targets["township"] == slug) & in_households][0]
            out.add(targets_fname, int(first) + 2, "target",
                    f"township {show(slug)}: {allocated:,.0f} households allocated in all (the targets in households), "
                    f"more than its {households[slug]:,.0f} households in townships.csv; check the targets and the "
                    "township's households")


def check_payments(rt: pd.DataFrame | None, rt_fname: str, vh: pd.DataFrame | None, vh_fname: str,
                   out: Collector) -> None:
    """Subsidies per household retrofitted and scrappage payments per vehicle scrapped within the floors and
    ceilings of ``input_limits.csv``: below them the amounts are in 万元 (10,000 yuan) under a yuan header,
    above them in 分 (fen, 1/100 yuan) or mistyped (the county's cost per tonne would be as many times
    too high)."""
    for frame, fname, amount, count, key, what in (
            (rt, rt_fname, "subsidy_yuan", "households_done", "heating_retrofits.subsidy_yuan_per_household",
             "household"),
            (vh, vh_fname, "scrappage_payment_yuan", "scrapped", "vehicles.scrappage_payment_yuan_per_vehicle",
             "vehicle")):
        if frame is None or frame.empty or amount not in frame:
            continue
        _note_unreported(frame, fname, amount, count, out)
        floor = input_floor(key)
        per = frame[amount] / frame[count].where(frame[count] > 0)
        low = (frame[amount] > 0) & per.notna() & (per < floor)
        out.rows(fname, amount, low,
                 lambda i, f=frame, a=amount, c=count, per=per, floor=floor, what=what:
                 f"{f[a][i]:g} yuan for {f[c][i]:,.0f} {c} is {per[i]:.3g} yuan per {what}, below the plausible "
                 f"{floor:g} (zzeval/reference/input_limits.csv): is the amount in 万元? write it in yuan (万元 × 10,000)")
        ceiling = input_limit(key)
        high = per.notna() & (per > ceiling)
        out.rows(fname, amount, high,
                 lambda i, f=frame, a=amount, c=count, per=per, ceiling=ceiling, what=what:
                 f"{f[a][i]:,.0f} yuan for {f[c][i]:,.0f} {c} is {per[i]:,.0f} yuan per {what}, above the plausible "
                 f"{ceiling:,.0f} (zzeval/reference/input_limits.csv): is the amount in 分 (fen, 1/100 yuan)? write it "
                 f"in yuan (分 ÷ 100); else check it for an extra digit, and {c} ({f[c][i]:,.0f}) for missing digits "
                 "(1,000 written as 1?)")


def _note_unreported(frame: pd.DataFrame, fname: str, amount: str, count: str, out: Collector) -> None:
    """A notice (not an error: the rest of the report is usable) for rows with ``count`` > 0 and an empty
    ``amount``: empty means "not reported", so that township's and the county's cost of the measure are
    unknown (0 means "none paid"; data/README.md). Cells refused as unreadable, or a column refused for the unit
    in its header, are not empty: their problem is said instead."""
    if (fname, amount) in out.refused_columns:  # refused for its header's unit: not empty (review s13-hostA M1)
        return
    rows = frame.index[frame[amount].isna() & (frame[count] > 0) & out.readable(fname, frame.index)]
    if rows.empty:
        return
    listed = ", ".join(str(int(i) + 2) for i in rows[:10]) + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")
    towns = ", ".join(show(s) for s in dict.fromkeys(frame["township"][rows].astype(str)))
    out.notes.append(f"{fname}, column '{amount}': empty on row(s) {listed} with {count} > 0 — an empty cell means "
                     f"\"not reported\", so the cost per tonne of that measure is not shown for {towns} nor for the "
                     f"county; write the amount paid in yuan, or 0 if none was paid")


def check_station_positions(stations: pd.DataFrame | None, tw: pd.DataFrame | None, fname: str,
                            out: Collector) -> None:
    """A station of a township of a county in ``county_extents.csv`` (its code starts with the county's
    division code, e.g. 140525 for Zezhou) lies within the county's extent plus its margin."""
    if stations is None or stations.empty or tw is None or tw.empty:
        return
    lon, lat = stations["lon"], stations["lat"]
    code = stations["township"].map(dict(zip(tw["slug"], tw["code"], strict=False))).fillna("").astype(str)
    for county, box in county_extents().iterrows():
        dlon = box["margin_km"] / (KM_PER_DEG_LON_EQUATOR * np.cos(np.radians((box["lat_min"] + box["lat_max"]) / 2)))
        dlat = box["margin_km"] / KM_PER_DEG_LAT
        lon_lo, lon_hi = box["lon_min"] - dlon, box["lon_max"] + dlon
        lat_lo, lat_hi = box["lat_min"] - dlat, box["lat_max"] + dlat
        in_county = code.str.startswith(county)
        lon_out = in_county & ((lon < lon_lo) | (lon > lon_hi))
        lat_out = in_county & ~lon_out & ((lat < lat_lo) | (lat > lat_hi))
        for column, mask in (("lon", lon_out), ("lat", lat_out)):
            out.rows(fname, column, mask,
                     lambda i, name=box["name_zh"], c=county, b=(lon_lo, lon_hi, lat_lo, lat_hi):
                     f"station {show(stations['station_code'][i])} of township {show(stations['township'][i])} "
                     f"(code {code[i]}, {name}) is at {lon[i]:g} °E, {lat[i]:g} °N, outside {name} ({c}: {b[0]:.2f}–"
                     f"{b[1]:.2f} °E, {b[2]:.2f}–{b[3]:.2f} °N with the margin, zzeval/reference/county_extents.csv); "
                     "check lon and lat (decimal degrees, WGS84; not swapped, not another station's)")


def check_air_quality_series(aq: pd.DataFrame, fname: str, out: Collector) -> None:
    """Hourly air quality that is valid value by value but wrong as a series: PM2.5 above PM10 in most
    hours of a station and season or of 30 days (the two pollutants' rows swapped), a PM value repeated unchanged
    hour after hour for days or flickering in its last digit for weeks (a stuck analyser), a station's season
    or month in a unit 1000 times off, hours with PM2.5 and PM10 both 0, or every gas 0 (missing hours
    written as 0), and a season's highest PM value reached in many hours (an analyser saturated at its range,
    :mod:`zzeval.season.aq_ceiling`). Limits: ``input_limits.csv``."""
    if aq is None or aq.empty:
        return
    low_seasons = _check_station_medians(aq, fname, out)
    codes = series_codes(aq)  # (station, pollutant) numbered once for the checks of parts of a season
    co_spells, slipped = pm_co_spells(aq, out, codes, low_seasons)  # PM ÷ 10 for weeks (at every station): against its CO
    low_months = check_month_levels(aq, fname, out, low_seasons, codes, slipped)  # a month of a station in another unit
    said = check_day_levels(aq, fname, out, low_months, codes, slipped)  # a few days of a station in another unit
    report_pm_co_spells(co_spells, aq, fname, out, low_months | said, codes)  # not what those named
    check_aq_season_levels(aq, fname, out, low_seasons)  # a season of PM ÷ 10 at every station (a decimal slip of the export)
    check_zero_hours(aq, fname, out)
    check_code_hours(aq, fname, out)
    record_pm_days(aq, fname, out)  # compared with every other station and season once all are read
    record_empty_values(aq, fname, out)  # said in one notice once all are read
    check_pm_pair(aq, fname, out)  # PM2.5 above (or equal to) PM10 in most hours of a season or of 30 days
    runs = _check_stuck_values(aq, fname, out)
    stuck = check_stuck_air_quality(aq, fname, out, runs, low_months, codes)  # a flicker in the last digit for weeks
    judged = stuck | {(s, p, int(y)) for s, p, m in low_months for y in season_first_year(pd.DatetimeIndex([m]))}
    judged |= {(s, p, int(y)) for s, p in runs for y in np.unique(season_first_year(aq["datetime"].dropna()))}
    check_aq_persistence(aq, fname, out, codes, judged)  # noise, or 24-hour means, for weeks
    check_pm_ceiling(aq, fname, out)  # an analyser saturated at the end of its range
    check_air_quality_clock(aq, fname, out)  # one season's stamps shifted against the other's (UTC)


def _check_station_medians(aq: pd.DataFrame, fname: str, out: Collector) -> set:
    """The median of a station's values of a pollutant in each season at least its ``min_station_median``
    (``plausible_limits.csv``): below it the values are in a unit 1000 times larger (PM2.5 ≈ 0.05: mg/m³
    labelled µg/m³). Per station AND season: pooled over both seasons, a season exported from an older
    platform in mg/m³ with fewer hours than the other leaves the median on the µg/m³ side (hostile
    review 7, finding 9: a previous season from 15 October passed, and the change became +70,579 %).
    Returns the (station, pollutant, season's first year) refused."""
    floors = plausible_station_medians()
    usable = aq["pollutant"].isin(list(floors)) & (aq["value"] >= 0)  # negative values are reported already
    part = aq.loc[usable, ["station_code", "pollutant", "value"]]
    part = part.assign(year=season_first_year(aq.loc[usable, "datetime"]), row=part.index)
    stats = part.groupby(["station_code", "pollutant", "year"]).agg(
        median=("value", "median"), hours=("value", "size"), first=("row", "min"), last=("row", "max"))
    refused = set()
    for (station, pollutant, year), r in stats.iterrows():
        if pd.notna(r["median"]) and r["median"] < floors[pollutant]:
            refused.add((station, pollutant, int(year)))
            unit = POLLUTANT_UNITS[pollutant]
            big = "g/m³" if unit == "mg/m³" else "mg/m³"
            out.add(fname, int(r["first"]) + 2, "value",
                    f"station {show(station)}, season from {year}: the median {pollutant} value of its "
                    f"{int(r['hours']):,} hours (rows {int(r['first']) + 2:,} to {int(r['last']) + 2:,}) is "
                    f"{r['median']:.3g} {unit}, not plausible (at least {floors[pollutant]:g}, "
                    f"zzeval/reference/plausible_limits.csv); the values look like {big} labelled {unit}: "
                    "multiply them by 1000")
    return refused


def _station_seasons(met: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Of each meteorology row: its station ('county' for the county-wide series), its season's first
    year, and whether it is the first row of that station and season."""
    stations = county_code(met["station_code"])
    years = pd.Series(season_first_year(met["datetime"]), index=met.index)
    first = ~pd.DataFrame({"station": stations, "year": years}).duplicated()
    return stations, years, first


def _check_stuck_values(aq: pd.DataFrame, fname: str, out: Collector) -> set:
    """Runs of one PM2.5 or PM10 value repeated in consecutive hours for longer than the limit: an
    analyser that stopped measuring and repeats its last value (the hours count as measured and move
    the season mean). Returns the (station, pollutant) refused."""
    hours = input_limit("air_quality.pm_unchanged_hours")
    pm = aq.loc[aq["pollutant"].isin(["PM2.5", "PM10"]) & aq["value"].notna(),
                ["station_code", "pollutant", "datetime", "value"]]
    if len(pm) <= hours:
        return set()
    pm = pm.sort_values(["station_code", "pollutant", "datetime"], kind="stable")
    key = [pm["station_code"], pm["pollutant"]]
    run = pd.Series(run_labels(pm["datetime"].to_numpy(), *(k.to_numpy() for k in key), pm["value"].to_numpy(),
                               step=np.timedelta64(1, "h")), index=pm.index)
    size = pd.Series(run_lengths(run.to_numpy()), index=pm.index)
    refused = set()
    for _, part in pm[size > hours].groupby([*key, run[size > hours]], sort=False):
        first, last = part.iloc[0], part.iloc[-1]
        refused.add((first["station_code"], first["pollutant"]))
        out.add(fname, int(part.index[0]) + 2, "value",
                f"station {show(first['station_code'])}: {first['pollutant']} is {first['value']:g} in each of "
                f"{len(part):,} hours in a row ({first['datetime']:%Y-%m-%d %H:%M} to {last['datetime']:%Y-%m-%d %H:%M}; "
                f"at most {hours:g}, zzeval/reference/input_limits.csv): a stuck analyser repeating its last "
                "value? remove these rows (the hours are then missing) or correct them")
    return refused
