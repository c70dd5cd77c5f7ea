"""Indicator statistics on par with COINr (version 1.1.14).

One module per job; the public names are re-exported here and at the top of the package
(``zl.indicator_stats`` …). Each function takes an
:class:`~zhengji_lab.pipeline.Assessment` (one of its stages) or a units × indicators
DataFrame. Framework metadata (names, units of measure, directions, levels) come from the
``framework`` argument, else from the assessment's ``framework`` (the tree it was built on).

* :mod:`~zhengji_lab.stats.describe`: :func:`indicator_stats` (COINr's ``get_stats``), each
  indicator's statistics with flags for low data, zeros, few distinct values and outliers.
* :mod:`~zhengji_lab.stats.availability`: :func:`data_availability` (``get_data_avail``,
  ``Screen``), each unit's share of its applicable data, as a :class:`DataAvailability`.
* :mod:`~zhengji_lab.stats.correlation`: :func:`correlations` (``get_corr``, ``get_pvals``),
  correlations with p-values on pairwise complete units, as a :class:`Correlations`.
* :mod:`~zhengji_lab.stats.strengths`: :func:`strengths_weaknesses` (``get_str_weak``), a
  unit's best and worst ranked indicators among its peers, as a :class:`StrengthsWeaknesses`.
* :mod:`~zhengji_lab.stats._common`: R's ``signif``, framework metadata, stages, parameter
  checks and the heatmap they share.

References
----------
Becker, W., Caperna, G., Del Sorbo, M., Norlén, H., Papadimitriou, E. and Saisana, M. (2022).
COINr: an R package for developing composite indicators. *Journal of Open Source Software*
7(78), 4567. doi:10.21105/joss.04567

OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*,
steps 3–4 (missing data, multivariate analysis). doi:10.1787/9789264043466-en

Joanes, D. N. and Gill, C. A. (1998). Comparing measures of sample skewness and kurtosis.
*Journal of the Royal Statistical Society D* 47(1), 183–189 (the bias-corrected G1 and G2).
"""
from zhengji_lab.stats.availability import (
    COINR_AVAILABILITY_COLUMNS,
    DataAvailability,
    data_availability,
)
from zhengji_lab.stats.correlation import Correlations, CorrMethod, correlations
from zhengji_lab.stats.describe import COINR_STATS_COLUMNS, Style, indicator_stats
from zhengji_lab.stats.strengths import StrengthsWeaknesses, strengths_weaknesses

__all__ = [
    "COINR_AVAILABILITY_COLUMNS", "COINR_STATS_COLUMNS", "CorrMethod", "Correlations",
    "DataAvailability", "StrengthsWeaknesses", "Style", "correlations", "data_availability",
    "indicator_stats", "strengths_weaknesses",
]
