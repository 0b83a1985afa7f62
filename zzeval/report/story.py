"""The verdict's story on a township page: the verdict box, the task table and the 整改要求.

One source for each fact: the verdict and its reasons come from
``Evaluation.verdicts`` (:func:`zzeval.assess.verdict.apply_rules`), the rows and their status
from ``Evaluation.progress`` (:func:`zzeval.assess.progress.task_status`), the plan's wording
from ``reference/plan_tasks.yaml``, every word from the label catalogue (:mod:`zzeval.i18n`).
So every reason points to a row of the task table, and every row that misses its target is
either a reason or shown inside the rules' tolerance, with the tolerance stated.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from IPython.display import HTML

from zzeval.assess.evaluate import Evaluation
from zzeval.assess.verdict import load_rules
from zzeval.i18n import format_number, format_quantity, t, t_or, verdict_label
from zzeval.report.present import esc
from zzeval.resources import input_floor, input_limit, plan_tasks
from zzeval.season import (
    aq_clock,
    aq_months,
    aq_season_level,
    clerical,
    dustfall,
    heating_share,
    measure_rows,
    precipitation,
    replacement_step,
    replacements,
    scrappage,
    target_values,
    weather_clock,
    wind_months,
    wind_site,
    wind_units,
)
from zzeval.season.confirm import IN_FORCE
from zzeval.season.precipitation import LONG_SPELL_HOURS
from zzeval.season.weather_clock import expected_peak_hour

#: Row tints of the task table by status (the report CSS styles ``zz-row--<tint>``).
STATUS_TINT = {"met": "good", "tolerance": "tolerance", "undecided": "undecided", "no_data": None,
               "not_applicable": None, "unjudged": None}  # not met, but no rule makes it a reason: no reason mark


def task_rows(ev: Evaluation, slug: str) -> pd.DataFrame:
    """The township's rows of the task table, numbered from 1 (``row``), in table order."""
    rows = ev.progress[ev.progress["township"] == slug].reset_index(drop=True)
    return rows.assign(row=range(1, len(rows) + 1))


def reason_rows(ev: Evaluation, slug: str, lang: str = "zh") -> list[tuple[str, str, int | None]]:
    """``(reason text, task, task-table row number)`` of each reason of the township's verdict."""
    v = ev.verdict(slug, lang)
    rows = task_rows(ev, slug).set_index("task")["row"]
    return [(text, task, int(rows[task]) if task in rows.index else None)
            for text, task in zip(v["reasons"], v.get("reason_tasks", []) or [], strict=False)]


def _tolerance_text(rule_id: str, ev: Evaluation, slug: str, lang: str) -> str:
    rules = {r.id: r for r in _rules(ev).rules}
    rule = rules.get(rule_id)
    checks = {c["rule"]: c for c in ev.verdict(slug, lang)["checks"]}
    if rule is None or rule_id not in checks:
        return ""
    threshold = format_quantity(checks[rule_id]["threshold"], _rules(ev).unit(rule.indicator), lang)
    return t("tolerance.rule", lang, op=t(f"op.{rule.op}", lang), threshold=threshold,
             level=t(f"level_short.{rule.level}", lang))


def _rules(ev: Evaluation):
    source = ev.provenance.get("verdict_rules")
    shipped = source is None or str(source).startswith("zzeval/")
    return load_rules(None if shipped else source)


def _fired_text(rule_id: str, ev: Evaluation, slug: str, lang: str) -> str:
    """The fired rule of a row whose own target is met: its operator, threshold and level."""
    rule = {r.id: r for r in _rules(ev).rules}.get(rule_id)
    checks = {c["rule"]: c for c in ev.verdict(slug, lang)["checks"]}
    if rule is None or rule_id not in checks:
        return ""
    threshold = format_quantity(checks[rule_id]["threshold"], _rules(ev).unit(rule.indicator), lang,
                                signed=_signed(rule.indicator))
    return t("fired.rule", lang, op=t(f"op.{rule.op}", lang), threshold=threshold,
             level=t(f"level_short.{rule.level}", lang))


def _is_true(value: object) -> bool:
    return isinstance(value, (bool, np.bool_)) and bool(value)


def _status_text(r, ev: Evaluation, slug: str, lang: str) -> str:
    if r.status == "reason":
        if _is_true(getattr(r, "met", None)) and getattr(r, "reason_rule", None):  # a rule stricter than the row's target fired
            return t("status.reason_met", lang, n=int(r.reason_index),
                     rule=_fired_text(r.reason_rule, ev, slug, lang))
        return t("status.reason", lang, n=int(r.reason_index))
    if r.status == "tolerance":
        return t("status.tolerance", lang, rule=_tolerance_text(r.tolerance_rule, ev, slug, lang))
    return t(f"status.{r.status}", lang)


def progress_table(ev: Evaluation, slug: str, lang: str = "zh") -> tuple[pd.DataFrame, dict, list]:
    """The task table of a township: number, task, plan section, target, achieved, status.

    Returns (table, column labels, row tints); a row that is a reason is tinted with its rule's
    level (``warning``/``interview``)."""
    v = ev.verdict(slug, lang)
    # the level of the rule that is the task's reason (a task can fire a warning and an interview
    # rule at once: 72.9 % of the heating retrofits is below both 95 % and 85 %)
    rule_level = {c["rule"]: c["level"] for c in v["checks"]}
    level_of = {task: rule_level[rule] for rule, task in
                zip(v.get("rules_fired", []), v.get("reason_tasks", []) or [], strict=False) if rule in rule_level}
    rows, tints = [], []
    for r in task_rows(ev, slug).itertuples(index=False):
        sign = "≤" if r.direction == "max" else "≥"
        target = f"{sign} {format_quantity(r.target, r.unit, lang, signed=_signed(r.task))}"
        if getattr(r, "target_from_plan", False) is True:  # the plan's class default (plan_tasks.yaml)
            cls = ev.townships.set_index("slug")["class"].get(slug, "")
            target = t("table.target_from_plan", lang, target=target, section=t("section.number", lang, n=r.section),
                       cls=t_or(f"factor_item.{cls}", cls, lang))
        rows.append({
            "row": r.row,
            "task": t_or(f"task.{r.task}", r.task, lang),
            "section": t("section.number", lang, n=r.section),
            # a task that does not apply (不涉及) has no target for this township: a dash, like its value
            "target": "\u2014" if r.status == "not_applicable" else target,
            "value": format_quantity(r.value, r.unit, lang, signed=_signed(r.task)),
            "status": _status_text(r, ev, slug, lang),
        })
        if r.status == "reason":
            tints.append(level_of.get(r.judged_by, level_of.get(r.task, "warning")))
        else:
            tints.append(STATUS_TINT.get(r.status))
    labels = {"row": "#", "task": t("table.task", lang), "section": t("table.section", lang),
              "target": t("table.target", lang), "value": t("table.achieved", lang),
              "status": t("table.status", lang)}
    return pd.DataFrame(rows), labels, tints


def task_legend(lang: str = "zh") -> HTML:
    """The key of the task table's row marks (the report CSS draws ``zz-key--<tint>`` as it draws
    ``zz-row--<tint>``): met, a reason (warning / interview), inside the tolerance, undecided."""
    keys = "".join(f'<li><span class="zz-key zz-key--{k}">{esc(t(f"task_key.{k}", lang))}</span></li>'
                   for k in TASK_KEYS)
    return HTML(f'<ul class="zz-key-list" aria-label="{esc(t("task_key.title", lang))}">'
                f'<li>{esc(t("task_key.title", lang))}</li>{keys}</ul>')


#: The row marks the task-table legend explains, in its order.
TASK_KEYS = ("good", "warning", "interview", "tolerance", "undecided")


def _signed(task: str) -> bool:
    return "change" in task


def weather_note(ev: Evaluation, slug: str, lang: str = "zh") -> str | None:
    """How much of the measured PM2.5 change the weather explains, in words (None without a
    weather-adjusted change)."""
    ind = ev.indicators.set_index("township").loc[slug]
    effect = ind.get("pm25_weather_effect_pct")
    if effect is None or pd.isna(effect):
        return None
    key = "verdict.weather_note_worse" if effect > 0 else "verdict.weather_note_better"
    return t(key, lang, pct=format_quantity(abs(effect), "%", lang),
             measured=format_quantity(ind["pm25_change_obs_pct"], "%", lang, signed=True),
             adjusted=format_quantity(ind["pm25_change_adj_pct"], "%", lang, signed=True))


def validity_text(ev: Evaluation, slug: str, lang: str = "zh") -> str | None:
    """The data-validity flag in words, or None when the township's data are valid."""
    ind = ev.indicators.set_index("township").loc[slug]
    if bool(ind.get("statistics_valid", True)):
        return None
    gap = ind.get("longest_gap_days")
    gap_text = t("verdict.validity_gap", lang, gap=format_quantity(gap, "days", lang)) if pd.notna(gap) and gap > 1 else ""
    return t("verdict.validity_box", lang, valid_days=format_quantity(ind.get("valid_days"), "days", lang),
             valid_days_prev=format_quantity(ind.get("valid_days_prev"), "days", lang),
             gap=gap_text)


#: The numbers in each ``confirmed.<check>`` label, by placeholder: the limit the check itself applies, as
#: (key of ``zzeval/reference/input_limits.csv``: the constant of the module judging the check, which its own
#: input_limit/input_floor reads, ``"max"`` or ``"min"``, how it is said: ``""`` a bare
#: number, the label writing its unit; ``"share"`` a ratio in per cent; else its unit, ``%`` or one of the
#: label catalogue, ``unit.<unit>``), or a function for a number the check takes from elsewhere. The one place a label's
#: number comes from, so a limit changed in the catalogue changes the sentence (tests/test_views.py).
CONFIRMED_NUMBERS: dict[str, dict[str, tuple[str, str, str] | Callable[[], float | str]]] = {
    "dustfall_low": {"t": (dustfall.TOWNSHIP_MEDIAN, "min", "")},
    "heating_share": {"share": (heating_share.SHARE_LIMIT, "max", "share")},
    "cut_fractions": {"pct": (clerical.CUT_FRACTION_LIMIT, "max", "%"),
                      "share": (clerical.CUT_FRACTION_SHARE, "min", "share")},
    "heating_over_target": {"ratio": (measure_rows.OVER_TARGET_LIMIT, "max", "")},
    "vehicle_fleet": {"vehicles": (measure_rows.FLEET_LIMIT, "max", "vehicles")},
    "subsidy_standard": {"yuan": (measure_rows.SUBSIDY_FLOOR, "min", "")},
    "scrappage_standard": {"yuan": (scrappage.PAYMENT_FLOOR, "min", "")},
    "target_scale": {"low": (target_values.DUSTFALL_TARGET, "min", ""),
                     "high": (target_values.DUSTFALL_TARGET, "max", "")},
    "replacement_distance": {"km": (replacements.DISTANCE_LIMIT, "max", "")},
    "replacement_step": {"ratio": (replacement_step.STEP_LIMIT, "max", "")},
    "aq_month_level": {"ratio": (aq_months.MONTH_RATIO_LIMIT, "max", "")},
    "aq_day_level": {"ratio": (aq_months.DAY_RATIO_LIMIT, "max", "")},
    "weather_precip_total": {"mm": (precipitation.SEASON_TOTAL_LIMIT, "max", "")},
    "weather_precip_accumulated": {"hours": lambda: LONG_SPELL_HOURS},
    "weather_wind_unit": {"ratio": (wind_units.SEASON_RATIO_LIMIT, "max", "")},
    "weather_wind_month_unit": {"ratio": (wind_months.MONTH_RATIO_LIMIT, "max", "")},
    "weather_wind_site": {"ratio": (wind_site.STEP_RATIO_LIMIT, "max", "")},
    "weather_clock": {"hours": (weather_clock.PEAK_TOLERANCE, "max", ""),
                      "hour": lambda: f"{round(expected_peak_hour()) % 24}:00"},  # "about 14:00": the whole hour
    "aq_clock": {"hours": (aq_clock.LAG_FLOOR, "min", "")},
    "aq_season_level": {"ratio": (aq_season_level.SEASON_RATIO_LIMIT, "max", "")},
}


def confirmed_numbers(check: str, lang: str = "zh") -> dict[str, str]:
    """The placeholders of the label ``confirmed.<check>`` filled from :data:`CONFIRMED_NUMBERS`, each number
    written as every page writes it (:func:`zzeval.i18n.format_number`, with as many decimals as it has)."""
    filled = {}
    for name, source in CONFIRMED_NUMBERS.get(check, {}).items():
        if callable(source):
            value, unit = source(), ""
            if isinstance(value, str):
                filled[name] = value
                continue
        else:
            key, side, unit = source
            value = input_limit(key) if side == "max" else input_floor(key)
        if unit == "share":
            value, unit = 100 * value, "%"
        filled[name] = (format_quantity(value, unit, lang, decimals=_decimals(value)) if unit
                        else format_number(value, _decimals(value)))
    return filled


def _decimals(value: float) -> int:
    """The fewest decimals (up to 3) that write ``value`` in full: 1,000, 1.5, 0.25."""
    return next(d for d in range(4) if round(value, d) == round(value, 3))


def confirmations_text(ev: Evaluation, lang: str = "zh", slug: str | None = None) -> str | None:
    """The one sentence saying which values rest on the bureau's confirmation in ``season.yaml`` rather
    than on passing the judgement checks (:func:`zzeval.season.confirm.confirmations_in_force`, kept in
    ``ev.meta``), or None without one: each as what was confirmed, in words (``confirmed.<check>`` of the
    label catalogue: the value and why it looked suspicious, its limits filled by :func:`confirmed_numbers`),
    then its subject in brackets (:func:`confirmed_subject`). ``slug``: only those naming that township or no
    township (county-wide, e.g. the county's meteorology); None: all of them (the county page)."""
    items = [c for c in ev.meta.get(IN_FORCE, [])
             if slug is None or not c.get("townships") or slug in c["townships"]]
    if not items:
        return None
    sep = "；" if lang == "zh" else "; "
    return t("data.confirmed", lang, items=sep.join(
        t("data.confirmed_item", lang, what=t(f"confirmed.{c['check']}", lang, **confirmed_numbers(c["check"], lang)),
          subject=confirmed_subject(ev, c, lang))
        for c in items))


def confirmed_subject(ev: Evaluation, confirmation: dict, lang: str = "zh") -> str:
    """A confirmation's subject as the bureau wrote it in ``season.yaml`` (so it can be traced there), each
    township slug in it that the evaluation knows shown as the township's name (:meth:`Evaluation.name_zh`;
    followed by the slug in English, as the English pages name a township): ``南村镇 2020-2021``."""
    known = set(ev.slugs) & set(confirmation.get("townships", []))

    def shown(word: str) -> str:
        if word not in known:
            return word
        return ev.name_zh(word) if lang == "zh" else f"{ev.name_zh(word)} {word}"

    return " ".join(shown(word) for word in confirmation["subject"].split(" "))


def verdict_box(ev: Evaluation, slug: str, lang: str = "zh") -> HTML:
    """The § 二十二 verdict at the top of a township report: the verdict, its reasons (each with
    its task-table row), the data-validity flag, the values used as written on the bureau's confirmation
    (:func:`confirmations_text`), the undecided rules and why, and how much of the
    measured change the weather explains."""
    v = ev.verdict(slug, lang)
    parts = [f'<p class="zz-banner-heading">{esc(t("verdict.heading", lang))}</p>',
             f'<p class="zz-banner-verdict"><span class="zz-banner-who">{esc(ev.name_zh(slug))}</span>'
             f'{esc(verdict_label(v["verdict"], lang))}</p>']
    flag = validity_text(ev, slug, lang)
    if flag:
        parts.append(f'<p class="zz-banner-flag"><strong>{esc(t("verdict.validity_flag", lang))}</strong> '
                     f'{esc(flag)}</p>')
    confirmed = confirmations_text(ev, lang, slug)
    if confirmed:  # values used as written on the bureau's word, beside the data-validity flag
        parts.append(f'<p class="zz-banner-note zz-confirmed">{esc(confirmed)}</p>')
    reasons = reason_rows(ev, slug, lang)
    if reasons:
        items = "".join(f"<li>{esc(text)}{esc(t('verdict.reason_row', lang, n=row) if row else '')}</li>"
                        for text, _task, row in reasons)
        parts.append(f'<p class="zz-banner-reasons-title">{esc(t("verdict.reasons", lang))}</p><ol>{items}</ol>')
    else:
        rows = task_rows(ev, slug)
        n_tol = int((rows["status"] == "tolerance").sum())
        parts.append(f"<p>{esc(t('verdict.no_reasons_but_tolerance', lang, n=n_tol) if n_tol else t('verdict.no_reasons', lang))}</p>")
    if v.get("undecided"):
        items = "".join(f"<li>{esc(u)}</li>" for u in v["undecided"])
        parts.append(f'<p class="zz-banner-undecided-title">{esc(t("verdict.undecided_title", lang))}</p>'
                     f'<ul class="zz-banner-undecided">{items}</ul>')
    note = weather_note(ev, slug, lang)
    if note:
        parts.append(f'<p class="zz-banner-note">{esc(note)} {esc(t("verdict.weather_note_basis", lang))}</p>')
    return HTML(f'<section class="zz-banner zz-banner--{esc(v["verdict"])}" role="status">{"".join(parts)}</section>')


def fix_table(ev: Evaluation, slug: str, lang: str = "zh") -> tuple[pd.DataFrame, dict]:
    """整改要求: one row per reason: the shortfall, the plan section, the plan's requirement in its
    own words, the deadline it sets and the responsible units (``reference/plan_tasks.yaml``)."""
    specs = plan_tasks()["tasks"]
    rows = []
    for text, task, _row in reason_rows(ev, slug, lang):
        spec = specs.get(task, {})
        rows.append({"problem": text,
                     "section": t("section.number", lang, n=spec.get("section", "—")),
                     "requirement": spec.get(f"plan_{lang}", "—"),
                     "deadline": spec.get(f"deadline_{lang}", "—"),
                     "responsible": spec.get(f"responsible_{lang}", "—")})
    labels = {k: t(f"fix.{k}", lang) for k in ("problem", "section", "requirement", "deadline", "responsible")}
    return pd.DataFrame(rows, columns=list(labels)), labels


def fix_block(ev: Evaluation, slug: str, lang: str = "zh") -> HTML | None:
    """The 整改要求 block of a township with a warning letter or an interview (None otherwise):
    a numbered list, one item per reason, each with the plan's section, requirement, deadline and
    responsible units (a list, not a table: it reads on a phone and on paper alike)."""
    if ev.verdict(slug, lang)["verdict"] == "on_track":
        return None
    frame, _labels = fix_table(ev, slug, lang)
    items = "".join(
        f'<li><p class="zz-fix-problem"><strong>{esc(r.problem)}</strong></p>'
        f'<p class="zz-fix-plan">{esc(t("fix.item", lang, section=r.section, requirement=r.requirement, deadline=r.deadline, responsible=r.responsible))}</p></li>'
        for r in frame.itertuples(index=False))
    intro = t("fix.intro", lang, source=plan_tasks()[f"source_{lang}"])
    return HTML(f'<section class="zz-fix"><h2>{esc(t("fix.heading", lang))}</h2><p class="zz-note">{esc(intro)}</p>'
                f'<ol class="zz-fix-list">{items}</ol></section>')


def reasons_line(reasons, lang: str = "zh") -> str:
    """A township's reasons in one line (summary files and the index)."""
    return ("；" if lang == "zh" else "; ").join(reasons)
