"""Krippendorff's α reliability of raters coding the same units, missing values allowed.

:func:`krippendorff_alpha` takes **raters as rows** and units as columns (NaN = not coded) and
computes α for nominal, ordinal, interval or ratio data from the coincidence matrix, as a
:class:`KrippendorffAlpha`.

References
----------
Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*. Annenberg School for
Communication, University of Pennsylvania. https://repository.upenn.edu/asc_papers/43
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from zhengji_lab.panel._common import Statistic, as_matrix
from zhengji_lab.weighting._common import check_choice

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[str, ...] = Level.__args__


@dataclass(frozen=True, eq=False, repr=False)
class KrippendorffAlpha(Statistic):
    """Krippendorff's α with the quantities it is computed from.

    Attributes
    ----------
    alpha : float
        ``1 - D_o / D_e``: 1 = perfect agreement, 0 = agreement at chance level, < 0 = systematic
        disagreement.
    level : str
        Level of measurement (metric δ²): nominal, ordinal, interval or ratio.
    observed_disagreement, expected_disagreement : float
        D_o and D_e.
    n_units : int
        Pairable units (coded by at least two raters).
    n_raters : int
    n_values : int
        Pairable values n (the sum of the coincidence matrix).
    coincidence : DataFrame
        The coincidence matrix o_ck, indexed by the values used.
    frame : DataFrame
        One row: ``alpha, level, observed_disagreement, expected_disagreement, n_units,
        n_raters, n_values``.
    """

    _estimate = "alpha"
    _columns = ("alpha", "level", "observed_disagreement", "expected_disagreement", "n_units",
                "n_raters", "n_values")

    alpha: float
    level: str
    observed_disagreement: float
    expected_disagreement: float
    n_units: int
    n_raters: int
    n_values: int
    coincidence: pd.DataFrame

    def summary(self) -> str:
        """One line: α, its level and the data it rests on."""
        return (f"Krippendorff's α ({self.level}) = {self.alpha:.3f} (D_o = "
                f"{self.observed_disagreement:.4g}, D_e = {self.expected_disagreement:.4g}; "
                f"{self.n_raters} raters, {self.n_units} pairable units, "
                f"{self.n_values} pairable values)")


def _delta2(values: np.ndarray, n_c: np.ndarray, level: str) -> np.ndarray:
    """The squared difference functions δ²_ck of Krippendorff (2011)."""
    c, k = np.meshgrid(values, values, indexing="ij")
    if level == "nominal":
        return (c != k).astype(float)
    if level == "interval":
        return (c - k) ** 2
    if level == "ratio":
        s = c + k
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(s == 0, 0.0, ((c - k) / s) ** 2)
    # ordinal: (Σ_{g=c}^{k} n_g - (n_c + n_k) / 2)², with values in rank order
    cum = np.cumsum(n_c)
    i, j = np.meshgrid(np.arange(len(values)), np.arange(len(values)), indexing="ij")
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    between = cum[hi] - cum[lo] + n_c[lo]
    return (between - (n_c[i] + n_c[j]) / 2.0) ** 2


def krippendorff_alpha(data, level: Level = "interval") -> KrippendorffAlpha:
    """Krippendorff's α reliability of raters coding the same units, missing values allowed.

    Parameters
    ----------
    data : DataFrame or 2-D array
        **Raters as rows, units as columns** (Krippendorff's reliability data matrix); NaN marks
        a unit a rater did not code. Values are numbers (for nominal data, any numeric codes).
    level : {"nominal", "ordinal", "interval", "ratio"}, default "interval"
        Level of measurement, which sets the metric δ²: nominal ``c ≠ k``, ordinal by the
        number of values between c and k, interval ``(c - k)²``, ratio ``((c - k)/(c + k))²``
        (ratio values must be ≥ 0).

    Returns
    -------
    KrippendorffAlpha

    Raises
    ------
    ValueError
        Unknown level, no unit coded by two raters, negative values at the ratio level, or a
        single value throughout (α is 0/0).

    Notes
    -----
    Computed from the coincidence matrix (Krippendorff 2011):
    ``o_ck = Σ_u (number of c-k pairs in unit u) / (m_u - 1)`` over units with ``m_u ≥ 2``
    values, ``n_c = Σ_k o_ck``, ``n = Σ_c n_c`` and

    ``α = 1 - (n - 1) Σ_ck o_ck δ²_ck / Σ_ck n_c n_k δ²_ck``.

    Units coded by one rater only carry no pairable value and are left out.

    References
    ----------
    Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*. University of
    Pennsylvania. https://repository.upenn.edu/asc_papers/43

    Examples
    --------
    >>> import numpy as np, zhengji_lab as zl
    >>> x = [[1, 2, 3, 3], [1, 2, 3, 4], [np.nan, 2, 3, 3]]
    >>> round(zl.panel.krippendorff_alpha(x, "nominal").alpha, 3)
    0.756
    """
    check_choice(level, LEVELS, "level", "krippendorff_alpha")
    X, _, _ = as_matrix(data, param="data", caller="krippendorff_alpha", rows="raters",
                        cols="units", allow_missing=True, min_rows=2, min_cols=1)
    if level == "ratio" and (X[~np.isnan(X)] < 0).any():
        raise ValueError("The 'data' parameter of krippendorff_alpha() has negative values, which "
                         "a ratio scale cannot hold. Use level='interval'.")
    m_u = (~np.isnan(X)).sum(axis=0)
    Xp = X[:, m_u >= 2]
    if Xp.shape[1] == 0:
        raise ValueError("Krippendorff's alpha needs at least one unit coded by two or more "
                         "raters; no column of 'data' has two values.")
    values = np.unique(Xp[~np.isnan(Xp)])
    # n_uc: how often value c occurs in unit u
    counts = np.stack([(Xp == v).sum(axis=0) for v in values], axis=1).astype(float)
    m = counts.sum(axis=1)
    # o_ck = Σ_u n_uc (n_uk - [c = k]) / (m_u - 1)   (Krippendorff 2011)
    scaled = counts / (m - 1)[:, None]
    o = scaled.T @ counts - np.diag(scaled.sum(axis=0))
    n_c = o.sum(axis=1)
    n = n_c.sum()
    d2 = _delta2(values, n_c, level)
    d_o = float((o * d2).sum() / n)
    d_e = float((np.outer(n_c, n_c) * d2).sum() / (n * (n - 1)))
    if d_e == 0:
        raise ValueError("Krippendorff's alpha is undefined: the pairable data hold a single "
                         f"value ({values[0]:g}), so there is no expected disagreement (0/0).")
    return KrippendorffAlpha(alpha=1.0 - d_o / d_e, level=level, observed_disagreement=d_o,
                             expected_disagreement=d_e, n_units=int(Xp.shape[1]),
                             n_raters=int(X.shape[0]), n_values=round(n),
                             coincidence=pd.DataFrame(o, index=values, columns=values))

