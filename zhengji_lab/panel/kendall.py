"""Kendall's coefficient of concordance W of m rankings of the same n items.

:func:`kendall_w` takes **experts (raters) as rows** and the items they rank as columns and
returns a :class:`KendallW`: W with the tie correction and its χ² (= Friedman) test.

References
----------
Kendall, M. G., & Babington Smith, B. (1939). The problem of m rankings. *The Annals of
Mathematical Statistics*, 10(3), 275-287. doi:10.1214/aoms/1177732186

Siegel, S., & Castellan, N. J. (1988). *Nonparametric Statistics for the Behavioral Sciences*
(2nd ed.), ch. 9 (Kendall coefficient of concordance W). McGraw-Hill.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from zhengji_lab.panel._common import Statistic, as_matrix, fmt_p
from zhengji_lab.weighting._common import check_choice, named

Ties = Literal["correct", "ignore"]
TIES: tuple[str, ...] = Ties.__args__


@dataclass(frozen=True, eq=False, repr=False)
class KendallW(Statistic):
    """Kendall's coefficient of concordance W and its χ² test.

    Attributes
    ----------
    w : float
        W in [0, 1]: 0 = no agreement among the rankings, 1 = identical rankings.
    chi2 : float
        ``m (n - 1) W``, the χ² statistic of the test of W = 0; it equals Friedman's χ²_r
        (tie-corrected when W is).
    df : int
        ``n - 1``.
    p_value : float
        Upper tail of χ²(df) at ``chi2``. The χ² approximation needs about 7 items or more; with
        fewer, compare ``w`` with exact tables (Siegel & Castellan 1988, Table T).
    n_raters, n_items : int
        m (experts, rows) and n (items ranked, columns).
    ties_corrected : bool
        Whether the tie correction was applied.
    mean_ranks : Series
        Mean rank of each item over the raters (the panel's consensus order, by rank number).
    frame : DataFrame
        One row: ``w, chi2, df, p_value, n_raters, n_items, ties_corrected``.
    """

    _estimate = "w"
    _columns = ("w", "chi2", "df", "p_value", "n_raters", "n_items", "ties_corrected")

    w: float
    chi2: float
    df: int
    p_value: float
    n_raters: int
    n_items: int
    ties_corrected: bool
    mean_ranks: pd.Series

    @property
    def mean_spearman(self) -> float:
        """Average Spearman correlation over all pairs of raters, ``(m W - 1) / (m - 1)``.

        Exact when no rater has ties (Kendall & Babington Smith 1939).
        """
        m = self.n_raters
        return (m * self.w - 1.0) / (m - 1.0)

    def summary(self) -> str:
        """One line: W, the χ² (Friedman) test, the panel's size."""
        ties = "ties corrected" if self.ties_corrected else "no tie correction"
        return (f"Kendall's W 肯德尔和谐系数 = {self.w:.3f} (χ²({self.df}) = {self.chi2:.2f}, "
                f"{fmt_p(self.p_value)}; {self.n_raters} raters × {self.n_items} items, {ties})")


def kendall_w(ranks, *, ties: Ties = "correct", from_scores: bool = False) -> KendallW:
    """Kendall's coefficient of concordance W of m rankings of n items.

    Parameters
    ----------
    ranks : DataFrame or 2-D array
        **Experts (raters) as rows, items as columns**, each row one expert's ranking of the items.
        By default each row must already be a ranking, with tied items sharing their mean rank
        (e.g. ``1, 2.5, 2.5, 4``); rank 1 may mean best or worst as long as every row uses the
        same direction. No missing values.
    ties : {"correct", "ignore"}, default "correct"
        ``"correct"`` subtracts ``m Σ_j T_j`` from the denominator, ``T_j = Σ (t³ - t)`` over the
        groups of t tied ranks in row j (Kendall & Babington Smith 1939; Siegel & Castellan 1988,
        ch. 9); ``"ignore"`` gives the uncorrected W, which is smaller when there are ties.
    from_scores : bool, default False
        If True, each row holds scores (e.g. weights or ratings) that are ranked here within the
        row, ties getting mean ranks. Use it for weights: W does not depend on whether high
        scores get low or high ranks.

    Returns
    -------
    KendallW
        ``w, chi2, df, p_value, n_raters, n_items`` and the items' mean ranks.

    Raises
    ------
    ValueError
        Fewer than 2 raters or 2 items, missing values, a row that is not a ranking (unless
        ``from_scores=True``), or every rater tying every item (W is 0/0).

    Notes
    -----
    With ``R_i`` the rank sum of item i, ``S = Σ_i (R_i - m(n+1)/2)²`` and

    ``W = 12 S / (m² (n³ - n) - m Σ_j T_j)``.

    ``χ² = m (n - 1) W`` with ``n - 1`` degrees of freedom is Friedman's two-way analysis of
    variance by ranks (items as treatments, raters as blocks); with ties corrected it equals
    :func:`scipy.stats.friedmanchisquare`.

    References
    ----------
    Kendall, M. G., & Babington Smith, B. (1939). The problem of m rankings. *Ann. Math.
    Statist.*, 10(3), 275-287.

    Siegel, S., & Castellan, N. J. (1988). *Nonparametric Statistics for the Behavioral
    Sciences* (2nd ed.), ch. 9. McGraw-Hill.

    NAG Library, routine g08daf (concordance_kendall), example program: three rankings of ten
    objects with ties, W = 0.828, significance 0.008 (data after Siegel 1956).

    Examples
    --------
    >>> import zhengji_lab as zl
    >>> r = zl.panel.kendall_w([[1, 2, 3, 4], [1, 3, 2, 4], [2, 1, 3, 4]])
    >>> round(r.w, 3), r.df
    (0.778, 3)
    """
    check_choice(ties, TIES, "ties", "kendall_w")
    X, raters, items = as_matrix(ranks, param="ranks", caller="kendall_w", rows="raters",
                                 cols="items")
    R = stats.rankdata(X, method="average", axis=1)
    if not from_scores:
        bad = raters[~np.isclose(R, X).all(axis=1)]
        if len(bad):
            raise ValueError(f"The 'ranks' parameter of kendall_w() must hold one ranking per row "
                             f"(ranks 1..n, tied items sharing their mean rank); rows {named(bad)} "
                             f"are not rankings. Pass from_scores=True to rank scores row by row.")
    m, n = R.shape
    rank_sums = R.sum(axis=0)
    S = float(((rank_sums - m * (n + 1) / 2.0) ** 2).sum())
    T = 0.0
    if ties == "correct":
        for row in R:
            _, t = np.unique(row, return_counts=True)
            T += float((t ** 3 - t).sum())
    denominator = m ** 2 * (n ** 3 - n) - m * T
    if denominator <= 0:
        raise ValueError("Kendall's W is undefined: every rater gave every item the same rank "
                         "(all tied). Ask for a ranking that separates at least two items.")
    w = 12.0 * S / denominator
    w = min(max(w, 0.0), 1.0)  # clip floating-point overshoot only; w is in [0, 1] exactly
    chi2 = m * (n - 1) * w
    df = n - 1
    return KendallW(w=w, chi2=chi2, df=df, p_value=float(stats.chi2.sf(chi2, df)),
                    n_raters=m, n_items=n, ties_corrected=ties == "correct",
                    mean_ranks=pd.Series(rank_sums / m, index=items, name="mean_rank"))

