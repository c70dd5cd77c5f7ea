"""Compare schemes and indicators: rank comparison, importance, effective weights, reliability.

One module per job; the public names are re-exported here and at the top of the package
(``zl.compare_rankings`` …).

* :mod:`~zhengji_lab.compare.rankings`: :func:`compare_rankings`, how far the rankings of
  several schemes agree (Spearman, Kendall's tau-b, rank shifts, top-k overlap, grade
  changes), as a :class:`RankComparison`.
* :mod:`~zhengji_lab.compare.importance`: :func:`importance`, how much each indicator actually
  drives the index (squared Pearson correlation or correlation ratio, Paruolo, Saisana and
  Saltelli 2013), beside its nominal weight.
* :mod:`~zhengji_lab.compare.effective`: :func:`effective_weights`, the weight of every node at
  the index level (COINr's ``get_eff_weights``) and its mean share of the units' scores; and
  :func:`~zhengji_lab.compare.effective.weight_scopes`, the one reader of the ``group`` labels
  of ``Assessment.weights``.
* :mod:`~zhengji_lab.compare.reliability`: :func:`cronbach_alpha` and
  :func:`correlation_flags`, internal consistency and correlation checks within dimensions
  (OECD/JRC Handbook 2008, section 3).
* :mod:`~zhengji_lab.compare._common`: input checks they share.

References
----------
Paruolo, P., Saisana, M. and Saltelli, A. (2013). Ratings and rankings: voodoo or science?
*Journal of the Royal Statistical Society A* 176(3), 609–634. doi:10.1111/j.1467-985X.2012.01059.x

Becker, W., Caperna, G., Del Sorbo, M., Norlén, H., Papadimitriou, E. and Saisana, M. (2022).
COINr: an R package for developing composite indicators. *Journal of Open Source Software*
7(78), 4567. doi:10.21105/joss.04567

OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*.
OECD Publishing. doi:10.1787/9789264043466-en
"""
from zhengji_lab.compare.effective import effective_weights, weight_scopes
from zhengji_lab.compare.importance import IMPORTANCE_METHODS, ImportanceMethod, importance
from zhengji_lab.compare.rankings import PlotKind, RankComparison, compare_rankings
from zhengji_lab.compare.reliability import (
    CorrMethod,
    CronbachAlpha,
    correlation_flags,
    cronbach_alpha,
)

__all__ = [
    "IMPORTANCE_METHODS", "CorrMethod", "CronbachAlpha", "ImportanceMethod", "PlotKind",
    "RankComparison", "compare_rankings", "correlation_flags", "cronbach_alpha",
    "effective_weights", "importance", "weight_scopes",
]
