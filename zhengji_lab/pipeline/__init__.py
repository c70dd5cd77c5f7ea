"""The assessment pipeline: from a workspace and a scheme to an Assessment, one step per module.

* :mod:`~zhengji_lab.pipeline.prepare` — select the year's units and indicators; denominate,
  impute, screen, treat outliers;
* :mod:`~zhengji_lab.pipeline.normalising` — normalise each indicator (goalposts fitted on the
  reference year);
* :mod:`~zhengji_lab.pipeline.weights` — weight each parent node and aggregate up the tree;
* :mod:`~zhengji_lab.pipeline.run` — the steps in order, deductions, ranks, grades, talk
  triggers;
* :mod:`~zhengji_lab.pipeline.notices` — the warnings about the workspace's data, located,
  warned and logged (those of loading, and those of the year and the scheme);
* :mod:`~zhengji_lab.pipeline.assessment` — the result;
* :mod:`~zhengji_lab.pipeline.records` — its log: one typed record per step.

The rules themselves (weighted means with the coverage rule, ranks within peer groups, grades by
quota, trigger hits) are array functions in :mod:`zhengji_lab.aggregation` and
:mod:`zhengji_lab.core`, shared with the Monte Carlo engine. ``zl.build`` adds the scheme's
``uncertainty_flags`` (:mod:`zhengji_lab.assess`).
"""
from zhengji_lab.pipeline.assessment import WEIGHT_COLUMNS, Assessment
from zhengji_lab.pipeline.normalising import normalise_table
from zhengji_lab.pipeline.prepare import PREPARE_SECTIONS, Prepared, node_order, prepare
from zhengji_lab.pipeline.records import StepRecord
from zhengji_lab.pipeline.run import as_scheme, build_assessment, check_year, rank_history
from zhengji_lab.pipeline.weights import aggregate_node, score_tree, weights_for

__all__ = ["PREPARE_SECTIONS", "WEIGHT_COLUMNS", "Assessment", "Prepared", "StepRecord",
           "aggregate_node", "as_scheme", "build_assessment", "check_year", "node_order",
           "normalise_table", "prepare", "rank_history", "score_tree", "weights_for"]
