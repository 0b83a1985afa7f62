"""Plan tasks on registered sites and named firms, per township, and the county-level tasks.

Counted from the optional ``sites`` register, the optional § 十一 columns of ``freight`` and the
optional ``county_tasks`` table (``data/README.md``). Plan sections (泽政办发〔2020〕28号):

* § 九 — ultra-low-emission assessment of the steel plants the plan names (山西大通铸业,
  泽州县榕鑫精密铸造, 晋城福盛钢铁): ``steel_ule_assessed_pct``;
* § 十 — one round of fugitive-emission inspection and rectification (无组织排放排查整治) by the end
  of December 2020 at industrial-kiln firms: ``kiln_fugitive_done_pct``;
* § 十一 — firms with a rail siding move ≥ 80 % of bulk freight by rail (≥ 90 % in the urban
  built-up area and the fringe): ``siding_firms_rail_pct``; the thermal power plant's coal moved
  100 % cleanly: ``power_clean_transport_pct``; sidings the plan dates (Fusheng Steel, end of
  November 2020) in service by then: ``sidings_overdue``; steel and power firms' siding access
  ≥ 80 % (county): :func:`county_values`;
* § 十二 — 5 new black-smoke cameras by the end of 2020 (county): :func:`county_values`;
* § 十四 — bypass inventory (旁路摸底排查) of chemical, coating and printing firms:
  ``vocs_bypass_inventoried_pct``;
* § 十五 — the 12 open-pit mines rectified (综合整治): ``open_pit_mines_rectified_pct``; coal-gangue
  hills inventoried and none self-igniting: ``gangue_hills_issues``.

Each township task comes with a count column (``n_<kind>``, ``n_siding_firms`` …): 0 means the
township has no such site (the task is 不涉及 there), NaN that the season has no such data (the
task is not assessed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.season.data import SeasonData

#: Site kind → (indicator [%] of sites done, count column) (plan §§ 九, 十, 十四, 十五).
SITE_SHARES = {
    "open_pit_mine": ("open_pit_mines_rectified_pct", "n_open_pit_mine"),
    "kiln_firm": ("kiln_fugitive_done_pct", "n_kiln_firm"),
    "vocs_firm": ("vocs_bypass_inventoried_pct", "n_vocs_firm"),
    "steel_plant": ("steel_ule_assessed_pct", "n_steel_plant"),
}


def _pct(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (100.0 * part / whole.where(whole > 0)).astype(float)


def site_indicators(season: SeasonData) -> pd.DataFrame:
    """Per township (index ``township``): for each kind of :data:`SITE_SHARES` the share of its
    sites done [%] and their number; ``gangue_hills_issues`` (hills not inventoried or seen
    self-igniting) and ``n_gangue_hill``. All NaN when the season has no ``sites`` table."""
    slugs = pd.Index(season.slugs, name="township")
    out = pd.DataFrame(index=slugs)
    sites = season.sites
    # a sites file with a header and no rows says the county has no such sites: 不涉及 everywhere
    present = len(sites) > 0 or "sites" in season.file_hashes
    for kind, (share, count) in SITE_SHARES.items():
        sub = sites[sites["kind"] == kind]
        n = sub.groupby("township").size().reindex(slugs, fill_value=0)
        done = sub[sub["done"] == "yes"].groupby("township").size().reindex(slugs, fill_value=0)
        out[count] = n.astype(float) if present else np.nan
        out[share] = _pct(done, n) if present else np.nan
    hills = sites[sites["kind"] == "gangue_hill"]
    bad = (hills["done"] != "yes") | (hills["self_ignition"].fillna("") == "yes")
    out["n_gangue_hill"] = hills.groupby("township").size().reindex(slugs, fill_value=0).astype(float) \
        if present else np.nan
    issues = bad.groupby(hills["township"]).sum().reindex(slugs, fill_value=0).astype(float)
    out["gangue_hills_issues"] = issues.where(out["n_gangue_hill"] > 0) if present else np.nan
    return out


def _has_siding(fr: pd.DataFrame, season: SeasonData) -> pd.Series:
    """A firm has a siding when its siding entered service by the end of the season."""
    return fr["siding_date"].notna() & (fr["siding_date"] <= season.period.end)


def freight_indicators(season: SeasonData) -> pd.DataFrame:
    """Per township (index ``township``), plan § 十一:

    ``siding_firms_rail_pct`` — rail share of all bulk tonnes after the shift of the firms with a
    siding in service (``n_siding_firms`` of them); ``power_clean_transport_pct`` — share of the
    power plants' coal moved by rail or cleanly by road (``clean_road_t_after``), ``n_power_firms``;
    ``sidings_overdue`` — firms whose siding was not in service by the plan's ``siding_due_date``,
    ``n_sidings_due``. The firm-class and due-date counts are NaN when the columns are empty.
    """
    slugs = pd.Index(season.slugs, name="township")
    out = pd.DataFrame(index=slugs)
    fr = season.freight
    siding = fr[_has_siding(fr, season)]
    g = siding.groupby("township")
    out["n_siding_firms"] = g["enterprise"].nunique().reindex(slugs, fill_value=0).astype(float)
    out["siding_firms_rail_pct"] = _pct(g["rail_t_after"].sum(), g["rail_t_after"].sum() + g["road_t_after"].sum())

    classes = fr["firm_class"].fillna("")
    power = fr[(classes == "power") & (fr["cargo"] == "coal")]
    gp = power.groupby("township")
    clean = power["rail_t_after"] + power["clean_road_t_after"].fillna(0)
    total = power["rail_t_after"] + power["road_t_after"]
    known_class = (classes != "").any()
    out["n_power_firms"] = gp["enterprise"].nunique().reindex(slugs, fill_value=0).astype(float) \
        if known_class else np.nan
    out["power_clean_transport_pct"] = _pct(clean.groupby(power["township"]).sum(), total.groupby(power["township"]).sum())

    due = fr[fr["siding_due_date"].notna()].drop_duplicates("enterprise")
    late = due["siding_date"].isna() | (due["siding_date"] > due["siding_due_date"])
    has_due = fr["siding_due_date"].notna().any()
    out["n_sidings_due"] = due.groupby("township").size().reindex(slugs, fill_value=0).astype(float) \
        if has_due else np.nan
    overdue = late.groupby(due["township"]).sum().reindex(slugs, fill_value=0).astype(float)
    out["sidings_overdue"] = overdue.where(out["n_sidings_due"] > 0)
    return out


def county_values(season: SeasonData) -> dict[str, float]:
    """The county-level tasks' values (plan §§ 十一, 十二), NaN without data: ``black_smoke_cameras_new``
    (``county_tasks`` table) and ``steel_power_siding_access_pct``, the share of steel and power
    firms (``freight.firm_class``) with a siding in service by the season end [%]."""
    given = season.county_tasks.set_index("task")["value"] if len(season.county_tasks) else pd.Series(dtype=float)
    fr = season.freight
    firms = fr[fr["firm_class"].fillna("").isin(["steel", "power"])]
    access = np.nan
    if len(firms):
        with_siding = firms.assign(s=_has_siding(firms, season)).groupby("enterprise")["s"].any()
        access = 100.0 * float(with_siding.mean())
    return {"black_smoke_cameras_new": float(given.get("black_smoke_cameras_new", np.nan)),
            "steel_power_siding_access_pct": access}
