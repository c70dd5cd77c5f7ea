"""Entropy weights (熵权法): indicators whose values are spread more unevenly weigh more.

For ``n`` units and indicator ``j`` with shares ``p_ij = z_ij / Σ_i z_ij``:

* entropy ``E_j = −(1 / ln n) Σ_i p_ij ln p_ij`` with ``0 · ln 0 = 0`` (eq. 1 of Xu 2004),
* divergence ``d_j = 1 − E_j`` and weight ``w_j = d_j / Σ_k d_k``.

Two conventions are in use for ``z``:

* ``normalise=None`` (default, the original one of Zeleny 1982 and Hwang & Yoon 1981, used by
  Xu 2004 and Zavadskas & Podvezko 2016): ``z = x``, the raw non-negative data. Entropy of
  ``x / Σx`` does not depend on the indicator's direction nor on its unit (scaling a column
  leaves its weight unchanged).
* ``normalise="minmax"`` (common Chinese practice, e.g. 郭显光 1998): ``z = (x − min)/(max − min)``
  for direction +1 and ``(max − x)/(max − min)`` for −1, optionally ``+ shift`` (textbooks add
  0.0001 so that no ``p_ij`` is 0; the default ``shift=0.0`` relies on ``0 · ln 0 = 0`` instead).

A constant indicator has ``E_j = 1`` and weight 0; when every indicator is constant the weights
are undefined and an error is raised.

References
----------
Zeleny, M. (1982). *Multiple Criteria Decision Making*. McGraw-Hill.
Hwang, C.-L. & Yoon, K. (1981). *Multiple Attribute Decision Making*. Springer.
Xu, X. (2004). A note on the subjective and objective integrated approach to determine attribute
weights. *European Journal of Operational Research* 156(2), 530–532.
doi:10.1016/S0377-2217(03)00146-2
Zavadskas, E. K. & Podvezko, V. (2016). Integrated determination of objective criteria weights
in MCDM. *International Journal of Information Technology & Decision Making* 15(2), 267–283.
郭显光 (1998). 改进的熵值法及其在经济效益评价中的应用. 系统工程理论与实践.
"""
from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd

from zhengji_lab.weighting._common import (
    as_directions,
    as_table,
    as_weights,
    check_choice,
    log_dropped_constant,
    minmax,
    named,
)


def entropy_weights(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Entropy weights of a non-negative array with no all-zero column (no validation).

    Returns the weights and the entropies ``E_j``. This is the hot path used by
    :func:`entropy`; call that function unless the input is known to be valid.
    """
    n = Z.shape[0]
    P = Z / Z.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(P > 0, P * np.log(P), 0.0)  # 0 · ln 0 = 0
    E = -plogp.sum(axis=0) / np.log(n)
    d = np.clip(1.0 - E, 0.0, None)  # E ≤ 1 in exact arithmetic; clip rounding below 0
    return d / d.sum(), E


def entropy(X: pd.DataFrame, *, directions=None, normalise: Literal["minmax"] | None = None,
            shift: float = 0.0, dropna: bool = False) -> pd.Series:
    """Entropy weights (熵权法) of a units × indicators table.

    Parameters
    ----------
    X : DataFrame
        Units (rows) × indicators (columns), numeric.
    directions : Series, mapping or sequence, optional
        +1 (higher is better) or −1 per indicator; used by ``normalise="minmax"``. The raw
        convention does not depend on direction: passing −1 there only warns.
    normalise : None or "minmax"
        ``None``: raw convention, ``p_ij = x_ij / Σ_i x_ij`` on data that must be ≥ 0 (negative
        values raise; they are never shifted or made absolute). ``"minmax"``: direction-aware
        min-max rescaling first (see the module docstring).
    shift : float
        Added to the min-max values before the shares (``normalise="minmax"`` only); 0.0001 is
        the usual textbook value.
    dropna : bool
        Drop units with missing values (logged) instead of raising.

    Returns
    -------
    Series
        Weights indexed by indicator code, summing to 1; constant indicators get 0.

    Examples
    --------
    Xu (2004), the example of section 3 (4 alternatives × 4 attributes):

    >>> import pandas as pd, zhengji_lab as zl
    >>> X = pd.DataFrame([[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9],
    ...                   [68, 70, 60, 29]], columns=["u1", "u2", "u3", "u4"])
    >>> zl.weighting.entropy(X).round(4).to_dict()
    {'u1': 0.463, 'u2': 0.3992, 'u3': 0.1378, 'u4': 0.0}
    """
    check_choice(normalise, (None, "minmax"), "normalise", "entropy")
    if isinstance(shift, bool) or not isinstance(shift, (int, float)) or not (
            np.isfinite(shift) and shift >= 0):
        raise ValueError(f"The 'shift' parameter of entropy() must be a number >= 0. Got "
                         f"{shift!r} instead.")
    A, _, codes = as_table(X, "entropy", dropna=dropna)
    d = as_directions(directions, codes, "entropy")
    if normalise is None:
        if shift:
            raise ValueError("The 'shift' parameter of entropy() only applies with "
                             "normalise='minmax'; the raw convention uses the data as given.")
        if (d < 0).any():
            warnings.warn("entropy(normalise=None) ignores directions: the entropy of "
                          "x / Σx does not depend on whether lower is better "
                          f"({named(codes[d < 0])}). Use normalise='minmax' for "
                          f"direction-aware weights.", UserWarning, stacklevel=2)
        neg = (A < 0).any(axis=0)
        if neg.any():
            raise ValueError(f"entropy() with normalise=None needs data >= 0; columns "
                             f"{named(codes[neg])} have negative values. Use "
                             f"normalise='minmax' or normalise the data first.")
        zero = (A == 0).all(axis=0)
        if zero.any():
            raise ValueError(f"entropy() cannot weight columns {named(codes[zero])}: they are "
                             f"0 for every unit, so their shares x/Σx are undefined. Drop them.")
        Z = A
        constant = (A == A[0]).all(axis=0)
    else:
        Z, constant = minmax(A, d)
        Z = Z + shift
    if constant.all():
        raise ValueError("entropy() weights are undefined: every indicator is constant across "
                         "units.")
    Z[:, constant] = 1.0  # any constant column has E = 1; this avoids 0/0 in minmax
    w, _ = entropy_weights(Z)
    w[constant] = 0.0
    log_dropped_constant("entropy", codes, constant)
    return as_weights(w, codes, "entropy")
