"""Task progress per township against its share of the plan's targets.

Every figure here is counted from the season's tables (``heating_retrofits``, ``vehicles``,
``freight``, ``tasks``, ``dustfall``) and compared with the township's row in ``targets``.
Plan sections: § 六 clean heating, § 七 straw burning, § 八 散乱污, § 十一 road to rail,
§ 十二 diesel vehicles, § 十三 coal boilers, § 十六 dust; the tasks on registered sites and named
firms (§§ 九, 十, 十一, 十四, 十五) come from :mod:`zzeval.assess.sites`, the inspections of the
performance-graded emergency reductions (§ 三) from :mod:`zzeval.assess.emergency`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.assess.emergency import emergency_indicators
from zzeval.assess.sites import county_values, freight_indicators, site_indicators
from zzeval.resources import plan_targets, plan_tasks
from zzeval.season.data import SeasonData

#: Diesel trucks the § 十二 scrappage applies to: China III and older.
OLD_STANDARDS = ("China0", "China1", "China2", "China3")
TRUCKS = ("heavy_truck", "medium_truck", "light_truck")
#: OBD applies to China IV/V medium and heavy diesel trucks (§ 十二).
OBD_STANDARDS = ("China4", "China5")
OBD_CLASSES = ("heavy_truck", "medium_truck")

#: Vehicle classes the plan § 十二 wants all new-energy by end 2020.
PUBLIC_FLEET = ("bus", "taxi", "sanitation")


def _directions() -> dict[str, str]:
    return {k: v["direction"] for k, v in plan_tasks()["tasks"].items()}


def _pct(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (100.0 * part / whole.where(whole > 0)).astype(float)


def township_indicators(season: SeasonData) -> pd.DataFrame:
    """Task indicators per township, counted from the season's tables.

    Returns
    -------
    DataFrame
        One row per township (column ``township``) with: ``heating_planned_households``,
        ``heating_done_households``, ``heating_completion_pct`` (done / planned of the 17,360
        retrofit types, clean coal excluded), per type ``heating_done_<type>``;
        ``loose_coal_violation_pct``; ``china3_trucks_before``, ``china3_trucks_remaining``
        [vehicles; NaN for a township without any vehicle row]; ``obd_coverage_pct``;
        ``im_pass_rate_pct``; ``rail_share_coal_coke_pct``
        (rail / all tonnes of coal and coke after the shift, NaN without such freight);
        ``coal_boilers_remaining``; ``scattered_firms_remaining``; ``straw_fire_points``;
        ``dustfall_mean_t_km2_month`` and ``dustfall_months_over_9`` in the current season.
    """
    slugs = pd.Index(season.slugs, name="township")
    out = pd.DataFrame(index=slugs)

    rt = season.heating_retrofits
    plan_types = rt[rt["retrofit_type"] != "clean_coal"]
    out["heating_planned_households"] = plan_types.groupby("township")["households_planned"].sum()
    out["heating_done_households"] = plan_types.groupby("township")["households_done"].sum()
    for kind, group in rt.groupby("retrofit_type"):
        out[f"heating_planned_{kind}"] = group.groupby("township")["households_planned"].sum()
        out[f"heating_done_{kind}"] = group.groupby("township")["households_done"].sum()
    count_cols = [c for c in out.columns if c.startswith("heating_")]
    out[count_cols] = out[count_cols].fillna(0)
    out["heating_completion_pct"] = _pct(out["heating_done_households"], out["heating_planned_households"])
    if "heating_planned_clean_coal" in out:
        out["clean_coal_completion_pct"] = _pct(out["heating_done_clean_coal"], out["heating_planned_clean_coal"])
    else:
        out["clean_coal_completion_pct"] = np.nan
    out = out.join(_coverage(season, out))

    vh = season.vehicles
    old = vh[vh["vehicle_class"].isin(TRUCKS) & (vh["fuel"] == "diesel") & vh["emission_standard"].isin(OLD_STANDARDS)]
    out["china3_trucks_before"] = old.groupby("township")["fleet_before"].sum()
    out["china3_trucks_remaining"] = old.groupby("township")["fleet_after"].sum()
    # 0 where the township has vehicle rows but none of China III or older; no data (NaN, 无数据) where it
    # has no vehicle row at all (hostile review 8A finding 19: it was credited 0 remaining, 完成)
    has_rows = out.index.isin(vh["township"])
    for column in ("china3_trucks_before", "china3_trucks_remaining"):
        out[column] = out[column].fillna(0).where(has_rows)
    obd = vh[vh["vehicle_class"].isin(OBD_CLASSES) & (vh["fuel"] == "diesel")
             & vh["emission_standard"].isin(OBD_STANDARDS)]
    out["obd_coverage_pct"] = _pct(obd.groupby("township")["obd_fitted"].sum(),
                                   obd.groupby("township")["fleet_after"].sum())

    out = out.join(_public_fleet(vh))

    tk = season.tasks.set_index("township")
    out["im_pass_rate_pct"] = _pct(tk["im_passes"], tk["im_tests"])
    out["coal_boilers_remaining"] = tk["coal_boilers_start"] - tk["coal_boilers_removed"]
    out["scattered_firms_remaining"] = tk["scattered_firms_found"] - tk["scattered_firms_rectified"]
    out["straw_fire_points"] = tk["straw_fire_points"]
    out["loose_coal_violation_pct"] = _pct(tk["loose_coal_violations"], tk["loose_coal_checks"])

    fr = season.freight[season.freight["cargo"].isin(("coal", "coke"))]
    grouped = fr.groupby("township")
    out["rail_share_coal_coke_pct"] = _pct(grouped["rail_t_after"].sum(),
                                           grouped["rail_t_after"].sum() + grouped["road_t_after"].sum())
    out["rail_share_coal_coke_before_pct"] = _pct(grouped["rail_t_before"].sum(),
                                                  grouped["rail_t_before"].sum() + grouped["road_t_before"].sum())

    dust = season.dustfall
    current = dust[dust["month"].dt.strftime("%Y-%m").isin(season.period.months())]
    out["dustfall_mean_t_km2_month"] = current.groupby("township")["dustfall_t_km2_month"].mean()
    out["dustfall_months_over_9"] = (current["dustfall_t_km2_month"] > 9).groupby(current["township"]).sum()
    out["dustfall_max_month_t_km2_month"] = current.groupby("township")["dustfall_t_km2_month"].max()
    previous = dust[dust["month"].dt.strftime("%Y-%m").isin(season.period.previous.months())]
    out["dustfall_mean_prev_t_km2_month"] = previous.groupby("township")["dustfall_t_km2_month"].mean()
    out = out.join(site_indicators(season)).join(freight_indicators(season)).join(emergency_indicators(season))
    return out.reset_index()


def _coverage(season: SeasonData, out: pd.DataFrame) -> pd.DataFrame:
    """Clean-heating coverage (plan § 六) [%]: households heated cleanly before the season
    (``townships.clean_before_*``) plus this season's retrofits (clean coal excluded: it is the
    mountain areas' fallback, not clean heating), over all households. NaN without a baseline, or with
    one of its kinds empty (empty is not 0)."""
    tw = season.townships.set_index("slug")
    cols = [c for c in ("clean_before_electricity", "clean_before_gas", "clean_before_district") if c in tw]
    frame = pd.DataFrame(index=out.index)
    if not cols or tw[cols].isna().all(axis=None):
        frame["clean_heated_before_households"] = np.nan
        frame["clean_heating_coverage_pct"] = np.nan
        return frame
    # a partly filled baseline is refused at validate (checks._check_heating_baseline); should one come
    # through, it gives no coverage rather than one with the empty kinds summed as 0
    before = tw[cols].sum(axis=1, min_count=len(cols)).reindex(out.index)
    frame["clean_heated_before_households"] = before
    after = before + out["heating_done_households"]
    # not clipped: over 100 % is refused when the season is loaded (measure_rows.check_heating_within_baseline)
    frame["clean_heating_coverage_pct"] = _pct(after, tw["households"].reindex(out.index))
    return frame


def _public_fleet(vh: pd.DataFrame) -> pd.DataFrame:
    """New-energy share of buses, taxis and sanitation vehicles in service after the measures
    (plan § 十二: all new-energy by end 2020) [%], together and per class."""
    fleet = vh[vh["vehicle_class"].isin(PUBLIC_FLEET)]
    nev = fleet["emission_standard"].eq("NEV") | fleet["fuel"].eq("electric")
    frame = pd.DataFrame({"township": fleet["township"], "vehicle_class": fleet["vehicle_class"],
                          "all": fleet["fleet_after"], "nev": fleet["fleet_after"].where(nev, 0)})
    total = frame.groupby("township")[["all", "nev"]].sum()
    out = pd.DataFrame({"nev_public_fleet_pct": _pct(total["nev"], total["all"])})
    by_class = frame.groupby(["township", "vehicle_class"])[["all", "nev"]].sum()
    for vc in PUBLIC_FLEET:
        if vc in by_class.index.get_level_values(1):
            sub = by_class.xs(vc, level=1)
            out[f"nev_share_{vc}_pct"] = _pct(sub["nev"], sub["all"])
    out.index.name = "township"
    return out


def effective_targets(season: SeasonData) -> pd.DataFrame:
    """The season's ``targets`` with the class defaults of ``plan_tasks.yaml``
    (``default_target_by_class``) added where a township has no row: e.g. the rail share of firms
    with a siding, 90 % in the urban built-up area and the fringe, 80 % elsewhere (plan § 十一).
    The verdict rules and the task table both read these targets; ``from_plan`` is True on the
    rows added from the plan's class defaults."""
    classes = season.townships.set_index("slug")["class"]
    have = set(zip(season.targets["township"], season.targets["task"], strict=True))
    extra = [{"township": slug, "task": task, "target": float(spec["default_target_by_class"][cls]),
              "unit": spec["unit"], "deadline": pd.NaT, "from_plan": True}
             for task, spec in plan_tasks()["tasks"].items() if "default_target_by_class" in spec
             for slug, cls in classes.items()
             if (slug, task) not in have and cls in spec["default_target_by_class"]]
    if not extra:
        return season.targets
    return pd.concat([season.targets.assign(from_plan=False), pd.DataFrame(extra)], ignore_index=True)


def _applicable(spec: dict, ind: pd.DataFrame, slug: str) -> bool | None:
    """Whether a task with ``applies_if: <count column>`` applies to the township: None when the
    season has no such data (no row), False when it has no such site (不涉及), True otherwise."""
    column = spec.get("applies_if")
    if column is None:
        return True
    n = ind.at[slug, column] if column in ind.columns and slug in ind.index else np.nan
    if pd.isna(n):
        return None
    return bool(n > 0)


def task_progress(season: SeasonData, indicators: pd.DataFrame) -> pd.DataFrame:
    """Progress against each township's targets, one row per township and task, in the order of
    ``plan_tasks.yaml``.

    A task gets a row when the township has a target for it (:func:`effective_targets`), or when
    the task has a ``default_target`` (the default of its verdict rule) and the township has a
    value. A task with ``applies_if`` gets a row with ``applicable`` False (不涉及) where the
    township has no such site, unless it is ``hide_if_not_applicable`` (the tasks of named firms).

    Returns
    -------
    DataFrame
        ``township, task, section, value, target, unit, deadline, direction, met, applicable``
        where ``met`` is True/False, or NaN when the township has no data for the task (e.g. no
        freight firms) or the task does not apply.
    """
    ind = indicators.set_index("township")
    specs = plan_tasks()["tasks"]
    given = {(r.township, r.task): r for r in effective_targets(season).itertuples(index=False)}
    rows = []
    for slug in season.slugs:
        for task, spec in specs.items():
            applicable = _applicable(spec, ind, slug)
            if applicable is None or (not applicable and spec.get("hide_if_not_applicable")):
                continue
            row = given.get((slug, task))
            column = spec["value"]
            value = ind.at[slug, column] if column in ind.columns and slug in ind.index else np.nan
            if not applicable:
                value = np.nan
            elif row is None and ("default_target" not in spec or pd.isna(value)):
                continue
            target = float(row.target) if row is not None else float(spec.get("default_target", np.nan))
            if pd.isna(value):
                met = np.nan
            else:
                met = bool(value <= target) if spec["direction"] == "max" else bool(value >= target)
            rows.append({"township": slug, "task": task, "section": spec["section"], "value": value,
                         "target": target, "unit": spec["unit"],
                         "deadline": row.deadline if row is not None else pd.NaT,
                         "direction": spec["direction"], "judged_by": spec.get("judged_by", task),
                         "met": met, "applicable": applicable,
                         "target_from_plan": bool(getattr(row, "from_plan", False)) if row is not None else False})
    return pd.DataFrame(rows)


def task_status(progress: pd.DataFrame, verdict: pd.DataFrame) -> pd.DataFrame:
    """The status of each task-table row against the verdict (one language's verdict table).

    Adds ``status``: ``reason`` (a rule on the row's task fired: the row is a reason of the
    verdict), ``undecided`` (a rule on it is undecided, 待定), ``met``, ``tolerance`` (target
    missed but no rule fired: inside the rules' tolerance; ``tolerance_rule`` names the rule whose
    threshold is the tolerance), ``not_applicable`` (不涉及: no such site in the township),
    ``no_data``, or ``unjudged`` (missed, and no rule judges the
    task: a gap in the rules); ``reason_index`` (1-based position among the reasons); and
    ``reason_rule``, the rule that made the row a reason. A row can be a reason with its target met
    (``met`` True) only where a rule on its task has a threshold of its own stricter than the row's
    target (the shipped pm25_worse: worse than last season is an interview whatever the target); the
    task table then says so in the row (``status.reason_met``). Targets that a task's rules do not
    read at all are refused when the season is validated (``rulefile.check_targets_read``).
    """
    checks = {r.township: r.checks for r in verdict.itertuples(index=False)}
    fired = {r.township: list(r.reason_tasks) for r in verdict.itertuples(index=False)}
    fired_rules = {r.township: list(r.rules_fired) for r in verdict.itertuples(index=False)}
    out = progress.copy()
    status, tol_rule, index, reason_rule = [], [], [], []
    for r in progress.itertuples(index=False):
        mine = [c for c in checks.get(r.township, []) if c["task"] in (r.task, r.judged_by)]
        reasons = fired.get(r.township, [])
        hit = next((i for i, task in enumerate(reasons, 1) if task in (r.task, r.judged_by)), None)
        tol = None
        applicable = getattr(r, "applicable", True)
        if applicable is not None and not pd.isna(applicable) and not bool(applicable):
            state = "not_applicable"
        elif hit is not None and ((not pd.isna(r.met) and not r.met) or r.task in reasons):
            state = "reason"
        elif any(c["outcome"] == "undecided" for c in mine):
            state = "undecided"
        elif pd.isna(r.met):
            state = "no_data"
        elif r.met:
            state = "met"
        elif mine:
            state = "tolerance"
            passed = [c for c in mine if c["outcome"] == "passed"]
            tol = (min(passed, key=lambda c: c["level"] != "warning") if passed else mine[0])["rule"]
        else:
            state = "unjudged"
        status.append(state)
        tol_rule.append(tol)
        index.append(hit if state == "reason" else None)
        reason_rule.append(fired_rules.get(r.township, [None] * hit)[hit - 1] if state == "reason" else None)
    out["status"] = status
    out["tolerance_rule"] = tol_rule
    out["reason_index"] = index
    out["reason_rule"] = reason_rule
    return out


def county_task_progress(season: SeasonData) -> pd.DataFrame:
    """The county-level tasks of ``plan_tasks.yaml`` (``county_tasks``: no township share, never
    in a township's verdict) against their plan targets.

    Returns
    -------
    DataFrame
        ``task, section, value, target, unit, direction, met``; a task without data is left out.
    """
    values = county_values(season)
    rows = []
    for task, spec in plan_tasks().get("county_tasks", {}).items():
        value = values.get(spec["value"], np.nan)
        if pd.isna(value):
            continue
        target = float(spec["default_target"])
        met = value >= target if spec["direction"] == "min" else value <= target
        rows.append({"task": task, "section": spec["section"], "value": float(value), "target": target,
                     "unit": spec["unit"], "direction": spec["direction"], "met": bool(met)})
    return pd.DataFrame(rows, columns=["task", "section", "value", "target", "unit", "direction", "met"])


def county_progress(season: SeasonData) -> pd.DataFrame:
    """County totals of the clean-heating retrofits against the plan's totals (plan § 六).

    Returns
    -------
    DataFrame
        ``retrofit_type, plan_households, allocated_households, done_households, completion_pct``,
        with a ``total`` row; ``plan_households`` from ``plan_targets.yaml`` (17,360 in all).
    """
    plan = plan_targets()["clean_heating_households"]
    rt = season.heating_retrofits
    rows = []
    for kind, planned in plan["by_type"].items():
        sub = rt[rt["retrofit_type"] == kind]
        rows.append({"retrofit_type": kind, "plan_households": planned,
                     "allocated_households": int(sub["households_planned"].sum()),
                     "done_households": int(sub["households_done"].sum())})
    frame = pd.DataFrame(rows)
    total = {"retrofit_type": "total", "plan_households": plan["total"],
             "allocated_households": int(frame["allocated_households"].sum()),
             "done_households": int(frame["done_households"].sum())}
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    frame["completion_pct"] = 100.0 * frame["done_households"] / frame["plan_households"]
    return frame
