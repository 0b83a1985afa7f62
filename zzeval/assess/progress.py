"""Task progress per township against its share of the plan's targets.

Every figure here is counted from the season's tables (``heating_retrofits``, ``vehicles``,
``freight``, ``tasks``, ``dustfall``) and compared with the township's row in ``targets``.
Plan sections: § 六 clean heating, § 七 straw burning, § 八 散乱污, § 十一 road to rail,
§ 十二 diesel vehicles, § 十三 coal boilers, § 十六 dust.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import yaml

from zzeval.season.data import SeasonData

#: Diesel trucks the § 十二 scrappage applies to: China III and older.
OLD_STANDARDS = ("China0", "China1", "China2", "China3")
TRUCKS = ("heavy_truck", "medium_truck", "light_truck")
#: OBD applies to China IV/V medium and heavy diesel trucks (§ 十二).
OBD_STANDARDS = ("China4", "China5")
OBD_CLASSES = ("heavy_truck", "medium_truck")

#: How each task's progress value is compared with its target: "max" = value must not exceed
#: the target, "min" = value must reach it.
TASK_DIRECTION = {
    "heating_coal_to_electricity": "min", "heating_coal_to_gas": "min", "heating_waste_heat": "min",
    "heating_clean_coal": "min", "china3_trucks_remaining": "max", "obd_coverage_pct": "min",
    "im_pass_rate_pct": "min", "rail_share_coal_coke_pct": "min", "coal_boilers_remaining": "max",
    "scattered_firms_remaining": "max", "straw_fire_points": "max", "dustfall_t_km2_month": "max",
    "pm25_change_pct": "max",
}


def plan_targets() -> dict:
    """The plan's county totals (``zzeval/reference/plan_targets.yaml``)."""
    text = resources.files("zzeval.reference").joinpath("plan_targets.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


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
        [vehicles]; ``obd_coverage_pct``; ``im_pass_rate_pct``; ``rail_share_coal_coke_pct``
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

    vh = season.vehicles
    old = vh[vh["vehicle_class"].isin(TRUCKS) & (vh["fuel"] == "diesel") & vh["emission_standard"].isin(OLD_STANDARDS)]
    out["china3_trucks_before"] = old.groupby("township")["fleet_before"].sum()
    out["china3_trucks_remaining"] = old.groupby("township")["fleet_after"].sum()
    out[["china3_trucks_before", "china3_trucks_remaining"]] = out[
        ["china3_trucks_before", "china3_trucks_remaining"]].fillna(0)
    obd = vh[vh["vehicle_class"].isin(OBD_CLASSES) & (vh["fuel"] == "diesel")
             & vh["emission_standard"].isin(OBD_STANDARDS)]
    out["obd_coverage_pct"] = _pct(obd.groupby("township")["obd_fitted"].sum(),
                                   obd.groupby("township")["fleet_after"].sum())

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
    previous = dust[dust["month"].dt.strftime("%Y-%m").isin(season.period.previous.months())]
    out["dustfall_mean_prev_t_km2_month"] = previous.groupby("township")["dustfall_t_km2_month"].mean()
    return out.reset_index()


def task_progress(season: SeasonData, indicators: pd.DataFrame) -> pd.DataFrame:
    """Progress against each township's targets, one row per township and task.

    Returns
    -------
    DataFrame
        ``township, task, value, target, unit, deadline, met`` where ``met`` is True/False, or
        NaN when the township has no data for the task (e.g. no freight firms).
    """
    ind = indicators.set_index("township")
    value_of = {
        "heating_coal_to_electricity": "heating_done_coal_to_electricity",
        "heating_coal_to_gas": "heating_done_coal_to_gas",
        "heating_waste_heat": "heating_done_waste_heat",
        "heating_clean_coal": "heating_done_clean_coal",
        "china3_trucks_remaining": "china3_trucks_remaining",
        "obd_coverage_pct": "obd_coverage_pct",
        "im_pass_rate_pct": "im_pass_rate_pct",
        "rail_share_coal_coke_pct": "rail_share_coal_coke_pct",
        "coal_boilers_remaining": "coal_boilers_remaining",
        "scattered_firms_remaining": "scattered_firms_remaining",
        "straw_fire_points": "straw_fire_points",
        "dustfall_t_km2_month": "dustfall_mean_t_km2_month",
        "pm25_change_pct": "pm25_change_obs_pct",
    }
    rows = []
    for target in season.targets.itertuples(index=False):
        column = value_of.get(target.task)
        value = np.nan
        if column is not None and column in ind.columns and target.township in ind.index:
            value = ind.at[target.township, column]
        direction = TASK_DIRECTION.get(target.task)
        if pd.isna(value) or direction is None:
            met = np.nan
        else:
            met = bool(value <= target.target) if direction == "max" else bool(value >= target.target)
        rows.append({"township": target.township, "task": target.task, "value": value,
                     "target": target.target, "unit": target.unit, "deadline": target.deadline,
                     "direction": direction, "met": met})
    return pd.DataFrame(rows)


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
