"""Monte Carlo summaries: intervals and the sensitivity ranking.

Intervals are empirical quantiles of the draws (default 2.5 % and 97.5 %: a 95 %
interval). Sums (townships → county, measures → totals) are taken draw by draw before
the quantiles, never by adding bounds.

Sensitivity: Spearman rank correlation ρ between each ranged input and the output,
computed over the same draws (Saltelli et al. 2008, *Global Sensitivity Analysis: The
Primer*, ch. 1; Helton & Davis 2003, *Reliab. Eng. Syst. Saf.* 81:23). The inputs are
Latin-hypercube samples, so their ranks are the sampling permutations and need no
sorting. ``contribution`` = ρ² / Σρ² over the measure's inputs: an approximate share of
the output's (rank) variance each input explains for a near-monotone, near-additive
model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.emissions.factors import FactorSamples


def intervals(draws: np.ndarray, quantiles: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Low and high quantiles of each row of ``draws`` (rows × n).

    Same values as ``np.quantile(draws, quantiles, axis=1)`` (linear interpolation between
    order statistics, Hyndman & Fan type 7), computed with partial sorts; rows
    that are all zero get (0, 0) without sorting.
    """
    draws = np.atleast_2d(draws)
    rows, n = draws.shape
    low = np.zeros(rows)
    high = np.zeros(rows)
    # sum of squares is 0 only for an all-zero row (one pass, no temporary array)
    live = np.flatnonzero(np.einsum("ij,ij->i", draws, draws) > 0)
    if live.size == 0 or n == 0:
        return low, high
    part = draws[live]  # a copy, partitioned in place below
    out = []
    for q in quantiles:
        pos = float(q) * (n - 1)
        below = int(np.floor(pos))
        above = min(below + 1, n - 1)
        # One scalar-kth partition per quantile (numpy's SIMD selection); the neighbouring
        # order statistic is the extreme of the smaller side.
        if above == below:
            part.partition(below, axis=1)
            v_below = v_above = part[:, below]
        elif below < n // 2:
            part.partition(above, axis=1)
            v_above = part[:, above]
            v_below = part[:, :above].max(axis=1)
        else:
            part.partition(below, axis=1)
            v_below = part[:, below]
            v_above = part[:, above:].min(axis=1)
        frac = pos - below
        out.append(v_below * (1 - frac) + v_above * frac)
    low[live], high[live] = out[0], out[1]
    return low, high


def rank_correlations(samples: FactorSamples, keys: list[str], output: np.ndarray) -> np.ndarray:
    """Spearman ρ of each input ``keys[i]`` (must be ranged) with ``output`` (shape n)."""
    n = output.shape[0]
    if n < 3 or not keys or np.ptp(output) == 0:
        return np.zeros(len(keys))
    ry = np.empty(n)
    ry[np.argsort(output, kind="stable")] = np.arange(n)
    mid = (n - 1) / 2.0
    ryc = ry - mid
    rx = np.vstack([samples.ranks[k] for k in keys]).astype(float) - mid
    denom = n * (n * n - 1) / 12.0
    return (rx @ ryc) / denom


def sensitivity_table(samples: FactorSamples, used: dict[str, set[str]],
                      outputs: dict[tuple[str, str], np.ndarray], scope: str) -> pd.DataFrame:
    """Rank-correlation sensitivity per measure and pollutant.

    Parameters
    ----------
    samples : FactorSamples
        The Monte Carlo samples (their ``ranks``).
    used : dict
        Measure → factor keys its estimate read.
    outputs : dict
        (measure, pollutant) → county draws (t), shape n.
    scope : str
        Scope label written into the table.

    Returns
    -------
    DataFrame
        measure, pollutant, scope, input, rho, rho2, contribution, rank (1 = most important).
    """
    cols = ["measure", "pollutant", "scope", "input", "rho", "rho2", "contribution", "rank"]
    live = {k: y for k, y in outputs.items() if y.size > 2 and np.ptp(y) > 0}
    keys = sorted({k for m, _ in live for k in used.get(m, ()) if k in samples.ranks})
    if not live or not keys:
        return pd.DataFrame(columns=cols)
    n = next(iter(live.values())).shape[0]
    mid = (n - 1) / 2.0
    x = np.vstack([samples.ranks[k] for k in keys]).astype(float) - mid
    names = list(live)
    y = np.empty((len(names), n))
    for i, name in enumerate(names):
        y[i, np.argsort(live[name], kind="stable")] = np.arange(n)
    y -= mid
    rho_all = (x @ y.T) / (n * (n * n - 1) / 12.0)
    index = {k: i for i, k in enumerate(keys)}
    rows = []
    for j, (measure, pol) in enumerate(names):
        mine = [k for k in keys if k in used.get(measure, ())]
        rho = rho_all[[index[k] for k in mine], j]
        rho2 = rho * rho
        total = rho2.sum()
        for rank, i in enumerate(np.argsort(-rho2, kind="stable"), start=1):
            rows.append((measure, pol, scope, mine[i], float(rho[i]), float(rho2[i]),
                         float(rho2[i] / total) if total > 0 else 0.0, rank))
    return pd.DataFrame(rows, columns=cols)
