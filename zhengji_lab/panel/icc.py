"""Intraclass correlations of raters (experts) rating the same targets.

:func:`icc` computes ICC(1,1), ICC(2,1), ICC(3,1) and their average-measure versions ICC(·,k)
(Shrout & Fleiss 1979; McGraw & Wong 1996) from the two-way ANOVA of **raters as rows** and
targets as columns, with F tests and confidence intervals, as an :class:`ICCResult`.

References
----------
Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
reliability. *Psychological Bulletin*, 86(2), 420-428. doi:10.1037/0033-2909.86.2.420

McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass correlation
coefficients. *Psychological Methods*, 1(1), 30-46. doi:10.1037/1082-989X.1.1.30
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from zhengji_lab.panel._common import Statistic, as_matrix, fmt_p
from zhengji_lab.weighting._common import check_choice

ICCKind = Literal["ICC(1,1)", "ICC(2,1)", "ICC(3,1)", "ICC(1,k)", "ICC(2,k)", "ICC(3,k)"]
ICC_KINDS: tuple[str, ...] = ICCKind.__args__


@dataclass(frozen=True, eq=False, repr=False)
class ICCResult(Statistic):
    """One intraclass correlation with its F test and confidence interval.

    Attributes
    ----------
    kind : str
        Shrout & Fleiss's name: ``"ICC(1,1)"`` (one-way random; McGraw & Wong's ICC(1)),
        ``"ICC(2,1)"`` (two-way random, absolute agreement; ICC(A,1)), ``"ICC(3,1)"`` (two-way
        mixed, consistency; ICC(C,1)), and the average-measure ``"ICC(·,k)"`` versions, which
        give the reliability of the mean of the k raters.
    icc : float
        The estimate, not truncated: it can be negative when raters disagree more than chance
        would make them, and ICC(2,k) can even exceed 1 when the between-raters mean square is
        below the residual one (a negative rater-variance estimate).
    f, df1, df2, p_value : float
        F test of ICC = 0: ``F = BMS / WMS`` for ICC(1,·), ``F = BMS / EMS`` otherwise.
    ci_low, ci_high : float
        Confidence interval at level ``confidence`` (Shrout & Fleiss 1979; McGraw & Wong 1996;
        ICC(2,·) with Satterthwaite's degrees of freedom).
    confidence : float
    n_targets, n_raters : int
        n (columns) and k (rows).
    anova : DataFrame
        The mean squares: rows ``between_targets, within_targets, between_raters, residual``,
        columns ``ss, df, ms``.
    frame : DataFrame
        One row: ``kind, icc, f, df1, df2, p_value, ci_low, ci_high, confidence,
        n_targets, n_raters``.
    """

    _estimate = "icc"
    _columns = ("kind", "icc", "f", "df1", "df2", "p_value", "ci_low", "ci_high",
                "confidence", "n_targets", "n_raters")

    kind: str
    icc: float
    f: float
    df1: float
    df2: float
    p_value: float
    ci_low: float
    ci_high: float
    confidence: float
    n_targets: int
    n_raters: int
    anova: pd.DataFrame

    def summary(self) -> str:
        """One line: the estimate, its interval and F test."""
        return (f"{self.kind} 组内相关系数 = {self.icc:.3f}, {self.confidence:.0%} CI "
                f"[{self.ci_low:.3f}, {self.ci_high:.3f}] (F({self.df1:.0f}, {self.df2:.0f}) = "
                f"{self.f:.2f}, {fmt_p(self.p_value)}; {self.n_raters} raters × "
                f"{self.n_targets} targets)")


def _icc_mean_squares(X: np.ndarray) -> dict[str, float]:
    """Two-way ANOVA mean squares of targets (columns of X) × raters (rows of X)."""
    k, n = X.shape  # k raters, n targets
    grand = X.mean()
    ss_total = float(((X - grand) ** 2).sum())
    ss_targets = float(k * ((X.mean(axis=0) - grand) ** 2).sum())
    ss_raters = float(n * ((X.mean(axis=1) - grand) ** 2).sum())
    ss_within = ss_total - ss_targets
    ss_resid = max(ss_within - ss_raters, 0.0)
    return {"ss_b": ss_targets, "ss_w": max(ss_within, 0.0), "ss_j": ss_raters, "ss_e": ss_resid,
            "BMS": ss_targets / (n - 1), "WMS": max(ss_within, 0.0) / (n * (k - 1)),
            "JMS": ss_raters / (k - 1), "EMS": ss_resid / ((n - 1) * (k - 1))}


def _ratio(num: float, den: float) -> float:
    """num / den with a zero denominator giving +inf (a perfect-agreement F ratio)."""
    if den > 0:
        return num / den
    return np.inf if num > 0 else np.nan


def icc(ratings, kind: ICCKind = "ICC(2,1)", *, confidence: float = 0.95) -> ICCResult:
    """Intraclass correlation of raters (experts) rating the same targets.

    Parameters
    ----------
    ratings : DataFrame or 2-D array
        **Raters as rows, targets as columns** (the transpose of Shrout & Fleiss's table), every
        rater rating every target; no missing values.
    kind : {"ICC(1,1)", "ICC(2,1)", "ICC(3,1)", "ICC(1,k)", "ICC(2,k)", "ICC(3,k)"}
        Shrout & Fleiss's (1979) cases, default ``"ICC(2,1)"``: a random sample of raters, each
        rating every target, absolute agreement of one rater (McGraw & Wong's ICC(A,1)).
        ``ICC(1,·)`` is the one-way model (different raters per target), ``ICC(3,·)`` the fixed
        raters' consistency (ICC(C,·)); ``(·,k)`` is the reliability of the raters' mean.
    confidence : float, default 0.95
        Level of the two-sided confidence interval.

    Returns
    -------
    ICCResult

    Raises
    ------
    ValueError
        Unknown ``kind``, ``confidence`` outside (0, 1), fewer than 2 raters or 2 targets,
        missing values, or ratings without any variance (ICC is 0/0).

    Notes
    -----
    With BMS the between-targets, WMS the within-target, JMS the between-raters and EMS the
    residual mean square of the two-way ANOVA (Shrout & Fleiss 1979):

    * ICC(1,1) = (BMS - WMS) / (BMS + (k-1) WMS), ICC(1,k) = (BMS - WMS) / BMS;
    * ICC(2,1) = (BMS - EMS) / (BMS + (k-1) EMS + k (JMS - EMS) / n),
      ICC(2,k) = (BMS - EMS) / (BMS + (JMS - EMS) / n);
    * ICC(3,1) = (BMS - EMS) / (BMS + (k-1) EMS), ICC(3,k) = (BMS - EMS) / BMS.

    References
    ----------
    Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
    reliability. *Psychological Bulletin*, 86(2), 420-428.

    McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass correlation
    coefficients. *Psychological Methods*, 1(1), 30-46.

    Examples
    --------
    >>> import zhengji_lab as zl
    >>> sf = [[9, 6, 8, 7, 10, 6], [2, 1, 4, 1, 5, 2], [5, 3, 6, 2, 6, 4], [8, 2, 8, 6, 9, 7]]
    >>> round(zl.panel.icc(sf, "ICC(3,1)").icc, 2)
    0.71
    """
    check_choice(kind, ICC_KINDS, "kind", "icc")
    if not (isinstance(confidence, (int, float)) and 0 < confidence < 1):
        raise ValueError(f"The 'confidence' parameter of icc() must be a float in the range "
                         f"(0, 1). Got {confidence!r} instead.")
    X, _, _ = as_matrix(ratings, param="ratings", caller="icc", rows="raters", cols="targets")
    k, n = X.shape
    ms = _icc_mean_squares(X)
    BMS, WMS, JMS, EMS = ms["BMS"], ms["WMS"], ms["JMS"], ms["EMS"]
    if BMS == 0 and WMS == 0:
        raise ValueError("The 'ratings' parameter of icc() has no variance: every rating is the "
                         "same, so the ICC is 0/0.")
    a = 1.0 - confidence
    model, average = kind[4], kind.endswith("k)")
    with np.errstate(divide="ignore", invalid="ignore"):
        if model == "1":
            df1, df2 = n - 1, n * (k - 1)
            F0 = _ratio(BMS, WMS)
            est = ((BMS - WMS) / BMS if average
                   else (BMS - WMS) / (BMS + (k - 1) * WMS))
        else:
            df1, df2 = n - 1, (n - 1) * (k - 1)
            F0 = _ratio(BMS, EMS)
            if model == "2":
                est = ((BMS - EMS) / (BMS + (JMS - EMS) / n) if average
                       else (BMS - EMS) / (BMS + (k - 1) * EMS + k * (JMS - EMS) / n))
            else:
                est = (BMS - EMS) / BMS if average else (BMS - EMS) / (BMS + (k - 1) * EMS)
        p = 0.0 if np.isinf(F0) else float(stats.f.sf(F0, df1, df2))

        if model in "13":
            # exact F-based limits, Shrout & Fleiss (1979) cases 1 and 3; McGraw & Wong (1996)
            FL = F0 / stats.f.ppf(1 - a / 2, df1, df2)
            FU = F0 * stats.f.ppf(1 - a / 2, df2, df1)
            if average:
                lo, hi = 1 - 1 / FL, 1 - 1 / FU
            else:
                lo = 1.0 if np.isinf(FL) else (FL - 1) / (FL + k - 1)
                hi = 1.0 if np.isinf(FU) else (FU - 1) / (FU + k - 1)
        else:
            # Satterthwaite's approximate df (Shrout & Fleiss 1979; McGraw & Wong 1996,
            # ICC(A,1)); the average-measure bounds are the Spearman-Brown step-up of these.
            r1 = (BMS - EMS) / (BMS + (k - 1) * EMS + k * (JMS - EMS) / n)
            Fj = _ratio(JMS, EMS)
            if np.isinf(Fj):
                v = float(k - 1)  # limit of the expression below as EMS -> 0
            elif np.isnan(Fj):
                v = float(df2)
            else:
                c = n * (1 + (k - 1) * r1) - k * r1
                v = ((k - 1) * (n - 1) * (k * r1 * Fj + c) ** 2
                     / ((n - 1) * k ** 2 * r1 ** 2 * Fj ** 2 + c ** 2))
            Fs = stats.f.ppf(1 - a / 2, df1, v)
            Fss = stats.f.ppf(1 - a / 2, v, df1)
            lo = n * (BMS - Fs * EMS) / (Fs * (k * JMS + (k * n - k - n) * EMS) + n * BMS)
            hi = n * (Fss * BMS - EMS) / (k * JMS + (k * n - k - n) * EMS + n * Fss * BMS)
            if average:  # Spearman-Brown; a bound at or below -1/(k-1) steps up to -inf
                lo, hi = (k * b / (1 + (k - 1) * b) if 1 + (k - 1) * b > 0 else -np.inf
                          for b in (lo, hi))
    if model == "2" and not (lo <= est <= hi):
        why = (" A between-raters mean square below the residual one also makes the estimate "
               "itself unreliable." if JMS < EMS else "")
        warnings.warn(f"The {confidence:.0%} confidence interval of {kind} = {est:.3f} from "
                      f"Satterthwaite's approximation is [{lo:.3f}, {hi:.3f}], which does not "
                      f"contain the estimate: with {n} targets, a between-raters mean square of "
                      f"{JMS:.3g} and a residual one of {EMS:.3g} the approximation breaks "
                      f"down.{why} Do not report this interval; ICC(3,·) has an exact one.",
                      UserWarning, stacklevel=2)
    anova = pd.DataFrame(
        {"ss": [ms["ss_b"], ms["ss_w"], ms["ss_j"], ms["ss_e"]],
         "df": [n - 1, n * (k - 1), k - 1, (n - 1) * (k - 1)],
         "ms": [BMS, WMS, JMS, EMS]},
        index=pd.Index(["between_targets", "within_targets", "between_raters", "residual"],
                       name="source"))
    return ICCResult(kind=kind, icc=float(est), f=float(F0), df1=float(df1), df2=float(df2),
                     p_value=p, ci_low=float(lo), ci_high=float(hi), confidence=float(confidence),
                     n_targets=n, n_raters=k, anova=anova)

