"""Expert panel (专家组): consistency, combined weights and agreement of the panel's judgements.

Three agreement statistics, each taking **experts (raters) as rows** and the things they judge
(items, targets, units) as columns, and :func:`review`, which puts them to work on one
judgement group of a workspace (AHP pairwise matrices or point budgets):

* :func:`kendall_w`: Kendall's coefficient of concordance W of the experts' rankings, with the
  tie correction and its χ² (= Friedman) test.
* :func:`icc`: intraclass correlations ICC(1,1), ICC(2,1), ICC(3,1) and their average-measure
  versions ICC(·,k) (Shrout & Fleiss 1979; McGraw & Wong 1996), with F tests and confidence
  intervals.
* :func:`krippendorff_alpha`: Krippendorff's α for nominal, ordinal, interval and ratio data with
  missing values, from the coincidence matrix (Krippendorff 2011).
* :func:`review` / :func:`review_workspace`: per-expert weights and consistency, the combined
  weights with their spread, the panel's agreement on the weights, and which expert stands
  furthest from the others (leave-one-out).

References
----------
Kendall, M. G., & Babington Smith, B. (1939). The problem of m rankings. *The Annals of
Mathematical Statistics*, 10(3), 275-287. doi:10.1214/aoms/1177732186

Siegel, S., & Castellan, N. J. (1988). *Nonparametric Statistics for the Behavioral Sciences*
(2nd ed.), ch. 9 (Kendall coefficient of concordance W). McGraw-Hill.

Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
reliability. *Psychological Bulletin*, 86(2), 420-428. doi:10.1037/0033-2909.86.2.420

McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass correlation
coefficients. *Psychological Methods*, 1(1), 30-46. doi:10.1037/1082-989X.1.1.30

Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*. Annenberg School for
Communication, University of Pennsylvania. https://repository.upenn.edu/asc_papers/43
"""
from __future__ import annotations

import html
import logging
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from zhengji_lab import weighting
from zhengji_lab.errors import InconsistentJudgementWarning
from zhengji_lab.weighting._common import check_choice, named

logger = logging.getLogger(__name__)

Ties = Literal["correct", "ignore"]
TIES: tuple[str, ...] = Ties.__args__
ICCKind = Literal["ICC(1,1)", "ICC(2,1)", "ICC(3,1)", "ICC(1,k)", "ICC(2,k)", "ICC(3,k)"]
ICC_KINDS: tuple[str, ...] = ICCKind.__args__
Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[str, ...] = Level.__args__


# --------------------------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------------------------
def _as_matrix(data, *, param: str, caller: str, rows: str, cols: str,
               allow_missing: bool = False, min_rows: int = 2, min_cols: int = 2
               ) -> tuple[np.ndarray, pd.Index, pd.Index]:
    """Raters × items data as a float array plus row and column labels, checked."""
    if isinstance(data, pd.DataFrame):
        frame = data
    elif isinstance(data, (pd.Series, str, bytes)) or np.ndim(data) != 2:
        raise TypeError(f"The {param!r} parameter of {caller}() must be a 2-D array or DataFrame "
                        f"with {rows} as rows and {cols} as columns. Got "
                        f"{type(data).__name__} with {np.ndim(data)} dimension(s) instead.")
    else:
        frame = pd.DataFrame(np.asarray(data))
    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])
            or pd.api.types.is_bool_dtype(frame[c])]
    if text:
        raise TypeError(f"The {param!r} parameter of {caller}() must hold numbers. Columns "
                        f"{named(text)} are not numeric; convert them first.")
    X = frame.to_numpy(dtype=float)
    if X.shape[0] < min_rows or X.shape[1] < min_cols:
        raise ValueError(f"The {param!r} parameter of {caller}() needs at least {min_rows} {rows} "
                         f"(rows) and {min_cols} {cols} (columns). Got shape {X.shape} instead.")
    if np.isinf(X).any():
        raise ValueError(f"The {param!r} parameter of {caller}() holds infinite values.")
    if not allow_missing and np.isnan(X).any():
        bad = frame.index[np.isnan(X).any(axis=1)]
        raise ValueError(f"The {param!r} parameter of {caller}() has missing values for {rows} "
                         f"{named(bad)}. Complete them or drop those {rows}.")
    return X, frame.index, frame.columns


def _fmt_p(p: float) -> str:
    return "p < 0.0001" if p < 1e-4 else f"p = {p:.4f}"


class _Result:
    """Shared behaviour of the result classes: ``to_frame`` and ``_repr_html_`` from ``frame``."""

    frame: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`frame`, the tidy source of truth."""
        return self.frame.copy()

    def _repr_html_(self) -> str:
        return (f"<p>{html.escape(self.summary())}</p>"
                + self.frame.to_html(index=False, float_format=lambda v: f"{v:.4g}"))


# --------------------------------------------------------------------------------------------
# Kendall's W
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class KendallW(_Result):
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
    """

    w: float
    chi2: float
    df: int
    p_value: float
    n_raters: int
    n_items: int
    ties_corrected: bool
    mean_ranks: pd.Series

    def __float__(self) -> float:
        return float(self.w)

    @property
    def mean_spearman(self) -> float:
        """Average Spearman correlation over all pairs of raters, ``(m W - 1) / (m - 1)``.

        Exact when no rater has ties (Kendall & Babington Smith 1939).
        """
        m = self.n_raters
        return (m * self.w - 1.0) / (m - 1.0)

    @property
    def frame(self) -> pd.DataFrame:
        """One row: ``w, chi2, df, p_value, n_raters, n_items, ties_corrected``."""
        return pd.DataFrame([{"w": self.w, "chi2": self.chi2, "df": self.df,
                              "p_value": self.p_value, "n_raters": self.n_raters,
                              "n_items": self.n_items, "ties_corrected": self.ties_corrected}])

    def summary(self) -> str:
        """One line: W, the χ² (Friedman) test, the panel's size."""
        ties = "ties corrected" if self.ties_corrected else "no tie correction"
        return (f"Kendall's W 肯德尔和谐系数 = {self.w:.3f} (χ²({self.df}) = {self.chi2:.2f}, "
                f"{_fmt_p(self.p_value)}; {self.n_raters} raters × {self.n_items} items, {ties})")


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
    X, raters, items = _as_matrix(ranks, param="ranks", caller="kendall_w", rows="raters",
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


# --------------------------------------------------------------------------------------------
# Intraclass correlation
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ICCResult(_Result):
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
    """

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

    def __float__(self) -> float:
        return float(self.icc)

    @property
    def frame(self) -> pd.DataFrame:
        """One row: ``kind, icc, f, df1, df2, p_value, ci_low, ci_high, confidence, n_targets,
        n_raters``."""
        return pd.DataFrame([{"kind": self.kind, "icc": self.icc, "f": self.f, "df1": self.df1,
                              "df2": self.df2, "p_value": self.p_value, "ci_low": self.ci_low,
                              "ci_high": self.ci_high, "confidence": self.confidence,
                              "n_targets": self.n_targets, "n_raters": self.n_raters}])

    def summary(self) -> str:
        """One line: the estimate, its interval and F test."""
        return (f"{self.kind} 组内相关系数 = {self.icc:.3f}, {self.confidence:.0%} CI "
                f"[{self.ci_low:.3f}, {self.ci_high:.3f}] (F({self.df1:.0f}, {self.df2:.0f}) = "
                f"{self.f:.2f}, {_fmt_p(self.p_value)}; {self.n_raters} raters × "
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
    X, _, _ = _as_matrix(ratings, param="ratings", caller="icc", rows="raters", cols="targets")
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


# --------------------------------------------------------------------------------------------
# Krippendorff's alpha
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class KrippendorffAlpha(_Result):
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
    """

    alpha: float
    level: str
    observed_disagreement: float
    expected_disagreement: float
    n_units: int
    n_raters: int
    n_values: int
    coincidence: pd.DataFrame

    def __float__(self) -> float:
        return float(self.alpha)

    @property
    def frame(self) -> pd.DataFrame:
        """One row: ``alpha, level, observed_disagreement, expected_disagreement, n_units,
        n_raters, n_values``."""
        return pd.DataFrame([{"alpha": self.alpha, "level": self.level,
                              "observed_disagreement": self.observed_disagreement,
                              "expected_disagreement": self.expected_disagreement,
                              "n_units": self.n_units, "n_raters": self.n_raters,
                              "n_values": self.n_values}])

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
    X, _, _ = _as_matrix(data, param="data", caller="krippendorff_alpha", rows="raters",
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


# --------------------------------------------------------------------------------------------
# Panel review
# --------------------------------------------------------------------------------------------
JudgementKind = Literal["ahp", "budget"]
#: Ways of combining the experts' judgements, by kind of judgement (the first is the default).
HOW: dict[str, tuple[str, ...]] = {"ahp": ("aij", "aip"), "budget": ("mean", "median")}
_HOW_TEXT = {"aij": "AIJ, geometric mean of the judgements",
             "aip": "AIP, geometric mean of the priorities",
             "mean": "mean of the points", "median": "median of the points, renormalised"}
_AGREEMENT_ZH = {"kendall_w": "肯德尔和谐系数 (排序)", "ICC(3,1)": "组内相关系数 (单个专家)",
                 "ICC(3,k)": "组内相关系数 (专家均值)", "krippendorff_alpha": "克里彭多夫 α (区间)"}
_AGREEMENT_COLUMNS = ["measure", "name_zh", "estimate", "statistic", "df", "p_value", "ci_low",
                      "ci_high"]


@dataclass(frozen=True, eq=False)
class PanelReview(_Result):
    """What an expert panel's judgements for one node say, for the panel to review.

    Attributes
    ----------
    name : str
        The judgement group (e.g. ``"livelihood"``), used in titles.
    kind : {"ahp", "budget"}
        AHP pairwise matrices or point budgets.
    how : str
        How the judgements were combined: ``"aij"``/``"aip"`` (AHP) or ``"mean"``/``"median"``.
    nodes : tuple of str
        The node codes judged, in the order of the first expert's file.
    frame : DataFrame
        Tidy ``expert, node, weight``: every expert's own weights (each expert's sum to 1).
    experts : DataFrame
        One row per expert (index ``expert``): ``lambda_max, ci, cr`` (AHP; NaN for budgets),
        ``consistent`` (``cr ≤ cr_threshold``; always True for budgets), ``distance`` (mean
        absolute difference between the expert's weights and the combined weights of the
        *other* experts), ``rank_corr_with_others`` (Spearman correlation with that
        leave-one-out consensus) and ``outlier`` (True for the one expert with the largest
        distance; needs 3 or more experts and a unique maximum). ``outlier`` marks who stands
        furthest from the rest, to be talked to; it is not a significance test.
    combined : DataFrame
        Index ``node``: ``weight`` (the panel's combined weights, summing to 1) and the spread of
        the experts' own weights, ``sd`` (ddof=1), ``min``, ``max``, ``iqr``.
    agreement : DataFrame
        One row per measure of the panel's agreement on the weights: Kendall's W of the experts'
        rankings of the nodes (with its χ² test), ICC(3,1) and ICC(3,k) of the weights (F test,
        95% CI; ICC(3,k) is the reliability of the panel's mean weights), Krippendorff's α
        (interval) of the weights; columns
        ``measure, name_zh, estimate, statistic, df, p_value, ci_low, ci_high``. NaN where a
        measure is undefined (fewer than 2 experts, or no variation to agree on).
    combined_cr : float
        Consistency ratio of the AIJ group matrix (NaN for AIP and budgets).
    cr_threshold : float
    """

    name: str
    kind: str
    how: str
    nodes: tuple
    frame: pd.DataFrame
    experts: pd.DataFrame
    combined: pd.DataFrame
    agreement: pd.DataFrame
    combined_cr: float
    cr_threshold: float

    @property
    def weights(self) -> pd.DataFrame:
        """Experts × nodes of the experts' own weights (wide form of :attr:`frame`)."""
        wide = self.frame.pivot(index="expert", columns="node", values="weight")
        return wide.loc[list(self.experts.index), list(self.nodes)]

    def summary(self) -> str:
        """A few lines: panel, combined weights, consistency, agreement, furthest expert."""
        e = self.experts
        what = "AHP pairwise matrices" if self.kind == "ahp" else "point budgets"
        title = f" {self.name!r}" if self.name else ""
        lines = [(f"Panel review 专家组评审{title}: {len(e)} experts, {what}, "
                  f"{len(self.nodes)} nodes")]
        w = self.combined["weight"]
        lines.append(f"Combined weights ({_HOW_TEXT[self.how]}): "
                     + ", ".join(f"{node} {w[node]:.3f}" for node in self.nodes))
        if self.kind == "ahp":
            bad = e[~e["consistent"]]
            text = (f"Consistency 一致性: {len(e) - len(bad)}/{len(e)} experts with CR ≤ "
                    f"{self.cr_threshold:.2f}")
            if len(bad):
                text += "; inconsistent: " + ", ".join(f"{x!r} (CR {c:.3f})"
                                                       for x, c in bad["cr"].items())
            if np.isfinite(self.combined_cr):
                text += f"; group matrix CR {self.combined_cr:.3f}"
            lines.append(text)
        a = self.agreement.set_index("measure")["estimate"]
        lines.append(f"Agreement 一致程度: Kendall's W = {a['kendall_w']:.3f}, ICC(3,1) = "
                     f"{a['ICC(3,1)']:.3f}, ICC(3,k) = {a['ICC(3,k)']:.3f}, "
                     f"Krippendorff's α = {a['krippendorff_alpha']:.3f}")
        if e["outlier"].any():
            who = e.index[e["outlier"]][0]
            lines.append(f"Furthest from the others 偏离最大: {who!r} (mean |Δw| = "
                         f"{e.loc[who, 'distance']:.3f}, Spearman with the others' consensus "
                         f"{e.loc[who, 'rank_corr_with_others']:.2f})")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        fmt = {"float_format": lambda v: f"{v:.4g}"}
        head, *rest = self.summary().split("\n")
        return (f"<h4>{html.escape(head)}</h4>"
                + "".join(f"<p>{html.escape(line)}</p>" for line in rest)
                + "<h5>专家 Experts</h5>" + self.experts.to_html(**fmt)
                + "<h5>综合权重 Combined weights</h5>" + self.combined.to_html(**fmt)
                + "<h5>一致程度 Agreement</h5>" + self.agreement.to_html(index=False, **fmt))

    def plot(self, ax=None, labels=None):
        """Weights per node: a dot per expert over a bar for the combined weight.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        labels : mapping, optional
            Display names for node codes (e.g. Chinese names); codes not in it are shown as is.

        Returns
        -------
        matplotlib Axes
        """
        import matplotlib as mpl

        from zhengji_lab.plots import _axes, _label, chinese_rc

        W = self.weights
        with mpl.rc_context(chinese_rc()):
            ax = _axes(ax, figsize=(1.5 + 0.9 * len(self.nodes), 4.0))
            x = np.arange(len(self.nodes))
            ax.bar(x, self.combined["weight"].to_numpy(), width=0.7, color="0.85",
                   edgecolor="0.5", label="综合 Combined", zorder=1)
            offsets = np.linspace(-0.25, 0.25, len(W)) if len(W) > 1 else np.zeros(1)
            outliers = set(self.experts.index[self.experts["outlier"]])
            for dx, (expert, row) in zip(offsets, W.iterrows()):
                ax.scatter(x + dx, row.to_numpy(), s=28, zorder=3,
                           marker="X" if expert in outliers else "o",
                           label=f"{expert} (偏离最大 furthest)" if expert in outliers
                           else str(expert))
            ax.set_xticks(x, [_label(labels, n) for n in self.nodes])
            ax.set_ylabel("权重 Weight")
            ax.set_xlabel("指标/维度 Node")
            ax.set_title(f"专家权重 Expert weights{': ' + self.name if self.name else ''}")
            ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
            ax.grid(axis="y", alpha=0.3)
        return ax


def _detect_kind(judgements: dict) -> str:
    kinds: dict[str, list] = {"ahp": [], "budget": []}
    for expert, df in judgements.items():
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"The judgements of expert {expert!r} must be a DataFrame (an AHP "
                            f"matrix or a point budget). Got {type(df).__name__} instead.")
        if list(df.columns) == ["points"]:
            kinds["budget"].append(expert)
        elif df.shape[0] == df.shape[1] and set(df.index) == set(df.columns) and len(df):
            kinds["ahp"].append(expert)
        else:
            raise ValueError(f"The judgements of expert {expert!r} are neither an AHP matrix "
                             f"(square, index = columns = node codes) nor a point budget (one "
                             f"column 'points' indexed by node code). Got shape {df.shape} with "
                             f"columns {named(df.columns)}.")
    if kinds["ahp"] and kinds["budget"]:
        raise ValueError(f"A judgement group must hold one kind of judgement; experts "
                         f"{named(kinds['ahp'])} gave AHP matrices and experts "
                         f"{named(kinds['budget'])} gave point budgets. Split them into two "
                         f"groups.")
    return "ahp" if kinds["ahp"] else "budget"


def _common_nodes(judgements: dict) -> tuple:
    """The node codes every expert judged, or an error naming the experts who differ."""
    sets = {e: frozenset(df.index) for e, df in judgements.items()}
    counts: dict[frozenset, int] = {}
    for s in sets.values():
        counts[s] = counts.get(s, 0) + 1
    first = next(iter(judgements))
    top = max(counts.values())
    majority = [s for s, c in counts.items() if c == top]
    # the set most experts judged; on a tie, the first expert's
    reference = majority[0] if len(majority) == 1 else sets[first]
    odd = [e for e, s in sets.items() if s != reference]
    if odd:
        parts = []
        for e in odd[:10]:
            missing = named(sorted(map(str, reference - sets[e]))) or "none"
            extra = named(sorted(map(str, sets[e] - reference))) or "none"
            parts.append(f"expert {e!r} (missing {missing}; extra {extra})")
        raise ValueError(f"Every expert of a judgement group must judge the same node codes "
                         f"({named(sorted(map(str, reference)))}); {'; '.join(parts)}. Correct "
                         f"those experts' files.")
    order = tuple(next(iter(judgements.values())).index)
    if len(set(order)) != len(order):
        raise ValueError(f"Expert {first!r} lists a node code twice: {named(order)}.")
    return order


def _spread(W: pd.DataFrame) -> pd.DataFrame:
    q1, q3 = W.quantile(0.25), W.quantile(0.75)
    return pd.DataFrame({"sd": W.std(ddof=1), "min": W.min(), "max": W.max(), "iqr": q3 - q1})


def _agreement(W: pd.DataFrame) -> pd.DataFrame:
    """Kendall's W, ICC(3,1), ICC(3,k) and Krippendorff's α (interval) of experts × weights."""
    rows = []
    for measure in ("kendall_w", "ICC(3,1)", "ICC(3,k)", "krippendorff_alpha"):
        row = dict.fromkeys(_AGREEMENT_COLUMNS, np.nan)
        row["measure"], row["name_zh"] = measure, _AGREEMENT_ZH[measure]
        if len(W) >= 2:
            try:
                if measure == "kendall_w":
                    r = kendall_w(W, from_scores=True)
                    row.update(estimate=r.w, statistic=r.chi2, df=r.df, p_value=r.p_value)
                elif measure == "krippendorff_alpha":
                    row["estimate"] = krippendorff_alpha(W, "interval").alpha
                else:
                    r = icc(W, measure)
                    row.update(estimate=r.icc, statistic=r.f, df=r.df1, p_value=r.p_value,
                               ci_low=r.ci_low, ci_high=r.ci_high)
            except ValueError as err:  # nothing to agree on, e.g. every weight equal
                logger.warning("%s of the panel's weights is undefined: %s", measure, err)
        rows.append(row)
    return pd.DataFrame(rows, columns=_AGREEMENT_COLUMNS)


def review(judgements: dict, *, how: str | None = None, method: str = "eigen",
           ri: str = "saaty", cr_threshold: float = 0.10, total: float = 100,
           name: str = "") -> PanelReview:
    """Review one judgement group of an expert panel: consistency, combined weights, agreement.

    Parameters
    ----------
    judgements : dict
        ``{expert: DataFrame}`` for one group, as in ``Workspace.judgements[group]``: either every
        expert's AHP pairwise matrix (square, index = columns = node codes) or every expert's
        point budget (index = node codes, one column ``points``); the kind is detected.
    how : str, optional
        How judgements are combined. AHP: ``"aij"`` (default; element-wise geometric mean of the
        matrices, then its priorities) or ``"aip"`` (geometric mean of the experts' priorities);
        budgets: ``"mean"`` (default) or ``"median"`` of the points.
    method : {"eigen", "geometric"}
        AHP priorities from the principal eigenvector or the row geometric means.
    ri : {"saaty", "alonso_lamata", "donegan_dodd"}
        Random index table for the consistency ratio.
    cr_threshold : float, default 0.10
        Experts with a larger consistency ratio are flagged inconsistent (and warned about).
    total : float, default 100
        The points each expert distributes (budgets).
    name : str
        Name of the group, for titles.

    Returns
    -------
    PanelReview
        ``.frame`` (expert, node, weight), ``.experts``, ``.combined``, ``.agreement``.

    Raises
    ------
    ValueError
        An empty panel, an expert whose file is neither kind (or a different kind from the
        others), an expert judging different node codes from the others (named), or invalid
        judgements (the expert is named).

    Warns
    -----
    InconsistentJudgementWarning
        For each expert (and the AIJ group matrix) with CR above ``cr_threshold``, naming the
        most inconsistent judgement.

    Notes
    -----
    Agreement is measured on the experts' weights: Kendall's W on their rankings of the nodes,
    the ICC with experts as raters and nodes as targets, and Krippendorff's α (interval).
    Every expert's weights sum to 1, so the experts' mean weights are equal and the
    between-raters mean square is 0 by construction. The absolute-agreement ICC(2,·) then
    subtracts a negative rater-variance estimate and can leave [-1, 1] (Shrout & Fleiss's
    ICC(2,k) can exceed 1), so the consistency forms ICC(3,1) and ICC(3,k) are reported;
    ICC(3,k) is the reliability of the panel's mean weights. The leave-one-out consensus
    combines the other experts' judgements the same way (``how``) as the whole panel's.

    References
    ----------
    Forman, E., & Peniwati, K. (1998). Aggregating individual judgments and priorities with the
    analytic hierarchy process. *European Journal of Operational Research*, 108(1), 165-169.

    OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, section 6.1 (budget
    allocation) and 6.2 (AHP).

    Examples
    --------
    >>> import pandas as pd, zhengji_lab as zl
    >>> given = {"li": [50, 30, 20], "wang": [40, 40, 20], "zhang": [60, 20, 20],
    ...          "zhao": [10, 30, 60]}
    >>> pts = {e: pd.DataFrame({"points": p}, index=["a", "b", "c"]) for e, p in given.items()}
    >>> r = zl.panel.review(pts)
    >>> r.combined["weight"].round(3).to_dict()
    {'a': 0.4, 'b': 0.3, 'c': 0.3}
    >>> r.experts.index[r.experts["outlier"]].tolist()
    ['zhao']
    """
    if not isinstance(judgements, dict):
        raise TypeError(f"The 'judgements' parameter of review() must be a dict {{expert: "
                        f"DataFrame}} (one group of Workspace.judgements). Got "
                        f"{type(judgements).__name__} instead.")
    if not judgements:
        raise ValueError("The 'judgements' parameter of review() is empty: the panel has no "
                         "expert. Add one judgement file per expert to the group's folder.")
    kind = _detect_kind(judgements)
    how = HOW[kind][0] if how is None else how
    check_choice(how, HOW[kind], "how", "review")
    nodes = _common_nodes(judgements)
    experts = list(judgements)
    node_index = pd.Index(nodes, name="node")

    if kind == "ahp":
        matrices = {e: df.loc[list(nodes), list(nodes)] for e, df in judgements.items()}
        group = weighting.ahp_group(matrices, how=how, method=method, ri=ri,
                                    cr_threshold=cr_threshold)
        W = pd.DataFrame({e: group.individual[e].weights.to_numpy() for e in experts},
                         index=node_index).T
        combined_w = group.weights.to_numpy()
        combined_cr = group.combined.cr if group.combined is not None else np.nan
        diag = pd.DataFrame({"lambda_max": [group.individual[e].lambda_max for e in experts],
                             "ci": [group.individual[e].ci for e in experts],
                             "cr": [group.individual[e].cr for e in experts]}, index=experts)
        diag["consistent"] = diag["cr"] <= cr_threshold

        def combine(subset):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", InconsistentJudgementWarning)
                return weighting.ahp_group({e: matrices[e] for e in subset}, how=how,
                                           method=method, ri=ri,
                                           cr_threshold=cr_threshold).weights.to_numpy()
    else:
        points = pd.DataFrame({e: df["points"].reindex(list(nodes)) for e, df in
                               judgements.items()}).T
        points.columns = node_index
        combined_w = weighting.budget(points, how=how, total=total).to_numpy()
        W = points / float(total)
        combined_cr = np.nan
        diag = pd.DataFrame({"lambda_max": np.nan, "ci": np.nan, "cr": np.nan,
                             "consistent": True}, index=experts)

        def combine(subset):
            return weighting.budget(points.loc[list(subset)], how=how,
                                    total=total).to_numpy()

    W.index.name = "expert"
    distance, rank_corr = np.full(len(experts), np.nan), np.full(len(experts), np.nan)
    if len(experts) >= 2:
        for i, e in enumerate(experts):
            others = combine([x for x in experts if x != e])
            mine = W.loc[e].to_numpy()
            distance[i] = float(np.abs(mine - others).mean())
            if np.ptp(mine) > 0 and np.ptp(others) > 0:  # Spearman is undefined for a constant
                rank_corr[i] = float(stats.spearmanr(mine, others).statistic)
    else:
        logger.warning("review(): a panel of one expert has no agreement or leave-one-out "
                       "distance to compute.")
    outlier = np.zeros(len(experts), dtype=bool)
    if len(experts) >= 3:
        top = np.flatnonzero(np.isclose(distance, distance.max(), rtol=1e-9, atol=1e-12))
        if len(top) == 1:
            outlier[top[0]] = True
    diag["distance"], diag["rank_corr_with_others"], diag["outlier"] = distance, rank_corr, outlier
    diag.index = pd.Index(experts, name="expert")

    combined = pd.concat([pd.Series(combined_w, index=node_index, name="weight"), _spread(W)],
                         axis=1)
    frame = W.stack().rename("weight").reset_index()[["expert", "node", "weight"]]
    return PanelReview(name=name, kind=kind, how=how, nodes=nodes, frame=frame,
                       experts=diag, combined=combined, agreement=_agreement(W),
                       combined_cr=float(combined_cr), cr_threshold=float(cr_threshold))


def review_workspace(ws, group: str, **kwargs) -> PanelReview:
    """:func:`review` of the judgement group ``group`` of a workspace.

    Parameters
    ----------
    ws : Workspace
        A loaded workspace; its ``judgements`` are ``{group: {expert: DataFrame}}``.
    group : str
        The group, i.e. the path under ``judgements/`` without extension (e.g. ``"livelihood"``).
    **kwargs
        Passed to :func:`review` (``how``, ``method``, ``ri``, ``cr_threshold``, ``total``).

    Returns
    -------
    PanelReview
    """
    groups = getattr(ws, "judgements", None)
    if not isinstance(groups, dict):
        raise TypeError(f"The 'ws' parameter of review_workspace() must be a Workspace (with "
                        f"judgements). Got {type(ws).__name__} instead.")
    if group not in groups:
        raise ValueError(f"The 'group' parameter of review_workspace() must be one of the "
                         f"workspace's judgement groups {sorted(groups)}. Got {group!r} instead."
                         + ("" if groups else " The workspace has no judgements/ folder."))
    return review(groups[group], name=kwargs.pop("name", group), **kwargs)
