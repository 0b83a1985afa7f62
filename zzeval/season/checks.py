"""Checks of a season's tables once they are read: units and plausibility of the air-quality long
form, consistency between columns and tables, the townships table (slugs become file names),
``season.yaml``, and what the evaluation needs to report on every township (validate = buildable).

Used by :mod:`zzeval.season.loading`; every check adds :class:`~zzeval.errors.Problem` s to a
:class:`Collector` (file, row, column, what to fix) or a note the user is told about.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from zzeval.errors import Problem, yaml_problem
from zzeval.resources import plan_tasks
from zzeval.season.emergency_rows import check_emergency_inspections
from zzeval.season.heating_baseline import check_heating_baseline
from zzeval.season.parsing import (
    DecodeFailure,
    closest,
    decode_text,
    load_yaml_strict,
    not_a_regular_file,
    show,
)
from zzeval.season.replacements import record_spans
from zzeval.season.schema import AIR_POLLUTANTS, POLLUTANT_UNITS
from zzeval.season.station_sets import index_pollutant_notes
from zzeval.season.unit_spelling import canonical_unit, compatibility_note, unit_difference

#: At most this many problems are listed one by one per (table, column, kind of problem);
#: the rest are summarised in one line with their count.
MAX_ROWS_LISTED = 10

#: Slugs that would collide with the files a build writes next to the township reports
#: (``county.html``, ``index.html``, ``summary.json``, ``notebooks/county.ipynb`` …) or that a
#: file system reserves (Windows device names).
RESERVED_SLUGS = frozenset({
    "county", "index", "summary", "notebooks", "townships", "assets", "static", "build-log",
    "con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10)),
})
#: Longest slug: it becomes a file name (``<slug>.html``, ``<slug>.ipynb``) and part of a URL.
MAX_SLUG_LENGTH = 64


class Collector:
    """Collects problems, listing at most MAX_ROWS_LISTED rows per kind of problem, and notes
    (things read in a way the user should know about, e.g. thousands separators)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        #: per file, the row labels of cells that could not be read (checks built on those cells
        #: would only repeat the problem: a date that is not a date is not also "empty")
        self.unreadable: dict[str, set] = {}
        #: (file, column) refused for the unit in its header (loading): its values are not read, and are not
        #: "empty" either (hostile review s13-hostA M1: a refused column was also called empty / 缺测)
        self.refused_columns: set[tuple[str, str]] = set()
        #: (file, column) of an optional column the file does not have (or whose header was not recognised): filled
        #: in empty by the loader, but not "empty cells" (hostile review s14-hostA, N05/N06)
        self.absent_columns: set[tuple[str, str]] = set()
        #: (station, pollutant, first year) with values of REPORTED_POLLUTANTS, first years with meteorology, (station
        #: or 'county', first year) with it, hours per (table, code, season), weather bins (season.weather_copy), PM day
        #: signatures and hourly values (season.aq_copy), air-quality values left empty per (file, station)
        #: (season.outages): recorded while tables are checked (also per Parquet chunk); confirmed: season.yaml's
        #: check -> subject -> uses (confirm)
        self.coverage: set = set()
        self.met_seasons, self.met_stations, self.weather_hours = set(), set(), {}
        self.confirmed, self.weather_bins, self.pm_days, self.empty_values = {}, [], [], {}
        self.unknown_townships: dict[str, set] = {}  # per file, the rows of a refused township (review 9A M5)
        self.station_spans: dict = {}  # per station, its first and last hour with a value (season.replacements)
        #: rows of pollutant O3_8h (accepted, not read: the 8-h O3 is computed from hourly O3)
        self.o3_8h_rows = 0

    def leave_out_of_sums(self, file: str, rows) -> None:
        """Rows of ``file`` whose township was refused or left empty: they are missing from their township's
        sums, so the checks of those sums wait (:meth:`sums_wait`) and the checks of a township's own rows skip
        them (their own refusal is the cause to fix; review 9A M5, hostile review s13-hostA C14a)."""
        if len(rows):
            self.unknown_townships.setdefault(file, set()).update(rows)

    def sums_wait(self, file: str) -> bool:
        """Whether the checks of a township's rows of ``file`` taken together (its targets against the
        batches planned, a target without batches) wait: some row has a refused township, or a cell that could
        not be read (a retrofit type 'solar', households 'abc'), and is missing from its township's sums; the
        sums would tell the clerk to change right targets or add rows that are there."""
        return bool(self.unknown_townships.get(file) or self.unreadable.get(file))

    def add(self, file: str, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(file, row, column, message))

    def rows(self, file: str, column: str | None, mask: pd.Series, message, unreadable: bool = False) -> None:
        """Report every row where ``mask`` is True. ``message`` is a str or a function of the row
        index. ``unreadable``: the cells could not be read (later checks skip those rows)."""
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        if idx.size == 0:
            return
        if unreadable:
            self.unreadable.setdefault(file, set()).update(mask.index[idx])
        for i in idx[:MAX_ROWS_LISTED]:
            label = mask.index[i]
            text = message(label) if callable(message) else message
            self.add(file, int(label) + 2, column, text)
        if idx.size > MAX_ROWS_LISTED:
            first = message(mask.index[idx[0]]) if callable(message) else message
            self.add(file, None, column, f"{idx.size - MAX_ROWS_LISTED} more rows with the same problem ({first})")

    def readable(self, file: str, index: pd.Index) -> pd.Series:
        """True for the rows of ``file`` whose cells could all be read."""
        return pd.Series(~index.isin(list(self.unreadable.get(file, ()))), index=index)


@cache
def _limits_table() -> pd.DataFrame:
    with resources.files("zzeval.reference").joinpath("plausible_limits.csv").open(encoding="utf-8") as fh:
        return pd.read_csv(fh).set_index("pollutant")


def plausible_limits() -> dict[str, float]:
    """Largest plausible hourly value per pollutant, in its canonical unit
    (``zzeval/reference/plausible_limits.csv``, with the source of each limit)."""
    return _limits_table()["max_value"].astype(float).to_dict()


def plausible_station_medians() -> dict[str, float]:
    """Smallest plausible median of one station's values per pollutant (canonical unit): below it the
    values are almost surely in a unit 1000 times larger (PM2.5 ≈ 0.05 means mg/m³ labelled µg/m³)."""
    return _limits_table()["min_station_median"].dropna().astype(float).to_dict()


#: Why an AQI above 500 is refused (review reA N7): an hour beyond the scale (爆表) is real, but it is
#: published as 500, so a higher figure is a typo or an index computed past the scale.
_AQI_ABOVE_SCALE = ("the AQI is at most 500 (HJ 633-2012: the scale ends at 500; the national platform reports an "
                    "hour beyond it, 爆表, as 500), so a higher figure is a typo or an index computed past the scale: "
                    "write 500 for an hour at the top of the scale, or the published value")


def check_air_quality(aq: pd.DataFrame, fname: str, stations: pd.DataFrame | None, out: Collector) -> pd.DataFrame:
    """Units, plausible values (per hour and per station median), hourly stamps and station codes."""
    read = {u: canonical_unit(u) for u in aq["unit"].unique()}
    unit = aq["unit"].map({u: canonical for u, (canonical, _) in read.items()})
    for written, (canonical, folded) in read.items():  # full-width forms of a unit (review s11-A, I03): a notice,
        note = f"{fname}, column 'unit': " + compatibility_note(written, canonical)  # once (a table read in chunks)
        if folded and note not in out.notes:
            out.notes.append(note)
    expected = aq["pollutant"].map(POLLUTANT_UNITS)
    bad_unit = expected.notna() & (unit != expected)

    def _msg(i):
        if aq["pollutant"][i] == "CO" and unit[i] == "µg/m³":
            return "CO is given in µg/m³; the network reports CO in mg/m³: divide by 1000 and write mg/m³"
        if expected[i] == "1":  # the AQI is a number without a unit
            return (f"unit '{show(aq['unit'][i])}' is wrong for AQI: the AQI has no unit; leave the cell empty or "
                    "write 1 (or 无量纲)")
        if not str(aq["unit"][i]).strip():
            return f"the unit is empty; write {expected[i]} for {aq['pollutant'][i]}"
        return (f"unit '{show(aq['unit'][i])}' is wrong for {aq['pollutant'][i]}; expected {expected[i]}"
                + (unit_difference(aq["unit"][i], expected[i]) if pd.isna(unit[i]) else ""))
    out.rows(fname, "unit", bad_unit, _msg)
    aq = aq.assign(unit=unit.fillna(aq["unit"]).astype(str))
    limits = plausible_limits()
    high = aq["value"] > aq["pollutant"].map(limits).astype(float)
    out.rows(fname, "value", high,
             lambda i: f"{aq['value'][i]:g}{'' if aq['unit'][i] == '1' else ' ' + aq['unit'][i]} is not a plausible "
                       f"{aq['pollutant'][i]} value (limit {limits[aq['pollutant'][i]]:g}, "
                       "zzeval/reference/plausible_limits.csv); " + (
                           _AQI_ABOVE_SCALE if aq["unit"][i] == "1" else
                           "check the unit (CO in mg/m³, the rest in µg/m³) and the decimal point"))
    reported = aq.loc[aq["pollutant"].isin(AIR_POLLUTANTS) & aq["value"].notna(), ["station_code", "pollutant"]]
    reported = reported.assign(year=season_year(aq.loc[reported.index, "datetime"])).dropna().drop_duplicates()
    out.coverage.update((s, p, int(y)) for s, p, y in reported.itertuples(index=False))
    record_spans(aq, out)
    out.o3_8h_rows += int((aq["pollutant"] == "O3_8h").sum())
    ts = aq["datetime"]
    off_hour = ts.notna() & ((ts.dt.minute != 0) | (ts.dt.second != 0))
    out.rows(fname, "datetime", off_hour,
             lambda i: f"{ts[i]} is not on the hour; the long form holds hourly means stamped HH:00")
    if stations is not None:
        known = sorted(set(stations["station_code"]))
        # a code refused in stations for an invisible character (check_id_characters): its hours are not
        # reported again, row by row, as of an unknown station
        refused = {_without_invisible(c) for c in known if _invisible(c)}
        unknown = ~aq["station_code"].isin(known) & ~aq["station_code"].isin(refused)

        def _unknown(i) -> str:
            code = aq["station_code"][i]
            close = closest(code, known)
            case = close is not None and close.casefold() == str(code).strip().casefold()
            hint = (f"did you mean '{show(_escaped(close))}'{' (codes are case-sensitive)' if case else ''}? "
                    if close else "")
            return f"station '{show(_escaped(code))}' is not in stations; {hint}add it there with its township"
        out.rows(fname, "station_code", unknown, _unknown)
    from zzeval.season.plausible import check_air_quality_series  # it imports this module

    check_air_quality_series(aq, fname, out)
    return aq


def check_cross_tables(tables: dict[str, pd.DataFrame], fnames: dict[str, str], out: Collector,
                       period=None) -> None:
    """Relations between columns: done ≤ 120 % of planned, scrapped ≤ fleet, passes ≤ tests …
    (``period``: the season assessed, for the dates of the emergency inspections)."""
    rt = tables.get("heating_retrofits")
    if rt is not None:
        over = rt["households_done"] > 1.2 * rt["households_planned"]
        out.rows(fnames["heating_retrofits"], "households_done", over,
                 lambda i: f"{rt['households_done'][i]:g} done is more than 120 % of the "
                           f"{rt['households_planned'][i]:g} planned; check the numbers")
        readable = out.readable(fnames["heating_retrofits"], rt.index)
        missing_date = (rt["households_done"] > 0) & rt["completion_date"].isna() & readable
        out.rows(fnames["heating_retrofits"], "completion_date", missing_date,
                 "households are marked done but the completion date is empty; add the date")
    vh = tables.get("vehicles")
    if vh is not None:
        f = fnames["vehicles"]
        out.rows(f, "scrapped", vh["scrapped"] > vh["fleet_before"],
                 lambda i: f"{vh['scrapped'][i]:g} scrapped exceeds the {vh['fleet_before'][i]:g} in service before")
        over = vh["replaced_china6"] + vh["replaced_nev"] > vh["scrapped"]
        alone = {c: vh[c] > vh["scrapped"] for c in ("replaced_china6", "replaced_nev")}
        for column, mask in (*alone.items(), ("replaced_china6, replaced_nev", ~alone["replaced_china6"]
                                                                           & ~alone["replaced_nev"])):
            out.rows(f, column, over & mask, lambda i: f"replacements exceed the vehicles scrapped: replaced_china6 "
                     f"{vh['replaced_china6'][i]:g} + replaced_nev {vh['replaced_nev'][i]:g} > scrapped {vh['scrapped'][i]:g}")
        most = vh[["fleet_before", "fleet_after"]].max(axis=1)
        out.rows(f, "obd_fitted", vh["obd_fitted"] > most,
                 lambda i: f"{vh['obd_fitted'][i]:g} with OBD exceeds the fleet ({most[i]:g} before or after); "
                           "the OBD coverage would be over 100 %")
    check_heating_baseline(tables.get("townships"), fnames.get("townships", "townships.csv"), out)
    tk = tables.get("tasks")
    if tk is not None:
        f = fnames["tasks"]
        pairs = (("im_passes", "im_tests"), ("coal_boilers_removed", "coal_boilers_start"),
                 ("scattered_firms_rectified", "scattered_firms_found"),
                 ("loose_coal_violations", "loose_coal_checks"))
        for part, whole in pairs:
            out.rows(f, part, tk[part] > tk[whole],
                     lambda i, p=part, w=whole: f"{tk[p][i]:g} is more than {w} ({tk[w][i]:g})")
    if rt is not None and tables.get("townships") is not None:
        _check_retrofits_within_households(rt, tables["townships"], fnames["heating_retrofits"], out)
    if tables.get("targets") is not None:
        _check_share_targets(tables["targets"], fnames["targets"], out)
        _check_target_units(tables["targets"], fnames["targets"], out)
    fr = tables.get("freight")
    if fr is not None:
        f = fnames["freight"]
        total_before = fr["road_t_before"] + fr["rail_t_before"]
        total_after = fr["road_t_after"] + fr["rail_t_after"]
        out.rows(f, "haul_km", (fr["haul_km"] <= 0) & (total_before > 0), "haul distance must be positive")
        odd = (total_before > 0) & ((total_after / total_before > 3) | (total_after / total_before < 1 / 3))
        out.rows(f, "rail_t_after", odd,
                 "total tonnage after differs from before by more than a factor 3; check the units (t/yr)")
        _check_freight_firms(fr, f, out)
    _check_sites(tables.get("sites"), fnames.get("sites", "sites.csv"), out)
    check_emergency_inspections(tables.get("emergency_inspections"),
                                fnames.get("emergency_inspections", "emergency_inspections.csv"), period, out)


def _check_freight_firms(fr: pd.DataFrame, f: str, out: Collector) -> None:
    """The optional § 十一 columns of ``freight``: clean road tonnes within the road tonnes; one
    firm class and one siding due date per enterprise."""
    clean = fr["clean_road_t_after"]
    out.rows(f, "clean_road_t_after", clean.notna() & (clean > fr["road_t_after"]),
             lambda i: f"{clean[i]:g} t/yr moved cleanly by road exceeds the {fr['road_t_after'][i]:g} t/yr by road")
    for column in ("firm_class", "siding_due_date"):
        values = fr[column].where(fr[column] != "")
        first = values.groupby(fr["enterprise"]).transform("first")
        differs = values.notna() & first.notna() & (values != first)
        out.rows(f, column, differs,
                 lambda i, c=column, first=first: f"the enterprise's earlier row gives {c} '{show(first[i])}'; "
                                                   "give one value per enterprise")


def _check_sites(sites: pd.DataFrame | None, f: str, out: Collector) -> None:
    """``sites``: self-ignition is a property of coal-gangue hills only."""
    if sites is None or sites.empty:
        return
    odd = (sites["self_ignition"] == "yes") & (sites["kind"] != "gangue_hill")
    out.rows(f, "self_ignition", odd, lambda i: f"self_ignition 'yes' is for coal-gangue hills (gangue_hill) only, "
                                                f"not for a site of kind '{show(sites['kind'][i])}'; leave it empty")


def _check_retrofits_within_households(rt: pd.DataFrame, townships: pd.DataFrame, fname: str, out: Collector) -> None:
    """A township cannot retrofit more households than it has (the clean-heating coverage would pass 100 %)."""
    households = townships.drop_duplicates("slug").set_index("slug")["households"]  # a duplicate slug is reported
    planned = rt.groupby("township")["households_planned"].sum()
    for slug, total in planned.items():
        if slug in households.index and pd.notna(households[slug]) and total > households[slug]:
            first = rt.index[rt["township"] == slug][0]
            out.add(fname, int(first) + 2, "households_planned",
                    f"township {show(slug)}: {total:,.0f} households planned for retrofits in all, more than its "
                    f"{households[slug]:,.0f} households in townships.csv; check the numbers (a typo, or the wrong unit?)")


def share_tasks() -> frozenset[str]:
    """Tasks whose target is a share in % that must be reached (``direction: min``, ``unit: "%"`` in
    ``zzeval/reference/plan_tasks.yaml``): coverage, pass rate, rail share …"""
    return frozenset(k for k, v in plan_tasks()["tasks"].items() if v.get("unit") == "%" and v.get("direction") == "min")


#: Spellings of the units of ``targets.unit`` that say what kind of quantity a target is.
TARGET_UNIT_KINDS = {"%": "%", "％": "%", "percent": "%", "百分比": "%", "households": "households", "户": "households",
                     "vehicles": "vehicles", "辆": "vehicles", "firms": "firms", "家": "firms", "boilers": "boilers",
                     "台": "boilers", "days": "days", "天": "days", "fire points": "fire points",
                     "count": "fire points", "火点": "fire points", "sites": "sites", "sets": "sets", "套": "sets",
                     "t/(month·km²)": "t/(month·km²)", "t/(km²·month)": "t/(month·km²)", "t/km²/month": "t/(month·km²)",
                     "t/(month·km2)": "t/(month·km²)", "t/km2/month": "t/(month·km²)",
                     "吨/(平方公里·月)": "t/(month·km²)", "吨/平方公里·月": "t/(month·km²)", "t": "t", "吨": "t",
                     "kg": "kg", "千克": "kg", "公斤": "kg"}


def _check_target_units(targets: pd.DataFrame, fname: str, out: Collector) -> None:
    """A ``unit`` that names another kind of quantity than the task's (``辆`` for a % task): the target
    was probably entered in that unit; refused."""
    tasks = plan_tasks()["tasks"]
    for label, task, unit in zip(targets.index, targets["task"], targets["unit"], strict=True):
        written = TARGET_UNIT_KINDS.get(str(unit).strip().lower())
        expected = TARGET_UNIT_KINDS.get(str(tasks.get(task, {}).get("unit", "")).lower())
        if written and expected and written != expected:
            out.add(fname, int(label) + 2, "unit", f"'{show(unit)}' is not the unit of {task} ({expected}): was the "
                                                   f"target written in {show(unit)}? write it in {expected}")
        elif expected and not written:
            spellings = ", ".join(f"'{k}'" for k, v in TARGET_UNIT_KINDS.items() if v == expected)
            out.add(fname, int(label) + 2, "unit", f"'{show(unit)}' is not a unit zzeval knows for {task}; write its "
                                                   f"unit {expected} (one of {spellings})")


def _check_share_targets(targets: pd.DataFrame, fname: str, out: Collector) -> None:
    """A share target of 1 % or less (0.9 for 90 %: a cell formatted as a percentage in a spreadsheet holds
    the fraction) would be met by every township; refused."""
    share = targets["task"].isin(share_tasks())
    out.rows(fname, "target", share & (targets["target"] > 100),
             lambda i: f"{targets['target'][i]:g} % for {targets['task'][i]}: a share cannot exceed 100 %")
    fraction = share & (targets["target"] > 0) & (targets["target"] <= 1)
    out.rows(fname, "target", fraction,
             lambda i: f"{targets['target'][i]:g} % for {targets['task'][i]} looks like a fraction (a cell formatted "
                       f"as a percentage holds 0.9 for 90 %); write the target in %: {100 * targets['target'][i]:g}")
    over = targets["task"].isin(share_tasks()) & (targets["target"] > 100)
    out.rows(fname, "target", over,
             lambda i: f"{targets['target'][i]:g} % for {targets['task'][i]} is more than 100 %: a share can never "
                       "reach it and every township would miss it; write the target in % (at most 100)")


def check_townships(townships: pd.DataFrame, fname: str, out: Collector) -> None:
    """Slugs usable as file names, and every code, name and slug naming one township only."""
    slug = townships["slug"]
    out.rows(fname, "slug", ~slug.str.fullmatch(r"[a-z][a-z0-9_-]*"),
             "slug must be lower-case ASCII letters, digits, '-' or '_', starting with a letter "
             "(it becomes a file name)")
    out.rows(fname, "slug", slug.isin(RESERVED_SLUGS),
             lambda i: f"slug '{slug[i]}' is reserved (it would overwrite the build's own "
                       f"{slug[i]}.html/.ipynb or is a reserved file name); choose another slug")
    out.rows(fname, "slug", slug.str.len() > MAX_SLUG_LENGTH,
             lambda i: f"slug '{show(slug[i])}' is longer than {MAX_SLUG_LENGTH} characters (it becomes a file "
                       "name); shorten it")
    _check_codes(townships["code"], fname, out)
    hidden = townships["name_zh"].map(_invisible)
    out.rows(fname, "name_zh", hidden != "",
             lambda i: f"'{show(_escaped(townships['name_zh'][i]))}' holds {hidden[i]}: the name would not match the same name "
                       "typed in other tables, and the reports would show it; delete the character")
    for column in ("slug", "code", "name_zh"):
        out.rows(fname, column, townships.duplicated(column) & (townships[column] != ""),
                 lambda i, c=column: f"duplicate {c} '{show(townships[c][i])}'; every township needs its own")
    # other tables name a township by slug, code or Chinese name: one text must mean one township
    seen: dict[str, tuple[int, str]] = {}
    for column in ("slug", "code", "name_zh"):
        for label, value in townships[column].items():
            if value == "":
                continue
            first, first_column = seen.setdefault(value, (label, column))
            if first != label and first_column != column:
                out.add(fname, int(label) + 2, column,
                        f"'{show(value)}' is also the {first_column} of the township in row {int(first) + 2}; "
                        "other tables name townships by slug, code or name and could not tell the two apart")


_CONTROL_NAMES = {"\x00": "a NUL byte", "\n": "a line break", "\r": "a carriage return", "\t": "a tab"}


def _invisible(text: str) -> str:
    """The first control or format character of ``text`` (a line break, U+200B ZERO WIDTH SPACE, U+202E
    RIGHT-TO-LEFT OVERRIDE …), described, or ``""``."""
    for position, ch in enumerate(str(text), start=1):
        if unicodedata.category(ch) in ("Cc", "Cf"):
            what = _CONTROL_NAMES.get(ch) or unicodedata.name(ch, "a control character")
            return f"the invisible character U+{ord(ch):04X} ({what}) at " \
                   f"position {position}"
    return ""


def _without_invisible(text: str) -> str:
    """``text`` without its control and format characters (the id as it was probably typed elsewhere)."""
    return "".join(ch for ch in str(text) if unicodedata.category(ch) not in ("Cc", "Cf"))


def _escaped(text: str) -> str:
    """``text`` with its control and format characters written as ``\\uXXXX`` (echoed as they are, a
    U+202E would turn the rest of the message around)."""
    return "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in str(text))


def _code_hint(code: str) -> str:
    if re.fullmatch(r"[\d.]+[eE][+-]?\d+", code):
        return ("the spreadsheet wrote the code in scientific notation and lost its last digits: format the "
                "column as text and type the codes again")
    if re.fullmatch(r"\d+\.0+", code):
        return f"the spreadsheet wrote the code as a decimal number: write {code.split('.')[0]}"
    if code.startswith(("'", "‘", "`")):
        return f"remove the leading apostrophe: write {code.lstrip(chr(39) + chr(0x2018) + '`')}"
    return "write the township's division code in digits"


def _check_codes(code: pd.Series, fname: str, out: Collector) -> None:
    """A township code is 6 to 12 digits (the 9-digit township code of GB/T 10114, or the 12-digit
    statistical division code); ``1.40525E+08`` or ``140525100.0`` (what a spreadsheet makes of a
    number) would name no township and be printed wrong."""
    bad = ~code.str.fullmatch(r"\d{6,12}") & (code != "")
    out.rows(fname, "code", bad, lambda i: f"'{show(code[i])}' is not a township code (6 to 12 digits, e.g. "
                                           f"140525100); {_code_hint(code[i])}")


#: Tables whose rows may all be absent: the measure then did not take place (reported as such).
OPTIONAL_ROWS = frozenset({"heating_retrofits", "vehicles", "freight", "sites", "county_tasks",
                           "emergency_inspections"})


def empty_table_problem(name: str, fname: str) -> str | None:
    """The message for a table with a header but no data rows (None when that is allowed)."""
    if name in OPTIONAL_ROWS:
        return None
    return ("has a header but no data rows; fill in the rows (see data/README.md)"
            + (" — every other table refers to the townships listed here, so fix this first"
               if name == "townships" else ""))


#: The keys of ``season.yaml`` that zzeval reads (data/README.md); another key is kept as a note,
#: unless it is a near spelling of one of these (then it is refused with a "did you mean").
SEASON_KEYS = frozenset({"title", "season", "synthetic", "weather_model", "notices", "notes_zh", "notes_en", "confirmed",
                         "county", "map", "seed", "generator", "generator_version", "n_townships", "calibration",
                         "generator_parameters"})


def read_season_yaml(path: Path, season: str, out: Collector) -> dict:
    """``season.yaml`` as a dict, checked: a mapping, UTF-8 or GBK, ``synthetic`` a boolean,
    ``season`` the one asked for. Problems go to ``out``; an unusable file gives ``{}``."""
    name = path.name
    if path.is_dir() or not_a_regular_file(path):
        out.add(name, None, None, not_a_regular_file(path) or "is a folder, not a YAML file")
        return {}
    decoded = decode_text(path.read_bytes())
    if isinstance(decoded, DecodeFailure):
        out.add(name, decoded.row, None, decoded.message)
        return {}
    try:
        meta = load_yaml_strict(decoded[0])
    except yaml.YAMLError as exc:
        out.add(name, None, None, f"not valid YAML: {yaml_problem(exc)}")
        return {}
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        out.add(name, None, None, f"must be a mapping of keys to values (title: …, synthetic: true), got a "
                                  f"{type(meta).__name__} ('{show(meta)}')")
        return {}
    meta = {k if isinstance(k, str) else str(k): v for k, v in meta.items()}  # `2021:`, `yes:`, `~:` are notes too
    for key in meta:  # a misspelt key is silently ignored otherwise: weather_modle, synthetc (review 4)
        meant = None if key in SEASON_KEYS else closest(str(key), SEASON_KEYS, cutoff=0.85)
        if meant:
            out.add(name, None, str(key), f"unknown key '{show(key)}': did you mean '{meant}'? (zzeval reads "
                                          f"{', '.join(sorted(SEASON_KEYS))}; other keys are kept as notes)")
    synthetic = meta.get("synthetic", False)
    if not isinstance(synthetic, bool):
        out.add(name, None, "synthetic", f"must be true or false without quotes, got '{show(synthetic)}' "
                                         f"({type(synthetic).__name__})")
    written = str(meta.get("season") or "")
    first, _, second = written.partition("-")
    if written and not (first.isdigit() and second.isdigit() and int(second) == int(first) + 1):
        out.add(name, None, "season", f"'{show(written)}' is not a season: write the autumn-winter season as two "
                                      f"consecutive years, the first one first, like {season}")
    elif written and written != season:
        out.add(name, None, "season", f"the folder holds season {show(written)} but season {season} was asked for")
    if "notices" in meta and not isinstance(meta["notices"], list):
        out.add(name, None, "notices", "must be a list of sentences")
    return meta


#: Pollutants every township report shows for both seasons (the § 二十二 PM2.5 indicator; the
#: daily PM2.5 and PM10 figures): each township needs values of each in each season.
REPORTED_POLLUTANTS = ("PM2.5", "PM10")


def season_year(ts: pd.Series) -> pd.Series:
    """Per hour-ending stamp, the first year of the autumn-winter season it falls in (the hour
    stamped 1 April 00:00 belongs to 31 March); NaN in April … September."""
    shifted = ts - pd.Timedelta(hours=1)
    month = shifted.dt.month
    year = shifted.dt.year - (month <= 3).astype(float)
    return year.where((month >= 10) | (month <= 3))


def season_first_year(times) -> np.ndarray:
    """The first year of the season (October to March) of each time (a July-to-June year)."""
    times = pd.DatetimeIndex(times)
    return (times.year - (times.month < 7)).to_numpy()


def season_years(ts: pd.Series) -> set:
    """The first years of the seasons the stamps ``ts`` fall in (:func:`season_year`)."""
    return {int(y) for y in season_year(ts).dropna().unique()}


def check_buildable(tables: dict[str, pd.DataFrame], fnames: dict[str, str], period, out: Collector) -> list[str]:
    """What the evaluation needs to report on every township (validate = buildable):

    * each township has a station, and PM2.5 and PM10 values in both seasons (the § 二十二
      indicator and the report's daily figures);
    * each township has dustfall in the assessed season;
    * the county has meteorology in both seasons (the weather adjustment compares them).

    Problems go to ``out`` in the words the report would use; returns notes for the user (a township
    without one of the composite index's six pollutants).
    """
    townships, stations = tables.get("townships"), tables.get("stations")
    if townships is None or stations is None or tables.get("air_quality") is None:
        return []
    names = dict(zip(townships["slug"], townships["name_zh"], strict=True))
    seasons = {"current": period, "previous": period.previous}
    station_township = dict(zip(stations["station_code"], stations["township"], strict=False))
    have = {(station_township.get(station), pollutant, year) for station, pollutant, year in out.coverage}
    for slug, name in names.items():
        if not (stations["township"] == slug).any():
            out.add(fnames["stations"], None, "township",
                    f"township {name} ({slug}) has no monitoring station; the reports assess air quality per "
                    "township: add its station(s) here and their hourly values to air_quality")
            continue
        for pollutant in REPORTED_POLLUTANTS:
            for which, p in seasons.items():
                if (slug, pollutant, p.first_year) not in have:
                    out.add(fnames["air_quality"], None, "pollutant",
                            f"no {pollutant} values for township {name} ({slug}) in the {which} season {p.name}; "
                            f"the reports compare the two seasons' {pollutant}: add the hourly values of its "
                            "station(s)")
    notes = index_pollutant_notes(names, have, seasons, fnames["air_quality"])
    if out.o3_8h_rows:  # hostile review 9A, M1: they were ignored without a word
        notes.insert(0, f"{fnames['air_quality']}: {out.o3_8h_rows:,} rows of pollutant O3_8h are not read: the "
                     "evaluation computes the 8-hour O3 (the daily maximum 8-hour mean, HJ 663-2013) from the hourly "
                     "O3 values (pollutant O3): only those count in the AQI, the share of good days and the "
                     "composite index")
    from zzeval.season.dustfall import check_dustfall_measured  # it imports this module

    check_dustfall_measured(tables, fnames, names, period, out)
    _check_measures(tables, fnames, names, out)
    if tables.get("meteorology") is not None:
        for which, p in seasons.items():
            if p.first_year not in out.met_seasons:
                out.add(fnames["meteorology"], None, "datetime",
                        f"no meteorology in the {which} season {p.name}; the weather-adjusted change compares "
                        "both seasons' weather: add the hourly observations")
    return notes


def _check_measures(tables, fnames, names: dict, out: Collector) -> None:
    """Each township needs a row in at least one measure table (its report's emission section)."""
    with_rows = set()
    for name in ("heating_retrofits", "vehicles", "freight"):
        if tables.get(name) is not None:
            with_rows |= set(tables[name]["township"])
    for slug, name in names.items():
        if slug not in with_rows:
            out.add(fnames["heating_retrofits"], None, "township",
                    f"township {name} ({slug}) has no row in heating_retrofits, vehicles or freight; its report's "
                    "emission section needs at least one measure: add the rows of the measures carried out there")
