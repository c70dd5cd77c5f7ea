"""Aggregation of normalised indicators into one score per unit, and ranking.

Weighted means (OECD/JRC Handbook 2008, section 6.2):

* ``arithmetic``: ``Σ w_j x_j`` — fully compensatory;
* ``geometric``: ``Π x_j^{w_j}`` — partly compensatory, needs positive values;
* ``harmonic``: ``1 / Σ (w_j / x_j)`` — least compensatory of the three, positive values;
* ``copeland``: non-compensatory (Handbook eq. 6.2): for every pair of units the weights of the
  indicators on which each is better are summed (ties share the weight); a unit scores +1 for every
  unit it beats and −1 for every unit that beats it.

Missing data: the weights of the indicators a unit has are rescaled to sum to one, provided their
share of the unit's total weight is at least ``min_coverage``; otherwise its score is NaN.
Weights may differ per unit (a DataFrame shaped like ``X``), which is how indicators that do not
apply to a unit's kind get weight 0 without counting as missing.

For every unit, geometric ≤ arithmetic and harmonic ≤ geometric (the power-mean inequality).
"""
from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

Method = Literal["arithmetic", "geometric", "harmonic", "copeland"]
#: Scores are rounded to this many decimals before ranking, so that floating-point noise of
#: different summation orders cannot break a tie.
RANK_DECIMALS = 9
METHODS: tuple[str, ...] = Method.__args__


def _weight_matrix(X: pd.DataFrame, weights) -> np.ndarray:
    if isinstance(weights, pd.DataFrame):
        missing = [c for c in X.columns if c not in weights.columns]
        units = [u for u in X.index if u not in weights.index]
        if missing or units:
            raise ValueError(f"The 'weights' frame of aggregate() lacks columns {missing[:10]} "
                             f"or units {units[:10]}.")
        W = weights.reindex(index=X.index, columns=X.columns).to_numpy(dtype=float)
    else:
        w = pd.Series(weights, dtype=float)
        missing = [c for c in X.columns if c not in w.index]
        if missing:
            raise ValueError(f"The 'weights' parameter of aggregate() has no weight for "
                             f"{missing[:10]}. Give one weight per column of X.")
        W = np.broadcast_to(w.reindex(X.columns).to_numpy(), X.shape).copy()
    if np.isnan(W).any() or (W < 0).any():
        raise ValueError("The 'weights' parameter of aggregate() must be >= 0 and not NaN.")
    return W


def aggregate(X: pd.DataFrame, weights, *, method: Method = "arithmetic",
              min_coverage: float = 0.0, groups: pd.Series | None = None) -> pd.Series:
    """Aggregate the columns of ``X`` into one score per unit.

    Parameters
    ----------
    X : DataFrame
        Units × indicators, normalised so that higher is better.
    weights : Series, mapping or DataFrame
        One weight per column, or a units × columns frame of per-unit weights. They need not sum
        to one: each unit's available weights are rescaled.
    method : {'arithmetic', 'geometric', 'harmonic', 'copeland'}
    min_coverage : float
        Smallest share of a unit's total weight that must be present for it to get a score.
    groups : Series, optional
        Peer group per unit: Copeland compares units only within their group (the weighted
        means do not depend on it).

    Returns
    -------
    Series
        Score per unit (NaN where coverage is too low).

    Examples
    --------
    >>> X = pd.DataFrame({"a": [1.0, 4.0], "b": [4.0, 4.0]}, index=["u1", "u2"])
    >>> aggregate(X, {"a": 0.5, "b": 0.5}).tolist()
    [2.5, 4.0]
    >>> aggregate(X, {"a": 0.5, "b": 0.5}, method="geometric").tolist()
    [2.0, 4.0]
    """
    if method not in METHODS:
        raise ValueError(f"The 'method' parameter of aggregate() must be one of {set(METHODS)}."
                         f" Got {method!r} instead.")
    if not 0 <= min_coverage <= 1:
        raise ValueError(f"The 'min_coverage' parameter of aggregate() must be in [0, 1]. Got "
                         f"{min_coverage!r} instead.")
    A = X.to_numpy(dtype=float)
    W = _weight_matrix(X, weights)
    present = ~np.isnan(A)
    total = W.sum(axis=1)
    have = np.where(present, W, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.where(total > 0, have / total, 0.0)
        Wn = np.where(present, W, 0.0) / have[:, None]
    ok = (coverage >= min_coverage - 1e-12) & (have > 0)
    Af = np.where(present, A, 0.0)
    if method == "arithmetic":
        s = (Wn * Af).sum(axis=1)
    elif method == "copeland":
        g = None if groups is None else pd.Series(groups).reindex(X.index).to_numpy()
        s = copeland(A, np.where(present, W, 0.0), ok=ok, groups=g)
    else:
        used = present & (Wn > 0)
        bad = used & ~(A > 0)
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise ValueError(f"A {method} mean needs positive values, but unit {X.index[r]!r} has"
                             f" {A[r, c]!r} for {X.columns[c]!r} ({int(bad.sum())} such cells). "
                             "Normalise onto a positive scale such as [1, 100] (or z-scores with "
                             "mean 10, sd 2), or use the arithmetic mean.")
        with np.errstate(divide="ignore"):
            if method == "geometric":
                s = np.exp((Wn * np.log(np.where(used, A, 1.0))).sum(axis=1))
            else:
                s = 1.0 / (Wn / np.where(used, A, 1.0)).sum(axis=1)
    return pd.Series(np.where(ok, s, np.nan), index=X.index, name="score")


def copeland(A: np.ndarray, W: np.ndarray, *, ok: np.ndarray | None = None,
             groups: np.ndarray | None = None) -> np.ndarray:
    """Copeland scores from the weighted outranking matrix (Handbook eq. 6.2).

    For each pair of units of the same peer group that both get a score (``ok``), the
    indicators both have are weighted by the mean of the two units' weights, renormalised;
    ``e_ab`` sums those on which ``a`` is better plus half of those on which they tie, so
    ``e_ab + e_ba = 1``. A unit scores +1 for every unit it beats and −1 for every unit that
    beats it. Units that are not ``ok`` get NaN and are nobody's opponent.

    Parameters
    ----------
    A : ndarray
        Units × indicators (NaN = missing).
    W : ndarray
        Units × indicators weights (0 for indicators that do not count for a unit).
    ok : ndarray of bool, optional
        Units that get a score (default: all).
    groups : ndarray, optional
        Peer group per unit; units are compared only within their group.

    Examples
    --------
    >>> A = np.array([[60.0, 40.0, np.nan], [40.0, 60.0, 50.0]])
    >>> copeland(A, np.ones((2, 3))).tolist()  # mirror images on the indicators both have
    [0.0, 0.0]
    """
    n = A.shape[0]
    ok = np.ones(n, dtype=bool) if ok is None else np.asarray(ok, dtype=bool)
    pair = ok[:, None] & ok[None, :] & ~np.eye(n, dtype=bool)
    if groups is not None:
        g = np.asarray(groups)
        pair &= g[:, None] == g[None, :]
    W = np.where(np.isnan(A) | np.isnan(W), 0.0, W)
    both = (W > 0)[:, None, :] & (W > 0)[None, :, :]
    wbar = np.where(both, (W[:, None, :] + W[None, :, :]) / 2.0, 0.0)
    total = wbar.sum(axis=2)
    diff = np.where(both, A[:, None, :] - A[None, :, :], 0.0)
    win = (diff > 0) + 0.5 * (diff == 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        e = (wbar * win).sum(axis=2) / total
    pair &= total > 0
    s = np.where(pair, np.sign(np.where(pair, e - 0.5, 0.0)), 0.0).sum(axis=1)
    return np.where(ok, s, np.nan)


def rank(scores: pd.Series, groups: pd.Series | None = None) -> pd.Series:
    """Rank units, 1 = best (highest score), ties ``"min"`` (1, 2, 2, 4); NaN stays missing.

    Parameters
    ----------
    scores : Series
        Score per unit.
    groups : Series, optional
        Peer group per unit (same index); ranks are then within each group.

    Returns
    -------
    Series
        Nullable integer ranks (``Int64``), same index as ``scores``.

    Examples
    --------
    >>> rank(pd.Series([3.0, 5.0, 5.0, 1.0], index=list("abcd"))).tolist()
    [3, 1, 1, 4]
    """
    # scores equal up to rounding (e.g. 100 reached through different sums) tie
    s = pd.Series(scores, dtype=float).round(RANK_DECIMALS)
    if groups is None:
        r = s.rank(ascending=False, method="min")
    else:
        g = pd.Series(groups).reindex(s.index)
        if g.isna().any():
            raise ValueError(f"The 'groups' parameter of rank() has no group for units "
                             f"{list(g[g.isna()].index[:10])}.")
        r = s.groupby(g, sort=False).rank(ascending=False, method="min")
    return r.astype("Int64").rename("rank")
