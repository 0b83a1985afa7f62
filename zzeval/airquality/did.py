"""Across-township difference-in-differences on retrofit intensity, with an event study.

Model (two-way fixed effects, continuous treatment; Callaway, Goodman-Bacon & Sant'Anna
2024 discuss its interpretation [1]_):

    log C_it = α_i + γ_t + β · (intensity_i × current_t) + ε_it

with ``C_it`` the valid daily mean concentration of township ``i`` on day ``t`` (both
seasons), ``α_i`` township and ``γ_t`` date fixed effects (the date effects absorb the
county-wide weather of each day), ``intensity_i = households_done / households`` of the
township's clean-heating retrofits finished by the season end, and ``current_t = 1`` in
the evaluated season. ``100·(exp(β) − 1)`` is the change in % for a township that
retrofitted all its households relative to one that retrofitted none.

Inference with 17 clusters is fragile (Cameron, Gelbach & Miller 2008 [2]_): standard
errors are clustered by township with the CR1 small-sample factor and t(G−1) critical
values, **and** the reported interval and p-value come from a wild cluster bootstrap
(restricted, Webb six-point weights, which behave better than Rademacher with few
clusters [3]_). The event study replaces ``current_t`` by month dummies (reference: the
last month of the previous season) and tests the pre-period months jointly (pre-trend
test, cluster-robust Wald F with G−1 denominator df).

An interval the data cannot bound is not published as numbers: with few clusters the bootstrap-t
statistic's spread can be so wide that ``exp(β ± q·se) − 1`` runs from −100 % to a 90-digit percentage
(hostile review 7, finding 10: 3 townships, one with a replaced station). Webb's working paper of
[3]_ (Queen's Economics Department WP 1315, 2013) finds by Monte Carlo that cluster-robust errors and
the bootstrap procedures perform poorly with fewer than eleven clusters, and MacKinnon & Webb (2017) [4]_ that the wild cluster bootstrap fails when few clusters are
treated. So when the ends of the back-transformed 95 % interval differ by more than the factor
``did.interval_max_ratio`` of ``zzeval/reference/input_limits.csv`` (or are not finite),
:attr:`DidResult.bounded` is False and the reports say that the estimate cannot be bounded with that
many townships instead of showing the numbers.

Caveats: a single treatment date (the season) — no staggered adoption; spillovers
between neighbouring townships bias β toward zero; intensity is not randomised.

References
----------
.. [1] Callaway, B., Goodman-Bacon, A. & Sant'Anna, P. H. C. (2024). Difference-in-
   differences with a continuous treatment. NBER WP 32117.
.. [2] Cameron, A. C., Gelbach, J. B. & Miller, D. L. (2008). Bootstrap-based improvements
   for inference with clustered errors. Rev. Econ. Stat. 90, 414-427.
.. [3] Webb, M. D. (2023). Reworking wild bootstrap-based inference for clustered errors.
   Can. J. Econ. 56, 839-858.
.. [4] MacKinnon, J. G. & Webb, M. D. (2017). Wild bootstrap inference for wildly different
   cluster sizes. J. Appl. Econometrics 32, 233-254.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from zzeval.airquality import validity
from zzeval.resources import input_limit
from zzeval.season.data import SeasonData
from zzeval.season.station_sets import station_seasons, used_rows

_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


@dataclass
class DidResult:
    """Result of :func:`retrofit_did`.

    Attributes
    ----------
    pollutant : str
    beta : float
        DiD coefficient on log concentration per unit retrofit intensity.
    effect_pct_full : float
        ``100·(exp(beta) − 1)``: % change at intensity 1 vs 0.
    se_cr1, ci_low_cr1, ci_high_cr1, p_value_cr1 : float
        Cluster-robust (CR1) standard error, 95 % interval and p-value with t(G−1).
    ci_low, ci_high, p_value : float
        Wild-cluster-bootstrap (Webb weights, null imposed for p) 95 % interval and p.
    n_clusters, n_obs : int
    event_study : DataFrame
        ``month, beta, se_cr1, ci_low, ci_high, pre`` (month coefficients; reference month
        has 0).
    pretrend_F, pretrend_p : float
        Joint test that all pre-period month coefficients are 0.
    intensity : Series
        Retrofit intensity per township used.
    notes : list of str
    bounded : bool
        False when the wild-cluster-bootstrap interval cannot be bounded (:func:`interval_bounded`):
        the reports then show no effect and no interval.
    """

    pollutant: str
    beta: float
    effect_pct_full: float
    se_cr1: float
    ci_low_cr1: float
    ci_high_cr1: float
    p_value_cr1: float
    ci_low: float
    ci_high: float
    p_value: float
    n_clusters: int
    n_obs: int
    event_study: pd.DataFrame = field(default_factory=pd.DataFrame)
    pretrend_F: float = float("nan")
    pretrend_p: float = float("nan")
    intensity: pd.Series = field(default_factory=pd.Series)
    notes: list = field(default_factory=list)
    bounded: bool = True

    def summary(self) -> dict:
        return {k: v for k, v in self.__dict__.items()
                if k not in ("event_study", "intensity", "notes")}


def retrofit_intensity(season: SeasonData) -> pd.Series:
    """``households_done / households`` per township slug [0..1+].

    Counts retrofit batches completed by the season end (or without a date). Townships
    without retrofits have 0.
    """
    r = season.heating_retrofits
    if len(r) and "completion_date" in r:
        cd = pd.to_datetime(r["completion_date"], errors="coerce")
        r = r[cd.isna() | (cd <= season.period.end)]
    done = r.groupby("township")["households_done"].sum() if len(r) else pd.Series(dtype=float)
    hh = season.townships.set_index("slug")["households"].astype(float)
    return (done.reindex(hh.index).fillna(0) / hh).rename("retrofit_intensity")


def daily_panel(season: SeasonData, pollutant: str = "PM2.5", daily: pd.DataFrame | None = None
                ) -> pd.DataFrame:
    """Township × day panel of valid daily means (GB 3095: ≥ 20 h) of both seasons.

    ``daily``: :func:`zzeval.airquality.validity.daily_values` of ``season.air_quality`` when the
    caller has it (its ``pollutant`` rows are the ones computed here otherwise).

    Returns ``township, date, value`` (µg/m³; CO mg/m³), ``current`` (bool).
    """
    if daily is None:
        aq = season.air_quality[season.air_quality["pollutant"] == pollutant]
        daily = validity.daily_values(aq, pollutants=(pollutant,))
    dv = daily[(daily["statistic"] == pollutant) & daily["valid"]]
    st = season.stations[["station_code", "township"]]
    dv = dv.merge(st, on="station_code", how="inner")
    # 同口径 on this panel's own rows: the stations with valid days of ``pollutant`` in both seasons
    # (not the season's any-pollutant sets of SeasonData.station_sets: the panel compares this pollutant)
    dv = dv[used_rows(dv, station_seasons(dv, season.stations, season.period, time="date"), across=True)]
    p = dv.groupby(["township", "date"], sort=True)["value"].mean().reset_index()
    per = season.period
    p["current"] = per.contains(p["date"]).to_numpy()
    keep = p["current"] | per.previous.contains(p["date"]).to_numpy()
    return p[keep].reset_index(drop=True)


def _twfe_resid(y: np.ndarray, X: np.ndarray, g: np.ndarray, t: np.ndarray, iters: int = 200
                ) -> tuple[np.ndarray, np.ndarray]:
    """Residualise y and X on township and date fixed effects (alternating projections)."""
    M = np.column_stack([y, X])
    for _ in range(iters):
        prev = M.copy()
        M = M - pd.DataFrame(M).groupby(g).transform("mean").to_numpy()
        M = M - pd.DataFrame(M).groupby(t).transform("mean").to_numpy()
        if np.max(np.abs(M - prev)) < 1e-10:
            break
    return M[:, 0], M[:, 1:]


def _cluster_vcov(X: np.ndarray, e: np.ndarray, g: np.ndarray, n_fe: int) -> np.ndarray:
    n, k = X.shape
    G = len(np.unique(g))
    XtXi = np.linalg.pinv(X.T @ X)
    S = pd.DataFrame(X * e[:, None]).groupby(g).sum().to_numpy()
    c = G / (G - 1) * (n - 1) / max(n - k - n_fe, 1)
    return c * XtXi @ (S.T @ S) @ XtXi


def retrofit_did(season: SeasonData, pollutant: str = "PM2.5", intensity: pd.Series | None = None,
                 n_boot: int = 999, seed: int = 0, event_study: bool = True,
                 floor: float = 1.0, daily: pd.DataFrame | None = None) -> DidResult:
    """DiD of log daily concentration on retrofit intensity × current season.

    Parameters
    ----------
    season : SeasonData
    pollutant : str
    intensity : Series, optional
        Intensity per township slug (default :func:`retrofit_intensity`); pass a permuted
        one for a placebo-in-space test.
    n_boot : int
        Wild-cluster-bootstrap draws.
    event_study : bool
        Also estimate month coefficients and the pre-trend test.
    floor : float
        Floor before the log [µg/m³; mg/m³ for CO].
    daily : DataFrame, optional
        :func:`zzeval.airquality.validity.daily_values` of the season if already computed.

    Returns
    -------
    DidResult
    """
    panel = daily_panel(season, pollutant, daily=daily)
    inten = retrofit_intensity(season) if intensity is None else intensity
    panel = panel[panel["township"].isin(inten.index)]
    notes = []
    G = panel["township"].nunique()
    if G < 3:
        raise ValueError(f"DiD needs at least 3 townships with valid daily {pollutant}; got {G}")
    if G < 30:
        notes.append(f"{G} clusters is few: CR1 errors with t(G-1) and a wild cluster bootstrap "
                     "(Webb weights) are reported; treat p-values as approximate.")
    y = np.log(np.maximum(panel["value"].to_numpy(float), floor))
    g = pd.factorize(panel["township"])[0]
    t = pd.factorize(panel["date"])[0]
    x = (panel["township"].map(inten).to_numpy(float) * panel["current"].to_numpy(float))
    ry, rX = _twfe_resid(y, x[:, None], g, t)
    n_fe = G + len(np.unique(t)) - 1
    beta = float(np.linalg.lstsq(rX, ry, rcond=None)[0][0])
    e = ry - rX[:, 0] * beta
    V = _cluster_vcov(rX, e, g, n_fe)
    se = float(np.sqrt(V[0, 0]))
    tc = stats.t.ppf(0.975, G - 1)
    p_cr1 = float(2 * stats.t.sf(abs(beta / se), G - 1)) if se > 0 else float("nan")
    p_wcb, q_lo, q_hi = _wild_cluster_bootstrap(ry, rX, e, beta, se, g, n_fe, n_boot, seed)
    res = DidResult(
        pollutant=pollutant, beta=beta, effect_pct_full=100 * (np.exp(beta) - 1), se_cr1=se,
        ci_low_cr1=beta - tc * se, ci_high_cr1=beta + tc * se, p_value_cr1=p_cr1,
        ci_low=beta - q_hi * se, ci_high=beta - q_lo * se, p_value=p_wcb,
        n_clusters=G, n_obs=len(panel), intensity=inten, notes=notes,
    )
    res.bounded = interval_bounded(res.ci_low, res.ci_high)
    if not res.bounded:
        notes.append(f"the 95 % interval of the effect cannot be bounded with {G} townships "
                     f"(log-scale interval {res.ci_low:.3g} … {res.ci_high:.3g}); no effect is reported")
    if event_study:
        _event_study(res, panel, season, inten, y, g, t, n_fe, tc)
    return res


def interval_bounded(ci_low: float, ci_high: float) -> bool:
    """Whether a log-scale interval ``[ci_low, ci_high]`` of β bounds the effect: both ends finite and
    ``(1 + high) / (1 + low) = exp(ci_high − ci_low)`` at most ``did.interval_max_ratio``
    (``zzeval/reference/input_limits.csv``)."""
    if not (np.isfinite(ci_low) and np.isfinite(ci_high)):
        return False
    return bool(ci_high - ci_low <= np.log(input_limit("did.interval_max_ratio")))


def unbounded_text(n_townships: int, lang: str) -> str:
    """What the county page and summary.json say when the interval cannot be bounded (label
    ``county.did_unbounded``): the number of townships and the limit ``did.interval_max_ratio``."""
    from zzeval.i18n import format_number, t

    return t("county.did_unbounded", lang, n=format_number(n_townships, 0),
             limit=format_number(input_limit("did.interval_max_ratio"), 0))


def _wild_cluster_bootstrap(ry, rX, e, beta: float, se: float, g, n_fe: int, n_boot: int,
                            seed: int) -> tuple[float, float, float]:
    """Wild cluster bootstrap-t with Webb weights: restricted (β = 0) for the p-value,
    unrestricted for the interval (see the module references, Webb 2023).

    Every draw is linear in the cluster weights, so it is computed from per-cluster sums once
    (``A_g = Σ x·u``, ``B_g = Σ x·base``, ``C_g = Σ x²`` over the rows of cluster g, x the
    residualised regressor, u the residuals the weights multiply): the slope of draw b is
    ``(Σ B + W_b·A) / Σ C`` and its cluster scores ``B + W_b A − slope_b C``; O(draws ×
    clusters) rather than O(draws × rows), the same statistic as refitting each draw (a test
    compares them on a panel).

    Returns ``(p_value, q_lo, q_hi)``: the p-value and the 2.5 / 97.5 % quantiles of the
    unrestricted bootstrap t-statistics.
    """
    G = int(g.max()) + 1
    rng = np.random.default_rng(seed)
    x = rX[:, 0]
    xx = float(x @ x)
    t_obs = beta / se
    n, k = rX.shape
    c1 = G / (G - 1) * (n - 1) / max(n - k - n_fe, 1)
    w = _WEBB[rng.integers(0, 6, (n_boot, G))]
    x_sums = np.bincount(g, weights=x * x, minlength=G)
    t_stats = []
    for base, res, centre in ((np.zeros_like(ry), ry, 0.0), (x * beta, e, beta)):
        a = np.bincount(g, weights=x * res, minlength=G)
        b0 = np.bincount(g, weights=x * base, minlength=G)
        slope = (b0.sum() + w @ a) / xx
        scores = b0 + w * a - slope[:, None] * x_sums
        sb = np.sqrt(c1 * np.einsum("bg,bg->b", scores, scores)) / xx
        t_stats.append((slope - centre) / sb)
    ts_null, ts_alt = t_stats
    p_wcb = float(np.mean(np.abs(ts_null) >= abs(t_obs)))
    q_lo, q_hi = np.quantile(ts_alt, [0.025, 0.975])
    return p_wcb, float(q_lo), float(q_hi)


def _event_study(res: DidResult, panel: pd.DataFrame, season: SeasonData, inten: pd.Series,
                 y, g, t, n_fe: int, tc: float) -> None:
    """Month-by-month intensity coefficients (reference: the last previous-season month) and
    the joint pre-trend F-test; fills ``res.event_study``, ``res.pretrend_F``/``_p``, notes."""
    G = int(g.max()) + 1
    month = panel["date"].dt.strftime("%Y-%m")
    months = sorted(month.unique())
    prev_months = [m for m in months if m in season.period.previous.months()]
    ref = prev_months[-1] if prev_months else months[0]
    est = [m for m in months if m != ref]
    inten_i = panel["township"].map(inten).to_numpy(float)
    Xe = np.column_stack([inten_i * (month == m).to_numpy(float) for m in est])
    ry2, rXe = _twfe_resid(y, Xe, g, t)
    b_e = np.linalg.lstsq(rXe, ry2, rcond=None)[0]
    e2 = ry2 - rXe @ b_e
    Ve = _cluster_vcov(rXe, e2, g, n_fe)
    se_e = np.sqrt(np.clip(np.diag(Ve), 0, None))
    es = pd.DataFrame({"month": est, "beta": b_e, "se_cr1": se_e,
                       "ci_low": b_e - tc * se_e, "ci_high": b_e + tc * se_e})
    es = pd.concat([es, pd.DataFrame({"month": [ref], "beta": [0.0], "se_cr1": [0.0],
                                      "ci_low": [0.0], "ci_high": [0.0]})])
    es["pre"] = es["month"].isin(prev_months)
    res.event_study = es.sort_values("month", ignore_index=True)
    pre_idx = [i for i, m in enumerate(est) if m in prev_months]
    if pre_idx:
        R = b_e[pre_idx]
        Vp = Ve[np.ix_(pre_idx, pre_idx)]
        q = len(pre_idx)
        F = float(R @ np.linalg.pinv(Vp) @ R) / q
        res.pretrend_F = F
        res.pretrend_p = float(stats.f.sf(F, q, G - 1))
        res.notes.append(f"pre-trend test: {q} pre-period months vs reference {ref}, "
                         f"F({q},{G - 1}) = {F:.2f}, p = {res.pretrend_p:.3f}")
