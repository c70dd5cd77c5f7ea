"""The expert panel's weighting review (权重方案评审): every candidate scheme side by side.

* :func:`compare_schemes` builds each candidate scheme of a workspace once for one year and sets
  the results side by side as a :class:`SchemeComparison`: the weights each scheme gives every
  node (as the aggregation applies them to the units) and their effective weight at the index
  level, how each unit's rank and grade move against a reference scheme, and the rank
  correlations between the schemes.
* :func:`panel_summary` (from :mod:`zhengji_lab.panel`) reviews every judgement group of the
  expert panel: each expert's consistency and the panel's agreement, as a :class:`PanelSummary`.

``notebooks/01_weighting_review.ipynb`` shows both, and ``zhengji weights`` prints them and
writes them to one workbook. One module per job:

* :mod:`~zhengji_lab.review.applied`: the weights as the units get them (computation);
* :mod:`~zhengji_lab.review.schemes`: :func:`compare_schemes` and :class:`SchemeComparison`
  (computation and the results);
* :mod:`~zhengji_lab.review.tables`: tables, console text, HTML and the Excel workbook;
* :mod:`~zhengji_lab.review.figures`: the figures.

The Chinese column labels of the tables are :data:`zhengji_lab.labels.COLUMN_LABELS`
(re-exported here with :func:`label_columns`).
"""
from zhengji_lab.labels import COLUMN_LABELS, label_columns
from zhengji_lab.panel import PanelSummary, panel_summary
from zhengji_lab.review.applied import ALL
from zhengji_lab.review.figures import RANK_PLOTS
from zhengji_lab.review.schemes import SchemeComparison, compare_schemes
from zhengji_lab.review.tables import WEIGHT_VALUES

__all__ = [
    "ALL", "COLUMN_LABELS", "RANK_PLOTS", "WEIGHT_VALUES", "PanelSummary", "SchemeComparison",
    "compare_schemes", "label_columns", "panel_summary",
]
