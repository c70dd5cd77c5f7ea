"""Correlations between indicators, or between node scores at a framework level, with
p-values and pairwise counts: :func:`correlations` and its :class:`Correlations` (COINr's
``get_corr`` and ``get_pvals``).

References
----------
Becker et al. (2022), COINr ``get_corr`` and ``get_pvals``; OECD/JRC (2008), step 4
(multivariate analysis). Full references in :mod:`zhengji_lab.stats`.
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats as sps

from zhengji_lab.pipeline import Assessment
from zhengji_lab.stats._common import (
    check_choice,
    check_share,
    heatmap,
    metadata,
    numeric_frame,
    stage_frame,
)

CorrMethod = Literal["pearson", "spearman", "kendall"]


@dataclass(frozen=True, eq=False)
class Correlations:
    """A correlation matrix with p-values and pairwise counts (made by :func:`correlations`).

    Attributes
    ----------
    frame : DataFrame
        Variables × variables correlations (NaN where blanked by ``p_max`` or undefined).
    pvalues, n : DataFrame
        Two-sided p-values, and the number of units where both values are present.
    method : str
    p_max : float or None
    level : int or None
    stage : str or None
    """

    frame: pd.DataFrame
    pvalues: pd.DataFrame
    n: pd.DataFrame
    method: str
    p_max: float | None = None
    level: int | None = None
    stage: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the matrix :attr:`frame`."""
        return self.frame.copy()

    def tidy(self) -> pd.DataFrame:
        """Long form, one row per pair (upper triangle): ``var_a, var_b, correlation, p_value,
        n``."""
        i, j = np.triu_indices(self.frame.shape[0], k=1)
        cols = self.frame.columns
        return pd.DataFrame({"var_a": cols[i], "var_b": cols[j],
                             "correlation": self.frame.to_numpy()[i, j],
                             "p_value": self.pvalues.to_numpy()[i, j],
                             "n": self.n.to_numpy()[i, j]})

    def summary(self) -> str:
        """One line: method, size, median and range."""
        r = self.tidy()["correlation"]
        blank = "" if self.p_max is None else f", p > {self.p_max} blanked"
        return (f"{self.method} correlations of {self.frame.shape[0]} variables{blank}; median "
                f"{r.median():.2f}, range [{r.min():.2f}, {r.max():.2f}]")

    def _repr_html_(self) -> str:
        return f"<p>{self.summary()}</p>" + self.frame.round(2).to_html()

    def plot(self, ax=None, labels: Mapping | None = None, annot: bool | None = None):
        """Heatmap of the lower triangle; blanked correlations are left white."""
        k = self.frame.shape[0]
        return heatmap(self.frame, ax, labels, (2.0 + 0.45 * k, 1.5 + 0.4 * k),
                        mask=np.triu(np.ones((k, k), dtype=bool), k=1), vmin=-1, vmax=1,
                        center=0, cmap="RdBu_r", annot=k <= 12 if annot is None else annot,
                        fmt=".2f", square=True,
                        cbar_kws={"label": f"相关系数 Correlation ({self.method})"})


_TESTS = {"pearson": sps.pearsonr, "spearman": sps.spearmanr, "kendall": sps.kendalltau}


def correlations(data, stage: str = "normalised", level: int = 1,
                 method: CorrMethod = "pearson", p_max: float | None = None, *,
                 framework=None) -> Correlations:
    """Correlations between indicators, or between node scores at a framework level.

    Parameters
    ----------
    data : Assessment or DataFrame
        An assessment, or a units × variables table (``stage`` and ``level`` then ignored).
    stage : str, default "normalised"
        The indicators' stage (``level=1``); higher levels use the ``nodes`` stage.
    level : int, default 1
        1 = indicators, 2 = dimensions … (the framework's ``level``, COINr's ``Levels``).
    method : {"pearson", "spearman", "kendall"}
    p_max : float, optional
        Blank (NaN) correlations whose p-value is above it (COINr's ``pval``, 0.05 there by
        default; no blanking here by default).
    framework : Workspace or DataFrame, optional

    Returns
    -------
    Correlations

    Notes
    -----
    Each pair uses the units where both values are present (R's ``use =
    "pairwise.complete.obs"``; Spearman ranks within those units, as R's ``cor``). P-values are
    scipy's: the t test for Pearson, as R's ``cor.test``; for Spearman and Kendall scipy's
    asymptotic tests, where R's ``cor.test`` uses exact ones for small samples without ties.
    A pair with fewer than 3 common units has no p-value. The diagonal has correlation 1 and
    p-value 0, as COINr's ``get_pvals``.

    References
    ----------
    Becker et al. (2022), COINr ``get_corr``; OECD/JRC (2008), step 4.

    Examples
    --------
    >>> X = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 4, 6, 9], "c": [4.0, 1, np.nan, 2]})
    >>> correlations(X).frame.round(2)
          a     b     c
    a  1.00  0.99 -0.50
    b  0.99  1.00 -0.45
    c -0.50 -0.45  1.00
    """
    func = "correlations"
    check_choice(method, CorrMethod.__args__, "method", func)
    if p_max is not None:
        check_share(p_max, "p_max", func)
    if not isinstance(data, Assessment):
        X, stage, level = numeric_frame(data, func), None, None
    elif level == 1:
        X = stage_frame(data, stage, func)
    else:
        levels = metadata(data, framework, func).level
        check_choice(level, sorted(set(levels.values())), "level", func)
        X, stage = data.stages["nodes"], "nodes"
        X = X[[c for c in X.columns if levels.get(c) == level]]
    k, V = X.shape[1], X.to_numpy(float)
    R, P = np.eye(k), np.zeros((k, k))
    ok = np.isfinite(V)
    N = ok.T.astype(int) @ ok.astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # constant input: NaN, as R's cor
        for i in range(k):
            for j in range(i + 1, k):
                both = ok[:, i] & ok[:, j]
                res = _TESTS[method](V[both, i], V[both, j]) if N[i, j] >= 2 else (np.nan,) * 2
                R[i, j] = R[j, i] = res[0]
                P[i, j] = P[j, i] = res[1] if N[i, j] >= 3 else np.nan
    cols = X.columns.rename(None)
    frame, pvalues = (pd.DataFrame(M, index=cols, columns=cols) for M in (R, P))
    if p_max is not None:
        frame = frame.mask(pvalues > p_max)
    return Correlations(frame=frame, pvalues=pvalues, n=pd.DataFrame(N, index=cols, columns=cols),
                        method=method, p_max=p_max, level=level, stage=stage)

