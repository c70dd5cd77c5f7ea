"""Normalisation of indicators onto a common scale (OECD/JRC Handbook 2008, section 5).

Directions are applied here and only here: after :func:`normalise`, higher is better for every
indicator. Conventions (Handbook Table 15 unless stated):

* ``minmax``: ``(x - min) / (max - min)`` (``(max - x) / (max - min)`` for direction −1), mapped
  onto ``scale = [lo, hi]``. A constant indicator cannot be min-maxed; it gets the middle of the
  scale for every unit (so it moves no rank) and a :class:`ConstantIndicatorWarning`.
* ``zscore``: ``(x - mean) / sd`` with the **sample** SD (``ddof=1``, as the Handbook's Table 15;
  pass ``ddof=0`` for the population SD), then ``scale = [mean, sd]`` sets the new mean and SD
  (COINr's example uses ``[10, 2]`` so that a geometric mean stays defined).
* ``rank``: ascending rank, ties ``"min"`` (1 = worst); ``scale=None`` keeps the raw ranks of
  Table 15, otherwise ranks ``1..n`` are mapped linearly onto ``[lo, hi]``.
* ``percentile``: ``rank / n``, mapped onto ``[lo, hi]`` (Table 15's percentile with ``[0, 100]``).
* ``goalposts``: ``(x - lo) / (hi - lo)`` with fixed goalposts per indicator (UNDP style),
  **capped** to ``[0, 1]`` before mapping onto the scale; goalposts not given are fitted as the
  observed min and max (:func:`fit_goalposts`), which ``build`` does on the scheme's reference
  year so that years are comparable.
* ``target``: distance to a target as the achievement ratio ``x / target`` (``target / x`` for
  direction −1), capped to ``[0, cap]`` and mapped so that ``cap × target`` reaches ``hi``
  (``cap=1`` by default: meeting the target scores the top of the scale).

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*,
section 5 and Table 15. OECD Publishing. doi:10.1787/9789264043466-en
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from zhengji_lab.errors import choices

Method = Literal["minmax", "zscore", "rank", "percentile", "goalposts", "target"]
METHODS: tuple[str, ...] = Method.__args__


class ConstantIndicatorWarning(UserWarning):
    """An indicator has the same value for every unit and carries no information."""


def _check_directions(X: pd.DataFrame, directions) -> np.ndarray:
    if directions is None:
        return np.ones(X.shape[1])
    d = pd.Series(directions, dtype=float) if isinstance(directions, Mapping) else directions
    if not isinstance(d, pd.Series):
        d = pd.Series(np.asarray(d, dtype=float), index=X.columns)
    missing = [c for c in X.columns if c not in d.index]
    if missing:
        raise ValueError(f"The 'directions' parameter of normalise() has no direction for "
                         f"{missing[:10]}. Give +1 or -1 for every column.")
    d = d.reindex(X.columns).astype(float)
    bad = d[~d.isin([1.0, -1.0])]
    if len(bad):
        raise ValueError(f"The 'directions' parameter of normalise() must hold +1 or -1. Got "
                         f"{dict(bad.head(10))} instead.")
    return d.to_numpy()


def _as_pairs(name: str, value, columns) -> dict:
    if value is None:
        return {}
    if isinstance(value, pd.DataFrame):
        if not {"lo", "hi"} <= set(value.columns):
            raise ValueError(f"The {name!r} parameter of normalise() as a DataFrame needs columns "
                             f"'lo' and 'hi'. Got {list(value.columns)} instead.")
        value = {k: (r["lo"], r["hi"]) for k, r in value.iterrows()}
    out = {}
    for code, pair in dict(value).items():
        lo, hi = (float(v) for v in pair)
        if not lo < hi:
            raise ValueError(f"The {name!r} parameter of normalise() needs lo < hi for "
                             f"{code!r}. Got {pair!r} instead.")
        out[code] = (lo, hi)
    return out


def fit_goalposts(X: pd.DataFrame) -> pd.DataFrame:
    """Observed min and max of every column: goalposts fitted on ``X``.

    Returns
    -------
    DataFrame
        Index = indicator codes, columns ``lo`` and ``hi``.
    """
    return pd.DataFrame({"lo": X.min(axis=0), "hi": X.max(axis=0)})


def _linear(u: np.ndarray, scale) -> np.ndarray:
    if scale is None:
        return u
    lo, hi = scale
    return lo + (hi - lo) * u


def normalise(
    X: pd.DataFrame,
    /,
    *,
    method: Method = "minmax",
    directions=None,
    goalposts=None,
    targets=None,
    cap: float | None = None,
    scale=(0, 100),
    ddof: int = 1,
) -> pd.DataFrame:
    """Normalise every column of a units × indicators table onto a common scale.

    Parameters
    ----------
    X : DataFrame
        Units × indicators, numeric; NaN stays NaN.
    method : {'minmax', 'zscore', 'rank', 'percentile', 'goalposts', 'target'}
        See the module docstring for each convention.
    directions : Series or mapping, optional
        +1 (higher is better) or −1 per column; default +1 for all.
    goalposts : mapping or DataFrame, optional
        ``{code: (lo, hi)}`` or a frame with ``lo, hi`` columns (method ``goalposts``); columns
        without goalposts are fitted on ``X``.
    targets : DataFrame or Series, optional
        Method ``target``: a frame shaped like ``X`` (per-unit targets) or a Series per column.
    cap : float, optional
        Method ``target``: the highest achievement ratio that still counts (default 1).
    scale : pair of float or None
        ``[lo, hi]`` for the bounded methods, ``[mean, sd]`` for ``zscore``; ``None`` keeps the
        unit interval (or raw ranks / plain z-scores).
    ddof : int
        Degrees of freedom for the z-score SD (1 = sample SD as in the Handbook).

    Returns
    -------
    DataFrame
        Same index and columns as ``X``; higher is better everywhere.

    Examples
    --------
    >>> X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [30.0, 20.0, 10.0]})
    >>> normalise(X, method="minmax", directions={"a": 1, "b": -1})
           a      b
    0    0.0    0.0
    1   50.0   50.0
    2  100.0  100.0
    """
    if method not in METHODS:
        raise ValueError(f"The 'method' parameter of normalise() must be one of "
                         f"{choices(METHODS)}. Got {method!r} instead.")
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"normalise() takes a units × indicators DataFrame. Got "
                        f"{type(X).__name__} instead.")
    nonnumeric = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    if nonnumeric:
        raise TypeError(f"normalise() needs numeric columns; {nonnumeric[:10]} are not. Convert "
                        "them (e.g. pd.to_numeric) after fixing the text in those cells.")
    d = _check_directions(X, directions)
    A = X.to_numpy(dtype=float)

    if method == "minmax":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an indicator without values: NaN
            lo, hi = np.nanmin(A, axis=0), np.nanmax(A, axis=0)
        width = hi - lo
        const = width == 0
        if const.any():
            warnings.warn(f"Indicators {list(X.columns[const])[:10]} are constant across units; "
                          "they get the middle of the scale for every unit.",
                          ConstantIndicatorWarning, stacklevel=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            U = np.where(d > 0, A - lo, hi - A) / np.where(const, 1.0, width)
        U = np.where(const & ~np.isnan(A), 0.5, U)
        out = _linear(U, scale)
    elif method == "zscore":
        n = np.sum(~np.isnan(A), axis=0)
        with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)  # columns with <= ddof values
            sd = np.where(n > ddof, np.nanstd(A, axis=0, ddof=ddof), np.nan)
            mean = np.nanmean(A, axis=0)
        const = ~(sd > 0) & (n > 0)
        if const.any():
            warnings.warn(f"Indicators {list(X.columns[const])[:10]} have no spread; their "
                          "z-scores are set to the scale's mean.", ConstantIndicatorWarning,
                          stacklevel=2)
        Z = d * (A - mean) / np.where(const, 1.0, sd)
        Z = np.where(const & ~np.isnan(A), 0.0, Z)
        out = Z if scale is None else scale[0] + scale[1] * Z
    elif method in ("rank", "percentile"):
        R = pd.DataFrame(A * d, index=X.index, columns=X.columns).rank(method="min").to_numpy()
        n = np.sum(~np.isnan(A), axis=0)
        if method == "percentile":
            out = _linear(R / n, scale)
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                out = R if scale is None else _linear(np.where(n > 1, (R - 1) / (n - 1), 0.5),
                                                      scale)
    elif method == "goalposts":
        given = _as_pairs("goalposts", goalposts, X.columns)
        fitted = fit_goalposts(X)
        lo = np.array([given.get(c, (fitted.at[c, "lo"], None))[0] for c in X.columns])
        hi = np.array([given.get(c, (None, fitted.at[c, "hi"]))[1] for c in X.columns])
        width = hi - lo
        if not (width > 0).all():
            bad = list(X.columns[~(width > 0)])
            raise ValueError(f"Goalposts for {bad[:10]} have hi <= lo (a constant indicator "
                             "fitted on the data?). Give goalposts in the scheme for them.")
        U = np.clip(np.where(d > 0, A - lo, hi - A) / width, 0.0, 1.0)
        out = _linear(U, scale)
    else:  # target
        out = _linear(_achievement(X, A, d, targets, cap), scale)
    return pd.DataFrame(out, index=X.index, columns=X.columns)


def _achievement(X, A, d, targets, cap) -> np.ndarray:
    """Achievement ratio towards a target, capped to [0, cap] and divided by cap."""
    cap = 1.0 if cap is None else float(cap)
    if not cap > 0:
        raise ValueError(f"The 'cap' parameter of normalise() must be > 0. Got {cap!r} instead.")
    if targets is None:
        raise ValueError("normalise(method='target') needs 'targets': a frame shaped like X or a "
                         "Series with one target per column.")
    if isinstance(targets, pd.DataFrame):
        T = targets.reindex(index=X.index, columns=X.columns).to_numpy(dtype=float)
    else:
        T = np.broadcast_to(pd.Series(targets).reindex(X.columns).to_numpy(dtype=float), A.shape)
    lacking = ~np.isnan(A) & np.isnan(T)
    if lacking.any():
        r, c = np.argwhere(lacking)[0]
        raise ValueError(f"{int(lacking.sum())} value(s) have no target, e.g. unit "
                         f"{X.index[r]!r}, indicator {X.columns[c]!r}. Add them to targets.csv "
                         "or normalise that indicator with another method.")
    nonpos = ~np.isnan(T) & (T <= 0)
    if nonpos.any():
        r, c = np.argwhere(nonpos)[0]
        raise ValueError(f"Targets must be > 0 for a distance-to-target ratio; unit "
                         f"{X.index[r]!r}, indicator {X.columns[c]!r} has {T[r, c]!r}.")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(d > 0, A / T, T / A)
    ratio = np.where(~np.isnan(A) & (A <= 0) & (d < 0), cap, ratio)  # nothing of a bad thing
    return np.clip(ratio, 0.0, cap) / cap
