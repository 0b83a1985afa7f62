"""The default weather estimator (``method="gam"``): one joint fit over both seasons.

``log C_h = x_h'β + δ·cur_h + γ·cur_h·τ_h + ε_h`` by OLS (statsmodels) on every hour of
both seasons, where ``x_h`` is the design of :mod:`zzeval.airquality.weather_features` (smooth and
lagged weather, stagnation memory, transport sectors, calendar), ``cur_h`` marks the
current season and ``τ_h`` is its centred, scaled day of the season (a ramp: measures
that phase in). The weather terms are therefore estimated on the weather of **both**
seasons, so the current season is not an extrapolation of a model fitted on the previous
one only. The counterfactual of the current season is its prediction with ``δ = γ = 0``
(Duan's smearing factor over all residuals), and

    adjusted_change_pct = 100 · (Σ_cur C_obs,h / Σ_cur Ĉ_cf,h − 1).

Everything else is computed from per-day sufficient statistics: the day-blocked
cross-validation on the previous season, the circular block bootstrap over days (each
season resampled in blocks, the model refitted per draw) and the **placebo splits** inside
the previous season that :mod:`zzeval.airquality.weather_intervals` uses to calibrate the interval:
half of its weeks are labelled "current" (the weeks of worst weather, and random halves),
the same estimator is run, and since nothing changed, what it reports is model error.
"""

from __future__ import annotations

import warnings

import numpy as np
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import SingularMatrixWarning

from zzeval.airquality.weather_blocks import _block_weights, _day_index, coverage_block_length

#: weeks of the previous season form the placebo blocks [days] [A]
PLACEBO_BLOCK_DAYS = 7
#: random placebo halves per series (besides the weather-sorted ones) [A]
N_RANDOM_PLACEBOS = 4
_RIDGE = 1e-8


class DayStats:
    """Per-day sums of one series' rows (rows sorted by time, days contiguous).

    ``BB[d] = Σ z zᵀ``, ``By[d] = Σ z y``, ``S[d] = Σ z``, ``n[d]`` hours, ``Sy[d] = Σ y``
    over the rows of day ``d``; a fit on weighted days with day-level season terms ``G``
    needs only weighted sums of them (:meth:`sums`).
    """

    def __init__(self, Z: np.ndarray, y: np.ndarray, starts: np.ndarray):
        nd, p = len(starts), Z.shape[1]
        n = np.diff(np.r_[starts, len(y)])
        # rows padded into (days, longest day, p) so that one batched product does all days
        day = np.repeat(np.arange(nd), n)
        pos = np.arange(len(y)) - np.repeat(starts, n)
        Zp = np.zeros((nd, n.max(initial=1), p))
        Zp[day, pos] = Z
        yp = np.zeros(Zp.shape[:2])
        yp[day, pos] = y
        self.BB = np.matmul(np.transpose(Zp, (0, 2, 1)), Zp).reshape(nd, p * p)
        self.By = np.einsum("dhp,dh->dp", Zp, yp)
        self.S = Zp.sum(axis=1)
        self.n = n.astype(float)
        self.Sy = yp.sum(axis=1)

    def sums(self, G: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Normal equations ``(A_k, b_k)`` of the design ``[Z, G_k[day]]`` with day weights
        ``W[k]``; ``G`` is (days, q) or (k, days, q), ``W`` is (k, days)."""
        k, p = W.shape[0], self.S.shape[1]
        G = np.broadcast_to(G, (k, *G.shape[-2:]))
        q = G.shape[2]
        A = np.empty((k, p + q, p + q))
        A[:, :p, :p] = (W @ self.BB).reshape(k, p, p)
        A[:, :p, p:] = np.einsum("kd,dp,kdq->kpq", W, self.S, G)
        A[:, p:, :p] = np.transpose(A[:, :p, p:], (0, 2, 1))
        A[:, p:, p:] = np.einsum("kd,kdq,kdr->kqr", W * self.n, G, G)
        b = np.concatenate([W @ self.By, np.einsum("kd,kdq->kq", W * self.Sy, G)], axis=1)
        return A, b


def _solve(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """β of stacked normal equations ``A_k β_k = b_k`` (a tiny ridge for empty dummies)."""
    return np.linalg.solve(A + _RIDGE * np.eye(A.shape[1]), b[:, :, None])[:, :, 0]


def _season_terms(cur_d: np.ndarray, tau_d: np.ndarray) -> np.ndarray:
    return np.column_stack([cur_d, cur_d * tau_d]).astype(float)


def _cv(Z, y, v, day_row, st: DayStats, G, prev_d, folds: int) -> tuple[float, float]:
    """Day-blocked CV on the previous season: R² of log C and RMSE of C (unit of v); each
    fold's days are left out of the joint fit (the current season stays in)."""
    pdays = np.flatnonzero(prev_d)
    fold_of = np.full(len(prev_d), -1)
    fold_of[pdays] = np.minimum(np.arange(len(pdays)) * folds // len(pdays), folds - 1)
    W = (fold_of[None, :] != np.arange(folds)[:, None]).astype(float)
    betas = _solve(*st.sums(G, W))
    p = Z.shape[1]
    prow = prev_d[day_row]
    ybar = y[prow].mean()
    sse = sst = se_c = 0.0
    for f in range(folds):
        te = fold_of[day_row] == f
        tr = prow & ~te
        s_f = np.mean(np.exp(y[tr] - Z[tr] @ betas[f, :p]))
        yhat = Z[te] @ betas[f, :p]
        sse += np.sum((y[te] - yhat) ** 2)
        sst += np.sum((y[te] - ybar) ** 2)
        se_c += np.sum((v[te] - np.exp(yhat) * s_f) ** 2)
    return (float(1 - sse / sst) if sst > 0 else np.nan), float(np.sqrt(se_c / prow.sum()))


def _placebo_sets(index_d: np.ndarray, prev_d: np.ndarray, rng) -> np.ndarray:
    """Day masks (k, days) of the fake "current" halves inside the previous season: its
    weeks of worst weather, of best weather, and random halves of its weeks."""
    pdays = np.flatnonzero(prev_d)
    block = np.arange(len(pdays)) // PLACEBO_BLOCK_DAYS
    nb = block.max() + 1
    score = np.bincount(block, weights=index_d[pdays]) / np.bincount(block)
    order = np.argsort(score)
    picks = [order[nb // 2:], order[: nb // 2]]
    picks += [rng.permutation(nb)[: nb // 2] for _ in range(N_RANDOM_PLACEBOS)]
    out = np.zeros((len(picks), len(prev_d)), bool)
    for i, pick in enumerate(picks):
        out[i, pdays[np.isin(block, pick)]] = True
    return out


def _placebos(Z, y, v, day_row, st: DayStats, prev_d, tau_d, index_d, wmask, rng):
    """``(e, w)``: placebo log changes and their weather contrasts (log scale)."""
    p = Z.shape[1]
    fakes = _placebo_sets(index_d, prev_d, rng)
    G = np.stack([_season_terms(f, tau_d) for f in fakes])
    betas = _solve(*st.sums(G, np.broadcast_to(prev_d.astype(float), fakes.shape)))
    prow = prev_d[day_row]
    fits = Z[prow] @ betas[:, :p].T  # (prev rows, k)
    wis = Z[prow][:, wmask] @ betas[:, :p][:, wmask].T
    eff = np.einsum("kdq,kq->dk", G, betas[:, p:])[day_row[prow]]
    smear = np.mean(np.exp(y[prow][:, None] - fits - eff), axis=0)
    frow = fakes[:, day_row[prow]].T  # (prev rows, k)
    vp = v[prow]
    e = np.log((frow * vp[:, None]).sum(0) / ((frow * np.exp(fits)).sum(0) * smear))
    w = (frow * wis).sum(0) / frow.sum(0) - (~frow * wis).sum(0) / (~frow).sum(0)
    return e, w


def _influence(fit, X, Z, v, resid, day_row, cur_row, smear) -> np.ndarray:
    """Per-day influence ``φ_d`` on ``log(Σ_cur C / Σ_cur Ĉ_cf)`` (delta method).

    With day weights ``w``, the estimate moves by ``Σ_d (w_d − 1) φ_d`` to first order:
    the current days' share of observations and of predictions, the coefficients' change
    ``(XᵀX)⁻¹ Σ_{h∈d} x_h e_h`` through the prediction-weighted mean design row of the
    current season, and the smearing factor's change.
    """
    p = Z.shape[1]
    pred = np.exp(Z[cur_row] @ np.asarray(fit.params)[:p])
    g = np.zeros(X.shape[1])
    g[:p] = pred @ Z[cur_row] / pred.sum()
    u = np.add.reduceat(X * resid[:, None], np.flatnonzero(np.r_[True, np.diff(day_row)]))
    coef = u @ (np.asarray(fit.normalized_cov_params) @ g)
    nd = day_row.max() + 1
    cr = np.flatnonzero(cur_row)
    obs_d = np.bincount(day_row[cr], weights=v[cr], minlength=nd)
    pred_d = np.bincount(day_row[cr], weights=pred, minlength=nd)
    e_d = np.bincount(day_row, weights=np.exp(resid), minlength=nd)
    n_d = np.bincount(day_row, minlength=nd)
    sm_ = (e_d - n_d * smear) / (len(resid) * smear)
    return obs_d / obs_d.sum() - pred_d / pred_d.sum() - coef - sm_


def _bootstrap(phi: np.ndarray, prev_d: np.ndarray, n_boot: int, block: int, rng):
    """Block-bootstrap draws of the log-ratio deviation ``Σ_d (w_d − 1) φ_d``: each season's
    days resampled in circular blocks (Künsch 1989), linearised (no refit per draw)."""
    out = np.zeros(n_boot)
    for days in (np.flatnonzero(prev_d), np.flatnonzero(~prev_d)):
        out += (_block_weights(rng, len(days), block, n_boot) - 1) @ phi[days]
    return out


def _independent(gram: np.ndarray) -> np.ndarray:
    """Mask of columns that are not (numerically) linear combinations of earlier ones, from
    the Gram matrix ``XᵀX`` (sequential residual variances)."""
    keep: list[int] = []
    for j in range(gram.shape[0]):
        r = gram[j, j]
        if keep:
            c = gram[keep, j]
            r -= c @ np.linalg.solve(gram[np.ix_(keep, keep)], c)
        if r > 1e-9 * max(gram[j, j], 1e-300):
            keep.append(j)
    out = np.zeros(gram.shape[0], bool)
    out[keep] = True
    return out


def gam_change(Z: np.ndarray, names: list[str], wmask: np.ndarray, v: np.ndarray,
               days: np.ndarray, cur_row: np.ndarray, tau: np.ndarray, *, floor: float,
               n_boot: int, seed: int, block_days, cv_folds: int = 5) -> dict:
    """Joint-fit weather-adjusted change of one series (see module docstring).

    Parameters
    ----------
    Z : (n, p) array
        Base design rows (intercept, weather, calendar) of the series' hours, sorted by
        time; ``names`` its column names, ``wmask`` its weather columns.
    v : (n,) array
        Concentrations [unit of the series]; ``days`` the hours' local days,
        ``cur_row`` True for current-season hours, ``tau`` the day of the season (centred
        and scaled, the ramp term).
    floor : float
        Concentrations below it are set to it before the log [unit of v].

    Returns
    -------
    dict
        Estimate, skill, bootstrap log-ratio draws (``draws_log``), placebo arrays
        (``placebo_e``, ``placebo_w``), the weather contrast ``weather_log_contrast`` and
        overlap diagnostics (``extrapolation_share``, ``weather_shift_sd``).
    """
    y = np.log(np.maximum(v, floor))
    day_row, starts, _ = _day_index(days)
    cur_d = cur_row[starts]
    prev_d = ~cur_d
    tau_d = tau[starts]
    p = Z.shape[1]
    st = DayStats(Z, y, starts)
    G = _season_terms(cur_d, tau_d)
    X = np.column_stack([Z, G[day_row]])
    with warnings.catch_warnings():  # a dummy empty in this series: pinv gives the min-norm fit
        warnings.simplefilter("ignore", SingularMatrixWarning)
        fit = sm.OLS(y, X).fit()
    beta = np.asarray(fit.params)
    resid = np.asarray(fit.resid)
    smear = float(np.mean(np.exp(resid)))
    base = Z @ beta[:p]
    pred_cf = np.exp(base[cur_row]) * smear
    out = {"n_params": p + 2, "predicted_mean_current": float(pred_cf.mean()),
           "adjusted_change_pct": float(100 * (v[cur_row].sum() / pred_cf.sum() - 1)),
           "r2_in": float(fit.rsquared)}
    out["r2_cv"], out["rmse_cv"] = _cv(Z, y, v, day_row, st, G, prev_d, cv_folds)
    widx = Z[:, wmask] @ beta[:p][wmask]
    index_d = np.bincount(day_row, weights=widx) / np.bincount(day_row)
    out["weather_log_contrast"] = float(widx[cur_row].mean() - widx[~cur_row].mean())
    lo, hi = index_d[prev_d].min(), index_d[prev_d].max()
    out["extrapolation_share"] = float(np.mean((index_d[cur_d] < lo) | (index_d[cur_d] > hi)))
    out["weather_shift_sd"] = float((index_d[cur_d].mean() - index_d[prev_d].mean())
                                    / max(index_d[prev_d].std(ddof=1), 1e-12))
    rng = np.random.default_rng(seed)
    out["placebo_e"], out["placebo_w"] = _placebos(Z, y, v, day_row, st, prev_d, tau_d,
                                                   index_d, wmask, rng)
    phi = _influence(fit, X, Z, v, resid, day_row, cur_row, smear)
    if block_days == "auto":
        res_d = np.bincount(day_row, weights=resid) / np.bincount(day_row)
        block = int(np.ceil(max(coverage_block_length(res_d[prev_d]),
                                coverage_block_length(phi[cur_d]))))
    else:
        block = int(block_days)
    out["block_days"] = block
    out["draws_log"] = (np.log1p(out["adjusted_change_pct"] / 100)
                        + _bootstrap(phi, prev_d, n_boot, block, rng)) if n_boot else np.zeros(0)
    return out
