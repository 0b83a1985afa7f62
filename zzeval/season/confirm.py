"""Judgement checks and their one way through (issue 13: genuine data is not refused without a way
through). A judgement check refuses values that are suspicious but possible: a firm moving a few
hundred tonnes a year looks like 万t, a winter rising steadily to the spring dust looks like running
totals. The clerk who has checked such values against the records names them in ``season.yaml``::

    confirmed:
      freight_scale: [泽州某小型建材公司]       # the enterprise, as in freight.csv
      dustfall_running_total: [nancun 2020-2021]  # township slug and season

and the refusal becomes a notice of ``zzeval validate`` (the values are used as written). Each
refusal of a judgement check ends with the exact line to add; a confirmation that names nothing the
check refused is a notice too (a misspelt name keeps the refusal). ``data/README.md`` ("Confirming a
judgement check") documents the checks and their subjects; hard contradictions (a date after the
season, households above the township's) are never confirmable.
"""

from __future__ import annotations

import json

import pandas as pd

from zzeval.season.checks import Collector
from zzeval.season.keys import key_text
from zzeval.season.parsing import closest, show

#: The judgement checks a ``confirmed:`` section may name, and what names one of their subjects. Each has
#: its words for the reports in ``reference/labels.yaml`` (``confirmed.<check>``, zh and en: what was
#: confirmed and why it looked suspicious; :func:`zzeval.report.story.confirmations_text`).
JUDGEMENT_CHECKS = {
    "dustfall_running_total": "township slug and season, 'nancun 2020-2021'",
    "dustfall_year_to_date": "township slug and season, 'nancun 2020-2021'",
    "dustfall_copy": "the two township seasons, 'nancun 2020-2021 dadonggou 2020-2021'",
    "dustfall_low": "township slug and season, 'nancun 2020-2021'",
    "heating_share": "township slug, 'nancun'",
    "township_name": "the township's code, as in townships.csv, '140525100'",
    "township_slug": "the township's code, as in townships.csv, '140525100'",
    "cut_fractions": "township slug, 'nancun'",
    "freight_scale": "enterprise, as in freight.csv",
    "freight_reversed": "'all' (the whole freight table)",
    "im_all_passed": "'all' (the whole tasks table)",
    "im_township_all_passed": "township slug, 'nancun'",
    "heating_over_target": "township slug and retrofit type, 'nancun coal_to_gas'",
    "heating_repeated_batch": "township slug, retrofit type and the later batch's date, 'nancun coal_to_electricity "
                              "2020-11-20'",
    "heating_swapped": "township slug, 'nancun'",
    "vehicle_fleet": "township slug, 'nancun'",
    "diesel_plug_in_hybrid": "township slug and vehicle class, 'nancun bus'",
    "subsidy_standard": "township slug and retrofit type, 'nancun coal_to_gas'",
    "scrappage_standard": "township slug, vehicle class and emission standard, 'nancun heavy_truck China3'",
    "sheet_copy": "the table and the two township slugs, 'vehicles nancun xiacun'",
    "target_scale": "township slug and task, 'nancun dustfall_t_km2_month'",
    "replacement_distance": "the replacing station's code, as in stations.csv, 'ZZ103'",
    "replacement_step": "the replacing station's code, as in stations.csv, 'ZZ103'",
    "aq_stuck": "station code, pollutant and the days of one spell as the refusal writes them, 'ZZ101 PM2.5 "
                "2020-11-16..2021-01-28' (the season, 'ZZ101 PM2.5 2020-2021', for a spell of the whole season only)",
    "aq_month_level": "station code, pollutant and month, 'ZZ101 PM2.5 2020-12'",
    "aq_day_level": "station code, pollutant and the days of the run as the refusal writes them, 'ZZ101 PM2.5 "
                    "2020-12-01..2020-12-14'",
    "aq_persistence": "station code, pollutant and the days of one spell as the refusal writes them, 'ZZ101 PM2.5 "
                      "2020-12-01..2021-01-14' (the season, 'ZZ101 PM2.5 2020-2021', for a spell of the whole season "
                      "only)",
    "weather_stuck": "station code (or county), column and the days of one spell as the refusal writes them, 'county "
                     "rh_pct 2020-12-27..2021-02-07' (the season, 'county rh_pct 2020-2021', for a spell of the whole "
                     "season only)",
    "weather_precip_total": "station code (or county) and season of meteorology, 'county 2019-2020'",
    "weather_precip_tenths": "station code (or county) and season of meteorology, 'county 2019-2020'",
    "weather_precip_accumulated": "station code (or county) and season of meteorology, 'county 2019-2020'",
    "weather_wind_unit": "station code (or county) and season of meteorology, 'county 2019-2020'",
    "weather_wind_month_unit": "station code (or county) and the months as the refusal writes them, 'county "
                               "2019-10 2019-11'",
    "weather_wind_site": "station code and its two seasons of meteorology, 'ZZ101 2019-2021'",
    "weather_month_level": "station code (or county), column and the months as the refusal writes them, 'county "
                           "temperature_c 2020-12 2021-01 2021-02'",
    "weather_day_level": "station code (or county), column and the days as the refusal writes them, 'county "
                         "temperature_c 2020-12-16..2021-02-15'",
    "aq_season_level": "pollutant and the two seasons of air_quality, 'PM2.5 2019-2021'",
    "aq_pm_co_ratio": "station code (or 'all' for a spell at every station), pollutant and the days as the refusal "
                      "writes them, 'all PM2.5 2021-01-04..2021-01-17'",
    "weather_clock": "station code (or county) and season of meteorology, 'county 2019-2020'",
    "aq_clock": "the season of air_quality whose daily cycle is shifted, '2019-2020'",
}

#: The key of ``season.yaml`` that holds the confirmations.
KEY = "confirmed"


def read_confirmed(meta: dict, fname: str, out: Collector) -> None:
    """``season.yaml``'s ``confirmed`` section, checked, into ``out.confirmed`` (check -> subject -> times
    used): a mapping of :data:`JUDGEMENT_CHECKS` names to lists of subjects (one subject may be given as a
    plain string)."""
    section = meta.get(KEY)
    if section is None:
        return
    if not isinstance(section, dict):
        out.add(fname, None, KEY, "must be a mapping of check names to lists of what was checked, like "
                                  "'confirmed: {freight_scale: [泽州某小型建材公司]}' (data/README.md)")
        return
    for check, subjects in section.items():
        if check not in JUDGEMENT_CHECKS:
            meant = closest(str(check), list(JUDGEMENT_CHECKS), cutoff=0.6)
            hint = f"did you mean '{meant}'? " if meant else ""
            out.add(fname, None, KEY, f"'{show(check)}' is not a check that can be confirmed: {hint}the checks are "
                                      f"{', '.join(JUDGEMENT_CHECKS)} (data/README.md)")
            continue
        items = [subjects] if isinstance(subjects, str) else subjects
        if not isinstance(items, list) or not all(isinstance(s, str | int) for s in items):
            out.add(fname, None, KEY, f"{check}: give a list of names ({JUDGEMENT_CHECKS[check]}), got "
                                      f"'{show(subjects)}'")
            continue
        # compared as keys are (NFKC: full-width brackets and letters as half-width; hostile review 8A finding 13)
        out.confirmed.setdefault(check, {}).update({key_text(s): 0 for s in items})


#: Characters that end or change a plain YAML scalar in a flow list (a name holding one is quoted).
YAML_SPECIAL = set(":,[]{}#&*!|>'\"%@`")


def how_to_confirm(check: str, subject: str) -> str:
    """The tail of a judgement check's message: what a clerk who checked the values writes."""
    shown = json.dumps(subject, ensure_ascii=False) if YAML_SPECIAL & set(subject) else subject
    return (f"; if the figures are genuine (checked against the records), confirm them in season.yaml with "
            f"'{KEY}: {{{check}: [{shown}]}}' (data/README.md, 'Confirming a judgement check')")


def is_confirmed(out: Collector, check: str, subject: str) -> bool:
    """Whether ``season.yaml`` confirms ``subject`` for ``check`` (counted as used)."""
    subjects = out.confirmed.get(check, {})
    key = key_text(subject)
    if key not in subjects:
        return False
    subjects[key] += 1
    return True


def judge(out: Collector, check: str, subject: str, where: tuple[str, int | None, str | None], message: str) -> None:
    """One refusal of a judgement check: a problem ending with :func:`how_to_confirm`, or, when
    ``season.yaml`` confirms ``subject``, a notice (``where``: file, spreadsheet row, column)."""
    file, row, column = where
    if is_confirmed(out, check, subject):
        place = f"{file}" + (f", row {row}" if row is not None else "") + (f", column '{column}'" if column else "")
        out.notes.append(f"{place}: confirmed in season.yaml ({check}: {subject}), used as written: {message}")
    else:
        out.add(file, row, column, message + how_to_confirm(check, subject))


def judge_rows(out: Collector, check: str, file: str, column: str, mask: pd.Series, subject: pd.Series,
               message) -> None:
    """Row by row (:meth:`Collector.rows`): the rows of ``mask`` whose ``subject`` is confirmed become
    one notice per subject, the others problems whose message ends with :func:`how_to_confirm`."""
    confirmed, noted = pd.Series(False, index=mask.index), set()
    for label in mask.index[mask.to_numpy(dtype=bool)]:
        name = str(subject[label])
        confirmed[label] = is_confirmed(out, check, name)
        if confirmed[label] and name not in noted:  # one notice per subject, on its first row
            noted.add(name)
            out.notes.append(f"{file}, row {int(label) + 2}, column '{column}': confirmed in season.yaml ({check}: "
                             f"{name}), used as written: {message(label)}")
    out.rows(file, column, mask & ~confirmed, lambda i: message(i) + how_to_confirm(check, str(subject[i])))


def unused_confirmations(out: Collector, fname: str) -> None:
    """A notice for each confirmed subject that no refusal named (a misspelt name, or values corrected)."""
    for check, subjects in out.confirmed.items():
        for subject, used in subjects.items():
            if not used:
                out.notes.append(f"{fname}: '{KEY}' lists {check}: {show(subject)}, but the check refuses nothing of "
                                 f"that name ({JUDGEMENT_CHECKS[check]}); check the spelling, or remove it")


#: The key of a loaded season's ``meta`` that lists the confirmations in force (:func:`confirmations_in_force`).
IN_FORCE = "confirmations"


def confirmations_in_force(confirmed: dict, tables: dict) -> list[dict]:
    """The confirmations of ``season.yaml`` that a judgement check used (values used as written because
    the bureau confirmed them), in the order written: ``{"check", "subject", "townships"}``, ``townships``
    the slugs the subject names (a township slug, a township's code, a station's code: its township, an
    enterprise of freight.csv: its township); empty for a county-wide subject ('county', 'all', a season).
    For summary.json, the build log and the pages (a confirmation nothing used changes nothing: left out)."""
    townships, stations, freight = (tables.get(name) for name in ("townships", "stations", "freight"))
    by_token: dict[str, str] = {}
    if townships is not None and {"slug", "code"} <= set(townships.columns):
        for slug, code in zip(townships["slug"], townships["code"], strict=True):
            by_token[key_text(slug)] = by_token[key_text(code)] = str(slug)
    if stations is not None and {"station_code", "township"} <= set(stations.columns):
        by_token.update({key_text(code): str(slug) for code, slug in zip(stations["station_code"],
                                                                        stations["township"], strict=True)})
    firms = {} if freight is None or not {"enterprise", "township"} <= set(freight.columns) else {
        key_text(firm): str(slug) for firm, slug in zip(freight["enterprise"], freight["township"], strict=True)}
    found = []
    for check, subjects in confirmed.items():
        for subject, used in subjects.items():
            if not used:
                continue
            names = [firms[subject]] if subject in firms else [by_token[w] for w in subject.split() if w in by_token]
            found.append({"check": check, "subject": subject, "townships": list(dict.fromkeys(names))})
    return found
