"""Season estimate: all measures, all pollutants, central values and 95 % intervals.

This is a **screening estimate, not a compliance inventory**: activity × factor with
sourced, ranged, overridable defaults (see ``docs/methods_emissions.md``).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from zzeval.emissions import diesel, freight, heating
from zzeval.emissions.core import ALL_SCOPES, MEASURES, NET, POLLUTANTS, SCOPES, Params, check_draws
from zzeval.emissions.factors import FactorSamples, FactorTable, load_factors, sample_factors
from zzeval.emissions.labels import label
from zzeval.emissions.uncertainty import intervals, sensitivity_table

#: Builders in report order; each returns one Block.
BUILDERS = (
    ("clean_heating", heating.build),
    ("diesel_trucks", diesel.build_trucks),
    ("nev_fleet", diesel.build_nev_fleet),
    ("obd_im", diesel.build_obd_im),
    ("road_to_rail", freight.build),
)
assert tuple(m for m, _ in BUILDERS) == MEASURES

UNIT = "t"
COUNTY = "county"
TOTAL = "total"
DEFAULT_SEED = 20201001
DEFAULT_DRAWS = 10_000
DEFAULT_QUANTILES = (0.025, 0.975)
_COLS = ["township", "measure", "pollutant", "scope", "central", "low", "high", "unit"]


@dataclass
class ReductionEstimate:
    """Emission reductions of one season (t per season; positive = reduction).

    Attributes
    ----------
    table : DataFrame
        township, measure, pollutant, scope, central, low, high, unit — one row per
        township × measure × pollutant × scope (``in_county``, ``moved_outside``, ``net``).
        ``central`` is the estimate with every factor at its central value; ``low`` and
        ``high`` bound the 95 % Monte Carlo interval. Rows of different scopes must not
        be added (``net`` = in_county + moved_outside, draw by draw).
    county : DataFrame
        Same columns, ``township == "county"``: per measure, draws summed over townships.
    totals : DataFrame
        Same columns, ``measure == "total"``: all measures summed draw by draw, per
        township and for the county.
    detail : DataFrame
        township, measure, submeasure (retrofit type, vehicle class, obd/im, cargo),
        pollutant, scope, central, low, high, unit.
    activity : DataFrame
        township, measure, submeasure, activity, activity_unit (household·season,
        vehicles scrapped, vehicles fitted, failed I/M tests, t·km).
    sensitivity : DataFrame
        measure, pollutant, scope, input, rho, rho2, contribution, rank — county net.
    cost_effectiveness : DataFrame
        township (or county), measure, pollutant, scope, cost_yuan, reduction_t,
        yuan_per_t, yuan_per_t_low, yuan_per_t_high, basis.
    factors_used : DataFrame
        The rows of the factor table the estimate read.
    draws : dict
        n, seed, sampling, quantiles (no run time: the build keys the county report on it).
    county_draws : dict
        (measure or "total", pollutant, scope) → ndarray of the county draws (t).
    notes : list of str
        Data adjustments made (e.g. replacements capped at scrapped).
    """

    table: pd.DataFrame
    county: pd.DataFrame
    totals: pd.DataFrame
    detail: pd.DataFrame
    activity: pd.DataFrame
    sensitivity: pd.DataFrame
    cost_effectiveness: pd.DataFrame
    factors_used: pd.DataFrame
    draws: dict
    county_draws: dict = field(default_factory=dict, repr=False)
    notes: list[str] = field(default_factory=list)

    def tidy(self) -> pd.DataFrame:
        """Townships and county rows in one frame (what ``write_estimate`` writes)."""
        return pd.concat([self.table, self.county], ignore_index=True)

    def without_draws(self) -> ReductionEstimate:
        """A copy without ``county_draws`` (≈ 11 MB at 10,000 draws), e.g. before pickling."""
        return dataclasses.replace(self, county_draws={})

    def labelled(self, frame: pd.DataFrame | None = None, lang: str = "zh") -> pd.DataFrame:
        """``frame`` (default: :meth:`tidy`) with ``measure_label``, ``submeasure_label``
        (when present), ``pollutant_label`` and ``scope_label`` in ``lang`` (zh or en)."""
        out = (self.tidy() if frame is None else frame).copy()
        for kind in ("measure", "submeasure", "pollutant", "scope"):
            if kind in out.columns:
                out[f"{kind}_label"] = [label(kind, str(v), lang) for v in out[kind]]
        return out

    def top_inputs(self, measure: str, pollutant: str, k: int = 5) -> pd.DataFrame:
        """The ``k`` inputs that drive the spread of a measure's county reduction."""
        s = self.sensitivity
        s = s[(s["measure"] == measure) & (s["pollutant"] == pollutant)]
        return s.sort_values("rank").head(k).reset_index(drop=True)


def _blocks(season, samples):
    return [builder(season, Params(samples)) for _, builder in BUILDERS]


def _with_central(table: FactorTable, draws: int, seed: int) -> FactorSamples:
    """Samples whose column 0 is the central value of every factor and columns 1..n the
    Monte Carlo draws (ranks refer to columns 1..n)."""
    central = sample_factors(table, 1, seed=None)
    if draws == 0:
        return central
    mc = sample_factors(table, draws, seed=seed)
    values = {k: np.concatenate([central.values[k], mc.values[k]]) for k in mc.values}
    return FactorSamples(values, mc.ranks, draws + 1, seed)


def _aggregators(blocks, slugs):
    """Per block: (township × processes) and (submeasure × processes) weight matrices and
    the submeasure names."""
    pos = {s: i for i, s in enumerate(slugs)}
    out = []
    for b in blocks:
        n_lines = len(b.lines)
        t_idx = np.array([pos[t] for t in b.lines["township"]], dtype=int)
        agg_t = sparse.csr_matrix((np.ones(n_lines), (t_idx, np.arange(n_lines))),
                                  shape=(len(slugs), n_lines))
        subs = list(dict.fromkeys(b.lines["submeasure"]))
        s_idx = np.array([subs.index(s) for s in b.lines["submeasure"]], dtype=int)
        agg_s = sparse.csr_matrix((np.ones(n_lines), (s_idx, np.arange(n_lines))),
                                  shape=(len(subs), n_lines))
        out.append(((agg_t @ b.weights).tocsr(), subs, (agg_s @ b.weights).tocsr()))
    return out


def _summarise(draws: np.ndarray, quantiles, mc: bool):
    """Central (column 0) and interval (columns 1..n) of each row."""
    central = draws[:, 0]
    if not mc:
        nan = np.full(central.shape, np.nan)
        return central, nan, nan
    lo, hi = intervals(draws[:, 1:], quantiles)
    return central, lo, hi


def estimate_season(season, factors: FactorTable | None = None, draws: int = DEFAULT_DRAWS,
                    seed: int = DEFAULT_SEED,
                    quantiles: tuple[float, float] = DEFAULT_QUANTILES,
                    detail_intervals: bool = False) -> ReductionEstimate:
    """Emission reductions of every measure, township and pollutant, with uncertainty.

    Parameters
    ----------
    season : SeasonData
        The loaded season (tables ``townships``, ``heating_retrofits``, ``vehicles``,
        ``freight``, ``tasks``; ``period`` for the season length).
    factors : FactorTable, optional
        Factor table (default: :func:`zzeval.emissions.factors.load_factors` without override).
    draws : int
        Monte Carlo draws (Latin hypercube), default 10,000; at least 100, or 0 for the
        central estimate alone (``low``/``high`` NaN, no sensitivity).
    seed : int
        Seed; the same seed, data and factors give identical numbers.
    quantiles : (float, float)
        Interval bounds, default (0.025, 0.975): a 95 % interval.
    detail_intervals : bool
        Also compute intervals of the township × submeasure rows of ``detail`` (slower;
        county × submeasure rows always have them).

    Returns
    -------
    ReductionEstimate
        t per season; positive = reduction. See the class for the tables.

    Notes
    -----
    A screening estimate, not a compliance inventory. The central value is the estimate
    with every factor at its central value (column 0 of the draws); the interval comes
    from the Monte Carlo draws. Equations: the docstrings of
    :mod:`zzeval.emissions.heating`, :mod:`~zzeval.emissions.diesel`,
    :mod:`~zzeval.emissions.freight` and ``docs/methods_emissions.md``.
    """
    draws = check_draws(draws)
    table = factors if factors is not None else load_factors()
    slugs = [str(s) for s in season.townships["slug"]]
    samples = _with_central(table, draws, seed)
    blocks = _blocks(season, samples)
    aggs = _aggregators(blocks, slugs)
    rows, county_draws = _collect_rows(blocks, aggs, slugs, samples.n, quantiles, draws > 0,
                                       detail_intervals)
    table_df = _frame(rows.tm, _COLS[:-1])
    county_df = _frame(rows.county, _COLS[:-1])
    totals_df = _frame(rows.tot, _COLS[:-1])
    detail_df = _frame(rows.detail, ["township", "measure", "submeasure", "pollutant", "scope",
                                     "central", "low", "high"])
    activity = pd.concat([b.lines for b in blocks], ignore_index=True)

    used = {b.measure: b.used for b in blocks}
    sens = _sensitivity(samples, used, county_draws, draws, seed)
    ce = _cost_effectiveness(pd.concat([b.costs for b in blocks], ignore_index=True), table_df,
                             county_df)
    meta = {"n": int(draws), "seed": int(seed), "sampling": "Latin hypercube",
            "quantiles": list(quantiles), "central": "all factors at their central values",
            "unit": "t per season", "season": season.period.name,
            "factor_files": list(table.files), "overrides": list(table.overrides)}  # no run time: a content digest
    return ReductionEstimate(table_df, county_df, totals_df, detail_df, activity, sens, ce,
                             table.subset(set().union(*used.values())), meta, county_draws,
                             [n for b in blocks for n in b.notes])


def _collect_rows(blocks, aggs, slugs: list[str], width: int, quantiles, mc: bool,
                  detail_intervals: bool) -> tuple[_Rows, dict]:
    """Every result row, pollutant by pollutant and scope by scope, and the county draws."""
    line_towns = {b.measure: list(b.lines["township"]) for b in blocks}
    line_subs = {b.measure: list(b.lines["submeasure"]) for b in blocks}
    rows = _Rows()
    county_draws: dict[tuple[str, str, str], np.ndarray] = {}
    for pol in POLLUTANTS:
        sums = _township_sums(blocks, aggs, pol, len(slugs), width, quantiles, mc)
        subs, lines = _scope_arrays(blocks, aggs, pol, width, detail_intervals)
        for scope in ALL_SCOPES:
            ctx = _ScopeContext(pol, scope, slugs, quantiles, mc, detail_intervals)
            rows.add_scope(ctx, sums[scope], county_draws)
            rows.add_detail(ctx, blocks, aggs, lines[scope], subs[scope], line_towns, line_subs)
    return rows, county_draws


#: Townships whose Monte Carlo draws are held at once (measures × townships × draws per scope):
#: the whole province's arrays were 0.4 GB per scope at 1,000 townships and 10,000 draws (2.4 GB
#: peak); a chunk of 100 is 40 MB. The numbers are the same: quantiles are row by row, and the
#: county sums add the townships in slug order, as numpy's sum over the township axis does.
CHUNK_TOWNSHIPS = 100


@dataclass
class _ScopeSums:
    """One scope's summaries: ``rows`` (central, low, high) of the measure × township rows
    (measure-major), ``totals`` of each township's sum over the measures, ``county`` the draws of
    each measure summed over the townships (measures × draws), ``nonzero``: any draw not 0."""

    rows: list
    totals: list
    county: np.ndarray | None = None
    nonzero: bool = False

    def add(self, z: np.ndarray, start: int, quantiles, mc: bool, whole: bool) -> None:
        """A chunk of townships ``z`` (measures × townships × draws) from township ``start``."""
        n_m, n_t, width = z.shape
        for target, summary in ((self.rows, _summarise(z.reshape(n_m * n_t, width), quantiles, mc)),
                                (self.totals, _summarise(z.sum(axis=0), quantiles, mc))):
            for arr, part in zip(target, summary, strict=True):
                arr[..., start:start + n_t] = part.reshape(arr[..., start:start + n_t].shape)
        self.nonzero = self.nonzero or bool(np.any(z))
        if whole or width < 2:  # numpy's own sum (pairwise along a single draw column)
            self.county = z.sum(axis=1)
            return
        first = 0
        if self.county is None:
            self.county, first = z[:, 0, :].copy(), 1
        for t in range(first, n_t):  # township by township, as numpy sums across rows
            self.county += z[:, t, :]


def _township_sums(blocks, aggs, pol: str, t_count: int, width: int, quantiles, mc: bool
                   ) -> dict[str, _ScopeSums]:
    """Per scope, the :class:`_ScopeSums` of ``pol``, computed :data:`CHUNK_TOWNSHIPS` townships
    at a time (one chunk when the draws are a single column). The ``net`` scope is the sum of
    ``in_county`` and ``moved_outside``; its rows are those of the other scope when one is all 0."""
    n_m = len(MEASURES)
    step = max(1, CHUNK_TOWNSHIPS) if width > 1 else max(t_count, 1)
    out = {s: _ScopeSums(rows=[np.zeros((n_m, t_count)) for _ in range(3)],
                         totals=[np.zeros(t_count) for _ in range(3)]) for s in ALL_SCOPES}
    for start in range(0, t_count, step):
        stop = min(start + step, t_count)
        z = {}
        for scope in SCOPES:
            z[scope] = np.zeros((n_m, stop - start, width))
            for m, (b, (w_t, _, _)) in enumerate(zip(blocks, aggs, strict=True)):
                g = b.unit.get((scope, pol))
                if g is not None:
                    z[scope][m] = w_t[start:stop] @ g
        z[NET] = z["in_county"] + z["moved_outside"]
        for scope in ALL_SCOPES:
            out[scope].add(z[scope], start, quantiles, mc, whole=stop - start == t_count)
    for scope in ALL_SCOPES:
        if out[scope].county is None:  # no township
            out[scope].county = np.zeros((n_m, width))
        out[scope].rows = [a.reshape(-1) for a in out[scope].rows]
    if not out["moved_outside"].nonzero:
        out[NET].rows = out["in_county"].rows
    elif not out["in_county"].nonzero:
        out[NET].rows = out["moved_outside"].rows
    return out


def _sensitivity(samples, used: dict, county_draws: dict, draws: int, seed: int) -> pd.DataFrame:
    """Sensitivity of the county's net reductions to each factor (empty without draws)."""
    if draws == 0:
        return sensitivity_table(samples, {}, {}, NET)
    net_outputs = {(m, pol): county_draws[(m, pol, NET)] for m in MEASURES for pol in POLLUTANTS}
    return sensitivity_table(FactorSamples({}, samples.ranks, draws, seed), used, net_outputs, NET)


def _frame(rows: list[tuple], cols: list[str]) -> pd.DataFrame:
    """A tidy result table in t per season, with float central/low/high."""
    f = pd.DataFrame(rows, columns=cols)
    f["unit"] = UNIT
    for c in ("central", "low", "high"):
        f[c] = f[c].astype(float)
    return f


def _scope_arrays(blocks, aggs, pol: str, width: int, detail_intervals: bool):
    """Per scope: per-submeasure draws and per-line draws of ``pol`` (the measure × township
    draws: :func:`_township_sums`). The ``net`` scope is the sum of ``in_county`` and
    ``moved_outside``."""
    subs, lines = {}, {}
    for scope in SCOPES:
        per_sub, per_line = [], []
        for b, (_, _, w_s) in zip(blocks, aggs, strict=True):
            g = b.unit.get((scope, pol))
            if g is None:
                per_sub.append(np.zeros((w_s.shape[0], width)))
                per_line.append(np.zeros((len(b.lines), width if detail_intervals else 1)))
                continue
            per_sub.append(np.asarray(w_s @ g))
            per_line.append(np.asarray(b.weights @ (g if detail_intervals else g[:, :1])))
        subs[scope], lines[scope] = per_sub, per_line
    subs[NET] = [a + b for a, b in zip(subs["in_county"], subs["moved_outside"], strict=True)]
    lines[NET] = [a + b for a, b in zip(lines["in_county"], lines["moved_outside"], strict=True)]
    return subs, lines


@dataclass(frozen=True)
class _ScopeContext:
    pol: str
    scope: str
    slugs: list[str]
    quantiles: tuple[float, float]
    mc: bool
    detail_intervals: bool


@dataclass
class _Rows:
    """Rows of the four result tables, filled pollutant by pollutant and scope by scope."""

    tm: list = field(default_factory=list)
    county: list = field(default_factory=list)
    tot: list = field(default_factory=list)
    detail: list = field(default_factory=list)

    def add_scope(self, c: _ScopeContext, sums: _ScopeSums, county_draws: dict):
        """Township × measure rows, county × measure rows and the totals of one scope."""
        t_count = len(c.slugs)
        cz, lo, hi = sums.rows
        for m, measure in enumerate(MEASURES):
            for t, slug in enumerate(c.slugs):
                i = m * t_count + t
                self.tm.append((slug, measure, c.pol, c.scope, cz[i], lo[i], hi[i]))
        county = sums.county
        cc, clo, chi = _summarise(county, c.quantiles, c.mc)
        for m, measure in enumerate(MEASURES):
            self.county.append((COUNTY, measure, c.pol, c.scope, cc[m], clo[m], chi[m]))
            if c.mc:
                county_draws[(measure, c.pol, c.scope)] = county[m, 1:]
        tc, tlo, thi = sums.totals
        for t, slug in enumerate(c.slugs):
            self.tot.append((slug, TOTAL, c.pol, c.scope, tc[t], tlo[t], thi[t]))
        all_tot = county.sum(axis=0, keepdims=True)
        ac, alo, ahi = _summarise(all_tot, c.quantiles, c.mc)
        self.tot.append((COUNTY, TOTAL, c.pol, c.scope, ac[0], alo[0], ahi[0]))
        if c.mc:
            county_draws[(TOTAL, c.pol, c.scope)] = all_tot[0, 1:]

    def add_detail(self, c: _ScopeContext, blocks, aggs, line_draws, sub_draws, line_towns,
                   line_subs):
        """Line (township × submeasure) rows and county × submeasure rows of one scope."""
        for b, (_, sub_names, _), lr, sr in zip(blocks, aggs, line_draws, sub_draws, strict=True):
            if len(b.lines):
                lc, llo, lhi = _summarise(lr, c.quantiles, c.mc and c.detail_intervals)
                for j, (town, sub) in enumerate(zip(line_towns[b.measure], line_subs[b.measure],
                                                    strict=True)):
                    self.detail.append((town, b.measure, sub, c.pol, c.scope, lc[j], llo[j], lhi[j]))
            sc, slo, shi = _summarise(sr, c.quantiles, c.mc)
            for j, sub in enumerate(sub_names):
                self.detail.append((COUNTY, b.measure, sub, c.pol, c.scope, sc[j], slo[j], shi[j]))


def _cost_effectiveness(costs: pd.DataFrame, table: pd.DataFrame, county: pd.DataFrame):
    cols = ["township", "measure", "pollutant", "scope", "cost_yuan", "reduction_t",
            "reduction_low_t", "reduction_high_t", "yuan_per_t", "yuan_per_t_low",
            "yuan_per_t_high", "basis"]
    # a NaN cost (a batch done without its subsidy or payment: "not reported") leaves the township's and
    # the county's cost of the measure unknown (NaN, basis says so), never a partial sum (too small per t)
    if costs.empty or not (costs["cost_yuan"].isna() | (costs["cost_yuan"] > 0)).any():
        return pd.DataFrame(columns=cols)
    by_tm, by_m = (f[f["cost_yuan"].isna() | (f["cost_yuan"] > 0)] for f in (
        costs.groupby(k, as_index=False)["cost_yuan"].agg(lambda c: c.sum(skipna=False))
        for k in (["township", "measure"], ["measure"])))
    by_m.insert(0, "township", COUNTY)
    rows = []
    for cost_frame, red in ((by_tm, table), (by_m, county)):
        merged = cost_frame.merge(red[red["scope"].isin(["in_county", NET])],
                                  on=["township", "measure"], how="left")
        for rec in merged.itertuples(index=False):
            c, lo, hi = rec.central, rec.low, rec.high

            def per(x, cost=rec.cost_yuan):
                return cost / x if x > 0 else np.nan

            rows.append((rec.township, rec.measure, rec.pollutant, rec.scope, rec.cost_yuan, c, lo, hi, per(c),
                         per(hi), per(lo), "cost not reported" if np.isnan(rec.cost_yuan)
                         else "cost ÷ reduction in this season (no lifetime credit)"))
    return pd.DataFrame(rows, columns=cols)


# -- what-if ----------------------------------------------------------------------------
@dataclass
class WhatIf:
    """A what-if run: ``baseline`` and ``changed`` estimates and their ``comparison``
    (township, measure, pollutant, scope, baseline, changed, change, change_pct; central
    values, county rows included)."""

    baseline: ReductionEstimate
    changed: ReductionEstimate
    comparison: pd.DataFrame


def _set_households(season, households_done: dict):
    """Copy of ``season`` with households_done per (township, retrofit_type) replaced."""
    flat: dict[tuple[str, str], float] = {}
    for k, v in households_done.items():
        if isinstance(v, dict):
            for rtype, n in v.items():
                flat[(str(k), str(rtype))] = float(n)
        else:
            town, rtype = k
            flat[(str(town), str(rtype))] = float(v)
    known = set(season.townships["slug"].astype(str))
    retro = season.heating_retrofits.copy()
    retro["households_done"] = retro["households_done"].astype(float)
    new_rows = []
    for (town, rtype), n in flat.items():
        if town not in known:
            raise KeyError(f"unknown township {town!r}; known: {sorted(known)}")
        if n < 0:
            raise ValueError(f"households_done for ({town}, {rtype}) must be ≥ 0, got {n}")
        mask = (retro["township"].astype(str) == town) & (retro["retrofit_type"].astype(str) == rtype)
        if not mask.any():
            new_rows.append({"township": town, "retrofit_type": rtype, "households_planned": n,
                             "households_done": n, "completion_date": season.period.start,
                             "subsidy_yuan": 0.0})
            continue
        current = retro.loc[mask, "households_done"]
        if current.sum() > 0:
            retro.loc[mask, "households_done"] = current * n / current.sum()
        else:
            first = retro.index[mask][0]
            retro.loc[first, "households_done"] = n
    if new_rows:
        retro = pd.concat([retro, pd.DataFrame(new_rows)], ignore_index=True)
    return dataclasses.replace(season, heating_retrofits=retro)


def what_if(season, factors: FactorTable | None = None, overrides: dict | None = None,
            households_done: dict | None = None, tables: dict | None = None,
            draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED) -> WhatIf:
    """Change factors or allocations and compare with the baseline (for JupyterLab).

    Parameters
    ----------
    season : SeasonData
    factors : FactorTable, optional
        Baseline factor table (default: shipped table).
    overrides : dict, optional
        Factor key → new central (number; range keeps its relative width) or dict with
        ``central``/``low``/``high``/``distribution``, e.g.
        ``{"grid/north_china/CO2": 557, "heating_coal_use/rural": {"central": 2.2,
        "low": 2.0, "high": 2.4}}``.
    households_done : dict, optional
        ``{(township, retrofit_type): n}`` or ``{township: {retrofit_type: n}}``: the
        households retrofitted (batches of the pair are scaled to the new total; a new
        pair is added as completed at the season start).
    tables : dict, optional
        Table name → replacement DataFrame (e.g. an edited ``vehicles``).
    draws, seed : int
        As :func:`estimate_season`; both runs use the same seed, so factor draws are
        shared and the difference is not Monte Carlo noise.

    Returns
    -------
    WhatIf
    """
    base_table = factors if factors is not None else load_factors()
    changed_table = base_table.with_values(overrides) if overrides else base_table
    changed_season = season
    if households_done:
        changed_season = _set_households(changed_season, households_done)
    if tables:
        changed_season = dataclasses.replace(changed_season, **tables)
    base = estimate_season(season, base_table, draws=draws, seed=seed)
    changed = estimate_season(changed_season, changed_table, draws=draws, seed=seed)
    keys = ["township", "measure", "pollutant", "scope"]
    a = pd.concat([base.tidy(), base.totals], ignore_index=True)
    b = pd.concat([changed.tidy(), changed.totals], ignore_index=True)
    comp = a[keys + ["central"]].rename(columns={"central": "baseline"}).merge(
        b[keys + ["central"]].rename(columns={"central": "changed"}), on=keys, how="outer")
    comp["change"] = comp["changed"] - comp["baseline"]
    comp["change_pct"] = np.where(comp["baseline"].abs() > 0,
                                  100.0 * comp["change"] / comp["baseline"].abs(), np.nan)
    comp["unit"] = UNIT
    return WhatIf(base, changed, comp)


# -- output -----------------------------------------------------------------------------
def _records(frame: pd.DataFrame) -> list[dict]:
    f = frame.astype(object).where(frame.notna(), None)
    return f.to_dict("records")


def write_estimate(result: ReductionEstimate, path: str | Path, format: str = "csv") -> list[Path]:
    """Write an estimate.

    Parameters
    ----------
    result : ReductionEstimate
    path : str or Path
        ``csv``: a file path (``.csv``) gets the tidy table (townships and county); a
        directory (existing, or a path without suffix) gets ``emission_reductions.csv``,
        ``emission_totals.csv``, ``emission_detail.csv``, ``emission_activity.csv``,
        ``emission_sensitivity.csv``, ``emission_cost_effectiveness.csv``,
        ``emission_factors_used.csv`` and ``emission_meta.json``. ``json``: one file with
        all tables as lists of records plus ``meta``.
    format : {"csv", "json"}

    Returns
    -------
    list of Path
        Files written.
    """
    from zzeval.atomic import writes_through

    path = Path(path)
    one_file = writes_through(path)  # /dev/null, /dev/stdout, a FIFO: one file, never a folder
    if format == "json":
        if not one_file and (path.is_dir() or not path.suffix):
            path.mkdir(parents=True, exist_ok=True)
            path = path / "emission_reductions.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        doc = {
            "meta": {**result.draws, "note": "screening estimate, not a compliance inventory; "
                                             "t per season, positive = reduction"},
            "table": _records(result.tidy()),
            "totals": _records(result.totals),
            "detail": _records(result.detail),
            "activity": _records(result.activity),
            "sensitivity": _records(result.sensitivity),
            "cost_effectiveness": _records(result.cost_effectiveness),
            "factors_used": _records(result.factors_used),
            "notes": list(result.notes),
        }
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
        return [path]
    if format != "csv":
        raise ValueError(f"format must be 'csv' or 'json', got {format!r}")
    if one_file or path.suffix.lower() == ".csv":
        path.parent.mkdir(parents=True, exist_ok=True)
        result.tidy().to_csv(path, index=False)
        return [path]
    path.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in (("emission_reductions", result.tidy()), ("emission_totals", result.totals),
                        ("emission_detail", result.detail), ("emission_activity", result.activity),
                        ("emission_sensitivity", result.sensitivity),
                        ("emission_cost_effectiveness", result.cost_effectiveness),
                        ("emission_factors_used", result.factors_used)):
        p = path / f"{name}.csv"
        frame.to_csv(p, index=False)
        written.append(p)
    meta = path / "emission_meta.json"
    meta.write_text(json.dumps({**result.draws, "notes": result.notes}, ensure_ascii=False, indent=1),
                    encoding="utf-8")
    written.append(meta)
    return written
