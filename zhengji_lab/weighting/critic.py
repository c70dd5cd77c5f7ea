"""CRITIC and standard-deviation weights: contrast (and conflict) of min-max scaled indicators.

CRITIC (CRiteria Importance Through Intercriteria Correlation; Diakoulaki, Mavrotas &
Papayannakis 1995):

1. scale each indicator onto [0, 1] with the direction-aware min-max
   ``(x − min)/(max − min)`` (``(max − x)/(max − min)`` for direction −1);
2. contrast: the standard deviation ``σ_j`` of the scaled indicator;
3. conflict: ``Σ_k (1 − r_jk)`` over the other indicators, ``r`` the Pearson correlation of the
   scaled indicators;
4. information ``C_j = σ_j Σ_k (1 − r_jk)`` and weight ``w_j = C_j / Σ_k C_k``.

A constant indicator has ``σ_j = 0`` and weight 0; its correlations are undefined, so it is left
out of the other indicators' conflict sums.

Population or sample standard deviation? scikit-criteria uses ``ddof=0``, pymcdm ``ddof=1``.
The choice multiplies every ``σ_j`` by the same factor ``sqrt(n/(n−1))``, which cancels in the
normalisation: the weights are identical, so there is no parameter for it.

:func:`stdev` is the contrast part alone: ``w_j = σ_j / Σ_k σ_k`` of the min-max scaled data
(the min-max flip of a direction −1 indicator does not change its σ, so directions do not
matter there).

References
----------
Diakoulaki, D., Mavrotas, G. & Papayannakis, L. (1995). Determining objective weights in
multiple criteria problems: the CRITIC method. *Computers & Operations Research* 22(7),
763–770. doi:10.1016/0305-0548(94)00059-H
"""
from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from zhengji_lab.weighting._common import (
    as_directions,
    as_table,
    as_weights,
    check_choice,
    log_dropped_constant,
    minmax,
)


def critic_weights(Z: np.ndarray, constant: np.ndarray,
                   correlation: str = "pearson") -> np.ndarray:
    """CRITIC weights of min-max scaled data ``Z`` (no validation; the hot path of :func:`critic`).

    ``constant`` flags columns with no variation; they get weight 0 and are excluded from the
    conflict sums. At least one column must vary. The weights sum to 1, or are all 0 when no
    column carries information (then :func:`critic` raises).
    """
    keep = ~constant
    Zk = Z[:, keep] if constant.any() else Z
    sigma = Zk.std(axis=0)  # step 2, contrast (ddof cancels in step 4)
    Rk = rankdata(Zk, axis=0) if correlation == "spearman" else Zk
    R = np.corrcoef(Rk, rowvar=False).reshape(Zk.shape[1], Zk.shape[1])
    C = np.zeros(Z.shape[1])
    C[keep] = sigma * (1.0 - R).sum(axis=0)  # step 4: information = contrast × conflict
    total = C.sum()
    return C / total if total > 0 else C  # step 5: weights (all 0 when nothing conflicts)


def critic(X: pd.DataFrame, *, directions=None,
           correlation: Literal["pearson", "spearman"] = "pearson",
           dropna: bool = False) -> pd.Series:
    """CRITIC weights (Diakoulaki et al. 1995) of a units × indicators table.

    Parameters
    ----------
    X : DataFrame
        Units (rows) × indicators (columns), numeric.
    directions : Series, mapping or sequence, optional
        +1 (higher is better, the default for every indicator) or −1 per indicator; applied by
        the min-max scaling, so they change the correlations.
    correlation : {"pearson", "spearman"}
        Correlation used for the conflict term; the paper uses Pearson.
    dropna : bool
        Drop units with missing values (logged) instead of raising.

    Returns
    -------
    Series
        Weights indexed by indicator code, summing to 1; constant indicators get 0.

    Examples
    --------
    Diakoulaki et al. (1995), the worked example (8 alternatives × 3 criteria):

    >>> import pandas as pd, zhengji_lab as zl
    >>> X = pd.DataFrame({"c1": [61, 20.7, 16.3, 9.0, 5.4, 4.0, -6.1, -34.6],
    ...                   "c2": [1.08, 0.26, 1.98, 3.29, 2.77, 4.12, 3.52, 3.31],
    ...                   "c3": [4.33, 4.34, 2.53, 1.65, 2.33, 1.21, 2.10, 0.98]})
    >>> zl.weighting.critic(X).round(4).to_dict()
    {'c1': 0.2022, 'c2': 0.4809, 'c3': 0.3169}
    """
    check_choice(correlation, ("pearson", "spearman"), "correlation", "critic")
    A, _, codes = as_table(X, "critic", dropna=dropna)
    d = as_directions(directions, codes, "critic")
    Z, constant = minmax(A, d)  # step 1
    if constant.all():
        raise ValueError("critic() weights are undefined: every indicator is constant across "
                         "units.")
    C = critic_weights(Z, constant, correlation)
    log_dropped_constant("critic", codes, constant)
    if C.sum() <= 0:
        raise ValueError("critic() weights are undefined: the only varying indicator has no "
                         "conflict with others (one varying indicator, or all perfectly "
                         "correlated).")
    return as_weights(C, codes, "critic")


def stdev(X: pd.DataFrame, *, directions=None, dropna: bool = False) -> pd.Series:
    """Standard-deviation weights ``σ_j / Σ σ_k`` of the min-max scaled indicators.

    Parameters
    ----------
    X : DataFrame
        Units (rows) × indicators (columns), numeric.
    directions : Series, mapping or sequence, optional
        Accepted for a uniform interface and validated; the σ of min-max data is the same
        for either direction.
    dropna : bool
        Drop units with missing values (logged) instead of raising.

    Returns
    -------
    Series
        Weights indexed by indicator code, summing to 1; constant indicators get 0.

    References
    ----------
    Diakoulaki, Mavrotas & Papayannakis (1995), section 2 (the contrast term of CRITIC).

    Examples
    --------
    >>> import pandas as pd, zhengji_lab as zl
    >>> X = pd.DataFrame({"a": [0, 1, 2, 3], "b": [0, 0, 0, 10], "c": [5, 5, 5, 5]})
    >>> zl.weighting.stdev(X).round(4).to_dict()
    {'a': 0.4626, 'b': 0.5374, 'c': 0.0}
    """
    A, _, codes = as_table(X, "stdev", dropna=dropna)
    d = as_directions(directions, codes, "stdev")
    Z, constant = minmax(A, d)
    if constant.all():
        raise ValueError("stdev() weights are undefined: every indicator is constant across "
                         "units.")
    log_dropped_constant("stdev", codes, constant)
    return as_weights(Z.std(axis=0), codes, "stdev")
