"""Aggregation of normalised indicators into one score per unit, and ranking.

Weighted means (OECD/JRC Handbook 2008, section 6.2):

* ``arithmetic``: ``Σ w_j x_j`` — fully compensatory;
* ``geometric``: ``Π x_j^{w_j}`` — partly compensatory, needs positive values;
* ``harmonic``: ``1 / Σ (w_j / x_j)`` — least compensatory of the three, positive values;
* ``power_mean``: the generalised mean ``(Σ w_j x_j^p)^{1/p}`` with exponent ``p`` (COINr's
  ``a_genmean``): ``p = 1`` arithmetic, ``p → 0`` geometric (``p = 0`` is computed as the
  geometric mean), ``p = −1`` harmonic; the lower ``p``, the less compensatory;

and the non-compensatory, pairwise methods of :mod:`zhengji_lab.pairwise` (``copeland``,
``kemeny``), which compare units only within their peer group.

Missing data: the weights of the indicators a unit has are rescaled to sum to one, provided their
share of the unit's total weight is at least ``min_coverage``; otherwise its score is NaN.
Weights may differ per unit (a DataFrame shaped like ``X``), which is how indicators that do not
apply to a unit's kind get weight 0 without counting as missing.

For every unit, geometric ≤ arithmetic and harmonic ≤ geometric (the power-mean inequality);
the power mean increases with ``p``.

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*,
section 6. doi:10.1787/9789264043466-en

Becker, W. et al. (2022). COINr: An R package for developing composite indicators. *Journal of
Open Source Software* 7(78), 4567 (``a_genmean``). doi:10.21105/joss.04567
"""
from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from zhengji_lab.core import group_members, rank_within
from zhengji_lab.errors import choices
from zhengji_lab.pairwise import copeland, kemeny

Method = Literal["arithmetic", "geometric", "harmonic", "power_mean", "copeland", "kemeny"]
METHODS: tuple[str, ...] = Method.__args__
# Exponents of the power mean closer to zero than this are the geometric mean.
_P_GEOMETRIC = 1e-30


def _weight_matrix(X: pd.DataFrame, weights) -> np.ndarray:
    if isinstance(weights, pd.DataFrame):
        missing = [c for c in X.columns if c not in weights.columns]
        units = X.index[~X.index.isin(weights.index)].tolist()
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


def _check_p(p) -> float:
    if p is None:
        raise ValueError("The 'p' parameter of aggregate() is required for method 'power_mean':"
                         " the exponent of the generalised mean (1 arithmetic, 0 geometric, -1 "
                         "harmonic), e.g. aggregate(X, w, method='power_mean', p=0.5).")
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, (int, float, np.integer, np.floating)) \
            or not np.isfinite(p):
        raise ValueError(f"The 'p' parameter of aggregate() must be a finite real number. Got "
                         f"{p!r} instead.")
    return float(p)


def power_domain_bad(values: np.ndarray, p: float) -> np.ndarray:
    """Cells outside the domain of the power mean with exponent ``p`` (NaN is never bad).

    ``p <= 0`` (geometric and harmonic included) needs positive values; ``p > 0`` needs values
    ``>= 0``, except for odd integers ``p`` (1, 3, …), whose power and root keep the sign, so the
    mean stays increasing in every value.
    """
    if p <= 0:
        return values <= 0
    if float(p).is_integer() and int(p) % 2 == 1:
        return np.zeros(np.shape(values), dtype=bool)
    return values < 0


def power_domain_message(method: str, p: float | None) -> tuple[str, str]:
    """What the mean needs and how to get there, for error messages: ``(needs, fix)``."""
    if method != "power_mean" or p <= 0:
        name = f"power mean with p = {p:g}" if method == "power_mean" else f"{method} mean"
        other = ("a p > 0 (p = 1 is the arithmetic mean)" if method == "power_mean"
                 else "the arithmetic mean")
        needs = f"A {name} needs positive values"
        fix = ("Normalise onto a positive scale such as [1, 100] (or z-scores with mean 10, "
               f"sd 2), or use {other}.")
        return needs, fix
    needs = (f"A power mean with p = {p:g} needs values >= 0 (negative values only with an odd "
             "integer p)")
    fix = ("Normalise onto a scale without negative values such as [0, 100] or [1, 100] (or "
           "z-scores with mean 10, sd 2), or use p = 1 (the arithmetic mean).")
    return needs, fix


def weighted_power_mean(A: np.ndarray, Wn: np.ndarray, p: float, *, axis: int = -1) -> np.ndarray:
    """``(Σ_j w_j x_j^p)^{1/p}`` along ``axis``, over the cells with weight ``> 0``.

    ``Wn`` are the weights rescaled to sum to one along ``axis``; the caller has checked the
    domain (:func:`power_domain_bad`). ``p = 0`` is the geometric mean ``exp(Σ w_j log x_j)``,
    and so is ``|p| < 1e-30``, where the two agree to machine precision (the relative gap is
    about ``p/2`` times the weighted variance of ``log x``) and ``p log x`` would underflow.

    Computed as ``s · exp(log1p(Σ_j w_j expm1(p log(x_j / s))) / p)`` with ``s`` the largest
    value (``p > 0``) or the smallest (``p < 0``), so that no power exceeds one (large ``|p|``
    does not overflow) and an exponent near zero tends to the geometric mean instead of
    raising a rounding error in ``Σ w_j`` to the power ``1/p``. Rows with negative values (odd
    integer ``p`` only) use ``sign(t)·|t|^{1/p}``, ``t = Σ_j w_j x_j^p``. OECD/JRC Handbook
    2008, section 6; COINr's ``a_genmean``.
    """
    used = (Wn > 0) & ~np.isnan(A)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if abs(p) < _P_GEOMETRIC:
            return np.exp((Wn * np.log(np.where(used, A, 1.0))).sum(axis=axis))
        Wu = np.where(used, Wn, 0.0)
        wsum = Wu.sum(axis=axis)
        if p > 0:
            mag = np.where(used, np.abs(A), 0.0).max(axis=axis, keepdims=True)
        else:   # positive values: the smallest keeps every x / scale >= 1
            mag = np.where(used, A, np.inf).min(axis=axis, keepdims=True)
        scale = np.where((mag > 0) & np.isfinite(mag), mag, 1.0)
        r = np.where(used, A / scale, 1.0)
        scale = np.squeeze(scale, axis=axis)
        e = np.expm1(p * np.log(np.where(r > 0, r, 0.0)))           # r = 0: -1
        out = scale * np.exp(np.log1p((Wu * e).sum(axis=axis) / wsum) / p)
        negative = (used & (A < 0)).any(axis=axis)
        if negative.any():       # odd integer p: the real root keeps the sign
            t = (Wu * r ** p).sum(axis=axis) / wsum
            out = np.where(negative, np.sign(t) * np.abs(t) ** (1.0 / p) * scale, out)
        return out


def _wsum(W: np.ndarray, F: np.ndarray) -> np.ndarray:
    """``Σ_k W_k F_k`` over the first axis of two ``(children, draws, units)`` arrays (either may
    have length 1 on the draws or units axis); by a matrix product when the weights vary only
    by draw and the values only by unit (the usual Monte Carlo case: perturbed weights, fixed
    children)."""
    if W.shape[2] == 1 and F.shape[1] == 1 and W.shape[1] > 1:
        return W[:, :, 0].T @ F[:, 0, :]
    return (W * F).sum(axis=0)


def aggregate_arrays(C: np.ndarray, W: np.ndarray, has: np.ndarray, *, method: str,
                     min_coverage: float = 0.0, p: float | None = None, groups=None,
                     units=None, children=None) -> np.ndarray:
    """The weighted means with the coverage rule, for many draws at once: ``(draws, units)``.

    This is the one place the aggregation rules are written; :func:`aggregate` (one draw) and
    the Monte Carlo engine call it.

    Parameters
    ----------
    C : ndarray
        Children's scores ``(children, draws, units)``; the draws and units axes may have length
        1 (broadcast). NaN = missing.
    W : ndarray
        Weights ``(children, draws, units)``, same broadcasting, ``>= 0``.
    has : ndarray of bool
        ``(children, 1, units)``: does the child count for the unit (an indicator that does not
        apply to a unit's kind has weight 0 without being missing).
    method : str
        One of :data:`METHODS`.
    min_coverage : float
        Smallest share of a unit's total weight that must be present for it to get a score.
    p : float, optional
        Exponent of ``power_mean``.
    groups : array, optional
        Peer group per unit (Copeland and Kemeny compare within groups).
    units, children : array, optional
        Labels for error messages (and the order of the Kemeny programme).

    Returns
    -------
    ndarray
        ``(draws, units)``, NaN where coverage is too low.
    """
    D = max(C.shape[1], W.shape[1])
    present = has & ~np.isnan(C)
    total, have = _wsum(W, has.astype(float)), _wsum(W, present.astype(float))
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.where(total > 0, have / total, 0.0)
    ok = np.broadcast_to((coverage >= min_coverage - 1e-12) & (have > 0), (D, C.shape[2]))
    Cf = np.where(present, C, 0.0)
    if method == "arithmetic":
        with np.errstate(invalid="ignore", divide="ignore"):
            s = _wsum(W, Cf) / have
    elif method in ("copeland", "kemeny"):
        Wp = np.broadcast_to(np.where(present, W, 0.0), (len(C), D, C.shape[2]))
        Cb = np.broadcast_to(C, Wp.shape)
        pairwise = copeland if method == "copeland" else kemeny
        extra = {} if method == "copeland" else {"labels": units}
        s = np.stack([pairwise(Cb[:, d].T, Wp[:, d].T, ok=ok[d], groups=groups, **extra)
                      for d in range(D)])
    else:
        q = {"geometric": 0.0, "harmonic": -1.0}.get(method, p)
        bad = present & power_domain_bad(C, q)
        if bad.any() and (bad & (W > 0)).any():
            k, d, u = np.argwhere(bad & (W > 0))[0]
            needs, fix = power_domain_message(method, p)
            unit = u if units is None else units[u]
            child = k if children is None else children[k]
            raise ValueError(f"{needs}, but unit {unit!r} has {C[k, min(d, C.shape[1] - 1), u]!r}"
                             f" for {child!r} ({int(bad.sum())} such cells). {fix}")
        with np.errstate(invalid="ignore", divide="ignore"):
            # a value <= 0 passed the check above only with weight 0: it contributes nothing
            positive = present & (C > 0)
            if method == "harmonic":
                s = have / _wsum(W, np.where(positive, 1.0 / np.where(positive, C, 1.0), 0.0))
            elif method == "geometric":
                s = np.exp(_wsum(W, np.where(positive, np.log(np.where(positive, C, 1.0)), 0.0))
                           / have)
            else:
                Wn = np.where(present, W, 0.0) / have
                s = weighted_power_mean(np.broadcast_to(C, Wn.shape), Wn, q, axis=0)
    return np.where(ok, s, np.nan)


def aggregate(X: pd.DataFrame, weights, *, method: Method = "arithmetic",
              min_coverage: float = 0.0, groups: pd.Series | None = None,
              p: float | None = None) -> pd.Series:
    """Aggregate the columns of ``X`` into one score per unit.

    Parameters
    ----------
    X : DataFrame
        Units × indicators, normalised so that higher is better.
    weights : Series, mapping or DataFrame
        One weight per column, or a units × columns frame of per-unit weights. They need not sum
        to one: each unit's available weights are rescaled.
    method : {'arithmetic', 'geometric', 'harmonic', 'power_mean', 'copeland', 'kemeny'}
    min_coverage : float
        Smallest share of a unit's total weight that must be present for it to get a score.
    groups : Series, optional
        Peer group per unit: Copeland and Kemeny compare units only within their group (the
        weighted means do not depend on it).
    p : float, optional
        Exponent of ``power_mean`` (required there, ignored by the other methods): 1 is the
        arithmetic mean, 0 the geometric, −1 the harmonic. ``p <= 0`` needs positive values,
        ``p > 0`` values ``>= 0`` (negative values are allowed for odd integers ``p``).

    Returns
    -------
    Series
        Score per unit (NaN where coverage is too low).

    Raises
    ------
    ValueError
        For a value outside the mean's domain (naming the unit and the indicator), and for a
        Kemeny problem above :data:`~zhengji_lab.pairwise.KEMENY_MAX_UNITS`.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 6;
    COINr's ``a_genmean`` (Becker et al. 2022).

    Examples
    --------
    >>> X = pd.DataFrame({"a": [1.0, 4.0], "b": [4.0, 4.0]}, index=["u1", "u2"])
    >>> aggregate(X, {"a": 0.5, "b": 0.5}).tolist()
    [2.5, 4.0]
    >>> aggregate(X, {"a": 0.5, "b": 0.5}, method="geometric").tolist()
    [2.0, 4.0]
    >>> aggregate(X, {"a": 0.5, "b": 0.5}, method="power_mean", p=0.5).tolist()
    [2.25, 4.0]
    """
    if method not in METHODS:
        raise ValueError(f"The 'method' parameter of aggregate() must be one of {choices(METHODS)}."
                         f" Got {method!r} instead.")
    if not 0 <= min_coverage <= 1:
        raise ValueError(f"The 'min_coverage' parameter of aggregate() must be in [0, 1]. Got "
                         f"{min_coverage!r} instead.")
    if method == "power_mean":
        p = _check_p(p)
    W = _weight_matrix(X, weights)
    g = None if groups is None else pd.Series(groups).reindex(X.index).to_numpy()
    try:
        s = aggregate_arrays(X.to_numpy(dtype=float).T[:, None, :], W.T[:, None, :],
                             np.ones((X.shape[1], 1, X.shape[0]), dtype=bool), method=method,
                             min_coverage=min_coverage, p=p, groups=g,
                             units=X.index.to_numpy(), children=list(X.columns))[0]
    except ValueError as exc:
        if method != "kemeny":
            raise
        cols = list(X.columns)
        raise ValueError(f"Aggregating {cols[:8]}{' …' if len(cols) > 8 else ''}: {exc}") from exc
    return pd.Series(s, index=X.index, name="score")


def rank(scores: pd.Series, groups: pd.Series | None = None) -> pd.Series:
    """Rank units, 1 = best (highest score), ties ``"min"`` (1, 2, 2, 4); NaN stays missing.

    Scores are rounded to :data:`~zhengji_lab.core.RANK_DECIMALS` decimals first, so equal
    scores reached through different sums tie (:func:`~zhengji_lab.core.rank_within`).

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
    s = pd.Series(scores, dtype=float)
    g = np.zeros(len(s), dtype=int) if groups is None else pd.Series(groups).reindex(s.index)
    if groups is not None and g.isna().any():
        raise ValueError(f"The 'groups' parameter of rank() has no group for units "
                         f"{list(g[g.isna()].index[:10])}.")
    r = rank_within(s.to_numpy()[None, :], group_members(np.asarray(g)))[0]
    return pd.Series(r, index=s.index, name="rank").astype("Int64").where(r > 0)
