"""Importance of each indicator for the index, set beside its nominal weight.

:func:`importance` measures how much each indicator actually drives the index: the squared
Pearson correlation of indicator and index, or the correlation ratio (first-order sensitivity
index) of Paruolo, Saisana and Saltelli (2013), estimated with a P-spline smoother.

References
----------
Paruolo, P., Saisana, M. and Saltelli, A. (2013). Ratings and rankings: voodoo or science?
*Journal of the Royal Statistical Society A* 176(3), 609–634. doi:10.1111/j.1467-985X.2012.01059.x

Becker, W., Saisana, M., Paruolo, P. and Vandecasteele, I. (2017). Weights and importance in
composite indicators: closing the gap. *Ecological Indicators* 80, 12–22.
doi:10.1016/j.ecolind.2017.03.056

Eilers, P. H. C. and Marx, B. D. (1996). Flexible smoothing with B-splines and penalties.
*Statistical Science* 11(2), 89–121.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd
from scipy.interpolate import BSpline

from zhengji_lab.compare._common import check_numeric_frame, check_weights
from zhengji_lab.errors import choices

ImportanceMethod = Literal["pearson2", "corr_ratio"]
IMPORTANCE_METHODS: tuple[str, ...] = ImportanceMethod.__args__


def _pspline_fit(x: np.ndarray, y: np.ndarray, n_segments: int) -> np.ndarray:
    """Fitted values of a P-spline smoother of y on x, penalty chosen by GCV.

    Cubic B-splines on ``n_segments`` equal segments over the range of x, with a second-order
    difference penalty on the coefficients (Eilers & Marx 1996, eq. 13); as the penalty grows
    the fit tends to the least-squares line, so linear dependence is not over-smoothed. The
    penalty lambda minimises GCV(λ) = n·RSS / (n − tr H)² (Craven & Wahba 1979) over the grid
    10^-6 … 10^6 × tr(B'B) / tr(D'D), which keeps the grid's meaning the same for any n.
    """
    lo, hi = x.min(), x.max()
    step = (hi - lo) / n_segments
    knots = lo + step * np.arange(-3, n_segments + 4)
    # extrapolate: x == hi may fall a rounding error beyond the last interior knot
    B = BSpline.design_matrix(x, knots, 3, extrapolate=True).toarray()
    D = np.diff(np.eye(B.shape[1]), n=2, axis=0)
    BtB, Bty, DtD = B.T @ B, B.T @ y, D.T @ D
    n = len(y)
    best, fitted = np.inf, None
    for lam in np.logspace(-6, 6, 49) * np.trace(BtB) / np.trace(DtD):
        A = BtB + lam * DtD
        coef = np.linalg.solve(A, Bty)
        yhat = B @ coef
        edf = np.trace(np.linalg.solve(A, BtB))          # tr H, H = B (B'B + λD'D)^-1 B'
        rss = float(np.sum((y - yhat) ** 2))
        if edf >= n - 1e-9:
            continue
        gcv = n * rss / (n - edf) ** 2
        if gcv < best:
            best, fitted = gcv, yhat
    return fitted


def importance(
    X: pd.DataFrame,
    index: pd.Series,
    *,
    method: ImportanceMethod = "pearson2",
    weights: pd.Series | Mapping | None = None,
    n_segments: int | None = None,
) -> pd.DataFrame:
    """Importance of each indicator for the index, beside its nominal weight.

    Parameters
    ----------
    X : DataFrame
        Units × indicators (normalised values, as aggregated).
    index : Series
        The index (composite score) per unit, same units as ``X``.
    method : {"pearson2", "corr_ratio"}, default "pearson2"
        ``"pearson2"``: the squared Pearson correlation r_i² of indicator and index.
        ``"corr_ratio"``: the correlation ratio (first-order sensitivity index)
        S_i = V(E[y | x_i]) / V(y) (Paruolo et al. 2013, eq. 3), with E[y | x_i] estimated by a
        P-spline smoother (cubic B-splines, second-order difference penalty chosen by
        generalised cross-validation; Eilers & Marx 1996). S_i ≥ r_i² up to estimation error,
        with equality when E[y | x_i] is linear.
    weights : Series or mapping, optional
        Nominal weight of each indicator (extra entries, e.g. dimension rows of
        :func:`effective_weights`, are ignored). Rescaled to sum to 1 over ``X``'s columns. For a
        hierarchical index compare with effective weights, not the within-dimension weights.
    n_segments : int, optional
        Number of equal B-spline segments for ``"corr_ratio"``; by default
        ``min(20, max(4, n // 5))`` for n units.

    Returns
    -------
    DataFrame
        One row per indicator: ``indicator, nominal, importance, share, ratio`` where ``share``
        is the importance rescaled to sum to 1 and ``ratio = share / nominal`` (> 1: the
        indicator matters more than its weight says). ``nominal`` and ``ratio`` are NaN without
        weights. A constant indicator has importance 0.

    Notes
    -----
    Units with a missing indicator value or index are left out per indicator (pairwise). With
    few units both estimates are biased upwards, the correlation ratio more (the smoother also
    fits noise). Measured on y = x1 + … + x4 + e with iid N(0, 1) terms (true S_i = 0.2), mean
    over 20 samples: 23 units r² 0.234, S 0.270; 100 units 0.209, 0.225; 300 units 0.201,
    0.205. On linear data with a few thousand units the two agree to 1e-3. Paruolo et al.
    (2013) estimate S_i on 26–90 countries; below ~20 units prefer ``"pearson2"``.

    References
    ----------
    Paruolo, P., Saisana, M. and Saltelli, A. (2013). Ratings and rankings: voodoo or science?
    *JRSS A* 176(3), 609–634, section 3.

    Becker, W., Saisana, M., Paruolo, P. and Vandecasteele, I. (2017). Weights and importance in
    composite indicators: closing the gap. *Ecological Indicators* 80, 12–22.

    Eilers, P. H. C. and Marx, B. D. (1996). Flexible smoothing with B-splines and penalties.
    *Statistical Science* 11(2), 89–121.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.uniform(size=(500, 2)), columns=["a", "b"])
    >>> y = 2 * X["a"] + X["b"]
    >>> importance(X, y, weights={"a": 2, "b": 1}).round(1)[["indicator", "nominal", "share"]]
      indicator  nominal  share
    0         a      0.7    0.8
    1         b      0.3    0.2
    """
    if method not in IMPORTANCE_METHODS:
        raise ValueError(f"The 'method' parameter of importance() must be one of "
                         f"{choices(IMPORTANCE_METHODS)}. Got {method!r} instead.")
    X = check_numeric_frame(X, "importance")
    if not isinstance(index, pd.Series):
        raise TypeError(f"The 'index' parameter of importance() must be a Series indexed by unit. "
                        f"Got {type(index).__name__} instead.")
    if not pd.api.types.is_numeric_dtype(index.dtype):
        raise TypeError(f"The 'index' parameter of importance() must be numeric. Got dtype "
                        f"{index.dtype} instead.")
    lacking = X.index.difference(index.index).tolist()
    if lacking:
        raise ValueError(f"The 'index' parameter of importance() has no value for {len(lacking)} "
                         f"unit(s) of X: {lacking[:10]}. Pass the index of the same units.")
    y_all = index.reindex(X.index).astype(float)
    if n_segments is not None and (isinstance(n_segments, bool)
                                   or not isinstance(n_segments, (int, np.integer))
                                   or n_segments < 1):
        raise ValueError(f"The 'n_segments' parameter of importance() must be an int >= 1. Got "
                         f"{n_segments!r} instead.")
    nominal = pd.Series(np.nan, index=X.columns)
    if weights is not None:
        nominal = check_weights(weights, X.columns, "importance")

    values = {}
    for col in X.columns:
        ok = X[col].notna() & y_all.notna()
        x, y = X.loc[ok, col].to_numpy(float), y_all[ok].to_numpy(float)
        if len(y) < 4:
            raise ValueError(f"Indicator {col!r} and the index have only {len(y)} unit(s) with "
                             f"both values in importance(); at least 4 are needed.")
        if np.ptp(y) == 0:
            raise ValueError("The 'index' parameter of importance() is constant over the units; "
                             "no indicator can explain it.")
        if np.ptp(x) == 0:
            values[col] = 0.0                         # E[y | x] is a constant: S_i = 0
        elif method == "pearson2":
            values[col] = float(np.corrcoef(x, y)[0, 1] ** 2)
        else:
            segs = n_segments or min(20, max(4, len(y) // 5))
            # S_i = V(E[y|x_i]) / V(y), Paruolo et al. (2013) eq. 3
            values[col] = float(np.var(_pspline_fit(x, y, segs)) / np.var(y))
    imp = pd.Series(values)
    total = imp.sum()
    share = imp / total if total > 0 else pd.Series(np.nan, index=imp.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = share / nominal
    return pd.DataFrame({"indicator": X.columns, "nominal": nominal.to_numpy(),
                         "importance": imp.to_numpy(), "share": share.to_numpy(),
                         "ratio": ratio.to_numpy()})

