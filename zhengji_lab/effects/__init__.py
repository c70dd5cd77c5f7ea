"""Individualized indicators (个性化指标): are units comparable, are targets ambitious, what changed.

The city sets some indicators per unit, by functional positioning, development base and natural
conditions (因地制宜). This subpackage gives the panel the evidence:

* :func:`fairness` — two schemes side by side (e.g. common indicators only vs with the
  individualized ones): score and rank gaps by unit kind and positioning, with permutation
  p-values; rank mobility; how much of the score the conditions units cannot control explain,
  before and after, with bootstrap intervals;
* :func:`value_added` — each unit's score against what its conditions predict, shrunk by
  empirical Bayes, with an interval;
* :func:`adoption_effect` — what adopting individualized indicators changed in outcomes outside
  the score (two-way fixed effects, event study with a pre-trend test, Gardner's two-stage
  estimator for staggered adoption), with inference that holds with few clusters;
* :func:`target_ambition` — how ambitious each declared target was, and which units declare easy
  targets year after year.

Each returns a result with a tidy ``frame`` and a ``plot()``.
"""
from zhengji_lab.effects.adoption import AdoptionEffect, adoption_effect, effects_table
from zhengji_lab.effects.fairness import FairnessResult, common_only, fairness
from zhengji_lab.effects.result import EffectsResult
from zhengji_lab.effects.targets import TargetAmbition, target_ambition
from zhengji_lab.effects.value_added import ValueAddedResult, value_added

__all__ = [
    "AdoptionEffect", "EffectsResult", "FairnessResult", "TargetAmbition", "ValueAddedResult",
    "adoption_effect", "common_only", "effects_table", "fairness", "target_ambition",
    "value_added",
]
