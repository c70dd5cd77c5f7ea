"""Weights optimised so that each indicator's importance in the index matches a target.

Nominal weights are not importance: an indicator that varies more, or agrees with the others,
drives the index more than its weight says (Paruolo, Saisana & Saltelli 2013). The linear
measure of importance used here is the squared Pearson correlation ``r_j²`` of indicator ``j``
with the weighted arithmetic-mean index ``y = X w`` (the first-order sensitivity index of a
linear index, Paruolo et al. 2013; Becker et al. 2017 optimise weights against it). With
``importance="r"`` the plain correlation is used, as COINr's ``get_opt_weights(optype =
"balance")`` does.

The weights solve ``min_w Σ_j (s_j(w) − t_j)²`` with ``s_j = r_j² / Σ_k r_k²`` and the target
``t`` (equal importance by default), over ``w ≥ 0`` (``scipy.optimize.minimize``, L-BFGS-B with
bounds; the weights are renormalised inside the objective). No weight can come out negative,
unlike COINr 1.1.14, whose unconstrained Nelder–Mead search can return negative weights.

References
----------
Paruolo, P., Saisana, M. & Saltelli, A. (2013). Ratings and rankings: voodoo or science?
*Journal of the Royal Statistical Society A* 176(3), 609–634. doi:10.1111/j.1467-985X.2012.01059.x
Becker, W., Saisana, M., Paruolo, P. & Vandecasteele, I. (2017). Weights and importance in
composite indicators: closing the gap. *Ecological Indicators* 80, 12–22.
doi:10.1016/j.ecolind.2017.03.056
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from zhengji_lab.weighting._common import (
    as_table,
    as_weights,
    canonical_rows,
    check_choice,
    logger,
    named,
)


def importance_shares(Xc: np.ndarray, norms: np.ndarray, w: np.ndarray,
                      importance: str = "r2") -> np.ndarray:
    """Each indicator's share of importance in the index ``Xc @ w`` (``Xc`` centred columns)."""
    return _objective(Xc, norms, w, None, importance)[2]


def _objective(Xc, norms, x, t, importance):
    """``(f, ∂f/∂x, s)`` of ``f = Σ_j (s_j − t_j)²`` at raw weights ``x`` (normalised inside).

    Chain rule: s = q / Σq with q = r² (or r), r_j = Xc_j·y / (‖Xc_j‖ ‖y‖), y = Xc v and
    v = x / Σx.
    """
    total = x.sum()
    v = x / total
    y = Xc @ v
    ny = np.sqrt(y @ y)
    r = (Xc.T @ y) / (norms * ny)
    q, dq = (r ** 2, 2 * r) if importance == "r2" else (r, np.ones_like(r))
    Q = q.sum()
    s = q / Q
    if t is None:
        return None, None, s
    g = 2 * (s - t)                                  # ∂f/∂s
    h = (g - g @ s) / Q                              # ∂f/∂q
    a = h * dq                                       # ∂f/∂r
    df_dy = (Xc @ (a / norms) - (a @ r) * y / ny) / ny
    df_dv = Xc.T @ df_dy
    return float(((s - t) ** 2).sum()), (df_dv - df_dv @ v) / total, s


def _vector(values, codes, param: str) -> np.ndarray:
    if isinstance(values, (Mapping, pd.Series)):
        s = pd.Series(values, dtype=float)
        if set(s.index) != set(codes):
            missing = [c for c in codes if c not in s.index]
            extra = [c for c in s.index if c not in codes]
            raise ValueError(f"The {param!r} parameter of optimise() must name exactly the "
                             f"indicators of X; missing {named(missing)}, extra {named(extra)}.")
        v = s.reindex(codes).to_numpy()
    else:
        v = np.asarray(values, dtype=float).ravel()
        if len(v) != len(codes):
            raise ValueError(f"The {param!r} parameter of optimise() needs {len(codes)} values; "
                             f"got {len(v)}.")
    if not (np.isfinite(v).all() and (v >= 0).all() and v.sum() > 0):
        raise ValueError(f"The {param!r} parameter of optimise() must hold numbers >= 0 with a "
                         f"positive total. Got {values!r} instead.")
    return v / v.sum()


def optimise(X: pd.DataFrame, weights=None, *, target=None,
             importance: Literal["r2", "r"] = "r2", tol: float = 0.01, max_iter: int = 1000,
             dropna: bool = False) -> pd.Series:
    """Weights whose importance in the arithmetic-mean index matches a target.

    Parameters
    ----------
    X : DataFrame
        Units × indicators, normalised (higher is better), none constant.
    weights : Series, mapping or sequence, optional
        Starting weights (default: the target).
    target : Series, mapping or sequence, optional
        Relative target importances (≥ 0, rescaled to sum to 1); default equal importance.
    importance : {"r2", "r"}
        Squared Pearson correlation with the index (default) or the correlation itself
        (COINr's ``get_opt_weights``).
    tol : float
        A :class:`UserWarning` is issued when some indicator's importance share ends farther
        than this from its target (the target may be out of reach with weights ≥ 0, e.g. with
        negatively correlated indicators).
    max_iter : int
        Iteration limit of the optimiser.
    dropna : bool
        Drop units with missing values (logged) instead of raising.

    Returns
    -------
    Series
        Optimised weights indexed by indicator code, ≥ 0, summing to 1.

    Examples
    --------
    Two indicators, one twice as spread out: equal weights make it dominate, the optimised
    weights halve it so both matter equally.

    >>> import numpy as np, pandas as pd, zhengji_lab as zl
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"a": rng.normal(size=200), "b": 2 * rng.normal(size=200)})
    >>> zl.weighting.optimise(X).round(2).to_dict()
    {'a': 0.68, 'b': 0.32}
    """
    check_choice(importance, ("r2", "r"), "importance", "optimise")
    A, _, codes = as_table(X, "optimise", dropna=dropna, min_units=3)
    A = canonical_rows(A)  # the optimiser amplifies rounding: make the result row-order free
    Xc = A - A.mean(axis=0)
    norms = np.sqrt((Xc ** 2).sum(axis=0))
    if (norms == 0).any():
        raise ValueError(f"optimise() cannot balance constant indicators "
                         f"{named(codes[norms == 0])}: they have no importance whatever their "
                         f"weight. Drop them.")
    t = np.full(len(codes), 1 / len(codes)) if target is None else _vector(target, codes,
                                                                              "target")
    w0 = t.copy() if weights is None else _vector(weights, codes, "weights")

    def objective(x):
        if x.sum() <= 0:  # w = 0 defines no index; push back into the meaningful region
            return 1e6, -np.ones_like(x)
        f, grad, _ = _objective(Xc, norms, x, t, importance)
        return f, grad

    res = minimize(objective, w0, jac=True, method="L-BFGS-B",
                   bounds=[(0.0, 1.0)] * len(codes),
                   options={"maxiter": max_iter, "ftol": 1e-15, "gtol": 1e-12})
    w = res.x / res.x.sum()
    s = importance_shares(Xc, norms, w, importance)
    logger.info("optimise(): importance shares %s for target %s (%s)",
                dict(zip(codes, s.round(4).tolist())), dict(zip(codes, t.round(4).tolist())),
                res.message)
    gap = np.abs(s - t)
    if gap.max() > tol:
        j = int(gap.argmax())
        warnings.warn(f"optimise() could not reach the target importance: {codes[j]!r} has "
                      f"share {s[j]:.3f} against a target of {t[j]:.3f} (weights are kept >= 0; "
                      f"the target may be out of reach).", UserWarning, stacklevel=2)
    return as_weights(w, codes, "optimise")
