"""Rows of the measure tables that read fine but contradict the plan's allocation or themselves
(issue 13, final hostile review: a clerk's mistakes that ``zzeval validate`` passed and that changed
published numbers).

* ``heating_retrofits``: a township's households of a retrofit type far above its target for the
  type (batches as running totals, a subtotal row, a batch typed twice; a judgement check,
  :mod:`zzeval.season.confirm`), or its clean-heating households done above those not heated cleanly
  before the season; one batch typed twice with another date; a batch finished inside the previous
  (comparison) season.
* ``targets``: the county's whole target of a retrofit type on one township, or a target far above
  the households the township planned for it.
* ``vehicles``: a China III or older row whose fleet at the season's end is more than was left
  after the scrapping (``fleet_after`` not updated); a township with more vehicles than households
  allow (counts typed with extra digits; a judgement check).

The tolerances are data: ``zzeval/reference/input_limits.csv`` (value, unit, basis, source); the
county's figures are the plan's (``zzeval/reference/plan_targets.yaml``, PLAN.md § 六).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from zzeval.resources import input_floor, input_limit, plan_targets
from zzeval.season.checks import Collector
from zzeval.season.confirm import judge, judge_rows
from zzeval.season.heating_near_copy import check_near_copies
from zzeval.season.heating_swap import check_heating_columns_swapped
from zzeval.season.parsing import show
from zzeval.season.scrappage import check_scrappage_standard
from zzeval.season.target_values import check_target_values

#: Emission standards no new vehicle is registered under any more: their fleet can only shrink during
#: a season (scrapped, deregistered or moved away). The plan (§ 十二) scraps the China III and older
#: diesel trucks ("国三及以下排放标准营运柴油货车淘汰").
OLD_STANDARDS = ("China0", "China1", "China2", "China3")

#: A batch's township and retrofit type (the rows of one allocation).
BATCH = ["township", "retrofit_type"]

#: The most row numbers one message lists.
ROWS_SHOWN = 8

LIMITS_FILE = "zzeval/reference/input_limits.csv"

#: The key of input_limits.csv: the most a township's households of a type may be times its target.
OVER_TARGET_LIMIT = "heating_retrofits.planned_over_target"

#: The key of input_limits.csv: the least subsidy per household fitted with equipment [yuan].
SUBSIDY_FLOOR = "heating_retrofits.subsidy_yuan_per_household_equipment"

#: The key of input_limits.csv: the most vehicles of a township per household.
FLEET_LIMIT = "vehicles.fleet_per_household"


@cache
def plan_heating_households() -> tuple[str, dict[str, float]]:
    """The season of the plan and its county-wide clean-heating households by retrofit type
    (``plan_targets.yaml``, ``clean_heating_households.by_type``: 3,004 coal to electricity, 2,350
    coal to gas, 12,006 industrial waste heat; PLAN.md § 六)."""
    plan = plan_targets()
    by_type = plan["clean_heating_households"]["by_type"]
    return str(plan["season"]), {kind: float(n) for kind, n in by_type.items()}


def check_measure_rows(tables: dict, fnames: dict, period, out: Collector) -> None:
    """All checks of this module on the season's ``tables`` (``fnames``: the file of each table;
    ``period``: the season assessed, :class:`zzeval.season.data.SeasonPeriod`)."""
    name = {t: fnames.get(t, f"{t}.csv") for t in ("heating_retrofits", "targets", "vehicles")}
    rt, targets = tables.get("heating_retrofits"), tables.get("targets")
    season, county = plan_heating_households()
    county = county if period.name == season else {}  # the plan's figures are those of its own season
    if rt is not None and not rt.empty:
        check_previous_season_batches(rt, name["heating_retrofits"], period, out)
        check_repeated_batches(rt, name["heating_retrofits"], out)
        check_near_copies(rt, name["heating_retrofits"], out)
        check_heating_against_targets(rt, targets, name["heating_retrofits"], name["targets"], county, out)
        check_heating_within_baseline(rt, tables.get("townships"), name["heating_retrofits"],
                                      fnames.get("townships", "townships.csv"), out)
        check_subsidy_standard(rt, name["heating_retrofits"], out)
        check_heating_columns_swapped(rt, targets, name["heating_retrofits"], name["targets"], out)
    if rt is not None and not rt.empty and targets is not None and not targets.empty:  # none: a notice says so
        check_heating_targets_reported(rt, targets, name["heating_retrofits"], name["targets"], out)
    if targets is not None and not targets.empty:
        check_county_target_on_township(targets, name["targets"], county, out)
        check_target_values(targets, name["targets"], out)
    check_fleet_after_scrapping(tables.get("vehicles"), name["vehicles"], out)
    check_fuel_and_standard(tables.get("vehicles"), name["vehicles"], out)
    check_scrappage_standard(tables.get("vehicles"), name["vehicles"], out)
    check_fleet_per_household(tables.get("vehicles"), tables.get("townships"), name["vehicles"], out)
    check_haul_distance(tables.get("freight"), fnames.get("freight", "freight.csv"), out)
    check_firm_in_one_township(tables.get("emergency_inspections"),
                               fnames.get("emergency_inspections", "emergency_inspections.csv"), out)
    note_townships_without_rows(tables, fnames, out)


def check_firm_in_one_township(ei: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """``emergency_inspections``: a ``firm_id`` (the firm's number in the emergency reduction list, one firm
    at one site) under two townships: one inspection's township is mistyped, and it moves to the other
    township's count and compliance (hostile review 8A finding 7: YJ-007 inspected 6 + 9 times -> 7 + 8).
    Each row whose township differs from the firm's first row is named, with that first row."""
    if ei is None or ei.empty or "firm_id" not in ei:
        return
    ids = ei["firm_id"].where(ei["firm_id"].astype(str).str.strip() != "")
    first_town = ei["township"].groupby(ids).transform("first")
    first_row = pd.Series(ei.index, index=ei.index).groupby(ids).transform("first")
    other = ids.notna() & (ei["township"] != first_town)
    out.rows(fname, "township", other,
             lambda i: f"firm_id {show(ids[i])} ({show(ei['firm'][i])}) is inspected here under township "
                       f"{show(ei['township'][i])}, but under {show(first_town[i])} on row {int(first_row[i]) + 2}: a "
                       "firm of the emergency reduction list is in one township; correct the township of the wrong "
                       "row (or the firm_id, if these are two firms)")


#: Tables every township is expected to have rows in, and what its report shows without them.
PER_TOWNSHIP_TABLES = {
    "vehicles": "the vehicle tasks (China III trucks remaining, new-energy share, OBD) show 无数据 (no data)",
    "tasks": "the tasks counted there (coal boilers, scattered firms, straw fires, I/M, loose coal) show 无数据 "
             "(no data)",
    "heating_retrofits": "0 households retrofitted are counted (a township with a heating target and no row of "
                         "its type is refused)",
}


def note_townships_without_rows(tables: dict, fnames: dict, out: Collector) -> None:
    """A notice for each township of ``townships.csv`` without any row in a table of
    :data:`PER_TOWNSHIP_TABLES` (a sheet not sent yet; hostile review 8A finding 19): the report shows what
    the table feeds as no data, and the clerk sees why before the build."""
    townships = tables.get("townships")
    if townships is None or townships.empty:
        return
    for table, shown in PER_TOWNSHIP_TABLES.items():
        frame = tables.get(table)
        if frame is None or frame.empty:
            continue
        missing = [s for s in dict.fromkeys(townships["slug"].astype(str)) if s not in set(frame["township"])]
        if missing:
            out.notes.append(f"{fnames.get(table, table + '.csv')}: no row of township(s) {', '.join(map(show, missing))}"
                             f": on the report of each, {shown}; add their rows if the sheet was left out")


def check_heating_targets_reported(rt: pd.DataFrame, targets: pd.DataFrame, fname: str, targets_fname: str,
                                   out: Collector) -> None:
    """A township with a household target of a retrofit type (``targets``, task ``heating_<type>`` above 0)
    but no row of that type in ``heating_retrofits`` (s12: the sheet left out was counted as 0 households
    done against the target, a wrong number where nothing was reported): refused, naming the township,
    the type, the targets row and the table. A batch not finished is a row with ``households_done`` 0 and
    an empty ``completion_date``. Skipped while a row's township is refused (it would be missing here), and for
    a table without rows (validate's notice: none of its measures took place)."""
    if out.sums_wait(fname):
        return
    targets = _known_rows(targets, targets_fname, out)
    reported = set(zip(rt["township"].astype(str), rt["retrofit_type"].astype(str), strict=True))
    for (slug, kind), row in _type_targets(targets).iterrows():
        if row["target"] > 0 and (str(slug), str(kind)) not in reported:
            out.add(fname, None, "township",
                    f"no row of township {show(slug)}, {kind}, though {targets_fname} row {int(row['row']) + 2} gives it "
                    f"a target of {row['target']:,.0f} households (heating_{kind}): its households done would be counted "
                    f"as 0 where nothing was reported; add the township's batches of {kind} (a batch not finished: "
                    "households_done 0 and completion_date empty), or remove the target if the plan gave it none")


def _rows_text(labels) -> str:
    """Spreadsheet row numbers (data row label + 2) for a message: 'rows 2, 3, 4'."""
    rows = [int(label) + 2 for label in labels]
    shown = ", ".join(str(r) for r in rows[:ROWS_SHOWN]) + (" …" if len(rows) > ROWS_SHOWN else "")
    return f"row {shown}" if len(rows) == 1 else f"rows {shown}"


def check_previous_season_batches(rt: pd.DataFrame, fname: str, period, out: Collector) -> None:
    """A batch finished inside the previous season (the comparison season, 2019-10-01 .. 2020-03-31
    for 2020-2021) was in place for part of the season the assessed one is compared with: it is no
    retrofit of this season's plan, whose households are 2020's new retrofits due "by the end of
    October 2020" (PLAN.md § 六: "17,360 households by end Oct 2020"; the plan's text: "2020年10月底前
    ……全县要完成冬季清洁改造17360户"). Counted, it would cut this season's emissions for the whole
    heating period. Dates before the previous season are refused where the table is read
    (:mod:`zzeval.season.loading`)."""
    done = rt["completion_date"]
    previous = period.previous
    inside = done.notna() & (done >= previous.start) & (done <= previous.end)
    out.rows(fname, "completion_date", inside,
             lambda i: f"{done[i]:%Y-%m-%d} lies in the previous season {previous.name} ({previous.start:%Y-%m-%d} .. "
                       f"{previous.end:%Y-%m-%d}), the season {period.name} is compared with: a retrofit finished "
                       f"then was in place for it and is no retrofit of the {period.name} plan (its households are "
                       "due by the end of October of the season's first year, PLAN.md § 六); check the year "
                       f"({done[i] + pd.DateOffset(years=1):%Y-%m-%d}?), or count the households in "
                       "townships.csv's clean_before_* columns (heated cleanly before the season)")


def check_repeated_batches(rt: pd.DataFrame, fname: str, out: Collector) -> None:
    """One batch typed twice with another date: two rows of a township and retrofit type with the same
    households planned, done and subsidy, finished at most ``heating_retrofits.repeated_batch_days``
    days apart (``input_limits.csv``). The table's key holds the date, so the copy is no duplicate
    row; its households would count twice. Further apart, with the same subsidy given, a judgement check
    (``heating_repeated_batch``): two genuine batches of one size and subsidy are confirmed."""
    days = input_limit("heating_retrofits.repeated_batch_days")
    same = ["township", "retrofit_type", "households_planned", "households_done", "subsidy_yuan"]
    dated = rt[rt["completion_date"].notna() & (rt["households_done"] > 0)]
    if dated.empty:
        return
    keys = dated[same].astype("string").fillna("")  # an empty subsidy matches an empty subsidy only
    ordered = dated.assign(_key=keys.agg("\x1f".join, axis=1)).sort_values(["_key", "completion_date"],
                                                                           kind="stable")
    earlier = ordered.groupby("_key", sort=False)["completion_date"].shift()
    gap = (ordered["completion_date"] - earlier).dt.days
    before = pd.Series(ordered.index, index=ordered.index).groupby(ordered["_key"], sort=False).shift()
    repeat = (gap <= days).reindex(rt.index, fill_value=False)
    subsidy = rt["subsidy_yuan"]
    # further apart, all three numbers the same (a subsidy given) are still one batch pasted again, dated by
    # its acceptance (验收) instead of its completion (hostile review s12-C, F7): a judgement check
    later = ((gap > days) & ordered["subsidy_yuan"].notna()).reindex(rt.index, fill_value=False)
    subject = rt["township"].astype(str) + " " + rt["retrofit_type"].astype(str) + " " + \
        rt["completion_date"].dt.strftime("%Y-%m-%d")
    judge_rows(out, "heating_repeated_batch", fname, "completion_date", later, subject,
               lambda i: f"the same households planned ({rt['households_planned'][i]:,.0f}), done "
                         f"({rt['households_done'][i]:,.0f}) and subsidy ({subsidy[i]:,.0f} yuan) as row "
                         f"{int(before[i]) + 2} (township {show(rt['township'][i])}, {rt['retrofit_type'][i]}), "
                         f"dated {gap[i]:.0f} days later: one batch pasted again from another sheet (dated by its "
                         "acceptance, 验收, rather than its completion)? delete the copy; its households would count "
                         "twice")
    out.rows(fname, "completion_date", repeat,
             lambda i: f"the same batch as row {int(before[i]) + 2} (township {show(rt['township'][i])}, "
                       f"{rt['retrofit_type'][i]}, {rt['households_planned'][i]:,.0f} planned, "
                       f"{rt['households_done'][i]:,.0f} done, subsidy "
                       f"{'empty' if pd.isna(subsidy[i]) else f'{subsidy[i]:,.0f} yuan'}), dated "
                       f"{gap[i]:.0f} day(s) later: one batch typed twice? delete the copy; two real batches of "
                       f"the same size finished within {days:g} days (zzeval/reference/input_limits.csv) are "
                       "given as one row with their summed households and subsidy and the later date")


def _known_rows(frame: pd.DataFrame | None, fname: str, out: Collector) -> pd.DataFrame | None:
    """``frame`` without its rows whose township was refused (unknown, or a county row such as 全县): their
    refusal is the cause to fix; "no batches of township 全县" or "other townships hold a share" would
    only tell the clerk wrong things (hostile review s13-hostA C07b)."""
    unknown = out.unknown_townships.get(fname)
    if frame is None or not unknown:
        return frame
    return frame.drop(index=[i for i in unknown if i in frame.index])


def _type_targets(targets: pd.DataFrame | None) -> pd.DataFrame:
    """The household targets of the retrofit types (tasks ``heating_<type>``) by township and type:
    columns ``target`` and ``row`` (the targets row's label)."""
    if targets is None or targets.empty:
        return pd.DataFrame({"township": [], "retrofit_type": [], "target": [], "row": []}).set_index(BATCH)
    task = targets["task"].astype("string")
    heating = task.str.startswith("heating_").fillna(False) & (task != "heating_total") & targets["target"].notna()
    sub = targets[heating]
    frame = pd.DataFrame({"township": sub["township"], "retrofit_type": task[heating].str.slice(8),
                          "target": sub["target"], "row": sub.index})
    return frame.drop_duplicates(BATCH).set_index(BATCH)


def check_heating_against_targets(rt: pd.DataFrame, targets: pd.DataFrame | None, fname: str,
                                  targets_fname: str, county: dict[str, float], out: Collector) -> None:
    """A township's households of a retrofit type (all its batches) against its target for the type
    (``targets``, task ``heating_<type>``): planned or done above ``heating_retrofits.planned_over_target``
    times the target are batches given as running totals, a subtotal row or a batch typed twice (the
    plan allocates each household once); a target above ``heating_retrofits.target_over_planned`` times
    the planned households is someone else's target (the county's) on this township, or households left
    out of the batches (the completion rate, done ÷ planned, would be too high). Without a target
    for the type, the township's households may not exceed the county's whole allocation (``county``).
    While a row's township is refused (unknown), the target is not compared with the planned households:
    the row is missing from its township's sum, and the refusal of the name is the cause to fix first
    (hostile review 9A, M5)."""
    over = input_limit(OVER_TARGET_LIMIT)
    groups = rt.groupby(BATCH, sort=False)
    sums = groups[["households_planned", "households_done"]].sum()
    allocated = _type_targets(_known_rows(targets, targets_fname, out))
    sums = sums.join(allocated, how="left")
    for (slug, kind), row in sums.iterrows():
        labels = groups.indices[(slug, kind)]
        labels = rt.index[labels]
        planned, done, target = row["households_planned"], row["households_done"], row["target"]
        if pd.notna(target) and target > 0:
            if max(planned, done) > over * target:
                _too_many(rt, labels, fname, (slug, kind), (planned, done),
                          f"more than {over:g} × the township's target of {target:,.0f} households ({targets_fname} "
                          f"row {int(row['row']) + 2}, heating_{kind}; the factor is in {LIMITS_FILE})", out,
                          genuine=GENUINE_SURPLUS.format(over=over, targets=targets_fname))
        elif kind in county and max(planned, done) > county[kind]:
            _too_many(rt, labels, fname, (slug, kind), (planned, done),
                      f"more than the whole county's {county[kind]:,.0f} households of {kind} in the plan (PLAN.md "
                      "§ 六, zzeval/reference/plan_targets.yaml)", out)
    if not out.sums_wait(fname):
        _check_targets_over_planned(sums, targets_fname, out)


#: What a township that genuinely retrofitted more than ``planned_over_target`` × its target does (the
#: households pass below that factor: a surplus of up to half the target is accepted as it is); the
#: message then ends with the ``confirmed:`` line (:mod:`zzeval.season.confirm`).
GENUINE_SURPLUS = ("; if the batches are right and the township really retrofitted that many more households than "
                   "its target (more than {over:g} ×), do not change the batches or write a target the plan did not "
                   "set: write a raised target in {targets} only if the county bureau raised the township's "
                   "allocation, else check the batches against the acceptance records (验收)")


def _too_many(rt: pd.DataFrame, labels, fname: str, group: tuple[str, str], totals: tuple[float, float],
              bound: str, out: Collector, genuine: str = "") -> None:
    """A township's households of a type above ``bound``: refused, a judgement check
    (``heating_over_target``) when ``genuine`` says what a genuine surplus does."""
    slug, kind = group
    planned, done = totals
    column = "households_planned" if planned >= done else "households_done"
    cause = _diagnosis(rt, labels) or ("are the batches running totals (each row the total so far), is there a "
                                       "subtotal row, or is a batch typed twice? give each batch once with its own "
                                       "households" + genuine)
    where = (fname, int(labels[0]) + 2, column)
    message = (f"township {show(slug)}, {kind}: {planned:,.0f} households planned and {done:,.0f} done in "
               f"{_rows_text(labels)}, {bound}: {cause}")
    if genuine:
        judge(out, "heating_over_target", f"{slug} {kind}", where, message)
    else:
        out.add(*where, message)


def _diagnosis(rt: pd.DataFrame, labels, rising: int = 2) -> str:
    """What the rows of one township and type look like: a subtotal row (its households the sums of the
    others), or at least ``rising`` batches each larger than the one before in date order (running totals)."""
    rows = rt.loc[labels]
    planned, done = rows["households_planned"], rows["households_done"]
    if len(rows) >= 3:
        subtotal = (2 * planned == planned.sum()) & (2 * done == done.sum()) & (done > 0)
        if subtotal.any():
            return f"{_rows_text(rows.index[subtotal])} holds the sums of the other rows: a subtotal row? delete it"
    dated = rows[rows["completion_date"].notna()].sort_values("completion_date", kind="stable")
    if len(dated) >= max(rising, 2) and (np.diff(dated["households_planned"].to_numpy()) > 0).all():
        return ("each later batch is larger than the one before: running totals (each row the type's total so "
                "far)? write each batch's own households")
    return ""


#: The retrofit types that make a household's heating clean (clean coal is the mountain areas' fallback,
#: not clean heating: it is left out of the clean-heating coverage, :mod:`zzeval.assess.progress`).
CLEAN_TYPES = ("coal_to_electricity", "coal_to_gas", "waste_heat")

#: The households a township heated cleanly before the season (``townships.csv``, plan § 六 baseline).
BASELINE = ("clean_before_electricity", "clean_before_gas", "clean_before_district")


def check_heating_within_baseline(rt: pd.DataFrame, townships: pd.DataFrame | None, fname: str,
                                  townships_fname: str, out: Collector) -> None:
    """A township's households done of clean-heating retrofits (:data:`CLEAN_TYPES`, all batches) plus those
    heated cleanly before the season (``clean_before_*``) cannot exceed its households: a household is
    retrofitted once, and one heated cleanly already is not retrofitted again. More would give a
    clean-heating coverage above 100 % (the reports do not cut it): batches as running totals, a
    subtotal row or a batch typed twice, also in a township without heating targets, where the other
    bound is the county's whole allocation (review 6b finding 13); or a baseline too large. A hard
    contradiction between two tables, not a judgement: it cannot be confirmed. Planned households are
    not held to it (a township that did more than planned may plan more than it then does)."""
    columns = [c for c in BASELINE if townships is not None and c in townships]
    if not columns or townships.empty:
        return
    first = townships.drop_duplicates("slug")  # a duplicate slug is reported elsewhere
    tw = first.assign(_row=first.index + 2).set_index("slug")
    baseline = tw[columns].sum(axis=1, min_count=1)
    clean = rt[rt["retrofit_type"].isin(CLEAN_TYPES)]
    for slug, part in clean.groupby("township", sort=False):
        if slug not in tw.index or pd.isna(baseline[slug]) or pd.isna(tw["households"][slug]):
            continue
        done = part["households_done"].sum()
        if done <= tw["households"][slug] - baseline[slug]:
            continue
        kinds = part.groupby("retrofit_type", sort=False)["households_done"].sum()
        rows = {kind: part.index[part["retrofit_type"] == kind] for kind in kinds.index}
        causes = {kind: f"{kind} ({_rows_text(rows[kind])}): {cause}" for kind in kinds.index
                  if (cause := _diagnosis(rt, rows[kind]))}
        excess = done - (tw["households"][slug] - baseline[slug])
        batches = part["households_done"][part["households_done"] > 0]
        # two batches in rising order are a coin's toss, three or more (or a subtotal row) a sign of rows
        # counted twice: without one, an excess smaller than the smallest batch (a row counted twice adds a
        # whole batch) is first a few households too many, the rising pair only a possibility after it
        # (hostile review s11-C, F9: 144 then 185 households blamed only as running totals for an excess of 6)
        few = (not batches.empty and excess < batches.min()
               and not any(_diagnosis(rt, rows[kind], rising=3) for kind in kinds.index))
        base_cause = (f"is the baseline in {townships_fname} too large: does it already count this season's "
                      "retrofits? (it is the households heated cleanly BEFORE the season)")
        if few:
            least = batches.idxmin()
            cause = (f"only {excess:,.0f} households too many, fewer than the smallest batch ({batches.min():,.0f}, "
                     f"row {int(least) + 2}; a batch counted twice adds a whole one): are the households in {townships_fname} "
                     f"(row {tw['_row'][slug]}) out of date, is its baseline ({' + '.join(columns)}) too large "
                     "(does it count some of this season's retrofits?), or are a few households_done more than the "
                     "acceptance records (验收) give? correct the one that is wrong"
                     + "".join(f"; or {c}" for c in causes.values()))
        else:
            rows_cause = "; ".join(causes.values()) or ("are the batches running totals (each row the total so far), "
                                                       "is there a subtotal row, or is a batch typed twice? give each "
                                                       "batch once with its own households")
            # the likelier cause first: rows counted twice explain it only if the largest batch of each type fits
            fits = part.groupby("retrofit_type")["households_done"].max().sum() <= tw["households"][slug] - baseline[slug]
            cause = (f"{rows_cause}; or {base_cause}" if fits
                     else f"{base_cause[0].upper()}{base_cause[1:]}; or {rows_cause}")
        first = rows[next(iter(causes))][0] if causes else part.index[0]
        out.add(fname, int(first) + 2, "households_done",
                f"township {show(slug)}: {done:,.0f} households done of clean-heating retrofits ("
                + ", ".join(f"{kind} {n:,.0f}" for kind, n in kinds.items())
                + f") plus {baseline[slug]:,.0f} heated cleanly before the season "
                f"({townships_fname} row {tw['_row'][slug]}, {' + '.join(columns)}) are more than its "
                f"{tw['households'][slug]:,.0f} households (a clean-heating coverage above 100 %): {cause}")


def _check_targets_over_planned(sums: pd.DataFrame, targets_fname: str, out: Collector) -> None:
    factor = input_limit("heating_retrofits.target_over_planned")
    flagged = sums[(sums["households_planned"] > 0) & sums["target"].notna()
                   & (sums["target"] > factor * sums["households_planned"])]
    for (slug, kind), row in flagged.iterrows():
        out.add(targets_fname, int(row["row"]) + 2, "target",
                f"township {show(slug)}, heating_{kind}: the target of {row['target']:,.0f} households is more than "
                f"{factor:g} × the {row['households_planned']:,.0f} households the township planned for {kind} in "
                f"heating_retrofits (the factor is in {LIMITS_FILE}): is it the county's target, or several "
                "townships', put on this one? write the township's own share; if its batches leave households "
                "out, add the rest as a batch with households_done 0 and no completion date (the completion rate "
                "is done ÷ planned)")


def check_county_target_on_township(targets: pd.DataFrame, fname: str, county: dict[str, float],
                                    out: Collector) -> None:
    """A township's target of a retrofit type at or above the county's whole allocation of that type in
    the plan (``county``, PLAN.md § 六), while other townships hold a share of it too: the county's
    target was written on one township (the shares would add up to more than the county's)."""
    if not county:
        return
    targets = _known_rows(targets, fname, out)
    for kind, whole in county.items():
        rows = targets[(targets["task"] == f"heating_{kind}") & (targets["target"] > 0)]
        big = rows[rows["target"] >= whole]
        for label in big.index:
            others = rows["township"][rows["township"] != rows["township"][label]].nunique()
            if others:
                out.add(fname, int(label) + 2, "target",
                        f"township {show(rows['township'][label])}, heating_{kind}: the target of "
                        f"{rows['target'][label]:,.0f} households is the whole county's ({whole:,.0f} households "
                        f"of {kind} in the plan, PLAN.md § 六, zzeval/reference/plan_targets.yaml) while {others} "
                        "other township(s) hold a share of it too: write this township's own share")


def check_fleet_after_scrapping(vh: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """``vehicles``: on a row of a China III or older standard (:data:`OLD_STANDARDS`) the fleet at the
    season's end can be at most the fleet before less the vehicles scrapped; more contradicts the row
    itself (``fleet_after`` left at ``fleet_before`` after the scrapping counts the scrapped trucks as
    still in service)."""
    if vh is None or vh.empty:
        return
    left = vh["fleet_before"] - vh["scrapped"]
    after = vh["fleet_after"]
    bad = vh["emission_standard"].isin(OLD_STANDARDS) & (after > left)
    out.rows(fname, "fleet_after", bad,
             lambda i: f"fleet_after is {after[i]:,.0f} ({vh['vehicle_class'][i]}, {vh['emission_standard'][i]}), but "
                       f"fleet_before {vh['fleet_before'][i]:,.0f} less {vh['scrapped'][i]:,.0f} scrapped leaves "
                       f"{left[i]:,.0f}: no new vehicle of China III or an older standard is "
                       "registered, so the fleet cannot grow; was fleet_after left at fleet_before after the "
                       "scrapping? write the vehicles still in service (fleet_before − scrapped, less any moved "
                       "away)")


#: Retrofit types whose households are each fitted with equipment (a heat pump or electric heater, a gas
#: wall-hung boiler) and subsidised by ``heating_retrofits.subsidy_yuan_per_household_equipment``.
EQUIPMENT_TYPES = ("coal_to_electricity", "coal_to_gas")


def check_subsidy_standard(rt: pd.DataFrame, fname: str, out: Collector) -> None:
    """``heating_retrofits``: a coal-to-electricity or coal-to-gas batch paid less than
    ``heating_retrofits.subsidy_yuan_per_household_equipment`` per household done: the per-household subsidy
    standard (补贴标准, yuan per household) written as the batch's total (hostile review 8A finding 8: 10,744
    yuan for 126 households, 85 per household, cut the county's clean-heating cost by 18 %). Rows below the
    general floor (``heating_retrofits.subsidy_yuan_per_household``: 万元) are named by
    :func:`zzeval.season.plausible.check_payments` instead. A judgement check (``subsidy_standard``,
    ``township retrofit_type``): a first instalment paid before the season's end may be that low (recheck 8)."""
    if "subsidy_yuan" not in rt:
        return
    floor = input_floor(SUBSIDY_FLOOR)
    general = input_floor("heating_retrofits.subsidy_yuan_per_household")
    done, paid = rt["households_done"], rt["subsidy_yuan"]
    per = paid / done.where(done > 0)
    low = rt["retrofit_type"].isin(EQUIPMENT_TYPES) & (paid > 0) & (per >= general) & (per < floor)
    subject = rt["township"].astype(str) + " " + rt["retrofit_type"].astype(str)  # a genuine part payment: confirm
    judge_rows(out, "subsidy_standard", fname, "subsidy_yuan", low, subject,
             lambda i: f"{paid[i]:,.0f} yuan for {done[i]:,.0f} households done ({rt['retrofit_type'][i]}) is "
                       f"{per[i]:,.0f} yuan per household, below the plausible {floor:,.0f} for a household fitted "
                       f"with heating equipment ({LIMITS_FILE}): is this the subsidy per household (补贴标准) rather "
                       f"than the batch's total? write the total paid for the batch (per household × households_done: "
                       f"{paid[i]:,.0f} × {done[i]:,.0f} = {paid[i] * done[i]:,.0f} if {paid[i]:,.0f} is the standard)")


def check_fuel_and_standard(vh: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """A fuel and an emission standard that contradict each other (hostile review 9A, F5): a vehicle of
    fuel ``electric`` has no China emission stage, and a diesel vehicle is not a new-energy one. The
    emission model (zzeval.emissions.diesel.is_electric) and the new-energy share of the public fleet
    count a row as new-energy when either says so: diesel + NEV was counted as 10 electric buses.
    Gasoline or gas with NEV (plug-in hybrids, which China counts as new-energy vehicles) passes. Diesel
    plug-in hybrids exist too (buses, sanitation trucks) but are rare, and diesel + NEV is more often a
    slip: a judgement check (``diesel_plug_in_hybrid``, by township and class; s12), counted like the
    gasoline ones once confirmed."""
    if vh is None or vh.empty:
        return
    fuel, standard = vh["fuel"].astype("string"), vh["emission_standard"].astype("string")
    stage = standard.str.startswith("China").fillna(False)
    out.rows(fname, "emission_standard", (fuel == "electric").fillna(False) & stage,
             lambda i: f"fuel electric with emission standard {standard[i]}: an electric vehicle has no China emission "
                       "stage; write NEV, or the fuel the vehicles burn (diesel, gasoline, gas) if they are not electric")
    subject = vh["township"].astype(str) + " " + vh["vehicle_class"].astype(str)
    judge_rows(out, "diesel_plug_in_hybrid", fname, "emission_standard",
               (fuel == "diesel").fillna(False) & (standard == "NEV").fillna(False), subject,
               lambda i: "fuel diesel with emission standard NEV: the row would be counted as electric (no tailpipe "
                         "emissions, in the new-energy share), and the emission factors have no class for a diesel "
                         "plug-in hybrid; write fuel electric if the vehicles are battery-electric, otherwise the China "
                         "stage of their diesel engine (China0-China6) if they are plain diesel vehicles with NEV typed "
                         "by mistake")


def check_fleet_per_household(vh: pd.DataFrame | None, townships: pd.DataFrame | None, fname: str,
                              out: Collector) -> None:
    """``vehicles``: a township's vehicles (all its rows, the larger of ``fleet_before`` and ``fleet_after``)
    above ``vehicles.fleet_per_household`` per household of ``townships.csv``: a fleet typed with extra
    digits (hostile review 8A finding 18: 58,000 China III trucks for 58 in a township of 7,823 households
    made its diesel-truck PM2.5 cut 1.07 -> 621 t; with the payment left empty no per-vehicle floor sees it).
    A judgement check (``vehicle_fleet``, the township slug; :mod:`zzeval.season.confirm`); the message
    names the township's largest row."""
    if vh is None or vh.empty or townships is None or townships.empty:
        return
    ceiling = input_limit(FLEET_LIMIT)
    households = townships.drop_duplicates("slug").set_index("slug")["households"]
    fleet = pd.concat([vh.groupby("township")[c].sum() for c in ("fleet_before", "fleet_after")], axis=1).max(axis=1)
    for slug, n in fleet.items():
        hh = households.get(slug, np.nan)
        if pd.isna(hh) or hh <= 0 or n <= ceiling * hh:
            continue
        rows = vh[vh["township"] == slug]
        big = rows[["fleet_before", "fleet_after"]].max(axis=1).idxmax()
        judge(out, "vehicle_fleet", str(slug), (fname, int(big) + 2, "fleet_before"),
              f"township {show(slug)}: {n:,.0f} vehicles in all (the larger of fleet_before and fleet_after over its "
              f"rows) for its {hh:,.0f} households in townships.csv, {n / hh:,.2f} per household, above {ceiling:g} "
              f"({LIMITS_FILE}); the largest row is this one ({vh['vehicle_class'][big]}, {vh['fuel'][big]}, "
              f"{vh['emission_standard'][big]}: fleet_before {vh['fleet_before'][big]:,.0f}, scrapped "
              f"{vh['scrapped'][big]:,.0f}): are counts typed with extra digits (×10, ×1000)? write the vehicles "
              "counted")


def check_haul_distance(fr: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """``freight``: the road haul avoided per tonne moved to rail (``haul_km``) at least the floor
    ``freight.haul_km`` of ``input_limits.csv`` on a row with tonnes moved: below it the distance is a
    slip, mostly '.' written as a thousands separator (``1.045`` for 1,045 km), and the row's reduction
    would be as many times too small (hostile review 6, finding 12)."""
    if fr is None or fr.empty:
        return
    floor = input_floor("freight.haul_km")
    haul = fr["haul_km"]
    moved = (fr["road_t_before"] - fr["road_t_after"]) > 0
    low = moved & (haul > 0) & (haul < floor)
    grouped = (haul * 1000).round(6) % 1 == 0  # three decimals: 1.045 may be 1,045 with '.' between thousands

    def message(i) -> str:
        hint = (f"; was {haul[i]:.3f} written for {haul[i] * 1000:,.0f} km with '.' as a thousands separator? "
                "write it without a separator" if grouped[i] and haul[i] >= 1 else "")
        return (f"haul_km {haul[i]:g} km is below the plausible {floor:g} km (zzeval/reference/input_limits.csv): "
                f"the road haul a shift to rail avoids runs from the firm to its customer or railhead{hint}; write "
                "the distance in km")

    out.rows(fname, "haul_km", low, message)
