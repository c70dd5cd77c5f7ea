"""Expert panel (专家组): agreement statistics and the review of the panel's judgements.

Generic agreement statistics, each taking **experts (raters) as rows** and the things they
judge (items, targets, units) as columns, one module each:

* :mod:`~zhengji_lab.panel.kendall`: :func:`kendall_w`, Kendall's coefficient of concordance W
  of the experts' rankings, with the tie correction and its χ² (= Friedman) test;
* :mod:`~zhengji_lab.panel.icc`: :func:`icc`, intraclass correlations ICC(1,1), ICC(2,1),
  ICC(3,1) and ICC(·,k) (Shrout & Fleiss 1979; McGraw & Wong 1996) with F tests and
  confidence intervals;
* :mod:`~zhengji_lab.panel.krippendorff`: :func:`krippendorff_alpha`, Krippendorff's α for
  nominal, ordinal, interval and ratio data with missing values (Krippendorff 2011).

The review of an expert panel, built on them:

* :mod:`~zhengji_lab.panel.experts`: :func:`review` / :func:`review_workspace`, one judgement
  group (AHP pairwise matrices or point budgets): per-expert weights and consistency, the
  combined weights with their spread, the panel's agreement on the weights, and which expert
  stands furthest from the others (leave-one-out);
* :mod:`~zhengji_lab.panel.summary`: :func:`panel_summary`, every judgement group of a
  workspace in one :class:`PanelSummary`.

References
----------
Kendall, M. G., & Babington Smith, B. (1939). The problem of m rankings. *The Annals of
Mathematical Statistics*, 10(3), 275-287. doi:10.1214/aoms/1177732186

Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
reliability. *Psychological Bulletin*, 86(2), 420-428. doi:10.1037/0033-2909.86.2.420

McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass correlation
coefficients. *Psychological Methods*, 1(1), 30-46. doi:10.1037/1082-989X.1.1.30

Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*. Annenberg School for
Communication, University of Pennsylvania. https://repository.upenn.edu/asc_papers/43
"""
from zhengji_lab.panel.experts import HOW, JudgementKind, PanelReview, review, review_workspace
from zhengji_lab.panel.icc import ICC_KINDS, ICCKind, ICCResult, icc
from zhengji_lab.panel.kendall import TIES, KendallW, Ties, kendall_w
from zhengji_lab.panel.krippendorff import LEVELS, KrippendorffAlpha, Level, krippendorff_alpha
from zhengji_lab.panel.summary import PanelSummary, panel_summary

__all__ = [
    "HOW", "ICC_KINDS", "LEVELS", "TIES", "ICCKind", "ICCResult", "JudgementKind", "KendallW",
    "KrippendorffAlpha", "Level", "PanelReview", "PanelSummary", "Ties", "icc", "kendall_w",
    "krippendorff_alpha", "panel_summary", "review", "review_workspace",
]
