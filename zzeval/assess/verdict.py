"""The verdict of plan § 二十二 per township: on track, warning letter (预警通知函) or interview (约谈).

The rules live in ``zzeval/reference/verdict_rules.yaml`` (documented there); this module
only reads them, checks them, and applies them to a table of indicators. A bureau that
reads § 二十二 differently changes the YAML, not code. The words a reader sees (verdict
levels, reasons, units, why a rule is undecided) come from the one label catalogue,
:mod:`zzeval.i18n` (``reference/labels.yaml``).

Each rule ends in one of four outcomes for a township:

* **fired** — the rule's condition holds: it is a reason of the verdict;
* **passed** — it does not hold;
* **undecided** (待定) — the evidence cannot say: the air-quality statistic it reads fails the
  GB 3095-2012 § 8 / HJ 663-2013 completeness rules (``statistic: air``), or, for a rule on the
  weather-adjusted change (``evidence: interval``), the 95 % interval straddles the threshold
  or the weather model says the change cannot be separated from the weather;
* **no data** — the township has no value (e.g. no freight firms).

Only fired rules set the verdict; undecided rules are listed beside it, with the reason.
"""

from __future__ import annotations

import copy
import functools
import math
import operator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from zzeval.errors import ZzevalError
from zzeval.i18n import format_quantity, labels, t, t_or, verdict_label
from zzeval.resources import reference_yaml

_OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
DEFAULT_RULES = "verdict_rules.yaml"
#: Verdict levels in order of severity (plan § 二十二); ``fail`` is for falsified data.
LEVELS = ("on_track", "warning", "interview", "fail")
#: Outcomes of one rule for one township.
OUTCOMES = ("fired", "passed", "undecided", "no_data")
#: The indicators a rule may read: the numeric columns of ``Evaluation.indicators``
#: (:func:`zzeval.assess.progress.township_indicators` and the air-quality indicators of
#: :mod:`zzeval.assess.evaluate`); tests/test_evaluate.py checks that the two agree: a new indicator
#: goes here too, or a season's own rule on it is refused as unknown.
INDICATORS = frozenset({
    # task progress, counted from the season's tables
    "heating_planned_households", "heating_done_households", "heating_completion_pct", "clean_coal_completion_pct",
    *(f"heating_{what}_{kind}" for what in ("planned", "done")
      for kind in ("coal_to_electricity", "coal_to_gas", "waste_heat", "clean_coal")),
    "clean_heated_before_households", "clean_heating_coverage_pct", "loose_coal_violation_pct",
    "china3_trucks_before", "china3_trucks_remaining", "obd_coverage_pct", "nev_public_fleet_pct",
    "nev_share_bus_pct", "nev_share_taxi_pct", "nev_share_sanitation_pct", "im_pass_rate_pct",
    "coal_boilers_remaining", "scattered_firms_remaining", "straw_fire_points", "rail_share_coal_coke_pct",
    "rail_share_coal_coke_before_pct", "dustfall_mean_t_km2_month", "dustfall_months_over_9",
    "dustfall_max_month_t_km2_month", "dustfall_mean_prev_t_km2_month",
    # firms and sites of plan §§ 九, 十, 十一, 十四, 十五 (tables freight and sites)
    "n_power_firms", "power_clean_transport_pct", "n_siding_firms", "siding_firms_rail_pct", "n_sidings_due",
    "sidings_overdue", "n_steel_plant", "steel_ule_assessed_pct", "n_kiln_firm", "kiln_fugitive_done_pct",
    "n_vocs_firm", "vocs_bypass_inventoried_pct", "n_open_pit_mine", "open_pit_mines_rectified_pct",
    "n_gangue_hill", "gangue_hills_issues",
    # inspections of the performance-graded emergency reductions, plan § 三 (table emergency_inspections)
    "emergency_compliance_pct", "emergency_inspections", "emergency_inspections_failed", "n_emergency_firms",
    # air quality: the season statistics (``_prev`` = the previous season) and the changes
    *(f"{name}{suffix}" for name in ("pm25_mean_ugm3", "pm10_mean_ugm3", "heavy_days", "severe_days",
                                     "baobiao_days", "good_day_ratio_pct", "comprehensive_index", "valid_days")
      for suffix in ("", "_prev")),
    "heavy_days_change", "comprehensive_index_change_pct", "good_day_ratio_change_pp", "longest_gap_days",
    *(f"valid_days_{s}{suffix}" for s in ("PM2.5", "PM10", "SO2", "NO2", "CO", "O3_8h_max") for suffix in ("", "_prev")),
    *(f"{tag}_{name}" for tag in ("pm25", "pm10")
      for name in ("change_obs_pct", "change_adj_pct", "change_adj_low_pct", "change_adj_high_pct",
                   "model_r2_cv", "weather_effect_pct")),
})


#: The season statistics of the AQI's six pollutants (:mod:`zzeval.airquality.airstats`); the indicators carry
#: ``statistics_valid_<s>`` (GB 3095-2012 § 8 in both seasons) and ``valid_days_<s>`` (``_prev``) of each
STATISTICS = ("PM2.5", "PM10", "SO2", "NO2", "CO", "O3_8h_max")
_POLLUTANT = {"O3_8h_max": "O3"}


def air_statistics(indicator: str) -> tuple[str, ...]:
    """The statistics an air-quality indicator is computed from, whose GB 3095-2012 § 8 validity is its own
    (validity is per pollutant, § 8): a PM2.5 (PM10) figure PM2.5's (PM10's); the AQI's figures (爆表 and
    heavy days, the share of good days) and the composite index all six (hostile re-review A, N3)."""
    if indicator.startswith("pm25_"):
        return ("PM2.5",)
    if indicator.startswith("pm10_"):
        return ("PM10",)
    return STATISTICS


def invalid_statistics(indicator: str, row: dict) -> list[str] | None:
    """The statistics of ``indicator`` that fail GB 3095 § 8 for the township of ``row``: [] when all are
    valid; None when the row has no per-statistic validity (then ``statistics_valid`` decides)."""
    stats = air_statistics(indicator)
    if not all(f"statistics_valid_{s}" in row for s in stats):
        return None
    return [s for s in stats if not _missing(row[f"statistics_valid_{s}"]) and not bool(row[f"statistics_valid_{s}"])]


@dataclass(frozen=True)
class Rule:
    """One verdict rule (see ``verdict_rules.yaml`` for the keys)."""

    id: str
    level: str
    indicator: str
    op: str
    threshold: float | str
    default: float | None
    task: str
    evidence: str = "point"
    statistic: str = ""
    interval: tuple[str, str] | None = None
    zh: str | None = None
    en: str | None = None
    slack: float = 0.0

    def threshold_for(self, targets: dict[str, float]) -> float | None:
        """The numeric threshold for one township (its target, or the default), moved by
        ``slack`` towards the side that does not fire (a target of 100 % with slack 2 fires
        below 98 %)."""
        if isinstance(self.threshold, str):
            task = self.threshold.removeprefix("target:")
            value = targets.get(task, self.default)
            if value is None or pd.isna(value):
                return None
            value = float(value)
        else:
            value = float(self.threshold)
        return value - self.slack if self.op in ("<", "<=") else value + self.slack

    def text(self, lang: str, **fields: object) -> str:
        """The reason in ``lang``: the rule file's own text if it has one, else the catalogue's
        ``reason.<id>``."""
        own = self.zh if lang == "zh" else self.en
        if own:
            return own.format(**fields)
        return t(f"reason.{self.id}", lang, **fields)


@dataclass
class RuleSet:
    levels: dict[str, dict]
    rules: list[Rule]
    units: dict[str, str]
    source: str

    def unit(self, indicator: str) -> str:
        """The indicator's unit: a catalogue key (``vehicles``) or a literal (``%``)."""
        return str(self.units.get(indicator, ""))

    def label(self, level: str, lang: str) -> str:
        """The level in words, from the catalogue (``verdict.<level>``)."""
        return verdict_label(level, lang)

    def rules_for_task(self, task: str) -> list[Rule]:
        return [r for r in self.rules if r.task == task]


def _rule(raw: dict, where: str) -> Rule:
    missing = [k for k in ("id", "level", "indicator", "op", "threshold", "task") if k not in raw]
    if missing:
        raise ZzevalError(f"{where}: missing key(s) {', '.join(missing)}")
    if raw["level"] not in ("warning", "interview"):
        raise ZzevalError(f"{where}: level must be 'warning' or 'interview', got {raw['level']!r}")
    if raw["op"] not in _OPS:
        raise ZzevalError(f"{where}: op must be one of {' '.join(_OPS)}, got {raw['op']!r}")
    threshold = raw["threshold"]
    if isinstance(threshold, str) and not threshold.startswith("target:"):
        raise ZzevalError(f"{where}: threshold must be a number or 'target:<task>', got {threshold!r}")
    evidence = raw.get("evidence", "point")
    interval = raw.get("interval")
    if evidence not in ("point", "interval"):
        raise ZzevalError(f"{where}: evidence must be 'point' or 'interval', got {evidence!r}")
    if evidence == "interval" and (not isinstance(interval, list) or len(interval) != 2):
        raise ZzevalError(f"{where}: evidence 'interval' needs interval: [low column, high column]")
    if not (raw.get("zh") and raw.get("en")) and f"reason.{raw['id']}" not in labels():
        raise ZzevalError(f"{where}: no reason text: give zh and en, or add reason.{raw['id']} to the "
                          "label catalogue")
    return Rule(raw["id"], raw["level"], raw["indicator"], raw["op"], threshold, raw.get("default"),
                str(raw["task"]), evidence, str(raw.get("statistic", "")),
                tuple(interval) if interval else None, raw.get("zh"), raw.get("en"), float(raw.get("slack", 0)))


@functools.lru_cache(maxsize=8)
def _parsed_yaml(text: str):
    """The YAML document of a rule file's text, parsed once per process: a township report reads
    the rules ten times (its task table's tolerance texts), and parsing the file was ~15 ms a time."""
    return yaml.safe_load(text) or {}


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Read and check a verdict-rule file (the shipped one when ``path`` is None).

    Raises
    ------
    ZzevalError
        Naming the file, the rule and the key that is wrong.
    """
    if path is None:
        parsed = reference_yaml(DEFAULT_RULES) or {}  # a YAML error: file, line, column (exit 2)
        source = f"zzeval/reference/{DEFAULT_RULES}"
    else:
        parsed = _parsed_yaml(Path(path).read_text(encoding="utf-8"))
        source = str(path)
    doc = copy.deepcopy(parsed)  # a caller may change its RuleSet: never the cached one
    levels = doc.get("levels") or {}
    for key in ("on_track", "warning", "interview"):
        if key not in levels:
            raise ZzevalError(f"{source}: 'levels' must define on_track, warning and interview (missing {key})")
    rules = [_rule(raw, f"{source}: rule {n} ({raw.get('id', '?')})")
             for n, raw in enumerate(doc.get("rules") or [], start=1)]
    # a file without (some of) the shipped ``units:`` falls back on the shipped units: a reason never prints a bare
    # number where the shipped rules print "85.6 %" (hostile review s14-hostA, N46)
    units = dict((reference_yaml(DEFAULT_RULES) or {}).get("units") or {}) if path is not None else {}
    units.update(doc.get("units") or {})
    return RuleSet(levels=levels, rules=rules, units={str(k): str(v) for k, v in units.items()}, source=source)


def format_value(value: float, unit: str, signed: bool = False, lang: str = "zh") -> str:
    """A number with its unit as reports show it (``+3.2 %``, ``−4.0 %``, ``12 辆``): the one
    formatter, :func:`zzeval.i18n.format_quantity`."""
    return format_quantity(value, unit, lang, signed=signed)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def judge(rule: Rule, row: dict, threshold: float | None) -> tuple[str, str]:
    """The outcome of ``rule`` for one township's indicator ``row``: (outcome, why), where
    ``why`` is a catalogue key suffix for an undecided outcome (``validity``, ``interval``,
    or the weather model's ``separable_reason``)."""
    value = row.get(rule.indicator)
    comparable = row.get("stations_comparable", True)  # a change on different stations (zzeval.assess.comparable)
    if rule.statistic == "air" and "change" in rule.indicator and not _missing(comparable) and not bool(comparable):
        return "undecided", "no_common_station"
    if _missing(value) or threshold is None:
        return "no_data", ""
    if rule.statistic == "air":
        invalid = invalid_statistics(rule.indicator, row)
        if invalid or (invalid is None and not bool(row.get("statistics_valid", True))):
            return "undecided", "validity"
    test = _OPS[rule.op]
    if rule.evidence == "interval":
        separable = row.get(f"{rule.indicator}_separable")
        if separable is not None and not _missing(separable) and not bool(separable):
            reason = str(row.get(f"{rule.indicator}_separable_reason") or "not_separable")
            return "undecided", reason
        low, high = row.get(rule.interval[0]), row.get(rule.interval[1])
        if _missing(low) or _missing(high):
            return "undecided", "interval"
        both, neither = test(float(low), threshold) and test(float(high), threshold), \
            not test(float(low), threshold) and not test(float(high), threshold)
        if both:
            return "fired", ""
        return ("passed", "") if neither else ("undecided", "interval")
    return ("fired", "") if test(float(value), threshold) else ("passed", "")


def _signed(indicator: str) -> bool:
    return "change" in indicator


def undecided_text(rule: Rule, row: dict, threshold: float, why: str, unit: str, lang: str) -> str:
    """Why ``rule`` is undecided, in words (catalogue ``undecided.<why>``)."""
    value = row.get(rule.indicator)
    fields = {"value": format_quantity(float(value), unit, lang, signed=_signed(rule.indicator)),
              "threshold": format_quantity(threshold, unit, lang, signed=_signed(rule.indicator)),
              "valid_days": format_quantity(row.get("valid_days"), "days", lang),
              "valid_days_prev": format_quantity(row.get("valid_days_prev"), "days", lang),
              "longest_gap": format_quantity(row.get("longest_gap_days"), "days", lang)}
    if rule.interval:
        fields["low"] = format_quantity(row.get(rule.interval[0]), unit, lang, signed=True)
        fields["high"] = format_quantity(row.get(rule.interval[1]), unit, lang, signed=True)
    key = f"undecided.{why}" if f"undecided.{why}" in labels() else "undecided.not_separable"
    invalid = invalid_statistics(rule.indicator, row) if why == "validity" else None
    if invalid:  # name the pollutants that fail and their valid days (re-review A, N3), alike days once
        days: dict[tuple, list[str]] = {}
        for s in invalid:
            days.setdefault((format_quantity(row.get(f"valid_days_{s}"), "days", lang),
                             format_quantity(row.get(f"valid_days_{s}_prev"), "days", lang)), []).append(_POLLUTANT.get(s, s))
        key, fields["pollutants"] = "undecided.validity_of", t("ci.separator", lang).join(
            t("undecided.validity_pollutant", lang, pollutant="/".join(names), valid_days=now, valid_days_prev=prev)
            for (now, prev), names in days.items())
    what = t("undecided.what", lang, task=t_or(f"task.{rule.task}", rule.task, lang), value=fields["value"])
    return t("undecided.item", lang, rule=what, why=t(key, lang, **fields))


def apply_rules(indicators: pd.DataFrame, targets: pd.DataFrame, rules: RuleSet,
                lang: str = "zh") -> pd.DataFrame:
    """Apply the rules to every township.

    Parameters
    ----------
    indicators : DataFrame
        One row per township, column ``township`` (slug) and one column per indicator;
        ``statistics_valid`` (GB 3095 completeness) and, for interval rules, the interval
        columns the rule names.
    targets : DataFrame
        The season's ``targets`` table (township, task, target).
    rules : RuleSet
    lang : {"zh", "en"}
        Language of the reasons.

    Returns
    -------
    DataFrame
        One row per township: ``township``, ``verdict`` (on_track / warning / interview),
        ``verdict_label``, ``reasons`` (list of str, most severe first), ``rules_fired`` (rule
        ids, parallel to ``reasons``), ``reason_tasks`` (the task-table row of each reason),
        ``undecided`` (list of str: rule and why), ``rules_undecided``, ``data_valid`` (bool)
        and ``checks`` (one dict per rule: ``rule``, ``task``, ``level``, ``outcome``,
        ``threshold``, ``why``).
    """
    by_township = {tw: dict(zip(g["task"], g["target"], strict=True)) for tw, g in targets.groupby("township")}
    rank = {name: int(spec["rank"]) for name, spec in rules.levels.items()}
    rows = []
    for row in indicators.to_dict("records"):
        slug = row["township"]
        fired: list[tuple[int, Rule, str]] = []
        undecided: list[tuple[Rule, str]] = []
        checks = []
        for rule in rules.rules:
            threshold = rule.threshold_for(by_township.get(slug, {}))
            outcome, why = judge(rule, row, threshold)
            checks.append({"rule": rule.id, "task": rule.task, "level": rule.level, "outcome": outcome,
                           "threshold": threshold, "op": rule.op, "why": why})
            unit = rules.unit(rule.indicator)
            if outcome == "fired":
                signed = _signed(rule.indicator)
                text = rule.text(lang, value=format_quantity(float(row[rule.indicator]), unit, lang, signed=signed),
                                 threshold=format_quantity(threshold, unit, lang, signed=signed))
                fired.append((rank[rule.level], rule, text))
            elif outcome == "undecided":
                undecided.append((rule, undecided_text(rule, row, threshold, why, unit, lang)))
        fired.sort(key=lambda item: -item[0])
        # one reason per indicator: the most severe rule that fired on it (e.g. heating < 85 %
        # already says more than heating < 95 %)
        seen: set[str] = set()
        fired = [f for f in fired if not (f[1].indicator in seen or seen.add(f[1].indicator))]
        seen_u: set[str] = set()
        undecided = [u for u in undecided if not (u[0].indicator in seen_u or seen_u.add(u[0].indicator))]
        verdict = max((f[1].level for f in fired), key=lambda lv: rank[lv], default="on_track")
        rows.append({
            "township": slug,
            "verdict": verdict,
            "verdict_label": rules.label(verdict, lang),
            "reasons": [f[2] for f in fired],
            "rules_fired": [f[1].id for f in fired],
            "reason_tasks": [f[1].task for f in fired],
            "undecided": [u[1] for u in undecided],
            "rules_undecided": [u[0].id for u in undecided],
            "data_valid": bool(row.get("statistics_valid", True)) if not _missing(row.get("statistics_valid")) else True,
            "checks": checks,
        })
    return pd.DataFrame(rows)
